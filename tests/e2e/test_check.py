"""`vigil check`: the hardening checks against the real host and against fake trees (--root), the
BPF inventory with a program this test loads itself, --fix/--apply, --fail-on and bad flags."""
import fcntl
import gzip
import json
import os
import pty
import re
import shutil
import subprocess
import tempfile
import time

import vigil_test
from vigil_test import Agent, Skip, helper, make_cgroup, marker, on_cleanup, one, vigil

# Every check the issue asks for, by id, with the sysctl it reads when it reads one.
SYSCTL_CHECKS = [
    "kernel.unprivileged_bpf_disabled", "net.core.bpf_jit_enable", "net.core.bpf_jit_harden",
    "net.core.bpf_jit_kallsyms", "net.core.bpf_jit_limit", "kernel.kptr_restrict",
    "kernel.dmesg_restrict", "kernel.perf_event_paranoid", "kernel.yama.ptrace_scope",
    "fs.protected_symlinks", "fs.protected_hardlinks", "fs.protected_fifos",
    "fs.protected_regular", "fs.suid_dumpable", "kernel.sysrq", "kernel.core_pattern",
    "kernel.randomize_va_space",
]
OTHER_CHECKS = ["bpf.jit_always_on", "kernel.btf", "kernel.lockdown", "kernel.lsm",
                "kernel.modules", "kernel.unprivileged_userns"]
CHECK_FIELDS = {"id", "status", "severity", "value", "recommended", "detail", "why", "fix",
                "sysctl"}


def sysctl_path(key, root="/"):
    return os.path.join(root, "proc/sys", key.replace(".", "/"))


def run_json(*args):
    p = vigil("check", "--json", *args)
    assert p.returncode == 0, f"exit {p.returncode}: {p.stderr}"
    assert p.stdout.count("\n") == 1, "expected one JSON object on one line"
    return json.loads(p.stdout)


def by_id(report):
    return {c["id"]: c for c in report["checks"]}


def test_host_values_equal_proc_sys():
    report = run_json("--no-inventory")
    checks = by_id(report)
    assert set(checks) == set(SYSCTL_CHECKS + OTHER_CHECKS)
    assert report["root"] == "/" and report["inventory"] is None
    for c in report["checks"]:
        assert set(c) == CHECK_FIELDS, c
        assert c["status"] in ("pass", "warn", "fail", "unknown")
        assert c["severity"] in ("low", "medium", "high")
        assert c["why"] and c["recommended"] and c["fix"], c
    for key in SYSCTL_CHECKS:
        path = sysctl_path(key)
        if os.path.exists(path):
            with open(path) as f:
                want = f.read().rstrip("\n")
            assert checks[key]["value"] == want, (key, checks[key]["value"], want)
        else:
            assert checks[key]["value"] is None, key
    summary = report["summary"]
    assert sum(summary.values()) == len(report["checks"])
    for status in summary:
        assert summary[status] == sum(c["status"] == status for c in report["checks"])
    assert 0 <= report["score"] <= 100
    # the lockdown mode is the bracketed word of securityfs's file
    lockdown = "/sys/kernel/security/lockdown"
    if os.path.exists(lockdown):
        with open(lockdown) as f:
            mode = re.search(r"\[(\w+)\]", f.read()).group(1)
        assert checks["kernel.lockdown"]["value"] == mode
    with open("/sys/kernel/security/lsm") as f:
        assert checks["kernel.lsm"]["value"] == f.read().strip()
    assert checks["kernel.btf"]["value"] == ("present" if os.path.exists("/sys/kernel/btf/vmlinux")
                                             else None)


def test_host_table_has_every_check_and_no_colour_off_a_tty():
    p = vigil("check", "--no-inventory")
    assert p.returncode == 0, p.stderr
    assert "\033[" not in p.stdout
    for cid in SYSCTL_CHECKS + OTHER_CHECKS:
        assert re.search(rf"^(pass|warn|fail|unknown)\s+(low|medium|high)\s+{re.escape(cid)}\s",
                         p.stdout, re.M), cid
    report = run_json("--no-inventory")
    s = report["summary"]
    assert (f"score {report['score']}/100: {s['pass']} pass, {s['warn']} warn, {s['fail']} fail, "
            f"{s['unknown']} unknown") in p.stdout


