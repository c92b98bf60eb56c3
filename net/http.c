/* http: URL parsing, request heads and a strict streaming response parser.
 * Pure: no I/O, no allocation.  Grammar: RFC 9110 / 9112, the strict side
 * of every choice (CRLF only, no obs-fold, one Content-Length, no
 * Content-Length with chunked, chunked the only transfer coding). */
#include "net/http.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/text.h"

#define INTERIM_MAX 8            /* 1xx answers skipped before the real one */
#define CHUNK_DIGITS_MAX 15      /* hex digits of a chunk size: < 2^60 */
#define LENGTH_DIGITS_MAX 18     /* decimal digits of Content-Length */

enum {
	S_STATUS, S_HEADER, S_BODY_LEN, S_CHUNK_SIZE, S_CHUNK_DATA, S_CHUNK_END,
	S_TRAILER, S_BODY_CLOSE, S_DONE,
};

/* ---- character classes ---------------------------------------------------- */

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_tchar(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A byte allowed in a field value or reason phrase: VCHAR, SP, HTAB, obs-text. */
static bool is_field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_print(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

static bool all_print(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_print((unsigned char)s[i]))
			return false;
	return true;
}

/* ---- URLs ------------------------------------------------------------------ */

/* Dotted quad, decimal, no leading zeros. */
static bool ipv4_valid(const char *s, size_t n)
{
	size_t i = 0, parts = 0;

	while (parts < 4) {
		size_t start = i;
		unsigned v = 0;

		while (i < n && is_digit((unsigned char)s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return false;
		if (++parts < 4 && (i >= n || s[i++] != '.'))
			return false;
	}
	return i == n;
}

/* Hex groups separated by ':', at most one "::", an optional dotted-quad
 * tail.  Same acceptance as inet_pton(AF_INET6), written out so that it is
 * the same for musl and glibc. */
static bool ipv6_valid(const char *s, size_t n)
{
	size_t i = 0, groups = 0;
	bool gap = false;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = true;
		i = 2;
	} else if (n && s[0] == ':') {
		return false;
	}
	while (i < n) {
		size_t start = i;

		while (i < n && text_hex_digit((unsigned char)s[i]) >= 0 && i - start < 4)
			i++;
		if (i < n && s[i] == '.') {            /* IPv4 tail */
			if (!ipv4_valid(s + start, n - start) || groups > 6)
				return false;
			groups += 2;
			i = n;
			break;
		}
		if (i == start)
			return false;
		groups++;
		if (i == n)
			break;
		if (s[i] != ':' || groups >= 8)
			return false;
		i++;
		if (i < n && s[i] == ':') {
			if (gap)
				return false;
			gap = true;
			i++;
		} else if (i == n) {
			return false;                   /* trailing single ':' */
		}
	}
	return gap ? groups < 8 : groups == 8;
}

/* Letters, digits, '-' and '.', labels of 1..63 bytes; all-numeric hosts
 * must be IPv4 literals. */
static bool dns_valid(const char *s, size_t n)
{
	size_t i, label = 0;
	bool numeric = true;

	if (n == 0 || n > HTTP_HOST_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-')
			return false;
		if (!is_digit(c))
			numeric = false;
		if (++label > 63)
			return false;
	}
	if (label == 0)
		return false;
	return numeric ? ipv4_valid(s, n) : true;
}

static int url_host(const char *s, size_t n, struct http_url *u, struct err *e)
{
	size_t i;

	if (n && s[0] == '[') {
		if (n < 3 || s[n - 1] != ']' || !ipv6_valid(s + 1, n - 2) ||
		    n - 2 > HTTP_HOST_MAX)
			return err_set(e, -ERR_FORMAT, "bad IPv6 literal");
		memcpy(u->host, s + 1, n - 2);
		u->host[n - 2] = '\0';
		u->is_ipv6 = true;
		return 0;
	}
	if (!dns_valid(s, n))
		return err_set(e, -ERR_FORMAT, n ? "bad host name" : "empty host");
	for (i = 0; i < n; i++) {
		char c = s[i];

		u->host[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	u->host[n] = '\0';
	return 0;
}

static int url_port(const char *s, size_t n, struct http_url *u, struct err *e)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return err_set(e, -ERR_FORMAT, "bad port");
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return err_set(e, -ERR_FORMAT, "bad port");
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return err_set(e, -ERR_FORMAT, "port %lu out of range", v);
	u->port = (uint16_t)v;
	return 0;
}

/* host [":" port], the port split off after any IPv6 brackets. */
static int url_authority(const char *s, size_t n, struct http_url *u, struct err *e)
{
	size_t hn = n;
	int rc;

	if (memchr(s, '@', n))
		return err_set(e, -ERR_FORMAT, "userinfo is not allowed");
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);

		hn = rb ? (size_t)(rb - s) + 1 : n;
		if (hn < n && s[hn] != ':')
			return err_set(e, -ERR_FORMAT, "bad IPv6 literal");
	} else {
		const char *colon = memchr(s, ':', n);

		hn = colon ? (size_t)(colon - s) : n;
	}
	rc = url_host(s, hn, u, e);
	if (rc == 0 && hn < n)
		rc = url_port(s + hn + 1, n - hn - 1, u, e);
	return rc;
}

static int url_path(const char *s, size_t n, struct http_url *u, struct err *e)
{
	size_t i, o = 0;

	if (n == 0) {
		strcpy(u->path, "/");
		return 0;
	}
	if (n + (s[0] == '?') > HTTP_PATH_MAX)
		return err_set(e, -ERR_LIMIT, "path longer than %d bytes", HTTP_PATH_MAX);
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && (n - i < 3 || text_hex_digit((unsigned char)s[i + 1]) < 0 ||
				    text_hex_digit((unsigned char)s[i + 2]) < 0))
			return err_set(e, -ERR_FORMAT, "bad %%-escape in path");
	}
	if (s[0] == '?')
		u->path[o++] = '/';
	memcpy(u->path + o, s, n);
	u->path[o + n] = '\0';
	return 0;
}

