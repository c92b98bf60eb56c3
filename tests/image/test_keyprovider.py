"""`ccguest keyprovider` as an ocicrypt cmd key provider, driven by real skopeo
(Debian trixie's skopeo 1.18, ocicrypt 1.2.1, extracted by deps/peers.sh into
build/peers/bin/skopeo).

A one-layer OCI layout (gzip tar) is built with tests/lib/ocimage.py, then
  skopeo copy --encryption-key provider:attestation-agent:keyid=kbs:///default/key/t1
makes skopeo call `ccguest keyprovider keywrap` (through
OCICRYPT_KEYPROVIDER_CONFIG); the layer must come out `+encrypted`, with a
CoCo annotation packet naming that kid, and the KEK must sit in the resource
directory (32 bytes, 0600).  The packet is also opened here with python3's
cryptography (AES-256-GCM, tag appended, no AAD) as an independent check.
`skopeo copy --decryption-key provider:attestation-agent` (our keyunwrap) must
give back the original layer digest; a tampered packet must make it fail.

Run: make BUILD=build/h-kp build/h-kp/ccguest
     BUILD=build/h-kp /usr/bin/python3 -m pytest -q tests/image/test_keyprovider.py"""
import base64
import hashlib
import json
import os
import stat
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
CCGUEST = os.path.join(BUILD, "ccguest")
SKOPEO = os.path.join(ROOT, "build", "peers", "bin", "skopeo")
ANNO = "org.opencontainers.image.enc.keys.provider.attestation-agent"

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import ocimage  # noqa: E402

pytestmark = pytest.mark.skipif(not os.access(SKOPEO, os.X_OK),
                                reason="build/peers/bin/skopeo (trixie skopeo) is missing")


@pytest.fixture
def env(tmp_path):
    if not os.access(CCGUEST, os.X_OK):
        pytest.fail(f"{CCGUEST} is not built")
    res = tmp_path / "res"
    res.mkdir()
    conf = tmp_path / "ocicrypt.json"
    conf.write_text(json.dumps({"key-providers": {"attestation-agent": {"cmd": {
        "path": CCGUEST, "args": ["keyprovider", "--resource-dir", str(res)]}}}}))
    src = tmp_path / "src"
    lay = ocimage.Layout(str(src))
    lay.add_image("t", [("gzip", [("dir", "etc"),
                                  ("file", "etc/hello", b"hello, encrypted world\n")])],
                  cmd=["/bin/true"])
    e = dict(os.environ, OCICRYPT_KEYPROVIDER_CONFIG=str(conf))
    e.pop("CCGUEST_KBS_RESOURCES", None)
    return tmp_path, res, e


