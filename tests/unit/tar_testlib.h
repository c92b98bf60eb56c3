/* tar_testlib: build small tar archives in memory for test_tar.c and
 * test_unpack.c (header-only; tests only). */
#ifndef CCG_TESTS_TAR_TESTLIB_H
#define CCG_TESTS_TAR_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tb {
	uint8_t *buf;
	size_t len, cap;
};

static inline void tb_put(struct tb *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->buf = realloc(b->buf, cap);
		if (!b->buf)
			abort();
		b->cap = cap;
	}
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static inline void tb_pad(struct tb *b)
{
	static const uint8_t zero[512];

	tb_put(b, zero, (512 - b->len % 512) % 512);
}

static inline void tb_free(struct tb *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

struct tb_hdr {
	const char *name;
	char type;
	uint64_t size;
	const char *link;
	unsigned mode, uid, gid;
	long long mtime;
	const char *prefix;     /* ustar prefix field */
	int v7;                 /* no magic */
};

static inline void tb_field(uint8_t *h, size_t off, size_t w, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)w - 1, v);
	memcpy(h + off, tmp, w - 1);
	h[off + w - 1] = 0;
}

/* Recompute the checksum of a 512-byte header in place. */
static inline void tb_sum(uint8_t *h)
{
	unsigned sum = 0;
	size_t i;
	char tmp[16];

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf(tmp, sizeof(tmp), "%06o", sum);
	memcpy(h + 148, tmp, 6);
	h[154] = 0;
	h[155] = ' ';
}

static inline void tb_fill(uint8_t h[512], const struct tb_hdr *x)
{
	memset(h, 0, 512);
	memcpy(h, x->name, strnlen(x->name, 100));
	tb_field(h, 100, 8, x->mode ? x->mode : 0644);
	tb_field(h, 108, 8, x->uid);
	tb_field(h, 116, 8, x->gid);
	tb_field(h, 124, 12, x->size);
	tb_field(h, 136, 12, (unsigned long long)x->mtime);
	h[156] = (uint8_t)(x->type ? x->type : '0');
	if (x->link)
		memcpy(h + 157, x->link, strnlen(x->link, 100));
	if (!x->v7)
		memcpy(h + 257, "ustar\0" "00", 8);
	if (x->prefix)
		memcpy(h + 345, x->prefix, strnlen(x->prefix, 155));
	tb_sum(h);
}

static inline void tb_hdr(struct tb *b, const struct tb_hdr *x)
{
	uint8_t h[512];

	tb_fill(h, x);
	tb_put(b, h, 512);
}

static inline void tb_file(struct tb *b, const char *name, const char *data, unsigned mode)
{
	struct tb_hdr x = { .name = name, .size = strlen(data), .mode = mode,
			    .mtime = 1700000000 };

	tb_hdr(b, &x);
	tb_put(b, data, strlen(data));
	tb_pad(b);
}

static inline void tb_dir(struct tb *b, const char *name, unsigned mode)
{
	struct tb_hdr x = { .name = name, .type = '5', .mode = mode, .mtime = 1700000000 };

	tb_hdr(b, &x);
}

static inline void tb_link(struct tb *b, const char *name, char type, const char *target)
{
	struct tb_hdr x = { .name = name, .type = type, .link = target,
			    .mode = 0777, .mtime = 1700000000 };

	tb_hdr(b, &x);
}

/* One PAX record "%d key=value\n" with a value of vlen bytes. */
static inline void tb_rec(struct tb *body, const char *key, const void *val, size_t vlen)
{
	size_t base = 1 + strlen(key) + 1 + vlen + 1, n = base + 1;
	char num[24];

	while ((size_t)snprintf(num, sizeof(num), "%zu", n) + base != n)
		n++;
	tb_put(body, num, strlen(num));
	tb_put(body, " ", 1);
	tb_put(body, key, strlen(key));
	tb_put(body, "=", 1);
	tb_put(body, val, vlen);
	tb_put(body, "\n", 1);
}

/* A typeflag 'x' (or 'g') header carrying body. */
static inline void tb_pax(struct tb *b, char type, const struct tb *body)
{
	struct tb_hdr x = { .name = "PaxHeaders/x", .type = type, .size = body->len };

	tb_hdr(b, &x);
	tb_put(b, body->buf, body->len);
	tb_pad(b);
}

/* GNU 'L' or 'K' long name. */
static inline void tb_long(struct tb *b, char type, const char *value)
{
	struct tb_hdr x = { .name = "././@LongLink", .type = type,
			    .size = strlen(value) + 1 };

	tb_hdr(b, &x);
	tb_put(b, value, strlen(value) + 1);
	tb_pad(b);
}

static inline void tb_end(struct tb *b)
{
	static const uint8_t zero[1024];

	tb_put(b, zero, sizeof(zero));
}

/* Read a whole file (tests: abort on failure). */
static inline uint8_t *tb_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct tb b = { 0 };
	uint8_t chunk[4096];
	size_t got;

	if (!f)
		return NULL;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tb_put(&b, chunk, got);
	fclose(f);
	*n = b.len;
	if (!b.buf)
		b.buf = malloc(1);
	return b.buf;
}

#endif
