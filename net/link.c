/* link: see link.h. */
#include "net/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NL_REQ_MAX 256
#define NL_RECV_MAX 16384
#define NL_MAX_READS 256   /* datagrams read for one answer */
#define LINK_POLL_MS 50

struct nl {
	int fd;
	uint32_t seq;
};

union nl_req {
	struct nlmsghdr h;
	char buf[NL_REQ_MAX];
};

/* One interface, as an RTM_NEWLINK message describes it. */
struct link_info {
	int index;
	unsigned short type;
	unsigned flags;
	char name[IFNAMSIZ];
	uint8_t mac[6];
	bool has_mac;
};

/* ---- the socket ---------------------------------------------------------------- */

static uint32_t nl_first_seq(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec << 20;
}

static int nl_open(struct nl *n, struct err *e)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { LINK_NL_TIMEOUT_MS / 1000, (LINK_NL_TIMEOUT_MS % 1000) * 1000 };
	int rc;

	n->seq = nl_first_seq();
	n->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (n->fd < 0)
		return err_set(e, -errno, "rtnetlink socket: %s", strerror(errno));
	if (setsockopt(n->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(n->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(n->fd);
		n->fd = -1;
		return err_set(e, rc, "rtnetlink socket setup: %s", strerror(-rc));
	}
	return 0;
}

static void nl_close(struct nl *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

/* Start a request of `type` with a fixed header of hlen bytes. */
static void nl_init(union nl_req *r, uint16_t type, uint16_t flags, const void *hdr, size_t hlen)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(hlen);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | flags;
	memcpy(NLMSG_DATA(&r->h), hdr, hlen);
}

/* Append attribute `type`; -ERR_LIMIT when it does not fit. */
static int nl_attr(union nl_req *r, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->h.nlmsg_len);
	struct rtattr *a;

	if (len > NL_REQ_MAX || off + RTA_SPACE(len) > sizeof(r->buf))
		return -ERR_LIMIT;
	a = (struct rtattr *)(void *)(r->buf + off);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

static int nl_send(struct nl *n, union nl_req *r, struct err *e)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	ssize_t w;

	r->h.nlmsg_seq = ++n->seq;
	w = sendto(n->fd, r->buf, r->h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k));
	if (w < 0)
		return err_set(e, -errno, "rtnetlink send: %s", strerror(errno));
	if ((size_t)w != r->h.nlmsg_len)
		return err_set(e, -EIO, "rtnetlink send: short write");
	return 0;
}

/* One datagram from the kernel into buf; its length, or a negative code. */
static ssize_t nl_recv(struct nl *n, void *buf, size_t cap, struct err *e)
{
	struct sockaddr_nl from;
	socklen_t fl = sizeof(from);
	ssize_t got;

	do
		got = recvfrom(n->fd, buf, cap, MSG_TRUNC, (struct sockaddr *)&from, &fl);
	while (got < 0 && errno == EINTR);
	if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return err_set(e, -ETIMEDOUT, "rtnetlink: no answer within %d ms",
			       LINK_NL_TIMEOUT_MS);
	if (got < 0)
		return err_set(e, -errno, "rtnetlink receive: %s", strerror(errno));
	if ((size_t)got > cap)
		return err_set(e, -ERR_LIMIT, "rtnetlink: answer of %zd bytes, at most %zu",
			       got, cap);
	if (fl != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
		return 0; /* not the kernel's: ignore */
	return got;
}

/* The code in a NLMSG_ERROR message (0 for an ACK). */
static int nl_errcode(const struct nlmsghdr *h)
{
	const struct nlmsgerr *m = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EPROTO;
	return m->error > 0 ? -EPROTO : m->error;
}

/* Call fn for every message answering our last request, until an ACK/error
 * (request) or NLMSG_DONE (dump).  fn may be NULL. */
typedef void (*nl_fn)(const struct nlmsghdr *h, void *ctx);

static int nl_answer(struct nl *n, nl_fn fn, void *ctx, const char *what, struct err *e)
{
	static _Alignas(struct nlmsghdr) char buf[NL_RECV_MAX];
	int rc;

	for (int reads = 0; reads < NL_MAX_READS; reads++) {
		ssize_t got = nl_recv(n, buf, sizeof(buf), e);
		size_t left;

		if (got < 0)
			return err_wrap(e, (int)got, "%s", what);
		left = (size_t)got;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != n->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				rc = nl_errcode(h);
				return rc ? err_set(e, rc, "%s: %s", what, strerror(-rc)) : 0;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				return err_set(e, -EAGAIN, "%s: dump interrupted", what);
			if (fn)
				fn(h, ctx);
		}
	}
	return err_set(e, -ERR_LIMIT, "%s: no end after %d reads", what, NL_MAX_READS);
}

