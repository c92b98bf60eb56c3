/* resolve: `ccguest resolve` and the pinning step of `ccguest run` (see
 * resolve.h).  Everything read here is checked again in the guest; the host
 * check only turns a wrong reference into an early, clear error. */
#include "host/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "host/cli.h"
#include "host/util.h"

#define RS_INDEX_MAX OCI_JSON_MAX

struct rs {
	int dirfd;                  /* the layout */
	const char *layout;
	struct oci_index *ix;       /* index.json, or the pinned index */
	void *work;
	size_t work_len;
};

/* Read blobs/sha256/<hex> of d (bounded) and check its digest. */
static int rs_read_blob(struct rs *r, const struct digest *d, char **buf,
			size_t *len, struct err *e)
{
	char ds[DIGEST_STR_MAX], path[32 + DIGEST_STR_MAX];
	uint8_t h[SHA256_LEN];
	struct digest got = { .alg = DIGEST_SHA256 };
	int rc;

	digest_format(d, ds);
	snprintf(path, sizeof(path), "blobs/sha256/%s", ds + 7);
	rc = util_read_file(r->dirfd, path, OCI_JSON_MAX, buf, len, e);
	if (rc < 0)
		return err_wrap(e, rc, "%s", r->layout);
	sha256(*buf, *len, h);
	memcpy(got.hash, h, sizeof(h));
	if (!digest_equal(d, &got)) {
		char gs[DIGEST_STR_MAX];

		digest_format(&got, gs);
		free(*buf);
		*buf = NULL;
		return err_set(e, -ERR_DIGEST, "%s: blob %s: digest mismatch: "
			       "expected %s, got %s", r->layout, ds, ds, gs);
	}
	return 0;
}

/* The JSON work area for n bytes. */
static int rs_work(struct rs *r, size_t n, struct err *e)
{
	size_t need = oci_work_size_hint(n);

	if (need == 0)
		return err_set(e, -ERR_LIMIT, "%s: document too large", r->layout);
	if (need <= r->work_len)
		return 0;
	free(r->work);
	r->work = malloc(need);
	r->work_len = r->work ? need : 0;
	return r->work ? 0 : err_set(e, -ENOMEM, "out of memory");
}

/* A full parse: oci_blob_kind() alone takes an image config (it has a
 * "config" member) for a manifest. */
static int rs_check_manifest(struct rs *r, const char *buf, size_t len,
			     struct err *e)
{
	struct oci_manifest *m = malloc(sizeof(*m));
	int rc;

	if (!m)
		return err_set(e, -ENOMEM, "out of memory");
	rc = oci_manifest_parse((const uint8_t *)buf, len, m, r->work,
				r->work_len, e);
	free(m);
	return rc;
}

/* Check the pinned blob: its kind, and for an index a linux/amd64 entry. */
static int rs_check_blob(struct rs *r, const struct digest *d,
			 const struct oci_desc *desc, enum oci_kind *kind,
			 struct err *e)
{
	const struct oci_desc *pick;
	char *buf = NULL, ds[DIGEST_STR_MAX];
	size_t len = 0;
	int rc = rs_read_blob(r, d, &buf, &len, e);

	digest_format(d, ds);
	if (rc == 0 && desc && desc->size != len)
		rc = err_set(e, -ERR_FORMAT, "%s: blob %s: size mismatch: expected "
			     "%llu, got %zu", r->layout, ds,
			     (unsigned long long)desc->size, len);
	if (rc == 0)
		rc = rs_work(r, len, e);
	if (rc == 0)
		*kind = oci_blob_kind((const uint8_t *)buf, len, r->work, r->work_len);
	if (rc == 0 && *kind == OCI_KIND_INDEX) {
		rc = oci_index_parse((const uint8_t *)buf, len, r->ix, r->work,
				     r->work_len, e);
		if (rc == 0)
			rc = oci_index_pick_platform(r->ix, NULL, NULL, &pick, e);
		if (rc < 0)
			err_wrap(e, rc, "%s: image index %s", r->layout, ds);
	} else if (rc == 0 && *kind == OCI_KIND_MANIFEST) {
		rc = rs_check_manifest(r, buf, len, e);
		if (rc < 0)
			err_wrap(e, rc, "%s: image manifest %s", r->layout, ds);
	} else if (rc == 0) {
		rc = err_set(e, -ERR_FORMAT, "%s: blob %s is neither an image "
			     "manifest nor an image index", r->layout, ds);
	}
	if (rc == 0 && desc && oci_media_kind(desc->media_type) != *kind)
		rc = err_set(e, -ERR_FORMAT, "%s: blob %s: index.json says %s, the "
			     "blob is an image %s", r->layout, ds, desc->media_type,
			     *kind == OCI_KIND_INDEX ? "index" : "manifest");
	free(buf);
	return rc;
}

