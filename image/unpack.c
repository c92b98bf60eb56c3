/* unpack: the tar sink, staging side.  See unpack.h for the semantics. */
#include "base/text.h"
#include "image/unpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/unpack_int.h"

#if defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define HAVE_OPENAT2_H 1
#endif
#endif
#ifndef HAVE_OPENAT2_H
struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

const uint64_t unpack_resolve_stage = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
				      RESOLVE_NO_XDEV;
const uint64_t unpack_resolve_strict = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
				       RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

static const char wh_prefix[] = ".wh.";
static const char wh_opaque[] = ".wh..wh..opq";
static const char wh_meta[] = ".wh..wh.";

int unpack_open_dir(int dirfd, const char *path, uint64_t resolve)
{
	struct open_how how;
	int tries;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = resolve;
	for (tries = 0; tries < 16; tries++) {
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

const char *unpack_show(char *buf, size_t cap, const char *path)
{
	return text_show(buf, cap, path, strlen(path));
}

/* ---- open / free ----------------------------------------------------------- */

static void set_limits(struct unpack *u, const struct unpack_limits *lim)
{
	static const struct unpack_limits def = {
		.max_file_size = 1ull << 40, .max_total_bytes = 1ull << 42,
		.max_entries = 1ull << 22, .max_depth = 128,
		.max_records = 1u << 20, .max_record_bytes = 64u << 20,
	};

	u->lim = def;
	if (!lim)
		return;
	if (lim->max_file_size)
		u->lim.max_file_size = lim->max_file_size;
	if (lim->max_total_bytes)
		u->lim.max_total_bytes = lim->max_total_bytes;
	if (lim->max_entries)
		u->lim.max_entries = lim->max_entries;
	if (lim->max_depth)
		u->lim.max_depth = lim->max_depth;
	if (lim->max_records)
		u->lim.max_records = lim->max_records;
	if (lim->max_record_bytes)
		u->lim.max_record_bytes = lim->max_record_bytes;
}

static bool dir_empty(int fd)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	bool empty = true;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return false;
	}
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* true if the directory fd is root or below it (walks ".." upwards). */
static bool below(int fd, const struct stat *root)
{
	int cur = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st, up;
	bool hit = false;
	int i;

	for (i = 0; cur >= 0 && i < 4096; i++) {
		int next;

		if (fstat(cur, &st) < 0)
			break;
		if (st.st_dev == root->st_dev && st.st_ino == root->st_ino) {
			hit = true;
			break;
		}
		next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0 || fstat(next, &up) < 0 ||
		    (up.st_dev == st.st_dev && up.st_ino == st.st_ino)) {
			if (next >= 0)
				close(next);
			break;
		}
		close(cur);
		cur = next;
	}
	if (cur >= 0)
		close(cur);
	return hit;
}

static int check_dirs(int root, int stage, struct stat *ss, struct err *e)
{
	struct stat rs;

	if (fstat(root, &rs) < 0 || fstat(stage, ss) < 0)
		return err_set(e, -errno, "unpack: stat rootfs/staging");
	if (!S_ISDIR(rs.st_mode) || !S_ISDIR(ss->st_mode))
		return err_set(e, -ENOTDIR, "unpack: rootfs or staging is not a directory");
	if (rs.st_dev != ss->st_dev)
		return err_set(e, -EXDEV, "unpack: staging and rootfs are on different "
			       "filesystems");
	if (below(stage, &rs))
		return err_set(e, -EINVAL, "unpack: staging is inside the rootfs");
	if (!dir_empty(stage))
		return err_set(e, -ENOTEMPTY, "unpack: staging directory is not empty");
	return 0;
}

int unpack_open(struct unpack **out, int root_dirfd, int stage_dirfd,
		const struct unpack_limits *lim, struct err *e)
{
	struct unpack *u;
	struct stat ss;
	int rc;

	*out = NULL;
	rc = check_dirs(root_dirfd, stage_dirfd, &ss, e);
	if (rc < 0)
		return rc;
	u = calloc(1, sizeof(*u));
	if (!u)
		return err_set(e, -ENOMEM, "unpack: out of memory");
	set_limits(u, lim);
	u->root = root_dirfd;
	u->stage = stage_dirfd;
	u->fd = -1;
	u->cache_fd = -1;
	u->umask = umask(022);
	umask(u->umask);
	u->euid = geteuid();
	u->egid = getegid();
	u->stage_sgid = (ss.st_mode & S_ISGID) != 0;
	*out = u;
	return 0;
}

void unpack_free(struct unpack *u)
{
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	if (u->cache_fd >= 0)
		close(u->cache_fd);
	free(u->wh);
	free(u->dirs);
	free(u->xbuf);
	free(u);
}

void unpack_get_stats(const struct unpack *u, struct unpack_stats *st)
{
	*st = u->st;
}

uint64_t unpack_entries(const struct unpack *u)
{
	return u ? u->st.entries : 0;
}

/* ---- records --------------------------------------------------------------- */

