/* Unit tests for crypto/: SHA-256 (both implementations), ct_*, hex_*.
 *
 * Known answers are from FIPS 180-4's examples and NIST CAVP SHA256ShortMsg;
 * the padding-boundary vectors were computed with coreutils sha256sum.  Random
 * inputs are cross-checked against Mbed TLS.  CCG_TEST_SEED overrides the
 * random seed (printed on failure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "crypto/ct.h"
#include "crypto/hex.h"
#include "crypto/sha256.h"

enum { PORTABLE = 0, NATIVE = 1 };
static const int impl_portable = PORTABLE;
static const int impl_native = NATIVE;

static uint64_t g_seed = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64*: reproducible, good enough for test inputs */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void fill(uint8_t *p, size_t n, uint64_t *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd(s) >> 56);
}

/* Setup: select the implementation named by *state (when SHA-NI is asked
 * for but missing, automatic selection stays on and need_impl() skips). */
static int select_impl(void **state)
{
	int mode = *(const int *)*state;

	sha256_force_portable(mode == PORTABLE);
	return 0;
}

/* First line of a test run for both implementations: skip when the CPU lacks
 * the one asked for, and check the choice really took effect. */
static void need_impl(void **state)
{
	int mode;

	if (!state || !*state)
		return;
	mode = *(const int *)*state;
	if (mode == NATIVE && strcmp(sha256_impl(), "sha-ni") != 0) {
		print_message("no SHA-NI on this CPU: skipped\n");
		skip();
	}
	assert_string_equal(sha256_impl(), mode == PORTABLE ? "portable" : "sha-ni");
}

static int reset_impl(void **state)
{
	(void)state;
	sha256_force_portable(0);
	return 0;
}

static void assert_digest_hex(const uint8_t d[32], const char *want)
{
	char got[65];

	hex_encode(d, 32, got);
	assert_string_equal(got, want);
}

static void check_oneshot(const void *p, size_t n, const char *want)
{
	uint8_t d[32];

	sha256(p, n, d);
	assert_digest_hex(d, want);
}

/* ---- known answers ---------------------------------------------------------- */

struct kat {
	const char *msg; /* bytes */
	size_t len;
	const char *digest;
};

