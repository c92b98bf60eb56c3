/* run: `ccguest run`, boot the guest under QEMU with the image disk and
 * return the workload's exit status (docker's convention: 125 when ccguest
 * or the guest failed before the workload ran; see runexit.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cli.h"
#include "host/igvmrun.h"
#include "host/kvm.h"
#include "host/qemu.h"
#include "host/resolve.h"
#include "host/runatt.h"
#include "host/runexit.h"
#include "host/tartree.h"
#include "host/util.h"
#include "host/vm.h"
#include "init/cfg.h"

#define RUN_PATH_MAX 4096

static const char run_usage[] =
	"usage: ccguest run [--oci-layout DIR --image REF] [options]\n"
	"\n"
	"Boot the guest under QEMU with the OCI layout DIR as its read-only image\n"
	"disk and REF pinned by digest; exit with the workload's status (125: the\n"
	"guest or ccguest failed before the workload ran).\n"
	"\n"
	"  --oci-layout DIR      OCI image layout directory\n"
	"  --image REF           tag (\"t\", \"name:t\") or \"sha256:<hex>\"\n"
	"  --kernel FILE         default: vmlinux (PVH) or vmlinuz beside ccguest\n"
	"  --initrd FILE         default: initrd.img beside ccguest\n"
	"  --memory MIB          guest memory (default 512)\n"
	"  --cpus N              vCPUs (default 1)\n"
	"  --accel auto|kvm|tcg  default auto: KVM when /dev/kvm works\n"
	"  --machine auto|microvm|q35   default auto = microvm\n"
	"  --timeout SECONDS     kill the guest after this long (default 600, 0 = never)\n"
	"  --cmdline-extra STR   appended to the kernel command line\n"
	"  --igvm FILE           boot a native-platform IGVM file (ccguest igvm build\n"
	"                        --platform native) instead of kernel + initrd: its\n"
	"                        measured command line must pin --image; q35 only\n"
	"\n"
	"Attestation (see docs/attestation.md):\n"
	"  --tee auto|sample|snp|tdx   the TEE the guest uses (default auto: real TEEs\n"
	"                        only; sample is a developer mode the KBS must allow)\n"
	"  --kbs URL             the Trustee KBS (https://HOST:PORT)\n"
	"  --kbs-cert FILE       its certificate or CA (PEM), the only trust anchor\n"
	"  --initdata FILE       a Kata/CoCo initdata TOML instead of --kbs/--kbs-cert\n"
	"  --fetch URI           fetch kbs:///repo/type/tag after attesting (repeatable)\n"
	"  --decryption-key URI  a private key (PEM, a KBS resource) for layers encrypted\n"
	"                        to JWE recipients (repeatable)\n"
	"  --qemu PATH           default qemu-system-x86_64 from PATH\n"
	"  -v, --verbose         print what is chosen and the QEMU command line\n"
	"      --no-host-verify  pin --image sha256:<hex> as given, without checking the\n"
	"                        layout on the host (tests: the guest must refuse it)\n"
	"      --initdata-pin HEX  pin this initdata digest instead of the real one\n"
	"                        (tests: the guest must refuse the disk)\n";

enum { RUN_AUTO = -1 };

struct run_opts {
	const char *layout, *image, *kernel, *initrd, *extra, *qemu, *igvm;
	unsigned memory, cpus, timeout;
	int accel;      /* RUN_AUTO or enum qemu_accel */
	int machine;    /* RUN_AUTO or enum qemu_machine */
	bool verbose;
	bool no_host_verify; /* tests: play an untrusted host */
	struct runatt att;
};

static bool run_num(const char *s, uint64_t min, uint64_t max, unsigned *out)
{
	uint64_t v;

	if (!util_parse_u64(s, max, &v) || v < min)
		return false;
	*out = (unsigned)v;
	return true;
}

