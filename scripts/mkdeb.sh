#!/bin/sh
# Builds the Debian package from a `make install` tree: scripts/mkdeb.sh ROOT OUTDIR VERSION
# (make deb calls it). Depends: the packages that own the shared libraries the binary links.
set -eu
root=$1 out=$2 version=$3
arch=$(dpkg --print-architecture)
# the libraries the binary names itself (NEEDED), not what they pull in
needed=$(objdump -p "$root/usr/bin/vigil" | awk '/NEEDED/ { print $2 }')
deps=$(ldd "$root/usr/bin/vigil" | awk -v n="$needed" 'BEGIN { split(n, a, "\n"); for (i in a) want[a[i]] = 1 }
	$1 in want && $3 ~ /^\// { print $3 }' | while read -r lib; do
	real=$(readlink -f "$lib")
	dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || true
done | cut -d: -f1 | sort -u | paste -sd, - | sed 's/,/, /g')
[ -n "$deps" ] || { echo "mkdeb: cannot tell which packages the binary needs" >&2; exit 1; }
# man pages compressed, as Debian ships them
find "$root/usr/share/man" -type f -name '*.[58]' -exec gzip -9nf {} +
mkdir -p "$root/DEBIAN"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$deps/" \
	packaging/debian/control > "$root/DEBIAN/control"
cp packaging/debian/conffiles "$root/DEBIAN/"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/vigil_${version}_${arch}.deb" >/dev/null
echo "$out/vigil_${version}_${arch}.deb"
