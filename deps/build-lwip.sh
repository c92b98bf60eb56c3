#!/bin/bash
# deps/build-lwip.sh BUILD FLAVOUR: build lwIP (Debian trixie's `lwip` source
# package, .orig tarball, no Debian patches) as a static liblwip.a with our
# configuration, and install it into $BUILD/deps/FLAVOUR:
#
#   lib/liblwip.a                 NO_SYS, IPv4, ARP, Ethernet, UDP, DHCP, and
#                                 the DNS-server bookkeeping DHCP needs; raw API
#                                 only (no TCP, sockets, netconn, IPv6)
#   include/lwip/ include/netif/  lwIP's headers
#   include/lwipopts.h            our net/lwip/lwipopts.h
#   include/arch/cc.h             our net/lwip/arch/cc.h
#   lib/liblwip-fuzz.a            (host only) the same, built with clang and
#                                 -fsanitize=fuzzer-no-link,address,undefined
#                                 for tests/fuzz/fuzz_dhcp (net/module.mk)
#
# so `#include "lwip/dhcp.h"` works with the -I$(BUILD)/deps/FLAVOUR/include the
# Makefile already passes, and the library and our code see the same options.
# Only the core files the DHCP client needs are compiled.  The port functions
# lwIP calls (sys_now, ccg_lwip_rand, ccg_lwip_assert) are ours, in net/dhcp.c.
#
# Separate from deps/build.sh on purpose: build.sh's stamps hash build.sh
# itself, so editing it rebuilds every library (musl first, which removes
# $BUILD/deps/musl under any concurrent build).  Stamp: $BUILD/deps/.FLAVOUR-lwip,
# keyed like build.sh's (lock line, this script, our two headers, musl's stamp).
BUILD=$1 FLAVOUR=$2 LIB=lwip
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL CPPFLAGS LDFLAGS

PREFIX=$BUILD/deps/$FLAVOUR
SRC=$BUILD/src/$FLAVOUR/$LIB
STAMP=$BUILD/deps/.$FLAVOUR-$LIB
LOG=$BUILD/src/$FLAVOUR/$LIB.log
PORT=$DEPS_ROOT/net/lwip
case $FLAVOUR in
host) CC=gcc ;;
musl) CC=$BUILD/deps/musl/bin/musl-gcc ;;
*) die "unknown flavour $FLAVOUR" ;;
esac
OPT="-O2 -ffunction-sections -fdata-sections -ffile-prefix-map=$SRC=."
ARFLAGS=rcsD

# The lwIP sources compiled, relative to src/.
FILES="core/init.c core/def.c core/mem.c core/memp.c core/pbuf.c core/netif.c
core/ip.c core/udp.c core/inet_chksum.c core/timeouts.c core/dns.c
core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/dhcp.c core/ipv4/etharp.c
netif/ethernet.c"

stamp_key() {
	lock_get "$LIB"
	sha256sum <"$0"
	sha256sum <"$PORT/lwipopts.h"
	sha256sum <"$PORT/arch/cc.h"
	[ "$FLAVOUR" != musl ] || cat "$BUILD/deps/.musl-musl"
	echo "$FLAVOUR ${CC##*/}"      # not the path: build dirs may share deps/
}

# lib_build CC FLAGS LIB: compile $FILES and archive them as $SRC/obj/LIB.
lib_build() {
	local cc=$1 flags=$2 lib=$3 f o objs=""
	mkdir -p "$SRC/obj/$lib.d"
	for f in $FILES; do
		o=$SRC/obj/$lib.d/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')
		(cd "$SRC" && $cc $flags -std=gnu11 -Wall -I"$PORT" -Isrc/include \
			-c "src/$f" -o "$o") >>"$LOG" 2>&1
		objs="$objs $o"
	done
	rm -f "$SRC/obj/$lib"
	ar $ARFLAGS "$SRC/obj/$lib" $objs >>"$LOG" 2>&1
	install -m 644 "$SRC/obj/$lib" "$PREFIX/lib/"
}

build_lwip() {
	lib_build "$CC" "$OPT" liblwip.a
	if [ "$FLAVOUR" = host ]; then
		command -v clang >/dev/null || die "clang is missing: run deps/host-packages.sh"
		lib_build clang "-O1 -g -ffile-prefix-map=$SRC=. -fno-omit-frame-pointer \
			-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
			liblwip-fuzz.a
	fi
	rm -rf "$PREFIX/include/lwip" "$PREFIX/include/netif" "$PREFIX/include/arch"
	cp -r "$SRC/src/include/lwip" "$SRC/src/include/netif" "$PREFIX/include/"
	mkdir -p "$PREFIX/include/arch"
	install -m 644 "$PORT/lwipopts.h" "$PREFIX/include/"
	install -m 644 "$PORT/arch/cc.h" "$PREFIX/include/arch/"
}

main() {
	local key
	step_lock "$FLAVOUR-$LIB"
	key=$(stamp_key)
	stamp_fresh "$STAMP" "$key" && return 0
	note "build $FLAVOUR/$LIB"
	rm -f "$STAMP"
	mkdir -p "$BUILD/src/$FLAVOUR" "$PREFIX/include" "$PREFIX/lib"
	: >"$LOG"
	"$DEPS_ROOT/deps/fetch.sh" "$BUILD" "$LIB"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -xf "$(lock_file "$LIB")" --strip-components=1 -C "$SRC"
	trap 'tail -40 "$LOG" >&2; echo "deps: build of $FLAVOUR/$LIB failed (log: $LOG)" >&2' EXIT
	build_lwip
	trap - EXIT
	rm -rf "$SRC"
	printf '%s\n' "$key" >"$STAMP"
}

main; exit
