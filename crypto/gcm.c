/* AES-256-GCM per NIST SP 800-38D: the framing (J0, AAD, partial blocks,
 * lengths, tag) and the portable GHASH.  The AES-NI/PCLMULQDQ bulk loop is in
 * aes_x86.c. */
#include "crypto/gcm.h"

#include <errno.h>
#include <string.h>

#include "crypto/aes.h"
#include "crypto/aes_impl.h"
#include "crypto/ct.h"

/* Everything secret of one call, wiped at the end. */
struct gcm_state {
	struct gcm_key k;
	uint8_t j0[16];  /* pre-counter block */
	uint8_t ctr[16]; /* next counter block */
	uint8_t xi[16];  /* GHASH accumulator */
	uint8_t buf[16]; /* keystream or padded block */
	uint8_t pad[16];
};

static uint64_t ld_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void st_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* x = x * h in GF(2^128), spec bit order, bit-serial with masks (constant
 * time: the loop and the memory accesses do not depend on the values). */
static void gf_mul_portable(uint8_t x[16], const uint8_t h[16])
{
	uint64_t xh = ld_be64(x), xl = ld_be64(x + 8);
	uint64_t vh = ld_be64(h), vl = ld_be64(h + 8);
	uint64_t zh = 0, zl = 0, m;
	int i;

	for (i = 0; i < 128; i++) {
		m = (uint64_t)0 - ((i < 64 ? xh >> (63 - i) : xl >> (127 - i)) & 1);
		zh ^= vh & m;
		zl ^= vl & m;
		m = (uint64_t)0 - (vl & 1);
		vl = (vl >> 1) | (vh << 63);
		vh = (vh >> 1) ^ (0xe100000000000000ull & m);
	}
	st_be64(x, zh);
	st_be64(x + 8, zl);
	xh = xl = vh = vl = zh = zl = m = 0;
	__asm__ volatile("" : : "r"(xh), "r"(xl), "r"(vh), "r"(vl), "r"(zh), "r"(zl), "r"(m));
}

void gcm_ghash(const struct gcm_key *k, uint8_t xi[16], const uint8_t *p, size_t nblocks)
{
	size_t i;

	if (nblocks == 0)
		return;
	if (k->impl != AES_IMPL_PORTABLE) {
		aes_gcm_ghash_ni(&k->htab, xi, p, nblocks);
		return;
	}
	for (; nblocks; nblocks--, p += 16) {
		for (i = 0; i < 16; i++)
			xi[i] ^= p[i];
		gf_mul_portable(xi, k->h);
	}
}

static void ghash(struct gcm_state *s, const uint8_t *p, size_t nblocks)
{
	gcm_ghash(&s->k, s->xi, p, nblocks);
}

/* GHASH of n bytes, the last block zero-padded. */
static void ghash_padded(struct gcm_state *s, const uint8_t *p, size_t n)
{
	ghash(s, p, n / 16);
	if (n % 16) {
		memset(s->pad, 0, 16);
		memcpy(s->pad, p + n - n % 16, n % 16);
		ghash(s, s->pad, 1);
	}
}

void gcm_aes256_block(const struct gcm_key *k, const uint8_t in[16], uint8_t out[16])
{
	uint8_t c[16];

	memcpy(c, in, 16);
	memset(out, 0, 16);
	if (k->impl != AES_IMPL_PORTABLE)
		aes256_ctr_blocks_ni(k->rk, c, out, out, 1);
	else
		aes256_encrypt_portable(k->rk, c, out);
	ct_wipe(c, sizeof(c));
}

static void encrypt1(struct gcm_state *s, const uint8_t in[16], uint8_t out[16])
{
	gcm_aes256_block(&s->k, in, out);
}

void gcm_inc32(uint8_t ctr[16])
{
	uint32_t v = (uint32_t)ctr[12] << 24 | (uint32_t)ctr[13] << 16 |
		     (uint32_t)ctr[14] << 8 | ctr[15];

	v++;
	ctr[12] = (uint8_t)(v >> 24);
	ctr[13] = (uint8_t)(v >> 16);
	ctr[14] = (uint8_t)(v >> 8);
	ctr[15] = (uint8_t)v;
}

