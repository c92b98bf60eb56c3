/* ccguest igvm inspect FILE [--json]: validate an IGVM file (igvm_open,
 * igvm_check_overlap) and describe it: header summary, platforms, guest
 * policy, a memory map of merged GPA ranges, parameter areas, VP contexts,
 * ID block, the launch digest under each loader model, and warnings about
 * what the loaders we target would refuse or measure differently.
 *
 * One pass builds a JSON document (yyjson, host only); --json prints it,
 * the text form is rendered from it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yyjson.h>

#include "base/le.h"
#include "crypto/hex.h"
#include "host/cli.h"
#include "host/igvmbuild.h"
#include "host/util.h"
#include "igvm/igvm.h"
#include "igvm/igvm_measure.h"
#include "igvm/vmsa.h"

static const char ii_usage[] =
	"usage: ccguest igvm inspect FILE [--json]\n"
	"\n"
	"Check an IGVM file (fixed header, checksum, every variable header, section\n"
	"order, platforms and masks, parameter areas, file-data ranges, overlapping\n"
	"pages) and describe it: platforms, guest policy, memory map, parameter\n"
	"areas, VP contexts, ID block, the SEV-SNP launch digest under each loader\n"
	"model, and warnings.  Exit status 1 with one error line if it is invalid.\n";

/* ---- small helpers ---------------------------------------------------------- */

struct ii {
	const struct igvm_file *f;
	yyjson_mut_doc *d;
	yyjson_mut_val *root, *warnings;
};

static void put_hex(struct ii *c, yyjson_mut_val *o, const char *k, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	yyjson_mut_obj_add_strcpy(c->d, o, k, b);
}

static void put_bytes(struct ii *c, yyjson_mut_val *o, const char *k, const uint8_t *p,
		      size_t n)
{
	char b[2 * 64 + 1];

	hex_encode(p, n, b);
	yyjson_mut_obj_add_strcpy(c->d, o, k, b);
}

