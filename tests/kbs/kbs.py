#!/usr/bin/python3
"""dev KBS: a test peer of the Trustee KBS, protocol 0.4.0 (see README.md).

Standard library + python3-cryptography (Debian bookworm, 38.x) only.
Production deployments use Trustee; this server exists so that ccinit's KBS
client can be tested against a faithful, inspectable and fault-injectable peer.
"""
import argparse
import base64
import datetime
import fnmatch
import hashlib
import http.server
import ipaddress
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import tomllib
import uuid

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import aes_key_wrap
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

PROTOCOL_VERSION = "0.4.0"
ERROR_PREFIX = "https://github.com/confidential-containers/kbs/errors/"
COOKIE = "kbs-session-id"
MAX_BODY = 2 * 1024 * 1024          # Trustee http_server.payload_request_size default
# kbs-types Tee serde names
TEES = ("az-snp-vtpm", "az-tdx-vtpm", "nvidia", "sgx", "snp", "tdx", "cca", "csv",
        "se", "hygondcu", "tpm", "sample", "sampledevice")
SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*\Z")
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES_SNP = os.path.join(HERE, "..", "..", "..", "shared", "fixtures", "trustee", "snp")
# Trustee's default resource policy denies tokens that come from the sample TEE.
DEFAULT_POLICY = {"allow": [{"tee": [t for t in TEES if not t.startswith("sample")],
                             "resource": "*"}]}


