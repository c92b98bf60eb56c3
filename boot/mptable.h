/* mptable: an Intel MultiProcessor Specification 1.4 table (Intel order no.
 * 242016-006, chapter 4) for n CPUs: a floating pointer structure and a
 * configuration table with one processor entry per CPU (local APIC IDs
 * 0..n-1, the bootstrap processor flag on 0), one ISA bus and one I/O APIC.
 * No interrupt assignment entries: Linux then sets up the default ISA
 * routing (mpparse.c, construct_default_ioirq_mptable()).  Pure; compiled
 * into the freestanding stub and into the host unit tests.
 */
#ifndef CCG_BOOT_MPTABLE_H
#define CCG_BOOT_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_FP_SIZE       16u          /* floating pointer, spec table 4-1 */
#define MPTABLE_HDR_SIZE      44u          /* configuration table header, table 4-2 */
#define MPTABLE_CPU_SIZE      20u          /* processor entry, table 4-4 */
#define MPTABLE_BUS_SIZE      8u           /* bus entry, table 4-8 */
#define MPTABLE_IOAPIC_SIZE   8u           /* I/O APIC entry, table 4-10 */

#define MPTABLE_SPEC_REV      4u           /* version 1.4 */
#define MPTABLE_LAPIC_ADDR    0xFEE00000u
#define MPTABLE_IOAPIC_ADDR   0xFEC00000u
#define MPTABLE_LAPIC_VER     0x14u        /* integrated xAPIC */
#define MPTABLE_IOAPIC_VER    0x11u        /* 82093AA */
/* APIC IDs are 8 bits, 0xFF is the broadcast ID and the I/O APIC takes the
 * ID after the last CPU. */
#define MPTABLE_MAX_CPUS      254u

#define MPTABLE_ERR_INVAL     (-1)

/* Bytes of the configuration table (header + entries) for n CPUs. */
size_t mptable_config_size(unsigned n_cpus);

/* Zero region[len] (placed at guest-physical region_gpa) and write the
 * configuration table at offset 0 and the floating pointer at fp_off (16-byte
 * aligned, after the table).  Returns 0, or MPTABLE_ERR_INVAL when n_cpus is
 * 0 or > MPTABLE_MAX_CPUS or the layout does not fit. */
int mptable_write(uint8_t *region, size_t len, uint32_t region_gpa, uint32_t fp_off,
		  unsigned n_cpus);

/* The 8-bit two's-complement checksum byte: makes p[0..n) sum to 0. */
uint8_t mptable_checksum(const uint8_t *p, size_t n);

#endif
