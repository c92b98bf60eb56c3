/* Unit tests for crypto/teekey, crypto/jwe and tee/kbs_bind.
 *
 * Vectors: kbs-protocol.md §3 (TEE key, JWK, nonce, 0.4.0 material, SHA-384,
 * sample report_data) and §4 (a KBS-style JWE cross-checked with joserfc),
 * and Trustee's parse_runtimedata_json_binding SHA-384.  Round trips encrypt
 * with Mbed TLS directly (ECDH + Concat KDF + AES key wrap + GCM, and
 * RSA-OAEP-256), the way Trustee's kbs/src/jwe does, then open with
 * jwe_decrypt(); tamper and shape tests check each failure code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecdh.h>
#include <mbedtls/gcm.h>
#include <mbedtls/nist_kw.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <yyjson.h>

#include "crypto/b64.h"
#include "crypto/hex.h"
#include "crypto/jwe.h"
#include "crypto/teekey.h"
#include "tee/kbs_bind.h"

/* ---- vectors (kbs-protocol.md §3, §4) ----------------------------------- */
static const char v_d[] = "1837e9a277334a8ff19de1b3f813c9ed7cf222a59d012134c532fa02ac5b1936";
static const char v_jwk[] =
	"{\"alg\":\"ECDH-ES+A256KW\",\"crv\":\"P-256\",\"kty\":\"EC\","
	"\"x\":\"Lmyy1UGdK7Up-QCSs1UWW5oJPhhrjadt3JCuj8Ey2sc\","
	"\"y\":\"eMzUtOfDblnOSLTDNJMpQ663KgFG9l1_wJZtlv7y4GM\"}";
