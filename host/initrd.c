/* initrd: `ccguest mkinitrd`, the guest's initramfs as a deterministic newc
 * cpio: /init (ccinit), the kernel modules ccinit loads, as they are
 * (.ko.xz), at /lib/modules/<path relative to the modules tree>, and their
 * load order at /lib/modules/list (one path a line, comments stripped), plus
 * the empty mount points dev, proc, sys, run, tmp.  Uncompressed: the
 * modules are compressed already.  Written to OUT.tmp.XXXXXX then renamed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cli.h"
#include "host/cpio.h"
#include "host/util.h"

#define MK_LIST_MAX (1024 * 1024)
#define MK_MODULES_MAX 512
#define MK_ENTS_MAX (32 + MK_MODULES_MAX * 8)

static const char mk_usage[] =
	"usage: ccguest mkinitrd --init FILE --modules DIR --list FILE -o OUT\n"
	"\n"
	"Write the guest initramfs (newc cpio, deterministic: sorted, uid/gid 0,\n"
	"mtime $SOURCE_DATE_EPOCH or 0): /init = FILE, each module named in the\n"
	"list (paths relative to DIR, '#' starts a comment) at\n"
	"/lib/modules/<path>, and the list itself at /lib/modules/list.\n";

struct mk_src {
	int fd;              /* -1 for in-memory data */
	const char *mem;
	const char *label;   /* path for messages */
};

struct mk {
	const char *init, *modules, *list, *out;
	uint32_t mtime;
	char *list_txt;      /* the list file, tokenized in place */
	char *stripped;      /* the list without comments, for the archive */
	size_t stripped_len;
	char *mods[MK_MODULES_MAX];
	size_t nmods;
	struct mk_src srcs[MK_MODULES_MAX + 2];
	size_t nsrcs;
	struct cpio_ent ents[MK_ENTS_MAX];
	char names[MK_ENTS_MAX * 64];
	char tmp[4096];      /* the temporary output, "" when none */
};

static int mk_parse_opts(struct mk *m, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "init", required_argument, NULL, 'i' },
		{ "modules", required_argument, NULL, 'm' },
		{ "list", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': m->init = optarg; break;
		case 'm': m->modules = optarg; break;
		case 'l': m->list = optarg; break;
		case 'o': m->out = optarg; break;
		case 'h': fputs(mk_usage, stdout); return CLI_OK;
		default: fputs(mk_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc || !m->init || !m->modules || !m->list || !m->out) {
		cli_error("mkinitrd: --init, --modules, --list and -o are required");
		fputs(mk_usage, stderr);
		return CLI_USAGE;
	}
	return -1;
}

static int mk_epoch(struct mk *m, struct err *e)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v = 0;

	if (s && *s && !util_parse_u64(s, 0xffffffffu, &v))
		return err_set(e, -EINVAL, "SOURCE_DATE_EPOCH=\"%.40s\": not a "
			       "decimal number of seconds up to 2^32-1", s);
	m->mtime = (uint32_t)v;
	return 0;
}

/* A module path: relative, no empty, "." or ".." component, and short
 * enough for "lib/modules/" + path in a cpio name. */
static bool mk_rel_ok(const char *p)
{
	size_t len = strlen(p);

	if (len == 0 || len > CPIO_NAME_MAX - 12 || p[0] == '/' ||
	    p[len - 1] == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* Append the list line [p, q) to the stripped copy for the archive. */
static void mk_keep(struct mk *m, const char *p, const char *q)
{
	memcpy(m->stripped + m->stripped_len, p, (size_t)(q - p));
	m->stripped_len += (size_t)(q - p);
	m->stripped[m->stripped_len++] = '\n';
}

/* Tokenize the list: '#' to end of line is a comment, blank lines are
 * skipped, surrounding spaces and tabs trimmed; a section line ("[attest]")
 * is kept for ccinit but names no file. */
static int mk_parse_list(struct mk *m, size_t len, struct err *e)
{
	char *p = m->list_txt, *end = m->list_txt + len;

	m->stripped = malloc(len + 1);
	if (!m->stripped)
		return err_set(e, -ENOMEM, "%s: out of memory", m->list);
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end, *hash = memchr(p, '#', (size_t)(eol - p));
		char *q = hash ? hash : eol;

		while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
			q--;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		*q = '\0';
		if (q > p && *p == '[') {
			if (strcmp(p, "[attest]") != 0)
				return err_set(e, -ERR_FORMAT, "%s: unknown section \"%.40s\"",
					       m->list, p);
			mk_keep(m, p, q);
		} else if (q > p) {
			if (m->nmods >= MK_MODULES_MAX)
				return err_set(e, -ERR_LIMIT, "%s: more than %d modules",
					       m->list, MK_MODULES_MAX);
			if (!mk_rel_ok(p))
				return err_set(e, -ERR_FORMAT, "%s: bad module path "
					       "\"%.200s\"", m->list, p);
			m->mods[m->nmods++] = p;
			mk_keep(m, p, q);
		}
		p = eol + 1;
	}
	return 0;
}

/* Open a regular file for the archive; *size gets its size.  Module paths
 * (dirfd != AT_FDCWD) must not end in a symlink; --init may be one. */
static int mk_open(struct mk *m, int dirfd, const char *path, uint64_t *size,
		   struct err *e)
{
	struct mk_src *src = &m->srcs[m->nsrcs];
	struct stat st;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC |
			(dirfd == AT_FDCWD ? 0 : O_NOFOLLOW));

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, -EINVAL, "%s: not a regular file", path);
	}
	src->fd = fd;
	src->mem = NULL;
	src->label = path;
	m->nsrcs++;
	*size = (uint64_t)st.st_size;
	return 0;
}

