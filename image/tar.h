/* tar: a streaming tar parser (ustar, GNU, PAX, v7).  Pure: no I/O, no malloc.
 *
 * The caller allocates a struct tar (about 80 KiB: keep it off small stacks),
 * calls tar_init(), feeds the archive in chunks of any size with tar_feed()
 * and calls tar_finish() at end of input.  The parser reports each entry to
 * ops->entry, the file contents to ops->data (pointers straight into the
 * caller's buffer, never copied) and the end of each entry to ops->entry_end.
 *
 * Formats: ustar (prefix + name), GNU (typeflags 'L'/'K' long names,
 * base-256 numbers), PAX 'x' (path, linkpath, size, uid, gid, mtime with
 * nanoseconds, SCHILY.xattr.*, LIBARCHIVE.xattr.* (URL-encoded name, base64
 * value)), PAX 'g' (accepted and ignored, like containerd), old v7.
 *
 * Choices (strict where formats are ambiguous, lenient where GNU tar is):
 * - The header checksum must match its signed or unsigned byte sum.
 * - Numeric fields: octal, surrounded by optional spaces/NULs, nothing else;
 *   or base-256 (high bit set).  A blank field reads as 0.
 * - Paths are normalised: leading "./" and "//" and "." components dropped,
 *   trailing '/' stripped.  Absolute paths and ".." components are refused
 *   with -ERR_UNSAFE, empty names and NUL bytes with -ERR_FORMAT.  A name
 *   that normalises to nothing ("./") is reported as "." and only as a
 *   directory.  Hard link targets are normalised and checked the same way;
 *   symlink targets are passed raw (non-empty, no NUL).
 * - Typeflags '0', '\0', '7' are regular files ('7' contiguous = regular);
 *   a regular file whose name ends in '/' and has size 0 is a directory
 *   (old convention, as GNU tar).  '1'-'6' as POSIX.  Any other typeflag
 *   (sparse 'S', multi-volume 'M', GNU dump 'D', volume 'V', ...) and PAX
 *   GNU.sparse.* records are refused with -ERR_UNSUPPORTED.
 * - Only regular files carry data: for links, directories, devices and
 *   FIFOs the size field must parse but no data follows (as Go's
 *   archive/tar, which produced most OCI layers); entry->size is then 0.
 * - A second 'x', 'L' or 'K' header before one entry is refused, and so is a
 *   'x'/'L'/'K' header not followed by an entry.
 * - End of archive: two zero blocks; after them only zero bytes may follow
 *   (anything else is -ERR_FORMAT "trailing garbage").  A non-zero block
 *   after a single zero block is also trailing garbage.  End of input right
 *   after an entry (its padding included), or after a single zero block, is
 *   accepted as GNU tar does; end of input inside a header, extended header,
 *   file data or padding is -ERR_FORMAT naming what was truncated.
 * - Sizes above limits.max_size (default TAR_DEFAULT_MAX_SIZE) are refused
 *   with -ERR_LIMIT before any data is read.
 * - Any error is sticky: later tar_feed()/tar_finish() calls fail too.
 */
#ifndef CCG_IMAGE_TAR_H
#define CCG_IMAGE_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TAR_BLOCK 512
#define TAR_NAME_MAX 4096          /* longest path or link target, bytes */
#define TAR_PAX_MAX 65536          /* largest PAX 'x'/'g' header body */
#define TAR_XATTR_MAX 128          /* xattrs on one entry */
#define TAR_DEFAULT_MAX_SIZE (1ull << 40)

enum tar_type {
	TAR_REG,
	TAR_DIR,
	TAR_SYMLINK,
	TAR_HARDLINK,
	TAR_CHR,
	TAR_BLK,
	TAR_FIFO,
};

struct tar_xattr {
	const char *name;       /* NUL-terminated, non-empty, e.g. "user.foo" */
	const uint8_t *value;   /* len bytes, not terminated, may hold NULs */
	size_t len;
};

/* One archive member.  Every pointer stays valid until ops->entry_end
 * returns (the parser does not touch its buffers before the next header). */
