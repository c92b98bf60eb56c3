/* Unit tests for image/ocicrypt_packet (the CoCo annotation packet) and
 * host/keyprovider_msg (the ocicrypt keyprovider messages).
 *
 * Known vector (ocicrypt.md §4.1): the packet is guest-components'
 * ocicrypt-rs/data/sample_kbc_annotation.json and the KEK the sample KBC's
 * HARDCODED_KEY (attestation-agent/kbc/src/sample_kbc/mod.rs); both are used
 * only as test data here.  The A256CTR vector was made with Python's
 * cryptography (AES-256-CTR, key 00..1f, iv ff..fffe so the counter wraps
 * through all 128 bits).  Round trips are checked against Mbed TLS's GCM
 * directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/gcm.h>

#include "base/err.h"
#include "crypto/b64.h"
#include "host/keyprovider_msg.h"
#include "image/ocicrypt_packet.h"

/* ---- vectors ---------------------------------------------------------- */

/* guest-components ocicrypt-rs/data/sample_kbc_annotation.json, verbatim. */
static const char v_packet[] =
	"{\n"
	"\t\"kid\": \"kbs:///default/key/1\",\n"
	"\t\"wrapped_data\": \"KxAFgXwa0y72Xdygub9lF00RVMtSRbYzvakIEASgi3Gvt1wGLkhKPXf0S033Jdi6"
	"vAN6zBM7d0xZSDo2JCeew0FeKwTYgdJfdcPhuEpZOpjhwIsidyeiunzp0J/crvI1tSPZJw4DPHZN2eQtg71r"
	"DzIbuDM5ATheiDM9/YJv+k+n6Nv6/pRb8qynNzbWFz7Q8wEo1ZZlL6UftOBJ6j9GuEOTM2k/B+5sMA2VhGHS"
	"zDsKA1mn0qzcn2HJg4GcmxwDpJwzm5n7B4iIJ3A0umrQAjQ=\",\n"
	"\t\"iv\": \"3PQMqtjbR4hxCr83\",\n"
	"\t\"wrap_type\": \"A256GCM\"\n"
	"}\n";
static const char v_wrapped_b64[] =
	"KxAFgXwa0y72Xdygub9lF00RVMtSRbYzvakIEASgi3Gvt1wGLkhKPXf0S033Jdi6"
	"vAN6zBM7d0xZSDo2JCeew0FeKwTYgdJfdcPhuEpZOpjhwIsidyeiunzp0J/crvI1tSPZJw4DPHZN2eQtg71r"
	"DzIbuDM5ATheiDM9/YJv+k+n6Nv6/pRb8qynNzbWFz7Q8wEo1ZZlL6UftOBJ6j9GuEOTM2k/B+5sMA2VhGHS"
	"zDsKA1mn0qzcn2HJg4GcmxwDpJwzm5n7B4iIJ3A0umrQAjQ=";
/* The sample KBC's HARDCODED_KEY. */
static const uint8_t v_kek[32] = {
	217, 155, 119, 5,   176, 186, 122, 22,  130, 149, 179, 163, 54,  114, 112, 176,
	221, 155, 55,  27,  245, 20,  202, 139, 155, 167, 240, 163, 55,  17,  218, 234,
};
static const char v_plain[] =
	"{\"symkey\":\"1jL2jJV0Oyz2nmPkLtqulW6cKcpIUN5FpILcVnP5Uqs=\",\"digest\":\"sha256:"
	"18be1897f9402f27c8c0eba7c86e0c00f5656db62961b5949d55f9565c42c6e7\",\"cipheroptions\":"
	"{\"nonce\":\"r10F9oaCu+nWFXfod3l83g==\"}}";

static const char v_ctr_packet[] =
	"{\"kid\":\"kbs:///default/key/ctr\",\"wrapped_data\":"
	"\"GMfHe9h1LaTY19u97b4KMIzqkD9ghQj4aaUhSm+8Y9vEpziPSyv8tMyVuBc=\","
	"\"iv\":\"/////////////////////g==\",\"wrap_type\":\"A256CTR\"}";
