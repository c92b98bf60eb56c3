/* test_measure_fw: the firmware launch measurements (igvm/snp_ld.c,
 * vmsa.c, ovmf.c, tdx_mrtd.c, tdvf.c).
 *
 * Published vectors: every entry of ../shared/fixtures/igvm/vectors.json
 * `snp_ovmf`, `seves_ovmf` and `snp_svsm_hardware` runs as its own test,
 * reading its parameters and expected digest from the JSON (absent fixture:
 * skipped).  The TDVF MRTD vector uses Debian trixie's OVMF.fd, extracted
 * by deps/peers.sh under $BUILD/peers/root (BUILD from the environment,
 * else the build directory of this binary; absent: skipped).  Known answers for PAGE_INFO, VMSA and
 * synthetic images whose digests were computed by sev-snp-measure and a
 * separate TDVF model; malformed images must be rejected cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yyjson.h>

#include "crypto/hex.h"
#include "crypto/sha256.h"
#include "crypto/sha384.h"
#include "igvm/ovmf.h"
#include "igvm/snp_ld.h"
#include "igvm/tdvf.h"
#include "igvm/tdx_mrtd.h"
#include "igvm/vmsa.h"

#define FIX "../shared/fixtures/igvm/"
#define OVMF_FD "peers/root/usr/share/ovmf/OVMF.fd"
#define OVMF_FD_SHA256 "14954040cc754ade0c625ac3470ea46d4c14318b5b1396de4ef77090203d76db"
#define OVMF_FD_MRTD "bdc6fb145880f06f30c8b346b8dce2a99d9351b56892df22f80fcf6574caa9f9" \
	"c31df8e8576d53b4d0cd1c3f28910e11"
/* The same image added section by section (two-pass); computed only by our
 * Python model of dstack's TwoPass order, not a published value. */
#define OVMF_FD_MRTD_2P "456f07902150d008bb913c3e1e84e9297f735a6c83cd2a957a1f0a8bbedb06df" \
	"188e3837ae48d32c73d473d097dc0db2"
/* sev-snp-measure's test_snp_svsm_*: OVMF_VARS size of the hardware run. */
#define SVSM_VARS_SIZE 540672

/* ---- helpers ------------------------------------------------------------ */

static uint8_t *load_path(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)sz + 1);
		if (p && fread(p, 1, (size_t)sz, f) != (size_t)sz) {
			free(p);
			p = NULL;
		}
		*n = (size_t)sz;
	}
	fclose(f);
	return p;
}

static uint8_t *load_fix(const char *rel, size_t *n)
{
	char path[512];
	uint8_t *p;

	snprintf(path, sizeof(path), FIX "%s", rel);
	p = load_path(path, n);
	if (!p)
		print_message("fixture %s absent: skipped\n", path);
	return p;
}

