/* layout: a Linux direct boot (x86-64 boot protocol) laid out as IGVM
 * directives, for the SEV-SNP and the native platform (docs/igvm.md has the
 * table of GPAs).  Pure: the caller gives the kernel (bzImage), the initrd,
 * the command line and the boot stub as buffers, and the arrays that
 * receive the directives and the pages the layout composes.
 *
 * File order is ascending GPA with the VMSA last, so that the file-order
 * digest (KVM) equals the GPA-sorted one (MSHV); every page carries data
 * (zero pages point at one stored zero page), parameter areas are one page.
 */
#ifndef CCG_IGVM_LAYOUT_H
#define CCG_IGVM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "boot/stub_abi.h"
#include "igvm/igvm.h"

enum layout_platform {
	LAYOUT_NATIVE,     /* reset vector → stub → Linux, no VMSA */
	LAYOUT_SNP,        /* VMSA → stub 64-bit entry → Linux */
};

enum layout_loader {
	LAYOUT_LOADER_KVM,   /* VMSA at 0xFFFFFFFFF000 (QEMU, Cloud Hypervisor on KVM) */
	LAYOUT_LOADER_MSHV,  /* VMSA in RAM, above every other page (Cloud Hypervisor on MSHV) */
};

#define LAYOUT_CMDLINE_MAX    2047u          /* COMMAND_LINE_SIZE 2048 with the NUL */
#define LAYOUT_SNP_POLICY     0x30000ull     /* SMT allowed, bit 17; ABI 0.0 */
#define LAYOUT_SEV_FEATURES   0x1ull         /* SNP only (igvm.md §0.3) */
#define LAYOUT_CBIT           51u
#define LAYOUT_CPUID_MAX      64u

struct layout_in {
	enum layout_platform platform;
	enum layout_loader loader;         /* SNP only */
	const uint8_t *kernel;             /* bzImage */
	size_t kernel_len;
	const uint8_t *initrd;             /* may be NULL (no initrd) */
	size_t initrd_len;
	const char *cmdline;               /* NUL-terminated, ≤ LAYOUT_CMDLINE_MAX */
	const uint8_t *stub_image;         /* linked at STUB_GPA_IMAGE */
	size_t stub_image_len;
	uint64_t stub_entry64;             /* GPA of the 64-bit entry */
	const uint8_t *stub_reset;         /* native: the 4 KiB page at STUB_GPA_RESET */
	uint64_t policy;                   /* SNP guest policy (0 = LAYOUT_SNP_POLICY) */
	uint64_t sev_features;             /* 0 = LAYOUT_SEV_FEATURES */
	uint64_t memory_bytes;             /* REQUIRED_MEMORY; 0 = the minimum */
	/* false (default): the kernel payload and the initrd are imported
	 * unmeasured and the stub checks their SHA-256 (in the measured config
	 * page) before it jumps: the PSP hashes ~60 KiB instead of the whole
	 * payload.  true: every payload page is measured (igvmgen's way). */
	bool measure_payload;
};

/* What the kernel's setup header says (igvm.md §2.1; boot.rst). */
struct layout_kernel {
	uint16_t version;                  /* boot protocol, ≥ 0x020C */
	uint8_t setup_sects;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t kernel_alignment;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	size_t payload_off;                /* (setup_sects + 1) * 512 */
	size_t payload_len;
	size_t hdr_end;                    /* end of the setup header (0x202 + jump) */
};

/* Pages the layout composes (the caller keeps them alive until the file is
 * written: the directives point into them). */
struct layout_pages {
	uint8_t gdt[STUB_PAGE];
	uint8_t zero_page[STUB_PAGE];
	uint8_t cmdline[STUB_PAGE];
	uint8_t config[STUB_PAGE];
	uint8_t pml4[STUB_PAGE];
	uint8_t pdpt[STUB_PAGE];
	uint8_t cpuid[STUB_PAGE];
	uint8_t cc_blob[STUB_PAGE];
	uint8_t vmsa[STUB_PAGE];
	uint8_t stub[STUB_IMAGE_MAX];      /* the stub, zero padded */
	uint8_t kernel_tail[STUB_PAGE];    /* last partial page of the payload */
	uint8_t initrd_tail[STUB_PAGE];
};

struct layout_out {
	struct layout_kernel k;
	size_t n_dirs;
	uint64_t kernel_gpa, kernel_end;   /* payload */
	uint64_t initrd_gpa, initrd_end;
	uint64_t vmsa_gpa;                 /* SNP */
	uint64_t ram_end;                  /* lowest RAM size that holds the layout */
	uint64_t required_memory;          /* REQUIRED_MEMORY bytes written (SNP) */
	uint64_t measured_pages;           /* measured PAGE_DATA pages + the VMSA */
	uint64_t unmeasured_pages;         /* payload pages the stub verifies instead */
};

/* Parse and check the bzImage setup header (64-bit entry, protocol ≥ 2.12). */
int layout_parse_kernel(const uint8_t *p, size_t n, struct layout_kernel *k, struct err *e);

/* An upper bound of the directives layout_build() emits for `in`. */
size_t layout_max_dirs(const struct layout_in *in);

/* Lay the guest out.  dirs[cap] receives the headers in file order. */
int layout_build(const struct layout_in *in, struct layout_pages *pg, struct igvm_dir *dirs,
		 size_t cap, struct layout_out *out, struct err *e);

/* The SNP CPUID page's input list (count + leaves; outputs zero: the loader
 * fills them and the PSP checks them). */
void layout_cpuid_page(uint8_t page[STUB_PAGE]);

#endif
