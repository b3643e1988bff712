#!/bin/sh
# Installs the Debian 12 packages that only the test suite and the benchmarks need (the build's
# own are in install-deps.sh). `make test` runs it; idempotent: silent and quick when everything
# is present, installs only what is missing otherwise. Each package names what uses it.
set -eu

PACKAGES="
qemu-system-x86    tests/vm: the Debian 6.1 and 6.12 kernels under TCG (BPF LSM, fexit, modules)
busybox-static     tests/vm: the guest's userland; test_exec_facts: a statically linked binary
jq                 tests/vm: the guest tests read vigil's JSON
bpftrace           bench (the smoke run in the suite): the bpftrace rows
auditd             bench (the smoke run in the suite): the auditd rows
gnuplot-nox        bench: results.png
util-linux         setpriv, nsenter, unshare, script, mountpoint
iproute2           network namespaces and veth pairs
tmux               test_shell: an interactive bash on a terminal
man-db             test_package: every generated man page renders (man -l --warnings)
systemd            test_package: systemd-analyze verify on the installed unit
rsyslog            test_outputs_syslog: the syslog receiver (UDP, TCP)
rsyslog-gnutls     test_outputs_syslog: rsyslog's TLS input
clickhouse-server  test_outputs_clickhouse: the column store a clickhouse:// output feeds
clickhouse-client  test_outputs_clickhouse: (the server's package recommends it; the tests use HTTP)
prometheus         test_outputs_metrics: scrapes --metrics
openssl            test_outputs_syslog: the test's CA and certificates
"

names=$(printf '%s\n' "$PACKAGES" | awk 'NF { print $1 }')
# shellcheck disable=SC2086
exec "$(dirname "$0")/apt-install-missing.sh" "the test suite" $names