def now():
    return time.time()


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    if not isinstance(s, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", s):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jcs(obj):
    """RFC 8785 canonical JSON for the values that occur here (strings, objects,
    integers): sorted keys, no whitespace, UTF-8, minimal escaping."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


class KbsError(Exception):
    """An error response exactly as Trustee's ResponseError renders it.
    `cause` is only logged (Trustee hides the attest cause from the client)."""

    def __init__(self, variant, detail, status=401, cause=None):
        super().__init__(detail)
        self.variant, self.detail, self.status = variant, detail, status
        self.cause = cause or detail

    def body(self):
        return json.dumps({"type": ERROR_PREFIX + self.variant, "detail": self.detail},
                          separators=(",", ":")).encode()


def auth_failed(cause):
    return KbsError("AttestationError",
                    "Attestation error: RCAR handshake Auth failed: " + cause)


def attest_failed(cause):
    return KbsError("AttestationError",
                    "Attestation error: RCAR handshake Attest failed", cause=cause)


class VerifyError(Exception):
    pass


# ---------------------------------------------------------------- TLS material

def ensure_tls(tls_dir, extra_sans=()):
    """Create a test CA and a localhost server leaf in tls_dir unless present."""
    paths = {n: os.path.join(tls_dir, n) for n in ("ca.pem", "ca.key", "server.pem", "server.key")}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    os.makedirs(tls_dir, exist_ok=True)
    start = datetime.datetime.utcnow() - datetime.timedelta(days=2)
    end = start + datetime.timedelta(days=2 + 3652)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ccguest dev KBS"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "ccguest dev KBS test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName("localhost"), x509.DNSName("kbs.test"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    for s in extra_sans:
        kind, _, val = s.partition(":")
        sans.append(x509.IPAddress(ipaddress.ip_address(val)) if kind.upper() == "IP"
                    else x509.DNSName(val))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))

    def write(path, data, mode=0o644):
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)

    pk = lambda k: k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    write(paths["ca.key"], pk(ca_key), 0o600)
    write(paths["server.key"], pk(key), 0o600)
    write(paths["ca.pem"], ca.public_bytes(serialization.Encoding.PEM))
    write(paths["server.pem"], leaf.public_bytes(serialization.Encoding.PEM))
    return paths


# ---------------------------------------------------------------- JWE

def parse_tee_pubkey(k):
    """Trustee parses tee-pubkey into kbs-types TeePubKey and re-serializes it:
    only kty/crv/alg/x/y (EC) or kty/alg/n/e (RSA) survive."""
    if not isinstance(k, dict):
        raise ValueError("tee-pubkey is not an object")
    if k.get("kty") == "EC":
        names = ("kty", "crv", "alg", "x", "y")
    elif k.get("kty") == "RSA":
        names = ("kty", "alg", "n", "e")
    else:
        raise ValueError("unknown tee-pubkey kty %r" % k.get("kty"))
    if not all(isinstance(k.get(n), str) for n in names):
        raise ValueError("tee-pubkey lacks one of " + ",".join(names))
    return {n: k[n] for n in names}


def _concat_kdf(z, alg, bits=256):
    other = (struct.pack(">I", len(alg)) + alg.encode() + struct.pack(">I", 0)
             + struct.pack(">I", 0) + struct.pack(">I", bits))
    return ConcatKDFHash(hashes.SHA256(), bits // 8, other).derive(z)


def jwe_encrypt(jwk, plaintext, cek=None, iv=None, eph=None):
    """Flattened JWE JSON as Trustee's kbs/src/jwe builds it (no "aad").
    cek/iv/eph (ephemeral EC private key) are fixed only by test vectors."""
    cek = cek or os.urandom(32)
    iv = iv or os.urandom(12)
    alg = jwk["alg"]
    if jwk["kty"] == "EC":
        curves = {"P-256": (ec.SECP256R1(), 32), "P-521": (ec.SECP521R1(), 66)}
        if jwk["crv"] not in curves or alg != "ECDH-ES+A256KW":
            raise ValueError("unsupported EC key %s/%s" % (jwk["crv"], alg))
        curve, size = curves[jwk["crv"]]
        peer = ec.EllipticCurvePublicNumbers(int.from_bytes(b64u_dec(jwk["x"]), "big"),
                                             int.from_bytes(b64u_dec(jwk["y"]), "big"),
                                             curve).public_key()
        eph = eph or ec.generate_private_key(curve)
        z = eph.exchange(ec.ECDH(), peer)
        nums = eph.public_key().public_numbers()
        header = {"alg": alg, "enc": "A256GCM",
                  "epk": {"crv": jwk["crv"], "kty": "EC",
                          "x": b64u(nums.x.to_bytes(size, "big")),
                          "y": b64u(nums.y.to_bytes(size, "big"))}}
        encrypted_key = aes_key_wrap(_concat_kdf(z, alg), cek)
    elif jwk["kty"] == "RSA":
        pub = rsa.RSAPublicNumbers(int.from_bytes(b64u_dec(jwk["e"]), "big"),
                                   int.from_bytes(b64u_dec(jwk["n"]), "big")).public_key()
        if alg == "RSA-OAEP-256":
            pad = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        elif alg == "RSA1_5":
            pad = padding.PKCS1v15()
        else:
            raise ValueError("unsupported RSA alg %s" % alg)
        header = {"alg": alg, "enc": "A256GCM"}
        encrypted_key = pub.encrypt(cek, pad)
    else:
        raise ValueError("unsupported kty")
    protected = b64u(json.dumps(header, separators=(",", ":")).encode())
    ct = AESGCM(cek).encrypt(iv, plaintext, protected.encode())
    return {"protected": protected, "encrypted_key": b64u(encrypted_key), "iv": b64u(iv),
            "ciphertext": b64u(ct[:-16]), "tag": b64u(ct[-16:])}


# ---------------------------------------------------------------- token (EAR-like JWT)

class TokenSigner:
    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        n = self.key.public_key().public_numbers()
        self.jwk = {"kty": "EC", "crv": "P-256", "alg": "ES256",
                    "x": b64u(n.x.to_bytes(32, "big")), "y": b64u(n.y.to_bytes(32, "big"))}

    def sign(self, claims):
        h = b64u(json.dumps({"alg": "ES256", "typ": "JWT", "jwk": self.jwk},
                            separators=(",", ":")).encode())
        p = b64u(json.dumps(claims, separators=(",", ":")).encode())
        r, s = decode_dss_signature(self.key.sign((h + "." + p).encode(), ec.ECDSA(hashes.SHA256())))
        return h + "." + p + "." + b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def verify(self, token):
        try:
            h, p, sig = token.split(".")
            raw = b64u_dec(sig)
            if len(raw) != 64 or json.loads(b64u_dec(h)).get("alg") != "ES256":
                raise ValueError("bad header/signature size")
            self.key.public_key().verify(
                encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                (h + "." + p).encode(), ec.ECDSA(hashes.SHA256()))
            claims = json.loads(b64u_dec(p))
        except (ValueError, InvalidSignature) as e:
            raise ValueError("token signature invalid: %s" % e)
        if claims.get("exp", 0) < now():
            raise ValueError("token expired")
        return claims


# ---------------------------------------------------------------- init-data

def init_data_digest(init_data):
    """Returns (digest bytes, parsed TOML) or (None, None) for no init-data."""
    if init_data is None:
        return None, None
    if not isinstance(init_data, dict) or not isinstance(init_data.get("format"), str) \
            or not isinstance(init_data.get("body"), str):
        raise VerifyError("deserialize Attestation: bad init-data")
    if init_data["format"] != "toml":
        raise VerifyError("Unsupported initdata format: " + init_data["format"])
    try:
        doc = tomllib.loads(init_data["body"])
    except tomllib.TOMLDecodeError as e:
        raise VerifyError("initdata TOML: %s" % e)
    alg = doc.get("algorithm")
    if not isinstance(doc.get("version"), str) or alg not in ("sha256", "sha384", "sha512"):
        raise VerifyError("initdata needs version and algorithm sha256|sha384|sha512")
    return hashlib.new(alg, init_data["body"].encode()).digest(), doc


def regularize(data, n):
    return data[:n] + b"\0" * (n - len(data[:n]))


# ---------------------------------------------------------------- verifiers

def verify_sample(evidence, expected, init_digest):
    if not isinstance(evidence, dict) or not isinstance(evidence.get("svn", ""), str):
        raise VerifyError("sample evidence: not {svn, report_data}")
    try:
        rd = base64.b64decode(evidence.get("report_data", ""), validate=True)
    except ValueError:
        raise VerifyError("sample report_data is not base64")
    if expected is not None and rd != expected:
        raise VerifyError("sample: report_data %s != expected %s" % (rd.hex(), expected.hex()))
    return {"svn": evidence.get("svn"), "report_data": rd.hex(), "launch_digest": "abcde",
            "platform_version": {"major": 1, "minor": 4}, "debug": False}


def verify_tdx(evidence, expected, init_digest):
    """TDX: decodes the quote and checks REPORTDATA and MRCONFIGID only.
    The quote's ECDSA/DCAP signature and collateral are NOT verified (out of scope)."""
    if not isinstance(evidence, dict) or not isinstance(evidence.get("quote"), str):
        raise VerifyError("tdx evidence: no quote")
    try:
        q = base64.b64decode(evidence["quote"], validate=True)
    except ValueError:
        raise VerifyError("tdx quote is not base64")
    if len(q) < 48:
        raise VerifyError("tdx quote too short")
    ver, _akt, tee = struct.unpack_from("<HHI", q, 0)
    if tee != 0x81 or ver not in (4, 5):
        raise VerifyError("not a TDX v4/v5 quote (version %d tee 0x%x)" % (ver, tee))
    off, size = 48, 584
    if ver == 5:
        btype, size = struct.unpack_from("<HI", q, 48)
        if btype not in (2, 3) or size not in (584, 648):
            raise VerifyError("tdx v5 quote body type %d size %d" % (btype, size))
        off = 54
    if len(q) < off + size:
        raise VerifyError("tdx quote truncated")
    body = q[off:off + size]
    mrconfigid, reportdata = body[184:232], body[520:584]
    if expected is not None and reportdata != regularize(expected, 64):
        raise VerifyError("tdx: REPORTDATA mismatch")
    if init_digest is not None and mrconfigid != regularize(init_digest, 48):
        raise VerifyError("tdx: MRCONFIGID != init-data digest")
    return {"quote": {"header": {"version": ver}, "body": {
        "mr_td": body[136:184].hex(), "mr_config_id": mrconfigid.hex(),
        "rtmr_0": body[328:376].hex(), "rtmr_1": body[376:424].hex(),
        "rtmr_2": body[424:472].hex(), "rtmr_3": body[472:520].hex(),
        "report_data": reportdata.hex()}},
        "signature_verified": False}


def _pem_certs(data):
    return [x509.load_pem_x509_certificate(m) for m in
            re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", data, re.S)]


def _pss_verify(issuer, cert):
    issuer.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                               padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48),
                               hashes.SHA384())


