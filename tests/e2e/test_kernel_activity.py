"""The kernel-activity sensors against the real kernel: bpf() loads, mounts in a private mount
namespace (mount(2) and the fsopen/fsmount/move_mount API), ptrace attach, unshare,
memfd_create, failed execs (and execsnoop's RET), and module loads on a kernel without modules."""
import os
import shutil
import signal
import subprocess
import tempfile
import uuid

import vigil_test
from vigil_test import Agent, check_invariant, helper, one, spawn, vigil

OPS = None


def ops():
    return os.path.realpath(helper("priv_ops"))


def short_marker():
    return "vm" + uuid.uuid4().hex[:10]  # bpf object names hold 15 characters


def scratch_dir():
    d = tempfile.mkdtemp(prefix="vigil-mnt-")
    vigil_test.on_cleanup(lambda: os.rmdir(d))
    return d


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return f.read()


def test_bpf_prog_load_and_map_create():
    name = short_marker()
    with Agent("--kind", "kernel.bpf") as agent:
        pid, rc = spawn([ops(), "bpf", name])
        assert rc == 0
    evs = [e["bpf"] for e in agent.of("kernel.bpf", tgid=pid)]
    assert [e["cmd"] for e in evs] == ["BPF_PROG_LOAD", "BPF_MAP_CREATE"], evs
    prog, amap = evs
    # described from the kernel's own objects behind the new descriptors
    assert prog["ret"] >= 0 and prog["cmd_nr"] == 5
    assert prog["prog_type"] == "socket_filter" and prog["insns"] == 2
    assert prog["name"] == name and prog["from"] == "kernel"
    assert amap["ret"] >= 0 and amap["cmd_nr"] == 0
    assert amap["map_type"] == "array" and amap["max_entries"] == 7
    assert amap["name"] == name and amap["from"] == "kernel"
    check_invariant(agent.stats)


def test_mount_and_umount_in_private_namespace():
    d = scratch_dir()
    src = short_marker()
    with Agent("--kind", "kernel.mount", "--kind", "kernel.umount", "--kind",
               "kernel.namespace") as agent:
        pid, rc = spawn([ops(), "mount", d, src])
        assert rc == 0
    assert src not in host_mounts()  # it happened in the helper's own mount namespace
    ns = one(agent.of("kernel.namespace", tgid=pid), "unshare")
    assert ns["namespace"] == {"syscall": "unshare", "ret": 0, "flags": ["CLONE_NEWNS"]}
    mounts = [e["mount"] for e in agent.of("kernel.mount", tgid=pid)]
    assert mounts == [
        {"syscall": "mount", "ret": 0, "target": "/", "flags": ["MS_REC", "MS_PRIVATE"]},
        {"syscall": "mount", "ret": 0, "source": src, "target": d, "fstype": "tmpfs",
         "flags": ["MS_NOSUID", "MS_NODEV"]},
    ], mounts
    um = one(agent.of("kernel.umount", tgid=pid), "umount")
    assert um["umount"] == {"syscall": "umount2", "ret": 0, "target": d, "flags": ["MNT_DETACH"]}
    # the header carries the namespace the mount happened in: not the host's
    assert agent.of("kernel.mount", tgid=pid)[1]["proc"]["ns"]["mnt"] != os.stat(
        "/proc/self/ns/mnt").st_ino
    check_invariant(agent.stats)


def test_fsmount_and_move_mount():
    d = scratch_dir()
    src = short_marker()
    with Agent("--kind", "kernel.mount", "--kind", "kernel.umount") as agent:
        pid, rc = spawn([ops(), "fsmount", d, src])
        assert rc == 0
    mounts = [e["mount"] for e in agent.of("kernel.mount", tgid=pid)]
    assert [m["syscall"] for m in mounts] == ["mount", "fsmount", "move_mount"], mounts
    fsm, mv = mounts[1], mounts[2]
    # from the kernel's objects: the type from the fs context, the source from the new mount
    assert fsm["ret"] >= 0 and fsm["fstype"] == "tmpfs" and fsm["from"] == "kernel"
    assert fsm["source"] == src
    assert fsm["fs_fd"] >= 0 and fsm["flags"] == 1 and fsm["attr_flags"] == 0
    assert mv == {"syscall": "move_mount", "ret": 0, "target": d,
                  "flags": ["MOVE_MOUNT_F_EMPTY_PATH"]}, mv
    assert one(agent.of("kernel.umount", tgid=pid), "umount")["umount"]["target"] == d


