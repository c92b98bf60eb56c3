/* ct: constant-time helpers for secrets.  Pure, no I/O. */
#ifndef CCG_CRYPTO_CT_H
#define CCG_CRYPTO_CT_H

#include <stddef.h>

/* 1 when the n bytes at a and b are equal, else 0.  The running time depends
 * only on n, never on the contents or on where they differ.  n == 0 gives 1
 * (a and b may then be NULL). */
int ct_memeq(const void *a, const void *b, size_t n);

/* 1 when the n bytes at p are all zero, else 0; time depends only on n. */
int ct_is_zero(const void *p, size_t n);

/* Zero the n bytes at p in a way the compiler cannot remove as a dead store
 * (explicit_bzero).  p may be NULL when n == 0. */
void ct_wipe(void *p, size_t n);

#endif
