/* test_layer: the two-thread layer pipeline (image/layer.c) end to end on
 * blobs built here: uncompressed, gzip (ISA-L) and zstd, large enough to
 * cycle the ring many times.  Every failure path must leave the rootfs
 * untouched, name its cause, and never hang (the decoder thread stops or
 * drains on its own). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include "crypto/sha256.h"
#include "image/layer.h"
#include "tests/unit/tar_testlib.h"

#define BIG (3u << 20)           /* > one ring of 8 x 256 KiB slots */

struct fx {
	char dir[64];
	int root, stage, blobfd;
	struct tb tar;
	uint8_t *blob;
	size_t blob_len;
	struct digest blob_d, diff_d;
	struct layer_in in;
	struct err e;
};

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[128];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ccg-layer.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(p, sizeof(p), "%s/root", f->dir);
	mkdir(p, 0755);
	f->root = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/stage", f->dir);
	mkdir(p, 0700);
	f->stage = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/blob", f->dir);
	f->blobfd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f->root < 0 || f->stage < 0 || f->blobfd < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->root);
	close(f->stage);
	close(f->blobfd);
	nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	tb_free(&f->tar);
	free(f->blob);
	free(f);
	return 0;
}

static void hash(const uint8_t *p, size_t n, struct digest *d)
{
	d->alg = DIGEST_SHA256;
	sha256(p, n, d->hash);
}

