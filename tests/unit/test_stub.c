/* Unit tests for the boot stub's pure parts: boot/e820 (IGVM memory map
 * parsing with bounds, building/sorting/merging/carving the e820 table,
 * storing it into boot_params) and boot/mptable (Intel MP table layout and
 * checksums).  A randomised test checks e820_build against a page-by-page
 * reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "boot/e820.h"
#include "boot/mptable.h"
#include "boot/stub_abi.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void memmap_put(uint8_t *area, uint32_t off, unsigned k, uint64_t first_page,
		       uint64_t pages, uint16_t type)
{
	uint8_t *e = area + off + k * E820_MEMMAP_ENTRY_SIZE;

	put_le(e, first_page, 8);
	put_le(e + 8, pages, 8);
	put_le(e + 16, type, 2);
	put_le(e + 18, 0, 2);
	put_le(e + 20, 0, 4);
}

static void expect(const struct e820_entry *e, uint64_t addr, uint64_t size, uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

/* Sorted, non-overlapping, no empty entry, no two adjacent equal types. */
static void check_normal(const struct e820_entry *t, int n)
{
	for (int i = 0; i < n; i++) {
		assert_true(t[i].size > 0);
		if (i > 0) {
			assert_true(t[i - 1].addr + t[i - 1].size <= t[i].addr);
			assert_false(t[i - 1].addr + t[i - 1].size == t[i].addr &&
				     t[i - 1].type == t[i].type);
		}
	}
}

/* ---- e820_add ------------------------------------------------------------ */

static void test_add(void **state)
{
	struct e820_entry l[2];
	size_t n = 0;

	(void)state;
	assert_int_equal(e820_add(l, &n, 2, 0x1000, 0, E820_RAM), 0);
	assert_int_equal(n, 0);                                      /* size 0 ignored */
	assert_int_equal(e820_add(l, &n, 2, 0x1000, 0x1000, 0), E820_ERR_INVAL);
	assert_int_equal(e820_add(l, &n, 2, UINT64_MAX - 0xFFF, 0x1000, E820_RAM), E820_ERR_INVAL);
	assert_int_equal(e820_add(l, &n, 2, UINT64_MAX - 0x1000, 0x1000, E820_RAM), 0);
	assert_int_equal(e820_add(l, &n, 2, 0, 0x1000, E820_RESERVED), 0);
	assert_int_equal(e820_add(l, &n, 2, 0x2000, 0x1000, E820_RAM), E820_ERR_FULL);
	assert_int_equal(n, 2);
	expect(&l[1], 0, 0x1000, E820_RESERVED);
}

/* ---- e820_parse_memmap ----------------------------------------------------- */

static void test_memmap_basic(void **state)
{
	uint8_t area[STUB_PAGE];
	struct e820_entry l[8];
	size_t n = 0;

	(void)state;
	memset(area, 0, sizeof(area));
	put_le(area, 4, 4);                                           /* VP count */
	memmap_put(area, STUB_PARAM_MEMMAP, 0, 0, 0xA0, STUB_MEMMAP_MEMORY);
	memmap_put(area, STUB_PARAM_MEMMAP, 1, 0x100, 0x7FF00, STUB_MEMMAP_MEMORY);
	memmap_put(area, STUB_PARAM_MEMMAP, 2, 0xFEC00, 1, STUB_MEMMAP_PLATFORM_RESERVED);
	memmap_put(area, STUB_PARAM_MEMMAP, 3, 0x100000, 2, STUB_MEMMAP_PERSISTENT);
	memmap_put(area, STUB_PARAM_MEMMAP, 4, 0x200000, 0, STUB_MEMMAP_MEMORY);   /* end */
	memmap_put(area, STUB_PARAM_MEMMAP, 5, 0x300000, 9, STUB_MEMMAP_MEMORY);   /* not read */
	assert_int_equal(e820_parse_memmap(area, sizeof(area), STUB_PARAM_MEMMAP,
					   STUB_PARAM_MEMMAP_MAX, l, &n, 8), 4);
	assert_int_equal(n, 4);
	expect(&l[0], 0, 0xA0000, E820_RAM);
	expect(&l[1], MiB, 0x7FF00000, E820_RAM);
	expect(&l[2], 0xFEC00000, 0x1000, E820_RESERVED);
	expect(&l[3], 4 * GiB, 0x2000, E820_RESERVED);

	/* max_entries limits the read. */
	n = 0;
	assert_int_equal(e820_parse_memmap(area, sizeof(area), STUB_PARAM_MEMMAP, 2, l, &n, 8), 2);
	/* Appends after what is there; the caller's capacity counts. */
	assert_int_equal(e820_parse_memmap(area, sizeof(area), STUB_PARAM_MEMMAP, 8, l, &n, 5),
			 E820_ERR_FULL);
	/* Empty map. */
	n = 0;
	memset(area + STUB_PARAM_MEMMAP, 0, sizeof(area) - STUB_PARAM_MEMMAP);
	assert_int_equal(e820_parse_memmap(area, sizeof(area), STUB_PARAM_MEMMAP,
					   STUB_PARAM_MEMMAP_MAX, l, &n, 8), 0);
}