static int url_scheme(const char *s, size_t n, struct http_url *u, size_t *skip)
{
	if (n >= 7 && strncasecmp(s, "http://", 7) == 0) {
		strcpy(u->scheme, "http");
		u->port = 80;
		*skip = 7;
		return 0;
	}
	if (n >= 8 && strncasecmp(s, "https://", 8) == 0) {
		strcpy(u->scheme, "https");
		u->port = 443;
		u->is_tls = true;
		*skip = 8;
		return 0;
	}
	return -1;
}

int http_url_parse(const char *s, size_t n, struct http_url *u, struct err *e)
{
	char show[64];
	size_t i, skip, alen;
	int rc;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_print(c) || c == ' ')
			return err_set(e, -ERR_FORMAT, "URL %s: space, control or non-ASCII byte",
				       text_show(show, sizeof(show), s, n));
		if (c == '#')
			return err_set(e, -ERR_FORMAT, "URL %s: fragments are not allowed",
				       text_show(show, sizeof(show), s, n));
	}
	if (url_scheme(s, n, u, &skip) < 0)
		return err_set(e, -ERR_UNSUPPORTED, "URL %s: not http:// or https://",
			       text_show(show, sizeof(show), s, n));
	for (alen = 0; skip + alen < n; alen++)
		if (s[skip + alen] == '/' || s[skip + alen] == '?')
			break;
	rc = url_authority(s + skip, alen, u, e);
	if (rc == 0)
		rc = url_path(s + skip + alen, n - skip - alen, u, e);
	if (rc < 0) {
		err_wrap(e, rc, "URL %s", text_show(show, sizeof(show), s, n));
		memset(u, 0, sizeof(*u));
	}
	return rc;
}

int http_url_authority(const struct http_url *u, char *out, size_t cap)
{
	bool dflt = u->port == (u->is_tls ? 443 : 80);
	int k;

	if (u->is_ipv6)
		k = dflt ? snprintf(out, cap, "[%s]", u->host) :
			   snprintf(out, cap, "[%s]:%u", u->host, (unsigned)u->port);
	else
		k = dflt ? snprintf(out, cap, "%s", u->host) :
			   snprintf(out, cap, "%s:%u", u->host, (unsigned)u->port);
	if (k < 0 || (size_t)k >= cap)
		return -ERR_LIMIT;
	return 0;
}

bool http_url_same_origin(const struct http_url *a, const struct http_url *b)
{
	return a->is_tls == b->is_tls && a->port == b->port && strcmp(a->host, b->host) == 0;
}

/* ---- request heads ------------------------------------------------------ */

