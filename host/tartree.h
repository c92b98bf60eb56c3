/* tartree: an OCI image layout directory as the guest's image disk (host
 * only).  The archive is plain ustar, deterministic (entries sorted by path,
 * uid/gid 0, mtime 0, directories 0755, files 0644), streamed file by file
 * (no whole-file buffering) and ends with two zero blocks, so its size is a
 * multiple of 512.  Only directories and regular files under the layout are
 * taken; a symlink or any other file type is refused, nothing outside the
 * layout is read. */
#ifndef CCG_HOST_TARTREE_H
#define CCG_HOST_TARTREE_H

#include <stdint.h>

#include "base/err.h"

#define TARTREE_DEPTH_MAX 16
#define TARTREE_ENTRIES_MAX 100000

/* Write the layout at `dir` (which must hold oci-layout and index.json) to
 * fd from its current offset.  *bytes gets the archive size.  Returns 0,
 * -errno, -ERR_UNSAFE (symlink or special file), -ERR_LIMIT (too deep, too
 * many entries, name or file too long), -ERR_NOTFOUND (not a layout). */
int tartree_write(const char *dir, int fd, uint64_t *bytes, struct err *e);

#endif
