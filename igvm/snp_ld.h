/* snp_ld: the SEV-SNP launch digest, a SHA-384 chain over PAGE_INFO
 * structures (igvm.md §3.1), one per 4 KiB page in SNP_LAUNCH_UPDATE order.
 * Pure. */
#ifndef CCG_IGVM_SNP_LD_H
#define CCG_IGVM_SNP_LD_H

#include <stdint.h>

#define SNP_LD_LEN 48

enum snp_page_type {
	SNP_PAGE_NORMAL = 1,
	SNP_PAGE_VMSA = 2,
	SNP_PAGE_ZERO = 3,
	SNP_PAGE_UNMEASURED = 4,
	SNP_PAGE_SECRETS = 5,
	SNP_PAGE_CPUID = 6,
};

struct snp_ld {
	uint8_t ld[SNP_LD_LEN];
	uint64_t pages;            /* PAGE_INFO records chained */
	uint64_t measured_bytes;   /* bytes whose contents were hashed (NORMAL, VMSA) */
};

/* ld = seed (48 bytes, e.g. an OVMF hash precomputed by sev-snp-measure) or zero. */
void snp_ld_init(struct snp_ld *l, const uint8_t *seed);
/* One page.  `page` is the 4096 bytes for NORMAL and VMSA (NULL = zeros),
 * ignored for the other types (their CONTENTS field is zero). */
void snp_ld_page(struct snp_ld *l, enum snp_page_type t, uint64_t gpa, const uint8_t *page);
/* The same with the page's SHA-384 already computed. */
void snp_ld_page_hashed(struct snp_ld *l, enum snp_page_type t, uint64_t gpa,
			const uint8_t contents[SNP_LD_LEN]);

#endif
