/* arch/cc.h: lwIP's platform port for ccguest (Linux, glibc or musl, NO_SYS).
 * sys_now() (CLOCK_MONOTONIC milliseconds), the random source and the assert
 * hook are implemented in net/dhcp.c. */
#ifndef CCG_LWIP_ARCH_CC_H
#define CCG_LWIP_ARCH_CC_H

#include <stdint.h>
#include <endian.h>

#define BYTE_ORDER __BYTE_ORDER
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_TIMEVAL_PRIVATE 0

/* DHCP transaction ids and DNS ids: from getrandom(). */
uint32_t ccg_lwip_rand(void);
#define LWIP_RAND() ccg_lwip_rand()

/* No printf from the library. */
#define LWIP_PLATFORM_DIAG(x) do { } while (0)

/* An lwIP assertion is a bug; tests and fuzzing abort, ccinit logs it. */
void ccg_lwip_assert(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_ASSERT(x) ccg_lwip_assert((x), __FILE__, __LINE__)

#endif
