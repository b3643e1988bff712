"""The tools' BCC habits added for the service issue: eperm per command name and one table at
exit, tcprtt refusing the process filters it cannot honour. Real processes on this kernel."""
import os
import re
import subprocess
import tempfile

import vigil_test
from vigil_test import helper, vigil


def root_only_file():
    d = tempfile.mkdtemp(prefix="vigil-eacces-")
    os.chmod(d, 0o700)
    path = os.path.join(d, "secret")
    with open(path, "w") as f:
        f.write("x")
    vigil_test.on_cleanup(lambda: (os.unlink(path), os.rmdir(d)))
    return path


def tables(out):
    return [t for t in out.split("\n\n") if t.strip()]


def test_eperm_by_comm_adds_up_the_processes_of_a_name():
    """Two processes of one command name: --by-comm gives one row per syscall with their sum;
    the default view keeps one row per process."""
    path = root_only_file()
    # a copy of the helper under a name of its own: other tests' priv_ops do not count here
    comm = "vlep" + vigil_test.marker()[-8:]
    prog = os.path.join(os.path.dirname(path), comm)
    os.chmod(os.path.dirname(path), 0o755)
    subprocess.run(["cp", helper("priv_ops"), prog], check=True)
    vigil_test.on_cleanup(lambda: os.path.exists(prog) and os.unlink(prog))
    os.chmod(os.path.dirname(path), 0o700)
    views = {}
    for view in ([], ["--by-comm"]):
        tool = subprocess.Popen([vigil_test.VIGIL, "eperm", "-c", comm, "-d", "4", "-i", "60",
                                 *view], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        vigil_test.on_cleanup(lambda t=tool: t.poll() is None and t.kill())
        assert tool.stderr.readline().startswith("Counting syscalls")
        for n in (3, 4):
            p = subprocess.run([prog, "eperm", str(n), "1", path], timeout=30)
            assert p.returncode == 0
        out, err = tool.communicate(timeout=30)
        assert tool.returncode == 0, err
        views[bool(view)] = tables(out)
    per_proc, per_comm = views[False], views[True]
    # -d 4 and -i 60: exactly one table, at exit (it used to print twice when they coincided)
    assert len(per_proc) == 1 and len(per_comm) == 1, (per_proc, per_comm)
    rows = [r.split() for r in per_comm[0].splitlines()[2:]]
    assert per_comm[0].splitlines()[1].split() == ["COMM", "SYSCALL", "ERRNO", "COUNT"]
    assert rows == [[comm, "sethostname", "EPERM", "7"], [comm, "openat", "EACCES", "2"]], rows
    prows = [r.split() for r in per_proc[0].splitlines()[2:]]
    assert sorted(int(r[5]) for r in prows if r[3] == "sethostname") == [3, 4], prows


def test_eperm_interval_and_duration_equal_print_one_table():
    r = subprocess.run([vigil_test.VIGIL, "eperm", "-d", "1", "-i", "1"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert len(tables(r.stdout)) == 1, r.stdout
    r = subprocess.run([vigil_test.VIGIL, "eperm", "-d", "1.6", "-i", "0.5"], capture_output=True,
                       text=True, timeout=60)
    assert len(tables(r.stdout)) == 4, r.stdout  # 0.5, 1.0, 1.5 and the end


def test_tcprtt_refuses_process_filters():
    for args in (["-p", "443"], ["-u", "0"], ["-c", "curl"]):
        r = vigil("tcprtt", *args, "-d", "1")
        assert r.returncode == 2, (args, r)
        assert "do not apply" in r.stderr and "no port filter yet" in r.stderr, r.stderr
    r = vigil("tcprtt", "-d", "1", "-i", "5")
    assert r.returncode == 0, r.stderr
    assert len(re.findall(r"^\d\d:\d\d:\d\d \d+ remote hosts?$", r.stdout, re.M)) == 1, r.stdout


def _execsnoop(args, work):
    """Runs `vigil execsnoop ARGS`, calls work() once it is attached, returns (header, rows)."""
    import signal
    tool = subprocess.Popen([vigil_test.VIGIL, "execsnoop", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    vigil_test.on_cleanup(lambda: tool.poll() is None and tool.kill())
    header = tool.stdout.readline()
    work()
    import time
    time.sleep(0.3)  # the consumer polls every 100 ms
    tool.send_signal(signal.SIGINT)
    out, err = tool.communicate(timeout=30)
    assert tool.returncode == 0, err
    return header, out.splitlines()


def test_execsnoop_bcc_flags():
    mark = vigil_test.marker()
    # -n, -P, -q, --max-args: the shell's child /bin/echo is shown, quoted, cut after 3 arguments;
    # the same marker from another parent is not
    sh = subprocess.Popen(["/bin/sh", "-c", f"read x; /bin/echo 'a b' {mark} c d e"],
                          stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    vigil_test.on_cleanup(lambda: sh.poll() is None and sh.kill())

    def work():
        subprocess.run(["/bin/echo", mark, "other-parent"], stdout=subprocess.DEVNULL)
        sh.communicate("go\n", timeout=30)

    header, rows = _execsnoop(["-n", mark, "-P", str(sh.pid), "-q", "--max-args", "3"], work)
    assert header.split() == ["TIME", "PID", "PPID", "UID", "RET", "COMM", "ARGS"], header
    assert len(rows) == 1, rows
    assert rows[0].endswith(f'"/bin/echo" "a b" "{mark}" ...'), rows[0]
    assert rows[0].split()[2] == str(sh.pid)

    # -x: only failed execs, in the kernel; -t: seconds since the start
    missing = "/nonexistent/" + mark

    def work2():
        subprocess.run(["/bin/true", mark])
        try:
            subprocess.run([missing, mark])
        except FileNotFoundError:
            pass

    header, rows = _execsnoop(["-x", "-t", "-n", mark], work2)
    assert header.split()[0] == "TIME(s)", header
    assert len(rows) == 1 and rows[0].split()[4] == "-2", rows  # ENOENT; /bin/true not shown
    assert 0 < float(rows[0].split()[0]) < 60, rows
    assert rows[0].split()[-2:] == [missing, mark], rows


def test_execsnoop_bad_flags():
    for args, msg in ((["--max-args", "0"], "invalid value for --max-args"),
                      (["-P", "x"], "invalid value for --ppid"),
                      (["-n", ""], "invalid value for --name")):
        r = vigil("execsnoop", *args)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)


def _tool_on_child(tool_args, code):
    """A python child waiting on stdin; `vigil TOOL -p CHILD ARGS` attached; the child runs code;
    returns (child pid, header, rows)."""
    import signal
    import sys
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()\n" + code],
                             stdin=subprocess.PIPE, text=True)
    vigil_test.on_cleanup(lambda: child.poll() is None and child.kill())
    tool = subprocess.Popen([vigil_test.VIGIL, *tool_args, "-p", str(child.pid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    vigil_test.on_cleanup(lambda: tool.poll() is None and tool.kill())
    header = tool.stdout.readline()
    assert header, tool.stderr.read()
    child.communicate("go\n", timeout=30)
    import time
    time.sleep(0.3)
    tool.send_signal(signal.SIGINT)
    out, err = tool.communicate(timeout=30)
    assert tool.returncode == 0, err
    return child.pid, header, out.splitlines()


def test_opensnoop_bcc_flags():
    d = tempfile.mkdtemp(prefix="vigil-os-")
    vigil_test.on_cleanup(lambda: subprocess.run(["rm", "-rf", d]))
    made, read = os.path.join(d, "made"), os.path.join(d, "read")
    with open(read, "w") as f:
        f.write("x")
    pid, header, rows = _tool_on_child(
        ["opensnoop", "-f", "O_CREAT", "-f", "WRONLY", "-U", "-e", "-n", "pyth"],
        f"open({made!r}, 'w').close(); open({read!r}).read()")
    assert header.split() == ["TIME", "PID", "UID", "COMM", "FD", "ERR", "FLAGS", "MODE", "PATH"], header
    mine = [r.split() for r in rows if d in r]
    assert len(mine) == 1, rows  # the read-only open is not O_CREAT
    assert mine[0][1] == str(pid) and mine[0][2] == "0" and mine[0][-1] == made, mine
    assert "O_CREAT" in mine[0][-3].split("|") and "O_WRONLY" in mine[0][-3].split("|")
    assert mine[0][-2] == "0666", mine  # the mode python asks for
    # -t: another thread id shows nothing; -n: another name shows nothing
    for args in (["-t", "1"], ["-n", "nosuchcomm"]):
        _, _, rows = _tool_on_child(["opensnoop", *args], f"open({read!r}).read()")
        assert not [r for r in rows if d in r], (args, rows)
    r = vigil("opensnoop", "-f", "O_BOGUS")
    assert r.returncode == 2 and "invalid value for --flag" in r.stderr


def test_tcpconnect_bcc_flags():
    """-4, a -P list, -U, -t: an IPv6 connect and one to a port not listed are left out."""
    code = ("import socket\n"
            "for fam, a, port in ((socket.AF_INET, '127.0.0.1', 22999), (socket.AF_INET6, '::1', 22999),\n"
            "                     (socket.AF_INET, '127.0.0.1', 22997)):\n"
            "    s = socket.socket(fam)\n"
            "    try: s.connect((a, port))\n"
            "    except OSError: pass\n"
            "    s.close()\n")
    pid, header, rows = _tool_on_child(["tcpconnect", "-4", "-P", "22999,22998", "-U", "-t"], code)
    assert header.split()[:3] == ["TIME(s)", "PID", "UID"] and header.split()[-1] == "RESULT", header
    got = [r.split() for r in rows]
    assert len(got) == 1, rows
    assert got[0][1] == str(pid) and got[0][2] == "0" and got[0][4] == "4", got
    assert got[0][-2] == "22999" and got[0][-1] == "ECONNREFUSED", got
    _, _, rows = _tool_on_child(["tcpconnect", "-6", "-P", "22999"], code)
    assert [r.split()[3] for r in rows] == ["6"], rows
    r = vigil("tcpconnect", "-4", "-6")
    assert r.returncode == 2 and "contradict" in r.stderr


def test_capable_bcc_flags():
    """-v shows the silent checks (BCC's meaning; libbpf's log is --libbpf-log), -x the TID,
    --unique each process's capability once."""
    import signal
    out = {}
    for args in (["-x", "--unique"], ["-v"]):
        op = subprocess.Popen([helper("priv_ops"), "capable"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "VIGIL_WAIT": "1"})
        vigil_test.on_cleanup(lambda o=op: o.poll() is None and o.kill())
        tool = subprocess.Popen([vigil_test.VIGIL, "capable", *args, "-p", str(op.pid)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        vigil_test.on_cleanup(lambda t=tool: t.poll() is None and t.kill())
        header = tool.stdout.readline()
        op.communicate("go\n", timeout=30)
        tool.send_signal(signal.SIGINT)
        rest, err = tool.communicate(timeout=30)
        assert tool.returncode == 0, err
        out[args[0]] = (op.pid, header.split(), [r.split() for r in rest.splitlines()])
    pid, header, rows = out["-x"]
    assert header == ["TIME", "UID", "PID", "TID", "COMM", "CAP", "NAME", "AUDIT", "VERDICT"]
    assert rows and all(r[2] == str(pid) and r[3] == str(pid) for r in rows), rows
    caps = [r[5] for r in rows]
    assert len(caps) == len(set(caps)), rows  # --unique
    pid, header, rows = out["-v"]
    assert "0" in [r[6] for r in rows], rows  # the silent probe, shown with -v
