/* test_toml: the strict TOML subset reader (base/toml). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/toml.h"

static int get_str(const char *doc, const char *table, const char *key, char *out,
		   size_t cap, size_t *len)
{
	return toml_get_string((const uint8_t *)doc, strlen(doc), table, key, out, cap, len,
			       NULL);
}

static void expect_str(const char *doc, const char *table, const char *key,
		       const char *want, size_t want_len)
{
	char out[512];
	size_t len = 0;
	struct err e = { 0 };
	int rc = toml_get_string((const uint8_t *)doc, strlen(doc), table, key, out,
				 sizeof(out), &len, &e);

	if (rc != 0)
		print_error("doc <<%s>>: %s\n", doc, e.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(out[len], 0);
}

static void expect_int(const char *doc, const char *key, int64_t want)
{
	int64_t v = 0;
	struct err e = { 0 };
	int rc = toml_get_int((const uint8_t *)doc, strlen(doc), "", key, &v, &e);

	if (rc != 0)
		print_error("doc <<%s>>: %s\n", doc, e.msg);
	assert_int_equal(rc, 0);
	assert_true(v == want);
}

/* The document is refused with code, and the message holds part. */
static void expect_bad_n(const char *doc, size_t n, int code, const char *part)
{
	struct err e = { 0 };
	int rc = toml_validate((const uint8_t *)doc, n, &e);

	if (rc != code || !strstr(e.msg, part))
		print_error("doc <<%s>>: rc %d msg \"%s\"\n", doc, rc, e.msg);
	assert_int_equal(rc, code);
	assert_int_equal(e.code, code);
	assert_non_null(strstr(e.msg, part));
}

static void expect_bad(const char *doc, int code, const char *part)
{
	expect_bad_n(doc, strlen(doc), code, part);
}

static void test_basic_strings(void **state)
{
	(void)state;
	expect_str("k = \"a\\\"b\\\\c\\n\\t\\r\\b\\f\"", "", "k", "a\"b\\c\n\t\r\b\f", 10);
	expect_str("k = \"\\u00e9\\U0001F600\\u0000x\"", "", "k",
		   "\xc3\xa9\xf0\x9f\x98\x80\0x", 8);
	expect_str("k = \"\"", "", "k", "", 0);
	expect_str("k = \"tab\there \xc3\xa9\"", "", "k", "tab\there \xc3\xa9", 11);
	expect_str("k = 'C:\\path\\\"x\"'", "", "k", "C:\\path\\\"x\"", 11);
}

static void test_multiline_strings(void **state)
{
	(void)state;
	/* the newline after the opening delimiter is trimmed */
	expect_str("k = \"\"\"\nab\ncd\"\"\"", "", "k", "ab\ncd", 5);
	expect_str("k = \"\"\"\r\nab\r\ncd\"\"\"", "", "k", "ab\r\ncd", 6);
	/* line-ending backslash eats whitespace and newlines */
	expect_str("k = \"\"\"\nThe quick \\\n\n   brown \\  \n\tfox\"\"\"", "", "k",
		   "The quick brown fox", 19);
	/* up to two quotes next to the closing delimiter belong to the content */
	expect_str("k = \"\"\"a\"\"\"\"", "", "k", "a\"", 2);
	expect_str("k = \"\"\"\"\"a\"\"\"\"\"", "", "k", "\"\"a\"\"", 5);
	expect_str("k = \"\"\"a\"\"b\"\"\"", "", "k", "a\"\"b", 4);
	expect_str("k = '''\nfirst\n  second\\n'''", "", "k", "first\n  second\\n", 16);
	expect_str("k = ''''a'''''", "", "k", "'a''", 4);
	expect_str("k = '''\n[t]\nx = \"\"\"\ny\n\"\"\"\n'''", "", "k",
		   "[t]\nx = \"\"\"\ny\n\"\"\"\n", 18);
}

static void test_integers_booleans(void **state)
{
	bool b = false;

	(void)state;
	expect_int("a = +99", "a", 99);
	expect_int("a = -17", "a", -17);
	expect_int("a = 0", "a", 0);
	expect_int("a = -0", "a", 0);
	expect_int("a = 1_000_000", "a", 1000000);
	expect_int("a = 0xDEAD_beef", "a", 0xdeadbeef);
	expect_int("a = 0o755", "a", 0755);
	expect_int("a = 0b1101", "a", 13);
	expect_int("a = 9223372036854775807", "a", INT64_MAX);
	expect_int("a = -9223372036854775808", "a", INT64_MIN);
	expect_int("a = 5 # comment", "a", 5);
	assert_int_equal(toml_get_bool((const uint8_t *)"t = true\nf = false", 18, "", "f",
				       &b, NULL), 0);
	assert_false(b);
	assert_int_equal(toml_get_bool((const uint8_t *)"t = true\nf = false", 18, "", "t",
				       &b, NULL), 0);
	assert_true(b);
}

