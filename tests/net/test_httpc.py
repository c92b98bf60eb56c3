"""End-to-end tests of net/httpc + net/tls against Python's http.server.

A throw-away CA and server certificate (SAN DNS:localhost, IP:127.0.0.1) are
made with python3-cryptography; servers listen on 127.0.0.1 only.  The C side
is tests/net/httpc_probe.c ($BUILD/net/httpc_probe, built on demand).

Run: /usr/bin/python3 -m pytest -q tests/net   (BUILD=build/h-http to pick a
build directory)."""
import datetime
import hashlib
import http.server
import os
import socket
import ssl
import subprocess
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
PROBE = os.path.join(ROOT, BUILD, "net", "httpc_probe")

HELLO = b"hello, world\n"
BIG = bytes(range(256)) * 300          # 76800 bytes, several TLS records


# ---- certificates ---------------------------------------------------------

def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, issuer, pub, signer, ca, san=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
         .public_key(pub).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                          False, False), critical=True)
    else:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                            critical=False)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return b.sign(signer, hashes.SHA256())


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


SAN = [x509.DNSName("localhost"),
       x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("test CA", "test CA", ca_key.public_key(), ca_key, True)
    srv_key = ec.generate_private_key(ec.SECP256R1())
    srv = _cert("localhost", "test CA", srv_key.public_key(), ca_key, False, SAN)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _cert("other CA", "other CA", other_key.public_key(), other_key, True)
    self_key = ec.generate_private_key(ec.SECP256R1())
    selfsigned = _cert("localhost", "localhost", self_key.public_key(), self_key, False, SAN)
    files = {
        "ca": _pem(ca), "other": _pem(other), "srv_chain": _pem(srv) + _pem(ca),
        "srv_key": _key_pem(srv_key), "self": _pem(selfsigned),
        "self_key": _key_pem(self_key), "srv": _pem(srv),
    }
    out = {}
    for k, v in files.items():
        (d / k).write_bytes(v)
        out[k] = str(d / k)
    return out


# ---- servers ---------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _send(self, code, body, extra=()):
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self):
        self.server.peers.add(self.client_address)
        p = self.path
        n = int(self.headers.get("Content-Length") or 0)
        req = self.rfile.read(n) if n else b""
        if p == "/hello":
            self._send(200, HELLO, [("Set-Cookie", "kbs-session-id=abc123; Expires=Wed, "
                                     "21 Oct 2037 07:28:00 GMT"),
                                    ("Content-Type", "text/plain")])
        elif p == "/echo":
            self._send(200, req)
        elif p == "/big":
            self._send(200, BIG)
        elif p == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(BIG), 5000):
                c = BIG[i:i + 5000]
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(c), c))
            self.wfile.write(b"0\r\nX-Trailer: 1\r\n\r\n")
        elif p.startswith("/redirect/"):
            k = int(p.rsplit("/", 1)[1])
            if k == 0:
                self._send(200, HELLO)
            else:
                self._send(302, b"", [("Location", "/redirect/%d" % (k - 1))])
        elif p == "/loop":
            self._send(302, b"", [("Location", "/loop")])
        elif p == "/to-http":
            self._send(302, b"", [("Location", "http://127.0.0.1:1/hello")])
        elif p == "/then-close":
            self._send(200, HELLO)
            self.close_connection = True      # no Connection: close header
        elif p == "/hangup":
            self.close_connection = True      # no answer at all
        elif p == "/slow":
            time.sleep(3)
            self._send(200, HELLO)
        elif p == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "40")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif p == "/until-close":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + HELLO)
            self.close_connection = True
        elif p == "/dup-length":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                             b"Content-Length: 2\r\n\r\nhi")
        else:
            self._send(404, b"not found\n")

    do_GET = _route
    do_POST = _route


class Server:
    def __init__(self, certfile=None, keyfile=None, max_version=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.peers = set()
        if certfile:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)
            if max_version:
                ctx.maximum_version = max_version
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.t = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.t.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def probe():
    if not os.access(PROBE, os.X_OK) or os.environ.get("HTTPC_PROBE_REBUILD"):
        subprocess.run(["make", "BUILD=" + BUILD, os.path.join(BUILD, "net", "httpc_probe")],
                       cwd=ROOT, check=True)
    return PROBE


@pytest.fixture(scope="module")
def https(pki):
    s = Server(pki["srv_chain"], pki["srv_key"])
    yield s
    s.close()


