"""The workloads, one row each: how to run it, how many events of its kind one run makes, and what
each tracer attaches to for it. Adding a workload is adding a row to WORKLOADS."""
import os
from dataclasses import dataclass, field
from typing import Callable, List, Optional

from .programs import BENCH

PROCESS_KINDS = "process.exec,process.fork,process.exit"
NO_FILE_SENSOR = "n/a until the file sensor lands"
NO_NET_SENSOR = "n/a until the network sensor lands"

EXEC_BT = ('tracepoint:sched:sched_process_exec '
           '{ printf("exec %d %d %s %s\\n", pid, uid, comm, str(args->filename)); }')
FORK_EXIT_BT = ('tracepoint:sched:sched_process_fork '
                '{ printf("fork %d %d\\n", args->parent_pid, args->child_pid); } '
                'tracepoint:sched:sched_process_exit { printf("exit %d %s\\n", pid, comm); }')
# opensnoop's shape: the path at entry, printed with the result at exit.
OPEN_BT = ('tracepoint:syscalls:sys_enter_openat { @path[tid] = args->filename; } '
           'tracepoint:syscalls:sys_exit_openat /@path[tid]/ '
           '{ printf("open %d %s %s %d\\n", pid, comm, str(@path[tid]), args->ret); '
           'delete(@path[tid]); }')
TCP_BT = ('tracepoint:syscalls:sys_exit_connect, tracepoint:syscalls:sys_exit_accept4 '
          '{ printf("%s %d %s %d\\n", probe, pid, comm, args->ret); }')


@dataclass
class Workload:
    name: str
    title: str
    argv: Callable  # (programs, iterations, smoke, workdir) -> argv
    iterations: int  # events of the workload's kind in one run (None: counted by vigil)
    smoke_iterations: int
    event: str  # what one counted event is, for the per-event cost
    vigil_kinds: Optional[str]  # what vigil streams; None: it cannot see these events yet
    floor: List[str]  # programs of bench/floor/floor.bpf.c on the same hooks
    bpftrace: str
    audit: List[str]  # syscalls for the auditd rule
    na_reason: str = ""
    notes: List[str] = field(default_factory=list)
    rule_on: Optional[str] = None  # event kind and field for the rule-scaling modes, "kind field"


def _mixed_argv(programs, n, smoke, workdir):
    tree = "/usr/include/linux" if smoke else "/usr/include"
    return ["sh", os.path.join(BENCH, "workloads/mixed.sh"), tree, BENCH,
            os.path.join(workdir, "mixed-objs")]


WORKLOADS = [
    Workload("exec", "exec storm: fork + exec of /bin/true, one at a time",
             lambda p, n, smoke, w: [p.path("exec_storm"), str(n)], 2000, 30,
             "exec", "process.exec", ["proc_exec"], EXEC_BT, ["execve"]),
    Workload("open", "open/close loop on one file (/etc/hostname)",
             lambda p, n, smoke, w: [p.path("open_loop"), str(n)], 50000, 2000,
             "open", "file.open", ["openat_enter", "openat_exit"], OPEN_BT, ["openat"],
             na_reason=NO_FILE_SENSOR, rule_on="file.open file.path"),
    Workload("tcp", "TCP connect + accept loop on loopback",
             lambda p, n, smoke, w: [p.path("tcp_loop"), str(n)], 20000, 200,
             "connection (one connect + one accept)", "net.connect,net.accept",
             ["connect_exit", "accept4_exit"],
             TCP_BT, ["connect", "accept4"], na_reason=NO_NET_SENSOR),
    Workload("mixed", "tar of /usr/include to a pipe, grep over its headers 16 files per exec, cc -O2 -c of the bench sources",
             _mixed_argv, None, None, "process event (exec, fork or exit)", PROCESS_KINDS,
             ["proc_exec", "proc_fork", "proc_exit"], EXEC_BT + " " + FORK_EXIT_BT,
             ["execve", "clone", "clone3", "fork", "vfork", "exit_group"],
             notes=["vigil, bpftrace and auditd all watch the three process kinds here (exec, "
                    "fork, exit), not the opens",
                    "events per run: vigil's own produced count in its streaming runs (median)"]),
]
