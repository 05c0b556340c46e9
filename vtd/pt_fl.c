// SPDX-License-Identifier: BSD-2-Clause
/*
 * First-level page tables [VT-d 3.6, 9.7; SDM 3A 4.5]: map, unmap (with
 * large-page split), lookup, and deferred freeing of detached tables
 * through struct vtd_fl_gather.
 *
 * The walks are pt_engine.h's, as for the second-level tables (pt_sl.c):
 * this file gives it the IA-32e entry format and checks the API's
 * arguments. Maps never merge (there is no gather to report to).
 *
 * Addresses are handled in folded form: the canonical input address with
 * the sign-extension bits cleared, so the upper half lies just above the
 * lower one and a range never wraps. The table indices are the same.
 */
#include <hal/mem.h>
#include <hal/string.h>
#include <vtd/pt_fl.h>

#include <vtd/hw/tables.h>

#include "pt_fl_fmt.h"

_Static_assert(VTD_PT_LINK_ENTRIES(7) <= VTD_FL_TABLE_ENTRIES,
	       "the link fits one table");

/* ---- API --------------------------------------------------------------- */

/*
 * Validate a range: 0 with the folded start in *@folded, or an error.
 * A range may end exactly at 2^64 (the top of the upper half).
 */
static inline int check_range(const struct vtd_fl_pt *pt, u64 va, u64 size,
			      u64 *folded)
{
	unsigned int top = 12 + VTD_FL_LEVEL_STRIDE * pt->levels - 1;
	u64 last = va + size - 1, hi;

	if (!size || ((va | size) & (HAL_PAGE_SIZE - 1)))
		return VTD_ERR(-EINVAL);
	if (last < va)
		return VTD_ERR(-EINVAL);
	/*
	 * [VT-d 3.6] Both ends canonical and in the same half: bits 63 to
	 * @top of each are all clear or all set, alike for both ends.
	 */
	hi = (u64)((s64)va >> top);
	if (hi != (u64)((s64)last >> top) || hi + 1 > 1)
		return VTD_ERR(-ERANGE);
	*folded = va & fold_mask(pt->levels);
	return 0;
}

int vtd_fl_pt_map(struct vtd_fl_pt *pt, vtd_iova_t va, hal_paddr_t pa,
		  u64 size, u32 prot)
{
	u64 p = hal_paddr_val(pa);
	struct walk w = { .pt = pt, .pa = p };
	int ret;

	ret = check_range(pt, vtd_iova_val(va), size, &w.va);
	if (ret)
		return ret;
	if (!(prot & VTD_PROT_READ) ||
	    (prot & ~(VTD_PROT_READ | VTD_PROT_WRITE |
		      VTD_PROT_EXEC | VTD_PROT_USER)) ||
	    (p & (HAL_PAGE_SIZE - 1)) || p + size < p)
		return VTD_ERR(-EINVAL);
	if (p + size > (1ULL << pt->haw))
		return VTD_ERR(-ERANGE);

	/* [VT-d 3.6.2, 9.7] See pt_fl.h for the choice of bits. */
	w.attr = VTD_FL_PTE_P | VTD_FL_PTE_A;
	if (prot & VTD_PROT_WRITE)
		w.attr |= VTD_FL_PTE_RW |
			  (pt->dirty_tracking ? 0 : VTD_FL_PTE_D);
	if ((prot & VTD_PROT_USER) || pt->user)
		w.attr |= VTD_FL_PTE_US;
	if (pt->nxe && !(prot & VTD_PROT_EXEC))
		w.attr |= VTD_FL_PTE_XD;
	return map_range(&w, size);
}

int vtd_fl_pt_unmap(struct vtd_fl_pt *pt, vtd_iova_t va, u64 size,
		    struct vtd_fl_gather *gather)
{
	struct walk w = { .pt = pt, .g = gather };
	u64 s;
	int ret;

	if (!gather || (gather->levels && gather->levels != pt->levels))
		return VTD_ERR(-EINVAL);
	ret = check_range(pt, vtd_iova_val(va), size, &s);
	if (ret)
		return ret;
	ret = unmap_range(&w, s, size);
	if (!ret)
		gather->levels = pt->levels;
	return ret;
}

int vtd_fl_pt_lookup(const struct vtd_fl_pt *pt, vtd_iova_t va,
		     struct vtd_fl_pt_translation *out)
{
	u64 v = vtd_iova_val(va), pte, size;
	unsigned int level;

	if (!canonical(pt->levels, v))
		return VTD_ERR(-ERANGE);
	pte = leaf_lookup(pt, v, &level);
	if (!vtd_fl_pte_present(pte))
		return VTD_ERR(-ENOENT);
	size = vtd_fl_level_size(level);
	out->page_size = size;
	out->pa = hal_paddr_init(vtd_fl_pte_addr(pte, level) +
				 (v & (size - 1)));
	out->prot = VTD_PROT_READ;
	if (pte & VTD_FL_PTE_RW)
		out->prot |= VTD_PROT_WRITE;
	if (!(pte & VTD_FL_PTE_XD))
		out->prot |= VTD_PROT_EXEC;
	if (pte & VTD_FL_PTE_US)
		out->prot |= VTD_PROT_USER;
	out->accessed = pte & VTD_FL_PTE_A;
	out->dirty = pte & VTD_FL_PTE_D;
	return 0;
}

int vtd_fl_pt_init(struct vtd_fl_pt *pt, const struct vtd_fl_pt_config *cfg)
{
	if ((cfg->levels != 4 && cfg->levels != 5) ||
	    cfg->haw < VTD_FL_PT_HAW_MIN || cfg->haw > VTD_FL_PT_HAW_MAX ||
	    (cfg->large_pages & ~VTD_FL_PT_LP_1G))
		return VTD_ERR(-EINVAL);

	hal_memset(pt, 0, sizeof(*pt));
	pt->levels = (u8)cfg->levels;
	pt->haw = (u8)cfg->haw;
	/* [VT-d 9.7] 4 KiB and 2 MiB leaves always; 1 GiB with FL1GP. */
	pt->leaf_levels = (1U << 1) | (1U << 2);
	if (cfg->large_pages & VTD_FL_PT_LP_1G)
		pt->leaf_levels |= 1U << 3;
	pt->coherent = cfg->coherent;
	pt->nxe = cfg->nxe;
	pt->user = cfg->user;
	pt->dirty_tracking = cfg->dirty_tracking;
	/* The root reaches memory before FLPTPTR names it. */
	return root_init(pt);
}

void vtd_fl_pt_destroy(struct vtd_fl_pt *pt)
{
	tree_destroy(pt);
}

unsigned int vtd_fl_pt_flpm(const struct vtd_fl_pt *pt)
{
	return pt->levels == 5 ? 1u : 0u;
}

void vtd_fl_pt_gather_init(struct vtd_fl_gather *g)
{
	hal_memset(g, 0, sizeof(*g));
}

unsigned int vtd_fl_pt_gather_psi(const struct vtd_fl_gather *g,
				  struct vtd_iotlb_psi psi[2])
{
	return gather_psi(g, psi);
}

void vtd_fl_pt_gather_release(struct vtd_fl_gather *g)
{
	gather_release(g);
}
