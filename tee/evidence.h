/* evidence: the TEE evidence the guest sends to a Trustee KBS ("tee" values
 * and JSON forms of kbs-protocol.md §5), obtained from the kernel's
 * interfaces (kernel.md §5): configfs-tsm first, then /dev/sev-guest or
 * /dev/tdx_guest.  The pure parts live in snp.h and tdx.h. */
#ifndef CCG_TEE_EVIDENCE_H
#define CCG_TEE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum tee_kind { TEE_NONE = 0, TEE_SAMPLE, TEE_SNP, TEE_TDX };

/* "none", "sample", "snp", "tdx": the KBS "tee" values. */
const char *tee_name(enum tee_kind k);

/* "auto" (*is_auto true, *k TEE_NONE), "sample", "snp", "tdx"; anything else
 * -ERR_FORMAT. */
int tee_kind_parse(const char *s, enum tee_kind *k, bool *is_auto, struct err *e);

/* The TEE this guest really runs in, from the kernel's device and platform
 * nodes: TEE_TDX, TEE_SNP or TEE_NONE.  Never TEE_SAMPLE. */
enum tee_kind tee_detect(void);

/* Evidence JSON binding report_data rd: rd_len 64 for snp/tdx, 48 for sample.
 *   snp:    {"attestation_report":{…},"cert_chain":null|[…]}
 *   tdx:    {"cc_eventlog":null|"<b64>","quote":"<b64>"}
 *   sample: {"svn":"1","report_data":"<b64>"}  (refused on real TEE hardware)
 * The report/quote returned is checked to carry rd.  *json is malloc'd and
 * NUL-terminated (caller frees), *len excludes the NUL.  TEE_NONE ->
 * -ERR_UNSUPPORTED. */
int tee_evidence(enum tee_kind k, const uint8_t *rd, size_t rd_len, char **json,
		 size_t *len, struct err *e);

/* The host-provided config id for initdata binding: SNP HOST_DATA (32 bytes,
 * from a fresh report with zero report_data), TDX MRCONFIGID (48, from a
 * TDREPORT, else sysfs measurements/mrconfigid).  -ERR_UNSUPPORTED for
 * sample/none. */
int tee_config_id(enum tee_kind k, uint8_t out[64], size_t *len, struct err *e);

#endif
