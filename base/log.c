#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "ccguest";
static int log_stamp;

void log_init(const char *prog, int with_stamp)
{
	log_prog = prog;
	log_stamp = with_stamp;
}

double log_uptime(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void log_line(const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	int n = 0;

	if (log_stamp)
		n = snprintf(line, sizeof(line), "[%11.6f] ", log_uptime());
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: %s", log_prog, tag);
	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* one write per line keeps lines whole on a shared console */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("warning: ", fmt, ap);
	va_end(ap);
}
