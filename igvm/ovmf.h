/* ovmf: an OVMF (edk2) firmware image as QEMU/KVM measure it when an SEV-ES
 * or SEV-SNP guest boots it with -bios (igvm.md §3.6), and the GUIDed footer
 * table that TDVF (tdvf.h) shares.
 *
 * The image is untrusted input: every offset is checked against the image
 * before it is read.  The results follow virtee/sev-snp-measure (`--mode snp`,
 * `seves`, `snp:svsm`) bit for bit; the kernel, initrd and command line enter
 * only as their SHA-256 digests, so this code reads no file.  Pure: no I/O,
 * no malloc; the image stays in the caller's buffer.
 *
 * Layout of the footer table (read from the end of the image): the last
 * entry ends 32 bytes before the image end; every entry is
 * {data[size - 18], u16 size, GUID} with `size` counting the 18-byte
 * header, and the last entry is the footer GUID 96b582de-… whose size
 * covers the whole table. */
#ifndef CCG_IGVM_OVMF_H
#define CCG_IGVM_OVMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "igvm/snp_ld.h"
#include "igvm/vmsa.h"

#define OVMF_PAGE 4096u
#define OVMF_GUID_LEN 16
#define OVMF_FOOTER_GAP 32u          /* bytes between the table and the image end */
#define OVMF_SECTIONS_MAX 64         /* SEV metadata sections accepted */
#define OVMF_VCPUS_MAX 4096u         /* KVM's x86 limit */
#define OVMF_HASHES_TABLE_LEN 176u   /* the SEV hashes table, padded to 16 */
#define OVMF_IMAGE_END 0x100000000ull /* the firmware ends at 4 GiB */

/* SEV metadata ("ASEV") section types (edk2 OvmfSevMetadata.asm). */
enum ovmf_section_type {
	OVMF_SEC_SNP_SEC_MEM = 1,       /* ZERO pages (UNMEASURED on GCE) */
	OVMF_SEC_SNP_SECRETS = 2,       /* the SECRETS page */
	OVMF_SEC_CPUID = 3,             /* the CPUID page */
	OVMF_SEC_SVSM_CAA = 4,          /* ZERO pages */
	OVMF_SEC_SNP_KERNEL_HASHES = 0x10, /* the hashes table page, or ZERO pages */
};

struct ovmf_section {
	uint32_t gpa;
	uint32_t size;
	uint32_t type;
};

/* What ovmf_parse() found.  Points into the caller's image. */
struct ovmf {
	const uint8_t *img;
	size_t len;
	uint64_t gpa;            /* where the image is mapped: end - len */
	bool has_reset_eip;      /* SEV-ES reset block 00f771de-… */
	uint32_t reset_eip;      /*   the APs' entry point */
	bool has_hashes;         /* SEV hashes table 7255371f-… */
	uint32_t hashes_gpa;     /*   GPA of the table (0: not supported) */
	bool has_svsm_info;      /* SVSM information a789a612-… (SVSM images) */
	uint32_t svsm_entry;     /*   entry offset from the image start */
	unsigned nsections;      /* SEV metadata dc886566-… → "ASEV" sections */
	struct ovmf_section sec[OVMF_SECTIONS_MAX];
};

/* The data of the footer-table entry `guid`: *data and *dlen point into img.
 * -ERR_NOTFOUND when the image has no footer table or no such entry,
 * -ERR_FORMAT when the table is malformed (entry sizes that do not add up,
 * an entry named twice). */
int ovmf_table_find(const uint8_t *img, size_t len, const uint8_t guid[OVMF_GUID_LEN],
		    const uint8_t **data, size_t *dlen, struct err *e);

/* Parse an image mapped to end at `end` (OVMF_IMAGE_END for a -bios image).
 * The image must be a whole number of pages.  An image without a footer
 * table parses (nothing is found); a malformed table or SEV metadata fails
 * with -ERR_FORMAT, too many sections with -ERR_LIMIT. */
