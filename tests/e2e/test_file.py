"""The file sensor: file.open .. file.truncate, every field against the real file (os.stat).

Every syscall is made raw by tests/helpers/file_ops (so the test knows which call the kernel
saw); the agent is filtered to that helper's comm, and each event is found by the helper's tid.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import vigil_test as vt
from vigil_test import Agent, Skip, check_invariant, helper, marker, on_cleanup, one

O_RDONLY, O_WRONLY, O_RDWR = 0, 1, 2
O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC = 0o100, 0o200, 0o1000, 0o200000, 0o400000, 0o2000000
AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_EMPTY_PATH = -100, 0x100, 0x200, 0x1000
RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS = 0x08, 0x04
RENAME_NOREPLACE = 1
NOBODY = 65534


def workdir():
    """A fresh directory, by its canonical path (what the kernel reports), readable by all."""
    d = os.path.realpath(tempfile.mkdtemp(prefix=marker() + "-"))
    os.chmod(d, 0o755)
    on_cleanup(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def write(path, data="x", mode=0o644):
    with open(path, "w") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def ops(*args):
    """Runs file_ops with args; returns its JSON result line."""
    p = subprocess.run([helper("file_ops"), *map(str, args)], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 0, f"file_ops {args}: {p.stderr.strip()}"
    r = json.loads(p.stdout)
    # the string the op's (last) open passes: how its event is told from the loader's opens
    op = [str(x) for x in args]
    while op[0] in ("-C", "-u"):
        op = op[2:]
    where = {"open": 1, "creat": 1, "openat": 2, "openat2": 2}
    if op[0] in where:
        r["requested"] = op[where[op[0]]]
    elif op[0] == "reopen":
        r["requested"] = f"/proc/self/fd/{r['fd']}"
    return r


def agent(*kinds):
    return Agent("--kind", ",".join(kinds), "--comm", "file_ops")


def of_tid(a, kind, tid):
    return [e for e in a.read() if e.get("kind") == kind and e["proc"]["tid"] == tid]


def event_of(a, kind, r, n=1):
    """The n events of kind made by the helper run whose result is r, ending with its op's (for
    opens, the one passing r["requested"]: the loader's own opens come first). Waits for them."""
    def upto():
        evs = of_tid(a, kind, r["tid"])
        if "requested" in r and kind == "file.open":
            ends = [i for i, e in enumerate(evs) if e["file"].get("requested") == r["requested"]]
            return evs[:ends[-1] + 1] if ends else []
        return evs
    a.wait_for(lambda e: len(upto()) >= n, what=f"{kind} of tid {r['tid']}")
    evs = upto()[-n:]
    return evs if n > 1 else evs[0]


def same(got, want):
    """Dict equality with a readable difference."""
    if got != want:
        diff = {k: (got.get(k, "<absent>"), want.get(k, "<absent>"))
                for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)}
        raise AssertionError(f"fields differ (got, want): {diff}")


def facts(path):
    st = os.stat(path)
    return {"inode": st.st_ino, "dev": st.st_dev}


def opened(path, requested, fd, flags, syscall="openat", dirfd=AT_FDCWD, mode="0000", **extra):
    """The whole file object of a successful open of path."""
    f = {"syscall": syscall, "path": path, "path_source": "file", "path_truncated": False,
         **facts(path), "requested": requested, "flags": flags, "mode": mode, "fd": fd,
         "errno": 0}
    if dirfd is not None:
        f["dirfd"] = dirfd
    f.update(extra)
    return f


