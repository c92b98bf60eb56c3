/* kbs_bind: the runtime-data binding; see kbs_bind.h. */
#include "tee/kbs_bind.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <mbedtls/sha512.h>

#include "base/text.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is
 * not valid (overlong, surrogate, above U+10FFFF, truncated). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* The JSON escape of the control or quote character c, as JCS writes it:
 * the two-character forms where JSON has one, else \u00xx in lowercase. */
static void put_escape(struct text_buf *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	static const char from[] = "\"\\\b\f\n\r\t", to[] = "\"\\bfnrt";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
	const char *hit = c ? memchr(from, c, sizeof(from) - 1) : NULL;

	if (hit) {
		esc[1] = to[hit - from];
		text_put(o, esc, 2);
		return;
	}
	text_put(o, esc, sizeof(esc));
}

/* s (n bytes) as a JCS string literal; false when s is not valid UTF-8. */
static bool put_string(struct text_buf *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	text_puts(o, "\"");
	while (i < n) {
		if (u[i] < 0x20 || u[i] == '"' || u[i] == '\\') {
			put_escape(o, u[i++]);
			continue;
		}
		l = utf8_len(u + i, n - i);
		if (l == 0)
			return false;
		text_put(o, s + i, l);
		i += l;
	}
	text_puts(o, "\"");
	return true;
}

int kbs_bind_material(const char *nonce, size_t nonce_len, const char *jwk_jcs,
		      const char *additional_evidence, char *out, size_t cap, size_t *len,
		      struct err *e)
{
	struct text_buf o = { out, cap, 0, cap == 0 };
	size_t jl = strlen(jwk_jcs);

	if (len)
		*len = 0;
	if (jl < 2 || jwk_jcs[0] != '{' || jwk_jcs[jl - 1] != '}')
		return err_set(e, -ERR_FORMAT, "runtime data: tee-pubkey is not a JSON object");
	text_puts(&o, "{\"additional-evidence\":");
	if (!put_string(&o, additional_evidence, strlen(additional_evidence)))
		return err_set(e, -ERR_FORMAT, "runtime data: additional evidence is not valid UTF-8");
	text_puts(&o, ",\"nonce\":");
	if (!put_string(&o, nonce, nonce_len))
		return err_set(e, -ERR_FORMAT, "runtime data: nonce is not valid UTF-8");
	text_puts(&o, ",\"tee-pubkey\":");
	text_put(&o, jwk_jcs, jl);
	text_puts(&o, "}");
	if (o.over) {
		if (cap)
			out[0] = 0;
		return err_set(e, -ENOSPC, "runtime data: longer than the %zu-byte buffer", cap);
	}
	if (len)
		*len = o.len;
	return 0;
}

int kbs_bind_report_data(const char *material, size_t len, enum kbs_bind_pad pad,
			 uint8_t out[64], size_t *out_len)
{
	*out_len = 0;
	if (pad != KBS_BIND_PAD64 && pad != KBS_BIND_RAW)
		return -EINVAL;
	memset(out, 0, KBS_BIND_REPORT_MAX);
	if (mbedtls_sha512((const unsigned char *)material, len, out, 1) != 0)
		return -EINVAL;
	*out_len = pad == KBS_BIND_PAD64 ? KBS_BIND_REPORT_MAX : KBS_BIND_DIGEST_LEN;
	return 0;
}
