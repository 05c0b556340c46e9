/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Device slots (private): what the driver knows of each source ID on a
 * unit, allocated per bus on first use. A slot says which domain the
 * device is attached to (NULL: blocked), under which domain ID, with
 * which RID_PASID and PASID directory (scalable mode), and whether its
 * device TLB is in use (ATS). Slots are read and changed under the
 * unit's ctx_lock.
 */
#pragma once

#include <hal/types.h>

#include "unit.h"

struct vtd_domain;

struct vtd_dev {
	struct vtd_domain *domain;	/* NULL: blocked */
	u16 did;
	u32 rid_pasid;
	u64 *pasid_dir;			/* scalable mode */
	unsigned int pasid_dir_order;
	u8 pdts;
	u16 pasid_count;		/* PASIDs attached besides RID_PASID */
	/* ATS, as vtd_device_set_ats() configured it. */
	bool ats_wanted;
	u8 ats_qdep_wanted;
	u16 ats_pfsid_wanted;
	/* ATS as the present context entry has it (DTE / TT = 01). */
	bool ats;
	u8 ats_qdep;
	u16 ats_pfsid;
};

#define VTD_BUS_DEVS_ORDER	2	/* 256 struct vtd_dev per bus */
_Static_assert(256 * sizeof(struct vtd_dev) <= (4096 << VTD_BUS_DEVS_ORDER),
	       "per-bus device block");

/* The slots of one unit: per bus, 256 of them, or NULL before first use. */
struct vtd_dev_map {
	struct vtd_dev *bus[256];
};
_Static_assert(sizeof(struct vtd_dev_map) <= 4096, "device map: one page");

int vtd_dev_map_init(struct vtd_unit *u);
void vtd_dev_map_fini(struct vtd_unit *u);
struct vtd_dev *vtd_dev_slot_locked(struct vtd_unit *u, u16 sid);
struct vtd_dev *vtd_dev_slot_alloc_locked(struct vtd_unit *u, u16 sid,
					  bool *new_bus);
void vtd_dev_bus_free_locked(struct vtd_unit *u, u8 bus);
