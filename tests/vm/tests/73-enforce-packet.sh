# net.packet deny rules at XDP (docs/enforcement.md) on a veth pair between this VM's namespace
# and one made with unshare -n: `vigil run --xdp-iface vga` drops the TCP packets a rule names
# (no connection), lets a monitor rule's through, drops and counts exactly the ICMP echoes of an
# address a rule without port or protocol names, and
# the drops end with vigil.
. /vm/lib.sh

command -v enforce_connect >/dev/null || { not_ok "enforce_connect (tests/helpers) is in the image"; finish; }
PORT=7074 MPORT=7075

unshare -n sleep 600 &
NSP=$!
sleep 0.2
in_ns() { nsenter -t "$NSP" -n "$@"; }
ip link add vga type veth || { not_ok "veth pair created (is the veth module loaded?)"; finish; }
peer=$(ip link show | sed -n 's/^[0-9]*: \([^@:]*\)@vga:.*/\1/p')
[ -n "$peer" ] || { not_ok "the peer of vga found"; finish; }
ip link set "$peer" netns "$NSP"
in_ns ip link set "$peer" name vgb
ip addr add 10.78.0.1/24 dev vga
ip link set vga up
in_ns ip addr add 10.78.0.2/24 dev vgb
in_ns ip addr add 10.78.0.3/24 dev vgb
in_ns ip link set vgb up
nc -ll -p "$PORT" -e /bin/true >/dev/null 2>&1 &
L1=$!
nc -ll -p "$MPORT" -e /bin/true >/dev/null 2>&1 &
L2=$!
sleep 0.3
reach() { in_ns timeout 3 enforce_connect 10.78.0.1 "$1"; }
check "before: TCP from 10.78.0.2 to port $PORT connects" [ "$(reach $PORT)" = ok ]

cat >packet.yaml <<EOF
rules:
  - name: vm drop tcp
    description: VM test of XDP rules
    on: net.packet
    when: net.saddr cidr (10.78.0.2/32) and net.dport in ($PORT) and net.proto == tcp
    action: deny
  - name: vm watch port
    description: monitor
    on: net.packet
    when: net.saddr cidr (10.78.0.0/24) and net.dport == $MPORT
    action: deny
    mode: monitor
  - name: vm drop icmp
    description: "no port, no proto test: every packet from the address"
    on: net.packet
    when: net.saddr == 10.78.0.3 and net.family == inet
    action: deny
EOF
if ! agent_start events.jsonl 60 --policy packet.yaml --xdp-iface vga; then
	not_ok "vigil run --xdp-iface vga becomes ready"
	kill "$NSP" "$L1" "$L2" 2>/dev/null
	finish
fi
ok "vigil run --xdp-iface vga becomes ready"
dropped=$(reach $PORT)
watched=$(reach $MPORT)
in_ns ping -c 5 -i 0.2 -W 1 -I 10.78.0.3 10.78.0.1 >ping.out 2>&1
prc=$?
sleep 0.3
kill -INT "$AGENT_PID"
agent_wait
rc=$?
after=$(reach $PORT)
kill "$NSP" "$L1" "$L2" 2>/dev/null

check "vigil exits 0 on SIGINT (got $rc)" [ "$rc" -eq 0 ]
check "TCP to the dropped port never connects (got '$dropped')" [ "$dropped" != ok ]
check "TCP to the monitored port connects (got '$watched')" [ "$watched" = ok ]
check "5 pings from 10.78.0.3 (a rule without port or proto) get no answer" [ "$prc" -ne 0 ]
check "after vigil exits TCP connects again (got '$after')" [ "$after" = ok ]

events agent.policy events.jsonl >policy.json
check "agent.policy: every rule has mechanism xdp on [vga]" jq -e \
	'[.enforcement.rules[] | select(.mechanism == "xdp" and .interfaces == ["vga"])] | length == 3' policy.json
jq -c 'select(.kind == "alert" and .rule.name == "vm drop tcp")' events.jsonl | head -n 1 >tcp.json
check "the TCP drop alert: net.packet, deny/xdp/denied" jq -e \
	'.event.kind == "net.packet" and .event.enforcement == {"action":"deny","mechanism":"xdp","outcome":"denied"}' tcp.json
check "... saddr, daddr, dport, proto, iface, packets" jq -e --argjson p "$PORT" \
	'.event.net | .saddr == "10.78.0.2" and .daddr == "10.78.0.1" and .dport == $p and .proto == "tcp" and .iface == "vga" and .packets >= 1' tcp.json
jq -c 'select(.kind == "alert" and .rule.name == "vm watch port")' events.jsonl | head -n 1 >mon.json
check "the monitor rule: would-deny" jq -e '.event.enforcement.outcome == "would-deny"' mon.json
jq -s '[.[] | select(.kind == "alert" and .rule.name == "vm drop icmp" and .event.net.ip_proto == 1) | .event.net.packets] | add' events.jsonl >icmp.txt
check "the 5 ICMP echoes counted exactly (got $(cat icmp.txt))" [ "$(cat icmp.txt)" = 5 ]
[ "$_failed" = 0 ] || sed 's/^/# /' events.jsonl.err events.jsonl
finish
