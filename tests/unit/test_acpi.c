/* Unit tests for boot/acpi: the stub's ACPI tables.  Checksums of every
 * table, the RSDP -> XSDT -> FADT/MADT and FADT -> DSDT/FACS pointers, the
 * MADT entries for 1, 2, 254 and 300 VPs, the native and SNP FADT, and the
 * DSDT's AML: a small decoder written here (no iasl) walks PkgLength,
 * Scope, Device, Name and Buffer objects and the resource descriptors of
 * \_SB.PCI0._CRS and checks the PCI windows for several memory layouts.
 * Also bounds (the writer never leaves its region) and determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/e820.h"
#include "boot/stub_abi.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define GPA 0x9C000ull
#define PM  0x600u

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* Memory layouts (what e820_build would produce). */
static const struct e820_entry ram512[] = {
	{ 0, 0x9C000, E820_RAM },
	{ 0x9C000, 0x2000, ACPI_E820_TYPE },
	{ 0x9E000, 0x62000, E820_RESERVED },
	{ 0x100000, 512 * MiB - 0x100000, E820_RAM },
};
/* q35 with 3 GiB: 2 GiB below 4 GiB, 1 GiB above (pc_q35.c lowmem split). */
static const struct e820_entry ram3g[] = {
	{ 0, 0x9C000, E820_RAM },
	{ 0x9C000, 0x2000, ACPI_E820_TYPE },
	{ 0x9E000, 0x62000, E820_RESERVED },
	{ 0x100000, 2 * GiB - 0x100000, E820_RAM },
	{ 0xFFFFF000, 0x1000, E820_RESERVED },          /* a reset page */
	{ 4 * GiB, 1 * GiB, E820_RAM },
};

/* Region + guard bytes: the writer must not touch the guard. */
#define GUARD 256
static uint8_t *new_region(size_t len)
{
	uint8_t *r = malloc(len + 2 * GUARD);

	assert_non_null(r);
	memset(r, 0xA5, len + 2 * GUARD);
	return r + GUARD;
}

static void free_region(uint8_t *r, size_t len)
{
	for (size_t i = 0; i < GUARD; i++) {
		assert_int_equal(r[-(ptrdiff_t)GUARD + (ptrdiff_t)i], 0xA5);
		assert_int_equal(r[len + i], 0xA5);
	}
	free(r - GUARD);
}

static const uint8_t *table_at(const uint8_t *r, uint64_t gpa, const char *sig)
{
	const uint8_t *t;

	assert_true(gpa >= GPA && gpa < GPA + STUB_ACPI_SIZE);
	t = r + (gpa - GPA);
	assert_memory_equal(t, sig, 4);
	return t;
}

/* Header checks shared by every checksummed table. */
static uint32_t check_table(const uint8_t *t, const char *sig, uint8_t rev)
{
	uint32_t len = (uint32_t)le(t + 4, 4);

	assert_memory_equal(t, sig, 4);
	assert_true(len >= ACPI_HDR_SIZE);
	assert_int_equal(t[8], rev);
	assert_int_equal(sum8(t, len), 0);
	assert_memory_equal(t + 10, "CCGST ", 6);
	assert_memory_equal(t + 28, "CCGS", 4);
	return len;
}

struct built {
	uint8_t *r;
	size_t len;
	const uint8_t *rsdp, *xsdt, *fadt, *dsdt, *madt, *facs;
};

