"""vigil sandbox and vigil seccomp record, against the real kernel: every action's real effect,
the notification supervisor's decisions, Landlock, Docker's default profile, recorded profiles
that really run their command again, and the malformed-profile corpus."""
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile

import vigil_test
from vigil_test import Skip, helper, marker, on_cleanup, parse_jsonl, vigil


def VIGIL():
    return vigil_test.VIGIL

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "seccomp")
SIGSYS = signal.SIGSYS


def tmpdir():
    d = tempfile.mkdtemp(prefix="vigil-sb-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def write_profile(d, profile, name="p.json"):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        json.dump(profile, f)
    return path


def one_rule(action, names, **extra):
    rule = {"names": names, "action": action}
    rule.update(extra)
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule]}


def sandbox(d, profile, *cmd, opts=(), timeout=60):
    """Runs cmd under the profile; returns (CompletedProcess, events written)."""
    path = profile if isinstance(profile, str) else write_profile(d, profile)
    events = os.path.join(d, f"events-{marker()}.jsonl")
    r = vigil("sandbox", "--profile", path, "-o", events, *opts, "--", *cmd, timeout=timeout)
    evs = []
    if os.path.exists(events):
        with open(events) as f:
            evs = parse_jsonl(f.read(), events)
    return r, evs


def result_of(stdout):
    """The helper's "ret=R errno=E" line."""
    for line in stdout.splitlines():
        if line.startswith("ret="):
            ret, err = line.split()
            return int(ret[4:]), int(err[6:])
    raise AssertionError(f"no result line in {stdout!r}")


def violations(evs, name):
    return [e for e in evs if e["kind"] == "seccomp.violation" and e["syscall"]["name"] == name]


def the_violation(evs, name, action):
    vs = violations(evs, name)
    assert len(vs) == 1, f"expected one {name} violation, got {vs} (all events: {evs})"
    v = vs[0]
    assert v["action"] == action, v
    assert v["syscall"]["arch"] == "SCMP_ARCH_X86_64" or os.uname().machine != "x86_64", v
    assert v["proc"]["exe"].endswith("/sandbox_call"), v
    assert v["proc"]["comm"] == "sandbox_call", v
    return v


# ---- each action's real effect ----

def test_action_errno_returns_the_profiles_errno():
    d = tmpdir()
    r, evs = sandbox(d, one_rule("SCMP_ACT_ERRNO", ["getpriority"], errnoRet=errno.EXFULL),
                     helper("sandbox_call"), "call", "getpriority")
    assert r.returncode == 0, r.stderr
    assert result_of(r.stdout) == (-1, errno.EXFULL)
    v = the_violation(evs, "getpriority", "SCMP_ACT_ERRNO")
    assert v["errno"] == errno.EXFULL and v["errno_name"] == "EXFULL", v
    # a syscall the profile allows is untouched
    r, evs = sandbox(d, one_rule("SCMP_ACT_ERRNO", ["getpriority"], errnoRet=errno.EXFULL),
                     helper("sandbox_call"), "call", "getpgid")
    assert result_of(r.stdout)[1] == 0
    assert not evs


def test_action_kill_process_kills_with_sigsys():
    d = tmpdir()
    r, evs = sandbox(d, one_rule("SCMP_ACT_KILL_PROCESS", ["getpriority"]),
                     helper("sandbox_call"), "call", "getpriority")
    assert r.returncode == 128 + SIGSYS, (r.returncode, r.stderr)
    assert r.stdout == "before\n", r.stdout  # died in the call: no result line
    v = the_violation(evs, "getpriority", "SCMP_ACT_KILL_PROCESS")
    assert v["signal"] == "SIGSYS", v


def test_action_kill_thread_kills_with_sigsys():
    d = tmpdir()
    r, evs = sandbox(d, one_rule("SCMP_ACT_KILL", ["getpriority"]),
                     helper("sandbox_call"), "call", "getpriority")
    # the only thread died, so the process did, by SIGSYS
    assert r.returncode == 128 + SIGSYS, (r.returncode, r.stderr)
    assert r.stdout == "before\n", r.stdout
    the_violation(evs, "getpriority", "SCMP_ACT_KILL_THREAD")


