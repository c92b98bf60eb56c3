/* sha256_impl: private to crypto/sha256*.c. */
#ifndef CCG_CRYPTO_SHA256_IMPL_H
#define CCG_CRYPTO_SHA256_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The 64 round constants of FIPS 180-4 section 4.2.2, 16-byte aligned. */
extern const uint32_t sha256_k[64];

/* Compress nblocks consecutive 64-byte blocks at p into h.  p needs no
 * alignment.  nblocks may be 0. */
void sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);
void sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks);

/* True when this CPU has SHA, SSSE3 and SSE4.1 (so sha256_blocks_shani() may
 * be called).  Always false when not built for x86. */
bool sha256_shani_supported(void);

#endif
