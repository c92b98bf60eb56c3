/* ovmf: see ovmf.h.  Facts: igvm.md §3.6; the measurement order and the VMM
 * differences are sev-snp-measure's (guest.py, gctx.py, vmsa.py). */
#include <errno.h>
#include <string.h>

#include "base/le.h"
#include "base/cur.h"
#include "crypto/sha256.h"
#include "crypto/sha384.h"
#include "igvm/ovmf.h"

#define ENTRY_HDR 18u          /* u16 size + GUID */
#define ASEV_HDR 16u           /* "ASEV", u32 size, u32 version, u32 count */
#define ASEV_ITEM 12u          /* u32 gpa, u32 size, u32 type */
#define HT_ENTRY 50u           /* GUID, u16 length, sha256 */
#define HT_LEN (ENTRY_HDR + 3 * HT_ENTRY) /* 168 */
#define RESET_EIP 0xFFFFFFF0u
#define VMSA_GPA 0xFFFFFFFFF000ull /* KVM's INITIAL_VMSA_GPA */
#define FOUR_GB 0x100000000ull

/* GUIDs in their on-disk (mixed-endian) byte order. */
/* 96b582de-1fb2-45f7-baea-a366c55a082d */
static const uint8_t guid_footer[16] = {
	0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
	0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d,
};
/* 7255371f-3a3b-4b04-927b-1da6efa8d454 */
static const uint8_t guid_hashes_rv[16] = {
	0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
	0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54,
};
/* 00f771de-1a7e-4fcb-890e-68c77e2fb44e */
static const uint8_t guid_seves_reset[16] = {
	0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
	0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e,
};
/* dc886566-984a-4798-a75e-5585a7bf67cc */
static const uint8_t guid_sev_meta[16] = {
	0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
	0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc,
};
/* a789a612-0597-4c4b-a49f-cbb1fe9d1ddd */
static const uint8_t guid_svsm_info[16] = {
	0x12, 0xa6, 0x89, 0xa7, 0x97, 0x05, 0x4b, 0x4c,
	0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd,
};
/* 9438d606-4f22-4cc9-b479-a793d411fd21 */
static const uint8_t guid_ht_header[16] = {
	0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
	0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21,
};
/* 4de79437-abd2-427f-b835-d5b172d2045b */
static const uint8_t guid_ht_kernel[16] = {
	0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
	0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b,
};
/* 44baf731-3a2f-4bd7-9af1-41e29169781d */
static const uint8_t guid_ht_initrd[16] = {
	0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
	0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d,
};
/* 97d02dd8-bd20-4c94-aa78-e7714d36ab2a */
static const uint8_t guid_ht_cmdline[16] = {
	0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
	0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a,
};

/* ---- the GUIDed footer table ------------------------------------------------ */

/* Look `guid` up: 0 found (*data, *dlen), 1 absent (no table, or no such
 * entry; nothing recorded in e), or a negative error for a malformed table. */
static int table_lookup(const uint8_t *img, size_t len, const uint8_t *guid,
			const uint8_t **data, size_t *dlen, struct err *e)
{
	size_t foot, tsize, left, esize, found = 0;

	if (len < OVMF_FOOTER_GAP + ENTRY_HDR)
		return 1;
	foot = len - OVMF_FOOTER_GAP - ENTRY_HDR; /* offset of the footer entry header */
	if (memcmp(img + foot + 2, guid_footer, OVMF_GUID_LEN) != 0)
		return 1;
	tsize = le_ld16(img + foot);
	if (tsize < ENTRY_HDR)
		return err_set(e, -ERR_FORMAT, "firmware footer table: size %zu below its header", tsize);
	tsize -= ENTRY_HDR;
	if (tsize > foot)
		return err_set(e, -ERR_FORMAT, "firmware footer table: %zu bytes, before the image start",
			       tsize);
	/* Entries from the end, each [data][u16 size][GUID]; `left` bytes of
	 * the table lie before the end of the current entry. */
	left = tsize;
	while (left > 0) {
		const uint8_t *end = img + (foot - tsize) + left;

		if (left < ENTRY_HDR)
			return err_set(e, -ERR_FORMAT, "firmware footer table: %zu stray bytes", left);
		esize = le_ld16(end - ENTRY_HDR);
		if (esize < ENTRY_HDR || esize > left)
			return err_set(e, -ERR_FORMAT, "firmware footer table: entry size %zu "
				       "(header 18, %zu bytes left)", esize, left);
		if (memcmp(end - OVMF_GUID_LEN, guid, OVMF_GUID_LEN) == 0) {
			found++;
			*data = end - esize;
			*dlen = esize - ENTRY_HDR;
		}
		left -= esize;
	}
	if (found > 1)
		return err_set(e, -ERR_FORMAT, "firmware footer table: an entry appears %zu times", found);
	return found ? 0 : 1;
}

