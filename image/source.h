/* Private to image/: blob lookup in an image source (see image.h). */
#ifndef CCG_IMAGE_SOURCE_H
#define CCG_IMAGE_SOURCE_H

#include <stdint.h>

#include "image/digest.h"
#include "image/image.h"

struct tar_entry_info {
	int is_reg;
	uint64_t size;
	char path[256];
};

/* Locate the blob with digest d: its bytes are [off, off+size) of fd.
 * Returns 0 or -ERR_NOTFOUND.  The bytes are unverified. */
int image_source_find(const struct image_source *s, const struct digest *d,
		      int *fd, uint64_t *off, uint64_t *size);

#endif