def run_on_tty(env):
    """`vigil check --no-inventory` with its stdout on a pseudo-terminal: (exit code, output)."""
    master, slave = pty.openpty()
    try:
        p = subprocess.run([vigil_bin(), "check", "--no-inventory"], stdout=slave,
                           stderr=subprocess.PIPE, timeout=30, env=env)
        os.close(slave)
        slave = None
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO once the writer is gone
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    return p.returncode, out


def test_colour_on_a_tty_unless_no_color():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    rc, out = run_on_tty(env)
    assert rc == 0
    assert re.search(rb"\033\[3[123]m(pass|warn|fail)\033\[0m", out), out[:300]
    rc, out = run_on_tty(dict(env, NO_COLOR="1"))
    assert rc == 0 and b"score " in out
    assert b"\033[" not in out


def vigil_bin():
    import vigil_test
    return vigil_test.VIGIL


# --- fake trees under --root: every branch of every check ---

LOCKDOWN = "sys/kernel/security/lockdown"
LSM = "sys/kernel/security/lsm"


def sysctl_file(key):
    return "proc/sys/" + key.replace(".", "/")


def config(text):
    return {"proc/config.gz": gzip.compress(text.encode())}


def s(key, value):
    return {sysctl_file(key): value + "\n"}


# (check id, files in the tree, expected status, expected value; None: missing)
SCENARIOS = [
    ("kernel.unprivileged_bpf_disabled", s("kernel.unprivileged_bpf_disabled", "1"), "pass", "1"),
    ("kernel.unprivileged_bpf_disabled", s("kernel.unprivileged_bpf_disabled", "2"), "pass", "2"),
    ("kernel.unprivileged_bpf_disabled", s("kernel.unprivileged_bpf_disabled", "0"), "fail", "0"),
    ("net.core.bpf_jit_enable", s("net.core.bpf_jit_enable", "1"), "pass", "1"),
    ("net.core.bpf_jit_enable", s("net.core.bpf_jit_enable", "2"), "warn", "2"),
    ("net.core.bpf_jit_enable", s("net.core.bpf_jit_enable", "0"), "fail", "0"),
    ("bpf.jit_always_on", config("CONFIG_BPF=y\nCONFIG_BPF_JIT_ALWAYS_ON=y\n"), "pass", "y"),
    ("bpf.jit_always_on", config("# CONFIG_BPF_JIT_ALWAYS_ON is not set\n"), "warn", "n"),
    ("bpf.jit_always_on", {"proc/sys/kernel/osrelease": "6.1.0-test\n",
                           "boot/config-6.1.0-test": "CONFIG_BPF_JIT_ALWAYS_ON=y\n"}, "pass", "y"),
    ("bpf.jit_always_on", {"proc/kallsyms": "ffffffff81000000 T bpf_int_jit_compile\n"
                                            "ffffffff81000100 T _stext\n"}, "pass", "y"),
    ("bpf.jit_always_on", {"proc/kallsyms": "0000000000000000 T bpf_int_jit_compile\n"
                                            "0000000000000000 t ___bpf_prog_run\n"}, "warn", "n"),
    ("bpf.jit_always_on", {"proc/kallsyms": "0000000000000000 T _stext\n"}, "unknown", None),
    ("net.core.bpf_jit_harden", s("net.core.bpf_jit_harden", "2"), "pass", "2"),
    ("net.core.bpf_jit_harden", s("net.core.bpf_jit_harden", "1"), "warn", "1"),
    ("net.core.bpf_jit_harden", s("net.core.bpf_jit_harden", "0"), "fail", "0"),
    ("net.core.bpf_jit_kallsyms", s("net.core.bpf_jit_kallsyms", "0"), "pass", "0"),
    ("net.core.bpf_jit_kallsyms", s("net.core.bpf_jit_kallsyms", "1"), "warn", "1"),
    ("net.core.bpf_jit_limit", s("net.core.bpf_jit_limit", "264241152"), "pass", "264241152"),
    ("net.core.bpf_jit_limit", s("net.core.bpf_jit_limit", "1073741824"), "warn", "1073741824"),
    ("net.core.bpf_jit_limit", s("net.core.bpf_jit_limit", "0"), "fail", "0"),
    ("kernel.btf", {"sys/kernel/btf/vmlinux": "BTF"}, "pass", "present"),
    ("kernel.btf", {"sys/kernel/btf/btf_testmod": "BTF"}, "warn", None),
    ("kernel.lockdown", {LOCKDOWN: "none [integrity] confidentiality\n"}, "pass", "integrity"),
    ("kernel.lockdown", {LOCKDOWN: "none integrity [confidentiality]\n"}, "pass",
     "confidentiality"),
    ("kernel.lockdown", {LOCKDOWN: "[none] integrity confidentiality\n"}, "warn", "none"),
    ("kernel.lockdown", {LOCKDOWN: "garbage\n"}, "fail", "garbage"),
    ("kernel.lsm", {LSM: "lockdown,capability,landlock,yama,apparmor,bpf"}, "pass",
     "lockdown,capability,landlock,yama,apparmor,bpf"),
    ("kernel.lsm", {LSM: "capability,landlock,bpf"}, "warn", "capability,landlock,bpf"),
    ("kernel.lsm", {LSM: "capability,lockdown,bpfx"}, "fail", "capability,lockdown,bpfx"),
    ("kernel.kptr_restrict", s("kernel.kptr_restrict", "1"), "pass", "1"),
    ("kernel.kptr_restrict", s("kernel.kptr_restrict", "2"), "pass", "2"),
    ("kernel.kptr_restrict", s("kernel.kptr_restrict", "0"), "fail", "0"),
    ("kernel.dmesg_restrict", s("kernel.dmesg_restrict", "1"), "pass", "1"),
    ("kernel.dmesg_restrict", s("kernel.dmesg_restrict", "0"), "fail", "0"),
    ("kernel.perf_event_paranoid", s("kernel.perf_event_paranoid", "3"), "pass", "3"),
    ("kernel.perf_event_paranoid", s("kernel.perf_event_paranoid", "2"), "pass", "2"),
    ("kernel.perf_event_paranoid", s("kernel.perf_event_paranoid", "1"), "warn", "1"),
    ("kernel.perf_event_paranoid", s("kernel.perf_event_paranoid", "-1"), "fail", "-1"),
    ("kernel.yama.ptrace_scope", s("kernel.yama.ptrace_scope", "1"), "pass", "1"),
    ("kernel.yama.ptrace_scope", s("kernel.yama.ptrace_scope", "0"), "warn", "0"),
    ("kernel.yama.ptrace_scope", s("kernel.yama.ptrace_scope", "x"), "fail", "x"),
    ("kernel.modules", {"proc/sys/kernel/hostname": "h\n"}, "pass", "none"),
    ("kernel.modules", {"proc/modules": "", **s("kernel.modules_disabled", "1")}, "pass",
     "disabled"),
    ("kernel.modules", {"proc/modules": "", **s("kernel.modules_disabled", "0"),
                        "sys/module/module/parameters/sig_enforce": "Y\n"}, "pass",
     "signed-only"),
    ("kernel.modules", {"proc/modules": "", **s("kernel.modules_disabled", "0"),
                        LOCKDOWN: "none [integrity] confidentiality\n"}, "pass", "signed-only"),
    ("kernel.modules", {"proc/modules": "", **s("kernel.modules_disabled", "0"),
                        "sys/module/module/parameters/sig_enforce": "N\n",
                        LOCKDOWN: "[none] integrity confidentiality\n"}, "fail",
     "unsigned-allowed"),
    ("kernel.unprivileged_userns", s("kernel.unprivileged_userns_clone", "0"), "pass", "restricted"),
    ("kernel.unprivileged_userns", {**s("kernel.apparmor_restrict_unprivileged_userns", "1"),
                                    **s("user.max_user_namespaces", "100")}, "pass", "restricted"),
    ("kernel.unprivileged_userns", s("user.max_user_namespaces", "0"), "pass", "restricted"),
    ("kernel.unprivileged_userns", {**s("user.max_user_namespaces", "5"),
                                    **config("# CONFIG_USER_NS is not set\n")}, "pass", "none"),
    ("kernel.unprivileged_userns", {**s("kernel.unprivileged_userns_clone", "1"),
                                    **s("user.max_user_namespaces", "100")}, "warn",
     "unprivileged"),
    ("fs.protected_symlinks", s("fs.protected_symlinks", "1"), "pass", "1"),
    ("fs.protected_symlinks", s("fs.protected_symlinks", "0"), "fail", "0"),
    ("fs.protected_hardlinks", s("fs.protected_hardlinks", "1"), "pass", "1"),
    ("fs.protected_hardlinks", s("fs.protected_hardlinks", "0"), "fail", "0"),
    ("fs.protected_fifos", s("fs.protected_fifos", "2"), "pass", "2"),
    ("fs.protected_fifos", s("fs.protected_fifos", "1"), "warn", "1"),
    ("fs.protected_fifos", s("fs.protected_fifos", "0"), "fail", "0"),
    ("fs.protected_regular", s("fs.protected_regular", "2"), "pass", "2"),
    ("fs.protected_regular", s("fs.protected_regular", "1"), "warn", "1"),
    ("fs.protected_regular", s("fs.protected_regular", "0"), "fail", "0"),
    ("fs.suid_dumpable", s("fs.suid_dumpable", "0"), "pass", "0"),
    ("fs.suid_dumpable", s("fs.suid_dumpable", "2"), "warn", "2"),
    ("fs.suid_dumpable", s("fs.suid_dumpable", "1"), "fail", "1"),
    ("kernel.sysrq", s("kernel.sysrq", "0"), "pass", "0"),
    ("kernel.sysrq", s("kernel.sysrq", "176"), "pass", "176"),
    ("kernel.sysrq", s("kernel.sysrq", "438"), "warn", "438"),
    ("kernel.sysrq", s("kernel.sysrq", "1"), "fail", "1"),
    ("kernel.sysrq", s("kernel.sysrq", "lots"), "unknown", "lots"),
    ("kernel.core_pattern", s("kernel.core_pattern", "/var/crash/core.%e.%p"), "pass",
     "/var/crash/core.%e.%p"),
    ("kernel.core_pattern", s("kernel.core_pattern", "|/usr/lib/systemd/systemd-coredump %P"),
     "warn", "|/usr/lib/systemd/systemd-coredump %P"),
    ("kernel.randomize_va_space", s("kernel.randomize_va_space", "2"), "pass", "2"),
    ("kernel.randomize_va_space", s("kernel.randomize_va_space", "1"), "warn", "1"),
    ("kernel.randomize_va_space", s("kernel.randomize_va_space", "0"), "fail", "0"),
]

