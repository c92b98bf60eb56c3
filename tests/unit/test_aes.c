/* Unit tests for crypto/aes (AES-256-CTR), crypto/gcm (AES-256-GCM) and
 * crypto/hmac (HMAC-SHA256), for every implementation this CPU has.
 *
 * Known answers: NIST SP 800-38A F.5.5 (CTR-AES256), the GCM specification's
 * AES-256 test cases 13-18 (McGrew and Viega; 96-bit, 64-bit and 480-bit
 * IVs, with and without AAD, empty plaintext) and AES-128/192 cases 3, 4 and
 * 9, RFC 4231.  Random inputs are cross-checked between implementations,
 * against the openssl command (CTR; skipped when it is missing), Python's
 * cryptography AESGCM (GCM, all key sizes; skipped when it is missing) and
 * Mbed TLS (HMAC).  Mbed TLS's GCM API is ours (MBEDTLS_GCM_ALT,
 * crypto/mbedtls_gcm_alt.c) and tested here: one-shot, streaming with random
 * chunking, truncated tags, rejection of bad tags.
 * CCG_TEST_SEED overrides the random seed.
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
#include <unistd.h>

#include <mbedtls/gcm.h>
#include <mbedtls/md.h>

#include "crypto/aes.h"
#include "crypto/aes_impl.h"
#include "crypto/gcm.h"
#include "crypto/hex.h"
#include "crypto/hmac.h"

enum { PORTABLE = 0, NATIVE = 1 };
static const int impl_portable = PORTABLE;
static const int impl_native = NATIVE;

static uint64_t g_seed = 0x2545f4914f6cdd1dull;

static uint64_t rnd(uint64_t *s)
{
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

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2;

	assert_true(n <= cap);
	assert_int_equal(hex_decode(s, 2 * n, out, n), 0);
	return n;
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
	char got[1024];

	assert_true(2 * n < sizeof(got));
	hex_encode(p, n, got);
	assert_string_equal(got, want);
}

static int select_impl(void **state)
{
	aes_force_portable(*(const int *)*state == PORTABLE);
	return 0;
}

static int reset_impl(void **state)
{
	(void)state;
	aes_force_portable(0);
	return 0;
}

static void need_impl(void **state)
{
	int mode = *(const int *)*state;

	if (mode == NATIVE && strcmp(aes_impl(), "portable") == 0) {
		print_message("no AES-NI on this CPU: skipped\n");
		skip();
	}
	if (mode == PORTABLE)
		assert_string_equal(aes_impl(), "portable");
}

/* ---- CTR ---------------------------------------------------------------------- */

static const char *f55_key = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
static const char *f55_iv = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char *f55_pt = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
			    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const char *f55_ct = "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
			    "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6";

static void test_ctr_kat(void **state)
{
	uint8_t key[32], iv[16], pt[64], buf[64];
	struct aes256_ctr c;
	size_t i;

	need_impl(state);
	unhex(f55_key, key, 32);
	unhex(f55_iv, iv, 16);
	unhex(f55_pt, pt, 64);
	aes256_ctr_init(&c, key, iv);
	aes256_ctr_xor(&c, pt, buf, 64);
	assert_hex(buf, 64, f55_ct);
	/* F.5.6: decryption is the same operation, here in place, byte by byte */
	aes256_ctr_init(&c, key, iv);
	for (i = 0; i < 64; i++)
		aes256_ctr_xor(&c, buf + i, buf + i, 1);
	assert_memory_equal(buf, pt, 64);
	aes256_ctr_xor(&c, NULL, NULL, 0);
	aes256_ctr_wipe(&c);
	assert_true(c.ks_used == 0 && c.rk[0] == 0 && c.rk[239] == 0 && c.ctr[15] == 0);
}

static void ctr_oneshot(const uint8_t key[32], const uint8_t iv[16], const uint8_t *in,
			uint8_t *out, size_t n)
{
	struct aes256_ctr c;

	aes256_ctr_init(&c, key, iv);
	aes256_ctr_xor(&c, in, out, n);
	aes256_ctr_wipe(&c);
}

/* Streaming at random split points gives the one-shot result. */
static void test_ctr_split(void **state)
{
	const size_t n = *(const int *)*state == NATIVE ? 5000 : 700;
	uint8_t key[32], iv[16], *in = malloc(n), *want = malloc(n), *got = malloc(n);
	uint64_t s = g_seed;
	struct aes256_ctr c;
	int round;

	need_impl(state);
	assert_non_null(in);
	assert_non_null(want);
	assert_non_null(got);
	for (round = 0; round < 20; round++) {
		size_t off = 0, step;

		fill(key, 32, &s);
		fill(iv, 16, &s);
		fill(in, n, &s);
		ctr_oneshot(key, iv, in, want, n);
		aes256_ctr_init(&c, key, iv);
		while (off < n) {
			switch (rnd(&s) % 4) {
			case 0: step = rnd(&s) % 17; break;
			case 1: step = 16 * (rnd(&s) % 40); break;
			default: step = rnd(&s) % (n / 2); break;
			}
			if (step > n - off)
				step = n - off;
			if (round & 1) { /* in place */
				memcpy(got + off, in + off, step);
				aes256_ctr_xor(&c, got + off, got + off, step);
			} else {
				aes256_ctr_xor(&c, in + off, got + off, step);
			}
			off += step;
		}
		if (memcmp(got, want, n) != 0)
			fail_msg("round %d differs (seed %#llx)", round, (unsigned long long)g_seed);
	}
	aes256_ctr_wipe(&c);
	free(in);
	free(want);
	free(got);
}

