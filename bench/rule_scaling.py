#!/usr/bin/env python3
"""The kernel's cost per event with 1, 100 and 1,000 rules on the same workload.

Two workloads, each with rules that add a distinct kernel filter term apiece and never match:
- exec: an exec storm of /bin/true; rule i is `proc.uid == U_i and proc.exe == /nonexistent/i`;
- open: a loop of open(/etc/hostname); rule i is `file.path startswith /nonexistent/i/`, which the
  kernel decides in its path trie.
The cost is read from the kernel itself (kernel.bpf_stats_enabled: run_time_ns / run_cnt of
vigil's program for that event) while the workload runs, so the syscall's own cost does not blur
it. Runs alternate (1, 100, 1000, 1, ...), and the report gives medians. Needs root.
  bench/rule_scaling.py [--reps 5] [--events 2000] [--build build] [--out bench/rule-scaling.md]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import bpf_bench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNTS = (1, 100, 1000)


def exec_rule(i):
    return f"on: process.exec\n    when: proc.uid == {10000 + i} and proc.exe == /nonexistent/{i}\n"


def open_rule(i):
    return f"on: file.open\n    when: file.path startswith /nonexistent/{i}/\n"


OPEN_LOOP = "import os, sys\nfor _ in range(int(sys.argv[1])):\n    os.close(os.open('/etc/hostname', os.O_RDONLY))\n"

# workload: (rule text, vigil's program for the event, kind, the command running n events)
WORKLOADS = {
    "exec": (exec_rule, "exec_btf", "process.exec",
             lambda n: ["sh", "-c", f"i=0; while [ $i -lt {n} ]; do /bin/true; i=$((i+1)); done"]),
    "open": (open_rule, "openat_exit_tp", "file.open",
             lambda n: ["python3", "-c", OPEN_LOOP, str(n)]),
}


def policy(n, path, rule):
    with open(path, "w") as f:
        f.write("rules:\n")
        for i in range(n):
            f.write(f"  - name: r{i}\n    description: scaling rule {i}\n    {rule(i)}")


def prog_stats(pid, name):
    for prog, run_time_ns, run_cnt in bpf_bench.progs(pid):
        if prog == name:
            return run_time_ns, run_cnt
    raise RuntimeError(f"{name} of vigil {pid} not found")


def one_run(vigil, workload, n, events, work):
    rule, prog, kind, command = WORKLOADS[workload]
    pol = os.path.join(work, f"rules-{workload}-{n}.yaml")
    policy(n, pol, rule)
    out = os.path.join(work, f"out-{workload}-{n}.jsonl")
    with bpf_bench.agent(vigil, pol, out) as agent:
        t0, c0 = prog_stats(agent.pid, prog)
        subprocess.run(command(events), check=True)
        t1, c1 = prog_stats(agent.pid, prog)
    st = bpf_bench.last_stats(out)[kind]
    return {"ns_per_event": (t1 - t0) / max(c1 - c0, 1), "events": c1 - c0,
            "filtered": st["filtered"], "delivered": st["delivered"]}


DESCRIPTION = {
    "exec": "Cost of vigil's `process.exec` program per event during an exec storm of /bin/true as "
            "root; every rule names another uid, so each adds a kernel filter term and the root "
            "execs are all filtered in the kernel. Filtered exec events are still built and sent "
            "as table-only records (the process table needs every exec), so most of the figure is "
            "the record itself; what the rules add is the filter's lookups.",
    "open": "Cost of vigil's `openat` exit program per event during a loop of "
            "`open(\"/etc/hostname\")`; every rule is another path prefix (`file.path startswith "
            "/nonexistent/N/`), decided in the kernel's path trie, so no open reaches user space. "
            "The figure includes the path walk every open event needs; what the rules add is the "
            "path key and one trie lookup.",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "rule-scaling.md"))
    a = ap.parse_args()
    workloads = a.workload or ["exec", "open"]
    vigil = os.path.join(a.build, "vigil")
    results = {(w, n): [] for w in workloads for n in COUNTS}
    with tempfile.TemporaryDirectory(prefix="vigil-rules-bench-") as work, bpf_bench.bpf_stats():
        for rep in range(a.reps):
            for w in workloads:
                for n in COUNTS:
                    r = one_run(vigil, w, n, a.events, work)
                    results[(w, n)].append(r)
                    print(f"rep {rep + 1}: {w} {n:5d} rules: {r['ns_per_event']:.0f} ns/event "
                          f"({r['events']} events, {r['filtered']} filtered in the kernel, "
                          f"{r['delivered']} delivered)", flush=True)
    uname = os.uname()
    lines = ["# Rule scaling: the kernel's cost per event", "",
             f"Machine: {os.cpu_count()} CPUs, kernel {uname.release}; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; `bench/rule_scaling.py "
             f"--reps {a.reps} --events {a.events}`.", "",
             "`run_time_ns / run_cnt` of the event's program from `kernel.bpf_stats_enabled`; the "
             "ratio column shows whether the cost grows with the number of rules (the target: "
             "within 10% of one rule)."]
    for w in workloads:
        base = statistics.median(r["ns_per_event"] for r in results[(w, 1)])
        lines += ["", f"## {w}", "", DESCRIPTION[w], "",
                  "| rules | median ns/event | min-max | ratio to 1 rule | filtered in kernel (last run) | delivered (last run) |",
                  "|---:|---:|---|---:|---:|---:|"]
        for n in COUNTS:
            v = [r["ns_per_event"] for r in results[(w, n)]]
            last = results[(w, n)][-1]
            lines.append(f"| {n} | {statistics.median(v):.0f} | {min(v):.0f}-{max(v):.0f} | "
                         f"{statistics.median(v) / base:.2f} | {last['filtered']} | {last['delivered']} |")
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
