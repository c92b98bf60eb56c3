/* le: little-endian loads and stores of unaligned fields (IGVM, boot_params,
 * firmware tables).  Header-only and freestanding: the boot stub uses it. */
#ifndef CCG_BASE_LE_H
#define CCG_BASE_LE_H

#include <stdint.h>

static inline uint16_t le_ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le_ld32(const uint8_t *p)
{
	return (uint32_t)le_ld16(p) | (uint32_t)le_ld16(p + 2) << 16;
}

static inline uint64_t le_ld64(const uint8_t *p)
{
	return (uint64_t)le_ld32(p) | (uint64_t)le_ld32(p + 4) << 32;
}

static inline void le_st16(uint8_t *p, uint16_t x)
{
	p[0] = (uint8_t)x;
	p[1] = (uint8_t)(x >> 8);
}

static inline void le_st32(uint8_t *p, uint32_t x)
{
	le_st16(p, (uint16_t)x);
	le_st16(p + 2, (uint16_t)(x >> 16));
}

static inline void le_st64(uint8_t *p, uint64_t x)
{
	le_st32(p, (uint32_t)x);
	le_st32(p + 4, (uint32_t)(x >> 32));
}

#endif
