"""net.dns against a stub DNS server run by the test in its own namespace (port 53 on a veth pair):
the query's name and type, the resolver's address, the parsed answer, and crafted malformed
replies reported as malformed while the agent keeps running."""
from netpair import NetPair, finish, wait_ready
from vigil_test import Agent, check_invariant, marker, one


def exchange(mode, family="inet", tcp=False, mmsg=False):
    pair = NetPair()
    client_addr, server_addr = (pair.a4, pair.b4) if family == "inet" else (pair.a6, pair.b6)
    name = f"{marker()}.example.test"
    ag = Agent("--kind", "net.dns", "--kind", "net.connect").start()
    if tcp:
        server = pair.popen(pair.b, "net_dns", "serve-tcp", server_addr)
    else:
        server = pair.popen(pair.b, "net_dns", "serve", server_addr, mode, 2 if mmsg else 1)
    server_pid = wait_ready(server)
    client = pair.run(pair.a, "net_dns", "query", server_addr, name,
                      *(["tcp"] if tcp else ["mmsg"] if mmsg else []))
    finish(server)
    events = ag.stop()
    check_invariant(ag.stats)
    assert ag.stats["net.dns"]["lost"] == 0
    mine = [e for e in events if e["kind"] in ("net.dns", "net.connect")
            and server_addr in (e["net"]["saddr"], e["net"]["daddr"])]
    return pair, name, int(client["pid"][0]), int(client["sport"][0]), server_pid, mine, \
        client_addr, server_addr


def by(events, tgid, direction):
    return [e for e in events if e["kind"] == "net.dns" and e["proc"]["tgid"] == tgid
            and e["dns"]["direction"] == direction]


def test_dns_query_and_answer_udp():
    _, name, cpid, sport, spid, events, caddr, saddr = exchange("good")
    q = one(by(events, cpid, "sent"), "query sent")
    assert q["net"] == dict(family="inet", proto="udp", saddr=caddr, sport=sport, daddr=saddr,
                            dport=53)
    d = q["dns"]
    assert d["qr"] == "query" and d["id"] == 0xbeef and d["name"] == name and d["type"] == "A"
    assert d["class"] == 1 and "malformed" not in d and d["bytes"] == 12 + len(name) + 2 + 4
    r = one(by(events, cpid, "received"), "response received")
    d = r["dns"]
    assert d["qr"] == "response" and d["id"] == 0xbeef and d["name"] == name
    assert d["rcode"] == 0 and d["rcode_name"] == "NOERROR" and d["ancount"] == 1
    assert d["answers"] == [dict(name=name, type="A", ttl=300, data="10.1.2.3")]
    assert "malformed" not in d
    # the stub server's side: the query it read and the answer it sent, from port 53
    sq = one(by(events, spid, "received"), "query at the server")
    assert sq["net"]["sport"] == 53 and sq["net"]["daddr"] == caddr
    assert sq["net"]["dport"] == sport and sq["dns"]["name"] == name
    sa = one(by(events, spid, "sent"), "answer from the server")
    assert sa["net"]["daddr"] == caddr and sa["net"]["dport"] == sport
    assert sa["net"]["peer_from_caller"] is True and sa["dns"]["qr"] == "response"
    # the client's UDP connect(), from the kernel's socket
    c = one([e for e in events if e["kind"] == "net.connect"], "UDP connect")
    assert c["proc"]["tgid"] == cpid and c["net"]["result"] == 0
    assert c["net"] == dict(family="inet", proto="udp", saddr=caddr, sport=sport, daddr=saddr,
                            dport=53, result=0)


def test_dns_query_ipv6():
    _, name, cpid, sport, _, events, caddr, saddr = exchange("good", family="inet6")
    q = one(by(events, cpid, "sent"), "query sent")
    assert q["net"]["family"] == "inet6" and q["net"]["daddr"] == saddr
    assert q["net"]["saddr"] == caddr and q["net"]["sport"] == sport
    assert q["dns"]["name"] == name and q["dns"]["type"] == "A"


def test_dns_over_tcp():
    _, name, cpid, sport, _, events, caddr, saddr = exchange("good", tcp=True)
    q = one(by(events, cpid, "sent"), "query sent (writev)")
    assert q["net"]["proto"] == "tcp" and q["net"]["dport"] == 53 and q["net"]["sport"] == sport
    assert q["dns"]["name"] == name and q["dns"]["type"] == "A" and "malformed" not in q["dns"]
    r = one(by(events, cpid, "received"), "response received")
    assert r["dns"]["answers"] == [dict(name=name, type="A", ttl=300, data="10.1.2.3")]


def test_dns_sendmmsg_and_recvmsg_like_glibc():
    _, name, cpid, sport, _, events, caddr, saddr = exchange("good", mmsg=True)
    sent = by(events, cpid, "sent")
    assert sorted((e["dns"]["name"], e["dns"]["type"]) for e in sent) == [(name, "A"),
                                                                          (name, "AAAA")]
    assert all(e["net"]["dport"] == 53 and e["net"]["sport"] == sport for e in sent)
    got = by(events, cpid, "received")
    assert sorted(e["dns"]["type"] for e in got) == ["A", "AAAA"]
    assert all(e["dns"]["qr"] == "response" and e["dns"]["name"] == name for e in got)


def test_dns_reply_with_a_compression_loop_is_malformed():
    _, name, cpid, _, _, events, _, _ = exchange("loop")
    r = one(by(events, cpid, "received"), "response received")
    d = r["dns"]
    assert d["malformed"] == "compression pointer does not point backwards"
    assert d["malformed_offset"] == 12 + len(name) + 2 + 4
    assert d["name"] == name and d["qr"] == "response"  # what came before the fault is kept
    assert d["answers"] == []


def test_dns_reply_cut_short_is_malformed():
    _, name, cpid, _, _, events, _, _ = exchange("cut")
    r = one(by(events, cpid, "received"), "response received")
    d = r["dns"]
    assert d["bytes"] == 17 and d["malformed"] == "label runs past the end"
    assert d["malformed_offset"] == 12 and "name" not in d
