/* ctr: the container lifecycle (create / start / signal / reap / wait /
 * destroy).  Its caller today is ccinit's main (one measured workload); later
 * a Kata agent API serving several containers in one guest.
 *
 * ctr_create() forks a child that, in new mount, UTS and IPC namespaces:
 *   makes every mount private, bind-mounts the rootfs onto itself, mounts
 *   /proc, /sys (read-only), /dev (tmpfs with null zero full random urandom
 *   tty bound from the host devtmpfs, pts, shm, fd/stdin/stdout/stderr/ptmx
 *   links) and /tmp (tmpfs) inside it, makes it the root with pivot_root(2)
 *   (also when the caller's root is the initramfs), resolves the user from the
 *   image's /etc/passwd and /etc/group, creates and enters cwd, sets groups,
 *   gid and uid, builds the environment (image Env, plus PATH, HOME and
 *   HOSTNAME when Env lacks them) and then waits.  ctr_start() lets it
 *   execute argv[0], searched in the container's PATH.
 *
 * Mount targets inside the rootfs must be real directories (a symlink there
 * is refused), so image content cannot redirect a mount.  stdin is /dev/null;
 * stdout and stderr are the caller's fds 1 and 2 (the console for ccinit).
 * No other fd reaches the workload: the child marks every fd >= 3 close-on-
 * exec before exec.  Nothing here logs; errors come back in struct err.
 *
 * Reaping: the caller owns waitpid().  A process that reaps with
 * waitpid(-1, ...) must hand every reaped pid to ctr_reap() of each live
 * container; ctr_wait() is for callers without such a reaper.  Signals: the
 * child starts with an empty signal mask and default dispositions.
 */
#ifndef CCG_INIT_CTR_H
#define CCG_INIT_CTR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* Exit status conventions (as docker/runc). */
#define CTR_STATUS_SETUP 125   /* the container could not be set up */
#define CTR_STATUS_NOEXEC 126  /* argv[0] found but could not be executed */
#define CTR_STATUS_NOTFOUND 127 /* argv[0] not found */

#define CTR_ARGS_MAX 4096       /* argv and env entries, each */

struct ctr_spec {
	const char *id;                /* short name for messages ("workload") */
	const char *rootfs;            /* absolute path of the unpacked rootfs */
	const char *const *argv;       /* NULL-terminated, argv[0] non-empty */
	const char *const *env;        /* "K=V" entries, NULL-terminated; NULL = none */
	const char *cwd;               /* absolute; NULL or "" = "/" */
	const char *user;              /* OCI User ("uid[:gid]", "name[:group]"); NULL/"" = root */
	const char *hostname;          /* NULL = keep the guest's */
};

struct ctr;

/* Set up a container as described above and leave it waiting for
 * ctr_start().  The spec is only read during the call.  Returns 0 with *out
 * owning the container (free with ctr_destroy()), or a negative code; e then
 * holds the failing step ("mount /proc: ...", "user \"app\": not found in
 * /etc/passwd") and the child has been reaped.  The caller must not reap
 * the child while this runs (a PID 1 reaper runs between calls, not in them). */
int ctr_create(const struct ctr_spec *spec, struct ctr **out, struct err *e);

/* Let the container execute its process.  Returns 0 once execve() succeeded,
 * or a negative code: -ENOENT (argv[0] not found: "<argv0>: not found"),
 * -EACCES / -ENOEXEC / ... (found but not executable); in that case the
 * container counts as exited with status CTR_STATUS_NOTFOUND or
 * CTR_STATUS_NOEXEC (ctr_exited() says so at once; the child's later reap
 * through ctr_reap()/ctr_wait() is absorbed).  Call once. */
int ctr_start(struct ctr *c, struct err *e);

/* Send sig to the container's process.  Returns 0, -ESRCH once it has
 * exited, or another -errno. */
int ctr_signal(struct ctr *c, int sig, struct err *e);

/* Offer a pid the caller reaped with status wstatus.  Returns true when it
 * was this container's process (its exit is recorded), false otherwise. */
bool ctr_reap(struct ctr *c, pid_t pid, int wstatus);

/* True once the process is over; *code (may be NULL) gets its status: the
 * exit code, 128 + signal number when killed, or CTR_STATUS_* for exec
 * failures. */
bool ctr_exited(const struct ctr *c, int *code);

/* Block until the process ends (waitpid on its pid; only for callers that do
 * not reap with waitpid(-1)).  Returns 0 with *code as for ctr_exited(). */
int ctr_wait(struct ctr *c, int *code, struct err *e);

/* The process id (> 0), or 0 after the process was reaped. */
pid_t ctr_pid(const struct ctr *c);

/* Kill the process (SIGKILL) if it has not exited, reap it, free c.
 * NULL-safe. */
void ctr_destroy(struct ctr *c);

#endif
