/* deps/mbedtls-config.h: the mbed TLS 3.6 configuration of this project.
 *
 * Installed as <mbedtls/mbedtls_config.h> in build/deps/{host,musl}/include,
 * so the libraries and every user of the headers see the same options.  Only
 * what the project uses:
 *   - SHA-2 (cross-checks of our SHA-256, SHA-384 for the KBS binding);
 *   - the KBS TEE key: EC P-256 (ECDH-ES+A256KW), RSA-2048 (RSA-OAEP-256);
 *   - JWE content: AES-256-GCM, AES key wrap (RFC 3394); image keys wrapped
 *     for RSA (RSA-OAEP with SHA-1, as ocicrypt does) or EC recipients;
 *   - a TLS 1.3 / 1.2 client that trusts only a pinned certificate or CA:
 *     ECDHE with ECDSA or RSA certificates, AES-GCM suites only.
 */
#ifndef CCG_MBEDTLS_CONFIG_H
#define CCG_MBEDTLS_CONFIG_H

/* Platform basics: calloc/free and friends, x86-64 assembly helpers, time
 * (certificate validity). */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_ERROR_C

/* Digests.  SHA-1 only for RSA-OAEP (SHA-1) key wrapping: ocicrypt's jwe:
 * recipients for RSA keys use it. */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

/* Ciphers: AES (AES-NI when the CPU has it), GCM, key wrap.  GCM is ours
 * (crypto/mbedtls_gcm_alt.c, AES-NI/VAES + PCLMULQDQ; its context type in
 * crypto/mbedtls_gcm_alt.h, installed as gcm_alt.h): every program linking
 * these libraries must link that file and crypto/{gcm,aes,aes_x86,ct}.c. */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_AESNI_C
#define MBEDTLS_GCM_C
#define MBEDTLS_GCM_ALT
#define MBEDTLS_NIST_KW_C

/* Random numbers: the OS entropy source (getrandom) feeding CTR_DRBG. */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* Public-key arithmetic. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_GENPRIME
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21

/* Keys and certificates (PEM or DER). */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

/* PSA crypto: TLS 1.3 is built on it. */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_HKDF_C

/* TLS client, 1.2 and 1.3. */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET

#endif /* CCG_MBEDTLS_CONFIG_H */
