/* runatt: the attestation options of `ccguest run`.
 *
 *   --tee auto|sample|snp|tdx   ccinit.tee (the guest never picks sample
 *                               by itself)
 *   --initdata FILE             a Kata/CoCo initdata TOML: attached as the
 *                               initdata disk and pinned by its digest on the
 *                               measured command line (ccinit.initdata=)
 *   --kbs URL --kbs-cert PEM    shorthand: an initdata naming that KBS and
 *                               certificate (aa.toml + cdh.toml), generated
 *   --fetch kbs:///r/t/x        a resource the guest fetches (repeatable)
 *   --decryption-key kbs:///r/t/x   a private key (PEM) the guest fetches to
 *                               open layers encrypted for JWE recipients
 *                               (repeatable; provider.attestation-agent layers
 *                               need none: their KEK's kid is in the image)
 *
 * When a KBS is named, the guest gets QEMU user networking with restrict=on
 * and one guestfwd forward, 10.0.2.100:<port of the URL>, to the URL's host
 * and port through `ccguest proxy`; ccinit.hosts maps the URL's host to
 * 10.0.2.100 so that the guest checks the TLS name the user gave. */
#ifndef CCG_HOST_RUNATT_H
#define CCG_HOST_RUNATT_H

#include <stdbool.h>

#include "base/err.h"
#include "init/cfg.h"

#define RUNATT_EXTRA_MAX 1536
#define RUNATT_CMD_MAX 4608

struct runatt {
	/* options */
	const char *tee, *kbs, *kbs_cert, *initdata;
	const char *pin;                 /* tests: ccinit.initdata as given */
	const char *fetch[CFG_FETCH_MAX];
	unsigned n_fetch;
	const char *dkeys[CFG_DKEYS_MAX];
	unsigned n_dkeys;
	/* resolved by runatt_prepare() */
	int disk_fd;                     /* the initdata disk, or -1 */
	char disk_path[64];
	bool net;                        /* a forward to the KBS */
	unsigned fwd_port;
	char fwd_cmd[RUNATT_CMD_MAX];
	char extra[RUNATT_EXTRA_MAX];    /* ccinit.* words for the command line */
};

void runatt_init(struct runatt *a);
bool runatt_wanted(const struct runatt *a);
/* Add one --fetch; false when there are too many. */
bool runatt_add_fetch(struct runatt *a, const char *uri);
bool runatt_add_dkey(struct runatt *a, const char *uri);
int runatt_prepare(struct runatt *a, bool verbose, struct err *e);
void runatt_free(struct runatt *a);

#endif
