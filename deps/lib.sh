# deps/lib.sh: shared shell functions for the deps/ scripts (sourced, not run).
# shellcheck shell=bash
#
# Everything comes from Debian trixie through a private apt configuration under
# $BUILD/apt: its own sources.list, lists, cache and state.  The machine's own
# apt configuration is only read, to learn the archive's base URI.  No host
# name is written in this repository.
#
# The caller sets BUILD (the build directory) and sources this file.

set -eu
export LC_ALL=C

DEPS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCK=${CCG_LOCK:-$DEPS_ROOT/deps/lock}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
APTDIR=$BUILD/apt
DL=$BUILD/dl
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "deps: $*" >&2; exit 1; }
note() { echo "  DEPS    $*" >&2; }

# ---- the private apt configuration -------------------------------------------

# apt_base_uri: the archive's base URI, from the machine's apt configuration.
apt_base_uri() {
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' |
		awk '$2=="bookworm"{print $1;exit}'
}

# apt_setup: (re)write $APTDIR/apt.conf and sources.list if missing.
apt_setup() {
	[ -f "$APTDIR/apt.conf" ] && return 0
	local base
	base=$(apt_base_uri)
	[ -n "$base" ] || die "no bookworm archive URI in the machine's apt configuration"
	[ -r "$KEYRING" ] || die "$KEYRING missing (install debian-archive-keyring)"
	mkdir -p "$APTDIR"/etc/apt.conf.d "$APTDIR"/etc/preferences.d \
		"$APTDIR"/etc/sources.list.d "$APTDIR"/lists/partial \
		"$APTDIR"/cache/archives/partial "$APTDIR"/state
	: >"$APTDIR/state/status"
	printf 'deb [signed-by=%s] %s trixie main\ndeb-src [signed-by=%s] %s trixie main\n' \
		"$KEYRING" "$base" "$KEYRING" "$base" >"$APTDIR/etc/sources.list"
	{
		printf 'Dir::Etc "%s";\n' "$APTDIR/etc"
		printf 'Dir::Etc::sourcelist "%s";\n' "$APTDIR/etc/sources.list"
		printf 'Dir::Etc::sourceparts "%s";\n' "$APTDIR/etc/sources.list.d"
		printf 'Dir::Etc::preferencesparts "%s";\n' "$APTDIR/etc/preferences.d"
		printf 'Dir::Etc::parts "%s";\n' "$APTDIR/etc/apt.conf.d"
		printf 'Dir::State "%s";\n' "$APTDIR/state"
		printf 'Dir::State::lists "%s";\n' "$APTDIR/lists"
		printf 'Dir::State::status "%s";\n' "$APTDIR/state/status"
		printf 'Dir::Cache "%s";\n' "$APTDIR/cache"
		echo 'APT::Architecture "amd64";'
		echo 'APT::Architectures { "amd64"; };'
		echo 'APT::Sandbox::User "root";'
		echo 'Acquire::Languages "none";'
		echo 'Acquire::GzipIndexes "false";'
		echo 'Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";'
		# Carry over the machine's proxy and date-check settings, if any.
		apt-config dump | grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' || true
	} >"$APTDIR/apt.conf.tmp"
	mv "$APTDIR/apt.conf.tmp" "$APTDIR/apt.conf"
}

# aptq CMD...: run an apt tool with the private configuration.
aptq() { APT_CONFIG="$APTDIR/apt.conf" "$@"; }

# apt_update: fetch trixie's indexes into the private lists.
apt_update() {
	note "apt-get update (private trixie lists in $APTDIR)"
	aptq apt-get -q -o Dpkg::Use-Pty=0 update >"$APTDIR/update.log" 2>&1 ||
		{ cat "$APTDIR/update.log" >&2; die "apt-get update of the private trixie lists failed"; }
	touch "$APTDIR/.updated"
}

# apt_ready: config written and indexes fetched at least once.
apt_ready() {
	apt_setup
	[ -f "$APTDIR/.updated" ] || apt_update
}

