/* Fuzz target: image/ocicrypt_packet.c (the CoCo annotation packet) and
 * host/keyprovider_msg.c (the ocicrypt keyprovider request parser).
 *
 * The first input byte picks the parser: even -> ocipkt_parse() over the
 * rest, odd -> kpmsg_parse_req() (a keyunwrap request's packet then goes
 * through ocipkt_parse() too).  Checks the contracts: only documented codes;
 * on failure the output is zeroed; a parsed packet has a normalised kid
 * (kbs://host/r/t/g with three checked components) and a consistent iv;
 * opening it with the sample KEK either fails authentication or yields the
 * seed vector's plaintext (GCM) - no other input can authenticate - and a
 * failed open leaves no plaintext; the parsed kid re-wraps and re-parses to
 * itself.  Seeds: tests/fuzz/corpus/ocipkt (the guest-components sample
 * packet, see tests/unit/test_ocipkt.c, and keyprovider requests). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/keyprovider_msg.h"
#include "image/ocicrypt_packet.h"

/* guest-components' sample KBC HARDCODED_KEY (test data). */
static const uint8_t kek[32] = {
	217, 155, 119, 5,   176, 186, 122, 22,  130, 149, 179, 163, 54,  114, 112, 176,
	221, 155, 55,  27,  245, 20,  202, 139, 155, 167, 240, 163, 55,  17,  218, 234,
};
static const char plain[] =
	"{\"symkey\":\"1jL2jJV0Oyz2nmPkLtqulW6cKcpIUN5FpILcVnP5Uqs=\",\"digest\":\"sha256:"
	"18be1897f9402f27c8c0eba7c86e0c00f5656db62961b5949d55f9565c42c6e7\",\"cipheroptions\":"
	"{\"nonce\":\"r10F9oaCu+nWFXfod3l83g==\"}}";

static struct ocipkt pkt, pkt2;
static uint8_t out[OCIPKT_WRAPPED_MAX];
static uint8_t data[KPMSG_DATA_MAX];

static void check_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			abort();
}

static void check_kid(const char *kid, const char *path)
{
	size_t slashes = 0;

	if (strncmp(kid, "kbs://", 6) != 0 || strlen(kid) >= OCIPKT_KID_MAX)
		abort();
	for (const char *p = path; *p; p++)
		slashes += *p == '/';
	if (slashes != 2 || path[0] == '.' || strstr(path, "/.") || strstr(path, "//"))
		abort();
	if (strlen(kid) < strlen(path) ||
	    strcmp(kid + strlen(kid) - strlen(path), path) != 0)
		abort();
}

static void fuzz_packet(const uint8_t *p, size_t n)
{
	size_t wl = ocipkt_work_size(n), len = 1, jl = 0;
	void *work = malloc(wl);
	char *js = NULL;
	int rc;

	if (!work)
		return;
	rc = ocipkt_parse(p, n, &pkt, work, wl, NULL);
	free(work);
	if (rc != 0) {
		if (rc != -ERR_FORMAT && rc != -ERR_UNSUPPORTED && rc != -ERR_LIMIT)
			abort();
		check_zero(&pkt, sizeof(pkt));
		return;
	}
	check_kid(pkt.kid, pkt.path);
	if (pkt.wrapped_len > OCIPKT_WRAPPED_MAX ||
	    !((pkt.wrap_type == OCIPKT_A256GCM && pkt.iv_len == 12 && pkt.wrapped_len >= 16) ||
	      (pkt.wrap_type == OCIPKT_A256CTR && pkt.iv_len == 16)))
		abort();
	rc = ocipkt_unwrap(&pkt, kek, out, sizeof(out), &len, NULL);
	if (rc == 0 && pkt.wrap_type == OCIPKT_A256GCM &&
	    (len != strlen(plain) || memcmp(out, plain, len) != 0))
		abort();
	if (rc == 0 && pkt.wrap_type == OCIPKT_A256CTR && len != pkt.wrapped_len)
		abort();
	if (rc != 0) {
		if (rc != -ERR_DIGEST || len != 0)
			abort();
		check_zero(out, pkt.wrapped_len - 16);
	}
	memset(out, 0, sizeof(out));
	/* the kid round-trips through wrap */
	if (ocipkt_wrap(pkt.kid, kek, (const uint8_t *)"{}", 2, &js, &jl, NULL) != 0)
		abort();
	work = malloc(ocipkt_work_size(jl));
	if (work && ocipkt_parse((const uint8_t *)js, jl, &pkt2, work, ocipkt_work_size(jl),
				 NULL) != 0)
		abort();
	if (work && strcmp(pkt2.kid, pkt.kid) != 0)
		abort();
	free(work);
	free(js);
}

static void fuzz_request(const uint8_t *p, size_t n)
{
	struct kpmsg_req r;
	size_t wl = kpmsg_work_size(n);
	void *work = malloc(wl);
	char kid[OCIPKT_KID_MAX];
	int rc;

	if (!work)
		return;
	rc = kpmsg_parse_req(p, n, "attestation-agent", &r, data, sizeof(data), work, wl, NULL);
	free(work);
	if (rc != 0) {
		if (rc != -ERR_FORMAT && rc != -ERR_UNSUPPORTED && rc != -ERR_LIMIT)
			abort();
		if (r.op || r.data || r.data_len || r.kid[0])
			abort();
		return;
	}
	if (r.data != data || r.data_len == 0)
		abort();
	if (r.op == KPMSG_KEYWRAP) {
		if (r.data_len > KPMSG_OPTS_MAX)
			abort();
		if (r.kid[0]) {
			if (ocipkt_kid(r.kid, strlen(r.kid), kid, NULL, NULL) != 0 ||
			    strcmp(kid, r.kid) != 0)
				abort();
		}
	} else if (r.op == KPMSG_KEYUNWRAP) {
		if (r.kid[0] || r.data_len > KPMSG_DATA_MAX)
			abort();
		fuzz_packet(r.data, r.data_len);
	} else {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	if (p[0] & 1)
		fuzz_request(p + 1, n - 1);
	else
		fuzz_packet(p + 1, n - 1);
	return 0;
}
