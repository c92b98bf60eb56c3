/* evidence: TEE detection, evidence JSON and config ids (see evidence.h).
 * The kernel's interfaces are in tsm.c, sevguest.c and tdxguest.c; the
 * structures are parsed by snp.c and tdx.c. */
#include "tee/evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "tee/snp.h"
#include "tee/tdx.h"
#include "tee/tee_int.h"

#define CCEL_DATA "/sys/firmware/acpi/tables/data/CCEL"
#define CCEL_MAX (8u << 20)
#define TDX_MRCONFIGID_SYSFS "/sys/devices/virtual/misc/tdx_guest/measurements/mrconfigid"

static const char *tee_root = "";

#ifdef CCG_TEST
void tee_test_set_root(const char *root)
{
	tee_root = root ? root : "";
}
#endif

int tee_path(char *buf, size_t cap, const char *abs)
{
	int n = snprintf(buf, cap, "%s%s", tee_root, abs);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* ---- files ------------------------------------------------------------- */

static int read_fd(int fd, size_t max, struct tee_blob *b, struct err *e, const char *path)
{
	size_t cap = 4096;
	ssize_t r;
	uint8_t *q;

	for (;;) {
		if (b->n == cap || !b->p) {
			if (b->p)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			q = realloc(b->p, cap);
			if (!q)
				return err_set(e, -ENOMEM, "%s: out of memory", path);
			b->p = q;
		}
		r = read(fd, b->p + b->n, cap - b->n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, -errno, "%s: read: %s", path, strerror(errno));
		if (r == 0)
			return 0;
		b->n += (size_t)r;
		if (b->n > max)
			return err_set(e, -ERR_LIMIT, "%s: more than %zu bytes", path, max);
	}
}

int tee_read_file(const char *path, size_t max, struct tee_blob *b, struct err *e)
{
	int fd, rc;

	b->p = NULL;
	b->n = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "%s: open: %s", path, strerror(errno));
	rc = read_fd(fd, max, b, e, path);
	close(fd);
	if (rc < 0) {
		free(b->p);
		b->p = NULL;
		b->n = 0;
	}
	return rc;
}

static bool exists(const char *abs)
{
	char p[512];
	struct stat st;

	return tee_path(p, sizeof(p), abs) == 0 && stat(p, &st) == 0;
}

/* Whether the "flags" line of /proc/cpuinfo names flag. */
static bool cpuinfo_has(const char *flag)
{
	char p[512], buf[16384], *line, *s, *tok;
	size_t fl = strlen(flag);
	ssize_t r;
	int fd;

	if (tee_path(p, sizeof(p), "/proc/cpuinfo") < 0)
		return false;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = '\0';
	line = strstr(buf, "\nflags");
	if (!line)
		return false;
	s = strchr(line + 1, '\n');
	if (s)
		*s = '\0';
	for (tok = strchr(line, ':'); tok && *tok; tok += strcspn(tok, " ")) {
		tok += strspn(tok, " :\t");
		if (strncmp(tok, flag, fl) == 0 && (tok[fl] == ' ' || tok[fl] == '\0'))
			return true;
	}
	return false;
}

/* ---- names ------------------------------------------------------------- */

const char *tee_name(enum tee_kind k)
{
	switch (k) {
	case TEE_SAMPLE: return "sample";
	case TEE_SNP: return "snp";
	case TEE_TDX: return "tdx";
	case TEE_NONE: break;
	}
	return "none";
}

int tee_kind_parse(const char *s, enum tee_kind *k, bool *is_auto, struct err *e)
{
	*k = TEE_NONE;
	*is_auto = false;
	if (!s)
		return err_set(e, -ERR_FORMAT, "tee: no value (expected auto, sample, snp, tdx)");
	if (strcmp(s, "auto") == 0)
		*is_auto = true;
	else if (strcmp(s, "sample") == 0)
		*k = TEE_SAMPLE;
	else if (strcmp(s, "snp") == 0)
		*k = TEE_SNP;
	else if (strcmp(s, "tdx") == 0)
		*k = TEE_TDX;
	else
		return err_set(e, -ERR_FORMAT, "tee \"%.32s\": expected auto, sample, snp "
			       "or tdx", s);
	return 0;
}

enum tee_kind tee_detect(void)
{
	if (exists("/dev/tdx_guest") || exists("/sys/devices/virtual/misc/tdx_guest") ||
	    cpuinfo_has("tdx_guest"))
		return TEE_TDX;
	if (exists("/dev/sev-guest") || exists("/sys/devices/platform/sev-guest"))
		return TEE_SNP;
	return TEE_NONE;
}

