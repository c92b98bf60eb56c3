/* vm: run and supervise QEMU (see vm.h). */
#include "host/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/util.h"

#define VM_LINE_MAX 8192
#define VM_KILL_GRACE_MS 5000

static volatile sig_atomic_t vm_sig;
static volatile sig_atomic_t vm_chld;

static void vm_on_signal(int sig)
{
	if (sig == SIGCHLD)
		vm_chld = 1;
	else
		vm_sig = sig;
}

/* The console: bytes from QEMU's stdout, cut into lines. */
struct vm_con {
	struct runexit *st;
	char buf[VM_LINE_MAX];
	size_t len;
	bool cont;        /* buf continues a line already partly written */
	bool out_ok;      /* stdout still writable */
	char out[VM_LINE_MAX + 1];
};

struct vm_state {
	pid_t pid;
	int con_fd;       /* read end of QEMU's stdout, -1 after EOF */
	struct vm_con con;
	sigset_t waitmask; /* the mask during ppoll: our signals unblocked */
	int64_t deadline_ms, kill_ms; /* 0: none */
	bool killing, exited;
	int wstatus;
};

static int64_t vm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write p[0..n) and, when nl, a '\n', in one write. */
static void vm_out(struct vm_con *c, const char *p, size_t n, bool nl)
{
	if (!c->out_ok)
		return;
	memcpy(c->out, p, n);
	if (nl)
		c->out[n++] = '\n';
	if (util_write_all(STDOUT_FILENO, c->out, n) < 0)
		c->out_ok = false;	/* e.g. EPIPE: keep supervising QEMU */
}

/* One complete line (without '\n'). */
static void vm_line(struct vm_con *c, const char *p, size_t n)
{
	bool show = c->cont ? true : runexit_feed(c->st, p, n);

	c->cont = false;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (show)
		vm_out(c, p, n, true);
}

static void vm_con_feed(struct vm_con *c, const char *p, size_t n)
{
	while (n > 0) {
		size_t k = VM_LINE_MAX - c->len < n ? VM_LINE_MAX - c->len : n;
		char *nl;

		memcpy(c->buf + c->len, p, k);
		c->len += k;
		p += k;
		n -= k;
		while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
			size_t ll = (size_t)(nl - c->buf);

			vm_line(c, c->buf, ll);
			memmove(c->buf, nl + 1, c->len - ll - 1);
			c->len -= ll + 1;
		}
		if (c->len == VM_LINE_MAX) {	/* a very long line: pass it on */
			vm_out(c, c->buf, c->len, false);
			c->cont = true;
			c->len = 0;
		}
	}
}

static void vm_con_end(struct vm_con *c)
{
	if (c->len > 0 || c->cont)
		vm_line(c, c->buf, c->len);
	c->len = 0;
}

/* Read what is there (the fd is non-blocking); on EOF close it. */
static void vm_read(struct vm_state *s)
{
	char chunk[4096];

	for (int i = 0; i < 64; i++) {	/* then let the main loop look around */
		ssize_t r = read(s->con_fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			close(s->con_fd);
			s->con_fd = -1;
			vm_con_end(&s->con);
			return;
		}
		vm_con_feed(&s->con, chunk, (size_t)r);
	}
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void vm_child(const struct vm_opts *o, const sigset_t *oldmask,
		     pid_t parent, int nullfd, int outfd, int errfd)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE };
	int err;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	if (dup2(nullfd, STDIN_FILENO) < 0 || dup2(outfd, STDOUT_FILENO) < 0)
		goto fail;
	for (int i = 0; i < VM_KEEP_MAX; i++)
		if (o->keep_fd[i] >= 0 && fcntl(o->keep_fd[i], F_SETFD, 0) != 0)
			goto fail;
	execvp(o->argv[0], o->argv);
fail:
	err = errno;
	(void)!write(errfd, &err, sizeof(err));
	_exit(127);
}

/* Wait for the exec report: 0 when QEMU runs, -errno when it did not. */
static int vm_exec_status(pid_t pid, int errfd)
{
	int child_errno = 0;
	ssize_t r;

	do {
		r = read(errfd, &child_errno, sizeof(child_errno));
	} while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(child_errno))
		return 0;	/* EOF: exec closed the CLOEXEC pipe */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return -(child_errno ? child_errno : EIO);
}

