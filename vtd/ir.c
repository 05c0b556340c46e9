// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interrupt remapping [VT-d 5.1, 9.10, 9.11]: the unit's interrupt
 * remapping table, set with IRTA and GCMD.SIRTP and enabled with GCMD.IRE
 * [VT-d 11.4.4.1, 11.4.10]; allocation of its entries by index (a byte
 * per index, aligned power-of-two runs for multi-message MSI); remapped
 * and posted entries, validated whole before anything is written and
 * followed by an interrupt entry cache invalidation [VT-d 6.5.2.7]; and
 * the remappable MSI and I/O APIC formats that point a source at an
 * entry [VT-d 5.1.5].
 */
#include <hal/hal.h>
#include <vtd/ir.h>

#include "flush.h"
#include "unit.h"

static unsigned int order_of(u64 bytes)
{
	unsigned int order = 0;

	while ((HAL_PAGE_SIZE << order) < bytes) {
		order++;
	}
	return order;
}

static unsigned int log2_of(u32 pow2)
{
	return (unsigned int)__builtin_ctz(pow2);
}

static bool is_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

#define VTD_IR_RUN_TAIL	0xff

static bool run_used(const struct vtd_ir_state *ir, u32 i)
{
	return ir->runs[i] != 0;
}

/* Mark the run of 2^@order indices from @i allocated, or free. */
static void run_set(struct vtd_ir_state *ir, u32 i, unsigned int order,
		    bool on)
{
	u32 k;

	for (k = 0; k < (1U << order); k++) {
		ir->runs[i + k] = on ? VTD_IR_RUN_TAIL : 0;
	}
	if (on) {
		ir->runs[i] = (u8)(order + 1);
	}
}

static void ir_free_memory(struct vtd_ir_state *ir)
{
	if (ir->table) {
		hal_page_free(ir->table, ir->table_order);
	}
	if (ir->runs) {
		hal_page_free(ir->runs, ir->runs_order);
	}
	ir->table = NULL;
	ir->runs = NULL;
	ir->entries = 0;
	ir->used = 0;
}

void vtd_ir_fini(struct vtd_unit *u)
{
	ir_free_memory(&u->ir);
}

u32 vtd_ir_entries(const struct vtd_unit *u)
{
	return u ? u->ir.entries : 0;
}

/*
 * Invalidate the IEC entries of @count indices from @index (a power of
 * two, aligned): index-selective with IM = log2(@count) when ECAP.MHMV
 * allows that mask [VT-d 6.5.2.7, 11.4.3], else globally.
 */
static int iec_flush(struct vtd_unit *u, u32 index, u32 count)
{
	unsigned int im = log2_of(count);
	struct vtd_qi_desc d;

	if (im > FIELD_GET(VTD_ECAP_MHMV, u->ecap)) {
		d = vtd_qi_iec_global();
	} else {
		d = vtd_qi_iec_index((u16)index, (u8)im);
	}
	return vtd_qi_submit(u, &d, 1, 0);
}

