// SPDX-License-Identifier: BSD-2-Clause
/*
 * PASIDs other than RID_PASID [VT-d 3.4.3, 9.4-9.6]: attaching a PASID
 * of an attached device to a first-level table, a second-level or
 * pass-through domain, or a guest's first-level table nested over a
 * second-level domain; detaching it; and flushing a first-level PASID's
 * translations after its table changed.
 */
#include <hal/hal.h>
#include <vtd/domain.h>

#include "context.h"
#include "domain_impl.h"

/* [VT-d 6.5.3.3] PASID-based IOTLB for FL and PT, domain-selective else. */
static bool uses_piotlb(enum vtd_pasid_kind kind)
{
	return kind == VTD_PASID_KIND_FL || kind == VTD_PASID_KIND_PT;
}

static struct vtd_qi_desc pasid_iotlb_desc(const struct vtd_unit *u,
					   enum vtd_pasid_kind kind, u16 did,
					   u32 pasid)
{
	if (uses_piotlb(kind)) {
		return vtd_qi_piotlb_pasid(did, pasid);
	}
	return vtd_qi_iotlb_domain(did, u->cap & VTD_CAP_DRD,
				   u->cap & VTD_CAP_DWD);
}

/* Checks every kind shares; nothing is locked or changed. */
static int check_common(const struct vtd_unit *u, u32 pasid,
			const struct vtd_domain *d, u32 flags, bool fl)
{
	unsigned int pss;

	if (!u || !d || pasid >= VTD_PASID_COUNT ||
	    (flags & ~(VTD_PASID_FPD | VTD_PASID_SRE | VTD_PASID_WPE |
		       VTD_PASID_FL_1G))) {
		return VTD_ERR(-EINVAL);
	}
	if (!u->scalable || !(u->ecap & VTD_ECAP_PASID) || !vtd_qi_enabled(u)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	/* [VT-d 11.4.3] PASIDs are ECAP.PSS + 1 bits wide. */
	pss = (unsigned int)FIELD_GET(VTD_ECAP_PSS, u->ecap) + 1;
	if (pasid >> pss) {
		return VTD_ERR(-EINVAL);
	}
	if (!fl && (flags & (VTD_PASID_SRE | VTD_PASID_WPE | VTD_PASID_FL_1G))) {
		return VTD_ERR(-EINVAL);
	}
	/* [VT-d 9.6] SRE is reserved unless the unit has ECAP.SRS. */
	if ((flags & VTD_PASID_SRE) && !(u->ecap & VTD_ECAP_SRS)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	return 0;
}

/* Validated, not yet placed: what the commit step writes. */
struct pasid_req {
	struct vtd_domain *d;
	enum vtd_pasid_kind kind;
	struct vtd_pasid_cfg cfg;	/* .did filled in at commit */
};

/*
 * Room for @pasid in @dv's directory: its table, or a new one in
 * *@new_t; and a domain ID when the domain has none on @u (*@did).
 */
static int place_locked(struct vtd_unit *u, struct vtd_dev *dv, u32 pasid,
			const struct vtd_domain *d,
			struct vtd_pasid_entry **new_t, int *did)
{
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	struct vtd_pasid_entry *t;

	/* [VT-d 9.4] PASID[19:6] must index the 2^(PDTS + 7) directory. */
	if (pasid == dv->rid_pasid || idx >= (1U << (dv->pdts + 7))) {
		return VTD_ERR(-EINVAL);
	}
	t = vtd_pasid_table_of(dv, idx);
	if (t && (vtd_pasid_sw_of(t)->e[i].domain ||
		  (READ_ONCE(t[i].qw[0]) & VTD_PE_Q0_P))) {
		return VTD_ERR(-EBUSY);
	}
	if (!t) {
		*new_t = hal_page_alloc(VTD_PASID_TABLE_ORDER);
		if (!*new_t) {
			return VTD_ERR(-ENOMEM);
		}
	}
	if (!vtd_domain_unit_find(d, u)) {
		*did = vtd_did_alloc_locked(u);
		if (*did < 0) {
			return *did;
		}
	}
	return 0;
}

/*
 * Write the entry and make it reachable: a new table reaches memory
 * whole (its zeroes too, with ECAP.C = 0) before the directory points to
 * it; a table awaiting release (directory P clear) is taken back.
 */
static void entry_commit_locked(struct vtd_unit *u, struct vtd_dev *dv,
				u32 pasid, struct vtd_pasid_entry *t,
				bool new_table, const struct vtd_pasid_cfg *c)
{
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	struct vtd_flush_set f;

	vtd_flush_init(&f, u->coherent);
	vtd_pasid_entry_write(u, &t[i], c);
	vtd_flush_add(&f, new_table ? (void *)t : (void *)&t[i],
		      new_table ? HAL_PAGE_SIZE : sizeof(t[i]));
	if (new_table || !(READ_ONCE(dv->pasid_dir[idx]) & VTD_PDE_P)) {
		vtd_flush_commit(&f);
		WRITE_ONCE(dv->pasid_dir[idx],
			   (hal_paddr_val(hal_virt_to_phys(t)) &
			    VTD_PDE_SMPTBLPTR) | VTD_PDE_P);
		vtd_flush_add(&f, &dv->pasid_dir[idx], 8);
	}
	vtd_flush_commit(&f);
}

/*
 * [VT-d 9.4] Requests with PASID are blocked (fault 0x45) unless the
 * context entry has PASIDE. It is set once, after the PASID entry is
 * visible, and left set: clearing it would need another context-cache
 * invalidation, and a PASID without an entry faults either way. Returns
 * whether it was set now.
 */
static bool paside_set_locked(struct vtd_unit *u, u16 sid)
{
	struct vtd_sm_ctx_entry *ce = vtd_ctx_sm(u, sid);

	if (READ_ONCE(ce->qw[0]) & VTD_SM_CTX_Q0_PASIDE) {
		return false;
	}
	WRITE_ONCE(ce->qw[0], ce->qw[0] | VTD_SM_CTX_Q0_PASIDE);
	vtd_flush_range(u->coherent, ce, sizeof(*ce));
	return true;
}

/*
 * [VT-d 6.5.3.3, 6.1] A changed present context entry must leave the
 * context cache. A not-present entry made present needs invalidation
 * only under caching mode, which may cache not-present entries: the
 * PASID cache for (DID, PASID), then the IOTLB as for a teardown.
 */
static int flush_after_attach(struct vtd_unit *u, u16 sid, u16 ctx_did,
			      bool paside_new, enum vtd_pasid_kind kind,
			      u16 did, u32 pasid)
{
	struct vtd_qi_desc q[3];
	unsigned int n = 0;

	if (paside_new) {
		q[n++] = vtd_qi_cc_device(ctx_did, sid, 0);
	}
	if (u->cap & VTD_CAP_CM) {
		q[n++] = vtd_qi_pc(VTD_QI_PC_G_PASID, did, pasid);
		q[n++] = pasid_iotlb_desc(u, kind, did, pasid);
	}
	if (n) {
		return vtd_qi_submit(u, q, n, 0);
	}
	return vtd_reg_flush_write_buffer(u);
}

/* The common attach, once the request is validated. */
static int attach(struct vtd_unit *u, u16 sid, u32 pasid,
		  struct pasid_req *r)
{
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	struct vtd_pasid_entry *t, *new_t = NULL;
	struct vtd_domain *d = r->d;
	struct vtd_domain_unit *du;
	struct vtd_pasid_sw *sw;
	struct vtd_dev *dv;
	int did = -1, ret;
	bool paside_new;

	hal_spin_lock(&d->lock);
	ret = vtd_domain_unit_reserve_locked(d, u);
	hal_spin_lock(&u->ctx_lock);
	dv = vtd_dev_slot_locked(u, sid);
	if (!ret && (!dv || !dv->domain || !dv->pasid_dir)) {
		ret = VTD_ERR(-ENOENT);
	}
	if (!ret) {
		ret = place_locked(u, dv, pasid, d, &new_t, &did);
	}
	if (ret) {
		if (did > 0) {
			vtd_did_free_locked(u, (u16)did);
		}
		if (new_t) {
			hal_page_free(new_t, VTD_PASID_TABLE_ORDER);
		}
		hal_spin_unlock(&u->ctx_lock);
		vtd_domain_trim_locked(d);
		hal_spin_unlock(&d->lock);
		return ret;
	}
	/* ---- Commit: stores that cannot fail. ---- */
	du = vtd_domain_unit_get_locked(d, u, &did);
	r->cfg.did = du->did;
	t = new_t ? new_t : vtd_pasid_table_of(dv, pasid >> VTD_PASID_DIR_SHIFT);
	entry_commit_locked(u, dv, pasid, t, new_t, &r->cfg);
	sw = vtd_pasid_sw_of(t);
	sw->e[i].domain = d;
	sw->e[i].type = (u8)r->kind;
	sw->used++;
	dv->pasid_count++;
	paside_new = paside_set_locked(u, sid);
	hal_spin_unlock(&u->ctx_lock);
	ret = flush_after_attach(u, sid, dv->did, paside_new, r->kind,
				 r->cfg.did, pasid);
	hal_spin_unlock(&d->lock);
	return ret;
}

/* A PASID entry over a domain of @type, as @kind (SL or PT). */
static int attach_domain(struct vtd_unit *u, u16 sid, u32 pasid,
			 struct vtd_domain *d, u32 flags,
			 enum vtd_domain_type type, enum vtd_pasid_kind kind)
{
	struct pasid_req r = { .d = d, .kind = kind };
	int ret = check_common(u, pasid, d, flags, false);

	if (!ret && d->type != type) {
		ret = VTD_ERR(-EINVAL);
	}
	if (!ret) {
		ret = vtd_domain_fits_unit(d, u);
	}
	if (ret) {
		return ret;
	}
	vtd_domain_rid_pasid_cfg(d, u, 0, flags & VTD_PASID_FPD, &r.cfg);
	return attach(u, sid, pasid, &r);
}

int vtd_pasid_attach_sl(struct vtd_unit *u, u16 sid, u32 pasid,
			struct vtd_domain *d, u32 flags)
{
	return attach_domain(u, sid, pasid, d, flags, VTD_DOMAIN_PAGING,
			     VTD_PASID_KIND_SL);
}

int vtd_pasid_attach_pt(struct vtd_unit *u, u16 sid, u32 pasid,
			struct vtd_domain *d, u32 flags)
{
	return attach_domain(u, sid, pasid, d, flags,
			     VTD_DOMAIN_PASSTHROUGH, VTD_PASID_KIND_PT);
}

int vtd_pasid_attach_fl(struct vtd_unit *u, u16 sid, u32 pasid,
			struct vtd_domain *tag, const struct vtd_fl_pt *fl,
			u32 flags)
{
	struct pasid_req r = { .d = tag, .kind = VTD_PASID_KIND_FL };
	int ret = check_common(u, pasid, tag, flags, true);

	if (ret) {
		return ret;
	}
	if (!fl || !fl->root || (flags & VTD_PASID_FL_1G)) {
		return VTD_ERR(-EINVAL);
	}
	/*
	 * [VT-d 11.4.2, 11.4.3] First-level translation, 5-level paging and
	 * 1-GiB leaves each need their capability; a table written without
	 * cache flushes needs a coherent walk.
	 */
	if (!(u->ecap & VTD_ECAP_FLTS) ||
	    (fl->levels == 5 && !(u->cap & VTD_CAP_FL5LP)) ||
	    ((fl->leaf_levels & BIT(3)) && !(u->cap & VTD_CAP_FL1GP)) ||
	    (fl->coherent && !u->coherent)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	/*
	 * AW as for a first-level RID_PASID entry (vtd_domain_rid_pasid_cfg())
	 * and as Linux programs it: QEMU 10 bounds the first-stage canonical
	 * check by it (docs/QEMU.md, "The PASID entry's AW field").
	 */
	r.cfg = (struct vtd_pasid_cfg){
		.pgtt = VTD_PE_PGTT_FL,
		.aw = vtd_unit_max_agaw(u),
		.flptr = hal_paddr_val(fl->root_pa),
		.flpm = vtd_fl_pt_flpm(fl),
		.sre = flags & VTD_PASID_SRE,
		.wpe = flags & VTD_PASID_WPE,
		.fpd = flags & VTD_PASID_FPD,
	};
	return attach(u, sid, pasid, &r);
}

int vtd_pasid_attach_nested(struct vtd_unit *u, u16 sid, u32 pasid,
			    struct vtd_domain *d, vtd_gpa_t fl_gpa,
			    unsigned int fl_levels, u32 flags)
{
	struct pasid_req r = { .d = d, .kind = VTD_PASID_KIND_NESTED };
	u64 gpa = vtd_gpa_val(fl_gpa);
	int ret = check_common(u, pasid, d, flags, true);

	if (ret) {
		return ret;
	}
	if (d->type != VTD_DOMAIN_PAGING || (fl_levels != 4 && fl_levels != 5) ||
	    (gpa & (HAL_PAGE_SIZE - 1)) || (gpa & ~VTD_PE_Q2_FLPTPTR)) {
		return VTD_ERR(-EINVAL);
	}
	/* [VT-d 3.8, 11.4.3] Nesting needs ECAP.NEST (and FSTS). */
	if (!(u->ecap & VTD_ECAP_NEST) || !(u->ecap & VTD_ECAP_FLTS) ||
	    (fl_levels == 5 && !(u->cap & VTD_CAP_FL5LP)) ||
	    ((flags & VTD_PASID_FL_1G) && !(u->cap & VTD_CAP_FL1GP))) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	ret = vtd_domain_fits_unit(d, u);
	if (ret) {
		return ret;
	}
	/*
	 * [VT-d 3.8, 9.6] FLPTPTR is guest-physical and, like every
	 * first-level table pointer and output address, is translated by
	 * the second-level table at SLPTPTR.
	 */
	vtd_domain_rid_pasid_cfg(d, u, 0, flags & VTD_PASID_FPD, &r.cfg);
	r.cfg.pgtt = VTD_PE_PGTT_NESTED;
	r.cfg.flptr = gpa;
	r.cfg.flpm = fl_levels == 5 ? VTD_PE_FLPM_5LVL : VTD_PE_FLPM_4LVL;
	r.cfg.sre = flags & VTD_PASID_SRE;
	r.cfg.wpe = flags & VTD_PASID_WPE;
	return attach(u, sid, pasid, &r);
}

/*
 * Under ctx_lock: the table and domain of @sid's @pasid, or NULL when
 * it is not attached (the RID_PASID never is: it belongs to the device).
 */
static struct vtd_domain *pasid_domain_locked(struct vtd_unit *u, u16 sid,
					      u32 pasid, struct vtd_dev **dvp,
					      struct vtd_pasid_entry **tp)
{
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	struct vtd_dev *dv = vtd_dev_slot_locked(u, sid);
	struct vtd_pasid_entry *t;

	*dvp = dv;
	*tp = NULL;
	if (!dv || !dv->pasid_dir || idx >= (1U << (dv->pdts + 7)) ||
	    pasid == dv->rid_pasid) {
		return NULL;
	}
	t = vtd_pasid_table_of(dv, idx);
	*tp = t;
	return t ? vtd_pasid_sw_of(t)->e[pasid % VTD_PASID_TABLE_ENTRIES]
		   .domain : NULL;
}

/*
 * [VT-d 9.6] Not present first; the other fields stay as they were. The
 * table's last PASID: its directory entry turns not-present too (the
 * address stays, so that a failed invalidation can be retried). Returns
 * whether it did.
 */
static bool entry_clear_locked(struct vtd_unit *u, struct vtd_dev *dv,
			       u32 pasid, struct vtd_pasid_entry *t)
{
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	bool rid_table = idx == (dv->rid_pasid >> VTD_PASID_DIR_SHIFT);
	bool release = vtd_pasid_sw_of(t)->used == 1 && !rid_table;
	struct vtd_flush_set f;

	vtd_flush_init(&f, u->coherent);
	WRITE_ONCE(t[i].qw[0], 0);
	vtd_flush_add(&f, &t[i].qw[0], 8);
	if (release) {
		WRITE_ONCE(dv->pasid_dir[idx], dv->pasid_dir[idx] & ~VTD_PDE_P);
		vtd_flush_add(&f, &dv->pasid_dir[idx], 8);
	}
	vtd_flush_commit(&f);
	return release;
}

/* After the invalidation: forget the PASID, free an emptied table. */
static void forget_locked(struct vtd_unit *u, struct vtd_domain *d,
			  struct vtd_dev *dv, u32 pasid,
			  struct vtd_pasid_entry *t)
{
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	struct vtd_pasid_sw *sw = vtd_pasid_sw_of(t);
	bool rid_table = idx == (dv->rid_pasid >> VTD_PASID_DIR_SHIFT);

	sw->e[i].domain = NULL;
	sw->e[i].type = 0;
	sw->used--;
	dv->pasid_count--;
	if (!sw->used && !rid_table &&
	    !(READ_ONCE(dv->pasid_dir[idx]) & VTD_PDE_P)) {
		/* Not present already: clearing the address needs no flush. */
		WRITE_ONCE(dv->pasid_dir[idx], 0);
		vtd_flush_range(u->coherent, &dv->pasid_dir[idx], 8);
		hal_page_free(t, VTD_PASID_TABLE_ORDER);
	}
	vtd_domain_unit_put_locked(d, u);
}

int vtd_pasid_detach(struct vtd_unit *u, u16 sid, u32 pasid)
{
	struct vtd_pasid_entry *t, *t2;
	struct vtd_domain *d;
	struct vtd_dev *dv;
	struct vtd_qi_desc q[4];
	enum vtd_pasid_kind kind;
	unsigned int n = 0;
	bool release;
	u16 tag;
	int ret;

	if (!u || pasid >= VTD_PASID_COUNT) {
		return VTD_ERR(-EINVAL);
	}
	/* The domain is found under ctx_lock, then locked first. */
	hal_spin_lock(&u->ctx_lock);
	d = pasid_domain_locked(u, sid, pasid, &dv, &t);
	hal_spin_unlock(&u->ctx_lock);
	if (!d) {
		return VTD_ERR(-ENOENT);
	}
	hal_spin_lock(&d->lock);
	hal_spin_lock(&u->ctx_lock);
	if (pasid_domain_locked(u, sid, pasid, &dv, &t2) != d || t2 != t) {
		hal_spin_unlock(&u->ctx_lock);
		hal_spin_unlock(&d->lock);
		return VTD_ERR(-ENOENT);
	}
	kind = (enum vtd_pasid_kind)vtd_pasid_sw_of(t)
		->e[pasid % VTD_PASID_TABLE_ENTRIES].type;
	tag = vtd_domain_unit_find(d, u)->did;
	release = entry_clear_locked(u, dv, pasid, t);
	hal_spin_unlock(&u->ctx_lock);

	/*
	 * [VT-d 6.5.3.3] After a PASID entry is torn down: the PASID cache
	 * for (DID, PASID), globally when a directory entry turned
	 * not-present (a unit may cache directory entries with any PASID of
	 * the table); the IOTLB, PASID-based for FL and PT entries and
	 * domain-selective for SL and nested ones (whose second-level
	 * translations the DID tags for every PASID); then the device TLB
	 * for the PASID [VT-d 6.5.2.6]. Only afterwards is anything freed.
	 */
	q[n++] = vtd_qi_pc(VTD_QI_PC_G_PASID, tag, pasid);
	if (release) {
		q[n++] = vtd_qi_pc(VTD_QI_PC_G_GLOBAL, 0, 0);
	}
	q[n++] = pasid_iotlb_desc(u, kind, tag, pasid);
	if (dv->ats) {
		q[n++] = vtd_qi_pdev_tlb(sid, dv->ats_pfsid, dv->ats_qdep,
					 pasid, false, 0,
					 VTD_DEV_TLB_ALL_ORDER);
	}
	ret = vtd_qi_submit(u, q, n, 0);
	if (!ret) {
		hal_spin_lock(&u->ctx_lock);
		forget_locked(u, d, dv, pasid, t);
		hal_spin_unlock(&u->ctx_lock);
	}
	hal_spin_unlock(&d->lock);
	return ret;
}

/*
 * Under ctx_lock: what flushing @pasid of @sid needs: its domain ID, its
 * kind, the device TLB and whether that TLB holds it with a PASID (the
 * RID_PASID's requests come without one). -ENOENT when not attached
 * (the RID_PASID counts when its device is attached to a domain).
 */
static int flush_target_locked(struct vtd_unit *u, u16 sid, u32 pasid,
			       u16 *did, enum vtd_pasid_kind *kind,
			       struct vtd_dev_tlb *tlb, bool *ats,
			       bool *with_pasid)
{
	struct vtd_pasid_entry *t;
	struct vtd_domain *d;
	struct vtd_dev *dv;

	*kind = VTD_PASID_KIND_SL;
	*with_pasid = true;
	d = pasid_domain_locked(u, sid, pasid, &dv, &t);
	if (d) {
		*kind = (enum vtd_pasid_kind)vtd_pasid_sw_of(t)
			->e[pasid % VTD_PASID_TABLE_ENTRIES].type;
	} else if (dv && dv->domain && pasid == dv->rid_pasid) {
		d = dv->domain;
		*with_pasid = false;
		if (vtd_domain_is_fl(d)) {
			*kind = VTD_PASID_KIND_FL;
		}
	}
	if (!d) {
		return VTD_ERR(-ENOENT);
	}
	*did = vtd_domain_unit_find(d, u)->did;
	*ats = dv->ats;
	*tlb = (struct vtd_dev_tlb){
		.u = u, .sid = sid, .pfsid = dv->ats_pfsid, .qdep = dv->ats_qdep,
	};
	return 0;
}

void vtd_flush_batch_init(struct vtd_flush_batch *b, struct vtd_unit *u)
{
	b->u = u;
	b->n = 0;
	b->waits = 0;
}

int vtd_flush_batch_submit(struct vtd_flush_batch *b)
{
	int ret = 0;

	if (b->n) {
		ret = vtd_qi_submit(b->u, b->d, b->n, 0);
		b->waits++;
		b->n = 0;
	}
	return ret;
}

int vtd_pasid_flush_add(struct vtd_flush_batch *b, u16 sid, u32 pasid,
			vtd_iova_t iova, u64 size, bool leaf_only, u32 what)
{
	u64 va = vtd_iova_val(iova), first, last;
	enum vtd_pasid_kind kind;
	struct vtd_dev_tlb tlb;
	bool ats, with_pasid;
	u16 did;
	int ret;

	if (!b || !b->u || pasid >= VTD_PASID_COUNT || !size ||
	    (va & (HAL_PAGE_SIZE - 1)) || va + size - 1 < va || !what ||
	    (what & ~(VTD_FLUSH_IOTLB | VTD_FLUSH_DEVTLB))) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&b->u->ctx_lock);
	ret = flush_target_locked(b->u, sid, pasid, &did, &kind, &tlb, &ats,
				  &with_pasid);
	hal_spin_unlock(&b->u->ctx_lock);
	if (ret) {
		return ret;
	}
	if (kind != VTD_PASID_KIND_FL && kind != VTD_PASID_KIND_NESTED) {
		return VTD_ERR(-EINVAL);
	}
	if (!vtd_qi_enabled(b->u)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	/* Room for two IOTLB descriptors and a device-TLB one. */
	if (b->n + 3 > VTD_FLUSH_BATCH_MAX) {
		ret = vtd_flush_batch_submit(b);
		if (ret) {
			return ret;
		}
	}
	first = va >> HAL_PAGE_SHIFT;
	last = (va + size - 1) >> HAL_PAGE_SHIFT;
	if (what & VTD_FLUSH_IOTLB) {
		b->n += vtd_inv_piotlb_descs(b->u, did, pasid, first, last,
					     leaf_only, &b->d[b->n]);
	}
	/*
	 * [VT-d 6.5.2.5] The device TLB after the IOTLB, in the same batch:
	 * an IOTLB invalidation reaches it too when the device uses ATS.
	 */
	if (ats) {
		b->d[b->n++] = vtd_inv_dev_tlb_desc(&tlb, with_pasid, pasid,
						    first, last);
	}
	return 0;
}

int vtd_pasid_flush(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		    u64 size, bool leaf_only)
{
	struct vtd_flush_batch b;
	int ret;

	if (!u) {
		return VTD_ERR(-EINVAL);
	}
	vtd_flush_batch_init(&b, u);
	ret = vtd_pasid_flush_add(&b, sid, pasid, iova, size, leaf_only,
				  VTD_FLUSH_IOTLB);
	return ret ? ret : vtd_flush_batch_submit(&b);
}
