/* e820: the boot stub's memory map for Linux, built from the IGVM memory map
 * the loader writes into the parameter page and the stub's reserved ranges.
 * Pure (stdint/stddef/stdbool only): compiled into the freestanding stub and
 * into the host unit tests.
 *
 * Facts (Documentation/arch/x86/zero-page.rst): boot_params.e820_entries is a
 * u8 at 0x1E8, boot_params.e820_table holds E820_MAX_ENTRIES_ZEROPAGE = 128
 * packed entries of 20 bytes {u64 addr, u64 size, u32 type} at 0x2D0.
 */
#ifndef CCG_BOOT_E820_H
#define CCG_BOOT_E820_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define E820_RAM        1u
#define E820_RESERVED   2u

#define E820_BP_ENTRIES    0x1E8u   /* u8 e820_entries */
#define E820_BP_TABLE      0x2D0u   /* struct boot_e820_entry e820_table[128] */
#define E820_MAX           128u     /* E820_MAX_ENTRIES_ZEROPAGE */
#define E820_ENTRY_SIZE    20u

/* The legacy VGA/ROM hole, always reserved. */
#define E820_LEGACY_START  0xA0000ull
#define E820_LEGACY_END    0x100000ull

/* IGVM_VHS_MEMORY_MAP_ENTRY: 24 bytes, page numbers; GPAs have 52 bits. */
#define E820_MEMMAP_ENTRY_SIZE 24u
#define E820_MAX_GPA_PAGES     (1ull << 40)

/* Errors (all negative). */
#define E820_ERR_INVAL  (-1)   /* a range that wraps, a bad offset */
#define E820_ERR_FULL   (-2)   /* more entries than the caller's array */

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* Append [addr, addr+size) of `type` to list[*n] (capacity max).  size 0 is
 * ignored; a range that wraps past 2^64 is E820_ERR_INVAL. */
int e820_add(struct e820_entry *list, size_t *n, size_t max, uint64_t addr, uint64_t size,
	     uint32_t type);

/* Parse the IGVM memory map at byte `off` of the parameter area (area_len
 * bytes): at most max_entries entries, stopping at the first with
 * n_pages == 0.  MEMORY entries are appended as E820_RAM, every other type
 * as E820_RESERVED.  Entries that leave the area are not read; an entry
 * beyond 2^52 or wrapping is E820_ERR_INVAL.  Returns the number of entries
 * appended. */
int e820_parse_memmap(const void *area, size_t area_len, uint32_t off, uint32_t max_entries,
		      struct e820_entry *list, size_t *n, size_t max);

/* Normalise in[n_in] (any order, overlapping) into out[]: sorted, not
 * overlapping, adjacent equal types merged.  Where ranges overlap the
 * non-RAM type wins (the larger type number among non-RAM types).  The
 * legacy hole [0xA0000, 0x100000) is always added as reserved.  Returns the
 * number of entries, or E820_ERR_FULL when more than out_max are needed. */
int e820_build(const struct e820_entry *in, size_t n_in, struct e820_entry *out, size_t out_max);

/* True when [addr, addr+size) lies wholly inside entries of `type` of a
 * normalised table. */
bool e820_covers(const struct e820_entry *t, size_t n, uint64_t addr, uint64_t size,
		 uint32_t type);

/* Write t[n] (n ≤ E820_MAX) into a boot_params page (≥ 4096 bytes). */
int e820_store(uint8_t *boot_params, const struct e820_entry *t, size_t n);

#endif
