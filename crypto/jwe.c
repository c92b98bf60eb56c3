/* jwe: open a Trustee KBS JWE; see jwe.h.
 *
 * Order: the outer object and every member's encoding are checked first, then
 * the protected header against the key, and only then the key agreement, the
 * key unwrap and GCM, so malformed input never reaches the private key. */
#include "crypto/jwe.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/nist_kw.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <yyjson.h>

#include "crypto/b64.h"

#define ALG_ECDH "ECDH-ES+A256KW"
#define ALG_RSA "RSA-OAEP-256"
#define ENC_GCM "A256GCM"
#define IV_LEN 12
#define TAG_LEN 16
#define CEK_LEN 32
#define WRAPPED_LEN (CEK_LEN + 8)
#define EK_MAX 512                  /* RSA-4096 */

/* The members of the outer object, in the order of `names`. */
enum { M_PROTECTED, M_EK, M_IV, M_CT, M_TAG, M_COUNT };
static const char *const names[M_COUNT] = {
	"protected", "encrypted_key", "iv", "ciphertext", "tag",
};

struct span {
	const char *p;
	size_t n;
};

/* What the checks in front of the crypto produce. */
struct jwe_in {
	struct span m[M_COUNT];
	uint8_t iv[IV_LEN], tag[TAG_LEN];
	uint8_t ek[EK_MAX];
	size_t ek_len;
	uint8_t epk_x[32], epk_y[32];   /* ECDH-ES+A256KW only */
};

/* Index of key in list, or -1. */
static int member_index(yyjson_val *key, const char *const *list, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (yyjson_equals_strn(key, list[i], strlen(list[i])))
			return i;
	return -1;
}

/* Exactly the members of list, each once, values of the given types (one
 * yyjson_type per member); vals[i] receives each. */
static int take_members(yyjson_val *obj, const char *const *list, const yyjson_type *types,
			int count, yyjson_val **vals)
{
	yyjson_obj_iter it;
	yyjson_val *key;
	int i;

	if (!yyjson_is_obj(obj) || yyjson_obj_size(obj) != (size_t)count)
		return -JWE_EFORMAT;
	for (i = 0; i < count; i++)
		vals[i] = NULL;
	yyjson_obj_iter_init(obj, &it);
	while ((key = yyjson_obj_iter_next(&it))) {
		i = member_index(key, list, count);
		if (i < 0 || vals[i])
			return -JWE_EFORMAT;
		vals[i] = yyjson_obj_iter_get_val(key);
		if (yyjson_get_type(vals[i]) != types[i])
			return -JWE_EFORMAT;
	}
	return 0;
}

static bool span_is(const struct span *s, const char *lit)
{
	return s->n == strlen(lit) && memcmp(s->p, lit, s->n) == 0;
}

static struct span str_of(yyjson_val *v)
{
	struct span s = { yyjson_get_str(v), yyjson_get_len(v) };

	return s;
}

/* Decode s into exactly want bytes at out. */
static int decode_exact(const struct span *s, uint8_t *out, size_t want, int code)
{
	size_t len;

	if (b64_decode(s->p, s->n, out, want, &len, true) < 0 || len != want)
		return code;
	return 0;
}

/* An epk of the key's curve: {"kty":"EC","crv","x","y"} exactly, x and y
 * coord_len bytes.  Shape only when crv is NULL. */
static int epk_any(yyjson_val *epk, const char *crv, size_t coord_len, uint8_t *x,
		   uint8_t *y)
{
	static const char *const epk_names[] = { "crv", "kty", "x", "y" };
	static const yyjson_type t[] = { YYJSON_TYPE_STR, YYJSON_TYPE_STR,
					 YYJSON_TYPE_STR, YYJSON_TYPE_STR };
	yyjson_val *v[4];
	struct span c, kty, xs, ys;

	if (take_members(epk, epk_names, t, 4, v) < 0)
		return -JWE_EFORMAT;
	c = str_of(v[0]);
	kty = str_of(v[1]);
	xs = str_of(v[2]);
	ys = str_of(v[3]);
	if (!span_is(&kty, "EC"))
		return -JWE_EEPK;
	if (!crv)
		return 0;
	if (!span_is(&c, crv) ||
	    decode_exact(&xs, x, coord_len, -JWE_EEPK) < 0 ||
	    decode_exact(&ys, y, coord_len, -JWE_EEPK) < 0)
		return -JWE_EEPK;
	return 0;
}