# ---- index look-ups (apt-cache, never the list files) -------------------------

# vmax: the highest Debian version among the arguments.
vmax() {
	local best="" v
	for v in "$@"; do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done
	printf '%s\n' "$best"
}

# src_versions PKG: every version of source package PKG in the index.
src_versions() {
	aptq apt-cache showsrc --only-source "$1" 2>/dev/null |
		awk -v p="$1" '/^Package:/{ok=($2==p)} ok&&/^Version:/{print $2}'
}

# src_orig PKG VER: "file sha256 size" of the .orig tarball of PKG VER.
src_orig() {
	aptq apt-cache showsrc --only-source "$1" 2>/dev/null | awk -v p="$1" -v v="$2" '
		/^Package:/ {pk=$2}  /^Version:/ {ver=$2}
		/^[^ ]/ {sec=$1}
		/^ / && sec=="Checksums-Sha256:" && pk==p && ver==v &&
		    $3 ~ /\.orig\.tar\.[a-z0-9]+$/ {print $3, $1, $2; exit}'
}

# deb_versions PKG: every version of binary package PKG in the index.
deb_versions() {
	aptq apt-cache show "$1" 2>/dev/null | awk '/^Version:/{print $2}'
}

# deb_info PKG VER: "file sha256 size" of the .deb of PKG VER.
deb_info() {
	aptq apt-cache show "$1=$2" 2>/dev/null | awk '
		/^Filename:/ {n=split($2, a, "/"); f=a[n]}
		/^SHA256:/ {h=$2}  /^Size:/ {s=$2}
		/^$/ {exit}
		END {if (f != "") print f, h, s}'
}

# deb_depends PKG: the Depends line of the newest PKG.
deb_depends() {
	aptq apt-cache show "$1" 2>/dev/null | awk '/^Depends:/{sub(/^Depends: /, ""); print; exit}'
}

# The guest kernel follows this metapackage (see update-lock.sh).
KERNEL_META=linux-image-cloud-amd64

# kernel_current: the linux-image package KERNEL_META depends on now.
kernel_current() {
	deb_depends "$KERNEL_META" | tr ',|' '\n\n' | awk '$1 ~ /^linux-image-/ {print $1; exit}'
}

# ---- stamps -------------------------------------------------------------------
# A stamp file holds a key: the lock lines and script hashes it was made from.
# A step whose key matches its stamp only touches it.  Steps take a lock, so
# two make runs (other shells, other jobs) never build the same thing at once.

# step_lock NAME: hold $BUILD/deps/.lock-NAME until the script exits.
step_lock() {
	mkdir -p "$BUILD/deps"
	exec 9>"$BUILD/deps/.lock-$1"
	flock 9
}

# stamp_fresh STAMP KEY: STAMP holds KEY; touch it.
stamp_fresh() {
	[ -f "$1" ] && [ "$(cat "$1")" = "$2" ] || return 1
	touch "$1"
}

# ---- the lock -------------------------------------------------------------------
# Lines: KIND NAME VERSION FILE SHA256 SIZE.  KIND src: NAME is a source
# package and FILE its .orig tarball.  KIND deb|kernel|peer: NAME is a binary
# package and FILE its .deb (deb: a build input, kernel: the guest kernel,
# peer: a host tool extracted under $BUILD/peers).

# lock_get NAME: the lock line of NAME (fails if absent).
lock_get() {
	local l
	l=$(awk -v n="$1" '$1 !~ /^#/ && $2==n {print; exit}' "$LOCK")
	[ -n "$l" ] || die "$1 is not in $LOCK"
	printf '%s\n' "$l"
}

# lock_names KIND: the names of every entry of KIND, in lock order.
lock_names() { awk -v k="$1" '$1==k {print $2}' "$LOCK"; }

# lock_file NAME: the absolute path of NAME's download.
lock_file() { set -- $(lock_get "$1"); printf '%s/%s\n' "$DL" "$4"; }
