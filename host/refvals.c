/* refvals: `ccguest reference-values`, the values an attestation service
 * compares evidence with, from the IGVM files a deployment boots (and the
 * TDVF firmware of TDX guests): Trustee RVPS messages, an AKS-style
 * reference measurement file, and the digests of the inputs.  The output is
 * deterministic (no dates, no paths), so two builds give the same file. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/hex.h"
#include "crypto/sha256.h"
#include "crypto/sha384.h"
#include "host/cli.h"
#include "host/igvmbuild.h"
#include "host/util.h"
#include "igvm/tdvf.h"
#include "igvm/vmsa.h"

#define RV_VCPUS_MAX 64
#define RV_OUT_MAX (256u << 10)

static const char rv_usage[] =
	"usage: ccguest reference-values [--snp-kvm FILE] [--snp-mshv FILE] [--vcpus N|A-B]\n"
	"         [--vcpu-type T] [--tdvf FW] [--kernel K] [--initrd I] [--cmdline STR]\n"
	"         [--svn N] [-o FILE] [--rvps-dir DIR] [--aks-measurement FILE]\n"
	"\n"
	"Compute reference values for the attestation service (docs/igvm.md):\n"
	"  snp_launch_measurement  per vCPU count for the KVM file (QEMU / Cloud\n"
	"                          Hypervisor on KVM), one value for the MSHV file\n"
	"  mr_td                   the MRTD of a TDVF firmware (TDX)\n"
	"  inputs                  SHA-256 and SHA-384 of kernel, initrd, command line\n"
	"as one JSON document (stdout or -o), with the Trustee RVPS messages inside\n"
	"and, with --rvps-dir, one message per file there (rvps-tool register --path);\n"
	"--aks-measurement writes igvmgen's reference measurement JSON for the MSHV file.\n";

struct rv {
	char buf[RV_OUT_MAX];
	size_t len;
	bool overflow;
};

static void rv_put(struct rv *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rv_put(struct rv *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(o->buf) - o->len)
		o->overflow = true;
	else
		o->len += (size_t)n;
}

/* "sha256:<hex>", "sha384:<hex>" of a file's bytes. */
static int digest_file(const char *path, char s256[72], char s384[104], struct err *e)
{
	struct util_map m;
	uint8_t d[SHA384_LEN];
	int rc = util_map(path, 1u << 31, &m, e);

	if (rc < 0)
		return rc;
	sha256(m.p, m.len, d);
	memcpy(s256, "sha256:", 7);
	hex_encode(d, 32, s256 + 7);
	sha384(m.p, m.len, d);
	memcpy(s384, "sha384:", 7);
	hex_encode(d, SHA384_LEN, s384 + 7);
	util_unmap(&m);
	return 0;
}

/* A Trustee RVPS message (rvps/src/lib.rs): the sample extractor's payload
 * maps a reference-value name to a list of values, base64 (standard). */
