/* HMAC-SHA256: H((K ^ opad) || H((K ^ ipad) || m)). */
#include "crypto/hmac.h"

#include <string.h>

#include "crypto/ct.h"

void hmac_sha256_init(struct hmac_sha256 *h, const uint8_t *key, size_t n)
{
	uint8_t k[SHA256_BLOCK_LEN];
	size_t i;

	memset(k, 0, sizeof(k));
	if (n > SHA256_BLOCK_LEN)
		sha256(key, n, k);
	else if (n)
		memcpy(k, key, n);
	for (i = 0; i < sizeof(k); i++)
		k[i] ^= 0x36;
	sha256_init(&h->inner);
	sha256_update(&h->inner, k, sizeof(k));
	for (i = 0; i < sizeof(k); i++)
		k[i] ^= 0x36 ^ 0x5c;
	sha256_init(&h->outer);
	sha256_update(&h->outer, k, sizeof(k));
	ct_wipe(k, sizeof(k));
}

void hmac_sha256_update(struct hmac_sha256 *h, const void *p, size_t n)
{
	sha256_update(&h->inner, p, n);
}

void hmac_sha256_final(struct hmac_sha256 *h, uint8_t out[32])
{
	uint8_t d[SHA256_LEN];

	sha256_final(&h->inner, d);
	sha256_update(&h->outer, d, sizeof(d));
	sha256_final(&h->outer, out);
	ct_wipe(d, sizeof(d));
	ct_wipe(h, sizeof(*h));
}

void hmac_sha256(const uint8_t *key, size_t key_len, const void *p, size_t n, uint8_t out[32])
{
	struct hmac_sha256 h;

	hmac_sha256_init(&h, key, key_len);
	hmac_sha256_update(&h, p, n);
	hmac_sha256_final(&h, out);
}
