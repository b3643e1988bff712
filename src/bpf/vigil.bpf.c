/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one BPF object: every sensor is compiled into it so that they share the ring buffer, the
 * loss counters and the filter tables. User space switches off (autoload) what a run does not use.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#include "process.bpf.c"
#include "file.bpf.c"
#include "syscall.bpf.c"
#include "shell.bpf.c"
#include "tty.bpf.c"
#include "net.bpf.c"
#include "dns.bpf.c"
#include "priv.bpf.c"
#include "kernel.bpf.c"
#include "denied.bpf.c"
