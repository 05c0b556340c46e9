// SPDX-License-Identifier: BSD-2-Clause
/*
 * Second-level page tables (vtd/pt_sl.c) [VT-d 3.7, 9.8]. Every result is
 * asserted through the independent walker in tests/fakes/sl_walk.c, which
 * reads the tables in fake memory and checks reserved bits; the library's
 * own lookup is only compared against it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/errno.h>
#include <vtd/pt_sl.h>

#include "fakes/fake_hal.h"
#include "fakes/sl_walk.h"

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define RW	(VTD_PROT_READ | VTD_PROT_WRITE)

static struct vtd_sl_pt pt;
static struct vtd_sl_pt_config cfg;
static struct sl_walk_cfg wcfg;
static struct vtd_iotlb_gather g;
static struct pt_walk_result res;
static u64 base_pages;

static vtd_iova_t IOVA(u64 v)
{
	return vtd_iova_init(v);
}

static hal_paddr_t PA(u64 v)
{
	return hal_paddr_init(v);
}

static void pt_setup(unsigned int aw, unsigned int lp, bool snoop,
		     bool coherent, bool merge)
{
	cfg = (struct vtd_sl_pt_config){
		.aw = aw, .haw = 46, .large_pages = lp, .snoop = snoop,
		.coherent = coherent, .merge = merge,
	};
	assert_int_equal(vtd_sl_pt_init(&pt, &cfg), 0);
	wcfg = (struct sl_walk_cfg){
		.levels = pt.levels, .aw = aw, .haw = 46,
		.lp_2m = lp & VTD_SL_PT_LP_2M, .lp_1g = lp & VTD_SL_PT_LP_1G,
		.sc = snoop,
	};
	vtd_sl_pt_gather_init(&g);
}

static int setup(void **state)
{
	fake_hal_reset();
	base_pages = fake_mem_pages_in_use();
	pt_setup(48, VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G, false, true, false);
	return 0;
}

static int teardown(void **state)
{
	vtd_sl_pt_gather_release(&g);
	vtd_sl_pt_destroy(&pt);
	assert_int_equal(fake_mem_pages_in_use(), base_pages);
	return 0;
}

/* A check of pt_snap.h passed, or the test fails with its reason. */
static void expect_ok(const char *what, const char *why)
{
	if (why)
		fail_msg("%s: %s", what, why);
}

/* Walk, assert no error, and that the object's page count agrees. */
static struct pt_walk_result *walk(void)
{
	sl_walk(&wcfg, hal_paddr_val(pt.root_pa), NULL, NULL, &res);
	expect_ok("walker", pt_check_walk(&res, pt.table_pages));
	return &res;
}

static u64 tables_hash(void)
{
	return walk()->hash;
}

/* Assert that [iova, iova + size) maps to pa.. with @prot, by the walker. */
static void expect_mapped(u64 iova, u64 pa, u64 size, u32 prot)
{
	u64 a = iova, errors = 0;
	struct sl_leaf leaf;

	while (a < iova + size) {
		if (!sl_walk_translate(&wcfg, hal_paddr_val(pt.root_pa), a,
				       &leaf, &errors))
			fail_msg("iova %#llx not mapped (errors %llu)",
				 (unsigned long long)a,
				 (unsigned long long)errors);
		assert_int_equal(leaf.pa + (a - leaf.iova), pa + (a - iova));
		assert_int_equal(leaf.r, !!(prot & VTD_PROT_READ));
		assert_int_equal(leaf.w, !!(prot & VTD_PROT_WRITE));
		a = leaf.iova + leaf.size;
	}
}

static void expect_unmapped(u64 iova)
{
	struct sl_leaf leaf;
	u64 errors = 0;

	assert_false(sl_walk_translate(&wcfg, hal_paddr_val(pt.root_pa), iova,
				       &leaf, &errors));
	assert_int_equal(errors, 0);
}

static int map(u64 iova, u64 pa, u64 size, u32 prot)
{
	return vtd_sl_pt_map(&pt, IOVA(iova), PA(pa), size, prot, &g);
}

static int unmap(u64 iova, u64 size)
{
	return vtd_sl_pt_unmap(&pt, IOVA(iova), size, &g);
}

static bool gather_idle(void)
{
	return g.start >= g.end && g.freed_pages == 0;
}

static const struct pt_subject subject = {
	.map = map, .unmap = unmap, .walk = walk,
	.table_pages = &pt.table_pages, .gather_idle = gather_idle,
};

/* ---- Init and levels ---------------------------------------------------- */

static void test_pt_sl_init_levels_from_aw(void **state)
{
	static const struct {
		unsigned int aw, levels, agaw;
	} cases[] = {
		{ 21, 3, 1 }, { 36, 3, 1 }, { 39, 3, 1 }, { 40, 4, 2 },
		{ 48, 4, 2 }, { 52, 5, 3 }, { 57, 5, 3 },
	};
	struct vtd_sl_pt p;
	struct vtd_sl_pt_config c = { .haw = 46, .coherent = true };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		c.aw = cases[i].aw;
		assert_int_equal(vtd_sl_pt_init(&p, &c), 0);
		assert_int_equal(p.levels, cases[i].levels);
		assert_int_equal(vtd_sl_pt_agaw(&p), cases[i].agaw);
		assert_int_equal(p.table_pages, 1);
		vtd_sl_pt_destroy(&p);
	}
	c.aw = 20;
	assert_int_equal(vtd_sl_pt_init(&p, &c), -EINVAL);
	c.aw = 58;
	assert_int_equal(vtd_sl_pt_init(&p, &c), -EINVAL);
	c.aw = 48;
	c.haw = 53;
	assert_int_equal(vtd_sl_pt_init(&p, &c), -EINVAL);
	c.haw = 46;
	c.large_pages = 1U << 2;
	assert_int_equal(vtd_sl_pt_init(&p, &c), -EINVAL);
	c.large_pages = 0;
	fake_mem_fail_nth(1, false);
	assert_int_equal(vtd_sl_pt_init(&p, &c), -ENOMEM);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
}

