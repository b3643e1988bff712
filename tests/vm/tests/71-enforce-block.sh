# `vigil block` (XDP, docs/enforcement.md) on a veth pair between this VM's namespace and a
# network namespace made for the test: packets from a blocked address are dropped at the
# interface (ICMP and TCP never answered), another source on the same link still gets through,
# `list` counts the drops, `del` lifts the block, detaching unpins everything.
. /vm/lib.sh

command -v enforce_connect >/dev/null || { not_ok "enforce_connect (tests/helpers) is in the image"; finish; }
PORT=7072

# the other end lives in a namespace held by a sleeping process
unshare -n sleep 600 &
NSP=$!
sleep 0.2
in_ns() { nsenter -t "$NSP" -n "$@"; }
ip link add vga type veth || { not_ok "veth pair created (is the veth module loaded?)"; finish; }
# busybox ip names the peer itself (vethN): find it by its link to vga
peer=$(ip link show | sed -n 's/^[0-9]*: \([^@:]*\)@vga:.*/\1/p')
[ -n "$peer" ] || { not_ok "the peer of vga found"; ip link show | sed 's/^/# /'; finish; }
ip link set "$peer" netns "$NSP"
in_ns ip link set "$peer" name vgb
ip addr add 10.77.0.1/24 dev vga
ip link set vga up
in_ns ip addr add 10.77.0.2/24 dev vgb
in_ns ip addr add 10.77.0.3/24 dev vgb
in_ns ip link set vgb up
in_ns ip link set lo up
nc -ll -p "$PORT" -e /bin/true >/dev/null 2>&1 &
LISTEN=$!
sleep 0.3

reach_tcp() { in_ns timeout 3 enforce_connect 10.77.0.1 "$PORT"; }
ping_from() { in_ns ping -c 1 -W 2 -I "$1" 10.77.0.1 >/dev/null 2>&1; }

check "before: 10.77.0.2 pings 10.77.0.1 across the pair" ping_from 10.77.0.2
before=$(reach_tcp)
check "before: TCP from 10.77.0.2 connects (got '$before')" [ "$before" = ok ]

"$VIGIL" block add 10.77.0.2/32 --iface vga >add.out 2>add.err
rc=$?
check "vigil block add 10.77.0.2/32 --iface vga exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "... says blocked 10.77.0.2/32" grep -q "^blocked 10.77.0.2/32" add.out
check "... and interfaces: vga" grep -q "interfaces: vga" add.out
check "the table and the link are pinned" sh -c "[ -e /sys/fs/bpf/vigil/block_v4 ] && [ -e /sys/fs/bpf/vigil/block_link_vga ]"
check "blocked: 10.77.0.2 gets no ICMP answer" sh -c "! nsenter -t $NSP -n ping -c 2 -W 2 -I 10.77.0.2 10.77.0.1 >/dev/null 2>&1"
during=$(reach_tcp)
check "blocked: TCP from 10.77.0.2 never connects (got '$during')" [ "$during" != ok ]
check "not blocked: 10.77.0.3 on the same link still pings" ping_from 10.77.0.3
"$VIGIL" block list >list.out 2>&1
drops=$(sed -n 's#^10\.77\.0\.2/32 *\([0-9]*\)$#\1#p' list.out)
check "vigil block list counts the drops of 10.77.0.2/32 (got '$drops')" [ "${drops:-0}" -ge 3 ]

"$VIGIL" block del 10.77.0.2/32 >del.out 2>&1
check "vigil block del 10.77.0.2/32" grep -q "^unblocked 10.77.0.2/32" del.out
check "after del: 10.77.0.2 pings again" ping_from 10.77.0.2
after=$(reach_tcp)
check "after del: TCP from 10.77.0.2 connects (got '$after')" [ "$after" = ok ]
"$VIGIL" block del --iface vga >detach.out 2>&1
check "vigil block del --iface vga detaches" grep -q "^detached from vga" detach.out
check "... and, empty and attached nowhere, unpins" grep -q "unpinned" detach.out
check "nothing left under /sys/fs/bpf/vigil" sh -c '! ls /sys/fs/bpf/vigil/block_* >/dev/null 2>&1'

kill "$LISTEN" "$NSP" 2>/dev/null
[ "$_failed" = 0 ] || sed 's/^/# /' add.out add.err list.out del.out detach.out
finish
