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

echo "bench: encrypted layer (the same gzip layer, encrypted by skopeo for a JWE recipient)"
el=$W/enc-layout
if [ ! -f "$el/index.json" ] || [ ! -s "$W/enc-priv.pem" ]; then
	rm -rf "$el"
	$PY - "$W/enc-priv.pem" "$W/enc-pub.pem" <<'PYEOF'
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
open(sys.argv[1], "wb").write(k.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open(sys.argv[2], "wb").write(k.public_key().public_bytes(serialization.Encoding.PEM,
    serialization.PublicFormat.SubjectPublicKeyInfo))
PYEOF
	skopeo --insecure-policy copy -q --encryption-key "jwe:$W/enc-pub.pem" "oci:$ul:t" "oci:$el:t"
fi
# The layer's key, nonce and HMAC, unwrapped here with jwcrypto (for our
# pipeline_bench; the peer unwraps by itself).
read -r eblob ekey enonce ehmac < <($PY - "$el" "$W/enc-priv.pem" <<'PYEOF'
import base64, json, sys
from jwcrypto import jwe, jwk
root, priv = sys.argv[1:]
idx = json.load(open(root + "/index.json"))
m = json.load(open(root + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
l = m["layers"][0]
a = l["annotations"]
key = jwk.JWK.from_pem(open(priv, "rb").read())
e = jwe.JWE()
e.allowed_algs = ["RSA-OAEP", "RSA-OAEP-256", "A256GCM"]
e.deserialize(base64.b64decode(a["org.opencontainers.image.enc.keys.jwe"].split(",")[0]).decode(), key=key)
po = json.loads(e.payload)
pub = json.loads(base64.b64decode(a["org.opencontainers.image.enc.pubopts"]))
print(l["digest"], base64.b64decode(po["symkey"]).hex(),
      base64.b64decode(po["cipheroptions"]["nonce"]).hex(), base64.b64decode(pub["hmac"]).hex())
PYEOF
)
r_enc=$(for i in 1 2 3; do rm -rf "$SHM/o"; mkdir "$SHM/o"
	"$BUILD/bench/pipeline_bench" "$el/blobs/sha256/${eblob#sha256:}" gzip "$eblob" "$diff" \
		"$SHM/o" "$ekey" "$enonce" "$ehmac" | awk '{print $2, $4}'; done | sort -n | head -1)
p_enc=$(for i in 1 2; do rm -rf "$SHM/d" "$SHM/u"
	secs bash -c "skopeo --insecure-policy copy -q --decryption-key '$W/enc-priv.pem' \
		'oci:$el:t' 'oci:$SHM/d:t' && umoci unpack --image '$SHM/d:t' '$SHM/u'"; done | best)
rm -rf "$SHM/o" "$SHM/d" "$SHM/u"
put pipeline_enc_gzip_s "${r_enc% *}"
put pipeline_enc_peak_rss_mb "${r_enc#* }"
put peer_skopeo_decrypt_umoci_s "$p_enc"

echo "bench: SHA-256 (one core)"
put sha256_gbps "$("$BUILD/bench/sha256_bench" | awk '/sha256_gbps/{print $2}')"
ossl=$(openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null | awk '/^sha256/{v=$NF} END{print v}')
put peer_openssl_sha256_gbps "$(awk -v k="${ossl%k}" "BEGIN{printf \"%.3f\", k*1000/1e9}")"

echo "bench: AES-256 CTR and GCM (one core, 16 KiB buffers)"
aes=$("$BUILD/bench/aes_bench")
put aes256ctr_gbps "$(echo "$aes" | awk '/aes256ctr_gbps/{print $2}')"
put aes256gcm_gbps "$(echo "$aes" | awk '/aes256gcm_gbps/{print $2}')"
for m in ctr gcm; do
	ossl=$(openssl speed -evp aes-256-$m -bytes 16384 -seconds 3 2>/dev/null | awk '/^AES-256-/{v=$NF} END{print v}')
	put peer_openssl_aes256${m}_gbps "$(awk -v k="${ossl%k}" "BEGIN{printf \"%.3f\", k*1000/1e9}")"
done

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

echo "bench: IGVM (SEV-SNP guest of build/vmlinuz + build/initrd.img, best of 3)"
# Every step may fail on its own: it prints "bench: IGVM: ... skipped" and the
# rest goes on; its figures are then absent from bench.json.
igvm_err=$W/igvm-err.log
igvm_secs() { # igvm_secs CMD...: wall seconds of one run, or status 1 if it failed
	local t0 t1
	t0=$(date +%s.%N)
	"$@" > /dev/null 2> "$igvm_err" || return 1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f\n", b-a}'
}
igvm_best3() { # igvm_best3 CMD...: the best of 3 runs, or status 1 if one failed
	local i t all=
	for i in 1 2 3; do t=$(igvm_secs "$@") || return 1; all="$all$t"$'\n'; done
	printf '%s' "$all" | sort -n | head -1
}
igvm_skip() { echo "bench: IGVM: $1 failed, skipped: $(head -c 300 "$igvm_err" 2>/dev/null | tr '\n' ' ')"; }
igvm_stat_bytes() { # bytes the PSP hashes, from a --stats line on stderr
	grep -o '[0-9]* bytes' "$igvm_err" | head -1 | cut -d' ' -f1
}
igvm_mib() { awk -v b="$1" 'BEGIN{printf "%.3f", b/1048576}'; }
# The command line the Makefile measures (IGVM_CMDLINE), so that the file
# built here is the one `make` built.
igvm_cmdline="console=ttyS0 quiet panic=-1 cryptomgr.notests ccinit.image=$(cat "$BUILD/demo/image.digest" 2>/dev/null || true) ccinit.disk=vda"
igvm_file=$W/guest-snp-kvm.igvm
rm -f "$igvm_file"
if t=$(igvm_best3 "$BUILD/ccguest" igvm build --platform snp --loader kvm --kernel "$BUILD/vmlinuz" \
	--initrd "$BUILD/initrd.img" --cmdline "$igvm_cmdline" -o "$igvm_file"); then
	put igvm_build_s "$t"
	cmp -s "$igvm_file" "$BUILD/guest-snp-kvm.igvm" ||
		echo "bench: IGVM: note: $igvm_file differs from $BUILD/guest-snp-kvm.igvm"
else
	igvm_skip "ccguest igvm build"
fi
# Peer of the build: no IGVM tool ships in Debian, so the floor of the same
# work: read the kernel and the initrd, write them out as one file (to
# /dev/shm) and hash it once with sha384sum (the build hashes the kernel and
# initrd with SHA-256 for the stub's table and SHA-384s the measured pages for
# the ID block's digest).  The floor lays out nothing, builds no VMSA and signs
# nothing, so the ratio (floor time / ours) is at most about 1 and says how
# close to the I/O and hashing floor the build is.
if t=$(igvm_best3 bash -c "cat '$BUILD/vmlinuz' '$BUILD/initrd.img' > '$SHM/kernel+initrd' && sha384sum '$SHM/kernel+initrd'"); then
	put peer_cat_sha384sum_build_s "$t"
else
	igvm_skip "cat + sha384sum of the kernel and initrd"
fi
rm -f "$SHM/kernel+initrd"
if [ -s "$igvm_file" ]; then
	if t=$(igvm_best3 "$BUILD/ccguest" measure "$igvm_file" --platform snp --loader kvm --vcpus 1 --vcpu-type EPYC-v4); then
		put measure_s "$t"
	else
		igvm_skip "ccguest measure --loader kvm"
	fi
	# Peer of the measurement: sha384sum of the whole IGVM file, the floor of
	# reading it and hashing every page once with SHA-384.  The default layout
	# imports the kernel and initrd unmeasured (the stub checks their SHA-256),
	# so our measure reads and parses the file but hashes ~13 pages:
	# measure_vs_sha384sum is not like for like.  measure_payload_s is: the
	# same inputs built with --measure-payload (every page measured, as
	# igvmgen does), so the PSP model hashes what sha384sum hashes.
	if t=$(igvm_best3 sha384sum "$igvm_file"); then
		put peer_sha384sum_igvm_s "$t"
	else
		igvm_skip "sha384sum of the IGVM file"
	fi
	igvm_pfile=$W/guest-snp-kvm-payload.igvm
	if "$BUILD/ccguest" igvm build --platform snp --loader kvm --measure-payload --kernel "$BUILD/vmlinuz" \
		--initrd "$BUILD/initrd.img" --cmdline "$igvm_cmdline" -o "$igvm_pfile" > /dev/null 2> "$igvm_err"; then
		if t=$(igvm_best3 "$BUILD/ccguest" measure "$igvm_pfile" --platform snp --loader kvm --vcpus 1 --vcpu-type EPYC-v4); then
			put measure_payload_s "$t"
		else
			igvm_skip "ccguest measure of the --measure-payload file"
		fi
	else
		igvm_skip "ccguest igvm build --measure-payload"
	fi
else
	echo "bench: IGVM: no IGVM file built here, measure_s and its peer skipped"
fi
# MSHV: the file `make` built for that loader (its VMSA sits elsewhere; the
# same size as the kvm file, so the same sha384sum peer).
if t=$(igvm_best3 "$BUILD/ccguest" measure "$BUILD/guest-snp-mshv.igvm" --platform snp --loader mshv); then
	put measure_mshv_s "$t"
else
	igvm_skip "ccguest measure --loader mshv"
fi
if [ -s "$BUILD/guest-snp-kvm.igvm" ]; then
	put igvm_bytes "$(stat -c %s "$BUILD/guest-snp-kvm.igvm")"
else
	echo "bench: IGVM: no $BUILD/guest-snp-kvm.igvm, igvm_bytes skipped"
fi
# What the PSP hashes at launch: the contents of the NORMAL and VMSA pages
# (--stats "bytes measured"; CPUID, secrets, zero and unmeasured pages add a
# PAGE_INFO record each, no content).  For our IGVM: the boot stub, its
# config with the kernel's and initrd's SHA-256, boot_params, the command line
# and one VMSA; the kernel and initrd are imported unmeasured and checked by
# the stub before it jumps.
if "$BUILD/ccguest" measure "$BUILD/guest-snp-kvm.igvm" --platform snp --loader kvm --vcpus 1 \
	--vcpu-type EPYC-v4 --stats > /dev/null 2> "$igvm_err" && b=$(igvm_stat_bytes) && [ -n "$b" ]; then
	put snp_measured_mib "$(igvm_mib "$b")"
else
	igvm_skip "ccguest measure --stats of guest-snp-kvm.igvm"
fi
# Peer: sev-snp-measure's model of QEMU -bios OVMF with -kernel/-initrd/-append
# of the same files, with Debian's OVMF.fd: the PSP hashes the firmware's pages
# and one VMSA; the kernel and initrd are hashed later by OVMF (against the
# SEV hashes table, with an AmdSev build), not by the PSP.  Debian ships no
# AmdSev build: its OVMF.fd has no SNP_KERNEL_HASHES section, so this falls
# back to --no-kernel-hashes (same firmware pages; the kernel, initrd and
# command line are then not measured at all) and says so in peer_ovmf_mode.
ovmf=$BUILD/peers/root/usr/share/ovmf/OVMF.fd
ovmf_args=(measure --ovmf "$ovmf" --vcpus 1 --vcpu-type EPYC-v4 --vmm qemu --guest-features 0x1 --stats)
if "$BUILD/ccguest" "${ovmf_args[@]}" --kernel "$BUILD/vmlinuz" --initrd "$BUILD/initrd.img" \
	--cmdline "$igvm_cmdline" > /dev/null 2> "$igvm_err" && b=$(igvm_stat_bytes) && [ -n "$b" ]; then
	put peer_ovmf_measured_mib "$(igvm_mib "$b")"
	put peer_ovmf_mode kernel-hashes
elif grep -q SNP_KERNEL_HASHES "$igvm_err" && "$BUILD/ccguest" "${ovmf_args[@]}" --no-kernel-hashes \
	> /dev/null 2> "$igvm_err" && b=$(igvm_stat_bytes) && [ -n "$b" ]; then
	echo "bench: IGVM: note: $ovmf has no SNP_KERNEL_HASHES section (not an AmdSev build);" \
		"measured with --no-kernel-hashes: it would not measure the kernel, initrd or command line"
	put peer_ovmf_measured_mib "$(igvm_mib "$b")"
	put peer_ovmf_mode no-kernel-hashes
else
	igvm_skip "ccguest measure --ovmf $ovmf --stats"
fi
rm -f "$igvm_err"

# The native IGVM booted by our loader (reset vector, stub, payload SHA-256
# check, Linux) against the direct PVH boot above, same demo image.  Under
# TCG the stub's portable SHA-256 of 12 MB is most of the difference.
echo "bench: IGVM boot (build/guest-native.igvm with ccguest run --igvm)"
if "$BUILD/ccguest" run -v --igvm "$BUILD/guest-native.igvm" --oci-layout "$layout" --image demo \
	> "$W/boot-igvm.log" 2>&1; then
	# boot_to_exec counts from the kernel's start, after the stub: the whole
	# run's wall time (QEMU start to exit) is what compares the two boots.
	ib=$(grep -o 'boot_to_exec=[0-9.]*' "$W/boot-igvm.log" | head -1 | cut -d= -f2)
	put igvm_boot_to_exec_ms "$(awk -v s="${ib:-0}" "BEGIN{printf \"%.0f\", s*1000}")"
	put igvm_run_wall_s "$(sed -n 's/^ccguest: qemu ended after \([0-9.]*\) s.*/\1/p' "$W/boot-igvm.log" | head -1)"
	put direct_run_wall_s "$(sed -n 's/^ccguest: qemu ended after \([0-9.]*\) s.*/\1/p' "$W/boot.log" | head -1)"
else
	echo "bench: IGVM boot failed, skipped: $(tail -n 3 "$W/boot-igvm.log" | tr '\n' ' ')"
fi

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
ratio("aes256ctr_vs_openssl", "aes256ctr_gbps", "peer_openssl_aes256ctr_gbps")
ratio("aes256gcm_vs_openssl", "aes256gcm_gbps", "peer_openssl_aes256gcm_gbps")
ratio("attest_vs_python_client", "peer_python_client_attest_ms", "attest_ms")
ratio("enc_gzip_vs_skopeo_decrypt_umoci", "peer_skopeo_decrypt_umoci_s", "pipeline_enc_gzip_s")
ratio("enc_gzip_over_plain_gzip", "pipeline_enc_gzip_s", "pipeline_gzip_s")
ratio("igvm_build_vs_cat_sha384sum", "peer_cat_sha384sum_build_s", "igvm_build_s")
ratio("measure_vs_sha384sum", "peer_sha384sum_igvm_s", "measure_s")
ratio("measure_mshv_vs_sha384sum", "peer_sha384sum_igvm_s", "measure_mshv_s")
ratio("measure_payload_vs_sha384sum", "peer_sha384sum_igvm_s", "measure_payload_s")
ratio("snp_measured_vs_ovmf", "peer_ovmf_measured_mib", "snp_measured_mib")
ratio("igvm_run_vs_direct_run", "direct_run_wall_s", "igvm_run_wall_s")
f["ratios"] = r
json.dump(f, open(sys.argv[2], "w"), indent=1, sort_keys=True)
print("bench: speed-up ratios (peer time / ours; >1 means ccguest is faster):")
for k, v in sorted(r.items()):
    print("  %-28s %s" % (k, v))
if "snp_measured_vs_ovmf" in r:
    print("  (snp_measured_vs_ovmf: MiB the PSP hashes for OVMF (%s) / for our IGVM;"
          " >1 means we measure less)" % f.get("peer_ovmf_mode", "?"))
if "igvm_run_vs_direct_run" in r:
    print("  (igvm_run_vs_direct_run: wall time of the direct microvm+PVH boot / of the native"
          " IGVM boot on q35 (bzImage, ACPI, PCI, the stub's payload check); <1: the IGVM path"
          " is slower)")
PYEOF
echo "bench: wrote $BUILD/bench.json"