static void add128(uint8_t x[16], uint64_t v)
{
	int i;

	for (i = 15; i >= 0; i--) {
		v += x[i];
		x[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void sub128(uint8_t x[16], unsigned v)
{
	unsigned borrow = v;
	int i;

	for (i = 15; i >= 0; i--) {
		int d = x[i] - (int)(borrow & 0xff);

		borrow = (borrow >> 8) + (d < 0);
		x[i] = (uint8_t)d;
	}
}

/* The counter is one 128-bit big-endian integer: wraps at 2^128 and carries
 * across the low 32 and 64 bits, wherever the wrap falls in a batch. */
static void test_ctr_wrap(void **state)
{
	static const char *bases[] = {
		"ffffffffffffffffffffffffffffffff", /* wraps to zero */
		"0123456789abcdefffffffffffffffff", /* low 64 bits */
		"0123456789abcdef01234567ffffffff", /* low 32 bits */
		"00000000ffffffffffffffffffffffff", /* low 96 bits */
	};
	enum { NB = 80 };
	static const unsigned back[] = { 0, 1, 3, 7, 8, 9, 15, 31, 32, 33, 40, 63 };
	uint8_t key[32], base[16], iv[16], x[16], zero[16] = { 0 };
	uint8_t got[NB * 16], one[16];
	uint8_t in[NB * 16] = { 0 };
	uint64_t s = g_seed;
	size_t b, k, i;

	need_impl(state);
	fill(key, 32, &s);
	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		unhex(bases[b], base, 16);
		for (k = 0; k < sizeof(back) / sizeof(back[0]); k++) {
			/* iv = base - back[k] */
			memcpy(iv, base, 16);
			sub128(iv, back[k]);
			ctr_oneshot(key, iv, in, got, sizeof(got));
			memcpy(x, iv, 16);
			for (i = 0; i < NB; i++) {
				ctr_oneshot(key, x, zero, one, 16);
				if (memcmp(one, got + 16 * i, 16) != 0)
					fail_msg("base %zu back %u: block %zu differs", b, back[k], i);
				add128(x, 1);
			}
		}
	}
}

/* All implementations agree (portable is the reference), CTR and GCM. */
static void test_impls_agree(void **state)
{
	enum { MAXN = 3000 };
	uint8_t key[32], iv[64], aad[100], tag1[16], tag2[16];
	uint8_t *in = malloc(MAXN), *o1 = malloc(MAXN), *o2 = malloc(MAXN);
	uint64_t s = g_seed ^ 0x1234;
	int round;

	(void)state;
	if (strcmp(aes_impl(), "portable") == 0)
		skip();
	assert_non_null(in);
	assert_non_null(o1);
	assert_non_null(o2);
	for (round = 0; round < 12; round++) {
		size_t n = rnd(&s) % MAXN, ivl = round % 3 ? 12 : 1 + rnd(&s) % 64;
		size_t al = rnd(&s) % 100;

		if (round == 0)
			n = MAXN;
		fill(key, 32, &s);
		fill(iv, sizeof(iv), &s);
		fill(aad, sizeof(aad), &s);
		fill(in, n, &s);
		aes_force_portable(1);
		ctr_oneshot(key, iv, in, o1, n);
		assert_int_equal(gcm_aes256_encrypt(key, iv, ivl, aad, al, in, n, o2, tag1), 0);
		aes_force_portable(0);
		{
			uint8_t *o3 = malloc(MAXN);

			assert_non_null(o3);
			ctr_oneshot(key, iv, in, o3, n);
			assert_memory_equal(o1, o3, n);
			assert_int_equal(gcm_aes256_encrypt(key, iv, ivl, aad, al, in, n, o3, tag2), 0);
			assert_memory_equal(o2, o3, n);
			assert_memory_equal(tag1, tag2, 16);
			free(o3);
		}
	}
	free(in);
	free(o1);
	free(o2);
}

/* openssl enc -aes-256-ctr on random inputs (full 128-bit counter). */
static void test_ctr_vs_openssl(void **state)
{
	enum { N = 100000 };
	char path[] = "/tmp/ccg-aes-XXXXXX", cmd[512], khex[65], ivhex[33];
	uint8_t key[32], iv[16], *in = malloc(N), *want = malloc(N), *got = malloc(N);
	uint64_t s = g_seed ^ 0x55;
	FILE *f;
	int fd, round;

	need_impl(state);
	if (system("command -v openssl > /dev/null 2>&1") != 0) {
		print_message("no openssl command: skipped\n");
		free(in);
		free(want);
		free(got);
		skip();
	}
	assert_non_null(in);
	assert_non_null(want);
	assert_non_null(got);
	for (round = 0; round < 3; round++) {
		size_t n = *(const int *)*state == NATIVE ? N - round * 777 : 3000 + round;

		fill(key, 32, &s);
		fill(iv, 16, &s);
		if (round == 1)
			memset(iv + 8, 0xff, 8); /* carry into the high half */
		if (round == 2)
			memset(iv, 0xff, 16);
		fill(in, n, &s);
		fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, in, n), (ssize_t)n);
		close(fd);
		hex_encode(key, 32, khex);
		hex_encode(iv, 16, ivhex);
		snprintf(cmd, sizeof(cmd), "openssl enc -aes-256-ctr -K %s -iv %s -nopad -in %s",
			 khex, ivhex, path);
		f = popen(cmd, "r");
		assert_non_null(f);
		assert_int_equal(fread(want, 1, n, f), n);
		assert_int_equal(pclose(f), 0);
		unlink(path);
		strcpy(path, "/tmp/ccg-aes-XXXXXX");
		ctr_oneshot(key, iv, in, got, n);
		if (memcmp(got, want, n) != 0)
			fail_msg("round %d differs from openssl", round);
	}
	free(in);
	free(want);
	free(got);
}

