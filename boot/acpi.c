/* acpi: see acpi.h.  No libc: byte-wise little-endian stores.  Spec
 * references are to ACPI 6.5 (uefi.org/specs/ACPI/6.5). */
#include "boot/acpi.h"
#include "boot/fwtab.h"

/* Fixed identification strings: the tables are byte-for-byte deterministic. */
#define OEM_ID        "CCGST "      /* 6 bytes */
#define CREATOR_ID    "CCGS"        /* 4 bytes */
#define CREATOR_REV   1u
#define OEM_REV       1u

#define FADT_REVISION       6u
#define FADT_MINOR          5u      /* ACPI 6.5 */
#define MADT_REVISION       5u
#define DSDT_REVISION       2u      /* 64-bit AML integers */
#define XSDT_REVISION       1u
#define FACS_VERSION        2u

/* FADT Flags (§5.2.9 table 5.10) */
#define FADT_F_WBINVD           (1u << 0)
#define FADT_F_PROC_C1          (1u << 2)
#define FADT_F_PWR_BUTTON       (1u << 4)   /* no fixed power button */
#define FADT_F_SLP_BUTTON       (1u << 5)   /* no fixed sleep button */
#define FADT_F_HW_REDUCED_ACPI  (1u << 20)
/* IA-PC boot architecture flags (§5.2.9.3 table 5.11) */
#define IAPC_LEGACY_DEVICES     (1u << 0)
#define IAPC_8042               (1u << 1)
#define IAPC_VGA_NOT_PRESENT    (1u << 2)
/* MADT */
#define MADT_PCAT_COMPAT        1u
#define MADT_ENABLED            1u
#define MADT_ISO_HIGH_LEVEL     0x000Du     /* polarity 01 active high, trigger 11 level */
/* Generic Address Structure (§5.2.3.2): 12 bytes */
#define GAS_SYSTEM_IO           1u
#define GAS_ACCESS_BYTE         1u
#define GAS_ACCESS_WORD         2u
#define GAS_ACCESS_DWORD        3u

uint8_t acpi_checksum(const uint8_t *p, size_t n)
{
	return fwtab_checksum(p, n);
}

/* System description table header (§5.2.6): signature, length, revision,
 * checksum (filled last by seal()), OEM ID, OEM table ID, OEM revision,
 * creator ID, creator revision. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *table_id)
{
	fwtab_put_str(t, sig, 4);
	fwtab_put(t + 4, len, 4);
	t[8] = rev;
	t[9] = 0;
	fwtab_put_str(t + 10, OEM_ID, 6);
	fwtab_put_str(t + 16, table_id, 8);
	fwtab_put(t + 24, OEM_REV, 4);
	fwtab_put_str(t + 28, CREATOR_ID, 4);
	fwtab_put(t + 32, CREATOR_REV, 4);
}

static void seal(uint8_t *t, uint32_t len)
{
	t[9] = acpi_checksum(t, len);
}

/* GAS for an I/O port block of len bytes. */
static void gas_io(uint8_t *g, uint16_t port, unsigned len)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = (uint8_t)(len * 8u);         /* register bit width */
	g[2] = 0;                           /* bit offset */
	g[3] = len == 1 ? GAS_ACCESS_BYTE : len == 2 ? GAS_ACCESS_WORD : GAS_ACCESS_DWORD;
	fwtab_put(g + 4, port, 8);
}