static const char v_ctr_plain[] = "{\"symkey\":\"ctr-test\",\"x\":\"0123456789abcdef\"}";

/* ---- helpers ---------------------------------------------------------- */

static struct ocipkt *pkt;
static void *work;
static size_t work_len;

static int setup(void **state)
{
	(void)state;
	pkt = malloc(sizeof(*pkt));
	work_len = ocipkt_work_size(OCIPKT_JSON_MAX + 1024);
	work = malloc(work_len);
	return pkt && work ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(pkt);
	free(work);
	return 0;
}

static int parse_n(const char *s, size_t n, struct err *e)
{
	return ocipkt_parse((const uint8_t *)s, n, pkt, work, work_len, e);
}

static int parse(const char *s, struct err *e)
{
	return parse_n(s, strlen(s), e);
}

/* A packet with the given members around a valid GCM body. */
static int parse_fmt(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int parse_fmt(struct err *e, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return parse(buf, e);
}

/* The JSON integer array of n bytes. */
static char *int_array(const uint8_t *p, size_t n)
{
	char *s = malloc(n * 4 + 3), *q = s;

	*q++ = '[';
	for (size_t i = 0; i < n; i++)
		q += sprintf(q, i ? ",%u" : "%u", p[i]);
	*q++ = ']';
	*q = '\0';
	return s;
}

static void check_vector_plain(void)
{
	uint8_t out[512];
	size_t len = 0;
	struct err e = { 0 };

	assert_int_equal(ocipkt_unwrap(pkt, v_kek, out, sizeof(out), &len, &e), 0);
	assert_int_equal(len, strlen(v_plain));
	assert_memory_equal(out, v_plain, len);
}

/* ---- parse ------------------------------------------------------------ */

static void test_vector(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(parse(v_packet, &e), 0);
	assert_string_equal(pkt->kid, "kbs:///default/key/1");
	assert_string_equal(pkt->path, "default/key/1");
	assert_int_equal(pkt->wrap_type, OCIPKT_A256GCM);
	assert_int_equal(pkt->iv_len, 12);
	check_vector_plain();
}

static void test_int_arrays(void **state)
{
	uint8_t wd[512], iv[12];
	size_t wl = 0, il = 0;
	char *a, *b, *doc;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(b64_decode(v_wrapped_b64, strlen(v_wrapped_b64), wd, sizeof(wd), &wl,
				    false), 0);
	assert_int_equal(b64_decode("3PQMqtjbR4hxCr83", 16, iv, sizeof(iv), &il, false), 0);
	a = int_array(wd, wl);
	b = int_array(iv, il);
	doc = malloc(strlen(a) + strlen(b) + 128);
	sprintf(doc, "{\"kid\":\"kbs:///default/key/1\",\"wrapped_data\":%s,\"iv\":%s,"
		"\"wrap_type\":\"A256GCM\"}", a, b);
	assert_int_equal(parse(doc, &e), 0);
	assert_int_equal(pkt->wrapped_len, wl);
	check_vector_plain();
	/* with whitespace inside the arrays too */
	sprintf(doc, "{\"kid\":\"kbs:///default/key/1\",\"wrapped_data\":%s,\"iv\":[ 220, 244, "
		"12,170,216,219,71,136,113,10,191,55 ] }", a);
	assert_int_equal(parse(doc, &e), 0);
	check_vector_plain();
	free(doc);
	free(a);
	free(b);
}

#define WD "\"wrapped_data\":\"KxAFgXwa0y72Xdygub9lF00RVMtSRbYz\""
#define IV "\"iv\":\"3PQMqtjbR4hxCr83\""

static void test_v2_fields(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(parse_fmt(&e, "{\"version\":\"0.1.0\",\"kid\":\"kbs:///a/b/c\"," WD ","
				   "\"provider\":\"kbs\"," IV ",\"wrap_type\":\"A256GCM\","
				   "\"provider_settings\":{},\"annotations\":{\"x\":[1,{}]}}"), 0);
	assert_string_equal(pkt->kid, "kbs:///a/b/c");
	assert_int_equal(parse_fmt(&e, "{\"version\":\"0.2.0\",\"kid\":\"kbs:///a/b/c\"," WD ","
				   IV "}"), -ERR_UNSUPPORTED);
	assert_int_equal(parse_fmt(&e, "{\"provider\":\"aliyun\",\"kid\":\"kbs:///a/b/c\"," WD
				   "," IV "}"), -ERR_UNSUPPORTED);
	assert_int_equal(parse_fmt(&e, "{\"provider\":1,\"kid\":\"kbs:///a/b/c\"," WD "," IV "}"),
			 -ERR_FORMAT);
	assert_int_equal(parse_fmt(&e, "{\"version\":null,\"kid\":\"kbs:///a/b/c\"," WD "," IV
				   "}"), -ERR_FORMAT);
	assert_int_equal(parse_fmt(&e, "{\"provider_settings\":[],\"kid\":\"kbs:///a/b/c\"," WD
				   "," IV "}"), -ERR_FORMAT);
	assert_int_equal(parse_fmt(&e, "{\"annotations\":null,\"kid\":\"kbs:///a/b/c\"," WD ","
				   IV "}"), -ERR_FORMAT);
	/* wrap_type absent or null: A256GCM; iv null = absent = missing */
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD "," IV
				   ",\"wrap_type\":null}"), 0);
	assert_int_equal(pkt->wrap_type, OCIPKT_A256GCM);
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD ",\"iv\":null}"),
			 -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "missing \"iv\""));
}

