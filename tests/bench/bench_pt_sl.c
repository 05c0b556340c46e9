// SPDX-License-Identifier: BSD-2-Clause
/*
 * Benchmark of the page tables, second-level (vtd/pt_sl.c) and
 * first-level (vtd/pt_fl.c, the same engine), against an in-run
 * baseline: a minimal reference writer that walks the same tables and
 * stores a leaf entry with no checks at all. Each figure is the best of
 * several rounds, in ns per operation or per page, with the ratio
 * library / reference.
 *
 * hal_phys_to_virt() is wrapped (-Wl,--wrap): in "direct" mode it is one
 * add, which is what a hypervisor's HAL with a direct map costs and what
 * the fake memory allows (one linear region); in "checked" mode it is the
 * fake's own lookup (a mutex and a search of the buddy allocator's
 * blocks), which dominates everything and is shown for reference only.
 * Both writers use the same hal_phys_to_virt(). The fake hal_page_alloc()
 * is a mutex plus a buddy allocator; it is pre-warmed.
 *
 * The reference writer is also this benchmark's machine probe: it is
 * measured in the same rounds, and every target is a bound on the ratio
 * to it (tests/bench/verdict.h, docs/BENCHMARKS.md "Verdicts"): met or a
 * regression, whatever the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hal/hal.h>

#include "bench/pt_formats.h"
#include "bench/verdict.h"
#include "fakes/fake_hal.h"

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define ROUNDS	7

/* ---- hal_phys_to_virt: direct map or the fake's checked lookup --------- */

void *__real_hal_phys_to_virt(hal_paddr_t pa);
void *__wrap_hal_phys_to_virt(hal_paddr_t pa);

static bool checked;
static intptr_t direct_delta;

void *__wrap_hal_phys_to_virt(hal_paddr_t pa)
{
	if (checked)
		return __real_hal_phys_to_virt(pa);
	return (void *)(uintptr_t)(hal_paddr_val(pa) + direct_delta);
}

static void direct_map_init(void)
{
	void *p = hal_page_alloc(0);

	direct_delta = (intptr_t)((uintptr_t)p -
				  hal_paddr_val(hal_virt_to_phys(p)));
	hal_page_free(p, 0);
}

/* ---- Timing ------------------------------------------------------------- */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_pt_sl: %s failed: %d\n", what, rc);
	exit(1);
}

/* ---- The reference writer: walk existing tables, store, nothing else ---- */

/*
 * Both formats: present with R and W (bit 0 is P or R, bit 1 W or R/W),
 * PS bit 7, and the next table's address in bits 51:12.
 */
static volatile u64 *ref_slot(u64 iova, unsigned int leaf_level)
{
	u64 *t = hal_phys_to_virt(pt_root());
	unsigned int l;

	for (l = pt_levels(); l > leaf_level; l--) {
		u64 e = t[(iova >> (12 + 9 * (l - 1))) & 511];

		t = hal_phys_to_virt(hal_paddr_init(e & 0x000ffffffffff000ULL));
	}
	return &t[(iova >> (12 + 9 * (leaf_level - 1))) & 511];
}

static void ref_map_4k(u64 iova, u64 pa)
{
	*ref_slot(iova, 1) = pa | 3;
}

static void ref_unmap_4k(u64 iova)
{
	*ref_slot(iova, 1) = 0;
}

/* A run of @n leaves at @level from @iova: one walk, n stores. */
static void ref_map_run(u64 iova, u64 pa, unsigned int n, unsigned int level,
			bool clear)
{
	volatile u64 *s = ref_slot(iova, level);
	u64 size = 1ULL << (12 + 9 * (level - 1));
	u64 v = pa | 3 | (level > 1 ? 0x80 : 0);
	unsigned int i;

	for (i = 0; i < n; i++, v += size)
		s[i] = clear ? 0 : v;
}

/* ---- Scenarios ---------------------------------------------------------- */

/* @target: 0 none, else a bound on lib / ref. */
struct result {
	char name[40];
	const char *unit;
	double lib, ref;
	double target;
};

static struct result results[32];
static unsigned int result_count;

static void report(const char *name, const char *unit, double lib,
		   double ref, double target)
{
	struct result *x = &results[result_count++];

	snprintf(x->name, sizeof(x->name), "%s %s", pt_fl_rows ? "FL" : "SL",
		 name);
	x->unit = unit;
	x->lib = lib;
	x->ref = ref;
	x->target = target;
}

#define PT_CHUNKS	64		/* PTs kept alive by an anchor page */
#define PT_PAGES	(PT_CHUNKS * 511)
#define REGION_4K	(SZ_1G * 4)

/* Ratio targets (docs/BENCHMARKS.md): library / reference writer. */
#define T_4K_MAP	4.0
#define T_4K_UNMAP	1.3
#define T_RANGE		1.5
#define T_SPARSE_UNMAP	2.0

