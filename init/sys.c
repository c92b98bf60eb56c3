/* sys: PID 1's system plumbing (see sys.h). */
#include "init/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static int sys_errno(struct err *e, const char *what, const char *name)
{
	int code = -errno;

	return err_set(e, code, "%s %s: %s", what, name, err_str(code));
}

static int sys_mkdir(const char *path, mode_t mode, struct err *e)
{
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return sys_errno(e, "mkdir", path);
	return 0;
}

static int sys_mount(const char *src, const char *dir, const char *type, unsigned long flags,
		     const char *data, struct err *e)
{
	int rc = sys_mkdir(dir, 0755, e);

	if (rc < 0)
		return rc;
	if (mount(src, dir, type, flags, data) != 0)
		return err_set(e, -errno, "mount %s on %s: %s", type, dir, err_str(-errno));
	return 0;
}

static int sys_console(struct err *e)
{
	int fd, i;

	/* not O_CLOEXEC: fds 0-2 are the workload's stdout and stderr too */
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return sys_errno(e, "open", "/dev/console");
	for (i = 0; i < 3; i++) {
		if (fd != i && dup2(fd, i) < 0) {
			int rc = sys_errno(e, "dup2", "/dev/console");
			if (fd > 2)
				close(fd);
			return rc;
		}
	}
	if (fd > 2)
		close(fd);
	return 0;
}

int sys_setup(struct err *e)
{
	const unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int rc;

	umask(022);
	if (chdir("/") != 0)
		return sys_errno(e, "chdir", "/");
	rc = sys_mount("proc", "/proc", "proc", safe, NULL, e);
	if (rc == 0)
		rc = sys_mount("sysfs", "/sys", "sysfs", safe, NULL, e);
	if (rc == 0)
		rc = sys_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755", e);
	if (rc == 0)
		rc = sys_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", e);
	if (rc == 0)
		rc = sys_mkdir("/etc", 0755, e);   /* resolv.conf, written by the network phase */
	if (rc == 0)
		rc = sys_console(e);
	return rc;
}

int sys_mount_configfs(struct err *e)
{
	if (mount("configfs", "/sys/kernel/config", "configfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) != 0)
		return err_set(e, -errno, "mount configfs on /sys/kernel/config: %s%s",
			       err_str(-errno), errno == ENODEV || errno == ENOENT ?
			       " (is configfs in the module list?)" : "");
	return 0;
}

static double sys_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sys_wait_blockdev(const char *path, unsigned timeout_ms, struct err *e)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	double deadline = sys_now() + timeout_ms / 1000.0;
	struct stat st;

	for (;;) {
		if (stat(path, &st) == 0) {
			if (S_ISBLK(st.st_mode))
				return 0;
			return err_set(e, -ENOTBLK, "%s: expected a block device, got mode 0%o",
				       path, (unsigned)(st.st_mode & S_IFMT));
		}
		if (errno != ENOENT)
			return sys_errno(e, "stat", path);
		if (sys_now() >= deadline)
			return err_set(e, -ETIMEDOUT, "%s: expected a block device, got none "
				       "after %u ms (is ccinit.disk right, virtio_blk loaded?)",
				       path, timeout_ms);
		(void)nanosleep(&tick, NULL);
	}
}

static int sys_open_dir(const char *path, int *fd, struct err *e)
{
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return sys_errno(e, "open", path);
	return 0;
}

int sys_mount_rootfs(const char *dir, uint64_t size, int *root_fd, int *stage_fd,
		     struct err *e)
{
	char parent[256], root[256], stage[256], opts[64];
	const char *slash = strrchr(dir, '/');
	int rc;

	*root_fd = *stage_fd = -1;
	if (!slash || slash == dir || (size_t)(slash - dir) >= sizeof(parent) ||
	    snprintf(root, sizeof(root), "%s/rootfs", dir) >= (int)sizeof(root) ||
	    snprintf(stage, sizeof(stage), "%s/.stage", dir) >= (int)sizeof(stage))
		return err_set(e, -EINVAL, "rootfs dir %s: expected /<parent>/<name>", dir);
	memcpy(parent, dir, (size_t)(slash - dir));
	parent[slash - dir] = '\0';
	if (size)
		snprintf(opts, sizeof(opts), "mode=0755,size=%llu", (unsigned long long)size);
	else
		snprintf(opts, sizeof(opts), "mode=0755");
	rc = sys_mkdir(parent, 0700, e);
	if (rc == 0)
		rc = sys_mount("tmpfs", dir, "tmpfs", 0, opts, e);
	if (rc == 0)
		rc = sys_mkdir(root, 0755, e);
	if (rc == 0)
		rc = sys_mkdir(stage, 0700, e);
	if (rc == 0)
		rc = sys_open_dir(root, root_fd, e);
	if (rc == 0)
		rc = sys_open_dir(stage, stage_fd, e);
	if (rc < 0) {
		if (*root_fd >= 0)
			close(*root_fd);
		*root_fd = -1;
	}
	return rc;
}

int sys_exit_port(uint16_t port, unsigned status, struct err *e)
{
	if (ioperm(port, 4, 1) != 0)
		return err_set(e, -errno, "exit port 0x%x: ioperm: %s", port, err_str(-errno));
	outl(status, port);
	return 0;
}

_Noreturn void sys_poweroff(void)
{
	sync();
	if (reboot(RB_POWER_OFF) != 0)
		log_warn("power off: %s; halting here", strerror(errno));
	for (;;)
		pause();
}
