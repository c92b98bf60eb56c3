#!/bin/bash
# tests/reproducible.sh: `make reproducible-check`.  Copies the checkout (the
# files git knows of, with their uncommitted changes, plus untracked files
# that are not ignored; no build directory) into two temporary directories of
# different names and depths, runs a clean `make all` in each, and compares
# build/ccinit, build/initrd.img, the IGVM guests and reference-values.json
# byte for byte.  Exit 0 when identical.
#
# Downloads are shared, not repeated: CCG_DL_CACHE (default: build/dl of this
# checkout) is where deps/fetch.sh copies verified tarballs and .debs from,
# and the private apt lists of this checkout, if present, seed each copy.
# CCG_REPRO_KEEP=1 keeps the temporary directories.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Overridable for checking parts of the build: goal and files under build/.
GOAL=${CCG_REPRO_GOAL:-all}
ARTEFACTS=${CCG_REPRO_FILES:-ccinit initrd.img guest-snp-kvm.igvm guest-snp-mshv.igvm guest-native.igvm reference-values.json}
export CCG_DL_CACHE=${CCG_DL_CACHE:-$ROOT/build/dl}
mkdir -p "$CCG_DL_CACHE"
JOBS=$(nproc)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ccg-repro.XXXXXX")
cleanup() { [ "${CCG_REPRO_KEEP:-0}" = 1 ] || rm -rf "$TMP"; }
trap cleanup EXIT

# copy_tree DEST: the checkout's source files, without any build output.
copy_tree() {
	mkdir -p "$1"
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) |
		tr '\0' '\n' | grep -v -e '^build/' -e '^build$' | sort -u |
		while IFS= read -r f; do
			if [ -f "$ROOT/$f" ] || [ -L "$ROOT/$f" ]; then printf '%s\0' "$f"; fi
		done |
		(cd "$ROOT" && cpio -0 -pdm --quiet "$1")
	if [ -d "$ROOT/build/apt/lists" ]; then
		mkdir -p "$1/build/apt"
		cp -r "$ROOT/build/apt/lists" "$1/build/apt/lists"
	fi
}

# build DIR: a clean `make $GOAL` in DIR; its log is DIR.log.
build() {
	local t0=$SECONDS
	echo "reproducible: building in $1"
	if ! env -u BUILD -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$1" -j"$JOBS" $GOAL >"$1.log" 2>&1; then
		tail -n 30 "$1.log" >&2
		echo "reproducible: make $GOAL failed in $1 (log: $1.log)" >&2
		CCG_REPRO_KEEP=1
		exit 2
	fi
	echo "reproducible: built in $((SECONDS - t0)) s"
}

A=$TMP/one/ccguest
B=$TMP/second-copy/deeper/ccguest-tree
copy_tree "$A"
copy_tree "$B"
build "$A"
build "$B"

status=0
for f in $ARTEFACTS; do
	sa=$(sha256sum <"$A/build/$f" | cut -d' ' -f1)
	sb=$(sha256sum <"$B/build/$f" | cut -d' ' -f1)
	echo "  $f  $sa  $sb"
	if ! cmp -s "$A/build/$f" "$B/build/$f"; then
		echo "reproducible: build/$f differs between the two builds" >&2
		status=1
	fi
done
if [ "$status" != 0 ]; then
	CCG_REPRO_KEEP=1
	echo "reproducible: kept $TMP for inspection" >&2
	exit 1
fi
echo "reproducible: $(echo $ARTEFACTS | wc -w) artefacts identical"
