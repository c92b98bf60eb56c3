/* Unit tests for crypto/teekey, crypto/jwe and tee/kbs_bind.
 *
 * Vectors: kbs-protocol.md §3 (TEE key, JWK, nonce, 0.4.0 material, SHA-384,
 * sample report_data) and §4 (a KBS-style JWE cross-checked with joserfc),
 * and Trustee's parse_runtimedata_json_binding SHA-384.  Round trips encrypt
 * with Mbed TLS directly (ECDH + Concat KDF + AES key wrap + GCM, and
 * RSA-OAEP-256), the way Trustee's kbs/src/jwe does, then open with
 * jwe_decrypt(); tamper and shape tests check each failure code.  Image keys:
 * teekey_import_pem() of PKCS#1 / PKCS#8 / SEC1 / DER keys, and
 * jwe_decrypt_any() of go-jose shaped JWEs (flattened and general, with the
 * top-level encrypted_key Debian's skopeo repeats) for RSA-OAEP (SHA-1),
 * RSA-OAEP-256 and ECDH-ES+A128/192/256KW on P-256/384/521. */
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
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <yyjson.h>

#include "crypto/b64.h"
#include "crypto/hex.h"
#include "crypto/jwe.h"
#include "crypto/teekey.h"
#include "tee/kbs_bind.h"
#include "tests/unit/test_keys.h"

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

/* ---- jwe_decrypt_any: image keys (ocicrypt jwe: recipients) --------------- */
/* Throw-away test keys (openssl genpkey / ecparam): RSA-2048 as PKCS#1 and
 * PKCS#8 (the same key), P-256 as SEC1, P-384 and P-521 as PKCS#8. */
