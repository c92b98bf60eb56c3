/* MBEDTLS_GCM_ALT: Mbed TLS's mbedtls_gcm_* API (3.6, include/mbedtls/gcm.h)
 * on top of crypto/gcm.c, so TLS records (cipher and PSA layers), JWE and
 * everything else that uses Mbed TLS GCM get the AES-NI/VAES code.
 *
 * Semantics follow Mbed TLS's own library/gcm.c: immediate output (update
 * writes as many bytes as it reads, finish never writes any), the same
 * length limits and error codes, in == out allowed, output > input with
 * overlap rejected.  AES-256 keys: our key schedule, CTR and GHASH (eight or
 * sixteen blocks per reduction); 128/192-bit keys: Mbed TLS's AES block
 * function (AES-NI when present) for the counter blocks, our GHASH.  The
 * implementation (vaes, aesni, portable) is chosen at setkey time.
 * Additionally, starts/update/finish without a key or out of order fail with
 * MBEDTLS_ERR_GCM_BAD_INPUT instead of computing garbage.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include <mbedtls/aes.h>
#include <mbedtls/gcm.h>

#include <stdint.h>
#include <string.h>

#include "crypto/aes_impl.h"
#include "crypto/ct.h"

#if !defined(MBEDTLS_GCM_ALT)
#error "crypto/mbedtls_gcm_alt.c needs MBEDTLS_GCM_ALT in deps/mbedtls-config.h"
#endif

_Static_assert(sizeof(((mbedtls_gcm_context *)0)->key) >= sizeof(struct gcm_key) + 63,
	       "CCG_GCM_ALT_KEY_BYTES too small for struct gcm_key");

#define MAX_DATA_LEN 0xFFFFFFFE0ull /* 2^36 - 32 bytes (2^39 - 256 bits) */

static void st_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static size_t key_align(const mbedtls_gcm_context *ctx)
{
	return (size_t)((64 - ((uintptr_t)ctx->key & 63)) & 63);
}

/* The gcm_key inside ctx->key, 64-byte aligned (struct aes_gcm_htab needs it);
 * a context copied to a differently aligned address gets its key moved. */
static struct gcm_key *gkey(mbedtls_gcm_context *ctx)
{
	size_t off = key_align(ctx);

	if (off != ctx->key_off) {
		memmove(ctx->key + off, ctx->key + ctx->key_off, sizeof(struct gcm_key));
		ctx->key_off = (unsigned short)off;
	}
	return (struct gcm_key *)(void *)(ctx->key + off);
}

/* out = E(in), one block, for any key size. */
static void enc_block(mbedtls_gcm_context *ctx, const struct gcm_key *k, const uint8_t in[16],
		      uint8_t out[16])
{
	if (ctx->keybits == 256)
		gcm_aes256_block(k, in, out);
	else
		(void)mbedtls_aes_crypt_ecb(&ctx->aes, MBEDTLS_AES_ENCRYPT, in, out);
}

/* nb whole blocks: GCTR (inc32 on ctx->ctr) and GHASH of the ciphertext. */
static void crypt_blocks(mbedtls_gcm_context *ctx, const struct gcm_key *k, const uint8_t *in,
			 uint8_t *out, size_t nb, int enc)
{
	uint8_t ks[128];
	size_t m, i;

	if (ctx->keybits == 256) {
		gcm_aes256_blocks(k, ctx->ctr, ctx->xi, in, out, nb, enc);
		return;
	}
	for (; nb; nb -= m, in += 16 * m, out += 16 * m) {
		m = nb < 8 ? nb : 8;
		for (i = 0; i < m; i++) {
			(void)mbedtls_aes_crypt_ecb(&ctx->aes, MBEDTLS_AES_ENCRYPT, ctx->ctr,
						    ks + 16 * i);
			gcm_inc32(ctx->ctr);
		}
		if (!enc)
			gcm_ghash(k, ctx->xi, in, m);
		for (i = 0; i < 16 * m; i++)
			out[i] = in[i] ^ ks[i];
		if (enc)
			gcm_ghash(k, ctx->xi, out, m);
	}
	ct_wipe(ks, sizeof(ks));
}

void mbedtls_gcm_init(mbedtls_gcm_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	mbedtls_aes_init(&ctx->aes);
}

