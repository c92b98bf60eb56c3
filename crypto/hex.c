#include "crypto/hex.h"

#include <errno.h>
#include <string.h>

#include "crypto/ct.h"

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* All-ones when lo <= x <= hi, else 0; x, lo, hi < 256.  No branches. */
static uint32_t in_range(uint32_t x, uint32_t lo, uint32_t hi)
{
	uint32_t ge = ((lo - 1) - x) >> 31; /* x >= lo */
	uint32_t le = (x - (hi + 1)) >> 31; /* x <= hi */

	return 0u - (ge & le);
}

/* The value of hex digit c in bits 0-3 and bit 8 set, or 0 when c is not a
 * hex digit (uppercase allowed when upper is all-ones). */
static uint32_t nibble(unsigned char c, uint32_t upper)
{
	uint32_t x = c;
	uint32_t d = in_range(x, '0', '9');
	uint32_t l = in_range(x, 'a', 'f');
	uint32_t u = in_range(x, 'A', 'F') & upper;

	return ((d & (x - '0')) | (l & (x - 'a' + 10)) | (u & (x - 'A' + 10)) |
		((d | l | u) & 0x100)) & 0x1ff;
}

static int decode(const char *s, size_t slen, uint8_t *out, size_t outlen,
		  uint32_t upper)
{
	uint32_t ok = 0x100;
	size_t i;

	if (slen % 2 != 0 || slen / 2 != outlen)
		return -EINVAL;
	for (i = 0; i < outlen; i++) {
		uint32_t hi = nibble((unsigned char)s[2 * i], upper);
		uint32_t lo = nibble((unsigned char)s[2 * i + 1], upper);

		ok &= hi & lo;
		out[i] = (uint8_t)(((hi & 15) << 4) | (lo & 15));
	}
	if (!ok) {
		ct_wipe(out, outlen);
		return -EINVAL;
	}
	return 0;
}

int hex_decode(const char *s, size_t slen, uint8_t *out, size_t outlen)
{
	return decode(s, slen, out, outlen, 0xffffffffu);
}

int hex_decode_lower(const char *s, size_t slen, uint8_t *out, size_t outlen)
{
	return decode(s, slen, out, outlen, 0);
}
