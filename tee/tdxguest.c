/* tdxguest: TDX_CMD_GET_REPORT0 on /dev/tdx_guest (kernel.md §5.6).  The
 * structure is defined here with its uapi size checked. */
#include "tee/tee_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TDX_DEV "/dev/tdx_guest"
#define TDX_CMD_GET_REPORT0_IOC 0xC4405401ul

struct tdx_report_req {
	uint8_t reportdata[64];
	uint8_t tdreport[1024];
};

_Static_assert(sizeof(struct tdx_report_req) == 1088, "tdx_report_req");

/* musl declares ioctl(int, int, …), glibc ioctl(int, unsigned long, …). */
static int tdx_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

int tee_tdxguest_report(const uint8_t rd[64], uint8_t tdreport[1024], struct err *e)
{
	struct tdx_report_req req;
	char path[256];
	int fd, rc = 0;

	if (tee_path(path, sizeof(path), TDX_DEV) < 0)
		return err_set(e, -ENAMETOOLONG, "%s: path too long", TDX_DEV);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, -errno, "%s: open: %s", TDX_DEV, strerror(errno));
	memset(&req, 0, sizeof(req));
	memcpy(req.reportdata, rd, 64);
	if (tdx_ioctl(fd, TDX_CMD_GET_REPORT0_IOC, &req) < 0)
		rc = err_set(e, -errno, "%s: TDX_CMD_GET_REPORT0: %s", TDX_DEV,
			     strerror(errno));
	else
		memcpy(tdreport, req.tdreport, 1024);
	close(fd);
	return rc;
}
