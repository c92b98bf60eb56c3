/* httpc: the client edge.  Sockets, deadlines, connection reuse and
 * redirects here; all parsing in net/http.c, all TLS in net/tls.c. */
#include "net/httpc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/tls.h"

#define CONNECT_MS_DEFAULT 10000
#define IO_MS_DEFAULT 30000
#define MAX_BODY_DEFAULT (4u << 20)
#define RBUF_SIZE 16384

struct httpc {
	struct http_url base;
	struct httpc_opts o;
	uint8_t *ca;
	char authority[HTTP_HOST_MAX + 16];
	int fd;
	struct tls *tls;
	unsigned served;             /* responses read on the current connection */
	unsigned connections;
	long long deadline;          /* of the current exchange, CLOCK_MONOTONIC ms */
	struct http_parser p;
	uint8_t rbuf[RBUF_SIZE];
};

struct body {
	char *buf;
	size_t len, cap;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline, or -ETIMEDOUT. */
static int left_ms(long long deadline)
{
	long long left = deadline - now_ms();

	if (left <= 0)
		return -ETIMEDOUT;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd pfd = { fd, events, 0 };
		int ms = left_ms(deadline), k;

		if (ms < 0)
			return ms;
		k = poll(&pfd, 1, ms);
		if (k > 0)
			return 0;
		if (k < 0 && errno != EINTR)
			return -errno;
	}
}

/* ---- connections ------------------------------------------------------- */

static void conn_close(struct httpc *c)
{
	if (c->tls) {
		tls_close(c->tls);
		tls_free(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->served = 0;
}

/* Non-blocking connect to one address within the deadline. */
static int tcp_connect(const struct addrinfo *ai, long long deadline, int *fd_out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	int rc = 0, one = 1;
	socklen_t sl = sizeof(rc);

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		rc = errno == EINPROGRESS ? wait_fd(fd, POLLOUT, deadline) : -errno;
		if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &rc, &sl) == 0)
			rc = -rc;
		else if (rc == 0)
			rc = -errno;
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*fd_out = fd;
	return 0;
}

