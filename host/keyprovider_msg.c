/* kpmsg: see keyprovider_msg.h. */
#include "host/keyprovider_msg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "crypto/b64.h"
#include "crypto/ct.h"

size_t kpmsg_work_size(size_t n)
{
	return json_work_size(n);
}

/* Refuse members of obj other than a and b (duplicates of those are caught
 * where they are looked up). */
static int only_members(yyjson_val *obj, const char *what, const char *a, const char *b,
			struct err *e)
{
	size_t idx, max;
	yyjson_val *k, *v;

	yyjson_obj_foreach(obj, idx, max, k, v) {
		(void)v;
		if (!yyjson_equals_str(k, a) && !yyjson_equals_str(k, b))
			return err_set(e, -ERR_FORMAT, "\"%s\": unknown member (expected \"%s\" "
				       "and \"%s\")", what, a, b);
	}
	return 0;
}

/* obj.key as an object, or NULL when absent or null. */
static int get_obj(yyjson_val *obj, const char *key, yyjson_val **out, struct err *e)
{
	int rc = json_obj_get(obj, key, out, e);

	if (rc < 0)
		return rc;
	if (*out && yyjson_is_null(*out))
		*out = NULL;
	if (*out && !yyjson_is_obj(*out))
		return err_set(e, -ERR_FORMAT, "\"%s\": expected an object, got %s", key,
			       yyjson_get_type_desc(*out));
	return 0;
}

static bool key_is(const char *s, size_t n, const char *key)
{
	return n == strlen(key) && memcmp(s, key, n) == 0;
}

int kpmsg_param(const char *s, size_t n, char *kid, struct err *e)
{
	const char *end = s + n, *p = s;
	char norm[OCIPKT_KID_MAX], got[OCIPKT_KID_MAX] = "";
	int rc;

	if (key_is(s, n, "Enabled"))
		return 0;
	if (n == 0)
		return err_set(e, -ERR_FORMAT, "empty provider parameter");
	while (p < end) {
		const char *q = p, *eq, *v;
		size_t kn, vn;

		/* The next "::" ends this pair. */
		while (q < end && !(q + 1 < end && q[0] == ':' && q[1] == ':'))
			q++;
		eq = memchr(p, '=', (size_t)(q - p));
		if (!eq)
			return err_set(e, -ERR_FORMAT, "provider parameter: expected key=value "
				       "pairs joined by \"::\", or \"Enabled\"");
		kn = (size_t)(eq - p);
		v = eq + 1;
		vn = (size_t)(q - v);
		if (key_is(p, kn, "keyid")) {
			rc = ocipkt_kid(v, vn, norm, NULL, e);
			if (rc < 0)
				return err_wrap(e, rc, "provider parameter keyid");
			if ((kid[0] && strcmp(kid, norm) != 0) || (got[0] && strcmp(got, norm) != 0))
				return err_set(e, -ERR_FORMAT, "provider parameters name two "
					       "different keyids");
			memcpy(got, norm, strlen(norm) + 1);
		} else if (key_is(p, kn, "algorithm")) {
			if (!key_is(v, vn, "A256GCM"))
				return err_set(e, -ERR_UNSUPPORTED, "provider parameter algorithm: "
					       "only A256GCM is supported");
		} else {
			return err_set(e, -ERR_UNSUPPORTED, "provider parameter: unknown key "
				       "(only keyid and algorithm are supported)");
		}
		p = q < end ? q + 2 : q;
		if (q < end && p == end)
			return err_set(e, -ERR_FORMAT, "provider parameter ends with \"::\"");
	}
	/* Only a wholly valid parameter changes kid. */
	if (got[0])
		memcpy(kid, got, strlen(got) + 1);
	return 0;
}

