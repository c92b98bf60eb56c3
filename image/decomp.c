#include "image/decomp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>
#include <zstd.h>

/* The largest zstd window a layer may ask for: 2^27 (128 MiB), the same cap
 * containerd and the zstd CLI apply by default. */
#define DECOMP_ZSTD_WINDOW_LOG_MAX 27

struct decomp {
	enum decomp_kind kind;
	bool in_member;        /* inside a gzip member or zstd frame */
	bool any_member;       /* at least one member/frame completed */
	struct inflate_state *gz;
	ZSTD_DCtx *zs;
};

const char *decomp_name(enum decomp_kind kind)
{
	switch (kind) {
	case DECOMP_GZIP: return "gzip";
	case DECOMP_ZSTD: return "zstd";
	default: return "none";
	}
}

int decomp_new(struct decomp **out, enum decomp_kind kind, struct err *e)
{
	struct decomp *d = calloc(1, sizeof(*d));

	if (!d)
		return err_set(e, -ENOMEM, "decompressor: out of memory");
	d->kind = kind;
	if (kind == DECOMP_GZIP) {
		d->gz = malloc(sizeof(*d->gz));
		if (!d->gz)
			goto nomem;
		isal_inflate_init(d->gz);
		d->gz->crc_flag = ISAL_GZIP;
	} else if (kind == DECOMP_ZSTD) {
		d->zs = ZSTD_createDCtx();
		if (!d->zs)
			goto nomem;
		if (ZSTD_isError(ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax,
							DECOMP_ZSTD_WINDOW_LOG_MAX)))
			goto nomem;
	}
	*out = d;
	return 0;
nomem:
	decomp_free(d);
	return err_set(e, -ENOMEM, "%s decompressor: out of memory", decomp_name(kind));
}

static int gz_run(struct decomp *d, const uint8_t *in, size_t in_len, size_t *in_used,
		  uint8_t *out, size_t out_cap, size_t *out_len, struct err *e)
{
	struct inflate_state *s = d->gz;
	int ret;

	if (!d->in_member) {
		/* a new member starts: reset keeps the allocation */
		isal_inflate_reset(s);
		s->crc_flag = ISAL_GZIP;
		d->in_member = true;
	}
	s->next_in = (uint8_t *)in;
	s->avail_in = (uint32_t)(in_len > UINT32_MAX ? UINT32_MAX : in_len);
	s->next_out = out;
	s->avail_out = (uint32_t)(out_cap > UINT32_MAX ? UINT32_MAX : out_cap);
	ret = isal_inflate(s);
	*in_used = (size_t)(s->next_in - in);
	*out_len = (size_t)(s->next_out - out);
	if (ret != ISAL_DECOMP_OK)
		return err_set(e, -ERR_FORMAT, "gzip: corrupt stream (igzip error %d)", ret);
	if (s->block_state == ISAL_BLOCK_FINISH) {
		d->in_member = false;
		d->any_member = true;
	}
	return 0;
}

static int zs_run(struct decomp *d, const uint8_t *in, size_t in_len, size_t *in_used,
		  uint8_t *out, size_t out_cap, size_t *out_len, struct err *e)
{
	ZSTD_inBuffer ib = { in, in_len, 0 };
	ZSTD_outBuffer ob = { out, out_cap, 0 };
	size_t r = ZSTD_decompressStream(d->zs, &ob, &ib);

	*in_used = ib.pos;
	*out_len = ob.pos;
	if (ZSTD_isError(r))
		return err_set(e, -ERR_FORMAT, "zstd: %s", ZSTD_getErrorName(r));
	if (ib.pos > 0 || ob.pos > 0)
		d->in_member = true;
	if (r == 0 && d->in_member) {
		/* a frame ended and every byte of it was flushed */
		d->in_member = false;
		d->any_member = true;
	}
	return 0;
}

int decomp_run(struct decomp *d, const uint8_t *in, size_t in_len, size_t *in_used,
	       uint8_t *out, size_t out_cap, size_t *out_len, struct err *e)
{
	size_t n;

	switch (d->kind) {
	case DECOMP_GZIP:
		return gz_run(d, in, in_len, in_used, out, out_cap, out_len, e);
	case DECOMP_ZSTD:
		return zs_run(d, in, in_len, in_used, out, out_cap, out_len, e);
	default:
		n = in_len < out_cap ? in_len : out_cap;
		memcpy(out, in, n);
		*in_used = n;
		*out_len = n;
		return 0;
	}
}

int decomp_finish(struct decomp *d, struct err *e)
{
	if (d->kind == DECOMP_NONE)
		return 0;
	if (d->in_member || !d->any_member)
		return err_set(e, -ERR_FORMAT, "%s: truncated stream", decomp_name(d->kind));
	return 0;
}

void decomp_free(struct decomp *d)
{
	if (!d)
		return;
	free(d->gz);
	ZSTD_freeDCtx(d->zs);
	free(d);
}