/* ---- GCM ---------------------------------------------------------------------- */

struct gcm_kat {
	const char *key, *iv, *aad, *pt, *ct, *tag;
};

#define K0 "0000000000000000000000000000000000000000000000000000000000000000"
#define KF "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
#define P60 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define A20 "feedfacedeadbeeffeedfacedeadbeefabaddad2"

static const struct gcm_kat gcm_kats[] = {
	/* test case 13: empty plaintext, no AAD */
	{ K0, "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
	/* 14 */
	{ K0, "000000000000000000000000", "", "00000000000000000000000000000000",
	  "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
	/* 15 */
	{ KF, "cafebabefacedbaddecaf888", "", P60 "1aafd255",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	/* 16: AAD, partial last block */
	{ KF, "cafebabefacedbaddecaf888", A20, P60,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	/* 17: 64-bit IV */
	{ KF, "cafebabefacedbad", A20, P60,
	  "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
	  "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f",
	  "3a337dbf46a792c45e454913fe2ea8f2" },
	/* 18: 480-bit IV */
	{ KF, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
	      "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
	  A20, P60,
	  "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4"
	  "0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f",
	  "a44a8266ee1c8eb0c8b5d4cf5ae9f19a" },
	/* empty plaintext with AAD is covered by test_gcm_vs_python */
};

static void test_gcm_kat(void **state)
{
	uint8_t key[32], iv[64], aad[32], pt[64], ct[64], buf[64], tag[16], want_tag[16];
	size_t i, ivl, al, n;

	need_impl(state);
	for (i = 0; i < sizeof(gcm_kats) / sizeof(gcm_kats[0]); i++) {
		const struct gcm_kat *k = &gcm_kats[i];

		unhex(k->key, key, 32);
		ivl = unhex(k->iv, iv, sizeof(iv));
		al = unhex(k->aad, aad, sizeof(aad));
		n = unhex(k->pt, pt, sizeof(pt));
		unhex(k->ct, ct, sizeof(ct));
		unhex(k->tag, want_tag, 16);
		assert_int_equal(gcm_aes256_encrypt(key, iv, ivl, al ? aad : NULL, al,
						    n ? pt : NULL, n, n ? buf : NULL, tag), 0);
		assert_memory_equal(buf, ct, n);
		assert_memory_equal(tag, want_tag, 16);
		/* decrypt in place */
		memcpy(buf, ct, n);
		assert_int_equal(gcm_aes256_decrypt(key, iv, ivl, aad, al, buf, n, buf, want_tag), 0);
		assert_memory_equal(buf, pt, n);
		/* a flipped tag bit, AAD bit or ciphertext bit fails and wipes */
		want_tag[15] ^= 1;
		memset(buf, 0xaa, sizeof(buf));
		assert_int_equal(gcm_aes256_decrypt(key, iv, ivl, aad, al, ct, n, buf, want_tag),
				 -EBADMSG);
		for (size_t j = 0; j < n; j++)
			assert_int_equal(buf[j], 0);
		want_tag[15] ^= 1;
		if (al) {
			aad[al - 1] ^= 0x80;
			assert_int_equal(gcm_aes256_decrypt(key, iv, ivl, aad, al, ct, n, buf, want_tag),
					 -EBADMSG);
			aad[al - 1] ^= 0x80;
		}
		if (n) {
			ct[0] ^= 4;
			assert_int_equal(gcm_aes256_decrypt(key, iv, ivl, aad, al, ct, n, buf, want_tag),
					 -EBADMSG);
		}
	}
}

static void test_gcm_errors(void)
{
	uint8_t key[32] = { 0 }, iv[12] = { 0 }, tag[16];

	assert_int_equal(gcm_aes256_encrypt(key, iv, 0, NULL, 0, NULL, 0, NULL, tag), -EINVAL);
	assert_int_equal(gcm_aes256_encrypt(key, NULL, 12, NULL, 0, NULL, 0, NULL, tag), -EINVAL);
	assert_int_equal(gcm_aes256_decrypt(key, iv, 0, NULL, 0, NULL, 0, NULL, tag), -EINVAL);
	assert_int_equal(gcm_aes256_encrypt(key, iv, 12, NULL, 0, iv, (size_t)1 << 37, iv, tag),
			 -EINVAL);
}

static void test_gcm_errors_wrap(void **state)
{
	(void)state;
	test_gcm_errors();
}

/* ---- GCM against an independent implementation, and Mbed TLS's GCM API ------
 *
 * Mbed TLS's GCM is ours (MBEDTLS_GCM_ALT, crypto/mbedtls_gcm_alt.c), so the
 * reference is Python's cryptography package (OpenSSL): AESGCM on random
 * keys (128/192/256 bits), IVs (8..80 bytes), AAD and lengths.  Each case is
 * checked through gcm_aes256_* (256-bit keys), mbedtls_gcm_crypt_and_tag and
 * mbedtls_gcm_auth_decrypt, and the streaming API with random chunking. */

static const char *py_aesgcm =
	"import sys\n"
	"from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
	"for l in sys.stdin:\n"
	"    k, iv, a, p = [bytes.fromhex(x.strip('-')) for x in l.split()]\n"
	"    print(AESGCM(k).encrypt(iv, p, a or None).hex())\n";

#define PY "/usr/bin/python3"

static int have_py_aesgcm(void)
{
	return system(PY " -c 'from cryptography.hazmat.primitives.ciphers.aead import AESGCM'"
		      " > /dev/null 2>&1") == 0;
}

static void put_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		fputc('-', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc(' ', f);
}

enum { MAXN = 4500, MAXAD = 300, MAXIV = 80 };

struct gcm_case {
	uint8_t key[32], iv[MAXIV], aad[MAXAD];
	size_t kl, ivl, al, n;
	uint8_t *pt, *ct; /* ct: n bytes + 16-byte tag */
};

static void rnd_case(struct gcm_case *c, int round, int native, uint64_t *s)
{
	static const size_t kls[3] = { 16, 24, 32 };

	c->kl = kls[rnd(s) % 3];
	c->n = rnd(s) % (native ? MAXN : 600);
	c->ivl = rnd(s) % 3 ? 12 : 8 + rnd(s) % (MAXIV - 7);
	c->al = rnd(s) % 2 ? 0 : rnd(s) % MAXAD;
	if (round < 48)
		c->n = (size_t)(round / 3) * 16 + (round & 1); /* small sizes, exact blocks */
	fill(c->key, c->kl, s);
	fill(c->iv, c->ivl, s);
	fill(c->aad, c->al, s);
	fill(c->pt, c->n, s);
}

/* Random chunk sizes: mostly small (partial blocks), sometimes big. */
static size_t chunk(uint64_t *s, size_t left)
{
	size_t k = rnd(s) % 4 == 0 ? rnd(s) % 700 : rnd(s) % 40;

	return k < left ? k : left;
}

/* Streaming through the Mbed TLS API: AD and data in random pieces, output
 * written exactly as announced (output_length == input length each time),
 * tag of length tl. */
static void stream(const struct gcm_case *c, int mode, const uint8_t *in, uint8_t *out,
		   size_t tl, uint8_t *tag, uint64_t *s)
{
	mbedtls_gcm_context g;
	size_t off, k, olen;

	mbedtls_gcm_init(&g);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, c->key, c->kl * 8), 0);
	assert_int_equal(mbedtls_gcm_starts(&g, mode, c->iv, c->ivl), 0);
	for (off = 0; off < c->al; off += k) {
		k = chunk(s, c->al - off);
		assert_int_equal(mbedtls_gcm_update_ad(&g, k ? c->aad + off : NULL, k), 0);
	}
	for (off = 0; off < c->n; off += k) {
		k = chunk(s, c->n - off);
		if (k && rnd(s) % 8 == 0)
			assert_int_equal(mbedtls_gcm_update(&g, in + off, k, out + off, k - 1, &olen),
					 MBEDTLS_ERR_GCM_BUFFER_TOO_SMALL);
		olen = 12345;
		assert_int_equal(mbedtls_gcm_update(&g, in + off, k, out + off,
						    k + (rnd(s) % 2 ? 15 : 0), &olen), 0);
		assert_int_equal(olen, k);
	}
	olen = 12345;
	assert_int_equal(mbedtls_gcm_finish(&g, NULL, 0, &olen, tag, tl), 0);
	assert_int_equal(olen, 0);
	mbedtls_gcm_free(&g);
}

static void check_case(const struct gcm_case *c, uint8_t *got, uint64_t *s, int round)
{
	mbedtls_gcm_context g;
	uint8_t tag[16];
	size_t tl = 4 + rnd(s) % 13, j;

	/* one-shot */
	mbedtls_gcm_init(&g);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, c->key, c->kl * 8), 0);
	assert_int_equal(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, c->n, c->iv, c->ivl,
						   c->aad, c->al, c->pt, got, 16, tag), 0);
	if (memcmp(got, c->ct, c->n) != 0 || memcmp(tag, c->ct + c->n, 16) != 0)
		fail_msg("round %d (key %zu n %zu iv %zu aad %zu): crypt_and_tag differs from Python",
			 round, c->kl, c->n, c->ivl, c->al);
	/* auth_decrypt in place, truncated tag */
	memcpy(got, c->ct, c->n);
	assert_int_equal(mbedtls_gcm_auth_decrypt(&g, c->n, c->iv, c->ivl, c->aad, c->al,
						  c->ct + c->n, tl, got, got), 0);
	assert_memory_equal(got, c->pt, c->n);
	/* a bad tag: rejected, output wiped */
	memcpy(tag, c->ct + c->n, 16);
	tag[rnd(s) % tl] ^= (uint8_t)(1u << (rnd(s) % 8));
	memset(got, 0xaa, c->n);
	assert_int_equal(mbedtls_gcm_auth_decrypt(&g, c->n, c->iv, c->ivl, c->aad, c->al, tag, tl,
						  c->ct, got),
			 MBEDTLS_ERR_GCM_AUTH_FAILED);
	for (j = 0; j < c->n; j++)
		assert_int_equal(got[j], 0);
	mbedtls_gcm_free(&g);
	/* our one-shot API (AES-256 only) */
	if (c->kl == 32) {
		assert_int_equal(gcm_aes256_encrypt(c->key, c->iv, c->ivl, c->aad, c->al, c->pt, c->n,
						    got, tag), 0);
		assert_memory_equal(got, c->ct, c->n);
		assert_memory_equal(tag, c->ct + c->n, 16);
	}
	/* streaming, both ways (decryption in place) */
	memset(got, 0, c->n);
	stream(c, MBEDTLS_GCM_ENCRYPT, c->pt, got, tl, tag, s);
	if (memcmp(got, c->ct, c->n) != 0 || memcmp(tag, c->ct + c->n, tl) != 0)
		fail_msg("round %d (key %zu n %zu iv %zu aad %zu): streaming differs from Python",
			 round, c->kl, c->n, c->ivl, c->al);
	memcpy(got, c->ct, c->n);
	stream(c, MBEDTLS_GCM_DECRYPT, got, got, 16, tag, s);
	assert_memory_equal(got, c->pt, c->n);
	assert_memory_equal(tag, c->ct + c->n, 16);
}

