/* igvm: the IGVM reader (igvm.h).  Layout and rules: igvm.md §1 (the
 * microsoft/igvm crate's parser is the reference for what loaders accept).
 *
 * igvm_open() checks the whole buffer once: fixed header, checksum, every
 * TLV's framing and file-data range (decode()), then the rules between
 * headers (igvm_val_*, shared with the writer).  After that igvm_next()
 * decodes without failing. */
#include <string.h>

#include "base/le.h"
#include "igvm/igvm.h"

#define VH_TYPE_OPTIONAL 0x80000000u

/* ---- types ---------------------------------------------------------------- */

struct vht_info {
	uint32_t type;
	uint16_t len;       /* exact payload length */
	int8_t mask_off;    /* offset of compatibility_mask in the payload, -1 none */
	const char *name;
};

static const struct vht_info vhts[] = {
	{ IGVM_VHT_SUPPORTED_PLATFORM, 16, 0, "SUPPORTED_PLATFORM" },
	{ IGVM_VHT_GUEST_POLICY, 16, 8, "GUEST_POLICY" },
	{ IGVM_VHT_RELOCATABLE_REGION, 48, 0, "RELOCATABLE_REGION" },
	{ IGVM_VHT_PAGE_TABLE_RELOCATION_REGION, 32, 0, "PAGE_TABLE_RELOCATION_REGION" },
	{ IGVM_VHT_CORIM_DOCUMENT, 16, 0, "CORIM_DOCUMENT" },
	{ IGVM_VHT_CORIM_SIGNATURE, 16, 0, "CORIM_SIGNATURE" },
	{ IGVM_VHT_CCA_POLICY, 32, 0, "CCA_POLICY" },
	{ IGVM_VHT_PARAMETER_AREA, 16, -1, "PARAMETER_AREA" },
	{ IGVM_VHT_PAGE_DATA, 24, 8, "PAGE_DATA" },
	{ IGVM_VHT_PARAMETER_INSERT, 16, 8, "PARAMETER_INSERT" },
	{ IGVM_VHT_VP_CONTEXT, 20, 8, "VP_CONTEXT" },
	{ IGVM_VHT_REQUIRED_MEMORY, 24, 8, "REQUIRED_MEMORY" },
	{ IGVM_VHT_VP_COUNT_PARAMETER, 8, -1, "VP_COUNT_PARAMETER" },
	{ IGVM_VHT_SRAT, 8, -1, "SRAT" },
	{ IGVM_VHT_MADT, 8, -1, "MADT" },
	{ IGVM_VHT_MMIO_RANGES, 8, -1, "MMIO_RANGES" },
	{ IGVM_VHT_SNP_ID_BLOCK, IGVM_ID_BLOCK_LEN, 0, "SNP_ID_BLOCK" },
	{ IGVM_VHT_MEMORY_MAP, 8, -1, "MEMORY_MAP" },
	{ IGVM_VHT_ERROR_RANGE, 16, 8, "ERROR_RANGE" },
	{ IGVM_VHT_COMMAND_LINE, 8, -1, "COMMAND_LINE" },
	{ IGVM_VHT_SLIT, 8, -1, "SLIT" },
	{ IGVM_VHT_PPTT, 8, -1, "PPTT" },
	{ IGVM_VHT_VBS_MEASUREMENT, 864, 0, "VBS_MEASUREMENT" },
	{ IGVM_VHT_DEVICE_TREE, 8, -1, "DEVICE_TREE" },
	{ IGVM_VHT_ENVIRONMENT_INFO, 8, -1, "ENVIRONMENT_INFO" },
};

static const struct vht_info *vht_find(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(vhts) / sizeof(vhts[0]); i++)
		if (vhts[i].type == type)
			return &vhts[i];
	return NULL;
}

const char *igvm_type_name(uint32_t type)
{
	const struct vht_info *t = vht_find(type);

	return t ? t->name : NULL;
}

static const char *tname(uint32_t type)
{
	const char *n = igvm_type_name(type);

	return n ? n : "?";
}

const char *igvm_platform_name(unsigned platform_type)
{
	static const char *const names[] = { "NATIVE", "VSM", "SEV_SNP", "TDX", "SEV",
					     "SEV_ES", "CCA" };

	return platform_type < sizeof(names) / sizeof(names[0]) ? names[platform_type] : "?";
}

