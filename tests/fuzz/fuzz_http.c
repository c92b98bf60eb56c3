/* fuzz_http: the streaming HTTP response parser under several chunkings,
 * plus the URL parser on the same bytes.
 *
 * The body callback checks that its bytes lie inside the piece being fed and
 * that the body never exceeds the limit; the outcome (code, whether the
 * response completed, bytes consumed, status, a digest of the body and of the
 * captured headers) must not depend on how the input is split. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"

#define MAX_BODY 4096

struct chk {
	const uint8_t *lo, *hi;
	uint64_t got, hash;
};

struct outcome {
	int rc;
	bool done;
	size_t used;
	int status;
	uint64_t hash;
};

static void mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 1099511628211ull;
}

static int sink(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct chk *c = ctx;

	(void)e;
	if (n == 0 || p < c->lo || n > (size_t)(c->hi - p) || n > MAX_BODY - c->got)
		abort();
	c->got += n;
	mix(&c->hash, p, n);
	return 0;
}

static void check_str(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap), i;

	if (n == cap)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

static void check_result(const struct http_parser *p, const struct chk *c)
{
	unsigned i;

	if (p->status < 200 || p->status > 599 || p->ncookies > HTTP_COOKIES_MAX ||
	    c->got != http_parser_body_len(p) || c->got > MAX_BODY)
		abort();
	if (p->body_kind == HTTP_BODY_LENGTH && c->got != p->content_length)
		abort();
	if (p->body_kind == HTTP_BODY_CLOSE && p->keep_alive)
		abort();
	for (i = 0; i < p->ncookies; i++)
		check_str(p->cookies[i], HTTP_COOKIE_MAX);
	check_str(p->location, sizeof(p->location));
	check_str(p->content_type, sizeof(p->content_type));
}

static struct http_parser *state(void)
{
	static struct http_parser *p;

	if (!p)
		p = malloc(sizeof(*p));
	if (!p)
		abort();
	return p;
}

/* Feed in pieces of `step` (0: all at once; above 1 << 20: pseudo-random). */
static void run(const uint8_t *data, size_t size, size_t step, struct outcome *o)
{
	struct http_parser *p = state();
	struct chk c = { 0 };
	struct err e = { 0 };
	uint32_t seed = (uint32_t)step;
	size_t off = 0;
	int rc = 0;

	c.hash = 14695981039346656037ull;
	http_parser_init(p, MAX_BODY);
	p->head_request = size && (data[0] & 1) && (data[0] & 0x80);
	while (rc == 0 && off < size && !http_parser_done(p)) {
		size_t n = step == 0 ? size : step, used;

		if (step > (1u << 20)) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 700;
		}
		if (n > size - off)
			n = size - off;
		c.lo = data + off;
		c.hi = data + off + n;
		rc = http_parser_feed(p, data + off, n, &used, sink, &c, &e);
		if (used > n || (rc == 0 && used < n && !http_parser_done(p)))
			abort();
		off += used;
		if (rc == 0 && used < n)
			break;
	}
	if (rc == 0 && !http_parser_done(p))
		rc = http_parser_finish(p, &e);
	if (rc < 0 && (rc != e.code || e.msg[0] == 0 || http_parser_done(p)))
		abort();
	if (rc == 0 && !http_parser_done(p))
		abort();
	memset(o, 0, sizeof(*o));
	o->rc = rc;
	o->done = http_parser_done(p);
	o->used = off;
	o->hash = c.hash;
	if (rc == 0) {
		check_result(p, &c);
		o->status = p->status;
		mix(&o->hash, p->cookies, sizeof(p->cookies));
		mix(&o->hash, p->location, sizeof(p->location));
		mix(&o->hash, &p->keep_alive, sizeof(p->keep_alive));
	}
}

static void url_mode(const uint8_t *data, size_t size)
{
	struct http_url u;
	char auth[HTTP_HOST_MAX + 16], req[HTTP_PATH_MAX + 512];
	size_t len;

	if (size > HTTP_URL_MAX + 100)
		size = HTTP_URL_MAX + 100;
	if (http_url_parse((const char *)data, size, &u, NULL) < 0)
		return;
	if (!u.host[0] || u.path[0] != '/' || u.port == 0 || strlen(u.path) > HTTP_PATH_MAX)
		abort();
	check_str(u.host, sizeof(u.host));
	check_str(u.path, sizeof(u.path));
	if (http_url_authority(&u, auth, sizeof(auth)) < 0)
		abort();
	if (http_request_write(req, sizeof(req), &len, "GET", auth, u.path, NULL, NULL, 0,
			       NULL) < 0 || len != strlen(req))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t steps[4] = { 1, 7, 512, (1u << 20) + size };
	struct outcome whole, piece;
	size_t i;

	run(data, size, 0, &whole);
	for (i = 0; i < 4; i++) {
		if (steps[i] == 1 && size > 16384)
			continue;
		run(data, size, steps[i], &piece);
		/* on failure only the code must agree (callbacks before the bad
		 * byte may differ by chunking) */
		if (piece.rc != whole.rc || (whole.rc == 0 && memcmp(&piece, &whole,
								      sizeof(piece)) != 0))
			abort();
	}
	url_mode(data, size);
	return 0;
}
