"""The configuration file (vigil.yaml: `vigil run`'s long options as keys): every problem with
its file:line:col, command-line options replacing the file's, `vigil config show`, and SIGHUP
reading the file again. The runs are real agents on this kernel."""
import os
import signal
import subprocess
import tempfile

import vigil_test
from vigil_test import Agent, marker, vigil

TRUE = "/bin/true"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def tmp(text, suffix=".yaml"):
    fd, path = tempfile.mkstemp(prefix="vigil-cfg-", suffix=suffix)
    os.close(fd)
    write(path, text)
    vigil_test.on_cleanup(lambda: os.path.exists(path) and os.unlink(path))
    return path


def spawn_as(uid, *args):
    subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *args],
                   check=True)


def test_config_check_reports_every_problem_with_its_position():
    path = tmp("# a comment\n"
               "kind: process.exec\n"
               "polcy: /etc/vigil/rules.d\n"
               "ancestors: yes\n"
               "uid: [0, 4294967295]\n"
               "kind: file.open\n"
               "format:\n"
               "config: /x.yaml\n")
    r = vigil("config", "check", path)
    assert r.returncode == 1, r
    got = r.stderr.strip().splitlines()
    assert got == [
        f"{path}:3:1: unknown key 'polcy' (did you mean 'policy'?)",
        f"{path}:4:12: ancestors is a switch: expected true or false, got 'yes'",
        f"{path}:6:1: 'kind' is given twice (first at line 2); a list gives several values",
        f"{path}:7:8: format needs a value (FORMAT)",
        f"{path}:8:1: 'config' cannot be set in a configuration file",
        f"{path}:5:10: invalid value for --uid: expected a number from 0 to 4294967294, got '4294967295'",
        f"vigil: {path}: 6 problems",
    ], got
    assert r.stdout == ""
    # the same file, corrected, is valid
    good = tmp("kind: process.exec\npolicy: [bundled]\nancestors: true\nuid: [0, 1000]\n")
    r = vigil("config", "check", good)
    assert r.returncode == 0 and r.stdout == f"{good}: valid (5 values)\n", r


def test_broken_yaml_and_wrong_shapes():
    r = vigil("config", "check", tmp("kind: [process.exec\n"))
    assert r.returncode == 1 and ":2:1: did not find expected ',' or ']'" in r.stderr, r.stderr
    r = vigil("config", "check", tmp("- kind\n"))
    assert ":1:1: expected a mapping of option names to values" in r.stderr, r.stderr
    r = vigil("config", "check", tmp("kind:\n  a: b\n"))
    assert ":2:3: kind: expected a value or a list of values, not a mapping" in r.stderr, r.stderr
    r = vigil("config", "check", "/nonexistent/vigil.yaml")
    assert r.returncode == 1 and "/nonexistent/vigil.yaml: cannot read: No such file or directory" in r.stderr, r.stderr


def test_a_bad_file_starts_nothing():
    path = tmp("kind: process.exec\nduration: soon\n")
    r = vigil("run", "--config", path)
    assert r.returncode == 2, r
    assert r.stderr.splitlines() == [
        f"{path}:2:11: invalid value for --duration: expected a positive number of seconds, got 'soon'",
        f"vigil: {path} has errors (above); nothing started"]
    assert r.stdout == ""


def test_run_from_the_file_and_flags_replace_its_values():
    """uid 65533 from the file is filtered in the kernel; --uid on the command line replaces it."""
    m1, m2 = marker(), marker()
    path = tmp("kind: process.exec\nuid: [65533]\nformat: text\n")
    with Agent("--config", path) as agent:
        spawn_as(65533, TRUE, m1)
        spawn_as(65532, TRUE, m1)
        agent.wait_for(lambda e: m1 in " ".join(e.get("proc", {}).get("args", [])))
    execs = [e for e in agent.events if e["kind"] == "process.exec" and m1 in " ".join(e["proc"]["args"])]
    assert [e["proc"]["uid"] for e in execs] == [65533], execs
    assert agent.ready["agent"]["filtered"] is True
    # --format json (Agent's) replaced the file's text: the output parsed as JSON lines
    with Agent("--config", path, "--uid", "65532") as agent:
        spawn_as(65533, TRUE, m2)
        spawn_as(65532, TRUE, m2)
        agent.wait_for(lambda e: m2 in " ".join(e.get("proc", {}).get("args", [])))
    execs = [e for e in agent.events if e["kind"] == "process.exec" and m2 in " ".join(e["proc"]["args"])]
    assert [e["proc"]["uid"] for e in execs] == [65532], execs


def test_config_show_gives_the_effective_values_and_their_source():
    path = tmp("kind: process.exec\nuid: [1, 2]\nancestors: true\nmonitor: false\n")
    r = vigil("config", "show", path, "--", "--uid", "7", "-d", "3")
    assert r.returncode == 0, r
    lines = r.stdout.splitlines()
    assert f"the file {path}" in lines[0]
    assert "duration: 3  # command line" in lines
    assert "kind: process.exec  # line 1" in lines
    assert "ancestors: true  # line 3" in lines
    assert "uid: 7  # command line" in lines  # replaces the file's list
    assert not any(ln.startswith("monitor") for ln in lines)  # false: not set
    r = vigil("config", "show", path, "--", "--uid", "x")
    assert r.returncode == 2 and "invalid value for --uid" in r.stderr


def test_sighup_reads_the_file_again():
    """The rule sources change at once; another changed key is reported for the next restart."""
    m1, m2 = marker(), marker()
    d = tempfile.mkdtemp(prefix="vigil-cfg-")
    vigil_test.on_cleanup(lambda: subprocess.run(["rm", "-rf", d]))
    r1, r2 = os.path.join(d, "one.yaml"), os.path.join(d, "two.yaml")
    write(r1, f"rules:\n  - name: first\n    description: d\n    on: process.exec\n    when: proc.args == {m1}\n")
    write(r2, f"rules:\n  - name: second\n    description: d\n    on: process.exec\n    when: proc.args == {m2}\n")
    cfg = os.path.join(d, "vigil.yaml")
    write(cfg, f"policy: [{r1}]\n")
    with Agent("--config", cfg) as agent:
        subprocess.run([TRUE, m1], check=True)
        agent.wait_for(lambda e: e["kind"] == "alert" and e["rule"]["name"] == "first")
        write(cfg, f"policy: [{r2}]\nancestors: true\n")
        agent.proc.send_signal(signal.SIGHUP)
        agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "reloaded")
        subprocess.run([TRUE, m1], check=True)
        subprocess.run([TRUE, m2], check=True)
        agent.wait_for(lambda e: e["kind"] == "alert" and e["rule"]["name"] == "second")
        # a broken file changes nothing
        write(cfg, "policy: [\n")
        agent.proc.send_signal(signal.SIGHUP)
        subprocess.run([TRUE, m2], check=True)
        agent.wait_for(lambda e: len([a for a in agent.read() if a["kind"] == "alert"
                                      and a["rule"]["name"] == "second"]) == 2, what="a second alert")
    alerts = [e["rule"]["name"] for e in agent.events if e["kind"] == "alert"]
    assert alerts == ["first", "second", "second"], alerts  # m1 after the reload matched nothing
    assert f"{cfg}: 'ancestors' changed; that takes effect when vigil restarts" in agent.stderr
    assert f"{cfg} has errors (above); the running configuration stays" in agent.stderr
    assert agent.proc.returncode == 0
