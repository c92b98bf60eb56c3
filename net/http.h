/* http: the pure part of the HTTP/1.1 client.  No I/O, no allocation.
 *
 *   http_url_parse()      http:// and https:// URLs, strictly
 *   http_request_write()  one request head into a caller buffer
 *   http_parser_*()       a streaming parser of one response: status line,
 *                         headers, Content-Length / chunked / until-close
 *                         body; body bytes go to a callback.
 *
 * Everything is bounded (line length, header and trailer count, body size)
 * and fails closed: a malformed response is -ERR_FORMAT, a bound exceeded is
 * -ERR_LIMIT, a valid but unsupported form (Transfer-Encoding other than
 * chunked, status 101) is -ERR_UNSUPPORTED.  After an error the parser stays
 * failed. */
#ifndef CCG_NET_HTTP_H
#define CCG_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define HTTP_HOST_MAX 253       /* a DNS name; an IPv6 literal is shorter */
#define HTTP_PATH_MAX 2048      /* path and query */
#define HTTP_URL_MAX 2400       /* a whole URL (and a Location value) */
#define HTTP_LINE_MAX 8192      /* status, header, chunk-size and trailer lines */
#define HTTP_HEADERS_MAX 64     /* header lines in one response */
#define HTTP_TRAILERS_MAX 16    /* trailer lines after the last chunk */
#define HTTP_COOKIES_MAX 4      /* Set-Cookie values kept (the first ones) */
#define HTTP_COOKIE_MAX 256     /* one kept cookie "name=value", NUL included */
#define HTTP_CTYPE_MAX 128      /* Content-Type, NUL included */

struct http_url {
	char scheme[6];                  /* "http" or "https" */
	char host[HTTP_HOST_MAX + 1];    /* lowercase name, IPv4, or IPv6 without [] */
	uint16_t port;                   /* explicit or 80 / 443 */
	char path[HTTP_PATH_MAX + 1];    /* "/" + path [+ "?" query] */
	bool is_tls;                     /* https */
	bool is_ipv6;                    /* host was a [literal] */
};

/* Parse the n bytes at s (no NUL needed) as an absolute http or https URL:
 * scheme "://" host [":" port] [path ["?" query]].  Host: a DNS name
 * (letters, digits, '-', '.'), an IPv4 dotted quad or a bracketed IPv6
 * literal.  Rejected: userinfo, fragments, empty host, port 0 or > 65535,
 * spaces, control and non-ASCII bytes.  The path defaults to "/". */
int http_url_parse(const char *s, size_t n, struct http_url *u, struct err *e);

/* The Host header value of u into out: host, "[v6]", plus ":port" when not
 * the scheme's default.  Returns 0 or -ERR_LIMIT when cap is too small. */
int http_url_authority(const struct http_url *u, char *out, size_t cap);

/* True when a and b name the same origin (scheme, host, port). */
bool http_url_same_origin(const struct http_url *a, const struct http_url *b);

/* Write a request head into buf[cap]:
 *   METHOD SP path SP HTTP/1.1 CRLF  Host: host CRLF  extra  [Content-Type]
 *   Content-Length (when body_len > 0 or the method is POST/PUT) CRLF
 * `headers` is NULL or complete "Name: value\r\n" lines; they are checked
 * (token name, no CR/LF inside a value, no Host / Content-Length /
 * Transfer-Encoding / Connection).  method must be an uppercase token, path
 * must start with '/' and hold no space or control byte.  *len gets the
 * length (a NUL follows).  -ERR_LIMIT when cap is too small, -EINVAL on a
 * bad argument. */
int http_request_write(char *buf, size_t cap, size_t *len, const char *method,
		       const char *host, const char *path, const char *headers,
		       const char *content_type, size_t body_len, struct err *e);

/* Body bytes: called with n > 0 bytes that lie inside the fed buffer.  A
 * negative return stops the parser with that code. */
typedef int (*http_body_fn)(void *ctx, const uint8_t *p, size_t n, struct err *e);

enum http_body_kind { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED, HTTP_BODY_CLOSE };

/* The response parser.  Caller-allocated, no interior pointers; about 12 KiB.
 * Fields below `head` are results, valid once http_parser_head_done(). */
struct http_parser {
	/* settings */
	uint64_t max_body;
	bool head_request;            /* set after init for a HEAD request: no body */
	/* state (private) */
	int state;
	int failed;                   /* the sticky error code, or 0 */
	size_t line_len;
	unsigned nheaders, ntrailers;
	unsigned ninterim;
	bool have_cr, seen_byte, have_length, have_te, conn_close, conn_keep;
	uint64_t left;                /* of the Content-Length body or the chunk */
	uint64_t body_got;
	char line[HTTP_LINE_MAX];
	/* results */
	int status;                   /* 200..599 (1xx interim answers are skipped) */
	int minor;                    /* HTTP/1.<minor>: 0 or 1 */
	bool keep_alive;              /* the connection may carry another request */
	enum http_body_kind body_kind;
	uint64_t content_length;      /* when body_kind == HTTP_BODY_LENGTH */
	unsigned ncookies;            /* Set-Cookie "name=value" pairs kept */
	char cookies[HTTP_COOKIES_MAX][HTTP_COOKIE_MAX];
	char location[HTTP_URL_MAX + 1];
	char content_type[HTTP_CTYPE_MAX];
};

/* Start on a new response; max_body bounds the body bytes (either framing). */
void http_parser_init(struct http_parser *p, uint64_t max_body);

/* Consume up to n bytes at data.  *used gets the bytes consumed; it is less
 * than n only when the response ended inside data (the rest belongs to no
 * response of ours) or on error.  Returns 0 or a negative code (also
 * returned by every later call). */
int http_parser_feed(struct http_parser *p, const uint8_t *data, size_t n, size_t *used,
		     http_body_fn fn, void *ctx, struct err *e);

/* The peer closed the connection.  Ends a body framed by the close;
 * anywhere else before the end of the response it is -ERR_FORMAT
 * ("truncated").  Returns 0 when the response is complete. */
int http_parser_finish(struct http_parser *p, struct err *e);

bool http_parser_head_done(const struct http_parser *p); /* status and headers in */
bool http_parser_done(const struct http_parser *p);      /* the whole response in */
bool http_parser_started(const struct http_parser *p);   /* any byte consumed */
uint64_t http_parser_body_len(const struct http_parser *p);

#endif