def test_open_absolute_relative_dirfd_dotdot():
    d = workdir()
    os.mkdir(f"{d}/sub")
    target = write(f"{d}/sub/target.txt")
    with agent("file.open") as a:
        r_abs = ops("openat", "-", target, O_RDONLY | O_CLOEXEC, 0)
        r_rel = ops("-C", d, "openat", "-", "sub/target.txt", O_RDONLY, 0)
        r_dir = ops("openat", f"{d}/sub", "target.txt", O_RDWR, 0)
        r_dot = ops("openat", f"{d}/sub", "../sub/./target.txt", O_RDONLY, 0)
        r_open = ops("-C", f"{d}/sub", "open", "target.txt", O_WRONLY | O_CLOEXEC, 0)
        evs = [event_of(a, "file.open", r) for r in (r_abs, r_rel, r_dir, r_dot, r_open)]
    check_invariant(a.stats)
    same(evs[0]["file"], opened(target, target, r_abs["ret"], ["O_RDONLY", "O_CLOEXEC"]))
    # relative to the cwd: the canonical path comes from the new fd, the cwd is not repeated
    same(evs[1]["file"], opened(target, "sub/target.txt", r_rel["ret"], ["O_RDONLY"]))
    same(evs[2]["file"], opened(target, "target.txt", r_dir["ret"], ["O_RDWR"],
                                    dirfd=r_dir["dirfd"], dirfd_path=f"{d}/sub"))
    same(evs[3]["file"], opened(target, "../sub/./target.txt", r_dot["ret"], ["O_RDONLY"],
                                    dirfd=r_dot["dirfd"], dirfd_path=f"{d}/sub"))
    same(evs[4]["file"], opened(target, "target.txt", r_open["ret"], ["O_WRONLY", "O_CLOEXEC"],
                                    syscall="open", dirfd=None))


def test_open_symlink_hardlink_proc_fd():
    d = workdir()
    real = write(f"{d}/real.txt")
    os.symlink("real.txt", f"{d}/via-symlink")
    os.link(real, f"{d}/hardlink.txt")
    with agent("file.open") as a:
        r_sym = ops("openat", "-", f"{d}/via-symlink", O_RDONLY, 0)
        r_hard = ops("openat", "-", f"{d}/hardlink.txt", O_RDONLY, 0)
        r_re = ops("reopen", real)
        sym = event_of(a, "file.open", r_sym)
        hard = event_of(a, "file.open", r_hard)
        first, again = event_of(a, "file.open", r_re, n=2)
    check_invariant(a.stats)
    # the symlink is followed: the file opened is the target
    same(sym["file"], opened(real, f"{d}/via-symlink", r_sym["ret"], ["O_RDONLY"]))
    # a hard link: the name used, and the one inode both names share
    same(hard["file"], opened(f"{d}/hardlink.txt", f"{d}/hardlink.txt", r_hard["ret"],
                                  ["O_RDONLY"]))
    assert hard["file"]["inode"] == os.stat(real).st_ino
    # /proc/self/fd/N is a magic link: the re-open is of the very file behind fd N
    same(first["file"], opened(real, real, r_re["fd"], ["O_RDONLY"]))
    same(again["file"], opened(real, f"/proc/self/fd/{r_re['fd']}", r_re["ret"], ["O_RDONLY"]))


def test_open_failures_enoent_eacces():
    d = workdir()
    secret = write(f"{d}/secret.txt", mode=0o600)
    with agent("file.open") as a:
        r_noent = ops("-C", d, "openat", "-", "missing/nothing.txt", O_RDONLY, 0)
        r_acces = ops("-u", NOBODY, "openat", "-", secret, O_RDONLY, 0)
        r_dir = ops("openat", d, "nope.txt", O_RDONLY, 0)
        noent = event_of(a, "file.open", r_noent)
        acces = event_of(a, "file.open", r_acces)
        nodir = event_of(a, "file.open", r_dir)
    check_invariant(a.stats)
    assert r_noent["errno"] == 2 and r_acces["errno"] == 13
    # a failed open: the name asked for joined to its canonical directory, no inode
    same(noent["file"], {
        "syscall": "openat", "path": f"{d}/missing/nothing.txt", "path_source": "name",
        "path_truncated": False, "requested": "missing/nothing.txt", "dirfd": AT_FDCWD,
        "cwd": d, "flags": ["O_RDONLY"], "mode": "0000", "fd": -1, "errno": 2, "error": "ENOENT"})
    assert acces["proc"]["uid"] == NOBODY and acces["proc"]["euid"] == NOBODY
    same(acces["file"], {
        "syscall": "openat", "path": secret, "path_source": "name", "path_truncated": False,
        "requested": secret, "dirfd": AT_FDCWD, "flags": ["O_RDONLY"], "mode": "0000", "fd": -1,
        "errno": 13, "error": "EACCES"})
    assert nodir["file"]["dirfd_path"] == d and nodir["file"]["path"] == f"{d}/nope.txt"
    assert nodir["file"]["errno"] == 2


