#!/usr/bin/env python3
"""vigil's test runner: the cmocka unit binaries, then the end-to-end tests against the real kernel.

Ends with one line: "N passed, N failed, N skipped", whatever happens: a unit binary that crashes
or times out, an e2e module that fails to import, a cleanup that fails, the runner's own error: each
is a failure with its name. Exit status 1 if anything failed. The end-to-end tests need root: a run
without root fails unless --unit-only asks for the unit tests alone. The last test checks that the
suite left nothing behind (tests/e2e/leftovers.py).
  tests/run.py [--build DIR] [-k SUBSTRING] [--unit-only | --e2e-only] [--list]
"""
import argparse
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "e2e"))
sys.path.insert(0, os.path.join(HERE, "chaos"))

import leftovers  # noqa: E402
import vigil_test  # noqa: E402


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def record(self, name, outcome, detail="", secs=0.0):
        if outcome == "PASS":
            self.passed += 1
        elif outcome == "SKIP":
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append(name)
        line = f"{outcome} {name} ({secs:.2f}s)"
        if detail:
            line += f": {detail}"
        print(line, flush=True)


CMOCKA_RUN = re.compile(r"^\[ RUN\s+\] (\S+)")
CMOCKA_RESULT = re.compile(r"^\[\s+(OK|FAILED|SKIPPED|ERROR)\s+\] (\S+)")
UNIT_TIMEOUT_S = int(os.environ.get("VIGIL_TEST_UNIT_TIMEOUT", "300"))


def cmocka_results(out):
    """(status, case) once per test case: the first verdict after its "[ RUN ]" line. cmocka's
    closing lines ("[  FAILED  ] 1 test(s), listed below:", then the failed names again) repeat
    verdicts already counted and are not cases."""
    results, running = [], None
    for line in out.splitlines():
        m = CMOCKA_RUN.match(line)
        if m:
            running = m.group(1)
            continue
        m = CMOCKA_RESULT.match(line)
        if m and running is not None and m.group(2) == running:
            results.append((m.group(1), running))
            running = None
    if running is not None:  # it started and never ended: the binary died inside it
        results.append(("ERROR", running))
    return results


