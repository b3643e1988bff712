"""The tracing modes, one row each. A mode starts a tracer for a workload and, once the workload
is done, stops it and reports what it cost (CPU seconds during the workload, peak RSS) and what it
saw (delivered, lost). Adding a mode is adding a row to MODES."""
import json
import os
import re
import subprocess
import time

from . import proc as P
from . import sinks
from .audit import Auditd

NOMATCH_COMM = "vbench-nomatch"


class Untraced:
    def mark(self):
        pass

    def stop(self):
        return {}


class Tracer:
    """A tracer process: started, waited for until ready, stopped with SIGINT and reaped."""

    def __init__(self, argv, ready_file, ready_text, workdir, name, settle=0.0):
        self.out = ready_file
        self.err_path = os.path.join(workdir, name + ".stderr")
        self.stdout_path = os.path.join(workdir, name + ".stdout")
        with open(self.err_path, "w") as err, open(self.stdout_path, "w") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err)
        try:
            P.wait_until(lambda: P.file_has(ready_file or self.stdout_path, ready_text), 30,
                         self.proc, name)
        except RuntimeError as e:
            P.stop_and_reap(self.proc, timeout=5)
            raise RuntimeError(f"{e}: {self.stderr()[-500:]}")
        time.sleep(settle)
        self.cpu0 = 0.0

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def mark(self):
        self.cpu0 = P.cpu_seconds(self.proc.pid)

    def stop(self):
        return self.reap()

    def reap(self):
        # VmHWM, not wait4's ru_maxrss: that one also counts the forked Python before the exec.
        hwm = P.status_kb(self.proc.pid, "VmHWM") or 0
        code, cpu, _ = P.stop_and_reap(self.proc, timeout=120)
        return {"exit": code, "cpu_s": max(cpu - self.cpu0, 0.0), "rss_kb": hwm}


def rules_file(workdir, n, rule_on):
    """n rules on one event kind, each matching one path nobody opens: the kernel-side and
    user-side cost of a rule set that grows while matching nothing."""
    kind, fld = rule_on.split()
    path = os.path.join(workdir, f"rules-{n}.yaml")
    with open(path, "w") as f:
        f.write("rules:\n")
        for i in range(n):
            f.write(f"  - name: bench rule {i}\n"
                    f"    description: matches nothing the workload does\n"
                    f"    on: {kind}\n"
                    f"    when: {fld} == /nonexistent/vbench/{i}\n"
                    f"    severity: low\n"
                    f"    output: \"%{fld}\"\n")
    return path


class VigilRun(Tracer):
    def __init__(self, ctx, args, name, kinds=None):
        self.kinds = kinds.split(",") if kinds else None
        out = os.path.join(ctx.workdir, name + ".jsonl")
        if os.path.exists(out):
            os.unlink(out)
        super().__init__([ctx.vigil, "run", "--format", "json", "--output", out, *args], out,
                         '"agent.ready"', ctx.workdir, name)

    def stop(self):
        r = self.reap()
        with open(self.out) as f:
            lines = f.read().splitlines()
        os.unlink(self.out)
        self.lines = lines
        last = json.loads(lines[-1]) if lines else {}
        if r["exit"] != 0 or last.get("kind") != "agent.stats":
            raise RuntimeError(f"vigil exited {r['exit']} without agent.stats: {self.stderr()[-500:]}")
        st = last["stats"]
        # the kinds asked for (the process sensor always runs too, for the process table)
        mine = [v for k, v in st.items() if not self.kinds or k in self.kinds]
        r["produced"] = sum(s["produced"] for s in mine)
        r["delivered"] = sum(s["delivered"] for s in mine)
        r["lost"] = sum(s["lost"] for s in st.values())
        r["alerts"] = sum(1 for line in lines if '"kind":"alert"' in line)
        r["exact"] = all(s["delivered"] + s["lost"] == s["produced"] for s in st.values())
        r["lines"] = len(lines)
        return r


class VigilSinkRun(VigilRun):
    """vigil streaming to a network output (harness/sinks.py); the file it is read back from gets
    only the agent's own events (agent.ready, agent.stats)."""

    def __init__(self, ctx, kinds, name, which):
        self.kinds = kinds.split(",")
        out = os.path.join(ctx.workdir, name + ".jsonl")
        if os.path.exists(out):
            os.unlink(out)
        self.out = out
        Tracer.__init__(self, [ctx.vigil, "run", "--format", "json", "--kind", kinds,
                               "--output", f"file:{out}?kinds=agent.*", *sinks.sink_args(ctx, which)],
                        out, '"agent.ready"', ctx.workdir, name)

    def stop(self):
        r = super().stop()
        return sinks.sink_result(self.lines, r)


