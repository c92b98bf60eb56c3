/* stub: the C part of the boot stub (entry.S calls stub_main).  Runs
 * identity-mapped in long mode with interrupts off, on the one stack page,
 * before Linux; freestanding, no libc.
 *
 *   1. check the measured stub_config (STUB_GPA_CONFIG);
 *   2. read the loader's parameter page: VP count and IGVM memory map
 *      (unmeasured: every offset and count is bounds-checked);
 *   3. build the e820 table: loader RAM, minus config reserved[], the legacy
 *      hole, the MP table area and the ACPI area (type 3); sorted, merged,
 *      at most 128 entries;
 *   4. SNP: make every e820 RAM page (and the MP table and ACPI areas) outside
 *      imported[] private and validate it;
 *   5. write the Intel MP table (one processor entry per VP) and the ACPI
 *      tables (boot/acpi.h: MADT for the VPs, DSDT with the PCI root bridge);
 *   6. store e820 and the RSDP address into boot_params and jump to the
 *      kernel's 64-bit entry with RSI = boot_params.
 * Any failure stops the guest: GHCB termination request on SNP, a byte to
 * the isa-debug-exit port 0xf4 then HLT on the native platform.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/le.h"
#include "boot/acpi.h"
#include "boot/e820.h"
#include "boot/mptable.h"
#include "boot/snp.h"
#include "boot/stub_abi.h"
#include "crypto/ct.h"
#include "crypto/sha256.h"

#define ENTRY_RESET 0u          /* entry.S: reset vector path (native) */
#define ENTRY_64    1u          /* entry.S: stub_entry64 (SNP VMSA) */

#define DEBUG_EXIT_PORT 0xf4    /* QEMU isa-debug-exit: exit status (v << 1) | 1 */
#define IDENTITY_MAP_END (512ull << 30)   /* the builder's page tables */

void stub_main(uint32_t entry) __attribute__((noreturn, used));
void stub_enter_kernel(uint64_t entry, uint64_t boot_params) __attribute__((noreturn));

/* GCC may emit calls to these even with -ffreestanding. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void explicit_bzero(void *d, size_t n);

void explicit_bzero(void *d, size_t n)
{
	memset(d, 0, n);
	__asm__ volatile("" : : "r"(d) : "memory");
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	if (p < q) {
		while (n--)
			*p++ = *q++;
	} else {
		while (n--)
			p[n] = q[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

static bool use_ghcb;   /* how to report failure: GHCB (SNP) or port 0xf4 */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define COM1 0x3f8

/* One line on the serial console (native only: on SNP port I/O would raise
 * #VC, which nothing handles yet). */
static void say(const char *msg)
{
	if (use_ghcb)
		return;
	for (; *msg; msg++) {
		if (*msg == '\n')
			outb(COM1, '\r');
		outb(COM1, (uint8_t)*msg);
	}
}

/* Native: one line naming the reason code (snp.h SNP_TERM_*), then status
 * 125 on isa-debug-exit, which `ccguest run` reports as "failed before the
 * workload ran" (host/runexit.h). */
#define STUB_EXIT_FAILED 125

static void __attribute__((noreturn)) fail_why(uint8_t code, const char *why)
{
	char line[] = "ccguest stub: boot failed, reason 0x00 (boot/snp.h SNP_TERM_*)\n";
	static const char hex[] = "0123456789abcdef";

	if (use_ghcb)
		snp_terminate(code);
	line[36] = hex[code >> 4];
	line[37] = hex[code & 15];
	say(why ? why : line);
	outb(DEBUG_EXIT_PORT, STUB_EXIT_FAILED);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void __attribute__((noreturn)) fail(uint8_t code)
{
	fail_why(code, NULL);
}

/* Scratch in .bss (inside the image; the stack is one page). */
static struct e820_entry work[STUB_PARAM_MEMMAP_MAX + STUB_RANGES_MAX + 2];
static struct e820_entry table[E820_MAX];

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

/* [base, base+size) (the MP table or the ACPI area) misses every range
 * of the builder. */
static bool area_free(const struct stub_config *c, uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < c->n_reserved; i++)
		if (overlaps(base, size, c->reserved[i].base, c->reserved[i].size))
			return false;
	for (uint32_t i = 0; i < c->n_imported; i++)
		if (overlaps(base, size, c->imported[i].base, c->imported[i].size))
			return false;
	return true;
}

