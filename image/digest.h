/* digest: content digests as the OCI image spec writes them.
 *
 * Only sha256 is supported: "sha256:" followed by exactly 64 lowercase hex
 * digits (the spec's encoded form for sha256; no uppercase, no padding).
 * Other registered algorithms (sha512) are recognised and refused with
 * -ERR_UNSUPPORTED; anything else is -ERR_FORMAT.  Pure: no I/O, no malloc.
 */
#ifndef CCG_IMAGE_DIGEST_H
#define CCG_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum digest_alg {
	DIGEST_NONE = 0,   /* unset; never equal to anything */
	DIGEST_SHA256 = 1,
};

#define DIGEST_SHA256_LEN 32
/* "sha256:" + 64 hex + NUL */
#define DIGEST_STR_MAX (7 + 2 * DIGEST_SHA256_LEN + 1)

struct digest {
	uint8_t alg;                       /* enum digest_alg */
	uint8_t hash[DIGEST_SHA256_LEN];
};

/* Parse the len bytes at s (no NUL needed; an embedded NUL is an error) into
 * *d.  Returns 0, -ERR_FORMAT (malformed: no "alg:" prefix, bad algorithm
 * grammar, wrong length, non-lowercase-hex), or -ERR_UNSUPPORTED (a well-formed
 * digest of another algorithm, e.g. sha512).  *d is zeroed on failure. */
int digest_parse(const char *s, size_t len, struct digest *d, struct err *e);

/* Write "sha256:<64 hex>" NUL-terminated into out.  An unset digest
 * (alg != DIGEST_SHA256) is written as "invalid:". */
void digest_format(const struct digest *d, char out[DIGEST_STR_MAX]);

/* True when both are sha256 and the hashes are equal.  The hash comparison
 * does not branch on the data (constant time). */
bool digest_equal(const struct digest *a, const struct digest *b);

#endif
