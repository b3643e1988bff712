/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VIGIL_OUTPUT_CH_SCHEMA_H
#define VIGIL_OUTPUT_CH_SCHEMA_H

/* vigil clickhouse-schema [--table DB.TABLE] [--cluster NAME] [--ttl-days N] */
int cmd_clickhouse_schema(int argc, char **argv);

#endif
