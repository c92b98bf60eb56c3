/* oci: image index and manifest parsing, media types, index look-ups
 * (see oci.h).  The config parser is in oci_config.c. */
#include "base/text.h"
#include "image/oci.h"

#include <stdio.h>
#include <string.h>

#include "image/oci_int.h"

#define REF_NAME_KEY "org.opencontainers.image.ref.name"

/* ---- JSON helpers (shared with oci_config.c through oci_int.h) -------- */

size_t oci_work_size_hint(size_t json_len)
{
	if (json_len > OCI_JSON_MAX)
		return 0;
	return json_work_size(json_len);
}

int oci_check_schema(yyjson_val *root, struct err *e)
{
	yyjson_val *v;
	int rc = json_obj_get(root, "schemaVersion", &v, e);

	if (rc < 0)
		return rc;
	if (!v)
		return err_set(e, -ERR_FORMAT, "missing \"schemaVersion\"");
	if (!yyjson_is_uint(v))
		return err_set(e, -ERR_FORMAT, "\"schemaVersion\": expected an unsigned "
			       "integer, got %s", yyjson_get_type_desc(v));
	if (yyjson_get_uint(v) == 1)
		return err_set(e, -ERR_UNSUPPORTED, "schemaVersion 1 (Docker v2 schema 1) is "
			       "not supported, expected 2");
	if (yyjson_get_uint(v) != 2)
		return err_set(e, -ERR_UNSUPPORTED, "schemaVersion %llu is not supported, "
			       "expected 2", (unsigned long long)yyjson_get_uint(v));
	return 0;
}

/* ---- media types ------------------------------------------------------- */

struct oci_mt {
	const char *name;
	enum oci_kind kind;
	enum oci_compression comp;
	bool nondist;
};

static const struct oci_mt oci_mts[] = {
	{ OCI_MT_INDEX, OCI_KIND_INDEX, OCI_COMP_NONE, false },
	{ OCI_MT_DOCKER_LIST, OCI_KIND_INDEX, OCI_COMP_NONE, false },
	{ OCI_MT_MANIFEST, OCI_KIND_MANIFEST, OCI_COMP_NONE, false },
	{ OCI_MT_DOCKER_MANIFEST, OCI_KIND_MANIFEST, OCI_COMP_NONE, false },
	{ OCI_MT_CONFIG, OCI_KIND_CONFIG, OCI_COMP_NONE, false },
	{ OCI_MT_DOCKER_CONFIG, OCI_KIND_CONFIG, OCI_COMP_NONE, false },
	{ OCI_MT_LAYER, OCI_KIND_LAYER, OCI_COMP_NONE, false },
	{ OCI_MT_LAYER_GZIP, OCI_KIND_LAYER, OCI_COMP_GZIP, false },
	{ OCI_MT_LAYER_ZSTD, OCI_KIND_LAYER, OCI_COMP_ZSTD, false },
	{ OCI_MT_LAYER_ND, OCI_KIND_LAYER, OCI_COMP_NONE, true },
	{ OCI_MT_LAYER_ND "+gzip", OCI_KIND_LAYER, OCI_COMP_GZIP, true },
	{ OCI_MT_LAYER_ND "+zstd", OCI_KIND_LAYER, OCI_COMP_ZSTD, true },
	{ OCI_MT_DOCKER_LAYER, OCI_KIND_LAYER, OCI_COMP_GZIP, false },
	{ OCI_MT_DOCKER_FOREIGN, OCI_KIND_LAYER, OCI_COMP_GZIP, true },
};

/* Look up the len bytes at s; a layer type may end in "+encrypted". */
static const struct oci_mt *mt_find(const char *s, size_t len, bool *encrypted)
{
	const size_t sl = sizeof(OCI_MT_ENCRYPTED_SUFFIX) - 1;
	size_t i;

	*encrypted = false;
	if (len > sl && memcmp(s + len - sl, OCI_MT_ENCRYPTED_SUFFIX, sl) == 0) {
		*encrypted = true;
		len -= sl;
	}
	for (i = 0; i < sizeof(oci_mts) / sizeof(oci_mts[0]); i++) {
		const struct oci_mt *m = &oci_mts[i];

		if (strlen(m->name) == len && memcmp(m->name, s, len) == 0)
			return (*encrypted && m->kind != OCI_KIND_LAYER) ? NULL : m;
	}
	return NULL;
}

