/* ocicrypt: the layer-encryption metadata of containers/ocicrypt
 * (ocicrypt.md §1, §2, §4.4), read strictly.  Pure core: no I/O, no malloc;
 * JSON is read with base/json.h over the caller's `work` area (work_len
 * bytes; ocicrypt_work_size() of the input length is enough, less is
 * -ERR_LIMIT).  Nothing returned points into `work` or the input.
 *
 * Byte fields ("hmac", "symkey", "nonce") are accepted as standard base64
 * strings with padding (what Go's encoding/json writes) and as JSON arrays of
 * integers 0..255 (what serde writes).  Keys this module reads must appear
 * once; other members are ignored, as Go ocicrypt does.
 *
 * Errors: -ERR_FORMAT (malformed), -ERR_UNSUPPORTED (well-formed but not
 * supported: another cipher), -ERR_LIMIT (input or work bounds).  Messages
 * never contain key material. */
#ifndef CCG_IMAGE_OCICRYPT_H
#define CCG_IMAGE_OCICRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define OCICRYPT_ANN_PREFIX "org.opencontainers.image.enc."
#define OCICRYPT_ANN_PUBOPTS "org.opencontainers.image.enc.pubopts"
#define OCICRYPT_ANN_KEYS "org.opencontainers.image.enc.keys."
#define OCICRYPT_ANN_JWE "org.opencontainers.image.enc.keys.jwe"
#define OCICRYPT_ANN_PROVIDER "org.opencontainers.image.enc.keys.provider."
#define OCICRYPT_CIPHER "AES_256_CTR_HMAC_SHA256"

#define OCICRYPT_KEY_LEN 32
#define OCICRYPT_NONCE_LEN 16
#define OCICRYPT_HMAC_LEN 32
#define OCICRYPT_JSON_MAX (64u << 10) /* longest pubopts/privopts JSON */
#define OCICRYPT_DIGEST_MAX 160       /* "digest" of privopts, with NUL */

/* pubopts: {"cipher":"AES_256_CTR_HMAC_SHA256","hmac":<32 bytes>,
 * "cipheroptions":{}} */
struct ocicrypt_pub {
	uint8_t hmac[OCICRYPT_HMAC_LEN]; /* HMAC-SHA256(symkey, encrypted blob) */
};

/* privopts: {"symkey":<32 bytes>,"digest":"sha256:…",
 * "cipheroptions":{"nonce":<16 bytes>}}.  Secret: ocicrypt_priv_wipe(). */
struct ocicrypt_priv {
	uint8_t key[OCICRYPT_KEY_LEN];     /* AES-256 key and HMAC key alike */
	uint8_t nonce[OCICRYPT_NONCE_LEN]; /* initial 128-bit big-endian counter */
	char digest[OCICRYPT_DIGEST_MAX];  /* "" when absent; informational only:
					    * never verified (ocicrypt.md §2.2) */
};

/* Bytes of work the parsers need for an input of n bytes (0 when n is above
 * what they accept). */
size_t ocicrypt_work_size(size_t n);

/* The value of the pubopts annotation: n characters of standard base64 (no
 * NUL needed) of the public options JSON.  "cipher" must be exactly
 * OCICRYPT_CIPHER (else -ERR_UNSUPPORTED "unknown cipher …"), "hmac" present
 * and exactly 32 bytes, "cipheroptions" absent, null or {} (a public nonce
 * would be read before the private one by Go ocicrypt: refused).  An absent
 * annotation is the caller's -ERR_FORMAT "missing pubopts". */
int ocicrypt_pubopts_parse(const char *b64, size_t n, struct ocicrypt_pub *out,
			   void *work, size_t work_len, struct err *e);

/* The n bytes of private options JSON (what a recipient unwraps to).
 * "symkey" exactly 32 bytes ("key is N bytes, expected 32"),
 * "cipheroptions" an object with "nonce" exactly 16 bytes, "digest" an
 * optional string (kept, not checked).  All -ERR_FORMAT.  work is wiped before
 * returning (it held a copy of the key); on failure *out is wiped too. */
int ocicrypt_privopts_parse(const uint8_t *json, size_t n, struct ocicrypt_priv *out,
			    void *work, size_t work_len, struct err *e);

/* Wipe the secrets of p (NULL is fine). */
void ocicrypt_priv_wipe(struct ocicrypt_priv *p);

/* Iterate the recipient blobs of an org.opencontainers.image.enc.keys.*
 * annotation value [*p, end): standard base64 blobs joined by ','.  Decodes
 * the next blob into out (cap bytes), sets *len and advances *p past it and
 * its comma.  Returns 1 for a blob, 0 at the end (also for an empty value),
 * -ERR_FORMAT for an empty blob (",,", a leading or trailing ',') or bad
 * base64, -ERR_LIMIT when a blob does not fit in cap. */
int ocicrypt_recipients_next(const char **p, const char *end, uint8_t *out, size_t cap,
			     size_t *len, struct err *e);

/* A layer media type that ends in "+encrypted" (ocicrypt.md §1.1); what it
 * decrypts to is the same string without the suffix.  NULL -> false. */
bool ocicrypt_media_is_encrypted(const char *mt);

#endif
