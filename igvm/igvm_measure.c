/* igvm_measure: see igvm_measure.h.  Sources for each model: igvm.md §3.2
 * (microsoft/igvm measurement/snp.rs, Cloud Hypervisor igvm_loader.rs,
 * QEMU backends/igvm.c), §3.4 (KVM's VMSA measurement), §4.2 (TDX). */
#include <errno.h>
#include <string.h>

#include "base/le.h"
#include "igvm/igvm_measure.h"
#include "igvm/vmsa.h"

#define KVM_AP_EIP 0xFFFFFFF0u

const char *igvm_measure_loader_name(enum igvm_loader l)
{
	switch (l) {
	case IGVM_LOADER_CRATE: return "crate";
	case IGVM_LOADER_KVM: return "kvm";
	case IGVM_LOADER_MSHV: return "mshv";
	}
	return "?";
}

int igvm_measure_loader_parse(const char *name, enum igvm_loader *l, struct err *e)
{
	if (strcmp(name, "crate") == 0)
		*l = IGVM_LOADER_CRATE;
	else if (strcmp(name, "kvm") == 0)
		*l = IGVM_LOADER_KVM;
	else if (strcmp(name, "mshv") == 0)
		*l = IGVM_LOADER_MSHV;
	else
		return err_set(e, -ERR_NOTFOUND, "unknown loader model \"%s\" (crate, kvm, mshv)",
			       name);
	return 0;
}

static int platform_bit(const struct igvm_file *f, uint32_t mask, unsigned ptype,
			uint32_t *out, struct err *e)
{
	if (mask == 0)
		mask = igvm_platform_mask(f, ptype);
	if (mask == 0)
		return err_set(e, -ERR_NOTFOUND, "no %s platform in the file",
			       igvm_platform_name(ptype));
	if (igvm_mask_platform(f, mask) != (int)ptype)
		return err_set(e, -ERR_NOTFOUND, "mask 0x%x is not a %s platform of the file", mask,
			       igvm_platform_name(ptype));
	*out = mask;
	return 0;
}

int igvm_measure_snp_mask(const struct igvm_file *f, uint32_t mask, uint32_t *out,
			  struct err *e)
{
	return platform_bit(f, mask, IGVM_PLATFORM_SEV_SNP, out, e);
}

/* The SNP page type of a PAGE_DATA under loader l; false: not imported. */
static bool page_type(const struct igvm_rec *r, enum igvm_loader l, enum snp_page_type *t)
{
	if (l == IGVM_LOADER_CRATE && (r->flags & IGVM_PAGEF_SHARED))
		return false;
	switch (r->data_type) {
	case IGVM_PAGE_SECRETS:
		*t = SNP_PAGE_SECRETS;
		break;
	case IGVM_PAGE_CPUID_DATA:
	case IGVM_PAGE_CPUID_XF:
		*t = SNP_PAGE_CPUID;
		break;
	default:
		if (r->flags & IGVM_PAGEF_UNMEASURED)
			*t = SNP_PAGE_UNMEASURED;
		else if (!r->data && l == IGVM_LOADER_KVM)
			*t = SNP_PAGE_ZERO;
		else
			*t = SNP_PAGE_NORMAL;
		break;
	}
	return true;
}

/* Refuse what no model measures faithfully. */
static int common_checks(const struct igvm_file *f, uint32_t m, enum igvm_loader l,
			 struct err *e)
{
	struct igvm_rec r;
	uint32_t pos = 0;

	while (igvm_next(f, &pos, &r)) {
		if (!(r.mask & m))
			continue;
		if (r.type == IGVM_VHT_RELOCATABLE_REGION ||
		    r.type == IGVM_VHT_PAGE_TABLE_RELOCATION_REGION)
			return err_set(e, -ERR_UNSUPPORTED, "header at 0x%x: relocatable images are "
				       "measured where the loader places them", r.hdr_off);
		if (l == IGVM_LOADER_MSHV && r.type == IGVM_VHT_PAGE_DATA &&
		    r.data_type == IGVM_PAGE_CPUID_XF)
			return err_set(e, -ERR_UNSUPPORTED, "header at 0x%x: CPUID_XF page: Cloud "
				       "Hypervisor on MSHV cannot load it", r.hdr_off);
	}
	return 0;
}

