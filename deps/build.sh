#!/bin/bash
# deps/build.sh BUILD FLAVOUR LIB: build one pinned dependency from its
# verified .orig tarball (no Debian patches) and install it, static only, into
# $BUILD/deps/FLAVOUR/{include,lib}.  Stamp: $BUILD/deps/.FLAVOUR-LIB.
#
#   FLAVOUR host  the machine's gcc (glibc)
#   FLAVOUR musl  $BUILD/deps/musl/bin/musl-gcc (LIB musl builds musl itself
#                 and adds trixie's kernel headers)
#   LIB           musl | yyjson | libzstd | libisal | mbedtls
#
# The stamp holds a key (lock lines, the sha256 of this script and of the
# mbed TLS config and GCM_ALT header); a run whose key matches the stamp only
# touches it, so a lock change elsewhere does not rebuild every library.
BUILD=$1 FLAVOUR=$2 LIB=$3
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL CPPFLAGS LDFLAGS

PREFIX=$BUILD/deps/$FLAVOUR
SRC=$BUILD/src/$FLAVOUR/$LIB
STAMP=$BUILD/deps/.$FLAVOUR-$LIB
LOG=$BUILD/src/$FLAVOUR/$LIB.log
MBEDTLS_CONFIG=$DEPS_ROOT/deps/mbedtls-config.h
MBEDTLS_GCM_ALT=$DEPS_ROOT/crypto/mbedtls_gcm_alt.h
case $FLAVOUR in
host) CC=gcc ;;
musl) CC=$BUILD/deps/musl/bin/musl-gcc ;;
*) die "unknown flavour $FLAVOUR" ;;
esac
# -O2, no build paths in the objects, deterministic archives; one section per
# function and object, so that the guest's --gc-sections keeps only what ccinit
# calls (ccinit must stay under 1 MiB).
OPT="-O2 -ffunction-sections -fdata-sections -ffile-prefix-map=$SRC=."
ARFLAGS=rcsD
NPROC=$(nproc)

stamp_key() {
	lock_get "$LIB"
	[ "$LIB" != musl ] || lock_get linux-libc-dev
	sha256sum <"$0"
	[ "$LIB" != mbedtls ] || sha256sum "$MBEDTLS_CONFIG" "$MBEDTLS_GCM_ALT" | cut -d' ' -f1
	# The musl flavour's libraries are rebuilt with musl.
	[ "$FLAVOUR" != musl ] || [ "$LIB" = musl ] || cat "$BUILD/deps/.musl-musl"
	echo "$FLAVOUR ${CC##*/}"      # not the path: build dirs may share deps/
}

# unpack NAME: extract NAME's verified .orig tarball into $SRC.
unpack() {
	"$DEPS_ROOT/deps/fetch.sh" "$BUILD" "$1"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -xf "$(lock_file "$1")" --strip-components=1 -C "$SRC"
}

build_musl() {
	[ "$FLAVOUR" = musl ] || die "musl is built in the musl flavour only"
	# A new musl: the libraries built with the old one go too.
	rm -rf "$PREFIX" "$BUILD"/deps/.musl-*
	(cd "$SRC" && ./configure --prefix="$PREFIX" --disable-shared CFLAGS="$OPT" &&
		make -j"$NPROC" AR=ar RANLIB="ranlib -D" && make install) >>"$LOG" 2>&1
	# The guest's kernel headers: trixie's linux-libc-dev, extracted.
	"$DEPS_ROOT/deps/fetch.sh" "$BUILD" linux-libc-dev
	local x=$BUILD/src/musl/linux-libc-dev
	rm -rf "$x"
	dpkg-deb -x "$(lock_file linux-libc-dev)" "$x"
	cp -rL "$x/usr/include/linux" "$x/usr/include/asm-generic" "$PREFIX/include/"
	cp -rL "$x/usr/include/x86_64-linux-gnu/asm" "$PREFIX/include/asm"
	rm -rf "$x"
	# musl-gcc must work from any directory: its paths are absolute.
	(cd / && printf '#include <linux/dm-ioctl.h>\n#include <linux/tdx-guest.h>\nint main(void){return 0;}\n' |
		"$CC" -static -x c - -o "$SRC/hello") >>"$LOG" 2>&1 || die "musl-gcc cannot build a program; see $LOG"
}

