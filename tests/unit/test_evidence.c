/* test_evidence: tee/snp.c, tee/tdx.c and the evidence edges.
 *
 * Real fixtures from ../shared/fixtures (a test whose fixture is absent
 * reports itself skipped): the SNP reports and Trustee's evidence.json (our
 * JSON for the report rebuilt from it must equal the fixture, key order
 * included), the TDX quotes v4/v5, a TDREPORT and an OVMF CCEL.  Synthetic
 * inputs for every rejection.  The configfs-tsm path runs against a fake
 * directory tree whose "kernel" is a hook that answers inblob. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha512.h>
#include <yyjson.h>

#include "tee/evidence.h"
#include "tee/snp.h"
#include "tee/tdx.h"
#include "tee/tee_int.h"

#define FIX "../shared/fixtures/"

/* ---- helpers ------------------------------------------------------------ */

static uint8_t *load(const char *rel, size_t *n)
{
	char path[512];
	struct tee_blob b;

	snprintf(path, sizeof(path), FIX "%s", rel);
	if (tee_read_file(path, 1u << 20, &b, NULL) < 0) {
		print_message("fixture %s absent: skipped\n", path);
		return NULL;
	}
	*n = b.n;
	return b.p;
}

#define LOAD_OR_SKIP(var, rel, n)		\
	do {					\
		var = load(rel, n);		\
		if (!var)			\
			skip();			\
	} while (0)

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static size_t unb64(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	assert_int_equal(mbedtls_base64_decode(out, cap, &n, (const unsigned char *)s,
					       strlen(s)), 0);
	return n;
}

/* A synthetic v3 Genoa report (or v5 Turin) carrying rd and host_data. */
static void synth_report(uint8_t r[SNP_REPORT_SIZE], uint32_t version, const uint8_t *rd)
{
	size_t i;

	memset(r, 0, SNP_REPORT_SIZE);
	put32(r, version);
	put32(r + 0x08, 0x30000);
	put32(r + 0x34, 1);
	r[0x38] = 10, r[0x39] = 1, r[0x3e] = 23, r[0x3f] = 25;
	if (rd)
		memcpy(r + 0x50, rd, 64);
	for (i = 0; i < 32; i++)
		r[0xC0 + i] = (uint8_t)(0xA0 + i);
	r[0x188] = version == 5 ? 0x1A : 0x19;
	r[0x189] = version == 5 ? 0x02 : 0xA0;
	r[0x18A] = 1;
	for (i = 0; i < 64; i++)
		r[0x1A0 + i] = (uint8_t)i;
	r[0x1E8] = 40, r[0x1E9] = 55, r[0x1EA] = 1;
	if (version == 5) {
		r[0x1F8] = 3;
		r[0x200] = 5;
	}
	r[0x2A0] = 0x11;
	r[0x2E8] = 0x22;
}

static const uint8_t vcek_guid[16] = { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
				       0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd };
static const uint8_t ask_guid[16] = { 0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
				      0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 };

/* Table entry i: guid, offset, length. */
static void entry(uint8_t *t, size_t i, const uint8_t guid[16], uint32_t off, uint32_t len)
{
	memcpy(t + 24 * i, guid, 16);
	put32(t + 24 * i + 16, off);
	put32(t + 24 * i + 20, len);
}

static yyjson_doc *jparse(const char *s, size_t n)
{
	yyjson_doc *d = yyjson_read(s, n, 0);

	assert_non_null(d);
	return d;
}

/* "/a/0/b" walked step by step (plain keys and array indexes; yyjson's JSON
 * Pointer utilities are not built). */
static yyjson_val *jget(yyjson_val *o, const char *path)
{
	char key[64];

	while (*path == '/') {
		size_t n = strcspn(path + 1, "/");

		assert_true(n < sizeof(key));
		memcpy(key, path + 1, n);
		key[n] = '\0';
		o = yyjson_is_arr(o) ? yyjson_arr_get(o, strtoul(key, NULL, 10))
				     : yyjson_obj_get(o, key);
		assert_non_null(o);
		path += 1 + n;
	}
	return o;
}

/* ---- SNP report ----------------------------------------------------------- */

static void test_snp_v2_fixture(void **state)
{
	struct snp_report r;
	enum snp_gen g;
	uint8_t *p;
	size_t n, i;
	char *js;
	size_t jl;
	yyjson_doc *d;
	yyjson_val *ar;
	struct err e = { 0 };

	(void)state;
	LOAD_OR_SKIP(p, "trustee/snp/test-report.bin", &n);
	assert_int_equal(snp_report_parse(p, n, &r, &e), 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.guest_svn, 4);
	assert_int_equal(r.policy, 0x3001F);
	assert_int_equal(r.family_id[0], 1);
	assert_int_equal(r.image_id[0], 2);
	assert_int_equal(r.sig_algo, 1);
	assert_int_equal(r.current_tcb[0], 3);
	assert_int_equal(r.current_tcb[6], 8);
	assert_int_equal(r.current_tcb[7], 0xce);
	assert_int_equal(r.plat_info, 1);
	assert_int_equal(SNP_KEY_INFO_SIGNING_KEY(r.key_info), SNP_SIGNING_VCEK);
	assert_int_equal(r.report_data[0], 0xec);
	assert_int_equal(r.measurement[0], 0xa1);
	assert_int_equal(r.measurement[47], 0x8c);
	for (i = 0; i < 32; i++)
		assert_int_equal(r.report_id_ma[i], 0xff);
	assert_int_equal(r.chip_id[0], 0xc3);
	assert_int_equal(r.cpuid_fam_id, 0);
	assert_int_equal(snp_report_gen(&r, &g, &e), 0);
	assert_int_equal(g, SNP_GEN_GENOA);
	assert_memory_equal(r.sig_r, p + 0x2A0, 72);
	assert_memory_equal(r.sig_s, p + 0x2E8, 72);

	assert_int_equal(snp_evidence_json(p, n, NULL, 0, &js, &jl, &e), 0);
	assert_int_equal(strlen(js), jl);
	d = jparse(js, jl);
	ar = jget(yyjson_doc_get_root(d), "/attestation_report");
	assert_true(yyjson_is_null(jget(ar, "/cpuid_fam_id")));
	assert_true(yyjson_is_null(jget(ar, "/cpuid_step")));
	assert_null(yyjson_obj_get(ar, "launch_mit_vector"));
	assert_true(yyjson_is_null(jget(ar, "/current_tcb/fmc")));
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/bootloader")), 3);
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/snp")), 8);
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/microcode")), 0xce);
	assert_int_equal(yyjson_get_uint(jget(ar, "/policy")), 0x3001F);
	assert_int_equal(yyjson_arr_size(jget(ar, "/signature/r")), 72);
	assert_true(yyjson_is_null(jget(yyjson_doc_get_root(d), "/cert_chain")));
	yyjson_doc_free(d);
	free(js);
	free(p);
}