enum oci_kind oci_media_kind(const char *media_type)
{
	const struct oci_mt *m;
	bool enc;

	if (!media_type)
		return OCI_KIND_UNKNOWN;
	m = mt_find(media_type, strlen(media_type), &enc);
	return m ? m->kind : OCI_KIND_UNKNOWN;
}

/* ---- descriptors --------------------------------------------------------- */

static int size_parse(yyjson_val *obj, uint64_t *size, struct err *e)
{
	yyjson_val *v;
	int rc = json_obj_get(obj, "size", &v, e);

	if (rc < 0)
		return rc;
	if (!v)
		return err_set(e, -ERR_FORMAT, "missing \"size\"");
	if (yyjson_is_sint(v))
		return err_set(e, -ERR_FORMAT, "\"size\": negative");
	if (!yyjson_is_uint(v))
		return err_set(e, -ERR_FORMAT, "\"size\": expected an integer, got %s",
			       yyjson_get_type_desc(v));
	if (yyjson_get_uint(v) > OCI_SIZE_MAX)
		return err_set(e, -ERR_FORMAT, "\"size\": %llu is above 2^53",
			       (unsigned long long)yyjson_get_uint(v));
	*size = yyjson_get_uint(v);
	return 0;
}

static int platform_parse(yyjson_val *obj, struct oci_desc *d, struct err *e)
{
	yyjson_val *pf;
	const char *s;
	size_t len;
	int rc = json_obj_get(obj, "platform", &pf, e);

	if (rc < 0 || !pf)
		return rc;
	if (!yyjson_is_obj(pf))
		return err_set(e, -ERR_FORMAT, "\"platform\": expected an object, got %s",
			       yyjson_get_type_desc(pf));
	rc = json_get_str(pf, "os", JSON_REQ, &s, &len, e);
	if (rc == 0)
		rc = json_copy_str("os", s, len, d->platform_os, sizeof(d->platform_os), e);
	if (rc == 0)
		rc = json_get_str(pf, "architecture", JSON_REQ, &s, &len, e);
	if (rc == 0)
		rc = json_copy_str("architecture", s, len, d->platform_arch,
				  sizeof(d->platform_arch), e);
	if (rc == 0)
		rc = json_get_str(pf, "variant", JSON_OPT, &s, &len, e);
	if (rc == 0 && s)
		rc = json_copy_str("variant", s, len, d->platform_variant,
				  sizeof(d->platform_variant), e);
	if (rc < 0)
		return err_wrap(e, rc, "platform"), rc;
	d->has_platform = true;
	return 0;
}

/* Annotations are a string-to-string map; only the ref name is kept. */
static int annotations_parse(yyjson_val *obj, struct oci_desc *d, struct err *e)
{
	yyjson_val *an, *k, *v;
	const char *s;
	size_t len, idx, max;
	int rc = json_obj_get(obj, "annotations", &an, e);

	if (rc < 0 || !an)
		return rc;
	if (!yyjson_is_obj(an))
		return err_set(e, -ERR_FORMAT, "\"annotations\": expected an object, got %s",
			       yyjson_get_type_desc(an));
	yyjson_obj_foreach(an, idx, max, k, v) {
		char shown[OCI_SHOW_MAX + 4];

		if (yyjson_is_str(v))
			continue;
		text_show(shown, sizeof(shown), yyjson_get_str(k), yyjson_get_len(k));
		return err_set(e, -ERR_FORMAT, "\"annotations\": value of \"%s\": expected a "
			       "string, got %s", shown, yyjson_get_type_desc(v));
	}
	d->n_annotations = (uint32_t)yyjson_obj_size(an);
	rc = json_get_str(an, REF_NAME_KEY, JSON_OPT, &s, &len, e);
	if (rc == 0 && s)
		rc = json_copy_str(REF_NAME_KEY, s, len, d->ref_name, sizeof(d->ref_name), e);
	if (rc < 0)
		return err_wrap(e, rc, "annotations"), rc;
	return 0;
}

