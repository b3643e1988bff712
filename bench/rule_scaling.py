#!/usr/bin/env python3
"""The kernel's cost per event with 1, 100 and 1,000 rules on the same workload.

Each rule is `proc.uid == U and proc.exe == /nonexistent/N` with its own uid, so every rule adds
a distinct kernel filter term and no event matches. The cost is read from the kernel itself
(kernel.bpf_stats_enabled: run_time_ns / run_cnt of vigil's exec program) while an exec storm
runs, so the exec's own cost does not blur it. Runs alternate (1, 100, 1000, 1, ...), and the
report gives medians. Needs root.
  bench/rule_scaling.py [--reps 5] [--execs 2000] [--build build] [--out bench/rule-scaling.md]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNTS = (1, 100, 1000)


def policy(n, path):
    with open(path, "w") as f:
        f.write("rules:\n")
        for i in range(n):
            f.write(f"  - name: r{i}\n    description: scaling rule {i}\n    on: process.exec\n"
                    f"    when: proc.uid == {10000 + i} and proc.exe == /nonexistent/{i}\n")


def prog_ids(pid):
    """The BPF programs a process holds, from its fdinfo."""
    ids = set()
    fddir = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fddir):
        try:
            for line in open(os.path.join(fddir, fd)):
                if line.startswith("prog_id:"):
                    ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def prog_stats(pid, name):
    for pid_ in sorted(prog_ids(pid)):
        out = subprocess.run(["bpftool", "prog", "show", "id", str(pid_), "--json"],
                             capture_output=True, text=True).stdout
        if not out:
            continue
        p = json.loads(out)
        if p.get("name") == name:
            return p.get("run_time_ns", 0), p.get("run_cnt", 0)
    raise RuntimeError(f"{name} of vigil {pid} not found")


def one_run(vigil, n, execs, work):
    pol = os.path.join(work, f"rules-{n}.yaml")
    policy(n, pol)
    out = os.path.join(work, f"out-{n}.jsonl")
    if os.path.exists(out):
        os.unlink(out)
    agent = subprocess.Popen([vigil, "run", "--policy", pol, "--output", out],
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if os.path.exists(out) and "agent.policy" in open(out).read():
                break
            if agent.poll() is not None:
                raise RuntimeError(agent.stderr.read())
            time.sleep(0.05)
        t0, c0 = prog_stats(agent.pid, "exec_btf")
        subprocess.run(["sh", "-c", f"i=0; while [ $i -lt {execs} ]; do /bin/true; i=$((i+1)); done"],
                       check=True)
        t1, c1 = prog_stats(agent.pid, "exec_btf")
    finally:
        agent.send_signal(2)
        agent.wait(timeout=30)
    last = json.loads(open(out).read().splitlines()[-1])
    st = last["stats"]["process.exec"]
    return {"ns_per_event": (t1 - t0) / max(c1 - c0, 1), "events": c1 - c0,
            "filtered": st["filtered"], "delivered": st["delivered"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--execs", type=int, default=2000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "rule-scaling.md"))
    a = ap.parse_args()
    vigil = os.path.join(a.build, "vigil")
    sysctl = "/proc/sys/kernel/bpf_stats_enabled"
    before = open(sysctl).read().strip()
    results = {n: [] for n in COUNTS}
    with tempfile.TemporaryDirectory(prefix="vigil-rules-bench-") as work:
        try:
            with open(sysctl, "w") as f:
                f.write("1")
            for rep in range(a.reps):
                for n in COUNTS:
                    r = one_run(vigil, n, a.execs, work)
                    results[n].append(r)
                    print(f"rep {rep + 1}: {n:5d} rules: {r['ns_per_event']:.0f} ns/event "
                          f"({r['events']} events, {r['filtered']} filtered in the kernel, "
                          f"{r['delivered']} delivered)", flush=True)
        finally:
            with open(sysctl, "w") as f:
                f.write(before)
    base = statistics.median(r["ns_per_event"] for r in results[1])
    uname = os.uname()
    lines = ["# Rule scaling: the kernel's cost per event", "",
             f"Machine: {os.cpu_count()} CPUs, kernel {uname.release}; "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; `bench/rule_scaling.py "
             f"--reps {a.reps} --execs {a.execs}`.", "",
             "Cost of vigil's `process.exec` program per event (`run_time_ns / run_cnt` from "
             "`kernel.bpf_stats_enabled`) during an exec storm of /bin/true as root; every rule "
             "names another uid, so each adds a kernel filter term and the root execs are all "
             "filtered in the kernel. Filtered exec events are still built and sent as table-only "
             "records (the process table needs every exec), so most of the figure is the record "
             "itself; what the rules add is the filter's lookups, and the ratio column shows "
             "whether that grows with their number.", "",
             "| rules | median ns/event | min-max | ratio to 1 rule | filtered in kernel (last run) |",
             "|---:|---:|---|---:|---:|"]
    for n in COUNTS:
        v = [r["ns_per_event"] for r in results[n]]
        lines.append(f"| {n} | {statistics.median(v):.0f} | {min(v):.0f}-{max(v):.0f} | "
                     f"{statistics.median(v) / base:.2f} | {results[n][-1]['filtered']} |")
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
