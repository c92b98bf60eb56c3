/* sha256_bench: SHA-256 throughput, the way the image code hashes layers.
 *
 * Hashes a buffer (default 64 MiB) in 16 KiB updates, several rounds (default
 * 5), and prints the best rate:  sha256_gbps <GB/s> impl <name>
 * (GB = 1e9 bytes).  Time is this process's CPU time, as `openssl speed`
 * measures by default, so other load on the machine does not skew the
 * comparison.  Usage: sha256_bench [--portable] [MiB] [rounds]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/sha256.h"

#define CHUNK 16384

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(const uint8_t *buf, size_t len, uint8_t out[32])
{
	struct sha256 c;
	double t0 = now();
	size_t off;

	sha256_init(&c);
	for (off = 0; off < len; off += CHUNK)
		sha256_update(&c, buf + off, len - off < CHUNK ? len - off : CHUNK);
	sha256_final(&c, out);
	return now() - t0;
}

int main(int argc, char **argv)
{
	long mib = 64, rounds = 5;
	double best = 1e30;
	uint8_t out[32];
	uint8_t *buf;
	size_t len, i;
	int a = 1;

	if (a < argc && strcmp(argv[a], "--portable") == 0) {
		sha256_force_portable(1);
		a++;
	}
	if (a < argc)
		mib = strtol(argv[a++], NULL, 10);
	if (a < argc)
		rounds = strtol(argv[a++], NULL, 10);
	if (mib <= 0 || mib > 4096 || rounds <= 0 || rounds > 1000) {
		fprintf(stderr, "usage: sha256_bench [--portable] [MiB 1..4096] [rounds 1..1000]\n");
		return 2;
	}
	len = (size_t)mib << 20;
	buf = malloc(len);
	if (!buf) {
		perror("malloc");
		return 1;
	}
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 12));
	for (long r = 0; r < rounds; r++) {
		double t = run(buf, len, out);

		if (t < best)
			best = t;
	}
	printf("sha256_gbps %.3f impl %s\n", (double)len / best / 1e9, sha256_impl());
	free(buf);
	return 0;
}
