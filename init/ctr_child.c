/* ctr_child: the forked side of a container (see ctr.h, ctr_child.h).
 *
 * Runs in a fresh child of the caller (single-threaded), so it may allocate;
 * every failure is reported to the parent as one message and ends the child
 * with _exit().  Mount targets inside the image are opened with O_NOFOLLOW
 * and mounted through /proc/self/fd/N, so a symlink in the image cannot
 * redirect a mount.
 */
#include "init/ctr_child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/passwd.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define CTR_FDPATH_MAX 64
#define CTR_DEV_TMPFS "mode=0755,size=65536k"
#define CTR_FILE_MAX (4u << 20) /* /etc/passwd, /etc/group */
#define CTR_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int ctr_exec_status(int code)
{
	return (code == -ENOENT || code == -ENOTDIR) ? CTR_STATUS_NOTFOUND : CTR_STATUS_NOEXEC;
}

static void ctr_send(int fd, int kind, int code, const char *text)
{
	struct ctr_msg m;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.code = code;
	snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
	do {
		n = write(fd, &m, sizeof(m));
	} while (n < 0 && errno == EINTR);
}

static _Noreturn void ctr_fail(int msg_fd, const struct err *e)
{
	ctr_send(msg_fd, CTR_MSG_SETUP, e->code < 0 ? e->code : -EIO, e->msg);
	_exit(CTR_STATUS_SETUP);
}

static int ctr_errno(struct err *e, const char *what, const char *name)
{
	int code = -errno;

	return err_set(e, code, "%s %s: %s", what, name, err_str(code));
}

/* Empty signal mask, default dispositions (the caller blocks signals). */
static void ctr_reset_signals(void)
{
	sigset_t none;
	int sig;

	for (sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL); /* libc-reserved ones fail: fine */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static void ctr_close_range(unsigned lo, unsigned hi)
{
	unsigned fd;

	if (lo > hi)
		return;
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
	for (fd = lo; fd <= hi && fd < 4096; fd++)
		(void)close((int)fd);
}

/* Close every fd but 0-2 and the two pipe ends: nothing the caller had open
 * (another container's pipes) stays with this child. */
static void ctr_close_fds(int a, int b)
{
	unsigned keep[2], start = 3, i;

	keep[0] = (unsigned)(a < b ? a : b);
	keep[1] = (unsigned)(a < b ? b : a);
	for (i = 0; i < 2; i++) {
		if (keep[i] < start)
			continue;
		if (keep[i] > start)
			ctr_close_range(start, keep[i] - 1);
		start = keep[i] + 1;
	}
	ctr_close_range(start, ~0u);
}

static int ctr_stdin_null(struct err *e)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ctr_errno(e, "open", "/dev/null");
	if (fd != STDIN_FILENO) {
		if (dup2(fd, STDIN_FILENO) < 0) {
			int rc = ctr_errno(e, "dup2", "/dev/null");
			close(fd);
			return rc;
		}
		close(fd);
	}
	return 0;
}

static void ctr_fdpath(char *buf, size_t cap, int fd)
{
	snprintf(buf, cap, "/proc/self/fd/%d", fd);
}

/* Mount onto dirfd/name, which must not be a symlink.  show: the target as
 * the container will see it, for messages. */
static int ctr_mount_in(int dirfd, const char *name, const char *show, const char *src,
			const char *type, unsigned long flags, const char *data, struct err *e)
{
	char path[CTR_FDPATH_MAX];
	int fd, rc = 0;

	struct stat st;

	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctr_errno(e, "open mount target", show);
	ctr_fdpath(path, sizeof(path), fd);
	if (fstat(fd, &st) != 0)
		rc = ctr_errno(e, "stat mount target", show);
	else if (S_ISLNK(st.st_mode))
		rc = err_set(e, -ERR_UNSAFE, "mount %s: refusing a symlink as target", show);
	else if (mount(src, path, type, flags, data) != 0)
		rc = ctr_errno(e, "mount", show);
	close(fd);
	return rc;
}

/* A directory dirfd/name (created if missing; a symlink is refused) with a
 * fresh mount of type on it. */
