/* fuzz_evidence: the TEE structure parsers (tee/snp.c, tee/tdx.c) on one
 * input each: SNP report (and its evidence JSON when it parses), SNP cert
 * table, TDX quote, TDREPORT and CCEL trimming.  Every failure must carry a
 * message and its code; every success must stay inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/snp.h"
#include "tee/tdx.h"

static void check_fail(int rc, const struct err *e)
{
	if (rc > 0 || (rc < 0 && (e->code != rc || e->msg[0] == '\0')))
		abort();
}

static void snp(const uint8_t *d, size_t n)
{
	struct snp_report r;
	struct snp_certs cs;
	struct err e = { 0 };
	char *js = NULL;
	size_t jl, i;
	int rc = snp_report_parse(d, n, &r, &e);

	check_fail(rc, &e);
	if (rc == 0 && (r.version < 2 || r.version > 5 || n != SNP_REPORT_SIZE))
		abort();
	rc = snp_certs_parse(d, n, &cs, &e);
	check_fail(rc, &e);
	for (i = 0; rc == 0 && i < cs.n; i++)
		if (cs.c[i].len == 0 || cs.c[i].data < d || cs.c[i].data > d + n ||
		    cs.c[i].len > (size_t)(d + n - cs.c[i].data))
			abort();
	/* the report as the first 1184 bytes, the rest as a cert table */
	if (n >= SNP_REPORT_SIZE) {
		rc = snp_evidence_json(d, SNP_REPORT_SIZE, d + SNP_REPORT_SIZE,
				       n - SNP_REPORT_SIZE, &js, &jl, &e);
		check_fail(rc, &e);
		if (rc == 0 && (!js || strlen(js) != jl))
			abort();
		free(js);
	}
}

static void tdx(const uint8_t *d, size_t n)
{
	struct tdx_quote q;
	struct tdx_report r;
	struct err e = { 0 };
	size_t used, nev;
	int rc = tdx_quote_parse(d, n, &q, &e);

	check_fail(rc, &e);
	if (rc == 0 && (q.signed_len + 4 + q.sig_len != n || q.sig != d + q.signed_len + 4))
		abort();
	check_fail(tdx_report_parse(d, n, &r, &e), &e);
	rc = tdx_ccel_trim(d, n, &used, &nev, &e);
	check_fail(rc, &e);
	if (rc == 0 && (used + 8 > n || used < 32))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	snp(data, size);
	tdx(data, size);
	return 0;
}
