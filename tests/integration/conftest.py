"""Integration tests: boot the real guest (Debian 6.12 kernel + ccinit) under
QEMU with `ccguest run` and assert on its console and exit status."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
CCGUEST = os.path.join(BUILD, "ccguest")


class Run:
    def __init__(self, cp):
        self.rc = cp.returncode
        self.out = cp.stdout

    def __repr__(self):
        return "rc=%d\n%s" % (self.rc, self.out)


def ccguest_run(layout, image, *extra, timeout=300):
    cmd = [CCGUEST, "run", "--oci-layout", layout, "--image", image, *extra]
    cp = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL, timeout=timeout, text=True,
                        errors="replace")
    return Run(cp)


@pytest.fixture
def layout(tmp_path):
    import ocimage
    return ocimage.Layout(str(tmp_path / "layout"))


def pytest_collection_modifyitems(config, items):
    if not os.access(CCGUEST, os.X_OK):
        skip = pytest.mark.skip(reason="build/ccguest not built")
        for it in items:
            it.add_marker(skip)