static const char v_nonce[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
static const char v_material[] =
	"{\"additional-evidence\":\"\",\"nonce\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\","
	"\"tee-pubkey\":{\"alg\":\"ECDH-ES+A256KW\",\"crv\":\"P-256\",\"kty\":\"EC\","
	"\"x\":\"Lmyy1UGdK7Up-QCSs1UWW5oJPhhrjadt3JCuj8Ey2sc\","
	"\"y\":\"eMzUtOfDblnOSLTDNJMpQ663KgFG9l1_wJZtlv7y4GM\"}}";
static const char v_sha384[] = "54748e4710feb6f6d46edffb13a6406e1954cd5dc7954f88"
			       "422ef50882fae9b218ba953c2c123509b124460744db8247";
static const char v_sample_rd[] =
	"VHSORxD+tvbUbt/7E6ZAbhlUzV3HlU+IQi71CIL66bIYupU8LBI1CbEkRgdE24JH";

/* The §4 JWE, as its five members. */
enum { P, EK, IV, CT, TAG };
static const char *const v_jwe[5] = {
	"eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkEyNTZHQ00iLCJlcGsiOnsiY3J2IjoiUC0yNTYi"
	"LCJrdHkiOiJFQyIsIngiOiI0eXlSMEJkRVBBbnExRk5jZkNCZ1ltajBZaWxMa0x4R0x4VER4emxsM0dF"
	"IiwieSI6InczaW9zVXdhQmFkS1ZDVklBal9WZTh6cVV3SThqS0R4eV9uWFZhWkZna1UifX0",
	"-pA1FauTewlLKfAq2AvVTJpqPB011mm6WeJt2KZrbmo6A5nFmUKT8w",
	"AAECAwQFBgcICQoL",
	"bnFYHirYjOkNeQf0",
	"G787G-4GqrCrFeC7FAE_lg",
};
static const char v_epk_x[] = "4yyR0BdEPAnq1FNcfCBgYmj0YilLkLxGLxTDxzll3GE";
static const char v_epk_y[] = "w3iosUwaBadKVCVIAj_Ve8zqUwI8jKDxy_nXVaZFgkU";

/* ---- helpers ------------------------------------------------------------- */
struct jwe_text {
	char f[5][JWE_PROTECTED_MAX + 512];
};

static uint64_t g_seed = 0x9e3779b97f4a7c15ull;

static int test_rng(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	while (n--) {
		g_seed ^= g_seed >> 12;
		g_seed ^= g_seed << 25;
		g_seed ^= g_seed >> 27;
		*out++ = (unsigned char)((g_seed * 0x2545f4914f6cdd1dull) >> 56);
	}
	return 0;
}

static struct teekey *vector_key(void)
{
	uint8_t d[32];
	struct teekey *k;

	assert_int_equal(hex_decode(v_d, 64, d, 32), 0);
	assert_int_equal(teekey_import_ec_p256(&k, d), 0);
	return k;
}

static void vector_parts(struct jwe_text *t)
{
	int i;

	for (i = 0; i < 5; i++)
		snprintf(t->f[i], sizeof(t->f[i]), "%s", v_jwe[i]);
}

static size_t compose(const struct jwe_text *t, char *out, size_t cap)
{
	int n = snprintf(out, cap,
			 "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\","
			 "\"ciphertext\":\"%s\",\"tag\":\"%s\"}",
			 t->f[P], t->f[EK], t->f[IV], t->f[CT], t->f[TAG]);

	assert_true(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

/* jwe_decrypt() of the composed text; on failure the output must be zero. */
static int open_text(const struct teekey *k, const struct jwe_text *t, uint8_t *out,
		     size_t cap, size_t *len)
{
	char json[5 * (JWE_PROTECTED_MAX + 512) + 128];
	size_t n = compose(t, json, sizeof(json)), i;
	int rc;

	memset(out, 0xa5, cap);
	rc = jwe_decrypt(k, json, n, out, cap, len);
	if (rc < 0) {
		assert_int_equal(*len, 0);
		for (i = 0; i < cap; i++)
			assert_int_equal(out[i] == 0 || out[i] == 0xa5, 1);
	}
	return rc;
}

static int open_code(const struct teekey *k, const struct jwe_text *t)
{
	uint8_t out[2048];
	size_t len;

	return open_text(k, t, out, sizeof(out), &len);
}

static void b64u(const void *p, size_t n, char *out, size_t cap)
{
	assert_int_equal(b64_encode(p, n, out, cap, NULL, true), 0);
}

static size_t unb64u(const char *s, uint8_t *out, size_t cap)
{
	size_t len;

	assert_int_equal(b64_decode(s, strlen(s), out, cap, &len, true), 0);
	return len;
}

/* Change the first character (6 whole data bits) of a base64url member. */
static void flip(char *s)
{
	s[0] = s[0] == 'A' ? 'B' : 'A';
}

/* Keep the first n decoded bytes of a member. */
static void truncate_to(char *s, size_t n)
{
	uint8_t buf[1024];

	assert_true(unb64u(s, buf, sizeof(buf)) >= n);
	b64u(buf, n, s, 4096);
}

static void set_header(struct jwe_text *t, const char *json)
{
	b64u(json, strlen(json), t->f[P], sizeof(t->f[P]));
}

/* A header for the vector's epk with alg, enc and extra text after epk. */
static void vector_header(struct jwe_text *t, const char *alg, const char *enc,
			  const char *crv, const char *x, const char *y, const char *extra)
{
	char h[1024];

	snprintf(h, sizeof(h),
		 "{\"alg\":\"%s\",\"enc\":\"%s\",\"epk\":{\"crv\":\"%s\",\"kty\":\"EC\","
		 "\"x\":\"%s\",\"y\":\"%s\"}%s}", alg, enc, crv, x, y, extra);
	set_header(t, h);
}

/* A JWK member's value decoded. */
static size_t jwk_member(const char *jwk, const char *name, uint8_t *out, size_t cap)
{
	yyjson_doc *doc = yyjson_read(jwk, strlen(jwk), 0);
	yyjson_val *v = yyjson_obj_get(yyjson_doc_get_root(doc), name);
	size_t n;

	assert_non_null(v);
	n = unb64u(yyjson_get_str(v), out, cap);
	yyjson_doc_free(doc);
	return n;
}

/* GCM part shared by both encryptors: iv, ciphertext and tag members. */
static void seal_content(struct jwe_text *t, const uint8_t cek[32], const uint8_t *pt,
			 size_t n)
{
	mbedtls_gcm_context g;
	uint8_t iv[12], tag[16], ct[1024];

	assert_true(n <= sizeof(ct));
	test_rng(NULL, iv, sizeof(iv));
	mbedtls_gcm_init(&g);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, cek, 256), 0);
	assert_int_equal(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, iv, 12,
						   (const uint8_t *)t->f[P], strlen(t->f[P]),
						   pt, ct, 16, tag), 0);
	mbedtls_gcm_free(&g);
	b64u(iv, 12, t->f[IV], sizeof(t->f[IV]));
	b64u(ct, n, t->f[CT], sizeof(t->f[CT]));
	b64u(tag, 16, t->f[TAG], sizeof(t->f[TAG]));
}

/* The KEK for ECDH-ES+A256KW from Z, written out from RFC 7518 §4.6.2. */
static void kdf(const uint8_t z[32], uint8_t kek[32])
{
	uint8_t buf[4 + 32 + 4 + 14 + 12] = { 0, 0, 0, 1 };

	memcpy(buf + 4, z, 32);
	memcpy(buf + 36, "\0\0\0\x0e" "ECDH-ES+A256KW", 18);
	memcpy(buf + 54, "\0\0\0\0\0\0\0\0\0\0\x01\0", 12);
	assert_int_equal(mbedtls_sha256(buf, sizeof(buf), kek, 0), 0);
}

