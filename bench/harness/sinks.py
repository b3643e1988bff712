"""The network-output modes: vigil streaming the open loop to a real rsyslog over TCP (RFC 5424,
octet counting) and to a real ClickHouse (HTTP, JSONEachRow), against the file output of
vigil-stream. The receivers are Debian's, started once per bench run on loopback ports in the
work directory and stopped at exit. The agent's CPU per event is what the rows compare; the
receivers' own CPU is not counted (they are other processes)."""
import atexit
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request

RSYSLOG_PORT = 21061
CH_HTTP, CH_TCP = 21062, 21063

_receivers = {}


def _stop_all():
    for proc in _receivers.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


atexit.register(_stop_all)


def _wait(pred, proc, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited {proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready within {timeout}s")


def rsyslog(workdir):
    if "rsyslog" in _receivers:
        return
    d = os.path.join(workdir, "rsyslog")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "rsyslog.conf"), "w") as f:
        f.write(f'global(workDirectory="{d}" maxMessageSize="256k")\n'
                'module(load="imtcp")\n'
                f'input(type="imtcp" address="127.0.0.1" port="{RSYSLOG_PORT}" ruleset="v")\n'
                f'ruleset(name="v") {{ action(type="omfile" file="{d}/events.log") }}\n')
    proc = subprocess.Popen(["rsyslogd", "-n", "-f", f"{d}/rsyslog.conf", "-i", f"{d}/rsyslog.pid"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _receivers["rsyslog"] = proc

    def listening():
        ss = subprocess.run(["ss", "-lnt"], capture_output=True, text=True).stdout
        return f"127.0.0.1:{RSYSLOG_PORT} " in ss
    _wait(listening, proc, "rsyslogd")


CH_CONFIG = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host><http_port>{http}</http_port><tcp_port>{tcp}</tcp_port>
  <path>{d}/data/</path><tmp_path>{d}/tmp/</tmp_path><user_files_path>{d}/uf/</user_files_path>
  <format_schema_path>{d}/fs/</format_schema_path><users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
</yandex>
"""
CH_USERS = """<?xml version="1.0"?>
<yandex><profiles><default></default></profiles>
<users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
<quotas><default></default></quotas></yandex>
"""


def _ch_query(sql):
    req = urllib.request.Request(f"http://127.0.0.1:{CH_HTTP}/", data=sql.encode())
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode()


def clickhouse(workdir, vigil):
    if "clickhouse" in _receivers:
        return
    d = os.path.join(workdir, "clickhouse")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.xml"), "w") as f:
        f.write(CH_CONFIG.format(d=d, http=CH_HTTP, tcp=CH_TCP))
    with open(os.path.join(d, "users.xml"), "w") as f:
        f.write(CH_USERS)
    proc = subprocess.Popen(["clickhouse-server", f"--config-file={d}/config.xml"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _receivers["clickhouse"] = proc

    def ping():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{CH_HTTP}/ping", timeout=1).read() == b"Ok.\n"
        except OSError:
            return False
    _wait(ping, proc, "clickhouse-server")
    ddl = subprocess.run([vigil, "clickhouse-schema", "--table", "vbench.events"], check=True,
                         capture_output=True, text=True).stdout
    for stmt in ddl.split(";"):
        body = "\n".join(l for l in stmt.splitlines() if not l.strip().startswith("--")).strip()
        if body:
            _ch_query(body)


def sink_na(wl, binary):
    if wl.name != "open":
        return "the output modes run on the open loop"
    if not shutil.which(binary):
        return f"{binary} is not installed (scripts/install-test-deps.sh)"
    return None


def sink_args(ctx, which):
    """vigil's arguments for a mode: every event to the receiver, only the agent's own events to
    the file the harness reads agent.stats from."""
    spool = os.path.join(ctx.workdir, "spool")
    if which == "syslog":
        rsyslog(ctx.workdir)
        spec = f"syslog+tcp://127.0.0.1:{RSYSLOG_PORT}?name=bench"
    else:
        clickhouse(ctx.workdir, ctx.vigil)
        spec = f"clickhouse://127.0.0.1:{CH_HTTP}/vbench.events?name=bench"
    # the receiver may lag the open loop's burst: at exit vigil waits until it has everything
    return ["--spool-dir", spool, "--drain-timeout", "120", "--output", spec]


def sink_result(lines, r):
    """The network output's own counters from agent.stats: every event sent, none dropped."""
    last = json.loads(lines[-1]) if lines else {}
    s = last.get("sinks", {}).get("bench")
    if not s:
        raise RuntimeError("agent.stats has no counters for the bench output")
    if s["dropped_total"] or s["backlog"]:
        raise RuntimeError(f"the output did not send everything: {s}")
    r["sink_sent"] = s["sent"]
    return r
