/* kvm: host facts for choosing how to run the guest (host only). */
#ifndef CCG_HOST_KVM_H
#define CCG_HOST_KVM_H

#include <stdbool.h>
#include <stddef.h>

/* True when /dev/kvm opens read-write, KVM_GET_API_VERSION returns 12 and
 * KVM_CREATE_VM succeeds (the VM is closed again).  why (cap bytes, may be
 * NULL) gets the reason when false. */
bool kvm_usable(char *why, size_t cap);

/* The host TSC rate in kHz: /sys/devices/system/cpu/cpu0/tsc_freq_khz when
 * the kernel exports it, else rdtsc against CLOCK_MONOTONIC_RAW over about
 * 20 ms.  Under TCG the guest's TSC runs at the host's rate.
 * Returns 0 when unknown (not x86, no invariant TSC measurable). */
unsigned long tsc_host_khz(void);

#endif