static void test_memmap_bounds(void **state)
{
	static uint8_t area[STUB_PAGE];
	static struct e820_entry l[STUB_PARAM_MEMMAP_MAX + 4];
	size_t n = 0;
	unsigned k;

	(void)state;
	/* A full page of entries without a terminator: exactly MEMMAP_MAX read,
	 * even when the config asks for more. */
	assert_int_equal(STUB_PARAM_MEMMAP_MAX, 168);
	for (k = 0; k < STUB_PARAM_MEMMAP_MAX; k++)
		memmap_put(area, STUB_PARAM_MEMMAP, k, 2 * k, 1, STUB_MEMMAP_MEMORY);
	assert_int_equal(e820_parse_memmap(area, sizeof(area), STUB_PARAM_MEMMAP, 1000, l, &n,
					   STUB_PARAM_MEMMAP_MAX + 4), STUB_PARAM_MEMMAP_MAX);
	expect(&l[STUB_PARAM_MEMMAP_MAX - 1], 2ull * (STUB_PARAM_MEMMAP_MAX - 1) << 12, 0x1000,
	       E820_RAM);
	/* An area that ends inside an entry: that entry is not read. */
	n = 0;
	assert_int_equal(e820_parse_memmap(area, STUB_PARAM_MEMMAP + 2 * 24 + 23, STUB_PARAM_MEMMAP,
					   1000, l, &n, 8), 2);
	assert_int_equal(e820_parse_memmap(area, 10, 10, 1000, l, &n, 8), 0);
	assert_int_equal(e820_parse_memmap(area, 10, 11, 1000, l, &n, 8), E820_ERR_INVAL);
	n = 0;
	assert_int_equal(e820_parse_memmap(area, sizeof(area), 4090, 1000, l, &n, 8), 0);
	assert_int_equal(e820_parse_memmap(area, sizeof(area), UINT32_MAX, 1000, l, &n, 8),
			 E820_ERR_INVAL);

	/* GPAs beyond 52 bits, or wrapping page counts. */
	memset(area, 0, sizeof(area));
	memmap_put(area, 64, 0, E820_MAX_GPA_PAGES, 1, STUB_MEMMAP_MEMORY);
	n = 0;
	assert_int_equal(e820_parse_memmap(area, sizeof(area), 64, 10, l, &n, 8), E820_ERR_INVAL);
	memmap_put(area, 64, 0, E820_MAX_GPA_PAGES - 1, 2, STUB_MEMMAP_MEMORY);
	assert_int_equal(e820_parse_memmap(area, sizeof(area), 64, 10, l, &n, 8), E820_ERR_INVAL);
	memmap_put(area, 64, 0, 1, UINT64_MAX, STUB_MEMMAP_MEMORY);
	assert_int_equal(e820_parse_memmap(area, sizeof(area), 64, 10, l, &n, 8), E820_ERR_INVAL);
	memmap_put(area, 64, 0, E820_MAX_GPA_PAGES - 1, 1, STUB_MEMMAP_MEMORY);
	n = 0;
	assert_int_equal(e820_parse_memmap(area, sizeof(area), 64, 10, l, &n, 8), 1);
	expect(&l[0], (E820_MAX_GPA_PAGES - 1) << 12, 0x1000, E820_RAM);
}

