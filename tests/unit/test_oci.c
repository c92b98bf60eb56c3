/* test_oci: OCI/Docker index, manifest and config parsing.
 *
 * Documents are written with single quotes for readability; J() turns them
 * into JSON (none of them needs a literal single quote). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/oci.h"

#define H1 "0d9829cb860d79d110f7fdf58ee62552149e0e3b9a0708fe1453e5f92c0a981a"
#define H2 "aa2270ed62fbf6d4a4fb32e3e023c622e540dc22699b4105b4afb040bd4c7c58"
#define H3 "d9cfc0b3f258c429195e677ea9cbd0a37dd014a09d42f5ea7b734f79dd520408"
#define H4 "f15f59433f5ca9f3064fb13ea2a71a7262d2944d5df2553dc07181fb9e9ef475"

static uint8_t work[1 << 20];
static char doc[1 << 20];
static size_t doc_len;
static struct oci_index ix;
static struct oci_manifest man;
static struct oci_config cfg;
static char arena[1 << 16];
static struct err e;

static const uint8_t *J(const char *s)
{
	size_t i;

	doc_len = strlen(s);
	assert_true(doc_len < sizeof(doc));
	for (i = 0; i < doc_len; i++)
		doc[i] = s[i] == '\'' ? '"' : s[i];
	return (const uint8_t *)doc;
}

static int index_parse(const char *s)
{
	const uint8_t *p = J(s);

	memset(&e, 0, sizeof(e));
	return oci_index_parse(p, doc_len, &ix, work, sizeof(work), &e);
}

static int manifest_parse(const char *s)
{
	const uint8_t *p = J(s);

	memset(&e, 0, sizeof(e));
	return oci_manifest_parse(p, doc_len, &man, work, sizeof(work), &e);
}

static int config_parse(const char *s, size_t alen)
{
	const uint8_t *p = J(s);

	memset(&e, 0, sizeof(e));
	return oci_config_parse(p, doc_len, &cfg, arena, alen, work, sizeof(work), &e);
}

#define assert_msg(part) do { \
	if (!strstr(e.msg, part)) \
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, part); \
} while (0)

static void assert_digest(const struct digest *d, const char *s)
{
	char out[DIGEST_STR_MAX];

	digest_format(d, out);
	assert_string_equal(out, s);
}

static enum oci_kind kind(const char *s)
{
	const uint8_t *p = J(s);

	return oci_blob_kind(p, doc_len, work, sizeof(work));
}

/* ---- real documents --------------------------------------------------------- */

/* Generated here with: umoci init --layout L; umoci new --image L:t; umoci
 * config --image L:t ...; umoci insert --image L:t hello /bin/hello. */
static const char umoci_index[] =
	"{'schemaVersion':2,'manifests':[{'mediaType':'application/vnd.oci.image.manifest.v1+json',"
	"'digest':'sha256:b793b00c8079de15e6bdec53ce5617694e568f37d0b9dcb1a96ecf6d94a2ea29',"
	"'size':345,'annotations':{'org.opencontainers.image.ref.name':'t'}}]}";
static const char umoci_manifest[] =
	"{'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json',"
	"'digest':'sha256:" H3 "','size':508},'layers':[{'mediaType':"
	"'application/vnd.oci.image.layer.v1.tar+gzip','digest':'sha256:" H2 "','size':102}]}";
static const char umoci_config[] =
	"{'created':'2026-11-23T12:40:02.184922738Z','architecture':'amd64','os':'linux',"
	"'config':{'User':'1000:1000','Env':['PATH=/usr/bin:/bin'],'Entrypoint':['/bin/busybox'],"
	"'Cmd':['sh','-c','echo hi'],'WorkingDir':'/srv'},'rootfs':{'type':'layers','diff_ids':"
	"['sha256:" H1 "']},'history':[{'created':'2026-11-23T12:40:02.205218143Z',"
	"'created_by':'umoci config','empty_layer':true},{'created':'2026-11-23T12:40:02.23083902Z',"
	"'created_by':'umoci insert'}]}";
/* skopeo copy --format v2s2 of the above */
static const char docker_manifest[] =
	"{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
	"'config':{'mediaType':'application/vnd.docker.container.image.v1+json','size':508,"
	"'digest':'sha256:" H3 "'},'layers':[{'mediaType':"
	"'application/vnd.docker.image.rootfs.diff.tar.gzip','size':102,'digest':'sha256:" H2 "'}]}";

static const char docker_list[] =
	"{'manifests':["
	"{'digest':'sha256:" H1 "','mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
	" 'platform':{'architecture':'amd64','os':'linux'},'size':528},"
	"{'digest':'sha256:" H2 "','mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
	" 'platform':{'architecture':'arm','os':'linux','variant':'v6'},'size':527},"
	"{'digest':'sha256:" H3 "','mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
	" 'platform':{'architecture':'arm','os':'linux','variant':'v7'},'size':527},"
	"{'digest':'sha256:" H4 "','mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
	" 'platform':{'architecture':'arm64','os':'linux','variant':'v8'},'size':527}],"
	"'mediaType':'application/vnd.docker.distribution.manifest.list.v2+json','schemaVersion':2}";