static u64 page_4k(unsigned int i)
{
	return REGION_4K + (i / 511) * SZ_2M + (i % 511) * SZ_4K;
}

/* 4K map and unmap, one page per call, tables present. */
static void bench_single_4k(void)
{
	double best[4] = { 1e30, 1e30, 1e30, 1e30 };
	unsigned int r, i;
	u64 t0;
	int rc;

	if (pt_new())
		die("init", -1);
	for (i = 0; i < PT_CHUNKS; i++) {
		rc = pt_map(REGION_4K + i * SZ_2M + 511 * SZ_4K, SZ_1G,
			     SZ_4K);
		if (rc)
			die("anchor", rc);
	}
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		for (i = 0; i < PT_PAGES; i++) {
			rc = pt_map(page_4k(i), page_4k(i) + SZ_1G, SZ_4K);
			if (rc)
				die("map", rc);
		}
		best[0] = HAL_MIN(best[0], (double)(now_ns() - t0) / PT_PAGES);
		t0 = now_ns();
		for (i = 0; i < PT_PAGES; i++) {
			rc = pt_unmap(page_4k(i), SZ_4K);
			if (rc)
				die("unmap", rc);
		}
		best[1] = HAL_MIN(best[1], (double)(now_ns() - t0) / PT_PAGES);
		pt_release();

		t0 = now_ns();
		for (i = 0; i < PT_PAGES; i++)
			ref_map_4k(page_4k(i), page_4k(i) + SZ_1G);
		best[2] = HAL_MIN(best[2], (double)(now_ns() - t0) / PT_PAGES);
		t0 = now_ns();
		for (i = 0; i < PT_PAGES; i++)
			ref_unmap_4k(page_4k(i));
		best[3] = HAL_MIN(best[3], (double)(now_ns() - t0) / PT_PAGES);
	}
	report("4K map, tables present", "ns/op", best[0], best[2], T_4K_MAP);
	report("4K unmap, tables present", "ns/op", best[1], best[3],
	       T_4K_UNMAP);
	pt_free();
}

/* 256-page ranges of @leaf (4K or 2M), tables present. */
static void bench_range(u64 leaf, unsigned int level, const char *mname,
			const char *uname)
{
	const unsigned int n = 256, ranges = leaf == SZ_4K ? 256 : 32;
	u64 span = leaf * 512, base = leaf == SZ_4K ? SZ_1G * 8 : SZ_1G * 64;
	double best[4] = { 1e30, 1e30, 1e30, 1e30 };
	unsigned int r, i;
	u64 t0;
	int rc;

	if (pt_new())
		die("init", -1);
	for (i = 0; i < ranges; i++) {
		rc = pt_map(base + i * span + 511 * leaf, 0, leaf);
		if (rc)
			die("anchor", rc);
	}
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		for (i = 0; i < ranges; i++) {
			rc = pt_map(base + i * span, span * i, n * leaf);
			if (rc)
				die("range map", rc);
		}
		best[0] = HAL_MIN(best[0], (double)(now_ns() - t0) /
				  (ranges * n));
		t0 = now_ns();
		for (i = 0; i < ranges; i++) {
			rc = pt_unmap(base + i * span, n * leaf);
			if (rc)
				die("range unmap", rc);
		}
		best[1] = HAL_MIN(best[1], (double)(now_ns() - t0) /
				  (ranges * n));
		pt_release();
		t0 = now_ns();
		for (i = 0; i < ranges; i++)
			ref_map_run(base + i * span, span * i, n, level, false);
		best[2] = HAL_MIN(best[2], (double)(now_ns() - t0) /
				  (ranges * n));
		t0 = now_ns();
		for (i = 0; i < ranges; i++)
			ref_map_run(base + i * span, 0, n, level, true);
		best[3] = HAL_MIN(best[3], (double)(now_ns() - t0) /
				  (ranges * n));
	}
	report(mname, "ns/page", best[0], best[2], T_RANGE);
	report(uname, "ns/page", best[1], best[3], T_RANGE);
	pt_free();
}

/*
 * Sparse 4K maps, each in its own 1G region: two new tables (PD, PT) per
 * map. The reference allocates and links the same two tables unchecked.
 */