/* The parameter headers (IGVM_VHS_PARAMETER payload). */
static bool is_param(uint32_t type)
{
	switch (type) {
	case IGVM_VHT_VP_COUNT_PARAMETER: case IGVM_VHT_SRAT: case IGVM_VHT_MADT:
	case IGVM_VHT_MMIO_RANGES: case IGVM_VHT_MEMORY_MAP: case IGVM_VHT_COMMAND_LINE:
	case IGVM_VHT_SLIT: case IGVM_VHT_PPTT: case IGVM_VHT_DEVICE_TREE:
	case IGVM_VHT_ENVIRONMENT_INFO:
		return true;
	default:
		return false;
	}
}

static unsigned section_of(uint32_t type)
{
	return type <= 0x100 ? 0 : type <= 0x200 ? 1 : 2;
}

static const char *const section_names[] = { "platform", "initialization", "directive" };

static int popcount32(uint32_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static int bit_index(uint32_t single)
{
	int i = 0;

	while (i < 31 && !(single & (1u << i)))
		i++;
	return i;
}

/* ---- CRC-32 ----------------------------------------------------------------- */

uint32_t igvm_crc32(uint32_t crc, const void *p, size_t n)
{
	/* reflected polynomial 0xEDB88320, four bits at a time */
	static const uint32_t t[16] = {
		0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
		0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
		0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
	};
	const uint8_t *b = p;
	size_t i;

	crc = ~crc;
	for (i = 0; i < n; i++) {
		crc ^= b[i];
		crc = (crc >> 4) ^ t[crc & 15];
		crc = (crc >> 4) ^ t[crc & 15];
	}
	return ~crc;
}

/* ---- decoding one TLV ------------------------------------------------------ */

struct region {
	const uint8_t *buf;
	size_t len;           /* whole file */
	uint32_t vh_off, vh_size;
};

/* [fo, fo+n) must lie inside the file data; fo 0 means "no data". */
static int data_range(const struct region *g, uint32_t fo, uint64_t n, struct igvm_rec *r,
		      struct err *e)
{
	uint64_t start = (uint64_t)g->vh_off + g->vh_size;

	if (fo == 0)
		return 0;
	if (fo < start || fo > g->len || n > g->len - fo)
		return err_set(e, -ERR_FORMAT,
			       "file offset 0x%x + 0x%llx outside the file data [0x%llx, 0x%zx)",
			       fo, (unsigned long long)n, (unsigned long long)start, g->len);
	r->data = g->buf + fo;
	r->data_len = (uint32_t)n;
	return 0;
}

/* Decode the TLV at vh offset pos into r; *next = the following offset.
 * Checks framing, type, exact length, padding, reserved fields and file
 * ranges.  *warn collects IGVM_WARN_*. */
static int decode(const struct region *g, uint32_t pos, struct igvm_rec *r, uint32_t *next,
		  uint32_t *warn, struct err *e)
{
	const uint8_t *h = g->buf + g->vh_off + pos, *p;
	uint32_t left = g->vh_size - pos, type, len, padded, i;
	const struct vht_info *t;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->hdr_off = g->vh_off + pos;
	if (left < 8)
		return err_set(e, -ERR_FORMAT, "truncated header (%u bytes left)", left);
	type = le_ld32(h);
	len = le_ld32(h + 4);
	r->type = type;
	if (type & VH_TYPE_OPTIONAL)
		return err_set(e, -ERR_UNSUPPORTED,
			       "type 0x%x has bit 31 (optional) set: the igvm crate, Cloud "
			       "Hypervisor and QEMU refuse it", type);
	t = vht_find(type);
	if (!t)
		return err_set(e, -ERR_FORMAT, "unknown type 0x%x", type);
	if (len != t->len)
		return err_set(e, -ERR_FORMAT, "%s payload of %u bytes, expected %u", t->name,
			       len, t->len);
	padded = (len + 7u) & ~7u;
	if (padded > left - 8)
		return err_set(e, -ERR_FORMAT, "%s payload runs past the variable headers",
			       t->name);
	p = h + 8;
	for (i = len; i < padded; i++) {
		if (p[i] == 0)
			continue;
		if (type != IGVM_VHT_VP_CONTEXT)
			return err_set(e, -ERR_FORMAT, "%s: non-zero padding", t->name);
		*warn |= IGVM_WARN_VP_PADDING;
		break;
	}
	*next = pos + 8 + padded;
	if (t->mask_off >= 0)
		r->mask = le_ld32(p + t->mask_off);

	switch (type) {
	case IGVM_VHT_SUPPORTED_PLATFORM:
		r->highest_vtl = p[4];
		r->platform_type = p[5];
		r->platform_version = le_ld16(p + 6);
		r->shared_gpa_boundary = le_ld64(p + 8);
		break;
	case IGVM_VHT_GUEST_POLICY:
		r->policy = le_ld64(p);
		if (le_ld32(p + 12))
			rc = err_set(e, -ERR_FORMAT, "GUEST_POLICY: reserved field not zero");
		break;
	case IGVM_VHT_RELOCATABLE_REGION:
		r->vp_index = le_ld16(p + 4);
		r->gpa = le_ld64(p + 16);
		r->nbytes = le_ld64(p + 24);
		r->data = p;
		r->data_len = len;
		break;
	case IGVM_VHT_PAGE_TABLE_RELOCATION_REGION:
		r->vp_index = le_ld16(p + 4);
		r->gpa = le_ld64(p + 8);
		r->nbytes = le_ld64(p + 16);
		r->data = p;
		r->data_len = len;
		break;
	case IGVM_VHT_CORIM_DOCUMENT:
	case IGVM_VHT_CORIM_SIGNATURE:
		r->file_offset = le_ld32(p + 4);
		r->nbytes = le_ld32(p + 8);
		if (le_ld32(p + 12))
			rc = err_set(e, -ERR_FORMAT, "%s: reserved field not zero", t->name);
		else
			rc = data_range(g, r->file_offset, r->nbytes, r, e);
		break;
	case IGVM_VHT_CCA_POLICY:
	case IGVM_VHT_VBS_MEASUREMENT:
	case IGVM_VHT_SNP_ID_BLOCK:
		r->data = p;
		r->data_len = len;
		break;
	case IGVM_VHT_PARAMETER_AREA:
		r->nbytes = le_ld64(p);
		r->index = le_ld32(p + 8);
		r->file_offset = le_ld32(p + 12);
		rc = data_range(g, r->file_offset, r->nbytes, r, e);
		break;
	case IGVM_VHT_PAGE_DATA:
		r->gpa = le_ld64(p);
		r->file_offset = le_ld32(p + 12);
		r->flags = le_ld32(p + 16);
		r->data_type = le_ld16(p + 20);
		if (le_ld16(p + 22))
			rc = err_set(e, -ERR_FORMAT, "PAGE_DATA: reserved field not zero");
		else
			rc = data_range(g, r->file_offset, IGVM_PAGE, r, e);
		break;
	case IGVM_VHT_PARAMETER_INSERT:
		r->gpa = le_ld64(p);
		r->index = le_ld32(p + 12);
		break;
	case IGVM_VHT_VP_CONTEXT:
		r->gpa = le_ld64(p);
		r->file_offset = le_ld32(p + 12);
		r->vp_index = le_ld16(p + 16);
		if (le_ld16(p + 18))
			rc = err_set(e, -ERR_FORMAT, "VP_CONTEXT: reserved field not zero");
		else if (r->file_offset == 0)
			rc = err_set(e, -ERR_FORMAT, "VP_CONTEXT without file data");
		else
			rc = data_range(g, r->file_offset, IGVM_PAGE, r, e);
		break;
	case IGVM_VHT_REQUIRED_MEMORY:
		r->gpa = le_ld64(p);
		r->nbytes = le_ld32(p + 12);
		r->flags = le_ld32(p + 16);
		if (le_ld32(p + 20))
			rc = err_set(e, -ERR_FORMAT, "REQUIRED_MEMORY: reserved field not zero");
		break;
	case IGVM_VHT_ERROR_RANGE:
		r->gpa = le_ld64(p);
		r->nbytes = le_ld32(p + 12);
		break;
	default: /* the parameters */
		r->index = le_ld32(p);
		r->byte_offset = le_ld32(p + 4);
		break;
	}
	return rc;
}

/* ---- the rules between headers -------------------------------------------- */

void igvm_val_init(struct igvm_val *v)
{
	memset(v, 0, sizeof(*v));
	memset(v->ptype, -1, sizeof(v->ptype));
}

static int find_area(const struct igvm_val *v, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < v->n_areas; i++)
		if (v->areas[i].index == index)
			return (int)i;
	return -1;
}

