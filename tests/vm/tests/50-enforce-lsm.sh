# Deny rules on exec, open, setuid, bpf and module loads carried out by BPF LSM hooks (the
# development host has no BPF LSM: its tests prove the SIGKILL path). Each operation fails with
# EPERM and nothing happens: the program does not run, the content is not read, the uid stays, no
# program and no module is loaded; a second run in monitor mode changes nothing and reports.
. /vm/lib.sh

"$VIGIL" probe --json >probe.json
check "vigil probe: BPF LSM available" jq -e '.bpf_lsm.available == true' probe.json

D=/tmp/vigil-l-vm
mkdir -p "$D/bin"
cp /bin/busybox "$D/bin/echo"   # busybox picks its applet from argv[0]
ln -s /bin/busybox "$D/vlsu"     # run as argv[0] "su": comm "vlsu", which the setuid rule names
ln -s /bin/busybox "$D/vlok"     # the same with comm "vlok": not named, allowed
ln -s /bin/busybox "$D/vlptr"    # run as argv[0] "cat": comm "vlptr", which the ptrace rule names
echo "vl-secret-content" >"$D/secret"
mkdir -p "$D/keep" "$D/mnt"
echo kept >"$D/keep/file"
grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/root:/bin/sh' >>/etc/passwd
KO=$(ls /lib/vigil-vm/modules/*veth*.ko 2>/dev/null | head -n 1)

cat >rules.yaml <<EOF
rules:
  - name: no exec from the test dir
    on: process.exec
    when: proc.exe startswith $D/bin/
    action: deny
  - name: protect the secret
    on: file.open
    when: file.path == $D/secret
    action: deny
  - name: no root again
    on: priv.setuid
    when: setuid.new.uid == 0 and proc.comm == vlsu
    action: deny
  - name: no bpf programs
    on: kernel.bpf
    when: bpf.cmd == BPF_PROG_LOAD and proc.comm == vigil
    action: deny
  - name: no modules
    on: kernel.module_load
    when: proc.uid == 0
    action: deny
  - name: keep the files
    on: file.unlink
    when: file.path startswith $D/keep/
    action: deny
  - name: no renames
    on: file.rename
    when: file.path startswith $D/keep/
    action: deny
  - name: no mounts here
    on: kernel.mount
    when: mount.target == $D/mnt
    action: deny
  - name: no attaching
    on: kernel.ptrace
    when: ptrace.request in (PTRACE_ATTACH, PTRACE_SEIZE) and proc.comm == vlptr
    action: deny
EOF

"$VIGIL" policy explain rules.yaml >explain.txt
check "explain: exec by lsm/bprm_check_security" grep -q 'enforcement: lsm (lsm/bprm_check_security): the call fails with EPERM' explain.txt
check "explain: modules by lsm/kernel_read_file" grep -q 'enforcement: lsm (lsm/kernel_read_file, lsm/kernel_load_data)' explain.txt

if ! agent_start events.jsonl 60 --policy rules.yaml; then
	not_ok "vigil run with the deny rules becomes ready"
	finish
fi
ok "vigil run with the deny rules becomes ready"
events agent.policy events.jsonl | head -n 1 >policy.json
check "agent.policy: every rule by lsm, outcome denied" jq -e \
	'[.enforcement.rules[] | select(.mechanism == "lsm" and .outcome == "denied")] | length == 9' policy.json

# exec
"$D/bin/echo" ran >exec.out 2>exec.err
st=$?
note "exec: status $st, $(cat exec.err)"
check "exec from the test dir fails (126: not executed)" [ "$st" = 126 ]
check "exec: the shell saw EPERM" grep -q "Operation not permitted" exec.err
check "exec: the program never ran" [ ! -s exec.out ]

# open
cat "$D/secret" >open.out 2>open.err
st=$?
check "open of the secret fails" [ "$st" != 0 ]
check "open: EPERM" grep -q 'Operation not permitted' open.err
check "open: the content was never read" sh -c "! grep -q vl-secret-content open.out"

# setuid(0)
rm -f su.mark su2.mark
bash -c 'exec -a su "$0" root -c "touch $1"' "$D/vlsu" "$PWD/su.mark" 2>su.err
st=$?
note "su as vlsu: status $st, $(cat su.err)"
check "setuid(0) by vlsu fails" [ "$st" != 0 ]
check "setuid: its command never ran as root" [ ! -e su.mark ]
bash -c 'exec -a su "$0" root -c "touch $1"' "$D/vlok" "$PWD/su2.mark" 2>su2.err
check "setuid(0) by another comm works (control)" [ -e su2.mark ]

# bpf: another vigil process (comm vigil) loads programs; the agent itself is exempt
"$VIGIL" probe --json >probe2.json 2>probe2.err
check "bpf: another vigil's program loads fail with EPERM" jq -e \
	'.tp_btf.available == false and (.tp_btf.detail | test("Operation not permitted"))' probe2.json
check "bpf: the agent itself is alive" kill -0 "$AGENT_PID"

# unlink, rename, mount
rm "$D/keep/file" 2>rm.err
check "unlink fails with EPERM" grep -q "Operation not permitted" rm.err
check "unlink: the file is still there" grep -q kept "$D/keep/file"
rmdir "$D/keep" 2>rmdir.err
check "rmdir of $D/keep is judged by its own path (not under keep/): not empty, not EPERM" grep -q "not empty" rmdir.err
mv "$D/keep/file" "$D/moved" 2>mv.err
check "rename fails with EPERM" grep -q "Operation not permitted" mv.err
check "rename: the file is where it was" sh -c "[ -e '$D/keep/file' ] && [ ! -e '$D/moved' ]"
mount -t tmpfs vltmp "$D/mnt" 2>mount.err
st=$?
check "mount on the protected target fails" [ "$st" != 0 ]
check "mount: nothing is mounted there" sh -c "! grep -q ' $D/mnt ' /proc/mounts"
mkdir -p "$D/other"
mount -t tmpfs vltmp "$D/other" && umount "$D/other"
check "mount elsewhere works (control)" [ $? = 0 ]

# ptrace: the attach hook also guards /proc/PID/mem, which busybox cat can open
bash -c 'exec -a cat "$0" /proc/1/mem' "$D/vlptr" >mem.out 2>mem.err
note "cat /proc/1/mem as vlptr: $(cat mem.err)"
# the LSM's EPERM reaches ptrace() as is; /proc/PID/mem turns any refusal into EACCES
check "attach-mode access by vlptr is refused (EACCES from /proc/PID/mem)" grep -q "Permission denied" mem.err
bash -c 'exec -a cat "$0" /proc/1/mem' "$D/vlok" >mem2.out 2>mem2.err
note "cat /proc/1/mem as vlok: $(cat mem2.err)"
check "the same by another comm opens (control: it fails reading, EIO)" grep -q "Input/output error" mem2.err

# module
if [ -n "$KO" ] && grep -q '^veth ' /proc/modules && rmmod veth; then
	insmod "$KO" 2>mod.err
	st=$?
	check "insmod fails" [ "$st" != 0 ]
	check "the module is not loaded" sh -c "! grep -q '^veth ' /proc/modules"
else
	# modules.txt packs veth and /init loads it: without a module to reload, module deny is unproven
	not_ok "a veth module to reload (module deny could not be tried)"
	KO=
fi

sleep 2
kill -INT "$AGENT_PID"
agent_wait
[ -n "$KO" ] && insmod "$KO" 2>/dev/null # restore for later tests (enforcement has ended)
check "after vigil: the program runs again" sh -c "$D/bin/echo ran | grep -q ran"

events alert events.jsonl >alerts.jsonl
jq -c '[.rule.name, .event.kind, .event.enforcement]' alerts.jsonl | sed 's/^/# /'
for r in "no exec from the test dir" "protect the secret" "no root again" "no bpf programs" \
	"keep the files" "no renames" "no mounts here" "no attaching"; do
	jq -c --arg r "$r" 'select(.rule.name == $r)' alerts.jsonl | head -n 1 >one.json
	check "alert '$r': lsm, denied" jq -e \
		'.event.enforcement == {"action":"deny","mechanism":"lsm","outcome":"denied"}' one.json
done
jq -c 'select(.rule.name == "protect the secret")' alerts.jsonl | head -n 1 >open.json
check "open alert: path, EPERM" jq -e --arg p "$D/secret" \
	'.event.file.path == $p and .event.file.errno == 1 and .event.proc.comm == "cat"' open.json
jq -c 'select(.rule.name == "no exec from the test dir")' alerts.jsonl | head -n 1 >exec.json
check "exec alert: the file" jq -e --arg p "$D/bin/echo" '.event.exec.file == $p' exec.json
jq -c 'select(.rule.name == "no root again")' alerts.jsonl | head -n 1 >su.json
check "setuid alert: new uid 0 by vlsu" jq -e \
	'.event.setuid.new.uid == 0 and .event.proc.comm == "vlsu"' su.json
jq -c 'select(.rule.name == "no mounts here")' alerts.jsonl | head -n 1 >mnt.json
check "mount alert: the target" jq -e --arg p "$D/mnt" \
	'.event.kind == "kernel.mount" and .event.mount.target == $p and .event.mount.syscall == "mount"' mnt.json
jq -c 'select(.rule.name == "no attaching")' alerts.jsonl | head -n 1 >ptr.json
check "ptrace alert: an attach-mode access to PID 1 by vlptr" jq -e \
	'.event.kind == "kernel.ptrace" and .event.ptrace.target.tgid == 1 and .event.proc.comm == "vlptr"' ptr.json
jq -c 'select(.rule.name == "keep the files")' alerts.jsonl | head -n 1 >rm.json
check "unlink alert: the path" jq -e --arg p "$D/keep/file" \
	'.event.kind == "file.unlink" and .event.file.path == $p and .event.file.errno == 1' rm.json
if [ -n "$KO" ]; then
	jq -c 'select(.rule.name == "no modules")' alerts.jsonl | head -n 1 >mod.json
	check "module alert: lsm, denied" jq -e \
		'.event.kind == "kernel.module_load" and .event.enforcement.outcome == "denied"' mod.json
fi

# monitor mode: nothing is denied, each is reported as would-deny
if ! agent_start mon.jsonl 40 --policy rules.yaml --monitor; then
	not_ok "vigil run --monitor becomes ready"
	finish
fi
cat "$D/secret" >mon.out 2>&1
check "monitor: the secret is read" grep -q vl-secret-content mon.out
sleep 2
kill -INT "$AGENT_PID"
agent_wait
events alert mon.jsonl | jq -c 'select(.rule.name == "protect the secret")' | head -n 1 >mon.json
check "monitor: would-deny reported" jq -e \
	'.event.enforcement == {"action":"deny","mechanism":"lsm","outcome":"would-deny"}' mon.json
finish
