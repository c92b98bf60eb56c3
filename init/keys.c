/* keys: see keys.h. */
#include "init/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "crypto/ct.h"
#include "crypto/jwe.h"
#include "crypto/teekey.h"
#include "image/ocicrypt.h"
#include "image/ocicrypt_packet.h"
#include "tee/kbs.h"

#define KEYS_BLOB_MAX (OCIPKT_JSON_MAX)

int keys_add_pem(struct keys *k, const char *uri, const uint8_t *pem, size_t n,
		 struct err *e)
{
	int rc;

	if (k->n_jwe >= CFG_DKEYS_MAX)
		return err_set(e, -ERR_LIMIT, "more than %d decryption keys", CFG_DKEYS_MAX);
	rc = teekey_import_pem(&k->jwe[k->n_jwe], pem, n);
	if (rc < 0)
		return err_set(e, -ERR_FORMAT, "decryption key %s: not a private key in PEM (%s)",
			       uri, teekey_strerror(rc));
	k->n_jwe++;
	return 0;
}

/* The KEK for kid: cached, or fetched from the KBS once. */
static const uint8_t *keys_kek(struct keys *k, const char *kid, struct err *e)
{
	uint8_t *data = NULL;
	size_t n = 0;
	int rc;

	for (unsigned i = 0; i < k->n_kek; i++)
		if (!strcmp(k->kek[i].kid, kid))
			return k->kek[i].kek;
	if (!k->kbs) {
		err_set(e, -ENOKEY, "key %s: no KBS session (the measured config names no KBS)",
			kid);
		return NULL;
	}
	if (k->n_kek >= KEYS_KEK_MAX) {
		err_set(e, -ERR_LIMIT, "more than %d distinct layer keys", KEYS_KEK_MAX);
		return NULL;
	}
	rc = kbs_resource(k->kbs, kid, &data, &n, e);
	if (rc < 0) {
		err_wrap(e, rc, "key %s", kid);
		return NULL;
	}
	if (n != 32) {
		kbs_secret_free(data, n);
		err_set(e, -ERR_FORMAT, "key %s: the KBS returned %zu bytes, a KEK is 32", kid, n);
		return NULL;
	}
	snprintf(k->kek[k->n_kek].kid, sizeof(k->kek[0].kid), "%s", kid);
	memcpy(k->kek[k->n_kek].kek, data, 32);
	kbs_secret_free(data, n);
	log_info("image: layer key %s fetched from the KBS", kid);
	return k->kek[k->n_kek++].kek;
}

/* One CoCo annotation packet -> private options JSON in out. */
static int keys_packet(struct keys *k, const uint8_t *json, size_t n, uint8_t *out,
		       size_t cap, size_t *len, struct err *e)
{
	struct ocipkt *p = malloc(sizeof(*p));
	size_t wl = ocipkt_work_size(n);
	void *work = wl ? malloc(wl) : NULL;
	const uint8_t *kek;
	int rc;

	if (!p || !work) {
		rc = err_set(e, wl ? -ENOMEM : -ERR_LIMIT, "annotation packet: %s",
			     wl ? "out of memory" : "too large");
		goto out;
	}
	rc = ocipkt_parse(json, n, p, work, wl, e);
	if (rc < 0)
		goto out;
	kek = keys_kek(k, p->kid, e);
	rc = kek ? ocipkt_unwrap(p, kek, out, cap, len, e) : (e ? e->code : -ENOKEY);
	if (rc < 0 && kek)
		err_wrap(e, rc, "key %s", p->kid);
out:
	if (p)
		ct_wipe(p, sizeof(*p));
	free(p);
	free(work);
	return rc;
}

