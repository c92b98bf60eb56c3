/* AES-256 per FIPS 197 and CTR per SP 800-38A: the streaming layer, the
 * implementation choice and the portable (constant-time) cipher.  AES-NI and
 * VAES are in aes_x86.c.
 *
 * Portable cipher: the state is four little-endian 32-bit columns.  SubBytes
 * works on eight bytes at once in a uint64_t: the GF(2^8) inverse as x^254
 * (four multiplications and seven squarings), multiplications as eight
 * masked shift-and-add steps, squaring and the affine map as linear maps
 * applied bit by bit with masks.  No table lookups, no data-dependent
 * branches. */
#include "crypto/aes.h"

#include <string.h>

#include "crypto/aes_impl.h"
#include "crypto/ct.h"

/* ---- portable cipher ------------------------------------------------------ */

#define L1 0x0101010101010101ull

static inline uint64_t xtime8(uint64_t x)
{
	return ((x & 0x7f7f7f7f7f7f7f7full) << 1) ^ (((x >> 7) & L1) * 0x1b);
}

/* Lane-wise product in GF(2^8) (AES polynomial) of eight byte lanes. */
static inline uint64_t gmul8(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	int i;

	for (i = 0; i < 8; i++) {
		r ^= a & (((b >> i) & L1) * 0xff);
		a = xtime8(a);
	}
	return r;
}

/* Lane-wise GF(2)-linear map: bit i of each lane adds col[i]. */
static inline uint64_t linmap8(uint64_t x, const uint8_t col[8])
{
	uint64_t r = 0;
	int i;

	for (i = 0; i < 8; i++)
		r ^= ((x >> i) & L1) * col[i];
	return r;
}

/* x^(2i) mod the AES polynomial: squaring is linear. */
static const uint8_t sq_col[8] = { 0x01, 0x04, 0x10, 0x40, 0x1b, 0x6c, 0xab, 0x9a };
/* The S-box affine map: input bit j goes to output bits j..j+4 (mod 8). */
static const uint8_t aff_col[8] = { 0x1f, 0x3e, 0x7c, 0xf8, 0xf1, 0xe3, 0xc7, 0x8f };

static uint64_t sbox8(uint64_t x)
{
	uint64_t x2, x3, x6, x12, x15, x120, x126, x127;

	x2 = linmap8(x, sq_col);
	x3 = gmul8(x2, x);
	x6 = linmap8(x3, sq_col);
	x12 = linmap8(x6, sq_col);
	x15 = gmul8(x12, x3);
	x120 = linmap8(linmap8(linmap8(x15, sq_col), sq_col), sq_col);
	x126 = gmul8(x120, x6);
	x127 = gmul8(x126, x);
	/* x^254 = inverse (0 stays 0), then the affine map. */
	return linmap8(linmap8(x127, sq_col), aff_col) ^ (0x63 * L1);
}

