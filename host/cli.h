/* cli: the ccguest subcommands (host only).  Each takes the arguments after
 * its name (argv[0] is the subcommand) and returns the process exit status. */
#ifndef CCG_HOST_CLI_H
#define CCG_HOST_CLI_H

#include <stdio.h>

#ifndef CCG_VERSION
#define CCG_VERSION "0.1.0"
#endif

/* Exit statuses of the CLI's own subcommands (run follows docker instead:
 * 125 for its own failures, see runexit.h). */
enum {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_USAGE = 2,
};

int cmd_igvm(int argc, char **argv);
int cmd_initdata(int argc, char **argv);
int cmd_kata_config(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_reference_values(int argc, char **argv);
int cmd_keyprovider(int argc, char **argv);
/* ccguest measure: firmware launch measurements (host/measure_fw.c). */
int measure_fw_cmd(int argc, char **argv);
/* ccguest igvm inspect (host/igvm_inspect.c); ccguest measure FILE.igvm
 * (host/measure_igvm.c). */
int igvm_inspect_cmd(int argc, char **argv);
int measure_igvm_cmd(int argc, char **argv);
int cmd_mkinitrd(int argc, char **argv);
int cmd_proxy(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* "ccguest: error: <msg>\n" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ccguest: <msg>\n" on stderr (verbose notes). */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
