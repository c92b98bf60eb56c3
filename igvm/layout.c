/* layout: see layout.h; the GPA table is in docs/igvm.md. */
#include <errno.h>
#include <string.h>

#include "base/le.h"
#include "crypto/sha256.h"
#include "igvm/layout.h"
#include "igvm/vmsa.h"

#define MIB (1024ull * 1024ull)
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

_Static_assert(sizeof(struct stub_config) <= STUB_PAGE, "stub_config fits a page");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "x86 layout is little-endian");

/* Setup header offsets (Documentation/arch/x86/boot.rst). */
enum {
	BZ_SETUP_SECTS = 0x1F1,
	BZ_BOOT_FLAG = 0x1FE,
	BZ_JUMP = 0x200,
	BZ_HEADER = 0x202,
	BZ_VERSION = 0x206,
	BZ_LOADFLAGS = 0x211,
	BZ_INITRD_ADDR_MAX = 0x22C,
	BZ_KERNEL_ALIGNMENT = 0x230,
	BZ_XLOADFLAGS = 0x236,
	BZ_CMDLINE_SIZE = 0x238,
	BZ_PREF_ADDRESS = 0x258,
	BZ_INIT_SIZE = 0x260,
	BZ_HDR_MIN_END = 0x264,
};

/* boot_params (zero page) fields we write. */
enum {
	BP_EXT_RAMDISK_IMAGE = 0x0C0,
	BP_EXT_RAMDISK_SIZE = 0x0C4,
	BP_EXT_CMD_LINE_PTR = 0x0C8,
	BP_CC_BLOB_ADDRESS = 0x13C,
	BP_TYPE_OF_LOADER = 0x210,
	BP_RAMDISK_IMAGE = 0x218,
	BP_RAMDISK_SIZE = 0x21C,
	BP_CMD_LINE_PTR = 0x228,
	BP_SETUP_DATA = 0x250,
};

#define XLF_KERNEL_64   0x1u
#define LOADED_HIGH     0x1u
#define SETUP_CC_BLOB   7u
#define CC_BLOB_MAGIC   0x45444D41u   /* "AMDE" */


int layout_parse_kernel(const uint8_t *p, size_t n, struct layout_kernel *k, struct err *e)
{
	memset(k, 0, sizeof(*k));
	if (!p || n < BZ_HDR_MIN_END)
		return err_set(e, -ERR_FORMAT, "kernel: %zu bytes, too short for a bzImage", n);
	if (le_ld16(p + BZ_BOOT_FLAG) != 0xAA55 || memcmp(p + BZ_HEADER, "HdrS", 4) != 0)
		return err_set(e, -ERR_FORMAT, "kernel: not a bzImage (no boot flag or HdrS)");
	k->version = le_ld16(p + BZ_VERSION);
	if (k->version < 0x020C)
		return err_set(e, -ERR_UNSUPPORTED,
			       "kernel: boot protocol %u.%02u, need 2.12 or later (64-bit entry)",
			       k->version >> 8, k->version & 0xFF);
	k->setup_sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;
	k->hdr_end = BZ_HEADER + (size_t)p[BZ_JUMP + 1];
	k->payload_off = ((size_t)k->setup_sects + 1) * 512;
	if (p[BZ_JUMP] != 0xEB || k->hdr_end < BZ_HDR_MIN_END || k->hdr_end > k->payload_off)
		return err_set(e, -ERR_FORMAT, "kernel: setup header length %zu out of range",
			       k->hdr_end);
	if (k->payload_off >= n)
		return err_set(e, -ERR_FORMAT, "kernel: %u setup sectors but %zu bytes in all",
			       k->setup_sects, n);
	k->payload_len = n - k->payload_off;
	k->xloadflags = le_ld16(p + BZ_XLOADFLAGS);
	if (!(k->xloadflags & XLF_KERNEL_64))
		return err_set(e, -ERR_UNSUPPORTED, "kernel: no 64-bit entry (XLF_KERNEL_64)");
	if (!(p[BZ_LOADFLAGS] & LOADED_HIGH))
		return err_set(e, -ERR_UNSUPPORTED, "kernel: not loaded high (zImage)");
	k->kernel_alignment = le_ld32(p + BZ_KERNEL_ALIGNMENT);
	k->cmdline_size = le_ld32(p + BZ_CMDLINE_SIZE);
	k->pref_address = le_ld64(p + BZ_PREF_ADDRESS);
	k->init_size = le_ld32(p + BZ_INIT_SIZE);
	if (k->pref_address < 16 * MIB || k->pref_address >= 1024 * MIB ||
	    (k->pref_address & (STUB_PAGE - 1)))
		return err_set(e, -ERR_UNSUPPORTED,
			       "kernel: preferred address 0x%llx not page aligned in [16 MiB, 1 GiB)",
			       (unsigned long long)k->pref_address);
	if (k->init_size < k->payload_len || k->init_size > 1024 * MIB)
		return err_set(e, -ERR_FORMAT, "kernel: init_size 0x%x does not hold the %zu-byte payload",
			       k->init_size, k->payload_len);
	return 0;
}

