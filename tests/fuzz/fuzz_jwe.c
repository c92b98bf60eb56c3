/* Fuzz target: crypto/jwe.c (and crypto/b64.c), the KBS resource envelope.
 *
 * The input is the JSON as the KBS would send it, opened with the fixed TEE
 * key of kbs-protocol.md §3 (the corpus starts from the §4 vector made for
 * it, so mutations reach the key agreement, the key unwrap and GCM).  Checks
 * the contract: only documented codes, *out_len 0 and no plaintext left on
 * failure, and anything that opens is the vector's plaintext (no other input
 * can authenticate under that key without the KBS's secrets).  The same bytes
 * then go through both base64 decoders: whatever decodes must re-encode to
 * exactly the input (decoding is strict and canonical). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/jwe.h"
#include "crypto/teekey.h"

static const uint8_t tee_d[32] = {
	0x18, 0x37, 0xe9, 0xa2, 0x77, 0x33, 0x4a, 0x8f, 0xf1, 0x9d, 0xe1, 0xb3, 0xf8, 0x13,
	0xc9, 0xed, 0x7c, 0xf2, 0x22, 0xa5, 0x9d, 0x01, 0x21, 0x34, 0xc5, 0x32, 0xfa, 0x02,
	0xac, 0x5b, 0x19, 0x36,
};

static struct teekey *key(void)
{
	static struct teekey *k;

	if (!k && teekey_import_ec_p256(&k, tee_d) != 0)
		abort();
	return k;
}

static void check_jwe(const uint8_t *data, size_t size)
{
	static uint8_t out[4096];
	size_t len = 1, i;
	int rc;

	memset(out, 0xa5, sizeof(out));
	rc = jwe_decrypt(key(), (const char *)data, size, out, sizeof(out), &len);
	if (rc == 0) {
		if (len != 12 || memcmp(out, "test content", 12) != 0)
			abort();
		return;
	}
	if (len != 0)
		abort();
	if (rc != -JWE_EFORMAT && rc != -JWE_EALG && rc != -JWE_EEPK && rc != -JWE_EKEY &&
	    rc != -JWE_EAUTH && rc != -ENOSPC && rc != -ENOMEM)
		abort();
	for (i = 0; i < sizeof(out); i++)
		if (out[i] != 0 && out[i] != 0xa5)
			abort();
}

static void check_b64(const uint8_t *data, size_t size, bool url)
{
	static uint8_t bin[3 * 4096];
	static char text[4 * 4096 + 8];
	size_t len, tlen;

	if (size > 4 * 4096)
		return;
	if (b64_decode((const char *)data, size, bin, sizeof(bin), &len, url) != 0)
		return;
	if (b64_encode(bin, len, text, sizeof(text), &tlen, url) != 0 || tlen != size ||
	    memcmp(text, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_jwe(data, size);
	check_b64(data, size, false);
	check_b64(data, size, true);
	return 0;
}
