/* test_unpack: real unpacks (parser + sink + commit) into a temp dir under
 * /tmp, as root; the hostile corpus from tests/unit/tarcorpus/ (run from the
 * repo root).  Layout of each fixture:  <tmp>/root  <tmp>/stage  <tmp>/outside
 * (a canary next to the rootfs that must never change). */
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
#include <sys/xattr.h>
#include <unistd.h>

#include "image/tar.h"
#include "image/unpack.h"
#include "tests/unit/tar_testlib.h"

#define CORPUS "tests/unit/tarcorpus"
#define ABS_TARGET "/tmp/ccg-hostile-abs"

struct fx {
	char dir[64];
	char path[128];
	int root, stage;
};

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm_rf(const char *p)
{
	nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[160];
	int fd;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ccg-unpack.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(p, sizeof(p), "%s/root", f->dir);
	mkdir(p, 0755);
	f->root = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/stage", f->dir);
	mkdir(p, 0700);
	f->stage = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/outside", f->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/outside/canary", f->dir);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "canary\n", 7) != 7 || f->root < 0 || f->stage < 0)
		return -1;
	close(fd);
	rm_rf(ABS_TARGET);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->root);
	close(f->stage);
	rm_rf(f->dir);
	free(f);
	return 0;
}

static bool dir_is_empty(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY);
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n == 0;
}

/* Nothing outside root/ and stage/ changed. */
static void assert_contained(struct fx *f)
{
	char p[160], buf[64] = { 0 };
	struct stat st;
	int fd, n = 0;
	DIR *d;
	struct dirent *de;

	snprintf(p, sizeof(p), "%s/outside", f->dir);
	d = opendir(p);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	assert_int_equal(n, 1);
	snprintf(p, sizeof(p), "%s/outside/canary", f->dir);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 7);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_nlink, 1);           /* not hard-linked into the root */
	close(fd);
	assert_string_equal(buf, "canary\n");
	assert_int_equal(lstat(ABS_TARGET, &st), -1);
	assert_true(dir_is_empty(f->stage, "."));   /* staging always left empty */
}

/* Unpack one layer: feed in `chunk`-byte pieces (0: 1 MiB), commit if the
 * stream was good, abort otherwise. */
static int run_layer(struct fx *f, const uint8_t *buf, size_t len, size_t chunk,
		     const struct unpack_limits *lim, struct err *e)
{
	struct tar *t = malloc(sizeof(*t));
	struct unpack *u = NULL;
	size_t off = 0;
	int rc;

	assert_non_null(t);
	memset(e, 0, sizeof(*e));
	rc = unpack_open(&u, f->root, f->stage, lim, e);
	if (rc < 0) {
		free(t);
		return rc;
	}
	tar_init(t, &unpack_tar_ops, u);
	chunk = chunk ? chunk : 1u << 20;
	while (rc == 0 && off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		rc = tar_feed(t, buf + off, n, e);
		off += n;
	}
	if (rc == 0)
		rc = tar_finish(t, e);
	if (rc == 0)
		rc = unpack_commit(u, e);
	if (rc < 0)
		unpack_abort(u);
	unpack_free(u);
	free(t);
	return rc;
}

static int run_tb(struct fx *f, struct tb *b, struct err *e)
{
	int rc = run_layer(f, b->buf, b->len, 0, NULL, e);

	tb_free(b);
	return rc;
}

static char *read_at(int dirfd, const char *path)
{
	static char buf[4096];
	int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static struct stat lstat_at(int dirfd, const char *path)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		st.st_mode = 0;
	return st;
}

static bool exists_at(int dirfd, const char *path)
{
	return lstat_at(dirfd, path).st_mode != 0;
}

static void entry(struct tb *b, const char *name, char type, const char *data,
		  unsigned mode, unsigned uid, unsigned gid, long long mtime)
{
	struct tb_hdr x = { .name = name, .type = type, .mode = mode, .uid = uid,
			    .gid = gid, .mtime = mtime };

	if (type == '0')
		x.size = strlen(data);
	else if (type == '1' || type == '2')
		x.link = data;
	tb_hdr(b, &x);
	if (type == '0') {
		tb_put(b, data, strlen(data));
		tb_pad(b);
	}
}

/* ---- normal layers --------------------------------------------------------------- */