@pytest.fixture
def http_srv():
    s = Server()
    yield s
    s.close()


class Result:
    def __init__(self, cp, elapsed):
        self.rc = cp.returncode
        self.out = cp.stdout
        self.elapsed = elapsed
        self.lines = cp.stdout.splitlines()

    def responses(self):
        return [dict(kv.split("=", 1) for kv in l.split(" "))
                for l in self.lines if l.startswith("status=")]

    def connections(self):
        return int([l for l in self.lines if l.startswith("connections=")][0].split("=")[1])

    def error(self):
        return [l for l in self.lines if l.startswith("error ")][0]

    def __repr__(self):
        return "rc=%d elapsed=%.2f\n%s" % (self.rc, self.elapsed, self.out)


def run(probe, url, *args, timeout=30):
    t0 = time.monotonic()
    cp = subprocess.run([probe, url, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        timeout=timeout, text=True, errors="replace")
    return Result(cp, time.monotonic() - t0)


def sha(b):
    return hashlib.sha256(b).hexdigest()


# ---- tests -------------------------------------------------------------------

def test_good_ca(probe, pki, https):
    r = run(probe, "https://localhost:%d/hello" % https.port, "--ca", pki["ca"])
    assert r.rc == 0, r
    (resp,) = r.responses()
    assert resp["status"] == "200" and resp["sha256"] == sha(HELLO), r
    assert resp["cookie"] == "kbs-session-id=abc123", r
    assert resp["ctype"] == "text/plain", r


def test_ip_literal_san(probe, pki, https):
    r = run(probe, "https://127.0.0.1:%d/big" % https.port, "--ca", pki["ca"])
    assert r.rc == 0, r
    assert r.responses()[0]["sha256"] == sha(BIG), r


def test_tls12_only_server(probe, pki):
    s = Server(pki["srv_chain"], pki["srv_key"], ssl.TLSVersion.TLSv1_2)
    try:
        r = run(probe, "https://localhost:%d/hello" % s.port, "--ca", pki["ca"])
    finally:
        s.close()
    assert r.rc == 0, r


def test_pinned_self_signed_leaf(probe, pki):
    s = Server(pki["self"], pki["self_key"])
    try:
        r = run(probe, "https://localhost:%d/hello" % s.port, "--ca", pki["self"])
        bad = run(probe, "https://localhost:%d/hello" % s.port, "--ca", pki["ca"])
    finally:
        s.close()
    assert r.rc == 0, r
    assert bad.rc == 2 and "kind=tls" in bad.error(), bad


def test_pinned_server_cert_issued_by_ca(probe, pki, https):
    # the server's own (CA-issued, not self-signed) certificate as the only anchor
    r = run(probe, "https://localhost:%d/hello" % https.port, "--ca", pki["srv"])
    assert r.rc == 2, r   # Mbed TLS: only self-signed leaves may be pinned


def test_wrong_ca(probe, pki, https):
    r = run(probe, "https://localhost:%d/hello" % https.port, "--ca", pki["other"])
    assert r.rc == 2, r
    assert "kind=tls" in r.error() and "certificate not trusted" in r.error(), r


def test_name_mismatch(probe, pki, https):
    r = run(probe, "https://wrong.example:%d/hello" % https.port, "--ca", pki["ca"],
            "--connect-host", "127.0.0.1")
    assert r.rc == 2, r
    assert "kind=tls" in r.error() and "name mismatch" in r.error(), r
    assert "certificate not trusted" not in r.error(), r


def test_connect_host_keeps_tls_name(probe, pki, https):
    r = run(probe, "https://localhost:%d/hello" % https.port, "--ca", pki["ca"],
            "--connect-host", "127.0.0.1")
    assert r.rc == 0, r


def test_plain_http_post(probe, http_srv):
    r = run(probe, "http://127.0.0.1:%d/echo" % http_srv.port, "--method", "POST",
            "--data", "ping")
    assert r.rc == 0, r
    assert r.responses()[0]["sha256"] == sha(b"ping"), r


def test_chunked(probe, pki, https, http_srv):
    for url, extra in (("https://localhost:%d/chunked" % https.port, ["--ca", pki["ca"]]),
                       ("http://127.0.0.1:%d/chunked" % http_srv.port, [])):
        r = run(probe, url, *extra)
        assert r.rc == 0, r
        assert r.responses()[0]["sha256"] == sha(BIG), r


def test_keep_alive_reuse(probe, pki, https):
    before = len(https.httpd.peers)
    r = run(probe, "https://localhost:%d/hello" % https.port, "--ca", pki["ca"],
            "--count", "3")
    assert r.rc == 0, r
    assert len(r.responses()) == 3 and r.connections() == 1, r
    assert len(https.httpd.peers) - before == 1


def test_reconnect_after_server_close(probe, http_srv):
    r = run(probe, "http://127.0.0.1:%d/then-close" % http_srv.port, "--count", "2")
    assert r.rc == 0, r
    assert len(r.responses()) == 2 and r.connections() == 2, r


def test_server_closes_without_answer(probe, pki, https, http_srv):
    r = run(probe, "http://127.0.0.1:%d/hangup" % http_srv.port)
    assert r.rc == 2 and "kind=network" in r.error(), r
    r = run(probe, "https://localhost:%d/hangup" % https.port, "--ca", pki["ca"])
    assert r.rc == 2 and "kind=network" in r.error(), r


def test_connection_refused(probe):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = run(probe, "http://127.0.0.1:%d/" % port)
    assert r.rc == 2 and "kind=network" in r.error() and "refused" in r.error(), r


def test_slow_server_times_out(probe, pki, https):
    r = run(probe, "https://localhost:%d/slow" % https.port, "--ca", pki["ca"],
            "--timeout", "700")
    assert r.rc == 2 and "kind=network" in r.error() and "timed out" in r.error(), r
    assert r.elapsed < 2.5, r


def test_trickling_server_times_out(probe, http_srv):
    # one byte every 100 ms: the deadline covers the whole answer
    r = run(probe, "http://127.0.0.1:%d/trickle" % http_srv.port, "--timeout", "1000")
    assert r.rc == 2 and "timed out" in r.error(), r
    assert r.elapsed < 3, r


def test_silent_tls_peer_times_out(probe, pki):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    try:
        r = run(probe, "https://localhost:%d/" % lsock.getsockname()[1], "--ca", pki["ca"],
                "--timeout", "500")
    finally:
        lsock.close()
    assert r.rc == 2 and "timed out" in r.error(), r
    assert r.elapsed < 2.5, r


def test_redirects(probe, pki, https):
    url = "https://localhost:%d/redirect/3" % https.port
    r = run(probe, url, "--ca", pki["ca"], "--max-redirects", "3")
    assert r.rc == 0 and r.responses()[0]["status"] == "200", r
    r = run(probe, url, "--ca", pki["ca"])       # none followed
    assert r.rc == 0 and r.responses()[0]["status"] == "302", r
    r = run(probe, "https://localhost:%d/loop" % https.port, "--ca", pki["ca"],
            "--max-redirects", "3")
    assert r.rc == 2 and "kind=bad response" in r.error() and "redirects" in r.error(), r
    r = run(probe, "https://localhost:%d/to-http" % https.port, "--ca", pki["ca"],
            "--max-redirects", "3")
    assert r.rc == 2 and "https to http" in r.error(), r


def test_body_limit_and_bad_framing(probe, http_srv):
    r = run(probe, "http://127.0.0.1:%d/big" % http_srv.port, "--max-body", "1000")
    assert r.rc == 2 and "kind=bad response" in r.error() and "limit" in r.error(), r
    r = run(probe, "http://127.0.0.1:%d/dup-length" % http_srv.port)
    assert r.rc == 2 and "duplicate Content-Length" in r.error(), r


def test_tls_reconnect_after_server_close(probe, pki, https):
    r = run(probe, "https://localhost:%d/then-close" % https.port, "--ca", pki["ca"],
            "--count", "3")
    assert r.rc == 0, r
    assert len(r.responses()) == 3 and r.connections() == 3, r


def test_tls_body_until_close(probe, pki, https):
    # Python's ssl socket closes without close_notify: a body framed by the
    # close cannot be told from a truncation, so it is refused
    r = run(probe, "https://localhost:%d/until-close" % https.port, "--ca", pki["ca"])
    assert r.rc == 2 and "close_notify" in r.error(), r


def test_plain_body_until_close(probe, http_srv):
    r = run(probe, "http://127.0.0.1:%d/until-close" % http_srv.port)
    assert r.rc == 0 and r.responses()[0]["sha256"] == sha(HELLO), r
