/* deps/mbedtls-config.h: the mbed TLS 3.6 configuration of this project.
 *
 * Installed as <mbedtls/mbedtls_config.h> in build/deps/{host,musl}/include,
 * so the libraries and every user of the headers see the same options.  Only
 * what the project uses now; later work adds the TLS pieces it needs.
 */
#ifndef CCG_MBEDTLS_CONFIG_H
#define CCG_MBEDTLS_CONFIG_H

/* Platform basics: calloc/free and friends, x86-64 assembly helpers. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_HAVE_ASM

/* Digests.  SHA-256 is the generic C code: tests cross-check our own SHA-NI
 * implementation against it. */
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

/* AES (with AES-NI when the CPU has it) and GCM. */
#define MBEDTLS_AES_C
#define MBEDTLS_AESNI_C
#define MBEDTLS_GCM_C

/* Random numbers: the OS entropy source (getrandom) feeding CTR_DRBG. */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

#endif /* CCG_MBEDTLS_CONFIG_H */
