/* ccinit: PID 1 of the confidential guest.
 *
 * Phases: setup -> config -> modules -> [initdata -> network -> attest ->
 * fetch] -> image -> exec -> supervise.  Each prints "ccinit: phase <name>"
 * when it starts; the attestation ones (init/attest.h) only when the
 * configuration asks for them.  Any failure prints exactly
 * one line "ccinit: error: <phase>: <cause>", runs nothing, and ends in a
 * power-off reporting status 125 (126/127 for a workload that cannot be
 * executed).  After the workload ends: "ccinit: workload exited with status
 * N" and a power-off reporting N.  Reporting = outl(N) to the isa-debug-exit
 * port given by ccinit.exit (QEMU exits with 2N+1); without it, a plain
 * power-off (QEMU exits with 0).  PID 1 never exits.
 *
 * Signals: SIGCHLD and the forwarded ones are blocked from the first
 * instruction and read from a signalfd; no signal handler runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "image/image.h"
#include "init/attest.h"
#include "init/cfg.h"
#include "init/ctr.h"
#include "init/mod.h"
#include "init/sys.h"

#define BOOT_MOD_DIR "/lib/modules"
#define BOOT_MOD_LIST "/lib/modules/list"
#define BOOT_FS "/run/ccinit/fs"
#define BOOT_ROOTFS BOOT_FS "/rootfs"
#define BOOT_DISK_WAIT_MS 5000
#define BOOT_MIB (1024.0 * 1024.0)

enum boot_phase {
	PH_SETUP, PH_CONFIG, PH_MODULES, PH_INITDATA, PH_NETWORK, PH_ATTEST, PH_FETCH,
	PH_IMAGE, PH_EXEC, PH_SUPERVISE, PH_N
};

static const char *const boot_phase_names[PH_N] = {
	"setup", "config", "modules", "initdata", "network", "attest", "fetch",
	"image", "exec", "supervise",
};

/* Signals forwarded to the workload. */
static const int boot_fwd_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };

struct boot {
	struct cfg cfg;
	int sfd;                /* signalfd, -1 if none */
	double secs[PH_N];      /* duration of each phase */
	struct image *img;
	struct ctr *ctr;
	struct att att;
};

/* Copy s for the console: printable ASCII only ('?' for the rest), cut. */
static const char *boot_show(char *dst, size_t cap, const char *s)
{
	size_t i;

	snprintf(dst, cap, "%s", s ? s : "");
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] >= 0x7f)
			dst[i] = '?';
	return dst;
}

/* The error line; the cause is kept on one line of printable text. */
static void boot_error(enum boot_phase ph, const struct err *e)
{
	char msg[ERR_MSG_MAX];

	log_info("error: %s: %s", boot_phase_names[ph],
		 boot_show(msg, sizeof(msg), e->msg[0] ? e->msg : err_str(e->code)));
}

static int boot_signals(struct boot *b, struct err *e)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (i = 0; i < sizeof(boot_fwd_signals) / sizeof(boot_fwd_signals[0]); i++)
		sigaddset(&set, boot_fwd_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return err_set(e, -errno, "block signals: %s", err_str(-errno));
	b->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (b->sfd < 0)
		return err_set(e, -errno, "signalfd: %s", err_str(-errno));
	return 0;
}

static int phase_config(struct boot *b, struct err *e)
{
	char buf[CFG_CMDLINE_MAX + 1], port[8] = "none", size[24] = "default";
	size_t len = 0;
	unsigned i;
	FILE *f;
	int rc;

	f = fopen("/proc/cmdline", "re");
	if (!f)
		return err_set(e, -errno, "/proc/cmdline: %s", err_str(-errno));
	len = fread(buf, 1, sizeof(buf), f);
	rc = ferror(f) ? err_set(e, -EIO, "/proc/cmdline: read error") : 0;
	fclose(f);
	if (rc < 0)
		return rc;
	rc = cfg_parse(buf, len, &b->cfg, e); /* len > MAX is refused there */
	if (rc < 0) {
		/* still report the failure where the command line asks for it */
		b->cfg.has_exit_port = cfg_exit_port(buf, len, &b->cfg.exit_port) == 0;
		return rc;
	}
	for (i = 0; i < b->cfg.n_unknown && i < CFG_UNKNOWN_MAX; i++)
		log_warn("config: unknown key %s ignored", b->cfg.unknown[i]);
	if (b->cfg.n_unknown > CFG_UNKNOWN_MAX)
		log_warn("config: %u more unknown ccinit keys ignored",
			 b->cfg.n_unknown - CFG_UNKNOWN_MAX);
	if (b->cfg.has_exit_port)
		snprintf(port, sizeof(port), "0x%x", (unsigned)b->cfg.exit_port);
	if (b->cfg.tmpfs_size)
		snprintf(size, sizeof(size), "%llu", (unsigned long long)b->cfg.tmpfs_size);
	log_info("config: image=%s disk=%s exit=%s tmpfs_size=%s debug=%d", b->cfg.image,
		 b->cfg.disk, port, size, b->cfg.debug);
	return 0;
}

