// SPDX-License-Identifier: BSD-2-Clause
/*
 * Primary fault logging [VT-d 7.2.1]: the fault recording registers are
 * a ring of CAP.NFR + 1 records at 16 * CAP.FRO; FSTS.FRI names the first
 * one hardware filled, PPF says one is pending and PFO that a fault was
 * lost because the next record was still full.
 */
#include <hal/hal.h>

#include "unit.h"

/*
 * Fault reasons [VT-d 7.1.3, Appendix A]; the scalable-mode codes agree
 * with Linux's dmar.c table. QEMU 7.2 reports 0x58 for every PASID
 * directory or table problem (docs/QEMU.md 1).
 */
static const struct {
	u8 fr;
	const char *text;
} reasons[] = {
	{ VTD_FR_ROOT_NP, "root entry not present" },
	{ VTD_FR_CTX_NP, "context entry not present" },
	{ VTD_FR_CTX_INV, "invalid context entry (translation type or address width)" },
	{ VTD_FR_ADDR_BEYOND, "address beyond the domain's address width" },
	{ VTD_FR_WRITE, "write to a page without write permission" },
	{ VTD_FR_READ, "read from a page without read permission" },
	{ VTD_FR_SL_FETCH, "second-level paging entry fetch failed" },
	{ VTD_FR_ROOT_FETCH, "root table fetch failed" },
	{ VTD_FR_CTX_FETCH, "context table fetch failed" },
	{ VTD_FR_ROOT_RSVD, "reserved bit set in root entry" },
	{ VTD_FR_CTX_RSVD, "reserved bit set in context entry" },
	{ VTD_FR_SL_RSVD, "reserved bit set in second-level paging entry" },
	{ VTD_FR_BLOCKED, "translation request blocked by context entry" },
	{ VTD_FR_INTR_RANGE, "address in the interrupt range (0xFEEx_xxxx)" },
	/* Interrupt-remapping reasons [VT-d 7.1.3]. */
	{ VTD_FR_IR_RSVD, "IR: reserved field set in the interrupt request" },
	{ VTD_FR_IR_INDEX, "IR: interrupt index beyond the remapping table" },
	{ VTD_FR_IR_NP, "IR: remapping table entry not present" },
	{ VTD_FR_IR_FETCH, "IR: remapping table access failed" },
	{ VTD_FR_IR_IRTE_RSVD, "IR: reserved field set in the remapping table entry" },
	{ VTD_FR_IR_COMPAT, "IR: compatibility-format interrupt blocked" },
	{ VTD_FR_IR_SID, "IR: source-ID validation failed" },
	{ VTD_FR_IR_PID_FETCH, "IR: posted interrupt descriptor access failed" },
	/* Scalable-mode reasons [VT-d 7.1.3]. */
	{ VTD_FR_SM_RTA_INV, "SM: invalid root table address" },
	{ VTD_FR_SM_TTM_PASID, "SM: TTM 0 for a request with PASID" },
	{ VTD_FR_SM_TTM_PGR, "SM: TTM 0 for a page group request" },
	{ VTD_FR_SM_ROOT_FETCH, "SM: root entry fetch failed" },
	{ VTD_FR_SM_ROOT_NP, "SM: root entry not present" },
	{ VTD_FR_SM_ROOT_RSVD, "SM: reserved bit set in root entry" },
	{ VTD_FR_SM_CTX_FETCH, "SM: context entry fetch failed" },
	{ VTD_FR_SM_CTX_NP, "SM: context entry not present" },
	{ VTD_FR_SM_CTX_RSVD, "SM: reserved bit set in context entry" },
	{ VTD_FR_SM_CTX_INV, "SM: invalid context entry" },
	{ VTD_FR_SM_DTE, "SM: DTE clear in context entry" },
	{ VTD_FR_SM_PASIDE, "SM: PASID enable clear in context entry" },
	{ VTD_FR_SM_PASID_BIG, "SM: PASID beyond the context entry's directory size" },
	{ VTD_FR_SM_PRE, "SM: PRE clear in context entry" },
	{ VTD_FR_SM_RID_PASID, "SM: RID_PASID error in context entry" },
	{ VTD_FR_SM_PDE_FETCH, "SM: PASID directory entry fetch failed" },
	{ VTD_FR_SM_PDE_NP, "SM: PASID directory entry not present" },
	{ VTD_FR_SM_PDE_RSVD, "SM: reserved bit set in PASID directory entry" },
	{ VTD_FR_SM_PTE_FETCH, "SM: PASID table entry fetch failed" },
	{ VTD_FR_SM_PTE_NP, "SM: PASID table entry not present" },
	{ VTD_FR_SM_PTE_RSVD, "SM: reserved bit set in PASID table entry" },
	{ VTD_FR_SM_PTE_INV, "SM: invalid PASID table entry" },
	{ VTD_FR_SM_ERE, "SM: ERE clear in PASID table entry" },
	{ VTD_FR_SM_SRE, "SM: SRE clear in PASID table entry" },
	{ VTD_FR_SM_FL_FETCH, "SM: first-level paging entry fetch failed" },
	{ VTD_FR_SM_FL_NP, "SM: first-level paging entry not present" },
	{ VTD_FR_SM_FL_RSVD, "SM: reserved bit set in first-level paging entry" },
	{ VTD_FR_SM_FL_ROOT_FETCH, "SM: FL-PML4 entry fetch failed" },
	{ VTD_FR_SM_NEST_BEYOND, "SM: nested first-level entry address beyond MGAW" },
	{ VTD_FR_SM_NEST_ROOT_READ, "SM: nested read permission fault in FL-PML4 entry" },
	{ VTD_FR_SM_NEST_READ, "SM: nested read permission fault in first-level entry" },
	{ VTD_FR_SM_NEST_WRITE, "SM: nested write permission fault in first-level entry" },
	{ VTD_FR_SM_SL_FETCH, "SM: second-level paging entry fetch failed" },
	{ VTD_FR_SM_SL_RW, "SM: read/write permission fault in second-level entry" },
	{ VTD_FR_SM_SL_RSVD, "SM: reserved bit set in second-level paging entry" },
	{ VTD_FR_SM_SL_PTR_INV, "SM: invalid second-level page table pointer" },
	{ VTD_FR_SM_SL_AD, "SM: second-level A/D update needed without snoop" },
	{ VTD_FR_SM_NONCANON, "SM: first-level address not canonical" },
	{ VTD_FR_SM_USER, "SM: user request to a supervisor first-level page" },
	{ VTD_FR_SM_EXEC, "SM: execute request without execute permission" },
	{ VTD_FR_SM_ADDR_BEYOND, "SM: address beyond the unit's maximum" },
	{ VTD_FR_SM_SL_BEYOND, "SM: second-level entry address beyond the maximum" },
	{ VTD_FR_SM_WRITE, "SM: write request without write permission" },
	{ VTD_FR_SM_READ, "SM: read request without read permission" },
	{ VTD_FR_SM_INTR_RANGE, "SM: address in the interrupt range" },
	{ VTD_FR_SM_FL_AD, "SM: first-level A/D update needed without snoop" },
};