static void hexs(const uint8_t *p, size_t n, char *out)
{
	hex_encode(p, n, out);
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
	char got[2 * 64 + 1];

	hexs(p, n, got);
	assert_string_equal(got, want);
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* ---- vectors.json --------------------------------------------------------- */

static yyjson_doc *vectors;

static int load_vectors(void **state)
{
	(void)state;
	vectors = yyjson_read_file(FIX "vectors.json", 0, NULL, NULL);
	return 0;
}

static int free_vectors(void **state)
{
	(void)state;
	yyjson_doc_free(vectors);
	vectors = NULL;
	return 0;
}

/* The entry `name` of array `group`, or NULL (test skipped). */
static yyjson_val *vector(const char *group, const char *name)
{
	yyjson_val *arr, *v;
	size_t i, n;

	if (!vectors) {
		print_message(FIX "vectors.json absent: skipped\n");
		return NULL;
	}
	arr = yyjson_obj_get(yyjson_doc_get_root(vectors), group);
	yyjson_arr_foreach(arr, i, n, v) {
		const char *s = yyjson_get_str(yyjson_obj_get(v, "name"));

		if (s && strcmp(s, name) == 0)
			return v;
	}
	fail_msg("vector %s/%s not in vectors.json", group, name);
	return NULL;
}

static const char *vstr(yyjson_val *v, const char *k)
{
	return yyjson_get_str(yyjson_obj_get(v, k));
}

static uint64_t vnum(yyjson_val *v, const char *k, uint64_t dflt)
{
	yyjson_val *x = yyjson_obj_get(v, k);

	if (!x)
		return dflt;
	if (yyjson_is_str(x))
		return strtoull(yyjson_get_str(x), NULL, 0);
	return yyjson_get_uint(x);
}

static enum vmsa_vmm vmm_of(const char *s)
{
	if (s && strcmp(s, "ec2") == 0)
		return VMSA_VMM_EC2;
	if (s && strcmp(s, "gce") == 0)
		return VMSA_VMM_GCE;
	assert_true(!s || strcmp(s, "qemu") == 0);
	return VMSA_VMM_QEMU;
}

/* Kernel hashes of the vectors: empty kernel and initrd, cmdline + NUL. */
static void vector_hashes(const char *cmdline, struct ovmf_kernel_hashes *h)
{
	sha256(NULL, 0, h->kernel);
	sha256(NULL, 0, h->initrd);
	sha256(cmdline, strlen(cmdline) + 1, h->cmdline);
}

static void run_vector(void **state, const char *group)
{
	const char *name = *state;
	yyjson_val *v = vector(group, name);
	yyjson_val *cl;
	struct ovmf_params p;
	struct ovmf_kernel_hashes kh;
	struct snp_ld ld;
	struct err e = { 0 };
	uint8_t seed[SNP_LD_LEN], d256[32];
	uint8_t *img = NULL, *svsm = NULL;
	size_t len = 0, slen = 0;
	const char *s;

	if (!v)
		skip();
	img = load_fix(vstr(v, "ovmf"), &len);
	if (!img)
		skip();
	memset(&p, 0, sizeof(p));
	assert_int_equal(vmsa_cpu_sig("EPYC-v4", &p.vcpu_sig, NULL), 0);
	p.vcpus = (unsigned)vnum(v, "vcpus", 0);
	p.vmm = vmm_of(vstr(v, "vmm"));
	p.guest_features = vnum(v, "guest_features", 0x1);
	cl = yyjson_obj_get(v, "cmdline");
	if (cl && yyjson_is_str(cl)) {
		vector_hashes(yyjson_get_str(cl), &kh);
		p.hashes = &kh;
	}
	s = vstr(v, "ovmf_hash_seed");
	if (s) {
		assert_int_equal(hex_decode(s, strlen(s), seed, sizeof(seed)), 0);
		p.ovmf_hash = seed;
	}
	s = vstr(v, "svsm");
	if (s) {
		svsm = load_fix(s, &slen);
		if (!svsm) {
			free(img);
			skip();
		}
		p.svsm = svsm;
		p.svsm_len = slen;
		p.vars_size = vnum(v, "vars_size", SVSM_VARS_SIZE);
	}
	if (strcmp(group, "seves_ovmf") == 0) {
		assert_int_equal(ovmf_seves_digest(img, len, &p, d256, &e), 0);
		assert_hex(d256, sizeof(d256), vstr(v, "expected"));
	} else {
		int rc = ovmf_snp_digest(img, len, &p, &ld, &e);

		if (rc)
			print_message("%s\n", e.msg);
		assert_int_equal(rc, 0);
		assert_hex(ld.ld, sizeof(ld.ld), vstr(v, "expected"));
		/* NORMAL + VMSA pages: the image (and SVSM), the hashes page, VMSAs */
		assert_int_equal(ld.measured_bytes,
				 len + slen + (p.hashes ? 4096 : 0) + 4096ull * p.vcpus);
	}
	free(img);
	free(svsm);
}

static void test_snp_ovmf(void **state) { run_vector(state, "snp_ovmf"); }
static void test_seves_ovmf(void **state) { run_vector(state, "seves_ovmf"); }
static void test_snp_svsm(void **state) { run_vector(state, "snp_svsm_hardware"); }

/* Every vector of the three groups has its test below. */
static const char *const snp_names[] = {
	"snp_default", "snp_guest_feature_snp_only", "snp_ovmf_hash_gen_default",
	"snp_ovmf_hash_gen_feature_snp_only", "snp_ec2_default", "snp_ec2_feature_snp_only",
	"snp_gce_default", "snp_gce_with_multiple_vcpus_default", "snp_without_kernel_default",
	"snp_without_kernel_feature_snp_only", "snp_with_multiple_vcpus_default",
	"snp_with_multiple_vcpus_feature_snp_only", "snp_with_ovmfx64_without_default",
	"snp_with_ovmfx64_without_kernel_feature_snp_only",
};
static const char *const seves_names[] = { "seves", "seves_with_multiple_vcpus" };
static const char *const svsm_names[] = { "snp_svsm_4_vcpus", "snp_svsm_2_vcpus" };

static void check_group(const char *group, const char *const *names, size_t n)
{
	yyjson_val *arr = yyjson_obj_get(yyjson_doc_get_root(vectors), group), *v;
	size_t i, m, k;

	assert_non_null(arr);
	assert_int_equal(yyjson_arr_size(arr), n);
	yyjson_arr_foreach(arr, i, m, v) {
		const char *s = vstr(v, "name");

		for (k = 0; k < n && strcmp(names[k], s) != 0; k++)
			;
		if (k == n)
			fail_msg("vector %s/%s has no test", group, s);
	}
}

static void test_vectors_covered(void **state)
{
	(void)state;
	if (!vectors) {
		print_message(FIX "vectors.json absent: skipped\n");
		skip();
	}
	check_group("snp_ovmf", snp_names, sizeof(snp_names) / sizeof(snp_names[0]));
	check_group("seves_ovmf", seves_names, sizeof(seves_names) / sizeof(seves_names[0]));
	check_group("snp_svsm_hardware", svsm_names, sizeof(svsm_names) / sizeof(svsm_names[0]));
}

/* The published OVMF-only LD (sev-snp-measure snp:ovmf-hash) of the AmdSev suffix. */
static void test_ovmf_hash_seed(void **state)
{
	uint8_t *img, ld[SNP_LD_LEN];
	size_t len = 0;

	(void)state;
	img = load_fix("ovmf_AmdSev_suffix.bin", &len);
	if (!img)
		skip();
	assert_int_equal(ovmf_snp_ovmf_hash(img, len, ld, NULL), 0);
	assert_hex(ld, sizeof(ld), "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2"
		   "c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74");
	free(img);
}

/* Kernel hashes asked of a firmware that cannot measure them (sev-snp-measure's
 * *_with_ovmfx64_and_kernel_should_fail). */
static void test_ovmfx64_kernel_refused(void **state)
{
	struct ovmf_params p = { .vmm = VMSA_VMM_QEMU, .vcpus = 1, .vcpu_sig = 0x800F12,
				 .guest_features = 0x21 };
	struct ovmf_kernel_hashes kh;
	struct snp_ld ld;
	struct err e = { 0 };
	uint8_t *img, d[32];
	size_t len = 0;

	(void)state;
	img = load_fix("ovmf_OvmfX64_suffix.bin", &len);
	if (!img)
		skip();
	vector_hashes("", &kh);
	p.hashes = &kh;
	assert_int_equal(ovmf_snp_digest(img, len, &p, &ld, &e), -ERR_UNSUPPORTED);
	assert_int_equal(e.code, -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "kernel hashes"));
	memset(&e, 0, sizeof(e));
	assert_int_equal(ovmf_seves_digest(img, len, &p, d, &e), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "kernel"));
	free(img);
}

