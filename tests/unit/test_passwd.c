/* Unit tests for init/passwd.c: OCI "User" resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "init/passwd.h"

static const char PASSWD[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"# a comment\n"
	"\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"garbage line without colons\n"
	"short:x\n"
	"bob:x:notanumber:1:::\n"
	"app:x:1000:1001:App User,,,:/home/app:/bin/sh\n"
	"2000:x:3000:3000:numeric name:/home/n:/bin/sh\n"
	"crlf:x:1100:1100::/home/crlf:/bin/sh\r\n"
	"nohome:x:1200:1200\n"
	"emptyhome:x:1300:1300:::/bin/sh\n"
	"+nisuser:x:1400:1400::/nis:/bin/sh\n"
	"last:x:1500:1500::/home/last:/bin/sh"; /* no final newline */

static const char GROUP[] =
	"root:x:0:\n"
	"wheel:x:10:root,app\n"
	"staff:x:50:app,bob\n"
	"application:x:60:application\n"
	"apps:x:61:apple,appx\n"
	"broken:x:zz:app\n"
	"dup:x:10:app\n"
	"docker:x:999:app\r\n"
	"# wheel2:x:11:app\n"
	"crlfgrp:x:1100:crlf\n";

static int resolve(const char *spec, struct passwd_id *id, struct err *e)
{
	memset(e, 0, sizeof(*e));
	return passwd_resolve(spec, strlen(spec), PASSWD, sizeof(PASSWD) - 1, GROUP,
			      sizeof(GROUP) - 1, id, e);
}

static void expect_fail(const char *spec, int code, const char *want)
{
	struct passwd_id id;
	struct err e;
	int rc = resolve(spec, &id, &e);

	if (rc != code || !strstr(e.msg, want))
		print_error("spec \"%s\": rc %d msg \"%s\"\n", spec, rc, e.msg);
	assert_int_equal(rc, code);
	assert_non_null(strstr(e.msg, want));
	assert_int_equal(id.uid, 0);
	assert_int_equal(id.ngroups, 0);
	assert_string_equal(id.home, "");
}

static void test_default_root(void **state)
{
	struct passwd_id id;
	struct err e;

	(void)state;
	assert_int_equal(resolve("", &id, &e), 0);
	assert_int_equal(id.uid, 0);
	assert_int_equal(id.gid, 0);
	assert_string_equal(id.home, "/root");
	assert_int_equal(id.ngroups, 1); /* wheel lists root */
	assert_int_equal(id.groups[0], 10);
	assert_int_equal(resolve("root", &id, &e), 0);
	assert_int_equal(id.uid, 0);
	assert_string_equal(id.home, "/root");
}

static void test_name(void **state)
{
	struct passwd_id id;
	struct err e;

	(void)state;
	assert_int_equal(resolve("app", &id, &e), 0);
	assert_int_equal(id.uid, 1000);
	assert_int_equal(id.gid, 1001);
	assert_string_equal(id.home, "/home/app");
	/* wheel, staff, docker; "dup" repeats gid 10; "broken" is skipped;
	 * "application" and "apps" do not list exactly "app" */
	assert_int_equal(id.ngroups, 3);
	assert_int_equal(id.groups[0], 10);
	assert_int_equal(id.groups[1], 50);
	assert_int_equal(id.groups[2], 999);
}

static void test_name_group(void **state)
{
	struct passwd_id id;
	struct err e;

	(void)state;
	assert_int_equal(resolve("app:staff", &id, &e), 0);
	assert_int_equal(id.uid, 1000);
	assert_int_equal(id.gid, 50);
	assert_int_equal(id.ngroups, 0); /* explicit group: no supplementary */
	assert_string_equal(id.home, "/home/app");
	assert_int_equal(resolve("app:4242", &id, &e), 0);
	assert_int_equal(id.gid, 4242);
	assert_int_equal(resolve("daemon:docker", &id, &e), 0); /* CRLF group line */
	assert_int_equal(id.gid, 999);
	expect_fail("app:nogroup", -ERR_NOTFOUND, "group \"nogroup\": not found in /etc/group");
	expect_fail("app:broken", -ERR_FORMAT, "/etc/group line 6 (group \"broken\")");
	expect_fail("app:wheel2", -ERR_NOTFOUND, "not found"); /* commented out */
}

