/* test_igvm: igvm/igvm.c (reader), igvm/igvm_write.c (writer) and
 * igvm/igvm_measure.c (launch digests under the crate, kvm and mshv loader
 * models, TDX MRTD, ID block, --check-kvm rules).
 *
 * Synthetic files come from igvm_write() or from a raw TLV builder (for what
 * the writer never emits: data-less pages, broken headers).  The expected
 * digests of the model tests are computed independently here with snp_ld /
 * tdx_mrtd calls, page by page, in the order igvm.md §3.2 documents.  The
 * igvmgen fixture (../shared/fixtures/igvm/) is skipped when absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igvm/igvm.h"
#include "igvm/igvm_measure.h"
#include "igvm/snp_ld.h"
#include "igvm/tdx_mrtd.h"
#include "igvm/vmsa.h"

#define FIX "../shared/fixtures/igvm/"
#define PG 4096u

/* ---- helpers ---------------------------------------------------------------- */

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void fix_crc(uint8_t *f)
{
	uint32_t vh_off = get32(f + 8), vh_size = get32(f + 12), crc;
	uint8_t h[24];

	memcpy(h, f, 24);
	memset(h + 20, 0, 4);
	crc = igvm_crc32(0, h, 24);
	crc = igvm_crc32(crc, f + vh_off, vh_size);
	put32(f + 20, crc);
}

static uint8_t page_a[PG], page_b[PG], vmsa0[PG], vmsa2[PG];

static void init_pages(void)
{
	unsigned i;

	for (i = 0; i < PG; i++) {
		page_a[i] = (uint8_t)(i * 7 + 1);
		page_b[i] = (uint8_t)(i ^ 0x5a);
	}
	memset(vmsa0, 0, PG);
	vmsa_put64(vmsa0, VMSA_EFER, 0x1000);
	vmsa_put64(vmsa0, VMSA_CR0, 0x31);
	vmsa_put64(vmsa0, VMSA_RIP, 0xfff0);
	vmsa_put64(vmsa0, VMSA_SEV_FEATURES, 1);
	memcpy(vmsa2, vmsa0, PG);
	vmsa_put64(vmsa2, VMSA_RIP, 0x2222);
}

/* A raw builder: TLVs by hand, file data pages patched in at the end. */
struct rb {
	uint8_t vh[16384];
	uint32_t n;
	uint32_t patch_off[64];
	int patch_page[64];
	unsigned np;
};

static void rb_tlv(struct rb *b, uint32_t type, const uint8_t *p, uint32_t len)
{
	uint32_t padded = (len + 7) & ~7u;

	assert_true(b->n + 8 + padded <= sizeof(b->vh));
	put32(b->vh + b->n, type);
	put32(b->vh + b->n + 4, len);
	memcpy(b->vh + b->n + 8, p, len);
	memset(b->vh + b->n + 8 + len, 0, padded - len);
	b->n += 8 + padded;
}

static void rb_patch(struct rb *b, uint32_t fo_at, int page)
{
	if (page < 0)
		return;
	b->patch_off[b->np] = fo_at;
	b->patch_page[b->np++] = page;
}

static void rb_platform(struct rb *b, uint32_t mask, uint8_t ptype)
{
	uint8_t p[16] = { 0 };

	put32(p, mask);
	p[5] = ptype;
	put16(p + 6, 1);
	rb_tlv(b, IGVM_VHT_SUPPORTED_PLATFORM, p, 16);
}

static void rb_policy(struct rb *b, uint64_t policy, uint32_t mask)
{
	uint8_t p[16] = { 0 };

	put64(p, policy);
	put32(p + 8, mask);
	rb_tlv(b, IGVM_VHT_GUEST_POLICY, p, 16);
}

static void rb_page(struct rb *b, uint64_t gpa, uint32_t mask, int page, uint32_t flags,
		    uint16_t dt)
{
	uint8_t p[24] = { 0 };

	put64(p, gpa);
	put32(p + 8, mask);
	put32(p + 16, flags);
	put16(p + 20, dt);
	rb_patch(b, b->n + 8 + 12, page);
	rb_tlv(b, IGVM_VHT_PAGE_DATA, p, 24);
}

static void rb_area(struct rb *b, uint64_t nbytes, uint32_t idx)
{
	uint8_t p[16] = { 0 };

	put64(p, nbytes);
	put32(p + 8, idx);
	rb_tlv(b, IGVM_VHT_PARAMETER_AREA, p, 16);
}

static void rb_insert(struct rb *b, uint64_t gpa, uint32_t mask, uint32_t idx)
{
	uint8_t p[16] = { 0 };

	put64(p, gpa);
	put32(p + 8, mask);
	put32(p + 12, idx);
	rb_tlv(b, IGVM_VHT_PARAMETER_INSERT, p, 16);
}

static void rb_param(struct rb *b, uint32_t type, uint32_t idx, uint32_t off)
{
	uint8_t p[8];

	put32(p, idx);
	put32(p + 4, off);
	rb_tlv(b, type, p, 8);
}

static void rb_vp(struct rb *b, uint64_t gpa, uint32_t mask, int page, uint16_t vp)
{
	uint8_t p[20] = { 0 };

	put64(p, gpa);
	put32(p + 8, mask);
	put16(p + 16, vp);
	rb_patch(b, b->n + 8 + 12, page);
	rb_tlv(b, IGVM_VHT_VP_CONTEXT, p, 20);
}

/* The file: fixed header, the TLVs, then pages[] (at least one page of
 * file data).  Caller frees. */
static uint8_t *rb_file(struct rb *b, const uint8_t *const *pages, unsigned n, size_t *len)
{
	unsigned np = n ? n : 1, i;
	uint8_t *f;

	*len = 24 + b->n + (size_t)np * PG;
	f = calloc(1, *len);
	assert_non_null(f);
	put32(f, IGVM_MAGIC);
	put32(f + 4, 1);
	put32(f + 8, 24);
	put32(f + 12, b->n);
	put32(f + 16, (uint32_t)*len);
	memcpy(f + 24, b->vh, b->n);
	for (i = 0; i < n; i++)
		memcpy(f + 24 + b->n + (size_t)i * PG, pages[i], PG);
	for (i = 0; i < b->np; i++)
		put32(f + 24 + b->patch_off[i], 24 + b->n + (uint32_t)b->patch_page[i] * PG);
	fix_crc(f);
	return f;
}

static int open_rc(const uint8_t *f, size_t len, struct err *e)
{
	struct igvm_file file;

	memset(e, 0, sizeof(*e));
	return igvm_open(&file, f, len, e);
}