static int ir_check_params(const struct vtd_unit *u,
			   const struct vtd_ir_params *p)
{
	if (!is_pow2(p->entries) || p->entries < 2 ||
	    p->entries > VTD_IRT_ENTRIES_MAX) {
		return VTD_ERR(-EINVAL);
	}
	if (p->allow_compat && p->x2apic) {
		return VTD_ERR(-EINVAL);
	}
	if (!(u->ecap & VTD_ECAP_IR) || !vtd_qi_enabled(u)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	if (p->x2apic && !(u->ecap & VTD_ECAP_EIM)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	return 0;
}

static int ir_alloc_memory(struct vtd_unit *u, const struct vtd_ir_params *p)
{
	struct vtd_ir_state *ir = &u->ir;

	ir->table_order = order_of((u64)p->entries * sizeof(struct vtd_irte));
	ir->runs_order = order_of(p->entries);
	ir->table = hal_page_alloc(ir->table_order);
	ir->runs = hal_page_alloc(ir->runs_order);
	if (!ir->table || !ir->runs) {
		ir_free_memory(ir);
		return VTD_ERR(-ENOMEM);
	}
	hal_memset(ir->table, 0, HAL_PAGE_SIZE << ir->table_order);
	hal_memset(ir->runs, 0, HAL_PAGE_SIZE << ir->runs_order);
	vtd_flush_range(u->coherent, ir->table,
			(size_t)p->entries * sizeof(struct vtd_irte));
	ir->entries = p->entries;
	ir->used = 0;
	ir->eime = p->x2apic;
	return 0;
}

/* Turn IRE and CFI off, under unit->lock. */
static int ir_off_locked(struct vtd_unit *u)
{
	int ret = 0;

	if (u->gsts & VTD_GSTS_IRES) {
		ret = vtd_reg_gcmd_locked(u, VTD_GCMD_IRE, VTD_GSTS_IRES, false);
	}
	if (!ret && (u->gsts & VTD_GSTS_CFIS)) {
		ret = vtd_reg_gcmd_locked(u, VTD_GCMD_CFI, VTD_GSTS_CFIS, false);
	}
	return ret;
}

/* IRTA, SIRTP and the IEC; then CFI and IRE. Under the IR lock. */
static int ir_program(struct vtd_unit *u, const struct vtd_ir_params *p)
{
	u64 irta = (hal_paddr_val(hal_virt_to_phys(u->ir.table)) &
		    VTD_IRTA_IRTA) |
		   FIELD_PREP(VTD_IRTA_S, log2_of(p->entries) - 1) |
		   (p->x2apic ? VTD_IRTA_EIME : 0);
	int ret;

	hal_spin_lock(&u->lock);
	/* [VT-d 11.4.10] The table is set while remapping is off. */
	ret = ir_off_locked(u);
	if (!ret) {
		vtd_write64(u, VTD_IRTA_REG, irta);
		ret = vtd_reg_gcmd_locked(u, VTD_GCMD_SIRTP, VTD_GSTS_IRTPS,
					  true);
	}
	hal_spin_unlock(&u->lock);
	/*
	 * [VT-d 6.5.2.7, 11.4.2] Without CAP.ESIRTPS, SIRTP leaves what the
	 * IEC holds of the previous table: invalidate it globally before
	 * remapping is enabled, so that no stale entry is ever used. With
	 * ESIRTPS the SIRTP operation invalidates the IEC itself.
	 */
	if (!ret && !(u->cap & VTD_CAP_ESIRTPS)) {
		ret = vtd_inv_iec_global(u);
	}
	hal_spin_lock(&u->lock);
	/*
	 * [VT-d 5.1.2.1] Compatibility-format interrupts bypass remapping
	 * when CFI is set: only when the caller allows it.
	 */
	if (!ret && p->allow_compat) {
		ret = vtd_reg_gcmd_locked(u, VTD_GCMD_CFI, VTD_GSTS_CFIS, true);
	}
	if (!ret) {
		ret = vtd_reg_gcmd_locked(u, VTD_GCMD_IRE, VTD_GSTS_IRES, true);
	}
	if (ret) {
		ir_off_locked(u);
	}
	hal_spin_unlock(&u->lock);
	return ret;
}

int vtd_ir_enable(struct vtd_unit *u, const struct vtd_ir_params *p)
{
	struct vtd_ir_params sized;
	int ret;

	if (!u || !p) {
		return VTD_ERR(-EINVAL);
	}
	/* 0 entries: the build's size (CONFIG_VTD_IR_ENTRIES). */
	sized = *p;
	if (!sized.entries) {
		sized.entries = CONFIG_VTD_IR_ENTRIES;
	}
	ret = ir_check_params(u, &sized);
	if (ret) {
		return ret;
	}
	hal_spin_lock(&u->ir.lock);
	if (u->ir.table) {
		ret = VTD_ERR(-EBUSY);
		goto out;
	}
	ret = ir_alloc_memory(u, &sized);
	if (ret) {
		goto out;
	}
	ret = ir_program(u, &sized);
	if (ret) {
		/*
		 * Remapping is off (or the unit does not answer); the unit
		 * may still hold IRTA, but with IRE clear it reads no entry.
		 */
		ir_free_memory(&u->ir);
	}
out:
	hal_spin_unlock(&u->ir.lock);
	return ret;
}

int vtd_ir_disable(struct vtd_unit *u)
{
	int ret;

	if (!u) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&u->ir.lock);
	if (!u->ir.table) {
		ret = VTD_ERR(-ENOENT);
	} else if (u->ir.used) {
		ret = VTD_ERR(-EBUSY);
	} else {
		hal_spin_lock(&u->lock);
		ret = ir_off_locked(u);
		hal_spin_unlock(&u->lock);
		if (!ret) {
			ir_free_memory(&u->ir);
		}
	}
	hal_spin_unlock(&u->ir.lock);
	return ret;
}

int vtd_ir_alloc(struct vtd_unit *u, u32 count, u32 *index)
{
	struct vtd_ir_state *ir;
	u32 i, k;
	int ret = VTD_ERR(-ENOSPC);

	if (!u || !index || !is_pow2(count)) {
		return VTD_ERR(-EINVAL);
	}
	ir = &u->ir;
	hal_spin_lock(&ir->lock);
	if (!ir->table) {
		ret = VTD_ERR(-ENOENT);
	} else if (count > ir->entries) {
		ret = VTD_ERR(-EINVAL);
	} else {
		for (i = 0; i < ir->entries; i += count) {
			for (k = 0; k < count && !run_used(ir, i + k); k++) {
			}
			if (k == count) {
				run_set(ir, i, log2_of(count), true);
				ir->used += count;
				*index = i;
				ret = 0;
				break;
			}
		}
	}
	hal_spin_unlock(&ir->lock);
	return ret;
}

/* @index is allocated in a table that is set up; under the IR lock. */
static int index_check(const struct vtd_unit *u, u32 index)
{
	if (!u->ir.table) {
		return VTD_ERR(-ENOENT);
	}
	if (index >= u->ir.entries || !run_used(&u->ir, index)) {
		return VTD_ERR(-EINVAL);
	}
	return 0;
}

/*
 * Write IRTE @index as @lo/@hi, with the unit possibly reading it. A
 * 64-bit store is single-copy atomic, so when the high qword (source
 * validation, posted address) does not change the unit sees the old or
 * the new entry. Otherwise P is cleared first, the high qword written,
 * then the low qword with P [VT-d 9.10]: a request in between finds the
 * entry not present (or the IEC's old copy), never a mix.
 */
static void irte_write(struct vtd_unit *u, u32 index, u64 lo, u64 hi)
{
	struct vtd_irte *e = &u->ir.table[index];

	if (READ_ONCE(e->hi) != hi) {
		WRITE_ONCE(e->lo, READ_ONCE(e->lo) & ~VTD_IRTE_LO_P);
		vtd_flush_range(u->coherent, e, sizeof(*e));
		WRITE_ONCE(e->hi, hi);
	}
	WRITE_ONCE(e->lo, lo);
	vtd_flush_range(u->coherent, e, sizeof(*e));
}

int vtd_ir_free(struct vtd_unit *u, u32 index, u32 count)
{
	struct vtd_ir_state *ir;
	u32 k;
	int ret;

	if (!u || !is_pow2(count)) {
		return VTD_ERR(-EINVAL);
	}
	ir = &u->ir;
	hal_spin_lock(&ir->lock);
	ret = index_check(u, index);
	/* Exactly a run vtd_ir_alloc() returned. */
	if (!ret && ir->runs[index] != log2_of(count) + 1) {
		ret = VTD_ERR(-EINVAL);
	}
	if (!ret) {
		for (k = 0; k < count; k++) {
			irte_write(u, index + k, 0, 0);
		}
		ret = iec_flush(u, index, count);
	}
	if (!ret) {
		run_set(ir, index, log2_of(count), false);
		ir->used -= count;
	}
	hal_spin_unlock(&ir->lock);
	return ret;
}

/* [VT-d 9.10] SVT, SQ and SID, validation always on. */
static int source_encode(const struct vtd_ir_source *s, u64 *hi)
{
	if (s->svt == VTD_IRTE_SVT_SID) {
		if (s->sq > VTD_IRTE_SQ_IGN_F) {
			return VTD_ERR(-EINVAL);
		}
	} else if (s->svt == VTD_IRTE_SVT_BUS) {
		/* SQ is ignored (0); the bus range must not be empty. */
		if (s->sq || FIELD_GET(VTD_SID_BUS, s->sid) >
			     FIELD_GET(VTD_SID_DEVFN, s->sid)) {
			return VTD_ERR(-EINVAL);
		}
	} else {
		return VTD_ERR(-EINVAL);
	}
	*hi = FIELD_PREP(VTD_IRTE_HI_SID, s->sid) |
	      FIELD_PREP(VTD_IRTE_HI_SQ, s->sq) |
	      FIELD_PREP(VTD_IRTE_HI_SVT, s->svt);
	return 0;
}

static bool dlm_valid(unsigned int dlm)
{
	return dlm == VTD_IRTE_DLM_FIXED || dlm == VTD_IRTE_DLM_LOWEST ||
	       dlm == VTD_IRTE_DLM_SMI || dlm == VTD_IRTE_DLM_NMI ||
	       dlm == VTD_IRTE_DLM_INIT || dlm == VTD_IRTE_DLM_EXTINT;
}

static int remap_encode(const struct vtd_unit *u, const struct vtd_ir_remap *r,
			u64 *lo, u64 *hi)
{
	u64 dst;
	int ret;

	if (r->vector > 0xff || !dlm_valid(r->dlm)) {
		return VTD_ERR(-EINVAL);
	}
	/* [VT-d 9.10] xAPIC: an 8-bit APIC ID in DST bits 15:8. */
	if (!u->ir.eime && r->dest > 0xff) {
		return VTD_ERR(-EINVAL);
	}
	ret = source_encode(&r->src, hi);
	if (ret) {
		return ret;
	}
	dst = u->ir.eime ? FIELD_PREP(VTD_IRTE_LO_DST, r->dest) :
			   FIELD_PREP(VTD_IRTE_LO_DST_XAPIC, r->dest);
	*lo = VTD_IRTE_LO_P | (r->fpd ? VTD_IRTE_LO_FPD : 0) |
	      (r->logical ? VTD_IRTE_LO_DM : 0) |
	      (r->redir_hint ? VTD_IRTE_LO_RH : 0) |
	      (r->level ? VTD_IRTE_LO_TM : 0) |
	      FIELD_PREP(VTD_IRTE_LO_DLM, r->dlm) |
	      FIELD_PREP(VTD_IRTE_LO_V, r->vector) | dst;
	return 0;
}

static int posted_encode(const struct vtd_unit *u,
			 const struct vtd_ir_posted *p, u64 *lo, u64 *hi)
{
	u64 pda = hal_paddr_val(p->pda);
	int ret;

	if (!(u->cap & VTD_CAP_PI)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	if (p->vector > 0xff || !pda || pda % VTD_PID_ALIGN) {
		return VTD_ERR(-EINVAL);
	}
	ret = source_encode(&p->src, hi);
	if (ret) {
		return ret;
	}
	*hi |= FIELD_PREP(VTD_PIRTE_HI_PDA_H, pda >> 32);
	*lo = VTD_IRTE_LO_P | VTD_IRTE_LO_IM |
	      (p->fpd ? VTD_IRTE_LO_FPD : 0) |
	      (p->urgent ? VTD_PIRTE_LO_URG : 0) |
	      FIELD_PREP(VTD_IRTE_LO_V, p->vector) |
	      FIELD_PREP(VTD_PIRTE_LO_PDA_L, (pda & GENMASK_ULL(31, 6)) >> 6);
	return 0;
}

/* Validate @index, then write the entry and invalidate it. */
static int irte_commit(struct vtd_unit *u, u32 index, int enc, u64 lo,
		       u64 hi)
{
	int ret;

	ret = index_check(u, index);
	if (!ret) {
		ret = enc;
	}
	if (!ret) {
		irte_write(u, index, lo, hi);
		ret = iec_flush(u, index, 1);
	}
	return ret;
}

int vtd_ir_set_remapped(struct vtd_unit *u, u32 index,
			const struct vtd_ir_remap *r)
{
	u64 lo = 0, hi = 0;
	int ret;

	if (!u || !r) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&u->ir.lock);
	ret = u->ir.table ? remap_encode(u, r, &lo, &hi) : 0;
	ret = irte_commit(u, index, ret, lo, hi);
	hal_spin_unlock(&u->ir.lock);
	return ret;
}

int vtd_ir_set_posted(struct vtd_unit *u, u32 index,
		      const struct vtd_ir_posted *p)
{
	u64 lo = 0, hi = 0;
	int ret;

	if (!u || !p) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&u->ir.lock);
	ret = u->ir.table ? posted_encode(u, p, &lo, &hi) : 0;
	ret = irte_commit(u, index, ret, lo, hi);
	hal_spin_unlock(&u->ir.lock);
	return ret;
}

