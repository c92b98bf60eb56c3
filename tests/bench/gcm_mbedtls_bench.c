/* mbedtls_gcm_crypt_and_tag throughput (what TLS records and JWE go
 * through): AES-128 and AES-256, 16 KiB (a full TLS record) and 1 KiB
 * messages, 13 bytes of AAD, one core, CPU time.
 *
 *   $(BUILD)/bench/gcm_mbedtls_bench [seconds per case]
 *
 * Built by the generic bench rule (host build of the core, so Mbed TLS's GCM
 * is crypto/mbedtls_gcm_alt.c); compiled against a library without
 * MBEDTLS_GCM_ALT it measures Mbed TLS's own GCM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/gcm.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	static const unsigned kbits[] = { 128, 256 };
	static const size_t sizes[] = { 16384, 1024 };
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	unsigned char key[32], iv[12], aad[13], tag[16];
	unsigned char *buf = malloc(16384);
	mbedtls_gcm_context g;
	size_t i, j;

	if (!buf)
		return 1;
	memset(key, 0x42, sizeof(key));
	memset(iv, 0x24, sizeof(iv));
	memset(aad, 0x17, sizeof(aad));
	memset(buf, 0x5a, 16384);
	for (i = 0; i < sizeof(kbits) / sizeof(kbits[0]); i++) {
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			double t0, t;
			unsigned long long bytes = 0;

			mbedtls_gcm_init(&g);
			if (mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, kbits[i]) != 0)
				return 1;
			t0 = cpu_now();
			do {
				int k;

				for (k = 0; k < 64; k++) {
					if (mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, sizes[j],
								      iv, sizeof(iv), aad, sizeof(aad),
								      buf, buf, 16, tag) != 0)
						return 1;
					iv[0]++;
				}
				bytes += 64ull * sizes[j];
				t = cpu_now() - t0;
			} while (t < secs);
			mbedtls_gcm_free(&g);
			printf("mbedtls_gcm_crypt_and_tag AES-%u %6zu B: %.2f GB/s\n", kbits[i],
			       sizes[j], (double)bytes / t / 1e9);
		}
	}
	free(buf);
	return 0;
}
