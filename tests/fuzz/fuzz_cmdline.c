/* Fuzz target: init/cfg.c, the kernel command line parser.  Checks the
 * invariants of a successful parse and that messages stay bounded and
 * printable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/cfg.h"

static void check_printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort(); /* not terminated */
	while (n--)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			abort();
}

static void check_ok(const struct cfg *c)
{
	size_t i, n;

	if (strlen(c->image) != CFG_IMAGE_LEN || memcmp(c->image, "sha256:", 7) != 0)
		abort();
	for (i = 7; i < CFG_IMAGE_LEN; i++)
		if (!((c->image[i] >= '0' && c->image[i] <= '9') ||
		      (c->image[i] >= 'a' && c->image[i] <= 'f')))
			abort();
	n = strnlen(c->disk, sizeof(c->disk));
	if (n == 0 || n > CFG_DISK_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (!((c->disk[i] >= 'a' && c->disk[i] <= 'z') ||
		      (c->disk[i] >= '0' && c->disk[i] <= '9')))
			abort();
	if (c->has_exit_port ? (c->exit_port == 0 || c->exit_port > 0xfffc) : c->exit_port != 0)
		abort();
	if (c->tmpfs_size && (c->tmpfs_size < (1ull << 20) || c->tmpfs_size > (1ull << 40)))
		abort();
	for (i = 0; i < c->n_unknown && i < CFG_UNKNOWN_MAX; i++) {
		check_printable(c->unknown[i], sizeof(c->unknown[i]));
		if (strncmp(c->unknown[i], "ccinit.", 7) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg c;
	struct err e = { 0, "" };
	uint16_t port;
	int rc = cfg_parse((const char *)data, size, &c, &e);
	int prc = cfg_exit_port((const char *)data, size, &port);

	if (rc == 0) {
		check_ok(&c);
		/* on a valid line the lone exit port lookup agrees */
		if (c.has_exit_port ? (prc != 0 || port != c.exit_port) : prc != -ERR_NOTFOUND)
			abort();
	} else if ((rc != -ERR_FORMAT && rc != -ERR_LIMIT) || e.code != rc || !e.msg[0]) {
		abort();
	}
	if (prc == 0 ? (port == 0 || port > 0xfffc) : port != 0)
		abort();
	check_printable(e.msg, sizeof(e.msg));
	return 0;
}
