/* tar: the streaming parser's state machine, header decoding and path
 * normalisation.  PAX records are in tar_pax.c.  See tar.h for the rules. */
#include "base/text.h"
#include "image/tar.h"

#include <errno.h>
#include <string.h>

#include "image/tar_int.h"

enum {
	TS_HEADER,      /* collecting a 512-byte header into hdr */
	TS_META,        /* collecting an 'L', 'K' or 'x' body */
	TS_DATA,        /* passing file data to ops->data */
	TS_SKIP,        /* skipping padding or a 'g' body */
	TS_END,         /* after the end-of-archive marker: zeros only */
	TS_DONE,        /* tar_finish() succeeded */
	TS_FAILED,      /* sticky error */
};

/* ustar header layout */
#define H_NAME 0
#define H_MODE 100
#define H_UID 108
#define H_GID 116
#define H_SIZE 124
#define H_MTIME 136
#define H_CHKSUM 148
#define H_TYPE 156
#define H_LINK 157
#define H_MAGIC 257
#define H_DEVMAJOR 329
#define H_DEVMINOR 337
#define H_PREFIX 345

static const uint8_t magic_ustar[8] = "ustar\0" "00";

void tar_init(struct tar *t, const struct tar_ops *ops, void *ctx)
{
	memset(t, 0, offsetof(struct tar, hdr));
	t->ops = ops;
	t->ctx = ctx;
	t->max_size = TAR_DEFAULT_MAX_SIZE;
	t->state = TS_HEADER;
}

void tar_set_limits(struct tar *t, const struct tar_limits *lim)
{
	if (lim && lim->max_size)
		t->max_size = lim->max_size;
}

uint64_t tar_offset(const struct tar *t)
{
	return t->off;
}

bool tar_at_end(const struct tar *t)
{
	return t->state == TS_END || (t->state == TS_DONE && t->zeros >= 2);
}

uint64_t tar_skip_data(struct tar *t)
{
	uint64_t n;

	if (t->state == TS_DATA) {
		n = t->left + t->pad;
		t->open = false;
		t->state = TS_HEADER;
		t->err = t->ops->entry_end(t->ctx, NULL);
		if (t->err < 0)
			t->state = TS_FAILED;
	} else if (t->state == TS_SKIP) {
		n = t->left;
		t->state = TS_HEADER;
	} else {
		return 0;
	}
	t->left = 0;
	t->off += n;
	return n;
}

/* ---- numeric fields ------------------------------------------------------ */

/* Base-256 (GNU): big-endian two's complement, the first byte's top bit
 * being the marker. */
static bool b256_parse(const uint8_t *f, size_t n, int64_t *out)
{
	uint8_t inv = (f[0] & 0x40) ? 0xff : 0x00;
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = f[i] ^ inv;

		if (i == 0)
			c &= 0x7f;
		if (x >> 55)
			return false;
		x = x << 8 | c;
	}
	if (x >> 63)
		return false;
	*out = inv ? ~(int64_t)x : (int64_t)x;
	return true;
}

/* Octal between optional spaces/NULs, or base-256; blank is 0. */
static bool num_parse(const uint8_t *f, size_t n, int64_t *out)
{
	size_t i = 0, j = n;
	uint64_t v = 0;

	if (f[0] & 0x80)
		return b256_parse(f, n, out);
	while (i < j && (f[i] == ' ' || f[i] == '\0'))
		i++;
	while (j > i && (f[j - 1] == ' ' || f[j - 1] == '\0'))
		j--;
	for (; i < j; i++) {
		if (f[i] < '0' || f[i] > '7' || v > (UINT64_MAX >> 4))
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

struct hdr_nums {
	int64_t mode, uid, gid, size, mtime, devmajor, devminor;
};

static int hdr_numbers(const uint8_t *h, struct hdr_nums *v, struct err *e)
{
	static const struct { const char *name; size_t off, len; } f[] = {
		{ "mode", H_MODE, 8 }, { "uid", H_UID, 8 }, { "gid", H_GID, 8 },
		{ "size", H_SIZE, 12 }, { "mtime", H_MTIME, 12 },
		{ "devmajor", H_DEVMAJOR, 8 }, { "devminor", H_DEVMINOR, 8 },
	};
	int64_t *dst[] = { &v->mode, &v->uid, &v->gid, &v->size, &v->mtime,
			   &v->devmajor, &v->devminor };
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!num_parse(h + f[i].off, f[i].len, dst[i]))
			return err_set(e, -ERR_FORMAT, "bad %s field", f[i].name);
	}
	if (v->size < 0)
		return err_set(e, -ERR_FORMAT, "negative size");
	if (v->uid < 0 || v->uid > TAR_ID_MAX || v->gid < 0 || v->gid > TAR_ID_MAX)
		return err_set(e, -ERR_FORMAT, "uid/gid out of range");
	if (v->devmajor < 0 || v->devmajor > UINT32_MAX ||
	    v->devminor < 0 || v->devminor > UINT32_MAX)
		return err_set(e, -ERR_FORMAT, "device numbers out of range");
	return 0;
}