/* One option; false on a bad value (already reported). */
static bool run_opt(struct run_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'L': o->layout = arg; return true;
	case 'I': o->image = arg; return true;
	case 'k': o->kernel = arg; return true;
	case 'r': o->initrd = arg; return true;
	case 'x': o->extra = arg; return true;
	case 'q': o->qemu = arg; return true;
	case 'G': o->igvm = arg; return true;
	case 'v': o->verbose = true; return true;
	case 'N': o->no_host_verify = true; return true;
	case 'T': o->att.tee = arg; return true;
	case 'K': o->att.kbs = arg; return true;
	case 'C': o->att.kbs_cert = arg; return true;
	case 'D': o->att.initdata = arg; return true;
	case 'P': o->att.pin = arg; return true;
	case 'E':
		if (runatt_add_dkey(&o->att, arg))
			return true;
		cli_error("run: at most %d --decryption-key", CFG_DKEYS_MAX);
		return false;
	case 'F':
		if (runatt_add_fetch(&o->att, arg))
			return true;
		cli_error("run: at most %d --fetch", CFG_FETCH_MAX);
		return false;
	case 'm': if (run_num(arg, 64, 1048576, &o->memory)) return true; break;
	case 'c': if (run_num(arg, 1, 256, &o->cpus)) return true; break;
	case 't': if (run_num(arg, 0, 86400 * 365, &o->timeout)) return true; break;
	case 'a':
		o->accel = !strcmp(arg, "auto") ? RUN_AUTO : !strcmp(arg, "kvm") ?
			   QEMU_ACCEL_KVM : !strcmp(arg, "tcg") ? QEMU_ACCEL_TCG : -2;
		if (o->accel != -2) return true;
		break;
	case 'M':
		o->machine = !strcmp(arg, "auto") ? RUN_AUTO : !strcmp(arg, "microvm") ?
			     QEMU_MACHINE_MICROVM : !strcmp(arg, "q35") ? QEMU_MACHINE_Q35 : -2;
		if (o->machine != -2) return true;
		break;
	default:
		return false;
	}
	cli_error("run: bad value \"%s\" for an option", arg);
	return false;
}

/* Returns -1 to go on, else the exit status (help: 0, usage error: 125). */
static int run_parse(struct run_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "oci-layout", required_argument, NULL, 'L' },
		{ "image", required_argument, NULL, 'I' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'r' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "accel", required_argument, NULL, 'a' },
		{ "machine", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "cmdline-extra", required_argument, NULL, 'x' },
		{ "qemu", required_argument, NULL, 'q' },
		{ "igvm", required_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-host-verify", no_argument, NULL, 'N' },
		{ "tee", required_argument, NULL, 'T' },
		{ "kbs", required_argument, NULL, 'K' },
		{ "kbs-cert", required_argument, NULL, 'C' },
		{ "initdata", required_argument, NULL, 'D' },
		{ "fetch", required_argument, NULL, 'F' },
		{ "initdata-pin", required_argument, NULL, 'P' },
		{ "decryption-key", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	*o = (struct run_opts){ .qemu = "qemu-system-x86_64", .memory = 512,
				.cpus = 1, .timeout = 600, .accel = RUN_AUTO,
				.machine = RUN_AUTO };
	runatt_init(&o->att);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return CLI_OK;
		}
		if (!run_opt(o, c, optarg))
			goto usage;
	}
	if (optind == argc && !o->layout == !o->image)
		return -1;
	cli_error("run: %s", optind != argc ? "unexpected arguments" :
		  "--oci-layout and --image go together");
usage:
	fputs(run_usage, stderr);
	return RUNEXIT_FAILED;
}

/* What the run resolved: files, choices, the disk. */
struct run_ctx {
	struct run_opts o;
	enum qemu_accel accel;
	enum qemu_machine machine;
	char kernel[RUN_PATH_MAX], initrd[RUN_PATH_MAX];
	char pinned[DIGEST_STR_MAX];
	int disk_fd;
	char disk_path[64];
	uint64_t disk_bytes;
	char cmdline[QEMU_CMDLINE_MAX + 1];
	char extra[QEMU_CMDLINE_MAX + 1];
	struct qemu_argv qa;
	struct igvmrun igvm;
};