SNP_TCB_OIDS = {"bootloader": "1.3.6.1.4.1.3704.1.3.1", "tee": "1.3.6.1.4.1.3704.1.3.2",
                "snp": "1.3.6.1.4.1.3704.1.3.3", "microcode": "1.3.6.1.4.1.3704.1.3.8",
                "fmc": "1.3.6.1.4.1.3704.1.3.9"}
SNP_HWID_OID = "1.3.6.1.4.1.3704.1.4"


class SnpVerifier:
    """SEV-SNP evidence as guest-components sends it (sev crate serde form)."""

    def __init__(self, pem_files):
        self.arks, self.intermediates = [], []
        for path in pem_files:
            with open(path, "rb") as f:
                certs = _pem_certs(f.read())
            arks = [c for c in certs if c.subject == c.issuer]
            for a in arks:
                _pss_verify(a, a)           # ARK is self-signed
            self.arks += arks
            for c in certs:
                if c.subject != c.issuer:
                    if not any(a.subject == c.issuer for a in arks):
                        raise ValueError("%s: %s not issued by an ARK in the file"
                                         % (path, c.subject.rfc4514_string()))
                    _pss_verify(next(a for a in arks if a.subject == c.issuer), c)
                    self.intermediates.append(c)

    # -- raw report encoding (SNP ABI layout, 0x4A0 bytes)
    @staticmethod
    def _tcb(t):
        b = bytearray(8)
        if t.get("fmc") is not None:          # Turin layout
            b[0], b[1], b[2], b[3] = t["fmc"], t["bootloader"], t["tee"], t["snp"]
        else:                                  # Milan/Genoa layout
            b[0], b[1], b[6] = t["bootloader"], t["tee"], t["snp"]
        b[7] = t["microcode"]
        return bytes(b)

    @classmethod
    def encode_report(cls, r):
        def arr(name, n):
            v = r[name]
            if not isinstance(v, list) or len(v) != n:
                raise VerifyError("snp report: %s must be %d bytes" % (name, n))
            return bytes(v)
        try:
            raw = bytearray(0x4A0)
            struct.pack_into("<IIQ", raw, 0, r["version"], r["guest_svn"], r["policy"])
            raw[0x10:0x20], raw[0x20:0x30] = arr("family_id", 16), arr("image_id", 16)
            struct.pack_into("<II", raw, 0x30, r["vmpl"], r["sig_algo"])
            raw[0x38:0x40] = cls._tcb(r["current_tcb"])
            struct.pack_into("<QI", raw, 0x40, r["plat_info"], r["key_info"])
            for name, off, n in (("report_data", 0x50, 64), ("measurement", 0x90, 48),
                                 ("host_data", 0xC0, 32), ("id_key_digest", 0xE0, 48),
                                 ("author_key_digest", 0x110, 48), ("report_id", 0x140, 32),
                                 ("report_id_ma", 0x160, 32), ("chip_id", 0x1A0, 64)):
                raw[off:off + n] = arr(name, n)
            raw[0x180:0x188] = cls._tcb(r["reported_tcb"])
            for i, name in enumerate(("cpuid_fam_id", "cpuid_mod_id", "cpuid_step")):
                raw[0x188 + i] = r.get(name) or 0
            raw[0x1E0:0x1E8] = cls._tcb(r["committed_tcb"])
            for off, name in ((0x1E8, "current"), (0x1EC, "committed")):
                v = r[name]
                raw[off:off + 3] = bytes((v["build"], v["minor"], v["major"]))
            raw[0x1F0:0x1F8] = cls._tcb(r["launch_tcb"])
            struct.pack_into("<QQ", raw, 0x1F8, r.get("launch_mit_vector") or 0,
                             r.get("current_mit_vector") or 0)
            sig = r["signature"]
            if len(sig["r"]) != 72 or len(sig["s"]) != 72:
                raise VerifyError("snp signature r/s must be 72 bytes")
            raw[0x2A0:0x2E8], raw[0x2E8:0x330] = bytes(sig["r"]), bytes(sig["s"])
        except (KeyError, TypeError, ValueError, struct.error) as e:
            raise VerifyError("snp report JSON malformed: %r" % (e,))
        return bytes(raw)

    @staticmethod
    def decode_report(raw):
        """Inverse of encode_report (for tests / tooling): raw bytes -> serde JSON."""
        u32 = lambda o: struct.unpack_from("<I", raw, o)[0]
        u64 = lambda o: struct.unpack_from("<Q", raw, o)[0]
        ver = u32(0)
        fam = raw[0x188] if ver >= 3 else None
        turin = fam == 0x1A

        def tcb(o):
            b = raw[o:o + 8]
            if turin:
                return {"fmc": b[0], "bootloader": b[1], "tee": b[2], "snp": b[3], "microcode": b[7]}
            return {"fmc": None, "bootloader": b[0], "tee": b[1], "snp": b[6], "microcode": b[7]}
        L = lambda o, n: list(raw[o:o + n])
        r = {"version": ver, "guest_svn": u32(4), "policy": u64(8), "family_id": L(0x10, 16),
             "image_id": L(0x20, 16), "vmpl": u32(0x30), "sig_algo": u32(0x34),
             "current_tcb": tcb(0x38), "plat_info": u64(0x40), "key_info": u32(0x48),
             "report_data": L(0x50, 64), "measurement": L(0x90, 48), "host_data": L(0xC0, 32),
             "id_key_digest": L(0xE0, 48), "author_key_digest": L(0x110, 48),
             "report_id": L(0x140, 32), "report_id_ma": L(0x160, 32), "reported_tcb": tcb(0x180),
             "cpuid_fam_id": fam, "cpuid_mod_id": raw[0x189] if ver >= 3 else None,
             "cpuid_step": raw[0x18A] if ver >= 3 else None, "chip_id": L(0x1A0, 64),
             "committed_tcb": tcb(0x1E0),
             "current": {"major": raw[0x1EA], "minor": raw[0x1E9], "build": raw[0x1E8]},
             "committed": {"major": raw[0x1EE], "minor": raw[0x1ED], "build": raw[0x1EC]},
             "launch_tcb": tcb(0x1F0)}
        if ver >= 5:
            r["launch_mit_vector"], r["current_mit_vector"] = u64(0x1F8), u64(0x200)
        r["signature"] = {"r": L(0x2A0, 72), "s": L(0x2E8, 72)}
        return r

    def _vek(self, cert_chain, key_type):
        """Return the VCEK/VLEK certificate after verifying VEK -> ASK/ASVK -> trusted ARK."""
        if not cert_chain:
            raise VerifyError("snp: no cert_chain; fetching the VCEK from AMD KDS is not "
                              "supported by the dev KBS")
        certs = {}
        for e in cert_chain:
            try:
                certs.setdefault(e["cert_type"], x509.load_der_x509_certificate(bytes(e["data"])))
            except (KeyError, TypeError, ValueError) as ex:
                raise VerifyError("snp cert_chain entry unreadable: %r" % (ex,))
        vek = certs.get(key_type)
        if vek is None:
            raise VerifyError("snp: key_info says %s but cert_chain has %s"
                              % (key_type, sorted(certs)))
        arks = self.arks
        if "ARK" in certs:
            if not any(certs["ARK"] == a for a in self.arks):
                raise VerifyError("snp: ARK in cert_chain is not the trusted ARK")
            arks = [certs["ARK"]]
        inters = [certs[t] for t in ("ASK", "ASVK") if t in certs] + self.intermediates
        for inter in (i for i in inters if i.subject == vek.issuer):
            for ark in (a for a in arks if a.subject == inter.issuer):
                try:
                    _pss_verify(ark, inter)
                    _pss_verify(inter, vek)
                    return vek
                except InvalidSignature:
                    continue
        raise VerifyError("snp: %s chain does not verify to a trusted ARK (issuer %s)"
                          % (key_type, vek.issuer.rfc4514_string()))

    @staticmethod
    def _ext_int(cert, oid):
        for ext in cert.extensions:
            if ext.oid.dotted_string == oid:
                v = ext.value.value
                if len(v) >= 3 and v[0] == 2 and v[1] == len(v) - 2:
                    return int.from_bytes(v[2:], "big")
        return None

    def verify(self, evidence, expected, init_digest, check_binding=True):
        if not isinstance(evidence, dict) or not isinstance(evidence.get("attestation_report"), dict):
            raise VerifyError("snp evidence: no attestation_report")
        r = evidence["attestation_report"]
        raw = self.encode_report(r)
        if not 3 <= r["version"] <= 5:
            raise VerifyError("snp report version %d not in 3..5" % r["version"])
        if r["sig_algo"] != 1:
            raise VerifyError("snp sig_algo %d is not ECDSA P-384/SHA-384" % r["sig_algo"])
        signing = (r["key_info"] >> 2) & 7
        if signing not in (0, 1):
            raise VerifyError("snp key_info signing key %d (neither VCEK nor VLEK)" % signing)
        key_type = "VCEK" if signing == 0 else "VLEK"
        vek = self._vek(evidence.get("cert_chain"), key_type)
        sig = encode_dss_signature(int.from_bytes(raw[0x2A0:0x2E8], "little"),
                                   int.from_bytes(raw[0x2E8:0x330], "little"))
        try:
            vek.public_key().verify(sig, raw[:0x2A0], ec.ECDSA(hashes.SHA384()))
        except (InvalidSignature, AttributeError, TypeError):
            raise VerifyError("snp report signature does not verify with the %s" % key_type)
        for field, oid in SNP_TCB_OIDS.items():
            want = self._ext_int(vek, oid)
            have = r["reported_tcb"].get(field)
            if want is not None and have is not None and want != have:
                raise VerifyError("snp reported_tcb.%s %d != %s %d" % (field, have, key_type, want))
        if key_type == "VCEK":
            for ext in vek.extensions:
                if ext.oid.dotted_string == SNP_HWID_OID:
                    hwid = ext.value.value
                    if len(hwid) == 66 and hwid[:2] == b"\x04\x40":
                        hwid = hwid[2:]
                    if any(r["chip_id"]) and hwid != bytes(r["chip_id"]):
                        raise VerifyError("snp chip_id != VCEK hwid")
        if r["vmpl"] != 0:
            raise VerifyError("snp vmpl %d != 0" % r["vmpl"])
        if check_binding and expected is not None and \
                bytes(r["report_data"]) != regularize(expected, 64):
            raise VerifyError("snp report_data != runtime-data digest")
        if check_binding and init_digest is not None and \
                bytes(r["host_data"]) != regularize(init_digest, 32):
            raise VerifyError("snp host_data != init-data digest")
        return {"measurement": bytes(r["measurement"]).hex(), "policy": r["policy"],
                "host_data": bytes(r["host_data"]).hex(), "report_data": bytes(r["report_data"]).hex(),
                "reported_tcb": r["reported_tcb"], "signing_key": key_type,
                "chip_id": bytes(r["chip_id"]).hex()}

    def verify_without_binding(self, evidence):
        """Test entry point: everything except report_data/host_data binding."""
        return self.verify(evidence, None, None, check_binding=False)


