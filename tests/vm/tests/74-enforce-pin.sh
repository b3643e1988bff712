# `vigil run --pin` (docs/enforcement.md): the deny outlives the agent through its pinned links
# under /sys/fs/bpf/vigil/agent, a second --pin run is refused meanwhile, `vigil unpin` lifts it.
. /vm/lib.sh

command -v enforce_connect >/dev/null || { not_ok "enforce_connect (tests/helpers) is in the image"; finish; }
PORT=7076
cat >pin.yaml <<YAML
rules:
  - name: vm pinned deny
    description: VM test of --pin
    on: net.connect
    when: net.daddr cidr (127.0.0.0/8) and net.dport in ($PORT)
    action: deny
YAML
nc -ll -p "$PORT" -e /bin/true >/dev/null 2>&1 &
L=$!
sleep 0.3
if ! agent_start events.jsonl 60 --policy pin.yaml --pin; then
	not_ok "vigil run --pin becomes ready"
	finish
fi
during=$(enforce_connect 127.0.0.1 "$PORT")
kill -INT "$AGENT_PID"
agent_wait
rc=$?
after_exit=$(enforce_connect 127.0.0.1 "$PORT")
ls /sys/fs/bpf/vigil/agent >pins.txt 2>&1
"$VIGIL" run --policy pin.yaml --pin --duration 1 --format json >second.out 2>second.err
second=$?
"$VIGIL" unpin >unpin.out 2>&1
urc=$?
lifted=$(enforce_connect 127.0.0.1 "$PORT")
kill "$L" 2>/dev/null

check "vigil exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "with the agent: EPERM (got '$during')" [ "$during" = "errno 1 EPERM" ]
events agent.policy events.jsonl >policy.json
check "agent.policy says pinned" jq -e '.enforcement.pinned == true' policy.json
check "after the agent exited: still EPERM (got '$after_exit')" [ "$after_exit" = "errno 1 EPERM" ]
check "the six cgroup links are pinned ($(tr '\n' ' ' <pins.txt))" [ "$(wc -l <pins.txt)" -eq 6 ]
check "a second --pin run is refused (status $second)" [ "$second" -eq 1 ]
check "... saying to unpin first" grep -q "lift it first with vigil unpin" second.err
check "vigil unpin exits 0 (got $urc)" [ "$urc" -eq 0 ]
check "... and unpins 6 links" grep -q "^6 links unpinned" unpin.out
check "after unpin: the connect succeeds (got '$lifted')" [ "$lifted" = ok ]
check "nothing left under /sys/fs/bpf/vigil/agent" [ ! -e /sys/fs/bpf/vigil/agent ]
finish
