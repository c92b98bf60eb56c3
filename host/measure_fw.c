/* ccguest measure: the launch measurement of a firmware image, as the
 * attestation report will carry it — the SEV-SNP MEASUREMENT (or SEV-ES
 * digest) of OVMF booted with -bios, like virtee/sev-snp-measure, or the
 * TDX MRTD of a TDVF image.  The I/O edge of igvm/ovmf.c and igvm/tdvf.c:
 * reads the files, hashes kernel/initrd/cmdline, prints one hex line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "crypto/hex.h"
#include "crypto/sha256.h"
#include "host/cli.h"
#include "host/util.h"
#include "igvm/ovmf.h"
#include "igvm/tdvf.h"

#define FW_MAX (64u << 20)   /* firmware and SVSM images (OVMF is 2-4 MiB) */

static const char mf_usage[] =
	"usage: ccguest measure --ovmf FW --vcpus N [VCPU] [--vmm qemu|ec2|gce]\n"
	"                       [--guest-features X] [--mode snp|seves]\n"
	"                       [--kernel K [--initrd I] [--cmdline C] | --no-kernel-hashes\n"
	"                        | --svsm FILE --vars-size N] [--ovmf-hash HEX] [--stats]\n"
	"       ccguest measure --platform tdx --tdvf FW [--two-pass] [--stats]\n"
	"\n"
	"Print the launch measurement of a firmware image as one lowercase hex line:\n"
	"the SEV-SNP MEASUREMENT (SHA-384; --mode seves: the SEV-ES digest, SHA-256)\n"
	"of OVMF started by QEMU with -bios, computed as virtee/sev-snp-measure does,\n"
	"or the TDX MRTD of a TDVF image loaded by QEMU/KVM.\n"
	"\n"
	"  --ovmf FW            the OVMF image (OVMF.fd, AmdSev build for kernel hashes)\n"
	"  --kernel K           the -kernel image: the firmware's SEV hashes table is\n"
	"  --initrd I           measured with SHA-256 of K, I (empty if absent) and\n"
	"  --cmdline C          the command line with its NUL (--append is an alias)\n"
	"  --no-kernel-hashes   no -kernel (the default without --kernel): the hashes-\n"
	"                       table page, if any, is measured as ZERO pages\n"
	"  --vcpus N            number of vCPUs (one VMSA each)\n"
	"  VCPU, for --vmm qemu (the AP VMSAs carry CPUID(1).EAX):\n"
	"    --vcpu-type T      QEMU model: EPYC, EPYC-v1..v4, EPYC-Rome[-v1..v4],\n"
	"                       EPYC-Milan[-v1,-v2], EPYC-Genoa[-v1], EPYC-Turin\n"
	"    --vcpu-sig X       the signature itself\n"
	"    --vcpu-family F --vcpu-model M --vcpu-stepping S\n"
	"  --vmm V              qemu (default), ec2 or gce\n"
	"  --guest-features X   VMSA SEV_FEATURES (default 0x1: SNP only)\n"
	"  --ovmf-hash HEX      precomputed LD of the OVMF pages (snp)\n"
	"  --svsm FILE          COCONUT-SVSM image loaded below OVMF (snp:svsm mode,\n"
	"  --vars-size N        QEMU only) with N bytes of OVMF_VARS between them\n"
	"  --mode M             snp (default) or seves\n"
	"  --platform P         snp (default) or tdx\n"
	"  --tdvf FW            the TDVF image (tdx)\n"
	"  --two-pass           tdx: all PAGE.ADDs of a section before its EXTENDs\n"
	"                       (older TDX stacks; default: page by page, as KVM)\n"
	"  --stats              print the pages and bytes measured to stderr\n";

enum {
	O_OVMF = 256, O_KERNEL, O_INITRD, O_CMDLINE, O_NOKH, O_VCPUS, O_VTYPE, O_VSIG, O_VFAM,
	O_VMODEL, O_VSTEP, O_FEAT, O_VMM, O_OHASH, O_SVSM, O_VARS, O_MODE, O_PLATFORM, O_TDVF,
	O_TWOPASS, O_STATS, O_HELP,
};

