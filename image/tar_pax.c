/* tar_pax: PAX extended header records ("%d %s=%s\n"), parsed in place. */
#include "base/text.h"
#include "image/tar_int.h"

#include <string.h>

#define PAX_XATTR_NAME_MAX 255   /* XATTR_NAME_MAX */

static const char schily_xattr[] = "SCHILY.xattr.";
static const char libarchive_xattr[] = "LIBARCHIVE.xattr.";
static const char gnu_sparse[] = "GNU.sparse.";

bool tar_dec_u64(const uint8_t *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)s[i] - '0';

		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *pre, size_t plen)
{
	return n >= plen && memcmp(s, pre, plen) == 0;
}

/* "[-]digits[.digits]": seconds and nanoseconds (extra digits truncated). */
static bool parse_time(const uint8_t *s, size_t n, int64_t *sec, uint32_t *nsec)
{
	const uint8_t *dot = memchr(s, '.', n);
	size_t ilen = dot ? (size_t)(dot - s) : n;
	bool neg = ilen > 0 && s[0] == '-';
	uint64_t v;
	uint32_t ns = 0, scale = 100000000;
	size_t i;

	if (!tar_dec_u64(s + neg, ilen - neg, (1ull << 62), &v))
		return false;
	if (dot) {
		for (i = ilen + 1; i < n; i++) {
			unsigned d = (unsigned)s[i] - '0';

			if (d > 9)
				return false;
			ns += d * scale;
			scale /= 10;
		}
	}
	if (neg && ns) {
		*sec = -(int64_t)v - 1;
		*nsec = 1000000000u - ns;
	} else {
		*sec = neg ? -(int64_t)v : (int64_t)v;
		*nsec = ns;
	}
	return true;
}

/* %XX-decode s[0, n) in place; false on a bad escape or a NUL result. */
static bool url_decode(uint8_t *s, size_t n, size_t *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return false;
			hi = text_hex_digit(s[i + 1]);
			lo = text_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
		if (c == 0)
			return false;
		s[o++] = c;
	}
	*out = o;
	return true;
}

static int b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64-decode s[0, n) in place; '=' padding optional. */
static bool b64_decode(uint8_t *s, size_t n, size_t *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		int v = b64val(s[i]);

		if (v < 0)
			return false;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits >= 6)          /* a lone trailing character */
		return false;
	*out = o;
	return true;
}

static int add_xattr(struct tar *t, const char *name, size_t nlen,
		     const uint8_t *val, size_t vlen, struct err *e)
{
	struct tar_xattr *x;

	if (nlen == 0 || nlen > PAX_XATTR_NAME_MAX)
		return err_set(e, -ERR_FORMAT, "pax xattr name of %zu bytes", nlen);
	if (t->nxattrs >= TAR_XATTR_MAX)
		return err_set(e, -ERR_LIMIT, "more than %d xattrs on one entry",
			       TAR_XATTR_MAX);
	x = &t->xattrs[t->nxattrs++];
	x->name = name;
	x->value = val;
	x->len = vlen;
	return 0;
}

/* LIBARCHIVE.xattr.<url-encoded name>=<base64 value> */
static int libarchive_attr(struct tar *t, char *key, size_t klen, uint8_t *val,
			   size_t vlen, struct err *e)
{
	size_t plen = sizeof(libarchive_xattr) - 1, nlen, dlen;
	uint8_t *name = (uint8_t *)key + plen;

	if (!url_decode(name, klen - plen, &nlen))
		return err_set(e, -ERR_FORMAT, "pax %s: bad URL encoding", libarchive_xattr);
	name[nlen] = '\0';
	if (!b64_decode(val, vlen, &dlen))
		return err_set(e, -ERR_FORMAT, "pax %s%.64s: bad base64 value",
			       libarchive_xattr, (const char *)name);
	return add_xattr(t, (const char *)name, nlen, val, dlen, e);
}

static int path_value(struct tar *t, const uint8_t *val, size_t vlen, bool link,
		      struct err *e)
{
	const char *key = link ? "linkpath" : "path";

	if (vlen == 0)
		return err_set(e, -ERR_FORMAT, "pax %s: empty value", key);
	if (vlen > TAR_NAME_MAX)
		return err_set(e, -ERR_LIMIT, "pax %s: %zu bytes, limit %d", key, vlen,
			       TAR_NAME_MAX);
	if (memchr(val, '\0', vlen))
		return err_set(e, -ERR_FORMAT, "pax %s: NUL byte in value", key);
	if (link) {
		t->pax_link = (size_t)(val - t->pax);
		t->pax_link_len = vlen;
		t->have |= TAR_HAVE_LINK;
	} else {
		t->pax_path = (size_t)(val - t->pax);
		t->pax_path_len = vlen;
		t->have |= TAR_HAVE_PATH;
	}
	return 0;
}

