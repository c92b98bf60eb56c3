/* igvm: the IGVM file format (microsoft/igvm igvm_defs, version 1), as
 * ../shared/reference/igvm.md §1 describes it.  Pure: the reader is a
 * function over a caller's buffer, the writer serialises a caller's
 * directive list into a caller's buffer.  No I/O, no allocation.
 */
#ifndef CCG_IGVM_IGVM_H
#define CCG_IGVM_IGVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define IGVM_MAGIC          0x4D564749u   /* "IGVM" */
#define IGVM_FIXED_HDR_V1   24u
#define IGVM_PAGE           4096u

/* Variable header types (§1.2). */
enum {
	IGVM_VHT_SUPPORTED_PLATFORM = 0x001,
	IGVM_VHT_GUEST_POLICY = 0x101,
	IGVM_VHT_RELOCATABLE_REGION = 0x102,
	IGVM_VHT_PAGE_TABLE_RELOCATION_REGION = 0x103,
	IGVM_VHT_CORIM_DOCUMENT = 0x104,
	IGVM_VHT_CORIM_SIGNATURE = 0x105,
	IGVM_VHT_CCA_POLICY = 0x106,
	IGVM_VHT_PARAMETER_AREA = 0x301,
	IGVM_VHT_PAGE_DATA = 0x302,
	IGVM_VHT_PARAMETER_INSERT = 0x303,
	IGVM_VHT_VP_CONTEXT = 0x304,
	IGVM_VHT_REQUIRED_MEMORY = 0x305,
	IGVM_VHT_VP_COUNT_PARAMETER = 0x307,
	IGVM_VHT_SRAT = 0x308,
	IGVM_VHT_MADT = 0x309,
	IGVM_VHT_MMIO_RANGES = 0x30A,
	IGVM_VHT_SNP_ID_BLOCK = 0x30B,
	IGVM_VHT_MEMORY_MAP = 0x30C,
	IGVM_VHT_ERROR_RANGE = 0x30D,
	IGVM_VHT_COMMAND_LINE = 0x30E,
	IGVM_VHT_SLIT = 0x30F,
	IGVM_VHT_PPTT = 0x310,
	IGVM_VHT_VBS_MEASUREMENT = 0x311,
	IGVM_VHT_DEVICE_TREE = 0x312,
	IGVM_VHT_ENVIRONMENT_INFO = 0x313,
};

/* SUPPORTED_PLATFORM.platform_type */
enum {
	IGVM_PLATFORM_NATIVE = 0,
	IGVM_PLATFORM_VSM = 1,
	IGVM_PLATFORM_SEV_SNP = 2,
	IGVM_PLATFORM_TDX = 3,
	IGVM_PLATFORM_SEV = 4,      /* unstable in the spec */
	IGVM_PLATFORM_SEV_ES = 5,   /* unstable in the spec */
	IGVM_PLATFORM_CCA = 6,      /* unstable in the spec */
};

/* PAGE_DATA.data_type and flags */
enum {
	IGVM_PAGE_NORMAL = 0,
	IGVM_PAGE_SECRETS = 1,
	IGVM_PAGE_CPUID_DATA = 2,
	IGVM_PAGE_CPUID_XF = 3,
};
#define IGVM_PAGEF_2MB        0x1u
#define IGVM_PAGEF_UNMEASURED 0x2u
#define IGVM_PAGEF_SHARED     0x4u

#define IGVM_ID_BLOCK_LEN     696u
#define IGVM_NATIVE_VP_LEN    0xE8u

/* Limits of this implementation (the spec has none): parameter areas per
 * file, and bytes per parameter area. */
#define IGVM_MAX_AREAS        256u
#define IGVM_MAX_AREA_BYTES   (64u << 20)

/* One decoded variable header.  Fields not used by `type` are zero.
 * `data` points into the file buffer (4096 bytes) for PAGE_DATA and
 * VP_CONTEXT with a file offset, for PARAMETER_AREA with one
 * (number_of_bytes) and for CORIM_* (size_bytes, in nbytes); it is NULL for
 * a data-less entry.  For SNP_ID_BLOCK, RELOCATABLE_REGION,
 * PAGE_TABLE_RELOCATION_REGION, CCA_POLICY and VBS_MEASUREMENT it points at
 * the payload itself.  data_len is the length `data` covers.
 * REQUIRED_MEMORY and ERROR_RANGE sizes are in nbytes. */
struct igvm_rec {
	uint32_t type;
	uint32_t hdr_off;        /* file offset of the TLV */
	uint32_t mask;           /* compatibility_mask (0 where the type has none) */
	uint64_t gpa;            /* PAGE_DATA, PARAMETER_INSERT, VP_CONTEXT, REQUIRED_MEMORY */
	uint32_t file_offset;
	uint32_t flags;          /* PAGE_DATA flags, REQUIRED_MEMORY flags */
	uint16_t data_type;      /* PAGE_DATA */
	uint16_t vp_index;       /* VP_CONTEXT */
	uint32_t index;          /* parameter_area_index (areas, inserts, parameters) */
	uint32_t byte_offset;    /* parameters */
	uint64_t nbytes;         /* PARAMETER_AREA, REQUIRED_MEMORY */
	/* SUPPORTED_PLATFORM */
	uint8_t highest_vtl, platform_type;
	uint16_t platform_version;
	uint64_t shared_gpa_boundary;
	/* GUEST_POLICY */
	uint64_t policy;
	const uint8_t *data;
	uint32_t data_len;
};