static const char config[] =
	"# top comment \xe2\x9c\x93\r\n"
	"socket = 'unix:///run/cdh.sock'\r\n"
	"credentials = []\n"
	"\"quoted key\" = 1\n"
	"'a.b' = 2\n"
	"\n"
	"[ token_configs . kbs ]  # a comment\n"
	"url = \"http://1.2.3.4:8080\"\n"
	"list = [ \"x\", 'y', # c\n"
	"   \"\"\"z\"\"\",\n"
	"   [1, [true]],\n"
	"]\n"
	"[token_configs.\"coco_as\"]\n"
	"url = \"other\"\n"
	"[token_configs]\n"
	"top = true\n"
	"[\"kbc\"]\n"
	"name = \"cc_kbc\"\n";

static void test_tables_and_keys(void **state)
{
	char out[64];
	size_t len = 0;
	int64_t v = 0;

	(void)state;
	assert_int_equal(toml_validate((const uint8_t *)config, strlen(config), NULL), 0);
	expect_str(config, "token_configs.kbs", "url", "http://1.2.3.4:8080", 19);
	expect_str(config, "token_configs.coco_as", "url", "other", 5);
	expect_str(config, NULL, "socket", "unix:///run/cdh.sock", 20);
	expect_str(config, "kbc", "name", "cc_kbc", 6);
	assert_int_equal(toml_get_int((const uint8_t *)config, strlen(config), "", "quoted key",
				      &v, NULL), 0);
	assert_int_equal(v, 1);
	assert_int_equal(toml_get_int((const uint8_t *)config, strlen(config), "", "a.b",
				      &v, NULL), 0);
	assert_int_equal(v, 2);
	assert_int_equal(get_str(config, "token_configs", "url", out, sizeof(out), &len),
			 -ERR_NOTFOUND);
	assert_int_equal(get_str(config, "token_configs.kbs.x", "url", out, sizeof(out), &len),
			 -ERR_NOTFOUND);
	assert_int_equal(get_str(config, "token", "url", out, sizeof(out), &len),
			 -ERR_NOTFOUND);
	/* wrong type */
	assert_int_equal(get_str(config, "token_configs", "top", out, sizeof(out), &len),
			 -ERR_FORMAT);
	/* too small a buffer */
	assert_int_equal(get_str(config, "token_configs.kbs", "url", out, 19, &len),
			 -ERR_LIMIT);
	assert_int_equal(get_str(config, "token_configs.kbs", "url", out, 20, &len), 0);
}

struct arr_ctx {
	int seen;
};

static int arr_visit(void *ctx, const struct toml_kv *kv, struct err *e)
{
	struct arr_ctx *c = ctx;
	char out[16];
	size_t len = 0;

	if (!toml_kv_is(kv, "token_configs.kbs", "list"))
		return 0;
	c->seen++;
	assert_int_equal(kv->kind, TOML_ARRAY);
	assert_int_equal(toml_kv_array_string(kv, 0, out, sizeof(out), &len, e), 0);
	assert_string_equal(out, "x");
	assert_int_equal(toml_kv_array_string(kv, 1, out, sizeof(out), &len, e), 0);
	assert_string_equal(out, "y");
	assert_int_equal(toml_kv_array_string(kv, 2, out, sizeof(out), &len, e), 0);
	assert_string_equal(out, "z");
	assert_int_equal(toml_kv_array_string(kv, 3, out, sizeof(out), &len, NULL),
			 -ERR_FORMAT);
	assert_int_equal(toml_kv_array_string(kv, 4, out, sizeof(out), &len, NULL),
			 -ERR_NOTFOUND);
	return 0;
}

static void test_arrays(void **state)
{
	struct arr_ctx c = { 0 };

	(void)state;
	assert_int_equal(toml_walk((const uint8_t *)config, strlen(config), arr_visit, &c,
				   NULL), 0);
	assert_int_equal(c.seen, 1);
	assert_int_equal(toml_validate((const uint8_t *)"a = [\n]\nb = [ ]\nc = [1,]", 24,
				       NULL), 0);
	expect_bad("a = [1,,2]", -ERR_FORMAT, "expected a value");
	expect_bad("a = [,]", -ERR_FORMAT, "expected a value");
	expect_bad("a = [1 2]", -ERR_FORMAT, "expected ',' or ']'");
	expect_bad("a = [1", -ERR_FORMAT, "expected ',' or ']'");
	expect_bad("a = [[[[[[[[[1]]]]]]]]]", -ERR_LIMIT, "nested");
}

