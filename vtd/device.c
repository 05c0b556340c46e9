// SPDX-License-Identifier: BSD-2-Clause
/*
 * Device attachment [VT-d 3.4, 6.5.3, 9.3-9.6]: a source ID's context
 * entry (legacy mode) or context entry, PASID directory and RID_PASID
 * entry (scalable mode) made to point at a domain, and cleared again,
 * each change followed by the invalidations the specification's software
 * guidance names for its direction.
 *
 * Every attach first validates and pre-allocates, then commits with
 * stores that cannot fail, in an order the hardware can observe safely:
 * lower structures (PASID entry, directory entry) are written and made
 * visible before the entry that points to them turns present, and a
 * present entry is turned not-present before it is rewritten.
 */
#include <hal/hal.h>
#include <vtd/domain.h>

#include "context.h"
#include "domain_impl.h"

/* ---- Invalidation recipes [VT-d 6.5.3] ---------------------------------- */

/*
 * [VT-d 6.5.2.3, 6.5.2.4] Everything the IOTLB holds for @dv's requests
 * without PASID: domain-selective for second-level and pass-through
 * entries, PASID-selective for the RID_PASID of a first-level domain
 * (the IOTLB descriptor does not reach first-level translations).
 */
static int flush_rid_iotlb(struct vtd_unit *u, const struct vtd_dev *dv)
{
	struct vtd_qi_desc q;

	if (!vtd_domain_is_fl(dv->domain)) {
		return vtd_inv_iotlb_domain(u, dv->did);
	}
	q = vtd_qi_piotlb_pasid(dv->did, dv->rid_pasid);
	return vtd_qi_submit(u, &q, 1, 0);
}

/*
 * [VT-d 6.5.3.1, 6.1] After a context (and, in scalable mode, PASID)
 * entry went from not-present to present: under caching mode, the
 * context cache for the device (DID 0 tags cached not-present entries
 * [VT-d 6.1]), the PASID cache for the RID_PASID and the domain's
 * IOTLB; without it the unit caches no not-present entry and only the
 * write buffer may need flushing (CAP.RWBF) [VT-d 6.8].
 */
static int flush_after_present(struct vtd_unit *u, const struct vtd_dev *dv,
			       u16 sid)
{
	struct vtd_qi_desc pc;
	int ret;

	if (!(u->cap & VTD_CAP_CM)) {
		return vtd_reg_flush_write_buffer(u);
	}
	ret = vtd_inv_context_device(u, 0, sid, 0);
	if (!ret && u->scalable && vtd_qi_enabled(u)) {
		pc = vtd_qi_pc(VTD_QI_PC_G_PASID, dv->did, dv->rid_pasid);
		ret = vtd_qi_submit(u, &pc, 1, 0);
	}
	return ret ? ret : flush_rid_iotlb(u, dv);
}

/*
 * [VT-d 6.5.3.2] After a present entry was made not-present: the
 * context cache for the device with its old DID, (scalable mode) the
 * PASID cache for its RID_PASID, the IOTLB of the old domain, then
 * [VT-d 6.5.2.5] everything the device TLB holds.
 */
static int flush_after_clear(struct vtd_unit *u, const struct vtd_dev *dv,
			     u16 sid)
{
	struct vtd_qi_desc q;
	int ret;

	ret = vtd_inv_context_device(u, dv->did, sid, 0);
	if (!ret && u->scalable && vtd_qi_enabled(u)) {
		q = vtd_qi_pc(VTD_QI_PC_G_PASID, dv->did, dv->rid_pasid);
		ret = vtd_qi_submit(u, &q, 1, 0);
	}
	if (!ret) {
		ret = flush_rid_iotlb(u, dv);
	}
	if (!ret && dv->ats) {
		q = vtd_qi_dev_tlb(sid, dv->ats_pfsid, dv->ats_qdep, 0,
				   VTD_DEV_TLB_ALL_ORDER);
		ret = vtd_qi_submit(u, &q, 1, 0);
	}
	return ret;
}

