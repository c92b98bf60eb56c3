#include "base/text.h"

#include <string.h>

const char *text_show(char *out, size_t cap, const char *s, size_t n)
{
	size_t i, o = 0;

	if (cap == 0)
		return out;
	for (i = 0; i < n && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (i < n && cap > 4) {
		o = o > cap - 4 ? cap - 4 : o;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

int text_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void text_put(struct text_buf *b, const char *s, size_t n)
{
	if (b->over || n >= b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void text_puts(struct text_buf *b, const char *s)
{
	text_put(b, s, strlen(s));
}
