/* ocicrypt: layer-encryption metadata; see ocicrypt.h. */
#include "image/ocicrypt.h"

#include <errno.h>
#include <string.h>

#include <yyjson.h>

#include "base/json.h"
#include "base/text.h"
#include "crypto/b64.h"
#include "crypto/ct.h"

#define BYTES_MAX 96 /* longest byte field decoded (the wanted ones are <= 32) */

size_t ocicrypt_work_size(size_t n)
{
	if (n > OCICRYPT_JSON_MAX / 3 * 4 + 4)
		return 0;
	/* pubopts: the decoded JSON at the front, then the pool. */
	return n + 16 + json_work_size(n);
}

/* The byte field `what` (value v, not NULL) into out: exactly want bytes,
 * from a standard base64 string or an array of integers 0..255. */
static int get_bytes(const char *what, yyjson_val *v, uint8_t *out, size_t want,
		     struct err *e)
{
	uint8_t tmp[BYTES_MAX];
	size_t len = 0, idx, max;
	yyjson_val *it;
	int rc = 0;

	if (yyjson_is_str(v)) {
		const char *s = yyjson_get_str(v);
		size_t n = yyjson_get_len(v);

		rc = b64_decode(s, n, tmp, sizeof(tmp), &len, false);
		if (rc == -ENOSPC)
			rc = err_set(e, -ERR_FORMAT, "%s is more than %d bytes, expected %zu",
				     what, BYTES_MAX, want);
		else if (rc < 0)
			rc = err_set(e, -ERR_FORMAT, "%s: invalid base64", what);
	} else if (yyjson_is_arr(v)) {
		len = yyjson_arr_size(v);
		if (len != want)
			return err_set(e, -ERR_FORMAT, "%s is %zu bytes, expected %zu", what, len,
				       want);
		yyjson_arr_foreach(v, idx, max, it) {
			if (!yyjson_is_uint(it) || yyjson_get_uint(it) > 255) {
				rc = err_set(e, -ERR_FORMAT, "%s: element %zu is not a byte "
					     "(an integer 0..255)", what, idx);
				break;
			}
			tmp[idx] = (uint8_t)yyjson_get_uint(it);
		}
	} else {
		return err_set(e, -ERR_FORMAT, "%s: expected a base64 string or an array of "
			       "bytes, got %s", what, yyjson_get_type_desc(v));
	}
	if (rc == 0 && len != want)
		rc = err_set(e, -ERR_FORMAT, "%s is %zu bytes, expected %zu", what, len, want);
	if (rc == 0)
		memcpy(out, tmp, want);
	ct_wipe(tmp, sizeof(tmp));
	return rc;
}

/* Member key of obj, which must be present and not null. */
static int get_req(yyjson_val *obj, const char *key, yyjson_val **v, struct err *e)
{
	int rc = json_obj_get(obj, key, v, e);

	if (rc < 0)
		return rc;
	if (!*v || yyjson_is_null(*v))
		return err_set(e, -ERR_FORMAT, "missing \"%s\"", key);
	return 0;
}

static int pub_fields(yyjson_val *root, struct ocicrypt_pub *out, struct err *e)
{
	yyjson_val *v;
	const char *s;
	size_t len;
	int rc;

	rc = json_get_str(root, "cipher", JSON_REQ, &s, &len, e);
	if (rc < 0)
		return rc;
	if (len != strlen(OCICRYPT_CIPHER) || memcmp(s, OCICRYPT_CIPHER, len) != 0) {
		char shown[64];

		return err_set(e, -ERR_UNSUPPORTED, "unknown cipher \"%s\", expected %s",
			       text_show(shown, sizeof(shown), s, len), OCICRYPT_CIPHER);
	}
	rc = get_req(root, "hmac", &v, e);
	if (rc < 0)
		return rc;
	rc = get_bytes("hmac", v, out->hmac, OCICRYPT_HMAC_LEN, e);
	if (rc < 0)
		return rc;
	rc = json_obj_get(root, "cipheroptions", &v, e);
	if (rc < 0)
		return rc;
	if (v && !yyjson_is_null(v) && !(yyjson_is_obj(v) && yyjson_obj_size(v) == 0))
		return err_set(e, -ERR_FORMAT, "\"cipheroptions\" of pubopts must be empty");
	return 0;
}

