"""Throughput: the highest event rate vigil takes with zero loss, found by stepping a paced
generator up until vigil loses events or the generator itself tops out; then, past the limit on
purpose (a reader that stalls), whether the loss counts stay exact."""
import json
import os
import shutil
import statistics
import subprocess
import threading
import time

from . import proc as P
from .measure import RESULT
from .modes import VigilRun

WORKERS = 2
KINDS = "process.fork,process.exit"


def generator(ctx):
    """The generator under a name of its own for this run (its comm, which vigil filters on), so
    that events of anything else, another bench's generator included, are never counted."""
    comm = "vbp" + os.urandom(4).hex()
    path = os.path.join(ctx.workdir, comm)
    os.symlink(ctx.programs.path("vbench_paced"), path)
    return comm, path


def generate(ctx, rate, seconds, mode, path=None):
    p = subprocess.run([path or ctx.programs.path("vbench_paced"), str(rate), str(seconds),
                        str(WORKERS), mode], capture_output=True, text=True)
    m = RESULT.search(p.stdout)
    if p.returncode or not m:
        raise RuntimeError(f"vbench_paced failed: {p.stderr[-300:]}")
    lives, ns = int(m.group(1)), int(m.group(2))
    per_life = 2 if mode == "fork" else 1  # fork: process.fork + process.exit
    # The generator's own worker threads are forks too, and its own exit is an exit.
    return lives * per_life + WORKERS + 1, ns


def untraced_ceiling(ctx, seconds, mode="thread"):
    events, ns = generate(ctx, 0, seconds, mode)
    return events / (ns / 1e9)


def profile(pid, seconds, workdir):
    """perf's flat profile of the agent while it works, when perf is installed (not required)."""
    if not shutil.which("perf"):
        return None
    data = os.path.join(workdir, "perf.data")
    rec = subprocess.Popen(["perf", "record", "-q", "-F", "999", "-p", str(pid), "-o", data,
                            "--", "sleep", str(seconds)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return rec, data


def profile_report(handle):
    rec, data = handle
    rec.wait()
    p = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort",
                        "dso,symbol", "--percent-limit", "1.5"], capture_output=True, text=True)
    lines = [line.rstrip() for line in p.stdout.splitlines() if line.strip() and not line.startswith("#")]
    return lines[:20]


def step(ctx, rate, seconds, mode="thread", perf=False):
    comm, path = generator(ctx)
    args = ["--kind", KINDS, "--threads", "--comm", comm]
    vigil = VigilRun(ctx, args, "vigil-throughput", KINDS)
    vigil.mark()
    prof = profile(vigil.proc.pid, seconds, ctx.workdir) if perf else None
    try:
        expected, ns = generate(ctx, rate, seconds, mode, path)
    finally:
        r = vigil.stop()
    result = {
        "target_rate": rate, "mode": mode,
        "seconds": ns / 1e9, "achieved_rate": expected / (ns / 1e9),
        "generated": expected, "produced": r["produced"], "delivered": r["delivered"],
        "lost": r["lost"], "exact": r["exact"] and r["produced"] == expected,
        "vigil_cpu_s": r["cpu_s"], "vigil_cpu_share": r["cpu_s"] / (ns / 1e9),
    }
    if prof:
        result["profile"] = profile_report(prof)
    return result


