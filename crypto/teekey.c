/* teekey: the ephemeral TEE key; see teekey.h. */
#include "crypto/teekey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include "crypto/b64.h"
#include "crypto/random.h"

#define RSA_BITS 2048
#define RSA_EXP 65537
#define RSA_MAX_BYTES 512     /* the largest modulus teekey_jwk() accepts */
#define RSA_IMPORT_MIN_BITS 2048
#define RSA_IMPORT_MAX_BITS 4096
#define PEM_MAX (64u << 10)   /* longest key file teekey_import_pem() reads */
#define EC_MAX_BYTES 66       /* P-521 */

struct teekey {
	enum teekey_alg alg;
	mbedtls_ecp_keypair ec;    /* TEEKEY_EC_P256, _P384, _P521 */
	/* TEEKEY_RSA_OAEP_256.  Behind a pointer because a private-key
	 * operation updates the blinding values even through a const key. */
	mbedtls_rsa_context *rsa;
};

/* A CTR_DRBG seeded straight from getrandom(2).  Mbed TLS's platform entropy
 * source calls getrandom only under glibc and reads /dev/urandom under musl,
 * which need not exist that early in the guest, so it is not used. */
struct rng {
	mbedtls_ctr_drbg_context drbg;
};

static int getrandom_entropy(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	return random_bytes(out, n) < 0 ? MBEDTLS_ERR_ENTROPY_SOURCE_FAILED : 0;
}

static int rng_open(struct rng *r)
{
	static const unsigned char pers[] = "ccguest teekey";

	mbedtls_ctr_drbg_init(&r->drbg);
	if (mbedtls_ctr_drbg_seed(&r->drbg, getrandom_entropy, NULL, pers,
				  sizeof(pers) - 1) != 0)
		return -TEEKEY_ERNG;
	return 0;
}

static void rng_close(struct rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
}

/* A Mbed TLS error as ours: allocation failures are -ENOMEM. */
static int mbed_err(int ret, int code)
{
	if (ret == MBEDTLS_ERR_MPI_ALLOC_FAILED || ret == MBEDTLS_ERR_ECP_ALLOC_FAILED)
		return -ENOMEM;
	return code;
}

static struct teekey *teekey_new(enum teekey_alg alg)
{
	struct teekey *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->alg = alg;
	mbedtls_ecp_keypair_init(&k->ec);
	if (alg == TEEKEY_RSA_OAEP_256) {
		k->rsa = calloc(1, sizeof(*k->rsa));
		if (!k->rsa) {
			teekey_free(k);
			return NULL;
		}
		mbedtls_rsa_init(k->rsa);
	}
	return k;
}

void teekey_free(struct teekey *k)
{
	if (!k)
		return;
	mbedtls_ecp_keypair_free(&k->ec);
	if (k->rsa) {
		mbedtls_rsa_free(k->rsa);
		mbedtls_platform_zeroize(k->rsa, sizeof(*k->rsa));
		free(k->rsa);
	}
	mbedtls_platform_zeroize(k, sizeof(*k));
	free(k);
}

enum teekey_alg teekey_alg(const struct teekey *k)
{
	return k->alg;
}

static int gen_rsa(struct teekey *k, struct rng *r)
{
	int ret = mbedtls_rsa_set_padding(k->rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);

	if (ret == 0)
		ret = mbedtls_rsa_gen_key(k->rsa, mbedtls_ctr_drbg_random, &r->drbg,
					  RSA_BITS, RSA_EXP);
	return ret ? mbed_err(ret, -TEEKEY_ECRYPTO) : 0;
}

