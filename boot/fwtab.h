/* fwtab: byte helpers shared by the firmware tables the stub writes (ACPI,
 * MP): little-endian stores, fixed-width strings, the 8-bit checksum both
 * specifications use (the bytes of a table sum to zero).  Freestanding. */
#ifndef CCG_BOOT_FWTAB_H
#define CCG_BOOT_FWTAB_H

#include <stddef.h>
#include <stdint.h>

static inline void fwtab_put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline void fwtab_put_str(uint8_t *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)s[i];
}

/* The byte that makes p[0..n) (with that byte zero) sum to zero. */
static inline uint8_t fwtab_checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)(0u - sum);
}

#endif