static void test_numeric(void **state)
{
	struct passwd_id id;
	struct err e;

	(void)state;
	assert_int_equal(resolve("1000", &id, &e), 0); /* uid with an entry */
	assert_int_equal(id.uid, 1000);
	assert_int_equal(id.gid, 1001);
	assert_string_equal(id.home, "/home/app");
	assert_int_equal(id.ngroups, 3);
	assert_int_equal(resolve("1234", &id, &e), 0); /* uid without one */
	assert_int_equal(id.uid, 1234);
	assert_int_equal(id.gid, 0);
	assert_string_equal(id.home, "/");
	assert_int_equal(id.ngroups, 0);
	assert_int_equal(resolve("1234:5678", &id, &e), 0);
	assert_int_equal(id.gid, 5678);
	assert_int_equal(resolve("0001000", &id, &e), 0); /* leading zeros */
	assert_int_equal(id.uid, 1000);
	assert_int_equal(resolve("4294967294", &id, &e), 0);
	assert_int_equal(id.uid, 4294967294u);
	expect_fail("4294967295", -ERR_FORMAT, "expected a uid of at most 4294967294");
	expect_fail("99999999999", -ERR_FORMAT, "uid");
	expect_fail("0:4294967295", -ERR_FORMAT, "expected a gid");
}

static void test_numeric_looking_name(void **state)
{
	struct passwd_id id;
	struct err e;

	(void)state;
	/* digits are always a uid, never the user named "2000" (uid 3000) */
	assert_int_equal(resolve("2000", &id, &e), 0);
	assert_int_equal(id.uid, 2000);
	assert_int_equal(id.gid, 0);
	assert_int_equal(resolve("3000", &id, &e), 0);
	assert_int_equal(id.uid, 3000);
	assert_string_equal(id.home, "/home/n");
	/* not digits: a name */
	expect_fail("-1", -ERR_NOTFOUND, "user \"-1\": not found in /etc/passwd");
	expect_fail("+5", -ERR_NOTFOUND, "not found");
	expect_fail("1e3", -ERR_NOTFOUND, "not found");
	expect_fail(" 5", -ERR_NOTFOUND, "not found");
}

static void test_malformed_lines(void **state)
{
	struct passwd_id id;
	struct err e;

	(void)state;
	/* a broken entry for the user asked for is an error, no fall-through */
	expect_fail("bob", -ERR_FORMAT, "/etc/passwd line 7 (user \"bob\")");
	expect_fail("short", -ERR_FORMAT, "/etc/passwd line 6");
	/* garbage elsewhere is skipped */
	assert_int_equal(resolve("crlf", &id, &e), 0);
	assert_int_equal(id.uid, 1100);
	assert_string_equal(id.home, "/home/crlf");
	assert_int_equal(id.ngroups, 1);
	assert_int_equal(id.groups[0], 1100);
	assert_int_equal(resolve("nohome", &id, &e), 0);
	assert_string_equal(id.home, "/");
	assert_int_equal(resolve("emptyhome", &id, &e), 0);
	assert_string_equal(id.home, "/");
	assert_int_equal(resolve("last", &id, &e), 0);
	assert_int_equal(id.uid, 1500);
	/* NIS lines are skipped */
	expect_fail("+nisuser", -ERR_NOTFOUND, "not found");
	expect_fail("nisuser", -ERR_NOTFOUND, "not found");
	expect_fail("nobody", -ERR_NOTFOUND, "user \"nobody\": not found in /etc/passwd");
}

static void test_bad_spec(void **state)
{
	char spec[PASSWD_SPEC_MAX + 2];

	(void)state;
	expect_fail("app:staff:x", -ERR_FORMAT, "expected user[:group]");
	expect_fail("app:", -ERR_FORMAT, "non-empty group");
	expect_fail("ap\np", -ERR_FORMAT, "user spec \"ap?p\"");
	memset(spec, 'a', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	expect_fail(spec, -ERR_LIMIT, "expected at most 511 bytes, got 512");
	spec[PASSWD_SPEC_MAX] = '\0';
	expect_fail(spec, -ERR_NOTFOUND, "aaaa...\": not found"); /* name shown cut */
}

static void test_no_files(void **state)
{
	struct passwd_id id;
	struct err e = { 0, "" };

	(void)state;
	assert_int_equal(passwd_resolve("", 0, NULL, 0, NULL, 0, &id, &e), 0);
	assert_int_equal(id.uid, 0);
	assert_string_equal(id.home, "/");
	assert_int_equal(passwd_resolve(NULL, 0, NULL, 0, NULL, 0, &id, &e), 0);
	assert_int_equal(passwd_resolve("65534:65534", 11, NULL, 0, NULL, 0, &id, &e), 0);
	assert_int_equal(id.uid, 65534);
	assert_int_equal(id.gid, 65534);
	assert_int_equal(passwd_resolve("app", 3, NULL, 0, NULL, 0, &id, &e), -ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "it has no /etc/passwd"));
	assert_int_equal(passwd_resolve("0:wheel", 7, NULL, 0, NULL, 0, &id, &e), -ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "it has no /etc/group"));
	/* spec_len bounds the spec */
	assert_int_equal(passwd_resolve("1000garbage", 4, PASSWD, sizeof(PASSWD) - 1, NULL, 0,
					&id, &e), 0);
	assert_int_equal(id.uid, 1000);
}