/* Close the generator; hand k out on success, free it on failure. */
static int key_done(struct teekey *k, struct rng *r, int rc, struct teekey **out)
{
	rng_close(r);
	if (rc < 0) {
		teekey_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

int teekey_generate(struct teekey **out, enum teekey_alg alg)
{
	struct teekey *k;
	struct rng r;
	int rc, ret;

	*out = NULL;
	if (alg != TEEKEY_EC_P256 && alg != TEEKEY_RSA_OAEP_256)
		return -EINVAL;
	k = teekey_new(alg);
	if (!k)
		return -ENOMEM;
	rc = rng_open(&r);
	if (rc < 0)
		goto out_rng;
	if (alg == TEEKEY_EC_P256) {
		ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, &k->ec,
					  mbedtls_ctr_drbg_random, &r.drbg);
		rc = ret ? mbed_err(ret, -TEEKEY_ECRYPTO) : 0;
	} else {
		rc = gen_rsa(k, &r);
	}
out_rng:
	return key_done(k, &r, rc, out);
}

int teekey_import_ec_p256(struct teekey **out, const uint8_t d[32])
{
	struct teekey *k = teekey_new(TEEKEY_EC_P256);
	struct rng r;
	int rc, ret;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	rc = rng_open(&r);
	if (rc < 0)
		goto out_rng;
	ret = mbedtls_ecp_read_key(MBEDTLS_ECP_DP_SECP256R1, &k->ec, d, 32);
	if (ret == MBEDTLS_ERR_ECP_INVALID_KEY) {
		rc = -EINVAL;
		goto out_rng;
	}
	if (ret == 0)
		ret = mbedtls_ecp_keypair_calc_public(&k->ec, mbedtls_ctr_drbg_random, &r.drbg);
	rc = ret ? mbed_err(ret, -TEEKEY_ECRYPTO) : 0;
out_rng:
	return key_done(k, &r, rc, out);
}

/* snprintf into out with the teekey_jwk() contract. */
static int put(char *out, size_t cap, size_t *len, int n)
{
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = 0;
		return -ENOSPC;
	}
	if (len)
		*len = (size_t)n;
	return 0;
}

static int jwk_ec(const struct teekey *k, char *out, size_t cap, size_t *len)
{
	uint8_t pt[65];
	char x[48], y[48];
	size_t olen;
	int ret;

	ret = mbedtls_ecp_write_public_key(&k->ec, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
					   pt, sizeof(pt));
	if (ret != 0 || olen != sizeof(pt))
		return -TEEKEY_ECRYPTO;
	if (b64_encode(pt + 1, 32, x, sizeof(x), NULL, true) < 0 ||
	    b64_encode(pt + 33, 32, y, sizeof(y), NULL, true) < 0)
		return -TEEKEY_ECRYPTO;
	return put(out, cap, len, snprintf(out, cap,
		"{\"alg\":\"ECDH-ES+A256KW\",\"crv\":\"P-256\",\"kty\":\"EC\","
		"\"x\":\"%s\",\"y\":\"%s\"}", x, y));
}

/* The minimal big-endian bytes of m, base64url, into s. */
static int mpi_b64(const mbedtls_mpi *m, char *s, size_t cap)
{
	uint8_t buf[RSA_MAX_BYTES];
	size_t n = mbedtls_mpi_size(m);

	if (n == 0 || n > sizeof(buf) || mbedtls_mpi_write_binary(m, buf, n) != 0)
		return -TEEKEY_ECRYPTO;
	return b64_encode(buf, n, s, cap, NULL, true) < 0 ? -TEEKEY_ECRYPTO : 0;
}

static int jwk_rsa(const struct teekey *k, char *out, size_t cap, size_t *len)
{
	char n64[RSA_MAX_BYTES * 4 / 3 + 4], e64[16];
	mbedtls_mpi n, e;
	int rc = -TEEKEY_ECRYPTO, ret;

	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	ret = mbedtls_rsa_export(k->rsa, &n, NULL, NULL, NULL, &e);
	if (ret != 0) {
		rc = mbed_err(ret, -TEEKEY_ECRYPTO);
		goto out_mpi;
	}
	if (mpi_b64(&n, n64, sizeof(n64)) < 0 || mpi_b64(&e, e64, sizeof(e64)) < 0)
		goto out_mpi;
	rc = put(out, cap, len, snprintf(out, cap,
		"{\"alg\":\"RSA-OAEP-256\",\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
		e64, n64));
out_mpi:
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&n);
	return rc;
}

int teekey_jwk(const struct teekey *k, char *out, size_t cap, size_t *len)
{
	if (len)
		*len = 0;
	if (!k || !out)
		return -EINVAL;
	if (k->alg == TEEKEY_EC_P256)
		return jwk_ec(k, out, cap, len);
	if (k->alg == TEEKEY_RSA_OAEP_256)
		return jwk_rsa(k, out, cap, len);
	return -EINVAL;
}

/* z (zlen bytes) = x-coordinate of d * P over grp; P must already be checked. */
static int ecdh_z(mbedtls_ecp_group *grp, const mbedtls_ecp_point *P,
		  const mbedtls_mpi *d, uint8_t *z, size_t zlen)
{
	mbedtls_mpi zm;
	struct rng r;
	int rc, ret;

	mbedtls_mpi_init(&zm);
	rc = rng_open(&r);
	if (rc < 0)
		goto out_rng;
	ret = mbedtls_ecdh_compute_shared(grp, &zm, P, d, mbedtls_ctr_drbg_random, &r.drbg);
	if (ret == 0)
		ret = mbedtls_mpi_write_binary(&zm, z, zlen);
	rc = ret ? mbed_err(ret, -TEEKEY_ECRYPTO) : 0;
out_rng:
	rng_close(&r);
	mbedtls_mpi_free(&zm);
	return rc;
}

