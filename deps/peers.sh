#!/bin/bash
# deps/peers.sh BUILD: the host-side peer tools from Debian trixie, extracted
# (never installed) under $BUILD/peers/root, with wrappers in $BUILD/peers/bin:
#   skopeo, mkfs.erofs  run through trixie's loader and libraries
#   cosign              a static Go binary, run directly
#   usr/share/ovmf/OVMF.fd  trixie's OVMF (firmware data only: the TDVF MRTD
#                       vector of test_measure_fw)
# Every "peer" entry of the lock is extracted.  Each wrapper must print its
# version, or the step fails.  Stamp: $BUILD/.peers.
BUILD=$1
. "$(dirname "$0")/lib.sh"

PDIR=$BUILD/peers

# wrapper NAME BIN LOADER: write bin/NAME running root/BIN (LOADER 1: through
# trixie's ld.so with trixie's libraries first).
wrapper() {
	local w=$PDIR.tmp/bin/$1
	{
		echo '#!/bin/sh'
		echo "# $1 from Debian trixie, extracted by deps/peers.sh."
		echo 'R=$(dirname "$(readlink -f "$0")")/../root'
		if [ "$3" = 1 ]; then
			echo 'L=$R/usr/lib/x86_64-linux-gnu'
			echo "exec \"\$L/ld-linux-x86-64.so.2\" --library-path \"\$L\" \"\$R/$2\" \"\$@\""
		else
			echo "exec \"\$R/$2\" \"\$@\""
		fi
	} >"$w"
	chmod 755 "$w"
}

# check NAME ARGS...: the wrapper runs, exits 0 and prints a version line.
check() {
	local out line
	out=$("$PDIR.tmp/bin/$1" "${@:2}" 2>&1) || die "peer $1 does not run: $(printf '%s\n' "$out" | head -n 3)"
	line=$(printf '%s\n' "$out" | grep -iE '[0-9]+\.[0-9]+|version' | head -n 1)
	[ -n "$line" ] || die "peer $1 prints no version: $(printf '%s\n' "$out" | head -n 3)"
	note "peer $1: $line"
}

main() {
	local names n key
	names=$(lock_names peer)
	[ -n "$names" ] || die "$LOCK has no peer entries"
	step_lock peers
	key=$(for n in $names; do lock_get "$n"; done; sha256sum <"$0")
	stamp_fresh "$BUILD/.peers" "$key" && return 0
	"$DEPS_ROOT/deps/fetch.sh" "$BUILD" $names
	rm -rf "$PDIR.tmp" "$PDIR" "$BUILD/.peers"
	mkdir -p "$PDIR.tmp/root" "$PDIR.tmp/bin"
	for n in $names; do dpkg-deb -x "$(lock_file "$n")" "$PDIR.tmp/root"; done
	wrapper skopeo usr/bin/skopeo 1
	wrapper mkfs.erofs usr/bin/mkfs.erofs 1
	wrapper cosign usr/bin/cosign 0
	check skopeo --version
	check mkfs.erofs --version
	check cosign version
	[ -s "$PDIR.tmp/root/usr/share/ovmf/OVMF.fd" ] || die "peer ovmf: usr/share/ovmf/OVMF.fd missing"
	mv "$PDIR.tmp" "$PDIR"
	printf '%s\n' "$key" >"$BUILD/.peers"
}

main; exit
