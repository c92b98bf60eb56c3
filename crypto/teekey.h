/* teekey: the ephemeral TEE key of the KBS protocol (kbs-protocol.md §0, §3).
 *
 * One key per attestation: generated in the guest, its public half sent as a
 * JWK in the runtime data, its private half used to open the JWE the KBS
 * wraps resources in (jwe.h).  The key lives on the heap behind an opaque
 * pointer; teekey_free() wipes it.  Randomness comes from a CTR_DRBG seeded
 * from getrandom(2) (a fresh one per operation: key generation, and the
 * blinding of every private-key operation).
 *
 * Errors: 0, -ENOMEM, -EINVAL (wrong key type or argument), -ENOSPC (buffer
 * too small), or -TEEKEY_* below; teekey_strerror() names them. */
#ifndef CCG_CRYPTO_TEEKEY_H
#define CCG_CRYPTO_TEEKEY_H

#include <stddef.h>
#include <stdint.h>

enum teekey_alg {
	TEEKEY_EC_P256,      /* P-256, JWK alg "ECDH-ES+A256KW" (Trustee's default) */
	TEEKEY_RSA_OAEP_256, /* RSA-2048, e = 65537, JWK alg "RSA-OAEP-256";
			      * imported (teekey_import_pem): any RSA key of
			      * 2048..4096 bits */
	TEEKEY_EC_P384,      /* imported only (teekey_import_pem) */
	TEEKEY_EC_P521,      /* imported only (teekey_import_pem) */
};

/* Module codes (returned negated), above the errno and base/err.h ranges. */
enum {
	TEEKEY_ERNG = 4352,  /* the random generator could not be seeded */
	TEEKEY_ECRYPTO,      /* a Mbed TLS operation failed */
	TEEKEY_EPOINT,       /* a peer point is not on the key's curve */
	TEEKEY_EDECRYPT,     /* RSA-OAEP decryption failed */
};

/* Longest JWK teekey_jwk() writes (RSA-2048), plus the NUL. */
#define TEEKEY_JWK_MAX 512

struct teekey;

/* A fresh key of the given kind in *out (NULL on failure). */
int teekey_generate(struct teekey **out, enum teekey_alg alg);

/* A P-256 key from its big-endian private scalar d (1 <= d < n); for tests
 * and vectors.  -EINVAL when d is out of range. */
int teekey_import_ec_p256(struct teekey **out, const uint8_t d[32]);

/* A private key (an image decryption key, ocicrypt.md §4.4) from the n
 * bytes at pem (no NUL needed): PEM or DER, PKCS#1 RSA, SEC1 EC or PKCS#8
 * of either; unencrypted only.  RSA keys of 2048..4096 bits become
 * TEEKEY_RSA_OAEP_256 (usable with RSA-OAEP and RSA-OAEP-256), EC keys on
 * P-256 / P-384 / P-521 TEEKEY_EC_P256 / _P384 / _P521.  -EINVAL for
 * anything else (malformed, encrypted, another curve or size); the copy of
 * the input is wiped. */
int teekey_import_pem(struct teekey **out, const uint8_t *pem, size_t n);

/* The JWK curve name of an EC key ("P-256", "P-384", "P-521"), NULL for
 * RSA. */
const char *teekey_ec_crv(const struct teekey *k);

/* The public JWK as RFC 8785 canonical JSON, NUL-terminated in out (cap
 * bytes; TEEKEY_JWK_MAX is enough), *len (may be NULL) without the NUL:
 *   {"alg":"ECDH-ES+A256KW","crv":"P-256","kty":"EC","x":"…","y":"…"}
 *   {"alg":"RSA-OAEP-256","e":"AQAB","kty":"RSA","n":"…"}
 * Coordinates are 32 bytes big-endian, n and e minimal big-endian, all
 * base64url without padding. */
int teekey_jwk(const struct teekey *k, char *out, size_t cap, size_t *len);

enum teekey_alg teekey_alg(const struct teekey *k);

/* Wipe and free k; NULL is fine. */
void teekey_free(struct teekey *k);

/* A short text for a code returned by this module (negative). */
const char *teekey_strerror(int code);

/* For jwe.c.  The ECDH shared secret (the x-coordinate, 32 bytes) of the
 * P-256 key k with the peer point (x, y), both big-endian; -TEEKEY_EPOINT
 * when the point is not on the curve, -EINVAL when k is not a P-256 key. */
int teekey_ecdh_p256(const struct teekey *k, const uint8_t x[32], const uint8_t y[32],
		     uint8_t z[32]);

/* For jwe.c.  The ECDH shared secret of the EC key k (any of its curves)
 * with the peer point (x, y), each coord_len bytes big-endian; coord_len must
 * be the curve's field size (32, 48, 66), z receives coord_len bytes.
 * -TEEKEY_EPOINT when the point is not on the curve, -EINVAL when k is not
 * an EC key or coord_len is wrong. */
int teekey_ecdh(const struct teekey *k, const uint8_t *x, const uint8_t *y,
		size_t coord_len, uint8_t *z);

/* For jwe.c.  RSAES-OAEP decryption as teekey_rsa_oaep256_decrypt() below,
 * with SHA-1 (MGF1-SHA-1, "RSA-OAEP") when sha1 is nonzero. */
int teekey_rsa_oaep_decrypt(const struct teekey *k, int sha1, const uint8_t *in, size_t n,
			    uint8_t *out, size_t cap, size_t *out_len);

/* For jwe.c.  RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label) decryption of
 * the n bytes at in with the RSA key k into out (cap bytes).  n must equal the
 * modulus size.  -TEEKEY_EDECRYPT when the padding does not check out,
 * -EINVAL when k is not an RSA key or n is wrong. */
int teekey_rsa_oaep256_decrypt(const struct teekey *k, const uint8_t *in, size_t n,
			       uint8_t *out, size_t cap, size_t *out_len);

#endif
