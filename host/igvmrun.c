/* igvmrun: see igvmrun.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/le.h"
#include "boot/stub_abi.h"
#include "host/igvmrun.h"
#include "host/util.h"
#include "igvm/igvm.h"

#define IGVMRUN_FILE_MAX (1ull << 31)
#define IGVMRUN_AREAS_MAX 8
#define BIOS_SIZE 0x10000ull
#define BIOS_BASE ((1ull << 32) - BIOS_SIZE)

struct page {
	uint64_t gpa;
	const uint8_t *data;     /* 4096 bytes, or NULL for zeros */
};

struct area {
	bool declared, inserted;
	uint64_t nbytes;
	uint8_t *buf;
};

struct load {
	const struct igvm_file *f;
	uint32_t mask;
	unsigned cpus;
	struct qemu_ram ram[2];
	unsigned n_ram;
	struct area areas[IGVMRUN_AREAS_MAX];
	struct page *pages;
	size_t n_pages, cap_pages;
};

static const uint8_t zero_page[IGVM_PAGE];

void igvmrun_init(struct igvmrun *g)
{
	memset(g, 0, sizeof(*g));
	g->bios_fd = -1;
	for (unsigned i = 0; i < IGVMRUN_BLOBS_MAX; i++)
		g->fds[i] = -1;
}

void igvmrun_free(struct igvmrun *g)
{
	if (!g)
		return;
	if (g->bios_fd >= 0)
		close(g->bios_fd);
	for (unsigned i = 0; i < IGVMRUN_BLOBS_MAX; i++)
		if (g->fds[i] >= 0)
			close(g->fds[i]);
	igvmrun_init(g);
}

static int add_page(struct load *l, uint64_t gpa, const uint8_t *data, struct err *e)
{
	if (l->n_pages == l->cap_pages) {
		size_t cap = l->cap_pages ? 2 * l->cap_pages : 1024;
		struct page *p = realloc(l->pages, cap * sizeof(*p));

		if (!p)
			return err_set(e, -ENOMEM, "out of memory");
		l->pages = p;
		l->cap_pages = cap;
	}
	l->pages[l->n_pages].gpa = gpa;
	l->pages[l->n_pages].data = data;
	l->n_pages++;
	return 0;
}

static struct area *area_get(struct load *l, uint32_t index, struct err *e)
{
	if (index >= IGVMRUN_AREAS_MAX || !l->areas[index].declared) {
		err_set(e, -ERR_FORMAT, "parameter area %u is not declared", index);
		return NULL;
	}
	return &l->areas[index];
}

/* A parameter the loader writes: the vCPU count, the memory map, the
 * environment (memory is not shared).  Others are not supported here. */
static int write_param(struct load *l, const struct igvm_rec *r, struct err *e)
{
	struct area *a = area_get(l, r->index, e);
	uint64_t need;

	if (!a)
		return -ERR_FORMAT;
	switch (r->type) {
	case IGVM_VHT_VP_COUNT_PARAMETER:
	case IGVM_VHT_ENVIRONMENT_INFO:
		if ((uint64_t)r->byte_offset + 4 > a->nbytes)
			return err_set(e, -ERR_FORMAT, "parameter outside its area");
		le_st32(a->buf + r->byte_offset, r->type == IGVM_VHT_VP_COUNT_PARAMETER ? l->cpus : 0);
		return 0;
	case IGVM_VHT_MEMORY_MAP:
		need = (uint64_t)r->byte_offset + 24ull * (l->n_ram + 1);
		if (need > a->nbytes)
			return err_set(e, -ERR_LIMIT, "the memory map does not fit its area");
		for (unsigned i = 0; i < l->n_ram; i++) {
			uint8_t *m = a->buf + r->byte_offset + 24 * i;

			le_st64(m, l->ram[i].base / IGVM_PAGE);
			le_st64(m + 8, l->ram[i].size / IGVM_PAGE);
			/* type 0 MEMORY, flags 0 */
		}
		return 0;
	default:
		return err_set(e, -ERR_UNSUPPORTED,
			       "parameter type 0x%x is not supported by this loader", r->type);
	}
}