static const struct kat kats[] = {
	/* FIPS 180-4 examples */
	{ "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	/* CAVP SHA256ShortMsg, Len = 8, 16, 24, 32 */
	{ "\xd3", 1, "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1" },
	{ "\x11\xaf", 2, "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98" },
	{ "\xb4\x19\x0e", 3, "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2" },
	{ "\x74\xba\x25\x21", 4, "b16aa56be3880d18cd41e68384cf1ec8c17680c45a02b1575dc1518923ae8b0e" },
};

/* n times 'x' around the padding boundaries (sha256sum). */
static const struct {
	size_t n;
	const char *digest;
} xs[] = {
	{ 55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072" },
	{ 56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e" },
	{ 63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2" },
	{ 64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c" },
	{ 65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9" },
	{ 119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c" },
	{ 120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98" },
	{ 127, "70156a14adbabf98cff3a71c7084b417abf057a8efd27329ca36b7202c87d81f" },
	{ 128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464" },
};

static void test_kat(void **state)
{
	uint8_t x[128];
	size_t i;

	need_impl(state);
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		check_oneshot(kats[i].msg, kats[i].len, kats[i].digest);
	memset(x, 'x', sizeof(x));
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		check_oneshot(x, xs[i].n, xs[i].digest);
	check_oneshot(NULL, 0, kats[0].digest);
}

/* One million 'a': one shot, 1000-byte updates, and 997-byte updates. */
static void test_million_a(void **state)
{
	static const char *want =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	const size_t total = 1000000;
	struct sha256 c;
	uint8_t d[32];
	uint8_t *buf = malloc(total);
	size_t off, step;

	need_impl(state);
	assert_non_null(buf);
	memset(buf, 'a', total);
	check_oneshot(buf, total, want);
	for (step = 997; step <= 1000; step += 3) {
		sha256_init(&c);
		for (off = 0; off < total; off += step)
			sha256_update(&c, buf + off, total - off < step ? total - off : step);
		sha256_final(&c, d);
		assert_digest_hex(d, want);
	}
	free(buf);
}

/* Every split point of a 300-byte message into two updates, and also
 * byte-at-a-time, must give the one-shot digest. */
static void test_split_points(void **state)
{
	uint8_t msg[300], want[32], got[32];
	uint64_t s = g_seed;
	struct sha256 c;
	size_t i;

	need_impl(state);
	fill(msg, sizeof(msg), &s);
	sha256(msg, sizeof(msg), want);
	for (i = 0; i <= sizeof(msg); i++) {
		sha256_init(&c);
		sha256_update(&c, msg, i);
		sha256_update(&c, msg + i, sizeof(msg) - i);
		sha256_final(&c, got);
		if (memcmp(got, want, 32) != 0)
			fail_msg("split at %zu differs", i);
	}
	sha256_init(&c);
	for (i = 0; i < sizeof(msg); i++)
		sha256_update(&c, msg + i, 1);
	sha256_final(&c, got);
	assert_memory_equal(got, want, 32);
}

/* Lengths whose bit count needs more than 32 bits (>= 512 MiB), so the high
 * word of the length field is exercised: 513 MiB + 3 zero bytes. */
static void test_long_length(void **state)
{
	static const char *want =
		"b55f88330d1fd71a64effc9b28d8af8255ad21194a417e0348ce424eea7b1586";
	const size_t chunk = 1u << 20;
	uint8_t *zero = calloc(1, chunk);
	struct sha256 c;
	uint8_t d[32];
	int i;

	(void)state;
	assert_non_null(zero);
	sha256_init(&c);
	for (i = 0; i < 513; i++)
		sha256_update(&c, zero, chunk);
	sha256_update(&c, zero, 3);
	sha256_final(&c, d);
	assert_digest_hex(d, want);
	free(zero);
}

/* ---- cross-check against Mbed TLS ------------------------------------------ */

static void hash_chunked(const uint8_t *p, size_t n, uint64_t *s, uint8_t out[32])
{
	struct sha256 c;
	size_t off = 0;

	sha256_init(&c);
	while (off < n) {
		size_t left = n - off;
		size_t take;

		switch (rnd(s) % 4) {
		case 0: take = rnd(s) % 8; break;             /* tiny, often 0 */
		case 1: take = rnd(s) % 130; break;           /* around a block */
		case 2: take = 64 * (1 + rnd(s) % 40); break; /* whole blocks */
		default: take = rnd(s) % (left + 1); break;   /* anything */
		}
		if (take > left)
			take = left;
		sha256_update(&c, p + off, take);
		off += take;
	}
	sha256_final(&c, out);
}

static void test_vs_mbedtls(void **state)
{
	const size_t maxlen = 20000;
	uint8_t *buf = malloc(maxlen);
	uint8_t want[32], got[32];
	uint64_t s = g_seed ^ 0x5a5a5a5a;
	int i;

	need_impl(state);
	assert_non_null(buf);
	for (i = 0; i < 3000; i++) {
		size_t n = (size_t)(rnd(&s) % (maxlen + 1));

		fill(buf, n, &s);
		assert_int_equal(mbedtls_sha256(buf, n, want, 0), 0);
		sha256(buf, n, got);
		if (memcmp(got, want, 32) != 0)
			fail_msg("one-shot differs: iteration %d len %zu seed %#llx",
				 i, n, (unsigned long long)g_seed);
		hash_chunked(buf, n, &s, got);
		if (memcmp(got, want, 32) != 0)
			fail_msg("chunked differs: iteration %d len %zu seed %#llx",
				 i, n, (unsigned long long)g_seed);
	}
	free(buf);
}

/* ---- context behaviour ------------------------------------------------------- */

static void test_final_wipes(void **state)
{
	struct sha256 c, zero;
	uint8_t d[32];

	need_impl(state);
	memset(&zero, 0, sizeof(zero));
	sha256_init(&c);
	sha256_update(&c, "secret key material", 19);
	sha256_final(&c, d);
	assert_memory_equal(&c, &zero, sizeof(c));
	/* and the context is reusable after init */
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, d);
	assert_digest_hex(d, kats[1].digest);
}

/* A copied context continues independently; switching implementation in the
 * middle of a hash gives the same digest. */
static void test_copy_and_switch(void **state)
{
	uint8_t msg[1000], want[32], got[32];
	uint64_t s = g_seed + 1;
	struct sha256 c, fork;

	(void)state;
	fill(msg, sizeof(msg), &s);
	sha256(msg, sizeof(msg), want);
	sha256_init(&c);
	sha256_update(&c, msg, 333);
	fork = c;
	sha256_update(&c, msg + 333, sizeof(msg) - 333);
	sha256_final(&c, got);
	assert_memory_equal(got, want, 32);

	sha256_force_portable(1);
	sha256_update(&fork, msg + 333, 300);
	sha256_force_portable(0);
	sha256_update(&fork, msg + 633, sizeof(msg) - 633);
	sha256_final(&fork, got);
	assert_memory_equal(got, want, 32);
}

/* ---- ct -------------------------------------------------------------------- */

static void test_ct_memeq(void **state)
{
	uint8_t a[64], b[64];
	size_t i;
	int bit;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(ct_memeq(a, b, sizeof(a)), 1);
	assert_int_equal(ct_memeq(NULL, NULL, 0), 1);
	assert_int_equal(ct_memeq(a, a, sizeof(a)), 1);
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(ct_memeq(a, b, sizeof(a)), 0);
			assert_int_equal(ct_memeq(a, b, i), 1); /* before the change */
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	b[0] = (uint8_t)~a[0];
	assert_int_equal(ct_memeq(a, b, 1), 0);
}

static void test_ct_wipe(void **state)
{
	uint8_t buf[100];
	size_t i;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	ct_wipe(buf + 10, 50);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (i >= 10 && i < 60) ? 0 : 0xa5);
	ct_wipe(NULL, 0);
}

/* ---- hex ------------------------------------------------------------------- */

static void test_hex_encode(void **state)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(in) + 1];

	(void)state;
	memset(out, '#', sizeof(out));
	hex_encode(in, sizeof(in), out);
	assert_string_equal(out, "00017f80abff");
	hex_encode(in, 0, out);
	assert_string_equal(out, "");
}

static void test_hex_roundtrip(void **state)
{
	uint8_t in[256], back[256];
	char s[513];
	size_t i;

	(void)state;
	for (i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	hex_encode(in, sizeof(in), s);
	assert_int_equal(hex_decode(s, 512, back, sizeof(back)), 0);
	assert_memory_equal(in, back, sizeof(in));
	memset(back, 0, sizeof(back));
	assert_int_equal(hex_decode_lower(s, 512, back, sizeof(back)), 0);
	assert_memory_equal(in, back, sizeof(in));
	assert_int_equal(hex_decode("", 0, back, 0), 0);
}

static int ref_nibble(int c, int upper)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (upper && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Every byte value in both digit positions, against a plain reference. */
static void test_hex_all_chars(void **state)
{
	int c, upper, pos, v, rc;
	uint8_t out[1];
	char s[2];

	(void)state;
	for (upper = 0; upper <= 1; upper++) {
		for (c = 0; c < 256; c++) {
			for (pos = 0; pos < 2; pos++) {
				s[pos] = (char)c;
				s[!pos] = '5';
				out[0] = 0x33;
				rc = upper ? hex_decode(s, 2, out, 1)
					   : hex_decode_lower(s, 2, out, 1);
				v = ref_nibble(c, upper);
				if (v < 0) {
					assert_int_equal(rc, -EINVAL);
					assert_int_equal(out[0], 0); /* zeroed */
				} else {
					assert_int_equal(rc, 0);
					assert_int_equal(out[0], pos ? 0x50 | v : (v << 4) | 5);
				}
			}
		}
	}
}

static void test_hex_lengths(void **state)
{
	uint8_t out[4] = { 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(hex_decode("abc", 3, out, 1), -EINVAL);   /* odd */
	assert_int_equal(hex_decode("abcd", 4, out, 1), -EINVAL);  /* too long */
	assert_int_equal(hex_decode("ab", 2, out, 2), -EINVAL);    /* too short */
	assert_int_equal(hex_decode("ab\0d", 4, out, 2), -EINVAL); /* NUL */
	assert_int_equal(hex_decode("ABcd", 4, out, 2), 0);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
	assert_int_equal(hex_decode_lower("ABcd", 4, out, 2), -EINVAL);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 3); /* nothing past outlen touched */
	assert_int_equal(hex_decode("0", 1, out, 0), -EINVAL);
	assert_int_equal(hex_decode("00", 2, out, (size_t)-1), -EINVAL);
}

/* The test once per implementation, named fn/portable and fn/sha-ni. */
#define BOTH(fn)                                                              \
	{ #fn "/portable", fn, select_impl, reset_impl, (void *)&impl_portable }, \
	{ #fn "/sha-ni", fn, select_impl, reset_impl, (void *)&impl_native }

int main(void)
{
	const char *seed = getenv("CCG_TEST_SEED");
	const struct CMUnitTest tests[] = {
		BOTH(test_kat),
		BOTH(test_million_a),
		BOTH(test_split_points),
		BOTH(test_vs_mbedtls),
		BOTH(test_final_wipes),
		cmocka_unit_test(test_long_length),
		cmocka_unit_test(test_copy_and_switch),
		cmocka_unit_test(test_ct_memeq),
		cmocka_unit_test(test_ct_wipe),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_hex_roundtrip),
		cmocka_unit_test(test_hex_all_chars),
		cmocka_unit_test(test_hex_lengths),
	};

	if (seed)
		g_seed = strtoull(seed, NULL, 0) | 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
