/* httpc: a small HTTP/1.1 client over TCP or TLS (net/tls.h), for one origin.
 *
 * One connection is kept alive between requests; when the server closed an
 * idle kept-alive connection before answering (no byte of the response),
 * the request is sent once more on a new connection.  Redirects (301, 302,
 * 303, 307, 308) are followed up to opts.max_redirects times, only within
 * the same origin (scheme, host, port; so never https -> http).
 *
 * Errors, so that a caller can say what kind of trouble it was
 * (httpc_err_kind()):
 *   network       -errno: -ECONNREFUSED, -ETIMEDOUT, -ECONNRESET, -EPIPE,
 *                 -EHOSTUNREACH (also: the name did not resolve), ...
 *   tls           -ERR_UNSAFE: certificate not trusted, name mismatch,
 *                 handshake failure or alert, bad record
 *   bad response  -ERR_FORMAT (malformed or truncated), -ERR_LIMIT (body,
 *                 line or header bounds, too many redirects),
 *                 -ERR_UNSUPPORTED (transfer coding, redirect elsewhere)
 *   local         -EINVAL (bad argument), -ENOMEM */
#ifndef CCG_NET_HTTPC_H
#define CCG_NET_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "net/http.h"

#define HTTPC_REDIRECTS_MAX 3

struct httpc_opts {
	const uint8_t *ca_pem;       /* trust anchor (PEM or DER), required for https; copied */
	size_t ca_len;
	const char *connect_host;    /* connect here (name or IP) instead of the URL's
				      * host, which is still the TLS name and Host; NULL */
	int connect_timeout_ms;      /* <= 0: 10000, for all addresses of the host */
	int io_timeout_ms;           /* <= 0: 30000, for one exchange (send, whole answer) */
	size_t max_body;             /* 0: 4 MiB */
	int max_redirects;           /* <= 0: none followed (the 3xx is returned);
				      * at most HTTPC_REDIRECTS_MAX */
};

struct httpc;

struct httpc_resp {
	int status;
	char *body;                  /* malloc'd, NUL-terminated (also when empty) */
	size_t body_len;
	char cookie[HTTP_COOKIE_MAX];       /* the first Set-Cookie "name=value", or "" */
	char content_type[HTTP_CTYPE_MAX];  /* or "" */
};

/* A client for base's origin; no connection is made yet.  base and *o are
 * copied. */
int httpc_new(struct httpc **out, const struct http_url *base, const struct httpc_opts *o,
	      struct err *e);

/* One request.  path: the absolute request target ("/a/b?q"), NULL for the
 * base URL's path.  headers: NULL or extra "Name: value\r\n" lines (not Host,
 * Content-Length, Transfer-Encoding, Connection).  content_type: NULL or the
 * body's type.  *r is overwritten (clear it first to reuse it); on success
 * it holds any status, the caller judges it.  On failure *r is empty. */
int httpc_request(struct httpc *c, const char *method, const char *path, const char *headers,
		  const char *content_type, const uint8_t *body, size_t body_len,
		  struct httpc_resp *r, struct err *e);

void httpc_resp_clear(struct httpc_resp *r);   /* frees the body, zeroes *r */
void httpc_free(struct httpc *c);              /* closes the connection; NULL-safe */

/* Connections opened so far (keep-alive shows as fewer than requests). */
unsigned httpc_connections(const struct httpc *c);

/* "network", "tls", "bad response" or "local" for a code from httpc_request(). */
const char *httpc_err_kind(int code);

#endif
