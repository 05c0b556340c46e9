// SPDX-License-Identifier: BSD-2-Clause
/*
 * Software translation [VT-d 3.4-3.7]: walk a unit's in-memory root,
 * context, PASID and second-level structures the way the hardware does
 * for one request, and report the host address or the fault reason the
 * hardware would record [VT-d 7.1.3]. A debug aid, and the base that a
 * virtual IOMMU needs to emulate translation for a guest.
 *
 * The walk reads the structures with single-copy loads and takes
 * unit->ctx_lock, so it sees a consistent context/PASID state; the
 * second-level tables are read without the domain lock (like hardware).
 */
#include <hal/hal.h>
#include <vtd/domain.h>

#include "context.h"
#include <vtd/hw/tables.h>
#include "unit.h"


static void *table_va(u64 pa)
{
	return hal_phys_to_virt(hal_paddr_init(pa));
}

/*
 * [VT-d 9.3, 9.6, 11.4.2] An AW the unit walks: 3, 4 or 5 levels and
 * reported in SAGAW. Anything else (a reserved SAGAW bit, or an AW of 4-7
 * from a corrupt or guest-written entry) is an invalid entry, never a
 * walk of 6 or more levels.
 */
static bool aw_supported(const struct vtd_unit *u, unsigned int aw)
{
	return aw >= VTD_SL_LEVELS_MIN - 2 && aw <= VTD_SL_LEVELS_MAX - 2 &&
	       (FIELD_GET(VTD_CAP_SAGAW, u->cap) & (1U << aw));
}

/*
 * Second-level walk from @root_pa with @levels levels [VT-d 3.7]. A
 * not-present entry or a missing permission is a permission fault for
 * the access type [VT-d 7.1.3: 5 or 6].
 */
static void sl_walk(u64 root_pa, unsigned int levels, u64 iova, u32 prot,
		    bool sm, struct vtd_translation *out)
{
	u64 pa = root_pa, e = 0, size = 0;
	u32 granted = VTD_PROT_READ | VTD_PROT_WRITE;
	unsigned int level, shift;

	out->levels = (u8)levels;
	if (iova >> (12 + 9 * levels)) {
		out->fault_reason = sm ? VTD_FR_SM_ADDR_BEYOND : VTD_FR_ADDR_BEYOND;
		return;
	}
	for (level = levels; level >= 1; level--) {
		const struct vtd_sl_table *t = table_va(pa);

		shift = 12 + 9 * (level - 1);
		e = READ_ONCE(t->e[(iova >> shift) & 511].val);
		if (!(e & VTD_SL_PTE_R))
			granted &= ~VTD_PROT_READ;
		if (!(e & VTD_SL_PTE_W))
			granted &= ~VTD_PROT_WRITE;
		if (!(e & (VTD_SL_PTE_R | VTD_SL_PTE_W)) ||
		    (prot & ~granted)) {
			bool write = (prot & VTD_PROT_WRITE) &&
				     !(granted & VTD_PROT_WRITE);

			if (!(e & (VTD_SL_PTE_R | VTD_SL_PTE_W)))
				write = prot & VTD_PROT_WRITE;
			out->fault_reason = sm ? (write ? VTD_FR_SM_WRITE :
							  VTD_FR_SM_READ) :
						 (write ? VTD_FR_WRITE : VTD_FR_READ);
			return;
		}
		size = 1ULL << shift;
		if (level == 1 || (e & VTD_SL_PTE_PS))
			break;
		pa = e & VTD_SL_PTE_ADDR;
	}
	out->page_size = size;
	out->prot = granted;
	out->pa = hal_paddr_init((e & VTD_SL_PTE_ADDR & ~(size - 1)) |
				 (iova & (size - 1)));
}

static void walk_legacy(struct vtd_unit *u, u16 sid, u64 iova, u32 prot,
			struct vtd_translation *out)
{
	const struct vtd_ctx_entry *ce = vtd_ctx_legacy(u, sid);
	u64 lo, hi;
	unsigned int aw;