/* Encrypt pt to the EC key k as Trustee does. */
static void seal_ec(const struct teekey *k, const uint8_t *pt, size_t n, struct jwe_text *t)
{
	char jwk[TEEKEY_JWK_MAX], ex[48], ey[48];
	uint8_t peer[65] = { 4 }, epk[65], z[32], kek[32], cek[32], wrapped[40];
	mbedtls_ecp_group grp;
	mbedtls_ecp_point Q, R;
	mbedtls_mpi d, zm;
	mbedtls_nist_kw_context kw;
	size_t len;

	assert_int_equal(teekey_jwk(k, jwk, sizeof(jwk), NULL), 0);
	assert_int_equal(jwk_member(jwk, "x", peer + 1, 32), 32);
	assert_int_equal(jwk_member(jwk, "y", peer + 33, 32), 32);
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&Q);
	mbedtls_ecp_point_init(&R);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&zm);
	assert_int_equal(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1), 0);
	assert_int_equal(mbedtls_ecp_point_read_binary(&grp, &R, peer, 65), 0);
	assert_int_equal(mbedtls_ecp_gen_keypair(&grp, &d, &Q, test_rng, NULL), 0);
	assert_int_equal(mbedtls_ecdh_compute_shared(&grp, &zm, &R, &d, test_rng, NULL), 0);
	assert_int_equal(mbedtls_mpi_write_binary(&zm, z, 32), 0);
	assert_int_equal(mbedtls_ecp_point_write_binary(&grp, &Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
							&len, epk, sizeof(epk)), 0);
	kdf(z, kek);
	test_rng(NULL, cek, 32);
	mbedtls_nist_kw_init(&kw);
	assert_int_equal(mbedtls_nist_kw_setkey(&kw, MBEDTLS_CIPHER_ID_AES, kek, 256, 1), 0);
	assert_int_equal(mbedtls_nist_kw_wrap(&kw, MBEDTLS_KW_MODE_KW, cek, 32, wrapped, &len,
					      sizeof(wrapped)), 0);
	assert_int_equal(len, 40);
	b64u(epk + 1, 32, ex, sizeof(ex));
	b64u(epk + 33, 32, ey, sizeof(ey));
	vector_header(t, "ECDH-ES+A256KW", "A256GCM", "P-256", ex, ey, "");
	b64u(wrapped, 40, t->f[EK], sizeof(t->f[EK]));
	seal_content(t, cek, pt, n);
	mbedtls_nist_kw_free(&kw);
	mbedtls_mpi_free(&zm);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&R);
	mbedtls_ecp_point_free(&Q);
	mbedtls_ecp_group_free(&grp);
}

/* Encrypt pt to the RSA key k (a CEK of cek_len bytes, 32 normally). */
static void seal_rsa(const struct teekey *k, const uint8_t *pt, size_t n, size_t cek_len,
		     struct jwe_text *t)
{
	char jwk[TEEKEY_JWK_MAX];
	uint8_t nb[512], eb[8], cek[32], ek[512];
	size_t nlen, elen;
	mbedtls_rsa_context r;

	assert_int_equal(teekey_jwk(k, jwk, sizeof(jwk), NULL), 0);
	nlen = jwk_member(jwk, "n", nb, sizeof(nb));
	elen = jwk_member(jwk, "e", eb, sizeof(eb));
	mbedtls_rsa_init(&r);
	assert_int_equal(mbedtls_rsa_import_raw(&r, nb, nlen, NULL, 0, NULL, 0, NULL, 0, eb,
						elen), 0);
	assert_int_equal(mbedtls_rsa_complete(&r), 0);
	assert_int_equal(mbedtls_rsa_set_padding(&r, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256), 0);
	test_rng(NULL, cek, 32);
	assert_int_equal(mbedtls_rsa_rsaes_oaep_encrypt(&r, test_rng, NULL, NULL, 0, cek_len,
							cek, ek), 0);
	set_header(t, "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}");
	b64u(ek, nlen, t->f[EK], sizeof(t->f[EK]));
	seal_content(t, cek, pt, n);
	mbedtls_rsa_free(&r);
}

/* ---- teekey --------------------------------------------------------------- */
static void test_vector_jwk(void **state)
{
	struct teekey *k = vector_key();
	char jwk[TEEKEY_JWK_MAX];
	size_t len;

	(void)state;
	assert_int_equal(teekey_alg(k), TEEKEY_EC_P256);
	assert_int_equal(teekey_jwk(k, jwk, sizeof(jwk), &len), 0);
	assert_string_equal(jwk, v_jwk);
	assert_int_equal(len, strlen(v_jwk));
	assert_int_equal(teekey_jwk(k, jwk, len, &len), -ENOSPC);
	assert_int_equal(len, 0);
	assert_int_equal(teekey_jwk(k, jwk, strlen(v_jwk) + 1, &len), 0);
	teekey_free(k);
	teekey_free(NULL);
}

