/* ccguest keyprovider: an ocicrypt "cmd" key provider for CoCo's
 * `attestation-agent` annotation packets, backed by a directory of KBS
 * resources (<dir>/<repo>/<type>/<tag>, the layout tests/kbs serves).
 *
 * One JSON request on stdin, one JSON response on stdout, exit 0; on error
 * one line on stderr (ocicrypt puts it into its own error) and exit 1.
 *   keywrap:   choose the key (keyid= parameter, else --key-id, else
 *              kbs:///default/key/<16 random hex>), reuse its KEK file when it
 *              exists, else write a fresh random 32-byte KEK there (0600,
 *              temp file + fsync + rename without replacing), and answer the
 *              base64 of the annotation packet (ocipkt_wrap, A256GCM).
 *   keyunwrap: read the KEK the packet's kid names and answer the privopts.
 * The KEK and the privopts never reach stderr; every buffer that held them
 * (request, JSON work area, keys, responses) is wiped before it is freed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "crypto/random.h"
#include "host/cli.h"
#include "host/keyprovider_msg.h"
#include "host/util.h"
#include "image/ocicrypt_packet.h"

int cmd_keyprovider(int argc, char **argv);

#define KP_PROVIDER "attestation-agent"
#define KP_ENV_DIR "CCGUEST_KBS_RESOURCES"

static const char kp_usage[] =
	"usage: ccguest keyprovider [--resource-dir DIR] [--key-id ID] [--provider NAME]\n"
	"\n"
	"An ocicrypt key provider (cmd transport) for CoCo annotation packets: reads\n"
	"one keywrap/keyunwrap request on stdin and writes the response on stdout.\n"
	"Key encryption keys are KBS resources: 32-byte files DIR/<repo>/<type>/<tag>,\n"
	"the layout the dev KBS serves (tests/kbs).  Use it from an ocicrypt config:\n"
	"  {\"key-providers\":{\"attestation-agent\":{\"cmd\":{\"path\":\"/abs/ccguest\",\n"
	"   \"args\":[\"keyprovider\",\"--resource-dir\",\"/abs/dir\"]}}}}\n"
	"with OCICRYPT_KEYPROVIDER_CONFIG=<that file> skopeo copy\n"
	"  --encryption-key provider:attestation-agent[:keyid=kbs:///default/key/ID] ...\n"
	"  --decryption-key provider:attestation-agent ...\n"
	"\n"
	"  --resource-dir DIR  the resource directory (default: $" KP_ENV_DIR ")\n"
	"  --key-id ID         keywrap: the key when the request names none: a kid\n"
	"                      (kbs:///repo/type/tag) or a tag in default/key;\n"
	"                      default: a new random default/key/<16 hex>\n"
	"  --provider NAME     the provider name in the request (default " KP_PROVIDER ")\n"
	"\n"
	"An existing key file is reused; a missing one is created with a fresh random\n"
	"key (mode 0600).  Parameters after provider:NAME: are \"keyid=KID\" and\n"
	"\"algorithm=A256GCM\", joined by \"::\".\n";

struct kpopts {
	const char *dir, *key_id, *provider;
};

static int kp_parse_opts(struct kpopts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "resource-dir", required_argument, NULL, 'd' },
		{ "key-id", required_argument, NULL, 'k' },
		{ "provider", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'k': o->key_id = optarg; break;
		case 'p': o->provider = optarg; break;
		case 'h': fputs(kp_usage, stdout); return CLI_OK;
		default: fputs(kp_usage, stderr); return CLI_USAGE;
		}
	}
	if (!o->dir)
		o->dir = getenv(KP_ENV_DIR);
	if (!o->provider)
		o->provider = KP_PROVIDER;
	if (optind != argc || !o->dir || !*o->dir || !*o->provider) {
		cli_error("keyprovider: --resource-dir (or $%s) is required, and no other "
			  "arguments", KP_ENV_DIR);
		fputs(kp_usage, stderr);
		return CLI_USAGE;
	}
	return -1;
}

/* ---- request I/O ------------------------------------------------------ */