static void warn(struct ii *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct ii *c, const char *fmt, ...)
{
	char b[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	yyjson_mut_arr_add_strcpy(c->d, c->warnings, b);
}

static yyjson_mut_val *add_arr(struct ii *c, const char *k)
{
	return yyjson_mut_obj_add_arr(c->d, c->root, k);
}

/* ---- sections ----------------------------------------------------------------- */

static void sec_summary(struct ii *c, const char *path)
{
	const struct igvm_file *f = c->f;
	yyjson_mut_val *counts = yyjson_mut_obj(c->d);
	struct igvm_rec r;
	uint32_t pos = 0, seen[64] = { 0 }, n_seen = 0, i, n;

	yyjson_mut_obj_add_strcpy(c->d, c->root, "file", path);
	yyjson_mut_obj_add_uint(c->d, c->root, "version", f->version);
	yyjson_mut_obj_add_uint(c->d, c->root, "size", f->len);
	yyjson_mut_obj_add_uint(c->d, c->root, "variable_header_offset", f->vh_off);
	yyjson_mut_obj_add_uint(c->d, c->root, "variable_header_size", f->vh_size);
	yyjson_mut_obj_add_uint(c->d, c->root, "file_data_size",
				f->len - f->vh_off - f->vh_size);
	put_hex(c, c->root, "checksum", f->checksum);
	yyjson_mut_obj_add_bool(c->d, c->root, "checksum_ok", true);
	yyjson_mut_obj_add_uint(c->d, c->root, "headers", f->n_headers);
	/* counts per type, in order of first appearance */
	while (igvm_next(f, &pos, &r)) {
		for (i = 0; i < n_seen && seen[i] != r.type; i++)
			;
		if (i == n_seen && n_seen < 64)
			seen[n_seen++] = r.type;
	}
	for (i = 0; i < n_seen; i++) {
		n = 0;
		pos = 0;
		while (igvm_next(f, &pos, &r))
			n += r.type == seen[i];
		yyjson_mut_obj_add_uint(c->d, counts, igvm_type_name(seen[i]), n);
	}
	yyjson_mut_obj_add_val(c->d, c->root, "header_counts", counts);
}

static void sec_platforms(struct ii *c)
{
	yyjson_mut_val *a = add_arr(c, "platforms"), *o;
	struct igvm_rec r;
	uint32_t pos = 0;
	bool first = true;

	while (igvm_next(c->f, &pos, &r) && r.type == IGVM_VHT_SUPPORTED_PLATFORM) {
		o = yyjson_mut_arr_add_obj(c->d, a);
		put_hex(c, o, "mask", r.mask);
		yyjson_mut_obj_add_str(c->d, o, "type", igvm_platform_name(r.platform_type));
		yyjson_mut_obj_add_uint(c->d, o, "highest_vtl", r.highest_vtl);
		yyjson_mut_obj_add_uint(c->d, o, "version", r.platform_version);
		put_hex(c, o, "shared_gpa_boundary", r.shared_gpa_boundary);
		if (first && r.platform_type != IGVM_PLATFORM_SEV_SNP)
			warn(c, "the first platform is %s: Cloud Hypervisor uses the first "
			     "platform header and expects SEV_SNP",
			     igvm_platform_name(r.platform_type));
		first = false;
	}
}

static void sec_policy(struct ii *c)
{
	yyjson_mut_val *a = add_arr(c, "guest_policies"), *o, *s;
	struct igvm_rec r;
	uint32_t pos = 0, snp = igvm_platform_mask(c->f, IGVM_PLATFORM_SEV_SNP), have = 0;
	uint64_t p;

	while (igvm_next(c->f, &pos, &r)) {
		if (r.type != IGVM_VHT_GUEST_POLICY)
			continue;
		o = yyjson_mut_arr_add_obj(c->d, a);
		put_hex(c, o, "mask", r.mask);
		put_hex(c, o, "policy", r.policy);
		have |= r.mask;
		if (!(r.mask & snp))
			continue;
		p = r.policy;
		s = yyjson_mut_obj_add_obj(c->d, o, "snp");
		yyjson_mut_obj_add_uint(c->d, s, "abi_major", (p >> 8) & 0xff);
		yyjson_mut_obj_add_uint(c->d, s, "abi_minor", p & 0xff);
		yyjson_mut_obj_add_bool(c->d, s, "smt", p >> 16 & 1);
		yyjson_mut_obj_add_bool(c->d, s, "bit17", p >> 17 & 1);
		yyjson_mut_obj_add_bool(c->d, s, "migrate_ma", p >> 18 & 1);
		yyjson_mut_obj_add_bool(c->d, s, "debug", p >> 19 & 1);
		yyjson_mut_obj_add_bool(c->d, s, "single_socket", p >> 20 & 1);
		if (!(p >> 17 & 1))
			warn(c, "SNP policy 0x%" PRIx64 ": bit 17 must be 1 (the PSP refuses it)", p);
		if (p >> 19 & 1)
			warn(c, "SNP policy 0x%" PRIx64 " allows debugging (Trustee's default "
			     "policy refuses it)", p);
		if (p >> 18 & 1)
			warn(c, "SNP policy 0x%" PRIx64 " allows a migration agent", p);
	}
	if (snp && !(have & snp))
		warn(c, "no GUEST_POLICY for the SEV_SNP platform (loaders use a default; the "
		     "igvm crate refuses to measure)");
}

static const char *dt_name(unsigned t)
{
	static const char *const n[] = { "NORMAL", "SECRETS", "CPUID_DATA", "CPUID_XF" };

	return t < 4 ? n[t] : "?";
}

/* The memory map of one platform: consecutive PAGE_DATA of one kind and
 * contiguous GPAs merged; parameter inserts and VMSAs one range each. */
struct seg {
	uint64_t start, end, n;
	bool merge;
	char kind[96];
};

static void seg_flush(struct ii *c, yyjson_mut_val *a, uint32_t m, const struct seg *g)
{
	yyjson_mut_val *o;

	if (g->n == 0)
		return;
	o = yyjson_mut_arr_add_obj(c->d, a);
	put_hex(c, o, "mask", m);
	put_hex(c, o, "start", g->start);
	put_hex(c, o, "end", g->end);
	yyjson_mut_obj_add_uint(c->d, o, "pages", g->n);
	yyjson_mut_obj_add_strcpy(c->d, o, "kind", g->kind);
}

static void sec_map_mask(struct ii *c, yyjson_mut_val *a, uint32_t m, int ptype)
{
	struct seg g = { 0 }, h;
	struct igvm_rec r;
	uint32_t pos = 0;

	while (igvm_next(c->f, &pos, &r)) {
		if (!(r.mask & m))
			continue;
		memset(&h, 0, sizeof(h));
		h.start = r.gpa;
		h.n = 1;
		if (r.type == IGVM_VHT_PAGE_DATA) {
			h.merge = true;
			snprintf(h.kind, sizeof(h.kind), "%s %s%s%s", dt_name(r.data_type),
				 r.data ? "data" : "zero",
				 r.flags & IGVM_PAGEF_UNMEASURED ? " unmeasured" : "",
				 r.flags & IGVM_PAGEF_SHARED ? " shared" : "");
		} else if (r.type == IGVM_VHT_PARAMETER_INSERT) {
			h.n = igvm_area_size(c->f, r.index, r.hdr_off) / IGVM_PAGE;
			snprintf(h.kind, sizeof(h.kind), "parameter area %u", r.index);
		} else if (r.type == IGVM_VHT_VP_CONTEXT &&
			   (ptype == IGVM_PLATFORM_SEV_SNP || ptype == IGVM_PLATFORM_SEV_ES)) {
			snprintf(h.kind, sizeof(h.kind), "VMSA vp %u", r.vp_index);
		} else {
			continue;
		}
		if (g.n && g.merge && h.merge && g.end == h.start && strcmp(g.kind, h.kind) == 0) {
			g.n++;
			g.end += IGVM_PAGE;
			continue;
		}
		seg_flush(c, a, m, &g);
		g = h;
		g.end = g.start + g.n * IGVM_PAGE;
	}
	seg_flush(c, a, m, &g);
}

static void sec_map(struct ii *c)
{
	yyjson_mut_val *a = add_arr(c, "memory_map");
	uint32_t b;

	for (b = 0; b < 32; b++)
		if (c->f->platforms & (1u << b))
			sec_map_mask(c, a, 1u << b, igvm_mask_platform(c->f, 1u << b));
}

static bool is_param_type(uint32_t t)
{
	return t >= IGVM_VHT_VP_COUNT_PARAMETER && t <= IGVM_VHT_ENVIRONMENT_INFO &&
	       t != IGVM_VHT_SNP_ID_BLOCK && t != IGVM_VHT_ERROR_RANGE &&
	       t != IGVM_VHT_VBS_MEASUREMENT;
}

static void sec_areas(struct ii *c)
{
	yyjson_mut_val *a = add_arr(c, "parameter_areas"), *o, *ps, *p;
	struct igvm_rec r, q;
	uint32_t pos = 0, qpos;
	bool inserted;

	while (igvm_next(c->f, &pos, &r)) {
		if (r.type != IGVM_VHT_PARAMETER_AREA)
			continue;
		o = yyjson_mut_arr_add_obj(c->d, a);
		yyjson_mut_obj_add_uint(c->d, o, "index", r.index);
		yyjson_mut_obj_add_uint(c->d, o, "bytes", r.nbytes);
		yyjson_mut_obj_add_bool(c->d, o, "initial_data", r.data != NULL);
		ps = yyjson_mut_obj_add_arr(c->d, o, "parameters");
		inserted = false;
		qpos = pos;
		while (igvm_next(c->f, &qpos, &q)) {
			if (q.index != r.index)
				continue;
			if (q.type == IGVM_VHT_PARAMETER_INSERT && !inserted) {
				put_hex(c, o, "inserted_at", q.gpa);
				put_hex(c, o, "insert_mask", q.mask);
				inserted = true;
			} else if (is_param_type(q.type)) {
				p = yyjson_mut_arr_add_obj(c->d, ps);
				yyjson_mut_obj_add_str(c->d, p, "type", igvm_type_name(q.type));
				put_hex(c, p, "offset", q.byte_offset);
			}
		}
		if (!inserted)
			warn(c, "parameter area %u is never inserted", r.index);
		if (r.nbytes > IGVM_PAGE)
			warn(c, "parameter area %u has %" PRIu64 " pages: Cloud Hypervisor on MSHV "
			     "measures one page, KVM loaders all of them", r.index,
			     r.nbytes / IGVM_PAGE);
	}
}

static void sev_features(struct ii *c, yyjson_mut_val *o, uint64_t sf)
{
	static const char *const names[16] = {
		"SNP", "vTOM", "ReflectVC", "RestrictedInjection", "AlternateInjection",
		"DebugSwap", "PreventHostIBS", "BTBIsolation", "VmplSSS", "SecureTSC",
		"VmgexitParameter", NULL, "IbsVirtualization", NULL, "VmsaRegProt",
		"SmtProtection",
	};
	yyjson_mut_val *a;
	char b[16];
	int i;

	put_hex(c, o, "sev_features", sf);
	a = yyjson_mut_obj_add_arr(c->d, o, "sev_features_names");
	for (i = 0; i < 64; i++) {
		if (!(sf >> i & 1))
			continue;
		if (i < 16 && names[i]) {
			yyjson_mut_arr_add_str(c->d, a, names[i]);
		} else {
			snprintf(b, sizeof(b), "bit%d", i);
			yyjson_mut_arr_add_strcpy(c->d, a, b);
		}
	}
	if (!(sf & 1))
		warn(c, "VMSA sev_features 0x%" PRIx64 " without SNP (bit 0)", sf);
	if (sf & ~0x21ull & 0x3FEull)
		warn(c, "VMSA sev_features 0x%" PRIx64 " enable features an upstream Linux guest "
		     "refuses at boot (only SNP and DebugSwap are safe)", sf);
}

static void sec_vp(struct ii *c)
{
	yyjson_mut_val *a = add_arr(c, "vp_contexts"), *o;
	struct igvm_rec r;
	uint32_t pos = 0;
	const uint8_t *v;
	int pt;

	while (igvm_next(c->f, &pos, &r)) {
		if (r.type != IGVM_VHT_VP_CONTEXT)
			continue;
		pt = igvm_mask_platform(c->f, r.mask);
		v = r.data;
		o = yyjson_mut_arr_add_obj(c->d, a);
		put_hex(c, o, "mask", r.mask);
		yyjson_mut_obj_add_str(c->d, o, "platform", igvm_platform_name((unsigned)pt));
		yyjson_mut_obj_add_uint(c->d, o, "vp_index", r.vp_index);
		put_hex(c, o, "gpa", r.gpa);
		if (pt == IGVM_PLATFORM_SEV_SNP || pt == IGVM_PLATFORM_SEV_ES) {
			put_hex(c, o, "rip", le_ld64(v + VMSA_RIP));
			put_hex(c, o, "rsp", le_ld64(v + VMSA_RSP));
			put_hex(c, o, "rsi", le_ld64(v + VMSA_RSI));
			put_hex(c, o, "cr0", le_ld64(v + VMSA_CR0));
			put_hex(c, o, "cr3", le_ld64(v + VMSA_CR3));
			put_hex(c, o, "cr4", le_ld64(v + VMSA_CR4));
			put_hex(c, o, "efer", le_ld64(v + VMSA_EFER));
			put_hex(c, o, "cs_attrib", (uint64_t)(v[VMSA_CS + 2] | v[VMSA_CS + 3] << 8));
			sev_features(c, o, le_ld64(v + VMSA_SEV_FEATURES));
			if (!(le_ld64(v + VMSA_EFER) & VMSA_EFER_SVME))
				warn(c, "VMSA of vp %u: EFER.SVME is clear (the PSP refuses it)",
				     r.vp_index);
			if (r.gpa != IGVM_KVM_VMSA_GPA)
				warn(c, "VMSA of vp %u at 0x%" PRIx64 ": QEMU requires 0xfffffffff000 "
				     "(Cloud Hypervisor on MSHV needs it in RAM)", r.vp_index, r.gpa);
		} else {   /* IgvmNativeVpContextX64 */
			put_hex(c, o, "rip", le_ld64(v + 0x80));
			put_hex(c, o, "rsp", le_ld64(v + 0x20));
			put_hex(c, o, "cr0", le_ld64(v + 0xC8));
			put_hex(c, o, "cr3", le_ld64(v + 0xD0));
			put_hex(c, o, "cr4", le_ld64(v + 0xD8));
			put_hex(c, o, "efer", le_ld64(v + 0xE0));
		}
	}
}

static void sec_misc(struct ii *c)
{
	yyjson_mut_val *req = add_arr(c, "required_memory"), *ids = add_arr(c, "id_blocks"), *o;
	uint32_t pos = 0, n_zero = 0, n_xf = 0;
	struct igvm_rec r;

	while (igvm_next(c->f, &pos, &r)) {
		switch (r.type) {
		case IGVM_VHT_REQUIRED_MEMORY:
			o = yyjson_mut_arr_add_obj(c->d, req);
			put_hex(c, o, "mask", r.mask);
			put_hex(c, o, "gpa", r.gpa);
			yyjson_mut_obj_add_uint(c->d, o, "bytes", r.nbytes);
			yyjson_mut_obj_add_bool(c->d, o, "vtl2_protectable", r.flags & 1);
			break;
		case IGVM_VHT_SNP_ID_BLOCK:
			o = yyjson_mut_arr_add_obj(c->d, ids);
			put_hex(c, o, "mask", r.mask);
			yyjson_mut_obj_add_uint(c->d, o, "author_key_enabled", r.data[4]);
			put_bytes(c, o, "ld", r.data + 8, 48);
			put_bytes(c, o, "family_id", r.data + 56, 16);
			put_bytes(c, o, "image_id", r.data + 72, 16);
			yyjson_mut_obj_add_uint(c->d, o, "version", le_ld32(r.data + 88));
			yyjson_mut_obj_add_uint(c->d, o, "guest_svn", le_ld32(r.data + 92));
			yyjson_mut_obj_add_uint(c->d, o, "id_key_algorithm", le_ld32(r.data + 96));
			yyjson_mut_obj_add_uint(c->d, o, "author_key_algorithm", le_ld32(r.data + 100));
			yyjson_mut_obj_add_uint(c->d, o, "id_key_curve", le_ld32(r.data + 248));
			break;
		case IGVM_VHT_PAGE_DATA:
			n_zero += !r.data && r.data_type == IGVM_PAGE_NORMAL &&
				  !(r.flags & IGVM_PAGEF_UNMEASURED);
			n_xf += r.data_type == IGVM_PAGE_CPUID_XF;
			break;
		case IGVM_VHT_COMMAND_LINE:
			warn(c, "COMMAND_LINE parameter: QEMU refuses it, Cloud Hypervisor writes an "
			     "empty string");
			break;
		case IGVM_VHT_SRAT: case IGVM_VHT_MADT: case IGVM_VHT_SLIT: case IGVM_VHT_PPTT:
		case IGVM_VHT_MMIO_RANGES: case IGVM_VHT_DEVICE_TREE: case IGVM_VHT_ERROR_RANGE:
		case IGVM_VHT_ENVIRONMENT_INFO: case IGVM_VHT_VBS_MEASUREMENT:
			warn(c, "%s at 0x%x: Cloud Hypervisor does not handle it (panics)",
			     igvm_type_name(r.type), r.hdr_off);
			break;
		default:
			break;
		}
	}
	if (n_zero)
		warn(c, "%u measured pages without file data: KVM loaders measure them as ZERO "
		     "pages, MSHV and the igvm crate as NORMAL pages of zeros (store an explicit "
		     "zero page)", n_zero);
	if (n_xf)
		warn(c, "%u CPUID_XF pages: Cloud Hypervisor panics on them", n_xf);
	if (igvm_platform_mask(c->f, IGVM_PLATFORM_SEV_SNP) &&
	    yyjson_mut_arr_size(ids) == 0)
		warn(c, "no SNP_ID_BLOCK: Cloud Hypervisor on MSHV always enables the ID block");
	if (c->f->warnings & IGVM_WARN_VP_PADDING)
		warn(c, "VP_CONTEXT padding is not zero (igvmgen writes '0' bytes; the igvm crate "
		     "ignores them)");
}

static void sec_digests(struct ii *c)
{
	static const enum igvm_loader loaders[] = { IGVM_LOADER_CRATE, IGVM_LOADER_MSHV,
						    IGVM_LOADER_KVM };
	yyjson_mut_val *o;
	struct igvm_measure_opts mo;
	struct snp_ld ld;
	struct err e;
	uint8_t idld[SNP_LD_LEN];
	bool have_id;
	size_t i;
	uint32_t m = igvm_platform_mask(c->f, IGVM_PLATFORM_SEV_SNP);

	if (!m)
		return;
	o = yyjson_mut_obj_add_obj(c->d, c->root, "launch_digests");
	have_id = igvm_measure_id_block_ld(c->f, m, idld, NULL) == 0;
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++) {
		memset(&mo, 0, sizeof(mo));
		memset(&e, 0, sizeof(e));
		mo.loader = loaders[i];
		mo.mask = m;
		mo.vcpus = 1;
		mo.n_scratch = igvm_measure_slots(c->f, m);
		mo.scratch = calloc(mo.n_scratch ? mo.n_scratch : 1, sizeof(*mo.scratch));
		if (!mo.scratch || igvm_measure_snp(c->f, &mo, &ld, &e) < 0) {
			char b[ERR_MSG_MAX + 16];

			snprintf(b, sizeof(b), "error: %s", mo.scratch ? e.msg : "out of memory");
			yyjson_mut_obj_add_strcpy(c->d, o, igvm_measure_loader_name(loaders[i]), b);
		} else {
			put_bytes(c, o, igvm_measure_loader_name(loaders[i]), ld.ld, SNP_LD_LEN);
			if (have_id && loaders[i] == IGVM_LOADER_CRATE &&
			    memcmp(ld.ld, idld, SNP_LD_LEN) != 0)
				warn(c, "the ID block's ld differs from the igvm crate's digest");
		}
		free(mo.scratch);
	}
	memset(&e, 0, sizeof(e));
	if (igvm_measure_check_kvm(c->f, m, &e) < 0)
		warn(c, "%s", e.msg);
}