static bool page_aligned(uint64_t x)
{
	return (x & (IGVM_PAGE - 1)) == 0;
}

static int val_platform(struct igvm_val *v, const struct igvm_rec *r, struct err *e)
{
	uint32_t m = r->mask;

	if (popcount32(m) != 1)
		return err_set(e, -ERR_FORMAT, "compatibility mask 0x%x must have exactly one bit",
			       m);
	if (v->platforms & m)
		return err_set(e, -ERR_FORMAT, "a second platform with mask 0x%x", m);
	if (r->highest_vtl != 0 && r->highest_vtl != 2)
		return err_set(e, -ERR_FORMAT, "highest_vtl %u (must be 0 or 2)", r->highest_vtl);
	if (r->platform_type > IGVM_PLATFORM_CCA)
		return err_set(e, -ERR_FORMAT, "unknown platform type %u", r->platform_type);
	if (v->ptypes & (1u << r->platform_type))
		return err_set(e, -ERR_FORMAT, "a second %s platform",
			       igvm_platform_name(r->platform_type));
	if (r->platform_version != 1)
		return err_set(e, -ERR_FORMAT, "platform version %u (must be 1)",
			       r->platform_version);
	if ((r->platform_type == IGVM_PLATFORM_NATIVE || r->platform_type == IGVM_PLATFORM_VSM) &&
	    r->shared_gpa_boundary != 0)
		return err_set(e, -ERR_FORMAT, "shared_gpa_boundary must be 0 for %s",
			       igvm_platform_name(r->platform_type));
	v->platforms |= m;
	v->ptypes |= 1u << r->platform_type;
	v->ptype[bit_index(m)] = (int8_t)r->platform_type;
	return 0;
}