build_yyjson() {
	mkdir -p "$SRC/obj"
	# Strict RFC 8259 only, and none of the JSON Pointer/Patch utilities.
	(cd "$SRC" && $CC $OPT -DYYJSON_DISABLE_NON_STANDARD=1 -DYYJSON_DISABLE_UTILS=1 \
		-std=c99 -c src/yyjson.c -o obj/yyjson.o &&
		ar $ARFLAGS obj/libyyjson.a obj/yyjson.o) >>"$LOG" 2>&1
	install -m 644 "$SRC/obj/libyyjson.a" "$PREFIX/lib/"
	install -m 644 "$SRC/src/yyjson.h" "$PREFIX/include/"
}

build_libzstd() {
	local what=libzstd.a-mt opts=""
	if [ "$FLAVOUR" = musl ]; then
		# The guest only decompresses.
		what=libzstd.a
		opts="ZSTD_LIB_COMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 ZSTD_LEGACY_SUPPORT=0"
	fi
	make -C "$SRC/lib" -j"$NPROC" $what CC="$CC" CFLAGS="$OPT" ARFLAGS=$ARFLAGS \
		ZSTD_LIB_DEPRECATED=0 $opts >>"$LOG" 2>&1
	install -m 644 "$SRC/lib/libzstd.a" "$PREFIX/lib/"
	install -m 644 "$SRC/lib/zstd.h" "$SRC/lib/zstd_errors.h" "$PREFIX/include/"
	[ "$FLAVOUR" = musl ] || install -m 644 "$SRC/lib/zdict.h" "$PREFIX/include/"
}

build_libisal() {
	command -v nasm >/dev/null || die "nasm is missing: run deps/host-packages.sh"
	# Makefile.unx: the whole library with its nasm fast paths.
	make -C "$SRC" -f Makefile.unx -j"$NPROC" lib isa-l.h CC="$CC" \
		DEBUG="-ffunction-sections -fdata-sections -ffile-prefix-map=$SRC=." \
		"ARFLAGS_=$ARFLAGS \$@" "STRIP_$CC=" >>"$LOG" 2>&1
	install -m 644 "$SRC/bin/isa-l.a" "$PREFIX/lib/libisal.a"
	mkdir -p "$PREFIX/include/isa-l"
	install -m 644 "$SRC/isa-l.h" "$PREFIX/include/"
	install -m 644 "$SRC"/include/*.h "$PREFIX/include/isa-l/"
}

build_mbedtls() {
	# Our configuration replaces the default one, in the build and installed;
	# likewise our GCM context (MBEDTLS_GCM_ALT; <mbedtls/gcm.h> includes
	# "gcm_alt.h", found next to it).
	install -m 644 "$MBEDTLS_CONFIG" "$SRC/include/mbedtls/mbedtls_config.h"
	install -m 644 "$MBEDTLS_GCM_ALT" "$SRC/include/mbedtls/gcm_alt.h"
	make -C "$SRC/library" -j"$NPROC" static CC="$CC" CFLAGS="$OPT" AR=ar \
		ARFLAGS=$ARFLAGS >>"$LOG" 2>&1
	local l
	for l in libmbedcrypto.a libmbedx509.a libmbedtls.a; do
		install -m 644 "$SRC/library/$l" "$PREFIX/lib/"
	done
	rm -rf "$PREFIX/include/mbedtls" "$PREFIX/include/psa"
	cp -r "$SRC/include/mbedtls" "$SRC/include/psa" "$PREFIX/include/"
	install -m 644 "$MBEDTLS_GCM_ALT" "$PREFIX/include/gcm_alt.h"
}

main() {
	local key
	step_lock "$FLAVOUR-$LIB"
	key=$(stamp_key)
	stamp_fresh "$STAMP" "$key" && return 0
	note "build $FLAVOUR/$LIB"
	rm -f "$STAMP"
	mkdir -p "$BUILD/src/$FLAVOUR"
	: >"$LOG"
	unpack "$LIB"
	[ "$LIB" = musl ] || mkdir -p "$PREFIX/include" "$PREFIX/lib"
	trap 'tail -40 "$LOG" >&2; echo "deps: build of $FLAVOUR/$LIB failed (log: $LOG)" >&2' EXIT
	"build_$LIB"
	trap - EXIT
	rm -rf "$SRC"
	printf '%s\n' "$key" >"$STAMP"
}

case $LIB in
musl | yyjson | libzstd | libisal | mbedtls) main; exit ;;
*) die "unknown library $LIB" ;;
esac
