/* toml: see toml.h for the supported subset.
 *
 * Grammar handled (TOML 1.0, ws = space | tab, nl = LF | CRLF):
 *   doc     = *(ws [ header | keyval ] ws [ comment ] nl)
 *   header  = "[" ws key *(ws "." ws key) ws "]"
 *   keyval  = key ws "=" ws value
 *   key     = bare | basic-string | literal-string
 *   value   = string | integer | boolean | array
 *   array   = "[" *(wsnlc value wsnlc ",") [wsnlc value wsnlc] wsnlc "]"
 * Every table header and key is an entry; an entry records the FNV-1a hash
 * of each prefix of its path so duplicates and key/table clashes are found
 * by comparing hashes first and decoded segments only on a hash match. */
#include "base/toml_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"

#define NOPOS UINT32_MAX

struct ent {
	uint32_t h[TOML_MAX_DEPTH];   /* hash of the path's first i+1 segments */
	uint32_t hdr_off;             /* the header's '[' or NOPOS (root) */
	uint32_t key_off;             /* the key, NOPOS for a header entry */
	uint8_t depth;
};

struct walk {
	struct rd r;
	toml_visit_fn visit;
	void *ctx;
	uint32_t hdr_off;
	uint32_t hdr_h[TOML_MAX_DEPTH];
	unsigned hdr_depth;
	bool skipping;          /* inside an array of tables: checked, not reported */
	size_t nent;
	struct ent ent[TOML_MAX_ENTRIES];
};

/* ---- paths: segments of an entry, comparison, lookup ---------------------- */

/* Segment i of the header at off into b; *last set when it is the last. */
static int hdr_seg(const uint8_t *d, size_t n, size_t off, unsigned i,
		   struct sbuf *b, bool *last)
{
	struct rd r = { d, n, off + 1, NULL };
	unsigned j;
	int rc;

	for (j = 0;; j++) {
		b->len = 0;
		b->over = false;
		toml_skip_ws(&r);
		if ((rc = toml_key_scan(&r, b)) < 0)
			return rc;
		toml_skip_ws(&r);
		*last = toml_peek(&r, 0) != '.';
		if (j == i)
			return 0;
		if (*last)
			return -ERR_NOTFOUND;
		r.pos++;
	}
}

/* Segment i of entry x's path. */
static int ent_seg(const uint8_t *d, size_t n, const struct ent *x, unsigned i,
		   struct sbuf *b)
{
	struct rd r = { d, n, x->key_off, NULL };
	bool last;

	if (x->key_off == NOPOS || i + 1u < x->depth)
		return hdr_seg(d, n, x->hdr_off, i, b, &last);
	b->len = 0;
	b->over = false;
	return toml_key_scan(&r, b);
}

/* Do the first k segments of x and y match? */
static bool path_eq(const uint8_t *d, size_t n, const struct ent *x,
		    const struct ent *y, unsigned k)
{
	uint8_t sa[TOML_KEY_MAX], sb[TOML_KEY_MAX];
	struct sbuf a = { sa, sizeof(sa), 0, false }, b = { sb, sizeof(sb), 0, false };
	unsigned i;

	for (i = 0; i < k; i++) {
		if (ent_seg(d, n, x, i, &a) < 0 || ent_seg(d, n, y, i, &b) < 0)
			return false;
		if (a.len != b.len || memcmp(sa, sb, a.len) != 0)
			return false;
	}
	return true;
}

/* Does x clash with the earlier entry y? */
static bool clash(const uint8_t *d, size_t n, const struct ent *x, const struct ent *y)
{
	bool xk = x->key_off != NOPOS, yk = y->key_off != NOPOS;
	unsigned k;

	if (x->depth == y->depth)
		k = x->depth;
	else if (xk && !yk && x->depth < y->depth)
		k = x->depth;   /* key a.b, then header [a.b.c] */
	else if (yk && !xk && y->depth < x->depth)
		k = y->depth;   /* key a.b, earlier header [a.b.c] */
	else
		return false;
	return x->h[k - 1] == y->h[k - 1] && path_eq(d, n, x, y, k);
}

