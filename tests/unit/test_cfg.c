/* Unit tests for init/cfg.c: the kernel command line parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "init/cfg.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define IMG "ccinit.image=sha256:" HEX

static int parse(const char *s, struct cfg *c, struct err *e)
{
	memset(e, 0, sizeof(*e));
	return cfg_parse(s, strlen(s), c, e);
}

/* Parse s expecting failure with code; the message must contain want. */
static void expect_fail(const char *s, int code, const char *want)
{
	struct cfg c;
	struct err e;
	int rc = parse(s, &c, &e);

	if (rc != code || !strstr(e.msg, want))
		print_error("input \"%s\": rc %d msg \"%s\"\n", s, rc, e.msg);
	assert_int_equal(rc, code);
	assert_int_equal(e.code, code);
	assert_non_null(strstr(e.msg, want));
	assert_string_equal(c.image, ""); /* zeroed on error */
}

static void test_minimal(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	assert_int_equal(parse(IMG, &c, &e), 0);
	assert_string_equal(c.image, "sha256:" HEX);
	assert_string_equal(c.disk, "vda");
	assert_false(c.has_exit_port);
	assert_int_equal(c.tmpfs_size, 0);
	assert_false(c.debug);
	assert_int_equal(c.n_unknown, 0);
}

static void test_proc_cmdline_shape(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	/* /proc/cmdline: kernel words around ours, trailing space and newline */
	assert_int_equal(parse("BOOT_IMAGE=/vmlinuz console=ttyS0 quiet panic=-1 " IMG
			       " ccinit.disk=vdb ccinit.exit=0xf4 ccinit.tmpfs_size=512m "
			       "ccinit.debug=1 root=/dev/ram0 \n", &c, &e), 0);
	assert_string_equal(c.disk, "vdb");
	assert_true(c.has_exit_port);
	assert_int_equal(c.exit_port, 0xf4);
	assert_int_equal(c.tmpfs_size, 512ull << 20);
	assert_true(c.debug);
	/* tabs, \r, \v, \f are white space as for the kernel */
	assert_int_equal(parse("\t" IMG "\r\n\v\fccinit.debug=0\f", &c, &e), 0);
	assert_false(c.debug);
}

static void test_quotes(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	assert_int_equal(parse(IMG " ccinit.disk=\"vdb\"", &c, &e), 0);
	assert_string_equal(c.disk, "vdb");
	assert_int_equal(parse("\"ccinit.disk=vdc\" " IMG, &c, &e), 0);
	assert_string_equal(c.disk, "vdc");
	assert_int_equal(parse("ccinit.image=\"sha256:" HEX "\"", &c, &e), 0);
	assert_string_equal(c.image, "sha256:" HEX);
	/* a quoted kernel value hides what looks like our keys */
	assert_int_equal(parse(IMG " foo=\"a ccinit.debug=7 ccinit.image=x\" bar", &c, &e), 0);
	assert_false(c.debug);
	/* a quote in the middle: the value keeps it, so it is invalid */
	expect_fail(IMG " ccinit.disk=\"vd\"b", -ERR_FORMAT, "ccinit.disk: expected");
	/* quotes keep white space inside one word */
	expect_fail(IMG " ccinit.disk=\"vd a\"", -ERR_FORMAT, "got \"vd a\"");
	/* an unterminated quote runs to the end */
	expect_fail(IMG " ccinit.disk=\"vdb ccinit.debug=1", -ERR_FORMAT, "ccinit.disk");
	/* empty quoted value */
	expect_fail(IMG " ccinit.disk=\"\"", -ERR_FORMAT, "ccinit.disk: expected");
	expect_fail(IMG " ccinit.disk=\"", -ERR_FORMAT, "ccinit.disk: expected");
}

