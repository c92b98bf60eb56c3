/* proxy: `ccguest proxy HOST PORT`, a byte pipe between stdin/stdout and one
 * TCP connection.  `ccguest run` names it as the command of QEMU's
 * guestfwd=…-cmd: forward, which starts one per guest connection, so the
 * guest reaches a service on the host's loopback (restrict=on allows
 * nothing else). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cli.h"
#include "host/util.h"

static const char proxy_usage[] =
	"usage: ccguest proxy HOST PORT\n"
	"\n"
	"Connect to HOST:PORT and copy stdin to it and its answers to stdout until\n"
	"both directions end.  Used by `ccguest run` as QEMU's guestfwd command.\n";

static int proxy_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, rc = getaddrinfo(host, port, &hints, &res);

	if (rc != 0) {
		cli_error("proxy: %s:%s: %s", host, port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		rc = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		cli_error("proxy: connect %s:%s: %s", host, port, strerror(rc));
	return fd;
}

/* Move what is readable on `from` to `to`; 0 at EOF, -1 on error. */
static ssize_t proxy_move(int from, int to)
{
	char buf[65536];
	ssize_t n;

	do
		n = read(from, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n > 0 && util_write_all(to, buf, (size_t)n) < 0)
		return -1;
	return n;
}

static int proxy_pump(int sock)
{
	struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = sock, .events = POLLIN } };

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return CLI_FAIL;
		}
		if (p[0].revents) {
			ssize_t n = proxy_move(0, sock);

			if (n < 0)
				return CLI_FAIL;
			if (n == 0) {
				shutdown(sock, SHUT_WR);
				p[0].fd = -1;
			}
		}
		if (p[1].revents) {
			ssize_t n = proxy_move(sock, 1);

			if (n < 0)
				return CLI_FAIL;
			if (n == 0)
				return CLI_OK;      /* the service closed: done */
		}
	}
	return CLI_OK;
}

/* Under QEMU's guestfwd, stderr is the guest's connection too: a message
 * there would reach the guest as bytes of the stream (and a TLS client would
 * see a bad record instead of a closed connection).  Stay silent then. */
static bool proxy_stderr_is_socket(void)
{
	struct stat st;

	return fstat(2, &st) == 0 && S_ISSOCK(st.st_mode);
}

int cmd_proxy(int argc, char **argv)
{
	int sock, rc;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(proxy_usage, stdout);
		return CLI_OK;
	}
	if (argc != 3) {
		fputs(proxy_usage, stderr);
		return CLI_USAGE;
	}
	if (proxy_stderr_is_socket() && dup2(open("/dev/null", O_WRONLY | O_CLOEXEC), 2) < 0)
		return CLI_FAIL;
	sock = proxy_connect(argv[1], argv[2]);
	if (sock < 0)
		return CLI_FAIL;
	rc = proxy_pump(sock);
	close(sock);
	return rc;
}
