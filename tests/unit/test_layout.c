/* Unit tests for igvm/layout (the Linux direct-boot layout) and
 * igvm/idblock (the signed SNP ID block), on a synthetic bzImage. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/sha256.h"
#include "igvm/idblock.h"
#include "igvm/igvm.h"
#include "igvm/igvm_measure.h"
#include "igvm/layout.h"
#include "igvm/vmsa.h"

#define PAYLOAD_LEN 10000u
#define KERNEL_LEN (1024u + PAYLOAD_LEN)
#define INITRD_LEN 5000u

static uint8_t kernel[KERNEL_LEN];
static uint8_t initrd[INITRD_LEN];
static uint8_t stub_img[5000];
static uint8_t stub_rst[4096];

static const char key384[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MIGkAgEBBDCOxvx4ObHWqB6Gy1FxvNxogUnWre6YmDW9CowCIgkFhbBTYjoPPT8M\n"
	"QNTHYxXIi0mgBwYFK4EEACKhZANiAAS8t+thw11GjYOkSZ2oynMFi4/HeLL30FzA\n"
	"Hlb9ikoqtGmvd85ipSW1lQUrUjCdQmRuOrftiFJfa7fqOySa1IMMCULBohqg57VK\n"
	"pnEQoogz42Q6Jsk63ZluRwLKUycjQEw=\n"
	"-----END EC PRIVATE KEY-----\n";
static const char key256[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MHcCAQEEIAR+957gJ+8wfW8wweetfj6KtkWfVCaXAg7wrtT2nrs+oAoGCCqGSM49\n"
	"AwEHoUQDQgAEuvq8GbXPWoGCHqeJdrInkFE6MAA/w3fqSN0NBoCia2GPH8MRWcEf\n"
	"SbK7mHxvYOGyHLaXmdxEN0prCzdedNidLg==\n"
	"-----END EC PRIVATE KEY-----\n";

static void st16(uint8_t *p, uint16_t x) { p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); }
static void st32(uint8_t *p, uint32_t x) { st16(p, (uint16_t)x); st16(p + 2, (uint16_t)(x >> 16)); }
static void st64(uint8_t *p, uint64_t x) { st32(p, (uint32_t)x); st32(p + 4, (uint32_t)(x >> 32)); }
static uint32_t ld32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }

/* A bzImage header the layout accepts: protocol 2.15, one setup sector,
 * 64-bit entry, loaded high, preferred address 16 MiB, init_size 4 MiB. */
static int setup(void **state)
{
	(void)state;
	memset(kernel, 0, sizeof(kernel));
	kernel[0x1F1] = 1;
	st16(kernel + 0x1FE, 0xAA55);
	kernel[0x200] = 0xEB;
	kernel[0x201] = 0x66;
	memcpy(kernel + 0x202, "HdrS", 4);
	st16(kernel + 0x206, 0x020F);
	kernel[0x211] = 1;
	st32(kernel + 0x22C, 0x7FFFFFFF);
	st32(kernel + 0x230, 0x200000);
	st16(kernel + 0x236, 0x1);
	st32(kernel + 0x238, 2047);
	st64(kernel + 0x258, 0x1000000);
	st32(kernel + 0x260, 0x400000);
	for (size_t i = 1024; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 13 + 1);
	for (size_t i = 0; i < sizeof(stub_img); i++)
		stub_img[i] = (uint8_t)i;
	memset(stub_rst, 0xF4, sizeof(stub_rst));
	return 0;
}

static struct layout_in input(enum layout_platform pf, enum layout_loader ld)
{
	struct layout_in in = {
		.platform = pf, .loader = ld, .kernel = kernel, .kernel_len = sizeof(kernel),
		.initrd = initrd, .initrd_len = sizeof(initrd),
		.cmdline = "console=ttyS0 ccinit.image=sha256:00",
		.stub_image = stub_img, .stub_image_len = sizeof(stub_img),
		.stub_entry64 = 0x8010, .stub_reset = stub_rst,
	};
	return in;
}