/* ---- Detach -------------------------------------------------------------- */

/* Clear @sid's context entry (it exists: the device is attached). */
static void ctx_clear_locked(struct vtd_unit *u, u16 sid)
{
	struct vtd_flush_set f;

	vtd_flush_init(&f, u->coherent);
	if (u->scalable) {
		struct vtd_sm_ctx_entry *ce = vtd_ctx_sm(u, sid);

		WRITE_ONCE(ce->qw[0], 0);
		vtd_flush_add(&f, ce, sizeof(*ce));
	} else {
		struct vtd_ctx_entry *ce = vtd_ctx_legacy(u, sid);

		WRITE_ONCE(ce->lo, 0);
		vtd_flush_add(&f, ce, sizeof(*ce));
	}
	vtd_flush_commit(&f);
}

/* Forget @dv's attachment to @d, once nothing may still cache it. */
static void release_locked(struct vtd_unit *u, struct vtd_domain *d,
			   struct vtd_dev *dv, u16 sid)
{
	struct vtd_domain_unit *du = vtd_domain_unit_find(d, u);

	hal_lock_assert_held(&u->ctx_lock);
	vtd_pasid_dir_free(dv);
	if (du && vtd_domain_is_fl(d)) {
		du->rid_devices--;
	}
	vtd_domain_unit_put_locked(d, u);
	u->attached--;
	if (dv->ats) {
		vtd_domain_ats_remove_locked(d, u, sid);
	}
	dv->ats = false;
	dv->did = 0;
	dv->domain = NULL;
}

/*
 * Make @sid's context entry not present, invalidate, release. The slot
 * is read and the entry cleared under ctx_lock, which guards the tables
 * and the slots; the invalidation runs without it.
 */
static int detach_locked(struct vtd_unit *u, struct vtd_domain *d, u16 sid)
{
	struct vtd_dev *dv;
	int ret;

	hal_lock_assert_held(&d->lock);
	hal_spin_lock(&u->ctx_lock);
	dv = vtd_dev_slot_locked(u, sid);
	if (!dv || dv->domain != d) {
		hal_spin_unlock(&u->ctx_lock);
		return VTD_ERR(-ENOENT);
	}
	/* Other PASIDs use the PASID directory: detach them first. */
	if (dv->pasid_count) {
		hal_spin_unlock(&u->ctx_lock);
		return VTD_ERR(-EBUSY);
	}
	ctx_clear_locked(u, sid);
	hal_spin_unlock(&u->ctx_lock);
	/*
	 * Only after the invalidation may anything the unit may still cache
	 * be released: the PASID structures, the domain's tables (through
	 * its device count) and the domain ID. On failure the entry stays
	 * not present (the device is blocked) and the device stays counted,
	 * so that detach can be retried. The slot stays the device's while
	 * @d's lock is held.
	 */
	ret = flush_after_clear(u, dv, sid);
	if (ret) {
		return ret;
	}
	hal_spin_lock(&u->ctx_lock);
	release_locked(u, d, dv, sid);
	hal_spin_unlock(&u->ctx_lock);
	return 0;
}

int vtd_device_detach(struct vtd_unit *u, u16 sid)
{
	struct vtd_domain *d;
	struct vtd_dev *dv;
	int ret;

	if (!u) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&u->ctx_lock);
	dv = vtd_dev_slot_locked(u, sid);
	d = dv ? dv->domain : NULL;
	hal_spin_unlock(&u->ctx_lock);
	if (!d) {
		return VTD_ERR(-ENOENT);
	}
	hal_spin_lock(&d->lock);
	ret = detach_locked(u, d, sid);
	hal_spin_unlock(&d->lock);
	return ret;
}

/* ---- Attach -------------------------------------------------------------- */

