/* igvm_measure: the launch measurements of an IGVM file (igvm.md §3, §4.2).
 * Pure: works over an igvm_file igvm_open() accepted; the only memory is
 * the caller's (a scratch array for the MSHV model).
 *
 * SEV-SNP launch digest under three loader models (igvm.md §3.2, §3.4):
 *
 *   crate  microsoft/igvm's generate_snp_measurement (also igvmgen's
 *          ID-block LD and igvmmeasure's default): file order; a page
 *          without data is NORMAL over 4 KiB of zeros; every page of an
 *          inserted parameter area UNMEASURED; the VMSA at its own GPA where
 *          the VP_CONTEXT stands; shared pages skipped.
 *   kvm    QEMU, and Cloud Hypervisor on KVM: file order; a NORMAL page
 *          without data is a ZERO page; every page of an inserted parameter
 *          area UNMEASURED; the shared flag ignored; no VMSA in file order
 *          but, after every page, one VMSA per vCPU at 0xFFFFFFFFF000:
 *          vCPU 0 the file's vp 0 VMSA, vCPU n the file's vp n VMSA or else
 *          vmsa_reset(QEMU, AP, eip 0xFFFFFFF0, vcpu_sig, vp 0's
 *          sev_features).  The file's VMSA bytes are measured as they are
 *          (a VMSA that differs from KVM's rebuild gives a digest the
 *          hardware will not report: igvm_measure_check_kvm()).
 *   mshv   Cloud Hypervisor on MSHV (AKS): every page record sorted by GPA
 *          (stable); a page without data is NORMAL over zeros; an inserted
 *          parameter area is ONE UNMEASURED page at its GPA; the VMSA at its
 *          own GPA in sorted position; the shared flag ignored; the vCPU
 *          count does not matter; CPUID_XF pages are refused (CH panics).
 *
 * In every model: a page flagged unmeasured is UNMEASURED, SECRETS pages
 * SECRETS, CPUID_DATA / CPUID_XF pages CPUID (their contents are not hashed),
 * and headers whose mask does not name the platform are skipped. */
#ifndef CCG_IGVM_IGVM_MEASURE_H
#define CCG_IGVM_IGVM_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "igvm/igvm.h"
#include "igvm/snp_ld.h"
#include "igvm/tdx_mrtd.h"

#define IGVM_KVM_VMSA_GPA   0xFFFFFFFFF000ull
#define IGVM_MEASURE_MAX_VCPUS 4096u

enum igvm_loader {
	IGVM_LOADER_CRATE,
	IGVM_LOADER_KVM,
	IGVM_LOADER_MSHV,
};

/* One page record of the MSHV model (caller-provided scratch). */
struct igvm_measure_slot {
	uint64_t gpa;
	const uint8_t *data;     /* NULL: zeros */
	uint32_t seq;            /* file order, for a stable sort */
	uint8_t type;            /* enum snp_page_type */
};

struct igvm_measure_opts {
	enum igvm_loader loader;
	uint32_t mask;           /* platform bit; 0 = the file's SEV_SNP platform */
	uint32_t vcpus;          /* kvm: vCPUs, 0 = 1 */
	uint32_t vcpu_sig;       /* kvm: CPUID(1).EAX for APs without a VP_CONTEXT */
	struct igvm_measure_slot *scratch;   /* mshv: igvm_measure_slots() slots */
	size_t n_scratch;
};

/* "crate", "kvm", "mshv" ↔ the enum.  Parse: -ERR_NOTFOUND. */
const char *igvm_measure_loader_name(enum igvm_loader l);
int igvm_measure_loader_parse(const char *name, enum igvm_loader *l, struct err *e);

/* The SEV_SNP platform bit to use: `mask` when non-zero (it must name a
 * declared SEV_SNP platform), else the file's SEV_SNP platform.
 * -ERR_NOTFOUND when there is none. */
int igvm_measure_snp_mask(const struct igvm_file *f, uint32_t mask, uint32_t *out,
			  struct err *e);

/* Scratch slots the mshv model needs for platform bit `mask`. */
size_t igvm_measure_slots(const struct igvm_file *f, uint32_t mask);

/* The SNP launch digest of f under o->loader into *ld (ld->ld the digest,
 * ld->pages the PAGE_INFO count, ld->measured_bytes the bytes hashed).
 * -EINVAL for bad options (vcpus, scratch), -ERR_UNSUPPORTED for a file the
 * model cannot measure (relocatable regions; kvm without a vp 0 VMSA or
 * with a VP_CONTEXT for a vCPU beyond o->vcpus; mshv with CPUID_XF). */
int igvm_measure_snp(const struct igvm_file *f, const struct igvm_measure_opts *o,
		     struct snp_ld *ld, struct err *e);

/* The TDX MRTD of the pages for the TDX platform bit `mask` (0 = the file's
 * TDX platform), igvm crate convention (igvm.md §4.2): PAGE_DATA not shared
 * → PAGE.ADD, then unless unmeasured 16 MR.EXTEND of its data (zeros for a
 * page without data); PARAMETER_INSERT → PAGE.ADD per page, no extend; file
 * order.  pages_added / pages_extended may be NULL. */
int igvm_measure_tdx(const struct igvm_file *f, uint32_t mask, uint8_t mrtd[TDX_MRTD_LEN],
		     uint64_t *pages_added, uint64_t *pages_extended, struct err *e);

/* The expected launch digest (ld) of the SNP_ID_BLOCK for platform bit
 * `mask` (0 = the SEV_SNP platform).  -ERR_NOTFOUND when the file has none. */
int igvm_measure_id_block_ld(const struct igvm_file *f, uint32_t mask,
			     uint8_t ld[SNP_LD_LEN], struct err *e);

/* The rules of igvmmeasure --check-kvm, for files meant for QEMU / CH on
 * KVM: exactly one VP_CONTEXT for the platform, at 0xFFFFFFFFF000, after
 * every PAGE_DATA and PARAMETER_INSERT, with CR0.ET set (KVM sets it when it
 * rebuilds the VMSA).  0, or -ERR_UNSUPPORTED with the broken rule in e. */
int igvm_measure_check_kvm(const struct igvm_file *f, uint32_t mask, struct err *e);

#endif