/* open must fail with code rc and a message containing `what`. */
static void expect_bad(const uint8_t *f, size_t len, int rc, const char *what)
{
	struct err e;
	int got = open_rc(f, len, &e);

	if (got != rc || !strstr(e.msg, what))
		print_message("got %d (%s), expected %d with \"%s\"\n", got, e.msg, rc, what);
	assert_int_equal(got, rc);
	assert_int_equal(e.code, rc);
	assert_non_null(strstr(e.msg, what));
}

static uint8_t *write_image(const struct igvm_image *im, size_t *len)
{
	struct err e = { 0 };
	size_t n = 0, n2 = 0;
	uint8_t *out;

	assert_int_equal(igvm_write(im, NULL, 0, &n, &e), 0);
	out = malloc(n);
	assert_non_null(out);
	if (igvm_write(im, out, n, &n2, &e) != 0)
		print_message("igvm_write: %s\n", e.msg);
	assert_int_equal(n2, n);
	*len = n;
	return out;
}

static void expect_write_fails(const struct igvm_image *im, const char *what)
{
	struct err e = { 0 };
	size_t n = 0;
	int rc = igvm_write(im, NULL, 0, &n, &e);

	if (rc != -EINVAL || !strstr(e.msg, what))
		print_message("igvm_write: %d %s (expected \"%s\")\n", rc, e.msg, what);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(e.code, -EINVAL);
	assert_non_null(strstr(e.msg, what));
}

/* ---- CRC ------------------------------------------------------------------- */

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(igvm_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(igvm_crc32(igvm_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
	assert_int_equal(igvm_crc32(0, "", 0), 0);
}

/* ---- writer and round trip ------------------------------------------------ */

static uint8_t id_block[IGVM_ID_BLOCK_LEN];

static const struct igvm_dir rt_dirs[] = {
	{ .type = IGVM_VHT_GUEST_POLICY, .policy = 0x30000 },
	{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x1000, .data = page_a },
	{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x2000 },               /* explicit zero page */
	{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x3000 },               /* the same zero page */
	{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x4000, .data = page_a }, /* stored once */
	{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x5000, .data_type = IGVM_PAGE_SECRETS },
	{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x6000, .data = page_b,
	  .data_type = IGVM_PAGE_CPUID_DATA },
	{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x7000, .flags = IGVM_PAGEF_UNMEASURED },
	{ .type = IGVM_VHT_PARAMETER_AREA, .index = 3, .nbytes = 2 * PG },
	{ .type = IGVM_VHT_VP_COUNT_PARAMETER, .index = 3, .byte_offset = 0 },
	{ .type = IGVM_VHT_MEMORY_MAP, .index = 3, .byte_offset = 24 },
	{ .type = IGVM_VHT_PARAMETER_INSERT, .gpa = 0x8000, .index = 3 },
	{ .type = IGVM_VHT_REQUIRED_MEMORY, .gpa = 0, .nbytes = 0x10000000, .flags = 0 },
	{ .type = IGVM_VHT_VP_CONTEXT, .gpa = IGVM_KVM_VMSA_GPA, .data = vmsa0 },
	{ .type = IGVM_VHT_SNP_ID_BLOCK, .data = id_block },
};

static const struct igvm_image rt_image = {
	.platform_type = IGVM_PLATFORM_SEV_SNP, .mask = 1,
	.dirs = rt_dirs, .n_dirs = sizeof(rt_dirs) / sizeof(rt_dirs[0]),
};

static void test_roundtrip(void **state)
{
	struct igvm_file f;
	struct igvm_rec r;
	struct err e = { 0 };
	uint32_t pos = 0, vh;
	uint64_t scratch[32];
	size_t len, i, small = 0;
	uint8_t *buf;

	(void)state;
	init_pages();
	memset(id_block, 0xab, sizeof(id_block));
	buf = write_image(&rt_image, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(f.version, 1);
	assert_int_equal(f.vh_off, 24);
	assert_int_equal(f.platforms, 1);
	assert_int_equal(f.warnings, 0);
	assert_int_equal(f.n_headers, rt_image.n_dirs + 1);
	/* platform, policy, 7 pages, area, 2 parameters, insert, required memory,
	 * VP context (20 -> 24), ID block */
	vh = 24 + 24 + 7 * 32 + 24 + 2 * 16 + 24 + 32 + 32 + 8 + IGVM_ID_BLOCK_LEN;
	assert_int_equal(f.vh_size, vh);
	/* a, zero page, page_b, vmsa: four distinct blobs */
	assert_int_equal(len, 24 + f.vh_size + 4 * PG);
	assert_int_equal(igvm_check_overlap(&f, scratch, 32, &e), 0);
	assert_int_equal(igvm_page_count(&f), 10);

	assert_int_equal(igvm_next(&f, &pos, &r), 1);
	assert_int_equal(r.type, IGVM_VHT_SUPPORTED_PLATFORM);
	assert_int_equal(r.platform_type, IGVM_PLATFORM_SEV_SNP);
	assert_int_equal(r.mask, 1);
	assert_int_equal(r.platform_version, 1);
	for (i = 0; i < rt_image.n_dirs; i++) {
		const struct igvm_dir *d = &rt_dirs[i];

		assert_int_equal(igvm_next(&f, &pos, &r), 1);
		assert_int_equal(r.type, d->type);
		assert_int_equal(r.hdr_off % 8, 0);
		switch (d->type) {
		case IGVM_VHT_GUEST_POLICY:
			assert_int_equal(r.policy, d->policy);
			assert_int_equal(r.mask, 1);
			break;
		case IGVM_VHT_PAGE_DATA:
			assert_int_equal(r.gpa, d->gpa);
			assert_int_equal(r.mask, 1);
			assert_int_equal(r.flags, d->flags);
			assert_int_equal(r.data_type, d->data_type);
			assert_true(r.file_offset >= 24 + f.vh_size);   /* never 0 */
			assert_non_null(r.data);
			if (d->data)
				assert_memory_equal(r.data, d->data, PG);
			else
				for (small = 0; small < PG; small++)
					assert_int_equal(r.data[small], 0);
			break;
		case IGVM_VHT_PARAMETER_AREA:
			assert_int_equal(r.nbytes, d->nbytes);
			assert_int_equal(r.index, 3);
			assert_int_equal(r.file_offset, 0);
			assert_null(r.data);
			break;
		case IGVM_VHT_VP_COUNT_PARAMETER:
		case IGVM_VHT_MEMORY_MAP:
			assert_int_equal(r.index, 3);
			assert_int_equal(r.byte_offset, d->byte_offset);
			break;
		case IGVM_VHT_PARAMETER_INSERT:
			assert_int_equal(r.gpa, 0x8000);
			assert_int_equal(r.index, 3);
			break;
		case IGVM_VHT_REQUIRED_MEMORY:
			assert_int_equal(r.nbytes, d->nbytes);
			break;
		case IGVM_VHT_VP_CONTEXT:
			assert_int_equal(r.gpa, IGVM_KVM_VMSA_GPA);
			assert_int_equal(r.vp_index, 0);
			assert_memory_equal(r.data, vmsa0, PG);
			/* 20-byte payload padded with zeros */
			assert_int_equal(get32(buf + r.hdr_off + 4), 20);
			assert_int_equal(get32(buf + r.hdr_off + 8 + 20), 0);
			break;
		case IGVM_VHT_SNP_ID_BLOCK:
			assert_int_equal(r.mask, 1);           /* the writer sets the mask */
			assert_int_equal(r.data_len, IGVM_ID_BLOCK_LEN);
			assert_memory_equal(r.data + 4, id_block + 4, IGVM_ID_BLOCK_LEN - 4);
			break;
		}
	}
	assert_int_equal(igvm_next(&f, &pos, &r), 0);

	/* zero pages share one offset, as do the two page_a pages */
	{
		uint32_t fo[8] = { 0 }, k = 0;

		pos = 0;
		while (igvm_next(&f, &pos, &r))
			if (r.type == IGVM_VHT_PAGE_DATA)
				fo[k++] = r.file_offset;
		assert_int_equal(fo[0], fo[3]);   /* page_a */
		assert_int_equal(fo[1], fo[2]);   /* NULL data */
		assert_int_equal(fo[1], fo[4]);   /* secrets without data */
		assert_int_not_equal(fo[0], fo[1]);
	}
	/* too small a buffer */
	{
		size_t n = 0;

		assert_int_equal(igvm_write(&rt_image, buf, len - 1, &n, &e), -ERR_LIMIT);
		assert_int_equal(n, len);
	}
	free(buf);
}

/* Blobs are stored once per (pointer, length), whatever the order. */
static void test_write_dedup(void **state)
{
	enum { N = 600 };
	struct igvm_dir *d = calloc(2 * N + 8, sizeof(*d));
	uint8_t *hi = malloc(N * PG), *lo = malloc(N * PG), *buf;
	struct igvm_image im = { .platform_type = IGVM_PLATFORM_SEV_SNP, .mask = 1, .dirs = d };
	struct igvm_file f;
	struct igvm_rec r;
	struct err e = { 0 };
	uint32_t pos = 0, fo[2 * N + 8];
	size_t i, n = 0, len;

	(void)state;
	assert_non_null(d);
	assert_non_null(hi);
	assert_non_null(lo);
	for (i = 0; i < N * PG; i++) {
		hi[i] = (uint8_t)(i / PG + 1);
		lo[i] = (uint8_t)(i / PG + 3);
	}
	/* pages of two buffers, zero pages between, then earlier pages again */
	for (i = 0; i < N; i++) {
		d[n++] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA,
					    .gpa = 0x100000 + i * PG, .data = hi + i * PG };
		if (i % 100 == 0)
			d[n++] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA,
						    .gpa = 0x10000000 + i * PG };
	}
	for (i = 0; i < N; i++)
		d[n++] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA,
					    .gpa = 0x1000000 + i * PG, .data = lo + i * PG };
	d[n++] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x2000000, .data = hi + 5 * PG };
	d[n++] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x2001000, .data = lo };
	im.n_dirs = n;
	buf = write_image(&im, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	/* 2N distinct pages + one zero page */
	assert_int_equal(len, 24 + f.vh_size + (2 * N + 1) * (size_t)PG);
	i = 0;
	while (igvm_next(&f, &pos, &r))
		if (r.type == IGVM_VHT_PAGE_DATA)
			fo[i++] = r.file_offset;
	assert_int_equal(i, n);
	assert_int_equal(fo[n - 2], fo[5 + 1]);    /* hi page 5 (one zero page before it) */
	assert_int_equal(fo[n - 1], fo[N + N / 100]);   /* lo page 0 */
	assert_int_equal(fo[1], fo[102]);          /* the zero page */
	free(buf);
	free(d);
	free(hi);
	free(lo);
}