def test_open_creat_openat2_flags_and_mode():
    d = workdir()
    os.mkdir(f"{d}/jail")
    write(f"{d}/jail/in.txt")
    os.symlink("in.txt", f"{d}/jail/link")
    with agent("file.open") as a:
        r_creat = ops("creat", f"{d}/made.txt", 0o640)
        r_excl = ops("openat", "-", f"{d}/excl.txt", O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o600)
        r_o2 = ops("openat2", f"{d}/jail", "in.txt", O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH)
        r_o2_bad = ops("openat2", f"{d}/jail", "../jail/in.txt", O_RDONLY, 0, RESOLVE_BENEATH)
        r_o2_sym = ops("openat2", f"{d}/jail", "link", O_RDONLY, 0, RESOLVE_NO_SYMLINKS)
        creat = event_of(a, "file.open", r_creat)
        excl = event_of(a, "file.open", r_excl)
        o2 = event_of(a, "file.open", r_o2)
        o2_bad = event_of(a, "file.open", r_o2_bad)
        o2_sym = event_of(a, "file.open", r_o2_sym)
    check_invariant(a.stats)
    same(creat["file"], opened(f"{d}/made.txt", f"{d}/made.txt", r_creat["ret"],
                                   ["O_WRONLY", "O_CREAT", "O_TRUNC"], syscall="creat",
                                   dirfd=None, mode="0640"))
    assert os.stat(f"{d}/made.txt").st_mode & 0o777 == 0o640
    same(excl["file"], opened(f"{d}/excl.txt", f"{d}/excl.txt", r_excl["ret"],
                                  ["O_WRONLY", "O_CREAT", "O_EXCL", "O_TRUNC"], mode="0600"))
    same(o2["file"], opened(f"{d}/jail/in.txt", "in.txt", r_o2["ret"],
                                ["O_RDONLY", "O_CLOEXEC"], syscall="openat2",
                                dirfd=r_o2["dirfd"], dirfd_path=f"{d}/jail",
                                resolve=["RESOLVE_BENEATH"]))
    assert r_o2_bad["errno"] == 18  # EXDEV: .. escapes the dirfd
    assert o2_bad["file"]["errno"] == 18 and o2_bad["file"]["error"] == "EXDEV"
    assert o2_bad["file"]["resolve"] == ["RESOLVE_BENEATH"]
    assert o2_bad["file"]["requested"] == "../jail/in.txt"
    assert r_o2_sym["errno"] == 40 and o2_sym["file"]["errno"] == 40  # ELOOP
    assert o2_sym["file"]["resolve"] == ["RESOLVE_NO_SYMLINKS"]


def test_open_long_paths():
    d = workdir()
    # 30 levels of 100-character names: ~3 kB, all of it reported
    deep = d
    for i in range(30):
        deep = os.path.join(deep, f"{i:02d}" + "n" * 98)
    os.makedirs(deep)
    long_file = write(os.path.join(deep, "leaf.txt"))
    # deeper than the walk goes (VIGIL_PATH_DEPTH = 48 components): flagged as truncated
    tall = d
    for i in range(60):
        tall = os.path.join(tall, f"t{i}")
    os.makedirs(tall)
    tall_file = write(os.path.join(tall, "leaf.txt"))
    with agent("file.open") as a:
        r_long = ops("-C", deep, "openat", "-", "leaf.txt", O_RDONLY, 0)
        r_tall = ops("-C", tall, "openat", "-", "leaf.txt", O_RDONLY, 0)
        long_ev = event_of(a, "file.open", r_long)
        tall_ev = event_of(a, "file.open", r_tall)
    check_invariant(a.stats)
    assert len(long_file) > 3000
    same(long_ev["file"], opened(long_file, "leaf.txt", r_long["ret"], ["O_RDONLY"]))
    assert tall_ev["file"]["path_truncated"] is True
    # the components it has are the innermost ones, in order
    assert tall_file.endswith(tall_ev["file"]["path"])
    assert tall_ev["file"]["inode"] == os.stat(tall_file).st_ino