/* Each JWE private key against one recipient blob. */
static int keys_jwe(struct keys *k, const uint8_t *blob, size_t n, uint8_t *out, size_t cap,
		    size_t *len, struct err *e)
{
	int rc = -ENOKEY;

	if (k->n_jwe == 0)
		return err_set(e, -ENOKEY, "encrypted for JWE recipients, and no "
			       "ccinit.decryption_key is configured");
	for (unsigned i = 0; i < k->n_jwe; i++) {
		rc = jwe_decrypt_any(k->jwe[i], (const char *)blob, n, out, cap, len);
		if (rc == 0)
			return 0;
	}
	return err_set(e, rc, "no decryption key opens the JWE recipients (%s)",
		       jwe_strerror(rc));
}

/* Try every recipient of one annotation until one unwraps to valid options. */
static int keys_try(struct keys *k, const char *ann, bool packet, struct ocicrypt_priv *priv,
		    uint8_t *buf, uint8_t *opts, struct err *e)
{
	const char *p = ann, *end = ann + strlen(ann);
	size_t n, ol = 0;
	int rc, got = 0;

	while ((got = ocicrypt_recipients_next(&p, end, buf, KEYS_BLOB_MAX, &n, e)) > 0) {
		size_t wl = ocicrypt_work_size(OCICRYPT_JSON_MAX);
		void *work;

		rc = packet ? keys_packet(k, buf, n, opts, OCICRYPT_JSON_MAX, &ol, e)
			    : keys_jwe(k, buf, n, opts, OCICRYPT_JSON_MAX, &ol, e);
		if (rc < 0)
			continue;
		work = malloc(wl);
		rc = work ? ocicrypt_privopts_parse(opts, ol, priv, work, wl, e) : -ENOMEM;
		free(work);
		ct_wipe(opts, ol);
		if (rc == 0)
			return 0;
	}
	return got < 0 ? got : (e && e->code ? e->code : -ENOKEY);
}

int keys_layer(void *ctx, size_t index, const struct image_layer_keys *lk,
	       struct layer_crypt *out, struct err *e)
{
	struct keys *k = ctx;
	struct ocicrypt_pub pub;
	struct ocicrypt_priv priv;
	uint8_t *buf = malloc(KEYS_BLOB_MAX), *opts = malloc(OCICRYPT_JSON_MAX);
	size_t wl = ocicrypt_work_size(lk->pubopts ? strlen(lk->pubopts) : 0);
	void *work = wl ? malloc(wl) : NULL;
	int rc;

	(void)index;
	memset(&priv, 0, sizeof(priv));
	if (!buf || !opts || (wl && !work)) {
		rc = err_set(e, -ENOMEM, "layer keys: out of memory");
		goto out;
	}
	if (!lk->pubopts) {
		rc = err_set(e, -ERR_FORMAT, "encrypted, but missing pubopts");
		goto out;
	}
	rc = ocicrypt_pubopts_parse(lk->pubopts, strlen(lk->pubopts), &pub, work, wl, e);
	if (rc < 0)
		goto out;
	rc = -ENOKEY;
	if (lk->provider_aa)
		rc = keys_try(k, lk->provider_aa, true, &priv, buf, opts, e);
	if (rc < 0 && lk->jwe && (!lk->provider_aa || k->n_jwe))
		rc = keys_try(k, lk->jwe, false, &priv, buf, opts, e);
	if (rc < 0 && !lk->provider_aa && !lk->jwe)
		rc = err_set(e, -ENOKEY, "encrypted, but no recipient this guest can use "
			     "(provider.attestation-agent or jwe)");
	if (rc == 0) {
		memcpy(out->key, priv.key, sizeof(out->key));
		memcpy(out->nonce, priv.nonce, sizeof(out->nonce));
		memcpy(out->hmac, pub.hmac, sizeof(out->hmac));
	}
out:
	ocicrypt_priv_wipe(&priv);
	if (opts)
		ct_wipe(opts, OCICRYPT_JSON_MAX);
	free(opts);
	free(buf);
	free(work);
	return rc;
}

void keys_clear(struct keys *k)
{
	if (!k)
		return;
	for (unsigned i = 0; i < k->n_jwe; i++)
		teekey_free(k->jwe[i]);
	ct_wipe(k, sizeof(*k));
}
