/* kbs: see kbs.h.  The protocol's pure half is kbs_proto.c and kbs_bind.c. */
#include "tee/kbs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yyjson.h>

#include "base/log.h"
#include "crypto/ct.h"
#include "crypto/jwe.h"
#include "net/http.h"
#include "net/httpc.h"
#include "tee/kbs_bind.h"
#include "tee/kbs_proto.h"

#define KBS_TRIES 5
#define KBS_BUDGET_MS 30000
#define KBS_IO_MS 10000
#define KBS_BACKOFF_MS 500
#define KBS_BACKOFF_MAX_MS 8000
#define KBS_RESOURCE_MAX (1u << 20)
#define KBS_JWK_MAX 1024
#define KBS_MATERIAL_MAX 2048

/* Why a step failed, as a code the retry loop understands. */
enum {
	KBS_E_POLICY = -EACCES,
	KBS_E_EVIDENCE = -EPERM,
	KBS_E_VERSION = -EPROTO,
	KBS_E_NOTFOUND = -ENOENT,
	KBS_E_SESSION = -EKEYEXPIRED,
	KBS_E_SERVER = -EIO,
};

struct kbs {
	struct kbs_cfg cfg;
	struct http_url url;
	struct httpc *http;
	struct teekey *key;
	char cookie[KBS_COOKIE_MAX];
	unsigned tries;
	uint8_t work[KBS_WORK_SIZE];
};

static int kbs_request(struct kbs *k, const char *method, const char *path, const char *body,
		       size_t n, struct httpc_resp *r, struct err *e)
{
	char hdr[KBS_COOKIE_MAX + 40] = "";
	int rc;

	if (k->cookie[0])
		snprintf(hdr, sizeof(hdr), "Cookie: kbs-session-id=%s\r\n", k->cookie);
	rc = httpc_request(k->http, method, path, hdr[0] ? hdr : NULL,
			   body ? "application/json" : NULL, (const uint8_t *)body, n, r, e);
	if (rc < 0)
		return err_wrap(e, rc, "%s: %s %s", httpc_err_kind(rc), method, path);
	if (r->cookie[0] && kbs_cookie_parse(r->cookie, k->cookie, NULL) < 0)
		k->cookie[0] = '\0';
	return 0;
}

/* A non-200 answer: the kind of refusal and Trustee's detail. */
static int kbs_refused(struct kbs *k, const char *step, const struct httpc_resp *r,
		       struct err *e)
{
	static const int codes[] = {
		[KBS_WHY_PROTOCOL] = -ERR_FORMAT, [KBS_WHY_POLICY] = KBS_E_POLICY,
		[KBS_WHY_EVIDENCE] = KBS_E_EVIDENCE, [KBS_WHY_VERSION] = KBS_E_VERSION,
		[KBS_WHY_NOTFOUND] = KBS_E_NOTFOUND, [KBS_WHY_SESSION] = KBS_E_SESSION,
		[KBS_WHY_SERVER] = KBS_E_SERVER,
	};
	struct kbs_failure f;

	kbs_failure_parse(r->status, r->body, r->body_len, k->work, sizeof(k->work), &f);
	return err_set(e, codes[f.why], "%s: %s (HTTP %d%s%s%s%s)", step, kbs_why_str(f.why),
		       r->status, f.variant[0] ? " " : "", f.variant,
		       f.detail[0] ? ": " : "", f.detail);
}

static int kbs_auth(struct kbs *k, char nonce[KBS_NONCE_MAX], struct err *e)
{
	struct httpc_resp r = { 0 };
	char body[256];
	size_t n;
	int rc = kbs_auth_body(tee_name(k->cfg.tee), body, sizeof(body), &n, e);

	k->cookie[0] = '\0';
	if (rc == 0)
		rc = kbs_request(k, "POST", "/kbs/v0/auth", body, n, &r, e);
	if (rc == 0 && r.status != 200)
		rc = kbs_refused(k, "auth", &r, e);
	if (rc == 0)
		rc = kbs_challenge_parse(r.body, r.body_len, nonce, k->work, sizeof(k->work), e);
	if (rc == 0 && !k->cookie[0])
		rc = err_set(e, -ERR_FORMAT, "auth answer: no kbs-session-id cookie");
	httpc_resp_clear(&r);
	return rc;
}