static int phase_modules(struct boot *b, struct err *e)
{
	const struct cfg *c = &b->cfg;
	bool attest = c->initdata[0] || c->kbs_url[0] || c->n_fetch || c->n_dkeys ||
		      c->tee != CFG_TEE_AUTO;
	struct mod_stats st;
	int rc;

	rc = mod_load_list(BOOT_MOD_DIR, BOOT_MOD_LIST, attest, c->debug, &st, e);
	if (rc < 0)
		return rc;
	if (st.skipped)
		log_info("modules: %u loaded, %u already present, %u without device, %u skipped "
			 "(no attestation)", st.loaded, st.present, st.nodev, st.skipped);
	else
		log_info("modules: %u loaded, %u already present, %u without device", st.loaded,
			 st.present, st.nodev);
	return sys_mount_configfs(e);
}

static int phase_image(struct boot *b, struct err *e)
{
	struct image_source *src = NULL;
	struct image_stats st;
	int root_fd = -1, stage_fd = -1, rc;
	char dev[8 + CFG_DISK_MAX];
	struct image_keys_ops keys = { keys_layer, &b->att.keys };

	memset(&st, 0, sizeof(st));
	snprintf(dev, sizeof(dev), "/dev/%s", b->cfg.disk);
	rc = sys_wait_blockdev(dev, BOOT_DISK_WAIT_MS, e);
	if (rc == 0)
		rc = sys_mount_rootfs(BOOT_FS, b->cfg.tmpfs_size, &root_fd, &stage_fd, e);
	if (rc == 0)
		rc = image_source_open_tar(dev, &src, e);
	if (rc == 0)
		rc = image_unpack(src, b->cfg.image, root_fd, stage_fd, &keys, &b->img, &st, e);
	image_source_free(src);
	if (stage_fd >= 0)
		close(stage_fd);
	if (root_fd >= 0)
		close(root_fd);
	if (rc < 0)
		return rc;
	log_info("image %s verified: %u layers, %.1f MiB (%.1f MiB unpacked, %llu entries; "
		 "verify %.3f s, layers %.3f s)", b->cfg.image, st.layers, st.blob_bytes / BOOT_MIB,
		 st.tar_bytes / BOOT_MIB, (unsigned long long)st.entries, st.verify_s, st.layers_s);
	return 0;
}

static void boot_timings(const struct boot *b, double t_exec)
{
	char att[160] = "";

	if (b->secs[PH_ATTEST] > 0)
		snprintf(att, sizeof(att), " initdata=%.3f network=%.3f attest=%.3f fetch=%.3f",
			 b->secs[PH_INITDATA], b->secs[PH_NETWORK], b->secs[PH_ATTEST],
			 b->secs[PH_FETCH]);
	log_info("timings: setup=%.3f config=%.3f modules=%.3f%s image=%.3f boot_to_exec=%.3f (s)",
		 b->secs[PH_SETUP], b->secs[PH_CONFIG], b->secs[PH_MODULES], att,
		 b->secs[PH_IMAGE], t_exec);
}

/* The attestation phases run only when the configuration asks for them. */
static bool boot_phase_active(const struct boot *b, enum boot_phase ph)
{
	const struct cfg *c = &b->cfg;

	switch (ph) {
	case PH_INITDATA:
		return c->initdata[0] || c->tee != CFG_TEE_AUTO || att_wants_kbs(&b->att, c);
	case PH_NETWORK: case PH_ATTEST:
		return att_wants_kbs(&b->att, c);
	case PH_FETCH:
		return c->n_fetch > 0 || c->n_dkeys > 0;
	default:
		return true;
	}
}

/* Create the container, print the timings, start it.  On an exec failure
 * *status is 126 or 127. */
