// SPDX-License-Identifier: BSD-2-Clause
/*
 * PASID directories and tables [VT-d 9.4-9.6]: directory sizing, the
 * table behind a directory entry and its software record, and the one
 * writer of PASID entries.
 */
#include <hal/hal.h>

#include "pasid_table.h"

/*
 * [VT-d 9.4, 11.4.3] The context entry's PDTS for @u: a directory of
 * 2^(PDTS + 7) entries covers the unit's ECAP.PSS + 1 PASID bits (each
 * entry covers 2^6 PASIDs), and is never smaller than 128 entries.
 */
unsigned int vtd_pasid_pdts(const struct vtd_unit *u)
{
	unsigned int bits = (unsigned int)FIELD_GET(VTD_ECAP_PSS, u->ecap) + 1;
	unsigned int entries_log2 = bits > 13 ? bits - VTD_PASID_DIR_SHIFT : 7;

	return entries_log2 - 7;
}

/* Pages for a directory of 2^(pdts + 7) 8-byte entries, as an order. */
unsigned int vtd_pasid_dir_order(unsigned int pdts)
{
	u64 bytes = 8ULL << (pdts + 7);
	unsigned int order = 0;

	while ((HAL_PAGE_SIZE << order) < bytes) {
		order++;
	}
	return order;
}

/*
 * The PASID table (and its record page) behind directory entry @idx.
 * The address names the table even while P is clear: a detach whose
 * invalidation failed keeps it, to be finished by a later call.
 */
struct vtd_pasid_entry *vtd_pasid_table_of(const struct vtd_dev *dv, u32 idx)
{
	u64 pde = READ_ONCE(dv->pasid_dir[idx]);

	if (!(pde & VTD_PDE_SMPTBLPTR)) {
		return NULL;
	}
	return hal_phys_to_virt(hal_paddr_init(pde & VTD_PDE_SMPTBLPTR));
}

struct vtd_pasid_sw *vtd_pasid_sw_of(struct vtd_pasid_entry *t)
{
	return (struct vtd_pasid_sw *)((u8 *)t + HAL_PAGE_SIZE);
}

/*
 * Free @dv's PASID directory and its tables. A table whose last PASID's
 * detach failed keeps its address with P clear: it is freed too.
 */
void vtd_pasid_dir_free(struct vtd_dev *dv)
{
	size_t i, n;

	if (!dv->pasid_dir) {
		return;
	}
	n = (HAL_PAGE_SIZE << dv->pasid_dir_order) / 8;
	for (i = 0; i < n; i++) {
		if (dv->pasid_dir[i] & VTD_PDE_SMPTBLPTR) {
			hal_page_free(hal_phys_to_virt(hal_paddr_init(
				dv->pasid_dir[i] & VTD_PDE_SMPTBLPTR)),
				VTD_PASID_TABLE_ORDER);
		}
	}
	hal_page_free(dv->pasid_dir, dv->pasid_dir_order);
	dv->pasid_dir = NULL;
}

/*
 * [VT-d 9.6] Fill a not-present PASID entry: the upper qwords first, the
 * qword holding P last, each one store. Page-walk snoop (PWSNP) only
 * where the unit offers it (ECAP.SMPWCS).
 */
void vtd_pasid_entry_write(const struct vtd_unit *u,
			   struct vtd_pasid_entry *pe,
			   const struct vtd_pasid_cfg *c)
{
	u64 q0 = FIELD_PREP(VTD_PE_Q0_PGTT, c->pgtt) |
		 FIELD_PREP(VTD_PE_Q0_AW, c->aw) |
		 (c->slptr & VTD_PE_Q0_SLPTPTR) |
		 (c->fpd ? VTD_PE_Q0_FPD : 0);
	u64 q1 = FIELD_PREP(VTD_PE_Q1_DID, c->did) |
		 ((u->ecap & VTD_ECAP_SMPWCS) ? VTD_PE_Q1_PWSNP : 0);
	u64 q2 = (c->flptr & VTD_PE_Q2_FLPTPTR) |
		 FIELD_PREP(VTD_PE_Q2_FLPM, c->flpm) |
		 (c->sre ? VTD_PE_Q2_SRE : 0) |
		 (c->wpe ? VTD_PE_Q2_WPE : 0);

	WRITE_ONCE(pe->qw[2], q2);
	WRITE_ONCE(pe->qw[1], q1);
	WRITE_ONCE(pe->qw[0], q0 | VTD_PE_Q0_P);
}
