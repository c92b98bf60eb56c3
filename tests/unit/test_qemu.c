/* Unit tests for host/qemu: the QEMU argv and the guest kernel command line
 * built by `ccguest run`. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/qemu.h"

#define PIN "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The value after option `opt` (the first occurrence), or NULL. */
static const char *opt_val(const struct qemu_argv *a, const char *opt)
{
	for (size_t i = 1; i + 1 < a->argc; i++) {
		if (strcmp(a->argv[i], opt) == 0)
			return a->argv[i + 1];
	}
	return NULL;
}

static size_t count(const struct qemu_argv *a, const char *s)
{
	size_t n = 0;

	for (size_t i = 0; i < a->argc; i++)
		n += strcmp(a->argv[i], s) == 0;
	return n;
}

static bool has(const struct qemu_argv *a, const char *s)
{
	return count(a, s) > 0;
}

static struct qemu_cfg base_cfg(void)
{
	struct qemu_cfg c = {
		.qemu = "qemu-system-x86_64", .machine = QEMU_MACHINE_MICROVM,
		.accel = QEMU_ACCEL_TCG, .memory_mib = 512, .cpus = 1,
		.kernel = "/k/vmlinux", .initrd = "/k/initrd.img",
		.cmdline = "console=ttyS0", .disk = "/proc/self/fd/5",
		.net = QEMU_NET_NONE,
	};
	return c;
}

static void test_microvm_tcg(void **state)
{
	struct qemu_argv *a = malloc(sizeof(*a));
	struct qemu_cfg c = base_cfg();
	struct err e = { 0 };

	(void)state;
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_string_equal(a->argv[0], "qemu-system-x86_64");
	assert_null(a->argv[a->argc]);
	assert_string_equal(opt_val(a, "-M"), "microvm");
	assert_string_equal(opt_val(a, "-accel"), "tcg");
	assert_string_equal(opt_val(a, "-cpu"), "max");
	assert_string_equal(opt_val(a, "-m"), "512");
	assert_string_equal(opt_val(a, "-smp"), "1");
	assert_string_equal(opt_val(a, "-serial"), "stdio");
	assert_string_equal(opt_val(a, "-monitor"), "none");
	assert_string_equal(opt_val(a, "-display"), "none");
	assert_string_equal(opt_val(a, "-nic"), "none");
	assert_string_equal(opt_val(a, "-kernel"), "/k/vmlinux");
	assert_string_equal(opt_val(a, "-initrd"), "/k/initrd.img");
	assert_string_equal(opt_val(a, "-append"), "console=ttyS0");
	assert_string_equal(opt_val(a, "-drive"),
			    "file=/proc/self/fd/5,if=none,format=raw,readonly=on,id=d0");
	assert_true(has(a, "-nodefaults"));
	assert_true(has(a, "-no-user-config"));
	assert_true(has(a, "-no-reboot"));
	assert_true(has(a, "isa-debug-exit,iobase=0xf4,iosize=0x04"));
	assert_true(has(a, "virtio-blk-device,drive=d0"));
	assert_false(has(a, "virtio-blk-pci,drive=d0"));
	assert_false(has(a, "-nographic"));   /* it would add a monitor on stdio */
	assert_int_equal(count(a, "-device"), 2);
	free(a);
}

static void test_q35_kvm_nodisk(void **state)
{
	struct qemu_argv *a = malloc(sizeof(*a));
	struct qemu_cfg c = base_cfg();
	struct err e = { 0 };

	(void)state;
	c.machine = QEMU_MACHINE_Q35;
	c.accel = QEMU_ACCEL_KVM;
	c.cpus = 4;
	c.memory_mib = 2048;
	c.disk = NULL;
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_string_equal(opt_val(a, "-M"), "q35");
	assert_string_equal(opt_val(a, "-accel"), "kvm");
	assert_string_equal(opt_val(a, "-cpu"), "host");
	assert_string_equal(opt_val(a, "-smp"), "4");
	assert_string_equal(opt_val(a, "-m"), "2048");
	assert_null(opt_val(a, "-drive"));
	assert_int_equal(count(a, "-device"), 1);   /* only the exit device */
	c.disk = "/tmp/d";
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_true(has(a, "virtio-blk-pci,drive=d0"));
	free(a);
}

