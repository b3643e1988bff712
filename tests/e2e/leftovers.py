"""What vigil's tests could leave behind on the host, taken before the suite and again after it.

The suite must leave the machine as it found it: no pinned objects, BPF programs or links, cgroup
attachments, XDP programs, qdiscs, network namespaces, mounts, cgroups, audit rules, sysctl changes
or processes. snapshot() is taken before the first end-to-end test; check() lists what is new at
the end (tests/run.py reports it as the suite's last test).

Two suites may share a host (parallel work trees): a process is the suite's own only if it carries
this run's VIGIL_TEST_RUN in its environment, and a BPF program held by another live process is that
process's business. What the kernel holds by itself (pins, attachments, XDP, qdiscs, namespaces) is
looked at again for a few seconds before it counts, so that another suite's test in progress is not
blamed on this one. On a development host where others create such state for minutes at a time
(containers started by hand, another suite), VIGIL_TEST_SHARED_HOST=1 limits the check to what can
be attributed to this run: its processes and the BPF programs and links they or nobody hold. CI
and ../shared/fresh-test run without it: there the whole check applies.
"""
import json
import os
import shutil
import subprocess
import time
import uuid

RUN_ENV = "VIGIL_TEST_RUN"
SETTLE_S = float(os.environ.get("VIGIL_TEST_SETTLE_S", "15"))
SHARED_HOST = os.environ.get("VIGIL_TEST_SHARED_HOST") == "1"
ATTRIBUTABLE = ("programs", "links")
# Mounted by vigil itself when a fresh boot lacks them (and by any distribution at boot): these
# stay, everything else a test mounts must go.
EXPECTED_MOUNTS = {("/sys/fs/bpf", "bpf"), ("/sys/kernel/tracing", "tracefs"),
                   ("/sys/kernel/security", "securityfs"), ("/sys/kernel/debug", "debugfs"),
                   ("/sys/kernel/debug/tracing", "tracefs")}
# The sysctls that vigil check --fix and the tests touch (docs/check.md).
SYSCTLS = ("kernel/unprivileged_bpf_disabled", "net/core/bpf_jit_enable", "net/core/bpf_jit_harden",
           "net/core/bpf_jit_kallsyms", "net/core/bpf_jit_limit", "kernel/kptr_restrict",
           "kernel/dmesg_restrict", "kernel/perf_event_paranoid", "kernel/yama/ptrace_scope",
           "kernel/kexec_load_disabled", "kernel/unprivileged_userns_clone",
           "user/max_user_namespaces", "kernel/sysrq", "fs/suid_dumpable", "fs/protected_symlinks",
           "fs/protected_hardlinks", "kernel/bpf_stats_enabled", "kernel/core_pattern",
           "net/ipv4/ip_forward", "kernel/io_uring_disabled")


def _json(*cmd):
    if not shutil.which(cmd[0]):
        return []
    r = subprocess.run(cmd, capture_output=True, text=True)
    try:
        return json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else []
    except ValueError:
        return []


def _lines(*cmd):
    if not shutil.which(cmd[0]):
        return []
    r = subprocess.run(cmd, capture_output=True, text=True)
    return [line for line in r.stdout.splitlines() if line.strip()] if r.returncode == 0 else []


def _mounts():
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            out.append((left.split()[4], right.split()[0]))
    return out


# A new bpffs mount comes with these two iterators when the kernel has CONFIG_BPF_PRELOAD: the
# kernel's, not a test's (they appear when vigil mounts bpffs on a fresh boot).
PRELOADED = ("maps.debug", "progs.debug")


def _pins():
    pins = set()
    for point, fstype in _mounts():
        if fstype != "bpf":
            continue
        for d, dirs, files in os.walk(point):
            pins.update(os.path.join(d, n) for n in dirs + files
                        if not (d == point and n in PRELOADED))
    return pins


def _cgroup_dirs():
    dirs = set()
    roots = {point for point, fstype in _mounts() if fstype in ("cgroup", "cgroup2")}
    for root in roots:
        try:
            dirs.update(os.path.join(root, n) for n in os.listdir(root)
                        if os.path.isdir(os.path.join(root, n)))
        except OSError:
            pass
    return dirs


def _sysctls():
    vals = {}
    for key in SYSCTLS:
        try:
            with open(os.path.join("/proc/sys", key)) as f:
                vals[key.replace("/", ".")] = f.read().strip()
        except OSError:
            pass
    return vals


