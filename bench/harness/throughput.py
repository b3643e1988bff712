"""Throughput: the highest event rate vigil takes with zero loss, found by stepping a paced
generator up until vigil loses events or the generator itself tops out; then, past that point
(a ring buffer too small on purpose), whether the loss counts stay exact."""
import json
import os
import statistics
import subprocess
import time

from . import proc as P
from .measure import RESULT
from .modes import VigilRun

GENERATOR_COMM = "vbench_paced"
WORKERS = 2


def step(ctx, rate, seconds, ringbuf=None, mode="thread"):
    args = ["--kind", "process.fork,process.exit", "--threads", "--comm", GENERATOR_COMM]
    if ringbuf:
        args += ["--ringbuf-size", str(ringbuf)]
    vigil = VigilRun(ctx, args, "vigil-throughput")
    vigil.mark()
    p = subprocess.run([ctx.programs.path("vbench_paced"), str(rate), str(seconds), str(WORKERS),
                        mode], capture_output=True, text=True)
    r = vigil.stop()
    m = RESULT.search(p.stdout)
    if p.returncode or not m:
        raise RuntimeError(f"vbench_paced failed: {p.stderr[-300:]}")
    lives, ns = int(m.group(1)), int(m.group(2))
    per_life = 2 if mode == "fork" else 1  # fork: process.fork + process.exit
    # The generator's own worker threads are forks too, and its own exit is an exit.
    expected = lives * per_life + WORKERS + 1
    return {
        "target_rate": rate, "mode": mode, "ringbuf": ringbuf or "default (8M)",
        "seconds": ns / 1e9, "achieved_rate": expected / (ns / 1e9),
        "generated": expected, "produced": r["produced"], "delivered": r["delivered"],
        "lost": r["lost"], "exact": r["exact"] and r["produced"] == expected,
        "vigil_cpu_s": r["cpu_s"], "vigil_cpu_share": r["cpu_s"] / (ns / 1e9),
    }


def search(ctx, log):
    seconds = 0.5 if ctx.smoke else 2.0
    rate = 2000 if ctx.smoke else 10000
    steps = []
    while True:
        s = step(ctx, rate, seconds)
        steps.append(s)
        log(f"  throughput target {rate}/s: achieved {s['achieved_rate']:.0f}/s, lost {s['lost']}")
        if ctx.smoke or s["lost"] or s["achieved_rate"] < 0.9 * rate:
            break
        rate *= 2
    ceiling = step(ctx, 0, seconds)  # unpaced: as fast as the generator goes
    steps.append(ceiling)
    log(f"  throughput unpaced: achieved {ceiling['achieved_rate']:.0f}/s, lost {ceiling['lost']}")
    if not ctx.smoke:
        forks = step(ctx, 0, seconds, mode="fork")
        steps.append(forks)
        log(f"  throughput unpaced fork+exit: {forks['achieved_rate']:.0f}/s, lost {forks['lost']}")
    clean = [s for s in steps if s["lost"] == 0]
    best = max(clean, key=lambda s: s["achieved_rate"]) if clean else None
    generator_bound = bool(best) and best is ceiling
    # Past the limit on purpose: the smallest ring buffer, unpaced, must lose, and count exactly.
    overload = step(ctx, 0, seconds, ringbuf=4096)
    log(f"  overload (4 KiB ring): produced {overload['produced']} delivered "
        f"{overload['delivered']} lost {overload['lost']} exact {overload['exact']}")
    per_event_us = [s["vigil_cpu_s"] / s["delivered"] * 1e6 for s in steps if s["delivered"] > 1000]
    return {
        "steps": steps,
        "zero_loss_max_rate": best["achieved_rate"] if best else 0,
        "generator_bound": generator_bound,
        "vigil_cpu_us_per_event": statistics.median(per_event_us) if per_event_us else None,
        "overload": overload,
    }


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
        P.stop_and_reap(proc)
        with open(out) as f:
            ready = next(json.loads(line) for line in f if '"agent.ready"' in line)
        os.unlink(out)
        runs.append({"ready_s": ready_s, "rss_kb": rss, "hwm_kb": hwm,
                     "seeded": ready.get("agent", {}).get("processes_seeded")})
        log(f"  startup {i + 1}/{reps}: ready in {ready_s * 1000:.0f} ms, RSS {rss} kB")
    med = statistics.median
    return {"runs": runs, "ready_ms_median": med([r["ready_s"] for r in runs]) * 1000,
            "ready_ms_max": max(r["ready_s"] for r in runs) * 1000,
            "rss_mb_median": med([r["rss_kb"] for r in runs]) / 1024,
            "hwm_mb_max": max(r["hwm_kb"] for r in runs) / 1024,
            "seeded": runs[-1]["seeded"]}