/* Native (QEMU q35): the FADT of a non-hardware-reduced platform must name
 * PM1a event/control blocks (ACPICA does not start its interpreter
 * without them), and q35's are in the ICH9 LPC bridge at 00:1f.0, off
 * until firmware enables them.  Give them STUB_ACPI_PM_BASE (PMBASE, config
 * 0x40), turn decoding on (ACPI_CNTL 0x44 bit 7; SCI on IRQ 9, the reset
 * choice) and set PM1_CNT.SCI_EN, since the FADT says "already in ACPI
 * mode" (no SMI_CMD).  Returns false, touching nothing, on another chipset. */
#define PCI_CONF_ADDR      0xcf8
#define PCI_CONF_DATA      0xcfc
#define ICH9_LPC_CFG(reg)  (0x80000000u | (31u << 11) | (reg))  /* bus 0, dev 31, fn 0 */
#define ICH9_LPC_ID        0x29188086u                         /* device 2918, vendor 8086 */
#define ICH9_LPC_PMBASE    0x40u
#define ICH9_LPC_ACPI_CNTL 0x44u
#define ICH9_ACPI_EN       0x80u
#define ACPI_PM1_SCI_EN    0x0001u

static bool q35_pm_enable(void)
{
	uint16_t cnt = STUB_ACPI_PM_BASE + ACPI_PM1_CNT_OFF;

	outl(PCI_CONF_ADDR, ICH9_LPC_CFG(0));
	if (inl(PCI_CONF_DATA) != ICH9_LPC_ID)
		return false;
	outl(PCI_CONF_ADDR, ICH9_LPC_CFG(ICH9_LPC_PMBASE));
	outl(PCI_CONF_DATA, STUB_ACPI_PM_BASE | 1u);      /* bit 0: I/O space */
	outl(PCI_CONF_ADDR, ICH9_LPC_CFG(ICH9_LPC_ACPI_CNTL));
	outb(PCI_CONF_DATA, ICH9_ACPI_EN);
	outw(cnt, (uint16_t)(inw(cnt) | ACPI_PM1_SCI_EN));
	return true;
}

/* SHA-256 of [r->base, +r->size) equals want.  The range must lie below the
 * identity map's end and not wrap. */
static bool payload_ok(const struct stub_range *r, const uint8_t want[32])
{
	uint8_t got[32];

	if (r->size > IDENTITY_MAP_END || r->base > IDENTITY_MAP_END - r->size)
		return false;
	sha256((const void *)(uintptr_t)r->base, (size_t)r->size, got);
	return ct_memeq(got, want, sizeof(got)) == 1;
}