static void basic_layer(struct tb *b)
{
	struct tb body = { 0 };

	entry(b, "./", '5', "", 0700, 0, 0, 1);
	entry(b, "etc/", '5', "", 0755, 0, 0, 1600000000);
	entry(b, "etc/passwd", '0', "root:x:0:0\n", 0644, 0, 0, 1600000001);
	entry(b, "home/u/", '5', "", 0750, 1000, 1000, 1600000002);
	tb_rec(&body, "mtime", "1700000000.5", 12);
	tb_rec(&body, "SCHILY.xattr.user.a", "1", 1);
	tb_rec(&body, "SCHILY.xattr.trusted.b", "two", 3);
	tb_pax(b, 'x', &body);
	entry(b, "home/u/f", '0', "user data", 0600, 1000, 1001, 0);
	entry(b, "bin/su", '0', "#!su", 04755, 0, 0, 1600000003);
	entry(b, "bin/sh", '2', "/bin/busybox", 0777, 0, 0, 1600000004);
	entry(b, "bin/su2", '1', "bin/su", 0, 0, 0, 0);
	entry(b, "run/fifo", '6', "", 0600, 5, 6, 1600000005);
	entry(b, "sg/", '5', "", 02775, 0, 50, 1600000006);
	entry(b, "sg/f", '0', "g", 0644, 0, 0, 1600000007);
	entry(b, "sg/d/", '5', "", 0755, 0, 0, 1600000008);
	entry(b, "empty", '0', "", 0444, 0, 0, 1600000009);
	tb_end(b);
	tb_free(&body);
}

static void check_basic(struct fx *f)
{
	struct stat st, st2, rootst;
	char val[16] = { 0 };
	char lnk[160] = { 0 };

	assert_string_equal(read_at(f->root, "etc/passwd"), "root:x:0:0\n");
	st = lstat_at(f->root, "etc");
	assert_int_equal(st.st_mode, S_IFDIR | 0755);
	assert_int_equal(st.st_mtime, 1600000000);
	st = lstat_at(f->root, "home/u");
	assert_int_equal(st.st_mode, S_IFDIR | 0750);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_mtime, 1600000002);
	st = lstat_at(f->root, "home");                      /* implicit parent */
	assert_int_equal(st.st_mode, S_IFDIR | 0755);
	st = lstat_at(f->root, "home/u/f");
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	assert_int_equal(st.st_mtim.tv_sec, 1700000000);
	assert_int_equal(st.st_mtim.tv_nsec, 500000000);
	assert_string_equal(read_at(f->root, "home/u/f"), "user data");
	snprintf(lnk, sizeof(lnk), "%s/root/home/u/f", f->dir);
	assert_int_equal(getxattr(lnk, "user.a", val, sizeof(val)), 1);
	assert_memory_equal(val, "1", 1);
	assert_int_equal(getxattr(lnk, "trusted.b", val, sizeof(val)), 3);
	assert_memory_equal(val, "two", 3);
	st = lstat_at(f->root, "bin/su");
	assert_int_equal(st.st_mode, S_IFREG | 04755);       /* setuid kept */
	st2 = lstat_at(f->root, "bin/su2");
	assert_int_equal(st.st_ino, st2.st_ino);             /* hard link */
	assert_int_equal(st.st_nlink, 2);
	st = lstat_at(f->root, "bin/sh");
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(st.st_mtime, 1600000004);
	assert_int_equal(readlinkat(f->root, "bin/sh", lnk, sizeof(lnk)), 12);
	assert_memory_equal(lnk, "/bin/busybox", 12);
	st = lstat_at(f->root, "run/fifo");
	assert_int_equal(st.st_mode, S_IFIFO | 0600);
	assert_int_equal(st.st_uid, 5);
	assert_int_equal(st.st_gid, 6);
	st = lstat_at(f->root, "sg");
	assert_int_equal(st.st_mode, S_IFDIR | 02775);
	assert_int_equal(st.st_gid, 50);
	st = lstat_at(f->root, "sg/f");
	assert_int_equal(st.st_gid, 0);                      /* not the setgid parent's */
	st = lstat_at(f->root, "sg/d");
	assert_int_equal(st.st_mode, S_IFDIR | 0755);        /* setgid not inherited */
	assert_int_equal(st.st_gid, 0);
	st = lstat_at(f->root, "empty");
	assert_int_equal(st.st_mode, S_IFREG | 0444);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(fstat(f->root, &rootst), 0);
	assert_int_equal(rootst.st_mode & 07777, 0755);      /* "./" ignored */
}