# ---------------------------------------------------------------- policy

class Policy:
    def __init__(self, doc):
        if not isinstance(doc, dict) or not isinstance(doc.get("allow", []), list):
            raise ValueError('policy must be {"allow":[{"tee":[...],"resource":"glob"}]}')
        self.rules = []
        for rule in doc.get("allow", []):
            tees = rule.get("tee", ["*"])
            res = rule.get("resource", "*")
            self.rules.append(([tees] if isinstance(tees, str) else list(tees),
                               [res] if isinstance(res, str) else list(res)))

    def allows(self, tee, path):
        return any(any(fnmatch.fnmatchcase(tee, t) for t in tees) and
                   any(fnmatch.fnmatchcase(path, r) for r in res)
                   for tees, res in self.rules)


# ---------------------------------------------------------------- server state

class Session:
    def __init__(self, tee, nonce, minutes):
        self.id = uuid.uuid4().hex
        self.tee, self.nonce = tee, nonce
        self.expires = now() + minutes * 60
        self.token = None             # set once attested

    def cookie(self):
        exp = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(self.expires))
        return "%s=%s; Expires=%s" % (COOKIE, self.id, exp)


class Kbs:
    def __init__(self, resources=None, policy=None, faults=(), snp=None,
                 session_minutes=5.0, log=None):
        self.resources, self.policy, self.snp = resources, policy or Policy(DEFAULT_POLICY), snp
        self.faults = {}
        for f in faults:
            name, _, val = f.partition("=")
            if name not in ("drop", "delay", "garbage", "badjwe", "500", "deny"):
                raise ValueError("unknown fault mode %r" % f)
            self.faults[name] = float(val) if name == "delay" else True
        self.minutes = session_minutes
        self.sessions, self.lock = {}, threading.Lock()
        self.signer = TokenSigner()
        self.log_file = log
        self.log_lock = threading.Lock()

    def log(self, msg):
        line = "%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), msg)
        with self.log_lock:
            if self.log_file:
                self.log_file.write(line)
                self.log_file.flush()
            else:
                sys.stderr.write(line)

    def session(self, sid):
        with self.lock:
            for k in [k for k, s in self.sessions.items() if s.expires + 60 < now()]:
                del self.sessions[k]
            return self.sessions.get(sid)

    # -- /auth
    def auth(self, body):
        try:
            req = json.loads(body)
            if not isinstance(req, dict) or not isinstance(req.get("version"), str) \
                    or req.get("tee") not in TEES or "extra-params" not in req:
                raise ValueError
        except ValueError:
            raise auth_failed("deserialize Request")
        if not re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?",
                            req["version"]):
            raise auth_failed("failed to parse KBS version")
        if req["version"].split("+")[0] != PROTOCOL_VERSION:
            raise auth_failed("KBS Client Protocol Version Mismatch: expect =%s while the request is %s"
                              % (PROTOCOL_VERSION, req["version"]))
        s = Session(req["tee"], base64.b64encode(os.urandom(32)).decode(), self.minutes)
        with self.lock:
            self.sessions[s.id] = s
        return s, {"nonce": s.nonce, "extra-params": ""}

    # -- /attest
    def attest(self, sid, body):
        if sid is None:
            raise attest_failed("cookie not found")
        try:
            att = json.loads(body)
            rt, ev = att["runtime-data"], att["tee-evidence"]
            if not isinstance(rt["nonce"], str) or "primary_evidence" not in ev \
                    or not isinstance(ev["additional_evidence"], str):
                raise ValueError("bad runtime-data/tee-evidence")
            pubkey = parse_tee_pubkey(rt["tee-pubkey"])
            init_data = att.get("init-data")
        except (ValueError, KeyError, TypeError) as e:
            raise attest_failed("deserialize Attestation: %s" % e)
        s = self.session(sid)
        if s is None:
            raise attest_failed("No cookie found (unknown session %s)" % sid)
        if s.expires < now():
            raise attest_failed("session expired.")
        if s.token is not None:
            return s, s.token, "already attested, old token returned"
        if rt["nonce"] != s.nonce:
            raise attest_failed("the nonce in the handshake session is different from the "
                                "client side in KBS protocol's Attestation message")
        material = {"additional-evidence": ev["additional_evidence"], "nonce": s.nonce,
                    "tee-pubkey": pubkey}
        digest = hashlib.sha384(jcs(material)).digest()
        try:
            init_digest, init_doc = init_data_digest(init_data)
            claims = {s.tee: self.verify(s.tee, ev["primary_evidence"], digest, init_digest)}
            if ev["additional_evidence"]:
                extra = json.loads(ev["additional_evidence"])
                d2 = hashlib.sha384(jcs({"nonce": s.nonce, "tee-pubkey": pubkey})).digest()
                for tee, e in extra.items():
                    claims[tee] = self.verify(tee, e, d2, None)
        except Exception as e:    # any verifier failure is an attestation failure
            raise attest_failed("verify TEE evidence failed: %s (runtime-data %s)"
                                % (e, jcs(material).decode()))
        t = int(now())
        claims.update({"report_data": digest.hex(),
                       "init_data": init_digest.hex() if init_digest else None,
                       "runtime_data_claims": material,
                       "init_data_claims": (init_doc or {}).get("data")})
        token = self.signer.sign({
            "eat_profile": "tag:github.com,2024:confidential-containers/Trustee",
            "iat": t, "exp": t + int(self.minutes * 60), "iss": "ccguest-dev-kbs",
            "ear.verifier-id": {"developer": "ccguest", "build": "dev-kbs"},
            "submods": {"cpu0": {"ear.status": "affirming",
                                 "ear.trustworthiness-vector": {},
                                 "ear.appraisal-policy-id": "default",
                                 "ear.veraison.annotated-evidence": claims}}})
        s.token = token
        return s, token, "tee %s verified" % s.tee

    def verify(self, tee, evidence, digest, init_digest):
        if tee == "sample":
            return verify_sample(evidence, digest, init_digest)
        if tee == "snp":
            if self.snp is None:
                raise VerifyError("no SNP ARK configured (--snp-ark)")
            return self.snp.verify(evidence, digest, init_digest)
        if tee == "tdx":
            self.log("tdx: quote signature verification is out of scope of the dev KBS; "
                     "only REPORTDATA and MRCONFIGID are checked")
            return verify_tdx(evidence, digest, init_digest)
        raise VerifyError("no verifier for tee %s in the dev KBS" % tee)

    # -- /resource and other plugins
    def resource(self, plugin, rest, sid, authz):
        if plugin != "resource":
            raise KbsError("PluginNotFound", "Plugin %s not found" % plugin, 404)
        claims = None
        s = self.session(sid) if sid else None
        if s is not None and s.expires >= now() and s.token is not None:
            claims = self.signer.verify(s.token)
        elif authz and authz.startswith("Bearer "):
            try:
                claims = self.signer.verify(authz[7:].strip())
            except ValueError as e:
                raise KbsError("TokenVerifierError", "Token Verifier error", cause=str(e))
        else:
            raise KbsError("TokenNotFound", "Attestation Token not found",
                           cause="no attested, unexpired session and no bearer token")
        ae = claims["submods"]["cpu0"]["ear.veraison.annotated-evidence"]
        tee = next((t for t in ae if t in TEES), "?")
        if "deny" in self.faults or not self.policy.allows(tee, rest):
            raise KbsError("PolicyDeny", "Access denied by policy",
                           cause="policy denies tee %s resource %s" % (tee, rest))
        segs = rest.split("/")
        if len(segs) != 3 or not all(SEGMENT.match(x) for x in segs):
            raise KbsError("PluginInternalError", "Plugin internal error",
                           cause="illegal ResourceDesc format: %r" % rest)
        path = os.path.join(self.resources, *segs) if self.resources else None
        if not path or not os.path.isfile(path):
            raise KbsError("PluginInternalError", "Plugin internal error",
                           cause="resource %s not found" % rest)
        with open(path, "rb") as f:
            data = f.read()
        try:
            jwe = jwe_encrypt(ae["runtime_data_claims"]["tee-pubkey"], data)
        except (ValueError, KeyError) as e:
            raise KbsError("JweError", "JWE failed", cause=str(e))
        if "badjwe" in self.faults:
            tag = bytearray(b64u_dec(jwe["tag"]))
            tag[0] ^= 0x01
            jwe["tag"] = b64u(bytes(tag))
        return jwe, "resource %s (%d bytes) for tee %s, %s" % (rest, len(data), tee,
                                                              json.loads(b64u_dec(jwe["protected"]))["alg"])


