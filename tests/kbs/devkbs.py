"""Launcher for the dev KBS (tests/kbs/kbs.py), for other test suites.

    import devkbs
    kbs = devkbs.start(tmp_path, resources={"default/key/k1": b"secret"},
                       policy=devkbs.ALLOW_ALL)
    ... kbs.url (https://localhost:PORT), kbs.port, kbs.ca_pem, kbs.log ...
    kbs.stop()

The server always runs under /usr/bin/python3 (Debian's, which has
python3-cryptography), whatever python runs the caller.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KBS_PY = os.path.join(HERE, "kbs.py")
PYTHON = "/usr/bin/python3"
ALLOW_ALL = {"allow": [{"tee": ["*"], "resource": "*"}]}


class DevKbs:
    def __init__(self, proc, port, scheme, ca_pem, log, workdir):
        self.proc, self.port, self.ca_pem, self.log, self.workdir = proc, port, ca_pem, log, workdir
        self.url = "%s://localhost:%d" % (scheme, port)

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(tmpdir, resources=None, policy=None, faults=None, http=False,
          session_minutes=None, snp_ark=None, tls_sans=(), extra_args=(), timeout=30):
    """Start kbs.py on a free 127.0.0.1 port with its files under tmpdir/devkbs.

    resources: {"repo/type/tag": bytes}; policy: dict (see README; None = Trustee-like
    default, which denies the sample TEE) ; faults: list or comma string of fault
    modes; http: plain HTTP instead of HTTPS; tls_sans: extra SANs such as
    "IP:10.0.2.2" for the generated server certificate."""
    work = os.path.join(str(tmpdir), "devkbs")
    os.makedirs(work, exist_ok=True)
    res_dir = os.path.join(work, "resources")
    os.makedirs(res_dir, exist_ok=True)
    for path, data in (resources or {}).items():
        p = os.path.join(res_dir, *path.strip("/").split("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
    port_file = os.path.join(work, "port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    log = os.path.join(work, "kbs.log")
    tls_dir = os.path.join(work, "tls")
    cmd = [PYTHON, KBS_PY, "--listen", "127.0.0.1:0", "--port-file", port_file,
           "--resources", res_dir, "--log", log]
    if http:
        cmd.append("--http")
    else:
        cmd += ["--tls-dir", tls_dir]
        for s in tls_sans:
            cmd += ["--tls-san", s]
    if policy is not None:
        pol = os.path.join(work, "policy.json")
        with open(pol, "w") as f:
            json.dump(policy, f)
        cmd += ["--policy", pol]
    if faults:
        cmd += ["--fault", faults if isinstance(faults, str) else ",".join(faults)]
    if session_minutes is not None:
        cmd += ["--session-minutes", str(session_minutes)]
    for p in ([snp_ark] if isinstance(snp_ark, str) else snp_ark or []):
        cmd += ["--snp-ark", p]
    cmd += list(extra_args)
    errf = open(os.path.join(work, "stderr"), "wb")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=errf, stderr=errf)
    errf.close()
    deadline = time.time() + timeout
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.time() > deadline:
            if proc.poll() is None:
                proc.kill()
            with open(os.path.join(work, "stderr"), errors="replace") as f:
                raise RuntimeError("dev KBS did not start: %s" % f.read()[-2000:])
        time.sleep(0.05)
    with open(port_file) as f:
        port = int(f.read())
    return DevKbs(proc, port, "http" if http else "https",
                  None if http else os.path.join(tls_dir, "ca.pem"), log, work)


if __name__ == "__main__":
    k = start(sys.argv[1] if len(sys.argv) > 1 else "/tmp/devkbs-manual")
    print(k.url, k.ca_pem)
    try:
        k.proc.wait()
    except KeyboardInterrupt:
        k.stop()
