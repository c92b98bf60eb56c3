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
# The IGVM guests `make` built from the same kernel, initrd and demo image
# (docs/igvm.md): their SEV-SNP launch digests, then a boot of the native one.
d_kvm=$("$BUILD/ccguest" measure "$BUILD/guest-snp-kvm.igvm" --platform snp --loader kvm \
	--vcpus 1 --vcpu-type EPYC-v4) || fail "ccguest measure $BUILD/guest-snp-kvm.igvm failed"
d_mshv=$("$BUILD/ccguest" measure "$BUILD/guest-snp-mshv.igvm" --platform snp --loader mshv) ||
	fail "ccguest measure $BUILD/guest-snp-mshv.igvm failed"
[[ $d_kvm =~ ^[0-9a-f]{96}$ && $d_mshv =~ ^[0-9a-f]{96}$ ]] ||
	fail "ccguest measure printed '$d_kvm' and '$d_mshv', not digests"
echo "demo: SEV-SNP launch digest (kvm, 1 vCPU): $d_kvm"
echo "demo: SEV-SNP launch digest (mshv):        $d_mshv"
refs=$BUILD/reference-values.json
$PY - "$refs" "$d_kvm" "$d_mshv" <<'PYEOF' || fail "the digests are not the ones in $refs"
import json, sys
r = json.load(open(sys.argv[1]))["snp_launch_measurement"]
sys.exit(0 if r["kvm"]["1"] == sys.argv[2] and r["mshv"] == sys.argv[3] else 1)
PYEOF
echo "demo: $refs holds these, the kvm digests for 1-8 vCPUs (EPYC-v4) and the TDX MRTD of OVMF"
[ "$(cat "$BUILD/demo/image.digest" 2>/dev/null)" = "$digest" ] ||
	fail "$BUILD/demo/image.digest is not $digest: the IGVMs pin another image (run make)"
igvm_log=$BUILD/demo/console-igvm.log
echo "demo: booting $BUILD/guest-native.igvm (console follows): the native IGVM layout and boot stub on QEMU, not SEV-SNP"
set +e
"$BUILD/ccguest" run --igvm "$BUILD/guest-native.igvm" --oci-layout "$layout" --image demo 2>&1 | tee "$igvm_log"
rc=${PIPESTATUS[0]}
set -e
echo "demo: ccguest run --igvm exited with status $rc"
[ "$rc" -eq 0 ] || fail "IGVM boot: exit status $rc"
grep -q 'hello from the confidential workload' "$igvm_log" || fail "IGVM boot: no workload output"
grep -q 'ccinit: workload exited with status 0' "$igvm_log" || fail "IGVM boot: no exit line"
echo "demo: the native IGVM booted (reset vector, boot stub, Linux, ccinit) and ran the workload"
echo "demo: OK"