static int parse_epk(yyjson_val *epk, struct jwe_in *in)
{
	return epk_any(epk, "P-256", 32, in->epk_x, in->epk_y);
}

/* A header whose alg or enc (first occurrence) is a string other than the
 * one this key takes is JWE_EALG, whatever else is wrong with it. */
static int check_alg(yyjson_val *root, bool ec)
{
	yyjson_val *alg = yyjson_obj_get(root, "alg"), *enc = yyjson_obj_get(root, "enc");

	if ((yyjson_is_str(alg) && !yyjson_equals_str(alg, ec ? ALG_ECDH : ALG_RSA)) ||
	    (yyjson_is_str(enc) && !yyjson_equals_str(enc, ENC_GCM)))
		return -JWE_EALG;
	return 0;
}

/* alg, enc and epk of the parsed header object against the key. */
static int check_header(yyjson_val *root, const struct teekey *k, struct jwe_in *in)
{
	static const char *const hdr_names[] = { "alg", "enc", "epk" };
	static const yyjson_type t[] = { YYJSON_TYPE_STR, YYJSON_TYPE_STR, YYJSON_TYPE_OBJ };
	bool ec = teekey_alg(k) == TEEKEY_EC_P256;
	yyjson_val *v[3];
	struct span alg, enc;

	if (!yyjson_is_obj(root))
		return -JWE_EFORMAT;
	if (check_alg(root, ec) < 0)
		return -JWE_EALG;
	if (take_members(root, hdr_names, t, ec ? 3 : 2, v) < 0)
		return -JWE_EFORMAT;
	alg = str_of(v[0]);
	enc = str_of(v[1]);
	if (!span_is(&alg, ec ? ALG_ECDH : ALG_RSA) || !span_is(&enc, ENC_GCM))
		return -JWE_EALG;
	return ec ? parse_epk(v[2], in) : 0;
}

static int parse_header(const struct teekey *k, struct jwe_in *in)
{
	uint8_t hdr[JWE_PROTECTED_MAX / 4 * 3];
	yyjson_doc *doc;
	size_t len;
	int rc;

	if (in->m[M_PROTECTED].n > JWE_PROTECTED_MAX ||
	    b64_decode(in->m[M_PROTECTED].p, in->m[M_PROTECTED].n, hdr, sizeof(hdr), &len,
		       true) < 0)
		return -JWE_EFORMAT;
	doc = yyjson_read_opts((char *)hdr, len, YYJSON_READ_NOFLAG, NULL, NULL);
	if (!doc)
		return -JWE_EFORMAT;
	rc = check_header(yyjson_doc_get_root(doc), k, in);
	yyjson_doc_free(doc);
	return rc;
}

/* The outer object: five strings; iv, tag and encrypted_key decoded. */
static int parse_outer(yyjson_val *root, struct jwe_in *in)
{
	static const yyjson_type t[M_COUNT] = { YYJSON_TYPE_STR, YYJSON_TYPE_STR,
						YYJSON_TYPE_STR, YYJSON_TYPE_STR,
						YYJSON_TYPE_STR };
	yyjson_val *v[M_COUNT];
	int i;

	if (take_members(root, names, t, M_COUNT, v) < 0)
		return -JWE_EFORMAT;
	for (i = 0; i < M_COUNT; i++)
		in->m[i] = str_of(v[i]);
	if (decode_exact(&in->m[M_IV], in->iv, IV_LEN, -JWE_EFORMAT) < 0 ||
	    decode_exact(&in->m[M_TAG], in->tag, TAG_LEN, -JWE_EFORMAT) < 0 ||
	    b64_decode(in->m[M_EK].p, in->m[M_EK].n, in->ek, sizeof(in->ek), &in->ek_len,
		       true) < 0)
		return -JWE_EFORMAT;
	return 0;
}

