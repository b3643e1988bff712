"""Startup and memory: time from exec to agent.ready, and what the agent holds at rest."""
import json
import os
import statistics
import subprocess
import time

from . import proc as P


def startup(ctx, reps, log):
    """Time from exec to agent.ready (sensors attached, process table seeded) and RSS at rest."""
    runs = []
    rest = 0.3 if ctx.smoke else 2.0
    for i in range(reps):
        out = os.path.join(ctx.workdir, "vigil-startup.jsonl")
        if os.path.exists(out):
            os.unlink(out)
        t0 = time.monotonic()
        proc = subprocess.Popen([ctx.vigil, "run", "--format", "json", "--output", out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        P.wait_until(lambda: P.file_has(out, '"agent.ready"'), 30, proc, "vigil")
        ready_s = time.monotonic() - t0
        time.sleep(rest)
        rss = P.status_kb(proc.pid, "VmRSS")
        hwm = P.status_kb(proc.pid, "VmHWM")
        maps = P.rss_by_mapping(proc.pid)
        P.stop_and_reap(proc)
        with open(out) as f:
            ready = next(json.loads(line) for line in f if '"agent.ready"' in line)
        os.unlink(out)
        runs.append({"ready_s": ready_s, "rss_kb": rss, "hwm_kb": hwm,
                     "bpf_map_kb": maps.get("anon_inode:bpf-map", 0), "heap_kb": maps.get("[heap]", 0),
                     "seeded": ready.get("agent", {}).get("processes_seeded")})
        log(f"  startup {i + 1}/{reps}: ready in {ready_s * 1000:.0f} ms, RSS {rss} kB")
    med = statistics.median
    return {"runs": runs, "ready_ms_median": med([r["ready_s"] for r in runs]) * 1000,
            "ready_ms_max": max(r["ready_s"] for r in runs) * 1000,
            "rss_mb_median": med([r["rss_kb"] for r in runs]) / 1024,
            "hwm_mb_max": max(r["hwm_kb"] for r in runs) / 1024,
            "bpf_map_mb_median": med([r["bpf_map_kb"] for r in runs]) / 1024,
            "heap_mb_median": med([r["heap_kb"] for r in runs]) / 1024,
            "seeded": runs[-1]["seeded"]}
