"""Write the demo image: busybox-static in a gzip layer, plus a zstd layer
that whites out a file of the first layer and adds its own.

usage: mkdemo.py LAYOUT_DIR TAG"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocimage  # noqa: E402

SCRIPT = (
    'echo "hello from the confidential workload"; '
    'echo "user: $(id)"; '
    'echo "cwd: $(pwd)"; '
    'echo "pid: $$"; '
    'cat /etc/greeting; '
    'if [ -e /etc/motd-old ]; then echo "whiteout: NOT applied"; exit 1; fi; '
    'echo "whiteout: /etc/motd-old removed by layer 2"'
)


def main():
    root, tag = sys.argv[1], sys.argv[2]
    shutil.rmtree(root, ignore_errors=True)
    lay = ocimage.Layout(root)
    base = ocimage.busybox_entries(("sh", "echo", "cat", "id", "pwd", "ls"))
    base += [("file", "etc/motd-old", b"this file is deleted by the next layer\n"),
             ("dir", "home"), ("dir", "home/demo")]
    top = [("whiteout", "etc/motd-old"),
           ("file", "etc/greeting", b"layer 2 (zstd) says hi\n")]
    d = lay.add_image(tag, [("gzip", base), ("zstd", top)],
                      cmd=["/bin/sh", "-c", SCRIPT], user="demo", workdir="/home/demo")
    print(d)


if __name__ == "__main__":
    main()
