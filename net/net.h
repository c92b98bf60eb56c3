/* net: bring up the guest's network (edge, ccinit).
 *
 *   net_setup   loopback up; the first Ethernet NIC up; its lease from the
 *               static form (ccinit.net=ADDR/PFX,GW[,DNS], see netcfg.h) or
 *               from DHCPv4 (lwIP's client over an AF_PACKET socket, see
 *               dhcp.h); then net_apply and /etc/resolv.conf.
 *   net_apply   address + default route through rtnetlink (link.h), and the
 *               resolv.conf "nameserver" lines.
 *
 * Addresses are in network byte order (struct in_addr). */
#ifndef CCG_NET_NET_H
#define CCG_NET_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>

#include "base/err.h"

#define NET_DNS_MAX 2

struct net_lease {
	struct in_addr addr;             /* our address */
	struct in_addr gw;               /* default gateway, 0.0.0.0 for none */
	struct in_addr dns[NET_DNS_MAX]; /* the first n_dns are set */
	unsigned prefix;                 /* 1..32 */
	unsigned n_dns;
	uint32_t lease_s;                /* DHCP lease time, 0 for static */
};

/* The file net_setup writes. */
#define NET_RESOLV_CONF "/etc/resolv.conf"

/* static_spec NULL: DHCP, bounded by timeout_ms (which also bounds the wait for
 * the NIC to appear).  Fills *out with what was applied.  Errors name the step:
 * "dhcp: no offer within 10 s on eth0". */
int net_setup(const char *static_spec, int timeout_ms, struct net_lease *out, struct err *e);

/* Address l->addr/l->prefix on ifname, a default route via l->gw (none when
 * l->gw is 0.0.0.0), and resolv_conf_path rewritten with l's DNS servers
 * (left alone when resolv_conf_path is NULL). */
int net_apply(const char *ifname, const struct net_lease *l, const char *resolv_conf_path,
	      struct err *e);

#endif
