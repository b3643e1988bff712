"""Several outputs at once (docs/outputs.md): the fan-out and its per-output selection, file
rotation with gzip, the host every event names, the HTTP bodies (NDJSON, Elasticsearch _bulk,
Splunk HEC) checked by a receiver in the test (neither Elasticsearch nor Splunk is in Debian),
and bad configurations."""
import gzip
import http.server
import json
import os
import shutil
import socket
import tempfile
import threading
import time

from vigil_test import Agent, on_cleanup, parse_jsonl, spawn, vigil

TRUE = os.path.realpath("/bin/true")
HTTP_PORT = 21031


def tmpdir():
    d = tempfile.mkdtemp(prefix="vigil-outputs-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return f.read()


def rules_file(d, mark):
    path = os.path.join(d, "rules.yaml")
    with open(path, "w") as f:
        f.write(f"""rules:
  - name: outputs low
    on: process.exec
    when: proc.args contains {mark}-low
    severity: low
    output: "low %proc.exe"
  - name: outputs high
    on: process.exec
    when: proc.args contains {mark}-high
    severity: high
    output: "high %proc.exe"
""")
    return path


def test_outputs_fanout_selection_and_host():
    d = tmpdir()
    mark = "vfan" + os.urandom(4).hex()
    alerts_f, proc_f, high_f = (os.path.join(d, n) for n in ("alerts.jsonl", "proc.jsonl", "high.jsonl"))
    agent = Agent("--policy", rules_file(d, mark), "--all-events", "-k", "process.exec,file.open",
                  "--output", f"file:{alerts_f}?kinds=alert",
                  "--output", f"file:{proc_f}?kinds=process.*,agent.stats",
                  "--output", f"file:{high_f}?min-severity=high&name=high").start()
    for i in range(5):
        spawn([TRUE, f"{mark}-low", str(i)])
        spawn([TRUE, f"{mark}-high", str(i)])
    agent.wait_for(lambda e: e["kind"] == "alert" and e["rule"]["name"] == "outputs high" and
                   e["event"]["proc"]["args"][-1] == "4", what="the last alert")
    events = agent.stop()
    every = [json.dumps(e, sort_keys=True) for e in events]

    def kept(path):
        return [json.dumps(e, sort_keys=True) for e in parse_jsonl(read_lines(path), path)]
    # each output holds exactly the events its selection wants, in order
    assert kept(alerts_f) == [j for j, e in zip(every, events) if e["kind"] == "alert"]
    assert kept(proc_f) == [j for j, e in zip(every, events)
                            if e["kind"].startswith("process.") or e["kind"] == "agent.stats"]
    high = [j for j, e in zip(every, events) if e["kind"] == "alert" and e["rule"]["severity"] == "high"]
    assert kept(high_f) == high and len(high) == 5
    assert sum(1 for e in events if e["kind"] == "alert") >= 10
    assert any(e["kind"] == "file.open" for e in events)
    # every event, alerts too, names its host
    with open("/etc/machine-id") as f:
        mid = f.read().strip()
    for e in events:
        assert e["host"] == {"name": socket.gethostname(), "id": mid}, e
    sinks = events[-1]["sinks"]
    assert sinks["high"]["sent"] == 5 and sinks["high"]["state"] == "up"
    main = [v for k, v in sinks.items() if k.startswith("file_tmp_vigil-e2e-")]
    assert len(main) == 1 and main[0]["sent"] == len(events) - 1


def test_outputs_file_rotation_gzip_keep():
    d = tmpdir()
    path = os.path.join(d, "rot.jsonl")
    agent = Agent("-k", "process.exec", "--output", f"file:{path}?rotate=16K&keep=3&gzip&name=rot").start()
    for i in range(150):
        spawn([TRUE, "vrotate", str(i)])
    events = agent.stop()
    time.sleep(0.2)
    names = sorted(os.listdir(d))
    assert names == ["rot.jsonl", "rot.jsonl.1.gz", "rot.jsonl.2.gz", "rot.jsonl.3.gz"], names
    # newest last: .3.gz .2.gz .1.gz then the live file are the tail of the stream, whole lines
    kept = []
    for n in ("rot.jsonl.3.gz", "rot.jsonl.2.gz", "rot.jsonl.1.gz", "rot.jsonl"):
        text = read_lines(os.path.join(d, n))
        assert text.endswith("\n")
        if n != "rot.jsonl":
            assert len(text.encode()) <= 16384 and os.path.getsize(os.path.join(d, n)) < 16384
        kept += parse_jsonl(text, n)
    assert kept == events[len(events) - len(kept):] and len(kept) < len(events)
    rot = events[-1]["sinks"]["rot"]
    assert rot["rotations"] >= 4 and rot["sent"] == len(events) - 1, rot


def test_outputs_stdout_and_plain_path():
    d = tmpdir()
    path = os.path.join(d, "plain.jsonl")
    r = vigil("run", "-k", "process.exec", "-d", "1", "--output", "-", "--output", path, timeout=60)
    assert r.returncode == 0, r.stderr
    out = parse_jsonl(r.stdout, "stdout")
    assert out == parse_jsonl(read_lines(path), path)
    assert out[0]["kind"] == "agent.ready" and out[-1]["kind"] == "agent.stats"
    assert set(out[-1]["sinks"]) == {"stdout", "file" + path.replace("/", "_")}


def test_outputs_bad_configuration_exit_2():
    d = tmpdir()
    notdir = os.path.join(d, "file")
    open(notdir, "w").close()
    cases = [
        (["--output", "kafka://broker:9092"], "unknown output scheme 'kafka'"),
        (["--output", "syslog+tcp://127.0.0.1:65536"], "bad port '65536'"),
        (["--output", "syslog+udp://127.0.0.1:x1"], "bad port 'x1'"),
        (["--output", "https://127.0.0.1/x?token=secret"], "credentials never go on the command line"),
        (["--output", "file:/tmp/x?kinds=nope.kind"], "unknown event kind 'nope.kind'"),
        (["--output", "syslog+udp://127.0.0.1:514?rotate=1M"], "unknown option 'rotate' for syslog+udp"),
        (["--output", f"syslog+tls://127.0.0.1:21099?ca={d}/missing.pem", "--spool-dir", d],
         f"cannot read the CA file {d}/missing.pem"),
        (["--output", f"syslog+tls://127.0.0.1:21099?ca={notdir}", "--spool-dir", d],
         f"the CA file {notdir} holds no PEM certificate"),
        (["--output", "syslog+tcp://127.0.0.1:21099", "--spool-dir", f"{notdir}/spool"],
         f"spool directory {notdir}/spool/syslog-tcp-127.0.0.1-21099 cannot be created"),
        (["--output", "https://127.0.0.1/x?token-env=VIGIL_TEST_UNSET_TOKEN", "--spool-dir", d],
         "the environment variable VIGIL_TEST_UNSET_TOKEN (token) is not set"),
        (["--output", f"file:{notdir}/x.jsonl"], f"cannot open output file {notdir}/x.jsonl"),
        (["--format", "text", "--output", "syslog+udp://127.0.0.1:514"], "network outputs carry JSON events"),
    ]
    for args, want in cases:
        r = vigil("run", "-k", "process.exec", "-d", "1", *args, timeout=30)
        lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("Try `")]
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert len(lines) == 1 and want in lines[0], (args, r.stderr)
        assert r.stdout == "", (args, r.stdout[:200])
    # positive beside them: the same shapes, well formed, start (the receiver may be down)
    r = vigil("run", "-k", "process.exec", "-d", "0.5", "--spool-dir", d, "--drain-timeout", "0.2",
              "--output", f"{d}/ok.jsonl", "--output", "syslog+tcp://127.0.0.1:21099?name=down",
              timeout=30)
    assert r.returncode == 0, r.stderr
    ev = parse_jsonl(read_lines(f"{d}/ok.jsonl"))
    assert ev[-1]["sinks"]["down"]["state"] == "down"


