/* dhcp_probe: net_setup() from the host, for tests/net/test_dhcp.py.
 *
 *   dhcp_probe [--static ADDR/PFX,GW[,DNS]] [--timeout MS]
 *
 * Run as root inside a network namespace.  The probe first moves into its own
 * mount namespace with an empty tmpfs on /etc, so the /etc/resolv.conf that
 * net_setup writes is a private one (printed, then gone).  Prints
 *
 *   addr=A prefix=N gw=G dns=D1,D2 lease=S
 *   resolv.conf:
 *   nameserver D1 ...
 *
 * or "dhcp_probe: error: MESSAGE" and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "net/net.h"

static int private_etc(struct err *e)
{
	if (unshare(CLONE_NEWNS) < 0)
		return err_set(e, -errno, "unshare mount namespace: %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(e, -errno, "make / private: %s", strerror(errno));
	if (mount("tmpfs", "/etc", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755") < 0)
		return err_set(e, -errno, "tmpfs on /etc: %s", strerror(errno));
	return 0;
}

static void print_lease(const struct net_lease *l)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &l->addr, a, sizeof(a));
	inet_ntop(AF_INET, &l->gw, g, sizeof(g));
	printf("addr=%s prefix=%u gw=%s dns=", a, l->prefix, g);
	for (unsigned i = 0; i < l->n_dns; i++) {
		inet_ntop(AF_INET, &l->dns[i], d, sizeof(d));
		printf("%s%s", i ? "," : "", d);
	}
	printf(" lease=%u\n", (unsigned)l->lease_s);
}

static void print_resolv(void)
{
	char buf[512];
	ssize_t n;
	int fd = open(NET_RESOLV_CONF, O_RDONLY | O_CLOEXEC);

	printf("resolv.conf:\n");
	if (fd < 0) {
		printf("(missing)\n");
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0)
		fwrite(buf, 1, (size_t)n, stdout);
}

int main(int argc, char **argv)
{
	const char *spec = NULL;
	int timeout_ms = 10000;
	struct net_lease l;
	struct err e = { 0 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--static") && i + 1 < argc) {
			spec = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout_ms = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: dhcp_probe [--static SPEC] [--timeout MS]\n");
			return 2;
		}
	}
	if (private_etc(&e) < 0 || net_setup(spec, timeout_ms, &l, &e) < 0) {
		printf("dhcp_probe: error: %s\n", e.msg);
		return 1;
	}
	print_lease(&l);
	print_resolv();
	return 0;
}