static void build(struct built *b, uint32_t cpus, bool snp, const struct e820_entry *t, size_t n)
{
	struct acpi_config c = { .n_cpus = cpus, .e820 = t, .n_e820 = n, .snp = snp, .pm_base = PM };
	int64_t rsdp;

	b->len = STUB_ACPI_SIZE;
	b->r = new_region(b->len);
	rsdp = acpi_write(b->r, b->len, GPA, &c);
	assert_int_equal(rsdp, (int64_t)GPA);

	/* RSDP: both checksums, revision 2, XSDT pointer. */
	b->rsdp = b->r;
	assert_memory_equal(b->rsdp, "RSD PTR ", 8);
	assert_int_equal(sum8(b->rsdp, 20), 0);
	assert_int_equal(sum8(b->rsdp, ACPI_RSDP_SIZE), 0);
	assert_int_equal(b->rsdp[15], 2);
	assert_int_equal(le(b->rsdp + 20, 4), ACPI_RSDP_SIZE);
	assert_int_equal(le(b->rsdp + 16, 4), 0);                /* no RSDT */
	b->xsdt = table_at(b->r, le(b->rsdp + 24, 8), "XSDT");
	assert_int_equal(check_table(b->xsdt, "XSDT", 1), ACPI_XSDT_SIZE);
	b->fadt = table_at(b->r, le(b->xsdt + 36, 8), "FACP");
	b->madt = table_at(b->r, le(b->xsdt + 44, 8), "APIC");
	assert_int_equal(check_table(b->fadt, "FACP", 6), ACPI_FADT_SIZE);
	assert_int_equal(le(b->fadt + 40, 4), 0);                /* 32-bit DSDT unused */
	b->dsdt = table_at(b->r, le(b->fadt + 140, 8), "DSDT");  /* X_DSDT */
	assert_int_equal(check_table(b->dsdt, "DSDT", 2), ACPI_DSDT_SIZE);
	check_table(b->madt, "APIC", 5);
	b->facs = NULL;
	if (le(b->fadt + 132, 8) != 0) {
		b->facs = table_at(b->r, le(b->fadt + 132, 8), "FACS");
		assert_int_equal(le(b->facs + 4, 4), ACPI_FACS_SIZE);
		assert_int_equal((le(b->fadt + 132, 8) & 63), 0);
	}
	/* Tables do not overlap each other or leave the region. */
	assert_true(b->xsdt + ACPI_XSDT_SIZE <= b->fadt);
	assert_true(b->fadt + ACPI_FADT_SIZE <= b->dsdt);
	assert_true(b->dsdt + ACPI_DSDT_SIZE <= b->madt);
	assert_true((size_t)(b->madt - b->r) + le(b->madt + 4, 4) <= b->len);
}

static void unbuild(struct built *b)
{
	free_region(b->r, b->len);
}

/* ---------------------------------------------------------------- MADT */

