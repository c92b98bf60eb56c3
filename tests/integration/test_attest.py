"""Attestation end to end: the guest brings up its network (lwip DHCP over
QEMU user networking, restrict=on), attests with sample evidence to the dev
KBS over HTTPS with the pinned test CA, fetches a resource and prints its
sha256; and each way it must fail closed, naming the phase."""
import hashlib
import os
import sys
import time

import pytest

import ocimage
from conftest import ROOT, ccguest_run

sys.path.insert(0, os.path.join(ROOT, "tests", "kbs"))
devkbs = pytest.importorskip("devkbs")

SECRET = b"the-resource-value-that-must-never-be-printed\n"
URI = "kbs:///default/test/secret"
BB = ("sh", "echo", "true")
ALLOW_SAMPLE = {"allow": [{"tee": ["sample"], "resource": "default/test/*"}]}


@pytest.fixture
def image(layout):
    layout.add_image("t", [("gzip", ocimage.busybox_entries(BB))],
                     cmd=["/bin/echo", "hello-after-attest"])
    return layout


def kbs(tmp_path, **kw):
    kw.setdefault("resources", {"default/test/secret": SECRET})
    kw.setdefault("policy", ALLOW_SAMPLE)
    return devkbs.start(str(tmp_path / "kbs"), **kw)


def run(image, k, *extra, cert=None, timeout=300):
    args = ["--tee", "sample", "--kbs", k.url, "--kbs-cert", cert or k.ca_pem,
            "--fetch", URI, *extra]
    return ccguest_run(image.root, "t", *args, timeout=timeout)


def test_attest_fetch_and_run(image, tmp_path):
    k = kbs(tmp_path)
    try:
        r = run(image, k)
    finally:
        k.stop()
    assert r.rc == 0, r
    want = hashlib.sha256(SECRET).hexdigest()
    assert "ccinit: resource %s sha256=%s" % (URI, want) in r.out, r
    assert SECRET.decode().strip() not in r.out, r
    assert "ccinit: phase network" in r.out and "ccinit: phase attest" in r.out, r
    assert "hello-after-attest" in r.out, r


def refused(r, phase, words):
    assert r.rc == 125, r
    assert ("ccinit: error: %s:" % phase) in r.out, r
    for w in words:
        assert w in r.out, r
    assert "hello-after-attest" not in r.out, r
    assert SECRET.decode().strip() not in r.out, r


def test_wrong_ca_is_a_tls_failure(image, tmp_path):
    other = kbs(tmp_path / "other")          # another test CA
    k = kbs(tmp_path)
    try:
        r = run(image, k, cert=other.ca_pem)
    finally:
        k.stop()
        other.stop()
    refused(r, "attest", ["tls"])


def test_kbs_down_retries_then_fails(image, tmp_path):
    k = kbs(tmp_path)
    k.stop()                                 # the port is known, nobody listens
    t0 = time.monotonic()
    r = run(image, k)
    refused(r, "attest", ["gave up after 5 tries"])
    assert time.monotonic() - t0 < 120, r


def test_policy_deny(image, tmp_path):
    k = kbs(tmp_path, policy={"allow": []})
    try:
        r = run(image, k)
    finally:
        k.stop()
    refused(r, "fetch", ["policy denied", "PolicyDeny"])


@pytest.mark.parametrize("fault,phase,words", [
    ("drop", "attest", ["gave up"]),
    ("garbage", "attest", ["auth answer"]),
    ("badjwe", "fetch", ["JWE"]),
    ("500", "attest", ["HTTP 500"]),
    ("deny", "fetch", ["policy denied"]),
    ("delay=15", "attest", ["network", "gave up"]),
])
def test_fault_modes(image, tmp_path, fault, phase, words):
    k = kbs(tmp_path, faults=[fault])
    try:
        r = run(image, k)
    finally:
        k.stop()
    refused(r, phase, words)


def test_initdata_file_with_rsa_key(image, tmp_path):
    """A Kata/CoCo initdata TOML given as is (--initdata), asking for the
    RSA-OAEP-256 TEE key in aa.toml; its cdh.toml agrees on the KBS."""
    k = kbs(tmp_path)
    try:
        cert = open(k.ca_pem).read()
        toml = ('version = "0.1.0"\nalgorithm = "sha256"\n\n[data]\n'
                '"aa.toml" = \'\'\'\n[token_configs.kbs]\nurl = "%s"\ncert = """\n%s"""\n'
                'tee_key_algorithm = "RSA-OAEP-256"\n\'\'\'\n'
                '"cdh.toml" = \'\'\'\n[kbc]\nname = "cc_kbc"\nurl = "%s"\n\'\'\'\n'
                % (k.url, cert, k.url))
        f = tmp_path / "initdata.toml"
        f.write_text(toml)
        r = ccguest_run(image.root, "t", "--tee", "sample", "--initdata", str(f),
                        "--fetch", URI)
    finally:
        k.stop()
    assert r.rc == 0, r
    assert "RSA-OAEP-256 key accepted" in r.out, r
    want = hashlib.sha256(SECRET).hexdigest()
    assert "ccinit: resource %s sha256=%s" % (URI, want) in r.out, r


def test_initdata_pin_mismatch(image, tmp_path):
    """The measured pin and the initdata disk disagree: refused before any
    network traffic."""
    k = kbs(tmp_path)
    try:
        r = run(image, k, "--initdata-pin", "0" * 96)
    finally:
        k.stop()
    refused(r, "initdata", ["initdata digest mismatch: expected " + "0" * 96])
    assert "ccinit: phase network" not in r.out, r


def test_sample_needs_the_measured_opt_in(image, tmp_path):
    """Without ccinit.tee=sample (auto), a guest with no TEE refuses."""
    k = kbs(tmp_path)
    try:
        r = ccguest_run(image.root, "t", "--kbs", k.url, "--kbs-cert", k.ca_pem,
                        "--fetch", URI)
    finally:
        k.stop()
    refused(r, "attest", ["no TEE found"])