static const char pem_rsa1[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIEpAIBAAKCAQEAvEPfx8oZlz0X0knl8yf+Oc04P+IwzmL6yZCzyKS/1wP1nIDM\n"
	"eP3CduSVU07EuHAIVJ9NJFJQPBy5iGDSthnWsSs7StvJmAx93L381UMKLRkUNecr\n"
	"3yoK7r3eNPXM18pPtp89M5sIu9Yw5sUKy6o6JPqs9nrDYT7/uDzytTOgSqscdY5i\n"
	"Da9cXsv9/Z4W9lqCK5g/YFzpHG8JaCikohFUsd78wznuV3npSikJHGmzOJQWqB3r\n"
	"7uU4A1osuAaaBQWQ5edXzafFe5rYWnF95oVNIJSrSJEkNIV/l6edRs4QW9kKj33X\n"
	"6+e3g8Gy3+kH4pzBXY33nUeWhjYyGCg+lRG0nQIDAQABAoIBAE7UdtPPxnZi0OIv\n"
	"KjduBA/M4+QwAHKy1ELpMbZucZuFH2dIMRXqX25sGTCYV1vJIVvZljICu3DoMDGw\n"
	"JRq16AUoTnvyWs+tT1hKPx9HInAuw50sblzT3F8KJoxzbbHflxAnTjeZD4ejULeY\n"
	"QwRzg0QvqJPOZJgICohpENGZy+DnWpmolZFS5z0FsxY7USlUUlJlVtIGMU4nBzCm\n"
	"QmekHAymZBj79PW6KhNkO5JLJupPvo+7+EJxPBMeNVKAFiCGx89aJk+nNn2veY0D\n"
	"J5I4VKv2DBnsOHPTrgPqTgEftLOhZ2VEASLlfs2cSP/PgSM1MIgzcWrkCCKCf+g5\n"
	"mmhaOVsCgYEA+sDqtk2ftL/rquyq0uKF+nmOiRq8JsCaCSCdKJRPUCc/M/H0NbL1\n"
	"nRx9xAgSbk2kPIlURGetkayb1o3itnrJDY2UhIu7WSTbBmEWfVbzpCWg8ZdXNYjg\n"
	"VAR/vgQ8h6c8KOvOUEdsi4YDQuGjb170ZDMX7dG5z2zqDozNmzxLEp8CgYEAwDRB\n"
	"6S6gwtkJwNX1qhodB0o6jAXDDwLpAPkK1opqaG281344kpj3ZlrYn3B1F4TPwv1H\n"
	"I1LxV5JDnqE9KOPm/dePr4jA1Rgs/8xDHClhd8ISTOTTiM6xWcHANH6ZJeZNatMR\n"
	"easuyN7I9aEeI7bKivxnhERXN5r7fH5gnd8BC0MCgYEAn73CSHzO3wDcizjV4h54\n"
	"p4ZErUcg0bck6eei9rT0ieVWuCrNHmBxY7NA018pDqfbls0Np748rm69oEMnSISU\n"
	"DFRDZuT1Zua5uSikgRihgdKO4xk8b1hRQHTVRCHCxdBd3NvLxQybM48eCL9htJNT\n"
	"MXnzJofSzTdfLAG7Ace5M5UCgYAnftWIcB9yypyZdp37rVAHvnYXbduuSv/MRmC2\n"
	"w0yoVtx2P6aqYSp9au+Wm8pD4fO7csZaeOHFB/ZDM4jYzTQbN198R5Kwdz5P9g5Y\n"
	"TByOOl/+Uwsw0qBY/FpdryITSqbf661sngOIHVeYOdpypk4qj0FKSazObVd+No3u\n"
	"AvQ49wKBgQDmEZyxvmWgHaRVyIzb9qNRvicDdyIqG2C3IYaUF1Q6jsvFsg2Hjbpz\n"
	"X0UELxco5T/Vz050ahPP+M4mPaQT71g9UanniON5hbX2GbVJUlRopv7D+CXlqfMG\n"
	"rUeppZJXciiVp5Tu/b+AczUg8W9jycqQGUdS4pdQXiGe1TXUFShvfQ==\n"
	"-----END RSA PRIVATE KEY-----\n";
static const char pem_ec384[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDZg0IXmMZD74111yMH\n"
	"hrSnigpVH2PBnCa0P2XOttIYScSfLe1yQnK1lus8uWp3tH+hZANiAASwjoBLSBZR\n"
	"JogWAs5GobWHHND7iOrk4hBhST16lL+CUGDIeO5HIVALrv5TyAK0pQsBo/YrUT4W\n"
	"7CxQxCa1bjj1y7+tAtzYGFQyNLiFTWGMDgFUvW9/CBCcR7OK8gr4wms=\n"
	"-----END PRIVATE KEY-----\n";
static const char pem_ec521[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIB7LbHQkyY8mdOUOsd\n"
	"E89zqRfN6WE7kbz6WZrxLw9GSc5iAwa1GvWBggewbEDEkmHzu/6bIWPTnT4O7Mcm\n"
	"gTfszpyhgYkDgYYABABV3tnp46jwz4QBmgum1Sf51oqeVhzAflm2dHffuZHvxflx\n"
	"pbWsl1O8ETtgQE5u1kU3eRyAdLZDprodJPXXaLcX0gAoUW1hILIzzc9O4OmYnGzj\n"
	"mKIR6Owvhvp/rALGqwjny2Gpl0TUKHuuUeqFgda/1owYwEHDEgw9jqCqVcV3oJqW\n"
	"CQ==\n"
	"-----END PRIVATE KEY-----\n";

static struct teekey *pem_key(const char *pem)
{
	struct teekey *k;

	assert_int_equal(teekey_import_pem(&k, (const uint8_t *)pem, strlen(pem)), 0);
	return k;
}

/* The public half of a PEM key, for the encrypting side. */
static void pem_pk(const char *pem, mbedtls_pk_context *pk)
{
	mbedtls_pk_init(pk);
	assert_int_equal(mbedtls_pk_parse_key(pk, (const uint8_t *)pem, strlen(pem) + 1, NULL,
					      0, test_rng, NULL), 0);
}

/* One recipient for seal_any(): alg, and the key as a pk (NULL: the RSA
 * teekey g_rsa through its JWK). */
struct rcpt {
	const char *alg;
	mbedtls_pk_context *pk;
};

/* Wrap cek for r: encrypted_key (base64url) into ek, the recipient's header
 * members (without braces) into hdr. */
static void wrap_for(const struct rcpt *r, const uint8_t *cek, size_t cek_len, char *ek,
		     char *hdr, size_t hcap)
{
	uint8_t out[512];

	if (strncmp(r->alg, "RSA", 3) == 0) {
		mbedtls_rsa_context own, *rsa = &own;

		mbedtls_rsa_init(&own);
		if (r->pk) {
			rsa = mbedtls_pk_rsa(*r->pk);
		} else {
			char jwk[TEEKEY_JWK_MAX];
			uint8_t nb[512], eb[8];
			size_t nlen, elen;

			assert_int_equal(teekey_jwk(g_rsa, jwk, sizeof(jwk), NULL), 0);
			nlen = jwk_member(jwk, "n", nb, sizeof(nb));
			elen = jwk_member(jwk, "e", eb, sizeof(eb));
			assert_int_equal(mbedtls_rsa_import_raw(&own, nb, nlen, NULL, 0, NULL, 0,
								NULL, 0, eb, elen), 0);
			assert_int_equal(mbedtls_rsa_complete(&own), 0);
		}
		assert_int_equal(mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21,
							 strcmp(r->alg, "RSA-OAEP") == 0 ?
							 MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256), 0);
		assert_int_equal(mbedtls_rsa_rsaes_oaep_encrypt(rsa, test_rng, NULL, NULL, 0,
								cek_len, cek, out), 0);
		b64u(out, mbedtls_rsa_get_len(rsa), ek, 1024);
		snprintf(hdr, hcap, "\"alg\":\"%s\"", r->alg);
		mbedtls_rsa_free(&own);
		return;
	}
	{
		const mbedtls_ecp_keypair *peer = mbedtls_pk_ec(*r->pk);
		mbedtls_ecp_group_id id = mbedtls_ecp_keypair_get_group_id(peer);
		unsigned bits = (unsigned)atoi(r->alg + 9);          /* ECDH-ES+A<bits>KW */
		const char *crv = id == MBEDTLS_ECP_DP_SECP256R1 ? "P-256" :
				  id == MBEDTLS_ECP_DP_SECP384R1 ? "P-384" : "P-521";
		size_t cl = id == MBEDTLS_ECP_DP_SECP256R1 ? 32 :
			    id == MBEDTLS_ECP_DP_SECP384R1 ? 48 : 66;
		uint8_t pt[1 + 2 * 66], z[66], md[32], buf[256];
		char ex[100], ey[100];
		mbedtls_ecp_group grp;
		mbedtls_ecp_point Q, R;
		mbedtls_mpi d, zm, pd;
		mbedtls_nist_kw_context kw;
		size_t len, off = 0, al = strlen(r->alg);

		mbedtls_ecp_group_init(&grp);
		mbedtls_ecp_point_init(&Q);
		mbedtls_ecp_point_init(&R);
		mbedtls_mpi_init(&d);
		mbedtls_mpi_init(&zm);
		mbedtls_mpi_init(&pd);
		assert_int_equal(mbedtls_ecp_export(peer, &grp, &pd, &R), 0);
		assert_int_equal(mbedtls_ecp_gen_keypair(&grp, &d, &Q, test_rng, NULL), 0);
		assert_int_equal(mbedtls_ecdh_compute_shared(&grp, &zm, &R, &d, test_rng, NULL), 0);
		assert_int_equal(mbedtls_mpi_write_binary(&zm, z, cl), 0);
		assert_int_equal(mbedtls_ecp_point_write_binary(&grp, &Q,
				 MBEDTLS_ECP_PF_UNCOMPRESSED, &len, pt, sizeof(pt)), 0);
		/* Concat KDF, RFC 7518 §4.6.2, written out */
		memcpy(buf + off, "\0\0\0\1", 4), off += 4;
		memcpy(buf + off, z, cl), off += cl;
		buf[off++] = 0, buf[off++] = 0, buf[off++] = 0, buf[off++] = (uint8_t)al;
		memcpy(buf + off, r->alg, al), off += al;
		memset(buf + off, 0, 8), off += 8;
		buf[off++] = 0, buf[off++] = 0, buf[off++] = (uint8_t)(bits >> 8),
		buf[off++] = (uint8_t)bits;
		assert_int_equal(mbedtls_sha256(buf, off, md, 0), 0);
		mbedtls_nist_kw_init(&kw);
		assert_int_equal(mbedtls_nist_kw_setkey(&kw, MBEDTLS_CIPHER_ID_AES, md, bits, 1), 0);
		assert_int_equal(mbedtls_nist_kw_wrap(&kw, MBEDTLS_KW_MODE_KW, cek, cek_len, out,
						      &len, sizeof(out)), 0);
		b64u(out, len, ek, 1024);
		b64u(pt + 1, cl, ex, sizeof(ex));
		b64u(pt + 1 + cl, cl, ey, sizeof(ey));
		snprintf(hdr, hcap, "\"alg\":\"%s\",\"epk\":{\"kty\":\"EC\",\"crv\":\"%s\","
			 "\"x\":\"%s\",\"y\":\"%s\"}", r->alg, crv, ex, ey);
		mbedtls_nist_kw_free(&kw);
		mbedtls_mpi_free(&pd);
		mbedtls_mpi_free(&zm);
		mbedtls_mpi_free(&d);
		mbedtls_ecp_point_free(&R);
		mbedtls_ecp_point_free(&Q);
		mbedtls_ecp_group_free(&grp);
	}
}

enum { FLAT, GENERAL, GENERAL_DUP_EK };

/* A go-jose style JWE of pt for recipients r[0..nr): FLAT puts the single
 * recipient's header into the protected one (as go-jose does), GENERAL
 * writes {"enc"} protected + recipients, GENERAL_DUP_EK also repeats the
 * first encrypted_key on top (Debian skopeo).  prot_extra is appended
 * inside the protected header, top_extra inside the outer object. */
static size_t seal_any(char *json, size_t cap, const struct rcpt *r, size_t nr, int form,
		       const char *enc, const char *prot_extra, const char *top_extra,
		       const uint8_t *pt, size_t n)
{
	static char ek[4][1024], hdr[4][600];
	char prot_json[1024], prot[1500], ivs[32], cts[2048], tags[32], rec[8192];
	uint8_t cek[32], iv[12], tag[16], ct[1024];
	size_t cek_len = enc[1] == '1' ? (enc[2] == '2' ? 16 : 24) : 32, i, off = 0;
	mbedtls_gcm_context g;
	int w;

	assert_true(nr <= 4 && n <= sizeof(ct));
	test_rng(NULL, cek, cek_len);
	for (i = 0; i < nr; i++)
		wrap_for(&r[i], cek, cek_len, ek[i], hdr[i], sizeof(hdr[i]));
	if (form == FLAT)
		snprintf(prot_json, sizeof(prot_json), "{%s,\"enc\":\"%s\"%s}", hdr[0], enc,
			 prot_extra);
	else
		snprintf(prot_json, sizeof(prot_json), "{\"enc\":\"%s\"%s}", enc, prot_extra);
	b64u(prot_json, strlen(prot_json), prot, sizeof(prot));
	test_rng(NULL, iv, sizeof(iv));
	mbedtls_gcm_init(&g);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, cek,
					    (unsigned)cek_len * 8), 0);
	assert_int_equal(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, iv, 12,
						   (const uint8_t *)prot, strlen(prot), pt, ct,
						   16, tag), 0);
	mbedtls_gcm_free(&g);
	b64u(iv, 12, ivs, sizeof(ivs));
	b64u(ct, n, cts, sizeof(cts));
	b64u(tag, 16, tags, sizeof(tags));
	if (form == FLAT) {
		w = snprintf(json, cap, "{\"protected\":\"%s\",\"encrypted_key\":\"%s\","
			     "\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"%s}", prot, ek[0],
			     ivs, cts, tags, top_extra);
	} else {
		for (i = 0; i < nr; i++)
			off += (size_t)snprintf(rec + off, sizeof(rec) - off,
						"%s{\"header\":{%s},\"encrypted_key\":\"%s\"}",
						i ? "," : "", hdr[i], ek[i]);
		w = snprintf(json, cap, "{\"protected\":\"%s\",\"recipients\":[%s],%s%s%s"
			     "\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"%s}", prot, rec,
			     form == GENERAL_DUP_EK ? "\"encrypted_key\":\"" : "",
			     form == GENERAL_DUP_EK ? ek[0] : "",
			     form == GENERAL_DUP_EK ? "\"," : "", ivs, cts, tags, top_extra);
	}
	assert_true(w > 0 && (size_t)w < cap);
	return (size_t)w;
}