/* RFC 7518 §4.6.2 Concat KDF, one SHA-256 round, empty PartyUInfo /
 * PartyVInfo: the bits-bit KEK for ECDH-ES+AxxxKW (bits ≤ 256). */
static int concat_kdf_any(const char *alg, unsigned bits, const uint8_t *z, size_t zlen,
			  uint8_t *kek)
{
	const uint8_t pre[] = { 0, 0, 0, 1 };
	const uint8_t alg_len[] = { 0, 0, 0, (uint8_t)strlen(alg) };
	const uint8_t tail[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(bits >> 8),
				 (uint8_t)bits };
	uint8_t md[32];
	mbedtls_sha256_context c;
	int ret;

	mbedtls_sha256_init(&c);
	ret = mbedtls_sha256_starts(&c, 0);
	if (!ret)
		ret = mbedtls_sha256_update(&c, pre, sizeof(pre));
	if (!ret)
		ret = mbedtls_sha256_update(&c, z, zlen);
	if (!ret)
		ret = mbedtls_sha256_update(&c, alg_len, sizeof(alg_len));
	if (!ret)
		ret = mbedtls_sha256_update(&c, (const uint8_t *)alg, strlen(alg));
	if (!ret)
		ret = mbedtls_sha256_update(&c, tail, sizeof(tail));
	if (!ret)
		ret = mbedtls_sha256_finish(&c, md);
	mbedtls_sha256_free(&c);
	if (!ret)
		memcpy(kek, md, bits / 8);
	mbedtls_platform_zeroize(md, sizeof(md));
	return ret ? -JWE_ECRYPTO : 0;
}

/* Unwrap (RFC 3394) the n bytes at wrapped with a bits-bit kek into exactly
 * cek_len bytes of cek. */
static int kw_unwrap_any(const uint8_t *kek, unsigned bits, const uint8_t *wrapped,
			 size_t n, uint8_t *cek, size_t cek_len)
{
	mbedtls_nist_kw_context kw;
	uint8_t tmp[CEK_LEN + 8];
	size_t olen = 0;
	int rc = -JWE_ECRYPTO;

	if (n != cek_len + 8)
		return -JWE_EKEY;
	mbedtls_nist_kw_init(&kw);
	if (mbedtls_nist_kw_setkey(&kw, MBEDTLS_CIPHER_ID_AES, kek, bits, 0) != 0)
		goto out;
	rc = -JWE_EKEY;
	if (mbedtls_nist_kw_unwrap(&kw, MBEDTLS_KW_MODE_KW, wrapped, n, tmp, &olen,
				   sizeof(tmp)) != 0 || olen != cek_len)
		goto out;
	memcpy(cek, tmp, cek_len);
	rc = 0;
out:
	mbedtls_platform_zeroize(tmp, sizeof(tmp));
	mbedtls_nist_kw_free(&kw);
	return rc;
}

static int cek_ecdh(const struct teekey *k, const struct jwe_in *in, uint8_t cek[CEK_LEN])
{
	uint8_t z[32], kek[32];
	int rc;

	if (in->ek_len != WRAPPED_LEN)
		return -JWE_EFORMAT;
	rc = teekey_ecdh_p256(k, in->epk_x, in->epk_y, z);
	if (rc == -TEEKEY_EPOINT)
		rc = -JWE_EEPK;
	else if (rc < 0 && rc != -ENOMEM)
		rc = -JWE_ECRYPTO;
	if (rc < 0)
		goto out;
	rc = concat_kdf_any(ALG_ECDH, 256, z, 32, kek);
	if (rc == 0)
		rc = kw_unwrap_any(kek, 256, in->ek, in->ek_len, cek, CEK_LEN);
out:
	mbedtls_platform_zeroize(z, sizeof(z));
	mbedtls_platform_zeroize(kek, sizeof(kek));
	return rc;
}

