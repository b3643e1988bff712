"""The network sensor and its tools against real traffic: namespaces joined by a veth pair made by
the test (netpair.py), and loopback. Every address, port and pid is compared on both sides."""
import random
import re
import signal
import subprocess
import time

from netpair import NetPair, finish, wait_ready
from vigil_test import VIGIL, Agent, check_invariant, helper, on_cleanup, one

NET_KINDS = ("--kind", "net.connect", "--kind", "net.accept", "--kind", "net.listen",
             "--kind", "net.close", "--kind", "net.reset")


def agent(*kinds):
    args = []
    for k in kinds:
        args += ["--kind", k]
    return Agent(*(args or NET_KINDS)).start()


def net_of(events, kind, **where):
    return [e for e in events if e["kind"] == kind
            and all(e["net"].get(k) == v for k, v in where.items())]


def connect_accept_close(family):
    pair = NetPair()
    src, dst = (pair.a4, pair.b4) if family == "inet" else (pair.a6, pair.b6)
    port = random.randint(20000, 29999)
    sent, replied = 1234, 567
    ag = agent()
    server = pair.popen(pair.b, "net_peer", "listen", dst, port, replied)
    server_pid = wait_ready(server)
    client = pair.run(pair.a, "net_peer", "connect", dst, port, sent)
    served = finish(server)
    events = ag.stop()
    check_invariant(ag.stats)

    client_pid = int(client["pid"][0])
    assert client["result"] == ["0"], client
    assert client["local"][0] == src
    cport = int(client["local"][1])
    assert int(client["received"][0]) == replied and int(served["received"][0]) == sent
    assert served["accepted"] == [src, str(cport)]

    tuple_out = dict(family=family, proto="tcp", saddr=src, sport=cport, daddr=dst, dport=port)
    tuple_in = dict(family=family, proto="tcp", saddr=dst, sport=port, daddr=src, dport=cport)
    c = one(net_of(events, "net.connect", sport=cport, dport=port), "connect")
    assert c["proc"]["tgid"] == client_pid and c["proc"]["comm"] == "net_peer"
    assert {k: c["net"][k] for k in tuple_out} == tuple_out
    assert c["net"]["result"] == 0 and c["net"]["nonblocking"] is False

    a = one(net_of(events, "net.accept", sport=port, dport=cport), "accept")
    assert a["proc"]["tgid"] == server_pid
    assert a["net"] == tuple_in

    lst = one(net_of(events, "net.listen", sport=port), "listen")
    assert lst["proc"]["tgid"] == server_pid and lst["net"]["result"] == 0
    assert lst["net"]["saddr"] == dst and lst["net"]["family"] == family

    cc = one(net_of(events, "net.close", sport=cport, dport=port), "client close")
    assert cc["proc"]["tgid"] == client_pid
    assert {k: cc["net"][k] for k in tuple_out} == tuple_out
    assert cc["net"]["bytes_sent"] == sent and cc["net"]["bytes_received"] == replied
    assert 0 < cc["net"]["duration_ns"] < 10e9
    sc = one(net_of(events, "net.close", sport=port, dport=cport), "server close")
    assert sc["proc"]["tgid"] == server_pid
    assert sc["net"]["bytes_sent"] == replied and sc["net"]["bytes_received"] == sent
    assert "owner_unknown" not in sc["net"] and "owner_unknown" not in cc["net"]


def test_tcp_connect_accept_close_ipv4():
    connect_accept_close("inet")


def test_tcp_connect_accept_close_ipv6():
    connect_accept_close("inet6")


