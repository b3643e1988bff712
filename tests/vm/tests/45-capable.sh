# priv.capable on kernels without the capability:cap_capable tracepoint (before 6.13): the sensor
# falls back to an fexit program on cap_capable, where fentry works; the audit flag then comes
# from the function's own options. A sethostname (to the same name) makes an audited
# CAP_SYS_ADMIN check that is granted.
. /vm/lib.sh

if ! agent_start events.jsonl 30 --kind priv.capable; then
	not_ok "vigil run --kind priv.capable becomes ready"
	finish
fi
ok "vigil run --kind priv.capable becomes ready"
events agent.ready events.jsonl >ready.json
jq -c '.sensors[] | select(.name == "capable")' ready.json | sed 's/^/# /'
check "the capable sensor is attached" jq -e \
	'.sensors[] | select(.name == "capable") | .status == "attached"' ready.json
check "its method is a tracepoint where the kernel has one, else fexit" jq -e \
	'.sensors[] | select(.name == "capable") | .method | test("^(tp_btf|raw_tp|tracepoint|fexit)$")' ready.json

NAME=$(hostname)
hostname "$NAME" && ok "sethostname to the same name" || not_ok "sethostname"
wait_for events.jsonl '"name":"CAP_SYS_ADMIN"' 20
kill -INT "$AGENT_PID" 2>/dev/null
agent_wait
events priv.capable events.jsonl | jq -c 'select(.capable.name == "CAP_SYS_ADMIN" and .proc.comm == "hostname")' \
	| tail -n 1 >cap.json
sed 's/^/# /' cap.json
check "a CAP_SYS_ADMIN check by hostname" jq -e '.capable.cap == 21' cap.json
check "granted" jq -e '.capable.granted == true and .capable.ret == 0' cap.json
check "audited" jq -e '.capable.audit == true' cap.json
finish
