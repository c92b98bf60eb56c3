/* sha256: SHA-256 (FIPS 180-4), streaming and one-shot.
 *
 * Uses the x86 SHA extensions (SHA-NI) when the CPU has them, detected at run
 * time with cpuid, and a portable C implementation otherwise; both give the
 * same results.  Pure: no I/O, no malloc.  Contexts are caller-allocated, hold
 * no pointers and may be copied (to fork a running hash).  A context is used
 * by one thread at a time; different contexts are independent.
 */
#ifndef CCG_CRYPTO_SHA256_H
#define CCG_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32       /* digest size in bytes */
#define SHA256_BLOCK_LEN 64 /* compression block size in bytes */

struct sha256 {
	uint32_t h[8];   /* chaining state */
	uint64_t len;    /* bytes hashed so far (mod 2^64) */
	uint8_t buf[64]; /* partial block */
	size_t n;        /* bytes in buf, always < 64 between calls */
};

/* Start a new hash in *c (any previous content is overwritten). */
void sha256_init(struct sha256 *c);

/* Hash n more bytes at p (p may be NULL when n == 0).  Whole blocks are
 * hashed straight from p; only a trailing partial block is copied into c. */
void sha256_update(struct sha256 *c, const void *p, size_t n);

/* Finish: write the 32-byte digest to out and wipe *c.  Call sha256_init()
 * before reusing c. */
void sha256_final(struct sha256 *c, uint8_t out[32]);

/* One-shot: out = SHA-256 of the n bytes at p.  The temporary context is
 * wiped. */
void sha256(const void *p, size_t n, uint8_t out[32]);

/* The implementation in use: "sha-ni" or "portable".  Static string. */
const char *sha256_impl(void);

/* For tests and benchmarks: on != 0 forces the portable implementation for
 * all later calls in this process, on == 0 returns to automatic selection.
 * Switching mid-hash is safe (both keep the same state format). */
void sha256_force_portable(int on);

#endif
