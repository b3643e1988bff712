"""Command-line behaviour: every bad input gets one clear line and a non-zero exit, and nothing
starts half-way; `vigil probe` agrees with what really loads here."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import vigil_test
from vigil_test import helper, marker, on_cleanup, vigil


def one_line_error(r, code, *needles):
    assert r.returncode == code, (r.returncode, r.stderr)
    first = r.stderr.strip().splitlines()[0]
    for n in needles:
        assert n in first, f"{n!r} not in {first!r}"
    return first


def test_unknown_command_and_flag():
    one_line_error(vigil("frobnicate"), 2, "unknown command 'frobnicate'")
    one_line_error(vigil("run", "--frobnicate"), 2, "unrecognized option '--frobnicate'")
    one_line_error(vigil("run", "extra"), 2, "unexpected argument 'extra'")
    assert vigil().returncode == 2


def test_bad_values():
    cases = [
        (["--ringbuf-size", "1000"], "--ringbuf-size", "power of two"),
        (["--ringbuf-size", "12K"], "--ringbuf-size", "power of two"),
        (["--ringbuf-size", "lots"], "--ringbuf-size", "'lots'"),
        (["--duration", "-1"], "--duration", "positive number of seconds"),
        (["--duration", "abc"], "--duration", "'abc'"),
        (["--format", "xml"], "--format", "json or text"),
        (["--kind", "process.teleport"], "--kind", "unknown event kind 'process.teleport'"),
        (["--tgid", "0"], "--tgid", "from 1 to"),
        (["--uid", "-5"], "--uid", "'-5'"),
        (["--comm", "a-name-longer-than-15"], "--comm", "1 to 15 characters"),
        (["--cgroup", "/nonexistent/cgroup"], "--cgroup", "No such file or directory"),
    ]
    for args, opt, why in cases:
        one_line_error(vigil("run", *args), 2, f"invalid value for {opt}", why)


def test_unwritable_output():
    r = vigil("run", "--output", "/nonexistent-dir/events.jsonl", "--duration", "1")
    # a configuration error: exit 2 like every other (docs/outputs.md)
    one_line_error(r, 2, "cannot open output file /nonexistent-dir/events.jsonl",
                   "No such file or directory")
    assert not any(l.startswith("{") for l in r.stdout.splitlines())


def test_not_root():
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=-all", vigil_test.VIGIL, "run", "--duration", "1"],
                       capture_output=True, text=True, timeout=30)
    one_line_error(r, 1, "needs root", "CAP_BPF")
    assert r.stdout == ""


def test_help_and_version():
    r = vigil("run", "--help")
    assert r.returncode == 0 and "Usage: vigil run" in r.stdout and "Examples:" in r.stdout
    assert vigil("--version").stdout.startswith("vigil ")
    r = vigil("--help")
    assert r.returncode == 0 and "execsnoop" in r.stdout and "probe" in r.stdout


def test_probe_agrees_with_the_kernel():
    r = vigil("probe", "--json")
    assert r.returncode == 0, r.stderr
    f = json.loads(r.stdout)
    assert f["btf"]["available"] == os.path.exists("/sys/kernel/btf/vmlinux")
    assert f["ringbuf"]["available"] is True
    assert f["tracepoint"]["available"] is True
    assert f["modules"]["available"] == os.path.exists("/proc/modules")
    with open("/sys/kernel/security/lockdown") as fh:  # vigil mounted securityfs if needed
        mode = fh.read().split("[")[1].split("]")[0]
    assert f["lockdown"]["mode"] == mode
    with open("/sys/kernel/security/lsm") as fh:
        lsms = fh.read().strip()
    assert f["bpf_lsm"]["active_lsms"] == lsms
    with open("/proc/self/mountinfo") as fh:
        cg2 = [l.split()[4] for l in fh if " - cgroup2 " in l]
    assert f["cgroup_v2"]["available"] == bool(cg2)
    if cg2:
        assert f["cgroup_v2"]["path"] == cg2[0]
    # kprobes exist only where the kernel has the kprobe PMU
    has_kprobe_pmu = os.path.exists("/sys/bus/event_source/devices/kprobe")
    assert f["kprobe"]["available"] == has_kprobe_pmu
    # the features enforcement and the sensors choose by: as an independent trial finds them
    # (tests/helpers/probe_trial: hand-written programs loaded, attached and seen to act)
    t = subprocess.run([helper("probe_trial")], capture_output=True, text=True, timeout=60)
    assert t.returncode == 0, t.stderr
    trial = json.loads(t.stdout)
    for k in ("bpf_lsm", "fentry", "kprobe", "send_signal"):
        assert f[k]["available"] == trial[k]["available"], (
            f"{k}: vigil probe says {f[k]}, the trial says {trial[k]}")
    # the table form names the same features
    table = vigil("probe").stdout.splitlines()
    assert table[0].split()[:2] == ["FEATURE", "OK"]
    names = {l.split()[0]: l.split()[1] for l in table[1:]}
    for k, v in f.items():
        assert names[k] == ("yes" if v["available"] else "no"), k



def test_execsnoop_successful_exec_every_column():
    """One successful exec, as a uid of this run only (-u keeps every other exec out): each
    column of its row is what the kernel did."""
    uid = random.randrange(4_300_000, 4_400_000)
    d = tempfile.mkdtemp(prefix="vigil-es-")
    os.chmod(d, 0o755)
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    name = "es" + uuid.uuid4().hex[:10]
    prog = os.path.join(d, name)
    shutil.copy(shutil.which("true"), prog)
    os.chmod(prog, 0o755)
    mark = marker()
    tool = subprocess.Popen([vigil_test.VIGIL, "execsnoop", "-u", str(uid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    on_cleanup(lambda: tool.poll() is None and tool.kill())
    header = tool.stdout.readline()
    assert header.split() == ["TIME", "PID", "PPID", "UID", "RET", "COMM", "ARGS"], header
    t0 = time.time()
    # setpriv (root, filtered out) becomes uid and execs prog in the same process
    p = subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                          prog, mark, "second-arg"])
    assert p.wait(timeout=30) == 0
    t1 = time.time()
    time.sleep(0.2)
    tool.send_signal(signal.SIGINT)
    out, err = tool.communicate(timeout=30)
    assert tool.returncode == 0, err
    rows = [line.split() for line in out.splitlines() if line.strip()]
    assert len(rows) == 1, out
    row = rows[0]
    assert row[1:] == [str(p.pid), str(os.getpid()), str(uid), "0", name, prog, mark, "second-arg"], out
    # TIME: the local wall clock of the exec, to the second
    times = {time.strftime("%H:%M:%S", time.localtime(t)) for t in range(int(t0) - 1, int(t1) + 2)}
    assert row[0] in times, (row[0], sorted(times))