static const uint8_t any_pt[] = "{\"symkey\":\"...\",\"cipheroptions\":{\"nonce\":\"...\"}}";

/* Open json with k: rc, and on success the plaintext is any_pt; on failure
 * nothing is left in the output. */
static int open_any(const struct teekey *k, const char *json, size_t n)
{
	uint8_t out[1024];
	size_t len = 7, i;
	int rc;

	memset(out, 0xa5, sizeof(out));
	rc = jwe_decrypt_any(k, json, n, out, sizeof(out), &len);
	if (rc == 0) {
		assert_int_equal(len, sizeof(any_pt));
		assert_memory_equal(out, any_pt, len);
	} else {
		assert_int_equal(len, 0);
		for (i = 0; i < sizeof(out); i++)
			assert_true(out[i] == 0 || out[i] == 0xa5);
	}
	return rc;
}

static void test_import_pem(void **state)
{
	static const char *const pems[] = { pem_rsa1, pem_rsa8, pem_ec256, pem_ec384,
					    pem_ec521 };
	static const enum teekey_alg algs[] = { TEEKEY_RSA_OAEP_256, TEEKEY_RSA_OAEP_256,
						TEEKEY_EC_P256, TEEKEY_EC_P384, TEEKEY_EC_P521 };
	static const char *const crvs[] = { NULL, NULL, "P-256", "P-384", "P-521" };
	struct teekey *k;
	mbedtls_rsa_context rsa;
	mbedtls_pk_context pk;
	uint8_t der[2048];
	char bad[4096], jwk[TEEKEY_JWK_MAX];
	int n;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		k = pem_key(pems[i]);
		assert_int_equal(teekey_alg(k), algs[i]);
		if (crvs[i])
			assert_string_equal(teekey_ec_crv(k), crvs[i]);
		else
			assert_null(teekey_ec_crv(k));
		assert_int_equal(teekey_jwk(k, jwk, sizeof(jwk), NULL),
				 algs[i] == TEEKEY_EC_P384 || algs[i] == TEEKEY_EC_P521 ?
				 -EINVAL : 0);
		teekey_free(k);
	}
	/* a NUL-terminated length works too */
	assert_int_equal(teekey_import_pem(&k, (const uint8_t *)pem_ec256, sizeof(pem_ec256)),
			 0);
	teekey_free(k);
	/* garbage, a damaged body, nothing */
	assert_int_equal(teekey_import_pem(&k, (const uint8_t *)"hello", 5), -EINVAL);
	assert_null(k);
	snprintf(bad, sizeof(bad), "%s", pem_ec256);
	bad[31] = bad[31] == 'A' ? 'B' : 'A';  /* the SEQUENCE tag */
	assert_int_equal(teekey_import_pem(&k, (const uint8_t *)bad, strlen(bad)), -EINVAL);
	assert_int_equal(teekey_import_pem(&k, (const uint8_t *)"", 0), -EINVAL);
	/* an encrypted key */
	assert_int_equal(teekey_import_pem(&k, (const uint8_t *)
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG\n"
		"-----END ENCRYPTED PRIVATE KEY-----\n", 110), -EINVAL);
	/* DER works; RSA-1024 is refused */
	pem_pk(pem_rsa8, &pk);
	n = mbedtls_pk_write_key_der(&pk, der, sizeof(der));
	assert_true(n > 0);
	assert_int_equal(teekey_import_pem(&k, der + sizeof(der) - n, (size_t)n), 0);
	assert_int_equal(teekey_alg(k), TEEKEY_RSA_OAEP_256);
	teekey_free(k);
	mbedtls_pk_free(&pk);
	mbedtls_pk_init(&pk);
	assert_int_equal(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)), 0);
	mbedtls_rsa_init(&rsa);
	assert_int_equal(mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), test_rng, NULL, 1024, 65537),
			 0);
	n = mbedtls_pk_write_key_der(&pk, der, sizeof(der));
	assert_true(n > 0);
	assert_int_equal(teekey_import_pem(&k, der + sizeof(der) - n, (size_t)n), -EINVAL);
	mbedtls_rsa_free(&rsa);
	mbedtls_pk_free(&pk);
}

