/* ccguest: the host CLI.  A table of subcommands; each lives in its own file
 * (initrd.c, resolve.c, run.c). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/cli.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "run", cmd_run, "boot the guest under QEMU and run an image" },
	{ "resolve", cmd_resolve, "print the digest that pins an image reference" },
	{ "mkinitrd", cmd_mkinitrd, "write the guest initramfs" },
	{ "proxy", cmd_proxy, "pipe stdin/stdout to a TCP service (QEMU guestfwd)" },
	{ "initdata", cmd_initdata, "write an initdata disk binding a KBS to the guest" },
	{ "keyprovider", cmd_keyprovider, "ocicrypt key provider for CoCo-encrypted layers" },
	{ "igvm", cmd_igvm, "build or inspect an IGVM guest image (direct Linux boot)" },
	{ "measure", cmd_measure, "print the SEV-SNP launch digest or TDX MRTD of a guest" },
	{ "reference-values", cmd_reference_values, "write reference values for the attestation service" },
	{ "kata-config", cmd_kata_config, "print the Kata configuration that boots an IGVM guest" },
	{ "version", cmd_version, "print the version" },
};

void cli_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "ccguest: error: %s\n", line);
}

void cli_note(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ccguest: %s\n", line);
}

static void usage(FILE *f)
{
	fputs("usage: ccguest COMMAND [OPTIONS]\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-17s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\nRun `ccguest COMMAND --help` for the options of a command.\n", f);
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		puts("usage: ccguest version");
		return CLI_OK;
	}
	if (argc > 1) {
		cli_error("version: unexpected arguments");
		return CLI_USAGE;
	}
	printf("ccguest %s\n", CCG_VERSION);
	return CLI_OK;
}

/* Make sure fds 0-2 are open, so no pipe or file we open lands there. */
static void std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(CLI_FAIL);
	}
}

int main(int argc, char **argv)
{
	std_fds();
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	}
	cli_error("unknown command \"%s\"", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