/* Segment {selector, attributes, limit, base} of a GDT descriptor. */
static const uint64_t gdt_entries[4] = {
	0,
	0x00CF9B000000FFFFull,   /* 0x08: 32-bit code (native reset path) */
	0x00AF9B000000FFFFull,   /* 0x10: 64-bit code, __BOOT_CS */
	0x00CF93000000FFFFull,   /* 0x18: data, __BOOT_DS */
};

static void build_gdt(uint8_t *page)
{
	memset(page, 0, STUB_PAGE);
	for (int i = 0; i < 4; i++)
		le_st64(page + 8 * i, gdt_entries[i]);
}

/* Identity map of 512 GiB with 1 GiB pages; on SNP every entry has the C-bit. */
static void build_page_tables(uint8_t *pml4, uint8_t *pdpt, bool snp)
{
	uint64_t c = snp ? 1ull << LAYOUT_CBIT : 0;

	memset(pml4, 0, STUB_PAGE);
	memset(pdpt, 0, STUB_PAGE);
	le_st64(pml4, STUB_GPA_PDPT | 0x3 | c);              /* P | RW */
	for (uint64_t i = 0; i < 512; i++)
		le_st64(pdpt + 8 * i, (i << 30) | 0x83 | c); /* P | RW | PS */
}

/* The leaves the kernel reads through the SNP CPUID table (fn, sub-leaf). */
static const uint32_t cpuid_leaves[][2] = {
	{ 0x0, 0 }, { 0x1, 0 }, { 0x2, 0 },
	{ 0x4, 0 }, { 0x4, 1 }, { 0x4, 2 }, { 0x4, 3 }, { 0x4, 4 },
	{ 0x5, 0 }, { 0x6, 0 }, { 0x7, 0 }, { 0x7, 1 }, { 0xB, 0 }, { 0xB, 1 },
	{ 0xD, 0 }, { 0xD, 1 }, { 0xD, 2 }, { 0xD, 3 }, { 0xD, 4 }, { 0xD, 5 }, { 0xD, 6 },
	{ 0xD, 7 }, { 0xD, 8 }, { 0xD, 9 }, { 0xD, 10 }, { 0xD, 11 }, { 0xD, 12 },
	{ 0xD, 13 }, { 0xD, 14 }, { 0xD, 15 }, { 0xD, 16 }, { 0xD, 17 }, { 0xD, 18 },
	{ 0x80000000, 0 }, { 0x80000001, 0 }, { 0x80000002, 0 }, { 0x80000003, 0 },
	{ 0x80000004, 0 }, { 0x80000005, 0 }, { 0x80000006, 0 }, { 0x80000007, 0 },
	{ 0x80000008, 0 }, { 0x8000000A, 0 }, { 0x80000019, 0 }, { 0x8000001A, 0 },
	{ 0x8000001D, 0 }, { 0x8000001D, 1 }, { 0x8000001D, 2 }, { 0x8000001D, 3 },
	{ 0x8000001E, 0 }, { 0x8000001F, 0 }, { 0x80000021, 0 },
};

void layout_cpuid_page(uint8_t page[STUB_PAGE])
{
	size_t n = sizeof(cpuid_leaves) / sizeof(cpuid_leaves[0]);

	_Static_assert(sizeof(cpuid_leaves) / sizeof(cpuid_leaves[0]) <= LAYOUT_CPUID_MAX,
		       "CPUID table holds at most 64 leaves");
	memset(page, 0, STUB_PAGE);
	le_st32(page, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *f = page + 16 + 48 * i;

		le_st32(f, cpuid_leaves[i][0]);
		le_st32(f + 4, cpuid_leaves[i][1]);
		/* XCR0_IN for the XSAVE size leaves: x87 (XCR0 at reset). */
		if (cpuid_leaves[i][0] == 0xD && cpuid_leaves[i][1] <= 1)
			le_st64(f + 8, 1);
	}
}

