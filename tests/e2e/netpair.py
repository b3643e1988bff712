"""Two network namespaces joined by a veth pair, made for one test and removed after it.

Addresses live only on that pair (10.231.N.1-2/24 and fd00:231:N::1-2/64, N chosen at random),
so the tests touch nothing of the host's network.
"""
import random
import subprocess
import time
import uuid

from vigil_test import helper, on_cleanup


def sh(*args):
    subprocess.run(args, check=True, capture_output=True, text=True, timeout=20)


class NetPair:
    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        n = random.randint(1, 250)
        self.a, self.b = f"vna{tag}", f"vnb{tag}"
        self.a4, self.b4 = f"10.231.{n}.1", f"10.231.{n}.2"
        self.a6, self.b6 = f"fd00:231:{n}::1", f"fd00:231:{n}::2"
        for ns in (self.a, self.b):
            sh("ip", "netns", "add", ns)
            on_cleanup(lambda ns=ns: sh("ip", "netns", "del", ns))
        sh("ip", "link", "add", f"va{tag}", "netns", self.a, "type", "veth", "peer", "name",
           f"vb{tag}", "netns", self.b)
        for ns, dev, a4, a6 in ((self.a, f"va{tag}", self.a4, self.a6),
                                (self.b, f"vb{tag}", self.b4, self.b6)):
            sh("ip", "-n", ns, "addr", "add", f"{a4}/24", "dev", dev)
            sh("ip", "-n", ns, "-6", "addr", "add", f"{a6}/64", "dev", dev, "nodad")
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def popen(self, ns, name, *args, stdin=None):
        p = subprocess.Popen(["ip", "netns", "exec", ns, helper(name), *map(str, args)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=stdin)
        on_cleanup(lambda: p.poll() is None and p.kill())
        return p

    def run(self, ns, name, *args):
        p = subprocess.run(["ip", "netns", "exec", ns, helper(name), *map(str, args)],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, f"{name} {args}: exit {p.returncode}: {p.stdout} {p.stderr}"
        return parse_lines(p.stdout)


def parse_lines(text):
    """'key v1 v2' lines as {key: [v1, v2]} (the helpers' output)."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if parts:
            out[parts[0]] = parts[1:]
    return out


def wait_ready(p, timeout=10):
    """Reads the helper's 'ready PID' line; returns PID."""
    deadline = time.monotonic() + timeout
    line = p.stdout.readline()
    assert line.startswith("ready"), f"helper not ready: {line!r} {p.stderr.read() if p.poll() is not None else ''}"
    assert time.monotonic() < deadline
    return int(line.split()[1])


def finish(p, timeout=15):
    out, err = p.communicate(timeout=timeout)
    assert p.returncode == 0, f"helper exit {p.returncode}: {out} {err}"
    return parse_lines(out)
