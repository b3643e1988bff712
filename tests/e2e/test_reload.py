"""Reloads are atomic (docs/reliability.md): a SIGHUP reload that fails at any step leaves the old
rules deciding in the kernel (its filters) and enforcing (its deny rules), and a good reload
switches both at once.

A test-only hook makes one step of the next reload fail: vigil reads the step's name from
$VIGIL_FAULT_FILE when a reload begins (src/fault.c). Every step is failed in turn; after each,
the old rules must still alert, kill and filter. The agent runs with --uid of this test's own
user, so the kernel's file.open counters are exact: a reload that left filtering off would let
the helpers' other opens (the dynamic loader's) through, and `produced` would not match."""
import os
import shutil
import signal
import subprocess
import tempfile

from vigil_test import Agent, check_invariant, helper, on_cleanup

UID = 23123  # this suite's range (coord.md): no other test runs as it
STEPS = ["filter.barrier", "filter.clear", "filter.fill", "filter.meta", "enforce.barrier",
         "enforce.fill", "enforce.config", "filter.switch", "enforce.switch"]


def rules(d, alert, deny):
    return f"""
rules:
  - name: reload watch
    description: an open this test makes
    on: file.open
    when: file.path == {d}/{alert}
    severity: low
  - name: reload deny
    description: an open the rules in force forbid
    on: file.open
    when: file.path == {d}/{deny}
    action: deny
"""


def open_as_test_user(path):
    """Opens and reads path as UID: (returncode, stdout)."""
    p = subprocess.run([helper("enforce_task"), "open", path], capture_output=True, text=True,
                       timeout=30, user=UID)
    return p.returncode, p.stdout


def count(agent, pred):
    return sum(1 for e in agent.read() if pred(e))


def watch_alerts(agent, name):
    return count(agent, lambda e: e["kind"] == "alert" and e["rule"]["name"] == "reload watch"
                 and e["event"]["file"]["path"].endswith("/" + name))


def test_a_failed_reload_step_leaves_the_old_rules_deciding_and_enforcing():
    d = tempfile.mkdtemp(prefix="vigil-reload-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    os.chmod(d, 0o755)
    for name in ("a", "b", "secret", "other"):
        with open(os.path.join(d, name), "w") as f:
            f.write(name + "-content\n")
        os.chmod(os.path.join(d, name), 0o644)
    pol = os.path.join(d, "rules.yaml")
    with open(pol, "w") as f:
        f.write(rules(d, "a", "secret"))
    fault = os.path.join(d, "fault")
    open(fault, "w").close()
    os.environ["VIGIL_FAULT_FILE"] = fault
    try:
        agent = Agent("--policy", pol, "--uid", str(UID)).start()
    finally:
        del os.environ["VIGIL_FAULT_FILE"]
    # from now on a reload would bring the other rules: watch b, deny other
    with open(pol, "w") as f:
        f.write(rules(d, "b", "other"))
    produced = 0
    for i, step in enumerate(STEPS, 1):
        with open(fault, "w") as f:
            f.write(step + "\n")
        agent.proc.send_signal(signal.SIGHUP)
        agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "rejected"
                       and count(agent, lambda x: x.get("status") == "rejected") >= i,
                       timeout=15, what=f"the rejection of the reload failed at {step}")
        assert os.path.getsize(fault) == 0, "the fault was not consumed"
        # the old rules: a is watched, secret is denied (the opener dies), b and other are not
        rc, out = open_as_test_user(os.path.join(d, "secret"))
        assert rc == -signal.SIGKILL and "read:" not in out, (step, rc, out)
        rc, out = open_as_test_user(os.path.join(d, "other"))
        assert rc == 0 and "read: other-content" in out, (step, rc, out)
        open_as_test_user(os.path.join(d, "a"))
        open_as_test_user(os.path.join(d, "b"))
        # only a passes the old filters (the deny rule is decided by the enforcer, not the
        # sensor's filter); b, other, secret and the loader's opens do not
        produced += 1
        agent.wait_for(lambda e: watch_alerts(agent, "a") >= i, timeout=10,
                       what=f"the old rule's alert after {step}")
    assert watch_alerts(agent, "b") == 0
    # the negative: a reload without a fault switches filters and deny rules together
    agent.proc.send_signal(signal.SIGHUP)
    agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "reloaded",
                   timeout=15, what="the good reload")
    rc, out = open_as_test_user(os.path.join(d, "secret"))
    assert rc == 0 and "read: secret-content" in out, (rc, out)
    rc, out = open_as_test_user(os.path.join(d, "other"))
    assert rc == -signal.SIGKILL and "read:" not in out, (rc, out)
    open_as_test_user(os.path.join(d, "a"))
    open_as_test_user(os.path.join(d, "b"))
    produced += 1
    agent.wait_for(lambda e: watch_alerts(agent, "b") == 1, timeout=10, what="the new rule's alert")
    events = agent.stop()
    err = agent.stderr
    for step in STEPS:
        assert f"fault injected at {step}" in err, f"{step} never failed: {err}"
    alerts_a = [e for e in events if e["kind"] == "alert" and e["rule"]["name"] == "reload watch"
                and e["event"]["file"]["path"] == f"{d}/a"]
    assert len(alerts_a) == len(STEPS), len(alerts_a)
    st = events[-1]["stats"]
    check_invariant(st)
    assert st["file.open"]["produced"] == produced, st["file.open"]
    assert st["file.open"]["lost"] == 0
    statuses = [e["status"] for e in events if e["kind"] == "agent.policy"]
    assert statuses == ["loaded"] + ["rejected"] * len(STEPS) + ["reloaded"], statuses