static void test_snp_vlek_fixture(void **state)
{
	struct snp_report r;
	enum snp_gen g;
	uint8_t *p;
	size_t n;
	struct err e = { 0 };

	(void)state;
	LOAD_OR_SKIP(p, "trustee/snp/test-vlek-report.bin", &n);
	assert_int_equal(snp_report_parse(p, n, &r, &e), 0);
	assert_int_equal(r.version, 3);
	assert_int_equal(r.cpuid_fam_id, 0x19);
	assert_int_equal(r.cpuid_mod_id, 0x01);
	assert_int_equal(r.cpuid_step, 0x01);
	assert_int_equal(SNP_KEY_INFO_SIGNING_KEY(r.key_info), SNP_SIGNING_VLEK);
	assert_int_equal(snp_report_gen(&r, &g, &e), 0);
	assert_int_equal(g, SNP_GEN_MILAN);
	assert_string_equal(snp_gen_name(g), "Milan");
	free(p);
}

/* Raw report bytes from Trustee's JSON form (Milan/Genoa TCB layout). */
struct field { const char *key; size_t off, n; };

static const struct field arrs[] = {
	{ "family_id", 0x10, 16 }, { "image_id", 0x20, 16 }, { "report_data", 0x50, 64 },
	{ "measurement", 0x90, 48 }, { "host_data", 0xC0, 32 },
	{ "id_key_digest", 0xE0, 48 }, { "author_key_digest", 0x110, 48 },
	{ "report_id", 0x140, 32 }, { "report_id_ma", 0x160, 32 }, { "chip_id", 0x1A0, 64 },
	{ "signature/r", 0x2A0, 72 }, { "signature/s", 0x2E8, 72 },
};
static const struct field nums[] = {
	{ "version", 0, 4 }, { "guest_svn", 4, 4 }, { "policy", 8, 8 }, { "vmpl", 0x30, 4 },
	{ "sig_algo", 0x34, 4 }, { "plat_info", 0x40, 8 }, { "key_info", 0x48, 4 },
	{ "cpuid_fam_id", 0x188, 1 }, { "cpuid_mod_id", 0x189, 1 }, { "cpuid_step", 0x18A, 1 },
	{ "current/build", 0x1E8, 1 }, { "current/minor", 0x1E9, 1 },
	{ "current/major", 0x1EA, 1 }, { "committed/build", 0x1EC, 1 },
	{ "committed/minor", 0x1ED, 1 }, { "committed/major", 0x1EE, 1 },
};
static const struct field tcbs[] = {
	{ "current_tcb", 0x38, 8 }, { "reported_tcb", 0x180, 8 },
	{ "committed_tcb", 0x1E0, 8 }, { "launch_tcb", 0x1F0, 8 },
};

static yyjson_val *at(yyjson_val *o, const char *key)
{
	char ptr[64];

	snprintf(ptr, sizeof(ptr), "/%s", key);
	return jget(o, ptr);
}

static void rebuild(yyjson_val *ar, uint8_t raw[SNP_REPORT_SIZE])
{
	size_t i, j;

	memset(raw, 0, SNP_REPORT_SIZE);
	for (i = 0; i < sizeof(arrs) / sizeof(arrs[0]); i++) {
		yyjson_val *a = at(ar, arrs[i].key);

		assert_int_equal(yyjson_arr_size(a), arrs[i].n);
		for (j = 0; j < arrs[i].n; j++)
			raw[arrs[i].off + j] = (uint8_t)yyjson_get_uint(yyjson_arr_get(a, j));
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint64_t v = yyjson_get_uint(at(ar, nums[i].key));

		for (j = 0; j < nums[i].n; j++)
			raw[nums[i].off + j] = (uint8_t)(v >> (8 * j));
	}
	for (i = 0; i < sizeof(tcbs) / sizeof(tcbs[0]); i++) {
		yyjson_val *t = at(ar, tcbs[i].key);
		uint8_t *b = raw + tcbs[i].off;

		assert_true(yyjson_is_null(yyjson_obj_get(t, "fmc")));
		b[0] = (uint8_t)yyjson_get_uint(yyjson_obj_get(t, "bootloader"));
		b[1] = (uint8_t)yyjson_get_uint(yyjson_obj_get(t, "tee"));
		b[6] = (uint8_t)yyjson_get_uint(yyjson_obj_get(t, "snp"));
		b[7] = (uint8_t)yyjson_get_uint(yyjson_obj_get(t, "microcode"));
	}
}

/* Trustee's evidence.json: rebuild the raw report and the VCEK cert table,
 * and our JSON must be the fixture byte for byte once both are minified
 * (same keys, same order, same values). */