static void test_empty_and_comments(void **state)
{
	(void)state;
	assert_int_equal(toml_validate((const uint8_t *)"", 0, NULL), 0);
	assert_int_equal(toml_validate((const uint8_t *)"# c\n\n  \t\n# d", 12, NULL), 0);
	assert_int_equal(toml_validate((const uint8_t *)"a = 1\r\n", 7, NULL), 0);
}

static void test_duplicates(void **state)
{
	(void)state;
	expect_bad("a = 1\na = 2", -ERR_FORMAT, "duplicate key");
	expect_bad("a = 1\n\"a\" = 2", -ERR_FORMAT, "duplicate key");
	expect_bad("a = 1\n'a' = 2", -ERR_FORMAT, "line 2 col 1: duplicate key");
	expect_bad("[t]\na = 1\n[u]\n[t]", -ERR_FORMAT, "table defined twice");
	expect_bad("[t.u]\n[\"t\".'u']", -ERR_FORMAT, "table defined twice");
	expect_bad("a = 1\n[a]", -ERR_FORMAT, "already a key");
	expect_bad("a = 1\n[a.b]", -ERR_FORMAT, "already a key");
	expect_bad("[t]\nb = 1\n[t.b.c]", -ERR_FORMAT, "already a key");
	expect_bad("[t.b.c]\n[t]\nb = 1", -ERR_FORMAT, "duplicate key");
	expect_bad("[t.b]\n[t]\nb = 1", -ERR_FORMAT, "duplicate key");
	/* implicit super-tables may be defined later, once */
	assert_int_equal(toml_validate((const uint8_t *)"[a.b]\nx=1\n[a]\ny=2\n[a.c]", 23,
				       NULL), 0);
	/* the same key in different tables is fine */
	assert_int_equal(toml_validate((const uint8_t *)"k=1\n[a]\nk=1\n[a.b]\nk=1", 21,
				       NULL), 0);
}

static void test_string_errors(void **state)
{
	(void)state;
	expect_bad("a = \"abc", -ERR_FORMAT, "unterminated string");
	expect_bad("a = \"ab\nc\"", -ERR_FORMAT, "unterminated string");
	expect_bad("a = 'ab\nc'", -ERR_FORMAT, "unterminated string");
	expect_bad("a = \"\"\"abc", -ERR_FORMAT, "unterminated multi-line");
	expect_bad("a = '''abc''", -ERR_FORMAT, "unterminated multi-line");
	expect_bad("a = \"\"\"x\"\"\"\"\"\"", -ERR_FORMAT, "too many quotes");
	expect_bad("a = \"\\x41\"", -ERR_FORMAT, "invalid escape");
	expect_bad("a = \"\\ \"", -ERR_FORMAT, "invalid escape");
	expect_bad("a = \"\\e\"", -ERR_FORMAT, "invalid escape");
	expect_bad("a = \"\\uD800\"", -ERR_FORMAT, "Unicode scalar");
	expect_bad("a = \"\\U00110000\"", -ERR_FORMAT, "Unicode scalar");
	expect_bad("a = \"\\u12G4\"", -ERR_FORMAT, "bad \\u escape");
	expect_bad("a = \"\\u12\"", -ERR_FORMAT, "bad \\u escape");
	expect_bad("a = \"\xff\"", -ERR_FORMAT, "invalid UTF-8");
	expect_bad("a = \"\xc0\x80\"", -ERR_FORMAT, "invalid UTF-8");        /* overlong */
	expect_bad("a = \"\xed\xa0\x80\"", -ERR_FORMAT, "invalid UTF-8");    /* surrogate */
	expect_bad("a = \"\xf4\x90\x80\x80\"", -ERR_FORMAT, "invalid UTF-8"); /* > 10FFFF */
	expect_bad("a = \"\xe2\x82\"", -ERR_FORMAT, "invalid UTF-8");        /* truncated */
	expect_bad("a = 'a\x01'", -ERR_FORMAT, "control character 0x01");
	expect_bad("a = \"a\x7f\"", -ERR_FORMAT, "control character 0x7f");
	expect_bad("a = '''a\rb'''", -ERR_FORMAT, "control character 0x0d");
	expect_bad("# \xff", -ERR_FORMAT, "invalid UTF-8 in comment");
	expect_bad("# a\x01", -ERR_FORMAT, "control character 0x01 in comment");
	expect_bad_n("a = \"a\0\"", 8, -ERR_FORMAT, "control character 0x00");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_bad("a =", -ERR_FORMAT, "expected a value");
	expect_bad("a = 1 2", -ERR_FORMAT, "line 1 col 7: expected the end of the line");
	expect_bad("a = \"x\" y", -ERR_FORMAT, "line 1 col 9: expected the end of the line");
	expect_bad("a 1", -ERR_FORMAT, "expected '='");
	expect_bad("= 1", -ERR_FORMAT, "expected a key");
	expect_bad("[a", -ERR_FORMAT, "expected ']'");
	expect_bad("[]", -ERR_FORMAT, "expected a key");
	expect_bad("[a.]", -ERR_FORMAT, "expected a key");
	expect_bad("[a] b = 1", -ERR_FORMAT, "expected the end of the line");
	expect_bad("a = 1\rb = 2", -ERR_FORMAT, "expected the end of the line");
	expect_bad("a = tru", -ERR_FORMAT, "expected a value");
	expect_bad("a = trueish", -ERR_FORMAT, "expected a value");
	expect_bad("a = True", -ERR_FORMAT, "expected a value");
	expect_bad("a = 01", -ERR_FORMAT, "leading zero");
	expect_bad("a = 1__0", -ERR_FORMAT, "malformed integer");
	expect_bad("a = _1", -ERR_FORMAT, "expected a value");
	expect_bad("a = 1_", -ERR_FORMAT, "malformed integer");
	expect_bad("a = 0x", -ERR_FORMAT, "malformed integer");
	expect_bad("a = +0x10", -ERR_FORMAT, "leading zero");
	expect_bad("a = 0b102", -ERR_FORMAT, "malformed integer");
	expect_bad("a = 9223372036854775808", -ERR_FORMAT, "out of range");
	expect_bad("a = -9223372036854775809", -ERR_FORMAT, "out of range");
	expect_bad("a = 0x8000000000000000", -ERR_FORMAT, "out of range");
	expect_bad("\n\n  a = \"\\q\"", -ERR_FORMAT, "line 3 col 8: invalid escape");
	expect_bad("a = \"\"\"\nx\n\\q\"\"\"", -ERR_FORMAT, "line 3 col 1: invalid escape");
}

