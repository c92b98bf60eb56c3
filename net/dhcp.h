/* dhcp: a DHCPv4 lease for one interface, from lwIP's client (NO_SYS, raw API).
 *
 * lwIP runs on a private netif with the interface's MAC: its link output
 * sends Ethernet frames on an AF_PACKET socket bound to the interface, and the
 * frames that socket receives go to the netif's input.  The kernel interface
 * is up with no IPv4 address meanwhile, so the kernel's own stack neither
 * answers nor conflicts; the lease is applied to it afterwards (net_apply).
 * No RELEASE is sent when the session ends: the address stays in use.  No
 * renewal either: the lease is taken once, at boot.
 *
 * One session at a time (lwIP's state is global); not thread-safe. */
#ifndef CCG_NET_DHCP_H
#define CCG_NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "net/net.h"

/* Run DHCP on ifname (up, no IPv4 address) until bound or timeout_ms.
 * Errors: "dhcp: no offer within 10 s on eth0", "dhcp: offer from 10.0.2.2
 * but no ACK within 10 s on eth0", or the failing socket step. */
int dhcp_acquire(const char *ifname, int timeout_ms, struct net_lease *out, struct err *e);

/* ---- the lwIP session without sockets (dhcp_acquire; tests; fuzz_dhcp) ---- */

struct dhcp_sess;

/* Sends one Ethernet frame; < 0 on failure. */
typedef int (*dhcp_tx_fn)(void *ctx, const void *frame, size_t len);

/* A netif with mac whose frames go to tx, and DHCP started on it (the first
 * DISCOVER is sent before this returns). */
int dhcp_sess_new(const uint8_t mac[6], dhcp_tx_fn tx, void *ctx, struct dhcp_sess **out,
		  struct err *e);
/* One received Ethernet frame (copied; at most DHCP_FRAME_MAX bytes). */
void dhcp_sess_input(struct dhcp_sess *s, const void *frame, size_t len);
/* Run the lwIP timers that are due; the ms until the next one (bounded). */
int dhcp_sess_poll(struct dhcp_sess *s);
/* Fire the DHCP (fine and coarse) and ARP timers now, regardless of time. */
void dhcp_sess_fire_timers(struct dhcp_sess *s);
bool dhcp_sess_bound(const struct dhcp_sess *s);
/* The bound lease; -EAGAIN when not bound. */
int dhcp_sess_lease(const struct dhcp_sess *s, struct net_lease *out, struct err *e);
/* Stop DHCP (no RELEASE is sent) and free.  NULL is fine. */
void dhcp_sess_free(struct dhcp_sess *s);

#define DHCP_FRAME_MAX 1518

#endif