struct built {
	struct layout_pages pg;
	struct igvm_dir dirs[64];
	struct layout_out out;
};

static int build(const struct layout_in *in, struct built *b)
{
	struct err e = { 0 };

	assert_true(layout_max_dirs(in) <= 64);
	return layout_build(in, &b->pg, b->dirs, 64, &b->out, &e);
}

static void test_parse_kernel(void **state)
{
	struct layout_kernel k;
	struct err e = { 0 };
	uint8_t bad[KERNEL_LEN];

	(void)state;
	assert_int_equal(layout_parse_kernel(kernel, sizeof(kernel), &k, &e), 0);
	assert_int_equal(k.payload_off, 1024);
	assert_int_equal(k.payload_len, PAYLOAD_LEN);
	assert_true(k.pref_address == 0x1000000 && k.init_size == 0x400000);
	assert_int_equal(layout_parse_kernel(kernel, 0x200, &k, &e), -ERR_FORMAT);
#define BAD(off, val, code) do { memcpy(bad, kernel, sizeof(bad)); bad[off] = (val); \
		assert_int_equal(layout_parse_kernel(bad, sizeof(bad), &k, &e), (code)); \
		assert_true(e.msg[0] != 0); } while (0)
	BAD(0x202, 'X', -ERR_FORMAT);           /* no HdrS */
	BAD(0x1FE, 0, -ERR_FORMAT);             /* no boot flag */
	BAD(0x207, 0x01, -ERR_UNSUPPORTED);     /* protocol 1.x */
	BAD(0x236, 0, -ERR_UNSUPPORTED);        /* no 64-bit entry */
	BAD(0x211, 0, -ERR_UNSUPPORTED);        /* zImage */
	BAD(0x258, 0x10, -ERR_UNSUPPORTED);     /* preferred address not page aligned */
	BAD(0x201, 0x10, -ERR_FORMAT);          /* header shorter than the fields we read */
	BAD(0x1F1, 200, -ERR_FORMAT);           /* more setup sectors than bytes */
	BAD(0x262, 0, -ERR_FORMAT);             /* init_size below the payload */
#undef BAD
}

/* Every PAGE_DATA in strictly ascending GPA order, the VMSA last. */
static void check_order(const struct built *b)
{
	uint64_t last = 0;
	bool any = false;

	for (size_t i = 0; i < b->out.n_dirs; i++) {
		const struct igvm_dir *d = &b->dirs[i];

		if (d->type != IGVM_VHT_PAGE_DATA && d->type != IGVM_VHT_PARAMETER_INSERT)
			continue;
		assert_true(!any || d->gpa > last);
		last = d->gpa;
		any = true;
	}
}