static void test_unsupported(void **state)
{
	(void)state;
	expect_bad("a = 1.5", -ERR_UNSUPPORTED, "floats");
	expect_bad("a = 0.5", -ERR_UNSUPPORTED, "floats");
	expect_bad("a = 1e3", -ERR_UNSUPPORTED, "floats");
	expect_bad("a = inf", -ERR_UNSUPPORTED, "floats");
	expect_bad("a = -nan", -ERR_UNSUPPORTED, "floats");
	expect_bad("a = 1979-05-27", -ERR_UNSUPPORTED, "dates");
	expect_bad("a = 07:32:00", -ERR_UNSUPPORTED, "dates");
	expect_bad("a = { x = 1 }", -ERR_UNSUPPORTED, "inline tables");
	expect_bad("a.b = 1", -ERR_UNSUPPORTED, "dotted keys");
}

/* [[x]] elements are checked and skipped (cdh.toml's [[credentials]]). */
static void test_arrays_of_tables_skipped(void **state)
{
	static const char doc[] = "[kbc]\nname = \"cc_kbc\"\n[[credentials]]\npath = \"/a\"\n"
				  "[[credentials]]\npath = \"/b\"\n[image]\nx = \"y\"\n";
	char out[16];
	size_t len;

	(void)state;
	expect_str(doc, "kbc", "name", "cc_kbc", 6);
	expect_str(doc, "image", "x", "y", 1);
	assert_int_equal(get_str(doc, "credentials", "path", out, sizeof(out), &len),
			 -ERR_NOTFOUND);
	expect_bad("[[a]\nx = 1", -ERR_FORMAT, "']]'");
	expect_bad("[[a]]\nx = 1.5", -ERR_UNSUPPORTED, "floats");
	expect_bad("[[a]]\nx = ", -ERR_FORMAT, "");
}

static void test_limits(void **state)
{
	char doc[8192];
	size_t n = 0;
	int i;

	(void)state;
	n = (size_t)snprintf(doc, sizeof(doc), "%0*d = 1", TOML_KEY_MAX, 0);
	assert_int_equal(toml_validate((const uint8_t *)doc, n, NULL), 0);
	n = (size_t)snprintf(doc, sizeof(doc), "%0*d = 1", TOML_KEY_MAX + 1, 0);
	expect_bad(doc, -ERR_LIMIT, "key longer");
	expect_bad("[a.b.c.d.e.f.g.h]", -ERR_LIMIT, "deeper");
	assert_int_equal(toml_validate((const uint8_t *)"[a.b.c.d.e.f.g]\nk=1", 19, NULL), 0);
	n = 0;
	for (i = 0; i <= TOML_MAX_ENTRIES; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "k%d=1\n", i);
	expect_bad(doc, -ERR_LIMIT, "more than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_strings),
		cmocka_unit_test(test_multiline_strings),
		cmocka_unit_test(test_integers_booleans),
		cmocka_unit_test(test_tables_and_keys),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_empty_and_comments),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_string_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_arrays_of_tables_skipped),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
