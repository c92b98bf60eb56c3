/* attest: see attest.h. */
#include "init/attest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "crypto/ct.h"
#include "crypto/hex.h"
#include "crypto/sha256.h"
#include "init/sys.h"
#include "net/http.h"
#include "net/net.h"
#include "tee/initdata.h"
#include "tee/kbs.h"

#define ATT_DISK_WAIT_MS 5000
#define ATT_DISK_MAX (1u << 20)
#define ATT_TOML_MAX (64u << 10)
#define ATT_NET_MS 15000

static const char *const cfg_tee_names[] = { "auto", "sample", "snp", "tdx" };

/* The TEE to use: the hardware's, or sample when asked for and none is there. */
static int att_pick_tee(struct att *a, const struct cfg *c, struct err *e)
{
	enum tee_kind hw = tee_detect();

	switch (c->tee) {
	case CFG_TEE_AUTO:
		a->tee = hw;
		return 0;
	case CFG_TEE_SAMPLE:
		if (hw != TEE_NONE)
			return err_set(e, -ERR_UNSAFE, "ccinit.tee=sample refused: this is a "
				       "real %s guest", tee_name(hw));
		a->tee = TEE_SAMPLE;
		return 0;
	default:
		a->tee = c->tee == CFG_TEE_SNP ? TEE_SNP : TEE_TDX;
		if (hw != a->tee)
			return err_set(e, -ENODEV, "ccinit.tee=%s, but the guest %s",
				       cfg_tee_names[c->tee], hw == TEE_NONE ?
				       "has no TEE device" : tee_name(hw));
		return 0;
	}
}

static int att_read(struct att *a, const struct cfg *c, struct err *e)
{
	char dev[8 + CFG_DISK_MAX];
	uint8_t *disk = malloc(ATT_DISK_MAX);
	size_t n = 0;
	int rc;

	a->toml = malloc(ATT_TOML_MAX);
	if (!disk || !a->toml) {
		free(disk);
		return err_set(e, -ENOMEM, "initdata: out of memory");
	}
	snprintf(dev, sizeof(dev), "/dev/%s", c->initdata_disk);
	rc = sys_wait_blockdev(dev, ATT_DISK_WAIT_MS, e);
	if (rc == 0)
		rc = initdata_read_disk(dev, disk, ATT_DISK_MAX, &n, e);
	if (rc == 0)
		rc = initdata_unpack(disk, n, a->toml, ATT_TOML_MAX, &a->toml_len, e);
	free(disk);
	return rc < 0 ? err_wrap(e, rc, "%s", dev) : 0;
}

/* The TOML's digest against the measured pin, then against the TEE's. */
static int att_bind(struct att *a, const struct cfg *c, struct err *e)
{
	char hex[2 * 64 + 1];
	uint8_t id[64];
	size_t n = strlen(c->initdata), idl = 0;
	int rc;

	initdata_digest_hex(a->id, hex);
	if (strlen(hex) != n || !ct_memeq(hex, c->initdata, n))
		return err_set(e, -ERR_DIGEST, "initdata digest mismatch: expected %s "
			       "(ccinit.initdata), got %s", c->initdata, hex);
	if (a->tee != TEE_SNP && a->tee != TEE_TDX)
		return 0;
	rc = tee_config_id(a->tee, id, &idl, e);
	if (rc == 0)
		rc = initdata_bind_check(a->id, a->tee == TEE_SNP ? 1 : 2, id, idl, e);
	return rc;
}

int att_initdata(struct att *a, const struct cfg *c, struct err *e)
{
	int rc = att_pick_tee(a, c, e);

	if (rc < 0)
		return rc;
	snprintf(a->kbs_url, sizeof(a->kbs_url), "%s", c->kbs_url);
	if (!c->initdata[0])
		return 0;
	rc = att_read(a, c, e);
	if (rc < 0)
		return rc;
	a->id = calloc(1, sizeof(*a->id));
	if (!a->id)
		return err_set(e, -ENOMEM, "initdata: out of memory");
	rc = initdata_parse(a->toml, a->toml_len, a->id, e);
	if (rc == 0)
		rc = att_bind(a, c, e);
	if (rc < 0)
		return rc;
	if (a->id->kbs_url[0] && a->kbs_url[0] && strcmp(a->id->kbs_url, a->kbs_url))
		return err_set(e, -ERR_FORMAT, "the initdata names KBS %s, the command line %s",
			       a->id->kbs_url, a->kbs_url);
	if (a->id->kbs_url[0])
		snprintf(a->kbs_url, sizeof(a->kbs_url), "%s", a->id->kbs_url);
	log_info("initdata: %zu bytes, digest matches the pin%s; KBS %s", a->toml_len,
		 a->tee == TEE_SNP ? " and HOST_DATA" : a->tee == TEE_TDX ? " and MRCONFIGID" : "",
		 a->kbs_url[0] ? a->kbs_url : "none");
	return 0;
}

bool att_wants_kbs(const struct att *a, const struct cfg *c)
{
	return a->kbs_url[0] || c->n_fetch || c->n_dkeys;
}

