/* ocipkt: the CoCo "annotation packet" of ocicrypt key provider
 * `attestation-agent` (ocicrypt.md §4.1-4.3).  The layer annotation
 * org.opencontainers.image.enc.keys.provider.attestation-agent is the base64
 * of this JSON:
 *   {"kid":"kbs:///default/key/1","wrapped_data":"<b64>","iv":"<b64>",
 *    "wrap_type":"A256GCM"}
 * wrapped_data = AES-256-GCM(KEK, iv, privopts JSON, no AAD) with the 16-byte
 * tag appended; the KEK (32 raw bytes) is the KBS resource named by kid.
 *
 * Reading is strict: the members above plus CDH's optional v2 members
 * `version` (only "0.1.0"), `provider` (only "kbs"), `provider_settings` and
 * `annotations` (objects, ignored); any other member, a duplicate, or a wrong
 * type is refused.  `iv` and `wrap_type` may be null (= absent); a missing
 * wrap_type means A256GCM (CDH's v2 reader requires it; we are lenient).
 * Byte fields are standard base64 strings or JSON arrays of integers 0..255
 * (Rust Vec<u8> producers such as offline_fs_kbc).  kid must be
 * kbs://[host]/<repo>/<type>/<tag> (host ignored, no query); a bare
 * /<repo>/<type>/<tag> (coco_keyprovider since 4527adb3 without keyid=) is
 * normalised to kbs:///<repo>/<type>/<tag>.  Each path component is
 * [A-Za-z0-9_.-]{1,128}, not starting with '.', so <repo>/<type>/<tag> is safe
 * to use as a relative file path.
 *
 * Pure, no I/O (ocipkt_wrap draws its IV with getrandom(2)).  Never logs or
 * puts key material or plaintext in error messages. */
#ifndef CCG_IMAGE_OCICRYPT_PACKET_H
#define CCG_IMAGE_OCICRYPT_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include <yyjson.h>

#include "base/err.h"

#define OCIPKT_KEK_LEN 32
#define OCIPKT_KID_MAX 512               /* kid incl. NUL */
#define OCIPKT_PART_MAX 128              /* one of repo, type, tag */
#define OCIPKT_PATH_MAX (3 * OCIPKT_PART_MAX + 3)
#define OCIPKT_WRAPPED_MAX (64u * 1024)  /* decoded wrapped_data */
#define OCIPKT_TAG_LEN 16
/* Largest packet JSON accepted: wrapped_data as an integer array with
 * whitespace ("255, " per byte) plus the rest. */
#define OCIPKT_JSON_MAX (5u * OCIPKT_WRAPPED_MAX + 16u * 1024)

enum ocipkt_wrap {
	OCIPKT_A256GCM = 1, /* AES-256-GCM, 12-byte iv, tag appended */
	OCIPKT_A256CTR,     /* AES-256-CTR, 16-byte iv (128-bit BE counter), no MAC */
};

struct ocipkt {
	char kid[OCIPKT_KID_MAX];   /* normalised: kbs://<host>/<repo>/<type>/<tag> */
	char path[OCIPKT_PATH_MAX]; /* "<repo>/<type>/<tag>", checked components */
	int wrap_type;              /* enum ocipkt_wrap */
	uint8_t iv[16];
	size_t iv_len;              /* 12 (GCM) or 16 (CTR) */
	size_t wrapped_len;         /* GCM: >= 16 (ciphertext + tag) */
	uint8_t wrapped[OCIPKT_WRAPPED_MAX];
};

/* Work area ocipkt_parse() needs for n bytes of JSON. */
size_t ocipkt_work_size(size_t n);

/* Parse n bytes of packet JSON (<= OCIPKT_JSON_MAX) into *out, using work
 * (wl >= ocipkt_work_size(n)) for the JSON document.  Returns 0, -ERR_FORMAT
 * (malformed, bad kid, bad base64, wrong iv length), -ERR_UNSUPPORTED
 * (version, provider or wrap_type not supported), -ERR_LIMIT (too large).
 * On failure *out is zeroed. */
int ocipkt_parse(const uint8_t *json, size_t n, struct ocipkt *out, void *work,
		 size_t wl, struct err *e);

/* Check a kid and normalise it: kid[kid_len] (no NUL needed) ->
 * norm[OCIPKT_KID_MAX] "kbs://host/r/t/g" and path[OCIPKT_PATH_MAX] "r/t/g"
 * (either may be NULL).  Returns 0 or -ERR_FORMAT / -ERR_LIMIT. */
int ocipkt_kid(const char *kid, size_t kid_len, char *norm, char *path, struct err *e);

/* Decrypt the packet's wrapped_data with kek into out (cap bytes), *len = the
 * plaintext length.  Returns 0, -ENOSPC, -ERR_DIGEST (GCM tag mismatch: wrong
 * key or tampered packet), -ERR_FORMAT, -EIO (crypto library failure).  On
 * failure out holds no plaintext and *len is 0. */
int ocipkt_unwrap(const struct ocipkt *p, const uint8_t kek[OCIPKT_KEK_LEN], uint8_t *out,
		  size_t cap, size_t *len, struct err *e);

/* Build a packet for kid (checked, normalised) wrapping the n bytes at
 * optsdata (n + 16 <= OCIPKT_WRAPPED_MAX) with kek: fresh 12-byte IV from
 * getrandom(2), A256GCM, tag appended, members in the order kid,
 * wrapped_data, iv, wrap_type.  *json_out is malloc'd (free()), NUL-terminated,
 * *len its length.  Returns 0, -ERR_FORMAT (kid), -ERR_LIMIT, -ENOMEM, -EIO. */
int ocipkt_wrap(const char *kid, const uint8_t kek[OCIPKT_KEK_LEN], const uint8_t *optsdata,
		size_t n, char **json_out, size_t *len, struct err *e);

/* A byte field as yyjson sees it: a standard base64 string or an array of
 * integers 0..255, decoded into out[cap].  `what` names it in messages.
 * Returns 0, -ERR_FORMAT, -ERR_LIMIT (more than cap bytes).  Shared with the
 * keyprovider message parser. */
int ocipkt_bytes(const char *what, yyjson_val *v, uint8_t *out, size_t cap,
		 size_t *len, struct err *e);

#endif
