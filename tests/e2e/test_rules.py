"""The rule engine against the real kernel: alerts with the triggering event, what the kernel keeps
out, SIGHUP reloads (good and broken), and the policy commands."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

import vigil_test
from vigil_test import Agent, marker, on_cleanup, one, spawn, vigil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DASH = os.path.realpath("/bin/sh")
TRUE = os.path.realpath("/bin/true")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def policy_file(text):
    fd, path = tempfile.mkstemp(prefix="vigil-rules-", suffix=".yaml")
    os.close(fd)
    write(path, text)
    on_cleanup(lambda: os.unlink(path))
    return path


def alerts(events, name=None):
    return [e for e in events if e["kind"] == "alert" and (name is None or e["rule"]["name"] == name)]


def test_alert_carries_rule_and_event():
    mark = marker()
    path = policy_file(f"""
rules:
  - name: marked exec
    description: a test rule for one marker
    on: process.exec
    when: proc.args == {mark} and proc.exe == {TRUE}
    severity: low
    tags: [test.tag]
    output: "saw %proc.exe (%proc.tgid) from %parent.comm"
""")
    with Agent("--policy", path) as agent:
        pid, _ = spawn([TRUE, mark])
        spawn([TRUE, "other"])
        agent.wait_for(lambda e: e["kind"] == "alert", what="the alert")
    a = one(alerts(agent.events), "alert")
    assert a["rule"] == {"name": "marked exec", "severity": "low",
                         "description": "a test rule for one marker", "tags": ["test.tag"],
                         "action": "alert", "mode": "monitor",
                         "output": f"saw {TRUE} ({pid}) from {a['event']['parent']['comm']}"}
    ev = a["event"]
    assert ev["kind"] == "process.exec" and ev["proc"]["tgid"] == pid
    assert ev["proc"]["args"] == [TRUE, mark]
    assert a["time"] == ev["time"]
    # alerts only: no plain events were streamed
    assert not [e for e in agent.events if e["kind"].startswith("process.")]
    pol = one([e for e in agent.events if e["kind"] == "agent.policy"], "agent.policy")
    assert pol["status"] == "loaded" and pol["rules"] == 1 and pol["files"] == [path]
    assert agent.events[0]["kind"] == "agent.ready" and agent.events[1]["kind"] == "agent.policy"


def test_events_that_cannot_match_stay_in_the_kernel():
    mark = marker()
    # a uid of this run only: another suite's same test execs as its own uid
    uid = random.randrange(4_200_000, 4_300_000)
    path = policy_file(f"""
rules:
  - name: uid {uid} execs
    description: only uid {uid} can match, and the kernel knows it
    on: process.exec
    when: proc.uid == {uid} and proc.exe endswith true
""")
    with Agent("--policy", path) as agent:
        for _ in range(10):
            spawn([TRUE, mark])
        spawn(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", TRUE, mark])
        agent.wait_for(lambda e: e["kind"] == "alert", what=f"the uid {uid} alert")
        time.sleep(0.2)
    a = one(alerts(agent.events), "alert")
    assert a["event"]["proc"]["uid"] == uid
    st = agent.stats["process.exec"]
    # the root execs (10 of true, plus setpriv itself) never reached the ring buffer
    assert st["filtered"] >= 11, st
    assert st["delivered"] == st["produced"] and st["lost"] == 0
    assert st["delivered"] <= 2, st  # only this uid's execs (true, maybe another by the same uid)
    vigil_test.check_invariant(agent.stats)


def test_all_events_streams_events_and_alerts():
    mark = marker()
    path = policy_file(f"""
rules:
  - name: marked
    description: matches the marker
    on: process.exec
    when: proc.args == {mark}
