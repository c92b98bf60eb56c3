/* log: console lines "[  1.234567] ccinit: ..." with CLOCK_BOOTTIME stamps.
 * Never pass a secret to these. */
#ifndef CCG_BASE_LOG_H
#define CCG_BASE_LOG_H

/* The program name printed after the stamp ("ccinit", "ccguest"). */
void log_init(const char *prog, int with_stamp);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Seconds since boot (CLOCK_BOOTTIME), as a double. */
double log_uptime(void);

#endif