static void test_pt_sl_init_noncoherent_flushes_root(void **state)
{
	struct vtd_sl_pt p;
	struct vtd_sl_pt_config c = { .aw = 39, .haw = 46, .coherent = false };
	struct fake_cache_stats cs;
	const void *lines[64];
	size_t i, n;

	fake_cache_reset();
	assert_int_equal(vtd_sl_pt_init(&p, &c), 0);
	fake_cache_stats(&cs);
	assert_int_equal(cs.lines_flushed, 64);
	assert_int_equal(cs.fences, 1);
	n = fake_cache_lines(lines, 64);
	for (i = 0; i < n; i++)
		assert_ptr_equal(lines[i], (const u8 *)p.root + 64 * i);
	vtd_sl_pt_destroy(&p);
}

/* Map at the bottom and the top of each width; one past is refused. */
static void test_pt_sl_levels_3_4_5(void **state)
{
	static const unsigned int aws[] = { 39, 48, 57, 44 };
	size_t i;

	vtd_sl_pt_destroy(&pt);
	for (i = 0; i < ARRAY_SIZE(aws); i++) {
		u64 top = 1ULL << aws[i];

		pt_setup(aws[i], VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G, false,
			 true, false);
		assert_int_equal(map(0, 0x5000, SZ_4K, RW), 0);
		assert_int_equal(map(top - SZ_4K, 0x6000, SZ_4K,
				     VTD_PROT_READ), 0);
		assert_int_equal(map(top - SZ_1G, SZ_1G, SZ_1G - SZ_2M, RW), 0);
		assert_int_equal(map(top, 0x7000, SZ_4K, RW), -ERANGE);
		assert_int_equal(map(top - SZ_4K, 0x7000, 2 * SZ_4K, RW),
				 -ERANGE);
		expect_mapped(0, 0x5000, SZ_4K, RW);
		expect_mapped(top - SZ_4K, 0x6000, SZ_4K, VTD_PROT_READ);
		expect_mapped(top - SZ_1G, SZ_1G, SZ_1G - SZ_2M, RW);
		walk();
		assert_int_equal(res.leaf_count[1], 511);
		/* The root, then one path down for 0 and one for the top. */
		assert_int_equal(res.tables, 1 + 2 * (pt.levels - 1));
		assert_int_equal(unmap(0, top), 0);
		assert_int_equal(g.unmapped, 2 * SZ_4K + SZ_1G - SZ_2M);
		assert_int_equal(pt.table_pages, 1);
		vtd_sl_pt_gather_release(&g);
		assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
		assert_int_equal(unmap(top - SZ_4K, SZ_4K * 2), -ERANGE);
		vtd_sl_pt_destroy(&pt);
		assert_int_equal(fake_mem_pages_in_use(), base_pages);
	}
	pt_setup(48, VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G, false, true, false);
}

/* ---- Map ----------------------------------------------------------------- */

static void test_pt_sl_map_4k(void **state)
{
	struct vtd_sl_pt_translation tr;

	assert_int_equal(map(0x12345000, 0xabcd000, SZ_4K, VTD_PROT_READ),
			 0);
	expect_mapped(0x12345000, 0xabcd000, SZ_4K, VTD_PROT_READ);
	expect_unmapped(0x12344000);
	expect_unmapped(0x12346000);
	walk();
	assert_int_equal(res.leaves, 1);
	assert_int_equal(res.leaf_count[0], 1);
	assert_int_equal(res.tables, 4);
	/* The library's lookup agrees with the walker. */
	assert_int_equal(vtd_sl_pt_lookup(&pt, IOVA(0x12345678), &tr), 0);
	assert_int_equal(hal_paddr_val(tr.pa), 0xabcd678);
	assert_int_equal(tr.page_size, SZ_4K);
	assert_int_equal(tr.prot, VTD_PROT_READ);
	assert_int_equal(vtd_sl_pt_lookup(&pt, IOVA(0x12346000), &tr),
			 -ENOENT);
	assert_int_equal(vtd_sl_pt_lookup(&pt, IOVA(1ULL << 48), &tr),
			 -ERANGE);
	/* Mapping needs no invalidation. */
	assert_true(g.start >= g.end);
	assert_int_equal(vtd_sl_pt_gather_psi(&g, NULL), 0);
	/* Write-only is a valid second-level permission. */
	assert_int_equal(map(0x20000000, 0x1000, SZ_4K, VTD_PROT_WRITE), 0);
	expect_mapped(0x20000000, 0x1000, SZ_4K, VTD_PROT_WRITE);
}

