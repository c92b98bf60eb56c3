"""Cross-check `ccguest initdata` with Python's own gzip, tomllib and hashlib:
the disk layout, the document (as CoCo's Rust/Go readers would see it), the
digest and the HOST_DATA / MRCONFIGID values.

    BUILD=build /usr/bin/python3 -m pytest -q tests/initdata
"""
import gzip
import hashlib
import os
import struct
import subprocess
import tomllib

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
CCGUEST = os.path.join(BUILD, "ccguest")

PEM = """-----BEGIN CERTIFICATE-----
MIIBcTCCARegAwIBAgIULIPunTAdTdAx9BkHs1mfU7vuolkwCgYIKoZIzj0EAwIw
DjEMMAoGA1UEAwwDa2JzMB4XDTI2MTEyMzE0MDYyNFoXDTI2MTEyNDE0MDYyNFow
-----END CERTIFICATE-----
"""


def run(*args):
    return subprocess.run([CCGUEST, "initdata", *args], capture_output=True, text=True)


def read_disk(path):
    b = open(path, "rb").read()
    assert b[:8] == b"initdata"
    (n,) = struct.unpack("<Q", b[8:16])
    assert len(b) % 512 == 0 and 16 + n <= len(b)
    assert set(b[16 + n:]) <= {0}
    gz = b[16:16 + n]
    assert gz[:4] == b"\x1f\x8b\x08\x00" and gz[4:8] == b"\0\0\0\0"   # no name, mtime 0
    return gzip.decompress(gz)


def printed(out):
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    return {k.split(" ")[0]: v.strip() for k, v in lines.items()}


@pytest.fixture
def cert(tmp_path):
    p = tmp_path / "kbs.pem"
    p.write_text(PEM)
    return str(p)


def test_kbs_disk(tmp_path, cert):
    disk = str(tmp_path / "initdata.img")
    cp = run("--kbs", "https://10.0.2.2:8080", "--kbs-cert", cert, "-o", disk)
    assert cp.returncode == 0, cp.stderr
    doc = read_disk(disk)
    t = tomllib.loads(doc.decode())
    assert t["version"] == "0.1.0" and t["algorithm"] == "sha384"
    aa = tomllib.loads(t["data"]["aa.toml"])
    cdh = tomllib.loads(t["data"]["cdh.toml"])
    assert aa["token_configs"]["kbs"] == {"url": "https://10.0.2.2:8080", "cert": PEM}
    assert cdh["kbc"] == {"name": "cc_kbc", "url": "https://10.0.2.2:8080", "kbs_cert": PEM}
    digest = hashlib.sha384(doc).hexdigest()
    p = printed(cp.stdout)
    assert p["initdata"] == digest
    assert p["HOST_DATA"] == digest[:64]
    assert p["MRCONFIGID"] == digest


@pytest.mark.parametrize("alg,n", [("sha256", 32), ("sha384", 48), ("sha512", 64)])
def test_toml_as_given(tmp_path, alg, n):
    src = tmp_path / "in.toml"
    body = ('version = "0.1.0"\nalgorithm = "%s"\n[data]\n"cdh.toml" = \'\'\'\n[kbc]\n'
            'name = "cc_kbc"\nurl = "http://kbs:8080"\n\'\'\'\n"policy.rego" = "x"\n' % alg)
    src.write_bytes(body.encode())
    disk = str(tmp_path / "d.img")
    cp = run("--toml", str(src), "-o", disk)
    assert cp.returncode == 0, cp.stderr
    assert read_disk(disk) == body.encode()
    digest = hashlib.new(alg, body.encode()).digest()
    p = printed(cp.stdout)
    assert p["initdata"] == digest.hex()
    assert p["HOST_DATA"] == digest[:32].hex()
    assert p["MRCONFIGID"] == digest[:48].ljust(48, b"\0").hex()


def test_refusals(tmp_path, cert):
    disk = str(tmp_path / "d.img")
    assert run("--kbs", "http://a'''b", "-o", disk).returncode == 1
    assert run("-o", disk).returncode == 2
    assert run("--kbs", "http://a", "--toml", cert, "-o", disk).returncode == 2
    bad = tmp_path / "bad.toml"
    bad.write_text('version = "0.1.0"\nalgorithm = "md5"\n')
    cp = run("--toml", str(bad), "-o", disk)
    assert cp.returncode == 1 and "algorithm" in cp.stderr
    assert not os.path.exists(disk)
    assert run("--help").returncode == 0
