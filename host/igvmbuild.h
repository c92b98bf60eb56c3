/* igvmbuild: the work behind `ccguest igvm build`, shared with
 * `ccguest reference-values` (host only). */
#ifndef CCG_HOST_IGVMBUILD_H
#define CCG_HOST_IGVMBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "igvm/igvm_measure.h"
#include "igvm/layout.h"
#include "igvm/snp_ld.h"

struct igvmbuild_opts {
	int platform;                  /* enum layout_platform */
	enum layout_loader loader;
	unsigned vcpus;                /* the ID block's digest (kvm) */
	uint32_t vcpu_sig;             /* AP VMSAs (kvm) */
	uint64_t memory;               /* REQUIRED_MEMORY, 0 = the least */
	uint64_t policy;               /* 0 = LAYOUT_SNP_POLICY */
	const char *kernel, *initrd, *cmdline, *out;
	const char *id_key;            /* PEM path or NULL */
	uint8_t family_id[16], image_id[16];
	uint32_t svn;
	bool no_id_block;
	bool measure_payload;          /* measure kernel/initrd pages instead of hashing */
};

struct igvmbuild_result {
	struct layout_out layout;
	size_t file_len;
	bool measured, id_block;
	struct snp_ld ld;              /* SNP: the digest signed into the ID block */
};

/* Build and write o->out (atomically). */
int igvmbuild_run(const struct igvmbuild_opts *o, struct igvmbuild_result *res, struct err *e);

/* igvm_open() and igvm_check_overlap() over a file in memory (the scratch
 * the overlap check needs is allocated here). */
int igvmbuild_open_checked(struct igvm_file *f, const uint8_t *buf, size_t len, struct err *e);

/* The SNP launch digest of an IGVM file in memory under a loader model. */
int igvmbuild_measure(const uint8_t *file, size_t len, enum igvm_loader loader, unsigned vcpus,
		      uint32_t vcpu_sig, struct snp_ld *ld, struct err *e);

/* The same for the file at path (mapped, not copied); e names the path. */
int igvmbuild_measure_file(const char *path, enum igvm_loader loader, unsigned vcpus,
			   uint32_t vcpu_sig, struct snp_ld *ld, struct err *e);

#endif
