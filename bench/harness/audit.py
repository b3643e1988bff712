"""auditd for one run: started in the foreground with its log in a temp dir, rules added for the
run, then rules removed, auditd stopped and the kernel's audit settings put back as they were."""
import os
import re
import subprocess
import time

from . import proc as P

KEY = "vbench"


def status():
    out = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
    return {k: int(v) for k, v in re.findall(r"^(\w+) (-?\d+)", out, re.M)}


def rules():
    out = subprocess.run(["auditctl", "-l"], capture_output=True, text=True).stdout.strip()
    return [] if out == "No rules" else out.splitlines()


class Saved:
    """What the machine had before: restored however the bench ends."""

    def __init__(self):
        st = status()
        self.enabled = st.get("enabled", 0)
        self.backlog_limit = st.get("backlog_limit", 64)
        self.rules = rules()

    def restore(self):
        subprocess.run(["auditctl", "-D"], capture_output=True)
        for rule in self.rules:
            subprocess.run(["auditctl", *rule.split()], capture_output=True)
        subprocess.run(["auditctl", "-b", str(self.backlog_limit), "-e", str(self.enabled)],
                       capture_output=True)


class Auditd:
    def __init__(self, workdir, syscalls):
        self.dir = os.path.join(workdir, "auditd")
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "audit.log")
        with open("/etc/audit/auditd.conf") as f:
            conf = re.sub(r"^log_file\s*=.*$", f"log_file = {self.log}", f.read(), flags=re.M)
        with open(os.path.join(self.dir, "auditd.conf"), "w") as f:
            f.write(conf)
        os.chmod(os.path.join(self.dir, "auditd.conf"), 0o640)
        self.syscalls = syscalls
        self.proc = None

    def start(self):
        if status().get("pid", 0):
            raise RuntimeError("an audit daemon is already running: the auditd mode needs the machine's audit to itself")
        self.proc = subprocess.Popen(["auditd", "-n", "-s", "enable", "-c", self.dir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        P.wait_until(lambda: status().get("pid") == self.proc.pid, 10, self.proc, "auditd")
        # Debian's own rule file sets an 8192 backlog; the kernel default (64) would drop records.
        args = ["auditctl", "-b", "8192", "-a", "always,exit", "-F", "arch=b64"]
        for sc in self.syscalls:
            args += ["-S", sc]
        subprocess.run(args + ["-k", KEY], check=True, capture_output=True)
        self.lost0 = status().get("lost", 0)

    def stop(self):
        """Rules off, daemon stopped (it flushes its log), audit disabled; returns its figures."""
        subprocess.run(["auditctl", "-D"], capture_output=True)
        lost = status().get("lost", 0) - self.lost0
        rss = P.status_kb(self.proc.pid, "VmHWM") or 0  # not ru_maxrss: see modes.Tracer.reap
        code, cpu, _ = P.stop_and_reap(self.proc, sig=15)
        subprocess.run(["auditctl", "-e", "0"], capture_output=True)
        logged = 0
        for name in os.listdir(self.dir):
            if name.startswith("audit.log"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    logged += sum(1 for line in f if line.startswith("type=SYSCALL") and KEY in line)
                os.unlink(os.path.join(self.dir, name))
        return {"exit": code, "cpu_s": cpu, "rss_kb": rss, "lost": lost, "logged": logged}