/* ---- text rendering ------------------------------------------------------------ */

static const char *js(yyjson_mut_val *o, const char *k)
{
	const char *s = yyjson_mut_get_str(yyjson_mut_obj_get(o, k));

	return s ? s : "";
}

static uint64_t ju(yyjson_mut_val *o, const char *k)
{
	return yyjson_mut_get_uint(yyjson_mut_obj_get(o, k));
}

static bool jb(yyjson_mut_val *o, const char *k)
{
	return yyjson_mut_get_bool(yyjson_mut_obj_get(o, k));
}

#define EACH(arr, it, v) \
	for (yyjson_mut_arr_iter_init((arr), &(it)); ((v) = yyjson_mut_arr_iter_next(&(it)));)

static void print_text(yyjson_mut_val *root)
{
	yyjson_mut_val *v, *s, *k, *x, *p;
	yyjson_mut_arr_iter it, it2;
	yyjson_mut_obj_iter oi;
	const char *sep;

	printf("%s: IGVM v%" PRIu64 ", %" PRIu64 " bytes (variable headers 0x%" PRIx64 "+%" PRIu64
	       ", file data %" PRIu64 "), checksum %s ok\n", js(root, "file"), ju(root, "version"),
	       ju(root, "size"), ju(root, "variable_header_offset"),
	       ju(root, "variable_header_size"), ju(root, "file_data_size"), js(root, "checksum"));
	printf("headers: %" PRIu64 " (", ju(root, "headers"));
	sep = "";
	yyjson_mut_obj_iter_init(yyjson_mut_obj_get(root, "header_counts"), &oi);
	while ((k = yyjson_mut_obj_iter_next(&oi))) {
		printf("%s%s %" PRIu64, sep, yyjson_mut_get_str(k),
		       yyjson_mut_get_uint(yyjson_mut_obj_iter_get_val(k)));
		sep = ", ";
	}
	printf(")\n\nplatforms:\n");
	EACH(yyjson_mut_obj_get(root, "platforms"), it, v)
		printf("  mask %s  %-8s highest_vtl %" PRIu64 ", version %" PRIu64
		       ", shared_gpa_boundary %s\n", js(v, "mask"), js(v, "type"),
		       ju(v, "highest_vtl"), ju(v, "version"), js(v, "shared_gpa_boundary"));
	EACH(yyjson_mut_obj_get(root, "guest_policies"), it, v) {
		printf("guest policy (mask %s): %s", js(v, "mask"), js(v, "policy"));
		s = yyjson_mut_obj_get(v, "snp");
		if (s)
			printf("  SNP ABI %" PRIu64 ".%" PRIu64 ", SMT %s, bit 17 %s, migrate_ma %s, "
			       "debug %s, single socket %s", ju(s, "abi_major"), ju(s, "abi_minor"),
			       jb(s, "smt") ? "allowed" : "no", jb(s, "bit17") ? "set" : "CLEAR",
			       jb(s, "migrate_ma") ? "yes" : "no", jb(s, "debug") ? "yes" : "no",
			       jb(s, "single_socket") ? "yes" : "no");
		putchar('\n');
	}
	printf("\nmemory map:\n");
	EACH(yyjson_mut_obj_get(root, "memory_map"), it, v) {
		uint64_t a = strtoull(js(v, "start"), NULL, 0), b = strtoull(js(v, "end"), NULL, 0);

		printf("  0x%016" PRIx64 "-0x%016" PRIx64 " %6" PRIu64 " page%s  %s%s%s\n", a, b,
		       ju(v, "pages"), ju(v, "pages") == 1 ? " " : "s", js(v, "kind"),
		       strcmp(js(v, "mask"), "0x1") ? "  mask " : "",
		       strcmp(js(v, "mask"), "0x1") ? js(v, "mask") : "");
	}
	x = yyjson_mut_obj_get(root, "parameter_areas");
	if (yyjson_mut_arr_size(x))
		printf("\nparameter areas:\n");
	EACH(x, it, v) {
		printf("  area %" PRIu64 ": %" PRIu64 " bytes, %s, inserted at %s:", ju(v, "index"),
		       ju(v, "bytes"), jb(v, "initial_data") ? "initial data" : "zeroed",
		       yyjson_mut_obj_get(v, "inserted_at") ? js(v, "inserted_at") : "(never)");
		sep = " ";
		EACH(yyjson_mut_obj_get(v, "parameters"), it2, p) {
			printf("%s%s @%s", sep, js(p, "type"), js(p, "offset"));
			sep = ", ";
		}
		printf("%s\n", *sep == ' ' ? " no parameters" : "");
	}
	x = yyjson_mut_obj_get(root, "vp_contexts");
	if (yyjson_mut_arr_size(x))
		printf("\nVP contexts:\n");
	EACH(x, it, v) {
		printf("  vp %" PRIu64 " (%s, mask %s) at %s: RIP %s RSP %s CR0 %s CR3 %s CR4 %s "
		       "EFER %s", ju(v, "vp_index"), js(v, "platform"), js(v, "mask"),
		       js(v, "gpa"), js(v, "rip"), js(v, "rsp"), js(v, "cr0"), js(v, "cr3"),
		       js(v, "cr4"), js(v, "efer"));
		if (yyjson_mut_obj_get(v, "sev_features")) {
			printf("\n       sev_features %s (", js(v, "sev_features"));
			sep = "";
			EACH(yyjson_mut_obj_get(v, "sev_features_names"), it2, p) {
				printf("%s%s", sep, yyjson_mut_get_str(p));
				sep = ", ";
			}
			printf(")");
		}
		putchar('\n');
	}
	x = yyjson_mut_obj_get(root, "required_memory");
	if (yyjson_mut_arr_size(x))
		printf("\nrequired memory:\n");
	EACH(x, it, v)
		printf("  %s +0x%" PRIx64 " (mask %s)%s\n", js(v, "gpa"), ju(v, "bytes"),
		       js(v, "mask"), jb(v, "vtl2_protectable") ? " vtl2-protectable" : "");
	EACH(yyjson_mut_obj_get(root, "id_blocks"), it, v)
		printf("\nID block (mask %s):\n  ld        %s\n  family_id %s\n  image_id  %s\n"
		       "  version %" PRIu64 ", guest_svn %" PRIu64 ", id key algorithm %" PRIu64
		       " (curve %" PRIu64 "), author key %s\n", js(v, "mask"), js(v, "ld"),
		       js(v, "family_id"), js(v, "image_id"), ju(v, "version"), ju(v, "guest_svn"),
		       ju(v, "id_key_algorithm"), ju(v, "id_key_curve"),
		       ju(v, "author_key_enabled") ? "enabled" : "disabled");
	x = yyjson_mut_obj_get(root, "launch_digests");
	if (x) {
		printf("\nSEV-SNP launch digest:\n");
		yyjson_mut_obj_iter_init(x, &oi);
		while ((k = yyjson_mut_obj_iter_next(&oi)))
			printf("  %-5s %s%s\n", yyjson_mut_get_str(k),
			       yyjson_mut_get_str(yyjson_mut_obj_iter_get_val(k)),
			       strcmp(yyjson_mut_get_str(k), "kvm") == 0 ? "  (1 vCPU)" : "");
	}
	x = yyjson_mut_obj_get(root, "warnings");
	if (yyjson_mut_arr_size(x))
		printf("\nwarnings:\n");
	EACH(x, it, v)
		printf("  - %s\n", yyjson_mut_get_str(v));
}