static void test_kid(void **state)
{
	static const char *const bad[] = {
		"", "kbs://", "kbs:///", "kbs:///a/b", "kbs:///a/b/c/d", "kbs:///a//c",
		"kbs:///a/b/", "kbs:///../b/c", "kbs:///a/./c", "kbs:///a/b/.hidden",
		"kbs:///a/b/c?x=1", "kbs:///a/b/c#f", "http://h/a/b/c", "kbs+x:///a/b/c",
		"default/key/1", "kbs://h st/a/b/c", "kbs:///a/b/c d", "kbs:///a\\b/c/d",
		"KBS:///a/b/c", "kbs:/a/b/c",
	};
	char norm[OCIPKT_KID_MAX], path[OCIPKT_PATH_MAX], long_kid[700];
	struct err e = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ocipkt_kid(bad[i], strlen(bad[i]), norm, path, &e), -ERR_FORMAT);
		assert_int_equal(parse_fmt(&e, "{\"kid\":\"%s\"," WD "," IV "}", bad[i]),
				 -ERR_FORMAT);
	}
	assert_int_equal(ocipkt_kid("/default/key/1", 14, norm, path, &e), 0);
	assert_string_equal(norm, "kbs:///default/key/1");
	assert_string_equal(path, "default/key/1");
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"/default/image-kek/a-b_c.1\"," WD "," IV "}"), 0);
	assert_string_equal(pkt->kid, "kbs:///default/image-kek/a-b_c.1");
	assert_string_equal(pkt->path, "default/image-kek/a-b_c.1");
	assert_int_equal(ocipkt_kid("kbs://kbs.example:8080/r/t/g", 28, norm, path, &e), 0);
	assert_string_equal(norm, "kbs://kbs.example:8080/r/t/g");
	assert_string_equal(path, "r/t/g");
	/* kid not a string; overlong kid and component */
	assert_int_equal(parse_fmt(&e, "{\"kid\":7," WD "," IV "}"), -ERR_FORMAT);
	memset(long_kid, 'a', sizeof(long_kid));
	memcpy(long_kid, "kbs:///a/b/", 11);
	long_kid[sizeof(long_kid) - 1] = '\0';
	assert_int_equal(ocipkt_kid(long_kid, strlen(long_kid), norm, path, &e), -ERR_LIMIT);
	long_kid[11 + 129] = '\0';
	assert_int_equal(ocipkt_kid(long_kid, strlen(long_kid), norm, path, &e), -ERR_FORMAT);
	long_kid[11 + 128] = '\0';
	assert_int_equal(ocipkt_kid(long_kid, strlen(long_kid), norm, path, &e), 0);
}