static int cek_rsa(const struct teekey *k, const struct jwe_in *in, uint8_t cek[CEK_LEN])
{
	uint8_t tmp[EK_MAX];
	size_t olen = 0;
	int rc;

	rc = teekey_rsa_oaep256_decrypt(k, in->ek, in->ek_len, tmp, sizeof(tmp), &olen);
	if (rc == -EINVAL)
		rc = -JWE_EFORMAT;              /* encrypted_key of the wrong size */
	else if (rc == -TEEKEY_EDECRYPT || (rc == 0 && olen != CEK_LEN))
		rc = -JWE_EKEY;
	else if (rc < 0 && rc != -ENOMEM)
		rc = -JWE_ECRYPTO;
	if (rc == 0)
		memcpy(cek, tmp, CEK_LEN);
	mbedtls_platform_zeroize(tmp, sizeof(tmp));
	return rc;
}

/* AES-256-GCM in place over buf (n bytes). */
static int gcm_open(const struct jwe_in *in, const uint8_t cek[CEK_LEN], uint8_t *buf,
		    size_t n)
{
	mbedtls_gcm_context g;
	int rc = -JWE_ECRYPTO, ret;

	mbedtls_gcm_init(&g);
	if (mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, cek, 256) != 0)
		goto out;
	ret = mbedtls_gcm_auth_decrypt(&g, n, in->iv, IV_LEN,
				       (const uint8_t *)in->m[M_PROTECTED].p,
				       in->m[M_PROTECTED].n, in->tag, TAG_LEN, buf, buf);
	rc = ret == 0 ? 0 : ret == MBEDTLS_ERR_GCM_AUTH_FAILED ? -JWE_EAUTH : -JWE_ECRYPTO;
out:
	mbedtls_gcm_free(&g);
	return rc;
}

/* Everything after the outer object parsed: header, ciphertext, keys, GCM. */
static int open_parsed(const struct teekey *k, struct jwe_in *in, uint8_t *out,
		       size_t cap, size_t *out_len)
{
	uint8_t cek[CEK_LEN];
	size_t len = 0;
	int rc;

	rc = parse_header(k, in);
	if (rc < 0)
		return rc;
	rc = b64_decode(in->m[M_CT].p, in->m[M_CT].n, out, cap, &len, true);
	if (rc < 0)
		return rc == -ENOSPC ? -ENOSPC : -JWE_EFORMAT;
	rc = teekey_alg(k) == TEEKEY_EC_P256 ? cek_ecdh(k, in, cek) : cek_rsa(k, in, cek);
	if (rc == 0)
		rc = gcm_open(in, cek, out, len);
	mbedtls_platform_zeroize(cek, sizeof(cek));
	if (rc == 0)
		*out_len = len;
	else if (len)
		mbedtls_platform_zeroize(out, len);
	return rc;
}

/* The common start of both entry points: arguments, size, the JSON text. */
static int jwe_read(const struct teekey *k, const char *json, size_t n, size_t *out_len,
		    yyjson_doc **doc)
{
	yyjson_read_err rerr;

	*out_len = 0;
	if (!k || !json)
		return -EINVAL;
	if (n > JWE_INPUT_MAX)
		return -E2BIG;
	*doc = yyjson_read_opts((char *)json, n, YYJSON_READ_NOFLAG, NULL, &rerr);
	if (!*doc)
		return rerr.code == YYJSON_READ_ERROR_MEMORY_ALLOCATION ? -ENOMEM : -JWE_EFORMAT;
	return 0;
}

int jwe_decrypt(const struct teekey *k, const char *json, size_t n, uint8_t *out,
		size_t cap, size_t *out_len)
{
	struct jwe_in in;
	yyjson_doc *doc;
	int rc;

	if (k && teekey_alg(k) != TEEKEY_EC_P256 && teekey_alg(k) != TEEKEY_RSA_OAEP_256)
		return -JWE_EALG;       /* imported P-384 / P-521: not for the KBS */
	rc = jwe_read(k, json, n, out_len, &doc);
	if (rc < 0)
		return rc;
	memset(&in, 0, sizeof(in));
	rc = parse_outer(yyjson_doc_get_root(doc), &in);
	if (rc == 0)
		rc = open_parsed(k, &in, out, cap, out_len);
	yyjson_doc_free(doc);
	mbedtls_platform_zeroize(&in, sizeof(in));
	return rc;
}