	if (!ce) {
		out->fault_reason = VTD_FR_ROOT_NP;
		return;
	}
	lo = READ_ONCE(ce->lo);
	hi = READ_ONCE(ce->hi);
	if (!(lo & VTD_CTX_LO_P)) {
		out->fault_reason = VTD_FR_CTX_NP;
		return;
	}
	out->did = (u16)FIELD_GET(VTD_CTX_HI_DID, hi);
	aw = (unsigned int)FIELD_GET(VTD_CTX_HI_AW, hi);
	switch (FIELD_GET(VTD_CTX_LO_TT, lo)) {
	case VTD_CTX_TT_PT:
		if (!(u->ecap & VTD_ECAP_PT)) {
			out->fault_reason = VTD_FR_CTX_INV;
			return;
		}
		out->pa = hal_paddr_init(iova);
		out->prot = VTD_PROT_READ | VTD_PROT_WRITE;
		out->page_size = HAL_PAGE_SIZE;
		return;
	case VTD_CTX_TT_SL:
		break;
	default:
		/* TT = 01 needs ECAP.DT; translated requests are not walked. */
		if (FIELD_GET(VTD_CTX_LO_TT, lo) == VTD_CTX_TT_SL_DEVTLB &&
		    (u->ecap & VTD_ECAP_DT))
			break;
		out->fault_reason = VTD_FR_CTX_INV;
		return;
	}
	if (!aw_supported(u, aw)) {
		out->fault_reason = VTD_FR_CTX_INV;
		return;
	}
	sl_walk(lo & VTD_CTX_LO_SLPTPTR, aw + 2, iova, prot, false, out);
}

/* What a first-level walk needs besides the table [VT-d 3.6, 3.8]. */
struct fl_req {
	unsigned int levels;		/* 4 or 5 (FLPM) */
	bool priv;			/* supervisor request */
	bool wpe;			/* supervisor writes honour R/W */
	bool nested;			/* table and output addresses are GPAs */
	u64 sl_root;			/* nested: second-level table */
	unsigned int sl_levels;
};

/*
 * Nested: translate the guest-physical address of a first-level table
 * through the second level; reading a table needs read permission
 * [VT-d 3.8]. 0 or the fault reason.
 */
static u8 nest_table(const struct fl_req *r, u64 gpa, bool root, u64 *hpa)
{
	struct vtd_translation t;

	hal_memset(&t, 0, sizeof(t));
	sl_walk(r->sl_root, r->sl_levels, gpa, VTD_PROT_READ, true, &t);
	if (t.fault_reason == VTD_FR_SM_ADDR_BEYOND)
		return VTD_FR_SM_NEST_BEYOND;
	if (t.fault_reason)
		return root ? VTD_FR_SM_NEST_ROOT_READ : VTD_FR_SM_NEST_READ;
	*hpa = hal_paddr_val(t.pa);
	return 0;
}

/*
 * First-level walk [VT-d 3.6, 9.7; SDM 3A 4.5-4.6] from @fsptptr. The
 * address must be canonical; R/W and U/S are the AND over the walk. A
 * user request needs U/S = 1 everywhere; a write needs R/W = 1 everywhere
 * unless it is a supervisor write with WPE = 0. Nested walks translate
 * every table address and the output through the second level.
 */
static void fl_walk(const struct vtd_unit *u, u64 fsptptr,
		    const struct fl_req *r, u64 va, u32 prot,
		    struct vtd_translation *out)
{
	unsigned int level, top = 12 + 9 * r->levels - 1;
	bool w = true, us = true;
	u64 table = fsptptr, e = 0, size = 0, hi;
	u8 fr;

	out->levels = (u8)r->levels;
	/* [VT-d 3.6] Bits 63:47 (63:56) are copies of bit 47 (56). */
	hi = va >> top;
	if (hi && hi != (~0ULL >> top)) {
		out->fault_reason = VTD_FR_SM_NONCANON;
		return;
	}
	for (level = r->levels; level >= 1; level--) {
		const struct vtd_fl_table *t;
		u64 rsvd = 0;

		if (r->nested) {
			fr = nest_table(r, table, level == r->levels, &table);
			if (fr) {
				out->fault_reason = fr;
				return;
			}
		}
		t = table_va(table);
		e = READ_ONCE(t->e[vtd_fl_level_index(va, level)].val);
		if (!(e & VTD_FL_PTE_P)) {
			out->fault_reason = VTD_FR_SM_FL_NP;
			return;
		}
		w &= !!(e & VTD_FL_PTE_RW);
		us &= !!(e & VTD_FL_PTE_US);
		if (level >= 4)
			rsvd = VTD_FL_PML4E_RSVD;
		else if (level == 3 && (e & VTD_FL_PTE_PS))
			rsvd = (u->cap & VTD_CAP_FL1GP) ?
			       VTD_FL_PDPE_1G_RSVD : VTD_FL_PTE_PS;
		else if (level == 2 && (e & VTD_FL_PTE_PS))
			rsvd = VTD_FL_PDE_2M_RSVD;
		if (e & rsvd) {
			out->fault_reason = VTD_FR_SM_FL_RSVD;
			return;
		}
		size = vtd_fl_level_size(level);
		if (vtd_fl_pte_is_leaf(e, level))
			break;
		table = vtd_fl_pte_addr(e, level);
	}
	if (!r->priv && !us) {
		out->fault_reason = VTD_FR_SM_USER;
		return;
	}
	if (!w && (!r->priv || r->wpe)) {
		if (prot & VTD_PROT_WRITE) {
			out->fault_reason = VTD_FR_SM_WRITE;
			return;
		}
	} else {
		w = true;
	}
	out->page_size = size;
	out->prot = VTD_PROT_READ | (w ? VTD_PROT_WRITE : 0);
	out->pa = hal_paddr_init(vtd_fl_pte_addr(e, level) |
				 (va & (size - 1)));
	if (r->nested) {
		struct vtd_translation s;
		u32 fl_prot = out->prot;

		hal_memset(&s, 0, sizeof(s));
		sl_walk(r->sl_root, r->sl_levels, hal_paddr_val(out->pa), prot,
			true, &s);
		if (s.fault_reason) {
			out->fault_reason = s.fault_reason;
			return;
		}
		out->pa = s.pa;
		out->prot = fl_prot & s.prot;
		if (s.page_size < out->page_size)
			out->page_size = s.page_size;
	}
}