def test_open_path_not_paged_in():
    d = workdir()
    target = write(f"{d}/cold-target.txt")
    holder = f"{d}/path-holder"
    with open(holder, "wb") as f:
        f.write(target.encode() + b"\0" + b"\0" * 8192)
    with Agent("--kind", "file.open", "--comm", "file_cold") as a:
        p = subprocess.run([helper("file_cold"), holder], capture_output=True, text=True,
                           timeout=20, check=True)
        r = json.loads(p.stdout)
        ev = a.wait_for(lambda e: e.get("kind") == "file.open"
                        and e["file"].get("path") == target, what="cold open")
    check_invariant(a.stats)
    assert r["ret"] >= 0
    same(ev["file"], opened(target, target, r["ret"], ["O_RDONLY"]))


def test_open_racing_thread_rewrites_path():
    d = workdir()
    a_path = write(f"{d}/aaaa.txt", "a")
    b_path = write(f"{d}/bbbb.txt", "b")
    n = 1500
    with Agent("--kind", "file.open", "--comm", "file_race") as a:
        p = subprocess.run([helper("file_race"), a_path, b_path, str(n)], capture_output=True,
                           text=True, timeout=60, check=True)
        lines = p.stdout.split()
        tid = int(lines[1])
        got = lines[2:]
        assert len(got) == n
        # the racing opens only (the loader's come first): the two names differ after d/
        def racing():
            return [e for e in of_tid(a, "file.open", tid)
                    if e["file"]["requested"].startswith(d + "/")]
        a.wait_for(lambda e: len(racing()) >= n, timeout=30, what=f"{n} racing opens")
        evs = racing()
    check_invariant(a.stats)
    assert len(evs) == n, f"{len(evs)} events for {n} opens"
    inode_of = {os.stat(a_path).st_ino: a_path, os.stat(b_path).st_ino: b_path}
    for i, (ev, line) in enumerate(zip(evs, got)):
        f = ev["file"]
        if line.startswith("-"):  # a torn string named no file
            assert f["errno"] == int(line[1:]) and "inode" not in f, (i, f)
            continue
        # the file really opened (fstat of the fd), whatever the buffer held at exit
        assert f["inode"] == int(line), (i, f, line)
        assert f["path"] == inode_of[int(line)], (i, f)
        assert f["path_source"] == "file"


def test_open_path_rewritten_while_the_kernel_waits():
    """The race made certain: openat of a FIFO blocks in the kernel after the path was read; the
    buffer is rewritten to name another file before the open returns."""
    d = workdir()
    fifo = f"{d}/fifo"
    os.mkfifo(fifo)
    other = write(f"{d}/ofof")  # same length as "fifo"
    with Agent("--kind", "file.open", "--comm", "file_race") as a:
        p = subprocess.run([helper("file_race"), "fifo", fifo, other], capture_output=True,
                           text=True, timeout=30, check=True)
        tid, ino = int(p.stdout.split()[1]), int(p.stdout.split()[3])
        ev = a.wait_for(lambda e: e.get("kind") == "file.open" and e["proc"]["tid"] == tid,
                        what="the reader's open")
    check_invariant(a.stats)
    assert ino == os.stat(fifo).st_ino
    # the string says "ofof" by now; the event names the FIFO the descriptor really is
    same(ev["file"], opened(fifo, other, ev["file"]["fd"], ["O_RDONLY"]))


