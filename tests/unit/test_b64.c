/* Unit tests for crypto/b64: RFC 4648 §10 vectors, both alphabets, every
 * character, strict rejection (length, padding, non-canonical bits), buffer
 * limits, and random round trips cross-checked against Mbed TLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "crypto/b64.h"

static const char std_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint64_t g_seed = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	g_seed ^= g_seed >> 12;
	g_seed ^= g_seed << 25;
	g_seed ^= g_seed >> 27;
	return g_seed * 0x2545f4914f6cdd1dull;
}

static void check_dec(const char *s, bool url, int want)
{
	uint8_t out[64];
	size_t len = 99;

	assert_int_equal(b64_decode(s, strlen(s), out, sizeof(out), &len, url), want);
	if (want < 0)
		assert_int_equal(len, 0);
}

static void test_rfc4648(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const std[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
					   "Zm9vYmE=", "Zm9vYmFy" };
	static const char *const url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE",
					   "Zm9vYmFy" };
	char text[32];
	uint8_t bin[32];
	size_t i, len;

	(void)state;
	for (i = 0; i < 7; i++) {
		size_t n = strlen(plain[i]);

		assert_int_equal(b64_encode((const uint8_t *)plain[i], n, text, sizeof(text),
					    &len, false), 0);
		assert_string_equal(text, std[i]);
		assert_int_equal(len, strlen(std[i]));
		assert_int_equal(b64_encoded_len(n, false), len);
		assert_int_equal(b64_encode((const uint8_t *)plain[i], n, text, sizeof(text),
					    &len, true), 0);
		assert_string_equal(text, url[i]);
		assert_int_equal(b64_encoded_len(n, true), len);
		assert_int_equal(b64_decode(std[i], strlen(std[i]), bin, sizeof(bin), &len,
					    false), 0);
		assert_int_equal(len, n);
		assert_memory_equal(bin, plain[i], n);
		assert_int_equal(b64_decode(url[i], strlen(url[i]), bin, sizeof(bin), &len,
					    true), 0);
		assert_int_equal(len, n);
		assert_memory_equal(bin, plain[i], n);
	}
}

static void test_alphabets(void **state)
{
	static const uint8_t hi[] = { 0xfb, 0xef, 0xff };
	char text[8];

	(void)state;
	assert_int_equal(b64_encode(hi, 3, text, sizeof(text), NULL, false), 0);
	assert_string_equal(text, "++//");
	assert_int_equal(b64_encode(hi, 3, text, sizeof(text), NULL, true), 0);
	assert_string_equal(text, "--__");
	check_dec("++//", false, 0);
	check_dec("--__", true, 0);
	check_dec("++//", true, -EINVAL);
	check_dec("--__", false, -EINVAL);
}

/* Every byte value in every position of a quantum: accepted exactly when it
 * is in the alphabet, and decoded to its index. */
static void test_every_char(void **state)
{
	int c, pos, url;

	(void)state;
	for (url = 0; url < 2; url++) {
		const char *alpha = url ? url_alpha : std_alpha;

		for (c = 0; c < 256; c++) {
			const char *hit = c ? memchr(alpha, c, 64) : NULL;

			for (pos = 0; pos < 4; pos++) {
				char s[4] = { 'A', 'A', 'A', 'A' };
				uint8_t out[3];
				size_t len;
				int rc;

				if (c == '=' && !url && pos == 3)
					continue;       /* "AAA=" is padding */
				s[pos] = (char)c;
				rc = b64_decode(s, 4, out, 3, &len, url);
				if (!hit) {
					assert_int_equal(rc, -EINVAL);
					continue;
				}
				assert_int_equal(rc, 0);
				assert_int_equal(((uint32_t)out[0] << 16 | (uint32_t)out[1] << 8 |
						  out[2]) >> (6 * (3 - pos)) & 63, hit - alpha);
			}
		}
	}
}

