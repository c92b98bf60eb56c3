/* Unit tests for net/netcfg.c: the static form, netmasks, resolv.conf text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "net/netcfg.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static int parse(const char *s, struct net_lease *l, struct err *e)
{
	return netcfg_parse(s, strlen(s), l, e);
}

static void test_parse_full(void **state)
{
	struct net_lease l;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(parse("10.0.2.15/24,10.0.2.2,10.0.2.3", &l, &e), 0);
	assert_int_equal(l.addr.s_addr, ip("10.0.2.15"));
	assert_int_equal(l.prefix, 24);
	assert_int_equal(l.gw.s_addr, ip("10.0.2.2"));
	assert_int_equal(l.n_dns, 1);
	assert_int_equal(l.dns[0].s_addr, ip("10.0.2.3"));
	assert_int_equal(l.lease_s, 0);
}

static void test_parse_no_dns(void **state)
{
	struct net_lease l;

	(void)state;
	assert_int_equal(parse("192.168.1.200/32,192.168.1.1", &l, NULL), 0);
	assert_int_equal(l.addr.s_addr, ip("192.168.1.200"));
	assert_int_equal(l.prefix, 32);
	assert_int_equal(l.n_dns, 0);
	/* A gateway outside the subnet is allowed (on-link route). */
	assert_int_equal(parse("10.1.2.3/8,172.16.0.1", &l, NULL), 0);
	assert_int_equal(parse("1.2.3.4/1,255.255.255.254,0.0.0.1", &l, NULL), 0);
	assert_int_equal(l.prefix, 1);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", "dhcp", "10.0.2.15", "10.0.2.15/24", "10.0.2.15/24,",
		"10.0.2.15/0,10.0.2.2", "10.0.2.15/33,10.0.2.2", "10.0.2.15/024,10.0.2.2",
		"10.0.2.15/-1,10.0.2.2", "10.0.2.15/+24,10.0.2.2", "10.0.2.15/,10.0.2.2",
		"10.0.2/24,10.0.2.2", "10.0.2.15.1/24,10.0.2.2", "10.0.2.256/24,10.0.2.2",
		"10.0.2.015/24,10.0.2.2", "10.0.2.1a/24,10.0.2.2", " 10.0.2.15/24,10.0.2.2",
		"10.0.2.15/24 ,10.0.2.2", "10.0.2.15/24,10.0.2.2 ", "10.0.2.15/24,10.0.2.2,",
		"10.0.2.15/24,10.0.2.2,10.0.2.3,", "10.0.2.15/24,10.0.2.2,10.0.2.3,10.0.2.4",
		"10.0.2.15/24,10.0.2.2x", "0x0a.0.2.15/24,10.0.2.2", "10..2.15/24,10.0.2.2",
		"0.0.0.0/24,10.0.2.2", "255.255.255.255/24,10.0.2.2", "224.0.0.1/4,10.0.2.2",
		"240.0.0.1/4,10.0.2.2", "127.0.0.1/8,10.0.2.2", "10.0.2.15/24,0.0.0.0", "10.0.2.15/24,10.0.2.2,0.0.0.0",
		"10.0.2.15/24,10.0.2.2,10.0.2.3\n", "10.0.2.15/24;10.0.2.2",
		"1000.0.2.15/24,10.0.2.2", "10.0.2.15/24,10.0.2.2,10.0.2.3/24",
		"10.0.2.15/24,10.0.2.2,10.0.2.3 trailing garbage that is long enough to pass 63",
	};
	struct net_lease l;
	struct err e = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&l, 0x5a, sizeof(l));
		if (parse(bad[i], &l, &e) != -ERR_FORMAT)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(l.addr.s_addr, 0); /* *out cleared on failure */
		assert_non_null(strstr(e.msg, "static network"));
	}
}

static void test_parse_len(void **state)
{
	const char s[] = "10.0.2.15/24,10.0.2.2,10.0.2.3";
	struct net_lease l;
	struct err e = { 0 };

	(void)state;
	/* Only len bytes count: a cut in the DNS field is an error, a cut at the
	 * comma is a trailing-comma error, the gateway alone is fine. */
	assert_int_equal(netcfg_parse(s, strlen("10.0.2.15/24,10.0.2.2"), &l, &e), 0);
	assert_int_equal(l.n_dns, 0);
	assert_int_equal(netcfg_parse(s, strlen("10.0.2.15/24,10.0.2.2,"), &l, &e), -ERR_FORMAT);
	assert_int_equal(netcfg_parse(s, strlen("10.0.2.15/24,10.0.2.2,10.0"), &l, &e),
			 -ERR_FORMAT);
	assert_int_equal(netcfg_parse(NULL, 5, &l, &e), -ERR_FORMAT);
	/* A message quotes the spec, made printable. */
	assert_int_equal(netcfg_parse("1\x01", 2, &l, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "\"1?\""));
}

static void test_mask_prefix(void **state)
{
	struct in_addr m;
	unsigned p = 99;
	struct err e = { 0 };

	(void)state;
	m.s_addr = ip("255.255.255.0");
	assert_int_equal(netcfg_mask_prefix(m, &p, &e), 0);
	assert_int_equal(p, 24);
	m.s_addr = ip("255.255.255.255");
	assert_int_equal(netcfg_mask_prefix(m, &p, &e), 0);
	assert_int_equal(p, 32);
	m.s_addr = ip("128.0.0.0");
	assert_int_equal(netcfg_mask_prefix(m, &p, &e), 0);
	assert_int_equal(p, 1);
	m.s_addr = ip("255.255.252.0");
	assert_int_equal(netcfg_mask_prefix(m, &p, &e), 0);
	assert_int_equal(p, 22);
	m.s_addr = 0;
	assert_int_equal(netcfg_mask_prefix(m, &p, &e), -ERR_FORMAT);
	m.s_addr = ip("255.0.255.0");
	assert_int_equal(netcfg_mask_prefix(m, &p, &e), -ERR_FORMAT);
	assert_string_equal(e.msg, "netmask 255.0.255.0 is not a prefix");
	m.s_addr = ip("0.255.255.255");
	assert_int_equal(netcfg_mask_prefix(m, &p, &e), -ERR_FORMAT);
}

static void test_resolv(void **state)
{
	struct net_lease l = { 0 };
	char buf[64];
	size_t len = 99;

	(void)state;
	assert_int_equal(netcfg_resolv(&l, buf, sizeof(buf), &len, NULL), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	l.n_dns = 2;
	l.dns[0].s_addr = ip("10.0.2.3");
	l.dns[1].s_addr = ip("192.168.100.200");
	assert_int_equal(netcfg_resolv(&l, buf, sizeof(buf), &len, NULL), 0);
	assert_string_equal(buf, "nameserver 10.0.2.3\nnameserver 192.168.100.200\n");
	assert_int_equal(len, strlen(buf));
	/* Too small: an error, never a cut file. */
	assert_int_equal(netcfg_resolv(&l, buf, 40, &len, NULL), -ERR_LIMIT);
	assert_int_equal(netcfg_resolv(&l, buf, 0, &len, NULL), -ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_no_dns),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_len),
		cmocka_unit_test(test_mask_prefix),
		cmocka_unit_test(test_resolv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