struct mfopts {
	const char *ovmf, *kernel, *initrd, *cmdline, *vtype, *vsig, *vfam, *vmodel, *vstep;
	const char *feat, *vmm, *ohash, *svsm, *vars, *vcpus, *mode, *platform, *tdvf;
	int no_kh, two_pass, stats;
};

static int mf_parse_opts(struct mfopts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ovmf", required_argument, NULL, O_OVMF },
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "initrd", required_argument, NULL, O_INITRD },
		{ "cmdline", required_argument, NULL, O_CMDLINE },
		{ "append", required_argument, NULL, O_CMDLINE },
		{ "no-kernel-hashes", no_argument, NULL, O_NOKH },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "vcpu-type", required_argument, NULL, O_VTYPE },
		{ "vcpu-sig", required_argument, NULL, O_VSIG },
		{ "vcpu-family", required_argument, NULL, O_VFAM },
		{ "vcpu-model", required_argument, NULL, O_VMODEL },
		{ "vcpu-stepping", required_argument, NULL, O_VSTEP },
		{ "guest-features", required_argument, NULL, O_FEAT },
		{ "vmm", required_argument, NULL, O_VMM },
		{ "vmm-type", required_argument, NULL, O_VMM },
		{ "ovmf-hash", required_argument, NULL, O_OHASH },
		{ "snp-ovmf-hash", required_argument, NULL, O_OHASH },
		{ "svsm", required_argument, NULL, O_SVSM },
		{ "vars-size", required_argument, NULL, O_VARS },
		{ "mode", required_argument, NULL, O_MODE },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "tdvf", required_argument, NULL, O_TDVF },
		{ "two-pass", no_argument, NULL, O_TWOPASS },
		{ "stats", no_argument, NULL, O_STATS },
		{ "help", no_argument, NULL, O_HELP },
		{ 0, 0, 0, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case O_OVMF: o->ovmf = optarg; break;
		case O_KERNEL: o->kernel = optarg; break;
		case O_INITRD: o->initrd = optarg; break;
		case O_CMDLINE: o->cmdline = optarg; break;
		case O_NOKH: o->no_kh = 1; break;
		case O_VCPUS: o->vcpus = optarg; break;
		case O_VTYPE: o->vtype = optarg; break;
		case O_VSIG: o->vsig = optarg; break;
		case O_VFAM: o->vfam = optarg; break;
		case O_VMODEL: o->vmodel = optarg; break;
		case O_VSTEP: o->vstep = optarg; break;
		case O_FEAT: o->feat = optarg; break;
		case O_VMM: o->vmm = optarg; break;
		case O_OHASH: o->ohash = optarg; break;
		case O_SVSM: o->svsm = optarg; break;
		case O_VARS: o->vars = optarg; break;
		case O_MODE: o->mode = optarg; break;
		case O_PLATFORM: o->platform = optarg; break;
		case O_TDVF: o->tdvf = optarg; break;
		case O_TWOPASS: o->two_pass = 1; break;
		case O_STATS: o->stats = 1; break;
		case O_HELP: fputs(mf_usage, stdout); return CLI_OK;
		default: fputs(mf_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		cli_error("measure: unexpected argument '%s'", argv[optind]);
		return CLI_USAGE;
	}
	return -1;
}

static int usage_error(const char *msg)
{
	cli_error("measure: %s", msg);
	fputs("Run `ccguest measure --help` for the options.\n", stderr);
	return CLI_USAGE;
}

/* SHA-256 of a file, streamed. */
static int sha256_file(const char *path, uint8_t out[32], struct err *e)
{
	static uint8_t buf[1 << 16];
	struct sha256 h;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	sha256_init(&h);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sha256_update(&h, buf, (size_t)n);
	}
	if (n < 0) {
		int rc = err_set(e, -errno, "%s: %s", path, strerror(errno));

		close(fd);
		return rc;
	}
	close(fd);
	sha256_final(&h, out);
	return 0;
}

static void print_hex(const uint8_t *p, size_t n)
{
	char h[2 * 64 + 1];

	hex_encode(p, n, h);
	puts(h);
}