/* The VMSA of vCPU 0 entering the stub's 64-bit entry, with the values KVM
 * re-derives when it rebuilds the VMSA (igvm.md §0.2, §3.3), so that the
 * digest of this page is the one KVM measures. */
static void build_vmsa(uint8_t *v, const struct layout_in *in, uint64_t sev_features)
{
	const uint64_t cbit = 1ull << LAYOUT_CBIT;

	memset(v, 0, STUB_PAGE);
	vmsa_put_seg(v, VMSA_CS, STUB_SEL_CODE64, 0xA9B, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_DS, STUB_SEL_DATA, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_ES, STUB_SEL_DATA, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_SS, STUB_SEL_DATA, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_FS, STUB_SEL_DATA, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_GS, STUB_SEL_DATA, 0xC93, 0xFFFFFFFF, 0);
	vmsa_put_seg(v, VMSA_GDTR, 0, 0, 4 * 8 - 1, STUB_GPA_GDT);
	vmsa_put_seg(v, VMSA_LDTR, 0, 0x82, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_IDTR, 0, 0, 0xFFFF, 0);
	vmsa_put_seg(v, VMSA_TR, 0, 0x8B, 0xFFFF, 0);
	/* SCE | LME | LMA | NXE | SVME */
	vmsa_put64(v, VMSA_EFER, 0x1 | 0x100 | 0x400 | 0x800 | VMSA_EFER_SVME);
	vmsa_put64(v, VMSA_CR4, 0x20 | 0x40);               /* PAE | MCE */
	vmsa_put64(v, VMSA_CR3, STUB_GPA_PML4 | cbit);
	vmsa_put64(v, VMSA_CR0, 0x80000000ull | 0x10 | 0x1); /* PG | ET | PE */
	vmsa_put64(v, VMSA_DR7, 0x400);
	vmsa_put64(v, VMSA_DR6, 0xFFFF0FF0);
	vmsa_put64(v, VMSA_RFLAGS, 0x2);
	vmsa_put64(v, VMSA_RIP, in->stub_entry64);
	vmsa_put64(v, VMSA_RSP, STUB_GPA_STACK + STUB_PAGE);
	vmsa_put64(v, VMSA_G_PAT, 0x0007040600070406ull);
	vmsa_put64(v, VMSA_SEV_FEATURES, sev_features);
	vmsa_put64(v, VMSA_XCR0, 1);
	vmsa_put32(v, VMSA_MXCSR, 0x1F80);
	vmsa_put16(v, VMSA_X87_FCW, 0x37F);
}

size_t layout_max_dirs(const struct layout_in *in)
{
	size_t n = 16 + STUB_IMAGE_MAX / STUB_PAGE + 16;

	n += in->kernel_len / STUB_PAGE + 1;
	n += in->initrd_len / STUB_PAGE + 1;
	return n;
}

struct emit {
	struct igvm_dir *d;
	size_t n, cap;
	uint64_t last_gpa;
	bool any_page;
	uint64_t pages;          /* measured */
	uint64_t unmeasured;
};

static int emit(struct emit *m, const struct igvm_dir *d, struct err *e)
{
	if (m->n == m->cap)
		return err_set(e, -ERR_LIMIT, "layout: more than %zu directives", m->cap);
	m->d[m->n++] = *d;
	return 0;
}

/* One PAGE_DATA; pages must come in strictly ascending GPA order. */
static int emit_page_flags(struct emit *m, uint64_t gpa, uint16_t data_type, uint32_t flags,
			   const uint8_t *data, struct err *e)
{
	struct igvm_dir d = { .type = IGVM_VHT_PAGE_DATA, .gpa = gpa, .mask = 1,
			      .data_type = data_type, .flags = flags, .data = data };

	if (m->any_page && gpa <= m->last_gpa)
		return err_set(e, -EINVAL, "layout: page 0x%llx out of order",
			       (unsigned long long)gpa);
	m->any_page = true;
	m->last_gpa = gpa;
	if (flags & IGVM_PAGEF_UNMEASURED)
		m->unmeasured++;
	else
		m->pages++;
	return emit(m, &d, e);
}

