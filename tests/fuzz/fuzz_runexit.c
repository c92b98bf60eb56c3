/* Fuzz target for host/runexit: console lines from the guest (untrusted:
 * the workload writes to the same console) and the exit-status mapping.
 * The first byte picks QEMU's exit code; the rest is split into lines. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/runexit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runexit st;
	const char *p, *end;
	char msg[128];
	int c, code;

	if (size < 1)
		return 0;
	c = data[0];
	runexit_init(&st);
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		runexit_feed(&st, p, len);
		p += len + 1;
	}
	if (st.have_status && (st.status < 0 || st.status > 255))
		abort();
	code = runexit_map(&st, RUNEXIT_EXITED, c, msg, sizeof(msg));
	if (code < 0 || code > 255 || strlen(msg) >= sizeof(msg))
		abort();
	/* a reported status is only passed on when it is the report */
	if (c % 2 == 0 && code != RUNEXIT_FAILED)
		abort();
	if (c % 2 == 1 && code != RUNEXIT_FAILED && (code & 0x7f) != c >> 1)
		abort();
	for (int how = RUNEXIT_SIGNALED; how <= RUNEXIT_INTERRUPTED; how++) {
		code = runexit_map(&st, (enum runexit_end)how, c, msg, sizeof(msg));
		if (code < 0 || code > 255)
			abort();
	}
	return 0;
}
