"""--metrics: a real Prometheus (Debian's, started here on a loopback port in a temporary
directory) scrapes vigil every second; the series read back through its HTTP API agree with
agent.stats. /healthz says 503 with the reason when the consumer does not keep up."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from vigil_test import Agent, Skip, on_cleanup, spawn, vigil

METRICS, PROM = 21041, 21042


def tmpdir():
    d = tempfile.mkdtemp(prefix="vigil-metrics-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def scrape(port=METRICS):
    """/metrics as {(name, labels): value}."""
    status, text = get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        series, value = line.rsplit(" ", 1)
        out[series] = float(value)
    return out


class Prometheus:
    def __init__(self, d, target):
        if not shutil.which("prometheus"):
            raise Skip("prometheus not installed (scripts/install-test-deps.sh)")
        with open(os.path.join(d, "prometheus.yml"), "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ["{target}"]
""")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={d}/prometheus.yml", f"--storage.tsdb.path={d}/tsdb",
             f"--web.listen-address=127.0.0.1:{PROM}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        on_cleanup(self.stop)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(f"http://127.0.0.1:{PROM}/-/ready")[0] == 200:
                    return
            except OSError:
                pass
            assert self.proc.poll() is None, "prometheus exited"
            time.sleep(0.2)
        raise AssertionError("prometheus not ready within 30 s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def value(self, query):
        status, body = get(f"http://127.0.0.1:{PROM}/api/v1/query?query=" + urllib.parse.quote(query))
        assert status == 200, body
        res = json.loads(body)["data"]["result"]
        return float(res[0]["value"][1]) if res else None


def test_outputs_metrics_prometheus_agrees_with_stats():
    d = tmpdir()
    comm = "vmet" + os.urandom(4).hex()
    exe = os.path.join(d, comm)
    shutil.copy(os.path.realpath("/bin/true"), exe)
    prom = Prometheus(d, f"127.0.0.1:{METRICS}")
    agent = Agent("-k", "process.exec", "--comm", comm, "--metrics", f"127.0.0.1:{METRICS}",
                  "--output", f"file:{d}/copy.jsonl?name=copy").start()
    assert get(f"http://127.0.0.1:{METRICS}/healthz") == (200, "ok\n")
    for i in range(25):
        spawn([exe, str(i)])
    q = 'vigil_events_delivered_total{kind="process.exec"}'
    deadline = time.monotonic() + 30
    while prom.value(q) != 25 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert prom.value(q) == 25, prom.value(q)
    time.sleep(2.5)  # a few more scrapes of the quiet agent
    from_prom = {
        "produced": prom.value('vigil_events_produced_total{kind="process.exec"}'),
        "lost": prom.value('vigil_events_lost_total{kind="process.exec"}'),
        "sent": prom.value('vigil_sink_sent_total{sink="copy"}'),
        "queued": prom.value('vigil_sink_queued_total{sink="copy"}'),
        "up": prom.value('vigil_sink_up{sink="copy"}'),
        "rss": prom.value("vigil_agent_rss_bytes"),
        "cpu": prom.value("vigil_agent_cpu_seconds_total"),
        "table": prom.value("vigil_process_table_entries"),
        "ring": prom.value("vigil_ringbuf_size_bytes"),
        "sensor": prom.value('vigil_sensor_attached{sensor="process"}'),
    }
    events = agent.stop()
    stats = events[-1]["stats"]["process.exec"]
    assert stats["delivered"] == 25 == stats["produced"] == from_prom["produced"], (stats, from_prom)
    assert from_prom["lost"] == stats["lost"] == 0
    sink = events[-1]["sinks"]["copy"]
    assert from_prom["sent"] == sink["sent"] == from_prom["queued"] == len(events) - 1, (from_prom, sink)
    assert from_prom["up"] == 1 and from_prom["sensor"] == 1
    assert from_prom["ring"] == events[0]["agent"]["ringbuf_size"]
    assert 10e6 < from_prom["rss"] < 2e9 and 0 < from_prom["cpu"] < 60
    assert from_prom["table"] > 10


def test_outputs_metrics_alerts_per_rule():
    d = tmpdir()
    mark = "vmal" + os.urandom(4).hex()
    rules = os.path.join(d, "rules.yaml")
    with open(rules, "w") as f:
        f.write(f"""rules:
  - name: metrics rule "one"
    on: process.exec
    when: proc.args contains {mark}
    severity: critical
    output: "x"
""")
    agent = Agent("--policy", rules, "--metrics", f"127.0.0.1:{METRICS + 2}").start()
    for i in range(7):
        spawn([os.path.realpath("/bin/true"), mark, str(i)])
    agent.wait_for(lambda e: e["kind"] == "alert" and e["event"]["proc"]["args"][-1] == "6", what="alerts")
    time.sleep(1.5)
    m = scrape(METRICS + 2)
    events = agent.stop()
    n = sum(1 for e in events if e["kind"] == "alert" and e["rule"]["name"] == 'metrics rule "one"')
    assert n == 7
    assert m['vigil_alerts_total{rule="metrics rule \\"one\\"",severity="critical"}'] == 7, \
        [k for k in m if "alerts" in k]


def test_outputs_metrics_healthz_503_when_events_are_lost():
    agent = Agent("-k", "process.exec,file.open", "--ringbuf-size", "4096",
                  "--metrics", f"127.0.0.1:{METRICS + 1}").start()
    assert get(f"http://127.0.0.1:{METRICS + 1}/healthz")[0] == 200
    status, body = 200, ""
    deadline = time.monotonic() + 20
    while status == 200 and time.monotonic() < deadline:
        for _ in range(20):  # a storm of opens and execs into a 4 KiB ring buffer
            spawn(["/bin/sh", "-c", "cat /etc/hostname /etc/passwd /etc/group >/dev/null"])
        status, body = get(f"http://127.0.0.1:{METRICS + 1}/healthz")
    m = scrape(METRICS + 1)
    events = agent.stop()
    assert status == 503 and "the kernel dropped events in the last 10 s" in body, (status, body)
    lost = sum(s["lost"] for s in events[-1]["stats"].values())
    seen = sum(v for k, v in m.items() if k.startswith("vigil_events_lost_total"))
    assert 0 < seen <= lost, (seen, lost)


def test_outputs_metrics_bad_address_exit_2():
    for addr, want in (("127.0.0.1:0", "bad port '0'"), ("nohost:9464", "'nohost' is not an IP address"),
                       ("9464", "expected ADDR:PORT")):
        r = vigil("run", "-k", "process.exec", "-d", "1", "--metrics", addr, timeout=30)
        lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("Try `")]
        assert r.returncode == 2 and len(lines) == 1 and want in lines[0], (addr, r.returncode, r.stderr)


def test_outputs_metrics_bpf_program_runs_while_the_kernel_counts():
    """BPF_ENABLE_STATS (held by this test's fd, so nothing stays on after it): vigil's programs
    show their run counts and run time. (Whether they are absent without it cannot be tested on
    a shared host: any other process may hold the same switch.)"""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint32 * 4)(0, 0, 0, 0)  # enable_stats.type = BPF_STATS_RUN_TIME (0)
    agent = Agent("-k", "process.exec", "--metrics", f"127.0.0.1:{METRICS + 3}").start()
    fd = libc.syscall(321, 32, ctypes.byref(attr), 16)  # bpf(BPF_ENABLE_STATS, ...)
    assert fd >= 0, f"BPF_ENABLE_STATS: errno {ctypes.get_errno()}"
    try:
        for i in range(20):
            spawn([os.path.realpath("/bin/true"), "vbpfstats", str(i)])
        time.sleep(1.5)
        m = scrape(METRICS + 3)
    finally:
        os.close(fd)
    agent.stop()
    runs = {k: v for k, v in m.items() if k.startswith("vigil_bpf_prog_runs_total")}
    assert runs and sum(runs.values()) >= 20, runs
    assert any(m[k.replace("runs_total", "run_ns_total")] > 0 for k in runs)
