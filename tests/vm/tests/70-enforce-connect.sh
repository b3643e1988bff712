# Deny on connect by the cgroup sock_addr hooks (docs/enforcement.md) on this kernel: a TCP
# connect to a denied port fails with EPERM and the listener never sees it, UDP sendto and IPv6
# are denied too, another port and an exempt comm connect; vigil's own tgid is in the program's
# table; a PID namespace's init is no exemption; --monitor reports would-deny and lets the call
# through; a rule the kernel cannot decide is refused at load.
. /vm/lib.sh

command -v enforce_connect >/dev/null || { not_ok "enforce_connect (tests/helpers) is in the image"; finish; }
DPORT=7070 OPORT=7071

cat >deny.yaml <<EOF
rules:
  - name: vm deny connect
    description: VM test of the cgroup hooks
    on: net.connect
    when: net.daddr cidr (127.0.0.0/8, ::1/128) and net.dport in ($DPORT)
    action: deny
EOF

nc -l -p "$DPORT" >denied-port.txt 2>&1 &
LISTEN=$!
nc -l -p "$OPORT" >other-port.txt 2>&1 &
OTHER=$!
sleep 0.3

if ! agent_start enforce.jsonl 60 --policy deny.yaml --exempt-comm vmexempt; then
	not_ok "vigil run with a deny rule becomes ready"
	finish
fi
ok "vigil run with a deny rule becomes ready"
# the calls first (TCG is slow), the assertions after
tcp=$(enforce_connect 127.0.0.1 "$DPORT")
sleep 0.5
kill -0 "$LISTEN" 2>/dev/null && still=yes || still=no
udp=$(enforce_connect -p sendto 127.0.0.1 "$DPORT")
v6=$(enforce_connect ::1 "$DPORT")
pidns=$(unshare -p -f enforce_connect 127.0.0.1 "$DPORT")
other=$(enforce_connect 127.0.0.1 "$OPORT")
exempt=$(enforce_connect -c vmexempt 127.0.0.1 "$DPORT")
if command -v bpftool >/dev/null; then
	bpftool -j map dump name enf_config >config.json 2>config.err
fi
kill -INT "$AGENT_PID"
agent_wait
rc=$?

check "vigil exits 0 on SIGINT (got $rc)" [ "$rc" -eq 0 ]
check "TCP connect to the denied port: EPERM (got '$tcp')" [ "$tcp" = "errno 1 EPERM" ]
check "the listener on the denied port never saw a connection" [ "$still" = yes ]
check "UDP sendto the denied port: EPERM (got '$udp')" [ "$udp" = "errno 1 EPERM" ]
check "IPv6 connect to ::1 on the denied port: EPERM (got '$v6')" [ "$v6" = "errno 1 EPERM" ]
check "pid 1 of a PID namespace is denied (only the host's PID 1 is exempt; got '$pidns')" [ "$pidns" = "errno 1 EPERM" ]
check "another port connects (got '$other')" [ "$other" = ok ]
check "--exempt-comm vmexempt connects to the denied port (got '$exempt')" [ "$exempt" = ok ]
# the exempt connect was the first the listener accepted: it has exited
n=30
while [ "$n" -gt 0 ] && kill -0 "$LISTEN" 2>/dev/null; do sleep 0.1; n=$((n - 1)); done
check "the exempt connect reached the listener" sh -c "! kill -0 $LISTEN 2>/dev/null"
kill "$LISTEN" "$OTHER" 2>/dev/null

if [ -s config.json ]; then
	check "vigil's own tgid ($AGENT_PID) is the program's exempt tgid" \
		jq -e --argjson p "$AGENT_PID" '.[0].formatted.value.self_tgid == $p' config.json
else
	note "no bpftool in the image: vigil's tgid in the table not checked"
fi

events agent.policy enforce.jsonl >policy.json
check "agent.policy: the rule's mechanism is cgroup on the four hooks" jq -e \
	'.enforcement.rules[0] | .mechanism == "cgroup" and .mode == "enforce" and .hooks == ["connect4","connect6","sendmsg4","sendmsg6"]' policy.json