/* ---- TDVF: Debian trixie's OVMF.fd ------------------------------------------- */

/* $BUILD/peers/root/...: BUILD from the environment (as the pytest suites),
 * else the build directory this test binary lives in ($BUILD/test/x). */
static uint8_t *load_debian_ovmf(size_t *len)
{
	const char *b = getenv("BUILD");
	char path[1200], exe[1024];
	uint8_t *img = NULL, d[32];
	ssize_t n;

	if (b && *b) {
		snprintf(path, sizeof(path), "%s/" OVMF_FD, b);
		img = load_path(path, len);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = 0;
			for (int up = 0; up < 2; up++) {
				char *slash = strrchr(exe, '/');

				if (slash)
					*slash = 0;
			}
			snprintf(path, sizeof(path), "%s/" OVMF_FD, exe);
			img = load_path(path, len);
		}
		if (!img) {
			snprintf(path, sizeof(path), "build/" OVMF_FD);
			img = load_path(path, len);
		}
	}
	if (!img) {
		print_message("%s absent (make $(BUILD)/.peers; BUILD=dir): skipped\n", path);
		return NULL;
	}
	sha256(img, *len, d);
	assert_int_equal(*len, 4194304);
	assert_hex(d, sizeof(d), OVMF_FD_SHA256);
	return img;
}

static void test_tdvf_debian_ovmf(void **state)
{
	struct tdvf t;
	struct tdvf_counts n;
	struct err e = { 0 };
	uint8_t mrtd[TDX_MRTD_LEN];
	size_t len = 0;
	uint8_t *img = load_debian_ovmf(&len);

	(void)state;
	if (!img)
		skip();
	assert_int_equal(tdvf_parse(img, len, &t, &e), 0);
	assert_int_equal(t.nsections, 6);
	assert_int_equal(t.sec[0].type, TDVF_SEC_BFV);
	assert_int_equal(t.sec[0].attributes, TDVF_ATTR_MR_EXTEND);
	assert_int_equal(t.sec[1].type, TDVF_SEC_CFV);
	assert_int_equal(tdvf_mrtd(&t, TDVF_ONE_PASS, mrtd, &n, &e), 0);
	assert_hex(mrtd, sizeof(mrtd), OVMF_FD_MRTD);
	/* BFV 0x37c000 extended; CFV, the HOB and temporary memory only added */
	assert_int_equal(n.pages_extended, 0x37c000 / 4096);
	assert_int_equal(n.pages_added, (0x37c000 + 0x84000 + 0xf000 + 0x2000 + 0x2000 + 0x6000) / 4096);
	assert_int_equal(tdvf_measure(img, len, TDVF_TWO_PASS, mrtd, NULL, &e), 0);
	assert_hex(mrtd, sizeof(mrtd), OVMF_FD_MRTD_2P);
	assert_int_equal(tdvf_mrtd(&t, 4, mrtd, NULL, &e), -EINVAL);
	free(img);
}

/* The same image read as an SEV firmware: it has a reset block and SEV
 * metadata, so it measures; the hashes table entry is 0 (no -kernel hashes). */
static void test_debian_ovmf_sev(void **state)
{
	struct ovmf o;
	struct err e = { 0 };
	size_t len = 0;
	uint8_t *img = load_debian_ovmf(&len);

	(void)state;
	if (!img)
		skip();
	assert_int_equal(ovmf_parse(img, len, OVMF_IMAGE_END, &o, &e), 0);
	assert_true(o.has_reset_eip);
	assert_int_equal(o.reset_eip, 0x80b004);
	assert_true(o.has_hashes);
	assert_int_equal(o.hashes_gpa, 0);
	assert_int_equal(o.nsections, 6);
	assert_int_equal(o.sec[2].type, OVMF_SEC_SNP_SECRETS);
	free(img);
}

/* ---- PAGE_INFO / VMSA known answers ----------------------------------------- */

#define ZERO_PAGE_SHA384 "c0e59a3e3ffbd3b5c75428fb36432facabc745944296ff515f737c4fef4efc64" \
	"586809f7a16f56354a1eaecf2aa8d774"

/* PAGE_INFO built by hand, as igvm.md §3.1 lays it out. */
static void page_info(uint8_t ld[48], const uint8_t *contents, uint8_t type, uint64_t gpa)
{
	uint8_t pi[0x70];

	memset(pi, 0, sizeof(pi));
	memcpy(pi, ld, 48);
	if (contents)
		memcpy(pi + 0x30, contents, 48);
	put16(pi + 0x60, 0x70);
	pi[0x62] = type;
	put64(pi + 0x68, gpa);
	sha384(pi, sizeof(pi), ld);
}