static void test_duplicates(void **state)
{
	(void)state;
	expect_fail(IMG " " IMG, -ERR_FORMAT, "ccinit.image: given twice");
	expect_fail(IMG " ccinit.debug=0 ccinit.debug=0", -ERR_FORMAT, "ccinit.debug: given twice");
	expect_fail(IMG " ccinit.disk=vda \"ccinit.disk=vda\"", -ERR_FORMAT, "given twice");
}

static void test_unknown_keys(void **state)
{
	struct cfg c;
	struct err e;
	char line[2048];
	int i, n = 0;

	(void)state;
	assert_int_equal(parse(IMG " ccinit.foo=1 ccinit.bar ccinit. ccinit.Disk=x "
			       "ccinitx.image=1 ccinit_debug=5 xccinit.debug=5", &c, &e), 0);
	assert_int_equal(c.n_unknown, 4);
	assert_string_equal(c.unknown[0], "ccinit.foo");
	assert_string_equal(c.unknown[1], "ccinit.bar");
	assert_string_equal(c.unknown[2], "ccinit.");
	assert_string_equal(c.unknown[3], "ccinit.Disk");
	assert_string_equal(c.disk, "vda");
	/* many: the first CFG_UNKNOWN_MAX are kept, all are counted */
	n = snprintf(line, sizeof(line), "%s", IMG);
	for (i = 0; i < 20; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " ccinit.k%d=v", i);
	assert_int_equal(parse(line, &c, &e), 0);
	assert_int_equal(c.n_unknown, 20);
	assert_string_equal(c.unknown[CFG_UNKNOWN_MAX - 1], "ccinit.k7");
	/* a long unknown key is cut and stays printable */
	memset(line, 'z', 300);
	memcpy(line, "ccinit.", 7);
	line[100] = '\x01';
	snprintf(line + 300, sizeof(line) - 300, "=1 %s", IMG);
	assert_int_equal(parse(line, &c, &e), 0);
	assert_int_equal(strlen(c.unknown[0]), CFG_KEY_MAX);
	assert_string_equal(c.unknown[0] + CFG_KEY_MAX - 3, "...");
	assert_null(strchr(c.unknown[0], '\x01'));
}

static void test_missing_image(void **state)
{
	(void)state;
	expect_fail("", -ERR_FORMAT, "ccinit.image: missing");
	expect_fail("console=ttyS0 ccinit.disk=vdb\n", -ERR_FORMAT, "ccinit.image: missing");
	expect_fail("   \n", -ERR_FORMAT, "missing");
	{
		struct cfg c;
		struct err e = { 0, "" };
		assert_int_equal(cfg_parse(NULL, 0, &c, &e), -ERR_FORMAT);
	}
}

static void test_bad_image(void **state)
{
	(void)state;
	expect_fail("ccinit.image=sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef"
		    "0123456789abcdef", -ERR_FORMAT, "expected sha256:<64 lowercase hex>");
	expect_fail("ccinit.image=sha256:" HEX "0", -ERR_FORMAT, "ccinit.image: expected");
	expect_fail("ccinit.image=sha256:" "0123", -ERR_FORMAT, "got \"sha256:0123\"");
	expect_fail("ccinit.image=sha512:" HEX, -ERR_FORMAT, "ccinit.image: expected");
	expect_fail("ccinit.image=" HEX, -ERR_FORMAT, "ccinit.image: expected");
	expect_fail("ccinit.image=sha256:" "g123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef", -ERR_FORMAT, "ccinit.image: expected");
	expect_fail("ccinit.image", -ERR_FORMAT, "ccinit.image: expected ccinit.image=<value>");
	expect_fail("ccinit.image=", -ERR_FORMAT, "got \"\"");
}

