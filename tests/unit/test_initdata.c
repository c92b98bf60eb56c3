/* test_initdata: the initdata document, its disk, digest and TEE binding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include "tee/initdata.h"

#define URL "https://10.0.2.2:8080"
#define PEM "-----BEGIN CERTIFICATE-----\nMIIBcTCCARegAwIBAgIULIPunTAdTdAx\n" \
	    "-----END CERTIFICATE-----\n"

static struct initdata d;   /* large: kept off the stack */
static uint8_t buf[INITDATA_TOML_MAX];

static void parse_ok(const char *doc)
{
	struct err e = { 0 };
	int rc = initdata_parse((const uint8_t *)doc, strlen(doc), &d, &e);

	if (rc != 0)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
}

static void parse_bad(const char *doc, int code, const char *part)
{
	struct err e = { 0 };
	int rc = initdata_parse((const uint8_t *)doc, strlen(doc), &d, &e);

	if (rc != code || !strstr(e.msg, part))
		print_error("rc %d: %s\n", rc, e.msg);
	assert_int_equal(rc, code);
	assert_non_null(strstr(e.msg, part));
	assert_int_equal(d.digest_len, 0);
	assert_int_equal(d.kbs_url[0], 0);
}

static void test_round_trip(void **state)
{
	char doc[8192];
	uint8_t want[64], *img = NULL;
	size_t len = 0, img_len = 0, out_len = 0;
	char hex[INITDATA_HEX_MAX];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(initdata_make_toml(URL, PEM, doc, sizeof(doc), &len, &e), 0);
	assert_int_equal(strlen(doc), len);
	assert_int_equal(initdata_disk_image((uint8_t *)doc, len, &img, &img_len, &e), 0);
	assert_int_equal(img_len % 512, 0);
	assert_memory_equal(img, "initdata", 8);
	/* gzip with ISA-L's fixed header: no name, mtime 0 */
	assert_int_equal(img[16], 0x1f);
	assert_int_equal(img[17], 0x8b);
	assert_int_equal(img[19], 0);
	assert_int_equal(img[20] | img[21] | img[22] | img[23], 0);
	assert_int_equal(initdata_unpack(img, img_len, buf, sizeof(buf), &out_len, &e), 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(buf, doc, len);
	parse_ok(doc);
	assert_int_equal(d.alg, INITDATA_SHA384);
	assert_int_equal(d.digest_len, 48);
	assert_int_equal(mbedtls_sha512((uint8_t *)doc, len, want, 1), 0);
	assert_memory_equal(d.digest, want, 48);
	assert_string_equal(d.kbs_url, URL);
	assert_string_equal(d.kbs_cert, PEM);
	assert_int_equal(d.kbs_cert_len, strlen(PEM));
	initdata_digest_hex(&d, hex);
	assert_int_equal(strlen(hex), 96);
	assert_int_equal(strtoul((char[]){ hex[0], hex[1], 0 }, NULL, 16), want[0]);
	/* the same input gives the same disk */
	{
		uint8_t *img2 = NULL;
		size_t len2 = 0;

		assert_int_equal(initdata_disk_image((uint8_t *)doc, len, &img2, &len2, &e), 0);
		assert_int_equal(len2, img_len);
		assert_memory_equal(img2, img, img_len);
		free(img2);
	}
	free(img);
}

static void test_make_toml_no_cert(void **state)
{
	char doc[1024];
	size_t len = 0;

	(void)state;
	assert_int_equal(initdata_make_toml("http://kbs:8080", NULL, doc, sizeof(doc), &len,
					    NULL), 0);
	parse_ok(doc);
	assert_string_equal(d.kbs_url, "http://kbs:8080");
	assert_int_equal(d.kbs_cert_len, 0);
	assert_int_equal(initdata_make_toml("http://kbs:8080", NULL, doc, 20, &len, NULL),
			 -ERR_LIMIT);
}

static void test_make_toml_refuses(void **state)
{
	static const char *const urls[] = {
		"", "kbs:8080", "http://a'''b", "http://a\"b", "http://a\\b", "http://a b",
		"http://a\nb", "http://\xc3\xa9",
	};
	static const char *const pems[] = {
		"no pem", "-----BEGIN X-----\n'''\n", "-----BEGIN X-----\n\"\"\"\n",
		"-----BEGIN X-----\n\\u0041\n", "-----BEGIN X-----\r", "-----BEGIN X-----\x01",
	};
	char doc[1024];
	size_t len = 0, i;
	struct err e = { 0 };

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		assert_int_equal(initdata_make_toml(urls[i], NULL, doc, sizeof(doc), &len, &e),
				 -ERR_FORMAT);
	for (i = 0; i < sizeof(pems) / sizeof(pems[0]); i++)
		assert_int_equal(initdata_make_toml(URL, pems[i], doc, sizeof(doc), &len, &e),
				 -ERR_FORMAT);
	/* CRLF PEM lines are fine */
	assert_int_equal(initdata_make_toml(URL, "-----BEGIN X-----\r\nAB\r\n", doc, sizeof(doc),
					    &len, &e), 0);
	parse_ok(doc);
	assert_string_equal(d.kbs_cert, "-----BEGIN X-----\r\nAB\r\n");
}

static void check_ids(const char *alg, size_t dlen)
{
	char doc[256];
	uint8_t want[64], id[48];
	size_t len = 0, n;
	struct err e = { 0 };

	n = (size_t)snprintf(doc, sizeof(doc), "version = \"0.1.0\"\nalgorithm = \"%s\"\n"
			     "[data]\n\"policy.rego\" = \"x\"\n", alg);
	parse_ok(doc);
	assert_int_equal(d.digest_len, dlen);
	if (dlen == 32)
		mbedtls_sha256((uint8_t *)doc, n, want, 0);
	else
		mbedtls_sha512((uint8_t *)doc, n, want, dlen == 48);
	assert_memory_equal(d.digest, want, dlen);
	assert_int_equal(d.kbs_url[0], 0);

	assert_int_equal(initdata_config_id(&d, INITDATA_TEE_SNP, id, sizeof(id), &len, &e), 0);
	assert_int_equal(len, 32);
	assert_memory_equal(id, want, 32);
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_SNP, id, 32, &e), 0);

	assert_int_equal(initdata_config_id(&d, INITDATA_TEE_TDX, id, sizeof(id), &len, &e), 0);
	assert_int_equal(len, 48);
	assert_memory_equal(id, want, dlen < 48 ? dlen : 48);
	if (dlen < 48) {
		static const uint8_t zero[16];

		assert_memory_equal(id + 32, zero, 16);
	}
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_TDX, id, 48, &e), 0);
}

