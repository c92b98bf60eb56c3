/* httpc_probe: fetch a URL with net/httpc and print what came back, for
 * tests/net/test_httpc.py.
 *
 *   httpc_probe URL [--ca FILE] [--connect-host H] [--count N] [--method M]
 *               [--data TEXT] [--header "K: v"] [--max-redirects N]
 *               [--timeout MS] [--connect-timeout MS] [--max-body N]
 *
 * One line per request, "status=200 len=5 sha256=<hex> cookie=<c> ctype=<t>",
 * then "connections=N".  On failure "error kind=<network|tls|bad response|
 * local> code=<name>: <message>" and exit status 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "crypto/hex.h"
#include "crypto/sha256.h"
#include "net/httpc.h"

struct args {
	const char *url, *ca, *connect_host, *method, *data, *header;
	int count, redirects, timeout, ctimeout;
	size_t max_body;
};

static int usage(void)
{
	fprintf(stderr, "usage: httpc_probe URL [--ca FILE] [--connect-host H] [--count N] "
		"[--method M] [--data TEXT] [--header 'K: v'] [--max-redirects N] "
		"[--timeout MS] [--connect-timeout MS] [--max-body N]\n");
	return 64;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->count = 1;
	a->method = "GET";
	for (i = 1; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (k[0] != '-') {
			a->url = k;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(k, "--ca")) a->ca = v;
		else if (!strcmp(k, "--connect-host")) a->connect_host = v;
		else if (!strcmp(k, "--method")) a->method = v;
		else if (!strcmp(k, "--data")) a->data = v;
		else if (!strcmp(k, "--header")) a->header = v;
		else if (!strcmp(k, "--count")) a->count = atoi(v);
		else if (!strcmp(k, "--max-redirects")) a->redirects = atoi(v);
		else if (!strcmp(k, "--timeout")) a->timeout = atoi(v);
		else if (!strcmp(k, "--connect-timeout")) a->ctimeout = atoi(v);
		else if (!strcmp(k, "--max-body")) a->max_body = strtoul(v, NULL, 10);
		else return -1;
	}
	return a->url ? 0 : -1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int fail(int rc, const struct err *e)
{
	printf("error kind=%s code=%s: %s\n", httpc_err_kind(rc), err_str(rc), e->msg);
	return 2;
}

int main(int argc, char **argv)
{
	struct args a;
	struct err e = { 0 };
	struct http_url u;
	struct httpc_opts o = { 0 };
	struct httpc *c = NULL;
	char hdr[512] = "";
	uint8_t *ca = NULL;
	int i, rc, status = 0;

	if (parse_args(argc, argv, &a) < 0)
		return usage();
	rc = http_url_parse(a.url, strlen(a.url), &u, &e);
	if (rc < 0)
		return fail(rc, &e);
	if (a.ca && !(ca = slurp(a.ca, &o.ca_len))) {
		fprintf(stderr, "httpc_probe: cannot read %s\n", a.ca);
		return 1;
	}
	if (a.header)
		snprintf(hdr, sizeof(hdr), "%s\r\n", a.header);
	o.ca_pem = ca;
	o.connect_host = a.connect_host;
	o.io_timeout_ms = a.timeout;
	o.connect_timeout_ms = a.ctimeout;
	o.max_body = a.max_body;
	o.max_redirects = a.redirects;
	rc = httpc_new(&c, &u, &o, &e);
	for (i = 0; rc == 0 && i < a.count; i++) {
		struct httpc_resp r = { 0 };
		uint8_t d[32];
		char hex[65];

		rc = httpc_request(c, a.method, NULL, hdr[0] ? hdr : NULL,
				   a.data ? "text/plain" : NULL, (const uint8_t *)a.data,
				   a.data ? strlen(a.data) : 0, &r, &e);
		if (rc < 0)
			break;
		sha256(r.body, r.body_len, d);
		hex_encode(d, sizeof(d), hex);
		printf("status=%d len=%zu sha256=%s cookie=%s ctype=%s\n", r.status, r.body_len,
		       hex, r.cookie, r.content_type);
		fflush(stdout);
		httpc_resp_clear(&r);
	}
	if (c)
		printf("connections=%u\n", httpc_connections(c));
	if (rc < 0)
		status = fail(rc, &e);
	httpc_free(c);
	free(ca);
	return status;
}
