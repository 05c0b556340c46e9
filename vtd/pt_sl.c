// SPDX-License-Identifier: BSD-2-Clause
/*
 * Second-level page tables [VT-d 3.7, 9.8]: map, unmap (with large-page
 * split), optional merge into large pages, lookup, and deferred freeing
 * of detached tables through struct vtd_iotlb_gather.
 *
 * The walks are pt_engine.h's (check pass, pre-allocated tables, commit
 * pass that cannot fail, one flush per written line); this file gives it
 * the second-level entry format and checks the API's arguments.
 */
#include <hal/mem.h>
#include <hal/string.h>
#include <vtd/pt_sl.h>

#include <vtd/hw/tables.h>

/* ---- Format: second-level entries [VT-d 9.8], for pt_engine.h ---------- */

#define PT_TREE			struct vtd_sl_pt
#define PT_TABLE		struct vtd_sl_table
#define PT_GATHER		struct vtd_iotlb_gather
#define PT_ENTRIES		VTD_SL_TABLE_ENTRIES
#define PT_LEVELS_MAX		VTD_SL_LEVELS_MAX
#define PT_LEVEL_STRIDE		VTD_SL_LEVEL_STRIDE
#define PT_PTE_ADDR		VTD_SL_PTE_ADDR
/* [VT-d 9.8] Leaves: PS set above level 1. */
#define PT_PTE_PS		VTD_SL_PTE_PS
/* Non-leaf entries grant R and W: the leaf decides [VT-d 3.7]. */
#define PT_PTE_TABLE		(VTD_SL_PTE_R | VTD_SL_PTE_W)
/* Bits 61:52, ignored at every level [VT-d 9.8]: the free-list link. */
#define PT_PTE_LINK		VTD_SL_PTE_IGN_HI
/*
 * The same bits, in non-leaf entries (always linked tables), hold the
 * count of present entries in the table below (pt_engine.h); a detached
 * table's entries need no count, so the two uses never meet.
 */
#define PT_PTE_COUNT		VTD_SL_PTE_IGN_HI
#define PT_MERGE		1
#define PT_PRESENT(pte)		vtd_sl_pte_present(pte)
#define PT_IS_LEAF(pte, level)	vtd_sl_pte_is_leaf(pte, level)
#define PT_LEVEL_SIZE(level)	vtd_sl_level_size(level)
#define PT_LEVEL_INDEX(a, level) vtd_sl_level_index(a, level)
#define PT_READ(p)		vtd_sl_pte_read(p)
#define PT_WRITE(p, v)		vtd_sl_pte_write(p, v)
#define PT_UNFOLD(g, a)		(a)

#include "pt_engine.h"

/* ---- API --------------------------------------------------------------- */

static int check_range(const struct vtd_sl_pt *pt, u64 iova, u64 size)
{
	if (!size || ((iova | size) & (HAL_PAGE_SIZE - 1)))
		return VTD_ERR(-EINVAL);
	if (iova + size < iova)
		return VTD_ERR(-EINVAL);
	if (iova + size > (1ULL << pt->aw))
		return VTD_ERR(-ERANGE);
	return 0;
}

int vtd_sl_pt_map(struct vtd_sl_pt *pt, vtd_iova_t iova, hal_paddr_t pa,
		  u64 size, u32 prot, struct vtd_iotlb_gather *gather)
{
	u64 va = vtd_iova_val(iova), p = hal_paddr_val(pa);
	struct walk w = {
		.pt = pt,
		.g = gather,
		.va = va,
		.pa = p,
		.merge = pt->merge && gather,
	};
	int ret;

	ret = check_range(pt, va, size);
	if (ret)
		return ret;
	if (!prot || (prot & ~(VTD_PROT_READ | VTD_PROT_WRITE)) ||
	    (p & (HAL_PAGE_SIZE - 1)) || p + size < p)
		return VTD_ERR(-EINVAL);
	if (p + size > (1ULL << pt->haw))
		return VTD_ERR(-ERANGE);

	/* [VT-d 9.8] R and W from @prot; SNP only when ECAP.SC (init). */
	w.attr = (prot & VTD_PROT_READ ? VTD_SL_PTE_R : 0) |
		 (prot & VTD_PROT_WRITE ? VTD_SL_PTE_W : 0) |
		 (pt->snoop ? VTD_SL_PTE_SNP : 0);
	return map_range(&w, size);
}

