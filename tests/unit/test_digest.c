/* test_digest: OCI digest parsing, formatting and comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/digest.h"

/* sha256("") */
#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static int parse(const char *s, struct digest *d, struct err *e)
{
	return digest_parse(s, strlen(s), d, e);
}

static void test_parse_format_roundtrip(void **state)
{
	char out[DIGEST_STR_MAX];
	struct digest d;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(parse("sha256:" EMPTY_HEX, &d, &e), 0);
	assert_int_equal(d.alg, DIGEST_SHA256);
	assert_int_equal(d.hash[0], 0xe3);
	assert_int_equal(d.hash[1], 0xb0);
	assert_int_equal(d.hash[31], 0x55);
	digest_format(&d, out);
	assert_string_equal(out, "sha256:" EMPTY_HEX);
	assert_int_equal(strlen(out), DIGEST_STR_MAX - 1);
	assert_int_equal(e.code, 0);
}

static void test_parse_len_not_nul(void **state)
{
	/* Only len bytes are read: a longer buffer is cut where len says. */
	const char *s = "sha256:" EMPTY_HEX "ffff";
	struct digest d;

	(void)state;
	assert_int_equal(digest_parse(s, strlen(s) - 4, &d, NULL), 0);
	assert_int_equal(digest_parse(s, strlen(s), &d, NULL), -ERR_FORMAT);
}

static void expect_fail(const char *s, size_t len, int code, const char *msg_part)
{
	struct digest d;
	struct err e = { 0 };

	memset(&d, 0xaa, sizeof(d));
	assert_int_equal(digest_parse(s, len, &d, &e), code);
	assert_int_equal(e.code, code);
	assert_non_null(strstr(e.msg, msg_part));
	/* failure leaves an unset digest */
	assert_int_equal(d.alg, DIGEST_NONE);
	assert_int_equal(d.hash[0], 0);
}

static void test_parse_rejects(void **state)
{
	static const char nul[] = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8\0" "5";

	(void)state;
	/* uppercase hex is not the canonical encoding */
	expect_fail("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", 71,
		    -ERR_FORMAT, "lowercase");
	expect_fail("SHA256:" EMPTY_HEX, 71, -ERR_FORMAT, "malformed algorithm");
	/* short and long */
	expect_fail("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", 70,
		    -ERR_FORMAT, "got 63 characters");
	expect_fail("sha256:" EMPTY_HEX "0", 72, -ERR_FORMAT, "got 65 characters");
	expect_fail("sha256:", 7, -ERR_FORMAT, "got 0 characters");
	/* missing prefix, empty, bad separators */
	expect_fail(EMPTY_HEX, 64, -ERR_FORMAT, "no algorithm prefix");
	expect_fail("", 0, -ERR_FORMAT, "no algorithm prefix");
	expect_fail(":" EMPTY_HEX, 65, -ERR_FORMAT, "malformed algorithm");
	expect_fail("sha256::" EMPTY_HEX, 72, -ERR_FORMAT, "lowercase");
	expect_fail("sha--256:abc", 12, -ERR_FORMAT, "malformed algorithm");
	expect_fail(" sha256:" EMPTY_HEX, 72, -ERR_FORMAT, "malformed algorithm");
	/* an embedded NUL is not a terminator */
	expect_fail(nul, sizeof(nul) - 1, -ERR_FORMAT, "lowercase");
	/* non-hex */
	expect_fail("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 71,
		    -ERR_FORMAT, "lowercase");
}

static void test_parse_other_algorithms(void **state)
{
	char s512[7 + 128 + 1];

	(void)state;
	memcpy(s512, "sha512:", 7);
	memset(s512 + 7, 'a', 128);
	s512[135] = '\0';
	expect_fail(s512, 135, -ERR_UNSUPPORTED, "sha512 digests are not supported");
	/* a malformed sha512 is a format error, not "unsupported" */
	expect_fail(s512, 134, -ERR_FORMAT, "128 lowercase hex");
	s512[10] = 'A';
	expect_fail(s512, 135, -ERR_FORMAT, "128 lowercase hex");
	expect_fail("blake3:abcd", 11, -ERR_UNSUPPORTED, "\"blake3\" is not supported");
	expect_fail("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", 55,
		    -ERR_UNSUPPORTED, "not supported");
	expect_fail("multihash+base58:abc!", 21, -ERR_FORMAT, "malformed encoded");
}

static void test_equal(void **state)
{
	struct digest a, b, none = { 0 };

	(void)state;
	assert_int_equal(parse("sha256:" EMPTY_HEX, &a, NULL), 0);
	b = a;
	assert_true(digest_equal(&a, &b));
	b.hash[31] ^= 1;
	assert_false(digest_equal(&a, &b));
	b = a;
	b.hash[0] ^= 0x80;
	assert_false(digest_equal(&a, &b));
	/* an unset digest equals nothing, not even another unset one */
	assert_false(digest_equal(&none, &none));
	b = a;
	b.alg = DIGEST_NONE;
	assert_false(digest_equal(&a, &b));
	assert_false(digest_equal(&b, &a));
}

static void test_format_unset(void **state)
{
	struct digest none = { 0 };
	char out[DIGEST_STR_MAX];

	(void)state;
	digest_format(&none, out);
	assert_string_equal(out, "invalid:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_len_not_nul),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_other_algorithms),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_format_unset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