static int load_rec(struct load *l, const struct igvm_rec *r, struct err *e)
{
	struct area *a;

	if (r->mask && !(r->mask & l->mask))
		return 0;    /* another platform's */
	switch (r->type) {
	case IGVM_VHT_SUPPORTED_PLATFORM:
	case IGVM_VHT_GUEST_POLICY:
	case IGVM_VHT_SNP_ID_BLOCK:
		return 0;
	case IGVM_VHT_REQUIRED_MEMORY:
		for (unsigned i = 0; i < l->n_ram; i++)
			if (r->gpa >= l->ram[i].base &&
			    r->gpa + r->nbytes <= l->ram[i].base + l->ram[i].size)
				return 0;
		return err_set(e, -ERR_LIMIT,
			       "the file requires memory [0x%llx, +0x%llx): give more --memory",
			       (unsigned long long)r->gpa, (unsigned long long)r->nbytes);
	case IGVM_VHT_PAGE_DATA:
		if (r->flags & IGVM_PAGEF_2MB)
			return err_set(e, -ERR_UNSUPPORTED, "2 MiB pages are not supported");
		return add_page(l, r->gpa, r->data, e);
	case IGVM_VHT_PARAMETER_AREA:
		if (r->index >= IGVMRUN_AREAS_MAX || l->areas[r->index].declared)
			return err_set(e, -ERR_LIMIT, "parameter area %u: index out of range",
				       r->index);
		if (r->nbytes == 0 || r->nbytes > (1u << 20) || r->nbytes % IGVM_PAGE)
			return err_set(e, -ERR_FORMAT, "parameter area of %llu bytes",
				       (unsigned long long)r->nbytes);
		a = &l->areas[r->index];
		a->buf = calloc(1, r->nbytes);
		if (!a->buf)
			return err_set(e, -ENOMEM, "out of memory");
		if (r->data)
			memcpy(a->buf, r->data, r->nbytes);
		a->nbytes = r->nbytes;
		a->declared = true;
		return 0;
	case IGVM_VHT_VP_COUNT_PARAMETER:
	case IGVM_VHT_MEMORY_MAP:
	case IGVM_VHT_ENVIRONMENT_INFO:
	case IGVM_VHT_SRAT:
	case IGVM_VHT_MADT:
	case IGVM_VHT_MMIO_RANGES:
	case IGVM_VHT_COMMAND_LINE:
	case IGVM_VHT_SLIT:
	case IGVM_VHT_PPTT:
	case IGVM_VHT_DEVICE_TREE:
		return write_param(l, r, e);
	case IGVM_VHT_PARAMETER_INSERT:
		a = area_get(l, r->index, e);
		if (!a)
			return -ERR_FORMAT;
		if (a->inserted)
			return err_set(e, -ERR_FORMAT, "parameter area %u inserted twice", r->index);
		a->inserted = true;
		for (uint64_t off = 0; off < a->nbytes; off += IGVM_PAGE) {
			int rc = add_page(l, r->gpa + off, a->buf + off, e);

			if (rc < 0)
				return rc;
		}
		return 0;
	case IGVM_VHT_VP_CONTEXT:
		return err_set(e, -ERR_UNSUPPORTED,
			       "a native VP context (the CPU must start at the reset vector here)");
	default:
		return err_set(e, -ERR_UNSUPPORTED, "header type 0x%x is not supported by this loader",
			       r->type);
	}
}