int ovmf_table_find(const uint8_t *img, size_t len, const uint8_t guid[OVMF_GUID_LEN],
		    const uint8_t **data, size_t *dlen, struct err *e)
{
	const uint8_t *d = NULL;
	size_t n = 0;
	int rc = table_lookup(img, len, guid, &d, &n, e);

	if (rc < 0)
		return rc;
	if (rc > 0)
		return err_set(e, -ERR_NOTFOUND, "firmware footer table: entry absent (or no table)");
	*data = d;
	*dlen = n;
	return 0;
}

/* The first u32 of entry `guid`: 1 found, 0 absent, or an error. */
static int table_u32(const uint8_t *img, size_t len, const uint8_t *guid, const char *what,
		     uint32_t *v, struct err *e)
{
	const uint8_t *d = NULL;
	size_t n = 0;
	int rc = table_lookup(img, len, guid, &d, &n, e);

	if (rc != 0)
		return rc > 0 ? 0 : rc;
	if (n < 4)
		return err_set(e, -ERR_FORMAT, "firmware %s entry: %zu bytes, need 4", what, n);
	*v = le_ld32(d);
	return 1;
}

/* ---- the SEV metadata ("ASEV") --------------------------------------------- */

static int parse_sev_metadata(struct ovmf *o, uint32_t off, struct err *e)
{
	struct cur c;
	const uint8_t *h, *it;
	uint32_t size, version, count, i;

	if (off < ASEV_HDR || off > o->len)
		return err_set(e, -ERR_FORMAT, "SEV metadata: offset %u from the end, image %zu bytes",
			       off, o->len);
	c = cur_make(o->img + (o->len - off), off);
	h = cur_take(&c, ASEV_HDR);
	if (!h || memcmp(h, "ASEV", 4) != 0)
		return err_set(e, -ERR_FORMAT, "SEV metadata: no \"ASEV\" signature");
	size = le_ld32(h + 4);
	version = le_ld32(h + 8);
	count = le_ld32(h + 12);
	if (version != 1)
		return err_set(e, -ERR_UNSUPPORTED, "SEV metadata: version %u (1 supported)", version);
	if (size < ASEV_HDR || size > off)
		return err_set(e, -ERR_FORMAT, "SEV metadata: size %u (%u bytes to the image end)",
			       size, off);
	c.end = c.p + (size - ASEV_HDR); /* the items lie inside the declared size */
	if (count > OVMF_SECTIONS_MAX)
		return err_set(e, -ERR_LIMIT, "SEV metadata: %u sections (at most %d)", count,
			       OVMF_SECTIONS_MAX);
	for (i = 0; i < count; i++) {
		struct ovmf_section *s = &o->sec[i];

		it = cur_take(&c, ASEV_ITEM);
		if (!it)
			return err_set(e, -ERR_FORMAT, "SEV metadata: section %u beyond size %u", i, size);
		s->gpa = le_ld32(it);
		s->size = le_ld32(it + 4);
		s->type = le_ld32(it + 8);
		if (s->gpa % OVMF_PAGE || s->size % OVMF_PAGE || s->size == 0 ||
		    (uint64_t)s->gpa + s->size > FOUR_GB)
			return err_set(e, -ERR_FORMAT, "SEV metadata section %u: gpa 0x%x size 0x%x "
				       "not whole pages below 4 GiB", i, s->gpa, s->size);
	}
	if (!cur_done(&c))
		return err_set(e, -ERR_FORMAT, "SEV metadata: %zu bytes after %u sections",
			       cur_left(&c), count);
	o->nsections = count;
	return 0;
}