def reload_status(agent):
    agent.proc.send_signal(signal.SIGHUP)
    ev = agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] != "loaded",
                        timeout=20, what="the reload's agent.policy")
    return ev


def test_the_default_policy_reloads_unchanged():
    """`vigil run` (bundled rules, every event) and `--policy policies/`: a SIGHUP with nothing
    changed reloads. The bundled rules need priv.capable (not part of "every kind") and
    kernel.module_load (no sensor on a kernel without modules): neither may refuse it."""
    for args in ([], ["--policy", os.path.join(os.path.dirname(__file__), "..", "..", "policies")]):
        with Agent(*args) as agent:
            ev = reload_status(agent)
            assert ev["status"] == "reloaded", ev


def test_a_reload_needing_a_kind_not_asked_for_at_start_is_refused():
    d = tempfile.mkdtemp(prefix="vigil-reload-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    pol = os.path.join(d, "rules.yaml")
    with open(pol, "w") as f:
        f.write(rules(d, "a", "secret"))
    with Agent("--policy", pol) as agent:
        with open(pol, "w") as f:
            f.write(rules(d, "a", "secret") + """
  - name: reload capable
    description: a kind the start did not load
    on: priv.capable
    when: capable.name == CAP_SYS_ADMIN
    severity: low
""")
        ev = reload_status(agent)
        assert ev["status"] == "rejected", ev
        assert any("priv.capable events, whose sensor was not loaded at start" in m
                   for m in ev["errors"]), ev


def test_bundled_rules_on_capable_checks_work_without_streaming_every_check():
    """With the default `vigil run`, the bundled priv.capable rules get their events (filtered in
    the kernel by the rules) though priv.capable is not streamed."""
    d = tempfile.mkdtemp(prefix="vigil-cap-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    tool = os.path.join(d, "unshare-vigiltest")
    shutil.copy("/usr/bin/unshare", tool)
    with Agent() as agent:
        p = subprocess.run([tool, "-m", "true"], capture_output=True, timeout=30)
        assert p.returncode == 0, p.stderr
        agent.wait_for(lambda e: e["kind"] == "alert"
                       and e["rule"]["name"] == "CAP_SYS_ADMIN used by an unexpected program"
                       and e["event"]["proc"]["exe"] == tool, timeout=10, what="the alert")
    assert not [e for e in agent.events if e["kind"] == "priv.capable"]
