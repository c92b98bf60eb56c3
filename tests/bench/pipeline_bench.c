/* pipeline_bench: the host build of ccinit's layer pipeline on one blob.
 *
 *   pipeline_bench BLOB gzip|zstd|none sha256:<blob> sha256:<diff_id> DIR
 *                  [KEY NONCE HMAC]
 *
 * With the last three (hex: 32, 16 and 32 bytes) the blob is an ocicrypt
 * AES_256_CTR_HMAC_SHA256 layer and is decrypted in the same pass.
 * Verifies and unpacks BLOB into DIR/rootfs (staging DIR/.stage), then prints
 * one line: "seconds <s> peak_rss_mb <m> blob_bytes <n> tar_bytes <n>". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/hex.h"
#include "image/layer.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_dir(int at, const char *name)
{
	if (mkdirat(at, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int main(int argc, char **argv)
{
	struct digest blob, diff;
	struct layer_stats st;
	struct layer_in in = { .blob = &blob, .diff_id = &diff };
	struct rusage ru;
	struct stat sb;
	struct err e = { 0 };
	int dir, root, stage, rc;
	double t0;

	struct layer_crypt crypt;

	if (argc != 6 && argc != 9) {
		fprintf(stderr, "usage: %s BLOB gzip|zstd|none BLOBDIGEST DIFFID DIR "
			"[KEY NONCE HMAC]\n", argv[0]);
		return 2;
	}
	if (argc == 9) {
		if (hex_decode(argv[6], strlen(argv[6]), crypt.key, sizeof(crypt.key)) < 0 ||
		    hex_decode(argv[7], strlen(argv[7]), crypt.nonce, sizeof(crypt.nonce)) < 0 ||
		    hex_decode(argv[8], strlen(argv[8]), crypt.hmac, sizeof(crypt.hmac)) < 0) {
			fprintf(stderr, "pipeline_bench: bad KEY/NONCE/HMAC hex\n");
			return 2;
		}
		in.crypt = &crypt;
	}
	in.comp = !strcmp(argv[2], "gzip") ? DECOMP_GZIP :
		  !strcmp(argv[2], "zstd") ? DECOMP_ZSTD : DECOMP_NONE;
	if (digest_parse(argv[3], strlen(argv[3]), &blob, &e) < 0 ||
	    digest_parse(argv[4], strlen(argv[4]), &diff, &e) < 0) {
		fprintf(stderr, "pipeline_bench: %s\n", e.msg);
		return 2;
	}
	in.fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	dir = open(argv[5], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in.fd < 0 || dir < 0 || fstat(in.fd, &sb) < 0) {
		perror("pipeline_bench: open");
		return 2;
	}
	in.size = (uint64_t)sb.st_size;
	root = open_dir(dir, "rootfs");
	stage = open_dir(dir, ".stage");
	if (root < 0 || stage < 0) {
		perror("pipeline_bench: mkdir");
		return 2;
	}
	t0 = now_s();
	rc = layer_apply(&in, root, stage, &st, &e);
	if (rc < 0) {
		fprintf(stderr, "pipeline_bench: error: %s\n", e.msg);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("seconds %.3f peak_rss_mb %.1f blob_bytes %llu tar_bytes %llu entries %llu\n",
	       now_s() - t0, (double)ru.ru_maxrss / 1024.0,
	       (unsigned long long)st.blob_bytes, (unsigned long long)st.tar_bytes,
	       (unsigned long long)st.entries);
	return 0;
}
