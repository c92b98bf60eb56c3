/* sevguest: /dev/sev-guest report ioctls (kernel.md §5.2), the fallback when
 * configfs-tsm is absent.  SNP_GET_EXT_REPORT with a 4-page certificate
 * buffer first; when the host asks for another size (EIO, vmm_error 1, with
 * certs_len rewritten) retry once with that size if the kernel allows it, or
 * else without certificates.  SNP_GET_EXT_REPORT missing (ENOTTY before any
 * firmware call) -> SNP_GET_REPORT.  The structures are defined here with
 * their uapi sizes checked, so the guest needs no kernel headers. */
#include "tee/tee_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tee/snp.h"

#define SEV_DEV "/dev/sev-guest"
#define SNP_GET_REPORT_IOC 0xC0205300ul
#define SNP_GET_EXT_REPORT_IOC 0xC0205302ul
#define SNP_VMM_INVALID_LEN 1u
#define SNP_RESP_SIZE 4000
#define SNP_RESP_REPORT 0x20

struct sev_guest_req {              /* struct snp_guest_request_ioctl */
	uint8_t msg_version;
	uint8_t pad[7];
	uint64_t req_data;
	uint64_t resp_data;
	uint64_t exitinfo2;             /* fw_error low 32, vmm_error high 32 */
};

struct sev_report_req {             /* struct snp_report_req */
	uint8_t user_data[64];
	uint32_t vmpl;
	uint8_t rsvd[28];
};

struct sev_ext_report_req {         /* struct snp_ext_report_req */
	struct sev_report_req data;
	uint64_t certs_address;
	uint32_t certs_len;
	uint32_t pad;
};

_Static_assert(sizeof(struct sev_guest_req) == 32, "snp_guest_request_ioctl");
_Static_assert(sizeof(struct sev_report_req) == 96, "snp_report_req");
_Static_assert(sizeof(struct sev_ext_report_req) == 112, "snp_ext_report_req");

/* musl declares ioctl(int, int, …), glibc ioctl(int, unsigned long, …). */
static int sev_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static int sev_fail(struct err *e, const char *what, int err, uint64_t exitinfo2)
{
	return err_set(e, -err, "%s %s: %s (fw_error 0x%x, vmm_error 0x%x)", SEV_DEV, what,
		       strerror(err), (unsigned)(exitinfo2 & 0xffffffffu),
		       (unsigned)(exitinfo2 >> 32));
}

/* The report out of the 4000-byte response. */
static int take_report(const uint8_t *resp, struct tee_blob *report, struct err *e)
{
	uint32_t status, size;

	memcpy(&status, resp, 4);
	memcpy(&size, resp + 4, 4);
	if (status != 0)
		return err_set(e, -EIO, "%s: firmware status 0x%x", SEV_DEV, status);
	if (size != SNP_REPORT_SIZE)
		return err_set(e, -ERR_FORMAT, "%s: report size %u, expected %d", SEV_DEV,
			       size, SNP_REPORT_SIZE);
	report->p = malloc(SNP_REPORT_SIZE);
	if (!report->p)
		return err_set(e, -ENOMEM, "%s: out of memory", SEV_DEV);
	memcpy(report->p, resp + SNP_RESP_REPORT, SNP_REPORT_SIZE);
	report->n = SNP_REPORT_SIZE;
	return 0;
}

static int plain_report(int fd, const uint8_t rd[64], uint8_t *resp, struct err *e)
{
	struct sev_report_req req;
	struct sev_guest_req g;

	memset(&req, 0, sizeof(req));
	memset(&g, 0, sizeof(g));
	memcpy(req.user_data, rd, 64);
	g.msg_version = 1;
	g.req_data = (uint64_t)(uintptr_t)&req;
	g.resp_data = (uint64_t)(uintptr_t)resp;
	if (sev_ioctl(fd, SNP_GET_REPORT_IOC, &g) < 0)
		return sev_fail(e, "SNP_GET_REPORT", errno, g.exitinfo2);
	return 0;
}

/* One SNP_GET_EXT_REPORT; on INVALID_LEN *want holds the size asked for. */
static int ext_once(int fd, const uint8_t rd[64], uint8_t *resp, uint8_t *certs,
		    uint32_t len, uint32_t *want, struct err *e)
{
	struct sev_ext_report_req req;
	struct sev_guest_req g;

	memset(&req, 0, sizeof(req));
	memset(&g, 0, sizeof(g));
	memcpy(req.data.user_data, rd, 64);
	req.certs_address = (uint64_t)(uintptr_t)certs;
	req.certs_len = len;
	g.msg_version = 1;
	g.req_data = (uint64_t)(uintptr_t)&req;
	g.resp_data = (uint64_t)(uintptr_t)resp;
	*want = 0;
	if (sev_ioctl(fd, SNP_GET_EXT_REPORT_IOC, &g) == 0)
		return 0;
	if (errno == EIO && (g.exitinfo2 >> 32) == SNP_VMM_INVALID_LEN) {
		*want = req.certs_len;
		return -EAGAIN;
	}
	return sev_fail(e, "SNP_GET_EXT_REPORT", errno, g.exitinfo2);
}

static int ext_report(int fd, const uint8_t rd[64], uint8_t *resp, struct tee_blob *certs,
		      struct err *e)
{
	uint32_t want;
	int rc;

	certs->n = SNP_CERTS_BUF;
	rc = ext_once(fd, rd, resp, certs->p, SNP_CERTS_BUF, &want, e);
	if (rc == -EAGAIN && want > 0 && want <= SNP_CERTS_BUF && want % 4096 == 0) {
		certs->n = want;
		rc = ext_once(fd, rd, resp, certs->p, want, &want, e);
	}
	if (rc == -EAGAIN) {            /* no room the kernel allows: no certs */
		certs->n = 0;
		rc = ext_once(fd, rd, resp, NULL, 0, &want, e);
		if (rc == -EAGAIN)
			rc = err_set(e, -EIO, "%s: host keeps asking for %u bytes of "
				     "certificates", SEV_DEV, want);
	}
	return rc;
}

int tee_sevguest_report(const uint8_t rd[64], struct tee_blob *report,
			struct tee_blob *certs, struct err *e)
{
	char path[256];
	uint8_t *resp;
	int fd, rc;

	report->p = NULL;
	report->n = 0;
	certs->p = calloc(1, SNP_CERTS_BUF);
	certs->n = 0;
	resp = calloc(1, SNP_RESP_SIZE);
	if (!certs->p || !resp) {
		rc = err_set(e, -ENOMEM, "%s: out of memory", SEV_DEV);
		goto out;
	}
	if (tee_path(path, sizeof(path), SEV_DEV) < 0) {
		rc = err_set(e, -ENAMETOOLONG, "%s: path too long", SEV_DEV);
		goto out;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = err_set(e, -errno, "%s: open: %s", SEV_DEV, strerror(errno));
		goto out;
	}
	rc = ext_report(fd, rd, resp, certs, e);
	if (rc == -ENOTTY) {            /* no extended request here */
		certs->n = 0;
		rc = plain_report(fd, rd, resp, e);
	}
	close(fd);
	if (rc == 0)
		rc = take_report(resp, report, e);
out:
	free(resp);
	if (rc < 0) {
		free(certs->p);
		certs->p = NULL;
		certs->n = 0;
	}
	return rc;
}
