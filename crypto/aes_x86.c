/* AES-256 with AES-NI (and VAES/AVX-512), GHASH with PCLMULQDQ.
 *
 * Only the functions marked NI or VAES use those instructions, so the rest of
 * the program builds for baseline x86-64; callers go through aes_pick().
 * Everything inside the hot loops is written out with macros and forced
 * inline, so the guest's -Os build keeps the blocks in registers and runs as
 * fast as -O2.
 *
 * GHASH works on byte-reversed blocks ("reflected": bit i of the spec's
 * 128-bit string is bit 127 - i of the register).  In that form a carry-less
 * product of two elements is, read as a polynomial in z, the product of the
 * reciprocal polynomials, and reducing it modulo P*(z) = z^128 + z^127 +
 * z^126 + z^121 + 1 from the low end (Montgomery style, 64 bits at a time:
 * two multiplications by 0xc2 << 56) gives the field product times z^-1.
 * The stored key powers are therefore premultiplied by z (H shifted left one
 * bit, reduced), which cancels it, and also makes the table powers closed
 * under the same multiplication.
 */
#include "crypto/aes_impl.h"

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>

/* -Os makes GCC pick the shorter floating-point forms (xorps, movaps) for
 * integer vector data; on AMD cores each hop between those and aesenc or
 * pclmulqdq costs a bypass cycle, which halves GCM in the guest's -Os build.
 * This file is therefore always compiled for speed. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O2")
#endif

#define NI __attribute__((target("aes,pclmul,ssse3,sse4.1")))
#define VAES __attribute__((target("aes,pclmul,ssse3,sse4.1,avx,avx2,avx512f,avx512bw,avx512vl,vaes,vpclmulqdq")))
#define INLINE __attribute__((always_inline)) static inline

#define CPUID1_ECX_PCLMUL (1u << 1)
#define CPUID1_ECX_SSSE3 (1u << 9)
#define CPUID1_ECX_SSE41 (1u << 19)
#define CPUID1_ECX_AES (1u << 25)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID7_EBX_AVX512F (1u << 16)
#define CPUID7_EBX_AVX512BW (1u << 30)
#define CPUID7_EBX_AVX512VL (1u << 31)
#define CPUID7_ECX_VAES (1u << 9)
#define CPUID7_ECX_VPCLMUL (1u << 10)
#define XCR0_AVX512 0xe6u /* SSE, AVX, opmask, ZMM0-15 upper, ZMM16-31 */

static unsigned long long xgetbv0(void)
{
	unsigned int lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (unsigned long long)hi << 32 | lo;
}

enum aes_impl_id aes_cpu_impl(void)
{
	const unsigned need1 = CPUID1_ECX_PCLMUL | CPUID1_ECX_SSSE3 | CPUID1_ECX_SSE41 |
			       CPUID1_ECX_AES;
	const unsigned need7b = CPUID7_EBX_AVX512F | CPUID7_EBX_AVX512BW | CPUID7_EBX_AVX512VL;
	const unsigned need7c = CPUID7_ECX_VAES | CPUID7_ECX_VPCLMUL;
	unsigned int a, b, c, d;
	unsigned int c1;

	if (!__get_cpuid(1, &a, &b, &c1, &d))
		return AES_IMPL_PORTABLE;
	if ((c1 & need1) != need1)
		return AES_IMPL_PORTABLE;
	if (!(c1 & CPUID1_ECX_OSXSAVE) || __get_cpuid_max(0, NULL) < 7)
		return AES_IMPL_NI;
	__cpuid_count(7, 0, a, b, c, d);
	if ((b & need7b) != need7b || (c & need7c) != need7c)
		return AES_IMPL_NI;
	if ((xgetbv0() & XCR0_AVX512) != XCR0_AVX512)
		return AES_IMPL_NI;
	return AES_IMPL_VAES;
}

/* ---- key expansion ------------------------------------------------------- */

NI INLINE __m128i expand_a(__m128i k, __m128i t)
{
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	return _mm_xor_si128(k, t);
}

