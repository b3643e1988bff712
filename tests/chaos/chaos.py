"""Shared by the chaos cases (tests/chaos/, docs/reliability.md): a load that runs beside each
case, the accounting invariant, and the figures each case leaves for docs/reliability.md."""
import json
import os
import signal
import subprocess

from vigil_test import check_invariant

FIGURES = os.environ.get("VIGIL_CHAOS_FIGURES", "/tmp/vigil-chaos-figures.jsonl")


class Storm:
    """An exec and open storm: a shell that runs /bin/true and cat(1) of a file, as fast as it
    can, until stopped. Usable as a context manager."""

    def __init__(self, procs=1):
        self.procs = procs
        self.children = []

    def __enter__(self):
        loop = "while :; do /bin/true; cat /etc/hostname >/dev/null; done"
        for _ in range(self.procs):
            self.children.append(subprocess.Popen(["/bin/sh", "-c", loop],
                                                  start_new_session=True))
        return self

    def __exit__(self, *exc):
        for c in self.children:
            try:
                os.killpg(c.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            c.wait()
        return False


def invariant(events, case, faults=0):
    """delivered + lost == produced for every kind, exactly; the agent.loss events add up to
    the totals. Records the case's figures for docs/reliability.md."""
    stats_ev = events[-1]
    assert stats_ev["kind"] == "agent.stats", stats_ev["kind"]
    stats = stats_ev["stats"]
    check_invariant(stats)
    lost_reported = {}
    for e in events:
        if e["kind"] == "agent.loss":
            for k, n in e["lost"].items():
                lost_reported[k] = lost_reported.get(k, 0) + n
    for kind, s in stats.items():
        assert lost_reported.get(kind, 0) == s["lost"], (kind, lost_reported, s)
        delivered = sum(1 for e in events if e["kind"] == kind)
        if kind not in ("process.exec", "process.fork", "process.exit"):
            # every delivered event of a streamed kind is in the output, once
            assert delivered <= s["delivered"], (kind, delivered, s)
    fig = {
        "case": case,
        "faults": faults,
        "produced": sum(s["produced"] for s in stats.values()),
        "delivered": sum(s["delivered"] for s in stats.values()),
        "lost": sum(s["lost"] for s in stats.values()),
        "silent": sum(s["produced"] - s["delivered"] - s["lost"] for s in stats.values()),
        "malformed": stats_ev["malformed"],
        "losses": stats_ev.get("losses", {}),
    }
    with open(FIGURES, "a") as f:
        f.write(json.dumps(fig) + "\n")
    return stats
