/* mod: load the initrd's kernel modules, in the order of its list.  Guest
 * only.
 *
 * List format (written by `ccguest mkinitrd` from init/modules.list): one
 * path per line relative to the modules directory, e.g.
 * "kernel/drivers/block/virtio_blk.ko.xz"; blank lines and lines starting
 * with '#' (after optional blanks) are skipped; trailing blanks and "\r" are
 * ignored.  A path is at most MOD_PATH_MAX bytes of [A-Za-z0-9._+,/-], with no
 * empty, "." or ".." component, ending in ".ko.xz" (loaded with
 * MODULE_INIT_COMPRESSED_FILE: the kernel decompresses it) or ".ko".
 */
#ifndef CCG_INIT_MOD_H
#define CCG_INIT_MOD_H

#include <stdbool.h>

#include "base/err.h"

#define MOD_PATH_MAX 255
#define MOD_LIST_MAX (64u << 10)

struct mod_stats {
	unsigned loaded;   /* finit_module() succeeded */
	unsigned present;  /* EEXIST: built in or already loaded */
	unsigned nodev;    /* ENODEV from a hardware-specific module (see mod.c) */
	unsigned skipped;  /* in the [attest] section of a boot that does not attest */
};

/* Load every module of the list file `list` from directory `dir`, in order;
 * those after a "[attest]" line only when `attest` (network, TEE drivers).
 * EEXIST counts as present; ENODEV is accepted for the TEE guest drivers and
 * CPU-feature crypto modules (no such device on this machine); anything else
 * stops with an error naming the module.  verbose: one log line per module.
 * Returns 0 or a negative code. */
int mod_load_list(const char *dir, const char *list, bool attest, bool verbose,
		  struct mod_stats *st, struct err *e);

#endif
