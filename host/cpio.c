/* cpio: deterministic newc writer (see cpio.h).  Format facts: the header is
 * the ASCII magic "070701" and 13 fields of 8 hex digits (we write
 * uppercase) (ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
 * rdevmajor, rdevminor, namesize including the NUL, check); the name
 * follows, padded so header+name is a multiple of 4; then the data, padded to
 * 4.  The kernel's initramfs unpacker accepts exactly this. */
#include "host/cpio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cpio_list_init(struct cpio_list *l, struct cpio_ent *ents, size_t cap,
		    char *names, size_t names_cap)
{
	memset(l, 0, sizeof(*l));
	l->ents = ents;
	l->cap = cap;
	l->names = names;
	l->names_cap = names_cap;
}

/* Relative, '/'-separated, no empty/"."/".." component, bounded. */
static bool cpio_path_ok(const char *path, size_t len)
{
	size_t i = 0;

	if (len == 0 || len > CPIO_NAME_MAX)
		return false;
	while (i < len) {
		size_t j = i;

		while (j < len && path[j] != '/')
			j++;
		if (j == i)
			return false;
		if (j - i == 1 && path[i] == '.')
			return false;
		if (j - i == 2 && path[i] == '.' && path[i + 1] == '.')
			return false;
		i = j + 1;
		if (j + 1 == len)	/* trailing slash */
			return false;
	}
	return true;
}

static struct cpio_ent *cpio_find(struct cpio_list *l, const char *name,
				  size_t len)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strncmp(l->ents[i].name, name, len) == 0 &&
		    l->ents[i].name[len] == '\0')
			return &l->ents[i];
	}
	return NULL;
}

static int cpio_append(struct cpio_list *l, const char *name, size_t len,
		       uint32_t mode, uint64_t size, const void *src,
		       struct err *e)
{
	struct cpio_ent *ent;

	if (l->n >= l->cap)
		return err_set(e, -ERR_LIMIT, "cpio: more than %zu entries", l->cap);
	if (len + 1 > l->names_cap - l->names_len)
		return err_set(e, -ERR_LIMIT, "cpio: name storage full (%zu bytes)",
			       l->names_cap);
	memcpy(l->names + l->names_len, name, len);
	l->names[l->names_len + len] = '\0';
	ent = &l->ents[l->n++];
	ent->name = l->names + l->names_len;
	ent->mode = mode;
	ent->size = size;
	ent->src = src;
	l->names_len += len + 1;
	return 0;
}

/* Ensure the directory name[0..len) exists, as must all its prefixes. */
static int cpio_ensure_dir(struct cpio_list *l, const char *name, size_t len,
			   uint32_t perm, struct err *e)
{
	const struct cpio_ent *ent = cpio_find(l, name, len);

	if (ent) {
		if (!S_ISDIR(ent->mode))
			return err_set(e, -EEXIST, "cpio: %s: exists as a file",
				       ent->name);
		return 0;
	}
	return cpio_append(l, name, len, S_IFDIR | (perm & 07777), 0, NULL, e);
}

