// SPDX-License-Identifier: BSD-2-Clause
/*
 * Deterministic counts (`make bench`): what each unmap costs in
 * invalidation descriptors, waits and register accesses, and what each
 * map costs in cache-line flushes and fences on a unit without page-walk
 * coherency (ECAP.C = 0, as QEMU reports). Counted on the DMAR model, so
 * the numbers are the same on every run and every machine.
 *
 * Targets (issue "DMA remapping core"): one wait and at most two
 * page-selective IOTLB descriptors per contiguous range (or one
 * domain-selective); lines flushed equal distinct dirty lines; one fence
 * per operation. Each row says whether it met them; the target lines at
 * the end (tests/bench/verdict.h) count the rows. A count has no machine
 * probe: it is the same on every machine, so a miss is a regression.
 *
 * The page-table engine's memory traffic is counted too: the distinct
 * table cache lines each operation of tests/bench/bench_pt_sl.c reads and
 * writes, beside the floor any implementation of the same contract must
 * touch. This program links vtd/pt_sl.c and vtd/pt_fl.c built with
 * VTD_PT_COUNT_LINES = 1 (tests/bench/counts.mk), whose every table
 * access calls vtd_pt_count_line() below.
 */
#include <stdio.h>
#include <stdlib.h>

#include <vtd/domain.h>

#include "bench/pt_formats.h"
#include "bench/verdict.h"
#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"
#include "fakes/sl_walk.h"
#include "unit.h"

#define BASE	0xfed90000ULL
#define SID	0x0018

static struct fake_dmar dmar;

/* Rows that met each target, and rows checked. */
enum { T_WAIT, T_DESC, T_LINES, T_FENCE, T_PT_LINES, TARGET_COUNT };
static unsigned int met[TARGET_COUNT], rows[TARGET_COUNT];

static bool tally(int target, bool ok)
{
	rows[target]++;
	met[target] += ok;
	return ok;
}

static struct vtd_unit *unit_up(u64 cap, u64 ecap)
{
	struct vtd_dmar_drhd drhd = { .reg_base = BASE, .reg_size = 0x1000 };
	struct vtd_unit *u;

	if (fake_dmar_init(&dmar, BASE, cap, ecap) ||
	    vtd_unit_create(&drhd, NULL, &u) || vtd_unit_enable(u)) {
		fprintf(stderr, "bring-up failed\n");
		exit(1);
	}
	return u;
}

static int unmap_counts(const char *mode, u64 cap, u64 ecap)
{
	static const u64 counts[] = { 1, 2, 3, 16, 255, 256, 512, 513 };
	struct vtd_unit *u = unit_up(cap, ecap);
	struct vtd_domain *d;
	unsigned int i, k, j;
	int bad = 0;

	if (vtd_domain_create(u, VTD_DOMAIN_PAGING, 0, &d) ||
	    vtd_device_attach(u, SID, d, NULL))
		exit(1);
	printf("\n%s: unmap of N 4 KiB pages\n", mode);
	printf("%6s %-9s %6s %6s %6s %6s %6s  %s\n", "N", "alignment",
	       "desc", "waits", "psi", "dsi", "mmio", "target");
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		for (k = 0; k < 2; k++) {
			u64 iova = 0x40000000ULL + (k ? 0x3000 : 0);
			u64 size = counts[i] << 12;
			unsigned int desc = 0, waits = 0, psi = 0, dsi = 0;
			u64 mmio;
			bool ok;

			if (vtd_domain_map(d, vtd_iova_init(iova),
					   hal_paddr_init(0x80000000ULL + iova),
					   size, VTD_PROT_READ))
				exit(1);
			fake_dmar_log_clear(&dmar);
			mmio = fake_mmio_access_count();
			if (vtd_domain_unmap(d, vtd_iova_init(iova), size))
				exit(1);
			mmio = fake_mmio_access_count() - mmio;
			for (j = 0; j < dmar.log_len; j++) {
				const struct fake_dmar_desc *x = &dmar.log[j];

				if (fake_dmar_desc_type(x) == 5) {
					waits++;
					continue;
				}
				desc++;
				if (((x->qw[0] >> 4) & 3) == 3)
					psi++;
				else if (((x->qw[0] >> 4) & 3) == 2)
					dsi++;
			}
			ok = tally(T_WAIT, waits == 1);
			ok &= tally(T_DESC, (psi <= 2 && dsi == 0) ||
					    (psi == 0 && dsi == 1));
			bad |= !ok;
			printf("%6llu %-9s %6u %6u %6u %6u %6llu  %s\n",
			       (unsigned long long)counts[i],
			       k ? "unaligned" : "aligned", desc + waits,
			       waits, psi, dsi, (unsigned long long)mmio,
			       ok ? "met" : "MISSED");
		}
	}
	vtd_device_detach(u, SID);
	vtd_domain_destroy(d);
	vtd_unit_destroy(u);
	fake_dmar_fini(&dmar);
	return bad;
}

