/* tdvf: see tdvf.h.  Facts: igvm.md §4; KVM_TDX_INIT_MEM_REGION order. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/le.h"
#include "base/cur.h"
#include "igvm/ovmf.h"
#include "igvm/tdvf.h"

#define DESC_HDR 16u
#define SECTION_LEN 32u
#define PAGE_LEN 4096ull

/* e47a6535-984a-4798-865e-4685a7bf8ec2 */
static const uint8_t guid_tdx_meta[16] = {
	0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
	0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2,
};

static int check_section(const struct tdvf_section *s, unsigned i, size_t len, struct err *e)
{
	if (s->type > TDVF_SEC_PAYLOAD_PARAM)
		return err_set(e, -ERR_UNSUPPORTED, "TDVF section %u: unknown type %u", i, s->type);
	if (s->attributes & ~(TDVF_ATTR_MR_EXTEND | TDVF_ATTR_PAGE_AUG))
		return err_set(e, -ERR_UNSUPPORTED, "TDVF section %u: unknown attributes 0x%x", i,
			       s->attributes);
	if ((s->attributes & TDVF_ATTR_MR_EXTEND) && (s->attributes & TDVF_ATTR_PAGE_AUG))
		return err_set(e, -ERR_FORMAT, "TDVF section %u: MR_EXTEND of a PAGE_AUG section", i);
	if (s->gpa % PAGE_LEN || s->mem_size % PAGE_LEN || s->mem_size == 0)
		return err_set(e, -ERR_FORMAT, "TDVF section %u: gpa 0x%llx size 0x%llx not whole pages",
			       i, (unsigned long long)s->gpa, (unsigned long long)s->mem_size);
	if (s->gpa > UINT64_MAX - s->mem_size)
		return err_set(e, -ERR_FORMAT, "TDVF section %u: gpa 0x%llx + size wraps", i,
			       (unsigned long long)s->gpa);
	if (s->raw_size > s->mem_size)
		return err_set(e, -ERR_FORMAT, "TDVF section %u: raw size 0x%x above memory size 0x%llx",
			       i, s->raw_size, (unsigned long long)s->mem_size);
	if ((uint64_t)s->data_offset + s->raw_size > len)
		return err_set(e, -ERR_FORMAT, "TDVF section %u: data 0x%x+0x%x beyond the image "
			       "(%zu bytes)", i, s->data_offset, s->raw_size, len);
	return 0;
}

int tdvf_parse(const uint8_t *img, size_t len, struct tdvf *t, struct err *e)
{
	const uint8_t *d = NULL, *h, *p;
	size_t n = 0;
	uint32_t off, dlen, version, count, i;
	uint64_t added = 0;
	struct cur c;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = ovmf_table_find(img, len, guid_tdx_meta, &d, &n, e);
	if (rc < 0)
		return rc == -ERR_NOTFOUND ?
		       err_set(e, rc, "not a TDVF image: no TDX metadata entry in the footer table") :
		       rc;
	if (n < 4)
		return err_set(e, -ERR_FORMAT, "TDX metadata entry: %zu bytes, need 4", n);
	off = le_ld32(d);
	if (off < DESC_HDR || off > len)
		return err_set(e, -ERR_FORMAT, "TDVF descriptor: offset %u from the end, image %zu bytes",
			       off, len);
	c = cur_make(img + (len - off), off);
	h = cur_take(&c, DESC_HDR);
	if (!h || memcmp(h, "TDVF", 4) != 0)
		return err_set(e, -ERR_FORMAT, "TDVF descriptor: no \"TDVF\" signature");
	dlen = le_ld32(h + 4);
	version = le_ld32(h + 8);
	count = le_ld32(h + 12);
	if (version != 1)
		return err_set(e, -ERR_UNSUPPORTED, "TDVF descriptor: version %u (1 supported)", version);
	if (count == 0 || count > TDVF_SECTIONS_MAX)
		return err_set(e, count ? -ERR_LIMIT : -ERR_FORMAT, "TDVF descriptor: %u sections "
			       "(1..%d)", count, TDVF_SECTIONS_MAX);
	if (dlen > off || dlen != DESC_HDR + SECTION_LEN * count)
		return err_set(e, -ERR_FORMAT, "TDVF descriptor: length %u for %u sections (%u bytes "
			       "to the image end)", dlen, count, off);
	c.end = c.p + (dlen - DESC_HDR);
	for (i = 0; i < count; i++) {
		struct tdvf_section *s = &t->sec[i];

		p = cur_take(&c, SECTION_LEN);
		if (!p)
			return err_set(e, -ERR_FORMAT, "TDVF section %u: truncated", i);
		s->data_offset = le_ld32(p);
		s->raw_size = le_ld32(p + 4);
		s->gpa = le_ld64(p + 8);
		s->mem_size = le_ld64(p + 16);
		s->type = le_ld32(p + 24);
		s->attributes = le_ld32(p + 28);
		rc = check_section(s, i, len, e);
		if (rc < 0)
			return rc;
		if (!(s->attributes & TDVF_ATTR_PAGE_AUG)) {
			added += s->mem_size;
			if (added > TDVF_ADDED_MAX)
				return err_set(e, -ERR_LIMIT, "TDVF: more than %llu MiB added at build time",
					       TDVF_ADDED_MAX >> 20);
		}
	}
	if (!cur_done(&c))
		return err_set(e, -ERR_FORMAT, "TDVF descriptor: trailing bytes");
	t->img = img;
	t->len = len;
	t->nsections = count;
	return 0;
}