int att_network(struct att *a, const struct cfg *c, struct err *e)
{
	struct net_lease l;
	char addr[16], gw[16];
	int rc;

	(void)a;
	rc = net_setup(strcmp(c->net, "dhcp") ? c->net : NULL, ATT_NET_MS, &l, e);
	if (rc < 0)
		return rc;
	inet_ntop(AF_INET, &l.addr, addr, sizeof(addr));
	inet_ntop(AF_INET, &l.gw, gw, sizeof(gw));
	log_info("network: %s %s/%u via %s", strcmp(c->net, "dhcp") ? "static" : "dhcp",
		 addr, l.prefix, gw);
	return 0;
}

/* ccinit.hosts: where to connect for the URL's host (exact match). */
static const char *att_connect_host(const struct cfg *c, const char *url)
{
	struct http_url u;

	if (http_url_parse(url, strlen(url), &u, NULL) < 0)
		return NULL;
	for (unsigned i = 0; i < c->n_hosts; i++)
		if (!strcmp(c->hosts[i].name, u.host))
			return c->hosts[i].addr;
	return NULL;
}

/* aa.toml's tee_key_algorithm, as guest-components names them. */
static int att_key_alg(const struct att *a, enum teekey_alg *alg, struct err *e)
{
	const char *s = a->id ? a->id->kbs_key_alg : "";

	*alg = TEEKEY_EC_P256;
	if (!s[0] || !strcmp(s, "ECDH-ES+A256KW-P256"))
		return 0;
	if (!strcmp(s, "RSA-OAEP-256")) {
		*alg = TEEKEY_RSA_OAEP_256;
		return 0;
	}
	return err_set(e, -ERR_UNSUPPORTED, "aa.toml tee_key_algorithm \"%.32s\": supported are "
		       "ECDH-ES+A256KW-P256 (default) and RSA-OAEP-256", s);
}

int att_attest(struct att *a, const struct cfg *c, struct err *e)
{
	struct kbs_cfg k = {
		.url = a->kbs_url, .tee = a->tee, .key_alg = TEEKEY_EC_P256,
		.connect_host = att_connect_host(c, a->kbs_url),
		.initdata = a->toml_len ? a->toml : NULL, .initdata_len = a->toml_len,
	};
	double t0 = log_uptime();
	int rc;

	if (!a->kbs_url[0])
		return err_set(e, -EINVAL, "ccinit.fetch and ccinit.decryption_key need a KBS: "
			       "ccinit.kbs, agent.aa_kbc_params or an initdata naming one");
	if (a->tee == TEE_NONE)
		return err_set(e, -ENODEV, "no TEE found (ccinit.tee=auto never picks "
			       "sample; ccinit.tee=sample is the developer mode)");
	rc = att_key_alg(a, &k.key_alg, e);
	if (rc < 0)
		return rc;
	if (a->id && a->id->kbs_cert_len) {
		k.cert = (const uint8_t *)a->id->kbs_cert;
		k.cert_len = a->id->kbs_cert_len;
	}
	rc = kbs_attest(&a->kbs, &k, e);
	if (rc < 0)
		return err_wrap(e, rc, "KBS %s", a->kbs_url);
	a->keys.kbs = a->kbs;
	log_info("attest: %s evidence and %s key accepted by %s (%u %s, %.3f s)",
		 tee_name(a->tee), k.key_alg == TEEKEY_RSA_OAEP_256 ? "RSA-OAEP-256" : "EC P-256",
		 a->kbs_url, kbs_tries(a->kbs), kbs_tries(a->kbs) == 1 ? "try" : "tries",
		 log_uptime() - t0);
	return 0;
}

int att_fetch(struct att *a, const struct cfg *c, struct err *e)
{
	for (unsigned i = 0; i < c->n_fetch; i++) {
		uint8_t *data = NULL, h[32];
		char hex[65];
		size_t n = 0;
		int rc = kbs_resource(a->kbs, c->fetch[i], &data, &n, e);

		if (rc < 0)
			return err_wrap(e, rc, "%s", c->fetch[i]);
		sha256(data, n, h);
		kbs_secret_free(data, n);
		hex_encode(h, sizeof(h), hex);
		log_info("resource %s sha256=%s", c->fetch[i], hex);
	}
	for (unsigned i = 0; i < c->n_dkeys; i++) {
		uint8_t *pem = NULL;
		size_t n = 0;
		int rc = kbs_resource(a->kbs, c->dkeys[i], &pem, &n, e);

		if (rc == 0)
			rc = keys_add_pem(&a->keys, c->dkeys[i], pem, n, e);
		kbs_secret_free(pem, n);
		if (rc < 0)
			return err_wrap(e, rc, "decryption key %s", c->dkeys[i]);
		log_info("decryption key %s fetched", c->dkeys[i]);
	}
	return 0;
}

void att_free(struct att *a)
{
	if (!a)
		return;
	keys_clear(&a->keys);
	kbs_free(a->kbs);
	if (a->id)
		ct_wipe(a->id, sizeof(*a->id));
	free(a->id);
	if (a->toml)
		ct_wipe(a->toml, ATT_TOML_MAX);
	free(a->toml);
	*a = (struct att){ 0 };
}
