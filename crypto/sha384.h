/* sha384: SHA-384 over Mbed TLS's SHA-512 core (the launch digests of SEV-SNP
 * and TDX are SHA-384 chains).  Pure; contexts live in the caller. */
#ifndef CCG_CRYPTO_SHA384_H
#define CCG_CRYPTO_SHA384_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/sha512.h>

#define SHA384_LEN 48

struct sha384_ctx {
	mbedtls_sha512_context c;
};

void sha384_init(struct sha384_ctx *c);
void sha384_update(struct sha384_ctx *c, const void *p, size_t n);
/* Writes the digest and wipes the context (it may be initialised again). */
void sha384_final(struct sha384_ctx *c, uint8_t out[SHA384_LEN]);
/* One call: out = SHA-384(p[0..n)). */
void sha384(const void *p, size_t n, uint8_t out[SHA384_LEN]);

#endif