/* Everything an attach may need, allocated before any store is made. */
struct attach_prep {
	void *ctx_table;		/* new context table, or NULL */
	u64 *pasid_dir;
	unsigned int pasid_dir_order;
	struct vtd_pasid_entry *pasid_table;
	int did;			/* newly allocated DID, or -1 */
	int new_bus;			/* bus whose slot block is new, or -1 */
	/* ATS as vtd_device_set_ats() had it when the attach began. */
	bool ats;
	u8 ats_qdep;
	u16 ats_pfsid;
};

static void prep_free_locked(struct vtd_unit *u, struct attach_prep *p)
{
	hal_lock_assert_held(&u->ctx_lock);
	if (p->ctx_table) {
		hal_page_free(p->ctx_table, 0);
	}
	if (p->pasid_dir) {
		hal_page_free(p->pasid_dir, p->pasid_dir_order);
	}
	if (p->pasid_table) {
		hal_page_free(p->pasid_table, VTD_PASID_TABLE_ORDER);
	}
	if (p->did > 0) {
		vtd_did_free_locked(u, (u16)p->did);
	}
	if (p->new_bus >= 0) {
		vtd_dev_bus_free_locked(u, (u8)p->new_bus);
	}
}

/*
 * Take what an attach of @d needs that a device slot already in use does
 * not provide: the PASID structures (scalable mode) and, when @d has no
 * domain ID on @u yet or will lose it with the device's current
 * attachment (@releases_did), a domain ID. Called before a device that is
 * attached is detached, so that these failures change nothing.
 */
static int reserve_locked(struct vtd_unit *u, struct vtd_domain *d,
			  bool releases_did, struct attach_prep *p)
{
	hal_lock_assert_held(&u->ctx_lock);
	if (u->scalable && !p->pasid_dir) {
		p->pasid_dir_order = vtd_pasid_dir_order(vtd_pasid_pdts(u));
		p->pasid_dir = hal_page_alloc(p->pasid_dir_order);
		p->pasid_table = hal_page_alloc(VTD_PASID_TABLE_ORDER);
		if (!p->pasid_dir || !p->pasid_table) {
			return VTD_ERR(-ENOMEM);
		}
	}
	if (p->did < 0 && (!vtd_domain_unit_find(d, u) || releases_did)) {
		p->did = vtd_did_alloc_locked(u);
		if (p->did < 0) {
			return p->did;
		}
	}
	return 0;
}

static int prepare_locked(struct vtd_unit *u, struct vtd_domain *d, u16 sid,
			  struct attach_prep *p)
{
	struct vtd_dev *dv;
	bool new_bus;

	hal_lock_assert_held(&u->ctx_lock);
	dv = vtd_dev_slot_alloc_locked(u, sid, &new_bus);
	if (!dv) {
		return VTD_ERR(-ENOMEM);
	}
	p->new_bus = new_bus ? vtd_sid_bus(sid) : -1;
	/*
	 * The slot goes from blocked to attached only here, under ctx_lock:
	 * a concurrent attach of the same device to another domain that got
	 * here first wins, and this one changes nothing.
	 */
	if (dv->domain) {
		return VTD_ERR(-EAGAIN);
	}
	if (!vtd_ctx_table(u, vtd_sid_bus(sid), vtd_sid_devfn(sid))) {
		p->ctx_table = hal_page_alloc(0);
		if (!p->ctx_table) {
			return VTD_ERR(-ENOMEM);
		}
	}
	return reserve_locked(u, d, false, p);
}

/*
 * Scalable mode [VT-d 9.4-9.6]: the RID_PASID entry in a new PASID table
 * under a new directory, both made visible whole (their zeroes too: with
 * ECAP.C = 0 the unit reads memory, which the allocator's zeroing may
 * not have reached, and a request with another PASID would find a stale
 * entry present), then the context entry, RID_PASID first and Present
 * last.
 */
