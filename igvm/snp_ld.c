/* snp_ld: see snp_ld.h.  PAGE_INFO layout: igvm.md §3.1 (AMD SNP ABI,
 * SNP_LAUNCH_UPDATE). */
#include <string.h>

#include "crypto/sha384.h"
#include "igvm/snp_ld.h"

#define PAGE_INFO_LEN 0x70u
#define PAGE_LEN 4096u

void snp_ld_init(struct snp_ld *l, const uint8_t *seed)
{
	memset(l, 0, sizeof(*l));
	if (seed)
		memcpy(l->ld, seed, SNP_LD_LEN);
}

void snp_ld_page_hashed(struct snp_ld *l, enum snp_page_type t, uint64_t gpa,
			const uint8_t contents[SNP_LD_LEN])
{
	uint8_t pi[PAGE_INFO_LEN];
	unsigned i;

	memset(pi, 0, sizeof(pi));
	memcpy(pi, l->ld, SNP_LD_LEN);                    /* 0x00 DIGEST_CUR */
	if ((t == SNP_PAGE_NORMAL || t == SNP_PAGE_VMSA) && contents)
		memcpy(pi + 0x30, contents, SNP_LD_LEN);  /* 0x30 CONTENTS */
	pi[0x60] = (uint8_t)PAGE_INFO_LEN;                /* 0x60 LENGTH (u16) */
	pi[0x61] = (uint8_t)(PAGE_INFO_LEN >> 8);
	pi[0x62] = (uint8_t)t;                            /* 0x62 PAGE_TYPE */
	/* 0x63 IMI_PAGE 0, 0x64..0x66 VMPL3/2/1 permissions 0, 0x67 reserved */
	for (i = 0; i < 8; i++)                           /* 0x68 GPA */
		pi[0x68 + i] = (uint8_t)(gpa >> (8 * i));
	sha384(pi, sizeof(pi), l->ld);
	l->pages++;
	if (t == SNP_PAGE_NORMAL || t == SNP_PAGE_VMSA)
		l->measured_bytes += PAGE_LEN;
}

void snp_ld_page(struct snp_ld *l, enum snp_page_type t, uint64_t gpa, const uint8_t *page)
{
	static const uint8_t zero_page[PAGE_LEN];
	uint8_t h[SNP_LD_LEN];

	if (t == SNP_PAGE_NORMAL || t == SNP_PAGE_VMSA) {
		sha384(page ? page : zero_page, PAGE_LEN, h);
		snp_ld_page_hashed(l, t, gpa, h);
	} else {
		snp_ld_page_hashed(l, t, gpa, NULL);
	}
}
