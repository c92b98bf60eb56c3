#include "image/layer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/aes.h"
#include "crypto/ct.h"
#include "crypto/hmac.h"
#include "crypto/sha256.h"
#include "image/layer_ring.h"
#include "image/tar.h"
#include "image/unpack.h"

/* Fixed buffers: peak memory does not depend on the layer's size. */
#define LAYER_IN_BUF (256u << 10)

/* Two threads share the work of one layer.  The decoder thread reads the
 * blob and decompresses it into the ring; the calling thread takes tar bytes
 * from the ring, hashes them and unpacks them.  The blob hash goes to the
 * thread with less work: the unpacker for gzip (igzip is the slowest stage)
 * and for uncompressed blobs (one hash serves as blob digest and diff_id),
 * the decoder for zstd.  Each field below has one owner; the ring is the only
 * shared state until the decoder thread is joined. */
struct layer_run {
	const struct layer_in *in;
	struct ring ring;
	bool unpacker_hashes_blob;
	struct sha256 blob_h;        /* owned per unpacker_hashes_blob */
	/* decoder thread */
	struct decomp *dec;
	uint8_t *ibuf[2];            /* alternate: one may be out for hashing */
	uint8_t *pbuf;               /* decrypted chunk (encrypted layers) */
	struct aes256_ctr ctr;
	struct hmac_sha256 mac;
	uint64_t blob_done;
	int read_rc;                 /* the blob could not be read to its end */
	int dec_rc;                  /* the compressed stream failed */
	struct err dec_e;
	/* calling thread */
	struct sha256 tar_h;
	struct tar *tar;
	struct unpack *u;
	struct layer_stats st;
};

/* Read the next chunk of the blob into dst; returns bytes read (0 < n). */
static ssize_t read_chunk(struct layer_run *r, uint8_t *dst, size_t cap, struct err *e)
{
	const struct layer_in *in = r->in;
	uint64_t want = in->size - r->blob_done;
	ssize_t got;

	if (want > cap)
		want = cap;
	do
		got = pread(in->fd, dst, (size_t)want, (off_t)(in->off + r->blob_done));
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return err_set(e, -errno, "read blob at offset %llu",
			       (unsigned long long)(in->off + r->blob_done));
	if (got == 0)
		return err_set(e, -ERR_FORMAT, "truncated blob: expected %llu bytes, got %llu",
			       (unsigned long long)in->size, (unsigned long long)r->blob_done);
	if (!r->unpacker_hashes_blob)
		sha256_update(&r->blob_h, dst, (size_t)got);
	r->blob_done += (uint64_t)got;
	return got;
}

/* Decompress one chunk of blob bytes into ring slots.  Returns 0, a decoder
 * error, or -ECANCELED when the unpacker wants no more. */
static int decode(struct layer_run *r, const uint8_t *p, size_t n, struct err *e)
{
	int stalled = 0;

	for (;;) {
		uint8_t *out;
		size_t used = 0, got = 0;
		int rc;

		if (ring_is_cancelled(&r->ring))
			return -ECANCELED;
		out = ring_slot(&r->ring);
		rc = decomp_run(r->dec, p, n, &used, out, RING_SLOT_BYTES, &got, e);
		if (rc < 0)
			return rc;
		if (got)
			ring_publish(&r->ring, got, RING_TAR);
		p += used;
		n -= used;
		if (n == 0 && got < RING_SLOT_BYTES)
			return 0;
		/* a gzip member boundary takes one call without progress */
		stalled = (used == 0 && got == 0) ? stalled + 1 : 0;
		if (stalled > 1)
			return err_set(e, -ERR_FORMAT, "%s: decoder made no progress",
				       decomp_name(r->in->comp));
	}
}

/* An encrypted layer: AES-256-CTR from the ciphertext chunk into pbuf (the
 * ciphertext stays intact for the blob hash), then on as a plain chunk. */
static int decrypt(struct layer_run *r, const uint8_t *p, size_t n, struct err *e)
{
	if (r->in->comp != DECOMP_NONE) {
		aes256_ctr_xor(&r->ctr, p, r->pbuf, n);
		return decode(r, r->pbuf, n, e);
	}
	while (n > 0) {
		size_t k = n < RING_SLOT_BYTES ? n : RING_SLOT_BYTES;
		uint8_t *out;

		if (ring_is_cancelled(&r->ring))
			return -ECANCELED;
		out = ring_slot(&r->ring);
		aes256_ctr_xor(&r->ctr, p, out, k);
		ring_publish(&r->ring, k, RING_TAR);
		p += k;
		n -= k;
	}
	return 0;
}