static void test_config_ids(void **state)
{
	(void)state;
	check_ids("sha256", 32);
	check_ids("sha384", 48);
	check_ids("sha512", 64);
}

static void test_bind_mismatch(void **state)
{
	uint8_t id[48];
	size_t len = 0;
	struct err e = { 0 };

	(void)state;
	parse_ok("version = \"0.1.0\"\nalgorithm = \"sha384\"\n[data]\n");
	memset(id, 0xab, sizeof(id));
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_SNP, id, 32, &e), -ERR_DIGEST);
	assert_non_null(strstr(e.msg, "initdata digest mismatch: expected "));
	assert_non_null(strstr(e.msg, " (HOST_DATA), got abababab"));
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_TDX, id, 48, &e), -ERR_DIGEST);
	assert_non_null(strstr(e.msg, "(MRCONFIGID)"));
	/* one bit off in the last byte */
	assert_int_equal(initdata_config_id(&d, INITDATA_TEE_TDX, id, sizeof(id), &len, &e), 0);
	id[47] ^= 1;
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_TDX, id, 48, &e), -ERR_DIGEST);
	id[47] ^= 1;
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_TDX, id, 48, &e), 0);
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_TDX, id, 32, &e), -ERR_FORMAT);
	assert_int_equal(initdata_bind_check(&d, INITDATA_TEE_SNP, id, 48, &e), -ERR_FORMAT);
	assert_int_equal(initdata_bind_check(&d, 3, id, 48, &e), -ERR_UNSUPPORTED);
}

#define HEAD "version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n"

