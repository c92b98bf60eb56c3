/* test_tar: the streaming tar parser (image/tar.c), no I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "image/tar.h"
#include "tests/unit/tar_testlib.h"

/* A sink that logs every callback in a canonical text form. */
struct rec {
	struct tb log;
	uint64_t data_len;
	uint64_t data_hash;
	int fail_at_entry;      /* fail the entry callback number N (1-based) */
	int entries;
	struct tb last_data;
};

static void logf_(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct rec *r, const char *fmt, ...)
{
	char line[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	tb_put(&r->log, line, strlen(line));
}

static int rec_entry(void *ctx, const struct tar_entry *ent, struct err *e)
{
	struct rec *r = ctx;
	size_t i;

	if (++r->entries == r->fail_at_entry)
		return err_set(e, -ERR_UNSAFE, "refused by the sink");
	logf_(r, "E %s t=%d s=%llu m=%o u=%u g=%u t=%lld.%09u l=%s d=%u,%u", ent->path,
	      (int)ent->type, (unsigned long long)ent->size, ent->mode, ent->uid, ent->gid,
	      (long long)ent->mtime, ent->mtime_nsec, ent->link, ent->devmajor,
	      ent->devminor);
	for (i = 0; i < ent->nxattrs; i++) {
		size_t j;

		logf_(r, " x:%s=", ent->xattrs[i].name);
		for (j = 0; j < ent->xattrs[i].len; j++) {
			uint8_t c = ent->xattrs[i].value[j];

			if (c >= 0x20 && c < 0x7f && c != '\\')
				logf_(r, "%c", c);
			else
				logf_(r, "\\x%02x", c);
		}
	}
	logf_(r, "\n");
	r->data_len = 0;
	r->data_hash = 14695981039346656037ull;
	r->last_data.len = 0;
	return 0;
}

static int rec_data(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct rec *r = ctx;
	size_t i;

	(void)e;
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		r->data_hash = (r->data_hash ^ p[i]) * 1099511628211ull;
	r->data_len += n;
	tb_put(&r->last_data, p, n);
	return 0;
}

static int rec_end(void *ctx, struct err *e)
{
	struct rec *r = ctx;

	(void)e;
	logf_(r, "X %llu %016llx\n", (unsigned long long)r->data_len,
	      (unsigned long long)r->data_hash);
	return 0;
}

static const struct tar_ops rec_ops = { rec_entry, rec_data, rec_end };

static struct tar *tar_new(struct rec *r)
{
	struct tar *t = malloc(sizeof(*t));

	assert_non_null(t);
	memset(r, 0, sizeof(*r));
	tar_init(t, &rec_ops, r);
	return t;
}

/* Feed buf in chunks of `chunk` bytes (0: all at once), then finish. */
static int parse(const struct tb *b, size_t chunk, struct rec *r, struct err *e,
		 const struct tar_limits *lim)
{
	struct tar *t = tar_new(r);
	size_t off = 0;
	int rc = 0;

	tar_set_limits(t, lim);
	if (chunk == 0)
		chunk = b->len ? b->len : 1;
	while (rc == 0 && off < b->len) {
		size_t n = b->len - off < chunk ? b->len - off : chunk;

		rc = tar_feed(t, b->buf + off, n, e);
		off += n;
	}
	if (rc == 0)
		rc = tar_finish(t, e);
	free(t);
	tb_put(&r->log, "", 1);  /* terminate */
	return rc;
}

static void rec_free(struct rec *r)
{
	tb_free(&r->log);
	tb_free(&r->last_data);
}

static const char *log_of(struct rec *r)
{
	return (const char *)r->log.buf;
}

/* ---- formats ------------------------------------------------------------------ */

static void test_ustar_basic(void **state)
{
	struct tb b = { 0 };
	struct tb_hdr x = { .name = "name.txt", .prefix = "some/prefix", .size = 5,
			    .mode = 0104755, .uid = 1000, .gid = 100, .mtime = 1234567890 };
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_hdr(&b, &x);
	tb_put(&b, "hello", 5);
	tb_pad(&b);
	tb_dir(&b, "./d//e/", 0755);
	tb_link(&b, "s", '2', "../../anything");
	tb_link(&b, "h", '1', "./some/prefix/name.txt");
	tb_end(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);
	assert_non_null(strstr(log_of(&r), "E some/prefix/name.txt t=0 s=5 m=4755 u=1000 "
			       "g=100 t=1234567890.000000000 l= d=0,0\n"));
	assert_non_null(strstr(log_of(&r), "E d/e t=1 s=0 m=755"));
	assert_non_null(strstr(log_of(&r), "E s t=2 s=0 m=777 u=0 g=0 t=1700000000.000000000 "
			       "l=../../anything"));
	assert_non_null(strstr(log_of(&r), "E h t=3 s=0 m=777 u=0 g=0 t=1700000000.000000000 "
			       "l=some/prefix/name.txt"));
	assert_int_equal(r.last_data.len, 0);   /* the last entry (a link) had no data */
	rec_free(&r);
	tb_free(&b);
}

static void test_v7_and_types(void **state)
{
	struct tb b = { 0 };
	struct tb_hdr v7 = { .name = "old/", .v7 = 1, .mode = 0700 };
	struct tb_hdr chr = { .name = "dev/null", .type = '3', .mode = 0666 };
	struct tb_hdr fifo = { .name = "p", .type = '6' };
	struct tb_hdr contig = { .name = "c", .type = '7', .size = 3 };
	struct tb_hdr dir_sized = { .name = "ds", .type = '5', .size = 700 };
	uint8_t h[512];
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_hdr(&b, &v7);                 /* v7 regular file ending in '/' = dir */
	tb_fill(h, &chr);
	memcpy(h + 329, "0000001", 7);   /* devmajor 1 */
	memcpy(h + 337, "     3 ", 7);   /* devminor 3, space padded */
	tb_sum(h);
	tb_put(&b, h, 512);
	tb_hdr(&b, &fifo);
	tb_hdr(&b, &contig);
	tb_put(&b, "abc", 3);
	tb_pad(&b);
	tb_hdr(&b, &dir_sized);          /* no data follows a directory */
	tb_file(&b, "after", "z", 0644);
	tb_end(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);
	assert_non_null(strstr(log_of(&r), "E old t=1 s=0 m=700"));
	assert_non_null(strstr(log_of(&r), "E dev/null t=4 s=0 m=666"));
	assert_non_null(strstr(log_of(&r), "d=1,3\n"));
	assert_non_null(strstr(log_of(&r), "E p t=6 "));
	assert_non_null(strstr(log_of(&r), "E c t=0 s=3 "));
	assert_non_null(strstr(log_of(&r), "E ds t=1 s=0 "));
	assert_non_null(strstr(log_of(&r), "E after t=0 s=1 "));
	rec_free(&r);
	tb_free(&b);
}

static void test_gnu_long(void **state)
{
	char name[3000], target[2000];
	char want[3100];
	struct tb b = { 0 };
	struct tb_hdr sl = { .name = "trunc", .type = '2', .link = "short" };
	struct rec r;
	struct err e = { 0 };

	(void)state;
	memset(name, 'n', sizeof(name));
	memcpy(name + 1000, "/", 1);
	name[sizeof(name) - 1] = 0;
	memset(target, 't', sizeof(target));
	target[sizeof(target) - 1] = 0;
	tb_long(&b, 'L', name);
	tb_file(&b, "ignored", "data", 0600);
	tb_long(&b, 'L', "sym");
	tb_long(&b, 'K', target);
	tb_hdr(&b, &sl);
	tb_end(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);
	snprintf(want, sizeof(want), "E %s t=0 s=4 m=600", name);
	assert_non_null(strstr(log_of(&r), want));
	snprintf(want, sizeof(want), "E sym t=2 s=0 m=644 u=0 g=0 t=0.000000000 l=%s ", target);
	assert_non_null(strstr(log_of(&r), want));
	rec_free(&r);
	tb_free(&b);
}

static void test_pax(void **state)
{
	struct tb b = { 0 }, body = { 0 }, g = { 0 };
	static const uint8_t bin[] = { 'a', 0, '\n', 'b' };
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_rec(&g, "path", "global/ignored", 14);
	tb_pax(&b, 'g', &g);
	tb_rec(&body, "path", "pax/long/path=with=equals", 25);
	tb_rec(&body, "size", "7", 1);
	tb_rec(&body, "uid", "4000000000", 10);
	tb_rec(&body, "gid", "65534", 5);
	tb_rec(&body, "mtime", "1700000000.123456789123", 23);
	tb_rec(&body, "atime", "whatever", 8);
	tb_rec(&body, "SCHILY.xattr.user.bin", bin, sizeof(bin));
	tb_rec(&body, "SCHILY.xattr.trusted.t", "tv", 2);
	tb_rec(&body, "LIBARCHIVE.xattr.user.%41b", "aGVsbG8", 7);  /* "hello" */
	tb_pax(&b, 'x', &body);
	tb_file(&b, "short", "1234567", 0640);  /* ustar size 7 too */
	tb_free(&body);
	tb_rec(&body, "linkpath", "/abs/target", 11);
	tb_rec(&body, "mtime", "-1.25", 5);
	tb_pax(&b, 'x', &body);
	tb_link(&b, "sym", '2', "short");
	tb_end(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);
	assert_non_null(strstr(log_of(&r), "E pax/long/path=with=equals t=0 s=7 m=640 "
			       "u=4000000000 g=65534 t=1700000000.123456789 l= d=0,0 "
			       "x:user.bin=a\\x00\\x0ab x:trusted.t=tv x:user.Ab=hello\n"));
	assert_non_null(strstr(log_of(&r), "E sym t=2 s=0 m=777 u=0 g=0 "
			       "t=-2.750000000 l=/abs/target d=0,0\n"));
	assert_null(strstr(log_of(&r), "global"));
	rec_free(&r);
	tb_free(&b);
	tb_free(&body);
	tb_free(&g);
}

static void test_base256(void **state)
{
	struct tb b = { 0 };
	struct tb_hdr x = { .name = "f", .size = 0 };
	uint8_t h[512];
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_fill(h, &x);
	memset(h + 124, 0, 12);
	h[124] = 0x80;
	h[135] = 3;                       /* size 3 */
	memset(h + 108, 0, 8);
	h[108] = 0x80;
	h[114] = 0x01;
	h[115] = 0x02;                    /* uid 258 */
	memset(h + 136, 0xff, 12);        /* mtime -1 */
	tb_sum(h);
	tb_put(&b, h, 512);
	tb_put(&b, "xyz", 3);
	tb_pad(&b);
	tb_end(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);
	assert_non_null(strstr(log_of(&r), "E f t=0 s=3 m=644 u=258 g=0 t=-1.000000000"));
	rec_free(&r);
	tb_free(&b);
}

/* ---- checksums, numbers, end of archive ---------------------------------------- */

static void test_checksum(void **state)
{
	struct tb b = { 0 };
	struct tb_hdr x = { .name = "\xe9t\xe9" };   /* high bytes: signed != unsigned */
	uint8_t h[512];
	int sum = 0, i;
	char tmp[16];
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_fill(h, &x);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (int8_t)h[i];
	snprintf(tmp, sizeof(tmp), "%06o", sum);    /* the signed sum */
	memcpy(h + 148, tmp, 6);
	tb_put(&b, h, 512);
	tb_end(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);
	rec_free(&r);
	b.buf[148] = '7';                           /* now wrong */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "checksum mismatch"));
	assert_non_null(strstr(e.msg, "offset 0"));
	rec_free(&r);
	tb_free(&b);
}