#define EXPAND_PAIR(i, rcon)                                                      \
	do {                                                                      \
		k0 = expand_a(k0, _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k1, rcon), 0xff)); \
		_mm_storeu_si128((__m128i *)(rk + 32 * (i)), k0);                 \
		if ((i) < 7) {                                                    \
			k1 = expand_a(k1, _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k0, 0), 0xaa)); \
			_mm_storeu_si128((__m128i *)(rk + 32 * (i) + 16), k1);    \
		}                                                                 \
	} while (0)

NI void aes256_expand_ni(uint8_t rk[240], const uint8_t key[32])
{
	__m128i k0 = _mm_loadu_si128((const __m128i *)key);
	__m128i k1 = _mm_loadu_si128((const __m128i *)(key + 16));

	_mm_storeu_si128((__m128i *)rk, k0);
	_mm_storeu_si128((__m128i *)(rk + 16), k1);
	EXPAND_PAIR(1, 0x01);
	EXPAND_PAIR(2, 0x02);
	EXPAND_PAIR(3, 0x04);
	EXPAND_PAIR(4, 0x08);
	EXPAND_PAIR(5, 0x10);
	EXPAND_PAIR(6, 0x20);
	EXPAND_PAIR(7, 0x40);
	k0 = _mm_setzero_si128();
	k1 = _mm_setzero_si128();
	__asm__ volatile("" : : "x"(k0), "x"(k1));
}

/* ---- CTR, eight blocks in flight ---------------------------------------- */

#define REP8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

static inline uint64_t ld_be64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static inline void st_be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	__builtin_memcpy(p, &v, 8);
}

NI INLINE __m128i rev_mask(void)
{
	return _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* One block: counter (hi, lo) encrypted, XORed into in. */
NI INLINE __m128i enc1(const uint8_t *rk, __m128i b)
{
	int r;

	b = _mm_xor_si128(b, _mm_loadu_si128((const __m128i *)rk));
	for (r = 1; r < 14; r++)
		b = _mm_aesenc_si128(b, _mm_loadu_si128((const __m128i *)(rk + 16 * r)));
	return _mm_aesenclast_si128(b, _mm_loadu_si128((const __m128i *)(rk + 16 * 14)));
}

NI void aes256_ctr_blocks_ni(const uint8_t rk[240], uint8_t ctr[16], const uint8_t *in,
			     uint8_t *out, size_t nblocks)
{
	const __m128i rev = rev_mask();
	uint64_t hi = ld_be64(ctr), lo = ld_be64(ctr + 8);
	__m128i k, b0, b1, b2, b3, b4, b5, b6, b7;
	int r;

	for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128) {
		k = _mm_loadu_si128((const __m128i *)rk);
		if (lo <= UINT64_MAX - 7) {
			__m128i base = _mm_set_epi64x((long long)hi, (long long)lo);
#define CTR_FAST(i) b##i = _mm_xor_si128(_mm_shuffle_epi8(_mm_add_epi64(base, _mm_set_epi64x(0, i)), rev), k);
			REP8(CTR_FAST)
		} else {
#define CTR_SLOW(i) b##i = _mm_xor_si128(_mm_shuffle_epi8(_mm_set_epi64x( \
	(long long)(hi + (lo + i < lo)), (long long)(lo + i)), rev), k);
			REP8(CTR_SLOW)
		}
		lo += 8;
		hi += lo < 8;
		for (r = 1; r < 14; r++) {
			k = _mm_loadu_si128((const __m128i *)(rk + 16 * r));
#define ROUND(i) b##i = _mm_aesenc_si128(b##i, k);
			REP8(ROUND)
		}
		k = _mm_loadu_si128((const __m128i *)(rk + 16 * 14));
#define LAST(i) _mm_storeu_si128((__m128i *)(out + 16 * i), _mm_xor_si128( \
	_mm_aesenclast_si128(b##i, k), _mm_loadu_si128((const __m128i *)(in + 16 * i))));
		REP8(LAST)
	}
	for (; nblocks; nblocks--, in += 16, out += 16) {
		b0 = enc1(rk, _mm_shuffle_epi8(_mm_set_epi64x((long long)hi, (long long)lo), rev));
		lo++;
		hi += lo == 0;
		_mm_storeu_si128((__m128i *)out,
				 _mm_xor_si128(b0, _mm_loadu_si128((const __m128i *)in)));
	}
	st_be64(ctr, hi);
	st_be64(ctr + 8, lo);
}

