/* oci_int: helpers shared by oci.c and oci_config.c (private to image/). */
#ifndef CCG_IMAGE_OCI_INT_H
#define CCG_IMAGE_OCI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yyjson.h>

#include "base/err.h"

#define OCI_SHOW_MAX 64

enum {
	OCI_OPT = 0,       /* absent is fine */
	OCI_REQ = 1 << 0,  /* absent is -ERR_FORMAT */
	OCI_NULL = 1 << 1, /* null counts as absent */
};

/* Read n bytes of JSON with a pool over work; the root must be an object. */
int oci_json_open(const uint8_t *p, size_t n, void *work, size_t work_len,
		  yyjson_doc **doc, struct err *e);

/* The value of key in obj: 0 with *out NULL when absent, -ERR_FORMAT when the
 * key appears more than once. */
int oci_obj_get(yyjson_val *obj, const char *key, yyjson_val **out, struct err *e);

/* A string member (flags OCI_*).  *s points into the document, *len is its
 * length; *s is NULL when absent.  Embedded NUL -> -ERR_FORMAT. */
int oci_get_str(yyjson_val *obj, const char *key, int flags, const char **s,
		size_t *len, struct err *e);

/* Copy a checked string into dst[cap] NUL-terminated; too long -> -ERR_LIMIT. */
int oci_copy_str(const char *what, const char *s, size_t len, char *dst, size_t cap,
		 struct err *e);

/* "schemaVersion" must be the integer 2. */
int oci_check_schema(yyjson_val *root, struct err *e);

/* A printable, bounded copy of untrusted text for an error message. */

#endif