/* The decoder thread.  After a decoder error, or once the unpacker stopped,
 * it keeps reading so that the whole blob is hashed: when the blob does not
 * match its digest, that is the cause to report, not the symptom. */
static void *decoder_main(void *arg)
{
	struct layer_run *r = arg;
	const struct layer_in *in = r->in;
	bool decoding = true;
	unsigned i = 0;

	while (r->blob_done < in->size) {
		uint8_t *dst;
		ssize_t got;
		int rc;

		if (decoding && ring_is_cancelled(&r->ring))
			decoding = false;
		if (in->comp == DECOMP_NONE && !in->crypt) {
			/* uncompressed: read straight into a slot */
			dst = ring_slot(&r->ring);
			got = read_chunk(r, dst, RING_SLOT_BYTES, &r->dec_e);
			if (got < 0)
				goto read_failed;
			ring_publish(&r->ring, (size_t)got, decoding ? RING_BOTH : RING_BLOB);
			continue;
		}
		dst = r->ibuf[i++ % 2];
		if (r->unpacker_hashes_blob)
			ring_wait_refs(&r->ring, 1);
		got = read_chunk(r, dst, LAYER_IN_BUF, &r->dec_e);
		if (got < 0)
			goto read_failed;
		if (in->crypt)
			hmac_sha256_update(&r->mac, dst, (size_t)got);
		rc = !decoding ? 0 : in->crypt ? decrypt(r, dst, (size_t)got, &r->dec_e)
					       : decode(r, dst, (size_t)got, &r->dec_e);
		if (rc < 0) {
			decoding = false;
			if (rc != -ECANCELED)
				r->dec_rc = rc;
		}
		if (r->unpacker_hashes_blob)
			ring_publish_ref(&r->ring, dst, (size_t)got, RING_BLOB);
	}
	if (decoding && in->comp != DECOMP_NONE)
		r->dec_rc = decomp_finish(r->dec, &r->dec_e);
	ring_close(&r->ring);
	return NULL;
read_failed:
	r->read_rc = r->dec_e.code ? r->dec_e.code : -EIO;
	ring_close(&r->ring);
	return NULL;
}

/* The calling thread's share.  After a tar error it stops unpacking but
 * keeps taking entries, to hash the blob and to let the decoder finish. */
static int unpack_all(struct layer_run *r, struct err *e)
{
	const struct ring_entry *x;
	int rc = 0;

	while ((x = ring_take(&r->ring))) {
		if (x->kind != RING_TAR)
			sha256_update(&r->blob_h, x->p, x->len);
		if (x->kind != RING_BLOB && rc == 0) {
			if (x->kind == RING_TAR)
				sha256_update(&r->tar_h, x->p, x->len);
			r->st.tar_bytes += x->len;
			rc = tar_feed(r->tar, x->p, x->len, e);
			if (rc < 0)
				ring_cancel(&r->ring);
		}
		ring_give_back(&r->ring);
	}
	return rc;
}

static int compare(const char *what, const struct digest *got, const struct digest *want,
		   struct err *e)
{
	char ws[DIGEST_STR_MAX], gs[DIGEST_STR_MAX];

	if (digest_equal(got, want))
		return 0;
	digest_format(want, ws);
	digest_format(got, gs);
	return err_set(e, -ERR_DIGEST, "%s mismatch: expected %s, got %s", what, ws, gs);
}

/* Encrypt-then-MAC: HMAC-SHA256 over the whole ciphertext, compared in
 * constant time with the public options' value. */
static bool mac_ok(struct layer_run *r)
{
	uint8_t mac[32];
	bool ok;

	hmac_sha256_final(&r->mac, mac);
	ok = ct_memeq(mac, r->in->crypt->hmac, sizeof(mac));
	ct_wipe(mac, sizeof(mac));
	return ok;
}

static int copy_err(struct err *e, const struct err *from)
{
	return err_set(e, from->code, "%s", from->msg);
}