static int run_path(char *buf, const char *dir, const char *name)
{
	return (size_t)snprintf(buf, RUN_PATH_MAX, "%s/%s", dir, name) <
	       RUN_PATH_MAX ? 0 : -ERR_LIMIT;
}

/* Kernel and initrd: given, or beside the binary.  microvm boots the PVH
 * vmlinux when present (no decompression, no firmware); q35 keeps the
 * production-like bzImage unless --kernel says otherwise. */
static int run_files(struct run_ctx *r, struct err *e)
{
	char dir[RUN_PATH_MAX];
	static const char *const pvh[] = { "vmlinux", "kernel/vmlinux" };
	int rc = util_exe_dir(dir, sizeof(dir), e);

	if (rc < 0)
		return rc;
	if (r->o.initrd)
		snprintf(r->initrd, sizeof(r->initrd), "%s", r->o.initrd);
	else if (run_path(r->initrd, dir, "initrd.img") < 0)
		return err_set(e, -ERR_LIMIT, "%s: path too long", dir);
	if (r->o.kernel) {
		snprintf(r->kernel, sizeof(r->kernel), "%s", r->o.kernel);
	} else {
		r->kernel[0] = '\0';
		for (size_t i = 0; i < 2 && r->machine == QEMU_MACHINE_MICROVM; i++) {
			if (run_path(r->kernel, dir, pvh[i]) == 0 &&
			    util_is_file(r->kernel))
				break;
			r->kernel[0] = '\0';
		}
		if (!r->kernel[0] && run_path(r->kernel, dir, "vmlinuz") < 0)
			return err_set(e, -ERR_LIMIT, "%s: path too long", dir);
	}
	if (!util_is_file(r->kernel))
		return err_set(e, -ENOENT, "kernel %s: no such file", r->kernel);
	if (!util_is_file(r->initrd))
		return err_set(e, -ENOENT, "initrd %s: no such file", r->initrd);
	return 0;
}

static int run_accel(struct run_ctx *r, struct err *e)
{
	char why[160] = "";
	bool kvm = r->o.accel == QEMU_ACCEL_TCG ? false : kvm_usable(why, sizeof(why));

	if (r->o.accel == QEMU_ACCEL_KVM && !kvm)
		return err_set(e, -ENODEV, "--accel kvm: %s", why);
	r->accel = kvm ? QEMU_ACCEL_KVM : QEMU_ACCEL_TCG;
	r->machine = r->o.machine == RUN_AUTO ? (r->o.igvm ? QEMU_MACHINE_Q35 : QEMU_MACHINE_MICROVM)
					      : (enum qemu_machine)r->o.machine;
	if (r->o.verbose)
		cli_note("accelerator: %s%s%s%s", kvm ? "kvm" : "tcg",
			 why[0] ? " (" : "", why, why[0] ? ")" : "");
	return 0;
}

static int run_disk(struct run_ctx *r, struct err *e)
{
	enum oci_kind kind = OCI_KIND_UNKNOWN;
	struct digest d;
	int rc;

	if (r->o.no_host_verify) {
		rc = digest_parse(r->o.image, strlen(r->o.image), &d, e);
		if (rc == 0)
			digest_format(&d, r->pinned);
	} else {
		rc = resolve_ref(r->o.layout, r->o.image, r->pinned, &kind, e);
	}
	if (rc < 0)
		return rc;
	if (r->o.verbose)
		cli_note("image %s -> %s (%s)", r->o.image, r->pinned,
			 kind == OCI_KIND_INDEX ? "index, the guest picks "
			 "linux/amd64" : "manifest");
	r->disk_fd = util_tmpfile(e);
	if (r->disk_fd < 0)
		return r->disk_fd;
	rc = tartree_write(r->o.layout, r->disk_fd, &r->disk_bytes, e);
	if (rc < 0)
		return rc;
	snprintf(r->disk_path, sizeof(r->disk_path), "/proc/self/fd/%d",
		 r->disk_fd);
	if (r->o.verbose)
		cli_note("image disk: %llu bytes (%s)",
			 (unsigned long long)r->disk_bytes, r->disk_path);
	return 0;
}

