#include "tee/kbs_proto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/json.h"
#include "base/text.h"

#define ERRORS_PREFIX "https://github.com/confidential-containers/kbs/errors/"

static bool seg_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || (!first && c == '.');
}

int kbs_resource_path(const char *uri, char path[KBS_PATH_MAX], struct err *e)
{
	const char *p = uri;
	size_t len = 0;
	unsigned segs = 0;
	char shown[80];

	text_show(shown, sizeof(shown), uri, strlen(uri));
	path[0] = '\0';
	if (strncmp(p, "kbs://", 6) != 0)
		return err_set(e, -ERR_FORMAT, "resource \"%s\": expected kbs:///repo/type/tag",
			       shown);
	p = strchr(p + 6, '/');         /* skip the ignored authority */
	if (!p)
		goto bad;
	while (*p == '/' && segs < 4) {
		size_t n = 0;

		p++;
		while (p[n] && p[n] != '/' && seg_char(p[n], n == 0))
			n++;
		if (n == 0 || (p[n] && p[n] != '/') || len + n + 2 > KBS_PATH_MAX)
			goto bad;
		if (segs++)
			path[len++] = '/';
		memcpy(path + len, p, n);
		len += n;
		p += n;
	}
	path[len] = '\0';
	if (*p == '\0' && segs == 3)
		return 0;
bad:
	path[0] = '\0';
	return err_set(e, -ERR_FORMAT, "resource \"%s\": expected kbs:///repo/type/tag "
		       "with segments [A-Za-z0-9_-][A-Za-z0-9_.-]*", shown);
}

int kbs_auth_body(const char *tee, char *out, size_t cap, size_t *len, struct err *e)
{
	int n = snprintf(out, cap, "{\"version\":\"" KBS_PROTOCOL_VERSION "\",\"tee\":\"%s\","
			 "\"extra-params\":{\"supported-hash-algorithms\":[\"sha384\"]}}", tee);

	if (n < 0 || (size_t)n >= cap || strpbrk(tee, "\"\\"))
		return err_set(e, -ERR_LIMIT, "auth request: does not fit");
	*len = (size_t)n;
	return 0;
}

static int open_body(const char *what, const char *body, size_t n, void *work,
		     size_t work_len, yyjson_doc **doc, struct err *e)
{
	int rc = json_open((const uint8_t *)body, n, KBS_BODY_MAX, work, work_len, doc, e);

	return rc < 0 ? err_wrap(e, rc, "%s", what) : 0;
}

/* extra-params: "" (every TEE but IBM SE) or an object that may select a
 * hash algorithm; we bind with SHA-384 only. */
static int check_extra(yyjson_val *root, struct err *e)
{
	yyjson_val *x;
	const char *s;
	size_t n;
	int rc = json_obj_get(root, "extra-params", &x, e);

	if (rc < 0 || !x || yyjson_is_str(x) || yyjson_is_null(x))
		return rc;
	if (!yyjson_is_obj(x))
		return err_set(e, -ERR_FORMAT, "\"extra-params\": expected a string or object");
	rc = json_get_str(x, "selected-hash-algorithm", JSON_NULL, &s, &n, e);
	if (rc < 0 || !s)
		return rc;
	if (n != 6 || strncasecmp(s, "sha384", 6) != 0)
		return err_set(e, -ERR_UNSUPPORTED, "the KBS selected hash algorithm \"%.*s\"; "
			       "only sha384 is supported", (int)(n > 16 ? 16 : n), s);
	return 0;
}

int kbs_challenge_parse(const char *body, size_t n, char nonce[KBS_NONCE_MAX],
			void *work, size_t work_len, struct err *e)
{
	yyjson_doc *doc;
	yyjson_val *root;
	const char *s;
	size_t len;
	int rc;

	nonce[0] = '\0';
	rc = open_body("auth answer", body, n, work, work_len, &doc, e);
	if (rc < 0)
		return rc;
	root = yyjson_doc_get_root(doc);
	rc = json_get_str(root, "nonce", JSON_REQ, &s, &len, e);
	if (rc == 0 && len == 0)
		rc = err_set(e, -ERR_FORMAT, "\"nonce\" is empty");
	if (rc == 0)
		rc = json_copy_str("nonce", s, len, nonce, KBS_NONCE_MAX, e);
	if (rc == 0)
		rc = check_extra(root, e);
	if (rc < 0) {
		nonce[0] = '\0';
		return err_wrap(e, rc, "auth answer");
	}
	return 0;
}

int kbs_token_parse(const char *body, size_t n, void *work, size_t work_len,
		    struct err *e)
{
	yyjson_doc *doc;
	const char *s;
	size_t len;
	int rc = open_body("attest answer", body, n, work, work_len, &doc, e);