static void test_snp_json_matches_trustee(void **state)
{
	uint8_t raw[SNP_REPORT_SIZE], *tab, *p;
	yyjson_doc *fx, *ours;
	yyjson_val *cert, *data;
	char *js, *want, *got;
	size_t n, jl, i, clen;
	struct err e = { 0 };

	(void)state;
	LOAD_OR_SKIP(p, "trustee/snp/evidence.json", &n);
	fx = jparse((const char *)p, n);
	rebuild(jget(yyjson_doc_get_root(fx), "/attestation_report"), raw);
	cert = jget(yyjson_doc_get_root(fx), "/cert_chain/0");
	assert_string_equal(yyjson_get_str(yyjson_obj_get(cert, "cert_type")), "VCEK");
	data = yyjson_obj_get(cert, "data");
	clen = yyjson_arr_size(data);
	tab = calloc(1, 48 + clen + 100);             /* trailing zeros as the kernel's */
	assert_non_null(tab);
	entry(tab, 0, vcek_guid, 48, (uint32_t)clen);
	for (i = 0; i < clen; i++)
		tab[48 + i] = (uint8_t)yyjson_get_uint(yyjson_arr_get(data, i));

	assert_int_equal(snp_evidence_json(raw, sizeof(raw), tab, 48 + clen + 100, &js, &jl,
					   &e), 0);
	ours = jparse(js, jl);
	want = yyjson_write(fx, 0, NULL);
	got = yyjson_write(ours, 0, NULL);
	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_string_equal(js, want);                /* already minified */
	free(want);
	free(got);
	yyjson_doc_free(ours);
	yyjson_doc_free(fx);
	free(js);
	free(tab);
	free(p);
}

/* v5 on Turin: fmc set, the TCB bytes moved, mitigation vectors present. */
static void test_snp_v5_turin(void **state)
{
	uint8_t r[SNP_REPORT_SIZE];
	struct snp_report s;
	yyjson_doc *d;
	yyjson_val *ar;
	char *js;
	size_t jl;
	struct err e = { 0 };

	(void)state;
	synth_report(r, 5, NULL);
	assert_int_equal(snp_report_parse(r, sizeof(r), &s, &e), 0);
	assert_int_equal(s.launch_mit_vector, 3);
	assert_int_equal(s.current_mit_vector, 5);
	assert_int_equal(snp_evidence_json(r, sizeof(r), NULL, 0, &js, &jl, &e), 0);
	d = jparse(js, jl);
	ar = jget(yyjson_doc_get_root(d), "/attestation_report");
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/fmc")), 10);
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/bootloader")), 1);
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/tee")), 0);
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/snp")), 0);
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_tcb/microcode")), 25);
	assert_int_equal(yyjson_get_uint(jget(ar, "/launch_mit_vector")), 3);
	assert_int_equal(yyjson_get_uint(jget(ar, "/current_mit_vector")), 5);
	assert_int_equal(yyjson_get_uint(jget(ar, "/cpuid_fam_id")), 0x1A);
	/* the mit vectors sit between launch_tcb and signature */
	assert_non_null(strstr(js, "\"launch_tcb\":{"));
	assert_true(strstr(js, "\"launch_tcb\"") < strstr(js, "\"launch_mit_vector\""));
	assert_true(strstr(js, "\"current_mit_vector\"") < strstr(js, "\"signature\""));
	yyjson_doc_free(d);
	free(js);
}

static void expect_report(const uint8_t *r, size_t n, int code)
{
	struct snp_report s;
	struct err e = { 0 };

	assert_int_equal(snp_report_parse(r, n, &s, &e), code);
	if (code) {
		assert_int_equal(e.code, code);
		assert_true(e.msg[0] != '\0');
	}
}

static void test_snp_rejects(void **state)
{
	uint8_t r[SNP_REPORT_SIZE + 1];
	struct snp_report s;
	enum snp_gen g;
	char *js = (char *)1;
	size_t jl = 1;
	struct err e = { 0 };

	(void)state;
	synth_report(r, 3, NULL);
	r[SNP_REPORT_SIZE] = 0;
	expect_report(r, SNP_REPORT_SIZE - 1, -ERR_FORMAT);
	expect_report(r, SNP_REPORT_SIZE + 1, -ERR_FORMAT);
	expect_report(r, 0, -ERR_FORMAT);
	expect_report(NULL, SNP_REPORT_SIZE, -ERR_FORMAT);
	put32(r, 1);
	expect_report(r, SNP_REPORT_SIZE, -ERR_UNSUPPORTED);
	put32(r, 6);
	expect_report(r, SNP_REPORT_SIZE, -ERR_UNSUPPORTED);
	put32(r, 4);                                   /* v4 is laid out like v3 */
	expect_report(r, SNP_REPORT_SIZE, 0);
	r[0x1F8] = 1;                                  /* mit vector before v5 */
	expect_report(r, SNP_REPORT_SIZE, -ERR_FORMAT);
	synth_report(r, 3, NULL);
	r[0x04C] = 1;
	expect_report(r, SNP_REPORT_SIZE, -ERR_FORMAT);
	synth_report(r, 3, NULL);
	r[0x19F] = 1;
	expect_report(r, SNP_REPORT_SIZE, -ERR_FORMAT);
	synth_report(r, 3, NULL);
	r[0x29F] = 1;
	expect_report(r, SNP_REPORT_SIZE, -ERR_FORMAT);
	synth_report(r, 3, NULL);
	r[0x4A0 - 1] = 1;                              /* unsigned signature padding */
	expect_report(r, SNP_REPORT_SIZE, 0);
	synth_report(r, 2, NULL);                      /* CPUID bytes in a v2 report */
	expect_report(r, SNP_REPORT_SIZE, -ERR_FORMAT);
	memset(r + 0x188, 0, 3);
	expect_report(r, SNP_REPORT_SIZE, 0);
	memset(r + 0x1A0, 0, 64);                      /* masked chip id, v2 */
	assert_int_equal(snp_report_parse(r, SNP_REPORT_SIZE, &s, &e), 0);
	assert_int_equal(snp_report_gen(&s, &g, &e), -ERR_UNSUPPORTED);
	r[0x1A0] = 7;                                  /* 8-byte chip id: Turin */
	assert_int_equal(snp_report_parse(r, SNP_REPORT_SIZE, &s, &e), 0);
	assert_int_equal(snp_report_gen(&s, &g, &e), 0);
	assert_int_equal(g, SNP_GEN_TURIN);
	synth_report(r, 3, NULL);
	r[0x188] = 0x17;                               /* not an SNP family */
	assert_int_equal(snp_evidence_json(r, SNP_REPORT_SIZE, NULL, 0, &js, &jl, &e),
			 -ERR_UNSUPPORTED);
	assert_null(js);
	assert_int_equal(jl, 0);
}

