"""The Debian package and what it installs, done for real on this machine: make deb, dpkg -i,
the installed binary, unit (systemd-analyze verify), config, rules.d, man pages and completion,
then dpkg --purge and nothing left. Also the man pages and completion of the build itself."""
import fcntl
import glob
import os
import re
import shutil
import subprocess

import vigil_test
from vigil_test import Skip, marker

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sh(*args, check=True, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if check:
        assert r.returncode == 0, f"{' '.join(args)}: {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def installed(pkg="vigil"):
    r = sh("dpkg-query", "-W", "-f=${Status}", pkg, check=False)
    return "ok installed" in r.stdout


def test_man_pages_render_and_match_help():
    pages = sorted(glob.glob(os.path.join(vigil_test.BUILD, "man", "*.[58]")))
    names = [os.path.basename(p) for p in pages]
    assert "vigil.8" in names and "vigil.yaml.5" in names and "vigil-run.8" in names, names
    tools = sh(vigil_test.VIGIL, "--help").stdout
    for ln in tools.splitlines():
        m = re.match(r"^  ([a-z]+) ", ln)
        if m:
            assert f"vigil-{m.group(1)}.8" in names, m.group(1)
    for p in pages:
        r = sh("man", "--warnings", "-l", p, env=dict(os.environ, MANWIDTH="100", MAN_KEEP_FORMATTING="0"))
        assert r.stdout.strip() and not r.stderr.strip(), (p, r.stderr)
    # the page and --help say the same: every long option of run is in vigil-run(8) and vigil.yaml(5)
    run_help = sh(vigil_test.VIGIL, "run", "--help").stdout
    longs = set(re.findall(r"--([a-z][a-z0-9-]+)", run_help)) - {"help", "usage", "version"}
    run_page = sh("man", "-l", os.path.join(vigil_test.BUILD, "man", "vigil-run.8"),
                  env=dict(os.environ, MANWIDTH="4000")).stdout
    yaml_page = sh("man", "-l", os.path.join(vigil_test.BUILD, "man", "vigil.yaml.5"),
                   env=dict(os.environ, MANWIDTH="4000")).stdout
    for opt in longs:
        assert f"--{opt}" in run_page.replace("‐", "-"), opt
        if opt != "config" and f"--{opt}=" in run_help or f"--{opt} " in run_help:
            assert re.search(rf"^\s+{re.escape(opt)}:", yaml_page, re.M), opt
    assert not re.search(r"^\s+config:", yaml_page, re.M)  # not a key of the file


def _complete(words):
    script = os.path.join(vigil_test.BUILD, "vigil.bash")
    prog = (f"source {script}; COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; "
            "_vigil; printf '%s\\n' \"${COMPREPLY[@]}\"")
    return sh("bash", "-c", prog).stdout.split()


def test_bash_completion():
    assert "execsnoop" in _complete(["vigil", "exe"])
    assert _complete(["vigil", "run", "--ki"]) == ["--kind"]
    assert set(_complete(["vigil", "run", "-k", "process.exe"])) == {"process.exec", "process.exec_failed"}
    assert "process.exec,file.open" in _complete(["vigil", "run", "-k", "process.exec,file.o"])
    assert "--config" in _complete(["vigil", "run", "--con"])
    assert "file.path" in _complete(["vigil", "fields", "file.p"])  # rule fields
    assert _complete(["vigil", "config", "s"]) == ["show"]
    assert _complete(["vigil", "run", "--nosuch"]) == []


def test_package_installs_runs_and_purges():
    for tool in ("dpkg-deb", "systemd-analyze", "man"):
        if not shutil.which(tool):
            raise Skip(f"{tool} is not installed (scripts/install-test-deps.sh)")
    lock = open("/tmp/vigil-package-test.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one package test at a time on this machine
    if installed():
        raise Skip("a vigil package is already installed here; not touching it")
    r = sh("make", "-s", "deb", f"BUILD={vigil_test.BUILD}", cwd=ROOT)
    deb = r.stdout.strip().splitlines()[-1]
    deb = deb if os.path.isabs(deb) else os.path.join(ROOT, deb)
    files = [ln.split()[-1].lstrip(".") for ln in sh("dpkg-deb", "-c", deb).stdout.splitlines()]
    owned = [f.rstrip("/") for f in files if f.rstrip("/") and not f.endswith("/")]
    mark = marker()
    try:
        sh("dpkg", "-i", deb)
        assert installed()
        assert sh("/usr/bin/vigil", "--version").stdout == "vigil 0.1.0\n"
        assert sh("/usr/bin/vigil", "execsnoop", "--version").stdout == "vigil 0.1.0\n"
        r = sh("systemd-analyze", "verify", "/lib/systemd/system/vigil.service", check=False)
        assert r.returncode == 0 and not r.stderr.strip(), r.stderr
        unit = open("/lib/systemd/system/vigil.service").read()
        assert "ExecStart=/usr/bin/vigil run --config /etc/vigil/vigil.yaml" in unit
        assert "Type=notify" in unit and "LimitMEMLOCK=infinity" in unit
        assert os.path.isdir("/etc/vigil/rules.d") and not os.listdir("/etc/vigil/rules.d")
        assert sh("/usr/bin/vigil", "config", "check").returncode == 0
        assert os.path.exists(sh("man", "-w", "vigil-run").stdout.strip())
        assert os.path.exists("/usr/share/bash-completion/completions/vigil")
        # the installed agent from its config: bundled rules plus a rule dropped into rules.d
        with open("/etc/vigil/rules.d/e2e.yaml", "w") as f:
            f.write(f"rules:\n  - name: e2e {mark}\n    description: d\n    on: process.exec\n"
                    f"    when: proc.args == {mark}\n")
        os.makedirs("/var/log/vigil", exist_ok=True)  # LogsDirectory= does it under systemd
        p = subprocess.Popen(["/usr/bin/vigil", "run", "--config", "/etc/vigil/vigil.yaml",
                              "--duration", "4"], stderr=subprocess.PIPE, text=True)
        log = "/var/log/vigil/events.jsonl"
        for _ in range(300):
            if os.path.exists(log) and "agent.policy" in open(log).read():
                break
            p.poll()
            assert p.returncode is None, p.stderr.read()
            subprocess.run(["sleep", "0.05"])
        subprocess.run(["/bin/true", mark])
        p.wait(timeout=30)
        assert p.returncode == 0, p.stderr.read()
        events = vigil_test.parse_jsonl(open(log).read(), log)
        kinds = [e["kind"] for e in events]
        assert kinds[0] == "agent.ready" and kinds[-1] == "agent.stats", kinds
        alerts = [e for e in events if e["kind"] == "alert"]
        assert [a["rule"]["name"] for a in alerts if mark in a["rule"]["name"]] == [f"e2e {mark}"]
        # alerts only (the config's policy without all-events): no plain exec events
        assert "process.exec" not in kinds
    finally:
        sh("dpkg", "--purge", "vigil", check=False)
    assert not installed()
    left = [f for f in owned if os.path.lexists(f)]
    assert not left, left
    assert not os.path.exists("/etc/vigil") and not os.path.exists("/var/log/vigil")
