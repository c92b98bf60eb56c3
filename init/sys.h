/* sys: PID 1's system plumbing: early mounts, console, block device wait,
 * the rootfs tmpfs, the exit port and power-off.  Guest only. */
#ifndef CCG_INIT_SYS_H
#define CCG_INIT_SYS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

/* umask 022, cwd /, then mount /proc, /sys, /dev (devtmpfs), /run (tmpfs
 * 0755, nosuid, nodev) and put /dev/console on fds 0, 1, 2.  Returns 0 or
 * -errno with e naming the step. */
int sys_setup(struct err *e);

/* Mount configfs at /sys/kernel/config (the configfs module must be
 * loaded). */
int sys_mount_configfs(struct err *e);

/* Wait until path is a block device, polling every 10 ms for up to
 * timeout_ms.  Returns 0, -ETIMEDOUT, or -ENOTBLK when it is something else. */
int sys_wait_blockdev(const char *path, unsigned timeout_ms, struct err *e);

/* Mount a tmpfs (mode 0755; size bytes, 0 = tmpfs default) at dir (created,
 * with its parent), then create dir/rootfs (0755) and dir/.stage (0700) on it
 * and open both (O_DIRECTORY | O_CLOEXEC) into *root_fd and *stage_fd.
 * Returns 0 or -errno (then no fd is left open). */
int sys_mount_rootfs(const char *dir, uint64_t size, int *root_fd, int *stage_fd,
		     struct err *e);

/* Report status on the isa-debug-exit port (QEMU exits with (status << 1) | 1
 * at once).  Returns only if the port could not be used (-errno, e.g.
 * ioperm refused under lockdown), or when the write had no effect (0). */
int sys_exit_port(uint16_t port, unsigned status, struct err *e);

/* sync() and power off.  Never returns: if reboot(2) fails it logs and
 * pauses forever. */
_Noreturn void sys_poweroff(void);

#endif
