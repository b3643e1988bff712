"""Enforcement on the real kernel (docs/enforcement.md): deny rules on net.connect carried out by
the cgroup sock_addr hooks (the caller gets EPERM, the listener never sees the connection), monitor
mode, exemptions, refusal of rules the kernel cannot decide, reloads, and `vigil block` (XDP) on a
veth pair in namespaces made for the test. Every test asserts the real effect, not only the event."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import vigil_test
from vigil_test import Agent, helper, on_cleanup, one, vigil

CONNECT = "enforce_connect"


def policy_file(text):
    fd, path = tempfile.mkstemp(prefix="vigil-enforce-", suffix=".yaml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    on_cleanup(lambda: os.unlink(path))
    return path


def listener(addr="127.0.0.1", family=socket.AF_INET, proto="tcp"):
    """A socket bound to a free port; returns (socket, port)."""
    s = socket.socket(family, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.bind((addr, 0))
    if proto == "tcp":
        s.listen(8)
    s.setblocking(False)
    on_cleanup(s.close)
    return s, s.getsockname()[1]


def attempt(addr, port, *opts):
    """One connect by the helper: 'ok' or 'errno N NAME'."""
    p = subprocess.run([helper(CONNECT), *opts, addr, str(port)], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 0, f"{CONNECT}: exit {p.returncode}: {p.stderr}"
    return p.stdout.strip()


def accepted(sock, proto="tcp"):
    """Did the listener get a connection (or a datagram)? Waits a little for it."""
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        try:
            if proto == "tcp":
                c, _ = sock.accept()
                c.close()
            else:
                sock.recv(16)
            return True
        except BlockingIOError:
            time.sleep(0.02)
    return False


def alerts(events, rule=None):
    return [e for e in events if e["kind"] == "alert" and (rule is None or e["rule"]["name"] == rule)]


def deny_rule(name, port, extra="", mode=None, addr="127.0.0.1/32"):
    return f"""
rules:
  - name: {name}
    description: enforcement test
    on: net.connect
    when: net.daddr cidr ({addr}) and net.dport in ({port}){extra}
    action: deny
{f"    mode: {mode}" if mode else ""}
    output: "connect by %proc.comm to %net.daddr:%net.dport"
