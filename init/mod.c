/* mod: kernel module loading with finit_module(2) (see mod.h). */
#include "init/mod.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cur.h"
#include "base/log.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4 /* uapi linux/module.h */
#endif

/* Modules that fail with ENODEV when the machine lacks their hardware: the
 * TEE guest drivers off their platform, accelerated crypto without the CPU
 * feature.  Names as in the file name, without ".ko*". */
static const char *const mod_optional[] = {
	"sev-guest", "tdx-guest", "aesni-intel", "sha256-ssse3", "sha512-ssse3",
	"crc32c-intel", "ghash-clmulni-intel",
};

static bool mod_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '+' || c == ',' || c == '/';
}

static bool mod_ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Check a list entry; returns the finit_module flags, or -1. */
static int mod_check_path(const char *p, size_t n)
{
	size_t i, start = 0;

	if (n == 0 || n > MOD_PATH_MAX || p[0] == '/')
		return -1;
	for (i = 0; i <= n; i++) {
		size_t len;

		if (i < n && !mod_char_ok(p[i]))
			return -1;
		if (i < n && p[i] != '/')
			continue;
		len = i - start;
		if (len == 0 || (len == 1 && p[start] == '.') ||
		    (len == 2 && p[start] == '.' && p[start + 1] == '.'))
			return -1;
		start = i + 1;
	}
	if (mod_ends_with(p, n, ".ko.xz"))
		return MODULE_INIT_COMPRESSED_FILE;
	if (mod_ends_with(p, n, ".ko"))
		return 0;
	return -1;
}

static bool mod_is_optional(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i, n;

	base = base ? base + 1 : path;
	n = strcspn(base, ".");
	for (i = 0; i < sizeof(mod_optional) / sizeof(mod_optional[0]); i++)
		if (strlen(mod_optional[i]) == n && memcmp(mod_optional[i], base, n) == 0)
			return true;
	return false;
}

static int mod_load_one(int dirfd, const char *path, int flags, bool verbose,
			struct mod_stats *st, struct err *e)
{
	double t0 = log_uptime();
	int fd, rc = 0, err = 0;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(e, -errno, "%s: open: %s", path, err_str(-errno));
	if (syscall(SYS_finit_module, fd, "", flags) == 0) {
		st->loaded++;
	} else if ((err = errno) == EEXIST) {
		st->present++;
	} else if (err == ENODEV && mod_is_optional(path)) {
		st->nodev++;
		log_info("modules: %s: no such device here, skipped", path);
	} else {
		rc = err_set(e, -err, "%s: finit_module: %s%s", path, err_str(-err),
			     err == ENOENT ? " (unknown symbol: a dependency missing or listed "
			     "after it?)" : "");
	}
	close(fd);
	if (verbose && rc == 0 && err != ENODEV)
		log_info("modules: %s%s (%.3f s)", path, err == EEXIST ? " already present" : "",
			 log_uptime() - t0);
	return rc;
}

/* Read the whole list (at most MOD_LIST_MAX bytes) into a new buffer. */
static int mod_read_list(const char *list, char **buf, size_t *len, struct err *e)
{
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	*buf = NULL;
	fd = open(list, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "%s: open: %s", list, err_str(-errno));
	*buf = malloc(MOD_LIST_MAX + 1);
	if (!*buf) {
		close(fd);
		return err_set(e, -ENOMEM, "%s: out of memory", list);
	}
	while (got <= MOD_LIST_MAX) {
		n = read(fd, *buf + got, MOD_LIST_MAX + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				rc = err_set(e, -errno, "%s: read: %s", list, err_str(-errno));
			break;
		}
		got += (size_t)n;
	}
	if (rc == 0 && got > MOD_LIST_MAX)
		rc = err_set(e, -ERR_LIMIT, "%s: expected at most %u bytes", list, MOD_LIST_MAX);
	close(fd);
	if (rc < 0) {
		free(*buf);
		*buf = NULL;
	}
	*len = got;
	return rc;
}

/* The next entry of the list, trimmed, into path; 0 at the end, 1, or <0.
 * A line "[attest]" starts the modules only an attesting boot needs
 * (*attest_only is set for the entries after it). */
static int mod_next(struct cur *c, unsigned *lineno, char *path, int *flags,
		    bool *attest_only, struct err *e)
{
	while (!cur_done(c)) {
		const char *s = (const char *)c->p;
		const char *nl = memchr(s, '\n', cur_left(c));
		size_t n = nl ? (size_t)(nl - s) : cur_left(c);

		(void)cur_take(c, nl ? n + 1 : n);
		(*lineno)++;
		while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		if (n == 0 || s[0] == '#')
			continue;
		if (s[0] == '[') {
			if (n != 8 || memcmp(s, "[attest]", 8) != 0)
				return err_set(e, -ERR_FORMAT, "module list line %u: the only "
					       "section is [attest]", *lineno);
			*attest_only = true;
			continue;
		}
		*flags = mod_check_path(s, n);
		if (*flags < 0)
			return err_set(e, -ERR_FORMAT, "module list line %u: expected a relative "
				       "path of [A-Za-z0-9._+,/-] ending in .ko.xz or .ko, at most "
				       "%d bytes, without . or .. components", *lineno, MOD_PATH_MAX);
		memcpy(path, s, n);
		path[n] = '\0';
		return 1;
	}
	return 0;
}

int mod_load_list(const char *dir, const char *list, bool attest, bool verbose,
		  struct mod_stats *st, struct err *e)
{
	bool attest_only = false;
	char path[MOD_PATH_MAX + 1];
	unsigned lineno = 0;
	char *buf = NULL;
	struct cur c;
	size_t len = 0;
	int dirfd, flags = 0, rc;

	memset(st, 0, sizeof(*st));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return err_set(e, -errno, "%s: open: %s", dir, err_str(-errno));
	rc = mod_read_list(list, &buf, &len, e);
	if (rc < 0)
		goto out;
	c = cur_make(buf, len);
	while ((rc = mod_next(&c, &lineno, path, &flags, &attest_only, e)) == 1) {
		if (attest_only && !attest) {
			st->skipped++;
			continue;
		}
		rc = mod_load_one(dirfd, path, flags, verbose, st, e);
		if (rc < 0)
			break;
	}
out:
	free(buf);
	close(dirfd);
	return rc;
}
