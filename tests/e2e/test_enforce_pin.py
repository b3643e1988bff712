"""`vigil run --pin` (docs/enforcement.md): the kernel's enforcement outlives the agent, pinned
under /sys/fs/bpf/vigil/agent/, until `vigil unpin` lifts it. The rule is scoped to a port
picked for the test and to the helper's comm."""
import os

from vigil_test import Agent, on_cleanup, vigil
from test_enforce import CONNECT, accepted, attempt, deny_rule, listener, policy_file

PIN_DIR = "/sys/fs/bpf/vigil/agent"


def test_pinned_deny_outlives_the_agent_until_unpin():
    assert not os.path.exists(PIN_DIR) or not os.listdir(PIN_DIR), \
        f"{PIN_DIR} is not empty before the test: {os.listdir(PIN_DIR)}"
    on_cleanup(lambda: vigil("unpin"))
    sock, port = listener()
    path = policy_file(deny_rule("pinned deny", port, extra=f" and proc.comm == {CONNECT}"))
    with Agent("--policy", path, "--pin") as agent:
        pol = agent.wait_for(lambda e: e["kind"] == "agent.policy", what="agent.policy")
        assert pol["enforcement"]["pinned"] is True
        assert attempt("127.0.0.1", port) == "errno 1 EPERM"
    assert sorted(os.listdir(PIN_DIR)) == sorted(
        f"cgroup_{h}" for h in ("connect4", "connect6", "sendmsg4", "sendmsg6", "bind4", "bind6"))
    # no agent any more: the kernel still denies
    assert agent.proc.returncode == 0
    assert attempt("127.0.0.1", port) == "errno 1 EPERM"
    assert not accepted(sock), "the listener saw a connection the pinned rule denies"
    # a second pinned run is refused while the first one's pins are there
    r = vigil("run", "--policy", path, "--pin", "--duration", "1", "--format", "json")
    assert r.returncode == 1 and "agent.ready" not in r.stdout
    assert r.stderr == (f"vigil: --pin: the enforcement of an earlier vigil run --pin is still pinned "
                        f"under {PIN_DIR}: lift it first with vigil unpin\n"), r.stderr
    u = vigil("unpin")
    assert u.returncode == 0, u.stderr
    assert u.stdout.endswith("6 links unpinned: the enforcement of vigil run --pin is lifted\n"), u.stdout
    assert "unpinned cgroup_connect4\n" in u.stdout
    assert not os.path.exists(PIN_DIR)
    assert attempt("127.0.0.1", port) == "ok"
    assert accepted(sock)
    again = vigil("unpin")
    assert again.returncode == 0 and again.stdout == f"nothing is pinned under {PIN_DIR}\n"


def test_pin_without_kernel_rules_is_an_error():
    path = policy_file("""
rules:
  - name: only an alert
    description: nothing for the kernel
    on: process.exec
    when: proc.comm == vigil-pin-none
""")
    r = vigil("run", "--policy", path, "--pin", "--duration", "1", "--format", "json")
    assert r.returncode == 1
    assert "vigil: --pin: no network rule for the kernel" in r.stderr, r.stderr
    assert not os.path.exists(PIN_DIR) or not os.listdir(PIN_DIR)


def test_pinned_xdp_rule_outlives_the_agent_until_unpin():
    from netpair import NetPair
    from test_enforce import tcp_reaches
    from test_enforce_packet import agent_in, serve
    assert not os.path.exists(PIN_DIR) or not os.listdir(PIN_DIR)
    on_cleanup(lambda: vigil("unpin"))
    pair = NetPair()
    dev_a = "va" + pair.a[3:]
    port = 45000 + os.getpid() % 1000
    serve(pair, port)
    path = policy_file(f"""
rules:
  - name: pinned packet drop
    description: XDP and --pin
    on: net.packet
    when: net.saddr cidr ({pair.b4}/32) and net.dport == {port}
    action: deny
""")
    agent = agent_in(pair.a, "--policy", path, "--xdp-iface", dev_a, "--pin")
    try:
        assert not tcp_reaches(pair, port)
        agent.stop()
    except BaseException:
        agent.kill()
        raise
    assert os.listdir(PIN_DIR) == [f"xdp_{dev_a}"]
    assert not tcp_reaches(pair, port), "the pinned XDP rule stopped with the agent"
    u = vigil("unpin")
    assert u.returncode == 0 and f"unpinned xdp_{dev_a}\n" in u.stdout, u.stdout + u.stderr
    assert tcp_reaches(pair, port)