"""


def test_connect_denied_with_eperm():
    sock, port = listener()
    other, other_port = listener()
    path = policy_file(deny_rule("deny test port", port))
    with Agent("--policy", path) as agent:
        pol = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
        assert pol["enforcement"]["rules"] == [{
            "name": "deny test port", "action": "deny", "mode": "enforce", "mechanism": "cgroup",
            "hooks": ["connect4", "connect6", "sendmsg4", "sendmsg6"]}]
        assert pol["enforcement"]["cgroup_attached"] is True
        assert attempt("127.0.0.1", port) == "errno 1 EPERM"
        assert not accepted(sock), "the listener saw a denied connection"
        assert attempt("127.0.0.1", other_port) == "ok"  # another port: allowed
        assert accepted(other)
        agent.wait_for(lambda e: e["kind"] == "alert", what="the alert")
    a = one(alerts(agent.events), "one alert")
    assert a["rule"]["name"] == "deny test port" and a["rule"]["action"] == "deny"
    assert a["rule"]["output"] == f"connect by {CONNECT} to 127.0.0.1:{port}"
    ev = a["event"]
    assert ev["kind"] == "net.connect"
    assert ev["enforcement"] == {"action": "deny", "mechanism": "cgroup", "outcome": "denied"}
    assert ev["net"] == {"family": "inet", "proto": "tcp", "daddr": "127.0.0.1", "dport": port,
                         "hook": "connect4", "result": -1}
    assert ev["proc"]["comm"] == CONNECT and ev["proc"]["uid"] == 0
    # enforcement ends with vigil
    assert attempt("127.0.0.1", port) == "ok"
    assert accepted(sock)


def test_monitor_allows_and_reports_would_deny():
    sock, port = listener()
    path = policy_file(deny_rule("deny test port", port))
    with Agent("--policy", path, "--monitor") as agent:
        pol = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
        assert pol["enforcement"]["mode"] == "monitor"
        assert pol["enforcement"]["rules"][0]["mode"] == "monitor"
        assert attempt("127.0.0.1", port) == "ok"
        assert accepted(sock)
        agent.wait_for(lambda e: e["kind"] == "alert", what="the alert")
    ev = one(alerts(agent.events), "one alert")["event"]
    assert ev["enforcement"] == {"action": "deny", "mechanism": "cgroup", "outcome": "would-deny"}
    assert "result" not in ev["net"]


def test_rule_mode_monitor_and_global_enforce():
    sock, port = listener()
    path = policy_file(deny_rule("monitored rule", port, mode="monitor"))
    with Agent("--policy", path):
        assert attempt("127.0.0.1", port) == "ok"  # the rule's own mode: monitor
        assert accepted(sock)
    with Agent("--policy", path, "--enforce") as agent:
        assert attempt("127.0.0.1", port) == "errno 1 EPERM"  # --enforce overrides it
        assert not accepted(sock)
        agent.wait_for(lambda e: e["kind"] == "alert", what="the alert")
    assert one(alerts(agent.events), "alert")["event"]["enforcement"]["outcome"] == "denied"


def test_every_denial_counted_under_a_flood():
    """Every call is denied whether or not its record fits in the ring buffer, and each denial is
    an alert or counted in agent.loss: none goes unaccounted."""
    sock, port = listener(proto="udp")
    path = policy_file(deny_rule("deny flood", port, extra=" and net.proto == udp"))
    n = 30000
    with Agent("--policy", path) as agent:
        p = subprocess.run([helper(CONNECT), "-n", str(n), "-p", "udp", "127.0.0.1", str(port)],
                           capture_output=True, text=True, timeout=120)
        assert f"eperm {n}" in p.stdout.splitlines(), p.stdout
    alerted = len(alerts(agent.events, "deny flood"))
    lost = sum(e["lost"].get("enforce.connect", 0) for e in agent.events if e["kind"] == "agent.loss")
    assert alerted + lost == n, (alerted, lost)
    print(f"  ({n} denied: {alerted} alerts, {lost} records lost and counted)")


def test_udp_connect_and_sendto_denied():
    sock, port = listener(proto="udp")
    path = policy_file(deny_rule("deny udp", port, extra=" and net.proto == udp"))
    with Agent("--policy", path) as agent:
        assert attempt("127.0.0.1", port, "-p", "sendto") == "errno 1 EPERM"
        assert attempt("127.0.0.1", port, "-p", "udp") == "errno 1 EPERM"
        assert not accepted(sock, "udp")
        tcp, tport = listener()
        agent.wait_for(lambda e: len(alerts([e])) and e["event"]["net"]["hook"] == "connect4",
                       what="the udp connect alert")
    hooks = sorted(a["event"]["net"]["hook"] for a in alerts(agent.events))
    assert hooks == ["connect4", "sendmsg4"]
    assert all(a["event"]["net"]["proto"] == "udp" for a in alerts(agent.events))


def test_ipv6_and_v4_mapped():
    sock6, port = listener("::1", socket.AF_INET6)
    path = policy_file(f"""
rules:
  - name: deny v6 loopback
    on: net.connect
    when: net.daddr in (::1, 127.0.0.1) and net.dport == {port}
    action: deny