/* ---- SNP cert table -------------------------------------------------------- */

static void test_snp_certs(void **state)
{
	uint8_t t[512], other[16];
	struct snp_certs cs;
	size_t i;
	struct err e = { 0 };
	char *js;
	size_t jl;
	uint8_t r[SNP_REPORT_SIZE];
	yyjson_doc *d;
	yyjson_val *ch;

	(void)state;
	memset(other, 0x5a, sizeof(other));
	memset(t, 0, sizeof(t));
	entry(t, 0, vcek_guid, 96, 10);
	entry(t, 1, other, 106, 5);
	entry(t, 2, ask_guid, 111, 20);
	for (i = 96; i < 131; i++)
		t[i] = (uint8_t)i;
	assert_int_equal(snp_certs_parse(t, sizeof(t), &cs, &e), 0);
	assert_int_equal(cs.n, 3);
	assert_int_equal(cs.c[0].kind, SNP_CERT_VCEK);
	assert_int_equal(cs.c[1].kind, SNP_CERT_OTHER);
	assert_int_equal(cs.c[2].kind, SNP_CERT_ASK);
	assert_ptr_equal(cs.c[2].data, t + 111);
	assert_int_equal(cs.c[2].len, 20);
	assert_string_equal(snp_cert_name(SNP_CERT_VLEK), "VLEK");
	assert_null(snp_cert_name(SNP_CERT_OTHER));
	assert_int_equal(snp_certs_parse(t, 131, &cs, &e), 0);   /* exactly to the end */
	assert_int_equal(snp_certs_parse(t, 130, &cs, &e), -ERR_FORMAT);
	assert_int_equal(snp_certs_parse(NULL, 0, &cs, &e), 0);
	assert_int_equal(cs.n, 0);

	/* JSON: unknown GUIDs left out, the others in table order */
	synth_report(r, 3, NULL);
	assert_int_equal(snp_evidence_json(r, sizeof(r), t, sizeof(t), &js, &jl, &e), 0);
	d = jparse(js, jl);
	ch = jget(yyjson_doc_get_root(d), "/cert_chain");
	assert_int_equal(yyjson_arr_size(ch), 2);
	assert_string_equal(yyjson_get_str(jget(ch, "/0/cert_type")), "VCEK");
	assert_int_equal(yyjson_arr_size(jget(ch, "/0/data")), 10);
	assert_int_equal(yyjson_get_uint(jget(ch, "/0/data/0")), 96);
	assert_string_equal(yyjson_get_str(jget(ch, "/1/cert_type")), "ASK");
	yyjson_doc_free(d);
	free(js);

	/* only unknown certificates: null */
	memset(t, 0, sizeof(t));
	entry(t, 0, other, 48, 4);
	assert_int_equal(snp_evidence_json(r, sizeof(r), t, sizeof(t), &js, &jl, &e), 0);
	assert_non_null(strstr(js, "\"cert_chain\":null"));
	free(js);
	/* an all-zero buffer (host gave none): empty table, null */
	memset(t, 0, sizeof(t));
	assert_int_equal(snp_evidence_json(r, sizeof(r), t, sizeof(t), &js, &jl, &e), 0);
	assert_non_null(strstr(js, "\"cert_chain\":null"));
	free(js);
}

static void expect_certs(const uint8_t *t, size_t n, int code)
{
	struct snp_certs cs;
	struct err e = { 0 };

	assert_int_equal(snp_certs_parse(t, n, &cs, &e), code);
	if (code) {
		assert_int_equal(cs.n, 0);
		assert_true(e.msg[0] != '\0');
	}
}

static void test_snp_certs_rejects(void **state)
{
	uint8_t t[24 * 20 + 64];
	size_t i;

	(void)state;
	memset(t, 0, sizeof(t));
	entry(t, 0, vcek_guid, 48, 8);
	expect_certs(t, 40, -ERR_FORMAT);              /* no terminator inside n */
	expect_certs(t, 56, 0);
	entry(t, 0, vcek_guid, 40, 8);                 /* overlaps the table */
	expect_certs(t, 56, -ERR_FORMAT);
	entry(t, 0, vcek_guid, 48, 0);                 /* empty certificate */
	expect_certs(t, 56, -ERR_FORMAT);
	entry(t, 0, vcek_guid, 48, 0xffffffffu);       /* past the end */
	expect_certs(t, 56, -ERR_FORMAT);
	entry(t, 0, vcek_guid, 0xfffffff0u, 0x20);     /* offset past the end */
	expect_certs(t, 56, -ERR_FORMAT);
	memset(t, 0, sizeof(t));                       /* zero GUID, non-zero rest */
	put32(t + 16, 48);
	put32(t + 20, 4);
	expect_certs(t, 56, -ERR_FORMAT);
	memset(t, 0, sizeof(t));                       /* VCEK twice */
	entry(t, 0, vcek_guid, 72, 4);
	entry(t, 1, vcek_guid, 76, 4);
	expect_certs(t, 80, -ERR_FORMAT);
	memset(t, 0, sizeof(t));                       /* too many entries */
	for (i = 0; i < 17; i++) {
		uint8_t g[16];

		memset(g, (int)(i + 1), sizeof(g));
		entry(t, i, g, 24 * 18, 1);
	}
	expect_certs(t, sizeof(t), -ERR_LIMIT);
}

