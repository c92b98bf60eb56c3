/* digest: parse, format and compare OCI content digests (see digest.h). */
#include "base/text.h"
#include "image/digest.h"

#include <string.h>

#include "crypto/ct.h"
#include "crypto/hex.h"

#define SHOW_MAX 48

/* A printable, bounded copy of untrusted text for an error message. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* uppercase is not the canonical encoding: refused */
}

static bool alg_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alg_sep(char c)
{
	return c == '+' || c == '.' || c == '_' || c == '-';
}

/* algorithm ::= component (separator component)*, component ::= [a-z0-9]+ */
static bool alg_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !alg_char(s[0]) || !alg_char(s[len - 1]))
		return false;
	for (i = 1; i < len; i++) {
		if (alg_char(s[i]))
			continue;
		if (!alg_sep(s[i]) || alg_sep(s[i - 1]))
			return false;
	}
	return true;
}

/* encoded ::= [a-zA-Z0-9=_-]+ */
static bool encoded_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '=' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool lowerhex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (hexval(s[i]) < 0)
			return false;
	return true;
}

/* A well-formed digest of an algorithm other than sha256. */
static int other_alg(const char *s, size_t alen, size_t len, struct err *e)
{
	const char *enc = s + alen + 1;
	size_t elen = len - alen - 1;
	char shown[SHOW_MAX + 4];

	text_show(shown, sizeof(shown), s, len);
	if (alen == 6 && memcmp(s, "sha512", 6) == 0) {
		if (elen != 128 || !lowerhex(enc, elen))
			return err_set(e, -ERR_FORMAT, "digest \"%s\": sha512 needs 128 lowercase "
				       "hex digits, got %zu characters", shown, elen);
		return err_set(e, -ERR_UNSUPPORTED, "digest \"%s\": sha512 digests are not "
			       "supported (only sha256)", shown);
	}
	if (!encoded_valid(enc, elen))
		return err_set(e, -ERR_FORMAT, "digest \"%s\": malformed encoded part", shown);
	text_show(shown, sizeof(shown), s, alen);
	return err_set(e, -ERR_UNSUPPORTED, "digest algorithm \"%s\" is not supported "
		       "(only sha256)", shown);
}

int digest_parse(const char *s, size_t len, struct digest *d, struct err *e)
{
	const char *colon = len ? memchr(s, ':', len) : NULL;
	char shown[SHOW_MAX + 4];
	size_t alen;

	memset(d, 0, sizeof(*d));
	if (!colon) {
		text_show(shown, sizeof(shown), s, len);
		return err_set(e, -ERR_FORMAT, "digest \"%s\": expected \"sha256:<64 hex>\", "
			       "no algorithm prefix", shown);
	}
	alen = (size_t)(colon - s);
	if (!alg_valid(s, alen)) {
		text_show(shown, sizeof(shown), s, len);
		return err_set(e, -ERR_FORMAT, "digest \"%s\": malformed algorithm", shown);
	}
	if (alen != 6 || memcmp(s, "sha256", 6) != 0)
		return other_alg(s, alen, len, e);
	text_show(shown, sizeof(shown), s, len);
	if (len - alen - 1 != 2 * DIGEST_SHA256_LEN)
		return err_set(e, -ERR_FORMAT, "digest \"%s\": expected 64 lowercase hex digits "
			       "after \"sha256:\", got %zu characters", shown, len - alen - 1);
	if (!lowerhex(colon + 1, len - alen - 1))
		return err_set(e, -ERR_FORMAT, "digest \"%s\": the 64 digits must be lowercase "
			       "hex", shown);
	if (hex_decode_lower(colon + 1, len - alen - 1, d->hash, DIGEST_SHA256_LEN) < 0)
		return err_set(e, -ERR_FORMAT, "digest: hex decoding failed");
	d->alg = DIGEST_SHA256;
	return 0;
}

void digest_format(const struct digest *d, char out[DIGEST_STR_MAX])
{
	if (d->alg != DIGEST_SHA256) {
		memcpy(out, "invalid:", 9);
		return;
	}
	memcpy(out, "sha256:", 7);
	hex_encode(d->hash, DIGEST_SHA256_LEN, out + 7);
}

bool digest_equal(const struct digest *a, const struct digest *b)
{
	if (a->alg != DIGEST_SHA256 || b->alg != DIGEST_SHA256)
		return false;
	return ct_memeq(a->hash, b->hash, DIGEST_SHA256_LEN) == 1;
}
