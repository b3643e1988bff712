"""The process sensor against the real kernel: exec, fork, exit, ids, cgroups, namespaces,
filters in the kernel, loss accounting, seeding, and the agent's own events."""
import os
import random
import signal
import subprocess
import time

import vigil_test
from vigil_test import (Agent, check_invariant, helper, make_cgroup, marker, on_cleanup, one, spawn, vigil,
                        with_marker)

DASH = os.path.realpath("/bin/sh")
TRUE = os.path.realpath("/bin/true")


def ns_inode(pid, name):
    link = os.readlink(f"/proc/{pid}/ns/{name}")  # "mnt:[4026531832]"
    return int(link[link.index("[") + 1:-1])


def my_exec_id_parts():
    """This process's start time in clock ticks, to cross-check exec_id's start component."""
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[19])  # field 22: starttime


def test_exec_fork_exit_chain():
    mark = marker()
    inner = f"inner-{mark}"
    with Agent() as agent:
        # dash forks for the inner command because more follows it, then exits 3 itself
        pid, rc = spawn([DASH, "-c", f"{DASH} -c 'exit 7' {inner}; exit 3", mark])
        assert rc == 3
        agent.wait_for(lambda e: e["kind"] == "process.exit" and pid == e["proc"]["tgid"])
    evs = agent.events
    me = os.getpid()

    outer_exec = one([e for e in agent.of("process.exec", tgid=pid)], "outer exec")
    proc = outer_exec["proc"]
    assert proc["ppid"] == me
    assert proc["exe"] == DASH, proc["exe"]
    assert proc["args"] == [DASH, "-c", f"{DASH} -c 'exit 7' {inner}; exit 3", mark]
    assert proc["args_truncated"] is False
    assert proc["uid"] == os.getuid() and proc["euid"] == os.geteuid()
    assert proc["gid"] == os.getgid() and proc["egid"] == os.getegid()
    assert proc["tid"] == pid
    assert proc["comm"] == os.path.basename(DASH)[:15]
    assert proc["cwd"] == os.getcwd()
    assert outer_exec["exec"]["argc"] == 4
    assert outer_exec["parent"]["tgid"] == me
    assert outer_exec["parent"]["exe"] == os.path.realpath("/proc/self/exe")
    assert outer_exec["parent"]["exec_id"] == proc["parent_exec_id"]

    # the fork that made the outer shell: same tgid, the image before exec
    fork = one(agent.of("process.fork", tgid=pid), "fork of the outer shell")
    assert fork["proc"]["ppid"] == me
    assert fork["fork"]["thread"] is False
    assert fork["proc"]["parent_exec_id"] == proc["parent_exec_id"]
    assert fork["proc"]["exec_id"] != proc["exec_id"]
    boot, start, tgid, seq = proc["exec_id"].split(":")
    fboot, fstart, ftgid, fseq = fork["proc"]["exec_id"].split(":")
    assert (boot, start, tgid) == (fboot, fstart, ftgid) and int(seq) == int(fseq) + 1
    assert int(tgid) == pid
    with open("/proc/sys/kernel/random/boot_id") as f:
        assert f.read().startswith(boot)

    inner_exec = one([e for e in with_marker(evs, inner) if e["kind"] == "process.exec"
                      and e["proc"]["ppid"] == pid], "inner exec")
    assert inner_exec["proc"]["ppid"] == pid
    assert inner_exec["proc"]["parent_exec_id"] == proc["exec_id"]
    assert inner_exec["parent"]["exe"] == DASH
    assert inner_exec["parent"]["args"] == proc["args"]

    inner_exit = one(agent.of("process.exit", tgid=inner_exec["proc"]["tgid"]), "inner exit")
    assert inner_exit["exit"] == {"code": 7, "signal": 0, "core_dumped": False,
                                  "runtime_ns": inner_exit["exit"]["runtime_ns"]}
    assert inner_exit["proc"]["exec_id"] == inner_exec["proc"]["exec_id"]
    outer_exit = one(agent.of("process.exit", tgid=pid), "outer exit")
    assert outer_exit["exit"]["code"] == 3 and outer_exit["exit"]["signal"] == 0
    assert 0 < outer_exit["exit"]["runtime_ns"] < 60e9
    # time order: fork, exec, exit
    assert fork["time"] <= outer_exec["time"] <= outer_exit["time"]
    check_invariant(agent.stats)