static int val_vp_context(const struct igvm_val *v, const struct igvm_rec *r, struct err *e)
{
	uint32_t i;
	int pt;

	if (popcount32(r->mask) != 1)
		return err_set(e, -ERR_FORMAT, "mask 0x%x must name exactly one platform", r->mask);
	if (!r->data)
		return err_set(e, -ERR_FORMAT, "VP_CONTEXT without data");
	pt = v->ptype[bit_index(r->mask)];
	switch (pt) {
	case IGVM_PLATFORM_SEV_SNP:
	case IGVM_PLATFORM_SEV_ES:
		return 0;
	case IGVM_PLATFORM_NATIVE:
	case IGVM_PLATFORM_SEV:
		for (i = IGVM_NATIVE_VP_LEN; i < IGVM_PAGE; i++)
			if (r->data[i])
				return err_set(e, -ERR_FORMAT,
					       "native context: byte 0x%x after the 0x%x-byte "
					       "context is not zero", i, IGVM_NATIVE_VP_LEN);
		return 0;
	case IGVM_PLATFORM_TDX:
		return err_set(e, -ERR_FORMAT, "TDX has no VP context (architectural reset state)");
	default:
		return err_set(e, -ERR_UNSUPPORTED, "%s VP context not supported",
			       igvm_platform_name((unsigned)pt));
	}
}

static int val_area_use(struct igvm_val *v, const struct igvm_rec *r, struct err *e)
{
	int a = find_area(v, r->index);

	if (a < 0)
		return err_set(e, -ERR_FORMAT, "parameter area %u is not declared", r->index);
	if (v->areas[a].inserted)
		return err_set(e, -ERR_FORMAT, "parameter area %u already inserted", r->index);
	if (r->type == IGVM_VHT_PARAMETER_INSERT) {
		if (v->areas[a].nbytes - 1 > UINT64_MAX - r->gpa)
			return err_set(e, -ERR_FORMAT, "area at 0x%llx wraps the address space",
				       (unsigned long long)r->gpa);
		v->areas[a].inserted = 1;
	} else if (r->byte_offset >= v->areas[a].nbytes) {
		return err_set(e, -ERR_FORMAT, "byte offset 0x%x beyond parameter area %u "
			       "(0x%llx bytes)", r->byte_offset, r->index,
			       (unsigned long long)v->areas[a].nbytes);
	}
	return 0;
}