static void test_import_range(void **state)
{
	static const char n[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
	uint8_t d[32];
	struct teekey *k = (struct teekey *)1;

	(void)state;
	memset(d, 0, sizeof(d));
	assert_int_equal(teekey_import_ec_p256(&k, d), -EINVAL);
	assert_null(k);
	assert_int_equal(hex_decode(n, 64, d, 32), 0);
	assert_int_equal(teekey_import_ec_p256(&k, d), -EINVAL);       /* d = n */
	d[31] -= 1;
	assert_int_equal(teekey_import_ec_p256(&k, d), 0);              /* d = n - 1 */
	teekey_free(k);
}

static void test_generate_ec(void **state)
{
	struct teekey *a, *b, *c = (struct teekey *)1;
	char ja[TEEKEY_JWK_MAX], jb[TEEKEY_JWK_MAX];

	(void)state;
	assert_int_equal(teekey_generate(&a, TEEKEY_EC_P256), 0);
	assert_int_equal(teekey_generate(&b, TEEKEY_EC_P256), 0);
	assert_int_equal(teekey_jwk(a, ja, sizeof(ja), NULL), 0);
	assert_int_equal(teekey_jwk(b, jb, sizeof(jb), NULL), 0);
	assert_string_not_equal(ja, jb);
	assert_int_equal(strncmp(ja, v_jwk, 53), 0);    /* same members up to "x":" */
	assert_int_equal(strlen(ja), strlen(v_jwk));
	assert_int_equal(teekey_generate(&c, (enum teekey_alg)7), -EINVAL);
	assert_null(c);
	teekey_free(a);
	teekey_free(b);
}

/* One RSA key for every RSA test (generation is the slow part). */
static struct teekey *g_rsa;

static int rsa_setup(void **state)
{
	(void)state;
	return teekey_generate(&g_rsa, TEEKEY_RSA_OAEP_256);
}

static int rsa_teardown(void **state)
{
	(void)state;
	teekey_free(g_rsa);
	g_rsa = NULL;
	return 0;
}

static void test_rsa_jwk(void **state)
{
	static const char head[] = "{\"alg\":\"RSA-OAEP-256\",\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"";
	char jwk[TEEKEY_JWK_MAX];
	uint8_t n[512];
	size_t len;

	(void)state;
	assert_int_equal(teekey_alg(g_rsa), TEEKEY_RSA_OAEP_256);
	assert_int_equal(teekey_jwk(g_rsa, jwk, sizeof(jwk), &len), 0);
	assert_int_equal(strncmp(jwk, head, strlen(head)), 0);
	assert_int_equal(len, strlen(head) + 342 + 2);
	assert_string_equal(jwk + len - 2, "\"}");
	assert_int_equal(jwk_member(jwk, "n", n, sizeof(n)), 256);
	assert_true(n[0] & 0x80);                          /* 2048 bits, minimal */
	assert_true(n[255] & 1);
}

/* ---- kbs_bind --------------------------------------------------------------- */
static void test_bind_vector(void **state)
{
	struct teekey *k = vector_key();
	char jwk[TEEKEY_JWK_MAX], mat[1024], sample[80];
	uint8_t rd[64], want[48];
	size_t len, rlen;
	struct err e = { 0, "" };
	int i;

	(void)state;
	assert_int_equal(teekey_jwk(k, jwk, sizeof(jwk), NULL), 0);
	assert_int_equal(kbs_bind_material(v_nonce, strlen(v_nonce), jwk, "", mat, sizeof(mat),
					   &len, &e), 0);
	assert_string_equal(mat, v_material);
	assert_int_equal(len, strlen(v_material));
	assert_int_equal(hex_decode(v_sha384, 96, want, 48), 0);
	assert_int_equal(kbs_bind_report_data(mat, len, KBS_BIND_PAD64, rd, &rlen), 0);
	assert_int_equal(rlen, 64);
	assert_memory_equal(rd, want, 48);
	for (i = 48; i < 64; i++)
		assert_int_equal(rd[i], 0);
	assert_int_equal(kbs_bind_report_data(mat, len, KBS_BIND_RAW, rd, &rlen), 0);
	assert_int_equal(rlen, 48);
	assert_memory_equal(rd, want, 48);
	assert_int_equal(b64_encode(rd, rlen, sample, sizeof(sample), NULL, false), 0);
	assert_string_equal(sample, v_sample_rd);
	assert_int_equal(kbs_bind_report_data(mat, len, (enum kbs_bind_pad)9, rd, &rlen), -EINVAL);
	/* too small: -ENOSPC, and exactly enough works */
	assert_int_equal(kbs_bind_material(v_nonce, strlen(v_nonce), jwk, "", mat,
					   strlen(v_material), &len, &e), -ENOSPC);
	assert_int_equal(e.code, -ENOSPC);
	assert_int_equal(kbs_bind_material(v_nonce, strlen(v_nonce), jwk, "", mat,
					   strlen(v_material) + 1, &len, NULL), 0);
	teekey_free(k);
}

/* Trustee's parse_runtimedata_json_binding: the canonical text of
 * {"b":1,"a":"test","c":{"d":"e"}} and its SHA-384. */
static void test_bind_trustee_vector(void **state)
{
	static const char jcs[] = "{\"a\":\"test\",\"b\":1,\"c\":{\"d\":\"e\"}}";
	static const char want_hex[] = "e71ce8e70d814ba6639c3612ebee0ff1f76f650f8dbb5e47"
				       "157e0f3f525cd22c4597480a186427c813ca941da78870c3";
	uint8_t rd[64], want[48];
	size_t rlen;

	(void)state;
	assert_int_equal(hex_decode(want_hex, 96, want, 48), 0);
	assert_int_equal(kbs_bind_report_data(jcs, strlen(jcs), KBS_BIND_RAW, rd, &rlen), 0);
	assert_int_equal(rlen, 48);
	assert_memory_equal(rd, want, 48);
}

static void test_bind_escaping(void **state)
{
	static const char nonce[] = "a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xe2\x82\xac"
				    "\xf0\x9f\x98\x80\0z";
	static const char want[] =
		"{\"additional-evidence\":\"{\\\"tdx\\\":{}}\","
		"\"nonce\":\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\xe2\x82\xac"
		"\xf0\x9f\x98\x80\\u0000z\",\"tee-pubkey\":{}}";
	char mat[512];
	size_t len;

	(void)state;
	assert_int_equal(kbs_bind_material(nonce, sizeof(nonce) - 1, "{}", "{\"tdx\":{}}", mat,
					   sizeof(mat), &len, NULL), 0);
	assert_string_equal(mat, want);
	assert_int_equal(len, strlen(want));
}

static void test_bind_bad_utf8(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xe2\x82", "\xff", "ok\xc3",
	};
	struct err e = { 0, "" };
	char mat[256];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(kbs_bind_material(bad[i], strlen(bad[i]), "{}", "", mat,
						   sizeof(mat), &len, &e), -ERR_FORMAT);
		assert_int_equal(kbs_bind_material("n", 1, "{}", bad[i], mat, sizeof(mat), &len,
						   &e), -ERR_FORMAT);
		assert_int_equal(len, 0);
	}
	assert_int_equal(e.code, -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "UTF-8"));
	assert_int_equal(kbs_bind_material("n", 1, "", "", mat, sizeof(mat), &len, &e),
			 -ERR_FORMAT);
	/* the largest and smallest of each length are fine */
	assert_int_equal(kbs_bind_material("\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\xc2\x80",
					   12, "{}", "", mat, sizeof(mat), &len, &e), 0);
}

