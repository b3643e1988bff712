# vigil run inside the VM with the process sensor: a marked command's process.exec carries its
# exe and args, and agent.stats balances. (25-all-sensors loads every sensor.)
. /vm/lib.sh

mark=$(marker)
bin=/tmp/busybox-$mark # busybox runs the applet in argv[1] when its name starts with "busybox"
cp /bin/busybox "$bin"

# --duration counts from agent.ready; under TCG a single jq takes a noticeable part of a second,
# so the marked command runs at once and the assertions come after.
if ! agent_start events.jsonl 5 -k process.exec,process.fork,process.exit; then
	not_ok "vigil run becomes ready"
	finish
fi
"$bin" echo "$mark" second-arg >/dev/null
ok "vigil run becomes ready"
events agent.ready events.jsonl >ready.json
check "the process sensor is attached" jq -e '.sensors[] | select(.name == "process") | .status == "attached"' ready.json
agent_wait
rc=$?
check "vigil run exits 0 (got $rc)" [ "$rc" -eq 0 ]
[ -s events.jsonl.err ] && sed 's/^/# stderr: /' events.jsonl.err

ev=$(jq -c --arg m "$mark" 'select(.kind == "process.exec" and (.proc.args | index($m)))' events.jsonl)
if [ -z "$ev" ]; then
	not_ok "process.exec of the marked command seen"
	note "process.exec events seen (exe, args):"
	jq -r 'select(.kind == "process.exec") | "#   \(.proc.exe) \(.proc.args)"' events.jsonl
else
	ok "process.exec of the marked command seen"
	echo "$ev" >exec.json
	check "exe is $bin" jq -e --arg b "$bin" '.proc.exe == $b' exec.json
	check "args are [$bin, echo, $mark, second-arg]" jq -e --arg b "$bin" --arg m "$mark" \
		'.proc.args == [$b, "echo", $m, "second-arg"]' exec.json
	check "comm is the file name's first 15 bytes" jq -e --arg c "busybox-$mark" \
		'.proc.comm == ($c | .[0:15])' exec.json
fi

stats=$(events agent.stats events.jsonl)
if [ -z "$stats" ]; then
	not_ok "agent.stats written at the end"
else
	ok "agent.stats written at the end"
	echo "$stats" >stats.json
	jq -r '.stats | to_entries[] | "# \(.key): produced \(.value.produced) delivered \(.value.delivered) lost \(.value.lost)"' stats.json
	check "delivered + lost == produced for every kind" jq -e \
		'[.stats[] | select(.delivered + .lost != .produced)] | length == 0' stats.json
	check "process.exec produced at least one" jq -e '.stats["process.exec"].produced >= 1' stats.json
fi
finish
