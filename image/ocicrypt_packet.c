/* ocipkt: see ocicrypt_packet.h.
 *
 * On A256CTR (accepted for compatibility with guest-components' WrapType):
 * it has no MAC, so a wrong key or a flipped bit gives garbage privopts
 * rather than an error.  One might hope the layer's own HMAC (privopts carry
 * the layer key and its HMAC key, ocicrypt checks the HMAC over the layer
 * ciphertext) makes up for it, but it does not: a forged packet would carry
 * attacker-chosen privopts, with their own symkey and therefore a matching
 * HMAC over attacker-chosen ciphertext.  What does protect the packet is
 * that it sits in a layer descriptor annotation of the manifest, and the
 * manifest is pinned by digest (and signature policy): an A256CTR packet is
 * exactly as trusted as the manifest that carries it, no more.  A256GCM adds
 * its own integrity (and binds the privopts to the KEK holder); we only ever
 * write A256GCM. */
#include "image/ocicrypt_packet.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "crypto/aes.h"
#include "crypto/b64.h"
#include "crypto/ct.h"
#include "crypto/gcm.h"
#include "crypto/random.h"

/* GCM_IV_LEN (12) comes from crypto/gcm.h. */
#define CTR_IV_LEN 16

size_t ocipkt_work_size(size_t n)
{
	return json_work_size(n);
}

/* ---- kid -------------------------------------------------------------- */

static bool part_ok(const char *s, size_t n)
{
	if (n == 0 || n > OCIPKT_PART_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static bool host_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':' ||
		      c == '[' || c == ']'))
			return false;
	}
	return true;
}

int ocipkt_kid(const char *kid, size_t kid_len, char *norm, char *path, struct err *e)
{
	static const char scheme[] = "kbs://";
	const size_t sl = sizeof(scheme) - 1;
	const char *host = "", *p, *end = kid + kid_len, *slash;
	size_t host_len = 0, parts = 0;

	if (kid_len >= OCIPKT_KID_MAX)
		return err_set(e, -ERR_LIMIT, "kid of %zu bytes, at most %d allowed", kid_len,
			       OCIPKT_KID_MAX - 1);
	if (kid_len > sl && memcmp(kid, scheme, sl) == 0) {
		host = kid + sl;
		slash = memchr(host, '/', (size_t)(end - host));
		if (!slash)
			return err_set(e, -ERR_FORMAT, "kid: no resource path after kbs://");
		host_len = (size_t)(slash - host);
		if (!host_ok(host, host_len))
			return err_set(e, -ERR_FORMAT, "kid: bad host in kbs:// URI");
		p = slash + 1;
	} else if (kid_len > 0 && kid[0] == '/') {
		p = kid + 1;
	} else {
		return err_set(e, -ERR_FORMAT, "kid: expected kbs://[host]/<repo>/<type>/<tag> "
			       "or /<repo>/<type>/<tag>");
	}
	const char *path_start = p;
	while (p <= end) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
		if (!part_ok(p, n))
			return err_set(e, -ERR_FORMAT, "kid: resource path component %zu is empty, "
				       "starts with '.' or has characters outside [A-Za-z0-9_.-] "
				       "(or is longer than %d)", parts + 1, OCIPKT_PART_MAX);
		parts++;
		if (!q)
			break;
		p = q + 1;
	}
	if (parts != 3)
		return err_set(e, -ERR_FORMAT, "kid: expected 3 path components "
			       "<repo>/<type>/<tag>, got %zu", parts);
	size_t plen = (size_t)(end - path_start);
	if (path) {
		memcpy(path, path_start, plen);
		path[plen] = '\0';
	}
	if (norm) {
		/* "kbs://" + host + "/" + path: at most kid_len + 7 < KID_MAX? */
		if (sl + host_len + 1 + plen >= OCIPKT_KID_MAX)
			return err_set(e, -ERR_LIMIT, "kid too long once normalised");
		memcpy(norm, scheme, sl);
		memcpy(norm + sl, host, host_len);
		norm[sl + host_len] = '/';
		memcpy(norm + sl + host_len + 1, path_start, plen);
		norm[sl + host_len + 1 + plen] = '\0';
	}
	return 0;
}

/* ---- byte fields ------------------------------------------------------ */

int ocipkt_bytes(const char *what, yyjson_val *v, uint8_t *out, size_t cap, size_t *len,
		 struct err *e)
{
	size_t idx, max;
	yyjson_val *x;
	int rc;