static void test_pt_sl_map_2m_1g(void **state)
{
	struct vtd_sl_pt_translation tr;

	assert_int_equal(map(SZ_2M * 3, SZ_2M * 7, SZ_2M, RW), 0);
	assert_int_equal(map(SZ_1G * 5, SZ_1G * 9, SZ_1G, VTD_PROT_READ),
			 0);
	walk();
	assert_int_equal(res.leaves, 2);
	assert_int_equal(res.leaf_count[1], 1);
	assert_int_equal(res.leaf_count[2], 1);
	assert_int_equal(res.tables, 3);	/* root, PDPT, PD */
	expect_mapped(SZ_2M * 3, SZ_2M * 7, SZ_2M, RW);
	expect_mapped(SZ_1G * 5, SZ_1G * 9, SZ_1G, VTD_PROT_READ);
	assert_int_equal(vtd_sl_pt_lookup(&pt, IOVA(SZ_1G * 5 + 0x1234567),
					  &tr), 0);
	assert_int_equal(hal_paddr_val(tr.pa), SZ_1G * 9 + 0x1234567);
	assert_int_equal(tr.page_size, SZ_1G);

	/* Without large pages the same ranges take 4K leaves. */
	vtd_sl_pt_destroy(&pt);
	pt_setup(48, 0, false, true, false);
	assert_int_equal(map(SZ_2M * 3, SZ_2M * 7, SZ_2M, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[0], 512);
	assert_int_equal(res.leaves, 512);
	expect_mapped(SZ_2M * 3, SZ_2M * 7, SZ_2M, RW);

	/* 2M allowed, 1G not: a 1G range takes 512 2M leaves. */
	vtd_sl_pt_destroy(&pt);
	pt_setup(48, VTD_SL_PT_LP_2M, false, true, false);
	assert_int_equal(map(SZ_1G, SZ_1G * 2, SZ_1G, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[1], 512);
	assert_int_equal(res.leaves, 512);
}

static void test_pt_sl_map_largest_page_choice(void **state)
{
	/* 4K | 2M x 510 ... around a 1G boundary with equal alignment. */
	u64 iova = SZ_1G - SZ_2M - SZ_4K, pa = 3 * SZ_1G - SZ_2M - SZ_4K;
	u64 size = SZ_4K + SZ_2M + SZ_1G + SZ_2M + SZ_4K * 3;

	assert_int_equal(map(iova, pa, size, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[0], 4);
	assert_int_equal(res.leaf_count[1], 2);
	assert_int_equal(res.leaf_count[2], 1);
	assert_int_equal(res.mapped_bytes, size);
	expect_mapped(iova, pa, size, RW);

	/* Same IOVA alignment, host address off by 4K: only 4K leaves. */
	assert_int_equal(map(8 * SZ_1G, 5 * SZ_1G + SZ_4K, 2 * SZ_2M, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[0], 4 + 1024);
	expect_mapped(8 * SZ_1G, 5 * SZ_1G + SZ_4K, 2 * SZ_2M, RW);

	/* Host address aligned to 2M but not 1G: 2M leaves. */
	assert_int_equal(map(16 * SZ_1G, 7 * SZ_1G + SZ_2M, SZ_1G, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[1], 2 + 512);
	assert_int_equal(res.leaf_count[2], 1);
}

static void test_pt_sl_map_invalid_arguments(void **state)
{
	u64 h, pages;

	assert_int_equal(map(SZ_2M, SZ_2M, SZ_2M, RW), 0);
	h = tables_hash();
	pages = fake_mem_pages_in_use();
	assert_int_equal(map(0x1001, 0x2000, SZ_4K, RW), -EINVAL);
	assert_int_equal(map(0x1000, 0x2001, SZ_4K, RW), -EINVAL);
	assert_int_equal(map(0x1000, 0x2000, SZ_4K + 1, RW), -EINVAL);
	assert_int_equal(map(0x1000, 0x2000, 0, RW), -EINVAL);
	assert_int_equal(map(0x1000, 0x2000, SZ_4K, 0), -EINVAL);
	assert_int_equal(map(0x1000, 0x2000, SZ_4K, 4), -EINVAL);
	/* Wrap of the IOVA or the host range. */
	assert_int_equal(map(~0ULL - SZ_4K + 1, 0x2000, SZ_4K, RW), -EINVAL);
	assert_int_equal(map(0x1000, 0x2000, ~0ULL - SZ_4K + 1, RW), -EINVAL);
	assert_int_equal(map(0x1000, ~0ULL - SZ_4K + 1, SZ_4K * 2, RW),
			 -EINVAL);
	/* Beyond the AW (48) or the HAW (46). */
	assert_int_equal(map(1ULL << 48, 0x2000, SZ_4K, RW), -ERANGE);
	assert_int_equal(map((1ULL << 48) - SZ_4K, 0x2000, 2 * SZ_4K, RW),
			 -ERANGE);
	assert_int_equal(map(0x1000, 1ULL << 46, SZ_4K, RW), -ERANGE);
	assert_int_equal(map(0x1000, (1ULL << 46) - SZ_4K, 2 * SZ_4K, RW),
			 -ERANGE);
	assert_int_equal(map(0x1000, (1ULL << 46) - SZ_4K, SZ_4K, RW), 0);
	expect_mapped(0x1000, (1ULL << 46) - SZ_4K, SZ_4K, RW);
	assert_int_equal(unmap(0x1000, SZ_4K), 0);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(tables_hash(), h);
	assert_int_equal(fake_mem_pages_in_use(), pages);
	/* Unmap argument checks. */
	assert_int_equal(unmap(0x1800, SZ_4K), -EINVAL);
	assert_int_equal(unmap(0x1000, 0), -EINVAL);
	assert_int_equal(unmap(0x1000, 0x10), -EINVAL);
	assert_int_equal(unmap(~0ULL - SZ_4K + 1, 2 * SZ_4K), -EINVAL);
	assert_int_equal(unmap((1ULL << 48) - SZ_4K, 2 * SZ_4K), -ERANGE);
	assert_int_equal(vtd_sl_pt_unmap(&pt, IOVA(0), SZ_4K, NULL), -EINVAL);
	assert_int_equal(tables_hash(), h);
}

static void test_pt_sl_map_overlap_rejected_unchanged(void **state)
{
	struct pt_snapshot before, after;
	u64 pages, h;

	assert_int_equal(map(SZ_1G, 0, SZ_1G, RW), 0);		/* 1G leaf */
	assert_int_equal(map(4 * SZ_1G, 0, SZ_2M, RW), 0);	/* 2M leaf */
	assert_int_equal(map(5 * SZ_1G + 0x5000, 0, SZ_4K, RW), 0);
	pages = fake_mem_pages_in_use();
	h = tables_hash();
	pt_snapshot_take(&before, walk());

	/* Inside, across the start, across the end of each leaf. */
	assert_int_equal(map(SZ_1G + SZ_2M, 0, SZ_4K, RW), -EBUSY);
	assert_int_equal(map(SZ_1G - SZ_4K, 0, 2 * SZ_4K, RW), -EBUSY);
	assert_int_equal(map(2 * SZ_1G - SZ_2M, 0, 2 * SZ_2M, RW), -EBUSY);
	assert_int_equal(map(0, 0, 4 * SZ_1G, RW), -EBUSY);
	assert_int_equal(map(4 * SZ_1G + SZ_4K * 7, 0, SZ_4K, RW), -EBUSY);
	assert_int_equal(map(4 * SZ_1G - SZ_4K, 0, 2 * SZ_4K, RW), -EBUSY);
	assert_int_equal(map(5 * SZ_1G + 0x5000, 0, SZ_4K, RW), -EBUSY);
	/* A 2M and a 1G range over a table holding one 4K leaf. */
	assert_int_equal(map(5 * SZ_1G, 0, SZ_2M, RW), -EBUSY);
	assert_int_equal(map(5 * SZ_1G, 0, SZ_1G, RW), -EBUSY);
	/* Most of the range is free; its last page collides. */
	assert_int_equal(map(2 * SZ_1G + SZ_4K, SZ_4K, 2 * SZ_1G, RW), -EBUSY);

	pt_snapshot_take(&after, walk());
	assert_true(pt_snapshot_equal(&before, &after));
	assert_int_equal(tables_hash(), h);
	assert_int_equal(fake_mem_pages_in_use(), pages);
	pt_snapshot_free(&before);
	pt_snapshot_free(&after);
}

static void test_pt_sl_snoop_bit(void **state)
{
	assert_int_equal(map(0, 0, SZ_4K, RW), 0);
	walk();
	vtd_sl_pt_destroy(&pt);
	pt_setup(48, VTD_SL_PT_LP_2M, true, true, false);
	assert_int_equal(map(0, 0, SZ_4K, RW), 0);
	assert_int_equal(map(SZ_2M, 0, SZ_2M, RW), 0);
	walk();
	{
		struct sl_leaf leaf;

		assert_true(sl_walk_translate(&wcfg, hal_paddr_val(pt.root_pa),
					      0, &leaf, NULL));
		assert_true(leaf.snp);
		assert_true(sl_walk_translate(&wcfg, hal_paddr_val(pt.root_pa),
					      SZ_2M, &leaf, NULL));
		assert_true(leaf.snp);
	}
	/* A walker for a unit without ECAP.SC sees reserved bits. */
	wcfg.sc = false;
	assert_int_not_equal(sl_walk(&wcfg, hal_paddr_val(pt.root_pa), NULL,
				     NULL, &res), 0);
	wcfg.sc = true;
}

/* ---- Unmap --------------------------------------------------------------- */

static void test_pt_sl_unmap_4k_2m_1g(void **state)
{
	struct vtd_iotlb_psi psi[2];

	assert_int_equal(map(0x7000, 0x9000, SZ_4K, RW), 0);
	assert_int_equal(map(SZ_2M, 0, SZ_2M, RW), 0);
	assert_int_equal(map(SZ_1G, 0, SZ_1G, RW), 0);

	assert_int_equal(unmap(0x7000, SZ_4K), 0);
	expect_unmapped(0x7000);
	assert_int_equal(g.start, 0x7000);
	assert_int_equal(g.end, 0x8000);
	assert_int_equal(g.unmapped, SZ_4K);
	assert_int_equal(g.leaf_sizes, VTD_SL_LEAF_4K);
	/* The PT went empty and was detached, not freed. */
	assert_true(g.nonleaf);
	assert_int_equal(g.freed_pages, 1);
	assert_int_equal(vtd_sl_pt_gather_psi(&g, psi), 1);
	assert_int_equal(vtd_iova_val(psi[0].addr), 0x7000);
	assert_int_equal(psi[0].am, 0);
	assert_false(psi[0].ih);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(g.freed_pages, 0);

	/* The PD went empty with its last leaf. */
	assert_int_equal(unmap(SZ_2M, SZ_2M), 0);
	assert_int_equal(g.unmapped, SZ_2M);
	assert_int_equal(g.leaf_sizes, VTD_SL_LEAF_2M);
	assert_true(g.nonleaf);
	assert_int_equal(g.freed_pages, 1);
	assert_int_equal(vtd_sl_pt_gather_psi(&g, psi), 1);
	assert_int_equal(vtd_iova_val(psi[0].addr), SZ_2M);
	assert_int_equal(psi[0].am, 9);
	assert_false(psi[0].ih);
	vtd_sl_pt_gather_release(&g);
	walk();
	assert_int_equal(res.tables, 2);	/* root, PDPT with the 1G */

	/* A leaf whose table stays: only leaves changed, IH may be set. */
	assert_int_equal(map(0x1000, 0, 2 * SZ_4K, RW), 0);
	assert_int_equal(unmap(0x2000, SZ_4K), 0);
	assert_false(g.nonleaf);
	assert_int_equal(g.freed_pages, 0);
	assert_int_equal(vtd_sl_pt_gather_psi(&g, psi), 1);
	assert_true(psi[0].ih);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(unmap(0x1000, SZ_4K), 0);
	vtd_sl_pt_gather_release(&g);

	assert_int_equal(unmap(SZ_1G, SZ_1G), 0);
	assert_int_equal(g.unmapped, SZ_1G);
	assert_int_equal(g.leaf_sizes, VTD_SL_LEAF_1G);
	/* The PDPT is gone too. */
	assert_int_equal(pt.table_pages, 1);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
}

static void test_pt_sl_unmap_splits_large_pages(void **state)
{
	u64 pa = 7 * SZ_1G;

	assert_int_equal(map(SZ_1G, pa, SZ_1G, VTD_PROT_READ), 0);
	/* One 4K page out of the middle of the 1G leaf. */
	assert_int_equal(unmap(SZ_1G + 5 * SZ_2M + 3 * SZ_4K, SZ_4K), 0);
	expect_unmapped(SZ_1G + 5 * SZ_2M + 3 * SZ_4K);
	expect_mapped(SZ_1G, pa, 5 * SZ_2M + 3 * SZ_4K, VTD_PROT_READ);
	expect_mapped(SZ_1G + 5 * SZ_2M + 4 * SZ_4K,
		      pa + 5 * SZ_2M + 4 * SZ_4K,
		      SZ_1G - 5 * SZ_2M - 4 * SZ_4K, VTD_PROT_READ);
	walk();
	assert_int_equal(res.leaf_count[2], 0);
	assert_int_equal(res.leaf_count[1], 511);
	assert_int_equal(res.leaf_count[0], 511);
	assert_int_equal(g.unmapped, SZ_4K);
	assert_int_equal(g.leaf_sizes, VTD_SL_LEAF_4K);
	/* The IOTLB may hold the 1G leaf: all of it is invalidated. */
	assert_int_equal(g.start, SZ_1G);
	assert_int_equal(g.end, 2 * SZ_1G);
	assert_true(g.nonleaf);
	vtd_sl_pt_gather_release(&g);

	/* A range that cuts two 2M leaves in part and one whole. */
	assert_int_equal(map(64 * SZ_1G, 0, 4 * SZ_2M, RW), 0);
	assert_int_equal(unmap(64 * SZ_1G + SZ_2M - SZ_4K, SZ_2M + 2 * SZ_4K),
			 0);
	assert_int_equal(g.unmapped, SZ_2M + 2 * SZ_4K);
	assert_int_equal(g.leaf_sizes, VTD_SL_LEAF_4K | VTD_SL_LEAF_2M);
	expect_mapped(64 * SZ_1G, 0, SZ_2M - SZ_4K, RW);
	expect_unmapped(64 * SZ_1G + SZ_2M - SZ_4K);
	expect_unmapped(64 * SZ_1G + SZ_2M);
	expect_unmapped(64 * SZ_1G + 2 * SZ_2M);
	expect_mapped(64 * SZ_1G + 2 * SZ_2M + SZ_4K, 2 * SZ_2M + SZ_4K,
		      2 * SZ_2M - SZ_4K, RW);
	walk();
	vtd_sl_pt_gather_release(&g);

	/* Unmapping the rest brings every table back. */
	assert_int_equal(unmap(0, 128 * SZ_1G), 0);
	assert_int_equal(pt.table_pages, 1);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
}

static void test_pt_sl_unmap_holes(void **state)
{
	u64 h;

	/* Nothing mapped: success, nothing to invalidate. */
	assert_int_equal(unmap(0, SZ_1G * 4), 0);
	assert_true(g.start >= g.end);
	assert_int_equal(g.unmapped, 0);
	assert_int_equal(g.freed_pages, 0);

	assert_int_equal(map(0x3000, 0x3000, SZ_4K, RW), 0);
	assert_int_equal(map(0x9000, 0x9000, 2 * SZ_4K, RW), 0);
	assert_int_equal(map(SZ_2M * 5, 0, SZ_2M, RW), 0);
	h = tables_hash();
	assert_int_equal(unmap(0x1000, SZ_4K), 0);	/* a hole */
	assert_int_equal(tables_hash(), h);
	assert_int_equal(g.unmapped, 0);

	assert_int_equal(unmap(0, SZ_2M * 8), 0);
	assert_int_equal(g.unmapped, 3 * SZ_4K + SZ_2M);
	/* The range ends with what was mapped, not with the request. */
	assert_int_equal(g.start, 0);
	assert_int_equal(g.end, SZ_2M * 6);
	assert_int_equal(pt.table_pages, 1);
	vtd_sl_pt_gather_release(&g);
}

static void test_pt_sl_tables_freed_when_empty(void **state)
{
	static const u64 where[] = {
		0, SZ_2M * 3, SZ_1G * 2, SZ_1G * 700, (1ULL << 39) * 3,
		(1ULL << 48) - SZ_4K,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(where); i++)
		assert_int_equal(map(where[i], where[i] & 0xffffffff, SZ_4K,
				     RW), 0);
	walk();
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		assert_int_equal(unmap(where[i], SZ_4K), 0);
		walk();
	}
	assert_int_equal(pt.table_pages, 1);
	assert_int_equal(g.unmapped, ARRAY_SIZE(where) * SZ_4K);
	/* Detached pages are freed only on release. */
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1 +
			 g.freed_pages);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);

	/* A whole subtree detached at once. */
	assert_int_equal(map(SZ_1G * 3 + SZ_4K, 0x1000, SZ_1G - SZ_4K, RW), 0);
	walk();
	assert_int_equal(res.tables, 4);
	assert_int_equal(unmap(SZ_1G * 2, SZ_1G * 4), 0);
	assert_int_equal(g.freed_pages, 3);
	assert_int_equal(g.unmapped, SZ_1G - SZ_4K);
	assert_int_equal(g.leaf_sizes, VTD_SL_LEAF_4K | VTD_SL_LEAF_2M);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
}

/* ---- Merge --------------------------------------------------------------- */

static void test_pt_sl_merge_into_large_pages(void **state)
{
	u64 i, base = 3 * SZ_1G, pa = 11 * SZ_1G;
	struct vtd_iotlb_psi psi[2];

	vtd_sl_pt_destroy(&pt);
	pt_setup(48, VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G, false, true, true);

	/* 4K by 4K, backwards; the last one completes a 2M page. */
	for (i = 512; i-- > 0;) {
		assert_int_equal(map(base + i * SZ_4K, pa + i * SZ_4K, SZ_4K,
				     RW), 0);
		if (i)
			assert_true(g.start >= g.end);
	}
	walk();
	assert_int_equal(res.leaf_count[1], 1);
	assert_int_equal(res.leaves, 1);
	assert_int_equal(g.freed_pages, 1);
	assert_true(g.nonleaf);
	assert_int_equal(g.start, base);
	assert_int_equal(g.end, base + SZ_2M);
	assert_int_equal(vtd_sl_pt_gather_psi(&g, psi), 1);
	assert_false(psi[0].ih);
	vtd_sl_pt_gather_release(&g);
	expect_mapped(base, pa, SZ_2M, RW);

	/* The rest of the 1G in two calls: the second merges to 1G. */
	assert_int_equal(map(base + SZ_2M, pa + SZ_2M, 200 * SZ_2M, RW), 0);
	assert_int_equal(map(base + 201 * SZ_2M, pa + 201 * SZ_2M,
			     311 * SZ_2M, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[2], 1);
	assert_int_equal(res.leaves, 1);
	assert_int_equal(pt.table_pages, 2);
	vtd_sl_pt_gather_release(&g);
	expect_mapped(base, pa, SZ_1G, RW);

	/* Splitting it again works and merging it back works. */
	assert_int_equal(unmap(base + 7 * SZ_4K, SZ_4K), 0);
	vtd_sl_pt_gather_release(&g);
	walk();
	assert_int_equal(res.leaf_count[0], 511);
	assert_int_equal(map(base + 7 * SZ_4K, pa + 7 * SZ_4K, SZ_4K, RW), 0);
	walk();
	assert_int_equal(res.leaves, 1);
	assert_int_equal(res.leaf_count[2], 1);
	assert_int_equal(g.freed_pages, 2);
	vtd_sl_pt_gather_release(&g);

	/* Different permissions, or a discontiguous address: no merge. */
	for (i = 0; i < 512; i++)
		assert_int_equal(map(SZ_2M * 1000 + i * SZ_4K, i * SZ_4K, SZ_4K,
				     i == 77 ? VTD_PROT_READ : RW), 0);
	for (i = 0; i < 512; i++)
		assert_int_equal(map(SZ_2M * 1001 + i * SZ_4K,
				     SZ_2M + i * SZ_4K + (i == 300) * SZ_2M,
				     SZ_4K, RW), 0);
	/* A host range not 2M-aligned: no merge. */
	assert_int_equal(map(SZ_2M * 1002, SZ_4K, SZ_2M, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[0], 1536);
	assert_true(g.start >= g.end);

	/* Without a gather, maps never merge. */
	assert_int_equal(unmap(base + SZ_4K, SZ_4K), 0);
	vtd_sl_pt_gather_release(&g);
	assert_int_equal(vtd_sl_pt_map(&pt, IOVA(base + SZ_4K),
				       PA(pa + SZ_4K), SZ_4K, RW, NULL), 0);
	walk();
	assert_int_equal(res.leaf_count[2], 0);
	assert_int_equal(res.leaf_count[1], 511);
}

static void test_pt_sl_no_merge_when_disabled(void **state)
{
	u64 i;

	for (i = 0; i < 512; i++)
		assert_int_equal(map(i * SZ_4K, i * SZ_4K, SZ_4K, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[0], 512);
	assert_true(g.start >= g.end);
}

/* ---- Cache flushing (ECAP.C = 0) ------------------------------------------ */

/*
 * Lines flushed are exactly the distinct lines changed (with @superset, at
 * least those), fence once.
 */
static void check_flushes(const struct pt_op *c, bool superset)
{
	expect_ok(c->name, pt_check_flushes(&subject, c, superset));
	vtd_sl_pt_gather_release(&g);
}

static void test_pt_sl_noncoherent_flush_accounting(void **state)
{
	static const struct pt_op cases[] = {
		{ "4K, new tables", true, 0x5000, 0x5000, SZ_4K, RW },
		{ "4K, tables present", true, 0x9000, 0x1000, SZ_4K, RW },
		{ "4K neighbours", true, 0xa000, 0x1000, 7 * SZ_4K, RW },
		{ "2M", true, SZ_2M * 9, 0, SZ_2M, RW },
		{ "1G", true, SZ_1G * 9, 0, SZ_1G, RW },
		{ "range over tables", true, SZ_1G * 3 - SZ_2M - 5 * SZ_4K,
		  SZ_2M - 5 * SZ_4K, SZ_1G + 4 * SZ_2M + 9 * SZ_4K, RW },
		{ "many PTs", true, SZ_1G * 20 + SZ_4K, SZ_4K, 20 * SZ_2M, RW },
		{ "unmap 4K", false, 0x9000, 0, SZ_4K, 0 },
		{ "unmap hole", false, 0x100000, 0, SZ_4K, 0 },
		{ "unmap split 1G", false, SZ_1G * 9 + SZ_2M * 3 + SZ_4K, 0,
		  SZ_4K, 0 },
		{ "unmap split 2M", false, SZ_2M * 9 + SZ_4K * 100, 0,
		  SZ_4K * 300, 0 },
		{ "unmap emptying a PT", false, 0x5000, 0, SZ_4K * 20, 0 },
		{ "unmap many PTs", false, SZ_1G * 20, 0, 21 * SZ_2M, 0 },
		{ "unmap range", false, SZ_1G * 2, 0, SZ_1G * 3, 0 },
		{ "4K alone", true, SZ_1G * 300 + SZ_4K, 0, SZ_4K, RW },
		{ "unmap 4K, tables go", false, SZ_1G * 300 + SZ_4K, 0, SZ_4K,
		  0 },
		{ "unmap all", false, 0, 0, 1ULL << 47, 0 },
	};
	size_t i;

	vtd_sl_pt_destroy(&pt);
	pt_setup(48, VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G, false, false, false);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_flushes(&cases[i], false);
	assert_int_equal(pt.table_pages, 1);
}

static void test_pt_sl_noncoherent_merge_flushes(void **state)
{
	struct pt_op c = { "merge", true, 0, 0, SZ_4K, RW };
	u64 i;

	vtd_sl_pt_destroy(&pt);
	pt_setup(48, VTD_SL_PT_LP_2M, false, false, true);
	assert_int_equal(map(SZ_4K, SZ_4K, SZ_2M - SZ_4K, RW), 0);
	/* Completing the 2M merges: each line once, a fence once. */
	check_flushes(&c, true);
	walk();
	assert_int_equal(res.leaf_count[1], 1);
	for (i = 0; i < 3; i++) {
		c = (struct pt_op){ "split", false, i * SZ_4K * 9, 0,
					    SZ_4K, 0 };
		check_flushes(&c, false);
	}
}

static void test_pt_sl_coherent_never_flushes(void **state)
{
	expect_ok("coherent", pt_check_coherent_never_flushes(&subject, RW));
}

/* ---- Allocation failure: every Nth allocation ----------------------------- */

/* Fail allocation N = 1, 2, ... until @op succeeds; nothing may change. */
static void fail_each_allocation(const struct pt_op *op)
{
	expect_ok(op->name, pt_check_each_allocation_failure(&subject, op));
	walk();
}

static void test_pt_sl_enomem_every_allocation(void **state)
{
	static const struct pt_op map_sparse = {
		"map sparse", true,
		(1ULL << 39) * 5 + SZ_1G * 3 + SZ_2M * 7 + SZ_4K, SZ_4K,
		SZ_1G * 2, RW
	};
	static const struct pt_op map_4k = {
		"map 4K", true, (1ULL << 39) * 9 + 0x1000, 0x1000, SZ_4K, RW
	};
	static const struct pt_op unmap_split_ends = {
		"unmap split ends", false, SZ_1G * 40 + SZ_2M * 3 + SZ_4K * 5,
		0, SZ_1G + SZ_2M * 8 + SZ_4K * 7, 0
	};
	static const struct pt_op unmap_split_middle = {
		"unmap split middle", false,
		SZ_1G * 50 + SZ_2M * 3 + SZ_4K * 5, 0, SZ_4K, 0
	};

	fail_each_allocation(&map_sparse);
	expect_mapped(map_sparse.va, map_sparse.pa, map_sparse.size, RW);
	fail_each_allocation(&map_4k);
	assert_int_equal(map(SZ_1G * 40, 0, SZ_1G * 3, RW), 0);
	assert_int_equal(map(SZ_1G * 50, 0, SZ_1G, RW), 0);
	fail_each_allocation(&unmap_split_ends);
	expect_unmapped(SZ_1G * 41);
	expect_mapped(SZ_1G * 40, 0, SZ_2M * 3 + SZ_4K * 5, RW);
	vtd_sl_pt_gather_release(&g);
	fail_each_allocation(&unmap_split_middle);
	vtd_sl_pt_gather_release(&g);
	/* Init: the one allocation fails cleanly (see init test). */
}

/* ---- Gather helpers ------------------------------------------------------ */

static void test_pt_sl_gather_psi_covers_range(void **state)
{
	struct vtd_iotlb_psi psi[2];
	u64 seed = 88172645463325252ULL;
	unsigned int i, n, k;

	for (i = 0; i < 20000; i++) {
		u64 s, e, lo = ~0ULL, hi = 0, span;

		pt_rnd(&seed);
		s = (seed % (1ULL << 36)) & ~(SZ_4K - 1);
		e = s + SZ_4K * (1 + (seed >> 40) % (i % 3 ? 600 : 300000));
		vtd_sl_pt_gather_init(&g);
		g.start = s;
		g.end = e;
		n = vtd_sl_pt_gather_psi(&g, psi);
		assert_true(n == 1 || n == 2);
		for (k = 0; k < n; k++) {
			u64 a = vtd_iova_val(psi[k].addr);
			u64 len = SZ_4K << psi[k].am;

			assert_int_equal(a & (len - 1), 0);
			lo = a < lo ? a : lo;
			hi = a + len > hi ? a + len : hi;
			assert_true(psi[k].ih);
		}
		if (n == 2)
			assert_int_equal(vtd_iova_val(psi[0].addr) +
					 (SZ_4K << psi[0].am),
					 vtd_iova_val(psi[1].addr));
		assert_true(lo <= s && hi >= e);
		/* Never more than 4x the range rounded up to a power of two. */
		span = SZ_4K;
		while (span < e - s)
			span <<= 1;
		assert_true(hi - lo <= 4 * span);
	}
	vtd_sl_pt_gather_init(&g);
}

/* ---- Randomised against a reference model --------------------------------- */

#define RND_BASE	(SZ_1G * 6)
#define RND_SPAN	(SZ_1G * 2)
#define RND_PAGES	(RND_SPAN / SZ_4K)

static struct pt_model model;
static u64 model_mapped;
static u64 rnd_state;

static u64 rnd(void)
{
	return pt_rnd(&rnd_state);
}

static u64 model_leaf_errors;

static void model_leaf(const struct sl_leaf *leaf, void *ctx)
{
	u32 prot = (leaf->r ? VTD_PROT_READ : 0) |
		   (leaf->w ? VTD_PROT_WRITE : 0);

	model_leaf_errors += pt_model_leaf_errors(&model, 1, leaf->iova,
						  leaf->pa, leaf->size, prot);
}

static void model_check(bool full)
{
	sl_walk(&wcfg, hal_paddr_val(pt.root_pa), full ? model_leaf : NULL,
		NULL, &res);
	expect_ok("walker", pt_check_walk(&res, pt.table_pages));
	assert_int_equal(res.mapped_bytes, model_mapped * SZ_4K);
	assert_int_equal(model_leaf_errors, 0);
}

static void random_ops(unsigned int ops, bool merge, u64 seed)
{
	static const u64 grain[] = { SZ_4K, SZ_4K, SZ_2M, SZ_1G };
	unsigned int i, fails = 0, busy = 0, merges = 0;
	u64 h;

	vtd_sl_pt_destroy(&pt);
	pt_setup(48, VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G, false, true, merge);
	model = (struct pt_model){
		.base = RND_BASE, .pages = RND_PAGES,
		.page = calloc(RND_PAGES, sizeof(u64)),
	};
	model_mapped = 0;
	model_leaf_errors = 0;
	rnd_state = seed;

	for (i = 0; i < ops; i++) {
		u64 gr = grain[rnd() % 4];
		u64 r = rnd();
		u64 start = RND_BASE + (r % (RND_SPAN / gr)) * gr;
		u64 units = gr != SZ_4K ? 1 + rnd() % 3 :
			    rnd() % 3 ? 1 + rnd() % 700 : 1;
		u64 size = units * gr, first, n, mapped, lo, hi;
		bool inject = rnd() % 8 == 0, crowd = false;
		int rc;

		if (rnd() % 3 == 0) {
			/* Shift by pages so ranges cut large leaves. */
			start += (rnd() % 512) * SZ_4K;
		}
		if (merge && rnd() % 2) {
			/*
			 * Crowd 2 tables: map the first free run at or after
			 * a random page, so that they fill up and merge.
			 */
			u64 q = rnd() % 1024, k = 0, lim = 1 + rnd() % 8;

			while (k < 1024 && model.page[(q + k) % 1024])
				k++;
			q = (q + k) % 1024;
			for (k = 0; k < lim && q + k < 1024 &&
				    !model.page[q + k];)
				k++;
			start = RND_BASE + q * SZ_4K;
			size = SZ_4K * (k ? k : 1);
			crowd = true;
		} else if (merge && start < RND_BASE + SZ_1G) {
			start += SZ_1G;		/* leave the crowd alone */
		}
		if (start + size > RND_BASE + RND_SPAN)
			size = RND_BASE + RND_SPAN - start;
		if (!size)
			continue;
		first = (start - RND_BASE) / SZ_4K;
		n = size / SZ_4K;
		mapped = pt_model_mapped(&model, first, n, &lo, &hi);
		h = inject ? walk()->hash : 0;
		if (inject)
			fake_mem_fail_nth(1 + rnd() % 3, false);

		if (rnd() % 20 < (crowd ? 18 : merge ? 8 : 12)) {
			u64 pa = (rnd() % (1ULL << 14)) * gr;
			u32 prot = 1 + rnd() % 3;

			if (rnd() % 4 == 0)
				pa += SZ_4K * (rnd() % 4);
			/* Half the time a fixed offset, so that merges occur. */
			if (crowd || rnd() % 2) {
				pa = start - RND_BASE + 16 * SZ_1G;
				prot = RW;
			}
			rc = map(start, pa, size, prot);
			if (rc == 0)
				merges += g.freed_pages;
			if (mapped) {
				assert_int_equal(rc, -EBUSY);
				busy++;
			} else if (rc == -ENOMEM && inject) {
				fails++;
			} else {
				assert_int_equal(rc, 0);
				pt_model_map(&model, first, n, pa, prot);
				model_mapped += n;
			}
		} else {
			rc = unmap(start, size);
			if (rc == -ENOMEM && inject) {
				fails++;
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(g.unmapped, mapped * SZ_4K);
				pt_model_unmap(&model, first, n);
				model_mapped -= mapped;
				if (mapped)
					assert_true(g.start <= RND_BASE +
						    lo * SZ_4K &&
						    g.end >= RND_BASE +
						    hi * SZ_4K);
			}
		}
		fake_mem_fail_nth(0, false);
		if (rc == -ENOMEM) {
			assert_int_equal(walk()->hash, h);
			assert_int_equal(g.freed_pages, 0);
		}
		vtd_sl_pt_gather_release(&g);
		model_check(i % 32 == 0 || i == ops - 1);
	}
	print_message("random (merge %d): %u ops, %u -EBUSY, %u -ENOMEM, "
		      "%u tables merged away, %llu pages mapped, %llu tables\n",
		      merge, ops, busy, fails, merges,
		      (unsigned long long)model_mapped,
		      (unsigned long long)pt.table_pages);
	/* Unmap everything: only the root is left. */
	assert_int_equal(unmap(RND_BASE, RND_SPAN), 0);
	assert_int_equal(g.unmapped, model_mapped * SZ_4K);
	assert_int_equal(pt.table_pages, 1);
	vtd_sl_pt_gather_release(&g);
	free(model.page);
	model.page = NULL;
}

static void test_pt_sl_random_vs_model(void **state)
{
	random_ops(3000, false, 0x9e3779b97f4a7c15ULL);
}

static void test_pt_sl_random_vs_model_merge(void **state)
{
	random_ops(3000, true, 0x2545f4914f6cdd1dULL);
}

/* Many adjacent 4K maps with contiguous host addresses: merges cascade. */
static void test_pt_sl_random_merge_cascade(void **state)
{
	u64 order[512], i, j, t;

	vtd_sl_pt_destroy(&pt);
	pt_setup(39, VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G, false, true, true);
	rnd_state = 12345;
	for (i = 0; i < 512; i++)
		order[i] = i;
	for (i = 511; i > 0; i--) {
		j = rnd() % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	/* 2M chunks of one 1G range in random order, each 4K by 4K. */
	for (i = 0; i < 512; i++) {
		u64 c = order[i];

		if (i % 64 == 0) {
			for (j = 0; j < 512; j++)
				assert_int_equal(map(SZ_1G + c * SZ_2M +
						     j * SZ_4K,
						     SZ_1G * 5 + c * SZ_2M +
						     j * SZ_4K, SZ_4K, RW), 0);
		} else {
			assert_int_equal(map(SZ_1G + c * SZ_2M,
					     SZ_1G * 5 + c * SZ_2M, SZ_2M, RW),
					 0);
		}
		vtd_sl_pt_gather_release(&g);
	}
	walk();
	assert_int_equal(res.leaves, 1);
	assert_int_equal(res.leaf_count[2], 1);
	assert_int_equal(pt.table_pages, 1);
	expect_mapped(SZ_1G, SZ_1G * 5, SZ_1G, RW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pt_sl_init_levels_from_aw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_init_noncoherent_flushes_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_levels_3_4_5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_map_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_map_2m_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_map_largest_page_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_map_invalid_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_map_overlap_rejected_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_snoop_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_unmap_4k_2m_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_unmap_splits_large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_unmap_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_tables_freed_when_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_merge_into_large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_no_merge_when_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_noncoherent_flush_accounting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_noncoherent_merge_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_coherent_never_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_enomem_every_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_gather_psi_covers_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_random_vs_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_random_vs_model_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_sl_random_merge_cascade, setup, teardown),
	};

	return cmocka_run_group_tests_name("pt_sl", tests, NULL, NULL);
}
