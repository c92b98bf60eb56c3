/* idblock: see idblock.h.  Offsets of the IGVM payload: igvm.md §1.2. */
#include <errno.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>

#include "base/le.h"
#include "crypto/ct.h"
#include "crypto/hmac.h"
#include "crypto/sha384.h"
#include "igvm/idblock.h"

enum {
	IB_MASK = 0,
	IB_AUTHOR_EN = 4,
	IB_LD = 8,
	IB_FAMILY = 56,
	IB_IMAGE = 72,
	IB_VERSION = 88,
	IB_SVN = 92,
	IB_ID_ALG = 96,
	IB_AUTHOR_ALG = 100,
	IB_SIG_R = 104,
	IB_SIG_S = 176,
	IB_KEY = 248,        /* u32 curve, u32 reserved, qx[72], qy[72] */
	IB_KEY_QX = 256,
	IB_KEY_QY = 328,
};

#define ALG_ECDSA_P384_SHA384 1u
#define CURVE_P384 2u
#define SEV_PUBKEY_LEN 0x404u   /* curve, qx[72], qy[72], reserved */

/* The 96-byte ID block the loader hands SNP_LAUNCH_FINISH (version 1). */
static void id_block_msg(const uint8_t *blk, uint64_t policy, uint8_t msg[96])
{
	memcpy(msg, blk + IB_LD, 48);
	memcpy(msg + 48, blk + IB_FAMILY, 16);
	memcpy(msg + 64, blk + IB_IMAGE, 16);
	le_st32(msg + 80, 1);
	memcpy(msg + 84, blk + IB_SVN, 4);
	le_st32(msg + 88, (uint32_t)policy);
	le_st32(msg + 92, (uint32_t)(policy >> 32));
}

/* A big-endian mbedtls integer as 72 little-endian bytes. */
static int mpi_le72(const mbedtls_mpi *x, uint8_t out[72])
{
	return mbedtls_mpi_write_binary_le(x, out, 72) == 0 ? 0 : -EINVAL;
}

/* Deterministic "random" bytes for the signature: HMAC-SHA256 in counter
 * mode, keyed by a hash of the private key and the message (the idea of
 * RFC 6979): the same key and message give the same signature, and the
 * nonce is unpredictable without the key. */
struct det_rng {
	uint8_t key[32];
	uint64_t ctr;
};

static int det_rng(void *ctx, unsigned char *out, size_t n)
{
	struct det_rng *r = ctx;
	uint8_t block[32];

	while (n > 0) {
		size_t k = n < sizeof(block) ? n : sizeof(block);
		uint8_t c[8];

		for (int i = 0; i < 8; i++)
			c[i] = (uint8_t)(r->ctr >> (8 * i));
		r->ctr++;
		hmac_sha256(r->key, sizeof(r->key), c, sizeof(c), block);
		memcpy(out, block, k);
		out += k;
		n -= k;
	}
	ct_wipe(block, sizeof(block));
	return 0;
}

static void det_rng_init(struct det_rng *r, const mbedtls_mpi *d, const uint8_t hash[48])
{
	uint8_t db[48] = { 0 };
	struct hmac_sha256 h;

	(void)mbedtls_mpi_write_binary(d, db, sizeof(db));
	hmac_sha256_init(&h, db, sizeof(db));
	hmac_sha256_update(&h, "ccguest id block nonce", 22);
	hmac_sha256_update(&h, hash, 48);
	hmac_sha256_final(&h, r->key);
	r->ctr = 0;
	ct_wipe(db, sizeof(db));
}

/* The private scalar: from the author's key, or derived from the digest. */
static int load_key(const struct idblock_in *in, mbedtls_ecp_group *grp, mbedtls_mpi *d,
		    mbedtls_ecp_point *q, struct err *e)
{
	struct det_rng r = { { 0 }, 0 };
	int rc = 0;

	if (mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP384R1) != 0)
		return err_set(e, -EIO, "id block: cannot load P-384");
	if (in->key_pem) {
		mbedtls_pk_context pk;
		uint8_t buf[8192];
		size_t n = in->key_len;
		const mbedtls_ecp_keypair *kp;

		if (n + 1 > sizeof(buf))
			return err_set(e, -ERR_FORMAT, "id key: %zu bytes, too large", n);
		memcpy(buf, in->key_pem, n);
		buf[n] = 0;
		if (memmem(buf, n, "-----BEGIN ", 11))
			n++;
		mbedtls_pk_init(&pk);
		if (mbedtls_pk_parse_key(&pk, buf, n, NULL, 0, det_rng, &r) != 0) {
			rc = err_set(e, -ERR_FORMAT, "id key: not an unencrypted PEM/DER private key");
			goto out_pk;
		}
		if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY) {
			rc = err_set(e, -EINVAL, "id key: not an EC key (ECDSA P-384 required)");
			goto out_pk;
		}
		kp = mbedtls_pk_ec(pk);
		if (mbedtls_ecp_keypair_get_group_id(kp) != MBEDTLS_ECP_DP_SECP384R1) {
			rc = err_set(e, -EINVAL, "id key: not on P-384");
			goto out_pk;
		}
		if (mbedtls_ecp_export(kp, grp, d, q) != 0)
			rc = err_set(e, -EIO, "id key: cannot export");
