/* netcfg: see netcfg.h. */
#include "net/netcfg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A position in the spec being parsed. */
struct pos {
	const char *s;
	size_t len, i;
};

static bool pos_digit(const struct pos *p)
{
	return p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9';
}

/* A decimal number of at most `digits` digits, no leading zero, <= max. */
static int parse_num(struct pos *p, unsigned digits, unsigned max, unsigned *out)
{
	unsigned v = 0, n = 0;
	size_t start = p->i;

	while (pos_digit(p) && n < digits) {
		v = v * 10 + (unsigned)(p->s[p->i] - '0');
		p->i++;
		n++;
	}
	if (n == 0 || pos_digit(p) || v > max || (n > 1 && p->s[start] == '0'))
		return -1;
	*out = v;
	return 0;
}

static bool parse_char(struct pos *p, char c)
{
	if (p->i >= p->len || p->s[p->i] != c)
		return false;
	p->i++;
	return true;
}

/* A dotted quad into *a (network byte order). */
static int parse_quad(struct pos *p, struct in_addr *a)
{
	uint32_t v = 0;
	unsigned o;

	for (int k = 0; k < 4; k++) {
		if (k > 0 && !parse_char(p, '.'))
			return -1;
		if (parse_num(p, 3, 255, &o) < 0)
			return -1;
		v = v << 8 | o;
	}
	a->s_addr = htonl(v);
	return 0;
}

bool netcfg_addr_is_unicast(struct in_addr a)
{
	uint32_t v = ntohl(a.s_addr);

	return v != 0 && (v >> 24) != 127 && (v >> 28) != 0xe && (v >> 28) != 0xf;
}

static int bad(struct err *e, const char *spec, size_t len, const char *what)
{
	char shown[NETCFG_SPEC_MAX + 1];
	size_t n = len < NETCFG_SPEC_MAX ? len : NETCFG_SPEC_MAX;

	/* Show printable ASCII only. */
	for (size_t i = 0; i < n; i++)
		shown[i] = spec[i] >= 0x20 && spec[i] < 0x7f ? spec[i] : '?';
	shown[n] = '\0';
	return err_set(e, -ERR_FORMAT, "static network \"%s%s\": %s (expected ADDR/PFX,GW[,DNS])",
		       shown, len > n ? "..." : "", what);
}

int netcfg_parse(const char *spec, size_t len, struct net_lease *out, struct err *e)
{
	struct pos p = { spec, len, 0 };
	struct net_lease l;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	if (!spec || len == 0)
		return bad(e, "", 0, "empty");
	if (len > NETCFG_SPEC_MAX)
		return bad(e, spec, len, "too long");
	if (parse_quad(&p, &l.addr) < 0 || !parse_char(&p, '/'))
		return bad(e, spec, len, "bad address");
	if (!netcfg_addr_is_unicast(l.addr))
		return bad(e, spec, len, "address is not unicast");
	if (parse_num(&p, 2, 32, &l.prefix) < 0 || l.prefix == 0)
		return bad(e, spec, len, "prefix length not in 1..32");
	if (!parse_char(&p, ',') || parse_quad(&p, &l.gw) < 0 || l.gw.s_addr == 0)
		return bad(e, spec, len, "bad gateway");
	if (parse_char(&p, ',')) {
		if (parse_quad(&p, &l.dns[0]) < 0 || l.dns[0].s_addr == 0)
			return bad(e, spec, len, "bad DNS server");
		l.n_dns = 1;
	}
	if (p.i != p.len)
		return bad(e, spec, len, "trailing characters");
	*out = l;
	return 0;
}

int netcfg_mask_prefix(struct in_addr mask, unsigned *prefix, struct err *e)
{
	uint32_t m = ntohl(mask.s_addr);
	unsigned n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	if (n == 0 || (n < 32 && (m << n) != 0)) {
		char s[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &mask, s, sizeof(s));
		return err_set(e, -ERR_FORMAT, "netmask %s is not a prefix", s);
	}
	*prefix = n;
	return 0;
}

int netcfg_resolv(const struct net_lease *l, char *buf, size_t cap, size_t *len,
		  struct err *e)
{
	size_t used = 0;

	if (cap == 0)
		return err_set(e, -ERR_LIMIT, "resolv.conf: no room");
	buf[0] = '\0';
	for (unsigned i = 0; i < l->n_dns && i < NET_DNS_MAX; i++) {
		char a[INET_ADDRSTRLEN];
		int n;

		inet_ntop(AF_INET, &l->dns[i], a, sizeof(a));
		n = snprintf(buf + used, cap - used, "nameserver %s\n", a);
		if (n < 0 || (size_t)n >= cap - used)
			return err_set(e, -ERR_LIMIT, "resolv.conf: more than %zu bytes", cap - 1);
		used += (size_t)n;
	}
	*len = used;
	return 0;
}