# What each check says when its file is missing from the tree (an empty tree).
MISSING = {
    "kernel.unprivileged_bpf_disabled": "pass", "net.core.bpf_jit_enable": "fail",
    "bpf.jit_always_on": "unknown", "net.core.bpf_jit_harden": "unknown",
    "net.core.bpf_jit_kallsyms": "pass", "net.core.bpf_jit_limit": "unknown",
    "kernel.btf": "warn", "kernel.lockdown": "warn", "kernel.lsm": "warn",
    "kernel.kptr_restrict": "unknown", "kernel.dmesg_restrict": "unknown",
    "kernel.perf_event_paranoid": "pass", "kernel.yama.ptrace_scope": "warn",
    "kernel.modules": "pass", "kernel.unprivileged_userns": "unknown",
    "fs.protected_symlinks": "fail", "fs.protected_hardlinks": "fail",
    "fs.protected_fifos": "fail", "fs.protected_regular": "fail",
    "fs.suid_dumpable": "unknown", "kernel.sysrq": "pass", "kernel.core_pattern": "unknown",
    "kernel.randomize_va_space": "unknown",
}


def make_tree(files):
    root = tempfile.mkdtemp(prefix="vigil-check-root-")
    on_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(content, bytes) else "w") as f:
            f.write(content)
    return root