static int add_entry(struct walk *w, const struct ent *x, size_t at)
{
	size_t i;

	if (w->nent >= TOML_MAX_ENTRIES)
		return toml_fail(&w->r, at, -ERR_LIMIT, "more than %d keys and tables",
			    TOML_MAX_ENTRIES);
	for (i = 0; i < w->nent; i++) {
		if (clash(w->r.d, w->r.n, x, &w->ent[i]))
			return toml_fail(&w->r, at, -ERR_FORMAT, x->key_off == NOPOS ?
				    "table defined twice or already a key" :
				    "duplicate key");
	}
	w->ent[w->nent++] = *x;
	return 0;
}

/* ---- the walk ------------------------------------------------------------- */

static int header(struct walk *w)
{
	struct rd *r = &w->r;
	uint8_t seg[TOML_KEY_MAX];
	struct sbuf b = { seg, sizeof(seg), 0, false };
	struct ent x = { .hdr_off = (uint32_t)r->pos, .key_off = NOPOS };
	uint32_t h = 2166136261u;
	int rc;

	bool array = toml_peek(r, 1) == '[';

	r->pos += array ? 2 : 1;
	for (;;) {
		if (x.depth + 1 >= TOML_MAX_DEPTH)
			return toml_fail(r, x.hdr_off, -ERR_LIMIT, "table name deeper than %d",
				    TOML_MAX_DEPTH - 1);
		toml_skip_ws(r);
		b.len = 0;
		if ((rc = toml_key_scan(r, &b)) < 0)
			return rc;
		h = toml_seg_hash(h, seg, b.len);
		x.h[x.depth++] = h;
		toml_skip_ws(r);
		if (toml_peek(r, 0) != '.')
			break;
		r->pos++;
	}
	if (toml_peek(r, 0) != ']' || (array && toml_peek(r, 1) != ']'))
		return toml_fail(r, r->pos, -ERR_FORMAT, array ? "expected ']]' after table name" :
				 "expected ']' after table name");
	r->pos += array ? 2 : 1;
	/* [[x]]: each element is syntax-checked, and nothing in it is reported
	 * (guest-components' cdh.toml has [[credentials]], which we do not use) */
	w->skipping = array;
	if (array)
		return 0;
	if ((rc = add_entry(w, &x, x.hdr_off)) < 0)
		return rc;
	w->hdr_off = x.hdr_off;
	w->hdr_depth = x.depth;
	memcpy(w->hdr_h, x.h, sizeof(x.h));
	return 0;
}

static int keyval(struct walk *w)
{
	struct rd *r = &w->r;
	uint8_t seg[TOML_KEY_MAX];
	struct sbuf b = { seg, sizeof(seg), 0, false };
	struct ent x = { .hdr_off = w->hdr_off, .key_off = (uint32_t)r->pos };
	struct toml_kv kv = { r->d, r->n, w->hdr_off == NOPOS ? SIZE_MAX : w->hdr_off,
			      r->pos, 0, 0, TOML_STRING };
	int rc;

	if ((rc = toml_key_scan(r, &b)) < 0)
		return rc;
	toml_skip_ws(r);
	if (toml_peek(r, 0) == '.')
		return toml_fail(r, r->pos, -ERR_UNSUPPORTED, "dotted keys are not supported");
	if (toml_peek(r, 0) != '=')
		return toml_fail(r, r->pos, -ERR_FORMAT, "expected '=' after key");
	r->pos++;
	toml_skip_ws(r);
	kv.val_off = r->pos;
	if ((rc = toml_value_scan(r, 0, &kv.kind)) < 0)
		return rc;
	kv.val_end = r->pos;
	if (w->skipping)
		return 0;
	memcpy(x.h, w->hdr_h, sizeof(x.h));
	x.depth = (uint8_t)(w->hdr_depth + 1);
	x.h[w->hdr_depth] = toml_seg_hash(w->hdr_depth ? w->hdr_h[w->hdr_depth - 1] : 2166136261u,
				     seg, b.len);
	if ((rc = add_entry(w, &x, kv.key_off)) < 0)
		return rc;
	return w->visit ? w->visit(w->ctx, &kv, r->e) : 0;
}

