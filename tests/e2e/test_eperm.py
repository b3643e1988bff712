"""syscall.denied and `vigil eperm`: EPERM and EACCES failures counted in the kernel, exactly."""
import os
import signal
import subprocess
import tempfile
import time

import vigil_test
from vigil_test import Agent, check_invariant, helper, spawn

EPERM_N = 37    # refused sethostname calls
EACCES_N = 5    # refused opens


def root_only_file():
    """A file that 65534 may not open (EACCES): inside a 0700 directory owned by root."""
    d = tempfile.mkdtemp(prefix="vigil-eacces-")
    os.chmod(d, 0o700)
    path = os.path.join(d, "secret")
    with open(path, "w") as f:
        f.write("x")
    vigil_test.on_cleanup(lambda: (os.unlink(path), os.rmdir(d)))
    return path


def test_denied_events_carry_exact_counts():
    path = root_only_file()
    with Agent("--kind", "syscall.denied") as agent:
        pid, rc = spawn([helper("priv_ops"), "eperm", str(EPERM_N), str(EACCES_N), path])
        assert rc == 0
    evs = [e["denied"] for e in agent.of("syscall.denied", tgid=pid)]
    perm = [e for e in evs if e["syscall"] == "sethostname"]
    acc = [e for e in evs if e["syscall"] == "openat"]
    assert len(perm) + len(acc) == len(evs), evs
    # an event at the 1st, 2nd, 4th, 8th ... failure, each with the exact count so far
    assert [e["count"] for e in perm] == [1, 2, 4, 8, 16, 32], perm
    assert all(e["errno"] == "EPERM" and e["compat"] is False for e in perm)
    assert [e["count"] for e in acc] == [1, 2, 4], acc
    assert all(e["errno"] == "EACCES" and e["nr"] == acc[0]["nr"] for e in acc)
    for e in agent.of("syscall.denied", tgid=pid):
        assert e["proc"]["comm"] == "priv_ops"
    check_invariant(agent.stats)


def test_eperm_tool_counts_exactly():
    path = root_only_file()
    op = subprocess.Popen([helper("priv_ops"), "eperm", str(EPERM_N), str(EACCES_N), path],
                          stdin=subprocess.PIPE, text=True, env={**os.environ, "VIGIL_WAIT": "1"})
    vigil_test.on_cleanup(lambda: op.poll() is None and op.kill())
    tool = subprocess.Popen([vigil_test.VIGIL, "eperm", "-p", str(op.pid), "-i", "0.3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    vigil_test.on_cleanup(lambda: tool.poll() is None and tool.kill())
    ready = tool.stderr.readline()
    assert ready.startswith("Counting syscalls that fail with EPERM or EACCES"), ready
    op.communicate("go\n", timeout=30)
    assert op.returncode == 0
    time.sleep(0.8)  # at least two intervals
    tool.send_signal(signal.SIGINT)
    out, err = tool.communicate(timeout=30)
    assert tool.returncode == 0, err
    tables = [t for t in out.split("\n\n") if t.strip()]
    assert len(tables) >= 2, out  # every --interval, and once more at exit
    last = tables[-1].splitlines()
    assert last[0].endswith(" 2 process/syscall pairs denied"), last
    assert last[1].split() == ["PID", "COMM", "UID", "SYSCALL", "ERRNO", "COUNT"]
    # largest first; -p filtered in the kernel
    assert [r.split() for r in last[2:]] == [
        [str(op.pid), "priv_ops", "65534", "sethostname", "EPERM", str(EPERM_N)],
        [str(op.pid), "priv_ops", "65534", "openat", "EACCES", str(EACCES_N)],
    ], last
