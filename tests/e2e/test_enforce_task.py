"""Deny and kill rules on processes, files, privileges and kernel activity on the real kernel
(docs/enforcement.md): with BPF LSM the call fails with EPERM; without it (this host) the caller
dies by SIGKILL before the result reaches its code. Each test asserts the real effect (exit by
SIGKILL or EPERM, a marker the killed program never wrote, content never read) and the alert.

Every rule is scoped to this test's own processes (a fresh /tmp/vigil-l-* directory or a unique
comm): other suites run on the same host and a signal rule acts host-wide."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from vigil_test import Agent, helper, on_cleanup, one, vigil

HELPER = "enforce_task"


def trial():
    """What the kernel really does, tried by tests/helpers/probe_trial (raw bpf(2), nothing of
    vigil): an LSM program that denies one child's exec, bpf_send_signal that is delivered."""
    p = subprocess.run([helper("probe_trial")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


_mech = None


def mech():
    """The mechanism vigil must report, from the independent trial, never from vigil's probe:
    a regressed probe that said "no LSM" would otherwise let every test pass on the fallback."""
    global _mech
    if _mech is None:
        t = trial()
        if t["bpf_lsm"]["available"]:
            _mech = "lsm"
        else:
            assert t["send_signal"]["available"], f"neither BPF LSM nor bpf_send_signal works: {t}"
            _mech = "signal"
    return _mech


def workdir():
    d = tempfile.mkdtemp(prefix="vigil-l-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def policy(d, text):
    path = os.path.join(d, "rules.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def comm(prefix):
    return prefix + uuid.uuid4().hex[:8]


def run(args, mark=None, timeout=30):
    """Runs the helper; returns (returncode, stdout). An exec refused by the kernel: (EPERM, '')."""
    env = dict(os.environ)
    if mark:
        env["VIGIL_L_MARK"] = mark
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    except PermissionError:
        return "EPERM", ""
    return p.returncode, p.stdout


def alerts(events, rule):
    return [e for e in events if e["kind"] == "alert" and e["rule"]["name"] == rule]


def policy_rule(agent, name):
    pol = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
    return one([r for r in pol["enforcement"]["rules"] if r["name"] == name], name)


def test_exec_from_directory_stopped_before_its_first_instruction():
    MECH = mech()
    d = workdir()
    prog = os.path.join(d, "vl_exec")
    shutil.copy(helper(HELPER), prog)
    mark = os.path.join(d, "mark")
    path = policy(d, f"""
rules:
  - name: no exec from the test dir
    description: enforcement test
    on: process.exec
    when: proc.exe startswith {d}/
    action: deny
""")
    with Agent("--policy", path) as agent:
        r = policy_rule(agent, "no exec from the test dir")
        assert r["mechanism"] == MECH and r["action"] == "deny" and r["mode"] == "enforce"
        assert r["hooks"] == (["lsm/bprm_check_security"] if MECH == "lsm" else ["tp_btf/sched_process_exec"])
        assert r["outcome"] == ("denied" if MECH == "lsm" else "killed")
        rc, out = run([prog, "run"], mark)
        assert rc == ("EPERM" if MECH == "lsm" else -signal.SIGKILL), rc
        assert not os.path.exists(mark), "the denied program ran its own code"
        rc2, _ = run([helper(HELPER), "run"], mark + "2")  # elsewhere: runs
        assert rc2 == 0 and os.path.exists(mark + "2")
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    ev = one(alerts(agent.events, "no exec from the test dir"), "alert")["event"]
    assert ev["kind"] == "process.exec"
    assert ev["enforcement"] == {"action": "deny", "mechanism": MECH,
                                 "outcome": "denied" if MECH == "lsm" else "killed"}
    assert ev["exec"] == {"file": prog}
    assert ev["proc"]["exe"] == prog and ev["proc"]["uid"] == 0
    if MECH == "signal":
        assert ev["proc"]["comm"] == "vl_exec"
    # enforcement ends with vigil
    rc, _ = run([prog, "run"], mark)
    assert rc == 0 and os.path.exists(mark)


def test_deep_and_long_paths_still_match_their_prefix():
    """Deeper than the 32 components the kernel keeps, or longer than its 254 bytes: the path kept
    is the top of the real one, so a startswith rule still matches and an equality rule cannot."""
    MECH = mech()
    d = workdir()
    deep = os.path.join(d, *(["a"] * 40))
    long = os.path.join(d, "b" * 120, "c" * 120)
    os.makedirs(deep)
    os.makedirs(long)
    progs = [os.path.join(deep, "vl_deep"), os.path.join(long, "vl_long")]
    kept = os.path.join(d, *(["a"] * (32 - 2)))  # /tmp and vigil-l-* are two of the 32
    for p in progs:
        shutil.copy(helper(HELPER), p)
    path = policy(d, f"""
rules:
  - name: no exec below the test dir
    description: enforcement test
    on: process.exec
    when: proc.exe startswith {d}/
    action: deny
  - name: not the kept top of the deep path
    description: the 32 components kept, compared as an equality, must not match
    on: process.exec
    when: proc.exe == {kept}
    action: deny
""")
    with Agent("--policy", path) as agent:
        for p in progs:
            mark = p + ".mark"
            rc, _ = run([p, "run"], mark)
            assert rc == ("EPERM" if MECH == "lsm" else -signal.SIGKILL), (p, rc)
            assert not os.path.exists(mark)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alerts")
        agent.stop()
    got = alerts(agent.events, "no exec below the test dir")
    assert len(got) == 2, got
    for a in got:
        assert a["event"]["path_truncated"] is True
        assert a["event"]["exec"]["file"].startswith(d + "/")
    deep_alert = one([a for a in got if a["event"]["exec"]["file"].startswith(deep[:60])
                      and "b" * 10 not in a["event"]["exec"]["file"]], "deep alert")
    assert deep_alert["event"]["exec"]["file"] == kept
    assert alerts(agent.events, "not the kept top of the deep path") == []


def test_open_of_protected_file_denied_and_never_read():
    MECH = mech()
    d = workdir()
    secret = os.path.join(d, "secret")
    content = "vlsecret" + uuid.uuid4().hex
    with open(secret, "w") as f:
        f.write(content + "\n")
    other = os.path.join(d, "other")
    with open(other, "w") as f:
        f.write("public\n")
    path = policy(d, f"""
rules:
  - name: protect the secret
    description: enforcement test
    on: file.open
    when: file.path == {secret}
    action: deny
""")
    with Agent("--policy", path) as agent:
        r = policy_rule(agent, "protect the secret")
        assert r["mechanism"] == MECH
        rc, out = run([helper(HELPER), "open", secret])
        assert content not in out, "the protected content was read"
        if MECH == "lsm":
            assert rc == 0 and out == "errno 1 EPERM\n", (rc, out)
        else:
            assert rc == -signal.SIGKILL and out == "", (rc, out)
        rc, out = run([helper(HELPER), "open", other])
        assert rc == 0 and out == "read: public\n", (rc, out)
        rc, out = run([helper(HELPER), "open", secret + "x"])  # equality, not a prefix
        assert rc == 0 and out.startswith("errno 2"), (rc, out)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    ev = one(alerts(agent.events, "protect the secret"), "alert")["event"]
    assert ev["kind"] == "file.open"
    assert ev["file"]["path"] == secret
    assert ev["file"]["open_flags"] & 3 == os.O_RDONLY
    assert ev["proc"]["comm"] == HELPER and ev["proc"]["exe"] == helper(HELPER)
    assert ev["enforcement"] == {"action": "deny", "mechanism": MECH,
                                 "outcome": "denied" if MECH == "lsm" else "killed"}


def test_setuid_root_denied_for_a_named_program():
    MECH = mech()
    d = workdir()
    bad = comm("vlsu")
    path = policy(d, f"""
rules:
  - name: no root again
    description: enforcement test
    on: priv.setuid
    when: setuid.new.uid == 0 and proc.comm == {bad}
    action: deny
""")
    with Agent("--policy", path) as agent:
        assert policy_rule(agent, "no root again")["mechanism"] == MECH
        rc, out = run([helper(HELPER), "-c", bad, "setuid"])
        assert "uid 0" not in out, "the process ran as root again"
        if MECH == "lsm":
            assert rc == 0 and out == "errno 1 EPERM\n", (rc, out)
        else:
            assert rc == -signal.SIGKILL and out == "", (rc, out)
        rc, out = run([helper(HELPER), "-c", comm("vlok"), "setuid"])  # another comm: allowed
        assert rc == 0 and out == "uid 0\n", (rc, out)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    ev = one(alerts(agent.events, "no root again"), "alert")["event"]
    assert ev["kind"] == "priv.setuid"
    assert ev["setuid"]["new"] == {"uid": 0, "euid": 0}
    assert ev["proc"]["comm"] == bad
    assert ev["enforcement"]["mechanism"] == MECH and ev["enforcement"]["action"] == "deny"


def test_bpf_program_load_denied_unless_allowed():
    MECH = mech()
    d = workdir()
    prog = os.path.join(d, "vl_bpf")
    shutil.copy(helper(HELPER), prog)
    ok, bad = comm("vlok"), comm("vlbad")
    path = policy(d, f"""
rules:
  - name: no bpf programs
    description: enforcement test
    on: kernel.bpf
    when: bpf.cmd == BPF_PROG_LOAD and proc.exe startswith {d}/ and not proc.comm in ({ok})
    action: deny
""")
    with Agent("--policy", path) as agent:
        assert policy_rule(agent, "no bpf programs")["mechanism"] == MECH
        rc, out = run([prog, "-c", bad, "bpf"])
        assert "loaded" not in out
        if MECH == "lsm":
            assert rc == 0 and out == "errno 1 EPERM\n", (rc, out)
        else:
            assert rc == -signal.SIGKILL and out == "", (rc, out)
        rc, out = run([prog, "-c", ok, "bpf"])  # on the allow-list
        assert rc == 0 and out == "loaded\n", (rc, out)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    ev = one(alerts(agent.events, "no bpf programs"), "alert")["event"]
    assert ev["kind"] == "kernel.bpf" and ev["bpf"] == {"cmd": "BPF_PROG_LOAD"}
    assert ev["proc"]["comm"] == bad and ev["proc"]["exe"] == prog


def proc_state(pid):
    """The state the process settles in: a child that has not yet run to its pause() (or to the
    SIGSTOP it has pending) is runnable for a moment, longer on a loaded host."""
    deadline = time.monotonic() + 5
    while True:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        if state != "R" or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    with open(f"/proc/{pid}/status") as f:
        tracer = [l.split()[1] for l in f if l.startswith("TracerPid:")][0]
    return state, int(tracer)


def test_ptrace_attach_denied():
    """With signal the tracer dies in ptrace(); the kernel detaches the target. PTRACE_SEIZE
    leaves the target running; PTRACE_ATTACH has already queued its SIGSTOP: the target is left
    stopped (docs/enforcement.md). With lsm both calls fail with EPERM."""
    MECH = mech()
    d = workdir()
    bad, ok = comm("vlptr"), comm("vlok")
    path = policy(d, f"""
rules:
  - name: no attaching
    description: enforcement test
    on: kernel.ptrace
    when: ptrace.request in (PTRACE_ATTACH, PTRACE_SEIZE) and proc.comm == {bad}
    action: deny
""")
    with Agent("--policy", path) as agent:
        r = policy_rule(agent, "no attaching")
        assert r["mechanism"] == MECH
        assert r["hooks"] == (["lsm/ptrace_access_check"] if MECH == "lsm" else ["syscalls/sys_enter_ptrace"])
        for how in ("seize", "attach"):
            rc, out = run([helper(HELPER), "-c", bad, "ptrace", how])
            child = int(out.split()[1])
            on_cleanup(lambda c=child: os.kill(c, signal.SIGKILL) if os.path.exists(f"/proc/{c}") else None)
            assert "attached" not in out, (how, out)
            if MECH == "lsm":
                assert rc == 0 and out.endswith("errno 1 EPERM\n"), (how, rc, out)
                continue
            assert rc == -signal.SIGKILL, (how, rc, out)
            state, tracer = proc_state(child)  # waits while the target is still runnable
            assert tracer == 0, (how, "the target is still traced")
            assert state == ("T" if how == "attach" else "S"), (how, state)
            os.kill(child, signal.SIGKILL)
        rc, out = run([helper(HELPER), "-c", ok, "ptrace", "seize"])  # another comm: attaches
        assert rc == 0 and out.endswith("attached\n"), (rc, out)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alerts")
        agent.stop()
    got = alerts(agent.events, "no attaching")
    assert len(got) == 2, got
    if MECH == "signal":
        assert sorted(a["event"]["ptrace"]["request"] for a in got) == ["PTRACE_ATTACH", "PTRACE_SEIZE"]
    for a in got:
        assert a["event"]["kind"] == "kernel.ptrace" and a["event"]["proc"]["comm"] == bad
        assert a["event"]["enforcement"] == {"action": "deny", "mechanism": MECH,
                                             "outcome": "denied" if MECH == "lsm" else "killed"}


def test_monitor_changes_nothing_and_reports():
    MECH = mech()
    d = workdir()
    prog = os.path.join(d, "vl_mon")
    shutil.copy(helper(HELPER), prog)
    mark = os.path.join(d, "mark")
    path = policy(d, f"""
rules:
  - name: watch exec
    description: enforcement test
    on: process.exec
    when: proc.exe == {prog}
    action: deny
""")
    with Agent("--policy", path, "--monitor") as agent:
        r = policy_rule(agent, "watch exec")
        assert r["mode"] == "monitor"
        assert r["outcome"] == ("would-deny" if MECH == "lsm" else "would-kill")
        rc, _ = run([prog, "run"], mark)
        assert rc == 0 and os.path.exists(mark)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    ev = one(alerts(agent.events, "watch exec"), "alert")["event"]
    assert ev["enforcement"] == {"action": "deny", "mechanism": MECH,
                                 "outcome": "would-deny" if MECH == "lsm" else "would-kill"}


def test_action_kill():
    MECH = mech()
    d = workdir()
    target = os.path.join(d, "target")
    with open(target, "w") as f:
        f.write("x\n")
    path = policy(d, f"""
rules:
  - name: kill on open
    description: enforcement test
    on: file.open
    when: file.path startswith {d}/tar
    action: kill
""")
    with Agent("--policy", path) as agent:
        r = policy_rule(agent, "kill on open")
        assert r["action"] == "kill" and r["outcome"] == "killed"
        rc, out = run([helper(HELPER), "open", target])
        assert rc == -signal.SIGKILL and "read:" not in out, (rc, out)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    ev = one(alerts(agent.events, "kill on open"), "alert")["event"]
    assert ev["enforcement"] == {"action": "kill", "mechanism": MECH, "outcome": "killed"}


def test_exempt_comm_is_never_acted_on():
    MECH = mech()
    d = workdir()
    secret = os.path.join(d, "secret")
    with open(secret, "w") as f:
        f.write("exempt-read\n")
    free, bound = comm("vlfree"), comm("vlbound")
    path = policy(d, f"""
rules:
  - name: protect the secret
    description: enforcement test
    on: file.open
    when: file.path == {secret}
    action: deny
""")
    with Agent("--policy", path, "--exempt-comm", free) as agent:
        assert policy_rule(agent, "protect the secret")["mechanism"] == MECH
        rc, out = run([helper(HELPER), "-c", free, "open", secret])
        assert rc == 0 and out == "read: exempt-read\n", (rc, out)
        rc, out = run([helper(HELPER), "-c", bound, "open", secret])
        assert "read:" not in out and rc == (0 if MECH == "lsm" else -signal.SIGKILL), (rc, out)
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    a = one(alerts(agent.events, "protect the secret"), "alert")
    assert a["event"]["proc"]["comm"] == bound


def test_vigil_itself_is_never_killed():
    """The rule denies opening the policy file, which vigil itself reopens on SIGHUP."""
    MECH = mech()
    d = workdir()
    path = os.path.join(d, "rules.yaml")
    policy(d, f"""
rules:
  - name: protect the policy
    description: enforcement test
    on: file.open
    when: file.path == {path}
    action: deny
""")
    with Agent("--policy", path) as agent:
        tgid = agent.ready["agent"]["tgid"]
        agent.proc.send_signal(signal.SIGHUP)
        agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "reloaded",
                       timeout=15, what="the reload")
        assert agent.proc.poll() is None, "vigil died"
        rc, out = run([helper(HELPER), "open", path])
        assert rc == (0 if MECH == "lsm" else -signal.SIGKILL) and "read:" not in out
        cfgs = []
        maps = subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True, text=True,
                              timeout=20)
        for m in json.loads(maps.stdout):
            if m.get("name") != "enf_task_config":
                continue
            o = subprocess.run(["bpftool", "-j", "map", "dump", "id", str(m["id"])],
                               capture_output=True, text=True, timeout=20)
            if o.returncode == 0:
                cfgs += [e["formatted"]["value"] for e in json.loads(o.stdout) if "formatted" in e]
        assert any(c["self_tgid"] == tgid and c["active"] == 1 for c in cfgs), cfgs
        agent.wait_for(lambda e: e["kind"] == "alert", timeout=15, what="the alert")
    assert all(a["event"]["proc"]["tgid"] != tgid for a in alerts(agent.events, "protect the policy"))


def test_rules_the_kernel_cannot_enforce_are_refused():
    MECH = mech()
    d = workdir()
    path = policy(d, f"""
rules:
  - name: exec by comm
    on: process.exec
    when: proc.comm == vlx
    action: deny
  - name: open or
    on: file.open
    when: file.path == {d}/a or file.path == {d}/b
    action: deny
  - name: relative
    on: file.open
    when: file.path == secret
    action: deny
  - name: any bpf
    on: kernel.bpf
    when: proc.comm == vlx
    action: deny
  - name: no modules
    on: kernel.module_load
    when: proc.comm == vlx
    action: deny
  - name: keep the file
    on: file.unlink
    when: file.path startswith {d}/
    action: deny
  - name: no mounts
    on: kernel.mount
    when: mount.target startswith {d}/
    action: kill
""")
    r = vigil("run", "--policy", path, "-d", "1")
    assert r.returncode == 1 and "nothing started" in r.stderr
    assert (f"{path}:5:11: rule 'exec by comm': action deny cannot be enforced on this kernel: proc.comm at "
            "exec is the new image's name, which the exec hook does not have yet: test proc.exe") in r.stderr, r.stderr
    assert (f"{path}:9:11: rule 'open or': action deny cannot be enforced on this kernel: 'or' (the kernel "
            "decides a conjunction: proc.uid, proc.comm, proc.exe, file.path, mount.target, setuid.new.uid/euid, "
            "bpf.cmd, ptrace.request tests joined by 'and'; see docs/enforcement.md) (--allow-degraded runs it as an alert)") in r.stderr
    assert (f"{path}:13:11: rule 'relative': action deny cannot be enforced on this kernel: file.path 'secret' "
            "is not an absolute path") in r.stderr
    assert (f"{path}:17:11: rule 'any bpf': action deny cannot be enforced on this kernel: a kernel.bpf rule "
            "the kernel enforces tests bpf.cmd == BPF_PROG_LOAD") in r.stderr, r.stderr
    if MECH == "signal":
        assert (f"{path}:19:5: rule 'no modules': action deny cannot be enforced on this kernel: deny on "
                "kernel.module_load needs BPF LSM") in r.stderr, r.stderr
    if MECH == "signal":
        assert (f"{path}:23:5: rule 'keep the file': action deny cannot be enforced on this kernel: deny on "
                "file.unlink needs BPF LSM (lsm/path_unlink, lsm/path_rmdir), which this kernel does not offer: "
                "without it there is no hook before the operation, and a kill after it cannot undo it") in r.stderr, r.stderr
        assert (f"{path}:27:5: rule 'no mounts': action kill cannot be enforced on this kernel: kill on "
                "kernel.mount needs BPF LSM (lsm/sb_mount, lsm/move_mount)") in r.stderr, r.stderr
    with Agent("--policy", path, "--allow-degraded") as agent:
        rule = policy_rule(agent, "exec by comm")
        assert rule["mechanism"] == "none" and rule["degraded"] is True
        assert rule["reason"].startswith("not enforceable: proc.comm at exec")


def test_explain_names_the_mechanism():
    MECH = mech()
    d = workdir()
    path = policy(d, f"""
rules:
  - name: no exec from the test dir
    on: process.exec
    when: proc.exe startswith {d}/
    action: deny
""")
    ex = vigil("policy", "explain", path)
    assert ex.returncode == 0, ex.stderr
    if MECH == "signal":
        want = ("  enforcement: signal (tp_btf/sched_process_exec): the caller gets SIGKILL before the "
                "result reaches its code")
    else:
        want = "  enforcement: lsm (lsm/bprm_check_security): the call fails with EPERM"
    assert want in ex.stdout, ex.stdout