static void test_write_rejects(void **state)
{
	struct igvm_dir d[3];
	struct igvm_image im = { .platform_type = IGVM_PLATFORM_SEV_SNP, .mask = 1, .dirs = d };

	(void)state;
	init_pages();
	memset(d, 0, sizeof(d));
	/* section order: an initialization header after a directive */
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x1000, .data = page_a };
	d[1] = (struct igvm_dir){ .type = IGVM_VHT_GUEST_POLICY, .policy = 0x30000 };
	im.n_dirs = 2;
	expect_write_fails(&im, "initialization header after the directive section");
	/* unaligned GPA */
	d[0].gpa = 0x1001;
	im.n_dirs = 1;
	expect_write_fails(&im, "not page aligned");
	/* unknown / unwritable type */
	d[0] = (struct igvm_dir){ .type = 0x306, .gpa = 0x1000 };
	expect_write_fails(&im, "not written by igvm_write");
	/* a mask naming an undeclared platform */
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x1000, .mask = 3 };
	expect_write_fails(&im, "undeclared platforms");
	/* a parameter into an undeclared area */
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x1000 };
	d[1] = (struct igvm_dir){ .type = IGVM_VHT_VP_COUNT_PARAMETER, .index = 7 };
	im.n_dirs = 2;
	expect_write_fails(&im, "not declared");
	/* double insert */
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_PARAMETER_AREA, .index = 1, .nbytes = PG };
	d[1] = (struct igvm_dir){ .type = IGVM_VHT_PARAMETER_INSERT, .index = 1, .gpa = 0x1000 };
	d[2] = (struct igvm_dir){ .type = IGVM_VHT_PARAMETER_INSERT, .index = 1, .gpa = 0x2000 };
	im.n_dirs = 3;
	expect_write_fails(&im, "already inserted");
	/* no file data at all */
	im.n_dirs = 2;
	expect_write_fails(&im, "no file data");
	/* VP_CONTEXT without a VMSA */
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_VP_CONTEXT, .gpa = 0x1000 };
	im.n_dirs = 1;
	expect_write_fails(&im, "VP_CONTEXT without data");
	/* 2 MiB pages, reserved flags, bad data type */
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA, .gpa = 0, .flags = IGVM_PAGEF_2MB };
	expect_write_fails(&im, "2 MiB");
	d[0].flags = 0x10;
	expect_write_fails(&im, "reserved flags");
	d[0].flags = 0;
	d[0].data_type = 4;
	expect_write_fails(&im, "data type");
	/* TDX has no VP context */
	im.platform_type = IGVM_PLATFORM_TDX;
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_VP_CONTEXT, .gpa = 0x1000, .data = vmsa0 };
	expect_write_fails(&im, "TDX has no VP context");
	/* a bad platform mask */
	im.platform_type = IGVM_PLATFORM_SEV_SNP;
	im.mask = 3;
	d[0] = (struct igvm_dir){ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x1000 };
	expect_write_fails(&im, "exactly one bit");
}

/* ---- hostile files ------------------------------------------------------------ */