static int cmp_page(const void *a, const void *b)
{
	const struct page *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static bool in_ram(const struct load *l, uint64_t gpa)
{
	if (gpa >= 0xA0000 && gpa < 0x100000)
		return false;     /* VGA and ROM window of the PC */
	for (unsigned i = 0; i < l->n_ram; i++)
		if (gpa >= l->ram[i].base && gpa - l->ram[i].base < l->ram[i].size)
			return true;
	return false;
}

static int new_blob(struct igvmrun *g, uint64_t gpa, int *fd, struct err *e)
{
	if (g->n == IGVMRUN_BLOBS_MAX)
		return err_set(e, -ERR_LIMIT, "more than %d runs of pages", IGVMRUN_BLOBS_MAX);
	*fd = util_tmpfile(e);
	if (*fd < 0)
		return *fd;
	g->fds[g->n] = *fd;
	g->addrs[g->n] = gpa;
	snprintf(g->paths[g->n], sizeof(g->paths[g->n]), "/proc/self/fd/%d", *fd);
	g->n++;
	return 0;
}

/* Pages sorted by GPA: the top 64 KiB into the -bios image, the rest into
 * one file per run of contiguous pages. */
static int write_runs(struct igvmrun *g, struct load *l, struct err *e)
{
	static uint8_t bios[BIOS_SIZE];
	uint64_t next = 0;
	bool have_bios = false;
	int fd = -1, rc;

	memset(bios, 0, sizeof(bios));
	for (size_t i = 0; i < l->n_pages; i++) {
		const struct page *p = &l->pages[i];
		const uint8_t *d = p->data ? p->data : zero_page;

		if (i > 0 && p->gpa == l->pages[i - 1].gpa)
			return err_set(e, -ERR_FORMAT, "page 0x%llx placed twice",
				       (unsigned long long)p->gpa);
		if (p->gpa >= BIOS_BASE && p->gpa < (1ull << 32)) {
			memcpy(bios + (p->gpa - BIOS_BASE), d, IGVM_PAGE);
			have_bios = true;
			continue;
		}
		if (!in_ram(l, p->gpa))
			return err_set(e, -ERR_UNSUPPORTED,
				       "page 0x%llx is outside the RAM of the q35 machine",
				       (unsigned long long)p->gpa);
		if (fd < 0 || p->gpa != next) {
			rc = new_blob(g, p->gpa, &fd, e);
			if (rc < 0)
				return rc;
		}
		rc = util_write_all(fd, d, IGVM_PAGE);
		if (rc < 0)
			return err_set(e, rc, "writing a page run: %s", strerror(-rc));
		next = p->gpa + IGVM_PAGE;
		g->pages++;
	}
	if (!have_bios)
		return err_set(e, -ERR_FORMAT,
			       "no page below 4 GiB holds a reset vector (a native file starts there)");
	g->bios_fd = util_tmpfile(e);
	if (g->bios_fd < 0)
		return g->bios_fd;
	rc = util_write_all(g->bios_fd, bios, sizeof(bios));
	if (rc < 0)
		return err_set(e, rc, "writing the firmware image: %s", strerror(-rc));
	snprintf(g->bios_path, sizeof(g->bios_path), "/proc/self/fd/%d", g->bios_fd);
	g->pages += BIOS_SIZE / IGVM_PAGE;
	return 0;
}

/* The measured command line of our layout: boot_params at its fixed GPA,
 * cmd_line_ptr at 0x228. */
static void find_cmdline(struct igvmrun *g, const struct load *l)
{
	const uint8_t *zp = NULL;
	uint32_t ptr;

	g->cmdline[0] = '\0';
	for (size_t i = 0; i < l->n_pages; i++)
		if (l->pages[i].gpa == STUB_GPA_ZERO_PAGE)
			zp = l->pages[i].data;
	if (!zp || memcmp(zp + 0x202, "HdrS", 4) != 0)
		return;
	ptr = (uint32_t)zp[0x228] | (uint32_t)zp[0x229] << 8 | (uint32_t)zp[0x22A] << 16 |
	      (uint32_t)zp[0x22B] << 24;
	for (size_t i = 0; i < l->n_pages; i++) {
		const struct page *p = &l->pages[i];

		if (p->data && p->gpa == (ptr & ~(uint64_t)(IGVM_PAGE - 1))) {
			size_t off = ptr & (IGVM_PAGE - 1), n = 0;

			while (off + n < IGVM_PAGE && p->data[off + n] && n + 1 < sizeof(g->cmdline))
				n++;
			memcpy(g->cmdline, p->data + off, n);
			g->cmdline[n] = '\0';
		}
	}
}

int igvmrun_prepare(struct igvmrun *g, const char *path, unsigned cpus, unsigned memory_mib,
		    struct err *e)
{
	struct igvm_file f;
	struct load l;
	struct igvm_rec r;
	uint32_t pos = 0;
	struct util_map map;
	int rc;

	memset(&l, 0, sizeof(l));
	rc = util_map(path, IGVMRUN_FILE_MAX, &map, e);
	if (rc < 0)
		return err_wrap(e, rc, "igvm");
	rc = igvm_open(&f, map.p, map.len, e);
	if (rc < 0)
		goto out;
	l.f = &f;
	l.cpus = cpus;
	qemu_q35_ram(memory_mib, l.ram, &l.n_ram);
	while (igvm_next(&f, &pos, &r) == 1)
		if (r.type == IGVM_VHT_SUPPORTED_PLATFORM && r.platform_type == IGVM_PLATFORM_NATIVE)
			l.mask = r.mask;
	if (!l.mask) {
		rc = err_set(e, -ERR_UNSUPPORTED, "no native platform in the file (build it with "
			     "--platform native; SNP files need an SNP host)");
		goto out;
	}
	pos = 0;
	while (igvm_next(&f, &pos, &r) == 1) {
		rc = load_rec(&l, &r, e);
		if (rc < 0)
			goto out;
	}
	qsort(l.pages, l.n_pages, sizeof(l.pages[0]), cmp_page);
	find_cmdline(g, &l);
	rc = write_runs(g, &l, e);
out:
	if (rc < 0)
		err_wrap(e, rc, "igvm %s", path);
	for (unsigned i = 0; i < IGVMRUN_AREAS_MAX; i++)
		free(l.areas[i].buf);
	free(l.pages);
	util_unmap(&map);
	return rc;
}

void igvmrun_to_qemu(const struct igvmrun *g, struct qemu_cfg *cfg)
{
	cfg->bios = g->bios_path;
	cfg->n_blobs = g->n;
	for (unsigned i = 0; i < g->n; i++) {
		cfg->blobs[i].file = g->paths[i];
		cfg->blobs[i].addr = g->addrs[i];
	}
}
