/* b64: base64 (RFC 4648 §4, with padding) and base64url (§5, no padding).
 * Pure, no I/O.  Character decoding does not branch on the character values,
 * so it may be used on secrets.  Decoding is strict: every character must be
 * in the alphabet, standard base64 must be padded to a multiple of 4 with at
 * most two '=' at the end, base64url must carry no '=' (and never a length of
 * 4k + 1), and the unused low bits of the last character must be zero. */
#ifndef CCG_CRYPTO_B64_H
#define CCG_CRYPTO_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Encoded length of n bytes, without the NUL. */
size_t b64_encoded_len(size_t n, bool url);

/* Encode the n bytes at in (in may be NULL when n == 0) into out, followed by
 * a NUL; url selects base64url without padding.  *out_len (may be NULL)
 * receives the length without the NUL.  Returns 0, or -ENOSPC when out cannot
 * hold the text and its NUL (out is then the empty string if cap > 0). */
int b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
	       bool url);

/* Decode exactly n characters at in (no NUL needed) into out (cap bytes);
 * *out_len (may be NULL) receives the byte count.  Returns 0, -EINVAL for
 * malformed text, or -ENOSPC when cap is too small.  On failure out is zeroed
 * up to the decoded length (at most cap) and *out_len is 0. */
int b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
	       bool url);

#endif