static void test_octal_strict(void **state)
{
	static const char *bad[] = { "06x4   ", "0 644  ", "-644   ", "9      " };
	static const char *good[] = { "   644 ", "0000644", "644\0\0\0\0", "       " };
	struct tb_hdr x = { .name = "f" };
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++) {
		struct tb b = { 0 };
		uint8_t h[512];
		struct rec r;
		struct err e = { 0 };
		const char *f = i < 4 ? bad[i] : good[i - 4];

		tb_fill(h, &x);
		memcpy(h + 100, f, 7);
		h[107] = 0;
		tb_sum(h);
		tb_put(&b, h, 512);
		tb_end(&b);
		assert_int_equal(parse(&b, 0, &r, &e, NULL), i < 4 ? -ERR_FORMAT : 0);
		if (i < 4)
			assert_non_null(strstr(e.msg, "bad mode field"));
		rec_free(&r);
		tb_free(&b);
	}
}

static void test_end_of_archive(void **state)
{
	struct tb b = { 0 };
	struct rec r;
	struct err e = { 0 };
	uint8_t junk[512] = { 'J' };

	(void)state;
	tb_file(&b, "f", "x", 0644);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);   /* no marker: lenient */
	rec_free(&r);
	tb_put(&b, (uint8_t[512]){ 0 }, 512);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);   /* lone zero block */
	rec_free(&r);
	tb_file(&b, "late", "y", 0644);                     /* entry after a zero block */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "trailing garbage"));
	rec_free(&r);
	tb_free(&b);
	tb_file(&b, "f", "x", 0644);
	tb_end(&b);
	tb_end(&b);
	tb_put(&b, (uint8_t[100]){ 0 }, 100);               /* zeros, any length */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);
	rec_free(&r);
	tb_put(&b, junk, 1);
	assert_int_equal(parse(&b, 7, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "trailing garbage after the end-of-archive marker"));
	rec_free(&r);
	tb_free(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), 0);   /* empty input */
	rec_free(&r);
}

