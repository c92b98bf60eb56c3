/* toml_scan: the lexical layer of base/toml: strings (four forms, escapes,
 * UTF-8), integers, booleans, arrays and comments.  See toml.h. */
#include "base/toml_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"

int toml_fail(const struct rd *r, size_t at, int code, const char *fmt, ...)
{
	char msg[256];
	size_t line = 1, col = 1, i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < at && i < r->n; i++) {
		col++;
		if (r->d[i] == '\n') {
			line++;
			col = 1;
		}
	}
	return err_set(r->e, code, "toml: line %zu col %zu: %s", line, col, msg);
}

static bool lit(const struct rd *r, const char *s)
{
	size_t k = strlen(s);

	return k <= r->n - r->pos && memcmp(r->d + r->pos, s, k) == 0;
}

static void sb_put(struct sbuf *b, const void *s, size_t k)
{
	if (!b)
		return;
	if (k > b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->out + b->len, s, k);
	b->len += k;
}

void toml_skip_ws(struct rd *r)
{
	while (toml_peek(r, 0) == ' ' || toml_peek(r, 0) == '\t')
		r->pos++;
}

/* The length of the UTF-8 sequence at d[i] (1-4), or 0 when invalid
 * (overlong, surrogate, above U+10FFFF, truncated). */