/* buildx: an image entry plus its attestation manifest (unknown/unknown). */
static const char buildx_index[] =
	"{\n  'schemaVersion': 2,\n  'mediaType': 'application/vnd.oci.image.index.v1+json',\n"
	"  'manifests': [\n    {\n      'mediaType': 'application/vnd.oci.image.manifest.v1+json',\n"
	"      'digest': 'sha256:" H1 "',\n      'size': 1013,\n"
	"      'platform': { 'architecture': 'amd64', 'os': 'linux' }\n    },\n"
	"    {\n      'mediaType': 'application/vnd.oci.image.manifest.v1+json',\n"
	"      'digest': 'sha256:" H2 "',\n      'size': 566,\n"
	"      'annotations': { 'vnd.docker.reference.digest': 'sha256:" H1 "',\n"
	"        'vnd.docker.reference.type': 'attestation-manifest' },\n"
	"      'platform': { 'architecture': 'unknown', 'os': 'unknown' }\n    }\n  ]\n}\n";

/* An OCI layout index.json with two tags, one a full reference. */
static const char layout_index[] =
	"{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':["
	"{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'sha256:" H1 "',"
	" 'size':345,'annotations':{'org.opencontainers.image.ref.name':'1.36'}},"
	"{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'sha256:" H2 "',"
	" 'size':400,'annotations':{'io.containerd.image.name':'docker.io/library/busybox:latest',"
	"  'org.opencontainers.image.ref.name':'docker.io/library/busybox:latest'}}]}";

static const char oci_manifest_gz_zstd[] =
	"{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json',"
	"'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'sha256:" H3 "',"
	" 'size':1470},'layers':["
	"{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'sha256:" H1 "',"
	" 'size':2152262},"
	"{'mediaType':'application/vnd.oci.image.layer.v1.tar+zstd','digest':'sha256:" H2 "',"
	" 'size':9007199254740992,'annotations':{'org.opencontainers.image.title':'l2'}},"
	"{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" H4 "','size':0}],"
	"'annotations':{'org.opencontainers.image.created':'2024-01-01T00:00:00Z'}}";

static const char encrypted_manifest[] =
	"{'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json',"
	"'digest':'sha256:" H3 "','size':508},'layers':[{'mediaType':"
	"'application/vnd.oci.image.layer.v1.tar+gzip+encrypted','digest':'sha256:" H2 "',"
	"'size':102,'annotations':{'org.opencontainers.image.enc.keys.provider.attestation-agent':"
	"'eyJrIjoxfQ==','org.opencontainers.image.enc.pubopts':'eyJjaXBoZXIiOiJBRVMifQ=='}},"
	"{'mediaType':'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd+encrypted',"
	"'digest':'sha256:" H4 "','size':5}]}";

/* A busybox-like Docker config, as docker build writes it. */
static const char busybox_config[] =
	"{'architecture':'amd64','config':{'Hostname':'','Domainname':'','User':'nobody',"
	"'AttachStdin':false,'Tty':false,'Env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
	"/usr/bin:/sbin:/bin','LANG=C.UTF-8','EMPTY='],'Cmd':['sh'],'Image':'sha256:" H4 "',"
	"'Volumes':null,'WorkingDir':'/home','Entrypoint':null,'OnBuild':null,"
	"'Labels':{'a':'b'},'ExposedPorts':{'80/tcp':{}},'StopSignal':'SIGTERM'},"
	"'container':'b4b0', 'container_config':{'Cmd':['/bin/sh','-c','#(nop) CMD [\\'sh\\']']},"
	"'created':'2024-09-26T21:31:42.164543286Z','docker_version':'20.10.23',"
	"'history':[{'created':'2024-09-26T21:31:42Z','created_by':'/bin/sh -c #(nop) ADD file'}],"
	"'os':'linux','rootfs':{'type':'layers','diff_ids':['sha256:" H1 "','sha256:" H2 "']}}";