int ovmf_parse(const uint8_t *img, size_t len, uint64_t end, struct ovmf *o, struct err *e);

/* SHA-256 digests of what QEMU's -kernel/-initrd/-append hand the firmware;
 * `cmdline` is the digest of the command line with its trailing NUL (an
 * absent command line is "\0"), an absent initrd is the digest of nothing. */
struct ovmf_kernel_hashes {
	uint8_t kernel[32];
	uint8_t initrd[32];
	uint8_t cmdline[32];
};

/* The SEV hashes table QEMU writes (168 bytes: header GUID, u16 168, then
 * cmdline, initrd, kernel entries {GUID, u16 50, sha256}) padded to 176. */
void ovmf_hashes_table(const struct ovmf_kernel_hashes *h, uint8_t out[OVMF_HASHES_TABLE_LEN]);

/* Launch parameters, as sev-snp-measure's options. */
struct ovmf_params {
	enum vmsa_vmm vmm;           /* --vmm-type: QEMU, EC2, GCE */
	unsigned vcpus;              /* --vcpus, 1..OVMF_VCPUS_MAX */
	uint32_t vcpu_sig;           /* CPUID(1).EAX of the vCPU model (QEMU only) */
	uint64_t guest_features;     /* VMSA SEV_FEATURES (SNP); SEV-ES uses 0 */
	const struct ovmf_kernel_hashes *hashes; /* NULL: no kernel hashes table */
	const uint8_t *ovmf_hash;    /* SNP: 48-byte precomputed LD of the OVMF
				      * pages (ovmf_snp_ovmf_hash), or NULL */
	const uint8_t *svsm;         /* SNP: COCONUT-SVSM image (snp:svsm mode), or NULL */
	size_t svsm_len;
	uint64_t vars_size;          /* SVSM mode: OVMF_VARS bytes between the SVSM and OVMF */
};

/* The SEV-SNP launch digest (report MEASUREMENT) of the image with p:
 *  - OVMF pages NORMAL at 4 GiB - len (or the ovmf_hash seed instead);
 *  - SVSM mode: also the SVSM pages NORMAL, ending vars_size below OVMF;
 *  - the SEV metadata sections of OVMF (of the SVSM in SVSM mode) in order:
 *    SEC_MEM ZERO (GCE: UNMEASURED), SECRETS, CPUID (EC2: after all the
 *    others), KERNEL_HASHES the hashes-table page NORMAL or ZERO pages,
 *    SVSM_CAA ZERO;
 *  - one VMSA per vCPU at 0xFFFFFFFFF000: the BSP at the reset vector, APs
 *    at the SEV-ES reset block's eip (SVSM mode: every vCPU at the SVSM
 *    entry, vmsa_svsm()).
 * out receives the digest, the PAGE_INFO count and the bytes the PSP
 * hashes (NORMAL + VMSA pages; with an ovmf_hash seed the OVMF pages are
 * still counted, since the PSP measures them at launch).
 * -EINVAL for bad parameters, -ERR_FORMAT / -ERR_UNSUPPORTED for images
 * that cannot be measured this way (no reset block, kernel hashes asked
 * for but not supported, unknown section type). */
int ovmf_snp_digest(const uint8_t *img, size_t len, const struct ovmf_params *p,
		    struct snp_ld *out, struct err *e);

/* The SEV-ES launch digest: SHA-256 over the image, the hashes table when
 * p->hashes is set, and one reset VMSA per vCPU (SEV_FEATURES 0).  Ignores
 * guest_features, ovmf_hash and svsm (which must be unset: -EINVAL). */
int ovmf_seves_digest(const uint8_t *img, size_t len, const struct ovmf_params *p,
		      uint8_t out[32], struct err *e);

/* sev-snp-measure's snp:ovmf-hash: the LD after the OVMF pages only, the
 * seed for ovmf_params.ovmf_hash. */
int ovmf_snp_ovmf_hash(const uint8_t *img, size_t len, uint8_t out[SNP_LD_LEN], struct err *e);

#endif
