/* tdx: Intel TDX structures the guest handles: the 1024-byte TDREPORT, the
 * DCAP quote (v4 and v5) as configfs-tsm returns it, and the CC event log
 * (CCEL) trimming rule of guest-components.  Pure: no I/O, no allocation.
 * Layouts: kernel.md §5.7-§5.9. */
#ifndef CCG_TEE_TDX_H
#define CCG_TEE_TDX_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TDX_REPORT_SIZE 1024
#define TDX_TEE_TYPE 0x81u
#define TDX_QUOTE_HEADER 48
#define TDX_BODY_10 584             /* TD report 1.0 (body type 2) */
#define TDX_BODY_15 648             /* TD report 1.5 (body type 3) */
#define TDX_QUOTE_MAX (8192 - 24)   /* the kernel's quote buffer bound */

struct tdx_report {
	uint8_t report_type[4];         /* type 0x81, subtype, version, reserved */
	uint8_t cpusvn[16];
	uint8_t tee_tcb_info_hash[48];
	uint8_t tee_info_hash[48];
	uint8_t report_data[64];
	uint8_t mac[32];
	uint8_t tee_tcb_info[239];      /* raw; its fields below */
	uint8_t tcb_valid[8];
	uint8_t tee_tcb_svn[16];
	uint8_t mrseam[48];
	uint8_t mrsignerseam[48];
	uint8_t seam_attributes[8];
	uint8_t tee_tcb_svn2[16];
	uint8_t td_attributes[8];       /* TDINFO */
	uint8_t xfam[8];
	uint8_t mrtd[48];
	uint8_t mrconfigid[48];
	uint8_t mrowner[48];
	uint8_t mrownerconfig[48];
	uint8_t rtmr[4][48];
	uint8_t servtd_hash[48];
};

/* Exactly TDX_REPORT_SIZE bytes with REPORTTYPE.type 0x81; -ERR_FORMAT
 * otherwise. */
int tdx_report_parse(const uint8_t *p, size_t n, struct tdx_report *out, struct err *e);

struct tdx_quote {
	uint16_t version;               /* 4 or 5 */
	uint16_t att_key_type;          /* 2 = ECDSA-256-with-P-256, 3 = P-384 */
	uint32_t tee_type;              /* 0x81 */
	uint16_t qe_svn, pce_svn;
	uint8_t qe_vendor_id[16];
	uint8_t user_data[20];
	uint16_t body_type;             /* 2 (TD 1.0) or 3 (TD 1.5); v4: 2 */
	uint32_t body_size;             /* 584 or 648 */
	uint8_t tee_tcb_svn[16];
	uint8_t mrseam[48];
	uint8_t mrsignerseam[48];
	uint8_t seam_attributes[8];
	uint8_t td_attributes[8];
	uint8_t xfam[8];
	uint8_t mrtd[48];
	uint8_t mrconfigid[48];
	uint8_t mrowner[48];
	uint8_t mrownerconfig[48];
	uint8_t rtmr[4][48];
	uint8_t report_data[64];
	uint8_t tee_tcb_svn2[16];       /* body type 3 only, else zero */
	uint8_t mrservicetd[48];        /* body type 3 only, else zero */
	size_t signed_len;              /* header + body (what the QE signed) */
	const uint8_t *sig;             /* signature data, into the caller's buffer */
	uint32_t sig_len;
};

/* Parse a whole quote: header, body and the signature data length, which must
 * end the input exactly (no trailing bytes).  Version other than 4/5, TEE
 * type other than TDX, unknown key type or body type -> -ERR_UNSUPPORTED;
 * short input, a body size that does not match its type, a signature length
 * beyond the end, trailing bytes or more than TDX_QUOTE_MAX bytes ->
 * -ERR_FORMAT. */
int tdx_quote_parse(const uint8_t *p, size_t n, struct tdx_quote *out, struct err *e);

/* The used part of a CCEL log area (guest-components' rule): a TCG_PCR_EVENT
 * of type EV_NO_ACTION first, then TCG_PCR_EVENT2 records while the next 8
 * bytes are not all 0xFF or all zero.  *used is the offset of that end mark,
 * *nevents the number of TCG_PCR_EVENT2 records.  Digest algorithms other
 * than SHA-256/384/512 and SM3 -> -ERR_UNSUPPORTED; no end mark inside n or a
 * record running past n -> -ERR_FORMAT. */
int tdx_ccel_trim(const uint8_t *p, size_t n, size_t *used, size_t *nevents, struct err *e);

#endif
