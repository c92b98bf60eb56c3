/* fuzz_initdata: the initdata disk and document.  The first byte picks the
 * input: a disk (unpacked, then parsed) or a document.  A document that
 * parses must survive disk_image -> unpack -> parse with the same digest and
 * settings, and bind to its own config ids. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tee/initdata.h"

static struct initdata d1, d2;
static uint8_t toml[INITDATA_TOML_MAX];

static void check_rc(int rc, const struct err *e)
{
	if (rc < 0 && (e->msg[0] == 0 || e->code != rc))
		abort();
}

static void round_trip(const uint8_t *doc, size_t n)
{
	uint8_t *img = NULL, id[INITDATA_TDX_ID_LEN];
	static uint8_t back[INITDATA_TOML_MAX];
	size_t img_len = 0, len = 0;
	struct err e = { 0 };
	int tee;

	if (n == 0)
		return;
	if (initdata_disk_image(doc, n, &img, &img_len, &e) < 0 || img_len % 512 ||
	    initdata_unpack(img, img_len, back, sizeof(back), &len, &e) < 0 || len != n ||
	    memcmp(back, doc, n) != 0 || initdata_parse(back, len, &d2, &e) < 0 ||
	    memcmp(&d1, &d2, sizeof(d1)) != 0)
		abort();
	free(img);
	for (tee = INITDATA_TEE_SNP; tee <= INITDATA_TEE_TDX; tee++) {
		if (initdata_config_id(&d1, tee, id, sizeof(id), &len, &e) < 0 ||
		    initdata_bind_check(&d1, tee, id, len, &e) < 0)
			abort();
		id[len - 1] ^= 1;
		if (initdata_bind_check(&d1, tee, id, len, &e) != -ERR_DIGEST)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = { 0 };
	const uint8_t *doc = data + 1;
	size_t n = size ? size - 1 : 0;
	int rc;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		rc = initdata_unpack(data + 1, n, toml, sizeof(toml), &n, &e);
		check_rc(rc, &e);
		if (rc < 0)
			return 0;
		doc = toml;
	}
	memset(&e, 0, sizeof(e));
	rc = initdata_parse(doc, n, &d1, &e);
	check_rc(rc, &e);
	if (rc == 0) {
		if (strlen(d1.kbs_cert) != d1.kbs_cert_len || d1.digest_len < 32)
			abort();
		round_trip(doc, n);
	}
	return 0;
}
