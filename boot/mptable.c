/* mptable: see mptable.h.  No libc. */
#include "boot/mptable.h"
#include "boot/fwtab.h"

uint8_t mptable_checksum(const uint8_t *p, size_t n)
{
	return fwtab_checksum(p, n);
}

size_t mptable_config_size(unsigned n_cpus)
{
	return MPTABLE_HDR_SIZE + (size_t)n_cpus * MPTABLE_CPU_SIZE + MPTABLE_BUS_SIZE +
	       MPTABLE_IOAPIC_SIZE;
}

int mptable_write(uint8_t *region, size_t len, uint32_t region_gpa, uint32_t fp_off,
		  unsigned n_cpus)
{
	size_t size = mptable_config_size(n_cpus);
	uint8_t *c = region, *e, *fp;

	if (n_cpus == 0 || n_cpus > MPTABLE_MAX_CPUS || (fp_off & 15u) != 0 || fp_off < size ||
	    fp_off > len || len - fp_off < MPTABLE_FP_SIZE)
		return MPTABLE_ERR_INVAL;
	for (size_t i = 0; i < len; i++)
		region[i] = 0;

	/* Configuration table header (spec table 4-2). */
	fwtab_put_str(c, "PCMP", 4);
	fwtab_put(c + 4, (uint32_t)size, 2);            /* base table length */
	c[6] = MPTABLE_SPEC_REV;
	fwtab_put_str(c + 8, "CCGUEST ", 8);            /* OEM ID */
	fwtab_put_str(c + 16, "IGVM STUB   ", 12);      /* product ID */
	fwtab_put(c + 34, n_cpus + 2, 2);               /* entry count */
	fwtab_put(c + 36, MPTABLE_LAPIC_ADDR, 4);
	/* OEM table, extended table: none (zero). */

	e = c + MPTABLE_HDR_SIZE;
	for (unsigned i = 0; i < n_cpus; i++, e += MPTABLE_CPU_SIZE) {
		e[0] = 0;                         /* processor entry (table 4-4) */
		e[1] = (uint8_t)i;                /* local APIC ID */
		e[2] = MPTABLE_LAPIC_VER;
		e[3] = (uint8_t)(0x01u | (i == 0 ? 0x02u : 0)); /* EN, BP */
		fwtab_put(e + 4, 0x600, 4);             /* CPU signature: family 6 */
		fwtab_put(e + 8, 0x201, 4);             /* feature flags: FPU, APIC */
	}
	e[0] = 1;                                 /* bus entry (table 4-8) */
	e[1] = 0;                                 /* bus ID */
	fwtab_put_str(e + 2, "ISA   ", 6);
	e += MPTABLE_BUS_SIZE;
	e[0] = 2;                                 /* I/O APIC entry (table 4-10) */
	e[1] = (uint8_t)n_cpus;                   /* I/O APIC ID after the CPUs */
	e[2] = MPTABLE_IOAPIC_VER;
	e[3] = 0x01;                              /* EN */
	fwtab_put(e + 4, MPTABLE_IOAPIC_ADDR, 4);
	c[7] = mptable_checksum(c, size);

	/* Floating pointer structure (table 4-1). */
	fp = region + fp_off;
	fwtab_put_str(fp, "_MP_", 4);
	fwtab_put(fp + 4, region_gpa, 4);               /* configuration table address */
	fp[8] = 1;                                /* length in 16-byte units */
	fp[9] = MPTABLE_SPEC_REV;
	/* feature bytes 1..5 zero: a configuration table is present, no IMCR */
	fp[10] = mptable_checksum(fp, MPTABLE_FP_SIZE);
	return 0;
}
