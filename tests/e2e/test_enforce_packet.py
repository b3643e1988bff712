"""Deny rules on net.packet, carried out at XDP on the interfaces of `vigil run --xdp-iface`
(docs/enforcement.md), on a veth pair between two namespaces made for the test: packets that a
rule matches are dropped before the stack (no TCP connection), monitor rules count and pass,
every matched packet is counted (alerts carry the counts, at most one per rule per tick), and
rules XDP cannot decide are refused."""
import os
import stat
import subprocess
import tempfile
import time

import vigil_test
from netpair import NetPair
from test_enforce import alerts, in_ns, policy_file, tcp_reaches
from vigil_test import Agent, on_cleanup, vigil


def agent_in(ns, *args):
    """An Agent whose vigil runs in network namespace ns (nsenter execs it: same pid)."""
    fd, wrapper = tempfile.mkstemp(prefix="vigil-nsenter-", suffix=".sh")
    with os.fdopen(fd, "w") as f:
        f.write(f"#!/bin/sh\nexec nsenter --net=/run/netns/{ns} {vigil_test.VIGIL} \"$@\"\n")
    os.chmod(wrapper, stat.S_IRWXU)
    on_cleanup(lambda: os.unlink(wrapper))
    real = vigil_test.VIGIL
    vigil_test.VIGIL = wrapper
    try:
        agent = Agent(*args).start()
    finally:
        vigil_test.VIGIL = real
    return agent


