"""Compiles the bench's C programs (workloads, the empty-program floor) into BUILD/bench."""
import os
import subprocess

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror"]

# name -> (sources, extra link flags)
PROGRAMS = {
    "exec_storm": (["workloads/exec_storm.c"], []),
    "open_loop": (["workloads/open_loop.c"], []),
    "tcp_loop": (["workloads/tcp_loop.c"], []),
    "vbench_paced": (["workloads/vbench_paced.c"], ["-lpthread"]),
    "floor": (["floor/floor.c"], ["-lbpf"]),
}


def _stale(target, sources):
    if not os.path.exists(target):
        return True
    mtime = os.path.getmtime(target)
    return any(os.path.getmtime(s) > mtime for s in sources)


class Programs:
    def __init__(self, build):
        self.dir = os.path.join(build, "bench")
        os.makedirs(self.dir, exist_ok=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def build(self):
        for name, (srcs, libs) in PROGRAMS.items():
            srcs = [os.path.join(BENCH, s) for s in srcs]
            deps = srcs + [os.path.join(BENCH, "workloads/report.h")]
            if _stale(self.path(name), deps):
                subprocess.run(["cc", *CFLAGS, "-o", self.path(name), *srcs, *libs], check=True)
        bpf_src = os.path.join(BENCH, "floor/floor.bpf.c")
        bpf_obj = self.path("floor.bpf.o")
        if _stale(bpf_obj, [bpf_src]):
            arch_inc = "/usr/include/" + os.uname().machine + "-linux-gnu"
            subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-Wall", "-Werror",
                            "-I" + arch_inc, "-c", bpf_src, "-o", bpf_obj], check=True)