static int mk_add_modules(struct mk *m, struct cpio_list *l, struct err *e)
{
	int dirfd = open(m->modules, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char name[CPIO_NAME_MAX + 1];
	uint64_t size;
	int rc = 0;

	if (dirfd < 0)
		return err_set(e, -errno, "%s: %s", m->modules, strerror(errno));
	for (size_t i = 0; i < m->nmods && rc == 0; i++) {
		snprintf(name, sizeof(name), "lib/modules/%s", m->mods[i]);
		rc = mk_open(m, dirfd, m->mods[i], &size, e);
		if (rc < 0) {
			err_wrap(e, rc, "modules %s", m->modules);
			break;
		}
		rc = cpio_list_add_file(l, name, 0644, size, &m->srcs[m->nsrcs - 1], e);
	}
	close(dirfd);
	return rc;
}

static int mk_build_list(struct mk *m, struct cpio_list *l, struct err *e)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "run", "tmp",
					    "lib/modules" };
	struct mk_src *list_src;
	uint64_t size;
	int rc;

	cpio_list_init(l, m->ents, MK_ENTS_MAX, m->names, sizeof(m->names));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		rc = cpio_list_add_dir(l, dirs[i], 0755, e);
		if (rc < 0)
			return rc;
	}
	rc = mk_open(m, AT_FDCWD, m->init, &size, e);
	if (rc == 0)
		rc = cpio_list_add_file(l, "init", 0755, size, &m->srcs[m->nsrcs - 1], e);
	if (rc < 0)
		return rc;
	list_src = &m->srcs[m->nsrcs++];
	list_src->fd = -1;
	list_src->mem = m->stripped;
	list_src->label = m->list;
	rc = cpio_list_add_file(l, "lib/modules/list", 0644, m->stripped_len,
				list_src, e);
	if (rc < 0)
		return rc;
	return mk_add_modules(m, l, e);
}

static int mk_data(void *ctx, const struct cpio_ent *ent, cpio_sink_fn sink,
		   void *sink_ctx, struct err *e)
{
	const struct mk_src *src = ent->src;

	(void)ctx;
	if (src->fd < 0)
		return sink(sink_ctx, src->mem, (size_t)ent->size, e);
	return util_stream_fd(src->fd, ent->size, src->label, sink, sink_ctx, e);
}

/* Write the archive to a temporary file beside m->out and rename it. */
static int mk_write(struct mk *m, struct cpio_list *l, struct err *e)
{
	struct obuf ob = { .fd = -1 };
	int fd, rc;

	if ((size_t)snprintf(m->tmp, sizeof(m->tmp), "%s.tmp.XXXXXX", m->out) >=
	    sizeof(m->tmp)) {
		m->tmp[0] = '\0';
		return err_set(e, -ERR_LIMIT, "%s: path too long", m->out);
	}
	fd = mkostemp(m->tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = err_set(e, -errno, "%s: %s", m->tmp, strerror(errno));
		m->tmp[0] = '\0';
		return rc;
	}
	rc = obuf_init(&ob, fd, m->tmp, 256 * 1024);
	if (rc == 0)
		rc = cpio_write(l, m->mtime, obuf_sink, &ob, mk_data, m, e);
	if (rc == 0)
		rc = obuf_flush(&ob, e);
	if (rc == 0 && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
		rc = err_set(e, -errno, "%s: %s", m->tmp, strerror(errno));
	if (rc == 0 && rename(m->tmp, m->out) != 0)
		rc = err_set(e, -errno, "rename to %s: %s", m->out, strerror(errno));
	if (rc == 0)
		m->tmp[0] = '\0';
	obuf_free(&ob);
	close(fd);
	return rc;
}

static void mk_free(struct mk *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsrcs; i++) {
		if (m->srcs[i].fd >= 0)
			close(m->srcs[i].fd);
	}
	if (m->tmp[0])
		unlink(m->tmp);
	free(m->list_txt);
	free(m->stripped);
	free(m);
}

int cmd_mkinitrd(int argc, char **argv)
{
	struct mk *m = calloc(1, sizeof(*m));
	struct err e = { 0 };
	struct cpio_list l;
	size_t len = 0;
	int rc;

	if (!m) {
		cli_error("mkinitrd: out of memory");
		return CLI_FAIL;
	}
	rc = mk_parse_opts(m, argc, argv);
	if (rc >= 0) {
		mk_free(m);
		return rc;
	}
	rc = mk_epoch(m, &e);
	if (rc == 0)
		rc = util_read_file(AT_FDCWD, m->list, MK_LIST_MAX, &m->list_txt,
				    &len, &e);
	if (rc == 0)
		rc = mk_parse_list(m, len, &e);
	if (rc == 0)
		rc = mk_build_list(m, &l, &e);
	if (rc == 0)
		rc = mk_write(m, &l, &e);
	if (rc < 0)
		cli_error("mkinitrd: %s", e.msg[0] ? e.msg : err_str(rc));
	mk_free(m);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}