static void test_truncated(void **state)
{
	struct tb b = { 0 };
	struct tb_hdr x = { .name = "big", .size = 4096 };
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_file(&b, "f", "x", 0644);
	tb_put(&b, "partial header", 14);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "truncated header at offset 1024"));
	rec_free(&r);
	tb_free(&b);
	tb_hdr(&b, &x);
	tb_put(&b, "data", 4);
	assert_int_equal(parse(&b, 3, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "tar entry big at offset 0: truncated data: "
			       "expected 4096 bytes, got 4"));
	rec_free(&r);
	tb_free(&b);
	tb_file(&b, "f", "x", 0644);
	b.len -= 100;                                      /* inside the padding */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "truncated padding"));
	rec_free(&r);
	tb_free(&b);
	tb_long(&b, 'L', "long/name");                     /* extension without entry */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "truncated entry after an extended header"));
	rec_free(&r);
	tb_free(&b);
}

/* ---- paths ---------------------------------------------------------------------- */

static void check_path(const char *name, int want_rc, const char *want)
{
	struct tb b = { 0 }, body = { 0 };
	struct rec r;
	struct err e = { 0 };
	char line[512];

	tb_rec(&body, "path", name, strlen(name));
	tb_pax(&b, 'x', &body);
	tb_dir(&b, "placeholder", 0755);
	tb_end(&b);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), want_rc);
	if (want) {
		snprintf(line, sizeof(line), "E %s t=1 ", want);
		assert_non_null(strstr(log_of(&r), line));
	}
	rec_free(&r);
	tb_free(&b);
	tb_free(&body);
}