static void test_page_info(void **state)
{
	static uint8_t zero[4096], page[4096];
	struct snp_ld l;
	uint8_t want[48], h[48], seed[48];
	unsigned i;

	(void)state;
	sha384(zero, sizeof(zero), h);
	assert_hex(h, sizeof(h), ZERO_PAGE_SHA384);

	/* one NORMAL zero page at GPA 0 from a zero LD */
	snp_ld_init(&l, NULL);
	snp_ld_page(&l, SNP_PAGE_NORMAL, 0, NULL);
	memset(want, 0, sizeof(want));
	page_info(want, h, 1, 0);
	assert_memory_equal(l.ld, want, 48);
	assert_int_equal(l.pages, 1);
	assert_int_equal(l.measured_bytes, 4096);

	/* a chain of every type from a seed: contents only for NORMAL and VMSA */
	for (i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)i;
	snp_ld_init(&l, seed);
	memcpy(want, seed, 48);
	snp_ld_page(&l, SNP_PAGE_NORMAL, 0xFFFFF000, page);
	sha384(page, sizeof(page), h);
	page_info(want, h, 1, 0xFFFFF000);
	snp_ld_page(&l, SNP_PAGE_ZERO, 0x800000, page);          /* page ignored */
	page_info(want, NULL, 3, 0x800000);
	snp_ld_page(&l, SNP_PAGE_UNMEASURED, 0x801000, NULL);
	page_info(want, NULL, 4, 0x801000);
	snp_ld_page(&l, SNP_PAGE_SECRETS, 0x802000, NULL);
	page_info(want, NULL, 5, 0x802000);
	snp_ld_page(&l, SNP_PAGE_CPUID, 0x803000, NULL);
	page_info(want, NULL, 6, 0x803000);
	snp_ld_page_hashed(&l, SNP_PAGE_VMSA, 0xFFFFFFFFF000ull, h);
	page_info(want, h, 2, 0xFFFFFFFFF000ull);
	assert_memory_equal(l.ld, want, 48);
	assert_int_equal(l.pages, 6);
	assert_int_equal(l.measured_bytes, 2 * 4096);
}

static void test_cpu_sig(void **state)
{
	static const struct {
		const char *name;
		uint32_t sig;
	} k[] = {
		{ "EPYC", 0x800F12 },        { "EPYC-v1", 0x800F12 },    { "EPYC-v4", 0x800F12 },
		{ "EPYC-Rome", 0x830F10 },   { "EPYC-Rome-v4", 0x830F10 },
		{ "EPYC-Milan", 0xA00F11 },  { "EPYC-Milan-v2", 0xA00F11 },
		{ "EPYC-Genoa", 0xA10F10 },  { "EPYC-Genoa-v1", 0xA10F10 },
		{ "EPYC-Turin", 0xB00F00 },
	};
	struct err e = { 0 };
	uint32_t sig = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		assert_int_equal(vmsa_cpu_sig(k[i].name, &sig, NULL), 0);
		assert_int_equal(sig, k[i].sig);
	}
	assert_int_equal(vmsa_sig_from_fms(23, 1, 2), 0x800F12);
	assert_int_equal(vmsa_sig_from_fms(6, 0x55, 4), 0x50654);   /* family <= 15 */
	assert_int_equal(vmsa_cpu_sig("epyc", &sig, &e), -ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "epyc"));
	assert_int_equal(vmsa_cpu_sig("EPYC-Milan-v9", &sig, NULL), -ERR_NOTFOUND);
	assert_int_equal(vmsa_cpu_sig(NULL, &sig, NULL), -EINVAL);
}

/* Field placement of the QEMU reset VMSA (igvm.md §3.3). */
static void test_vmsa_reset(void **state)
{
	static uint8_t v[VMSA_SIZE], w[VMSA_SIZE];

	(void)state;
	vmsa_reset(v, VMSA_VMM_QEMU, false, 0x80b004, 0x800F12, 0x21);
	memset(w, 0, sizeof(w));
	vmsa_put_seg(w, VMSA_ES, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_CS, 0xF000, 0x9B, 0xFFFF, 0x800000);
	vmsa_put_seg(w, VMSA_SS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_DS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_FS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_GS, 0, 0x93, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_GDTR, 0, 0, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_LDTR, 0, 0x82, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_IDTR, 0, 0, 0xFFFF, 0);
	vmsa_put_seg(w, VMSA_TR, 0, 0x8B, 0xFFFF, 0);
	put64(w + VMSA_EFER, 0x1000);
	put64(w + VMSA_CR4, 0x40);
	put64(w + VMSA_CR0, 0x10);
	put64(w + VMSA_DR7, 0x400);
	put64(w + VMSA_DR6, 0xFFFF0FF0);
	put64(w + VMSA_RFLAGS, 2);
	put64(w + VMSA_RIP, 0xb004);
	put64(w + VMSA_G_PAT, 0x0007040600070406ull);
	put64(w + VMSA_RDX, 0x800F12);
	put64(w + VMSA_SEV_FEATURES, 0x21);
	put64(w + VMSA_XCR0, 1);
	put32(w + VMSA_MXCSR, 0x1F80);
	put16(w + VMSA_X87_FCW, 0x37F);
	assert_memory_equal(v, w, VMSA_SIZE);
	/* EC2: BSP CS not accessed, SS 0x92, TR 0x83, RDX 0x600, no FPU init */
	vmsa_reset(v, VMSA_VMM_EC2, true, 0xFFFFFFF0, 0x800F12, 1);
	assert_int_equal(v[VMSA_CS + 2], 0x9A);
	assert_int_equal(v[VMSA_SS + 2], 0x92);
	assert_int_equal(v[VMSA_TR + 2], 0x83);
	assert_int_equal(v[VMSA_RDX], 0x00);
	assert_int_equal(v[VMSA_RDX + 1], 0x06);
	assert_int_equal(v[VMSA_MXCSR], 0);
	/* GCE: its own PAT */
	vmsa_reset(v, VMSA_VMM_GCE, true, 0xFFFFFFF0, 0, 1);
	assert_int_equal(v[VMSA_G_PAT], 0x06);
	assert_int_equal(v[VMSA_G_PAT + 1], 0x01);
	assert_int_equal(v[VMSA_G_PAT + 2], 0x07);
	assert_int_equal(v[VMSA_G_PAT + 3], 0x00);
}

