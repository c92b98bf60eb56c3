/* jwe: open the flattened JWE JSON a Trustee KBS wraps a resource in
 * (kbs-protocol.md §4):
 *   {"protected":"…","encrypted_key":"…","iv":"…","ciphertext":"…","tag":"…"}
 * exactly these five string members, base64url without padding.  The
 * protected header is {"alg","enc"[,"epk"]} with enc "A256GCM" and alg
 *   ECDH-ES+A256KW  epk {"crv":"P-256","kty":"EC","x","y"}; KEK = Concat KDF
 *                   (SHA-256, AlgorithmID "ECDH-ES+A256KW", empty apu/apv,
 *                   256 bits) over the ECDH x-coordinate; CEK = AES key
 *                   unwrap (RFC 3394) of the 40-byte encrypted_key;
 *   RSA-OAEP-256    CEK = RSAES-OAEP-SHA-256 of encrypted_key;
 * and must match the key's kind (a P-256 or RSA key; other imported keys are
 * -JWE_EALG).  The content is AES-256-GCM with a 12-byte
 * IV, a 16-byte tag and AAD = the protected string as received.  Pure, no I/O;
 * only the ECDH / RSA steps draw randomness (blinding). */
#ifndef CCG_CRYPTO_JWE_H
#define CCG_CRYPTO_JWE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/teekey.h"

#define JWE_INPUT_MAX (16u << 20)  /* largest JSON accepted */
#define JWE_PROTECTED_MAX 4096     /* largest protected member (characters) */

/* Module codes (returned negated), after teekey's. */
enum {
	JWE_EFORMAT = 4608, /* not a JWE of the accepted shape */
	JWE_EALG,           /* alg/enc unsupported or not matching the key */
	JWE_EEPK,           /* ephemeral public key: wrong curve or off the curve */
	JWE_EKEY,           /* the content key could not be unwrapped */
	JWE_EAUTH,          /* GCM authentication failed */
	JWE_ECRYPTO,        /* a crypto library or RNG failure */
};

/* Decrypt the n bytes of JSON at json (no NUL needed) with k into out (cap
 * bytes; the plaintext is as long as the decoded ciphertext); *out_len gets
 * its length.  Returns 0, -JWE_*, -E2BIG (input over JWE_INPUT_MAX), -ENOSPC
 * or -ENOMEM.  On failure out holds no plaintext (it is zeroed) and *out_len
 * is 0.  Content key, KEK and shared secret are wiped on every path. */
int jwe_decrypt(const struct teekey *k, const char *json, size_t n, uint8_t *out,
		size_t cap, size_t *out_len);

/* Open an image-key JWE (ocicrypt's jwe: recipients, ocicrypt.md §4.4) with
 * an imported key k (teekey_import_pem).  Accepts the flattened and the
 * general JSON serialization:
 *   {"protected","unprotected"?,"header"?,"encrypted_key","iv","ciphertext","tag"}
 *   {"protected","unprotected"?,"recipients":[{"header"?,"encrypted_key"?},…],
 *    "encrypted_key"?,"iv","ciphertext","tag"}
 * (at most 16 recipients; a top-level encrypted_key next to recipients, as
 * go-jose writes it, must equal the first recipient's).  Each recipient's
 * header is the disjoint union of the protected, unprotected and recipient
 * headers, with only the members alg, enc, epk, kid, typ, cty ("zip", "crit"
 * and "aad" are -JWE_EALG; anything else -JWE_EFORMAT).  Every recipient is
 * checked for shape first; then each whose alg fits k is tried in order:
 *   RSA key:  RSA-OAEP (SHA-1, MGF1-SHA-1), RSA-OAEP-256;
 *   EC key:   ECDH-ES+A128KW / A192KW / A256KW with an epk on k's curve
 *             ({"kty":"EC","crv","x","y"} exactly);
 * enc A128GCM / A192GCM / A256GCM, AAD = the protected string as received.
 * A recipient whose key does not unwrap is skipped; the first that does
 * decides (GCM success or -JWE_EAUTH).  No recipient fits: -JWE_EALG; none
 * unwraps: -JWE_EKEY.  Other codes and the output contract as jwe_decrypt(). */
int jwe_decrypt_any(const struct teekey *k, const char *json, size_t n, uint8_t *out,
		    size_t cap, size_t *out_len);

/* A short text for a code returned by jwe_decrypt() (negative). */
const char *jwe_strerror(int code);

#endif
