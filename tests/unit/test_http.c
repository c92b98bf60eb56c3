/* Unit tests for net/http.c: URLs, request heads, the response parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"

/* ---- URLs ------------------------------------------------------------------ */

static void test_url_good(void **state)
{
	static const struct {
		const char *in, *host, *path;
		unsigned port;
		bool tls, v6;
	} cases[] = {
		{ "http://example.com", "example.com", "/", 80, false, false },
		{ "https://Kbs.Example.COM:8080/a/b?x=1", "kbs.example.com", "/a/b?x=1", 8080, true,
		  false },
		{ "HTTPS://10.0.2.100:8080", "10.0.2.100", "/", 8080, true, false },
		{ "http://[::1]:9/p%20q", "::1", "/p%20q", 9, false, true },
		{ "https://[2001:db8::1]/", "2001:db8::1", "/", 443, true, true },
		{ "https://[::ffff:1.2.3.4]", "::ffff:1.2.3.4", "/", 443, true, true },
		{ "http://h?q", "h", "/?q", 80, false, false },
		{ "http://a-b.c1:65535/", "a-b.c1", "/", 65535, false, false },
		{ "http://0.0.0.0/", "0.0.0.0", "/", 80, false, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_url u;
		struct err e = { 0 };

		assert_int_equal(http_url_parse(cases[i].in, strlen(cases[i].in), &u, &e), 0);
		assert_string_equal(u.host, cases[i].host);
		assert_string_equal(u.path, cases[i].path);
		assert_int_equal(u.port, cases[i].port);
		assert_int_equal(u.is_tls, cases[i].tls);
		assert_int_equal(u.is_ipv6, cases[i].v6);
		assert_string_equal(u.scheme, cases[i].tls ? "https" : "http");
	}
}

static void test_url_bad(void **state)
{
	static const char *const bad[] = {
		"", "ftp://x/", "http:/x", "http://", "http:///p", "http://user@host/",
		"http://u:p@host/", "http://host/#frag", "http://ho st/", "http://host/a b",
		"http://host:0/", "http://host:65536/", "http://host:/", "http://host:8a/",
		"http://host:123456/", "http://[::1/", "http://[::1]x/", "http://[1:2]/",
		"http://[::1%25eth0]/", "http://[1::2::3]/", "http://[12345::]/",
		"http://1.2.3/", "http://1.2.3.256/", "http://01.2.3.4/", "http://a..b/",
		"http://.a/", "http://a./", "http://a_b/", "http://-/x\x01", "http://h/\x7f",
		"http://h/\xc3\xa9", "http://h/%zz", "http://h/%4", "http://[]/",
		"http://[1:2:3:4:5:6:7:8:9]/", "http://[1:2:3:4:5:6:7]/", "http://[:1::2]/",
		"http://[1::2:]/",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_url u;
		struct err e = { 0 };
		int rc = http_url_parse(bad[i], strlen(bad[i]), &u, &e);

		if (rc == 0)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(rc, e.code);
		assert_true(e.msg[0] != 0);
		assert_string_equal(u.host, "");
	}
}

static void test_url_limits(void **state)
{
	char buf[HTTP_PATH_MAX + 64], label[80];
	struct http_url u;
	size_t n;

	(void)state;
	n = (size_t)snprintf(buf, sizeof(buf), "http://h/");
	memset(buf + n, 'a', HTTP_PATH_MAX - 1);
	buf[n + HTTP_PATH_MAX - 1] = 0;
	assert_int_equal(http_url_parse(buf, strlen(buf), &u, NULL), 0);
	assert_int_equal(strlen(u.path), HTTP_PATH_MAX);
	strcat(buf, "b");
	assert_int_equal(http_url_parse(buf, strlen(buf), &u, NULL), -ERR_LIMIT);
	/* a 64-byte label */
	memset(label, 'x', 64);
	label[64] = 0;
	snprintf(buf, sizeof(buf), "http://%s/", label);
	assert_int_equal(http_url_parse(buf, strlen(buf), &u, NULL), -ERR_FORMAT);
	label[63] = 0;
	snprintf(buf, sizeof(buf), "http://%s/", label);
	assert_int_equal(http_url_parse(buf, strlen(buf), &u, NULL), 0);
	/* an embedded NUL is a control byte */
	assert_int_equal(http_url_parse("http://h/\0x", 11, &u, NULL), -ERR_FORMAT);
}

static void test_url_authority(void **state)
{
	struct http_url u, v;
	char out[300];

	(void)state;
	assert_int_equal(http_url_parse("https://h:443/x", 15, &u, NULL), 0);
	assert_int_equal(http_url_authority(&u, out, sizeof(out)), 0);
	assert_string_equal(out, "h");
	assert_int_equal(http_url_parse("http://[::1]:8080", 17, &v, NULL), 0);
	assert_int_equal(http_url_authority(&v, out, sizeof(out)), 0);
	assert_string_equal(out, "[::1]:8080");
	assert_int_equal(http_url_authority(&v, out, 10), -ERR_LIMIT);
	assert_false(http_url_same_origin(&u, &v));
	assert_int_equal(http_url_parse("https://H/y", 11, &v, NULL), 0);
	assert_true(http_url_same_origin(&u, &v));
	assert_int_equal(http_url_parse("http://h:443/y", 14, &v, NULL), 0);
	assert_false(http_url_same_origin(&u, &v));
}

/* ---- request heads -------------------------------------------------------- */

static void test_request_write(void **state)
{
	char buf[512];
	size_t len;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "POST", "kbs:8080",
					    "/kbs/v0/auth", "Cookie: a=b\r\nX-Y: z\r\n",
					    "application/json", 12, &e), 0);
	assert_string_equal(buf, "POST /kbs/v0/auth HTTP/1.1\r\nHost: kbs:8080\r\n"
			    "Cookie: a=b\r\nX-Y: z\r\nContent-Type: application/json\r\n"
			    "Content-Length: 12\r\n\r\n");
	assert_int_equal(len, strlen(buf));
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "GET", "h", "/", NULL, NULL,
					    0, &e), 0);
	assert_string_equal(buf, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "POST", "h", "/", NULL, NULL,
					    0, &e), 0);
	assert_string_equal(buf, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
	/* exactly fitting, one byte short */
	assert_int_equal(http_request_write(buf, 28, &len, "GET", "h", "/", NULL, NULL, 0, &e), 0);
	assert_int_equal(http_request_write(buf, 27, &len, "GET", "h", "/", NULL, NULL, 0, &e),
			 -ERR_LIMIT);
	assert_int_equal(len, 0);
	assert_int_equal(http_request_write(buf, 0, &len, "GET", "h", "/", NULL, NULL, 0, &e),
			 -ERR_LIMIT);
}

