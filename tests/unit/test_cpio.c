/* Unit tests for host/cpio: the newc initramfs writer.  Archives are written
 * to memory, parsed back by an independent reader below, and compared
 * byte for byte across insertion orders and runs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "host/cpio.h"

/* ---- memory sink and data ------------------------------------------------ */

struct mem {
	uint8_t *p;
	size_t n, cap;
	int fail_after;   /* >0: fail the call with this number */
	int calls;
};

static int mem_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	struct mem *m = ctx;

	if (m->fail_after && ++m->calls >= m->fail_after)
		return err_set(e, -EIO, "sink: injected failure");
	if (m->n + n > m->cap) {
		m->cap = (m->n + n) * 2 + 64;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	memcpy(m->p + m->n, p, n);
	m->n += n;
	return 0;
}

/* src is a NUL-terminated string: the file's content (size = strlen). */
static int str_data(void *ctx, const struct cpio_ent *ent, cpio_sink_fn sink,
		    void *sink_ctx, struct err *e)
{
	const char *s = ent->src;

	(void)ctx;
	return sink(sink_ctx, s, strlen(s), e);
}

/* Delivers one byte too few. */
static int short_data(void *ctx, const struct cpio_ent *ent, cpio_sink_fn sink,
		      void *sink_ctx, struct err *e)
{
	(void)ctx;
	return sink(sink_ctx, ent->src, (size_t)ent->size - 1, e);
}

/* ---- an independent newc reader -------------------------------------------- */

struct rd_ent {
	char name[CPIO_NAME_MAX + 1];
	uint32_t f[13];      /* ino mode uid gid nlink mtime size maj min rmaj rmin namesize check */
	const uint8_t *data;
};

static uint32_t hex8(const uint8_t *p)
{
	char tmp[9];

	memcpy(tmp, p, 8);
	tmp[8] = '\0';
	for (int i = 0; i < 8; i++)
		assert_true((tmp[i] >= '0' && tmp[i] <= '9') || (tmp[i] >= 'A' && tmp[i] <= 'F'));
	return (uint32_t)strtoul(tmp, NULL, 16);
}

/* Parse the whole archive; returns the entry count (trailer excluded). */
static size_t rd_all(const uint8_t *p, size_t n, struct rd_ent *out, size_t max)
{
	size_t off = 0, k = 0;

	for (;;) {
		struct rd_ent ent;

		assert_true(n - off >= CPIO_HDR_LEN);
		assert_memory_equal(p + off, "070701", 6);
		for (int i = 0; i < 13; i++)
			ent.f[i] = hex8(p + off + 6 + 8 * i);
		assert_true(ent.f[11] >= 2 && ent.f[11] <= CPIO_NAME_MAX + 1);
		memcpy(ent.name, p + off + CPIO_HDR_LEN, ent.f[11]);
		assert_int_equal(ent.name[ent.f[11] - 1], '\0');
		assert_int_equal(strlen(ent.name), ent.f[11] - 1);
		off += CPIO_HDR_LEN + ent.f[11];
		off = (off + 3) & ~(size_t)3;
		ent.data = p + off;
		off += ent.f[6];
		off = (off + 3) & ~(size_t)3;
		assert_true(off <= n);
		if (strcmp(ent.name, "TRAILER!!!") == 0)
			break;
		assert_true(k < max);
		out[k++] = ent;
	}
	assert_int_equal(n % CPIO_BLOCK, 0);
	for (; off < n; off++)
		assert_int_equal(p[off], 0);
	return k;
}

/* ---- helpers --------------------------------------------------------------- */

struct fix {
	struct cpio_ent ents[64];
	char names[4096];
	struct cpio_list l;
};

static void fix_init(struct fix *f)
{
	cpio_list_init(&f->l, f->ents, 64, f->names, sizeof(f->names));
}

static void write_ok(struct fix *f, uint32_t mtime, struct mem *m)
{
	struct err e = { 0 };

	memset(m, 0, sizeof(*m));
	assert_int_equal(cpio_write(&f->l, mtime, mem_sink, m, str_data, NULL, &e), 0);
}

static const char *const initrd_names[] = {
	"dev", "init", "lib", "lib/modules", "lib/modules/kernel",
	"lib/modules/kernel/a.ko.xz", "lib/modules/kernel/b", "lib/modules/kernel/b/c.ko.xz",
	"lib/modules/list", "proc",
};

