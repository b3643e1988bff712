"""The machine, kernel and versions a run was measured on."""
import os
import platform
import subprocess
import time

from .programs import BENCH


def _first(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def describe():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    auditd = _first(["dpkg-query", "-W", "-f", "${Version}", "auditd"])
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "vigil_commit": _first(["git", "-C", BENCH, "rev-parse", "--short", "HEAD"]),
        "bpftrace": _first(["bpftrace", "--version"]),
        "auditd": "auditd " + auditd,
    }
