/* igvm_write: serialise an igvm_image (igvm.h) as an IGVM v1 file.
 *
 * Layout: 24-byte fixed header; the variable headers (one SUPPORTED_PLATFORM,
 * then the caller's initialization and directive headers in order, each TLV
 * padded to 8 bytes with zeros); then the file data: every distinct blob
 * (page, VMSA, parameter-area contents) once, in order of first use.  The
 * list is checked with the reader's rules (igvm_val_*) before anything is
 * written, and the result is re-read with igvm_open() as a last check. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base/le.h"
#include "igvm/igvm.h"

static const uint8_t zero_page[IGVM_PAGE];

/* Payload length of a type the writer emits, 0 for the others. */
static uint32_t payload_len(uint32_t type)
{
	switch (type) {
	case IGVM_VHT_GUEST_POLICY: case IGVM_VHT_PARAMETER_AREA:
	case IGVM_VHT_PARAMETER_INSERT: case IGVM_VHT_ERROR_RANGE:
		return 16;
	case IGVM_VHT_PAGE_DATA: case IGVM_VHT_REQUIRED_MEMORY:
		return 24;
	case IGVM_VHT_VP_CONTEXT:
		return 20;
	case IGVM_VHT_SNP_ID_BLOCK:
		return IGVM_ID_BLOCK_LEN;
	case IGVM_VHT_VP_COUNT_PARAMETER: case IGVM_VHT_SRAT: case IGVM_VHT_MADT:
	case IGVM_VHT_MMIO_RANGES: case IGVM_VHT_MEMORY_MAP: case IGVM_VHT_COMMAND_LINE:
	case IGVM_VHT_SLIT: case IGVM_VHT_PPTT: case IGVM_VHT_DEVICE_TREE:
	case IGVM_VHT_ENVIRONMENT_INFO:
		return 8;
	default:
		return 0;
	}
}

static uint32_t tlv_size(uint32_t type)
{
	return 8 + ((payload_len(type) + 7u) & ~7u);
}

static bool has_mask(uint32_t type)
{
	switch (type) {
	case IGVM_VHT_GUEST_POLICY: case IGVM_VHT_PAGE_DATA: case IGVM_VHT_PARAMETER_INSERT:
	case IGVM_VHT_VP_CONTEXT: case IGVM_VHT_REQUIRED_MEMORY: case IGVM_VHT_SNP_ID_BLOCK:
	case IGVM_VHT_ERROR_RANGE:
		return true;
	default:
		return false;
	}
}

/* The file-data blob a directive stores: false when it stores none. */
static bool blob_of(const struct igvm_dir *d, const uint8_t **p, uint64_t *len)
{
	switch (d->type) {
	case IGVM_VHT_PAGE_DATA:
		*p = d->data ? d->data : zero_page;
		*len = IGVM_PAGE;
		return true;
	case IGVM_VHT_VP_CONTEXT:
		*p = d->data;
		*len = IGVM_PAGE;
		return d->data != NULL;
	case IGVM_VHT_PARAMETER_AREA:
		*p = d->data;
		*len = d->nbytes;
		return d->data != NULL;
	default:
		return false;
	}
}

static uint32_t dir_mask(const struct igvm_image *im, const struct igvm_dir *d)
{
	return !has_mask(d->type) ? 0 : d->mask ? d->mask : im->mask;
}

/* The record igvm_next() would give back for d (data pointers are the
 * caller's), for the shared checks. */
static void dir_rec(const struct igvm_image *im, const struct igvm_dir *d, struct igvm_rec *r)
{
	const uint8_t *p = NULL;
	uint64_t n = 0;

	memset(r, 0, sizeof(*r));
	r->type = d->type;
	r->mask = dir_mask(im, d);
	r->gpa = d->gpa;
	r->flags = d->flags;
	r->data_type = d->data_type;
	r->vp_index = d->vp_index;
	r->index = d->index;
	r->byte_offset = d->byte_offset;
	r->nbytes = d->nbytes;
	r->policy = d->policy;
	if (blob_of(d, &p, &n)) {
		r->data = p;
		r->data_len = (uint32_t)n;
	} else if (d->type == IGVM_VHT_SNP_ID_BLOCK) {
		r->data = d->data;
		r->data_len = IGVM_ID_BLOCK_LEN;
	}
}

/* Deduplication of blobs by (pointer, length).  The address ranges of the
 * blobs stored so far are kept as a few merged intervals: a pointer outside
 * all of them is new without a search (pages cut from a few buffers in
 * order).  Other pointers are looked up in a small cache of recent
 * duplicates (the zero page), then by walking back over the earlier
 * directives. */
#define DD_RANGES 16
#define DD_CACHE 8

struct dedup {
	struct {
		uintptr_t lo, hi;
	} r[DD_RANGES];
	unsigned n_r;
	bool overflow;      /* more ranges than r[] holds: always search */
	struct {
		const uint8_t *p;
		uint64_t len;
		uint32_t fo;
	} c[DD_CACHE];
	unsigned next;
};

