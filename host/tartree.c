/* tartree: OCI layout directory -> deterministic ustar (see tartree.h). */
#include "host/tartree.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/ustar.h"
#include "host/util.h"

struct tt_ent {
	char *path;          /* relative to the layout, no trailing '/' */
	bool dir;
};

struct tt {
	const char *root;    /* for messages */
	struct tt_ent *ents;
	size_t n, cap;
};

static int tt_push(struct tt *t, const char *prefix, const char *name,
		   bool dir, struct err *e)
{
	size_t len = strlen(prefix) + strlen(name) + 1;
	char *p;

	if (t->n >= TARTREE_ENTRIES_MAX)
		return err_set(e, -ERR_LIMIT, "%s: more than %d entries", t->root,
			       TARTREE_ENTRIES_MAX);
	if (len > USTAR_PATH_MAX)
		return err_set(e, -ERR_LIMIT, "%s: %s%s: path too long", t->root,
			       prefix, name);
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tt_ent *ne = realloc(t->ents, cap * sizeof(*ne));

		if (!ne)
			return err_set(e, -ENOMEM, "%s: out of memory", t->root);
		t->ents = ne;
		t->cap = cap;
	}
	p = malloc(len + 1);
	if (!p)
		return err_set(e, -ENOMEM, "%s: out of memory", t->root);
	memcpy(p, prefix, strlen(prefix));
	memcpy(p + strlen(prefix), name, strlen(name) + 1);
	t->ents[t->n].path = p;
	t->ents[t->n].dir = dir;
	t->n++;
	return 0;
}

static int tt_walk(struct tt *t, int dirfd, const char *prefix, int depth,
		   struct err *e);

/* One directory entry: record it, and descend into directories. */
static int tt_visit(struct tt *t, int dirfd, const char *prefix,
		    const char *name, int depth, struct err *e)
{
	struct stat st;
	char sub[USTAR_PATH_MAX + 2];
	int rc, fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return err_set(e, -errno, "%s/%s%s: %s", t->root, prefix, name,
			       strerror(errno));
	if (S_ISREG(st.st_mode))
		return tt_push(t, prefix, name, false, e);
	if (!S_ISDIR(st.st_mode))
		return err_set(e, -ERR_UNSAFE, "%s/%s%s: %s refused (only "
			       "directories and regular files)", t->root, prefix,
			       name, S_ISLNK(st.st_mode) ? "symlink" : "special file");
	rc = tt_push(t, prefix, name, true, e);
	if (rc < 0)
		return rc;
	snprintf(sub, sizeof(sub), "%s/", t->ents[t->n - 1].path);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "%s/%s: %s", t->root, sub, strerror(errno));
	return tt_walk(t, fd, sub, depth + 1, e);
}

/* Read the directory dirfd (consumed) whose path is prefix. */
static int tt_walk(struct tt *t, int dirfd, const char *prefix, int depth,
		   struct err *e)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > TARTREE_DEPTH_MAX) {
		close(dirfd);
		return err_set(e, -ERR_LIMIT, "%s/%s: nested deeper than %d",
			       t->root, prefix, TARTREE_DEPTH_MAX);
	}
	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return err_set(e, -errno, "%s/%s: %s", t->root, prefix,
			       strerror(errno));
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = tt_visit(t, dirfd, prefix, de->d_name, depth, e);
	}
	if (rc == 0 && errno != 0)
		rc = err_set(e, -errno, "%s/%s: readdir: %s", t->root, prefix,
			     strerror(errno));
	closedir(d);
	return rc;
}

/* Open the regular file at the relative path under rootfd, refusing a
 * symlink at every component (the tree may change after the walk). */
