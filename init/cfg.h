/* cfg: the measured boot configuration, parsed from the kernel command line.
 *
 * The command line is split into words the way the kernel does it: words are
 * separated by white space outside double quotes, a word is `key` or
 * `key=value`, a leading '"' of the word or of the value is dropped together
 * with the word's final '"'.  Only words whose key starts with "ccinit." are
 * ours; every other word belongs to the kernel and is ignored silently.
 *
 *   ccinit.image=sha256:<64 lowercase hex>  required, the pinned manifest digest
 *   ccinit.disk=<[a-z0-9]{1,31}>            default "vda" (/dev/<disk>)
 *   ccinit.exit=<port>                       isa-debug-exit I/O port, 0x<hex> or
 *                                            decimal, 1..0xfffc; absent: none
 *   ccinit.tmpfs_size=<N>[kKmMgG]            rootfs tmpfs size in bytes (k = KiB ..),
 *                                            1 MiB..1 TiB; absent: tmpfs default
 *   ccinit.debug=0|1                         default 0
 *
 * Attestation (cfg_att.c):
 *   ccinit.tee=auto|sample|snp|tdx           default auto (never picks sample)
 *   ccinit.kbs=http[s]://HOST[:PORT]          the KBS; also accepted as
 *   agent.aa_kbc_params=cc_kbc::URL           (Kata/CoCo's key; both must agree)
 *   ccinit.initdata=<hex>                     the digest of the initdata TOML
 *                                            (64, 96 or 128 lowercase hex for
 *                                            sha256/384/512); pins the disk
 *   ccinit.initdata_disk=<name>               default "vdb"
 *   ccinit.fetch=kbs:///r/t/x[,kbs:///…]      resources to fetch (at most 8)
 *   ccinit.decryption_key=kbs:///r/t/x[,…]    private keys (PEM, KBS resources) for
 *                                            layers encrypted to JWE recipients (at most 4)
 *   ccinit.net=dhcp|ADDR/PFX,GW[,DNS]         default dhcp (when the KBS is used)
 *   ccinit.hosts=NAME=IPV4[,NAME=IPV4]        static host entries (at most 4),
 *                                            consulted before DNS, also for a
 *                                            URL host that is an IP literal
 *
 * A ccinit key given twice, a ccinit key without "=", an empty or malformed
 * value, or a missing ccinit.image is an error.  Unknown ccinit.* keys are not
 * errors: they are recorded in the struct for the caller to warn about.
 * Nothing but cfg_parse() interprets /proc/cmdline.
 */
#ifndef CCG_INIT_CFG_H
#define CCG_INIT_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define CFG_CMDLINE_MAX 4096       /* longer input is refused (x86 limit: 2048) */
#define CFG_IMAGE_LEN (7 + 64)     /* "sha256:" + 64 hex */
#define CFG_DISK_MAX 31
#define CFG_UNKNOWN_MAX 8          /* unknown keys remembered for warnings */
#define CFG_KEY_MAX 63             /* longer unknown keys are cut (and end in "...") */
#define CFG_URL_MAX 255
#define CFG_FETCH_MAX 8
#define CFG_URI_MAX 255
#define CFG_DKEYS_MAX 4
#define CFG_NET_MAX 63
#define CFG_HOSTS_MAX 4
#define CFG_HOST_MAX 63
#define CFG_DIGEST_HEX_MAX 128

enum cfg_tee { CFG_TEE_AUTO, CFG_TEE_SAMPLE, CFG_TEE_SNP, CFG_TEE_TDX };

struct cfg_host {
	char name[CFG_HOST_MAX + 1];
	char addr[16];                   /* dotted quad */
};

struct cfg {
	char image[CFG_IMAGE_LEN + 1];   /* "sha256:<64 lowercase hex>" */
	char disk[CFG_DISK_MAX + 1];     /* device name under /dev */
	bool has_exit_port;
	uint16_t exit_port;              /* valid when has_exit_port */
	uint64_t tmpfs_size;             /* bytes; 0 = tmpfs default (half of RAM) */
	bool debug;
	/* attestation */
	enum cfg_tee tee;
	char kbs_url[CFG_URL_MAX + 1];   /* "" = none */
	char initdata[CFG_DIGEST_HEX_MAX + 1]; /* "" = no initdata pinned */
	char initdata_disk[CFG_DISK_MAX + 1];
	unsigned n_fetch;
	char fetch[CFG_FETCH_MAX][CFG_URI_MAX + 1];
	unsigned n_dkeys;
	char dkeys[CFG_DKEYS_MAX][CFG_URI_MAX + 1];
	char net[CFG_NET_MAX + 1];       /* "dhcp" or the static form */
	unsigned n_hosts;
	struct cfg_host hosts[CFG_HOSTS_MAX];
	/* Unknown ccinit.* keys, in order of appearance (full key incl. "ccinit."),
	 * the first CFG_UNKNOWN_MAX of them; n_unknown counts all of them. */
	unsigned n_unknown;
	char unknown[CFG_UNKNOWN_MAX][CFG_KEY_MAX + 1];
};

/* Parse `len` bytes of a kernel command line (as read from /proc/cmdline,
 * trailing newline allowed; NUL bytes are ordinary characters and make any
 * ccinit value containing them invalid) into *out, which is fully
 * overwritten (defaults filled in).  Returns 0, or -ERR_FORMAT (bad value,
 * duplicate, missing key), -ERR_LIMIT (len > CFG_CMDLINE_MAX) with e naming the
 * key, what was expected and what was found (non-printable bytes shown as '?',
 * long values cut).  Pure: no I/O, no allocation.  On error *out is zeroed. */
int cfg_parse(const char *cmdline, size_t len, struct cfg *out, struct err *e);

/* When cfg_parse() failed: the exit port alone, so that the failure can
 * still be reported on it.  Returns 0 with *port set when the command line
 * has exactly one valid ccinit.exit; -ERR_NOTFOUND when it has none;
 * -ERR_FORMAT otherwise (*port is then 0).  Pure. */
int cfg_exit_port(const char *cmdline, size_t len, uint16_t *port);

#endif