/* A small valid file: SNP platform, policy, one area with VP count, insert,
 * two pages, a VP context. */
static uint8_t *base_file(size_t *len, struct rb *b)
{
	static const uint8_t *pages[] = { page_a, vmsa0 };

	memset(b, 0, sizeof(*b));
	rb_platform(b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_policy(b, 0x30000, 1);
	rb_area(b, PG, 0);
	rb_param(b, IGVM_VHT_VP_COUNT_PARAMETER, 0, 0);
	rb_insert(b, 0x3000, 1, 0);
	rb_page(b, 0x1000, 1, 0, 0, 0);
	rb_page(b, 0x2000, 1, -1, 0, 0);
	rb_vp(b, 0x4000, 1, 1, 0);
	return rb_file(b, pages, 2, len);
}

static void test_hostile_header(void **state)
{
	struct rb b;
	struct err e;
	size_t len;
	uint8_t *f, *g;

	(void)state;
	init_pages();
	f = base_file(&len, &b);
	assert_int_equal(open_rc(f, len, &e), 0);

	expect_bad(f, 10, -ERR_FORMAT, "shorter than the fixed header");
	f[0] ^= 1;
	expect_bad(f, len, -ERR_FORMAT, "bad magic");
	f[0] ^= 1;
	put32(f + 4, 3);
	expect_bad(f, len, -ERR_UNSUPPORTED, "format version 3");
	put32(f + 4, 1);
	/* checksum */
	f[20] ^= 0x40;
	expect_bad(f, len, -ERR_FORMAT, "checksum");
	f[20] ^= 0x40;
	/* checksum covers the variable headers, not the file data */
	f[24 + 40] ^= 1;
	expect_bad(f, len, -ERR_FORMAT, "checksum");
	f[24 + 40] ^= 1;
	f[len - 1] ^= 1;
	assert_int_equal(open_rc(f, len, &e), 0);
	f[len - 1] ^= 1;
	/* size mismatch, both ways */
	expect_bad(f, len - 1, -ERR_FORMAT, "total_file_size");
	put32(f + 16, (uint32_t)len + 8);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "total_file_size");
	/* no file data */
	g = malloc(24 + b.n);
	memcpy(g, f, 24 + b.n);
	put32(g + 16, 24 + b.n);
	fix_crc(g);
	expect_bad(g, 24 + b.n, -ERR_FORMAT, "no file data");
	free(g);
	put32(f + 16, (uint32_t)len);
	/* misaligned variable headers */
	put32(f + 8, 28);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "multiple of 8");
	put32(f + 8, 24);
	put32(f + 12, b.n - 4);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "not a multiple of 8");
	put32(f + 12, (uint32_t)len);   /* checked before the checksum */
	expect_bad(f, len, -ERR_FORMAT, "run past the file end");
	/* the last TLV cut short (size still a multiple of 8) */
	put32(f + 12, b.n - 8);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "runs past the variable headers");
	put32(f + 12, b.n);
	fix_crc(f);
	assert_int_equal(open_rc(f, len, &e), 0);
	free(f);
}

/* Mutate one TLV of the base file: the n-th header's type/length word. */
static void test_hostile_tlv(void **state)
{
	struct rb b;
	struct err e;
	size_t len;
	uint8_t *f;
	uint32_t page_tlv;

	(void)state;
	init_pages();
	f = base_file(&len, &b);
	/* header 5 is the first PAGE_DATA: 24 + 24 + 24 + 24 + 16 + 24 */
	page_tlv = 24 + 24 + 24 + 24 + 16 + 24;
	assert_int_equal(get32(f + page_tlv), IGVM_VHT_PAGE_DATA);
	/* unknown type (0x306 is reserved) */
	put32(f + page_tlv, 0x306);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "unknown type 0x306");
	/* bit 31 */
	put32(f + page_tlv, IGVM_VHT_PAGE_DATA | 0x80000000u);
	fix_crc(f);
	expect_bad(f, len, -ERR_UNSUPPORTED, "bit 31");
	/* wrong payload length */
	put32(f + page_tlv, IGVM_VHT_PAGE_DATA);
	put32(f + page_tlv + 4, 16);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "payload of 16 bytes, expected 24");
	put32(f + page_tlv + 4, 24);
	/* unaligned GPA */
	put64(f + page_tlv + 8, 0x1800);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "not page aligned");
	put64(f + page_tlv + 8, 0x1000);
	/* file offset beyond the file, and into the headers */
	put32(f + page_tlv + 8 + 12, (uint32_t)len - 100);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "outside the file data");
	put32(f + page_tlv + 8 + 12, 24);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "outside the file data");
	put32(f + page_tlv + 8 + 12, 24 + b.n);
	/* reserved field, bad mask */
	put16(f + page_tlv + 8 + 22, 1);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "reserved");
	put16(f + page_tlv + 8 + 22, 0);
	put32(f + page_tlv + 8 + 8, 2);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "undeclared platforms");
	put32(f + page_tlv + 8 + 8, 0);
	fix_crc(f);
	expect_bad(f, len, -ERR_FORMAT, "compatibility mask 0");
	put32(f + page_tlv + 8 + 8, 1);
	fix_crc(f);
	assert_int_equal(open_rc(f, len, &e), 0);
	/* the error names the header */
	put32(f + page_tlv, 0x306);
	fix_crc(f);
	assert_true(open_rc(f, len, &e) < 0);
	assert_non_null(strstr(e.msg, "header 5 at 0x"));
	free(f);
}

