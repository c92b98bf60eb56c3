/* netcfg: pure helpers for the network configuration (no I/O).
 *
 * The static form, from the kernel command line key ccinit.net:
 *
 *   ADDR/PFX,GW[,DNS]     e.g. 10.0.2.15/24,10.0.2.2,10.0.2.3
 *
 * ADDR, GW and DNS are dotted quads (four decimal numbers 0..255, no leading
 * zeros, nothing else); 0 < PFX <= 32; GW need not be in ADDR's subnet (the
 * route is added on-link).  ADDR must be a unicast address
 * (netcfg_addr_is_unicast); GW and DNS must not be
 * 0.0.0.0.  Anything after the last field is rejected. */
#ifndef CCG_NET_NETCFG_H
#define CCG_NET_NETCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "net/net.h"

#define NETCFG_SPEC_MAX 63

/* A usable host address: not 0.0.0.0, loopback 127/8, multicast 224/4 or
 * reserved/broadcast 240/4. */
bool netcfg_addr_is_unicast(struct in_addr a);

/* Parse the static form (len bytes, no NUL needed) into *out (lease_s 0). */
int netcfg_parse(const char *spec, size_t len, struct net_lease *out, struct err *e);

/* The prefix length of a netmask (network byte order); -ERR_FORMAT when the
 * mask is not contiguous ones then zeros, or is 0.0.0.0. */
int netcfg_mask_prefix(struct in_addr mask, unsigned *prefix, struct err *e);

/* The resolv.conf text for l: one "nameserver A.B.C.D\n" line per server.
 * Writes at most cap bytes including the NUL; *len gets the text's length.
 * -ERR_LIMIT when cap is too small. */
int netcfg_resolv(const struct net_lease *l, char *buf, size_t cap, size_t *len,
		  struct err *e);

#endif