def test_unlink_rmdir():
    d = workdir()
    write(f"{d}/gone.txt")
    write(f"{d}/gone2.txt")
    os.mkdir(f"{d}/gonedir")
    os.mkdir(f"{d}/gonedir2")
    with agent("file.unlink") as a:
        r1 = ops("-C", d, "unlink", "gone.txt")
        r2 = ops("unlinkat", d, "gone2.txt", 0)
        r3 = ops("rmdir", f"{d}/gonedir")
        r4 = ops("unlinkat", "-", f"{d}/gonedir2", AT_REMOVEDIR)
        r5 = ops("unlink", f"{d}/never-was")
        e1, e2, e3, e4, e5 = (event_of(a, "file.unlink", r) for r in (r1, r2, r3, r4, r5))
    check_invariant(a.stats)
    assert not os.path.exists(f"{d}/gone.txt") and not os.path.exists(f"{d}/gonedir")
    # the name is gone after success: the path is the canonical directory + the name used
    same(e1["file"], {"syscall": "unlink", "path": f"{d}/gone.txt", "path_source": "name",
                          "path_truncated": False, "requested": "gone.txt", "cwd": d,
                          "flags": [], "errno": 0, "exe_users": 0})
    same(e2["file"], {"syscall": "unlinkat", "path": f"{d}/gone2.txt", "path_source": "name",
                          "path_truncated": False, "requested": "gone2.txt",
                          "dirfd": r2["dirfd"], "dirfd_path": d, "flags": [], "errno": 0,
                          "exe_users": 0})
    same(e3["file"], {"syscall": "rmdir", "path": f"{d}/gonedir", "path_source": "name",
                          "path_truncated": False, "requested": f"{d}/gonedir",
                          "flags": ["AT_REMOVEDIR"], "errno": 0, "exe_users": 0})
    same(e4["file"], {"syscall": "unlinkat", "path": f"{d}/gonedir2", "path_source": "name",
                          "path_truncated": False, "requested": f"{d}/gonedir2",
                          "dirfd": AT_FDCWD, "flags": ["AT_REMOVEDIR"], "errno": 0,
                          "exe_users": 0})
    assert e5["file"]["errno"] == 2 and e5["file"]["error"] == "ENOENT"


def test_rename():
    d = workdir()
    os.mkdir(f"{d}/to")
    write(f"{d}/old1")
    write(f"{d}/old2")
    write(f"{d}/taken")
    with agent("file.rename") as a:
        r1 = ops("-C", d, "rename", "old1", "to/new1")
        ino2 = os.stat(f"{d}/old2").st_ino
        r2 = ops("renameat2", d, "old2", f"{d}/to", "new2", 0)
        r3 = ops("renameat2", "-", f"{d}/to/new2", "-", f"{d}/taken", RENAME_NOREPLACE)
        e1, e2, e3 = (event_of(a, "file.rename", r) for r in (r1, r2, r3))
    check_invariant(a.stats)
    assert os.stat(f"{d}/to/new2").st_ino == ino2
    same(e1["file"], {
        "syscall": "rename", "path": f"{d}/old1", "path_source": "name", "path_truncated": False,
        "requested": "old1", "cwd": d,
        "new": {"path": f"{d}/to/new1", "path_truncated": False, "requested": "to/new1", "cwd": d},
        "flags": [], "errno": 0})
    same(e2["file"], {
        "syscall": "renameat2", "path": f"{d}/old2", "path_source": "name",
        "path_truncated": False, "requested": "old2", "dirfd": r2["dirfd"], "dirfd_path": d,
        "new": {"path": f"{d}/to/new2", "path_truncated": False, "requested": "new2",
                "dirfd": r2["dirfd2"], "dirfd_path": f"{d}/to"},
        "flags": [], "errno": 0})
    assert e3["file"]["flags"] == ["RENAME_NOREPLACE"]
    assert e3["file"]["errno"] == 17 and e3["file"]["error"] == "EEXIST"
    assert e3["file"]["new"]["path"] == f"{d}/taken"