static void commit_sm(struct vtd_unit *u, struct vtd_domain *d,
		      struct vtd_dev *dv, u16 sid,
		      const struct vtd_attach_params *params,
		      struct attach_prep *p, struct vtd_flush_set *f)
{
	struct vtd_sm_ctx_entry *ce = vtd_ctx_sm(u, sid);
	struct vtd_pasid_cfg c;

	dv->pasid_dir = p->pasid_dir;
	dv->pasid_dir_order = p->pasid_dir_order;
	dv->pdts = (u8)vtd_pasid_pdts(u);
	p->pasid_dir = NULL;
	vtd_domain_rid_pasid_cfg(d, u, dv->did, params->fault_disable, &c);
	vtd_pasid_entry_write(u, &p->pasid_table[params->rid_pasid %
						 VTD_PASID_TABLE_ENTRIES], &c);
	WRITE_ONCE(dv->pasid_dir[params->rid_pasid >> VTD_PASID_DIR_SHIFT],
		   (hal_paddr_val(hal_virt_to_phys(p->pasid_table)) &
		    VTD_PDE_SMPTBLPTR) | VTD_PDE_P);
	vtd_flush_add(f, p->pasid_table, HAL_PAGE_SIZE);
	vtd_flush_add(f, dv->pasid_dir, HAL_PAGE_SIZE << dv->pasid_dir_order);
	p->pasid_table = NULL;
	vtd_flush_commit(f);
	WRITE_ONCE(ce->qw[1], FIELD_PREP(VTD_SM_CTX_Q1_RID_PASID,
					 params->rid_pasid));
	WRITE_ONCE(ce->qw[0],
		   (hal_paddr_val(hal_virt_to_phys(dv->pasid_dir)) &
		    VTD_SM_CTX_Q0_PDP) |
		   FIELD_PREP(VTD_SM_CTX_Q0_PDTS, dv->pdts) |
		   (params->fault_disable ? VTD_SM_CTX_Q0_FPD : 0) |
		   (dv->ats ? VTD_SM_CTX_Q0_DTE : 0) | VTD_SM_CTX_Q0_P);
	vtd_flush_add(f, ce, sizeof(*ce));
}

/*
 * Legacy mode [VT-d 9.3]: TT = second-level (01 when the device TLB is
 * in use) or pass-through, whose AW must name the largest width the unit
 * supports; the upper qword first, Present last.
 */
static void commit_legacy(struct vtd_unit *u, struct vtd_domain *d,
			  struct vtd_dev *dv, u16 sid,
			  const struct vtd_attach_params *params,
			  struct vtd_flush_set *f)
{
	struct vtd_ctx_entry *ce = vtd_ctx_legacy(u, sid);
	unsigned int aw;
	u64 lo;

	if (d->type == VTD_DOMAIN_PASSTHROUGH) {
		aw = vtd_unit_max_agaw(u);
		lo = FIELD_PREP(VTD_CTX_LO_TT, VTD_CTX_TT_PT);
	} else {
		aw = vtd_sl_pt_agaw(&d->pt);
		lo = FIELD_PREP(VTD_CTX_LO_TT, dv->ats ? VTD_CTX_TT_SL_DEVTLB :
							 VTD_CTX_TT_SL) |
		     (hal_paddr_val(d->pt.root_pa) & VTD_CTX_LO_SLPTPTR);
	}
	if (params->fault_disable) {
		lo |= VTD_CTX_LO_FPD;
	}
	WRITE_ONCE(ce->hi, FIELD_PREP(VTD_CTX_HI_AW, aw) |
			   FIELD_PREP(VTD_CTX_HI_DID, dv->did));
	WRITE_ONCE(ce->lo, lo | VTD_CTX_LO_P);
	vtd_flush_add(f, ce, sizeof(*ce));
}