const char *jwe_strerror(int code)
{
	switch (code < 0 ? -code : code) {
	case 0:
		return "success";
	case JWE_EFORMAT:
		return "malformed JWE";
	case JWE_EALG:
		return "JWE alg/enc unsupported or not matching the key";
	case JWE_EEPK:
		return "invalid JWE ephemeral public key";
	case JWE_EKEY:
		return "JWE content key unwrap failed";
	case JWE_EAUTH:
		return "JWE authentication failed";
	case JWE_ECRYPTO:
		return "crypto library failure";
	default:
		return teekey_strerror(code);
	}
}

/* ---- jwe_decrypt_any: image keys (ocicrypt's jwe: recipients) ----------- */

#define ANY_RECIPIENTS_MAX 16
#define EC_COORD_MAX 66                  /* P-521 */

/* The JOSE header members accepted, merged from the protected header, the
 * shared unprotected header and the recipient's header (disjoint). */
enum { H_ALG, H_ENC, H_EPK, H_KID, H_TYP, H_CTY, H_COUNT };
static const char *const hdr_any_names[H_COUNT] = {
	"alg", "enc", "epk", "kid", "typ", "cty",
};

struct hdr {
	yyjson_val *v[H_COUNT];
};

/* Outer members. */
enum { O_PROTECTED, O_UNPROTECTED, O_HEADER, O_EK, O_RECIPIENTS, O_IV, O_CT, O_TAG,
       O_COUNT };
static const char *const outer_any_names[O_COUNT] = {
	"protected", "unprotected", "header", "encrypted_key", "recipients", "iv",
	"ciphertext", "tag",
};
static const yyjson_type outer_any_types[O_COUNT] = {
	YYJSON_TYPE_STR, YYJSON_TYPE_OBJ, YYJSON_TYPE_OBJ, YYJSON_TYPE_STR, YYJSON_TYPE_ARR,
	YYJSON_TYPE_STR, YYJSON_TYPE_STR, YYJSON_TYPE_STR,
};

struct recip {
	struct hdr h;
	yyjson_val *ek;                  /* string, or NULL */
};

/* What a recipient's alg means for the key; kw_bits 0 for RSA. */
struct alg_info {
	const char *name;
	bool ec;
	int sha1;                        /* RSA: OAEP with SHA-1 */
	unsigned kw_bits;                /* ECDH-ES+AxxxKW: KEK size */
};

static const struct alg_info any_algs[] = {
	{ "RSA-OAEP", false, 1, 0 },
	{ "RSA-OAEP-256", false, 0, 0 },
	{ "ECDH-ES+A128KW", true, 0, 128 },
	{ "ECDH-ES+A192KW", true, 0, 192 },
	{ "ECDH-ES+A256KW", true, 0, 256 },
};

/* Add the members of obj (NULL: nothing) to h: known names only, each once
 * across all sources, of the right type.  zip and crit are unsupported. */
static int hdr_add(struct hdr *h, yyjson_val *obj)
{
	yyjson_obj_iter it;
	yyjson_val *key, *val;
	int i;

	if (!obj)
		return 0;
	if (!yyjson_is_obj(obj))
		return -JWE_EFORMAT;
	yyjson_obj_iter_init(obj, &it);
	while ((key = yyjson_obj_iter_next(&it))) {
		val = yyjson_obj_iter_get_val(key);
		if (yyjson_equals_str(key, "zip") || yyjson_equals_str(key, "crit"))
			return -JWE_EALG;
		i = member_index(key, hdr_any_names, H_COUNT);
		if (i < 0 || h->v[i])
			return -JWE_EFORMAT;
		if (i == H_EPK ? !yyjson_is_obj(val) : !yyjson_is_str(val))
			return -JWE_EFORMAT;
		h->v[i] = val;
	}
	return 0;
}

static const struct alg_info *alg_lookup(yyjson_val *alg)
{
	size_t i;

	for (i = 0; i < sizeof(any_algs) / sizeof(any_algs[0]); i++)
		if (yyjson_equals_str(alg, any_algs[i].name))
			return &any_algs[i];
	return NULL;
}

