/* stub_abi: the contract between `ccguest igvm build` (which lays out the
 * guest and writes the measured stub_config page) and the boot stub (which
 * reads it at run time).  Plain C99 types only: the stub is freestanding.
 * The GPAs are the low fixed part of the layout in docs/igvm.md; the kernel,
 * the initrd and (mshv) the VMSA are placed by the builder and named in the
 * config page.
 */
#ifndef CCG_BOOT_STUB_ABI_H
#define CCG_BOOT_STUB_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define STUB_PAGE          0x1000u

/* Low fixed layout (all measured except the parameter page). */
#define STUB_GPA_GDT       0x1000u   /* GDT: null, 0x08 unused, 0x10 code64, 0x18 data */
#define STUB_GPA_ZERO_PAGE 0x2000u   /* Linux boot_params */
#define STUB_GPA_CMDLINE   0x3000u   /* NUL-terminated kernel command line */
#define STUB_GPA_CONFIG    0x4000u   /* struct stub_config */
#define STUB_GPA_PML4      0x5000u   /* identity map, 1 GiB pages, 512 GiB */
#define STUB_GPA_PDPT      0x6000u
#define STUB_GPA_STACK     0x7000u   /* one page; RSP starts at its top */
#define STUB_GPA_IMAGE     0x8000u   /* the stub (.text/.rodata/.data/.bss) */
#define STUB_IMAGE_MAX     0x8000u   /* up to 0x10000 */
#define STUB_GPA_CPUID     0x10000u  /* SNP: CPUID page */
#define STUB_GPA_SECRETS   0x11000u  /* SNP: secrets page */
#define STUB_GPA_CC_BLOB   0x12000u  /* SNP: setup_data (type 7) at +0, cc_blob_sev_info at +0x40 */
#define STUB_CC_BLOB_OFF   0x40u
#define STUB_GPA_PARAM     0x13000u  /* IGVM parameter area (loader-filled, unmeasured) */
#define STUB_GPA_LOW_END   0x14000u
/* Written by the stub at run time (not part of the IGVM file): the Intel MP
 * table.  The config table sits at the start, the floating pointer at
 * +STUB_MPTABLE_FP_OFF = 0x9FC00, inside the last KiB of base memory that
 * Linux scans.  Two pages so that 254 processor entries fit.  The stub marks
 * the range reserved in e820; the builder must place nothing here. */
#define STUB_GPA_MPTABLE   0x9E000u
#define STUB_MPTABLE_SIZE  0x2000u
#define STUB_MPTABLE_FP_OFF 0x1C00u
/* Also written by the stub: the ACPI tables (boot/acpi.h), RSDP at the
 * start, passed to Linux in boot_params.acpi_rsdp_addr.  The stub marks the
 * range e820 type 3 (ACPI data: an SEV guest maps it encrypted, unlike
 * reserved ranges); the builder must place nothing here either. */
#define STUB_GPA_ACPI      0x9C000u
#define STUB_ACPI_SIZE     0x2000u
/* boot_params.acpi_rsdp_addr, u64 (zero-page.rst; boot protocol 2.14+). */
#define STUB_BP_ACPI_RSDP  0x070u
/* Native (QEMU q35) only: the I/O base the stub gives the ICH9 power
 * management block (LPC 00:1f.0 PMBASE) and the FADT describes. */
#define STUB_ACPI_PM_BASE  0x600u
/* Native only: the reset page (16-bit entry at 0xFFFFFFF0). */
#define STUB_GPA_RESET     0xFFFFF000u
/* KVM: the VMSA GPA the hardware is told about (INITIAL_VMSA_GPA). */
#define STUB_GPA_VMSA_KVM  0xFFFFFFFFF000ull

/* Parameter page (IGVM_VHS_PARAMETER byte offsets in area 0). */
#define STUB_PARAM_VP_COUNT   0u      /* u32, written by the loader */
#define STUB_PARAM_MEMMAP     64u     /* IGVM_VHS_MEMORY_MAP_ENTRY[], 24 bytes each */
#define STUB_PARAM_MEMMAP_MAX ((STUB_PAGE - STUB_PARAM_MEMMAP) / 24u)

/* GDT selectors (Linux boot protocol: __BOOT_CS 0x10, __BOOT_DS 0x18). */
#define STUB_SEL_CODE64    0x10u
#define STUB_SEL_DATA      0x18u
#define STUB_SEL_CODE32    0x08u     /* native reset path only */

#define STUB_CONFIG_MAGIC   0x3142545347474343ull   /* "CCGGSTB1" little-endian */
#define STUB_CONFIG_VERSION 1u

#define STUB_FLAG_SNP      0x1u      /* make RAM private + PVALIDATE it */
#define STUB_FLAG_VERIFY   0x2u      /* check the kernel and initrd SHA-256 before the jump */

#define STUB_RANGES_MAX    16u

#ifndef __ASSEMBLER__
struct stub_range {
	uint64_t base;
	uint64_t size;
};

/* At STUB_GPA_CONFIG, measured.  Little-endian, no padding holes. */
struct stub_config {
	uint64_t magic;               /* STUB_CONFIG_MAGIC */
	uint32_t version;             /* STUB_CONFIG_VERSION */
	uint32_t flags;               /* STUB_FLAG_* */
	uint64_t kernel_entry;        /* 64-bit entry: pref_address + 0x200 */
	uint64_t zero_page;           /* GPA of boot_params */
	uint64_t param_page;          /* GPA of the parameter area */
	uint32_t vp_count_off;        /* byte offset of the VP count in it */
	uint32_t memmap_off;          /* byte offset of the memory map in it */
	uint32_t memmap_max;          /* entries that fit */
	uint32_t n_reserved;          /* used entries of reserved[] */
	uint32_t n_imported;          /* used entries of imported[] */
	uint32_t reserved0;
	/* Ranges the e820 must mark reserved (CPUID, secrets, CC blob, the
	 * parameter page, an in-RAM VMSA), sorted, page aligned. */
	struct stub_range reserved[STUB_RANGES_MAX];
	/* SNP: ranges the launch already made private and validated (every
	 * page the IGVM imports), sorted, merged, page aligned.  The stub
	 * validates RAM outside them. */
	struct stub_range imported[STUB_RANGES_MAX];
	/* STUB_FLAG_VERIFY: the kernel payload and the initrd (exact byte
	 * ranges; initrd size 0 = none) are imported unmeasured, and this
	 * measured page carries their SHA-256; the stub hashes them in place
	 * and stops on a mismatch, so nothing unverified runs. */
	struct stub_range kernel;
	struct stub_range initrd;
	uint8_t kernel_sha256[32];
	uint8_t initrd_sha256[32];
};

/* IGVM_VHS_MEMORY_MAP_ENTRY as the loader writes it (24 bytes). */
struct stub_memmap_entry {
	uint64_t first_page;          /* starting GPA page number */
	uint64_t n_pages;             /* 0 ends the list */
	uint16_t type;                /* 0 MEMORY, 1 PLATFORM_RESERVED, 2 PERSISTENT, ... */
	uint16_t flags;
	uint32_t reserved;
};

#endif /* !__ASSEMBLER__ */

#define STUB_MEMMAP_MEMORY            0u
#define STUB_MEMMAP_PLATFORM_RESERVED 1u
#define STUB_MEMMAP_PERSISTENT        2u

#endif