static void test_snp_kvm_layout(void **state)
{
	struct built *b = calloc(1, sizeof(*b));
	struct layout_in in = input(LAYOUT_SNP, LAYOUT_LOADER_KVM);
	const struct stub_config *c;
	const uint8_t *zp, *v;
	uint8_t digest[32], padded[3 * 4096];
	size_t unmeasured = 0;

	(void)state;
	assert_non_null(b);
	assert_int_equal(build(&in, b), 0);
	check_order(b);
	assert_int_equal(b->dirs[0].type, IGVM_VHT_GUEST_POLICY);
	assert_true(b->dirs[0].policy == LAYOUT_SNP_POLICY);
	assert_int_equal(b->dirs[b->out.n_dirs - 1].type, IGVM_VHT_VP_CONTEXT);
	assert_true(b->dirs[b->out.n_dirs - 1].gpa == STUB_GPA_VMSA_KVM);
	assert_true(b->out.kernel_gpa == 0x1000000);
	assert_true(b->out.initrd_gpa == 0x1400000);   /* 2 MiB after pref + init_size */
	for (size_t i = 0; i < b->out.n_dirs; i++)
		if (b->dirs[i].type == IGVM_VHT_PAGE_DATA &&
		    (b->dirs[i].flags & IGVM_PAGEF_UNMEASURED)) {
			unmeasured++;
			assert_true(b->dirs[i].gpa >= b->out.kernel_gpa);
		}
	assert_int_equal(unmeasured, 3 + 2);             /* payload and initrd pages */
	assert_int_equal(b->out.unmeasured_pages, 5);

	/* The config page: flags, entry, the payload digests over whole pages. */
	c = (const struct stub_config *)b->pg.config;
	assert_true(c->magic == STUB_CONFIG_MAGIC && c->version == STUB_CONFIG_VERSION);
	assert_int_equal(c->flags, STUB_FLAG_SNP | STUB_FLAG_VERIFY);
	assert_true(c->kernel_entry == 0x1000200);
	assert_true(c->kernel.base == 0x1000000 && c->kernel.size == 3 * 4096);
	memset(padded, 0, sizeof(padded));
	memcpy(padded, kernel + 1024, PAYLOAD_LEN);
	sha256(padded, 3 * 4096, digest);
	assert_memory_equal(digest, c->kernel_sha256, 32);
	memset(padded, 0, sizeof(padded));
	memcpy(padded, initrd, INITRD_LEN);
	sha256(padded, 2 * 4096, digest);
	assert_memory_equal(digest, c->initrd_sha256, 32);
	assert_true(c->n_reserved == 1 && c->reserved[0].base == STUB_GPA_CPUID &&
		    c->reserved[0].size == 3 * 4096);
	assert_true(c->n_imported >= 3);

	/* boot_params */
	zp = b->pg.zero_page;
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(zp[0x210], 0xFF);
	assert_int_equal(ld32(zp + 0x228), STUB_GPA_CMDLINE);
	assert_int_equal(ld32(zp + 0x218), 0x1400000);
	assert_int_equal(ld32(zp + 0x21C), INITRD_LEN);
	assert_true(ld64(zp + 0x250) == STUB_GPA_CC_BLOB);
	assert_int_equal(ld32(zp + 0x13C), STUB_GPA_CC_BLOB + STUB_CC_BLOB_OFF);
	/* setup_data type 7 and the CC blob */
	assert_int_equal(ld32(b->pg.cc_blob + 8), 7);
	assert_int_equal(ld32(b->pg.cc_blob + STUB_CC_BLOB_OFF), 0x45444D41);
	assert_true(ld64(b->pg.cc_blob + STUB_CC_BLOB_OFF + 8) == STUB_GPA_SECRETS);
	assert_true(ld64(b->pg.cc_blob + STUB_CC_BLOB_OFF + 24) == STUB_GPA_CPUID);
	assert_string_equal((const char *)b->pg.cmdline, in.cmdline);
	/* the VMSA, with the values KVM re-derives */
	v = b->pg.vmsa;
	assert_true(ld64(v + VMSA_RIP) == 0x8010);
	assert_true(ld64(v + VMSA_CR0) == 0x80000011);
	assert_true(ld64(v + VMSA_CR4) == 0x60);
	assert_true(ld64(v + VMSA_EFER) == 0x1D01);
	assert_true(ld64(v + VMSA_CR3) == (STUB_GPA_PML4 | 1ull << 51));
	assert_true(ld64(v + VMSA_DR6) == 0xFFFF0FF0 && ld64(v + VMSA_DR7) == 0x400);
	assert_true(ld64(v + VMSA_SEV_FEATURES) == 1 && ld64(v + VMSA_XCR0) == 1);
	assert_true(ld64(v + VMSA_G_PAT) == 0x0007040600070406ull);
	/* page tables: 1 GiB identity with the C-bit */
	assert_true(ld64(b->pg.pdpt + 8) == ((1ull << 30) | 0x83 | 1ull << 51));
	/* the CPUID page: a count and leaf 0 first */
	assert_true(ld32(b->pg.cpuid) > 0 && ld32(b->pg.cpuid) <= 64);
	free(b);
}