def test_fake_tree_every_branch():
    seen = {}
    for cid, files, status, value in SCENARIOS:
        root = make_tree(files)
        report = run_json("--root", root, "--only", cid)
        c = one(report["checks"], cid)
        assert report["inventory"] is None
        assert (c["id"], c["status"], c["value"]) == (cid, status, value), (files, c)
        seen.setdefault(cid, set()).add(status)
    # every check shows its pass branch and at least one branch that is not pass
    for cid in SYSCTL_CHECKS + OTHER_CHECKS:
        assert "pass" in seen[cid] and len(seen[cid]) >= 2, (cid, seen.get(cid))


def test_fake_tree_missing_files():
    root = make_tree({})
    checks = by_id(run_json("--root", root))
    assert set(checks) == set(MISSING)
    for cid, status in MISSING.items():
        c = checks[cid]
        if cid == "kernel.modules":  # no /proc/modules and no knob: a kernel without modules
            assert (c["status"], c["value"]) == ("pass", "none"), c
            continue
        assert (c["status"], c["value"]) == (status, None), (cid, c)
        assert c["detail"], cid  # says why it is missing


def test_fake_tree_table_says_no_inventory():
    root = make_tree(s("kernel.kptr_restrict", "0"))
    p = vigil("check", "--root", root, "--only", "kernel.kptr_restrict")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^fail\s+medium\s+kernel\.kptr_restrict\s+0\s", p.stdout, re.M), p.stdout
    assert "fix: sysctl -w kernel.kptr_restrict=1" in p.stdout
    assert "score 0/100: 0 pass, 0 warn, 1 fail, 0 unknown" in p.stdout
    assert "BPF inventory: not taken" in p.stdout