/* ---- TDX --------------------------------------------------------------- */

static void sha384(const uint8_t *p, size_t n, uint8_t out[64])
{
	assert_int_equal(mbedtls_sha512(p, n, out, 1), 0);
}

static void test_tdx_report_fixture(void **state)
{
	struct tdx_report r;
	uint8_t *p, h[64], tdinfo[512];
	size_t n;
	struct err e = { 0 };

	(void)state;
	LOAD_OR_SKIP(p, "guest-components/tdx_report_1.bin", &n);
	assert_int_equal(tdx_report_parse(p, n, &r, &e), 0);
	assert_int_equal(r.report_type[0], 0x81);
	assert_int_equal(r.report_type[2], 1);
	assert_memory_equal(r.report_data, p + 128, 64);
	assert_memory_equal(r.mrtd, p + 528, 48);
	assert_memory_equal(r.mrconfigid, p + 576, 48);
	assert_memory_equal(r.rtmr[0], p + 720, 48);
	assert_memory_equal(r.rtmr[3], p + 864, 48);
	/* the kept pieces hash to the MAC struct's hashes */
	sha384(r.tee_tcb_info, sizeof(r.tee_tcb_info), h);
	assert_memory_equal(h, r.tee_tcb_info_hash, 48);
	memset(tdinfo, 0, sizeof(tdinfo));
	memcpy(tdinfo, r.td_attributes, 8);
	memcpy(tdinfo + 8, r.xfam, 8);
	memcpy(tdinfo + 16, r.mrtd, 48);
	memcpy(tdinfo + 64, r.mrconfigid, 48);
	memcpy(tdinfo + 112, r.mrowner, 48);
	memcpy(tdinfo + 160, r.mrownerconfig, 48);
	memcpy(tdinfo + 208, r.rtmr, 4 * 48);
	memcpy(tdinfo + 400, r.servtd_hash, 48);
	if (memcmp(p + 960, tdinfo + 448, 64) == 0) {   /* reserved tail is zero */
		sha384(tdinfo, sizeof(tdinfo), h);
		assert_memory_equal(h, r.tee_info_hash, 48);
	}
	assert_int_equal(tdx_report_parse(p, n - 1, &r, &e), -ERR_FORMAT);
	p[0] = 0x00;
	assert_int_equal(tdx_report_parse(p, n, &r, &e), -ERR_FORMAT);
	free(p);
}

static void check_quote(const char *rel, uint16_t ver, size_t rd_off, size_t signed_len)
{
	struct tdx_quote q;
	uint8_t *p, *big;
	size_t n, i;
	struct err e = { 0 };
	static const uint8_t intel[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
					   0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };

	LOAD_OR_SKIP(p, rel, &n);
	assert_int_equal(tdx_quote_parse(p, n, &q, &e), 0);
	assert_int_equal(q.version, ver);
	assert_int_equal(q.att_key_type, 2);
	assert_int_equal(q.tee_type, 0x81);
	assert_memory_equal(q.qe_vendor_id, intel, 16);
	assert_int_equal(q.signed_len, signed_len);
	assert_int_equal(q.sig_len, n - signed_len - 4);
	assert_ptr_equal(q.sig, p + signed_len + 4);
	assert_memory_equal(q.report_data, p + rd_off, 64);
	assert_memory_equal(q.mrtd, p + rd_off - 520 + 136, 48);
	assert_memory_equal(q.mrconfigid, p + rd_off - 520 + 184, 48);
	assert_memory_equal(q.rtmr[0], p + rd_off - 520 + 328, 48);
	assert_memory_equal(q.rtmr[3], p + rd_off - 520 + 472, 48);
	/* every truncation fails, and so does one trailing byte */
	for (i = 0; i < n; i++)
		assert_int_not_equal(tdx_quote_parse(p, i, &q, &e), 0);
	big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, p, n);
	big[n] = 0;
	assert_int_equal(tdx_quote_parse(big, n + 1, &q, &e), -ERR_FORMAT);
	big[4] = 0;                                    /* SGX */
	assert_int_equal(tdx_quote_parse(big, n, &q, &e), -ERR_UNSUPPORTED);
	big[4] = 0x81;
	put16(big, 3);
	assert_int_equal(tdx_quote_parse(big, n, &q, &e), -ERR_UNSUPPORTED);
	free(big);
	free(p);
}

static void test_tdx_quote_v4(void **state)
{
	(void)state;
	check_quote("trustee/tdx/tdx_quote_4.dat", 4, 568, 632);
}

static void test_tdx_quote_v5(void **state)
{
	struct tdx_quote q;
	uint8_t *p;
	size_t n;
	struct err e = { 0 };

	(void)state;
	check_quote("trustee/tdx/tdx_quote_5.dat", 5, 0x23E, 702);
	LOAD_OR_SKIP(p, "trustee/tdx/tdx_quote_5.dat", &n);
	assert_int_equal(tdx_quote_parse(p, n, &q, &e), 0);
	assert_int_equal(q.body_type, 3);
	assert_int_equal(q.body_size, 648);
	assert_memory_equal(q.mrservicetd, p + 54 + 600, 48);
	put32(p + 50, 584);                            /* size of the other type */
	assert_int_equal(tdx_quote_parse(p, n, &q, &e), -ERR_FORMAT);
	put16(p + 48, 1);                              /* SGX body */
	assert_int_equal(tdx_quote_parse(p, n, &q, &e), -ERR_UNSUPPORTED);
	free(p);
}

