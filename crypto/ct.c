#include "crypto/ct.h"

#include <stdint.h>
#include <string.h>

int ct_memeq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;
	uint32_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		acc |= (uint32_t)(x[i] ^ y[i]);
		/* Hide acc from the optimiser so it cannot exit the loop
		 * early once a difference is seen. */
		__asm__("" : "+r"(acc));
	}
	/* acc is 0..255: acc - 1 has bit 8 set only when acc == 0. */
	return (int)(((acc - 1) >> 8) & 1);
}

void ct_wipe(void *p, size_t n)
{
	if (n)
		explicit_bzero(p, n);
}

int ct_is_zero(const void *p, size_t n)
{
	const volatile unsigned char *a = p;
	unsigned char acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= a[i];
	return acc == 0;
}