static inline uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t ror32(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t xtime4(uint32_t x)
{
	return ((x & 0x7f7f7f7fu) << 1) ^ (((x >> 7) & 0x01010101u) * 0x1b);
}

static void sub_bytes(uint32_t s[4])
{
	uint64_t a = sbox8((uint64_t)s[0] | (uint64_t)s[1] << 32);
	uint64_t b = sbox8((uint64_t)s[2] | (uint64_t)s[3] << 32);

	s[0] = (uint32_t)a;
	s[1] = (uint32_t)(a >> 32);
	s[2] = (uint32_t)b;
	s[3] = (uint32_t)(b >> 32);
}

/* Row r of column c comes from column c + r. */
static void shift_rows(uint32_t s[4])
{
	uint32_t t[4];
	int c;

	for (c = 0; c < 4; c++)
		t[c] = (s[c] & 0xffu) | (s[(c + 1) & 3] & 0xff00u) |
		       (s[(c + 2) & 3] & 0xff0000u) | (s[(c + 3) & 3] & 0xff000000u);
	memcpy(s, t, sizeof(t));
}

/* b_i = 2 a_i + 3 a_(i+1) + a_(i+2) + a_(i+3); lane i of ror32(x, 8) holds
 * a_(i+1). */
static void mix_columns(uint32_t s[4])
{
	int c;

	for (c = 0; c < 4; c++) {
		uint32_t a = s[c], r1 = ror32(a, 8);

		s[c] = xtime4(a ^ r1) ^ r1 ^ ror32(a, 16) ^ ror32(a, 24);
	}
}

static void add_key(uint32_t s[4], const uint8_t *k)
{
	int c;

	for (c = 0; c < 4; c++)
		s[c] ^= ld32(k + 4 * c);
}

void aes256_encrypt_portable(const uint8_t rk[240], const uint8_t in[16], uint8_t out[16])
{
	uint32_t s[4];
	int c, r;

	for (c = 0; c < 4; c++)
		s[c] = ld32(in + 4 * c);
	add_key(s, rk);
	for (r = 1; r < 14; r++) {
		sub_bytes(s);
		shift_rows(s);
		mix_columns(s);
		add_key(s, rk + 16 * r);
	}
	sub_bytes(s);
	shift_rows(s);
	add_key(s, rk + 16 * 14);
	for (c = 0; c < 4; c++)
		st32(out + 4 * c, s[c]);
	ct_wipe(s, sizeof(s));
}

void aes256_expand_portable(uint8_t rk[240], const uint8_t key[32])
{
	uint32_t w[60], t;
	uint32_t rcon = 1;
	int i;

	for (i = 0; i < 8; i++)
		w[i] = ld32(key + 4 * i);
	for (i = 8; i < 60; i++) {
		t = w[i - 1];
		if (i % 8 == 0) {
			/* RotWord on little-endian words is a right rotation. */
			t = (uint32_t)sbox8(ror32(t, 8)) ^ rcon;
			rcon = xtime4(rcon);
		} else if (i % 8 == 4) {
			t = (uint32_t)sbox8(t);
		}
		w[i] = w[i - 8] ^ t;
	}
	for (i = 0; i < 60; i++)
		st32(rk + 4 * i, w[i]);
	ct_wipe(w, sizeof(w));
	ct_wipe(&t, sizeof(t));
}

/* ---- counter helpers ---------------------------------------------------------- */

static void ctr_inc128(uint8_t ctr[16])
{
	unsigned carry = 1;
	int i;

	for (i = 15; i >= 0; i--) {
		carry += ctr[i];
		ctr[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

void aes256_ctr_blocks_portable(const uint8_t rk[240], uint8_t ctr[16],
				const uint8_t *in, uint8_t *out, size_t nblocks)
{
	uint8_t ks[16];
	size_t i;

	for (; nblocks; nblocks--, in += 16, out += 16) {
		aes256_encrypt_portable(rk, ctr, ks);
		ctr_inc128(ctr);
		for (i = 0; i < 16; i++)
			out[i] = in[i] ^ ks[i];
	}
	ct_wipe(ks, sizeof(ks));
}

/* ---- implementation choice ------------------------------------------------ */

static int g_cpu = -1; /* -1: not probed yet, else enum aes_impl_id */
static int g_force_portable;

enum aes_impl_id aes_pick(void)
{
	int v = __atomic_load_n(&g_cpu, __ATOMIC_RELAXED);

	if (v < 0) {
		v = (int)aes_cpu_impl();
		__atomic_store_n(&g_cpu, v, __ATOMIC_RELAXED);
	}
	if (__atomic_load_n(&g_force_portable, __ATOMIC_RELAXED))
		return AES_IMPL_PORTABLE;
	return (enum aes_impl_id)v;
}

const char *aes_impl(void)
{
	switch (aes_pick()) {
	case AES_IMPL_VAES:
		return "vaes";
	case AES_IMPL_NI:
		return "aesni";
	default:
		return "portable";
	}
}

void aes_force_portable(int on)
{
	__atomic_store_n(&g_force_portable, on ? 1 : 0, __ATOMIC_RELAXED);
}

/* ---- CTR streaming ---------------------------------------------------------- */

static void ctr_blocks(enum aes_impl_id impl, const uint8_t rk[240], uint8_t ctr[16],
		       const uint8_t *in, uint8_t *out, size_t nblocks)
{
	if (impl == AES_IMPL_VAES)
		aes256_ctr_blocks_vaes(rk, ctr, in, out, nblocks);
	else if (impl == AES_IMPL_NI)
		aes256_ctr_blocks_ni(rk, ctr, in, out, nblocks);
	else
		aes256_ctr_blocks_portable(rk, ctr, in, out, nblocks);
}

void aes256_ctr_init(struct aes256_ctr *c, const uint8_t key[32], const uint8_t iv[16])
{
	if (aes_pick() != AES_IMPL_PORTABLE)
		aes256_expand_ni(c->rk, key);
	else
		aes256_expand_portable(c->rk, key);
	memcpy(c->ctr, iv, 16);
	memset(c->ks, 0, sizeof(c->ks));
	c->ks_used = 16;
}

void aes256_ctr_xor(struct aes256_ctr *c, const uint8_t *in, uint8_t *out, size_t n)
{
	enum aes_impl_id impl;
	size_t i, take, nb;

	if (n == 0)
		return;
	if (c->ks_used < 16) {
		take = 16 - c->ks_used;
		if (take > n)
			take = n;
		for (i = 0; i < take; i++)
			out[i] = in[i] ^ c->ks[c->ks_used + i];
		c->ks_used += take;
		in += take;
		out += take;
		n -= take;
		if (n == 0)
			return;
	}
	impl = aes_pick();
	nb = n / 16;
	if (nb) {
		ctr_blocks(impl, c->rk, c->ctr, in, out, nb);
		in += nb * 16;
		out += nb * 16;
		n -= nb * 16;
	}
	if (n) {
		/* Keystream of one more block (in = zeros), use its start. */
		memset(c->ks, 0, sizeof(c->ks));
		ctr_blocks(impl, c->rk, c->ctr, c->ks, c->ks, 1);
		for (i = 0; i < n; i++)
			out[i] = in[i] ^ c->ks[i];
		c->ks_used = n;
	}
}

void aes256_ctr_wipe(struct aes256_ctr *c)
{
	ct_wipe(c, sizeof(*c));
}