/*
 * The DSDT's AML after its 36-byte header (§19 "ACPI Source Language" for
 * the ASL, §20 "ACPI Machine Language Specification" for the encoding,
 * §6.4 for the resource descriptors).  The ASL it encodes:
 *
 *   Scope (\_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A08"))       // PCI Express root bridge
 *       Name (_CID, EisaId ("PNP0A03"))       // PCI root bridge
 *       Name (_SEG, Zero)
 *       Name (_BBN, Zero)
 *       Name (_UID, Zero)
 *       Name (_CRS, ResourceTemplate () {
 *         WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
 *                        0, 0x00, 0xFF, 0, 0x100)
 *         IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
 *         WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
 *                 0, 0x0000, 0x0CF7, 0, 0x0CF8)
 *         WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
 *                 0, 0x0D00, 0xFFFF, 0, 0xF300)
 *         DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
 *                      NonCacheable, ReadWrite, 0, MIN32, MAX32, 0, LEN32)
 *         QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
 *                      Cacheable, ReadWrite, 0, MIN64, MAX64, 0, LEN64)
 *       })
 *     }
 *   }
 *
 * MIN/MAX/LEN of the two memory windows are zero here and patched by
 * acpi_write from the memory map (ACPI_DSDT_M32_* / ACPI_DSDT_M64_*).
 * No _PRT: the guest's PCI devices are virtio-pci, which use MSI-X, so no
 * INTx routing is described (an INTx-only device would get no IRQ).  No
 * _OSC: Linux keeps the defaults (no native PCIe hotplug/AER control).
 *
 * PkgLength (§20.2.4): bits 7:6 of the first byte = number of following
 * bytes; with one following byte, bits 3:0 of the first byte are the low
 * nibble of the length and the next byte holds bits 11:4.  The length
 * counts the PkgLength bytes themselves and everything after them in the
 * package.  Sizes: Scope 193, Device 184, Buffer 134, all < 4096.
 */
