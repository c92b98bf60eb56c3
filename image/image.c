/* image_unpack: the verification chain from a pinned manifest digest to a
 * committed rootfs (see image.h). */
#include "image/image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "crypto/sha256.h"
#include "image/digest.h"
#include "image/layer.h"
#include "image/oci.h"
#include "image/source.h"

/* Manifests, indexes and configs are small JSON documents; bound them. */
#define IMAGE_JSON_MAX (4u << 20)
#define IMAGE_ARENA    (1u << 20)

struct image {
	struct oci_config cfg;
	char *arena;
	const char *argv[2 * OCI_MAX_ARGS + 1];
	const char *env[OCI_MAX_ENV + 2];
	struct image_process proc;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read a whole small blob and check it against its digest (and the size its
 * descriptor gave, when known: want_size != UINT64_MAX). */
static int read_blob(const struct image_source *src, const struct digest *d,
		     uint64_t want_size, uint8_t **out, size_t *len, struct err *e)
{
	char ds[DIGEST_STR_MAX];
	uint64_t off, size;
	struct digest got;
	uint8_t *buf;
	size_t done = 0;
	int fd;

	digest_format(d, ds);
	if (image_source_find(src, d, &fd, &off, &size) < 0)
		return err_set(e, -ERR_NOTFOUND, "blob %s: not in the image layout", ds);
	if (want_size != UINT64_MAX && size != want_size)
		return err_set(e, -ERR_FORMAT, "blob %s: size mismatch: expected %llu, got %llu",
			       ds, (unsigned long long)want_size, (unsigned long long)size);
	if (size > IMAGE_JSON_MAX)
		return err_set(e, -ERR_LIMIT, "blob %s: %llu bytes, more than %u", ds,
			       (unsigned long long)size, IMAGE_JSON_MAX);
	buf = malloc(size ? size : 1);
	if (!buf)
		return err_set(e, -ENOMEM, "blob %s: out of memory", ds);
	while (done < size) {
		ssize_t n = pread(fd, buf + done, size - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return err_set(e, n < 0 ? -errno : -ERR_FORMAT, "blob %s: read failed", ds);
		}
		done += (size_t)n;
	}
	got.alg = d->alg;
	sha256(buf, size, got.hash);
	if (!digest_equal(&got, d)) {
		char gs[DIGEST_STR_MAX];

		digest_format(&got, gs);
		free(buf);
		return err_set(e, -ERR_DIGEST, "blob %s: digest mismatch: expected %s, got %s",
			       ds, ds, gs);
	}
	*out = buf;
	*len = size;
	return 0;
}

/* Parse JSON with a work pool sized for it; the pool is freed here. */
static int with_pool(size_t n, void **work, size_t *work_len, struct err *e)
{
	*work_len = oci_work_size_hint(n);
	*work = malloc(*work_len);
	if (!*work)
		return err_set(e, -ENOMEM, "JSON work area: out of memory");
	return 0;
}

/* The pinned digest names a manifest, or an index whose linux/amd64 entry
 * is the manifest. */
static int load_manifest(const struct image_source *src, const struct digest *pin,
			 struct oci_manifest *m, uint8_t **mblob, size_t *mlen, struct err *e)
{
	uint8_t *blob = NULL;
	void *work = NULL;
	size_t len, wl;
	struct oci_index *idx = NULL;
	const struct oci_desc *pick;
	int rc;

	rc = read_blob(src, pin, UINT64_MAX, &blob, &len, e);
	if (rc < 0)
		return rc;
	rc = with_pool(len, &work, &wl, e);
	if (rc < 0)
		goto out;
	if (oci_blob_kind(blob, len, work, wl) == OCI_KIND_INDEX) {
		idx = malloc(sizeof(*idx));
		if (!idx) {
			rc = err_set(e, -ENOMEM, "index: out of memory");
			goto out;
		}
		rc = oci_index_parse(blob, len, idx, work, wl, e);
		if (rc == 0)
			rc = oci_index_pick_platform(idx, "linux", "amd64", &pick, e);
		if (rc < 0)
			goto out;
		free(blob);
		blob = NULL;
		rc = read_blob(src, &pick->digest, pick->size, &blob, &len, e);
		if (rc < 0)
			goto out;
		free(work);
		rc = with_pool(len, &work, &wl, e);
		if (rc < 0)
			goto out;
	}
	rc = oci_manifest_parse(blob, len, m, work, wl, e);
	if (rc == 0 && idx)
		rc = oci_manifest_check_desc(m, pick, e);
	if (rc == 0) {
		*mblob = blob;      /* kept for the layers' annotations */
		*mlen = len;
		blob = NULL;
	}
out:
	free(idx);
	free(work);
	free(blob);
	return rc;
}

static int load_config(const struct image_source *src, const struct oci_desc *d,
		       struct image *img, struct err *e)
{
	uint8_t *blob = NULL;
	void *work = NULL;
	size_t len, wl;
	int rc;

