"""Runs every applicable mode of a workload in alternation (A B C ... A B C ...) and summarises:
median wall time, min-max, ratio to no tracing, added ns per event, tracer CPU and peak RSS.

Besides wall time, each run records the workload's own CPU time (its process tree's user + system
time, where the BPF programs and audit hooks of its syscalls run). On a shared machine CPU time
is far less disturbed by neighbours than wall time, and workload CPU + tracer CPU is the whole
CPU price of the events."""
import re
import resource
import statistics
import subprocess
import time

RESULT = re.compile(r"iterations=(\d+) ns=(\d+)")


def run_workload(ctx, wl, n):
    argv = wl.argv(ctx.programs, n, ctx.smoke, ctx.workdir)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic_ns()
    p = subprocess.run(argv, capture_output=True, text=True)
    wall = time.monotonic_ns() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise RuntimeError(f"workload {wl.name} failed ({p.returncode}): {p.stderr[-500:]}")
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    m = RESULT.search(p.stdout)
    # the program's own loop time when it reports one
    return (int(m.group(2)) if m else wall), cpu


def one_run(ctx, wl, mode, n):
    handle = mode.start(ctx, wl)
    try:
        handle.mark()
        ns, cpu = run_workload(ctx, wl, n)
    except BaseException:
        handle.stop()
        raise
    figures = handle.stop()
    figures["ns"], figures["workload_cpu_s"] = ns, cpu
    return figures


def run_matrix(ctx, wl, modes, reps, log):
    n = wl.smoke_iterations if ctx.smoke else wl.iterations
    live = [m for m in modes if m.applies(wl) is None]
    runs = {m.name: [] for m in live}
    run_workload(ctx, wl, n)  # warm the page cache and the binaries, untimed
    failed = {}
    for rep in range(reps):
        for mode in live:
            try:
                r = one_run(ctx, wl, mode, n)
            except RuntimeError as e:  # a tracer that fails is a finding: note it, go on
                failed.setdefault(mode.name, []).append(str(e)[:300])
                log(f"  {wl.name:6} {mode.name:16} run {rep + 1}/{reps}: FAILED: {str(e)[:200]}")
                continue
            runs[mode.name].append(r)
            log(f"  {wl.name:6} {mode.name:16} run {rep + 1}/{reps}: {r['ns'] / 1e9:.3f}s")
    return summarise(wl, modes, runs, n, failed)


def _median(values):
    return statistics.median(values) if values else None


def summarise(wl, modes, runs, n, failed=None):
    failed = failed or {}
    events = n
    if events is None:  # counted by vigil's own streaming runs
        counts = [r["produced"] for r in runs.get("vigil-stream", [])]
        events = int(_median(counts)) if counts else None
    base = _median([r["ns"] for r in runs["none"]])
    base_cpu = _median([r["workload_cpu_s"] for r in runs["none"]])
    rows = []
    for mode in modes:
        why = mode.applies(wl)
        if why is not None:
            rows.append({"mode": mode.name, "na": why, "hide": mode.quiet_na})
            continue
        rs = runs[mode.name]
        if not rs:
            rows.append({"mode": mode.name, "na": "every run failed: " + failed[mode.name][0],
                         "failed": True})
            continue
        med = _median([r["ns"] for r in rs])
        row = {
            "mode": mode.name,
            "runs": len(rs),
            "median_s": med / 1e9,
            "min_s": min(r["ns"] for r in rs) / 1e9,
            "max_s": max(r["ns"] for r in rs) / 1e9,
            "ratio": med / base,
            "added_ns_per_event": (med - base) / events if events else None,
            "workload_cpu_s": _median([r["workload_cpu_s"] for r in rs]),
            "cpu_ratio": 1.0,  # no tracing's; the others below
        }
        if mode.name != "none":
            row["tracer_cpu_s"] = _median([r["cpu_s"] for r in rs])
            extra = row["workload_cpu_s"] - base_cpu + row["tracer_cpu_s"]
            row["added_cpu_ns_per_event"] = extra * 1e9 / events if events else None
            row["cpu_ratio"] = (row["workload_cpu_s"] + row["tracer_cpu_s"]) / base_cpu
            row["tracer_peak_rss_mb"] = max(r["rss_kb"] for r in rs) / 1024
            row["delivered"] = int(_median([r["delivered"] for r in rs])) if "delivered" in rs[0] else None
            row["lost"] = sum(r.get("lost", 0) for r in rs) if "lost" in rs[0] else None
        if "exact" in rs[0]:
            row["alerts"] = sum(r.get("alerts", 0) for r in rs)
            row["produced"] = int(_median([r["produced"] for r in rs]))
            row["counts_exact"] = all(r["exact"] for r in rs)
        if mode.name in failed:
            row["failed_runs"] = len(failed[mode.name])
            row["failure"] = failed[mode.name][0]
        rows.append(row)
    return {"workload": wl.name, "title": wl.title, "iterations": n, "events_per_run": events,
            "event": wl.event, "notes": wl.notes, "rows": rows}
