/* fuzz_oci: the OCI index, manifest and config parsers.
 *
 * The first byte selects the parser (low 2 bits: 0 index, 1 manifest,
 * 2 config, 3 blob classification against both parsers); for the config its
 * upper bits choose a small arena to exercise exhaustion.  The rest is the
 * JSON.  Beyond "no crash", it checks the contracts: a work area of
 * oci_work_size_hint() bytes holds every valid document, every error sets
 * e, results respect their bounds, and oci_blob_kind() agrees with the
 * parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

#include "image/oci.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static struct oci_index ix;
static struct oci_manifest man;
static struct oci_config cfg;
static char arena[1 << 16];

static void check_desc(const struct oci_desc *d)
{
	CHECK(strlen(d->media_type) < sizeof(d->media_type));
	CHECK(strlen(d->ref_name) < sizeof(d->ref_name));
	CHECK(d->size <= OCI_SIZE_MAX);
	CHECK(d->digest.alg == DIGEST_SHA256);
}

static void fuzz_index(const uint8_t *p, size_t n, void *work, size_t wl, struct err *e)
{
	const struct oci_desc *d;
	size_t i;

	if (oci_index_parse(p, n, &ix, work, wl, e) < 0)
		return;
	CHECK(ix.n_manifests <= OCI_MAX_MANIFESTS);
	for (i = 0; i < ix.n_manifests; i++) {
		check_desc(&ix.manifests[i]);
		if (ix.manifests[i].ref_name[0] &&
		    oci_index_find_tag(&ix, ix.manifests[i].ref_name, &d, NULL) == 0)
			CHECK(d && strcmp(d->ref_name, ix.manifests[i].ref_name) == 0);
	}
	if (oci_index_pick_platform(&ix, NULL, NULL, &d, NULL) == 0)
		CHECK(strcmp(d->platform_os, "linux") == 0 && strcmp(d->platform_arch, "amd64") == 0);
	(void)oci_index_pick_platform(&ix, "linux", "arm/v7", &d, NULL);
	(void)oci_index_find_tag(&ix, "latest", &d, NULL);
}

static void fuzz_manifest(const uint8_t *p, size_t n, void *work, size_t wl, struct err *e)
{
	char val[512];
	size_t i;

	if (oci_manifest_parse(p, n, &man, work, wl, e) < 0)
		return;
	CHECK(man.n_layers <= OCI_MAX_LAYERS);
	check_desc(&man.config);
	CHECK(oci_media_kind(man.config.media_type) == OCI_KIND_CONFIG);
	for (i = 0; i < man.n_layers; i++) {
		check_desc(&man.layers[i]);
		CHECK(oci_media_kind(man.layers[i].media_type) == OCI_KIND_LAYER);
	}
	(void)oci_manifest_check_desc(&man, &man.config, NULL);
	if (man.n_layers)
		(void)oci_manifest_layer_annotation(p, n, man.n_layers - 1,
						    "org.opencontainers.image.enc.pubopts",
						    val, sizeof(val), work, wl, NULL);
}

static bool in_arena(const char *s, size_t len)
{
	return s >= arena && s < arena + len;
}

static void check_strv(const char *const *v, size_t n, size_t alen)
{
	size_t i;

	for (i = 0; i < n; i++)
		CHECK(v[i] && in_arena(v[i], alen));
	CHECK(v[n] == NULL);
}

static void fuzz_config(uint8_t sel, const uint8_t *p, size_t n, void *work, size_t wl,
			struct err *e)
{
	size_t alen = (sel >> 2) ? (size_t)(sel >> 2) * 8 : sizeof(arena);
	size_t i;

	if (oci_config_parse(p, n, &cfg, arena, alen, work, wl, e) < 0)
		return;
	check_strv(cfg.entrypoint, cfg.n_entrypoint, alen);
	check_strv(cfg.cmd, cfg.n_cmd, alen);
	check_strv(cfg.env, cfg.n_env, alen);
	for (i = 0; i < cfg.n_env; i++)
		CHECK(cfg.env[i][0] != '=' && strchr(cfg.env[i], '='));
	CHECK(cfg.working_dir && cfg.user);
	CHECK(cfg.n_diff_ids <= OCI_MAX_LAYERS);
}

static void fuzz_kind(const uint8_t *p, size_t n, void *work, size_t wl)
{
	enum oci_kind k = oci_blob_kind(p, n, work, wl);

	if (oci_index_parse(p, n, &ix, work, wl, NULL) == 0)
		CHECK(k == OCI_KIND_INDEX);
	if (oci_manifest_parse(p, n, &man, work, wl, NULL) == 0)
		CHECK(k == OCI_KIND_MANIFEST);
}

/* A pool of oci_work_size_hint() bytes holds every valid document: yyjson
 * may run out of it only on input that is not valid JSON. */
static void check_hint(const uint8_t *p, size_t n, void *work, size_t wl)
{
	yyjson_read_err rerr;
	yyjson_alc alc;
	yyjson_doc *doc;

	if (n == 0 || n > OCI_JSON_MAX)
		return;
	CHECK(yyjson_alc_pool_init(&alc, work, wl));
	doc = yyjson_read_opts((char *)(uintptr_t)p, n, 0, &alc, &rerr);
	if (doc || rerr.code != YYJSON_READ_ERROR_MEMORY_ALLOCATION)
		return;
	doc = yyjson_read((const char *)p, n, 0);
	CHECK(doc == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = { 0 };
	size_t wl;
	void *work;

	if (size < 1)
		return 0;
	wl = oci_work_size_hint(size - 1);
	work = malloc(wl ? wl : 1);
	if (!work)
		return 0;
	switch (data[0] & 3) {
	case 0: fuzz_index(data + 1, size - 1, work, wl, &e); break;
	case 1: fuzz_manifest(data + 1, size - 1, work, wl, &e); break;
	case 2: fuzz_config(data[0], data + 1, size - 1, work, wl, &e); break;
	default: fuzz_kind(data + 1, size - 1, work, wl); break;
	}
	/* Every error is reported. */
	CHECK(e.code == 0 || (e.code < 0 && e.msg[0]));
	check_hint(data + 1, size - 1, work, wl);
	free(work);
	return 0;
}