static int line(struct walk *w)
{
	struct rd *r = &w->r;
	int c, rc = 0;
	size_t k;

	toml_skip_ws(r);
	c = toml_peek(r, 0);
	if (c == '[')
		rc = header(w);
	else if (c >= 0 && c != '#' && !toml_nl_len(r))
		rc = keyval(w);
	if (rc < 0)
		return rc;
	toml_skip_ws(r);
	if (toml_peek(r, 0) == '#' && (rc = toml_comment(r)) < 0)
		return rc;
	k = toml_nl_len(r);
	if (!k && toml_peek(r, 0) >= 0)
		return toml_fail(r, r->pos, -ERR_FORMAT, "expected the end of the line");
	r->pos += k;
	return 0;
}

int toml_walk(const uint8_t *doc, size_t n, toml_visit_fn visit, void *ctx,
	      struct err *e)
{
	struct walk w;
	int rc = 0;

	if (n > TOML_DOC_MAX)
		return err_set(e, -ERR_LIMIT, "toml: document larger than %u bytes", TOML_DOC_MAX);
	w.r = (struct rd){ doc, n, 0, e };
	w.visit = visit;
	w.ctx = ctx;
	w.hdr_off = NOPOS;
	w.hdr_depth = 0;
	w.skipping = false;
	w.nent = 0;
	memset(w.hdr_h, 0, sizeof(w.hdr_h));
	while (rc == 0 && w.r.pos < n)
		rc = line(&w);
	return rc;
}

int toml_validate(const uint8_t *doc, size_t n, struct err *e)
{
	return toml_walk(doc, n, NULL, NULL, e);
}

/* ---- accessors ------------------------------------------------------------ */

/* Does the header of kv name exactly `table`? */
bool toml_kv_in(const struct toml_kv *kv, const char *table)
{
	uint8_t seg[TOML_KEY_MAX];
	struct sbuf b = { seg, sizeof(seg), 0, false };
	const char *t = table ? table : "";
	bool last = false;
	unsigned i;

	if (kv->hdr_off == SIZE_MAX)
		return *t == 0;
	for (i = 0;; i++) {
		size_t k = strcspn(t, ".");

		if (k == 0 || hdr_seg(kv->doc, kv->n, kv->hdr_off, i, &b, &last) < 0 ||
		    b.len != k || memcmp(seg, t, k) != 0)
			return false;
		t += k;
		if (last || *t != '.')
			return last && *t == 0;
		t++;
	}
}

bool toml_kv_is(const struct toml_kv *kv, const char *table, const char *key)
{
	uint8_t seg[TOML_KEY_MAX];
	struct sbuf b = { seg, sizeof(seg), 0, false };
	struct rd r = { kv->doc, kv->n, kv->key_off, NULL };

	if (toml_key_scan(&r, &b) < 0 || b.len != strlen(key) || memcmp(seg, key, b.len) != 0)
		return false;
	return toml_kv_in(kv, table);
}

int toml_kv_key(const struct toml_kv *kv, char *out, size_t cap, size_t *len,
		struct err *e)
{
	struct rd r = { kv->doc, kv->n, kv->key_off, e };
	struct sbuf b = { (uint8_t *)out, cap ? cap - 1 : 0, 0, false };
	int rc;

	if (cap == 0)
		return err_set(e, -ERR_LIMIT, "toml: no room for a key");
	if ((rc = toml_key_scan(&r, &b)) < 0)
		return rc;
	if (b.over)
		return err_set(e, -ERR_LIMIT, "toml: key longer than %zu bytes", cap - 1);
	out[b.len] = 0;
	if (len)
		*len = b.len;
	return 0;
}

static int decode_at(const struct toml_kv *kv, size_t off, char *out, size_t cap,
		     size_t *len, struct err *e)
{
	struct rd r = { kv->doc, kv->n, off, e };
	struct sbuf b = { (uint8_t *)out, cap ? cap - 1 : 0, 0, false };
	int rc;

	if (cap == 0)
		return err_set(e, -ERR_LIMIT, "toml: no room for a string");
	if ((rc = toml_str_scan(&r, true, &b)) < 0)
		return rc;
	if (b.over)
		return toml_fail(&r, off, -ERR_LIMIT, "string longer than %zu bytes", cap - 1);
	out[b.len] = 0;
	if (len)
		*len = b.len;
	return 0;
}