static int emit_page(struct emit *m, uint64_t gpa, uint16_t data_type, const uint8_t *data,
		     struct err *e)
{
	return emit_page_flags(m, gpa, data_type, 0, data, e);
}

/* The pages of a buffer at gpa; the last partial page is copied into tail. */
static int emit_blob(struct emit *m, uint64_t gpa, const uint8_t *p, size_t n, uint8_t *tail,
		     uint32_t flags, struct err *e)
{
	size_t off;
	int rc;

	for (off = 0; off < n; off += STUB_PAGE) {
		const uint8_t *page = p + off;

		if (n - off < STUB_PAGE) {
			memset(tail, 0, STUB_PAGE);
			memcpy(tail, p + off, n - off);
			page = tail;
		}
		rc = emit_page_flags(m, gpa + off, IGVM_PAGE_NORMAL, flags, page, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void add_range(struct stub_range *r, uint32_t *n, uint64_t base, uint64_t end)
{
	if (*n > 0 && r[*n - 1].base + r[*n - 1].size == base) {
		r[*n - 1].size += end - base;
		return;
	}
	r[*n].base = base;
	r[*n].size = end - base;
	(*n)++;
}

/* SHA-256 of p[0..n) zero-padded to whole pages: every byte the loader
 * places is covered, the padding included. */
static void page_digest(const uint8_t *p, size_t n, uint8_t out[32])
{
	static const uint8_t zeros[STUB_PAGE];
	struct sha256 h;

	sha256_init(&h);
	if (n)
		sha256_update(&h, p, n);
	if (n % STUB_PAGE)
		sha256_update(&h, zeros, STUB_PAGE - n % STUB_PAGE);
	sha256_final(&h, out);
}

static void build_config(uint8_t *page, const struct layout_in *in, const struct layout_out *o,
			 size_t stub_pages)
{
	struct stub_config c;
	bool snp = in->platform == LAYOUT_SNP;

	memset(&c, 0, sizeof(c));
	c.magic = STUB_CONFIG_MAGIC;
	c.version = STUB_CONFIG_VERSION;
	c.flags = snp ? STUB_FLAG_SNP : 0;
	c.kernel_entry = o->kernel_gpa + 0x200;
	c.zero_page = STUB_GPA_ZERO_PAGE;
	c.param_page = STUB_GPA_PARAM;
	c.vp_count_off = STUB_PARAM_VP_COUNT;
	c.memmap_off = STUB_PARAM_MEMMAP;
	c.memmap_max = STUB_PARAM_MEMMAP_MAX;
	if (!in->measure_payload) {
		c.flags |= STUB_FLAG_VERIFY;
		c.kernel.base = o->kernel_gpa;
		c.kernel.size = ALIGN_UP(o->k.payload_len, STUB_PAGE);
		page_digest(in->kernel + o->k.payload_off, o->k.payload_len, c.kernel_sha256);
		c.initrd.base = o->initrd_gpa;
		c.initrd.size = ALIGN_UP(in->initrd_len, STUB_PAGE);
		page_digest(in->initrd, in->initrd_len, c.initrd_sha256);
	}
	if (snp) {
		/* CPUID, secrets, CC blob: the kernel maps them; keep them out of RAM. */
		add_range(c.reserved, &c.n_reserved, STUB_GPA_CPUID, STUB_GPA_PARAM);
		if (in->loader == LAYOUT_LOADER_MSHV)
			add_range(c.reserved, &c.n_reserved, o->vmsa_gpa, o->vmsa_gpa + STUB_PAGE);
		/* Every page the launch imports is already private and validated. */
		add_range(c.imported, &c.n_imported, STUB_GPA_GDT,
			  STUB_GPA_IMAGE + stub_pages * STUB_PAGE);
		add_range(c.imported, &c.n_imported, STUB_GPA_CPUID, STUB_GPA_LOW_END);
		add_range(c.imported, &c.n_imported, o->kernel_gpa, ALIGN_UP(o->kernel_end, STUB_PAGE));
		if (o->initrd_end > o->initrd_gpa)
			add_range(c.imported, &c.n_imported, o->initrd_gpa,
				  ALIGN_UP(o->initrd_end, STUB_PAGE));
		if (in->loader == LAYOUT_LOADER_MSHV)
			add_range(c.imported, &c.n_imported, o->vmsa_gpa, o->vmsa_gpa + STUB_PAGE);
	}
	memset(page, 0, STUB_PAGE);
	memcpy(page, &c, sizeof(c));
}

static void build_zero_page(uint8_t *zp, const struct layout_in *in, const struct layout_out *o)
{
	memset(zp, 0, STUB_PAGE);
	memcpy(zp + BZ_SETUP_SECTS, in->kernel + BZ_SETUP_SECTS, o->k.hdr_end - BZ_SETUP_SECTS);
	zp[BP_TYPE_OF_LOADER] = 0xFF;
	le_st32(zp + BP_CMD_LINE_PTR, STUB_GPA_CMDLINE);
	le_st32(zp + BP_EXT_CMD_LINE_PTR, 0);
	if (o->initrd_end > o->initrd_gpa) {
		le_st32(zp + BP_RAMDISK_IMAGE, (uint32_t)o->initrd_gpa);
		le_st32(zp + BP_RAMDISK_SIZE, (uint32_t)(o->initrd_end - o->initrd_gpa));
		le_st32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(o->initrd_gpa >> 32));
		le_st32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)((o->initrd_end - o->initrd_gpa) >> 32));
	}
	if (in->platform == LAYOUT_SNP) {
		le_st64(zp + BP_SETUP_DATA, STUB_GPA_CC_BLOB);
		le_st32(zp + BP_CC_BLOB_ADDRESS, STUB_GPA_CC_BLOB + STUB_CC_BLOB_OFF);
	}
}