static void test_request_write_bad(void **state)
{
	static const char *const bad_headers[] = {
		"X: a", "X: a\r\nY", "X: a\nY: b\r\n", ": v\r\n", "X Y: v\r\n", "X: a\rb\r\n",
		"Host: evil\r\n", "content-length: 5\r\n", "Transfer-Encoding: chunked\r\n",
		"Connection: close\r\n", "X: \x01\r\n",
	};
	char buf[256];
	size_t len, i;
	struct err e = { 0 };

	(void)state;
	for (i = 0; i < sizeof(bad_headers) / sizeof(bad_headers[0]); i++)
		if (http_request_write(buf, sizeof(buf), &len, "GET", "h", "/", bad_headers[i],
				       NULL, 0, &e) != -EINVAL)
			fail_msg("accepted header %s", bad_headers[i]);
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "GET", "h", "/a b", NULL,
					    NULL, 0, &e), -EINVAL);
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "GET", "h", "x", NULL,
					    NULL, 0, &e), -EINVAL);
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "get", "h", "/", NULL,
					    NULL, 0, &e), -EINVAL);
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "GET", "h\r\nX: y", "/",
					    NULL, NULL, 0, &e), -EINVAL);
	assert_int_equal(http_request_write(buf, sizeof(buf), &len, "GET", "h", "/", NULL,
					    "a\r\nb", 0, &e), -EINVAL);
}

/* ---- the response parser -------------------------------------------------- */

struct got {
	char body[200000];
	size_t len;
	int fail_at;        /* make the callback fail once len reaches this (0: never) */
};

static int collect(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct got *g = ctx;

	assert_true(n > 0);
	assert_true(n <= sizeof(g->body) - g->len);
	memcpy(g->body + g->len, p, n);
	g->len += n;
	if (g->fail_at && g->len >= (size_t)g->fail_at)
		return err_set(e, -EIO, "sink full");
	return 0;
}

static struct http_parser P;
static struct got G;

/* Feed s in pieces of `step` (0: whole), then finish when eof.  Returns the
 * code; *used_total gets the bytes consumed. */
