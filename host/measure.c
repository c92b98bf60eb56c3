/* measure: `ccguest measure`, one command for three inputs: an IGVM file
 * (host/measure_igvm.c), an OVMF firmware with sev-snp-measure's model or a
 * TDVF firmware (host/measure_fw.c). */
#include <stdbool.h>
#include <string.h>

#include "host/cli.h"

static const char measure_usage[] =
	"usage: ccguest measure FILE.igvm --platform snp --loader kvm|mshv|crate [--vcpus N]\n"
	"       ccguest measure FILE.igvm --platform tdx\n"
	"       ccguest measure --ovmf FW [--kernel K --initrd I --cmdline C] --vcpus N\n"
	"                       --vcpu-type T --guest-features X --vmm qemu|ec2|gce\n"
	"       ccguest measure --platform tdx --tdvf FW\n"
	"\n"
	"Print the launch measurement in lowercase hex: the SEV-SNP MEASUREMENT the\n"
	"hardware reports, or the TDX MRTD.  `--help` after the input for the\n"
	"options of each form.\n";

int cmd_measure(int argc, char **argv)
{
	bool fw = false, file = false;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--ovmf", 6) || !strncmp(argv[i], "--tdvf", 6))
			fw = true;
		else if (argv[i][0] != '-' && (i == 1 || argv[i - 1][0] != '-' ||
					       strchr(argv[i - 1], '=')))
			file = true;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(measure_usage, stdout);
		return CLI_OK;
	}
	if (fw)
		return measure_fw_cmd(argc, argv);
	if (file)
		return measure_igvm_cmd(argc, argv);
	cli_error("measure: give an IGVM file, --ovmf FW or --tdvf FW");
	fputs(measure_usage, stderr);
	return CLI_USAGE;
}
