#!/bin/sh
# A mixed real workload: archive a source tree (many opens and reads, one tar process), then
# compile the bench's own C sources (a burst of execs: cc, cc1, as, collect2, ld).
# usage: mixed.sh TREE SRCDIR OUTDIR
set -e
tree=$1 src=$2 out=$3
tar -C "$(dirname "$tree")" -cf - "$(basename "$tree")" | cat > /dev/null
mkdir -p "$out"
for c in "$src"/workloads/*.c "$src"/floor/floor.c; do
	cc -O2 -c -o "$out/$(basename "$c" .c).o" "$c"
done