static void test_disk(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	assert_int_equal(parse(IMG " ccinit.disk=nvme0n1", &c, &e), 0);
	assert_string_equal(c.disk, "nvme0n1");
	assert_int_equal(parse(IMG " ccinit.disk=abcdefghijklmnopqrstuvwxyz01234", &c, &e), 0);
	expect_fail(IMG " ccinit.disk=abcdefghijklmnopqrstuvwxyz012345", -ERR_FORMAT, "1-31");
	expect_fail(IMG " ccinit.disk=VDA", -ERR_FORMAT, "ccinit.disk");
	expect_fail(IMG " ccinit.disk=../sda", -ERR_FORMAT, "ccinit.disk");
	expect_fail(IMG " ccinit.disk=mapper/x", -ERR_FORMAT, "ccinit.disk");
	expect_fail(IMG " ccinit.disk=", -ERR_FORMAT, "ccinit.disk");
	expect_fail(IMG " ccinit.disk", -ERR_FORMAT, "got no '='");
}

static void test_exit_port(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	assert_int_equal(parse(IMG " ccinit.exit=244", &c, &e), 0);
	assert_int_equal(c.exit_port, 0xf4);
	assert_int_equal(parse(IMG " ccinit.exit=0X00F4", &c, &e), 0);
	assert_int_equal(c.exit_port, 0xf4);
	assert_int_equal(parse(IMG " ccinit.exit=0xfffc", &c, &e), 0);
	assert_int_equal(c.exit_port, 0xfffc);
	assert_int_equal(parse(IMG " ccinit.exit=1", &c, &e), 0);
	assert_int_equal(c.exit_port, 1);
	expect_fail(IMG " ccinit.exit=0", -ERR_FORMAT, "ccinit.exit: expected an I/O port");
	expect_fail(IMG " ccinit.exit=0x0", -ERR_FORMAT, "ccinit.exit");
	expect_fail(IMG " ccinit.exit=0xfffd", -ERR_FORMAT, "ccinit.exit");
	expect_fail(IMG " ccinit.exit=65535", -ERR_FORMAT, "ccinit.exit");
	expect_fail(IMG " ccinit.exit=0x000f4", -ERR_FORMAT, "ccinit.exit");
	expect_fail(IMG " ccinit.exit=0x", -ERR_FORMAT, "ccinit.exit");
	expect_fail(IMG " ccinit.exit=-1", -ERR_FORMAT, "ccinit.exit");
	expect_fail(IMG " ccinit.exit=+4", -ERR_FORMAT, "ccinit.exit");
	expect_fail(IMG " ccinit.exit=0xg4", -ERR_FORMAT, "ccinit.exit");
}

static void test_tmpfs_size(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	assert_int_equal(parse(IMG " ccinit.tmpfs_size=1g", &c, &e), 0);
	assert_int_equal(c.tmpfs_size, 1ull << 30);
	assert_int_equal(parse(IMG " ccinit.tmpfs_size=2048K", &c, &e), 0);
	assert_int_equal(c.tmpfs_size, 2ull << 20);
	assert_int_equal(parse(IMG " ccinit.tmpfs_size=1048576", &c, &e), 0);
	assert_int_equal(c.tmpfs_size, 1ull << 20);
	assert_int_equal(parse(IMG " ccinit.tmpfs_size=1024G", &c, &e), 0);
	assert_int_equal(c.tmpfs_size, 1ull << 40);
	assert_int_equal(parse(IMG " ccinit.tmpfs_size=1M", &c, &e), 0);
	expect_fail(IMG " ccinit.tmpfs_size=1048575", -ERR_FORMAT, "between 1m and 1024g");
	expect_fail(IMG " ccinit.tmpfs_size=1025g", -ERR_FORMAT, "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=0", -ERR_FORMAT, "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=m", -ERR_FORMAT, "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=10x", -ERR_FORMAT, "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=10mb", -ERR_FORMAT, "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=50%", -ERR_FORMAT, "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=99999999999999999999999g", -ERR_FORMAT,
		    "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=18446744073709551615", -ERR_FORMAT,
		    "ccinit.tmpfs_size");
	expect_fail(IMG " ccinit.tmpfs_size=17179869184g", -ERR_FORMAT, "ccinit.tmpfs_size");
}