static void test_wrap_type(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD "," IV
				   ",\"wrap_type\":\"A128GCM\"}"), -ERR_UNSUPPORTED);
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD "," IV
				   ",\"wrap_type\":\"a256gcm\"}"), -ERR_UNSUPPORTED);
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD "," IV
				   ",\"wrap_type\":5}"), -ERR_FORMAT);
	/* iv length must match the mode */
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD "," IV
				   ",\"wrap_type\":\"A256CTR\"}"), -ERR_FORMAT);
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD ",\"iv\":"
				   "\"/////////////////////g==\"}"), -ERR_FORMAT);
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD ",\"iv\":"
				   "\"//////////////////////////8=\"}"), -ERR_FORMAT);
	assert_int_equal(parse_fmt(&e, "{\"kid\":\"kbs:///a/b/c\"," WD ",\"iv\":\"\"}"),
			 -ERR_FORMAT);
}

static void test_ctr_vector(void **state)
{
	uint8_t out[128];
	size_t len = 0;
	struct err e = { 0 };
	uint8_t key[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	assert_int_equal(parse(v_ctr_packet, &e), 0);
	assert_int_equal(pkt->wrap_type, OCIPKT_A256CTR);
	assert_int_equal(ocipkt_unwrap(pkt, key, out, sizeof(out), &len, &e), 0);
	assert_int_equal(len, strlen(v_ctr_plain));
	assert_memory_equal(out, v_ctr_plain, len);
}

static void test_shape(void **state)
{
	static const char *const bad[] = {
		"[]", "null", "\"x\"", "{}", "{\"kid\":\"kbs:///a/b/c\"," IV "}",
		"{" WD "," IV "}",
		"{\"kid\":\"kbs:///a/b/c\"," WD "," IV ",\"extra\":1}",
		"{\"kid\":\"kbs:///a/b/c\",\"kid\":\"kbs:///a/b/c\"," WD "," IV "}",
		"{\"kid\":\"kbs:///a/b/c\"," WD "," IV "," IV "}",
		"{\"kid\":\"kbs:///a/b/c\"," WD "," IV "} x",
		"{\"kid\":\"kbs:///a/b/c\"," WD "," IV ",}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":\"KxAF gXwa\"," IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":\"KxAFgXw\"," IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":\"KxAFgXwa0y72Xdygub9lF00RVMtSRbYz\","
		"\"iv\":\"3PQMqtjbR4hxCr8_\"}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":[1,2,256,4,5,6,7,8,9,10,11,12,13,14,15,16],"
		IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":[1,2,-3,4,5,6,7,8,9,10,11,12,13,14,15,16],"
		IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":[1,2,3.0,4,5,6,7,8,9,10,11,12,13,14,15,"
		"16]," IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":[1,2,\"3\",4,5,6,7,8,9,10,11,12,13,14,15,"
		"16]," IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":{}," IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":null," IV "}",
		/* shorter than the GCM tag */
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":\"AAAAAAAAAAAAAAAAAAAA\"," IV "}",
		"{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":\"\"," IV "}",
	};
	struct err e = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], &e);
		if (rc != -ERR_FORMAT)
			fail_msg("case %zu: rc %d (%s)", i, rc, e.msg);
		assert_true(pkt->kid[0] == '\0' && pkt->wrapped_len == 0);
	}
	assert_int_equal(parse_n("", 0, &e), -ERR_FORMAT);
	/* exactly the tag: an empty plaintext is fine for the parser */
	assert_int_equal(parse("{\"kid\":\"kbs:///a/b/c\",\"wrapped_data\":"
			       "\"AAAAAAAAAAAAAAAAAAAAAA==\"," IV "}", &e), 0);
}

