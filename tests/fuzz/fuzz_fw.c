/* fuzz_fw: the firmware parsers and measurements (igvm/ovmf.c, igvm/tdvf.c).
 * The input is the tail of a firmware image: it is placed at the end of a
 * zeroed buffer of whole pages (the footer table sits at the image end), and
 * measured as an SEV-SNP OVMF (QEMU/EC2/GCE, with and without kernel hashes,
 * as an SVSM image too), as SEV-ES, and as TDVF.  Every failure must carry a
 * message and its code; every success must describe only bytes inside the
 * image. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "igvm/ovmf.h"
#include "igvm/tdvf.h"

#define MAX_IN (64u << 10)

static void check_fail(int rc, const struct err *e)
{
	if (rc > 0 || (rc < 0 && (e->code != rc || e->msg[0] == '\0')))
		abort();
}

static void sev(const uint8_t *img, size_t len, uint8_t sel)
{
	static const uint8_t foot_guid[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
					       0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
	struct ovmf_params p;
	struct ovmf_kernel_hashes kh;
	struct snp_ld ld;
	struct ovmf o;
	struct err e = { 0 };
	const uint8_t *d = NULL;
	uint8_t d256[32];
	size_t dl = 0;
	unsigned i;
	int rc;

	rc = ovmf_parse(img, len, OVMF_IMAGE_END, &o, &e);
	check_fail(rc, &e);
	if (rc == 0) {
		if (o.nsections > OVMF_SECTIONS_MAX || o.gpa + o.len != OVMF_IMAGE_END)
			abort();
		for (i = 0; i < o.nsections; i++)
			if (o.sec[i].gpa % OVMF_PAGE || o.sec[i].size % OVMF_PAGE || !o.sec[i].size ||
			    (uint64_t)o.sec[i].gpa + o.sec[i].size > OVMF_IMAGE_END)
				abort();
	}
	memset(&e, 0, sizeof(e));
	rc = ovmf_table_find(img, len, foot_guid, &d, &dl, &e);
	check_fail(rc, &e);
	if (rc == 0 && (d < img || dl > len || d + dl > img + len))
		abort();

	memset(&p, 0, sizeof(p));
	memset(&kh, 0x5a, sizeof(kh));
	p.vmm = (enum vmsa_vmm)(sel % 3);
	p.vcpus = 1 + (sel >> 2) % 4;
	p.vcpu_sig = 0x800F12;
	p.guest_features = 0x21;
	p.hashes = (sel & 0x40) ? &kh : NULL;
	memset(&e, 0, sizeof(e));
	rc = ovmf_snp_digest(img, len, &p, &ld, &e);
	check_fail(rc, &e);
	if (rc == 0 && ld.measured_bytes < len + 4096ull * p.vcpus)
		abort();
	memset(&e, 0, sizeof(e));
	rc = ovmf_seves_digest(img, len, &p, d256, &e);
	check_fail(rc, &e);
	/* the same bytes as an SVSM image below them */
	p.hashes = NULL;
	p.vmm = VMSA_VMM_QEMU;
	p.svsm = img;
	p.svsm_len = len;
	p.vars_size = (sel & 0x80) ? 0x84000 : 0;
	memset(&e, 0, sizeof(e));
	rc = ovmf_snp_digest(img, len, &p, &ld, &e);
	check_fail(rc, &e);
}

static void tdvf(const uint8_t *img, size_t len)
{
	struct tdvf t;
	struct tdvf_counts c;
	struct err e = { 0 };
	uint8_t m[TDX_MRTD_LEN];
	uint64_t pages = 0;
	unsigned i;
	int rc = tdvf_parse(img, len, &t, &e);

	check_fail(rc, &e);
	if (rc < 0)
		return;
	if (t.nsections == 0 || t.nsections > TDVF_SECTIONS_MAX)
		abort();
	for (i = 0; i < t.nsections; i++) {
		const struct tdvf_section *s = &t.sec[i];

		if ((uint64_t)s->data_offset + s->raw_size > len || s->raw_size > s->mem_size ||
		    s->gpa % 4096 || s->mem_size % 4096)
			abort();
		pages += s->mem_size / 4096;
	}
	if (pages > 2048)   /* keep each run short; the limit itself is tested */
		return;
	memset(&e, 0, sizeof(e));
	rc = tdvf_mrtd(&t, TDVF_ONE_PASS, m, &c, &e);
	if (rc != 0 || c.pages_added > pages || c.pages_extended > pages)
		abort();
	rc = tdvf_mrtd(&t, TDVF_TWO_PASS, m, NULL, &e);
	if (rc != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[MAX_IN + OVMF_PAGE];
	size_t len;
	uint8_t sel;

	if (size < 1 || size > MAX_IN)
		return 0;
	sel = data[0];
	data++;
	size--;
	len = (size + OVMF_PAGE - 1) / OVMF_PAGE * OVMF_PAGE;
	if (len == 0)
		len = OVMF_PAGE;
	memset(buf, 0, len - size);
	memcpy(buf + (len - size), data, size);
	sev(buf, len, sel);
	tdvf(buf, len);
	/* the raw input, of any length */
	sev(data, size, sel);
	tdvf(data, size);
	return 0;
}
