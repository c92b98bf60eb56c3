/* acpi: the boot stub's ACPI tables for Linux (ACPI 6.5 chapter 5 and 6):
 * RSDP (revision 2) -> XSDT -> FADT (revision 6, 276 bytes) -> DSDT, and
 * MADT; on the native platform also a FACS.  Pure (stdint/stddef/stdbool
 * only): compiled into the freestanding stub and into the host unit tests.
 *
 * Why: Debian's kernel lacks CONFIG_X86_MPPARSE and SEV-SNP guests never
 * look for an MP table, so the MADT is the only way Linux learns about the
 * other vCPUs.  Once ACPI tables exist, x86 Linux finds PCI only through a
 * PCI root bridge in the DSDT (pci_subsys_init skips the legacy scan when
 * pci_acpi_init returns 0), so the DSDT carries \_SB.PCI0 with its _CRS.
 *
 * Layout of the caller's region (offsets from its start, fixed):
 *   0x000 RSDP (36)   0x040 FACS (64, native only)   0x080 XSDT (52)
 *   0x100 FADT (276)  0x240 DSDT (ACPI_DSDT_SIZE)    0x400 MADT (variable)
 * The RSDP is at the region's start: acpi_write returns region_gpa.
 * Deterministic: fixed OEM/creator ids, every byte of the region written.
 */
#ifndef CCG_BOOT_ACPI_H
#define CCG_BOOT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/e820.h"

#define ACPI_OFF_RSDP   0x000u
#define ACPI_OFF_FACS   0x040u    /* 64-byte aligned (ACPI 6.5 §5.2.10) */
#define ACPI_OFF_XSDT   0x080u
#define ACPI_OFF_FADT   0x100u
#define ACPI_OFF_DSDT   0x240u
#define ACPI_OFF_MADT   0x400u

#define ACPI_RSDP_SIZE  36u
#define ACPI_HDR_SIZE   36u       /* system description table header */
#define ACPI_FACS_SIZE  64u
#define ACPI_XSDT_SIZE  (ACPI_HDR_SIZE + 2u * 8u)   /* FADT, MADT */
#define ACPI_FADT_SIZE  276u      /* revision 6 (ACPI 6.0 .. 6.5) */
#define ACPI_DSDT_SIZE  230u      /* header + the AML template */

/* MADT (ACPI 6.5 §5.2.12) */
#define ACPI_MADT_HDR_SIZE   44u  /* header + local APIC address + flags */
#define ACPI_MADT_LAPIC_SIZE 8u   /* type 0 Processor Local APIC */
#define ACPI_MADT_IOAPIC_SIZE 12u /* type 1 I/O APIC */
#define ACPI_MADT_ISO_SIZE   10u  /* type 2 Interrupt Source Override */
#define ACPI_MADT_X2APIC_SIZE 16u /* type 9 Processor Local x2APIC */
#define ACPI_LAPIC_ADDR      0xFEE00000u
#define ACPI_IOAPIC_ADDR     0xFEC00000u
/* APIC IDs 0..254 get Local APIC entries, 255 and up Local x2APIC ones (0xFF
 * is the xAPIC broadcast ID). */
#define ACPI_XAPIC_MAX_ID    254u
#define ACPI_SCI_IRQ         9u

/* The PCI root bridge's windows (DSDT \_SB.PCI0._CRS). */
#define ACPI_PCI32_ALIGN     (256ull << 20)
#define ACPI_PCI32_END       0xFEBFFFFFull   /* below the I/O APIC */
#define ACPI_PCI64_ALIGN     (1ull << 30)
#define ACPI_PCI64_SIZE      (64ull << 30)
#define ACPI_PCI64_LIMIT     (1ull << 46)    /* window ends below this */

/* Native (not SNP) power-management I/O blocks, relative to pm_base: the
 * ICH9 LPC PMBASE layout (PM1a_EVT 4 bytes, PM1a_CNT 2, PM_TMR 4). */
#define ACPI_PM1_EVT_OFF     0x0u
#define ACPI_PM1_EVT_LEN     4u
#define ACPI_PM1_CNT_OFF     0x4u
#define ACPI_PM1_CNT_LEN     2u
#define ACPI_PM_TMR_OFF      0x8u
#define ACPI_PM_TMR_LEN      4u

/* e820 type the caller gives the region: "ACPI data".  Not type 2: an SEV
 * guest maps reserved (IORES_DESC_RESERVED) ranges decrypted in ioremap,
 * ACPI ranges encrypted, and the tables are in private memory. */
#define ACPI_E820_TYPE       3u

/* Errors (all negative). */
#define ACPI_ERR_INVAL   (-1)   /* n_cpus 0, no pm_base on native, bad GPA */
#define ACPI_ERR_SPACE   (-2)   /* region too small for the tables */
#define ACPI_ERR_LAYOUT  (-3)   /* no room for a PCI window */

struct acpi_config {
	uint32_t n_cpus;                  /* APIC IDs 0..n_cpus-1, all enabled */
	const struct e820_entry *e820;    /* the guest's final memory map */
	size_t n_e820;
	bool snp;                         /* hardware-reduced FADT, no legacy */
	uint16_t pm_base;                 /* native: PM I/O base (required) */
};

/* The PCI windows computed from the e820 (exposed for the tests). */
struct acpi_pci_windows {
	uint64_t mem32_min, mem32_max;    /* inclusive */
	uint64_t mem64_min, mem64_max;
};

/* Windows from the memory map: 32-bit from the first 256 MiB boundary at or
 * above the highest end of any e820 range that starts below the I/O APIC
 * (RAM or not: a window must not cover reserved memory) up to 0xFEBFFFFF;
 * 64-bit from max(4 GiB, highest end of any range below 2^46) rounded up to
 * 1 GiB, 64 GiB long, cut at 2^46.  ACPI_ERR_LAYOUT when either is empty. */
int acpi_pci_windows(const struct e820_entry *t, size_t n, struct acpi_pci_windows *w);

/* Bytes the region needs for n_cpus. */
size_t acpi_region_size(uint32_t n_cpus);

/* Zero region[len] (at guest-physical region_gpa) and write the tables.
 * Returns the RSDP's GPA (region_gpa) or an ACPI_ERR_*. */
int64_t acpi_write(uint8_t *region, size_t len, uint64_t region_gpa, const struct acpi_config *c);

/* The 8-bit checksum byte that makes p[0..n) sum to 0. */
uint8_t acpi_checksum(const uint8_t *p, size_t n);

/* Offsets inside the DSDT (from its start) of the patched _CRS fields: the
 * DWordMemory _MIN/_MAX/_LEN (4 bytes each) and the QWordMemory ones (8
 * bytes each).  The unit tests check them against an AML decoder. */
#define ACPI_DSDT_M32_MIN   166u
#define ACPI_DSDT_M32_MAX   170u
#define ACPI_DSDT_M32_LEN   178u
#define ACPI_DSDT_M64_MIN   196u
#define ACPI_DSDT_M64_MAX   204u
#define ACPI_DSDT_M64_LEN   220u

#endif