/* ---- JSON pieces ------------------------------------------------------- */

/* Standard base64 of n bytes, malloc'd and NUL-terminated. */
static int b64(const uint8_t *in, size_t n, char **out, size_t *olen, struct err *e)
{
	size_t need = 0;

	*out = NULL;
	(void)mbedtls_base64_encode(NULL, 0, &need, in, n);
	*out = malloc(need + 1);
	if (!*out)
		return err_set(e, -ENOMEM, "base64: out of memory");
	(*out)[0] = '\0';
	if (mbedtls_base64_encode((unsigned char *)*out, need + 1, olen, in, n) != 0) {
		free(*out);
		*out = NULL;
		return err_set(e, -ERR_LIMIT, "base64: %zu bytes too large", n);
	}
	return 0;
}

/* printf into a malloc'd string. */
static int json_fmt(char **json, size_t *len, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int json_fmt(char **json, size_t *len, struct err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(json, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*json = NULL;
		return err_set(e, -ENOMEM, "evidence: out of memory");
	}
	*len = (size_t)n;
	return 0;
}

/* ---- sample ------------------------------------------------------------ */

static int sample_evidence(const uint8_t *rd, size_t rd_len, char **json, size_t *len,
			   struct err *e)
{
	enum tee_kind hw = tee_detect();
	size_t bl;
	char *s;
	int rc;

	if (hw != TEE_NONE)
		return err_set(e, -ERR_UNSAFE, "sample evidence refused: this guest runs on "
			       "%s hardware", tee_name(hw));
	if (rd_len != 48)
		return err_set(e, -EINVAL, "sample evidence: report_data is %zu bytes, "
			       "expected 48", rd_len);
	rc = b64(rd, rd_len, &s, &bl, e);
	if (rc < 0)
		return rc;
	rc = json_fmt(json, len, e, "{\"svn\":\"1\",\"report_data\":\"%s\"}", s);
	free(s);
	return rc;
}

/* ---- snp --------------------------------------------------------------- */

/* A report for rd (and the host's cert table) from configfs-tsm, else from
 * /dev/sev-guest. */
static int snp_get(const uint8_t rd[64], struct tee_blob *rep, struct tee_blob *certs,
		   struct err *e)
{
	int rc = tee_tsm_report("sev_guest", rd, rep, certs, e);

	if (rc == -ENODEV)
		rc = tee_sevguest_report(rd, rep, certs, e);
	return rc;
}

/* Get and parse a report, checking it carries rd. */
static int snp_fresh(const uint8_t rd[64], struct snp_report *r, struct tee_blob *rep,
		     struct tee_blob *certs, struct err *e)
{
	int rc = snp_get(rd, rep, certs, e);

	if (rc < 0)
		return err_wrap(e, rc, "snp");
	rc = snp_report_parse(rep->p, rep->n, r, e);
	if (rc < 0)
		return rc;
	if (memcmp(r->report_data, rd, 64) != 0)
		return err_set(e, -ERR_DIGEST, "snp report: REPORT_DATA is not the one "
			       "requested");
	return 0;
}

static int snp_evidence(const uint8_t rd[64], char **json, size_t *len, struct err *e)
{
	struct tee_blob rep = { NULL, 0 }, certs = { NULL, 0 };
	struct snp_report r;
	int rc = snp_fresh(rd, &r, &rep, &certs, e);

	if (rc == 0)
		rc = snp_evidence_json(rep.p, rep.n, certs.p, certs.n, json, len, e);
	free(rep.p);
	free(certs.p);
	return rc;
}

/* ---- tdx --------------------------------------------------------------- */

/* cc_eventlog: the trimmed CCEL plus the 8-byte 0xFF end mark, base64; NULL
 * when the firmware published no CCEL. */
static int tdx_eventlog(char **out, struct err *e)
{
	struct tee_blob b = { NULL, 0 };
	size_t used, nev, bl;
	char path[512];
	int rc;

	*out = NULL;
	if (tee_path(path, sizeof(path), CCEL_DATA) < 0)
		return err_set(e, -ENAMETOOLONG, "ccel: path too long");
	rc = tee_read_file(path, CCEL_MAX, &b, e);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	rc = tdx_ccel_trim(b.p, b.n, &used, &nev, e);
	if (rc == 0 && used + 8 > b.n) {
		uint8_t *q = realloc(b.p, used + 8);

		if (!q)
			rc = err_set(e, -ENOMEM, "ccel: out of memory");
		else
			b.p = q;
	}
	if (rc == 0) {
		memset(b.p + used, 0xff, 8);
		rc = b64(b.p, used + 8, out, &bl, e);
	}
	free(b.p);
	return rc < 0 ? err_wrap(e, rc, "%s", CCEL_DATA) : 0;
}

static int tdx_evidence(const uint8_t rd[64], char **json, size_t *len, struct err *e)
{
	struct tee_blob q = { NULL, 0 };
	struct tdx_quote tq;
	char *qs = NULL, *el = NULL;
	size_t ql;
	int rc = tee_tsm_report("tdx_guest", rd, &q, NULL, e);

	if (rc < 0) {
		rc = err_wrap(e, rc, "tdx quote");
		goto out;
	}
	if ((rc = tdx_quote_parse(q.p, q.n, &tq, e)) < 0)
		goto out;
	if (memcmp(tq.report_data, rd, 64) != 0) {
		rc = err_set(e, -ERR_DIGEST, "tdx quote: REPORTDATA is not the one requested");
		goto out;
	}
	if ((rc = b64(q.p, q.n, &qs, &ql, e)) < 0 || (rc = tdx_eventlog(&el, e)) < 0)
		goto out;
	if (el)
		rc = json_fmt(json, len, e, "{\"cc_eventlog\":\"%s\",\"quote\":\"%s\"}", el, qs);
	else
		rc = json_fmt(json, len, e, "{\"cc_eventlog\":null,\"quote\":\"%s\"}", qs);
out:
	free(el);
	free(qs);
	free(q.p);
	return rc;
}

/* ---- public ------------------------------------------------------------ */

int tee_evidence(enum tee_kind k, const uint8_t *rd, size_t rd_len, char **json,
		 size_t *len, struct err *e)
{
	*json = NULL;
	*len = 0;
	if (!rd)
		return err_set(e, -EINVAL, "evidence: no report_data");
	if (k == TEE_SAMPLE)
		return sample_evidence(rd, rd_len, json, len, e);
	if (k != TEE_SNP && k != TEE_TDX)
		return err_set(e, -ERR_UNSUPPORTED, "evidence: no TEE to ask (tee %s)",
			       tee_name(k));
	if (rd_len != 64)
		return err_set(e, -EINVAL, "%s evidence: report_data is %zu bytes, expected 64",
			       tee_name(k), rd_len);
	return k == TEE_SNP ? snp_evidence(rd, json, len, e) : tdx_evidence(rd, json, len, e);
}

static int snp_config_id(uint8_t out[64], size_t *len, struct err *e)
{
	static const uint8_t zero[64];
	struct tee_blob rep = { NULL, 0 }, certs = { NULL, 0 };
	struct snp_report r;
	int rc = snp_fresh(zero, &r, &rep, &certs, e);

	if (rc == 0) {
		memcpy(out, r.host_data, 32);
		*len = 32;
	}
	free(rep.p);
	free(certs.p);
	return rc;
}

static int tdx_config_id(uint8_t out[64], size_t *len, struct err *e)
{
	static const uint8_t zero[64];
	struct tee_blob b = { NULL, 0 };
	uint8_t raw[TDX_REPORT_SIZE];
	struct tdx_report r;
	char path[512];
	int rc = tee_tdxguest_report(zero, raw, e);

	if (rc == 0) {
		rc = tdx_report_parse(raw, sizeof(raw), &r, e);
		if (rc == 0) {
			memcpy(out, r.mrconfigid, 48);
			*len = 48;
		}
		return rc;
	}
	if (rc != -ENOENT)
		return rc;
	if (tee_path(path, sizeof(path), TDX_MRCONFIGID_SYSFS) < 0)
		return err_set(e, -ENAMETOOLONG, "tdx mrconfigid: path too long");
	rc = tee_read_file(path, 48, &b, e);
	if (rc == 0 && b.n != 48)
		rc = err_set(e, -ERR_FORMAT, "%s: %zu bytes, expected 48",
			     TDX_MRCONFIGID_SYSFS, b.n);
	if (rc == 0) {
		memcpy(out, b.p, 48);
		*len = 48;
	}
	free(b.p);
	return rc < 0 ? err_wrap(e, rc, "tdx MRCONFIGID (no /dev/tdx_guest)") : 0;
}

int tee_config_id(enum tee_kind k, uint8_t out[64], size_t *len, struct err *e)
{
	*len = 0;
	memset(out, 0, 64);
	if (k == TEE_SNP)
		return snp_config_id(out, len, e);
	if (k == TEE_TDX)
		return tdx_config_id(out, len, e);
	return err_set(e, -ERR_UNSUPPORTED, "config id: tee %s has none", tee_name(k));
}