static void check_madt(uint32_t cpus, bool snp)
{
	struct built b;
	const uint8_t *e, *end;
	uint32_t next_id = 0, n_lapic = 0, n_x2 = 0, n_ioapic = 0, n_iso = 0;
	bool iso0 = false, iso9 = false;

	build(&b, cpus, snp, ram512, 4);
	assert_int_equal(le(b.madt + 36, 4), 0xFEE00000u);
	assert_int_equal(le(b.madt + 40, 4), snp ? 0 : 1);       /* PCAT_COMPAT */
	e = b.madt + ACPI_MADT_HDR_SIZE;
	end = b.madt + le(b.madt + 4, 4);
	while (e < end) {
		assert_true(e + 2 <= end && e[1] >= 2 && e + e[1] <= end);
		switch (e[0]) {
		case 0:         /* Processor Local APIC */
			assert_int_equal(e[1], 8);
			assert_int_equal(n_x2, 0);               /* xAPIC entries first */
			assert_int_equal(e[2], next_id);         /* UID */
			assert_int_equal(e[3], next_id);         /* APIC ID */
			assert_true(next_id <= 254);
			assert_int_equal(le(e + 4, 4), 1);       /* enabled */
			next_id++;
			n_lapic++;
			break;
		case 9:         /* Processor Local x2APIC */
			assert_int_equal(e[1], 16);
			assert_int_equal(le(e + 2, 2), 0);
			assert_int_equal(le(e + 4, 4), next_id);
			assert_true(next_id >= 255);
			assert_int_equal(le(e + 8, 4), 1);
			assert_int_equal(le(e + 12, 4), next_id);
			next_id++;
			n_x2++;
			break;
		case 1:         /* I/O APIC */
			assert_int_equal(e[1], 12);
			assert_int_equal(le(e + 4, 4), 0xFEC00000u);
			assert_int_equal(le(e + 8, 4), 0);
			n_ioapic++;
			break;
		case 2:         /* Interrupt Source Override */
			assert_int_equal(e[1], 10);
			assert_int_equal(e[2], 0);
			if (e[3] == 0) {
				assert_int_equal(le(e + 4, 4), 2);
				assert_int_equal(le(e + 8, 2), 0);
				iso0 = true;
			} else {
				assert_int_equal(e[3], 9);
				assert_int_equal(le(e + 4, 4), 9);
				assert_int_equal(le(e + 8, 2), 0x0D); /* active high, level */
				iso9 = true;
			}
			n_iso++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
		e += e[1];
	}
	assert_ptr_equal(e, end);
	assert_int_equal(next_id, cpus);
	assert_int_equal(n_lapic, cpus < 255 ? cpus : 255);
	assert_int_equal(n_x2, cpus > 255 ? cpus - 255 : 0);
	assert_int_equal(n_ioapic, 1);
	assert_true(iso0);
	assert_int_equal(iso9, !snp);
	assert_int_equal(n_iso, snp ? 1 : 2);
	unbuild(&b);
}

static void test_madt_1(void **s)   { (void)s; check_madt(1, false); check_madt(1, true); }
static void test_madt_2(void **s)   { (void)s; check_madt(2, false); check_madt(2, true); }
static void test_madt_254(void **s) { (void)s; check_madt(254, false); check_madt(254, true); }
static void test_madt_300(void **s) { (void)s; check_madt(300, false); check_madt(300, true); }

/* ---------------------------------------------------------------- FADT */

static void check_gas_io(const uint8_t *g, uint16_t port, unsigned len)
{
	assert_int_equal(g[0], 1);              /* system I/O */
	assert_int_equal(g[1], len * 8);
	assert_int_equal(g[2], 0);
	assert_int_equal(le(g + 4, 8), port);
}

static void test_fadt_native(void **s)
{
	struct built b;
	const uint8_t *f;

	(void)s;
	build(&b, 2, false, ram512, 4);
	f = b.fadt;
	assert_int_equal(f[131], 5);                            /* minor version */
	assert_int_equal(le(f + 46, 2), 9);                     /* SCI_INT */
	assert_int_equal(le(f + 48, 4), 0);                     /* SMI_CMD */
	assert_int_equal(le(f + 112, 4) & (1u << 20), 0);       /* not hardware-reduced */
	assert_int_equal(le(f + 109, 2), 0x7);                  /* legacy, 8042, no VGA */
	assert_int_equal(le(f + 56, 4), PM);                    /* PM1a_EVT_BLK */
	assert_int_equal(le(f + 64, 4), PM + 4);                /* PM1a_CNT_BLK */
	assert_int_equal(le(f + 76, 4), PM + 8);                /* PM_TMR_BLK */
	assert_int_equal(f[88], 4);
	assert_int_equal(f[89], 2);
	assert_int_equal(f[91], 4);
	assert_int_equal(le(f + 80, 4), 0);                     /* no GPE0 */
	check_gas_io(f + 148, PM, 4);
	check_gas_io(f + 172, PM + 4, 2);
	check_gas_io(f + 208, PM + 8, 4);
	assert_non_null(b.facs);
	assert_int_equal(b.facs[32], 2);
	assert_int_equal(le(f + 36, 4), 0);                     /* only X_FIRMWARE_CTRL */
	unbuild(&b);
}

static void test_fadt_snp(void **s)
{
	struct built b;
	const uint8_t *f;

	(void)s;
	build(&b, 2, true, ram512, 4);
	f = b.fadt;
	assert_int_equal(le(f + 112, 4) & (1u << 20), 1u << 20); /* HW_REDUCED_ACPI */
	assert_int_equal(le(f + 109, 2) & 3u, 0);               /* no legacy devices, no 8042 */
	for (unsigned o = 56; o < 96; o++)                      /* no PM/GPE blocks, lengths */
		assert_int_equal(f[o], 0);
	for (unsigned o = 148; o < 268; o++)                    /* no X_ blocks */
		assert_int_equal(f[o], 0);
	assert_null(b.facs);
	assert_int_equal(le(f + 36, 4), 0);
	unbuild(&b);
}

/* ------------------------------------------------------- AML decoder */

struct aml_obj {
	char path[48];
	int kind;                       /* 1 integer, 2 buffer */
	uint64_t ival;
	const uint8_t *buf;
	size_t blen;
};

struct aml_ns {
	struct aml_obj o[16];
	int n;
	char devices[4][48];
	int n_dev;
};

/* PkgLength (ACPI 6.5 §20.2.4).  Returns the package length, *nb its bytes. */
static size_t pkglen(const uint8_t *p, const uint8_t *end, size_t *nb)
{
	unsigned follow;
	size_t len;

	assert_true(p < end);
	follow = p[0] >> 6;
	assert_true(p + 1 + follow <= end);
	if (follow == 0) {
		*nb = 1;
		return p[0] & 0x3F;
	}
	assert_int_equal(p[0] & 0x30, 0);       /* bits 5:4 reserved with follow bytes */
	len = p[0] & 0x0F;
	for (unsigned i = 0; i < follow; i++)
		len |= (size_t)p[1 + i] << (4 + 8 * i);
	*nb = 1 + follow;
	return len;
}

static bool lead_char(uint8_t c) { return (c >= 'A' && c <= 'Z') || c == '_'; }
static bool name_char(uint8_t c) { return lead_char(c) || (c >= '0' && c <= '9'); }

/* NameString: only RootChar + NameSeg or a bare NameSeg are used here. */
static const uint8_t *name_string(const uint8_t *p, const uint8_t *end, const char *scope,
				  char *out, size_t out_len)
{
	char seg[5] = { 0 };
	bool root = false;

	if (p < end && *p == '\\') {
		root = true;
		p++;
	}
	assert_true(p + 4 <= end);
	assert_true(lead_char(p[0]));
	for (int i = 0; i < 4; i++) {
		assert_true(name_char(p[i]));
		seg[i] = (char)p[i];
	}
	if (root || scope[0] == 0)
		snprintf(out, out_len, "\\%s", seg);
	else
		snprintf(out, out_len, "%s.%s", scope, seg);
	return p + 4;
}

static void add_obj(struct aml_ns *ns, const char *path, int kind, uint64_t v,
		    const uint8_t *buf, size_t blen)
{
	assert_true(ns->n < 16);
	snprintf(ns->o[ns->n].path, sizeof(ns->o[0].path), "%s", path);
	ns->o[ns->n].kind = kind;
	ns->o[ns->n].ival = v;
	ns->o[ns->n].buf = buf;
	ns->o[ns->n].blen = blen;
	ns->n++;
}

/* A DataRefObject after NameOp: integers and buffers. */
static const uint8_t *data_object(const uint8_t *p, const uint8_t *end, const char *path,
				  struct aml_ns *ns)
{
	size_t nb, len, size = 0;
	const uint8_t *pkg_end;

	assert_true(p < end);
	switch (p[0]) {
	case 0x00: add_obj(ns, path, 1, 0, NULL, 0); return p + 1;          /* ZeroOp */
	case 0x01: add_obj(ns, path, 1, 1, NULL, 0); return p + 1;          /* OneOp */
	case 0xFF: add_obj(ns, path, 1, ~0ull, NULL, 0); return p + 1;      /* OnesOp */
	case 0x0A: assert_true(p + 2 <= end); add_obj(ns, path, 1, p[1], NULL, 0); return p + 2;
	case 0x0B: assert_true(p + 3 <= end); add_obj(ns, path, 1, le(p + 1, 2), NULL, 0); return p + 3;
	case 0x0C: assert_true(p + 5 <= end); add_obj(ns, path, 1, le(p + 1, 4), NULL, 0); return p + 5;
	case 0x0E: assert_true(p + 9 <= end); add_obj(ns, path, 1, le(p + 1, 8), NULL, 0); return p + 9;
	case 0x11:                                                           /* BufferOp */
		len = pkglen(p + 1, end, &nb);
		pkg_end = p + 1 + len;
		assert_true(pkg_end <= end);
		p += 1 + nb;
		/* BufferSize: a TermArg, here an integer constant. */
		if (p[0] == 0x0A) { size = p[1]; p += 2; }
		else if (p[0] == 0x0B) { size = le(p + 1, 2); p += 3; }
		else fail_msg("BufferSize opcode 0x%02x", p[0]);
		assert_int_equal((size_t)(pkg_end - p), size);       /* initialiser fills it */
		add_obj(ns, path, 2, 0, p, size);
		return pkg_end;
	default:
		fail_msg("unexpected data object opcode 0x%02x", p[0]);
	}
	return end;
}

static void term_list(const uint8_t *p, const uint8_t *end, const char *scope, struct aml_ns *ns)
{
	while (p < end) {
		char path[48];
		size_t nb, len;
		const uint8_t *pkg_end;

		switch (p[0]) {
		case 0x10:                                      /* ScopeOp */
			len = pkglen(p + 1, end, &nb);
			pkg_end = p + 1 + len;
			assert_true(pkg_end <= end);
			p = name_string(p + 1 + nb, pkg_end, scope, path, sizeof(path));
			term_list(p, pkg_end, path, ns);
			p = pkg_end;
			break;
		case 0x5B:                                      /* ExtOpPrefix */
			assert_true(p + 2 <= end);
			assert_int_equal(p[1], 0x82);           /* DeviceOp only */
			len = pkglen(p + 2, end, &nb);
			pkg_end = p + 2 + len;
			assert_true(pkg_end <= end);
			p = name_string(p + 2 + nb, pkg_end, scope, path, sizeof(path));
			assert_true(ns->n_dev < 4);
			snprintf(ns->devices[ns->n_dev++], sizeof(ns->devices[0]), "%s", path);
			term_list(p, pkg_end, path, ns);
			p = pkg_end;
			break;
		case 0x08:                                      /* NameOp */
			p = name_string(p + 1, end, scope, path, sizeof(path));
			p = data_object(p, end, path, ns);
			break;
		default:
			fail_msg("unexpected opcode 0x%02x", p[0]);
		}
	}
	assert_ptr_equal(p, end);
}

static const struct aml_obj *find(const struct aml_ns *ns, const char *path)
{
	for (int i = 0; i < ns->n; i++)
		if (strcmp(ns->o[i].path, path) == 0)
			return &ns->o[i];
	fail_msg("%s not found", path);
	return NULL;
}

/* EISAID ("PNP0A08") as the DWord AML stores it. */
static uint32_t eisaid(const char *id)
{
	uint32_t v = (uint32_t)((id[0] - 0x40) << 26 | (id[1] - 0x40) << 21 | (id[2] - 0x40) << 16);

	v |= (uint32_t)strtoul(id + 3, NULL, 16);
	/* stored big-endian in the 32-bit integer */
	return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

struct crs {
	int n_bus, n_io, n_wordio, n_mem32, n_mem64;
	uint64_t bus_min, bus_max, bus_len;
	uint64_t io_min, io_max, io_aln, io_len;
	uint64_t wio_min[2], wio_max[2], wio_len[2];
	uint64_t m32_min, m32_max, m32_len;
	uint64_t m64_min, m64_max, m64_len;
	size_t m32_off, m64_off;        /* offsets of the _MIN fields in the buffer */
};

/* Resource descriptors (§6.4): small items until the End Tag. */
static void decode_crs(const uint8_t *b, size_t n, struct crs *c)
{
	size_t i = 0;
	bool ended = false;

	memset(c, 0, sizeof(*c));
	while (i < n) {
		uint8_t t = b[i];

		assert_false(ended);
		if (!(t & 0x80)) {                              /* small item */
			unsigned tag = (t >> 3) & 0x0F, len = t & 7;

			assert_true(i + 1 + len <= n);
			if (tag == 0x08) {                      /* I/O port */
				assert_int_equal(len, 7);
				assert_int_equal(b[i + 1], 1);  /* 16-bit decode */
				c->io_min = le(b + i + 2, 2);
				c->io_max = le(b + i + 4, 2);
				c->io_aln = b[i + 6];
				c->io_len = b[i + 7];
				c->n_io++;
			} else if (tag == 0x0F) {               /* End Tag */
				assert_int_equal(len, 1);
				assert_int_equal(b[i + 1], 0);  /* checksum 0: none */
				ended = true;
			} else {
				fail_msg("small tag 0x%x", tag);
			}
			i += 1 + len;
		} else {                                        /* large item */
			unsigned tag = t & 0x7F;
			size_t len;
			const uint8_t *d;

			assert_true(i + 3 <= n);
			len = le(b + i + 1, 2);
			assert_true(i + 3 + len <= n);
			d = b + i + 3;                          /* type, flags, type flags */
			assert_int_equal(d[1], 0x0C);           /* producer, pos decode, min/max fixed */
			if (tag == 0x08) {                      /* Word address space */
				assert_int_equal(len, 13);
				assert_int_equal(le(d + 3, 2), 0);      /* _GRA */
				assert_int_equal(le(d + 9, 2), 0);      /* _TRA */
				if (d[0] == 2) {
					c->bus_min = le(d + 5, 2);
					c->bus_max = le(d + 7, 2);
					c->bus_len = le(d + 11, 2);
					c->n_bus++;
				} else {
					assert_int_equal(d[0], 1);      /* I/O */
					assert_int_equal(d[2], 3);      /* entire range */
					assert_true(c->n_wordio < 2);
					c->wio_min[c->n_wordio] = le(d + 5, 2);
					c->wio_max[c->n_wordio] = le(d + 7, 2);
					c->wio_len[c->n_wordio] = le(d + 11, 2);
					c->n_wordio++;
				}
			} else if (tag == 0x07) {               /* DWord address space */
				assert_int_equal(len, 23);
				assert_int_equal(d[0], 0);      /* memory */
				assert_int_equal(d[2] & 1, 1);  /* read/write */
				assert_int_equal(le(d + 3, 4), 0);
				assert_int_equal(le(d + 15, 4), 0);
				c->m32_min = le(d + 7, 4);
				c->m32_max = le(d + 11, 4);
				c->m32_len = le(d + 19, 4);
				c->m32_off = (size_t)(d + 7 - b);
				c->n_mem32++;
			} else if (tag == 0x0A) {               /* QWord address space */
				assert_int_equal(len, 43);
				assert_int_equal(d[0], 0);
				assert_int_equal(d[2] & 1, 1);
				assert_int_equal(le(d + 3, 8), 0);
				assert_int_equal(le(d + 27, 8), 0);
				c->m64_min = le(d + 11, 8);
				c->m64_max = le(d + 19, 8);
				c->m64_len = le(d + 35, 8);
				c->m64_off = (size_t)(d + 11 - b);
				c->n_mem64++;
			} else {
				fail_msg("large tag 0x%x", tag);
			}
			i += 3 + len;
		}
	}
	assert_true(ended);
	assert_int_equal(i, n);
}

static void check_dsdt(const struct e820_entry *t, size_t n, uint64_t m32_min, uint64_t m64_min,
		       uint64_t m64_max)
{
	struct built b;
	struct aml_ns ns;
	const struct aml_obj *o;
	struct crs c;

	build(&b, 2, false, t, n);
	memset(&ns, 0, sizeof(ns));
	term_list(b.dsdt + ACPI_HDR_SIZE, b.dsdt + le(b.dsdt + 4, 4), "", &ns);

	assert_int_equal(ns.n_dev, 1);
	assert_string_equal(ns.devices[0], "\\_SB_.PCI0");
	assert_int_equal(ns.n, 6);
	o = find(&ns, "\\_SB_.PCI0._HID");
	assert_int_equal(o->kind, 1);
	assert_int_equal(o->ival, eisaid("PNP0A08"));
	assert_int_equal(o->ival, 0x080AD041u);
	o = find(&ns, "\\_SB_.PCI0._CID");
	assert_int_equal(o->ival, eisaid("PNP0A03"));
	assert_int_equal(find(&ns, "\\_SB_.PCI0._SEG")->ival, 0);
	assert_int_equal(find(&ns, "\\_SB_.PCI0._BBN")->ival, 0);
	assert_int_equal(find(&ns, "\\_SB_.PCI0._UID")->ival, 0);
	o = find(&ns, "\\_SB_.PCI0._CRS");
	assert_int_equal(o->kind, 2);
	decode_crs(o->buf, o->blen, &c);

	assert_int_equal(c.n_bus, 1);
	assert_int_equal(c.bus_min, 0);
	assert_int_equal(c.bus_max, 0xFF);
	assert_int_equal(c.bus_len, 0x100);
	assert_int_equal(c.n_io, 1);
	assert_int_equal(c.io_min, 0xCF8);
	assert_int_equal(c.io_max, 0xCF8);
	assert_int_equal(c.io_aln, 1);
	assert_int_equal(c.io_len, 8);
	assert_int_equal(c.n_wordio, 2);
	assert_int_equal(c.wio_min[0], 0);
	assert_int_equal(c.wio_max[0], 0xCF7);
	assert_int_equal(c.wio_len[0], 0xCF8);
	assert_int_equal(c.wio_min[1], 0xD00);
	assert_int_equal(c.wio_max[1], 0xFFFF);
	assert_int_equal(c.wio_len[1], 0xF300);
	assert_int_equal(c.n_mem32, 1);
	assert_int_equal(c.m32_min, m32_min);
	assert_int_equal(c.m32_max, 0xFEBFFFFFu);
	assert_int_equal(c.m32_len, 0xFEC00000u - m32_min);
	assert_int_equal(c.n_mem64, 1);
	assert_int_equal(c.m64_min, m64_min);
	assert_int_equal(c.m64_max, m64_max);
	assert_int_equal(c.m64_len, m64_max - m64_min + 1);
	/* The header's patch offsets name the decoded fields. */
	assert_int_equal((size_t)(o->buf - b.dsdt) + c.m32_off, ACPI_DSDT_M32_MIN);
	assert_int_equal((size_t)(o->buf - b.dsdt) + c.m64_off, ACPI_DSDT_M64_MIN);
	assert_int_equal(le(b.dsdt + ACPI_DSDT_M32_MAX, 4), 0xFEBFFFFFu);
	assert_int_equal(le(b.dsdt + ACPI_DSDT_M32_LEN, 4), c.m32_len);
	assert_int_equal(le(b.dsdt + ACPI_DSDT_M64_MAX, 8), m64_max);
	assert_int_equal(le(b.dsdt + ACPI_DSDT_M64_LEN, 8), c.m64_len);
	/* Windows miss every e820 range. */
	for (size_t i = 0; i < n; i++) {
		uint64_t a = t[i].addr, e = t[i].addr + t[i].size;

		assert_false(a <= c.m32_max && c.m32_min < e && a < 0xFEC00000u);
		assert_false(a <= c.m64_max && c.m64_min < e);
	}
	unbuild(&b);
}

static void test_dsdt_512m(void **s)
{
	(void)s;
	check_dsdt(ram512, 4, 512 * MiB, 4 * GiB, 68 * GiB - 1);
}

static void test_dsdt_3g_high(void **s)
{
	(void)s;
	check_dsdt(ram3g, 6, 2 * GiB, 5 * GiB, 69 * GiB - 1);
}

static void test_dsdt_odd_layouts(void **s)
{
	/* Low RAM ending off a 256 MiB boundary; high RAM ending off 1 GiB. */
	const struct e820_entry a[] = {
		{ 0, 0x9C000, E820_RAM },
		{ 0x100000, 0xB0000000 - 0x100000 + 0x1000, E820_RAM },
		{ 4 * GiB, 3 * GiB + 4096, E820_RAM },
	};
	/* Only low RAM, 2.75 GiB (q35 below 0xB0000000), a reserved range above. */
	const struct e820_entry b[] = {
		{ 0, 0xB0000000, E820_RAM },
		{ 0xC0000000, 0x1000, E820_RESERVED },
	};
	/* RAM up to 511 GiB: the 64-bit window follows it. */
	const struct e820_entry c[] = {
		{ 0, 2 * GiB, E820_RAM },
		{ 4 * GiB, 507 * GiB, E820_RAM },
	};

	(void)s;
	check_dsdt(a, 3, 0xC0000000, 8 * GiB, 72 * GiB - 1);
	check_dsdt(b, 2, 0xD0000000, 4 * GiB, 68 * GiB - 1);
	check_dsdt(c, 2, 0x80000000, 511 * GiB, 575 * GiB - 1);
}

static void test_pci_windows_limits(void **s)
{
	struct acpi_pci_windows w;
	/* RAM reaching the I/O APIC: no 32-bit window. */
	const struct e820_entry full[] = { { 0, 0xFEB00000, E820_RAM } };
	/* A range at 0xF0000001..: the window would start past 0xFEBFFFFF. */
	const struct e820_entry top[] = { { 0, 1 * GiB, E820_RAM }, { 0xF0000001, 0x10, E820_RESERVED } };
	/* Near 2^46: cut to end at 2^46 - 1. */
	const struct e820_entry near[] = { { 0, 1 * GiB, E820_RAM },
					   { (1ull << 46) - 8 * GiB, 4 * GiB, E820_RAM } };
	/* At 2^46 - 1 GiB: no room. */
	const struct e820_entry over[] = { { 0, 1 * GiB, E820_RAM },
					   { (1ull << 46) - 2 * GiB, 1 * GiB + 1, E820_RAM } };
	/* Above 2^46 (e.g. a VMSA page): ignored for the 64-bit window. */
	const struct e820_entry vmsa[] = { { 0, 1 * GiB, E820_RAM },
					   { 0xFFFFFFFFF000ull, 0x1000, E820_RESERVED } };
	const struct e820_entry wrap[] = { { 0xFFFFFFFFFFFFF000ull, 0x2000, E820_RAM } };

	(void)s;
	assert_int_equal(acpi_pci_windows(full, 1, &w), ACPI_ERR_LAYOUT);
	assert_int_equal(acpi_pci_windows(top, 2, &w), ACPI_ERR_LAYOUT);
	assert_int_equal(acpi_pci_windows(near, 2, &w), 0);
	assert_int_equal(w.mem64_min, (1ull << 46) - 4 * GiB);
	assert_int_equal(w.mem64_max, (1ull << 46) - 1);
	assert_int_equal(acpi_pci_windows(over, 2, &w), ACPI_ERR_LAYOUT);
	assert_int_equal(acpi_pci_windows(vmsa, 2, &w), 0);
	assert_int_equal(w.mem32_min, 1 * GiB);
	assert_int_equal(w.mem64_min, 4 * GiB);
	assert_int_equal(acpi_pci_windows(wrap, 1, &w), ACPI_ERR_INVAL);
	assert_int_equal(acpi_pci_windows(NULL, 0, &w), 0);     /* empty map: defaults */
	assert_int_equal(w.mem32_min, 0);
	assert_int_equal(w.mem64_min, 4 * GiB);
}

/* ------------------------------------------------- bounds, determinism */

static void test_errors_and_bounds(void **s)
{
	struct acpi_config c = { .n_cpus = 2, .e820 = ram512, .n_e820 = 4, .pm_base = PM };
	const struct e820_entry full[] = { { 0, 0xFEB00000, E820_RAM } };
	size_t need;
	uint8_t *r;

	(void)s;
	r = new_region(STUB_ACPI_SIZE);
	c.n_cpus = 0;
	assert_int_equal(acpi_write(r, STUB_ACPI_SIZE, GPA, &c), ACPI_ERR_INVAL);
	c.n_cpus = 2;
	c.pm_base = 0;
	assert_int_equal(acpi_write(r, STUB_ACPI_SIZE, GPA, &c), ACPI_ERR_INVAL);
	c.snp = true;                                           /* SNP needs no PM block */
	assert_int_equal(acpi_write(r, STUB_ACPI_SIZE, GPA, &c), (int64_t)GPA);
	c.snp = false;
	c.pm_base = PM;
	assert_int_equal(acpi_write(r, STUB_ACPI_SIZE, GPA + 8, &c), ACPI_ERR_INVAL);
	assert_int_equal(acpi_write(r, 128, UINT64_MAX & ~63ull, &c), ACPI_ERR_INVAL);
	assert_int_equal(acpi_write(NULL, STUB_ACPI_SIZE, GPA, &c), ACPI_ERR_INVAL);
	assert_int_equal(acpi_write(r, STUB_ACPI_SIZE, GPA, NULL), ACPI_ERR_INVAL);
	assert_int_equal(acpi_write(r, ACPI_OFF_MADT - 1, GPA, &c), ACPI_ERR_SPACE);
	c.e820 = full;
	c.n_e820 = 1;
	assert_int_equal(acpi_write(r, STUB_ACPI_SIZE, GPA, &c), ACPI_ERR_LAYOUT);
	c.e820 = ram512;
	c.n_e820 = 4;
	/* Too many CPUs for the region. */
	c.n_cpus = 1000;
	assert_true(acpi_region_size(1000) > STUB_ACPI_SIZE);
	assert_int_equal(acpi_write(r, STUB_ACPI_SIZE, GPA, &c), ACPI_ERR_SPACE);
	free_region(r, STUB_ACPI_SIZE);

	/* Exactly the size needed works, one byte less does not; nothing is
	 * written outside (the guards of new_region). */
	for (uint32_t n = 1; n <= 600; n += 37) {
		c.n_cpus = n;
		need = acpi_region_size(n);
		r = new_region(need);
		assert_int_equal(acpi_write(r, need, GPA, &c), (int64_t)GPA);
		assert_int_equal(acpi_write(r, need - 1, GPA, &c), ACPI_ERR_SPACE);
		free_region(r, need);
	}
	/* The stub's region holds every VP count the stub accepts (254) and
	 * the 300 of the MADT test. */
	assert_true(acpi_region_size(300) <= STUB_ACPI_SIZE);
}

static void test_deterministic(void **s)
{
	struct acpi_config c = { .n_cpus = 4, .e820 = ram3g, .n_e820 = 6, .pm_base = PM };
	uint8_t *a = new_region(STUB_ACPI_SIZE), *b = new_region(STUB_ACPI_SIZE);

	(void)s;
	memset(b, 0x5A, STUB_ACPI_SIZE);                        /* stale contents are cleared */
	assert_int_equal(acpi_write(a, STUB_ACPI_SIZE, GPA, &c), (int64_t)GPA);
	assert_int_equal(acpi_write(b, STUB_ACPI_SIZE, GPA, &c), (int64_t)GPA);
	assert_memory_equal(a, b, STUB_ACPI_SIZE);
	/* After the MADT, zeros. */
	for (size_t i = ACPI_OFF_MADT + le(a + ACPI_OFF_MADT + 4, 4); i < STUB_ACPI_SIZE; i++)
		assert_int_equal(a[i], 0);
	/* The GPA only moves pointers (and their checksums). */
	assert_int_equal(acpi_write(b, STUB_ACPI_SIZE, 0x80000, &c), 0x80000);
	assert_int_equal(le(b + 24, 8), 0x80000 + ACPI_OFF_XSDT);
	assert_memory_equal(a + ACPI_OFF_DSDT, b + ACPI_OFF_DSDT, ACPI_DSDT_SIZE);
	assert_memory_equal(a + ACPI_OFF_MADT, b + ACPI_OFF_MADT, le(a + ACPI_OFF_MADT + 4, 4));
	free_region(a, STUB_ACPI_SIZE);
	free_region(b, STUB_ACPI_SIZE);
}

/* The stub's constants agree with the builder's. */
static void test_stub_abi(void **s)
{
	(void)s;
	assert_int_equal(STUB_GPA_ACPI + STUB_ACPI_SIZE, STUB_GPA_MPTABLE);
	assert_int_equal(STUB_GPA_ACPI % 64, 0);
	assert_true(STUB_GPA_ACPI >= STUB_GPA_LOW_END);
	assert_true(acpi_region_size(254) <= STUB_ACPI_SIZE);
	assert_int_equal(STUB_BP_ACPI_RSDP, 0x070);
	assert_int_equal(ACPI_E820_TYPE, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madt_1),
		cmocka_unit_test(test_madt_2),
		cmocka_unit_test(test_madt_254),
		cmocka_unit_test(test_madt_300),
		cmocka_unit_test(test_fadt_native),
		cmocka_unit_test(test_fadt_snp),
		cmocka_unit_test(test_dsdt_512m),
		cmocka_unit_test(test_dsdt_3g_high),
		cmocka_unit_test(test_dsdt_odd_layouts),
		cmocka_unit_test(test_pci_windows_limits),
		cmocka_unit_test(test_errors_and_bounds),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_stub_abi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
