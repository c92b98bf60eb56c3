/* keys: the keys of encrypted image layers (ocicrypt), for image_unpack().
 *
 * A layer's private options (its AES-256 key and nonce) are wrapped for one
 * or more recipients in its annotations:
 *   - provider attestation-agent (CoCo's annotation packet): the KEK named by
 *     the packet's kid is a KBS resource, fetched over the attested session
 *     (each kid once), then AES-256-GCM-unwraps the options;
 *   - jwe: private keys (PEM) that are KBS resources named by
 *     ccinit.decryption_key, fetched in the fetch phase.
 * Every recipient is tried; the first that unwraps wins.  The public options
 * give the HMAC the layer must match.  KEKs and private keys are wiped by
 * keys_clear(); nothing secret is logged. */
#ifndef CCG_INIT_KEYS_H
#define CCG_INIT_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/image.h"
#include "init/cfg.h"

struct kbs;
struct teekey;

#define KEYS_KEK_MAX 8

struct keys {
	struct kbs *kbs;                    /* borrowed, NULL without a KBS session */
	struct teekey *jwe[CFG_DKEYS_MAX];  /* owned */
	unsigned n_jwe;
	struct {
		char kid[512];              /* OCIPKT_KID_MAX */
		uint8_t kek[32];
	} kek[KEYS_KEK_MAX];
	unsigned n_kek;
};

/* A private key (PEM) for JWE recipients; the PEM is the caller's to wipe. */
int keys_add_pem(struct keys *k, const char *uri, const uint8_t *pem, size_t n,
		 struct err *e);

/* image_keys_ops.layer_key with ctx = struct keys. */
int keys_layer(void *ctx, size_t index, const struct image_layer_keys *lk,
	       struct layer_crypt *out, struct err *e);

void keys_clear(struct keys *k);

#endif
