/* gcm: AES-256-GCM (NIST SP 800-38D), one-shot.
 *
 * With AES-NI and PCLMULQDQ (see aes.h for the choice): CTR and GHASH in one
 * pass over the data, eight blocks per GHASH reduction (Karatsuba products,
 * powers of H precomputed per call); with VAES/VPCLMULQDQ/AVX-512 sixteen
 * blocks (four 4-lane vectors) per reduction.  Without AES-NI: the portable
 * constant-time AES of aes.c and a bit-serial constant-time GHASH (slow,
 * about 6 MB/s).  Tags are always 16 bytes; 12-byte IVs take the fast path,
 * other lengths (>= 1 byte) go through GHASH as the spec says.  in == out is
 * allowed.  The counter increments only its low 32 bits (inc32), per spec.
 *
 * Mbed TLS uses this code: deps/mbedtls-config.h defines MBEDTLS_GCM_ALT and
 * crypto/mbedtls_gcm_alt.c implements the mbedtls_gcm_* API (streaming
 * included) on the block-level pieces of gcm.c (aes_impl.h: struct gcm_key,
 * gcm_ghash, gcm_aes256_blocks), so TLS records, JWE and the PSA layer get
 * it.  AES-256 keys go entirely through this module; 128/192-bit keys use Mbed
 * TLS's AES block function (AES-NI) for the counter blocks and our GHASH.
 * Measured on the build machine (AMD EPYC with VAES, one core, CPU time,
 * tests/bench/gcm_mbedtls_bench.c: mbedtls_gcm_crypt_and_tag, 13 bytes of
 * AAD): Mbed TLS 3.6's own GCM as configured did AES-256-GCM at 0.30 GB/s
 * (16 KiB records) and 0.28 GB/s (1 KiB), AES-128-GCM at 0.33/0.31 GB/s (one
 * block at a time through the cipher layer plus a one-block PCLMUL multiply);
 * with the ALT, AES-256-GCM runs at 9.8 GB/s (16 KiB) and 4.9 GB/s (1 KiB)
 * with VAES (without VAES it is the AES-NI loop of gcm_aes256_*, not
 * measured through the ALT), AES-128-GCM at 0.68/0.65 GB/s (bounded by Mbed
 * TLS's one-block AES calls; an AES-128 key schedule here would lift it).
 * The one-shot gcm_aes256_*: 8.3 GB/s with VAES, 3.9 GB/s with AES-NI only;
 * OpenSSL 3.0: 4.0-4.2 GB/s.
 */
#ifndef CCG_CRYPTO_GCM_H
#define CCG_CRYPTO_GCM_H

#include <stddef.h>
#include <stdint.h>

#define GCM_TAG_LEN 16
#define GCM_IV_LEN 12 /* the recommended (fast path) IV length */

/* Encrypt n bytes at in to out (same length) and write the 16-byte tag.
 * aad (aad_len bytes) is authenticated only.  0, or -EINVAL when iv_len is 0
 * or a length exceeds the spec's limits (n > 2^36 - 32). */
int gcm_aes256_encrypt(const uint8_t key[32], const uint8_t *iv, size_t iv_len,
		       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
		       uint8_t *out, uint8_t tag[16]);

/* Decrypt and verify (constant-time tag comparison).  0, -EBADMSG when the
 * tag does not match (out is then wiped: n zero bytes), -EINVAL as above. */
int gcm_aes256_decrypt(const uint8_t key[32], const uint8_t *iv, size_t iv_len,
		       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
		       uint8_t *out, const uint8_t tag[16]);

#endif
