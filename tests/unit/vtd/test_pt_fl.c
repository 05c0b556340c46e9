// SPDX-License-Identifier: BSD-2-Clause
/*
 * First-level page tables (vtd/pt_fl.c) [VT-d 3.6, 9.7]. Every result is
 * asserted through the independent walker in tests/fakes/fl_walk.c, which
 * reads the tables in fake memory, checks reserved bits per level and
 * computes rights as the hardware does (AND of R/W and U/S, OR of XD
 * over the walk); the library's own lookup is only compared against it.
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
#include <vtd/pt_fl.h>

#include "fakes/fake_hal.h"
#include "fakes/fl_walk.h"
#include <vtd/hw/tables.h>

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define R	VTD_PROT_READ
#define RW	(VTD_PROT_READ | VTD_PROT_WRITE)
#define RWX	(RW | VTD_PROT_EXEC)
#define HI48	0xffff800000000000ULL	/* first upper-half address, 4-level */

static struct vtd_fl_pt pt;
static struct vtd_fl_pt_config cfg;
static struct fl_walk_cfg wcfg;
static struct vtd_fl_gather g;
static struct pt_walk_result res;
static u64 base_pages;

static vtd_iova_t VA(u64 v)
{
	return vtd_iova_init(v);
}

static hal_paddr_t PA(u64 v)
{
	return hal_paddr_init(v);
}

static void pt_setup_cfg(const struct vtd_fl_pt_config *c)
{
	cfg = *c;
	assert_int_equal(vtd_fl_pt_init(&pt, &cfg), 0);
	wcfg = (struct fl_walk_cfg){
		.levels = cfg.levels, .haw = cfg.haw,
		.lp_1g = cfg.large_pages & VTD_FL_PT_LP_1G, .nxe = cfg.nxe,
	};
	vtd_fl_pt_gather_init(&g);
}

static void pt_setup(unsigned int levels, bool lp1g, bool coherent)
{
	struct vtd_fl_pt_config c = {
		.levels = levels, .haw = 46,
		.large_pages = lp1g ? VTD_FL_PT_LP_1G : 0,
		.coherent = coherent, .nxe = true,
	};

	pt_setup_cfg(&c);
}

static int setup(void **state)
{
	fake_hal_reset();
	base_pages = fake_mem_pages_in_use();
	pt_setup(4, true, true);
	return 0;
}

static int teardown(void **state)
{
	vtd_fl_pt_gather_release(&g);
	vtd_fl_pt_destroy(&pt);
	assert_int_equal(fake_mem_pages_in_use(), base_pages);
	return 0;
}

/* A check of pt_snap.h passed, or the test fails with its reason. */
static void expect_ok(const char *what, const char *why)
{
	if (why)
		fail_msg("%s: %s", what, why);
}

static struct pt_walk_result *walk(void)
{
	fl_walk(&wcfg, hal_paddr_val(pt.root_pa), NULL, NULL, &res);
	expect_ok("walker", pt_check_walk(&res, pt.table_pages));
	return &res;
}

static u64 tables_hash(void)
{
	return walk()->hash;
}

static bool translate(u64 va, struct fl_leaf *leaf)
{
	u64 errors = 0;
	bool ok = fl_walk_translate(&wcfg, hal_paddr_val(pt.root_pa), va,
				    leaf, &errors);

	if (errors)
		fail_msg("walker errors at va %#llx", (unsigned long long)va);
	return ok;
}

/* [va, va + size) maps to pa.. with the effective rights of @prot. */
static void expect_mapped(u64 va, u64 pa, u64 size, u32 prot)
{
	u64 a = va;
	struct fl_leaf leaf;

	while (a - va < size) {
		if (!translate(a, &leaf))
			fail_msg("va %#llx not mapped", (unsigned long long)a);
		assert_int_equal(leaf.pa + (a - leaf.va), pa + (a - va));
		assert_int_equal(leaf.w, !!(prot & VTD_PROT_WRITE));
		assert_int_equal(leaf.u, !!(prot & VTD_PROT_USER));
		assert_int_equal(leaf.x, !!(prot & VTD_PROT_EXEC));
		assert_true(leaf.a);
		a = leaf.va + leaf.size;
		if (a == 0)
			break;
	}
}

static void expect_unmapped(u64 va)
{
	struct fl_leaf leaf;

	assert_false(translate(va, &leaf));
}

static int map(u64 va, u64 pa, u64 size, u32 prot)
{
	return vtd_fl_pt_map(&pt, VA(va), PA(pa), size, prot);
}

static int unmap(u64 va, u64 size)
{
	return vtd_fl_pt_unmap(&pt, VA(va), size, &g);
}

static bool gather_idle(void)
{
	return g.start >= g.end && g.freed_pages == 0;
}

static const struct pt_subject subject = {
	.map = map, .unmap = unmap, .walk = walk,
	.table_pages = &pt.table_pages, .gather_idle = gather_idle,
};

