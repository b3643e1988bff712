"""The suite's own contract, tested by running tests/run.py on a small tree of tests made to break:
every failure is counted once under its name, the summary line is always printed, and a run
that cannot do what it was asked (no root, a broken module, a hung binary) fails.

Each case here is the "broken on purpose" check of one promise of the runner; if the runner
regressed, the corresponding assertion fails."""
import os
import re
import subprocess
import sys
import tempfile
import textwrap

from vigil_test import on_cleanup

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "run.py")
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", re.M)

CMOCKA_ONE_FAILURE = """\
[==========] Running 2 test(s).
[ RUN      ] good_case
[       OK ] good_case
[ RUN      ] bad_case
[  ERROR   ] --- 1 != 2
[   LINE   ] --- fake.c:10: error: Failure!
[  FAILED  ] bad_case
[==========] 2 test(s) run.
[  PASSED  ] 1 test(s).
[  FAILED  ] 1 test(s), listed below:
[  FAILED  ] bad_case

 1 FAILED TEST(S)
"""


def tree(units=None, e2e=None):
    """A build dir with fake unit binaries and an e2e dir with the given test modules."""
    d = tempfile.mkdtemp(prefix="vigil-runner-")
    on_cleanup(lambda: subprocess.run(["rm", "-rf", d], check=True))
    os.makedirs(os.path.join(d, "build", "tests"))
    os.makedirs(os.path.join(d, "e2e"))
    for name, script in (units or {}).items():
        path = os.path.join(d, "build", "tests", name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + script)
        os.chmod(path, 0o755)
    for name, body in (e2e or {}).items():
        with open(os.path.join(d, "e2e", name), "w") as f:
            f.write(textwrap.dedent(body))
    return d


def shown(p):
    """The inner run's output for a failure message, indented so that its PASS/FAIL lines are not
    read as the outer suite's own."""
    return "\n".join("    | " + line for line in (p.stdout + p.stderr)[-3000:].splitlines())


def run(d, *args, user=None, env=None):
    # Debian's python3 for another user: the runner's own may live under /root
    python = "/usr/bin/python3" if user and os.path.exists("/usr/bin/python3") else sys.executable
    cmd = [python, RUN, "--build", os.path.join(d, "build"), "--e2e-dir", os.path.join(d, "e2e"), *args]
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]  # uid = gid here
    # the inner run checks leftovers whole, whatever this run was told (VIGIL_TEST_SHARED_HOST)
    env = dict(os.environ, VIGIL_TEST_SHARED_HOST="0", **(env or {}))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=d)
    m = SUMMARY.findall(p.stdout)
    assert m and p.stdout.rstrip().endswith(" skipped"), f"no summary line last:\n{shown(p)}"
    return p, tuple(map(int, m[-1]))


def test_a_cmocka_failure_counts_once_under_its_name():
    d = tree(units={"test_fake": f"cat <<'EOF'\n{CMOCKA_ONE_FAILURE}EOF\nexit 1\n"})
    p, (passed, failed, skipped) = run(d, "--unit-only")
    assert (passed, failed, skipped) == (1, 1, 0), shown(p)
    assert "FAIL unit/test_fake/bad_case" in p.stdout and "PASS unit/test_fake/good_case" in p.stdout, shown(p)
    assert "unit/test_fake/1 " not in p.stdout, p.stdout  # cmocka's closing line is no test
    assert p.returncode == 1


def test_a_hung_or_crashed_unit_binary_fails_with_its_name():
    d = tree(units={"test_hang": "echo '[ RUN      ] forever'\nexec sleep 30\n",
                    "test_crash": "echo '[ RUN      ] boom'\nkill -SEGV $$\n",
                    "test_fine": "echo '[ RUN      ] ok1'\necho '[       OK ] ok1'\n"})
    p, counts = run(d, "--unit-only", env={"VIGIL_TEST_UNIT_TIMEOUT": "2"})
    assert counts == (1, 2, 0), shown(p)
    assert re.search(r"^FAIL unit/test_hang .*timed out after 2s", p.stdout, re.M), shown(p)
    assert re.search(r"^FAIL unit/test_crash/boom", p.stdout, re.M), shown(p)
    assert p.returncode == 1


def test_import_error_cleanup_failure_and_subresults():
    d = tree(e2e={
        "test_broken.py": "def test_never(:\n    pass\n",
        "test_cleanup.py": """\
            from vigil_test import on_cleanup
            def test_passes_but_leaks():
                def remove_it():
                    raise OSError("cannot remove the thing")
                on_cleanup(remove_it)
            """,
        "test_sub.py": """\
            def test_matrix():
                return [("k1/a", "PASS", ""), ("k1/b", "FAIL", "not ok - b"), ("k2/a", "SKIP", "why")]
            """,
        "test_good.py": "def test_fine():\n    assert True\n",
    })
    p, counts = run(d, "--e2e-only", "-k", "test_", env={"VIGIL_TEST_SETTLE_S": "1"})
    assert counts == (2, 3, 1), shown(p)
    assert re.search(r"^FAIL e2e/test_broken/import .*does not import", p.stdout, re.M), shown(p)
    assert re.search(r"^FAIL e2e/test_cleanup/test_passes_but_leaks .*cleanup failed: remove_it", p.stdout, re.M), shown(p)
    assert re.search(r"^PASS e2e/test_sub/test_matrix/k1/a", p.stdout, re.M)
    assert re.search(r"^FAIL e2e/test_sub/test_matrix/k1/b .*not ok - b", p.stdout, re.M)
    assert re.search(r"^SKIP e2e/test_sub/test_matrix/k2/a", p.stdout, re.M)
    assert p.returncode == 1


def test_without_root_the_e2e_tests_fail_unless_unit_only():
    d = tree(units={"test_fine": "echo '[ RUN      ] ok1'\necho '[       OK ] ok1'\n"},
             e2e={"test_good.py": "def test_fine():\n    assert True\n"})
    os.chmod(d, 0o755)
    p, counts = run(d, user=65534)
    assert counts == (1, 1, 0) and p.returncode == 1, shown(p)
    assert "FAIL e2e/root" in p.stdout, shown(p)
    p, counts = run(d, "--unit-only", user=65534)
    assert counts == (1, 0, 0) and p.returncode == 0, shown(p)


def test_leftovers_are_found_and_named():
    mnt = tempfile.mkdtemp(prefix="vigil-runner-mnt-")
    on_cleanup(lambda: os.rmdir(mnt))
    on_cleanup(lambda: subprocess.run(["umount", "-l", mnt]) and None)
    d = tree(e2e={"test_leaky.py": f"""\
        import subprocess
        def test_leaves_a_process_and_a_mount():
            subprocess.Popen(["sleep", "37.5"], start_new_session=True, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "{mnt}"], check=True)
        """})
    on_cleanup(lambda: subprocess.run(["pkill", "-f", "^sleep 37.5$"]) and None)
    p, counts = run(d, "--e2e-only", env={"VIGIL_TEST_SETTLE_S": "1"})
    assert counts == (1, 1, 0), shown(p)
    block = p.stdout[p.stdout.index("FAIL e2e/leftovers/nothing_left_behind"):]
    assert re.search(r"process \d+: sleep 37\.5", block), shown(p)
    assert f"mount tmpfs on {mnt}" in block, shown(p)
    assert p.returncode == 1
