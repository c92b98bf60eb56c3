/* util: small I/O helpers shared by the ccguest subcommands (host only). */
#ifndef CCG_HOST_UTIL_H
#define CCG_HOST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Write all n bytes to fd, retrying on EINTR and short writes.  Returns 0
 * or -errno. */
int util_write_all(int fd, const void *p, size_t n);

/* Read the whole regular file `path` (at most max bytes) into a malloc'd,
 * NUL-terminated buffer.  *out is the caller's to free.  Returns 0, -errno,
 * or -ERR_LIMIT (larger than max). */
int util_read_file(int dirfd, const char *path, size_t max, char **out,
		   size_t *len, struct err *e);

/* Parse a whole decimal string into *out (<= max).  Returns false on an
 * empty string, a sign, other characters or overflow. */
bool util_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* The same for decimal or 0x-prefixed hexadecimal (strtoull base 0; no
 * sign, no space, no octal surprises beyond what base 0 reads). */
bool util_parse_num(const char *s, uint64_t max, uint64_t *out);

/* The directory of the running executable ("/x/build"), into buf. */
int util_exe_dir(char *buf, size_t cap, struct err *e);

/* An anonymous file in $TMPDIR (O_TMPFILE, else mkstemp + unlink), O_CLOEXEC:
 * nothing to clean up whatever ends ccguest.  Returns the fd or -errno. */
int util_tmpfile(struct err *e);

/* A whole regular file mapped read-only (1 byte .. max bytes).  Returns 0
 * or -errno / -ERR_LIMIT with "PATH: cause" in e; util_unmap() is NULL-safe. */
struct util_map {
	const uint8_t *p;
	size_t len;
};
int util_map(const char *path, size_t max, struct util_map *m, struct err *e);
void util_unmap(struct util_map *m);

/* Write n bytes to path through a temporary file beside it (mode 0644,
 * fsync'd, then renamed over path): readers see the old file or the whole
 * new one.  Returns 0 or -errno with "PATH: cause" in e. */
int util_write_file_atomic(const char *path, const void *p, size_t n, struct err *e);

/* True when path names an existing regular file. */
bool util_is_file(const char *path);

/* A buffered writer to an fd; matches cpio_sink_fn as obuf_sink(). */
struct obuf {
	int fd;
	const char *what;      /* the output's name, for messages */
	uint8_t *buf;
	size_t len, cap;
	uint64_t total;        /* bytes accepted so far */
};

/* Use fd and a malloc'd buffer of cap bytes.  Returns 0 or -ENOMEM. */
int obuf_init(struct obuf *o, int fd, const char *what, size_t cap);
void obuf_free(struct obuf *o);   /* frees the buffer, not the fd */
int obuf_sink(void *ctx, const void *p, size_t n, struct err *e);
int obuf_flush(struct obuf *o, struct err *e);

/* Copy exactly `size` bytes from the start of regular file `in` to o
 * (copy_file_range when possible, else read/write).  Fails with
 * -ERR_FORMAT when the file ends early ("name: shrank while copying"). */
int obuf_copy_fd(struct obuf *o, int in, uint64_t size, const char *name,
		 struct err *e);

/* Push exactly `size` bytes of `in` (from its start) through a sink. */
int util_stream_fd(int in, uint64_t size, const char *name,
		   int (*sink)(void *, const void *, size_t, struct err *),
		   void *ctx, struct err *e);

#endif
