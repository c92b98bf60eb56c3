/* vm: QEMU as a supervised child process (host only).
 *
 * QEMU gets /dev/null as stdin and a pipe as stdout (its serial console);
 * its stderr is ours.  Each console line is passed to runexit_feed() and,
 * unless it is noise, copied to our stdout at once (one write per line, a
 * trailing '\r' removed).  SIGINT, SIGTERM and SIGHUP are forwarded as
 * SIGTERM (SIGKILL 5 s later); at the timeout QEMU is killed.  QEMU also gets
 * PR_SET_PDEATHSIG=SIGKILL, so it never outlives ccguest. */
#ifndef CCG_HOST_VM_H
#define CCG_HOST_VM_H

#include <stdbool.h>

#include "base/err.h"
#include "host/runexit.h"

struct vm_opts {
	char *const *argv;     /* argv[0] is looked up in PATH when it has no '/' */
#define VM_KEEP_MAX 16
	int keep_fd[VM_KEEP_MAX]; /* fds QEMU inherits under the same numbers; -1 = unused */
	unsigned timeout_s;    /* 0: none */
};

struct vm_result {
	enum runexit_end how;  /* with value, the input of runexit_map() */
	int value;
	double wall_s;         /* spawn to exit */
};

/* Run QEMU to its end.  Returns 0 with *res filled, or a negative code when
 * QEMU could not be started ("qemu-system-x86_64: No such file or
 * directory"). */
int vm_run(const struct vm_opts *o, struct runexit *st, struct vm_result *res,
	   struct err *e);

#endif