static void test_strict(void **state)
{
	(void)state;
	/* standard: padding required, only at the end, at most two */
	check_dec("Zg", false, -EINVAL);
	check_dec("Zg=", false, -EINVAL);
	check_dec("Zm9", false, -EINVAL);
	check_dec("Z===", false, -EINVAL);
	check_dec("====", false, -EINVAL);
	check_dec("Zg==Zg==", false, -EINVAL);
	check_dec("Zg=a", false, -EINVAL);
	check_dec("=Zm9", false, -EINVAL);
	/* non-canonical trailing bits */
	check_dec("Zh==", false, -EINVAL);
	check_dec("Zm9=", false, -EINVAL);
	check_dec("Zm8=", false, 0);
	check_dec("Zh", true, -EINVAL);
	check_dec("Zm9", true, -EINVAL);
	check_dec("Zm-", true, -EINVAL);
	check_dec("Zm8", true, 0);
	/* base64url: no padding, never 4k+1 characters */
	check_dec("Zg==", true, -EINVAL);
	check_dec("Zm8=", true, -EINVAL);
	check_dec("Z", true, -EINVAL);
	check_dec("Zm9vY", true, -EINVAL);
	/* stray characters */
	check_dec("Zm9v\n", true, -EINVAL);
	check_dec(" Zm9v", false, -EINVAL);
	check_dec("Zm 9v", false, -EINVAL);
	assert_int_equal(b64_decode("Zm\0v", 4, (uint8_t[4]){ 0 }, 4, NULL, false), -EINVAL);
	check_dec("", true, 0);
	check_dec("", false, 0);
}

static void test_limits(void **state)
{
	uint8_t bin[8] = { 1, 2, 3, 4, 5, 6 }, out[8];
	char text[16];
	size_t len = 7;

	(void)state;
	/* encode: the NUL must fit */
	assert_int_equal(b64_encode(bin, 6, text, 8, &len, false), -ENOSPC);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	assert_int_equal(b64_encode(bin, 6, text, 9, &len, false), 0);
	assert_int_equal(len, 8);
	assert_int_equal(b64_encode(bin, 5, text, 7, &len, true), -ENOSPC);
	assert_int_equal(b64_encode(bin, 5, text, 8, &len, true), 0);
	assert_int_equal(len, 7);
	assert_int_equal(b64_encode(NULL, 0, text, 1, &len, true), 0);
	assert_string_equal(text, "");
	assert_int_equal(b64_encode(NULL, 0, text, 0, &len, true), -ENOSPC);
	/* decode: exact capacity is enough, one less is not */
	assert_int_equal(b64_decode("AQIDBAUG", 8, out, 5, &len, false), -ENOSPC);
	assert_int_equal(b64_decode("AQIDBAUG", 8, out, 6, &len, false), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, bin, 6);
	assert_int_equal(b64_decode("AQIDBAU", 7, out, 4, &len, true), -ENOSPC);
	assert_int_equal(b64_decode("AQIDBAU", 7, out, 5, &len, true), 0);
	assert_int_equal(len, 5);
	assert_int_equal(b64_decode("", 0, NULL, 0, &len, true), 0);
	/* a failed decode leaves nothing behind */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(b64_decode("AQIDBA*G", 8, out, 8, &len, false), -EINVAL);
	assert_int_equal(out[0] | out[1] | out[2] | out[3] | out[4] | out[5], 0);
}

static void test_random_vs_mbedtls(void **state)
{
	uint8_t bin[300], back[300];
	char ours[512], theirs[512];
	size_t i, k, n, len, tlen;

	(void)state;
	for (k = 0; k < 2000; k++) {
		n = rnd() % sizeof(bin);
		for (i = 0; i < n; i++)
			bin[i] = (uint8_t)(rnd() >> 56);
		assert_int_equal(b64_encode(bin, n, ours, sizeof(ours), &len, false), 0);
		assert_int_equal(mbedtls_base64_encode((unsigned char *)theirs, sizeof(theirs),
						       &tlen, bin, n), 0);
		assert_int_equal(len, tlen);
		assert_memory_equal(ours, theirs, len);
		assert_int_equal(b64_decode(ours, len, back, sizeof(back), &tlen, false), 0);
		assert_int_equal(tlen, n);
		assert_memory_equal(back, bin, n);
		/* base64url = the same text with -_ and no padding */
		for (i = 0; i < len; i++)
			theirs[i] = ours[i] == '+' ? '-' : ours[i] == '/' ? '_' : ours[i];
		while (len && theirs[len - 1] == '=')
			len--;
		assert_int_equal(b64_encode(bin, n, ours, sizeof(ours), &tlen, true), 0);
		assert_int_equal(tlen, len);
		assert_memory_equal(ours, theirs, len);
		assert_int_equal(b64_decode(ours, len, back, sizeof(back), &tlen, true), 0);
		assert_int_equal(tlen, n);
		assert_memory_equal(back, bin, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648),
		cmocka_unit_test(test_alphabets),
		cmocka_unit_test(test_every_char),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_random_vs_mbedtls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