void stub_main(uint32_t entry)
{
	const struct stub_config *cfg = (const struct stub_config *)(uintptr_t)STUB_GPA_CONFIG;
	const uint8_t *param;
	uint8_t *bp;
	size_t n = 0;
	uint32_t vps;
	bool snp, want_mp, want_acpi;
	int64_t rsdp = 0;
	int nt;

	/* Until the config is trusted, the entry decides: only the SNP VMSA
	 * uses the 64-bit entry. */
	use_ghcb = entry == ENTRY_64;
	if (cfg->magic != STUB_CONFIG_MAGIC || cfg->version != STUB_CONFIG_VERSION ||
	    cfg->n_reserved > STUB_RANGES_MAX || cfg->n_imported > STUB_RANGES_MAX ||
	    cfg->vp_count_off > STUB_PAGE - 4 || cfg->memmap_off > STUB_PAGE ||
	    (cfg->param_page & (STUB_PAGE - 1)) || (cfg->zero_page & (STUB_PAGE - 1)) ||
	    cfg->param_page == 0 || cfg->zero_page == 0)
		fail(SNP_TERM_CONFIG);
	snp = (cfg->flags & STUB_FLAG_SNP) != 0;
	if (snp && entry != ENTRY_64) {
		use_ghcb = false;       /* native CPU: no GHCB */
		fail(SNP_TERM_ENTRY);
	}
	use_ghcb = snp;

	/* Parameter page: written by the loader, not measured. */
	param = (const uint8_t *)(uintptr_t)cfg->param_page;
	vps = le_ld32(param + cfg->vp_count_off);
	if (vps == 0)
		vps = 1;                /* no VP_COUNT parameter: the BSP alone */
	if (vps > MPTABLE_MAX_CPUS)
		fail(SNP_TERM_VP_COUNT);
	if (e820_parse_memmap(param, STUB_PAGE, cfg->memmap_off, cfg->memmap_max, work, &n,
			      STUB_PARAM_MEMMAP_MAX) <= 0)
		fail(SNP_TERM_MEMMAP);

	/* The MP table goes into the loader's RAM, outside the builder's ranges. */
	nt = e820_build(work, n, table, E820_MAX);
	if (nt < 0)
		fail(SNP_TERM_E820);
	want_mp = e820_covers(table, (size_t)nt, STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE, E820_RAM) &&
		  area_free(cfg, STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE);
	/* ACPI tables likewise; natively only where the PM block can be enabled. */
	want_acpi = e820_covers(table, (size_t)nt, STUB_GPA_ACPI, STUB_ACPI_SIZE, E820_RAM) &&
		    area_free(cfg, STUB_GPA_ACPI, STUB_ACPI_SIZE) && (snp || q35_pm_enable());

	for (uint32_t i = 0; i < cfg->n_reserved; i++)
		if (e820_add(work, &n, sizeof(work) / sizeof(work[0]), cfg->reserved[i].base,
			     cfg->reserved[i].size, E820_RESERVED) < 0)
			fail(SNP_TERM_CONFIG);
	if (want_mp &&
	    e820_add(work, &n, sizeof(work) / sizeof(work[0]), STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE,
		     E820_RESERVED) < 0)
		fail(SNP_TERM_E820);
	if (want_acpi &&
	    e820_add(work, &n, sizeof(work) / sizeof(work[0]), STUB_GPA_ACPI, STUB_ACPI_SIZE,
		     ACPI_E820_TYPE) < 0)
		fail(SNP_TERM_E820);
	nt = e820_build(work, n, table, E820_MAX);
	if (nt < 0)
		fail(SNP_TERM_E820);

	if (snp) {
		snp_negotiate();
		for (int i = 0; i < nt; i++) {
			if (table[i].type != E820_RAM)
				continue;
			if (table[i].addr + table[i].size > IDENTITY_MAP_END)
				fail(SNP_TERM_RANGE);
			snp_accept(table[i].addr, table[i].size, cfg->imported, cfg->n_imported);
		}
		if (want_mp)
			snp_accept(STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE, cfg->imported,
				   cfg->n_imported);
		if (want_acpi)
			snp_accept(STUB_GPA_ACPI, STUB_ACPI_SIZE, cfg->imported, cfg->n_imported);
	}
	if (want_mp && mptable_write((uint8_t *)(uintptr_t)STUB_GPA_MPTABLE, STUB_MPTABLE_SIZE,
				     STUB_GPA_MPTABLE, STUB_MPTABLE_FP_OFF, vps) < 0)
		fail(SNP_TERM_MPTABLE);
	if (want_acpi) {
		struct acpi_config ac = { .n_cpus = vps, .e820 = table, .n_e820 = (size_t)nt,
					  .snp = snp, .pm_base = STUB_ACPI_PM_BASE };

		rsdp = acpi_write((uint8_t *)(uintptr_t)STUB_GPA_ACPI, STUB_ACPI_SIZE, STUB_GPA_ACPI,
				  &ac);
		if (rsdp < 0)
			fail(SNP_TERM_ACPI);
	}

	/* The payload was imported unmeasured: it runs only if it is the one
	 * whose digests the measured config carries.  The ranges lie inside
	 * what the launch imported (the builder placed them), so they are
	 * private and validated by now. */
	if (cfg->flags & STUB_FLAG_VERIFY) {
		if (!payload_ok(&cfg->kernel, cfg->kernel_sha256))
			fail_why(SNP_TERM_PAYLOAD, "ccguest stub: boot: kernel SHA-256 differs from "
				 "the measured digest\n");
		if (!payload_ok(&cfg->initrd, cfg->initrd_sha256))
			fail_why(SNP_TERM_PAYLOAD, "ccguest stub: boot: initrd SHA-256 differs from "
				 "the measured digest\n");
	}

	bp = (uint8_t *)(uintptr_t)cfg->zero_page;
	if (e820_store(bp, table, (size_t)nt) < 0)
		fail(SNP_TERM_E820);
	for (unsigned i = 0; rsdp > 0 && i < 8; i++)   /* boot_params.acpi_rsdp_addr */
		bp[STUB_BP_ACPI_RSDP + i] = (uint8_t)((uint64_t)rsdp >> (8 * i));
	stub_enter_kernel(cfg->kernel_entry, cfg->zero_page);
}