static void commit_locked(struct vtd_unit *u, struct vtd_domain *d, u16 sid,
			  const struct vtd_attach_params *params,
			  struct attach_prep *p)
{
	struct vtd_dev *dv = vtd_dev_slot_locked(u, sid);
	struct vtd_domain_unit *du;
	struct vtd_flush_set f;

	vtd_flush_init(&f, u->coherent);
	p->new_bus = -1;
	du = vtd_domain_unit_get_locked(d, u, &p->did);
	if (vtd_domain_is_fl(d)) {
		du->rid_devices++;
		du->rid_pasid = params->rid_pasid;
	}
	u->attached++;
	dv->domain = d;
	dv->did = du->did;
	dv->rid_pasid = params->rid_pasid;
	dv->ats = p->ats;
	dv->ats_qdep = p->ats_qdep;
	dv->ats_pfsid = p->ats_pfsid;
	if (dv->ats) {
		struct vtd_dev_tlb tlb = {
			.u = u, .sid = sid, .pfsid = p->ats_pfsid,
			.qdep = p->ats_qdep,
		};

		vtd_domain_ats_add_locked(d, &tlb);
	}
	if (p->ctx_table) {
		vtd_ctx_table_link_locked(u, vtd_sid_bus(sid),
					  vtd_sid_devfn(sid), p->ctx_table, &f);
		p->ctx_table = NULL;
	}
	if (u->scalable) {
		commit_sm(u, d, dv, sid, params, p, &f);
	} else {
		commit_legacy(u, d, dv, sid, params, &f);
	}
	vtd_flush_commit(&f);
}

/* The arguments of an attach, checked against @u; nothing is locked. */
static int attach_check(struct vtd_unit *u, const struct vtd_domain *d,
			const struct vtd_attach_params *params)
{
	if (params->rid_pasid >= VTD_PASID_COUNT ||
	    (params->rid_pasid && !u->scalable)) {
		return VTD_ERR(-EINVAL);
	}
	/*
	 * [VT-d 9.4] The context entry's PDTS sizes the PASID directory at
	 * 2^(PDTS + 7) entries; a RID_PASID beyond it faults every request
	 * without PASID.
	 */
	if (u->scalable && (params->rid_pasid >> VTD_PASID_DIR_SHIFT) >=
			   (1U << (vtd_pasid_pdts(u) + 7))) {
		return VTD_ERR(-EINVAL);
	}
	return vtd_domain_fits_unit(d, u);
}

/*
 * Under @d's lock: is @sid already attached to @d as asked (nothing to
 * do), and may it join @d? A first-level domain's IOTLB entries on @u are
 * tagged with one (DID, RID_PASID): another device may join it only with
 * the same RID_PASID (unless it is the device being moved, alone there).
 */
static int attach_state_locked(struct vtd_unit *u, struct vtd_domain *d,
			       u16 sid, const struct vtd_attach_params *params,
			       struct vtd_domain **cur, struct attach_prep *p)
{
	const struct vtd_domain_unit *du = vtd_domain_unit_find(d, u);
	struct vtd_dev *dv;
	bool same;

	hal_spin_lock(&u->ctx_lock);
	dv = vtd_dev_slot_locked(u, sid);
	*cur = dv ? dv->domain : NULL;
	p->ats = dv && dv->ats_wanted && vtd_domain_has_table(d);
	p->ats_qdep = p->ats ? dv->ats_qdep_wanted : 0;
	p->ats_pfsid = p->ats ? dv->ats_pfsid_wanted : 0;
	same = *cur == d && dv->rid_pasid == params->rid_pasid &&
	       dv->ats == p->ats &&
	       (!p->ats || (dv->ats_qdep == p->ats_qdep &&
			    dv->ats_pfsid == p->ats_pfsid));
	hal_spin_unlock(&u->ctx_lock);
	if (same) {
		return 1;
	}
	if (vtd_domain_is_fl(d) && du && du->rid_devices &&
	    du->rid_pasid != params->rid_pasid &&
	    !(*cur == d && du->rid_devices == 1)) {
		return VTD_ERR(-EINVAL);
	}
	return 0;
}