/* ---- jwe: the worked vector and tampering ------------------------------------ */
static void test_jwe_vector(void **state)
{
	struct teekey *k = vector_key();
	struct jwe_text t;
	uint8_t out[64];
	size_t len;

	(void)state;
	vector_parts(&t);
	assert_int_equal(open_text(k, &t, out, sizeof(out), &len), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(out, "test content", 12);
	/* exactly enough room; one byte less */
	assert_int_equal(open_text(k, &t, out, 12, &len), 0);
	assert_int_equal(open_text(k, &t, out, 11, &len), -ENOSPC);
	teekey_free(k);
}

static void test_jwe_tamper(void **state)
{
	struct teekey *k = vector_key(), *other;
	char h[512], ex[48], ey[48], jwk[TEEKEY_JWK_MAX];
	uint8_t pt[64], tmp[64];
	struct jwe_text t;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		vector_parts(&t);
		flip(t.f[i]);
		assert_int_equal(open_code(k, &t), i == P ? -JWE_EFORMAT :
						   i == EK ? -JWE_EKEY : -JWE_EAUTH);
	}
	/* the same header with a space: AAD is the received text */
	vector_parts(&t);
	snprintf(h, sizeof(h), "{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":"
		 "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"} }", v_epk_x, v_epk_y);
	set_header(&t, h);
	assert_int_equal(open_code(k, &t), -JWE_EAUTH);
	/* members in another order and no space is the vector's header again */
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", v_epk_x, v_epk_y, "");
	assert_string_equal(t.f[P], v_jwe[P]);
	assert_int_equal(open_text(k, &t, pt, sizeof(pt), &(size_t){ 0 }), 0);
	/* another valid epk: other KEK, unwrap fails */
	assert_int_equal(teekey_generate(&other, TEEKEY_EC_P256), 0);
	assert_int_equal(teekey_jwk(other, jwk, sizeof(jwk), NULL), 0);
	b64u(tmp, jwk_member(jwk, "x", tmp, 32), ex, sizeof(ex));
	b64u(tmp, jwk_member(jwk, "y", tmp, 32), ey, sizeof(ey));
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", ex, ey, "");
	assert_int_equal(open_code(k, &t), -JWE_EKEY);
	/* the vector under another TEE key */
	vector_parts(&t);
	assert_int_equal(open_code(other, &t), -JWE_EKEY);
	teekey_free(other);
	teekey_free(k);
}