int ovmf_parse(const uint8_t *img, size_t len, uint64_t end, struct ovmf *o, struct err *e)
{
	uint32_t off = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	if (len == 0 || len % OVMF_PAGE || len > end || end > FOUR_GB || end % OVMF_PAGE)
		return err_set(e, -ERR_FORMAT, "firmware image: %zu bytes is not a whole number of "
			       "pages fitting below 0x%llx", len, (unsigned long long)end);
	o->img = img;
	o->len = len;
	o->gpa = end - len;
	rc = table_u32(img, len, guid_seves_reset, "SEV-ES reset block", &o->reset_eip, e);
	if (rc < 0)
		return rc;
	o->has_reset_eip = rc;
	rc = table_u32(img, len, guid_hashes_rv, "SEV hashes table", &o->hashes_gpa, e);
	if (rc < 0)
		return rc;
	o->has_hashes = rc;
	rc = table_u32(img, len, guid_svsm_info, "SVSM information", &o->svsm_entry, e);
	if (rc < 0)
		return rc;
	o->has_svsm_info = rc;
	rc = table_u32(img, len, guid_sev_meta, "SEV metadata", &off, e);
	if (rc <= 0)
		return rc;
	return parse_sev_metadata(o, off, e);
}

/* ---- the kernel hashes table ------------------------------------------------ */

static uint8_t *ht_entry(uint8_t *p, const uint8_t *guid, uint16_t len, const uint8_t *hash,
			 size_t hlen)
{
	memcpy(p, guid, OVMF_GUID_LEN);
	p[16] = (uint8_t)len;
	p[17] = (uint8_t)(len >> 8);
	if (hash)
		memcpy(p + ENTRY_HDR, hash, hlen);
	return p + ENTRY_HDR + hlen;
}

void ovmf_hashes_table(const struct ovmf_kernel_hashes *h, uint8_t out[OVMF_HASHES_TABLE_LEN])
{
	uint8_t *p = out;

	memset(out, 0, OVMF_HASHES_TABLE_LEN);
	p = ht_entry(p, guid_ht_header, HT_LEN, NULL, 0);
	p = ht_entry(p, guid_ht_cmdline, HT_ENTRY, h->cmdline, 32);
	p = ht_entry(p, guid_ht_initrd, HT_ENTRY, h->initrd, 32);
	(void)ht_entry(p, guid_ht_kernel, HT_ENTRY, h->kernel, 32);
}

/* ---- measurements ---------------------------------------------------------- */

static int check_params(const struct ovmf_params *p, struct err *e)
{
	if (!p)
		return err_set(e, -EINVAL, "no launch parameters");
	if (p->vcpus == 0 || p->vcpus > OVMF_VCPUS_MAX)
		return err_set(e, -EINVAL, "vcpus %u: 1..%u", p->vcpus, OVMF_VCPUS_MAX);
	if (p->vmm != VMSA_VMM_QEMU && p->vmm != VMSA_VMM_EC2 && p->vmm != VMSA_VMM_GCE)
		return err_set(e, -EINVAL, "unknown VMM type %d", (int)p->vmm);
	return 0;
}

static void pages(struct snp_ld *l, enum snp_page_type t, uint64_t gpa, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += OVMF_PAGE)
		snp_ld_page(l, t, gpa + off, NULL);
}

static void normal_pages(struct snp_ld *l, uint64_t gpa, const uint8_t *data, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += OVMF_PAGE)
		snp_ld_page(l, SNP_PAGE_NORMAL, gpa + off, data + off);
}

static int kernel_hashes_page(struct snp_ld *l, const struct ovmf *o, const struct ovmf_section *s,
			      const struct ovmf_kernel_hashes *h, struct err *e)
{
	uint8_t page[OVMF_PAGE];
	uint32_t in_page;

	if (!h) {
		pages(l, SNP_PAGE_ZERO, s->gpa, s->size);
		return 0;
	}
	if (!o->has_hashes)
		return err_set(e, -ERR_UNSUPPORTED, "kernel hashes: the firmware has no SEV hashes "
			       "table entry");
	in_page = o->hashes_gpa & (OVMF_PAGE - 1);
	if (s->size != OVMF_PAGE || in_page + OVMF_HASHES_TABLE_LEN > OVMF_PAGE)
		return err_set(e, -ERR_FORMAT, "kernel hashes section: size 0x%x, table at page "
			       "offset 0x%x (one page holding the table expected)", s->size, in_page);
	memset(page, 0, sizeof(page));
	ovmf_hashes_table(h, page + in_page);
	snp_ld_page(l, SNP_PAGE_NORMAL, s->gpa, page);
	return 0;
}

