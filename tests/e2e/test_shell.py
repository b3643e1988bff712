"""Shells and terminals: shell.command (bash's readline), tty.write, process.output, and the tools
over them (bashreadline, ttysnoop, shellsnoop). Interactive bash runs under tmux, on a private
server socket, so that it has a real pts and reads its lines with readline."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import vigil_test
from vigil_test import Agent, Skip, check_invariant, helper, marker, on_cleanup, one, parse_jsonl

PTS_MAJOR = 136


class Tool:
    """`vigil TOOL ARGS` in the background; stdout and stderr go to files (the mirror is raw)."""

    def __init__(self, *args):
        self.args = list(args)
        self.dir = tempfile.mkdtemp(prefix="vigil-shell-")
        on_cleanup(lambda: shutil.rmtree(self.dir, ignore_errors=True))
        self.out = os.path.join(self.dir, "out")
        self.err = os.path.join(self.dir, "err")
        self.proc = None

    def start(self, ready, timeout=60):
        """ready(stdout_bytes, stderr_text) says when the tool is attached."""
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen([vigil_test.VIGIL, *self.args], stdout=o, stderr=e)
        on_cleanup(self.kill)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready(self.stdout(), self.stderr()):
                return self
            if self.proc.poll() is not None:
                raise AssertionError(f"vigil {self.args} exited {self.proc.returncode}: {self.stderr()}")
            time.sleep(0.05)
        raise AssertionError(f"vigil {self.args} not ready within {timeout}s: {self.stderr()}")

    def stdout(self):
        with open(self.out, "rb") as f:
            return f.read()

    def stderr(self):
        with open(self.err, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.wait(timeout=30) == 0, f"vigil {self.args} failed: {self.stderr()}"
        return self.stdout()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def json_ready(out, err):
    return b'"kind":"agent.ready"' in out


def note_ready(out, err):
    return "(Ctrl-C to end)" in err


def events_of(raw, kind):
    evs = parse_jsonl(raw.decode())
    assert evs[-1]["kind"] == "agent.stats", evs[-1]["kind"]
    check_invariant(evs[-1]["stats"])
    return [e for e in evs if e["kind"] == kind], evs[-1]["stats"]


class TmuxBash:
    """An interactive bash in a tmux pane of a private tmux server."""

    def __init__(self, bash="/bin/bash"):
        if not shutil.which("tmux"):
            raise Skip("tmux is not installed (scripts/install-deps.sh installs it)")
        self.sock = "vigil-" + marker()
        env = dict(os.environ, HISTFILE="/dev/null", PS1="$ ", TERM="xterm")
        subprocess.run(["tmux", "-L", self.sock, "new-session", "-d", "-x", "200", "-y", "50",
                        f"{bash} --norc --noprofile"], check=True, env=env)
        on_cleanup(lambda: subprocess.run(["tmux", "-L", self.sock, "kill-server"],
                                          capture_output=True))
        info = subprocess.run(["tmux", "-L", self.sock, "display", "-p", "#{pane_pid} #{pane_tty}"],
                              check=True, capture_output=True, text=True).stdout.split()
        self.pid, self.tty = int(info[0]), info[1]
        self.minor = os.minor(os.stat(self.tty).st_rdev)

    def type(self, line):
        subprocess.run(["tmux", "-L", self.sock, "send-keys", "-t", "0", "-l", line], check=True)
        subprocess.run(["tmux", "-L", self.sock, "send-keys", "-t", "0", "Enter"], check=True)

    def screen(self):
        return subprocess.run(["tmux", "-L", self.sock, "capture-pane", "-p", "-t", "0"],
                              capture_output=True, text=True).stdout

    def wait_screen(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.screen():
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared in the pane: {self.screen()!r}")


def check_proc(ev, tgid, comm):
    p = ev["proc"]
    assert p["tgid"] == tgid and p["tid"] == tgid, p
    assert p["comm"] == comm, p
    assert p["uid"] == os.getuid() and p["euid"] == os.geteuid(), p
    with open(f"/proc/{tgid}/stat") as f:
        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
    assert p["ppid"] == ppid, (p, ppid)


def test_shell_command_from_bash_under_tmux():
    mark = marker()
    agent = Agent("--kind", "shell.command").start()
    text = Tool("bashreadline").start(lambda out, err: out.startswith(b"TIME"))
    shell = one([s for s in agent.ready["sensors"] if s["name"] == "shell"], "shell sensor")
    assert shell["status"] == "attached" and shell["method"] == "uprobe", shell
    bash = TmuxBash()
    bash.type(f"echo {mark}-$((6*7))")
    bash.wait_screen(f"{mark}-42")
    bash.type("")  # Enter alone runs nothing and is not reported
    bash.type(f": second {mark}")
    agent.wait_for(lambda e: e.get("shell", {}).get("command") == f": second {mark}")
    evs = agent.stop()
    rows = text.stop().decode().splitlines()

    cmds = [e for e in agent.of("shell.command", tgid=bash.pid)]
    assert [e["shell"]["command"] for e in cmds] == [f"echo {mark}-$((6*7))", f": second {mark}"]
    for e in cmds:
        check_proc(e, bash.pid, "bash")
        assert e["proc"]["exe"] == os.path.realpath("/bin/bash"), e["proc"]
        assert e["shell"]["tty"] == bash.tty[len("/dev/"):], e["shell"]
        assert e["shell"]["tty_major"] == PTS_MAJOR and e["shell"]["tty_minor"] == bash.minor
        assert e["shell"]["truncated"] is False
    check_invariant(agent.stats)
    assert agent.stats["shell.command"]["produced"] >= 2

    assert rows[0].split() == ["TIME", "PID", "COMMAND"]
    mine = [r for r in rows[1:] if mark in r]
    assert len(mine) == 2, rows
    assert re.fullmatch(rf"\d\d:\d\d:\d\d {bash.pid:<7} echo {mark}-\$\(\(6\*7\)\)", mine[0]), mine
    assert re.fullmatch(rf"\d\d:\d\d:\d\d {bash.pid:<7} : second {mark}", mine[1]), mine


def test_bash_option_watches_another_bash():
    mark = marker()
    d = tempfile.mkdtemp(prefix="vigil-bash-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    other = os.path.join(d, "otherbash")
    shutil.copy2("/bin/bash", other)  # another inode: the probe on /bin/bash does not see it
    agent = Agent("--kind", "shell.command", "--bash", other).start()
    theirs, mine = TmuxBash(), TmuxBash(other)
    theirs.type(f": in-bin-bash {mark}")
    mine.type(f": in-other {mark}")
    agent.wait_for(lambda e: e.get("shell", {}).get("command") == f": in-other {mark}")
    mine.type(f"echo {mark}-done")
    theirs.wait_screen(f"in-bin-bash {mark}")
    mine.wait_screen(f"{mark}-done\n")
    time.sleep(0.3)
    agent.stop()
    got = [e for e in agent.of("shell.command") if mark in e["shell"]["command"]]
    assert [e["shell"]["command"] for e in got] == [f": in-other {mark}", f"echo {mark}-done"], got
    for e in got:
        check_proc(e, mine.pid, "otherbash")
        assert e["proc"]["exe"] == other
        assert e["shell"]["tty"] == mine.tty[len("/dev/"):]


def test_bash_path_must_exist():
    r = vigil_test.vigil("bashreadline", "--bash", "/nonexistent/bash", "-d", "1")
    assert r.returncode != 0
    assert r.stderr.startswith("vigil: shell: bash /nonexistent/bash: No such file"), r.stderr


def test_ttysnoop_mirrors_a_pts():
    mark = marker()
    bash = TmuxBash()
    bash.type("true")  # the prompt has been drawn before the tools start
    time.sleep(0.3)
    mirror = Tool("ttysnoop", str(bash.minor)).start(note_ready)
    as_json = Tool("ttysnoop", "--json", bash.tty).start(json_ready)
    assert f"mirroring what is written to {bash.tty}" in mirror.stderr()
    other_m, other_s = os.openpty()  # a write to another terminal must stay out
    on_cleanup(lambda: (os.close(other_m), os.close(other_s)))
    os.write(other_s, f"other-{mark}\n".encode())
    bash.type(f"echo {mark}-$((6*7))")
    bash.wait_screen(f"{mark}-42\n")
    time.sleep(0.3)
    raw = mirror.stop()
    evs, stats = events_of(as_json.stop(), "tty.write")

    assert f"{mark}-42\n".encode() in raw, raw
    assert f"other-{mark}".encode() not in raw
    out = [e for e in evs if e["tty"]["data"] == f"{mark}-42\n"]
    e = one(out, "tty.write of the echo")
    check_proc(e, bash.pid, "bash")
    assert e["tty"] == {"name": bash.tty[len("/dev/"):], "major": PTS_MAJOR, "minor": bash.minor,
                        "fd": 1, "call": "write", "count": len(mark) + 4, "data": f"{mark}-42\n",
                        "truncated": False}, e["tty"]
    assert all(ev["tty"]["minor"] == bash.minor for ev in evs), "the DEVICE filter let others in"
    assert stats["tty.write"]["produced"] == len(evs)


def test_tty_write_truncation_and_writev():
    master, slave = os.openpty()
    on_cleanup(lambda: (os.close(master), os.close(slave)))
    stop = threading.Event()

    def drain():  # the terminal's other end reads, so that big writes never block
        while not stop.is_set():
            try:
                os.read(master, 65536)
            except OSError:
                return
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    on_cleanup(stop.set)
    name = os.ttyname(slave)
    agent = Tool("ttysnoop", "--json", name).start(json_ready)
    big = bytes((ord("a") + i % 26) for i in range(10000))
    assert os.write(slave, big) == len(big)
    parts = [b"x%d-" % i for i in range(10)]  # more iovecs than vigil reads
    os.writev(slave, parts)
    small = [b"head-", b"tail\n"]
    os.writev(slave, small)
    time.sleep(0.3)
    evs, stats = events_of(agent.stop(), "tty.write")
    evs = [e for e in evs if e["proc"]["tgid"] == os.getpid()]
    assert len(evs) == 3, [e["tty"]["count"] for e in evs]
    minor = os.minor(os.stat(name).st_rdev)
    for e in evs:
        assert e["tty"]["name"] == name[len("/dev/"):] and e["tty"]["minor"] == minor
        assert e["tty"]["fd"] == slave
    w, v, s = evs
    assert w["tty"]["call"] == "write" and w["tty"]["count"] == 10000
    assert w["tty"]["data"] == big[:4096].decode() and w["tty"]["truncated"] is True
    assert v["tty"]["call"] == "writev" and v["tty"]["truncated"] is True
    assert v["tty"]["count"] == sum(len(p) for p in parts[:8])
    assert v["tty"]["data"] == b"".join(parts[:8]).decode()
    assert s["tty"]["call"] == "writev" and s["tty"]["count"] == 10
    assert s["tty"]["data"] == "head-tail\n" and s["tty"]["truncated"] is False


def run_tree(mark, *tool_args, json_too=True):
    """Runs shell_tree under shellsnoop (text, and JSON when asked); returns (tree lines by name,
    mirror bytes, JSON events)."""
    tree = subprocess.Popen([helper("shell_tree"), mark], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    on_cleanup(lambda: tree.poll() is None and tree.kill())
    ready = tree.stdout.readline().split()
    assert ready[0] == b"ready", ready
    early = int(ready[1])
    mirror = Tool("shellsnoop", *tool_args, str(tree.pid)).start(note_ready)
    as_json = Tool("shellsnoop", "--json", *tool_args, str(tree.pid)).start(json_ready) if json_too else None
    out, err = tree.communicate(b"go\n", timeout=20)
    assert tree.returncode == 0, (tree.returncode, err)
    time.sleep(0.2)
    lines = {}
    for l in (out + err).decode().splitlines():
        name, m, tgid, ppid = l.split()
        assert m == mark
        lines[name] = (l + "\n", int(tgid), int(ppid))
    evs = events_of(as_json.stop(), "process.output")[0] if json_too else None
    return lines, mirror.stop(), tree.pid, early, evs


def test_shellsnoop_mirrors_a_process_tree():
    mark = marker()
    lines, raw, root, early, evs = run_tree(mark)
    order = ["P-out", "P-err", "P-vec", "C-out", "G-out", "E-out", "P-end"]
    assert raw.decode() == "".join(lines[n][0] for n in order), raw
    assert lines["E-out"][1] == early and lines["C-out"][2] == root
    assert lines["G-out"][2] == lines["C-out"][1]

    mine = [e for e in evs if mark in e["output"]["data"]]
    assert [e["output"]["data"] for e in mine] == [lines[n][0] for n in order]
    for n, e in zip(order, mine):
        text, tgid, ppid = lines[n]
        assert e["proc"]["tgid"] == tgid and e["proc"]["ppid"] == ppid, (n, e["proc"])
        assert e["proc"]["comm"] == "shell_tree"
        err = n == "P-err"
        assert e["output"] == {"stream": "stderr" if err else "stdout", "fd": 2 if err else 1,
                               "call": "writev" if n == "P-vec" else "write",
                               "count": len(text), "data": text, "truncated": False}, (n, e["output"])


def test_shellsnoop_self_only_leaves_out_subcommands():
    mark = marker()
    lines, raw, root, early, evs = run_tree(mark, "-s")
    assert raw.decode() == "".join(lines[n][0] for n in ["P-out", "P-err", "P-vec", "P-end"]), raw
    assert {e["proc"]["tgid"] for e in evs} == {root}


def test_shellsnoop_replay_script_reproduces_the_output():
    mark = marker()
    lines, script, root, early, _ = run_tree(mark, "-r", json_too=False)
    text = script.decode()
    assert text.startswith("#!/bin/sh\n"), text
    assert all(l.startswith(("printf '", "sleep ")) for l in text.splitlines()[1:]), text
    replay = subprocess.run(["/bin/sh", "-c", text], capture_output=True, timeout=30)
    order = ["P-out", "P-err", "P-vec", "C-out", "G-out", "E-out", "P-end"]
    assert replay.stdout.decode() == "".join(lines[n][0] for n in order), replay


def test_agent_follow():
    mark = marker()
    tree = subprocess.Popen([helper("shell_tree"), mark], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    on_cleanup(lambda: tree.poll() is None and tree.kill())
    assert tree.stdout.readline().startswith(b"ready ")
    agent = Agent("--kind", "process.output", "--follow", str(tree.pid)).start()
    out, err = tree.communicate(b"go\n", timeout=20)
    assert tree.returncode == 0
    time.sleep(0.2)
    agent.stop()
    lines = {l.split()[0]: l + "\n" for l in (out + err).decode().splitlines()}
    order = ["P-out", "P-err", "P-vec", "C-out", "G-out", "E-out", "P-end"]
    assert [e["output"]["data"] for e in agent.of("process.output")] == [lines[n] for n in order]
    check_invariant(agent.stats)


def test_tools_refuse_bad_arguments():
    r = vigil_test.vigil("shellsnoop", "4194303")
    assert r.returncode != 0 and "no process has the PID 4194303" in r.stderr, r.stderr
    r = vigil_test.vigil("ttysnoop", "/dev/null/x")
    assert r.returncode != 0 and "/dev/null/x: Not a directory" in r.stderr, r.stderr
    r = vigil_test.vigil("ttysnoop", "/dev/tty")
    assert r.returncode != 0 and "/dev/tty stands for another terminal" in r.stderr, r.stderr
    r = vigil_test.vigil("ttysnoop", "/etc/hostname")
    assert r.returncode != 0 and "/etc/hostname is not a terminal device" in r.stderr, r.stderr
