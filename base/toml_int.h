/* toml_int: the lexical layer of base/toml shared by toml.c (structure,
 * duplicates, accessors) and toml_scan.c (strings, numbers, arrays,
 * comments).  Internal to base/toml. */
#ifndef CCG_BASE_TOML_INT_H
#define CCG_BASE_TOML_INT_H

#include "base/toml.h"

/* A position in the document being read. */
struct rd {
	const uint8_t *d;
	size_t n, pos;
	struct err *e;
};

/* An output buffer for decoded bytes (NULL: only validate). */
struct sbuf {
	uint8_t *out;
	size_t cap, len;   /* cap excludes the NUL the caller adds */
	bool over;
};

static inline int toml_peek(const struct rd *r, size_t k)
{
	if (k >= r->n - r->pos)
		return -1;
	return r->d[r->pos + k];
}

/* Record "toml: line L col C: <msg>" for offset at; returns code. */
int toml_fail(const struct rd *r, size_t at, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void toml_skip_ws(struct rd *r);
/* A newline at r->pos (LF or CRLF): its length, else 0. */
size_t toml_nl_len(const struct rd *r);
/* A comment from its '#' up to (not including) the newline. */
int toml_comment(struct rd *r);
/* Whitespace, newlines and comments (inside arrays). */
int toml_skip_wsnlc(struct rd *r);
/* A string at r->pos (a quote); multi-line forms only when ml; decoded
 * into b (may be NULL). */
int toml_str_scan(struct rd *r, bool ml, struct sbuf *b);
/* One key segment, decoded into b (cap TOML_KEY_MAX). */
int toml_key_scan(struct rd *r, struct sbuf *b);
/* Any supported value; arrays nested below TOML_MAX_NEST. */
int toml_value_scan(struct rd *r, unsigned nest, enum toml_kind *kind);
int toml_int_scan(struct rd *r, int64_t *out);
int toml_bool_scan(struct rd *r, bool *out);
/* FNV-1a of a path extended by one segment. */
uint32_t toml_seg_hash(uint32_t h, const uint8_t *s, size_t k);

#endif
