/* runatt: see runatt.h. */
#include "host/runatt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "host/cli.h"
#include "host/util.h"
#include "net/http.h"
#include "tee/initdata.h"

#define RUNATT_FILE_MAX (64u << 10)

void runatt_init(struct runatt *a)
{
	*a = (struct runatt){ .disk_fd = -1 };
}

bool runatt_wanted(const struct runatt *a)
{
	return a->tee || a->kbs || a->kbs_cert || a->initdata || a->n_fetch || a->n_dkeys ||
	       a->pin;
}

bool runatt_add_fetch(struct runatt *a, const char *uri)
{
	if (a->n_fetch >= CFG_FETCH_MAX)
		return false;
	a->fetch[a->n_fetch++] = uri;
	return true;
}

bool runatt_add_dkey(struct runatt *a, const char *uri)
{
	if (a->n_dkeys >= CFG_DKEYS_MAX)
		return false;
	a->dkeys[a->n_dkeys++] = uri;
	return true;
}

static int cat(char *buf, size_t cap, const char *fmt, const char *a, const char *b)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, cap - len, fmt, a, b);

	return n < 0 || (size_t)n >= cap - len ? -ERR_LIMIT : 0;
}

/* The initdata TOML: the user's file, or one generated from --kbs/--kbs-cert. */
static int load_toml(struct runatt *a, char **toml, size_t *len, struct err *e)
{
	char *cert = NULL;
	size_t cl = 0;
	int rc;

	if (a->initdata && (a->kbs || a->kbs_cert))
		return err_set(e, -EINVAL, "--initdata names the KBS itself: give it or "
			       "--kbs/--kbs-cert, not both");
	if (a->initdata)
		return util_read_file(AT_FDCWD, a->initdata, RUNATT_FILE_MAX, toml, len, e);
	if (!a->kbs)
		return err_set(e, -EINVAL, "--kbs-cert needs --kbs");
	if (a->kbs_cert) {
		rc = util_read_file(AT_FDCWD, a->kbs_cert, RUNATT_FILE_MAX, &cert, &cl, e);
		if (rc < 0)
			return rc;
	}
	*toml = malloc(RUNATT_FILE_MAX);
	rc = *toml ? initdata_make_toml(a->kbs, cert, *toml, RUNATT_FILE_MAX, len, e)
		   : err_set(e, -ENOMEM, "out of memory");
	free(cert);
	return rc;
}

static int attach_disk(struct runatt *a, const char *toml, size_t len, struct err *e)
{
	uint8_t *img = NULL;
	size_t n = 0;
	int rc = initdata_disk_image((const uint8_t *)toml, len, &img, &n, e);

	if (rc < 0)
		return rc;
	a->disk_fd = util_tmpfile(e);
	rc = a->disk_fd < 0 ? a->disk_fd : util_write_all(a->disk_fd, img, n);
	free(img);
	if (rc < 0)
		return err_set(e, rc, "initdata disk: %s", strerror(-rc));
	snprintf(a->disk_path, sizeof(a->disk_path), "/proc/self/fd/%d", a->disk_fd);
	return 0;
}

/* The forward to the KBS: guestfwd 10.0.2.100:<port> -> `ccguest proxy host
 * port`, and the host entry that sends the URL's host there. */
static int forward(struct runatt *a, const char *url, bool verbose, struct err *e)
{
	struct http_url u;
	char dir[4096], port[8];
	int rc = http_url_parse(url, strlen(url), &u, e);

	if (rc < 0)
		return err_wrap(e, rc, "KBS URL");
	if (strpbrk(u.host, ":[]'"))
		return err_set(e, -ERR_UNSUPPORTED, "KBS URL: IPv6 hosts are not supported");
	rc = util_exe_dir(dir, sizeof(dir), e);
	if (rc < 0)
		return rc;
	if (strchr(dir, '\''))
		return err_set(e, -ERR_UNSUPPORTED, "%s: a quote in the path", dir);
	snprintf(port, sizeof(port), "%u", (unsigned)u.port);
	if ((size_t)snprintf(a->fwd_cmd, sizeof(a->fwd_cmd), "'%s/ccguest' proxy '%s' %s", dir,
			     u.host, port) >= sizeof(a->fwd_cmd))
		return err_set(e, -ERR_LIMIT, "proxy command too long");
	a->net = true;
	a->fwd_port = u.port;
	if (verbose)
		cli_note("KBS %s: guest 10.0.2.100:%s -> %s:%s", url, port, u.host, port);
	return cat(a->extra, sizeof(a->extra), " ccinit.hosts=%s=%s", u.host, "10.0.2.100");
}

static int words(struct runatt *a, const struct initdata *d, struct err *e)
{
	char hex[2 * 64 + 1];
	int rc = 0;

	initdata_digest_hex(d, hex);
	rc |= cat(a->extra, sizeof(a->extra), " ccinit.initdata=%s%s", a->pin ? a->pin : hex, "");
	if (a->tee)
		rc |= cat(a->extra, sizeof(a->extra), " ccinit.tee=%s%s", a->tee, "");
	for (unsigned i = 0; i < a->n_fetch; i++)
		rc |= cat(a->extra, sizeof(a->extra), "%s%s", i ? "," : " ccinit.fetch=",
			  a->fetch[i]);
	for (unsigned i = 0; i < a->n_dkeys; i++)
		rc |= cat(a->extra, sizeof(a->extra), "%s%s", i ? "," : " ccinit.decryption_key=",
			  a->dkeys[i]);
	return rc ? err_set(e, -ERR_LIMIT, "attestation options: command line too long") : 0;
}

int runatt_prepare(struct runatt *a, bool verbose, struct err *e)
{
	struct initdata *d = NULL;
	char *toml = NULL;
	size_t len = 0;
	int rc;

	if (!a->initdata && !a->kbs && !a->kbs_cert) {
		if (a->n_fetch || a->n_dkeys)
			return err_set(e, -EINVAL, "--fetch and --decryption-key need a KBS: "
				       "--kbs URL or --initdata");
		/* --tee alone: attest nowhere, but say which TEE the guest expects */
		return cat(a->extra, sizeof(a->extra), " ccinit.tee=%s%s", a->tee, "") < 0 ?
		       err_set(e, -ERR_LIMIT, "command line too long") : 0;
	}
	rc = load_toml(a, &toml, &len, e);
	if (rc < 0)
		goto out;
	d = calloc(1, sizeof(*d));
	rc = d ? initdata_parse((const uint8_t *)toml, len, d, e)
	       : err_set(e, -ENOMEM, "out of memory");
	if (rc < 0) {
		err_wrap(e, rc, "initdata");
		goto out;
	}
	if (d->kbs_url[0])
		rc = forward(a, d->kbs_url, verbose, e);
	else if (a->n_fetch || a->n_dkeys)
		rc = err_set(e, -EINVAL, "--fetch/--decryption-key: the initdata names no KBS");
	if (rc == 0)
		rc = words(a, d, e);
	if (rc == 0)
		rc = attach_disk(a, toml, len, e);
out:
	if (d)
		ct_wipe(d, sizeof(*d));
	free(d);
	free(toml);
	return rc;
}

void runatt_free(struct runatt *a)
{
	if (a->disk_fd >= 0)
		close(a->disk_fd);
	a->disk_fd = -1;
}