static int mf_tdx(const struct mfopts *o)
{
	struct err e = { 0 };
	struct tdvf_counts n = { 0 };
	uint8_t mrtd[TDX_MRTD_LEN];
	char *img = NULL;
	size_t len = 0;
	int rc;

	if (!o->tdvf)
		return usage_error("--platform tdx needs --tdvf FW");
	if (o->ovmf || o->kernel || o->initrd || o->cmdline || o->no_kh || o->vcpus || o->vtype ||
	    o->vsig || o->vfam || o->vmodel || o->vstep || o->feat || o->vmm || o->ohash ||
	    o->svsm || o->vars || o->mode)
		return usage_error("--platform tdx takes only --tdvf, --two-pass and --stats");
	rc = util_read_file(AT_FDCWD, o->tdvf, FW_MAX, &img, &len, &e);
	if (rc == 0) {
		rc = tdvf_measure((const uint8_t *)img, len, o->two_pass ? TDVF_TWO_PASS : TDVF_ONE_PASS,
				  mrtd, &n, &e);
		if (rc < 0)
			rc = err_wrap(&e, rc, "%s", o->tdvf);
	}
	free(img);
	if (rc < 0) {
		cli_error("measure: %s", e.msg[0] ? e.msg : err_str(rc));
		return CLI_FAIL;
	}
	print_hex(mrtd, sizeof(mrtd));
	if (o->stats)
		cli_note("measure: %llu pages added, %llu pages (%llu bytes) extended",
			 (unsigned long long)n.pages_added, (unsigned long long)n.pages_extended,
			 (unsigned long long)n.pages_extended * 4096);
	return CLI_OK;
}

/* The SEV parameters from the options (files are read by the caller). */
static int mf_sev_params(const struct mfopts *o, struct ovmf_params *p, uint8_t *seed,
			 bool *seves)
{
	struct err e = { 0 };
	uint64_t v, f, m, s;

	*seves = false;
	if (o->mode && strcmp(o->mode, "seves") == 0)
		*seves = true;
	else if (o->mode && strcmp(o->mode, "snp") != 0)
		return usage_error("--mode must be snp or seves");
	if (o->tdvf || o->two_pass)
		return usage_error("--tdvf and --two-pass need --platform tdx");
	if (!o->ovmf)
		return usage_error("--ovmf FW is required");
	if (!o->vcpus || !util_parse_num(o->vcpus, OVMF_VCPUS_MAX, &v) || v == 0)
		return usage_error("--vcpus N (1..4096) is required");
	p->vcpus = (unsigned)v;
	p->vmm = VMSA_VMM_QEMU;
	if (o->vmm && strcasecmp(o->vmm, "ec2") == 0)
		p->vmm = VMSA_VMM_EC2;
	else if (o->vmm && strcasecmp(o->vmm, "gce") == 0)
		p->vmm = VMSA_VMM_GCE;
	else if (o->vmm && strcasecmp(o->vmm, "qemu") != 0)
		return usage_error("--vmm must be qemu, ec2 or gce");
	p->guest_features = 0x1;
	if (o->feat && !util_parse_num(o->feat, UINT64_MAX, &p->guest_features))
		return usage_error("--guest-features: not a number");

	if (!!o->vtype + !!o->vsig + !!(o->vfam || o->vmodel || o->vstep) > 1)
		return usage_error("give one of --vcpu-type, --vcpu-sig, --vcpu-family/model/stepping");
	if (o->vtype) {
		if (vmsa_cpu_sig(o->vtype, &p->vcpu_sig, &e) < 0)
			return usage_error(e.msg);
	} else if (o->vsig) {
		if (!util_parse_num(o->vsig, UINT32_MAX, &v))
			return usage_error("--vcpu-sig: not a 32-bit number");
		p->vcpu_sig = (uint32_t)v;
	} else if (o->vfam || o->vmodel || o->vstep) {
		if (!o->vfam || !o->vmodel || !o->vstep || !util_parse_num(o->vfam, 0x10E, &f) ||
		    !util_parse_num(o->vmodel, 0xFF, &m) || !util_parse_num(o->vstep, 0xF, &s))
			return usage_error("--vcpu-family (<= 270), --vcpu-model (<= 255) and "
					   "--vcpu-stepping (<= 15) go together");
		p->vcpu_sig = vmsa_sig_from_fms((unsigned)f, (unsigned)m, (unsigned)s);
	} else if (p->vmm == VMSA_VMM_QEMU) {
		return usage_error("--vmm qemu needs --vcpu-type, --vcpu-sig or --vcpu-family");
	}

	if ((o->initrd || o->cmdline) && !o->kernel)
		return usage_error("--initrd and --cmdline need --kernel");
	if (o->svsm) {
		if (*seves)
			return usage_error("--svsm is an SNP mode");
		if (o->kernel || o->no_kh || o->ohash)
			return usage_error("--svsm takes no kernel hashes or --ovmf-hash");
		if (!o->vars || !util_parse_num(o->vars, UINT32_MAX, &p->vars_size))
			return usage_error("--svsm needs --vars-size N (bytes of OVMF_VARS)");
	} else {
		if (o->vars)
			return usage_error("--vars-size goes with --svsm");
		if (o->kernel && o->no_kh)
			return usage_error("--kernel and --no-kernel-hashes exclude each other");
	}
	if (o->ohash) {
		if (*seves)
			return usage_error("--ovmf-hash is for --mode snp");
		if (hex_decode(o->ohash, strlen(o->ohash), seed, SNP_LD_LEN) < 0)
			return usage_error("--ovmf-hash: 96 hex digits expected");
		p->ovmf_hash = seed;
	}
	return -1;
}

