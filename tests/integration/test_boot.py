"""Boot the guest: the happy path and each way ccinit must refuse."""
import hashlib
import io
import tarfile

import ocimage
from conftest import ccguest_run

BB = ("sh", "echo", "cat", "id", "ls", "true", "false")


def busybox_image(layout, tag="t", cmd=None, comp="gzip", **kw):
    return layout.add_image(tag, [(comp, ocimage.busybox_entries(BB))],
                            cmd=cmd or ["/bin/echo", "hello-from-workload"], **kw)


def test_happy_path_two_layers_whiteout(layout):
    base = ocimage.busybox_entries(BB) + [("file", "etc/old", b"x\n")]
    top = [("whiteout", "etc/old"), ("file", "etc/new", b"new-file-content\n")]
    layout.add_image("t", [("gzip", base), ("zstd", top)],
                     cmd=["/bin/sh", "-c", "cat /etc/new; test -e /etc/old && echo OLD-PRESENT; "
                          "echo uid=$(id -u) cwd=$(pwd)"],
                     user="demo", workdir="/tmp")
    r = ccguest_run(layout.root, "t")
    assert r.rc == 0, r
    assert "new-file-content" in r.out, r
    assert "OLD-PRESENT" not in r.out, r
    assert "uid=1000 cwd=/tmp" in r.out, r
    assert "ccinit: workload exited with status 0" in r.out, r
    assert "ccinit: timings:" in r.out, r


def test_docker_v2_media_types(layout):
    busybox_image(layout, docker=True)
    r = ccguest_run(layout.root, "t")
    assert r.rc == 0, r
    assert "hello-from-workload" in r.out, r


def test_uncompressed_layer(layout):
    busybox_image(layout, comp="none")
    r = ccguest_run(layout.root, "t")
    assert r.rc == 0, r
    assert "hello-from-workload" in r.out, r


def test_workload_exit_status_passes_through(layout):
    busybox_image(layout, cmd=["/bin/sh", "-c", "echo bye; exit 3"])
    r = ccguest_run(layout.root, "t")
    assert r.rc == 3, r
    assert "ccinit: workload exited with status 3" in r.out, r


def test_command_not_found_is_127(layout):
    busybox_image(layout, cmd=["/bin/no-such-command"])
    r = ccguest_run(layout.root, "t")
    assert r.rc == 127, r
    assert "ccinit: error: exec:" in r.out, r


def test_tampered_layer_byte_refused(layout):
    d = busybox_image(layout)
    blob = layout.blob_path(layout.manifest(d)["layers"][0]["digest"])
    with open(blob, "r+b") as f:
        f.seek(1000)
        b = f.read(1)
        f.seek(1000)
        f.write(bytes([b[0] ^ 0x01]))
    r = ccguest_run(layout.root, "t")
    assert r.rc == 125, r
    assert "ccinit: error: image:" in r.out, r
    assert "blob digest mismatch: expected " + layout.manifest(d)["layers"][0]["digest"] in r.out, r
    assert "hello-from-workload" not in r.out, r


def test_wrong_pinned_digest_refused_by_guest(layout):
    busybox_image(layout)
    wrong = "sha256:" + hashlib.sha256(b"not the manifest").hexdigest()
    r = ccguest_run(layout.root, wrong, "--no-host-verify")
    assert r.rc == 125, r
    assert "ccinit: error: image:" in r.out, r
    assert wrong in r.out, r
    assert "hello-from-workload" not in r.out, r


def test_tampered_manifest_refused_by_guest(layout):
    d = busybox_image(layout)
    path = layout.blob_path(d)
    data = open(path, "rb").read().replace(b'"schemaVersion": 2', b'"schemaVersion": 2 ')
    open(path, "wb").write(data)
    r = ccguest_run(layout.root, d, "--no-host-verify")
    assert r.rc == 125, r
    assert "digest mismatch" in r.out, r


def traversal_tar():
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        ti = tarfile.TarInfo("../../escape")
        ti.size = 3
        tf.addfile(ti, io.BytesIO(b"bad"))
    return bio.getvalue()


def test_traversal_tar_refused(layout):
    layout.add_image("t", [("gzip", ocimage.busybox_entries(BB)), ("none", traversal_tar())],
                     cmd=["/bin/true"])
    r = ccguest_run(layout.root, "t")
    assert r.rc == 125, r
    assert "ccinit: error: image:" in r.out, r
    assert "escape" in r.out, r
