"""End-to-end tests of net/net.c (net_setup: link, lwIP DHCP, apply) in network
namespaces.

Two namespaces joined by a veth pair: the server side runs busybox udhcpd
(busybox-static), the client side runs tests/net/dhcp_probe, which calls
net_setup() with its own tmpfs /etc.  The host's own network is not touched.
Needs root and network-namespace support; skips (with the reason) otherwise.

Run: make BUILD=build/h-net build/h-net/net/dhcp_probe
     BUILD=build/h-net /usr/bin/python3 -m pytest -q tests/net/test_dhcp.py"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
PROBE = os.path.join(ROOT, BUILD, "net", "dhcp_probe")

SRV_IF, CLI_IF = "ccgv-srv", "ccgv-cli"
SRV_ADDR = "10.77.0.1"


def _run(*args, check=True, timeout=30):
    return subprocess.run(list(args), capture_output=True, text=True, check=check,
                          timeout=timeout)


def _skip_reason():
    if os.geteuid() != 0:
        return "needs root (network namespaces, AF_PACKET)"
    if not shutil.which("ip"):
        return "iproute2 (ip) is not installed"
    if not shutil.which("busybox") or "udhcpd" not in _run("busybox", "--list",
                                                             check=False).stdout.split():
        return "busybox with udhcpd is not installed (busybox-static)"
    name = "ccg-probe-%d" % os.getpid()
    r = _run("ip", "netns", "add", name, check=False)
    if r.returncode != 0:
        return "no network namespace support: " + r.stderr.strip()
    _run("ip", "netns", "del", name, check=False)
    return None


_REASON = _skip_reason()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


@pytest.fixture
def pair():
    """Two namespaces, a veth pair between them, the server end addressed."""
    if not os.access(PROBE, os.X_OK):
        pytest.fail("%s not built: make BUILD=%s %s/net/dhcp_probe" % (PROBE, BUILD, BUILD))
    srv, cli = "ccg-srv-%d" % os.getpid(), "ccg-cli-%d" % os.getpid()
    _run("ip", "netns", "add", srv)
    _run("ip", "netns", "add", cli)
    try:
        _run("ip", "link", "add", SRV_IF, "netns", srv, "type", "veth", "peer", "name",
             CLI_IF, "netns", cli)
        _run("ip", "-n", srv, "addr", "add", SRV_ADDR + "/24", "dev", SRV_IF)
        _run("ip", "-n", srv, "link", "set", SRV_IF, "up")
        _run("ip", "-n", srv, "link", "set", "lo", "up")
        yield srv, cli
    finally:
        _run("ip", "netns", "del", cli, check=False)
        _run("ip", "netns", "del", srv, check=False)


@pytest.fixture
def udhcpd(pair):
    srv, _ = pair
    d = tempfile.mkdtemp(prefix="ccg-udhcpd.")
    conf = os.path.join(d, "udhcpd.conf")
    with open(conf, "w") as f:
        f.write("start 10.77.0.100\nend 10.77.0.110\ninterface %s\nmax_leases 10\n"
                "lease_file %s/leases\npidfile %s/pid\n"
                "opt subnet 255.255.255.0\nopt router %s\n"
                "opt dns 10.77.0.53 10.77.0.54\nopt lease 600\n"
                % (SRV_IF, d, d, SRV_ADDR))
    open(os.path.join(d, "leases"), "w").close()
    p = subprocess.Popen(["ip", "netns", "exec", srv, "busybox", "udhcpd", "-f", conf],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield pair
    finally:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        shutil.rmtree(d, ignore_errors=True)


def _probe(cli, *args, timeout=40):
    return _run("ip", "netns", "exec", cli, PROBE, *args, check=False, timeout=timeout)


def _lease(out):
    m = re.search(r"^addr=(\S+) prefix=(\d+) gw=(\S+) dns=(\S*) lease=(\d+)$", out, re.M)
    assert m, out
    return m.groups()


def test_dhcp_lease_applied(udhcpd):
    _, cli = udhcpd
    r = _probe(cli, "--timeout", "15000")
    assert r.returncode == 0, r.stdout + r.stderr
    addr, prefix, gw, dns, lease = _lease(r.stdout)
    assert re.fullmatch(r"10\.77\.0\.1(0[0-9]|10)", addr), addr
    assert (prefix, gw, dns, lease) == ("24", SRV_ADDR, "10.77.0.53,10.77.0.54", "600")
    assert "resolv.conf:\nnameserver 10.77.0.53\nnameserver 10.77.0.54\n" in r.stdout
    a = _run("ip", "-n", cli, "-4", "addr", "show", "dev", CLI_IF).stdout
    assert "inet %s/24 brd 10.77.0.255" % addr in a, a
    rt = _run("ip", "-n", cli, "-4", "route", "show", "default").stdout
    assert rt.startswith("default via %s dev %s" % (SRV_ADDR, CLI_IF)), rt
    lo = _run("ip", "-n", cli, "link", "show", "lo").stdout
    assert "UP" in lo.split(">")[0], lo


def test_static_applied(pair):
    _, cli = pair
    r = _probe(cli, "--static", "10.77.0.9/24,10.77.0.1,10.77.0.53")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _lease(r.stdout) == ("10.77.0.9", "24", SRV_ADDR, "10.77.0.53", "0")
    assert "resolv.conf:\nnameserver 10.77.0.53\n" in r.stdout
    a = _run("ip", "-n", cli, "-4", "addr", "show", "dev", CLI_IF).stdout
    assert "inet 10.77.0.9/24" in a, a
    rt = _run("ip", "-n", cli, "-4", "route", "show", "default").stdout
    assert rt.startswith("default via %s dev %s" % (SRV_ADDR, CLI_IF)), rt


def test_static_gateway_outside_subnet(pair):
    _, cli = pair
    r = _probe(cli, "--static", "10.77.0.9/32,10.99.0.1")
    assert r.returncode == 0, r.stdout + r.stderr
    rt = _run("ip", "-n", cli, "-4", "route", "show", "default").stdout
    assert "default via 10.99.0.1 dev %s" % CLI_IF in rt and "onlink" in rt, rt


def test_static_rejected(pair):
    _, cli = pair
    r = _probe(cli, "--static", "10.77.0.9/24,10.77.0.1;x")
    assert r.returncode == 1
    assert "static network" in r.stdout and "trailing" in r.stdout, r.stdout
    a = _run("ip", "-n", cli, "-4", "addr", "show", "dev", CLI_IF).stdout
    assert "inet " not in a, a


def test_dhcp_no_server(pair):
    _, cli = pair
    r = _probe(cli, "--timeout", "1500")
    assert r.returncode == 1
    assert "dhcp: no offer within 1.5 s on %s" % CLI_IF in r.stdout, r.stdout
    a = _run("ip", "-n", cli, "-4", "addr", "show", "dev", CLI_IF).stdout
    assert "inet " not in a, a


def test_no_nic():
    """A namespace with only lo: the wait for an Ethernet NIC is bounded."""
    ns = "ccg-empty-%d" % os.getpid()
    _run("ip", "netns", "add", ns)
    try:
        r = _probe(ns, "--timeout", "300")
        assert r.returncode == 1
        assert "network interface: no Ethernet interface within 300 ms" in r.stdout, r.stdout
    finally:
        _run("ip", "netns", "del", ns, check=False)