static void dd_cache(struct dedup *d, const uint8_t *p, uint64_t len, uint32_t fo)
{
	d->c[d->next].p = p;
	d->c[d->next].len = len;
	d->c[d->next].fo = fo;
	d->next = (d->next + 1) % DD_CACHE;
}

static bool dd_maybe_seen(const struct dedup *d, const uint8_t *p)
{
	uintptr_t a = (uintptr_t)p;
	unsigned k;

	if (d->overflow)
		return true;
	for (k = 0; k < d->n_r; k++)
		if (a >= d->r[k].lo && a < d->r[k].hi)
			return true;
	return false;
}

/* Was (p, len) stored by an earlier directive?  tlv is the offset of
 * directive i's TLV; with out, *fo gets the earlier file offset. */
static bool dd_find(struct dedup *d, const struct igvm_image *im, size_t i, uint64_t tlv,
		    const uint8_t *out, const uint8_t *p, uint64_t len, uint32_t *fo)
{
	const uint8_t *q;
	uint64_t qlen;
	size_t k;

	*fo = 0;
	for (k = 0; k < DD_CACHE; k++)
		if (d->c[k].p == p && d->c[k].len == len) {
			*fo = d->c[k].fo;
			return true;
		}
	if (!dd_maybe_seen(d, p))
		return false;
	for (k = i; k-- > 0;) {
		tlv -= tlv_size(im->dirs[k].type);
		if (blob_of(&im->dirs[k], &q, &qlen) && q == p && qlen == len) {
			if (out)
				*fo = le_ld32(out + tlv + 8 + 12);   /* file_offset at +12 in all three */
			dd_cache(d, p, len, *fo);
			return true;
		}
	}
	return false;
}

static void dd_add(struct dedup *d, const uint8_t *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p;
	unsigned k;

	for (k = 0; k < d->n_r; k++)
		if (d->r[k].hi == a) {
			d->r[k].hi = a + (uintptr_t)len;
			return;
		}
	if (d->n_r == DD_RANGES) {
		d->overflow = true;
		return;
	}
	d->r[d->n_r].lo = a;
	d->r[d->n_r].hi = a + (uintptr_t)len;
	d->n_r++;
}

static int fail(struct err *e, int rc, size_t i, uint32_t type)
{
	const char *n = igvm_type_name(type);

	if (type == IGVM_VHT_SUPPORTED_PLATFORM)
		err_wrap(e, rc, "platform");
	else
		err_wrap(e, rc, "entry %zu (%s)", i, n ? n : "?");
	if (e)
		e->code = -EINVAL;
	return -EINVAL;
}

/* Check the list and size the file. */
static int plan(const struct igvm_image *im, uint32_t *vh_size, uint64_t *total,
		struct err *e)
{
	struct igvm_val v;
	struct igvm_rec r;
	struct dedup dd;
	const uint8_t *p;
	uint64_t vh = 8 + 16, data = 0, len;
	uint32_t fo;
	size_t i;
	int rc;

	memset(&dd, 0, sizeof(dd));
	igvm_val_init(&v);
	memset(&r, 0, sizeof(r));
	r.type = IGVM_VHT_SUPPORTED_PLATFORM;
	r.mask = im->mask;
	r.highest_vtl = im->highest_vtl;
	r.platform_type = im->platform_type;
	r.platform_version = 1;
	rc = igvm_val_rec(&v, &r, e);
	if (rc < 0)
		return fail(e, rc, 0, r.type);
	for (i = 0; i < im->n_dirs; i++) {
		const struct igvm_dir *d = &im->dirs[i];

		if (payload_len(d->type) == 0)
			return fail(e, err_set(e, -ERR_UNSUPPORTED, "type 0x%x not written by "
					       "igvm_write", d->type), i, d->type);
		if (d->type == IGVM_VHT_VP_CONTEXT && !d->data)
			return fail(e, err_set(e, -EINVAL, "VP_CONTEXT without data"), i, d->type);
		if (d->type == IGVM_VHT_SNP_ID_BLOCK && !d->data)
			return fail(e, err_set(e, -EINVAL, "SNP_ID_BLOCK without data"), i, d->type);
		if ((d->type == IGVM_VHT_REQUIRED_MEMORY || d->type == IGVM_VHT_ERROR_RANGE) &&
		    d->nbytes > UINT32_MAX)
			return fail(e, err_set(e, -EINVAL, "size 0x%llx above 4 GiB",
					       (unsigned long long)d->nbytes), i, d->type);
		dir_rec(im, d, &r);
		rc = igvm_val_rec(&v, &r, e);
		if (rc < 0)
			return fail(e, rc, i, d->type);
		if (blob_of(d, &p, &len) && !dd_find(&dd, im, i, 24 + vh, NULL, p, len, &fo)) {
			data += len;
			dd_add(&dd, p, len);
		}
		vh += tlv_size(d->type);
		if (vh > UINT32_MAX)
			return err_set(e, -EINVAL, "variable headers above 4 GiB");
	}
	rc = igvm_val_end(&v, e);
	if (rc < 0)
		return fail(e, rc, im->n_dirs, 0);
	if (data == 0)
		return err_set(e, -EINVAL, "no file data (no page or VP context): the igvm "
			       "crate refuses such a file");
	*vh_size = (uint32_t)vh;
	*total = IGVM_FIXED_HDR_V1 + vh + data;
	if (*total > UINT32_MAX)
		return err_set(e, -EINVAL, "file of 0x%llx bytes above 4 GiB",
			       (unsigned long long)*total);
	return 0;
}

