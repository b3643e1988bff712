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

# The same features as an independent trial finds them (tests/helpers/probe_trial: hand-written
# programs loaded with raw bpf(2), attached and seen to act, e.g. an LSM program that denies one
# exec): vigil's probe must agree on each. A missing trial is a failure, not a skip.
if ! command -v probe_trial >/dev/null; then
	not_ok "probe_trial (tests/helpers) is in the image"
	finish
fi
if ! probe_trial >trial.json 2>trial.err || ! jq -e . trial.json >/dev/null; then
	cat trial.err trial.json
	not_ok "probe_trial runs and prints JSON"
	finish
fi
echo "vm-probe-trial: $(jq -c . trial.json)"
for f in bpf_lsm fentry kprobe send_signal; do
	v=$(jq -c ".${f}.available" probe.json)
	t=$(jq -c ".${f}.available" trial.json)
	if [ "$v" = "$t" ]; then
		ok "$f: vigil probe ($v) agrees with the trial ($t)"
	else
		not_ok "$f: vigil probe says $v, the trial says $t: $(jq -r ".${f}.detail" trial.json)"
	fi
	# The matrix's kernels offer all four: the trial proves them, not only vigil's word.
	check "$f works in the trial" jq -e ".${f}.available == true" trial.json
done
finish