int vtd_ir_clear(struct vtd_unit *u, u32 index)
{
	int ret;

	if (!u) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&u->ir.lock);
	ret = irte_commit(u, index, 0, 0, 0);
	hal_spin_unlock(&u->ir.lock);
	return ret;
}

int vtd_ir_msi(struct vtd_unit *u, u32 index, struct vtd_msi *msi)
{
	int ret;

	if (!u || !msi) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&u->ir.lock);
	ret = index_check(u, index);
	hal_spin_unlock(&u->ir.lock);
	if (ret) {
		return ret;
	}
	/* [VT-d 5.1.5.2] Handle 14:0 in bits 19:5, handle 15 in bit 2. */
	msi->addr = FIELD_PREP(VTD_IR_MSI_ADDR_BASE,
			       VTD_IR_MSI_ADDR_BASE_VAL) |
		    FIELD_PREP(VTD_IR_MSI_ADDR_HANDLE, index & GENMASK(14, 0)) |
		    ((index & BIT(15)) ? VTD_IR_MSI_ADDR_HANDLE15 : 0) |
		    VTD_IR_MSI_ADDR_IF | VTD_IR_MSI_ADDR_SHV;
	msi->addr_hi = 0;
	msi->data = FIELD_PREP(VTD_IR_MSI_DATA_SUBHANDLE, 0);
	return 0;
}

