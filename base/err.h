/* err: the project's one error convention.
 *
 * A fallible function returns 0 on success or a negative code: -errno, or one of
 * the ERR_* codes below.  It takes an optional `struct err *` that receives one
 * line naming the object and the cause ("blob sha256:ab..: digest mismatch:
 * expected X, got Y").  Callers add context on the way up with err_wrap().
 * Cleanup is done with goto labels named after what they undo; every *_free()
 * accepts NULL.  See docs/errors.md.
 */
#ifndef CCG_BASE_ERR_H
#define CCG_BASE_ERR_H

#include <stddef.h>

/* Module error codes, outside the errno range. */
enum {
	ERR_DIGEST = 4096, /* a digest did not match its pin */
	ERR_FORMAT,        /* malformed untrusted input */
	ERR_UNSUPPORTED,   /* valid but not supported (media type, algorithm) */
	ERR_LIMIT,         /* a size, count or depth bound was exceeded */
	ERR_UNSAFE,        /* refused for safety (path escape, device node) */
	ERR_NOTFOUND,      /* a referenced object is absent */
};

#define ERR_MSG_MAX 512

struct err {
	int code;               /* the negative code last set, 0 if none */
	char msg[ERR_MSG_MAX];  /* NUL-terminated, never contains secrets */
};

/* Record code (negative) and a printf-style message; returns code. e may be NULL. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the existing message with context ("ctx: old"); returns e->code,
 * or `code` when e is NULL. */
int err_wrap(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A short text for a code: strerror() for -errno, a name for ERR_*. */
const char *err_str(int code);

#endif