static int ctr_mount_dir(int dirfd, const char *name, const char *show, mode_t mode,
			 const char *type, unsigned long flags, const char *data, struct err *e)
{
	struct stat st;

	if (mkdirat(dirfd, name, mode) != 0 && errno != EEXIST)
		return ctr_errno(e, "mkdir", show);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return ctr_errno(e, "stat", show);
	if (!S_ISDIR(st.st_mode))
		return err_set(e, -ERR_UNSAFE, "mount %s: expected a directory in the image, "
			       "got %s", show, S_ISLNK(st.st_mode) ? "a symlink" :
			       S_ISREG(st.st_mode) ? "a regular file" : "a special file");
	return ctr_mount_in(dirfd, name, show, type, type, flags, data, e);
}

/* Bind the caller's /dev/<name> onto a new empty file devfd/<name>. */
static int ctr_dev_node(int devfd, const char *name, struct err *e)
{
	char src[32], show[32];
	int fd;

	snprintf(src, sizeof(src), "/dev/%s", name);
	memcpy(show, src, sizeof(show));
	fd = openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return ctr_errno(e, "create", show);
	close(fd);
	return ctr_mount_in(devfd, name, show, src, NULL, MS_BIND, NULL, e);
}

static int ctr_dev_links(int devfd, struct err *e)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
		{ "ptmx", "pts/ptmx" },
	};
	char show[32];
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (symlinkat(links[i][1], devfd, links[i][0]) != 0) {
			snprintf(show, sizeof(show), "/dev/%s", links[i][0]);
			return ctr_errno(e, "symlink", show);
		}
	}
	return 0;
}

/* /dev: a small tmpfs with the usual nodes, pts, shm and links. */
static int ctr_mount_dev(int rootfd, struct err *e)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	int devfd, rc;
	size_t i;

	rc = ctr_mount_dir(rootfd, "dev", "/dev", 0755, "tmpfs", MS_NOSUID | MS_NOEXEC,
			   CTR_DEV_TMPFS, e);
	if (rc < 0)
		return rc;
	devfd = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (devfd < 0)
		return ctr_errno(e, "open", "/dev");
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]) && rc == 0; i++)
		rc = ctr_dev_node(devfd, nodes[i], e);
	if (rc == 0)
		rc = ctr_mount_dir(devfd, "pts", "/dev/pts", 0755, "devpts", MS_NOSUID | MS_NOEXEC,
				   "newinstance,ptmxmode=0666,mode=0620,gid=5", e);
	if (rc == 0)
		rc = ctr_mount_dir(devfd, "shm", "/dev/shm", 01777, "tmpfs",
				   MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", e);
	if (rc == 0)
		rc = ctr_dev_links(devfd, e);
	close(devfd);
	return rc;
}

static int ctr_mount_all(int rootfd, struct err *e)
{
	const unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int rc;

	rc = ctr_mount_dir(rootfd, "proc", "/proc", 0555, "proc", safe, NULL, e);
	if (rc == 0)
		rc = ctr_mount_dir(rootfd, "sys", "/sys", 0555, "sysfs", safe | MS_RDONLY, NULL, e);
	if (rc == 0)
		rc = ctr_mount_dev(rootfd, e);
	if (rc == 0)
		rc = ctr_mount_dir(rootfd, "tmp", "/tmp", 01777, "tmpfs", MS_NOSUID | MS_NODEV,
				   "mode=1777", e);
	return rc;
}

/* Make rootfs the root of a new mount namespace.  pivot_root() refuses a
 * root without a parent mount (the initramfs), so: bind the rootfs onto
 * itself twice (B1, then B2 on top), mount the container's filesystems on
 * B2, move B1 (carrying B2) onto "/" and chroot into it, which gives the
 * root a parent; then pivot_root into B2 and detach the old root B1. */