static int kp_read_stdin(uint8_t **out, size_t *len, struct err *e)
{
	size_t cap = KPMSG_REQ_MAX + 1, n = 0;
	uint8_t *buf = malloc(cap);

	*out = NULL;
	*len = 0;
	if (!buf)
		return err_set(e, -ENOMEM, "out of memory");
	for (;;) {
		ssize_t got = read(STDIN_FILENO, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int rc = err_set(e, -errno, "reading stdin: %s", strerror(errno));
			ct_wipe(buf, n);
			free(buf);
			return rc;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n == cap) {
			ct_wipe(buf, n);
			free(buf);
			return err_set(e, -ERR_LIMIT, "request larger than %u bytes",
				       KPMSG_REQ_MAX);
		}
	}
	*out = buf;
	*len = n;
	return 0;
}

/* ---- the key store ---------------------------------------------------- */

/* Open <dir>/<repo>/<type> for path "repo/type/tag" (checked by ocipkt_kid),
 * creating the two directories (0700) when create.  *leaf = the tag. */
static int kp_open_dir(const char *dir, const char *path, bool create, const char **leaf,
		       struct err *e)
{
	char part[OCIPKT_PART_MAX + 1];
	const char *p = path;
	int fd, next, i;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "resource directory %s: %s", dir, strerror(errno));
	for (i = 0; i < 2; i++) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : 0;

		if (!slash || n > OCIPKT_PART_MAX) {
			close(fd);
			return err_set(e, -ERR_FORMAT, "internal: bad resource path");
		}
		memcpy(part, p, n);
		part[n] = '\0';
		if (create && mkdirat(fd, part, 0700) != 0 && errno != EEXIST) {
			int rc = err_set(e, -errno, "%s/%.*s: %s", dir, (int)(slash - path), path,
					 strerror(errno));
			close(fd);
			return rc;
		}
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int rc = err_set(e, errno == ENOENT ? -ERR_NOTFOUND : -errno, "%s/%.*s: %s",
					 dir, (int)(slash - path), path, strerror(errno));
			close(fd);
			return rc;
		}
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

/* Read the 32-byte KEK file leaf in dfd.  -ERR_NOTFOUND when absent. */
static int kp_load(int dfd, const char *leaf, const char *what, uint8_t kek[OCIPKT_KEK_LEN],
		   struct err *e)
{
	uint8_t buf[OCIPKT_KEK_LEN + 1];
	struct stat st;
	size_t n = 0;
	int fd, rc = 0;