/* ---- CTR with VAES: 8 x 4 blocks in flight --------------------------------- */

VAES void aes256_ctr_blocks_vaes(const uint8_t rk[240], uint8_t ctr[16], const uint8_t *in,
				 uint8_t *out, size_t nblocks)
{
	const __m512i rev = _mm512_broadcast_i32x4(rev_mask());
	const __m512i lanes = _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0);
	const __m512i four = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
	__m512i k[15], c, b0, b1, b2, b3, b4, b5, b6, b7;
	uint64_t hi, lo;
	int r;

	for (r = 0; r < 15; r++)
		k[r] = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(rk + 16 * r)));
	while (nblocks >= 32) {
		hi = ld_be64(ctr);
		lo = ld_be64(ctr + 8);
		if (lo > UINT64_MAX - 32) {
			/* The low 64 bits wrap in (or right after) this stretch:
			 * rare, scalar carries. */
			aes256_ctr_blocks_ni(rk, ctr, in, out, 32);
			in += 512;
			out += 512;
			nblocks -= 32;
			continue;
		}
		c = _mm512_add_epi64(_mm512_broadcast_i32x4(
			_mm_set_epi64x((long long)hi, (long long)lo)), lanes);
#define VCTR(i) b##i = _mm512_xor_si512(_mm512_shuffle_epi8(c, rev), k[0]); c = _mm512_add_epi64(c, four);
		REP8(VCTR)
		for (r = 1; r < 14; r++) {
#define VROUND(i) b##i = _mm512_aesenc_epi128(b##i, k[r]);
			REP8(VROUND)
		}
#define VLAST(i) _mm512_storeu_si512((void *)(out + 64 * i), _mm512_xor_si512( \
	_mm512_aesenclast_epi128(b##i, k[14]), _mm512_loadu_si512((const void *)(in + 64 * i))));
		REP8(VLAST)
		st_be64(ctr + 8, lo + 32);
		in += 512;
		out += 512;
		nblocks -= 32;
	}
	for (r = 0; r < 15; r++)
		k[r] = _mm512_setzero_si512();
	__asm__ volatile("" : : "m"(k));
	if (nblocks)
		aes256_ctr_blocks_ni(rk, ctr, in, out, nblocks);
}

/* ---- GHASH --------------------------------------------------------------- */

/* Reduce the 256-bit product hi:lo to 128 bits (times z^-128, see top). */
NI INLINE __m128i gf_reduce(__m128i lo, __m128i hi)
{
	const __m128i poly = _mm_set_epi64x((long long)0xc200000000000000ull, 0);
	__m128i t;

	t = _mm_clmulepi64_si128(lo, poly, 0x10);
	lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
	t = _mm_clmulepi64_si128(lo, poly, 0x10);
	lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
	return _mm_xor_si128(hi, lo);
}

NI INLINE __m128i gf_mul(__m128i a, __m128i b)
{
	__m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
	__m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
	__m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01),
				    _mm_clmulepi64_si128(a, b, 0x10));

	lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
	hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
	return gf_reduce(lo, hi);
}

NI INLINE __m128i kara_key(__m128i h)
{
	return _mm_xor_si128(h, _mm_shuffle_epi32(h, 0x4e));
}

NI void aes_gcm_init_ni(struct aes_gcm_htab *t, const uint8_t h[16])
{
	const __m128i poly = _mm_set_epi64x((long long)0xc200000000000000ull, 1);
	__m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)h), rev_mask());
	__m128i carry = _mm_srli_epi64(x, 63);
	__m128i top = _mm_shuffle_epi32(_mm_srai_epi32(x, 31), 0xff);
	__m128i g, p;
	int i;

	/* g = x * z mod P* */
	g = _mm_or_si128(_mm_slli_epi64(x, 1), _mm_slli_si128(carry, 8));
	g = _mm_xor_si128(g, _mm_and_si128(top, poly));
	p = g;
	for (i = 0; i < AES_GCM_HTAB_LEN; i++) {
		_mm_store_si128((__m128i *)t->h[i], p);
		_mm_store_si128((__m128i *)t->k[i], kara_key(p));
		p = gf_mul(p, g);
	}
	x = g = p = carry = top = _mm_setzero_si128();
	__asm__ volatile("" : : "x"(x), "x"(g), "x"(p), "x"(carry), "x"(top));
}