static int is_ec(const struct teekey *k)
{
	return k->alg == TEEKEY_EC_P256 || k->alg == TEEKEY_EC_P384 ||
	       k->alg == TEEKEY_EC_P521;
}

/* Field size in bytes of an EC key's curve. */
static size_t ec_coord_len(const struct teekey *k)
{
	return k->alg == TEEKEY_EC_P256 ? 32 : k->alg == TEEKEY_EC_P384 ? 48 : 66;
}

const char *teekey_ec_crv(const struct teekey *k)
{
	if (!k || !is_ec(k))
		return NULL;
	return k->alg == TEEKEY_EC_P256 ? "P-256" : k->alg == TEEKEY_EC_P384 ? "P-384" : "P-521";
}

int teekey_ecdh(const struct teekey *k, const uint8_t *x, const uint8_t *y,
		size_t coord_len, uint8_t *z)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point Q, P;
	mbedtls_mpi d;
	uint8_t pt[1 + 2 * EC_MAX_BYTES];
	int rc, ret;

	if (!k || !is_ec(k) || coord_len != ec_coord_len(k))
		return -EINVAL;
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&Q);
	mbedtls_ecp_point_init(&P);
	mbedtls_mpi_init(&d);
	pt[0] = 0x04;
	memcpy(pt + 1, x, coord_len);
	memcpy(pt + 1 + coord_len, y, coord_len);
	ret = mbedtls_ecp_export(&k->ec, &grp, &d, &Q);
	if (ret != 0) {
		rc = mbed_err(ret, -TEEKEY_ECRYPTO);
		goto out;
	}
	rc = -TEEKEY_EPOINT;
	if (mbedtls_ecp_point_read_binary(&grp, &P, pt, 1 + 2 * coord_len) != 0 ||
	    mbedtls_ecp_check_pubkey(&grp, &P) != 0)
		goto out;
	rc = ecdh_z(&grp, &P, &d, z, coord_len);
out:
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&P);
	mbedtls_ecp_point_free(&Q);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

int teekey_ecdh_p256(const struct teekey *k, const uint8_t x[32], const uint8_t y[32],
		     uint8_t z[32])
{
	if (!k || k->alg != TEEKEY_EC_P256)
		return -EINVAL;
	return teekey_ecdh(k, x, y, 32, z);
}