def test_killed_by_signal():
    mark = marker()
    with Agent("--kind", "process.exec,process.exit") as agent:
        pid, rc = spawn([DASH, "-c", "kill -KILL $$", mark])
        assert rc == -signal.SIGKILL
        agent.wait_for(lambda e: e["kind"] == "process.exit" and e["proc"]["tgid"] == pid)
    ex = one(agent.of("process.exit", tgid=pid), "exit")
    assert ex["exit"]["signal"] == signal.SIGKILL
    assert ex["exit"]["signal_name"] == "SIGKILL"
    assert ex["exit"]["code"] == 0
    assert mark in ex["proc"]["args"]


def test_new_cgroup_id_and_path():
    mark = marker()
    cg = make_cgroup(f"vigil-e2e-{mark}")
    cg_id = os.stat(cg).st_ino
    with Agent("--kind", "process.exec") as agent:
        script = f"echo $$ > {cg}/cgroup.procs && exec {TRUE} {mark}"
        p = subprocess.run([DASH, "-c", script])
        assert p.returncode == 0
        agent.wait_for(lambda e: mark in e.get("proc", {}).get("args", []))
    ev = one([e for e in with_marker(agent.events, mark) if e["proc"]["exe"] == TRUE],
             "exec in the cgroup")
    assert ev["proc"]["cgroup_id"] == cg_id
    assert ev["proc"]["cgroup"] == f"/vigil-e2e-{mark}"
    assert ev["proc"]["container_id"] == ""


def test_cgroup_filter_in_kernel():
    mark = marker()
    cg = make_cgroup(f"vigil-e2e-{mark}")
    with Agent("--kind", "process.exec", "--cgroup", cg) as agent:
        subprocess.run([TRUE, "outside", mark])
        subprocess.run([DASH, "-c", f"echo $$ > {cg}/cgroup.procs && exec {TRUE} inside {mark}"])
        agent.wait_for(lambda e: "inside" in e.get("proc", {}).get("args", []))
    execs = agent.of("process.exec")
    assert execs and all(e["proc"]["cgroup_id"] == os.stat(cg).st_ino for e in execs)
    assert one(with_marker(execs, mark), "exec in the cgroup")["proc"]["args"][1] == "inside"
    assert agent.stats["process.exec"]["filtered"] >= 1


def test_new_pid_and_mount_namespaces():
    mark = marker()
    with Agent("--kind", "process.exec") as agent:
        out = subprocess.run(
            ["unshare", "--pid", "--mount", "--fork", DASH, "-c",
             f"readlink /proc/self/ns/pid /proc/self/ns/mnt /proc/self/ns/net; exit 0", mark],
            capture_output=True, text=True, check=True).stdout.split()
        agent.wait_for(lambda e: mark in e.get("proc", {}).get("args", []))
    inside = {name: int(link[link.index("[") + 1:-1])
              for name, link in zip(("pid", "mnt", "net"), out)}
    ev = one([e for e in with_marker(agent.events, mark) if e["proc"]["exe"] == DASH],
             "exec inside the namespaces")
    ns = ev["proc"]["ns"]
    assert ns["pid"] == inside["pid"] and ns["mnt"] == inside["mnt"] and ns["net"] == inside["net"]
    assert ns["pid"] != ns_inode("self", "pid")
    assert ns["mnt"] != ns_inode("self", "mnt")
    assert ns["net"] == ns_inode("self", "net")
    assert ns["user"] == ns_inode("self", "user")
    assert ev["proc"]["exe"] == DASH