int toml_kv_string(const struct toml_kv *kv, char *out, size_t cap, size_t *len,
		   struct err *e)
{
	struct rd r = { kv->doc, kv->n, kv->val_off, e };

	if (kv->kind != TOML_STRING)
		return toml_fail(&r, kv->val_off, -ERR_FORMAT, "expected a string");
	return decode_at(kv, kv->val_off, out, cap, len, e);
}

int toml_kv_int(const struct toml_kv *kv, int64_t *out, struct err *e)
{
	struct rd r = { kv->doc, kv->n, kv->val_off, e };

	if (kv->kind != TOML_INT)
		return toml_fail(&r, kv->val_off, -ERR_FORMAT, "expected an integer");
	return toml_int_scan(&r, out);
}

int toml_kv_bool(const struct toml_kv *kv, bool *out, struct err *e)
{
	struct rd r = { kv->doc, kv->n, kv->val_off, e };

	if (kv->kind != TOML_BOOL)
		return toml_fail(&r, kv->val_off, -ERR_FORMAT, "expected a boolean");
	return toml_bool_scan(&r, out);
}

int toml_kv_array_string(const struct toml_kv *kv, size_t idx, char *out,
			 size_t cap, size_t *len, struct err *e)
{
	struct rd r = { kv->doc, kv->n, kv->val_off + 1, e };
	enum toml_kind k;
	size_t i;
	int rc;

	if (kv->kind != TOML_ARRAY)
		return toml_fail(&r, kv->val_off, -ERR_FORMAT, "expected an array");
	for (i = 0;; i++) {
		if ((rc = toml_skip_wsnlc(&r)) < 0)
			return rc;
		if (toml_peek(&r, 0) == ']')
			return -ERR_NOTFOUND;
		if (i == idx) {
			if (toml_peek(&r, 0) != '"' && toml_peek(&r, 0) != '\'')
				return toml_fail(&r, r.pos, -ERR_FORMAT, "expected a string");
			return decode_at(kv, r.pos, out, cap, len, e);
		}
		if ((rc = toml_value_scan(&r, 1, &k)) < 0 || (rc = toml_skip_wsnlc(&r)) < 0)
			return rc;
		if (toml_peek(&r, 0) == ',')
			r.pos++;
	}
}

/* ---- whole-document lookups ------------------------------------------------ */

struct get {
	const char *table, *key;
	struct toml_kv kv;
	bool found;
};

static int get_visit(void *ctx, const struct toml_kv *kv, struct err *e)
{
	struct get *g = ctx;

	(void)e;
	if (!g->found && toml_kv_is(kv, g->table, g->key)) {
		g->kv = *kv;
		g->found = true;
	}
	return 0;
}

static int get_kv(const uint8_t *doc, size_t n, struct get *g, struct err *e)
{
	int rc = toml_walk(doc, n, get_visit, g, e);

	if (rc < 0)
		return rc;
	if (!g->found)
		return err_set(e, -ERR_NOTFOUND, "toml: no key %s%s%s", g->table ? g->table : "",
			       g->table && *g->table ? "." : "", g->key);
	return 0;
}

int toml_get_string(const uint8_t *doc, size_t n, const char *table,
		    const char *key, char *out, size_t cap, size_t *len,
		    struct err *e)
{
	struct get g = { table, key, { 0 }, false };
	int rc = get_kv(doc, n, &g, e);

	return rc < 0 ? rc : toml_kv_string(&g.kv, out, cap, len, e);
}

int toml_get_int(const uint8_t *doc, size_t n, const char *table,
		 const char *key, int64_t *out, struct err *e)
{
	struct get g = { table, key, { 0 }, false };
	int rc = get_kv(doc, n, &g, e);

	return rc < 0 ? rc : toml_kv_int(&g.kv, out, e);
}

int toml_get_bool(const uint8_t *doc, size_t n, const char *table,
		  const char *key, bool *out, struct err *e)
{
	struct get g = { table, key, { 0 }, false };
	int rc = get_kv(doc, n, &g, e);

	return rc < 0 ? rc : toml_kv_bool(&g.kv, out, e);
}