static void test_oversize(void **state)
{
	size_t n = OCIPKT_WRAPPED_MAX + 1, bl = b64_encoded_len(n, false);
	uint8_t *raw = calloc(1, n);
	char *doc = malloc(bl + 256), *a;
	int k;
	struct err e = { 0 };

	(void)state;
	k = sprintf(doc, "{\"kid\":\"kbs:///a/b/c\"," IV ",\"wrapped_data\":\"");
	assert_int_equal(b64_encode(raw, n, doc + k, bl + 1, NULL, false), 0);
	strcpy(doc + k + bl, "\"}");
	assert_int_equal(parse(doc, &e), -ERR_LIMIT);
	/* exactly the maximum is accepted */
	assert_int_equal(b64_encode(raw, n - 1, doc + k, bl + 1, NULL, false), 0);
	strcpy(doc + k + b64_encoded_len(n - 1, false), "\"}");
	assert_int_equal(parse(doc, &e), 0);
	assert_int_equal(pkt->wrapped_len, OCIPKT_WRAPPED_MAX);
	free(doc);
	/* the integer array form over the limit */
	a = int_array(raw, n);
	doc = malloc(strlen(a) + 128);
	sprintf(doc, "{\"kid\":\"kbs:///a/b/c\"," IV ",\"wrapped_data\":%s}", a);
	assert_int_equal(parse(doc, &e), -ERR_LIMIT);
	free(doc);
	free(a);
	/* the document itself over OCIPKT_JSON_MAX */
	doc = malloc(OCIPKT_JSON_MAX + 1);
	memset(doc, ' ', OCIPKT_JSON_MAX + 1);
	memcpy(doc, "{}", 2);
	assert_int_equal(parse_n(doc, OCIPKT_JSON_MAX + 1, &e), -ERR_LIMIT);
	free(doc);
	/* a too-small work area */
	assert_int_equal(ocipkt_parse((const uint8_t *)v_packet, strlen(v_packet), pkt, work, 64,
				      &e), -ERR_LIMIT);
	free(raw);
}

/* ---- wrap / unwrap ---------------------------------------------------- */

