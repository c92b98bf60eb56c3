#!/usr/bin/python3
"""Generate the hostile tar corpus (tests/unit/tarcorpus/) used by
tests/unit/test_unpack.c, and the seed corpus of tests/fuzz/fuzz_tar.c
(tests/fuzz/corpus/tar/: the hostile files plus small valid archives).

Raw bytes, built here field by field, so that every malformed field is
exactly what the test expects; the valid seeds come from the stdlib tarfile
module.  Deterministic: run it again and the files do not change.

    /usr/bin/python3 tests/unit/gen_hostile_tars.py   (from the repo root)
"""
import io
import os
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTILE = os.path.join(ROOT, "tests", "unit", "tarcorpus")
SEEDS = os.path.join(ROOT, "tests", "fuzz", "corpus", "tar")
MTIME = 1700000000


def b(s):
    return s.encode() if isinstance(s, str) else s


def put(h, off, width, val):
    val = b(val)
    assert len(val) <= width, (off, val)
    h[off:off + len(val)] = val


def hdr(name, typ="0", size=0, link="", mode=0o644, uid=0, gid=0,
        mtime=MTIME, size_field=None, mode_field=None, dev=(0, 0),
        checksum_delta=0):
    """One ustar header block with a correct (or deliberately wrong) sum."""
    h = bytearray(512)
    put(h, 0, 100, name)
    put(h, 100, 8, mode_field if mode_field is not None else b"%07o\0" % mode)
    put(h, 108, 8, b"%07o\0" % uid)
    put(h, 116, 8, b"%07o\0" % gid)
    put(h, 124, 12, size_field if size_field is not None else b"%011o\0" % size)
    put(h, 136, 12, b"%011o\0" % mtime)
    put(h, 156, 1, typ)
    put(h, 157, 100, link)
    put(h, 257, 8, b"ustar\x0000")
    put(h, 329, 8, b"%07o\0" % dev[0])
    put(h, 337, 8, b"%07o\0" % dev[1])
    h[148:156] = b" " * 8
    put(h, 148, 8, b"%06o\0 " % (sum(h) + checksum_delta))
    return bytes(h)


def pad(data):
    data = b(data)
    return data + b"\0" * ((512 - len(data) % 512) % 512)


def entry(name, data=b"", **kw):
    data = b(data)
    return hdr(name, size=len(data), **kw) + pad(data)


def pax_record(key, value):
    body = b" " + b(key) + b"=" + b(value) + b"\n"
    n = len(body) + 1
    while len(b"%d" % n) + len(body) != n:
        n += 1
    return b"%d" % n + body


def pax(records, raw=None):
    body = raw if raw is not None else b"".join(pax_record(k, v) for k, v in records)
    return hdr("PaxHeaders/x", typ="x", size=len(body)) + pad(body)


def gnu_long(typ, value):
    value = b(value) + b"\0"
    return hdr("././@LongLink", typ=typ, size=len(value)) + pad(value)


END = b"\0" * 1024

# Hostile files that also seed the fuzzer (one per parser path; the others
# differ only for the unpack sink).
SEED_PICK = {
    "absolute", "bad_checksum", "deep", "device_chr", "dotdot", "duplicates",
    "gnu_long_dotdot", "hardlink_abs", "huge_b256", "huge_pax",
    "lone_zero_then_entry", "octal_garbage", "pax_bad_length", "pax_nul_path",
    "sparse", "symlink_dir_dotdot", "trailing_garbage", "truncated_data",
    "truncated_header", "whiteout_parent",
}


def b256(n, width=12):
    out = bytearray(n.to_bytes(width, "big"))
    out[0] |= 0x80
    return bytes(out)