static void test_gcm_vs_python(void **state)
{
	enum { ROUNDS_NATIVE = 300, ROUNDS_PORTABLE = 60 };
	const int native = *(const int *)*state == NATIVE;
	const int rounds = native ? ROUNDS_NATIVE : ROUNDS_PORTABLE;
	struct gcm_case *cs = calloc(ROUNDS_NATIVE, sizeof(*cs));
	char path[] = "/tmp/ccg-gcm-XXXXXX", cmd[1024], *line = NULL;
	uint8_t *got = malloc(MAXN);
	uint64_t s = g_seed ^ 0xabcdef;
	size_t cap = 0;
	FILE *f;
	int fd, r;

	need_impl(state);
	if (!have_py_aesgcm()) {
		print_message("no python3-cryptography: skipped\n");
		free(cs);
		free(got);
		skip();
	}
	assert_non_null(cs);
	assert_non_null(got);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (r = 0; r < rounds; r++) {
		cs[r].pt = malloc(MAXN);
		cs[r].ct = malloc(MAXN + 16);
		assert_non_null(cs[r].pt);
		assert_non_null(cs[r].ct);
		rnd_case(&cs[r], r, native, &s);
		put_hex(f, cs[r].key, cs[r].kl);
		put_hex(f, cs[r].iv, cs[r].ivl);
		put_hex(f, cs[r].aad, cs[r].al);
		put_hex(f, cs[r].pt, cs[r].n);
		fputc('\n', f);
	}
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), PY " -c \"%s\" < %s", py_aesgcm, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	for (r = 0; r < rounds; r++) {
		ssize_t len = getline(&line, &cap, f);

		assert_true(len > 0);
		assert_int_equal((size_t)len - 1, 2 * (cs[r].n + 16));
		assert_int_equal(hex_decode(line, (size_t)len - 1, cs[r].ct, cs[r].n + 16), 0);
	}
	assert_int_equal(pclose(f), 0);
	unlink(path);
	free(line);
	for (r = 0; r < rounds; r++) {
		check_case(&cs[r], got, &s, r);
		free(cs[r].pt);
		free(cs[r].ct);
	}
	free(cs);
	free(got);
}