# ---------------------------------------------------------------- HTTP

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ccguest-dev-kbs/0.4.0"
    timeout = 60

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, fmt, *args):
        pass

    def _cookie(self):
        for part in (self.headers.get_all("Cookie") or []):
            for kv in part.split(";"):
                k, _, v = kv.strip().partition("=")
                if k == COOKIE:
                    return v
        return None

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
                if len(out) > MAX_BODY:
                    raise OverflowError
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            while 0 < n <= 32 * MAX_BODY:     # drain so the client gets to read the 413
                n -= len(self.rfile.read(min(n, 65536)) or b"x" * n)
            raise OverflowError
        return self.rfile.read(n)

    def _send(self, status, body, ctype="application/json", cookie=None, note=""):
        # log first, so that a client that has the response also finds the log line
        self.server.kbs.log('%s "%s %s" %s %s' % (self.client_address[0], self.command,
                                                 self.path, status, note))
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _not_allowed(self):     # actix: only GET and POST are routed under /kbs/v0
        self._body()
        self._send(405, b"", None, note="method not allowed")

    do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed

    def _handle(self):
        kbs = self.server.kbs
        path = self.path.split("?", 1)[0]
        try:
            body = self._body()
        except OverflowError:
            self.close_connection = True
            return self._send(413, b"A payload reached size limit.", "text/plain",
                              note="payload too large")
        if "delay" in kbs.faults:
            time.sleep(kbs.faults["delay"])
        if "500" in kbs.faults:
            return self._send(500, b"Internal Server Error (dev KBS fault injection)",
                              "text/plain", note="fault 500")
        if not path.startswith("/kbs/v0/"):
            return self._send(404, b"", None, note="no route")
        plugin, _, rest = path[len("/kbs/v0/"):].partition("/")
        try:
            if plugin == "auth" and self.command == "POST":
                if "garbage" in kbs.faults:
                    return self._send(200, b"<html>this is not JSON\x00\xff</html>",
                                      note="fault garbage")
                s, challenge = kbs.auth(body)
                return self._send(200, json.dumps(challenge, separators=(",", ":")).encode(),
                                  cookie=s.cookie(), note="session %s tee %s" % (s.id, s.tee))
            if plugin == "attest" and self.command == "POST":
                if "drop" in kbs.faults:
                    kbs.log('%s "%s %s" - fault drop: connection closed without response'
                            % (self.client_address[0], self.command, self.path))
                    self.close_connection = True
                    return
                s, token, note = kbs.attest(self._cookie(), body)
                return self._send(200, json.dumps({"token": token}).encode(), cookie=s.cookie(),
                                  note="session %s: %s" % (s.id, note))
            if plugin == "resource" and self.command == "POST":
                # Trustee: resource POST is the admin "set resource" API
                raise KbsError("AdminAuthAccess", "admin access denied for endpoint %s: "
                               "the dev KBS has no admin API" % path)
            if self.command != "GET":
                raise KbsError("PluginNotFound", "Plugin %s not found" % plugin, 404)
            jwe, note = kbs.resource(plugin, rest, self._cookie(),
                                     self.headers.get("Authorization"))
            return self._send(200, json.dumps(jwe, separators=(",", ":")).encode(), note=note)
        except KbsError as e:
            return self._send(e.status, e.body(), note="%s: %s" % (e.variant, e.cause))
        except Exception:     # a dev KBS bug: make it loud, in the log and as a 500
            import traceback
            self.close_connection = True
            return self._send(500, b"dev KBS internal error", "text/plain",
                              note="BUG " + traceback.format_exc().replace("\n", " | "))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, OSError)):
            super().handle_error(request, client_address)
        else:
            self.kbs.log("%s connection error: %r" % (client_address[0], exc))


