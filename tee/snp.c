/* snp: SEV-SNP report, certificate table and evidence JSON (see snp.h). */
#include "tee/snp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

#include "base/cur.h"
#include "crypto/ct.h"

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static uint64_t le64(const uint8_t *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

/* ---- report ------------------------------------------------------------ */

/* A reserved stretch at a fixed offset must be zero. */
static int rsv(const uint8_t *p, size_t off, size_t n, struct err *e)
{
	if (!ct_is_zero(p + off, n))
		return err_set(e, -ERR_FORMAT, "snp report: reserved bytes at 0x%03zx..0x%03zx "
			       "are not zero", off, off + n - 1);
	return 0;
}

static void take(struct cur *c, void *dst, size_t n)
{
	memcpy(dst, cur_take(c, n), n);   /* the caller checked the total size */
}

static uint32_t take32(struct cur *c)
{
	return le32(cur_take(c, 4));
}

static uint64_t take64(struct cur *c)
{
	return le64(cur_take(c, 8));
}

static void parse_head(struct cur *c, struct snp_report *r)
{
	r->version = take32(c);
	r->guest_svn = take32(c);
	r->policy = take64(c);
	take(c, r->family_id, 16);
	take(c, r->image_id, 16);
	r->vmpl = take32(c);
	r->sig_algo = take32(c);
	take(c, r->current_tcb, 8);
	r->plat_info = take64(c);
	r->key_info = take32(c);
	(void)cur_take(c, 4);                         /* 0x04C reserved */
	take(c, r->report_data, 64);
	take(c, r->measurement, 48);
	take(c, r->host_data, 32);
	take(c, r->id_key_digest, 48);
	take(c, r->author_key_digest, 48);
	take(c, r->report_id, 32);
	take(c, r->report_id_ma, 32);
	take(c, r->reported_tcb, 8);
}

static void parse_tail(struct cur *c, struct snp_report *r)
{
	const uint8_t *b;

	b = cur_take(c, 3);                           /* 0x188 */
	r->cpuid_fam_id = b[0];
	r->cpuid_mod_id = b[1];
	r->cpuid_step = b[2];
	(void)cur_take(c, 21);
	take(c, r->chip_id, 64);                      /* 0x1A0 */
	take(c, r->committed_tcb, 8);
	b = cur_take(c, 8);                           /* 0x1E8 */
	r->current_build = b[0];
	r->current_minor = b[1];
	r->current_major = b[2];
	r->committed_build = b[4];
	r->committed_minor = b[5];
	r->committed_major = b[6];
	take(c, r->launch_tcb, 8);                    /* 0x1F0 */
	r->launch_mit_vector = take64(c);
	r->current_mit_vector = take64(c);
	(void)cur_take(c, 152);                       /* 0x208 */
	take(c, r->sig_r, 72);                        /* 0x2A0 */
	take(c, r->sig_s, 72);
	(void)cur_take(c, 368);
}

static int check_reserved(const uint8_t *p, uint32_t version, struct err *e)
{
	int rc;

	if ((rc = rsv(p, 0x04C, 4, e)) < 0 || (rc = rsv(p, 0x18B, 21, e)) < 0 ||
	    (rc = rsv(p, 0x1EB, 1, e)) < 0 || (rc = rsv(p, 0x1EF, 1, e)) < 0 ||
	    (rc = rsv(p, 0x208, 152, e)) < 0)
		return rc;
	if (version < 3 && (rc = rsv(p, 0x188, 3, e)) < 0)
		return rc;
	if (version < 5 && (rc = rsv(p, 0x1F8, 16, e)) < 0)
		return rc;
	return 0;
}

int snp_report_parse(const uint8_t *p, size_t n, struct snp_report *out, struct err *e)
{
	struct cur c = cur_make(p, n);
	uint32_t version;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p || n != SNP_REPORT_SIZE)
		return err_set(e, -ERR_FORMAT, "snp report: expected %d bytes, got %zu",
			       SNP_REPORT_SIZE, n);
	version = le32(p);
	if (version < 2 || version > 5)
		return err_set(e, -ERR_UNSUPPORTED, "snp report: version %u not supported "
			       "(expected 2..5)", version);
	rc = check_reserved(p, version, e);
	if (rc < 0)
		return rc;
	parse_head(&c, out);
	parse_tail(&c, out);
	if (!cur_done(&c)) {                          /* layout bug: never */
		memset(out, 0, sizeof(*out));
		return err_set(e, -ERR_FORMAT, "snp report: layout does not add up");
	}
	return 0;
}

