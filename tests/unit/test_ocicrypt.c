/* Unit tests for image/ocicrypt: pubopts / privopts (the shapes skopeo writes,
 * ocicrypt.md §2.1, and the serde int-array form), every rejection, the
 * recipients list, media types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "crypto/b64.h"
#include "image/ocicrypt.h"

static uint8_t work[1 << 20];

/* base64 of 32 bytes 0..31, of 16 bytes 0..15 */
#define K32 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define N16 "AAECAwQFBgcICQoLDA0ODw=="
#define K31 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="
#define K48 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
#define N12 "AAECAwQFBgcICQoL"

static int pub(const char *json, struct ocicrypt_pub *p, struct err *e)
{
	char b64[4096];

	assert_int_equal(b64_encode((const uint8_t *)json, strlen(json), b64, sizeof(b64), NULL,
				    false), 0);
	return ocicrypt_pubopts_parse(b64, strlen(b64), p, work, sizeof(work), e);
}

static int priv(const char *json, struct ocicrypt_priv *p, struct err *e)
{
	return ocicrypt_privopts_parse((const uint8_t *)json, strlen(json), p, work,
				       sizeof(work), e);
}

static void check_seq(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(p[i], i);
}

static void test_pub_good(void **state)
{
	struct ocicrypt_pub p;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"" K32 "\","
			     "\"cipheroptions\":{}}", &p, &e), 0);
	check_seq(p.hmac, 32);
	/* cipheroptions absent or null; unknown members ignored; int array */
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"" K32 "\"}",
			     &p, &e), 0);
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"" K32 "\","
			     "\"cipheroptions\":null,\"x\":1}", &p, &e), 0);
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":[0,1,2,3,4,5,6,"
			     "7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,"
			     "29,30,31]}", &p, &e), 0);
	check_seq(p.hmac, 32);
	/* the exact shape Go ocicrypt writes (ocicrypt.md §2.1) */
	{
		static const char real[] =
			"eyJjaXBoZXIiOiJBRVNfMjU2X0NUUl9ITUFDX1NIQTI1NiIsImhtYWMiOiJBQUVDQXdRRkJn"
			"Y0lDUW9MREEwT0R4QVJFaE1VRlJZWEdCa2FHeHdkSGg4PSIsImNpcGhlcm9wdGlvbnMiOnt9fQ==";

		assert_int_equal(ocicrypt_pubopts_parse(real, strlen(real), &p, work, sizeof(work),
							&e), 0);
		check_seq(p.hmac, 32);
	}
}

static void test_pub_bad(void **state)
{
	struct ocicrypt_pub p;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(pub("{\"cipher\":\"AES_128_GCM\",\"hmac\":\"" K32 "\"}", &p, &e),
			 -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "unknown cipher \"AES_128_GCM\""));
	assert_int_equal(pub("{\"hmac\":\"" K32 "\"}", &p, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "missing \"cipher\""));
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\"}", &p, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "missing \"hmac\""));
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":null}", &p, &e),
			 -ERR_FORMAT);
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"\"}", &p, &e),
			 -ERR_FORMAT);
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"" K31 "\"}",
			     &p, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "hmac is 31 bytes, expected 32"));
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"" K32 "\","
			     "\"hmac\":\"" K32 "\"}", &p, &e), -ERR_FORMAT);
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"" K32 "\","
			     "\"cipheroptions\":{\"nonce\":\"" N16 "\"}}", &p, &e), -ERR_FORMAT);
	assert_int_equal(pub("{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":7}", &p, &e),
			 -ERR_FORMAT);
	assert_int_equal(pub("[]", &p, &e), -ERR_FORMAT);
	assert_int_equal(pub("{", &p, &e), -ERR_FORMAT);
	assert_int_equal(ocicrypt_pubopts_parse("e30", 3, &p, work, sizeof(work), &e),
			 -ERR_FORMAT);                          /* unpadded */
	assert_int_equal(ocicrypt_pubopts_parse("", 0, &p, work, sizeof(work), &e), -ERR_FORMAT);
	assert_int_equal(ocicrypt_pubopts_parse("e30=", 4, &p, work, 8, &e), -ERR_LIMIT);
	assert_true(ocicrypt_work_size(4096) > 4096);
	assert_int_equal(ocicrypt_work_size(OCICRYPT_JSON_MAX * 2), 0);
}

static void test_priv_good(void **state)
{
	struct ocicrypt_priv p;
	struct err e = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(priv("{\"symkey\":\"" K32 "\",\"digest\":\"sha256:abc\","
			      "\"cipheroptions\":{\"nonce\":\"" N16 "\"}}", &p, &e), 0);
	check_seq(p.key, 32);
	check_seq(p.nonce, 16);
	assert_string_equal(p.digest, "sha256:abc");
	/* the pool held the key: wiped */
	for (i = 0; i < sizeof(work); i++)
		assert_int_equal(work[i], 0);
	/* int arrays, no digest */
	assert_int_equal(priv("{\"symkey\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,"
			      "20,21,22,23,24,25,26,27,28,29,30,31],\"cipheroptions\":{\"nonce\":"
			      "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}}", &p, &e), 0);
	check_seq(p.key, 32);
	check_seq(p.nonce, 16);
	assert_string_equal(p.digest, "");
	ocicrypt_priv_wipe(&p);
	for (i = 0; i < 32; i++)
		assert_int_equal(p.key[i], 0);
	ocicrypt_priv_wipe(NULL);
}