/* ---- crate and kvm: file order ---------------------------------------------- */

static void measure_area(const struct igvm_file *f, const struct igvm_rec *r, struct snp_ld *ld)
{
	uint64_t n = igvm_area_size(f, r->index, r->hdr_off) / IGVM_PAGE, k;

	for (k = 0; k < n; k++)
		snp_ld_page(ld, SNP_PAGE_UNMEASURED, r->gpa + k * IGVM_PAGE, NULL);
}

static void measure_in_order(const struct igvm_file *f, uint32_t m, enum igvm_loader l,
			     struct snp_ld *ld)
{
	enum snp_page_type t;
	struct igvm_rec r;
	uint32_t pos = 0;

	while (igvm_next(f, &pos, &r)) {
		if (!(r.mask & m))
			continue;
		switch (r.type) {
		case IGVM_VHT_PAGE_DATA:
			if (page_type(&r, l, &t))
				snp_ld_page(ld, t, r.gpa, r.data);
			break;
		case IGVM_VHT_PARAMETER_INSERT:
			measure_area(f, &r, ld);
			break;
		case IGVM_VHT_VP_CONTEXT:
			if (l == IGVM_LOADER_CRATE)
				snp_ld_page(ld, SNP_PAGE_VMSA, r.gpa, r.data);
			break;
		default:
			break;
		}
	}
}

/* The file's VMSA for vp (NULL if none); -EINVAL on a second one. */
static int find_vmsa(const struct igvm_file *f, uint32_t m, uint32_t vp, const uint8_t **out,
		     struct err *e)
{
	struct igvm_rec r;
	uint32_t pos = 0;

	*out = NULL;
	while (igvm_next(f, &pos, &r)) {
		if (r.type != IGVM_VHT_VP_CONTEXT || !(r.mask & m) || r.vp_index != vp)
			continue;
		if (*out)
			return err_set(e, -ERR_UNSUPPORTED, "two VP_CONTEXTs for vp %u", vp);
		*out = r.data;
	}
	return 0;
}

static int measure_kvm_vmsas(const struct igvm_file *f, uint32_t m, uint32_t vcpus,
			     uint32_t sig, struct snp_ld *ld, struct err *e)
{
	uint8_t reset[VMSA_SIZE];
	const uint8_t *vp0, *v;
	struct igvm_rec r;
	uint32_t pos = 0, i;
	int rc;

	while (igvm_next(f, &pos, &r))
		if (r.type == IGVM_VHT_VP_CONTEXT && (r.mask & m) && r.vp_index >= vcpus)
			return err_set(e, -ERR_UNSUPPORTED, "VP_CONTEXT for vp %u but %u vCPU%s",
				       r.vp_index, vcpus, vcpus == 1 ? "" : "s");
	rc = find_vmsa(f, m, 0, &vp0, e);
	if (rc < 0)
		return rc;
	if (!vp0)
		return err_set(e, -ERR_UNSUPPORTED, "no VP_CONTEXT for vp 0: KVM would start the "
			       "BSP at its reset state");
	snp_ld_page(ld, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, vp0);
	for (i = 1; i < vcpus; i++) {
		rc = find_vmsa(f, m, i, &v, e);
		if (rc < 0)
			return rc;
		if (!v) {
			vmsa_reset(reset, VMSA_VMM_QEMU, false, KVM_AP_EIP, sig,
				   le_ld64(vp0 + VMSA_SEV_FEATURES));
			v = reset;
		}
		snp_ld_page(ld, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, v);
	}
	return 0;
}

/* ---- mshv: sorted by GPA -------------------------------------------------------- */

size_t igvm_measure_slots(const struct igvm_file *f, uint32_t mask)
{
	struct igvm_rec r;
	uint32_t pos = 0;
	size_t n = 0;

	while (igvm_next(f, &pos, &r))
		if ((r.mask & mask) && (r.type == IGVM_VHT_PAGE_DATA ||
					r.type == IGVM_VHT_PARAMETER_INSERT ||
					r.type == IGVM_VHT_VP_CONTEXT))
			n++;
	return n;
}