# ---- HTTP: a receiver that checks each body format ----

class Receiver(http.server.ThreadingHTTPServer):
    def __init__(self, port, fail_first=0, status=None):
        self.bodies = []      # (path, headers, decoded body) of each accepted request
        self.fail_first = fail_first
        self.status = status
        self.seen_ids = set()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        on_cleanup(self.close)

    def close(self):
        self.shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        srv = self.server
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
        with srv.lock:
            if srv.fail_first > 0:
                srv.fail_first -= 1
                return self.answer(503, b'{"error":"busy"}')
            if srv.status:
                return self.answer(srv.status, b"bad request\n")
            srv.bodies.append((self.path, dict(self.headers), body.decode()))
            if self.path.endswith("/_bulk"):
                lines = body.decode().splitlines()
                items = []
                for action in lines[0::2]:
                    _id = json.loads(action)["create"]["_id"]
                    items.append({"create": {"_id": _id, "status": 409 if _id in srv.seen_ids else 201}})
                    srv.seen_ids.add(_id)
                return self.answer(200, json.dumps({"took": 1, "errors": any(
                    i["create"]["status"] != 201 for i in items), "items": items}).encode())
            if "collector" in self.path:
                return self.answer(200, b'{"text":"Success","code":0}')
            return self.answer(200, b"")

    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_outputs_http_ndjson_es_bulk_splunk_hec():
    d = tmpdir()
    token = os.path.join(d, "token")
    with open(token, "w") as f:
        f.write("es-key-123\n")
    os.environ["VIGIL_TEST_HEC_TOKEN"] = "hec-token-456"
    on_cleanup(lambda: os.environ.pop("VIGIL_TEST_HEC_TOKEN", None))
    rx = Receiver(HTTP_PORT, fail_first=1)
    base = f"http://127.0.0.1:{HTTP_PORT}"
    agent = Agent("-k", "process.exec", "--spool-dir", os.path.join(d, "spool"),
                  "--output", f"{base}/ingest?format=ndjson&flush=0.2&name=nd",
                  "--output", f"{base}/_bulk?format=es-bulk&gzip&token-file={token}&flush=0.2&retry-max=0.3&name=es",
                  "--output", f"{base}/services/collector/event?format=splunk-hec&token-env=VIGIL_TEST_HEC_TOKEN&flush=0.2&name=hec").start()
    for i in range(30):
        spawn([TRUE, "vhttp", str(i)])
    events = agent.stop()
    want = [json.dumps(e, sort_keys=True) for e in events]
    got = {"nd": [], "es": [], "hec": []}
    for path, headers, body in rx.bodies:
        if path == "/ingest":
            assert headers["Content-Type"] == "application/x-ndjson"
            got["nd"] += [json.dumps(json.loads(l), sort_keys=True) for l in body.splitlines()]
        elif path == "/_bulk":
            assert headers["Authorization"] == "ApiKey es-key-123"
            assert headers["Content-Encoding"] == "gzip" and body.endswith("\n")
            lines = body.splitlines()
            assert len(lines) % 2 == 0
            for action, doc in zip(lines[0::2], lines[1::2]):
                a = json.loads(action)
                assert list(a) == ["create"] and set(a["create"]) == {"_id"}
                got["es"].append(json.dumps(json.loads(doc), sort_keys=True))
        else:
            assert headers["Authorization"] == "Splunk hec-token-456"
            for l in body.splitlines():
                env = json.loads(l)
                assert set(env) == {"time", "host", "source", "sourcetype", "event"}, env
                assert env["host"] == env["event"]["host"]["name"] and env["sourcetype"] == "vigil:event"
                assert abs(env["time"] - time.time()) < 120
                got["hec"].append(json.dumps(env["event"], sort_keys=True))
    # the one 503 made some sink retry its first batch: nothing lost, nothing twice
    for name in got:
        assert sorted(got[name]) == sorted(want), (name, len(got[name]), len(want))
    sinks = events[-1]["sinks"]
    assert sum(sinks[n]["retried"] for n in got) > 0, sinks
    for n in got:
        assert sinks[n]["sent"] == len(events) - 1 and sinks[n]["dropped_total"] == 0, (n, sinks[n])
    for path, headers, body in rx.bodies:
        assert "es-key-123" not in path and "hec-token" not in path


def test_outputs_http_rejected_batches_are_counted_not_retried():
    d = tmpdir()
    rx = Receiver(HTTP_PORT + 1, status=400)
    agent = Agent("-k", "process.exec", "--spool-dir", os.path.join(d, "spool"),
                  "--output", f"http://127.0.0.1:{HTTP_PORT + 1}/in?flush=0.1&name=bad").start()
    for i in range(5):
        spawn([TRUE, "vreject", str(i)])
    events = agent.stop()
    s = events[-1]["sinks"]["bad"]
    assert s["sent"] == 0 and s["retried"] == 0 and s["backlog"] == 0, s
    assert s["dropped"]["rejected"] == len(events) - 1 == s["queued"], s
    assert rx.bodies == []
