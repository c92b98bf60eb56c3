/* attest: ccinit's attestation phases, between modules and image.
 *
 *   initdata  read the initdata disk, check it against ccinit.initdata (the
 *             measured pin) and, on SNP/TDX, against HOST_DATA/MRCONFIGID;
 *             take the KBS URL and certificate from it
 *   network   loopback + the first NIC, DHCP (lwip) or ccinit.net
 *   attest    the KBS handshake with the TEE's evidence (tee/kbs.h)
 *   fetch     each ccinit.fetch resource (only its sha256 is printed) and each
 *             ccinit.decryption_key (a PEM private key, kept for the image)
 *
 * The KBS session and the keys live on through the image phase (layer keys
 * are KBS resources too) and are wiped by att_free() before the workload
 * starts.
 *
 * Each phase is a no-op when the configuration does not ask for it.  The TEE
 * is chosen once: ccinit.tee=auto takes the detected hardware and never
 * sample; ccinit.tee=sample is refused when real hardware is there. */
#ifndef CCG_INIT_ATTEST_H
#define CCG_INIT_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "init/cfg.h"
#include "init/keys.h"
#include "tee/evidence.h"

struct initdata;
struct kbs;

struct att {
	enum tee_kind tee;
	struct initdata *id;          /* NULL without initdata */
	uint8_t *toml;                /* the initdata TOML as delivered */
	size_t toml_len;
	char kbs_url[1024];             /* the initdata may carry up to 1023 bytes */
	struct kbs *kbs;
	struct keys keys;               /* layer keys for encrypted images */
};

bool att_wants_kbs(const struct att *a, const struct cfg *c);
int att_initdata(struct att *a, const struct cfg *c, struct err *e);
int att_network(struct att *a, const struct cfg *c, struct err *e);
int att_attest(struct att *a, const struct cfg *c, struct err *e);
int att_fetch(struct att *a, const struct cfg *c, struct err *e);
void att_free(struct att *a);       /* wipes; NULL-safe */

#endif