int igvm_val_rec(struct igvm_val *v, const struct igvm_rec *r, struct err *e)
{
	const struct vht_info *t = vht_find(r->type);
	unsigned sec = section_of(r->type);

	if (!t)
		return err_set(e, -ERR_FORMAT, "unknown type 0x%x", r->type);
	if (sec < v->stage)
		return err_set(e, -ERR_FORMAT, "%s header after the %s section",
			       section_names[sec], section_names[v->stage]);
	if (sec > 0 && v->platforms == 0)
		return err_set(e, -ERR_FORMAT, "no SUPPORTED_PLATFORM header before it");
	v->stage = sec;
	if (r->type == IGVM_VHT_SUPPORTED_PLATFORM)
		return val_platform(v, r, e);
	if (t->mask_off >= 0) {
		if (r->mask == 0)
			return err_set(e, -ERR_FORMAT, "compatibility mask 0");
		if (r->mask & ~v->platforms)
			return err_set(e, -ERR_FORMAT,
				       "compatibility mask 0x%x names undeclared platforms "
				       "(declared 0x%x)", r->mask, v->platforms);
	}
	switch (r->type) {
	case IGVM_VHT_PAGE_DATA:
		if (!page_aligned(r->gpa))
			return err_set(e, -ERR_FORMAT, "gpa 0x%llx not page aligned",
				       (unsigned long long)r->gpa);
		if (r->flags & ~(IGVM_PAGEF_2MB | IGVM_PAGEF_UNMEASURED | IGVM_PAGEF_SHARED))
			return err_set(e, -ERR_FORMAT, "reserved flags 0x%x", r->flags);
		if (r->flags & IGVM_PAGEF_2MB)
			return err_set(e, -ERR_UNSUPPORTED, "2 MiB pages are not supported "
				       "(the igvm crate reads 4 KiB per PAGE_DATA)");
		if (r->data_type > IGVM_PAGE_CPUID_XF)
			return err_set(e, -ERR_FORMAT, "unknown data type %u", r->data_type);
		return 0;
	case IGVM_VHT_PARAMETER_AREA:
		if (r->nbytes == 0 || !page_aligned(r->nbytes))
			return err_set(e, -ERR_FORMAT, "size 0x%llx not a positive multiple of 4 KiB",
				       (unsigned long long)r->nbytes);
		if (r->nbytes > IGVM_MAX_AREA_BYTES)
			return err_set(e, -ERR_LIMIT, "size 0x%llx above the %u MiB limit",
				       (unsigned long long)r->nbytes, IGVM_MAX_AREA_BYTES >> 20);
		if (find_area(v, r->index) >= 0)
			return err_set(e, -ERR_FORMAT, "parameter area %u declared twice", r->index);
		if (v->n_areas == IGVM_MAX_AREAS)
			return err_set(e, -ERR_LIMIT, "more than %u parameter areas", IGVM_MAX_AREAS);
		v->areas[v->n_areas].index = r->index;
		v->areas[v->n_areas].inserted = 0;
		v->areas[v->n_areas].nbytes = r->nbytes;
		v->n_areas++;
		return 0;
	case IGVM_VHT_PARAMETER_INSERT:
		if (!page_aligned(r->gpa))
			return err_set(e, -ERR_FORMAT, "gpa 0x%llx not page aligned",
				       (unsigned long long)r->gpa);
		return val_area_use(v, r, e);
	case IGVM_VHT_VP_CONTEXT:
		if (!page_aligned(r->gpa))
			return err_set(e, -ERR_FORMAT, "gpa 0x%llx not page aligned",
				       (unsigned long long)r->gpa);
		return val_vp_context(v, r, e);
	case IGVM_VHT_REQUIRED_MEMORY:
	case IGVM_VHT_ERROR_RANGE:
		if (!page_aligned(r->gpa) || !page_aligned(r->nbytes))
			return err_set(e, -ERR_FORMAT, "range 0x%llx+0x%llx not page aligned",
				       (unsigned long long)r->gpa, (unsigned long long)r->nbytes);
		if (r->type == IGVM_VHT_REQUIRED_MEMORY && (r->flags & ~1u))
			return err_set(e, -ERR_FORMAT, "reserved flags 0x%x", r->flags);
		return 0;
	case IGVM_VHT_SNP_ID_BLOCK:
		if (v->id_blocks & r->mask)
			return err_set(e, -ERR_FORMAT, "a second SNP_ID_BLOCK for mask 0x%x",
				       v->id_blocks & r->mask);
		v->id_blocks |= r->mask;
		return 0;
	default:
		return is_param(r->type) ? val_area_use(v, r, e) : 0;
	}
}