def serve(pair, *ports, v6=False):
    """Listeners in namespace a on pair.a4 (and pair.a6 with v6) for each port."""
    addrs = [("socket.AF_INET", pair.a4)] + ([("socket.AF_INET6", pair.a6)] if v6 else [])
    code = ("import socket, select\nss=[]\n"
            f"for p in {list(ports)}:\n"
            f"  for fam, addr in [{', '.join(f'({f}, {a!r})' for f, a in addrs)}]:\n"
            f"    s=socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            f"    s.bind((addr, p)); s.listen(64); ss.append(s)\n"
            "while True:\n  r,_,_=select.select(ss,[],[])\n  for s in r:\n    c,_=s.accept(); c.close()\n")
    srv = subprocess.Popen(["nsenter", f"--net=/run/netns/{pair.a}", "python3", "-c", code],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    on_cleanup(srv.kill)
    deadline = time.monotonic() + 5
    while not all(tcp_reaches(pair, p) for p in ports):
        assert time.monotonic() < deadline, "the test listener is not reachable"


def rules(pair, port, mon_port, udp_port):
    return f"""
rules:
  - name: drop tcp to port
    description: XDP test
    on: net.packet
    when: net.saddr cidr ({pair.b4}/32) and net.dport in ({port}) and net.proto == tcp
    action: deny
  - name: watch other port
    description: XDP test, monitor
    on: net.packet
    when: net.saddr cidr ({pair.b4}/32) and net.dport == {mon_port}
    action: deny
    mode: monitor
  - name: drop udp flood
    description: XDP test, counted
    on: net.packet
    when: net.saddr == {pair.b4} and net.dport == {udp_port} and net.proto == udp and net.family == inet
    action: deny
"""


def test_packet_rules_drop_at_xdp_and_count_every_packet():
    pair = NetPair()
    dev_a = "va" + pair.a[3:]
    base = 46000 + os.getpid() % 1000
    port, mon_port, free_port, udp_port = base, base + 1, base + 2, base + 3
    serve(pair, port, mon_port, free_port)
    path = policy_file(rules(pair, port, mon_port, udp_port))
    agent = agent_in(pair.a, "--policy", path, "--xdp-iface", dev_a)
    try:
        pol = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
        assert [(r["name"], r["mechanism"], r["interfaces"], r["mode"]) for r in pol["enforcement"]["rules"]] == [
            ("drop tcp to port", "xdp", [dev_a], "enforce"),
            ("watch other port", "xdp", [dev_a], "monitor"),
            ("drop udp flood", "xdp", [dev_a], "enforce")]
        assert not tcp_reaches(pair, port), "a dropped SYN still connected"
        assert tcp_reaches(pair, mon_port), "a monitor rule dropped"
        assert tcp_reaches(pair, free_port), "a port no rule names was dropped"
        n = 20000
        flood = in_ns(pair.b, "python3", "-c",
                      "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                      f"for i in range({n}): s.sendto(b'x', ('{pair.a4}', {udp_port}))\n", timeout=60)
        assert flood.returncode == 0, flood.stderr

        def flood_counted(_):
            got = alerts(agent.read(), "drop udp flood")
            return sum(a["event"]["net"]["packets"] for a in got) >= n
        agent.wait_for(flood_counted, timeout=15, what=f"{n} packets counted")
        events = agent.stop()
    except BaseException:
        agent.kill()
        raise
    tcp = alerts(events, "drop tcp to port")
    assert tcp, "no alert for the dropped SYNs"
    ev = tcp[0]["event"]
    assert ev["kind"] == "net.packet"
    assert ev["enforcement"] == {"action": "deny", "mechanism": "xdp", "outcome": "denied"}
    net = dict(ev["net"])
    assert net.pop("packets") >= 1 and net.pop("sport") > 0
    assert net == {"family": "inet", "proto": "tcp", "saddr": pair.b4, "daddr": pair.a4,
                   "dport": port, "iface": dev_a}
    mon = alerts(events, "watch other port")
    assert mon and all(a["event"]["enforcement"]["outcome"] == "would-deny" for a in mon)
    assert mon[0]["event"]["net"]["dport"] == mon_port
    udp = alerts(events, "drop udp flood")
    # every datagram counted exactly once, in few alerts (at most one per rule per 50 ms tick)
    assert sum(a["event"]["net"]["packets"] for a in udp) == n
    assert len(udp) < 200, len(udp)
    assert all(a["event"]["net"]["proto"] == "udp" and a["event"]["net"]["dport"] == udp_port for a in udp)
    # the drops end with vigil
    assert tcp_reaches(pair, port)


def test_packet_rules_refused():
    pair_if = "lo"
    cases = [
        ("net.saddr cidr (192.0.2.0/24) and proc.comm == sshd", ["--xdp-iface", pair_if],
         "6:45: rule 'p': a net.packet rule must be one XDP decides, even degraded or monitored: a "
         "packet has no process at XDP ('proc.comm'; it decides: net.saddr cidr/==/in, net.dport ==/in, "
         "net.proto ==/in (tcp, udp), net.family ==/in, joined by 'and')"),
        # no sensor sees packets: --allow-degraded cannot turn it into an alert that never fires
        ("net.saddr cidr (192.0.2.0/24) or net.dport == 22", ["--xdp-iface", pair_if, "--allow-degraded"],
         "6:11: rule 'p': a net.packet rule must be one XDP decides, even degraded or monitored: 'or' "
         "(the kernel decides a conjunction: net.saddr cidr/==/in, net.dport ==/in, net.proto ==/in "
         "(tcp, udp), net.family ==/in, joined by 'and')"),
        ("net.saddr cidr (192.0.2.0/24)", [],
         "3:5: rule 'p': net.packet rules are carried out at XDP on the interfaces named by "
         "--xdp-iface IF; none given"),
    ]
    for when, extra, msg in cases:
        path = policy_file(f"""
rules:
  - name: p
    description: refused
    on: net.packet
    when: {when}
    action: deny
""")
        r = vigil("run", "--policy", path, "--duration", "1", "--format", "json", *extra)
        assert r.returncode == 1, r.stderr
        assert r.stderr.splitlines()[0] == f"{path}:{msg}", r.stderr
    path = policy_file("""
rules:
  - name: p
    description: an alert cannot see packets
    on: net.packet
    when: net.dport == 22
""")
    r = vigil("run", "--policy", path, "--duration", "1", "--xdp-iface", "lo")
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == (
        f"{path}:3:5: rule 'p': net.packet is seen only by deny rules at XDP: use action deny "
        "(mode: monitor reports without dropping)"), r.stderr
    path = policy_file("""
rules:
  - name: p
    description: fine, but the interface is not
    on: net.packet
    when: net.saddr cidr (192.0.2.0/24)
    action: deny
""")
    r = vigil("run", "--policy", path, "--duration", "1", "--xdp-iface", "nosuchif0")
    assert r.returncode == 1
    assert "vigil: --xdp-iface nosuchif0: no such network interface here\n" in r.stderr, r.stderr
    assert "agent.ready" not in r.stdout


def test_packet_rules_ipv6_and_reload():
    import signal
    pair = NetPair()
    dev_a = "va" + pair.a[3:]
    base = 44000 + os.getpid() % 1000
    first, second = base, base + 1
    serve(pair, first, second, v6=True)

    def rule(port):
        return f"""
rules:
  - name: drop v6 from b
    description: XDP test, IPv6 and reload
    on: net.packet
    when: net.saddr cidr ({pair.b6}/128) and net.dport == {port} and net.family == inet6
    action: deny
"""
    path = policy_file(rule(first))
    agent = agent_in(pair.a, "--policy", path, "--xdp-iface", dev_a)

    def reaches6(port):
        code = (f"import socket\ns=socket.socket(socket.AF_INET6)\ns.settimeout(1.5)\n"
                f"try:\n  s.connect(('{pair.a6}', {port})); print('ok')\n"
                f"except OSError as e: print('fail', e)")
        return in_ns(pair.b, "python3", "-c", code).stdout.strip() == "ok"
    try:
        assert not reaches6(first), "an IPv6 SYN the rule names still connected"
        assert reaches6(second)
        assert tcp_reaches(pair, first), "IPv4 from b dropped by an inet6 rule"
        agent.wait_for(lambda e: e["kind"] == "alert", what="the IPv6 drop alert")
        with open(path, "w") as f:
            f.write(rule(second))
        agent.proc.send_signal(signal.SIGHUP)
        agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "reloaded",
                       what="the reload")
        assert reaches6(first), "the old rule still drops after the reload"
        assert not reaches6(second), "the new rule does not drop"
        agent.wait_for(lambda e: e["kind"] == "alert" and e["event"]["net"]["dport"] == second,
                       what="the new rule's alert")
        events = agent.stop()
    except BaseException:
        agent.kill()
        raise
    got = alerts(events, "drop v6 from b")
    ports = [a["event"]["net"]["dport"] for a in got]
    assert set(ports) == {first, second} and ports == sorted(ports), ports  # old rule's first
    ev = got[0]["event"]
    assert ev["net"]["family"] == "inet6" and ev["net"]["saddr"] == pair.b6
    assert ev["net"]["daddr"] == pair.a6 and ev["net"]["iface"] == dev_a
    assert ev["enforcement"] == {"action": "deny", "mechanism": "xdp", "outcome": "denied"}


def test_net_packet_is_no_sensor_kind():
    r = vigil("run", "-k", "net.packet", "--duration", "1")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "net.packet has no sensor: it comes from net.packet deny rules at XDP" in r.stderr, r.stderr