	*len = 0;
	if (yyjson_is_str(v)) {
		rc = b64_decode(yyjson_get_str(v), yyjson_get_len(v), out, cap, len, false);
		if (rc == -ENOSPC)
			return err_set(e, -ERR_LIMIT, "\"%s\": more than %zu bytes", what, cap);
		if (rc < 0)
			return err_set(e, -ERR_FORMAT, "\"%s\": invalid base64", what);
		return 0;
	}
	if (!yyjson_is_arr(v))
		return err_set(e, -ERR_FORMAT, "\"%s\": expected a base64 string or an array "
			       "of bytes, got %s", what, v ? yyjson_get_type_desc(v) : "nothing");
	if (yyjson_arr_size(v) > cap)
		return err_set(e, -ERR_LIMIT, "\"%s\": %zu bytes, more than %zu", what,
			       yyjson_arr_size(v), cap);
	yyjson_arr_foreach(v, idx, max, x) {
		if (!yyjson_is_uint(x) || yyjson_get_uint(x) > 255) {
			ct_wipe(out, idx);
			return err_set(e, -ERR_FORMAT, "\"%s\": element %zu is not an integer "
				       "0..255", what, idx);
		}
		out[idx] = (uint8_t)yyjson_get_uint(x);
	}
	*len = yyjson_arr_size(v);
	return 0;
}

/* ---- parse ------------------------------------------------------------ */

enum {
	M_KID = 1 << 0,
	M_WRAPPED = 1 << 1,
	M_IV = 1 << 2,
	M_WRAP_TYPE = 1 << 3,
	M_VERSION = 1 << 4,
	M_PROVIDER = 1 << 5,
	M_SETTINGS = 1 << 6,
	M_ANNOTATIONS = 1 << 7,
};

static const struct {
	const char *name;
	unsigned bit;
} members[] = {
	{ "kid", M_KID },
	{ "wrapped_data", M_WRAPPED },
	{ "iv", M_IV },
	{ "wrap_type", M_WRAP_TYPE },
	{ "version", M_VERSION },
	{ "provider", M_PROVIDER },
	{ "provider_settings", M_SETTINGS },
	{ "annotations", M_ANNOTATIONS },
};

static int str_is(yyjson_val *v, const char *s)
{
	return yyjson_is_str(v) && yyjson_equals_str(v, s);
}

static int pk_member(struct ocipkt *out, unsigned bit, yyjson_val *v, struct err *e)
{
	uint8_t iv[CTR_IV_LEN + 1];
	int rc;

	switch (bit) {
	case M_KID:
		if (!yyjson_is_str(v))
			return err_set(e, -ERR_FORMAT, "\"kid\": expected a string, got %s",
				       yyjson_get_type_desc(v));
		return ocipkt_kid(yyjson_get_str(v), yyjson_get_len(v), out->kid, out->path, e);
	case M_WRAPPED:
		return ocipkt_bytes("wrapped_data", v, out->wrapped, sizeof(out->wrapped),
				    &out->wrapped_len, e);
	case M_IV:
		if (yyjson_is_null(v))
			return 0;
		rc = ocipkt_bytes("iv", v, iv, sizeof(iv), &out->iv_len, e);
		if (rc == -ERR_LIMIT)
			rc = err_set(e, -ERR_FORMAT, "\"iv\": longer than 16 bytes");
		if (rc == 0)
			memcpy(out->iv, iv, out->iv_len);
		return rc;
	case M_WRAP_TYPE:
		if (yyjson_is_null(v))
			return 0;
		if (str_is(v, "A256GCM"))
			out->wrap_type = OCIPKT_A256GCM;
		else if (str_is(v, "A256CTR"))
			out->wrap_type = OCIPKT_A256CTR;
		else if (yyjson_is_str(v))
			return err_set(e, -ERR_UNSUPPORTED, "\"wrap_type\": only A256GCM and "
				       "A256CTR are supported");
		else
			return err_set(e, -ERR_FORMAT, "\"wrap_type\": expected a string, got %s",
				       yyjson_get_type_desc(v));
		return 0;
	case M_VERSION:
		if (!yyjson_is_str(v))
			return err_set(e, -ERR_FORMAT, "\"version\": expected a string");
		if (!str_is(v, "0.1.0"))
			return err_set(e, -ERR_UNSUPPORTED, "\"version\": only \"0.1.0\" is "
				       "supported");
		return 0;
	case M_PROVIDER:
		if (!yyjson_is_str(v))
			return err_set(e, -ERR_FORMAT, "\"provider\": expected a string");
		if (!str_is(v, "kbs"))
			return err_set(e, -ERR_UNSUPPORTED, "\"provider\": only \"kbs\" is "
				       "supported (KMS providers are not)");
		return 0;
	case M_SETTINGS:
	case M_ANNOTATIONS:
		if (!yyjson_is_obj(v))
			return err_set(e, -ERR_FORMAT, "\"%s\": expected an object, got %s",
				       bit == M_SETTINGS ? "provider_settings" : "annotations",
				       yyjson_get_type_desc(v));
		return 0;
	}
	return err_set(e, -ERR_FORMAT, "internal: unknown member");
}