static size_t utf8_len(const uint8_t *d, size_t n, size_t i)
{
	uint8_t c = d[i];
	size_t k, j;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		k = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (k > n - i)
		return 0;
	for (j = 1; j < k; j++) {
		if ((d[i + j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (d[i + j] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* One character of string/comment text at r->pos that is no delimiter,
 * escape or newline: copied to b.  Control characters other than tab and
 * invalid UTF-8 are refused. */
static int text_char(struct rd *r, struct sbuf *b, const char *what)
{
	int c = toml_peek(r, 0);
	size_t k;

	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return toml_fail(r, r->pos, -ERR_FORMAT, "control character 0x%02x in %s", c, what);
	k = utf8_len(r->d, r->n, r->pos);
	if (k == 0)
		return toml_fail(r, r->pos, -ERR_FORMAT, "invalid UTF-8 in %s", what);
	sb_put(b, r->d + r->pos, k);
	r->pos += k;
	return 0;
}

/* A newline at r->pos (LF or CRLF): length, else 0. */
size_t toml_nl_len(const struct rd *r)
{
	if (toml_peek(r, 0) == '\n')
		return 1;
	if (toml_peek(r, 0) == '\r' && toml_peek(r, 1) == '\n')
		return 2;
	return 0;
}

static void put_utf8(struct sbuf *b, uint32_t cp)
{
	uint8_t u[4];
	size_t k;

	if (cp < 0x80) {
		u[0] = (uint8_t)cp; k = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xc0 | cp >> 6); u[1] = (uint8_t)(0x80 | (cp & 0x3f)); k = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xe0 | cp >> 12); u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp & 0x3f)); k = 3;
	} else {
		u[0] = (uint8_t)(0xf0 | cp >> 18); u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 4;
	}
	sb_put(b, u, k);
}

static int escape_unicode(struct rd *r, size_t digits, struct sbuf *b)
{
	size_t at = r->pos, i;
	uint32_t cp = 0;

	r->pos += 2;
	for (i = 0; i < digits; i++) {
		int v = toml_peek(r, 0) < 0 ? -1 : text_hex_digit((unsigned char)toml_peek(r, 0));

		if (v < 0)
			return toml_fail(r, at, -ERR_FORMAT, "bad \\%c escape", digits == 4 ? 'u' : 'U');
		cp = cp << 4 | (uint32_t)v;
		r->pos++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return toml_fail(r, at, -ERR_FORMAT, "escape is not a Unicode scalar value");
	put_utf8(b, cp);
	return 0;
}

/* A backslash escape at r->pos (not a line-ending backslash). */
static int escape(struct rd *r, struct sbuf *b)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	int c = toml_peek(r, 1);
	const char *p;

	if (c == 'u')
		return escape_unicode(r, 4, b);
	if (c == 'U')
		return escape_unicode(r, 8, b);
	p = c > 0 ? strchr(from, c) : NULL;
	if (!p)
		return toml_fail(r, r->pos, -ERR_FORMAT, "invalid escape in string");
	sb_put(b, &to[p - from], 1);
	r->pos += 2;
	return 0;
}

/* In a multi-line basic string, r->pos at a backslash: if only whitespace
 * follows it on the line, skip it and all whitespace and newlines after. */
static bool line_end_backslash(struct rd *r)
{
	size_t save = r->pos;

	r->pos++;
	toml_skip_ws(r);
	if (!toml_nl_len(r)) {
		r->pos = save;
		return false;
	}
	for (;;) {
		size_t k = toml_nl_len(r);

		if (k)
			r->pos += k;
		else if (toml_peek(r, 0) == ' ' || toml_peek(r, 0) == '\t')
			r->pos++;
		else
			return true;
	}
}

/* A run of quote characters q in a multi-line string: 3-5 close it (the
 * extra ones are content), fewer are content.  Returns 1 when closed. */
static int ml_quotes(struct rd *r, int q, struct sbuf *b)
{
	size_t k = 0;

	while (toml_peek(r, k) == q)
		k++;
	if (k >= 6)
		return toml_fail(r, r->pos, -ERR_FORMAT, "too many quotes closing a string");
	if (k < 3) {
		sb_put(b, r->d + r->pos, k);
		r->pos += k;
		return 0;
	}
	sb_put(b, r->d + r->pos, k - 3);
	r->pos += k;
	return 1;
}

/* The body of a multi-line string; r->pos after the opening delimiter. */
static int ml_body(struct rd *r, int q, size_t start, struct sbuf *b)
{
	size_t k = toml_nl_len(r);
	int rc;

	r->pos += k;   /* a newline right after the delimiter is trimmed */
	for (;;) {
		int c = toml_peek(r, 0);

		if (c < 0)
			return toml_fail(r, start, -ERR_FORMAT, "unterminated multi-line string");
		if (c == q) {
			rc = ml_quotes(r, q, b);
			if (rc)
				return rc < 0 ? rc : 0;
			continue;
		}
		k = toml_nl_len(r);
		if (k) {
			sb_put(b, r->d + r->pos, k);
			r->pos += k;
			continue;
		}
		if (c == '\\' && q == '"') {
			rc = line_end_backslash(r) ? 0 : escape(r, b);
		} else {
			rc = text_char(r, b, "string");
		}
		if (rc < 0)
			return rc;
	}
}

/* A single-line string; r->pos after the opening quote. */
static int sl_body(struct rd *r, int q, size_t start, struct sbuf *b)
{
	for (;;) {
		int c = toml_peek(r, 0), rc;

		if (c < 0 || c == '\n' || c == '\r')
			return toml_fail(r, start, -ERR_FORMAT, "unterminated string");
		if (c == q) {
			r->pos++;
			return 0;
		}
		if (c == '\\' && q == '"')
			rc = escape(r, b);
		else
			rc = text_char(r, b, "string");
		if (rc < 0)
			return rc;
	}
}

/* A string of any form starting at r->pos (a quote); multi-line forms only
 * when ml.  Decoded into b (may be NULL). */
int toml_str_scan(struct rd *r, bool ml, struct sbuf *b)
{
	size_t start = r->pos;
	int q = toml_peek(r, 0);

	if (ml && toml_peek(r, 1) == q && toml_peek(r, 2) == q) {
		r->pos += 3;
		return ml_body(r, q, start, b);
	}
	r->pos++;
	return sl_body(r, q, start, b);
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One key segment at r->pos, decoded into b (cap TOML_KEY_MAX). */
int toml_key_scan(struct rd *r, struct sbuf *b)
{
	size_t start = r->pos;
	int c = toml_peek(r, 0), rc;

	if (c == '"' || c == '\'') {
		rc = toml_str_scan(r, false, b);
		if (rc < 0)
			return rc;
	} else {
		while (is_bare(toml_peek(r, 0)))
			r->pos++;
		if (r->pos == start)
			return toml_fail(r, start, -ERR_FORMAT, "expected a key");
		sb_put(b, r->d + start, r->pos - start);
	}
	if (b && b->over)
		return toml_fail(r, start, -ERR_LIMIT, "key longer than %d bytes", TOML_KEY_MAX);
	return 0;
}

uint32_t toml_seg_hash(uint32_t h, const uint8_t *s, size_t k)
{
	size_t i;

	h = (h ^ (uint32_t)k) * 16777619u;
	for (i = 0; i < k; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

/* ---- numbers and other scalars ------------------------------------------ */

static int digit_val(int c, unsigned base)
{
	int v = c < 0 ? -1 : text_hex_digit((unsigned char)c);

	return v >= 0 && (unsigned)v < base ? v : -1;
}

/* Digits in `base` with single underscores between digits; into *v
 * (at most lim). */
static int digits(struct rd *r, unsigned base, uint64_t lim, uint64_t *v, size_t start)
{
	bool any = false, under = false;

	*v = 0;
	for (;;) {
		int c = toml_peek(r, 0), d = digit_val(c, base);

		if (c == '_' && any && !under) {
			under = true;
			r->pos++;
			continue;
		}
		if (d < 0)
			break;
		if (*v > (lim - (uint64_t)d) / base)
			return toml_fail(r, start, -ERR_FORMAT, "integer out of range");
		*v = *v * base + (uint64_t)d;
		any = true;
		under = false;
		r->pos++;
	}
	if (!any || under)
		return toml_fail(r, start, -ERR_FORMAT, "malformed integer");
	return 0;
}

static bool token_end(const struct rd *r)
{
	int c = toml_peek(r, 0);

	return c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '#' || c == ',' || c == ']';
}

/* Refuse floats, dates and times by the character after the digits. */
static int not_float(const struct rd *r, size_t start)
{
	int c = toml_peek(r, 0);

	if (c == '.' || c == 'e' || c == 'E')
		return toml_fail(r, start, -ERR_UNSUPPORTED, "floats are not supported");
	if (c == '-' || c == ':')
		return toml_fail(r, start, -ERR_UNSUPPORTED, "dates and times are not supported");
	return 0;
}

int toml_int_scan(struct rd *r, int64_t *out)
{
	size_t start = r->pos;
	int c = toml_peek(r, 0), rc;
	unsigned base = 10;
	bool neg = c == '-';
	uint64_t v;

	if (c == '+' || c == '-')
		r->pos++;
	if (lit(r, "inf") || lit(r, "nan"))
		return toml_fail(r, start, -ERR_UNSUPPORTED, "floats are not supported");
	if (toml_peek(r, 0) == '0' && r->pos == start &&
	    (toml_peek(r, 1) == 'x' || toml_peek(r, 1) == 'o' || toml_peek(r, 1) == 'b')) {
		base = toml_peek(r, 1) == 'x' ? 16 : toml_peek(r, 1) == 'o' ? 8 : 2;
		r->pos += 2;
	}
	if (base == 10 && toml_peek(r, 0) == '0' && (is_bare(toml_peek(r, 1)) || toml_peek(r, 1) == ':')) {
		while (digit_val(toml_peek(r, 0), 10) >= 0)
			r->pos++;
		rc = not_float(r, start);
		return rc ? rc : toml_fail(r, start, -ERR_FORMAT, "leading zero in integer");
	}
	rc = digits(r, base, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &v, start);
	if (rc == 0)
		rc = not_float(r, start);
	if (rc == 0 && !token_end(r))
		rc = toml_fail(r, start, -ERR_FORMAT, "malformed integer");
	if (rc == 0 && out)
		*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return rc;
}

int toml_bool_scan(struct rd *r, bool *out)
{
	size_t start = r->pos;
	bool t = lit(r, "true");

	if (!t && !lit(r, "false"))
		return toml_fail(r, start, -ERR_FORMAT, "expected a value");
	r->pos += t ? 4 : 5;
	if (!token_end(r))
		return toml_fail(r, start, -ERR_FORMAT, "expected a value");
	if (out)
		*out = t;
	return 0;
}

static int array_scan(struct rd *r, unsigned nest)
{
	size_t start = r->pos;
	enum toml_kind k;
	int rc;

	if (nest >= TOML_MAX_NEST)
		return toml_fail(r, start, -ERR_LIMIT, "arrays nested deeper than %d", TOML_MAX_NEST);
	r->pos++;
	for (;;) {
		if ((rc = toml_skip_wsnlc(r)) < 0)
			return rc;
		if (toml_peek(r, 0) == ']')
			break;
		if ((rc = toml_value_scan(r, nest + 1, &k)) < 0 || (rc = toml_skip_wsnlc(r)) < 0)
			return rc;
		if (toml_peek(r, 0) == ']')
			break;
		if (toml_peek(r, 0) != ',')
			return toml_fail(r, r->pos, -ERR_FORMAT, "expected ',' or ']' in array");
		r->pos++;
	}
	r->pos++;
	return 0;
}

int toml_value_scan(struct rd *r, unsigned nest, enum toml_kind *kind)
{
	int c = toml_peek(r, 0);

	if (c == '"' || c == '\'') {
		*kind = TOML_STRING;
		return toml_str_scan(r, true, NULL);
	}
	if (c == '[') {
		*kind = TOML_ARRAY;
		return array_scan(r, nest);
	}
	if (c == '{')
		return toml_fail(r, r->pos, -ERR_UNSUPPORTED, "inline tables are not supported");
	if (c == 't' || c == 'f') {
		*kind = TOML_BOOL;
		return toml_bool_scan(r, NULL);
	}
	if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n') {
		*kind = TOML_INT;
		return toml_int_scan(r, NULL);
	}
	return toml_fail(r, r->pos, -ERR_FORMAT, "expected a value");
}

int toml_comment(struct rd *r)
{
	int rc;

	r->pos++;
	while (toml_peek(r, 0) >= 0 && !toml_nl_len(r)) {
		if ((rc = text_char(r, NULL, "comment")) < 0)
			return rc;
	}
	return 0;
}

int toml_skip_wsnlc(struct rd *r)
{
	int rc;

	for (;;) {
		size_t k;

		toml_skip_ws(r);
		k = toml_nl_len(r);
		if (k) {
			r->pos += k;
		} else if (toml_peek(r, 0) == '#') {
			if ((rc = toml_comment(r)) < 0)
				return rc;
		} else {
			return 0;
		}
	}
}