/* A descriptor: mediaType, digest, size required; platform, annotations. */
static int desc_parse(yyjson_val *v, struct oci_desc *d, struct err *e)
{
	const char *s;
	size_t len;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!yyjson_is_obj(v))
		return err_set(e, -ERR_FORMAT, "expected a descriptor object, got %s",
			       yyjson_get_type_desc(v));
	rc = json_get_str(v, "mediaType", JSON_REQ, &s, &len, e);
	if (rc == 0)
		rc = json_copy_str("mediaType", s, len, d->media_type, sizeof(d->media_type), e);
	if (rc == 0)
		rc = json_get_str(v, "digest", JSON_REQ, &s, &len, e);
	if (rc == 0)
		rc = digest_parse(s, len, &d->digest, e);
	if (rc == 0)
		rc = size_parse(v, &d->size, e);
	if (rc == 0)
		rc = platform_parse(v, d, e);
	if (rc == 0)
		rc = annotations_parse(v, d, e);
	return rc;
}

/* Optional top-level "mediaType" into mt[128] (left "" when absent). */
static int top_media_type(yyjson_val *root, char mt[128], struct err *e)
{
	const char *s;
	size_t len;
	int rc = json_get_str(root, "mediaType", JSON_OPT, &s, &len, e);

	if (rc == 0 && s)
		rc = json_copy_str("mediaType", s, len, mt, 128, e);
	return rc;
}

/* An array member: required, at most max elements. */
static int get_array(yyjson_val *obj, const char *key, size_t max, yyjson_val **arr,
		     struct err *e)
{
	int rc = json_obj_get(obj, key, arr, e);

	if (rc < 0)
		return rc;
	if (!*arr)
		return err_set(e, -ERR_FORMAT, "missing \"%s\"", key);
	if (!yyjson_is_arr(*arr))
		return err_set(e, -ERR_FORMAT, "\"%s\": expected an array, got %s", key,
			       yyjson_get_type_desc(*arr));
	if (yyjson_arr_size(*arr) > max)
		return err_set(e, -ERR_LIMIT, "\"%s\": %zu entries, at most %zu allowed", key,
			       yyjson_arr_size(*arr), max);
	return 0;
}

/* ---- index ----------------------------------------------------------------- */

static int index_fields(yyjson_val *root, struct oci_index *out, struct err *e)
{
	yyjson_val *arr, *v;
	size_t idx, max;
	int rc = oci_check_schema(root, e);

	if (rc == 0)
		rc = top_media_type(root, out->media_type, e);
	if (rc < 0)
		return rc;
	if (out->media_type[0] && oci_media_kind(out->media_type) != OCI_KIND_INDEX)
		return err_set(e, -ERR_FORMAT, "mediaType \"%s\" is not an index type",
			       out->media_type);
	if (json_obj_get(root, "config", &v, e) < 0 || v ||
	    json_obj_get(root, "layers", &v, e) < 0 || v)
		return err_set(e, -ERR_FORMAT, "has manifest fields (\"config\"/\"layers\"): "
			       "ambiguous document");
	rc = get_array(root, "manifests", OCI_MAX_MANIFESTS, &arr, e);
	if (rc < 0)
		return rc;
	yyjson_arr_foreach(arr, idx, max, v) {
		rc = desc_parse(v, &out->manifests[idx], e);
		if (rc < 0)
			return err_wrap(e, rc, "manifests[%zu]", idx), rc;
		out->n_manifests = idx + 1;
	}
	return 0;
}

int oci_index_parse(const uint8_t *p, size_t n, struct oci_index *out,
		    void *work, size_t work_len, struct err *e)
{
	yyjson_doc *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = json_open(p, n, OCI_JSON_MAX, work, work_len, &doc, e);
	if (rc == 0)
		rc = index_fields(yyjson_doc_get_root(doc), out, e);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		err_wrap(e, rc, "index");
	}
	return rc;
}