void gcm_aes256_blocks(const struct gcm_key *k, uint8_t ctr[16], uint8_t xi[16],
		       const uint8_t *in, uint8_t *out, size_t nb, int enc)
{
	uint8_t ks[16];
	size_t i;

	if (k->impl == AES_IMPL_VAES) {
		aes_gcm_crypt_vaes(k->rk, &k->htab, ctr, xi, in, out, nb, enc);
		return;
	}
	if (k->impl == AES_IMPL_NI) {
		aes_gcm_crypt_ni(k->rk, &k->htab, ctr, xi, in, out, nb, enc);
		return;
	}
	for (; nb; nb--, in += 16, out += 16) {
		aes256_encrypt_portable(k->rk, ctr, ks);
		gcm_inc32(ctr);
		if (!enc)
			gcm_ghash(k, xi, in, 1);
		for (i = 0; i < 16; i++)
			out[i] = in[i] ^ ks[i];
		if (enc)
			gcm_ghash(k, xi, out, 1);
	}
	ct_wipe(ks, sizeof(ks));
}

void gcm_key_init_h(struct gcm_key *k, const uint8_t h[16])
{
	k->impl = aes_pick();
	memcpy(k->h, h, 16);
	if (k->impl != AES_IMPL_PORTABLE)
		aes_gcm_init_ni(&k->htab, k->h);
}

void gcm_key_init256(struct gcm_key *k, const uint8_t key[32])
{
	uint8_t h[16] = { 0 };

	memset(k, 0, sizeof(*k));
	k->impl = aes_pick();
	if (k->impl != AES_IMPL_PORTABLE)
		aes256_expand_ni(k->rk, key);
	else
		aes256_expand_portable(k->rk, key);
	gcm_aes256_block(k, h, h);
	gcm_key_init_h(k, h);
	ct_wipe(h, sizeof(h));
}

static void crypt_blocks(struct gcm_state *s, const uint8_t *in, uint8_t *out, size_t nb,
			 int enc)
{
	gcm_aes256_blocks(&s->k, s->ctr, s->xi, in, out, nb, enc);
}

static int gcm_run(const uint8_t key[32], const uint8_t *iv, size_t iv_len,
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
		   uint8_t *out, uint8_t tag[16], int enc)
{
	struct gcm_state s;
	size_t nb = n / 16, r = n % 16, i;

	if (!iv || iv_len == 0 || (aad_len && !aad) || (n && (!in || !out)))
		return -EINVAL;
	if ((uint64_t)n > (1ull << 36) - 32 || (uint64_t)aad_len >> 61 ||
	    (uint64_t)iv_len >> 61)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	gcm_key_init256(&s.k, key);

	if (iv_len == 12) {
		memcpy(s.j0, iv, 12);
		s.j0[15] = 1;
	} else {
		ghash_padded(&s, iv, iv_len);
		memset(s.pad, 0, 16);
		st_be64(s.pad + 8, (uint64_t)iv_len * 8);
		ghash(&s, s.pad, 1);
		memcpy(s.j0, s.xi, 16);
		memset(s.xi, 0, 16);
	}
	memcpy(s.ctr, s.j0, 16);
	gcm_inc32(s.ctr);

	ghash_padded(&s, aad, aad_len);
	if (nb)
		crypt_blocks(&s, in, out, nb, enc);
	if (r) {
		in += nb * 16;
		out += nb * 16;
		encrypt1(&s, s.ctr, s.buf);
		memset(s.pad, 0, 16);
		for (i = 0; i < r; i++) {
			uint8_t c = enc ? (uint8_t)(in[i] ^ s.buf[i]) : in[i];

			s.pad[i] = c;
			out[i] = (uint8_t)(in[i] ^ s.buf[i]);
		}
		ghash(&s, s.pad, 1);
	}
	st_be64(s.pad, (uint64_t)aad_len * 8);
	st_be64(s.pad + 8, (uint64_t)n * 8);
	ghash(&s, s.pad, 1);
	encrypt1(&s, s.j0, s.buf);
	for (i = 0; i < 16; i++)
		tag[i] = s.xi[i] ^ s.buf[i];
	ct_wipe(&s, sizeof(s));
	return 0;
}

int gcm_aes256_encrypt(const uint8_t key[32], const uint8_t *iv, size_t iv_len,
		       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
		       uint8_t *out, uint8_t tag[16])
{
	return gcm_run(key, iv, iv_len, aad, aad_len, in, n, out, tag, 1);
}

int gcm_aes256_decrypt(const uint8_t key[32], const uint8_t *iv, size_t iv_len,
		       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
		       uint8_t *out, const uint8_t tag[16])
{
	uint8_t want[16];
	int rc = gcm_run(key, iv, iv_len, aad, aad_len, in, n, out, want, 0);

	if (rc)
		return rc;
	rc = ct_memeq(want, tag, 16) ? 0 : -EBADMSG;
	if (rc)
		ct_wipe(out, n);
	ct_wipe(want, sizeof(want));
	return rc;
}