static void test_basic(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 };
	struct err e;

	basic_layer(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	check_basic(f);
	assert_contained(f);
}

static void test_basic_one_byte_chunks(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 };
	struct err e;

	basic_layer(&b);
	assert_int_equal(run_layer(f, b.buf, b.len, 1, NULL, &e), 0);
	tb_free(&b);
	check_basic(f);
}

static void test_stats(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 };
	struct tar t;
	struct unpack *u;
	struct unpack_stats st;
	struct err e = { 0 };

	basic_layer(&b);
	assert_int_equal(unpack_open(&u, f->root, f->stage, NULL, &e), 0);
	tar_init(&t, &unpack_tar_ops, u);
	assert_int_equal(tar_feed(&t, b.buf, b.len, &e), 0);
	assert_int_equal(tar_finish(&t, &e), 0);
	assert_int_equal(unpack_commit(u, &e), 0);
	unpack_get_stats(u, &st);
	assert_int_equal(st.entries, 13);
	assert_int_equal(st.files, 5);
	assert_int_equal(st.dirs, 4);
	assert_int_equal(st.symlinks, 1);
	assert_int_equal(st.hardlinks, 1);
	assert_int_equal(st.fifos, 1);
	assert_int_equal(st.bytes, 11 + 9 + 4 + 1);
	assert_int_equal(unpack_entries(u), 13);
	assert_int_equal(unpack_commit(u, &e), -EINVAL);      /* once only */
	unpack_free(u);
	tb_free(&b);
}

static void test_symlink_xattr(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 }, body = { 0 };
	char p[160], val[8];
	struct err e;

	tb_rec(&body, "SCHILY.xattr.trusted.sl", "v", 1);
	tb_pax(&b, 'x', &body);
	entry(&b, "l", '2', "/nowhere", 0777, 0, 0, 5);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	snprintf(p, sizeof(p), "%s/root/l", f->dir);
	assert_int_equal(lgetxattr(p, "trusted.sl", val, sizeof(val)), 1);
	tb_free(&body);
	tb_rec(&body, "SCHILY.xattr.system.evil", "v", 1);      /* namespace refused */
	tb_pax(&b, 'x', &body);
	entry(&b, "g", '0', "", 0644, 0, 0, 5);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), -ERR_UNSUPPORTED);
	tb_free(&body);
}

/* ---- two layers -------------------------------------------------------------------- */

static void test_whiteouts(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 };
	struct err e;

	entry(&b, "a/", '5', "", 0755, 0, 0, 1);
	entry(&b, "a/x", '0', "x", 0644, 0, 0, 1);
	entry(&b, "a/y", '0', "old", 0644, 0, 0, 1);
	entry(&b, "b/z", '0', "z", 0644, 0, 0, 1);
	entry(&b, "c/d/e", '0', "e", 0644, 0, 0, 1);
	entry(&b, "c/keep", '0', "k", 0644, 0, 0, 1);
	entry(&b, "k/", '5', "", 0755, 0, 0, 1);
	entry(&b, "top", '0', "t", 0644, 0, 0, 1);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	entry(&b, "a/.wh.x", '0', "", 0644, 0, 0, 1);
	entry(&b, "a/y", '0', "new", 0644, 0, 0, 1);       /* same layer as .wh.y */
	entry(&b, "a/.wh.y", '0', "", 0644, 0, 0, 1);
	entry(&b, ".wh.b", '0', "", 0644, 0, 0, 1);
	entry(&b, "c/.wh..wh..opq", '0', "", 0644, 0, 0, 1);
	entry(&b, "c/new", '0', "n", 0644, 0, 0, 1);
	entry(&b, ".wh..wh.plnk", '5', "", 0755, 0, 0, 1);   /* aufs: ignored */
	entry(&b, "nothere/.wh.q", '0', "", 0644, 0, 0, 1);   /* nothing to delete */
	entry(&b, "top/.wh.q", '0', "", 0644, 0, 0, 1);       /* parent not a dir */
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	assert_false(exists_at(f->root, "a/x"));
	assert_string_equal(read_at(f->root, "a/y"), "new");
	assert_false(exists_at(f->root, "b"));
	assert_false(exists_at(f->root, "c/d"));
	assert_false(exists_at(f->root, "c/keep"));
	assert_string_equal(read_at(f->root, "c/new"), "n");
	assert_true(exists_at(f->root, "k"));
	assert_false(exists_at(f->root, ".wh..wh.plnk"));
	assert_false(exists_at(f->root, "a/.wh.x"));
	assert_string_equal(read_at(f->root, "top"), "t");
	assert_contained(f);
}