/* ---- e820_build ------------------------------------------------------------ */

static void test_build_simple(void **state)
{
	struct e820_entry in[4] = { { 0, 0, 0 } }, out[E820_MAX];
	int n;

	(void)state;
	/* Nothing: the legacy hole alone. */
	n = e820_build(in, 0, out, E820_MAX);
	assert_int_equal(n, 1);
	expect(&out[0], E820_LEGACY_START, E820_LEGACY_END - E820_LEGACY_START, E820_RESERVED);

	/* One RAM range over the hole (as a loader may report it). */
	in[0] = (struct e820_entry){ 0, 512 * MiB, E820_RAM };
	n = e820_build(in, 1, out, E820_MAX);
	assert_int_equal(n, 3);
	expect(&out[0], 0, 0xA0000, E820_RAM);
	expect(&out[1], 0xA0000, 0x60000, E820_RESERVED);
	expect(&out[2], MiB, 511 * MiB, E820_RAM);
	check_normal(out, n);

	/* Holes stay holes. */
	in[0] = (struct e820_entry){ 0, 0x80000, E820_RAM };
	in[1] = (struct e820_entry){ 2 * MiB, MiB, E820_RAM };
	in[2] = (struct e820_entry){ 4 * GiB, GiB, E820_RAM };
	n = e820_build(in, 3, out, E820_MAX);
	assert_int_equal(n, 4);
	expect(&out[0], 0, 0x80000, E820_RAM);
	expect(&out[1], 0xA0000, 0x60000, E820_RESERVED);
	expect(&out[2], 2 * MiB, MiB, E820_RAM);
	expect(&out[3], 4 * GiB, GiB, E820_RAM);
}

static void test_build_overlap_unsorted(void **state)
{
	struct e820_entry in[6], out[E820_MAX];
	int n;

	(void)state;
	/* Unsorted, overlapping and adjacent RAM merges into one range. */
	in[0] = (struct e820_entry){ 3 * GiB, GiB, E820_RAM };
	in[1] = (struct e820_entry){ MiB, GiB, E820_RAM };
	in[2] = (struct e820_entry){ 512 * MiB, 2 * GiB, E820_RAM };
	in[3] = (struct e820_entry){ 2 * MiB, 0, E820_RESERVED };   /* empty: ignored */
	in[4] = (struct e820_entry){ 2 * GiB + 512 * MiB, 512 * MiB, E820_RAM };
	n = e820_build(in, 5, out, E820_MAX);
	assert_int_equal(n, 2);
	expect(&out[0], 0xA0000, 0x60000, E820_RESERVED);
	expect(&out[1], MiB, 4 * GiB - MiB, E820_RAM);

	/* Duplicates. */
	in[0] = (struct e820_entry){ MiB, MiB, E820_RAM };
	in[1] = (struct e820_entry){ MiB, MiB, E820_RAM };
	in[2] = (struct e820_entry){ MiB, MiB, E820_RESERVED };
	n = e820_build(in, 2, out, E820_MAX);
	assert_int_equal(n, 2);                /* hole, then RAM: adjacent, types differ */
	expect(&out[1], MiB, MiB, E820_RAM);
	n = e820_build(in, 3, out, E820_MAX);   /* reserved wins and merges with the hole */
	expect(&out[0], 0xA0000, 0x100000 - 0xA0000 + MiB, E820_RESERVED);
	assert_int_equal(n, 1);
}

