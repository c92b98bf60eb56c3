#!/bin/bash
# deps/host-packages.sh: install the Debian bookworm packages the build and the
# tests need on the machine.  Idempotent and quiet when everything is there
# (one dpkg-query); otherwise apt-get update + install, without prompts.
# Runs as root (or through sudo when it is available).
set -eu
export LC_ALL=C

PKGS="build-essential make gcc clang libclang-rt-14-dev nasm zstd isal cpio
libcmocka-dev python3-pytest python3-cryptography python3-jwcrypto
qemu-system-x86 busybox-static skopeo umoci docker-registry cryptsetup-bin
openssl dpkg-dev ca-certificates xz-utils debian-archive-keyring util-linux
kmod"

missing=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' $PKGS 2>/dev/null |
	awk '$1=="ii" {print $2}' | sort | comm -13 - <(printf '%s\n' $PKGS | sort))
[ -n "$missing" ] || exit 0

echo "host-packages: installing" $missing >&2
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "host-packages: need root to install:" $missing >&2; exit 1; }
	SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -q update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install $missing