static void test_debug(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	assert_int_equal(parse(IMG " ccinit.debug=1", &c, &e), 0);
	assert_true(c.debug);
	expect_fail(IMG " ccinit.debug=2", -ERR_FORMAT, "ccinit.debug: expected 0 or 1, got \"2\"");
	expect_fail(IMG " ccinit.debug=01", -ERR_FORMAT, "ccinit.debug");
	expect_fail(IMG " ccinit.debug=true", -ERR_FORMAT, "ccinit.debug");
	expect_fail(IMG " ccinit.debug", -ERR_FORMAT, "ccinit.debug");
}

static void test_long_lines(void **state)
{
	static char line[CFG_CMDLINE_MAX + 64];
	struct cfg c;
	struct err e;
	size_t n;

	(void)state;
	/* just under the limit, our key at the very end */
	n = CFG_CMDLINE_MAX - strlen(IMG);
	memset(line, 'x', n);
	line[0] = 'a';
	line[1] = '=';
	line[n - 1] = ' ';
	memcpy(line + n, IMG, strlen(IMG) + 1);
	assert_int_equal(strlen(line), CFG_CMDLINE_MAX);
	assert_int_equal(parse(line, &c, &e), 0);
	/* one byte more is refused */
	memcpy(line + n, " " IMG, strlen(IMG) + 2);
	expect_fail(line, -ERR_LIMIT, "expected at most 4096 bytes, got 4097");
	/* a long bad value is quoted cut short */
	memcpy(line, "ccinit.disk=", 12);
	memset(line + 12, 'a', 3000);
	line[3012] = '\0';
	expect_fail(line, -ERR_FORMAT, "aaa...\"");
	{
		struct err e2;
		parse(line, &c, &e2);
		assert_true(strlen(e2.msg) < 200);
	}
}

static void test_nul_and_binary(void **state)
{
	static const char in1[] = IMG " ccinit.disk=vd\0b";
	static const char in2[] = "junk=\0\xff\x80 " IMG " \0";
	struct cfg c;
	struct err e = { 0, "" };

	(void)state;
	assert_int_equal(cfg_parse(in1, sizeof(in1) - 1, &c, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "got \"vd?b\""));
	assert_int_equal(cfg_parse(in2, sizeof(in2) - 1, &c, &e), 0);
	assert_string_equal(c.image, "sha256:" HEX);
	/* the length bounds the input: the NUL-terminated prefix is not used */
	assert_int_equal(cfg_parse(IMG "XYZ", strlen(IMG), &c, &e), 0);
}

static void test_after_dashes(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	/* the whole measured command line counts, "--" included */
	assert_int_equal(parse("quiet -- " IMG " init-arg", &c, &e), 0);
	assert_string_equal(c.image, "sha256:" HEX);
}

static void test_exit_port_alone(void **state)
{
	uint16_t port = 7;

	(void)state;
	/* found even where the rest of the line is invalid */
	assert_int_equal(cfg_exit_port("ccinit.debug=2 ccinit.exit=0xf4\n", 32, &port), 0);
	assert_int_equal(port, 0xf4);
	assert_int_equal(cfg_exit_port("ccinit.image=x \"ccinit.exit=501\"", 31, &port), 0);
	assert_int_equal(port, 501);
	assert_int_equal(cfg_exit_port("quiet", 5, &port), -ERR_NOTFOUND);
	assert_int_equal(port, 0);
	assert_int_equal(cfg_exit_port("ccinit.exit=1 ccinit.exit=1", 27, &port), -ERR_FORMAT);
	assert_int_equal(port, 0);
	assert_int_equal(cfg_exit_port("ccinit.exit=0", 13, &port), -ERR_FORMAT);
	assert_int_equal(cfg_exit_port("ccinit.exit", 11, &port), -ERR_FORMAT);
	assert_int_equal(cfg_exit_port("ccinit.exits=1", 14, &port), -ERR_NOTFOUND);
	assert_int_equal(cfg_exit_port(NULL, 0, &port), -ERR_FORMAT);
}

