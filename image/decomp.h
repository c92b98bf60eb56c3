/* decomp: one streaming decompressor for a layer blob: gzip (ISA-L igzip,
 * multi-member), zstd (multi-frame), or none.  The caller feeds compressed
 * bytes and drains decompressed bytes; nothing is buffered beyond the codec's
 * own window.  decomp_finish() fails unless the stream ended cleanly at a
 * member/frame boundary with no trailing bytes. */
#ifndef CCG_IMAGE_DECOMP_H
#define CCG_IMAGE_DECOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum decomp_kind { DECOMP_NONE, DECOMP_GZIP, DECOMP_ZSTD };

struct decomp;

/* Allocate a decompressor (the edge: codec state is heap memory). */
int decomp_new(struct decomp **out, enum decomp_kind kind, struct err *e);

/* Consume up to in_len bytes of `in` (*in_used set), produce up to out_cap
 * bytes into `out` (*out_len set).  Call again while it makes progress. */
int decomp_run(struct decomp *d, const uint8_t *in, size_t in_len, size_t *in_used,
	       uint8_t *out, size_t out_cap, size_t *out_len, struct err *e);

/* End of input: 0 only if the last member/frame was complete. */
int decomp_finish(struct decomp *d, struct err *e);

void decomp_free(struct decomp *d);

const char *decomp_name(enum decomp_kind kind);

#endif