static int vm_spawn(const struct vm_opts *o, const sigset_t *oldmask,
		    struct vm_state *s, struct err *e)
{
	int out[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t parent = getpid();
	int rc = 0;

	if (nullfd < 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0) {
		rc = err_set(e, -errno, "qemu: pipe: %s", strerror(errno));
		goto out_close;
	}
	s->pid = fork();
	if (s->pid < 0) {
		rc = err_set(e, -errno, "qemu: fork: %s", strerror(errno));
		goto out_close;
	}
	if (s->pid == 0)
		vm_child(o, oldmask, parent, nullfd, out[1], ep[1]);
	close(ep[1]);
	ep[1] = -1;
	rc = vm_exec_status(s->pid, ep[0]);
	if (rc < 0) {
		err_set(e, rc, "cannot start %s: %s", o->argv[0], strerror(-rc));
		goto out_close;
	}
	s->con_fd = out[0];
	out[0] = -1;
	fcntl(s->con_fd, F_SETFL, O_NONBLOCK);
out_close:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	if (nullfd >= 0)
		close(nullfd);
	return rc;
}

/* React to signals, the timeout and the kill grace period. */
static void vm_check(struct vm_state *s, const struct vm_opts *o,
		     struct vm_result *res)
{
	int64_t now = vm_now_ms();

	if (vm_sig && !s->killing) {
		res->how = RUNEXIT_INTERRUPTED;
		res->value = vm_sig;
		kill(s->pid, SIGTERM);
		s->killing = true;
		s->kill_ms = now + VM_KILL_GRACE_MS;
	}
	if (!s->killing && s->deadline_ms && now >= s->deadline_ms) {
		res->how = RUNEXIT_TIMEOUT;
		res->value = (int)o->timeout_s;
		kill(s->pid, SIGKILL);
		s->killing = true;
		s->kill_ms = 0;
	}
	if (s->kill_ms && now >= s->kill_ms) {
		kill(s->pid, SIGKILL);
		s->kill_ms = 0;
	}
}

static void vm_reap(struct vm_state *s)
{
	pid_t r;

	vm_chld = 0;
	do {
		r = waitpid(s->pid, &s->wstatus, WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r == s->pid)
		s->exited = true;
}

/* Sleep in ppoll until console data, a signal or the next deadline. */
static void vm_wait(struct vm_state *s)
{
	struct pollfd pfd = { s->con_fd, POLLIN, 0 };
	int64_t now = vm_now_ms(), until = 0;
	struct timespec ts, *tsp = NULL;

	if (!s->killing && s->deadline_ms)
		until = s->deadline_ms;
	if (s->kill_ms && (!until || s->kill_ms < until))
		until = s->kill_ms;
	if (until) {
		int64_t ms = until > now ? until - now : 0;

		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		tsp = &ts;
	}
	if (ppoll(&pfd, s->con_fd >= 0 ? 1 : 0, tsp, &s->waitmask) > 0 &&
	    (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
		vm_read(s);
}

static void vm_loop(struct vm_state *s, const struct vm_opts *o,
		    struct vm_result *res)
{
	for (;;) {
		if (vm_chld)
			vm_reap(s);
		if (s->exited) {
			if (s->con_fd >= 0)
				vm_read(s);	/* what is left in the pipe */
			if (s->con_fd >= 0) {
				close(s->con_fd);
				s->con_fd = -1;
				vm_con_end(&s->con);
			}
			break;
		}
		vm_check(s, o, res);
		vm_wait(s);
	}
	if (s->killing)
		return;
	if (WIFEXITED(s->wstatus)) {
		res->how = RUNEXIT_EXITED;
		res->value = WEXITSTATUS(s->wstatus);
	} else {
		res->how = RUNEXIT_SIGNALED;
		res->value = WIFSIGNALED(s->wstatus) ? WTERMSIG(s->wstatus) : 0;
	}
}

static void vm_signals(struct sigaction *old, sigset_t *oldmask,
		       sigset_t *waitmask, bool install)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vm_on_signal;
	sigemptyset(&block);
	for (size_t i = 0; i < 4; i++) {
		sigaddset(&block, sigs[i]);
		if (install)
			sigaction(sigs[i], &sa, &old[i]);
		else
			sigaction(sigs[i], &old[i], NULL);
	}
	if (!install) {
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		return;
	}
	sigprocmask(SIG_BLOCK, &block, oldmask);
	*waitmask = *oldmask;
	for (size_t i = 0; i < 4; i++)
		sigdelset(waitmask, sigs[i]);
}

int vm_run(const struct vm_opts *o, struct runexit *st, struct vm_result *res,
	   struct err *e)
{
	struct vm_state *s = calloc(1, sizeof(*s));
	struct sigaction old[4];
	sigset_t oldmask;
	int64_t t0 = vm_now_ms();
	int rc;

	memset(res, 0, sizeof(*res));
	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	s->con.st = st;
	s->con.out_ok = true;
	s->con_fd = -1;
	vm_sig = 0;
	vm_chld = 0;
	vm_signals(old, &oldmask, &s->waitmask, true);
	rc = vm_spawn(o, &oldmask, s, e);
	if (rc == 0) {
		if (o->timeout_s)
			s->deadline_ms = t0 + (int64_t)o->timeout_s * 1000;
		vm_loop(s, o, res);
		res->wall_s = (double)(vm_now_ms() - t0) / 1000.0;
	}
	vm_signals(old, &oldmask, NULL, false);
	free(s);
	return rc;
}