/* IVs of 1..7 bytes (Python refuses them): the Mbed TLS API, one-shot and
 * streaming, against gcm_aes256_encrypt. */
static void test_gcm_alt_short_iv(void **state)
{
	struct gcm_case c;
	uint8_t tag[16], *got = malloc(600);
	uint64_t s = g_seed ^ 0x1234;
	int r;

	need_impl(state);
	c.pt = malloc(600);
	c.ct = malloc(616);
	assert_non_null(c.pt);
	assert_non_null(c.ct);
	assert_non_null(got);
	for (r = 0; r < 40; r++) {
		rnd_case(&c, 100 + r, 0, &s);
		c.kl = 32;
		c.ivl = 1 + (size_t)r % 7;
		fill(c.key, 32, &s);
		assert_int_equal(gcm_aes256_encrypt(c.key, c.iv, c.ivl, c.aad, c.al, c.pt, c.n, c.ct,
						    c.ct + c.n), 0);
		stream(&c, MBEDTLS_GCM_ENCRYPT, c.pt, got, 16, tag, &s);
		assert_memory_equal(got, c.ct, c.n);
		assert_memory_equal(tag, c.ct + c.n, 16);
	}
	free(c.pt);
	free(c.ct);
	free(got);
}

/* The GCM specification's AES-128 test cases 3 and 4 (no AAD; AAD and a
 * partial last block) and AES-192 test case 9, through the Mbed TLS API. */