static bool zero_block(const uint8_t *h)
{
	return h[0] == 0 && memcmp(h, h + 1, TAR_BLOCK - 1) == 0;
}

static int check_sum(const uint8_t *h, struct err *e)
{
	uint64_t usum = 0;
	int64_t ssum = 0, want;
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++) {
		uint8_t c = (i >= H_CHKSUM && i < H_CHKSUM + 8) ? ' ' : h[i];

		usum += c;
		ssum += (int8_t)c;
	}
	if ((h[H_CHKSUM] & 0x80) || !num_parse(h + H_CHKSUM, 8, &want))
		return err_set(e, -ERR_FORMAT, "bad checksum field");
	if (want != (int64_t)usum && want != ssum)
		return err_set(e, -ERR_FORMAT,
			       "checksum mismatch: expected %lld, got %llu (unsigned) "
			       "or %lld (signed)", (long long)want,
			       (unsigned long long)usum, (long long)ssum);
	return 0;
}

/* ---- paths --------------------------------------------------------------- */

/* Normalise in[0, n) into out (TAR_NAME_MAX + 1 bytes). */
static int norm_path(const char *in, size_t n, char *out, const char *what,
		     struct err *e)
{
	char show[96];
	size_t i = 0, o = 0;

	if (n == 0)
		return err_set(e, -ERR_FORMAT, "empty %s", what);
	if (memchr(in, '\0', n))
		return err_set(e, -ERR_FORMAT, "NUL byte in %s", what);
	if (in[0] == '/')
		return err_set(e, -ERR_UNSAFE, "absolute %s refused: %s", what,
			       text_show(show, sizeof(show), in, n));
	while (i < n) {
		const char *c = in + i, *sl = memchr(c, '/', n - i);
		size_t len = sl ? (size_t)(sl - c) : n - i;

		i += len + (sl != NULL);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return err_set(e, -ERR_UNSAFE, "'..' in %s refused: %s", what,
				       text_show(show, sizeof(show), in, n));
		if (len + (o > 0) > TAR_NAME_MAX - o)
			return err_set(e, -ERR_LIMIT, "%s longer than %d bytes", what,
				       TAR_NAME_MAX);
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, c, len);
		o += len;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return 0;
}

/* The entry's raw name: PAX path, GNU long name, or ustar prefix/name. */
static void raw_name(struct tar *t, char *tmp, const char **s, size_t *n)
{
	const uint8_t *h = t->hdr;

	if (t->have & TAR_HAVE_PATH) {
		*s = (const char *)t->pax + t->pax_path;
		*n = t->pax_path_len;
	} else if (t->have & TAR_HAVE_LNAME) {
		*s = t->lname;
		*n = t->lname_len;
	} else {
		size_t nl = strnlen((const char *)h + H_NAME, 100);
		size_t pl = memcmp(h + H_MAGIC, magic_ustar, 6) == 0 ?
			    strnlen((const char *)h + H_PREFIX, 155) : 0;
		size_t o = 0;

		if (pl) {
			memcpy(tmp, h + H_PREFIX, pl);
			tmp[pl] = '/';
			o = pl + 1;
		}
		memcpy(tmp + o, h + H_NAME, nl);
		*s = tmp;
		*n = o + nl;
	}
}