static void test_paths(void **state)
{
	(void)state;
	check_path("./a//b/./c/", 0, "a/b/c");
	check_path("a", 0, "a");
	check_path("./", 0, ".");
	check_path(".", 0, ".");
	check_path("a/..b/c..", 0, "a/..b/c..");
	check_path("../x", -ERR_UNSAFE, NULL);
	check_path("a/../b", -ERR_UNSAFE, NULL);
	check_path("a/..", -ERR_UNSAFE, NULL);
	check_path("/etc/passwd", -ERR_UNSAFE, NULL);
	check_path("//x", -ERR_UNSAFE, NULL);
}

static void test_bad_names(void **state)
{
	struct tb b = { 0 }, body = { 0 };
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_rec(&body, "path", "a\0b", 3);
	tb_pax(&b, 'x', &body);
	tb_file(&b, "f", "", 0644);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "NUL"));
	rec_free(&r);
	tb_free(&b);
	tb_file(&b, "", "", 0644);                          /* empty name */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "empty path"));
	rec_free(&r);
	tb_free(&b);
	tb_link(&b, "h", '1', "../../etc/passwd");          /* hard link outside */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_UNSAFE);
	rec_free(&r);
	tb_free(&b);
	tb_link(&b, "h", '1', "/etc/passwd");
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_UNSAFE);
	rec_free(&r);
	tb_free(&b);
	tb_link(&b, "s", '2', "");                          /* empty symlink */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	rec_free(&r);
	tb_free(&b);
	tb_file(&b, ".", "", 0644);                         /* non-dir named "." */
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	rec_free(&r);
	tb_free(&b);
	tb_free(&body);
}