/* setup_data {u64 next, u32 type, u32 len, u32 cc_blob_address} at +0 and
 * cc_blob_sev_info (40 bytes, igvm.md §2.4) at +STUB_CC_BLOB_OFF. */
static void build_cc_blob(uint8_t *p)
{
	uint8_t *b = p + STUB_CC_BLOB_OFF;

	memset(p, 0, STUB_PAGE);
	le_st64(p, 0);
	le_st32(p + 8, SETUP_CC_BLOB);
	le_st32(p + 12, 4);
	le_st32(p + 16, STUB_GPA_CC_BLOB + STUB_CC_BLOB_OFF);
	le_st32(b, CC_BLOB_MAGIC);
	le_st64(b + 8, STUB_GPA_SECRETS);
	le_st32(b + 16, STUB_PAGE);
	le_st64(b + 24, STUB_GPA_CPUID);
	le_st32(b + 32, STUB_PAGE);
}

static int check_in(const struct layout_in *in, struct layout_out *o, struct err *e)
{
	size_t cl;
	int rc;

	rc = layout_parse_kernel(in->kernel, in->kernel_len, &o->k, e);
	if (rc < 0)
		return rc;
	if (!in->cmdline)
		return err_set(e, -EINVAL, "layout: no command line");
	cl = strlen(in->cmdline);
	if (cl > LAYOUT_CMDLINE_MAX || (o->k.cmdline_size && cl > o->k.cmdline_size))
		return err_set(e, -ERR_LIMIT, "command line: %zu bytes, the kernel takes %u", cl,
			       o->k.cmdline_size ? o->k.cmdline_size : LAYOUT_CMDLINE_MAX);
	if (!in->stub_image || in->stub_image_len == 0 || in->stub_image_len > STUB_IMAGE_MAX)
		return err_set(e, -EINVAL, "layout: boot stub of %zu bytes (at most %u)",
			       in->stub_image_len, STUB_IMAGE_MAX);
	if (in->stub_entry64 < STUB_GPA_IMAGE ||
	    in->stub_entry64 >= STUB_GPA_IMAGE + in->stub_image_len)
		return err_set(e, -EINVAL, "layout: stub entry 0x%llx outside the stub",
			       (unsigned long long)in->stub_entry64);
	if (in->platform == LAYOUT_NATIVE && !in->stub_reset)
		return err_set(e, -EINVAL, "layout: the native platform needs the reset page");
	if (in->platform != LAYOUT_NATIVE && in->platform != LAYOUT_SNP)
		return err_set(e, -EINVAL, "layout: unknown platform");
	if (in->initrd_len && !in->initrd)
		return err_set(e, -EINVAL, "layout: initrd length without data");
	return 0;
}

