/* oci: the JSON documents of an OCI image (image-spec v1.0/v1.1) and of its
 * Docker v2 schema 2 twin: image index / manifest list, image manifest and
 * image config.
 *
 * Pure core: no I/O and no malloc.  JSON is read only with yyjson, whose
 * allocator is a pool over the caller's `work` buffer (size it with
 * oci_work_size_hint(); too small -> -ERR_LIMIT; a broken document that
 * would need more than the hint, e.g. "[[[[...", is -ERR_FORMAT).  Nothing returned points
 * into `work` or into the input, so both may be reused once a call returns.
 *
 * Strict reading, for every document:
 *  - RFC 8259 only: no comments, no trailing commas, no inf/nan, valid UTF-8,
 *    nothing but whitespace after the value;
 *  - a key this module reads must appear once in its object (yyjson keeps
 *    duplicates; a document must not be readable two ways);
 *  - every field read has the type the spec gives it; required fields must
 *    be present; strings may not contain NUL (\u0000);
 *  - sizes are JSON integers in [0, 2^53]; digests as digest_parse();
 *  - schemaVersion must be 2.
 * Fields not named in this header are ignored (see each parser).
 * Errors: -ERR_FORMAT (malformed), -ERR_UNSUPPORTED (well-formed but not
 * supported: schemaVersion 1, sha512, unknown layer media type), -ERR_LIMIT (a
 * bound below, a field too long for its array, the work pool or the arena
 * exhausted).  e gets one line naming the document, the field and the cause.
 */
#ifndef CCG_IMAGE_OCI_H
#define CCG_IMAGE_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/digest.h"

#define OCI_MAX_MANIFESTS 256        /* entries of an index */
#define OCI_MAX_LAYERS    128        /* layers of a manifest, diff_ids of a config */
#define OCI_MAX_ARGS      256        /* Entrypoint, Cmd (each) */
#define OCI_MAX_ENV       256        /* Env */
#define OCI_JSON_MAX      (8u << 20) /* longer documents: -ERR_LIMIT */
#define OCI_SIZE_MAX      ((uint64_t)1 << 53)

#define OCI_MT_INDEX          "application/vnd.oci.image.index.v1+json"
#define OCI_MT_MANIFEST       "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_CONFIG         "application/vnd.oci.image.config.v1+json"
#define OCI_MT_LAYER          "application/vnd.oci.image.layer.v1.tar"
#define OCI_MT_LAYER_GZIP     OCI_MT_LAYER "+gzip"
#define OCI_MT_LAYER_ZSTD     OCI_MT_LAYER "+zstd"
#define OCI_MT_LAYER_ND       "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define OCI_MT_DOCKER_LIST    "application/vnd.docker.distribution.manifest.list.v2+json"
#define OCI_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define OCI_MT_DOCKER_CONFIG  "application/vnd.docker.container.image.v1+json"
#define OCI_MT_DOCKER_LAYER   "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define OCI_MT_DOCKER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define OCI_MT_ENCRYPTED_SUFFIX "+encrypted"

enum oci_compression { OCI_COMP_NONE, OCI_COMP_GZIP, OCI_COMP_ZSTD };

/* What a media type names (oci_media_kind) or a blob is (oci_blob_kind). */
enum oci_kind {
	OCI_KIND_UNKNOWN = 0,
	OCI_KIND_INDEX,    /* OCI image index or Docker manifest list */
	OCI_KIND_MANIFEST, /* OCI image manifest or Docker v2 schema 2 manifest */
	OCI_KIND_CONFIG,   /* OCI or Docker image config */
	OCI_KIND_LAYER,    /* any known layer type, with or without +encrypted */
};

/* A content descriptor.  All strings are NUL-terminated copies ("" when the
 * field is absent); a value longer than its array is -ERR_LIMIT. */
struct oci_desc {
	char media_type[128];
	struct digest digest;
	uint64_t size;                 /* <= OCI_SIZE_MAX */
	/* Layers of a manifest only (zero elsewhere): */
	enum oci_compression comp;
	bool encrypted;                /* media type ends in "+encrypted" */
	bool nondistributable;         /* nondistributable / Docker foreign layer */
	/* platform (index entries; empty when absent): */
	bool has_platform;
	char platform_os[32], platform_arch[32], platform_variant[32];
	/* annotations: */
	char ref_name[256];            /* "org.opencontainers.image.ref.name" */
	uint32_t n_annotations;        /* entries in "annotations" (all strings);
					* a layer's values are read on demand with
					* oci_manifest_layer_annotation() */
	/* Ignored: urls, data, artifactType, platform.os.version/os.features. */
};

struct oci_index {
	char media_type[128];          /* "" when absent */
	size_t n_manifests;
	struct oci_desc manifests[OCI_MAX_MANIFESTS];
};

struct oci_manifest {
	char media_type[128];          /* "" when absent (allowed for OCI) */
	struct oci_desc config;        /* media type is an image config type */
	size_t n_layers;
	struct oci_desc layers[OCI_MAX_LAYERS]; /* media types are known layer types */
};

/* The process part of an image config.  Pointers point into the caller's
 * arena (NUL-terminated copies) and live as long as it does; an absent
 * WorkingDir or User is a static "". */