static bool slot_less(const struct igvm_measure_slot *a, const struct igvm_measure_slot *b)
{
	return a->gpa < b->gpa || (a->gpa == b->gpa && a->seq < b->seq);
}

static void slot_sift(struct igvm_measure_slot *a, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		struct igvm_measure_slot t;

		if (c >= n)
			return;
		if (c + 1 < n && slot_less(&a[c], &a[c + 1]))
			c++;
		if (!slot_less(&a[i], &a[c]))
			return;
		t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

/* Heap sort on (gpa, seq): seq is unique, so the order is total and the
 * result is what a stable sort by gpa gives. */
static void slot_sort(struct igvm_measure_slot *a, size_t n)
{
	struct igvm_measure_slot t;
	size_t i;

	for (i = n / 2; i-- > 0;)
		slot_sift(a, i, n);
	for (i = n; i-- > 1;) {
		t = a[0];
		a[0] = a[i];
		a[i] = t;
		slot_sift(a, 0, i);
	}
}

static int measure_mshv(const struct igvm_file *f, uint32_t m, struct igvm_measure_slot *s,
			size_t cap, struct snp_ld *ld, struct err *e)
{
	size_t need = igvm_measure_slots(f, m), n = 0, i;
	enum snp_page_type t;
	struct igvm_rec r;
	uint32_t pos = 0;

	if (!s || cap < need)
		return err_set(e, -EINVAL, "mshv model needs %zu scratch slots, got %zu", need,
			       s ? cap : 0);
	while (igvm_next(f, &pos, &r)) {
		if (!(r.mask & m))
			continue;
		if (r.type == IGVM_VHT_PARAMETER_INSERT)
			t = SNP_PAGE_UNMEASURED;
		else if (r.type == IGVM_VHT_VP_CONTEXT)
			t = SNP_PAGE_VMSA;
		else if (r.type != IGVM_VHT_PAGE_DATA || !page_type(&r, IGVM_LOADER_MSHV, &t))
			continue;
		s[n].gpa = r.gpa;
		s[n].data = r.type == IGVM_VHT_PARAMETER_INSERT ? NULL : r.data;
		s[n].seq = (uint32_t)n;
		s[n].type = (uint8_t)t;
		n++;
	}
	slot_sort(s, n);
	for (i = 0; i < n; i++)
		snp_ld_page(ld, (enum snp_page_type)s[i].type, s[i].gpa, s[i].data);
	return 0;
}

/* ---- entry points -------------------------------------------------------------- */

int igvm_measure_snp(const struct igvm_file *f, const struct igvm_measure_opts *o,
		     struct snp_ld *ld, struct err *e)
{
	uint32_t m = 0, vcpus = o->vcpus ? o->vcpus : 1;
	int rc;

	snp_ld_init(ld, NULL);
	if (o->loader != IGVM_LOADER_CRATE && o->loader != IGVM_LOADER_KVM &&
	    o->loader != IGVM_LOADER_MSHV)
		return err_set(e, -EINVAL, "unknown loader model %d", (int)o->loader);
	if (vcpus > IGVM_MEASURE_MAX_VCPUS)
		return err_set(e, -EINVAL, "%u vCPUs (at most %u)", vcpus, IGVM_MEASURE_MAX_VCPUS);
	rc = igvm_measure_snp_mask(f, o->mask, &m, e);
	if (rc == 0)
		rc = common_checks(f, m, o->loader, e);
	if (rc < 0)
		return rc;
	switch (o->loader) {
	case IGVM_LOADER_MSHV:
		return measure_mshv(f, m, o->scratch, o->n_scratch, ld, e);
	case IGVM_LOADER_KVM:
		measure_in_order(f, m, o->loader, ld);
		return measure_kvm_vmsas(f, m, vcpus, o->vcpu_sig, ld, e);
	default:
		measure_in_order(f, m, o->loader, ld);
		return 0;
	}
}

int igvm_measure_tdx(const struct igvm_file *f, uint32_t mask, uint8_t mrtd[TDX_MRTD_LEN],
		     uint64_t *pages_added, uint64_t *pages_extended, struct err *e)
{
	struct tdx_mrtd t;
	struct igvm_rec r;
	uint32_t m = 0, pos = 0;
	uint64_t n, k;
	int rc = platform_bit(f, mask, IGVM_PLATFORM_TDX, &m, e);

	if (rc == 0)
		rc = common_checks(f, m, IGVM_LOADER_CRATE, e);
	if (rc < 0)
		return rc;
	tdx_mrtd_init(&t);
	while (igvm_next(f, &pos, &r)) {
		if (!(r.mask & m))
			continue;
		if (r.type == IGVM_VHT_PAGE_DATA && !(r.flags & IGVM_PAGEF_SHARED)) {
			tdx_mrtd_add(&t, r.gpa);
			if (!(r.flags & IGVM_PAGEF_UNMEASURED))
				tdx_mrtd_extend(&t, r.gpa, r.data);
		} else if (r.type == IGVM_VHT_PARAMETER_INSERT) {
			n = igvm_area_size(f, r.index, r.hdr_off) / IGVM_PAGE;
			for (k = 0; k < n; k++)
				tdx_mrtd_add(&t, r.gpa + k * IGVM_PAGE);
		}
	}
	if (pages_added)
		*pages_added = t.pages_added;
	if (pages_extended)
		*pages_extended = t.pages_extended;
	tdx_mrtd_final(&t, mrtd);
	return 0;
}

int igvm_measure_id_block_ld(const struct igvm_file *f, uint32_t mask,
			     uint8_t ld[SNP_LD_LEN], struct err *e)
{
	struct igvm_rec r;
	uint32_t m = 0, pos = 0;
	int rc = igvm_measure_snp_mask(f, mask, &m, e);

	if (rc < 0)
		return rc;
	while (igvm_next(f, &pos, &r))
		if (r.type == IGVM_VHT_SNP_ID_BLOCK && (r.mask & m)) {
			memcpy(ld, r.data + 8, SNP_LD_LEN);
			return 0;
		}
	return err_set(e, -ERR_NOTFOUND, "no SNP_ID_BLOCK for mask 0x%x", m);
}

int igvm_measure_check_kvm(const struct igvm_file *f, uint32_t mask, struct err *e)
{
	const uint8_t *vmsa = NULL;
	struct igvm_rec r;
	uint32_t m = 0, pos = 0, n = 0;
	int rc = igvm_measure_snp_mask(f, mask, &m, e);

	if (rc < 0)
		return rc;
	while (igvm_next(f, &pos, &r)) {
		if (!(r.mask & m))
			continue;
		if (r.type == IGVM_VHT_VP_CONTEXT) {
			if (++n > 1)
				return err_set(e, -ERR_UNSUPPORTED, "KVM check: more than one VP_CONTEXT "
					       "(QEMU/KVM take only the first vCPU's VMSA from the file)");
			if (r.gpa != IGVM_KVM_VMSA_GPA)
				return err_set(e, -ERR_UNSUPPORTED, "KVM check: VMSA at GPA 0x%llx; KVM "
					       "measures it at 0x%llx, so the file must name that GPA",
					       (unsigned long long)r.gpa, IGVM_KVM_VMSA_GPA);
			vmsa = r.data;
		} else if (vmsa && (r.type == IGVM_VHT_PAGE_DATA ||
				    r.type == IGVM_VHT_PARAMETER_INSERT)) {
			return err_set(e, -ERR_UNSUPPORTED, "KVM check: %s at 0x%x after the VMSA "
				       "(KVM measures the VMSA after every page)",
				       igvm_type_name(r.type), r.hdr_off);
		}
	}
	if (!vmsa)
		return err_set(e, -ERR_UNSUPPORTED, "KVM check: no VP_CONTEXT");
	if (!(le_ld64(vmsa + VMSA_CR0) & 0x10))
		return err_set(e, -ERR_UNSUPPORTED, "KVM check: CR0 0x%llx without ET (0x10), which "
			       "KVM sets when it rebuilds the VMSA",
			       (unsigned long long)le_ld64(vmsa + VMSA_CR0));
	return 0;
}