/* Map costs with ECAP.C = 0: lines flushed vs lines the map dirtied. */
static int flush_counts(void)
{
	static const u64 counts[] = { 1, 16, 512, 513, 4096 };
	struct vtd_unit *u = unit_up(FAKE_DMAR_QEMU_CAP_SM,
				     FAKE_DMAR_QEMU_ECAP_SM);
	struct vtd_domain *d;
	struct sl_walk_cfg cfg = {
		.levels = 4, .aw = 48, .haw = 52, .lp_2m = true,
		.lp_1g = true,
	};
	static struct pt_walk_result walk;
	struct pt_snapshot before, after;
	struct fake_cache_stats cs;
	static const void *dirty[65536];
	u64 root_pa;
	unsigned int i;
	int bad = 0;

	if (vtd_domain_create(u, VTD_DOMAIN_PAGING, 48, &d))
		exit(1);
	/* The root table address, via a lookup-free route: the walk of the
	 * PASID entry is the library's; the table pages are the walker's. */
	{
		struct vtd_translation t;

		vtd_device_attach(u, SID, d, NULL);
		vtd_domain_map(d, vtd_iova_init(0), hal_paddr_init(0), 0x1000,
			       VTD_PROT_READ);
		vtd_translate(u, SID, VTD_NO_PASID, vtd_iova_init(0),
			      VTD_PROT_READ, &t);
		vtd_domain_unmap(d, vtd_iova_init(0), 0x1000);
	}
	root_pa = 0;
	{
		const u64 *root = fake_phys_to_virt_checked(
			dmar.rtaddr_active & ~0xfffULL, 4096);
		const u64 *ctx = fake_phys_to_virt_checked(root[0] & ~0xfffULL,
							   4096);
		const u64 *dir = fake_phys_to_virt_checked(
			ctx[4 * (SID & 0xff)] & ~0xfffULL, 8);
		const u64 *pe = fake_phys_to_virt_checked(dir[0] & ~0xfffULL,
							  64);

		root_pa = pe[0] & ~0xfffULL;
	}
	printf("\nECAP.C = 0: map of N 4 KiB pages at a sparse IOVA\n");
	printf("%6s %8s %8s %7s  %s\n", "N", "dirty", "flushed", "fences",
	       "target");
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		u64 iova = (0x100000000ULL * (i + 1)) + 0x5000;
		size_t nd;
		bool ok;

		sl_walk(&cfg, root_pa, NULL, NULL, &walk);
		pt_snapshot_take(&before, &walk);
		fake_cache_reset();
		if (vtd_domain_map(d, vtd_iova_init(iova),
				   hal_paddr_init(0x10000000 + 0x5000),
				   counts[i] << 12, VTD_PROT_READ))
			exit(1);
		fake_cache_stats(&cs);
		sl_walk(&cfg, root_pa, NULL, NULL, &walk);
		pt_snapshot_take(&after, &walk);
		nd = pt_snapshot_dirty_lines(&before, &after, dirty,
					     sizeof(dirty) / sizeof(dirty[0]));
		/* Caching mode adds a wait; its queue writes flush nothing. */
		ok = tally(T_LINES, cs.lines_flushed == nd);
		ok &= tally(T_FENCE, cs.fences == 1);
		bad |= !ok;
		printf("%6llu %8zu %8llu %7llu  %s\n",
		       (unsigned long long)counts[i], nd,
		       (unsigned long long)cs.lines_flushed,
		       (unsigned long long)cs.fences, ok ? "met" : "MISSED");
		pt_snapshot_free(&before);
		pt_snapshot_free(&after);
	}
	vtd_device_detach(u, SID);
	vtd_domain_destroy(d);
	vtd_unit_destroy(u);
	fake_dmar_fini(&dmar);
	return bad;
}