def test_action_kill_thread_kills_only_the_calling_thread():
    """A process of three threads: the one that makes the call dies by SIGSYS in it (it never
    returns), the worker goes on counting, and the main thread finishes with status 0."""
    d = tmpdir()
    r, evs = sandbox(d, one_rule("SCMP_ACT_KILL_THREAD", ["getpriority"]),
                     helper("sandbox_call"), "thread", "getpriority")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)  # the process was not killed
    line = [x for x in r.stdout.splitlines() if x.startswith("thread-returned=")]
    assert len(line) == 1, r.stdout
    fields = dict(kv.split("=") for kv in line[0].split())
    assert fields["thread-returned"] == "0", line  # the calling thread died in the call
    before, after = map(int, fields["worker-ticks"].split(","))
    assert before > 0 and after > before, line  # the other thread kept running after the kill
    v = the_violation(evs, "getpriority", "SCMP_ACT_KILL_THREAD")
    assert v["signal"] == "SIGSYS", v


def test_action_trap_delivers_sigsys():
    d = tmpdir()
    r, evs = sandbox(d, one_rule("SCMP_ACT_TRAP", ["getpriority"]),
                     helper("sandbox_call"), "trap", "getpriority")
    assert r.returncode == 0, r.stderr
    line = [x for x in r.stdout.splitlines() if x.startswith("sigsys ")]
    assert line, r.stdout
    fields = dict(kv.split("=") for kv in line[0].split()[1:])
    assert fields["syscall"] == fields["expected"], line  # the handler saw the trapped syscall
    assert fields["code"] == "1", line  # SYS_SECCOMP
    the_violation(evs, "getpriority", "SCMP_ACT_TRAP")


def test_action_log_logs_and_allows():
    d = tmpdir()
    r, evs = sandbox(d, one_rule("SCMP_ACT_LOG", ["getpriority"]),
                     helper("sandbox_call"), "call", "getpriority")
    assert r.returncode == 0, r.stderr
    ret, err = result_of(r.stdout)
    assert err == 0 and ret >= 0, r.stdout  # the call really ran
    the_violation(evs, "getpriority", "SCMP_ACT_LOG")


def test_action_trace_without_tracer_is_enosys():
    d = tmpdir()
    r, evs = sandbox(d, one_rule("SCMP_ACT_TRACE", ["getpriority"], errnoRet=7),
                     helper("sandbox_call"), "call", "getpriority")
    assert r.returncode == 0, r.stderr
    assert result_of(r.stdout) == (-1, errno.ENOSYS)  # the kernel's answer when no tracer waits
    the_violation(evs, "getpriority", "SCMP_ACT_TRACE")


def tracer_line(stdout):
    line = [x for x in stdout.splitlines() if x.startswith("tracer ")]
    assert len(line) == 1, f"the tracer saw no seccomp stop: {stdout!r}"
    return dict(kv.split("=") for kv in line[0].split()[1:])


