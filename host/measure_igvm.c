/* ccguest measure FILE.igvm: the launch measurement of an IGVM file as a
 * given loader produces it — the SEV-SNP MEASUREMENT under the kvm, mshv or
 * crate model (igvm/igvm_measure.h), or the TDX MRTD of its TDX pages.  The
 * I/O edge of igvm/igvm_measure.c: reads the file, prints one hex line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/hex.h"
#include "host/cli.h"
#include "host/igvmbuild.h"
#include "host/util.h"
#include "igvm/igvm.h"
#include "igvm/igvm_measure.h"
#include "igvm/vmsa.h"

static const char mi_usage[] =
	"usage: ccguest measure FILE.igvm --loader kvm|mshv|crate [--vcpus N]\n"
	"                       [--vcpu-type T | --vcpu-sig X] [--check-id-block]\n"
	"                       [--check-kvm] [--stats]\n"
	"       ccguest measure FILE.igvm --platform tdx [--stats]\n"
	"\n"
	"Print the launch measurement of an IGVM file as one lowercase hex line: the\n"
	"SEV-SNP MEASUREMENT the loader's SNP_LAUNCH_UPDATE sequence produces, or the\n"
	"TDX MRTD of its TDX pages (igvm crate convention).\n"
	"\n"
	"  --platform P       snp (default) or tdx\n"
	"  --loader L         kvm:   QEMU or Cloud Hypervisor on KVM (file order, zero\n"
	"                            pages as ZERO, one VMSA per vCPU at 0xFFFFFFFFF000\n"
	"                            after every page)\n"
	"                     mshv:  Cloud Hypervisor on MSHV/AKS (pages sorted by GPA,\n"
	"                            one unmeasured page per parameter area)\n"
	"                     crate: the igvm crate, igvmgen and igvmmeasure (file order,\n"
	"                            the ID block's expected digest)\n"
	"  --vcpus N          kvm: number of vCPUs (default 1)\n"
	"  --vcpu-type T      kvm, N > 1: QEMU CPU model of the APs (default EPYC-v4; EPYC-Milan,\n"
	"  --vcpu-sig X       EPYC-Genoa, ...) or its CPUID(1).EAX signature\n"
	"  --check-id-block   fail unless the digest equals the file's ID-block digest\n"
	"  --check-kvm        fail unless the file follows igvmmeasure --check-kvm rules\n"
	"  --stats            print the pages and bytes measured to stderr\n";

enum {
	O_PLATFORM = 256, O_LOADER, O_VCPUS, O_VTYPE, O_VSIG, O_CHECK_ID, O_CHECK_KVM, O_STATS,
	O_HELP,
};

struct miopts {
	const char *file, *platform, *loader, *vcpus, *vtype, *vsig;
	int check_id, check_kvm, stats;
};

static int mi_parse_opts(struct miopts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "loader", required_argument, NULL, O_LOADER },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "vcpu-type", required_argument, NULL, O_VTYPE },
		{ "vcpu-sig", required_argument, NULL, O_VSIG },
		{ "check-id-block", no_argument, NULL, O_CHECK_ID },
		{ "check-kvm", no_argument, NULL, O_CHECK_KVM },
		{ "stats", no_argument, NULL, O_STATS },
		{ "help", no_argument, NULL, O_HELP },
		{ 0, 0, 0, 0 },
	};
	int c;

	optind = 0;   /* full reset; options and FILE in any order */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PLATFORM: o->platform = optarg; break;
		case O_LOADER: o->loader = optarg; break;
		case O_VCPUS: o->vcpus = optarg; break;
		case O_VTYPE: o->vtype = optarg; break;
		case O_VSIG: o->vsig = optarg; break;
		case O_CHECK_ID: o->check_id = 1; break;
		case O_CHECK_KVM: o->check_kvm = 1; break;
		case O_STATS: o->stats = 1; break;
		case O_HELP: fputs(mi_usage, stdout); return CLI_OK;
		default: fputs(mi_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_error("measure: one IGVM file expected");
		fputs(mi_usage, stderr);
		return CLI_USAGE;
	}
	o->file = argv[optind];
	if (!o->platform)
		o->platform = "snp";
	if (strcmp(o->platform, "snp") != 0 && strcmp(o->platform, "tdx") != 0) {
		cli_error("measure: --platform snp or tdx");
		return CLI_USAGE;
	}
	if (strcmp(o->platform, "snp") == 0 && !o->loader) {
		cli_error("measure: --loader kvm, mshv or crate is required (each loader measures "
			  "an IGVM file differently)");
		return CLI_USAGE;
	}
	if (o->vtype && o->vsig) {
		cli_error("measure: --vcpu-type and --vcpu-sig exclude each other");
		return CLI_USAGE;
	}
	return -1;
}

static void print_hex(const uint8_t *p, size_t n)
{
	char h[2 * 64 + 1];

	hex_encode(p, n, h);
	puts(h);
}