def _ours(pid):
    """The process carries this run's tag (inherited from the runner)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read().split(b"\0")
    except OSError:
        return False
    return f"{RUN_ENV}={os.environ[RUN_ENV]}".encode() in env


def _ancestors():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def _own_processes():
    mine = _ancestors()  # the runner, and whatever started it (a suite testing the runner)
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in mine:
            continue
        if _ours(int(name)):
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            if cmd:  # a zombie being reaped has no command line left
                out.append(f"process {name}: {cmd[:160]}")
    return out


def _bpf_holders():
    """{("prog"|"link", id): {pid, ...}}: who holds each BPF program and link by a file descriptor
    (read from /proc/PID/fdinfo: bpftool names holders only when built with its own BPF
    iterator, which Debian's is not)."""
    holders = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fddir = f"/proc/{name}/fd"
        try:
            fds = os.listdir(fddir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fddir, fd))
                if target not in ("anon_inode:bpf-prog", "anon_inode:bpf_link"):
                    continue
                with open(f"/proc/{name}/fdinfo/{fd}") as f:
                    info = f.read()
            except OSError:
                continue
            for line in info.splitlines():
                key, _, val = line.partition(":")
                if key in ("prog_id", "link_id") and val.strip().isdigit():
                    kind = "prog" if target == "anon_inode:bpf-prog" else "link"
                    if (kind == "prog") == (key == "prog_id"):
                        holders.setdefault((kind, int(val)), set()).add(int(name))
    return holders


def _state():
    """Everything a test could leave, as sets of printable items, per category."""
    held = _bpf_holders()
    progs = set()
    for p in _json("bpftool", "-j", "prog", "show"):
        holders = held.get(("prog", p.get("id")), set())
        if holders and not any(_ours(pid) for pid in holders):
            continue  # held by a process that is not this suite's (another suite, a daemon)
        progs.add(f"BPF program {p.get('id')} {p.get('type')} {p.get('name', '')}".rstrip())
    links = set()
    for link in _json("bpftool", "-j", "link", "show"):
        holders = held.get(("link", link.get("id")), set())
        if holders and not any(_ours(pid) for pid in holders):
            continue
        links.add(f"BPF link {link.get('id')} {link.get('type')} prog {link.get('prog_id')}")
    cgroup_progs = set()
    for cg in _json("bpftool", "-j", "cgroup", "tree"):
        for prog in cg.get("programs", []):
            cgroup_progs.add(f"cgroup program {prog.get('id')} {prog.get('attach_type')} on {cg.get('cgroup')}")
    xdp = set()
    for link in _json("ip", "-j", "link", "show"):
        if "xdp" in link:
            xdp.add(f"XDP program on {link.get('ifname')}")
    qdiscs = {f"qdisc {q.get('kind')} on {q.get('dev')}" for q in _json("tc", "-j", "qdisc", "show")
              if q.get("kind") in ("clsact", "ingress")}
    return {
        "pins": {f"pin {p}" for p in _pins()},
        "programs": progs,
        "links": links,
        "cgroup programs": cgroup_progs,
        "xdp": xdp,
        "qdiscs": qdiscs,
        "links and devices": {f"network device {link.get('ifname')}" for link in _json("ip", "-j", "link", "show")},
        "netns": {f"network namespace {n.get('name')}" for n in _json("ip", "-j", "netns", "list")},
        "mounts": {f"mount {fs} on {p}" for p, fs in _mounts() if (p, fs) not in EXPECTED_MOUNTS},
        "cgroups": {f"cgroup {d}" for d in _cgroup_dirs()},
        "audit": {f"audit rule {r}" for r in _lines("auditctl", "-l") if r != "No rules"},
        "sysctls": {f"sysctl {k} = {v}" for k, v in _sysctls().items()},
    }


def snapshot():
    """Tags this run's processes and records the host's state before the suite."""
    os.environ.setdefault(RUN_ENV, uuid.uuid4().hex)
    return _state()


def _new(before, now):
    out = []
    for cat, items in now.items():
        if SHARED_HOST and cat not in ATTRIBUTABLE:
            continue
        if cat == "sysctls":
            old = {i.split(" = ")[0]: i for i in before.get(cat, set())}
            out += [f"{i} (was {old[i.split(' = ')[0]].split(' = ', 1)[1]})"
                    for i in sorted(items - before.get(cat, set())) if i.split(" = ")[0] in old]
        else:
            out += sorted(items - before.get(cat, set()))
    return out


def check(before):
    """What the suite left: [] when the host is as it was. What remains must persist for SETTLE_S
    to count: a process of ours may be exiting, another suite's test may hold kernel state."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        left = _own_processes() + _new(before, _state())
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(1)
