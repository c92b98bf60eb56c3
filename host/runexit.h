/* runexit: from what the guest printed and how QEMU ended to the exit status
 * of `ccguest run`.  Pure: no I/O, no malloc.
 *
 * Console lines (an optional "[   1.234567] " printk/log stamp is skipped):
 *   "ccinit: workload exited with status N"   N = 0..255, the last one counts;
 *                                             text after the number is ignored
 *   "ccinit: error: ..."                      the guest refused to run
 *   "PCI: Fatal: No config space access function found"
 *                                             harmless microvm noise, dropped
 * QEMU's exit code c: with -device isa-debug-exit an odd c carries the
 * guest's report s = c >> 1 (7 bits); 0 means no report (power-off, panic).
 *
 * Exit status (docker's convention: 125 = failed before the workload ran):
 *   c odd, a status line N with (N & 0x7f) == s   -> N
 *   c odd, s == 126 or 127 (exec failures)         -> s
 *   c odd, s == 125 or a "ccinit: error:" line      -> 125
 *   c == 1 without a status line                   -> 125 (QEMU itself exits
 *                                                     1 on its own errors)
 *   c odd otherwise                                -> s
 *   c == 0, c even, QEMU killed, timeout           -> 125 with a reason
 *   ccguest interrupted by signal sig              -> 128 + sig
 */
#ifndef CCG_HOST_RUNEXIT_H
#define CCG_HOST_RUNEXIT_H

#include <stdbool.h>
#include <stddef.h>

#define RUNEXIT_FAILED 125

struct runexit {
	bool have_status;   /* a status line was seen */
	int status;         /* its N (0..255) */
	bool saw_error;     /* a "ccinit: error: " line was seen */
};

enum runexit_end {
	RUNEXIT_EXITED,      /* QEMU exited; value = its exit code */
	RUNEXIT_SIGNALED,    /* QEMU was killed; value = the signal */
	RUNEXIT_TIMEOUT,     /* ccguest killed QEMU; value = the timeout in s */
	RUNEXIT_INTERRUPTED, /* ccguest got a signal; value = the signal */
};

void runexit_init(struct runexit *st);

/* Look at one console line: line[0..len), without its '\n' (a trailing '\r'
 * is ignored).  Updates st; returns false when the line is noise that should
 * not be shown. */
bool runexit_feed(struct runexit *st, const char *line, size_t len);

/* The exit status for `ccguest run`.  msg (cap bytes, may be NULL) gets ""
 * or the reason to print after "ccguest: error: ". */
int runexit_map(const struct runexit *st, enum runexit_end how, int value,
		char *msg, size_t cap);

#endif