static void test_build_carve(void **state)
{
	struct e820_entry in[8], out[E820_MAX];
	int n;

	(void)state;
	in[0] = (struct e820_entry){ 0, 2 * GiB, E820_RAM };
	/* At the very start of RAM, in the middle, at the very end, straddling
	 * the end, adjacent to the legacy hole (merges with it), outside RAM. */
	in[1] = (struct e820_entry){ 0, 0x1000, E820_RESERVED };
	in[2] = (struct e820_entry){ 0x10000, 0x3000, E820_RESERVED };
	in[3] = (struct e820_entry){ STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE, E820_RESERVED };
	in[4] = (struct e820_entry){ GiB, 0x1000, E820_RESERVED };
	in[5] = (struct e820_entry){ 2 * GiB - 0x1000, 0x2000, E820_RESERVED };
	in[6] = (struct e820_entry){ 3 * GiB, 0x1000, E820_RESERVED };
	n = e820_build(in, 7, out, E820_MAX);
	check_normal(out, n);
	assert_int_equal(n, 10);
	expect(&out[0], 0, 0x1000, E820_RESERVED);
	expect(&out[1], 0x1000, 0xF000, E820_RAM);
	expect(&out[2], 0x10000, 0x3000, E820_RESERVED);
	expect(&out[3], 0x13000, STUB_GPA_MPTABLE - 0x13000, E820_RAM);
	expect(&out[4], STUB_GPA_MPTABLE, E820_LEGACY_END - STUB_GPA_MPTABLE, E820_RESERVED);
	expect(&out[5], MiB, GiB - MiB, E820_RAM);
	expect(&out[6], GiB, 0x1000, E820_RESERVED);
	expect(&out[7], GiB + 0x1000, GiB - 0x2000, E820_RAM);
	expect(&out[8], 2 * GiB - 0x1000, 0x2000, E820_RESERVED);
	expect(&out[9], 3 * GiB, 0x1000, E820_RESERVED);          /* outside RAM: kept */
}

static void test_build_carve_outside(void **state)
{
	struct e820_entry in[3], out[E820_MAX];
	int n;

	(void)state;
	in[0] = (struct e820_entry){ MiB, MiB, E820_RAM };
	in[1] = (struct e820_entry){ 3 * GiB, 0x1000, E820_RESERVED };
	in[2] = (struct e820_entry){ 0, 3 * MiB, 7 };   /* another type beats RAM */
	n = e820_build(in, 2, out, E820_MAX);
	assert_int_equal(n, 3);
	expect(&out[2], 3 * GiB, 0x1000, E820_RESERVED);
	n = e820_build(in, 3, out, E820_MAX);
	assert_int_equal(n, 2);                      /* 7 wins over RAM and reserved (2) */
	expect(&out[0], 0, 3 * MiB, 7);
	expect(&out[1], 3 * GiB, 0x1000, E820_RESERVED);
}

static void test_build_full(void **state)
{
	static struct e820_entry in[300], out[E820_MAX];
	int n;

	(void)state;
	/* 127 separate RAM ranges + the legacy hole = 128: fits. */
	for (int i = 0; i < 127; i++)
		in[i] = (struct e820_entry){ 16 * MiB + (uint64_t)i * 2 * MiB, MiB, E820_RAM };
	n = e820_build(in, 127, out, E820_MAX);
	assert_int_equal(n, 128);
	check_normal(out, n);
	/* One more does not. */
	in[127] = (struct e820_entry){ 8 * GiB, MiB, E820_RAM };
	assert_int_equal(e820_build(in, 128, out, E820_MAX), E820_ERR_FULL);
	/* 300 ranges that merge into one do. */
	for (int i = 0; i < 300; i++)
		in[i] = (struct e820_entry){ 16 * MiB + (uint64_t)(299 - i) * MiB, MiB, E820_RAM };
	n = e820_build(in, 300, out, E820_MAX);
	assert_int_equal(n, 2);
	expect(&out[1], 16 * MiB, 300 * MiB, E820_RAM);
	/* Small output arrays. */
	assert_int_equal(e820_build(in, 300, out, 1), E820_ERR_FULL);
	assert_int_equal(e820_build(in, 0, out, 0), E820_ERR_FULL);
	/* A wrapping input is refused. */
	in[0] = (struct e820_entry){ UINT64_MAX - 10, 100, E820_RAM };
	assert_int_equal(e820_build(in, 1, out, E820_MAX), E820_ERR_INVAL);
	in[0] = (struct e820_entry){ 0, 100, 0 };
	assert_int_equal(e820_build(in, 1, out, E820_MAX), E820_ERR_INVAL);
}

