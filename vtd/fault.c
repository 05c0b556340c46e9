// SPDX-License-Identifier: BSD-2-Clause
/*
 * Primary fault logging [VT-d 7.2.1]: the fault recording registers are
 * a ring of CAP.NFR + 1 records at 16 * CAP.FRO; FSTS.FRI names the first
 * one hardware filled, PPF says one is pending and PFO that a fault was
 * lost because the next record was still full.
 */
#include <hal/hal.h>

#include "unit.h"

/* [VT-d 7.1.3 Table 7-x, 7.2.x; Appendix A] Fault reasons. */
static const struct {
	u8 fr;
	const char *text;
} reasons[] = {
	{ 0x01, "root entry not present" },
	{ 0x02, "context entry not present" },
	{ 0x03, "invalid context entry (translation type or address width)" },
	{ 0x04, "address beyond the domain's address width" },
	{ 0x05, "write to a page without write permission" },
	{ 0x06, "read from a page without read permission" },
	{ 0x07, "second-level paging entry fetch failed" },
	{ 0x08, "root table fetch failed" },
	{ 0x09, "context table fetch failed" },
	{ 0x0a, "reserved bit set in root entry" },
	{ 0x0b, "reserved bit set in context entry" },
	{ 0x0c, "reserved bit set in second-level paging entry" },
	{ 0x0d, "translation request blocked by context entry" },
	{ 0x0e, "address in the interrupt range (0xFEEx_xxxx)" },
	{ 0x30, "scalable-mode root entry: reserved bit (SRTA)" },
	{ 0x31, "scalable-mode context entry not present" },
	{ 0x32, "scalable-mode context entry: reserved bit" },
	{ 0x33, "scalable-mode context entry fetch failed" },
	{ 0x34, "scalable-mode: RID_PASID or PASID invalid" },
	{ 0x38, "PASID directory entry fetch failed" },
	{ 0x39, "PASID directory entry not present" },
	{ 0x3a, "PASID directory entry: reserved bit" },
	{ 0x3b, "PASID table entry fetch failed" },
	{ 0x3c, "PASID table entry not present" },
	{ 0x3d, "PASID table entry: reserved bit" },
	{ 0x3e, "PASID entry: invalid PGTT" },
	{ 0x58, "PASID table or entry invalid (QEMU 7.2 code)" },
	{ 0x59, "PASID entry: first-level table pointer invalid" },
	{ 0x70, "first-level paging entry fetch failed" },
	{ 0x71, "first-level paging entry not present" },
	{ 0x72, "first-level paging entry: reserved bit" },
	{ 0x73, "first-level: privilege or permission fault" },
	{ 0x80, "second-level paging entry fetch failed" },
	{ 0x81, "second-level: address beyond width" },
	{ 0x82, "second-level: paging entry not present" },
	{ 0x83, "second-level paging entry: reserved bit" },
	{ 0x87, "scalable-mode: address in the interrupt range" },
};

const char *vtd_fault_reason_str(u8 fr)
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
	 * legacy mode (QEMU-VTD.md 1).
	 */
	f->pasid = f->pasid_present ? (u32)FIELD_GET(VTD_FRCD_HI_PV, hi) : 0;
	f->exe = hi & VTD_FRCD_HI_EXE;
	f->priv = hi & VTD_FRCD_HI_PRIV;
	f->at = (u8)FIELD_GET(VTD_FRCD_HI_AT, hi);
	f->index = index;
}

int vtd_fault_handle(struct vtd_unit *u)
{
	u32 n = vtd_regs_frcd_count(u->cap), i, k, off;
	struct vtd_fault f;
	int handled = 0;
	u32 fsts;
	u64 hi, lo;

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
			if (u->params.fault_fn)
				u->params.fault_fn(u->params.fault_ctx, u, &f);
			else
				hal_log(HAL_LOG_WARN, "vtd %llx: DMA %s fault "
					"sid %04x addr %llx reason %#x (%s)\n",
					(unsigned long long)u->reg_base,
					f.write ? "write" : "read", f.sid,
					(unsigned long long)f.addr, f.reason,
					vtd_fault_reason_str(f.reason));
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
