"""Cross-check of image/ocicrypt.c + jwe_decrypt_any() against real skopeo
(Debian bookworm's skopeo 1.9.3, ocicrypt `jwe:` recipients).

A one-layer OCI layout (gzip tar) is built with python3, encrypted by
`skopeo copy --encryption-key jwe:<pub.pem> oci:src:t oci:dst:t` to an RSA key
(RSA-OAEP, SHA-1, flattened JWE), to a P-256 key (ECDH-ES+A256KW) and to both
at once (one general-serialization JWE with two recipients), and each private
key (PKCS#8 and PKCS#1/SEC1 PEM) is given to tests/image/ocicrypt_probe.c,
which must unwrap the layer key, check the HMAC and yield exactly the source
blob.  Keys are throw-away, made here with python3-cryptography.

Run: make BUILD=build/h-oci build/h-oci/image/ocicrypt_probe
     BUILD=build/h-oci /usr/bin/python3 -m pytest -q tests/image"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
PROBE = os.path.join(ROOT, BUILD, "image", "ocicrypt_probe")

pytestmark = pytest.mark.skipif(shutil.which("skopeo") is None,
                                reason="skopeo is not installed")


@pytest.fixture(scope="module")
def probe():
    if not os.access(PROBE, os.X_OK) or os.environ.get("OCICRYPT_PROBE_REBUILD"):
        subprocess.run(["make", "BUILD=" + BUILD, os.path.join(BUILD, "image", "ocicrypt_probe")],
                       cwd=ROOT, check=True)
    return PROBE


def _blob(layout, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d


def _layout(path):
    os.makedirs(os.path.join(path, "blobs", "sha256"))
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w") as t:
        data = b"hello ocicrypt\n" * 1000 + os.urandom(3000)
        ti = tarfile.TarInfo("hello.txt")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    tar = bio.getvalue()
    gz = gzip.compress(tar, mtime=0)
    layer = _blob(path, gz)
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                      "rootfs": {"type": "layers",
                                 "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}
                      }).encode()
    man = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": _blob(path, cfg), "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer, "size": len(gz)}]}).encode()
    md = _blob(path, man)
    with open(os.path.join(path, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md,
            "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "t"}}]}, f)
    with open(os.path.join(path, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    return layer


def _keys(d):
    """name -> (private PEM paths in two encodings, public PEM path)."""
    out = {}
    for name, key, trad in (("rsa", rsa.generate_private_key(65537, 2048),
                             serialization.PrivateFormat.TraditionalOpenSSL),
                            ("ec", ec.generate_private_key(ec.SECP256R1()),
                             serialization.PrivateFormat.TraditionalOpenSSL)):
        privs = []
        for fmt, tag in ((serialization.PrivateFormat.PKCS8, "p8"), (trad, "trad")):
            p = os.path.join(d, "%s-%s.pem" % (name, tag))
            with open(p, "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, fmt,
                                          serialization.NoEncryption()))
            privs.append(p)
        pub = os.path.join(d, name + ".pub")
        with open(pub, "wb") as f:
            f.write(key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        out[name] = (privs, pub)
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("ocicrypt"))
    src = os.path.join(d, "src")
    layer = _layout(src)
    keys = _keys(d)
    dsts = {}
    for name, recips in (("rsa", ["rsa"]), ("ec", ["ec"]), ("both", ["rsa", "ec"])):
        dst = os.path.join(d, "dst-" + name)
        cmd = ["skopeo", "copy", "-q"]
        for r in recips:
            cmd += ["--encryption-key", "jwe:" + keys[r][1]]
        subprocess.run(cmd + ["oci:%s:t" % src, "oci:%s:t" % dst], check=True,
                       capture_output=True, timeout=120)
        with open(os.path.join(dst, "index.json")) as f:
            dsts[name] = (dst, json.load(f)["manifests"][0]["digest"][7:])
    return layer, keys, dsts


def _manifest(dst, mhex):
    with open(os.path.join(dst, "blobs", "sha256", mhex)) as f:
        return json.load(f)


def _run(probe, key, dst, mhex):
    return subprocess.run([probe, key, dst, mhex, "0"], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("image,keyname", [("rsa", "rsa"), ("ec", "ec"), ("both", "rsa"),
                                           ("both", "ec")])
def test_skopeo_layer_decrypts(probe, world, image, keyname):
    layer, keys, dsts = world
    dst, mhex = dsts[image]
    lay = _manifest(dst, mhex)["layers"][0]
    assert lay["mediaType"].endswith("+gzip+encrypted")
    assert "org.opencontainers.image.enc.pubopts" in lay["annotations"]
    for pem in keys[keyname][0]:
        r = _run(probe, pem, dst, mhex)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "plain " + layer


def test_skopeo_jwe_shapes(world):
    """What skopeo wrote is what jwe_decrypt_any() is documented to read."""
    import base64
    _, _, dsts = world
    for image, n in (("rsa", 1), ("ec", 1), ("both", 2)):
        dst, mhex = dsts[image]
        ann = _manifest(dst, mhex)["layers"][0]["annotations"]
        blobs = ann["org.opencontainers.image.enc.keys.jwe"].split(",")
        assert len(blobs) == 1
        jwe = json.loads(base64.b64decode(blobs[0]))
        assert ("recipients" in jwe) == (n > 1)
        if n > 1:
            assert len(jwe["recipients"]) == n


def test_wrong_key_refused(probe, world, tmp_path):
    _, _, dsts = world
    other = tmp_path / "other.pem"
    other.write_bytes(rsa.generate_private_key(65537, 2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    dst, mhex = dsts["both"]
    r = _run(probe, str(other), dst, mhex)
    assert r.returncode == 1
    assert "content key unwrap failed" in r.stderr


def test_tampered_blob_refused(probe, world, tmp_path):
    layer, keys, dsts = world
    dst, mhex = dsts["rsa"]
    copy = str(tmp_path / "dst")
    shutil.copytree(dst, copy)
    lay = _manifest(copy, mhex)["layers"][0]
    path = os.path.join(copy, "blobs", "sha256", lay["digest"][7:])
    with open(path, "r+b") as f:
        f.seek(100)
        b = f.read(1)
        f.seek(100)
        f.write(bytes([b[0] ^ 1]))
    r = _run(probe, keys["rsa"][0][0], copy, mhex)
    assert r.returncode == 1
    assert "HMAC mismatch" in r.stderr
