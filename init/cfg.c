/* cfg: kernel command line -> struct cfg (see cfg.h).  Pure. */
#include "base/text.h"
#include "init/cfg.h"
#include "init/cfg_int.h"

#include <string.h>


#define CFG_SIZE_MIN (1ull << 20)
#define CFG_SIZE_MAX (1ull << 40)

enum cfg_key {
	CFG_K_IMAGE, CFG_K_DISK, CFG_K_EXIT, CFG_K_TMPFS_SIZE, CFG_K_DEBUG,
	CFG_K_TEE, CFG_K_KBS, CFG_K_INITDATA, CFG_K_INITDATA_DISK, CFG_K_FETCH,
	CFG_K_NET, CFG_K_HOSTS, CFG_K_DKEYS, CFG_K_AA_KBC, CFG_K_N
};

static const char *const cfg_key_names[CFG_K_N] = {
	[CFG_K_IMAGE] = "image",
	[CFG_K_DISK] = "disk",
	[CFG_K_EXIT] = "exit",
	[CFG_K_TMPFS_SIZE] = "tmpfs_size",
	[CFG_K_DEBUG] = "debug",
	[CFG_K_TEE] = "tee",
	[CFG_K_KBS] = "kbs",
	[CFG_K_INITDATA] = "initdata",
	[CFG_K_INITDATA_DISK] = "initdata_disk",
	[CFG_K_FETCH] = "fetch",
	[CFG_K_NET] = "net",
	[CFG_K_HOSTS] = "hosts",
	[CFG_K_DKEYS] = "decryption_key",
	[CFG_K_AA_KBC] = "(agent.aa_kbc_params)",
};

