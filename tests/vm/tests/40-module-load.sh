# kernel.module_load and modsnoop on a kernel with modules (the development host has none): the
# veth module /init loaded is removed and loaded again while the agent and modsnoop run; the event
# names the syscall, the result and, for finit_module, the module file resolved from the fd.
. /vm/lib.sh

KO=$(ls /lib/vigil-vm/modules/*veth*.ko 2>/dev/null | head -n 1)
# tests/vm/modules.txt packs veth and /init loads it: without it this test would prove nothing
[ -n "$KO" ] || { not_ok "the veth module is in the initramfs (tests/vm/modules.txt)"; finish; }
grep -q '^veth ' /proc/modules || { not_ok "/init loaded veth (nothing to reload otherwise)"; finish; }

if ! agent_start events.jsonl 30 --kind kernel.module_load; then
	not_ok "vigil run --kind kernel.module_load becomes ready"
	finish
fi
ok "vigil run --kind kernel.module_load becomes ready"
events agent.ready events.jsonl >ready.json
check "the module sensor is attached" jq -e \
	'.sensors[] | select(.name == "module") | .status == "attached"' ready.json

"$VIGIL" modsnoop --duration 30 >modsnoop.out 2>modsnoop.err &
SNOOP=$!
wait_for modsnoop.out '^TIME' 60 || note "modsnoop printed no header: $(cat modsnoop.err)"

rmmod veth || not_ok "rmmod veth"
if insmod "$KO"; then ok "insmod $KO"; else not_ok "insmod $KO"; fi

wait_for events.jsonl '"kind":"kernel.module_load"' 20
kill -INT "$AGENT_PID" "$SNOOP" 2>/dev/null
agent_wait
wait "$SNOOP"
events kernel.module_load events.jsonl | tail -n 1 >load.json
jq -c '.module' load.json | sed 's/^/# /'
check "one module load, successful" jq -e '.module.ret == 0' load.json
check "the syscall is init_module or finit_module" jq -e \
	'.module.syscall == "finit_module" or .module.syscall == "init_module"' load.json
check "finit_module names the module file" jq -e \
	'.module.syscall == "init_module" or (.module.file | endswith(".ko"))' load.json
sed 's/^/# /' modsnoop.out
check "modsnoop shows the load" grep -qE ' (f?init_module) +0 ' modsnoop.out
finish