static int mi_tdx(const struct igvm_file *f, const struct miopts *o, struct err *e)
{
	uint8_t mrtd[TDX_MRTD_LEN];
	uint64_t added = 0, extended = 0;
	int rc = igvm_measure_tdx(f, 0, mrtd, &added, &extended, e);

	if (rc < 0)
		return rc;
	print_hex(mrtd, sizeof(mrtd));
	if (o->stats)
		fprintf(stderr, "ccguest: %llu pages added, %llu extended\n",
			(unsigned long long)added, (unsigned long long)extended);
	return 0;
}

static int mi_snp(const struct igvm_file *f, const struct miopts *o, struct err *e)
{
	struct igvm_measure_opts mo = { 0 };
	struct snp_ld ld;
	uint8_t id_ld[SNP_LD_LEN];
	uint64_t v = 1;
	char h1[2 * SNP_LD_LEN + 1], h2[2 * SNP_LD_LEN + 1];
	int rc = igvm_measure_loader_parse(o->loader, &mo.loader, e);

	if (rc < 0)
		return rc;
	if (o->vcpus && (!util_parse_num(o->vcpus, IGVM_MEASURE_MAX_VCPUS, &v) || v == 0))
		return err_set(e, -EINVAL, "--vcpus %s: 1..%u expected", o->vcpus,
			       IGVM_MEASURE_MAX_VCPUS);
	mo.vcpus = (uint32_t)v;
	if (o->vsig) {
		if (!util_parse_num(o->vsig, UINT32_MAX, &v))
			return err_set(e, -EINVAL, "--vcpu-sig %s: a 32-bit number expected", o->vsig);
		mo.vcpu_sig = (uint32_t)v;
	} else if (o->vtype) {
		rc = vmsa_cpu_sig(o->vtype, &mo.vcpu_sig, e);
		if (rc < 0)
			return rc;
	} else if (mo.loader == IGVM_LOADER_KVM && mo.vcpus > 1) {
		/* KVM measures AP VMSAs whose RDX is the CPU signature: default to
		 * the model Kata's SNP configuration gives QEMU, and say so. */
		rc = vmsa_cpu_sig("EPYC-v4", &mo.vcpu_sig, e);
		if (rc < 0)
			return rc;
		cli_note("measure: APs measured as EPYC-v4 (Kata's SNP CPU model); "
			 "--vcpu-type or --vcpu-sig for another");
	}
	if (mo.loader != IGVM_LOADER_KVM && mo.vcpus > 1)
		cli_note("measure: the vCPU count does not change the %s digest",
			 igvm_measure_loader_name(mo.loader));
	if (mo.loader == IGVM_LOADER_MSHV) {
		rc = igvm_measure_snp_mask(f, 0, &mo.mask, e);
		if (rc < 0)
			return rc;
		mo.n_scratch = igvm_measure_slots(f, mo.mask);
		mo.scratch = calloc(mo.n_scratch ? mo.n_scratch : 1, sizeof(*mo.scratch));
		if (!mo.scratch)
			return err_set(e, -ENOMEM, "out of memory");
	}
	rc = igvm_measure_snp(f, &mo, &ld, e);
	free(mo.scratch);
	if (rc < 0)
		return rc;
	print_hex(ld.ld, sizeof(ld.ld));
	if (o->stats)
		fprintf(stderr, "ccguest: %llu pages, %llu bytes measured (loader %s)\n",
			(unsigned long long)ld.pages, (unsigned long long)ld.measured_bytes,
			igvm_measure_loader_name(mo.loader));
	if (o->check_kvm) {
		rc = igvm_measure_check_kvm(f, 0, e);
		if (rc < 0)
			return rc;
	}
	if (o->check_id) {
		rc = igvm_measure_id_block_ld(f, 0, id_ld, e);
		if (rc < 0)
			return rc;
		if (memcmp(id_ld, ld.ld, SNP_LD_LEN) != 0) {
			hex_encode(id_ld, SNP_LD_LEN, h1);
			hex_encode(ld.ld, SNP_LD_LEN, h2);
			return err_set(e, -ERR_DIGEST, "ID block digest mismatch: the file expects %s, "
				       "the %s loader gives %s", h1,
				       igvm_measure_loader_name(mo.loader), h2);
		}
	}
	return 0;
}

int measure_igvm_cmd(int argc, char **argv)
{
	struct miopts o = { 0 };
	struct igvm_file f;
	struct err e = { 0 };
	struct util_map m = { 0 };
	int rc = mi_parse_opts(&o, argc, argv);

	if (rc >= 0)
		return rc;
	/* The whole file, mapped; an IGVM is under 4 GiB (its size field is a u32). */
	rc = util_map(o.file, UINT32_MAX, &m, &e);
	if (rc == 0)
		rc = igvmbuild_open_checked(&f, m.p, m.len, &e);
	if (rc == 0)
		rc = strcmp(o.platform, "tdx") == 0 ? mi_tdx(&f, &o, &e) : mi_snp(&f, &o, &e);
	util_unmap(&m);
	if (rc < 0) {
		cli_error("measure %s: %s", o.file, e.msg[0] ? e.msg : err_str(rc));
		return CLI_FAIL;
	}
	return CLI_OK;
}