/* The metadata sections of o, as sev-snp-measure's snp_update_metadata_pages. */
static int metadata_pages(struct snp_ld *l, const struct ovmf *o, const struct ovmf_kernel_hashes *h,
			  enum vmsa_vmm vmm, struct err *e)
{
	bool has_kh = false;
	unsigned i;
	int rc;

	for (i = 0; i < o->nsections; i++) {
		const struct ovmf_section *s = &o->sec[i];

		switch (s->type) {
		case OVMF_SEC_SNP_SEC_MEM:
			pages(l, vmm == VMSA_VMM_GCE ? SNP_PAGE_UNMEASURED : SNP_PAGE_ZERO, s->gpa,
			      s->size);
			break;
		case OVMF_SEC_SNP_SECRETS:
		case OVMF_SEC_CPUID:
			if (s->size != OVMF_PAGE)
				return err_set(e, -ERR_UNSUPPORTED, "SEV metadata section %u (type %u): "
					       "0x%x bytes, one page expected", i, s->type, s->size);
			if (s->type == OVMF_SEC_SNP_SECRETS)
				snp_ld_page(l, SNP_PAGE_SECRETS, s->gpa, NULL);
			else if (vmm != VMSA_VMM_EC2)
				snp_ld_page(l, SNP_PAGE_CPUID, s->gpa, NULL);
			break;
		case OVMF_SEC_SNP_KERNEL_HASHES:
			has_kh = true;
			rc = kernel_hashes_page(l, o, s, h, e);
			if (rc < 0)
				return rc;
			break;
		case OVMF_SEC_SVSM_CAA:
			pages(l, SNP_PAGE_ZERO, s->gpa, s->size);
			break;
		default:
			return err_set(e, -ERR_UNSUPPORTED, "SEV metadata section %u: unknown type 0x%x",
				       i, s->type);
		}
	}
	/* EC2 measures the CPUID pages after every other section. */
	if (vmm == VMSA_VMM_EC2)
		for (i = 0; i < o->nsections; i++)
			if (o->sec[i].type == OVMF_SEC_CPUID)
				snp_ld_page(l, SNP_PAGE_CPUID, o->sec[i].gpa, NULL);
	if (h && !has_kh)
		return err_set(e, -ERR_UNSUPPORTED, "kernel hashes: the firmware's SEV metadata has no "
			       "SNP_KERNEL_HASHES section");
	return 0;
}

static int need_reset_eip(const struct ovmf *o, unsigned vcpus, struct err *e)
{
	if (!o->has_reset_eip)
		return err_set(e, -ERR_FORMAT, "firmware: no SEV-ES reset block (not an SEV firmware)");
	if (vcpus > 1 && o->reset_eip == 0)
		return err_set(e, -ERR_FORMAT, "firmware: SEV-ES reset block eip 0, APs cannot start");
	return 0;
}

static int snp_svsm(const struct ovmf *ov, const struct ovmf_params *p, struct snp_ld *l,
		    struct err *e)
{
	struct ovmf sv;
	uint8_t v[VMSA_SIZE], h[SNP_LD_LEN];
	uint64_t end;
	unsigned i;
	int rc;

	if (p->vmm != VMSA_VMM_QEMU)
		return err_set(e, -ERR_UNSUPPORTED, "SVSM mode: only QEMU is modelled");
	if (p->hashes || p->ovmf_hash)
		return err_set(e, -EINVAL, "SVSM mode: no kernel hashes or OVMF hash seed");
	if (p->vars_size % OVMF_PAGE || p->vars_size > ov->gpa)
		return err_set(e, -EINVAL, "SVSM mode: OVMF_VARS size 0x%llx (whole pages below OVMF)",
			       (unsigned long long)p->vars_size);
	end = ov->gpa - p->vars_size;
	rc = ovmf_parse(p->svsm, p->svsm_len, end, &sv, e);
	if (rc < 0)
		return err_wrap(e, rc, "SVSM image");
	if (!sv.has_svsm_info)
		return err_set(e, -ERR_FORMAT, "SVSM image: no SVSM information entry");
	if (sv.gpa + sv.svsm_entry > UINT32_MAX)
		return err_set(e, -ERR_FORMAT, "SVSM image: entry 0x%llx above 4 GiB",
			       (unsigned long long)(sv.gpa + sv.svsm_entry));
	normal_pages(l, ov->gpa, ov->img, ov->len);
	normal_pages(l, sv.gpa, sv.img, sv.len);
	rc = metadata_pages(l, &sv, NULL, VMSA_VMM_QEMU, e);
	if (rc < 0)
		return err_wrap(e, rc, "SVSM image");
	vmsa_svsm(v, (uint32_t)(sv.gpa + sv.svsm_entry), p->vcpu_sig, p->guest_features);
	sha384(v, sizeof(v), h);
	for (i = 0; i < p->vcpus; i++)
		snp_ld_page_hashed(l, SNP_PAGE_VMSA, VMSA_GPA, h);
	return 0;
}