/* ---- Table cache lines per page-table operation ------------------------- */

#define LINES_MAX	4096

/* The distinct lines read and written while counting is on. */
static struct {
	bool on;
	unsigned int n[2];
	uintptr_t line[2][LINES_MAX];
} lines;

/* Called by the engine on every table access (VTD_PT_COUNT_LINES = 1). */
void vtd_pt_count_line(const void *p, bool write);
void vtd_pt_count_line(const void *p, bool write)
{
	uintptr_t l = (uintptr_t)p & ~(uintptr_t)63;
	unsigned int k, *n = &lines.n[write];

	if (!lines.on)
		return;
	for (k = 0; k < *n; k++) {
		if (lines.line[write][k] == l)
			return;
	}
	if (*n == LINES_MAX) {
		fprintf(stderr, "bench_counts: more than %u lines\n",
			LINES_MAX);
		exit(1);
	}
	lines.line[write][(*n)++] = l;
}

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL

static void lpt_map(u64 va, u64 pa, u64 size)
{
	if (pt_map(va, pa, size))
		exit(1);
}

static void lpt_unmap(u64 va, u64 size)
{
	if (pt_unmap(va, size))
		exit(1);
}

/*
 * One operation of bench_pt_sl.c, on 4-level tables. The floor is what
 * any implementation of the same contract touches: one entry per level
 * above the entries it changes (read: where they are), the lines of
 * those entries (read: a map must see them free, an unmap must see which
 * were present; written: they change); a new table also has its entry
 * line written. Tables present unless the row says otherwise. The bound
 * is the engine's figure when the row was last changed (docs/
 * BENCHMARKS.md says where it exceeds the floor and why): more is a
 * regression.
 */
struct line_op {
	const char *name;
	unsigned int floor_r, floor_w;
	unsigned int bound_r, bound_w;
};

enum {
	OP_MAP_4K, OP_UNMAP_4K, OP_MAP_R4K, OP_UNMAP_R4K, OP_MAP_R2M,
	OP_UNMAP_R2M, OP_MAP_SPARSE, OP_UNMAP_SPARSE, OP_COUNT
};

static const struct line_op line_ops[OP_COUNT] = {
	[OP_MAP_4K] = { "4K map, tables present", 4, 1, 4, 2 },
	[OP_UNMAP_4K] = { "4K unmap, tables present", 4, 1, 4, 2 },
	[OP_MAP_R4K] = { "256 x 4K range map", 3 + 32, 32, 35, 33 },
	[OP_UNMAP_R4K] = { "256 x 4K range unmap", 3 + 32, 32, 35, 33 },
	[OP_MAP_R2M] = { "256 x 2M range map", 2 + 32, 32, 34, 33 },
	[OP_UNMAP_R2M] = { "256 x 2M range unmap", 2 + 32, 32, 34, 33 },
	[OP_MAP_SPARSE] = { "sparse 4K map, 2 new tables", 2, 3, 2, 4 },
	[OP_UNMAP_SPARSE] = { "sparse 4K unmap + release", 4, 1, 5, 3 },
};

