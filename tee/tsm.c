/* tsm: one configfs-tsm report (kernel.md §5.1).  mkdir a unique entry,
 * check its provider, note generation, write the 64-byte inblob in one write
 * and close (the kernel applies it on release), read outblob (and auxblob),
 * check that generation moved by exactly one (nobody else wrote), rmdir. */
#include "tee/tee_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TSM_ROOT "/sys/kernel/config/tsm/report"
#define TSM_OUT_MAX (32 * 1024)
#define TSM_AUX_MAX (16 * 1024)
#define TSM_TEXT_MAX 64

#ifdef CCG_TEST
static tee_tsm_hook tsm_hook;
static void *tsm_hook_ctx;

void tee_test_set_tsm_hook(tee_tsm_hook hook, void *ctx)
{
	tsm_hook = hook;
	tsm_hook_ctx = ctx;
}

static void tsm_stage(enum tee_tsm_stage st, const char *dir)
{
	if (tsm_hook)
		tsm_hook(st, dir, tsm_hook_ctx);
}
#else
#define tsm_stage(st, dir) ((void)0)
#endif

static int attr_path(char *buf, size_t cap, const char *dir, const char *attr)
{
	int n = snprintf(buf, cap, "%s/%s", dir, attr);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* A short text attribute, trailing newline removed. */
static int read_text(const char *dir, const char *attr, char *out, size_t cap,
		     struct err *e)
{
	char path[512];
	struct tee_blob b = { NULL, 0 };
	int rc;

	if (attr_path(path, sizeof(path), dir, attr) < 0)
		return err_set(e, -ENAMETOOLONG, "tsm %s: path too long", attr);
	rc = tee_read_file(path, cap - 1, &b, e);
	if (rc < 0)
		return err_wrap(e, rc, "tsm %s", attr);
	if (b.n > 0 && b.p[b.n - 1] == '\n')
		b.n--;
	memcpy(out, b.p, b.n);
	out[b.n] = '\0';
	free(b.p);
	if (strlen(out) != b.n)
		return err_set(e, -ERR_FORMAT, "tsm %s: contains NUL", attr);
	return 0;
}

static int read_generation(const char *dir, unsigned long *gen, struct err *e)
{
	char t[TSM_TEXT_MAX], *end;
	int rc = read_text(dir, "generation", t, sizeof(t), e);

	if (rc < 0)
		return rc;
	errno = 0;
	*gen = strtoul(t, &end, 10);
	if (t[0] < '0' || t[0] > '9' || *end != '\0' || errno != 0 || *gen > 0xffffffffu)
		return err_set(e, -ERR_FORMAT, "tsm generation: \"%.20s\" is not a number", t);
	return 0;
}

static int write_inblob(const char *dir, const uint8_t inblob[64], struct err *e)
{
	char path[512];
	ssize_t w;
	int fd, rc = 0;

	if (attr_path(path, sizeof(path), dir, "inblob") < 0)
		return err_set(e, -ENAMETOOLONG, "tsm inblob: path too long");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "tsm inblob: open: %s", strerror(errno));
	w = write(fd, inblob, 64);
	if (w != 64)
		rc = err_set(e, w < 0 ? -errno : -EIO, "tsm inblob: write: %s",
			     w < 0 ? strerror(errno) : "short write");
	if (close(fd) < 0 && rc == 0)
		rc = err_set(e, -errno, "tsm inblob: close: %s", strerror(errno));
	return rc;
}