/* Accumulate a * H^(j+1) (Karatsuba: three products). */
#define GH_ACC(a, j)                                                              \
	do {                                                                      \
		__m128i h_ = _mm_load_si128((const __m128i *)t->h[j]);            \
		__m128i k_ = _mm_load_si128((const __m128i *)t->k[j]);            \
		lo = _mm_xor_si128(lo, _mm_clmulepi64_si128(a, h_, 0x00));         \
		hi = _mm_xor_si128(hi, _mm_clmulepi64_si128(a, h_, 0x11));         \
		mid = _mm_xor_si128(mid, _mm_clmulepi64_si128(kara_key(a), k_, 0x00)); \
	} while (0)

NI INLINE __m128i gh_finish(__m128i lo, __m128i mid, __m128i hi)
{
	mid = _mm_xor_si128(mid, _mm_xor_si128(lo, hi));
	lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
	hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
	return gf_reduce(lo, hi);
}

NI void aes_gcm_ghash_ni(const struct aes_gcm_htab *t, uint8_t xi[16], const uint8_t *p,
			 size_t nblocks)
{
	const __m128i rev = rev_mask();
	__m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)xi), rev);
	__m128i lo, mid, hi, a;

	for (; nblocks >= 8; nblocks -= 8, p += 128) {
		lo = mid = hi = _mm_setzero_si128();
#define GH_LOAD(i) do { a = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), rev); \
	if (i == 0) { a = _mm_xor_si128(a, x); } GH_ACC(a, 7 - i); } while (0);
		REP8(GH_LOAD)
		x = gh_finish(lo, mid, hi);
	}
	for (; nblocks; nblocks--, p += 16) {
		a = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), rev);
		x = gf_mul(_mm_xor_si128(x, a), _mm_load_si128((const __m128i *)t->h[0]));
	}
	_mm_storeu_si128((__m128i *)xi, _mm_shuffle_epi8(x, rev));
}

/* ---- GCM: CTR (inc32) and GHASH in one pass ------------------------------ */

/* The loop body, instantiated once for each direction so the choice of
 * what to hash is not made per block. */
NI INLINE void gcm_loop(const uint8_t *rk, const struct aes_gcm_htab *t, __m128i *cp,
			__m128i *xp, const uint8_t *in, uint8_t *out, size_t nblocks,
			const int enc)
{
	const __m128i rev = rev_mask();
	__m128i c = *cp, x = *xp;
	__m128i k, b0, b1, b2, b3, b4, b5, b6, b7, lo, mid, hi, a;

	for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128) {
		k = _mm_loadu_si128((const __m128i *)rk);
#define GCTR(i) b##i = _mm_xor_si128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, i)), rev), k);
		REP8(GCTR)
		c = _mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 8));
#define GROUND(r) k = _mm_loadu_si128((const __m128i *)(rk + 16 * r)); REP8(ROUND)
		GROUND(1) GROUND(2) GROUND(3) GROUND(4) GROUND(5) GROUND(6) GROUND(7)
		GROUND(8) GROUND(9) GROUND(10) GROUND(11) GROUND(12) GROUND(13)
		k = _mm_loadu_si128((const __m128i *)(rk + 16 * 14));
#define GLAST(i) do { __m128i d_ = _mm_loadu_si128((const __m128i *)(in + 16 * i));  \
		b##i = _mm_xor_si128(_mm_aesenclast_si128(b##i, k), d_);                 \
		_mm_storeu_si128((__m128i *)(out + 16 * i), b##i);                       \
		if (!enc) { b##i = d_; } } while (0);
		REP8(GLAST)
		lo = mid = hi = _mm_setzero_si128();
#define GHASH8(i) do { a = _mm_shuffle_epi8(b##i, rev);                          \
		if (i == 0) { a = _mm_xor_si128(a, x); }                                 \
		GH_ACC(a, 7 - i); } while (0);
		REP8(GHASH8)
		x = gh_finish(lo, mid, hi);
	}
	for (; nblocks; nblocks--, in += 16, out += 16) {
		__m128i d = _mm_loadu_si128((const __m128i *)in);
		__m128i o = _mm_xor_si128(enc1(rk, _mm_shuffle_epi8(c, rev)), d);

		c = _mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 1));
		_mm_storeu_si128((__m128i *)out, o);
		a = _mm_shuffle_epi8(enc ? o : d, rev);
		x = gf_mul(_mm_xor_si128(x, a), _mm_load_si128((const __m128i *)t->h[0]));
	}
	*cp = c;
	*xp = x;
}

