/* igvmrun: `ccguest run --igvm FILE`, the loader for the native platform on
 * a QEMU without IGVM support (host only).
 *
 * It does what an IGVM loader does: takes the file's NATIVE platform,
 * fills the parameter areas (the vCPU count; the memory map of the q35
 * machine QEMU builds for --memory) and places every page at its GPA.  The
 * pages go to QEMU as raw files: the 64 KiB below 4 GiB (the reset vector
 * page) as -bios, every other run of contiguous pages as a generic
 * `-device loader,file=…,addr=…,force-raw=on`.  The CPU starts at the reset
 * vector, in the file's boot stub.  The files are anonymous (O_TMPFILE)
 * and reach QEMU as /proc/self/fd/N.
 */
#ifndef CCG_HOST_IGVMRUN_H
#define CCG_HOST_IGVMRUN_H

#include <stdint.h>

#include "base/err.h"
#include "host/qemu.h"

#define IGVMRUN_BLOBS_MAX 12
#define IGVMRUN_CMDLINE_MAX 4096

struct igvmrun {
	int bios_fd;                       /* -1 until prepared */
	char bios_path[32];
	int fds[IGVMRUN_BLOBS_MAX];
	char paths[IGVMRUN_BLOBS_MAX][32];
	uint64_t addrs[IGVMRUN_BLOBS_MAX];
	unsigned n;
	char cmdline[IGVMRUN_CMDLINE_MAX]; /* the measured command line, if found */
	uint64_t pages;
};

void igvmrun_init(struct igvmrun *g);
void igvmrun_free(struct igvmrun *g);

/* Read and check the file, fill its parameters for cpus and memory_mib, and
 * write the page runs.  Fails when the file has no native platform, places
 * a page where the q35 machine has no RAM (other than the top 64 KiB), or
 * needs more than IGVMRUN_BLOBS_MAX runs. */
int igvmrun_prepare(struct igvmrun *g, const char *path, unsigned cpus, unsigned memory_mib,
		    struct err *e);

/* Hand the runs to the QEMU configuration (bios + loader blobs). */
void igvmrun_to_qemu(const struct igvmrun *g, struct qemu_cfg *cfg);

#endif