int vtd_ir_ioapic_rte(struct vtd_unit *u, u32 index, bool active_low,
		      bool masked, u64 *rte)
{
	u64 lo = 0;
	int ret;

	if (!u || !rte) {
		return VTD_ERR(-EINVAL);
	}
	hal_spin_lock(&u->ir.lock);
	ret = index_check(u, index);
	if (!ret) {
		lo = READ_ONCE(u->ir.table[index].lo);
		if (!(lo & VTD_IRTE_LO_P) || (lo & VTD_IRTE_LO_IM)) {
			ret = VTD_ERR(-EINVAL);
		}
	}
	hal_spin_unlock(&u->ir.lock);
	if (ret) {
		return ret;
	}
	/* [VT-d 5.1.5.1] */
	*rte = FIELD_PREP(VTD_IR_RTE_HANDLE, index & GENMASK(14, 0)) |
	       ((index & BIT(15)) ? VTD_IR_RTE_HANDLE15 : 0) |
	       VTD_IR_RTE_IF | (masked ? VTD_IR_RTE_MASK : 0) |
	       ((lo & VTD_IRTE_LO_TM) ? VTD_IR_RTE_TM : 0) |
	       (active_low ? VTD_IR_RTE_POL : 0) |
	       FIELD_PREP(VTD_IR_RTE_VECTOR, FIELD_GET(VTD_IRTE_LO_V, lo));
	return 0;
}
