/* text: untrusted bytes made safe to print in one error line. */
#ifndef CCG_BASE_TEXT_H
#define CCG_BASE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Copy at most cap - 1 bytes of s[0, n) into out as printable ASCII ('?' for
 * anything else), ending in "..." when cut (cap > 4).  Always terminated;
 * returns out. */
const char *text_show(char *out, size_t cap, const char *s, size_t n);

/* The value of one hex digit (either case), or -1. */
int text_hex_digit(unsigned char c);

/* A text built in a caller's buffer of cap bytes, NUL-terminated after each
 * put; `over` sticks once a put did not fit (the text is then incomplete).
 * Initialise with { buf, cap, 0, cap == 0 }. */
struct text_buf {
	char *p;
	size_t cap, len;
	bool over;
};

void text_put(struct text_buf *b, const char *s, size_t n);
void text_puts(struct text_buf *b, const char *s);

#endif
