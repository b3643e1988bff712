"""process.exec's file facts: interpreter, inode, dev, owner, mode bits, and fileless flags.

Each exec carries a unique marker in its argv; expected values come from os.stat and from the
binary's own PT_INTERP (read here with struct, then resolved like the kernel did).
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import vigil_test as vt
from vigil_test import Agent, check_invariant, helper, marker, on_cleanup, one, with_marker

TRUE = shutil.which("true")
# run with a pipe for stdout and the runner's stdin: neither is a network socket
NO_SOCKETS = {"stdin_socket": False, "stdout_socket": False}


def workdir(base=None):
    d = os.path.realpath(tempfile.mkdtemp(prefix=marker() + "-", dir=base))
    os.chmod(d, 0o755)
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def copy_exec(src, dst, mode=0o755):
    shutil.copyfile(src, dst)
    os.chmod(dst, mode)
    return dst


def pt_interp(path):
    """The PT_INTERP string of a 64-bit little-endian ELF file, or None."""
    with open(path, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            return data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
    return None


def file_facts(path, nlink=None):
    st = os.stat(path)
    return {"inode": st.st_ino, "dev": st.st_dev, "uid": st.st_uid, "gid": st.st_gid,
            "mode": f"{st.st_mode & 0o7777:04o}", "setuid": bool(st.st_mode & 0o4000),
            "setgid": bool(st.st_mode & 0o2000), "nlink": st.st_nlink if nlink is None else nlink}


def exec_of(a, mark):
    """The exec whose argv carries mark (file_fexec's own exec, which also does, left out)."""
    def mine():
        return [e for e in with_marker(a.of("process.exec"), mark)
                if not e["proc"]["exe"].endswith("/file_fexec")]
    a.wait_for(lambda e: bool(mine()), what=f"the exec of {mark}")
    return one(mine(), f"exec of {mark}")


def same(got, want):
    if got != want:
        diff = {k: (got.get(k, "<absent>"), want.get(k, "<absent>"))
                for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)}
        raise AssertionError(f"fields differ (got, want): {diff}")


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=20, **kw)
    assert p.returncode == 0, f"{argv}: exit {p.returncode}: {p.stderr.strip()}"
    return p


def test_exec_elf_facts_and_loader():
    d = workdir()
    prog = copy_exec(TRUE, f"{d}/mytrue")
    mark = marker()
    want_interp = os.path.realpath(pt_interp(prog))
    with Agent("--kind", "process.exec") as a:
        run([prog, mark])
        ev = exec_of(a, mark)
    check_invariant(a.stats)
    assert ev["proc"]["exe"] == prog
    same(ev["exec"], {"argc": 2, "interpreter": want_interp, "file": file_facts(prog),
                      **NO_SOCKETS, "fileless": False, "fileless_reasons": []})


def test_exec_static_binary_has_no_interpreter():
    busybox = shutil.which("busybox")
    # a test dependency (scripts/install-test-deps.sh), not a reason to skip
    assert busybox and pt_interp(busybox) is None, (
        f"no statically linked busybox here ({busybox or 'busybox not in PATH'}): install the "
        "Debian package busybox-static (scripts/install-test-deps.sh)")
    mark = marker()
    with Agent("--kind", "process.exec") as a:
        run([busybox, "true", mark])
        ev = exec_of(a, mark)
    assert "interpreter" not in ev["exec"]
    assert ev["exec"]["file"] == file_facts(os.path.realpath(busybox))


