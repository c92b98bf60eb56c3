/* json: see json.h. */
#include "base/json.h"

#include <stdio.h>
#include <string.h>

#include "base/text.h"

#define JSON_SHOW_MAX 64

size_t json_work_size(size_t json_len)
{
	/* yyjson's bound for the read, plus the pool's header, chunk headers
	 * and alignment slack. */
	return yyjson_read_max_memory_usage(json_len, YYJSON_READ_NOFLAG) + 512;
}

int json_open(const uint8_t *p, size_t n, size_t max, void *work, size_t work_len,
	      yyjson_doc **doc, struct err *e)
{
	yyjson_read_err rerr;
	yyjson_alc alc;

	*doc = NULL;
	if (n == 0)
		return err_set(e, -ERR_FORMAT, "empty document");
	if (n > max)
		return err_set(e, -ERR_LIMIT, "document of %zu bytes, more than %zu", n, max);
	if (!work || !yyjson_alc_pool_init(&alc, work, work_len))
		return err_set(e, -ERR_LIMIT, "JSON work area of %zu bytes is too small", work_len);
	/* No flags: strict RFC 8259, UTF-8 validated, trailing content refused.
	 * Without YYJSON_READ_INSITU the input is copied, never written. */
	*doc = yyjson_read_opts((char *)(uintptr_t)p, n, YYJSON_READ_NOFLAG, &alc, &rerr);
	/* yyjson's bound holds for every valid document of n bytes; only broken
	 * ones ("[[[[...") can need more. */
	if (!*doc && rerr.code == YYJSON_READ_ERROR_MEMORY_ALLOCATION &&
	    work_len >= json_work_size(n))
		return err_set(e, -ERR_FORMAT, "invalid JSON: exceeds the memory bound of a "
			       "valid document of %zu bytes", n);
	if (!*doc && rerr.code == YYJSON_READ_ERROR_MEMORY_ALLOCATION)
		return err_set(e, -ERR_LIMIT, "JSON work area of %zu bytes is too small for "
			       "%zu bytes (need %zu)", work_len, n, json_work_size(n));
	if (!*doc)
		return err_set(e, -ERR_FORMAT, "invalid JSON at byte %zu: %s", rerr.pos,
			       rerr.msg ? rerr.msg : "?");
	if (!yyjson_is_obj(yyjson_doc_get_root(*doc)))
		return err_set(e, -ERR_FORMAT, "expected a JSON object, got %s",
			       yyjson_get_type_desc(yyjson_doc_get_root(*doc)));
	return 0;
}

int json_obj_get(yyjson_val *obj, const char *key, yyjson_val **out, struct err *e)
{
	size_t klen = strlen(key), idx, max;
	yyjson_val *k, *v;

	*out = NULL;
	yyjson_obj_foreach(obj, idx, max, k, v) {
		if (!yyjson_equals_strn(k, key, klen))
			continue;
		if (*out)
			return err_set(e, -ERR_FORMAT, "duplicate key \"%s\"", key);
		*out = v;
	}
	return 0;
}

int json_get_str(yyjson_val *obj, const char *key, int flags, const char **s,
		 size_t *len, struct err *e)
{
	yyjson_val *v;
	int rc;

	*s = NULL;
	*len = 0;
	rc = json_obj_get(obj, key, &v, e);
	if (rc < 0)
		return rc;
	if (v && yyjson_is_null(v) && (flags & JSON_NULL))
		v = NULL;
	if (!v)
		return (flags & JSON_REQ) ? err_set(e, -ERR_FORMAT, "missing \"%s\"", key) : 0;
	if (!yyjson_is_str(v))
		return err_set(e, -ERR_FORMAT, "\"%s\": expected a string, got %s", key,
			       yyjson_get_type_desc(v));
	*s = yyjson_get_str(v);
	*len = yyjson_get_len(v);
	if (memchr(*s, '\0', *len))
		return err_set(e, -ERR_FORMAT, "\"%s\": string contains NUL", key);
	return 0;
}

int json_copy_str(const char *what, const char *s, size_t len, char *dst, size_t cap,
		  struct err *e)
{
	char shown[JSON_SHOW_MAX + 4];
	size_t i;

	text_show(shown, sizeof(shown), s, len);
	if (len >= cap)
		return err_set(e, -ERR_LIMIT, "\"%s\": \"%s\" is %zu bytes, at most %zu allowed",
			       what, shown, len, cap - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return err_set(e, -ERR_FORMAT, "\"%s\": \"%s\" contains a control "
				       "character", what, shown);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