static void test_jwe_alg(void **state)
{
	struct teekey *k = vector_key();
	struct jwe_text t;

	(void)state;
	vector_parts(&t);
	vector_header(&t, "ECDH-ES+A128KW", "A256GCM", "P-256", v_epk_x, v_epk_y, "");
	assert_int_equal(open_code(k, &t), -JWE_EALG);
	vector_header(&t, "ECDH-ES+A256KW", "A128GCM", "P-256", v_epk_x, v_epk_y, "");
	assert_int_equal(open_code(k, &t), -JWE_EALG);
	vector_header(&t, "RSA-OAEP-256", "A256GCM", "P-256", v_epk_x, v_epk_y, "");
	assert_int_equal(open_code(k, &t), -JWE_EALG);
	set_header(&t, "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}");
	assert_int_equal(open_code(k, &t), -JWE_EALG);
	set_header(&t, "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}");
	assert_int_equal(open_code(k, &t), -JWE_EALG);
	set_header(&t, "{\"alg\":\"none\"}");
	assert_int_equal(open_code(k, &t), -JWE_EALG);
	/* the EC vector under an RSA key */
	vector_parts(&t);
	assert_int_equal(open_code(g_rsa, &t), -JWE_EALG);
	teekey_free(k);
}

static void test_jwe_epk(void **state)
{
	struct teekey *k = vector_key();
	struct jwe_text t;
	char y[48];
	uint8_t b[33];

	(void)state;
	vector_parts(&t);
	/* off the curve: y + 1 */
	assert_int_equal(unb64u(v_epk_y, b, 32), 32);
	b[31] ^= 1;
	b64u(b, 32, y, sizeof(y));
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", v_epk_x, y, "");
	assert_int_equal(open_code(k, &t), -JWE_EEPK);
	/* y >= p */
	memset(b, 0xff, 32);
	b64u(b, 32, y, sizeof(y));
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", v_epk_x, y, "");
	assert_int_equal(open_code(k, &t), -JWE_EEPK);
	/* wrong curve, wrong sizes */
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-384", v_epk_x, v_epk_y, "");
	assert_int_equal(open_code(k, &t), -JWE_EEPK);
	b64u(b, 31, y, sizeof(y));
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", v_epk_x, y, "");
	assert_int_equal(open_code(k, &t), -JWE_EEPK);
	b[0] = 0;
	b64u(b, 33, y, sizeof(y));
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", v_epk_x, y, "");
	assert_int_equal(open_code(k, &t), -JWE_EEPK);
	/* the point at infinity cannot be written as 32+32 bytes; all zero is off */
	memset(b, 0, 32);
	b64u(b, 32, y, sizeof(y));
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", y, y, "");
	assert_int_equal(open_code(k, &t), -JWE_EEPK);
	teekey_free(k);
}

static void test_jwe_truncated(void **state)
{
	static const size_t keep[5][2] = {
		{ 0, 0 }, { EK, 39 }, { IV, 11 }, { CT, 0 }, { TAG, 15 },
	};
	struct teekey *k = vector_key();
	struct jwe_text t;
	int i;

	(void)state;
	for (i = 1; i < 5; i++) {
		vector_parts(&t);
		truncate_to(t.f[keep[i][0]], keep[i][1]);
		assert_int_equal(open_code(k, &t), keep[i][0] == CT ? -JWE_EAUTH : -JWE_EFORMAT);
	}
	vector_parts(&t);
	truncate_to(t.f[CT], 11);
	assert_int_equal(open_code(k, &t), -JWE_EAUTH);
	/* empty members */
	for (i = 0; i < 5; i++) {
		vector_parts(&t);
		t.f[i][0] = 0;
		assert_int_equal(open_code(k, &t), i == CT ? -JWE_EAUTH : -JWE_EFORMAT);
	}
	/* a longer iv or tag is not accepted either */
	vector_parts(&t);
	strcat(t.f[IV], "AAAA");
	assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	vector_parts(&t);
	snprintf(t.f[TAG], sizeof(t.f[TAG]), "%s", "G787G-4GqrCrFeC7FAE_lgAA");
	assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	teekey_free(k);
}

static int open_json(const struct teekey *k, const char *json)
{
	uint8_t out[64];
	size_t len;

	return jwe_decrypt(k, json, strlen(json), out, sizeof(out), &len);
}