/*
 * The PASID entry a scalable-mode request of @sid with @pasid (or, with
 * VTD_NO_PASID, the RID_PASID) uses, read as the unit reads it; NULL with
 * @out->fault_reason set when the walk ends before it [VT-d 9.4-9.6].
 */
static const struct vtd_pasid_entry *
pasid_entry_walk(struct vtd_unit *u, u16 sid, u32 pasid,
		 struct vtd_translation *out)
{
	const struct vtd_sm_ctx_entry *ce = vtd_ctx_sm(u, sid);
	const struct vtd_pasid_entry *pe;
	unsigned int pdts;
	u64 q0, pde;

	if (!ce) {
		out->fault_reason = VTD_FR_SM_ROOT_NP;
		return NULL;
	}
	q0 = READ_ONCE(ce->qw[0]);
	if (!(q0 & VTD_SM_CTX_Q0_P)) {
		out->fault_reason = VTD_FR_SM_CTX_NP;
		return NULL;
	}
	if (pasid != VTD_NO_PASID && !(q0 & VTD_SM_CTX_Q0_PASIDE)) {
		out->fault_reason = VTD_FR_SM_PASIDE;
		return NULL;
	}
	if (pasid == VTD_NO_PASID) {
		pasid = (u32)FIELD_GET(VTD_SM_CTX_Q1_RID_PASID,
				       READ_ONCE(ce->qw[1]));
	}
	pdts = (unsigned int)FIELD_GET(VTD_SM_CTX_Q0_PDTS, q0);
	if ((pasid >> VTD_PASID_DIR_SHIFT) >= (1U << (pdts + 7))) {
		out->fault_reason = VTD_FR_SM_PASID_BIG;
		return NULL;
	}
	pde = READ_ONCE(((const u64 *)table_va(q0 & VTD_SM_CTX_Q0_PDP))
				[pasid >> VTD_PASID_DIR_SHIFT]);
	if (!(pde & VTD_PDE_P)) {
		out->fault_reason = VTD_FR_SM_PDE_NP;
		return NULL;
	}
	pe = &((const struct vtd_pasid_entry *)table_va(pde & VTD_PDE_SMPTBLPTR))
		[pasid % VTD_PASID_TABLE_ENTRIES];
	if (!(READ_ONCE(pe->qw[0]) & VTD_PE_Q0_P)) {
		out->fault_reason = VTD_FR_SM_PTE_NP;
		return NULL;
	}
	return pe;
}

/* [VT-d 3.6, 3.8, 9.6] Through a first-level only or a nested entry. */
static void walk_fl_entry(struct vtd_unit *u, u64 p0, u64 p2, u64 iova,
			  u32 prot, bool priv, struct vtd_translation *out)
{
	unsigned int aw = (unsigned int)FIELD_GET(VTD_PE_Q0_AW, p0);
	struct fl_req fr = { .priv = priv };

	fr.nested = FIELD_GET(VTD_PE_Q0_PGTT, p0) == VTD_PE_PGTT_NESTED;
	fr.levels = FIELD_GET(VTD_PE_Q2_FLPM, p2) == VTD_PE_FLPM_5LVL ? 5 : 4;
	fr.wpe = p2 & VTD_PE_Q2_WPE;
	if (!(u->ecap & VTD_ECAP_FLTS) ||
	    FIELD_GET(VTD_PE_Q2_FLPM, p2) > VTD_PE_FLPM_5LVL ||
	    (fr.levels == 5 && !(u->cap & VTD_CAP_FL5LP)) ||
	    (fr.nested && (!(u->ecap & VTD_ECAP_NEST) ||
			   !(u->ecap & VTD_ECAP_SLTS) ||
			   !aw_supported(u, aw)))) {
		out->fault_reason = VTD_FR_SM_PTE_INV;
		return;
	}
	if (priv && !(p2 & VTD_PE_Q2_SRE)) {
		out->fault_reason = VTD_FR_SM_SRE;
		return;
	}
	fr.sl_root = p0 & VTD_PE_Q0_SLPTPTR;
	fr.sl_levels = aw + 2;
	fl_walk(u, p2 & VTD_PE_Q2_FLPTPTR, &fr, iova, prot, out);
}