/* ---- command ------------------------------------------------------------------- */

int igvm_inspect_cmd(int argc, char **argv)
{
	const char *path = NULL;
	struct igvm_file f;
	struct err e = { 0 };
	struct ii c = { 0 };
	struct util_map m = { 0 };
	char *out;
	int i, json = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(ii_usage, stdout);
			return CLI_OK;
		} else if (argv[i][0] == '-' || path) {
			cli_error("igvm inspect: unexpected argument '%s'", argv[i]);
			fputs(ii_usage, stderr);
			return CLI_USAGE;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		fputs(ii_usage, stderr);
		return CLI_USAGE;
	}
	rc = util_map(path, UINT32_MAX, &m, &e);
	if (rc == 0)
		rc = igvmbuild_open_checked(&f, m.p, m.len, &e);
	if (rc < 0) {
		cli_error("igvm inspect %s: %s", path, e.msg[0] ? e.msg : err_str(rc));
		util_unmap(&m);
		return CLI_FAIL;
	}
	c.f = &f;
	c.d = yyjson_mut_doc_new(NULL);
	c.root = c.d ? yyjson_mut_obj(c.d) : NULL;
	if (!c.root) {
		cli_error("igvm inspect %s: out of memory", path);
		yyjson_mut_doc_free(c.d);
		util_unmap(&m);
		return CLI_FAIL;
	}
	yyjson_mut_doc_set_root(c.d, c.root);
	c.warnings = yyjson_mut_arr(c.d);
	sec_summary(&c, path);
	sec_platforms(&c);
	sec_policy(&c);
	sec_map(&c);
	sec_areas(&c);
	sec_vp(&c);
	sec_misc(&c);
	sec_digests(&c);
	yyjson_mut_obj_add_val(c.d, c.root, "warnings", c.warnings);
	rc = CLI_OK;
	if (json) {
		out = yyjson_mut_write(c.d, YYJSON_WRITE_PRETTY_TWO_SPACES, NULL);
		if (out)
			puts(out);
		else
			rc = CLI_FAIL;
		free(out);
	} else {
		print_text(c.root);
	}
	yyjson_mut_doc_free(c.d);
	util_unmap(&m);
	return rc;
}
