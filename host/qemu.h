/* qemu: the QEMU command line and the guest kernel command line for
 * `ccguest run`.  Pure: no I/O, no malloc; strings are built in the caller's
 * struct.
 *
 * The VM: no default devices or user config, the serial port ttyS0 on QEMU's
 * stdio (stdin must be /dev/null; the monitor is off), no display, no reboot
 * (a reboot or panic ends QEMU with 0), isa-debug-exit at port 0xf4 (guest
 * status s ends QEMU with 2s+1), and the image disk read-only as virtio-blk
 * (virtio-mmio on microvm, PCI on q35).
 */
#ifndef CCG_HOST_QEMU_H
#define CCG_HOST_QEMU_H

#include <stddef.h>

#include "base/err.h"

#define QEMU_EXIT_PORT 0xf4
#define QEMU_CMDLINE_MAX 2047   /* x86 COMMAND_LINE_SIZE 2048 with the NUL */
#define QEMU_ARGV_MAX 64
#define QEMU_STRS_MAX 8192

enum qemu_machine {
	QEMU_MACHINE_MICROVM,   /* -M microvm: virtio-mmio, ACPI, no PCI */
	QEMU_MACHINE_Q35,       /* -M q35: the production-like path */
};

enum qemu_accel {
	QEMU_ACCEL_TCG,         /* -accel tcg -cpu max */
	QEMU_ACCEL_KVM,         /* -accel kvm -cpu host */
};

/* The network: none (-nic none), or QEMU user networking with restrict=on
 * (the guest reaches nothing outside) and one guestfwd=…-cmd: forward, the
 * only way out: guest_addr:guest_port runs `cmd` per connection with the
 * connection on its stdin/stdout.  virtio-net-device (microvm) or
 * virtio-net-pci,romfile= (q35). */
enum qemu_net {
	QEMU_NET_NONE,
	QEMU_NET_USER,
};

#define QEMU_FWD_ADDR "10.0.2.100"

struct qemu_fwd {
	unsigned guest_port;       /* 1..65535, on QEMU_FWD_ADDR */
	const char *cmd;           /* no NUL; commas are escaped here */
};

/* A raw file QEMU's generic loader places at a guest-physical address. */
#define QEMU_BLOBS_MAX 12
struct qemu_blob {
	const char *file;
	unsigned long long addr;
};

struct qemu_cfg {
	const char *qemu;          /* the binary, e.g. "qemu-system-x86_64" */
	enum qemu_machine machine;
	enum qemu_accel accel;
	unsigned memory_mib;       /* 64 .. 1048576 */
	unsigned cpus;             /* 1 .. 256 */
	const char *kernel;        /* bzImage or PVH ELF vmlinux */
	const char *initrd;
	const char *cmdline;       /* from qemu_build_cmdline() */
	/* Or, instead of kernel/initrd/cmdline (q35 only): firmware mapped
	 * below 4 GiB (-bios, a multiple of 64 KiB) and raw page runs
	 * (-device loader,force-raw=on): `ccguest run --igvm`. */
	const char *bios;
	struct qemu_blob blobs[QEMU_BLOBS_MAX];
	unsigned n_blobs;
	const char *disk;          /* image disk path, or NULL for none */
	const char *disk2;         /* a second read-only disk (initdata), or NULL */
	enum qemu_net net;
	struct qemu_fwd fwd;       /* QEMU_NET_USER */
};

struct qemu_argv {
	char *argv[QEMU_ARGV_MAX + 1];  /* NULL-terminated, points into strs */
	size_t argc;
	char strs[QEMU_STRS_MAX];
	size_t used;
};

/* Build the argv for cfg into *out.  Returns 0, -EINVAL (a required field is
 * missing or out of range) or -ERR_LIMIT (the strings do not fit). */
int qemu_build_argv(const struct qemu_cfg *cfg, struct qemu_argv *out,
		    struct err *e);

/* The RAM of QEMU's q35 machine with memory_mib of memory: below 4 GiB up
 * to 2 GiB or 2.75 GiB (as QEMU splits it), the rest from 4 GiB.  Fills
 * r[0..*n) with {base, size}. */
struct qemu_ram {
	unsigned long long base, size;
};
void qemu_q35_ram(unsigned memory_mib, struct qemu_ram r[2], unsigned *n);

struct qemu_kcmd {
	enum qemu_machine machine;
	unsigned long tsc_khz;     /* host TSC in kHz, 0 = unknown (omitted) */
	const char *image;         /* pinned "sha256:<hex>", or NULL (no disk) */
	const char *extra;         /* appended as is, or NULL */
};

/* The kernel command line: "console=ttyS0 quiet panic=-1 cryptomgr.notests
 * [tsc_early_khz=K] [ccinit.image=D ccinit.disk=vda] ccinit.exit=0xf4
 * [extra]".  Returns 0, -EINVAL (microvm without tsc_khz: the guest can
 * hang calibrating the TSC; an image that is not a sha256 digest) or
 * -ERR_LIMIT (longer than QEMU_CMDLINE_MAX or cap). */
int qemu_build_cmdline(const struct qemu_kcmd *k, char *buf, size_t cap,
		       struct err *e);

#endif