/* Run operation @op once, counting; its setup is not counted. */
static void line_op_run(unsigned int op)
{
	const u64 pt4k = SZ_1G * 4, pt2m = SZ_1G * 64, sparse = 1ULL << 39;
	/* A page away from its table's first line, as most are. */
	const u64 page = pt4k + 100 * SZ_4K;

	if (pt_new())
		exit(1);
	/* The anchors of bench_pt_sl.c keep the tables present. */
	lpt_map(pt4k + 511 * SZ_4K, SZ_1G, SZ_4K);
	lpt_map(pt2m + 511 * SZ_2M, 0, SZ_2M);
	lpt_map(sparse + 511 * SZ_1G, 0, SZ_4K);
	if (op == OP_UNMAP_4K)
		lpt_map(page, SZ_1G, SZ_4K);
	if (op == OP_UNMAP_R4K)
		lpt_map(pt4k, 0, 256 * SZ_4K);
	if (op == OP_UNMAP_R2M)
		lpt_map(pt2m, 0, 256 * SZ_2M);
	if (op == OP_UNMAP_SPARSE)
		lpt_map(sparse + 5 * SZ_1G + 100 * SZ_4K, 0, SZ_4K);
	lines.n[0] = lines.n[1] = 0;
	lines.on = true;
	switch (op) {
	case OP_MAP_4K:
		lpt_map(page, SZ_1G, SZ_4K);
		break;
	case OP_UNMAP_4K:
		lpt_unmap(page, SZ_4K);
		break;
	case OP_MAP_R4K:
		lpt_map(pt4k, 0, 256 * SZ_4K);
		break;
	case OP_UNMAP_R4K:
		lpt_unmap(pt4k, 256 * SZ_4K);
		break;
	case OP_MAP_R2M:
		lpt_map(pt2m, 0, 256 * SZ_2M);
		break;
	case OP_UNMAP_R2M:
		lpt_unmap(pt2m, 256 * SZ_2M);
		break;
	case OP_MAP_SPARSE:
		lpt_map(sparse + 5 * SZ_1G + 100 * SZ_4K, 0, SZ_4K);
		break;
	case OP_UNMAP_SPARSE:
		lpt_unmap(sparse + 5 * SZ_1G + 100 * SZ_4K, SZ_4K);
		pt_release();
		break;
	}
	lines.on = false;
	pt_free();
}

static int line_counts(bool first_level)
{
	unsigned int op;
	int bad = 0;

	pt_fl_rows = first_level;
	printf("\n%s page tables (4 levels, coherent): table cache lines "
	       "per operation\n", pt_fl_rows ? "First-level" : "Second-level");
	printf("%-30s %5s %5s  %-13s %-13s %s\n", "operation", "read",
	       "write", "floor (r, w)", "bound (r, w)", "target");
	for (op = 0; op < OP_COUNT; op++) {
		const struct line_op *x = &line_ops[op];
		char floor[16], bound[16];
		bool ok;

		line_op_run(op);
		ok = tally(T_PT_LINES, lines.n[0] <= x->bound_r &&
					lines.n[1] <= x->bound_w);
		bad |= !ok;
		snprintf(floor, sizeof(floor), "%u, %u", x->floor_r,
			 x->floor_w);
		snprintf(bound, sizeof(bound), "%u, %u", x->bound_r,
			 x->bound_w);
		printf("%-30s %5u %5u  %-13s %-13s %s\n", x->name,
		       lines.n[0], lines.n[1], floor, bound,
		       ok ? "met" : "MISSED");
	}
	return bad;
}

static void print_targets(void)
{
	static const char *const names[TARGET_COUNT] = {
		[T_WAIT] = "unmap: one wait per range",
		[T_DESC] = "unmap: <= 2 PSI or 1 DSI per range",
		[T_LINES] = "map, C=0: lines flushed = dirtied",
		[T_FENCE] = "map, C=0: one fence per map",
		[T_PT_LINES] = "page tables: lines <= bound",
	};
	struct bench_tally t = { { 0 } };
	char measured[32];

	bench_target_header("counts targets");
	for (int i = 0; i < TARGET_COUNT; i++) {
		bool ok = met[i] == rows[i];

		snprintf(measured, sizeof(measured), "%u of %u rows", met[i],
			 rows[i]);
		bench_target_print(&t, names[i], measured,
				   "none: a count, same anywhere", "-",
				   bench_verdict(ok, ok), "");
	}
	bench_tally_print("counts", &t);
}

int main(void)
{
	int bad = 0;

	fake_hal_reset();
	printf("libvtd deterministic counts (DMAR model; QEMU 7.2 CAP/ECAP)\n");
	bad |= unmap_counts("legacy, queued invalidation",
			    FAKE_DMAR_QEMU_CAP_LEGACY,
			    FAKE_DMAR_QEMU_ECAP_LEGACY);
	bad |= unmap_counts("scalable mode, caching mode",
			    FAKE_DMAR_QEMU_CAP_SM, FAKE_DMAR_QEMU_ECAP_SM);
	bad |= flush_counts();
	bad |= line_counts(false);
	bad |= line_counts(true);
	print_targets();
	return bad;
}
