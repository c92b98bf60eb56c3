/* resolve: an image reference in an OCI layout -> the pinned digest the
 * guest verifies everything against (host only). */
#ifndef CCG_HOST_RESOLVE_H
#define CCG_HOST_RESOLVE_H

#include "base/err.h"
#include "image/digest.h"
#include "image/oci.h"

/* Resolve ref in the layout directory `layout`:
 *  - "sha256:<64 hex>": taken as is, once blobs/sha256/<hex> exists, hashes
 *    to it and is an image manifest or index;
 *  - otherwise a tag: the index.json entry whose ref.name annotation is ref
 *    ("t" or "name:t"; for "name:t" also the bare "t").
 * The pinned blob is read (at most OCI_JSON_MAX bytes) and its sha256 and
 * size are checked on the host.  When the entry is an image index (a
 * multi-platform image) the index digest is pinned and the guest picks
 * linux/amd64 from it; that entry must exist.  out gets "sha256:<hex>",
 * *kind OCI_KIND_MANIFEST or OCI_KIND_INDEX.  Returns 0, -errno,
 * -ERR_NOTFOUND, -ERR_DIGEST, -ERR_FORMAT, -ERR_UNSUPPORTED, -ERR_LIMIT. */
int resolve_ref(const char *layout, const char *ref, char out[DIGEST_STR_MAX],
		enum oci_kind *kind, struct err *e);

#endif
