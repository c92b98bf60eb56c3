#include "image/layer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "image/tar.h"
#include "image/unpack.h"

/* Fixed buffers: peak memory does not depend on the layer's size. */
#define LAYER_IN_BUF  (1u << 20)
#define LAYER_OUT_BUF (1u << 20)

struct layer_run {
	const struct layer_in *in;
	struct sha256 blob_h;
	struct sha256 tar_h;
	struct decomp *dec;
	struct tar *tar;
	struct unpack *u;
	uint8_t *ibuf;
	uint8_t *obuf;
	struct layer_stats st;
};

static int feed_tar(struct layer_run *r, const uint8_t *p, size_t n, struct err *e)
{
	sha256_update(&r->tar_h, p, n);
	r->st.tar_bytes += n;
	return tar_feed(r->tar, p, n, e);
}

/* Push one chunk of blob bytes through the decompressor into the tar parser. */
static int pump(struct layer_run *r, const uint8_t *p, size_t n, struct err *e)
{
	int stalled = 0;

	if (r->in->comp == DECOMP_NONE)
		return feed_tar(r, p, n, e);
	for (;;) {
		size_t used = 0, got = 0;
		int rc = decomp_run(r->dec, p, n, &used, r->obuf, LAYER_OUT_BUF, &got, e);

		if (rc < 0)
			return rc;
		p += used;
		n -= used;
		if (got) {
			rc = feed_tar(r, r->obuf, got, e);
			if (rc < 0)
				return rc;
		}
		if (n == 0 && got < LAYER_OUT_BUF)
			return 0;
		/* a gzip member boundary takes one call without progress */
		stalled = (used == 0 && got == 0) ? stalled + 1 : 0;
		if (stalled > 1)
			return err_set(e, -ERR_FORMAT, "%s: decoder made no progress",
				       decomp_name(r->in->comp));
	}
}

static int check_digest(const char *what, struct sha256 *h, const struct digest *want,
			struct err *e);

/* Read the next chunk of the blob into ibuf; returns bytes read (0 < n). */
static ssize_t read_chunk(struct layer_run *r, uint64_t done, struct err *e)
{
	const struct layer_in *in = r->in;
	uint64_t want = in->size - done;
	ssize_t got;

	if (want > LAYER_IN_BUF)
		want = LAYER_IN_BUF;
	do
		got = pread(in->fd, r->ibuf, (size_t)want, (off_t)(in->off + done));
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return err_set(e, -errno, "read blob at offset %llu",
			       (unsigned long long)(in->off + done));
	if (got == 0)
		return err_set(e, -ERR_FORMAT, "truncated blob: expected %llu bytes, got %llu",
			       (unsigned long long)in->size, (unsigned long long)done);
	sha256_update(&r->blob_h, r->ibuf, (size_t)got);
	return got;
}

/* After a decoder or tar error, hash the rest of the blob: when the blob
 * does not match its digest, that is the cause to report, not the symptom. */
static int drain(struct layer_run *r, uint64_t done, int rc, struct err *e)
{
	struct err tmp = { 0 };
	char cause[ERR_MSG_MAX];

	while (done < r->in->size) {
		ssize_t got = read_chunk(r, done, &tmp);

		if (got < 0)
			return rc;
		done += (uint64_t)got;
	}
	if (check_digest("blob digest", &r->blob_h, r->in->blob, &tmp) < 0) {
		/* copy first: e->msg is both a source and the destination */
		snprintf(cause, sizeof(cause), "%s", e ? e->msg : "");
		return err_set(e, tmp.code, "%s (the stream also failed: %s)", tmp.msg, cause);
	}
	return rc;
}

static int read_all(struct layer_run *r, struct err *e)
{
	uint64_t done = 0;

	while (done < r->in->size) {
		ssize_t got = read_chunk(r, done, e);
		int rc;

		if (got < 0)
			return (int)got;
		done += (uint64_t)got;
		rc = pump(r, r->ibuf, (size_t)got, e);
		if (rc < 0)
			return drain(r, done, rc, e);
	}
	r->st.blob_bytes = done;
	return 0;
}

static int check_digest(const char *what, struct sha256 *h, const struct digest *want,
			struct err *e)
{
	struct digest got = { .alg = want->alg };
	char ws[DIGEST_STR_MAX], gs[DIGEST_STR_MAX];

	sha256_final(h, got.hash);
	if (digest_equal(&got, want))
		return 0;
	digest_format(want, ws);
	digest_format(&got, gs);
	return err_set(e, -ERR_DIGEST, "%s mismatch: expected %s, got %s", what, ws, gs);
}

/* Everything after the last byte: the checks that gate the commit. */
static int verify_end(struct layer_run *r, struct err *e)
{
	int rc = check_digest("blob digest", &r->blob_h, r->in->blob, e);

	if (rc == 0 && r->in->comp != DECOMP_NONE)
		rc = decomp_finish(r->dec, e);
	if (rc == 0)
		rc = tar_finish(r->tar, e);
	if (rc == 0)
		rc = check_digest("diff_id", &r->tar_h, r->in->diff_id, e);
	return rc;
}

static int run_alloc(struct layer_run *r, int root_dirfd, int stage_dirfd, struct err *e)
{
	int rc;

	r->ibuf = malloc(LAYER_IN_BUF);
	r->obuf = malloc(LAYER_OUT_BUF);
	r->tar = malloc(sizeof(*r->tar));
	if (!r->ibuf || !r->obuf || !r->tar)
		return err_set(e, -ENOMEM, "layer buffers: out of memory");
	if (r->in->comp != DECOMP_NONE) {
		rc = decomp_new(&r->dec, r->in->comp, e);
		if (rc < 0)
			return rc;
	}
	rc = unpack_open(&r->u, root_dirfd, stage_dirfd, NULL, e);
	if (rc < 0)
		return rc;
	tar_init(r->tar, &unpack_tar_ops, r->u);
	return 0;
}

int layer_apply(const struct layer_in *in, int root_dirfd, int stage_dirfd,
		struct layer_stats *st, struct err *e)
{
	struct layer_run r = { .in = in };
	int rc;

	sha256_init(&r.blob_h);
	sha256_init(&r.tar_h);
	rc = run_alloc(&r, root_dirfd, stage_dirfd, e);
	if (rc < 0)
		goto out;
	rc = read_all(&r, e);
	if (rc == 0)
		rc = verify_end(&r, e);
	if (rc == 0)
		rc = unpack_commit(r.u, e);
	if (rc < 0 && r.u)
		unpack_abort(r.u);
	if (rc == 0 && st) {
		r.st.entries = unpack_entries(r.u);
		*st = r.st;
	}
out:
	unpack_free(r.u);
	decomp_free(r.dec);
	free(r.tar);
	free(r.ibuf);
	free(r.obuf);
	return rc;
}