	if (rc == 0)
		rc = json_get_str(yyjson_doc_get_root(doc), "token", JSON_REQ, &s, &len, e);
	if (rc == 0 && len == 0)
		rc = err_set(e, -ERR_FORMAT, "\"token\" is empty");
	return rc < 0 ? err_wrap(e, rc, "attest answer") : 0;
}

int kbs_cookie_parse(const char *set_cookie, char out[KBS_COOKIE_MAX], struct err *e)
{
	static const char name[] = "kbs-session-id=";
	size_t n = 0;

	out[0] = '\0';
	while (*set_cookie == ' ')
		set_cookie++;
	if (strncmp(set_cookie, name, sizeof(name) - 1) != 0)
		return err_set(e, -ERR_FORMAT, "no kbs-session-id cookie");
	set_cookie += sizeof(name) - 1;
	/* RFC 6265 cookie-octets */
	while (set_cookie[n] && set_cookie[n] != ';') {
		unsigned char c = (unsigned char)set_cookie[n];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == '\\')
			return err_set(e, -ERR_FORMAT, "kbs-session-id: bad character");
		if (++n >= KBS_COOKIE_MAX)
			return err_set(e, -ERR_LIMIT, "kbs-session-id: too long");
	}
	if (n == 0)
		return err_set(e, -ERR_FORMAT, "kbs-session-id: empty");
	memcpy(out, set_cookie, n);
	out[n] = '\0';
	return 0;
}

static const struct {
	const char *variant;
	enum kbs_why why;
} variants[] = {
	{ "PolicyDeny", KBS_WHY_POLICY },
	{ "AttestationError", KBS_WHY_EVIDENCE },
	{ "TokenNotFound", KBS_WHY_SESSION },
	{ "InvalidRequestPath", KBS_WHY_NOTFOUND },
	{ "PluginNotFound", KBS_WHY_NOTFOUND },
	{ "JweError", KBS_WHY_SERVER },
	{ "PluginInternalError", KBS_WHY_NOTFOUND },
	{ "SerdeError", KBS_WHY_PROTOCOL },
	{ "TokenVerifierError", KBS_WHY_SESSION },
};

static enum kbs_why by_status(int status)
{
	if (status == 404)
		return KBS_WHY_NOTFOUND;
	return status >= 500 ? KBS_WHY_SERVER : KBS_WHY_PROTOCOL;
}

void kbs_failure_parse(int status, const char *body, size_t n, void *work,
		       size_t work_len, struct kbs_failure *f)
{
	yyjson_doc *doc;
	const char *type = NULL, *detail = NULL;
	size_t tl = 0, dl = 0;
	yyjson_val *root;

	*f = (struct kbs_failure){ .why = by_status(status) };
	if (!body || json_open((const uint8_t *)body, n, KBS_BODY_MAX, work, work_len,
			       &doc, NULL) < 0)
		return;
	root = yyjson_doc_get_root(doc);
	if (json_get_str(root, "type", JSON_OPT, &type, &tl, NULL) < 0 ||
	    json_get_str(root, "detail", JSON_OPT, &detail, &dl, NULL) < 0)
		return;
	if (detail)
		text_show(f->detail, sizeof(f->detail), detail, dl);
	if (!type || tl <= sizeof(ERRORS_PREFIX) - 1 ||
	    strncmp(type, ERRORS_PREFIX, sizeof(ERRORS_PREFIX) - 1) != 0)
		return;
	type += sizeof(ERRORS_PREFIX) - 1;
	tl -= sizeof(ERRORS_PREFIX) - 1;
	text_show(f->variant, sizeof(f->variant), type, tl);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (strlen(variants[i].variant) == tl && !memcmp(variants[i].variant, type, tl))
			f->why = variants[i].why;
	/* Trustee reports a protocol version mismatch as an AttestationError */
	if (f->why == KBS_WHY_EVIDENCE && detail && strstr(f->detail, "version"))
		f->why = KBS_WHY_VERSION;
}

const char *kbs_why_str(enum kbs_why why)
{
	switch (why) {
	case KBS_WHY_POLICY: return "policy denied";
	case KBS_WHY_EVIDENCE: return "evidence refused";
	case KBS_WHY_VERSION: return "protocol version refused";
	case KBS_WHY_NOTFOUND: return "not found";
	case KBS_WHY_SESSION: return "no valid session";
	case KBS_WHY_SERVER: return "KBS failure";
	case KBS_WHY_PROTOCOL: break;
	}
	return "bad answer";
}
