"""Every loss counted by cause (docs/events.md, agent.loss; docs/reliability.md): each cause is
forced on the real kernel, and its counter must say so exactly (or, where other processes of the
host share the counter, at least as many), with a run beside it where the cause is absent.

Test-only knobs (src/loss.c): VIGIL_TEST_INFLIGHT_MAX=N sizes the in-flight LRU maps to N
entries; VIGIL_TEST_FAIL_INFLIGHT=1 makes every store of in-flight syscall state fail."""
import ctypes
import os
import socket
import struct
import threading

from vigil_test import Agent, check_invariant

SYS_MEMFD_CREATE = 319
SYS_SETUID = 105
libc = ctypes.CDLL(None, use_errno=True)


def agent_with(env, *args):
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return Agent(*args).start()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def losses(stats_event):
    return stats_event["losses"]


def loss_events(events):
    return [e for e in events if e["kind"] == "agent.loss"]


def causes_reported(events, site, cause):
    return sum(e.get("causes", {}).get(site, {}).get(cause, 0) for e in loss_events(events))


def test_an_unreadable_user_string_is_counted_as_a_read_failure():
    n = 7
    agent = agent_with({}, "-k", "kernel.memfd", "--tgid", str(os.getpid()))
    for _ in range(n):  # the name points at unmapped memory: the call fails, EFAULT
        assert libc.syscall(SYS_MEMFD_CREATE, ctypes.c_void_p(8), 0) == -1
        assert ctypes.get_errno() == 14
    fd = libc.syscall(SYS_MEMFD_CREATE, b"vigil-readable", 0)  # the negative: readable
    assert fd >= 0
    os.close(fd)
    events = agent.stop()
    st = events[-1]
    check_invariant(st["stats"])
    assert st["stats"]["kernel.memfd"]["produced"] == n + 1, st["stats"]["kernel.memfd"]
    assert st["stats"]["kernel.memfd"]["read_errors"] == n
    assert losses(st)["user_memory"]["read_failed"] == n, losses(st)
    # every count reached agent.loss too, within the run
    assert causes_reported(events, "user_memory", "read_failed") == n


def setuids(n):
    for _ in range(n):  # root to root: succeeds, and is a setuid event
        assert libc.syscall(SYS_SETUID, 0) == 0


def test_in_flight_state_that_cannot_be_stored_is_counted():
    n = 9
    # the negative: stored, every setuid is an event
    agent = agent_with({}, "-k", "priv.setuid", "--tgid", str(os.getpid()))
    setuids(n)
    st = agent.stop()[-1]
    assert st["stats"]["priv.setuid"]["produced"] == n, st["stats"]["priv.setuid"]
    assert losses(st)["syscall_state"] == {"no_state": 0, "update_failed": 0}, losses(st)
    # every store fails: no event, and each call is counted twice (not stored, then not found)
    agent = agent_with({"VIGIL_TEST_FAIL_INFLIGHT": "1"}, "-k", "priv.setuid", "--tgid",
                       str(os.getpid()))
    setuids(n)
    events = agent.stop()
    st = events[-1]
    check_invariant(st["stats"])
    assert st["stats"]["priv.setuid"]["produced"] == 0, st["stats"]["priv.setuid"]
    lost = losses(st)["syscall_state"]
    assert lost["update_failed"] >= n and lost["no_state"] >= n, lost
    assert causes_reported(events, "syscall_state", "no_state") == lost["no_state"]


def blocked_connects(k, seconds=1):
    """k threads whose TCP connects are all in flight at once: the listener's accept queue is
    full, so their SYNs go unanswered until SO_SNDTIMEO ends each call (EINPROGRESS)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    filler = socket.create_connection(srv.getsockname())  # fills the queue of one
    results = []

    def one():
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", seconds, 0))
        results.append(s.connect_ex(srv.getsockname()))
        s.close()
    threads = [threading.Thread(target=one) for _ in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    filler.close()
    srv.close()
    return results


def test_in_flight_state_evicted_from_a_full_lru_map_is_counted():
    k = 16
    agent = agent_with({"VIGIL_TEST_INFLIGHT_MAX": "4"}, "-k", "net.connect", "--tgid",
                       str(os.getpid()))
    results = blocked_connects(k)
    assert len(results) == k and all(r != 0 for r in results), results
    st = agent.stop()[-1]
    check_invariant(st["stats"])
    lost = losses(st)["net_call_state"]
    # at most 4 of the 16 states fit: the exits of the others find nothing
    assert k - 4 <= lost["no_state"], lost
    assert lost["update_failed"] == 0
    # the negative: the map at its normal size keeps every state
    agent = agent_with({}, "-k", "net.connect", "--tgid", str(os.getpid()))
    results = blocked_connects(k)
    st = agent.stop()[-1]
    assert losses(st)["net_call_state"]["no_state"] == 0, losses(st)