static void test_long_lines(void **state)
{
	static char pw[200000];
	struct passwd_id id;
	struct err e = { 0, "" };
	int n;

	(void)state;
	/* a 150 kB gecos before the entry looked up */
	n = snprintf(pw, sizeof(pw), "big:x:5:5:");
	memset(pw + n, 'g', 150000);
	n += 150000;
	n += snprintf(pw + n, sizeof(pw) - (size_t)n, ":/big:/bin/sh\nuser:x:7:8::/h:/bin/sh\n");
	assert_int_equal(passwd_resolve("user", 4, pw, (size_t)n, NULL, 0, &id, &e), 0);
	assert_int_equal(id.uid, 7);
	assert_int_equal(passwd_resolve("big", 3, pw, (size_t)n, NULL, 0, &id, &e), 0);
	assert_string_equal(id.home, "/big");
	/* a home longer than PASSWD_HOME_MAX */
	n = snprintf(pw, sizeof(pw), "h:x:1:1::/");
	memset(pw + n, 'h', 300);
	n += 300;
	pw[n++] = '\n';
	assert_int_equal(passwd_resolve("h", 1, pw, (size_t)n, NULL, 0, &id, &e), -ERR_LIMIT);
	assert_non_null(strstr(e.msg, "home: expected at most 255 bytes"));
	/* exactly PASSWD_HOME_MAX is fine */
	n = snprintf(pw, sizeof(pw), "h:x:1:1::/");
	memset(pw + n, 'h', PASSWD_HOME_MAX - 1);
	n += PASSWD_HOME_MAX - 1;
	assert_int_equal(passwd_resolve("h", 1, pw, (size_t)n, NULL, 0, &id, &e), 0);
	assert_int_equal(strlen(id.home), PASSWD_HOME_MAX);
}

static void test_many_groups(void **state)
{
	static char gr[8192];
	struct passwd_id id;
	struct err e = { 0, "" };
	const char *pw = "u:x:1:1::/:/bin/sh\n";
	int i, n = 0;

	(void)state;
	for (i = 0; i < PASSWD_GROUPS_MAX; i++)
		n += snprintf(gr + n, sizeof(gr) - (size_t)n, "g%d:x:%d:a,u,b\n", i, 100 + i);
	assert_int_equal(passwd_resolve("u", 1, pw, strlen(pw), gr, (size_t)n, &id, &e), 0);
	assert_int_equal(id.ngroups, PASSWD_GROUPS_MAX);
	assert_int_equal(id.groups[63], 163);
	n += snprintf(gr + n, sizeof(gr) - (size_t)n, "again:x:100:u\n"); /* duplicate gid */
	assert_int_equal(passwd_resolve("u", 1, pw, strlen(pw), gr, (size_t)n, &id, &e), 0);
	n += snprintf(gr + n, sizeof(gr) - (size_t)n, "extra:x:500:u\n");
	assert_int_equal(passwd_resolve("u", 1, pw, strlen(pw), gr, (size_t)n, &id, &e),
			 -ERR_LIMIT);
	assert_non_null(strstr(e.msg, "at most 64 groups"));
}

static void test_nul_bytes(void **state)
{
	static const char pw[] = "a\0b:x:1:1::/x:/bin/sh\nab:x:2:2::/h\0ome:/bin/sh\nc:x:3:3::/c\n";
	struct passwd_id id;
	struct err e = { 0, "" };

	(void)state;
	assert_int_equal(passwd_resolve("a", 1, pw, sizeof(pw) - 1, NULL, 0, &id, &e),
			 -ERR_NOTFOUND);
	assert_int_equal(passwd_resolve("a\0b", 3, pw, sizeof(pw) - 1, NULL, 0, &id, &e),
			 -ERR_FORMAT); /* control byte in the spec */
	assert_int_equal(passwd_resolve("ab", 2, pw, sizeof(pw) - 1, NULL, 0, &id, &e),
			 -ERR_LIMIT); /* NUL in the home */
	assert_int_equal(passwd_resolve("c", 1, pw, sizeof(pw) - 1, NULL, 0, &id, &e), 0);
	assert_int_equal(id.uid, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_root),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_name_group),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_numeric_looking_name),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_bad_spec),
		cmocka_unit_test(test_no_files),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_many_groups),
		cmocka_unit_test(test_nul_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
