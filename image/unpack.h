/* unpack: the tar sink that writes a layer into a staging directory and
 * commits it into the rootfs (the edge: this module does the I/O).
 *
 * Use: unpack_open(); tar_init(t, &unpack_tar_ops, u); feed the layer; when
 * every check of the layer passed, unpack_commit(); on any failure
 * unpack_abort(); then unpack_free().
 *
 * Staging.  Entries are created under stage_dirfd.  Parent directories are
 * opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a symlink
 * inside the layer is followed but can never lead out of the staging
 * directory (a symlink "a -> ../../.." or "a -> /tmp/x" resolves inside it:
 * neutralised, not refused); the final component is created with *at()
 * calls and O_NOFOLLOW / AT_SYMLINK_NOFOLLOW.  Missing parents are created
 * 0755 root:root, like tar.  A parent that exists but is not a directory
 * (or is a dangling symlink) fails the layer.
 *
 * Entries:
 * - regular files: created O_EXCL|O_NOFOLLOW with their permission bits,
 *   data written straight from the parser's buffer (one write() per chunk
 *   the parser passes); then owner, mode (after chown: setuid/setgid kept),
 *   xattrs and mtime.  fchown is skipped when the owner is already right
 *   (our euid/egid, parent not setgid), fchmod when the creation mode
 *   (minus umask) is already exact.  Directories get owner, mode and xattrs at once, their mtime at
 *   commit (creating children would change it).
 * - symlinks: the target is stored raw (it is only ever resolved inside the
 *   rootfs by later path lookups of ours, or by the workload).
 * - hard links: the target must exist in this layer's staging (looked up
 *   like a parent, RESOLVE_IN_ROOT) or else in the rootfs (a lower layer);
 *   a link to a directory is refused (-ERR_UNSAFE), a missing target is
 *   -ERR_NOTFOUND.  No metadata is applied (the inode is shared).
 * - FIFOs: mkfifoat.  Character and block devices: -ERR_UNSAFE "device
 *   node refused: <path>".
 * - the entry "." (the layer's root directory) is ignored.
 * - duplicates: a later entry replaces an earlier one of the same path
 *   (removed first, recursively if a directory), except that a directory
 *   over a directory keeps the contents and takes the new metadata.
 * - whiteouts (OCI): ".wh.<name>" and ".wh..wh..opq" entries are never
 *   created; they are recorded and applied to the rootfs at commit, before
 *   the merge, so they hide only lower layers' files, never this layer's.
 *   Other ".wh..wh.*" names (aufs metadata) are ignored; ".wh." with an
 *   empty name or a "." / ".." name fails the layer, and so does a ".wh."
 *   name used as a parent directory.
 *
 * Commit: (1) whiteouts, in order, on the rootfs: the path's parents are
 * resolved with RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH (a whiteout below a
 * symlink or a missing directory removes nothing); ".wh.x" removes x
 * (recursively), ".wh..wh..opq" empties the directory.  (2) merge: staging
 * is walked; a staged directory whose rootfs counterpart is a directory
 * (opened O_NOFOLLOW) is merged recursively and then, if the layer had an
 * entry for it, takes the staged owner, mode, xattrs (replacing the old
 * ones) and mtime; anything else replaces its counterpart (removed first,
 * recursively if a directory) by renameat(), O(1) on one filesystem.
 * (3) staging is left empty.  Memory: one bounded whiteout list and one
 * bounded list of the layer's directories (inode and mtime); nothing else
 * grows with the layer.
 */
#ifndef CCG_IMAGE_UNPACK_H
#define CCG_IMAGE_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/tar.h"

struct unpack_limits {           /* a zero field takes its default */
	uint64_t max_file_size;  /* default 1 << 40 */
	uint64_t max_total_bytes;/* sum of file sizes in one layer, 1 << 42 */
	uint64_t max_entries;    /* entries in one layer, 1 << 22 */
	unsigned max_depth;      /* path components, and commit recursion, 128 */
	size_t max_records;      /* whiteouts, and directories, each 1 << 20 */
	size_t max_record_bytes; /* whiteout list bytes, 64 MiB */
};

struct unpack_stats {
	uint64_t entries;        /* every entry the parser reported */
	uint64_t files, dirs, symlinks, hardlinks, fifos, whiteouts;
	uint64_t bytes;          /* file data written */
};

struct unpack;

/* Start a layer.  root_dirfd: the rootfs; stage_dirfd: an empty directory
 * on the same filesystem and not inside the rootfs (all checked: -EXDEV,
 * -EINVAL, -ENOTEMPTY).  Both stay owned by the caller and must stay open
 * until unpack_free().  lim may be NULL (defaults).  *out is set on
 * success; free with unpack_free().  Needs openat2 (Linux >= 5.6). */
int unpack_open(struct unpack **out, int root_dirfd, int stage_dirfd,
		const struct unpack_limits *lim, struct err *e);

/* The tar_ops for the parser; their ctx is the struct unpack *. */
extern const struct tar_ops unpack_tar_ops;

/* Apply whiteouts and merge staging into the rootfs (see above).  Call once,
 * only after the whole layer was fed and verified.  On failure the rootfs
 * may hold part of the layer and must not be used. */
int unpack_commit(struct unpack *u, struct err *e);

/* Remove everything in staging; the layer can no longer be committed.
 * NULL-safe, idempotent. */
void unpack_abort(struct unpack *u);

/* Close what u holds and free it (staging is not cleaned: abort or commit
 * first).  NULL-safe. */
void unpack_free(struct unpack *u);

void unpack_get_stats(const struct unpack *u, struct unpack_stats *st);

/* Entries reported so far (stats.entries). */
uint64_t unpack_entries(const struct unpack *u);

#endif
