/* unpack_int: private state and helpers shared by unpack.c (staging) and
 * unpack_commit.c (whiteouts, merge, removal). */
#ifndef CCG_IMAGE_UNPACK_INT_H
#define CCG_IMAGE_UNPACK_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/tar.h"
#include "image/unpack.h"

/* One directory the layer had an entry for: identified by its staged inode,
 * with the mtime to give it once its children are in place. */
struct unpack_dir {
	uint64_t ino;
	int64_t sec;
	uint32_t nsec;
	uint32_t seq;            /* entry order: the last record of an inode wins */
};

enum { UNPACK_WH_FILE = 'W', UNPACK_WH_OPAQUE = 'O' };

struct unpack {
	int root, stage;         /* borrowed from the caller */
	struct unpack_limits lim;
	struct unpack_stats st;
	uint64_t total;          /* sum of the layer's file sizes so far */
	mode_t umask;
	uid_t euid;
	gid_t egid;
	bool stage_sgid;
	bool dead;               /* committed or aborted */
	/* the last parent directory opened in staging */
	int cache_fd;
	bool cache_sgid, cache_stale;
	size_t cache_len;
	char cache[TAR_NAME_MAX + 1];
	/* the regular file being written */
	int fd;
	bool fd_psgid;           /* its parent directory is setgid */
	const struct tar_entry *ent;
	bool skip;               /* the current entry's data is discarded */
	/* whiteouts: records "<kind byte><path>\0", in entry order */
	uint8_t *wh;
	size_t wh_len, wh_cap, wh_count;
	/* directories of this layer */
	struct unpack_dir *dirs;
	size_t ndirs, dirs_cap;
	/* scratch for xattr copies at commit: list + value */
	char *xbuf;
};

#define UNPACK_XATTR_LIST_MAX 65536
#define UNPACK_XATTR_VALUE_MAX 65536

/* openat2(dirfd, path, O_PATH|O_DIRECTORY|O_CLOEXEC, resolve): a directory
 * fd or -errno (EAGAIN retried a few times). */
int unpack_open_dir(int dirfd, const char *path, uint64_t resolve);

/* Resolve flags: inside staging (symlinks followed, contained) and inside
 * the rootfs for whiteouts (no symlinks at all). */
extern const uint64_t unpack_resolve_stage;
extern const uint64_t unpack_resolve_strict;

/* Remove everything inside the directory fd (not fd itself).  Symlinks are
 * never followed; no recursion, O(1) descriptors, any depth. */
int unpack_clear_dir(int fd, struct err *e);

/* Remove name under dirfd, recursively if it is a directory.  Missing is
 * not an error. */
int unpack_remove(int dirfd, const char *name, struct err *e);

/* Record a directory of this layer (its staged inode and the entry's
 * mtime); -ERR_LIMIT past lim.max_records. */
int unpack_add_dir(struct unpack *u, uint64_t ino, const struct tar_entry *ent,
		   struct err *e);

/* Create u->ent's final component `leaf` under the staged directory pfd
 * (psgid: pfd has the setgid bit).  unpack_make_file() leaves u->fd open
 * for the data; unpack_finish_file() applies the metadata and closes it. */
int unpack_make_file(struct unpack *u, int pfd, bool psgid, const char *leaf,
		     struct err *e);
int unpack_finish_file(struct unpack *u, struct err *e);
int unpack_make_dir(struct unpack *u, int pfd, bool psgid, const char *leaf,
		    struct err *e);
int unpack_make_symlink(struct unpack *u, int pfd, bool psgid, const char *leaf,
			struct err *e);
int unpack_make_hardlink(struct unpack *u, int pfd, const char *leaf, struct err *e);
int unpack_make_fifo(struct unpack *u, int pfd, bool psgid, const char *leaf,
		     struct err *e);

/* Print an untrusted path for a message into a small buffer. */
const char *unpack_show(char *buf, size_t cap, const char *path);

#endif
