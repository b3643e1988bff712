"""syslog outputs against a real rsyslogd (Debian's rsyslog, started here on loopback ports in a
temporary directory): UDP, TCP with RFC 6587 octet counting, and TLS with certificates made by the
test. Every event vigil writes to its file output arrives once per syslog output, parses as
RFC 5424, and carries the very JSON event as its message."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from vigil_test import Agent, Skip, on_cleanup, parse_jsonl, spawn, vigil

TRUE = os.path.realpath("/bin/true")
UDP, TCP, TLS = 21011, 21012, 21013
# RFC 5424 section 6: HEADER SP STRUCTURED-DATA [SP MSG], as vigil writes it
RFC5424 = re.compile(
    r'^<(?P<pri>\d{1,3})>1 '
    r'(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)) '
    r'(?P<host>[!-~]{1,255}) (?P<app>[!-~]{1,48}) (?P<procid>[!-~]{1,128}) (?P<msgid>[!-~]{1,32}) '
    r'(?P<sd>-|(\[[^\s\]=]+( [^\s\]=]+="([^"\\\]]|\\["\\\]])*")*\])+) '
    r'(?P<msg>.*)$')
SD_PARAM = re.compile(r' ([^\s=\]]+)="((?:[^"\\\]]|\\["\\\]])*)"')


def tmpdir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def make_certs(d):
    """A CA and a server certificate for 127.0.0.1/localhost, made with openssl."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=vigil test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf")
    # a second CA that did not sign the server: verification must fail with it
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out",
        "other.pem", "-days", "2", "-subj", "/CN=another CA")