static int gen_by_cpuid(uint8_t fam, uint8_t mod, enum snp_gen *gen)
{
	if (fam == 0x19 && mod <= 0x0F)
		*gen = SNP_GEN_MILAN;
	else if (fam == 0x19 && ((mod >= 0x10 && mod <= 0x1F) || (mod >= 0xA0 && mod <= 0xAF)))
		*gen = SNP_GEN_GENOA;
	else if (fam == 0x1A && mod <= 0x11)
		*gen = SNP_GEN_TURIN;
	else
		return -1;
	return 0;
}

int snp_report_gen(const struct snp_report *r, enum snp_gen *gen, struct err *e)
{
	if (r->version == 2) {
		/* virtee/sev: a Turin CHIP_ID uses only its first 8 bytes */
		if (ct_is_zero(r->chip_id, sizeof(r->chip_id)))
			return err_set(e, -ERR_UNSUPPORTED, "snp report v2: CHIP_ID is masked, "
				       "the processor generation cannot be told");
		*gen = ct_is_zero(r->chip_id + 8, 56) ? SNP_GEN_TURIN : SNP_GEN_GENOA;
		return 0;
	}
	if (gen_by_cpuid(r->cpuid_fam_id, r->cpuid_mod_id, gen) < 0)
		return err_set(e, -ERR_UNSUPPORTED, "snp report: CPUID family 0x%02x model "
			       "0x%02x is no known SEV-SNP processor", r->cpuid_fam_id,
			       r->cpuid_mod_id);
	return 0;
}

const char *snp_gen_name(enum snp_gen g)
{
	switch (g) {
	case SNP_GEN_MILAN: return "Milan";
	case SNP_GEN_GENOA: return "Genoa";
	case SNP_GEN_TURIN: return "Turin";
	}
	return "unknown";
}

/* ---- certificate table ------------------------------------------------- */

static const struct {
	enum snp_cert_kind kind;
	const char *name;
	uint8_t guid[16];
} snp_guids[] = {
	{ SNP_CERT_ARK, "ARK", { 0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
				 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae } },
	{ SNP_CERT_ASK, "ASK", { 0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
				 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 } },
	{ SNP_CERT_VCEK, "VCEK", { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
				   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd } },
	{ SNP_CERT_VLEK, "VLEK", { 0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
				   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1 } },
	{ SNP_CERT_CRL, "CRL", { 0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d,
				 0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc, 0x67, 0xea } },
};

#define SNP_NGUIDS (sizeof(snp_guids) / sizeof(snp_guids[0]))

static enum snp_cert_kind guid_kind(const uint8_t guid[16])
{
	size_t i;

	for (i = 0; i < SNP_NGUIDS; i++)
		if (memcmp(guid, snp_guids[i].guid, 16) == 0)
			return snp_guids[i].kind;
	return SNP_CERT_OTHER;
}

const char *snp_cert_name(enum snp_cert_kind k)
{
	size_t i;

	for (i = 0; i < SNP_NGUIDS; i++)
		if (snp_guids[i].kind == k)
			return snp_guids[i].name;
	return NULL;
}

/* Read the entries up to the terminator; offsets are checked later. */
static int certs_entries(struct cur *c, struct snp_certs *out, uint32_t off[SNP_CERTS_MAX],
			 struct err *e)
{
	const uint8_t *ent;

	for (;;) {
		ent = cur_take(c, 24);
		if (!ent)
			return err_set(e, -ERR_FORMAT, "snp cert table: no terminating entry "
				       "within %zu entries", out->n);
		if (ct_is_zero(ent, 24))
			return 0;
		if (out->n == SNP_CERTS_MAX)
			return err_set(e, -ERR_LIMIT, "snp cert table: more than %d entries",
				       SNP_CERTS_MAX);
		if (ct_is_zero(ent, 16))
			return err_set(e, -ERR_FORMAT, "snp cert table: entry %zu has a zero "
				       "GUID", out->n);
		memcpy(out->c[out->n].guid, ent, 16);
		off[out->n] = le32(ent + 16);
		out->c[out->n].len = le32(ent + 20);
		out->n++;
	}
}

static int certs_place(const uint8_t *p, size_t n, size_t table_end, struct snp_certs *out,
		       const uint32_t off[SNP_CERTS_MAX], struct err *e)
{
	unsigned seen = 0;
	size_t i;

	for (i = 0; i < out->n; i++) {
		struct snp_cert *c = &out->c[i];

		if (c->len == 0 || off[i] < table_end || off[i] > n || c->len > n - off[i])
			return err_set(e, -ERR_FORMAT, "snp cert table: entry %zu (offset %u, "
				       "length %zu) outside the certificates area [%zu, %zu)",
				       i, off[i], c->len, table_end, n);
		c->kind = guid_kind(c->guid);
		c->data = p + off[i];
		if (c->kind != SNP_CERT_OTHER) {
			if (seen & (1u << c->kind))
				return err_set(e, -ERR_FORMAT, "snp cert table: %s appears "
					       "twice", snp_cert_name(c->kind));
			seen |= 1u << c->kind;
		}
	}
	return 0;
}