/* Content key length of an enc, 0 when unsupported. */
static size_t enc_key_len(yyjson_val *enc)
{
	if (yyjson_equals_str(enc, "A256GCM"))
		return 32;
	if (yyjson_equals_str(enc, "A192GCM"))
		return 24;
	if (yyjson_equals_str(enc, "A128GCM"))
		return 16;
	return 0;
}

/* Pass 1 for one recipient: merged header complete and well-formed, its
 * encrypted_key (if any) decodes. */
static int recip_check(struct recip *r, yyjson_val *prot, yyjson_val *unprot,
		       yyjson_val *hdr, yyjson_val *ek)
{
	uint8_t scratch[EK_MAX];
	size_t len;
	int rc;

	memset(&r->h, 0, sizeof(r->h));
	r->ek = ek;
	if ((rc = hdr_add(&r->h, prot)) < 0 || (rc = hdr_add(&r->h, unprot)) < 0 ||
	    (rc = hdr_add(&r->h, hdr)) < 0)
		return rc;
	if (!r->h.v[H_ALG] || !r->h.v[H_ENC])
		return -JWE_EFORMAT;
	if (r->h.v[H_EPK] && (rc = epk_any(r->h.v[H_EPK], NULL, 0, NULL, NULL)) < 0)
		return rc;
	if (ek) {
		struct span s = str_of(ek);

		if (b64_decode(s.p, s.n, scratch, sizeof(scratch), &len, true) < 0)
			return -JWE_EFORMAT;
	}
	return 0;
}

/* The content key of a fitting recipient: -JWE_EKEY when it is not ours. */
static int recip_cek(const struct teekey *k, const struct alg_info *a, const struct recip *r,
		     uint8_t *cek, size_t cek_len)
{
	uint8_t ek[EK_MAX], tmp[EK_MAX], z[EC_COORD_MAX], kek[32];
	uint8_t x[EC_COORD_MAX], y[EC_COORD_MAX];
	const char *crv = teekey_ec_crv(k);
	size_t ek_len = 0, olen = 0, coord = 0;
	struct span s = str_of(r->ek);
	int rc;

	if (b64_decode(s.p, s.n, ek, sizeof(ek), &ek_len, true) < 0)
		return -JWE_EFORMAT;
	if (!a->ec) {
		rc = teekey_rsa_oaep_decrypt(k, a->sha1, ek, ek_len, tmp, sizeof(tmp), &olen);
		if (rc == -EINVAL)
			rc = -JWE_EFORMAT;      /* encrypted_key of the wrong size */
		else if (rc == -TEEKEY_EDECRYPT || rc == -ENOSPC || (rc == 0 && olen != cek_len))
			rc = -JWE_EKEY;
		else if (rc < 0 && rc != -ENOMEM)
			rc = -JWE_ECRYPTO;
		if (rc == 0)
			memcpy(cek, tmp, cek_len);
		goto out;
	}
	coord = crv[2] == '2' ? 32 : crv[2] == '3' ? 48 : 66;   /* P-256, P-384, P-521 */
	rc = epk_any(r->h.v[H_EPK], crv, coord, x, y);
	if (rc < 0)
		goto out;
	rc = teekey_ecdh(k, x, y, coord, z);
	if (rc == -TEEKEY_EPOINT)
		rc = -JWE_EEPK;
	else if (rc < 0 && rc != -ENOMEM)
		rc = -JWE_ECRYPTO;
	if (rc == 0)
		rc = concat_kdf_any(a->name, a->kw_bits, z, coord, kek);
	if (rc == 0)
		rc = kw_unwrap_any(kek, a->kw_bits, ek, ek_len, cek, cek_len);
out:
	mbedtls_platform_zeroize(ek, sizeof(ek));
	mbedtls_platform_zeroize(tmp, sizeof(tmp));
	mbedtls_platform_zeroize(z, sizeof(z));
	mbedtls_platform_zeroize(kek, sizeof(kek));
	return rc;
}

/* Whether recipient r is addressed to a key like k (alg family, curve);
 * *a gets its alg. */