NI void aes_gcm_crypt_ni(const uint8_t rk[240], const struct aes_gcm_htab *t, uint8_t ctr[16],
			 uint8_t xi[16], const uint8_t *in, uint8_t *out, size_t nblocks,
			 int enc)
{
	const __m128i rev = rev_mask();
	__m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)xi), rev);
	__m128i c = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)ctr), rev);

	if (enc)
		gcm_loop(rk, t, &c, &x, in, out, nblocks, 1);
	else
		gcm_loop(rk, t, &c, &x, in, out, nblocks, 0);
	_mm_storeu_si128((__m128i *)xi, _mm_shuffle_epi8(x, rev));
	_mm_storeu_si128((__m128i *)ctr, _mm_shuffle_epi8(c, rev));
}

/* VAES/VPCLMULQDQ: sixteen blocks (four 4-lane vectors) per iteration, one
 * reduction per sixteen blocks; the rest goes through the AES-NI loop. */
#define REP4(M) M(0) M(1) M(2) M(3)

VAES INLINE __m128i fold512(__m512i v)
{
	__m256i w = _mm256_xor_si256(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));

	return _mm_xor_si128(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
}

/* Lanes l of vector j hold H^(16 - 4j - l) (from table entry 15 - 4j - l). */
VAES INLINE __m512i powers4(const uint8_t (*tab)[16], int j)
{
	__m512i v = _mm512_castsi128_si512(_mm_load_si128((const __m128i *)tab[15 - 4 * j]));

	v = _mm512_inserti32x4(v, _mm_load_si128((const __m128i *)tab[14 - 4 * j]), 1);
	v = _mm512_inserti32x4(v, _mm_load_si128((const __m128i *)tab[13 - 4 * j]), 2);
	return _mm512_inserti32x4(v, _mm_load_si128((const __m128i *)tab[12 - 4 * j]), 3);
}

VAES INLINE void gcm_loop_vaes(const uint8_t *rk, const struct aes_gcm_htab *t, __m128i *cp,
			       __m128i *xp, const uint8_t *in, uint8_t *out, size_t nblocks,
			       const int enc)
{
	const __m512i rev = _mm512_broadcast_i32x4(rev_mask());
	const __m512i four = _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4);
	__m512i k[15], hp0, hp1, hp2, hp3, hk0, hk1, hk2, hk3;
	__m512i c, b0, b1, b2, b3, lo, mid, hi, a;
	__m128i x = *xp;
	int r;

	for (r = 0; r < 15; r++)
		k[r] = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(rk + 16 * r)));
