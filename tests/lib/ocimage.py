"""Build small OCI image layouts for ccguest's demo, tests and benchmarks.

Deterministic: entries sorted as given, uid/gid 0 unless set, mtime fixed.
Layers are tar (none), gzip (-6) or zstd (-3, the zstd CLI).  Hostile layers
can be passed as raw tar bytes.  Standard library only (Debian's python3).
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile

MT_OCI = {
    "manifest": "application/vnd.oci.image.manifest.v1+json",
    "index": "application/vnd.oci.image.index.v1+json",
    "config": "application/vnd.oci.image.config.v1+json",
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}
MT_DOCKER = {
    "manifest": "application/vnd.docker.distribution.manifest.v2+json",
    "config": "application/vnd.docker.container.image.v1+json",
    "gzip": "application/vnd.docker.image.rootfs.diff.tar.gzip",
}
MTIME = 1700000000


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def tar_bytes(entries):
    """entries: list of tuples
    ("dir", path[, mode]) ("file", path, data[, mode[, uid, gid]])
    ("symlink", path, target) ("hardlink", path, target)
    ("whiteout", path) ("opaque", dirpath)"""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for ent in entries:
            kind, path = ent[0], ent[1]
            ti = tarfile.TarInfo(path)
            ti.mtime = MTIME
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            data = None
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = ent[2] if len(ent) > 2 else 0o755
            elif kind == "file":
                data = ent[2]
                ti.size = len(data)
                ti.mode = ent[3] if len(ent) > 3 else 0o644
                if len(ent) > 5:
                    ti.uid, ti.gid = ent[4], ent[5]
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = ent[2]
                ti.mode = 0o777
            elif kind == "hardlink":
                ti.type = tarfile.LNKTYPE
                ti.linkname = ent[2]
                ti.mode = 0o644
            elif kind == "whiteout":
                d, b = os.path.split(path)
                ti.name = os.path.join(d, ".wh." + b)
                ti.size = 0
                ti.mode = 0o644
                data = b""
            elif kind == "opaque":
                ti.name = os.path.join(path, ".wh..wh..opq")
                ti.size = 0
                ti.mode = 0o644
                data = b""
            else:
                raise ValueError(kind)
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return bio.getvalue()


def compress(raw, comp):
    if comp == "none":
        return raw
    if comp == "gzip":
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if comp == "zstd":
        return subprocess.run(["zstd", "-3", "-q", "-c"], input=raw,
                              stdout=subprocess.PIPE, check=True).stdout
    raise ValueError(comp)


class Layout:
    """An OCI image layout directory being written."""

    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        self.index = []

    def blob(self, data):
        d = sha256(data)
        with open(os.path.join(self.root, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return d

    def add_image(self, tag, layers, cmd=None, entrypoint=None, env=None,
                  workdir=None, user=None, docker=False):
        """layers: list of (comp, entries-or-raw-tar-bytes). Returns the
        manifest digest."""
        mt = MT_DOCKER if docker else MT_OCI
        descs, diff_ids = [], []
        for comp, content in layers:
            raw = content if isinstance(content, bytes) else tar_bytes(content)
            blob = compress(raw, comp)
            descs.append({"mediaType": mt[comp], "digest": self.blob(blob),
                          "size": len(blob)})
            diff_ids.append(sha256(raw))
        cc = {"Env": env if env is not None else
              ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
        if cmd is not None:
            cc["Cmd"] = cmd
        if entrypoint is not None:
            cc["Entrypoint"] = entrypoint
        if workdir:
            cc["WorkingDir"] = workdir
        if user:
            cc["User"] = user
        config = {"architecture": "amd64", "os": "linux", "config": cc,
                  "rootfs": {"type": "layers", "diff_ids": diff_ids},
                  "created": "2023-11-14T22:13:20Z"}
        cblob = json.dumps(config, sort_keys=True).encode()
        manifest = {"schemaVersion": 2, "mediaType": mt["manifest"],
                    "config": {"mediaType": mt["config"], "digest": self.blob(cblob),
                               "size": len(cblob)},
                    "layers": descs}
        mblob = json.dumps(manifest, sort_keys=True).encode()
        md = self.blob(mblob)
        self.index.append({"mediaType": mt["manifest"], "digest": md, "size": len(mblob),
                           "annotations": {"org.opencontainers.image.ref.name": tag}})
        self.write_index()
        return md

    def write_index(self):
        idx = {"schemaVersion": 2, "mediaType": MT_OCI["index"], "manifests": self.index}
        with open(os.path.join(self.root, "index.json"), "w") as f:
            json.dump(idx, f, sort_keys=True)

    def blob_path(self, digest):
        return os.path.join(self.root, "blobs", "sha256", digest[7:])

    def manifest(self, digest):
        with open(self.blob_path(digest)) as f:
            return json.load(f)


def busybox_entries(applets=("sh", "echo", "cat", "ls", "id", "true", "false")):
    """A minimal root with Debian's busybox-static."""
    with open("/bin/busybox", "rb") as f:
        bb = f.read()
    ents = [("dir", "bin"), ("file", "bin/busybox", bb, 0o755)]
    ents += [("symlink", "bin/" + a, "busybox") for a in applets]
    ents += [("dir", "etc"),
             ("file", "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
              b"demo:x:1000:1000:demo:/home/demo:/bin/sh\n"),
             ("file", "etc/group", b"root:x:0:\ndemo:x:1000:\n")]
    return ents