static void test_hostile_rules(void **state)
{
	static const uint8_t *pages[] = { page_a, vmsa0 };
	struct rb b;
	size_t len;
	uint8_t *f;

	(void)state;
	init_pages();
#define RB_BEGIN() memset(&b, 0, sizeof(b))
#define RB_EXPECT(rc, what)                                 \
	do {                                                 \
		f = rb_file(&b, pages, 2, &len);             \
		expect_bad(f, len, (rc), (what));            \
		free(f);                                     \
	} while (0)
	/* section order */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_page(&b, 0x1000, 1, 0, 0, 0);
	rb_policy(&b, 0x30000, 1);
	RB_EXPECT(-ERR_FORMAT, "initialization header after the directive section");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_policy(&b, 0x30000, 1);
	rb_platform(&b, 2, IGVM_PLATFORM_TDX);
	RB_EXPECT(-ERR_FORMAT, "platform header after the initialization section");
	/* no platform */
	RB_BEGIN();
	rb_page(&b, 0x1000, 1, 0, 0, 0);
	RB_EXPECT(-ERR_FORMAT, "no SUPPORTED_PLATFORM");
	/* two platforms, same mask; same type; a two-bit mask */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_platform(&b, 1, IGVM_PLATFORM_TDX);
	RB_EXPECT(-ERR_FORMAT, "a second platform with mask 0x1");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_platform(&b, 2, IGVM_PLATFORM_SEV_SNP);
	RB_EXPECT(-ERR_FORMAT, "a second SEV_SNP platform");
	RB_BEGIN();
	rb_platform(&b, 3, IGVM_PLATFORM_SEV_SNP);
	RB_EXPECT(-ERR_FORMAT, "exactly one bit");
	/* mask naming an undeclared platform */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_policy(&b, 0x30000, 3);
	RB_EXPECT(-ERR_FORMAT, "undeclared platforms");
	/* parameter to an undeclared area, to an inserted area */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_param(&b, IGVM_VHT_MEMORY_MAP, 4, 0);
	RB_EXPECT(-ERR_FORMAT, "parameter area 4 is not declared");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, PG, 4);
	rb_insert(&b, 0x1000, 1, 4);
	rb_param(&b, IGVM_VHT_MEMORY_MAP, 4, 0);
	RB_EXPECT(-ERR_FORMAT, "already inserted");
	/* double insert, insert of an undeclared area */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, PG, 4);
	rb_insert(&b, 0x1000, 1, 4);
	rb_insert(&b, 0x2000, 1, 4);
	RB_EXPECT(-ERR_FORMAT, "already inserted");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_insert(&b, 0x2000, 1, 9);
	RB_EXPECT(-ERR_FORMAT, "not declared");
	/* area declared twice, bad area sizes, parameter beyond the area */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, PG, 4);
	rb_area(&b, PG, 4);
	RB_EXPECT(-ERR_FORMAT, "declared twice");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, 100, 4);
	RB_EXPECT(-ERR_FORMAT, "multiple of 4 KiB");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, 1ull << 40, 4);
	RB_EXPECT(-ERR_LIMIT, "limit");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, PG, 4);
	rb_param(&b, IGVM_VHT_VP_COUNT_PARAMETER, 4, PG);
	RB_EXPECT(-ERR_FORMAT, "beyond parameter area");
	/* an insert that wraps the address space */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, 2 * PG, 4);
	rb_insert(&b, 0xFFFFFFFFFFFFF000ull, 1, 4);
	RB_EXPECT(-ERR_FORMAT, "wraps");
	/* VP contexts: none for TDX, a native context's tail must be zero, data required */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_TDX);
	rb_vp(&b, 0, 1, 1, 0);
	RB_EXPECT(-ERR_FORMAT, "TDX has no VP context");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_NATIVE);
	rb_vp(&b, 0, 1, 0, 0);
	RB_EXPECT(-ERR_FORMAT, "native context");
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_vp(&b, 0x1000, 1, -1, 0);
	RB_EXPECT(-ERR_FORMAT, "VP_CONTEXT without file data");
	/* two ID blocks for one platform */
	{
		uint8_t id[IGVM_ID_BLOCK_LEN] = { 1 };

		RB_BEGIN();
		rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
		rb_tlv(&b, IGVM_VHT_SNP_ID_BLOCK, id, sizeof(id));
		rb_tlv(&b, IGVM_VHT_SNP_ID_BLOCK, id, sizeof(id));
		RB_EXPECT(-ERR_FORMAT, "a second SNP_ID_BLOCK");
	}
	/* platform fields */
	{
		uint8_t p[16] = { 1, 0, 0, 0, 1, IGVM_PLATFORM_SEV_SNP, 1, 0 };

		RB_BEGIN();
		rb_tlv(&b, IGVM_VHT_SUPPORTED_PLATFORM, p, 16);
		RB_EXPECT(-ERR_FORMAT, "highest_vtl");
		p[4] = 0;
		p[6] = 2;
		RB_BEGIN();
		rb_tlv(&b, IGVM_VHT_SUPPORTED_PLATFORM, p, 16);
		RB_EXPECT(-ERR_FORMAT, "platform version 2");
		p[6] = 1;
		p[5] = IGVM_PLATFORM_NATIVE;
		p[8] = 1;
		RB_BEGIN();
		rb_tlv(&b, IGVM_VHT_SUPPORTED_PLATFORM, p, 16);
		RB_EXPECT(-ERR_FORMAT, "shared_gpa_boundary");
	}
	/* 2 MiB page */
	RB_BEGIN();
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_page(&b, 0x200000, 1, 0, IGVM_PAGEF_2MB, 0);
	RB_EXPECT(-ERR_UNSUPPORTED, "2 MiB");
#undef RB_EXPECT
#undef RB_BEGIN
}

static void test_vp_padding_warning(void **state)
{
	struct igvm_file file;
	struct err e = { 0 };
	struct rb b;
	size_t len;
	uint8_t *f;
	uint32_t vp_tlv;

	(void)state;
	init_pages();
	f = base_file(&len, &b);
	vp_tlv = 24 + b.n - 32;
	assert_int_equal(get32(f + vp_tlv), IGVM_VHT_VP_CONTEXT);
	memset(f + vp_tlv + 8 + 20, '0', 4);   /* igvmgen's padding */
	fix_crc(f);
	assert_int_equal(igvm_open(&file, f, len, &e), 0);
	assert_int_equal(file.warnings, IGVM_WARN_VP_PADDING);
	free(f);
}

