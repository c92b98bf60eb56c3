/* aes_impl: private to crypto/aes*.c, crypto/gcm.c and crypto/mbedtls_gcm_alt.c. */
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

/* GCM building blocks (crypto/gcm.c), for the one-shot gcm_aes256_* and the
 * streaming Mbed TLS GCM_ALT (crypto/mbedtls_gcm_alt.c).  A gcm_key holds
 * what depends on the key only; the implementation is chosen when it is set
 * up and kept.  Callers keep the GHASH state xi and the counter block. */
struct gcm_key {
	struct aes_gcm_htab htab; /* the PCLMUL implementations only */
	uint8_t rk[240];          /* AES-256 round keys (gcm_key_init256) */
	uint8_t h[16];            /* H = E(0^128) */
	enum aes_impl_id impl;
};
/* AES-256: round keys, H and its table. */
void gcm_key_init256(struct gcm_key *k, const uint8_t key[32]);
/* GHASH only (the caller has another block cipher): H and its table; rk is
 * left alone. */
void gcm_key_init_h(struct gcm_key *k, const uint8_t h[16]);
/* xi absorbs nblocks whole blocks. */
void gcm_ghash(const struct gcm_key *k, uint8_t xi[16], const uint8_t *p, size_t nblocks);
/* AES-256 only: out = E(in), one block (in == out allowed); and GCTR over nb
 * whole blocks with inc32 on ctr plus GHASH of the ciphertext into xi (enc
 * != 0: in is plaintext).  in == out allowed. */
void gcm_aes256_block(const struct gcm_key *k, const uint8_t in[16], uint8_t out[16]);
void gcm_aes256_blocks(const struct gcm_key *k, uint8_t ctr[16], uint8_t xi[16],
		       const uint8_t *in, uint8_t *out, size_t nb, int enc);
/* The low 32 bits of ctr (big-endian) plus one, modulo 2^32. */
void gcm_inc32(uint8_t ctr[16]);

#endif
