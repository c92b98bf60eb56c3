/* initdata_doc: the initdata TOML document: parse, digest, host binding, and
 * the document ccguest generates.  See initdata.h. */
#include "tee/initdata.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include "base/text.h"
#include "base/toml.h"

/* ---- the outer document ------------------------------------------------------ */

struct seen {
	struct toml_kv version, alg, aa, cdh;
	bool has_version, has_alg, has_aa, has_cdh;
};

static int doc_visit(void *ctx, const struct toml_kv *kv, struct err *e)
{
	struct seen *s = ctx;
	char key[TOML_KEY_MAX + 1], show[64];
	size_t len = 0;

	if (toml_kv_in(kv, "data")) {
		if (kv->kind == TOML_STRING) {
			if (toml_kv_is(kv, "data", "aa.toml")) {
				s->aa = *kv;
				s->has_aa = true;
			} else if (toml_kv_is(kv, "data", "cdh.toml")) {
				s->cdh = *kv;
				s->has_cdh = true;
			}
			return 0;
		}
		(void)toml_kv_key(kv, key, sizeof(key), &len, NULL);
		return err_set(e, -ERR_FORMAT, "data.%s is not a string",
			       text_show(show, sizeof(show), key, len));
	}
	if (toml_kv_is(kv, "", "version")) {
		s->version = *kv;
		s->has_version = true;
	} else if (toml_kv_is(kv, "", "algorithm")) {
		s->alg = *kv;
		s->has_alg = true;
	}
	return 0;
}

static int check_header(const struct seen *s, enum initdata_alg *alg, struct err *e)
{
	static const char *const names[] = { "sha256", "sha384", "sha512" };
	char v[16];
	size_t i;

	if (!s->has_version || toml_kv_string(&s->version, v, sizeof(v), NULL, NULL) < 0 ||
	    strcmp(v, "0.1.0") != 0)
		return err_set(e, -ERR_UNSUPPORTED, "initdata: version is not \"0.1.0\"");
	if (!s->has_alg || toml_kv_string(&s->alg, v, sizeof(v), NULL, NULL) < 0)
		return err_set(e, -ERR_FORMAT, "initdata: no algorithm string");
	for (i = 0; i < 3; i++) {
		if (strcmp(v, names[i]) == 0) {
			*alg = (enum initdata_alg)(INITDATA_SHA256 + i);
			return 0;
		}
	}
	return err_set(e, -ERR_UNSUPPORTED, "initdata: algorithm not sha256, sha384 or sha512");
}

static int hash(enum initdata_alg alg, const uint8_t *p, size_t n, uint8_t *out,
		size_t *len, struct err *e)
{
	int rc;

	if (alg == INITDATA_SHA256) {
		*len = 32;
		rc = mbedtls_sha256(p, n, out, 0);
	} else {
		*len = alg == INITDATA_SHA384 ? 48 : 64;
		rc = mbedtls_sha512(p, n, out, alg == INITDATA_SHA384);
	}
	return rc ? err_set(e, -ERR_UNSUPPORTED, "initdata: %s failed", initdata_alg_name(alg)) : 0;
}

/* ---- aa.toml / cdh.toml ----------------------------------------------------- */

/* Where one embedded file keeps the KBS settings. */
struct sub_spec {
	const char *file, *table, *url, *cert, *name, *key;
};

static const struct sub_spec aa_spec = { "aa.toml", "token_configs.kbs", "url", "cert", NULL,
					 "tee_key_algorithm" };
static const struct sub_spec cdh_spec = { "cdh.toml", "kbc", "url", "kbs_cert", "name", NULL };

struct sub_seen {
	const struct sub_spec *spec;
	struct toml_kv url, cert, name, key;
	bool has_url, has_cert, has_name, has_key;
};

static int sub_visit(void *ctx, const struct toml_kv *kv, struct err *e)
{
	struct sub_seen *s = ctx;
	const struct sub_spec *sp = s->spec;

	(void)e;
	if (!toml_kv_in(kv, sp->table))
		return 0;
	if (toml_kv_is(kv, sp->table, sp->url)) {
		s->url = *kv;
		s->has_url = true;
	} else if (toml_kv_is(kv, sp->table, sp->cert)) {
		s->cert = *kv;
		s->has_cert = true;
	} else if (sp->name && toml_kv_is(kv, sp->table, sp->name)) {
		s->name = *kv;
		s->has_name = true;
	} else if (sp->key && toml_kv_is(kv, sp->table, sp->key)) {
		s->key = *kv;
		s->has_key = true;
	}
	return 0;
}

/* The KBS settings of one embedded file. */
struct kbs_ref {
	char key_alg[INITDATA_KEY_ALG_MAX];
	char url[INITDATA_URL_MAX];
	char cert[INITDATA_CERT_MAX];
	size_t cert_len;
};

