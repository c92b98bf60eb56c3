/* SHA-256 per FIPS 180-4: the streaming layer, the implementation choice and
 * the portable compression function.  The SHA-NI one is in sha256_x86.c. */
#include "crypto/sha256.h"

#include <stdbool.h>
#include <string.h>

#include "crypto/ct.h"
#include "crypto/sha256_impl.h"

_Alignas(16) const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* ---- portable compression ------------------------------------------------ */

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define BSIG1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define SSIG0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* One round with the working variables named by role; the caller rotates the
 * names instead of moving the values. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                      \
	do {                                                                  \
		uint32_t t1_ = h + BSIG1(e) + CH(e, f, g) + sha256_k[i] + w[i]; \
		d += t1_;                                                     \
		h = t1_ + BSIG0(a) + MAJ(a, b, c);                            \
	} while (0)

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void compress(uint32_t h[8], const uint8_t *p, uint32_t w[64])
{
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
	int i;

	for (i = 0; i < 16; i++)
		w[i] = load_be32(p + 4 * i);
	for (i = 16; i < 64; i++)
		w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];
	for (i = 0; i < 64; i += 8) {
		ROUND(a, b, c, d, e, f, g, hh, i);
		ROUND(hh, a, b, c, d, e, f, g, i + 1);
		ROUND(g, hh, a, b, c, d, e, f, i + 2);
		ROUND(f, g, hh, a, b, c, d, e, i + 3);
		ROUND(e, f, g, hh, a, b, c, d, i + 4);
		ROUND(d, e, f, g, hh, a, b, c, i + 5);
		ROUND(c, d, e, f, g, hh, a, b, i + 6);
		ROUND(b, c, d, e, f, g, hh, a, i + 7);
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	uint32_t w[64];

	if (nblocks == 0)
		return;
	for (; nblocks; nblocks--, p += 64)
		compress(h, p, w);
	ct_wipe(w, sizeof(w));
}

/* ---- implementation choice ------------------------------------------------ */

#ifdef CCG_SHA256_PORTABLE_ONLY
/* The boot stub (boot/stub.c): general registers only, no CPU probing. */
static void blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	sha256_blocks_portable(h, p, nblocks);
}

const char *sha256_impl(void)
{
	return "portable";
}

void sha256_force_portable(int on)
{
	(void)on;
}
#else

static int g_native = -1; /* -1: not probed yet, 0: no SHA-NI, 1: SHA-NI */
static int g_force_portable;

static bool use_native(void)
{
	int v = __atomic_load_n(&g_native, __ATOMIC_RELAXED);

	if (v < 0) {
		v = sha256_shani_supported() ? 1 : 0;
		__atomic_store_n(&g_native, v, __ATOMIC_RELAXED);
	}
	return v == 1 && !__atomic_load_n(&g_force_portable, __ATOMIC_RELAXED);
}

static void blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	if (use_native())
		sha256_blocks_shani(h, p, nblocks);
	else
		sha256_blocks_portable(h, p, nblocks);
}

const char *sha256_impl(void)
{
	return use_native() ? "sha-ni" : "portable";
}

void sha256_force_portable(int on)
{
	__atomic_store_n(&g_force_portable, on ? 1 : 0, __ATOMIC_RELAXED);
}
#endif

/* ---- streaming ----------------------------------------------------------- */

void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	memset(c->buf, 0, sizeof(c->buf));
	c->n = 0;
}

void sha256_update(struct sha256 *c, const void *p, size_t n)
{
	const uint8_t *in = p;
	size_t take;

	if (n == 0)
		return;
	c->len += (uint64_t)n;
	if (c->n) {
		take = SHA256_BLOCK_LEN - c->n;
		if (take > n)
			take = n;
		memcpy(c->buf + c->n, in, take);
		c->n += take;
		in += take;
		n -= take;
		if (c->n < SHA256_BLOCK_LEN)
			return;
		blocks(c->h, c->buf, 1);
		c->n = 0;
	}
	if (n >= SHA256_BLOCK_LEN) {
		blocks(c->h, in, n / SHA256_BLOCK_LEN);
		in += n - n % SHA256_BLOCK_LEN;
		n %= SHA256_BLOCK_LEN;
	}
	if (n) {
		memcpy(c->buf, in, n);
		c->n = n;
	}
}

void sha256_final(struct sha256 *c, uint8_t out[32])
{
	uint64_t bits = c->len << 3;
	size_t n = c->n;
	int i;

	c->buf[n++] = 0x80;
	if (n > 56) {
		memset(c->buf + n, 0, SHA256_BLOCK_LEN - n);
		blocks(c->h, c->buf, 1);
		n = 0;
	}
	memset(c->buf + n, 0, 56 - n);
	store_be32(c->buf + 56, (uint32_t)(bits >> 32));
	store_be32(c->buf + 60, (uint32_t)bits);
	blocks(c->h, c->buf, 1);
	for (i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	ct_wipe(c, sizeof(*c));
}

void sha256(const void *p, size_t n, uint8_t out[32])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, p, n);
	sha256_final(&c, out);
}
