/* runexit: console markers and the exit-status mapping (see runexit.h). */
#include "host/runexit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RX_STATUS "ccinit: workload exited with status "
#define RX_ERROR "ccinit: error: "
#define RX_NOISE "PCI: Fatal: No config space access function found"

void runexit_init(struct runexit *st)
{
	memset(st, 0, sizeof(*st));
}

/* Skip "[ <digits and dots> ] " at the start of a line. */
static size_t rx_skip_stamp(const char *s, size_t len)
{
	size_t i = 1;

	if (len == 0 || s[0] != '[')
		return 0;
	while (i < len && i < 32 && (s[i] == ' ' || s[i] == '.' ||
				     (s[i] >= '0' && s[i] <= '9')))
		i++;
	if (i >= len || s[i] != ']')
		return 0;
	i++;
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

static bool rx_starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

/* "N" followed by the end or a non-digit; N in 0..255. */
static bool rx_parse_status(const char *s, size_t len, int *out)
{
	int v = 0;
	size_t i = 0;

	while (i < len && i < 4 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (s[i++] - '0');
	if (i == 0 || i > 3 || v > 255)
		return false;
	if (i < len && s[i] >= '0' && s[i] <= '9')
		return false;
	*out = v;
	return true;
}

bool runexit_feed(struct runexit *st, const char *line, size_t len)
{
	size_t skip;
	int n;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	skip = rx_skip_stamp(line, len);
	line += skip;
	len -= skip;
	if (len == strlen(RX_NOISE) && rx_starts(line, len, RX_NOISE))
		return false;
	if (rx_starts(line, len, RX_ERROR)) {
		st->saw_error = true;
	} else if (rx_starts(line, len, RX_STATUS)) {
		size_t k = strlen(RX_STATUS);

		if (rx_parse_status(line + k, len - k, &n)) {
			st->have_status = true;
			st->status = n;
		}
	}
	return true;
}

static void rx_msg(char *msg, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rx_msg(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!msg || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
}

static const char *rx_signame(int sig)
{
	switch (sig) {
	case 1: return "SIGHUP";
	case 2: return "SIGINT";
	case 9: return "SIGKILL";
	case 15: return "SIGTERM";
	default: return "signal";
	}
}

static int rx_map_exit(const struct runexit *st, int c, char *msg, size_t cap)
{
	int s = (c >> 1) & 0x7f;

	if (c == 0) {
		rx_msg(msg, cap, "guest ended without reporting a status");
		return RUNEXIT_FAILED;
	}
	if ((c & 1) == 0) {
		rx_msg(msg, cap, "qemu exited with status %d", c);
		return RUNEXIT_FAILED;
	}
	if (st->have_status && (st->status & 0x7f) == s)
		return st->status;
	if (s == 126 || s == 127)
		return s;
	if (s == RUNEXIT_FAILED || st->saw_error)
		return RUNEXIT_FAILED;
	if (c == 1) {
		rx_msg(msg, cap, "qemu exited with status %d before the guest "
		       "reported a status", c);
		return RUNEXIT_FAILED;
	}
	return s;
}

int runexit_map(const struct runexit *st, enum runexit_end how, int value,
		char *msg, size_t cap)
{
	if (msg && cap)
		msg[0] = '\0';
	switch (how) {
	case RUNEXIT_EXITED:
		return rx_map_exit(st, value, msg, cap);
	case RUNEXIT_SIGNALED:
		rx_msg(msg, cap, "qemu was killed by %s (%d)", rx_signame(value),
		       value);
		return RUNEXIT_FAILED;
	case RUNEXIT_TIMEOUT:
		rx_msg(msg, cap, "guest timed out after %d s", value);
		return RUNEXIT_FAILED;
	case RUNEXIT_INTERRUPTED:
		rx_msg(msg, cap, "interrupted by %s (%d)", rx_signame(value), value);
		return 128 + (value & 0x7f);
	}
	rx_msg(msg, cap, "internal error: unknown end of run");
	return RUNEXIT_FAILED;
}