def test_chmod_chown_truncate():
    d = workdir()
    f = write(f"{d}/attrs.txt", "0123456789")
    os.symlink("attrs.txt", f"{d}/lnk")
    with agent("file.chmod", "file.chown", "file.truncate") as a:
        r_chmod = ops("-C", d, "chmod", "attrs.txt", 0o4750)
        r_fchmod = ops("fchmod", f, 0o640)
        r_fchmodat = ops("fchmodat", d, "attrs.txt", 0o600)
        r_fchmodat2 = ops("fchmodat2", d, "lnk", 0o644, AT_SYMLINK_NOFOLLOW)
        r_chown = ops("chown", f, 1000, 1001)
        r_fchown = ops("fchown", f, NOBODY, -1)
        r_lchown = ops("lchown", f"{d}/lnk", 1002, 1003)
        r_fchownat = ops("fchownat", d, "", 0, 0, AT_EMPTY_PATH)
        r_trunc = ops("-C", d, "truncate", "attrs.txt", 4)
        r_ftrunc = ops("ftruncate", f, 2)
        e = {k: event_of(a, kind, r) for k, kind, r in (
            ("chmod", "file.chmod", r_chmod), ("fchmod", "file.chmod", r_fchmod),
            ("fchmodat", "file.chmod", r_fchmodat), ("fchmodat2", "file.chmod", r_fchmodat2),
            ("chown", "file.chown", r_chown), ("fchown", "file.chown", r_fchown),
            ("lchown", "file.chown", r_lchown), ("fchownat", "file.chown", r_fchownat),
            ("truncate", "file.truncate", r_trunc), ("ftruncate", "file.truncate", r_ftrunc))}
    check_invariant(a.stats)
    st = os.stat(f)
    assert st.st_size == 2 and os.lstat(f"{d}/lnk").st_uid == 1002
    by_name = {"path_source": "name", "path_truncated": False}
    by_fd = {"path": f, "path_source": "file", "path_truncated": False, **facts(f)}
    same(e["chmod"]["file"], {"syscall": "chmod", "path": f, **by_name, "requested": "attrs.txt",
                                  "cwd": d, "mode": "4750", "flags": [], "errno": 0})
    same(e["fchmod"]["file"], {"syscall": "fchmod", **by_fd, "fd": r_fchmod["fd"],
                                   "mode": "0640", "flags": [], "errno": 0})
    same(e["fchmodat"]["file"], {"syscall": "fchmodat", "path": f, **by_name,
                                     "requested": "attrs.txt", "dirfd": r_fchmodat["dirfd"],
                                     "dirfd_path": d, "mode": "0600", "flags": [], "errno": 0})
    # chmod of a symlink itself: the kernel refuses (EOPNOTSUPP), and the event says so
    assert e["fchmodat2"]["file"]["flags"] == ["AT_SYMLINK_NOFOLLOW"]
    assert e["fchmodat2"]["file"]["errno"] == r_fchmodat2["errno"]
    assert e["fchmodat2"]["file"]["path"] == f"{d}/lnk"
    same(e["chown"]["file"], {"syscall": "chown", "path": f, **by_name, "requested": f,
                                  "uid": 1000, "gid": 1001, "flags": [], "errno": 0})
    same(e["fchown"]["file"], {"syscall": "fchown", **by_fd, "fd": r_fchown["fd"],
                                   "uid": NOBODY, "gid": -1, "flags": [], "errno": 0})
    assert e["lchown"]["file"]["path"] == f"{d}/lnk" and e["lchown"]["file"]["uid"] == 1002
    # AT_EMPTY_PATH with "": the call acts on the dirfd's own file (here the directory)
    same(e["fchownat"]["file"], {"syscall": "fchownat", "path": d, "path_source": "file",
                                     "path_truncated": False, **facts(d), "requested": "",
                                     "dirfd": r_fchownat["dirfd"], "uid": 0, "gid": 0,
                                     "flags": ["AT_EMPTY_PATH"], "errno": 0})
    same(e["truncate"]["file"], {"syscall": "truncate", "path": f, **by_name,
                                     "requested": "attrs.txt", "cwd": d, "length": 4, "errno": 0})
    same(e["ftruncate"]["file"], {"syscall": "ftruncate", **by_fd, "fd": r_ftrunc["fd"],
                                      "length": 2, "errno": 0})


