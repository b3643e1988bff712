"""The privilege sensors against the real kernel: the setuid family with the ids before and
after, capset, a refused capability check, and the setuids and capable tools."""
import os
import signal
import subprocess

import vigil_test
from vigil_test import Agent, check_invariant, helper, one, spawn

NOBODY = 65534
CAP_SYS_ADMIN = 21


def user_ns_inode():
    link = os.readlink("/proc/self/ns/user")
    return int(link[link.index("[") + 1:-1])


def tool_around(tool_args, op_args, ready_on="stdout", timeout=30):
    """Starts priv_ops OP waiting on stdin, then `vigil TOOL -p PID ...`; once the tool is ready
    lets the helper run, then stops the tool. Returns (pid, helper rc, tool stdout, stderr)."""
    op = subprocess.Popen([helper("priv_ops"), *op_args], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, env={**os.environ, "VIGIL_WAIT": "1"})
    vigil_test.on_cleanup(lambda: op.poll() is None and op.kill())
    tool = subprocess.Popen([vigil_test.VIGIL, *tool_args, "-p", str(op.pid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    vigil_test.on_cleanup(lambda: tool.poll() is None and tool.kill())
    if ready_on == "json":  # the agent.ready event
        first = tool.stdout.readline()
        assert '"agent.ready"' in first, first
    else:
        first = (tool.stdout if ready_on == "stdout" else tool.stderr).readline()
    assert first, f"the tool ended before it was ready: {tool.stderr.read()}"
    op.stdin.write("go\n")
    op.stdin.close()
    op.wait(timeout=timeout)
    tool.send_signal(signal.SIGINT)
    out, err = tool.communicate(timeout=timeout)
    assert tool.returncode == 0, f"tool exited {tool.returncode}: {err}"
    if ready_on in ("stdout", "json"):
        out = first + out
    else:
        err = first + err
    return op.pid, op.returncode, out, err


def test_setuid_family_ids_before_and_after():
    with Agent("--kind", "priv.setuid") as agent:
        pid, rc = spawn([helper("priv_ops"), "setuid"])
        assert rc == 0
    evs = agent.of("priv.setuid", tgid=pid)
    assert [e["setuid"]["syscall"] for e in evs] == ["setresgid", "setresuid", "setuid"], evs
    gid, uid, refused = (e["setuid"] for e in evs)

    assert gid["args"] == [NOBODY] * 3 and gid["ret"] == 0 and "errno" not in gid
    assert gid["old"] == {"gid": 0, "egid": 0, "sgid": 0, "fsgid": 0}
    assert gid["new"] == {"gid": NOBODY, "egid": NOBODY, "sgid": NOBODY, "fsgid": NOBODY}

    assert uid["args"] == [NOBODY] * 3 and uid["ret"] == 0
    assert uid["old"] == {"uid": 0, "euid": 0, "suid": 0, "fsuid": 0}
    assert uid["new"] == {"uid": NOBODY, "euid": NOBODY, "suid": NOBODY, "fsuid": NOBODY}

    # setuid(0) as 65534: refused, nothing changed
    assert refused["args"] == [0] and refused["ret"] == -1 and refused["errno"] == "EPERM"
    assert refused["old"] == refused["new"] == uid["new"]
    for e in evs:
        assert e["proc"]["comm"] == "priv_ops"
        assert e["proc"]["exe"] == os.path.realpath(helper("priv_ops"))
    check_invariant(agent.stats)
    assert agent.stats["priv.setuid"]["lost"] == 0


def test_capset_drops_effective_capability():
    with Agent("--kind", "priv.capset") as agent:
        pid, rc = spawn([helper("priv_ops"), "capset"])
        assert rc == 0
    ev = one(agent.of("priv.capset", tgid=pid), "capset")["capset"]
    assert ev["ret"] == 0
    old_eff, new_eff = int(ev["old"]["effective"], 16), int(ev["new"]["effective"], 16)
    assert old_eff & (1 << CAP_SYS_ADMIN) and not new_eff & (1 << CAP_SYS_ADMIN)
    assert old_eff & ~(1 << CAP_SYS_ADMIN) == new_eff
    assert ev["old"]["permitted"] == ev["new"]["permitted"]
    assert ev["effective_dropped"] == ["CAP_SYS_ADMIN"] and ev["effective_added"] == []
    check_invariant(agent.stats)


def test_refused_capability_check():
    with Agent("--kind", "priv.capable", "-c", "priv_ops") as agent:
        pid, rc = spawn([helper("priv_ops"), "capable"])
        assert rc == 0
    evs = [e["capable"] for e in agent.of("priv.capable", tgid=pid)]
    refused = [e for e in evs if not e["granted"]]
    # as 65534: sethostname's check, CAP_SYS_ADMIN in the initial user namespace; the mmap's
    # silent overcommit probe before it is dropped in the kernel (the agent reports audited ones)
    base = {"cap": CAP_SYS_ADMIN, "name": "CAP_SYS_ADMIN", "granted": False, "ret": -1,
            "user_ns": user_ns_inode(), "cred_euid": NOBODY}
    assert refused == [{**base, "audit": True}], refused
    assert all(e["audit"] is True for e in evs), evs
    # the drop itself needed CAP_SETGID then CAP_SETUID, both granted to root
    names = [e["name"] for e in evs if e["granted"]]
    assert names.index("CAP_SETGID") < names.index("CAP_SETUID"), names
    check_invariant(agent.stats)

    # with --all the silent probe comes too, told apart by its audit flag
    pid, rc, out, _ = tool_around(["capable", "--all", "--json"], ["capable"], ready_on="json")
    assert rc == 0
    evs = [e["capable"] for e in vigil_test.parse_jsonl(out) if e["kind"] == "priv.capable"]
    refused = [e for e in evs if not e["granted"]]
    assert refused == [{**base, "audit": False}, {**base, "audit": True}], refused


def test_setuids_tool_rows():
    pid, rc, out, _ = tool_around(["setuids"], ["setuid"])
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split() == ["TIME", "PID", "COMM", "UID", "SYSCALL", "ARGS", "RET"], lines[0]
    rows = [line.split() for line in lines[1:]]
    # -p filtered in the kernel: only the helper's three calls
    assert [r[1:] for r in rows] == [
        [str(pid), "priv_ops", "0", "setresgid", "65534,65534,65534", "0"],
        [str(pid), "priv_ops", "0", "setresuid", "65534,65534,65534", "0"],
        [str(pid), "priv_ops", "65534", "setuid", "0", "-1", "EPERM"],
    ], out


def test_capable_tool_rows():
    pid, rc, out, _ = tool_around(["capable"], ["capable"])
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split() == ["TIME", "UID", "PID", "COMM", "CAP", "NAME", "AUDIT", "VERDICT"]
    rows = [line.split() for line in lines[1:]]
    assert all(r[2] == str(pid) and r[3] == "priv_ops" for r in rows), out
    # without --all only the audited checks: the silent mmap probe is left out
    assert all(r[6] == "1" for r in rows), out
    denied = [r for r in rows if r[-1] == "deny"]
    assert [r[1:] for r in denied] == [["65534", str(pid), "priv_ops", "21", "CAP_SYS_ADMIN", "1",
                                        "deny"]], out
    assert ["0", str(pid), "priv_ops", "7", "CAP_SETUID", "1", "allow"] in [r[1:] for r in rows]

    pid, rc, out, _ = tool_around(["capable", "--all"], ["capable"])
    denied = [line.split()[1:] for line in out.splitlines()[1:] if line.endswith("deny")]
    assert denied == [["65534", str(pid), "priv_ops", "21", "CAP_SYS_ADMIN", "0", "deny"],
                      ["65534", str(pid), "priv_ops", "21", "CAP_SYS_ADMIN", "1", "deny"]], out
