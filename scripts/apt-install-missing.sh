#!/bin/sh
# apt-install-missing.sh PURPOSE PACKAGE...: installs the Debian packages of the list that are not
# installed yet, quietly; silent and quick when all are. install-deps.sh and install-test-deps.sh
# hold the lists.
set -eu
purpose=$1
shift
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "vigil: $purpose needs Debian packages:$missing (run as root, or: apt-get install$missing)" >&2
	exit 1
fi
echo "vigil: installing for $purpose:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