static int run_build(struct run_ctx *r, struct err *e)
{
	struct qemu_kcmd k = {
		.machine = r->machine,
		.image = r->pinned[0] ? r->pinned : NULL,
		.extra = r->extra,
	};
	struct qemu_cfg cfg = {
		.qemu = r->o.qemu, .machine = r->machine, .accel = r->accel,
		.memory_mib = r->o.memory, .cpus = r->o.cpus,
		.kernel = r->kernel, .initrd = r->initrd, .cmdline = r->cmdline,
		.disk = r->disk_fd >= 0 ? r->disk_path : NULL,
		.disk2 = r->o.att.disk_fd >= 0 ? r->o.att.disk_path : NULL,
		.net = r->o.att.net ? QEMU_NET_USER : QEMU_NET_NONE,
		.fwd = { r->o.att.fwd_port, r->o.att.fwd_cmd },
	};
	int rc;

	if (r->o.igvm) {
		igvmrun_to_qemu(&r->igvm, &cfg);
		rc = qemu_build_argv(&cfg, &r->qa, e);
		goto verbose;
	}
	if ((size_t)snprintf(r->extra, sizeof(r->extra), "%s%s%s", r->o.att.extra + (r->o.att.extra[0] == ' '),
			     r->o.att.extra[0] && r->o.extra ? " " : "",
			     r->o.extra ? r->o.extra : "") >= sizeof(r->extra))
		return err_set(e, -ERR_LIMIT, "kernel command line too long");

	/* The TSC rate is needed on microvm only (no HPET or PM timer to
	 * calibrate against); q35 calibrates by itself. */
	if (r->machine == QEMU_MACHINE_MICROVM) {
		k.tsc_khz = tsc_host_khz();
		if (r->o.verbose)
			cli_note("host TSC: %lu kHz", k.tsc_khz);
	}
	rc = qemu_build_cmdline(&k, r->cmdline, sizeof(r->cmdline), e);
	if (rc == 0)
		rc = qemu_build_argv(&cfg, &r->qa, e);
verbose:
	if (rc == 0 && r->o.verbose) {
		fputs("ccguest: qemu:", stderr);
		for (size_t i = 0; i < r->qa.argc; i++)
			fprintf(stderr, strpbrk(r->qa.argv[i], " \"") ? " '%s'" : " %s",
				r->qa.argv[i]);
		fputc('\n', stderr);
	}
	return rc;
}

/* The measured command line of the file, read with ccinit's own parser,
 * must pin the image we attach (the guest would refuse anything else; say
 * so before booting). */
static int igvm_check_pin(const struct run_ctx *r, struct err *e)
{
	struct cfg *c = calloc(1, sizeof(*c));
	struct err ce = { 0 };
	bool pins;
	int rc;

	if (!c)
		return err_set(e, -ENOMEM, "out of memory");
	rc = cfg_parse(r->igvm.cmdline, strlen(r->igvm.cmdline), c, &ce);
	pins = rc == 0 && strcmp(c->image, r->pinned) == 0;
	free(c);
	if (rc < 0)
		return err_set(e, -ERR_FORMAT, "--igvm %s: ccinit would refuse its measured command "
			       "line: %s", r->o.igvm, ce.msg);
	if (!pins)
		return err_set(e, -ERR_DIGEST, "--igvm %s: its measured command line does not pin "
			       "%s (rebuild it with ccinit.image=%s)", r->o.igvm, r->pinned,
			       r->pinned);
	return 0;
}