/* A string setting with no NUL and not empty. */
static int sub_string(const struct toml_kv *kv, const char *what, char *out, size_t cap,
		      size_t *len_out, struct err *e)
{
	size_t len = 0;
	int rc = toml_kv_string(kv, out, cap, &len, e);

	if (rc < 0)
		return err_wrap(e, rc, "%s", what);
	if (len == 0 || strlen(out) != len)
		return err_set(e, -ERR_FORMAT, "%s is empty or contains NUL", what);
	if (len_out)
		*len_out = len;
	return 0;
}

static int sub_settings(const struct sub_seen *s, struct kbs_ref *ref, struct err *e)
{
	const struct sub_spec *sp = s->spec;
	char name[16];
	int rc;

	if (s->has_name && (toml_kv_string(&s->name, name, sizeof(name), NULL, NULL) < 0 ||
			    strcmp(name, "cc_kbc") != 0))
		return err_set(e, -ERR_UNSUPPORTED, "[%s] name is not \"cc_kbc\"", sp->table);
	if (s->has_url && (rc = sub_string(&s->url, sp->url, ref->url, sizeof(ref->url),
					  NULL, e)) < 0)
		return rc;
	if (s->has_cert && (rc = sub_string(&s->cert, sp->cert, ref->cert, sizeof(ref->cert),
					   &ref->cert_len, e)) < 0)
		return rc;
	if (s->has_key && (rc = sub_string(&s->key, sp->key, ref->key_alg,
					  sizeof(ref->key_alg), NULL, e)) < 0)
		return rc;
	return 0;
}

/* Decode the embedded file kv into scratch (cap bytes) and read its KBS
 * settings into ref. */
static int sub_parse(const struct toml_kv *kv, const struct sub_spec *sp, char *scratch,
		     size_t cap, struct kbs_ref *ref, struct err *e)
{
	struct sub_seen s = { .spec = sp };
	size_t len = 0;
	int rc;

	rc = toml_kv_string(kv, scratch, cap, &len, e);
	if (rc == 0)
		rc = toml_walk((const uint8_t *)scratch, len, sub_visit, &s, e);
	if (rc == 0)
		rc = sub_settings(&s, ref, e);
	return rc < 0 ? err_wrap(e, rc, "initdata: %s", sp->file) : 0;
}

/* Take over b's settings into a, refusing a conflict. */
static int merge(struct kbs_ref *a, const struct kbs_ref *b, struct err *e)
{
	char sa[96], sb[96];

	if (a->url[0] && b->url[0] && strcmp(a->url, b->url) != 0)
		return err_set(e, -ERR_FORMAT,
			       "initdata: KBS URL differs between aa.toml (%s) and cdh.toml (%s)",
			       text_show(sa, sizeof(sa), a->url, strlen(a->url)),
			       text_show(sb, sizeof(sb), b->url, strlen(b->url)));
	if (a->cert_len && b->cert_len &&
	    (a->cert_len != b->cert_len || memcmp(a->cert, b->cert, a->cert_len) != 0))
		return err_set(e, -ERR_FORMAT,
			       "initdata: KBS certificate differs between aa.toml and cdh.toml");
	if (!a->url[0])
		memcpy(a->url, b->url, sizeof(a->url));
	if (!a->cert_len) {
		memcpy(a->cert, b->cert, sizeof(a->cert));
		a->cert_len = b->cert_len;
	}
	return 0;
}

/* Both embedded files; the result lands in out. */
static int kbs_settings(const struct seen *s, size_t n, struct initdata *out, struct err *e)
{
	struct kbs_ref *aa, *cdh;
	char *scratch;
	int rc = 0;

	aa = calloc(2, sizeof(*aa));
	scratch = malloc(n + 1);
	if (!aa || !scratch) {
		rc = err_set(e, -ENOMEM, "initdata: out of memory");
		goto free_bufs;
	}
	cdh = aa + 1;
	if (s->has_aa)
		rc = sub_parse(&s->aa, &aa_spec, scratch, n + 1, aa, e);
	if (rc == 0 && s->has_cdh)
		rc = sub_parse(&s->cdh, &cdh_spec, scratch, n + 1, cdh, e);
	if (rc == 0)
		rc = merge(aa, cdh, e);
	if (rc == 0) {
		memcpy(out->kbs_url, aa->url, sizeof(out->kbs_url));
		memcpy(out->kbs_cert, aa->cert, sizeof(out->kbs_cert));
		out->kbs_cert_len = aa->cert_len;
		memcpy(out->kbs_key_alg, aa->key_alg, sizeof(out->kbs_key_alg));
	}
free_bufs:
	free(scratch);
	free(aa);
	return rc;
}