""")
    with Agent("--policy", path, "--all-events", "-k", "process.exec") as agent:
        pid, _ = spawn([TRUE, mark])
        spawn([TRUE, "unrelated"])
        agent.wait_for(lambda e: e["kind"] == "alert")
    assert agent.of("process.exec", tgid=pid)
    assert any(e["proc"]["args"] == [TRUE, "unrelated"] for e in agent.of("process.exec"))
    assert one(alerts(agent.events), "alert")["event"]["proc"]["tgid"] == pid


def test_sighup_reload_good_then_broken():
    m1, m2 = marker(), marker()
    path = policy_file(f"rules:\n  - name: first\n    description: d\n    on: process.exec\n    when: proc.args == {m1}\n")
    with Agent("--policy", path) as agent:
        spawn([TRUE, m1])
        agent.wait_for(lambda e: e["kind"] == "alert" and e["rule"]["name"] == "first")
        write(path, f"rules:\n  - name: second\n    description: d\n    on: process.exec\n    when: proc.args == {m2}\n")
        agent.proc.send_signal(signal.SIGHUP)
        agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "reloaded")
        spawn([TRUE, m1])
        spawn([TRUE, m2])
        agent.wait_for(lambda e: e["kind"] == "alert" and e["rule"]["name"] == "second")
        # a broken policy is rejected; the second rule keeps running
        write(path, "rules:\n  - name: broken\n    on: process.exec\n    when: proc.uid ==\n")
        agent.proc.send_signal(signal.SIGHUP)
        rej = agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "rejected")
        spawn([TRUE, m2])
        agent.wait_for(lambda e: len(alerts(agent.read(), "second")) == 2, what="a second alert")
    assert rej["errors"] == [f"{path}:4:22: expected a value for proc.uid ==, found the end of the condition"]
    assert "policy reload rejected; the previous rules keep running" in agent.stderr
    assert len(alerts(agent.events, "first")) == 1  # m1 after the reload matched nothing
    assert agent.proc.returncode == 0


def test_bad_policy_refuses_to_start():
    path = policy_file("rules:\n  - name: r\n    on: process.exec\n    when: proc.exee == /x\n")
    r = vigil("run", "--policy", path, "--duration", "1")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[0] == f"{path}:4:11: unknown field 'proc.exee' (did you mean proc.exe?)"
    assert lines[-1] == "vigil: the policy has 1 error (above); nothing started"
    assert r.stdout == ""


def test_lint_explain_and_replay_without_root():
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
    r = subprocess.run([*as_nobody, vigil_test.VIGIL, "policy", "lint", os.path.join(ROOT, "policies")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("ok: "), r.stderr
    bad = os.path.join(ROOT, "tests/policy/malformed/16-unknown-field.yaml")
    r = vigil("policy", "lint", bad)
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == f"{bad}:4:11: unknown field 'proc.exee' (did you mean proc.exe?)"
    r = vigil("policy", "explain", "--bundled")
    assert r.returncode == 0 and "rule: Execution from a temporary directory" in r.stdout
    assert "decided in the kernel: proc.exe startswith" in r.stdout

    # record real events, then replay them through the rules as nobody
    mark = marker()
    tmpdir = tempfile.mkdtemp(prefix="vigil-replay-")
    on_cleanup(lambda: shutil.rmtree(tmpdir))
    os.chmod(tmpdir, 0o755)
    dropper = os.path.join(tmpdir, "dropper")
    shutil.copy(TRUE, dropper)
    events = os.path.join(tmpdir, "events.jsonl")
    with Agent("-k", "process.exec") as agent:
        spawn([dropper, mark])
        agent.wait_for(lambda e: e.get("proc", {}).get("exe") == dropper)
    with open(events, "w") as f:
        for e in agent.events:
            f.write(json.dumps(e) + "\n")
        f.write("not json\n")
    os.chmod(events, 0o644)
    r = subprocess.run([*as_nobody, vigil_test.VIGIL, "policy", "test", "--bundled", "--json",
                        "--events", events], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr  # the bad line is reported, the rest replayed
    assert f"{events}:{len(agent.events) + 1}:" in r.stderr and "not a JSON event" in r.stderr
    out = [json.loads(l) for l in r.stdout.splitlines()]
    hit = one([a for a in out if a["event"]["proc"]["exe"] == dropper], "replayed alert")
    assert hit["rule"]["name"] == "Execution from a temporary directory"
    assert f"{dropper} executed from a temporary directory" in hit["rule"]["output"]