int ovmf_snp_digest(const uint8_t *img, size_t len, const struct ovmf_params *p,
		    struct snp_ld *out, struct err *e)
{
	struct ovmf o;
	uint8_t v[VMSA_SIZE], bsp[SNP_LD_LEN], ap[SNP_LD_LEN];
	unsigned i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_params(p, e);
	if (rc == 0)
		rc = ovmf_parse(img, len, OVMF_IMAGE_END, &o, e);
	if (rc < 0)
		return rc;
	if (p->svsm) {
		snp_ld_init(out, NULL);
		rc = snp_svsm(&o, p, out, e);
		if (rc < 0)
			memset(out, 0, sizeof(*out));
		return rc;
	}
	rc = need_reset_eip(&o, p->vcpus, e);
	if (rc < 0)
		return rc;
	snp_ld_init(out, p->ovmf_hash);
	if (!p->ovmf_hash)
		normal_pages(out, o.gpa, o.img, o.len);
	rc = metadata_pages(out, &o, p->hashes, p->vmm, e);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	vmsa_reset(v, p->vmm, true, RESET_EIP, p->vcpu_sig, p->guest_features);
	sha384(v, sizeof(v), bsp);
	vmsa_reset(v, p->vmm, false, o.reset_eip, p->vcpu_sig, p->guest_features);
	sha384(v, sizeof(v), ap);
	for (i = 0; i < p->vcpus; i++)
		snp_ld_page_hashed(out, SNP_PAGE_VMSA, VMSA_GPA, i == 0 ? bsp : ap);
	if (p->ovmf_hash) {
		/* the PSP still hashes the OVMF pages at launch */
		out->measured_bytes += len;
		out->pages += len / OVMF_PAGE;
	}
	return 0;
}

int ovmf_seves_digest(const uint8_t *img, size_t len, const struct ovmf_params *p,
		      uint8_t out[32], struct err *e)
{
	struct ovmf o;
	struct sha256 h;
	uint8_t v[VMSA_SIZE], t[OVMF_HASHES_TABLE_LEN];
	unsigned i;
	int rc;

	memset(out, 0, 32);
	rc = check_params(p, e);
	if (rc == 0 && (p->ovmf_hash || p->svsm))
		rc = err_set(e, -EINVAL, "SEV-ES: no OVMF hash seed or SVSM");
	if (rc == 0)
		rc = ovmf_parse(img, len, OVMF_IMAGE_END, &o, e);
	if (rc == 0)
		rc = need_reset_eip(&o, p->vcpus, e);
	if (rc == 0 && p->hashes && (!o.has_hashes || o.hashes_gpa == 0))
		rc = err_set(e, -ERR_UNSUPPORTED, "kernel hashes: the firmware does not support "
			     "kernel/initrd/cmdline measurement");
	if (rc < 0)
		return rc;
	sha256_init(&h);
	sha256_update(&h, img, len);
	if (p->hashes) {
		ovmf_hashes_table(p->hashes, t);
		sha256_update(&h, t, sizeof(t));
	}
	for (i = 0; i < p->vcpus; i++) {
		vmsa_reset(v, p->vmm, i == 0, i == 0 ? RESET_EIP : o.reset_eip, p->vcpu_sig, 0);
		sha256_update(&h, v, sizeof(v));
	}
	sha256_final(&h, out);
	return 0;
}

int ovmf_snp_ovmf_hash(const uint8_t *img, size_t len, uint8_t out[SNP_LD_LEN], struct err *e)
{
	struct snp_ld l;

	memset(out, 0, SNP_LD_LEN);
	if (len == 0 || len % OVMF_PAGE || len > OVMF_IMAGE_END)
		return err_set(e, -ERR_FORMAT, "firmware image: %zu bytes is not a whole number of "
			       "pages below 4 GiB", len);
	snp_ld_init(&l, NULL);
	normal_pages(&l, OVMF_IMAGE_END - len, img, len);
	memcpy(out, l.ld, SNP_LD_LEN);
	return 0;
}
