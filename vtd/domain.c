// SPDX-License-Identifier: BSD-2-Clause
/*
 * Domains [VT-d 3.5-3.7]: an I/O address space, a second-level table, a
 * first-level table or pass-through, with a domain ID on each unit it is
 * attached to; map, unmap and lookup, and the invalidations a change of
 * its table needs on every such unit [VT-d 6.1, 6.5]. Attaching devices
 * (device.c) and PASIDs (pasid.c) use the per-unit records kept here.
 */
#include <hal/hal.h>
#include <hal/vec.h>
#include <vtd/domain.h>

#include "domain_impl.h"

_Static_assert(sizeof(struct vtd_domain) <= HAL_PAGE_SIZE,
	       "struct vtd_domain fits one page");

/* ---- What a unit can translate ----------------------------------------- */

/* [VT-d 11.4.2] SAGAW bit for a table depth: bit 1 = 3 levels, ... */
static bool unit_has_levels(const struct vtd_unit *u, unsigned int levels)
{
	return FIELD_GET(VTD_CAP_SAGAW, u->cap) & (1U << (levels - 2));
}

/*
 * The AW value of a context or PASID entry that carries no second-level
 * table (pass-through, first-level): the widest the unit supports
 * [VT-d 9.3], or 4 levels when SAGAW offers none (a first-level-only
 * unit). QEMU checks it even there (docs/QEMU.md); Linux writes the
 * unit's AGAW for first-level entries too.
 */
unsigned int vtd_unit_max_agaw(const struct vtd_unit *u)
{
	unsigned int lv;

	for (lv = 5; lv >= 3; lv--) {
		if (unit_has_levels(u, lv)) {
			return lv - 2;
		}
	}
	return 2;
}

/* [VT-d 3.6, 11.4.3] First-level translation: scalable mode and FSTS. */
bool vtd_unit_has_fl(const struct vtd_unit *u)
{
	return u->scalable && (u->ecap & VTD_ECAP_FLTS) && vtd_qi_enabled(u);
}

/* Second-level translation: legacy mode, or SSTS in scalable mode. */
static bool unit_has_sl(const struct vtd_unit *u)
{
	return !u->scalable || (u->ecap & VTD_ECAP_SLTS);
}

int vtd_unit_paging_type(const struct vtd_unit *u)
{
	if (!u) {
		return VTD_ERR(-EINVAL);
	}
	if (unit_has_sl(u)) {
		return VTD_DOMAIN_PAGING;
	}
	if (vtd_unit_has_fl(u)) {
		return VTD_DOMAIN_PAGING_FL;
	}
	return VTD_ERR(-EOPNOTSUPP);
}

/* ---- Create and destroy ------------------------------------------------- */

