/* net: see net.h. */
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/dhcp.h"
#include "net/link.h"
#include "net/netcfg.h"

#define NET_RESOLV_MAX 256

/* Write the whole text to path through a temporary file and rename. */
static int net_write_file(const char *path, const char *text, size_t len, struct err *e)
{
	char tmp[256];
	size_t off = 0;
	int fd, rc = 0, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return err_set(e, -ENAMETOOLONG, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	while (off < len && rc == 0) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno != EINTR)
			rc = err_set(e, -errno, "write %s: %s", tmp, strerror(errno));
		else if (w > 0)
			off += (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = err_set(e, -errno, "close %s: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = err_set(e, -errno, "rename %s to %s: %s", tmp, path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int net_apply(const char *ifname, const struct net_lease *l, const char *resolv_conf_path,
	      struct err *e)
{
	char text[NET_RESOLV_MAX];
	size_t len;
	int rc;

	rc = link_addr_add(ifname, l->addr, l->prefix, e);
	if (rc == 0 && l->gw.s_addr != 0)
		rc = link_route_default(ifname, l->gw, e);
	if (rc == 0 && resolv_conf_path) {
		rc = netcfg_resolv(l, text, sizeof(text), &len, e);
		if (rc == 0)
			rc = net_write_file(resolv_conf_path, text, len, e);
	}
	return rc;
}

int net_setup(const char *static_spec, int timeout_ms, struct net_lease *out, struct err *e)
{
	char ifname[16];
	int rc;

	memset(out, 0, sizeof(*out));
	if (static_spec) {
		rc = netcfg_parse(static_spec, strlen(static_spec), out, e);
		if (rc < 0)
			return rc;
	}
	rc = link_up("lo", e);
	if (rc < 0)
		return err_wrap(e, rc, "loopback");
	rc = link_first_ether(ifname, timeout_ms, e);
	if (rc < 0)
		return err_wrap(e, rc, "network interface");
	rc = link_up(ifname, e);
	if (rc < 0)
		return err_wrap(e, rc, "network interface");
	if (!static_spec) {
		rc = dhcp_acquire(ifname, timeout_ms, out, e);
		if (rc < 0)
			return rc;
	}
	rc = net_apply(ifname, out, NET_RESOLV_CONF, e);
	if (rc < 0)
		return err_wrap(e, rc, "apply %s", static_spec ? "static network" : "dhcp lease");
	return 0;
}
