#!/usr/bin/env python3
"""vigil's test runner: the cmocka unit binaries, then the end-to-end tests against the real kernel.

Ends with one line: "N passed, N failed, N skipped". Exit status 1 if anything failed.
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


CMOCKA_RESULT = re.compile(r"^\[\s+(OK|FAILED|SKIPPED|ERROR)\s+\] (\S+)", re.M)


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
        proc = subprocess.run([path], capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout"))
        secs = time.monotonic() - t0
        out = proc.stdout + proc.stderr
        results = CMOCKA_RESULT.findall(out)
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
        if proc.returncode != 0 and not any(s != "OK" for s, _ in results):
            tally.record(f"unit/{name}", "FAIL", f"exit {proc.returncode}")
        if proc.returncode != 0 or (seen and any(s != "OK" for s, _ in results)):
            print(out)


def discover_e2e(pattern):
    tests = []
    for sub in ("e2e", "chaos"):  # chaos: tests/chaos/, bounded cases under load
        tests += discover_dir(sub, pattern)
    return tests


def discover_dir(sub, pattern):
    edir = os.path.join(HERE, sub)
    tests = []
    for fname in sorted(os.listdir(edir)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(edir, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for attr in sorted(dir(mod), key=lambda a: getattr(getattr(mod, a), "__code__", None)
                           and getattr(mod, a).__code__.co_firstlineno or 0):
            fn = getattr(mod, attr)
            if attr.startswith("test_") and callable(fn):
                full = f"{sub}/{fname[:-3]}/{attr}"
                if not pattern or pattern in full:
                    tests.append((full, fn))
    return tests


def run_e2e(tally, pattern):
    tests = discover_e2e(pattern)
    if os.geteuid() != 0:
        print("!!! end-to-end tests need root: SKIPPING ALL OF THEM !!!", flush=True)
        for full, _ in tests:
            tally.record(full, "SKIP", "not root")
        return
    for full, fn in tests:
        t0 = time.monotonic()
        try:
            fn()
            tally.record(full, "PASS", secs=time.monotonic() - t0)
        except vigil_test.Skip as e:
            tally.record(full, "SKIP", str(e), time.monotonic() - t0)
        except Exception as e:  # an assertion or anything else: the test failed
            detail = f"{type(e).__name__}: {e}"
            tally.record(full, "FAIL", detail, time.monotonic() - t0)
            traceback.print_exc(limit=6, file=sys.stdout)
        finally:
            vigil_test.cleanup_after_test()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("-k", dest="pattern", default="")
    ap.add_argument("--unit-only", action="store_true")
    ap.add_argument("--e2e-only", action="store_true")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    vigil_test.configure(build)
    if args.list:
        for full, _ in discover_e2e(args.pattern):
            print(full)
        return 0
    tally = Tally()
    t0 = time.monotonic()
    if not args.e2e_only:
        run_unit(build, tally, args.pattern)
    if not args.unit_only:
        run_e2e(tally, args.pattern)
    if tally.failures:
        print("\nFailed:\n  " + "\n  ".join(tally.failures))
    print(f"\nsuite time {time.monotonic() - t0:.1f}s")
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
