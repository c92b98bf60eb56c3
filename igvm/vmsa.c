/* vmsa: see vmsa.h.  Reset-state values: igvm.md §3.3 (sev-snp-measure's
 * model of what KVM measures for QEMU, EC2 and GCE guests). */
#include <errno.h>
#include <string.h>

#include "base/le.h"
#include "igvm/vmsa.h"

#define G_PAT_DEFAULT 0x0007040600070406ull /* AMD APM vol. 2 §A.3 */
#define RESET_EIP 0xFFFFFFF0u

void vmsa_put16(uint8_t *v, unsigned off, uint16_t x)
{
	le_st16(v + off, x);
}

void vmsa_put32(uint8_t *v, unsigned off, uint32_t x)
{
	le_st32(v + off, x);
}

void vmsa_put64(uint8_t *v, unsigned off, uint64_t x)
{
	le_st64(v + off, x);
}

void vmsa_put_seg(uint8_t *v, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit,
		  uint64_t base)
{
	vmsa_put16(v, off, sel);
	vmsa_put16(v, off + 2, attr);
	vmsa_put32(v, off + 4, limit);
	vmsa_put64(v, off + 8, base);
}

void vmsa_reset(uint8_t v[VMSA_SIZE], enum vmsa_vmm vmm, bool bsp, uint32_t eip,
		uint32_t vcpu_sig, uint64_t sev_features)
{
	uint16_t cs_attr = 0x9B, ss_attr = 0x93, tr_attr = 0x8B;
	uint64_t g_pat = G_PAT_DEFAULT, rdx = vcpu_sig;
	uint32_t mxcsr = 0x1F80;
	uint16_t fcw = 0x37F;

	switch (vmm) {
	case VMSA_VMM_QEMU:
		break;
	case VMSA_VMM_EC2:
		/* the BSP's CS is not marked accessed on EC2 */
		if (bsp || eip == RESET_EIP)
			cs_attr = 0x9A;
		ss_attr = 0x92;
		tr_attr = 0x83;
		rdx = 0x600;
		mxcsr = 0;
		fcw = 0;
		break;
	case VMSA_VMM_GCE:
		g_pat = 0x00070106; /* GCE overwrites the default PAT */
		rdx = 0x600;
		mxcsr = 0;
		fcw = 0;
		break;
	}
	memset(v, 0, VMSA_SIZE);
	vmsa_put_seg(v, VMSA_ES, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_CS, 0xF000, cs_attr, 0xFFFF, eip & 0xFFFF0000u);
	vmsa_put_seg(v, VMSA_SS, 0, ss_attr, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_DS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_FS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_GS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_GDTR, 0, 0, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_LDTR, 0, 0x82, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_IDTR, 0, 0, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_TR, 0, tr_attr, 0xFFFF, 0);
	vmsa_put64(v, VMSA_EFER, VMSA_EFER_SVME);     /* KVM sets EFER.SVME */
	vmsa_put64(v, VMSA_CR4, 0x40);                /* KVM sets CR4.MCE */
	vmsa_put64(v, VMSA_CR0, 0x10);                /* ET */
	vmsa_put64(v, VMSA_DR7, 0x400);
	vmsa_put64(v, VMSA_DR6, 0xFFFF0FF0);
	vmsa_put64(v, VMSA_RFLAGS, 0x2);
	vmsa_put64(v, VMSA_RIP, eip & 0xFFFFu);
	vmsa_put64(v, VMSA_G_PAT, g_pat);
	vmsa_put64(v, VMSA_RDX, rdx);
	vmsa_put64(v, VMSA_SEV_FEATURES, sev_features);
	vmsa_put64(v, VMSA_XCR0, 0x1);
	vmsa_put32(v, VMSA_MXCSR, mxcsr);
	vmsa_put16(v, VMSA_X87_FCW, fcw);
}

