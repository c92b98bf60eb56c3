/* e820: see e820.h.  No libc: byte-wise little-endian loads and stores. */
#include "base/le.h"
#include "boot/e820.h"

static void st(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

int e820_add(struct e820_entry *list, size_t *n, size_t max, uint64_t addr, uint64_t size,
	     uint32_t type)
{
	if (type == 0 || size > UINT64_MAX - addr)
		return E820_ERR_INVAL;
	if (size == 0)
		return 0;
	if (*n >= max)
		return E820_ERR_FULL;
	list[*n].addr = addr;
	list[*n].size = size;
	list[*n].type = type;
	(*n)++;
	return 0;
}

int e820_parse_memmap(const void *area, size_t area_len, uint32_t off, uint32_t max_entries,
		      struct e820_entry *list, size_t *n, size_t max)
{
	const uint8_t *a = area;
	int added = 0;

	if (off > area_len)
		return E820_ERR_INVAL;
	for (uint32_t k = 0; k < max_entries; k++) {
		size_t at = off + (size_t)k * E820_MEMMAP_ENTRY_SIZE;
		uint64_t first, pages;
		uint16_t type;
		int rc;

		if (area_len - off < ((size_t)k + 1) * E820_MEMMAP_ENTRY_SIZE)
			break;                       /* the next entry would leave the area */
		first = le_ld64(a + at);
		pages = le_ld64(a + at + 8);
		type = le_ld16(a + at + 16);
		if (pages == 0)
			break;                       /* terminator */
		if (first >= E820_MAX_GPA_PAGES || pages > E820_MAX_GPA_PAGES - first)
			return E820_ERR_INVAL;
		rc = e820_add(list, n, max, first << 12, pages << 12,
			      type == 0 ? E820_RAM : E820_RESERVED);
		if (rc < 0)
			return rc;
		added++;
	}
	return added;
}

/* Overlap priority: RAM lowest, then the other types by number. */
static uint64_t prio(uint32_t type)
{
	return type == E820_RAM ? 1u : (uint64_t)type + 1u;
}

static int emit(struct e820_entry *out, size_t *n, size_t max, uint64_t a, uint64_t e, uint32_t t)
{
	if (*n > 0 && out[*n - 1].type == t && out[*n - 1].addr + out[*n - 1].size == a) {
		out[*n - 1].size += e - a;
		return 0;
	}
	if (*n >= max)
		return E820_ERR_FULL;
	out[*n].addr = a;
	out[*n].size = e - a;
	out[*n].type = t;
	(*n)++;
	return 0;
}

/* A sweep over the boundaries: at each point take the highest-priority type
 * covering it, up to the next boundary.  O(n^2) over a few hundred ranges,
 * no scratch memory. */
int e820_build(const struct e820_entry *in, size_t n_in, struct e820_entry *out, size_t out_max)
{
	const struct e820_entry legacy = { E820_LEGACY_START, E820_LEGACY_END - E820_LEGACY_START,
					   E820_RESERVED };
	uint64_t pos = UINT64_MAX;
	size_t n = 0;

	for (size_t i = 0; i <= n_in; i++) {
		const struct e820_entry *r = i < n_in ? &in[i] : &legacy;

		if (r->type == 0 || r->size > UINT64_MAX - r->addr)
			return E820_ERR_INVAL;
		if (r->size != 0 && r->addr < pos)
			pos = r->addr;
	}
	for (;;) {
		uint64_t next = 0;
		bool have_next = false;
		uint64_t best = 0;
		uint32_t type = 0;
		int rc;

		for (size_t i = 0; i <= n_in; i++) {
			const struct e820_entry *r = i < n_in ? &in[i] : &legacy;
			uint64_t end = r->addr + r->size, cand;

			if (r->size == 0)
				continue;
			if (r->addr <= pos && pos < end) {
				if (prio(r->type) > best) {
					best = prio(r->type);
					type = r->type;
				}
				cand = end;
			} else if (r->addr > pos) {
				cand = r->addr;
			} else {
				continue;
			}
			if (!have_next || cand < next) {
				next = cand;
				have_next = true;
			}
		}
		if (!have_next)
			break;
		if (best != 0) {
			rc = emit(out, &n, out_max, pos, next, type);
			if (rc < 0)
				return rc;
		}
		pos = next;
	}
	return (int)n;
}

bool e820_covers(const struct e820_entry *t, size_t n, uint64_t addr, uint64_t size, uint32_t type)
{
	uint64_t cur = addr, end;

	if (size > UINT64_MAX - addr)
		return false;
	end = addr + size;
	for (size_t i = 0; i < n && cur < end; i++) {
		if (t[i].type == type && t[i].addr <= cur && cur - t[i].addr < t[i].size)
			cur = t[i].addr + t[i].size;
	}
	return cur >= end;
}

int e820_store(uint8_t *bp, const struct e820_entry *t, size_t n)
{
	if (n > E820_MAX)
		return E820_ERR_FULL;
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = bp + E820_BP_TABLE + i * E820_ENTRY_SIZE;

		st(p, t[i].addr, 8);
		st(p + 8, t[i].size, 8);
		st(p + 16, t[i].type, 4);
	}
	bp[E820_BP_ENTRIES] = (uint8_t)n;
	return 0;
}
