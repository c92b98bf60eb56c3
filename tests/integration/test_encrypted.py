"""Encrypted images end to end (ocicrypt AES_256_CTR_HMAC_SHA256):

- skopeo 1.18 (trixie) encrypts with `provider:attestation-agent` through
  `ccguest keyprovider`, which stores the KEK where the dev KBS serves it;
  the guest attests, fetches the KEK named by the packet's kid, unwraps the
  layer key, decrypts, verifies and runs;
- skopeo 1.9.3 (bookworm) encrypts for a JWE recipient; the private key is
  a KBS resource named by --decryption-key;
- only some layers encrypted; and the refusals (HMAC, tampered annotation,
  key denied, truncated blob)."""
import base64
import hashlib
import json
import os
import subprocess
import sys

import pytest

import ocimage
from conftest import BUILD, CCGUEST, ROOT, ccguest_run

sys.path.insert(0, os.path.join(ROOT, "tests", "kbs"))
devkbs = pytest.importorskip("devkbs")

SKOPEO18 = os.path.join(BUILD, "peers", "bin", "skopeo")
SKOPEO19 = "/usr/bin/skopeo"
BB = ("sh", "echo", "cat", "true")
POLICY = {"allow": [{"tee": ["sample"], "resource": "default/key/*"}]}
ENC_KEY = "org.opencontainers.image.enc.keys.provider.attestation-agent"


def need(path):
    if not os.access(path, os.X_OK):
        pytest.skip("%s not available" % path)


def make_src(tmp_path, layers=None):
    lay = ocimage.Layout(str(tmp_path / "src"))
    layers = layers or [("gzip", ocimage.busybox_entries(BB))]
    lay.add_image("t", layers, cmd=["/bin/sh", "-c", "echo decrypted-workload-ran; "
                                    "cat /etc/plain 2>/dev/null; true"])
    return lay


def skopeo(binary, *args, env=None):
    cp = subprocess.run([binary, "--insecure-policy", "copy", "-q", *args],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                        env=env, timeout=300)
    assert cp.returncode == 0, cp.stdout
    return cp.stdout


def provider_encrypt(tmp_path, src, resources, extra=()):
    conf = tmp_path / "ocicrypt.conf"
    conf.write_text(json.dumps({"key-providers": {"attestation-agent": {"cmd": {
        "path": CCGUEST, "args": ["keyprovider", "--resource-dir", str(resources)]}}}}))
    env = dict(os.environ, OCICRYPT_KEYPROVIDER_CONFIG=str(conf))
    dst = tmp_path / "enc"
    skopeo(SKOPEO18, "--encryption-key", "provider:attestation-agent:keyid=kbs:///default/key/img1",
           *extra, "oci:%s:t" % src.root, "oci:%s:t" % dst, env=env)
    return str(dst)


def manifest_of(layout):
    idx = json.load(open(os.path.join(layout, "index.json")))
    d = idx["manifests"][0]["digest"]
    return json.load(open(os.path.join(layout, "blobs", "sha256", d[7:]))), idx


def rewrite_manifest(layout, fn):
    """Apply fn to the manifest, store it and point index.json at it."""
    m, idx = manifest_of(layout)
    fn(m)
    b = json.dumps(m).encode()
    d = hashlib.sha256(b).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(b)
    idx["manifests"][0].update(digest="sha256:" + d, size=len(b))
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(idx, f)


@pytest.fixture
def kbs(tmp_path):
    k = devkbs.start(str(tmp_path / "kbs"), policy=POLICY)
    yield k
    k.stop()


def kbs_res(k):
    """The dev KBS's resource directory (the keyprovider writes KEKs there)."""
    return os.path.join(k.workdir, "resources")


def run(layout, k, *extra):
    return ccguest_run(layout, "t", "--tee", "sample", "--kbs", k.url, "--kbs-cert", k.ca_pem,
                       *extra, timeout=300)


def test_provider_encrypted_image_runs(tmp_path, kbs):
    need(SKOPEO18)
    src = make_src(tmp_path)
    enc = provider_encrypt(tmp_path, src, kbs_res(kbs))
    m, _ = manifest_of(enc)
    assert m["layers"][0]["mediaType"].endswith("+encrypted")
    assert os.path.getsize(os.path.join(kbs_res(kbs), "default", "key", "img1")) == 32
    r = run(enc, kbs)
    assert r.rc == 0, r
    assert "decrypted-workload-ran" in r.out, r
    assert "layer key kbs:///default/key/img1 fetched" in r.out, r