static void test_ccel_fixture(void **state)
{
	uint8_t *p, *js;
	size_t n, jn, used, nev;
	yyjson_doc *d;
	struct err e = { 0 };

	(void)state;
	p = load("trustee/tdx/CCEL_data_ovmf", &n);
	js = load("trustee/tdx/CCEL_data_ovmf_out.json", &jn);
	if (!p || !js) {
		free(p);
		free(js);
		skip();
	}
	assert_int_equal(tdx_ccel_trim(p, n, &used, &nev, &e), 0);
	assert_int_equal(used, 2120);
	d = jparse((const char *)js, jn);
	assert_int_equal(nev, yyjson_arr_size(jget(yyjson_doc_get_root(d), "/uefi_event_logs")));
	assert_int_equal(nev, 20);
	yyjson_doc_free(d);
	/* without its end mark the log is refused */
	assert_int_equal(tdx_ccel_trim(p, used, &used, &nev, &e), -ERR_FORMAT);
	assert_int_equal(tdx_ccel_trim(p, 40, &used, &nev, &e), -ERR_FORMAT);
	free(js);
	free(p);
}

/* A small synthetic log: spec-id event, one SHA-384 event, end mark. */
static size_t synth_ccel(uint8_t *b, size_t cap)
{
	size_t o = 0;

	memset(b, 0xff, cap);
	memset(b, 0, 32 + 8);
	put32(b + 4, 3);
	put32(b + 28, 8);                              /* 8 bytes of data */
	o = 40;
	memset(b + o, 0, 12 + 2 + 48 + 4 + 3);
	put32(b + o, 1);
	put32(b + o + 4, 0x80000001u);
	put32(b + o + 8, 1);
	put16(b + o + 12, 0x000C);
	memset(b + o + 14, 0x77, 48);
	put32(b + o + 62, 3);
	memcpy(b + o + 66, "abc", 3);
	return o + 69;
}

static void test_ccel_rejects(void **state)
{
	uint8_t b[256];
	size_t used, nev, end;
	struct err e = { 0 };

	(void)state;
	end = synth_ccel(b, sizeof(b));
	assert_int_equal(tdx_ccel_trim(b, sizeof(b), &used, &nev, &e), 0);
	assert_int_equal(used, end);
	assert_int_equal(nev, 1);
	memset(b + end, 0, 8);                         /* zeros end it too */
	assert_int_equal(tdx_ccel_trim(b, sizeof(b), &used, &nev, &e), 0);
	assert_int_equal(used, end);
	synth_ccel(b, sizeof(b));
	put16(b + 40 + 12, 0x0004);                    /* SHA-1: not supported */
	assert_int_equal(tdx_ccel_trim(b, sizeof(b), &used, &nev, &e), -ERR_UNSUPPORTED);
	synth_ccel(b, sizeof(b));
	put32(b + 40 + 62, 0xfffffff0u);               /* data past the end */
	assert_int_equal(tdx_ccel_trim(b, sizeof(b), &used, &nev, &e), -ERR_FORMAT);
	synth_ccel(b, sizeof(b));
	put32(b + 40 + 8, 0x40000000u);                /* absurd digest count */
	assert_true(tdx_ccel_trim(b, sizeof(b), &used, &nev, &e) < 0);
	memset(b + 40 + 62, 0, sizeof(b) - 40 - 62);   /* …of SHA-384 digests: runs out */
	for (end = 40 + 62; end + 2 <= sizeof(b); end += 50)
		put16(b + end, 0x000C);
	assert_int_equal(tdx_ccel_trim(b, sizeof(b), &used, &nev, &e), -ERR_FORMAT);
	synth_ccel(b, sizeof(b));
	put32(b + 4, 1);                               /* first event not EV_NO_ACTION */
	assert_int_equal(tdx_ccel_trim(b, sizeof(b), &used, &nev, &e), -ERR_FORMAT);
	assert_int_equal(tdx_ccel_trim(NULL, 0, &used, &nev, &e), -ERR_FORMAT);
}

/* ---- edges over a fake root ------------------------------------------------- */

