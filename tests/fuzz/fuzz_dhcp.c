/* Fuzz target: lwIP's DHCP client as net/dhcp.c runs it.  The input is a
 * sequence of received Ethernet frames, each as [u16 big-endian length][bytes];
 * every frame is fed to a session that has DHCP started, and all of lwIP's
 * DHCP and ARP timers fire after each one.
 *
 * To get past the client's checks, a frame that looks like IPv4/UDP gets the
 * transaction id of the client's last DHCP message and the client's MAC in
 * chaddr, a correct IPv4 header checksum and a zero (absent) UDP checksum.
 * A bound session must yield a well-formed lease.  Leaks and crashes are what
 * the sanitizers catch; the session is freed after every input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp.h"
#include "net/netcfg.h"

#define ETH_HDR 14
#define OFF_XID (ETH_HDR + 20 + 8 + 4)
#define OFF_CHADDR (ETH_HDR + 20 + 8 + 28)
#define MAX_FRAMES 16

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static uint8_t xid[4];

/* Remember the xid of each DHCP message the client sends. */
static int tx(void *ctx, const void *frame, size_t len)
{
	const uint8_t *f = frame;

	(void)ctx;
	if (len >= OFF_XID + 4 && f[12] == 0x08 && f[13] == 0x00 && f[ETH_HDR + 9] == 17 &&
	    f[ETH_HDR + 20 + 2] == 0 && f[ETH_HDR + 20 + 3] == 67)
		memcpy(xid, f + OFF_XID, 4);
	return 0;
}

static void ip_checksum(uint8_t *ip)
{
	uint32_t sum = 0;

	ip[10] = ip[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}

static void fixup(uint8_t *f, size_t len)
{
	if (len < ETH_HDR + 28 || f[12] != 0x08 || f[13] != 0x00 || f[ETH_HDR] != 0x45 ||
	    f[ETH_HDR + 9] != 17)
		return;
	ip_checksum(f + ETH_HDR);
	f[ETH_HDR + 20 + 6] = f[ETH_HDR + 20 + 7] = 0;
	if (len >= OFF_XID + 4)
		memcpy(f + OFF_XID, xid, 4);
	if (len >= OFF_CHADDR + 6)
		memcpy(f + OFF_CHADDR, mac, 6);
}

static void check_lease(const struct dhcp_sess *s)
{
	struct net_lease l;
	struct err e = { 0, "" };

	if (dhcp_sess_lease(s, &l, &e) < 0) {
		/* Only a bad offer (address, netmask) may be refused. */
		if (e.code != -ERR_FORMAT)
			abort();
		return;
	}
	if (!netcfg_addr_is_unicast(l.addr) || l.prefix < 1 || l.prefix > 32 || l.n_dns > NET_DNS_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[DHCP_FRAME_MAX];
	struct dhcp_sess *s;
	size_t off = 0;

	memset(xid, 0, sizeof(xid));
	if (dhcp_sess_new(mac, tx, NULL, &s, NULL) < 0)
		abort();
	for (int n = 0; n < MAX_FRAMES && size - off >= 2; n++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (len > size - off)
			len = size - off;
		if (len > sizeof(frame))
			len = sizeof(frame);
		memcpy(frame, data + off, len);
		off += len;
		fixup(frame, len);
		dhcp_sess_input(s, frame, len);
		dhcp_sess_fire_timers(s);
		if (dhcp_sess_bound(s))
			check_lease(s);
	}
	dhcp_sess_free(s);
	return 0;
}