/* The report data binding nonce and key (kbs-protocol.md §3). */
static int kbs_evidence(struct kbs *k, const char *nonce, const char *jwk, char **ev,
			size_t *ev_len, struct err *e)
{
	char material[KBS_MATERIAL_MAX];
	uint8_t rd[64];
	size_t ml, rl;
	int rc = kbs_bind_material(nonce, strlen(nonce), jwk, "", material, sizeof(material),
				   &ml, e);

	if (rc < 0)
		return rc;
	rc = kbs_bind_report_data(material, ml, k->cfg.tee == TEE_SAMPLE ? KBS_BIND_RAW :
				  KBS_BIND_PAD64, rd, &rl);
	if (rc < 0)
		return err_set(e, rc, "report data: %s", strerror(-rc));
	if (k->cfg.evidence)
		return k->cfg.evidence(k->cfg.evidence_ctx, k->cfg.tee, rd, rl, ev, ev_len, e);
	return tee_evidence(k->cfg.tee, rd, rl, ev, ev_len, e);
}

static char *kbs_attest_body(const struct kbs *k, const char *nonce, const char *jwk,
			     const char *ev, size_t ev_len, size_t *len)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root, *id, *rt, *te;
	char *out = NULL;

	if (!d)
		return NULL;
	root = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, root);
	if (k->cfg.initdata) {
		id = yyjson_mut_obj(d);
		yyjson_mut_obj_add_str(d, id, "format", "toml");
		yyjson_mut_obj_add_strncpy(d, id, "body", (const char *)k->cfg.initdata,
					   k->cfg.initdata_len);
	} else {
		id = yyjson_mut_null(d);
	}
	rt = yyjson_mut_obj(d);
	yyjson_mut_obj_add_strcpy(d, rt, "nonce", nonce);
	yyjson_mut_obj_add_val(d, rt, "tee-pubkey", yyjson_mut_rawcpy(d, jwk));
	te = yyjson_mut_obj(d);
	yyjson_mut_obj_add_val(d, te, "primary_evidence", yyjson_mut_rawncpy(d, ev, ev_len));
	yyjson_mut_obj_add_str(d, te, "additional_evidence", "");
	if (id && rt && te && yyjson_mut_obj_add_val(d, root, "init-data", id) &&
	    yyjson_mut_obj_add_val(d, root, "runtime-data", rt) &&
	    yyjson_mut_obj_add_val(d, root, "tee-evidence", te))
		out = yyjson_mut_write(d, YYJSON_WRITE_NOFLAG, len);
	yyjson_mut_doc_free(d);
	return out;
}

static int kbs_attest_once(struct kbs *k, struct err *e)
{
	struct httpc_resp r = { 0 };
	char nonce[KBS_NONCE_MAX], jwk[KBS_JWK_MAX], *ev = NULL, *body = NULL;
	size_t jl, ev_len = 0, n = 0;
	int rc = kbs_auth(k, nonce, e);

	if (rc < 0)
		return rc;
	rc = teekey_jwk(k->key, jwk, sizeof(jwk), &jl);
	if (rc < 0)
		return err_set(e, rc, "TEE key: %s", teekey_strerror(rc));
	rc = kbs_evidence(k, nonce, jwk, &ev, &ev_len, e);
	if (rc < 0)
		return err_wrap(e, rc, "evidence (%s)", tee_name(k->cfg.tee));
	body = kbs_attest_body(k, nonce, jwk, ev, ev_len, &n);
	free(ev);
	if (!body)
		return err_set(e, -ENOMEM, "attest request: out of memory");
	rc = kbs_request(k, "POST", "/kbs/v0/attest", body, n, &r, e);
	free(body);
	if (rc == 0 && r.status != 200)
		rc = kbs_refused(k, "attest", &r, e);
	if (rc == 0)
		rc = kbs_token_parse(r.body, r.body_len, k->work, sizeof(k->work), e);
	httpc_resp_clear(&r);
	return rc;
}

static int kbs_connect(struct kbs *k, struct err *e)
{
	struct httpc_opts o = {
		.ca_pem = k->cfg.cert, .ca_len = k->cfg.cert_len,
		.connect_host = k->cfg.connect_host,
		.connect_timeout_ms = (int)k->cfg.io_timeout_ms,
		.io_timeout_ms = (int)k->cfg.io_timeout_ms,
		.max_body = 2 * KBS_RESOURCE_MAX, .max_redirects = 0,
	};

	httpc_free(k->http);
	k->http = NULL;
	return httpc_new(&k->http, &k->url, &o, e);
}

/* Network trouble and KBS-side failures may pass; a refusal will not. */
static bool kbs_retryable(int rc)
{
	switch (rc) {
	case KBS_E_POLICY: case KBS_E_EVIDENCE: case KBS_E_VERSION: case KBS_E_NOTFOUND:
	case -ERR_UNSAFE: case -ERR_UNSUPPORTED: case -ENOMEM:
		return false;
	default:
		return true;
	}
}