def test_action_trace_with_a_tracer():
    """SCMP_ACT_TRACE with a real tracer (sandbox_call traced: it ptraces its own child with
    PTRACE_O_TRACESECCOMP). The tracer stops at the call with the profile's errnoRet as the event
    message; if it lets the call go on, the call really runs, and the kernel records nothing (it
    logs a TRACE only when the call is skipped or no tracer waits); if it skips the call, the
    child gets the tracer's answer and the kernel's record names syscall -1, the number the
    tracer left."""
    d = tmpdir()
    nr = 140 if os.uname().machine == "x86_64" else None
    r, evs = sandbox(d, one_rule("SCMP_ACT_TRACE", ["getpriority"], errnoRet=7),
                     helper("sandbox_call"), "traced", "getpriority")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    t = tracer_line(r.stdout)
    assert t["stop"] == "seccomp" and t["msg"] == "7", t  # errnoRet reaches the tracer
    if nr is not None:
        assert t["syscall"] == t["expected"] == str(nr), t
    ret, err = result_of(r.stdout)
    assert err == 0 and 1 <= ret <= 40, r.stdout  # getpriority's own answer (20 - nice), not ENOSYS
    assert not violations(evs, "getpriority"), evs
    if nr is None:
        return
    r, evs = sandbox(d, one_rule("SCMP_ACT_TRACE", ["getpriority"], errnoRet=9),
                     helper("sandbox_call"), "traced", "getpriority", "skip")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert tracer_line(r.stdout)["msg"] == "9"
    assert result_of(r.stdout) == (4242, 0), r.stdout  # the tracer answered for the call
    one_violation = [e for e in evs if e["kind"] == "seccomp.violation"]
    assert len(one_violation) == 1, evs
    v = one_violation[0]
    assert v["action"] == "SCMP_ACT_TRACE" and v["syscall"]["nr"] == -1, v
    assert v["proc"]["comm"] == "sandbox_call", v


# ---- the notification supervisor ----

