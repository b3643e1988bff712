#!/bin/sh
# Installs the Debian 12 packages vigil builds and tests with. Idempotent: silent and quick when
# everything is present; installs only what is missing otherwise.
set -eu

PACKAGES="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libyaml-dev libjansson-dev
libseccomp-dev libcmocka-dev uthash-dev libsystemd-dev libclang-rt-14-dev pkg-config python3 iproute2 util-linux procps tmux"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "vigil: missing Debian packages:$missing (run as root, or: apt-get install$missing)" >&2
	exit 1
fi
echo "vigil: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
