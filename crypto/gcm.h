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
 * Mbed TLS is not switched over to this code (MBEDTLS_GCM_ALT/AES_ALT).
 * Measured on the build machine (AMD EPYC with VAES, one core, 16 KiB
 * messages, CPU time): Mbed TLS 3.6 as configured in deps/mbedtls-config.h
 * does AES-256-GCM at 0.26 GB/s (it goes one block at a time through the
 * cipher layer plus a one-block PCLMUL multiply) and single-block AES-256 at
 * 2.4 GB/s; its CTR mode is not compiled in.  This module: GCM 8.3 GB/s with
 * VAES, 3.9 GB/s with AES-NI only; OpenSSL 3.0: 4.0-4.2 GB/s.  A GCM_ALT
 * would be a large speed-up for bulk TLS, but it means re-implementing the
 * whole mbedtls_gcm_* context API (streaming starts/update_ad/update/finish
 * with arbitrary chunking and its output-buffering rules, which the cipher
 * and PSA layers rely on), a gcm_alt.h on the library's include path and a
 * rebuild of both flavours of the library.  Our TLS traffic is a handful of
 * small KBS requests (a few KiB per attestation), where record encryption is
 * microseconds next to the handshake, so the gain does not justify the risk.
 * Bulk data (encrypted layers, JWE content) should call this module directly.
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
