// SPDX-License-Identifier: GPL-2.0-only
/* vigil clickhouse-schema: the table a clickhouse:// output writes to (src/output/http.c makes
 * its rows), for one server or, with --cluster, a local table per shard under a Distributed one. */
#include "output/ch_schema.h"

#include <argp.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct ch_args {
	const char *table;
	const char *cluster;
};

static const struct argp_option ch_options[] = {
	{ "table", 't', "DB.TABLE", 0, "The table (default vigil.events)", 0 },
	{ "cluster", 'c', "CLUSTER", 0, "A cluster of the servers' remote_servers: DB.TABLE_local holds the rows on each server, DB.TABLE is a Distributed table over them (run the output on every server of the cluster)", 0 },
	{},
};

static bool ident_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static error_t ch_parse(int key, char *arg, struct argp_state *state)
{
	struct ch_args *a = state->input;
	switch (key) {
	case 't': {
		const char *dot = strchr(arg, '.');
		char db[128];
		if (!dot || (size_t)(dot - arg) >= sizeof(db) || !ident_ok(dot + 1))
			cli_bad_value(state, "--table", "expected DATABASE.TABLE (letters, digits, '_')");
		snprintf(db, sizeof(db), "%.*s", (int)(dot - arg), arg);
		if (!ident_ok(db))
			cli_bad_value(state, "--table", "expected DATABASE.TABLE (letters, digits, '_')");
		a->table = arg;
		return 0;
	}
	case 'c':
		if (!ident_ok(arg))
			cli_bad_value(state, "--cluster", "expected a cluster name (letters, digits, '_')");
		a->cluster = arg;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp ch_argp = {
	ch_options, ch_parse, NULL,
	"Print the ClickHouse DDL of the table a clickhouse:// output inserts into (typed common "
	"columns and the raw event; docs/outputs.md). The SQL suits ClickHouse 18.16 and later.\v"
	"Examples:\n"
	"  vigil clickhouse-schema | clickhouse-client --multiquery\n"
	"  vigil clickhouse-schema --table siem.vigil --cluster fleet   # then on every server",
	NULL, NULL, NULL,
};

static void columns(void)
{
	printf("(\n"
	       "    date Date DEFAULT toDate(time),\n"
	       "    time DateTime('UTC'),          -- the event's time, to the second\n"
	       "    time_ns UInt64,                -- the same, in nanoseconds since the epoch\n"
	       "    kind String,                   -- process.exec, alert, agent.stats, ...\n"
	       "    host String,                   -- host.name\n"
	       "    machine_id String,             -- host.id (/etc/machine-id)\n"
	       "    tgid UInt32,                   -- proc.tgid (alerts: their event's)\n"
	       "    uid UInt32,\n"
	       "    comm String,\n"
	       "    exe String,\n"
	       "    exec_id String,                -- joins a process's events across hosts and time\n"
	       "    parent_exec_id String,\n"
	       "    rule String,                   -- alerts: rule.name\n"
	       "    severity String,               -- alerts: rule.severity\n"
	       "    event String                   -- the whole event, JSON (JSONExtract*, visitParam*)\n"
	       ")\n");
}

static void engine(void)
{
	printf("ENGINE = MergeTree\nPARTITION BY toYYYYMM(date)\nORDER BY (kind, host, time)\n");
	printf("SETTINGS index_granularity = 8192;\n");
}

int cmd_clickhouse_schema(int argc, char **argv)
{
	struct ch_args a = { .table = "vigil.events" };
	char db[128];

	if (cli_parse(&ch_argp, argc, argv, &a))
		return 2;
	const char *dot = strchr(a.table, '.');
	snprintf(db, sizeof(db), "%.*s", (int)(dot - a.table), a.table);
	if (!a.cluster) {
		printf("CREATE DATABASE IF NOT EXISTS %s;\n\n", db);
		printf("CREATE TABLE IF NOT EXISTS %s\n", a.table);
		columns();
		engine();
		return 0;
	}
	/* no ON CLUSTER: that needs ZooKeeper; the same statements run on every server */
	printf("-- run on every server of cluster %s\n", a.cluster);
	printf("CREATE DATABASE IF NOT EXISTS %s;\n\n", db);
	printf("-- this server's shard of the rows\n");
	printf("CREATE TABLE IF NOT EXISTS %s_local\n", a.table);
	columns();
	engine();
	printf("\n-- where vigil inserts and the fleet queries: rows spread over the shards by host\n");
	printf("CREATE TABLE IF NOT EXISTS %s AS %s_local\n", a.table, a.table);
	printf("ENGINE = Distributed(%s, %s, %s_local, sipHash64(host));\n", a.cluster, db, dot + 1);
	return 0;
}
