"""The policy parser under libFuzzer (ASan + UBSan), briefly: any input gives rules or errors,
never a crash, a leak or undefined behaviour. Longer runs: make fuzz, then run the binary."""
import os
import shutil
import subprocess
import tempfile

import vigil_test

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "fuzz", "policy_corpus")


def test_policy_parser_fuzz_briefly():
    fuzzer = os.path.join(vigil_test.BUILD, "fuzz", "fuzz_policy")
    assert os.access(fuzzer, os.X_OK), f"{fuzzer} not built (make fuzz)"
    with tempfile.TemporaryDirectory(prefix="vigil-fuzz-") as work:
        corpus = os.path.join(work, "corpus")
        shutil.copytree(CORPUS, corpus)
        r = subprocess.run([fuzzer, "-max_total_time=10", "-rss_limit_mb=1024",
                            f"-artifact_prefix={work}/", corpus],
                           capture_output=True, text=True, timeout=120)
        crashes = [f for f in os.listdir(work) if f.startswith(("crash-", "leak-", "oom-", "timeout-"))]
        assert r.returncode == 0 and not crashes, r.stderr[-3000:]
        assert "Done" in r.stderr and " runs in " in r.stderr
        runs = int(r.stderr.split("Done ")[1].split(" runs")[0])
        assert runs > 1000, runs