static int entry_link(struct tar *t, struct err *e)
{
	const char *s = (const char *)t->hdr + H_LINK;
	size_t n;

	if (t->have & TAR_HAVE_LINK) {
		s = (const char *)t->pax + t->pax_link;
		n = t->pax_link_len;
	} else if (t->have & TAR_HAVE_LLINK) {
		s = t->llink;
		n = t->llink_len;
	} else {
		n = strnlen(s, 100);
	}
	if (t->ent.type == TAR_HARDLINK) {
		int rc = norm_path(s, n, t->link, "hard link target", e);

		if (rc == 0 && strcmp(t->link, ".") == 0)
			rc = err_set(e, -ERR_UNSAFE, "hard link to the root directory");
		return rc;
	}
	if (n == 0)
		return err_set(e, -ERR_FORMAT, "empty symlink target");
	if (n > TAR_NAME_MAX || memchr(s, '\0', n))
		return err_set(e, -ERR_FORMAT, "bad symlink target");
	memcpy(t->link, s, n);
	t->link[n] = '\0';
	return 0;
}

/* ---- entries ------------------------------------------------------------- */

static int entry_type(struct tar *t, bool slash, struct err *e)
{
	char c = (char)t->hdr[H_TYPE];

	switch (c) {
	case '0': case '\0': case '7':
		t->ent.type = (slash && t->ent.size == 0) ? TAR_DIR : TAR_REG;
		if (slash && t->ent.size != 0)
			return err_set(e, -ERR_FORMAT, "regular file name ends in '/'");
		return 0;
	case '1': t->ent.type = TAR_HARDLINK; return 0;
	case '2': t->ent.type = TAR_SYMLINK; return 0;
	case '3': t->ent.type = TAR_CHR; return 0;
	case '4': t->ent.type = TAR_BLK; return 0;
	case '5': t->ent.type = TAR_DIR; return 0;
	case '6': t->ent.type = TAR_FIFO; return 0;
	default:
		return err_set(e, -ERR_UNSUPPORTED, "unsupported entry type '%c' (0x%02x)",
			       (c > 0x20 && c < 0x7f) ? c : '?', (unsigned)(uint8_t)c);
	}
}

/* Numbers from the header, overridden by PAX. */
static int entry_fields(struct tar *t, struct err *e)
{
	struct tar_entry *ent = &t->ent;
	struct hdr_nums v;
	int rc = hdr_numbers(t->hdr, &v, e);

	if (rc < 0)
		return rc;
	ent->mode = (uint32_t)v.mode & 07777;
	ent->uid = (t->have & TAR_HAVE_UID) ? (uint32_t)t->pax_uid : (uint32_t)v.uid;
	ent->gid = (t->have & TAR_HAVE_GID) ? (uint32_t)t->pax_gid : (uint32_t)v.gid;
	ent->size = (t->have & TAR_HAVE_SIZE) ? t->pax_size : (uint64_t)v.size;
	ent->mtime = (t->have & TAR_HAVE_MTIME) ? t->pax_mtime : v.mtime;
	ent->mtime_nsec = (t->have & TAR_HAVE_MTIME) ? t->pax_nsec : 0;
	ent->devmajor = (uint32_t)v.devmajor;
	ent->devminor = (uint32_t)v.devminor;
	ent->xattrs = t->nxattrs ? t->xattrs : NULL;
	ent->nxattrs = t->nxattrs;
	ent->offset = t->hdr_off;
	return 0;
}

static int entry_build(struct tar *t, struct err *e)
{
	char tmp[100 + 155 + 2];
	const char *s;
	size_t n;
	bool slash;
	int rc = entry_fields(t, e);

	if (rc < 0)
		return rc;
	raw_name(t, tmp, &s, &n);
	slash = n > 0 && s[n - 1] == '/';
	rc = norm_path(s, n, t->path, "path", e);
	if (rc == 0)
		rc = entry_type(t, slash, e);
	if (rc == 0 && strcmp(t->path, ".") == 0 && t->ent.type != TAR_DIR)
		rc = err_set(e, -ERR_FORMAT, "non-directory entry named '.'");
	if (rc == 0 && (t->ent.type == TAR_SYMLINK || t->ent.type == TAR_HARDLINK))
		rc = entry_link(t, e);
	else
		t->link[0] = '\0';
	if (rc < 0)
		return rc;
	if (t->ent.size > t->max_size)
		return err_set(e, -ERR_LIMIT, "%s: size %llu exceeds the limit %llu",
			       text_show(tmp, sizeof(tmp), t->path, strlen(t->path)),
			       (unsigned long long)t->ent.size,
			       (unsigned long long)t->max_size);
	if (t->ent.type != TAR_REG)
		t->ent.size = 0;
	t->ent.path = t->path;
	t->ent.link = t->link;
	return 0;
}

