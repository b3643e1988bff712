"""Process helpers: CPU time and memory of a tracer, waiting for readiness, reaping with rusage."""
import os
import signal
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """CPU time used so far by a live process (0 if it is gone). /proc/PID/stat counts threads
    that have exited but in whole clock ticks; the live threads' schedstat counts nanoseconds.
    Both can only fall short, so the larger is the closer."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = (int(fields[11]) + int(fields[12])) / CLK_TCK
    except OSError:
        return 0.0
    ns = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns += int(f.read().split()[0])
    except (OSError, ValueError):
        ns = 0
    return max(ticks, ns / 1e9)


def status_kb(pid, key):
    """A kB field of /proc/PID/status (VmRSS, VmHWM), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def wait_until(pred, timeout, proc=None, what="ready"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited {proc.returncode} before it was ready")
        time.sleep(0.005)
    raise RuntimeError(f"{what}: not ready within {timeout}s")


def stop_and_reap(proc, sig=signal.SIGINT, timeout=60):
    """Signals a child and reaps it with wait4: returns (exit status, CPU seconds, peak RSS kB)."""
    if proc.returncode is None:
        proc.send_signal(sig)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, ru = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def file_has(path, text):
    try:
        with open(path, errors="replace") as f:
            return text in f.read()
    except FileNotFoundError:
        return False


def rss_by_mapping(pid):
    """Resident kB per mapping name from /proc/PID/smaps ([heap], anon_inode:bpf-map, libs)."""
    sizes, name = {}, None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                first = line.split(None, 1)[0]
                if "-" in first and not first.endswith(":"):
                    parts = line.split()
                    name = parts[5] if len(parts) > 5 else "[anon]"
                elif first == "Rss:":
                    sizes[name] = sizes.get(name, 0) + int(line.split()[1])
    except OSError:
        pass
    return sizes