static void test_roundtrip(void **state)
{
	uint8_t kek[32], out[512], ct[512], tag[16];
	char *js = NULL, *js2 = NULL;
	size_t len = 0, len2 = 0, n = strlen(v_plain);
	struct err e = { 0 };
	mbedtls_gcm_context g;

	(void)state;
	memset(kek, 0x5a, sizeof(kek));
	assert_int_equal(ocipkt_wrap("/default/key/rt", kek, (const uint8_t *)v_plain, n, &js,
				     &len, &e), 0);
	assert_int_equal(strlen(js), len);
	/* exact member order and normalised kid */
	assert_true(strncmp(js, "{\"kid\":\"kbs:///default/key/rt\",\"wrapped_data\":\"", 47) == 0);
	assert_true(strstr(js, "\",\"iv\":\"") != NULL);
	assert_true(strstr(js, "\",\"iv\":\"") < strstr(js, "\"wrap_type\""));
	assert_true(strcmp(js + len - 24, "\",\"wrap_type\":\"A256GCM\"}") == 0);
	assert_int_equal(parse_n(js, len, &e), 0);
	assert_string_equal(pkt->kid, "kbs:///default/key/rt");
	assert_int_equal(pkt->wrapped_len, n + 16);
	/* independent check with Mbed TLS: ciphertext and tag */
	mbedtls_gcm_init(&g);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, kek, 256), 0);
	assert_int_equal(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, pkt->iv, 12, NULL,
						   0, (const uint8_t *)v_plain, ct, 16, tag), 0);
	mbedtls_gcm_free(&g);
	assert_memory_equal(pkt->wrapped, ct, n);
	assert_memory_equal(pkt->wrapped + n, tag, 16);
	assert_int_equal(ocipkt_unwrap(pkt, kek, out, sizeof(out), &len, &e), 0);
	assert_int_equal(len, n);
	assert_memory_equal(out, v_plain, n);
	/* the IV is fresh per call */
	assert_int_equal(ocipkt_wrap("kbs:///default/key/rt", kek, (const uint8_t *)v_plain, n,
				     &js2, &len2, &e), 0);
	assert_true(len2 == len + 0 || len2 > 0);
	assert_true(strcmp(js, js2) != 0);
	free(js);
	free(js2);
	/* too small an output buffer */
	assert_int_equal(ocipkt_unwrap(pkt, kek, out, n - 1, &len, &e), -ENOSPC);
	assert_int_equal(len, 0);
	/* wrap refuses a bad kid, empty and oversize options */
	js = (char *)1;
	assert_int_equal(ocipkt_wrap("default/key/x", kek, out, 4, &js, &len, &e), -ERR_FORMAT);
	assert_null(js);
	assert_int_equal(ocipkt_wrap("kbs:///a/b/c", kek, out, 0, &js, &len, &e), -ERR_LIMIT);
	assert_int_equal(ocipkt_wrap("kbs:///a/b/c", kek, out, OCIPKT_WRAPPED_MAX - 15, &js, &len,
				     &e), -ERR_LIMIT);
}

static void expect_refused(const uint8_t *kek)
{
	uint8_t out[512];
	size_t len = 99;
	struct err e = { 0 };

	memset(out, 0xa5, sizeof(out));
	assert_int_equal(ocipkt_unwrap(pkt, kek, out, sizeof(out), &len, &e), -ERR_DIGEST);
	assert_int_equal(len, 0);
	assert_non_null(strstr(e.msg, "authentication failed"));
	for (size_t i = 0; i < sizeof(out); i++)
		assert_true(out[i] == 0 || out[i] == 0xa5);
}

static void test_tamper(void **state)
{
	uint8_t kek[32];
	struct err e = { 0 };

	(void)state;
	memcpy(kek, v_kek, sizeof(kek));
	assert_int_equal(parse(v_packet, &e), 0);
	pkt->wrapped[pkt->wrapped_len - 1] ^= 1;        /* tag */
	expect_refused(kek);
	pkt->wrapped[pkt->wrapped_len - 1] ^= 1;
	pkt->wrapped[3] ^= 0x80;                        /* ciphertext */
	expect_refused(kek);
	pkt->wrapped[3] ^= 0x80;
	pkt->iv[11] ^= 1;                               /* iv */
	expect_refused(kek);
	pkt->iv[11] ^= 1;
	pkt->wrapped_len--;                             /* truncated */
	expect_refused(kek);
	pkt->wrapped_len++;
	kek[0] ^= 1;                                    /* wrong key */
	expect_refused(kek);
	kek[0] ^= 1;
	check_vector_plain();
	/* not a parsed packet */
	pkt->wrap_type = 0;
	{
		uint8_t out[16];
		size_t len = 1;
		assert_int_equal(ocipkt_unwrap(pkt, kek, out, sizeof(out), &len, &e), -ERR_FORMAT);
		assert_int_equal(len, 0);
	}
}

/* ---- keyprovider messages -------------------------------------------- */

static uint8_t kbuf[KPMSG_DATA_MAX];