struct tar_entry {
	const char *path;       /* normalised, NUL-terminated, never empty */
	const char *link;       /* symlink: raw target; hardlink: normalised
				 * target path; "" for other types */
	enum tar_type type;
	uint64_t size;          /* data bytes that follow (0 unless TAR_REG) */
	uint32_t mode;          /* permission bits, & 07777 */
	uint32_t uid, gid;      /* < 0xffffffff */
	int64_t mtime;          /* seconds since the epoch */
	uint32_t mtime_nsec;    /* from PAX mtime, else 0 */
	uint32_t devmajor, devminor;
	const struct tar_xattr *xattrs;
	size_t nxattrs;
	uint64_t offset;        /* archive offset of the entry's own header */
};

/* Callbacks; each returns 0 or a negative code (and sets e), which aborts
 * tar_feed() and is returned from it unchanged. */
struct tar_ops {
	int (*entry)(void *ctx, const struct tar_entry *ent, struct err *e);
	/* n > 0 bytes of the current entry's data, pointing into the buffer
	 * passed to tar_feed(); called until entry->size bytes were given. */
	int (*data)(void *ctx, const uint8_t *p, size_t n, struct err *e);
	int (*entry_end)(void *ctx, struct err *e);
};

struct tar_limits {
	uint64_t max_size;      /* largest entry size; 0 = the default */
};

/* Private parser state: allocate it, pass it to the functions below, do not
 * read or write its fields.  It points into itself: do not copy it. */
struct tar {
	const struct tar_ops *ops;
	void *ctx;
	uint64_t max_size;
	int state;
	int err;                /* sticky error code */
	unsigned zeros;         /* consecutive zero blocks seen */
	char meta;              /* 'L', 'K', 'x', 'g' while reading one */
	bool open;              /* entry reported, entry_end pending */
	uint64_t off;           /* archive bytes consumed */
	uint64_t hdr_off;       /* offset of the current header */
	uint64_t left;          /* data/meta/skip bytes left */
	uint32_t pad;           /* padding after the data */
	size_t hlen;            /* bytes in hdr */
	size_t mlen;            /* bytes collected in the meta buffer */
	unsigned have;          /* TAR_HAVE_* bits: pending extensions */
	size_t lname_len, llink_len;
	size_t pax_path, pax_path_len, pax_link, pax_link_len; /* offsets */
	uint64_t pax_size, pax_uid, pax_gid;
	int64_t pax_mtime;
	uint32_t pax_nsec;
	size_t nxattrs;
	struct tar_entry ent;
	uint8_t hdr[TAR_BLOCK];
	char lname[TAR_NAME_MAX + 2];
	char llink[TAR_NAME_MAX + 2];
	uint8_t pax[TAR_PAX_MAX + 1];
	char path[TAR_NAME_MAX + 1];
	char link[TAR_NAME_MAX + 1];
	struct tar_xattr xattrs[TAR_XATTR_MAX];
};

/* Reset t to the start of an archive, with the default limits. */
void tar_init(struct tar *t, const struct tar_ops *ops, void *ctx);

/* Change the limits; call after tar_init() and before the first feed.
 * lim NULL or a zero field keeps the default. */
void tar_set_limits(struct tar *t, const struct tar_limits *lim);

/* Consume n bytes (any chunking, n may be 0).  Returns 0, or a negative
 * code with e naming the archive offset, the entry and the cause. */
int tar_feed(struct tar *t, const uint8_t *p, size_t n, struct err *e);

/* End of input.  0 only at an entry boundary (see the choices above). */
int tar_finish(struct tar *t, struct err *e);

/* Archive bytes consumed so far (skipped ones included). */
uint64_t tar_offset(const struct tar *t);

/* true once the end-of-archive marker (two zero blocks) was read. */
bool tar_at_end(const struct tar *t);

/* For a caller that can seek (an index of an archive on a disk): skip the
 * rest of the current entry's data and its padding without feeding them.
 * Call between feeds, typically right after the feed that completed the
 * entry's header.  Calls ops->entry_end (an error there makes the parser
 * fail on the next call) and returns the number of input bytes the caller
 * must skip; 0 when no data is pending (no entry open, or an extended
 * header being read, which must be fed). */
uint64_t tar_skip_data(struct tar *t);


#endif
