/* Unit tests for base/err.c: err_set, err_wrap, err_str. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "base/err.h"

static void test_set_basic(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(err_set(&e, -ENOENT, "open `%s`", "/etc/x"), -ENOENT);
	assert_int_equal(e.code, -ENOENT);
	assert_string_equal(e.msg, "open `/etc/x`");
	/* a second set replaces both */
	assert_int_equal(err_set(&e, -ERR_FORMAT, "tar: bad %s %d", "size", 7), -ERR_FORMAT);
	assert_int_equal(e.code, -ERR_FORMAT);
	assert_string_equal(e.msg, "tar: bad size 7");
}

static void test_set_null(void **state)
{
	(void)state;
	assert_int_equal(err_set(NULL, -ERR_DIGEST, "x %s", "y"), -ERR_DIGEST);
	assert_int_equal(err_set(NULL, -EIO, "plain"), -EIO);
}

/* A message longer than the buffer is cut, NUL-terminated, and nothing past
 * msg[] is written. */
static void test_set_truncates(void **state)
{
	struct {
		struct err e;
		char guard[16];
	} s;
	char big[3 * ERR_MSG_MAX];

	(void)state;
	memset(&s, 0x5a, sizeof(s));
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(err_set(&s.e, -ERR_LIMIT, "%s", big), -ERR_LIMIT);
	assert_int_equal(strlen(s.e.msg), ERR_MSG_MAX - 1);
	assert_int_equal(s.e.msg[ERR_MSG_MAX - 1], '\0');
	assert_int_equal(s.e.msg[0], 'q');
	for (size_t i = 0; i < sizeof(s.guard); i++)
		assert_int_equal((unsigned char)s.guard[i], 0x5a);
}

static void test_wrap_prefixes(void **state)
{
	struct err e = { 0 };

	(void)state;
	err_set(&e, -ERR_DIGEST, "digest mismatch: expected %s, got %s", "aa", "bb");
	assert_int_equal(err_wrap(&e, -EIO, "layer %d", 2), -ERR_DIGEST);
	assert_int_equal(e.code, -ERR_DIGEST); /* the first code is kept */
	assert_string_equal(e.msg, "layer 2: digest mismatch: expected aa, got bb");
	err_wrap(&e, -EIO, "image %s", "busybox");
	assert_string_equal(e.msg, "image busybox: layer 2: digest mismatch: expected aa, got bb");
}

/* Wrapping an empty error records the code and uses err_str() as cause. */
static void test_wrap_empty(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(err_wrap(&e, -ERR_UNSAFE, "path `%s`", "../x"), -ERR_UNSAFE);
	assert_int_equal(e.code, -ERR_UNSAFE);
	assert_string_equal(e.msg, "path `../x`: unsafe input refused");

	memset(&e, 0, sizeof(e));
	err_wrap(&e, -ENOENT, "open");
	assert_int_equal(e.code, -ENOENT);
	assert_string_equal(e.msg, "open: No such file or directory");
}

static void test_wrap_null(void **state)
{
	(void)state;
	assert_int_equal(err_wrap(NULL, -ERR_NOTFOUND, "ctx %d", 1), -ERR_NOTFOUND);
}

/* Long prefix and long message: the result is cut and terminated, the start
 * (the outermost context) survives. */
static void test_wrap_truncates(void **state)
{
	struct {
		struct err e;
		char guard[16];
	} s;
	char big[ERR_MSG_MAX + 100];
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(s.guard, 0x5a, sizeof(s.guard));
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&s.e, -ERR_FORMAT, "%s", big);
	for (i = 0; i < 3; i++) {
		assert_int_equal(err_wrap(&s.e, -EIO, "ctx%d-%s", i, big), -ERR_FORMAT);
		assert_int_equal(strlen(s.e.msg), ERR_MSG_MAX - 1);
		assert_memory_equal(s.e.msg, "ctx", 3);
	}
	for (size_t j = 0; j < sizeof(s.guard); j++)
		assert_int_equal((unsigned char)s.guard[j], 0x5a);

	/* short prefix over a full message: prefix kept, tail cut */
	err_set(&s.e, -ERR_FORMAT, "%s", big);
	err_wrap(&s.e, -EIO, "outer");
	assert_memory_equal(s.e.msg, "outer: mmm", 10);
	assert_int_equal(strlen(s.e.msg), ERR_MSG_MAX - 1);
}

static void test_str(void **state)
{
	(void)state;
	assert_string_equal(err_str(-ERR_DIGEST), "digest mismatch");
	assert_string_equal(err_str(-ERR_FORMAT), "malformed input");
	assert_string_equal(err_str(-ERR_UNSUPPORTED), "unsupported");
	assert_string_equal(err_str(-ERR_LIMIT), "limit exceeded");
	assert_string_equal(err_str(-ERR_UNSAFE), "unsafe input refused");
	assert_string_equal(err_str(-ERR_NOTFOUND), "not found");
	assert_string_equal(err_str(-ENOENT), strerror(ENOENT));
	assert_string_equal(err_str(-EINVAL), strerror(EINVAL));
	assert_string_equal(err_str(0), "unknown error");
	assert_string_equal(err_str(5), "unknown error");
	assert_string_equal(err_str(-ERR_NOTFOUND - 1), "unknown error");
	assert_string_equal(err_str(-100000), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_basic),
		cmocka_unit_test(test_set_null),
		cmocka_unit_test(test_set_truncates),
		cmocka_unit_test(test_wrap_prefixes),
		cmocka_unit_test(test_wrap_empty),
		cmocka_unit_test(test_wrap_null),
		cmocka_unit_test(test_wrap_truncates),
		cmocka_unit_test(test_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