int snp_certs_parse(const uint8_t *p, size_t n, struct snp_certs *out, struct err *e)
{
	struct cur c = cur_make(p, n);
	uint32_t off[SNP_CERTS_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	if (!p)
		return err_set(e, -EINVAL, "snp cert table: no buffer");
	rc = certs_entries(&c, out, off, e);
	if (rc == 0)
		rc = certs_place(p, n, n - cur_left(&c), out, off, e);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- evidence JSON ----------------------------------------------------- */

struct jw {
	yyjson_mut_doc *doc;
	bool oom;
};

static void put(struct jw *w, yyjson_mut_val *obj, const char *key, yyjson_mut_val *v)
{
	if (!v || !yyjson_mut_obj_add_val(w->doc, obj, key, v))
		w->oom = true;
}

static yyjson_mut_val *bytes(struct jw *w, const uint8_t *b, size_t n)
{
	yyjson_mut_val *a = yyjson_mut_arr(w->doc);
	size_t i;

	for (i = 0; a && i < n; i++)
		if (!yyjson_mut_arr_add_uint(w->doc, a, b[i]))
			return NULL;
	return a;
}

static yyjson_mut_val *tcb(struct jw *w, const uint8_t t[8], enum snp_gen g)
{
	yyjson_mut_val *o = yyjson_mut_obj(w->doc);
	bool turin = g == SNP_GEN_TURIN;

	if (!o)
		return NULL;
	put(w, o, "fmc", turin ? yyjson_mut_uint(w->doc, t[0]) : yyjson_mut_null(w->doc));
	put(w, o, "bootloader", yyjson_mut_uint(w->doc, turin ? t[1] : t[0]));
	put(w, o, "tee", yyjson_mut_uint(w->doc, turin ? t[2] : t[1]));
	put(w, o, "snp", yyjson_mut_uint(w->doc, turin ? t[3] : t[6]));
	put(w, o, "microcode", yyjson_mut_uint(w->doc, t[7]));
	return o;
}

static yyjson_mut_val *ver3(struct jw *w, uint8_t major, uint8_t minor, uint8_t build)
{
	yyjson_mut_val *o = yyjson_mut_obj(w->doc);

	if (!o)
		return NULL;
	put(w, o, "major", yyjson_mut_uint(w->doc, major));
	put(w, o, "minor", yyjson_mut_uint(w->doc, minor));
	put(w, o, "build", yyjson_mut_uint(w->doc, build));
	return o;
}

static yyjson_mut_val *opt_u8(struct jw *w, const struct snp_report *r, uint8_t v)
{
	return r->version >= 3 ? yyjson_mut_uint(w->doc, v) : yyjson_mut_null(w->doc);
}

static void report_head(struct jw *w, yyjson_mut_val *o, const struct snp_report *r,
			enum snp_gen g)
{
	yyjson_mut_doc *d = w->doc;

	put(w, o, "version", yyjson_mut_uint(d, r->version));
	put(w, o, "guest_svn", yyjson_mut_uint(d, r->guest_svn));
	put(w, o, "policy", yyjson_mut_uint(d, r->policy));
	put(w, o, "family_id", bytes(w, r->family_id, 16));
	put(w, o, "image_id", bytes(w, r->image_id, 16));
	put(w, o, "vmpl", yyjson_mut_uint(d, r->vmpl));
	put(w, o, "sig_algo", yyjson_mut_uint(d, r->sig_algo));
	put(w, o, "current_tcb", tcb(w, r->current_tcb, g));
	put(w, o, "plat_info", yyjson_mut_uint(d, r->plat_info));
	put(w, o, "key_info", yyjson_mut_uint(d, r->key_info));
	put(w, o, "report_data", bytes(w, r->report_data, 64));
	put(w, o, "measurement", bytes(w, r->measurement, 48));
	put(w, o, "host_data", bytes(w, r->host_data, 32));
	put(w, o, "id_key_digest", bytes(w, r->id_key_digest, 48));
	put(w, o, "author_key_digest", bytes(w, r->author_key_digest, 48));
	put(w, o, "report_id", bytes(w, r->report_id, 32));
	put(w, o, "report_id_ma", bytes(w, r->report_id_ma, 32));
	put(w, o, "reported_tcb", tcb(w, r->reported_tcb, g));
}

static void report_tail(struct jw *w, yyjson_mut_val *o, const struct snp_report *r,
			enum snp_gen g)
{
	yyjson_mut_doc *d = w->doc;
	yyjson_mut_val *sig;

	put(w, o, "cpuid_fam_id", opt_u8(w, r, r->cpuid_fam_id));
	put(w, o, "cpuid_mod_id", opt_u8(w, r, r->cpuid_mod_id));
	put(w, o, "cpuid_step", opt_u8(w, r, r->cpuid_step));
	put(w, o, "chip_id", bytes(w, r->chip_id, 64));
	put(w, o, "committed_tcb", tcb(w, r->committed_tcb, g));
	put(w, o, "current", ver3(w, r->current_major, r->current_minor, r->current_build));
	put(w, o, "committed", ver3(w, r->committed_major, r->committed_minor,
				    r->committed_build));
	put(w, o, "launch_tcb", tcb(w, r->launch_tcb, g));
	if (r->version >= 5) {
		put(w, o, "launch_mit_vector", yyjson_mut_uint(d, r->launch_mit_vector));
		put(w, o, "current_mit_vector", yyjson_mut_uint(d, r->current_mit_vector));
	}
	sig = yyjson_mut_obj(d);
	if (sig) {
		put(w, sig, "r", bytes(w, r->sig_r, 72));
		put(w, sig, "s", bytes(w, r->sig_s, 72));
	}
	put(w, o, "signature", sig);
}

static yyjson_mut_val *chain(struct jw *w, const struct snp_certs *cs)
{
	yyjson_mut_val *a, *o;
	size_t i, known = 0;

	for (i = 0; i < cs->n; i++)
		known += cs->c[i].kind != SNP_CERT_OTHER;
	if (known == 0)
		return yyjson_mut_null(w->doc);
	a = yyjson_mut_arr(w->doc);
	for (i = 0; a && i < cs->n; i++) {
		if (cs->c[i].kind == SNP_CERT_OTHER)
			continue;
		o = yyjson_mut_obj(w->doc);
		if (!o || !yyjson_mut_arr_append(a, o))
			return NULL;
		put(w, o, "cert_type", yyjson_mut_str(w->doc, snp_cert_name(cs->c[i].kind)));
		put(w, o, "data", bytes(w, cs->c[i].data, cs->c[i].len));
	}
	return a;
}

static int write_doc(struct jw *w, char **json, size_t *len, struct err *e)
{
	size_t n = 0;
	char *s;

	if (w->oom)
		return err_set(e, -ENOMEM, "snp evidence: out of memory");
	s = yyjson_mut_write(w->doc, YYJSON_WRITE_NOFLAG, &n);
	if (!s)
		return err_set(e, -ENOMEM, "snp evidence: out of memory writing JSON");
	*json = s;
	*len = n;
	return 0;
}

int snp_evidence_json(const uint8_t *report, size_t n, const uint8_t *certs,
		      size_t certs_len, char **json, size_t *len, struct err *e)
{
	struct snp_report *r = NULL;
	struct snp_certs *cs = NULL;
	struct jw w = { NULL, false };
	yyjson_mut_val *root, *ar;
	enum snp_gen g;
	int rc = -ENOMEM;

	*json = NULL;
	*len = 0;
	r = malloc(sizeof(*r));
	cs = malloc(sizeof(*cs));
	w.doc = yyjson_mut_doc_new(NULL);
	if (!r || !cs || !w.doc) {
		err_set(e, rc, "snp evidence: out of memory");
		goto out;
	}
	if ((rc = snp_report_parse(report, n, r, e)) < 0 ||
	    (rc = snp_report_gen(r, &g, e)) < 0 ||
	    (rc = snp_certs_parse(certs, certs_len, cs, e)) < 0)
		goto out;
	root = yyjson_mut_obj(w.doc);
	ar = yyjson_mut_obj(w.doc);
	if (!root || !ar) {
		rc = err_set(e, -ENOMEM, "snp evidence: out of memory");
		goto out;
	}
	yyjson_mut_doc_set_root(w.doc, root);
	report_head(&w, ar, r, g);
	report_tail(&w, ar, r, g);
	put(&w, root, "attestation_report", ar);
	put(&w, root, "cert_chain", chain(&w, cs));
	rc = write_doc(&w, json, len, e);
out:
	yyjson_mut_doc_free(w.doc);
	free(cs);
	free(r);
	return rc;
}
