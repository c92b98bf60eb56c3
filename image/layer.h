/* layer: the streaming pipeline for one layer blob.
 *
 *   read -> sha256(blob) [-> HMAC + AES-256-CTR] -> decompress -> sha256(tar)
 *        -> tar parser -> unpack
 *
 * One pass over the blob, fixed buffers, no temporary copy.  The unpack sink
 * writes into staging; layer_apply() commits into the rootfs only after the
 * blob size, the blob digest, the end of the compressed stream, the end of
 * the tar archive and the diff_id all checked out.  On any failure the
 * staging is wiped and nothing of the layer reaches the rootfs. */
#ifndef CCG_IMAGE_LAYER_H
#define CCG_IMAGE_LAYER_H

#include <stdint.h>

#include "base/err.h"
#include "image/decomp.h"
#include "image/digest.h"

/* An ocicrypt AES_256_CTR_HMAC_SHA256 layer: the blob is the ciphertext of
 * the compressed layer; HMAC-SHA256 (same key) over the ciphertext must equal
 * `hmac`.  Encrypt-then-MAC: nothing is committed before it matched. */
struct layer_crypt {
	uint8_t key[32];
	uint8_t nonce[16];           /* the initial 128-bit counter block */
	uint8_t hmac[32];            /* expected, from the public options */
};

struct layer_in {
	int fd;                      /* blob bytes at [off, off + size) */
	uint64_t off;
	uint64_t size;               /* from the manifest descriptor */
	enum decomp_kind comp;
	const struct digest *blob;   /* manifest descriptor digest */
	const struct digest *diff_id;/* config rootfs.diff_ids[i] */
	const struct layer_crypt *crypt; /* NULL: not encrypted */
};

struct layer_stats {
	uint64_t blob_bytes;
	uint64_t tar_bytes;
	uint64_t entries;
};

/* Verify and apply one layer into root_dirfd via stage_dirfd (empty, same
 * filesystem).  Returns 0, or a negative code with e naming the failed check. */
int layer_apply(const struct layer_in *in, int root_dirfd, int stage_dirfd,
		struct layer_stats *st, struct err *e);

#endif