int teekey_rsa_oaep_decrypt(const struct teekey *k, int sha1, const uint8_t *in, size_t n,
			    uint8_t *out, size_t cap, size_t *out_len)
{
	struct rng r;
	size_t olen = 0;
	int rc, ret;

	*out_len = 0;
	if (!k || k->alg != TEEKEY_RSA_OAEP_256 || n != mbedtls_rsa_get_len(k->rsa))
		return -EINVAL;
	/* The OAEP hash is a property of the context: set it for this call. */
	ret = mbedtls_rsa_set_padding(k->rsa, MBEDTLS_RSA_PKCS_V21,
				      sha1 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256);
	if (ret != 0)
		return -TEEKEY_ECRYPTO;
	rc = rng_open(&r);
	if (rc < 0)
		goto out_rng;
	ret = mbedtls_rsa_rsaes_oaep_decrypt(k->rsa, mbedtls_ctr_drbg_random, &r.drbg,
					     NULL, 0, &olen, in, out, cap);
	if (ret == MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE)
		rc = -ENOSPC;
	else
		rc = ret ? mbed_err(ret, -TEEKEY_EDECRYPT) : 0;
	if (rc == 0)
		*out_len = olen;
out_rng:
	rng_close(&r);
	mbedtls_rsa_set_padding(k->rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	return rc;
}

int teekey_rsa_oaep256_decrypt(const struct teekey *k, const uint8_t *in, size_t n,
			       uint8_t *out, size_t cap, size_t *out_len)
{
	return teekey_rsa_oaep_decrypt(k, 0, in, n, out, cap, out_len);
}

/* The RSA key of pk into a new teekey. */
static int import_rsa(mbedtls_pk_context *pk, struct teekey **out)
{
	const mbedtls_rsa_context *src = mbedtls_pk_rsa(*pk);
	size_t bits = mbedtls_rsa_get_len(src) * 8;
	struct teekey *k;
	int ret;

	if (bits < RSA_IMPORT_MIN_BITS || bits > RSA_IMPORT_MAX_BITS ||
	    mbedtls_rsa_check_privkey(src) != 0)
		return -EINVAL;
	k = teekey_new(TEEKEY_RSA_OAEP_256);
	if (!k)
		return -ENOMEM;
	ret = mbedtls_rsa_copy(k->rsa, src);
	if (ret == 0)
		ret = mbedtls_rsa_set_padding(k->rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	if (ret != 0) {
		teekey_free(k);
		return mbed_err(ret, -TEEKEY_ECRYPTO);
	}
	*out = k;
	return 0;
}

/* The EC key of pk into a new teekey, via its private scalar. */
static int import_ec(mbedtls_pk_context *pk, struct teekey **out)
{
	const mbedtls_ecp_keypair *src = mbedtls_pk_ec(*pk);
	mbedtls_ecp_group_id id = mbedtls_ecp_keypair_get_group_id(src);
	uint8_t d[EC_MAX_BYTES];
	enum teekey_alg alg;
	struct teekey *k = NULL;
	struct rng r;
	size_t dlen = 0;
	int rc, ret;

	if (id == MBEDTLS_ECP_DP_SECP256R1)
		alg = TEEKEY_EC_P256;
	else if (id == MBEDTLS_ECP_DP_SECP384R1)
		alg = TEEKEY_EC_P384;
	else if (id == MBEDTLS_ECP_DP_SECP521R1)
		alg = TEEKEY_EC_P521;
	else
		return -EINVAL;
	k = teekey_new(alg);
	if (!k)
		return -ENOMEM;
	rc = rng_open(&r);
	if (rc < 0)
		goto out_rng;
	dlen = ec_coord_len(k);
	ret = mbedtls_ecp_write_key_ext(src, &dlen, d, sizeof(d));
	if (ret == 0)
		ret = mbedtls_ecp_read_key(id, &k->ec, d, dlen);
	if (ret == 0)
		ret = mbedtls_ecp_keypair_calc_public(&k->ec, mbedtls_ctr_drbg_random, &r.drbg);
	rc = ret == MBEDTLS_ERR_ECP_INVALID_KEY ? -EINVAL : ret ? mbed_err(ret, -TEEKEY_ECRYPTO) : 0;
out_rng:
	mbedtls_platform_zeroize(d, sizeof(d));
	return key_done(k, &r, rc, out);
}

int teekey_import_pem(struct teekey **out, const uint8_t *pem, size_t n)
{
	mbedtls_pk_context pk;
	uint8_t *buf;
	struct rng r;
	int rc, ret;

	*out = NULL;
	if (!pem || n == 0 || n > PEM_MAX)
		return -EINVAL;
	/* Mbed TLS reads PEM only from a NUL-terminated buffer whose length
	 * counts the NUL. */
	buf = malloc(n + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, pem, n);
	buf[n] = 0;
	mbedtls_pk_init(&pk);
	rc = rng_open(&r);
	if (rc < 0)
		goto out_rng;
	ret = mbedtls_pk_parse_key(&pk, buf, memmem(pem, n, "-----BEGIN ", 11) ? n + 1 : n,
				   NULL, 0, mbedtls_ctr_drbg_random, &r.drbg);
	if (ret == MBEDTLS_ERR_PK_ALLOC_FAILED)
		rc = -ENOMEM;
	else if (ret != 0)
		rc = -EINVAL;
	else if (mbedtls_pk_get_type(&pk) == MBEDTLS_PK_RSA)
		rc = import_rsa(&pk, out);
	else if (mbedtls_pk_get_type(&pk) == MBEDTLS_PK_ECKEY ||
		 mbedtls_pk_get_type(&pk) == MBEDTLS_PK_ECKEY_DH)
		rc = import_ec(&pk, out);
	else
		rc = -EINVAL;
out_rng:
	rng_close(&r);
	mbedtls_pk_free(&pk);
	mbedtls_platform_zeroize(buf, n + 1);
	free(buf);
	return rc;
}

const char *teekey_strerror(int code)
{
	switch (code < 0 ? -code : code) {
	case 0:
		return "success";
	case TEEKEY_ERNG:
		return "random generator could not be seeded";
	case TEEKEY_ECRYPTO:
		return "crypto library failure";
	case TEEKEY_EPOINT:
		return "peer point is not on the curve";
	case TEEKEY_EDECRYPT:
		return "RSA-OAEP decryption failed";
	default:
		return strerror(code < 0 ? -code : code);
	}
}
