/* ctr: the parent side of the container lifecycle (see ctr.h).
 *
 * Two close-on-exec pipes connect parent and child: `start` (parent -> child,
 * one byte releases the exec) and `msg` (child -> parent, struct ctr_msg:
 * READY after setup, SETUP or EXEC on failure).  After a successful execve
 * the child's end of `msg` is closed by the kernel, so the parent reads EOF.
 */
#include "init/ctr.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/ctr_child.h"

#define CTR_ID_MAX 64

struct ctr {
	pid_t pid;       /* > 0 until reaped */
	int start_fd;    /* write end of start, -1 once used */
	int msg_fd;      /* read end of msg, -1 once used */
	bool started;
	bool exited;
	int code;        /* valid when exited */
	char id[CTR_ID_MAX];
};

static int ctr_status_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return CTR_STATUS_SETUP;
}

static void ctr_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Read one whole message.  Returns 1, 0 at EOF, or -errno (short message:
 * -EPROTO). */
static int ctr_read_msg(int fd, struct ctr_msg *m)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*m)) {
		n = read(fd, (char *)m + got, sizeof(*m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got == 0 ? 0 : -EPROTO;
		got += (size_t)n;
	}
	m->text[sizeof(m->text) - 1] = '\0';
	return 1;
}

static int ctr_check_spec(const struct ctr_spec *s, struct err *e)
{
	size_t n;

	if (!s->rootfs || s->rootfs[0] != '/' || !s->rootfs[1])
		return err_set(e, -EINVAL, "rootfs: expected an absolute path other than /");
	if (!s->argv || !s->argv[0] || !s->argv[0][0])
		return err_set(e, -EINVAL, "process: expected a non-empty argv[0] "
			       "(the image has no Entrypoint or Cmd)");
	for (n = 0; s->argv[n]; n++)
		if (n >= CTR_ARGS_MAX)
			return err_set(e, -ERR_LIMIT, "argv: expected at most %d entries",
				       CTR_ARGS_MAX);
	for (n = 0; s->env && s->env[n]; n++) {
		const char *eq = strchr(s->env[n], '=');
		if (n >= CTR_ARGS_MAX)
			return err_set(e, -ERR_LIMIT, "env: expected at most %d entries",
				       CTR_ARGS_MAX);
		if (!eq || eq == s->env[n])
			return err_set(e, -ERR_FORMAT, "env entry %zu: expected NAME=value", n);
	}
	return 0;
}

/* Wait for the child's verdict on its setup. */
static int ctr_await_ready(struct ctr *c, struct err *e)
{
	struct ctr_msg m;
	int rc, ws;

	rc = ctr_read_msg(c->msg_fd, &m);
	if (rc == 1 && m.kind == CTR_MSG_READY)
		return 0;
	if (rc == 1 && m.kind == CTR_MSG_SETUP)
		rc = err_set(e, m.code < 0 ? m.code : -EIO, "%s", m.text);
	else if (rc == 1)
		rc = err_set(e, -EPROTO, "setup: unexpected message %d", (int)m.kind);
	else
		rc = err_set(e, rc < 0 ? rc : -EPIPE, "setup: the child ended without a word");
	ctr_close(&c->start_fd); /* an unreleased child exits */
	while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
	return rc;
}

int ctr_create(const struct ctr_spec *spec, struct ctr **out, struct err *e)
{
	int start[2] = { -1, -1 }, msg[2] = { -1, -1 };
	struct ctr *c;
	int rc;

	*out = NULL;
	rc = ctr_check_spec(spec, e);
	if (rc < 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(e, -ENOMEM, "container: out of memory");
	c->start_fd = c->msg_fd = -1;
	snprintf(c->id, sizeof(c->id), "%s", spec->id ? spec->id : "container");
	if (pipe2(start, O_CLOEXEC) != 0 || pipe2(msg, O_CLOEXEC) != 0) {
		rc = err_set(e, -errno, "pipe: %s", err_str(-errno));
		goto fail;
	}
	c->pid = fork();
	if (c->pid < 0) {
		rc = err_set(e, -errno, "fork: %s", err_str(-errno));
		c->pid = 0;
		goto fail;
	}
	if (c->pid == 0)
		ctr_child_run(spec, start[0], msg[1]);
	c->start_fd = start[1];
	c->msg_fd = msg[0];
	start[1] = msg[0] = -1;
	ctr_close(&start[0]);
	ctr_close(&msg[1]);
	rc = ctr_await_ready(c, e);
	if (rc < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	ctr_close(&start[0]);
	ctr_close(&start[1]);
	ctr_close(&msg[0]);
	ctr_close(&msg[1]);
	ctr_destroy(c);
	return rc;
}

int ctr_start(struct ctr *c, struct err *e)
{
	struct ctr_msg m;
	ssize_t n;
	int rc;

	if (c->started || c->pid <= 0)
		return err_set(e, -EINVAL, "%s: already started or gone", c->id);
	c->started = true;
	do {
		n = write(c->start_fd, "s", 1);
	} while (n < 0 && errno == EINTR);
	rc = n == 1 ? 0 : -errno;
	ctr_close(&c->start_fd);
	if (rc < 0)
		return err_set(e, rc, "%s: release: %s", c->id, err_str(rc));
	rc = ctr_read_msg(c->msg_fd, &m);
	ctr_close(&c->msg_fd);
	if (rc == 0)
		return 0; /* EOF: execve closed the pipe */
	if (rc == 1 && m.kind == CTR_MSG_EXEC && m.code < 0) {
		c->exited = true;
		c->code = ctr_exec_status(m.code);
		return err_set(e, m.code, "%s", m.text);
	}
	return err_set(e, rc < 0 ? rc : -EPROTO, "%s: start: unexpected reply", c->id);
}

int ctr_signal(struct ctr *c, int sig, struct err *e)
{
	if (c->pid <= 0 || c->exited)
		return err_set(e, -ESRCH, "%s: signal %d: process has exited", c->id, sig);
	if (kill(c->pid, sig) != 0)
		return err_set(e, -errno, "%s: signal %d: %s", c->id, sig, err_str(-errno));
	return 0;
}

bool ctr_reap(struct ctr *c, pid_t pid, int wstatus)
{
	if (!c || c->pid <= 0 || pid != c->pid)
		return false;
	c->pid = 0;
	if (!c->exited) {
		c->exited = true;
		c->code = ctr_status_code(wstatus);
	}
	return true;
}

bool ctr_exited(const struct ctr *c, int *code)
{
	if (!c->exited)
		return false;
	if (code)
		*code = c->code;
	return true;
}

int ctr_wait(struct ctr *c, int *code, struct err *e)
{
	pid_t pid = c->pid;
	int ws;

	if (pid > 0) {
		while (waitpid(pid, &ws, 0) < 0) {
			if (errno != EINTR)
				return err_set(e, -errno, "%s: waitpid: %s", c->id, err_str(-errno));
		}
		ctr_reap(c, pid, ws);
	}
	if (!ctr_exited(c, code))
		return err_set(e, -ECHILD, "%s: no process to wait for", c->id);
	return 0;
}

pid_t ctr_pid(const struct ctr *c)
{
	return c->pid > 0 ? c->pid : 0;
}

void ctr_destroy(struct ctr *c)
{
	int ws;

	if (!c)
		return;
	ctr_close(&c->start_fd);
	ctr_close(&c->msg_fd);
	if (c->pid > 0) {
		if (!c->exited)
			(void)kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
			;
	}
	free(c);
}
