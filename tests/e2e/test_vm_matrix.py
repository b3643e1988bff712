"""The VM kernel matrix (tests/vm/, docs/vm-matrix.md) as part of the suite: the same vigil booted
under qemu on Debian's 6.1 and 6.12 cloud kernels, where BPF LSM, kprobes, fentry and modules
exist. One test per kernel and guest test; without qemu the whole matrix is skipped, loudly."""
import os
import re
import subprocess

import vigil_test
from vigil_test import Skip

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "vm", "run")
_result = {}


def matrix():
    if "out" not in _result:
        r = subprocess.run([RUN, "--build", vigil_test.BUILD], capture_output=True, text=True,
                           timeout=1500)
        _result["out"], _result["rc"] = r.stdout + r.stderr, r.returncode
    return _result["out"], _result["rc"]


def test_vm_matrix_on_debian_kernels():
    out, rc = matrix()
    if "vm: SKIP" in out:
        print("!!! the VM kernel matrix did not run: " + out.strip().splitlines()[-1] + " !!!")
        raise Skip(out.strip().splitlines()[-1])
    summary = [l for l in out.splitlines() if l.startswith("vm: ") and " kernels, " in l]
    assert summary, out[-3000:]
    m = re.match(r"vm: (\d+) kernels, (\d+) passed, (\d+) failed", summary[-1])
    assert m, summary[-1]
    kernels, passed, failed = map(int, m.groups())
    failing = [l.strip() for l in out.splitlines() if "not ok" in l or " FAIL " in l]
    assert rc == 0 and failed == 0, "\n".join(failing[:20]) or out[-3000:]
    assert kernels == 2 and passed >= 10, summary[-1]
