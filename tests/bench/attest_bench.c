/* attest_bench: the host build of ccinit's KBS client against a KBS.
 *
 *   attest_bench URL CA.pem kbs:///repo/type/tag N
 *
 * N times: auth + attest (sample evidence) + one resource, over one TLS
 * connection; prints "attest_ms <median> min <min> max <max>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tee/kbs.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The whole file, NUL-terminated (PEM). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(1 << 20) : NULL;

	*len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	if (f)
		fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct err e = { 0 };
	char *ca = NULL;
	size_t ca_len = 0;
	double *ms;
	int n;

	if (argc != 5 || (n = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: %s URL CA.pem URI N\n", argv[0]);
		return 2;
	}
	ca = slurp(argv[2], &ca_len);
	if (!ca || ca_len == 0) {
		fprintf(stderr, "attest_bench: %s: cannot read\n", argv[2]);
		return 2;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	for (int i = 0; ms && i < n; i++) {
		struct kbs_cfg c = { .url = argv[1], .cert = (const uint8_t *)ca, .cert_len = ca_len,
				     .tee = TEE_SAMPLE, .key_alg = TEEKEY_EC_P256, .tries = 1 };
		struct kbs *k = NULL;
		uint8_t *data = NULL;
		size_t len = 0;
		double t0 = now_ms();
		int rc = kbs_attest(&k, &c, &e);

		if (rc == 0)
			rc = kbs_resource(k, argv[3], &data, &len, &e);
		ms[i] = now_ms() - t0;
		kbs_secret_free(data, len);
		kbs_free(k);
		if (rc < 0) {
			fprintf(stderr, "attest_bench: %s\n", e.msg);
			return 1;
		}
	}
	if (!ms)
		return 1;
	qsort(ms, (size_t)n, sizeof(*ms), cmp);
	printf("attest_ms %.1f min %.1f max %.1f\n", ms[n / 2], ms[0], ms[n - 1]);
	free(ms);
	free(ca);
	return 0;
}
