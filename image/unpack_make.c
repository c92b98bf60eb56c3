/* unpack_make: create one entry's final component in staging and give it
 * its metadata.  Parents were resolved by unpack.c; every call here works
 * relative to that directory fd and never follows a final symlink. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/unpack_int.h"

/* leaf exists under pfd: keep it (returns 1) if it is a directory and
 * keep_dir, else remove it (returns 0), recursively if a directory. */
static int replace(struct unpack *u, int pfd, const char *leaf, bool keep_dir,
		   struct err *e)
{
	struct stat st;

	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(e, -errno, "stat existing entry");
	if (S_ISDIR(st.st_mode) && keep_dir)
		return 1;
	if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
		u->cache_stale = true;  /* cached parent paths may resolve anew */
	return unpack_remove(pfd, leaf, e);
}

static bool xattr_allowed(const char *name)
{
	return strncmp(name, "user.", 5) == 0 || strncmp(name, "trusted.", 8) == 0 ||
	       strncmp(name, "security.", 9) == 0 ||
	       strcmp(name, "system.posix_acl_access") == 0 ||
	       strcmp(name, "system.posix_acl_default") == 0;
}

/* Set the entry's xattrs on fd, or on `path` (lsetxattr) when fd < 0. */
static int set_xattrs(const struct tar_entry *ent, int fd, const char *path,
		      struct err *e)
{
	char show[96];
	size_t i;

	for (i = 0; i < ent->nxattrs; i++) {
		const struct tar_xattr *x = &ent->xattrs[i];
		int rc;

		if (!xattr_allowed(x->name))
			return err_set(e, -ERR_UNSUPPORTED, "xattr %s: namespace not "
				       "allowed", unpack_show(show, sizeof(show), x->name));
		rc = fd >= 0 ? fsetxattr(fd, x->name, x->value, x->len, 0) :
			       lsetxattr(path, x->name, x->value, x->len, 0);
		if (rc < 0)
			return err_set(e, -errno, "set xattr %s",
				       unpack_show(show, sizeof(show), x->name));
	}
	return 0;
}

static void entry_times(const struct tar_entry *ent, struct timespec ts[2])
{
	ts[0].tv_sec = (time_t)ent->mtime;
	ts[0].tv_nsec = (long)ent->mtime_nsec;
	ts[1] = ts[0];
}

/* Owner, then mode (after chown, which clears setuid/setgid), then xattrs
 * (after chown, which clears security.capability), then mtime. */
static int apply_meta(struct unpack *u, int fd, bool chmod_anyway, bool psgid,
		      bool times, struct err *e)
{
	const struct tar_entry *ent = u->ent;
	struct timespec ts[2];
	int rc;

	if ((ent->uid != u->euid || ent->gid != u->egid || psgid) &&
	    fchown(fd, ent->uid, ent->gid) < 0)
		return err_set(e, -errno, "chown %u:%u", ent->uid, ent->gid);
	if ((chmod_anyway || (ent->mode & 07000) || (ent->mode & u->umask)) &&
	    fchmod(fd, ent->mode) < 0)
		return err_set(e, -errno, "chmod %04o", ent->mode);
	rc = set_xattrs(ent, fd, NULL, e);
	if (rc < 0)
		return rc;
	entry_times(ent, ts);
	if (times && futimens(fd, ts) < 0)
		return err_set(e, -errno, "set mtime");
	return 0;
}

int unpack_make_file(struct unpack *u, int pfd, bool psgid, const char *leaf,
		     struct err *e)
{
	const int flags = O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
	mode_t mode = u->ent->mode & 0777;
	int fd = openat(pfd, leaf, flags, mode), rc;

	if (fd < 0 && errno == EEXIST) {
		rc = replace(u, pfd, leaf, false, e);
		if (rc < 0)
			return rc;
		fd = openat(pfd, leaf, flags, mode);
	}
	if (fd < 0)
		return err_set(e, -errno, "create file");
	u->fd = fd;
	u->fd_psgid = psgid;
	u->skip = false;
	u->st.files++;
	return 0;
}

int unpack_finish_file(struct unpack *u, struct err *e)
{
	int rc = apply_meta(u, u->fd, false, u->fd_psgid, true, e);

	if (close(u->fd) < 0 && rc == 0)
		rc = err_set(e, -errno, "close file");
	u->fd = -1;
	return rc;
}

int unpack_make_dir(struct unpack *u, int pfd, bool psgid, const char *leaf,
		    struct err *e)
{
	const struct tar_entry *ent = u->ent;
	mode_t mode = (ent->mode & 0777) | 0700;
	bool existed = false;
	struct stat st;
	int fd, rc;

