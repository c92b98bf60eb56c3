/* json: reading untrusted JSON with yyjson, without malloc: the document
 * lives in a pool over caller memory (json_work_size() bytes hold every valid
 * document of a given length).  Strict RFC 8259, UTF-8 validated, trailing
 * content refused; duplicate keys are refused where a key is looked up. */
#ifndef CCG_BASE_JSON_H
#define CCG_BASE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <yyjson.h>

#include "base/err.h"

enum {
	JSON_OPT = 0,       /* absent is fine */
	JSON_REQ = 1 << 0,  /* absent is -ERR_FORMAT */
	JSON_NULL = 1 << 1, /* null counts as absent */
};

/* Work area that holds any valid document of json_len bytes. */
size_t json_work_size(size_t json_len);

/* Read n (<= max) bytes of JSON with a pool over work; the root must be an
 * object.  -ERR_FORMAT (invalid, not an object), -ERR_LIMIT (too long, work
 * too small). */
int json_open(const uint8_t *p, size_t n, size_t max, void *work, size_t work_len,
	      yyjson_doc **doc, struct err *e);

/* The value of key in obj: 0 with *out NULL when absent, -ERR_FORMAT when the
 * key appears more than once. */
int json_obj_get(yyjson_val *obj, const char *key, yyjson_val **out, struct err *e);

/* A string member (flags JSON_*).  *s points into the document, *len is its
 * length; *s is NULL when absent.  Embedded NUL -> -ERR_FORMAT. */
int json_get_str(yyjson_val *obj, const char *key, int flags, const char **s,
		 size_t *len, struct err *e);

/* Copy a checked string into dst[cap] NUL-terminated; too long -> -ERR_LIMIT,
 * control characters -> -ERR_FORMAT.  `what` names it in messages. */
int json_copy_str(const char *what, const char *s, size_t len, char *dst, size_t cap,
		  struct err *e);

#endif
