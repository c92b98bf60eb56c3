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
	TEEKEY_RSA_OAEP_256, /* RSA-2048, e = 65537, JWK alg "RSA-OAEP-256" */
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

/* For jwe.c.  RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label) decryption of
 * the n bytes at in with the RSA key k into out (cap bytes).  n must equal the
 * modulus size.  -TEEKEY_EDECRYPT when the padding does not check out,
 * -EINVAL when k is not an RSA key or n is wrong. */
int teekey_rsa_oaep256_decrypt(const struct teekey *k, const uint8_t *in, size_t n,
			       uint8_t *out, size_t cap, size_t *out_len);

#endif
