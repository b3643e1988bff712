"""Chaos cases (docs/reliability.md): each runs under an exec and open storm and ends with the
accounting invariant checked for every kind. Bounded: the whole file takes about a minute.
Longer soaks: `make chaos-soak` (VIGIL_CHAOS_SCALE multiplies durations and counts)."""
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from chaos import Storm, invariant
from vigil_test import Agent, helper, on_cleanup

SCALE = int(os.environ.get("VIGIL_CHAOS_SCALE", "1"))
UID = 23124  # this suite's own (coord.md: reliability's range)


def workdir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    os.chmod(d, 0o755)
    return d


def test_smallest_ring_buffer_under_a_storm_loses_exactly_what_it_counts():
    with Storm(procs=2):
        agent = Agent("--ringbuf-size", "4096", "-k", "process.exec,file.open").start()
        time.sleep(1 * SCALE)
        agent.proc.send_signal(signal.SIGSTOP)  # the consumer stalls: the 4 KiB fill at once
        time.sleep(0.5)
        agent.proc.send_signal(signal.SIGCONT)
        time.sleep(1 * SCALE)
        events = agent.stop()
    stats = invariant(events, "smallest ring buffer, exec+open storm")
    assert stats["process.exec"]["lost"] > 0 and stats["file.open"]["lost"] > 0, stats
    # every delivered event is in the output exactly once
    for kind in ("process.exec", "file.open"):
        assert sum(1 for e in events if e["kind"] == kind) == stats[kind]["delivered"], kind


VALID = """
rules:
  - name: chaos watch
    description: an open the prober makes
    on: file.open
    when: file.path == {d}/a
    severity: low
  - name: chaos deny
    description: an open that must always kill
    on: file.open
    when: file.path == {d}/secret
    action: deny
"""

INVALID = """
rules:
  - name: chaos broken
    on: file.open
    when: file.path ==
"""


def as_test_user(path):
    p = subprocess.run([helper("enforce_task"), "open", path], capture_output=True, text=True,
                       timeout=30, user=UID)
    return p.returncode, p.stdout