static int tt_open_beneath(int rootfd, const char *path)
{
	char comp[USTAR_PATH_MAX + 1];
	int fd = rootfd, next;

	for (;;) {
		size_t n = strcspn(path, "/");
		bool last = path[n] == '\0';

		memcpy(comp, path, n);
		comp[n] = '\0';
		next = openat(fd, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			      (last ? 0 : O_DIRECTORY));
		if (fd != rootfd)
			close(fd);
		if (next < 0 || last)
			return next < 0 ? -errno : next;
		fd = next;
		path += n + 1;
	}
}

static int tt_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tt_ent *)a)->path,
		      ((const struct tt_ent *)b)->path);
}

static int tt_write_file(struct tt *t, int rootfd, const char *path,
			 struct obuf *ob, struct err *e)
{
	uint8_t blk[USTAR_BLOCK];
	static const uint8_t zeros[USTAR_BLOCK];
	struct stat st;
	int fd = tt_open_beneath(rootfd, path);
	int rc;

	if (fd < 0)
		return err_set(e, fd, "%s/%s: %s", t->root, path, strerror(-fd));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, -ERR_UNSAFE, "%s/%s: no longer a regular file",
			       t->root, path);
	}
	rc = ustar_header(blk, path, USTAR_FILE, 0644, (uint64_t)st.st_size, e);
	if (rc == 0)
		rc = obuf_sink(ob, blk, sizeof(blk), e);
	if (rc == 0)
		rc = obuf_copy_fd(ob, fd, (uint64_t)st.st_size, path, e);
	if (rc == 0)
		rc = obuf_sink(ob, zeros, ustar_pad((uint64_t)st.st_size), e);
	close(fd);
	return rc;
}

static int tt_write_all(struct tt *t, int rootfd, struct obuf *ob,
			struct err *e)
{
	static const uint8_t zeros[2 * USTAR_BLOCK];
	uint8_t blk[USTAR_BLOCK];
	int rc = 0;

	qsort(t->ents, t->n, sizeof(t->ents[0]), tt_cmp);
	for (size_t i = 0; i < t->n && rc == 0; i++) {
		if (!t->ents[i].dir) {
			rc = tt_write_file(t, rootfd, t->ents[i].path, ob, e);
			continue;
		}
		rc = ustar_header(blk, t->ents[i].path, USTAR_DIR, 0755, 0, e);
		if (rc == 0)
			rc = obuf_sink(ob, blk, sizeof(blk), e);
	}
	if (rc == 0)
		rc = obuf_sink(ob, zeros, sizeof(zeros), e);
	if (rc == 0)
		rc = obuf_flush(ob, e);
	return rc;
}

static int tt_check_layout(struct tt *t, int rootfd, struct err *e)
{
	static const char *const need[] = { "oci-layout", "index.json" };
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		if (fstatat(rootfd, need[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			return err_set(e, -ERR_NOTFOUND, "%s: not an OCI image layout "
				       "(no regular file %s)", t->root, need[i]);
	}
	return 0;
}

int tartree_write(const char *dir, int fd, uint64_t *bytes, struct err *e)
{
	struct tt t = { .root = dir };
	struct obuf ob = { .fd = -1 };
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	*bytes = 0;
	if (rootfd < 0)
		return err_set(e, -errno, "%s: %s", dir, strerror(errno));
	rc = tt_check_layout(&t, rootfd, e);
	if (rc == 0) {
		int walkfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);

		rc = walkfd < 0 ? err_set(e, -errno, "fcntl: %s", strerror(errno))
				: tt_walk(&t, walkfd, "", 0, e);
	}
	if (rc == 0)
		rc = obuf_init(&ob, fd, "image disk", 1024 * 1024) < 0
		     ? err_set(e, -ENOMEM, "out of memory") : 0;
	if (rc == 0)
		rc = tt_write_all(&t, rootfd, &ob, e);
	if (rc == 0)
		*bytes = ob.total;
	obuf_free(&ob);
	for (size_t i = 0; i < t.n; i++)
		free(t.ents[i].path);
	free(t.ents);
	close(rootfd);
	return rc;
}
