/* link: interface setup over rtnetlink (NETLINK_ROUTE, no libmnl).
 *
 * Every request carries its own sequence number and asks for an ACK; the
 * answer is read with a bounded wait (LINK_NL_TIMEOUT_MS) and a bounded
 * number of messages, and only the kernel's (pid 0) message with our sequence
 * counts.  A NLMSG_ERROR with a non-zero code is returned as that -errno.
 * Interface names are at most 15 bytes (IFNAMSIZ - 1). */
#ifndef CCG_NET_LINK_H
#define CCG_NET_LINK_H

#include <netinet/in.h>
#include <stdint.h>

#include "base/err.h"

#define LINK_NL_TIMEOUT_MS 2000

/* Set IFF_UP on ifname. */
int link_up(const char *ifname, struct err *e);

/* The first (lowest index) non-loopback interface whose type is ARPHRD_ETHER,
 * by an RTM_GETLINK dump, retried every 50 ms for up to wait_ms (virtio_net
 * may probe late).  -ERR_NOTFOUND after wait_ms. */
int link_first_ether(char name[16], int wait_ms, struct err *e);

/* Add (or replace) a/prefix on ifname, with the subnet's broadcast address. */
int link_addr_add(const char *ifname, struct in_addr a, unsigned prefix, struct err *e);

/* Add (or replace) the IPv4 default route via gw out of ifname, on-link (gw
 * need not be inside the interface's subnet). */
int link_route_default(const char *ifname, struct in_addr gw, struct err *e);

/* The interface's 6-byte hardware address (IFLA_ADDRESS). */
int link_mac(const char *ifname, uint8_t mac[6], struct err *e);

#endif