int igvm_val_end(const struct igvm_val *v, struct err *e)
{
	if (v->platforms == 0)
		return err_set(e, -ERR_FORMAT, "no SUPPORTED_PLATFORM header");
	return 0;
}

/* ---- open / iterate --------------------------------------------------------- */

static struct region region_of(const struct igvm_file *f)
{
	struct region g = { f->buf, f->len, f->vh_off, f->vh_size };

	return g;
}

int igvm_open(struct igvm_file *f, const uint8_t *buf, size_t len, struct err *e)
{
	uint8_t fixed[32];
	uint32_t fixed_len, total, pos = 0, next = 0, crc;
	struct igvm_val v;
	struct igvm_rec r;
	struct region g;
	int rc;

	memset(f, 0, sizeof(*f));
	if (len < IGVM_FIXED_HDR_V1)
		return err_set(e, -ERR_FORMAT, "%zu bytes: shorter than the fixed header", len);
	if (le_ld32(buf) != IGVM_MAGIC)
		return err_set(e, -ERR_FORMAT, "bad magic 0x%08x (not an IGVM file)", le_ld32(buf));
	f->version = le_ld32(buf + 4);
	if (f->version != 1 && f->version != 2)
		return err_set(e, -ERR_UNSUPPORTED, "format version %u", f->version);
	fixed_len = f->version == 1 ? IGVM_FIXED_HDR_V1 : 32;
	if (len < fixed_len)
		return err_set(e, -ERR_FORMAT, "%zu bytes: shorter than the v2 fixed header", len);
	if (f->version == 2 && (le_ld32(buf + 24) > 1 || le_ld32(buf + 28) != IGVM_PAGE))
		return err_set(e, -ERR_UNSUPPORTED, "v2 architecture %u, page size 0x%x",
			       le_ld32(buf + 24), le_ld32(buf + 28));
	f->vh_off = le_ld32(buf + 8);
	f->vh_size = le_ld32(buf + 12);
	total = le_ld32(buf + 16);
	f->checksum = le_ld32(buf + 20);
	if (total != len)
		return err_set(e, -ERR_FORMAT, "total_file_size %u but the file has %zu bytes",
			       total, len);
	if (f->vh_off < fixed_len || f->vh_off % 8)
		return err_set(e, -ERR_FORMAT, "variable header offset %u (must be >= %u and "
			       "a multiple of 8)", f->vh_off, fixed_len);
	if (f->vh_size % 8)
		return err_set(e, -ERR_FORMAT, "variable header size %u not a multiple of 8",
			       f->vh_size);
	if ((uint64_t)f->vh_off + f->vh_size > len)
		return err_set(e, -ERR_FORMAT, "variable headers [%u, +%u) run past the file end %zu",
			       f->vh_off, f->vh_size, len);
	if ((uint64_t)f->vh_off + f->vh_size == len)
		return err_set(e, -ERR_FORMAT, "no file data after the variable headers "
			       "(the igvm crate refuses such a file)");
	memcpy(fixed, buf, fixed_len);
	memset(fixed + 20, 0, 4);
	crc = igvm_crc32(0, fixed, fixed_len);
	crc = igvm_crc32(crc, buf + f->vh_off, f->vh_size);
	if (crc != f->checksum)
		return err_set(e, -ERR_FORMAT, "checksum 0x%08x, computed 0x%08x", f->checksum,
			       crc);
	f->buf = buf;
	f->len = len;
	g = region_of(f);
	igvm_val_init(&v);
	while (pos < f->vh_size) {
		rc = decode(&g, pos, &r, &next, &f->warnings, e);
		if (rc == 0)
			rc = igvm_val_rec(&v, &r, e);
		if (rc < 0) {
			f->buf = NULL;
			return err_wrap(e, rc, "header %u at 0x%x (%s)", f->n_headers, r.hdr_off,
					tname(r.type));
		}
		if (r.type == IGVM_VHT_SUPPORTED_PLATFORM)
			f->platforms |= r.mask;
		f->n_headers++;
		pos = next;
	}
	rc = igvm_val_end(&v, e);
	if (rc < 0)
		f->buf = NULL;
	return rc;
}

int igvm_next(const struct igvm_file *f, uint32_t *pos, struct igvm_rec *rec)
{
	struct region g = region_of(f);
	uint32_t next = 0, warn = 0;

	if (!f->buf || *pos >= f->vh_size)
		return 0;
	if (decode(&g, *pos, rec, &next, &warn, NULL) < 0)
		return 0;   /* cannot happen on an opened file */
	*pos = next;
	return 1;
}