/* ---- Formats -------------------------------------------------------------- */

/*
 * The masks of tables.h section 3 against a second source: the bit
 * numbers of Linux arch/x86/include/asm/pgtable_types.h (_PAGE_BIT_*)
 * and the reserved ranges of [SDM 3A Tables 4-15..4-20].
 */
static void test_pt_fl_masks_match_second_source(void **state)
{
	assert_int_equal(VTD_FL_PTE_P, 1ULL << 0);	/* _PAGE_BIT_PRESENT */
	assert_int_equal(VTD_FL_PTE_RW, 1ULL << 1);	/* _PAGE_BIT_RW */
	assert_int_equal(VTD_FL_PTE_US, 1ULL << 2);	/* _PAGE_BIT_USER */
	assert_int_equal(VTD_FL_PTE_PWT, 1ULL << 3);	/* _PAGE_BIT_PWT */
	assert_int_equal(VTD_FL_PTE_PCD, 1ULL << 4);	/* _PAGE_BIT_PCD */
	assert_int_equal(VTD_FL_PTE_A, 1ULL << 5);	/* _PAGE_BIT_ACCESSED */
	assert_int_equal(VTD_FL_PTE_D, 1ULL << 6);	/* _PAGE_BIT_DIRTY */
	assert_int_equal(VTD_FL_PTE_PS, 1ULL << 7);	/* _PAGE_BIT_PSE */
	assert_int_equal(VTD_FL_PTE_PAT, 1ULL << 7);	/* _PAGE_BIT_PAT */
	assert_int_equal(VTD_FL_PTE_G, 1ULL << 8);	/* _PAGE_BIT_GLOBAL */
	assert_int_equal(VTD_FL_PTE_PAT_LARGE, 1ULL << 12); /* _PAGE_BIT_PAT_LARGE */
	assert_int_equal(VTD_FL_PTE_XD, 1ULL << 63);	/* _PAGE_BIT_NX */
	/* _PAGE_BIT_PKEY_BIT0..3 = 59..62. */
	assert_int_equal(VTD_FL_PTE_PK, 0xfULL << 59);
	/* SDM: 58:52 ignored, 51:12 address (M-1:12), 2M 20:13, 1G 29:13. */
	assert_int_equal(VTD_FL_PTE_IGN_HI, 0x7fULL << 52);
	/*
	 * SDM Tables 4-15, 4-17, 4-19: 62:52 ignored in entries that name a
	 * table; QEMU's first-stage reserved masks spare 63:52
	 * (VTD_FS_UPPER_IGNORED) at every level, XD apart.
	 */
	assert_int_equal(VTD_FL_PTE_IGN_NONLEAF, 0x7ffULL << 52);
	assert_int_equal(VTD_FL_PTE_ADDR, ((1ULL << 40) - 1) << 12);
	assert_int_equal(VTD_FL_PDE_2M_RSVD, 0xffULL << 13);
	assert_int_equal(VTD_FL_PDPE_1G_RSVD, 0x1ffffULL << 13);
	assert_int_equal(VTD_FL_PDE_2M_ADDR, ((1ULL << 31) - 1) << 21);
	assert_int_equal(VTD_FL_PDPE_1G_ADDR, ((1ULL << 22) - 1) << 30);
	assert_int_equal(VTD_FL_PML4E_RSVD, 1ULL << 7);
	assert_int_equal(VTD_FL_PML5E_RSVD, 1ULL << 7);
	/* Level helpers. */
	assert_int_equal(vtd_fl_level_size(3), SZ_1G);
	assert_int_equal(vtd_fl_level_index(HI48, 4), 256);
	assert_true(vtd_fl_pte_is_leaf(VTD_FL_PTE_PS, 2));
	assert_false(vtd_fl_pte_is_leaf(VTD_FL_PTE_PS, 4));
	assert_int_equal(vtd_fl_pte_addr(SZ_2M | VTD_FL_PTE_PAT_LARGE |
					 VTD_FL_PTE_PS, 2), SZ_2M);
}

/* ---- Init ----------------------------------------------------------------- */