def test_comm_filter_counts_the_rest_in_kernel():
    mark = marker()
    name = "vt" + mark[-10:]  # a unique comm of at most 15 bytes
    path = f"/tmp/{name}"
    os.symlink(TRUE, path)
    try:
        with Agent("--comm", name) as agent:
            for _ in range(5):
                subprocess.run([TRUE, mark])
            for _ in range(3):
                subprocess.run([path, mark])
            agent.wait_for(lambda e: e["kind"] == "process.exit"
                           and e["proc"]["comm"] == name, what="the matching exit")
            time.sleep(0.2)
    finally:
        os.unlink(path)
    kernel_events = [e for e in agent.events if "proc" in e]
    assert kernel_events and all(e["proc"]["comm"] == name for e in kernel_events)
    assert len(agent.of("process.exec", comm=name)) == 3
    assert len(agent.of("process.exit", comm=name)) == 3
    s = agent.stats["process.exec"]
    assert s["delivered"] == 3 and s["produced"] == 3
    assert s["filtered"] >= 5  # the five /bin/true execs never reached the ring buffer
    check_invariant(agent.stats)


def test_uid_filter():
    mark = marker()
    uid = random.randrange(4_400_000, 4_500_000)  # this run's own: another suite's execs stay out
    with Agent("--uid", str(uid), "--kind", "process.exec") as agent:
        subprocess.run([TRUE, mark])
        subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                        TRUE, mark], check=True)
        agent.wait_for(lambda e: e["kind"] == "process.exec" and e["proc"]["exe"] == TRUE)
    execs = agent.of("process.exec")
    assert all(e["proc"]["uid"] == uid for e in execs)
    ev = one(execs, "exec as the test's uid")
    assert mark in ev["proc"]["args"]
    assert ev["proc"]["euid"] == uid and ev["proc"]["gid"] == uid
    assert agent.stats["process.exec"]["filtered"] >= 2  # /bin/true as root, setpriv itself


def test_loss_is_counted_exactly():
    with Agent("--ringbuf-size", "4096", "--kind", "process.exec") as agent:
        agent.proc.send_signal(signal.SIGSTOP)  # the consumer stops: the ring buffer fills
        try:
            subprocess.run([DASH, "-c", f"i=0; while [ $i -lt 200 ]; do {TRUE}; i=$((i+1)); done"],
                           check=True)
        finally:
            agent.proc.send_signal(signal.SIGCONT)
        loss = agent.wait_for(lambda e: e["kind"] == "agent.loss", what="agent.loss")
    st = agent.stats["process.exec"]
    assert st["lost"] > 0, st
    assert st["produced"] >= 200
    assert st["delivered"] + st["lost"] == st["produced"], st
    assert st["delivered"] == len(agent.of("process.exec"))
    reported = sum(e["lost"].get("process.exec", 0) for e in agent.events
                   if e["kind"] == "agent.loss")
    assert reported == st["lost"]
    assert loss["total"] == sum(loss["lost"].values())


def test_seeded_parent_is_complete():
    mark = marker()
    # the parent starts before vigil; its child appears after
    parent = subprocess.Popen([DASH, "-c", f"read x; exec {TRUE} child-{mark}", mark],
                              stdin=subprocess.PIPE)
    try:
        with Agent("--kind", "process.exec") as agent:
            assert agent.ready["agent"]["processes_seeded"] > 5
            parent.stdin.write(b"go\n")
            parent.stdin.flush()
            parent.wait(timeout=10)
            agent.wait_for(lambda e: f"child-{mark}" in e.get("proc", {}).get("args", []))
    finally:
        parent.kill()
    ev = one(with_marker(agent.events, f"child-{mark}"), "child exec")
    # the child exec'd in place of the seeded shell: its parent is this test process
    assert ev["proc"]["tgid"] == parent.pid
    assert ev["parent"]["tgid"] == os.getpid()
    assert ev["parent"]["exe"] == os.path.realpath("/proc/self/exe")
    assert ev["parent"]["args"][0] and ev["parent"]["exec_id"] == ev["proc"]["parent_exec_id"]
    # the start_ns in exec_id is the kernel's, in ns; /proc says the same in clock ticks
    start_ns = int(ev["parent"]["exec_id"].split(":")[1])
    assert start_ns // (10**9 // os.sysconf("SC_CLK_TCK")) == my_exec_id_parts()


