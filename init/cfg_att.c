/* cfg_att: the attestation keys of the measured command line (see cfg.h).
 * Pure.  Values are checked for shape here; the KBS URL and the static
 * network form are parsed fully where they are used. */
#include <arpa/inet.h>
#include <string.h>

#include "init/cfg_int.h"
#include "tee/kbs_proto.h"

static bool printable(const char *s, size_t n, const char *also_bad)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr(also_bad, s[i]))
			return false;
	return true;
}

static void copy(char *dst, const char *s, size_t n)
{
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int cfg_set_tee(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	static const char *const names[] = { "auto", "sample", "snp", "tdx" };

	for (unsigned i = 0; i < 4; i++)
		if (strlen(names[i]) == w->val_len && !memcmp(names[i], w->val, w->val_len)) {
			c->tee = (enum cfg_tee)i;
			return 0;
		}
	return cfg_bad(e, "tee", "auto, sample, snp or tdx", w);
}

static int set_url(struct cfg *c, const char *key, const char *s, size_t n,
		   const struct cfg_word *w, struct err *e)
{
	bool https = n > 8 && !memcmp(s, "https://", 8);
	bool http = n > 7 && !memcmp(s, "http://", 7);

	if (!(http || https) || n > CFG_URL_MAX || !printable(s, n, "\"\\"))
		return cfg_bad(e, key, "an http:// or https:// URL of at most 255 bytes", w);
	if (c->kbs_url[0] && (strlen(c->kbs_url) != n || memcmp(c->kbs_url, s, n)))
		return err_set(e, -ERR_FORMAT, "ccinit.kbs and " CFG_AA_KBC
			       " name different KBS URLs");
	copy(c->kbs_url, s, n);
	return 0;
}

int cfg_set_kbs(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	return set_url(c, "kbs", w->val, w->val_len, w, e);
}

/* Kata/CoCo: "<kbc>::<url>"; only cc_kbc talks to a Trustee KBS. */
int cfg_set_aa_kbc(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	static const char kbc[] = "cc_kbc::";

	if (w->val_len <= sizeof(kbc) - 1 || memcmp(w->val, kbc, sizeof(kbc) - 1))
		return cfg_bad(e, CFG_AA_KBC, "cc_kbc::<URL> (the only KBC supported)", w);
	return set_url(c, CFG_AA_KBC, w->val + sizeof(kbc) - 1, w->val_len - (sizeof(kbc) - 1),
		       w, e);
}

int cfg_set_initdata(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	static const char expected[] = "64, 96 or 128 lowercase hex digits";
	size_t n = w->val_len;

	if (n != 64 && n != 96 && n != 128)
		return cfg_bad(e, "initdata", expected, w);
	for (size_t i = 0; i < n; i++)
		if (!((w->val[i] >= '0' && w->val[i] <= '9') || (w->val[i] >= 'a' && w->val[i] <= 'f')))
			return cfg_bad(e, "initdata", expected, w);
	copy(c->initdata, w->val, n);
	return 0;
}

/* Comma-separated items of a value: calls fn for each (none empty). */
static int each_item(struct cfg *c, const struct cfg_word *w, const char *key, const char *expected,
		     int (*fn)(struct cfg *c, const char *s, size_t n), struct err *e)
{
	const char *p = w->val, *end = w->val + w->val_len;

	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *q = comma ? comma : end;

		if (q == p || fn(c, p, (size_t)(q - p)) < 0)
			return cfg_bad(e, key, expected, w);
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* One more kbs:///repo/type/tag into list[*n] (at most max). */
static int add_uri(char (*list)[CFG_URI_MAX + 1], unsigned *n, unsigned max, const char *s,
		   size_t len)
{
	char path[KBS_PATH_MAX];

	if (*n >= max || len > CFG_URI_MAX)
		return -1;
	copy(list[*n], s, len);
	if (kbs_resource_path(list[*n], path, NULL) < 0)
		return -1;
	(*n)++;
	return 0;
}

static int add_fetch(struct cfg *c, const char *s, size_t n)
{
	return add_uri(c->fetch, &c->n_fetch, CFG_FETCH_MAX, s, n);
}

static int add_dkey(struct cfg *c, const char *s, size_t n)
{
	return add_uri(c->dkeys, &c->n_dkeys, CFG_DKEYS_MAX, s, n);
}

int cfg_set_fetch(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	return each_item(c, w, "fetch", "kbs:///repo/type/tag[,…] (at most 8)", add_fetch, e);
}

int cfg_set_dkeys(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	return each_item(c, w, "decryption_key", "kbs:///repo/type/tag[,…] (at most 4)",
			 add_dkey, e);
}

int cfg_set_net(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	if (w->val_len > CFG_NET_MAX || !printable(w->val, w->val_len, "\"\\"))
		return cfg_bad(e, "net", "dhcp or ADDR/PFX,GW[,DNS]", w);
	copy(c->net, w->val, w->val_len);
	return 0;
}

static int add_host(struct cfg *c, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	struct cfg_host *h = &c->hosts[c->n_hosts];
	struct in_addr a;
	size_t nl;

	if (c->n_hosts >= CFG_HOSTS_MAX || !eq)
		return -1;
	nl = (size_t)(eq - s);
	if (nl == 0 || nl > CFG_HOST_MAX || n - nl - 1 >= sizeof(h->addr) ||
	    !printable(s, nl, "\"\\=/:[]@"))
		return -1;
	copy(h->name, s, nl);
	copy(h->addr, eq + 1, n - nl - 1);
	if (inet_pton(AF_INET, h->addr, &a) != 1)
		return -1;
	c->n_hosts++;
	return 0;
}

int cfg_set_hosts(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	return each_item(c, w, "hosts", "NAME=IPV4[,…] (at most 4)", add_host, e);
}
