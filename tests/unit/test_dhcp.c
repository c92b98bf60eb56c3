/* Unit tests for net/dhcp.c's lwIP session, against a scripted server: the
 * client's frames are captured, OFFER/ACK/NAK frames are built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "net/dhcp.h"

#define OFF_IP 14
#define OFF_UDP (OFF_IP + 20)
#define OFF_BOOTP (OFF_UDP + 8)

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

struct sent {
	int n_dhcp;      /* DHCP messages the client sent */
	uint8_t type;    /* option 53 of the last one */
	uint8_t xid[4];
};

static int tx(void *ctx, const void *frame, size_t len)
{
	struct sent *s = ctx;
	const uint8_t *f = frame;

	if (len < OFF_BOOTP + 240 || f[12] != 0x08 || f[13] != 0 || f[OFF_UDP + 3] != 67)
		return 0;
	s->n_dhcp++;
	memcpy(s->xid, f + OFF_BOOTP + 4, 4);
	for (size_t i = OFF_BOOTP + 240; i + 2 < len && f[i] != 255; i += 2u + f[i + 1])
		if (f[i] == 53)
			s->type = f[i + 2];
	return 0;
}

static size_t put(uint8_t *p, size_t at, const void *d, size_t n)
{
	memcpy(p + at, d, n);
	return at + n;
}

/* A server reply of `type` to the client's last message. */
static size_t reply(uint8_t *f, const struct sent *s, uint8_t type)
{
	static const uint8_t srv[6] = { 0x52, 0x55, 10, 0, 2, 2 };
	const uint8_t opts[] = {
		53, 1, type, 54, 4, 10, 0, 2, 2, 51, 4, 0, 0, 0x0e, 0x10, /* 3600 s */
		1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2,
		6, 8, 10, 0, 2, 3, 10, 0, 2, 4, 255,
	};
	size_t n = 0, blen = 240 + sizeof(opts);
	uint32_t sum = 0;

	memset(f, 0, DHCP_FRAME_MAX);
	n = put(f, n, "\xff\xff\xff\xff\xff\xff", 6);
	n = put(f, n, srv, 6);
	n = put(f, n, "\x08\x00", 2);
	f[n] = 0x45;
	f[n + 2] = (uint8_t)((28 + blen) >> 8);
	f[n + 3] = (uint8_t)(28 + blen);
	f[n + 8] = 64;
	f[n + 9] = 17;
	memcpy(f + n + 12, "\x0a\x00\x02\x02\xff\xff\xff\xff", 8);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)f[n + i] << 8 | f[n + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[n + 10] = (uint8_t)(~sum >> 8);
	f[n + 11] = (uint8_t)~sum;
	n += 20;
	memcpy(f + n, "\x00\x43\x00\x44", 4); /* 67 -> 68, checksum 0 */
	f[n + 4] = (uint8_t)((8 + blen) >> 8);
	f[n + 5] = (uint8_t)(8 + blen);
	n += 8;
	memcpy(f + n, "\x02\x01\x06\x00", 4);
	memcpy(f + n + 4, s->xid, 4);
	memcpy(f + n + 16, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8); /* yiaddr, siaddr */
	memcpy(f + n + 28, mac, 6);
	memcpy(f + n + 236, "\x63\x82\x53\x63", 4);
	memcpy(f + n + 240, opts, sizeof(opts));
	return n + blen;
}

static struct dhcp_sess *start(struct sent *s)
{
	struct dhcp_sess *d = NULL;

	memset(s, 0, sizeof(*s));
	assert_int_equal(dhcp_sess_new(mac, tx, s, &d, NULL), 0);
	assert_int_equal(s->n_dhcp, 1);
	assert_int_equal(s->type, 1); /* DISCOVER */
	return d;
}

static void test_bind(void **state)
{
	static uint8_t f[DHCP_FRAME_MAX];
	struct net_lease l;
	struct sent s;
	struct dhcp_sess *d = start(&s);
	struct err e = { 0 };

	(void)state;
	dhcp_sess_input(d, f, reply(f, &s, 2)); /* OFFER */
	assert_int_equal(s.type, 3);            /* REQUEST */
	assert_false(dhcp_sess_bound(d));
	assert_int_equal(dhcp_sess_lease(d, &l, &e), -EAGAIN);
	dhcp_sess_input(d, f, reply(f, &s, 5)); /* ACK */
	assert_true(dhcp_sess_bound(d));
	assert_int_equal(dhcp_sess_lease(d, &l, &e), 0);
	assert_int_equal(l.addr.s_addr, htonl(0x0a00020f));
	assert_int_equal(l.gw.s_addr, htonl(0x0a000202));
	assert_int_equal(l.prefix, 24);
	assert_int_equal(l.n_dns, 2);
	assert_int_equal(l.dns[0].s_addr, htonl(0x0a000203));
	assert_int_equal(l.dns[1].s_addr, htonl(0x0a000204));
	assert_int_equal(l.lease_s, 3600);
	/* Freeing a bound session sends nothing (no RELEASE). */
	s.n_dhcp = 0;
	dhcp_sess_free(d);
	assert_int_equal(s.n_dhcp, 0);
}

static void test_wrong_xid_ignored(void **state)
{
	static uint8_t f[DHCP_FRAME_MAX];
	struct sent s;
	struct dhcp_sess *d = start(&s);
	size_t n;

	(void)state;
	n = reply(f, &s, 2);
	f[OFF_BOOTP + 4] ^= 1;
	dhcp_sess_input(d, f, n);
	assert_int_equal(s.n_dhcp, 1); /* no REQUEST */
	/* Truncated and oversized frames are dropped. */
	n = reply(f, &s, 2);
	dhcp_sess_input(d, f, n - 100);
	dhcp_sess_input(d, f, 13);
	dhcp_sess_input(d, f, DHCP_FRAME_MAX + 1);
	assert_int_equal(s.n_dhcp, 1);
	dhcp_sess_free(d);
}

static void test_nak_restarts(void **state)
{
	static uint8_t f[DHCP_FRAME_MAX];
	struct sent s;
	struct dhcp_sess *d = start(&s);

	(void)state;
	dhcp_sess_input(d, f, reply(f, &s, 2)); /* OFFER */
	assert_int_equal(s.type, 3);
	dhcp_sess_input(d, f, reply(f, &s, 6)); /* NAK */
	assert_false(dhcp_sess_bound(d));
	for (int i = 0; i < 8 && s.type != 1; i++)
		dhcp_sess_fire_timers(d);
	assert_int_equal(s.type, 1); /* back to DISCOVER */
	dhcp_sess_free(d);
	dhcp_sess_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_wrong_xid_ignored),
		cmocka_unit_test(test_nak_restarts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