""")
    with Agent("--policy", path) as agent:
        assert attempt("::1", port) == "errno 1 EPERM"
        assert attempt("::ffff:127.0.0.1", port) == "errno 1 EPERM"
        assert not accepted(sock6)
        agent.wait_for(lambda e: len(alerts(agent.read())) >= 2, what="two alerts")
    nets = sorted((a["event"]["net"]["daddr"], a["event"]["net"]["hook"]) for a in alerts(agent.events))
    assert nets == [("::1", "connect6"), ("::ffff:127.0.0.1", "connect6")]


def test_comm_and_uid_conditions():
    sock, port = listener()
    path = policy_file(deny_rule("deny victim", port, extra=" and proc.comm == enfvictim and proc.uid in (0, 65534)"))
    with Agent("--policy", path):
        assert attempt("127.0.0.1", port, "-c", "enfvictim") == "errno 1 EPERM"
        assert attempt("127.0.0.1", port, "-c", "enfvictim", "-u", "65534") == "errno 1 EPERM"
        assert attempt("127.0.0.1", port, "-c", "enfvictim", "-u", "65533") == "ok"
        assert attempt("127.0.0.1", port, "-c", "enfbystander") == "ok"
        assert accepted(sock) and accepted(sock)


def test_exempt_comm_and_cgroup():
    sock, port = listener()
    cg = vigil_test.make_cgroup("vigil-enf-" + os.urandom(3).hex())
    path = policy_file(deny_rule("deny test port", port))
    with Agent("--policy", path, "--exempt-comm", "enfexempt", "--exempt-cgroup", os.path.basename(cg)):
        assert attempt("127.0.0.1", port, "-c", "enfexempt") == "ok"
        assert accepted(sock)
        assert attempt("127.0.0.1", port) == "errno 1 EPERM"
        # a process in the exempt cgroup
        p = subprocess.run(["sh", "-c", f'echo $$ > {cg}/cgroup.procs && exec {helper(CONNECT)} 127.0.0.1 {port}'],
                           capture_output=True, text=True, timeout=20)
        assert p.stdout.strip() == "ok", p.stderr
        assert accepted(sock)
    r = vigil("run", "--policy", path, "--exempt-cgroup", "no-such-cgroup-here", "-d", "1")
    assert r.returncode == 1
    assert "vigil: --exempt-cgroup no-such-cgroup-here: no such cgroup" in r.stderr


def test_vigil_itself_is_exempt_in_the_kernel_table():
    """vigil makes no connections of its own to test with; the kernel's table must hold its tgid
    (and the program compares the tgid before anything else, with PID 1)."""
    sock, port = listener()
    path = policy_file(deny_rule("deny test port", port))
    with Agent("--policy", path) as agent:
        tgid = agent.ready["agent"]["tgid"]
        maps = subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True, text=True,
                              timeout=20)
        assert maps.returncode == 0, maps.stderr
        cfgs = []  # every enf_config map (another test's vigil may hold one too)
        for m in json.loads(maps.stdout):
            if m.get("name") != "enf_config":
                continue
            out = subprocess.run(["bpftool", "-j", "map", "dump", "id", str(m["id"])],
                                 capture_output=True, text=True, timeout=20)
            if out.returncode == 0:
                cfgs += [e["formatted"]["value"] for e in json.loads(out.stdout) if "formatted" in e]
        assert any(c["self_tgid"] == tgid and c["active"] == 1 for c in cfgs), cfgs


def test_not_enforceable_refused_unless_degraded():
    sock, port = listener()
    path = policy_file(f"""
rules:
  - name: deny or
    on: net.connect
    when: net.dport == {port} or proc.exe == /bin/false
    action: deny
""")
    r = vigil("run", "--policy", path, "-d", "1")
    assert r.returncode == 1
    assert (f"{path}:5:11: rule 'deny or': action deny cannot be enforced on this kernel: 'or' (the kernel "
            "decides a conjunction: net.daddr cidr/==/in, net.dport ==/in, net.proto ==/in (tcp, udp), "
            "net.family ==/in, proc.uid ==/in, proc.comm ==/in, joined by 'and') (--allow-degraded runs it "
            "as an alert)") in r.stderr, r.stderr
    assert "nothing started" in r.stderr
    with Agent("--policy", path, "--allow-degraded") as agent:
        pol = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
        rule = one(pol["enforcement"]["rules"], "rule")
        assert rule["mechanism"] == "none" and rule["degraded"] is True
        assert rule["reason"].startswith("not enforceable: 'or'")
        assert pol["enforcement"]["cgroup_attached"] is False
        assert attempt("127.0.0.1", port) == "ok"  # degraded: not denied
        assert accepted(sock)
        agent.wait_for(lambda e: e["kind"] == "alert", what="the degraded rule's alert")
    a = one(alerts(agent.events), "alert")
    assert "enforcement" not in a["event"] and a["event"]["net"]["dport"] == port


def test_other_kinds_and_fields_not_enforceable():
    path = policy_file("""
rules:
  - name: deny exec
    on: file.chmod
    when: proc.exe == /bin/false
    action: deny
  - name: deny by exe
    on: net.connect
    when: net.dport == 9 and proc.exe == /bin/false
    action: deny