static void bench_sparse(void)
{
	const unsigned int n = 500;
	double best[4] = { 1e30, 1e30, 1e30, 1e30 };
	static void *ref_tables[500][2];
	unsigned int r, i;
	u64 t0, base = 1ULL << 39;
	int rc;

	if (pt_new())
		die("init", -1);
	/* The PDPT for the region stays (anchor in its last 1G). */
	rc = pt_map(base + 511 * SZ_1G, 0, SZ_4K);
	if (rc)
		die("anchor", rc);
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			u64 iova = base + i * SZ_1G + (i % 512) * SZ_4K;

			rc = pt_map(iova, iova & (SZ_1G - 1), SZ_4K);
			if (rc)
				die("sparse map", rc);
		}
		best[0] = HAL_MIN(best[0], (double)(now_ns() - t0) / n);
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			u64 iova = base + i * SZ_1G + (i % 512) * SZ_4K;

			rc = pt_unmap(iova, SZ_4K);
			if (rc)
				die("sparse unmap", rc);
		}
		pt_release();
		best[1] = HAL_MIN(best[1], (double)(now_ns() - t0) / n);

		t0 = now_ns();
		for (i = 0; i < n; i++) {
			u64 iova = base + i * SZ_1G + (i % 512) * SZ_4K;
			volatile u64 *pdpe = ref_slot(iova, 3);
			u64 *pd = hal_page_alloc(0), *ptab = hal_page_alloc(0);

			ref_tables[i][0] = pd;
			ref_tables[i][1] = ptab;
			ptab[(iova >> 12) & 511] = (iova & (SZ_1G - 1)) | 3;
			pd[(iova >> 21) & 511] =
				hal_paddr_val(hal_virt_to_phys(ptab)) | 3;
			*pdpe = hal_paddr_val(hal_virt_to_phys(pd)) | 3;
		}
		best[2] = HAL_MIN(best[2], (double)(now_ns() - t0) / n);
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			u64 iova = base + i * SZ_1G + (i % 512) * SZ_4K;

			*ref_slot(iova, 3) = 0;
			hal_page_free(ref_tables[i][1], 0);
			hal_page_free(ref_tables[i][0], 0);
		}
		best[3] = HAL_MIN(best[3], (double)(now_ns() - t0) / n);
	}
	report("sparse 4K map, 2 new tables", "ns/op", best[0], best[2], 0);
	report("sparse 4K unmap + release", "ns/op", best[1], best[3],
	       T_SPARSE_UNMAP);
	pt_free();
}

static void run_all(void)
{
	unsigned int f;

	for (f = 0; f < 2; f++) {
		pt_fl_rows = f == 1;
		bench_single_4k();
		bench_range(SZ_4K, 1, "256 x 4K range map",
			    "256 x 4K range unmap");
		bench_range(SZ_2M, 2, "256 x 2M range map",
			    "256 x 2M range unmap");
		bench_sparse();
	}
}

/* The target line of one row (direct map): a ratio, met or regression. */
static void print_target(struct bench_tally *t, const struct result *x)
{
	char target[64], measured[24], probe[40], relative[40], why[96];
	double ratio = x->lib / x->ref;
	enum bench_verdict v = bench_verdict(true, ratio <= x->target);

	snprintf(target, sizeof(target), "%.40s <= %.1fx", x->name, x->target);
	snprintf(measured, sizeof(measured), "%.2f %s", x->lib, x->unit);
	snprintf(probe, sizeof(probe), "writer %.2f %s", x->ref, x->unit);
	snprintf(relative, sizeof(relative), "%.2fx writer (<= %.2fx)", ratio,
		 x->target);
	why[0] = 0;
	if (v == BENCH_REGRESSION)
		snprintf(why, sizeof(why), "writer fine, library slow: %.2fx "
			 "the writer", ratio);
	bench_target_print(t, target, measured, probe, relative, v, why);
}

int main(void)
{
	struct bench_tally tally = { { 0 } };
	static struct result direct[32];
	unsigned int i, mode, direct_count = 0;
	void *warm[4096];

	/* Pre-warm the fake allocator's pool (first touch, buddy split). */
	for (i = 0; i < 4096; i++)
		warm[i] = hal_page_alloc(0);
	for (i = 0; i < 4096; i++)
		hal_page_free(warm[i], 0);
	direct_map_init();

	for (mode = 0; mode < 2; mode++) {
		checked = mode == 1;
		result_count = 0;
		run_all();
		printf("\nhal_phys_to_virt: %s\n", checked ?
		       "fake checked lookup (mutex + block search)" :
		       "direct map (one add)");
		printf("%-33s %9s %9s %-7s %7s\n", "operation", "libvtd",
		       "reference", "unit", "ratio");
		for (i = 0; i < result_count; i++) {
			struct result *x = &results[i];

			printf("%-33s %9.2f %9.2f %-7s %6.2fx\n", x->name,
			       x->lib, x->ref, x->unit, x->lib / x->ref);
		}
		if (!checked) {
			memcpy(direct, results, sizeof(direct));
			direct_count = result_count;
		}
	}
	bench_target_header("pt targets (SL: second-level, FL: first-level), "
			    "direct map; probe: the reference writer, same "
			    "rounds");
	for (i = 0; i < direct_count; i++) {
		if (direct[i].target != 0)
			print_target(&tally, &direct[i]);
	}
	bench_tally_print("pt", &tally);
	return 0;
}