static void walk_scalable(struct vtd_unit *u, u16 sid, u32 pasid, u64 iova,
			  u32 prot, bool priv, struct vtd_translation *out)
{
	const struct vtd_pasid_entry *pe = pasid_entry_walk(u, sid, pasid, out);
	u64 p0;

	if (!pe) {
		return;
	}
	p0 = READ_ONCE(pe->qw[0]);
	out->did = (u16)FIELD_GET(VTD_PE_Q1_DID, READ_ONCE(pe->qw[1]));
	switch (FIELD_GET(VTD_PE_Q0_PGTT, p0)) {
	case VTD_PE_PGTT_PT:
		out->pa = hal_paddr_init(iova);
		out->prot = VTD_PROT_READ | VTD_PROT_WRITE;
		out->page_size = HAL_PAGE_SIZE;
		return;
	case VTD_PE_PGTT_SL:
		/*
		 * [VT-d 9.6] Second-level translation needs ECAP.SLTS, and
		 * AW must be a width SAGAW reports.
		 */
		if (!(u->ecap & VTD_ECAP_SLTS) ||
		    !aw_supported(u, (unsigned int)FIELD_GET(VTD_PE_Q0_AW,
							   p0))) {
			out->fault_reason = VTD_FR_SM_PTE_INV;
			return;
		}
		sl_walk(p0 & VTD_PE_Q0_SLPTPTR,
			(unsigned int)FIELD_GET(VTD_PE_Q0_AW, p0) + 2, iova,
			prot, true, out);
		return;
	case VTD_PE_PGTT_FL:
	case VTD_PE_PGTT_NESTED:
		walk_fl_entry(u, p0, READ_ONCE(pe->qw[2]), iova, prot, priv,
			      out);
		return;
	default:
		out->fault_reason = VTD_FR_SM_PTE_INV;
		return;
	}
}

int vtd_translate(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		  u32 prot, struct vtd_translation *out)
{
	bool priv = prot & VTD_TRANSLATE_PRIV;

	prot &= ~VTD_TRANSLATE_PRIV;
	if (!u || !out || !prot ||
	    (prot & ~(VTD_PROT_READ | VTD_PROT_WRITE)) ||
	    (pasid != VTD_NO_PASID && pasid >= VTD_PASID_COUNT))
		return VTD_ERR(-EINVAL);
	hal_memset(out, 0, sizeof(*out));
	hal_spin_lock(&u->ctx_lock);
	if (u->scalable)
		walk_scalable(u, sid, pasid, vtd_iova_val(iova), prot, priv,
			      out);
	else if (pasid != VTD_NO_PASID)
		out->fault_reason = VTD_FR_CTX_INV;	/* no PASIDs in legacy mode */
	else
		walk_legacy(u, sid, vtd_iova_val(iova), prot, out);
	hal_spin_unlock(&u->ctx_lock);
	return 0;
}

/*
 * [VT-d 9.4-9.6] The PASID directory entry and the PASID entry (its low
 * 192 bits) that the present scalable-mode context entry @ce names for
 * its RID_PASID.
 */
