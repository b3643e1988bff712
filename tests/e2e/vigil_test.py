"""Helpers for vigil's end-to-end tests: start the real agent, do the real thing, read its events.

Every test runs as root against the running kernel. A test is a function named test_*; it fails
by raising (assert), skips by raising Skip.
"""
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid

BUILD = None
VIGIL = None
HELPERS = None
_cleanups = []
_agents = []


class Skip(Exception):
    pass


def configure(build):
    global BUILD, VIGIL, HELPERS
    BUILD = build
    VIGIL = os.path.join(build, "vigil")
    HELPERS = os.path.join(build, "tests", "helpers")


def helper(name):
    """Path of a compiled C helper from tests/helpers/."""
    path = os.path.join(HELPERS, name)
    assert os.access(path, os.X_OK), f"helper {path} not built"
    return path


def marker():
    """A unique string to find this test's own events among the machine's."""
    return "vmark" + uuid.uuid4().hex[:12]


def on_cleanup(fn):
    """Runs fn after the current test, pass or fail (cgroups, namespaces, files)."""
    _cleanups.append(fn)


def cleanup_after_test():
    """Stops the test's agents and runs its cleanups, last registered first. Returns what failed:
    a cleanup that fails leaves something behind, so the runner fails the test for it."""
    problems = []
    for agent in list(_agents):
        agent.kill()
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # noqa: BLE001: every cleanup runs, each failure is reported
            problems.append(f"{getattr(fn, '__name__', 'cleanup')}: {type(e).__name__}: {e}")
            print(f"  (cleanup failed: {problems[-1]})")
    return problems


def parse_jsonl(text, where="output"):
    events = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise AssertionError(f"{where}:{n}: not valid JSON ({e}): {line[:200]}")
    return events


def vigil(*args, check=False, timeout=60, input=None):
    """Runs `vigil ARGS` to completion and returns the CompletedProcess (text)."""
    return subprocess.run([VIGIL, *args], capture_output=True, text=True, timeout=timeout,
                          check=check, input=input)


class Agent:
    """`vigil run` in the background, writing JSON to a file; stop() returns its events."""

    def __init__(self, *args, cmd="run", ready_kind="agent.ready"):
        self.args = list(args)
        self.cmd = cmd
        self.ready_kind = ready_kind
        self.proc = None
        self.events = None
        fd, self.path = tempfile.mkstemp(prefix="vigil-e2e-", suffix=".jsonl")
        os.close(fd)
        os.unlink(self.path)  # vigil creates it; a test of --output wants that path fresh

    def start(self, timeout=60):
        """Starts the agent and waits for agent.ready. The bound is for a hung agent, not a
        measure: loading and verifying takes seconds, longer while the VM matrix runs beside."""
        self.proc = subprocess.Popen([VIGIL, self.cmd, "--format", "json", "--output", self.path,
                                      *self.args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        _agents.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read()
                raise AssertionError(f"vigil exited {self.proc.returncode} before ready: {err.strip()}")
            for ev in self.read():
                if ev.get("kind") == self.ready_kind:
                    self.ready = ev
                    return self
            time.sleep(0.02)
        raise AssertionError(f"vigil not ready within {timeout}s")

    def read(self):
        """Events written so far (the last line may be partial: left out)."""
        try:
            with open(self.path) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        if not text.endswith("\n"):
            text = text[: text.rfind("\n") + 1]
        return parse_jsonl(text, self.path)

    def wait_for(self, pred, timeout=10, what="event"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ev in self.read():
                if pred(ev):
                    return ev
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {timeout}s")

    def stop(self, sig=signal.SIGINT, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("vigil did not stop on SIGINT")
        self.stderr = self.proc.stderr.read()
        assert self.proc.returncode == 0, f"vigil exited {self.proc.returncode}: {self.stderr}"
        self.events = self.read()
        assert self.events, "no events at all"
        assert self.events[-1]["kind"] == "agent.stats", f"last event is {self.events[-1]['kind']}"
        if self in _agents:
            _agents.remove(self)
        os.unlink(self.path)
        return self.events

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self in _agents:
            _agents.remove(self)
        if os.path.exists(self.path):
            os.unlink(self.path)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if exc[0] is not None:
            self.kill()
        elif self.events is None:
            self.stop()
        return False

    def of(self, kind, **where):
        """Events of a kind whose proc fields equal the given values."""
        evs = self.events if self.events is not None else self.read()
        out = []
        for ev in evs:
            if ev.get("kind") != kind:
                continue
            if all(ev.get("proc", {}).get(k) == v for k, v in where.items()):
                out.append(ev)
        return out

    @property
    def stats(self):
        return self.events[-1]["stats"]


def with_marker(events, mark):
    """Events whose proc args mention mark."""
    return [e for e in events if mark in " ".join(e.get("proc", {}).get("args", []))]


def one(items, what):
    assert len(items) == 1, f"expected exactly one {what}, got {len(items)}: {str(items)[:600]}"
    return items[0]


def spawn(args, **kw):
    """Runs a command to completion; returns (pid, returncode): the pid is what events carry."""
    p = subprocess.Popen(args, **kw)
    p.wait(timeout=60)
    return p.pid, p.returncode


def check_invariant(stats):
    """delivered + lost == produced, exactly, for every kind."""
    for kind, s in stats.items():
        assert s["delivered"] + s["lost"] == s["produced"], f"{kind}: {s}"


BPFFS = "/sys/fs/bpf"
TRACEFS = "/sys/kernel/tracing"


def _ensure_mounted(path, fstype, *opts):
    if subprocess.run(["mountpoint", "-q", path]).returncode != 0:
        subprocess.run(["mount", "-t", fstype, *opts, fstype, path], check=True)
    return path


def bpffs():
    """The BPF filesystem, mounted the way vigil mounts it when a fresh boot has none."""
    return _ensure_mounted(BPFFS, "bpf", "-o", "mode=0700")


def tracefs():
    """tracefs, mounted when a fresh boot has none (as vigil does for itself)."""
    return _ensure_mounted(TRACEFS, "tracefs")


def cgroup2_root():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            if " - cgroup2 " in line:
                return line.split()[4]
    raise Skip("no cgroup2 mount")


def make_cgroup(name):
    path = os.path.join(cgroup2_root(), name)
    os.mkdir(path)
    on_cleanup(lambda: os.rmdir(path))
    return path