void vmsa_svsm(uint8_t v[VMSA_SIZE], uint32_t eip, uint32_t vcpu_sig, uint64_t sev_features)
{
	memset(v, 0, VMSA_SIZE);
	vmsa_put_seg(v, VMSA_ES, 0x10, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_CS, 0x08, 0xC9B, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_SS, 0x10, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_DS, 0x10, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_FS, 0x10, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_GS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_GDTR, 0, 0, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_LDTR, 0, 0x82, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_IDTR, 0, 0, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_TR, 0, 0x8B, 0xFFFF, 0);
	vmsa_put64(v, VMSA_EFER, VMSA_EFER_SVME);
	vmsa_put64(v, VMSA_CR4, 0x40);
	vmsa_put64(v, VMSA_CR0, 0x11);                /* PE | ET */
	vmsa_put64(v, VMSA_DR7, 0x400);
	vmsa_put64(v, VMSA_DR6, 0xFFFF0FF0);
	vmsa_put64(v, VMSA_RFLAGS, 0x2);
	vmsa_put64(v, VMSA_RIP, eip);
	vmsa_put64(v, VMSA_G_PAT, G_PAT_DEFAULT);
	vmsa_put64(v, VMSA_RDX, vcpu_sig);
	vmsa_put64(v, VMSA_SEV_FEATURES, sev_features);
	vmsa_put64(v, VMSA_XCR0, 0x1);
	vmsa_put32(v, VMSA_MXCSR, 0x1F80);
	/* X87_FCW stays 0: the hardware-measured SVSM vectors (igvm.md §5) were
	 * taken with it 0 (sev-snp-measure never sets it in this mode). */
}

uint32_t vmsa_sig_from_fms(unsigned family, unsigned model, unsigned stepping)
{
	uint32_t fam_lo = family, fam_hi = 0;

	if (family > 0xF) {
		fam_lo = 0xF;
		fam_hi = (family - 0xF) & 0xFF;
	}
	return (fam_hi << 20) | (((model >> 4) & 0xF) << 16) | ((fam_lo & 0xF) << 8) |
	       ((model & 0xF) << 4) | (stepping & 0xF);
}

/* QEMU's builtin x86 models (target/i386/cpu.c) with their family/model/stepping. */
static const struct {
	const char *name;
	unsigned char family, model, stepping;
} cpu_models[] = {
	{ "EPYC", 23, 1, 2 },         { "EPYC-v1", 23, 1, 2 },
	{ "EPYC-v2", 23, 1, 2 },      { "EPYC-IBPB", 23, 1, 2 },
	{ "EPYC-v3", 23, 1, 2 },      { "EPYC-v4", 23, 1, 2 },
	{ "EPYC-Rome", 23, 49, 0 },   { "EPYC-Rome-v1", 23, 49, 0 },
	{ "EPYC-Rome-v2", 23, 49, 0 }, { "EPYC-Rome-v3", 23, 49, 0 },
	{ "EPYC-Rome-v4", 23, 49, 0 },
	{ "EPYC-Milan", 25, 1, 1 },   { "EPYC-Milan-v1", 25, 1, 1 },
	{ "EPYC-Milan-v2", 25, 1, 1 },
	{ "EPYC-Genoa", 25, 17, 0 },  { "EPYC-Genoa-v1", 25, 17, 0 },
	{ "EPYC-Turin", 26, 0, 0 },
};

int vmsa_cpu_sig(const char *vcpu_type, uint32_t *sig, struct err *e)
{
	size_t i;

	if (!vcpu_type)
		return err_set(e, -EINVAL, "vcpu type: none given");
	for (i = 0; i < sizeof(cpu_models) / sizeof(cpu_models[0]); i++) {
		if (strcmp(cpu_models[i].name, vcpu_type) == 0) {
			*sig = vmsa_sig_from_fms(cpu_models[i].family, cpu_models[i].model,
						 cpu_models[i].stepping);
			return 0;
		}
	}
	return err_set(e, -ERR_NOTFOUND, "vcpu type %.64s: unknown (EPYC, EPYC-v1..v4, EPYC-Rome, "
		       "EPYC-Milan, EPYC-Genoa, EPYC-Turin and their versions)", vcpu_type);
}