static int parse_steps(const char *s, size_t n, size_t step, uint64_t max_body, bool eof,
		       size_t *used_total, struct err *e)
{
	size_t off = 0;
	int rc = 0;

	http_parser_init(&P, max_body);
	memset(&G, 0, sizeof(G));
	*used_total = 0;
	while (off < n && !http_parser_done(&P)) {
		size_t k = step ? step : n, used;

		if (k > n - off)
			k = n - off;
		rc = http_parser_feed(&P, (const uint8_t *)s + off, k, &used, collect, &G, e);
		assert_true(used <= k);
		*used_total += used;
		if (rc < 0)
			return rc;
		if (used < k)
			break;
		off += k;
	}
	if (eof && !http_parser_done(&P))
		rc = http_parser_finish(&P, e);
	return rc;
}

static int parse(const char *s, uint64_t max_body, struct err *e)
{
	size_t used;

	return parse_steps(s, strlen(s), 0, max_body, true, &used, e);
}

static void test_resp_content_length(void **state)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				"Set-Cookie: kbs-session-id=abc; Expires=Wed, 21 Oct 2037 07:28:00 GMT\r\n"
				"set-cookie: second=2\r\nContent-Length:  5 \r\n\r\nhello";
	struct err e = { 0 };
	size_t used;

	(void)state;
	assert_int_equal(parse_steps(r, strlen(r), 0, 100, false, &used, &e), 0);
	assert_true(http_parser_done(&P));
	assert_int_equal(used, strlen(r));
	assert_int_equal(P.status, 200);
	assert_true(P.keep_alive);
	assert_int_equal(P.body_kind, HTTP_BODY_LENGTH);
	assert_int_equal(G.len, 5);
	assert_memory_equal(G.body, "hello", 5);
	assert_string_equal(P.content_type, "application/json");
	assert_int_equal(P.ncookies, 2);
	assert_string_equal(P.cookies[0], "kbs-session-id=abc");
	assert_string_equal(P.cookies[1], "second=2");
	assert_int_equal(http_parser_body_len(&P), 5);
	/* zero length: done right after the head */
	assert_int_equal(parse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, &e), 0);
	assert_int_equal(P.status, 404);
	assert_true(http_parser_done(&P));
}

static const char chunked[] =
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nLocation: /next\r\n\r\n"
	"5;name=value\r\nhello\r\n"
	"1 ; x\r\n,\r\n"
	"0006\r\n world\r\n"
	"0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n";

static void test_resp_chunked(void **state)
{
	struct err e = { 0 };
	size_t used;

	(void)state;
	assert_int_equal(parse_steps(chunked, strlen(chunked), 0, 100, false, &used, &e), 0);
	assert_true(http_parser_done(&P));
	assert_int_equal(used, strlen(chunked));
	assert_int_equal(P.body_kind, HTTP_BODY_CHUNKED);
	assert_int_equal(G.len, 12);
	assert_memory_equal(G.body, "hello, world", 12);
	assert_string_equal(P.location, "/next");
	assert_true(P.keep_alive);
}

/* The outcome must not depend on how the bytes are split: every byte alone,
 * and every split point into two feeds. */
static void test_resp_split_everywhere(void **state)
{
	static const char *const inputs[] = {
		chunked,
		"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
	};
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		const char *s = inputs[k];
		size_t n = strlen(s), used;
		char want[64];
		size_t want_len;

		assert_int_equal(parse_steps(s, n, 0, 100, true, &used, NULL), 0);
		want_len = G.len;
		memcpy(want, G.body, want_len);
		assert_int_equal(parse_steps(s, n, 1, 100, true, &used, NULL), 0);
		assert_int_equal(G.len, want_len);
		assert_memory_equal(G.body, want, want_len);
		for (i = 0; i <= n; i++) {
			size_t u1, u2;

			http_parser_init(&P, 100);
			memset(&G, 0, sizeof(G));
			assert_int_equal(http_parser_feed(&P, (const uint8_t *)s, i, &u1, collect,
							  &G, NULL), 0);
			assert_int_equal(u1, i);
			assert_int_equal(http_parser_feed(&P, (const uint8_t *)s + i, n - i, &u2,
							  collect, &G, NULL), 0);
			assert_int_equal(u2, n - i);
			assert_int_equal(http_parser_finish(&P, NULL), 0);
			assert_true(http_parser_done(&P));
			assert_int_equal(G.len, want_len);
			assert_memory_equal(G.body, want, want_len);
		}
	}
}