def notify_open_profile():
    return {"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["open", "openat"], "action": "SCMP_ACT_NOTIFY"}]}


def test_notify_denies_an_open_under_a_protected_path_and_allows_another():
    d = tmpdir()
    secret, public = os.path.join(d, "secret"), os.path.join(d, "public")
    os.mkdir(secret)
    os.mkdir(public)
    for p in (os.path.join(secret, "key"), os.path.join(public, "data")):
        with open(p, "w") as f:
            f.write("x")
    prof = write_profile(d, notify_open_profile())
    deny = ("--deny-path", secret)

    r, evs = sandbox(d, prof, helper("sandbox_call"), "open", os.path.join(secret, "key"), opts=deny)
    assert r.returncode == 0, r.stderr
    assert result_of(r.stdout) == (-1, errno.EACCES)
    mine = [e for e in evs if e["kind"] == "seccomp.notify" and e.get("path") == os.path.join(secret, "key")]
    assert len(mine) == 1, evs
    e = mine[0]
    assert e["decision"] == "deny" and e["errno"] == errno.EACCES and e["errno_name"] == "EACCES", e
    assert e["rule"] == f"--deny-path {secret}", e
    assert e["syscall"]["name"] == "openat" and e["answered"] is True, e
    assert e["proc"]["comm"] == "sandbox_call", e

    r, evs = sandbox(d, prof, helper("sandbox_call"), "open", os.path.join(public, "data"), opts=deny)
    ret, err = result_of(r.stdout)
    assert err == 0 and ret >= 0, r.stdout
    e = [e for e in evs if e["kind"] == "seccomp.notify" and e.get("path") == os.path.join(public, "data")]
    assert len(e) == 1 and e[0]["decision"] == "allow", evs

    # a way around by "..": the folded path is what is judged
    sneaky = os.path.join(public, "..", "secret", "key")
    r, evs = sandbox(d, prof, helper("sandbox_call"), "open", sneaky, opts=deny)
    assert result_of(r.stdout) == (-1, errno.EACCES)

    # a way around by symlink: where it leads now is judged too
    link = os.path.join(public, "link")
    os.symlink(os.path.join(secret, "key"), link)
    r, evs = sandbox(d, prof, helper("sandbox_call"), "open", link, opts=deny)
    assert result_of(r.stdout) == (-1, errno.EACCES)
    e = [e for e in evs if e["kind"] == "seccomp.notify" and e.get("path") == link]
    assert e and e[0]["real_path"] == os.path.join(secret, "key"), evs


def test_notify_relative_paths_resolve_against_cwd():
    d = tmpdir()
    os.mkdir(os.path.join(d, "secret"))
    with open(os.path.join(d, "secret", "key"), "w") as f:
        f.write("x")
    prof = write_profile(d, notify_open_profile())
    r, evs = sandbox(d, prof, "sh", "-c", f"cd {d} && exec {helper('sandbox_call')} open secret/key",
                     opts=("--deny-path", os.path.join(d, "secret")))
    assert result_of(r.stdout) == (-1, errno.EACCES), (r.stdout, r.stderr)
    assert any(e.get("path") == os.path.join(d, "secret", "key") and e["decision"] == "deny"
               for e in evs), evs


def test_notify_denies_a_connect_by_address():
    d = tmpdir()
    listeners = []
    for _ in range(2):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        listeners.append(s)
        on_cleanup(s.close)
    bad, good = (s.getsockname()[1] for s in listeners)
    prof = write_profile(d, {"defaultAction": "SCMP_ACT_ALLOW",
                             "syscalls": [{"names": ["connect"], "action": "SCMP_ACT_NOTIFY"}]})
    opts = ("--deny-connect", f"127.0.0.1:{bad}")
    r, evs = sandbox(d, prof, helper("sandbox_call"), "connect", "127.0.0.1", str(bad), opts=opts)
    assert result_of(r.stdout) == (-1, errno.EPERM), r.stdout
    e = [e for e in evs if e["kind"] == "seccomp.notify"]
    assert len(e) == 1, evs
    assert e[0]["address"] == {"family": "inet", "addr": "127.0.0.1", "port": bad}, e
    assert e[0]["decision"] == "deny" and e[0]["rule"] == f"--deny-connect 127.0.0.1:{bad}", e
    r, evs = sandbox(d, prof, helper("sandbox_call"), "connect", "127.0.0.1", str(good), opts=opts)
    assert result_of(r.stdout) == (0, 0), r.stdout
    assert [e["decision"] for e in evs if e["kind"] == "seccomp.notify"] == ["allow"], evs


def test_notify_keeps_up_with_many_threads():
    d = tmpdir()
    secret, public = os.path.join(d, "secret"), os.path.join(d, "public")
    os.mkdir(secret)
    os.mkdir(public)
    for i in range(20):
        for p in (secret, public):
            with open(os.path.join(p, f"f{i}"), "w") as f:
                f.write("x")
    code = f"""
import os, threading
results = []
def work(n):
    for i in range(20):
        for where in ({secret!r}, {public!r}):
            try:
                os.close(os.open(os.path.join(where, f"f{{i}}"), os.O_RDONLY))
                results.append((where, "ok"))
            except PermissionError:
                results.append((where, "EACCES"))
ts = [threading.Thread(target=work, args=(n,)) for n in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(set(results)), len(results))
"""
    r, evs = sandbox(d, notify_open_profile(), "python3", "-c", code, opts=("--deny-path", secret))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"[({public!r}, 'ok'), ({secret!r}, 'EACCES')] 320\n", r.stdout
    denied = [e for e in evs if e["kind"] == "seccomp.notify" and e["decision"] == "deny"]
    allowed = [e for e in evs if e["kind"] == "seccomp.notify" and e.get("path", "").startswith(public + "/")]
    assert len(denied) == 160 and len(allowed) == 160, (len(denied), len(allowed))
    assert len({e["proc"]["tid"] for e in denied}) > 1  # from several threads
    assert all(e["answered"] for e in denied + allowed)


def test_policy_without_notify_rules_warns():
    d = tmpdir()
    r, _ = sandbox(d, {"defaultAction": "SCMP_ACT_ALLOW"}, "true", opts=("--deny-path", "/etc"))
    assert r.returncode == 0
    assert "--deny-path/--deny-connect have no effect" in r.stderr, r.stderr


# ---- Landlock ----

def test_landlock_blocks_a_write_outside_the_allowed_tree():
    d = tmpdir()
    inside, outside = os.path.join(d, "inside"), os.path.join(d, "outside")
    os.mkdir(inside)
    os.mkdir(outside)
    ro = [p for p in ("/usr", "/lib", "/lib64", "/bin", "/etc") if os.path.exists(p)]
    ro.append(os.path.dirname(helper("sandbox_call")))
    opts = [x for p in ro for x in ("--landlock-ro", p)] + ["--landlock-rw", inside]
    allow_all = {"defaultAction": "SCMP_ACT_ALLOW"}
    r, _ = sandbox(d, allow_all, helper("sandbox_call"), "write", os.path.join(inside, "ok"), opts=opts)
    assert result_of(r.stdout) == (3, 0), (r.stdout, r.stderr)
    assert open(os.path.join(inside, "ok")).read() == "x\n"
    r, _ = sandbox(d, allow_all, helper("sandbox_call"), "write", os.path.join(outside, "no"), opts=opts)
    assert result_of(r.stdout) == (-1, errno.EACCES), (r.stdout, r.stderr)
    assert not os.path.exists(os.path.join(outside, "no"))
    # read-only paths stay readable, not writable
    r, _ = sandbox(d, allow_all, helper("sandbox_call"), "open", "/etc/hostname", opts=opts)
    assert result_of(r.stdout)[1] == 0
    r, _ = sandbox(d, allow_all, helper("sandbox_call"), "write", "/etc/vigil-landlock-test", opts=opts)
    assert result_of(r.stdout) == (-1, errno.EACCES)
    assert not os.path.exists("/etc/vigil-landlock-test")


def test_landlock_bad_path_runs_nothing():
    d = tmpdir()
    mark = os.path.join(d, "ran")
    r, _ = sandbox(d, {"defaultAction": "SCMP_ACT_ALLOW"}, "touch", mark,
                   opts=("--landlock-ro", os.path.join(d, "missing")))
    assert r.returncode == 2, r
    assert r.stderr == f"vigil: --landlock-ro {d}/missing: No such file or directory\n", r.stderr
    assert not os.path.exists(mark)


# ---- Docker's default profile ----

def test_docker_default_runs_everyday_commands():
    d = tmpdir()
    prof = os.path.join(FIXTURES, "docker-default.json")
    r, evs = sandbox(d, prof, "sh", "-c", "ls / >/dev/null && echo sh-and-ls-ok")
    assert r.returncode == 0 and r.stdout == "sh-and-ls-ok\n", (r.returncode, r.stdout, r.stderr)
    r, _ = sandbox(d, prof, "tar", "cf", os.path.join(d, "a.tar"), "-C", FIXTURES, "malformed")
    assert r.returncode == 0, r.stderr
    assert len(tarfile.open(os.path.join(d, "a.tar")).getnames()) > 40
    r, _ = sandbox(d, prof, "python3", "-c", "import json; print(json.dumps([6 * 7]))")
    assert r.returncode == 0 and r.stdout == "[42]\n", (r.stdout, r.stderr)
    # and what it leaves out is refused with its defaultErrnoRet (EPERM)
    r, evs = sandbox(d, prof, helper("sandbox_call"), "call", "keyctl")
    assert result_of(r.stdout) == (-1, errno.EPERM)
    assert the_violation(evs, "keyctl", "SCMP_ACT_ERRNO")["errno"] == errno.EPERM


def test_docker_default_follows_the_capabilities():
    """Without CAP_SYS_ADMIN (dropped from the bounding set, so the exec'd vigil lacks it) the
    capability-gated rules are out: unshare is refused, clone3 answers ENOSYS and the C library
    falls back to clone, whose flags carry no namespace."""
    if not shutil.which("setpriv"):
        raise Skip("setpriv not installed")
    d = tmpdir()
    prof = os.path.join(FIXTURES, "docker-default.json")
    events = os.path.join(d, "caps.jsonl")
    drop = ["setpriv", "--bounding-set", "-sys_admin"]
    r = subprocess.run(drop + [VIGIL(), "sandbox", "--profile", prof, "-o", events, "--",
                               "unshare", "-n", "true"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "unshare failed: Operation not permitted" in r.stderr, r
    code = "import threading; t = threading.Thread(target=print, args=('in a thread',)); t.start(); t.join()"
    r = subprocess.run(drop + [VIGIL(), "sandbox", "--profile", prof, "-o", events, "--",
                               "python3", "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "in a thread\n", r
    with open(events) as f:
        evs = parse_jsonl(f.read(), events)
    unshare = [e for e in evs if e["syscall"]["name"] == "unshare"]
    assert unshare and unshare[0]["errno"] == errno.EPERM, evs
    clone3 = [e for e in evs if e["syscall"]["name"] == "clone3"]
    assert clone3 and clone3[0]["errno"] == errno.ENOSYS and clone3[0]["proc"]["comm"] == "python3", evs
    # with CAP_SYS_ADMIN the same profile lets unshare through
    r = vigil("sandbox", "--profile", prof, "--", "unshare", "-n", "true")
    assert r.returncode == 0, r


# ---- the recorder ----

def make_tree(d):
    src = os.path.join(d, "tree")
    os.makedirs(os.path.join(src, "sub", "deeper"))
    for i, p in enumerate(("a.txt", "sub/b.txt", "sub/deeper/c.bin")):
        with open(os.path.join(src, p), "w") as f:
            f.write(f"{p} {i}\n" * 100)
    return src


def names_in(profile_path):
    with open(profile_path) as f:
        p = json.load(f)
    assert p["defaultAction"] == "SCMP_ACT_ERRNO", p
    return p, p["syscalls"][0]["names"]


def test_record_tar_then_enforce_then_break_it():
    d = tmpdir()
    src = make_tree(d)
    prof = os.path.join(d, "tar.json")
    r = vigil("seccomp", "record", "-o", prof, "--", "tar", "cf", os.path.join(d, "rec.tar"), "-C", src, ".")
    assert r.returncode == 0, r.stderr
    assert "vigil: recorded " in r.stderr and "profile " + prof + " written" in r.stderr, r.stderr
    p, names = names_in(prof)
    for needed in ("execve", "openat", "getdents64", "write", "exit_group"):
        assert needed in names, (needed, names)
    assert names == sorted(names) and len(names) < 80, names  # minimal, not everything

    out = os.path.join(d, "enforced.tar")
    r, evs = sandbox(d, prof, "tar", "cf", out, "-C", src, ".")
    assert r.returncode == 0, r.stderr
    assert not [e for e in evs if e["kind"] == "seccomp.violation"], evs
    assert sorted(tarfile.open(out).getnames()) == sorted(tarfile.open(os.path.join(d, "rec.tar")).getnames())

    # without getdents64 tar cannot list the directory: it fails with the profile's errno
    p["syscalls"][0]["names"].remove("getdents64")
    p["defaultErrnoRet"] = errno.EREMOTEIO
    broken = write_profile(d, p, "broken.json")
    r, evs = sandbox(d, broken, "tar", "cf", os.path.join(d, "broken.tar"), "-C", src, ".")
    assert r.returncode != 0, r
    assert os.strerror(errno.EREMOTEIO) in r.stderr, r.stderr
    v = [e for e in evs if e["kind"] == "seccomp.violation" and e["syscall"]["name"] == "getdents64"]
    assert v and v[0]["errno"] == errno.EREMOTEIO and v[0]["proc"]["comm"] == "tar", evs


def test_record_python_then_enforce():
    d = tmpdir()
    src = make_tree(d)
    code = f"import json, os, hashlib; print(json.dumps(sorted(os.listdir({src!r}))), hashlib.sha256(b'x').hexdigest()[:8])"
    prof = os.path.join(d, "py.json")
    rec = vigil("seccomp", "record", "-o", prof, "--", "python3", "-c", code)
    assert rec.returncode == 0, rec.stderr
    r, evs = sandbox(d, prof, "python3", "-c", code)
    assert r.returncode == 0, r.stderr
    assert r.stdout == rec.stdout and "a.txt" in r.stdout, (r.stdout, rec.stdout)
    assert not [e for e in evs if e["kind"] == "seccomp.violation"], evs


def test_record_covers_descendants_and_append_merges():
    d = tmpdir()
    prof = os.path.join(d, "sh.json")
    # the syscall is made by a grandchild of the recorded command only
    r = vigil("seccomp", "record", "-o", prof, "--", "sh", "-c",
              f"{helper('sandbox_call')} call getpriority >/dev/null; true")
    assert r.returncode == 0, r.stderr
    _, names = names_in(prof)
    assert "getpriority" in names and "sched_yield" not in names, names
    r = vigil("seccomp", "record", "-o", prof, "--append", "--", helper("sandbox_call"), "call", "sched_yield")
    assert r.returncode == 0 and "updated" in r.stderr, r.stderr
    _, merged = names_in(prof)
    assert "getpriority" in merged and "sched_yield" in merged, merged
    assert set(names) <= set(merged) and merged == sorted(merged)


def test_record_covers_32bit_calls():
    if os.uname().machine != "x86_64":
        raise Skip("the i386 entry is an x86-64 feature")
    # Without any filter first: a kernel built or booted without IA32 emulation (ia32_emulation=0)
    # answers int 0x80 with a fault, and there is no 32-bit call to record or filter
    bare = subprocess.run([helper("sandbox_call"), "int80", "getpid"], capture_output=True, text=True)
    if bare.returncode == -signal.SIGSEGV:
        raise Skip("this kernel has no i386 syscall entry: int 0x80 faults (SIGSEGV) without any filter")
    assert bare.returncode == 0, bare
    d = tmpdir()
    prof = os.path.join(d, "int80.json")
    r = vigil("seccomp", "record", "-o", prof, "--", helper("sandbox_call"), "int80", "getpid")
    assert r.returncode == 0, r.stderr
    p, names = names_in(prof)
    assert p["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], p["architectures"]
    assert "getpid" in names, names
    r, evs = sandbox(d, prof, helper("sandbox_call"), "int80", "getpid")
    assert r.returncode == 0, r
    ret = [ln for ln in r.stdout.splitlines() if ln.startswith("ret=")][0]
    assert ret.split()[0][4:] == ret.split()[2][4:], ret  # getpid through int 0x80 really ran
    assert not evs, evs
    # without the i386 architecture the filter kills the call (libseccomp's bad-arch action)
    p["architectures"] = ["SCMP_ARCH_X86_64"]
    r, evs = sandbox(d, write_profile(d, p, "native-only.json"), helper("sandbox_call"), "int80", "getpid")
    assert r.returncode == 128 + SIGSYS, r
    v = [e for e in evs if e["kind"] == "seccomp.violation"]
    assert len(v) == 1 and v[0]["compat"] is True and v[0]["syscall"]["arch"] == "SCMP_ARCH_X86", evs
    assert v[0]["syscall"]["name"] == "getpid" and v[0]["action"] == "SCMP_ACT_KILL_THREAD", v


def test_record_exit_status_and_bad_append_file():
    d = tmpdir()
    prof = os.path.join(d, "f.json")
    r = vigil("seccomp", "record", "-o", prof, "--", "sh", "-c", "exit 3")
    assert r.returncode == 3, r
    assert os.path.exists(prof)
    missing = os.path.join(d, "never.json")
    r = vigil("seccomp", "record", "-o", missing, "--", "/nonexistent/cmd")
    assert r.returncode == 127, r
    assert r.stderr == "vigil: cannot run '/nonexistent/cmd': No such file or directory; no profile written\n", r.stderr
    assert not os.path.exists(missing)
    bad = os.path.join(FIXTURES, "malformed", "10-unknown-op.json")
    r = vigil("seccomp", "record", "-o", bad, "--append", "--", "true")
    assert r.returncode == 2, r
    assert r.stderr.startswith(f"vigil: --append: {bad}: syscalls[3].args[0].op: unknown operator"), r.stderr


# ---- bad input: nothing runs ----

def test_malformed_corpus_gives_exact_errors_and_runs_nothing():
    d = tmpdir()
    mark = os.path.join(d, "ran")
    cases = sorted(f for f in os.listdir(os.path.join(FIXTURES, "malformed")) if f.endswith(".json"))
    assert len(cases) >= 20
    for case in cases:
        path = os.path.join(FIXTURES, "malformed", case)
        with open(path[:-5] + ".expected") as f:
            expected = f.read().rstrip("\n")
        r = vigil("sandbox", "--profile", path, "--", "touch", mark)
        assert r.returncode == 2, (case, r.returncode, r.stderr)
        assert r.stderr == f"vigil: {path}: {expected}\n", (case, r.stderr)
        assert not os.path.exists(mark), case


def test_unknown_syscall_refused_or_left_out_on_request():
    d = tmpdir()
    prof = write_profile(d, {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getpriority", "syscall_from_the_future"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]})
    r, _ = sandbox(d, prof, helper("sandbox_call"), "call", "getpriority")
    assert r.returncode == 2 and r.stdout == "", r
    assert r.stderr == f"vigil: {prof}: syscalls[0].names[1]: unknown syscall 'syscall_from_the_future'\n", r.stderr
    r, _ = sandbox(d, prof, helper("sandbox_call"), "call", "getpriority", opts=("--skip-unknown-syscalls",))
    assert r.stderr.startswith(f"vigil: warning: {prof}: syscalls[0].names[1] 'syscall_from_the_future': "
                               "unknown to this libseccomp, left out\n"), r.stderr
    assert result_of(r.stdout) == (-1, errno.EIO)  # the rest of the rule still holds


def test_usage_errors():
    r = vigil("sandbox", "--", "true")
    assert r.returncode == 2 and "--profile is required" in r.stderr, r.stderr
    r = vigil("sandbox", "--profile", os.path.join(FIXTURES, "docker-default.json"))
    assert r.returncode == 2 and "no command given" in r.stderr, r.stderr
    r = vigil("sandbox", "--profile", "/nonexistent.json", "--", "true")
    assert r.returncode == 2 and r.stderr == "vigil: /nonexistent.json: No such file or directory\n", r.stderr
    r = vigil("sandbox", "--profile", "x.json", "--deny-connect", "nowhere:80", "--", "true")
    assert r.returncode == 2 and "expected ADDR, ADDR:PORT or [IPV6]:PORT, got 'nowhere:80'" in r.stderr, r.stderr
    r = vigil("seccomp", "recrod")
    assert r.returncode == 2 and "unknown seccomp verb 'recrod'" in r.stderr, r.stderr
    r = vigil("seccomp", "record", "--", "true")
    assert r.returncode == 2 and "-o PROFILE.json is required" in r.stderr, r.stderr


def test_command_options_are_the_commands_own():
    d = tmpdir()
    # "-l" after the command belongs to ls, not to vigil
    r, _ = sandbox(d, {"defaultAction": "SCMP_ACT_ALLOW"}, "ls", "-l", "-d", "/")
    assert r.returncode == 0 and r.stdout.startswith("d"), (r.stdout, r.stderr)


def test_exec_failure_is_reported():
    d = tmpdir()
    r, _ = sandbox(d, {"defaultAction": "SCMP_ACT_ALLOW"}, "/nonexistent/cmd")
    assert r.returncode == 127, r
    assert r.stderr == "vigil: cannot run '/nonexistent/cmd': No such file or directory\n", r.stderr
    # a profile that forbids execve: the command cannot start, and vigil says why
    r, _ = sandbox(d, one_rule("SCMP_ACT_ERRNO", ["execve"]), "true")
    assert r.returncode == 126, r
    assert r.stderr == "vigil: cannot run 'true': Operation not permitted (the profile refuses execve with this errno: allow execve)\n", r.stderr
    # Landlock: a command outside the allowed trees cannot be executed
    r, _ = sandbox(d, {"defaultAction": "SCMP_ACT_ALLOW"}, "/bin/true", opts=("--landlock-ro", d))
    assert r.returncode == 126, r
    assert r.stderr == "vigil: cannot run '/bin/true': Permission denied (is it under a --landlock-ro or --landlock-rw path?)\n", r.stderr