def test_seeded_process_fork_carries_parent():
    mark = marker()
    sh = subprocess.Popen([DASH, "-c", f"read x; {TRUE} a; read y", mark], stdin=subprocess.PIPE)
    try:
        with Agent("--kind", "process.fork,process.exec") as agent:
            sh.stdin.write(b"1\n")
            sh.stdin.flush()
            ev = agent.wait_for(lambda e: e["kind"] == "process.exec"
                                and e["proc"]["ppid"] == sh.pid)
            sh.stdin.write(b"2\n")
            sh.stdin.flush()
            sh.wait(timeout=10)
    finally:
        sh.kill()
    assert ev["parent"]["args"] == [DASH, "-c", f"read x; {TRUE} a; read y", mark]
    fork = one(agent.of("process.fork", tgid=ev["proc"]["tgid"]), "fork of the seeded shell")
    assert fork["proc"]["args"] == ev["parent"]["args"]  # before exec the child is a shell copy
    assert fork["parent"]["exe"] == DASH


def test_ancestors_chain_to_init():
    mark = marker()
    with Agent("--kind", "process.exec", "--ancestors") as agent:
        subprocess.run([DASH, "-c", f"{TRUE} {mark}; exit 0"])
        agent.wait_for(lambda e: mark in e.get("proc", {}).get("args", []))
    ev = one([e for e in with_marker(agent.events, mark) if e["proc"]["exe"] == TRUE], "exec")
    chain = [ev["parent"]] + ev["ancestors"]
    tgids = [a["tgid"] for a in chain]
    assert tgids[0] == ev["proc"]["ppid"]
    assert tgids[1] == os.getpid()
    assert tgids[-1] == 1, tgids
    for child, parent in zip(chain, chain[1:]):
        assert child["ppid"] == parent["tgid"]


def test_threads_only_with_flag():
    mark = marker()
    threads = helper("proc_threads")
    with Agent("--kind", "process.fork") as agent:
        pid, _ = spawn([threads, "2", mark])
        agent.wait_for(lambda e: e.get("proc", {}).get("tgid") == pid)
        time.sleep(0.3)
    plain = agent.of("process.fork", tgid=pid)
    assert len(plain) == 1 and plain[0]["fork"]["thread"] is False
    with Agent("--kind", "process.fork", "--threads") as agent:
        pid, _ = spawn([threads, "2", mark])
        agent.wait_for(lambda e: e.get("proc", {}).get("tgid") == pid
                       and e["fork"]["thread"], what="a thread fork")
        time.sleep(0.3)
    forks = agent.of("process.fork", tgid=pid)
    thr = [e for e in forks if e["fork"]["thread"]]
    assert len(thr) == 2, forks
    assert all(e["proc"]["tid"] != pid for e in thr)
    assert len({e["proc"]["tid"] for e in thr}) == 2


def test_long_args_truncated():
    mark = marker()
    big = ["x" * 1000 for _ in range(8)]
    with Agent("--kind", "process.exec") as agent:
        subprocess.run([TRUE, mark, *big])
        agent.wait_for(lambda e: mark in e.get("proc", {}).get("args", []))
    ev = one(with_marker(agent.events, mark), "exec")
    args = ev["proc"]["args"]
    assert ev["proc"]["args_truncated"] is True
    assert ev["exec"]["argc"] == 10
    assert args[:2] == [TRUE, mark] and args[2] == big[0]
    assert sum(len(a) + 1 for a in args) <= 4096 + 1
    # the kept prefix is exact, byte for byte
    joined = "\0".join([TRUE, mark, *big])
    assert joined.startswith("\0".join(args))


def test_hostile_args_are_valid_json():
    mark = marker()
    nasty = ['"quoted"\\', "tab\there\nnewline", "\x01\x1f", "caf\xe9", "\u2603"]
    raw = [a.encode("utf-8") for a in nasty] + [b"\xff\xfeinvalid"]
    with Agent("--kind", "process.exec") as agent:
        subprocess.run([TRUE.encode(), mark.encode(), *raw])
        agent.wait_for(lambda e: mark in e.get("proc", {}).get("args", []))
    ev = one(with_marker(agent.events, mark), "exec")
    assert ev["proc"]["args"][2:7] == nasty
    assert ev["proc"]["args"][7] == "\ufffd\ufffdinvalid"


