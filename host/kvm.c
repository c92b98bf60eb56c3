/* kvm: KVM availability and the host TSC rate (see kvm.h). */
#include "host/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "host/util.h"

bool kvm_usable(char *why, size_t cap)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int api, vm;

	if (fd < 0) {
		snprintf(why, cap, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		snprintf(why, cap, "/dev/kvm: API version %d, expected %d", api,
			 KVM_API_VERSION);
		close(fd);
		return false;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, cap, "/dev/kvm: KVM_CREATE_VM: %s", strerror(errno));
		close(fd);
		return false;
	}
	close(vm);
	close(fd);
	return true;
}

#if defined(__x86_64__) || defined(__i386__)
static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t tsc_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One measurement: TSC ticks over ~20 ms of CLOCK_MONOTONIC_RAW, each end
 * bracketed by clock reads; 0 when a bracket is wider than 20 us (preempted),
 * so the error stays below about 1 ppm. */
static unsigned long tsc_measure(void)
{
	uint64_t a0 = tsc_ns(), c0 = tsc_read(), b0 = tsc_ns();
	uint64_t a1, c1, b1, ns;

	do {
		a1 = tsc_ns();
	} while (a1 - a0 < 20000000u);
	c1 = tsc_read();
	b1 = tsc_ns();
	if (b0 - a0 > 20000u || b1 - a1 > 20000u || c1 <= c0)
		return 0;
	ns = (a1 + b1) / 2 - (a0 + b0) / 2;
	/* ticks per ms, rounded */
	return (unsigned long)(((c1 - c0) * 1000000u + ns / 2) / ns);
}

static unsigned long tsc_sysfs(void)
{
	char *txt = NULL;
	size_t len = 0;
	uint64_t v = 0;

	if (util_read_file(AT_FDCWD, "/sys/devices/system/cpu/cpu0/tsc_freq_khz",
			   64, &txt, &len, NULL) < 0)
		return 0;
	while (len > 0 && (txt[len - 1] == '\n' || txt[len - 1] == ' '))
		txt[--len] = '\0';
	if (!util_parse_u64(txt, 100000000u, &v))
		v = 0;
	free(txt);
	return (unsigned long)v;
}

unsigned long tsc_host_khz(void)
{
	unsigned long v = tsc_sysfs();

	for (int i = 0; i < 5 && v == 0; i++)
		v = tsc_measure();
	return v;
}
#else
unsigned long tsc_host_khz(void)
{
	return 0;
}
#endif