class Rsyslog:
    """rsyslogd -n with imudp/imtcp (plain and gtls), each input writing %rawmsg% to its own file."""

    def __init__(self, d, inputs=("udp", "tcp", "tls")):
        if not shutil.which("rsyslogd"):
            raise Skip("rsyslogd not installed (scripts/install-test-deps.sh)")
        self.d = d
        self.inputs = inputs
        conf = [f'global(workDirectory="{d}" maxMessageSize="256k" '
                f'DefaultNetstreamDriverCAFile="{d}/ca.pem" DefaultNetstreamDriverCertFile="{d}/srv.pem" '
                f'DefaultNetstreamDriverKeyFile="{d}/srv.key")',
                'module(load="imudp")', 'module(load="imtcp")',
                'template(name="raw" type="string" string="%protocol-version%\\t%msgid%\\t%rawmsg%\\n")']
        for name in inputs:
            conf.append(f'ruleset(name="{name}") {{ action(type="omfile" file="{d}/{name}.log" template="raw") }}')
        if "udp" in inputs:
            conf.append(f'input(type="imudp" address="127.0.0.1" port="{UDP}" ruleset="udp")')
        if "tcp" in inputs:
            conf.append(f'input(type="imtcp" address="127.0.0.1" port="{TCP}" ruleset="tcp")')
        if "tls" in inputs:
            conf.append(f'input(type="imtcp" address="127.0.0.1" port="{TLS}" ruleset="tls" '
                        'streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")')
        with open(os.path.join(d, "rsyslog.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["rsyslogd", "-n", "-f", f"{self.d}/rsyslog.conf", "-i",
                                      f"{self.d}/rsyslog.pid"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        on_cleanup(self.stop)
        ports = {"udp": UDP, "tcp": TCP, "tls": TLS}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ss = subprocess.run(["ss", "-lntu"], capture_output=True, text=True).stdout
            if all(f"127.0.0.1:{ports[i]} " in ss for i in self.inputs):
                return self
            assert self.proc.poll() is None, f"rsyslogd exited: {self.proc.stdout.read()}"
            time.sleep(0.1)
        raise AssertionError("rsyslogd did not listen within 10 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)

    def received(self, name):
        try:
            with open(os.path.join(self.d, f"{name}.log")) as f:
                return [line.rstrip("\n").split("\t", 2) for line in f if line.strip()]
        except FileNotFoundError:
            return []


def check_rfc5424(rows, events, where):
    """Every row is an RFC 5424 message whose MSG is one of the events, each event once."""
    want = sorted(json.dumps(e, sort_keys=True) for e in events)
    got = []
    for version, msgid, raw in rows:
        assert version == "1", f"{where}: rsyslog did not parse it as RFC 5424: {raw[:200]}"
        m = RFC5424.match(raw)
        assert m, f"{where}: not RFC 5424: {raw[:300]}"
        ev = json.loads(m["msg"])
        assert m["msgid"] == ev["kind"] == msgid, (where, m["msgid"], ev["kind"], msgid)
        assert m["app"] == "vigil" and m["host"] == ev["host"]["name"]
        assert ev["time"].startswith(m["ts"][:-1]), (m["ts"], ev["time"])  # cut to microseconds
        sd = {k: re.sub(r'\\(["\\\]])', r"\1", v)
              for k, v in SD_PARAM.findall(m["sd"][m["sd"].index(" "):-1])} if m["sd"] != "-" else {}
        assert m["sd"].startswith("[vigil@32473 ") and sd["kind"] == ev["kind"], m["sd"]
        pri = int(m["pri"])
        assert pri // 8 == 3, pri  # facility daemon, the default
        if ev["kind"] == "alert":
            assert sd["severity"] == ev["rule"]["severity"] and sd["rule"] == ev["rule"]["name"]
            assert pri % 8 == {"info": 6, "low": 5, "medium": 4, "high": 3, "critical": 2}[sd["severity"]]
        else:
            assert "severity" not in sd and "rule" not in sd
        got.append(json.dumps(ev, sort_keys=True))
    assert sorted(got) == want, f"{where}: {len(got)} messages for {len(want)} events"


def exec_marked(n, mark):
    for i in range(n):
        spawn([TRUE, mark, str(i)])


def test_outputs_syslog_udp_tcp_tls_every_event_arrives():
    d = tmpdir("vigil-rsyslog-")
    make_certs(d)
    rs = Rsyslog(d).start()
    rules = os.path.join(d, "rules.yaml")
    mark = "vsys" + os.urandom(4).hex()
    with open(rules, "w") as f:
        f.write(f"""rules:
  - name: syslog test "high" rule
    on: process.exec
    when: proc.args contains {mark}
    severity: high
    output: "marked %proc.exe"
""")
    agent = Agent("--policy", rules, "--all-events", "-k", "process.exec",
                  "--spool-dir", os.path.join(d, "spool"),
                  "--output", f"syslog+udp://127.0.0.1:{UDP}",
                  "--output", f"syslog+tcp://127.0.0.1:{TCP}",
                  "--output", f"syslog+tls://127.0.0.1:{TLS}?ca={d}/ca.pem").start()
    exec_marked(40, mark)
    events = agent.stop()
    rs.stop()
    sinks = events[-1]["sinks"]
    assert sum(1 for e in events if e["kind"] == "alert") >= 40
    for name, port in (("udp", UDP), ("tcp", TCP), ("tls", TLS)):
        s = sinks[f"syslog-{name}-127.0.0.1-{port}"]
        # agent.stats counts what was sent before it; agent.stats itself goes out after
        assert s["sent"] == len(events) - 1 and s["queued"] == s["sent"], (name, s)
        assert s["dropped_total"] == 0 and s["backlog"] == 0 and s["retried"] == 0, (name, s)
        check_rfc5424(rs.received(name), events, name)
    changes = [e["sink"] for e in events if e["kind"] == "agent.sink"]
    assert sorted(c["name"] for c in changes if c["state"] == "connected") == sorted(
        f"syslog-{n}-127.0.0.1-{p}" for n, p in (("udp", UDP), ("tcp", TCP), ("tls", TLS)))


def test_outputs_syslog_tls_wrong_ca_is_down_and_spools():
    """Negative: a server certificate the given CA did not sign is refused; nothing is sent, the
    sink says why, and the events wait in the spool (and a later run with the right CA sends them)."""
    d = tmpdir("vigil-rsyslog-")
    make_certs(d)
    rs = Rsyslog(d, inputs=("tls",)).start()
    spool = os.path.join(d, "spool")
    agent = Agent("-k", "process.exec", "--spool-dir", spool, "--drain-timeout", "1",
                  "--output", f"syslog+tls://127.0.0.1:{TLS}?ca={d}/other.pem&name=tls").start()
    exec_marked(10, "vwrongca")
    agent.wait_for(lambda e: e["kind"] == "agent.sink", what="agent.sink")
    events = agent.stop()
    down = [e["sink"] for e in events if e["kind"] == "agent.sink"]
    assert down[0]["state"] == "down" and "certificate" in down[0]["reason"], down
    s = events[-1]["sinks"]["tls"]
    assert s["sent"] == 0 and s["state"] == "down" and s["queued"] == len(events) - 1, s
    time.sleep(0.5)
    rs.stop()
    assert rs.received("tls") == []
    # at exit what was queued went to the spool: a run with the right CA sends it first
    spooled = sum(1 for f in os.listdir(os.path.join(spool, "tls")) for _ in open(os.path.join(spool, "tls", f)))
    assert spooled == len(events), (spooled, len(events))
    rs = Rsyslog(d, inputs=("tls",)).start()
    again = Agent("-k", "process.exec", "--spool-dir", spool,
                  "--output", f"syslog+tls://127.0.0.1:{TLS}?ca={d}/ca.pem&name=tls").start()
    ev2 = again.stop()
    rs.stop()
    check_rfc5424(rs.received("tls"), events + ev2, "tls after the fix")
    assert os.listdir(os.path.join(spool, "tls")) == []


def test_outputs_syslog_receiver_down_at_start_recovers():
    d = tmpdir("vigil-rsyslog-")
    make_certs(d)
    rs = Rsyslog(d, inputs=("tcp",))
    agent = Agent("-k", "process.exec", "--spool-dir", os.path.join(d, "spool"),
                  "--output", f"syslog+tcp://127.0.0.1:{TCP}?retry-max=0.5").start()
    exec_marked(10, "vdownstart")
    agent.wait_for(lambda e: e["kind"] == "agent.sink" and e["sink"]["state"] == "down", what="down")
    rs.start()
    agent.wait_for(lambda e: e["kind"] == "agent.sink" and e["sink"]["state"] == "recovered",
                   timeout=15, what="recovered")
    exec_marked(10, "vdownstart")
    events = agent.stop()
    rs.stop()
    changes = [e["sink"] for e in events if e["kind"] == "agent.sink"]
    assert [c["state"] for c in changes] == ["down", "recovered"], changes
    assert "Connection refused" in changes[0]["reason"] and changes[1]["backlog"] > 0, changes
    s = events[-1]["sinks"][f"syslog-tcp-127.0.0.1-{TCP}"]
    assert s["sent"] == len(events) - 1 and s["dropped_total"] == 0, s
    check_rfc5424(rs.received("tcp"), events, "tcp")