/* ---- limits and malformed extensions ------------------------------------------------ */

static void test_size_limits(void **state)
{
	struct tb b = { 0 }, body = { 0 };
	struct tb_hdr x = { .name = "f", .size = 2000 };
	struct tar_limits lim = { .max_size = 1000 };
	uint8_t h[512];
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_hdr(&b, &x);
	assert_int_equal(parse(&b, 0, &r, &e, &lim), -ERR_LIMIT);
	assert_int_equal(r.entries, 0);                     /* refused before the sink */
	rec_free(&r);
	tb_free(&b);
	tb_fill(h, &x);                                     /* base-256 2^62 */
	memset(h + 124, 0, 12);
	h[124] = 0x80;
	h[128] = 0x40;
	tb_sum(h);
	tb_put(&b, h, 512);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_LIMIT);
	assert_non_null(strstr(e.msg, "size 4611686018427387904 exceeds"));
	rec_free(&r);
	tb_free(&b);
	tb_rec(&body, "size", "99999999999999999999999", 23);   /* overflow */
	tb_pax(&b, 'x', &body);
	tb_file(&b, "f", "", 0644);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	rec_free(&r);
	tb_free(&b);
	tb_free(&body);
	x.type = 'x';                                       /* pax header too big */
	x.size = TAR_PAX_MAX + 1;
	tb_hdr(&b, &x);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_LIMIT);
	rec_free(&r);
	tb_free(&b);
}

static void test_pax_malformed(void **state)
{
	static const char *bad[] = {
		"999 path=x\n", "5 a=b", "0 path=x\n", "x path=y\n", "10 path=x\n\n",
		"7 =abc\n", "10 uid=-1\n", "13 mtime=1.x\n", "8 patha\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tb b = { 0 }, body = { 0 };
		struct rec r;
		struct err e = { 0 };

		tb_put(&body, bad[i], strlen(bad[i]));
		tb_pax(&b, 'x', &body);
		tb_file(&b, "f", "", 0644);
		tb_end(&b);
		assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
		rec_free(&r);
		tb_free(&b);
		tb_free(&body);
	}
}

static void test_unsupported_and_dups(void **state)
{
	struct tb b = { 0 }, body = { 0 };
	struct tb_hdr s = { .name = "sparse", .type = 'S' };
	struct rec r;
	struct err e = { 0 };

	(void)state;
	tb_hdr(&b, &s);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "unsupported entry type 'S'"));
	rec_free(&r);
	tb_free(&b);
	tb_rec(&body, "GNU.sparse.major", "1", 1);
	tb_pax(&b, 'x', &body);
	tb_file(&b, "f", "", 0644);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_UNSUPPORTED);
	rec_free(&r);
	tb_free(&b);
	tb_long(&b, 'L', "one");
	tb_long(&b, 'L', "two");
	tb_file(&b, "f", "", 0644);
	assert_int_equal(parse(&b, 0, &r, &e, NULL), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "two 'L' headers"));
	rec_free(&r);
	tb_free(&b);
	tb_free(&body);
}

/* ---- chunking and callbacks ----------------------------------------------------------- */

