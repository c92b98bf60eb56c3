/* tdx_mrtd: see tdx_mrtd.h.  Record layouts: igvm.md §4.1. */
#include <string.h>

#include "igvm/tdx_mrtd.h"

#define REC_LEN 128u
#define CHUNK_LEN 256u
#define PAGE_LEN 4096u

static void record(struct tdx_mrtd *m, const char *tag, size_t tag_len, uint64_t gpa)
{
	uint8_t r[REC_LEN];
	unsigned i;

	memset(r, 0, sizeof(r));
	memcpy(r, tag, tag_len);
	for (i = 0; i < 8; i++)
		r[16 + i] = (uint8_t)(gpa >> (8 * i));
	sha384_update(&m->h, r, sizeof(r));
}

void tdx_mrtd_init(struct tdx_mrtd *m)
{
	memset(m, 0, sizeof(*m));
	sha384_init(&m->h);
}

void tdx_mrtd_add(struct tdx_mrtd *m, uint64_t gpa)
{
	record(m, "MEM.PAGE.ADD", 12, gpa);
	m->pages_added++;
}

void tdx_mrtd_extend(struct tdx_mrtd *m, uint64_t gpa, const uint8_t *page)
{
	static const uint8_t zero[CHUNK_LEN];
	unsigned i;

	for (i = 0; i < PAGE_LEN / CHUNK_LEN; i++) {
		record(m, "MR.EXTEND", 9, gpa + i * CHUNK_LEN);
		sha384_update(&m->h, page ? page + i * CHUNK_LEN : zero, CHUNK_LEN);
	}
	m->pages_extended++;
}

void tdx_mrtd_final(struct tdx_mrtd *m, uint8_t out[TDX_MRTD_LEN])
{
	sha384_final(&m->h, out);
}