int mbedtls_gcm_setkey(mbedtls_gcm_context *ctx, mbedtls_cipher_id_t cipher,
		       const unsigned char *key, unsigned int keybits)
{
	struct gcm_key *k;
	uint8_t h[16] = { 0 };
	int ret;

	if (keybits != 128 && keybits != 192 && keybits != 256)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (cipher != MBEDTLS_CIPHER_ID_AES)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	ctx->keybits = 0;
	ctx->started = 0;
	ct_wipe(ctx->key, sizeof(ctx->key));
	mbedtls_aes_free(&ctx->aes);
	mbedtls_aes_init(&ctx->aes);
	ctx->key_off = (unsigned short)key_align(ctx);
	k = gkey(ctx);
	if (keybits == 256) {
		gcm_key_init256(k, key);
	} else {
		ret = mbedtls_aes_setkey_enc(&ctx->aes, key, keybits);
		if (ret != 0)
			return ret;
		(void)mbedtls_aes_crypt_ecb(&ctx->aes, MBEDTLS_AES_ENCRYPT, h, h);
		gcm_key_init_h(k, h);
		ct_wipe(h, sizeof(h));
	}
	ctx->keybits = (unsigned short)keybits;
	return 0;
}

int mbedtls_gcm_starts(mbedtls_gcm_context *ctx, int mode, const unsigned char *iv,
		       size_t iv_len)
{
	struct gcm_key *k;
	size_t nb, r;

	/* IV: 1 byte to 2^61 - 1 bytes (2^64 bits). */
	if (iv_len == 0 || (uint64_t)iv_len >> 61 != 0 || !iv)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (mode != MBEDTLS_GCM_ENCRYPT && mode != MBEDTLS_GCM_DECRYPT)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (ctx->keybits == 0)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	k = gkey(ctx);
	memset(ctx->xi, 0, 16);
	memset(ctx->buf, 0, 16);
	memset(ctx->ks, 0, 16);
	ctx->mode = (unsigned char)mode;
	ctx->len = 0;
	ctx->add_len = 0;
	if (iv_len == 12) {
		memcpy(ctx->ctr, iv, 12);
		ctx->ctr[12] = ctx->ctr[13] = ctx->ctr[14] = 0;
		ctx->ctr[15] = 1;
	} else {
		/* J0 = GHASH(IV || 0-pad || 0^64 || [len(IV) in bits]_64). */
		nb = iv_len / 16;
		r = iv_len % 16;
		gcm_ghash(k, ctx->xi, iv, nb);
		if (r) {
			memcpy(ctx->buf, iv + 16 * nb, r);
			gcm_ghash(k, ctx->xi, ctx->buf, 1);
			memset(ctx->buf, 0, 16);
		}
		st_be64(ctx->buf + 8, (uint64_t)iv_len * 8);
		gcm_ghash(k, ctx->xi, ctx->buf, 1);
		memcpy(ctx->ctr, ctx->xi, 16);
		memset(ctx->xi, 0, 16);
		memset(ctx->buf, 0, 16);
	}
	enc_block(ctx, k, ctx->ctr, ctx->base_ectr);
	gcm_inc32(ctx->ctr);
	ctx->started = 1;
	return 0;
}

/* ctx->buf holds add_len % 16 (or len % 16) bytes followed by zeros. */
int mbedtls_gcm_update_ad(mbedtls_gcm_context *ctx, const unsigned char *add, size_t add_len)
{
	struct gcm_key *k;
	uint64_t total = ctx->add_len + (uint64_t)add_len;
	size_t off, use, nb;

	if (!ctx->started || ctx->len != 0)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (total < ctx->add_len || total >> 61 != 0)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (add_len == 0)
		return 0;
	k = gkey(ctx);
	off = (size_t)(ctx->add_len % 16);
	if (off) {
		use = 16 - off < add_len ? 16 - off : add_len;
		memcpy(ctx->buf + off, add, use);
		if (off + use == 16) {
			gcm_ghash(k, ctx->xi, ctx->buf, 1);
			memset(ctx->buf, 0, 16);
		}
		add += use;
		add_len -= use;
	}
	nb = add_len / 16;
	gcm_ghash(k, ctx->xi, add, nb);
	if (add_len % 16)
		memcpy(ctx->buf, add + 16 * nb, add_len % 16);
	ctx->add_len = total;
	return 0;
}