check "agent.policy: cgroup_attached" jq -e '.enforcement.cgroup_attached == true' policy.json

jq -c 'select(.kind == "alert" and .event.proc.comm == "enforce_connect")' enforce.jsonl >alerts.jsonl
check "4 denied calls, 4 alerts (got $(wc -l <alerts.jsonl))" [ "$(wc -l <alerts.jsonl)" -eq 4 ]
head -n 1 alerts.jsonl >tcp.json
check "the TCP alert: rule, kind, address, port, proto, hook, result" jq -e --argjson p "$DPORT" \
	'.rule.name == "vm deny connect" and .event.kind == "net.connect" and .event.net.daddr == "127.0.0.1"
	 and .event.net.dport == $p and .event.net.proto == "tcp" and .event.net.family == "inet"
	 and .event.net.hook == "connect4" and .event.net.result == -1' tcp.json
check "the TCP alert: enforcement deny/cgroup/denied" jq -e \
	'.event.enforcement == {"action": "deny", "mechanism": "cgroup", "outcome": "denied"}' tcp.json
sed -n 2p alerts.jsonl >udp.json
check "the UDP alert: proto udp, hook sendmsg4" jq -e '.event.net.proto == "udp" and .event.net.hook == "sendmsg4"' udp.json
sed -n 3p alerts.jsonl >v6.json
check "the IPv6 alert: ::1, inet6, connect6" jq -e '.event.net.daddr == "::1" and .event.net.family == "inet6" and .event.net.hook == "connect6"' v6.json
jq -c 'select(.kind == "alert" and .event.proc.comm == "vmexempt")' enforce.jsonl >exempt.jsonl
check "no alert for the exempt comm" [ ! -s exempt.jsonl ]

# --monitor: the same rule denies nothing and reports would-deny
nc -l -p "$DPORT" >monitor-port.txt 2>&1 &
LISTEN=$!
sleep 0.3
if ! agent_start monitor.jsonl 60 --policy deny.yaml --monitor; then
	not_ok "vigil run --monitor becomes ready"
	finish
fi
mon=$(enforce_connect 127.0.0.1 "$DPORT")
n=30
while [ "$n" -gt 0 ] && kill -0 "$LISTEN" 2>/dev/null; do sleep 0.1; n=$((n - 1)); done
kill -0 "$LISTEN" 2>/dev/null && seen=no || seen=yes
kill -INT "$AGENT_PID"
agent_wait
kill "$LISTEN" 2>/dev/null
check "--monitor: the connect succeeds (got '$mon')" [ "$mon" = ok ]
check "--monitor: the listener got the connection" [ "$seen" = yes ]
jq -c 'select(.kind == "alert" and .event.proc.comm == "enforce_connect")' monitor.jsonl >mon.json
check "--monitor: one alert, enforcement would-deny, no result" jq -e -s \
	'length == 1 and .[0].event.enforcement.outcome == "would-deny" and .[0].event.enforcement.mechanism == "cgroup" and (.[0].event.net | has("result") | not)' mon.json

# a deny rule the kernel cannot decide is refused at load, and nothing starts
cat >bad.yaml <<EOF
rules:
  - name: vm deny or
    description: not a conjunction
    on: net.connect
    when: net.dport in ($DPORT) or net.dport in ($OPORT)
    action: deny
EOF
"$VIGIL" run --format json --duration 5 --policy bad.yaml >bad.out 2>bad.err
rc=$?
check "a rule the kernel cannot decide: vigil run exits 1 (got $rc)" [ "$rc" -eq 1 ]
check "... with file:line:col and the reason" grep -q "^bad.yaml:5:11: rule 'vm deny or': action deny cannot be enforced on this kernel: 'or'" bad.err
check "... and writes no agent.ready" sh -c "! grep -q agent.ready bad.out"
[ "$_failed" = 0 ] || sed 's/^/# stderr: /' bad.err enforce.jsonl.err
finish