static void test_pt_fl_init(void **state)
{
	struct vtd_fl_pt p;
	struct vtd_fl_pt_config c = { .levels = 4, .haw = 46,
				      .coherent = true };
	struct fake_cache_stats cs;

	assert_int_equal(vtd_fl_pt_init(&p, &c), 0);
	assert_int_equal(p.table_pages, 1);
	assert_int_equal(vtd_fl_pt_flpm(&p), 0);
	vtd_fl_pt_destroy(&p);
	c.levels = 5;
	assert_int_equal(vtd_fl_pt_init(&p, &c), 0);
	assert_int_equal(vtd_fl_pt_flpm(&p), 1);
	vtd_fl_pt_destroy(&p);
	c.levels = 3;
	assert_int_equal(vtd_fl_pt_init(&p, &c), -EINVAL);
	c.levels = 6;
	assert_int_equal(vtd_fl_pt_init(&p, &c), -EINVAL);
	c.levels = 4;
	c.haw = 53;
	assert_int_equal(vtd_fl_pt_init(&p, &c), -EINVAL);
	c.haw = 46;
	c.large_pages = 2;
	assert_int_equal(vtd_fl_pt_init(&p, &c), -EINVAL);
	c.large_pages = 0;
	fake_mem_fail_nth(1, false);
	assert_int_equal(vtd_fl_pt_init(&p, &c), -ENOMEM);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
	/* Not coherent: the zeroed root is flushed, one fence. */
	c.coherent = false;
	fake_cache_reset();
	assert_int_equal(vtd_fl_pt_init(&p, &c), 0);
	fake_cache_stats(&cs);
	assert_int_equal(cs.lines_flushed, 64);
	assert_int_equal(cs.fences, 1);
	vtd_fl_pt_destroy(&p);
}

/* ---- Map ------------------------------------------------------------------ */

static void test_pt_fl_map_4k_both_halves(void **state)
{
	struct vtd_fl_pt_translation tr;

	assert_int_equal(map(0x12345000, 0xabcd000, SZ_4K, RW), 0);
	assert_int_equal(map(HI48 + 0x7000, 0x1000, SZ_4K, R), 0);
	assert_int_equal(map(~0ULL - SZ_4K + 1, 0x2000, SZ_4K, RWX), 0);
	assert_int_equal(map((1ULL << 47) - SZ_4K, 0x3000, SZ_4K, R), 0);
	expect_mapped(0x12345000, 0xabcd000, SZ_4K, RW);
	expect_mapped(HI48 + 0x7000, 0x1000, SZ_4K, R);
	expect_mapped(~0ULL - SZ_4K + 1, 0x2000, SZ_4K, RWX);
	expect_mapped((1ULL << 47) - SZ_4K, 0x3000, SZ_4K, R);
	expect_unmapped(0x12344000);
	expect_unmapped(HI48 + 0x6000);
	walk();
	assert_int_equal(res.leaves, 4);
	assert_int_equal(res.leaf_count[0], 4);
	/* Root + 3 per path, two paths share nothing but the root... */
	assert_int_equal(res.tables, 1 + 3 * 4);
	/* Library lookup agrees. */
	assert_int_equal(vtd_fl_pt_lookup(&pt, VA(0x12345678), &tr), 0);
	assert_int_equal(hal_paddr_val(tr.pa), 0xabcd678);
	assert_int_equal(tr.page_size, SZ_4K);
	assert_int_equal(tr.prot, RW);
	assert_true(tr.accessed);
	assert_true(tr.dirty);
	assert_int_equal(vtd_fl_pt_lookup(&pt, VA(HI48 + 0x7abc), &tr), 0);
	assert_int_equal(hal_paddr_val(tr.pa), 0x1abc);
	assert_int_equal(tr.prot, R);
	assert_false(tr.dirty);
	assert_int_equal(vtd_fl_pt_lookup(&pt, VA(~0ULL), &tr), 0);
	assert_int_equal(tr.prot, RWX);
	assert_int_equal(vtd_fl_pt_lookup(&pt, VA(0x12346000), &tr), -ENOENT);
	assert_int_equal(vtd_fl_pt_lookup(&pt, VA(1ULL << 47), &tr), -ERANGE);
}