#define VPOW(j) hp##j = powers4(t->h, j); hk##j = powers4(t->k, j);
	REP4(VPOW)
	c = _mm512_add_epi32(_mm512_broadcast_i32x4(*cp),
			     _mm512_set_epi32(0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0));
	for (; nblocks >= 16; nblocks -= 16, in += 256, out += 256) {
#define VGCTR(i) b##i = _mm512_xor_si512(_mm512_shuffle_epi8(c, rev), k[0]); c = _mm512_add_epi32(c, four);
		REP4(VGCTR)
		for (r = 1; r < 14; r++) {
#define VGROUND(i) b##i = _mm512_aesenc_epi128(b##i, k[r]);
			REP4(VGROUND)
		}
#define VGLAST(i) do { __m512i d_ = _mm512_loadu_si512((const void *)(in + 64 * i));     \
		b##i = _mm512_xor_si512(_mm512_aesenclast_epi128(b##i, k[14]), d_);         \
		_mm512_storeu_si512((void *)(out + 64 * i), b##i);                          \
		if (!enc) { b##i = d_; } } while (0);
		REP4(VGLAST)
		lo = mid = hi = _mm512_setzero_si512();
#define VGHASH(i) do { a = _mm512_shuffle_epi8(b##i, rev);                              \
		if (i == 0) { a = _mm512_xor_si512(a, _mm512_zextsi128_si512(x)); }             \
		lo = _mm512_xor_si512(lo, _mm512_clmulepi64_epi128(a, hp##i, 0x00));            \
		hi = _mm512_xor_si512(hi, _mm512_clmulepi64_epi128(a, hp##i, 0x11));            \
		mid = _mm512_xor_si512(mid, _mm512_clmulepi64_epi128(                           \
			_mm512_xor_si512(a, _mm512_shuffle_epi32(a, 0x4e)), hk##i, 0x00)); } while (0);
		REP4(VGHASH)
		x = gh_finish(fold512(lo), fold512(mid), fold512(hi));
	}
	*cp = _mm512_castsi512_si128(c);
	*xp = x;
	for (r = 0; r < 15; r++)
		k[r] = _mm512_setzero_si512();
	__asm__ volatile("" : : "m"(k));
}

VAES void aes_gcm_crypt_vaes(const uint8_t rk[240], const struct aes_gcm_htab *t,
			     uint8_t ctr[16], uint8_t xi[16], const uint8_t *in, uint8_t *out,
			     size_t nblocks, int enc)
{
	const __m128i rev = rev_mask();
	__m128i x, c;
	size_t nb = nblocks & ~(size_t)15;

	if (nb) {
		x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)xi), rev);
		c = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)ctr), rev);
		if (enc)
			gcm_loop_vaes(rk, t, &c, &x, in, out, nb, 1);
		else
			gcm_loop_vaes(rk, t, &c, &x, in, out, nb, 0);
		_mm_storeu_si128((__m128i *)xi, _mm_shuffle_epi8(x, rev));
		_mm_storeu_si128((__m128i *)ctr, _mm_shuffle_epi8(c, rev));
	}
	if (nblocks - nb)
		aes_gcm_crypt_ni(rk, t, ctr, xi, in + 16 * nb, out + 16 * nb, nblocks - nb, enc);
}

#else /* not x86-64 */

enum aes_impl_id aes_cpu_impl(void)
{
	return AES_IMPL_PORTABLE;
}

void aes256_expand_ni(uint8_t rk[240], const uint8_t key[32])
{
	aes256_expand_portable(rk, key);
}

void aes256_ctr_blocks_ni(const uint8_t rk[240], uint8_t ctr[16], const uint8_t *in,
			  uint8_t *out, size_t nblocks)
{
	aes256_ctr_blocks_portable(rk, ctr, in, out, nblocks);
}

void aes256_ctr_blocks_vaes(const uint8_t rk[240], uint8_t ctr[16], const uint8_t *in,
			    uint8_t *out, size_t nblocks)
{
	aes256_ctr_blocks_portable(rk, ctr, in, out, nblocks);
}

/* Never called: aes_cpu_impl() says portable. */
void aes_gcm_init_ni(struct aes_gcm_htab *t, const uint8_t h[16])
{
	(void)t;
	(void)h;
}

void aes_gcm_ghash_ni(const struct aes_gcm_htab *t, uint8_t xi[16], const uint8_t *p,
		      size_t nblocks)
{
	(void)t;
	(void)xi;
	(void)p;
	(void)nblocks;
}

void aes_gcm_crypt_ni(const uint8_t rk[240], const struct aes_gcm_htab *t, uint8_t ctr[16],
		      uint8_t xi[16], const uint8_t *in, uint8_t *out, size_t nblocks, int enc)
{
	(void)rk; (void)t; (void)ctr; (void)xi; (void)in; (void)out; (void)nblocks; (void)enc;
}

void aes_gcm_crypt_vaes(const uint8_t rk[240], const struct aes_gcm_htab *t, uint8_t ctr[16],
			uint8_t xi[16], const uint8_t *in, uint8_t *out, size_t nblocks, int enc)
{
	(void)rk; (void)t; (void)ctr; (void)xi; (void)in; (void)out; (void)nblocks; (void)enc;
}

#endif