static void test_gcm_alt_kat(void **state)
{
	static const struct gcm_kat kats[] = {
		{ "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "", P60 "1aafd255",
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
		  "4d5c2af327cd64a62cf35abd2ba6fab4" },
		{ "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", A20, P60,
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
		  "5bc94fbc3221a5db94fae95ae7121a47" },
		{ "feffe9928665731c6d6a8f9467308308feffe9928665731c", "cafebabefacedbaddecaf888",
		  "", P60 "1aafd255",
		  "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
		  "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
		  "9924a7c8587336bfb118024db8674a14" },
	};
	uint8_t key[32], iv[12], aad[32], pt[64], ct[64], buf[64], tag[16], want[16];
	size_t i, kl, al, n, olen;
	mbedtls_gcm_context g;

	need_impl(state);
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		kl = unhex(kats[i].key, key, sizeof(key));
		unhex(kats[i].iv, iv, sizeof(iv));
		al = unhex(kats[i].aad, aad, sizeof(aad));
		n = unhex(kats[i].pt, pt, sizeof(pt));
		unhex(kats[i].ct, ct, sizeof(ct));
		unhex(kats[i].tag, want, 16);
		mbedtls_gcm_init(&g);
		assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, kl * 8), 0);
		assert_int_equal(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, iv, 12, aad, al,
							   pt, buf, 16, tag), 0);
		assert_memory_equal(buf, ct, n);
		assert_memory_equal(tag, want, 16);
		/* byte by byte */
		assert_int_equal(mbedtls_gcm_starts(&g, MBEDTLS_GCM_DECRYPT, iv, 12), 0);
		for (size_t j = 0; j < al; j++)
			assert_int_equal(mbedtls_gcm_update_ad(&g, aad + j, 1), 0);
		for (size_t j = 0; j < n; j++) {
			assert_int_equal(mbedtls_gcm_update(&g, ct + j, 1, buf + j, 1, &olen), 0);
			assert_int_equal(olen, 1);
		}
		assert_int_equal(mbedtls_gcm_finish(&g, buf, 15, &olen, tag, 16), 0);
		assert_int_equal(olen, 0);
		assert_memory_equal(buf, pt, n);
		assert_memory_equal(tag, want, 16);
		mbedtls_gcm_free(&g);
	}
}

/* A context copied to another alignment mid-stream keeps working (the key
 * table is kept 64-byte aligned inside it). */
static void test_gcm_alt_copy(void **state)
{
	static const unsigned kbits[3] = { 128, 192, 256 };
	uint8_t key[32], iv[12], pt[200], ct[200], got[200], tag[16], want[16];
	uint64_t s = g_seed ^ 0x77;
	unsigned char *mem = aligned_alloc(64, (sizeof(mbedtls_gcm_context) + 128 + 63) & ~(size_t)63);
	mbedtls_gcm_context a, *b = (mbedtls_gcm_context *)(void *)(mem + 24);
	size_t olen;
	int i;

	need_impl(state);
	assert_non_null(mem);
	for (i = 0; i < 3; i++) {
		fill(key, 32, &s);
		fill(iv, 12, &s);
		fill(pt, sizeof(pt), &s);
		mbedtls_gcm_init(&a);
		assert_int_equal(mbedtls_gcm_setkey(&a, MBEDTLS_CIPHER_ID_AES, key, kbits[i]), 0);
		assert_int_equal(mbedtls_gcm_crypt_and_tag(&a, MBEDTLS_GCM_ENCRYPT, sizeof(pt), iv, 12,
							   iv, 5, pt, ct, 16, want), 0);
		assert_int_equal(mbedtls_gcm_starts(&a, MBEDTLS_GCM_ENCRYPT, iv, 12), 0);
		assert_int_equal(mbedtls_gcm_update_ad(&a, iv, 5), 0);
		assert_int_equal(mbedtls_gcm_update(&a, pt, 37, got, 37, &olen), 0);
		memcpy(b, &a, sizeof(a));
		memset(&a, 0x55, sizeof(a));
		assert_int_equal(mbedtls_gcm_update(b, pt + 37, sizeof(pt) - 37, got + 37,
						    sizeof(pt) - 37, &olen), 0);
		assert_int_equal(mbedtls_gcm_finish(b, NULL, 0, &olen, tag, 16), 0);
		assert_memory_equal(got, ct, sizeof(pt));
		assert_memory_equal(tag, want, 16);
		mbedtls_gcm_free(b);
	}
	free(mem);
}

