#!/bin/bash
# deps/modules-list.sh BUILD MODULE...: print, in load order, the paths
# (relative to $BUILD/kernel/modules) of the named modules and of everything
# they depend on (modinfo -F depends), dependencies first.  Modules built into
# the kernel are skipped with a comment.  Used to write init/modules.list:
#   deps/modules-list.sh build virtio_mmio virtio_blk configfs
BUILD=$1; shift
. "$(dirname "$0")/lib.sh"
MODDIR=$BUILD/kernel/modules
[ -d "$MODDIR/kernel" ] || die "$MODDIR: no kernel modules (make $BUILD/.kernel first)"

declare -A PATHS SEEN
while IFS= read -r p; do
	n=${p##*/}
	n=${n%%.ko*}
	PATHS[${n//-/_}]=$p
done < <(cd "$MODDIR" && find kernel -name '*.ko*' | sort)

visit() {
	local key=${1//-/_} p d
	[ -z "${SEEN[$key]:-}" ] || return 0
	SEEN[$key]=1
	p=${PATHS[$key]:-}
	if [ -z "$p" ]; then
		grep -q "/${key}.ko\$\|/${1}.ko\$" "$MODDIR/modules.builtin" ||
			die "module $1 is neither a module nor built into kernel $(cat "$BUILD/kernel/version")"
		echo "# $1: built in"
		return 0
	fi
	for d in $(modinfo -F depends "$MODDIR/$p" | tr ',' ' '); do visit "$d"; done
	echo "$p"
}

for m in "$@"; do visit "$m"; done