static void kbs_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static unsigned kbs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int kbs_handshake(struct kbs *k, struct err *e)
{
	unsigned t0 = kbs_now_ms(), delay = KBS_BACKOFF_MS;
	int rc;

	for (k->tries = 1;; k->tries++) {
		rc = kbs_connect(k, e);
		if (rc == 0)
			rc = kbs_attest_once(k, e);
		if (rc == 0 || !kbs_retryable(rc) || k->tries >= k->cfg.tries ||
		    kbs_now_ms() - t0 + delay > k->cfg.budget_ms)
			break;
		log_warn("attest: try %u of %u failed: %s; again in %u ms", k->tries,
			 k->cfg.tries, e ? e->msg : "", delay);
		kbs_sleep_ms(delay);
		delay = delay * 2 > KBS_BACKOFF_MAX_MS ? KBS_BACKOFF_MAX_MS : delay * 2;
	}
	if (rc < 0 && k->tries > 1)
		err_wrap(e, rc, "gave up after %u tries in %.1f s", k->tries,
			 (kbs_now_ms() - t0) / 1000.0);
	return rc;
}

int kbs_attest(struct kbs **out, const struct kbs_cfg *c, struct err *e)
{
	struct kbs *k = calloc(1, sizeof(*k));
	int rc;

	*out = NULL;
	if (!k)
		return err_set(e, -ENOMEM, "kbs: out of memory");
	k->cfg = *c;
	k->cfg.tries = c->tries ? c->tries : KBS_TRIES;
	k->cfg.budget_ms = c->budget_ms ? c->budget_ms : KBS_BUDGET_MS;
	k->cfg.io_timeout_ms = c->io_timeout_ms ? c->io_timeout_ms : KBS_IO_MS;
	rc = http_url_parse(c->url, strlen(c->url), &k->url, e);
	if (rc < 0) {
		err_wrap(e, rc, "KBS URL");
		goto fail;
	}
	if (k->url.is_tls && !c->cert) {
		rc = err_set(e, -ERR_UNSAFE, "KBS %s: no certificate to trust in the measured "
			     "config (aa.toml [token_configs.kbs] cert)", c->url);
		goto fail;
	}
	rc = teekey_generate(&k->key, c->key_alg);
	if (rc < 0) {
		rc = err_set(e, rc, "TEE key: %s", teekey_strerror(rc));
		goto fail;
	}
	rc = kbs_handshake(k, e);
	if (rc < 0)
		goto fail;
	*out = k;
	return 0;
fail:
	kbs_free(k);
	return rc;
}

static int kbs_get(struct kbs *k, const char *path, struct httpc_resp *r, struct err *e)
{
	int rc = kbs_request(k, "GET", path, NULL, 0, r, e);

	if (rc == 0 && r->status != 200)
		rc = kbs_refused(k, "resource", r, e);
	return rc;
}

int kbs_resource(struct kbs *k, const char *uri, uint8_t **data, size_t *len,
		 struct err *e)
{
	char rp[KBS_PATH_MAX], path[KBS_PATH_MAX + 32];
	struct httpc_resp r = { 0 };
	uint8_t *out = NULL;
	size_t cap = 0;
	int rc = kbs_resource_path(uri, rp, e);

	*data = NULL;
	*len = 0;
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/kbs/v0/resource/%s", rp);
	rc = kbs_get(k, path, &r, e);
	if (rc == KBS_E_SESSION || (rc < 0 && rc > -4096 && rc != KBS_E_POLICY &&
				    rc != KBS_E_EVIDENCE && rc != KBS_E_NOTFOUND)) {
		/* the session expired or the connection dropped: once more */
		httpc_resp_clear(&r);
		rc = kbs_handshake(k, e);
		if (rc == 0)
			rc = kbs_get(k, path, &r, e);
	}
	if (rc == 0) {
		cap = r.body_len ? r.body_len : 1;
		out = malloc(cap);
		rc = out ? jwe_decrypt(k->key, r.body, r.body_len, out, cap, len) : -ENOMEM;
		if (rc < 0)
			rc = err_set(e, rc == -ENOMEM ? rc : -ERR_FORMAT, "resource: JWE: %s",
				     jwe_strerror(rc));
	}
	httpc_resp_clear(&r);
	if (rc < 0) {
		kbs_secret_free(out, cap);
		*len = 0;
		return rc;
	}
	*data = out;
	return 0;
}

void kbs_secret_free(uint8_t *data, size_t len)
{
	if (!data)
		return;
	ct_wipe(data, len);
	free(data);
}

unsigned kbs_tries(const struct kbs *k)
{
	return k ? k->tries : 0;
}

void kbs_free(struct kbs *k)
{
	if (!k)
		return;
	httpc_free(k->http);
	teekey_free(k->key);
	ct_wipe(k, sizeof(*k));
	free(k);
}