/* mkdir a fresh entry; -ENODEV when there is no configfs-tsm to ask. */
static int make_entry(char *dir, size_t cap, struct err *e)
{
	static unsigned seq;
	char root[256];
	struct timespec ts;
	unsigned i;
	int n;

	if (tee_path(root, sizeof(root), TSM_ROOT) < 0)
		return err_set(e, -ENAMETOOLONG, "tsm: root path too long");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (i = 0; i < 16; i++) {
		n = snprintf(dir, cap, "%s/ccg.%ld.%u.%ld", root, (long)getpid(), seq++,
			     (long)ts.tv_nsec);
		if (n < 0 || (size_t)n >= cap)
			return err_set(e, -ENAMETOOLONG, "tsm: entry path too long");
		if (mkdir(dir, 0700) == 0)
			return 0;
		if (errno == EEXIST)
			continue;
		if (errno == ENOENT || errno == ENXIO || errno == ENOTDIR)
			return err_set(e, -ENODEV, "tsm: no configfs-tsm report provider "
				       "(%s)", strerror(errno));
		return err_set(e, -errno, "tsm: mkdir %s: %s", dir, strerror(errno));
	}
	return err_set(e, -EEXIST, "tsm: no free entry name under %s", root);
}

static int check_provider(const char *dir, const char *want, struct err *e)
{
	char t[TSM_TEXT_MAX];
	int rc = read_text(dir, "provider", t, sizeof(t), e);

	if (rc < 0)
		return rc;
	if (strcmp(t, want) != 0)
		return err_set(e, -ERR_UNSUPPORTED, "tsm: provider is \"%.32s\", expected "
			       "\"%s\"", t, want);
	return 0;
}

static int read_blobs(const char *dir, struct tee_blob *out, struct tee_blob *aux,
		      struct err *e)
{
	char path[512];
	int rc;

	if (attr_path(path, sizeof(path), dir, "outblob") < 0)
		return err_set(e, -ENAMETOOLONG, "tsm outblob: path too long");
	rc = tee_read_file(path, TSM_OUT_MAX, out, e);
	if (rc < 0)
		return err_wrap(e, rc, "tsm outblob");
	if (out->n == 0)
		return err_set(e, -ERR_FORMAT, "tsm outblob: empty");
	if (!aux)
		return 0;
	if (attr_path(path, sizeof(path), dir, "auxblob") < 0)
		return err_set(e, -ENAMETOOLONG, "tsm auxblob: path too long");
	rc = tee_read_file(path, TSM_AUX_MAX, aux, e);
	return rc < 0 ? err_wrap(e, rc, "tsm auxblob") : 0;
}

static int run_entry(const char *dir, const char *provider, const uint8_t inblob[64],
		     struct tee_blob *out, struct tee_blob *aux, struct err *e)
{
	unsigned long g0, g1;
	int rc;

	if ((rc = check_provider(dir, provider, e)) < 0 ||
	    (rc = read_generation(dir, &g0, e)) < 0 ||
	    (rc = write_inblob(dir, inblob, e)) < 0)
		return rc;
	tsm_stage(TEE_TSM_INBLOB, dir);
	if ((rc = read_blobs(dir, out, aux, e)) < 0 ||
	    (rc = read_generation(dir, &g1, e)) < 0)
		return rc;
	if (g1 != g0 + 1)
		return err_set(e, -EBUSY, "tsm: generation went from %lu to %lu: another "
			       "writer raced this report", g0, g1);
	return 0;
}

int tee_tsm_report(const char *provider, const uint8_t inblob[64], struct tee_blob *out,
		   struct tee_blob *aux, struct err *e)
{
	char dir[512];
	int rc;

	out->p = NULL;
	out->n = 0;
	if (aux) {
		aux->p = NULL;
		aux->n = 0;
	}
	rc = make_entry(dir, sizeof(dir), e);
	if (rc < 0)
		return rc;
	tsm_stage(TEE_TSM_MKDIR, dir);
	rc = run_entry(dir, provider, inblob, out, aux, e);
	(void)rmdir(dir);               /* configfs drops the entry; nothing to keep */
	if (rc < 0) {
		free(out->p);
		out->p = NULL;
		out->n = 0;
		if (aux) {
			free(aux->p);
			aux->p = NULL;
			aux->n = 0;
		}
	}
	return rc;
}
