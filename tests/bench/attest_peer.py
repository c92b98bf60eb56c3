"""The peer of attest_bench: an independent Python guest-side client (the one
tests/kbs/test_kbs.py checks the dev KBS with: jwcrypto keys and JWE) doing
auth + attest + one resource over one TLS connection, N times.

usage: /usr/bin/python3 tests/bench/attest_peer.py PORT CA.pem repo/type/tag N"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kbs"))
import test_kbs  # noqa: E402


class K:
    def __init__(self, port, ca):
        self.port, self.ca_pem = port, ca


def main():
    port, ca, path, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    ms = []
    for _ in range(n):
        t0 = time.monotonic()
        c = test_kbs.Client(K(port, ca))
        c.full()
        st, raw = c.resource(path)
        assert st == 200, raw
        c.decrypt(raw)
        ms.append((time.monotonic() - t0) * 1000)
        c.conn.close()
    ms.sort()
    print("attest_ms %.1f min %.1f max %.1f" % (ms[n // 2], ms[0], ms[-1]))


main()