/* A real entry's header is complete: report it. */
static int on_entry(struct tar *t, struct err *e)
{
	int rc = entry_build(t, e);

	t->have = 0;
	t->nxattrs = 0;
	if (rc < 0)
		return rc;
	t->open = true;
	rc = t->ops->entry(t->ctx, &t->ent, e);
	if (rc < 0)
		return rc;
	t->left = t->ent.size;
	t->pad = (uint32_t)((TAR_BLOCK - t->ent.size % TAR_BLOCK) % TAR_BLOCK);
	if (t->left == 0) {
		t->open = false;
		t->state = TS_HEADER;   /* size 0: no padding either */
		return t->ops->entry_end(t->ctx, e);
	}
	t->state = TS_DATA;
	return 0;
}

static int meta_done(struct tar *t, struct err *e)
{
	int rc = 0;

	switch (t->meta) {
	case 'L':
		t->lname_len = strnlen(t->lname, t->mlen);
		t->have |= TAR_HAVE_LNAME;
		break;
	case 'K':
		t->llink_len = strnlen(t->llink, t->mlen);
		t->have |= TAR_HAVE_LLINK;
		break;
	default:
		t->have |= TAR_HAVE_PAX;
		rc = tar_pax_parse(t, t->mlen, e);
		break;
	}
	t->left = t->pad;
	t->state = t->pad ? TS_SKIP : TS_HEADER;
	return rc;
}

/* 'L', 'K', 'x' or 'g' header. */
static int on_meta(struct tar *t, char type, struct err *e)
{
	struct hdr_nums v;
	unsigned bit = type == 'L' ? TAR_HAVE_LNAME : type == 'K' ? TAR_HAVE_LLINK :
		       type == 'x' ? TAR_HAVE_PAX : 0;
	uint64_t max = (type == 'L' || type == 'K') ? TAR_NAME_MAX + 1 : TAR_PAX_MAX;
	int rc = hdr_numbers(t->hdr, &v, e);

	if (rc < 0)
		return rc;
	if (t->have & bit)
		return err_set(e, -ERR_FORMAT, "two '%c' headers for one entry", type);
	if ((uint64_t)v.size > max)
		return err_set(e, -ERR_LIMIT, "'%c' header of %llu bytes, limit %llu",
			       type, (unsigned long long)v.size, (unsigned long long)max);
	t->meta = type;
	t->left = (uint64_t)v.size;
	t->pad = (uint32_t)((TAR_BLOCK - t->left % TAR_BLOCK) % TAR_BLOCK);
	t->mlen = 0;
	if (type == 'g') {      /* global: ignored, as containerd does */
		t->left += t->pad;
		t->state = t->left ? TS_SKIP : TS_HEADER;
		return 0;
	}
	t->state = TS_META;
	return t->left == 0 ? meta_done(t, e) : 0;
}

static int on_header(struct tar *t, struct err *e)
{
	char type = (char)t->hdr[H_TYPE];
	int rc;

	t->hlen = 0;
	if (zero_block(t->hdr)) {
		if (t->have)
			return err_set(e, -ERR_FORMAT, "end of archive after an "
				       "extended header, before its entry");
		if (++t->zeros == 2)
			t->state = TS_END;
		return 0;
	}
	if (t->zeros)
		return err_set(e, -ERR_FORMAT, "trailing garbage: non-zero block "
			       "after an end-of-archive zero block");
	rc = check_sum(t->hdr, e);
	if (rc < 0)
		return rc;
	if (type == 'L' || type == 'K' || type == 'x' || type == 'g')
		return on_meta(t, type, e);
	return on_entry(t, e);
}

/* ---- feeding ------------------------------------------------------------- */

static uint8_t *meta_buf(struct tar *t)
{
	if (t->meta == 'L')
		return (uint8_t *)t->lname;
	if (t->meta == 'K')
		return (uint8_t *)t->llink;
	return t->pax;
}