def test_text_format_and_duration():
    mark = marker()
    p = subprocess.Popen([vigil_test.VIGIL, "run", "--format", "text", "--duration", "3",
                          "-k", "process.exec"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()  # agent.ready: the sensors are attached
    subprocess.run([TRUE, mark])
    out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    lines = [first.rstrip("\n")] + out.splitlines()
    assert " agent.ready " in lines[0]
    line = one([l for l in lines if mark in l], "text line")
    assert " process.exec " in line and f"exe={TRUE}" in line and "args=[" in line
    assert " agent.stats " in lines[-1]


def test_output_file_appends():
    mark = marker()
    path = f"/tmp/vigil-{mark}.jsonl"
    with open(path, "w") as f:
        f.write('{"kind":"previous"}\n')
    try:
        r = vigil("run", "--output", path, "--duration", "0.5", "-k", "process.exec")
        assert r.returncode == 0, r.stderr
        assert r.stdout == ""
        with open(path) as f:
            lines = f.read().splitlines()
        assert lines[0] == '{"kind":"previous"}'
        assert '"kind":"agent.ready"' in lines[1] and '"kind":"agent.stats"' in lines[-1]
        assert oct(os.stat(path).st_mode & 0o777) == "0o644"  # existing file: mode kept
    finally:
        os.unlink(path)
    r = vigil("run", "--output", path, "--duration", "0.3", "-k", "process.exec")
    try:
        assert r.returncode == 0, r.stderr
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"  # a new file: owner only
    finally:
        os.unlink(path)


def test_ready_lists_sensors_with_probed_method():
    probe = vigil("probe", "--json", check=True)
    import json
    features = json.loads(probe.stdout)
    with Agent("--kind", "process.exec") as agent:
        ready = agent.ready
    sensor = one([s for s in ready["sensors"] if s["name"] == "process"], "process sensor")
    assert sensor["status"] == "attached"
    expected = "tp_btf" if features["tp_btf"]["available"] else "raw_tp"
    assert sensor["method"] == expected
    assert sensor["hooks"] == ["sched_process_exec", "sched_process_fork", "sched_process_exit"]
    assert ready["agent"]["tgid"] == agent.proc.pid
    assert ready["agent"]["kernel"] == os.uname().release


def test_filtered_lifecycle_still_feeds_the_table():
    """Execs the filter refuses still reach the process table (marked table-only, not shown):
    a shown process's parent, started after vigil and filtered out, is known from the kernel."""
    mark = marker()
    name = "vf" + mark[-10:]
    path = f"/tmp/{name}"
    os.symlink(TRUE, path)
    on_cleanup(lambda: os.unlink(path))
    with Agent("--comm", name, "-k", "process.exec") as agent:
        # the parent shell (comm sh/dash: filtered) forks and execs the matching child
        spawn([DASH, "-c", f"{path} child-{mark}; exit 0", f"parent-{mark}"])
        agent.wait_for(lambda e: e.get("proc", {}).get("comm") == name)
    ev = one(agent.of("process.exec", comm=name), "the matching exec")
    assert ev["parent"]["args"] == [DASH, "-c", f"{path} child-{mark}; exit 0", f"parent-{mark}"]
    assert ev["parent"]["exe"] == DASH
    assert "source" not in ev["proc"]
    # the shell's own exec was not shown, but it was delivered to the table
    assert not [e for e in agent.of("process.exec") if e["proc"]["comm"] != name]
    st = agent.stats["process.exec"]
    assert st["delivered"] == 1 and st["produced"] == 1, st
    assert st["filtered"] >= 1 and st["table_only"]["produced"] >= 1, st
    t = st["table_only"]
    assert t["delivered"] + t["lost"] == t["produced"], t