struct oci_config {
	char architecture[32], os[32], variant[32];
	const char *entrypoint[OCI_MAX_ARGS + 1]; /* NULL-terminated */
	size_t n_entrypoint;
	const char *cmd[OCI_MAX_ARGS + 1];        /* NULL-terminated */
	size_t n_cmd;
	const char *env[OCI_MAX_ENV + 1];         /* NULL-terminated, "NAME=value" */
	size_t n_env;
	const char *working_dir;                  /* "" when absent */
	const char *user;                         /* "" when absent */
	size_t n_diff_ids;
	struct digest diff_ids[OCI_MAX_LAYERS];
};

/* Bytes of `work` that parsing json_len bytes of JSON may need (yyjson's
 * worst case for the read plus the pool's bookkeeping).  0 when json_len is
 * above OCI_JSON_MAX. */
size_t oci_work_size_hint(size_t json_len);

/* Classify a media type string (exact match; layer types may end in
 * "+encrypted").  NULL or unknown -> OCI_KIND_UNKNOWN. */
enum oci_kind oci_media_kind(const char *media_type);

/* Classify a JSON blob without building a struct: by its top-level
 * "mediaType" when present, else by which of "manifests" (index) or
 * "config"/"layers" (manifest) it has.  Malformed JSON, a document with both
 * kinds of fields, or any other mediaType -> OCI_KIND_UNKNOWN; the full
 * parser then reports the error.  work as for the parsers. */
enum oci_kind oci_blob_kind(const uint8_t *p, size_t n, void *work, size_t work_len);

/* Parse an image index (the layout's index.json, an OCI image index or a
 * Docker manifest list) of n bytes at p into *out.  Required: schemaVersion
 * 2, "manifests" (an array of at most OCI_MAX_MANIFESTS descriptors, each
 * with mediaType, digest and size; unknown entry media types are kept).
 * Optional: "mediaType" (must then be an index type).  A document that also
 * has "config" or "layers" is refused (it could be read as a manifest).
 * Ignored: annotations, subject, artifactType. */
int oci_index_parse(const uint8_t *p, size_t n, struct oci_index *out,
		    void *work, size_t work_len, struct err *e);

/* Find the entry whose ref.name annotation is `tag`.  When none matches
 * exactly, an entry whose ref.name is a full reference "name:tag" matches on
 * its tag part.  *out points into ix.  -ERR_NOTFOUND when nothing matches,
 * -ERR_FORMAT when several entries with different digests match. */
int oci_index_find_tag(const struct oci_index *ix, const char *tag,
		       const struct oci_desc **out, struct err *e);

/* Pick the manifest entry (manifest media types only; nested indexes and
 * entries without platform are skipped) for os and arch; arch may carry a
 * variant as "arm/v7".  NULL os/arch mean "linux"/"amd64".  -ERR_NOTFOUND
 * names the platforms present; -ERR_FORMAT when several entries with
 * different digests match (e.g. two variants and none requested). */
int oci_index_pick_platform(const struct oci_index *ix, const char *os, const char *arch,
			    const struct oci_desc **out, struct err *e);

/* Parse an image manifest (OCI or Docker v2 schema 2) into *out.  Required:
 * schemaVersion 2, "config" (media type an image config type), "layers" (at
 * most OCI_MAX_LAYERS, each of a known layer media type: comp, encrypted and
 * nondistributable are set from it; unknown -> -ERR_UNSUPPORTED naming it).
 * Optional: "mediaType" (must be a manifest type).  If the blob is an index
 * (index mediaType, or a "manifests" field) -> -ERR_FORMAT saying so.
 * Ignored: annotations, subject, artifactType. */
int oci_manifest_parse(const uint8_t *p, size_t n, struct oci_manifest *out,
		       void *work, size_t work_len, struct err *e);

/* Check a parsed manifest against the descriptor that referenced it: the
 * descriptor's media type must be a manifest type, and equal to the
 * manifest's own "mediaType" when that is present.  -ERR_FORMAT otherwise. */
int oci_manifest_check_desc(const struct oci_manifest *m, const struct oci_desc *d,
			    struct err *e);

/* Copy the value of annotation `key` of layer `layer` of the manifest at p
 * (which must have passed oci_manifest_parse()) into out (NUL-terminated).
 * -ERR_NOTFOUND when absent, -ERR_LIMIT when out_len is too small,
 * -ERR_FORMAT for a duplicate key or a non-string value. */
int oci_manifest_layer_annotation(const uint8_t *p, size_t n, size_t layer, const char *key,
				  char *out, size_t out_len, void *work, size_t work_len,
				  struct err *e);

/* Parse an image config into *out, copying strings into arena (arena_len
 * bytes; exhausted -> -ERR_LIMIT).  Required: "architecture", "os" (strings),
 * "rootfs" with "type": "layers" and "diff_ids" (at most OCI_MAX_LAYERS
 * digests).  Optional: "variant"; "config" (absent or null = empty process
 * config) with Entrypoint, Cmd (arrays of strings, at most OCI_MAX_ARGS each),
 * Env (at most OCI_MAX_ENV strings, each "NAME=value" with a non-empty NAME),
 * WorkingDir, User (strings); each may be null = absent.
 * Ignored: created, author, history, os.version, os.features, and in
 * "config": ExposedPorts, Volumes, Labels, StopSignal, ArgsEscaped,
 * Healthcheck, Shell, OnBuild, Memory*, Cpu* and any other key. */
int oci_config_parse(const uint8_t *p, size_t n, struct oci_config *out,
		     char *arena, size_t arena_len, void *work, size_t work_len,
		     struct err *e);

#endif