def run_unit(build, tally, pattern):
    tdir = os.path.join(build, "tests")
    if not os.path.isdir(tdir):
        tally.record("unit/binaries", "FAIL", f"{tdir} missing: run make first")
        return
    for name in sorted(os.listdir(tdir)):
        path = os.path.join(tdir, name)
        if not name.startswith("test_") or not os.access(path, os.X_OK) or os.path.isdir(path):
            continue
        t0 = time.monotonic()
        try:
            proc = subprocess.run([path], capture_output=True, text=True, timeout=UNIT_TIMEOUT_S,
                                  env=dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout"))
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            if not pattern or pattern in f"unit/{name}":
                tally.record(f"unit/{name}", "FAIL", f"timed out after {UNIT_TIMEOUT_S}s",
                             time.monotonic() - t0)
                print(out[-3000:])
            continue
        secs = time.monotonic() - t0
        out = proc.stdout + proc.stderr
        results = cmocka_results(out)
        seen = False
        for status, case in results:
            full = f"unit/{name}/{case}"
            if pattern and pattern not in full:
                continue
            seen = True
            if status == "OK":
                tally.record(full, "PASS", secs=secs / max(len(results), 1))
            elif status == "SKIPPED":
                tally.record(full, "SKIP")
            else:
                tally.record(full, "FAIL", "see output below")
        whole = not pattern or pattern in f"unit/{name}"
        if proc.returncode != 0 and not any(s != "OK" for s, _ in results) and (whole or seen):
            tally.record(f"unit/{name}", "FAIL", f"exit {proc.returncode}"
                         + (" (no test case ran)" if not results else ""))
        if proc.returncode != 0 or (seen and any(s != "OK" for s, _ in results)):
            print(out)


def discover_e2e(pattern, edir=None, starters=None):
    """(name, function) of every test of tests/e2e/ and then tests/chaos/ (bounded cases under
    load), or of edir alone; a module that fails to import is a test that fails. A module with
    selected tests may define start_early(): it is added to starters, for run_e2e to call before
    the first test (work that takes minutes and can run beside the others: the VM matrix)."""
    if edir:
        return discover_dir(edir, "e2e", pattern, starters)
    tests = []
    for sub in ("e2e", "chaos"):
        tests += discover_dir(os.path.join(HERE, sub), sub, pattern, starters)
    return tests


def discover_dir(edir, sub, pattern, starters=None):
    tests = []
    for fname in sorted(os.listdir(edir)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        try:
            spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(edir, fname))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
        except Exception as e:  # noqa: BLE001: a syntax error, a missing import, ...
            full = f"{sub}/{fname[:-3]}/import"
            if not pattern or pattern in full:
                detail = f"{type(e).__name__}: {e}"

                def failed_import(detail=detail):
                    raise AssertionError(f"the module does not import: {detail}")
                tests.append((full, failed_import))
            continue
        for attr in sorted(dir(mod), key=lambda a: getattr(getattr(mod, a), "__code__", None)
                           and getattr(mod, a).__code__.co_firstlineno or 0):
            fn = getattr(mod, attr)
            if attr.startswith("test_") and callable(fn):
                full = f"{sub}/{fname[:-3]}/{attr}"
                if not pattern or pattern in full:
                    tests.append((full, fn))
                    if starters is not None and hasattr(mod, "start_early") and mod.start_early not in starters:
                        starters.append(mod.start_early)
    return tests


def record_subresults(tally, full, results):
    """A test that returns [(name, outcome, detail[, secs])] reports each as a test of its own (the
    VM matrix: one per kernel and guest test); it passes as a whole only through them."""
    for name, outcome, detail, *secs in results:
        tally.record(f"{full}/{name}", outcome, detail, secs[0] if secs else 0.0)


def run_e2e(tally, pattern, edir=None):
    starters = []
    tests = discover_e2e(pattern, edir, starters)
    if os.geteuid() != 0:
        print("!!! the end-to-end tests need root; run as root, or ask for the unit tests alone "
              "with --unit-only !!!", flush=True)
        tally.record("e2e/root", "FAIL", f"not root: {len(tests)} end-to-end tests cannot run")
        return
    snapshot = leftovers.snapshot() if not pattern else None
    for start in starters:  # after the snapshot: what they start carries this run's tag
        try:
            start()
        except Exception:  # noqa: BLE001: its tests then run it themselves, and fail there if they must
            traceback.print_exc(limit=4, file=sys.stdout)
    for full, fn in tests:
        t0 = time.monotonic()
        outcome, detail, sub = "PASS", "", None
        try:
            sub = fn()
        except vigil_test.Skip as e:
            outcome, detail = "SKIP", str(e)
        except Exception as e:  # an assertion or anything else: the test failed
            outcome, detail = "FAIL", f"{type(e).__name__}: {e}"
            traceback.print_exc(limit=6, file=sys.stdout)
        problems = vigil_test.cleanup_after_test()
        if problems and outcome != "FAIL":
            outcome, detail = "FAIL", "cleanup failed: " + "; ".join(problems)
        elif problems:
            detail += " (and cleanup failed: " + "; ".join(problems) + ")"
        if isinstance(sub, list) and outcome == "PASS":
            record_subresults(tally, full, sub)
            continue
        tally.record(full, outcome, detail, time.monotonic() - t0)
    if snapshot is not None:  # the whole suite ran: it must have left nothing behind
        t0 = time.monotonic()
        left = leftovers.check(snapshot)
        tally.record("e2e/leftovers/nothing_left_behind", "FAIL" if left else "PASS",
                     ("left behind:\n    " + "\n    ".join(left)) if left else "",
                     time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("-k", dest="pattern", default="")
    ap.add_argument("--unit-only", action="store_true")
    ap.add_argument("--e2e-only", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--e2e-dir", help=argparse.SUPPRESS)  # the runner's own test (test_runner.py)
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    vigil_test.configure(build)
    if args.list:
        for full, _ in discover_e2e(args.pattern, args.e2e_dir):
            print(full)
        return 0
    tally = Tally()
    t0 = time.monotonic()
    try:
        if not args.e2e_only:
            run_unit(build, tally, args.pattern)
        if not args.unit_only:
            run_e2e(tally, args.pattern, args.e2e_dir)
    except BaseException as e:  # noqa: BLE001: the runner itself broke, or Ctrl-C: still summed up
        traceback.print_exc(file=sys.stdout)
        tally.record("runner", "FAIL", f"the runner stopped: {type(e).__name__}: {e}")
    if tally.failures:
        print("\nFailed:\n  " + "\n  ".join(tally.failures))
    print(f"\nsuite time {time.monotonic() - t0:.1f}s")
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped", flush=True)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
