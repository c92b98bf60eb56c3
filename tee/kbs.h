/* kbs: the Trustee KBS client (protocol 0.4.0) over HTTP(S).
 *
 *   kbs_attest()   POST /kbs/v0/auth, collect evidence binding the nonce and
 *                  an ephemeral TEE key, POST /kbs/v0/attest; the session
 *                  cookie is kept.  Bounded retries with backoff for network
 *                  trouble and KBS-side failures; none for a refusal.
 *   kbs_resource() GET /kbs/v0/resource/<repo>/<type>/<tag>, decrypt the JWE
 *                  with the TEE key.  The plaintext is the caller's to wipe
 *                  and free (kbs_secret_free).
 *
 * Trust in the KBS comes only from the PEM given (its certificate or CA); an
 * https URL without one is refused.  The TEE key never leaves memory and is
 * wiped by kbs_free().  Every failure message names the step, the kind of
 * trouble (network, tls, policy denied, evidence refused, …) and the KBS's
 * `detail` when it sent one. */
#ifndef CCG_TEE_KBS_H
#define CCG_TEE_KBS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "crypto/teekey.h"
#include "tee/evidence.h"

/* Evidence for report data: tee_evidence() in the guest; tests and the
 * benchmark may put their own. */
typedef int (*kbs_evidence_fn)(void *ctx, enum tee_kind tee, const uint8_t *rd, size_t rd_len,
			       char **json, size_t *len, struct err *e);

struct kbs_cfg {
	const char *url;                 /* http[s]://host[:port] */
	const uint8_t *cert;             /* PEM, required for https */
	size_t cert_len;
	const char *connect_host;        /* reach the URL's host here instead, or NULL */
	enum tee_kind tee;
	const uint8_t *initdata;         /* the initdata TOML sent as init-data, or NULL */
	size_t initdata_len;
	enum teekey_alg key_alg;
	unsigned tries;                  /* 0: 5 */
	unsigned budget_ms;              /* 0: 30000, for all tries */
	unsigned io_timeout_ms;          /* 0: 10000 */
	kbs_evidence_fn evidence;        /* NULL: tee_evidence() */
	void *evidence_ctx;
};

struct kbs;

int kbs_attest(struct kbs **out, const struct kbs_cfg *c, struct err *e);
int kbs_resource(struct kbs *k, const char *uri, uint8_t **data, size_t *len,
		 struct err *e);
void kbs_secret_free(uint8_t *data, size_t len);    /* wipes, NULL-safe */
void kbs_free(struct kbs *k);                       /* wipes the key, NULL-safe */

/* Tries used by the last kbs_attest(). */
unsigned kbs_tries(const struct kbs *k);

#endif
