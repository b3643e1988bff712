"""What the bench scripts share: running an agent with a policy, and reading the time its BPF
programs ran from the kernel (kernel.bpf_stats_enabled: run_time_ns and run_cnt per program)."""
import contextlib
import json
import os
import subprocess
import time

STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


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


def progs(pid):
    """(name, run_time_ns, run_cnt) of every BPF program the process holds."""
    rows = []
    for prog_id in sorted(prog_ids(pid)):
        out = subprocess.run(["bpftool", "prog", "show", "id", str(prog_id), "--json"],
                             capture_output=True, text=True).stdout
        if out:
            p = json.loads(out)
            rows.append((p.get("name", "?"), p.get("run_time_ns", 0), p.get("run_cnt", 0)))
    return rows


@contextlib.contextmanager
def bpf_stats():
    """kernel.bpf_stats_enabled on for the block, restored after."""
    before = open(STATS_SYSCTL).read().strip()
    with open(STATS_SYSCTL, "w") as f:
        f.write("1")
    try:
        yield
    finally:
        with open(STATS_SYSCTL, "w") as f:
            f.write(before)


@contextlib.contextmanager
def agent(vigil, policy, out):
    """`vigil run --policy POLICY --output OUT`, ready (agent.policy written) for the block, then
    stopped with SIGINT; yields the process."""
    if os.path.exists(out):
        os.unlink(out)
    proc = subprocess.Popen([vigil, "run", "--policy", policy, "--output", out],
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if os.path.exists(out) and "agent.policy" in open(out).read():
                break
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read())
            time.sleep(0.05)
        yield proc
    finally:
        proc.send_signal(2)
        proc.wait(timeout=30)


def last_stats(out):
    """The agent.stats object the agent wrote last."""
    return json.loads(open(out).read().splitlines()[-1])["stats"]
