/* text: untrusted bytes made safe to print in one error line. */
#ifndef CCG_BASE_TEXT_H
#define CCG_BASE_TEXT_H

#include <stddef.h>

/* Copy at most cap - 1 bytes of s[0, n) into out as printable ASCII ('?' for
 * anything else), ending in "..." when cut (cap > 4).  Always terminated;
 * returns out. */
const char *text_show(char *out, size_t cap, const char *s, size_t n);

/* The value of one hex digit (either case), or -1. */
int text_hex_digit(unsigned char c);

#endif