/* The kernel's isspace() set (lib/ctype.c): space, \t \n \v \f \r. */
static int cfg_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int cfg_is_hex_lower(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Split the next word off [*pp, end).  Returns 0 when only white space was
 * left.  Semantics of the kernel's next_arg() (kernel/params.c). */
static int cfg_next_word(const char **pp, const char *end, struct cfg_word *w)
{
	const char *p = *pp, *s, *eq = NULL;
	size_t i, n;
	int in_quote = 0, quoted = 0;

	while (p < end && cfg_is_space((unsigned char)*p))
		p++;
	if (p == end) {
		*pp = p;
		return 0;
	}
	if (*p == '"') {
		p++;
		in_quote = quoted = 1;
	}
	s = p;
	n = (size_t)(end - s);
	for (i = 0; i < n; i++) {
		if (!in_quote && cfg_is_space((unsigned char)s[i]))
			break;
		if (!eq && s[i] == '=')
			eq = s + i;
		if (s[i] == '"')
			in_quote = !in_quote;
	}
	*pp = s + i;
	/* i is the word length; a closing quote at its end is dropped */
	w->key = s;
	if (!eq) {
		w->key_len = (quoted && i > 0 && s[i - 1] == '"') ? i - 1 : i;
		w->val = NULL;
		w->val_len = 0;
		return 1;
	}
	w->key_len = (size_t)(eq - s);
	w->val = eq + 1;
	w->val_len = i - w->key_len - 1;
	if (w->val_len > 0 && w->val[0] == '"') {
		w->val++;
		w->val_len--;
		if (s[i - 1] == '"' && w->val_len > 0)
			w->val_len--;
	} else if (quoted && w->val_len > 0 && s[i - 1] == '"') {
		w->val_len--;
	}
	return 1;
}

int cfg_bad(struct err *e, const char *key, const char *expected, const struct cfg_word *w)
{
	char got[CFG_GOT_MAX + 1];

	text_show(got, sizeof(got), w->val, w->val_len);
	return err_set(e, -ERR_FORMAT, "%s%s: expected %s, got \"%s\"",
		       strchr(key, '.') ? "" : CFG_PREFIX, key, expected, got);
}

static int cfg_set_image(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	size_t i;

	if (w->val_len != CFG_IMAGE_LEN || memcmp(w->val, "sha256:", 7) != 0)
		return cfg_bad(e, "image", "sha256:<64 lowercase hex>", w);
	for (i = 7; i < CFG_IMAGE_LEN; i++)
		if (!cfg_is_hex_lower((unsigned char)w->val[i]))
			return cfg_bad(e, "image", "sha256:<64 lowercase hex>", w);
	memcpy(c->image, w->val, CFG_IMAGE_LEN);
	c->image[CFG_IMAGE_LEN] = '\0';
	return 0;
}

int cfg_set_devname(char out[CFG_DISK_MAX + 1], const char *key, const struct cfg_word *w,
		    struct err *e)
{
	size_t i;

	if (w->val_len == 0 || w->val_len > CFG_DISK_MAX)
		return cfg_bad(e, key, "a device name of 1-31 [a-z0-9]", w);
	for (i = 0; i < w->val_len; i++) {
		char ch = w->val[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
			return cfg_bad(e, key, "a device name of 1-31 [a-z0-9]", w);
	}
	memcpy(out, w->val, w->val_len);
	out[w->val_len] = '\0';
	return 0;
}

/* Decimal digits only, at most 19 of them (no overflow of uint64_t). */
static int cfg_dec(const char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	*v = x;
	return 0;
}

static int cfg_set_exit(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	static const char expected[] = "an I/O port 0x1-0xfffc (hex with 0x, or decimal)";
	uint64_t v = 0;
	size_t i;

	if (w->val_len > 2 && w->val[0] == '0' && (w->val[1] == 'x' || w->val[1] == 'X')) {
		if (w->val_len > 2 + 4)
			return cfg_bad(e, "exit", expected, w);
		for (i = 2; i < w->val_len; i++) {
			int d = text_hex_digit((unsigned char)w->val[i]);
			if (d < 0)
				return cfg_bad(e, "exit", expected, w);
			v = v * 16 + (uint64_t)d;
		}
	} else if (w->val_len > 5 || cfg_dec(w->val, w->val_len, &v) != 0) {
		return cfg_bad(e, "exit", expected, w);
	}
	if (v == 0 || v > 0xfffc)
		return cfg_bad(e, "exit", expected, w);
	c->has_exit_port = true;
	c->exit_port = (uint16_t)v;
	return 0;
}

static int cfg_set_tmpfs_size(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	static const char expected[] = "<N>[kmg] between 1m and 1024g";
	size_t n = w->val_len;
	unsigned shift = 0;
	uint64_t v;

	if (n > 0) {
		switch (w->val[n - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: break;
		}
		if (shift)
			n--;
	}
	if (cfg_dec(w->val, n, &v) != 0 || v > (CFG_SIZE_MAX >> shift))
		return cfg_bad(e, "tmpfs_size", expected, w);
	v <<= shift;
	if (v < CFG_SIZE_MIN)
		return cfg_bad(e, "tmpfs_size", expected, w);
	c->tmpfs_size = v;
	return 0;
}

static int cfg_set_debug(struct cfg *c, const struct cfg_word *w, struct err *e)
{
	if (w->val_len != 1 || (w->val[0] != '0' && w->val[0] != '1'))
		return cfg_bad(e, "debug", "0 or 1", w);
	c->debug = w->val[0] == '1';
	return 0;
}

static void cfg_note_unknown(struct cfg *c, const struct cfg_word *w)
{
	if (c->n_unknown < CFG_UNKNOWN_MAX)
		text_show(c->unknown[c->n_unknown], sizeof(c->unknown[0]), w->key, w->key_len);
	if (c->n_unknown < ~0u)
		c->n_unknown++;
}

static int cfg_find_key(const struct cfg_word *w)
{
	const char *name = w->key + CFG_PREFIX_LEN;
	size_t n = w->key_len - CFG_PREFIX_LEN;
	int k;

	if (w->key_len == sizeof(CFG_AA_KBC) - 1 && !memcmp(w->key, CFG_AA_KBC, w->key_len))
		return CFG_K_AA_KBC;

	for (k = 0; k < CFG_K_N; k++)
		if (strlen(cfg_key_names[k]) == n && memcmp(cfg_key_names[k], name, n) == 0)
			return k;
	return -1;
}

/* Apply one ccinit.* word. */
static int cfg_apply(struct cfg *c, unsigned *seen, const struct cfg_word *w, struct err *e)
{
	int k = cfg_find_key(w);

	if (k < 0) {
		cfg_note_unknown(c, w);
		return 0;
	}
	if (k == CFG_K_AA_KBC) {
		if (*seen & (1u << k))
			return err_set(e, -ERR_FORMAT, CFG_AA_KBC ": given twice");
		*seen |= 1u << k;
		return w->val ? cfg_set_aa_kbc(c, w, e)
			      : err_set(e, -ERR_FORMAT, CFG_AA_KBC ": got no '='");
	}
	if (*seen & (1u << k))
		return err_set(e, -ERR_FORMAT, "%s%s: given twice (each ccinit key at most once)",
			       CFG_PREFIX, cfg_key_names[k]);
	*seen |= 1u << k;
	if (!w->val)
		return err_set(e, -ERR_FORMAT, "%s%s: expected %s%s=<value>, got no '='",
			       CFG_PREFIX, cfg_key_names[k], CFG_PREFIX, cfg_key_names[k]);
	switch (k) {
	case CFG_K_IMAGE: return cfg_set_image(c, w, e);
	case CFG_K_DISK: return cfg_set_devname(c->disk, "disk", w, e);
	case CFG_K_EXIT: return cfg_set_exit(c, w, e);
	case CFG_K_TMPFS_SIZE: return cfg_set_tmpfs_size(c, w, e);
	case CFG_K_DEBUG: return cfg_set_debug(c, w, e);
	case CFG_K_TEE: return cfg_set_tee(c, w, e);
	case CFG_K_KBS: return cfg_set_kbs(c, w, e);
	case CFG_K_INITDATA: return cfg_set_initdata(c, w, e);
	case CFG_K_INITDATA_DISK: return cfg_set_devname(c->initdata_disk, "initdata_disk", w, e);
	case CFG_K_FETCH: return cfg_set_fetch(c, w, e);
	case CFG_K_NET: return cfg_set_net(c, w, e);
	case CFG_K_HOSTS: return cfg_set_hosts(c, w, e);
	case CFG_K_DKEYS: return cfg_set_dkeys(c, w, e);
	default: return cfg_set_aa_kbc(c, w, e);
	}
}

int cfg_parse(const char *cmdline, size_t len, struct cfg *out, struct err *e)
{
	const char *p = cmdline ? cmdline : "", *end;
	struct cfg_word w;
	unsigned seen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > CFG_CMDLINE_MAX)
		return err_set(e, -ERR_LIMIT, "command line: expected at most %d bytes, got %zu",
			       CFG_CMDLINE_MAX, len);
	if (!cmdline)
		len = 0;
	end = p + len; /* len <= CFG_CMDLINE_MAX: no overflow */
	memcpy(out->disk, "vda", 4);
	memcpy(out->initdata_disk, "vdb", 4);
	memcpy(out->net, "dhcp", 5);
	while (cfg_next_word(&p, end, &w)) {
		bool aa = w.key_len == sizeof(CFG_AA_KBC) - 1 &&
			  !memcmp(w.key, CFG_AA_KBC, w.key_len);

		if (!aa && (w.key_len < CFG_PREFIX_LEN ||
			    memcmp(w.key, CFG_PREFIX, CFG_PREFIX_LEN) != 0))
			continue; /* the kernel's */
		rc = cfg_apply(out, &seen, &w, e);
		if (rc < 0)
			goto fail;
	}
	if (!(seen & (1u << CFG_K_IMAGE))) {
		rc = err_set(e, -ERR_FORMAT, "%simage: missing: expected %simage=sha256:<64 hex>"
			     " on the kernel command line", CFG_PREFIX, CFG_PREFIX);
		goto fail;
	}
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return rc;
}

int cfg_exit_port(const char *cmdline, size_t len, uint16_t *port)
{
	const char *p = cmdline ? cmdline : "", *end;
	struct cfg_word w;
	struct cfg c;
	unsigned n = 0;

	*port = 0;
	if (!cmdline || len > CFG_CMDLINE_MAX)
		return -ERR_FORMAT;
	end = p + len;
	memset(&c, 0, sizeof(c));
	while (cfg_next_word(&p, end, &w)) {
		if (w.key_len != CFG_PREFIX_LEN + 4 || memcmp(w.key, CFG_PREFIX "exit", w.key_len))
			continue;
		if (++n > 1 || !w.val || cfg_set_exit(&c, &w, NULL) < 0)
			return -ERR_FORMAT;
	}
	if (n == 0)
		return -ERR_NOTFOUND;
	*port = c.exit_port;
	return 0;
}