/* ---- synthetic images ---------------------------------------------------------
 * A one-page SEV firmware and a three-page TDVF image, built here and by a
 * separate script; the expected digests were computed by sev-snp-measure
 * (8f2b337e) on the same bytes (kernel "kernel", initrd "initrd", cmdline
 * "console=hvc0", 3 vCPUs, EPYC-Genoa) and by a Python model of the TDVF
 * MRTD (dstack's SinglePass/TwoPass orders). */

static const uint8_t g_footer[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
				      0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
static const uint8_t g_hashes[16] = { 0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
				      0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54 };
static const uint8_t g_reset[16] = { 0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
				     0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e };
static const uint8_t g_meta[16] = { 0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
				    0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc };
static const uint8_t g_tdx[16] = { 0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
				   0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2 };

struct tentry {
	const uint8_t *guid;
	uint32_t value;     /* the entry's data: this u32 */
	int nodata;         /* or nothing at all */
};

/* The footer table of `n` entries (first nearest the table start), ending
 * 32 bytes before the image end. */
static void put_table(uint8_t *img, size_t len, const struct tentry *t, size_t n)
{
	size_t foot = len - 32 - 18, pos = foot, i, tsize = 18;

	for (i = n; i-- > 0;) {
		size_t esize = t[i].nodata ? 18 : 22;

		pos -= esize;
		if (!t[i].nodata)
			put32(img + pos, t[i].value);
		put16(img + pos + esize - 18, (uint16_t)esize);
		memcpy(img + pos + esize - 16, t[i].guid, 16);
		tsize += esize;
	}
	put16(img + foot, (uint16_t)tsize);
	memcpy(img + foot + 2, g_footer, 16);
}

#define SEV_LEN 4096
#define ASEV_AT 0x800

/* A one-page AmdSev-like firmware: pattern code, five metadata sections,
 * hashes table at 0x804C00, AP reset eip 0x80B004. */
static void build_sev(uint8_t img[SEV_LEN])
{
	static const uint32_t sec[5][3] = {
		{ 0x800000, 0x2000, 1 }, { 0x802000, 0x1000, 2 }, { 0x803000, 0x1000, 3 },
		{ 0x804000, 0x1000, 0x10 }, { 0x805000, 0x1000, 4 },
	};
	const struct tentry t[] = {
		{ g_meta, SEV_LEN - ASEV_AT, 0 }, { g_hashes, 0x804C00, 0 }, { g_reset, 0x80B004, 0 },
	};
	size_t i;

	memset(img, 0, SEV_LEN);
	for (i = 0; i < ASEV_AT; i++)
		img[i] = (uint8_t)(i * 31 + 7);
	memcpy(img + ASEV_AT, "ASEV", 4);
	put32(img + ASEV_AT + 4, 16 + 12 * 5);
	put32(img + ASEV_AT + 8, 1);
	put32(img + ASEV_AT + 12, 5);
	for (i = 0; i < 5; i++) {
		put32(img + ASEV_AT + 16 + 12 * i, sec[i][0]);
		put32(img + ASEV_AT + 20 + 12 * i, sec[i][1]);
		put32(img + ASEV_AT + 24 + 12 * i, sec[i][2]);
	}
	put_table(img, SEV_LEN, t, 3);
}

#define TDVF_LEN (3 * 4096)
#define TDVF_AT 0x2800

/* A three-page TDVF image: BFV (two pattern pages, extended), temporary
 * memory (added), a TD HOB with 0x800 bytes of raw data (extended, zero
 * padded) and permanent memory (PAGE_AUG: not measured). */
static void build_tdvf(uint8_t img[TDVF_LEN])
{
	static const uint64_t sec[4][6] = {
		/* data_offset, raw, gpa, mem, type, attributes */
		{ 0, 0x2000, 0xFFFFD000, 0x2000, 0, 1 },
		{ 0, 0, 0x800000, 0x2000, 3, 0 },
		{ 0x2000, 0x800, 0x900000, 0x2000, 2, 1 },
		{ 0, 0, 0x1000000, 0x100000, 4, 2 },
	};
	const struct tentry t[] = { { g_tdx, TDVF_LEN - TDVF_AT, 0 } };
	size_t i;

	memset(img, 0, TDVF_LEN);
	for (i = 0; i < TDVF_AT; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	memcpy(img + TDVF_AT, "TDVF", 4);
	put32(img + TDVF_AT + 4, 16 + 32 * 4);
	put32(img + TDVF_AT + 8, 1);
	put32(img + TDVF_AT + 12, 4);
	for (i = 0; i < 4; i++) {
		uint8_t *s = img + TDVF_AT + 16 + 32 * i;

		put32(s, (uint32_t)sec[i][0]);
		put32(s + 4, (uint32_t)sec[i][1]);
		put64(s + 8, sec[i][2]);
		put64(s + 16, sec[i][3]);
		put32(s + 24, (uint32_t)sec[i][4]);
		put32(s + 28, (uint32_t)sec[i][5]);
	}
	put_table(img, TDVF_LEN, t, 1);
}

static uint8_t sev_img[SEV_LEN], tdvf_img[TDVF_LEN];

#define KAT_SEV_QEMU "af1e7fee8b15dd809c824047490161fc3a0396f6a3fcdf6961951b8999c1317a" \
	"55cf8478108591d248263348c7e1db2b"
#define KAT_SEV_QEMU_KH "9cc17427b53738e5eeb0e03b8e620fd600d26452de07d5e798d0fd9dd0fac484" \
	"089b0e40c71316571ca9c807f5337066"
#define KAT_SEV_EC2 "eb2dd8d9a5eab56e3a4ad78cd210d34e5c1b245a500ca48087c8c634c2a76144" \
	"8157dc622e35ad0352fa1e78303ac17a"
#define KAT_SEV_GCE "5be6ffe09acaec1b7c85d6f0f2e85663086821dd81e958bbf54f963e32a4c753" \
	"dc02eda295f9287847ac571434395362"
#define KAT_SEV_SEVES_KH "f814c4691581392b76cc8921de0020aafd2c35c37ad3e0258a40caba034b8a81"
#define KAT_TDVF_1P "7494c7b29b6db211d733a06719154c52ea9831b723f62a9105190a9657563242" \
	"6d9bf42cabf1c2c7d5762436d08eed55"
#define KAT_TDVF_2P "041f1591fb2102843f2ae564ece959e91046a0ff96fbfe6425cf15ff482eafb3" \
	"b3953eec3f9970643606daa0c46c367c"

static void snp_kat(const struct ovmf_params *p, const char *want)
{
	struct snp_ld ld;
	struct err e = { 0 };
	int rc = ovmf_snp_digest(sev_img, SEV_LEN, p, &ld, &e);

	if (rc)
		print_message("%s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_hex(ld.ld, sizeof(ld.ld), want);
}

static void test_synthetic_sev(void **state)
{
	struct ovmf_params p = { .vmm = VMSA_VMM_QEMU, .vcpus = 3, .vcpu_sig = 0xA10F10,
				 .guest_features = 0x1 };
	struct ovmf_kernel_hashes kh;
	struct snp_ld ld;
	uint8_t d[32];

	(void)state;
	build_sev(sev_img);
	sha256("kernel", 6, kh.kernel);
	sha256("initrd", 6, kh.initrd);
	sha256("console=hvc0", 13, kh.cmdline);
	snp_kat(&p, KAT_SEV_QEMU);
	p.hashes = &kh;
	snp_kat(&p, KAT_SEV_QEMU_KH);
	assert_int_equal(ovmf_snp_digest(sev_img, SEV_LEN, &p, &ld, NULL), 0);
	/* image, hashes page, 3 VMSAs */
	assert_int_equal(ld.measured_bytes, 5 * 4096);
	assert_int_equal(ld.pages, 1 + 2 + 1 + 1 + 1 + 1 + 3);
	p.hashes = NULL;
	p.vmm = VMSA_VMM_EC2;
	snp_kat(&p, KAT_SEV_EC2);
	p.vmm = VMSA_VMM_GCE;
	snp_kat(&p, KAT_SEV_GCE);
	p.vmm = VMSA_VMM_QEMU;
	p.hashes = &kh;
	assert_int_equal(ovmf_seves_digest(sev_img, SEV_LEN, &p, d, NULL), 0);
	assert_hex(d, sizeof(d), KAT_SEV_SEVES_KH);
}

static void test_synthetic_tdvf(void **state)
{
	struct tdvf_counts n;
	uint8_t m[TDX_MRTD_LEN];

	(void)state;
	build_tdvf(tdvf_img);
	assert_int_equal(tdvf_measure(tdvf_img, TDVF_LEN, TDVF_ONE_PASS, m, &n, NULL), 0);
	assert_hex(m, sizeof(m), KAT_TDVF_1P);
	assert_int_equal(n.pages_added, 6);
	assert_int_equal(n.pages_extended, 4);
	assert_int_equal(tdvf_measure(tdvf_img, TDVF_LEN, TDVF_TWO_PASS, m, &n, NULL), 0);
	assert_hex(m, sizeof(m), KAT_TDVF_2P);
}

/* ---- malformed images ---------------------------------------------------------- */

static void expect_snp(const uint8_t *img, size_t len, int want)
{
	struct ovmf_params p = { .vmm = VMSA_VMM_QEMU, .vcpus = 2, .vcpu_sig = 0x800F12,
				 .guest_features = 1 };
	struct snp_ld ld;
	struct err e = { 0 };
	int rc = ovmf_snp_digest(img, len, &p, &ld, &e);

	if (rc != want)
		print_message("got %d (%s), want %d\n", rc, e.msg, want);
	assert_int_equal(rc, want);
	assert_int_equal(e.code, want);
	assert_true(e.msg[0] != 0);
}

static void test_sev_malformed(void **state)
{
	static uint8_t img[SEV_LEN];
	size_t foot = SEV_LEN - 32 - 18, tstart = foot - 3 * 22;
	struct ovmf_params p = { .vmm = VMSA_VMM_QEMU, .vcpus = 1 };
	struct snp_ld ld;
	struct err e = { 0 };
	struct ovmf o;
	const uint8_t *d;
	size_t dl;

	(void)state;
#define FRESH() build_sev(img)
	/* not whole pages; empty */
	FRESH();
	expect_snp(img, SEV_LEN - 1, -ERR_FORMAT);
	expect_snp(img, 0, -ERR_FORMAT);
	/* no footer table: no reset block, not an SEV firmware */
	FRESH();
	img[foot + 2] ^= 1;
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	assert_int_equal(ovmf_table_find(img, SEV_LEN, g_reset, &d, &dl, &e), -ERR_NOTFOUND);
	/* footer size below its header, table before the image start */
	FRESH();
	put16(img + foot, 17);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put16(img + foot, 0xFFFF);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	/* entry sizes: zero, larger than the table, stray bytes */
	FRESH();
	put16(img + tstart + 22 + 4, 0);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put16(img + tstart + 4, 23);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put16(img + foot, 3 * 22 + 18 + 5);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	/* an entry twice */
	FRESH();
	memcpy(img + tstart + 6, g_reset, 16);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	/* an entry too short for its u32 */
	FRESH();
	{
		const struct tentry t[] = { { g_meta, SEV_LEN - ASEV_AT, 0 }, { g_reset, 0, 1 } };

		put_table(img, SEV_LEN, t, 2);
	}
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	/* ASEV: offset, signature, version, size, count, sections */
	FRESH();
	put32(img + tstart, SEV_LEN + 1);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + tstart, 8);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	img[ASEV_AT] = 'B';
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + ASEV_AT + 8, 2);
	expect_snp(img, SEV_LEN, -ERR_UNSUPPORTED);
	FRESH();
	put32(img + ASEV_AT + 4, SEV_LEN);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + ASEV_AT + 4, 16 + 12 * 5 + 1);  /* a byte after the sections */
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + ASEV_AT + 12, 6);               /* beyond the declared size */
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + ASEV_AT + 12, OVMF_SECTIONS_MAX + 1);
	expect_snp(img, SEV_LEN, -ERR_LIMIT);
	FRESH();
	put32(img + ASEV_AT + 16, 0x800010);        /* unaligned gpa */
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + ASEV_AT + 20, 0);               /* empty section */
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + ASEV_AT + 16, 0xFFFFF000);      /* beyond 4 GiB */
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + ASEV_AT + 24, 9);               /* unknown type */
	expect_snp(img, SEV_LEN, -ERR_UNSUPPORTED);
	FRESH();
	put32(img + ASEV_AT + 20 + 12, 0x2000);     /* two SECRETS pages */
	expect_snp(img, SEV_LEN, -ERR_UNSUPPORTED);
	/* APs with reset eip 0 */
	FRESH();
	put32(img + tstart + 44, 0);
	expect_snp(img, SEV_LEN, -ERR_FORMAT);
	/* the hashes table straddling its page */
	FRESH();
	put32(img + tstart + 22, 0x804FA0);
	{
		struct ovmf_kernel_hashes kh;

		memset(&kh, 0, sizeof(kh));
		p.hashes = &kh;
		assert_int_equal(ovmf_snp_digest(img, SEV_LEN, &p, &ld, &e), -ERR_FORMAT);
		p.hashes = NULL;
	}
	/* parameters */
	FRESH();
	p.vcpus = 0;
	assert_int_equal(ovmf_snp_digest(img, SEV_LEN, &p, &ld, &e), -EINVAL);
	p.vcpus = OVMF_VCPUS_MAX + 1;
	assert_int_equal(ovmf_snp_digest(img, SEV_LEN, &p, &ld, &e), -EINVAL);
	p.vcpus = 1;
	p.svsm = img;
	p.svsm_len = SEV_LEN;
	assert_int_equal(ovmf_seves_digest(img, SEV_LEN, &p, ld.ld, &e), -EINVAL);
	/* an SVSM image without SVSM information */
	memset(&e, 0, sizeof(e));
	assert_int_equal(ovmf_snp_digest(img, SEV_LEN, &p, &ld, &e), -ERR_FORMAT);
	assert_non_null(strstr(e.msg, "SVSM"));
	p.vmm = VMSA_VMM_EC2;
	assert_int_equal(ovmf_snp_digest(img, SEV_LEN, &p, &ld, &e), -ERR_UNSUPPORTED);
	/* a valid image still parses after all that */
	assert_int_equal(ovmf_parse(img, SEV_LEN, OVMF_IMAGE_END, &o, NULL), 0);
	assert_int_equal(o.nsections, 5);
