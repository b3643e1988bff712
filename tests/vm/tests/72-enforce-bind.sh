# Deny on net.listen, carried out at bind() by the cgroup bind4/bind6 hooks (docs/enforcement.md):
# the bind fails with EPERM on IPv4 and IPv6, another port and a UDP bind are untouched, the alert
# is a net.listen with enforcement deny/cgroup/denied, and --monitor lets the bind through.
. /vm/lib.sh

command -v enforce_connect >/dev/null || { not_ok "enforce_connect (tests/helpers) is in the image"; finish; }
PORT=7073

cat >listen.yaml <<EOF
rules:
  - name: vm deny listen
    description: VM test of the bind hooks
    on: net.listen
    when: net.sport in ($PORT) and net.saddr cidr (127.0.0.0/8, ::1/128)
    action: deny
EOF

if ! agent_start enforce.jsonl 60 --policy listen.yaml; then
	not_ok "vigil run with a net.listen deny rule becomes ready"
	finish
fi
ok "vigil run with a net.listen deny rule becomes ready"
b4=$(enforce_connect -p bind 127.0.0.1 "$PORT")
b6=$(enforce_connect -p bind ::1 "$PORT")
other=$(enforce_connect -p bind 127.0.0.1 $((PORT + 1)))
udp=$(enforce_connect -p bindudp 127.0.0.1 "$PORT")
kill -INT "$AGENT_PID"
agent_wait
rc=$?
after=$(enforce_connect -p bind 127.0.0.1 "$PORT")

check "vigil exits 0 on SIGINT (got $rc)" [ "$rc" -eq 0 ]
check "bind+listen on 127.0.0.1:$PORT: EPERM (got '$b4')" [ "$b4" = "errno 1 EPERM" ]
check "bind+listen on [::1]:$PORT: EPERM (got '$b6')" [ "$b6" = "errno 1 EPERM" ]
check "another port binds (got '$other')" [ "$other" = ok ]
check "a UDP bind to the port is no listen: allowed (got '$udp')" [ "$udp" = ok ]
check "after vigil exits the bind succeeds (got '$after')" [ "$after" = ok ]

events agent.policy enforce.jsonl >policy.json
check "agent.policy: mechanism cgroup on bind4 and bind6" jq -e \
	'.enforcement.rules[0] | .mechanism == "cgroup" and .hooks == ["bind4","bind6"]' policy.json
jq -c 'select(.kind == "alert" and .event.proc.comm == "enforce_connect")' enforce.jsonl >alerts.jsonl
check "two denied binds, two alerts (got $(wc -l <alerts.jsonl))" [ "$(wc -l <alerts.jsonl)" -eq 2 ]
head -n 1 alerts.jsonl >b4.json
check "the IPv4 alert: a net.listen with saddr, sport, tcp, bind4, result -1" jq -e --argjson p "$PORT" \
	'.event.kind == "net.listen" and .event.net == {"family":"inet","proto":"tcp","saddr":"127.0.0.1","sport":$p,"hook":"bind4","result":-1}' b4.json
check "... enforcement deny/cgroup/denied" jq -e \
	'.event.enforcement == {"action":"deny","mechanism":"cgroup","outcome":"denied"}' b4.json
sed -n 2p alerts.jsonl >b6.json
check "the IPv6 alert: ::1, inet6, bind6" jq -e '.event.net.saddr == "::1" and .event.net.hook == "bind6"' b6.json

if ! agent_start monitor.jsonl 60 --policy listen.yaml --monitor; then
	not_ok "vigil run --monitor becomes ready"
	finish
fi
mon=$(enforce_connect -p bind 127.0.0.1 "$PORT")
kill -INT "$AGENT_PID"
agent_wait
check "--monitor: the bind succeeds (got '$mon')" [ "$mon" = ok ]
jq -c 'select(.kind == "alert" and .event.proc.comm == "enforce_connect")' monitor.jsonl >mon.json
check "--monitor: one alert, would-deny" jq -e -s 'length == 1 and .[0].event.enforcement.outcome == "would-deny"' mon.json
[ "$_failed" = 0 ] || sed 's/^/# /' enforce.jsonl.err enforce.jsonl
finish