static bool name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* One caller line "Name: value" (without CRLF). */
static int req_header_check(const char *s, size_t n, struct err *e)
{
	static const char *const reserved[] = {
		"host", "content-length", "transfer-encoding", "connection",
	};
	const char *colon = memchr(s, ':', n);
	size_t i, nl = colon ? (size_t)(colon - s) : 0;

	if (nl == 0)
		return err_set(e, -EINVAL, "request header: no name");
	for (i = 0; i < nl; i++)
		if (!is_tchar((unsigned char)s[i]))
			return err_set(e, -EINVAL, "request header: bad name");
	for (i = nl + 1; i < n; i++)
		if (!is_print((unsigned char)s[i]) && s[i] != '\t')
			return err_set(e, -EINVAL, "request header: bad value byte");
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (name_is(s, nl, reserved[i]))
			return err_set(e, -EINVAL, "request header %s: set by the client",
				       reserved[i]);
	return 0;
}

static int req_headers_check(const char *h, struct err *e)
{
	while (*h) {
		const char *crlf = strstr(h, "\r\n");
		int rc;

		if (!crlf)
			return err_set(e, -EINVAL, "request headers: a line without CRLF");
		rc = req_header_check(h, (size_t)(crlf - h), e);
		if (rc < 0)
			return rc;
		h = crlf + 2;
	}
	return 0;
}

static int req_args_check(const char *method, const char *host, const char *path,
			  const char *ctype, struct err *e)
{
	size_t i;

	if (!method[0] || !host[0] || path[0] != '/')
		return err_set(e, -EINVAL, "request: empty method or host, or relative path");
	for (i = 0; method[i]; i++)
		if (method[i] < 'A' || method[i] > 'Z')
			return err_set(e, -EINVAL, "request: bad method");
	for (i = 0; host[i]; i++)
		if (!is_print((unsigned char)host[i]) || host[i] == ' ')
			return err_set(e, -EINVAL, "request: bad host");
	for (i = 0; path[i]; i++)
		if (!is_print((unsigned char)path[i]) || path[i] == ' ' || path[i] == '#')
			return err_set(e, -EINVAL, "request: bad path");
	for (i = 0; ctype && ctype[i]; i++)
		if (!is_print((unsigned char)ctype[i]))
			return err_set(e, -EINVAL, "request: bad content type");
	return 0;
}

int http_request_write(char *buf, size_t cap, size_t *len, const char *method,
		       const char *host, const char *path, const char *headers,
		       const char *content_type, size_t body_len, struct err *e)
{
	struct text_buf o = { buf, cap, 0, cap == 0 };
	char num[32];
	int rc = req_args_check(method, host, path, content_type, e);

	*len = 0;
	if (rc == 0 && headers)
		rc = req_headers_check(headers, e);
	if (rc < 0)
		return rc;
	if (cap)
		buf[0] = '\0';
	text_puts(&o, method);
	text_puts(&o, " ");
	text_puts(&o, path);
	text_puts(&o, " HTTP/1.1\r\nHost: ");
	text_puts(&o, host);
	text_puts(&o, "\r\n");
	if (headers)
		text_puts(&o, headers);
	if (content_type && content_type[0]) {
		text_puts(&o, "Content-Type: ");
		text_puts(&o, content_type);
		text_puts(&o, "\r\n");
	}
	if (body_len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
		snprintf(num, sizeof(num), "Content-Length: %zu\r\n", body_len);
		text_puts(&o, num);
	}
	text_puts(&o, "\r\n");
	if (o.over)
		return err_set(e, -ERR_LIMIT, "request head: longer than %zu bytes", cap);
	*len = o.len;
	return 0;
}

/* ---- the response parser -------------------------------------------------- */

static int pfail(struct http_parser *p, int rc)
{
	p->failed = rc;
	return rc;
}

void http_parser_init(struct http_parser *p, uint64_t max_body)
{
	memset(p, 0, sizeof(*p));
	p->max_body = max_body;
	p->state = S_STATUS;
}

bool http_parser_head_done(const struct http_parser *p)
{
	return !p->failed && p->state != S_STATUS && p->state != S_HEADER;
}

bool http_parser_done(const struct http_parser *p)
{
	return !p->failed && p->state == S_DONE;
}

bool http_parser_started(const struct http_parser *p)
{
	return p->seen_byte;
}

uint64_t http_parser_body_len(const struct http_parser *p)
{
	return p->body_got;
}

/* Collect one CRLF-terminated line.  1: p->line[0, line_len) is complete. */
static int line_byte(struct http_parser *p, unsigned char c, struct err *e)
{
	if (p->have_cr) {
		p->have_cr = false;
		if (c != '\n')
			return err_set(e, -ERR_FORMAT, "response: CR without LF");
		return 1;
	}
	if (c == '\r') {
		p->have_cr = true;
		return 0;
	}
	if (c == '\n')
		return err_set(e, -ERR_FORMAT, "response: line ends in LF without CR");
	if (p->line_len >= sizeof(p->line))
		return err_set(e, -ERR_LIMIT, "response: line longer than %d bytes",
			       HTTP_LINE_MAX);
	p->line[p->line_len++] = (char)c;
	return 0;
}