static int ctr_enter_root(const char *rootfs, struct err *e)
{
	char p1[CTR_FDPATH_MAX];
	int fd1 = -1, fd2 = -1, rc;

	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) != 0)
		return ctr_errno(e, "unshare", "mount/uts/ipc namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return ctr_errno(e, "make private", "/");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) != 0 ||
	    (fd1 = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) != 0 ||
	    (fd2 = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = ctr_errno(e, "bind", rootfs);
		goto out;
	}
	rc = ctr_mount_all(fd2, e);
	if (rc < 0)
		goto out;
	ctr_fdpath(p1, sizeof(p1), fd1);
	if (mount(p1, "/", NULL, MS_MOVE, NULL) != 0 || fchdir(fd1) != 0 || chroot(".") != 0) {
		rc = ctr_errno(e, "move to /", rootfs);
		goto out;
	}
	if (fchdir(fd2) != 0 || syscall(SYS_pivot_root, ".", ".") != 0) {
		rc = ctr_errno(e, "pivot_root", rootfs);
		goto out;
	}
	if (umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
		rc = ctr_errno(e, "detach old root of", rootfs);
out:
	if (fd2 >= 0)
		close(fd2);
	if (fd1 >= 0)
		close(fd1);
	return rc;
}

/* Read a small file of the image (/etc/passwd); *buf = NULL when absent. */
static int ctr_read_file(const char *path, char **buf, size_t *len, struct err *e)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	*buf = NULL;
	*len = 0;
	/* stat first: opening a device node of the image could have effects */
	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : ctr_errno(e, "stat", path);
	if (!S_ISREG(st.st_mode))
		return err_set(e, -ERR_UNSAFE, "%s: expected a regular file", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ctr_errno(e, "open", path);
	if (fstat(fd, &st) != 0) {
		rc = ctr_errno(e, "stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)CTR_FILE_MAX) {
		rc = err_set(e, -ERR_LIMIT, "%s: expected a regular file of at most %u bytes",
			     path, CTR_FILE_MAX);
		goto out;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		rc = err_set(e, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, *buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ctr_errno(e, "read", path);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return rc;
}

static int ctr_user(const char *spec, struct passwd_id *id, struct err *e)
{
	char *pw = NULL, *gr = NULL;
	size_t pw_len = 0, gr_len = 0;
	int rc;

	rc = ctr_read_file("/etc/passwd", &pw, &pw_len, e);
	if (rc == 0)
		rc = ctr_read_file("/etc/group", &gr, &gr_len, e);
	if (rc == 0)
		rc = passwd_resolve(spec, spec ? strlen(spec) : 0, pw, pw_len, gr, gr_len, id, e);
	free(pw);
	free(gr);
	return rc;
}

static int ctr_set_ids(const struct passwd_id *id, struct err *e)
{
	gid_t groups[PASSWD_GROUPS_MAX];
	size_t i;

	for (i = 0; i < id->ngroups; i++)
		groups[i] = (gid_t)id->groups[i];
	if (setgroups(id->ngroups, groups) != 0)
		return ctr_errno(e, "setgroups", "(supplementary groups)");
	if (setgid((gid_t)id->gid) != 0)
		return err_set(e, -errno, "setgid %u: %s", id->gid, err_str(-errno));
	if (setuid((uid_t)id->uid) != 0)
		return err_set(e, -errno, "setuid %u: %s", id->uid, err_str(-errno));
	return 0;
}

/* mkdir -p of an absolute path (as runc does for a missing cwd). */
static int ctr_mkdir_p(const char *path, struct err *e)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf) || path[0] != '/')
		return err_set(e, -ERR_FORMAT, "cwd \"%s\": expected an absolute path shorter "
			       "than %d bytes", path, PATH_MAX);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue; /* "//" or trailing '/' */
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return ctr_errno(e, "create cwd", buf);
		buf[i] = path[i];
	}
	return 0;
}

static bool ctr_env_has(char *const *env, size_t n, const char *key)
{
	size_t i, k = strlen(key);

	for (i = 0; i < n; i++)
		if (strncmp(env[i], key, k) == 0 && env[i][k] == '=')
			return true;
	return false;
}

