/* aes: AES-256 (FIPS 197) in counter mode (NIST SP 800-38A), encryption
 * direction only.
 *
 * Uses AES-NI when the CPU has it (detected at run time with cpuid; eight
 * blocks in flight), or VAES with AVX-512 (32 blocks in flight as eight
 * 4-lane vectors) when that is there too, and a portable constant-time C
 * implementation otherwise: table-free, the S-box computed as the GF(2^8)
 * inverse with masked arithmetic on eight bytes at a time, so no memory
 * access or branch depends on the key or the data.  It is slow (about
 * 6 MB/s here) and only meant for CPUs without AES-NI.  All give the same
 * results.  Pure: no I/O, no malloc.  Contexts are caller-allocated, hold no
 * pointers and may be copied; one thread at a time per context.
 */
#ifndef CCG_CRYPTO_AES_H
#define CCG_CRYPTO_AES_H

#include <stddef.h>
#include <stdint.h>

#define AES256_KEY_LEN 32
#define AES_BLOCK_LEN 16

struct aes256_ctr {
	_Alignas(16) uint8_t rk[240]; /* the 15 round keys, FIPS 197 byte order */
	uint8_t ctr[16];              /* next counter block (128-bit big-endian) */
	uint8_t ks[16];               /* keystream of the previous block */
	size_t ks_used;               /* bytes of ks already used; 16: none left */
};

/* Start CTR with the 32-byte key and the initial counter block iv: the whole
 * 16 bytes are one big-endian 128-bit integer, incremented by one per block
 * and wrapping from ff..ff to 00..00 (OpenSSL EVP_aes_256_ctr, ocicrypt
 * AES_256_CTR_HMAC_SHA256). */
void aes256_ctr_init(struct aes256_ctr *c, const uint8_t key[32], const uint8_t iv[16]);

/* out = in XOR the next n keystream bytes.  Streaming: the result does not
 * depend on how a message is cut into calls.  in == out is allowed (other
 * overlaps are not); in and out may be NULL when n == 0. */
void aes256_ctr_xor(struct aes256_ctr *c, const uint8_t *in, uint8_t *out, size_t n);

/* Wipe the round keys and keystream in *c. */
void aes256_ctr_wipe(struct aes256_ctr *c);

/* The implementation in use: "vaes", "aesni" or "portable".  Static string. */
const char *aes_impl(void);

/* For tests and benchmarks: on != 0 forces the portable implementation for
 * all later calls in this process (also for gcm_*), on == 0 returns to
 * automatic selection.  Safe between any two calls; all implementations keep
 * the same state format. */
void aes_force_portable(int on);

#endif