/* Send r and wait for the kernel's ACK. */
static int nl_request(union nl_req *r, const char *what, struct err *e)
{
	struct nl n;
	int rc;

	rc = nl_open(&n, e);
	if (rc < 0)
		return rc;
	r->h.nlmsg_flags |= NLM_F_ACK;
	rc = nl_send(&n, r, e);
	if (rc == 0)
		rc = nl_answer(&n, NULL, NULL, what, e);
	nl_close(&n);
	return rc;
}

static int link_ctx(int rc, const char *ifname, struct err *e);

/* ---- links --------------------------------------------------------------------- */

static int link_index(const char *ifname, struct err *e)
{
	unsigned idx;

	if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ)
		return err_set(e, -EINVAL, "bad interface name");
	idx = if_nametoindex(ifname);
	if (idx == 0 || idx > INT32_MAX)
		return err_set(e, -ENODEV, "%s: no such interface", ifname);
	return (int)idx;
}

/* Decode an RTM_NEWLINK message; false when it is malformed. */
static bool link_parse(const struct nlmsghdr *h, struct link_info *li)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a;
	int left;

	memset(li, 0, sizeof(*li));
	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return false;
	li->index = ifi->ifi_index;
	li->type = ifi->ifi_type;
	li->flags = ifi->ifi_flags;
	left = (int)IFLA_PAYLOAD(h);
	for (a = IFLA_RTA(ifi); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		size_t plen = RTA_PAYLOAD(a);

		if (a->rta_type == IFLA_IFNAME) {
			size_t l = strnlen(RTA_DATA(a), plen);

			if (l == 0 || l == plen || l >= IFNAMSIZ)
				return false;
			memcpy(li->name, RTA_DATA(a), l);
		} else if (a->rta_type == IFLA_ADDRESS && plen == 6) {
			memcpy(li->mac, RTA_DATA(a), 6);
			li->has_mac = true;
		}
	}
	return li->name[0] != '\0' && li->index > 0;
}

/* What a links dump looks for: the first Ethernet NIC, or one by name. */
struct link_find {
	const char *name; /* NULL: the first non-loopback ARPHRD_ETHER */
	struct link_info found;
	bool ok;
};

static void link_find_fn(const struct nlmsghdr *h, void *ctx)
{
	struct link_find *f = ctx;
	struct link_info li;

	if (!link_parse(h, &li))
		return;
	if (f->name ? strcmp(li.name, f->name) != 0
		    : li.type != ARPHRD_ETHER || (li.flags & IFF_LOOPBACK))
		return;
	if (!f->ok || li.index < f->found.index) {
		f->found = li;
		f->ok = true;
	}
}

static int link_dump(struct link_find *f, struct err *e)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	union nl_req r;
	struct nl n;
	int rc;

	f->ok = false;
	nl_init(&r, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	rc = nl_open(&n, e);
	if (rc < 0)
		return rc;
	rc = nl_send(&n, &r, e);
	if (rc == 0)
		rc = nl_answer(&n, link_find_fn, f, "list interfaces", e);
	nl_close(&n);
	return rc;
}