def test_exec_on_sockets_like_a_reverse_shell():
    """A shell exec'd with a connected TCP socket dup2'd onto fd 0 and 1 (the reverse-shell
    pattern): stdin_socket and stdout_socket are true; each alone when only one is a socket
    (IPv6 too); pipes and a local socketpair are not network sockets."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv6.bind(("::1", 0))
    srv6.listen(4)
    held = [srv, srv6]
    on_cleanup(lambda: [x.close() for x in held])

    def connected(server):
        c = socket.create_connection(server.getsockname()[:2])
        peer, _ = server.accept()
        held.extend([c, peer])
        return c.fileno()

    unix_a, unix_b = socket.socketpair()
    held.extend([unix_a, unix_b])
    PIPE = subprocess.PIPE
    cases = {  # name: (stdin, stdout, want stdin_socket, want stdout_socket)
        "tcp4 on 0 and 1": (connected(srv), None, True, True),
        "tcp4 on 0, a pipe on 1": (connected(srv), PIPE, True, False),
        "a pipe on 0, tcp6 on 1": (PIPE, connected(srv6), False, True),
        "pipes": (PIPE, PIPE, False, False),
        "a unix socketpair": (unix_a.fileno(), None, False, False),
    }
    marks = {}
    with Agent("--kind", "process.exec") as a:
        for name, (fd_in, fd_out, _, _) in cases.items():
            marks[name] = mark = marker()
            out = fd_in if fd_out is None else fd_out  # None: the same socket on 0 and 1, dup2'd
            p = subprocess.Popen(["/bin/sh", "-c", "exit 0", mark], stdin=fd_in, stdout=out)
            p.communicate(timeout=20)
            assert p.returncode == 0, name
        got = {name: exec_of(a, marks[name])["exec"] for name in cases}
    for name, (_, _, want_in, want_out) in cases.items():
        x = got[name]
        assert (x["stdin_socket"], x["stdout_socket"]) == (want_in, want_out), (name, x)


def test_exec_setuid_setgid_copy():
    d = workdir()
    prog = copy_exec(shutil.which("id"), f"{d}/suid-id", 0o6755)
    os.chown(prog, 0, 0)
    os.chmod(prog, 0o6755)  # chown clears the bits
    with Agent("--kind", "process.exec") as a:
        # as nobody, so that the bits matter: id then reports euid 0 (prog's path is unique)
        p = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", prog, "-u"])
        ev = a.wait_for(lambda e: e.get("kind") == "process.exec" and e["proc"]["exe"] == prog,
                        what="the setuid exec")
    check_invariant(a.stats)
    assert p.stdout.strip() == "0"  # the kernel honoured the setuid bit
    assert ev["proc"]["uid"] == 65534 and ev["proc"]["euid"] == 0
    facts = ev["exec"]["file"]
    assert facts == file_facts(prog)
    assert facts["setuid"] is True and facts["setgid"] is True and facts["mode"] == "6755"
    assert ev["exec"]["fileless"] is False


def test_exec_script_interpreter():
    d = workdir()
    script = f"{d}/hello.sh"
    with open(script, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(script, 0o750)
    mark, mark_rel = marker(), marker()
    with Agent("--kind", "process.exec") as a:
        run([script, mark])
        run(["./hello.sh", mark_rel], cwd=d)
        ev = exec_of(a, mark)
        rel = exec_of(a, mark_rel)
    check_invariant(a.stats)
    # the program running is the shell, and the file facts are its own: the kernel has
    # released the script's file by the time the exec is reported
    sh = os.path.realpath("/bin/sh")
    assert ev["proc"]["exe"] == sh
    same(ev["exec"], {"argc": 3, "interpreter": "/bin/sh", "script": script,
                      "file": file_facts(sh), **NO_SOCKETS, "fileless": False,
                      "fileless_reasons": []})
    # a relative name is made absolute with the cwd of the exec
    assert rel["exec"]["script"] == f"{d}/hello.sh" and rel["proc"]["cwd"] == d


def test_exec_from_memfd_is_fileless():
    mark = marker()
    with Agent("--kind", "process.exec") as a:
        run([helper("file_fexec"), "memfd", mark, TRUE, "memfd-true", mark])
        ev = exec_of(a, mark)
    check_invariant(a.stats)
    x = ev["exec"]
    assert ev["proc"]["exe"] == f"/memfd:{mark}"
    assert x["fileless"] is True and x["fileless_reasons"] == ["memfd", "deleted", "tmpfs"]
    assert x["file"]["nlink"] == 0 and x["file"]["uid"] == 0 and x["file"]["mode"] == "0777"
    assert x["interpreter"] == os.path.realpath(pt_interp(TRUE))


def test_exec_deleted_file_and_dev_shm():
    d = workdir()
    shm = workdir("/dev/shm")
    mark_del, mark_shm = marker(), marker()
    on_disk = f"{d}/will-vanish"
    shm_prog = copy_exec(TRUE, f"{shm}/from-shm")
    with Agent("--kind", "process.exec") as a:
        run([helper("file_fexec"), "deleted", on_disk, TRUE, "vanished", mark_del])
        run([shm_prog, mark_shm])
        ev_del = exec_of(a, mark_del)
        ev_shm = exec_of(a, mark_shm)
    check_invariant(a.stats)
    assert not os.path.exists(on_disk)
    assert ev_del["exec"]["fileless"] is True
    assert ev_del["exec"]["fileless_reasons"] == ["deleted"]
    assert ev_del["exec"]["file"]["nlink"] == 0 and ev_del["exec"]["file"]["mode"] == "0755"
    assert ev_del["proc"]["exe"] == on_disk  # the dentry keeps its name after the unlink
    assert ev_shm["exec"]["fileless_reasons"] == ["tmpfs"]
    assert ev_shm["exec"]["file"] == file_facts(shm_prog)


def test_elfsnoop_output():
    d = workdir()
    prog = copy_exec(shutil.which("id"), f"{d}/suid-snoop", 0o4755)
    mark = marker()
    p = subprocess.Popen([vt.VIGIL, "elfsnoop"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    on_cleanup(lambda: p.poll() is None and p.kill())
    header = p.stdout.readline()
    assert header.split() == ["TIME", "PID", "COMM", "FLAGS", "EXE", "INTERP"], header
    run([prog, "-u"])
    run([helper("file_fexec"), "memfd", mark, TRUE, "memfd-true", mark])
    p.send_signal(signal.SIGINT)  # the tool drains the ring buffer before it exits
    out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    interp = os.path.realpath(pt_interp(TRUE))
    suid = [l.split() for l in out.splitlines() if f" {prog} " in l]
    assert len(suid) == 1 and suid[0][3] == "setuid" and suid[0][5] == interp, out
    memfd = [l.split() for l in out.splitlines() if f"/memfd:{mark}" in l]
    assert len(memfd) == 1, out
    assert memfd[0][3] == "memfd,deleted,tmpfs" and memfd[0][5] == interp, memfd
