# vigil run with its default sensors: the whole BPF object loads on this kernel (every CO-RE
# relocation resolves against its BTF, every program passes its verifier), every wanted sensor
# attaches, and the method each one uses is shown.
. /vm/lib.sh

if ! agent_start events.jsonl 2; then
	not_ok "vigil run with every default sensor becomes ready"
	finish
fi
ok "vigil run with every default sensor becomes ready"
events agent.ready events.jsonl >ready.json
jq -r '.sensors[] | "# sensor \(.name): \(.status) \(.method)\(if .reason then " (\(.reason))" else "" end)"' ready.json
check "no wanted sensor is unavailable" jq -e '[.sensors[] | select(.status == "unavailable")] | length == 0' ready.json
agent_wait
rc=$?
check "vigil run exits 0 (got $rc)" [ "$rc" -eq 0 ]
events agent.stats events.jsonl >stats.json
check "agent.stats balances (delivered + lost == produced)" jq -e \
	'[.stats[] | select(.delivered + .lost != .produced)] | length == 0' stats.json
finish