def test_only_some_layers_encrypted(tmp_path, kbs):
    need(SKOPEO18)
    src = make_src(tmp_path, [("gzip", ocimage.busybox_entries(BB)),
                              ("zstd", [("file", "etc/plain", b"plain-layer-content\n")])])
    enc = provider_encrypt(tmp_path, src, kbs_res(kbs), extra=("--encrypt-layer", "0"))
    m, _ = manifest_of(enc)
    kinds = [l["mediaType"].endswith("+encrypted") for l in m["layers"]]
    assert kinds == [True, False], m
    r = run(enc, kbs)
    assert r.rc == 0, r
    assert "plain-layer-content" in r.out and "decrypted-workload-ran" in r.out, r


def test_zstd_layer_encrypted(tmp_path, kbs):
    """tar+zstd+encrypted (ocicrypt >= 1.1.6; image-rs does not know it)."""
    need(SKOPEO18)
    src = make_src(tmp_path, [("zstd", ocimage.busybox_entries(BB))])
    enc = provider_encrypt(tmp_path, src, kbs_res(kbs))
    m, _ = manifest_of(enc)
    assert m["layers"][0]["mediaType"].endswith("tar+zstd+encrypted"), m
    r = run(enc, kbs)
    assert r.rc == 0, r
    assert "decrypted-workload-ran" in r.out, r


def test_jwe_recipient_image_runs(tmp_path, kbs):
    need(SKOPEO19)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = tmp_path / "pub.pem"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    priv = os.path.join(kbs_res(kbs), "default", "key", "jwe-priv")
    os.makedirs(os.path.dirname(priv), exist_ok=True)
    with open(priv, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    src = make_src(tmp_path)
    dst = tmp_path / "jwe"
    skopeo(SKOPEO19, "--encryption-key", "jwe:%s" % pub, "oci:%s:t" % src.root, "oci:%s:t" % dst)
    r = run(str(dst), kbs, "--decryption-key", "kbs:///default/key/jwe-priv")
    assert r.rc == 0, r
    assert "decrypted-workload-ran" in r.out, r


def refused(r, words):
    assert r.rc == 125, r
    assert "ccinit: error: image:" in r.out, r
    for w in words:
        assert w in r.out, r
    assert "decrypted-workload-ran" not in r.out, r


def test_tampered_ciphertext_fails_the_hmac(tmp_path, kbs):
    """A flipped ciphertext byte with the manifest re-pinned to it (a host
    that rewrites everything it can): the HMAC under the real key fails."""
    need(SKOPEO18)
    src = make_src(tmp_path)
    enc = provider_encrypt(tmp_path, src, kbs_res(kbs))
    m, _ = manifest_of(enc)
    old = m["layers"][0]["digest"]
    p = os.path.join(enc, "blobs", "sha256", old[7:])
    data = bytearray(open(p, "rb").read())
    data[len(data) // 2] ^= 1
    new = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(os.path.join(enc, "blobs", "sha256", new[7:]), "wb") as f:
        f.write(data)
    rewrite_manifest(enc, lambda m: m["layers"][0].update(digest=new))
    r = run(enc, kbs)
    refused(r, ["HMAC mismatch"])


def test_tampered_annotation_refused(tmp_path, kbs):
    need(SKOPEO18)
    src = make_src(tmp_path)
    enc = provider_encrypt(tmp_path, src, kbs_res(kbs))

    def flip(m):
        pkt = json.loads(base64.b64decode(m["layers"][0]["annotations"][ENC_KEY]))
        w = bytearray(base64.b64decode(pkt["wrapped_data"]))
        w[0] ^= 1
        pkt["wrapped_data"] = base64.b64encode(bytes(w)).decode()
        m["layers"][0]["annotations"][ENC_KEY] = base64.b64encode(
            json.dumps(pkt).encode()).decode()
    rewrite_manifest(enc, flip)
    r = run(enc, kbs)
    refused(r, ["kbs:///default/key/img1"])


def test_kbs_refuses_the_key(tmp_path):
    need(SKOPEO18)
    k = devkbs.start(str(tmp_path / "kbs"), policy={"allow": []})
    try:
        src = make_src(tmp_path)
        enc = provider_encrypt(tmp_path, src, kbs_res(k))
        r = run(enc, k)
    finally:
        k.stop()
    refused(r, ["key kbs:///default/key/img1", "denied"])


def test_truncated_encrypted_blob(tmp_path, kbs):
    need(SKOPEO18)
    src = make_src(tmp_path)
    enc = provider_encrypt(tmp_path, src, kbs_res(kbs))
    m, _ = manifest_of(enc)
    p = os.path.join(enc, "blobs", "sha256", m["layers"][0]["digest"][7:])
    data = open(p, "rb").read()
    with open(p, "wb") as f:
        f.write(data[:-100])
    r = run(enc, kbs)                 # the host notices nothing: it re-hashes no layers
    assert r.rc == 125, r
    assert "ccinit: error: image:" in r.out, r
    assert "decrypted-workload-ran" not in r.out, r