class Bpftrace(Tracer):
    def __init__(self, ctx, script, name, settle):
        # BEGIN runs before every probe is attached in bpftrace 0.17: settle gives them time.
        # Its stdout goes to the file (with -o its writes are buffered: "ready" may never show).
        prog = 'BEGIN { printf("ready\\n"); } ' + script
        super().__init__(["bpftrace", "-e", prog], None, "ready\n", ctx.workdir, name,
                         settle=settle)

    def stop(self):
        r = self.reap()
        with open(self.stdout_path, errors="replace") as f:
            text = f.read()
        os.unlink(self.stdout_path)
        r["lost"] = sum(int(n) for n in re.findall(r"Lost (\d+) events", text + self.stderr()))
        r["delivered"] = max(text.count("\n") - 2, 0)  # less "Attaching" and "ready"
        return r


class AuditdRun:
    def __init__(self, ctx, syscalls):
        self.auditd = Auditd(ctx.workdir, syscalls)
        self.auditd.start()
        self.cpu0 = 0.0

    def mark(self):
        self.cpu0 = P.cpu_seconds(self.auditd.proc.pid)

    def stop(self):
        r = self.auditd.stop()
        r["cpu_s"] = max(r["cpu_s"] - self.cpu0, 0.0)
        r["delivered"] = r.pop("logged")
        return r


class Mode:
    def __init__(self, name, label, start, needs=None, note="", quiet_na=False):
        self.name, self.label, self._start, self.needs, self.note = name, label, start, needs, note
        self.quiet_na = quiet_na  # where it does not apply, leave its row out rather than say n/a

    def applies(self, wl):
        """None when the mode makes sense for the workload, else why its cell is n/a."""
        return self.needs(wl) if self.needs else None

    def start(self, ctx, wl):
        return self._start(ctx, wl)


def _needs_sensor(wl):
    return None if wl.vigil_kinds else wl.na_reason


def _needs_blind(wl):
    return None if not wl.vigil_kinds else "vigil sees these events: see the streaming rows"


MODES = [
    Mode("none", "no tracing", lambda ctx, wl: Untraced()),
    Mode("floor", "empty BPF program on the same hooks",
         lambda ctx, wl: Tracer([ctx.programs.path("floor"), ctx.programs.path("floor.bpf.o"),
                                 *wl.floor], None, "ready", ctx.workdir, "floor")),
    Mode("vigil-stream", "vigil streaming every event of the kind to JSON",
         lambda ctx, wl: VigilRun(ctx, ["--kind", wl.vigil_kinds], "vigil-stream", wl.vigil_kinds),
         needs=_needs_sensor),
    Mode("vigil-nomatch", "vigil, kernel filter matching nothing",
         lambda ctx, wl: VigilRun(ctx, ["--kind", wl.vigil_kinds, "--comm", NOMATCH_COMM],
                                  "vigil-nomatch", wl.vigil_kinds),
         needs=_needs_sensor,
         note="stand-in for 'default rules matching nothing' until the rules issue lands"),
    Mode("vigil-background", "vigil running (process sensor only), blind to these events",
         lambda ctx, wl: VigilRun(ctx, [], "vigil-background"), needs=_needs_blind, quiet_na=True,
         note="what having the agent on costs a workload it cannot see yet"),
    *[Mode(f"vigil-rules-{n}", f"vigil with {n:,} rule{'s' if n > 1 else ''} matching nothing",
           lambda ctx, wl, n=n: VigilRun(ctx, ["--policy", rules_file(ctx.workdir, n, wl.rule_on)],
                                         f"vigil-rules-{n}", wl.rule_on.split()[0]),
           needs=lambda wl: None if wl.rule_on else "rule scaling runs on the open loop",
           note="rule scaling: rules on the same kind, each on a path nobody opens", quiet_na=True)
      for n in (1, 100, 1000)],
    Mode("vigil-syslog-tcp", "vigil streaming every event to rsyslog over TCP (RFC 5424, octet counting)",
         lambda ctx, wl: VigilSinkRun(ctx, wl.vigil_kinds, "vigil-syslog-tcp", "syslog"),
         needs=lambda wl: sinks.sink_na(wl, "rsyslogd"), quiet_na=True,
         note="compare with vigil-stream (the file output): the agent's CPU per event"),
    Mode("vigil-clickhouse", "vigil streaming every event to ClickHouse (HTTP, JSONEachRow)",
         lambda ctx, wl: VigilSinkRun(ctx, wl.vigil_kinds, "vigil-clickhouse", "clickhouse"),
         needs=lambda wl: sinks.sink_na(wl, "clickhouse-server"), quiet_na=True,
         note="compare with vigil-stream (the file output): the agent's CPU per event"),
    Mode("bpftrace", "bpftrace printing the same events to a file",
         lambda ctx, wl: Bpftrace(ctx, wl.bpftrace, "bpftrace", ctx.bpftrace_settle)),
    Mode("auditd", "auditd logging the same syscalls",
         lambda ctx, wl: AuditdRun(ctx, wl.audit)),
]
