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
# The dev KBS (a test peer of Trustee) on 127.0.0.1 with a generated test CA,
# one resource, and a policy that lets the sample TEE have it.
kbsdir=$BUILD/demo/kbs
rm -rf "$kbsdir"
mkdir -p "$kbsdir/resources/default/test"
printf 'demo-secret-%s\n' "$(date +%s%N)" > "$kbsdir/resources/default/test/secret"
echo '{"allow":[{"tee":["sample"],"resource":"default/test/*"}]}' > "$kbsdir/policy.json"
$PY tests/kbs/kbs.py --listen 127.0.0.1:0 --port-file "$kbsdir/port" --tls-dir "$kbsdir/tls" \
	--resources "$kbsdir/resources" --policy "$kbsdir/policy.json" --log "$kbsdir/kbs.log" &
kbs_pid=$!
trap 'kill $kbs_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$kbsdir/port" ] && break; sleep 0.1; done
[ -s "$kbsdir/port" ] || { echo "demo: FAILED: the dev KBS did not start"; exit 1; }
kbs=https://localhost:$(cat "$kbsdir/port")
want=$(sha256sum "$kbsdir/resources/default/test/secret" | cut -d' ' -f1)
echo "demo: dev KBS at $kbs (sample TEE allowed for default/test/*)"
echo "demo: booting the guest (console follows)"
set +e
"$BUILD/ccguest" run --tee sample --kbs "$kbs" --kbs-cert "$kbsdir/tls/ca.pem" \
	--fetch kbs:///default/test/secret --oci-layout "$layout" --image demo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "demo: ccguest run exited with status $rc"
fail() { echo "demo: FAILED: $*"; exit 1; }
[ "$rc" -eq 0 ] || fail "exit status $rc"
grep -q 'hello from the confidential workload' "$log" || fail "no workload output"
grep -q 'whiteout: /etc/motd-old removed' "$log" || fail "whiteout not applied"
grep -q 'ccinit: workload exited with status 0' "$log" || fail "no exit line"
grep -q "ccinit: resource kbs:///default/test/secret sha256=$want" "$log" ||
	fail "the fetched resource's sha256 is not the file's ($want)"
echo "demo: attested (sample) and fetched kbs:///default/test/secret, sha256 matches the file"
echo "demo: per-phase timings reported by ccinit (seconds since boot):"
grep -o 'ccinit: timings: .*' "$log" | sed 's/^ccinit: timings: //; s/ (s)$//' | tr ' ' '\n' | sed '/^$/d;s/=/: /;s/$/ s/;s/^/  /'
echo "demo: OK"
