/* fuzz_tar: the streaming tar parser under several chunkings.
 *
 * A checking sink asserts the parser's contract on every callback (paths
 * normalised and safe, link rules, data inside the caller's buffer and
 * exactly `size` bytes, entry/entry_end pairing), and the outcome (code and
 * a digest of every callback) must not depend on how the input is split.
 * A no-op sink runs the same input once more. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/tar.h"

struct chk {
	const uint8_t *lo, *hi;   /* the chunk being fed */
	uint64_t want, got;       /* data bytes of the open entry */
	int open;
	uint64_t hash;
};

static void mix(struct chk *c, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		c->hash = (c->hash ^ b[i]) * 1099511628211ull;
}

static void check_path(const char *p, int allow_dot)
{
	size_t n = strlen(p), i, start = 0;

	if (n == 0 || n > TAR_NAME_MAX || p[0] == '/' || p[n - 1] == '/')
		abort();
	if (strcmp(p, ".") == 0) {
		if (!allow_dot)
			abort();
		return;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (i == start)                                   /* "//" */
			abort();
		if (i - start == 1 && p[start] == '.')
			abort();
		if (i - start == 2 && p[start] == '.' && p[start + 1] == '.')
			abort();
		start = i + 1;
	}
}

static int chk_entry(void *ctx, const struct tar_entry *ent, struct err *e)
{
	struct chk *c = ctx;
	size_t i;

	(void)e;
	if (c->open)
		abort();
	check_path(ent->path, ent->type == TAR_DIR);
	if (ent->type == TAR_HARDLINK)
		check_path(ent->link, 0);
	else if (ent->type == TAR_SYMLINK && (ent->link[0] == 0 ||
					      strlen(ent->link) > TAR_NAME_MAX))
		abort();
	else if (ent->type != TAR_SYMLINK && ent->link[0] != 0)
		abort();
	if ((ent->type != TAR_REG && ent->size != 0) || (ent->mode & ~07777u) ||
	    ent->uid == 0xffffffffu || ent->gid == 0xffffffffu ||
	    ent->mtime_nsec >= 1000000000u || ent->nxattrs > TAR_XATTR_MAX ||
	    ent->size > TAR_DEFAULT_MAX_SIZE)
		abort();
	for (i = 0; i < ent->nxattrs; i++) {
		if (ent->xattrs[i].name[0] == 0)
			abort();
		mix(c, ent->xattrs[i].name, strlen(ent->xattrs[i].name));
		mix(c, ent->xattrs[i].value, ent->xattrs[i].len);
	}
	mix(c, ent->path, strlen(ent->path) + 1);
	mix(c, ent->link, strlen(ent->link) + 1);
	{
		uint64_t f[] = { (uint64_t)ent->type, ent->size, ent->mode, ent->uid,
				 ent->gid, (uint64_t)ent->mtime, ent->mtime_nsec,
				 ent->devmajor, ent->devminor, ent->offset };

		mix(c, f, sizeof(f));
	}
	c->open = 1;
	c->want = ent->size;
	c->got = 0;
	return 0;
}

static int chk_data(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct chk *c = ctx;

	(void)e;
	if (!c->open || n == 0 || p < c->lo || n > (size_t)(c->hi - p) ||
	    n > c->want - c->got)
		abort();
	c->got += n;
	mix(c, p, n);
	return 0;
}

static int chk_end(void *ctx, struct err *e)
{
	struct chk *c = ctx;

	(void)e;
	if (!c->open || c->got != c->want)
		abort();
	c->open = 0;
	mix(c, "|", 1);
	return 0;
}

static const struct tar_ops chk_ops = { chk_entry, chk_data, chk_end };

static int nop_entry(void *ctx, const struct tar_entry *ent, struct err *e)
{
	(void)ctx; (void)ent; (void)e;
	return 0;
}

static int nop_data(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	(void)ctx; (void)p; (void)n; (void)e;
	return 0;
}

static int nop_end(void *ctx, struct err *e)
{
	(void)ctx; (void)e;
	return 0;
}

static const struct tar_ops nop_ops = { nop_entry, nop_data, nop_end };

static struct tar *tar_state(void)
{
	static struct tar *t;

	if (!t)
		t = malloc(sizeof(*t));
	if (!t)
		abort();
	return t;
}

/* Feed data in pieces of `step` bytes (0: the whole input at once; a step
 * above 1 << 20 means pseudo-random pieces seeded by it). */
static int run(const uint8_t *data, size_t size, size_t step, struct chk *c)
{
	struct tar *t = tar_state();
	struct err e = { 0 };
	uint32_t seed = (uint32_t)step;
	size_t off = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->hash = 14695981039346656037ull;
	tar_init(t, &chk_ops, c);
	while (rc == 0 && off < size) {
		size_t n = step == 0 ? size : step;

		if (step > (1u << 20)) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 1500;
		}
		if (n > size - off)
			n = size - off;
		c->lo = data + off;
		c->hi = data + off + n;
		rc = tar_feed(t, data + off, n, &e);
		off += n;
	}
	if (rc == 0)
		rc = tar_finish(t, &e);
	if (rc < 0 && (e.msg[0] == 0 || rc != e.code))
		abort();
	return rc;
}

/* As image/source.c indexes a layout: headers fed 512 bytes at a time,
 * data skipped with tar_skip_data(). */
static void index_mode(const uint8_t *data, size_t size)
{
	struct tar *t = tar_state();
	struct err e = { 0 };
	size_t off = 0;

	tar_init(t, &nop_ops, NULL);
	while (off < size && !tar_at_end(t)) {
		size_t n = size - off < 512 ? size - off : 512;
		uint64_t skip;

		if (tar_feed(t, data + off, n, &e) < 0)
			return;
		off += n;
		skip = tar_skip_data(t);
		if (tar_offset(t) != off + skip)
			abort();
		if (skip > size - off)
			return;
		off += (size_t)skip;
	}
	(void)tar_finish(t, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chk whole, piece;
	size_t steps[4] = { 512, 7, (1u << 20) + size, 1 };
	struct err e = { 0 };
	struct tar *t;
	int rc = run(data, size, 0, &whole);
	size_t i;

	for (i = 0; i < 4; i++) {
		if (steps[i] == 1 && size > 16384)
			continue;
		/* same outcome; on success the same callbacks (on failure the
		 * callbacks before the failing byte may differ by chunking) */
		if (run(data, size, steps[i], &piece) != rc ||
		    (rc == 0 && piece.hash != whole.hash))
			abort();
	}
	t = tar_state();
	tar_init(t, &nop_ops, NULL);
	if (tar_feed(t, data, size, &e) == 0)
		(void)tar_finish(t, &e);
	index_mode(data, size);
	return 0;
}
