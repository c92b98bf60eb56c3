/* aes_impl: private to crypto/aes*.c and crypto/gcm.c. */
#ifndef CCG_CRYPTO_AES_IMPL_H
#define CCG_CRYPTO_AES_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Implementations, best last. */
enum aes_impl_id { AES_IMPL_PORTABLE = 0, AES_IMPL_NI = 1, AES_IMPL_VAES = 2 };

/* What the CPU (and OS, for AVX-512 state) supports: AES_IMPL_NI needs AES,
 * PCLMULQDQ, SSSE3 and SSE4.1; AES_IMPL_VAES also VAES, VPCLMULQDQ,
 * AVX-512F/BW/VL and zmm state enabled in XCR0.  Portable when not x86. */
enum aes_impl_id aes_cpu_impl(void);

/* The implementation to use now (aes_cpu_impl() unless forced portable). */
enum aes_impl_id aes_pick(void);

/* AES-256 key expansion into the 15 round keys (240 bytes, FIPS 197 byte
 * order), and one-block encryption with them. */
void aes256_expand_portable(uint8_t rk[240], const uint8_t key[32]);
void aes256_encrypt_portable(const uint8_t rk[240], const uint8_t in[16], uint8_t out[16]);
void aes256_expand_ni(uint8_t rk[240], const uint8_t key[32]);

/* CTR over nblocks whole blocks: out = in XOR E(ctr), E(ctr+1), ...; ctr (a
 * 128-bit big-endian integer) is advanced by nblocks.  in == out allowed. */
void aes256_ctr_blocks_portable(const uint8_t rk[240], uint8_t ctr[16],
				const uint8_t *in, uint8_t *out, size_t nblocks);
void aes256_ctr_blocks_ni(const uint8_t rk[240], uint8_t ctr[16],
			  const uint8_t *in, uint8_t *out, size_t nblocks);
void aes256_ctr_blocks_vaes(const uint8_t rk[240], uint8_t ctr[16],
			    const uint8_t *in, uint8_t *out, size_t nblocks);

/* GCM with AES-NI and PCLMULQDQ (vaes: VAES and VPCLMULQDQ).  htab holds
 * precomputed powers of H; gcm_*_init fills it from H = E(0^128). */
#define AES_GCM_HTAB_LEN 16 /* H^1..H^16 */
struct aes_gcm_htab {
	_Alignas(64) uint8_t h[AES_GCM_HTAB_LEN][16]; /* h[i]: H^(i+1) */
	_Alignas(64) uint8_t k[AES_GCM_HTAB_LEN][16]; /* its halves XORed (Karatsuba) */
};
void aes_gcm_init_ni(struct aes_gcm_htab *t, const uint8_t h[16]);
/* xi (16 bytes, the GHASH state as in the spec) absorbs nblocks blocks. */
void aes_gcm_ghash_ni(const struct aes_gcm_htab *t, uint8_t xi[16], const uint8_t *p,
		      size_t nblocks);
/* GCTR with inc32 on ctr plus GHASH of the ciphertext, nblocks whole blocks;
 * enc != 0: in is plaintext, else ciphertext.  in == out allowed. */
void aes_gcm_crypt_ni(const uint8_t rk[240], const struct aes_gcm_htab *t, uint8_t ctr[16],
		      uint8_t xi[16], const uint8_t *in, uint8_t *out, size_t nblocks,
		      int enc);
void aes_gcm_crypt_vaes(const uint8_t rk[240], const struct aes_gcm_htab *t, uint8_t ctr[16],
			uint8_t xi[16], const uint8_t *in, uint8_t *out, size_t nblocks,
			int enc);

#endif