static int tcp_open(struct httpc *c, struct err *e)
{
	const char *host = c->o.connect_host ? c->o.connect_host : c->base.host;
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	long long deadline = now_ms() + c->o.connect_timeout_ms;
	char port[8];
	int rc = -EHOSTUNREACH, g;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", (unsigned)c->base.port);
	g = getaddrinfo(host, port, &hints, &res);
	if (g != 0)
		return err_set(e, -EHOSTUNREACH, "resolve %s: %s", host,
			       g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
	for (ai = res; ai; ai = ai->ai_next) {
		rc = tcp_connect(ai, deadline, &c->fd);
		if (rc == 0 || rc == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (rc < 0)
		return err_set(e, rc, "connect to %s port %s: %s", host, port,
			       rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
	return 0;
}

static int conn_open(struct httpc *c, struct err *e)
{
	int rc = tcp_open(c, e);

	if (rc < 0)
		return rc;
	c->connections++;
	if (c->base.is_tls)
		rc = tls_open(&c->tls, c->fd, c->base.host, c->ca, c->o.ca_len,
			      c->o.io_timeout_ms, e);
	if (rc < 0)
		conn_close(c);
	return rc;
}

static int conn_write(struct httpc *c, const uint8_t *p, size_t n, struct err *e)
{
	int ms = left_ms(c->deadline);

	if (ms < 0)
		return err_set(e, ms, "send: timed out");
	if (c->tls)
		return tls_write(c->tls, p, n, ms, e);
	while (n > 0) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		int rc;

		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		rc = k < 0 && errno != EAGAIN && errno != EWOULDBLOCK ? -errno :
		     wait_fd(c->fd, POLLOUT, c->deadline);
		if (rc < 0)
			return err_set(e, rc, "send: %s", rc == -ETIMEDOUT ? "timed out" :
				       strerror(-rc));
	}
	return 0;
}

/* Bytes read (> 0), 0 at EOF, or a negative code. */
static int conn_read(struct httpc *c, uint8_t *buf, size_t cap, struct err *e)
{
	int ms = left_ms(c->deadline);

	if (ms < 0)
		return err_set(e, ms, "receive: timed out");
	if (c->tls)
		return tls_read(c->tls, buf, cap, ms, e);
	for (;;) {
		ssize_t k = recv(c->fd, buf, cap, MSG_DONTWAIT);
		int rc;

		if (k >= 0)
			return (int)k;
		if (errno == EINTR)
			continue;
		rc = errno != EAGAIN && errno != EWOULDBLOCK ? -errno :
		     wait_fd(c->fd, POLLIN, c->deadline);
		if (rc < 0)
			return err_set(e, rc, "receive: %s", rc == -ETIMEDOUT ? "timed out" :
				       strerror(-rc));
	}
}

/* ---- one exchange ------------------------------------------------------- */

static int body_put(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct body *b = ctx;

	if (n >= b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		char *nb;

		while (n >= cap - b->len)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (!nb)
			return err_set(e, -ENOMEM, "response body: out of memory");
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

/* Read one response into c->p and *b.  *answered: any byte of it came. */
static int read_response(struct httpc *c, struct body *b, bool *answered, struct err *e)
{
	size_t used;
	int k, rc;

	*answered = false;
	for (;;) {
		k = conn_read(c, c->rbuf, sizeof(c->rbuf), e);
		if (k < 0)
			return k;
		if (k == 0)
			break;
		*answered = true;
		rc = http_parser_feed(&c->p, c->rbuf, (size_t)k, &used, body_put, b, e);
		if (rc < 0)
			return rc;
		if (used < (size_t)k)
			return err_set(e, -ERR_FORMAT, "response: %zu bytes after its end",
				       (size_t)k - used);
		if (http_parser_done(&c->p))
			return 0;
	}
	if (!http_parser_started(&c->p))
		return err_set(e, -ECONNRESET, "server closed the connection without answering");
	if (c->tls && http_parser_head_done(&c->p) && c->p.body_kind == HTTP_BODY_CLOSE &&
	    !tls_closed_cleanly(c->tls))
		return err_set(e, -ERR_FORMAT, "response: TLS closed without close_notify, "
			       "the body may be truncated");
	return http_parser_finish(&c->p, e);
}

/* Send the request and read its answer, on a new connection when the kept
 * one turns out to be closed. */
static int exchange(struct httpc *c, const char *head, size_t head_len, const uint8_t *body,
		    size_t body_len, bool is_head, struct body *b, struct err *e)
{
	bool answered = false;
	int attempt, rc = -EIO;

	for (attempt = 0; attempt < 2; attempt++) {
		bool reused = c->fd >= 0;

		b->len = 0;
		if (!reused && (rc = conn_open(c, e)) < 0)
			return rc;
		c->deadline = now_ms() + c->o.io_timeout_ms;
		http_parser_init(&c->p, c->o.max_body);
		c->p.head_request = is_head;
		rc = conn_write(c, (const uint8_t *)head, head_len, e);
		if (rc == 0 && body_len)
			rc = conn_write(c, body, body_len, e);
		if (rc == 0)
			rc = read_response(c, b, &answered, e);
		if (rc == 0 || !reused || answered || rc == -ETIMEDOUT || rc == -ERR_UNSAFE)
			break;
		conn_close(c);       /* the idle connection was gone: once more */
	}
	if (rc < 0 || !c->p.keep_alive)
		conn_close(c);
	else
		c->served++;
	return rc;
}

static int head_build(const struct httpc *c, const char *method, const char *path,
		      const char *headers, const char *ctype, size_t body_len, char **head,
		      size_t *len, struct err *e)
{
	size_t cap = strlen(method) + strlen(path) + strlen(c->authority) + 128 +
		     (headers ? strlen(headers) : 0) + (ctype ? strlen(ctype) : 0);
	int rc;

	*head = malloc(cap);
	if (!*head)
		return err_set(e, -ENOMEM, "request: out of memory");
	rc = http_request_write(*head, cap, len, method, c->authority, path, headers, ctype,
				body_len, e);
	if (rc < 0) {
		free(*head);
		*head = NULL;
	}
	return rc;
}

static int request_once(struct httpc *c, const char *method, const char *path,
			const char *headers, const char *ctype, const uint8_t *body,
			size_t body_len, struct body *b, struct err *e)
{
	size_t len;
	char *head;
	int rc = head_build(c, method, path, headers, ctype, body_len, &head, &len, e);

	if (rc < 0)
		return rc;
	rc = exchange(c, head, len, body, body_len, strcmp(method, "HEAD") == 0, b, e);
	free(head);
	return rc;
}

/* ---- redirects ---------------------------------------------------------- */

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 ||
	       status == 308;
}

/* The Location of the last response as a path on our origin. */
static int redirect_path(const struct httpc *c, char *out, size_t cap, struct err *e)
{
	const char *loc = c->p.location;
	struct http_url u;
	int rc;

	if (loc[0] == '/' && loc[1] != '/') {
		if (strlen(loc) >= cap)
			return err_set(e, -ERR_LIMIT, "redirect: path too long");
		strcpy(out, loc);
		return 0;
	}
	rc = http_url_parse(loc, strlen(loc), &u, e);
	if (rc < 0)
		return err_wrap(e, -ERR_FORMAT, "redirect");
	if (c->base.is_tls && !u.is_tls)
		return err_set(e, -ERR_UNSUPPORTED, "redirect from https to http refused");
	if (!http_url_same_origin(&u, &c->base))
		return err_set(e, -ERR_UNSUPPORTED, "redirect to another origin (%s://%s:%u) "
			       "refused", u.scheme, u.host, (unsigned)u.port);
	strcpy(out, u.path);
	return 0;
}

int httpc_request(struct httpc *c, const char *method, const char *path, const char *headers,
		  const char *content_type, const uint8_t *body, size_t body_len,
		  struct httpc_resp *r, struct err *e)
{
	char target[HTTP_PATH_MAX + 1];
	struct body b = { 0 };
	int hops = 0, rc;

	memset(r, 0, sizeof(*r));
	if (!path)
		path = c->base.path;
	for (;;) {
		rc = request_once(c, method, path, headers, content_type, body, body_len, &b, e);
		if (rc < 0 || !is_redirect(c->p.status) || c->o.max_redirects <= 0)
			break;
		if (!c->p.location[0]) {
			rc = err_set(e, -ERR_FORMAT, "redirect %d without Location", c->p.status);
			break;
		}
		if (++hops > c->o.max_redirects) {
			rc = err_set(e, -ERR_LIMIT, "more than %d redirects", c->o.max_redirects);
			break;
		}
		rc = redirect_path(c, target, sizeof(target), e);
		if (rc < 0)
			break;
		path = target;
		if (c->p.status == 303 || ((c->p.status == 301 || c->p.status == 302) &&
					   strcmp(method, "POST") == 0)) {
			method = strcmp(method, "HEAD") == 0 ? "HEAD" : "GET";
			content_type = NULL;
			body = NULL;
			body_len = 0;
		}
	}
	if (rc == 0 && !b.buf)
		rc = body_put(&b, (const uint8_t *)"", 0, e);
	if (rc < 0) {
		free(b.buf);
		return rc;
	}
	r->status = c->p.status;
	r->body = b.buf;
	r->body_len = b.len;
	if (c->p.ncookies)
		strcpy(r->cookie, c->p.cookies[0]);
	strcpy(r->content_type, c->p.content_type);
	return 0;
}

/* ---- lifetime ----------------------------------------------------------- */

int httpc_new(struct httpc **out, const struct http_url *base, const struct httpc_opts *o,
	      struct err *e)
{
	struct httpc *c;

	*out = NULL;
	if (base->is_tls && (!o->ca_pem || o->ca_len == 0))
		return err_set(e, -EINVAL, "https://%s: no certificate to trust", base->host);
	c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(e, -ENOMEM, "http client: out of memory");
	c->fd = -1;
	c->base = *base;
	c->o = *o;
	c->o.connect_host = NULL;
	if (o->connect_timeout_ms <= 0)
		c->o.connect_timeout_ms = CONNECT_MS_DEFAULT;
	if (o->io_timeout_ms <= 0)
		c->o.io_timeout_ms = IO_MS_DEFAULT;
	if (o->max_body == 0)
		c->o.max_body = MAX_BODY_DEFAULT;
	if (o->max_redirects > HTTPC_REDIRECTS_MAX)
		c->o.max_redirects = HTTPC_REDIRECTS_MAX;
	if (o->connect_host)
		c->o.connect_host = strdup(o->connect_host);
	if (o->ca_pem && o->ca_len) {
		c->ca = malloc(o->ca_len);
		if (c->ca)
			memcpy(c->ca, o->ca_pem, o->ca_len);
	}
	if ((o->connect_host && !c->o.connect_host) || (o->ca_pem && o->ca_len && !c->ca) ||
	    http_url_authority(&c->base, c->authority, sizeof(c->authority)) < 0) {
		httpc_free(c);
		return err_set(e, -ENOMEM, "http client: out of memory");
	}
	*out = c;
	return 0;
}

void httpc_resp_clear(struct httpc_resp *r)
{
	if (!r)
		return;
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void httpc_free(struct httpc *c)
{
	if (!c)
		return;
	conn_close(c);
	free(c->ca);
	free((char *)c->o.connect_host);
	free(c);
}

unsigned httpc_connections(const struct httpc *c)
{
	return c->connections;
}

const char *httpc_err_kind(int code)
{
	switch (code) {
	case -ERR_UNSAFE:
		return "tls";
	case -ERR_FORMAT: case -ERR_LIMIT: case -ERR_UNSUPPORTED: case -ERR_DIGEST:
	case -ERR_NOTFOUND:
		return "bad response";
	case -EINVAL: case -ENOMEM:
		return "local";
	default:
		return "network";
	}
}