out_pk:
		mbedtls_pk_free(&pk);
		ct_wipe(buf, sizeof(buf));
		return rc;
	}
	/* Derived: d = 1 + (SHA-384("ccguest igvm id key v1" || LD) mod (n - 1)). */
	{
		struct sha384_ctx h;
		uint8_t seed[48];
		mbedtls_mpi nm1;

		sha384_init(&h);
		sha384_update(&h, "ccguest igvm id key v1", 22);
		sha384_update(&h, in->ld, 48);
		sha384_final(&h, seed);
		mbedtls_mpi_init(&nm1);
		if (mbedtls_mpi_read_binary(d, seed, sizeof(seed)) != 0 ||
		    mbedtls_mpi_sub_int(&nm1, &grp->N, 1) != 0 ||
		    mbedtls_mpi_mod_mpi(d, d, &nm1) != 0 || mbedtls_mpi_add_int(d, d, 1) != 0)
			rc = err_set(e, -EIO, "id key: derivation failed");
		mbedtls_mpi_free(&nm1);
		ct_wipe(seed, sizeof(seed));
		if (rc == 0) {
			det_rng_init(&r, d, in->ld);
			if (mbedtls_ecp_mul(grp, q, d, &grp->G, det_rng, &r) != 0)
				rc = err_set(e, -EIO, "id key: public key failed");
		}
		return rc;
	}
}

int idblock_build(const struct idblock_in *in, uint8_t out[IDBLOCK_LEN], struct err *e)
{
	mbedtls_ecp_group grp;
	mbedtls_mpi d, r, s;
	mbedtls_ecp_point q;
	struct det_rng rng;
	uint8_t msg[96], hash[48];
	int rc;

	memset(out, 0, IDBLOCK_LEN);
	le_st32(out + IB_MASK, in->mask);
	memcpy(out + IB_LD, in->ld, 48);
	memcpy(out + IB_FAMILY, in->family_id, 16);
	memcpy(out + IB_IMAGE, in->image_id, 16);
	le_st32(out + IB_VERSION, 1);
	le_st32(out + IB_SVN, in->guest_svn);
	le_st32(out + IB_ID_ALG, ALG_ECDSA_P384_SHA384);
	le_st32(out + IB_KEY, CURVE_P384);

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	mbedtls_ecp_point_init(&q);
	rc = load_key(in, &grp, &d, &q, e);
	if (rc < 0)
		goto out;
	if (mpi_le72(&q.MBEDTLS_PRIVATE(X), out + IB_KEY_QX) < 0 ||
	    mpi_le72(&q.MBEDTLS_PRIVATE(Y), out + IB_KEY_QY) < 0) {
		rc = err_set(e, -EIO, "id key: public key does not fit");
		goto out;
	}
	id_block_msg(out, in->policy, msg);
	sha384(msg, sizeof(msg), hash);
	det_rng_init(&rng, &d, hash);
	if (mbedtls_ecdsa_sign(&grp, &r, &s, &d, hash, sizeof(hash), det_rng, &rng) != 0 ||
	    mpi_le72(&r, out + IB_SIG_R) < 0 || mpi_le72(&s, out + IB_SIG_S) < 0) {
		rc = err_set(e, -EIO, "id block: signing failed");
		goto out;
	}
	rc = 0;
out:
	ct_wipe(&rng, sizeof(rng));
	mbedtls_ecp_point_free(&q);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

int idblock_verify(const uint8_t blk[IDBLOCK_LEN], uint64_t policy, struct err *e)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	uint8_t msg[96], hash[48];
	int rc = -ERR_FORMAT;

	if (le_ld32(blk + IB_ID_ALG) != ALG_ECDSA_P384_SHA384 || le_ld32(blk + IB_KEY) != CURVE_P384)
		return err_set(e, -ERR_FORMAT, "id block: not ECDSA P-384 / SHA-384");
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP384R1) != 0 ||
	    mbedtls_mpi_read_binary_le(&q.MBEDTLS_PRIVATE(X), blk + IB_KEY_QX, 72) != 0 ||
	    mbedtls_mpi_read_binary_le(&q.MBEDTLS_PRIVATE(Y), blk + IB_KEY_QY, 72) != 0 ||
	    mbedtls_mpi_lset(&q.MBEDTLS_PRIVATE(Z), 1) != 0 ||
	    mbedtls_mpi_read_binary_le(&r, blk + IB_SIG_R, 72) != 0 ||
	    mbedtls_mpi_read_binary_le(&s, blk + IB_SIG_S, 72) != 0) {
		rc = err_set(e, -ERR_FORMAT, "id block: unreadable key or signature");
		goto out;
	}
	if (mbedtls_ecp_check_pubkey(&grp, &q) != 0) {
		rc = err_set(e, -ERR_FORMAT, "id block: public key not on P-384");
		goto out;
	}
	id_block_msg(blk, policy, msg);
	sha384(msg, sizeof(msg), hash);
	if (mbedtls_ecdsa_verify(&grp, hash, sizeof(hash), &q, &r, &s) != 0) {
		rc = err_set(e, -ERR_DIGEST, "id block: signature does not verify");
		goto out;
	}
	rc = 0;
out:
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

void idblock_key_digest(const uint8_t blk[IDBLOCK_LEN], uint8_t out[48])
{
	uint8_t key[SEV_PUBKEY_LEN];

	memset(key, 0, sizeof(key));
	memcpy(key, blk + IB_KEY, 4);
	memcpy(key + 4, blk + IB_KEY_QX, 72);
	memcpy(key + 4 + 72, blk + IB_KEY_QY, 72);
	sha384(key, sizeof(key), out);
}