	fd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? -ERR_NOTFOUND : -errno, "key %s: %s", what,
			       strerror(errno));
	if (fstat(fd, &st) != 0)
		rc = err_set(e, -errno, "key %s: %s", what, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = err_set(e, -ERR_UNSAFE, "key %s: not a regular file", what);
	while (rc == 0 && n < sizeof(buf)) {
		ssize_t got = read(fd, buf + n, sizeof(buf) - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = err_set(e, -errno, "key %s: %s", what, strerror(errno));
		else if (got == 0)
			break;
		else
			n += (size_t)got;
	}
	if (rc == 0 && n != OCIPKT_KEK_LEN)
		rc = err_set(e, -ERR_FORMAT, "key %s: %s bytes, expected %d", what,
			     n > OCIPKT_KEK_LEN ? "more than 32" : "fewer than 32", OCIPKT_KEK_LEN);
	if (rc == 0)
		memcpy(kek, buf, OCIPKT_KEK_LEN);
	ct_wipe(buf, sizeof(buf));
	close(fd);
	return rc;
}

static void kp_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Put tmp in place as leaf without replacing anything.  -EEXIST when leaf
 * already exists. */
static int kp_publish(int dfd, const char *tmp, const char *leaf)
{
	if (renameat2(dfd, tmp, dfd, leaf, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* A file system without RENAME_NOREPLACE: link(2) does not replace. */
	if (linkat(dfd, tmp, dfd, leaf, 0) != 0)
		return -errno;
	unlinkat(dfd, tmp, 0);
	return 0;
}

/* Write a fresh KEK as leaf in dfd (0600, fsync'd, never replacing a file).
 * When another process got there first, its key is loaded instead. */
static int kp_create(int dfd, const char *leaf, const char *what, uint8_t kek[OCIPKT_KEK_LEN],
		     struct err *e)
{
	char tmp[OCIPKT_PART_MAX + 32], hex[17];
	uint8_t rnd[8];
	int fd, rc;

	if (random_bytes(rnd, sizeof(rnd)) < 0 || random_bytes(kek, OCIPKT_KEK_LEN) < 0)
		return err_set(e, -EIO, "getrandom failed");
	kp_hex(rnd, sizeof(rnd), hex);
	snprintf(tmp, sizeof(tmp), ".%s.tmp.%s", leaf, hex);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = err_set(e, -errno, "key %s: creating a temporary file: %s", what,
			     strerror(errno));
		goto out_wipe;
	}
	rc = util_write_all(fd, kek, OCIPKT_KEK_LEN);
	if (rc < 0)
		rc = err_set(e, rc, "key %s: write: %s", what, strerror(-rc));
	if (rc == 0 && (fchmod(fd, 0600) != 0 || fsync(fd) != 0))
		rc = err_set(e, -errno, "key %s: %s", what, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = err_set(e, -errno, "key %s: close: %s", what, strerror(errno));
	if (rc == 0) {
		rc = kp_publish(dfd, tmp, leaf);
		if (rc == -EEXIST) {
			unlinkat(dfd, tmp, 0);
			return kp_load(dfd, leaf, what, kek, e);
		}
		if (rc < 0)
			rc = err_set(e, rc, "key %s: rename: %s", what, strerror(-rc));
	}
	if (rc == 0 && fsync(dfd) != 0)
		rc = err_set(e, -errno, "key %s: fsync of the directory: %s", what,
			     strerror(errno));
	if (rc < 0)
		unlinkat(dfd, tmp, 0);
out_wipe:
	if (rc < 0)
		ct_wipe(kek, OCIPKT_KEK_LEN);
	return rc;
}

/* ---- operations ------------------------------------------------------- */

/* The kid for a keywrap request: the keyid= parameter, else --key-id, else
 * a new random one. */
static int kp_wrap_kid(const struct kpopts *o, const struct kpmsg_req *r, char *kid,
		       struct err *e)
{
	char buf[OCIPKT_KID_MAX + 32], hex[17];
	uint8_t rnd[8];
	const char *id = o->key_id;
	int rc;

	if (r->kid[0]) {
		memcpy(kid, r->kid, strlen(r->kid) + 1);
		return 0;
	}
	if (!id) {
		if (random_bytes(rnd, sizeof(rnd)) < 0)
			return err_set(e, -EIO, "getrandom failed");
		kp_hex(rnd, sizeof(rnd), hex);
		snprintf(buf, sizeof(buf), "kbs:///default/key/%s", hex);
		id = buf;
	} else if (strncmp(id, "kbs://", 6) != 0 && id[0] != '/') {
		if ((size_t)snprintf(buf, sizeof(buf), "kbs:///default/key/%s", id) >= sizeof(buf))
			return err_set(e, -ERR_LIMIT, "--key-id too long");
		id = buf;
	}
	rc = ocipkt_kid(id, strlen(id), kid, NULL, e);
	return rc < 0 ? err_wrap(e, rc, "--key-id") : 0;
}

static int kp_keywrap(const struct kpopts *o, const struct kpmsg_req *r, char **resp,
		      size_t *resp_len, struct err *e)
{
	char kid[OCIPKT_KID_MAX], path[OCIPKT_PATH_MAX], *pkt = NULL;
	uint8_t kek[OCIPKT_KEK_LEN];
	const char *leaf;
	size_t pkt_len = 0;
	int dfd, rc;

	rc = kp_wrap_kid(o, r, kid, e);
	if (rc == 0)
		rc = ocipkt_kid(kid, strlen(kid), NULL, path, e);
	if (rc < 0)
		return rc;
	dfd = kp_open_dir(o->dir, path, true, &leaf, e);
	if (dfd < 0)
		return dfd;
	rc = kp_load(dfd, leaf, kid, kek, e);
	if (rc == -ERR_NOTFOUND)
		rc = kp_create(dfd, leaf, kid, kek, e);
	close(dfd);
	if (rc == 0)
		rc = ocipkt_wrap(kid, kek, r->data, r->data_len, &pkt, &pkt_len, e);
	ct_wipe(kek, sizeof(kek));
	if (rc == 0)
		rc = kpmsg_wrap_response((const uint8_t *)pkt, pkt_len, resp, resp_len, e);
	free(pkt);
	return rc;
}

static int kp_keyunwrap(const struct kpopts *o, const struct kpmsg_req *r, char **resp,
			size_t *resp_len, struct err *e)
{
	struct ocipkt *p = malloc(sizeof(*p));
	size_t wl = ocipkt_work_size(r->data_len), len = 0;
	void *work = malloc(wl);
	uint8_t kek[OCIPKT_KEK_LEN], *opts = malloc(OCIPKT_WRAPPED_MAX);
	const char *leaf;
	int dfd, rc;

	if (!p || !work || !opts) {
		rc = err_set(e, -ENOMEM, "out of memory");
		goto out_free;
	}
	rc = ocipkt_parse(r->data, r->data_len, p, work, wl, e);
	if (rc < 0)
		goto out_free;
	dfd = kp_open_dir(o->dir, p->path, false, &leaf, e);
	if (dfd < 0) {
		rc = err_wrap(e, dfd, "no key for %s in %s", p->kid, o->dir);
		goto out_free;
	}
	rc = kp_load(dfd, leaf, p->kid, kek, e);
	close(dfd);
	if (rc == -ERR_NOTFOUND)
		rc = err_wrap(e, rc, "no key for %s in %s", p->kid, o->dir);
	if (rc == 0)
		rc = ocipkt_unwrap(p, kek, opts, OCIPKT_WRAPPED_MAX, &len, e);
	ct_wipe(kek, sizeof(kek));
	if (rc == 0)
		rc = kpmsg_unwrap_response(opts, len, resp, resp_len, e);
	ct_wipe(opts, len);
out_free:
	free(opts);
	free(work);
	free(p);
	return rc;
}

int cmd_keyprovider(int argc, char **argv)
{
	struct kpopts o = { 0 };
	struct kpmsg_req r;
	struct err e = { 0 };
	uint8_t *req = NULL, *data = NULL;
	size_t req_len = 0, wl = 0, resp_len = 0;
	void *work = NULL;
	char *resp = NULL;
	int rc = kp_parse_opts(&o, argc, argv);

	if (rc >= 0)
		return rc;
	memset(&r, 0, sizeof(r));
	rc = kp_read_stdin(&req, &req_len, &e);
	if (rc == 0) {
		wl = kpmsg_work_size(req_len);
		work = malloc(wl);
		data = malloc(KPMSG_DATA_MAX);
		if (!work || !data)
			rc = err_set(&e, -ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = kpmsg_parse_req(req, req_len, o.provider, &r, data, KPMSG_DATA_MAX, work, wl,
				     &e);
	/* The request and the document's copy of its strings hold the privopts. */
	if (req)
		ct_wipe(req, req_len);
	if (work)
		ct_wipe(work, wl);
	if (rc == 0 && r.op == KPMSG_KEYWRAP)
		rc = kp_keywrap(&o, &r, &resp, &resp_len, &e);
	else if (rc == 0)
		rc = kp_keyunwrap(&o, &r, &resp, &resp_len, &e);
	if (data)
		ct_wipe(data, r.data_len);
	if (rc == 0) {
		rc = util_write_all(STDOUT_FILENO, resp, resp_len);
		if (rc < 0)
			err_set(&e, rc, "writing stdout: %s", strerror(-rc));
	}
	if (rc < 0)
		cli_error("keyprovider: %s", e.msg[0] ? e.msg : err_str(rc));
	kpmsg_free(resp, resp_len);
	free(data);
	free(work);
	free(req);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}