static void test_sources_and_conflicts(void **state)
{
	(void)state;
	/* cdh.toml alone, with the other keys Kata writes */
	parse_ok(HEAD "\"cdh.toml\" = '''\nsocket = 'unix:///run/cdh.sock'\ncredentials = []\n"
		 "[kbc]\nname = 'cc_kbc'\nurl = 'http://1.2.3.4:8080'\n[image]\nx = 1\n'''\n");
	assert_string_equal(d.kbs_url, "http://1.2.3.4:8080");
	/* aa.toml alone, with a basic-string value and escapes */
	parse_ok(HEAD "\"aa.toml\" = \"[token_configs.coco_as]\\nurl = 'x'\\n"
		 "[token_configs.kbs]\\nurl = \\\"http://a:1\\\"\\ncert = 'C'\\n\"\n");
	assert_string_equal(d.kbs_url, "http://a:1");
	assert_string_equal(d.kbs_cert, "C");
	/* both, equal */
	parse_ok(HEAD "\"aa.toml\" = '''\n[token_configs.kbs]\nurl = 'http://a:1'\n'''\n"
		 "\"cdh.toml\" = '''\n[kbc]\nurl = 'http://a:1'\nkbs_cert = 'C'\n'''\n");
	assert_string_equal(d.kbs_url, "http://a:1");
	assert_string_equal(d.kbs_cert, "C");
	parse_bad(HEAD "\"aa.toml\" = '''\n[token_configs.kbs]\nurl = 'http://a:1'\n'''\n"
		  "\"cdh.toml\" = '''\n[kbc]\nurl = 'http://b:1'\n'''\n", -ERR_FORMAT,
		  "KBS URL differs between aa.toml (http://a:1) and cdh.toml (http://b:1)");
	parse_bad(HEAD "\"aa.toml\" = '''\n[token_configs.kbs]\ncert = 'A'\n'''\n"
		  "\"cdh.toml\" = '''\n[kbc]\nkbs_cert = 'B'\n'''\n", -ERR_FORMAT,
		  "certificate differs");
	parse_bad(HEAD "\"cdh.toml\" = '''\n[kbc]\nname = 'offline_fs_kbc'\nurl = 'http://a'\n'''\n",
		  -ERR_UNSUPPORTED, "cdh.toml: [kbc] name is not \"cc_kbc\"");
	parse_bad(HEAD "\"cdh.toml\" = '''\n[kbc]\nurl = 1\n'''\n", -ERR_FORMAT,
		  "initdata: cdh.toml: url: toml: line 2 col 7: expected a string");
	parse_bad(HEAD "\"cdh.toml\" = '''\n[kbc]\nurl = ''\n'''\n", -ERR_FORMAT, "url is empty");
	parse_bad(HEAD "\"cdh.toml\" = \"[kbc]\\nurl = 'a\\u0000b'\"\n", -ERR_FORMAT,
		  "control character");
	parse_bad(HEAD "\"cdh.toml\" = \"[kbc]\\nurl = \\\"a\\\\u0000b\\\"\"\n", -ERR_FORMAT,
		  "contains NUL");
	parse_bad(HEAD "\"aa.toml\" = '''\n[token_configs.kbs]\nurl = 'a'\nurl = 'b'\n'''\n",
		  -ERR_FORMAT, "initdata: aa.toml: toml: line 3 col 1: duplicate key");
	parse_bad(HEAD "\"aa.toml\" = '''\n[x]\ny = 1.5\n'''\n", -ERR_UNSUPPORTED, "aa.toml");
}

static void test_document_errors(void **state)
{
	(void)state;
	parse_bad("version = \"0.2.0\"\nalgorithm = \"sha256\"\n", -ERR_UNSUPPORTED, "version");
	parse_bad("algorithm = \"sha256\"\n", -ERR_UNSUPPORTED, "version");
	parse_bad("version = \"0.1.0\"\nalgorithm = \"sha-384\"\n", -ERR_UNSUPPORTED,
		  "algorithm");
	parse_bad("version = \"0.1.0\"\nalgorithm = \"sha384sha384sha384\"\n", -ERR_FORMAT,
		  "no algorithm");
	parse_bad("version = \"0.1.0\"\n", -ERR_FORMAT, "no algorithm");
	parse_bad(HEAD "n = 1\n", -ERR_FORMAT, "initdata: data.n is not a string");
	parse_bad(HEAD "x = 'a'\nx = 'b'\n", -ERR_FORMAT, "initdata: toml: line 5");
	parse_bad("version = \"0.1.0\"\nversion = \"0.1.0\"\n", -ERR_FORMAT, "duplicate");
	/* unknown keys and tables are ignored */
	parse_ok(HEAD "\"other\" = 'y'\n[extra]\nk = 1\n");
}

static size_t make_disk(uint8_t **img, const char *doc)
{
	size_t len = 0;

	assert_int_equal(initdata_disk_image((const uint8_t *)doc, strlen(doc), img, &len,
					     NULL), 0);
	return len;
}