static void test_resp_keep_alive(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
			       0, &e), 0);
	assert_false(P.keep_alive);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nConnection: x, Close\r\nContent-Length: 0\r\n"
			       "\r\n", 0, &e), 0);
	assert_false(P.keep_alive);
	assert_int_equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, &e), 0);
	assert_false(P.keep_alive);
	assert_int_equal(P.minor, 0);
	assert_int_equal(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0"
			       "\r\n\r\n", 0, &e), 0);
	assert_true(P.keep_alive);
	/* a body framed by the close: never kept alive */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n\r\nabc", 10, &e), 0);
	assert_int_equal(P.body_kind, HTTP_BODY_CLOSE);
	assert_false(P.keep_alive);
	assert_int_equal(G.len, 3);
}

static void test_resp_no_body(void **state)
{
	struct err e = { 0 };
	size_t used;
	static const char r204[] = "HTTP/1.1 204 No Content\r\n\r\nXYZ";
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";

	(void)state;
	assert_int_equal(parse_steps(r204, strlen(r204), 0, 10, false, &used, &e), 0);
	assert_true(http_parser_done(&P));
	assert_int_equal(used, strlen(r204) - 3);       /* "XYZ" is not ours */
	assert_int_equal(P.body_kind, HTTP_BODY_NONE);
	http_parser_init(&P, 10);
	P.head_request = true;
	assert_int_equal(http_parser_feed(&P, (const uint8_t *)head, strlen(head), &used, NULL,
					  NULL, &e), 0);
	assert_true(http_parser_done(&P));
	/* interim 1xx answers are skipped, their headers forgotten */
	assert_int_equal(parse("HTTP/1.1 100 Continue\r\nLocation: /x\r\n\r\n"
			       "HTTP/1.1 103 Early Hints\r\n\r\n"
			       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 10, &e), 0);
	assert_int_equal(P.status, 200);
	assert_string_equal(P.location, "");
	assert_int_equal(G.len, 2);
}

static void test_resp_trailing_bytes(void **state)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200";
	static const char c[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"2\r\nok\r\n0\r\n\r\ngarbage";
	struct err e = { 0 };
	size_t used;

	(void)state;
	assert_int_equal(parse_steps(r, strlen(r), 0, 10, false, &used, &e), 0);
	assert_true(http_parser_done(&P));
	assert_int_equal(used, strlen(r) - 12);
	assert_int_equal(parse_steps(c, strlen(c), 3, 10, false, &used, &e), 0);
	assert_true(http_parser_done(&P));
	assert_int_equal(used, strlen(c) - 7);
	/* more feeding after the end consumes nothing */
	assert_int_equal(http_parser_feed(&P, (const uint8_t *)"x", 1, &used, collect, &G, &e), 0);
	assert_int_equal(used, 0);
}

static void test_resp_limits(void **state)
{
	static char big[HTTP_LINE_MAX + 100];
	char many[HTTP_HEADERS_MAX * 8 + 100];
	struct err e = { 0 };
	size_t i, o;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", 10, &e),
			 -ERR_LIMIT);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 10, &e),
			 0);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "6\r\n012345\r\n5\r\n", 10, &e), -ERR_LIMIT);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "1000000000000000\r\n", (uint64_t)-1, &e), -ERR_LIMIT);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n\r\n01234567890", 10, &e), -ERR_LIMIT);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n",
			       (uint64_t)-1, &e), -ERR_LIMIT);
	/* line length */
	o = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nX: ");
	memset(big + o, 'a', HTTP_LINE_MAX - 3);
	strcpy(big + o + HTTP_LINE_MAX - 3, "\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(parse(big, 10, &e), 0);
	big[o] = 'a';
	memmove(big + o + 1, big + o, strlen(big + o) + 1);
	assert_int_equal(parse(big, 10, &e), -ERR_LIMIT);
	/* header count */
	o = (size_t)snprintf(many, sizeof(many), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < HTTP_HEADERS_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "X: %zu\r\n", i % 10);
	strcpy(many + o, "\r\n");
	assert_int_equal(parse(many, 10, &e), 0);
	strcpy(many + o, "Y: 1\r\n\r\n");
	assert_int_equal(parse(many, 10, &e), -ERR_LIMIT);
	/* trailer count */
	o = (size_t)snprintf(many, sizeof(many),
			     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
	for (i = 0; i <= HTTP_TRAILERS_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "T: 1\r\n");
	strcpy(many + o, "\r\n");
	assert_int_equal(parse(many, 10, &e), -ERR_LIMIT);
	/* too many interim answers */
	o = 0;
	for (i = 0; i < 9; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "HTTP/1.1 100 Continue\r\n\r\n");
	assert_int_equal(parse(many, 10, &e), -ERR_LIMIT);
}

static void test_resp_malformed(void **state)
{
	static const struct {
		const char *in;
		int rc;
	} cases[] = {
		{ "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", -ERR_FORMAT },      /* bare LF */
		{ "HTTP/1.1 200 OK\r\nContent-Length: 0\r\r\n\r\n", -ERR_FORMAT },  /* bare CR */
		{ "HTTP/2 200 OK\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.2 200 OK\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 20 OK\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 2000 OK\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 600 Odd\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 099 Odd\r\n\r\n", -ERR_FORMAT },
		{ "http/1.1 200 OK\r\n\r\n", -ERR_FORMAT },
		{ " HTTP/1.1 200 OK\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1  200 OK\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 O\x01K\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 101 Switching\r\n\r\n", -ERR_UNSUPPORTED },
		{ "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\n\tX: a\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\n: v\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nX(: v\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nx", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		  -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
		  -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -ERR_UNSUPPORTED },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n", -ERR_UNSUPPORTED },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
		  "\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;\x01\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n bad\r\n\r\n",
		  -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nLocation: /a\r\nLocation: /b\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nLocation: /\xc3\xa9\r\n\r\n", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n", -ERR_FORMAT },
		/* truncated: finish() says so */
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nContent-Le", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", -ERR_FORMAT },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", -ERR_FORMAT },
		{ "", -ERR_FORMAT },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e = { 0 };
		int rc = parse(cases[i].in, 100, &e);

		if (rc != cases[i].rc)
			fail_msg("case %zu: got %d, want %d (%s)", i, rc, cases[i].rc, e.msg);
		assert_int_equal(e.code, rc);
		assert_true(e.msg[0] != 0);
		assert_false(http_parser_done(&P));
	}
	/* an embedded NUL in a value */
	{
		static const char r[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
		size_t used;

		assert_int_equal(parse_steps(r, sizeof(r) - 1, 0, 10, true, &used, NULL),
				 -ERR_FORMAT);
	}
}