static int req(const char *json, struct kpmsg_req *r, struct err *e)
{
	size_t n = strlen(json), wl = kpmsg_work_size(n);
	void *w = malloc(wl);
	int rc = kpmsg_parse_req((const uint8_t *)json, n, "attestation-agent", r, kbuf,
				 sizeof(kbuf), w, wl, e);

	free(w);
	return rc;
}

static void test_kpmsg_wrap(void **state)
{
	struct kpmsg_req r;
	struct err e = { 0 };

	(void)state;
	/* "keyid=kbs:///default/key/t1", "Enabled", privopts "{\"a\":1}" */
	assert_int_equal(req("{\"op\":\"keywrap\",\"keywrapparams\":{\"ec\":{\"Parameters\":"
			     "{\"attestation-agent\":[\"a2V5aWQ9a2JzOi8vL2RlZmF1bHQva2V5L3Qx\","
			     "\"RW5hYmxlZA==\"],\"other\":[\"eA==\"]},\"DecryptConfig\":"
			     "{\"Parameters\":{}}},\"optsdata\":\"eyJhIjoxfQ==\"},"
			     "\"keyunwrapparams\":{\"dc\":null,\"annotation\":null}}", &r, &e), 0);
	assert_int_equal(r.op, KPMSG_KEYWRAP);
	assert_string_equal(r.kid, "kbs:///default/key/t1");
	assert_int_equal(r.data_len, 7);
	assert_memory_equal(r.data, "{\"a\":1}", 7);
	/* no parameters for us, optsdata as integers */
	assert_int_equal(req("{\"op\":\"keywrap\",\"keywrapparams\":{\"ec\":{\"Parameters\":"
			     "{}},\"optsdata\":[123,125]}}", &r, &e), 0);
	assert_string_equal(r.kid, "");
	assert_int_equal(r.data_len, 2);
	/* bad ones */
	assert_int_equal(req("{\"op\":\"keywrap\",\"keywrapparams\":{\"ec\":null}}", &r, &e),
			 -ERR_FORMAT);
	assert_int_equal(r.op, 0);
	assert_int_equal(req("{\"op\":\"keywrap\",\"keywrapparams\":{\"ec\":null,\"optsdata\":"
			     "\"\"}}", &r, &e), -ERR_FORMAT);
	assert_int_equal(req("{\"op\":\"keywrap\"}", &r, &e), -ERR_FORMAT);
	assert_int_equal(req("{\"op\":\"wrap\",\"keywrapparams\":null}", &r, &e),
			 -ERR_UNSUPPORTED);
	assert_int_equal(req("{\"op\":\"keywrap\",\"x\":1,\"keywrapparams\":{\"optsdata\":"
			     "\"eA==\"}}", &r, &e), -ERR_FORMAT);
	assert_int_equal(req("{\"op\":\"keywrap\",\"op\":\"keywrap\",\"keywrapparams\":"
			     "{\"optsdata\":\"eA==\"}}", &r, &e), -ERR_FORMAT);
	/* "keypath=/x" is not supported */
	assert_int_equal(req("{\"op\":\"keywrap\",\"keywrapparams\":{\"ec\":{\"Parameters\":"
			     "{\"attestation-agent\":[\"a2V5cGF0aD0veA==\"]}},\"optsdata\":"
			     "\"eA==\"}}", &r, &e), -ERR_UNSUPPORTED);
	assert_int_equal(req("{\"op\":\"keywrap\",\"keywrapparams\":{\"ec\":{\"Parameters\":"
			     "{\"attestation-agent\":\"RW5hYmxlZA==\"}},\"optsdata\":"
			     "\"eA==\"}}", &r, &e), -ERR_FORMAT);
}