/* Build the same initrd-like tree in one of two orders. */
static void add_tree(struct fix *f, int order)
{
	struct err e = { 0 };

	fix_init(f);
	if (order == 0) {
		assert_int_equal(cpio_list_add_dir(&f->l, "dev", 0755, &e), 0);
		assert_int_equal(cpio_list_add_dir(&f->l, "proc", 0755, &e), 0);
		assert_int_equal(cpio_list_add_file(&f->l, "init", 0755, 6, "#!init", &e), 0);
		assert_int_equal(cpio_list_add_file(&f->l, "lib/modules/kernel/a.ko.xz", 0644, 3, "AAA", &e), 0);
		assert_int_equal(cpio_list_add_file(&f->l, "lib/modules/kernel/b/c.ko.xz", 0644, 1, "C", &e), 0);
		assert_int_equal(cpio_list_add_file(&f->l, "lib/modules/list", 0644, 0, "", &e), 0);
	} else {
		assert_int_equal(cpio_list_add_file(&f->l, "lib/modules/list", 0644, 0, "", &e), 0);
		assert_int_equal(cpio_list_add_file(&f->l, "lib/modules/kernel/b/c.ko.xz", 0644, 1, "C", &e), 0);
		assert_int_equal(cpio_list_add_dir(&f->l, "proc", 0755, &e), 0);
		assert_int_equal(cpio_list_add_file(&f->l, "init", 0755, 6, "#!init", &e), 0);
		assert_int_equal(cpio_list_add_file(&f->l, "lib/modules/kernel/a.ko.xz", 0644, 3, "AAA", &e), 0);
		assert_int_equal(cpio_list_add_dir(&f->l, "dev", 0755, &e), 0);
		assert_int_equal(cpio_list_add_dir(&f->l, "lib/modules", 0755, &e), 0); /* exists: no-op */
	}
}

/* ---- tests ------------------------------------------------------------------ */

static void test_parse_back(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct rd_ent ents[32];
	struct mem m;
	size_t n;

	(void)state;
	add_tree(f, 0);
	write_ok(f, 1700000000u, &m);
	n = rd_all(m.p, m.n, ents, 32);
	assert_int_equal(n, sizeof(initrd_names) / sizeof(initrd_names[0]));
	for (size_t i = 0; i < n; i++) {
		bool dir = S_ISDIR(ents[i].f[1]);

		assert_string_equal(ents[i].name, initrd_names[i]);
		assert_int_equal(ents[i].f[0], i + 1);          /* ino in order */
		assert_int_equal(ents[i].f[2], 0);              /* uid */
		assert_int_equal(ents[i].f[3], 0);              /* gid */
		assert_int_equal(ents[i].f[4], dir ? 2 : 1);    /* nlink */
		assert_int_equal(ents[i].f[5], 1700000000u);    /* mtime */
		for (int k = 7; k <= 10; k++)
			assert_int_equal(ents[i].f[k], 0);      /* dev numbers */
		assert_int_equal(ents[i].f[12], 0);             /* check */
		if (dir)
			assert_int_equal(ents[i].f[1], S_IFDIR | 0755);
	}
	assert_int_equal(ents[1].f[1], S_IFREG | 0755);     /* init */
	assert_int_equal(ents[1].f[6], 6);
	assert_memory_equal(ents[1].data, "#!init", 6);
	assert_int_equal(ents[5].f[1], S_IFREG | 0644);
	assert_memory_equal(ents[5].data, "AAA", 3);
	assert_memory_equal(ents[7].data, "C", 1);
	assert_int_equal(ents[8].f[6], 0);                  /* empty list */
	free(m.p);
	free(f);
}

static void test_deterministic(void **state)
{
	struct fix *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct mem ma, mb, mc;

	(void)state;
	add_tree(a, 0);
	add_tree(b, 1);
	write_ok(a, 0, &ma);
	write_ok(b, 0, &mb);
	assert_int_equal(ma.n, mb.n);
	assert_memory_equal(ma.p, mb.p, ma.n);
	write_ok(a, 0, &mc);            /* the same list again */
	assert_int_equal(ma.n, mc.n);
	assert_memory_equal(ma.p, mc.p, ma.n);
	free(mc.p);
	write_ok(a, 1, &mc);            /* only mtime differs */
	assert_int_equal(ma.n, mc.n);
	assert_memory_not_equal(ma.p, mc.p, ma.n);
	free(ma.p);
	free(mb.p);
	free(mc.p);
	free(a);
	free(b);
}

