"""bench/run --smoke: one short run of each mode proves the benchmark harness works. Not a
benchmark: it asserts the output's shape, never the figures."""
import json
import os
import shutil
import subprocess
import tempfile

import vigil_test as vt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODES = {"none", "floor", "vigil-stream", "vigil-nomatch", "vigil-background", "vigil-rules-1",
         "vigil-rules-100", "vigil-rules-1000", "vigil-syslog-tcp", "vigil-clickhouse", "bpftrace",
         "auditd"}


def audit_state():
    st = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
    rules = subprocess.run(["auditctl", "-l"], capture_output=True, text=True).stdout
    keep = [line for line in st.splitlines() if line.split(" ")[0] in ("enabled", "pid", "backlog_limit")]
    return keep, rules


def test_bench_smoke():
    out = tempfile.mkdtemp(prefix="vigil-bench-smoke-")
    vt.on_cleanup(lambda: subprocess.run(["rm", "-rf", out]))
    before = audit_state() if shutil.which("auditctl") else None
    p = subprocess.run([os.path.join(ROOT, "bench", "run"), "--smoke", "--build", vt.BUILD,
                        "--out", out], capture_output=True, text=True, timeout=900)  # waits if a full bench holds the lock
    assert p.returncode == 0, f"bench/run --smoke exited {p.returncode}: {p.stdout[-1500:]}{p.stderr[-1500:]}"

    with open(os.path.join(out, "results.json")) as f:
        res = json.load(f)
    # No bound on its time: tests assert behaviour, not timings (the VM matrix runs beside it and
    # a loaded machine takes minutes); a hung harness still ends at the subprocess timeout.
    assert res["smoke"] is True and res["reps"] == 1
    assert {w["workload"] for w in res["workloads"]} == {"exec", "open", "tcp", "mixed"}
    for w in res["workloads"]:
        assert {r["mode"] for r in w["rows"]} == MODES, w["workload"]
        for r in w["rows"]:
            if "na" in r:
                # n/a only where the mode does not apply to the workload; a mode whose every
                # run failed is a broken harness or a broken vigil, not a figure to leave out
                assert r["na"] and not r.get("failed"), (w["workload"], r)
                continue
            assert r["runs"] == 1 and r["median_s"] > 0 and r["ratio"] > 0, (w["workload"], r)
            if r["mode"].startswith("vigil"):
                # losses are a measurement, not a failure; inexact counts are
                assert r["counts_exact"], (w["workload"], r)
                assert r["tracer_peak_rss_mb"] > 0
    exec_rows = {r["mode"]: r for r in next(w for w in res["workloads"] if w["workload"] == "exec")["rows"]}
    assert exec_rows["vigil-stream"]["delivered"] >= res["workloads"][0]["iterations"]
    assert exec_rows["vigil-nomatch"]["delivered"] == 0
    open_wl = next(w for w in res["workloads"] if w["workload"] == "open")
    open_rows = {r["mode"]: r for r in open_wl["rows"]}
    # the output modes: a run fails unless its receiver got every event (harness/sinks.py)
    for sink, server in (("vigil-syslog-tcp", "rsyslogd"), ("vigil-clickhouse", "clickhouse-server")):
        row = open_rows[sink]
        assert ("na" in row) == (shutil.which(server) is None), row
        assert "na" in row or row["delivered"] >= open_wl["iterations"], row

    tp = res["throughput"]
    assert tp["zero_loss_max_rate"] > 0
    ov = tp["overload"]
    assert ov["lost"] > 0 and ov["exact"], f"overload run: {ov}"
    assert ov["delivered"] + ov["lost"] == ov["produced"] == ov["generated"]
    assert ov["loss_events_total"] == ov["lost_all_kinds"], "agent.loss events do not add up to the lost count"
    assert res["startup"]["ready_ms_median"] > 0 and res["startup"]["rss_mb_median"] > 0

    with open(os.path.join(out, "results.md")) as f:
        md = f.read()
    for heading in ("# vigil benchmark results", "## Targets", "### exec:", "### open:", "### tcp:",
                    "### mixed:", "## Throughput", "## Startup and memory", "results.png"):
        assert heading in md, f"results.md lacks {heading!r}"
    with open(os.path.join(out, "results.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", "results.png is not a PNG"
    if before is not None:
        assert audit_state() == before, "the bench left the audit settings changed"