static void dump_rid_pasid(const struct vtd_sm_ctx_entry *ce)
{
	u64 q0 = READ_ONCE(ce->qw[0]), pde, p0, p1, p2;
	u32 pasid = (u32)FIELD_GET(VTD_SM_CTX_Q1_RID_PASID,
				   READ_ONCE(ce->qw[1]));
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	const struct vtd_pasid_entry *pe;

	if (idx >= (1U << (FIELD_GET(VTD_SM_CTX_Q0_PDTS, q0) + 7))) {
		return;
	}
	pde = READ_ONCE(((const u64 *)table_va(q0 & VTD_SM_CTX_Q0_PDP))[idx]);
	hal_log(HAL_LOG_INFO, "vtd:   pasid-dir[%x] = %016llx (P=%u)\n", idx,
		(unsigned long long)pde, (unsigned int)(pde & VTD_PDE_P));
	if (!(pde & VTD_PDE_P)) {
		return;
	}
	pe = table_va(pde & VTD_PDE_SMPTBLPTR);
	pe += pasid % VTD_PASID_TABLE_ENTRIES;
	p0 = READ_ONCE(pe->qw[0]);
	p1 = READ_ONCE(pe->qw[1]);
	p2 = READ_ONCE(pe->qw[2]);
	hal_log(HAL_LOG_INFO, "vtd:   pasid[%x] = %016llx %016llx %016llx "
		"(P=%u PGTT=%u DID=%u)\n", pasid, (unsigned long long)p2,
		(unsigned long long)p1, (unsigned long long)p0,
		(unsigned int)(p0 & VTD_PE_Q0_P),
		(unsigned int)FIELD_GET(VTD_PE_Q0_PGTT, p0),
		(unsigned int)FIELD_GET(VTD_PE_Q1_DID, p1));
}

void vtd_device_dump(struct vtd_unit *u, u16 sid, vtd_iova_t iova)
{
	struct vtd_translation t;
	u8 bus = vtd_sid_bus(sid), devfn = vtd_sid_devfn(sid);
	u64 lo = READ_ONCE(u->root[2 * bus]);
	u64 hi = READ_ONCE(u->root[2 * bus + 1]);

	hal_log(HAL_LOG_INFO, "vtd %llx: %02x:%02x.%u (%s mode)\n",
		(unsigned long long)u->reg_base, bus, devfn >> 3, devfn & 7,
		u->scalable ? "scalable" : "legacy");
	hal_log(HAL_LOG_INFO, "vtd:   root[%02x] = %016llx %016llx\n", bus,
		(unsigned long long)hi, (unsigned long long)lo);
	hal_spin_lock(&u->ctx_lock);
	if (!u->scalable && vtd_ctx_legacy(u, sid)) {
		const struct vtd_ctx_entry *ce = vtd_ctx_legacy(u, sid);

		hal_log(HAL_LOG_INFO, "vtd:   context[%02x] = %016llx "
			"%016llx (P=%u TT=%u AW=%u DID=%u)\n", devfn,
			(unsigned long long)ce->hi, (unsigned long long)ce->lo,
			(unsigned int)(ce->lo & VTD_CTX_LO_P),
			(unsigned int)FIELD_GET(VTD_CTX_LO_TT, ce->lo),
			(unsigned int)FIELD_GET(VTD_CTX_HI_AW, ce->hi),
			(unsigned int)FIELD_GET(VTD_CTX_HI_DID, ce->hi));
	} else if (u->scalable && vtd_ctx_sm(u, sid)) {
		const struct vtd_sm_ctx_entry *ce = vtd_ctx_sm(u, sid);

		hal_log(HAL_LOG_INFO, "vtd:   sm-context[%02x] = %016llx "
			"%016llx (P=%u PDTS=%u RID_PASID=%u)\n", devfn,
			(unsigned long long)ce->qw[1],
			(unsigned long long)ce->qw[0],
			(unsigned int)(ce->qw[0] & VTD_SM_CTX_Q0_P),
			(unsigned int)FIELD_GET(VTD_SM_CTX_Q0_PDTS, ce->qw[0]),
			(unsigned int)FIELD_GET(VTD_SM_CTX_Q1_RID_PASID,
						ce->qw[1]));
		if (ce->qw[0] & VTD_SM_CTX_Q0_P) {
			dump_rid_pasid(ce);
		}
	}
	hal_spin_unlock(&u->ctx_lock);
	vtd_translate(u, sid, VTD_NO_PASID, iova, VTD_PROT_READ, &t);
	if (t.fault_reason)
		hal_log(HAL_LOG_INFO, "vtd:   iova %llx: fault %#x (%s)\n",
			(unsigned long long)vtd_iova_val(iova), t.fault_reason,
			vtd_fault_reason_str(t.fault_reason));
	else
		hal_log(HAL_LOG_INFO, "vtd:   iova %llx -> %llx (%s%s, %llu "
			"KiB page, DID %u, %u levels)\n",
			(unsigned long long)vtd_iova_val(iova),
			(unsigned long long)hal_paddr_val(t.pa),
			t.prot & VTD_PROT_READ ? "R" : "",
			t.prot & VTD_PROT_WRITE ? "W" : "",
			(unsigned long long)(t.page_size >> 10), t.did,
			t.levels);
}