def test_a_hundred_reloads_in_ten_seconds_never_turn_the_rules_off():
    d = workdir("vigil-chaos-")
    for name in ("a", "secret"):
        with open(os.path.join(d, name), "w") as f:
            f.write(name + "\n")
        os.chmod(os.path.join(d, name), 0o644)
    pol = os.path.join(d, "rules.yaml")
    with open(pol, "w") as f:
        f.write(VALID.format(d=d))
    reloads = 100 * SCALE
    with Storm():
        agent = Agent("--policy", pol, "--uid", str(UID)).start()
        probes = {"a": 0, "secret": 0, "survived": []}
        done = threading.Event()

        def prober():  # while reloads fly: secret must kill every time, a must alert
            try:
                probe_loop()
            except Exception as e:  # the main thread asserts on it
                probes["error"] = e

        def probe_loop():
            while not done.is_set():
                rc, out = as_test_user(os.path.join(d, "secret"))
                probes["secret"] += 1
                if rc != -signal.SIGKILL or "read:" in out:
                    probes["survived"].append((rc, out))
                as_test_user(os.path.join(d, "a"))
                probes["a"] += 1
        t = threading.Thread(target=prober)
        t.start()
        try:
            for i in range(reloads):
                with open(pol, "w") as f:
                    f.write(VALID.format(d=d) if i % 2 == 0 else INVALID)
                agent.proc.send_signal(signal.SIGHUP)
                time.sleep(0.1)
        finally:
            done.set()
            t.join()
        # let the last reload finish before stopping
        time.sleep(0.5)
        events = agent.stop()
    assert "error" not in probes, probes.get("error")
    assert not probes["survived"], probes["survived"][:5]
    assert probes["secret"] >= 10, probes
    statuses = [e["status"] for e in events if e["kind"] == "agent.policy"]
    assert statuses[0] == "loaded" and set(statuses[1:]) == {"reloaded", "rejected"}, statuses
    # SIGHUPs that arrive during a reload are merged into the next one: most are separate
    assert len(statuses) - 1 >= reloads // 2, len(statuses)
    stats = invariant(events, f"{reloads} SIGHUP reloads, valid and invalid", faults=reloads // 2)
    alerts = [e for e in events if e["kind"] == "alert" and e["rule"]["name"] == "chaos watch"]
    assert len(alerts) == probes["a"], (len(alerts), probes)
    # the filters were never off: only the prober's opens of a passed them (not its loader's,
    # not the storm's)
    assert stats["file.open"]["produced"] == probes["a"], (stats["file.open"], probes)


BROAD = {
    "open": """
rules:
  - name: deny every open
    description: would stop every open on the host
    on: file.open
    when: file.path startswith /
    action: deny
""",
    "exec": """
rules:
  - name: kill every exec
    description: would stop every exec on the host
    on: process.exec
    when: proc.exe startswith /
    action: kill
""",
}


def test_a_rule_that_would_deny_every_exec_or_open_is_refused_unless_forced():
    from vigil_test import cgroup2_root, vigil
    d = workdir("vigil-chaos-")
    for what, text in BROAD.items():
        pol = os.path.join(d, what + ".yaml")
        with open(pol, "w") as f:
            f.write(text)
        p = vigil("run", "--policy", pol, "--duration", "1", "--output", os.devnull, timeout=60)
        assert p.returncode == 1, (what, p.returncode, p.stderr)
        assert f"would {'deny' if what == 'open' else 'kill'} every {what} on this host" in p.stderr
        assert "refused; --force-broad-deny runs it" in p.stderr, p.stderr
    # the negative: a rule that names a directory is not broad
    narrow = os.path.join(d, "narrow.yaml")
    with open(narrow, "w") as f:
        f.write(BROAD["open"].replace("startswith /", f"startswith {d}/nothing/"))
    p = vigil("run", "--policy", narrow, "--duration", "1", "--output", os.devnull, timeout=60)
    assert p.returncode == 0, p.stderr
    # forced, it runs: here with the whole cgroup tree exempted, so that this shared host keeps
    # running (the exemption is checked after the match: the rule is live, and matches). First
    # a guard: a narrow rule with the same exemption must not act, or the broad run is not safe.
    secret = os.path.join(d, "secret")
    with open(secret, "w") as f:
        f.write("x\n")
    guard = os.path.join(d, "guard.yaml")
    with open(guard, "w") as f:
        f.write(BROAD["open"].replace("startswith /", f"== {secret}"))
    with Agent("--policy", guard, "--exempt-cgroup", cgroup2_root()):
        rc, out = subprocess.run([helper("enforce_task"), "open", secret], capture_output=True,
                                 text=True, timeout=30).returncode, ""
        assert rc == 0, f"the exemption did not hold (rc {rc}): not running the broad rule"
    pol = os.path.join(d, "open.yaml")
    with Storm():
        agent = Agent("--policy", pol, "--force-broad-deny", "--exempt-cgroup",
                      cgroup2_root()).start()
        pol_ev = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
        rule = [r for r in pol_ev["enforcement"]["rules"] if r["name"] == "deny every open"]
        assert rule and rule[0]["mode"] == "enforce", pol_ev["enforcement"]
        rc = subprocess.run(["/bin/cat", "/etc/hostname"], capture_output=True).returncode
        assert rc == 0
        time.sleep(1)
        events = agent.stop()
    invariant(events, "a forced rule denying every open (everything exempted)")


def bpf_ids_held_by(pid):
    """The BPF link and program ids a process holds (its fds' fdinfo)."""
    links, progs = set(), set()
    fddir = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                info = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
        except OSError:
            continue
        if "link_id" in info:
            links.add(int(info["link_id"]))
        if "prog_id" in info:
            progs.add(int(info["prog_id"]))
    return links, progs


def bpf_exists(what, ident):
    return subprocess.run(["bpftool", what, "show", "id", str(ident)], capture_output=True,
                          timeout=20).returncode == 0


def pinned_link_ids(pin_dir):
    ids = set()
    for name in os.listdir(pin_dir):
        out = subprocess.run(["bpftool", "-j", "link", "show", "pinned",
                              os.path.join(pin_dir, name)], capture_output=True, text=True,
                             timeout=20)
        assert out.returncode == 0, out.stderr
        ids.add(__import__("json").loads(out.stdout)["id"])
    return ids


def test_an_agent_killed_leaves_only_its_pins_which_a_new_agent_takes_over():
    from test_enforce import CONNECT, attempt, deny_rule, listener
    from vigil_test import vigil
    import uuid
    d = workdir("vigil-chaos-")
    secret = os.path.join(d, "secret")
    with open(secret, "w") as f:
        f.write("x\n")
    os.chmod(secret, 0o644)
    name = "chaos-" + uuid.uuid4().hex[:8]
    on_cleanup(lambda: vigil("unpin", name))
    pin_dir = f"/sys/fs/bpf/vigil/{name}"
    sock, port = listener()
    pol = os.path.join(d, "rules.yaml")
    with open(pol, "w") as f:
        f.write(deny_rule("chaos pinned deny", port, extra=f" and proc.comm == {CONNECT}")
                + VALID.format(d=d).replace("rules:\n", ""))
    with Storm():
        a = Agent("--policy", pol, f"--pin={name}").start()
        assert attempt("127.0.0.1", port) == "errno 1 EPERM"
        assert as_test_user(secret)[0] == -signal.SIGKILL
        links, progs = bpf_ids_held_by(a.proc.pid)
        assert links and progs
        a.proc.kill()  # SIGKILL: no cleanup of its own
        a.proc.wait()
        pinned = pinned_link_ids(pin_dir)
        # nothing of the killed agent is left attached but what --pin asked for
        assert {i for i in links if bpf_exists("link", i)} == pinned, (links, pinned)
        assert len(pinned) == 6
        # the pinned enforcement keeps enforcing while no agent runs; the rest ended with it
        assert attempt("127.0.0.1", port) == "errno 1 EPERM"
        rc, out = as_test_user(secret)
        assert rc == 0 and "read: x" in out, (rc, out)
        # a new agent without --pin-takeover is refused; with it, it takes the pins over
        r = vigil("run", "--policy", pol, f"--pin={name}", "--duration", "1", "--format", "json")
        assert r.returncode == 1 and "still pinned" in r.stderr, r.stderr
        b = Agent("--policy", pol, f"--pin={name}", "--pin-takeover").start()
        b_links, _ = bpf_ids_held_by(b.proc.pid)
        now = pinned_link_ids(pin_dir)
        assert len(now) == 6 and now <= b_links and not (now & pinned), (now, b_links, pinned)
        assert not any(bpf_exists("link", i) for i in pinned), "the old links are still there"
        assert attempt("127.0.0.1", port) == "errno 1 EPERM"
        assert as_test_user(secret)[0] == -signal.SIGKILL
        # its process table is whole again: the task iterator seeded it
        assert b.ready["agent"]["processes_seeded"] > 10, b.ready["agent"]
        events = b.stop()
    invariant(events, "agent SIGKILLed, restarted with --pin-takeover", faults=1)
    assert attempt("127.0.0.1", port) == "errno 1 EPERM"  # B exited: its pins stay