#undef FRESH
}

static void expect_tdvf(const uint8_t *img, size_t len, int want)
{
	struct err e = { 0 };
	uint8_t m[TDX_MRTD_LEN];
	int rc = tdvf_measure(img, len, TDVF_ONE_PASS, m, NULL, &e);

	if (rc != want)
		print_message("got %d (%s), want %d\n", rc, e.msg, want);
	assert_int_equal(rc, want);
	assert_int_equal(e.code, want);
	assert_true(e.msg[0] != 0);
}

static void test_tdvf_malformed(void **state)
{
	static uint8_t img[TDVF_LEN];
	uint8_t *s0 = img + TDVF_AT + 16;
	size_t tstart = TDVF_LEN - 32 - 18 - 22;

	(void)state;
#define FRESH() build_tdvf(img)
	FRESH();
	expect_tdvf(img, 40, -ERR_NOTFOUND);                  /* too small for a table */
	FRESH();
	memcpy(img + tstart + 6, g_meta, 16);                 /* no TDX entry */
	expect_tdvf(img, TDVF_LEN, -ERR_NOTFOUND);
	FRESH();
	put32(img + tstart, TDVF_LEN + 16);                   /* offset beyond the image */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	img[TDVF_AT + 3] = 'G';
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + TDVF_AT + 8, 2);
	expect_tdvf(img, TDVF_LEN, -ERR_UNSUPPORTED);
	FRESH();
	put32(img + TDVF_AT + 12, 0);
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + TDVF_AT + 12, TDVF_SECTIONS_MAX + 1);
	expect_tdvf(img, TDVF_LEN, -ERR_LIMIT);
	FRESH();
	put32(img + TDVF_AT + 4, 16 + 32 * 3);                /* length / count mismatch */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put32(img + TDVF_AT + 12, 60);                        /* beyond the image end */
	put32(img + TDVF_AT + 4, 16 + 32 * 60);
	expect_tdvf(img, TDVF_LEN, -ERR_LIMIT);
	FRESH();
	put32(s0 + 4, 0x3000);                                /* raw above memory size */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put32(s0, 0x2000);                                    /* data beyond the image */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put32(s0, 0xFFFFF000);
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put64(s0 + 8, 0xFFFFD010);                            /* unaligned gpa */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put64(s0 + 16, 0x2001);                               /* unaligned size */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put64(s0 + 8, 0xFFFFFFFFFFFFF000ull);                 /* gpa + size wraps */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put32(s0 + 24, 7);                                    /* unknown type */
	expect_tdvf(img, TDVF_LEN, -ERR_UNSUPPORTED);
	FRESH();
	put32(s0 + 28, 4);                                    /* unknown attribute */
	expect_tdvf(img, TDVF_LEN, -ERR_UNSUPPORTED);
	FRESH();
	put32(s0 + 28, 3);                                    /* extend an AUG page */
	expect_tdvf(img, TDVF_LEN, -ERR_FORMAT);
	FRESH();
	put64(s0 + 32 + 16, TDVF_ADDED_MAX);                  /* too much added memory */
	expect_tdvf(img, TDVF_LEN, -ERR_LIMIT);