const char *vtd_fault_reason_str(unsigned char fr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		if (reasons[i].fr == fr)
			return reasons[i].text;
	}
	return "unknown fault reason";
}

u64 vtd_fault_overflows(const struct vtd_unit *u)
{
	return u->fault_overflows;
}

static void decode(u64 lo, u64 hi, u32 index, struct vtd_fault *f)
{
	hal_memset(f, 0, sizeof(*f));
	f->addr = lo & VTD_FRCD_LO_FI;
	f->sid = (u16)FIELD_GET(VTD_FRCD_HI_SID, hi);
	f->reason = (u8)FIELD_GET(VTD_FRCD_HI_FR, hi);
	/* [VT-d 11.4.7.6] T1: 0 write, 1 read (T2 distinguishes AtomicOps). */
	f->write = !(hi & VTD_FRCD_HI_T1);
	f->pasid_present = hi & VTD_FRCD_HI_PP;
	/*
	 * PV is meaningful only with PP; QEMU 7.2 leaves 0xffff there in
	 * legacy mode (docs/QEMU.md 1).
	 */
	f->pasid = f->pasid_present ? (u32)FIELD_GET(VTD_FRCD_HI_PV, hi) : 0;
	f->exe = hi & VTD_FRCD_HI_EXE;
	f->priv = hi & VTD_FRCD_HI_PRIV;
	f->at = (u8)FIELD_GET(VTD_FRCD_HI_AT, hi);
	f->index = index;
	/*
	 * [VT-d 11.4.7.6] For an interrupt-remapping reason, FI bits 63:48
	 * hold the interrupt index and bits 47:12 are 0.
	 */
	if (f->reason >= VTD_FR_IR_RSVD && f->reason <= VTD_FR_IR_PID_FETCH) {
		f->ir = true;
		f->irte_index = (u16)FIELD_GET(VTD_FRCD_LO_IR_INDEX, lo);
		f->addr = 0;
	}
}