def default_snp_pems():
    return [p for p in (os.path.join(FIXTURES_SNP, g + "_ask_ark_asvk.pem")
                        for g in ("genoa", "milan", "turin")) if os.path.exists(p)]


def main(argv=None):
    ap = argparse.ArgumentParser(description="ccguest dev KBS (Trustee KBS protocol 0.4.0 test peer)")
    ap.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT (port 0 = any free port)")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--tls-dir", help="ca.pem/ca.key/server.pem/server.key; generated if absent")
    ap.add_argument("--tls-san", action="append", default=[],
                    help="extra SAN for a generated leaf, DNS:name or IP:addr (repeatable)")
    ap.add_argument("--http", action="store_true", help="plain HTTP, no TLS")
    ap.add_argument("--resources", help="directory of <repo>/<type>/<tag> files")
    ap.add_argument("--policy", help='JSON {"allow":[{"tee":[...],"resource":"glob"}]}; '
                    "default: every TEE but sample may read everything")
    ap.add_argument("--snp-ark", action="append", default=None,
                    help="PEM with the trusted ARK (+ASK/ASVK); repeatable")
    ap.add_argument("--fault", default="",
                    help="comma list of drop, delay=SECS, garbage, badjwe, 500, deny")
    ap.add_argument("--session-minutes", type=float, default=5.0,
                    help="session and token lifetime (Trustee default 5)")
    ap.add_argument("--log", help="append one line per request here (default stderr)")
    a = ap.parse_args(argv)

    host, _, port = a.listen.rpartition(":")
    policy = None
    if a.policy:
        with open(a.policy) as f:
            policy = Policy(json.load(f))
    pems = a.snp_ark if a.snp_ark is not None else default_snp_pems()
    snp = SnpVerifier(pems) if pems else None
    log = open(a.log, "a") if a.log else None
    kbs = Kbs(a.resources, policy, [f for f in a.fault.split(",") if f], snp,
              a.session_minutes, log)

    srv = Server((host or "127.0.0.1", int(port)), Handler)
    srv.kbs = kbs
    scheme = "http"
    if not a.http:
        if not a.tls_dir:
            ap.error("--tls-dir is required unless --http")
        p = ensure_tls(a.tls_dir, a.tls_san)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(p["server.pem"], p["server.key"])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    bound = srv.server_address[1]
    kbs.log("dev KBS %s listening on %s:%d (protocol %s, faults %s, snp ARKs %s, policy %s); "
            "tdx quote signatures are NOT verified (out of scope)"
            % (scheme, host, bound, PROTOCOL_VERSION, sorted(kbs.faults) or "none",
               [os.path.basename(x) for x in pems] or "none", a.policy or "default (sample denied)"))
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % bound)
        os.replace(a.port_file + ".tmp", a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
