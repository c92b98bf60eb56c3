#include "crypto/random.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>

int random_bytes(void *p, size_t n)
{
	uint8_t *q = p;

	while (n > 0) {
		ssize_t got = getrandom(q, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -EIO;
		q += got;
		n -= (size_t)got;
	}
	return 0;
}