static void test_whiteout_through_symlink(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 };
	struct err e;

	/* lower: "l -> ../outside"; a whiteout below l must not follow it */
	entry(&b, "l", '2', "../outside", 0777, 0, 0, 1);
	entry(&b, "r", '2', "/", 0777, 0, 0, 1);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	entry(&b, "l/.wh.canary", '0', "", 0644, 0, 0, 1);
	entry(&b, "r/.wh..wh..opq", '0', "", 0644, 0, 0, 1);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	assert_true(S_ISLNK(lstat_at(f->root, "r").st_mode));
	assert_contained(f);
}

static void test_dir_merge_metadata(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 }, body = { 0 };
	char p[160], val[8];
	struct stat st;
	struct err e;

	entry(&b, "p/", '5', "", 0711, 7, 8, 1000);
	entry(&b, "p/old", '0', "o", 0644, 0, 0, 1);
	tb_rec(&body, "SCHILY.xattr.user.old", "1", 1);
	tb_pax(&b, 'x', &body);
	entry(&b, "q/", '5', "", 0755, 0, 0, 1000);
	entry(&b, "q/keep", '0', "k", 0644, 0, 0, 1);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	tb_free(&body);
	entry(&b, "p/new", '0', "n", 0644, 0, 0, 1);        /* implicit p: kept */
	tb_rec(&body, "SCHILY.xattr.user.new", "2", 1);
	tb_pax(&b, 'x', &body);
	entry(&b, "q/", '5', "", 0700, 9, 10, 2000);        /* explicit q: replaced */
	entry(&b, "q/sub/", '5', "", 0750, 0, 0, 3000);     /* new dir, moved whole */
	entry(&b, "q/sub/deeper/", '5', "", 0755, 0, 0, 4000);
	entry(&b, "q/sub/deeper/f", '0', "f", 0644, 0, 0, 1);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	tb_free(&body);
	st = lstat_at(f->root, "p");
	assert_int_equal(st.st_mode, S_IFDIR | 0711);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_gid, 8);
	assert_true(exists_at(f->root, "p/old") && exists_at(f->root, "p/new"));
	st = lstat_at(f->root, "q");
	assert_int_equal(st.st_mode, S_IFDIR | 0700);
	assert_int_equal(st.st_uid, 9);
	assert_int_equal(st.st_mtime, 2000);
	assert_int_equal(lstat_at(f->root, "q/sub").st_mtime, 3000);
	assert_int_equal(lstat_at(f->root, "q/sub/deeper").st_mtime, 4000);
	assert_true(exists_at(f->root, "q/keep"));
	snprintf(p, sizeof(p), "%s/root/q", f->dir);
	assert_int_equal(getxattr(p, "user.new", val, sizeof(val)), 1);
	assert_int_equal(getxattr(p, "user.old", val, sizeof(val)), -1);
	assert_contained(f);
}

static void test_replace_types(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 };
	struct err e;

	entry(&b, "f", '0', "file", 0644, 0, 0, 1);
	entry(&b, "d/x", '0', "x", 0644, 0, 0, 1);
	entry(&b, "s", '2', "d", 0777, 0, 0, 1);
	entry(&b, "data", '0', "lower", 0644, 0, 0, 1);
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	entry(&b, "f/y", '0', "y", 0644, 0, 0, 1);
	entry(&b, "d", '0', "now a file", 0644, 0, 0, 1);
	entry(&b, "s/", '5', "", 0755, 0, 0, 1);
	entry(&b, "s/z", '0', "z", 0644, 0, 0, 1);
	entry(&b, "link", '1', "data", 0, 0, 0, 0);         /* to a lower layer */
	tb_end(&b);
	assert_int_equal(run_tb(f, &b, &e), 0);
	assert_string_equal(read_at(f->root, "f/y"), "y");
	assert_string_equal(read_at(f->root, "d"), "now a file");
	assert_true(S_ISDIR(lstat_at(f->root, "s").st_mode));
	assert_string_equal(read_at(f->root, "s/z"), "z");
	assert_false(exists_at(f->root, "d/x"));
	assert_int_equal(lstat_at(f->root, "link").st_ino, lstat_at(f->root, "data").st_ino);
	assert_contained(f);
}

