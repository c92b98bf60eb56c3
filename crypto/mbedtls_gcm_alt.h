/* mbedtls_gcm_alt.h: the GCM context of our MBEDTLS_GCM_ALT (Mbed TLS 3.6).
 *
 * Installed by deps/build.sh as gcm_alt.h into the library's include/mbedtls/
 * (the library is built with it) and into build/deps/FLAVOUR/include; Mbed
 * TLS's <mbedtls/gcm.h> includes it when deps/mbedtls-config.h defines
 * MBEDTLS_GCM_ALT.  The functions are in crypto/mbedtls_gcm_alt.c, on top of
 * crypto/gcm.c (AES-NI/VAES + PCLMULQDQ, or the portable code): AES-256 keys
 * go fully through our code, 128- and 192-bit keys use Mbed TLS's AES block
 * function (AES-NI too) for the counter blocks and our GHASH.
 *
 * Self-contained on purpose (the library's build sees only Mbed TLS headers):
 * the key material lives in an opaque byte array that mbedtls_gcm_alt.c lays
 * its struct gcm_key into, 64-byte aligned (moved if the context was copied to
 * a differently aligned address).  Changing this file rebuilds the library.
 */
#ifndef CCG_MBEDTLS_GCM_ALT_H
#define CCG_MBEDTLS_GCM_ALT_H

#include "mbedtls/private_access.h"
#include "mbedtls/build_info.h"
#include "mbedtls/aes.h"

#include <stdint.h>

#if !defined(MBEDTLS_AES_C)
#error "MBEDTLS_GCM_ALT (crypto/mbedtls_gcm_alt.h) needs MBEDTLS_AES_C"
#endif

/* At least sizeof(struct gcm_key) + 63 (checked in mbedtls_gcm_alt.c). */
#define CCG_GCM_ALT_KEY_BYTES 1024

typedef struct mbedtls_gcm_context {
	unsigned char MBEDTLS_PRIVATE(key)[CCG_GCM_ALT_KEY_BYTES]; /* struct gcm_key */
	mbedtls_aes_context MBEDTLS_PRIVATE(aes); /* 128/192-bit keys */
	uint64_t MBEDTLS_PRIVATE(len);            /* data bytes so far */
	uint64_t MBEDTLS_PRIVATE(add_len);        /* associated data bytes so far */
	unsigned char MBEDTLS_PRIVATE(base_ectr)[16]; /* E(J0) */
	unsigned char MBEDTLS_PRIVATE(ctr)[16];   /* next counter block */
	unsigned char MBEDTLS_PRIVATE(xi)[16];    /* GHASH state */
	unsigned char MBEDTLS_PRIVATE(buf)[16];   /* partial AD or ciphertext block */
	unsigned char MBEDTLS_PRIVATE(ks)[16];    /* keystream of the partial block */
	unsigned short MBEDTLS_PRIVATE(key_off);  /* offset of the gcm_key in key[] */
	unsigned short MBEDTLS_PRIVATE(keybits);  /* 0: no key set */
	unsigned char MBEDTLS_PRIVATE(mode);      /* MBEDTLS_GCM_ENCRYPT or _DECRYPT */
	unsigned char MBEDTLS_PRIVATE(started);   /* mbedtls_gcm_starts() was called */
} mbedtls_gcm_context;

#endif
