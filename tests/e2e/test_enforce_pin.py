"""`vigil run --pin` (docs/enforcement.md): the kernel's enforcement outlives the agent, pinned
under /sys/fs/bpf/vigil/NAME/, until `vigil unpin NAME` lifts it. Each test pins under a name of
its own (bpffs is host-wide and other suites may run at the same time); the rule is scoped to a
port picked for the test and to the helper's comm. tests/vm/tests/74-enforce-pin.sh uses the
default name."""
import os
import uuid

from vigil_test import Agent, on_cleanup, vigil
from test_enforce import CONNECT, accepted, attempt, deny_rule, listener, policy_file

ROOT = "/sys/fs/bpf/vigil"


def pin_name():
    name = "test-" + uuid.uuid4().hex[:10]
    pin_dir = f"{ROOT}/{name}"

    def unpin():  # a pin left behind keeps denying host-wide: a failed unpin fails the test
        r = vigil("unpin", name)
        assert r.returncode == 0, f"vigil unpin {name}: exit {r.returncode}: {r.stderr}"
        assert not os.path.exists(pin_dir), f"vigil unpin {name} left {pin_dir}: {r.stdout}"
    on_cleanup(unpin)
    return name, pin_dir


def test_pinned_deny_outlives_the_agent_until_unpin():
    name, PIN_DIR = pin_name()
    sock, port = listener()
    path = policy_file(deny_rule("pinned deny", port, extra=f" and proc.comm == {CONNECT}"))
    with Agent("--policy", path, f"--pin={name}") as agent:
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
    r = vigil("run", "--policy", path, f"--pin={name}", "--duration", "1", "--format", "json")
    assert r.returncode == 1 and "agent.ready" not in r.stdout
    assert r.stderr == (f"vigil: --pin: the enforcement of an earlier vigil run --pin is still pinned "
                        f"under {PIN_DIR}: lift it first with vigil unpin {name}\n"), r.stderr
    u = vigil("unpin", name)
    assert u.returncode == 0, u.stderr
    assert u.stdout.endswith("6 links unpinned: the enforcement of vigil run --pin is lifted\n"), u.stdout
    assert "unpinned cgroup_connect4\n" in u.stdout
    assert not os.path.exists(PIN_DIR)
    assert attempt("127.0.0.1", port) == "ok"
    assert accepted(sock)
    again = vigil("unpin", name)
    assert again.returncode == 0 and again.stdout == f"nothing is pinned under {PIN_DIR}\n"


def test_pin_without_kernel_rules_is_an_error():
    path = policy_file("""
rules:
  - name: only an alert
    description: nothing for the kernel
    on: process.exec
    when: proc.comm == vigil-pin-none
""")
    name, pin_dir = pin_name()
    r = vigil("run", "--policy", path, f"--pin={name}", "--duration", "1", "--format", "json")
    assert r.returncode == 1
    assert "vigil: --pin: no network rule for the kernel" in r.stderr, r.stderr
    assert not os.path.exists(pin_dir)
    r = vigil("run", "--policy", path, "--pin=../x", "--duration", "1")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "--pin" in r.stderr and "expected letters, digits" in r.stderr, r.stderr
    r = vigil("unpin", "block_v4")
    assert r.returncode == 2 and "names starting with 'block' are not allowed" in r.stderr, r.stderr


def test_pinned_xdp_rule_outlives_the_agent_until_unpin():
    from netpair import NetPair
    from test_enforce import tcp_reaches
    from test_enforce_packet import agent_in, serve
    name, PIN_DIR = pin_name()
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
    agent = agent_in(pair.a, "--policy", path, "--xdp-iface", dev_a, f"--pin={name}")
    try:
        assert not tcp_reaches(pair, port)
        agent.stop()
    except BaseException:
        agent.kill()
        raise
    assert os.listdir(PIN_DIR) == [f"xdp_{dev_a}"]
    assert not tcp_reaches(pair, port), "the pinned XDP rule stopped with the agent"
    u = vigil("unpin", name)
    assert u.returncode == 0 and f"unpinned xdp_{dev_a}\n" in u.stdout, u.stdout + u.stderr
    assert u.stdout.endswith("1 link unpinned: the enforcement of vigil run --pin is lifted\n"), u.stdout
    assert not os.path.exists(PIN_DIR)
    assert tcp_reaches(pair, port)
