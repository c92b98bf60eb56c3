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

/* Throw-away test keys (the same as in tests/unit/test_jwe.c). */
static const char pem_ec256[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MHcCAQEEILyLFWSolnnAgQY6Yq/6VUMc6tuCfraSxmUytN8jIlxsoAoGCCqGSM49\n"
	"AwEHoUQDQgAEd6FqJv5DCEpu3swwRcHKF5kDrJwwGa1eE35vtPPX2bXWneYAssyP\n"
	"BMod5W05J1XJxPZo6Ua1rkLBktWivP/Kpw==\n"
	"-----END EC PRIVATE KEY-----\n";
static const char pem_rsa8[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC8Q9/HyhmXPRfS\n"
	"SeXzJ/45zTg/4jDOYvrJkLPIpL/XA/WcgMx4/cJ25JVTTsS4cAhUn00kUlA8HLmI\n"
	"YNK2GdaxKztK28mYDH3cvfzVQwotGRQ15yvfKgruvd409czXyk+2nz0zmwi71jDm\n"
	"xQrLqjok+qz2esNhPv+4PPK1M6BKqxx1jmINr1xey/39nhb2WoIrmD9gXOkcbwlo\n"
	"KKSiEVSx3vzDOe5XeelKKQkcabM4lBaoHevu5TgDWiy4BpoFBZDl51fNp8V7mtha\n"
	"cX3mhU0glKtIkSQ0hX+Xp51GzhBb2QqPfdfr57eDwbLf6QfinMFdjfedR5aGNjIY\n"
	"KD6VEbSdAgMBAAECggEATtR208/GdmLQ4i8qN24ED8zj5DAAcrLUQukxtm5xm4Uf\n"
	"Z0gxFepfbmwZMJhXW8khW9mWMgK7cOgwMbAlGrXoBShOe/Jaz61PWEo/H0cicC7D\n"
	"nSxuXNPcXwomjHNtsd+XECdON5kPh6NQt5hDBHODRC+ok85kmAgKiGkQ0ZnL4Oda\n"
	"maiVkVLnPQWzFjtRKVRSUmVW0gYxTicHMKZCZ6QcDKZkGPv09boqE2Q7kksm6k++\n"
	"j7v4QnE8Ex41UoAWIIbHz1omT6c2fa95jQMnkjhUq/YMGew4c9OuA+pOAR+0s6Fn\n"
	"ZUQBIuV+zZxI/8+BIzUwiDNxauQIIoJ/6DmaaFo5WwKBgQD6wOq2TZ+0v+uq7KrS\n"
	"4oX6eY6JGrwmwJoJIJ0olE9QJz8z8fQ1svWdHH3ECBJuTaQ8iVREZ62RrJvWjeK2\n"
	"eskNjZSEi7tZJNsGYRZ9VvOkJaDxl1c1iOBUBH++BDyHpzwo685QR2yLhgNC4aNv\n"
	"XvRkMxft0bnPbOoOjM2bPEsSnwKBgQDANEHpLqDC2QnA1fWqGh0HSjqMBcMPAukA\n"
	"+QrWimpobbzXfjiSmPdmWtifcHUXhM/C/UcjUvFXkkOeoT0o4+b914+viMDVGCz/\n"
	"zEMcKWF3whJM5NOIzrFZwcA0fpkl5k1q0xF5qy7I3sj1oR4jtsqK/GeERFc3mvt8\n"
	"fmCd3wELQwKBgQCfvcJIfM7fANyLONXiHninhkStRyDRtyTp56L2tPSJ5Va4Ks0e\n"
	"YHFjs0DTXykOp9uWzQ2nvjyubr2gQydIhJQMVENm5PVm5rm5KKSBGKGB0o7jGTxv\n"
	"WFFAdNVEIcLF0F3c28vFDJszjx4Iv2G0k1MxefMmh9LNN18sAbsBx7kzlQKBgCd+\n"
	"1YhwH3LKnJl2nfutUAe+dhdt265K/8xGYLbDTKhW3HY/pqphKn1q75abykPh87ty\n"
	"xlp44cUH9kMziNjNNBs3X3xHkrB3Pk/2DlhMHI46X/5TCzDSoFj8Wl2vIhNKpt/r\n"
	"rWyeA4gdV5g52nKmTiqPQUpJrM5tV342je4C9Dj3AoGBAOYRnLG+ZaAdpFXIjNv2\n"
	"o1G+JwN3IiobYLchhpQXVDqOy8WyDYeNunNfRQQvFyjlP9XPTnRqE8/4ziY9pBPv\n"
	"WD1RqeeI43mFtfYZtUlSVGim/sP4JeWp8watR6mlkldyKJWnlO79v4BzNSDxb2PJ\n"
	"ypAZR1Lil1BeIZ7VNdQVKG99\n"
	"-----END PRIVATE KEY-----\n";

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