static void put_payload(uint8_t *q, const struct igvm_image *im, const struct igvm_dir *d,
			uint32_t fo)
{
	uint32_t m = dir_mask(im, d);

	switch (d->type) {
	case IGVM_VHT_GUEST_POLICY:
		le_st64(q, d->policy);
		le_st32(q + 8, m);
		break;
	case IGVM_VHT_PARAMETER_AREA:
		le_st64(q, d->nbytes);
		le_st32(q + 8, d->index);
		le_st32(q + 12, fo);
		break;
	case IGVM_VHT_PAGE_DATA:
		le_st64(q, d->gpa);
		le_st32(q + 8, m);
		le_st32(q + 12, fo);
		le_st32(q + 16, d->flags);
		le_st16(q + 20, d->data_type);
		break;
	case IGVM_VHT_PARAMETER_INSERT:
		le_st64(q, d->gpa);
		le_st32(q + 8, m);
		le_st32(q + 12, d->index);
		break;
	case IGVM_VHT_VP_CONTEXT:
		le_st64(q, d->gpa);
		le_st32(q + 8, m);
		le_st32(q + 12, fo);
		le_st16(q + 16, d->vp_index);
		break;
	case IGVM_VHT_REQUIRED_MEMORY:
		le_st64(q, d->gpa);
		le_st32(q + 8, m);
		le_st32(q + 12, (uint32_t)d->nbytes);
		le_st32(q + 16, d->flags);
		break;
	case IGVM_VHT_ERROR_RANGE:
		le_st64(q, d->gpa);
		le_st32(q + 8, m);
		le_st32(q + 12, (uint32_t)d->nbytes);
		break;
	case IGVM_VHT_SNP_ID_BLOCK:
		memcpy(q, d->data, IGVM_ID_BLOCK_LEN);
		le_st32(q, m);
		break;
	default:   /* the parameters */
		le_st32(q, d->index);
		le_st32(q + 4, d->byte_offset);
		break;
	}
}

int igvm_write(const struct igvm_image *im, uint8_t *out, size_t cap, size_t *out_len,
	       struct err *e)
{
	struct igvm_file f;
	struct dedup dd;
	const uint8_t *p;
	uint64_t total = 0, len;
	uint32_t vh_size = 0, tlv, data_off, fo;
	size_t i;
	int rc;

	*out_len = 0;
	rc = plan(im, &vh_size, &total, e);
	if (rc < 0)
		return rc;
	*out_len = (size_t)total;
	if (!out)
		return 0;
	if (cap < total)
		return err_set(e, -ERR_LIMIT, "IGVM file needs %llu bytes, buffer has %zu",
			       (unsigned long long)total, cap);
	memset(out, 0, (size_t)total);
	le_st32(out, IGVM_MAGIC);
	le_st32(out + 4, 1);
	le_st32(out + 8, IGVM_FIXED_HDR_V1);
	le_st32(out + 12, vh_size);
	le_st32(out + 16, (uint32_t)total);
	tlv = IGVM_FIXED_HDR_V1;
	le_st32(out + tlv, IGVM_VHT_SUPPORTED_PLATFORM);
	le_st32(out + tlv + 4, 16);
	le_st32(out + tlv + 8, im->mask);
	out[tlv + 12] = im->highest_vtl;
	out[tlv + 13] = im->platform_type;
	le_st16(out + tlv + 14, 1);
	tlv += 8 + 16;
	data_off = IGVM_FIXED_HDR_V1 + vh_size;
	memset(&dd, 0, sizeof(dd));
	for (i = 0; i < im->n_dirs; i++) {
		const struct igvm_dir *d = &im->dirs[i];

		fo = 0;
		if (blob_of(d, &p, &len) && !dd_find(&dd, im, i, tlv, out, p, len, &fo)) {
			fo = data_off;
			memcpy(out + data_off, p, (size_t)len);
			data_off += (uint32_t)len;
			dd_add(&dd, p, len);
		}
		le_st32(out + tlv, d->type);
		le_st32(out + tlv + 4, payload_len(d->type));
		put_payload(out + tlv + 8, im, d, fo);
		tlv += tlv_size(d->type);
	}
	le_st32(out + 20, igvm_crc32(0, out, IGVM_FIXED_HDR_V1 + (size_t)vh_size));
	rc = igvm_open(&f, out, (size_t)total, e);
	if (rc < 0) {
		err_wrap(e, rc, "igvm_write produced a file igvm_open refuses");
		if (e)
			e->code = -EINVAL;
		return -EINVAL;
	}
	return 0;
}