/* Extend page `pg` of section s: raw data, zero-padded. */
static void extend_page(struct tdx_mrtd *m, const struct tdvf *t, const struct tdvf_section *s,
			uint64_t pg)
{
	uint8_t buf[PAGE_LEN];
	uint64_t at = pg * PAGE_LEN, have;

	have = at < s->raw_size ? s->raw_size - at : 0;
	if (have >= PAGE_LEN) {
		tdx_mrtd_extend(m, s->gpa + at, t->img + s->data_offset + at);
	} else if (have == 0) {
		tdx_mrtd_extend(m, s->gpa + at, NULL);
	} else {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, t->img + s->data_offset + at, (size_t)have);
		tdx_mrtd_extend(m, s->gpa + at, buf);
	}
}

int tdvf_mrtd(const struct tdvf *t, unsigned flags, uint8_t out[TDX_MRTD_LEN],
	      struct tdvf_counts *counts, struct err *e)
{
	struct tdx_mrtd m;
	unsigned i;
	uint64_t pg, np;

	memset(out, 0, TDX_MRTD_LEN);
	if (flags & ~TDVF_TWO_PASS)
		return err_set(e, -EINVAL, "tdvf_mrtd: unknown flags 0x%x", flags);
	if (!t->img || t->nsections == 0 || t->nsections > TDVF_SECTIONS_MAX)
		return err_set(e, -EINVAL, "tdvf_mrtd: metadata not parsed");
	tdx_mrtd_init(&m);
	for (i = 0; i < t->nsections; i++) {
		const struct tdvf_section *s = &t->sec[i];
		bool add = !(s->attributes & TDVF_ATTR_PAGE_AUG);
		bool ext = s->attributes & TDVF_ATTR_MR_EXTEND;

		np = s->mem_size / PAGE_LEN;
		if (flags & TDVF_TWO_PASS) {
			for (pg = 0; add && pg < np; pg++)
				tdx_mrtd_add(&m, s->gpa + pg * PAGE_LEN);
			for (pg = 0; ext && pg < np; pg++)
				extend_page(&m, t, s, pg);
		} else {
			for (pg = 0; pg < np && (add || ext); pg++) {
				if (add)
					tdx_mrtd_add(&m, s->gpa + pg * PAGE_LEN);
				if (ext)
					extend_page(&m, t, s, pg);
			}
		}
	}
	if (counts) {
		counts->pages_added = m.pages_added;
		counts->pages_extended = m.pages_extended;
	}
	tdx_mrtd_final(&m, out);
	return 0;
}

int tdvf_measure(const uint8_t *img, size_t len, unsigned flags, uint8_t out[TDX_MRTD_LEN],
		 struct tdvf_counts *counts, struct err *e)
{
	struct tdvf t;
	int rc;

	memset(out, 0, TDX_MRTD_LEN);
	rc = tdvf_parse(img, len, &t, e);
	if (rc == 0)
		rc = tdvf_mrtd(&t, flags, out, counts, e);
	return rc;
}