/* Flattened: every alg and enc, RSA-OAEP (SHA-1) as ocicrypt writes it. */
static void test_any_flat(void **state)
{
	static const struct {
		const char *pem, *alg, *enc;
	} c[] = {
		{ pem_rsa1, "RSA-OAEP", "A256GCM" },
		{ pem_rsa8, "RSA-OAEP", "A128GCM" },
		{ pem_rsa8, "RSA-OAEP-256", "A256GCM" },
		{ pem_ec256, "ECDH-ES+A256KW", "A256GCM" },
		{ pem_ec256, "ECDH-ES+A128KW", "A192GCM" },
		{ pem_ec384, "ECDH-ES+A192KW", "A256GCM" },
		{ pem_ec521, "ECDH-ES+A256KW", "A128GCM" },
	};
	char json[8192];
	mbedtls_pk_context pk;
	struct teekey *k;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct rcpt r = { c[i].alg, &pk };

		pem_pk(c[i].pem, &pk);
		k = pem_key(c[i].pem);
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, "", "", any_pt,
			     sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), 0);
		/* kid / typ / cty tolerated, zip and crit not; AAD is the protected */
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc,
			     ",\"kid\":\"a\",\"typ\":\"JWE\",\"cty\":\"x\"", "", any_pt,
			     sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), 0);
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, ",\"zip\":\"DEF\"", "",
			     any_pt, sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), -JWE_EALG);
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, ",\"crit\":[\"x\"]", "",
			     any_pt, sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), -JWE_EALG);
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, ",\"apu\":\"AA\"", "",
			     any_pt, sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), -JWE_EFORMAT);
		/* a header member twice (protected and header) */
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, "",
			     ",\"header\":{\"enc\":\"A256GCM\"}", any_pt, sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), -JWE_EFORMAT);
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, "", ",\"aad\":\"AA\"",
			     any_pt, sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), -JWE_EALG);
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, "", ",\"x\":1", any_pt,
			     sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), -JWE_EFORMAT);
		/* an unprotected header joins in */
		n = seal_any(json, sizeof(json), &r, 1, FLAT, c[i].enc, "",
			     ",\"unprotected\":{\"kid\":\"u\"}", any_pt, sizeof(any_pt));
		assert_int_equal(open_any(k, json, n), 0);
		teekey_free(k);
		mbedtls_pk_free(&pk);
	}
}

