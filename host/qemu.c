/* qemu: QEMU and kernel command lines (see qemu.h). */
#include "host/qemu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int qa_add(struct qemu_argv *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append one formatted argument; -ERR_LIMIT when it does not fit. */
static int qa_add(struct qemu_argv *out, const char *fmt, ...)
{
	size_t left = sizeof(out->strs) - out->used;
	va_list ap;
	int n;

	if (out->argc >= QEMU_ARGV_MAX)
		return -ERR_LIMIT;
	va_start(ap, fmt);
	n = vsnprintf(out->strs + out->used, left, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= left)
		return -ERR_LIMIT;
	out->argv[out->argc++] = out->strs + out->used;
	out->argv[out->argc] = NULL;
	out->used += (size_t)n + 1;
	return 0;
}

/* QemuOpts values end at ','; a literal comma is written ",,". */
static int qa_escape(char *dst, size_t cap, const char *src)
{
	size_t j = 0;

	for (size_t i = 0; src[i]; i++) {
		size_t need = src[i] == ',' ? 2 : 1;

		if (need + 1 > cap - j)
			return -ERR_LIMIT;
		dst[j++] = src[i];
		if (src[i] == ',')
			dst[j++] = ',';
	}
	dst[j] = '\0';
	return 0;
}

static bool qa_cfg_ok(const struct qemu_cfg *c)
{
	if (!c->qemu || !c->qemu[0])
		return false;
	if (c->bios) {
		if (!c->bios[0] || c->machine != QEMU_MACHINE_Q35 || c->n_blobs > QEMU_BLOBS_MAX)
			return false;
		for (unsigned i = 0; i < c->n_blobs; i++)
			if (!c->blobs[i].file || !c->blobs[i].file[0])
				return false;
	} else if (!c->kernel || !c->kernel[0] || !c->initrd || !c->initrd[0] || !c->cmdline) {
		return false;
	}
	if (c->memory_mib < 64 || c->memory_mib > 1048576)
		return false;
	if (c->cpus < 1 || c->cpus > 256)
		return false;
	if (c->machine != QEMU_MACHINE_MICROVM && c->machine != QEMU_MACHINE_Q35)
		return false;
	if (c->net == QEMU_NET_USER &&
	    (!c->fwd.cmd || !c->fwd.cmd[0] || c->fwd.guest_port < 1 || c->fwd.guest_port > 65535))
		return false;
	if (c->net != QEMU_NET_NONE && c->net != QEMU_NET_USER)
		return false;
	return c->accel == QEMU_ACCEL_TCG || c->accel == QEMU_ACCEL_KVM;
}

static int qa_base(const struct qemu_cfg *c, struct qemu_argv *o)
{
	bool kvm = c->accel == QEMU_ACCEL_KVM;
	int rc = 0;

	rc |= qa_add(o, "%s", c->qemu);
	rc |= qa_add(o, "-nodefaults");
	rc |= qa_add(o, "-no-user-config");
	rc |= qa_add(o, "-M");
	rc |= qa_add(o, "%s", c->machine == QEMU_MACHINE_MICROVM ? "microvm" : "q35");
	rc |= qa_add(o, "-accel");
	rc |= qa_add(o, "%s", kvm ? "kvm" : "tcg");
	rc |= qa_add(o, "-cpu");
	rc |= qa_add(o, "%s", kvm ? "host" : "max");
	rc |= qa_add(o, "-m");
	rc |= qa_add(o, "%u", c->memory_mib);
	rc |= qa_add(o, "-smp");
	rc |= qa_add(o, "%u", c->cpus);
	rc |= qa_add(o, "-display");
	rc |= qa_add(o, "none");
	rc |= qa_add(o, "-monitor");
	rc |= qa_add(o, "none");
	rc |= qa_add(o, "-serial");
	rc |= qa_add(o, "stdio");
	rc |= qa_add(o, "-no-reboot");
	return rc ? -ERR_LIMIT : 0;
}

/* Firmware and raw page runs instead of a kernel (see qemu_cfg.bios). */
static int qa_boot_blobs(const struct qemu_cfg *c, struct qemu_argv *o)
{
	char path[4096];
	int rc = 0;

	rc |= qa_add(o, "-bios");
	rc |= qa_add(o, "%s", c->bios);
	for (unsigned i = 0; i < c->n_blobs && rc == 0; i++) {
		if (qa_escape(path, sizeof(path), c->blobs[i].file) < 0)
			return -ERR_LIMIT;
		rc |= qa_add(o, "-device");
		rc |= qa_add(o, "loader,file=%s,addr=0x%llx,force-raw=on", path, c->blobs[i].addr);
	}
	rc |= qa_add(o, "-device");
	rc |= qa_add(o, "isa-debug-exit,iobase=0x%x,iosize=0x04", QEMU_EXIT_PORT);
	return rc ? -ERR_LIMIT : 0;
}

static int qa_boot(const struct qemu_cfg *c, struct qemu_argv *o)
{
	int rc = 0;

	if (c->bios)
		return qa_boot_blobs(c, o);
	rc |= qa_add(o, "-kernel");
	rc |= qa_add(o, "%s", c->kernel);
	rc |= qa_add(o, "-initrd");
	rc |= qa_add(o, "%s", c->initrd);
	rc |= qa_add(o, "-append");
	rc |= qa_add(o, "%s", c->cmdline);
	rc |= qa_add(o, "-device");
	rc |= qa_add(o, "isa-debug-exit,iobase=0x%x,iosize=0x04", QEMU_EXIT_PORT);
	return rc ? -ERR_LIMIT : 0;
}

