/* snp: the AMD SEV-SNP attestation report, the host's certificate table, and
 * the evidence JSON that Trustee's snp verifier reads.  Pure: no I/O; only
 * snp_evidence_json allocates (the JSON text).  Layout: kernel.md §5.3-§5.5;
 * JSON form: kbs-protocol.md §5 (virtee/sev 6.3 serde of AttestationReport). */
#ifndef CCG_TEE_SNP_H
#define CCG_TEE_SNP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SNP_REPORT_SIZE 1184        /* 0x4A0 */
#define SNP_SIGNED_SIZE 0x2A0       /* bytes covered by the signature */
#define SNP_CERTS_MAX 16            /* table entries we accept */
#define SNP_CERTS_BUF (4 * 4096)    /* what the kernel can hand back */

/* KEY_INFO bits 4:2: which key signed the report. */
#define SNP_KEY_INFO_SIGNING_KEY(k) (((k) >> 2) & 7u)
enum { SNP_SIGNING_VCEK = 0, SNP_SIGNING_VLEK = 1, SNP_SIGNING_NONE = 7 };

/* Every field of the report (little-endian values decoded; reserved bytes in
 * the signed area are checked to be zero, so they are not kept). */
struct snp_report {
	uint32_t version;               /* 2..5 */
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t sig_algo;              /* 1 = ECDSA P-384 with SHA-384 */
	uint8_t current_tcb[8];         /* TCB_VERSION, raw (layout by generation) */
	uint64_t plat_info;
	uint32_t key_info;
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint8_t reported_tcb[8];
	uint8_t cpuid_fam_id;           /* v3+; 0 in v2 */
	uint8_t cpuid_mod_id;
	uint8_t cpuid_step;
	uint8_t chip_id[64];
	uint8_t committed_tcb[8];
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint8_t launch_tcb[8];
	uint64_t launch_mit_vector;     /* v5+; 0 before */
	uint64_t current_mit_vector;    /* v5+; 0 before */
	uint8_t sig_r[72];              /* little-endian, zero-extended */
	uint8_t sig_s[72];
};

/* Parse exactly SNP_REPORT_SIZE bytes.  Versions 2..5; anything else is
 * -ERR_UNSUPPORTED.  Wrong length, non-zero reserved bytes in the signed
 * area (including CPUID bytes of a v2 report and mitigation vectors before
 * v5) -> -ERR_FORMAT. */
int snp_report_parse(const uint8_t *p, size_t n, struct snp_report *out, struct err *e);

/* The processor generation that fixes the TCB_VERSION layout (as virtee/sev
 * decides it: v2 by the CHIP_ID pattern, v3+ by CPUID family/model). */
enum snp_gen { SNP_GEN_MILAN = 1, SNP_GEN_GENOA, SNP_GEN_TURIN };

/* -ERR_UNSUPPORTED for an unknown family/model or a v2 report with an
 * all-zero (masked) CHIP_ID. */
int snp_report_gen(const struct snp_report *r, enum snp_gen *gen, struct err *e);

const char *snp_gen_name(enum snp_gen g);

/* The certificate table (auxblob / SNP_GET_EXT_REPORT buffer). */
enum snp_cert_kind {
	SNP_CERT_OTHER = 0,             /* a GUID we do not know */
	SNP_CERT_VCEK,
	SNP_CERT_VLEK,
	SNP_CERT_ASK,
	SNP_CERT_ARK,
	SNP_CERT_CRL,
};

struct snp_cert {
	enum snp_cert_kind kind;
	uint8_t guid[16];               /* as stored (RFC 4122 string order) */
	const uint8_t *data;            /* into the caller's buffer */
	size_t len;
};

struct snp_certs {
	size_t n;
	struct snp_cert c[SNP_CERTS_MAX];
};

/* Parse 24-byte entries {guid, offset u32, length u32} up to the all-zero
 * entry.  Offsets count from the table start; every certificate must lie
 * after the terminator and inside n; a zero length, a zero GUID with a
 * non-zero offset/length, or a known GUID twice -> -ERR_FORMAT; more than
 * SNP_CERTS_MAX entries -> -ERR_LIMIT.  Bytes after the certificates (the
 * kernel hands back a zero-filled buffer) are ignored.  n == 0 is an empty
 * table. */
int snp_certs_parse(const uint8_t *p, size_t n, struct snp_certs *out, struct err *e);

/* "VCEK", "VLEK", "ASK", "ARK", "CRL"; NULL for SNP_CERT_OTHER. */
const char *snp_cert_name(enum snp_cert_kind k);

/* Trustee's snp evidence:
 *   {"attestation_report":{…},"cert_chain":null|[{"cert_type":"VCEK","data":[…]},…]}
 * Keys in sev 6.3 order, byte arrays as integer arrays, TCB objects
 * {"fmc","bootloader","tee","snp","microcode"} (fmc null before Turin),
 * cpuid_* null for v2, the two mitigation vectors only for v5.  Certificates
 * with unknown GUIDs are left out; no known certificate gives null.  certs
 * may be NULL when certs_len is 0.  *json is malloc'd (caller frees), NUL-
 * terminated, *len excludes the NUL. */
int snp_evidence_json(const uint8_t *report, size_t n, const uint8_t *certs,
		      size_t certs_len, char **json, size_t *len, struct err *e);

#endif
