#!/bin/bash
# deps/kernel.sh BUILD: the guest kernel from the pinned trixie cloud kernel
# package, extracted (never installed) into $BUILD/kernel:
#   vmlinuz   the bzImage
#   vmlinux   the ELF kernel (PVH entry) unpacked from the bzImage's zstd payload
#   modules/  the package's usr/lib/modules/<version>/ tree
#   config    the kernel's build configuration
#   version   the uname -r string
# Checks that every module init/modules.list names is in modules/.
BUILD=$1
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL

KDIR=$BUILD/kernel
MODLIST=$DEPS_ROOT/init/modules.list

# elf_from_bzimage BZ OUT: find the zstd frame holding the ELF kernel.
elf_from_bzimage() {
	local off
	for off in $(grep -obUaP '\x28\xb5\x2f\xfd' "$1" | cut -d: -f1); do
		# zstd exits non-zero on the bzImage's trailing data; the ELF magic decides.
		tail -c +$((off + 1)) "$1" | zstd -dcq >"$2" 2>/dev/null || true
		[ "$(head -c 4 "$2" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && return 0
	done
	die "$1: no zstd-compressed ELF kernel found"
}

# check_modlist: every module init/modules.list names is there.
check_modlist() {
	[ -f "$MODLIST" ] || return 0
	local m
	for m in $(grep -v '^\(#\|\[\)' "$MODLIST"); do
		[ -f "$KDIR/modules/$m" ] || die "$MODLIST names $m, which kernel $(cat "$KDIR/version") does not have (deps/modules-list.sh rewrites the list)"
	done
}

main() {
	local name deb x ver key
	name=$(lock_names kernel)
	[ -n "$name" ] && [ "$(echo "$name" | wc -l)" = 1 ] || die "$LOCK needs exactly one kernel entry"
	step_lock kernel
	key=$(lock_get "$name"; sha256sum <"$0")
	if stamp_fresh "$BUILD/.kernel" "$key"; then
		check_modlist
		return 0
	fi
	rm -f "$BUILD/.kernel"
	"$DEPS_ROOT/deps/fetch.sh" "$BUILD" "$name"
	deb=$(lock_file "$name")
	note "kernel $name"
	x=$KDIR.tmp
	rm -rf "$x" "$KDIR"
	mkdir -p "$x/deb" "$x/out"
	dpkg-deb -x "$deb" "$x/deb"
	ver=$(ls "$x/deb/usr/lib/modules")
	[ -n "$ver" ] && [ -f "$x/deb/boot/vmlinuz-$ver" ] || die "$deb: no boot/vmlinuz-<version>"
	cp "$x/deb/boot/vmlinuz-$ver" "$x/out/vmlinuz"
	cp "$x/deb/boot/config-$ver" "$x/out/config"
	mv "$x/deb/usr/lib/modules/$ver" "$x/out/modules"
	printf '%s\n' "$ver" >"$x/out/version"
	elf_from_bzimage "$x/out/vmlinuz" "$x/out/vmlinux"
	mv "$x/out" "$KDIR"
	rm -rf "$x"
	check_modlist
	printf '%s\n' "$key" >"$BUILD/.kernel"
}

main; exit
