/* ustar: header blocks of a deterministic POSIX ustar archive.
 *
 * Pure: no I/O, no malloc.  Every header has uid/gid 0, empty user and group
 * names, mtime 0 and the mode given by the caller; the host CLI uses it to
 * write an OCI image layout as the guest's read-only image disk.
 */
#ifndef CCG_HOST_USTAR_H
#define CCG_HOST_USTAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define USTAR_BLOCK 512
#define USTAR_PATH_MAX 255            /* prefix (155) + '/' + name (100) */
#define USTAR_SIZE_MAX 077777777777ULL /* 11 octal digits: 8 GiB - 1 */

enum ustar_type {
	USTAR_FILE = '0',
	USTAR_DIR = '5',
};

/* Fill blk with the header of `path` (relative; for a directory without the
 * trailing '/', which is added here).  Names longer than 100 bytes are split
 * at a '/' into the prefix field.  Returns 0, -ERR_FORMAT (empty name),
 * -ERR_LIMIT (name cannot be split to fit, or size > USTAR_SIZE_MAX). */
int ustar_header(uint8_t blk[USTAR_BLOCK], const char *path,
		 enum ustar_type type, uint32_t perm, uint64_t size,
		 struct err *e);

/* Zero bytes after `size` bytes of data to reach the next block. */
size_t ustar_pad(uint64_t size);

#endif