/* A first-level table: 4 levels up to 47 bits, 5 (CAP.FL5LP) to 56. */
static int fl_init(struct vtd_domain *d, const struct vtd_unit *u,
		   unsigned int aw)
{
	struct vtd_fl_pt_config cfg = { 0 };
	unsigned int max_aw = (u->cap & VTD_CAP_FL5LP) ? 56 : 47;

	if (!vtd_unit_has_fl(u)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	if (!aw) {
		aw = 47;
	}
	if (aw < VTD_SL_PT_AW_MIN || aw > max_aw) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	cfg.levels = aw > 47 ? 5 : 4;
	cfg.haw = VTD_FL_PT_HAW_MAX;	/* any host address x86 has */
	cfg.large_pages = (u->cap & VTD_CAP_FL1GP) ? VTD_FL_PT_LP_1G : 0;
	cfg.coherent = u->coherent;
	cfg.user = true;
	d->flp = &d->fl;
	return vtd_fl_pt_init(&d->fl, &cfg);
}

/*
 * A second-level table: the smallest of 3, 4, 5 levels that CAP.SAGAW
 * offers and covers @aw (0: the widest), within CAP.MGAW [VT-d 3.7].
 */
static int sl_init(struct vtd_domain *d, const struct vtd_unit *u,
		   unsigned int aw)
{
	struct vtd_sl_pt_config cfg = { 0 };
	unsigned int mgaw, levels, max_aw = 0;
	int ret;

	mgaw = (unsigned int)FIELD_GET(VTD_CAP_MGAW, u->cap) + 1;
	for (levels = 5; levels >= 3; levels--) {
		if (unit_has_levels(u, levels)) {
			max_aw = 12 + 9 * levels;
			break;
		}
	}
	if (max_aw > mgaw) {
		max_aw = mgaw;
	}
	if (!aw) {
		aw = max_aw;
	}
	if (aw < VTD_SL_PT_AW_MIN || aw > max_aw) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	cfg.aw = aw;
	cfg.haw = VTD_SL_PT_HAW_MAX;	/* any host address x86 has */
	cfg.large_pages = (unsigned int)FIELD_GET(VTD_CAP_SLLPS, u->cap) &
			  (VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G);
	/* [VT-d 9.8] SNP is reserved unless ECAP.SC. */
	cfg.snoop = u->ecap & VTD_ECAP_SC;
	cfg.coherent = u->coherent;
	cfg.merge = true;
	ret = vtd_sl_pt_init(&d->pt, &cfg);
	if (ret) {
		return ret;
	}
	/* The depth must be one the unit offers. */
	if (!unit_has_levels(u, d->pt.levels)) {
		vtd_sl_pt_destroy(&d->pt);
		return VTD_ERR(-EOPNOTSUPP);
	}
	return 0;
}

int vtd_domain_create(struct vtd_unit *u, enum vtd_domain_type type,
		      unsigned int aw, struct vtd_domain **out)
{
	struct vtd_domain *d;
	int ret = 0;

	if (!u || !out || (type != VTD_DOMAIN_PAGING &&
			   type != VTD_DOMAIN_PASSTHROUGH &&
			   type != VTD_DOMAIN_PAGING_FL)) {
		return VTD_ERR(-EINVAL);
	}
	*out = NULL;
	if (type == VTD_DOMAIN_PASSTHROUGH && !(u->ecap & VTD_ECAP_PT)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	d = hal_page_alloc(0);
	if (!d) {
		return VTD_ERR(-ENOMEM);
	}
	hal_spin_init(&d->lock);
	d->type = type;
	if (type == VTD_DOMAIN_PAGING) {
		ret = sl_init(d, u, aw);
	} else if (type == VTD_DOMAIN_PAGING_FL) {
		ret = fl_init(d, u, aw);
	}
	if (ret) {
		hal_page_free(d, 0);
		return ret;
	}
	*out = d;
	return 0;
}

int vtd_domain_create_fl_table(struct vtd_unit *u, struct vtd_fl_pt *fl,
			       struct vtd_domain **out)
{
	struct vtd_domain *d;

	if (!u || !fl || !fl->root || !out) {
		return VTD_ERR(-EINVAL);
	}
	*out = NULL;
	if (!vtd_unit_has_fl(u)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	d = hal_page_alloc(0);
	if (!d) {
		return VTD_ERR(-ENOMEM);
	}
	hal_spin_init(&d->lock);
	d->type = VTD_DOMAIN_PAGING_FL;
	d->flp = fl;
	*out = d;
	return 0;
}

int vtd_domain_destroy(struct vtd_domain *d)
{
	if (!d) {
		return VTD_ERR(-EINVAL);
	}
	if (d->devices) {
		return VTD_ERR(-EBUSY);
	}
	if (d->type == VTD_DOMAIN_PAGING) {
		vtd_sl_pt_destroy(&d->pt);
	} else if (d->type == VTD_DOMAIN_PAGING_FL && d->flp == &d->fl) {
		vtd_fl_pt_destroy(&d->fl);
	}
	hal_vec_free(&d->units);
	hal_vec_free(&d->ats);
	hal_vec_free(&d->rsv);
	hal_page_free(d, 0);
	return 0;
}

u32 vtd_domain_device_count(const struct vtd_domain *d)
{
	return d->devices;
}

/* ---- The domain on each unit -------------------------------------------- */

#define DU_SIZE		sizeof(struct vtd_domain_unit)

struct vtd_domain_unit *vtd_domain_unit_find(const struct vtd_domain *d,
					     const struct vtd_unit *u)
{
	struct vtd_domain_unit *du;
	u32 i;

	for (i = 0; i < d->units.count; i++) {
		du = hal_vec_at(&d->units, DU_SIZE, i);
		if (du->u == u) {
			return du;
		}
	}
	return NULL;
}

int vtd_domain_did(struct vtd_domain *d, const struct vtd_unit *u)
{
	struct vtd_domain_unit *du;
	int did;

	if (!d || !u) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&d->lock);
	du = vtd_domain_unit_find(d, u);
	did = du ? du->did : VTD_ERR(-ENOENT);
	hal_spin_unlock(&d->lock);
	return did;
}

/* Room for @u's record if @d has none there yet: 0 or -ENOMEM. */
int vtd_domain_unit_reserve_locked(struct vtd_domain *d,
				   const struct vtd_unit *u)
{
	hal_lock_assert_held(&d->lock);
	if (vtd_domain_unit_find(d, u)) {
		return 0;
	}
	return hal_vec_reserve(&d->units, DU_SIZE, 1) ? VTD_ERR(-ENOMEM) : 0;
}

/*
 * Take a reference on @d's domain ID on @u for one attachment: the
 * existing record, or a new one with the ID in *@new_did, which is then
 * consumed (set to -1). Room was reserved and, when @d had no record on
 * @u, *@new_did allocated: this cannot fail.
 */
struct vtd_domain_unit *vtd_domain_unit_get_locked(struct vtd_domain *d,
						   struct vtd_unit *u,
						   int *new_did)
{
	struct vtd_domain_unit *du = vtd_domain_unit_find(d, u);
	struct vtd_domain_unit fresh = { .u = u };

	hal_lock_assert_held(&d->lock);
	hal_lock_assert_held(&u->ctx_lock);
	if (!du) {
		VTD_BUG_ON(*new_did <= 0);
		fresh.did = (u16)*new_did;
		*new_did = -1;
		du = hal_vec_push(&d->units, DU_SIZE, &fresh);
	}
	du->devices++;
	d->devices++;
	return du;
}

/*
 * Drop one attachment's reference; the last one gives the domain ID
 * back. Only after the invalidations that followed the attachment's end:
 * a new domain would otherwise inherit the old one's cached
 * translations along with its ID.
 */
void vtd_domain_unit_put_locked(struct vtd_domain *d, struct vtd_unit *u)
{
	struct vtd_domain_unit *du = vtd_domain_unit_find(d, u);
	u32 i;

	hal_lock_assert_held(&d->lock);
	hal_lock_assert_held(&u->ctx_lock);
	d->devices--;
	if (!du || --du->devices) {
		return;
	}
	vtd_did_free_locked(u, du->did);
	i = (u32)(du - (struct vtd_domain_unit *)d->units.data);
	hal_vec_remove(&d->units, DU_SIZE, i);
}

/*
 * Give back the room of lists that a failed attach reserved and nothing
 * uses, so that a failure leaves memory as it was.
 */
void vtd_domain_trim_locked(struct vtd_domain *d)
{
	hal_lock_assert_held(&d->lock);
	if (!d->units.count) {
		hal_vec_free(&d->units);
	}
	if (!d->ats.count) {
		hal_vec_free(&d->ats);
	}
}

/* ---- Devices with ATS ---------------------------------------------------- */

#define TLB_SIZE	sizeof(struct vtd_dev_tlb)

int vtd_domain_ats_reserve_locked(struct vtd_domain *d)
{
	hal_lock_assert_held(&d->lock);
	return hal_vec_reserve(&d->ats, TLB_SIZE, 1) ? VTD_ERR(-ENOMEM) : 0;
}

void vtd_domain_ats_add_locked(struct vtd_domain *d,
			       const struct vtd_dev_tlb *tlb)
{
	hal_lock_assert_held(&d->lock);
	hal_vec_push(&d->ats, TLB_SIZE, tlb);
}

void vtd_domain_ats_remove_locked(struct vtd_domain *d,
				  const struct vtd_unit *u, u16 sid)
{
	const struct vtd_dev_tlb *t;
	u32 i;

	hal_lock_assert_held(&d->lock);
	for (i = 0; i < d->ats.count; i++) {
		t = hal_vec_at(&d->ats, TLB_SIZE, i);
		if (t->u == u && t->sid == sid) {
			hal_vec_remove(&d->ats, TLB_SIZE, i);
			return;
		}
	}
}

/* ---- Shape checks and the RID_PASID entry ------------------------------- */

/* Can @u walk @d's tables? [VT-d 3.6, 3.7, 11.4.2, 11.4.3] */
int vtd_domain_fits_unit(const struct vtd_domain *d, const struct vtd_unit *u)
{
	unsigned int lp;

	if (d->type == VTD_DOMAIN_PASSTHROUGH) {
		return (u->ecap & VTD_ECAP_PT) ? 0 : VTD_ERR(-EOPNOTSUPP);
	}
	if (d->type == VTD_DOMAIN_PAGING_FL) {
		/*
		 * First-level translation, 5-level paging and 1-GiB leaves
		 * each need their capability; a table written without
		 * cache flushes needs a coherent walk.
		 */
		if (!vtd_unit_has_fl(u) ||
		    (d->flp->levels == 5 && !(u->cap & VTD_CAP_FL5LP)) ||
		    ((d->flp->leaf_levels & BIT(3)) &&
		     !(u->cap & VTD_CAP_FL1GP)) ||
		    (d->flp->coherent && !u->coherent)) {
			return VTD_ERR(-EOPNOTSUPP);
		}
		return 0;
	}
	lp = (unsigned int)FIELD_GET(VTD_CAP_SLLPS, u->cap);
	if (!unit_has_sl(u) || !unit_has_levels(u, d->pt.levels) ||
	    (d->pt.leaf_levels & BIT(2) && !(lp & VTD_SL_PT_LP_2M)) ||
	    (d->pt.leaf_levels & BIT(3) && !(lp & VTD_SL_PT_LP_1G)) ||
	    (d->pt.snoop && !(u->ecap & VTD_ECAP_SC)) ||
	    (d->pt.coherent && !u->coherent) ||
	    vtd_sl_pt_agaw(&d->pt) + 2 != d->pt.levels) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	return 0;
}

/*
 * [VT-d 9.6] The PASID entry through which @d translates requests
 * without PASID (the RID_PASID entry), or a second-level or pass-through
 * PASID: PGTT 010 with the second-level table, 100, or 001 with the
 * first-level table. AW names the unit's widest width where there is no
 * second-level table (QEMU checks it even then).
 */
void vtd_domain_rid_pasid_cfg(const struct vtd_domain *d,
			      const struct vtd_unit *u, u16 did, bool fpd,
			      struct vtd_pasid_cfg *c)
{
	*c = (struct vtd_pasid_cfg){ .did = did, .fpd = fpd };
	switch (d->type) {
	case VTD_DOMAIN_PASSTHROUGH:
		c->pgtt = VTD_PE_PGTT_PT;
		c->aw = vtd_unit_max_agaw(u);
		break;
	case VTD_DOMAIN_PAGING_FL:
		c->pgtt = VTD_PE_PGTT_FL;
		c->aw = vtd_unit_max_agaw(u);
		c->flptr = hal_paddr_val(d->flp->root_pa);
		c->flpm = vtd_fl_pt_flpm(d->flp);
		break;
	default:
		c->pgtt = VTD_PE_PGTT_SL;
		c->aw = vtd_sl_pt_agaw(&d->pt);
		c->slptr = hal_paddr_val(d->pt.root_pa);
		break;
	}
}

/* ---- Invalidation of the domain's table changes ------------------------ */

/* Invalidate [start, end) on every unit @d is attached to. */
static int domain_flush_locked(struct vtd_domain *d, u64 start, u64 end,
			       bool leaf_only)
{
	const struct vtd_dev_tlb *devs = d->ats.data;
	struct vtd_domain_unit *du;
	int ret = 0, r;
	u32 i;

	hal_lock_assert_held(&d->lock);
	if (start >= end) {
		return 0;
	}
	for (i = 0; i < d->units.count; i++) {
		du = hal_vec_at(&d->units, DU_SIZE, i);
		if (vtd_domain_is_fl(d)) {
			/* Only RID_PASID entries use the domain's table. */
			if (!du->rid_devices) {
				continue;
			}
			r = vtd_inv_pasid_range(du->u, du->did, du->rid_pasid,
						vtd_iova_init(start),
						end - start, leaf_only, devs,
						d->ats.count, false);
		} else {
			r = vtd_inv_range(du->u, du->did, vtd_iova_init(start),
					  end - start, leaf_only, devs,
					  d->ats.count);
		}
		ret = ret ? ret : r;
	}
	return ret;
}

static bool domain_caching_mode_locked(const struct vtd_domain *d)
{
	const struct vtd_domain_unit *du;
	u32 i;

	for (i = 0; i < d->units.count; i++) {
		du = hal_vec_at(&d->units, DU_SIZE, i);
		if (du->u->cap & VTD_CAP_CM) {
			return true;
		}
	}
	return false;
}

/*
 * After a map: [VT-d 6.1] under caching mode the unit may cache
 * not-present entries, so a new translation is invalidated like a
 * changed one; [VT-d 6.5.2.3] IH (leaf only) is allowed only when no
 * non-leaf entry changed (@leaf_only). Without caching mode nothing is
 * invalidated, but [VT-d 6.8] a unit with CAP.RWBF has its write buffer
 * flushed.
 */
static int map_flush_locked(struct vtd_domain *d, u64 start, u64 size,
			    bool leaf_only)
{
	struct vtd_domain_unit *du;
	int ret = 0, r;
	u32 i;

	if (domain_caching_mode_locked(d)) {
		ret = domain_flush_locked(d, start, start + size, leaf_only);
	}
	for (i = 0; i < d->units.count; i++) {
		du = hal_vec_at(&d->units, DU_SIZE, i);
		r = vtd_reg_flush_write_buffer(du->u);
		ret = ret ? ret : r;
	}
	return ret;
}

/* ---- Map, unmap, lookup -------------------------------------------------- */

/* Pages a failed invalidation leaves unreachable but not freed. */
static void log_leak(u64 pages)
{
	if (pages) {
		hal_log(HAL_LOG_ERR, "vtd: %llu table pages leaked after a "
			"failed invalidation\n", (unsigned long long)pages);
	}
}

/*
 * A first-level domain's IOVAs are the lower canonical half [VT-d 3.6]:
 * [0, 2^47) with 4 levels, [0, 2^56) with 5.
 */
static int fl_range_check(const struct vtd_domain *d, u64 start, u64 size)
{
	u64 limit = 1ULL << (9 * d->flp->levels + 11);

	if (size > limit || start > limit - size) {
		return VTD_ERR(-ERANGE);
	}
	return 0;
}

static int fl_map_locked(struct vtd_domain *d, vtd_iova_t iova,
			 hal_paddr_t pa, u64 size, u32 prot)
{
	u64 tables = d->flp->table_pages;
	int ret;

	ret = fl_range_check(d, vtd_iova_val(iova), size);
	if (ret) {
		return ret;
	}
	/* Never executable; user pages by the table's config. */
	ret = vtd_fl_pt_map(d->flp, iova, pa, size,
			    VTD_PROT_READ | (prot & VTD_PROT_WRITE));
	if (ret) {
		return ret;
	}
	return map_flush_locked(d, vtd_iova_val(iova), size,
				d->flp->table_pages == tables);
}

static int sl_map_locked(struct vtd_domain *d, vtd_iova_t iova,
			 hal_paddr_t pa, u64 size, u32 prot)
{
	u64 tables = d->pt.table_pages;
	struct vtd_iotlb_gather g;
	int ret, r = 0;

	vtd_sl_pt_gather_init(&g);
	ret = vtd_sl_pt_map(&d->pt, iova, pa, size, prot, &g);
	if (ret) {
		return ret;
	}
	/*
	 * A merge replaced a table by a large leaf: the paging-structure
	 * caches hold the old table, so invalidate without the leaf hint
	 * before the table is freed.
	 */
	if (g.freed_pages || g.start < g.end) {
		r = domain_flush_locked(d, g.start, g.end, false);
	}
	ret = map_flush_locked(d, vtd_iova_val(iova), size,
			       !g.nonleaf && d->pt.table_pages == tables);
	/* As for unmap: a table the unit may still cache is never freed. */
	if (!r) {
		vtd_sl_pt_gather_release(&g);
	} else {
		log_leak(g.freed_pages);
	}
	return r ? r : ret;
}

int vtd_domain_map_locked(struct vtd_domain *d, vtd_iova_t iova,
			  hal_paddr_t pa, u64 size, u32 prot)
{
	hal_lock_assert_held(&d->lock);
	if (vtd_domain_is_fl(d) && d->flp != &d->fl) {
		return VTD_ERR(-EINVAL);	/* the caller's table */
	}
	if (d->type == VTD_DOMAIN_PAGING_FL) {
		return fl_map_locked(d, iova, pa, size, prot);
	}
	if (d->type == VTD_DOMAIN_PAGING) {
		return sl_map_locked(d, iova, pa, size, prot);
	}
	return VTD_ERR(-EINVAL);
}

int vtd_domain_map(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t pa,
		   u64 size, u32 prot)
{
	int ret;

	if (!d || !prot || (prot & ~(VTD_PROT_READ | VTD_PROT_WRITE))) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&d->lock);
	ret = vtd_domain_map_locked(d, iova, pa, size, prot);
	hal_spin_unlock(&d->lock);
	return ret;
}

/*
 * Unmap, then invalidate, and only after a successful invalidation free
 * the tables that emptied: a unit that may still cache them never walks
 * freed memory. After a failed one they stay unreachable and counted.
 */
static int fl_unmap_locked(struct vtd_domain *d, vtd_iova_t iova, u64 size)
{
	struct vtd_fl_gather g;
	int ret;

	ret = fl_range_check(d, vtd_iova_val(iova), size);
	if (ret) {
		return ret;
	}
	vtd_fl_pt_gather_init(&g);
	ret = vtd_fl_pt_unmap(d->flp, iova, size, &g);
	/* Lower half: the folded range is the IOVA range itself. */
	if (!ret) {
		ret = domain_flush_locked(d, g.start, g.end, !g.nonleaf);
	}
	if (!ret) {
		vtd_fl_pt_gather_release(&g);
	} else {
		log_leak(g.freed_pages);
	}
	return ret;
}

static int sl_unmap_locked(struct vtd_domain *d, vtd_iova_t iova, u64 size)
{
	struct vtd_iotlb_gather g;
	int ret;

	vtd_sl_pt_gather_init(&g);
	ret = vtd_sl_pt_unmap(&d->pt, iova, size, &g);
	if (!ret) {
		ret = domain_flush_locked(d, g.start, g.end, !g.nonleaf);
	}
	if (!ret) {
		vtd_sl_pt_gather_release(&g);
	} else {
		log_leak(g.freed_pages);
	}
	return ret;
}

/* Does [start, start + size) overlap an RMRR identity map of @d? */
static bool overlaps_reserved_locked(const struct vtd_domain *d, u64 start,
				     u64 size)
{
	const struct vtd_domain_rsv *r;
	u32 i;

	for (i = 0; i < d->rsv.count; i++) {
		r = hal_vec_at(&d->rsv, sizeof(*r), i);
		if (start < r->base + r->size && r->base < start + size) {
			return true;
		}
	}
	return false;
}

int vtd_domain_unmap(struct vtd_domain *d, vtd_iova_t iova, u64 size)
{
	int ret;

	if (!d || !vtd_domain_has_table(d) ||
	    (vtd_domain_is_fl(d) && d->flp != &d->fl)) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&d->lock);
	if (overlaps_reserved_locked(d, vtd_iova_val(iova), size)) {
		ret = VTD_ERR(-EBUSY);
	} else if (vtd_domain_is_fl(d)) {
		ret = fl_unmap_locked(d, iova, size);
	} else {
		ret = sl_unmap_locked(d, iova, size);
	}
	hal_spin_unlock(&d->lock);
	return ret;
}

