/* ustar: POSIX.1-1988 ustar headers (see ustar.h).  Layout of the 512-byte
 * block: name[100] mode[8] uid[8] gid[8] size[12] mtime[12] chksum[8]
 * typeflag[1] linkname[100] magic[6]="ustar\0" version[2]="00" uname[32]
 * gname[32] devmajor[8] devminor[8] prefix[155] pad[12].  Numbers are octal,
 * NUL-terminated; the checksum is the byte sum of the block with the
 * checksum field read as spaces, written as 6 digits, NUL, space. */
#include "host/ustar.h"

#include <stdio.h>
#include <string.h>

enum {
	UO_NAME = 0, UO_MODE = 100, UO_UID = 108, UO_GID = 116, UO_SIZE = 124,
	UO_MTIME = 136, UO_CHKSUM = 148, UO_TYPE = 156, UO_MAGIC = 257,
	UO_VERSION = 263, UO_PREFIX = 345,
	UL_NAME = 100, UL_PREFIX = 155,
};

size_t ustar_pad(uint64_t size)
{
	return (size_t)((USTAR_BLOCK - (size % USTAR_BLOCK)) % USTAR_BLOCK);
}

/* Write v as width-1 octal digits and a NUL. */
static void ustar_octal(uint8_t *field, size_t width, uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(width - 1),
		 (unsigned long long)v);
	memcpy(field, tmp, width - 1);
	field[width - 1] = '\0';
}

/* Split full[0..len) into prefix and name; returns 0 or -ERR_LIMIT. */
static int ustar_put_name(uint8_t *blk, const char *full, size_t len)
{
	if (len <= UL_NAME) {
		memcpy(blk + UO_NAME, full, len);
		return 0;
	}
	/* the last '/' that leaves a name of at most 100 bytes and a
	 * prefix of at most 155 */
	for (size_t i = len - 1; i > 0; i--) {
		if (full[i] != '/')
			continue;
		if (i == len - 1)	/* a directory's trailing '/' */
			continue;
		if (len - i - 1 > UL_NAME)
			return -ERR_LIMIT;
		if (i > UL_PREFIX)
			continue;
		memcpy(blk + UO_PREFIX, full, i);
		memcpy(blk + UO_NAME, full + i + 1, len - i - 1);
		return 0;
	}
	return -ERR_LIMIT;
}

static void ustar_checksum(uint8_t *blk)
{
	unsigned sum = 0;

	memset(blk + UO_CHKSUM, ' ', 8);
	for (size_t i = 0; i < USTAR_BLOCK; i++)
		sum += blk[i];
	ustar_octal(blk + UO_CHKSUM, 7, sum);
	blk[UO_CHKSUM + 7] = ' ';
}

int ustar_header(uint8_t blk[USTAR_BLOCK], const char *path,
		 enum ustar_type type, uint32_t perm, uint64_t size,
		 struct err *e)
{
	char full[USTAR_PATH_MAX + 2];
	size_t len = strnlen(path, USTAR_PATH_MAX + 1);

	if (len == 0)
		return err_set(e, -ERR_FORMAT, "tar: empty entry name");
	if (len > USTAR_PATH_MAX || (type == USTAR_DIR && len == USTAR_PATH_MAX))
		return err_set(e, -ERR_LIMIT, "tar: %.64s...: name too long", path);
	if (size > USTAR_SIZE_MAX)
		return err_set(e, -ERR_LIMIT, "tar: %s: %llu bytes, ustar allows at "
			       "most %llu", path, (unsigned long long)size,
			       USTAR_SIZE_MAX);
	memcpy(full, path, len);
	if (type == USTAR_DIR)
		full[len++] = '/';
	memset(blk, 0, USTAR_BLOCK);
	if (ustar_put_name(blk, full, len) < 0)
		return err_set(e, -ERR_LIMIT, "tar: %s: name cannot be split into "
			       "ustar prefix and name", path);
	ustar_octal(blk + UO_MODE, 8, perm & 07777);
	ustar_octal(blk + UO_UID, 8, 0);
	ustar_octal(blk + UO_GID, 8, 0);
	ustar_octal(blk + UO_SIZE, 12, type == USTAR_DIR ? 0 : size);
	ustar_octal(blk + UO_MTIME, 12, 0);
	blk[UO_TYPE] = (uint8_t)type;
	memcpy(blk + UO_MAGIC, "ustar", 6);
	memcpy(blk + UO_VERSION, "00", 2);
	ustar_checksum(blk);
	return 0;
}
