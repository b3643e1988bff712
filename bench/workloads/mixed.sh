#!/bin/sh
# A mixed real workload: archive a source tree (many opens and reads, one tar process), search it
# with a grep per batch of files (a stream of short execs, each opening files), then compile the
# bench's own C sources (cc, cc1, as: heavier execs).
# usage: mixed.sh TREE SRCDIR OUTDIR
set -e
tree=$1 src=$2 out=$3
tar -C "$(dirname "$tree")" -cf - "$(basename "$tree")" | cat > /dev/null
find "$tree" -name '*.h' | xargs -n 16 grep -c define > /dev/null || true
mkdir -p "$out"
for c in "$src"/workloads/*.c "$src"/floor/floor.c; do
	cc -O2 -c -o "$out/$(basename "$c" .c).o" "$c"
done