static void test_disk_commas(void **state)
{
	struct qemu_argv *a = malloc(sizeof(*a));
	struct qemu_cfg c = base_cfg();
	struct err e = { 0 };

	(void)state;
	c.disk = "/tmp/a,b,,c";
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_string_equal(opt_val(a, "-drive"),
			    "file=/tmp/a,,b,,,,c,if=none,format=raw,readonly=on,id=d0");
	/* -kernel and -append are plain values: no escaping */
	c.kernel = "/k,x";
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_string_equal(opt_val(a, "-kernel"), "/k,x");
	free(a);
}

static void test_user_net_and_initdata_disk(void **state)
{
	struct qemu_argv *a = malloc(sizeof(*a));
	struct qemu_cfg c = base_cfg();
	struct err e = { 0 };

	(void)state;
	c.net = QEMU_NET_USER;
	c.fwd.guest_port = 8443;
	c.fwd.cmd = "'/b/ccguest' proxy 'localhost' 8443,x";
	c.disk2 = "/proc/self/fd/6";
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_false(has(a, "-nic"));
	assert_string_equal(opt_val(a, "-netdev"),
			    "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:8443-"
			    "cmd:'/b/ccguest' proxy 'localhost' 8443,,x");
	assert_true(has(a, "virtio-net-device,netdev=n0"));
	assert_true(has(a, "file=/proc/self/fd/6,if=none,format=raw,readonly=on,id=d1"));
	assert_true(has(a, "virtio-blk-device,drive=d1"));
	c.machine = QEMU_MACHINE_Q35;
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_true(has(a, "virtio-net-pci,netdev=n0,romfile="));
	c.fwd.guest_port = 0;
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	c.fwd.guest_port = 1;
	c.fwd.cmd = NULL;
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	free(a);
}

static void test_bad_cfg(void **state)
{
	struct qemu_argv *a = malloc(sizeof(*a));
	struct qemu_cfg c;
	struct err e = { 0 };
	char big[QEMU_STRS_MAX];

	(void)state;
	c = base_cfg(); c.kernel = NULL;
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	c = base_cfg(); c.initrd = "";
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	c = base_cfg(); c.cpus = 0;
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	c = base_cfg(); c.memory_mib = 16;
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	c = base_cfg(); c.machine = (enum qemu_machine)7;
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c = base_cfg(); c.cmdline = big;
	assert_int_equal(qemu_build_argv(&c, a, &e), -ERR_LIMIT);
	free(a);
}

static void test_cmdline(void **state)
{
	struct qemu_kcmd k = { QEMU_MACHINE_MICROVM, 2095991, PIN, NULL };
	char buf[QEMU_CMDLINE_MAX + 1];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "console=ttyS0 quiet panic=-1 cryptomgr.notests "
			    "tsc_early_khz=2095991 ccinit.image=" PIN
			    " ccinit.disk=vda ccinit.exit=0xf4");
	k.image = NULL;
	k.extra = "ccinit.debug=1 loglevel=7";
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "console=ttyS0 quiet panic=-1 cryptomgr.notests "
			    "tsc_early_khz=2095991 ccinit.exit=0xf4 ccinit.debug=1 loglevel=7");
	/* q35 calibrates by itself */
	k = (struct qemu_kcmd){ QEMU_MACHINE_Q35, 0, PIN, "" };
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), 0);
	assert_null(strstr(buf, "tsc_early_khz"));
	assert_non_null(strstr(buf, "ccinit.image=" PIN));
}