/*
 * Undo @sid's current attachment to @cur, having first taken what the
 * new one can fail on. Elsewhere: @d is unlocked meanwhile, since
 * nesting two domain locks would invert the lock order.
 */
static int leave_current_locked(struct vtd_unit *u, struct vtd_domain *d,
				struct vtd_domain *cur, u16 sid,
				struct attach_prep *p)
{
	const struct vtd_domain_unit *du;
	int ret;

	hal_spin_lock(&u->ctx_lock);
	du = vtd_domain_unit_find(d, u);
	ret = reserve_locked(u, d, cur == d && du && du->devices == 1, p);
	hal_spin_unlock(&u->ctx_lock);
	if (ret) {
		return ret;
	}
	if (cur == d) {
		return detach_locked(u, d, sid);
	}
	hal_spin_unlock(&d->lock);
	ret = vtd_device_detach(u, sid);
	hal_spin_lock(&d->lock);
	return ret == -ENOENT ? 0 : ret;	/* -ENOENT: detached meanwhile */
}

int vtd_device_attach(struct vtd_unit *u, u16 sid, struct vtd_domain *d,
		      const struct vtd_attach_params *params)
{
	static const struct vtd_attach_params defaults;
	struct attach_prep prep = { .did = -1, .new_bus = -1 };
	struct vtd_domain *cur;
	struct vtd_dev *dv = NULL;
	int ret;

	if (!u || !d) {
		return VTD_ERR(-EINVAL);
	}
	params = params ? params : &defaults;
	ret = attach_check(u, d, params);
	if (ret) {
		return ret;
	}
	hal_spin_lock(&d->lock);
	ret = attach_state_locked(u, d, sid, params, &cur, &prep);
	if (ret) {
		hal_spin_unlock(&d->lock);
		return ret > 0 ? 0 : ret;
	}
	ret = vtd_domain_unit_reserve_locked(d, u);
	if (!ret && prep.ats) {
		ret = vtd_domain_ats_reserve_locked(d);
	}
	if (!ret && cur) {
		ret = leave_current_locked(u, d, cur, sid, &prep);
	}
	hal_spin_lock(&u->ctx_lock);
	if (!ret) {
		ret = prepare_locked(u, d, sid, &prep);
	}
	if (!ret) {
		commit_locked(u, d, sid, params, &prep);
		dv = vtd_dev_slot_locked(u, sid);
	}
	prep_free_locked(u, &prep);
	hal_spin_unlock(&u->ctx_lock);
	if (!ret) {
		ret = flush_after_present(u, dv, sid);
	} else {
		vtd_domain_trim_locked(d);
	}
	hal_spin_unlock(&d->lock);
	return ret;
}

/* ---- ATS ------------------------------------------------------------------ */

int vtd_device_set_ats(struct vtd_unit *u, u16 sid,
		       const struct vtd_ats_params *ats)
{
	struct vtd_dev *dv;
	bool new_bus;

	if (!u) {
		return VTD_ERR(-EINVAL);
	}
	/*
	 * [VT-d 9.3, 9.4, 6.5.2.5] A device TLB needs ECAP.DT, and its
	 * invalidations go through the queue only.
	 */
	if (ats && (!(u->ecap & VTD_ECAP_DT) || !vtd_qi_enabled(u))) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	hal_spin_lock(&u->ctx_lock);
	dv = vtd_dev_slot_alloc_locked(u, sid, &new_bus);
	if (dv) {
		dv->ats_wanted = ats;
		dv->ats_qdep_wanted = ats ? ats->queue_depth : 0;
		dv->ats_pfsid_wanted = ats ? ats->pfsid : 0;
	}
	hal_spin_unlock(&u->ctx_lock);
	return dv ? 0 : VTD_ERR(-ENOMEM);
}
