/* SHA-256 compression with the x86 SHA extensions (SHA-NI).
 *
 * Only the functions marked SHANI use SHA/SSE4.1 instructions, so the rest of
 * the program builds for baseline x86-64; sha256.c calls them only after
 * sha256_shani_supported() said yes.  The instructions keep the state as two
 * vectors, lanes (high to low) A B E F and C D G H; each sha256rnds2 does two
 * rounds and returns the new ABEF, the old ABEF becoming the new CDGH.
 */
#include "crypto/sha256_impl.h"

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <immintrin.h>

#define SHANI __attribute__((target("sha,sse4.1")))
/* Forced so -Os (the guest build) keeps the rounds in registers. */
#define INLINE __attribute__((always_inline))

#define CPUID1_ECX_SSSE3 (1u << 9)
#define CPUID1_ECX_SSE41 (1u << 19)
#define CPUID7_EBX_SHA (1u << 29)

bool sha256_shani_supported(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	if (!(c & CPUID1_ECX_SSSE3) || !(c & CPUID1_ECX_SSE41))
		return false;
	if (__get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & CPUID7_EBX_SHA) != 0;
}

/* The next four schedule words W[t..t+3] from the previous sixteen, m0 being
 * the oldest four: sigma0 terms (msg1), the W[t-7] terms, then sigma1 terms
 * (msg2, which needs the words it produces itself in its upper lanes). */
SHANI INLINE static inline __m128i schedule(__m128i m0, __m128i m1, __m128i m2,
					    __m128i m3)
{
	__m128i t = _mm_sha256msg1_epu32(m0, m1);

	t = _mm_add_epi32(t, _mm_alignr_epi8(m3, m2, 4));
	return _mm_sha256msg2_epu32(t, m3);
}

/* Four rounds with message words m and constants k[0..3]. */
SHANI INLINE static inline void rounds4(__m128i *abef, __m128i *cdgh, __m128i m,
				 const uint32_t *k)
{
	__m128i wk = _mm_add_epi32(m, _mm_load_si128((const __m128i *)k));

	*cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
	*abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0e));
}

/* 64 rounds on one block; the state is updated in place. */
SHANI INLINE static inline void block(__m128i *abef, __m128i *cdgh, const uint8_t *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abef0 = *abef, cdgh0 = *cdgh;
	__m128i m0, m1, m2, m3;
	int r;

	m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
	m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
	m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
	m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);
	rounds4(abef, cdgh, m0, sha256_k + 0);
	rounds4(abef, cdgh, m1, sha256_k + 4);
	rounds4(abef, cdgh, m2, sha256_k + 8);
	rounds4(abef, cdgh, m3, sha256_k + 12);
	for (r = 16; r < 64; r += 16) {
		m0 = schedule(m0, m1, m2, m3);
		rounds4(abef, cdgh, m0, sha256_k + r);
		m1 = schedule(m1, m2, m3, m0);
		rounds4(abef, cdgh, m1, sha256_k + r + 4);
		m2 = schedule(m2, m3, m0, m1);
		rounds4(abef, cdgh, m2, sha256_k + r + 8);
		m3 = schedule(m3, m0, m1, m2);
		rounds4(abef, cdgh, m3, sha256_k + r + 12);
	}
	*abef = _mm_add_epi32(*abef, abef0);
	*cdgh = _mm_add_epi32(*cdgh, cdgh0);
}

SHANI void sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	__m128i lo = _mm_loadu_si128((const __m128i *)h);       /* d c b a */
	__m128i hi = _mm_loadu_si128((const __m128i *)(h + 4)); /* h g f e */
	__m128i abef, cdgh;

	if (nblocks == 0)
		return;
	lo = _mm_shuffle_epi32(lo, 0xb1);       /* c d a b */
	hi = _mm_shuffle_epi32(hi, 0x1b);       /* e f g h */
	abef = _mm_alignr_epi8(lo, hi, 8);      /* a b e f */
	cdgh = _mm_blend_epi16(hi, lo, 0xf0);   /* c d g h */
	for (; nblocks; nblocks--, p += 64)
		block(&abef, &cdgh, p);
	lo = _mm_shuffle_epi32(abef, 0x1b);     /* f e b a */
	hi = _mm_shuffle_epi32(cdgh, 0xb1);     /* d c h g */
	_mm_storeu_si128((__m128i *)h, _mm_blend_epi16(lo, hi, 0xf0));
	_mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(hi, lo, 8));
}

#else /* not x86 */

bool sha256_shani_supported(void)
{
	return false;
}

void sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	sha256_blocks_portable(h, p, nblocks);
}

#endif
