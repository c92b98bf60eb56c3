/* snp: see snp.h.  Every constant below cites where it is defined; the
 * field layouts were checked against Linux arch/x86/include/asm/sev-common.h
 * (GHCB_MSR_*), which implements the same protocol.  Only runs on SEV-SNP:
 * nothing here may execute on the native path (WRMSR of the GHCB MSR and
 * VMGEXIT fault outside an SEV-ES guest). */
#include <stdbool.h>
#include <stdint.h>

#include "boot/snp.h"

/* GHCB MSR, SEV_ES_GHCB: APM vol. 2 §15.35.5 / GHCB spec §2.3.1.  Reading
 * and writing it from an SEV-ES/SNP guest does not raise #VC. */
#define MSR_GHCB                0xC0010130u

/* GHCBInfo field = GHCBData[11:0] of the MSR value (GHCB spec §2.3.1). */
#define GHCB_INFO_MASK          0xFFFull

/* SEV information (GHCB spec §2.3.1, table "GHCB MSR protocol"):
 * request 0x002; response 0x001 with GHCBData[63:48] = maximum and
 * GHCBData[47:32] = minimum protocol version, [31:24] C-bit position. */
#define GHCB_SEV_INFO_REQ       0x002ull
#define GHCB_SEV_INFO_RESP      0x001ull
#define GHCB_PROTOCOL_SNP       2u      /* PSC in the MSR protocol: version 2 */

/* SNP page state change (GHCB spec §2.3.1, "SNP Page State Change Request"):
 * request 0x014, GHCBData[51:12] = guest frame number, GHCBData[55:52] =
 * operation (1 = page assignment private, 2 = shared); response 0x015,
 * GHCBData[63:32] = error code, 0 on success. */
#define GHCB_PSC_REQ            0x014ull
#define GHCB_PSC_RESP           0x015ull
#define GHCB_PSC_GFN_MASK       0x000FFFFFFFFFF000ull   /* bits 51:12 */
#define GHCB_PSC_OP_SHIFT       52
#define GHCB_PSC_OP_PRIVATE     1ull

/* Termination request (GHCB spec §2.3.1 / §4.1.13): request 0x100,
 * GHCBData[15:12] = reason code set, GHCBData[23:16] = reason code. */
#define GHCB_TERM_REQ           0x100ull
#define GHCB_TERM_SET_SHIFT     12
#define GHCB_TERM_CODE_SHIFT    16
/* Reason code set 0 (GHCB spec §4.1.13): code 1 = "SEV-ES / GHCB protocol
 * range is not supported". */
#define GHCB_TERM_SET_GHCB      0x0u
#define GHCB_TERM_PROT_UNSUP    0x1u

/* PVALIDATE (APM vol. 3, "PVALIDATE"): RAX = virtual address, ECX bit 0 =
 * page size (0 = 4 KiB), EDX bit 0 = 1 validate; EAX out: 0 SUCCESS,
 * 1 FAIL_INPUT, 6 FAIL_SIZEMISMATCH; rFLAGS.CF = 1 when the RMP entry was
 * not changed (already validated: Linux calls it PVALIDATE_FAIL_NOUPDATE). */
#define PVALIDATE_SUCCESS       0u
#define RMP_PG_SIZE_4K          0u

#define PAGE_4K                 0x1000ull

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* VMGEXIT = REP VMMCALL, bytes F3 0F 01 D9 (APM vol. 3, "VMGEXIT"). */
static inline void vmgexit(void)
{
	__asm__ volatile(".byte 0xf3, 0x0f, 0x01, 0xd9" : : : "memory");
}

static uint64_t ghcb_msr_call(uint64_t req)
{
	wrmsr(MSR_GHCB, req);
	vmgexit();
	return rdmsr(MSR_GHCB);
}

static void __attribute__((noreturn)) terminate(uint32_t set, uint32_t code)
{
	uint64_t v = GHCB_TERM_REQ | ((uint64_t)(set & 0xF) << GHCB_TERM_SET_SHIFT) |
		     ((uint64_t)(code & 0xFF) << GHCB_TERM_CODE_SHIFT);

	for (;;) {
		wrmsr(MSR_GHCB, v);
		vmgexit();
	}
}

void snp_terminate(uint8_t code)
{
	terminate(SNP_TERM_SET, code);
}

void snp_negotiate(void)
{
	uint64_t v = ghcb_msr_call(GHCB_SEV_INFO_REQ);
	uint32_t max = (uint32_t)(v >> 48) & 0xFFFF, min = (uint32_t)(v >> 32) & 0xFFFF;

	if ((v & GHCB_INFO_MASK) != GHCB_SEV_INFO_RESP || max < GHCB_PROTOCOL_SNP ||
	    min > GHCB_PROTOCOL_SNP)
		terminate(GHCB_TERM_SET_GHCB, GHCB_TERM_PROT_UNSUP);
}

static void psc_private(uint64_t gpa)
{
	uint64_t v = ghcb_msr_call(GHCB_PSC_REQ | (gpa & GHCB_PSC_GFN_MASK) |
				   (GHCB_PSC_OP_PRIVATE << GHCB_PSC_OP_SHIFT));

	if ((v & GHCB_INFO_MASK) != GHCB_PSC_RESP || (v >> 32) != 0)
		snp_terminate(SNP_TERM_PSC);
}

static void pvalidate_4k(uint64_t va)
{
	uint64_t rax = va;
	bool unchanged;

	__asm__ volatile(".byte 0xf2, 0x0f, 0x01, 0xff"         /* PVALIDATE */
			 : "+a"(rax), "=@ccc"(unchanged)
			 : "c"(RMP_PG_SIZE_4K), "d"(1u)
			 : "memory");
	if (unchanged)
		return;         /* FAIL_NOUPDATE: already validated (launch-imported) */
	if ((uint32_t)rax != PVALIDATE_SUCCESS)
		snp_terminate(SNP_TERM_PVALIDATE);
}

/* The end of the imported range holding gpa, or 0 when none does. */
static uint64_t imported_end(uint64_t gpa, const struct stub_range *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (gpa >= r[i].base && gpa - r[i].base < r[i].size)
			return r[i].base + r[i].size;
	return 0;
}

void snp_accept(uint64_t base, uint64_t size, const struct stub_range *imported, uint32_t n)
{
	uint64_t gpa = base & ~(PAGE_4K - 1), end = base + size;

	while (gpa < end) {
		uint64_t skip = imported_end(gpa, imported, n);

		if (skip > gpa) {
			gpa = (skip + PAGE_4K - 1) & ~(PAGE_4K - 1);
			continue;
		}
		/* The hypervisor first assigns the page to the guest, then the
		 * guest validates it (GHCB spec §2.3.1; APM vol. 2 §15.36.8). */
		psc_private(gpa);
		pvalidate_4k(gpa);      /* identity map: VA == GPA */
		gpa += PAGE_4K;
	}
}