static long link_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int link_first_ether(char name[16], int wait_ms, struct err *e)
{
	struct timespec t0, nap = { 0, LINK_POLL_MS * 1000000L };
	struct link_find f = { .name = NULL };
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		rc = link_dump(&f, e);
		if (rc < 0 && rc != -EAGAIN)
			return rc;
		if (rc == 0 && f.ok) {
			memcpy(name, f.found.name, IFNAMSIZ);
			return 0;
		}
		if (link_ms_since(&t0) >= wait_ms)
			return err_set(e, -ERR_NOTFOUND, "no Ethernet interface within %d ms",
				       wait_ms);
		nanosleep(&nap, NULL);
	}
}

int link_mac(const char *ifname, uint8_t mac[6], struct err *e)
{
	struct link_find f = { .name = ifname };
	int rc;

	rc = link_index(ifname, e);
	if (rc < 0)
		return rc;
	rc = link_dump(&f, e);
	if (rc < 0)
		return link_ctx(rc, ifname, e);
	if (!f.ok || !f.found.has_mac)
		return err_set(e, -ERR_NOTFOUND, "%s: no Ethernet address", ifname);
	memcpy(mac, f.found.mac, 6);
	return 0;
}

/* rc, with the interface name in front of the message when it failed. */
static int link_ctx(int rc, const char *ifname, struct err *e)
{
	return rc < 0 ? err_wrap(e, rc, "%s", ifname) : 0;
}

int link_up(const char *ifname, struct err *e)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	union nl_req r;
	int idx = link_index(ifname, e);

	if (idx < 0)
		return idx;
	ifi.ifi_index = idx;
	nl_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return link_ctx(nl_request(&r, "set up", e), ifname, e);
}

int link_addr_add(const char *ifname, struct in_addr a, unsigned prefix, struct err *e)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_scope = RT_SCOPE_UNIVERSE };
	char what[64], s[INET_ADDRSTRLEN];
	struct in_addr bcast;
	union nl_req r;
	int idx, rc;

	if (prefix == 0 || prefix > 32)
		return err_set(e, -EINVAL, "%s: prefix length %u not in 1..32", ifname, prefix);
	idx = link_index(ifname, e);
	if (idx < 0)
		return idx;
	ifa.ifa_prefixlen = (unsigned char)prefix;
	ifa.ifa_index = (unsigned)idx;
	bcast.s_addr = a.s_addr | htonl(prefix == 32 ? 0 : 0xffffffffu >> prefix);
	inet_ntop(AF_INET, &a, s, sizeof(s));
	snprintf(what, sizeof(what), "add address %s/%u", s, prefix);
	nl_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, &ifa, sizeof(ifa));
	rc = nl_attr(&r, IFA_LOCAL, &a, sizeof(a));
	if (rc == 0)
		rc = nl_attr(&r, IFA_ADDRESS, &a, sizeof(a));
	if (rc == 0 && prefix < 31)
		rc = nl_attr(&r, IFA_BROADCAST, &bcast, sizeof(bcast));
	if (rc < 0)
		return err_set(e, rc, "%s: %s: request too long", ifname, what);
	return link_ctx(nl_request(&r, what, e), ifname, e);
}

int link_route_default(const char *ifname, struct in_addr gw, struct err *e)
{
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
			    .rtm_type = RTN_UNICAST, .rtm_flags = RTNH_F_ONLINK };
	char what[64], s[INET_ADDRSTRLEN];
	union nl_req r;
	uint32_t oif;
	int idx, rc;

	idx = link_index(ifname, e);
	if (idx < 0)
		return idx;
	oif = (uint32_t)idx;
	inet_ntop(AF_INET, &gw, s, sizeof(s));
	snprintf(what, sizeof(what), "add default route via %s", s);
	nl_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rt, sizeof(rt));
	rc = nl_attr(&r, RTA_GATEWAY, &gw, sizeof(gw));
	if (rc == 0)
		rc = nl_attr(&r, RTA_OIF, &oif, sizeof(oif));
	if (rc < 0)
		return err_set(e, rc, "%s: %s: request too long", ifname, what);
	return link_ctx(nl_request(&r, what, e), ifname, e);
}