static const uint8_t dsdt_aml[ACPI_DSDT_SIZE - ACPI_HDR_SIZE] = {
	/* 36 */ 0x10,                         /* ScopeOp */
	/* 37 */ 0x41, 0x0C,                   /* PkgLength 0xC1 = 193 */
	/* 39 */ 0x5C, '_', 'S', 'B', '_',     /* NameString \_SB_ (RootChar + NameSeg) */
	/* 44 */ 0x5B, 0x82,                   /* DeviceOp (ExtOpPrefix 0x5B, 0x82) */
	/* 46 */ 0x48, 0x0B,                   /* PkgLength 0xB8 = 184 */
	/* 48 */ 'P', 'C', 'I', '0',           /* NameSeg PCI0 */
	/* 52 */ 0x08, '_', 'H', 'I', 'D',     /* NameOp _HID */
	/* 57 */ 0x0C, 0x41, 0xD0, 0x0A, 0x08, /* DWordConst EISAID "PNP0A08" (0x080AD041) */
	/* 62 */ 0x08, '_', 'C', 'I', 'D',     /* NameOp _CID */
	/* 67 */ 0x0C, 0x41, 0xD0, 0x0A, 0x03, /* DWordConst EISAID "PNP0A03" (0x030AD041) */
	/* 72 */ 0x08, '_', 'S', 'E', 'G',     /* NameOp _SEG */
	/* 77 */ 0x00,                         /* ZeroOp: PCI segment 0 */
	/* 78 */ 0x08, '_', 'B', 'B', 'N',     /* NameOp _BBN */
	/* 83 */ 0x00,                         /* ZeroOp: base bus number 0 */
	/* 84 */ 0x08, '_', 'U', 'I', 'D',     /* NameOp _UID */
	/* 89 */ 0x00,                         /* ZeroOp */
	/* 90 */ 0x08, '_', 'C', 'R', 'S',     /* NameOp _CRS */
	/* 95 */ 0x11,                         /* BufferOp */
	/* 96 */ 0x46, 0x08,                   /* PkgLength 0x86 = 134 */
	/* 98 */ 0x0A, 0x82,                   /* BufferSize: BytePrefix 130 */
	/* 100: Word Address Space Descriptor, bus number range (§6.4.3.5.3) */
	0x88, 0x0D, 0x00,                      /* tag: large item 0x08, length 13 */
	0x02,                                  /* resource type 2: bus number range */
	0x0C,                                  /* general flags: _MAF|_MIF fixed, _DEC pos, producer */
	0x00,                                  /* type-specific flags */
	0x00, 0x00,                            /* _GRA */
	0x00, 0x00,                            /* _MIN 0 */
	0xFF, 0x00,                            /* _MAX 0xFF */
	0x00, 0x00,                            /* _TRA */
	0x00, 0x01,                            /* _LEN 0x100 */
	/* 116: I/O Port Descriptor (§6.4.2.5): the configuration mechanism #1 ports */
	0x47,                                  /* tag: small item 0x08, length 7 */
	0x01,                                  /* information: 16-bit decode */
	0xF8, 0x0C,                            /* _MIN 0x0CF8 */
	0xF8, 0x0C,                            /* _MAX 0x0CF8 */
	0x01,                                  /* _ALN 1 */
	0x08,                                  /* _LEN 8 */
	/* 124: Word Address Space Descriptor, I/O range below 0xCF8 */
	0x88, 0x0D, 0x00,                      /* tag, length 13 */
	0x01,                                  /* resource type 1: I/O range */
	0x0C,                                  /* general flags (as above) */
	0x03,                                  /* type-specific: _RNG 3 = entire range */
	0x00, 0x00,                            /* _GRA */
	0x00, 0x00,                            /* _MIN 0x0000 */
	0xF7, 0x0C,                            /* _MAX 0x0CF7 */
	0x00, 0x00,                            /* _TRA */
	0xF8, 0x0C,                            /* _LEN 0x0CF8 */
	/* 140: Word Address Space Descriptor, I/O range above 0xCFF */
	0x88, 0x0D, 0x00,                      /* tag, length 13 */
	0x01,                                  /* I/O range */
	0x0C,                                  /* general flags */
	0x03,                                  /* entire range */
	0x00, 0x00,                            /* _GRA */
	0x00, 0x0D,                            /* _MIN 0x0D00 */
	0xFF, 0xFF,                            /* _MAX 0xFFFF */
	0x00, 0x00,                            /* _TRA */
	0x00, 0xF3,                            /* _LEN 0xF300 */
	/* 156: DWord Address Space Descriptor, 32-bit memory window (§6.4.3.5.2) */
	0x87, 0x17, 0x00,                      /* tag: large item 0x07, length 23 */
	0x00,                                  /* resource type 0: memory range */
	0x0C,                                  /* general flags */
	0x01,                                  /* type-specific: _RW read/write, _MEM non-cacheable */
	0x00, 0x00, 0x00, 0x00,                /* 162 _GRA */
	0x00, 0x00, 0x00, 0x00,                /* 166 _MIN (patched) */
	0x00, 0x00, 0x00, 0x00,                /* 170 _MAX (patched) */
	0x00, 0x00, 0x00, 0x00,                /* 174 _TRA */
	0x00, 0x00, 0x00, 0x00,                /* 178 _LEN (patched) */
	/* 182: QWord Address Space Descriptor, 64-bit memory window (§6.4.3.5.1) */
	0x8A, 0x2B, 0x00,                      /* tag: large item 0x0A, length 43 */
	0x00,                                  /* memory range */
	0x0C,                                  /* general flags */
	0x03,                                  /* type-specific: _RW read/write, _MEM cacheable */
	0, 0, 0, 0, 0, 0, 0, 0,                /* 188 _GRA */
	0, 0, 0, 0, 0, 0, 0, 0,                /* 196 _MIN (patched) */
	0, 0, 0, 0, 0, 0, 0, 0,                /* 204 _MAX (patched) */
	0, 0, 0, 0, 0, 0, 0, 0,                /* 212 _TRA */
	0, 0, 0, 0, 0, 0, 0, 0,                /* 220 _LEN (patched) */
	/* 228: End Tag (§6.4.2.9) */
	0x79, 0x00,                            /* tag: small item 0x0F, length 1; checksum 0 = none */
};