static void test_build_top_of_space(void **state)
{
	struct e820_entry in[2], out[E820_MAX];
	int n;

	(void)state;
	in[0] = (struct e820_entry){ UINT64_MAX - 0x1FFF, 0x2000 - 1, E820_RAM };
	n = e820_build(in, 1, out, E820_MAX);
	assert_int_equal(n, 2);
	expect(&out[1], UINT64_MAX - 0x1FFF, 0x1FFF, E820_RAM);
}

/* Randomised: ranges on a 384-page space against a per-page reference. */
static uint64_t g_seed = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	g_seed ^= g_seed >> 12;
	g_seed ^= g_seed << 25;
	g_seed ^= g_seed >> 27;
	return g_seed * 0x2545F4914F6CDD1Dull;
}

static void test_build_random(void **state)
{
	enum { PAGES = 384, ROUNDS = 3000 };
	const uint64_t pg = 0x1000;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		struct e820_entry in[24], out[E820_MAX];
		uint32_t ref[PAGES];
		size_t n_in = rnd() % 24;
		int n;

		memset(ref, 0, sizeof(ref));
		for (uint64_t p = E820_LEGACY_START / pg; p < E820_LEGACY_END / pg && p < PAGES; p++)
			ref[p] = E820_RESERVED;
		for (size_t i = 0; i < n_in; i++) {
			uint64_t a = rnd() % PAGES, s = rnd() % 40;
			uint32_t t = (rnd() % 3) ? E820_RAM : E820_RESERVED;

			if (a + s > PAGES)
				s = PAGES - a;
			in[i] = (struct e820_entry){ a * pg, s * pg, t };
			for (uint64_t p = a; p < a + s; p++)
				if (ref[p] == 0 || (ref[p] == E820_RAM && t != E820_RAM))
					ref[p] = t;
		}
		n = e820_build(in, n_in, out, E820_MAX);
		assert_true(n >= 1);
		check_normal(out, n);
		/* Every page has the reference type. */
		for (uint64_t p = 0; p < PAGES; p++) {
			uint32_t got = 0;

			for (int i = 0; i < n; i++)
				if (p * pg >= out[i].addr && p * pg < out[i].addr + out[i].size)
					got = out[i].type;
			assert_int_equal(got, ref[p]);
		}
		/* Nothing beyond the inputs. */
		assert_true(out[n - 1].addr + out[n - 1].size <= (uint64_t)PAGES * pg);
	}
}

/* ---- e820_covers / e820_store ---------------------------------------------- */

static void test_covers(void **state)
{
	struct e820_entry in[3], t[E820_MAX];
	int n;

	(void)state;
	in[0] = (struct e820_entry){ 0, 0x9F000, E820_RAM };
	in[1] = (struct e820_entry){ MiB, GiB, E820_RAM };
	n = e820_build(in, 2, t, E820_MAX);
	assert_true(e820_covers(t, n, 0, 0x1000, E820_RAM));
	assert_true(e820_covers(t, n, 0x9E000, 0x1000, E820_RAM));
	assert_false(e820_covers(t, n, STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE, E820_RAM));
	assert_true(e820_covers(t, n, 0xA0000, 0x60000, E820_RESERVED));
	assert_false(e820_covers(t, n, 0x9F000, 0x2000, E820_RESERVED));
	assert_true(e820_covers(t, n, MiB, GiB, E820_RAM));
	assert_false(e820_covers(t, n, MiB, GiB + 1, E820_RAM));
	assert_true(e820_covers(t, n, 5 * GiB, 0, E820_RAM));
	assert_false(e820_covers(t, n, UINT64_MAX, 2, E820_RAM));
	/* Adjacent entries of the same type count as one (they are merged). */
	in[0] = (struct e820_entry){ 0, 0xA0000, E820_RAM };
	n = e820_build(in, 2, t, E820_MAX);
	assert_true(e820_covers(t, n, STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE, E820_RAM));
	assert_false(e820_covers(t, n, STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE + 1, E820_RAM));
}

