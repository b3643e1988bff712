# Helpers for the VM tests (sourced from /vm/tests/*.sh; busybox sh, jq and vigil are in PATH).
# A test prints "ok - ..." / "not ok - ..." lines (shown by tests/vm/run) and its exit status is
# its verdict: 0 pass, 77 skip, anything else fail. End a test with `finish`.

VIGIL=${VIGIL:-vigil}
_failed=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; _failed=1; }
note() { echo "# $*"; }
skip() { echo "skip - $*"; exit 77; }
finish() { exit "$_failed"; }

# check DESCRIPTION COMMAND...: ok or not ok by the command's status (its stdout is dropped,
# its stderr kept).
check() {
	_what=$1
	shift
	if "$@" >/dev/null; then ok "$_what"; else not_ok "$_what"; fi
}

# A unique string to find this test's own events among the machine's.
marker() { echo "vmark$(tr -d '-' </proc/sys/kernel/random/uuid | cut -c1-12)"; }

# wait_for FILE PATTERN SECONDS: until a line of FILE matches PATTERN (grep -E); 1 on timeout.
wait_for() {
	_n=$(($3 * 10))
	while [ "$_n" -gt 0 ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# agent_start OUT SECONDS [ARGS...]: `vigil run --format json` for SECONDS in the background,
# events in OUT, stderr in OUT.err; returns once agent.ready is written, 1 if vigil exits first
# (then its libbpf log, from a second run with -v, is shown). AGENT_PID is the agent's pid;
# agent_wait waits for its end and gives its status.
agent_start() {
	_out=$1 _secs=$2
	shift 2
	"$VIGIL" run --format json --duration "$_secs" "$@" >"$_out" 2>"$_out.err" &
	AGENT_PID=$!
	# Loading and verifying the BPF object under TCG takes seconds, not milliseconds.
	_n=1200
	while [ "$_n" -gt 0 ]; do
		grep -q '"kind":"agent.ready"' "$_out" 2>/dev/null && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
		_n=$((_n - 1))
	done
	kill "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	note "vigil did not become ready (status $?); its stderr:"
	sed 's/^/#   /' "$_out.err"
	vigil_load_log "$@"
	return 1
}

# What libbpf said while loading, the lines that name the failure first (-v log, shortened).
vigil_load_log() {
	"$VIGIL" run -v --format json --duration 1 "$@" >/dev/null 2>load.log
	note "libbpf -v: lines about the failure (whole log: $(wc -l <load.log) lines):"
	grep -iE 'failed|error|invalid|unknown|not found|refused|permission' load.log |
		grep -vE '^;|relo #[0-9]+:|collecting relocation' | head -n 20 | sed 's/^/#   /'
	note "libbpf -v: last lines:"
	tail -n 8 load.log | sed 's/^/#   /'
}
agent_wait() {
	wait "$AGENT_PID"
}

# events KIND FILE: the events of that kind in FILE, one JSON object a line. Assert on one
# event saved to its own file: jq 1.6's -e status only reflects the last input line.
events() { jq -c --arg k "$1" 'select(.kind == $k)' "$2"; }
