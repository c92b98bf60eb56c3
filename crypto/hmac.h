/* hmac: HMAC-SHA256 (RFC 2104, FIPS 198-1), streaming and one-shot, on
 * crypto/sha256.h (SHA-NI when the CPU has it).  Pure: no I/O, no malloc.
 * Contexts are caller-allocated, hold no pointers and may be copied. */
#ifndef CCG_CRYPTO_HMAC_H
#define CCG_CRYPTO_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

#define HMAC_SHA256_LEN 32

struct hmac_sha256 {
	struct sha256 inner; /* running H((K ^ ipad) || msg) */
	struct sha256 outer; /* H state after (K ^ opad) */
};

/* Start with the n-byte key (any length; keys over 64 bytes are hashed
 * first, as the RFC says).  key may be NULL when n == 0. */
void hmac_sha256_init(struct hmac_sha256 *h, const uint8_t *key, size_t n);

/* Authenticate n more bytes (p may be NULL when n == 0). */
void hmac_sha256_update(struct hmac_sha256 *h, const void *p, size_t n);

/* Write the 32-byte MAC and wipe *h. */
void hmac_sha256_final(struct hmac_sha256 *h, uint8_t out[32]);

/* One-shot; the temporary context is wiped. */
void hmac_sha256(const uint8_t *key, size_t key_len, const void *p, size_t n, uint8_t out[32]);

#endif