# --- --fail-on ---

def test_fail_on_exit_codes():
    root = make_tree({**s("kernel.kptr_restrict", "0"),            # medium, fail
                      **s("fs.protected_fifos", "1"),              # low, warn
                      **s("kernel.randomize_va_space", "2")})      # high, pass
    only = "kernel.kptr_restrict,fs.protected_fifos,kernel.randomize_va_space"
    for level, want in (("high", 0), ("medium", 3), ("low", 3)):
        p = vigil("check", "--root", root, "--only", only, "--fail-on", level)
        assert p.returncode == want, (level, p.returncode, p.stderr)
    p = vigil("check", "--root", root, "--only", "fs.protected_fifos,kernel.randomize_va_space",
              "--fail-on", "medium")
    assert p.returncode == 0
    p = vigil("check", "--root", root, "--only", "fs.protected_fifos", "--fail-on", "low", "--json")
    assert p.returncode == 3 and json.loads(p.stdout)["checks"][0]["status"] == "warn"


# --- --fix and --apply ---

def test_fix_prints_commands_and_changes_nothing():
    root = make_tree({**s("kernel.kptr_restrict", "0"), **s("fs.protected_fifos", "1"),
                      **s("kernel.dmesg_restrict", "1"), LSM: "capability"})
    p = vigil("check", "--root", root, "--fix",
              "--only", "kernel.kptr_restrict,fs.protected_fifos,kernel.dmesg_restrict,kernel.lsm")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "#!/bin/sh"
    assert "sysctl -w kernel.kptr_restrict=1  # kernel.kptr_restrict, was 0" in lines
    assert "sysctl -w fs.protected_fifos=2  # fs.protected_fifos, was 1" in lines
    assert not any("dmesg_restrict" in l for l in lines)  # it passes
    start = lines.index("cat >> /etc/sysctl.d/90-vigil-hardening.conf <<'EOF'")
    assert lines[start + 1:start + 4] == ["kernel.kptr_restrict = 1", "fs.protected_fifos = 2", "EOF"]
    assert any(l.startswith("# kernel.lsm: boot with lsm=") for l in lines)
    with open(os.path.join(root, sysctl_file("kernel.kptr_restrict"))) as f:
        assert f.read() == "0\n"
    assert not os.path.exists(os.path.join(root, "etc"))
    # the script is valid shell
    subprocess.run(["sh", "-n"], input=p.stdout, text=True, check=True)


