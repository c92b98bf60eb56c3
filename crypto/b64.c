/* b64: strict base64 / base64url; see b64.h.
 *
 * Both directions map characters with arithmetic instead of table lookups or
 * branches (the approach of wireguard-tools' encoding.c), so the memory access
 * pattern and the branches depend only on the lengths. */
#include "crypto/b64.h"

#include <errno.h>
#include <string.h>

/* -1 (all ones) when lo <= x <= hi, else 0; x, lo, hi in 0..255. */
static int in_range(int x, int lo, int hi)
{
	return ((lo - 1 - x) & (x - (hi + 1))) >> 8;
}

static char enc6(unsigned v, bool url)
{
	int x = (int)(v & 63), c62 = url ? '-' : '+', c63 = url ? '_' : '/';
	int c = x + 'A';

	c += ((25 - x) >> 8) & ('a' - 'A' - 26);
	c += ((51 - x) >> 8) & ('0' - 'a' - 26);
	c += ((61 - x) >> 8) & (c62 - '0' - 10);
	c += ((62 - x) >> 8) & (c63 - c62 - 1);
	return (char)c;
}

/* The 6-bit value of c, or -1. */
static int dec6(unsigned char c, bool url)
{
	int x = c, r = -1;

	r += in_range(x, 'A', 'Z') & (x - 'A' + 1);
	r += in_range(x, 'a', 'z') & (x - 'a' + 27);
	r += in_range(x, '0', '9') & (x - '0' + 53);
	r += in_range(x, url ? '-' : '+', url ? '-' : '+') & 63;
	r += in_range(x, url ? '_' : '/', url ? '_' : '/') & 64;
	return r;
}

size_t b64_encoded_len(size_t n, bool url)
{
	if (url)
		return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
	return (n + 2) / 3 * 4;
}

int b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
	       bool url)
{
	size_t len, i, o = 0;
	uint32_t w;

	if (out_len)
		*out_len = 0;
	if (n > (SIZE_MAX - 8) / 4 * 3 || (len = b64_encoded_len(n, url)) >= cap) {
		if (cap)
			out[0] = 0;
		return -ENOSPC;
	}
	for (i = 0; i + 3 <= n; i += 3) {
		w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = enc6(w >> 18, url);
		out[o++] = enc6(w >> 12, url);
		out[o++] = enc6(w >> 6, url);
		out[o++] = enc6(w, url);
	}
	if (n - i) {
		w = (uint32_t)in[i] << 16 | (n - i == 2 ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = enc6(w >> 18, url);
		out[o++] = enc6(w >> 12, url);
		if (n - i == 2)
			out[o++] = enc6(w >> 6, url);
		else if (!url)
			out[o++] = '=';
		if (!url)
			out[o++] = '=';
	}
	out[o] = 0;
	if (out_len)
		*out_len = o;
	return 0;
}

/* The number of data characters (padding stripped) and the decoded length,
 * or -EINVAL when the length or the padding is malformed. */
static int b64_shape(const char *in, size_t n, bool url, size_t *chars, size_t *bytes)
{
	size_t m = n;

	if (!url) {
		if (n % 4)
			return -EINVAL;
		if (m && in[m - 1] == '=')
			m--;
		if (m && in[m - 1] == '=')
			m--;
	}
	if (m % 4 == 1)
		return -EINVAL;
	*chars = m;
	*bytes = m / 4 * 3 + (m % 4 ? m % 4 - 1 : 0);
	return 0;
}

int b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
	       bool url)
{
	size_t m, len, i, o = 0;
	int v[4], bad = 0, k, rc;
	uint32_t w;

	if (out_len)
		*out_len = 0;
	rc = b64_shape(in, n, url, &m, &len);
	if (rc < 0)
		return rc;
	if (len > cap)
		return -ENOSPC;
	for (i = 0; i < m; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = i + (size_t)k < m ? dec6((unsigned char)in[i + (size_t)k], url) : 0;
			bad |= v[k];
		}
		w = (uint32_t)(v[0] & 63) << 18 | (uint32_t)(v[1] & 63) << 12 |
		    (uint32_t)(v[2] & 63) << 6 | (uint32_t)(v[3] & 63);
		out[o++] = (uint8_t)(w >> 16);
		if (m - i == 2) {
			bad |= -(int)((w & 0xffff) != 0);     /* non-canonical bits */
			break;
		}
		out[o++] = (uint8_t)(w >> 8);
		if (m - i == 3) {
			bad |= -(int)((w & 0xff) != 0);
			break;
		}
		out[o++] = (uint8_t)w;
	}
	if (bad < 0) {
		if (len)
			memset(out, 0, len);
		return -EINVAL;
	}
	if (out_len)
		*out_len = len;
	return 0;
}
