"""A receiver that accepts and then never reads: the file output still gets every event, the
stalled output's spool fills to its cap and its drops are counted, the kernel loses nothing, and
vigil still stops promptly."""
import os
import shutil
import socket
import tempfile
import threading
import time

from vigil_test import Agent, on_cleanup, spawn

PORT = 21051
TRUE = os.path.realpath("/bin/true")


class Staller:
    """Accepts one connection into a tiny receive buffer and never reads from it; then, like a
    hung server whose accept queue is full, takes no other connection."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.conns = []
        self.stop = False
        threading.Thread(target=self.run, daemon=True).start()
        on_cleanup(self.close)

    def run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
                self.sock.close()
                return
            except socket.timeout:
                pass
            except OSError:
                return

    def close(self):
        self.stop = True
        for c in self.conns:
            c.close()
        self.sock.close()


def test_outputs_stalled_receiver_spool_fills_drops_counted():
    d = tempfile.mkdtemp(prefix="vigil-stall-")
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    st = Staller(PORT)
    spool_cap = 256 * 1024
    agent = Agent("-k", "process.exec", "--spool-dir", d, "--drain-timeout", "1",
                  "--output", f"syslog+tcp://127.0.0.1:{PORT}?queue=64K&spool=256K&timeout=1&name=stalled").start()
    # ~5 KB events: more than the kernel's socket buffers can hide (tcp_wmem's 4 MB)
    pad = "A" * 5000
    for i in range(1600):
        spawn([TRUE, "vstall", str(i), pad])
    agent.wait_for(lambda e: e["kind"] == "agent.sink" and e["sink"]["state"] == "down", timeout=20,
                   what="the stalled sink going down")
    t0 = time.monotonic()
    events = agent.stop(timeout=30)
    assert time.monotonic() - t0 < 15, "vigil took too long to stop with a stalled receiver"
    assert st.conns, "vigil never connected"
    # the file output got every event, and the kernel lost none
    stats = events[-1]["stats"]
    assert all(s["lost"] == 0 for s in stats.values()), stats
    assert sum(1 for e in events if e["kind"] == "process.exec" and e["proc"]["args"][1:2] == ["vstall"]) == 1600
    sinks = events[-1]["sinks"]
    main = [v for k, v in sinks.items() if k != "stalled"]
    assert len(main) == 1 and main[0]["sent"] == len(events) - 1
    s = sinks["stalled"]
    down = [e["sink"] for e in events if e["kind"] == "agent.sink" and e["sink"]["name"] == "stalled"]
    assert down[0]["state"] == "connected" and down[1]["state"] == "down", down
    assert "send timed out (the receiver does not read)" in down[1]["reason"], down
    # the spool filled to its cap, and what did not fit is counted, not lost silently (what the
    # kernel took into the stalled connection's socket buffers counts as sent: docs/outputs.md)
    assert spool_cap - 4096 < s["spool_bytes"] <= spool_cap, s
    assert s["dropped"]["spool_full"] > 0 and s["spooled"] > 0, s
    offered = len(events) - 1
    assert s["queued"] + s["dropped_total"] == offered, (s, offered)
    assert s["sent"] + s["backlog"] + s["dropped"]["rejected"] <= s["queued"], s
    # what stays on disk is whole events for the next run
    for name in os.listdir(os.path.join(d, "stalled")):
        with open(os.path.join(d, "stalled", name)) as f:
            text = f.read()
        assert text.endswith("\n") and all(l.startswith('{"time":') for l in text.splitlines())
