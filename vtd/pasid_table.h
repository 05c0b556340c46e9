/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PASID directories and tables (private) [VT-d 9.4-9.6]: a device's
 * directory sized from ECAP.PSS, the 64-entry tables it points to, the
 * software record kept beside each table, and the one writer of a PASID
 * entry, whatever its translation type. Changes are made under the
 * unit's ctx_lock.
 */
#pragma once

#include <hal/types.h>

#include "dev.h"
#include <vtd/hw/tables.h>
#include "unit.h"

/*
 * A PASID table is allocated as 2^VTD_PASID_TABLE_ORDER pages: the first
 * is the table the unit reads [VT-d 9.6], the second (never pointed to
 * by the hardware) records, per entry, what software attached there.
 */
#define VTD_PASID_TABLE_ORDER	1
struct vtd_pasid_sw {
	struct {
		struct vtd_domain *domain;	/* NULL: free or RID_PASID */
		u8 type;			/* enum vtd_pasid_kind */
	} e[VTD_PASID_TABLE_ENTRIES];
	u32 used;			/* entries with a domain */
};
_Static_assert(sizeof(struct vtd_pasid_sw) <= 4096, "PASID table shadow");

/* What a PASID other than RID_PASID translates through (the record). */
enum vtd_pasid_kind {
	VTD_PASID_KIND_SL = 1,		/* PGTT=010: a domain's SL table */
	VTD_PASID_KIND_FL,		/* PGTT=001: a caller's FL table */
	VTD_PASID_KIND_NESTED,		/* PGTT=011: guest FL over SL */
	VTD_PASID_KIND_PT,		/* PGTT=100: pass-through */
};

/* What one PASID entry says [VT-d 9.6]; fields a type does not use are 0. */
struct vtd_pasid_cfg {
	unsigned int pgtt;		/* VTD_PE_PGTT_* */
	u16 did;
	unsigned int aw;		/* AW: second-level width, or the unit's */
	u64 slptr;			/* SL, nested: host physical */
	u64 flptr;			/* FL: host physical; nested: guest */
	unsigned int flpm;		/* VTD_PE_FLPM_* */
	bool sre;
	bool wpe;
	bool fpd;
};

unsigned int vtd_pasid_pdts(const struct vtd_unit *u);
unsigned int vtd_pasid_dir_order(unsigned int pdts);
struct vtd_pasid_entry *vtd_pasid_table_of(const struct vtd_dev *dv, u32 idx);
struct vtd_pasid_sw *vtd_pasid_sw_of(struct vtd_pasid_entry *t);
void vtd_pasid_dir_free(struct vtd_dev *dv);
void vtd_pasid_entry_write(const struct vtd_unit *u,
			   struct vtd_pasid_entry *pe,
			   const struct vtd_pasid_cfg *c);
