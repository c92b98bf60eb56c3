/* dhcp: see dhcp.h. */
#include "net/dhcp.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/dhcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "base/log.h"
#include "net/link.h"
#include "net/netcfg.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define DHCP_POLL_MAX_MS 1000 /* the longest single wait */
#define DHCP_DRAIN_MAX 64     /* frames read per wake-up */

struct dhcp_sess {
	struct netif nif;
	uint8_t mac[6];
	dhcp_tx_fn tx;
	void *ctx;
	bool quiet; /* drop output: stopping must not send a RELEASE */
};

/* ---- the lwIP port (arch/cc.h) ----------------------------------------------- */

u32_t sys_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

uint32_t ccg_lwip_rand(void)
{
	struct timespec ts;
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* Early boot without entropy yet: ids only need to differ between runs. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec * 2654435761u ^ (uint32_t)ts.tv_sec;
}

void ccg_lwip_assert(const char *msg, const char *file, int line)
{
#if defined(CCG_TEST) || defined(CCG_FUZZ)
	fprintf(stderr, "lwip assertion \"%s\" failed at %s:%d\n", msg, file, line);
	abort();
#else
	/* PID 1 never aborts; the caller's bounded wait still ends the session. */
	log_warn("lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
#endif
}

/* ---- the session --------------------------------------------------------------- */

static err_t sess_linkoutput(struct netif *nif, struct pbuf *p)
{
	struct dhcp_sess *s = nif->state;
	uint8_t frame[DHCP_FRAME_MAX];

	if (s->quiet)
		return ERR_OK;
	if (p->tot_len > sizeof(frame) ||
	    pbuf_copy_partial(p, frame, p->tot_len, 0) != p->tot_len)
		return ERR_BUF;
	return s->tx(s->ctx, frame, p->tot_len) < 0 ? ERR_IF : ERR_OK;
}

static err_t sess_netif_init(struct netif *nif)
{
	struct dhcp_sess *s = nif->state;

	nif->name[0] = 'c';
	nif->name[1] = 'g';
	nif->output = etharp_output;
	nif->linkoutput = sess_linkoutput;
	nif->mtu = 1500;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, s->mac, ETH_HWADDR_LEN);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	return ERR_OK;
}

static void lwip_once(void)
{
	static bool done;

	if (!done) {
		lwip_init();
		done = true;
	}
	for (u8_t i = 0; i < DNS_MAX_SERVERS; i++)
		dns_setserver(i, NULL); /* nothing from an earlier session */
}

int dhcp_sess_new(const uint8_t mac[6], dhcp_tx_fn tx, void *ctx, struct dhcp_sess **out,
		  struct err *e)
{
	struct dhcp_sess *s;
	err_t le;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(e, -ENOMEM, "dhcp session: out of memory");
	memcpy(s->mac, mac, 6);
	s->tx = tx;
	s->ctx = ctx;
	lwip_once();
	if (!netif_add(&s->nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, s,
		       sess_netif_init, netif_input)) {
		free(s);
		return err_set(e, -EIO, "dhcp session: lwip netif_add failed");
	}
	netif_set_up(&s->nif);
	netif_set_link_up(&s->nif);
	le = dhcp_start(&s->nif);
	if (le != ERR_OK) {
		dhcp_sess_free(s);
		return err_set(e, le == ERR_MEM ? -ENOMEM : -EIO, "dhcp start: lwip error %d",
			       (int)le);
	}
	*out = s;
	return 0;
}

void dhcp_sess_input(struct dhcp_sess *s, const void *frame, size_t len)
{
	struct pbuf *p;

	if (len < SIZEOF_ETH_HDR || len > DHCP_FRAME_MAX)
		return;
	p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p)
		return;
	if (pbuf_take(p, frame, (u16_t)len) != ERR_OK || s->nif.input(p, &s->nif) != ERR_OK)
		pbuf_free(p);
}

int dhcp_sess_poll(struct dhcp_sess *s)
{
	u32_t next;

	(void)s;
	sys_check_timeouts();
	next = sys_timeouts_sleeptime();
	return next > DHCP_POLL_MAX_MS ? DHCP_POLL_MAX_MS : (int)next;
}

void dhcp_sess_fire_timers(struct dhcp_sess *s)
{
	(void)s;
	dhcp_fine_tmr();
	dhcp_coarse_tmr();
	etharp_tmr();
}

bool dhcp_sess_bound(const struct dhcp_sess *s)
{
	return dhcp_supplied_address(&s->nif) != 0;
}

/* The DHCP client's state (DHCP_STATE_*). */
static int sess_state(const struct dhcp_sess *s)
{
	const struct dhcp *d = netif_dhcp_data(&s->nif);

	return d ? d->state : DHCP_STATE_OFF;
}

int dhcp_sess_lease(const struct dhcp_sess *s, struct net_lease *out, struct err *e)
{
	const struct dhcp *d = netif_dhcp_data(&s->nif);
	struct in_addr mask;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!d || !dhcp_sess_bound(s))
		return err_set(e, -EAGAIN, "not bound");
	out->addr.s_addr = ip4_addr_get_u32(netif_ip4_addr(&s->nif));
	out->gw.s_addr = ip4_addr_get_u32(netif_ip4_gw(&s->nif));
	mask.s_addr = ip4_addr_get_u32(netif_ip4_netmask(&s->nif));
	if (!netcfg_addr_is_unicast(out->addr)) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &out->addr, a, sizeof(a));
		rc = err_set(e, -ERR_FORMAT, "offered address %s is not a host address", a);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	rc = netcfg_mask_prefix(mask, &out->prefix, e);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	for (u8_t i = 0; i < DNS_MAX_SERVERS && out->n_dns < NET_DNS_MAX; i++) {
		const ip_addr_t *a = dns_getserver(i);

		if (!ip_addr_isany(a))
			out->dns[out->n_dns++].s_addr = ip4_addr_get_u32(ip_2_ip4(a));
	}
	out->lease_s = d->offered_t0_lease;
	return 0;
}

