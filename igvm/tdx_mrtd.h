/* tdx_mrtd: the TDX build-time measurement MRTD (igvm.md §4.1): one SHA-384
 * over 128-byte MEM.PAGE.ADD records and 128-byte MR.EXTEND headers each
 * followed by 256 bytes of page data.  Pure. */
#ifndef CCG_IGVM_TDX_MRTD_H
#define CCG_IGVM_TDX_MRTD_H

#include <stdint.h>

#include "crypto/sha384.h"

#define TDX_MRTD_LEN 48

struct tdx_mrtd {
	struct sha384_ctx h;
	uint64_t pages_added;
	uint64_t pages_extended;
};

void tdx_mrtd_init(struct tdx_mrtd *m);
/* TDH.MEM.PAGE.ADD of the 4 KiB page at gpa. */
void tdx_mrtd_add(struct tdx_mrtd *m, uint64_t gpa);
/* TDH.MR.EXTEND of the page at gpa, 16 chunks of 256 bytes (NULL = zeros). */
void tdx_mrtd_extend(struct tdx_mrtd *m, uint64_t gpa, const uint8_t *page);
void tdx_mrtd_final(struct tdx_mrtd *m, uint8_t out[TDX_MRTD_LEN]);

#endif