int vtd_fault_handle(struct vtd_unit *u)
{
	u32 n, i, k, off;
	struct vtd_fault f;
	int handled = 0;
	u32 fsts;
	u64 hi, lo;

	if (!u)
		return VTD_ERR(-EINVAL);
	n = vtd_regs_frcd_count(u->cap);
	hal_spin_lock(&u->fault_lock);
	fsts = vtd_read32(u, VTD_FSTS_REG);
	if (fsts & VTD_FSTS_PPF) {
		i = FIELD_GET(VTD_FSTS_FRI, fsts) % n;
		for (k = 0; k < n; k++, i = (i + 1) % n) {
			off = vtd_regs_frcd_offset(u->cap, i);
			/*
			 * [VT-d 11.4.7.6] Read the high qword first: F says
			 * the record is complete; then the address; then
			 * clear F (RW1CS) to free the record.
			 */
			hi = vtd_read64(u, off + VTD_FRCD_HI_OFF);
			if (!(hi & VTD_FRCD_HI_F))
				break;
			lo = vtd_read64(u, off + VTD_FRCD_LO_OFF);
			vtd_write64(u, off + VTD_FRCD_HI_OFF, VTD_FRCD_HI_F);
			decode(lo, hi, i, &f);
			u->faults_seen++;
			handled++;
			if (u->params.fault_fn) {
				u->params.fault_fn(u->params.fault_ctx, u, &f);
			} else if (f.ir) {
				hal_log(HAL_LOG_WARN, "vtd %llx: interrupt "
					"fault sid %04x index %u reason %#x "
					"(%s)\n", (unsigned long long)u->reg_base,
					f.sid, (unsigned int)f.irte_index,
					f.reason, vtd_fault_reason_str(f.reason));
			} else {
				hal_log(HAL_LOG_WARN, "vtd %llx: DMA %s fault "
					"sid %04x addr %llx reason %#x (%s)\n",
					(unsigned long long)u->reg_base,
					f.write ? "write" : "read", f.sid,
					(unsigned long long)f.addr, f.reason,
					vtd_fault_reason_str(f.reason));
			}
		}
	}
	if (fsts & VTD_FSTS_PFO) {
		/* [VT-d 7.2.1] Faults were dropped; PFO is RW1CS. */
		vtd_write32(u, VTD_FSTS_REG, VTD_FSTS_PFO);
		u->fault_overflows++;
		hal_log(HAL_LOG_WARN, "vtd %llx: primary fault overflow\n",
			(unsigned long long)u->reg_base);
	}
	hal_spin_unlock(&u->fault_lock);
	return handled;
}

/* Clear every pending fault record and the sticky error bits. */
void vtd_fault_clear_all_locked(struct vtd_unit *u)
{
	u32 i, n = vtd_regs_frcd_count(u->cap);

	hal_lock_assert_held(&u->lock);
	for (i = 0; i < n; i++) {
		vtd_write64(u, vtd_regs_frcd_offset(u->cap, i) +
			       VTD_FRCD_HI_OFF, VTD_FRCD_HI_F);
	}
	vtd_write32(u, VTD_FSTS_REG, VTD_FSTS_PFO | VTD_FSTS_IQE |
				     VTD_FSTS_ICE | VTD_FSTS_ITE);
}