static void test_attestation_keys(void **state)
{
	struct cfg c;
	struct err e;

	(void)state;
	assert_int_equal(parse(IMG " ccinit.tee=sample ccinit.kbs=https://kbs.test:8443"
			       " agent.aa_kbc_params=cc_kbc::https://kbs.test:8443"
			       " ccinit.initdata=" HEX HEX " ccinit.initdata_disk=vdc"
			       " ccinit.fetch=kbs:///default/test/secret,kbs://x:1/a/b/c"
			       " ccinit.net=10.0.2.15/24,10.0.2.2"
			       " ccinit.hosts=kbs.test=10.0.2.100,127.0.0.1=10.0.2.100", &c, &e), 0);
	assert_int_equal(c.tee, CFG_TEE_SAMPLE);
	assert_string_equal(c.kbs_url, "https://kbs.test:8443");
	assert_string_equal(c.initdata, HEX HEX);
	assert_string_equal(c.initdata_disk, "vdc");
	assert_int_equal(c.n_fetch, 2);
	assert_string_equal(c.fetch[1], "kbs://x:1/a/b/c");
	assert_string_equal(c.net, "10.0.2.15/24,10.0.2.2");
	assert_int_equal(c.n_hosts, 2);
	assert_string_equal(c.hosts[1].name, "127.0.0.1");
	assert_string_equal(c.hosts[1].addr, "10.0.2.100");
	assert_int_equal(parse(IMG, &c, &e), 0);
	assert_int_equal(c.tee, CFG_TEE_AUTO);
	assert_string_equal(c.net, "dhcp");
	assert_string_equal(c.initdata_disk, "vdb");
	assert_string_equal(c.kbs_url, "");
}

static void test_attestation_bad(void **state)
{
	(void)state;
	expect_fail(IMG " ccinit.tee=maybe", -ERR_FORMAT, "ccinit.tee: expected auto, sample");
	expect_fail(IMG " ccinit.kbs=ftp://x", -ERR_FORMAT, "ccinit.kbs: expected an http");
	expect_fail(IMG " ccinit.kbs=https://a agent.aa_kbc_params=cc_kbc::https://b",
		    -ERR_FORMAT, "different KBS URLs");
	expect_fail(IMG " agent.aa_kbc_params=offline_fs_kbc::null", -ERR_FORMAT,
		    "agent.aa_kbc_params: expected cc_kbc::<URL>");
	expect_fail(IMG " ccinit.initdata=abc", -ERR_FORMAT, "ccinit.initdata: expected 64");
	expect_fail(IMG " ccinit.fetch=kbs:///a/b", -ERR_FORMAT, "ccinit.fetch: expected");
	expect_fail(IMG " ccinit.fetch=kbs:///a/b/c,", -ERR_FORMAT, "ccinit.fetch: expected");
	expect_fail(IMG " ccinit.fetch=kbs:///a/../c", -ERR_FORMAT, "ccinit.fetch: expected");
	expect_fail(IMG " ccinit.hosts=kbs.test=10.0.2", -ERR_FORMAT, "ccinit.hosts: expected");
	expect_fail(IMG " ccinit.hosts=a=1.1.1.1,b=1.1.1.1,c=1.1.1.1,d=1.1.1.1,e=1.1.1.1",
		    -ERR_FORMAT, "ccinit.hosts: expected");
	expect_fail(IMG " ccinit.tee=snp ccinit.tee=tdx", -ERR_FORMAT, "given twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_proc_cmdline_shape),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_missing_image),
		cmocka_unit_test(test_bad_image),
		cmocka_unit_test(test_disk),
		cmocka_unit_test(test_exit_port),
		cmocka_unit_test(test_tmpfs_size),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_and_binary),
		cmocka_unit_test(test_after_dashes),
		cmocka_unit_test(test_exit_port_alone),
		cmocka_unit_test(test_attestation_keys),
		cmocka_unit_test(test_attestation_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