int acpi_pci_windows(const struct e820_entry *t, size_t n, struct acpi_pci_windows *w)
{
	uint64_t low = 0, high = 1ull << 32;

	for (size_t i = 0; i < n; i++) {
		uint64_t a = t[i].addr, e = t[i].addr + t[i].size;

		if (t[i].size == 0 || e < a)
			return ACPI_ERR_INVAL;
		if (a <= ACPI_PCI32_END && e > low)
			low = e;
		if (a < ACPI_PCI64_LIMIT && e > high)
			high = e;
	}
	/* 32-bit: from a 256 MiB boundary above everything below the I/O APIC. */
	if (low > ACPI_PCI32_END)
		return ACPI_ERR_LAYOUT;
	w->mem32_min = (low + ACPI_PCI32_ALIGN - 1) & ~(ACPI_PCI32_ALIGN - 1);
	w->mem32_max = ACPI_PCI32_END;
	if (w->mem32_min > ACPI_PCI32_END)
		return ACPI_ERR_LAYOUT;
	/* 64-bit: above 4 GiB and above everything in the map, below 2^46. */
	if (high > ACPI_PCI64_LIMIT - ACPI_PCI64_ALIGN)
		return ACPI_ERR_LAYOUT;
	w->mem64_min = (high + ACPI_PCI64_ALIGN - 1) & ~(ACPI_PCI64_ALIGN - 1);
	w->mem64_max = w->mem64_min + ACPI_PCI64_SIZE - 1;
	if (w->mem64_max > ACPI_PCI64_LIMIT - 1)
		w->mem64_max = ACPI_PCI64_LIMIT - 1;
	return 0;
}

static size_t madt_size(uint32_t n_cpus, bool snp)
{
	size_t nx = n_cpus > ACPI_XAPIC_MAX_ID + 1u ? n_cpus - (ACPI_XAPIC_MAX_ID + 1u) : 0;
	size_t nl = (size_t)n_cpus - nx;

	return ACPI_MADT_HDR_SIZE + nl * ACPI_MADT_LAPIC_SIZE + nx * ACPI_MADT_X2APIC_SIZE +
	       ACPI_MADT_IOAPIC_SIZE + (snp ? 1u : 2u) * ACPI_MADT_ISO_SIZE;
}

size_t acpi_region_size(uint32_t n_cpus)
{
	return ACPI_OFF_MADT + madt_size(n_cpus, false);
}

static void write_rsdp(uint8_t *r, uint64_t xsdt)
{
	fwtab_put_str(r, "RSD PTR ", 8);
	fwtab_put_str(r + 9, OEM_ID, 6);
	r[15] = 2;                          /* revision 2: ACPI 2.0+ (XSDT) */
	fwtab_put(r + 16, 0, 4);                  /* RsdtAddress: none, the XSDT is used */
	fwtab_put(r + 20, ACPI_RSDP_SIZE, 4);     /* Length */
	fwtab_put(r + 24, xsdt, 8);               /* XsdtAddress */
	r[8] = acpi_checksum(r, 20);        /* over the ACPI 1.0 part */
	r[32] = acpi_checksum(r, ACPI_RSDP_SIZE); /* extended checksum */
}

static void write_facs(uint8_t *f)
{
	fwtab_put_str(f, "FACS", 4);
	fwtab_put(f + 4, ACPI_FACS_SIZE, 4);
	/* hardware signature, waking vectors, global lock, flags: 0 */
	f[32] = FACS_VERSION;
}