/* Flattened RSA-OAEP (SHA-1): the KBS path stays as strict as before. */
static void test_any_kbs_strict(void **state)
{
	char json[8192];
	mbedtls_pk_context pk;
	struct teekey *k = pem_key(pem_rsa8), *k384 = pem_key(pem_ec384);
	struct rcpt r = { "RSA-OAEP", &pk };
	uint8_t out[1024];
	size_t n, len;

	(void)state;
	pem_pk(pem_rsa8, &pk);
	n = seal_any(json, sizeof(json), &r, 1, FLAT, "A256GCM", "", "", any_pt,
		     sizeof(any_pt));
	assert_int_equal(open_any(k, json, n), 0);
	assert_int_equal(jwe_decrypt(k, json, n, out, sizeof(out), &len), -JWE_EALG);
	r.alg = "RSA-OAEP-256";
	n = seal_any(json, sizeof(json), &r, 1, FLAT, "A256GCM", "", "", any_pt,
		     sizeof(any_pt));
	assert_int_equal(jwe_decrypt(k, json, n, out, sizeof(out), &len), 0);
	assert_int_equal(jwe_decrypt(k384, json, n, out, sizeof(out), &len), -JWE_EALG);
	/* the KBS's own shape opens with the any path too */
	{
		struct teekey *kv = vector_key();
		struct jwe_text t;
		char j2[4096];
		size_t n2;

		vector_parts(&t);
		n2 = compose(&t, j2, sizeof(j2));
		assert_int_equal(jwe_decrypt_any(kv, j2, n2, out, sizeof(out), &len), 0);
		assert_int_equal(len, 12);
		teekey_free(kv);
	}
	teekey_free(k384);
	teekey_free(k);
	mbedtls_pk_free(&pk);
}