/* Errors as Mbed TLS's own GCM reports them. */
static void test_gcm_alt_errors(void **state)
{
	uint8_t key[32] = { 1 }, iv[12] = { 2 }, buf[64] = { 0 }, tag[16];
	mbedtls_gcm_context g;
	size_t olen;

	(void)state;
	mbedtls_gcm_init(&g);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 100),
			 MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_CAMELLIA, key, 128),
			 MBEDTLS_ERR_GCM_BAD_INPUT);
	/* no key yet */
	assert_int_equal(mbedtls_gcm_starts(&g, MBEDTLS_GCM_ENCRYPT, iv, 12),
			 MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 128), 0);
	assert_int_equal(mbedtls_gcm_starts(&g, MBEDTLS_GCM_ENCRYPT, iv, 0),
			 MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_starts(&g, MBEDTLS_GCM_ENCRYPT, iv, 12), 0);
	assert_int_equal(mbedtls_gcm_update_ad(&g, buf, 3), 0);
	assert_int_equal(mbedtls_gcm_update(&g, buf, 0, NULL, 0, &olen), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(mbedtls_gcm_update_ad(&g, buf, 3), 0); /* still AD */
	assert_int_equal(mbedtls_gcm_update(&g, buf, 20, buf, 19, &olen),
			 MBEDTLS_ERR_GCM_BUFFER_TOO_SMALL);
	/* output after input and overlapping */
	assert_int_equal(mbedtls_gcm_update(&g, buf, 20, buf + 1, 20, &olen),
			 MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_update(&g, buf, 20, buf, 20, &olen), 0);
	assert_int_equal(olen, 20);
	/* AD after data */
	assert_int_equal(mbedtls_gcm_update_ad(&g, buf, 3), MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_finish(&g, NULL, 0, &olen, tag, 3), MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_finish(&g, NULL, 0, &olen, tag, 17),
			 MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_finish(&g, NULL, 0, &olen, tag, 16), 0);
	/* finished: no more data without starts */
	assert_int_equal(mbedtls_gcm_update(&g, buf, 16, buf, 16, &olen), MBEDTLS_ERR_GCM_BAD_INPUT);
	assert_int_equal(mbedtls_gcm_auth_decrypt(&g, 16, iv, 12, NULL, 0, tag, 3, buf, buf),
			 MBEDTLS_ERR_GCM_BAD_INPUT);
	mbedtls_gcm_free(&g);
	mbedtls_gcm_free(NULL);
}

/* The bulk routines increment only the low 32 bits of the counter (inc32):
 * start just below the wrap and compare with one-block encryptions. */
static void test_gcm_inc32(void **state)
{
	enum { NB = 45 };
	uint8_t key[32], rk[240], ctr[16], c0[16], xi[16] = { 0 }, xi2[16] = { 0 };
	uint8_t in[NB * 16], out[NB * 16], ks[16], h[16] = { 0 };
	struct aes_gcm_htab t;
	uint64_t s = g_seed ^ 77;
	size_t i, j;
	int v;

	(void)state;
	if (aes_cpu_impl() == AES_IMPL_PORTABLE)
		skip();
	fill(key, 32, &s);
	fill(in, sizeof(in), &s);
	aes256_expand_portable(rk, key);
	aes256_encrypt_portable(rk, h, h);
	aes_gcm_init_ni(&t, h);
	for (v = 0; v < 2; v++) {
		if (v == 1 && aes_cpu_impl() != AES_IMPL_VAES)
			break;
		fill(c0, 16, &s);
		memset(c0 + 12, 0xff, 4);
		c0[15] = 0xf5;
		memcpy(ctr, c0, 16);
		memset(xi, 0, 16);
		if (v)
			aes_gcm_crypt_vaes(rk, &t, ctr, xi, in, out, NB, 1);
		else
			aes_gcm_crypt_ni(rk, &t, ctr, xi, in, out, NB, 1);
		for (i = 0; i < NB; i++) {
			uint32_t low = ((uint32_t)c0[12] << 24 | (uint32_t)c0[13] << 16 |
					(uint32_t)c0[14] << 8 | c0[15]) + (uint32_t)i;
			uint8_t cb[16];

			memcpy(cb, c0, 12);
			cb[12] = (uint8_t)(low >> 24);
			cb[13] = (uint8_t)(low >> 16);
			cb[14] = (uint8_t)(low >> 8);
			cb[15] = (uint8_t)low;
			aes256_encrypt_portable(rk, cb, ks);
			for (j = 0; j < 16; j++)
				ks[j] ^= in[16 * i + j];
			if (memcmp(ks, out + 16 * i, 16) != 0)
				fail_msg("impl %d block %zu differs", v, i);
			if (i == NB - 1)
				assert_memory_equal(ctr, cb, 12);
		}
		memset(xi2, 0, 16);
		aes_gcm_ghash_ni(&t, xi2, out, NB);
		assert_memory_equal(xi, xi2, 16);
	}
}