/* FADT (§5.2.9 table 5.9). */
static void write_fadt(uint8_t *f, uint64_t dsdt, uint64_t facs, const struct acpi_config *c)
{
	header(f, "FACP", ACPI_FADT_SIZE, FADT_REVISION, "CCGSTFAC");
	fwtab_put(f + 46, ACPI_SCI_IRQ, 2);       /* SCI_INT (ignored when hardware-reduced) */
	fwtab_put(f + 48, 0, 4);                  /* SMI_CMD 0: already in ACPI mode */
	if (c->snp) {
		/* Hardware-reduced ACPI (§4.1): no PM/GPE blocks, no SCI, no
		 * FACS, no PIC/PIT (Linux then skips the legacy PIC and the
		 * PIT timer: acpi_reduced_hw_init).  Cloud Hypervisor, the SNP
		 * target, has no PIT/PIC/ICH9 PM and uses a hardware-reduced
		 * FADT itself; IAPC_BOOT_ARCH says no legacy devices and no
		 * 8042. */
		fwtab_put(f + 109, IAPC_VGA_NOT_PRESENT, 2);
		fwtab_put(f + 112, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
			     FADT_F_HW_REDUCED_ACPI, 4);
	} else {
		/* Full ACPI: ACPICA requires PM1a_EVT and PM1a_CNT (fixed
		 * event setup fails without them and the interpreter is not
		 * started), so the ICH9 PM blocks at pm_base are described;
		 * the PM timer comes for free.  No GPE block, no PM2. */
		uint16_t pm = c->pm_base;

		fwtab_put(f + 56, pm + ACPI_PM1_EVT_OFF, 4); /* PM1a_EVT_BLK */
		fwtab_put(f + 64, pm + ACPI_PM1_CNT_OFF, 4); /* PM1a_CNT_BLK */
		fwtab_put(f + 76, pm + ACPI_PM_TMR_OFF, 4);  /* PM_TMR_BLK */
		f[88] = ACPI_PM1_EVT_LEN;
		f[89] = ACPI_PM1_CNT_LEN;
		f[91] = ACPI_PM_TMR_LEN;
		fwtab_put(f + 109, IAPC_LEGACY_DEVICES | IAPC_8042 | IAPC_VGA_NOT_PRESENT, 2);
		fwtab_put(f + 112, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON,
		    4);                         /* PM timer 24-bit: no TMR_VAL_EXT */
		fwtab_put(f + 132, facs, 8);          /* X_FIRMWARE_CTRL (FIRMWARE_CTRL at 36 stays 0) */
		gas_io(f + 148, (uint16_t)(pm + ACPI_PM1_EVT_OFF), ACPI_PM1_EVT_LEN);
		gas_io(f + 172, (uint16_t)(pm + ACPI_PM1_CNT_OFF), ACPI_PM1_CNT_LEN);
		gas_io(f + 208, (uint16_t)(pm + ACPI_PM_TMR_OFF), ACPI_PM_TMR_LEN);
	}
	f[131] = FADT_MINOR;                /* FADT minor version */
	fwtab_put(f + 140, dsdt, 8);              /* X_DSDT (DSDT at 40 stays 0) */
	seal(f, ACPI_FADT_SIZE);
}

static void write_dsdt(uint8_t *d, const struct acpi_pci_windows *w)
{
	header(d, "DSDT", ACPI_DSDT_SIZE, DSDT_REVISION, "CCGSTDSD");
	for (size_t i = 0; i < sizeof(dsdt_aml); i++)
		d[ACPI_HDR_SIZE + i] = dsdt_aml[i];
	fwtab_put(d + ACPI_DSDT_M32_MIN, w->mem32_min, 4);
	fwtab_put(d + ACPI_DSDT_M32_MAX, w->mem32_max, 4);
	fwtab_put(d + ACPI_DSDT_M32_LEN, w->mem32_max - w->mem32_min + 1, 4);
	fwtab_put(d + ACPI_DSDT_M64_MIN, w->mem64_min, 8);
	fwtab_put(d + ACPI_DSDT_M64_MAX, w->mem64_max, 8);
	fwtab_put(d + ACPI_DSDT_M64_LEN, w->mem64_max - w->mem64_min + 1, 8);
	seal(d, ACPI_DSDT_SIZE);
}

static uint8_t *iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = 2;                           /* Interrupt Source Override */
	e[1] = ACPI_MADT_ISO_SIZE;
	e[2] = 0;                           /* bus: ISA */
	e[3] = irq;                         /* source */
	fwtab_put(e + 4, gsi, 4);
	fwtab_put(e + 8, flags, 2);
	return e + ACPI_MADT_ISO_SIZE;
}