/* Room for one more RMRR record: 0 or -ENOMEM. */
int vtd_domain_rsv_room_locked(struct vtd_domain *d)
{
	hal_lock_assert_held(&d->lock);
	return hal_vec_reserve(&d->rsv, sizeof(struct vtd_domain_rsv), 1) ?
	       VTD_ERR(-ENOMEM) : 0;
}

/* Record an RMRR identity map, once mapped; room was made. */
void vtd_domain_rsv_add_locked(struct vtd_domain *d, u64 base, u64 size)
{
	struct vtd_domain_rsv r = { .base = base, .size = size };

	hal_lock_assert_held(&d->lock);
	hal_vec_push(&d->rsv, sizeof(r), &r);
}

/* Is [base, base + size) recorded as an RMRR identity map of @d? */
bool vtd_domain_is_reserved_locked(const struct vtd_domain *d, u64 base,
				   u64 size)
{
	const struct vtd_domain_rsv *r;
	u32 i;

	for (i = 0; i < d->rsv.count; i++) {
		r = hal_vec_at(&d->rsv, sizeof(*r), i);
		if (r->base == base && r->size == size) {
			return true;
		}
	}
	return false;
}

static int fl_lookup(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t *pa,
		     u32 *prot)
{
	struct vtd_fl_pt_translation t;
	int ret;

	hal_spin_lock(&d->lock);
	ret = fl_range_check(d, vtd_iova_val(iova), HAL_PAGE_SIZE);
	if (!ret) {
		ret = vtd_fl_pt_lookup(d->flp, iova, &t);
	}
	hal_spin_unlock(&d->lock);
	if (ret) {
		return ret;
	}
	*pa = t.pa;
	*prot = t.prot & (VTD_PROT_READ | VTD_PROT_WRITE);
	return 0;
}

int vtd_domain_lookup(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t *pa,
		      u32 *prot)
{
	struct vtd_sl_pt_translation t;
	int ret;

	if (!d || !pa || !prot) {
		return VTD_ERR(-EINVAL);
	}
	if (d->type == VTD_DOMAIN_PASSTHROUGH) {
		*pa = hal_paddr_init(vtd_iova_val(iova));
		*prot = VTD_PROT_READ | VTD_PROT_WRITE;
		return 0;
	}
	if (vtd_domain_is_fl(d)) {
		return fl_lookup(d, iova, pa, prot);
	}
	hal_spin_lock(&d->lock);
	ret = vtd_sl_pt_lookup(&d->pt, iova, &t);
	hal_spin_unlock(&d->lock);
	if (ret) {
		return ret;
	}
	*pa = t.pa;
	*prot = t.prot;
	return 0;
}