def overload(ctx, seconds, ringbuf=65536):
    """Past the limit on purpose and every time: vigil writes to a pipe nobody reads while the
    generator runs, so it blocks, its ring buffer fills and the kernel side must drop. Then the
    pipe is drained and vigil stopped: delivered + lost must equal produced, produced must equal
    what the generator made, and the in-band agent.loss events must add up to the lost count."""
    comm, path = generator(ctx)
    argv = [ctx.vigil, "run", "--format", "json", "--kind", KINDS,
            "--threads", "--comm", comm, "--ringbuf-size", str(ringbuf)]
    with open(os.path.join(ctx.workdir, "overload.stderr"), "w") as err:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True)
    while True:
        line = proc.stdout.readline()
        if not line:
            P.stop_and_reap(proc, timeout=5)
            raise RuntimeError("vigil ended before agent.ready")
        if '"agent.ready"' in line:
            break
    try:
        expected, ns = generate(ctx, 0, seconds, "thread", path)
    finally:
        rest = []
        reader = threading.Thread(target=lambda: rest.append(proc.stdout.read()))
        reader.start()
        time.sleep(0.5)  # let it catch up on what the ring buffer still holds
        code = P.stop_and_reap(proc)[0]
        reader.join()
    events = [json.loads(line) for line in rest[0].splitlines() if line.strip()]
    if code != 0 or not events or events[-1].get("kind") != "agent.stats":
        raise RuntimeError(f"vigil exited {code} without agent.stats")
    st = events[-1]["stats"]
    mine = [v for k, v in st.items() if k in KINDS.split(",")]
    produced = sum(s["produced"] for s in mine)
    delivered = sum(s["delivered"] for s in mine)
    lost = sum(s["lost"] for s in mine)
    # agent.loss counts every kind: the process sensor's exec events (fed to the process table
    # whatever --kind says) can be lost too
    in_band = sum(e["total"] for e in events if e.get("kind") == "agent.loss")
    lost_all = sum(s["lost"] for s in st.values())
    return {"ringbuf": ringbuf, "seconds": ns / 1e9, "generated": expected, "produced": produced,
            "delivered": delivered, "lost": lost, "loss_events_total": in_band,
            "lost_all_kinds": lost_all,
            "exact": delivered + lost == produced == expected and in_band == lost_all
            and all(s["delivered"] + s["lost"] == s["produced"] for s in st.values())}


def search(ctx, log):
    seconds = 0.5 if ctx.smoke else 2.0
    rate = 2000 if ctx.smoke else 10000
    ceiling0 = untraced_ceiling(ctx, seconds)
    log(f"  throughput: generator alone, unpaced: {ceiling0:.0f} events/s")
    steps = []
    while True:
        s = step(ctx, rate, seconds)
        steps.append(s)
        log(f"  throughput target {rate}/s: achieved {s['achieved_rate']:.0f}/s, lost {s['lost']}")
        # On a busy machine one step can fall short and the next still go faster: climb until
        # the generator makes less than half the target (it has topped out) or vigil loses.
        if ctx.smoke or s["lost"] or s["achieved_rate"] < 0.5 * rate:
            break
        rate *= 2
    ceiling = step(ctx, 0, seconds, perf=not ctx.smoke)  # unpaced: as fast as the generator goes
    steps.append(ceiling)
    log(f"  throughput unpaced: achieved {ceiling['achieved_rate']:.0f}/s, lost {ceiling['lost']}")
    if not ctx.smoke:
        forks = step(ctx, 0, seconds, mode="fork")
        steps.append(forks)
        log(f"  throughput unpaced fork+exit: {forks['achieved_rate']:.0f}/s, lost {forks['lost']}")
    clean = [s for s in steps if s["lost"] == 0]
    best = max(clean, key=lambda s: s["achieved_rate"]) if clean else None
    # vigil never lost an event at any rate the generator reached: the limit found is the
    # generator's (on this machine, with vigil attached), not vigil's.
    generator_bound = len(clean) == len(steps)
    over = overload(ctx, seconds)
    log(f"  overload (stalled reader): produced {over['produced']} delivered "
        f"{over['delivered']} lost {over['lost']} exact {over['exact']}")
    per_event_us = [s["vigil_cpu_s"] / s["delivered"] * 1e6 for s in steps if s["delivered"] > 1000]
    return {
        "generator_alone_rate": ceiling0,
        "steps": steps,
        "profile": ceiling.get("profile"),
        "zero_loss_max_rate": best["achieved_rate"] if best else 0,
        "generator_bound": generator_bound,
        "vigil_cpu_us_per_event": statistics.median(per_event_us) if per_event_us else None,
        "overload": over,
    }