/* ec.Parameters[provider]: an array of base64 strings (or null). */
static int wrap_params(yyjson_val *ec, const char *provider, char *kid, struct err *e)
{
	yyjson_val *params, *list, *x;
	uint8_t buf[KPMSG_PARAM_MAX];
	size_t idx, max, len;
	int rc;

	rc = get_obj(ec, "Parameters", &params, e);
	if (rc < 0 || !params)
		return rc;
	rc = json_obj_get(params, provider, &list, e);
	if (rc < 0 || !list || yyjson_is_null(list))
		return rc;
	if (!yyjson_is_arr(list))
		return err_set(e, -ERR_FORMAT, "\"Parameters\".\"%s\": expected an array", provider);
	if (yyjson_arr_size(list) > KPMSG_PARAMS_MAX)
		return err_set(e, -ERR_LIMIT, "more than %d provider parameters", KPMSG_PARAMS_MAX);
	yyjson_arr_foreach(list, idx, max, x) {
		rc = ocipkt_bytes("Parameters", x, buf, sizeof(buf), &len, e);
		if (rc == 0 && memchr(buf, '\0', len))
			rc = err_set(e, -ERR_FORMAT, "provider parameter contains NUL");
		if (rc == 0)
			rc = kpmsg_param((const char *)buf, len, kid, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_wrap(yyjson_val *wp, const char *provider, struct kpmsg_req *r, uint8_t *buf,
		      size_t cap, struct err *e)
{
	yyjson_val *ec, *od;
	int rc;

	if (!wp)
		return err_set(e, -ERR_FORMAT, "keywrap: missing \"keywrapparams\"");
	rc = only_members(wp, "keywrapparams", "ec", "optsdata", e);
	if (rc == 0)
		rc = get_obj(wp, "ec", &ec, e);
	if (rc == 0 && ec)
		rc = wrap_params(ec, provider, r->kid, e);
	if (rc == 0)
		rc = json_obj_get(wp, "optsdata", &od, e);
	if (rc < 0)
		return rc;
	if (!od || yyjson_is_null(od))
		return err_set(e, -ERR_FORMAT, "keywrap: missing \"optsdata\"");
	rc = ocipkt_bytes("optsdata", od, buf, cap < KPMSG_OPTS_MAX ? cap : KPMSG_OPTS_MAX,
			  &r->data_len, e);
	if (rc == 0 && r->data_len == 0)
		rc = err_set(e, -ERR_FORMAT, "keywrap: empty \"optsdata\"");
	return rc;
}

static int parse_unwrap(yyjson_val *up, struct kpmsg_req *r, uint8_t *buf, size_t cap,
			struct err *e)
{
	yyjson_val *dc, *an;
	int rc;

	if (!up)
		return err_set(e, -ERR_FORMAT, "keyunwrap: missing \"keyunwrapparams\"");
	rc = only_members(up, "keyunwrapparams", "dc", "annotation", e);
	/* dc (the DecryptConfig) carries nothing we use. */
	if (rc == 0)
		rc = get_obj(up, "dc", &dc, e);
	if (rc == 0)
		rc = json_obj_get(up, "annotation", &an, e);
	if (rc < 0)
		return rc;
	if (!an || yyjson_is_null(an))
		return err_set(e, -ERR_FORMAT, "keyunwrap: missing \"annotation\"");
	rc = ocipkt_bytes("annotation", an, buf, cap < KPMSG_DATA_MAX ? cap : KPMSG_DATA_MAX,
			  &r->data_len, e);
	if (rc == 0 && r->data_len == 0)
		rc = err_set(e, -ERR_FORMAT, "keyunwrap: empty \"annotation\"");
	return rc;
}

static int parse_root(yyjson_val *root, const char *provider, struct kpmsg_req *r,
		      uint8_t *buf, size_t cap, struct err *e)
{
	yyjson_val *op, *wp, *up;
	size_t idx, max;
	yyjson_val *k, *v;
	int rc;

	yyjson_obj_foreach(root, idx, max, k, v) {
		(void)v;
		if (!yyjson_equals_str(k, "op") && !yyjson_equals_str(k, "keywrapparams") &&
		    !yyjson_equals_str(k, "keyunwrapparams"))
			return err_set(e, -ERR_FORMAT, "unknown member (expected op, "
				       "keywrapparams, keyunwrapparams)");
	}
	rc = json_obj_get(root, "op", &op, e);
	if (rc == 0)
		rc = get_obj(root, "keywrapparams", &wp, e);
	if (rc == 0)
		rc = get_obj(root, "keyunwrapparams", &up, e);
	if (rc < 0)
		return rc;
	if (!op)
		return err_set(e, -ERR_FORMAT, "missing \"op\"");
	if (!yyjson_is_str(op))
		return err_set(e, -ERR_FORMAT, "\"op\": expected a string");
	if (yyjson_equals_str(op, "keywrap")) {
		r->op = KPMSG_KEYWRAP;
		if (up)
			rc = only_members(up, "keyunwrapparams", "dc", "annotation", e);
		return rc < 0 ? rc : parse_wrap(wp, provider, r, buf, cap, e);
	}
	if (yyjson_equals_str(op, "keyunwrap")) {
		r->op = KPMSG_KEYUNWRAP;
		if (wp)
			rc = only_members(wp, "keywrapparams", "ec", "optsdata", e);
		return rc < 0 ? rc : parse_unwrap(up, r, buf, cap, e);
	}
	return err_set(e, -ERR_UNSUPPORTED, "\"op\": expected \"keywrap\" or \"keyunwrap\"");
}

int kpmsg_parse_req(const uint8_t *json, size_t n, const char *provider,
		    struct kpmsg_req *r, uint8_t *buf, size_t cap, void *work, size_t wl,
		    struct err *e)
{
	yyjson_doc *doc;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = json_open(json, n, KPMSG_REQ_MAX, work, wl, &doc, e);
	if (rc == 0)
		rc = parse_root(yyjson_doc_get_root(doc), provider, r, buf, cap, e);
	if (rc < 0) {
		ct_wipe(buf, r->data_len);
		memset(r, 0, sizeof(*r));
		return err_wrap(e, rc, "keyprovider request");
	}
	r->data = buf;
	return 0;
}

/* ---- responses -------------------------------------------------------- */

static int response(const char *pre, const char *post, const uint8_t *p, size_t n,
		    char **out, size_t *len, struct err *e)
{
	size_t pl = strlen(pre), sl = strlen(post), bl = b64_encoded_len(n, false), got = 0;
	char *s;

	*out = NULL;
	*len = 0;
	if (n > KPMSG_DATA_MAX)
		return err_set(e, -ERR_LIMIT, "response payload of %zu bytes", n);
	s = malloc(pl + bl + sl + 1);
	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	memcpy(s, pre, pl);
	if (b64_encode(p, n, s + pl, bl + 1, &got, false) != 0 || got != bl) {
		ct_wipe(s, pl + bl + 1);
		free(s);
		return err_set(e, -EIO, "internal: base64 encoding failed");
	}
	memcpy(s + pl + bl, post, sl + 1);
	*out = s;
	*len = pl + bl + sl;
	return 0;
}

int kpmsg_wrap_response(const uint8_t *annotation, size_t n, char **out, size_t *len,
			struct err *e)
{
	return response("{\"keywrapresults\":{\"annotation\":\"", "\"}}\n", annotation, n,
			out, len, e);
}

int kpmsg_unwrap_response(const uint8_t *optsdata, size_t n, char **out, size_t *len,
			  struct err *e)
{
	return response("{\"keyunwrapresults\":{\"optsdata\":\"", "\"}}\n", optsdata, n, out,
			len, e);
}

void kpmsg_free(char *resp, size_t len)
{
	if (!resp)
		return;
	ct_wipe(resp, len);
	free(resp);
}