	rc = read_blob(src, &d->digest, d->size, &blob, &len, e);
	if (rc == 0)
		rc = with_pool(len, &work, &wl, e);
	if (rc == 0)
		rc = oci_config_parse(blob, len, &img->cfg, img->arena, IMAGE_ARENA, work, wl, e);
	if (rc < 0)
		err_wrap(e, rc, "config");
	free(work);
	free(blob);
	return rc;
}

#define IMAGE_ANNOTATION_MAX (64u << 10)

static const char *const key_names[3] = {
	"org.opencontainers.image.enc.pubopts",
	"org.opencontainers.image.enc.keys.provider.attestation-agent",
	"org.opencontainers.image.enc.keys.jwe",
};

/* The key of encrypted layer i, from its annotations through the caller. */
static int layer_key(const struct oci_manifest *m, const uint8_t *mb, size_t ml, size_t i,
		     const struct image_keys_ops *keys, struct layer_crypt *out, struct err *e)
{
	char *v[3] = { NULL, NULL, NULL };
	struct image_layer_keys k;
	void *work = NULL;
	size_t wl;
	int rc = 0;

	if (!keys || !keys->layer_key)
		return err_set(e, -ERR_UNSUPPORTED, "encrypted (%s), and no key source is "
			       "configured", m->layers[i].media_type);
	rc = with_pool(ml, &work, &wl, e);
	for (int j = 0; j < 3 && rc == 0; j++) {
		v[j] = malloc(IMAGE_ANNOTATION_MAX);
		if (!v[j]) {
			rc = err_set(e, -ENOMEM, "annotations: out of memory");
			break;
		}
		rc = oci_manifest_layer_annotation(mb, ml, i, key_names[j], v[j],
						   IMAGE_ANNOTATION_MAX, work, wl, e);
		if (rc == -ERR_NOTFOUND) {
			free(v[j]);
			v[j] = NULL;
			rc = 0;
		}
	}
	if (rc == 0) {
		k = (struct image_layer_keys){ v[0], v[1], v[2] };
		rc = keys->layer_key(keys->ctx, i, &k, out, e);
	}
	for (int j = 0; j < 3; j++)
		free(v[j]);
	free(work);
	return rc;
}

static int apply_layers(const struct image_source *src, const struct oci_manifest *m,
			const uint8_t *mb, size_t ml, const struct image_keys_ops *keys,
			const struct image *img, int root_dirfd, int stage_dirfd,
			struct image_stats *st, struct err *e)
{
	struct layer_crypt crypt;
	size_t i;