#undef FRESH
}

/* Every truncation and every single-byte corruption of the tail of the
 * real fixtures either measures or fails with a message (ASan watches). */
static void test_mutations(void **state)
{
	static const char *const names[] = { "ovmf_AmdSev_suffix.bin", "ovmf_OvmfX64_suffix.bin" };
	struct ovmf_params p = { .vmm = VMSA_VMM_QEMU, .vcpus = 2, .vcpu_sig = 0x800F12,
				 .guest_features = 1 };
	struct snp_ld ld;
	uint8_t m[TDX_MRTD_LEN];
	size_t k, len, i;
	int rc;

	(void)state;
	for (k = 0; k < 2; k++) {
		uint8_t *img = load_fix(names[k], &len);

		if (!img)
			skip();
		for (i = len - 512; i < len; i++) {
			for (unsigned bit = 0; bit < 8; bit += 3) {
				struct err e = { 0 };

				img[i] ^= (uint8_t)(1u << bit);
				rc = ovmf_snp_digest(img, len, &p, &ld, &e);
				assert_true(rc == 0 || (rc < 0 && e.msg[0] && e.code == rc));
				memset(&e, 0, sizeof(e));
				rc = tdvf_measure(img, len, 0, m, NULL, &e);
				assert_true(rc == 0 || (rc < 0 && e.msg[0] && e.code == rc));
				img[i] ^= (uint8_t)(1u << bit);
			}
		}
		for (i = 0; i < len; i += 7) {
			struct err e = { 0 };

			rc = ovmf_snp_digest(img + (len - i), i, &p, &ld, &e);
			assert_true(rc < 0 && e.code == rc);
		}
		free(img);
	}
}

