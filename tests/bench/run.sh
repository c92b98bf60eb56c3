#!/usr/bin/env bash
# make bench: measure ccguest against its peers in the same run and write
# build/bench.json.  Timings are never asserted by tests; this prints ratios.
set -euo pipefail
BUILD=${1:-build}
PY=/usr/bin/python3
W=$BUILD/bench-work
SHM=$(mktemp -d /dev/shm/ccg-bench.XXXXXX)
trap 'rm -rf "$SHM"' EXIT
mkdir -p "$W"
out=$W/figures.env
: > "$out"
put() { echo "$1=$2" >> "$out"; printf '  %-28s %s\n' "$1" "$2"; }
secs() { # secs CMD...: wall seconds of one run
	local t0 t1
	t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" "BEGIN{printf \"%.3f\\n\", b-a}"
}

echo "bench: sizes"
put ccinit_bytes "$(stat -c %s "$BUILD/ccinit")"
put initrd_bytes "$(stat -c %s "$BUILD/initrd.img")"

echo "bench: boot (demo image)"
layout=$W/demo
$PY tests/lib/mkdemo.py "$layout" demo > /dev/null
"$BUILD/ccguest" run -v --oci-layout "$layout" --image demo > "$W/boot.log" 2>&1 || true
b2e=$(grep -o 'boot_to_exec=[0-9.]*' "$W/boot.log" | head -1 | cut -d= -f2)
accel=$(sed -n 's/^ccguest: accelerator: \([a-z]*\).*/\1/p' "$W/boot.log" | head -1)
put boot_to_exec_ms "$(awk -v s="${b2e:-0}" "BEGIN{printf \"%.0f\", s*1000}")"
put accel "${accel:-unknown}"

echo "bench: layer pipeline (one layer of /usr/lib/x86_64-linux-gnu)"
tarf=$W/layer.tar
if [ ! -s "$tarf.gz" ] || [ ! -s "$tarf.zst" ]; then
	tar -C /usr/lib/x86_64-linux-gnu --sort=name --mtime=@0 --owner=0 --group=0 -cf "$tarf" .
	gzip -6 -n -c "$tarf" > "$tarf.gz"
	zstd -3 -q -f -c "$tarf" > "$tarf.zst"
	sha256sum "$tarf" | cut -d' ' -f1 > "$tarf.sha256"
	rm -f "$tarf"
fi
diff=sha256:$(cat "$tarf.sha256")
put layer_tar_bytes "$(zstd -lv "$tarf.zst" 2>/dev/null | awk '/Decompressed Size/{gsub(/[(),]/,"",$0); print $(NF-1)}' | head -1)"
gzd=sha256:$(sha256sum "$tarf.gz" | cut -d' ' -f1)
zsd=sha256:$(sha256sum "$tarf.zst" | cut -d' ' -f1)
run_ours() { # comp blob digest
	rm -rf "$SHM/o"; mkdir "$SHM/o"
	"$BUILD/bench/pipeline_bench" "$2" "$1" "$3" "$diff" "$SHM/o"
}
best() { sort -n | head -1; }
r_gz=$(for i in 1 2 3; do run_ours gzip "$tarf.gz" "$gzd" | awk '{print $2, $4}'; done | sort -n | head -1)
r_zs=$(for i in 1 2 3; do run_ours zstd "$tarf.zst" "$zsd" | awk '{print $2, $4}'; done | sort -n | head -1)
peer() { rm -rf "$SHM/p"; mkdir "$SHM/p"; secs bash -c "$1"; }
p_gz=$(for i in 1 2 3; do peer "igzip -dc '$tarf.gz' | tar -x -C '$SHM/p'"; done | best)
p_zs=$(for i in 1 2 3; do peer "zstd -dc '$tarf.zst' | tar -x -C '$SHM/p'"; done | best)
# umoci on the same gzip blob, in an OCI layout
ul=$W/umoci-layout
if [ ! -f "$ul/index.json" ]; then
	$PY - "$ul" "$tarf.gz" "$gzd" "$diff" <<'PYEOF'
import json, os, sys, hashlib
root, blob, bd, diff = sys.argv[1:]
os.makedirs(root + "/blobs/sha256", exist_ok=True)
dst = root + "/blobs/sha256/" + bd[7:]
if not os.path.exists(dst):
    os.link(blob, dst)
def put(o):
    b = json.dumps(o).encode(); d = hashlib.sha256(b).hexdigest()
    open(root + "/blobs/sha256/" + d, "wb").write(b); return "sha256:" + d, len(b)
cd, cs = put({"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": [diff]}})
md, ms = put({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
              "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": bd,
                          "size": os.path.getsize(blob)}]})