static void test_overlap(void **state)
{
	static const uint8_t *pages[] = { page_a };
	struct igvm_file file;
	struct err e = { 0 };
	uint64_t scratch[8];
	struct rb b;
	size_t len;
	uint8_t *f;

	(void)state;
	init_pages();
	/* two pages at one GPA */
	memset(&b, 0, sizeof(b));
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_page(&b, 0x1000, 1, 0, 0, 0);
	rb_page(&b, 0x2000, 1, 0, 0, 0);
	rb_page(&b, 0x1000, 1, -1, 0, 0);
	f = rb_file(&b, pages, 1, &len);
	assert_int_equal(igvm_open(&file, f, len, &e), 0);
	assert_int_equal(igvm_page_count(&file), 3);
	assert_int_equal(igvm_check_overlap(&file, scratch, 2, &e), -ERR_LIMIT);
	memset(&e, 0, sizeof(e));
	assert_int_equal(igvm_check_overlap(&file, scratch, 8, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "page 0x1000 placed twice"));
	free(f);
	/* a parameter insert over a page */
	memset(&b, 0, sizeof(b));
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_area(&b, 2 * PG, 0);
	rb_page(&b, 0x3000, 1, 0, 0, 0);
	rb_insert(&b, 0x2000, 1, 0);
	f = rb_file(&b, pages, 1, &len);
	assert_int_equal(igvm_open(&file, f, len, &e), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(igvm_check_overlap(&file, scratch, 8, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "0x3000"));
	free(f);
	/* the same GPA for two platforms is fine */
	memset(&b, 0, sizeof(b));
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_platform(&b, 2, IGVM_PLATFORM_TDX);
	rb_page(&b, 0x1000, 1, 0, 0, 0);
	rb_page(&b, 0x1000, 2, 0, 0, 0);
	f = rb_file(&b, pages, 1, &len);
	assert_int_equal(igvm_open(&file, f, len, &e), 0);
	assert_int_equal(igvm_check_overlap(&file, scratch, 8, &e), 0);
	free(f);
}

/* ---- loader models ------------------------------------------------------------- */

/* The synthetic file of the model tests (igvm.md §3.2):
 *   area 0 (2 pages) + VP count; page A at 0x5000; a data-less page at 0x1000;
 *   insert of area 0 at 0x2000; SECRETS 0x8000; CPUID 0x9000 (data B);
 *   unmeasured 0xA000; shared A at 0xB000; VMSA vp 0 at 0x4000; A at 0x7000. */
static uint8_t *model_file(size_t *len, bool with_vp2)
{
	static const uint8_t *pages[] = { page_a, page_b, vmsa0, vmsa2 };
	static struct rb b;

	memset(&b, 0, sizeof(b));
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_policy(&b, 0x30000, 1);
	rb_area(&b, 2 * PG, 0);
	rb_param(&b, IGVM_VHT_VP_COUNT_PARAMETER, 0, 0);
	rb_page(&b, 0x5000, 1, 0, 0, IGVM_PAGE_NORMAL);
	rb_page(&b, 0x1000, 1, -1, 0, IGVM_PAGE_NORMAL);
	rb_insert(&b, 0x2000, 1, 0);
	rb_page(&b, 0x8000, 1, -1, 0, IGVM_PAGE_SECRETS);
	rb_page(&b, 0x9000, 1, 1, 0, IGVM_PAGE_CPUID_DATA);
	rb_page(&b, 0xA000, 1, -1, IGVM_PAGEF_UNMEASURED, IGVM_PAGE_NORMAL);
	rb_page(&b, 0xB000, 1, 0, IGVM_PAGEF_SHARED, IGVM_PAGE_NORMAL);
	rb_vp(&b, 0x4000, 1, 2, 0);
	if (with_vp2)
		rb_vp(&b, 0xC000, 1, 3, 2);
	rb_page(&b, 0x7000, 1, 0, 0, IGVM_PAGE_NORMAL);
	return rb_file(&b, pages, 4, len);
}

static void measure_ok(const struct igvm_file *f, struct igvm_measure_opts *o,
		       struct snp_ld *got)
{
	struct err e = { 0 };
	int rc = igvm_measure_snp(f, o, got, &e);

	if (rc)
		print_message("measure: %s\n", e.msg);
	assert_int_equal(rc, 0);
}

static void test_model_crate(void **state)
{
	struct igvm_measure_opts o = { .loader = IGVM_LOADER_CRATE };
	struct igvm_file f;
	struct snp_ld want, got;
	struct err e = { 0 };
	size_t len;
	uint8_t *buf;

	(void)state;
	init_pages();
	buf = model_file(&len, false);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	snp_ld_init(&want, NULL);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x5000, page_a);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x1000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0x2000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0x3000, NULL);
	snp_ld_page(&want, SNP_PAGE_SECRETS, 0x8000, NULL);
	snp_ld_page(&want, SNP_PAGE_CPUID, 0x9000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0xA000, NULL);
	/* shared 0xB000 skipped */
	snp_ld_page(&want, SNP_PAGE_VMSA, 0x4000, vmsa0);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x7000, page_a);
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, want.ld, SNP_LD_LEN);
	assert_int_equal(got.pages, want.pages);
	assert_int_equal(got.measured_bytes, 4 * PG);
	free(buf);
}

static void test_model_kvm(void **state)
{
	struct igvm_measure_opts o = { .loader = IGVM_LOADER_KVM, .vcpus = 1 };
	struct igvm_file f;
	struct snp_ld want, want2, got;
	struct err e = { 0 };
	uint8_t reset[VMSA_SIZE];
	size_t len;
	uint8_t *buf;

	(void)state;
	init_pages();
	buf = model_file(&len, false);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	snp_ld_init(&want, NULL);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x5000, page_a);
	snp_ld_page(&want, SNP_PAGE_ZERO, 0x1000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0x2000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0x3000, NULL);
	snp_ld_page(&want, SNP_PAGE_SECRETS, 0x8000, NULL);
	snp_ld_page(&want, SNP_PAGE_CPUID, 0x9000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0xA000, NULL);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0xB000, page_a);   /* shared flag ignored */
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x7000, page_a);
	want2 = want;
	snp_ld_page(&want, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, vmsa0);   /* last */
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, want.ld, SNP_LD_LEN);
	assert_int_equal(got.pages, 10);

	/* two vCPUs: vCPU 1 is a QEMU reset-state AP with vp 0's sev_features */
	o.vcpus = 2;
	o.vcpu_sig = 0x800F12;
	snp_ld_page(&want2, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, vmsa0);
	vmsa_reset(reset, VMSA_VMM_QEMU, false, 0xFFFFFFF0u, 0x800F12, 1);
	snp_ld_page(&want2, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, reset);
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, want2.ld, SNP_LD_LEN);
	free(buf);

	/* a file VP_CONTEXT for vp 2 replaces vCPU 2's reset state */
	buf = model_file(&len, true);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	o.vcpus = 2;
	assert_int_equal(igvm_measure_snp(&f, &o, &got, &e), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "vp 2"));
	o.vcpus = 3;
	snp_ld_init(&want, NULL);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x5000, page_a);
	snp_ld_page(&want, SNP_PAGE_ZERO, 0x1000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0x2000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0x3000, NULL);
	snp_ld_page(&want, SNP_PAGE_SECRETS, 0x8000, NULL);
	snp_ld_page(&want, SNP_PAGE_CPUID, 0x9000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0xA000, NULL);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0xB000, page_a);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x7000, page_a);
	snp_ld_page(&want, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, vmsa0);
	snp_ld_page(&want, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, reset);
	snp_ld_page(&want, SNP_PAGE_VMSA, IGVM_KVM_VMSA_GPA, vmsa2);
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, want.ld, SNP_LD_LEN);
	o.vcpus = IGVM_MEASURE_MAX_VCPUS + 1;
	assert_int_equal(igvm_measure_snp(&f, &o, &got, &e), -EINVAL);
	free(buf);
}