static bool recip_fits(const struct teekey *k, const struct recip *r,
		       const struct alg_info **a)
{
	const char *crv = teekey_ec_crv(k);
	yyjson_val *c;

	*a = alg_lookup(r->h.v[H_ALG]);
	if (!*a || (*a)->ec != (crv != NULL) || !r->ek)
		return false;
	if (!crv)
		return true;
	if (!r->h.v[H_EPK])
		return false;
	c = yyjson_obj_get(r->h.v[H_EPK], "crv");
	return yyjson_is_str(c) && yyjson_equals_str(c, crv);
}

/* AES-GCM (key cek_len bytes) in place over buf with AAD = protected. */
static int gcm_open_any(const uint8_t *cek, size_t cek_len, const uint8_t *iv,
			const uint8_t *tag, const struct span *aad, uint8_t *buf, size_t n)
{
	mbedtls_gcm_context g;
	int rc = -JWE_ECRYPTO, ret;

	mbedtls_gcm_init(&g);
	if (mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, cek, (unsigned)cek_len * 8) != 0)
		goto out;
	ret = mbedtls_gcm_auth_decrypt(&g, n, iv, IV_LEN, (const uint8_t *)aad->p, aad->n,
				       tag, TAG_LEN, buf, buf);
	rc = ret == 0 ? 0 : ret == MBEDTLS_ERR_GCM_AUTH_FAILED ? -JWE_EAUTH : -JWE_ECRYPTO;
out:
	mbedtls_gcm_free(&g);
	return rc;
}

struct any_in {
	yyjson_val *o[O_COUNT];
	yyjson_doc *prot_doc;
	struct recip r[ANY_RECIPIENTS_MAX];
	size_t n_r;
	uint8_t iv[IV_LEN], tag[TAG_LEN];
};

/* The outer object, the protected header and every recipient, checked. */
static int any_parse(yyjson_val *root, struct any_in *in)
{
	uint8_t hdr[JWE_PROTECTED_MAX / 4 * 3];
	yyjson_obj_iter it;
	yyjson_val *key, *prot, *rv, *ek;
	struct span p;
	size_t len, i;
	int idx, rc;

	if (!yyjson_is_obj(root))
		return -JWE_EFORMAT;
	yyjson_obj_iter_init(root, &it);
	while ((key = yyjson_obj_iter_next(&it))) {
		if (yyjson_equals_str(key, "aad"))
			return -JWE_EALG;       /* JWE AAD: not supported */
		idx = member_index(key, outer_any_names, O_COUNT);
		if (idx < 0 || in->o[idx])
			return -JWE_EFORMAT;
		in->o[idx] = yyjson_obj_iter_get_val(key);
		if (yyjson_get_type(in->o[idx]) != outer_any_types[idx])
			return -JWE_EFORMAT;
	}
	if (!in->o[O_PROTECTED] || !in->o[O_IV] || !in->o[O_CT] || !in->o[O_TAG])
		return -JWE_EFORMAT;
	p = str_of(in->o[O_IV]);
	if (decode_exact(&p, in->iv, IV_LEN, -JWE_EFORMAT) < 0)
		return -JWE_EFORMAT;
	p = str_of(in->o[O_TAG]);
	if (decode_exact(&p, in->tag, TAG_LEN, -JWE_EFORMAT) < 0)
		return -JWE_EFORMAT;
	p = str_of(in->o[O_PROTECTED]);
	if (p.n > JWE_PROTECTED_MAX || b64_decode(p.p, p.n, hdr, sizeof(hdr), &len, true) < 0)
		return -JWE_EFORMAT;
	in->prot_doc = yyjson_read_opts((char *)hdr, len, YYJSON_READ_NOFLAG, NULL, NULL);
	if (!in->prot_doc)
		return -JWE_EFORMAT;
	prot = yyjson_doc_get_root(in->prot_doc);
	if (!yyjson_is_obj(prot))
		return -JWE_EFORMAT;
	if (!in->o[O_RECIPIENTS]) {             /* flattened */
		if (!in->o[O_EK])
			return -JWE_EFORMAT;
		in->n_r = 1;
		return recip_check(&in->r[0], prot, in->o[O_UNPROTECTED], in->o[O_HEADER],
				   in->o[O_EK]);
	}
	/* general */
	in->n_r = yyjson_arr_size(in->o[O_RECIPIENTS]);
	if (in->o[O_HEADER] || in->n_r == 0)
		return -JWE_EFORMAT;
	if (in->n_r > ANY_RECIPIENTS_MAX)
		return -JWE_EFORMAT;
	for (i = 0; i < in->n_r; i++) {
		static const char *const rnames[] = { "header", "encrypted_key" };
		yyjson_val *m[2] = { NULL, NULL };
		yyjson_obj_iter ri;

		rv = yyjson_arr_get(in->o[O_RECIPIENTS], i);
		if (!yyjson_is_obj(rv))
			return -JWE_EFORMAT;
		yyjson_obj_iter_init(rv, &ri);
		while ((key = yyjson_obj_iter_next(&ri))) {
			idx = member_index(key, rnames, 2);
			if (idx < 0 || m[idx])
				return -JWE_EFORMAT;
			m[idx] = yyjson_obj_iter_get_val(key);
			if (!(idx == 0 ? yyjson_is_obj(m[idx]) : yyjson_is_str(m[idx])))
				return -JWE_EFORMAT;
		}
		rc = recip_check(&in->r[i], prot, in->o[O_UNPROTECTED], m[0], m[1]);
		if (rc < 0)
			return rc;
	}
	/* go-jose (Debian's skopeo) repeats the first recipient's key on top. */
	ek = in->o[O_EK];
	if (ek && (!in->r[0].ek || !yyjson_equals_strn(ek, yyjson_get_str(in->r[0].ek),
							yyjson_get_len(in->r[0].ek))))
		return -JWE_EFORMAT;
	return 0;
}