/* ---- HMAC ---------------------------------------------------------------------- */

static void test_hmac_kat(void **state)
{
	static const struct {
		const char *key; /* hex */
		const char *msg; /* text or hex when starting with "hex:" */
		const char *mac;
	} kats[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665", "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "hex:dd50",
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819", "hex:cd50",
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
		{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "Test With Truncation",
		  "a3b6167473100ee06e0c796c2955552b" }, /* truncated to 128 bits */
		{ "aa*131", "Test Using Larger Than Block-Size Key - Hash Key First",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ "aa*131",
		  "This is a test using a larger than block-size key and a larger than block-size "
		  "data. The key needs to be hashed before being used by the HMAC algorithm.",
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	};
	uint8_t key[200], msg[200], mac[32];
	struct hmac_sha256 h;
	size_t i, kl, ml, j;

	(void)state;
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		if (strcmp(kats[i].key, "aa*131") == 0) {
			kl = 131;
			memset(key, 0xaa, kl);
		} else {
			kl = unhex(kats[i].key, key, sizeof(key));
		}
		if (strncmp(kats[i].msg, "hex:", 4) == 0) {
			ml = 50;
			memset(msg, strcmp(kats[i].msg, "hex:dd50") == 0 ? 0xdd : 0xcd, ml);
		} else {
			ml = strlen(kats[i].msg);
			memcpy(msg, kats[i].msg, ml);
		}
		hmac_sha256(key, kl, msg, ml, mac);
		assert_hex(mac, strlen(kats[i].mac) / 2, kats[i].mac);
		/* byte by byte */
		hmac_sha256_init(&h, key, kl);
		for (j = 0; j < ml; j++)
			hmac_sha256_update(&h, msg + j, 1);
		hmac_sha256_final(&h, mac);
		assert_hex(mac, strlen(kats[i].mac) / 2, kats[i].mac);
		for (j = 0; j < sizeof(h); j++)
			assert_int_equal(((const uint8_t *)&h)[j], 0);
	}
}

/* Mbed TLS's HMAC on random keys (0..200 bytes) and messages, random splits. */
static void test_hmac_vs_mbedtls(void **state)
{
	uint8_t key[200], msg[3000], want[32], got[32];
	uint64_t s = g_seed ^ 0x4231;
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	struct hmac_sha256 h;
	int round;

	(void)state;
	assert_non_null(md);
	for (round = 0; round < 100; round++) {
		size_t kl = rnd(&s) % sizeof(key), ml = rnd(&s) % sizeof(msg), off = 0, step;

		fill(key, kl, &s);
		fill(msg, ml, &s);
		assert_int_equal(mbedtls_md_hmac(md, key, kl, msg, ml, want), 0);
		hmac_sha256_init(&h, kl ? key : NULL, kl);
		while (off < ml) {
			step = rnd(&s) % 150;
			if (step > ml - off)
				step = ml - off;
			hmac_sha256_update(&h, msg + off, step);
			off += step;
		}
		hmac_sha256_final(&h, got);
		assert_memory_equal(got, want, 32);
	}
}

#define BOTH(fn)                                                              \
	{ #fn "/portable", fn, select_impl, reset_impl, (void *)&impl_portable }, \
	{ #fn "/native", fn, select_impl, reset_impl, (void *)&impl_native }

int main(void)
{
	const char *seed = getenv("CCG_TEST_SEED");
	const struct CMUnitTest tests[] = {
		BOTH(test_ctr_kat),
		BOTH(test_ctr_split),
		BOTH(test_ctr_wrap),
		BOTH(test_ctr_vs_openssl),
		BOTH(test_gcm_kat),
		BOTH(test_gcm_vs_python),
		BOTH(test_gcm_alt_short_iv),
		BOTH(test_gcm_alt_kat),
		BOTH(test_gcm_alt_copy),
		cmocka_unit_test(test_gcm_alt_errors),
		cmocka_unit_test(test_gcm_errors_wrap),
		cmocka_unit_test(test_gcm_inc32),
		cmocka_unit_test(test_impls_agree),
		cmocka_unit_test(test_hmac_kat),
		cmocka_unit_test(test_hmac_vs_mbedtls),
	};

	printf("aes implementation: %s\n", aes_impl());
	if (seed)
		g_seed = strtoull(seed, NULL, 0) | 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