int vtd_sl_pt_unmap(struct vtd_sl_pt *pt, vtd_iova_t iova, u64 size,
		    struct vtd_iotlb_gather *gather)
{
	u64 va = vtd_iova_val(iova);
	struct walk w = { .pt = pt, .g = gather };
	int ret;

	if (!gather)
		return VTD_ERR(-EINVAL);
	ret = check_range(pt, va, size);
	if (ret)
		return ret;
	return unmap_range(&w, va, size);
}

int vtd_sl_pt_lookup(const struct vtd_sl_pt *pt, vtd_iova_t iova,
		     struct vtd_sl_pt_translation *out)
{
	u64 va = vtd_iova_val(iova), pte, size;
	unsigned int level;

	if (va >> pt->aw)
		return VTD_ERR(-ERANGE);
	pte = leaf_lookup(pt, va, &level);
	if (!vtd_sl_pte_present(pte))
		return VTD_ERR(-ENOENT);
	size = vtd_sl_level_size(level);
	out->page_size = size;
	out->pa = hal_paddr_init(vtd_sl_pte_addr(pte) + (va & (size - 1)));
	out->prot = 0;
	if (pte & VTD_SL_PTE_R)
		out->prot |= VTD_PROT_READ;
	if (pte & VTD_SL_PTE_W)
		out->prot |= VTD_PROT_WRITE;
	return 0;
}

int vtd_sl_pt_init(struct vtd_sl_pt *pt, const struct vtd_sl_pt_config *cfg)
{
	if (cfg->aw < VTD_SL_PT_AW_MIN || cfg->aw > VTD_SL_PT_AW_MAX ||
	    cfg->haw < VTD_SL_PT_HAW_MIN || cfg->haw > VTD_SL_PT_HAW_MAX ||
	    (cfg->large_pages & ~(VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G)))
		return VTD_ERR(-EINVAL);

	hal_memset(pt, 0, sizeof(*pt));
	pt->aw = (u8)cfg->aw;
	pt->haw = (u8)cfg->haw;
	/* [VT-d 3.7] AGAW 39/48/57: 3/4/5 levels of 9 bits above 12. */
	pt->levels = cfg->aw <= 39 ? 3 : cfg->aw <= 48 ? 4 : 5;
	/* Leaves at level 1 always; at 2 and 3 as CAP.SLLPS allows. */
	pt->leaf_levels = 1U << 1;
	if (cfg->large_pages & VTD_SL_PT_LP_2M)
		pt->leaf_levels |= 1U << 2;
	if (cfg->large_pages & VTD_SL_PT_LP_1G)
		pt->leaf_levels |= 1U << 3;
	pt->snoop = cfg->snoop;
	pt->coherent = cfg->coherent;
	pt->merge = cfg->merge;
	/* The root reaches memory before SLPTPTR names it. */
	return root_init(pt);
}

void vtd_sl_pt_destroy(struct vtd_sl_pt *pt)
{
	tree_destroy(pt);
}

unsigned int vtd_sl_pt_agaw(const struct vtd_sl_pt *pt)
{
	return pt->levels - 2u;
}

void vtd_sl_pt_gather_init(struct vtd_iotlb_gather *g)
{
	hal_memset(g, 0, sizeof(*g));
}

unsigned int vtd_sl_pt_gather_psi(const struct vtd_iotlb_gather *g,
				  struct vtd_iotlb_psi psi[2])
{
	return gather_psi(g, psi);
}

void vtd_sl_pt_gather_release(struct vtd_iotlb_gather *g)
{
	gather_release(g);
}