def test_apply_in_a_fake_tree_merges_the_sysctl_file():
    root = make_tree({**s("kernel.kptr_restrict", "0"), **s("fs.suid_dumpable", "1"),
                      "etc/sysctl.d/90-vigil-hardening.conf":
                          "# mine\nkernel.kptr_restrict = 0\nvm.swappiness = 10\n"})
    p = vigil("check", "--root", root, "--fix", "--apply",
              "--only", "kernel.kptr_restrict,fs.suid_dumpable,kernel.lsm")
    assert p.returncode == 0, p.stderr
    assert "set kernel.kptr_restrict=1 (was 0)" in p.stdout
    assert "set fs.suid_dumpable=0 (was 1)" in p.stdout
    assert "skipped kernel.lsm: fix it by hand" in p.stdout
    for key, want in (("kernel.kptr_restrict", "1\n"), ("fs.suid_dumpable", "0\n")):
        with open(os.path.join(root, sysctl_file(key))) as f:
            assert f.read() == want
    with open(os.path.join(root, "etc/sysctl.d/90-vigil-hardening.conf")) as f:
        assert f.read() == ("# mine\nvm.swappiness = 10\nkernel.kptr_restrict = 1\n"
                            "fs.suid_dumpable = 0\n")


def hold_lock(name):
    """Serialises tests that change host state across concurrent suite runs (released at
    cleanup, after the cleanups registered later, such as a restore)."""
    fd = os.open(f"/run/vigil-test-{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    on_cleanup(lambda: os.close(fd))


def test_apply_sets_and_restores_a_real_sysctl():
    key = "fs.protected_fifos"  # harmless here: every test file is root's own
    path = sysctl_path(key)
    hold_lock("sysctl")
    with open(path) as f:
        original = f.read().strip()

    def restore():
        with open(path, "w") as f:
            f.write(original)
    on_cleanup(restore)
    with open(path, "w") as f:
        f.write("1")
    conf_dir = tempfile.mkdtemp(prefix="vigil-check-conf-")
    on_cleanup(lambda: shutil.rmtree(conf_dir, ignore_errors=True))
    conf = os.path.join(conf_dir, "99-test.conf")

    p = vigil("check", "--fix", "--only", key, "--sysctl-file", conf)
    assert p.returncode == 0
    assert f"sysctl -w {key}=2  # {key}, was 1" in p.stdout
    with open(path) as f:
        assert f.read().strip() == "1", "--fix alone changed the host"
    assert not os.path.exists(conf)

    p = vigil("check", "--fix", "--apply", "--only", key, "--sysctl-file", conf, "--fail-on", "low")
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    assert p.stdout.splitlines() == [f"set {key}=2 (was 1)", f"wrote {conf}"]
    with open(path) as f:
        assert f.read().strip() == "2"
    with open(conf) as f:
        assert f.read().splitlines()[1:] == [f"{key} = 2"]
    c = one(run_json("--no-inventory", "--only", key)["checks"], key)
    assert (c["status"], c["value"]) == ("pass", "2")


# --- the BPF inventory ---

def tracepoint_dir(event):
    """The tracefs directory of a tracepoint, mounting tracefs where it is missing."""
    return os.path.join(vigil_test.tracefs(), "events", event)


def start_holder(name, *opts):
    args = [helper("bpf_holder"), name, *opts]
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)

    def stop():
        p.stdin.close()
        p.wait(timeout=10)
    on_cleanup(stop)
    line = p.stdout.readline()
    if not line:
        raise AssertionError(f"bpf_holder failed: {p.stderr.read()}")
    return p, json.loads(line)


def find(objs, oid, what):
    return one([o for o in objs if o["id"] == oid], f"{what} {oid}")