static void test_priv_bad(void **state)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "{\"symkey\":\"" K31 "\",\"cipheroptions\":{\"nonce\":\"" N16 "\"}}",
		  "key is 31 bytes, expected 32" },
		{ "{\"symkey\":\"" K48 "\",\"cipheroptions\":{\"nonce\":\"" N16 "\"}}",
		  "key is 48 bytes, expected 32" },
		{ "{\"symkey\":\"" K48 K48 K48 "\",\"cipheroptions\":{\"nonce\":\"" N16 "\"}}",
		  "key is more than 96 bytes" },
		{ "{\"symkey\":\"" K32 K32 "\",\"cipheroptions\":{\"nonce\":\"" N16 "\"}}",
		  "key: invalid base64" },
		{ "{\"symkey\":[1,2,3],\"cipheroptions\":{\"nonce\":\"" N16 "\"}}",
		  "key is 3 bytes, expected 32" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{}}", "missing nonce" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":null}}", "missing nonce" },
		{ "{\"symkey\":\"" K32 "\"}", "missing \"cipheroptions\"" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":[]}", "expected an object" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":\"" N12 "\"}}",
		  "nonce is 12 bytes, expected 16" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":\"" N16 "x\"}}",
		  "nonce" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":[0,1,2,3,4,5,6,7,8,9,10,"
		  "11,12,13,14,256]}}", "element 15 is not a byte" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":[0,1,2,3,4,5,6,7,8,9,10,"
		  "11,12,13,14,-1]}}", "not a byte" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":[0,1,2,3,4,5,6,7,8,9,10,"
		  "11,12,13,14,1.0]}}", "not a byte" },
		{ "{\"cipheroptions\":{\"nonce\":\"" N16 "\"}}", "missing \"symkey\"" },
		{ "{\"symkey\":\"" K32 "\",\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":\""
		  N16 "\"}}", "duplicate" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":\"" N16 "\",\"nonce\":\""
		  N16 "\"}}", "duplicate" },
		{ "{\"symkey\":\"" K32 "\",\"digest\":5,\"cipheroptions\":{\"nonce\":\"" N16
		  "\"}}", "digest" },
		{ "{\"symkey\":true,\"cipheroptions\":{\"nonce\":\"" N16 "\"}}",
		  "expected a base64 string" },
		{ "{\"symkey\":\"" K32 "\",\"cipheroptions\":{\"nonce\":\"" N16 "\"}} x", "JSON" },
	};
	struct ocicrypt_priv p;
	struct err e = { 0 };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&p, 0xa5, sizeof(p));
		assert_int_equal(priv(bad[i].json, &p, &e), -ERR_FORMAT);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg, bad[i].msg);
		assert_non_null(strstr(e.msg, "privopts"));
		for (j = 0; j < sizeof(p.key); j++)
			assert_int_equal(p.key[j], 0);
		for (j = 0; j < sizeof(work); j += 4096)
			assert_int_equal(work[j], 0);
	}
	assert_int_equal(ocicrypt_privopts_parse((const uint8_t *)"{}", 2, &p, work, 16, &e),
			 -ERR_LIMIT);
}

static void test_recipients(void **state)
{
	static const char ann[] = "YWJj,ZGVmZw==,aA==";
	const char *p = ann, *end = ann + strlen(ann);
	uint8_t out[16];
	size_t len;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(ocicrypt_recipients_next(&p, end, out, sizeof(out), &len, &e), 1);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "abc", 3);
	assert_int_equal(ocicrypt_recipients_next(&p, end, out, sizeof(out), &len, &e), 1);
	assert_memory_equal(out, "defg", 4);
	assert_int_equal(ocicrypt_recipients_next(&p, end, out, sizeof(out), &len, &e), 1);
	assert_memory_equal(out, "h", 1);
	assert_int_equal(ocicrypt_recipients_next(&p, end, out, sizeof(out), &len, &e), 0);
	assert_int_equal(ocicrypt_recipients_next(&p, end, out, sizeof(out), &len, &e), 0);
	/* empty value: nothing */
	p = ann;
	assert_int_equal(ocicrypt_recipients_next(&p, p, out, sizeof(out), &len, &e), 0);
	/* empty entries, bad base64, too long */
	{
		static const char *const bad[] = { ",YWJj", "YWJj,", "YWJj,,YWJj", "YWJ",
						   "YW Jj", "YWJj\n", "====" };
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int rc = 1;

			p = bad[i];
			end = p + strlen(p);
			while (rc == 1)
				rc = ocicrypt_recipients_next(&p, end, out, sizeof(out), &len, &e);
			assert_int_equal(rc, -ERR_FORMAT);
		}
	}
	p = "YWJjZGVmZ2hpamtsbW5vcHFy";
	assert_int_equal(ocicrypt_recipients_next(&p, p + strlen(p), out, 8, &len, &e),
			 -ERR_LIMIT);
}

static void test_media(void **state)
{
	(void)state;
	assert_true(ocicrypt_media_is_encrypted("application/vnd.oci.image.layer.v1.tar+gzip"
						"+encrypted"));
	assert_true(ocicrypt_media_is_encrypted("application/vnd.oci.image.layer.v1.tar"
						"+zstd+encrypted"));
	assert_false(ocicrypt_media_is_encrypted("application/vnd.oci.image.layer.v1.tar"));
	assert_false(ocicrypt_media_is_encrypted("+encrypted"));
	assert_false(ocicrypt_media_is_encrypted("x+encryptedx"));
	assert_false(ocicrypt_media_is_encrypted(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pub_good),
		cmocka_unit_test(test_pub_bad),
		cmocka_unit_test(test_priv_good),
		cmocka_unit_test(test_priv_bad),
		cmocka_unit_test(test_recipients),
		cmocka_unit_test(test_media),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