static void test_mshv_vmsa_in_ram_sorts_last(void **state)
{
	struct built *b = calloc(1, sizeof(*b));
	struct layout_in in = input(LAYOUT_SNP, LAYOUT_LOADER_MSHV);
	const struct stub_config *c;
	uint64_t vmsa;

	(void)state;
	assert_non_null(b);
	assert_int_equal(build(&in, b), 0);
	check_order(b);
	vmsa = b->dirs[b->out.n_dirs - 1].gpa;
	assert_true(vmsa == b->out.vmsa_gpa && vmsa >= b->out.initrd_end && vmsa % 4096 == 0);
	for (size_t i = 0; i + 1 < b->out.n_dirs; i++)
		assert_true(b->dirs[i].type != IGVM_VHT_PAGE_DATA || b->dirs[i].gpa < vmsa);
	assert_true(b->out.ram_end > vmsa);
	c = (const struct stub_config *)b->pg.config;
	assert_int_equal(c->n_reserved, 2);
	assert_true(c->reserved[1].base == vmsa && c->reserved[1].size == 4096);
	free(b);
}

static void test_native_layout(void **state)
{
	struct built *b = calloc(1, sizeof(*b));
	struct layout_in in = input(LAYOUT_NATIVE, LAYOUT_LOADER_KVM);
	const struct igvm_dir *last;

	(void)state;
	assert_non_null(b);
	assert_int_equal(build(&in, b), 0);
	check_order(b);
	last = &b->dirs[b->out.n_dirs - 1];
	assert_true(last->type == IGVM_VHT_PAGE_DATA && last->gpa == STUB_GPA_RESET);
	assert_ptr_equal(last->data, stub_rst);
	for (size_t i = 0; i < b->out.n_dirs; i++)
		assert_true(b->dirs[i].type != IGVM_VHT_VP_CONTEXT &&
			    b->dirs[i].type != IGVM_VHT_GUEST_POLICY);
	/* no C-bit on the native page tables */
	assert_true(ld64(b->pg.pdpt) == 0x83);
	assert_int_equal(((const struct stub_config *)b->pg.config)->flags, STUB_FLAG_VERIFY);
	free(b);
}

static void test_measure_payload_and_refusals(void **state)
{
	struct built *b = calloc(1, sizeof(*b));
	struct layout_in in = input(LAYOUT_SNP, LAYOUT_LOADER_KVM);
	char longcmd[3000];

	(void)state;
	assert_non_null(b);
	in.measure_payload = true;
	assert_int_equal(build(&in, b), 0);
	for (size_t i = 0; i < b->out.n_dirs; i++)
		assert_int_equal(b->dirs[i].flags & IGVM_PAGEF_UNMEASURED, 0);
	assert_int_equal(((const struct stub_config *)b->pg.config)->flags, STUB_FLAG_SNP);

	in = input(LAYOUT_SNP, LAYOUT_LOADER_KVM);
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = 0;
	in.cmdline = longcmd;
	assert_int_equal(build(&in, b), -ERR_LIMIT);
	in = input(LAYOUT_SNP, LAYOUT_LOADER_KVM);
	in.memory_bytes = 8u << 20;                    /* less than the layout needs */
	assert_int_equal(build(&in, b), -ERR_LIMIT);
	in = input(LAYOUT_SNP, LAYOUT_LOADER_KVM);
	in.sev_features = 0x8;                         /* without the SNP bit */
	assert_int_equal(build(&in, b), -EINVAL);
	in = input(LAYOUT_SNP, LAYOUT_LOADER_KVM);
	in.policy = 0x1;                               /* bit 17 clear */
	assert_int_equal(build(&in, b), -EINVAL);
	in = input(LAYOUT_SNP, LAYOUT_LOADER_KVM);
	in.stub_entry64 = 0x20000;                     /* outside the stub */
	assert_int_equal(build(&in, b), -EINVAL);
	in = input(LAYOUT_NATIVE, LAYOUT_LOADER_KVM);
	in.stub_reset = NULL;
	assert_int_equal(build(&in, b), -EINVAL);
	free(b);
}

