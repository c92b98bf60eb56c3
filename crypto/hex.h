/* hex: base16 encoding.  Pure, no I/O.  Decoding does not branch on the
 * character values, so it may be used on secrets. */
#ifndef CCG_CRYPTO_HEX_H
#define CCG_CRYPTO_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write the 2n lowercase hex digits of the n bytes at in, then a NUL, to out
 * (which must hold 2n + 1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);

/* Decode exactly slen hex characters at s (no NUL needed) into exactly outlen
 * bytes at out; digits a-f may be upper or lower case.  Returns 0, or -EINVAL
 * when slen != 2 * outlen or a character is not a hex digit (an embedded NUL
 * included); out is then zeroed. */
int hex_decode(const char *s, size_t slen, uint8_t *out, size_t outlen);

/* As hex_decode(), but only lowercase a-f is accepted (the OCI digest form). */
int hex_decode_lower(const char *s, size_t slen, uint8_t *out, size_t outlen);

#endif
