/* Fuzz target: image/ocicrypt.c and jwe_decrypt_any() (crypto/jwe.c).
 *
 * The first byte picks the parser, the rest is its input:
 *   0  pubopts (base64 text), 1  privopts (JSON), 2  a recipients list,
 *   3  an image-key JWE opened with a fixed P-256 key, 4  the same with a
 *      fixed RSA-2048 key (RSA-OAEP / RSA-OAEP-256).
 * Checks the contracts: only documented codes, outputs zero/wiped on
 * failure, the work area wiped after privopts, decoded recipients fit. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "crypto/jwe.h"
#include "crypto/teekey.h"
#include "image/ocicrypt.h"
#include "tests/unit/test_keys.h"

/* Throw-away test keys (the same as in tests/unit/test_jwe.c). */

static struct teekey *key(int rsa)
{
	static struct teekey *k[2];
	const char *pem = rsa ? pem_rsa8 : pem_ec256;

	if (!k[rsa] && teekey_import_pem(&k[rsa], (const uint8_t *)pem, strlen(pem)) != 0)
		abort();
	return k[rsa];
}

static uint8_t work[1 << 18];

static void fuzz_pub(const uint8_t *d, size_t n)
{
	struct ocicrypt_pub p;
	struct err e;
	int rc = ocicrypt_pubopts_parse((const char *)d, n, &p, work, sizeof(work), &e);
	size_t i;

	if (rc != 0 && rc != -ERR_FORMAT && rc != -ERR_UNSUPPORTED && rc != -ERR_LIMIT)
		abort();
	if (rc != 0)
		for (i = 0; i < sizeof(p.hmac); i++)
			if (p.hmac[i])
				abort();
}

static void fuzz_priv(const uint8_t *d, size_t n)
{
	struct ocicrypt_priv p;
	struct err e;
	int rc = ocicrypt_privopts_parse(d, n, &p, work, sizeof(work), &e);
	size_t i;

	if (rc != 0 && rc != -ERR_FORMAT && rc != -ERR_LIMIT)
		abort();
	for (i = 0; i < sizeof(work); i += 64)
		if (work[i])
			abort();
	if (rc != 0)
		for (i = 0; i < sizeof(p.key); i++)
			if (p.key[i])
				abort();
	if (rc == 0 && strlen(p.digest) >= sizeof(p.digest))
		abort();
	ocicrypt_priv_wipe(&p);
}

static void fuzz_recipients(const uint8_t *d, size_t n)
{
	static uint8_t out[1024];
	const char *p = (const char *)d, *end = p + n, *prev;
	size_t len;
	int rc;

	do {
		prev = p;
		rc = ocicrypt_recipients_next(&p, end, out, sizeof(out), &len, NULL);
		if (rc == 1 && (p <= prev || p > end || len == 0 || len > sizeof(out)))
			abort();
	} while (rc == 1);
	if (rc != 0 && rc != -ERR_FORMAT && rc != -ERR_LIMIT)
		abort();
}

static void fuzz_jwe(const uint8_t *d, size_t n, int rsa)
{
	static uint8_t out[4096];
	size_t len = 1, i;
	int rc;

	memset(out, 0xa5, sizeof(out));
	rc = jwe_decrypt_any(key(rsa), (const char *)d, n, out, sizeof(out), &len);
	if (rc == 0)
		return;
	if (len != 0)
		abort();
	if (rc != -JWE_EFORMAT && rc != -JWE_EALG && rc != -JWE_EEPK && rc != -JWE_EKEY &&
	    rc != -JWE_EAUTH && rc != -ENOSPC && rc != -ENOMEM)
		abort();
	for (i = 0; i < sizeof(out); i++)
		if (out[i] != 0 && out[i] != 0xa5)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_pub(data + 1, size - 1);
		break;
	case 1:
		fuzz_priv(data + 1, size - 1);
		break;
	case 2:
		fuzz_recipients(data + 1, size - 1);
		break;
	default:
		fuzz_jwe(data + 1, size - 1, data[0] % 5 == 4);
		break;
	}
	return 0;
}