	if (mkdirat(pfd, leaf, mode) < 0) {
		if (errno != EEXIST)
			return err_set(e, -errno, "mkdir");
		rc = replace(u, pfd, leaf, true, e);
		if (rc < 0)
			return rc;
		existed = rc == 1;
		if (!existed && mkdirat(pfd, leaf, mode) < 0)
			return err_set(e, -errno, "mkdir");
	}
	fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "open directory");
	rc = fstat(fd, &st) < 0 ? err_set(e, -errno, "stat directory") : 0;
	if (rc == 0)
		rc = apply_meta(u, fd, existed || psgid || (ent->mode & 0700) != 0700,
				psgid, false, e);
	if (rc == 0)
		rc = unpack_add_dir(u, (uint64_t)st.st_ino, ent, e);
	close(fd);
	u->st.dirs += rc == 0;
	return rc;
}

int unpack_make_symlink(struct unpack *u, int pfd, bool psgid, const char *leaf,
			struct err *e)
{
	const struct tar_entry *ent = u->ent;
	struct timespec ts[2];
	char proc[64 + TAR_NAME_MAX];
	int rc;

	if (symlinkat(ent->link, pfd, leaf) < 0) {
		if (errno != EEXIST)
			return err_set(e, -errno, "symlink");
		rc = replace(u, pfd, leaf, false, e);
		if (rc < 0)
			return rc;
		if (symlinkat(ent->link, pfd, leaf) < 0)
			return err_set(e, -errno, "symlink");
	}
	if ((ent->uid != u->euid || ent->gid != u->egid || psgid) &&
	    fchownat(pfd, leaf, ent->uid, ent->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(e, -errno, "chown symlink %u:%u", ent->uid, ent->gid);
	if (ent->nxattrs) {
		rc = snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", pfd, leaf);
		if (rc < 0 || (size_t)rc >= sizeof(proc))
			return err_set(e, -ENAMETOOLONG, "symlink xattr path");
		rc = set_xattrs(ent, -1, proc, e);
		if (rc < 0)
			return rc;
	}
	entry_times(ent, ts);
	if (utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(e, -errno, "set symlink mtime");
	u->st.symlinks++;
	return 0;
}

/* Look the hard link target up under base (staging or rootfs): *tfd gets
 * its parent directory, *st its lstat. */
static int find_target(int base, const char *target, struct stat *st, int *tfd)
{
	const char *slash = strrchr(target, '/');
	char parent[TAR_NAME_MAX + 1];
	int fd;

	if (slash) {
		memcpy(parent, target, (size_t)(slash - target));
		parent[slash - target] = '\0';
		fd = unpack_open_dir(base, parent, unpack_resolve_stage);
	} else {
		fd = openat(base, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		fd = fd < 0 ? -errno : fd;
	}
	if (fd < 0)
		return fd;
	if (fstatat(fd, slash ? slash + 1 : target, st, AT_SYMLINK_NOFOLLOW) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*tfd = fd;
	return 0;
}

static bool absent(int rc)
{
	return rc == -ENOENT || rc == -ENOTDIR || rc == -ELOOP;
}

int unpack_make_hardlink(struct unpack *u, int pfd, const char *leaf, struct err *e)
{
	const char *target = u->ent->link, *slash = strrchr(target, '/');
	const char *tleaf = slash ? slash + 1 : target;
	char show[96];
	struct stat st;
	int tfd = -1, rc;

	rc = find_target(u->stage, target, &st, &tfd);
	if (absent(rc))
		rc = find_target(u->root, target, &st, &tfd);
	if (absent(rc))
		return err_set(e, -ERR_NOTFOUND, "hard link target %s not found",
			       unpack_show(show, sizeof(show), target));
	if (rc < 0)
		return err_set(e, rc, "hard link target %s",
			       unpack_show(show, sizeof(show), target));
	if (S_ISDIR(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		close(tfd);
		return err_set(e, -ERR_UNSAFE, "hard link to a %s refused: %s",
			       S_ISDIR(st.st_mode) ? "directory" : "device",
			       unpack_show(show, sizeof(show), target));
	}
	rc = linkat(tfd, tleaf, pfd, leaf, 0) < 0 ? -errno : 0;
	if (rc == -EEXIST) {
		rc = replace(u, pfd, leaf, false, e);
		if (rc < 0) {
			close(tfd);
			return rc;
		}
		rc = linkat(tfd, tleaf, pfd, leaf, 0) < 0 ? -errno : 0;
	}
	close(tfd);
	if (rc < 0)
		return err_set(e, rc, "link to %s", unpack_show(show, sizeof(show), target));
	u->st.hardlinks++;
	return 0;
}

int unpack_make_fifo(struct unpack *u, int pfd, bool psgid, const char *leaf,
		     struct err *e)
{
	mode_t mode = u->ent->mode & 0777;
	int fd, rc;

	if (mkfifoat(pfd, leaf, mode) < 0) {
		if (errno != EEXIST)
			return err_set(e, -errno, "mkfifo");
		rc = replace(u, pfd, leaf, false, e);
		if (rc < 0)
			return rc;
		if (mkfifoat(pfd, leaf, mode) < 0)
			return err_set(e, -errno, "mkfifo");
	}
	fd = openat(pfd, leaf, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "open fifo");
	rc = apply_meta(u, fd, false, psgid, true, e);
	close(fd);
	u->st.fifos += rc == 0;
	return rc;
}