/* ---- queries --------------------------------------------------------------- */

uint32_t igvm_platform_mask(const struct igvm_file *f, unsigned platform_type)
{
	struct igvm_rec r;
	uint32_t pos = 0;

	while (igvm_next(f, &pos, &r) && r.type == IGVM_VHT_SUPPORTED_PLATFORM)
		if (r.platform_type == platform_type)
			return r.mask;
	return 0;
}

int igvm_mask_platform(const struct igvm_file *f, uint32_t mask)
{
	struct igvm_rec r;
	uint32_t pos = 0;

	while (igvm_next(f, &pos, &r) && r.type == IGVM_VHT_SUPPORTED_PLATFORM)
		if (r.mask == mask)
			return r.platform_type;
	return -1;
}

uint64_t igvm_area_size(const struct igvm_file *f, uint32_t index, uint32_t before)
{
	struct igvm_rec r;
	uint32_t pos = 0;

	while (igvm_next(f, &pos, &r) && r.hdr_off < before)
		if (r.type == IGVM_VHT_PARAMETER_AREA && r.index == index)
			return r.nbytes;
	return 0;
}

size_t igvm_page_count(const struct igvm_file *f)
{
	struct igvm_rec r;
	uint32_t pos = 0;
	size_t n = 0;

	while (igvm_next(f, &pos, &r)) {
		if (r.type == IGVM_VHT_PAGE_DATA || r.type == IGVM_VHT_VP_CONTEXT)
			n++;
		else if (r.type == IGVM_VHT_PARAMETER_INSERT)
			n += (size_t)(igvm_area_size(f, r.index, r.hdr_off) / IGVM_PAGE);
	}
	return n;
}

static void sift(uint64_t *a, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		uint64_t t;

		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[i] >= a[c])
			return;
		t = a[i];
		a[i] = a[c];
		a[c] = t;
		i = c;
	}
}

static void heapsort_u64(uint64_t *a, size_t n)
{
	size_t i;
	uint64_t t;

	for (i = n / 2; i-- > 0;)
		sift(a, i, n);
	for (i = n; i-- > 1;) {
		t = a[0];
		a[0] = a[i];
		a[i] = t;
		sift(a, 0, i);
	}
}

/* GPAs of the pages placed for platform bit `m`, into a[]; returns the count. */
static size_t collect_pages(const struct igvm_file *f, uint32_t m, int ptype, uint64_t *a)
{
	struct igvm_rec r;
	uint32_t pos = 0;
	uint64_t k, n_area;
	size_t n = 0;

	while (igvm_next(f, &pos, &r)) {
		if (!(r.mask & m))
			continue;
		if (r.type == IGVM_VHT_PAGE_DATA ||
		    (r.type == IGVM_VHT_VP_CONTEXT &&
		     (ptype == IGVM_PLATFORM_SEV_SNP || ptype == IGVM_PLATFORM_SEV_ES))) {
			a[n++] = r.gpa;
		} else if (r.type == IGVM_VHT_PARAMETER_INSERT) {
			n_area = igvm_area_size(f, r.index, r.hdr_off) / IGVM_PAGE;
			for (k = 0; k < n_area; k++)
				a[n++] = r.gpa + k * IGVM_PAGE;
		}
	}
	return n;
}

int igvm_check_overlap(const struct igvm_file *f, uint64_t *scratch, size_t n_scratch,
		       struct err *e)
{
	size_t need = igvm_page_count(f), n, i;
	int b;

	if (n_scratch < need)
		return err_set(e, -ERR_LIMIT, "overlap check needs %zu scratch slots, got %zu",
			       need, n_scratch);
	for (b = 0; b < 32; b++) {
		uint32_t m = 1u << b;

		if (!(f->platforms & m))
			continue;
		n = collect_pages(f, m, igvm_mask_platform(f, m), scratch);
		heapsort_u64(scratch, n);
		for (i = 1; i < n; i++)
			if (scratch[i] == scratch[i - 1])
				return err_set(e, -ERR_FORMAT,
					       "page 0x%llx placed twice for platform %s (mask 0x%x)",
					       (unsigned long long)scratch[i],
					       igvm_platform_name((unsigned)igvm_mask_platform(f, m)),
					       m);
	}
	return 0;
}