/* MADT (§5.2.12). */
static void write_madt(uint8_t *m, uint32_t len, const struct acpi_config *c)
{
	uint8_t *e = m + ACPI_MADT_HDR_SIZE;

	header(m, "APIC", len, MADT_REVISION, "CCGSTMAD");
	fwtab_put(m + 36, ACPI_LAPIC_ADDR, 4);    /* local interrupt controller address */
	fwtab_put(m + 40, c->snp ? 0 : MADT_PCAT_COMPAT, 4); /* dual 8259 present (native) */
	for (uint32_t i = 0; i < c->n_cpus; i++) {
		if (i <= ACPI_XAPIC_MAX_ID) {
			e[0] = 0;                   /* Processor Local APIC */
			e[1] = ACPI_MADT_LAPIC_SIZE;
			e[2] = (uint8_t)i;          /* ACPI processor UID */
			e[3] = (uint8_t)i;          /* APIC ID */
			fwtab_put(e + 4, MADT_ENABLED, 4);
			e += ACPI_MADT_LAPIC_SIZE;
		} else {
			e[0] = 9;                   /* Processor Local x2APIC */
			e[1] = ACPI_MADT_X2APIC_SIZE;
			fwtab_put(e + 2, 0, 2);           /* reserved */
			fwtab_put(e + 4, i, 4);           /* x2APIC ID */
			fwtab_put(e + 8, MADT_ENABLED, 4);
			fwtab_put(e + 12, i, 4);          /* ACPI processor UID */
			e += ACPI_MADT_X2APIC_SIZE;
		}
	}
	e[0] = 1;                               /* I/O APIC */
	e[1] = ACPI_MADT_IOAPIC_SIZE;
	e[2] = 0;                               /* I/O APIC ID (the device's reset value) */
	e[3] = 0;
	fwtab_put(e + 4, ACPI_IOAPIC_ADDR, 4);
	fwtab_put(e + 8, 0, 4);                       /* GSI base */
	e += ACPI_MADT_IOAPIC_SIZE;
	/* ISA IRQ 0 (PIT) is wired to pin 2; flags 0 = ISA (edge, high). */
	e = iso(e, 0, 2, 0);
	if (!c->snp)                            /* the SCI: level, active high */
		e = iso(e, ACPI_SCI_IRQ, ACPI_SCI_IRQ, MADT_ISO_HIGH_LEVEL);
	(void)e;
	seal(m, len);
}

int64_t acpi_write(uint8_t *region, size_t len, uint64_t region_gpa, const struct acpi_config *c)
{
	struct acpi_pci_windows w;
	size_t madt;
	int rc;

	if (c == 0 || region == 0 || c->n_cpus == 0 || (!c->snp && c->pm_base == 0) ||
	    (region_gpa & 63u) != 0 || region_gpa > UINT64_MAX - len)
		return ACPI_ERR_INVAL;
	madt = madt_size(c->n_cpus, c->snp);
	if (len < ACPI_OFF_MADT || len - ACPI_OFF_MADT < madt || madt > UINT32_MAX)
		return ACPI_ERR_SPACE;
	rc = acpi_pci_windows(c->e820, c->n_e820, &w);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < len; i++)
		region[i] = 0;

	if (!c->snp)
		write_facs(region + ACPI_OFF_FACS);
	write_dsdt(region + ACPI_OFF_DSDT, &w);
	write_fadt(region + ACPI_OFF_FADT, region_gpa + ACPI_OFF_DSDT,
		   c->snp ? 0 : region_gpa + ACPI_OFF_FACS, c);
	write_madt(region + ACPI_OFF_MADT, (uint32_t)madt, c);

	header(region + ACPI_OFF_XSDT, "XSDT", ACPI_XSDT_SIZE, XSDT_REVISION, "CCGSTXSD");
	fwtab_put(region + ACPI_OFF_XSDT + ACPI_HDR_SIZE, region_gpa + ACPI_OFF_FADT, 8);
	fwtab_put(region + ACPI_OFF_XSDT + ACPI_HDR_SIZE + 8, region_gpa + ACPI_OFF_MADT, 8);
	seal(region + ACPI_OFF_XSDT, ACPI_XSDT_SIZE);

	write_rsdp(region + ACPI_OFF_RSDP, region_gpa + ACPI_OFF_XSDT);
	return (int64_t)(region_gpa + ACPI_OFF_RSDP);
}