def test_inventory_shows_a_foreign_program_with_its_holder():
    name = marker()[:15]  # BPF object names hold 15 characters
    cg = make_cgroup(name)
    pin = os.path.join(vigil_test.bpffs(), name)
    on_cleanup(lambda: os.path.exists(pin) and os.unlink(pin))
    t0 = time.time()
    proc, ids = start_holder(name, "--cgroup", cg, "--pin", pin,
                             "--tracepoint", tracepoint_dir("syscalls/sys_enter_getppid"))
    pid = ids["pid"]
    assert pid == proc.pid

    report = run_json("--only", "kernel.btf")
    inv = report["inventory"]
    prog = find(inv["programs"], ids["prog_id"], "program")
    with open(f"/proc/{pid}/fdinfo/4") as f:
        tag = re.search(r"prog_tag:\s+(\w+)", f.read()).group(1)
    assert (prog["type"], prog["name"], prog["tag"], prog["uid"], prog["vigil"]) == \
        ("socket_filter", name, tag, 0, False)
    assert prog["holders"] == [{"pid": pid, "comm": "bpf_holder", "vigil": False}]
    assert prog["map_ids"] == [ids["map_id"]]
    assert prog["pinned"] == [pin]
    assert one([p for p in inv["pinned"] if p["path"] == pin], "pin") == \
        {"path": pin, "kind": "prog", "id": ids["prog_id"], "vigil": False, "error": None}
    for p in inv["pinned"]:  # every pin is either an object in the lists or says why not
        assert (p["kind"] is None) == (p["error"] is not None), p
    for kind in ("programs", "maps", "links"):
        assert inv["summary"][kind] == {"total": len(inv[kind]),
                                        "not_vigil": sum(not o["vigil"] for o in inv[kind])}
    assert prog["attached"] is None
    loaded = time.mktime(time.strptime(prog["loaded"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    assert t0 - 5 <= loaded <= time.time() + 1, (prog["loaded"], t0)

    m = find(inv["maps"], ids["map_id"], "map")
    assert (m["type"], m["name"], m["vigil"], m["pinned"]) == ("array", name, False, [])
    assert m["holders"] == [{"pid": pid, "comm": "bpf_holder", "vigil": False}]

    cg_id = os.stat(cg).st_ino
    target = f"cgroup_inet_egress cgroup_id:{cg_id}"
    link = find(inv["links"], ids["link_id"], "link")
    assert (link["type"], link["prog_id"], link["attached"], link["vigil"]) == \
        ("cgroup", ids["cg_prog_id"], target, False)
    assert link["holders"] == [{"pid": pid, "comm": "bpf_holder", "vigil": False}]
    cg_prog = find(inv["programs"], ids["cg_prog_id"], "cgroup program")
    assert (cg_prog["type"], cg_prog["name"], cg_prog["attached"]) == ("cgroup_skb", name, target)
    assert cg_prog["holders"] == [{"pid": pid, "comm": "bpf_holder", "vigil": False}]  # via its link

    # attached through a perf event the helper holds: BPF_TASK_FD_QUERY names the tracepoint
    tp = find(inv["programs"], ids["tp_prog_id"], "tracepoint program")
    assert (tp["type"], tp["name"], tp["attached"], tp["vigil"]) == \
        ("tracepoint", name, "tracepoint:sys_enter_getppid", False)
    assert tp["holders"] == [{"pid": pid, "comm": "bpf_holder", "vigil": False}]

    # the table flags it as not vigil's, on the program's own row
    p = vigil("check", "--only", "kernel.btf")
    assert p.returncode == 0, p.stderr
    row = one([l for l in p.stdout.splitlines() if re.match(rf"^\S+\s+{ids['prog_id']}\s", l)
               and "socket_filter" in l], "program row")
    assert row.startswith("OTHER") and name in row and f"{pid}/bpf_holder" in row
    assert f"pinned:{pin}" in row
    assert re.search(rf"^OTHER\s+{ids['prog_id']}\s+prog\s+{re.escape(pin)}$", p.stdout, re.M)


def test_table_neutralises_control_characters_in_names():
    name = marker()[:15]
    pin = os.path.join(vigil_test.bpffs(), f"{name}\x1b[2J\x07")  # would clear the screen and ring the bell
    on_cleanup(lambda: os.path.exists(pin) and os.unlink(pin))
    _, ids = start_holder(name, "--pin", pin)
    inv = run_json("--only", "kernel.btf")["inventory"]
    assert find(inv["programs"], ids["prog_id"], "program")["pinned"] == [pin]  # JSON keeps it
    p = vigil("check", "--only", "kernel.btf")
    assert p.returncode == 0, p.stderr
    assert "\x1b[2J" not in p.stdout and "\x07" not in p.stdout
    assert f"/sys/fs/bpf/{name}?[2J?" in p.stdout


def test_inventory_flags_vigils_own_programs():
    with Agent("-k", "process.exec") as agent:  # one kind: the quickest start
        inv = run_json("--only", "kernel.btf")["inventory"]
        table = vigil("check", "--only", "kernel.btf").stdout
        pid = agent.proc.pid
    mine = [p for p in inv["programs"] if any(h["pid"] == pid for h in p["holders"])]
    assert mine, "the agent's programs are not in the inventory"
    for p in mine:
        assert p["vigil"] is True, p
        assert {"pid": pid, "comm": "vigil", "vigil": True} in p["holders"]
    assert any(p["attached"] for p in mine), mine  # the exec sensor is attached somewhere
    maps = [m for m in inv["maps"] if any(h["pid"] == pid for h in m["holders"])]
    assert maps and all(m["vigil"] for m in maps)
    # and the table says so on their rows
    for prog in mine:
        row = one([l for l in table.splitlines() if re.match(rf"^\S+\s+{prog['id']}\s", l)
                   and prog["type"] in l], f"row of program {prog['id']}")
        assert row.startswith("vigil ") and f"{pid}/vigil" in row, row


def test_without_privileges_the_checks_run_and_the_inventory_says_why():
    if not shutil.which("setpriv"):
        raise Skip("no setpriv")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", vigil_bin(), "check",
              "--only", "kernel.btf"]
    p = subprocess.run(nobody, capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert p.stderr == ("vigil: cannot list BPF programs: Operation not permitted "
                        "(run as root, or with --no-inventory)\n")
    assert re.search(r"^pass\s+low\s+kernel\.btf\s", p.stdout, re.M), p.stdout
    p = subprocess.run(nobody + ["--no-inventory"], capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stderr) == (0, "")


def test_list_names_every_check():
    p = vigil("check", "--list")
    assert p.returncode == 0 and p.stderr == ""
    ids = [line.split()[0] for line in p.stdout.splitlines()]
    assert ids == [c["id"] for c in run_json("--no-inventory")["checks"]]
    assert re.search(r"^kernel\.unprivileged_bpf_disabled\s+high\s+1 or 2$", p.stdout, re.M)


# --- bad flags ---

def test_bad_flags_exit_2_with_one_clear_line():
    cases = [
        (["--fail-on", "severe"], "invalid value for --fail-on: expected low, medium or high"),
        (["--apply"], "--apply changes the host only together with --fix"),
        (["--fix", "--json"], "--fix prints a shell script: not with --json"),
        (["--root", "/nonexistent-vigil"], "invalid value for --root: not a directory"),
        (["--only", "kernel.nope"], "invalid value for --only: no check named 'kernel.nope'"),
        (["--only", "kernel.btf,"], "invalid value for --only: no check named ''"),
        (["--sysctl-file", "relative.conf"], "invalid value for --sysctl-file: expected an absolute path"),
        (["--bogus"], "unrecognized option"),
        (["extra"], "unexpected argument 'extra'"),
    ]
    for args, msg in cases:
        p = vigil("check", *args)
        assert p.returncode == 2, (args, p.returncode)
        first = p.stderr.splitlines()[0]
        assert first.startswith("vigil check: ") and msg in first, (args, p.stderr)
        assert p.stdout == "", args