def test_ptrace_attach_to_child():
    with Agent("--kind", "kernel.ptrace") as agent:
        p = subprocess.run([ops(), "ptrace"], capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
    child = int(p.stdout.split()[0])
    evs = agent.of("kernel.ptrace")
    attach = one([e for e in evs if e["ptrace"]["request"] == "PTRACE_ATTACH" and
                  e["ptrace"]["pid"] == child], "attach")
    tracer = attach["proc"]["tgid"]
    assert attach["ptrace"] == {"request": "PTRACE_ATTACH", "request_nr": 16, "pid": child,
                                "ret": 0, "target": {"tgid": child, "exe": ops()}}
    detach = one([e for e in evs if e["ptrace"]["request"] == "PTRACE_DETACH" and
                  e["proc"]["tgid"] == tracer], "detach")
    # the tracee leaves the tracer's list during the call: resolved at sys_enter, tgid only
    assert detach["ptrace"] == {"request": "PTRACE_DETACH", "request_nr": 17, "pid": child,
                                "ret": 0, "target": {"tgid": child}}
    check_invariant(agent.stats)


def test_unshare_flags():
    with Agent("--kind", "kernel.namespace") as agent:
        pid, rc = spawn([ops(), "unshare"])
        assert rc == 0
    ev = one(agent.of("kernel.namespace", tgid=pid), "unshare")
    assert ev["namespace"] == {"syscall": "unshare", "ret": 0,
                               "flags": ["CLONE_NEWUTS", "CLONE_NEWIPC"]}


def test_memfd_create_name_and_flags():
    name = short_marker()
    with Agent("--kind", "kernel.memfd") as agent:
        pid, rc = spawn([ops(), "memfd", name])
        assert rc == 0
    ev = one(agent.of("kernel.memfd", tgid=pid), "memfd")
    m = ev["memfd"]
    assert m["ret"] >= 0 and m["name"] == name and m["from"] == "kernel"
    assert m["flags"] == ["MFD_CLOEXEC", "MFD_ALLOW_SEALING"]


def test_failed_exec_event_and_execsnoop_ret():
    missing = "/nonexistent/" + short_marker()
    plain = tempfile.NamedTemporaryFile(prefix="vigil-noexec-", delete=False)
    plain.close()
    vigil_test.on_cleanup(lambda: os.unlink(plain.name))
    with Agent("--kind", "process.exec_failed") as agent:
        pid1, rc1 = spawn([ops(), "execfail", missing, "arg-one"])
        pid2, rc2 = spawn([ops(), "execfail", plain.name, "arg-two"])
        many = [f"a{i}" for i in range(19)]  # 20 strings: the first 16 are kept
        pid3, rc3 = spawn([ops(), "execfail", missing, *many])
    e1 = one(agent.of("process.exec_failed", tgid=pid1), "failed exec")
    assert e1["exec"] == {"syscall": "execve", "ret": -2, "errno": "ENOENT", "file": missing,
                          "argv": [missing, "arg-one"]}
    assert e1["proc"]["comm"] == "priv_ops"
    assert "argv_truncated" not in e1["exec"]
    e2 = one(agent.of("process.exec_failed", tgid=pid2), "failed exec")
    assert e2["exec"]["ret"] == -13 and e2["exec"]["errno"] == "EACCES"
    assert e2["exec"]["file"] == plain.name
    e3 = one(agent.of("process.exec_failed", tgid=pid3), "failed exec")
    assert e3["exec"]["argv"] == [missing, *many[:15]] and e3["exec"]["argv_truncated"] is True

    # execsnoop: the same failure as a row with RET -2, the argv it asked for
    op = subprocess.Popen([ops(), "execfail", missing, "arg-three"], stdin=subprocess.PIPE,
                          text=True, env={**os.environ, "VIGIL_WAIT": "1"})
    tool = subprocess.Popen([vigil_test.VIGIL, "execsnoop", "-p", str(op.pid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    vigil_test.on_cleanup(lambda: tool.poll() is None and tool.kill())
    header = tool.stdout.readline()
    assert header.split() == ["TIME", "PID", "PPID", "UID", "RET", "COMM", "ARGS"], header
    op.communicate("go\n", timeout=30)
    tool.send_signal(signal.SIGINT)
    out, err = tool.communicate(timeout=30)
    assert tool.returncode == 0, err
    rows = [line.split() for line in out.splitlines()]
    assert [r[1:] for r in rows] == [[str(op.pid), str(os.getpid()), "0", "-2", "priv_ops",
                                      missing, "arg-three"]], out


def test_module_load_unavailable_without_module_support():
    if os.path.exists("/proc/modules"):
        raise vigil_test.Skip("this kernel has module support")
    with Agent("--kind", "kernel.module_load", "--kind", "kernel.memfd") as agent:
        pid, rc = spawn([ops(), "memfd", short_marker()])
    sensors = {s["name"]: s for s in agent.ready["sensors"]}
    mod = sensors["module"]
    assert mod["status"] == "unavailable" and mod["method"] == "unavailable"
    assert "without module support" in mod["reason"], mod
    assert "sys_enter_init_module" in mod["reason"], mod
    # the rest runs
    assert sensors["memfd"]["status"] == "attached"
    assert one(agent.of("kernel.memfd", tgid=pid), "memfd")
    assert "kernel.module_load" not in agent.stats

    probe = vigil("probe")
    assert probe.returncode == 0
    assert "without module support" in probe.stdout, probe.stdout

    tool = vigil("modsnoop", "-d", "1")
    assert tool.returncode == 1
    assert tool.stderr.startswith("vigil: modsnoop: this kernel cannot load modules"), tool.stderr
    assert tool.stdout == ""


def test_comm_filter_not_confused_by_an_older_longer_comm():
    """The comm filter's key is the whole 16-byte comm: a record built in reused scratch must not
    keep bytes of a longer comm after the NUL (it did, and -c then missed events at random)."""
    d = tempfile.mkdtemp(prefix="vigil-comm-")
    longer = os.path.join(d, "priv_ops_longer")  # comm "priv_ops_longer": 15 characters
    shutil.copy(ops(), longer)
    vigil_test.on_cleanup(lambda: shutil.rmtree(d))
    missing = "/nonexistent/" + short_marker()
    pids = []
    with Agent("--kind", "process.exec_failed", "-c", "priv_ops") as agent:
        for _ in range(15):
            spawn([longer, "execfail", missing, "x"])
            pids.append(spawn([ops(), "execfail", missing, "y"])[0])
    seen = {e["proc"]["tgid"] for e in agent.of("process.exec_failed")}
    assert seen == set(pids), f"missed {sorted(set(pids) - seen)}"