void dhcp_sess_free(struct dhcp_sess *s)
{
	if (!s)
		return;
	s->quiet = true;
	dhcp_release_and_stop(&s->nif);
	dhcp_cleanup(&s->nif);
	netif_remove(&s->nif);
	free(s);
}

/* ---- the AF_PACKET edge ---------------------------------------------------------- */

struct pkt {
	int fd;
	int ifindex;
};

static int pkt_open(const char *ifname, struct pkt *k, struct err *e)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int one = 1, rc;
	unsigned idx = if_nametoindex(ifname);

	if (idx == 0 || idx > INT32_MAX)
		return err_set(e, -ENODEV, "%s: no such interface", ifname);
	k->ifindex = (int)idx;
	k->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (k->fd < 0)
		return err_set(e, -errno, "%s: packet socket: %s", ifname, strerror(errno));
	/* Not our own frames back (older kernels: filtered in pkt_drain). */
	(void)setsockopt(k->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	sa.sll_ifindex = k->ifindex;
	if (bind(k->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(k->fd);
		k->fd = -1;
		return err_set(e, rc, "%s: bind packet socket: %s", ifname, strerror(-rc));
	}
	return 0;
}

static int pkt_tx(void *ctx, const void *frame, size_t len)
{
	struct pkt *k = ctx;
	ssize_t w = send(k->fd, frame, len, 0);

	return w == (ssize_t)len ? 0 : -1;
}

/* Feed the frames waiting on the socket to the session (a bounded number). */
static int pkt_drain(struct pkt *k, struct dhcp_sess *s)
{
	static uint8_t buf[DHCP_FRAME_MAX + 1];

	for (int i = 0; i < DHCP_DRAIN_MAX; i++) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t got = recvfrom(k->fd, buf, sizeof(buf), MSG_TRUNC,
				       (struct sockaddr *)&from, &fl);

		if (got < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
		if ((size_t)got > DHCP_FRAME_MAX || fl < sizeof(from) ||
		    from.sll_ifindex != k->ifindex || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		dhcp_sess_input(s, buf, (size_t)got);
	}
	return 0;
}

/* "no offer within 10 s on eth0" and its kin. */
static int dhcp_timeout_err(const struct dhcp_sess *s, const char *ifname, int timeout_ms,
			    struct err *e)
{
	const struct dhcp *d = netif_dhcp_data(&s->nif);
	double secs = timeout_ms / 1000.0;
	char from[INET_ADDRSTRLEN] = "?";

	if (sess_state(s) == DHCP_STATE_REQUESTING) {
		struct in_addr a = { ip4_addr_get_u32(ip_2_ip4(&d->server_ip_addr)) };

		inet_ntop(AF_INET, &a, from, sizeof(from));
		return err_set(e, -ETIMEDOUT, "offer from %s but no ACK within %g s on %s", from,
			       secs, ifname);
	}
	return err_set(e, -ETIMEDOUT, "no offer within %g s on %s", secs, ifname);
}

/* Run the session until bound or timeout_ms. */
static int dhcp_loop(struct dhcp_sess *s, struct pkt *k, const char *ifname, int timeout_ms,
		     struct err *e)
{
	u32_t t0 = sys_now();

	for (;;) {
		struct pollfd pfd = { .fd = k->fd, .events = POLLIN };
		int wait = dhcp_sess_poll(s), rc;
		u32_t used;

		if (dhcp_sess_bound(s))
			return 0;
		used = sys_now() - t0;
		if (used >= (u32_t)timeout_ms)
			return dhcp_timeout_err(s, ifname, timeout_ms, e);
		if ((u32_t)wait > (u32_t)timeout_ms - used)
			wait = (int)((u32_t)timeout_ms - used);
		rc = poll(&pfd, 1, wait);
		if (rc < 0 && errno != EINTR)
			return err_set(e, -errno, "poll on %s: %s", ifname, strerror(errno));
		if (rc > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
			return err_set(e, -EIO, "packet socket on %s failed", ifname);
		if (rc > 0 && (rc = pkt_drain(k, s)) < 0)
			return err_set(e, rc, "receive on %s: %s", ifname, strerror(-rc));
	}
}

int dhcp_acquire(const char *ifname, int timeout_ms, struct net_lease *out, struct err *e)
{
	struct pkt k = { .fd = -1 };
	struct dhcp_sess *s = NULL;
	uint8_t mac[6];
	int rc;

	memset(out, 0, sizeof(*out));
	if (timeout_ms <= 0)
		return err_set(e, -EINVAL, "dhcp: timeout %d ms", timeout_ms);
	rc = link_mac(ifname, mac, e);
	if (rc < 0)
		goto out;
	rc = pkt_open(ifname, &k, e);
	if (rc < 0)
		goto out;
	rc = dhcp_sess_new(mac, pkt_tx, &k, &s, e);
	if (rc < 0)
		goto close_pkt;
	rc = dhcp_loop(s, &k, ifname, timeout_ms, e);
	if (rc == 0)
		rc = dhcp_sess_lease(s, out, e);
	dhcp_sess_free(s);
close_pkt:
	close(k.fd);
out:
	return rc < 0 ? err_wrap(e, rc, "dhcp") : 0;
}