""")
    r = vigil("run", "--policy", path, "-d", "1")
    assert r.returncode == 1
    assert f"{path}:3:5: rule 'deny exec': action deny cannot be enforced on this kernel: deny is carried out on net.connect, net.listen (cgroup hooks), net.packet (XDP) and on process.exec, file.open, priv.setuid, kernel.module_load, kernel.bpf, file.unlink, file.rename, kernel.mount, kernel.ptrace (BPF LSM or SIGKILL) only" in r.stderr, r.stderr
    assert f"{path}:9:30: rule 'deny by exe': action deny cannot be enforced on this kernel: the kernel cannot decide 'proc.exe ==' at connect" in r.stderr, r.stderr
    ex = vigil("policy", "explain", path)
    assert ex.returncode == 0
    assert "  enforcement: not enforceable: deny is carried out on net.connect, net.listen (cgroup hooks), net.packet (XDP) and on process.exec" in ex.stdout
    assert f"  enforcement: not enforceable: the kernel cannot decide 'proc.exe ==' at connect" in ex.stdout


def test_explain_names_the_mechanism():
    path = policy_file(deny_rule("deny test port", 4444))
    ex = vigil("policy", "explain", path)
    assert ex.returncode == 0, ex.stderr
    assert ("  enforcement: cgroup (cgroup/connect4, connect6, sendmsg4, sendmsg6 at the cgroup2 root): "
            "the call fails with EPERM\n"
            "    decided in the kernel: the whole condition, by the enforcement program (no events to user space)\n"
            ) in ex.stdout
    assert "kernel filter: 0 distinct terms for 1 rules" in ex.stdout


def test_reload_changes_what_is_denied():
    a_sock, a_port = listener()
    b_sock, b_port = listener()
    path = policy_file(deny_rule("deny test port", a_port))
    with Agent("--policy", path) as agent:
        assert attempt("127.0.0.1", a_port) == "errno 1 EPERM"
        with open(path, "w") as f:
            f.write(deny_rule("deny other port", b_port))
        agent.proc.send_signal(signal.SIGHUP)
        agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "reloaded", what="reload")
        assert attempt("127.0.0.1", a_port) == "ok"
        assert attempt("127.0.0.1", b_port) == "errno 1 EPERM"
        assert accepted(a_sock) and not accepted(b_sock)
        agent.wait_for(lambda e: len(alerts(agent.read())) >= 2, what="two alerts")
        # a rule that cannot be enforced: the reload is rejected and the old rules keep denying
        with open(path, "w") as f:
            f.write(deny_rule("deny other port", a_port, extra=" and proc.exe == /bin/false"))
        agent.proc.send_signal(signal.SIGHUP)
        rej = agent.wait_for(lambda e: e["kind"] == "agent.policy" and e["status"] == "rejected",
                             what="rejection")
        assert any("cannot be enforced on this kernel" in err for err in rej["errors"]), rej
        assert attempt("127.0.0.1", b_port) == "errno 1 EPERM"
        assert attempt("127.0.0.1", a_port) == "ok"
    names = [a["rule"]["name"] for a in alerts(agent.events)]
    assert names == ["deny test port", "deny other port", "deny other port"]


# --- vigil block (XDP) -----------------------------------------------------------------------

def in_ns(ns, *args, timeout=30):
    return subprocess.run(["nsenter", f"--net=/run/netns/{ns}", *args], capture_output=True,
                          text=True, timeout=timeout)


def tcp_reaches(pair, port):
    """From namespace b, a TCP connect to a's address: True if it connects within 1.5 s."""
    code = (f"import socket\ns=socket.socket()\ns.settimeout(1.5)\n"
            f"try:\n  s.connect(('{pair.a4}', {port})); print('ok')\n"
            f"except OSError as e: print('fail', e)")
    p = in_ns(pair.b, "python3", "-c", code)
    return p.stdout.strip() == "ok"


