/* image: an OCI image, from its source to a verified rootfs.
 *
 * The chain: the manifest digest is pinned by the caller (measured config);
 * the manifest blob, the config blob and every layer blob are hashed while
 * they stream and compared with their descriptors; each decompressed layer
 * tar is hashed and compared with the config's rootfs.diff_ids[i].  A layer
 * is unpacked into staging and committed into the rootfs only after all its
 * checks passed.  Nothing is executed here.
 */
#ifndef CCG_IMAGE_IMAGE_H
#define CCG_IMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/layer.h"

struct image_source;
struct image;

/* The annotations of an encrypted layer's descriptor (covered by the
 * manifest digest, which matched before this is called): NUL-terminated, or
 * NULL when absent. */
struct image_layer_keys {
	const char *pubopts;       /* org.opencontainers.image.enc.pubopts */
	const char *provider_aa;   /* …enc.keys.provider.attestation-agent */
	const char *jwe;           /* …enc.keys.jwe */
};

/* The caller's key source for encrypted layers: fill *out for layer
 * `index` (0-based) or fail naming why.  NULL: encrypted layers are
 * refused. */
struct image_keys_ops {
	int (*layer_key)(void *ctx, size_t index, const struct image_layer_keys *k,
			 struct layer_crypt *out, struct err *e);
	void *ctx;
};

/* Open an OCI image layout stored as a plain tar archive (the layout's
 * index.json, oci-layout and blobs/sha256/<hex> entries) on a block device or
 * file at `path`.  Reads the tar headers once to index the blobs; blob data
 * is read later, streaming.  On success *out owns an fd; free with
 * image_source_free(). */
int image_source_open_tar(const char *path, struct image_source **out, struct err *e);
void image_source_free(struct image_source *src);

struct image_stats {
	unsigned layers;
	uint64_t blob_bytes;   /* compressed bytes read and hashed */
	uint64_t tar_bytes;    /* decompressed bytes hashed and unpacked */
	uint64_t entries;      /* tar entries applied */
	double verify_s;       /* manifest + config */
	double layers_s;       /* all layers: read, hash, inflate, unpack, commit */
};

/* The process described by the verified image config. Strings are owned by
 * the struct image and live until image_free(). */
struct image_process {
	const char *const *argv; /* Entrypoint + Cmd, NULL-terminated */
	size_t argc;
	const char *const *env;  /* Env, NULL-terminated */
	size_t envc;
	const char *cwd;         /* WorkingDir or "/" */
	const char *user;        /* User or "" (root) */
};

/* Verify the image whose manifest (or linux/amd64 entry of an index) has the
 * digest `pinned` ("sha256:<64 hex>"), then unpack its layers into the
 * directory root_dirfd, using stage_dirfd (an empty directory on the same
 * filesystem) for staging.  On success *out holds the process config.
 * Errors name the object and the check ("layer 2 sha256:ab..: diff_id
 * mismatch: expected X, got Y"); the rootfs then holds only committed layers
 * and must not be used. */
int image_unpack(struct image_source *src, const char *pinned, int root_dirfd,
		 int stage_dirfd, const struct image_keys_ops *keys, struct image **out,
		 struct image_stats *st, struct err *e);

const struct image_process *image_process(const struct image *img);
void image_free(struct image *img);

#endif
