"""Deny rules on net.listen, carried out at bind() by the cgroup bind4/bind6 hooks
(docs/enforcement.md): the bind fails with EPERM, so nothing ever listens there. Each rule is
scoped to a port picked free for the test and to the helper's comm."""
import socket

from vigil_test import Agent, vigil
from test_enforce import CONNECT, alerts, attempt, policy_file
from vigil_test import one


def free_port():
    """A TCP port free on both loopbacks at the time of the call."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        try:
            s6 = socket.socket(socket.AF_INET6)
            s6.bind(("::1", port))
            s6.close()
            return port
        except OSError:
            continue


def listen_rule(name, when, mode=None):
    return f"""
rules:
  - name: {name}
    description: enforcement test at bind
    on: net.listen
    when: {when}
    action: deny
{f"    mode: {mode}" if mode else ""}
    output: "listen by %proc.comm on %net.saddr:%net.sport"
"""


def test_listen_denied_at_bind():
    port = free_port()
    path = policy_file(listen_rule(
        "no loopback listener",
        f"net.sport in ({port}) and net.saddr cidr (127.0.0.0/8, ::1/128) and proc.comm == {CONNECT}"))
    with Agent("--policy", path) as agent:
        pol = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
        assert pol["enforcement"]["rules"] == [{
            "name": "no loopback listener", "action": "deny", "mode": "enforce",
            "mechanism": "cgroup", "hooks": ["bind4", "bind6"]}]
        assert attempt("127.0.0.1", port, "-p", "bind") == "errno 1 EPERM"
        assert attempt("::1", port, "-p", "bind") == "errno 1 EPERM"
        assert attempt("::ffff:127.0.0.1", port, "-p", "bind") == "errno 1 EPERM"  # judged as IPv4
        # what the rule does not cover binds: another address, another port, another comm, UDP
        assert attempt("0.0.0.0", port, "-p", "bind") == "ok"
        assert attempt("127.0.0.1", free_port(), "-p", "bind") == "ok"
        assert attempt("127.0.0.1", port, "-p", "bind", "-c", "other_comm") == "ok"
        assert attempt("127.0.0.1", port, "-p", "bindudp") == "ok"  # listen() is TCP's
        # a connect to that port is no listen
        assert attempt("127.0.0.1", port, "-p", "udp") == "ok"
        agent.wait_for(lambda e: len(alerts(agent.read())) >= 3, what="three alerts")
    got = alerts(agent.events)
    assert len(got) == 3, got
    a = got[0]
    assert a["rule"]["name"] == "no loopback listener"
    assert a["rule"]["output"] == f"listen by {CONNECT} on 127.0.0.1:{port}"
    ev = a["event"]
    assert ev["kind"] == "net.listen"
    assert ev["enforcement"] == {"action": "deny", "mechanism": "cgroup", "outcome": "denied"}
    assert ev["net"] == {"family": "inet", "proto": "tcp", "saddr": "127.0.0.1", "sport": port,
                         "hook": "bind4", "result": -1}
    assert ev["proc"]["comm"] == CONNECT and ev["proc"]["uid"] == 0
    assert got[1]["event"]["net"] == {"family": "inet6", "proto": "tcp", "saddr": "::1",
                                      "sport": port, "hook": "bind6", "result": -1}
    assert got[2]["event"]["net"]["saddr"] == "::ffff:127.0.0.1"
    assert got[2]["event"]["net"]["hook"] == "bind6"
    # enforcement ends with vigil
    assert attempt("127.0.0.1", port, "-p", "bind") == "ok"


def test_listen_uid_and_monitor():
    port = free_port()
    path = policy_file(listen_rule(
        "nobody may not listen", f"net.sport == {port} and proc.uid == 65534 and proc.comm == {CONNECT}"))
    with Agent("--policy", path) as agent:
        assert attempt("127.0.0.1", port, "-p", "bind", "-u", "65534") == "errno 1 EPERM"
        assert attempt("127.0.0.1", port, "-p", "bind") == "ok"  # root: another uid
        agent.wait_for(lambda e: e["kind"] == "alert", what="the alert")
    assert one(alerts(agent.events), "one alert")["event"]["proc"]["uid"] == 65534
    with Agent("--policy", path, "--monitor") as agent:
        assert attempt("127.0.0.1", port, "-p", "bind", "-u", "65534") == "ok"
        agent.wait_for(lambda e: e["kind"] == "alert", what="the alert")
    ev = one(alerts(agent.events), "one alert")["event"]
    assert ev["enforcement"] == {"action": "deny", "mechanism": "cgroup", "outcome": "would-deny"}
    assert "result" not in ev["net"]


def test_listen_rules_the_kernel_cannot_decide_are_refused():
    cases = [
        ("net.sport == 1 and net.proto == udp",
         "net.proto 'udp' is never seen by the bind (listen) hooks (only tcp)", 30),
        ("net.sport == 1 and net.dport == 2",
         "the kernel cannot decide 'net.dport ==' at bind (it decides: net.saddr cidr/==/in, "
         "net.sport ==/in, net.proto == tcp, net.family ==/in, proc.uid ==/in, proc.comm ==/in, "
         "joined by 'and')", 30),
    ]
    for when, why, col in cases:
        path = policy_file(listen_rule("undecidable", when))
        r = vigil("run", "--policy", path, "--duration", "1", "--format", "json")
        assert r.returncode == 1, r.stderr
        assert r.stderr.splitlines()[0] == (
            f"{path}:6:{col}: rule 'undecidable': action deny cannot be enforced on this kernel: "
            f"{why} (--allow-degraded runs it as an alert)"), r.stderr
        assert "agent.ready" not in r.stdout