/* --igvm: the file replaces kernel, initrd and command line. */
static int run_igvm(struct run_ctx *r, struct err *e)
{
	int rc;

	if (r->o.kernel || r->o.initrd || r->o.extra || runatt_wanted(&r->o.att))
		return err_set(e, -EINVAL, "--igvm: the kernel, initrd and command line are "
			       "measured in the file (no --kernel, --initrd, --cmdline-extra or "
			       "attestation options)");
	if (r->machine != QEMU_MACHINE_Q35)
		return err_set(e, -EINVAL, "--igvm: the q35 machine only");
	rc = igvmrun_prepare(&r->igvm, r->o.igvm, r->o.cpus, r->o.memory, e);
	if (rc < 0)
		return rc;
	if (r->o.verbose)
		cli_note("igvm %s: %llu pages in %u runs + 64 KiB firmware; command line: %s",
			 r->o.igvm, (unsigned long long)r->igvm.pages, r->igvm.n,
			 r->igvm.cmdline[0] ? r->igvm.cmdline : "(not found)");
	return r->pinned[0] ? igvm_check_pin(r, e) : 0;
}

/* Everything before QEMU starts; 0 or a negative code with e set. */
static int run_prepare(struct run_ctx *r, struct err *e)
{
	int rc = run_accel(r, e);

	if (rc == 0 && r->o.igvm) {
		if (r->o.layout)
			rc = run_disk(r, e);
		if (rc == 0)
			rc = run_igvm(r, e);
		if (rc == 0)
			rc = run_build(r, e);
		return rc;
	}
	if (rc == 0)
		rc = run_files(r, e);
	if (rc == 0 && r->o.verbose)
		cli_note("machine: %s, kernel %s, initrd %s",
			 r->machine == QEMU_MACHINE_MICROVM ? "microvm" : "q35",
			 r->kernel, r->initrd);
	if (rc == 0 && r->o.layout)
		rc = run_disk(r, e);
	if (rc == 0 && runatt_wanted(&r->o.att))
		rc = runatt_prepare(&r->o.att, r->o.verbose, e);
	if (rc == 0)
		rc = run_build(r, e);
	return rc;
}

static int run_boot(struct run_ctx *r, struct err *e)
{
	struct vm_opts vo = { .argv = r->qa.argv, .timeout_s = r->o.timeout };
	struct vm_result res;
	struct runexit st;
	char msg[256];
	int code, rc;

	for (unsigned i = 0; i < VM_KEEP_MAX; i++)
		vo.keep_fd[i] = -1;
	vo.keep_fd[0] = r->disk_fd;
	vo.keep_fd[1] = r->o.att.disk_fd;
	vo.keep_fd[2] = r->igvm.bios_fd;
	for (unsigned i = 0; i < r->igvm.n && 3 + i < VM_KEEP_MAX; i++)
		vo.keep_fd[3 + i] = r->igvm.fds[i];
	runexit_init(&st);
	rc = vm_run(&vo, &st, &res, e);
	if (rc < 0)
		return rc;
	code = runexit_map(&st, res.how, res.value, msg, sizeof(msg));
	if (r->o.verbose)
		cli_note("qemu ended after %.2f s (%s %d), exit status %d", res.wall_s,
			 res.how == RUNEXIT_EXITED ? "exit code" :
			 res.how == RUNEXIT_SIGNALED ? "signal" :
			 res.how == RUNEXIT_TIMEOUT ? "timeout" : "interrupted by",
			 res.value, code);
	if (msg[0])
		cli_error("%s", msg);
	return code;
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx *r = calloc(1, sizeof(*r));
	struct err e = { 0 };
	int rc;

	if (!r) {
		cli_error("run: out of memory");
		return RUNEXIT_FAILED;
	}
	r->disk_fd = -1;
	igvmrun_init(&r->igvm);
	rc = run_parse(&r->o, argc, argv);
	if (rc >= 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	rc = run_prepare(r, &e);
	if (rc == 0)
		rc = run_boot(r, &e);
	if (rc < 0) {
		cli_error("%s", e.msg[0] ? e.msg : err_str(rc));
		rc = RUNEXIT_FAILED;
	}
out:
	runatt_free(&r->o.att);
	igvmrun_free(&r->igvm);
	if (r->disk_fd >= 0)
		close(r->disk_fd);
	free(r);
	return rc;
}