static int grow(void **buf, size_t *cap, size_t need, size_t unit)
{
	size_t ncap = *cap ? *cap : 4096 / unit;
	void *nb;

	while (ncap < need)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	nb = realloc(*buf, ncap * unit);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static int add_whiteout(struct unpack *u, char kind, const char *a, size_t alen,
			const char *b, struct err *e)
{
	size_t blen = b ? strlen(b) : 0;
	size_t n = 1 + alen + (b && alen ? 1 : 0) + blen + 1;
	uint8_t *p;

	if (u->wh_count >= u->lim.max_records ||
	    n > u->lim.max_record_bytes - u->wh_len)
		return err_set(e, -ERR_LIMIT, "more than %zu whiteouts or %zu bytes of "
			       "them", u->lim.max_records, u->lim.max_record_bytes);
	if (grow((void **)&u->wh, &u->wh_cap, u->wh_len + n, 1) < 0)
		return err_set(e, -ENOMEM, "whiteout list: out of memory");
	p = u->wh + u->wh_len;
	*p++ = (uint8_t)kind;
	memcpy(p, a, alen);
	p += alen;
	if (b && alen)
		*p++ = '/';
	if (b)
		memcpy(p, b, blen);
	p[blen] = '\0';
	u->wh_len += n;
	u->wh_count++;
	u->st.whiteouts++;
	return 0;
}

int unpack_add_dir(struct unpack *u, uint64_t ino, const struct tar_entry *ent,
		   struct err *e)
{
	struct unpack_dir *d;

	if (u->ndirs >= u->lim.max_records)
		return err_set(e, -ERR_LIMIT, "more than %zu directories in one layer",
			       u->lim.max_records);
	if (grow((void **)&u->dirs, &u->dirs_cap, u->ndirs + 1, sizeof(*d)) < 0)
		return err_set(e, -ENOMEM, "directory list: out of memory");
	d = &u->dirs[u->ndirs];
	d->ino = ino;
	d->sec = ent->mtime;
	d->nsec = ent->mtime_nsec;
	d->seq = (uint32_t)u->ndirs;
	u->ndirs++;
	return 0;
}

/* ".wh.<name>" or ".wh..wh..opq" as the last component of path. */
static int whiteout(struct unpack *u, const char *path, size_t plen,
		    const char *leaf, struct err *e)
{
	const char *name = leaf + sizeof(wh_prefix) - 1;
	char show[64];

	if (strcmp(leaf, wh_opaque) == 0)
		return plen ? add_whiteout(u, UNPACK_WH_OPAQUE, path, plen, NULL, e) :
			      add_whiteout(u, UNPACK_WH_OPAQUE, ".", 1, NULL, e);
	if (strncmp(leaf, wh_meta, sizeof(wh_meta) - 1) == 0)
		return 0;       /* aufs metadata: ignored */
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return err_set(e, -ERR_UNSAFE, "bad whiteout name '%s'",
			       unpack_show(show, sizeof(show), leaf));
	return add_whiteout(u, UNPACK_WH_FILE, path, plen, name, e);
}


/* ---- parents --------------------------------------------------------------- */

/* mkdir name (0755) under dirfd unless it exists; open it without
 * following a symlink. */
static int mkdir_one(int dirfd, const char *name)
{
	int fd;

	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat st;
		int rc = -errno;

		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			rc = -ERR_UNSAFE;   /* dangling, or pointing out of staging */
		return rc;
	}
	return fd;
}

/* u->cache[0, cache_len) is missing: create it one component at a time,
 * each prefix resolved as a whole inside staging. */
static int make_parents(struct unpack *u, struct err *e)
{
	char *p = u->cache, show[96];
	size_t n = u->cache_len, start = 0, j;
	int base = -1, fd;

	for (j = 0; j <= n; j++) {
		if (j < n && p[j] != '/')
			continue;
		p[j] = '\0';
		fd = unpack_open_dir(u->stage, p, unpack_resolve_stage);
		if (fd == -ENOENT)
			fd = mkdir_one(base >= 0 ? base : u->stage, p + start);
		if (fd < 0)
			err_set(e, fd, "parent directory %s: %s", unpack_show(show,
				sizeof(show), p), fd == -ERR_UNSAFE ?
				"a symlink that leads nowhere inside the layer" :
				err_str(fd));
		if (j < n)
			p[j] = '/';
		if (base >= 0)
			close(base);
		if (fd < 0)
			return fd;
		base = fd;
		start = j + 1;
	}
	return base;
}

/* An O_PATH fd of the directory path[0, plen) in staging (cached: do not
 * close it); *sgid tells whether it has the setgid bit. */
