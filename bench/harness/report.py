"""Writes results.json (everything measured), results.md (a table per workload, the targets,
throughput, startup) and results.png (gnuplot: each mode's ratio to no tracing, per workload)."""
import json
import os
import subprocess

TARGET_THROUGHPUT = 500_000
TARGET_RSS_MB = 30
TARGET_READY_MS = 1000


def _f(v, fmt="{:.3f}", na="n/a"):
    return na if v is None else fmt.format(v)


def _row(results, workload, mode):
    for w in results["workloads"]:
        if w["workload"] == workload:
            for r in w["rows"]:
                if r["mode"] == mode and "na" not in r:
                    return r
    return None


def workload_table(w, labels):
    out = [f"### {w['workload']}: {w['title']}", ""]
    ev = w["events_per_run"]
    out.append(f"{_f(w['iterations'], '{:,} iterations', 'one run of the mix')} per run; {_f(ev, '{:,}')} "
               f"{w['event']} events per run; {w['rows'][0].get('runs', 0)} runs of each mode, alternating.")
    for note in w["notes"]:
        out.append(f"Note: {note}.")
    out += ["", "| mode | median s | min-max s | ratio | added ns/event | workload CPU s | CPU ratio | added CPU ns/event | tracer CPU s | tracer peak RSS MB | delivered | lost |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in w["rows"]:
        label = labels[r["mode"]]
        if r.get("hide"):
            continue
        if "na" in r:
            out.append(f"| {label} | {r['na']} | | | | | | | | | | |")
            continue
        exact = "" if r.get("counts_exact", True) else " (counts NOT exact)"
        if r.get("failed_runs"):
            exact += f" ({r['failed_runs']} run(s) failed: {r['failure'][:120]})"
        out.append("| {} | {:.3f} | {:.3f}-{:.3f} | {:.2f} | {} | {:.3f} | {:.2f} | {} | {} | {} | {} | {}{} |".format(
            label, r["median_s"], r["min_s"], r["max_s"], r["ratio"],
            _f(r["added_ns_per_event"], "{:,.0f}") if r["mode"] != "none" else "-",
            r["workload_cpu_s"], r["cpu_ratio"], _f(r.get("added_cpu_ns_per_event"), "{:,.0f}", "-"),
            _f(r.get("tracer_cpu_s"), "{:.3f}", "-"), _f(r.get("tracer_peak_rss_mb"), "{:.1f}", "-"),
            _f(r.get("delivered"), "{:,}", "-"), _f(r.get("lost"), "{:,}", "-"), exact))
    return out + [""]


def targets(res):
    rows = []
    st = _row(res, "exec", "vigil-stream")
    bt = _row(res, "exec", "bpftrace")
    au = _row(res, "exec", "auditd")
    def cost(r):
        return r["added_cpu_ns_per_event"]

    def share(mine, other):
        return "n/a" if cost(other) <= 0 or cost(mine) <= 0 else f"1/{cost(other) / cost(mine):.1f}"

    for wl in ("open", "exec"):
        st, bt, au = (_row(res, wl, m) for m in ("vigil-stream", "bpftrace", "auditd"))
        if not (st and bt and au):
            continue
        ok = cost(st) * 10 <= cost(bt) and cost(st) * 50 <= cost(au)
        rows.append((f"every {wl} streamed to JSON: <= 1/10 of bpftrace's and 1/50 of auditd's added "
                     "cost per event (whole CPU: workload + tracer)" + ("" if wl == "open" else " (for information)"),
                     f"vigil {cost(st):,.0f} ns, bpftrace {cost(bt):,.0f} ns (vigil = {share(st, bt)} of it), "
                     f"auditd {cost(au):,.0f} ns (vigil = {share(st, au)} of it)",
                     ("met" if ok else "MISSED") if wl == "open" else "-"))
    nm, fl = _row(res, "exec", "vigil-nomatch"), _row(res, "exec", "floor")
    if nm and fl:
        d_cpu = (nm["workload_cpu_s"] + nm["tracer_cpu_s"]) / (fl["workload_cpu_s"] + fl["tracer_cpu_s"]) - 1
        d_wall = nm["median_s"] / fl["median_s"] - 1
        rows.append(("default rules matching nothing: within 10% of the empty-program floor "
                     "(stand-in: kernel filter matching nothing, exec storm)",
                     f"CPU (workload + tracer) {d_cpu * 100:+.1f}% vs floor; wall {d_wall * 100:+.1f}%",
                     "met" if d_cpu <= 0.10 else "MISSED"))
    tp = res.get("throughput")
    if tp:
        rate = tp["zero_loss_max_rate"]
        verdict = "met" if rate >= TARGET_THROUGHPUT else "MISSED"
        if tp["generator_bound"] and verdict == "MISSED":
            verdict += (" (generator-bound: vigil lost nothing at the highest rate process events "
                        "could be made here)")
        rows.append(("zero-loss throughput >= 500,000 events/s", f"{rate:,.0f} events/s", verdict))
    r1, r1000 = _row(res, "open", "vigil-rules-1"), _row(res, "open", "vigil-rules-1000")
    if r1 and r1000:
        c1 = r1["workload_cpu_s"] + r1["tracer_cpu_s"]
        c1000 = r1000["workload_cpu_s"] + r1000["tracer_cpu_s"]
        d = c1000 / c1 - 1
        rows.append(("1,000 rules within 10% of 1 rule (open loop)",
                     f"CPU (workload + agent) {d * 100:+.1f}%; wall {(r1000['median_s'] / r1['median_s'] - 1) * 100:+.1f}%",
                     "met" if d <= 0.10 else "MISSED"))
    su = res.get("startup")
    if su:
        rows.append(("agent RSS < 30 MB at rest", f"{su['rss_mb_median']:.1f} MB",
                     "met" if su["rss_mb_median"] < TARGET_RSS_MB else "MISSED"))
        rows.append(("all sensors attached within 1 s of start (to agent.ready)",
                     f"{su['ready_ms_median']:.0f} ms median, {su['ready_ms_max']:.0f} ms max",
                     "met" if su["ready_ms_max"] < TARGET_READY_MS else "MISSED"))
    out = ["## Targets (issue 9)", "", "| target | measured | verdict |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return out + [""]


def throughput_section(tp):
    out = ["## Throughput", "",
           "vigil with `--kind process.fork,process.exit --threads --comm NAME`, NAME being the paced "
           "generator's own for the run, the generator "
           "starting short-lived threads (one process.fork each) at the target rate, "
           "then unpaced, with threads and with fork + exit (two events per child).", "",
           "| generator | target /s | achieved events/s | produced | delivered | lost | exact | vigil CPU share |",
           "|---|---:|---:|---:|---:|---:|---|---:|"]
    for s in tp["steps"]:
        out.append(f"| {s['mode']} | {s['target_rate'] or 'unpaced'} | {s['achieved_rate']:,.0f} | "
                   f"{s['produced']:,} | {s['delivered']:,} | {s['lost']:,} | {s['exact']} | "
                   f"{s['vigil_cpu_share'] * 100:.0f}% |")
    out.append("")
    out.append(f"The generator alone (no tracing, unpaced) reached {tp['generator_alone_rate']:,.0f} events/s.")
    out.append(f"Highest rate with zero loss: **{tp['zero_loss_max_rate']:,.0f} events/s**"
               + (" (vigil lost nothing at any rate reached: this is how fast the generator went "
                  "with vigil attached, not vigil's limit)." if tp["generator_bound"] else "."))
    if tp["vigil_cpu_us_per_event"]:
        us = tp["vigil_cpu_us_per_event"]
        out.append(f"vigil's own CPU per delivered event: {us:.2f} us (user + system, read, decode, "
                   f"JSON, write), i.e. about {1e6 / us:,.0f} events/s per core if the consumer "
                   "were the limit (an extrapolation, not a measurement).")
    if tp.get("profile"):
        out += ["", "Where vigil's CPU went during the unpaced run (`perf record -F 999 -p`, flat, "
                "entries of 1.5% or more; the scheduler entries are vigil asleep in epoll_wait):", "",
                "```"] + tp["profile"] + ["```"]
    o = tp["overload"]
    out += ["", "### Past the limit: loss accounting", "",
            f"The same generator, unpaced, while vigil (`--ringbuf-size {o['ringbuf']}`) writes to a "
            "pipe nobody reads: vigil blocks, its ring buffer fills, the kernel side drops. Then the "
            f"pipe is drained. Generated {o['generated']:,}, produced {o['produced']:,}, delivered "
            f"{o['delivered']:,}, lost {o['lost']:,} (all kinds: {o.get('lost_all_kinds', o['lost']):,}), "
            f"in-band agent.loss events adding up to {o['loss_events_total']:,}; delivered + lost == "
            f"produced == generated, and agent.loss total == lost (all kinds): **{o['exact']}**.", ""]
    return out


def startup_section(su):
    return ["## Startup and memory", "",
            f"`vigil run` (all process kinds), {len(su['runs'])} starts: exec to agent.ready "
            f"(sensors attached, {su['seeded']} processes seeded) median {su['ready_ms_median']:.0f} ms, "
            f"max {su['ready_ms_max']:.0f} ms; RSS at rest (2 s after ready) median "
            f"{su['rss_mb_median']:.1f} MB, peak (VmHWM) {su['hwm_mb_max']:.1f} MB. Of the RSS, "
            f"{su['bpf_map_mb_median']:.1f} MB are BPF map mappings: the ring buffer's pages, which "
            "the kernel maps eagerly and twice in a row (so a record that wraps reads as one piece); "
            f"that is 8 MiB of kernel memory shown as 16. The heap is {su['heap_mb_median']:.1f} MB.", ""]


def write_markdown(res, labels, notes, path):
    m = res["machine"]
    out = ["# vigil benchmark results", "",
           f"Generated by `bench/run{' --smoke' if res['smoke'] else ''}` on {m['date']}. "
           "Method: [docs/performance.md](../docs/performance.md).", "",
           f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB",
           f"- kernel: Linux {m['kernel']}",
           f"- vigil: {m.get('vigil_binary', 'build/vigil')}, tree at commit {m['vigil_commit']}; "
           f"{m['bpftrace']}; {m['auditd']}",
           f"- runs: {res['reps']} of each mode per workload, alternating; medians below", ""]
    out += targets(res)
    used = {r["mode"] for w in res["workloads"] for r in w["rows"] if "na" not in r}
    out += ["## Modes", ""] + [f"- **{labels[k]}**{': ' + notes[k] if notes[k] else ''}"
                               for k in labels if k in used]
    out += ["", "Ratio: median wall time over no tracing's. Added ns/event: (median - no tracing's "
            "median) / events per run. Workload CPU: user + system time of the workload's process "
            "tree (BPF programs and audit hooks run there, in its syscalls). Added CPU ns/event: "
            "(workload CPU - no tracing's + tracer CPU) / events per run, medians: the whole CPU price "
            "of an event, and the figure least disturbed by other work on the machine. CPU ratio: "
            "(workload CPU + tracer CPU) / no tracing's workload CPU. Tracer CPU: the tracer process's user + system time from the "
            "workload's start to its own exit (drain included; kernel-side BPF time shows in the "
            "workload's time instead; for auditd the kauditd kernel thread is not counted). "
            "Delivered: events the tracer wrote (vigil: agent.stats; bpftrace: lines; auditd: SYSCALL "
            "records left in its log, rotation may drop some).", "",
            "## Workloads", ""]
    for w in res["workloads"]:
        out += workload_table(w, labels)
    if res.get("throughput"):
        out += throughput_section(res["throughput"])
    if res.get("startup"):
        out += startup_section(res["startup"])
    out += ["## Chart", "", "![ratio to no tracing](results.png)", ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def _chart_data(res, cols, key, path):
    with open(path, "w") as f:
        f.write("workload " + " ".join(cols) + "\n")
        for w in res["workloads"]:
            vals = []
            for c in cols:
                r = next(r for r in w["rows"] if r["mode"] == c)
                vals.append("-" if "na" in r else f"{r[key]:.4f}")
            f.write(w["workload"] + " " + " ".join(vals) + "\n")


def write_chart(res, modes, path, workdir):
    cols = [m for m in modes if m != "none" and any(
        "na" not in r for w in res["workloads"] for r in w["rows"] if r["mode"] == m)]
    wall, cpu = os.path.join(workdir, "wall.dat"), os.path.join(workdir, "cpu.dat")
    _chart_data(res, cols, "ratio", wall)
    _chart_data(res, cols, "cpu_ratio", cpu)
    plot = f"plot for [i=2:{len(cols) + 1}] '%s' using i:xtic(1) title columnheader(i)"
    script = f"""
set terminal pngcairo size 1400,560 noenhanced
set output '{path}'
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set logscale y 2
set yrange [0.5:*]
set grid ytics
set key top left
set multiplot layout 1,2 title 'vigil bench: ratio to no tracing, medians (lower is better; no bar = n/a)'
set title 'wall time (disturbed by other work on the machine)'
{plot % wall}
set title 'CPU time: workload + tracer (steadier)'
unset key
{plot % cpu}
unset multiplot
"""
    p = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"gnuplot failed: {p.stderr}")


def write_all(res, labels, notes, outdir, workdir):
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    write_markdown(res, labels, notes, os.path.join(outdir, "results.md"))
    write_chart(res, list(labels), os.path.join(outdir, "results.png"), workdir)
