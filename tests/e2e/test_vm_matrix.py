"""The VM kernel matrix (tests/vm/, docs/vm-matrix.md) as part of the suite: the same vigil booted
under qemu on Debian's 6.1 and 6.12 cloud kernels, where BPF LSM, kprobes, fentry and modules
exist. Every guest test of tests/vm/tests/ is a test of its own in the summary, on every kernel
(vm/6.1/50-enforce-lsm, ...). A guest test that did not run fails; one that skipped fails unless
its reason is one these machines cannot change (ALLOWED_SKIPS). qemu, busybox and the helpers are
installed and built by `make test`: a missing one fails, it does not skip."""
import json
import os
import signal
import subprocess
import tempfile

import vigil_test

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "vm", "run")
KERNELS = ("6.1", "6.12")
# (kernel series, guest test) -> the only skip reason accepted, and why it cannot be fixed here.
# Empty today: every guest test runs on both kernels.
ALLOWED_SKIPS = {}


TIMEOUT_S = 1500
_early = {}


def _launch():
    fd, path = tempfile.mkstemp(prefix="vigil-vm-", suffix=".json")
    os.close(fd)
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([RUN, "--build", vigil_test.BUILD, "--json", path], stdout=log,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=lambda: os.nice(10))  # the host's own tests come first
    return {"proc": proc, "json": path, "log": log}


def start_early():
    """tests/run.py calls this before the first end-to-end test: minutes of TCG in qemu then run
    beside the host's own tests instead of after them."""
    _early.update(_launch())


def run_matrix():
    run = _early.copy() if _early else _launch()
    _early.clear()
    path = run["json"]
    vigil_test.on_cleanup(lambda: os.path.exists(path) and os.unlink(path))
    try:
        run["proc"].wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:  # its qemu children too: they are in its session
        os.killpg(run["proc"].pid, signal.SIGKILL)
        run["proc"].wait()
    run["log"].seek(0)
    out = run["log"].read()
    run["log"].close()
    r = run["proc"]
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        doc = None
    return out, r.returncode, doc


def verdicts(out, rc, doc):
    """[(name, PASS|FAIL|SKIP, detail[, secs])]: one per kernel and guest test, plus the matrix's
    own; secs is the guest's time for the test (under TCG)."""
    if doc is None:
        last = out.strip().splitlines()[-1] if out.strip() else "no output"
        return [("vm/matrix", "FAIL", f"tests/vm/run wrote no results ({last}); exit {rc}:\n{out[-2000:]}")]
    if doc.get("error"):
        return [("vm/matrix", "FAIL", doc["error"])]
    res = []
    tests = doc["tests"]
    by_series = {k["series"]: k for k in doc["kernels"]}
    for series in KERNELS:
        k = by_series.get(series)
        if k is None:
            res.append((f"vm/{series}/boot", "FAIL", "the kernel was not part of the run"))
            continue
        boot_ok = not k["error"]
        res.append((f"vm/{series}/boot", "PASS" if boot_ok else "FAIL",
                    "" if boot_ok else f"{k['package']} {k['version']}: {k['error']}"))
        got = {r["name"]: r for r in k["results"]}
        for t in tests:
            name = f"vm/{series}/{t}"
            r = got.get(t)
            if r is None:
                res.append((name, "FAIL", "did not run in the guest"))
            elif r["verdict"] == "PASS":
                res.append((name, "PASS", "", r["secs"]))
            elif r["verdict"] == "SKIP":
                reason = r.get("skip_reason") or "no reason given"
                allowed = ALLOWED_SKIPS.get((series, t))
                if allowed and allowed == reason:
                    res.append((name, "SKIP", reason))
                else:
                    res.append((name, "FAIL", f"skipped ({reason}); a skip needs a reason these "
                                "machines cannot change (ALLOWED_SKIPS)"))
            else:
                failing = [line for line in r["output"] if line.startswith("not ok")] or r["output"][-15:]
                res.append((name, "FAIL", "\n      ".join(failing[:20])))
        extra = sorted(set(got) - set(tests))
        if extra:
            res.append((f"vm/{series}/unknown", "FAIL", f"results for tests that do not exist: {extra}"))
    failed_any = any(r[1] == "FAIL" for r in res)
    if rc != 0 and not failed_any:
        res.append(("vm/matrix", "FAIL", f"tests/vm/run exited {rc} although every test passed:\n{out[-1500:]}"))
    return res


def test_vm_matrix_on_debian_kernels():
    out, rc, doc = run_matrix()
    if "vm: SKIP" in out:  # no qemu: make test installs it (scripts/install-test-deps.sh)
        raise AssertionError("the VM kernel matrix did not run: " + out.strip().splitlines()[-1])
    res = verdicts(out, rc, doc)
    if any(r[1] == "FAIL" for r in res):
        print(out[-8000:])
    return res


def test_matrix_verdicts_fail_a_skip_a_missing_test_and_a_dead_kernel():
    """The verdicts themselves, on made-up results: what the matrix would hide must fail."""
    def result(name, verdict, out=()):
        return {"name": name, "verdict": verdict, "secs": 1.5, "output": list(out),
                "skip_reason": "no veth module" if verdict == "SKIP" else None}
    doc = {"tests": ["10-probe", "40-module-load", "50-enforce-lsm"], "kernels": [
        {"series": "6.1", "package": "p", "version": "v", "error": None, "results": [
            result("10-probe", "PASS"), result("40-module-load", "SKIP", ["skip - no veth module"]),
            result("50-enforce-lsm", "FAIL", ["ok - a", "not ok - exec denied"])]},
        {"series": "6.12", "package": "p", "version": "v", "error": "the VM did not finish its tests",
         "results": [result("10-probe", "PASS")]}]}
    got = {name: (verdict, detail) for name, verdict, detail, *_ in verdicts("", 1, doc)}
    assert got["vm/6.1/boot"][0] == "PASS" and got["vm/6.1/10-probe"][0] == "PASS"
    assert got["vm/6.1/40-module-load"][0] == "FAIL" and "no veth module" in got["vm/6.1/40-module-load"][1]
    assert got["vm/6.1/50-enforce-lsm"] == ("FAIL", "not ok - exec denied")
    assert got["vm/6.12/boot"][0] == "FAIL" and "did not finish" in got["vm/6.12/boot"][1]
    assert got["vm/6.12/40-module-load"] == ("FAIL", "did not run in the guest")
    assert got["vm/6.12/50-enforce-lsm"] == ("FAIL", "did not run in the guest")
    # an allowed skip, with exactly its reason, is a skip
    ALLOWED_SKIPS[("6.1", "40-module-load")] = "no veth module"
    try:
        got = {name: verdict for name, verdict, *_ in verdicts("", 1, doc)}
        assert got["vm/6.1/40-module-load"] == "SKIP"
    finally:
        del ALLOWED_SKIPS[("6.1", "40-module-load")]
    # no results at all, or a harness that could not start, fail as the matrix
    assert verdicts("vm: FAIL: x", 1, None)[0][:2] == ("vm/matrix", "FAIL")
    assert verdicts("", 1, {"error": "qemu missing"})[0] == ("vm/matrix", "FAIL", "qemu missing")