static int pk_members(yyjson_val *root, struct ocipkt *out, struct err *e)
{
	unsigned seen = 0;
	size_t idx, max, i;
	yyjson_val *k, *v;
	int rc;

	yyjson_obj_foreach(root, idx, max, k, v) {
		for (i = 0; i < sizeof(members) / sizeof(members[0]); i++)
			if (yyjson_equals_str(k, members[i].name))
				break;
		if (i == sizeof(members) / sizeof(members[0]))
			return err_set(e, -ERR_FORMAT, "unknown member (not one of kid, "
				       "wrapped_data, iv, wrap_type, version, provider, "
				       "provider_settings, annotations)");
		if (seen & members[i].bit)
			return err_set(e, -ERR_FORMAT, "duplicate key \"%s\"", members[i].name);
		seen |= members[i].bit;
		rc = pk_member(out, members[i].bit, v, e);
		if (rc < 0)
			return rc;
	}
	if (!(seen & M_KID))
		return err_set(e, -ERR_FORMAT, "missing \"kid\"");
	if (!(seen & M_WRAPPED))
		return err_set(e, -ERR_FORMAT, "missing \"wrapped_data\"");
	if (out->iv_len == 0)
		return err_set(e, -ERR_FORMAT, "missing \"iv\"");
	if (out->wrap_type == 0)
		out->wrap_type = OCIPKT_A256GCM;
	if (out->wrap_type == OCIPKT_A256GCM && out->iv_len != GCM_IV_LEN)
		return err_set(e, -ERR_FORMAT, "\"iv\": A256GCM needs 12 bytes, got %zu",
			       out->iv_len);
	if (out->wrap_type == OCIPKT_A256CTR && out->iv_len != CTR_IV_LEN)
		return err_set(e, -ERR_FORMAT, "\"iv\": A256CTR needs 16 bytes, got %zu",
			       out->iv_len);
	if (out->wrap_type == OCIPKT_A256GCM && out->wrapped_len < OCIPKT_TAG_LEN)
		return err_set(e, -ERR_FORMAT, "\"wrapped_data\": %zu bytes, shorter than the "
			       "GCM tag", out->wrapped_len);
	return 0;
}

int ocipkt_parse(const uint8_t *json, size_t n, struct ocipkt *out, void *work, size_t wl,
		 struct err *e)
{
	yyjson_doc *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = json_open(json, n, OCIPKT_JSON_MAX, work, wl, &doc, e);
	if (rc == 0)
		rc = pk_members(yyjson_doc_get_root(doc), out, e);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return err_wrap(e, rc, "annotation packet");
	}
	return 0;
}

/* ---- unwrap ----------------------------------------------------------- */

/* AES-256-CTR over the whole 16-byte iv as a 128-bit big-endian counter
 * (RustCrypto Ctr128BE, as guest-components' A256CTR). */
static void ctr_crypt(const uint8_t kek[OCIPKT_KEK_LEN], const uint8_t iv[CTR_IV_LEN],
		      const uint8_t *in, size_t n, uint8_t *out)
{
	struct aes256_ctr c;

	aes256_ctr_init(&c, kek, iv);
	aes256_ctr_xor(&c, in, out, n);
	aes256_ctr_wipe(&c);
}

static int gcm_open(const struct ocipkt *p, const uint8_t kek[OCIPKT_KEK_LEN], uint8_t *out,
		    size_t n)
{
	int rc = gcm_aes256_decrypt(kek, p->iv, GCM_IV_LEN, NULL, 0, p->wrapped, n, out,
				    p->wrapped + n);

	if (rc == -EBADMSG)
		return -ERR_DIGEST;
	return rc == 0 ? 0 : -EIO;
}

