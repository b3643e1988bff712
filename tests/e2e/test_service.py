"""vigil as a service: how it stops (SIGINT/SIGTERM, a second signal) and reopens its output
(SIGUSR1, for logrotate). Every test drives the real agent with real signals on this kernel."""
import os
import pty
import signal
import subprocess
import time

import vigil_test
from vigil_test import Agent, check_invariant, marker, parse_jsonl


def _exec_loop(mark):
    """A shell that execs /bin/true MARK in a loop: a steady stream of events to stop under."""
    return subprocess.Popen(["/bin/sh", "-c", f"while :; do /bin/true {mark}; done"])


def _marked_execs(events, mark):
    return [e for e in events if e.get("kind") == "process.exec"
            and mark in " ".join(e.get("proc", {}).get("args", []))]


def _stop_timed(agent, sig):
    t0 = time.monotonic()
    agent.proc.send_signal(sig)
    agent.proc.wait(timeout=30)
    return time.monotonic() - t0


def test_stop_is_quick_and_exact_under_load():
    """Every sensor attached (the slow case: ~100 tracepoint links); SIGTERM while execs stream.
    The agent exits well within a second, agent.stats comes last, and its counts are exact:
    per kind delivered + lost == produced, and the file holds exactly `delivered` execs."""
    mark = marker()
    agent = Agent("--no-rules").start()
    loop = _exec_loop(mark)
    try:
        agent.wait_for(lambda e: e.get("kind") == "process.exec"
                       and mark in " ".join(e.get("proc", {}).get("args", [])),
                       what="an exec of the loop")
        secs = _stop_timed(agent, signal.SIGTERM)
    finally:
        loop.kill()
        loop.wait()
    events = agent.read()
    agent.kill()
    print(f"  stop took {secs * 1000:.0f} ms (every sensor attached, execs streaming)")
    assert agent.proc.returncode == 0, agent.proc.stderr.read()
    assert events[-1]["kind"] == "agent.stats", events[-1]["kind"]
    assert [e["kind"] for e in events].count("agent.stats") == 1
    stats = events[-1]["stats"]
    check_invariant(stats)
    execs = [e for e in events if e.get("kind") == "process.exec"]
    assert stats["process.exec"]["delivered"] == len(execs), (stats["process.exec"], len(execs))
    assert len(_marked_execs(events, mark)) >= 1
    assert secs < 1.0, f"stop took {secs:.2f} s"
    # the sensors are gone: an exec after the stop reaches nobody (no agent, no program)
    ids = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True).stdout
    assert f"pid {agent.proc.pid} " not in ids


def test_stopping_line_only_on_a_terminal():
    """'vigil: stopping' goes to stderr when it is a terminal, and not when it is a pipe."""
    mfd, sfd = pty.openpty()
    out = Agent("-k", "process.exec")
    out.proc = None
    path = out.path
    proc = subprocess.Popen([vigil_test.VIGIL, "run", "-k", "process.exec", "--format", "json",
                             "--output", path], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=sfd)
    os.close(sfd)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(
                e.get("kind") == "agent.ready" for e in _read(path)):
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        tty_err = _drain(mfd)
    finally:
        os.close(mfd)
        if proc.poll() is None:
            proc.kill()
        if os.path.exists(path):
            os.unlink(path)
    assert "vigil: stopping" in tty_err, repr(tty_err)
    with Agent("-k", "process.exec") as piped:
        pass
    assert "stopping" not in piped.stderr, piped.stderr


def _read(path):
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    return parse_jsonl(text[: text.rfind("\n") + 1], path)


def _drain(fd):
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace")


