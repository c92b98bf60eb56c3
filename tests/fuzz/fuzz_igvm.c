/* fuzz_igvm: the IGVM reader, the overlap check, every measurement, and
 * the writer on what the reader accepted.  A failure must carry its
 * message; an accepted file's records must stay inside the buffer; a list
 * the reader accepted must be writable (when the writer knows its types) and
 * the written file must read back with the same records. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "igvm/igvm.h"
#include "igvm/igvm_measure.h"

#define MAX_DIRS 4096

static void check_rc(int rc, const struct err *e)
{
	if (rc < 0 && (e->msg[0] == 0 || e->code != rc))
		abort();
}

static bool writable(uint32_t t)
{
	switch (t) {
	case IGVM_VHT_GUEST_POLICY: case IGVM_VHT_PARAMETER_AREA: case IGVM_VHT_PAGE_DATA:
	case IGVM_VHT_PARAMETER_INSERT: case IGVM_VHT_VP_CONTEXT: case IGVM_VHT_REQUIRED_MEMORY:
	case IGVM_VHT_VP_COUNT_PARAMETER: case IGVM_VHT_SRAT: case IGVM_VHT_MADT:
	case IGVM_VHT_MMIO_RANGES: case IGVM_VHT_SNP_ID_BLOCK: case IGVM_VHT_MEMORY_MAP:
	case IGVM_VHT_ERROR_RANGE: case IGVM_VHT_COMMAND_LINE: case IGVM_VHT_SLIT:
	case IGVM_VHT_PPTT: case IGVM_VHT_DEVICE_TREE: case IGVM_VHT_ENVIRONMENT_INFO:
		return true;
	default:
		return false;
	}
}

/* Rewrite an accepted single-platform file with igvm_write and read it back. */
static void rewrite(const struct igvm_file *f)
{
	static struct igvm_dir dirs[MAX_DIRS];
	struct igvm_image im = { 0 };
	struct igvm_file g;
	struct igvm_rec r, q;
	struct err e = { 0 };
	uint32_t pos = 0, qpos = 0;
	size_t n = 0, len = 0, len2 = 0;
	bool blob = false;
	uint8_t *out;
	int rc;

	while (igvm_next(f, &pos, &r)) {
		if (r.type == IGVM_VHT_SUPPORTED_PLATFORM) {
			if (im.mask)
				return;   /* the writer emits one platform */
			im.mask = r.mask;
			im.platform_type = r.platform_type;
			im.highest_vtl = r.highest_vtl;
			continue;
		}
		if (!writable(r.type) || n == MAX_DIRS)
			return;
		memset(&dirs[n], 0, sizeof(dirs[n]));
		dirs[n].type = r.type;
		dirs[n].gpa = r.gpa;
		dirs[n].mask = r.mask;
		dirs[n].flags = r.flags;
		dirs[n].data_type = r.data_type;
		dirs[n].vp_index = r.vp_index;
		dirs[n].index = r.index;
		dirs[n].byte_offset = r.byte_offset;
		dirs[n].nbytes = r.nbytes;
		dirs[n].policy = r.policy;
		dirs[n].data = r.data;
		blob |= r.type == IGVM_VHT_PAGE_DATA || r.type == IGVM_VHT_VP_CONTEXT ||
			(r.type == IGVM_VHT_PARAMETER_AREA && r.data);
		n++;
	}
	im.dirs = dirs;
	im.n_dirs = n;
	rc = igvm_write(&im, NULL, 0, &len, &e);
	check_rc(rc, &e);
	if (rc < 0) {
		if (blob)
			abort();   /* the reader accepted this list */
		return;
	}
	out = malloc(len);
	if (!out)
		return;
	if (igvm_write(&im, out, len, &len2, &e) != 0 || len2 != len)
		abort();
	if (igvm_open(&g, out, len, &e) != 0 || g.n_headers != f->n_headers)
		abort();
	pos = 0;
	while (igvm_next(f, &pos, &r)) {
		if (!igvm_next(&g, &qpos, &q) || q.type != r.type || q.gpa != r.gpa ||
		    q.index != r.index || q.nbytes != r.nbytes || q.vp_index != r.vp_index)
			abort();
		if (r.type == IGVM_VHT_PAGE_DATA &&
		    (!q.data || (r.data && memcmp(q.data, r.data, IGVM_PAGE) != 0)))
			abort();
	}
	free(out);
}