/* Deterministic, poorly compressible bytes. */
static void noise(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* A tar with a directory, a small file and a BIG file; `bad_first` puts an
 * escaping entry first. */
static void make_tar(struct fx *f, bool bad_first)
{
	struct tb_hdr big = { .name = "data/big.bin", .size = BIG, .mode = 0644,
			      .mtime = 1700000000 };
	uint8_t *data = malloc(BIG);

	assert_non_null(data);
	if (bad_first)
		tb_file(&f->tar, "../escape", "x\n", 0644);
	tb_dir(&f->tar, "data/", 0755);
	tb_file(&f->tar, "data/hello", "hello\n", 0644);
	noise(data, BIG, 7);
	tb_hdr(&f->tar, &big);
	tb_put(&f->tar, data, BIG);
	tb_pad(&f->tar);
	tb_end(&f->tar);
	free(data);
}

static void compress(struct fx *f, enum decomp_kind comp)
{
	size_t cap = f->tar.len + f->tar.len / 8 + 65536;

	f->blob = malloc(cap);
	assert_non_null(f->blob);
	if (comp == DECOMP_NONE) {
		memcpy(f->blob, f->tar.buf, f->tar.len);
		f->blob_len = f->tar.len;
	} else if (comp == DECOMP_GZIP) {
		struct isal_zstream z;

		isal_deflate_stateless_init(&z);
		z.gzip_flag = IGZIP_GZIP;
		z.end_of_stream = 1;
		z.next_in = f->tar.buf;
		z.avail_in = (uint32_t)f->tar.len;
		z.next_out = f->blob;
		z.avail_out = (uint32_t)cap;
		assert_int_equal(isal_deflate_stateless(&z), COMP_OK);
		f->blob_len = z.total_out;
	} else {
		size_t n = ZSTD_compress(f->blob, cap, f->tar.buf, f->tar.len, 1);

		assert_false(ZSTD_isError(n));
		f->blob_len = n;
	}
}

/* Write the blob at offset 1000 of the file (a layer inside a disk). */
static void prepare(struct fx *f, enum decomp_kind comp, bool bad_first)
{
	make_tar(f, bad_first);
	compress(f, comp);
	hash(f->blob, f->blob_len, &f->blob_d);
	hash(f->tar.buf, f->tar.len, &f->diff_d);
	f->in = (struct layer_in){ .fd = f->blobfd, .off = 1000, .size = f->blob_len,
				   .comp = comp, .blob = &f->blob_d, .diff_id = &f->diff_d };
}

static void write_blob(struct fx *f, const uint8_t *p, size_t n)
{
	assert_int_equal(ftruncate(f->blobfd, 0), 0);
	assert_int_equal(pwrite(f->blobfd, p, n, 1000), (ssize_t)n);
}

static bool root_is_empty(struct fx *f)
{
	DIR *d = fdopendir(dup(f->root));
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n == 0;
}

static void assert_applied(struct fx *f)
{
	struct layer_stats st;
	struct stat sb;
	char buf[16] = { 0 };
	int fd;

	assert_int_equal(layer_apply(&f->in, f->root, f->stage, &st, &f->e), 0);
	assert_int_equal(st.blob_bytes, f->blob_len);
	assert_int_equal(st.tar_bytes, f->tar.len);
	assert_int_equal(st.entries, 3);
	assert_int_equal(fstatat(f->root, "data/big.bin", &sb, 0), 0);
	assert_int_equal(sb.st_size, BIG);
	fd = openat(f->root, "data/hello", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 6);
	close(fd);
	assert_string_equal(buf, "hello\n");
}

static void apply_ok(void **state, enum decomp_kind comp)
{
	struct fx *f = *state;

	prepare(f, comp, false);
	write_blob(f, f->blob, f->blob_len);
	assert_applied(f);
}

static void test_none_ok(void **state) { apply_ok(state, DECOMP_NONE); }
static void test_gzip_ok(void **state) { apply_ok(state, DECOMP_GZIP); }
static void test_zstd_ok(void **state) { apply_ok(state, DECOMP_ZSTD); }

static void expect_fail(struct fx *f, int code, const char *needle)
{
	int rc = layer_apply(&f->in, f->root, f->stage, NULL, &f->e);

	assert_int_equal(rc, code);
	if (!strstr(f->e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", f->e.msg, needle);
	assert_true(root_is_empty(f));
}

/* One byte flipped in the middle of the compressed stream: the decoder or
 * the tar parser fails first, but the blob digest is the named cause. */
static void tampered(void **state, enum decomp_kind comp)
{
	struct fx *f = *state;

	prepare(f, comp, false);
	f->blob[f->blob_len / 2] ^= 0x40;
	write_blob(f, f->blob, f->blob_len);
	expect_fail(f, -ERR_DIGEST, "blob digest mismatch: expected sha256:");
}

static void test_gzip_tampered(void **state) { tampered(state, DECOMP_GZIP); }
static void test_zstd_tampered(void **state) { tampered(state, DECOMP_ZSTD); }
static void test_none_tampered(void **state) { tampered(state, DECOMP_NONE); }

/* A correctly pinned blob whose first entry escapes: the unpacker stops at
 * once and the decoder thread must stop too (no hang, nothing committed). */
static void escape_first(void **state, enum decomp_kind comp)
{
	struct fx *f = *state;

	prepare(f, comp, true);
	write_blob(f, f->blob, f->blob_len);
	expect_fail(f, -ERR_UNSAFE, "escape");
}

static void test_gzip_escape(void **state) { escape_first(state, DECOMP_GZIP); }
static void test_none_escape(void **state) { escape_first(state, DECOMP_NONE); }

static void test_diff_id_mismatch(void **state)
{
	struct fx *f = *state;

	prepare(f, DECOMP_ZSTD, false);
	f->diff_d.hash[0] ^= 1;
	write_blob(f, f->blob, f->blob_len);
	expect_fail(f, -ERR_DIGEST, "diff_id mismatch: expected sha256:");
}

static void test_truncated(void **state)
{
	struct fx *f = *state;

	prepare(f, DECOMP_GZIP, false);
	write_blob(f, f->blob, f->blob_len - 100);
	expect_fail(f, -ERR_FORMAT, "truncated blob");
}

/* The descriptor covers the gzip stream plus trailing junk, and the digest
 * pins exactly that: the decoder must refuse the garbage after the member. */
static void test_gzip_trailing_garbage(void **state)
{
	struct fx *f = *state;
	uint8_t *p;

	prepare(f, DECOMP_GZIP, false);
	p = realloc(f->blob, f->blob_len + 8);
	assert_non_null(p);
	memcpy(p + f->blob_len, "garbage!", 8);
	f->blob = p;
	f->blob_len += 8;
	hash(f->blob, f->blob_len, &f->blob_d);
	f->in.size = f->blob_len;
	write_blob(f, f->blob, f->blob_len);
	expect_fail(f, -ERR_FORMAT, "gzip");
}

/* The tar stops inside a file's data, and is correctly pinned. */
static void test_tar_truncated(void **state)
{
	struct fx *f = *state;

	make_tar(f, false);
	f->tar.len -= 1024 + 4096;
	compress(f, DECOMP_ZSTD);
	hash(f->blob, f->blob_len, &f->blob_d);
	hash(f->tar.buf, f->tar.len, &f->diff_d);
	f->in = (struct layer_in){ .fd = f->blobfd, .off = 1000, .size = f->blob_len,
				   .comp = DECOMP_ZSTD, .blob = &f->blob_d, .diff_id = &f->diff_d };
	write_blob(f, f->blob, f->blob_len);
	expect_fail(f, -ERR_FORMAT, "truncated");
}

/* Many layers in a row: no thread, descriptor or buffer is left behind. */
static void test_repeat(void **state)
{
	struct fx *f = *state;

	prepare(f, DECOMP_GZIP, false);
	write_blob(f, f->blob, f->blob_len);
	for (int i = 0; i < 20; i++)
		assert_applied(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_none_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zstd_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zstd_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_none_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_none_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_id_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_trailing_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tar_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
