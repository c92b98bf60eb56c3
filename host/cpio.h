/* cpio: a deterministic "newc" (SVR4, magic 070701) archive writer.
 *
 * Pure: no I/O, no malloc.  The caller gives fixed storage for the entry
 * table and the names, adds entries in any order (missing parent
 * directories are added with mode 0755), then cpio_write() sorts them by
 * name (bytewise) and streams the archive through a sink callback, asking a
 * data callback for each regular file's bytes.  Every header has uid/gid 0,
 * the given mtime, devmajor/minor 0, nlink 1 (directories 2) and an inode
 * number assigned in output order from 1.  The archive ends with the
 * TRAILER!!! entry and is zero-padded to a multiple of 512 bytes.  The same
 * set of entries gives the same bytes whatever the insertion order.
 */
#ifndef CCG_HOST_CPIO_H
#define CCG_HOST_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define CPIO_NAME_MAX 255     /* bytes of an entry name, without the NUL */
#define CPIO_HDR_LEN 110      /* "070701" + 13 fields of 8 hex digits */
#define CPIO_FILE_MAX 0xffffffffULL
#define CPIO_BLOCK 512

struct cpio_ent {
	const char *name;  /* relative ("lib/modules/x"), points into names */
	uint32_t mode;     /* S_IFREG or S_IFDIR | permissions */
	uint64_t size;     /* file size, 0 for directories */
	const void *src;   /* the caller's handle for the data callback */
};

struct cpio_list {
	struct cpio_ent *ents;
	size_t n, cap;
	char *names;       /* name storage: never moved, so ent.name stays valid */
	size_t names_len, names_cap;
};

/* Use the caller's arrays (ents[cap], names[names_cap]) as storage. */
void cpio_list_init(struct cpio_list *l, struct cpio_ent *ents, size_t cap,
		    char *names, size_t names_cap);

/* Add a directory (perm & 07777) and its missing parents.  Adding an
 * existing directory again is a no-op.  path: relative, '/'-separated, no
 * empty, "." or ".." components, at most CPIO_NAME_MAX bytes.  Errors:
 * -ERR_FORMAT (bad path), -EEXIST (a file has this name), -ERR_LIMIT
 * (storage full). */
int cpio_list_add_dir(struct cpio_list *l, const char *path, uint32_t perm,
		      struct err *e);

/* Add a regular file of `size` bytes (at most CPIO_FILE_MAX) and its missing
 * parent directories.  src is passed back to the data callback.  Errors as
 * for cpio_list_add_dir, and -EEXIST when the name exists already. */
int cpio_list_add_file(struct cpio_list *l, const char *path, uint32_t perm,
		       uint64_t size, const void *src, struct err *e);

struct cpio_hdr {
	uint32_t ino, mode, nlink, mtime, filesize;
};

/* Format the header of one entry, its NUL-terminated name and the padding
 * to 4 bytes into buf.  *len gets the byte count (at most CPIO_HDR_LEN +
 * CPIO_NAME_MAX + 4).  Returns 0, -ERR_FORMAT (empty or too long name) or
 * -ERR_LIMIT (cap too small). */
int cpio_format_header(uint8_t *buf, size_t cap, size_t *len,
		       const struct cpio_hdr *h, const char *name, struct err *e);

/* Zero bytes needed after `off` bytes to reach a multiple of `align`
 * (a power of two). */
size_t cpio_pad(uint64_t off, size_t align);

/* Output callback: take n bytes, return 0 or a negative code. */
typedef int (*cpio_sink_fn)(void *ctx, const void *p, size_t n, struct err *e);
/* Data callback: push exactly ent->size bytes of ent through sink. */
typedef int (*cpio_data_fn)(void *ctx, const struct cpio_ent *ent,
			    cpio_sink_fn sink, void *sink_ctx, struct err *e);

/* Sort l by name and write the whole archive.  Fails with -ERR_FORMAT when a
 * data callback delivers more or fewer bytes than the entry's size, or with
 * the first error of a callback.  On error the output is incomplete. */
int cpio_write(struct cpio_list *l, uint32_t mtime, cpio_sink_fn sink,
	       void *sink_ctx, cpio_data_fn data, void *data_ctx, struct err *e);

#endif