int ocicrypt_pubopts_parse(const char *b64, size_t n, struct ocicrypt_pub *out,
			   void *work, size_t work_len, struct err *e)
{
	uint8_t *json = work;
	size_t len = 0, off;
	yyjson_doc *doc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!b64 || n == 0)
		return err_set(e, -ERR_FORMAT, "pubopts: empty");
	if (n > OCICRYPT_JSON_MAX / 3 * 4 + 4)
		return err_set(e, -ERR_LIMIT, "pubopts: %zu characters, more than %u", n,
			       OCICRYPT_JSON_MAX / 3 * 4 + 4);
	off = (n / 4 * 3 + 15) & ~(size_t)15;
	if (!work || work_len < off)
		return err_set(e, -ERR_LIMIT, "pubopts: work area of %zu bytes is too small",
			       work_len);
	if (b64_decode(b64, n, json, off, &len, false) < 0)
		return err_set(e, -ERR_FORMAT, "pubopts: invalid base64");
	rc = json_open(json, len, OCICRYPT_JSON_MAX, json + off, work_len - off, &doc, e);
	if (rc == 0)
		rc = pub_fields(yyjson_doc_get_root(doc), out, e);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return err_wrap(e, rc, "pubopts");
	}
	return 0;
}

static int priv_fields(yyjson_val *root, struct ocicrypt_priv *out, struct err *e)
{
	yyjson_val *v, *opts;
	const char *s;
	size_t len;
	int rc;

	rc = get_req(root, "symkey", &v, e);
	if (rc < 0)
		return rc;
	rc = get_bytes("key", v, out->key, OCICRYPT_KEY_LEN, e);
	if (rc < 0)
		return rc;
	rc = get_req(root, "cipheroptions", &opts, e);
	if (rc < 0)
		return rc;
	if (!yyjson_is_obj(opts))
		return err_set(e, -ERR_FORMAT, "\"cipheroptions\": expected an object, got %s",
			       yyjson_get_type_desc(opts));
	rc = json_obj_get(opts, "nonce", &v, e);
	if (rc < 0)
		return rc;
	if (!v || yyjson_is_null(v))
		return err_set(e, -ERR_FORMAT, "missing nonce in \"cipheroptions\"");
	rc = get_bytes("nonce", v, out->nonce, OCICRYPT_NONCE_LEN, e);
	if (rc < 0)
		return rc;
	rc = json_get_str(root, "digest", JSON_NULL, &s, &len, e);
	if (rc == 0 && s)
		rc = json_copy_str("digest", s, len, out->digest, sizeof(out->digest), e);
	return rc;
}

int ocicrypt_privopts_parse(const uint8_t *json, size_t n, struct ocicrypt_priv *out,
			    void *work, size_t work_len, struct err *e)
{
	yyjson_doc *doc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = json_open(json, n, OCICRYPT_JSON_MAX, work, work_len, &doc, e);
	if (rc == 0)
		rc = priv_fields(yyjson_doc_get_root(doc), out, e);
	/* The pool holds a copy of the document, key included. */
	if (work)
		ct_wipe(work, work_len);
	if (rc < 0) {
		ocicrypt_priv_wipe(out);
		return err_wrap(e, rc, "privopts");
	}
	return 0;
}

void ocicrypt_priv_wipe(struct ocicrypt_priv *p)
{
	if (p)
		ct_wipe(p, sizeof(*p));
}

int ocicrypt_recipients_next(const char **p, const char *end, uint8_t *out, size_t cap,
			     size_t *len, struct err *e)
{
	const char *s = *p, *c;
	size_t n;
	int rc;

	*len = 0;
	if (!s || s >= end)
		return 0;
	c = memchr(s, ',', (size_t)(end - s));
	n = (size_t)((c ? c : end) - s);
	if (n == 0 || (c && c + 1 == end))
		return err_set(e, -ERR_FORMAT, "recipients: empty entry");
	rc = b64_decode(s, n, out, cap, len, false);
	if (rc == -ENOSPC)
		return err_set(e, -ERR_LIMIT, "recipients: entry of %zu characters does not "
			       "fit in %zu bytes", n, cap);
	if (rc < 0)
		return err_set(e, -ERR_FORMAT, "recipients: entry is not valid base64");
	if (*len == 0)
		return err_set(e, -ERR_FORMAT, "recipients: empty entry");
	*p = c ? c + 1 : end;
	return 1;
}

bool ocicrypt_media_is_encrypted(const char *mt)
{
	static const char sfx[] = "+encrypted";
	size_t n, sn = sizeof(sfx) - 1;

	if (!mt)
		return false;
	n = strlen(mt);
	return n > sn && memcmp(mt + n - sn, sfx, sn) == 0;
}