int mbedtls_gcm_update(mbedtls_gcm_context *ctx, const unsigned char *input,
		       size_t input_length, unsigned char *output, size_t output_size,
		       size_t *output_length)
{
	struct gcm_key *k;
	const int enc = ctx->mode == MBEDTLS_GCM_ENCRYPT;
	size_t off, use, nb, r, i;
	uint8_t c;

	if (output_size < input_length)
		return MBEDTLS_ERR_GCM_BUFFER_TOO_SMALL;
	*output_length = input_length;
	/* Nothing to do: the last partial block of AD stays open. */
	if (input_length == 0)
		return 0;
	if ((uintptr_t)output > (uintptr_t)input &&
	    (uintptr_t)output - (uintptr_t)input < input_length)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (ctx->len + input_length < ctx->len || ctx->len + input_length > MAX_DATA_LEN)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (!ctx->started)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	k = gkey(ctx);
	if (ctx->len == 0 && ctx->add_len % 16 != 0) {
		gcm_ghash(k, ctx->xi, ctx->buf, 1);
		memset(ctx->buf, 0, 16);
	}
	off = (size_t)(ctx->len % 16);
	ctx->len += input_length;
	if (off) {
		use = 16 - off < input_length ? 16 - off : input_length;
		for (i = 0; i < use; i++) {
			c = input[i];
			output[i] = (uint8_t)(c ^ ctx->ks[off + i]);
			ctx->buf[off + i] = enc ? output[i] : c;
		}
		if (off + use == 16) {
			gcm_ghash(k, ctx->xi, ctx->buf, 1);
			memset(ctx->buf, 0, 16);
			ct_wipe(ctx->ks, 16);
		}
		input += use;
		output += use;
		input_length -= use;
	}
	nb = input_length / 16;
	if (nb) {
		crypt_blocks(ctx, k, input, output, nb, enc);
		input += 16 * nb;
		output += 16 * nb;
	}
	r = input_length % 16;
	if (r) {
		enc_block(ctx, k, ctx->ctr, ctx->ks);
		gcm_inc32(ctx->ctr);
		for (i = 0; i < r; i++) {
			c = input[i];
			output[i] = (uint8_t)(c ^ ctx->ks[i]);
			ctx->buf[i] = enc ? output[i] : c;
		}
	}
	return 0;
}

int mbedtls_gcm_finish(mbedtls_gcm_context *ctx, unsigned char *output, size_t output_size,
		       size_t *output_length, unsigned char *tag, size_t tag_len)
{
	struct gcm_key *k;
	uint8_t lens[16];
	size_t i;

	/* Immediate output: nothing is ever left for finish to write. */
	(void)output;
	(void)output_size;
	*output_length = 0;
	if (tag_len > 16 || tag_len < 4)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	if (!ctx->started)
		return MBEDTLS_ERR_GCM_BAD_INPUT;
	k = gkey(ctx);
	/* The open partial block: AD when there was no data, else data. */
	if ((ctx->len == 0 && ctx->add_len % 16 != 0) || ctx->len % 16 != 0)
		gcm_ghash(k, ctx->xi, ctx->buf, 1);
	st_be64(lens, ctx->add_len * 8);
	st_be64(lens + 8, ctx->len * 8);
	gcm_ghash(k, ctx->xi, lens, 1);
	for (i = 0; i < tag_len; i++)
		tag[i] = ctx->xi[i] ^ ctx->base_ectr[i];
	ct_wipe(ctx->xi, 16);
	ct_wipe(ctx->buf, 16);
	ct_wipe(ctx->ks, 16);
	ct_wipe(ctx->base_ectr, 16);
	ctx->started = 0;
	return 0;
}

int mbedtls_gcm_crypt_and_tag(mbedtls_gcm_context *ctx, int mode, size_t length,
			      const unsigned char *iv, size_t iv_len, const unsigned char *add,
			      size_t add_len, const unsigned char *input, unsigned char *output,
			      size_t tag_len, unsigned char *tag)
{
	size_t olen;
	int ret;

	ret = mbedtls_gcm_starts(ctx, mode, iv, iv_len);
	if (ret == 0)
		ret = mbedtls_gcm_update_ad(ctx, add, add_len);
	if (ret == 0)
		ret = mbedtls_gcm_update(ctx, input, length, output, length, &olen);
	if (ret == 0)
		ret = mbedtls_gcm_finish(ctx, NULL, 0, &olen, tag, tag_len);
	return ret;
}

int mbedtls_gcm_auth_decrypt(mbedtls_gcm_context *ctx, size_t length, const unsigned char *iv,
			     size_t iv_len, const unsigned char *add, size_t add_len,
			     const unsigned char *tag, size_t tag_len, const unsigned char *input,
			     unsigned char *output)
{
	uint8_t check[16];
	int ret;

	ret = mbedtls_gcm_crypt_and_tag(ctx, MBEDTLS_GCM_DECRYPT, length, iv, iv_len, add,
					add_len, input, output, tag_len, check);
	if (ret != 0)
		return ret;
	if (!ct_memeq(tag, check, tag_len)) {
		ct_wipe(output, length);
		ret = MBEDTLS_ERR_GCM_AUTH_FAILED;
	}
	ct_wipe(check, sizeof(check));
	return ret;
}

void mbedtls_gcm_free(mbedtls_gcm_context *ctx)
{
	if (ctx == NULL)
		return;
	mbedtls_aes_free(&ctx->aes);
	ct_wipe(ctx, sizeof(*ctx));
}