def test_link_symlink():
    d = workdir()
    os.mkdir(f"{d}/links")
    src = write(f"{d}/src.txt")
    with agent("file.link", "file.symlink") as a:
        r_link = ops("-C", d, "link", "src.txt", "links/hard1")
        r_linkat = ops("linkat", d, "src.txt", f"{d}/links", "hard2", 0)
        r_sym = ops("-C", d, "symlink", "../src.txt", "links/soft1")
        r_symat = ops("symlinkat", "/etc/hostname", f"{d}/links", "soft2")
        e_link = event_of(a, "file.link", r_link)
        e_linkat = event_of(a, "file.link", r_linkat)
        e_sym = event_of(a, "file.symlink", r_sym)
        e_symat = event_of(a, "file.symlink", r_symat)
    check_invariant(a.stats)
    assert os.stat(f"{d}/links/hard2").st_ino == os.stat(src).st_ino
    same(e_link["file"], {
        "syscall": "link", "path": src, "path_source": "name", "path_truncated": False,
        "requested": "src.txt", "cwd": d,
        "new": {"path": f"{d}/links/hard1", "path_truncated": False, "requested": "links/hard1",
                "cwd": d},
        "flags": [], "errno": 0})
    same(e_linkat["file"]["new"], {"path": f"{d}/links/hard2", "path_truncated": False,
                                       "requested": "hard2", "dirfd": r_linkat["dirfd2"],
                                       "dirfd_path": f"{d}/links"})
    assert e_linkat["file"]["dirfd_path"] == d
    # a symlink's target is text, never resolved; its path is the link's
    same(e_sym["file"], {"syscall": "symlink", "path": f"{d}/links/soft1",
                             "path_source": "name", "path_truncated": False,
                             "target": "../src.txt", "requested": "links/soft1", "cwd": d,
                             "errno": 0})
    same(e_symat["file"], {"syscall": "symlinkat", "path": f"{d}/links/soft2",
                               "path_source": "name", "path_truncated": False,
                               "target": "/etc/hostname", "requested": "soft2",
                               "dirfd": r_symat["dirfd"], "dirfd_path": f"{d}/links", "errno": 0})


def test_filtered_open_never_reaches_user_space():
    d = workdir()
    target = write(f"{d}/quiet.txt")
    with Agent("--kind", "file.open", "--comm", "nomatch-comm") as a:
        # the count is taken in the syscall itself: done when the helper has returned
        ops("openat", "-", target, O_RDONLY, 0)
    assert not [e for e in a.events if e.get("kind") == "file.open"]
    s = a.stats["file.open"]
    assert s["produced"] == 0 and s["filtered"] >= 1


def run_tool(args, action, ready_line):
    """Starts a vigil tool, waits for its header, runs action(), stops it; returns stdout lines."""
    p = subprocess.Popen([vt.VIGIL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    on_cleanup(lambda: p.poll() is None and p.kill())
    header = p.stdout.readline()
    assert header.startswith(ready_line), f"{args}: header {header!r}, {p.stderr.read() if p.poll() is not None else ''}"
    action()
    p.send_signal(signal.SIGINT)  # the tool drains the ring buffer before it exits
    out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    return header, out.splitlines()


def test_opensnoop_output():
    d = workdir()
    target = write(f"{d}/snooped.txt")
    results = []
    header, lines = run_tool(["opensnoop", "-c", "file_ops", "-e"],
                             lambda: results.extend([
                                 ops("openat", "-", target, O_RDONLY | O_CLOEXEC, 0),
                                 ops("openat", "-", f"{d}/absent.txt", O_RDONLY, 0)]), "TIME")
    assert header.split() == ["TIME", "PID", "COMM", "FD", "ERR", "FLAGS", "MODE", "PATH"]
    ok, bad = results
    mine = [l for l in lines if d in l]
    assert len(mine) == 2, lines
    f = mine[0].split()
    assert f[2] == "file_ops" and f[3] == str(ok["ret"]) and f[4] == "0"
    assert f[5] == "O_RDONLY|O_CLOEXEC" and f[6] == "-" and f[7] == target  # no O_CREAT: no mode
    f = mine[1].split()
    assert f[3] == "-1" and f[4] == "2" and f[5] == "O_RDONLY" and f[7] == f"{d}/absent.txt"
    # -x: only the failed one
    header, lines = run_tool(["opensnoop", "-c", "file_ops", "-x"],
                             lambda: [ops("openat", "-", target, O_RDONLY, 0),
                                      ops("openat", "-", f"{d}/absent2.txt", O_RDONLY, 0)], "TIME")
    assert header.split() == ["TIME", "PID", "COMM", "FD", "ERR", "PATH"]
    mine = [l for l in lines if d in l]
    assert len(mine) == 1 and mine[0].split()[5] == f"{d}/absent2.txt", lines
