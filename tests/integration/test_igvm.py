"""IGVM: build the guest as an IGVM file, boot the native one with
`ccguest run --igvm` (our loader on QEMU: parameter page filled, pages placed
by generic loader devices, the CPU started at the reset vector in our stub),
and check the SNP files' structure and measurements with our own tools.

What this proves: the layout, the boot stub's reset path, e820 and the MP
table, the Linux boot protocol handoff.  It does not prove SEV-SNP: no SNP
host here (docs/igvm.md says what only hardware can verify)."""
import hashlib
import json
import os
import subprocess

import ocimage
from conftest import BUILD, CCGUEST, Run

BB = ("sh", "echo", "cat", "id", "ls", "true", "false", "grep", "nproc")
KERNEL = os.path.join(BUILD, "vmlinuz")
INITRD = os.path.join(BUILD, "initrd.img")
BASE = "console=ttyS0 quiet panic=-1 cryptomgr.notests"


def cg(*args, timeout=300):
    cp = subprocess.run([CCGUEST, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL, timeout=timeout, text=True, errors="replace")
    return Run(cp)


def build(tmp_path, name, platform, cmdline, *extra):
    out = str(tmp_path / name)
    r = cg("igvm", "build", "--platform", platform, "--kernel", KERNEL, "--initrd", INITRD,
           "--cmdline", cmdline, "-o", out, *extra)
    assert r.rc == 0, r
    return out


def image(layout, script):
    return layout.add_image("t", [("gzip", ocimage.busybox_entries(BB))],
                            cmd=["/bin/sh", "-c", script])


def test_native_igvm_boots_the_workload(layout, tmp_path):
    d = image(layout, "echo hello-from-igvm; echo cpus=$(nproc); "
                      "grep -o 'ccinit.image=[^ ]*' /proc/cmdline || true")
    f = build(tmp_path, "g.igvm", "native",
              BASE + " ccinit.image=%s ccinit.disk=vda ccinit.exit=0xf4" % d)
    r = cg("run", "--igvm", f, "--oci-layout", layout.root, "--image", "t", "--cpus", "2",
           "-v")
    assert r.rc == 0, r
    assert "hello-from-igvm" in r.out, r
    # Two vCPUs came up: the stub's MP table told Linux about the second.
    assert "cpus=2" in r.out, r
    assert "ccinit: workload exited with status 0" in r.out, r


def test_native_igvm_exit_status_and_failed_check(layout, tmp_path):
    d = image(layout, "echo bye; exit 7")
    f = build(tmp_path, "g.igvm", "native",
              BASE + " ccinit.image=%s ccinit.disk=vda ccinit.exit=0xf4" % d)
    r = cg("run", "--igvm", f, "--oci-layout", layout.root, "--image", "t")
    assert r.rc == 7, r
    # A tampered layer is still refused through the IGVM boot path.
    blob = layout.blob_path(layout.manifest(d)["layers"][0]["digest"])
    with open(blob, "r+b") as fh:
        fh.seek(500)
        b = fh.read(1)
        fh.seek(500)
        fh.write(bytes([b[0] ^ 1]))
    r = cg("run", "--igvm", f, "--oci-layout", layout.root, "--image", "t")
    assert r.rc == 125, r
    assert "blob digest mismatch" in r.out, r
    assert "bye" not in r.out, r


def test_run_refuses_an_igvm_that_pins_another_image(layout, tmp_path):
    image(layout, "echo never")
    other = "sha256:" + hashlib.sha256(b"another manifest").hexdigest()
    f = build(tmp_path, "g.igvm", "native",
              BASE + " ccinit.image=%s ccinit.disk=vda ccinit.exit=0xf4" % other)
    r = cg("run", "--igvm", f, "--oci-layout", layout.root, "--image", "t")
    assert r.rc == 125, r
    assert "does not pin" in r.out, r
    r = cg("run", "--igvm", f, "--kernel", KERNEL, "--oci-layout", layout.root, "--image", "t")
    assert r.rc == 125 and "measured in the file" in r.out, r


def test_snp_builds_are_reproducible_and_inspectable(tmp_path):
    cmd = BASE + " ccinit.image=sha256:" + "ab" * 32
    a = build(tmp_path, "a.igvm", "snp", cmd, "--loader", "kvm", "--vcpus", "2")
    b = build(tmp_path, "b.igvm", "snp", cmd, "--loader", "kvm", "--vcpus", "2")
    assert open(a, "rb").read() == open(b, "rb").read()
    m = build(tmp_path, "m.igvm", "snp", cmd, "--loader", "mshv")
    for f in (a, m):
        r = cg("igvm", "inspect", f)
        assert r.rc == 0, r
        assert "SEV_SNP" in r.out, r
    r = cg("igvm", "inspect", m)
    assert "VP_CONTEXT" in r.out, r

    def measure(f, loader, vcpus="1"):
        r = cg("measure", f, "--platform", "snp", "--loader", loader, "--vcpus", vcpus,
               "--vcpu-type", "EPYC-v4")
        assert r.rc == 0, r
        v = r.out.strip().splitlines()[-1]    # notes go to stderr, merged here
        assert len(v) == 96 and all(c in "0123456789abcdef" for c in v), r
        return v

    k1, k2, k4 = (measure(a, "kvm", v) for v in ("1", "2", "4"))
    assert len({k1, k2, k4}) == 3          # KVM measures one VMSA per vCPU
    assert measure(m, "mshv", "1") == measure(m, "mshv", "8")
    # The file-order digest equals MSHV's sorted one: the layout is in GPA
    # order with the VMSA last.
    assert measure(m, "crate") == measure(m, "mshv")
    # The ID block carries the digest the build measured (KVM, 2 vCPUs).
    r = cg("measure", a, "--platform", "snp", "--loader", "kvm", "--vcpus", "2",
           "--vcpu-type", "EPYC-v4", "--check-id-block")
    assert r.rc == 0, r


def test_inspect_refuses_a_damaged_file(tmp_path):
    f = build(tmp_path, "g.igvm", "snp", BASE + " ccinit.image=sha256:" + "cd" * 32)
    data = bytearray(open(f, "rb").read())
    data[40] ^= 0xFF            # inside the variable headers: checksum breaks
    bad = tmp_path / "bad.igvm"
    bad.write_bytes(bytes(data))
    r = cg("igvm", "inspect", str(bad))
    assert r.rc != 0, r
    assert "ccguest: error:" in r.out, r


def test_reference_values_and_kata_config(tmp_path):
    cmd = BASE + " ccinit.image=sha256:" + "ef" * 32
    k = build(tmp_path, "k.igvm", "snp", cmd, "--loader", "kvm")
    m = build(tmp_path, "m.igvm", "snp", cmd, "--loader", "mshv")
    out = tmp_path / "rv.json"
    r = cg("reference-values", "--snp-kvm", k, "--snp-mshv", m, "--vcpus", "1-3",
           "--kernel", KERNEL, "--initrd", INITRD, "--cmdline", cmd, "-o", str(out),
           "--rvps-dir", str(tmp_path))
    assert r.rc == 0, r
    rv = json.loads(out.read_text())
    kvm = rv["snp_launch_measurement"]["kvm"]
    assert sorted(x for x in kvm if x != "vcpu_type") == ["1", "2", "3"]
    msg = rv["rvps_messages"][0]
    assert msg["version"] == "0.1.0" and msg["type"] == "sample"
    import base64
    payload = json.loads(base64.b64decode(msg["payload"]))
    vals = payload["snp_launch_measurement"]
    assert kvm["1"] in vals and rv["snp_launch_measurement"]["mshv"] in vals
    assert json.loads((tmp_path / "snp_launch_measurement.json").read_text()) == msg
    with open(KERNEL, "rb") as fh:
        assert rv["inputs"]["kernel"]["sha256"] == "sha256:" + hashlib.sha256(fh.read()).hexdigest()
    r = cg("kata-config", "--igvm", m)
    assert r.rc == 0, r
    assert 'igvm = "%s"' % os.path.realpath(m) in r.out, r
    assert rv["snp_launch_measurement"]["mshv"] in r.out, r
    assert "sev_snp_guest = true" in r.out, r


def test_stub_refuses_a_payload_that_is_not_the_measured_one(layout, tmp_path):
    """The kernel and initrd pages are imported unmeasured; the stub hashes
    them against the digests in its measured config page before it jumps."""
    d = image(layout, "echo must-not-run")
    f = build(tmp_path, "g.igvm", "native",
              BASE + " ccinit.image=%s ccinit.disk=vda ccinit.exit=0xf4" % d)
    data = open(f, "rb").read()
    kern = open(KERNEL, "rb").read()
    payload = kern[(kern[0x1F1] + 1) * 512:]
    at = data.find(payload[4096:4096 + 64])   # a page of the kernel in the file
    assert at > 0
    for name, off in (("kernel", at + 100), ("initrd", len(data) - 4096 - 10)):
        bad = bytearray(data)
        bad[off] ^= 0x40
        p = tmp_path / ("bad-%s.igvm" % name)
        p.write_bytes(bytes(bad))
        r = cg("run", "--igvm", str(p), "--oci-layout", layout.root, "--image", "t")
        assert r.rc == 125, r
        assert "ccguest stub: boot: %s SHA-256 differs from the measured digest" % name in r.out, r
        assert "must-not-run" not in r.out and "Linux version" not in r.out, r


def test_measure_payload_option_measures_every_page(tmp_path):
    cmd = BASE + " ccinit.image=sha256:" + "12" * 32
    a = build(tmp_path, "a.igvm", "snp", cmd, "--loader", "mshv")
    b = build(tmp_path, "b.igvm", "snp", cmd, "--loader", "mshv", "--measure-payload")
    ra, rb = cg("igvm", "inspect", a), cg("igvm", "inspect", b)
    assert ra.rc == 0 and rb.rc == 0, (ra, rb)
    assert "unmeasured" in ra.out, ra
    ma = cg("measure", a, "--platform", "snp", "--loader", "mshv").out.split()[-1]
    mb = cg("measure", b, "--platform", "snp", "--loader", "mshv").out.split()[-1]
    assert ma != mb


def igvm_headers(data):
    """(type, payload) of every variable header: our own reading of igvm.md §1."""
    import struct
    magic, ver, off, size, total, _ = struct.unpack_from("<6I", data, 0)
    assert magic == 0x4D564749 and ver == 1 and total == len(data)
    p, end = off, off + size
    while p < end:
        t, n = struct.unpack_from("<2I", data, p)
        yield t, data[p + 8:p + 8 + n]
        p += 8 + ((n + 7) & ~7)


def test_id_block_verifies_with_python_cryptography(tmp_path):
    """The SNP ID block's ECDSA P-384 signature, checked by an independent
    implementation (python3-cryptography), over the 96-byte ID block the
    loader hands the PSP; its LD is the digest `ccguest measure` prints."""
    import struct
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    f = build(tmp_path, "g.igvm", "snp", BASE + " ccinit.image=sha256:" + "34" * 32,
              "--loader", "kvm", "--svn", "5", "--family-id", "00112233445566778899aabbccddeeff")
    data = open(f, "rb").read()
    hdrs = dict(igvm_headers(data))
    blk, policy = hdrs[0x30B], struct.unpack_from("<Q", hdrs[0x101])[0]
    assert len(blk) == 696 and policy == 0x30000
    ld = blk[8:56]
    le = lambda b: int.from_bytes(b, "little")
    assert struct.unpack_from("<I", blk, 96)[0] == 1 and struct.unpack_from("<I", blk, 248)[0] == 2
    pub = ec.EllipticCurvePublicNumbers(le(blk[256:328]), le(blk[328:400]), ec.SECP384R1()).public_key()
    msg = ld + blk[56:72] + blk[72:88] + struct.pack("<IIQ", 1, 5, policy)
    pub.verify(encode_dss_signature(le(blk[104:176]), le(blk[176:248])), msg,
               ec.ECDSA(hashes.SHA384()))
    assert blk[56:72] == bytes.fromhex("00112233445566778899aabbccddeeff")
    r = cg("measure", f, "--platform", "snp", "--loader", "kvm", "--vcpus", "1")
    assert r.rc == 0 and r.out.split()[-1] == ld.hex(), r