static int rvps_message(const char *name, char vals[][2 * SNP_LD_LEN + 1], unsigned n,
			char *out, size_t cap)
{
	char payload[8192];
	size_t len = 0, b64len;
	int k;

	k = snprintf(payload, sizeof(payload), "{\"%s\":[", name);
	len = (size_t)k;
	for (unsigned i = 0; i < n; i++) {
		k = snprintf(payload + len, sizeof(payload) - len, "%s\"%s\"", i ? "," : "", vals[i]);
		if (k < 0 || (size_t)k >= sizeof(payload) - len)
			return -ERR_LIMIT;
		len += (size_t)k;
	}
	if (len + 3 > sizeof(payload))
		return -ERR_LIMIT;
	memcpy(payload + len, "]}", 3);
	len += 2;
	k = snprintf(out, cap, "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"");
	if (k < 0 || (size_t)k >= cap)
		return -ERR_LIMIT;
	if (b64_encode((const uint8_t *)payload, len, out + k, cap - (size_t)k, &b64len, false) < 0)
		return -ERR_LIMIT;
	k += (int)b64len;
	if ((size_t)k + 3 > cap)
		return -ERR_LIMIT;
	memcpy(out + k, "\"}", 3);
	return 0;
}

struct rv_opts {
	const char *kvm, *mshv, *tdvf, *kernel, *initrd, *cmdline, *out, *rvps_dir, *aks;
	unsigned vmin, vmax;
	uint32_t sig;
	const char *vcpu_type;
	uint32_t svn;
};

static int rv_run(const struct rv_opts *o, struct rv *out, struct err *e)
{
	static char vals[RV_VCPUS_MAX + 1][2 * SNP_LD_LEN + 1];
	char mshv[2 * SNP_LD_LEN + 1] = "", mrtd[2 * TDX_MRTD_LEN + 1] = "";
	char msg[4][16384];
	struct snp_ld ld;
	unsigned nv = 0, nmsg = 0;
	int rc;

	rv_put(out, "{\n");
	if (o->kvm || o->mshv) {
		rv_put(out, "  \"snp_launch_measurement\": {\n");
		if (o->kvm) {
			struct util_map m;

			/* one mapping, one digest per vCPU count (KVM measures a VMSA each) */
			rc = util_map(o->kvm, UINT32_MAX, &m, e);
			if (rc < 0)
				return rc;
			rv_put(out, "    \"kvm\": {\n      \"vcpu_type\": \"%s\",\n", o->vcpu_type);
			for (unsigned v = o->vmin; v <= o->vmax; v++) {
				rc = igvmbuild_measure(m.p, m.len, IGVM_LOADER_KVM, v, o->sig, &ld, e);
				if (rc < 0) {
					util_unmap(&m);
					return err_wrap(e, rc, "%s", o->kvm);
				}
				hex_encode(ld.ld, SNP_LD_LEN, vals[nv]);
				rv_put(out, "      \"%u\": \"%s\"%s\n", v, vals[nv], v < o->vmax ? "," : "");
				nv++;
			}
			util_unmap(&m);
			rv_put(out, "    }%s\n", o->mshv ? "," : "");
		}
		if (o->mshv) {
			rc = igvmbuild_measure_file(o->mshv, IGVM_LOADER_MSHV, 1, o->sig, &ld, e);
			if (rc < 0)
				return rc;
			hex_encode(ld.ld, SNP_LD_LEN, mshv);
			memcpy(vals[nv++], mshv, sizeof(mshv));
			rv_put(out, "    \"mshv\": \"%s\"\n", mshv);
		}
		rv_put(out, "  },\n");
		if (rvps_message("snp_launch_measurement", vals, nv, msg[nmsg], sizeof(msg[0])) < 0)
			return err_set(e, -ERR_LIMIT, "RVPS message too long");
		nmsg++;
	}
	if (o->tdvf) {
		struct util_map m;
		uint8_t d[TDX_MRTD_LEN];

		rc = util_map(o->tdvf, 1u << 30, &m, e);
		if (rc < 0)
			return rc;
		rc = tdvf_measure(m.p, m.len, TDVF_ONE_PASS, d, NULL, e);
		util_unmap(&m);
		if (rc < 0)
			return err_wrap(e, rc, "%s", o->tdvf);
		hex_encode(d, TDX_MRTD_LEN, mrtd);
		rv_put(out, "  \"mr_td\": \"%s\",\n", mrtd);
		memcpy(vals[0], mrtd, sizeof(mrtd));
		if (rvps_message("mr_td", vals, 1, msg[nmsg], sizeof(msg[0])) < 0)
			return err_set(e, -ERR_LIMIT, "RVPS message too long");
		nmsg++;
	}
	if (o->mshv)
		rv_put(out, "  \"aks_reference_measurement\": {\n    \"x-ms-sevsnpvm-guestsvn\": \"%u\",\n"
			    "    \"x-ms-sevsnpvm-launchmeasurement\": \"%s\"\n  },\n", o->svn, mshv);
	rv_put(out, "  \"inputs\": {\n");
	{
		char s256[72], s384[104];
		bool any = false;

		if (o->kernel) {
			if ((rc = digest_file(o->kernel, s256, s384, e)) < 0)
				return rc;
			rv_put(out, "    \"kernel\": {\"sha256\": \"%s\", \"sha384\": \"%s\"}", s256, s384);
			any = true;
		}
		if (o->initrd) {
			if ((rc = digest_file(o->initrd, s256, s384, e)) < 0)
				return rc;
			rv_put(out, "%s    \"initrd\": {\"sha256\": \"%s\", \"sha384\": \"%s\"}",
			       any ? ",\n" : "", s256, s384);
			any = true;
		}
		if (o->cmdline) {
			uint8_t d[SHA384_LEN];

			memcpy(s256, "sha256:", 7);
			sha256(o->cmdline, strlen(o->cmdline), d);
			hex_encode(d, 32, s256 + 7);
			memcpy(s384, "sha384:", 7);
			sha384(o->cmdline, strlen(o->cmdline), d);
			hex_encode(d, SHA384_LEN, s384 + 7);
			rv_put(out, "%s    \"cmdline\": {\"sha256\": \"%s\", \"sha384\": \"%s\"}",
			       any ? ",\n" : "", s256, s384);
			any = true;
		}
		rv_put(out, "%s  },\n", any ? "\n" : "");
	}
	rv_put(out, "  \"rvps_messages\": [\n");
	for (unsigned i = 0; i < nmsg; i++)
		rv_put(out, "    %s%s\n", msg[i], i + 1 < nmsg ? "," : "");
	rv_put(out, "  ]\n}\n");
	if (out->overflow)
		return err_set(e, -ERR_LIMIT, "output too long");
	if (o->rvps_dir) {
		static const char *const names[] = { "snp_launch_measurement", "mr_td" };
		unsigned k = 0;

		for (unsigned i = 0; i < 2; i++) {
			char path[4096];

			if ((i == 0 && !o->kvm && !o->mshv) || (i == 1 && !o->tdvf))
				continue;
			snprintf(path, sizeof(path), "%s/%s.json", o->rvps_dir, names[i]);
			if ((rc = util_write_file_atomic(path, msg[k], strlen(msg[k]), e)) < 0)
				return rc;
			k++;
		}
	}
	if (o->aks) {
		char aks[512];
		int n;

		if (!o->mshv)
			return err_set(e, -EINVAL, "--aks-measurement needs --snp-mshv");
		n = snprintf(aks, sizeof(aks), "{\n  \"x-ms-sevsnpvm-guestsvn\": \"%u\",\n"
			     "  \"x-ms-sevsnpvm-launchmeasurement\": \"%s\"\n}\n", o->svn, mshv);
		if ((rc = util_write_file_atomic(o->aks, aks, (size_t)n, e)) < 0)
			return rc;
	}
	return 0;
}

int cmd_reference_values(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "snp-kvm", required_argument, NULL, 'k' },
		{ "snp-mshv", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "vcpu-type", required_argument, NULL, 'T' },
		{ "tdvf", required_argument, NULL, 't' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "initrd", required_argument, NULL, 'I' },
		{ "cmdline", required_argument, NULL, 'C' },
		{ "svn", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "rvps-dir", required_argument, NULL, 'R' },
		{ "aks-measurement", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct rv_opts o = { .vmin = 1, .vmax = 1, .vcpu_type = "EPYC-v4" };
	struct rv *out = NULL;
	struct err e = { 0 };
	uint64_t a, b;
	char *dash;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o.kvm = optarg; break;
		case 'm': o.mshv = optarg; break;
		case 'T': o.vcpu_type = optarg; break;
		case 't': o.tdvf = optarg; break;
		case 'K': o.kernel = optarg; break;
		case 'I': o.initrd = optarg; break;
		case 'C': o.cmdline = optarg; break;
		case 'o': o.out = optarg; break;
		case 'R': o.rvps_dir = optarg; break;
		case 'A': o.aks = optarg; break;
		case 's':
			if (!util_parse_u64(optarg, UINT32_MAX, &a))
				goto bad;
			o.svn = (uint32_t)a;
			break;
		case 'c':
			dash = strchr(optarg, '-');
			if (dash) {
				*dash = '\0';
				if (!util_parse_u64(optarg, RV_VCPUS_MAX, &a) ||
				    !util_parse_u64(dash + 1, RV_VCPUS_MAX, &b) || a == 0 || b < a)
					goto bad;
			} else if (!util_parse_u64(optarg, RV_VCPUS_MAX, &a) || a == 0) {
				goto bad;
			} else {
				b = a;
			}
			o.vmin = (unsigned)a;
			o.vmax = (unsigned)b;
			break;
		case 'h':
			fputs(rv_usage, stdout);
			return CLI_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc || (!o.kvm && !o.mshv && !o.tdvf)) {
		cli_error("reference-values: give --snp-kvm, --snp-mshv or --tdvf");
		goto usage;
	}
	if (vmsa_cpu_sig(o.vcpu_type, &o.sig, &e) < 0) {
		cli_error("reference-values: %s", e.msg);
		return CLI_USAGE;
	}
	out = calloc(1, sizeof(*out));
	if (!out) {
		cli_error("reference-values: out of memory");
		return CLI_FAIL;
	}
	rc = rv_run(&o, out, &e);
	if (rc == 0) {
		if (o.out)
			rc = util_write_file_atomic(o.out, out->buf, out->len, &e);
		else
			fwrite(out->buf, 1, out->len, stdout);
	}
	free(out);
	if (rc < 0) {
		cli_error("reference-values: %s", e.msg[0] ? e.msg : err_str(rc));
		return CLI_FAIL;
	}
	return CLI_OK;
bad:
	cli_error("reference-values: bad value \"%s\" for an option", optarg);
usage:
	fputs(rv_usage, stderr);
	return CLI_USAGE;
}
