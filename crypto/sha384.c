/* sha384: see sha384.h. */
#include "crypto/sha384.h"

void sha384_init(struct sha384_ctx *c)
{
	mbedtls_sha512_init(&c->c);
	(void)mbedtls_sha512_starts(&c->c, 1);
}

void sha384_update(struct sha384_ctx *c, const void *p, size_t n)
{
	if (n)
		(void)mbedtls_sha512_update(&c->c, p, n);
}

void sha384_final(struct sha384_ctx *c, uint8_t out[SHA384_LEN])
{
	uint8_t full[64];

	(void)mbedtls_sha512_finish(&c->c, full);
	for (int i = 0; i < SHA384_LEN; i++)
		out[i] = full[i];
	mbedtls_sha512_free(&c->c);
}

void sha384(const void *p, size_t n, uint8_t out[SHA384_LEN])
{
	struct sha384_ctx c;

	sha384_init(&c);
	sha384_update(&c, p, n);
	sha384_final(&c, out);
}
