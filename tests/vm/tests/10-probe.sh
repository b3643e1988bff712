# vigil probe inside the VM: prints every feature (tests/vm/run shows them per kernel) and asserts
# what the Debian cloud kernels of the matrix are known to offer, the LSM path above all, which
# the development host lacks.
. /vm/lib.sh

REQUIRED="btf ringbuf tp_btf raw_tracepoint kprobe bpf_lsm"

if ! "$VIGIL" probe --json >probe.json 2>probe.err; then
	cat probe.err
	not_ok "vigil probe --json exits 0"
	finish
fi
ok "vigil probe --json exits 0"
# One line the host picks up for its report: the whole probe result.
echo "vm-probe-json: $(jq -c . probe.json)"
jq -r 'to_entries[] | "# \(.key) \(if .value.available then "yes" else "no" end): \(.value.detail)"' probe.json
for f in $REQUIRED; do
	check "$f available" jq -e ".${f}.available == true" probe.json
done
finish