static int stage_parent(struct unpack *u, const char *path, size_t plen, int *pfd,
			bool *sgid, struct err *e)
{
	char show[96];
	struct stat st;
	int fd;

	if (plen == 0) {
		*pfd = u->stage;
		*sgid = u->stage_sgid;
		return 0;
	}
	if (u->cache_fd < 0 || u->cache_stale || plen != u->cache_len ||
	    memcmp(u->cache, path, plen) != 0) {
		if (u->cache_fd >= 0)
			close(u->cache_fd);
		u->cache_fd = -1;
		memcpy(u->cache, path, plen);
		u->cache[plen] = '\0';
		u->cache_len = plen;
		fd = unpack_open_dir(u->stage, u->cache, unpack_resolve_stage);
		if (fd == -ENOENT)
			fd = make_parents(u, e);
		else if (fd < 0)
			err_set(e, fd, "parent directory %s: %s",
				unpack_show(show, sizeof(show), u->cache), err_str(fd));
		if (fd < 0)
			return fd;
		if (fstat(fd, &st) < 0) {
			close(fd);
			return err_set(e, -errno, "stat parent directory");
		}
		u->cache_fd = fd;
		u->cache_sgid = (st.st_mode & S_ISGID) != 0;
		u->cache_stale = false;
	}
	*pfd = u->cache_fd;
	*sgid = u->cache_sgid;
	return 0;
}

/* ---- tar callbacks ----------------------------------------------------------- */

static bool wh_parent(const char *path, size_t plen)
{
	size_t i;

	for (i = 0; i < plen; i++) {
		if ((i == 0 || path[i - 1] == '/') &&
		    strncmp(path + i, wh_prefix, sizeof(wh_prefix) - 1) == 0)
			return true;
	}
	return false;
}

static int check_entry(struct unpack *u, const struct tar_entry *ent, size_t plen,
		       struct err *e)
{
	const char *p;
	unsigned depth = 1;

	if (u->dead)
		return err_set(e, -EINVAL, "unpack: layer already committed or aborted");
	if (++u->st.entries > u->lim.max_entries)
		return err_set(e, -ERR_LIMIT, "more than %llu entries in one layer",
			       (unsigned long long)u->lim.max_entries);
	for (p = ent->path; (p = strchr(p, '/')); p++)
		depth++;
	if (depth > u->lim.max_depth)
		return err_set(e, -ERR_LIMIT, "path depth %u, limit %u", depth,
			       u->lim.max_depth);
	if (ent->size > u->lim.max_file_size)
		return err_set(e, -ERR_LIMIT, "file size %llu, limit %llu",
			       (unsigned long long)ent->size,
			       (unsigned long long)u->lim.max_file_size);
	if (ent->size > u->lim.max_total_bytes - u->total)
		return err_set(e, -ERR_LIMIT, "layer data exceeds %llu bytes",
			       (unsigned long long)u->lim.max_total_bytes);
	u->total += ent->size;
	if (wh_parent(ent->path, plen))
		return err_set(e, -ERR_FORMAT, "whiteout name used as a directory");
	return 0;
}

static int on_entry(void *ctx, const struct tar_entry *ent, struct err *e)
{
	struct unpack *u = ctx;
	const char *slash = strrchr(ent->path, '/');
	const char *leaf = slash ? slash + 1 : ent->path;
	size_t plen = slash ? (size_t)(slash - ent->path) : 0;
	char show[96];
	bool sgid = false;
	int pfd = -1, rc;

	u->ent = ent;
	u->skip = true;
	rc = check_entry(u, ent, plen, e);
	if (rc < 0 || strcmp(ent->path, ".") == 0)
		return rc;
	if (strncmp(leaf, wh_prefix, sizeof(wh_prefix) - 1) == 0)
		return whiteout(u, ent->path, plen, leaf, e);
	if (ent->type == TAR_CHR || ent->type == TAR_BLK)
		return err_set(e, -ERR_UNSAFE, "device node refused: %s",
			       unpack_show(show, sizeof(show), ent->path));
	rc = stage_parent(u, ent->path, plen, &pfd, &sgid, e);
	if (rc < 0)
		return rc;
	switch (ent->type) {
	case TAR_REG:
		return unpack_make_file(u, pfd, sgid, leaf, e);
	case TAR_DIR:
		return unpack_make_dir(u, pfd, sgid, leaf, e);
	case TAR_SYMLINK:
		return unpack_make_symlink(u, pfd, sgid, leaf, e);
	case TAR_HARDLINK:
		return unpack_make_hardlink(u, pfd, leaf, e);
	case TAR_FIFO:
		return unpack_make_fifo(u, pfd, sgid, leaf, e);
	default:
		return err_set(e, -ERR_UNSUPPORTED, "entry type %d", (int)ent->type);
	}
}

static int on_data(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct unpack *u = ctx;

	if (u->skip)
		return 0;
	while (n > 0) {
		ssize_t w = write(u->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_set(e, w < 0 ? -errno : -EIO, "write file data");
		p += w;
		n -= (size_t)w;
		u->st.bytes += (uint64_t)w;
	}
	return 0;
}

static int on_entry_end(void *ctx, struct err *e)
{
	struct unpack *u = ctx;
	int rc = 0;

	if (u->fd >= 0)
		rc = unpack_finish_file(u, e);
	u->ent = NULL;
	u->skip = true;
	return rc;
}

const struct tar_ops unpack_tar_ops = {
	.entry = on_entry,
	.data = on_data,
	.entry_end = on_entry_end,
};
