/* ccguest initdata: write the initdata disk for a KBS (or for a given TOML
 * document) and print the digest and the values the host binds it with. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cli.h"
#include "host/util.h"
#include "tee/initdata.h"

int cmd_initdata(int argc, char **argv);

static const char id_usage[] =
	"usage: ccguest initdata (--kbs URL [--kbs-cert FILE] | --toml FILE) -o DISK\n"
	"\n"
	"Write an initdata disk (\"initdata\", u64 LE length, gzip of the TOML\n"
	"document, zero padding to 512 bytes) and print the document's digest with\n"
	"the SNP HOST_DATA and TDX MRCONFIGID values that bind it to the guest.\n"
	"\n"
	"  --kbs URL         generate aa.toml/cdh.toml naming this KBS (sha384)\n"
	"  --kbs-cert FILE   PEM certificate of the KBS (HTTPS)\n"
	"  --toml FILE       use this initdata document as it is\n"
	"  -o, --output DISK the disk image to write\n";

struct idopts {
	const char *kbs, *cert, *toml, *out;
};

static int id_parse_opts(struct idopts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kbs", required_argument, NULL, 'k' },
		{ "kbs-cert", required_argument, NULL, 'c' },
		{ "toml", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kbs = optarg; break;
		case 'c': o->cert = optarg; break;
		case 't': o->toml = optarg; break;
		case 'o': o->out = optarg; break;
		case 'h': fputs(id_usage, stdout); return CLI_OK;
		default: fputs(id_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc || !o->out || !o->kbs == !o->toml || (o->cert && !o->kbs)) {
		cli_error("initdata: -o and either --kbs (with --kbs-cert) or --toml are required");
		fputs(id_usage, stderr);
		return CLI_USAGE;
	}
	return -1;
}

/* The document: read from --toml, or generated from --kbs/--kbs-cert. */
static int id_document(const struct idopts *o, char **doc, size_t *len, struct err *e)
{
	char *cert = NULL;
	size_t cert_len = 0;
	int rc;

	if (o->toml)
		return util_read_file(AT_FDCWD, o->toml, INITDATA_TOML_MAX, doc, len, e);
	*doc = malloc(INITDATA_TOML_MAX);
	if (!*doc)
		return err_set(e, -ENOMEM, "out of memory");
	rc = o->cert ? util_read_file(AT_FDCWD, o->cert, INITDATA_CERT_MAX - 2, &cert,
				      &cert_len, e) : 0;
	if (rc == 0 && strlen(cert ? cert : "") != cert_len)
		rc = err_set(e, -ERR_FORMAT, "%s: contains NUL bytes", o->cert);
	if (rc == 0)
		rc = initdata_make_toml(o->kbs, cert, *doc, INITDATA_TOML_MAX, len, e);
	free(cert);
	return rc;
}

static void id_print(const struct initdata *d)
{
	char h[INITDATA_HEX_MAX];
	uint8_t id[INITDATA_TDX_ID_LEN];
	size_t len = 0, i;
	int tee;

	initdata_digest_hex(d, h);
	printf("initdata digest (%s): %s\n", initdata_alg_name(d->alg), h);
	for (tee = INITDATA_TEE_SNP; tee <= INITDATA_TEE_TDX; tee++) {
		if (initdata_config_id(d, tee, id, sizeof(id), &len, NULL) < 0)
			continue;
		printf(tee == INITDATA_TEE_SNP ? "HOST_DATA (SNP):  " : "MRCONFIGID (TDX): ");
		for (i = 0; i < len; i++)
			printf("%02x", id[i]);
		putchar('\n');
	}
}

int cmd_initdata(int argc, char **argv)
{
	struct idopts o = { 0 };
	struct err e = { 0 };
	struct initdata *d = NULL;
	uint8_t *img = NULL;
	char *doc = NULL;
	size_t len = 0, img_len = 0;
	int rc = id_parse_opts(&o, argc, argv);

	if (rc >= 0)
		return rc;
	d = malloc(sizeof(*d));
	rc = d ? id_document(&o, &doc, &len, &e) : err_set(&e, -ENOMEM, "out of memory");
	if (rc == 0)
		rc = initdata_parse((const uint8_t *)doc, len, d, &e);
	if (rc == 0)
		rc = initdata_disk_image((const uint8_t *)doc, len, &img, &img_len, &e);
	if (rc == 0)
		rc = util_write_file_atomic(o.out, img, img_len, &e);
	if (rc == 0)
		id_print(d);
	else
		cli_error("initdata: %s", e.msg[0] ? e.msg : err_str(rc));
	free(img);
	free(doc);
	free(d);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}