/* The layout serialises to a file our reader accepts, with no overlapping
 * pages; file order equals GPA order, so crate == mshv. */
static void test_written_file_validates_and_measures(void **state)
{
	struct built *b = calloc(1, sizeof(*b));
	struct layout_in in = input(LAYOUT_SNP, LAYOUT_LOADER_MSHV);
	struct igvm_image im = { .platform_type = IGVM_PLATFORM_SEV_SNP, .mask = 1 };
	struct igvm_measure_slot slots[64];
	struct igvm_measure_opts mo = { .loader = IGVM_LOADER_MSHV, .mask = 1, .scratch = slots,
					.n_scratch = 64 };
	struct snp_ld a, c;
	struct igvm_file f;
	struct err e = { 0 };
	uint64_t scratch[64];
	uint8_t *file;
	size_t len;

	(void)state;
	assert_non_null(b);
	assert_int_equal(build(&in, b), 0);
	im.dirs = b->dirs;
	im.n_dirs = b->out.n_dirs;
	assert_int_equal(igvm_write(&im, NULL, 0, &len, &e), 0);
	file = malloc(len);
	assert_non_null(file);
	assert_int_equal(igvm_write(&im, file, len, &len, &e), 0);
	assert_int_equal(igvm_open(&f, file, len, &e), 0);
	assert_int_equal(igvm_check_overlap(&f, scratch, 64, &e), 0);
	assert_int_equal(igvm_measure_snp(&f, &mo, &a, &e), 0);
	mo.loader = IGVM_LOADER_CRATE;
	assert_int_equal(igvm_measure_snp(&f, &mo, &c, &e), 0);
	assert_memory_equal(a.ld, c.ld, 48);
	/* the PSP hashes the small measured part only */
	assert_true(a.measured_bytes <= 16 * 4096);
	free(file);
	free(b);
}

static void test_id_block(void **state)
{
	struct idblock_in in = { .guest_svn = 3, .policy = 0x30000, .mask = 1 };
	uint8_t a[IDBLOCK_LEN], b[IDBLOCK_LEN], kd1[48], kd2[48];
	struct err e = { 0 };

	(void)state;
	memset(in.ld, 0x5A, sizeof(in.ld));
	memset(in.family_id, 1, 16);
	assert_int_equal(idblock_build(&in, a, &e), 0);
	assert_int_equal(idblock_build(&in, b, &e), 0);
	assert_memory_equal(a, b, IDBLOCK_LEN);           /* deterministic */
	assert_int_equal(idblock_verify(a, 0x30000, &e), 0);
	assert_int_equal(idblock_verify(a, 0x30001, &e), -ERR_DIGEST);  /* other policy */
	a[8] ^= 1;                                        /* LD */
	assert_int_equal(idblock_verify(a, 0x30000, &e), -ERR_DIGEST);
	idblock_key_digest(b, kd1);

	in.key_pem = (const uint8_t *)key384;
	in.key_len = strlen(key384);
	assert_int_equal(idblock_build(&in, a, &e), 0);
	assert_int_equal(idblock_verify(a, 0x30000, &e), 0);
	idblock_key_digest(a, kd2);
	assert_memory_not_equal(kd1, kd2, 48);
	in.key_pem = (const uint8_t *)key256;
	in.key_len = strlen(key256);
	assert_int_equal(idblock_build(&in, a, &e), -EINVAL);
	in.key_pem = (const uint8_t *)"not a key";
	in.key_len = 9;
	assert_int_equal(idblock_build(&in, a, &e), -ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kernel),
		cmocka_unit_test(test_snp_kvm_layout),
		cmocka_unit_test(test_mshv_vmsa_in_ram_sorts_last),
		cmocka_unit_test(test_native_layout),
		cmocka_unit_test(test_measure_payload_and_refusals),
		cmocka_unit_test(test_written_file_validates_and_measures),
		cmocka_unit_test(test_id_block),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