static void test_jwe_shape(void **state)
{
	struct teekey *k = vector_key();
	struct jwe_text t;
	char json[2048], bad[4096];
	uint8_t out[64];
	size_t n, len;

	(void)state;
	vector_parts(&t);
	n = compose(&t, json, sizeof(json));
	/* trailing garbage, a second value, whitespace (fine), embedded NUL */
	snprintf(bad, sizeof(bad), "%s x", json);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	snprintf(bad, sizeof(bad), "%s{}", json);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	snprintf(bad, sizeof(bad), " %s\n", json);
	assert_int_equal(open_json(k, bad), 0);
	assert_int_equal(jwe_decrypt(k, json, n + 1, out, sizeof(out), &len), -JWE_EFORMAT);
	assert_int_equal(jwe_decrypt(k, json, n - 1, out, sizeof(out), &len), -JWE_EFORMAT);
	assert_int_equal(jwe_decrypt(k, json, 0, out, sizeof(out), &len), -JWE_EFORMAT);
	/* an extra member ("aad", "header"), a duplicate, a missing one */
	snprintf(bad, sizeof(bad), "{\"aad\":\"\",%s", json + 1);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	snprintf(bad, sizeof(bad), "{\"header\":{},%s", json + 1);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	snprintf(bad, sizeof(bad), "{\"iv\":\"%s\",%s", v_jwe[IV], json + 1);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	snprintf(bad, sizeof(bad), "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\","
		 "\"ciphertext\":\"%s\",\"iv\":\"%s\"}", v_jwe[P], v_jwe[EK], v_jwe[IV], v_jwe[CT],
		 v_jwe[IV]);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	snprintf(bad, sizeof(bad), "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\","
		 "\"ciphertext\":\"%s\"}", v_jwe[P], v_jwe[EK], v_jwe[IV], v_jwe[CT]);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	/* a member of another type; not an object */
	snprintf(bad, sizeof(bad), "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\","
		 "\"ciphertext\":\"%s\",\"tag\":null}", v_jwe[P], v_jwe[EK], v_jwe[IV], v_jwe[CT]);
	assert_int_equal(open_json(k, bad), -JWE_EFORMAT);
	assert_int_equal(open_json(k, "[]"), -JWE_EFORMAT);
	assert_int_equal(open_json(k, "\"x\""), -JWE_EFORMAT);
	assert_int_equal(open_json(k, "{}"), -JWE_EFORMAT);
	/* padded or standard-alphabet base64 */
	vector_parts(&t);
	strcat(t.f[IV], "=");
	assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	vector_parts(&t);
	t.f[EK][0] = '+';
	assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	/* a JSON escape inside a member is the same string */
	vector_parts(&t);
	memmove(t.f[IV] + 6, t.f[IV] + 1, strlen(t.f[IV]));
	memcpy(t.f[IV], "\\u0041", 6);
	assert_int_equal(open_code(k, &t), 0);
	/* over the size limit: refused before reading */
	assert_int_equal(jwe_decrypt(k, json, (size_t)JWE_INPUT_MAX + 1, out, sizeof(out), &len),
			 -E2BIG);
	teekey_free(k);
}

static void test_jwe_header_shape(void **state)
{
	static const char *const hdrs[] = {
		"{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\"}",                 /* no epk */
		"{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":\"x\"}",
		"{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{}}",
		"{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{},\"kid\":\"1\"}",
		"{\"alg\":\"ECDH-ES+A256KW\",\"alg\":\"ECDH-ES+A256KW\",\"epk\":{}}",
		"{\"alg\":1,\"enc\":\"A256GCM\",\"epk\":{}}",
		"[]",
		"",
		"{",
	};
	struct teekey *k = vector_key();
	struct jwe_text t;
	size_t i;

	(void)state;
	vector_parts(&t);
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		set_header(&t, hdrs[i]);
		assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	}
	/* extra members in the header or in epk */
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256", v_epk_x, v_epk_y,
		      ",\"kid\":\"a\"");
	assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	vector_header(&t, "ECDH-ES+A256KW", "A256GCM", "P-256\",\"d\":\"AA", v_epk_x, v_epk_y,
		      "");
	assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	/* protected member over the limit */
	memset(t.f[P], 'A', JWE_PROTECTED_MAX + 4);
	t.f[P][JWE_PROTECTED_MAX + 4] = 0;
	assert_int_equal(open_code(k, &t), -JWE_EFORMAT);
	teekey_free(k);
}

