/* vmsa: the SEV-ES/SNP VM save area (AMD APM vol. 2 table B-4) as the launch
 * digest sees it (igvm.md §3.3).  Pure. */
#ifndef CCG_IGVM_VMSA_H
#define CCG_IGVM_VMSA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define VMSA_SIZE 4096u

/* Segment registers: 16 bytes each {u16 selector, u16 attrib, u32 limit, u64 base}. */
#define VMSA_ES     0x000
#define VMSA_CS     0x010
#define VMSA_SS     0x020
#define VMSA_DS     0x030
#define VMSA_FS     0x040
#define VMSA_GS     0x050
#define VMSA_GDTR   0x060
#define VMSA_LDTR   0x070
#define VMSA_IDTR   0x080
#define VMSA_TR     0x090
#define VMSA_VMPL   0x0CA
#define VMSA_CPL    0x0CB
#define VMSA_EFER   0x0D0
#define VMSA_XSS    0x140
#define VMSA_CR4    0x148
#define VMSA_CR3    0x150
#define VMSA_CR0    0x158
#define VMSA_DR7    0x160
#define VMSA_DR6    0x168
#define VMSA_RFLAGS 0x170
#define VMSA_RIP    0x178
#define VMSA_RSP    0x1D8
#define VMSA_RAX    0x1F8
#define VMSA_G_PAT  0x268
#define VMSA_PKRU   0x2E8
#define VMSA_RCX    0x308
#define VMSA_RDX    0x310
#define VMSA_RBX    0x318
#define VMSA_RBP    0x328
#define VMSA_RSI    0x330
#define VMSA_RDI    0x338
#define VMSA_R8     0x340
#define VMSA_SEV_FEATURES 0x3B0
#define VMSA_VIRTUAL_TOM  0x3C8
#define VMSA_XCR0   0x3E8
#define VMSA_X87_DP 0x400
#define VMSA_MXCSR  0x408
#define VMSA_X87_FCW 0x410

#define VMSA_EFER_SVME 0x1000ull

enum vmsa_vmm {
	VMSA_VMM_QEMU,   /* QEMU/KVM (also Cloud Hypervisor on KVM for APs) */
	VMSA_VMM_EC2,
	VMSA_VMM_GCE,
};

/* Little-endian stores into a VMSA page. */
void vmsa_put16(uint8_t *v, unsigned off, uint16_t x);
void vmsa_put32(uint8_t *v, unsigned off, uint32_t x);
void vmsa_put64(uint8_t *v, unsigned off, uint64_t x);
void vmsa_put_seg(uint8_t *v, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit,
		  uint64_t base);

/* The VMSA KVM measures for a vCPU the VMM leaves at reset with entry
 * `eip` (0xFFFFFFF0 for a BSP at the reset vector; the firmware's SEV-ES
 * reset-block eip for APs): sev-snp-measure's model for vmm, with RDX the
 * vCPU signature (CPUID(1).EAX) for QEMU.  Zeroes the page first. */
void vmsa_reset(uint8_t v[VMSA_SIZE], enum vmsa_vmm vmm, bool bsp, uint32_t eip,
		uint32_t vcpu_sig, uint64_t sev_features);

/* The VMSA sev-snp-measure's snp:svsm mode models for every vCPU of a
 * COCONUT-SVSM guest on QEMU/KVM: 32-bit flat protected mode at `eip` (the
 * SVSM entry), RDX the vCPU signature.  Zeroes the page first. */
void vmsa_svsm(uint8_t v[VMSA_SIZE], uint32_t eip, uint32_t vcpu_sig, uint64_t sev_features);

/* "EPYC", "EPYC-v1".."EPYC-v4", "EPYC-Milan"(-v1/-v2), "EPYC-Genoa"(-v1),
 * "EPYC-Turin", "EPYC-Rome"(-v1..v4) ... → CPUID(1).EAX.  -ERR_NOTFOUND. */
int vmsa_cpu_sig(const char *vcpu_type, uint32_t *sig, struct err *e);
/* family, model, stepping → CPUID(1).EAX encoding. */
uint32_t vmsa_sig_from_fms(unsigned family, unsigned model, unsigned stepping);

#endif