struct fake {
	char root[64];
	char provider[16];
	int gen_bump;                  /* how far the "kernel" moves generation */
	int tdx;                       /* answer with a quote, else an SNP report */
	uint8_t last_in[64];
};

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void mkpath(struct fake *f, const char *rel)
{
	char p[256], *s;

	snprintf(p, sizeof(p), "%s/%s", f->root, rel);
	for (s = p + strlen(f->root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void touch(struct fake *f, const char *rel, const void *p, size_t n)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	write_file(path, p, n);
}

static void attr(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, p, n);
}

static void synth_quote(uint8_t *q, size_t *n, const uint8_t rd[64])
{
	memset(q, 0, 700);
	put16(q, 4);
	put16(q + 2, 2);
	put32(q + 4, 0x81);
	memset(q + 48 + 184, 0xC1, 48);                /* MRCONFIGID */
	memcpy(q + 568, rd, 64);
	put32(q + 632, 4);
	memcpy(q + 636, "SIGN", 4);
	*n = 640;
}

static void fake_kernel(enum tee_tsm_stage st, const char *dir, void *ctx)
{
	struct fake *f = ctx;
	char path[512], g[32];
	uint8_t out[SNP_REPORT_SIZE], aux[200];
	struct tee_blob in;
	size_t n;

	if (st == TEE_TSM_MKDIR) {
		snprintf(g, sizeof(g), "%s\n", f->provider);
		attr(dir, "provider", g, strlen(g));
		attr(dir, "generation", "0\n", 2);
		attr(dir, "inblob", "", 0);
		return;
	}
	snprintf(path, sizeof(path), "%s/inblob", dir);
	assert_int_equal(tee_read_file(path, 64, &in, NULL), 0);
	assert_int_equal(in.n, 64);
	memcpy(f->last_in, in.p, 64);
	free(in.p);
	if (f->tdx) {
		synth_quote(out, &n, f->last_in);
		attr(dir, "outblob", out, n);
	} else {
		synth_report(out, 3, f->last_in);
		attr(dir, "outblob", out, sizeof(out));
		memset(aux, 0, sizeof(aux));
		entry(aux, 0, vcek_guid, 48, 5);
		memcpy(aux + 48, "\x30\x82\x01\x02\x03", 5);
		attr(dir, "auxblob", aux, 53);
	}
	snprintf(g, sizeof(g), "%d\n", f->gen_bump);
	attr(dir, "generation", g, strlen(g));
}

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/ccg-tee.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	strcpy(f->provider, "sev_guest");
	f->gen_bump = 1;
	tee_test_set_root(f->root);
	tee_test_set_tsm_hook(fake_kernel, f);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	tee_test_set_root("");
	tee_test_set_tsm_hook(NULL, NULL);
	nftw(f->root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void test_names(void **state)
{
	enum tee_kind k;
	bool a;
	struct err e = { 0 };

	(void)state;
	assert_string_equal(tee_name(TEE_NONE), "none");
	assert_string_equal(tee_name(TEE_SAMPLE), "sample");
	assert_string_equal(tee_name(TEE_SNP), "snp");
	assert_string_equal(tee_name(TEE_TDX), "tdx");
	assert_int_equal(tee_kind_parse("auto", &k, &a, &e), 0);
	assert_true(a);
	assert_int_equal(k, TEE_NONE);
	assert_int_equal(tee_kind_parse("tdx", &k, &a, &e), 0);
	assert_false(a);
	assert_int_equal(k, TEE_TDX);
	assert_int_equal(tee_kind_parse("snp", &k, &a, &e), 0);
	assert_int_equal(k, TEE_SNP);
	assert_int_equal(tee_kind_parse("sample", &k, &a, &e), 0);
	assert_int_equal(k, TEE_SAMPLE);
	assert_int_equal(tee_kind_parse("none", &k, &a, &e), -ERR_FORMAT);
	assert_int_equal(tee_kind_parse("SNP", &k, &a, &e), -ERR_FORMAT);
	assert_int_equal(tee_kind_parse(NULL, &k, &a, &e), -ERR_FORMAT);
}

static void test_detect_and_sample(void **state)
{
	struct fake *f = *state;
	static const char want[] = "{\"svn\":\"1\",\"report_data\":\"VHSORxD+tvbUbt/7E6ZAbhlU"
				   "zV3HlU+IQi71CIL66bIYupU8LBI1CbEkRgdE24JH\"}";
	static const uint8_t rd[48] = {
		0x54, 0x74, 0x8e, 0x47, 0x10, 0xfe, 0xb6, 0xf6, 0xd4, 0x6e, 0xdf, 0xfb,
		0x13, 0xa6, 0x40, 0x6e, 0x19, 0x54, 0xcd, 0x5d, 0xc7, 0x95, 0x4f, 0x88,
		0x42, 0x2e, 0xf5, 0x08, 0x82, 0xfa, 0xe9, 0xb2, 0x18, 0xba, 0x95, 0x3c,
		0x2c, 0x12, 0x35, 0x09, 0xb1, 0x24, 0x46, 0x07, 0x44, 0xdb, 0x82, 0x47 };
	char *js;
	size_t jl;
	uint8_t id[64];
	struct err e = { 0 };

	assert_int_equal(tee_detect(), TEE_NONE);
	assert_int_equal(tee_evidence(TEE_SAMPLE, rd, 48, &js, &jl, &e), 0);
	assert_string_equal(js, want);
	assert_int_equal(jl, strlen(want));
	free(js);
	assert_int_equal(tee_evidence(TEE_SAMPLE, rd, 32, &js, &jl, &e), -EINVAL);
	assert_int_equal(tee_evidence(TEE_NONE, rd, 48, &js, &jl, &e), -ERR_UNSUPPORTED);
	assert_int_equal(tee_config_id(TEE_SAMPLE, id, &jl, &e), -ERR_UNSUPPORTED);

	/* cpuinfo flag, then device nodes: sample is refused on real hardware */
	mkpath(f, "proc");
	touch(f, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme tdx_guest_x\n\n", 42);
	assert_int_equal(tee_detect(), TEE_NONE);
	touch(f, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu tdx_guest vme\n\n", 41);
	assert_int_equal(tee_detect(), TEE_TDX);
	remove(strcat(strcpy((char *)id, f->root), "/proc/cpuinfo"));
	mkpath(f, "sys/devices/platform/sev-guest");
	assert_int_equal(tee_detect(), TEE_SNP);
	assert_int_equal(tee_evidence(TEE_SAMPLE, rd, 48, &js, &jl, &e), -ERR_UNSAFE);
	assert_null(js);
	assert_non_null(strstr(e.msg, "snp"));
	mkpath(f, "dev");
	touch(f, "dev/tdx_guest", "", 0);
	assert_int_equal(tee_detect(), TEE_TDX);
}

static void test_tsm_snp(void **state)
{
	struct fake *f = *state;
	uint8_t rd[64], id[64];
	char *js;
	size_t jl, i;
	yyjson_doc *d;
	yyjson_val *a;
	struct err e = { 0 };

	for (i = 0; i < 64; i++)
		rd[i] = (uint8_t)(i * 3);
	/* no configfs, no /dev/sev-guest */
	assert_int_equal(tee_evidence(TEE_SNP, rd, 64, &js, &jl, &e), -ENOENT);
	assert_null(js);
	mkpath(f, "sys/kernel/config/tsm/report");
	assert_int_equal(tee_evidence(TEE_SNP, rd, 63, &js, &jl, &e), -EINVAL);
	assert_int_equal(tee_evidence(TEE_SNP, rd, 64, &js, &jl, &e), 0);
	assert_memory_equal(f->last_in, rd, 64);
	d = jparse(js, jl);
	a = jget(yyjson_doc_get_root(d), "/attestation_report/report_data");
	for (i = 0; i < 64; i++)
		assert_int_equal(yyjson_get_uint(yyjson_arr_get(a, i)), rd[i]);
	assert_string_equal(yyjson_get_str(jget(yyjson_doc_get_root(d),
						"/cert_chain/0/cert_type")), "VCEK");
	assert_int_equal(yyjson_arr_size(jget(yyjson_doc_get_root(d),
					      "/cert_chain/0/data")), 5);
	yyjson_doc_free(d);
	free(js);

	assert_int_equal(tee_config_id(TEE_SNP, id, &jl, &e), 0);
	assert_int_equal(jl, 32);
	for (i = 0; i < 32; i++)
		assert_int_equal(id[i], 0xA0 + i);
	for (i = 0; i < 64; i++)
		assert_int_equal(f->last_in[i], 0);

	f->gen_bump = 2;                               /* someone else wrote too */
	assert_int_equal(tee_evidence(TEE_SNP, rd, 64, &js, &jl, &e), -EBUSY);
	assert_null(js);
	f->gen_bump = 1;
	strcpy(f->provider, "tdx_guest");
	assert_int_equal(tee_evidence(TEE_SNP, rd, 64, &js, &jl, &e), -ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "provider"));
}

static void test_tsm_tdx(void **state)
{
	struct fake *f = *state;
	uint8_t rd[64], q[700], el[256], dec[1024], id[64];
	char *js;
	size_t jl, i, end, n;
	yyjson_doc *d;
	struct err e = { 0 };

	for (i = 0; i < 64; i++)
		rd[i] = (uint8_t)(255 - i);
	strcpy(f->provider, "tdx_guest");
	f->tdx = 1;
	mkpath(f, "sys/kernel/config/tsm/report");
	assert_int_equal(tee_evidence(TEE_TDX, rd, 64, &js, &jl, &e), 0);
	d = jparse(js, jl);
	assert_true(yyjson_is_null(jget(yyjson_doc_get_root(d), "/cc_eventlog")));
	synth_quote(q, &n, rd);
	assert_int_equal(unb64(yyjson_get_str(jget(yyjson_doc_get_root(d), "/quote")), dec,
			       sizeof(dec)), n);
	assert_memory_equal(dec, q, n);
	assert_true(strncmp(js, "{\"cc_eventlog\":null,\"quote\":\"", 28) == 0);
	yyjson_doc_free(d);
	free(js);

	/* with a CCEL: trimmed, then the 8-byte end mark */
	end = synth_ccel(el, sizeof(el));
	mkpath(f, "sys/firmware/acpi/tables/data");
	touch(f, "sys/firmware/acpi/tables/data/CCEL", el, sizeof(el));
	assert_int_equal(tee_evidence(TEE_TDX, rd, 64, &js, &jl, &e), 0);
	d = jparse(js, jl);
	n = unb64(yyjson_get_str(jget(yyjson_doc_get_root(d), "/cc_eventlog")), dec,
		  sizeof(dec));
	assert_int_equal(n, end + 8);
	assert_memory_equal(dec, el, end + 8);         /* el has 0xFF after end */
	yyjson_doc_free(d);
	free(js);
	/* a broken CCEL fails the evidence (fail closed) */
	touch(f, "sys/firmware/acpi/tables/data/CCEL", el, end);
	assert_int_equal(tee_evidence(TEE_TDX, rd, 64, &js, &jl, &e), -ERR_FORMAT);
	assert_null(js);

	/* config id: no /dev/tdx_guest, sysfs measurements */
	assert_int_equal(tee_config_id(TEE_TDX, id, &jl, &e), -ENOENT);
	mkpath(f, "sys/devices/virtual/misc/tdx_guest/measurements");
	memset(dec, 0xC1, 48);
	touch(f, "sys/devices/virtual/misc/tdx_guest/measurements/mrconfigid", dec, 48);
	assert_int_equal(tee_config_id(TEE_TDX, id, &jl, &e), 0);
	assert_int_equal(jl, 48);
	assert_memory_equal(id, dec, 48);
	touch(f, "sys/devices/virtual/misc/tdx_guest/measurements/mrconfigid", dec, 47);
	assert_int_equal(tee_config_id(TEE_TDX, id, &jl, &e), -ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snp_v2_fixture),
		cmocka_unit_test(test_snp_vlek_fixture),
		cmocka_unit_test(test_snp_json_matches_trustee),
		cmocka_unit_test(test_snp_v5_turin),
		cmocka_unit_test(test_snp_rejects),
		cmocka_unit_test(test_snp_certs),
		cmocka_unit_test(test_snp_certs_rejects),
		cmocka_unit_test(test_tdx_report_fixture),
		cmocka_unit_test(test_tdx_quote_v4),
		cmocka_unit_test(test_tdx_quote_v5),
		cmocka_unit_test(test_ccel_fixture),
		cmocka_unit_test(test_ccel_rejects),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_detect_and_sample, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_tsm_snp, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_tsm_tdx, fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
