/* util: host I/O helpers (see util.h). */
#include "host/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define UTIL_CHUNK (128 * 1024)

int util_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

static int util_read_fd(int fd, char *buf, size_t max, size_t *len)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			return -ERR_LIMIT;
	}
	buf[n] = '\0';
	*len = n;
	return 0;
}

int util_read_file(int dirfd, const char *path, size_t max, char **out,
		   size_t *len, struct err *e)
{
	char *buf = NULL;
	int fd, rc;

	*out = NULL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	buf = malloc(max + 2);
	if (!buf) {
		rc = err_set(e, -ENOMEM, "%s: out of memory", path);
		goto out_close;
	}
	rc = util_read_fd(fd, buf, max, len);
	if (rc == -ERR_LIMIT)
		err_set(e, rc, "%s: larger than %zu bytes", path, max);
	else if (rc < 0)
		err_set(e, rc, "%s: read: %s", path, strerror(-rc));
	if (rc < 0) {
		free(buf);
		goto out_close;
	}
	*out = buf;
out_close:
	close(fd);
	return rc;
}

bool util_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

int util_exe_dir(char *buf, size_t cap, struct err *e)
{
	ssize_t n = readlink("/proc/self/exe", buf, cap);
	char *slash;

	if (n < 0)
		return err_set(e, -errno, "/proc/self/exe: %s", strerror(errno));
	if ((size_t)n >= cap)
		return err_set(e, -ERR_LIMIT, "/proc/self/exe: path too long");
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return err_set(e, -ERR_FORMAT, "/proc/self/exe: not absolute");
	if (slash == buf)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

bool util_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int obuf_init(struct obuf *o, int fd, const char *what, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->what = what;
	o->buf = malloc(cap);
	if (!o->buf)
		return -ENOMEM;
	o->cap = cap;
	return 0;
}

void obuf_free(struct obuf *o)
{
	if (!o)
		return;
	free(o->buf);
	o->buf = NULL;
}

int obuf_flush(struct obuf *o, struct err *e)
{
	int rc = util_write_all(o->fd, o->buf, o->len);

	if (rc < 0)
		return err_set(e, rc, "%s: write: %s", o->what, strerror(-rc));
	o->len = 0;
	return 0;
}

int obuf_sink(void *ctx, const void *p, size_t n, struct err *e)
{
	struct obuf *o = ctx;
	const uint8_t *q = p;

	while (n > 0) {
		size_t k = o->cap - o->len;

		if (k == 0) {
			int rc = obuf_flush(o, e);
			if (rc < 0)
				return rc;
			continue;
		}
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, q, k);
		o->len += k;
		o->total += k;
		q += k;
		n -= k;
	}
	return 0;
}

/* copy_file_range from offset 0 of in to the current offset of o->fd.
 * Returns bytes copied (>= 0) or -errno; 0 copied with an "unsupported"
 * error means: fall back to read/write. */
static int64_t obuf_cfr(struct obuf *o, int in, uint64_t size)
{
	uint64_t done = 0;
	loff_t off = 0;

	while (done < size) {
		size_t want = size - done > (1u << 30) ? (1u << 30)
						      : (size_t)(size - done);
		ssize_t r = copy_file_range(in, &off, o->fd, NULL, want, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return done ? -errno : (errno == EXDEV || errno == EINVAL ||
				errno == ENOSYS || errno == EOPNOTSUPP) ? 0 : -errno;
		if (r == 0)
			break;
		done += (uint64_t)r;
	}
	return (int64_t)done;
}

int obuf_copy_fd(struct obuf *o, int in, uint64_t size, const char *name,
		 struct err *e)
{
	int64_t done;
	int rc = obuf_flush(o, e);

	if (rc < 0)
		return rc;
	done = obuf_cfr(o, in, size);
	if (done < 0)
		return err_set(e, (int)done, "%s: copy to %s: %s", name, o->what,
			       strerror((int)-done));
	if (done > 0 && (uint64_t)done < size)
		return err_set(e, -ERR_FORMAT, "%s: shrank while copying", name);
	if ((uint64_t)done == size) {
		o->total += size;
		return 0;
	}
	return util_stream_fd(in, size, name, obuf_sink, o, e);
}

int util_stream_fd(int in, uint64_t size, const char *name,
		   int (*sink)(void *, const void *, size_t, struct err *),
		   void *ctx, struct err *e)
{
	static uint8_t chunk[UTIL_CHUNK];
	uint64_t off = 0;

	while (off < size) {
		size_t want = size - off > UTIL_CHUNK ? UTIL_CHUNK : (size_t)(size - off);
		ssize_t r = pread(in, chunk, want, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, -errno, "%s: read: %s", name, strerror(errno));
		if (r == 0)
			return err_set(e, -ERR_FORMAT, "%s: shrank while copying", name);
		int rc = sink(ctx, chunk, (size_t)r, e);
		if (rc < 0)
			return rc;
		off += (uint64_t)r;
	}
	return 0;
}

/* An anonymous file in $TMPDIR (O_TMPFILE, else mkstemp + unlink): nothing to
 * clean up whatever ends ccguest.  QEMU inherits the fd and opens it by
 * /proc/self/fd/N. */
int util_tmpfile(struct err *e)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/ccguest-disk-XXXXXX", dir) >=
	    sizeof(tmpl))
		return err_set(e, -ERR_LIMIT, "TMPDIR: path too long");
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", tmpl, strerror(errno));
	unlink(tmpl);
	return fd;
}

int util_map(const char *path, size_t max, struct util_map *m, struct err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	m->p = NULL;
	m->len = 0;
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, -EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > max) {
		close(fd);
		return err_set(e, -ERR_LIMIT, "%s: %lld bytes (1 to %zu allowed)", path,
			       (long long)st.st_size, max);
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return err_set(e, -errno, "%s: mmap: %s", path, strerror(errno));
	m->p = p;
	m->len = (size_t)st.st_size;
	return 0;
}

void util_unmap(struct util_map *m)
{
	if (m && m->p) {
		munmap((void *)m->p, m->len);
		m->p = NULL;
		m->len = 0;
	}
}

bool util_parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

int util_write_file_atomic(const char *path, const void *p, size_t n, struct err *e)
{
	char tmp[4096];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp))
		return err_set(e, -ERR_LIMIT, "%s: path too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	rc = util_write_all(fd, p, n);
	if (rc < 0)
		rc = err_set(e, rc, "%s: %s", tmp, strerror(-rc));
	if (rc == 0 && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
		rc = err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = err_set(e, -errno, "rename to %s: %s", path, strerror(errno));
	close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}