/* One test per vector, named after it. */
#define VEC(fn, group, name) { group "/" name, fn, NULL, NULL, (void *)(name) }

int main(void)
{
	const struct CMUnitTest tests[] = {
		VEC(test_snp_ovmf, "snp_ovmf", "snp_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_guest_feature_snp_only"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_ovmf_hash_gen_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_ovmf_hash_gen_feature_snp_only"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_ec2_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_ec2_feature_snp_only"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_gce_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_gce_with_multiple_vcpus_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_without_kernel_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_without_kernel_feature_snp_only"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_with_multiple_vcpus_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_with_multiple_vcpus_feature_snp_only"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_with_ovmfx64_without_default"),
		VEC(test_snp_ovmf, "snp_ovmf", "snp_with_ovmfx64_without_kernel_feature_snp_only"),
		VEC(test_seves_ovmf, "seves_ovmf", "seves"),
		VEC(test_seves_ovmf, "seves_ovmf", "seves_with_multiple_vcpus"),
		VEC(test_snp_svsm, "snp_svsm_hardware", "snp_svsm_4_vcpus"),
		VEC(test_snp_svsm, "snp_svsm_hardware", "snp_svsm_2_vcpus"),
		cmocka_unit_test(test_vectors_covered),
		cmocka_unit_test(test_ovmf_hash_seed),
		cmocka_unit_test(test_ovmfx64_kernel_refused),
		cmocka_unit_test(test_tdvf_debian_ovmf),
		cmocka_unit_test(test_debian_ovmf_sev),
		cmocka_unit_test(test_page_info),
		cmocka_unit_test(test_cpu_sig),
		cmocka_unit_test(test_vmsa_reset),
		cmocka_unit_test(test_synthetic_sev),
		cmocka_unit_test(test_synthetic_tdvf),
		cmocka_unit_test(test_sev_malformed),
		cmocka_unit_test(test_tdvf_malformed),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
