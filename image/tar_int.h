/* tar_int: private helpers shared by tar.c and tar_pax.c. */
#ifndef CCG_IMAGE_TAR_INT_H
#define CCG_IMAGE_TAR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/tar.h"

/* struct tar .have bits: extensions waiting for their entry. */
enum {
	TAR_HAVE_LNAME = 1u << 0,   /* GNU 'L' long name */
	TAR_HAVE_LLINK = 1u << 1,   /* GNU 'K' long link */
	TAR_HAVE_PAX = 1u << 2,     /* a PAX 'x' header was read */
	TAR_HAVE_PATH = 1u << 3,    /* PAX path */
	TAR_HAVE_LINK = 1u << 4,    /* PAX linkpath */
	TAR_HAVE_SIZE = 1u << 5,
	TAR_HAVE_UID = 1u << 6,
	TAR_HAVE_GID = 1u << 7,
	TAR_HAVE_MTIME = 1u << 8,
};

#define TAR_ID_MAX 0xfffffffeu   /* largest uid/gid accepted */

/* Parse the PAX 'x' body t->pax[0, len) in place: records are validated,
 * keys and path values NUL-terminated, xattrs decoded into t->xattrs, and
 * the overrides recorded in t->pax_* and t->have.  -ERR_FORMAT,
 * -ERR_LIMIT or -ERR_UNSUPPORTED (GNU.sparse.*) on bad input. */
int tar_pax_parse(struct tar *t, size_t len, struct err *e);

/* Parse n > 0 decimal digits (nothing else) into *out, at most max. */
bool tar_dec_u64(const uint8_t *s, size_t n, uint64_t max, uint64_t *out);

#endif