static void test_header_vector(void **state)
{
	const struct cpio_hdr h = { 1, S_IFREG | 0644, 1, 0x5f5e1000, 5 };
	const char *want = "070701" "00000001" "000081A4" "00000000" "00000000"
			   "00000001" "5F5E1000" "00000005" "00000000" "00000000"
			   "00000000" "00000000" "00000005" "00000000" "init";
	uint8_t buf[CPIO_HDR_LEN + CPIO_NAME_MAX + 8];
	struct err e = { 0 };
	size_t len = 0;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(cpio_format_header(buf, sizeof(buf), &len, &h, "init", &e), 0);
	assert_int_equal(len, 116);     /* 110 + "init\0" = 115, padded to 4 */
	assert_memory_equal(buf, want, 114);
	assert_int_equal(buf[114], 0);
	assert_int_equal(buf[115], 0);
	assert_int_equal(cpio_format_header(buf, 100, &len, &h, "init", &e), -ERR_LIMIT);
	assert_int_equal(cpio_format_header(buf, sizeof(buf), &len, &h, "", &e), -ERR_FORMAT);
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {
		"", "/abs", "a//b", "a/", ".", "..", "a/./b", "a/../b", "../x", "./x", "x/..",
	};
	char longname[CPIO_NAME_MAX + 2];
	struct fix *f = calloc(1, sizeof(*f));
	struct err e = { 0 };

	(void)state;
	fix_init(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cpio_list_add_file(&f->l, bad[i], 0644, 0, "", &e), -ERR_FORMAT);
		assert_int_equal(cpio_list_add_dir(&f->l, bad[i], 0755, &e), -ERR_FORMAT);
	}
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(cpio_list_add_file(&f->l, longname, 0644, 0, "", &e), -ERR_FORMAT);
	longname[CPIO_NAME_MAX] = '\0';  /* exactly the maximum is fine */
	assert_int_equal(cpio_list_add_file(&f->l, longname, 0644, 0, "", &e), 0);
	assert_int_equal(f->l.n, 1);     /* nothing else was added */
	assert_int_equal(cpio_list_add_file(&f->l, "..x/.y/...", 0644, 0, "", &e), 0);
	free(f);
}

static void test_conflicts(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct err e = { 0 };

	(void)state;
	fix_init(f);
	assert_int_equal(cpio_list_add_file(&f->l, "a/b", 0644, 0, "", &e), 0);
	assert_int_equal(cpio_list_add_file(&f->l, "a/b", 0644, 0, "", &e), -EEXIST);
	assert_int_equal(cpio_list_add_dir(&f->l, "a/b", 0755, &e), -EEXIST);
	assert_int_equal(cpio_list_add_file(&f->l, "a/b/c", 0644, 0, "", &e), -EEXIST);
	assert_int_equal(cpio_list_add_file(&f->l, "a", 0644, 0, "", &e), -EEXIST);
	assert_non_null(strstr(e.msg, "a"));
	assert_int_equal(cpio_list_add_dir(&f->l, "a", 0700, &e), 0); /* exists */
	assert_int_equal(f->l.n, 2);
	assert_int_equal(cpio_list_add_file(&f->l, "big", 0644, CPIO_FILE_MAX + 1, "", &e),
			 -ERR_LIMIT);
	free(f);
}

static void test_limits(void **state)
{
	struct cpio_ent ents[3];
	char names[16];
	struct cpio_list l;
	struct err e = { 0 };

	(void)state;
	cpio_list_init(&l, ents, 3, names, sizeof(names));
	assert_int_equal(cpio_list_add_file(&l, "a/b/c", 0644, 0, "", &e), 0);
	assert_int_equal(cpio_list_add_file(&l, "d", 0644, 0, "", &e), -ERR_LIMIT);
	cpio_list_init(&l, ents, 3, names, 8);
	assert_int_equal(cpio_list_add_file(&l, "abcdefgh", 0644, 0, "", &e), -ERR_LIMIT);
}

static void test_size_and_sink_errors(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct err e = { 0 };
	struct mem m = { 0 };

	(void)state;
	fix_init(f);
	assert_int_equal(cpio_list_add_file(&f->l, "x", 0644, 4, "abcd", &e), 0);
	assert_int_equal(cpio_write(&f->l, 0, mem_sink, &m, short_data, NULL, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "expected 4 bytes, got 3"));
	free(m.p);
	memset(&m, 0, sizeof(m));
	m.fail_after = 2;
	assert_int_equal(cpio_write(&f->l, 0, mem_sink, &m, str_data, NULL, &e), -EIO);
	free(m.p);
	free(f);
}

static void test_pad(void **state)
{
	(void)state;
	assert_int_equal(cpio_pad(0, 4), 0);
	assert_int_equal(cpio_pad(1, 4), 3);
	assert_int_equal(cpio_pad(4, 4), 0);
	assert_int_equal(cpio_pad(513, 512), 511);
	assert_int_equal(cpio_pad(1024, 512), 0);
}

static void test_empty_archive(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct rd_ent ents[1];
	struct mem m;

	(void)state;
	fix_init(f);
	write_ok(f, 0, &m);
	assert_int_equal(m.n, 512);
	assert_int_equal(rd_all(m.p, m.n, ents, 1), 0);
	free(m.p);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_back),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_header_vector),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_size_and_sink_errors),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_empty_archive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
