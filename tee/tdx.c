/* tdx: TDREPORT, DCAP quote v4/v5 and CCEL trimming (see tdx.h). */
#include "tee/tdx.h"

#include <stdbool.h>
#include <string.h>

#include "base/cur.h"

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

/* ---- TDREPORT ---------------------------------------------------------- */

int tdx_report_parse(const uint8_t *p, size_t n, struct tdx_report *r, struct err *e)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!p || n != TDX_REPORT_SIZE)
		return err_set(e, -ERR_FORMAT, "tdx report: expected %d bytes, got %zu",
			       TDX_REPORT_SIZE, n);
	if (p[0] != TDX_TEE_TYPE)
		return err_set(e, -ERR_FORMAT, "tdx report: REPORTTYPE 0x%02x is not TDX "
			       "(0x81)", p[0]);
	memcpy(r->report_type, p, 4);
	memcpy(r->cpusvn, p + 16, 16);
	memcpy(r->tee_tcb_info_hash, p + 32, 48);
	memcpy(r->tee_info_hash, p + 80, 48);
	memcpy(r->report_data, p + 128, 64);
	memcpy(r->mac, p + 224, 32);
	memcpy(r->tee_tcb_info, p + 256, 239);
	memcpy(r->tcb_valid, p + 256, 8);
	memcpy(r->tee_tcb_svn, p + 264, 16);
	memcpy(r->mrseam, p + 280, 48);
	memcpy(r->mrsignerseam, p + 328, 48);
	memcpy(r->seam_attributes, p + 376, 8);
	memcpy(r->tee_tcb_svn2, p + 384, 16);
	memcpy(r->td_attributes, p + 512, 8);
	memcpy(r->xfam, p + 520, 8);
	memcpy(r->mrtd, p + 528, 48);
	memcpy(r->mrconfigid, p + 576, 48);
	memcpy(r->mrowner, p + 624, 48);
	memcpy(r->mrownerconfig, p + 672, 48);
	for (i = 0; i < 4; i++)
		memcpy(r->rtmr[i], p + 720 + 48 * i, 48);
	memcpy(r->servtd_hash, p + 912, 48);
	return 0;
}

/* ---- quote ------------------------------------------------------------- */

static void take(struct cur *c, void *dst, size_t n)
{
	memcpy(dst, cur_take(c, n), n);    /* the caller checked what remains */
}

static int quote_header(struct cur *c, struct tdx_quote *q, struct err *e)
{
	const uint8_t *h = cur_take(c, TDX_QUOTE_HEADER);

	if (!h)
		return err_set(e, -ERR_FORMAT, "tdx quote: %zu bytes, shorter than its "
			       "header", cur_left(c));
	q->version = le16(h);
	q->att_key_type = le16(h + 2);
	q->tee_type = le32(h + 4);
	q->qe_svn = le16(h + 8);
	q->pce_svn = le16(h + 10);
	memcpy(q->qe_vendor_id, h + 12, 16);
	memcpy(q->user_data, h + 28, 20);
	if (q->version != 4 && q->version != 5)
		return err_set(e, -ERR_UNSUPPORTED, "tdx quote: version %u not supported "
			       "(expected 4 or 5)", q->version);
	if (q->tee_type != TDX_TEE_TYPE)
		return err_set(e, -ERR_UNSUPPORTED, "tdx quote: TEE type 0x%x is not TDX "
			       "(0x81)", q->tee_type);
	if (q->att_key_type != 2 && q->att_key_type != 3)
		return err_set(e, -ERR_UNSUPPORTED, "tdx quote: attestation key type %u "
			       "not supported", q->att_key_type);
	return 0;
}

/* v5 carries {body_type u16, body_size u32}; v4 is always a TD 1.0 body. */
static int quote_body_desc(struct cur *c, struct tdx_quote *q, struct err *e)
{
	const uint8_t *d;

	if (q->version == 4) {
		q->body_type = 2;
		q->body_size = TDX_BODY_10;
		return 0;
	}
	d = cur_take(c, 6);
	if (!d)
		return err_set(e, -ERR_FORMAT, "tdx quote v5: truncated body descriptor");
	q->body_type = le16(d);
	q->body_size = le32(d + 2);
	if (q->body_type != 2 && q->body_type != 3)
		return err_set(e, -ERR_UNSUPPORTED, "tdx quote v5: body type %u not "
			       "supported (expected 2 or 3)", q->body_type);
	if (q->body_size != (q->body_type == 2 ? TDX_BODY_10 : TDX_BODY_15))
		return err_set(e, -ERR_FORMAT, "tdx quote v5: body type %u with size %u "
			       "(expected %d)", q->body_type, q->body_size,
			       q->body_type == 2 ? TDX_BODY_10 : TDX_BODY_15);
	return 0;
}

static int quote_body(struct cur *c, struct tdx_quote *q, struct err *e)
{
	size_t i;

	if (cur_left(c) < q->body_size)
		return err_set(e, -ERR_FORMAT, "tdx quote: body of %u bytes truncated at %zu",
			       q->body_size, cur_left(c));
	take(c, q->tee_tcb_svn, 16);
	take(c, q->mrseam, 48);
	take(c, q->mrsignerseam, 48);
	take(c, q->seam_attributes, 8);
	take(c, q->td_attributes, 8);
	take(c, q->xfam, 8);
	take(c, q->mrtd, 48);
	take(c, q->mrconfigid, 48);
	take(c, q->mrowner, 48);
	take(c, q->mrownerconfig, 48);
	for (i = 0; i < 4; i++)
		take(c, q->rtmr[i], 48);
	take(c, q->report_data, 64);
	if (q->body_type == 3) {
		take(c, q->tee_tcb_svn2, 16);
		take(c, q->mrservicetd, 48);
	}
	return 0;
}