static int qa_disk(struct qemu_argv *o, bool mvm, const char *file, int n)
{
	char path[4096];
	int rc = 0;

	if (qa_escape(path, sizeof(path), file) < 0)
		return -ERR_LIMIT;
	rc |= qa_add(o, "-drive");
	rc |= qa_add(o, "file=%s,if=none,format=raw,readonly=on,id=d%d", path, n);
	rc |= qa_add(o, "-device");
	rc |= qa_add(o, "%s,drive=d%d", mvm ? "virtio-blk-device" : "virtio-blk-pci", n);
	return rc ? -ERR_LIMIT : 0;
}

static int qa_net(const struct qemu_cfg *c, struct qemu_argv *o, bool mvm)
{
	char cmd[2048];
	int rc = 0;

	if (c->net == QEMU_NET_NONE) {
		rc |= qa_add(o, "-nic");
		rc |= qa_add(o, "none");
		return rc ? -ERR_LIMIT : 0;
	}
	if (qa_escape(cmd, sizeof(cmd), c->fwd.cmd) < 0)
		return -ERR_LIMIT;
	rc |= qa_add(o, "-netdev");
	rc |= qa_add(o, "user,id=n0,restrict=on,guestfwd=tcp:%s:%u-cmd:%s", QEMU_FWD_ADDR,
		     c->fwd.guest_port, cmd);
	rc |= qa_add(o, "-device");
	rc |= qa_add(o, "%s", mvm ? "virtio-net-device,netdev=n0"
			       : "virtio-net-pci,netdev=n0,romfile=");
	return rc ? -ERR_LIMIT : 0;
}

static int qa_devices(const struct qemu_cfg *c, struct qemu_argv *o)
{
	bool mvm = c->machine == QEMU_MACHINE_MICROVM;
	int rc = qa_net(c, o, mvm);

	if (rc == 0 && c->disk)
		rc = qa_disk(o, mvm, c->disk, 0);
	if (rc == 0 && c->disk2)
		rc = qa_disk(o, mvm, c->disk2, 1);
	return rc;
}

int qemu_build_argv(const struct qemu_cfg *cfg, struct qemu_argv *out,
		    struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!qa_cfg_ok(cfg))
		return err_set(e, -EINVAL, "qemu: incomplete or out-of-range "
			       "VM settings");
	rc = qa_base(cfg, out);
	if (rc == 0)
		rc = qa_boot(cfg, out);
	if (rc == 0)
		rc = qa_devices(cfg, out);
	if (rc < 0)
		return err_set(e, rc, "qemu: command line too long (at most %d "
			       "arguments, %d bytes)", QEMU_ARGV_MAX, QEMU_STRS_MAX);
	return 0;
}

void qemu_q35_ram(unsigned memory_mib, struct qemu_ram r[2], unsigned *n)
{
	unsigned long long ram = (unsigned long long)memory_mib << 20;
	unsigned long long lowmem = ram >= 0xB0000000ull ? 0x80000000ull : 0xB0000000ull;

	r[0].base = 0;
	r[0].size = ram < lowmem ? ram : lowmem;
	*n = 1;
	if (ram > lowmem) {
		r[1].base = 1ull << 32;
		r[1].size = ram - lowmem;
		*n = 2;
	}
}

static bool qk_digest_ok(const char *d)
{
	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 7 + 64)
		return false;
	for (size_t i = 7; d[i]; i++) {
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	}
	return true;
}

/* Append to buf at *len; -ERR_LIMIT when it does not fit. */
static int qk_cat(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int qk_cat(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len)
		return -ERR_LIMIT;
	*len += (size_t)n;
	return 0;
}

int qemu_build_cmdline(const struct qemu_kcmd *k, char *buf, size_t cap,
		       struct err *e)
{
	size_t len = 0;
	int rc = 0;

	if (cap == 0)
		return err_set(e, -ERR_LIMIT, "kernel command line: no buffer");
	buf[0] = '\0';
	if (k->machine == QEMU_MACHINE_MICROVM && k->tsc_khz == 0)
		return err_set(e, -EINVAL, "kernel command line: microvm needs "
			       "tsc_early_khz (host TSC rate unknown)");
	if (k->image && !qk_digest_ok(k->image))
		return err_set(e, -EINVAL, "kernel command line: image \"%.80s\" is "
			       "not a sha256 digest", k->image);
	rc |= qk_cat(buf, cap, &len, "console=ttyS0 quiet panic=-1 cryptomgr.notests");
	if (k->tsc_khz)
		rc |= qk_cat(buf, cap, &len, " tsc_early_khz=%lu", k->tsc_khz);
	if (k->image)
		rc |= qk_cat(buf, cap, &len, " ccinit.image=%s ccinit.disk=vda", k->image);
	rc |= qk_cat(buf, cap, &len, " ccinit.exit=0x%x", QEMU_EXIT_PORT);
	if (k->extra && k->extra[0])
		rc |= qk_cat(buf, cap, &len, " %s", k->extra);
	if (rc || len > QEMU_CMDLINE_MAX) {
		buf[0] = '\0';
		return err_set(e, -ERR_LIMIT, "kernel command line longer than %d "
			       "bytes", QEMU_CMDLINE_MAX);
	}
	return 0;
}