static void test_kpmsg_params(void **state)
{
	char kid[OCIPKT_KID_MAX] = "";
	struct err e = { 0 };
	const char *s;

	(void)state;
	assert_int_equal(kpmsg_param("Enabled", 7, kid, &e), 0);
	assert_string_equal(kid, "");
	s = "keyid=kbs:///default/key/k1::algorithm=A256GCM";
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), 0);
	assert_string_equal(kid, "kbs:///default/key/k1");
	s = "keyid=/default/key/k1";    /* same key, normalised */
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), 0);
	s = "keyid=kbs:///default/key/k2";
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), -ERR_FORMAT);
	kid[0] = '\0';
	s = "algorithm=A256CTR";
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), -ERR_UNSUPPORTED);
	s = "sample=true";
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), -ERR_UNSUPPORTED);
	s = "keyid=kbs:///a/b/c::";
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), -ERR_FORMAT);
	s = "keyid";
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), -ERR_FORMAT);
	s = "keyid=kbs:///a/../c";
	assert_int_equal(kpmsg_param(s, strlen(s), kid, &e), -ERR_FORMAT);
	assert_int_equal(kpmsg_param("", 0, kid, &e), -ERR_FORMAT);
	assert_string_equal(kid, "");
}

static void test_kpmsg_unwrap(void **state)
{
	char *doc, *b64, *ints;
	size_t n = strlen(v_packet), bl = b64_encoded_len(n, false);
	struct kpmsg_req r;
	struct err e = { 0 };
	char *resp = NULL;
	size_t rl = 0;

	(void)state;
	b64 = malloc(bl + 1);
	assert_int_equal(b64_encode((const uint8_t *)v_packet, n, b64, bl + 1, NULL, false), 0);
	ints = int_array((const uint8_t *)v_packet, n);
	doc = malloc(strlen(ints) + bl + 256);
	sprintf(doc, "{\"op\":\"keyunwrap\",\"keywrapparams\":{\"ec\":null,\"optsdata\":null},"
		"\"keyunwrapparams\":{\"dc\":{\"Parameters\":{\"attestation-agent\":"
		"[\"RW5hYmxlZA==\"]}},\"annotation\":\"%s\"}}", b64);
	assert_int_equal(req(doc, &r, &e), 0);
	assert_int_equal(r.op, KPMSG_KEYUNWRAP);
	assert_int_equal(r.data_len, n);
	assert_memory_equal(r.data, v_packet, n);
	sprintf(doc, "{\"op\":\"keyunwrap\",\"keyunwrapparams\":{\"annotation\":%s}}", ints);
	assert_int_equal(req(doc, &r, &e), 0);
	assert_memory_equal(r.data, v_packet, n);
	assert_int_equal(req("{\"op\":\"keyunwrap\",\"keyunwrapparams\":{\"dc\":null}}", &r, &e),
			 -ERR_FORMAT);
	assert_int_equal(req("{\"op\":\"keyunwrap\",\"keyunwrapparams\":{\"annotation\":"
			     "\"e30\"}}", &r, &e), -ERR_FORMAT);
	free(doc);
	free(ints);
	free(b64);
	/* responses */
	assert_int_equal(kpmsg_wrap_response((const uint8_t *)"{}", 2, &resp, &rl, &e), 0);
	assert_string_equal(resp, "{\"keywrapresults\":{\"annotation\":\"e30=\"}}\n");
	assert_int_equal(rl, strlen(resp));
	kpmsg_free(resp, rl);
	assert_int_equal(kpmsg_unwrap_response((const uint8_t *)"{\"a\":1}", 7, &resp, &rl, &e), 0);
	assert_string_equal(resp, "{\"keyunwrapresults\":{\"optsdata\":\"eyJhIjoxfQ==\"}}\n");
	kpmsg_free(resp, rl);
	kpmsg_free(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_int_arrays),
		cmocka_unit_test(test_v2_fields),
		cmocka_unit_test(test_kid),
		cmocka_unit_test(test_wrap_type),
		cmocka_unit_test(test_ctr_vector),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_kpmsg_wrap),
		cmocka_unit_test(test_kpmsg_params),
		cmocka_unit_test(test_kpmsg_unwrap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