static int cpio_add_parents(struct cpio_list *l, const char *path, size_t len,
			    struct err *e)
{
	for (size_t i = 0; i < len; i++) {
		if (path[i] != '/')
			continue;
		int rc = cpio_ensure_dir(l, path, i, 0755, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int cpio_list_add_dir(struct cpio_list *l, const char *path, uint32_t perm,
		      struct err *e)
{
	size_t len = strnlen(path, CPIO_NAME_MAX + 1);
	int rc;

	if (!cpio_path_ok(path, len))
		return err_set(e, -ERR_FORMAT, "cpio: bad entry name \"%.*s\"",
			       (int)len, path);
	rc = cpio_add_parents(l, path, len, e);
	if (rc < 0)
		return rc;
	return cpio_ensure_dir(l, path, len, perm, e);
}

int cpio_list_add_file(struct cpio_list *l, const char *path, uint32_t perm,
		       uint64_t size, const void *src, struct err *e)
{
	size_t len = strnlen(path, CPIO_NAME_MAX + 1);
	int rc;

	if (!cpio_path_ok(path, len))
		return err_set(e, -ERR_FORMAT, "cpio: bad entry name \"%.*s\"",
			       (int)len, path);
	if (size > CPIO_FILE_MAX)
		return err_set(e, -ERR_LIMIT, "cpio: %s: %llu bytes, newc allows "
			       "at most %llu", path, (unsigned long long)size,
			       CPIO_FILE_MAX);
	if (cpio_find(l, path, len))
		return err_set(e, -EEXIST, "cpio: %s: added twice", path);
	rc = cpio_add_parents(l, path, len, e);
	if (rc < 0)
		return rc;
	return cpio_append(l, path, len, S_IFREG | (perm & 07777), size, src, e);
}

size_t cpio_pad(uint64_t off, size_t align)
{
	return (size_t)((align - (off & (align - 1))) & (align - 1));
}

int cpio_format_header(uint8_t *buf, size_t cap, size_t *len,
		       const struct cpio_hdr *h, const char *name, struct err *e)
{
	size_t nlen = strnlen(name, CPIO_NAME_MAX + 1);
	size_t total;
	int n;

	if (nlen == 0 || nlen > CPIO_NAME_MAX)
		return err_set(e, -ERR_FORMAT, "cpio: bad entry name length");
	total = CPIO_HDR_LEN + nlen + 1;
	total += cpio_pad(total, 4);
	if (total > cap)
		return err_set(e, -ERR_LIMIT, "cpio: header buffer too small");
	/* ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin
	 * namesize check */
	n = snprintf((char *)buf, cap,
		     "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		     h->ino, h->mode, 0u, 0u, h->nlink, h->mtime, h->filesize,
		     0u, 0u, 0u, 0u, (unsigned)(nlen + 1), 0u);
	if (n != CPIO_HDR_LEN)
		return err_set(e, -ERR_LIMIT, "cpio: header formatting failed");
	memcpy(buf + CPIO_HDR_LEN, name, nlen);
	memset(buf + CPIO_HDR_LEN + nlen, 0, total - CPIO_HDR_LEN - nlen);
	*len = total;
	return 0;
}

/* Counts what passes through to the real sink. */
struct cpio_counter {
	cpio_sink_fn sink;
	void *ctx;
	uint64_t n;
};

static int cpio_count_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	struct cpio_counter *c = ctx;
	int rc = c->sink(c->ctx, p, n, e);

	if (rc == 0)
		c->n += n;
	return rc;
}

static const uint8_t cpio_zeros[CPIO_BLOCK];

static int cpio_emit_header(struct cpio_counter *out, const struct cpio_hdr *h,
			    const char *name, struct err *e)
{
	uint8_t buf[CPIO_HDR_LEN + CPIO_NAME_MAX + 8];
	size_t len;
	int rc = cpio_format_header(buf, sizeof(buf), &len, h, name, e);

	if (rc < 0)
		return rc;
	return cpio_count_sink(out, buf, len, e);
}

static int cpio_emit_entry(struct cpio_counter *out, const struct cpio_ent *ent,
			   uint32_t ino, uint32_t mtime, cpio_data_fn data,
			   void *data_ctx, struct err *e)
{
	bool is_dir = S_ISDIR(ent->mode);
	struct cpio_hdr h = { ino, ent->mode, is_dir ? 2 : 1, mtime,
			      (uint32_t)ent->size };
	struct cpio_counter body = { cpio_count_sink, out, 0 };
	int rc = cpio_emit_header(out, &h, ent->name, e);

	if (rc < 0 || is_dir)
		return rc;
	rc = data(data_ctx, ent, cpio_count_sink, &body, e);
	if (rc < 0)
		return rc;
	if (body.n != ent->size)
		return err_set(e, -ERR_FORMAT, "cpio: %s: expected %llu bytes, got %llu",
			       ent->name, (unsigned long long)ent->size,
			       (unsigned long long)body.n);
	return cpio_count_sink(out, cpio_zeros, cpio_pad(out->n, 4), e);
}

static int cpio_cmp(const void *a, const void *b)
{
	const struct cpio_ent *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int cpio_write(struct cpio_list *l, uint32_t mtime, cpio_sink_fn sink,
	       void *sink_ctx, cpio_data_fn data, void *data_ctx, struct err *e)
{
	struct cpio_counter out = { sink, sink_ctx, 0 };
	struct cpio_hdr trailer = { 0, 0, 1, 0, 0 };
	int rc;

	if (l->n >= 0xffffffffu)
		return err_set(e, -ERR_LIMIT, "cpio: too many entries");
	if (l->n > 1)
		qsort(l->ents, l->n, sizeof(l->ents[0]), cpio_cmp);
	for (size_t i = 0; i < l->n; i++) {
		rc = cpio_emit_entry(&out, &l->ents[i], (uint32_t)(i + 1), mtime,
				     data, data_ctx, e);
		if (rc < 0)
			return rc;
	}
	rc = cpio_emit_header(&out, &trailer, "TRAILER!!!", e);
	if (rc < 0)
		return rc;
	return cpio_count_sink(&out, cpio_zeros, cpio_pad(out.n, CPIO_BLOCK), e);
}
