"""The parsers of untrusted input under libFuzzer (ASan + UBSan), briefly: any input gives a
result or an error, never a crash, a leak or undefined behaviour. Targets: the policy parser,
the record decoder (every kind's bytes from the kernel), the DNS parser, the seccomp profile
loader (tests/fuzz/fuzz_*.c, corpora in tests/fuzz/NAME_corpus/). Longer runs: make fuzz."""
import os
import shutil
import subprocess
import tempfile

import vigil_test

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.join(HERE, "..", "fuzz")


def fuzz_briefly(name, seconds):
    fuzzer = os.path.join(vigil_test.BUILD, "fuzz", "fuzz_" + name)
    if not os.access(fuzzer, os.X_OK):  # a build made with plain `make`: build the target
        b = subprocess.run(["make", "-s", "-C", os.path.join(HERE, "..", ".."),
                            f"BUILD={vigil_test.BUILD}", fuzzer], capture_output=True, text=True,
                           timeout=900)
        assert b.returncode == 0, b.stderr[-2000:]
    assert os.access(fuzzer, os.X_OK), f"{fuzzer} not built (make fuzz)"
    with tempfile.TemporaryDirectory(prefix="vigil-fuzz-") as work:
        corpus = os.path.join(work, "corpus")
        shutil.copytree(os.path.join(FUZZ, name + "_corpus"), corpus)
        r = subprocess.run([fuzzer, f"-max_total_time={seconds}", "-rss_limit_mb=1024",
                            f"-artifact_prefix={work}/", corpus],
                           capture_output=True, text=True, timeout=120)
        crashes = [f for f in os.listdir(work) if f.startswith(("crash-", "leak-", "oom-", "timeout-"))]
        assert r.returncode == 0 and not crashes, r.stderr[-3000:]
        assert "Done" in r.stderr and " runs in " in r.stderr
        runs = int(r.stderr.split("Done ")[1].split(" runs")[0])
        assert runs > 1000, runs


def test_policy_parser_fuzz_briefly():
    fuzz_briefly("policy", 10)


def test_record_decoder_fuzz_briefly():
    fuzz_briefly("decoder", 5)


def test_dns_parser_fuzz_briefly():
    fuzz_briefly("dns", 5)


def test_seccomp_profile_loader_fuzz_briefly():
    fuzz_briefly("seccomp_profile", 5)