static void test_pt_fl_map_2m_1g(void **state)
{
	assert_int_equal(map(SZ_2M * 3, SZ_2M * 7, SZ_2M, RW), 0);
	assert_int_equal(map(SZ_1G * 5, SZ_1G * 9, SZ_1G, R), 0);
	assert_int_equal(map(HI48 + SZ_1G, SZ_1G, SZ_1G + SZ_2M, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[1], 2);
	assert_int_equal(res.leaf_count[2], 2);
	expect_mapped(SZ_2M * 3, SZ_2M * 7, SZ_2M, RW);
	expect_mapped(SZ_1G * 5, SZ_1G * 9, SZ_1G, R);
	expect_mapped(HI48 + SZ_1G, SZ_1G, SZ_1G + SZ_2M, RW);

	/* Without FL1GP a 1G range takes 512 2M leaves (2M always). */
	vtd_fl_pt_destroy(&pt);
	pt_setup(4, false, true);
	assert_int_equal(map(SZ_1G, SZ_1G * 2, SZ_1G, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[1], 512);
	assert_int_equal(res.leaf_count[2], 0);
	/* Host address only 4K aligned: 4K leaves. */
	assert_int_equal(map(SZ_1G * 8, SZ_4K, SZ_2M, RW), 0);
	walk();
	assert_int_equal(res.leaf_count[0], 512);
	expect_mapped(SZ_1G * 8, SZ_4K, SZ_2M, RW);
}

static void test_pt_fl_levels_5(void **state)
{
	u64 hi57 = 0xff00000000000000ULL;

	vtd_fl_pt_destroy(&pt);
	pt_setup(5, true, true);
	assert_int_equal(map(1ULL << 50, 0x5000, SZ_4K, RW), 0);
	assert_int_equal(map((1ULL << 56) - SZ_1G, SZ_1G, SZ_1G, R), 0);
	assert_int_equal(map(hi57, 0x6000, SZ_4K, RW), 0);
	assert_int_equal(map(~0ULL - SZ_2M + 1, 0, SZ_2M, RW), 0);
	expect_mapped(1ULL << 50, 0x5000, SZ_4K, RW);
	expect_mapped((1ULL << 56) - SZ_1G, SZ_1G, SZ_1G, R);
	expect_mapped(hi57, 0x6000, SZ_4K, RW);
	expect_mapped(~0ULL - SZ_2M + 1, 0, SZ_2M, RW);
	assert_int_equal(map(1ULL << 56, 0, SZ_4K, RW), -ERANGE);
	assert_int_equal(map(0xfe00000000000000ULL, 0, SZ_4K, RW), -ERANGE);
	/* A 4-level upper-half address is canonical with 5 levels too. */
	assert_int_equal(map(HI48, 0x7000, SZ_4K, RW), 0);
	assert_int_equal(unmap(HI48, SZ_4K), 0);
	vtd_fl_pt_gather_release(&g);
	walk();
	assert_int_equal(res.tables, 1 + 4 + 2 + 4 + 3);
	assert_int_equal(unmap(hi57, 0x100000000000000ULL), 0);
	assert_int_equal(g.unmapped, SZ_4K + SZ_2M);
	/* The gather's range, turned canonical again. */
	{
		struct vtd_iotlb_psi psi[2];
		unsigned int n = vtd_fl_pt_gather_psi(&g, psi);

		assert_true(n >= 1);
		assert_true(vtd_iova_val(psi[0].addr) >= hi57);
	}
	vtd_fl_pt_gather_release(&g);
	assert_int_equal(unmap(0, 1ULL << 56), 0);
	assert_int_equal(pt.table_pages, 1);
}

static void test_pt_fl_permissions(void **state)
{
	struct fl_leaf leaf;
	struct vtd_fl_pt_config c;

	assert_int_equal(map(0x1000, 0x1000, SZ_4K, R), 0);
	assert_int_equal(map(0x2000, 0x1000, SZ_4K, RW), 0);
	assert_int_equal(map(0x3000, 0x1000, SZ_4K, R | VTD_PROT_EXEC), 0);
	assert_int_equal(map(0x4000, 0x1000, SZ_4K, R | VTD_PROT_USER), 0);
	assert_int_equal(map(0x5000, 0x1000, SZ_4K, RWX | VTD_PROT_USER),
			 0);
	assert_int_equal(map(SZ_2M, 0, SZ_2M, R | VTD_PROT_USER), 0);
	expect_mapped(0x1000, 0x1000, SZ_4K, R);
	expect_mapped(0x2000, 0x1000, SZ_4K, RW);
	expect_mapped(0x3000, 0x1000, SZ_4K, R | VTD_PROT_EXEC);
	expect_mapped(0x4000, 0x1000, SZ_4K, R | VTD_PROT_USER);
	expect_mapped(0x5000, 0x1000, SZ_4K, RWX | VTD_PROT_USER);
	expect_mapped(SZ_2M, 0, SZ_2M, R | VTD_PROT_USER);
	/* Raw bits: A always; D with W (pre-set); XD without EXEC. */
	assert_true(translate(0x1000, &leaf));
	assert_int_equal(leaf.raw & 0xfff, VTD_FL_PTE_P | VTD_FL_PTE_A);
	assert_true(leaf.raw & VTD_FL_PTE_XD);
	assert_true(translate(0x2000, &leaf));
	assert_true(leaf.d);
	assert_true(translate(0x3000, &leaf));
	assert_false(leaf.raw & VTD_FL_PTE_XD);
	/* READ is required; unknown bits rejected. */
	assert_int_equal(map(0x9000, 0, SZ_4K, VTD_PROT_WRITE), -EINVAL);
	assert_int_equal(map(0x9000, 0, SZ_4K, 0), -EINVAL);
	assert_int_equal(map(0x9000, 0, SZ_4K, R | (1U << 4)), -EINVAL);

	/* nxe off: XD reserved, never set, every mapping executable. */
	vtd_fl_pt_destroy(&pt);
	c = (struct vtd_fl_pt_config){ .levels = 4, .haw = 46,
				       .coherent = true };
	pt_setup_cfg(&c);
	assert_int_equal(map(0x1000, 0x1000, SZ_4K, RW), 0);
	expect_mapped(0x1000, 0x1000, SZ_4K, RWX);
	walk();

	/* user: every leaf U/S; dirty_tracking: D left clear. */
	vtd_fl_pt_destroy(&pt);
	c.user = true;
	c.dirty_tracking = true;
	c.nxe = true;
	pt_setup_cfg(&c);
	assert_int_equal(map(0x1000, 0x1000, SZ_4K, RW), 0);
	expect_mapped(0x1000, 0x1000, SZ_4K, RW | VTD_PROT_USER);
	assert_true(translate(0x1000, &leaf));
	assert_false(leaf.d);
	assert_true(leaf.a);
}

static void test_pt_fl_noncanonical_rejected(void **state)
{
	u64 h, pages;

	assert_int_equal(map(SZ_2M, SZ_2M, SZ_2M, RW), 0);
	h = tables_hash();
	pages = fake_mem_pages_in_use();
	/* Into the hole, across it, from the lower half into it. */
	assert_int_equal(map(1ULL << 47, 0, SZ_4K, RW), -ERANGE);
	assert_int_equal(map(0x0000900000000000ULL, 0, SZ_4K, RW), -ERANGE);
	assert_int_equal(map(HI48 - SZ_4K, 0, SZ_4K, RW), -ERANGE);
	assert_int_equal(map((1ULL << 47) - SZ_4K, 0, 2 * SZ_4K, RW),
			 -ERANGE);
	assert_int_equal(map(0x1000000000000000ULL, 0, SZ_4K, RW), -ERANGE);
	assert_int_equal(unmap(1ULL << 47, SZ_4K), -ERANGE);
	assert_int_equal(unmap((1ULL << 47) - SZ_4K, 2 * SZ_4K), -ERANGE);
	assert_int_equal(unmap(0, HI48), -ERANGE);
	/* Wrapping past 2^64: -EINVAL; ending exactly there is fine. */
	assert_int_equal(map(~0ULL - SZ_4K + 1, 0, 2 * SZ_4K, RW), -EINVAL);
	assert_int_equal(unmap(~0ULL - SZ_4K + 1, 2 * SZ_4K), -EINVAL);
	/* Alignment, size, host range. */
	assert_int_equal(map(0x1001, 0x2000, SZ_4K, RW), -EINVAL);
	assert_int_equal(map(0x1000, 0x2001, SZ_4K, RW), -EINVAL);
	assert_int_equal(map(0x1000, 0x2000, 0, RW), -EINVAL);
	assert_int_equal(map(0x1000, 1ULL << 46, SZ_4K, RW), -ERANGE);
	assert_int_equal(map(0x1000, ~0ULL - SZ_4K + 1, 2 * SZ_4K, RW),
			 -EINVAL);
	assert_int_equal(vtd_fl_pt_unmap(&pt, VA(0), SZ_4K, NULL), -EINVAL);
	assert_int_equal(tables_hash(), h);
	assert_int_equal(fake_mem_pages_in_use(), pages);
	assert_int_equal(unmap(HI48, 0ULL - HI48), 0);
	assert_int_equal(g.unmapped, 0);
}

static void test_pt_fl_overlap_rejected_unchanged(void **state)
{
	struct pt_snapshot before, after;
	u64 pages;

	assert_int_equal(map(SZ_1G, 0, SZ_1G, RW), 0);
	assert_int_equal(map(4 * SZ_1G, 0, SZ_2M, RW), 0);
	assert_int_equal(map(5 * SZ_1G + 0x5000, 0, SZ_4K, RW), 0);
	pages = fake_mem_pages_in_use();
	pt_snapshot_take(&before, walk());
	assert_int_equal(map(SZ_1G + SZ_2M, 0, SZ_4K, RW), -EBUSY);
	assert_int_equal(map(SZ_1G - SZ_4K, 0, 2 * SZ_4K, RW), -EBUSY);
	assert_int_equal(map(0, 0, 4 * SZ_1G, RW), -EBUSY);
	assert_int_equal(map(4 * SZ_1G + SZ_4K * 7, 0, SZ_4K, RW), -EBUSY);
	assert_int_equal(map(5 * SZ_1G, 0, SZ_1G, RW), -EBUSY);
	assert_int_equal(map(2 * SZ_1G + SZ_4K, SZ_4K, 2 * SZ_1G, RW), -EBUSY);
	pt_snapshot_take(&after, walk());
	assert_true(pt_snapshot_equal(&before, &after));
	assert_int_equal(fake_mem_pages_in_use(), pages);
	pt_snapshot_free(&before);
	pt_snapshot_free(&after);
}

/* ---- Unmap ---------------------------------------------------------------- */

static void test_pt_fl_unmap_4k_2m_1g(void **state)
{
	struct vtd_iotlb_psi psi[2];

	assert_int_equal(map(0x7000, 0x9000, SZ_4K, RW), 0);
	assert_int_equal(map(SZ_2M, 0, SZ_2M, RW), 0);
	assert_int_equal(map(SZ_1G, 0, SZ_1G, RW), 0);
	assert_int_equal(map(HI48 + 0x3000, 0, SZ_4K, RW), 0);

	assert_int_equal(unmap(0x7000, SZ_4K), 0);
	expect_unmapped(0x7000);
	assert_int_equal(g.start, 0x7000);
	assert_int_equal(g.end, 0x8000);
	assert_int_equal(g.unmapped, SZ_4K);
	assert_int_equal(g.leaf_sizes, VTD_FL_LEAF_4K);
	assert_true(g.nonleaf);		/* the PT went empty */
	assert_int_equal(g.freed_pages, 1);
	assert_int_equal(vtd_fl_pt_gather_psi(&g, psi), 1);
	assert_int_equal(vtd_iova_val(psi[0].addr), 0x7000);
	assert_int_equal(psi[0].am, 0);
	assert_false(psi[0].ih);
	vtd_fl_pt_gather_release(&g);

	assert_int_equal(unmap(SZ_2M, SZ_2M), 0);
	assert_int_equal(g.leaf_sizes, VTD_FL_LEAF_2M);
	assert_int_equal(g.freed_pages, 1);	/* the PD */
	vtd_fl_pt_gather_release(&g);

	/* A leaf whose table stays: IH may be set. */
	assert_int_equal(map(0x1000, 0, 2 * SZ_4K, RW), 0);
	assert_int_equal(unmap(0x2000, SZ_4K), 0);
	assert_false(g.nonleaf);
	assert_int_equal(vtd_fl_pt_gather_psi(&g, psi), 1);
	assert_true(psi[0].ih);
	vtd_fl_pt_gather_release(&g);
	assert_int_equal(unmap(0x1000, SZ_4K), 0);
	vtd_fl_pt_gather_release(&g);

	assert_int_equal(unmap(SZ_1G, SZ_1G), 0);
	assert_int_equal(g.leaf_sizes, VTD_FL_LEAF_1G);
	vtd_fl_pt_gather_release(&g);

	/* Upper half: the PSI address is canonical. */
	assert_int_equal(unmap(HI48 + 0x3000, SZ_4K), 0);
	assert_int_equal(vtd_fl_pt_gather_psi(&g, psi), 1);
	assert_int_equal(vtd_iova_val(psi[0].addr), HI48 + 0x3000);
	vtd_fl_pt_gather_release(&g);
	assert_int_equal(pt.table_pages, 1);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
}

static void test_pt_fl_unmap_splits_large_pages(void **state)
{
	u64 pa = 7 * SZ_1G;
	u32 prot = R | VTD_PROT_USER;

	assert_int_equal(map(SZ_1G, pa, SZ_1G, prot), 0);
	assert_int_equal(unmap(SZ_1G + 5 * SZ_2M + 3 * SZ_4K, SZ_4K), 0);
	expect_unmapped(SZ_1G + 5 * SZ_2M + 3 * SZ_4K);
	expect_mapped(SZ_1G, pa, 5 * SZ_2M + 3 * SZ_4K, prot);
	expect_mapped(SZ_1G + 5 * SZ_2M + 4 * SZ_4K,
		      pa + 5 * SZ_2M + 4 * SZ_4K,
		      SZ_1G - 5 * SZ_2M - 4 * SZ_4K, prot);
	walk();
	assert_int_equal(res.leaf_count[2], 0);
	assert_int_equal(res.leaf_count[1], 511);
	assert_int_equal(res.leaf_count[0], 511);
	assert_int_equal(g.start, SZ_1G);
	assert_int_equal(g.end, 2 * SZ_1G);
	assert_true(g.nonleaf);
	vtd_fl_pt_gather_release(&g);

	assert_int_equal(map(64 * SZ_1G, 0, 4 * SZ_2M, RWX), 0);
	assert_int_equal(unmap(64 * SZ_1G + SZ_2M - SZ_4K, SZ_2M + 2 * SZ_4K),
			 0);
	assert_int_equal(g.unmapped, SZ_2M + 2 * SZ_4K);
	assert_int_equal(g.leaf_sizes, VTD_FL_LEAF_4K | VTD_FL_LEAF_2M);
	expect_mapped(64 * SZ_1G, 0, SZ_2M - SZ_4K, RWX);
	expect_unmapped(64 * SZ_1G + SZ_2M);
	expect_mapped(64 * SZ_1G + 2 * SZ_2M + SZ_4K, 2 * SZ_2M + SZ_4K,
		      2 * SZ_2M - SZ_4K, RWX);
	vtd_fl_pt_gather_release(&g);
	assert_int_equal(unmap(0, 128 * SZ_1G), 0);
	assert_int_equal(pt.table_pages, 1);
}

static void test_pt_fl_tables_freed_when_empty(void **state)
{
	static const u64 where[] = {
		0, SZ_2M * 3, SZ_1G * 2, SZ_1G * 700, (1ULL << 39) * 3,
		(1ULL << 47) - SZ_4K, HI48, ~0ULL - SZ_4K + 1,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(where); i++)
		assert_int_equal(map(where[i], SZ_4K * i, SZ_4K, RW), 0);
	walk();
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		assert_int_equal(unmap(where[i], SZ_4K), 0);
		walk();
	}
	assert_int_equal(pt.table_pages, 1);
	assert_int_equal(fake_mem_pages_in_use(),
			 base_pages + 1 + g.freed_pages);
	vtd_fl_pt_gather_release(&g);
	assert_int_equal(fake_mem_pages_in_use(), base_pages + 1);
	/* A gather from a 4-level table is refused by a 5-level one. */
	assert_int_equal(map(0, 0, SZ_4K, RW), 0);
	assert_int_equal(unmap(0, SZ_4K), 0);
	{
		struct vtd_fl_pt p5;
		struct vtd_fl_pt_config c = { .levels = 5, .haw = 46,
					      .coherent = true };

		assert_int_equal(vtd_fl_pt_init(&p5, &c), 0);
		assert_int_equal(vtd_fl_pt_unmap(&p5, VA(0), SZ_4K, &g),
				 -EINVAL);
		vtd_fl_pt_destroy(&p5);
	}
}

/* ---- Cache flushing (ECAP.C = 0) --------------------------------------------- */

/* Lines flushed are exactly the distinct lines changed, fence once. */
static void check_flushes(const struct pt_op *c)
{
	expect_ok(c->name, pt_check_flushes(&subject, c, false));
	vtd_fl_pt_gather_release(&g);
}

static void test_pt_fl_noncoherent_flush_accounting(void **state)
{
	static const struct pt_op cases[] = {
		{ "4K, new tables", true, 0x5000, 0x5000, SZ_4K, RW },
		{ "4K, tables present", true, 0x9000, 0x1000, SZ_4K, R },
		{ "4K neighbours", true, 0xa000, 0x1000, 7 * SZ_4K, RWX },
		{ "2M", true, SZ_2M * 9, 0, SZ_2M, RW },
		{ "1G", true, SZ_1G * 9, 0, SZ_1G, RW },
		{ "upper half", true, HI48 + SZ_1G, 0, SZ_2M + SZ_4K, RW },
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
		{ "unmap upper", false, HI48, 0, SZ_1G * 4, 0 },
		{ "unmap all", false, 0, 0, 1ULL << 47, 0 },
	};
	size_t i;

	vtd_fl_pt_destroy(&pt);
	pt_setup(4, true, false);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_flushes(&cases[i]);
	assert_int_equal(pt.table_pages, 1);
}

static void test_pt_fl_coherent_never_flushes(void **state)
{
	expect_ok("coherent", pt_check_coherent_never_flushes(&subject, RW));
}

/* ---- Allocation failure: every Nth allocation ------------------------------ */

/* Fail allocation N = 1, 2, ... until @op succeeds; nothing may change. */
static void fail_each_allocation(const struct pt_op *op)
{
	expect_ok(op->name, pt_check_each_allocation_failure(&subject, op));
	walk();
}

static void test_pt_fl_enomem_every_allocation(void **state)
{
	static const struct pt_op map_sparse = {
		"map sparse", true,
		(1ULL << 39) * 5 + SZ_1G * 3 + SZ_2M * 7 + SZ_4K, SZ_4K,
		SZ_1G * 2, RW
	};
	static const struct pt_op map_upper = {
		"map upper", true, HI48 + (1ULL << 39) * 9 + 0x1000, 0x1000,
		SZ_4K, R
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
	fail_each_allocation(&map_upper);
	assert_int_equal(map(SZ_1G * 40, 0, SZ_1G * 3, RW), 0);
	assert_int_equal(map(SZ_1G * 50, 0, SZ_1G, RW), 0);
	fail_each_allocation(&unmap_split_ends);
	expect_unmapped(SZ_1G * 41);
	expect_mapped(SZ_1G * 40, 0, SZ_2M * 3 + SZ_4K * 5, RW);
	vtd_fl_pt_gather_release(&g);
	fail_each_allocation(&unmap_split_middle);
	vtd_fl_pt_gather_release(&g);
}

/* ---- Randomised against a reference model ----------------------------------- */

/* Two windows: one in the lower half, one in the upper half. */
#define RND_SPAN	(SZ_1G * 2)
#define RND_PAGES	(RND_SPAN / SZ_4K)
static struct pt_model model[2] = {
	{ .base = SZ_1G * 6, .pages = RND_PAGES },
	{ .base = HI48 + SZ_1G * 4, .pages = RND_PAGES },
};
static u64 model_mapped;
static u64 rnd_state;
static u64 model_leaf_errors;

static u64 rnd(void)
{
	return pt_rnd(&rnd_state);
}

static void model_leaf(const struct fl_leaf *leaf, void *ctx)
{
	u32 prot = R | (leaf->w ? VTD_PROT_WRITE : 0) |
		   (leaf->x ? VTD_PROT_EXEC : 0) |
		   (leaf->u ? VTD_PROT_USER : 0);

	model_leaf_errors += pt_model_leaf_errors(model, 2, leaf->va,
						  leaf->pa, leaf->size, prot);
}

static void model_check(bool full)
{
	fl_walk(&wcfg, hal_paddr_val(pt.root_pa), full ? model_leaf : NULL,
		NULL, &res);
	expect_ok("walker", pt_check_walk(&res, pt.table_pages));
	assert_int_equal(res.mapped_bytes, model_mapped * SZ_4K);
	assert_int_equal(model_leaf_errors, 0);
}

static void test_pt_fl_random_vs_model(void **state)
{
	static const u64 grain[] = { SZ_4K, SZ_4K, SZ_2M, SZ_1G };
	unsigned int i, fails = 0, busy = 0, ops = 3000, wdw;
	u64 h;

	for (wdw = 0; wdw < 2; wdw++)
		model[wdw].page = calloc(RND_PAGES, sizeof(u64));
	model_mapped = 0;
	model_leaf_errors = 0;
	rnd_state = 0x9e3779b97f4a7c15ULL;

	for (i = 0; i < ops; i++) {
		u64 gr = grain[rnd() % 4];
		struct pt_model *m;
		u64 off = (rnd() % (RND_SPAN / gr)) * gr, start;
		u64 units = gr != SZ_4K ? 1 + rnd() % 3 :
			    rnd() % 3 ? 1 + rnd() % 700 : 1;
		u64 size = units * gr, first, n, mapped, lo, hi;
		bool inject = rnd() % 8 == 0;
		int rc;

		wdw = rnd() % 2;
		m = &model[wdw];
		if (rnd() % 3 == 0)
			off += (rnd() % 512) * SZ_4K;
		if (off >= RND_SPAN)
			continue;
		if (off + size > RND_SPAN)
			size = RND_SPAN - off;
		start = m->base + off;
		first = off / SZ_4K;
		n = size / SZ_4K;
		mapped = pt_model_mapped(m, first, n, &lo, &hi);
		h = inject ? walk()->hash : 0;
		if (inject)
			fake_mem_fail_nth(1 + rnd() % 3, false);
		if (rnd() % 20 < 12) {
			u64 pa = (rnd() % (1ULL << 14)) * gr;
			u32 prot = R | (u32)(rnd() % 8) << 1;

			if (rnd() % 4 == 0)
				pa += SZ_4K * (rnd() % 4);
			rc = map(start, pa, size, prot);
			if (mapped) {
				assert_int_equal(rc, -EBUSY);
				busy++;
			} else if (rc == -ENOMEM && inject) {
				fails++;
			} else {
				assert_int_equal(rc, 0);
				pt_model_map(m, first, n, pa, prot);
				model_mapped += n;
			}
		} else {
			rc = unmap(start, size);
			if (rc == -ENOMEM && inject) {
				fails++;
			} else {
				u64 fold = m->base & ((1ULL << 48) - 1);

				assert_int_equal(rc, 0);
				assert_int_equal(g.unmapped, mapped * SZ_4K);
				pt_model_unmap(m, first, n);
				model_mapped -= mapped;
				if (mapped)
					assert_true(g.start <= fold + lo * SZ_4K &&
						    g.end >= fold + hi * SZ_4K);
			}
		}
		fake_mem_fail_nth(0, false);
		if (rc == -ENOMEM) {
			assert_int_equal(walk()->hash, h);
			assert_int_equal(g.freed_pages, 0);
		}
		vtd_fl_pt_gather_release(&g);
		model_check(i % 32 == 0 || i == ops - 1);
	}
	print_message("random: %u ops, %u -EBUSY, %u -ENOMEM, %llu pages "
		      "mapped, %llu tables\n", ops, busy, fails,
		      (unsigned long long)model_mapped,
		      (unsigned long long)pt.table_pages);
	assert_int_equal(unmap(model[0].base, RND_SPAN), 0);
	assert_int_equal(unmap(model[1].base, RND_SPAN), 0);
	assert_int_equal(g.unmapped, model_mapped * SZ_4K);
	assert_int_equal(pt.table_pages, 1);
	vtd_fl_pt_gather_release(&g);
	for (wdw = 0; wdw < 2; wdw++) {
		free(model[wdw].page);
		model[wdw].page = NULL;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pt_fl_masks_match_second_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_map_4k_both_halves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_map_2m_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_levels_5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_noncanonical_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_overlap_rejected_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_unmap_4k_2m_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_unmap_splits_large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_tables_freed_when_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_noncoherent_flush_accounting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_coherent_never_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_enomem_every_allocation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pt_fl_random_vs_model, setup, teardown),
	};

	return cmocka_run_group_tests_name("pt_fl", tests, NULL, NULL);
}
