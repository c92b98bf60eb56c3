#!/bin/bash
# deps/update-lock.sh BUILD: rewrite deps/lock to the versions the trixie
# archive serves now.  Keeps the entries (kind, name) and the comments; a
# kernel entry follows the linux-image-cloud-amd64 metapackage, so its name
# changes with the kernel ABI.  Prints what changed.
BUILD=$1; shift
. "$(dirname "$0")/lib.sh"
if [ "${CCG_APT_LOCKED:-}" != 1 ]; then
	mkdir -p "$APTDIR"
	CCG_APT_LOCKED=1 exec flock "$APTDIR/.flock" "$0" "$BUILD" "$@"
fi

# resolve KIND NAME: the current lock line for that entry.
resolve() {
	local kind=$1 name=$2 ver entry
	if [ "$kind" = kernel ]; then
		name=$(kernel_current)
		[ -n "$name" ] || die "$KERNEL_META names no linux-image package"
	fi
	if [ "$kind" = src ]; then
		ver=$(vmax $(src_versions "$name"))
		[ -n "$ver" ] || die "source package $name is not in the trixie index"
		entry=$(src_orig "$name" "$ver")
	else
		ver=$(vmax $(deb_versions "$name"))
		[ -n "$ver" ] || die "package $name is not in the trixie index"
		entry=$(deb_info "$name" "$ver")
	fi
	[ -n "$entry" ] || die "$name $ver: no .orig tarball or .deb in the index"
	printf '%s %s %s %s\n' "$kind" "$name" "$ver" "$entry"
}

main() {
	apt_setup
	apt_update
	local tmp=$LOCK.tmp line new
	: >"$tmp"
	while IFS= read -r line; do
		case $line in
		'#'* | '') printf '%s\n' "$line" >>"$tmp"; continue ;;
		esac
		set -- $line
		new=$(resolve "$1" "$2")
		[ "$new" = "$line" ] || echo "deps: $2 $3 -> $(echo "$new" | cut -d' ' -f2,3)"
		printf '%s\n' "$new" >>"$tmp"
	done <"$LOCK"
	if cmp -s "$tmp" "$LOCK"; then
		rm -f "$tmp"
		echo "deps: $LOCK is up to date"
	else
		mv "$tmp" "$LOCK"
		echo "deps: $LOCK rewritten"
	fi
}

main "$@"; exit