def test_loopback_connect_accept():
    port = random.randint(30000, 39999)
    ag = agent("net.connect", "net.accept")
    server = subprocess.Popen([helper("net_peer"), "listen", "127.0.0.1", str(port), "3"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    on_cleanup(lambda: server.poll() is None and server.kill())
    server_pid = wait_ready(server)
    out = subprocess.run([helper("net_peer"), "connect", "127.0.0.1", str(port), "5"],
                         capture_output=True, text=True, timeout=20).stdout
    finish(server)
    events = ag.stop()
    client_pid = int(re.search(r"pid (\d+)", out).group(1))
    cport = int(re.search(r"local 127.0.0.1 (\d+)", out).group(1))
    c = one(net_of(events, "net.connect", sport=cport, dport=port), "connect")
    assert c["proc"]["tgid"] == client_pid and c["net"]["result"] == 0
    assert c["net"]["saddr"] == "127.0.0.1" and c["net"]["daddr"] == "127.0.0.1"
    a = one(net_of(events, "net.accept", sport=port, dport=cport), "accept")
    assert a["proc"]["tgid"] == server_pid


def test_listen_reports_the_port_listen_picked():
    pair = NetPair()
    ag = agent("net.listen")
    out = pair.run(pair.a, "net_peer", "listen-unbound")
    events = ag.stop()
    port = int(out["bound"][1])
    assert port > 0
    e = one(net_of(events, "net.listen", sport=port), "listen")
    assert e["proc"]["tgid"] == int(out["pid"][0])
    assert e["net"] == dict(family="inet", proto="tcp", saddr="0.0.0.0", sport=port,
                            daddr="0.0.0.0", dport=0, result=0)


def test_refused_and_nonblocking_connects():
    pair = NetPair()
    port = random.randint(20000, 29999)
    ag = agent("net.connect", "net.reset")
    refused = pair.run(pair.a, "net_peer", "connect", pair.b4, port, 1)
    refused_nb = pair.run(pair.a, "net_peer", "connect", pair.b6, port + 1, 1, "nonblock")
    server = pair.popen(pair.b, "net_peer", "listen", pair.b4, port + 2, 0)
    wait_ready(server)
    ok_nb = pair.run(pair.a, "net_peer", "connect", pair.b4, port + 2, 10, "nonblock")
    finish(server)
    events = ag.stop()
    check_invariant(ag.stats)

    assert refused["result"] == ["-111"] and refused_nb["result"] == ["-111"]
    r = one(net_of(events, "net.connect", daddr=pair.b4, dport=port), "refused connect")
    assert r["proc"]["tgid"] == int(refused["pid"][0])
    assert r["net"]["result"] == -111 and r["net"]["error"] == "ECONNREFUSED"
    assert r["net"]["saddr"] == pair.a4 and r["net"]["nonblocking"] is False
    rn = one(net_of(events, "net.connect", daddr=pair.b6, dport=port + 1), "refused nonblocking")
    assert rn["proc"]["tgid"] == int(refused_nb["pid"][0])
    assert rn["net"]["result"] == -111 and rn["net"]["nonblocking"] is True
    assert rn["net"]["family"] == "inet6" and rn["net"]["saddr"] == pair.a6
    ok = one(net_of(events, "net.connect", daddr=pair.b4, dport=port + 2), "nonblocking connect")
    assert ok["proc"]["tgid"] == int(ok_nb["pid"][0])
    assert ok["net"]["result"] == 0 and ok["net"]["nonblocking"] is True
    assert ok["net"]["sport"] == int(ok_nb["local"][1])
    # the refusal is a reset sent by B and received by A's connecting socket
    rx = one(net_of(events, "net.reset", daddr=pair.b4, dport=port), "reset received")
    assert rx["net"]["direction"] == "received" and rx["proc"]["tgid"] == int(refused["pid"][0])
    tx = one(net_of(events, "net.reset", saddr=pair.b4, sport=port), "reset sent")
    assert tx["net"]["direction"] == "sent" and tx["net"]["socket"] is False
    assert tx["net"]["daddr"] == pair.a4 and tx["net"]["dport"] == r["net"]["sport"]
    assert tx["net"]["reason"] == "NO_SOCKET"


def test_connect_that_fails_before_a_syn():
    pair = NetPair()
    port = random.randint(20000, 29999)
    ag = agent("net.connect")
    out = pair.run(pair.a, "net_peer", "connect", "10.99.1.1", port, 1)  # no route in A
    events = ag.stop()
    assert out["result"] == ["-101"], out
    e = one(net_of(events, "net.connect", daddr="10.99.1.1", dport=port), "unreachable connect")
    assert e["proc"]["tgid"] == int(out["pid"][0])
    assert e["net"]["result"] == -101 and e["net"]["error"] == "ENETUNREACH"
    assert e["net"]["peer_from_caller"] is True and e["net"]["proto"] == "tcp"


def test_connect_with_no_free_port_reports_the_syscalls_errno():
    # one ephemeral port in A, held by a connection: the next connect to the same peer fails
    # after SYN_SENT (inet_hash_connect) with no socket error; its errno is the outcome
    pair = NetPair()
    port = random.randint(20000, 29999)
    subprocess.run(["ip", "netns", "exec", pair.a, "sysctl", "-q", "-w",
                    "net.ipv4.ip_local_port_range=40000 40000"], check=True, timeout=10)
    ag = agent("net.connect")
    server = pair.popen(pair.b, "net_peer", "echo", pair.b4, port)
    wait_ready(server)
    holder = pair.popen(pair.a, "net_peer", "pingpong", pair.b4, port, 2, stdin=subprocess.PIPE)
    assert holder.stdout.readline().startswith("tcpinfo")
    out = pair.run(pair.a, "net_peer", "connect", pair.b4, port, 1)
    holder.stdin.close()
    holder.stdin = None
    finish(holder)
    finish(server)
    events = ag.stop()
    assert out["result"] == ["-99"], out
    e = one([x for x in net_of(events, "net.connect", dport=port)
             if x["proc"]["tgid"] == int(out["pid"][0])], "failed connect")
    assert e["net"]["result"] == -99 and e["net"]["error"] == "EADDRNOTAVAIL"
    assert e["net"]["daddr"] == pair.b4 and e["net"]["saddr"] == pair.a4
    assert "peer_from_caller" not in e["net"]
    ok = one([x for x in net_of(events, "net.connect", dport=port) if x is not e], "held connect")
    assert ok["net"]["result"] == 0 and ok["net"]["sport"] == 40000


def scan(family, count):
    pair = NetPair()
    src, dst = (pair.a4, pair.b4) if family == "inet" else (pair.a6, pair.b6)
    first = random.randint(10000, 19000)
    ag = agent("net.reset")
    out = pair.run(pair.a, "net_peer", "scan", dst, first, count)
    events = ag.stop()
    check_invariant(ag.stats)
    assert out["refused"] == [str(count)]
    sent = [e for e in net_of(events, "net.reset", saddr=dst, daddr=src)
            if e["net"]["direction"] == "sent"]
    assert sorted(e["net"]["sport"] for e in sent) == list(range(first, first + count)), sent[:3]
    assert all(e["net"]["family"] == family and e["net"]["socket"] is False for e in sent)
    received = [e for e in net_of(events, "net.reset", saddr=src, daddr=dst)
                if e["net"]["direction"] == "received"]
    assert sorted(e["net"]["dport"] for e in received) == list(range(first, first + count))
    assert all(e["proc"]["tgid"] == int(out["pid"][0]) for e in received)
    # the two sides name the same connection attempt
    assert sorted(e["net"]["dport"] for e in sent) == sorted(e["net"]["sport"] for e in received)


def test_scan_of_closed_ports_ipv4():
    scan("inet", 25)


def test_scan_of_closed_ports_ipv6():
    scan("inet6", 10)


def run_tool(*args):
    p = subprocess.Popen([VIGIL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    on_cleanup(lambda: p.poll() is None and p.kill())
    header = p.stdout.readline()
    assert header.startswith("TIME") or header.strip(), f"no header: {p.stderr.read()}"
    return p, header


def stop_tool(p):
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    return out.splitlines()


def test_tcpconnect_tcpaccept_port_filter():
    pair = NetPair()
    port = random.randint(20000, 29999)
    tc, header = run_tool("tcpconnect", "-P", str(port))
    assert header.split() == ["TIME", "PID", "COMM", "IP", "SADDR", "SPORT", "DADDR", "DPORT",
                              "RESULT"]
    ta, _ = run_tool("tcpaccept", "-P", str(port))
    other = pair.run(pair.a, "net_peer", "connect", pair.b4, port + 1, 1)  # filtered out: port
    server = pair.popen(pair.b, "net_peer", "listen", pair.b6, port, 0)
    server_pid = wait_ready(server)
    c = pair.run(pair.a, "net_peer", "connect", pair.b6, port, 1)
    finish(server)
    time.sleep(0.3)
    rows = [r.split() for r in stop_tool(tc) if r.strip()]
    cport = c["local"][1]
    assert rows == [[rows[0][0], c["pid"][0], "net_peer", "6", pair.a6, cport, pair.b6, str(port),
                     "0"]], rows
    assert other["result"] == ["-111"]
    arows = [r.split() for r in stop_tool(ta) if r.strip()]
    assert arows == [[arows[0][0], str(server_pid), "net_peer", "6", pair.b6, str(port), pair.a6,
                      cport]], arows


def test_tcpreset_rows():
    pair = NetPair()
    first = random.randint(10000, 19000)
    tr, header = run_tool("tcpreset", "-P", str(first), "-P", str(first + 1))
    assert header.split()[-1] == "DIR"
    out = pair.run(pair.a, "net_peer", "scan", pair.b4, first, 3)  # the third is filtered out
    time.sleep(0.3)
    rows = [r.split() for r in stop_tool(tr) if r.strip()]
    tx = sorted((r[4], r[5], r[6], r[8]) for r in rows if r[-1] == "TX")
    rx = sorted((r[1], r[4], r[6], r[7]) for r in rows if r[-1] == "RX")
    assert tx == [(pair.b4, str(first), pair.a4, "TX"), (pair.b4, str(first + 1), pair.a4, "TX")]
    assert rx == [(out["pid"][0], pair.a4, pair.b4, str(first)),
                  (out["pid"][0], pair.a4, pair.b4, str(first + 1))]
    assert len(rows) == 4


def test_tcprtt_counts_match_the_kernel():
    pair = NetPair()
    port = random.randint(20000, 29999)
    rounds = 60
    tool, header = run_tool("tcprtt", "-i", "600")
    assert header.startswith("Tracing TCP RTT"), header
    server = pair.popen(pair.b, "net_peer", "echo", pair.b4, port)
    wait_ready(server)
    client = pair.popen(pair.a, "net_peer", "pingpong", pair.b4, port, rounds,
                        stdin=subprocess.PIPE)
    line = client.stdout.readline().split()
    assert line[:1] == ["tcpinfo"], line
    info = dict(zip(line[1::2], map(int, line[2::2])))
    out = stop_tool(tool)
    client.stdin.close()
    client.stdin = None
    finish(client)
    finish(server)
    text = "\n".join(out)
    m = re.search(rf"Remote host {re.escape(pair.b4)}: samples (\d+) avg (\d+) us min (\d+) us "
                  rf"max (\d+) us", text)
    assert m, text
    samples, avg, lo, hi = map(int, m.groups())
    # every segment the client received after the SYN-ACK went through tcp_rcv_established
    assert samples == info["segs_in"] - 1, (samples, info)
    assert samples >= rounds
    assert 1 <= lo <= avg <= hi < 1_000_000, (lo, avg, hi)
    assert lo <= info["rtt_us"] <= hi, (info, lo, hi)
    # the histogram holds every sample
    block = text[m.end():].split("Remote host")[0]
    counts = [int(x) for x in re.findall(r"-> \d+\s+: (\d+)", block)]
    assert sum(counts) == samples, block
