/* unpack_commit: whiteouts, the merge of staging into the rootfs, abort,
 * and removal of directory trees.  See unpack.h for the semantics. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/unpack_int.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static bool dots(const char *n)
{
	return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

static bool absent(int rc)
{
	return rc == -ENOENT || rc == -ENOTDIR || rc == -ELOOP;
}

static DIR *open_stream(int fd)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (dfd < 0)
		return NULL;
	d = fdopendir(dfd);
	if (!d)
		close(dfd);
	return d;
}

/* ---- removal ---------------------------------------------------------------- */

/* Remove what can be removed in directory cur; stop at the first non-empty
 * subdirectory and open it into *next. */
static int clear_pass(int cur, int *next)
{
	DIR *d = open_stream(cur);
	struct dirent *de;
	int rc = 0;

	*next = -1;
	if (!d)
		return -errno;
	while (rc == 0 && (de = readdir(d))) {
		if (dots(de->d_name))
			continue;
		if (de->d_type != DT_DIR) {
			if (unlinkat(cur, de->d_name, 0) == 0 || errno == ENOENT)
				continue;
			if (errno != EISDIR) {
				rc = -errno;
				break;
			}
		}
		if (unlinkat(cur, de->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			continue;
		if (errno != ENOTEMPTY && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*next = openat(cur, de->d_name, DIR_FLAGS);
		if (*next < 0)
			rc = -errno;
		break;
	}
	closedir(d);
	return rc;
}

int unpack_clear_dir(int fd, struct err *e)
{
	int cur = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), next, rc = 0;
	unsigned long depth = 0;

	if (cur < 0)
		return err_set(e, -errno, "open directory to empty it");
	for (;;) {
		rc = clear_pass(cur, &next);
		if (rc < 0)
			break;
		if (next >= 0) {
			close(cur);
			cur = next;
			depth++;
			continue;
		}
		if (depth == 0)
			break;
		/* back up: ".." of a directory reached without symlinks */
		next = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (next < 0) {
			rc = -errno;
			break;
		}
		close(cur);
		cur = next;
		depth--;
	}
	close(cur);
	if (rc < 0)
		return err_set(e, rc, "empty directory: %s", err_str(rc));
	return 0;
}

int unpack_remove(int dirfd, const char *name, struct err *e)
{
	int fd, rc;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return err_set(e, -errno, "remove");
	if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return err_set(e, -errno, "remove directory");
	fd = openat(dirfd, name, DIR_FLAGS);
	if (fd < 0)
		return err_set(e, -errno, "open directory to remove");
	rc = unpack_clear_dir(fd, e);
	close(fd);
	if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		rc = err_set(e, -errno, "remove directory");
	return rc;
}

/* ---- the layer's directories ------------------------------------------------- */

static int dir_cmp(const void *a, const void *b)
{
	const struct unpack_dir *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort by inode, keep the last record of each inode. */
static void dirs_prepare(struct unpack *u)
{
	size_t i, o = 0;

	if (u->ndirs == 0)
		return;
	qsort(u->dirs, u->ndirs, sizeof(u->dirs[0]), dir_cmp);
	for (i = 0; i < u->ndirs; i++) {
		if (o > 0 && u->dirs[o - 1].ino == u->dirs[i].ino)
			o--;
		u->dirs[o++] = u->dirs[i];
	}
	u->ndirs = o;
}

static const struct unpack_dir *dir_find(const struct unpack *u, int fd)
{
	size_t lo = 0, hi = u->ndirs;
	struct stat st;

	if (u->ndirs == 0 || fstat(fd, &st) < 0)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->dirs[mid].ino == (uint64_t)st.st_ino)
			return &u->dirs[mid];
		if (u->dirs[mid].ino < (uint64_t)st.st_ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void dir_times(const struct unpack_dir *d, struct timespec ts[2])
{
	ts[0].tv_sec = (time_t)d->sec;
	ts[0].tv_nsec = (long)d->nsec;
	ts[1] = ts[0];
}

/* Give the layer's directories at and below the staged directory fd their
 * recorded mtimes (the subtree is about to move whole).  *rec: fd's own. */
static int fix_times(struct unpack *u, int fd, unsigned depth,
		     const struct unpack_dir **rec, struct err *e)
{
	DIR *d;
	struct dirent *de;
	struct timespec ts[2];
	int rc = 0;

	if (depth > u->lim.max_depth)
		return err_set(e, -ERR_LIMIT, "staged tree deeper than %u", u->lim.max_depth);
	d = open_stream(fd);
	if (!d)
		return err_set(e, -errno, "open staged directory");
	while (rc == 0 && (de = readdir(d))) {
		const struct unpack_dir *sub_rec;
		int sub;

		if (dots(de->d_name) || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		sub = openat(fd, de->d_name, DIR_FLAGS);
		if (sub < 0) {
			rc = errno == ENOTDIR || errno == ELOOP ? 0 :
			     err_set(e, -errno, "open staged directory");
			continue;
		}
		rc = fix_times(u, sub, depth + 1, &sub_rec, e);
		close(sub);
	}
	closedir(d);
	*rec = dir_find(u, fd);
	if (rc == 0 && *rec) {
		dir_times(*rec, ts);
		if (futimens(fd, ts) < 0)
			rc = err_set(e, -errno, "set directory mtime");
	}
	return rc;
}

/* ---- merge ------------------------------------------------------------------- */

/* Replace the rootfs counterpart of a staged entry by renaming it in. */
static int move(int sfd, int rfd, const char *name, struct err *e)
{
	int rc;

	if (renameat(sfd, name, rfd, name) == 0)
		return 0;
	if (errno != EISDIR && errno != ENOTDIR && errno != ENOTEMPTY && errno != EEXIST)
		return err_set(e, -errno, "rename into the rootfs");
	rc = unpack_remove(rfd, name, e);
	if (rc < 0)
		return rc;
	if (renameat(sfd, name, rfd, name) < 0)
		return err_set(e, -errno, "rename into the rootfs");
	return 0;
}

static int move_dir(struct unpack *u, int sfd, int rfd, const char *name,
		    unsigned depth, struct err *e)
{
	const struct unpack_dir *rec = NULL;
	struct timespec ts[2];
	int rc = 0, sub;

	if (u->ndirs) {
		sub = openat(sfd, name, DIR_FLAGS);
		if (sub < 0)
			return err_set(e, -errno, "open staged directory");
		rc = fix_times(u, sub, depth + 1, &rec, e);
		close(sub);
	}
	if (rc == 0)
		rc = move(sfd, rfd, name, e);
	if (rc == 0 && rec) {
		dir_times(rec, ts);
		if (utimensat(rfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
			rc = err_set(e, -errno, "set directory mtime");
	}
	return rc;
}

/* Make the rootfs directory's xattrs those of the staged one. */
static int sync_xattrs(struct unpack *u, int from, int to, struct err *e)
{
	char *list, *val;
	ssize_t n, i, v;

	if (!u->xbuf)
		u->xbuf = malloc(UNPACK_XATTR_LIST_MAX + UNPACK_XATTR_VALUE_MAX);
	if (!u->xbuf)
		return err_set(e, -ENOMEM, "xattr buffer: out of memory");
	list = u->xbuf;
	val = u->xbuf + UNPACK_XATTR_LIST_MAX;
	n = flistxattr(to, list, UNPACK_XATTR_LIST_MAX);
	if (n < 0 && errno != ENOTSUP)
		return err_set(e, -errno, "list xattrs");
	for (i = 0; i < n; i += (ssize_t)strlen(list + i) + 1) {
		if (fremovexattr(to, list + i) < 0 && errno != ENODATA)
			return err_set(e, -errno, "remove xattr");
	}
	n = flistxattr(from, list, UNPACK_XATTR_LIST_MAX);
	if (n < 0 && errno != ENOTSUP)
		return err_set(e, -errno, "list xattrs");
	for (i = 0; i < n; i += (ssize_t)strlen(list + i) + 1) {
		v = fgetxattr(from, list + i, val, UNPACK_XATTR_VALUE_MAX);
		if (v < 0 || fsetxattr(to, list + i, val, (size_t)v, 0) < 0)
			return err_set(e, -errno, "copy xattr");
	}
	return 0;
}

/* A merged directory the layer had an entry for takes its metadata. */
static int merge_meta(struct unpack *u, int ssub, int rsub, struct err *e)
{
	const struct unpack_dir *rec = dir_find(u, ssub);
	struct timespec ts[2];
	struct stat st;
	int rc;

	if (!rec)
		return 0;
	if (fstat(ssub, &st) < 0)
		return err_set(e, -errno, "stat staged directory");
	if (fchown(rsub, st.st_uid, st.st_gid) < 0 || fchmod(rsub, st.st_mode & 07777) < 0)
		return err_set(e, -errno, "set directory owner/mode");
	rc = sync_xattrs(u, ssub, rsub, e);
	if (rc < 0)
		return rc;
	dir_times(rec, ts);
	if (futimens(rsub, ts) < 0)
		return err_set(e, -errno, "set directory mtime");
	return 0;
}

static int merge_dir(struct unpack *u, int sfd, int rfd, unsigned depth, struct err *e);

static int merge_one(struct unpack *u, int sfd, int rfd, struct dirent *de,
		     unsigned depth, struct err *e)
{
	unsigned char type = de->d_type;
	int rsub, ssub, rc;
	struct stat st;

	if (type == DT_UNKNOWN && fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
	if (type != DT_DIR)
		return move(sfd, rfd, de->d_name, e);
	rsub = openat(rfd, de->d_name, DIR_FLAGS);
	if (rsub < 0) {
		if (!absent(-errno))
			return err_set(e, -errno, "open rootfs directory");
		return move_dir(u, sfd, rfd, de->d_name, depth, e);
	}
	ssub = openat(sfd, de->d_name, DIR_FLAGS);
	rc = ssub < 0 ? err_set(e, -errno, "open staged directory") :
	     merge_dir(u, ssub, rsub, depth + 1, e);
	if (rc == 0)
		rc = merge_meta(u, ssub, rsub, e);
	if (ssub >= 0)
		close(ssub);
	close(rsub);
	if (rc == 0 && unlinkat(sfd, de->d_name, AT_REMOVEDIR) < 0)
		rc = err_set(e, -errno, "remove merged staged directory");
	return rc;
}

static int merge_dir(struct unpack *u, int sfd, int rfd, unsigned depth, struct err *e)
{
	char show[64];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > u->lim.max_depth)
		return err_set(e, -ERR_LIMIT, "merge deeper than %u", u->lim.max_depth);
	d = open_stream(sfd);
	if (!d)
		return err_set(e, -errno, "open staged directory");
	while (rc == 0 && (de = readdir(d))) {
		if (!dots(de->d_name))
			rc = merge_one(u, sfd, rfd, de, depth, e);
		if (rc < 0)
			err_wrap(e, rc, "%s", unpack_show(show, sizeof(show), de->d_name));
	}
	closedir(d);
	return rc;
}

/* ---- whiteouts ----------------------------------------------------------------- */

static int whiteout_one(struct unpack *u, char kind, char *path, struct err *e)
{
	char *slash = strrchr(path, '/');
	int fd, rc;

	if (kind == UNPACK_WH_OPAQUE) {
		if (strcmp(path, ".") == 0)
			return unpack_clear_dir(u->root, e);
		fd = unpack_open_dir(u->root, path, unpack_resolve_strict);
		if (fd < 0)
			return absent(fd) ? 0 : err_set(e, fd, "open opaque directory");
		rc = unpack_clear_dir(fd, e);
		close(fd);
		return rc;
	}
	if (!slash)
		return unpack_remove(u->root, path, e);
	*slash = '\0';
	fd = unpack_open_dir(u->root, path, unpack_resolve_strict);
	*slash = '/';
	if (fd < 0)
		return absent(fd) ? 0 : err_set(e, fd, "open whiteout parent");
	rc = unpack_remove(fd, slash + 1, e);
	close(fd);
	return rc;
}

static int apply_whiteouts(struct unpack *u, struct err *e)
{
	char show[96];
	size_t off = 0;
	int rc;

	while (off < u->wh_len) {
		char kind = (char)u->wh[off];
		char *path = (char *)u->wh + off + 1;

		rc = whiteout_one(u, kind, path, e);
		if (rc < 0)
			return err_wrap(e, rc, "whiteout %s", unpack_show(show, sizeof(show), path));
		off += 1 + strlen(path) + 1;
	}
	return 0;
}

/* ---- commit / abort ------------------------------------------------------------ */

int unpack_commit(struct unpack *u, struct err *e)
{
	int rc;

	if (u->dead)
		return err_set(e, -EINVAL, "unpack: commit after commit or abort");
	if (u->fd >= 0)
		return err_set(e, -EINVAL, "unpack: commit with an entry still open");
	u->dead = true;
	if (u->cache_fd >= 0)
		close(u->cache_fd);
	u->cache_fd = -1;
	dirs_prepare(u);
	rc = apply_whiteouts(u, e);
	if (rc == 0)
		rc = merge_dir(u, u->stage, u->root, 1, e);
	if (rc == 0)
		rc = unpack_clear_dir(u->stage, e);
	if (rc < 0)
		return err_wrap(e, rc, "commit layer");
	return 0;
}

void unpack_abort(struct unpack *u)
{
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	if (u->cache_fd >= 0)
		close(u->cache_fd);
	u->fd = -1;
	u->cache_fd = -1;
	u->dead = true;
	u->wh_len = 0;
	u->wh_count = 0;
	u->ndirs = 0;
	(void)unpack_clear_dir(u->stage, NULL);
}