/* The image Env plus PATH, HOME and HOSTNAME where Env lacks them. */
static char **ctr_env(const struct ctr_spec *spec, const struct passwd_id *id, struct err *e)
{
	size_t n = 0, i;
	char **env, *home, *host = NULL;

	while (spec->env && spec->env[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	home = malloc(strlen(id->home) + 6);
	if (spec->hostname)
		host = malloc(strlen(spec->hostname) + 10);
	if (!env || !home || (spec->hostname && !host))
		goto oom;
	for (i = 0; i < n; i++)
		env[i] = (char *)spec->env[i];
	if (!ctr_env_has(env, n, "PATH"))
		env[n++] = (char *)CTR_DEFAULT_PATH;
	snprintf(home, strlen(id->home) + 6, "HOME=%s", id->home);
	if (!ctr_env_has(env, n, "HOME"))
		env[n++] = home;
	else
		free(home);
	if (host && !ctr_env_has(env, n, "HOSTNAME")) {
		snprintf(host, strlen(spec->hostname) + 10, "HOSTNAME=%s", spec->hostname);
		env[n++] = host;
	} else {
		free(host);
	}
	return env; /* the child execs or exits: no need to free it */
oom:
	free(env);
	free(home);
	free(host);
	err_set(e, -ENOMEM, "environment: out of memory");
	return NULL;
}

static const char *ctr_env_get(char *const *env, const char *key)
{
	size_t k = strlen(key);

	for (; *env; env++)
		if (strncmp(*env, key, k) == 0 && (*env)[k] == '=')
			return *env + k + 1;
	return NULL;
}

/* execve argv[0], searched in the container's PATH as execvp(3) does
 * (without its /bin/sh fallback).  Returns -errno; *exists is set when the
 * failing candidate exists (ENOENT then means a missing interpreter). */
static int ctr_exec(char *const argv[], char *const env[], bool *exists)
{
	const char *file = argv[0], *path = ctr_env_get(env, "PATH"), *p;
	char buf[PATH_MAX];
	bool eacces = false;
	int err;

	*exists = false;
	if (strchr(file, '/')) {
		execve(file, argv, env);
		err = errno;
		*exists = err == ENOENT && access(file, F_OK) == 0;
		return -err;
	}
	for (p = path ? path : ""; ; p++) {
		const char *colon = strchr(p, ':');
		size_t dn = colon ? (size_t)(colon - p) : strlen(p);
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)dn, p, dn ? "/" : "", file);

		if (n > 0 && (size_t)n < sizeof(buf)) {
			execve(buf, argv, env);
			err = errno;
			if (err == EACCES) {
				eacces = true;
			} else if (err == ENOENT && access(buf, F_OK) == 0) {
				*exists = true;
				return -ENOENT;
			} else if (err != ENOENT && err != ENOTDIR && err != ENAMETOOLONG &&
				   err != ELOOP) {
				return -err;
			}
		}
		if (!colon)
			break;
		p = colon;
	}
	return eacces ? -EACCES : -ENOENT;
}

static _Noreturn void ctr_exec_fail(int msg_fd, const char *argv0, int code, bool exists)
{
	char text[ERR_MSG_MAX], show[256];
	size_t i;

	for (i = 0; argv0[i] && i < sizeof(show) - 1; i++)
		show[i] = (argv0[i] >= 0x20 && argv0[i] < 0x7f) ? argv0[i] : '?';
	show[i] = '\0';
	if (code == -ENOENT && exists)
		snprintf(text, sizeof(text), "%s: not found (the file exists: its ELF or #! "
			 "interpreter is missing)", show);
	else if (code == -ENOENT || code == -ENOTDIR)
		snprintf(text, sizeof(text), "%s: not found", show);
	else
		snprintf(text, sizeof(text), "%s: cannot execute: %s", show, err_str(code));
	ctr_send(msg_fd, CTR_MSG_EXEC, code, text);
	_exit(ctr_exec_status(code));
}

/* Everything between the fork and the wait for start. */
static int ctr_setup(const struct ctr_spec *spec, struct passwd_id *id, char ***env,
		     struct err *e)
{
	const char *cwd = spec->cwd && spec->cwd[0] ? spec->cwd : "/";
	int rc;

	if (setsid() < 0)
		return ctr_errno(e, "setsid", "(new session)");
	rc = ctr_stdin_null(e);
	if (rc == 0)
		rc = ctr_enter_root(spec->rootfs, e);
	if (rc == 0 && spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)))
		rc = ctr_errno(e, "sethostname", spec->hostname);
	if (rc == 0)
		rc = ctr_user(spec->user, id, e);
	if (rc == 0)
		rc = ctr_mkdir_p(cwd, e);
	if (rc == 0 && !(*env = ctr_env(spec, id, e)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = ctr_set_ids(id, e);
	if (rc == 0 && chdir(cwd) != 0)
		rc = ctr_errno(e, "chdir", cwd);
	if (rc == 0)
		(void)syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
	return rc;
}

_Noreturn void ctr_child_run(const struct ctr_spec *spec, int start_fd, int msg_fd)
{
	struct err e = { 0, "" };
	struct passwd_id id;
	char **env = NULL;
	bool exists;
	ssize_t n;
	char go;
	int rc;

	ctr_reset_signals();
	ctr_close_fds(start_fd, msg_fd);
	if (ctr_setup(spec, &id, &env, &e) < 0 || !env)
		ctr_fail(msg_fd, &e);
	ctr_send(msg_fd, CTR_MSG_READY, 0, NULL);
	do {
		n = read(start_fd, &go, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(CTR_STATUS_SETUP); /* the parent gave up on us */
	rc = ctr_exec((char *const *)spec->argv, env, &exists);
	ctr_exec_fail(msg_fd, spec->argv[0], rc, exists);
}