	if (img->cfg.n_diff_ids != m->n_layers)
		return err_set(e, -ERR_FORMAT,
			       "config lists %zu diff_ids but the manifest has %zu layers",
			       img->cfg.n_diff_ids, m->n_layers);
	for (i = 0; i < m->n_layers; i++) {
		const struct oci_desc *l = &m->layers[i];
		struct layer_in in = { .blob = &l->digest, .diff_id = &img->cfg.diff_ids[i] };
		struct layer_stats ls;
		char ds[DIGEST_STR_MAX];
		uint64_t size;
		int rc;

		digest_format(&l->digest, ds);
		if (l->encrypted) {
			rc = layer_key(m, mb, ml, i, keys, &crypt, e);
			if (rc < 0)
				return err_wrap(e, rc, "layer %zu %s", i + 1, ds);
			in.crypt = &crypt;
		}
		in.comp = l->comp == OCI_COMP_GZIP ? DECOMP_GZIP :
			  l->comp == OCI_COMP_ZSTD ? DECOMP_ZSTD : DECOMP_NONE;
		if (image_source_find(src, &l->digest, &in.fd, &in.off, &size) < 0)
			return err_set(e, -ERR_NOTFOUND, "layer %zu %s: not in the image layout",
				       i + 1, ds);
		if (size != l->size)
			return err_set(e, -ERR_FORMAT, "layer %zu %s: size mismatch: expected %llu, "
				       "got %llu", i + 1, ds, (unsigned long long)l->size,
				       (unsigned long long)size);
		in.size = size;
		rc = layer_apply(&in, root_dirfd, stage_dirfd, &ls, e);
		ct_wipe(&crypt, sizeof(crypt));
		if (rc < 0)
			return err_wrap(e, rc, "layer %zu %s (%s%s)", i + 1, ds, decomp_name(in.comp),
					l->encrypted ? ", encrypted" : "");
		st->layers++;
		st->blob_bytes += ls.blob_bytes;
		st->tar_bytes += ls.tar_bytes;
		st->entries += ls.entries;
	}
	return 0;
}

static int make_process(struct image *img, struct err *e)
{
	const struct oci_config *c = &img->cfg;
	size_t n = 0, i;

	for (i = 0; i < c->n_entrypoint; i++)
		img->argv[n++] = c->entrypoint[i];
	for (i = 0; i < c->n_cmd; i++)
		img->argv[n++] = c->cmd[i];
	img->argv[n] = NULL;
	if (n == 0)
		return err_set(e, -ERR_FORMAT, "config: no Entrypoint and no Cmd: nothing to run");
	for (i = 0; i < c->n_env; i++)
		img->env[i] = c->env[i];
	img->env[c->n_env] = NULL;
	img->proc.argv = img->argv;
	img->proc.argc = n;
	img->proc.env = img->env;
	img->proc.envc = c->n_env;
	img->proc.cwd = c->working_dir && c->working_dir[0] ? c->working_dir : "/";
	img->proc.user = c->user ? c->user : "";
	return 0;
}

static int check_platform(const struct oci_config *c, struct err *e)
{
	if (strcmp(c->os, "linux") != 0 || strcmp(c->architecture, "amd64") != 0)
		return err_set(e, -ERR_UNSUPPORTED, "config: image is for %s/%s, this guest runs "
			       "linux/amd64", c->os, c->architecture);
	return 0;
}

int image_unpack(struct image_source *src, const char *pinned, int root_dirfd,
		 int stage_dirfd, const struct image_keys_ops *keys, struct image **out,
		 struct image_stats *st, struct err *e)
{
	struct image_stats local = { 0 };
	struct oci_manifest *m = NULL;
	uint8_t *mb = NULL;
	size_t ml = 0;
	struct image *img = NULL;
	struct digest pin;
	double t0 = now_s(), t1;
	int rc;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	rc = digest_parse(pinned, strlen(pinned), &pin, e);
	if (rc < 0)
		return err_wrap(e, rc, "pinned image digest");
	m = calloc(1, sizeof(*m));
	img = calloc(1, sizeof(*img));
	if (img)
		img->arena = malloc(IMAGE_ARENA);
	if (!m || !img || !img->arena) {
		rc = err_set(e, -ENOMEM, "image: out of memory");
		goto fail;
	}
	rc = load_manifest(src, &pin, m, &mb, &ml, e);
	if (rc == 0)
		rc = load_config(src, &m->config, img, e);
	if (rc == 0)
		rc = check_platform(&img->cfg, e);
	if (rc == 0)
		rc = make_process(img, e);
	if (rc < 0)
		goto fail;
	t1 = now_s();
	st->verify_s = t1 - t0;
	rc = apply_layers(src, m, mb, ml, keys, img, root_dirfd, stage_dirfd, st, e);
	st->layers_s = now_s() - t1;
	if (rc < 0)
		goto fail;
	free(mb);
	free(m);
	*out = img;
	return 0;
fail:
	free(mb);
	free(m);
	image_free(img);
	return rc;
}

const struct image_process *image_process(const struct image *img)
{
	return &img->proc;
}

void image_free(struct image *img)
{
	if (!img)
		return;
	free(img->arena);
	free(img);
}