static void test_resp_sticky_and_callback(void **state)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
	struct err e = { 0 };
	size_t used;

	(void)state;
	assert_int_equal(parse("HTTP/1.1 200 OK\nX", 10, &e), -ERR_FORMAT);
	assert_int_equal(http_parser_feed(&P, (const uint8_t *)"\r\n", 2, &used, NULL, NULL, &e),
			 -ERR_FORMAT);
	assert_int_equal(used, 0);
	assert_int_equal(http_parser_finish(&P, &e), -ERR_FORMAT);
	assert_false(http_parser_head_done(&P));
	/* the callback's error stops the parser with its code */
	http_parser_init(&P, 100);
	memset(&G, 0, sizeof(G));
	G.fail_at = 4;
	assert_int_equal(http_parser_feed(&P, (const uint8_t *)r, sizeof(r) - 1, &used, collect,
					  &G, &e), -EIO);
	assert_string_equal(e.msg, "sink full");
	assert_false(http_parser_done(&P));
}

static void test_resp_cookies(void **state)
{
	char r[2048];
	struct err e = { 0 };
	size_t o;

	(void)state;
	o = (size_t)snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\nSet-Cookie: big=");
	memset(r + o, 'v', HTTP_COOKIE_MAX);
	o += HTTP_COOKIE_MAX;
	o += (size_t)snprintf(r + o, sizeof(r) - o, "\r\nSet-Cookie: novalue\r\n"
			      "Set-Cookie: a=1\r\nSet-Cookie: b=2 ; Path=/\r\nSet-Cookie: c=3\r\n"
			      "Set-Cookie: d=4\r\nSet-Cookie: e=5\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(parse(r, 10, &e), 0);
	assert_int_equal(P.ncookies, HTTP_COOKIES_MAX);
	assert_string_equal(P.cookies[0], "a=1");
	assert_string_equal(P.cookies[1], "b=2");
	assert_string_equal(P.cookies[3], "d=4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_good),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_url_limits),
		cmocka_unit_test(test_url_authority),
		cmocka_unit_test(test_request_write),
		cmocka_unit_test(test_request_write_bad),
		cmocka_unit_test(test_resp_content_length),
		cmocka_unit_test(test_resp_chunked),
		cmocka_unit_test(test_resp_split_everywhere),
		cmocka_unit_test(test_resp_keep_alive),
		cmocka_unit_test(test_resp_no_body),
		cmocka_unit_test(test_resp_trailing_bytes),
		cmocka_unit_test(test_resp_limits),
		cmocka_unit_test(test_resp_malformed),
		cmocka_unit_test(test_resp_sticky_and_callback),
		cmocka_unit_test(test_resp_cookies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