static void test_umoci_layout(void **state)
{
	const struct oci_desc *d;

	(void)state;
	assert_int_equal(index_parse(umoci_index), 0);
	assert_int_equal(ix.n_manifests, 1);
	assert_string_equal(ix.media_type, "");
	assert_string_equal(ix.manifests[0].ref_name, "t");
	assert_int_equal(ix.manifests[0].n_annotations, 1);
	assert_int_equal(ix.manifests[0].size, 345);
	assert_false(ix.manifests[0].has_platform);
	assert_int_equal(oci_index_find_tag(&ix, "t", &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[0]);
	assert_digest(&d->digest,
		      "sha256:b793b00c8079de15e6bdec53ce5617694e568f37d0b9dcb1a96ecf6d94a2ea29");
	assert_int_equal(kind(umoci_index),
			 OCI_KIND_INDEX);

	assert_int_equal(manifest_parse(umoci_manifest), 0);
	assert_int_equal(oci_manifest_check_desc(&man, d, &e), 0);
	assert_int_equal(man.n_layers, 1);
	assert_digest(&man.config.digest, "sha256:" H3);
	assert_int_equal(man.config.size, 508);
	assert_int_equal(man.layers[0].comp, OCI_COMP_GZIP);
	assert_false(man.layers[0].encrypted);
	assert_int_equal(kind(umoci_manifest),
			 OCI_KIND_MANIFEST);

	assert_int_equal(config_parse(umoci_config, sizeof(arena)), 0);
	assert_string_equal(cfg.architecture, "amd64");
	assert_string_equal(cfg.os, "linux");
	assert_int_equal(cfg.n_entrypoint, 1);
	assert_string_equal(cfg.entrypoint[0], "/bin/busybox");
	assert_null(cfg.entrypoint[1]);
	assert_int_equal(cfg.n_cmd, 3);
	assert_string_equal(cfg.cmd[2], "echo hi");
	assert_null(cfg.cmd[3]);
	assert_int_equal(cfg.n_env, 1);
	assert_string_equal(cfg.env[0], "PATH=/usr/bin:/bin");
	assert_string_equal(cfg.working_dir, "/srv");
	assert_string_equal(cfg.user, "1000:1000");
	assert_int_equal(cfg.n_diff_ids, 1);
	assert_digest(&cfg.diff_ids[0], "sha256:" H1);
}

static void test_docker_manifest(void **state)
{
	struct oci_desc d = { .media_type = OCI_MT_DOCKER_MANIFEST };

	(void)state;
	assert_int_equal(manifest_parse(docker_manifest), 0);
	assert_string_equal(man.media_type, OCI_MT_DOCKER_MANIFEST);
	assert_string_equal(man.config.media_type, OCI_MT_DOCKER_CONFIG);
	assert_int_equal(man.n_layers, 1);
	assert_int_equal(man.layers[0].comp, OCI_COMP_GZIP);
	assert_int_equal(man.layers[0].size, 102);
	assert_int_equal(oci_manifest_check_desc(&man, &d, &e), 0);
	/* the descriptor says OCI, the manifest says Docker */
	snprintf(d.media_type, sizeof(d.media_type), "%s", OCI_MT_MANIFEST);
	assert_int_equal(oci_manifest_check_desc(&man, &d, &e), -ERR_FORMAT);
	assert_msg("differs");
	snprintf(d.media_type, sizeof(d.media_type), "%s", OCI_MT_CONFIG);
	assert_int_equal(oci_manifest_check_desc(&man, &d, &e), -ERR_FORMAT);
	assert_msg("not a manifest type");
}

static void test_oci_manifest_layers(void **state)
{
	const uint8_t *p;
	char val[64];

	(void)state;
	assert_int_equal(manifest_parse(oci_manifest_gz_zstd), 0);
	assert_int_equal(man.n_layers, 3);
	assert_int_equal(man.layers[0].comp, OCI_COMP_GZIP);
	assert_int_equal(man.layers[0].size, 2152262);
	assert_int_equal(man.layers[1].comp, OCI_COMP_ZSTD);
	assert_int_equal(man.layers[1].size, OCI_SIZE_MAX);
	assert_int_equal(man.layers[1].n_annotations, 1);
	assert_int_equal(man.layers[2].comp, OCI_COMP_NONE);
	assert_int_equal(man.layers[2].size, 0);
	assert_digest(&man.layers[2].digest, "sha256:" H4);
	p = J(oci_manifest_gz_zstd);
	assert_int_equal(oci_manifest_layer_annotation(p, doc_len, 1,
		"org.opencontainers.image.title", val, sizeof(val), work, sizeof(work), &e), 0);
	assert_string_equal(val, "l2");
}

static void test_encrypted_layers(void **state)
{
	char val[64];
	const uint8_t *p;

	(void)state;
	assert_int_equal(manifest_parse(encrypted_manifest), 0);
	assert_int_equal(man.n_layers, 2);
	assert_true(man.layers[0].encrypted);
	assert_false(man.layers[0].nondistributable);
	assert_int_equal(man.layers[0].comp, OCI_COMP_GZIP);
	assert_int_equal(man.layers[0].n_annotations, 2);
	assert_true(man.layers[1].encrypted);
	assert_true(man.layers[1].nondistributable);
	assert_int_equal(man.layers[1].comp, OCI_COMP_ZSTD);
	p = J(encrypted_manifest);
	assert_int_equal(oci_manifest_layer_annotation(p, doc_len, 0,
		"org.opencontainers.image.enc.pubopts", val, sizeof(val), work, sizeof(work), &e), 0);
	assert_string_equal(val, "eyJjaXBoZXIiOiJBRVMifQ==");
	assert_int_equal(oci_manifest_layer_annotation(p, doc_len, 0,
		"org.opencontainers.image.enc.keys.jwe", val, sizeof(val), work, sizeof(work), &e),
		-ERR_NOTFOUND);
	assert_string_equal(val, "");
	assert_int_equal(oci_manifest_layer_annotation(p, doc_len, 1,
		"org.opencontainers.image.enc.pubopts", val, sizeof(val), work, sizeof(work), &e),
		-ERR_NOTFOUND);
	assert_int_equal(oci_manifest_layer_annotation(p, doc_len, 2,
		"org.opencontainers.image.enc.pubopts", val, sizeof(val), work, sizeof(work), &e),
		-ERR_NOTFOUND);
	assert_int_equal(oci_manifest_layer_annotation(p, doc_len, 0,
		"org.opencontainers.image.enc.pubopts", val, 8, work, sizeof(work), &e), -ERR_LIMIT);
}

static void test_media_kinds(void **state)
{
	(void)state;
	assert_int_equal(oci_media_kind(OCI_MT_INDEX), OCI_KIND_INDEX);
	assert_int_equal(oci_media_kind(OCI_MT_DOCKER_LIST), OCI_KIND_INDEX);
	assert_int_equal(oci_media_kind(OCI_MT_MANIFEST), OCI_KIND_MANIFEST);
	assert_int_equal(oci_media_kind(OCI_MT_DOCKER_MANIFEST), OCI_KIND_MANIFEST);
	assert_int_equal(oci_media_kind(OCI_MT_DOCKER_CONFIG), OCI_KIND_CONFIG);
	assert_int_equal(oci_media_kind(OCI_MT_LAYER_ZSTD "+encrypted"), OCI_KIND_LAYER);
	assert_int_equal(oci_media_kind(OCI_MT_DOCKER_FOREIGN), OCI_KIND_LAYER);
	/* +encrypted applies to layers only; no prefix or suffix matching */
	assert_int_equal(oci_media_kind(OCI_MT_MANIFEST "+encrypted"), OCI_KIND_UNKNOWN);
	assert_int_equal(oci_media_kind("+encrypted"), OCI_KIND_UNKNOWN);
	assert_int_equal(oci_media_kind(OCI_MT_LAYER "+gzip+encrypted+encrypted"), OCI_KIND_UNKNOWN);
	assert_int_equal(oci_media_kind("application/vnd.oci.image.layer.v1.tar+bzip2"),
			 OCI_KIND_UNKNOWN);
	assert_int_equal(oci_media_kind(OCI_MT_LAYER " "), OCI_KIND_UNKNOWN);
	assert_int_equal(oci_media_kind(NULL), OCI_KIND_UNKNOWN);
}

static void test_busybox_config(void **state)
{
	(void)state;
	assert_int_equal(config_parse(busybox_config, sizeof(arena)), 0);
	assert_int_equal(cfg.n_entrypoint, 0);
	assert_null(cfg.entrypoint[0]);
	assert_int_equal(cfg.n_cmd, 1);
	assert_string_equal(cfg.cmd[0], "sh");
	assert_int_equal(cfg.n_env, 3);
	assert_string_equal(cfg.env[1], "LANG=C.UTF-8");
	assert_string_equal(cfg.env[2], "EMPTY=");
	assert_null(cfg.env[3]);
	assert_string_equal(cfg.working_dir, "/home");
	assert_string_equal(cfg.user, "nobody");
	assert_int_equal(cfg.n_diff_ids, 2);
	assert_digest(&cfg.diff_ids[1], "sha256:" H2);
	/* strings live in the arena */
	assert_true(cfg.cmd[0] >= arena && cfg.cmd[0] < arena + sizeof(arena));
}

static void test_config_optional(void **state)
{
	static const char *const docs[] = {
		"{'architecture':'arm64','os':'linux','variant':'v8',"
		"'rootfs':{'type':'layers','diff_ids':[]}}",
		"{'architecture':'arm64','os':'linux','variant':'v8','config':null,"
		"'rootfs':{'type':'layers','diff_ids':[]}}",
		"{'architecture':'arm64','os':'linux','variant':'v8','config':{'Env':null,"
		"'Cmd':null,'WorkingDir':null,'User':null},'rootfs':{'type':'layers','diff_ids':[]}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(config_parse(docs[i], 1), 0);
		assert_string_equal(cfg.variant, "v8");
		assert_int_equal(cfg.n_cmd + cfg.n_entrypoint + cfg.n_env + cfg.n_diff_ids, 0);
		assert_null(cfg.cmd[0]);
		assert_null(cfg.env[0]);
		assert_string_equal(cfg.working_dir, "");
		assert_string_equal(cfg.user, "");
	}
}

/* ---- index look-ups ------------------------------------------------------------ */

static void test_docker_list_platforms(void **state)
{
	const struct oci_desc *d;

	(void)state;
	assert_int_equal(index_parse(docker_list), 0);
	assert_int_equal(ix.n_manifests, 4);
	assert_string_equal(ix.media_type, OCI_MT_DOCKER_LIST);
	assert_int_equal(oci_index_pick_platform(&ix, NULL, NULL, &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[0]);
	assert_int_equal(oci_index_pick_platform(&ix, "linux", "arm/v7", &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[2]);
	assert_string_equal(d->platform_variant, "v7");
	assert_int_equal(oci_index_pick_platform(&ix, "linux", "arm64", &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[3]);
	/* arm without a variant: v6 and v7 both match */
	assert_int_equal(oci_index_pick_platform(&ix, "linux", "arm", &d, &e), -ERR_FORMAT);
	assert_msg("ambiguous");
	assert_null(d);
	assert_int_equal(oci_index_pick_platform(&ix, "linux", "s390x", &d, &e), -ERR_NOTFOUND);
	assert_msg("linux/arm/v7");
	assert_int_equal(oci_index_pick_platform(&ix, "windows", "amd64", &d, &e), -ERR_NOTFOUND);
	assert_int_equal(kind(docker_list),
			 OCI_KIND_INDEX);
}

static void test_buildx_attestation_skipped(void **state)
{
	const struct oci_desc *d;

	(void)state;
	assert_int_equal(index_parse(buildx_index), 0);
	assert_int_equal(ix.n_manifests, 2);
	assert_int_equal(ix.manifests[1].n_annotations, 2);
	assert_string_equal(ix.manifests[1].platform_os, "unknown");
	assert_int_equal(oci_index_pick_platform(&ix, NULL, NULL, &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[0]);
	assert_int_equal(d->size, 1013);
}

static void test_find_tag(void **state)
{
	const struct oci_desc *d;

	(void)state;
	assert_int_equal(index_parse(layout_index), 0);
	assert_int_equal(oci_index_find_tag(&ix, "1.36", &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[0]);
	assert_int_equal(oci_index_find_tag(&ix, "docker.io/library/busybox:latest", &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[1]);
	/* the tag part of a full reference */
	assert_int_equal(oci_index_find_tag(&ix, "latest", &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[1]);
	assert_int_equal(oci_index_find_tag(&ix, "busybox:latest", &d, &e), -ERR_NOTFOUND);
	assert_null(d);
	assert_int_equal(oci_index_find_tag(&ix, "lates", &d, &e), -ERR_NOTFOUND);
	assert_msg("not found");
	assert_int_equal(oci_index_find_tag(&ix, "", &d, &e), -ERR_FORMAT);
	/* no platforms in a layout index */
	assert_int_equal(oci_index_pick_platform(&ix, NULL, NULL, &d, &e), -ERR_NOTFOUND);
	assert_msg("no platforms");
}

static void test_find_tag_ambiguous(void **state)
{
	const struct oci_desc *d;

	(void)state;
	assert_int_equal(index_parse("{'schemaVersion':2,'manifests':["
		"{'mediaType':'x','digest':'sha256:" H1 "','size':1,"
		" 'annotations':{'org.opencontainers.image.ref.name':'a'}},"
		"{'mediaType':'x','digest':'sha256:" H1 "','size':1,"
		" 'annotations':{'org.opencontainers.image.ref.name':'a'}},"
		"{'mediaType':'x','digest':'sha256:" H2 "','size':1,"
		" 'annotations':{'org.opencontainers.image.ref.name':'b'}},"
		"{'mediaType':'x','digest':'sha256:" H3 "','size':1,"
		" 'annotations':{'org.opencontainers.image.ref.name':'b'}}]}"), 0);
	/* same digest twice is fine, two digests are not */
	assert_int_equal(oci_index_find_tag(&ix, "a", &d, &e), 0);
	assert_ptr_equal(d, &ix.manifests[0]);
	assert_int_equal(oci_index_find_tag(&ix, "b", &d, &e), -ERR_FORMAT);
	assert_msg("ambiguous");
}

/* ---- blob kind ------------------------------------------------------------------ */

static void test_blob_kind(void **state)
{
	(void)state;
	assert_int_equal(kind(docker_manifest),
			 OCI_KIND_MANIFEST);
	assert_int_equal(kind("{'mediaType':'" OCI_MT_INDEX "'}"), OCI_KIND_INDEX);
	assert_int_equal(kind("{'manifests':[],'layers':[]}"), OCI_KIND_UNKNOWN);
	assert_int_equal(kind("{'mediaType':'" OCI_MT_MANIFEST "','manifests':[]}"),
			 OCI_KIND_UNKNOWN);
	assert_int_equal(kind("{'mediaType':'" OCI_MT_CONFIG "'}"), OCI_KIND_UNKNOWN);
	assert_int_equal(kind("{'manifests':[],'manifests':[]}"), OCI_KIND_UNKNOWN);
	assert_int_equal(kind("[]"), OCI_KIND_UNKNOWN);
	assert_int_equal(kind("{}"), OCI_KIND_UNKNOWN);
	assert_int_equal(kind("{'config':{}} x"),
			 OCI_KIND_UNKNOWN);
}

/* ---- rejections ------------------------------------------------------------------- */

static void test_manifest_is_index(void **state)
{
	(void)state;
	assert_int_equal(manifest_parse(docker_list), -ERR_FORMAT);
	assert_msg("is an image index");
	assert_int_equal(man.n_layers, 0);
	assert_int_equal(manifest_parse("{'schemaVersion':2,'manifests':[],'config':{},'layers':[]}"),
			 -ERR_FORMAT);
	assert_msg("has \"manifests\"");
	/* and the other way round */
	assert_int_equal(index_parse(umoci_manifest), -ERR_FORMAT);
	assert_msg("manifest fields");
	assert_int_equal(index_parse("{'schemaVersion':2,'mediaType':'" OCI_MT_MANIFEST "',"
				     "'manifests':[]}"), -ERR_FORMAT);
	assert_msg("not an index type");
}

static void test_duplicate_keys(void **state)
{
	static const char two_layers[] =
		"{'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json',"
		"'digest':'sha256:" H3 "','size':508},'layers':[],'layers':[{'mediaType':"
		"'application/vnd.oci.image.layer.v1.tar','digest':'sha256:" H2 "','size':1}]}";

	(void)state;
	assert_int_equal(manifest_parse(two_layers), -ERR_FORMAT);
	assert_msg("duplicate key \"layers\"");
	assert_int_equal(manifest_parse("{'schemaVersion':2,'schemaVersion':2,'config':{},"
					"'layers':[]}"), -ERR_FORMAT);
	assert_msg("duplicate key \"schemaVersion\"");
	/* inside a descriptor */
	assert_int_equal(index_parse("{'schemaVersion':2,'manifests':[{'mediaType':'x',"
		"'digest':'sha256:" H1 "','digest':'sha256:" H2 "','size':1}]}"), -ERR_FORMAT);
	assert_msg("manifests[0]: duplicate key \"digest\"");
	assert_int_equal(index_parse("{'schemaVersion':2,'manifests':[{'mediaType':'x',"
		"'digest':'sha256:" H1 "','size':1,'annotations':{"
		"'org.opencontainers.image.ref.name':'a','org.opencontainers.image.ref.name':'b'}}]}"),
		-ERR_FORMAT);
	assert_msg("duplicate key \"org.opencontainers.image.ref.name\"");
	/* in a config */
	assert_int_equal(config_parse("{'architecture':'amd64','os':'linux','config':{'Cmd':['a'],"
		"'Cmd':['b']},'rootfs':{'type':'layers','diff_ids':[]}}", sizeof(arena)), -ERR_FORMAT);
	assert_msg("duplicate key \"Cmd\"");
	assert_int_equal(config_parse("{'architecture':'amd64','os':'linux','config':null,"
		"'config':{'Cmd':['b']},'rootfs':{'type':'layers','diff_ids':[]}}", sizeof(arena)),
		-ERR_FORMAT);
	/* keys differing by an escaped NUL are different keys, not duplicates */
	assert_int_equal(manifest_parse("{'schemaVersion':2,'config':{'mediaType':"
		"'application/vnd.oci.image.config.v1+json','digest':'sha256:" H3 "','size':508},"
		"'layers':[],'layers\\u0000':7}"), 0);
}

static void test_wrong_types(void **state)
{
	static const char *const bad[] = {
		"{'schemaVersion':'2','manifests':[]}",
		"{'schemaVersion':2.0,'manifests':[]}",
		"{'schemaVersion':2,'manifests':{}}",
		"{'schemaVersion':2,'manifests':null}",
		"{'schemaVersion':2,'manifests':[7]}",
		"{'schemaVersion':2,'mediaType':7,'manifests':[]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':1,'digest':'sha256:" H1 "','size':1}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':'1'}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':-1}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':1.5}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':1e3}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':9007199254740993}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':1e400}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':99999999999999999999999}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "'}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','size':1}]}",
		"{'schemaVersion':2,'manifests':[{'digest':'sha256:" H1 "','size':1}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':7,'size':1}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':1,"
		"'platform':'linux/amd64'}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':1,"
		"'platform':{'os':'linux'}}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':1,"
		"'annotations':[]}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'sha256:" H1 "','size':1,"
		"'annotations':{'k':1}}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x\\u0000y','digest':'sha256:" H1 "','size':1}]}",
		"{'schemaVersion':2,'manifests':[{'mediaType':'x\\ny','digest':'sha256:" H1 "','size':1}]}",
		"{'manifests':[]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (index_parse(bad[i]) != -ERR_FORMAT)
			fail_msg("case %zu: got %d (%s)", i, e.code, e.msg);
		assert_int_equal(e.code, -ERR_FORMAT);
		assert_int_equal(ix.n_manifests, 0);
	}
	assert_int_equal(index_parse("{'schemaVersion':2,'manifests':[{'mediaType':'x',"
		"'digest':'sha256:" H1 "','size':-1}]}"), -ERR_FORMAT);
	assert_msg("index: manifests[0]: \"size\": negative");
}

static void test_bad_digests(void **state)
{
	char buf[512];

	(void)state;
#define DESC_DOC(dg) "{'schemaVersion':2,'manifests':[{'mediaType':'x','digest':'" dg "','size':1}]}"
	assert_int_equal(index_parse(DESC_DOC("sha256:D9CFC0B3F258C429195E677EA9CBD0A37DD014A09D42F5EA7B734F79DD520408")),
			 -ERR_FORMAT);
	assert_msg("lowercase");
	assert_int_equal(index_parse(DESC_DOC("sha256:d9cfc0b3")), -ERR_FORMAT);
	assert_int_equal(index_parse(DESC_DOC(H3)), -ERR_FORMAT);
	assert_msg("no algorithm prefix");
	assert_int_equal(index_parse(DESC_DOC("sha512:" H3 H3)), -ERR_UNSUPPORTED);
	assert_msg("sha512");
	/* in a config's diff_ids */
	snprintf(buf, sizeof(buf), "{'architecture':'amd64','os':'linux','rootfs':{'type':"
		 "'layers','diff_ids':['sha256:%s','sha256:%.60s']}}", H1, H2);
	assert_int_equal(config_parse(buf, sizeof(arena)), -ERR_FORMAT);
	assert_msg("rootfs.diff_ids[1]");
	assert_int_equal(config_parse("{'architecture':'amd64','os':'linux','rootfs':{'type':"
		"'layers','diff_ids':[1]}}", sizeof(arena)), -ERR_FORMAT);
#undef DESC_DOC
}

static void test_strict_json(void **state)
{
	static const char *const bad[] = {
		"{'schemaVersion':2,'manifests':[]} x",
		"{'schemaVersion':2,'manifests':[]}{}",
		"{'schemaVersion':2,'manifests':[],}",
		"{'schemaVersion':2,/* c */'manifests':[]}",
		"{'schemaVersion':2,'manifests':[]} // c",
		"{'schemaVersion':NaN,'manifests':[]}",
		"{'schemaVersion':Infinity,'manifests':[]}",
		"{'schemaVersion':2,'manifests':[],'x':'\xff'}",
		"{'schemaVersion':2,'manifests':[],'x':'\xc0\xaf'}",
		"{'schemaVersion':2,'manifests':[],'x':'\xed\xa0\x80'}",
		"{'schemaVersion':2,'manifests':[],'x':'\\ud800'}",
		"",
		" ",
		"[]",
		"'x'",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (index_parse(bad[i]) != -ERR_FORMAT)
			fail_msg("case %zu: got %d (%s)", i, e.code, e.msg);
	}
	/* an explicit NUL after the value is trailing garbage too */
	memset(&e, 0, sizeof(e));
	assert_int_equal(oci_index_parse((const uint8_t *)"{\"schemaVersion\":2,\"manifests\":[]}",
					 35, &ix, work, sizeof(work), &e), -ERR_FORMAT);
	/* whitespace around the value is fine */
	assert_int_equal(index_parse(" \n{'schemaVersion':2,'manifests':[]}\r\n\t "), 0);
	assert_int_equal(index_parse("{'schemaVersion':2,'manifests':[],'x':'\xc3\xa9\\u00e9'}"), 0);
}

static void test_schema_version(void **state)
{
	(void)state;
	assert_int_equal(manifest_parse("{'schemaVersion':1,'name':'library/busybox','tag':'latest',"
		"'architecture':'amd64','fsLayers':[{'blobSum':'sha256:" H1 "'}],'history':[],"
		"'signatures':[]}"), -ERR_UNSUPPORTED);
	assert_msg("schemaVersion 1");
	assert_int_equal(index_parse("{'schemaVersion':3,'manifests':[]}"), -ERR_UNSUPPORTED);
	assert_int_equal(index_parse("{'schemaVersion':-2,'manifests':[]}"), -ERR_FORMAT);
	assert_int_equal(manifest_parse("{'config':{},'layers':[]}"), -ERR_FORMAT);
	assert_msg("missing \"schemaVersion\"");
}

static void test_unknown_media_types(void **state)
{
	(void)state;
	assert_int_equal(manifest_parse("{'schemaVersion':2,'config':{'mediaType':"
		"'application/vnd.oci.image.config.v1+json','digest':'sha256:" H3 "','size':508},"
		"'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+bzip2','digest':"
		"'sha256:" H2 "','size':1}]}"), -ERR_UNSUPPORTED);
	assert_msg("layers[0]: unknown layer media type "
		   "\"application/vnd.oci.image.layer.v1.tar+bzip2\"");
	assert_int_equal(manifest_parse("{'schemaVersion':2,'config':{'mediaType':"
		"'application/vnd.oci.empty.v1+json','digest':'sha256:" H3 "','size':2},"
		"'layers':[]}"), -ERR_UNSUPPORTED);
	assert_msg("not an image config");
	assert_int_equal(manifest_parse("{'schemaVersion':2,'mediaType':'text/plain',"
		"'config':{},'layers':[]}"), -ERR_FORMAT);
	assert_msg("not a manifest type");
}

/* A manifest with n layers, into doc via J(). */
static const uint8_t *many_layers(size_t n)
{
	static char buf[1 << 19];
	size_t used, i;

	used = (size_t)snprintf(buf, sizeof(buf), "{'schemaVersion':2,'config':{'mediaType':"
		"'application/vnd.oci.image.config.v1+json','digest':'sha256:" H3 "','size':1},"
		"'layers':[");
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s{'mediaType':"
			"'application/vnd.oci.image.layer.v1.tar+gzip','digest':'sha256:" H2 "',"
			"'size':%zu}", i ? "," : "", i);
	snprintf(buf + used, sizeof(buf) - used, "]}");
	assert_true(used + 2 < sizeof(buf));
	return J(buf);
}

static void test_limits(void **state)
{
	const uint8_t *p;

	(void)state;
	p = many_layers(OCI_MAX_LAYERS);
	assert_int_equal(oci_manifest_parse(p, doc_len, &man, work, sizeof(work), &e), 0);
	assert_int_equal(man.n_layers, OCI_MAX_LAYERS);
	assert_int_equal(man.layers[OCI_MAX_LAYERS - 1].size, OCI_MAX_LAYERS - 1);
	p = many_layers(OCI_MAX_LAYERS + 1);
	assert_int_equal(oci_manifest_parse(p, doc_len, &man, work, sizeof(work), &e), -ERR_LIMIT);
	assert_msg("129 entries, at most 128");
	/* work too small: a clear limit error */
	p = J(umoci_manifest);
	memset(&e, 0, sizeof(e));
	assert_int_equal(oci_manifest_parse(p, doc_len, &man, work, 200, &e), -ERR_LIMIT);
	assert_msg("work area");
	assert_int_equal(oci_manifest_parse(p, doc_len, &man, work, 16, &e), -ERR_LIMIT);
	assert_int_equal(oci_manifest_parse(p, doc_len, &man, NULL, 0, &e), -ERR_LIMIT);
	/* the hint is enough */
	assert_int_equal(oci_manifest_parse(p, doc_len, &man, work, oci_work_size_hint(doc_len),
					    &e), 0);
	assert_int_equal(oci_work_size_hint(OCI_JSON_MAX + 1), 0);
	/* a too-long string for its field */
	assert_int_equal(index_parse("{'schemaVersion':2,'manifests':[{'mediaType':'"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa','digest':'sha256:" H1 "','size':1}]}"),
		-ERR_LIMIT);
	assert_msg("at most 127");
}

static void test_too_many_manifests(void **state)
{
	static char buf[1 << 17];
	size_t used, i, n;

	(void)state;
	for (n = OCI_MAX_MANIFESTS; n <= OCI_MAX_MANIFESTS + 1; n++) {
		used = (size_t)snprintf(buf, sizeof(buf), "{'schemaVersion':2,'manifests':[");
		for (i = 0; i < n; i++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s{'mediaType':'x',"
				"'digest':'sha256:" H1 "','size':1}", i ? "," : "");
		snprintf(buf + used, sizeof(buf) - used, "]}");
		assert_int_equal(index_parse(buf), n > OCI_MAX_MANIFESTS ? -ERR_LIMIT : 0);
	}
}

static void test_oversize_document(void **state)
{
	uint8_t *big = calloc(1, OCI_JSON_MAX + 1);

	(void)state;
	assert_non_null(big);
	memset(&e, 0, sizeof(e));
	assert_int_equal(oci_config_parse(big, OCI_JSON_MAX + 1, &cfg, arena, sizeof(arena), work,
					  sizeof(work), &e), -ERR_LIMIT);
	free(big);
}

static void test_config_rejects(void **state)
{
	static char buf[1 << 14];
	size_t used, i;

	(void)state;
#define CFG(c) "{'architecture':'amd64','os':'linux','config':" c ",'rootfs':{'type':'layers','diff_ids':[]}}"
	assert_int_equal(config_parse(CFG("{'Cmd':['a\\u0000b']}"), sizeof(arena)), -ERR_FORMAT);
	assert_msg("NUL");
	assert_int_equal(config_parse(CFG("{'WorkingDir':'/a\\u0000'}"), sizeof(arena)), -ERR_FORMAT);
	assert_int_equal(config_parse(CFG("{'Env':['NOVALUE']}"), sizeof(arena)), -ERR_FORMAT);
	assert_msg("NAME=value");
	assert_int_equal(config_parse(CFG("{'Env':['=x']}"), sizeof(arena)), -ERR_FORMAT);
	assert_int_equal(config_parse(CFG("{'Env':['A=1',2]}"), sizeof(arena)), -ERR_FORMAT);
	assert_msg("\"Env\"[1]: expected a string");
	assert_int_equal(config_parse(CFG("{'Cmd':'sh'}"), sizeof(arena)), -ERR_FORMAT);
	assert_int_equal(config_parse(CFG("{'User':0}"), sizeof(arena)), -ERR_FORMAT);
	assert_int_equal(config_parse(CFG("[]"), sizeof(arena)), -ERR_FORMAT);
	assert_int_equal(config_parse("{'architecture':'amd64','os':'linux','rootfs':"
		"{'type':'layers'}}", sizeof(arena)), -ERR_FORMAT);
	assert_int_equal(config_parse("{'architecture':'amd64','os':'linux','rootfs':"
		"{'type':'tar','diff_ids':[]}}", sizeof(arena)), -ERR_UNSUPPORTED);
	assert_int_equal(config_parse("{'architecture':'amd64','os':'linux'}", sizeof(arena)),
			 -ERR_FORMAT);
	assert_msg("missing \"rootfs\"");
	assert_int_equal(config_parse("{'os':'linux','rootfs':{'type':'layers','diff_ids':[]}}",
				      sizeof(arena)), -ERR_FORMAT);
	assert_msg("missing \"architecture\"");
	/* arena exhaustion */
	assert_int_equal(config_parse(umoci_config, 40), -ERR_LIMIT);
	assert_msg("arena");
	assert_int_equal(cfg.n_cmd, 0);
	assert_int_equal(config_parse(CFG("{'Cmd':['abc']}"), 4), 0);
	assert_int_equal(config_parse(CFG("{'Cmd':['abc']}"), 3), -ERR_LIMIT);
	assert_int_equal(config_parse(CFG("{'Cmd':['a'],'WorkingDir':'/'}"), 3), -ERR_LIMIT);
	/* too many arguments / variables */
	used = (size_t)snprintf(buf, sizeof(buf), "{'architecture':'amd64','os':'linux',"
				"'rootfs':{'type':'layers','diff_ids':[]},'config':{'Env':[");
	for (i = 0; i <= OCI_MAX_ENV; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s'V=%zu'", i ? "," : "", i);
	snprintf(buf + used, sizeof(buf) - used, "]}}");
	assert_int_equal(config_parse(buf, sizeof(arena)), -ERR_LIMIT);
	assert_msg("\"Env\": 257 entries");
#undef CFG
}

static void test_too_many_args(void **state)
{
	static char buf[1 << 14];
	size_t used, i, n;

	(void)state;
	for (n = OCI_MAX_ARGS; n <= OCI_MAX_ARGS + 1; n++) {
		used = (size_t)snprintf(buf, sizeof(buf), "{'architecture':'amd64','os':'linux',"
					"'rootfs':{'type':'layers','diff_ids':[]},'config':{'Cmd':[");
		for (i = 0; i < n; i++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s'a'", i ? "," : "");
		snprintf(buf + used, sizeof(buf) - used, "]}}");
		assert_int_equal(config_parse(buf, sizeof(arena)), n > OCI_MAX_ARGS ? -ERR_LIMIT : 0);
	}
	/* OCI_MAX_ARGS fit, NULL-terminated */
	used = (size_t)snprintf(buf, sizeof(buf), "{'architecture':'amd64','os':'linux',"
				"'rootfs':{'type':'layers','diff_ids':[]},'config':{'Entrypoint':[");
	for (i = 0; i < OCI_MAX_ARGS; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s'%zu'", i ? "," : "", i);
	snprintf(buf + used, sizeof(buf) - used, "]}}");
	assert_int_equal(config_parse(buf, sizeof(arena)), 0);
	assert_int_equal(cfg.n_entrypoint, OCI_MAX_ARGS);
	assert_string_equal(cfg.entrypoint[OCI_MAX_ARGS - 1], "255");
	assert_null(cfg.entrypoint[OCI_MAX_ARGS]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_umoci_layout),
		cmocka_unit_test(test_docker_manifest),
		cmocka_unit_test(test_oci_manifest_layers),
		cmocka_unit_test(test_encrypted_layers),
		cmocka_unit_test(test_media_kinds),
		cmocka_unit_test(test_busybox_config),
		cmocka_unit_test(test_config_optional),
		cmocka_unit_test(test_docker_list_platforms),
		cmocka_unit_test(test_buildx_attestation_skipped),
		cmocka_unit_test(test_find_tag),
		cmocka_unit_test(test_find_tag_ambiguous),
		cmocka_unit_test(test_blob_kind),
		cmocka_unit_test(test_manifest_is_index),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_digests),
		cmocka_unit_test(test_strict_json),
		cmocka_unit_test(test_schema_version),
		cmocka_unit_test(test_unknown_media_types),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_too_many_manifests),
		cmocka_unit_test(test_oversize_document),
		cmocka_unit_test(test_config_rejects),
		cmocka_unit_test(test_too_many_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
