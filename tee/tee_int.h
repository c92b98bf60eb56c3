/* tee_int: what the evidence edges share (private to tee/). */
#ifndef CCG_TEE_TEE_INT_H
#define CCG_TEE_TEE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* A malloc'd byte buffer (free with free(b.p)). */
struct tee_blob {
	uint8_t *p;
	size_t n;
};

/* abs (an absolute path such as "/dev/sev-guest") under the root, which is
 * "" except in tests.  -ENAMETOOLONG if it does not fit. */
int tee_path(char *buf, size_t cap, const char *abs);

/* Read a whole file of at most max bytes into *b (malloc'd; n may be 0).
 * Larger -> -ERR_LIMIT, open/read errors -> -errno. */
int tee_read_file(const char *path, size_t max, struct tee_blob *b, struct err *e);

/* configfs-tsm: one report for inblob (64 bytes) from provider ("sev_guest",
 * "tdx_guest").  *out receives outblob; aux, when not NULL, auxblob.
 * -ENODEV when configfs-tsm is not there (no report directory, no provider
 * registered): the caller may fall back to the device ioctl. */
int tee_tsm_report(const char *provider, const uint8_t inblob[64], struct tee_blob *out,
		   struct tee_blob *aux, struct err *e);

/* /dev/sev-guest: the raw 1184-byte report for rd, and the host's cert table
 * (certs->n 0 when none). */
int tee_sevguest_report(const uint8_t rd[64], struct tee_blob *report,
			struct tee_blob *certs, struct err *e);

/* /dev/tdx_guest TDX_CMD_GET_REPORT0: the 1024-byte TDREPORT for rd. */
int tee_tdxguest_report(const uint8_t rd[64], uint8_t tdreport[1024], struct err *e);

#ifdef CCG_TEST
/* Tests: every path under root ("" restores the real one). */
void tee_test_set_root(const char *root);

/* Tests: stand in for the kernel's configfs.  Called after mkdir (the fake
 * creates provider, generation, …) and after inblob is closed (the fake
 * writes outblob/auxblob and bumps generation). */
enum tee_tsm_stage { TEE_TSM_MKDIR, TEE_TSM_INBLOB };
typedef void (*tee_tsm_hook)(enum tee_tsm_stage st, const char *dir, void *ctx);
void tee_test_set_tsm_hook(tee_tsm_hook hook, void *ctx);
#endif

#endif