static void test_model_mshv(void **state)
{
	struct igvm_measure_slot slots[16];
	struct igvm_measure_opts o = { .loader = IGVM_LOADER_MSHV, .scratch = slots };
	struct igvm_file f;
	struct snp_ld want, got;
	struct err e = { 0 };
	size_t len;
	uint8_t *buf;

	(void)state;
	init_pages();
	buf = model_file(&len, false);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(igvm_measure_slots(&f, 1), 9);
	o.n_scratch = 8;
	assert_int_equal(igvm_measure_snp(&f, &o, &got, &e), -EINVAL);
	o.n_scratch = 16;
	/* sorted by GPA; one unmeasured page for the 2-page area; zero page NORMAL */
	snp_ld_init(&want, NULL);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x1000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0x2000, NULL);
	snp_ld_page(&want, SNP_PAGE_VMSA, 0x4000, vmsa0);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x5000, page_a);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0x7000, page_a);
	snp_ld_page(&want, SNP_PAGE_SECRETS, 0x8000, NULL);
	snp_ld_page(&want, SNP_PAGE_CPUID, 0x9000, NULL);
	snp_ld_page(&want, SNP_PAGE_UNMEASURED, 0xA000, NULL);
	snp_ld_page(&want, SNP_PAGE_NORMAL, 0xB000, page_a);
	o.vcpus = 8;   /* irrelevant */
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, want.ld, SNP_LD_LEN);
	assert_int_equal(got.pages, 9);
	free(buf);
}

/* A file in the target shape (igvm.md §0: explicit zero page, pages in GPA
 * order, a one-page parameter area, the VMSA last at 0xFFFFFFFFF000) has one
 * digest under all three models, and passes the KVM check. */
static void test_model_target_shape(void **state)
{
	static const struct igvm_dir dirs[] = {
		{ .type = IGVM_VHT_GUEST_POLICY, .policy = 0x30000 },
		{ .type = IGVM_VHT_PARAMETER_AREA, .index = 0, .nbytes = PG },
		{ .type = IGVM_VHT_VP_COUNT_PARAMETER, .index = 0 },
		{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x1000 },
		{ .type = IGVM_VHT_PARAMETER_INSERT, .gpa = 0x2000, .index = 0 },
		{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x3000, .data = page_a },
		{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x4000, .data_type = IGVM_PAGE_SECRETS },
		{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x5000, .data = page_b,
		  .data_type = IGVM_PAGE_CPUID_DATA },
		{ .type = IGVM_VHT_VP_CONTEXT, .gpa = IGVM_KVM_VMSA_GPA, .data = vmsa0 },
		{ .type = IGVM_VHT_SNP_ID_BLOCK, .data = id_block },
	};
	static const struct igvm_image im = { .platform_type = IGVM_PLATFORM_SEV_SNP, .mask = 1,
					      .dirs = dirs, .n_dirs = 10 };
	struct igvm_measure_slot slots[16];
	struct igvm_measure_opts o = { .scratch = slots, .n_scratch = 16, .vcpus = 1 };
	struct snp_ld crate, got;
	struct igvm_file f;
	struct err e = { 0 };
	uint8_t ld[SNP_LD_LEN];
	size_t len;
	uint8_t *buf;

	(void)state;
	init_pages();
	memset(id_block, 0, sizeof(id_block));
	buf = write_image(&im, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	o.loader = IGVM_LOADER_CRATE;
	measure_ok(&f, &o, &crate);
	o.loader = IGVM_LOADER_KVM;
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, crate.ld, SNP_LD_LEN);
	o.loader = IGVM_LOADER_MSHV;
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, crate.ld, SNP_LD_LEN);
	assert_int_equal(igvm_measure_check_kvm(&f, 0, &e), 0);
	/* the ID block's ld is what the file carries */
	assert_int_equal(igvm_measure_id_block_ld(&f, 0, ld, &e), 0);
	assert_memory_equal(ld, id_block + 8, SNP_LD_LEN);
	free(buf);

	/* with the LD filled in, the ID block matches the crate digest */
	memcpy(id_block + 8, crate.ld, SNP_LD_LEN);
	buf = write_image(&im, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(igvm_measure_id_block_ld(&f, 1, ld, &e), 0);
	assert_memory_equal(ld, crate.ld, SNP_LD_LEN);
	free(buf);
}

static void test_check_kvm(void **state)
{
	struct igvm_dir dirs[4] = {
		{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x1000, .data = page_a },
		{ .type = IGVM_VHT_VP_CONTEXT, .gpa = IGVM_KVM_VMSA_GPA, .data = vmsa0 },
		{ .type = IGVM_VHT_PAGE_DATA, .gpa = 0x2000, .data = page_a },
	};
	struct igvm_image im = { .platform_type = IGVM_PLATFORM_SEV_SNP, .mask = 1, .dirs = dirs };
	struct igvm_file f;
	struct err e = { 0 };
	uint8_t ld[SNP_LD_LEN];
	size_t len;
	uint8_t *buf;

	(void)state;
	init_pages();
	im.n_dirs = 3;   /* a page after the VMSA */
	buf = write_image(&im, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(igvm_measure_check_kvm(&f, 0, &e), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "after the VMSA"));
	/* no ID block */
	assert_int_equal(igvm_measure_id_block_ld(&f, 0, ld, &e), -ERR_NOTFOUND);
	free(buf);
	im.n_dirs = 2;
	dirs[1].gpa = 0x803000;
	buf = write_image(&im, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(igvm_measure_check_kvm(&f, 0, &e), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "0x803000"));
	free(buf);
	dirs[1].gpa = IGVM_KVM_VMSA_GPA;
	dirs[2] = (struct igvm_dir){ .type = IGVM_VHT_VP_CONTEXT, .gpa = 0x5000, .vp_index = 1,
				     .data = vmsa2 };
	im.n_dirs = 3;
	buf = write_image(&im, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(igvm_measure_check_kvm(&f, 0, &e), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "more than one"));
	free(buf);
	vmsa_put64(vmsa0, VMSA_CR0, 0x80000001);
	im.n_dirs = 2;
	buf = write_image(&im, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(igvm_measure_check_kvm(&f, 0, &e), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "ET"));
	/* no SNP platform: nothing to measure */
	free(buf);
	init_pages();
}