/* ---- manifest -------------------------------------------------------------- */

static int manifest_layer(yyjson_val *v, struct oci_desc *d, struct err *e)
{
	const struct oci_mt *m;
	char shown[OCI_SHOW_MAX + 4];
	bool enc;
	int rc = desc_parse(v, d, e);

	if (rc < 0)
		return rc;
	m = mt_find(d->media_type, strlen(d->media_type), &enc);
	if (!m || m->kind != OCI_KIND_LAYER) {
		text_show(shown, sizeof(shown), d->media_type, strlen(d->media_type));
		return err_set(e, -ERR_UNSUPPORTED, "unknown layer media type \"%s\"", shown);
	}
	d->comp = m->comp;
	d->encrypted = enc;
	d->nondistributable = m->nondist;
	return 0;
}

static int manifest_config(yyjson_val *root, struct oci_desc *d, struct err *e)
{
	char shown[OCI_SHOW_MAX + 4];
	yyjson_val *v;
	int rc = json_obj_get(root, "config", &v, e);

	if (rc < 0)
		return rc;
	if (!v)
		return err_set(e, -ERR_FORMAT, "missing \"config\"");
	rc = desc_parse(v, d, e);
	if (rc == 0 && oci_media_kind(d->media_type) != OCI_KIND_CONFIG) {
		text_show(shown, sizeof(shown), d->media_type, strlen(d->media_type));
		rc = err_set(e, -ERR_UNSUPPORTED, "media type \"%s\" is not an image config",
			     shown);
	}
	if (rc < 0)
		err_wrap(e, rc, "config");
	return rc;
}

static int manifest_fields(yyjson_val *root, struct oci_manifest *out, struct err *e)
{
	char shown[OCI_SHOW_MAX + 4];
	yyjson_val *arr, *v;
	size_t idx, max;
	int rc = top_media_type(root, out->media_type, e);

	if (rc < 0)
		return rc;
	text_show(shown, sizeof(shown), out->media_type, strlen(out->media_type));
	if (out->media_type[0] && oci_media_kind(out->media_type) == OCI_KIND_INDEX)
		return err_set(e, -ERR_FORMAT, "blob is an image index (mediaType \"%s\"), "
			       "not a manifest", shown);
	if (out->media_type[0] && oci_media_kind(out->media_type) != OCI_KIND_MANIFEST)
		return err_set(e, -ERR_FORMAT, "mediaType \"%s\" is not a manifest type", shown);
	rc = json_obj_get(root, "manifests", &v, e);
	if (rc == 0 && v)
		rc = err_set(e, -ERR_FORMAT, "blob is an image index (has \"manifests\"), "
			     "not a manifest");
	if (rc == 0)
		rc = oci_check_schema(root, e);
	if (rc == 0)
		rc = manifest_config(root, &out->config, e);
	if (rc == 0)
		rc = get_array(root, "layers", OCI_MAX_LAYERS, &arr, e);
	if (rc < 0)
		return rc;
	yyjson_arr_foreach(arr, idx, max, v) {
		rc = manifest_layer(v, &out->layers[idx], e);
		if (rc < 0)
			return err_wrap(e, rc, "layers[%zu]", idx), rc;
		out->n_layers = idx + 1;
	}
	return 0;
}

int oci_manifest_parse(const uint8_t *p, size_t n, struct oci_manifest *out,
		       void *work, size_t work_len, struct err *e)
{
	yyjson_doc *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = json_open(p, n, OCI_JSON_MAX, work, work_len, &doc, e);
	if (rc == 0)
		rc = manifest_fields(yyjson_doc_get_root(doc), out, e);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		err_wrap(e, rc, "manifest");
	}
	return rc;
}

int oci_manifest_check_desc(const struct oci_manifest *m, const struct oci_desc *d,
			    struct err *e)
{
	char shown[OCI_SHOW_MAX + 4];