static int phase_exec(struct boot *b, int *status, struct err *e)
{
	const struct image_process *p = image_process(b->img);
	char a0[128], user[64], cwd[128];
	struct ctr_spec spec;
	int rc;

	memset(&spec, 0, sizeof(spec));
	spec.id = "workload";
	spec.rootfs = BOOT_ROOTFS;
	spec.argv = p->argv;
	spec.env = p->env;
	spec.cwd = p->cwd;
	spec.user = p->user;
	if (p->argc == 0 || !p->argv || !p->argv[0])
		return err_set(e, -ERR_FORMAT, "image config: expected an Entrypoint or Cmd, "
			       "got neither");
	log_info("exec: %s (%zu args) as user \"%s\" in %s",
		 boot_show(a0, sizeof(a0), p->argv[0]), p->argc,
		 boot_show(user, sizeof(user), p->user && p->user[0] ? p->user : "0"),
		 boot_show(cwd, sizeof(cwd), p->cwd && p->cwd[0] ? p->cwd : "/"));
	rc = ctr_create(&spec, &b->ctr, e);
	image_free(b->img); /* the child has its own copy */
	b->img = NULL;
	if (rc < 0)
		return rc;
	boot_timings(b, log_uptime());
	rc = ctr_start(b->ctr, e);
	if (rc < 0 && !ctr_exited(b->ctr, status))
		*status = CTR_STATUS_SETUP;
	return rc;
}

static void boot_reap(struct boot *b)
{
	int ws;
	pid_t pid;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (!ctr_reap(b->ctr, pid, ws) && b->cfg.debug)
			log_info("supervise: reaped pid %d", (int)pid);
	}
}

/* Reap and forward signals until the workload has exited; *status is its
 * status then. */
static int phase_supervise(struct boot *b, int *status, struct err *e)
{
	struct signalfd_siginfo si;
	ssize_t n;

	for (;;) {
		boot_reap(b);
		if (ctr_exited(b->ctr, status))
			return 0;
		n = read(b->sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			return err_set(e, n < 0 ? -errno : -EIO, "read signalfd: %s",
				       n < 0 ? err_str(-errno) : "short read");
		if (si.ssi_signo == SIGCHLD)
			continue;
		if (ctr_signal(b->ctr, (int)si.ssi_signo, NULL) == 0 && b->cfg.debug)
			log_info("supervise: forwarded signal %u to the workload", si.ssi_signo);
	}
}

/* Run the phases; returns the status to report. */
static int boot_run(struct boot *b)
{
	struct err e = { 0, "" };
	enum boot_phase ph;
	int rc = 0, status = CTR_STATUS_SETUP;
	double t0;

	for (ph = PH_SETUP; ph < PH_N && rc == 0; ph++) {
		if (ph == PH_INITDATA && !boot_phase_active(b, ph))
			rc = att_initdata(&b->att, &b->cfg, &e);   /* picks the TEE, quietly */
		if (ph == PH_EXEC)
			att_free(&b->att);      /* the TEE key, the session and all keys go now */
		if (rc < 0)
			break;
		if (!boot_phase_active(b, ph))
			continue;
		log_info("phase %s", boot_phase_names[ph]);
		t0 = log_uptime();
		switch (ph) {
		case PH_SETUP: rc = sys_setup(&e); break;
		case PH_CONFIG: rc = phase_config(b, &e); break;
		case PH_MODULES: rc = phase_modules(b, &e); break;
		case PH_INITDATA: rc = att_initdata(&b->att, &b->cfg, &e); break;
		case PH_NETWORK: rc = att_network(&b->att, &b->cfg, &e); break;
		case PH_ATTEST: rc = att_attest(&b->att, &b->cfg, &e); break;
		case PH_FETCH: rc = att_fetch(&b->att, &b->cfg, &e); break;
		case PH_IMAGE: rc = phase_image(b, &e); break;
		case PH_EXEC: rc = phase_exec(b, &status, &e); break;
		default: rc = phase_supervise(b, &status, &e); break;
		}
		b->secs[ph] = log_uptime() - t0;
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		boot_error(ph, &e);
		return status;
	}
	log_info("workload exited with status %d", status);
	return status;
}

/* Report status and power off; never returns. */
static _Noreturn void boot_finish(struct boot *b, int status)
{
	struct err e = { 0, "" };

	att_free(&b->att);
	ctr_destroy(b->ctr);
	b->ctr = NULL;
	image_free(b->img);
	b->img = NULL;
	sync();
	if (b->cfg.has_exit_port &&
	    sys_exit_port(b->cfg.exit_port, (unsigned)status & 0xff, &e) < 0)
		log_warn("%s; powering off without a status", e.msg);
	sys_poweroff();
}

int main(void)
{
	static struct boot b;
	struct err e = { 0, "" };

	log_init("ccinit", 1);
	b.sfd = -1;
	if (getpid() != 1) {
		log_info("error: setup: expected to run as PID 1, got pid %d", (int)getpid());
		return CTR_STATUS_SETUP;
	}
	if (boot_signals(&b, &e) < 0) {
		boot_error(PH_SETUP, &e);
		boot_finish(&b, CTR_STATUS_SETUP);
	}
	boot_finish(&b, boot_run(&b));
}