open(root + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "t"}}]},
          open(root + "/index.json", "w"))
PYEOF
fi
p_um=$(for i in 1 2; do rm -rf "$SHM/u"; secs umoci unpack --image "$ul:t" "$SHM/u"; done | best)
rm -rf "$SHM/o" "$SHM/p" "$SHM/u"
put pipeline_gzip_s "${r_gz% *}"
put pipeline_zstd_s "${r_zs% *}"
rss=$(printf '%s\n%s\n' "${r_gz#* }" "${r_zs#* }" | sort -n | tail -1)
put pipeline_peak_rss_mb "$rss"
put peer_igzip_tar_s "$p_gz"
put peer_zstd_tar_s "$p_zs"
put peer_umoci_s "$p_um"

echo "bench: SHA-256 (one core)"
put sha256_gbps "$("$BUILD/bench/sha256_bench" | awk '/sha256_gbps/{print $2}')"
ossl=$(openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null | awk '/^sha256/{v=$NF} END{print v}')
put peer_openssl_sha256_gbps "$(awk -v k="${ossl%k}" "BEGIN{printf \"%.3f\", k*1000/1e9}")"

echo "bench: attestation (host build of the KBS client vs a Python client, dev KBS on loopback)"
kd=$W/kbs
rm -rf "$kd"
mkdir -p "$kd/res/default/test"
head -c 4096 /dev/urandom > "$kd/res/default/test/secret"
echo '{"allow":[{"tee":["sample"],"resource":"default/test/*"}]}' > "$kd/policy.json"
$PY tests/kbs/kbs.py --listen 127.0.0.1:0 --port-file "$kd/port" --tls-dir "$kd/tls" \
	--resources "$kd/res" --policy "$kd/policy.json" --log "$kd/kbs.log" &
kbs_pid=$!
trap 'kill $kbs_pid 2>/dev/null || true; rm -rf "$SHM"' EXIT
for _ in $(seq 100); do [ -s "$kd/port" ] && break; sleep 0.1; done
port=$(cat "$kd/port")
a_ours=$("$BUILD/bench/attest_bench" "https://localhost:$port" "$kd/tls/ca.pem" \
	kbs:///default/test/secret 20 | awk '{print $2}')
a_peer=$($PY tests/bench/attest_peer.py "$port" "$kd/tls/ca.pem" default/test/secret 20 |
	awk '{print $2}')
kill $kbs_pid 2>/dev/null || true
put attest_ms "$a_ours"
put peer_python_client_attest_ms "$a_peer"

$PY - "$out" "$BUILD/bench.json" <<'PYEOF'
import json, sys
f = {}
for line in open(sys.argv[1]):
    k, v = line.strip().split("=", 1)
    try:
        f[k] = int(v) if v.isdigit() else float(v)
    except ValueError:
        f[k] = v
r = {}
def ratio(name, a, b):
    if f.get(a) and f.get(b):
        r[name] = round(f[a] / f[b], 3)
ratio("gzip_vs_igzip_tar", "peer_igzip_tar_s", "pipeline_gzip_s")
ratio("gzip_vs_umoci", "peer_umoci_s", "pipeline_gzip_s")
ratio("zstd_vs_zstd_tar", "peer_zstd_tar_s", "pipeline_zstd_s")
ratio("sha256_vs_openssl", "sha256_gbps", "peer_openssl_sha256_gbps")
ratio("attest_vs_python_client", "peer_python_client_attest_ms", "attest_ms")
f["ratios"] = r
json.dump(f, open(sys.argv[2], "w"), indent=1, sort_keys=True)
print("bench: speed-up ratios (peer time / ours; >1 means ccguest is faster):")
for k, v in sorted(r.items()):
    print("  %-28s %s" % (k, v))
PYEOF
echo "bench: wrote $BUILD/bench.json"