static int quote_sig(struct cur *c, struct tdx_quote *q, struct err *e)
{
	const uint8_t *l = cur_take(c, 4);

	if (!l)
		return err_set(e, -ERR_FORMAT, "tdx quote: no signature data length");
	q->sig_len = le32(l);
	if (q->sig_len != cur_left(c))
		return err_set(e, -ERR_FORMAT, "tdx quote: signature data of %u bytes, "
			       "%zu remain", q->sig_len, cur_left(c));
	q->sig = cur_take(c, q->sig_len);
	return 0;
}

int tdx_quote_parse(const uint8_t *p, size_t n, struct tdx_quote *q, struct err *e)
{
	struct cur c = cur_make(p, n);
	int rc;

	memset(q, 0, sizeof(*q));
	if (!p)
		return err_set(e, -ERR_FORMAT, "tdx quote: empty");
	if (n > TDX_QUOTE_MAX)
		return err_set(e, -ERR_FORMAT, "tdx quote: %zu bytes, more than %d", n,
			       TDX_QUOTE_MAX);
	if ((rc = quote_header(&c, q, e)) < 0 || (rc = quote_body_desc(&c, q, e)) < 0 ||
	    (rc = quote_body(&c, q, e)) < 0)
		goto bad;
	q->signed_len = n - cur_left(&c);
	if ((rc = quote_sig(&c, q, e)) < 0)
		goto bad;
	return 0;
bad:
	memset(q, 0, sizeof(*q));
	return rc;
}

/* ---- CCEL -------------------------------------------------------------- */

static int take32(struct cur *c, uint32_t *v)
{
	const uint8_t *b = cur_take(c, 4);

	if (!b)
		return -1;
	*v = le32(b);
	return 0;
}

static int digest_size(uint16_t alg)
{
	switch (alg) {
	case 0x000B: return 32;     /* SHA-256 */
	case 0x000C: return 48;     /* SHA-384 */
	case 0x000D: return 64;     /* SHA-512 */
	case 0x0012: return 32;     /* SM3-256 */
	}
	return -1;
}

/* TCG_PCR_EVENT: index, type (must be EV_NO_ACTION), SHA-1 digest, data. */
static int ccel_first(struct cur *c, struct err *e)
{
	uint32_t idx, type, size;

	if (take32(c, &idx) < 0 || take32(c, &type) < 0 || !cur_take(c, 20) ||
	    take32(c, &size) < 0)
		return err_set(e, -ERR_FORMAT, "ccel: truncated first event");
	if (type != 3)
		return err_set(e, -ERR_FORMAT, "ccel: first event type %u, expected "
			       "EV_NO_ACTION (3)", type);
	if (!cur_take(c, size))
		return err_set(e, -ERR_FORMAT, "ccel: first event data of %u bytes "
			       "truncated", size);
	return 0;
}

/* One TCG_PCR_EVENT2 record. */
static int ccel_event(struct cur *c, size_t k, struct err *e)
{
	uint32_t idx, type, count, size, i;
	const uint8_t *a;
	int dlen;

	if (take32(c, &idx) < 0 || take32(c, &type) < 0 || take32(c, &count) < 0)
		return err_set(e, -ERR_FORMAT, "ccel: event %zu truncated", k);
	for (i = 0; i < count; i++) {
		a = cur_take(c, 2);
		if (!a)
			return err_set(e, -ERR_FORMAT, "ccel: event %zu: digest %u truncated",
				       k, i);
		dlen = digest_size(le16(a));
		if (dlen < 0)
			return err_set(e, -ERR_UNSUPPORTED, "ccel: event %zu: digest algorithm "
				       "0x%04x not supported", k, le16(a));
		if (!cur_take(c, (size_t)dlen))
			return err_set(e, -ERR_FORMAT, "ccel: event %zu: digest %u truncated",
				       k, i);
	}
	if (take32(c, &size) < 0 || !cur_take(c, size))
		return err_set(e, -ERR_FORMAT, "ccel: event %zu: data truncated", k);
	return 0;
}

static bool is_end_mark(const uint8_t b[8])
{
	static const uint8_t ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zeros[8];

	return memcmp(b, ones, 8) == 0 || memcmp(b, zeros, 8) == 0;
}

int tdx_ccel_trim(const uint8_t *p, size_t n, size_t *used, size_t *nevents, struct err *e)
{
	struct cur c = cur_make(p, n);
	size_t k = 0;
	int rc;

	*used = 0;
	*nevents = 0;
	if (!p)
		return err_set(e, -ERR_FORMAT, "ccel: empty");
	rc = ccel_first(&c, e);
	while (rc == 0) {
		if (cur_left(&c) < 8) {
			rc = err_set(e, -ERR_FORMAT, "ccel: no end mark after %zu events", k);
			break;
		}
		if (is_end_mark(c.p)) {
			*used = n - cur_left(&c);
			*nevents = k;
			return 0;
		}
		rc = ccel_event(&c, k++, e);
	}
	return rc;
}
