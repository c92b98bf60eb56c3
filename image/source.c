/* image_source: an OCI image layout stored as a tar archive on a block
 * device.  The archive is indexed once, header by header (blob data is
 * skipped, not read); blobs are then read in place with pread().  The host
 * wrote this archive, so every name and size in it is untrusted: only blobs
 * whose content matches a pinned digest are ever used, and a blob listed
 * twice is refused so that no name has two meanings. */
#include "image/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/tar.h"

#define SRC_MAX_BLOBS 4096
#define SRC_HDR_CHUNK 512

struct src_blob {
	struct digest digest;
	uint64_t off;
	uint64_t size;
};

struct image_source {
	int fd;
	uint64_t dev_size;
	struct src_blob *blobs;
	size_t n;
	/* indexing state */
	struct tar tar;
	uint64_t pos;
	int entry_seen;
	struct tar_entry_info last;
};

static int src_add(struct image_source *s, const char *path, uint64_t off, uint64_t size,
		   struct err *e)
{
	static const char prefix[] = "blobs/sha256/";
	char ds[DIGEST_STR_MAX];
	struct digest d;
	size_t i;

	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return 0; /* index.json, oci-layout, other algorithms: not used */
	if (snprintf(ds, sizeof(ds), "sha256:%s", path + sizeof(prefix) - 1) >= (int)sizeof(ds))
		return 0;
	if (digest_parse(ds, strlen(ds), &d, NULL) < 0)
		return 0;
	for (i = 0; i < s->n; i++)
		if (digest_equal(&s->blobs[i].digest, &d))
			return err_set(e, -ERR_FORMAT, "layout: blob %s listed twice", ds);
	if (s->n == SRC_MAX_BLOBS)
		return err_set(e, -ERR_LIMIT, "layout: more than %d blobs", SRC_MAX_BLOBS);
	s->blobs[s->n].digest = d;
	s->blobs[s->n].off = off;
	s->blobs[s->n].size = size;
	s->n++;
	return 0;
}

static int on_entry(void *ctx, const struct tar_entry *te, struct err *e)
{
	struct image_source *s = ctx;

	s->entry_seen = 1;
	s->last.is_reg = te->type == TAR_REG;
	s->last.size = te->size;
	if (snprintf(s->last.path, sizeof(s->last.path), "%s", te->path) >=
	    (int)sizeof(s->last.path))
		s->last.path[0] = '\0';
	(void)e;
	return 0;
}

static int on_data(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	(void)ctx; (void)p; (void)n; (void)e;
	return 0;
}

static int on_end(void *ctx, struct err *e)
{
	(void)ctx; (void)e;
	return 0;
}

static const struct tar_ops src_ops = { on_entry, on_data, on_end };

static int src_read_hdr(struct image_source *s, uint8_t *buf, struct err *e)
{
	ssize_t got;

	do
		got = pread(s->fd, buf, SRC_HDR_CHUNK, (off_t)s->pos);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return err_set(e, -errno, "layout: read at offset %llu", (unsigned long long)s->pos);
	return (int)got;
}

/* Feed header blocks until the parser reports an entry or the end. */
static int src_index(struct image_source *s, struct err *e)
{
	uint8_t buf[SRC_HDR_CHUNK];
	int rc;

	tar_init(&s->tar, &src_ops, s);
	for (;;) {
		int got = src_read_hdr(s, buf, e);

		if (got < 0)
			return got;
		if (got == 0)
			return tar_finish(&s->tar, e);
		s->pos += (uint64_t)got;
		s->entry_seen = 0;
		rc = tar_feed(&s->tar, buf, (size_t)got, e);
		if (rc < 0)
			return rc;
		if (tar_at_end(&s->tar))
			return 0;
		if (!s->entry_seen)
			continue;
		if (s->last.is_reg) {
			rc = src_add(s, s->last.path, s->pos, s->last.size, e);
			if (rc < 0)
				return rc;
		}
		s->pos += tar_skip_data(&s->tar);
		if (s->pos > s->dev_size)
			return err_set(e, -ERR_FORMAT, "layout: entry %s runs past the end of the disk",
				       s->last.path);
	}
}

int image_source_open_tar(const char *path, struct image_source **out, struct err *e)
{
	struct image_source *s = calloc(1, sizeof(*s));
	struct stat sb;
	off_t end;
	int rc;

	if (!s)
		return err_set(e, -ENOMEM, "layout: out of memory");
	s->blobs = calloc(SRC_MAX_BLOBS, sizeof(*s->blobs));
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!s->blobs || s->fd < 0) {
		rc = err_set(e, s->blobs ? -errno : -ENOMEM, "open %s", path);
		goto fail;
	}
	if (fstat(s->fd, &sb) < 0 || (end = lseek(s->fd, 0, SEEK_END)) < 0) {
		rc = err_set(e, -errno, "size of %s", path);
		goto fail;
	}
	s->dev_size = (uint64_t)end;
	rc = src_index(s, e);
	if (rc < 0) {
		err_wrap(e, rc, "%s", path);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	image_source_free(s);
	return rc;
}

int image_source_find(const struct image_source *s, const struct digest *d,
		      int *fd, uint64_t *off, uint64_t *size)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (digest_equal(&s->blobs[i].digest, d)) {
			*fd = s->fd;
			*off = s->blobs[i].off;
			*size = s->blobs[i].size;
			return 0;
		}
	}
	return -ERR_NOTFOUND;
}

void image_source_free(struct image_source *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->blobs);
	free(s);
}