static void test_cmdline_refusals(void **state)
{
	struct qemu_kcmd k = { QEMU_MACHINE_MICROVM, 0, PIN, NULL };
	char buf[QEMU_CMDLINE_MAX + 1], extra[QEMU_CMDLINE_MAX];
	struct err e = { 0 };

	(void)state;
	/* microvm without the TSC rate can hang: refused */
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "tsc_early_khz"));
	k.tsc_khz = 1000000;
	k.image = "sha256:0123";
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), -EINVAL);
	k.image = "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), -EINVAL);
	k.image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef x=1";
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), -EINVAL);
	k.image = PIN;
	memset(extra, 'x', sizeof(extra) - 1);
	extra[sizeof(extra) - 1] = '\0';
	k.extra = extra;   /* 2047 bytes + the rest: over the kernel's limit */
	assert_int_equal(qemu_build_cmdline(&k, buf, sizeof(buf), &e), -ERR_LIMIT);
	assert_string_equal(buf, "");
	k.extra = "a";
	assert_int_equal(qemu_build_cmdline(&k, buf, 20, &e), -ERR_LIMIT);
	assert_int_equal(qemu_build_cmdline(&k, buf, 0, &e), -ERR_LIMIT);
}

/* `ccguest run --igvm`: -bios plus generic loader devices instead of a
 * kernel, on q35 only; commas in file names escaped. */
static void test_bios_and_loader_blobs(void **state)
{
	struct qemu_cfg c = {
		.qemu = "qemu-system-x86_64", .machine = QEMU_MACHINE_Q35,
		.accel = QEMU_ACCEL_TCG, .memory_mib = 512, .cpus = 2,
		.bios = "/proc/self/fd/7", .n_blobs = 2,
		.blobs = { { "/proc/self/fd/8", 0x1000 }, { "/tmp/a,b", 0x1000000 } },
	};
	struct qemu_argv *a = calloc(1, sizeof(*a));
	struct err e = { 0 };

	(void)state;
	assert_non_null(a);
	assert_int_equal(qemu_build_argv(&c, a, &e), 0);
	assert_string_equal(opt_val(a, "-bios"), "/proc/self/fd/7");
	assert_null(opt_val(a, "-kernel"));
	assert_null(opt_val(a, "-append"));
	assert_true(has(a, "loader,file=/proc/self/fd/8,addr=0x1000,force-raw=on"));
	assert_true(has(a, "loader,file=/tmp/a,,b,addr=0x1000000,force-raw=on"));
	assert_true(has(a, "isa-debug-exit,iobase=0xf4,iosize=0x04"));
	/* microvm cannot take it: its firmware and devices differ */
	c.machine = QEMU_MACHINE_MICROVM;
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	c.machine = QEMU_MACHINE_Q35;
	c.blobs[1].file = "";
	assert_int_equal(qemu_build_argv(&c, a, &e), -EINVAL);
	free(a);
}

static void test_q35_ram_split(void **state)
{
	struct qemu_ram r[2];
	unsigned n;

	(void)state;
	qemu_q35_ram(512, r, &n);
	assert_int_equal(n, 1);
	assert_true(r[0].base == 0 && r[0].size == 512ull << 20);
	qemu_q35_ram(2816, r, &n);          /* 2.75 GiB: the 2 GiB split applies */
	assert_int_equal(n, 2);
	assert_true(r[0].size == 0x80000000ull && r[1].base == 1ull << 32 &&
		    r[1].size == (2816ull << 20) - 0x80000000ull);
	qemu_q35_ram(2800, r, &n);          /* below 2.75 GiB: all low */
	assert_int_equal(n, 1);
	assert_true(r[0].size == 2800ull << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_microvm_tcg),
		cmocka_unit_test(test_q35_kvm_nodisk),
		cmocka_unit_test(test_disk_commas),
		cmocka_unit_test(test_bios_and_loader_blobs),
		cmocka_unit_test(test_q35_ram_split),
		cmocka_unit_test(test_user_net_and_initdata_disk),
		cmocka_unit_test(test_bad_cfg),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_cmdline_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