class PrivateBpffs:
    """A mount namespace with a bpffs of its own at /sys/fs/bpf. `vigil block` pins its one
    table under /sys/fs/bpf/vigil, host-wide: run inside, this test's blocks, counts and the
    final unpin are its own (another suite on the host blocks in its own), and ending the holder
    frees whatever the test left pinned there."""

    def __init__(self):
        self.holder = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             "mount -t bpf bpf /sys/fs/bpf && echo ready && exec sleep 600"],
            stdout=subprocess.PIPE, text=True)
        on_cleanup(lambda: (self.holder.kill(), self.holder.wait()))
        assert self.holder.stdout.readline() == "ready\n", "no private bpffs"

    def vigil(self, *args, net=None, timeout=30):
        """`vigil ARGS` in the private mount namespace (and in netns net if given)."""
        cmd = ["nsenter", "-t", str(self.holder.pid), "-m"]
        if net:
            cmd.append(f"--net=/run/netns/{net}")
        return subprocess.run([*cmd, vigil_test.VIGIL, *args], capture_output=True, text=True,
                              timeout=timeout)

    def path(self, p):
        """Where p of the private namespace is seen from here."""
        return f"/proc/{self.holder.pid}/root{p}"


def test_block_drops_packets_at_xdp_on_veth():
    from netpair import NetPair
    pair = NetPair()
    bpffs = PrivateBpffs()
    dev_a = "va" + pair.a[3:]
    port = 25500 + os.getpid() % 500  # inside the pair's own namespace
    srv = subprocess.Popen(["nsenter", f"--net=/run/netns/{pair.a}", "python3", "-c",
                            f"import socket\ns=socket.socket()\ns.bind(('{pair.a4}', {port}))\ns.listen(64)\n"
                            "import time\nwhile True:\n  c,_=s.accept(); c.close()"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    on_cleanup(lambda: srv.kill())
    deadline = time.monotonic() + 5
    while not tcp_reaches(pair, port):
        assert time.monotonic() < deadline, "the test listener is not reachable"
    assert "vigil" not in os.listdir(bpffs.path("/sys/fs/bpf"))  # a fresh bpffs
    r = bpffs.vigil("block", "add", f"{pair.b4}/32", "--iface", dev_a, net=pair.a)
    assert r.returncode == 0, r.stderr
    assert f"blocked {pair.b4}/32" in r.stdout and f"interfaces: {dev_a}" in r.stdout
    assert os.path.exists(bpffs.path("/sys/fs/bpf/vigil/block_v4"))
    assert not tcp_reaches(pair, port), "a blocked source still connects"
    # the table is pinned: another command sees it, with the drops counted; only this test's row
    ls = bpffs.vigil("block", "list")
    assert ls.returncode == 0, ls.stderr
    row = [line for line in ls.stdout.splitlines() if line.startswith(f"{pair.b4}/32 ")]
    assert len(row) == 1 and int(row[0].split()[1]) >= 1, ls.stdout
    d = bpffs.vigil("block", "del", f"{pair.b4}/32")
    assert d.returncode == 0 and f"unblocked {pair.b4}/32" in d.stdout, d.stderr
    assert tcp_reaches(pair, port), "still dropped after block del"
    d = bpffs.vigil("block", "del", "--iface", dev_a, net=pair.a)
    assert d.returncode == 0 and f"detached from {dev_a}" in d.stdout, d.stderr
    # empty and attached nowhere: nothing is left pinned
    assert "unpinned" in d.stdout, d.stdout
    assert not os.path.exists(bpffs.path("/sys/fs/bpf/vigil/block_v4")), d.stdout


def test_block_errors():
    vigil = PrivateBpffs().vigil  # a del that found something would change another suite's table
    r = vigil("block", "add", "10.0.0.0/33")
    assert r.returncode == 2
    assert r.stderr == ("vigil: '10.0.0.0/33' is not a network: expected an address or CIDR such as "
                        "203.0.113.0/24 or 2001:db8::/32\n")
    r = vigil("block", "add", "192.0.2.0/24", "--iface", "nosuchif0")
    assert r.returncode == 1 and r.stderr == "vigil: no network interface 'nosuchif0' here\n"
    r = vigil("block", "del", "192.0.2.77/32")
    assert r.returncode == 1 and "192.0.2.77/32 is not blocked" in r.stderr
    r = vigil("block", "frob")
    assert r.returncode == 2 and "unknown action 'frob'" in r.stderr