static void build_mixed(struct tb *b)
{
	struct tb body = { 0 };
	char big[5000];

	memset(big, 'B', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	tb_dir(b, "d/", 0755);
	tb_file(b, "d/big", big, 0644);
	tb_file(b, "d/empty", "", 0600);
	tb_long(b, 'L', "d/a-gnu-long-name-that-is-longer-than-one-hundred-bytes-"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	tb_file(b, "short", "gnu", 0644);
	tb_rec(&body, "path", "d/pax", 5);
	tb_rec(&body, "SCHILY.xattr.user.a", "1", 1);
	tb_pax(b, 'x', &body);
	tb_file(b, "p", "pax data", 0644);
	tb_link(b, "d/s", '2', "big");
	tb_end(b);
	tb_free(&body);
}

static void test_chunking_equal(void **state)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 100, 511, 512, 513, 1023, 4096 };
	struct tb b = { 0 };
	struct rec one, r;
	struct err e = { 0 };
	size_t i;

	(void)state;
	build_mixed(&b);
	assert_int_equal(parse(&b, 0, &one, &e, NULL), 0);
	assert_non_null(strstr(log_of(&one), "X 4999 "));
	assert_non_null(strstr(log_of(&one), "E d/pax t=0 s=8 "));
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		assert_int_equal(parse(&b, chunks[i], &r, &e, NULL), 0);
		assert_string_equal(log_of(&r), log_of(&one));
		rec_free(&r);
	}
	rec_free(&one);
	tb_free(&b);
}

static void test_callback_error_sticky(void **state)
{
	struct tb b = { 0 };
	struct rec r;
	struct err e = { 0 };
	struct tar *t;

	(void)state;
	build_mixed(&b);
	t = tar_new(&r);
	r.fail_at_entry = 2;
	assert_int_equal(tar_feed(t, b.buf, b.len, &e), -ERR_UNSAFE);
	assert_non_null(strstr(e.msg, "tar entry d/big at offset 512: refused by the sink"));
	assert_int_equal(tar_feed(t, b.buf, 1, &e), -ERR_UNSAFE);
	assert_int_equal(tar_finish(t, &e), -ERR_UNSAFE);
	free(t);
	rec_free(&r);
	tb_free(&b);
}

/* Index an archive 512 bytes at a time, skipping data as image/source.c
 * does for a layout on a disk. */
static void test_skip_data(void **state)
{
	struct tb b = { 0 }, body = { 0 };
	char big[1001];
	struct rec r;
	struct err e = { 0 };
	struct tar *t;
	uint64_t pos = 0;

	(void)state;
	memset(big, 'a', 1000);
	big[1000] = 0;
	tb_file(&b, "a", big, 0644);
	tb_file(&b, "b", "", 0644);
	tb_rec(&body, "path", "long/c", 6);
	tb_pax(&b, 'x', &body);
	tb_file(&b, "c", "cc", 0644);
	tb_end(&b);
	t = tar_new(&r);
	while (pos < b.len && !tar_at_end(t)) {
		assert_int_equal(tar_feed(t, b.buf + pos, 512, &e), 0);
		pos += 512;
		pos += tar_skip_data(t);
		assert_int_equal(tar_offset(t), pos);
	}
	assert_true(tar_at_end(t));
	assert_int_equal(pos, b.len);
	assert_int_equal(tar_finish(t, &e), 0);
	assert_true(tar_at_end(t));
	tb_put(&r.log, "", 1);
	assert_non_null(strstr(log_of(&r), "E a t=0 s=1000 "));
	assert_non_null(strstr(log_of(&r), "X 0 cbf29ce484222325\nE b t=0 s=0 "));
	assert_non_null(strstr(log_of(&r), "E long/c t=0 s=2 "));
	assert_int_equal(r.data_len, 0);                   /* no data was fed */
	assert_int_equal(tar_skip_data(t), 0);
	free(t);
	rec_free(&r);
	tb_free(&b);
	tb_free(&body);
}

static void test_printable(void **state)
{
	char out[12];

	(void)state;
	assert_string_equal(text_show(out, sizeof(out), "a\x1b[2Jb", 6), "a?[2Jb");
	assert_string_equal(text_show(out, sizeof(out), "0123456789abcdef", 16),
			    "01234567...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ustar_basic),
		cmocka_unit_test(test_v7_and_types),
		cmocka_unit_test(test_gnu_long),
		cmocka_unit_test(test_pax),
		cmocka_unit_test(test_base256),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_octal_strict),
		cmocka_unit_test(test_end_of_archive),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_pax_malformed),
		cmocka_unit_test(test_unsupported_and_dups),
		cmocka_unit_test(test_chunking_equal),
		cmocka_unit_test(test_callback_error_sticky),
		cmocka_unit_test(test_skip_data),
		cmocka_unit_test(test_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