/* General serialization: several recipients, each key finds its own. */
static void test_any_general(void **state)
{
	char json[16384];
	mbedtls_pk_context prsa, pec, p384;
	struct teekey *krsa = pem_key(pem_rsa1), *kec = pem_key(pem_ec256),
		      *k384 = pem_key(pem_ec384), *k521 = pem_key(pem_ec521);
	size_t n;
	char *p;

	(void)state;
	pem_pk(pem_rsa8, &prsa);
	pem_pk(pem_ec256, &pec);
	pem_pk(pem_ec384, &p384);
	{
		/* another RSA key first (g_rsa, SHA-1 and SHA-256), then ours */
		const struct rcpt r[] = { { "RSA-OAEP", NULL }, { "RSA-OAEP-256", NULL },
					  { "ECDH-ES+A256KW", &pec }, { "RSA-OAEP", &prsa } };

		n = seal_any(json, sizeof(json), r, 4, GENERAL, "A256GCM", "", "", any_pt,
			     sizeof(any_pt));
		assert_int_equal(open_any(krsa, json, n), 0);
		assert_int_equal(open_any(kec, json, n), 0);
		assert_int_equal(open_any(g_rsa, json, n), 0);
		assert_int_equal(open_any(k384, json, n), -JWE_EALG);  /* no P-384 recipient */
		/* GCM failure is final */
		p = strstr(json, "\"tag\":\"") + 7;
		*p = *p == 'A' ? 'B' : 'A';
		assert_int_equal(open_any(kec, json, n), -JWE_EAUTH);
		n = seal_any(json, sizeof(json), r, 4, GENERAL_DUP_EK, "A256GCM", "", "",
			     any_pt, sizeof(any_pt));
		assert_int_equal(open_any(krsa, json, n), 0);
		assert_int_equal(open_any(kec, json, n), 0);
		/* the repeated encrypted_key must be the first recipient's */
		p = strstr(json, "],\"encrypted_key\":\"") + 19;
		*p = *p == 'A' ? 'B' : 'A';
		assert_int_equal(open_any(kec, json, n), -JWE_EFORMAT);
	}
	{
		/* only other keys of our kind: unwrap fails everywhere */
		const struct rcpt r[] = { { "RSA-OAEP", NULL }, { "ECDH-ES+A128KW", &pec } };

		n = seal_any(json, sizeof(json), r, 2, GENERAL, "A192GCM", "", "", any_pt,
			     sizeof(any_pt));
		assert_int_equal(open_any(krsa, json, n), -JWE_EKEY);
		assert_int_equal(open_any(kec, json, n), 0);
		assert_int_equal(open_any(k521, json, n), -JWE_EALG);
		/* a top-level header next to recipients; an unknown recipient member;
		 * alg in both the protected and a recipient header */
		n = seal_any(json, sizeof(json), r, 2, GENERAL, "A192GCM", "",
			     ",\"header\":{}", any_pt, sizeof(any_pt));
		assert_int_equal(open_any(kec, json, n), -JWE_EFORMAT);
		n = seal_any(json, sizeof(json), r, 2, GENERAL, "A192GCM",
			     ",\"alg\":\"RSA-OAEP\"", "", any_pt, sizeof(any_pt));
		assert_int_equal(open_any(kec, json, n), -JWE_EFORMAT);
		n = seal_any(json, sizeof(json), r, 2, GENERAL, "A192GCM", "", "", any_pt,
			     sizeof(any_pt));
		p = strstr(json, "{\"header\"");
		memcpy(p, "{\"hdr\":{}, \"x", 13);
		assert_int_equal(open_any(kec, json, n), -JWE_EFORMAT);
	}
	{
		/* a P-384 recipient among P-256 ones: curves decide */
		const struct rcpt r[] = { { "ECDH-ES+A256KW", &pec }, { "ECDH-ES+A256KW", &p384 } };

		n = seal_any(json, sizeof(json), r, 2, GENERAL, "A256GCM", "", "", any_pt,
			     sizeof(any_pt));
		assert_int_equal(open_any(kec, json, n), 0);
		assert_int_equal(open_any(k384, json, n), 0);
	}
	/* shapes */
	assert_int_equal(open_any(kec, "{}", 2), -JWE_EFORMAT);
	assert_int_equal(open_any(kec, "[]", 2), -JWE_EFORMAT);
	assert_int_equal(open_any(kec, "{\"protected\":\"e30\",\"recipients\":[],\"iv\":\"\","
				  "\"ciphertext\":\"\",\"tag\":\"\"}", 68), -JWE_EFORMAT);
	teekey_free(krsa);
	teekey_free(kec);
	teekey_free(k384);
	teekey_free(k521);
	mbedtls_pk_free(&prsa);
	mbedtls_pk_free(&pec);
	mbedtls_pk_free(&p384);
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
		cmocka_unit_test(test_import_pem),
		cmocka_unit_test(test_any_flat),
		cmocka_unit_test(test_any_kbs_strict),
		cmocka_unit_test(test_any_general),
	};

	return cmocka_run_group_tests(tests, rsa_setup, rsa_teardown);
}