static void measure(const struct igvm_file *f)
{
	struct igvm_measure_opts o = { 0 };
	struct snp_ld ld;
	struct err e;
	uint8_t out[48];
	uint32_t m = igvm_platform_mask(f, IGVM_PLATFORM_SEV_SNP);
	int rc, l;

	for (l = IGVM_LOADER_CRATE; l <= IGVM_LOADER_MSHV; l++) {
		memset(&e, 0, sizeof(e));
		o.loader = (enum igvm_loader)l;
		o.vcpus = 3;
		o.vcpu_sig = 0x800F12;
		o.n_scratch = m ? igvm_measure_slots(f, m) : 0;
		o.scratch = calloc(o.n_scratch + 1, sizeof(*o.scratch));
		if (!o.scratch)
			return;
		rc = igvm_measure_snp(f, &o, &ld, &e);
		check_rc(rc, &e);
		free(o.scratch);
	}
	memset(&e, 0, sizeof(e));
	check_rc(igvm_measure_tdx(f, 0, out, NULL, NULL, &e), &e);
	memset(&e, 0, sizeof(e));
	check_rc(igvm_measure_id_block_ld(f, 0, out, &e), &e);
	memset(&e, 0, sizeof(e));
	check_rc(igvm_measure_check_kvm(f, 0, &e), &e);
}

static void one(const uint8_t *data, size_t size)
{
	struct igvm_file f;
	struct igvm_rec r;
	struct err e = { 0 };
	uint32_t pos = 0, n = 0;
	uint64_t *scratch;
	size_t pages;
	int rc = igvm_open(&f, data, size, &e);

	check_rc(rc, &e);
	if (rc < 0)
		return;
	while (igvm_next(&f, &pos, &r)) {
		if (r.hdr_off < f.vh_off || r.hdr_off >= f.vh_off + f.vh_size)
			abort();
		if (r.data && (r.data < data || r.data_len > size ||
			       (size_t)(r.data - data) > size - r.data_len))
			abort();
		n++;
	}
	if (n != f.n_headers)
		abort();
	pages = igvm_page_count(&f);
	if (pages <= (1u << 20)) {
		scratch = calloc(pages + 1, sizeof(*scratch));
		if (scratch) {
			memset(&e, 0, sizeof(e));
			check_rc(igvm_check_overlap(&f, scratch, pages, &e), &e);
			free(scratch);
		}
	}
	measure(&f);
	rewrite(&f);
}

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t vh_off, vh_size, crc;
	uint8_t *copy, h[24];

	one(data, size);
	/* Most mutations break the checksum: also run the input with its
	 * checksum (and total size) made right, to reach the header rules. */
	if (size < 24)
		return 0;
	vh_off = ld32(data + 8);
	vh_size = ld32(data + 12);
	if (vh_off < 24 || vh_off > size || vh_size > size - vh_off)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[16] = (uint8_t)size;
	copy[17] = (uint8_t)(size >> 8);
	copy[18] = (uint8_t)(size >> 16);
	copy[19] = (uint8_t)(size >> 24);
	memcpy(h, copy, 24);
	memset(h + 20, 0, 4);
	crc = igvm_crc32(igvm_crc32(0, h, 24), copy + vh_off, vh_size);
	copy[20] = (uint8_t)crc;
	copy[21] = (uint8_t)(crc >> 8);
	copy[22] = (uint8_t)(crc >> 16);
	copy[23] = (uint8_t)(crc >> 24);
	if (memcmp(copy, data, 24) != 0)
		one(copy, size);
	free(copy);
	return 0;
}