/* Pass 2: try the recipients that fit the key. */
static int any_open(const struct teekey *k, struct any_in *in, uint8_t *out, size_t cap,
		    size_t *out_len)
{
	const struct alg_info *a;
	struct span ct = str_of(in->o[O_CT]), prot = str_of(in->o[O_PROTECTED]);
	uint8_t cek[CEK_LEN];
	size_t len = 0, cek_len, i;
	int rc = -JWE_EALG, r1;

	for (i = 0; i < in->n_r; i++) {
		if (!recip_fits(k, &in->r[i], &a))
			continue;
		cek_len = enc_key_len(in->r[i].h.v[H_ENC]);
		if (cek_len == 0) {
			rc = -JWE_EALG;
			continue;
		}
		r1 = recip_cek(k, a, &in->r[i], cek, cek_len);
		if (r1 == -ENOMEM || r1 == -JWE_ECRYPTO) {
			rc = r1;
			break;
		}
		if (r1 < 0) {
			/* Not ours (or broken): remember the most telling cause. */
			if (rc == -JWE_EALG || r1 == -JWE_EKEY)
				rc = r1;
			continue;
		}
		r1 = b64_decode(ct.p, ct.n, out, cap, &len, true);
		if (r1 < 0) {
			rc = r1 == -ENOSPC ? -ENOSPC : -JWE_EFORMAT;
			len = 0;
		} else {
			rc = gcm_open_any(cek, cek_len, in->iv, in->tag, &prot, out, len);
		}
		mbedtls_platform_zeroize(cek, sizeof(cek));
		break;          /* the content is shared: one verdict is final */
	}
	mbedtls_platform_zeroize(cek, sizeof(cek));
	if (rc == 0)
		*out_len = len;
	else if (len)
		mbedtls_platform_zeroize(out, len < cap ? len : cap);
	return rc;
}

int jwe_decrypt_any(const struct teekey *k, const char *json, size_t n, uint8_t *out,
		    size_t cap, size_t *out_len)
{
	struct any_in in;
	yyjson_doc *doc;
	int rc = jwe_read(k, json, n, out_len, &doc);

	if (rc < 0)
		return rc;
	memset(&in, 0, sizeof(in));
	rc = any_parse(yyjson_doc_get_root(doc), &in);
	if (rc == 0)
		rc = any_open(k, &in, out, cap, out_len);
	yyjson_doc_free(in.prot_doc);
	yyjson_doc_free(doc);
	mbedtls_platform_zeroize(&in, sizeof(in));
	return rc;
}