/* A validated file.  igvm_open() checks, over the whole buffer:
 *   the fixed header (magic, version 1 or 2, offsets, total size = buffer
 *   length, file data present), the CRC-32 checksum, every TLV (known type,
 *   bit 31 refused as the igvm crate does, exact payload length, 8-byte
 *   alignment, zero padding except a warning for VP_CONTEXT's, which igvmgen
 *   fills with '0', reserved fields zero), the section order
 *   (platform < initialization < directive), one platform header per mask
 *   bit, masks naming declared platforms only, GPAs page aligned, every file
 *   offset and length inside the file data, parameters targeting declared
 *   and not yet inserted areas, one insert per area.
 * Overlapping pages are checked by igvm_check_overlap(). */
struct igvm_file {
	const uint8_t *buf;
	size_t len;
	uint32_t version;
	uint32_t vh_off, vh_size;
	uint32_t checksum;
	uint32_t n_headers;
	uint32_t platforms;      /* OR of the declared masks */
	uint32_t warnings;       /* IGVM_WARN_* */
};
#define IGVM_WARN_VP_PADDING  0x1u   /* non-zero padding after VP_CONTEXT */

int igvm_open(struct igvm_file *f, const uint8_t *buf, size_t len, struct err *e);

/* Iterate: *pos starts at 0; returns 1 with *rec filled, 0 at the end.
 * Only valid on a file igvm_open() accepted. */
int igvm_next(const struct igvm_file *f, uint32_t *pos, struct igvm_rec *rec);

/* No two PAGE_DATA / VP_CONTEXT / PARAMETER_INSERT pages that share a mask
 * bit cover the same GPA.  `scratch` holds `n_scratch` u64 slots (at least
 * the number of pages the file places; igvm_page_count() tells). */
size_t igvm_page_count(const struct igvm_file *f);
int igvm_check_overlap(const struct igvm_file *f, uint64_t *scratch, size_t n_scratch,
		       struct err *e);

/* CRC-32 (IEEE 802.3, zlib's) */
uint32_t igvm_crc32(uint32_t crc, const void *p, size_t n);

/* "PAGE_DATA", "VP_CONTEXT" ...; NULL for a type this reader does not know. */
const char *igvm_type_name(uint32_t type);
/* "NATIVE", "VSM", "SEV_SNP", "TDX", "SEV", "SEV_ES", "CCA"; "?" otherwise. */
const char *igvm_platform_name(unsigned platform_type);
/* The compatibility mask of the file's platform header of that type, 0 if
 * the file declares none. */
uint32_t igvm_platform_mask(const struct igvm_file *f, unsigned platform_type);
/* The platform type a single-bit mask names, or -1. */
int igvm_mask_platform(const struct igvm_file *f, uint32_t mask);
/* The size of parameter area `index` declared before header offset
 * `before` (UINT32_MAX: anywhere), 0 if none. */
uint64_t igvm_area_size(const struct igvm_file *f, uint32_t index, uint32_t before);

/* ---- the rules igvm_open() and igvm_write() share ---------------------- */

/* The per-file state of the semantic checks (section order, platforms,
 * masks, parameter areas).  igvm_open() runs them over the decoded
 * headers; igvm_write() over the caller's list before writing it.  Not
 * needed by other callers. */
struct igvm_val {
	unsigned stage;              /* 0 platform, 1 initialization, 2 directive */
	uint32_t platforms;          /* declared masks */
	uint32_t ptypes;             /* declared platform types (bit per type) */
	int8_t ptype[32];            /* platform type per mask bit, -1 none */
	uint32_t id_blocks;          /* masks that have an SNP_ID_BLOCK */
	uint32_t n_areas;
	struct {
		uint32_t index;
		uint32_t inserted;
		uint64_t nbytes;
	} areas[IGVM_MAX_AREAS];
};
void igvm_val_init(struct igvm_val *v);
/* Check one decoded header (its framing and file ranges already checked). */
int igvm_val_rec(struct igvm_val *v, const struct igvm_rec *r, struct err *e);
/* After the last header. */
int igvm_val_end(const struct igvm_val *v, struct err *e);

/* ---- writer ----------------------------------------------------------- */

/* One directive or initialization header to write.  `data` is 4096 bytes
 * (PAGE_DATA, VP_CONTEXT; NULL stores an explicit shared zero page, never
 * file_offset 0, see igvm.md §0.2), or the 696-byte SNP_ID_BLOCK payload,
 * or NULL.  Identical `data` pointers are stored once. */
struct igvm_dir {
	uint32_t type;
	uint64_t gpa;
	uint32_t mask;
	uint32_t flags;
	uint16_t data_type;
	uint16_t vp_index;
	uint32_t index;
	uint32_t byte_offset;
	uint64_t nbytes;
	uint64_t policy;          /* GUEST_POLICY */
	const uint8_t *data;
};

struct igvm_image {
	uint8_t platform_type;    /* IGVM_PLATFORM_* (one platform per file) */
	uint8_t highest_vtl;      /* 0 */
	uint32_t mask;            /* its compatibility mask bit, 0x1 */
	const struct igvm_dir *dirs;   /* initialization then directive headers, in file order */
	size_t n_dirs;
};

/* Serialise.  Returns 0 and sets *out_len; when out is NULL or cap is too
 * small, only *out_len is set (and -ERR_LIMIT returned if out is non-NULL).
 * Fails with -EINVAL on a directive list igvm_open() would refuse. */
int igvm_write(const struct igvm_image *im, uint8_t *out, size_t cap, size_t *out_len,
	       struct err *e);

#endif