def hostile():
    """name -> bytes; test_unpack.c holds the expected outcome of each."""
    t = {}
    t["dotdot.tar"] = entry("../outside/pwned", "x") + END
    t["dotdot_deep.tar"] = entry("a/b/../../../outside/pwned", "x") + END
    t["absolute.tar"] = entry("/tmp/ccg-hostile-abs/pwned", "x") + END
    t["pax_dotdot.tar"] = (pax([("path", "../outside/pwned")]) +
                           entry("innocent", "x") + END)
    t["gnu_long_dotdot.tar"] = (gnu_long("L", "../" * 40 + "outside/pwned") +
                                entry("././@LongLink", "x") + END)
    t["symlink_abs_write.tar"] = (hdr("a", typ="2", link="/tmp/ccg-hostile-abs") +
                                  entry("a/pwned", "x") + END)
    t["symlink_dotdot_write.tar"] = (hdr("a", typ="2", link="../../../../..") +
                                     entry("a/pwned", "x") + END)
    t["symlink_chain.tar"] = (hdr("l1", typ="2", link="l2") +
                              hdr("l2", typ="2", link="../../outside") +
                              entry("l1/pwned", "x") + END)
    t["symlink_dir_dotdot.tar"] = (hdr("d/", typ="5", mode=0o755) +
                                   hdr("d/up", typ="2", link="../..") +
                                   entry("d/up/outside/pwned", "x") + END)
    t["symlink_replaces_dir.tar"] = (hdr("a/", typ="5", mode=0o755) +
                                     entry("a/f", "x") +
                                     hdr("a", typ="2", link="/tmp/ccg-hostile-abs") +
                                     entry("a/pwned", "x") + END)
    t["hardlink_abs.tar"] = hdr("pw", typ="1", link="/etc/passwd") + END
    t["hardlink_dotdot.tar"] = hdr("pw", typ="1", link="../outside/canary") + END
    t["hardlink_via_symlink.tar"] = (hdr("e", typ="2", link="../outside") +
                                     hdr("pw", typ="1", link="e/canary") + END)
    t["hardlink_dir.tar"] = (hdr("d/", typ="5", mode=0o755) +
                             hdr("l", typ="1", link="d") + END)
    t["huge_b256.tar"] = hdr("big", size_field=b256(1 << 62)) + b"\0" * 4096 + END
    t["huge_pax.tar"] = (pax([("size", str(1 << 62))]) + hdr("big") +
                         b"\0" * 4096 + END)
    t["truncated_header.tar"] = entry("ok", "x") + hdr("next")[:300]
    t["truncated_data.tar"] = hdr("f", size=4096) + b"y" * 1000
    t["duplicates.tar"] = (entry("f", "one") + entry("f", "two") +
                           hdr("d/", typ="5", mode=0o755) + entry("d/x", "x") +
                           entry("d", "file") +
                           entry("g", "file") + hdr("g/", typ="5", mode=0o750) +
                           hdr("h/", typ="5", mode=0o755) + entry("h/k", "k") +
                           hdr("h/", typ="5", mode=0o700) + END)
    t["device_chr.tar"] = hdr("null", typ="3", mode=0o666, dev=(1, 3)) + END
    t["device_blk.tar"] = hdr("sda", typ="4", mode=0o660, dev=(8, 0)) + END
    t["trailing_garbage.tar"] = entry("ok", "x") + END + pad(b"GARBAGE")
    t["lone_zero_then_entry.tar"] = entry("ok", "x") + b"\0" * 512 + entry("late", "y")
    t["bad_checksum.tar"] = hdr("f", checksum_delta=1) + END
    t["sparse.tar"] = hdr("s", typ="S") + END
    t["whiteout_dotdot.tar"] = entry(".wh...", "") + END
    t["whiteout_parent.tar"] = entry(".wh.x/y", "y") + END
    t["deep.tar"] = pax([("path", "/".join(["d"] * 200))]) + entry("deep", "x") + END
    t["pax_nul_path.tar"] = (pax([("path", "a\0b")]) + entry("f", "x") + END)
    t["octal_garbage.tar"] = hdr("f", mode_field=b"0644x\0") + END
    t["pax_bad_length.tar"] = (pax(None, raw=b"999 path=x\n") + entry("f") + END)
    return t


def valid_seeds():
    """Small valid archives in each tarfile format."""
    seeds = {}
    for fmt, tag in ((tarfile.USTAR_FORMAT, "ustar"), (tarfile.GNU_FORMAT, "gnu"),
                     (tarfile.PAX_FORMAT, "pax")):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
            def add(name, typ=tarfile.REGTYPE, data=b"", link="", mode=0o644, pax=None):
                ti = tarfile.TarInfo(name)
                ti.type, ti.linkname, ti.mode, ti.mtime = typ, link, mode, MTIME
                ti.uid = ti.gid = 1000
                ti.size = len(data)
                if pax:
                    ti.pax_headers = pax
                tf.addfile(ti, io.BytesIO(data))
            add("dir", tarfile.DIRTYPE, mode=0o755)
            add("dir/file", data=b"hello\n" * 100)
            add("dir/link", tarfile.SYMTYPE, link="file")
            add("dir/hard", tarfile.LNKTYPE, link="dir/file")
            add("dir/fifo", tarfile.FIFOTYPE)
            if fmt != tarfile.USTAR_FORMAT:
                add("dir/" + "long" * 40, data=b"long name")
                add("dir/longlink", tarfile.SYMTYPE, link="target/" * 20)
            if fmt == tarfile.PAX_FORMAT:
                add("dir/x", data=b"x", mode=0o4755,
                    pax={"SCHILY.xattr.user.k": "v", "mtime": "1700000000.5"})
                add("dir/.wh.gone")
                add("dir/.wh..wh..opq")
        seeds["valid_%s.tar" % tag] = buf.getvalue()
    seeds["valid_empty.tar"] = END
    seeds["valid_no_end_marker.tar"] = entry("f", "data")
    seeds["valid_base256.tar"] = (hdr("f", size_field=b256(5)) + pad(b"12345") +
                                  END)
    return seeds


def write_all(directory, files):
    os.makedirs(directory, exist_ok=True)
    for name, data in sorted(files.items()):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main():
    h = hostile()
    write_all(HOSTILE, h)
    seeds = {k: v for k, v in h.items() if k[:-4] in SEED_PICK}
    seeds.update(valid_seeds())
    for name in ("huge_b256.tar", "huge_pax.tar"):  # same as the rest, smaller
        seeds[name] = seeds[name][:2048] + END
    write_all(SEEDS, seeds)
    print("%d hostile tars in %s, %d seeds in %s" % (len(h), HOSTILE, len(seeds), SEEDS))


if __name__ == "__main__":
    main()