int initdata_parse(const uint8_t *toml, size_t n, struct initdata *out, struct err *e)
{
	struct seen s;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	if (n > INITDATA_TOML_MAX)
		return err_set(e, -ERR_LIMIT, "initdata: document larger than %u bytes",
			       INITDATA_TOML_MAX);
	rc = toml_walk(toml, n, doc_visit, &s, e);
	if (rc < 0)
		rc = err_wrap(e, rc, "initdata");
	if (rc == 0)
		rc = check_header(&s, &out->alg, e);
	if (rc == 0)
		rc = hash(out->alg, toml, n, out->digest, &out->digest_len, e);
	if (rc == 0)
		rc = kbs_settings(&s, n, out, e);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- binding to the TEE --------------------------------------------------- */

int initdata_config_id(const struct initdata *d, int tee, uint8_t *out, size_t cap,
		       size_t *len, struct err *e)
{
	size_t want, k;

	if (tee == INITDATA_TEE_SNP)
		want = INITDATA_SNP_ID_LEN;
	else if (tee == INITDATA_TEE_TDX)
		want = INITDATA_TDX_ID_LEN;
	else
		return err_set(e, -ERR_UNSUPPORTED, "initdata: unknown TEE %d", tee);
	if (cap < want)
		return err_set(e, -ERR_LIMIT, "initdata: no room for a %zu-byte config id", want);
	k = d->digest_len < want ? d->digest_len : want;
	memset(out, 0, want);
	memcpy(out, d->digest, k);
	*len = want;
	return 0;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

int initdata_bind_check(const struct initdata *d, int tee, const uint8_t *config_id,
			size_t id_len, struct err *e)
{
	uint8_t want[INITDATA_TDX_ID_LEN], acc = 0;
	char hw[2 * INITDATA_TDX_ID_LEN + 1], hg[2 * INITDATA_TDX_ID_LEN + 1];
	const char *field = tee == INITDATA_TEE_SNP ? "HOST_DATA" : "MRCONFIGID";
	size_t len = 0, i;
	int rc = initdata_config_id(d, tee, want, sizeof(want), &len, e);

	if (rc < 0)
		return rc;
	if (id_len != len)
		return err_set(e, -ERR_FORMAT, "initdata: %s of %zu bytes, expected %zu", field,
			       id_len, len);
	for (i = 0; i < len; i++)
		acc |= (uint8_t)(want[i] ^ config_id[i]);
	if (acc == 0)
		return 0;
	hex(want, len, hw);
	hex(config_id, len, hg);
	return err_set(e, -ERR_DIGEST, "initdata digest mismatch: expected %s (%s), got %s",
		       hw, field, hg);
}

void initdata_digest_hex(const struct initdata *d, char *out)
{
	hex(d->digest, d->digest_len <= INITDATA_DIGEST_MAX ? d->digest_len : 0, out);
}

/* ---- the generated document ------------------------------------------------- */

/* Printable ASCII without quotes or backslashes (and, unless pem, without
 * spaces); a pem may hold LF and CRLF line ends. */
static bool safe_text(const char *s, bool pem)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (pem && (c == '\n' || (c == '\r' && s[1] == '\n')))
			continue;
		if (c < (pem ? 0x20 : 0x21) || c > 0x7e || c == '"' || c == '\'' || c == '\\')
			return false;
	}
	return true;
}

static void put_setting(struct text_buf *o, const char *key, const char *url_or_pem, bool pem)
{
	size_t k = strlen(url_or_pem);

	text_puts(o, key);
	text_puts(o, pem ? " = \"\"\"\n" : " = \"");
	text_puts(o, url_or_pem);
	if (pem && (k == 0 || url_or_pem[k - 1] != '\n'))
		text_puts(o, "\n");
	text_puts(o, pem ? "\"\"\"\n" : "\"\n");
}

int initdata_make_toml(const char *kbs_url, const char *cert_pem, char *out, size_t cap,
		       size_t *len, struct err *e)
{
	struct text_buf o = { out, cap, 0, cap == 0 };
	bool cert = cert_pem && *cert_pem;

	if (!kbs_url || !*kbs_url || !safe_text(kbs_url, false) || !strstr(kbs_url, "://") ||
	    strlen(kbs_url) >= INITDATA_URL_MAX)
		return err_set(e, -ERR_FORMAT, "initdata: KBS URL must be scheme://host[:port] "
			       "in printable ASCII without quotes or backslashes");
	if (cert && (!safe_text(cert_pem, true) || !strstr(cert_pem, "-----BEGIN ") ||
		     strlen(cert_pem) >= INITDATA_CERT_MAX - 1))
		return err_set(e, -ERR_FORMAT, "initdata: KBS certificate is not a PEM text "
			       "(ASCII, no quotes or backslashes, under %u bytes)",
			       INITDATA_CERT_MAX - 1);
	text_puts(&o, "version = \"0.1.0\"\nalgorithm = \"sha384\"\n\n[data]\n");
	text_puts(&o, "\"aa.toml\" = '''\n[token_configs.kbs]\n");
	put_setting(&o, "url", kbs_url, false);
	if (cert)
		put_setting(&o, "cert", cert_pem, true);
	text_puts(&o, "'''\n\n\"cdh.toml\" = '''\n[kbc]\nname = \"cc_kbc\"\n");
	put_setting(&o, "url", kbs_url, false);
	if (cert)
		put_setting(&o, "kbs_cert", cert_pem, true);
	text_puts(&o, "'''\n");
	if (o.over)
		return err_set(e, -ERR_LIMIT, "initdata: document larger than %zu bytes", cap);
	*len = o.len;
	return 0;
}