static void test_store(void **state)
{
	uint8_t bp[STUB_PAGE];
	struct e820_entry in[2], t[E820_MAX + 1];
	int n;

	(void)state;
	memset(bp, 0xAA, sizeof(bp));
	in[0] = (struct e820_entry){ 0, 0xA0000, E820_RAM };
	in[1] = (struct e820_entry){ MiB, 0x123456789000ull, E820_RAM };
	n = e820_build(in, 2, t, E820_MAX);
	assert_int_equal(n, 3);
	assert_int_equal(e820_store(bp, t, n), 0);
	assert_int_equal(bp[0x1E8], 3);
	assert_int_equal(get_le(bp + 0x2D0, 8), 0);
	assert_int_equal(get_le(bp + 0x2D8, 8), 0xA0000);
	assert_int_equal(get_le(bp + 0x2E0, 4), 1);
	assert_int_equal(get_le(bp + 0x2E4, 8), 0xA0000);
	assert_int_equal(get_le(bp + 0x2EC, 8), 0x60000);
	assert_int_equal(get_le(bp + 0x2F4, 4), 2);
	assert_int_equal(get_le(bp + 0x2F8, 8), MiB);
	assert_int_equal(get_le(bp + 0x300, 8), 0x123456789000ull);
	assert_int_equal(get_le(bp + 0x308, 4), 1);
	assert_int_equal(bp[0x30C], 0xAA);                     /* nothing more written */
	assert_int_equal(bp[0x1E7], 0xAA);
	assert_int_equal(bp[0x1E9], 0xAA);
	/* 128 entries end exactly at 0xCD0, the end of e820_table. */
	for (unsigned i = 0; i < E820_MAX; i++)
		t[i] = (struct e820_entry){ (uint64_t)i * 2 * MiB, MiB, E820_RAM };
	memset(bp, 0xAA, sizeof(bp));
	assert_int_equal(e820_store(bp, t, E820_MAX), 0);
	assert_int_equal(bp[0x1E8], 128);
	assert_int_equal(get_le(bp + 0xCD0 - 20, 8), 127 * 2 * MiB);
	assert_int_equal(bp[0xCD0], 0xAA);
	assert_int_equal(e820_store(bp, t, E820_MAX + 1), E820_ERR_FULL);
}

/* ---- mptable ---------------------------------------------------------------- */

static unsigned sum8(const uint8_t *p, size_t n)
{
	unsigned s = 0;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s & 0xFF;
}

static void check_mptable(unsigned ncpu)
{
	static uint8_t r[STUB_MPTABLE_SIZE];
	const uint8_t *c = r, *fp = r + STUB_MPTABLE_FP_OFF, *e;
	size_t size = mptable_config_size(ncpu);

	memset(r, 0x5A, sizeof(r));
	assert_int_equal(mptable_write(r, sizeof(r), STUB_GPA_MPTABLE, STUB_MPTABLE_FP_OFF, ncpu), 0);
	/* Floating pointer (MP spec table 4-1). */
	assert_memory_equal(fp, "_MP_", 4);
	assert_int_equal(get_le(fp + 4, 4), STUB_GPA_MPTABLE);
	assert_int_equal(fp[8], 1);
	assert_int_equal(fp[9], 4);
	assert_int_equal(sum8(fp, 16), 0);
	for (int i = 11; i < 16; i++)
		assert_int_equal(fp[i], 0);
	/* Configuration table header (table 4-2). */
	assert_memory_equal(c, "PCMP", 4);
	assert_int_equal(get_le(c + 4, 2), size);
	assert_int_equal(size, 44 + 20 * ncpu + 16);
	assert_int_equal(c[6], 4);
	assert_int_equal(sum8(c, size), 0);
	assert_int_equal(get_le(c + 28, 4), 0);                 /* no OEM table */
	assert_int_equal(get_le(c + 34, 2), ncpu + 2);
	assert_int_equal(get_le(c + 36, 4), 0xFEE00000u);
	assert_int_equal(get_le(c + 40, 2), 0);                 /* no extended table */
	/* Processor entries (table 4-4). */
	e = c + 44;
	for (unsigned i = 0; i < ncpu; i++, e += 20) {
		assert_int_equal(e[0], 0);
		assert_int_equal(e[1], i);
		assert_int_equal(e[2], 0x14);
		assert_int_equal(e[3], i == 0 ? 3 : 1);
	}
	/* Bus (table 4-8) and I/O APIC (table 4-10). */
	assert_int_equal(e[0], 1);
	assert_int_equal(e[1], 0);
	assert_memory_equal(e + 2, "ISA   ", 6);
	e += 8;
	assert_int_equal(e[0], 2);
	assert_int_equal(e[1], ncpu);
	assert_int_equal(e[3], 1);
	assert_int_equal(get_le(e + 4, 4), 0xFEC00000u);
	/* The rest of the region is zero. */
	for (size_t i = size; i < sizeof(r); i++)
		if (i < STUB_MPTABLE_FP_OFF || i >= STUB_MPTABLE_FP_OFF + 16)
			assert_int_equal(r[i], 0);
}