/* ---- round trips with fresh keys ------------------------------------------ */
static void test_roundtrip_ec(void **state)
{
	struct teekey *k;
	struct jwe_text t;
	uint8_t pt[1000], out[1000];
	size_t n, len;

	(void)state;
	assert_int_equal(teekey_generate(&k, TEEKEY_EC_P256), 0);
	for (n = 0; n <= sizeof(pt); n += 199) {
		test_rng(NULL, pt, n);
		seal_ec(k, pt, n, &t);
		assert_int_equal(open_text(k, &t, out, sizeof(out), &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(out, pt, n);
	}
	flip(t.f[CT]);
	assert_int_equal(open_code(k, &t), -JWE_EAUTH);
	teekey_free(k);
}

static void test_roundtrip_rsa(void **state)
{
	struct jwe_text t;
	uint8_t pt[300], out[300];
	size_t len;
	int i;

	(void)state;
	test_rng(NULL, pt, sizeof(pt));
	seal_rsa(g_rsa, pt, sizeof(pt), 32, &t);
	assert_int_equal(open_text(g_rsa, &t, out, sizeof(out), &len), 0);
	assert_int_equal(len, sizeof(pt));
	assert_memory_equal(out, pt, sizeof(pt));
	/* tampering */
	for (i = 0; i < 5; i++) {
		seal_rsa(g_rsa, pt, sizeof(pt), 32, &t);
		flip(t.f[i]);
		assert_int_equal(open_code(g_rsa, &t), i == P ? -JWE_EFORMAT :
						       i == EK ? -JWE_EKEY : -JWE_EAUTH);
	}
	/* a content key of the wrong size; an encrypted_key of the wrong size */
	seal_rsa(g_rsa, pt, 16, 16, &t);
	assert_int_equal(open_code(g_rsa, &t), -JWE_EKEY);
	seal_rsa(g_rsa, pt, 16, 32, &t);
	truncate_to(t.f[EK], 255);
	assert_int_equal(open_code(g_rsa, &t), -JWE_EFORMAT);
	/* the RSA header must not carry an epk */
	seal_rsa(g_rsa, pt, 16, 32, &t);
	vector_header(&t, "RSA-OAEP-256", "A256GCM", "P-256", v_epk_x, v_epk_y, "");
	assert_int_equal(open_code(g_rsa, &t), -JWE_EFORMAT);
	/* an RSA JWE under an EC key */
	{
		struct teekey *k = vector_key();

		seal_rsa(g_rsa, pt, 16, 32, &t);
		assert_int_equal(open_code(k, &t), -JWE_EALG);
		teekey_free(k);
	}
}

static void test_strerror(void **state)
{
	static const int codes[] = { JWE_EFORMAT, JWE_EALG, JWE_EEPK, JWE_EKEY, JWE_EAUTH,
				     JWE_ECRYPTO };
	size_t i, j;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_non_null(jwe_strerror(-codes[i]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(jwe_strerror(-codes[i]), jwe_strerror(-codes[j]));
		assert_int_equal(codes[i] > TEEKEY_EDECRYPT && codes[i] > ERR_NOTFOUND, 1);
	}
	assert_string_equal(jwe_strerror(-ENOSPC), strerror(ENOSPC));
	assert_string_equal(teekey_strerror(-TEEKEY_EPOINT), "peer point is not on the curve");
	assert_string_equal(jwe_strerror(-TEEKEY_ERNG), teekey_strerror(-TEEKEY_ERNG));
}

/* The key-kind specific primitives refuse the other kind; NULL keys. */
static void test_wrong_kind(void **state)
{
	struct teekey *k = vector_key();
	uint8_t x[32], y[32], z[32], in[256] = { 0 }, out[64];
	size_t len = 5;

	(void)state;
	assert_int_equal(unb64u(v_epk_x, x, 32), 32);
	assert_int_equal(unb64u(v_epk_y, y, 32), 32);
	assert_int_equal(teekey_ecdh_p256(g_rsa, x, y, z), -EINVAL);
	assert_int_equal(teekey_ecdh_p256(k, x, y, z), 0);
	assert_int_equal(teekey_rsa_oaep256_decrypt(k, in, 256, out, sizeof(out), &len), -EINVAL);
	assert_int_equal(len, 0);
	assert_int_equal(teekey_rsa_oaep256_decrypt(g_rsa, in, 255, out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(teekey_rsa_oaep256_decrypt(g_rsa, in, 256, out, sizeof(out), &len),
			 -TEEKEY_EDECRYPT);
	assert_int_equal(jwe_decrypt(NULL, "{}", 2, out, sizeof(out), &len), -EINVAL);
	assert_int_equal(teekey_jwk(NULL, (char *)out, sizeof(out), &len), -EINVAL);
	teekey_free(k);
}

/* Random single-byte changes of the vector's JSON: never a crash, never
 * success with another plaintext. */
static void test_jwe_mutations(void **state)
{
	struct teekey *k = vector_key();
	struct jwe_text t;
	char json[4096];
	uint8_t out[64];
	size_t n, len, i, pos;
	int rc;

	(void)state;
	vector_parts(&t);
	n = compose(&t, json, sizeof(json));
	for (i = 0; i < 300; i++) {
		uint8_t b;

		test_rng(NULL, (uint8_t *)&pos, sizeof(pos));
		test_rng(NULL, &b, 1);
		pos %= n;
		json[pos] ^= (char)(b | 1);
		rc = jwe_decrypt(k, json, n, out, sizeof(out), &len);
		if (rc == 0) {
			assert_int_equal(len, 12);
			assert_memory_equal(out, "test content", 12);
		}
		json[pos] ^= (char)(b | 1);
	}
	teekey_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_jwk),
		cmocka_unit_test(test_import_range),
		cmocka_unit_test(test_generate_ec),
		cmocka_unit_test(test_rsa_jwk),
		cmocka_unit_test(test_bind_vector),
		cmocka_unit_test(test_bind_trustee_vector),
		cmocka_unit_test(test_bind_escaping),
		cmocka_unit_test(test_bind_bad_utf8),
		cmocka_unit_test(test_jwe_vector),
		cmocka_unit_test(test_jwe_tamper),
		cmocka_unit_test(test_jwe_alg),
		cmocka_unit_test(test_jwe_epk),
		cmocka_unit_test(test_jwe_truncated),
		cmocka_unit_test(test_jwe_shape),
		cmocka_unit_test(test_jwe_header_shape),
		cmocka_unit_test(test_roundtrip_ec),
		cmocka_unit_test(test_roundtrip_rsa),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_wrong_kind),
		cmocka_unit_test(test_jwe_mutations),
	};

	return cmocka_run_group_tests(tests, rsa_setup, rsa_teardown);
}