/* Consume up to n bytes in the current state; *used gets the count. */
static int step(struct tar *t, const uint8_t *p, size_t n, size_t *used, struct err *e)
{
	size_t k;

	switch (t->state) {
	case TS_HEADER:
		k = TAR_BLOCK - t->hlen < n ? TAR_BLOCK - t->hlen : n;
		if (t->hlen == 0)
			t->hdr_off = t->off;
		memcpy(t->hdr + t->hlen, p, k);
		t->hlen += k;
		*used = k;
		return t->hlen == TAR_BLOCK ? on_header(t, e) : 0;
	case TS_META:
		k = t->left < n ? (size_t)t->left : n;
		memcpy(meta_buf(t) + t->mlen, p, k);
		t->mlen += k;
		t->left -= k;
		*used = k;
		return t->left == 0 ? meta_done(t, e) : 0;
	case TS_DATA:
		k = t->left < n ? (size_t)t->left : n;
		*used = k;
		t->left -= k;
		return t->ops->data(t->ctx, p, k, e);
	case TS_SKIP:
		k = t->left < n ? (size_t)t->left : n;
		t->left -= k;
		*used = k;
		if (t->left == 0)
			t->state = TS_HEADER;
		return 0;
	default: /* TS_END */
		*used = n;
		if (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0)
			return 0;
		for (k = 0; p[k] == 0; k++)
			;
		t->hdr_off = t->off + k;
		return err_set(e, -ERR_FORMAT, "trailing garbage after the "
			       "end-of-archive marker");
	}
}

static int fail(struct tar *t, int rc, struct err *e)
{
	char show[96];
	bool trailing = t->state == TS_END;

	t->state = TS_FAILED;
	t->err = rc;
	if (t->open)
		return err_wrap(e, rc, "tar entry %s at offset %llu",
				text_show(show, sizeof(show), t->path, strlen(t->path)),
				(unsigned long long)t->hdr_off);
	return err_wrap(e, rc, "tar %s at offset %llu",
			trailing ? "data" : "header",
			(unsigned long long)t->hdr_off);
}

int tar_feed(struct tar *t, const uint8_t *p, size_t n, struct err *e)
{
	if (t->state == TS_FAILED || t->state == TS_DONE)
		return err_set(e, t->state == TS_DONE ? -EINVAL : t->err,
			       "tar: feed after %s", t->state == TS_DONE ? "finish" :
			       "an earlier error");
	while (n > 0) {
		size_t used = 0;
		int rc = step(t, p, n, &used, e);

		t->off += used;
		p += used;
		n -= used;
		if (rc < 0)
			return fail(t, rc, e);
		if (t->state == TS_DATA && t->left == 0) {
			t->open = false;
			rc = t->ops->entry_end(t->ctx, e);
			if (rc < 0)
				return fail(t, rc, e);
			t->left = t->pad;
			t->state = t->pad ? TS_SKIP : TS_HEADER;
		}
	}
	return 0;
}

int tar_finish(struct tar *t, struct err *e)
{
	char show[96];
	const char *what = NULL;

	if (t->state == TS_FAILED || t->state == TS_DONE)
		return err_set(e, t->state == TS_DONE ? -EINVAL : t->err,
			       "tar: finish after %s", t->state == TS_DONE ? "finish" :
			       "an earlier error");
	if (t->state == TS_HEADER && t->hlen > 0)
		what = "header";
	else if (t->state == TS_HEADER && t->have)
		what = "entry after an extended header";
	else if (t->state == TS_META)
		what = "extended header";
	else if (t->state == TS_SKIP)
		what = "padding or global header";
	if (t->state == TS_DATA) {
		t->state = TS_FAILED;
		t->err = -ERR_FORMAT;
		return err_set(e, -ERR_FORMAT, "tar entry %s at offset %llu: truncated "
			       "data: expected %llu bytes, got %llu",
			       text_show(show, sizeof(show), t->path, strlen(t->path)),
			       (unsigned long long)t->hdr_off,
			       (unsigned long long)t->ent.size,
			       (unsigned long long)(t->ent.size - t->left));
	}
	if (what) {
		t->state = TS_FAILED;
		t->err = -ERR_FORMAT;
		return err_set(e, -ERR_FORMAT, "tar: truncated %s at offset %llu "
			       "(archive ends at %llu)", what,
			       (unsigned long long)t->hdr_off, (unsigned long long)t->off);
	}
	t->state = TS_DONE;
	return 0;
}
