/* kata_config: `ccguest kata-config --igvm FILE`, the Kata runtime
 * configuration that boots our IGVM guest on Cloud Hypervisor with SEV-SNP
 * (the AKS fork's configuration-clh-snp.toml shape, kata-agent.md §4.3),
 * with the launch measurement the attestation service should expect. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hex.h"
#include "host/cli.h"
#include "host/igvmbuild.h"
#include "host/util.h"
#include "igvm/vmsa.h"

static const char kc_usage[] =
	"usage: ccguest kata-config --igvm FILE [--loader mshv|kvm] [--vcpus N] [--memory MIB]\n"
	"         [--clh PATH] [--vcpu-type T]\n"
	"\n"
	"Print the [hypervisor.clh] section (and the runtime keys a confidential\n"
	"guest needs) of a Kata configuration.toml that boots FILE, an SEV-SNP IGVM\n"
	"from `ccguest igvm build`, on Cloud Hypervisor (default loader mshv: Kata\n"
	"on AKS), with the launch measurement it will report as a comment.\n";

int cmd_kata_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "igvm", required_argument, NULL, 'i' },
		{ "loader", required_argument, NULL, 'l' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "clh", required_argument, NULL, 'p' },
		{ "vcpu-type", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *igvm = NULL, *clh = "/usr/bin/cloud-hypervisor", *vcpu_type = "EPYC-v4";
	enum igvm_loader loader = IGVM_LOADER_MSHV;
	unsigned vcpus = 1, memory = 2048;
	char path[PATH_MAX], hex[2 * SNP_LD_LEN + 1];
	struct snp_ld ld;
	struct err e = { 0 };
	uint32_t sig;
	uint64_t v;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': igvm = optarg; break;
		case 'p': clh = optarg; break;
		case 'T': vcpu_type = optarg; break;
		case 'l':
			if (!strcmp(optarg, "mshv"))
				loader = IGVM_LOADER_MSHV;
			else if (!strcmp(optarg, "kvm"))
				loader = IGVM_LOADER_KVM;
			else
				goto bad;
			break;
		case 'c':
			if (!util_parse_u64(optarg, 512, &v) || v == 0)
				goto bad;
			vcpus = (unsigned)v;
			break;
		case 'm':
			if (!util_parse_u64(optarg, 1u << 20, &v) || v < 256)
				goto bad;
			memory = (unsigned)v;
			break;
		case 'h':
			fputs(kc_usage, stdout);
			return CLI_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc || !igvm) {
		cli_error("kata-config: --igvm FILE is required");
		goto usage;
	}
	if (strpbrk(clh, "\"\\\n") || !realpath(igvm, path) || strpbrk(path, "\"\\\n")) {
		cli_error("kata-config: %s: no such file (or a name TOML cannot quote simply)", igvm);
		return CLI_FAIL;
	}
	if (vmsa_cpu_sig(vcpu_type, &sig, &e) < 0) {
		cli_error("kata-config: %s", e.msg);
		return CLI_USAGE;
	}
	rc = igvmbuild_measure_file(path, loader, vcpus, sig, &ld, &e);
	if (rc < 0) {
		cli_error("kata-config: %s", e.msg[0] ? e.msg : err_str(rc));
		return CLI_FAIL;
	}
	hex_encode(ld.ld, SNP_LD_LEN, hex);
	printf("# Kata Containers: ccguest's IGVM guest on Cloud Hypervisor with SEV-SNP.\n"
	       "# Merge into configuration-clh-snp.toml (Kata on AKS); the command line\n"
	       "# is measured inside the IGVM, so kernel_params are not used.\n"
	       "# Launch measurement (%s%s): %s\n"
	       "#   (Trustee reference value snp_launch_measurement; see\n"
	       "#    ccguest reference-values for every vCPU count.)\n"
	       "# The initrd is inside the IGVM (no image key).  ccinit does not serve the\n"
	       "# Kata agent API yet: today this boots the workload the command line pins.\n"
	       "[hypervisor.clh]\n"
	       "path = \"%s\"\n"
	       "igvm = \"%s\"\n"
	       "confidential_guest = true\n"
	       "sev_snp_guest = true\n"
	       "default_vcpus = %u\n"
	       "default_maxvcpus = %u\n"
	       "default_memory = %u\n"
	       "shared_fs = \"none\"\n"
	       "disable_image_nvdimm = true\n"
	       "block_device_driver = \"virtio-blk\"\n"
	       "\n"
	       "[agent.kata]\n"
	       "dial_timeout = 90\n"
	       "\n"
	       "[runtime]\n"
	       "static_sandbox_resource_mgmt = true\n"
	       "disable_guest_seccomp = true\n",
	       loader == IGVM_LOADER_MSHV ? "mshv" : "kvm",
	       loader == IGVM_LOADER_MSHV ? "" : (vcpus == 1 ? ", 1 vCPU" : ", --vcpus vCPUs"),
	       hex, clh, path, vcpus, vcpus, memory);
	return CLI_OK;
bad:
	cli_error("kata-config: bad value \"%s\" for an option", optarg);
usage:
	fputs(kc_usage, stderr);
	return CLI_USAGE;
}
