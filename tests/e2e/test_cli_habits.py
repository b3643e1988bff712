"""Habits users' fingers know: -h and --version everywhere, `vigil help NAME`, and the tables
behind -k and the rules (`vigil kinds`, `vigil fields [KIND]`)."""
import re

import vigil_test
from vigil_test import vigil


def names():
    out = vigil("--help").stdout
    return [m.group(1) for m in re.finditer(r"^  ([a-z]+) ", out, re.M)]


def test_h_help_and_version_work_for_every_command_and_tool():
    ns = names()
    assert "run" in ns and "execsnoop" in ns and "config" in ns and len(ns) >= 20, ns
    for n in ns:
        r = vigil(n, "-h")
        assert r.returncode == 0 and r.stdout.startswith(f"Usage: vigil {n}"), (n, r.returncode, r.stderr)
        assert vigil("help", n).stdout == r.stdout, n
        r = vigil(n, "--version")
        assert r.returncode == 0 and r.stdout == "vigil 0.1.0\n", (n, r.stdout, r.stderr)
    r = vigil("help", "frobnicate")
    assert r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr


def test_kinds_and_fields():
    r = vigil("kinds")
    assert r.returncode == 0
    rows = {ln.split()[0]: ln for ln in r.stdout.splitlines()[1:]}
    assert "process.exec" in rows and "net.rtt" in rows and "on request" in rows["net.rtt"]
    assert "on request" not in rows["process.exec"]
    assert vigil("kinds", "-n").stdout.split() == list(rows)
    r = vigil("fields", "file.open")
    fields = {ln.split()[0]: ln for ln in r.stdout.splitlines()[1:]}
    assert "file.path" in fields and "proc.exe" in fields  # its own and every event's
    assert "net.dport" not in fields  # another kind's
    assert fields["proc.uid"].split()[2] == "yes"  # decided in the kernel
    assert fields["proc.euid"].split()[2] != "yes"  # in user space
    assert "net.dport" in vigil("fields", "-n").stdout.split()
    r = vigil("fields", "file.opne")
    assert r.returncode == 2 and "unknown event kind 'file.opne'" in r.stderr


def test_check_without_root_gives_no_verdict_on_what_it_cannot_read():
    """net.core.bpf_jit_kallsyms is mode 0600: as nobody it is 'unknown, needs root' (it used to
    read as missing and pass); as root the same check has a verdict and the value."""
    import json
    import os
    import subprocess
    key = "net.core.bpf_jit_kallsyms"
    mode = os.stat("/proc/sys/net/core/bpf_jit_kallsyms").st_mode & 0o777
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", vigil_test.VIGIL,
              "check", "--no-inventory", "--json", "--only", key]
    p = subprocess.run(nobody, capture_output=True, text=True, timeout=30)
    got = json.loads(p.stdout)["checks"][0]
    if mode & 0o004:
        assert got["status"] in ("pass", "warn", "fail")  # world-readable here: a verdict
        return
    assert got["status"] == "unknown" and got["value"] is None, got
    assert got["detail"] == f"needs root: {key} is not readable by this user", got
    assert got["fix"] == "run vigil check as root to read it"
    root = json.loads(vigil("check", "--no-inventory", "--json", "--only", key).stdout)["checks"][0]
    with open("/proc/sys/net/core/bpf_jit_kallsyms") as f:
        assert root["value"] == f.read().strip()
    assert root["status"] in ("pass", "warn"), root
    text = subprocess.run(nobody[:-4] + ["--no-inventory"], capture_output=True, text=True).stdout
    assert re.search(rf"^unknown\s+low\s+{re.escape(key)}\s+\(needs root\)", text, re.M), text


def test_one_meaning_per_letter():
    """-o is an output file and -f a format wherever they exist; --json is JSON everywhere."""
    import json
    r = vigil("check", "-o", "kernel.btf", "--no-inventory")
    assert r.returncode == 2 and "invalid option -- 'o'" in r.stderr, r.stderr
    r = vigil("check", "--only", "kernel.btf", "--no-inventory", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["checks"][0]["id"] == "kernel.btf"
    r = vigil("run", "-f", "text", "--json", "-k", "process.exec", "-d", "1")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.splitlines()[0])["kind"] == "agent.ready"
    for name in names():
        h = vigil(name, "--help").stdout
        if re.search(r"^\s+-o, --output", h, re.M) is None:
            assert not re.search(r"^\s+-o, ", h, re.M), (name, "-o is not --output")
        if re.search(r"^\s+-f, ", h, re.M):
            assert re.search(r"^\s+-f, --(format|flag)", h, re.M), (name, "-f")