	text_show(shown, sizeof(shown), d->media_type, strlen(d->media_type));
	if (oci_media_kind(d->media_type) != OCI_KIND_MANIFEST)
		return err_set(e, -ERR_FORMAT, "manifest: descriptor media type \"%s\" is not a "
			       "manifest type", shown);
	if (m->media_type[0] && strcmp(m->media_type, d->media_type) != 0)
		return err_set(e, -ERR_FORMAT, "manifest: mediaType \"%s\" differs from its "
			       "descriptor's \"%s\"", m->media_type, shown);
	return 0;
}

static int layer_annotation(yyjson_val *root, size_t layer, const char *key, char *out,
			    size_t out_len, struct err *e)
{
	yyjson_val *arr, *l, *an = NULL;
	const char *s;
	size_t len;
	int rc = get_array(root, "layers", OCI_MAX_LAYERS, &arr, e);

	if (rc < 0)
		return rc;
	l = yyjson_arr_get(arr, layer);
	if (!l || !yyjson_is_obj(l))
		return err_set(e, -ERR_NOTFOUND, "no layer %zu", layer);
	rc = json_obj_get(l, "annotations", &an, e);
	if (rc < 0)
		return rc;
	if (!an || !yyjson_is_obj(an))
		return err_set(e, -ERR_NOTFOUND, "layers[%zu]: no annotations", layer);
	rc = json_get_str(an, key, JSON_OPT, &s, &len, e);
	if (rc == 0 && !s)
		rc = err_set(e, -ERR_NOTFOUND, "layers[%zu]: no annotation \"%s\"", layer, key);
	if (rc == 0)
		rc = json_copy_str(key, s, len, out, out_len, e);
	return rc;
}

int oci_manifest_layer_annotation(const uint8_t *p, size_t n, size_t layer, const char *key,
				  char *out, size_t out_len, void *work, size_t work_len,
				  struct err *e)
{
	yyjson_doc *doc;
	int rc;

	if (out_len)
		out[0] = '\0';
	rc = json_open(p, n, OCI_JSON_MAX, work, work_len, &doc, e);
	if (rc == 0)
		rc = layer_annotation(yyjson_doc_get_root(doc), layer, key, out, out_len, e);
	if (rc < 0) {
		if (out_len)
			out[0] = '\0';
		err_wrap(e, rc, "manifest");
	}
	return rc;
}

/* ---- classification ------------------------------------------------------- */

enum oci_kind oci_blob_kind(const uint8_t *p, size_t n, void *work, size_t work_len)
{
	yyjson_val *root, *mf, *cf, *ly;
	yyjson_doc *doc;
	char mt[128] = "";
	enum oci_kind k;

	if (json_open(p, n, OCI_JSON_MAX, work, work_len, &doc, NULL) < 0)
		return OCI_KIND_UNKNOWN;
	root = yyjson_doc_get_root(doc);
	if (top_media_type(root, mt, NULL) < 0 || json_obj_get(root, "manifests", &mf, NULL) < 0 ||
	    json_obj_get(root, "config", &cf, NULL) < 0 || json_obj_get(root, "layers", &ly, NULL) < 0)
		return OCI_KIND_UNKNOWN;
	if (mf && (cf || ly))
		return OCI_KIND_UNKNOWN;
	if (!mt[0])
		return mf ? OCI_KIND_INDEX : (cf || ly) ? OCI_KIND_MANIFEST : OCI_KIND_UNKNOWN;
	k = oci_media_kind(mt);
	if (k == OCI_KIND_INDEX && !cf && !ly)
		return k;
	if (k == OCI_KIND_MANIFEST && !mf)
		return k;
	return OCI_KIND_UNKNOWN;
}

/* ---- index look-ups ------------------------------------------------------- */

/* The tag part of a full reference "name:tag" (":" after the last "/"). */
static const char *ref_tag(const char *ref)
{
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');

	return colon ? colon + 1 : NULL;
}

/* One match among ix's entries for which pass(entry) holds; distinct
 * digests matching is ambiguous. */