static void put_len(uint8_t *img, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		img[8 + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_len(const uint8_t *img)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | img[8 + i];
	return v;
}

static void unpack_bad(const uint8_t *img, size_t n, size_t cap, int code, const char *part)
{
	struct err e = { 0 };
	size_t len = 0;
	int rc = initdata_unpack(img, n, buf, cap, &len, &e);

	if (rc != code || !strstr(e.msg, part))
		print_error("rc %d: %s\n", rc, e.msg);
	assert_int_equal(rc, code);
	assert_non_null(strstr(e.msg, part));
}

static void test_disk_errors(void **state)
{
	uint8_t *img = NULL, *big;
	size_t n = make_disk(&img, HEAD), len = 0;
	uint64_t gz = get_len(img);

	(void)state;
	assert_int_equal(initdata_unpack(img, n, buf, sizeof(buf), &len, NULL), 0);
	/* without the padding, and cut exactly after the stream: fine */
	assert_int_equal(initdata_unpack(img, 16 + gz, buf, sizeof(buf), &len, NULL), 0);
	unpack_bad(img, 16 + gz - 1, sizeof(buf), -ERR_FORMAT, "on the disk");
	unpack_bad(img, 15, sizeof(buf), -ERR_FORMAT, "truncated header");
	unpack_bad(img, 7, sizeof(buf), -ERR_FORMAT, "magic");
	unpack_bad(img, 0, sizeof(buf), -ERR_FORMAT, "magic");
	/* a document larger than the caller's buffer */
	unpack_bad(img, n, 10, -ERR_LIMIT, "larger than 10");
	/* non-zero padding */
	img[n - 1] = 1;
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "non-zero bytes");
	img[n - 1] = 0;
	/* a declared length shorter than the stream: truncated gzip */
	put_len(img, gz - 4);
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "");
	/* longer: the stream is followed by zeros inside the declared length */
	put_len(img, gz + 4);
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "after the gzip stream");
	put_len(img, 0);
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "out of range");
	put_len(img, UINT64_MAX);
	unpack_bad(img, n, sizeof(buf), -ERR_LIMIT, "out of range");
	put_len(img, (uint64_t)INITDATA_DISK_MAX);
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "on the disk");
	put_len(img, gz);
	/* a corrupt CRC, corrupt deflate data, a bad gzip magic */
	img[16 + gz - 8] ^= 0xff;
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "corrupt gzip");
	img[16 + gz - 8] ^= 0xff;
	img[16] = 0x1e;
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "corrupt gzip");
	img[16] = 0x1f;
	img[0] = 'I';
	unpack_bad(img, n, sizeof(buf), -ERR_FORMAT, "magic");
	img[0] = 'i';
	/* two gzip members inside the declared length */
	big = calloc(1, 2 * n);
	assert_non_null(big);
	memcpy(big, img, 16 + gz);
	memcpy(big + 16 + gz, img + 16, gz);
	put_len(big, 2 * gz);
	unpack_bad(big, 2 * n, sizeof(buf), -ERR_FORMAT, "after the gzip stream");
	/* garbage instead of gzip */
	memset(big + 16, 0x5a, 2 * gz);
	unpack_bad(big, 2 * n, sizeof(buf), -ERR_FORMAT, "corrupt gzip");
	free(big);
	free(img);
	assert_int_equal(initdata_disk_image((const uint8_t *)"", 0, &img, &n, NULL),
			 -ERR_LIMIT);
}

static void test_read_disk(void **state)
{
	char path[] = "/tmp/test_initdata.XXXXXX";
	uint8_t *img = NULL, got[4096];
	size_t n = make_disk(&img, HEAD), len = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, n), (ssize_t)n);
	close(fd);
	assert_int_equal(initdata_read_disk(path, got, sizeof(got), &len, NULL), 0);
	assert_int_equal(len, n);
	assert_memory_equal(got, img, n);
	assert_int_equal(initdata_read_disk(path, got, 100, &len, NULL), 0);
	assert_int_equal(len, 100);
	unlink(path);
	assert_int_equal(initdata_read_disk(path, got, sizeof(got), &len, NULL), -2);
	assert_int_equal(initdata_read_disk("/tmp", got, sizeof(got), &len, NULL), -ERR_UNSAFE);
	assert_int_equal(initdata_read_disk("/dev/null", got, sizeof(got), &len, NULL),
			 -ERR_UNSAFE);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_make_toml_no_cert),
		cmocka_unit_test(test_make_toml_refuses),
		cmocka_unit_test(test_config_ids),
		cmocka_unit_test(test_bind_mismatch),
		cmocka_unit_test(test_sources_and_conflicts),
		cmocka_unit_test(test_document_errors),
		cmocka_unit_test(test_disk_errors),
		cmocka_unit_test(test_read_disk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