static int mf_hashes(const struct mfopts *o, struct ovmf_kernel_hashes *h, struct err *e)
{
	const char *cl = o->cmdline ? o->cmdline : "";
	int rc;

	rc = sha256_file(o->kernel, h->kernel, e);
	if (rc == 0 && o->initrd)
		rc = sha256_file(o->initrd, h->initrd, e);
	if (rc == 0 && !o->initrd)
		sha256(NULL, 0, h->initrd);
	if (rc == 0)
		sha256(cl, strlen(cl) + 1, h->cmdline); /* with its NUL, as QEMU */
	return rc;
}

static int mf_sev(const struct mfopts *o)
{
	struct ovmf_params p;
	struct ovmf_kernel_hashes kh;
	struct snp_ld ld;
	struct err e = { 0 };
	uint8_t seed[SNP_LD_LEN], d256[32];
	char *img = NULL, *svsm = NULL;
	size_t len = 0, slen = 0;
	bool seves;
	int rc;

	memset(&p, 0, sizeof(p));
	rc = mf_sev_params(o, &p, seed, &seves);
	if (rc >= 0)
		return rc;
	rc = util_read_file(AT_FDCWD, o->ovmf, FW_MAX, &img, &len, &e);
	if (rc == 0 && o->svsm) {
		rc = util_read_file(AT_FDCWD, o->svsm, FW_MAX, &svsm, &slen, &e);
		p.svsm = (const uint8_t *)svsm;
		p.svsm_len = slen;
	}
	if (rc == 0 && o->kernel) {
		rc = mf_hashes(o, &kh, &e);
		p.hashes = &kh;
	}
	if (rc == 0) {
		/* file errors name their file; measurement errors get the image's name */
		if (seves)
			rc = ovmf_seves_digest((const uint8_t *)img, len, &p, d256, &e);
		else
			rc = ovmf_snp_digest((const uint8_t *)img, len, &p, &ld, &e);
		if (rc < 0)
			rc = err_wrap(&e, rc, "%s%s%s", o->ovmf, o->svsm ? " + " : "",
				      o->svsm ? o->svsm : "");
	}
	free(img);
	free(svsm);
	if (rc < 0) {
		cli_error("measure: %s", e.msg[0] ? e.msg : err_str(rc));
		return CLI_FAIL;
	}
	if (seves) {
		print_hex(d256, sizeof(d256));
		return CLI_OK;
	}
	print_hex(ld.ld, sizeof(ld.ld));
	if (o->stats)
		cli_note("measure: %llu PAGE_INFO records, %llu bytes hashed by the PSP",
			 (unsigned long long)ld.pages, (unsigned long long)ld.measured_bytes);
	return CLI_OK;
}

int measure_fw_cmd(int argc, char **argv)
{
	struct mfopts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = mf_parse_opts(&o, argc, argv);
	if (rc >= 0)
		return rc;
	if (o.platform && strcmp(o.platform, "tdx") == 0)
		return mf_tdx(&o);
	if (o.platform && strcmp(o.platform, "snp") != 0)
		return usage_error("--platform must be snp or tdx");
	return mf_sev(&o);
}