def test_second_signal_stops_a_blocked_writer_at_once():
    """The output is a pipe nobody reads: the first SIGINT cannot finish an orderly stop (the
    write blocks), the second one abandons the output and the agent exits at once."""
    mark = marker()
    proc = subprocess.Popen([vigil_test.VIGIL, "run", "--no-rules", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    loop = None
    try:
        # the ready event is in the pipe; then fill it (64 KiB) with exec events
        head = proc.stdout.readline()
        assert b"agent.ready" in head, head
        loop = _exec_loop(mark)
        time.sleep(3)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.8)
        assert proc.poll() is None, "stopped although its output could not be written"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        secs = time.monotonic() - t0
    finally:
        if loop:
            loop.kill()
            loop.wait()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read().decode()
    print(f"  second signal to exit: {secs * 1000:.0f} ms")
    assert secs < 1.0, secs
    assert proc.returncode == 1, (proc.returncode, err)
    assert "second signal" in err, err


def test_sigusr1_reopens_the_output_file():
    """logrotate renames the file and sends SIGUSR1: later events go to a new file of the old
    name, the renamed file is complete (whole lines) and gets nothing after the reopen."""
    before, after = marker(), marker()
    agent = Agent("-k", "process.exec").start()
    rotated = agent.path + ".1"
    vigil_test.on_cleanup(lambda: os.path.exists(rotated) and os.unlink(rotated))
    subprocess.run(["/bin/echo", before], stdout=subprocess.DEVNULL, check=True)
    agent.wait_for(lambda e: before in " ".join(e.get("proc", {}).get("args", [])),
                   what="the exec before the rotation")
    os.rename(agent.path, rotated)
    agent.proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 5
    while not os.path.exists(agent.path) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert os.path.exists(agent.path), "no new file after SIGUSR1"
    subprocess.run(["/bin/echo", after], stdout=subprocess.DEVNULL, check=True)
    agent.wait_for(lambda e: after in " ".join(e.get("proc", {}).get("args", [])),
                   what="the exec after the rotation")
    assert agent.proc.poll() is None, "SIGUSR1 ended the agent"
    events = agent.stop()  # agent.stats last, in the new file
    with open(rotated) as f:
        old_text = f.read()
    assert old_text.endswith("\n")
    old = parse_jsonl(old_text, rotated)
    assert old[0]["kind"] == "agent.ready"
    assert len(_marked_execs(old, before)) == 1 and not _marked_execs(old, after)
    assert len(_marked_execs(events, after)) == 1 and not _marked_execs(events, before)
    assert not any(e["kind"] == "agent.stats" for e in old)
    # the counts span both files
    stats = events[-1]["stats"]["process.exec"]
    execs = len([e for e in old + events if e.get("kind") == "process.exec"])
    assert stats["delivered"] == execs, (stats, execs)


def test_sigusr1_unwritable_new_file_keeps_the_old_one():
    """If the file cannot be created again, vigil says so and keeps writing to the file it has."""
    mark = marker()
    agent = Agent("-k", "process.exec").start()
    d = os.path.dirname(agent.path)
    moved = os.path.join(d, os.path.basename(agent.path) + ".d")
    os.rename(agent.path, moved)
    os.mkdir(agent.path)  # a directory where the file should be: open() fails with EISDIR
    vigil_test.on_cleanup(lambda: os.path.isdir(agent.path) and os.rmdir(agent.path))
    vigil_test.on_cleanup(lambda: os.path.exists(moved) and os.unlink(moved))
    agent.proc.send_signal(signal.SIGUSR1)
    time.sleep(0.5)
    subprocess.run(["/bin/echo", mark], stdout=subprocess.DEVNULL, check=True)
    time.sleep(0.5)
    t0 = time.monotonic()
    agent.proc.send_signal(signal.SIGINT)
    agent.proc.wait(timeout=10)
    assert agent.proc.returncode == 0
    err = agent.proc.stderr.read()
    assert "cannot reopen" in err and "Is a directory" in err, err
    events = _read(moved)
    assert len(_marked_execs(events, mark)) == 1
    assert events[-1]["kind"] == "agent.stats"
    assert time.monotonic() - t0 < 5
    os.rmdir(agent.path)
    agent.kill()
