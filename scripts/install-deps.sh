#!/bin/sh
# Installs the Debian 12 packages vigil builds and tests with. Idempotent: silent and quick when
# everything is present; installs only what is missing otherwise.
set -eu

PACKAGES="make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libyaml-dev libjansson-dev
libseccomp-dev libcmocka-dev uthash-dev libsystemd-dev libcurl4-openssl-dev libgnutls28-dev libmicrohttpd-dev libclang-rt-14-dev pkg-config python3 iproute2 util-linux procps tmux"

# shellcheck disable=SC2086
exec "$(dirname "$0")/apt-install-missing.sh" "the build" $PACKAGES