static void test_model_tdx(void **state)
{
	static const uint8_t *pages[] = { page_a };
	struct igvm_file f;
	struct tdx_mrtd t;
	struct snp_ld ld;
	struct igvm_measure_opts o = { .loader = IGVM_LOADER_CRATE };
	struct err e = { 0 };
	uint8_t want[TDX_MRTD_LEN], got[TDX_MRTD_LEN];
	uint64_t added = 0, extended = 0;
	struct rb b;
	size_t len;
	uint8_t *buf;

	(void)state;
	init_pages();
	memset(&b, 0, sizeof(b));
	rb_platform(&b, 1, IGVM_PLATFORM_SEV_SNP);
	rb_platform(&b, 2, IGVM_PLATFORM_TDX);
	rb_area(&b, 2 * PG, 0);
	rb_page(&b, 0x1000, 2, 0, 0, 0);
	rb_page(&b, 0x2000, 2, -1, 0, 0);
	rb_page(&b, 0x3000, 2, 0, IGVM_PAGEF_UNMEASURED, 0);
	rb_page(&b, 0x4000, 2, 0, IGVM_PAGEF_SHARED, 0);
	rb_page(&b, 0x9000, 1, 0, 0, 0);          /* SNP only */
	rb_insert(&b, 0x6000, 2, 0);
	buf = rb_file(&b, pages, 1, &len);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	tdx_mrtd_init(&t);
	tdx_mrtd_add(&t, 0x1000);
	tdx_mrtd_extend(&t, 0x1000, page_a);
	tdx_mrtd_add(&t, 0x2000);
	tdx_mrtd_extend(&t, 0x2000, NULL);
	tdx_mrtd_add(&t, 0x3000);
	tdx_mrtd_add(&t, 0x6000);
	tdx_mrtd_add(&t, 0x7000);
	tdx_mrtd_final(&t, want);
	assert_int_equal(igvm_measure_tdx(&f, 0, got, &added, &extended, &e), 0);
	assert_memory_equal(got, want, TDX_MRTD_LEN);
	assert_int_equal(added, 5);
	assert_int_equal(extended, 2);
	/* the SNP view of the same file sees only its page */
	snp_ld_init(&ld, NULL);
	snp_ld_page(&ld, SNP_PAGE_NORMAL, 0x9000, page_a);
	{
		struct snp_ld g;

		measure_ok(&f, &o, &g);
		assert_memory_equal(g.ld, ld.ld, SNP_LD_LEN);
		/* a mask that is not an SNP platform */
		o.mask = 2;
		assert_int_equal(igvm_measure_snp(&f, &o, &g, &e), -ERR_NOTFOUND);
	}
	free(buf);
}

static void test_loader_names(void **state)
{
	enum igvm_loader l;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(igvm_measure_loader_parse("kvm", &l, &e), 0);
	assert_int_equal(l, IGVM_LOADER_KVM);
	assert_string_equal(igvm_measure_loader_name(l), "kvm");
	assert_int_equal(igvm_measure_loader_parse("mshv", &l, &e), 0);
	assert_string_equal(igvm_measure_loader_name(l), "mshv");
	assert_int_equal(igvm_measure_loader_parse("crate", &l, &e), 0);
	assert_string_equal(igvm_measure_loader_name(l), "crate");
	assert_int_equal(igvm_measure_loader_parse("qemu", &l, &e), -ERR_NOTFOUND);
}

/* ---- the igvmgen fixture ----------------------------------------------------- */

static uint8_t *load_fixture(const char *name, size_t *n)
{
	char path[512];
	uint8_t *buf;
	long sz;
	FILE *fp;

	snprintf(path, sizeof(path), FIX "%s", name);
	fp = fopen(path, "rb");
	if (!fp) {
		print_message("fixture %s absent: skipped\n", path);
		return NULL;
	}
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	sz = ftell(fp);
	assert_true(sz > 0);
	rewind(fp);
	buf = malloc((size_t)sz);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	*n = (size_t)sz;
	return buf;
}

static void unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void test_fixture_igvmgen(void **state)
{
	/* vectors.json igvm_snp: the file's ID-block LD, computed by igvmgen */
	static const char expected[] =
		"a34d854051100c72616d1ebda1ccee6cb03513af722e475de6e5cb6d193acd2e"
		"4aa22bf12e5fb03d660c869ec52202e9";
	/* our kvm model of the same file (1 vCPU): a regression pin, not an
	 * external vector (igvmgen files are not KVM loadable) */
	static const char kvm1[] =
		"f9a00e568f0d7f06e840c402a05731a22c79fa0c70542429f45bc946482813271814"
		"c1477098927837f090ef365bda54";
	struct igvm_measure_opts o = { .vcpus = 1 };
	struct igvm_measure_slot *slots;
	struct igvm_file f;
	struct snp_ld got;
	struct err e = { 0 };
	uint8_t want[SNP_LD_LEN], ld[SNP_LD_LEN];
	uint64_t *scratch;
	size_t len = 0, n;
	uint8_t *buf;

	(void)state;
	buf = load_fixture("igvmgen_testBzImage64.igvm", &len);
	if (!buf)
		skip();
	assert_int_equal(len, 180696);
	if (igvm_open(&f, buf, len, &e) != 0)
		print_message("%s\n", e.msg);
	assert_int_equal(igvm_open(&f, buf, len, &e), 0);
	assert_int_equal(f.warnings, IGVM_WARN_VP_PADDING);   /* igvmgen's '0' padding */
	assert_int_equal(f.n_headers, 379);
	assert_int_equal(f.platforms, 1);
	n = igvm_page_count(&f);
	assert_int_equal(n, 373);
	scratch = calloc(n, sizeof(*scratch));
	assert_int_equal(igvm_check_overlap(&f, scratch, n, &e), 0);
	free(scratch);

	unhex(expected, want, SNP_LD_LEN);
	assert_int_equal(igvm_measure_id_block_ld(&f, 0, ld, &e), 0);
	assert_memory_equal(ld, want, SNP_LD_LEN);
	o.loader = IGVM_LOADER_CRATE;
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, want, SNP_LD_LEN);
	assert_int_equal(got.pages, 373);
	/* ascending GPA order, one-page parameter area: mshv = crate */
	o.loader = IGVM_LOADER_MSHV;
	o.n_scratch = igvm_measure_slots(&f, 1);
	slots = calloc(o.n_scratch, sizeof(*slots));
	o.scratch = slots;
	measure_ok(&f, &o, &got);
	assert_memory_equal(got.ld, want, SNP_LD_LEN);
	free(slots);
	/* kvm differs: 330 data-less pages measured as ZERO, VMSA moved */
	o.loader = IGVM_LOADER_KVM;
	measure_ok(&f, &o, &got);
	assert_memory_not_equal(got.ld, want, SNP_LD_LEN);
	unhex(kvm1, want, SNP_LD_LEN);
	assert_memory_equal(got.ld, want, SNP_LD_LEN);
	assert_int_equal(igvm_measure_check_kvm(&f, 0, &e), -ERR_UNSUPPORTED);
	assert_int_equal(igvm_measure_tdx(&f, 0, ld, NULL, NULL, &e), -ERR_NOTFOUND);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_write_dedup),
		cmocka_unit_test(test_write_rejects),
		cmocka_unit_test(test_hostile_header),
		cmocka_unit_test(test_hostile_tlv),
		cmocka_unit_test(test_hostile_rules),
		cmocka_unit_test(test_vp_padding_warning),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_model_crate),
		cmocka_unit_test(test_model_kvm),
		cmocka_unit_test(test_model_mshv),
		cmocka_unit_test(test_model_target_shape),
		cmocka_unit_test(test_check_kvm),
		cmocka_unit_test(test_model_tdx),
		cmocka_unit_test(test_loader_names),
		cmocka_unit_test(test_fixture_igvmgen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
