/* random: bytes from the kernel's CSPRNG (getrandom(2), blocking until it is
 * seeded), for keys, IVs and DRBG seeds.  Not /dev/urandom: it need not
 * exist that early in the guest. */
#ifndef CCG_CRYPTO_RANDOM_H
#define CCG_CRYPTO_RANDOM_H

#include <stddef.h>

/* Fill p with n random bytes.  Returns 0, or -EIO when the kernel refuses. */
int random_bytes(void *p, size_t n);

#endif