static int number_value(struct tar *t, const char *key, const uint8_t *val,
			size_t vlen, struct err *e)
{
	char show[40];
	bool ok = false;

	if (strcmp(key, "size") == 0) {
		ok = tar_dec_u64(val, vlen, UINT64_MAX >> 1, &t->pax_size);
		t->have |= TAR_HAVE_SIZE;
	} else if (strcmp(key, "uid") == 0) {
		ok = tar_dec_u64(val, vlen, TAR_ID_MAX, &t->pax_uid);
		t->have |= TAR_HAVE_UID;
	} else if (strcmp(key, "gid") == 0) {
		ok = tar_dec_u64(val, vlen, TAR_ID_MAX, &t->pax_gid);
		t->have |= TAR_HAVE_GID;
	} else {
		ok = parse_time(val, vlen, &t->pax_mtime, &t->pax_nsec);
		t->have |= TAR_HAVE_MTIME;
	}
	if (!ok)
		return err_set(e, -ERR_FORMAT, "pax %s: bad value '%.32s'", key,
			       text_show(show, sizeof(show), (const char *)val, vlen));
	return 0;
}

/* One record: key (NUL-terminated in place) and value val[0, vlen). */
static int pax_record(struct tar *t, char *key, size_t klen, uint8_t *val,
		      size_t vlen, struct err *e)
{
	if (strcmp(key, "path") == 0 || strcmp(key, "linkpath") == 0)
		return path_value(t, val, vlen, key[0] == 'l', e);
	if (strcmp(key, "size") == 0 || strcmp(key, "uid") == 0 ||
	    strcmp(key, "gid") == 0 || strcmp(key, "mtime") == 0)
		return number_value(t, key, val, vlen, e);
	if (has_prefix(key, klen, schily_xattr, sizeof(schily_xattr) - 1))
		return add_xattr(t, key + sizeof(schily_xattr) - 1,
				 klen - (sizeof(schily_xattr) - 1), val, vlen, e);
	if (has_prefix(key, klen, libarchive_xattr, sizeof(libarchive_xattr) - 1))
		return libarchive_attr(t, key, klen, val, vlen, e);
	if (has_prefix(key, klen, gnu_sparse, sizeof(gnu_sparse) - 1))
		return err_set(e, -ERR_UNSUPPORTED, "pax %s: sparse files not supported",
			       key);
	return 0;   /* atime, ctime, uname, gname, comment, ...: ignored */
}

/* Split one record at p[pos]; *next gets the offset after it. */
static int pax_split(struct tar *t, size_t pos, size_t len, size_t *next, struct err *e)
{
	uint8_t *p = t->pax;
	size_t i = pos, rlen, end;
	uint8_t *kv, *eq;
	uint64_t v = 0;

	while (i < len && p[i] >= '0' && p[i] <= '9' && i - pos < 8)
		i++;
	if (i == pos || i >= len || p[i] != ' ' ||
	    !tar_dec_u64(p + pos, i - pos, TAR_PAX_MAX, &v))
		return err_set(e, -ERR_FORMAT, "pax record at %zu: bad length", pos);
	rlen = (size_t)v;
	if (rlen > len - pos || rlen < (i - pos) + 4 || p[pos + rlen - 1] != '\n')
		return err_set(e, -ERR_FORMAT, "pax record at %zu: length %zu does not "
			       "fit (%zu bytes left) or lacks its newline", pos, rlen,
			       len - pos);
	end = pos + rlen - 1;                   /* the '\n' */
	kv = p + i + 1;
	eq = memchr(kv, '=', (size_t)(p + end - kv));
	if (!eq || eq == kv || memchr(kv, '\0', (size_t)(eq - kv)))
		return err_set(e, -ERR_FORMAT, "pax record at %zu: bad key", pos);
	*eq = '\0';
	p[end] = '\0';
	*next = pos + rlen;
	return pax_record(t, (char *)kv, (size_t)(eq - kv), eq + 1,
			  (size_t)(p + end - (eq + 1)), e);
}

int tar_pax_parse(struct tar *t, size_t len, struct err *e)
{
	size_t pos = 0;
	int rc;

	t->nxattrs = 0;
	t->pax[len] = '\0';
	while (pos < len) {
		rc = pax_split(t, pos, len, &pos, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}