/* The tag part of "name:tag" ("host:5000/name:tag" -> "tag"), or NULL. */
static const char *rs_tag_part(const char *ref)
{
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');

	return colon && colon[1] ? colon + 1 : NULL;
}

static int rs_find_tag(struct rs *r, const char *ref,
		       const struct oci_desc **desc, struct err *e)
{
	const char *tag = rs_tag_part(ref);
	char *txt = NULL;
	size_t len = 0;
	int rc = util_read_file(r->dirfd, "index.json", RS_INDEX_MAX, &txt, &len, e);

	if (rc < 0)
		return err_wrap(e, rc, "%s", r->layout);
	rc = rs_work(r, len, e);
	if (rc == 0)
		rc = oci_index_parse((const uint8_t *)txt, len, r->ix, r->work,
				     r->work_len, e);
	if (rc < 0) {
		err_wrap(e, rc, "%s/index.json", r->layout);
		goto out;
	}
	rc = oci_index_find_tag(r->ix, ref, desc, e);
	if (rc == -ERR_NOTFOUND && tag)
		rc = oci_index_find_tag(r->ix, tag, desc, e);
	if (rc < 0)
		err_wrap(e, rc, "%s/index.json", r->layout);
out:
	free(txt);
	return rc;
}

int resolve_ref(const char *layout, const char *ref, char out[DIGEST_STR_MAX],
		enum oci_kind *kind, struct err *e)
{
	struct rs r = { .layout = layout };
	const struct oci_desc *desc = NULL;
	struct oci_desc entry;      /* a copy: r.ix is reused for the blob */
	struct digest pin;
	int rc;

	out[0] = '\0';
	r.dirfd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.dirfd < 0)
		return err_set(e, -errno, "%s: %s", layout, strerror(errno));
	r.ix = malloc(sizeof(*r.ix));
	rc = r.ix ? 0 : err_set(e, -ENOMEM, "out of memory");
	if (rc == 0 && strncmp(ref, "sha256:", 7) == 0) {
		rc = digest_parse(ref, strlen(ref), &pin, e);
		if (rc < 0)
			err_wrap(e, rc, "image \"%.80s\"", ref);
	} else if (rc == 0) {
		rc = rs_find_tag(&r, ref, &desc, e);
		if (rc == 0) {
			entry = *desc;
			desc = &entry;
			pin = entry.digest;
		}
	}
	if (rc == 0)
		rc = rs_check_blob(&r, &pin, desc, kind, e);
	if (rc == 0)
		digest_format(&pin, out);
	free(r.work);
	free(r.ix);
	close(r.dirfd);
	return rc;
}

static const char rs_usage[] =
	"usage: ccguest resolve --oci-layout DIR --image REF\n"
	"\n"
	"Print the digest that pins REF (a tag \"t\" or \"name:t\" from DIR's\n"
	"index.json, or \"sha256:<hex>\") after checking the blob's sha256.  For\n"
	"a multi-platform image this is the index digest; the guest picks\n"
	"linux/amd64 from it.\n";

int cmd_resolve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "oci-layout", required_argument, NULL, 'l' },
		{ "image", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *layout = NULL, *ref = NULL;
	char out[DIGEST_STR_MAX];
	enum oci_kind kind;
	struct err e = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': layout = optarg; break;
		case 'i': ref = optarg; break;
		case 'h': fputs(rs_usage, stdout); return CLI_OK;
		default: fputs(rs_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc || !layout || !ref) {
		cli_error("resolve: --oci-layout and --image are required");
		fputs(rs_usage, stderr);
		return CLI_USAGE;
	}
	if (resolve_ref(layout, ref, out, &kind, &e) < 0) {
		cli_error("resolve: %s", e.msg);
		return CLI_FAIL;
	}
	printf("%s\n", out);
	return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
