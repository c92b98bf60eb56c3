/* fuzz_stub: what the boot stub reads from the loader, which the launch does
 * not measure: the parameter page (the first 4 bytes pick the memory map's
 * offset and entry limit, the rest is the page).  The parsed map is built
 * into an e820 table, which must come out sorted, non-overlapping, merged
 * and bounded, and stored into a boot_params page. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/e820.h"

#define PAGE 4096u
#define LIST_MAX 200u

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
	return 0;
}