int ocipkt_unwrap(const struct ocipkt *p, const uint8_t kek[OCIPKT_KEK_LEN], uint8_t *out,
		  size_t cap, size_t *len, struct err *e)
{
	size_t n;
	int rc;

	*len = 0;
	if (p->wrap_type == OCIPKT_A256GCM && p->iv_len == GCM_IV_LEN &&
	    p->wrapped_len >= OCIPKT_TAG_LEN && p->wrapped_len <= OCIPKT_WRAPPED_MAX)
		n = p->wrapped_len - OCIPKT_TAG_LEN;
	else if (p->wrap_type == OCIPKT_A256CTR && p->iv_len == CTR_IV_LEN &&
		 p->wrapped_len <= OCIPKT_WRAPPED_MAX)
		n = p->wrapped_len;
	else
		return err_set(e, -ERR_FORMAT, "annotation packet %s: not a parsed packet",
			       p->kid);
	if (n > cap)
		return err_set(e, -ENOSPC, "annotation packet %s: %zu bytes of key options, "
			       "room for %zu", p->kid, n, cap);
	rc = 0;
	if (p->wrap_type == OCIPKT_A256GCM)
		rc = gcm_open(p, kek, out, n);
	else
		ctr_crypt(kek, p->iv, p->wrapped, n, out);
	if (rc < 0) {
		ct_wipe(out, n);
		if (rc == -ERR_DIGEST)
			return err_set(e, rc, "annotation packet %s: authentication failed "
				       "(wrong key or tampered packet)", p->kid);
		return err_set(e, rc, "annotation packet %s: decryption failed", p->kid);
	}
	*len = n;
	return 0;
}

/* ---- wrap ------------------------------------------------------------- */

int ocipkt_wrap(const char *kid, const uint8_t kek[OCIPKT_KEK_LEN], const uint8_t *optsdata,
		size_t n, char **json_out, size_t *len, struct err *e)
{
	char norm[OCIPKT_KID_MAX], iv64[32];
	uint8_t iv[GCM_IV_LEN], *ct = NULL;
	char *wd64 = NULL, *js = NULL;
	size_t wd64_len = 0, iv64_len = 0;
	yyjson_mut_doc *doc = NULL;
	yyjson_mut_val *root;
	int rc;

	*json_out = NULL;
	*len = 0;
	rc = ocipkt_kid(kid, strlen(kid), norm, NULL, e);
	if (rc < 0)
		return rc;
	if (n == 0 || n > OCIPKT_WRAPPED_MAX - OCIPKT_TAG_LEN)
		return err_set(e, -ERR_LIMIT, "key options of %zu bytes (1..%u allowed)", n,
			       OCIPKT_WRAPPED_MAX - OCIPKT_TAG_LEN);
	if (random_bytes(iv, sizeof(iv)) < 0)
		return err_set(e, -EIO, "getrandom failed");
	ct = malloc(n + OCIPKT_TAG_LEN);
	wd64 = malloc(b64_encoded_len(n + OCIPKT_TAG_LEN, false) + 1);
	if (!ct || !wd64) {
		rc = err_set(e, -ENOMEM, "out of memory");
		goto out_free;
	}
	if (gcm_aes256_encrypt(kek, iv, sizeof(iv), NULL, 0, optsdata, n, ct, ct + n) != 0) {
		rc = err_set(e, -EIO, "AES-256-GCM encryption failed");
		goto out_free;
	}
	if (b64_encode(ct, n + OCIPKT_TAG_LEN, wd64, b64_encoded_len(n + OCIPKT_TAG_LEN, false) + 1,
		       &wd64_len, false) != 0 ||
	    b64_encode(iv, sizeof(iv), iv64, sizeof(iv64), &iv64_len, false) != 0) {
		rc = err_set(e, -EIO, "internal: base64 encoding failed");
		goto out_free;
	}
	doc = yyjson_mut_doc_new(NULL);
	root = doc ? yyjson_mut_obj(doc) : NULL;
	if (!root || (yyjson_mut_doc_set_root(doc, root), false) ||
	    !yyjson_mut_obj_add_strn(doc, root, "kid", norm, strlen(norm)) ||
	    !yyjson_mut_obj_add_strn(doc, root, "wrapped_data", wd64, wd64_len) ||
	    !yyjson_mut_obj_add_strn(doc, root, "iv", iv64, iv64_len) ||
	    !yyjson_mut_obj_add_str(doc, root, "wrap_type", "A256GCM") ||
	    !(js = yyjson_mut_write(doc, YYJSON_WRITE_NOFLAG, len))) {
		*len = 0;
		rc = err_set(e, -ENOMEM, "out of memory");
		goto out_free;
	}
	*json_out = js;
	rc = 0;
out_free:
	yyjson_mut_doc_free(doc);
	free(wd64);
	free(ct);
	ct_wipe(iv, sizeof(iv));
	return rc;
}