/* Both threads are done: decide, in this order, on the blob, the stream
 * (the unpacker saw earlier tar bytes than the decoder's failure point), the
 * end of the archive and the diff_id.  These checks gate the commit. */
static int verdict(struct layer_run *r, int tar_rc, struct err *e)
{
	struct digest blob = { .alg = DIGEST_SHA256 }, tar = { .alg = DIGEST_SHA256 };
	struct err blob_e = { 0 };
	char cause[ERR_MSG_MAX];
	int rc;

	if (r->read_rc < 0)
		return copy_err(e, &r->dec_e);
	r->st.blob_bytes = r->blob_done;
	sha256_final(&r->blob_h, blob.hash);
	if (compare("blob digest", &blob, r->in->blob, &blob_e) < 0) {
		if (tar_rc == 0 && r->dec_rc == 0)
			return copy_err(e, &blob_e);
		/* copy first: e->msg may be both a source and the destination */
		snprintf(cause, sizeof(cause), "%s",
			 tar_rc < 0 ? (e ? e->msg : "") : r->dec_e.msg);
		return err_set(e, blob_e.code, "%s (the stream also failed: %s)",
			       blob_e.msg, cause);
	}
	if (r->in->crypt && !mac_ok(r))
		return err_set(e, -ERR_DIGEST, "HMAC mismatch: the layer key does not "
			       "authenticate the ciphertext (wrong key or tampered layer)");
	if (tar_rc < 0)
		return tar_rc;
	if (r->dec_rc < 0)
		return copy_err(e, &r->dec_e);
	rc = tar_finish(r->tar, e);
	if (rc < 0)
		return rc;
	if (r->in->comp == DECOMP_NONE && !r->in->crypt)
		tar = blob;          /* the same bytes, hashed once */
	else
		sha256_final(&r->tar_h, tar.hash);
	return compare("diff_id", &tar, r->in->diff_id, e);
}

static int run_alloc(struct layer_run *r, int root_dirfd, int stage_dirfd, struct err *e)
{
	int rc;

	if (ring_init(&r->ring) < 0)
		return err_set(e, -ENOMEM, "layer buffers: out of memory");
	r->ibuf[0] = malloc(LAYER_IN_BUF);
	r->ibuf[1] = malloc(LAYER_IN_BUF);
	r->tar = malloc(sizeof(*r->tar));
	if (r->in->crypt) {
		r->pbuf = malloc(LAYER_IN_BUF);
		aes256_ctr_init(&r->ctr, r->in->crypt->key, r->in->crypt->nonce);
		hmac_sha256_init(&r->mac, r->in->crypt->key, sizeof(r->in->crypt->key));
	}
	if (!r->ibuf[0] || !r->ibuf[1] || !r->tar || (r->in->crypt && !r->pbuf))
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
	struct layer_run *r = calloc(1, sizeof(*r));
	pthread_t decoder;
	int rc, tar_rc;

	if (!r)
		return err_set(e, -ENOMEM, "layer: out of memory");
	r->in = in;
	r->unpacker_hashes_blob = in->comp != DECOMP_ZSTD;
	sha256_init(&r->blob_h);
	sha256_init(&r->tar_h);
	rc = run_alloc(r, root_dirfd, stage_dirfd, e);
	if (rc < 0)
		goto out;
	rc = -pthread_create(&decoder, NULL, decoder_main, r);
	if (rc < 0) {
		err_set(e, rc, "layer: start the decoder thread: %s", strerror(-rc));
		goto out;
	}
	tar_rc = unpack_all(r, e);
	pthread_join(decoder, NULL);
	rc = verdict(r, tar_rc, e);
	if (rc == 0)
		rc = unpack_commit(r->u, e);
	if (rc < 0)
		unpack_abort(r->u);
	if (rc == 0 && st) {
		r->st.entries = unpack_entries(r->u);
		*st = r->st;
	}
out:
	unpack_free(r->u);
	decomp_free(r->dec);
	ring_destroy(&r->ring);
	free(r->tar);
	free(r->ibuf[0]);
	free(r->ibuf[1]);
	if (r->pbuf)
		ct_wipe(r->pbuf, LAYER_IN_BUF);
	free(r->pbuf);
	aes256_ctr_wipe(&r->ctr);
	ct_wipe(&r->mac, sizeof(r->mac));
	free(r);
	return rc;
}