static int pick_unique(const struct oci_index *ix, bool (*pass)(const struct oci_desc *,
		       const void *), const void *arg, const struct oci_desc **out,
		       const char *what, struct err *e)
{
	const struct oci_desc *hit = NULL;
	size_t i;

	for (i = 0; i < ix->n_manifests; i++) {
		const struct oci_desc *d = &ix->manifests[i];

		if (!pass(d, arg))
			continue;
		if (hit && !digest_equal(&hit->digest, &d->digest))
			return err_set(e, -ERR_FORMAT, "index: %s matches entries %zu and %zu "
				       "with different digests: ambiguous",
				       what, (size_t)(hit - ix->manifests), i);
		if (!hit)
			hit = d;
	}
	*out = hit;
	return 0;
}

static bool tag_exact(const struct oci_desc *d, const void *tag)
{
	return d->ref_name[0] && strcmp(d->ref_name, tag) == 0;
}

static bool tag_of_ref(const struct oci_desc *d, const void *tag)
{
	const char *t = ref_tag(d->ref_name);

	return t && strcmp(t, tag) == 0;
}

int oci_index_find_tag(const struct oci_index *ix, const char *tag,
		       const struct oci_desc **out, struct err *e)
{
	char what[OCI_SHOW_MAX + 16], shown[OCI_SHOW_MAX + 4];
	int rc;

	*out = NULL;
	if (!tag || !tag[0])
		return err_set(e, -ERR_FORMAT, "index: empty tag");
	text_show(shown, sizeof(shown), tag, strlen(tag));
	snprintf(what, sizeof(what), "tag \"%s\"", shown);
	rc = pick_unique(ix, tag_exact, tag, out, what, e);
	if (rc == 0 && !*out)
		rc = pick_unique(ix, tag_of_ref, tag, out, what, e);
	if (rc == 0 && !*out)
		rc = err_set(e, -ERR_NOTFOUND, "index: tag \"%s\" not found among %zu entries",
			     shown, ix->n_manifests);
	return rc;
}

struct plat {
	const char *os, *arch, *variant;
	size_t arch_len;
};

static bool plat_match(const struct oci_desc *d, const void *arg)
{
	const struct plat *p = arg;

	return d->has_platform && oci_media_kind(d->media_type) == OCI_KIND_MANIFEST &&
	       strcmp(d->platform_os, p->os) == 0 && strlen(d->platform_arch) == p->arch_len &&
	       memcmp(d->platform_arch, p->arch, p->arch_len) == 0 &&
	       (!p->variant || strcmp(d->platform_variant, p->variant) == 0);
}

/* "os/arch[/variant], ..." of the index's platforms, for an error message. */
static void list_platforms(const struct oci_index *ix, char *buf, size_t cap)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ix->n_manifests && used < cap; i++) {
		const struct oci_desc *d = &ix->manifests[i];
		int w;

		if (!d->has_platform)
			continue;
		w = snprintf(buf + used, cap - used, "%s%s/%s%s%s", used ? ", " : "",
			     d->platform_os, d->platform_arch, d->platform_variant[0] ? "/" : "",
			     d->platform_variant);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int oci_index_pick_platform(const struct oci_index *ix, const char *os, const char *arch,
			    const struct oci_desc **out, struct err *e)
{
	struct plat want = { os ? os : "linux", arch ? arch : "amd64", NULL, 0 };
	const char *slash = strchr(want.arch, '/');
	char what[160], have[200];
	int rc;

	*out = NULL;
	want.arch_len = slash ? (size_t)(slash - want.arch) : strlen(want.arch);
	want.variant = slash ? slash + 1 : NULL;
	snprintf(what, sizeof(what), "platform %.60s/%.60s", want.os, want.arch);
	rc = pick_unique(ix, plat_match, &want, out, what, e);
	if (rc == 0 && !*out) {
		list_platforms(ix, have, sizeof(have));
		rc = err_set(e, -ERR_NOTFOUND, "index: no manifest for %s (%s%s)", what,
			     have[0] ? "has " : "no platforms", have);
	}
	return rc;
}