/* "HTTP/1." DIGIT SP 3DIGIT [SP reason] */
static int on_status(struct http_parser *p, struct err *e)
{
	const char *l = p->line;
	size_t n = p->line_len, i;
	char show[48];

	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') ||
	    l[8] != ' ' || !is_digit((unsigned char)l[9]) || !is_digit((unsigned char)l[10]) ||
	    !is_digit((unsigned char)l[11]) || l[9] < '1' || l[9] > '5' ||
	    (n > 12 && l[12] != ' '))
		return err_set(e, -ERR_FORMAT, "response: bad status line \"%s\"",
			       text_show(show, sizeof(show), l, n));
	for (i = 13; i < n; i++)
		if (!is_field_byte((unsigned char)l[i]))
			return err_set(e, -ERR_FORMAT, "response: control byte in status line");
	p->minor = l[7] - '0';
	p->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (p->status == 101)
		return err_set(e, -ERR_UNSUPPORTED, "response: 101 Switching Protocols");
	if (p->status < 200 && ++p->ninterim > INTERIM_MAX)
		return err_set(e, -ERR_LIMIT, "response: more than %d interim answers",
			       INTERIM_MAX);
	p->state = S_HEADER;
	return 0;
}

static int parse_length(const char *v, size_t n, uint64_t *out, struct err *e)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return err_set(e, -ERR_FORMAT, "response: empty Content-Length");
	if (n > LENGTH_DIGITS_MAX)
		return err_set(e, -ERR_LIMIT, "response: Content-Length too large");
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)v[i]))
			return err_set(e, -ERR_FORMAT, "response: bad Content-Length");
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

/* Connection: a comma list of tokens. */
static void on_connection(struct http_parser *p, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t s, t;

		while (i < n && (is_ows((unsigned char)v[i]) || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',' && !is_ows((unsigned char)v[i]))
			i++;
		t = i - s;
		if (name_is(v + s, t, "close"))
			p->conn_close = true;
		else if (name_is(v + s, t, "keep-alive"))
			p->conn_keep = true;
	}
}

/* Keep the "name=value" pair of the first HTTP_COOKIES_MAX Set-Cookie
 * values; a pair that does not fit or is not printable is not kept. */
static void on_cookie(struct http_parser *p, const char *v, size_t n)
{
	const char *semi = memchr(v, ';', n);
	size_t k = semi ? (size_t)(semi - v) : n;
	const char *eq = memchr(v, '=', k);

	while (k && is_ows((unsigned char)v[k - 1]))
		k--;
	if (p->ncookies >= HTTP_COOKIES_MAX || !eq || eq == v || k >= HTTP_COOKIE_MAX ||
	    !all_print(v, k))
		return;
	memcpy(p->cookies[p->ncookies], v, k);
	p->cookies[p->ncookies][k] = '\0';
	p->ncookies++;
}

static int keep_value(char *dst, size_t cap, const char *name, const char *v, size_t n,
		      struct err *e)
{
	if (dst[0])
		return err_set(e, -ERR_FORMAT, "response: duplicate %s", name);
	if (n >= cap)
		return err_set(e, -ERR_LIMIT, "response: %s longer than %zu bytes", name, cap - 1);
	if (n == 0 || !all_print(v, n))
		return err_set(e, -ERR_FORMAT, "response: bad %s", name);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int on_field(struct http_parser *p, const char *name, size_t nl, const char *v,
		    size_t n, struct err *e)
{
	if (name_is(name, nl, "content-length")) {
		if (p->have_length)
			return err_set(e, -ERR_FORMAT, "response: duplicate Content-Length");
		p->have_length = true;
		return parse_length(v, n, &p->content_length, e);
	}
	if (name_is(name, nl, "transfer-encoding")) {
		char show[48];

		if (p->have_te)
			return err_set(e, -ERR_FORMAT, "response: duplicate Transfer-Encoding");
		p->have_te = true;
		if (!name_is(v, n, "chunked"))
			return err_set(e, -ERR_UNSUPPORTED, "response: Transfer-Encoding \"%s\"",
				       text_show(show, sizeof(show), v, n));
		return 0;
	}
	if (name_is(name, nl, "connection"))
		on_connection(p, v, n);
	else if (name_is(name, nl, "set-cookie"))
		on_cookie(p, v, n);
	else if (name_is(name, nl, "location"))
		return keep_value(p->location, sizeof(p->location), "Location", v, n, e);
	else if (name_is(name, nl, "content-type"))
		return keep_value(p->content_type, sizeof(p->content_type), "Content-Type",
				  v, n, e);
	return 0;
}

/* Split "name: value" (OWS trimmed); a line starting with white space is
 * obs-fold, white space before the colon is refused. */
static int split_field(const char *l, size_t n, size_t *nl, size_t *vs, size_t *vn,
		       struct err *e)
{
	const char *colon = memchr(l, ':', n);
	size_t i, s, t;

