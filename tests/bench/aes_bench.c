/* aes_bench: AES-256-CTR and AES-256-GCM throughput on one core.
 *
 * Like `openssl speed -evp aes-256-ctr -bytes 16384`: the same 16 KiB buffer
 * encrypted over and over for about a second (CTR streaming through one
 * context; GCM one-shot per 16 KiB message with a 12-byte IV), CPU time of
 * this process.  Prints
 *   aes256ctr_gbps <GB/s> impl <name>
 *   aes256gcm_gbps <GB/s> impl <name>
 * (GB = 1e9 bytes).  Usage: aes_bench [--portable] [seconds]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/aes.h"
#include "crypto/gcm.h"

#define CHUNK 16384

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t buf[CHUNK], out[CHUNK];
	uint8_t key[32], iv[16], tag[16];
	struct aes256_ctr c;
	double secs = 1.0, t0, t;
	unsigned long long bytes;
	int a = 1, i;

	if (a < argc && strcmp(argv[a], "--portable") == 0) {
		aes_force_portable(1);
		a++;
	}
	if (a < argc)
		secs = strtod(argv[a++], NULL);
	if (!(secs > 0 && secs <= 100)) {
		fprintf(stderr, "usage: aes_bench [--portable] [seconds 0..100]\n");
		return 2;
	}
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < 16; i++)
		iv[i] = (uint8_t)(0xf0 + i);
	for (i = 0; i < CHUNK; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 8));

	aes256_ctr_init(&c, key, iv);
	bytes = 0;
	t0 = now();
	do {
		for (i = 0; i < 16; i++)
			aes256_ctr_xor(&c, buf, out, CHUNK);
		bytes += 16ull * CHUNK;
		t = now() - t0;
	} while (t < secs);
	aes256_ctr_wipe(&c);
	printf("aes256ctr_gbps %.3f impl %s\n", (double)bytes / t / 1e9, aes_impl());

	bytes = 0;
	t0 = now();
	do {
		for (i = 0; i < 16; i++) {
			iv[11]++;
			if (gcm_aes256_encrypt(key, iv, 12, NULL, 0, buf, CHUNK, out, tag) != 0)
				return 1;
		}
		bytes += 16ull * CHUNK;
		t = now() - t0;
	} while (t < secs);
	printf("aes256gcm_gbps %.3f impl %s\n", (double)bytes / t / 1e9, aes_impl());
	return out[0] == 0x42 && tag[0] == 0x42; /* keep the results alive */
}
