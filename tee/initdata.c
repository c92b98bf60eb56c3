/* initdata: see initdata.h. */
#include "tee/initdata.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isa-l/igzip_lib.h>

#include "base/cur.h"
#include "base/toml.h"
#include "crypto/ct.h"

static const uint8_t magic[8] = { 'i', 'n', 'i', 't', 'd', 'a', 't', 'a' };
#define HDR_LEN 16

const char *initdata_alg_name(enum initdata_alg alg)
{
	switch (alg) {
	case INITDATA_SHA256: return "sha256";
	case INITDATA_SHA384: return "sha384";
	case INITDATA_SHA512: return "sha512";
	default: return "?";
	}
}

/* ---- the disk ---------------------------------------------------------------- */

/* Inflate exactly one gzip member spanning in[0, n) into out. */
static int gunzip(struct inflate_state *s, const uint8_t *in, size_t n, uint8_t *out,
		  size_t cap, size_t *out_len, struct err *e)
{
	isal_inflate_init(s);
	s->crc_flag = ISAL_GZIP;
	s->next_in = (uint8_t *)in;
	s->avail_in = (uint32_t)n;
	s->next_out = out;
	s->avail_out = (uint32_t)(cap > INITDATA_TOML_MAX ? INITDATA_TOML_MAX : cap);
	for (;;) {
		uint32_t in0 = s->avail_in, out0 = s->avail_out;
		int ret = isal_inflate(s);

		if (ret != ISAL_DECOMP_OK)
			return err_set(e, -ERR_FORMAT, "initdata: corrupt gzip stream (igzip error %d)",
				       ret);
		if (s->block_state == ISAL_BLOCK_FINISH)
			break;
		if (s->avail_in == in0 && s->avail_out == out0) {
			if (s->avail_out == 0)
				return err_set(e, -ERR_LIMIT, "initdata: document larger than %zu bytes",
					       cap > INITDATA_TOML_MAX ? (size_t)INITDATA_TOML_MAX : cap);
			return err_set(e, -ERR_FORMAT, "initdata: truncated gzip stream");
		}
	}
	if (s->avail_in != 0)
		return err_set(e, -ERR_FORMAT, "initdata: %u bytes after the gzip stream",
			       s->avail_in);
	*out_len = (size_t)(s->next_out - out);
	return 0;
}

int initdata_unpack(const uint8_t *disk, size_t n, uint8_t *toml_out, size_t cap,
		    size_t *toml_len, struct err *e)
{
	struct cur c = cur_make(disk, n);
	const uint8_t *m = cur_take(&c, sizeof(magic)), *l = cur_take(&c, 8), *gz;
	struct inflate_state *s;
	uint64_t len = 0;
	int i, rc;

	if (!m || memcmp(m, magic, sizeof(magic)) != 0)
		return err_set(e, -ERR_FORMAT, "initdata: no \"initdata\" magic on the disk");
	if (!l)
		return err_set(e, -ERR_FORMAT, "initdata: truncated header");
	for (i = 7; i >= 0; i--)
		len = len << 8 | l[i];
	if (len == 0 || len > INITDATA_DISK_MAX)
		return err_set(e, len ? -ERR_LIMIT : -ERR_FORMAT,
			       "initdata: gzip length %llu out of range", (unsigned long long)len);
	gz = cur_take(&c, (size_t)len);
	if (!gz)
		return err_set(e, -ERR_FORMAT, "initdata: gzip stream of %llu bytes, %zu on the disk",
			       (unsigned long long)len, n - HDR_LEN);
	if (!ct_is_zero(c.p, cur_left(&c)))
		return err_set(e, -ERR_FORMAT, "initdata: non-zero bytes after the gzip stream");
	s = malloc(sizeof(*s));
	if (!s)
		return err_set(e, -ENOMEM, "initdata: out of memory");
	rc = gunzip(s, gz, (size_t)len, toml_out, cap, toml_len, e);
	free(s);
	return rc;
}

/* Deflate with a plain gzip header (ISA-L's: mtime 0, no name, OS 255). */
static int gzip(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
		struct err *e)
{
	struct isal_zstream *z = malloc(sizeof(*z));
	int ret;

	if (!z)
		return err_set(e, -ENOMEM, "initdata: out of memory");
	isal_deflate_stateless_init(z);
	z->level = 0;
	z->gzip_flag = IGZIP_GZIP;
	z->end_of_stream = 1;
	z->flush = NO_FLUSH;
	z->next_in = (uint8_t *)in;
	z->avail_in = (uint32_t)n;
	z->next_out = out;
	z->avail_out = (uint32_t)cap;
	ret = isal_deflate_stateless(z);
	*out_len = z->total_out;
	free(z);
	if (ret != COMP_OK)
		return err_set(e, -ERR_LIMIT, "initdata: gzip failed (igzip error %d)", ret);
	return 0;
}

int initdata_disk_image(const uint8_t *toml, size_t n, uint8_t **img, size_t *img_len,
			struct err *e)
{
	size_t cap, gz_len = 0, i;
	uint8_t *buf;
	int rc;

	if (n == 0 || n > INITDATA_TOML_MAX)
		return err_set(e, -ERR_LIMIT, "initdata: document of %zu bytes (1 to %u)", n,
			       INITDATA_TOML_MAX);
	cap = (HDR_LEN + n + n / 8 + 1024 + 511) / 512 * 512;
	buf = calloc(1, cap);
	if (!buf)
		return err_set(e, -ENOMEM, "initdata: out of memory");
	rc = gzip(toml, n, buf + HDR_LEN, cap - HDR_LEN, &gz_len, e);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	memcpy(buf, magic, sizeof(magic));
	for (i = 0; i < 8; i++)
		buf[8 + i] = (uint8_t)((uint64_t)gz_len >> (8 * i));
	*img = buf;
	*img_len = (HDR_LEN + gz_len + 511) / 512 * 512;
	return 0;
}

int initdata_read_disk(const char *dev, uint8_t *buf, size_t cap, size_t *len,
		       struct err *e)
{
	struct stat st;
	size_t got = 0;
	int fd, rc = 0;

	fd = open(dev, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(e, -errno, "initdata: open %s: %s", dev, err_str(-errno));
	if (fstat(fd, &st) < 0) {
		rc = err_set(e, -errno, "initdata: stat %s: %s", dev, err_str(-errno));
		goto close_fd;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		rc = err_set(e, -ERR_UNSAFE, "initdata: %s is no block device", dev);
		goto close_fd;
	}
	while (got < cap) {
		ssize_t k = read(fd, buf + got, cap - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = err_set(e, -errno, "initdata: read %s: %s", dev, err_str(-errno));
			goto close_fd;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	*len = got;
close_fd:
	close(fd);
	return rc;
}
