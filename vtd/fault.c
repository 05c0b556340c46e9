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
	/* Scalable-mode reasons [VT-d 7.1.3, Table 7-x "SM" rows]. */
	{ 0x30, "SM: invalid root table address" },
	{ 0x31, "SM: TTM 0 for a request with PASID" },
	{ 0x32, "SM: TTM 0 for a page group request" },
	{ 0x38, "SM: root entry fetch failed" },
	{ 0x39, "SM: root entry not present" },
	{ 0x3a, "SM: reserved bit set in root entry" },
	{ 0x40, "SM: context entry fetch failed" },
	{ 0x41, "SM: context entry not present" },
	{ 0x42, "SM: reserved bit set in context entry" },
	{ 0x43, "SM: invalid context entry" },
	{ 0x44, "SM: DTE clear in context entry" },
	{ 0x45, "SM: PASID enable clear in context entry" },
	{ 0x46, "SM: PASID beyond the context entry's directory size" },
	{ 0x47, "SM: PRE clear in context entry" },
	{ 0x48, "SM: RID_PASID error in context entry" },
	{ 0x50, "SM: PASID directory entry fetch failed" },
	{ 0x51, "SM: PASID directory entry not present" },
	{ 0x52, "SM: reserved bit set in PASID directory entry" },
	{ 0x58, "SM: PASID table entry fetch failed" },
	{ 0x59, "SM: PASID table entry not present" },
	{ 0x5a, "SM: reserved bit set in PASID table entry" },
	{ 0x5b, "SM: invalid PASID table entry" },
	{ 0x5c, "SM: ERE clear in PASID table entry" },
	{ 0x5d, "SM: SRE clear in PASID table entry" },
	{ 0x70, "SM: first-level paging entry fetch failed" },
	{ 0x71, "SM: first-level paging entry not present" },
	{ 0x72, "SM: reserved bit set in first-level paging entry" },
	{ 0x73, "SM: FL-PML4 entry fetch failed" },
	{ 0x74, "SM: nested first-level entry address beyond MGAW" },
	{ 0x75, "SM: nested read permission fault in FL-PML4 entry" },
	{ 0x76, "SM: nested read permission fault in first-level entry" },
	{ 0x77, "SM: nested write permission fault in first-level entry" },
	{ 0x78, "SM: second-level paging entry fetch failed" },
	{ 0x79, "SM: read/write permission fault in second-level entry" },
	{ 0x7a, "SM: reserved bit set in second-level paging entry" },
	{ 0x7b, "SM: invalid second-level page table pointer" },
	{ 0x7c, "SM: second-level A/D update needed without snoop" },
	{ 0x80, "SM: first-level address not canonical" },
	{ 0x81, "SM: user request to a supervisor first-level page" },
	{ 0x82, "SM: execute request without execute permission" },
	{ 0x83, "SM: address beyond the unit's maximum" },
	{ 0x84, "SM: second-level entry address beyond the maximum" },
	{ 0x85, "SM: write request without write permission" },
	{ 0x86, "SM: read request without read permission" },
	{ 0x87, "SM: address in the interrupt range" },
	{ 0x90, "SM: first-level A/D update needed without snoop" },
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
	 * legacy mode (docs/QEMU.md 1).
	 */
	f->pasid = f->pasid_present ? (u32)FIELD_GET(VTD_FRCD_HI_PV, hi) : 0;
	f->exe = hi & VTD_FRCD_HI_EXE;
	f->priv = hi & VTD_FRCD_HI_PRIV;
	f->at = (u8)FIELD_GET(VTD_FRCD_HI_AT, hi);
	f->index = index;
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