/* ---- failures, limits ---------------------------------------------------------------- */

static void test_abort_and_limits(void **state)
{
	struct fx *f = *state;
	struct tb b = { 0 };
	struct unpack_limits lim = { .max_entries = 2 };
	struct err e;

	entry(&b, "a", '0', "1", 0644, 0, 0, 1);
	entry(&b, "b", '0', "2", 0644, 0, 0, 1);
	entry(&b, "c", '0', "3", 0644, 0, 0, 1);
	tb_end(&b);
	assert_int_equal(run_layer(f, b.buf, b.len, 0, &lim, &e), -ERR_LIMIT);
	assert_non_null(strstr(e.msg, "tar entry c at offset 2048: more than 2 entries"));
	assert_true(dir_is_empty(f->root, "."));
	lim = (struct unpack_limits){ .max_file_size = 1 };
	assert_int_equal(run_layer(f, b.buf, b.len, 0, &lim, &e), 0);
	lim = (struct unpack_limits){ .max_total_bytes = 2 };
	assert_int_equal(run_layer(f, b.buf, b.len, 0, &lim, &e), -ERR_LIMIT);
	tb_free(&b);
	entry(&b, "a/b/c/d", '0', "x", 0644, 0, 0, 1);
	tb_end(&b);
	lim = (struct unpack_limits){ .max_depth = 3 };
	assert_int_equal(run_layer(f, b.buf, b.len, 0, &lim, &e), -ERR_LIMIT);
	lim = (struct unpack_limits){ .max_file_size = 0, .max_depth = 4 };
	assert_int_equal(run_layer(f, b.buf, b.len, 0, &lim, &e), 0);
	tb_free(&b);
	entry(&b, "big", '0', "0123456789", 0644, 0, 0, 1);
	tb_end(&b);
	lim = (struct unpack_limits){ .max_file_size = 9 };
	assert_int_equal(run_layer(f, b.buf, b.len, 0, &lim, &e), -ERR_LIMIT);
	assert_false(exists_at(f->root, "big"));
	assert_int_equal(run_layer(f, b.buf, b.len - 1024 - 100, 0, NULL, &e), -ERR_FORMAT);
	assert_false(exists_at(f->root, "big"));
	tb_free(&b);
	assert_contained(f);
}

static void test_open_checks(void **state)
{
	struct fx *f = *state;
	struct unpack *u = (struct unpack *)1;
	struct err e = { 0 };
	int inside;

	assert_int_equal(mkdirat(f->root, "st", 0700), 0);
	inside = openat(f->root, "st", O_RDONLY | O_DIRECTORY);
	assert_int_equal(unpack_open(&u, f->root, inside, NULL, &e), -EINVAL);
	assert_null(u);
	assert_int_equal(unpack_open(&u, f->root, f->root, NULL, &e), -EINVAL);
	close(inside);
	assert_int_equal(mkdirat(f->stage, "junk", 0700), 0);
	assert_int_equal(unpack_open(&u, f->root, f->stage, NULL, &e), -ENOTEMPTY);
	unpack_abort(NULL);
	unpack_free(NULL);
}

/* ---- the hostile corpus ---------------------------------------------------------------- */

static void post_symlink_dotdot(struct fx *f)
{
	assert_string_equal(read_at(f->root, "pwned"), "x");   /* neutralised */
	assert_true(S_ISLNK(lstat_at(f->root, "a").st_mode));
}

static void post_symlink_dir_dotdot(struct fx *f)
{
	assert_string_equal(read_at(f->root, "outside/pwned"), "x");
}

static void post_duplicates(struct fx *f)
{
	assert_string_equal(read_at(f->root, "f"), "two");
	assert_string_equal(read_at(f->root, "d"), "file");
	assert_int_equal(lstat_at(f->root, "g").st_mode, S_IFDIR | 0750);
	assert_int_equal(lstat_at(f->root, "h").st_mode, S_IFDIR | 0700);
	assert_string_equal(read_at(f->root, "h/k"), "k");
}

