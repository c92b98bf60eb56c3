/* Private to init/ctr*.c: the child side of a container and the messages it
 * sends to its parent. */
#ifndef CCG_INIT_CTR_CHILD_H
#define CCG_INIT_CTR_CHILD_H

#include <stdint.h>

#include "base/err.h"
#include "init/ctr.h"

enum ctr_msg_kind {
	CTR_MSG_READY = 1, /* set up, waiting for start */
	CTR_MSG_SETUP = 2, /* setup failed: code, text */
	CTR_MSG_EXEC = 3,  /* execve failed: code = -errno, text */
};

/* One message, written with a single write() (smaller than PIPE_BUF). */
struct ctr_msg {
	int32_t kind;
	int32_t code;            /* negative error code */
	char text[ERR_MSG_MAX];  /* NUL-terminated */
};

/* The forked child: set up the container of spec (see ctr.h), send READY on
 * msg_fd, wait for a byte on start_fd, exec.  Never returns: on any failure
 * it sends SETUP or EXEC and _exit()s with a CTR_STATUS_* code.  Both fds
 * are close-on-exec. */
_Noreturn void ctr_child_run(const struct ctr_spec *spec, int start_fd, int msg_fd);

/* The exit status for an execve() failure -errno: CTR_STATUS_NOTFOUND for
 * -ENOENT/-ENOTDIR, CTR_STATUS_NOEXEC otherwise. */
int ctr_exec_status(int code);

#endif
