/* igvm_cmd: `ccguest igvm build|inspect`.  build lays a Linux direct boot
 * out (igvm/layout.h) with the boot stub compiled into ccguest, writes the
 * IGVM file and, for SEV-SNP, signs an ID block over the launch digest the
 * target loader will measure. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/stub_blob.h"
#include "crypto/hex.h"
#include "host/cli.h"
#include "host/igvmbuild.h"
#include "host/util.h"
#include "igvm/idblock.h"
#include "igvm/igvm_measure.h"
#include "igvm/vmsa.h"

static const char build_usage[] =
	"usage: ccguest igvm build --platform snp|native [--loader kvm|mshv]\n"
	"         --kernel BZIMAGE [--initrd FILE] --cmdline STR -o FILE [options]\n"
	"\n"
	"Lay a Linux direct boot out as an IGVM file: the boot stub, boot_params,\n"
	"the command line, the kernel at its preferred address, the initrd and, for\n"
	"SEV-SNP, the CPUID and secrets pages and the VMSA (docs/igvm.md).\n"
	"\n"
	"  --platform snp|native  SEV-SNP, or the native platform (reset vector;\n"
	"                         `ccguest run --igvm` boots it on QEMU)\n"
	"  --loader kvm|mshv      snp: where the VMSA goes (default kvm: QEMU and\n"
	"                         Cloud Hypervisor on KVM; mshv: Cloud Hypervisor on\n"
	"                         the Microsoft hypervisor, Kata on AKS)\n"
	"  --vcpus N              snp/kvm: the vCPU count the ID block's digest is for\n"
	"                         (KVM measures one VMSA per vCPU; default 1)\n"
	"  --vcpu-type T          snp/kvm: the QEMU CPU model of the APs (default EPYC-v4)\n"
	"  --memory SIZE          the least guest memory (REQUIRED_MEMORY), e.g. 512M\n"
	"  --policy HEX           SNP guest policy (default 0x30000)\n"
	"  --id-key PEM           sign the ID block with this P-384 key (default: a key\n"
	"                         derived from the digest, which pins it and\n"
	"                         authenticates nobody)\n"
	"  --family-id HEX, --image-id HEX   16 bytes each for the ID block\n"
	"  --svn N                the ID block's guest SVN (default 0)\n"
	"  --no-id-block          leave the ID block out\n"
	"  --measure-payload      measure every kernel and initrd page (as igvmgen does)\n"
	"                         instead of importing them unmeasured with their SHA-256\n"
	"                         in the measured stub config, checked by the stub before\n"
	"                         it jumps (the default: the PSP hashes ~60 KiB, not MBs)\n";

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g': mul = 1ull << 30; end++; break;
	case 'M': case 'm': mul = 1ull << 20; end++; break;
	case 'K': case 'k': mul = 1ull << 10; end++; break;
	case '\0': mul = 1ull << 20; break;   /* MiB, as --memory elsewhere */
	default: return -EINVAL;
	}
	if (*end || v == 0 || v > (1ull << 40) / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int parse_hex16(const char *s, uint8_t out[16])
{
	size_t n = strlen(s);

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, n -= 2;
	return n == 32 && hex_decode(s, n, out, 16) == 0 ? 0 : -EINVAL;
}

int igvmbuild_run(const struct igvmbuild_opts *o, struct igvmbuild_result *res, struct err *e)
{
	struct util_map kernel = { 0 }, initrd = { 0 }, key = { 0 };
	struct layout_pages *pg = NULL;
	struct igvm_dir *dirs = NULL;
	uint8_t *file = NULL, idblk[IDBLOCK_LEN];
	struct layout_in in = { 0 };
	size_t cap, len = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = util_map(o->kernel, 1u << 30, &kernel, e);
	if (rc == 0 && o->initrd)
		rc = util_map(o->initrd, 1u << 31, &initrd, e);
	if (rc == 0 && o->id_key)
		rc = util_map(o->id_key, 1u << 16, &key, e);
	if (rc < 0)
		goto out;
	in.platform = o->platform;
	in.loader = o->loader;
	in.kernel = kernel.p;
	in.kernel_len = kernel.len;
	in.initrd = initrd.p;
	in.initrd_len = initrd.len;
	in.cmdline = o->cmdline;
	in.stub_image = stub_image;
	in.stub_image_len = stub_image_len;
	in.stub_entry64 = stub_entry64_gpa;
	in.stub_reset = stub_reset;
	in.policy = o->policy;
	in.memory_bytes = o->memory;
	in.measure_payload = o->measure_payload;
	cap = layout_max_dirs(&in) + 1;
	pg = calloc(1, sizeof(*pg));
	dirs = calloc(cap, sizeof(*dirs));
	if (!pg || !dirs) {
		rc = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	rc = layout_build(&in, pg, dirs, cap - 1, &res->layout, e);
	if (rc < 0)
		goto out;
	for (int pass = 0; pass < 2; pass++) {
		struct igvm_image im = {
			.platform_type = o->platform == LAYOUT_SNP ? IGVM_PLATFORM_SEV_SNP
								   : IGVM_PLATFORM_NATIVE,
			.mask = 1, .dirs = dirs, .n_dirs = res->layout.n_dirs,
		};

		free(file);
		file = NULL;
		rc = igvm_write(&im, NULL, 0, &len, e);
		if (rc == 0 && !(file = malloc(len)))
			rc = err_set(e, -ENOMEM, "out of memory");
		if (rc == 0)
			rc = igvm_write(&im, file, len, &len, e);
		if (rc < 0)
			goto out;
		if (o->platform != LAYOUT_SNP || pass == 1)
			break;
		/* The digest the target loader measures (KVM: for o->vcpus). */
		rc = igvmbuild_measure(file, len, o->loader == LAYOUT_LOADER_MSHV ? IGVM_LOADER_MSHV
						  : IGVM_LOADER_KVM, o->vcpus, o->vcpu_sig,
				       &res->ld, e);
		if (rc < 0)
			goto out;
		res->measured = true;
		if (o->no_id_block)
			break;
		{
			struct idblock_in ib = { .guest_svn = o->svn, .mask = 1,
						 .policy = o->policy ? o->policy : LAYOUT_SNP_POLICY,
						 .key_pem = key.p, .key_len = key.len };

			memcpy(ib.ld, res->ld.ld, sizeof(ib.ld));
			memcpy(ib.family_id, o->family_id, 16);
			memcpy(ib.image_id, o->image_id, 16);
			rc = idblock_build(&ib, idblk, e);
			if (rc < 0)
				goto out;
		}
		dirs[res->layout.n_dirs++] = (struct igvm_dir){ .type = IGVM_VHT_SNP_ID_BLOCK,
								.mask = 1, .data = idblk };
		res->id_block = true;
	}
	rc = util_write_file_atomic(o->out, file, len, e);
	res->file_len = len;
out:
	free(file);
	free(dirs);
	free(pg);
	util_unmap(&key);
	util_unmap(&initrd);
	util_unmap(&kernel);
	return rc;
}

int igvmbuild_measure(const uint8_t *file, size_t len, enum igvm_loader loader, unsigned vcpus,
		      uint32_t vcpu_sig, struct snp_ld *ld, struct err *e)
{
	struct igvm_measure_opts mo = { .loader = loader, .vcpus = vcpus, .vcpu_sig = vcpu_sig };
	struct igvm_file f;
	int rc = igvm_open(&f, file, len, e);

	if (rc < 0)
		return rc;
	rc = igvm_measure_snp_mask(&f, 0, &mo.mask, e);
	if (rc < 0)
		return rc;
	if (loader == IGVM_LOADER_MSHV) {
		mo.n_scratch = igvm_measure_slots(&f, mo.mask);
		mo.scratch = calloc(mo.n_scratch ? mo.n_scratch : 1, sizeof(*mo.scratch));
		if (!mo.scratch)
			return err_set(e, -ENOMEM, "out of memory");
	}
	rc = igvm_measure_snp(&f, &mo, ld, e);
	free(mo.scratch);
	return rc;
}

int igvmbuild_open_checked(struct igvm_file *f, const uint8_t *buf, size_t len, struct err *e)
{
	uint64_t *scratch;
	size_t n;
	int rc = igvm_open(f, buf, len, e);

	if (rc < 0)
		return rc;
	n = igvm_page_count(f);
	scratch = malloc((n ? n : 1) * sizeof(*scratch));
	if (!scratch)
		return err_set(e, -ENOMEM, "out of memory");
	rc = igvm_check_overlap(f, scratch, n, e);
	free(scratch);
	return rc;
}

int igvmbuild_measure_file(const char *path, enum igvm_loader loader, unsigned vcpus,
			   uint32_t vcpu_sig, struct snp_ld *ld, struct err *e)
{
	struct util_map m;
	int rc = util_map(path, UINT32_MAX, &m, e);

	if (rc < 0)
		return rc;
	rc = igvmbuild_measure(m.p, m.len, loader, vcpus, vcpu_sig, ld, e);
	util_unmap(&m);
	return rc < 0 ? err_wrap(e, rc, "%s", path) : 0;
}

static int build_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "loader", required_argument, NULL, 'l' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "vcpu-type", required_argument, NULL, 'T' },
		{ "memory", required_argument, NULL, 'm' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "policy", required_argument, NULL, 'P' },
		{ "id-key", required_argument, NULL, 'K' },
		{ "family-id", required_argument, NULL, 'F' },
		{ "image-id", required_argument, NULL, 'I' },
		{ "svn", required_argument, NULL, 'S' },
		{ "no-id-block", no_argument, NULL, 'N' },
		{ "measure-payload", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct igvmbuild_opts o = { .platform = -1, .loader = LAYOUT_LOADER_KVM, .vcpus = 1 };
	struct igvmbuild_result res;
	const char *vcpu_type = "EPYC-v4", *platform = NULL, *loader = NULL;
	struct err e = { 0 };
	uint64_t v;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': platform = optarg; break;
		case 'l': loader = optarg; break;
		case 'T': vcpu_type = optarg; break;
		case 'k': o.kernel = optarg; break;
		case 'i': o.initrd = optarg; break;
		case 'C': o.cmdline = optarg; break;
		case 'o': o.out = optarg; break;
		case 'K': o.id_key = optarg; break;
		case 'N': o.no_id_block = true; break;
		case 'M': o.measure_payload = true; break;
		case 'c':
			if (!util_parse_u64(optarg, 512, &v) || v == 0)
				goto bad;
			o.vcpus = (unsigned)v;
			break;
		case 'S':
			if (!util_parse_u64(optarg, UINT32_MAX, &v))
				goto bad;
			o.svn = (uint32_t)v;
			break;
		case 'm':
			if (parse_size(optarg, &o.memory) < 0)
				goto bad;
			break;
		case 'P':
			errno = 0;
			o.policy = strtoull(optarg, NULL, 16);
			if (errno || o.policy == 0)
				goto bad;
			break;
		case 'F':
			if (parse_hex16(optarg, o.family_id) < 0)
				goto bad;
			break;
		case 'I':
			if (parse_hex16(optarg, o.image_id) < 0)
				goto bad;
			break;
		case 'h':
			fputs(build_usage, stdout);
			return CLI_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc || !platform || !o.kernel || !o.cmdline || !o.out) {
		cli_error("igvm build: --platform, --kernel, --cmdline and -o are required");
		goto usage;
	}
	if (!strcmp(platform, "snp"))
		o.platform = LAYOUT_SNP;
	else if (!strcmp(platform, "native"))
		o.platform = LAYOUT_NATIVE;
	else {
		cli_error("igvm build: --platform must be snp or native (TDX guests boot a TDVF "
			  "firmware: see ccguest measure --platform tdx)");
		goto usage;
	}
	if (loader && o.platform != LAYOUT_SNP) {
		cli_error("igvm build: --loader applies to --platform snp");
		goto usage;
	}
	if (loader && !strcmp(loader, "mshv"))
		o.loader = LAYOUT_LOADER_MSHV;
	else if (loader && strcmp(loader, "kvm")) {
		cli_error("igvm build: --loader must be kvm or mshv");
		goto usage;
	}
	if (vmsa_cpu_sig(vcpu_type, &o.vcpu_sig, &e) < 0) {
		cli_error("igvm build: %s", e.msg);
		return CLI_USAGE;
	}
	rc = igvmbuild_run(&o, &res, &e);
	if (rc < 0) {
		cli_error("igvm build: %s", e.msg[0] ? e.msg : err_str(rc));
		return CLI_FAIL;
	}
	cli_note("wrote %s: %zu bytes, %s, %llu measured pages (%llu payload pages verified by the "
		 "stub), kernel at 0x%llx, initrd at 0x%llx, needs %llu MiB", o.out, res.file_len,
		 o.platform == LAYOUT_SNP ? (o.loader == LAYOUT_LOADER_MSHV ? "SEV-SNP/mshv" :
					     "SEV-SNP/kvm") : "native",
		 (unsigned long long)res.layout.measured_pages,
		 (unsigned long long)res.layout.unmeasured_pages,
		 (unsigned long long)res.layout.kernel_gpa,
		 (unsigned long long)res.layout.initrd_gpa,
		 (unsigned long long)(res.layout.ram_end >> 20));
	if (res.measured) {
		char hex[2 * SNP_LD_LEN + 1];

		hex_encode(res.ld.ld, SNP_LD_LEN, hex);
		if (o.loader == LAYOUT_LOADER_MSHV)
			cli_note("launch digest (mshv): %s%s", hex,
				 res.id_block ? " (signed into the ID block)" : "");
		else
			cli_note("launch digest (kvm, %u vCPU%s): %s%s", o.vcpus, o.vcpus == 1 ? "" : "s",
				 hex, res.id_block ? " (signed into the ID block)" : "");
	}
	return CLI_OK;
bad:
	cli_error("igvm build: bad value \"%s\" for an option", optarg);
usage:
	fputs(build_usage, stderr);
	return CLI_USAGE;
}

int cmd_igvm(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return build_cmd(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "inspect"))
		return igvm_inspect_cmd(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: ccguest igvm build|inspect [OPTIONS]  (--help after either)");
		return CLI_OK;
	}
	cli_error("igvm: expected build or inspect");
	return CLI_USAGE;
}
