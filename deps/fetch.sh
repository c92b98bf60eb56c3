#!/bin/bash
# deps/fetch.sh BUILD NAME...: make $BUILD/dl/<file> of each lock entry NAME
# present and verified.  The file must match the lock (sha256, size) and the
# trixie index (apt-cache showsrc / apt-cache show) must list the pinned
# version with the same file and sha256.  Downloads go through the private apt
# configuration with apt-helper; CCG_DL_CACHE, if set, is a directory of
# earlier downloads to copy from (and to fill).
BUILD=$1; shift
. "$(dirname "$0")/lib.sh"
# One apt user at a time on the private lists (parallel make).
if [ "${CCG_APT_LOCKED:-}" != 1 ]; then
	mkdir -p "$APTDIR"
	CCG_APT_LOCKED=1 exec flock "$APTDIR/.flock" "$0" "$BUILD" "$@"
fi

# index_entry KIND NAME VER: "file sha256 size" as the index has it.
index_entry() {
	if [ "$1" = src ]; then src_orig "$2" "$3"; else deb_info "$2" "$3"; fi
}

# newest KIND NAME: the newest version the index has of NAME.
newest() {
	local v n=$2
	if [ "$1" = kernel ]; then n=$(kernel_current); fi
	if [ "$1" = src ]; then v=$(vmax $(src_versions "$n")); else v=$(vmax $(deb_versions "$n")); fi
	if [ "$n" != "$2" ]; then v="$n $v"; fi
	printf '%s\n' "${v:-nothing}"
}

# check_index KIND NAME VER FILE SHA SIZE: the index agrees with the lock.
check_index() {
	local got
	got=$(index_entry "$1" "$2" "$3")
	if [ -z "$got" ]; then
		apt_update # the lists may be older than the lock
		got=$(index_entry "$1" "$2" "$3")
	fi
	[ -n "$got" ] || die "$2 $3 is no longer served by the archive (it has $(newest "$1" "$2")); run \`make update-lock\`"
	[ "$got" = "$4 $5 $6" ] ||
		die "$2 $3: the archive index has \"$got\", $LOCK has \"$4 $5 $6\""
}

# verified PATH SHA SIZE: PATH exists with that size and sha256.
verified() {
	[ -f "$1" ] && [ "$(stat -c %s "$1")" = "$3" ] &&
		[ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$2" ]
}

# uri KIND NAME VER FILE: the download URI apt gives for FILE.
uri() {
	local out
	if [ "$1" = src ]; then
		out=$(cd "$APTDIR" && aptq apt-get -qq source --print-uris --only-source "$2=$3" 2>/dev/null)
	else
		out=$(cd "$APTDIR" && aptq apt-get -qq download --print-uris "$2=$3" 2>/dev/null)
	fi
	printf '%s\n' "$out" | awk -v f="$4" '$2==f {gsub(/\047/, "", $1); print $1; exit}'
}

fetch_one() {
	local kind name ver file sha size u tmp
	set -- $(lock_get "$1")
	[ $# = 6 ] || die "bad lock line for $1 in $LOCK"
	kind=$1 name=$2 ver=$3 file=$4 sha=$5 size=$6
	check_index "$kind" "$name" "$ver" "$file" "$sha" "$size"
	verified "$DL/$file" "$sha" "$size" && return 0
	mkdir -p "$DL"
	tmp=$DL/.part-$file
	rm -f "$tmp"
	if [ -n "${CCG_DL_CACHE:-}" ] && verified "$CCG_DL_CACHE/$file" "$sha" "$size"; then
		note "copy $file from $CCG_DL_CACHE"
		cp "$CCG_DL_CACHE/$file" "$tmp"
	else
		u=$(uri "$kind" "$name" "$ver" "$file")
		[ -n "$u" ] || die "$name $ver: apt gives no URI for $file"
		note "download $file"
		if ! aptq /usr/lib/apt/apt-helper -q download-file "$u" "$tmp" "SHA256:$sha" >"$DL/.log" 2>&1; then
			cat "$DL/.log" >&2
			rm -f "$tmp"
			apt_update
			check_index "$kind" "$name" "$ver" "$file" "$sha" "$size"
			die "$name $ver: download of $file failed"
		fi
	fi
	verified "$tmp" "$sha" "$size" || { rm -f "$tmp"; die "$file: sha256 or size differs from $LOCK"; }
	mv "$tmp" "$DL/$file"
	if [ -n "${CCG_DL_CACHE:-}" ] && [ -d "$CCG_DL_CACHE" ] && [ -w "$CCG_DL_CACHE" ] &&
		! [ -e "$CCG_DL_CACHE/$file" ]; then
		if cp "$DL/$file" "$CCG_DL_CACHE/.part-$file"; then
			mv "$CCG_DL_CACHE/.part-$file" "$CCG_DL_CACHE/$file"
		fi
	fi
}

main() {
	apt_ready
	local n
	for n in "$@"; do fetch_one "$n"; done
}

main "$@"; exit