	if (n && is_ows((unsigned char)l[0]))
		return err_set(e, -ERR_FORMAT, "response: folded header line (obs-fold)");
	if (!colon || colon == l)
		return err_set(e, -ERR_FORMAT, "response: header line without a name");
	*nl = (size_t)(colon - l);
	for (i = 0; i < *nl; i++)
		if (!is_tchar((unsigned char)l[i]))
			return err_set(e, -ERR_FORMAT, "response: bad header name");
	for (i = *nl + 1; i < n; i++)
		if (!is_field_byte((unsigned char)l[i]))
			return err_set(e, -ERR_FORMAT, "response: control byte in header value");
	s = *nl + 1;
	t = n;
	while (s < t && is_ows((unsigned char)l[s]))
		s++;
	while (t > s && is_ows((unsigned char)l[t - 1]))
		t--;
	*vs = s;
	*vn = t - s;
	return 0;
}

/* The head is complete: choose the body framing. */
static int on_head_end(struct http_parser *p, struct err *e)
{
	if (p->status < 200) {       /* interim: forget it, read the next head */
		p->have_length = p->have_te = p->conn_close = p->conn_keep = false;
		p->ncookies = 0;
		p->location[0] = p->content_type[0] = '\0';
		p->state = S_STATUS;
		return 0;
	}
	if (p->have_length && p->have_te)
		return err_set(e, -ERR_FORMAT, "response: both Content-Length and chunked");
	p->keep_alive = p->minor == 1 ? !p->conn_close : p->conn_keep && !p->conn_close;
	if (p->head_request || p->status == 204 || p->status == 304) {
		p->body_kind = HTTP_BODY_NONE;
		p->state = S_DONE;
	} else if (p->have_te) {
		p->body_kind = HTTP_BODY_CHUNKED;
		p->state = S_CHUNK_SIZE;
	} else if (p->have_length) {
		if (p->content_length > p->max_body)
			return err_set(e, -ERR_LIMIT, "response: body of %" PRIu64
				       " bytes, limit %" PRIu64, p->content_length, p->max_body);
		p->body_kind = HTTP_BODY_LENGTH;
		p->left = p->content_length;
		p->state = p->left ? S_BODY_LEN : S_DONE;
	} else {
		p->body_kind = HTTP_BODY_CLOSE;
		p->keep_alive = false;
		p->state = S_BODY_CLOSE;
	}
	return 0;
}

static int on_header(struct http_parser *p, struct err *e)
{
	size_t nl, vs, vn;
	int rc;

	if (p->line_len == 0)
		return on_head_end(p, e);
	if (++p->nheaders > HTTP_HEADERS_MAX)
		return err_set(e, -ERR_LIMIT, "response: more than %d header lines",
			       HTTP_HEADERS_MAX);
	rc = split_field(p->line, p->line_len, &nl, &vs, &vn, e);
	if (rc == 0)
		rc = on_field(p, p->line, nl, p->line + vs, vn, e);
	return rc;
}

/* chunk-size [BWS ";" ext...] */
static int on_chunk_size(struct http_parser *p, struct err *e)
{
	const char *l = p->line;
	size_t n = p->line_len, i = 0;
	uint64_t v = 0;

	for (; i < n && text_hex_digit((unsigned char)l[i]) >= 0; i++) {
		if (i >= CHUNK_DIGITS_MAX)
			return err_set(e, -ERR_LIMIT, "response: chunk size too large");
		v = v * 16 + (uint64_t)text_hex_digit((unsigned char)l[i]);
	}
	if (i == 0)
		return err_set(e, -ERR_FORMAT, "response: bad chunk size");
	while (i < n && is_ows((unsigned char)l[i]))
		i++;
	if (i < n && l[i] != ';')
		return err_set(e, -ERR_FORMAT, "response: bad chunk size");
	for (; i < n; i++)
		if (!is_field_byte((unsigned char)l[i]))
			return err_set(e, -ERR_FORMAT, "response: control byte in chunk extension");
	if (v > p->max_body - p->body_got)
		return err_set(e, -ERR_LIMIT, "response: body over the limit of %" PRIu64
			       " bytes", p->max_body);
	p->left = v;
	p->state = v ? S_CHUNK_DATA : S_TRAILER;
	return 0;
}

static int on_trailer(struct http_parser *p, struct err *e)
{
	size_t nl, vs, vn;

	if (p->line_len == 0) {
		p->state = S_DONE;
		return 0;
	}
	if (++p->ntrailers > HTTP_TRAILERS_MAX)
		return err_set(e, -ERR_LIMIT, "response: more than %d trailer lines",
			       HTTP_TRAILERS_MAX);
	return split_field(p->line, p->line_len, &nl, &vs, &vn, e);
}

static int on_line(struct http_parser *p, struct err *e)
{
	switch (p->state) {
	case S_STATUS:
		return on_status(p, e);
	case S_HEADER:
		return on_header(p, e);
	case S_CHUNK_SIZE:
		return on_chunk_size(p, e);
	case S_CHUNK_END:
		if (p->line_len)
			return err_set(e, -ERR_FORMAT, "response: chunk data longer than its size");
		p->state = S_CHUNK_SIZE;
		return 0;
	case S_TRAILER:
		return on_trailer(p, e);
	default:
		return err_set(e, -ERR_FORMAT, "response: parser state %d", p->state);
	}
}

/* Body bytes at data[0, n): deliver what belongs to the body; *took. */
static int body_bytes(struct http_parser *p, const uint8_t *data, size_t n, size_t *took,
		      http_body_fn fn, void *ctx, struct err *e)
{
	size_t k = n;
	int rc = 0;

	if (p->state == S_BODY_CLOSE) {
		if (k > p->max_body - p->body_got)
			return err_set(e, -ERR_LIMIT, "response: body over the limit of %"
				       PRIu64 " bytes", p->max_body);
	} else if (k > p->left) {
		k = (size_t)p->left;
	}
	if (fn && k)
		rc = fn(ctx, data, k, e);
	if (rc < 0)
		return rc;
	p->body_got += k;
	*took = k;
	if (p->state == S_BODY_CLOSE)
		return 0;
	p->left -= k;
	if (p->left == 0)
		p->state = p->state == S_BODY_LEN ? S_DONE : S_CHUNK_END;
	return 0;
}

int http_parser_feed(struct http_parser *p, const uint8_t *data, size_t n, size_t *used,
		     http_body_fn fn, void *ctx, struct err *e)
{
	size_t i = 0;
	int rc = 0;

	*used = 0;
	if (p->failed)
		return err_set(e, p->failed, "response: parser already failed");
	while (i < n && p->state != S_DONE && rc == 0) {
		size_t took = 0;

		p->seen_byte = true;
		if (p->state == S_BODY_LEN || p->state == S_CHUNK_DATA ||
		    p->state == S_BODY_CLOSE) {
			rc = body_bytes(p, data + i, n - i, &took, fn, ctx, e);
			i += took;
			continue;
		}
		rc = line_byte(p, data[i++], e);
		if (rc == 1) {
			rc = on_line(p, e);
			p->line_len = 0;
		}
	}
	*used = i;
	return rc < 0 ? pfail(p, rc) : 0;
}

int http_parser_finish(struct http_parser *p, struct err *e)
{
	static const char *const where[] = {
		[S_STATUS] = "status line", [S_HEADER] = "headers", [S_BODY_LEN] = "body",
		[S_CHUNK_SIZE] = "chunk size", [S_CHUNK_DATA] = "chunk", [S_CHUNK_END] = "chunk",
		[S_TRAILER] = "trailers",
	};

	if (p->failed)
		return err_set(e, p->failed, "response: parser already failed");
	if (p->state == S_BODY_CLOSE)
		p->state = S_DONE;
	if (p->state == S_DONE)
		return 0;
	if (p->state == S_BODY_LEN)
		return pfail(p, err_set(e, -ERR_FORMAT, "response truncated: %" PRIu64
					" of %" PRIu64 " body bytes", p->body_got,
					p->content_length));
	return pfail(p, err_set(e, -ERR_FORMAT, "response truncated in the %s",
				where[p->state]));
}
