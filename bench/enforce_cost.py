#!/usr/bin/env python3
"""What a deny rule that does not match costs, next to an alert rule that does not match.

The same condition (`net.daddr cidr (192.0.2.0/24) and net.dport == 9`, which the workload never
meets) runs three ways: no vigil; `action: alert` (the net sensor's hooks see every connect and
the rule is judged on its events); `action: deny` (the cgroup connect hooks judge it in the
kernel, docs/enforcement.md). The workload is tests/helpers/enforce_connect -n: socket() + UDP
connect() to 127.0.0.1 + close(), in a loop. Per run: the wall time per call, and the time
vigil's own BPF programs spent per call (run_time_ns from kernel.bpf_stats_enabled, summed over
every program the agent holds). Modes alternate (none, alert, deny, none, ...); the report gives
medians. Needs root; writes bench/enforce-cost.md.
  bench/enforce_cost.py [--reps 7] [--calls 100000] [--build build] [--out bench/enforce-cost.md]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import bpf_bench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ("none", "alert", "deny")
WHEN = "net.daddr cidr (192.0.2.0/24) and net.dport == 9"


def policy(mode, path):
    with open(path, "w") as f:
        f.write("rules:\n  - name: never matches\n    description: bench rule\n"
                f"    on: net.connect\n    when: {WHEN}\n")
        if mode == "deny":
            f.write("    action: deny\n")


def prog_time(pid):
    """run_time_ns summed over the agent's programs, and the names of those that ran."""
    rows = bpf_bench.progs(pid)
    return sum(t for _, t, _ in rows), {name for name, _, cnt in rows if cnt}


def workload(helper, calls, port):
    out = subprocess.run([helper, "-p", "udp", "-n", str(calls), "127.0.0.1", str(port)],
                         capture_output=True, text=True, check=True).stdout
    vals = dict(line.split(None, 1) for line in out.splitlines() if " " in line)
    assert out.splitlines()[0] == "ok", out  # the rule never matches: every call succeeds
    return int(vals["ns_per_call"])


def one_run(vigil, helper, mode, calls, port, work):
    if mode == "none":
        return {"ns_call": workload(helper, calls, port), "bpf_ns_call": 0.0, "progs": set()}
    pol = os.path.join(work, f"{mode}.yaml")
    policy(mode, pol)
    out = os.path.join(work, f"{mode}.jsonl")
    with bpf_bench.agent(vigil, pol, out) as agent:
        t0, _ = prog_time(agent.pid)
        ns = workload(helper, calls, port)
        t1, ran = prog_time(agent.pid)
    return {"ns_call": ns, "bpf_ns_call": (t1 - t0) / calls, "progs": ran}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--calls", type=int, default=100000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "enforce-cost.md"))
    a = ap.parse_args()
    vigil = os.path.join(a.build, "vigil")
    helper = os.path.join(a.build, "tests", "helpers", "enforce_connect")
    port = 47900 + os.getpid() % 50
    results = {m: [] for m in MODES}
    with tempfile.TemporaryDirectory(prefix="vigil-enforce-bench-") as work, bpf_bench.bpf_stats():
        for rep in range(a.reps):
            for m in MODES:
                r = one_run(vigil, helper, m, a.calls, port, work)
                results[m].append(r)
                print(f"rep {rep + 1}: {m:5s}: {r['ns_call']} ns/call, vigil's BPF "
                      f"{r['bpf_ns_call']:.0f} ns/call ({', '.join(sorted(r['progs'])) or '-'})",
                      flush=True)
    base = statistics.median(r["ns_call"] for r in results["none"])
    uname = os.uname()
    lines = ["# Enforcement cost: a deny rule that does not match, next to an alert rule", "",
             f"Machine: {os.cpu_count()} CPUs, kernel {uname.release}; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; `bench/enforce_cost.py "
             f"--reps {a.reps} --calls {a.calls}` (other sessions' builds and tests may share the "
             "machine: read the spread).", "",
             f"One rule, `on: net.connect`, `when: {WHEN}`, which the workload never meets, "
             "as `action: alert` (the net sensor's hooks see each connect; the rule is judged on "
             "the event) and as `action: deny` (the cgroup connect hooks judge it in the kernel; "
             "no sensor event). Workload: `socket()` + UDP `connect()` to 127.0.0.1 + `close()`, "
             f"{a.calls} times, by tests/helpers/enforce_connect; modes alternate. "
             "\"vigil's BPF\" is the time vigil's own programs ran per call "
             "(`run_time_ns` of every program the agent holds, `kernel.bpf_stats_enabled`).", "",
             "| mode | median ns/call | min-max | ratio to no vigil | vigil's BPF ns/call (median) | programs that ran (last run) |",
             "|---|---:|---|---:|---:|---|"]
    for m in MODES:
        v = [r["ns_call"] for r in results[m]]
        b = [r["bpf_ns_call"] for r in results[m]]
        progs = ", ".join(sorted(results[m][-1]["progs"])) or "-"
        lines.append(f"| {m} | {statistics.median(v):.0f} | {min(v)}-{max(v)} | "
                     f"{statistics.median(v) / base:.2f} | {statistics.median(b):.0f} | {progs} |")
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