def skopeo(env, *args):
    return subprocess.run([SKOPEO, "--insecure-policy", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def manifest(layout):
    with open(os.path.join(layout, "index.json")) as f:
        d = json.load(f)["manifests"][0]["digest"]
    with open(os.path.join(layout, "blobs", "sha256", d[7:])) as f:
        return json.load(f)


def write_manifest(layout, m):
    """Replace the layout's only manifest with m (returns nothing)."""
    b = json.dumps(m).encode()
    d = hashlib.sha256(b).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(b)
    with open(os.path.join(layout, "index.json")) as f:
        idx = json.load(f)
    idx["manifests"][0]["digest"] = "sha256:" + d
    idx["manifests"][0]["size"] = len(b)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(idx, f)


def encrypt(tmp, env, keyspec="keyid=kbs:///default/key/t1"):
    key = "provider:attestation-agent" + (":" + keyspec if keyspec else "")
    cp = skopeo(env, "copy", "--encryption-key", key,
                f"oci:{tmp}/src:t", f"oci:{tmp}/enc:t")
    assert cp.returncode == 0, cp.stderr
    return manifest(f"{tmp}/enc")


def test_wrap_unwrap(env):
    tmp, res, e = env
    src_layer = manifest(f"{tmp}/src")["layers"][0]
    m = encrypt(tmp, e)
    layer = m["layers"][0]
    assert layer["mediaType"].endswith("+encrypted")
    assert layer["digest"] != src_layer["digest"]
    packet_bytes = base64.b64decode(layer["annotations"][ANNO], validate=True)
    packet = json.loads(packet_bytes)
    assert list(packet) == ["kid", "wrapped_data", "iv", "wrap_type"]
    assert packet["kid"] == "kbs:///default/key/t1"
    assert packet["wrap_type"] == "A256GCM"
    kek_path = res / "default" / "key" / "t1"
    st = os.stat(kek_path)
    assert stat.S_ISREG(st.st_mode) and st.st_size == 32
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert not [p for p in os.listdir(res / "default" / "key") if p.startswith(".")]
    # independent unwrap: the privopts name the layer's plaintext digest
    iv = base64.b64decode(packet["iv"], validate=True)
    assert len(iv) == 12
    privopts = json.loads(AESGCM(kek_path.read_bytes()).decrypt(
        iv, base64.b64decode(packet["wrapped_data"], validate=True), None))
    assert privopts["digest"] == src_layer["digest"]
    assert len(base64.b64decode(privopts["symkey"])) == 32
    # and back through our keyunwrap
    cp = skopeo(e, "copy", "--decryption-key", "provider:attestation-agent",
                f"oci:{tmp}/enc:t", f"oci:{tmp}/dec:t")
    assert cp.returncode == 0, cp.stderr
    dl = manifest(f"{tmp}/dec")["layers"][0]
    assert dl["digest"] == src_layer["digest"]
    assert dl["mediaType"] == src_layer["mediaType"]
    with open(os.path.join(tmp, "dec", "blobs", "sha256", dl["digest"][7:]), "rb") as f:
        assert "sha256:" + hashlib.sha256(f.read()).hexdigest() == src_layer["digest"]


def test_existing_key_reused(env):
    tmp, res, e = env
    d = res / "default" / "key"
    d.mkdir(parents=True)
    kek = os.urandom(32)
    (d / "t1").write_bytes(kek)
    m = encrypt(tmp, e)
    packet = json.loads(base64.b64decode(m["layers"][0]["annotations"][ANNO]))
    assert (d / "t1").read_bytes() == kek
    AESGCM(kek).decrypt(base64.b64decode(packet["iv"]),
                        base64.b64decode(packet["wrapped_data"]), None)


def test_random_key_id(env):
    tmp, res, e = env
    m = encrypt(tmp, e, keyspec=None)
    packet = json.loads(base64.b64decode(m["layers"][0]["annotations"][ANNO]))
    kid = packet["kid"]
    assert kid.startswith("kbs:///default/key/")
    tag = kid.rsplit("/", 1)[1]
    assert len(tag) == 16 and all(c in "0123456789abcdef" for c in tag)
    assert os.path.getsize(res / "default" / "key" / tag) == 32


def test_tampered_packet_refused(env):
    tmp, res, e = env
    m = encrypt(tmp, e)
    layer = m["layers"][0]
    packet = json.loads(base64.b64decode(layer["annotations"][ANNO]))
    wd = bytearray(base64.b64decode(packet["wrapped_data"]))
    wd[-1] ^= 1                                    # the GCM tag
    packet["wrapped_data"] = base64.b64encode(bytes(wd)).decode()
    layer["annotations"][ANNO] = base64.b64encode(json.dumps(packet).encode()).decode()
    write_manifest(f"{tmp}/enc", m)
    cp = skopeo(e, "copy", "--decryption-key", "provider:attestation-agent",
                f"oci:{tmp}/enc:t", f"oci:{tmp}/dec:t")
    assert cp.returncode != 0
    assert "authentication failed" in cp.stderr


def test_missing_key_refused(env):
    tmp, res, e = env
    encrypt(tmp, e)
    os.unlink(res / "default" / "key" / "t1")
    cp = skopeo(e, "copy", "--decryption-key", "provider:attestation-agent",
                f"oci:{tmp}/enc:t", f"oci:{tmp}/dec:t")
    assert cp.returncode != 0
    assert "no key for kbs:///default/key/t1" in cp.stderr


def test_cli_direct(env):
    """The protocol without skopeo: Rust-style integer arrays, bad input, no
    secrets on stderr."""
    tmp, res, e = env
    opts = b'{"symkey":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM0NTY=","digest":"x"}'
    args = [CCGUEST, "keyprovider", "--resource-dir", str(res)]
    req = {"op": "keywrap",
           "keywrapparams": {"ec": {"Parameters": {"attestation-agent": [
               base64.b64encode(b"keyid=/default/key/direct").decode()]},
               "DecryptConfig": {"Parameters": {}}}, "optsdata": list(opts)},
           "keyunwrapparams": {"dc": None, "annotation": None}}
    cp = subprocess.run(args, input=json.dumps(req).encode(), capture_output=True)
    assert cp.returncode == 0, cp.stderr
    ann = json.loads(cp.stdout)["keywrapresults"]["annotation"]
    packet = base64.b64decode(ann, validate=True)
    assert json.loads(packet)["kid"] == "kbs:///default/key/direct"
    req = {"op": "keyunwrap", "keywrapparams": {"ec": None, "optsdata": None},
           "keyunwrapparams": {"dc": {"Parameters": {}}, "annotation": list(packet)}}
    cp = subprocess.run(args, input=json.dumps(req).encode(), capture_output=True)
    assert cp.returncode == 0, cp.stderr
    assert base64.b64decode(json.loads(cp.stdout)["keyunwrapresults"]["optsdata"]) == opts
    # wrong key: error on stderr, nothing secret in it, exit 1
    (res / "default" / "key" / "direct").write_bytes(b"\1" * 32)
    cp = subprocess.run(args, input=json.dumps(req).encode(), capture_output=True)
    assert cp.returncode == 1 and cp.stdout == b""
    assert b"authentication failed" in cp.stderr
    assert b"c2VjcmV0" not in cp.stderr and b"symkey" not in cp.stderr
    for bad in (b"", b"{", b'{"op":"keywrap"}', b'{"op":"nope"}', b"[]"):
        cp = subprocess.run(args, input=bad, capture_output=True)
        assert cp.returncode == 1 and cp.stdout == b"", bad
    cp = subprocess.run([CCGUEST, "keyprovider"], input=b"{}", capture_output=True,
                        env={k: v for k, v in os.environ.items()
                             if k != "CCGUEST_KBS_RESOURCES"})
    assert cp.returncode == 2
    cp = subprocess.run([CCGUEST, "keyprovider", "--help"], capture_output=True)
    assert cp.returncode == 0 and b"usage: ccguest keyprovider" in cp.stdout
