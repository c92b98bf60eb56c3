/* fuzz_stub: what the boot stub reads from the loader, which the launch does
 * not measure: the parameter page (the first 4 bytes pick the memory map's
 * offset and entry limit, the rest is the page; its first u32 doubles as
 * the VP count).  The parsed map is built into an e820 table, which must
 * come out sorted, non-overlapping, merged and bounded, and stored into a
 * boot_params page; then the ACPI tables are written for that map and VP
 * count, and every table's checksum must hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/e820.h"

#define PAGE 4096u
#define LIST_MAX 200u

#define BASE 0x9C000u

static uint64_t ld(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Every table the XSDT lists lies inside the region and sums to zero. */
static void check_xsdt(const uint8_t *r, size_t len)
{
	uint64_t x = ld(r + 24, 8) - BASE, xl, t, tl;

	if (x > len - 36 || (xl = ld(r + x + 4, 4)) < 36 || xl > len - x ||
	    acpi_checksum(r + x, (size_t)xl) != 0)
		abort();
	for (uint64_t i = 36; i + 8 <= xl; i += 8) {
		t = ld(r + x + i, 8) - BASE;
		if (t > len - 36 || (tl = ld(r + t + 4, 4)) < 36 || tl > len - t ||
		    acpi_checksum(r + t, (size_t)tl) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t area[PAGE], bp[PAGE];
	struct e820_entry list[LIST_MAX], table[E820_MAX];
	size_t n = 0;
	uint32_t off, max;
	int r, nt;

	if (size < 4)
		return 0;
	off = (uint32_t)data[0] | (uint32_t)data[1] << 8;
	max = (uint32_t)data[2] | (uint32_t)data[3] << 8;
	memset(area, 0, sizeof(area));
	memcpy(area, data + 4, size - 4 < PAGE ? size - 4 : PAGE);
	r = e820_parse_memmap(area, PAGE, off, max, list, &n, LIST_MAX);
	if (r < 0)
		return 0;
	if ((size_t)r != n || n > LIST_MAX || n > max)
		abort();
	nt = e820_build(list, n, table, E820_MAX);
	if (nt == E820_ERR_FULL)
		return 0;
	if (nt < 0 || nt > (int)E820_MAX)
		abort();
	for (int i = 0; i < nt; i++) {
		if (table[i].size == 0 || table[i].addr + table[i].size < table[i].addr)
			abort();
		if (i > 0 && (table[i - 1].addr + table[i - 1].size > table[i].addr ||
			      (table[i - 1].addr + table[i - 1].size == table[i].addr &&
			       table[i - 1].type == table[i].type)))
			abort();
		/* the legacy hole is never RAM */
		if (table[i].type == E820_RAM && table[i].addr < E820_LEGACY_END &&
		    table[i].addr + table[i].size > E820_LEGACY_START)
			abort();
	}
	if (e820_store(bp, table, (size_t)nt) != 0 || bp[E820_BP_ENTRIES] != nt)
		abort();
	{
		static uint8_t region[0x2000];
		struct acpi_config c = {
			.n_cpus = ((uint32_t)area[0] | (uint32_t)area[1] << 8) % 600,
			.e820 = table, .n_e820 = (size_t)nt, .snp = area[2] & 1, .pm_base = 0x600,
		};
		int64_t rsdp = acpi_write(region, sizeof(region), BASE, &c);

		if (rsdp >= 0) {
			if (rsdp != BASE || acpi_checksum(region, 20) != 0 ||
			    acpi_checksum(region, 36) != 0)
				abort();
			check_xsdt(region, sizeof(region));
		} else if (rsdp == ACPI_ERR_SPACE) {
			if (acpi_region_size(c.n_cpus) <= sizeof(region))
				abort();        /* the size the stub reserves must be enough */
		} else if (rsdp != ACPI_ERR_INVAL && rsdp != ACPI_ERR_LAYOUT) {
			abort();
		}
	}
	return 0;
}