static const struct hostile {
	const char *file;
	int rc;
	void (*post)(struct fx *f);
} hostile[] = {
	{ "absolute.tar", -ERR_UNSAFE, NULL },
	{ "bad_checksum.tar", -ERR_FORMAT, NULL },
	{ "deep.tar", -ERR_LIMIT, NULL },
	{ "device_blk.tar", -ERR_UNSAFE, NULL },
	{ "device_chr.tar", -ERR_UNSAFE, NULL },
	{ "dotdot.tar", -ERR_UNSAFE, NULL },
	{ "dotdot_deep.tar", -ERR_UNSAFE, NULL },
	{ "duplicates.tar", 0, post_duplicates },
	{ "gnu_long_dotdot.tar", -ERR_UNSAFE, NULL },
	{ "hardlink_abs.tar", -ERR_UNSAFE, NULL },
	{ "hardlink_dir.tar", -ERR_UNSAFE, NULL },
	{ "hardlink_dotdot.tar", -ERR_UNSAFE, NULL },
	{ "hardlink_via_symlink.tar", -ERR_NOTFOUND, NULL },
	{ "huge_b256.tar", -ERR_LIMIT, NULL },
	{ "huge_pax.tar", -ERR_LIMIT, NULL },
	{ "lone_zero_then_entry.tar", -ERR_FORMAT, NULL },
	{ "octal_garbage.tar", -ERR_FORMAT, NULL },
	{ "pax_bad_length.tar", -ERR_FORMAT, NULL },
	{ "pax_dotdot.tar", -ERR_UNSAFE, NULL },
	{ "pax_nul_path.tar", -ERR_FORMAT, NULL },
	{ "sparse.tar", -ERR_UNSUPPORTED, NULL },
	{ "symlink_abs_write.tar", -ERR_UNSAFE, NULL },
	{ "symlink_chain.tar", -ERR_UNSAFE, NULL },
	{ "symlink_dir_dotdot.tar", 0, post_symlink_dir_dotdot },
	{ "symlink_dotdot_write.tar", 0, post_symlink_dotdot },
	{ "symlink_replaces_dir.tar", -ERR_UNSAFE, NULL },
	{ "trailing_garbage.tar", -ERR_FORMAT, NULL },
	{ "truncated_data.tar", -ERR_FORMAT, NULL },
	{ "truncated_header.tar", -ERR_FORMAT, NULL },
	{ "whiteout_dotdot.tar", -ERR_UNSAFE, NULL },
	{ "whiteout_parent.tar", -ERR_FORMAT, NULL },
};

static const struct hostile *find_hostile(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		if (strcmp(hostile[i].file, name) == 0)
			return &hostile[i];
	}
	return NULL;
}

static void run_hostile(const struct hostile *h, size_t chunk)
{
	struct fx *f;
	char path[256];
	uint8_t *buf;
	size_t len;
	struct err e;
	int rc;

	assert_int_equal(setup((void **)&f), 0);
	snprintf(path, sizeof(path), "%s/%s", CORPUS, h->file);
	buf = tb_slurp(path, &len);
	if (!buf)
		fail_msg("cannot read %s (run from the repo root)", path);
	rc = run_layer(f, buf, len, chunk, NULL, &e);
	if (rc != h->rc)
		fail_msg("%s: expected %d, got %d (%s)", h->file, h->rc, rc, e.msg);
	if (rc < 0) {
		assert_true(e.msg[0] != 0);
		assert_true(dir_is_empty(f->root, "."));     /* nothing committed */
	}
	if (h->post)
		h->post(f);
	assert_contained(f);
	free(buf);
	teardown((void **)&f);
}

static void test_hostile_corpus(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	size_t n = 0;

	(void)state;
	if (!d)
		fail_msg("cannot open %s (run from the repo root)", CORPUS);
	while ((de = readdir(d))) {
		const struct hostile *h;

		if (de->d_name[0] == '.')
			continue;
		h = find_hostile(de->d_name);
		if (!h)
			fail_msg("%s/%s has no expected outcome in test_unpack.c", CORPUS,
				 de->d_name);
		run_hostile(h, 0);
		run_hostile(h, 1);      /* byte by byte: same outcome */
		n++;
	}
	closedir(d);
	assert_int_equal(n, sizeof(hostile) / sizeof(hostile[0]));
}

static void test_needs_root(void **state)
{
	(void)state;
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_basic_one_byte_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_xattr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteout_through_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_merge_metadata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_and_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_checks, setup, teardown),
		cmocka_unit_test(test_hostile_corpus),
	};

	const struct CMUnitTest not_root[] = { cmocka_unit_test(test_needs_root) };

	if (geteuid() != 0)   /* chown, trusted.* xattrs */
		return cmocka_run_group_tests(not_root, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
