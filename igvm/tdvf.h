/* tdvf: the TDX metadata of a TDVF image (OVMF built for TDX, td-shim) and
 * the MRTD QEMU/KVM produce when they load it (igvm.md §4.3).
 *
 * The metadata is found through the GUIDed footer table (ovmf.h), entry
 * e47a6535-984a-4798-865e-4685a7bf8ec2, whose first u32 is the offset of the
 * descriptor from the image end.  Descriptor: "TDVF", u32 length, u32
 * version 1, u32 section count, then 32-byte sections {u32 data_offset, u32
 * raw_size, u64 gpa, u64 mem_size, u32 type, u32 attributes}.  Untrusted
 * input: every field is checked before use.  Pure: no I/O, no malloc. */
#ifndef CCG_IGVM_TDVF_H
#define CCG_IGVM_TDVF_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "igvm/tdx_mrtd.h"

#define TDVF_SECTIONS_MAX 32
/* Memory PAGE.ADDed at build time, summed over the sections (the images we
 * know add about 4 MiB). */
#define TDVF_ADDED_MAX (256ull << 20)

enum tdvf_section_type {
	TDVF_SEC_BFV = 0,           /* boot firmware volume (code) */
	TDVF_SEC_CFV = 1,           /* configuration firmware volume (variables) */
	TDVF_SEC_TD_HOB = 2,
	TDVF_SEC_TEMP_MEM = 3,
	TDVF_SEC_PERM_MEM = 4,
	TDVF_SEC_PAYLOAD = 5,
	TDVF_SEC_PAYLOAD_PARAM = 6,
};

#define TDVF_ATTR_MR_EXTEND 0x1u    /* extend the page contents into MRTD */
#define TDVF_ATTR_PAGE_AUG 0x2u     /* added by the guest later, not at build time */

struct tdvf_section {
	uint32_t data_offset;       /* file offset of the raw data */
	uint32_t raw_size;          /* bytes of raw data (zero-padded to mem_size) */
	uint64_t gpa;
	uint64_t mem_size;
	uint32_t type;
	uint32_t attributes;
};

struct tdvf {
	const uint8_t *img;         /* the caller's image */
	size_t len;
	unsigned nsections;
	struct tdvf_section sec[TDVF_SECTIONS_MAX];
};

/* Parse the metadata of img.  -ERR_NOTFOUND: no footer table or no TDX
 * metadata entry (not a TDVF image); -ERR_FORMAT: malformed; -ERR_LIMIT:
 * too many sections or too much added memory; -ERR_UNSUPPORTED: another
 * descriptor version, unknown section type or attribute. */
int tdvf_parse(const uint8_t *img, size_t len, struct tdvf *t, struct err *e);

/* Page order of tdvf_mrtd(). */
#define TDVF_ONE_PASS 0u  /* per page PAGE.ADD then its 16 MR.EXTENDs (upstream KVM) */
#define TDVF_TWO_PASS 1u  /* per section all PAGE.ADDs, then all MR.EXTENDs (older stacks) */

struct tdvf_counts {
	uint64_t pages_added;
	uint64_t pages_extended;    /* bytes measured = 4096 × pages_extended */
};

/* MRTD of the parsed image: the sections in metadata order, PAGE.ADD for
 * each page unless PAGE_AUG, 16 MR.EXTEND for each page with MR_EXTEND.
 * counts may be NULL.  -EINVAL for unknown flags. */
int tdvf_mrtd(const struct tdvf *t, unsigned flags, uint8_t out[TDX_MRTD_LEN],
	      struct tdvf_counts *counts, struct err *e);

/* tdvf_parse() then tdvf_mrtd(). */
int tdvf_measure(const uint8_t *img, size_t len, unsigned flags, uint8_t out[TDX_MRTD_LEN],
		 struct tdvf_counts *counts, struct err *e);

#endif
