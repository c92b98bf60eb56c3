#!/usr/bin/env bash
# make demo: build the demo image (busybox-static, a gzip layer and a zstd
# layer with a whiteout), boot it with `ccguest run`, show ccinit's per-phase
# timings, and end with "demo: OK".
set -euo pipefail
BUILD=${1:-build}
PY=/usr/bin/python3
layout=$BUILD/demo/layout
log=$BUILD/demo/console.log
mkdir -p "$BUILD/demo"
digest=$($PY tests/lib/mkdemo.py "$layout" demo)
echo "demo: image demo = $digest (gzip layer + zstd layer with a whiteout)"
echo "demo: booting the guest (console follows)"
set +e
"$BUILD/ccguest" run --oci-layout "$layout" --image demo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "demo: ccguest run exited with status $rc"
fail() { echo "demo: FAILED: $*"; exit 1; }
[ "$rc" -eq 0 ] || fail "exit status $rc"
grep -q 'hello from the confidential workload' "$log" || fail "no workload output"
grep -q 'whiteout: /etc/motd-old removed' "$log" || fail "whiteout not applied"
grep -q 'ccinit: workload exited with status 0' "$log" || fail "no exit line"
echo "demo: per-phase timings reported by ccinit (seconds since boot):"
grep -o 'ccinit: timings: .*' "$log" | sed 's/^ccinit: timings: //; s/ (s)$//' | tr ' ' '\n' | sed '/^$/d;s/=/: /;s/$/ s/;s/^/  /'
echo "demo: OK"