int layout_build(const struct layout_in *in, struct layout_pages *pg, struct igvm_dir *dirs,
		 size_t cap, struct layout_out *out, struct err *e)
{
	struct emit m = { .d = dirs, .cap = cap };
	bool snp = in->platform == LAYOUT_SNP;
	uint64_t features = in->sev_features ? in->sev_features : LAYOUT_SEV_FEATURES;
	uint64_t policy = in->policy ? in->policy : LAYOUT_SNP_POLICY;
	size_t stub_pages;
	uint32_t pflags;
	uint64_t top;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_in(in, out, e);
	if (rc < 0)
		return rc;
	if (snp && !(features & 1))
		return err_set(e, -EINVAL, "sev_features 0x%llx without the SNP bit",
			       (unsigned long long)features);
	if (snp && !(policy & (1ull << 17)))
		return err_set(e, -EINVAL, "SNP policy 0x%llx: bit 17 must be set",
			       (unsigned long long)policy);

	/* Placement: kernel at its preferred address, the initrd at the next
	 * 2 MiB boundary after the kernel's runtime size, an in-RAM VMSA above
	 * everything (it must sort last). */
	out->kernel_gpa = out->k.pref_address;
	out->kernel_end = out->kernel_gpa + out->k.payload_len;
	top = out->kernel_gpa + out->k.init_size;
	out->initrd_gpa = out->initrd_end = ALIGN_UP(top, 2 * MIB);
	if (in->initrd_len) {
		out->initrd_end = out->initrd_gpa + in->initrd_len;
		if (out->initrd_end > 0xFFFFFFFFull)
			return err_set(e, -ERR_LIMIT, "initrd: ends above 4 GiB");
		if (out->initrd_end - 1 > le_ld32(in->kernel + BZ_INITRD_ADDR_MAX))
			return err_set(e, -ERR_LIMIT, "initrd: ends above the kernel's initrd_addr_max");
		top = out->initrd_end;
	}
	top = ALIGN_UP(top, STUB_PAGE);
	if (snp)
		out->vmsa_gpa = in->loader == LAYOUT_LOADER_MSHV ? top : STUB_GPA_VMSA_KVM;
	if (snp && in->loader == LAYOUT_LOADER_MSHV)
		top += STUB_PAGE;
	out->ram_end = ALIGN_UP(top, 2 * MIB);
	out->required_memory = out->ram_end;
	if (in->memory_bytes) {
		if (in->memory_bytes < out->ram_end)
			return err_set(e, -ERR_LIMIT, "memory: %llu MiB, the layout needs %llu MiB",
				       (unsigned long long)(in->memory_bytes / MIB),
				       (unsigned long long)(out->ram_end / MIB));
		out->required_memory = in->memory_bytes;
	}
	if (out->required_memory > 0xFFFFF000ull)
		out->required_memory = 0xFFFFF000ull;   /* a u32 field: a lower bound */

	/* The pages. */
	build_gdt(pg->gdt);
	build_page_tables(pg->pml4, pg->pdpt, snp);
	memset(pg->cmdline, 0, STUB_PAGE);
	memcpy(pg->cmdline, in->cmdline, strlen(in->cmdline));
	memset(pg->stub, 0, sizeof(pg->stub));
	memcpy(pg->stub, in->stub_image, in->stub_image_len);
	stub_pages = ALIGN_UP(in->stub_image_len, STUB_PAGE) / STUB_PAGE;
	build_zero_page(pg->zero_page, in, out);
	build_config(pg->config, in, out, stub_pages);
	if (snp) {
		layout_cpuid_page(pg->cpuid);
		build_cc_blob(pg->cc_blob);
		build_vmsa(pg->vmsa, in, features);
	}

	/* Initialization headers, then parameter declarations. */
	if (snp) {
		struct igvm_dir pol = { .type = IGVM_VHT_GUEST_POLICY, .mask = 1, .policy = policy };

		if ((rc = emit(&m, &pol, e)) < 0)
			return rc;
	}
	{
		struct igvm_dir area = { .type = IGVM_VHT_PARAMETER_AREA, .nbytes = STUB_PAGE };
		struct igvm_dir vpc = { .type = IGVM_VHT_VP_COUNT_PARAMETER,
					.byte_offset = STUB_PARAM_VP_COUNT };
		struct igvm_dir mm = { .type = IGVM_VHT_MEMORY_MAP, .byte_offset = STUB_PARAM_MEMMAP };

		if ((rc = emit(&m, &area, e)) < 0 || (rc = emit(&m, &vpc, e)) < 0 ||
		    (rc = emit(&m, &mm, e)) < 0)
			return rc;
	}
	if (snp) {
		struct igvm_dir req = { .type = IGVM_VHT_REQUIRED_MEMORY, .mask = 1,
					.nbytes = out->required_memory };

		if ((rc = emit(&m, &req, e)) < 0)
			return rc;
	}

	/* Pages in ascending GPA order. */
	if ((rc = emit_page(&m, STUB_GPA_GDT, IGVM_PAGE_NORMAL, pg->gdt, e)) < 0 ||
	    (rc = emit_page(&m, STUB_GPA_ZERO_PAGE, IGVM_PAGE_NORMAL, pg->zero_page, e)) < 0 ||
	    (rc = emit_page(&m, STUB_GPA_CMDLINE, IGVM_PAGE_NORMAL, pg->cmdline, e)) < 0 ||
	    (rc = emit_page(&m, STUB_GPA_CONFIG, IGVM_PAGE_NORMAL, pg->config, e)) < 0 ||
	    (rc = emit_page(&m, STUB_GPA_PML4, IGVM_PAGE_NORMAL, pg->pml4, e)) < 0 ||
	    (rc = emit_page(&m, STUB_GPA_PDPT, IGVM_PAGE_NORMAL, pg->pdpt, e)) < 0 ||
	    (rc = emit_page(&m, STUB_GPA_STACK, IGVM_PAGE_NORMAL, NULL, e)) < 0)
		return rc;
	for (size_t i = 0; i < stub_pages; i++) {
		rc = emit_page(&m, STUB_GPA_IMAGE + i * STUB_PAGE, IGVM_PAGE_NORMAL,
			       pg->stub + i * STUB_PAGE, e);
		if (rc < 0)
			return rc;
	}
	if (snp) {
		if ((rc = emit_page(&m, STUB_GPA_CPUID, IGVM_PAGE_CPUID_DATA, pg->cpuid, e)) < 0 ||
		    (rc = emit_page(&m, STUB_GPA_SECRETS, IGVM_PAGE_SECRETS, NULL, e)) < 0 ||
		    (rc = emit_page(&m, STUB_GPA_CC_BLOB, IGVM_PAGE_NORMAL, pg->cc_blob, e)) < 0)
			return rc;
	}
	{
		struct igvm_dir ins = { .type = IGVM_VHT_PARAMETER_INSERT, .gpa = STUB_GPA_PARAM,
					.mask = 1 };

		if ((rc = emit(&m, &ins, e)) < 0)
			return rc;
		m.last_gpa = STUB_GPA_PARAM;
	}
	pflags = in->measure_payload ? 0 : IGVM_PAGEF_UNMEASURED;
	rc = emit_blob(&m, out->kernel_gpa, in->kernel + out->k.payload_off, out->k.payload_len,
		       pg->kernel_tail, pflags, e);
	if (rc < 0)
		return rc;
	if (in->initrd_len) {
		rc = emit_blob(&m, out->initrd_gpa, in->initrd, in->initrd_len, pg->initrd_tail,
			       pflags, e);
		if (rc < 0)
			return rc;
	}
	if (!snp) {
		rc = emit_page(&m, STUB_GPA_RESET, IGVM_PAGE_NORMAL, in->stub_reset, e);
		if (rc < 0)
			return rc;
	} else {
		/* The VMSA last: KVM measures it after every page, MSHV at its GPA,
		 * which is the highest of the file. */
		struct igvm_dir vp = { .type = IGVM_VHT_VP_CONTEXT, .gpa = out->vmsa_gpa, .mask = 1,
				       .vp_index = 0, .data = pg->vmsa };

		if ((rc = emit(&m, &vp, e)) < 0)
			return rc;
		m.pages++;
	}
	out->n_dirs = m.n;
	out->measured_pages = m.pages;
	out->unmeasured_pages = m.unmeasured;
	return 0;
}