static void test_mptable(void **state)
{
	(void)state;
	check_mptable(1);
	check_mptable(2);
	check_mptable(47);
	check_mptable(48);
	check_mptable(MPTABLE_MAX_CPUS);
}

static void test_mptable_errors(void **state)
{
	static uint8_t r[STUB_MPTABLE_SIZE];

	(void)state;
	assert_int_equal(mptable_write(r, sizeof(r), 0x9E000, STUB_MPTABLE_FP_OFF, 0), MPTABLE_ERR_INVAL);
	assert_int_equal(mptable_write(r, sizeof(r), 0x9E000, STUB_MPTABLE_FP_OFF, 255), MPTABLE_ERR_INVAL);
	/* The floating pointer must follow the table, be 16-aligned and fit. */
	assert_int_equal(mptable_write(r, sizeof(r), 0x9E000, 0x40, 1), MPTABLE_ERR_INVAL);
	assert_int_equal(mptable_write(r, sizeof(r), 0x9E000, 0x58, 1), MPTABLE_ERR_INVAL);
	assert_int_equal(mptable_write(r, sizeof(r), 0x9E000, 0x50, 1), 0);
	assert_int_equal(mptable_write(r, 0x60, 0x9E000, 0x50, 1), 0);
	assert_int_equal(mptable_write(r, 0x5F, 0x9E000, 0x50, 1), MPTABLE_ERR_INVAL);
	assert_int_equal(mptable_write(r, 0x40, 0x9E000, 0x50, 1), MPTABLE_ERR_INVAL);
	assert_int_equal(mptable_write(r, sizeof(r), 0x9E000, 0x1000, 210), MPTABLE_ERR_INVAL);
	assert_int_equal(mptable_write(r, sizeof(r), 0x9E000, 0x1000, 201), 0);   /* 60 + 20 * 201 = 4080 */
	assert_int_equal(mptable_checksum((const uint8_t *)"\x01\x02", 2), 0xFD);
}

/* The stub_abi.h placement: the floating pointer in the last KiB of base
 * memory (Linux scans [639 KiB, 640 KiB)), the area below the legacy hole and
 * above the fixed low layout, and 254 CPUs fit before the floating pointer. */
static void test_layout_constants(void **state)
{
	(void)state;
	assert_int_equal(STUB_GPA_MPTABLE + STUB_MPTABLE_FP_OFF, 0x9FC00);
	assert_true(STUB_GPA_MPTABLE + STUB_MPTABLE_SIZE <= E820_LEGACY_START);
	assert_true(STUB_GPA_MPTABLE >= STUB_GPA_LOW_END);
	assert_true(mptable_config_size(MPTABLE_MAX_CPUS) <= STUB_MPTABLE_FP_OFF);
	assert_int_equal(sizeof(struct stub_memmap_entry), E820_MEMMAP_ENTRY_SIZE);
	assert_true(STUB_PARAM_MEMMAP + STUB_PARAM_MEMMAP_MAX * 24 <= STUB_PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_memmap_basic),
		cmocka_unit_test(test_memmap_bounds),
		cmocka_unit_test(test_build_simple),
		cmocka_unit_test(test_build_overlap_unsorted),
		cmocka_unit_test(test_build_carve),
		cmocka_unit_test(test_build_carve_outside),
		cmocka_unit_test(test_build_full),
		cmocka_unit_test(test_build_top_of_space),
		cmocka_unit_test(test_build_random),
		cmocka_unit_test(test_covers),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_mptable),
		cmocka_unit_test(test_mptable_errors),
		cmocka_unit_test(test_layout_constants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
