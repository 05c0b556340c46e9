/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct vtd_domain and what the attach code (device.c, pasid.c,
 * rmrr.c) needs of it (private). A domain is locked before the unit's
 * ctx_lock (<vtd/vtd.h>).
 */
#pragma once

#include <hal/hal.h>
#include <hal/vec.h>
#include <vtd/domain.h>
#include <vtd/pt_fl.h>
#include <vtd/pt_sl.h>

#include "inv.h"
#include "pasid_table.h"
#include "unit.h"

/* The domain on one unit: its domain ID there and who uses it. */
struct vtd_domain_unit {
	struct vtd_unit *u;
	u16 did;
	/* Device attachments and PASID attachments tagged with @did. */
	u32 devices;
	/*
	 * First-level domains: the devices attached on @u through their
	 * RID_PASID entries, and that RID_PASID, which tags the domain's
	 * IOTLB entries there together with @did.
	 */
	u32 rid_devices;
	u32 rid_pasid;
};

/* An RMRR identity map, kept while the domain lives [VT-d 8.4]. */
struct vtd_domain_rsv {
	u64 base;
	u64 size;
};

struct vtd_domain {
	struct hal_spinlock lock;
	enum vtd_domain_type type;
	struct vtd_sl_pt pt;		/* VTD_DOMAIN_PAGING */
	struct vtd_fl_pt fl;		/* VTD_DOMAIN_PAGING_FL */
	struct vtd_fl_pt *flp;		/* &fl, or the caller's table */
	u32 devices;
	struct hal_vec units;		/* struct vtd_domain_unit */
	struct hal_vec ats;		/* struct vtd_dev_tlb: ATS devices */
	struct hal_vec rsv;		/* struct vtd_domain_rsv */
};

/* [VT-d 6.5.2.4] Units whose domain's IOTLB entries carry a PASID. */
static inline bool vtd_domain_is_fl(const struct vtd_domain *d)
{
	return d->type == VTD_DOMAIN_PAGING_FL;
}

/* The domain has a page table (is not pass-through). */
static inline bool vtd_domain_has_table(const struct vtd_domain *d)
{
	return d->type != VTD_DOMAIN_PASSTHROUGH;
}

unsigned int vtd_unit_max_agaw(const struct vtd_unit *u);
bool vtd_unit_has_fl(const struct vtd_unit *u);
int vtd_domain_fits_unit(const struct vtd_domain *d,
			 const struct vtd_unit *u);
struct vtd_domain_unit *vtd_domain_unit_find(const struct vtd_domain *d,
					     const struct vtd_unit *u);
int vtd_domain_unit_reserve_locked(struct vtd_domain *d,
				   const struct vtd_unit *u);
struct vtd_domain_unit *vtd_domain_unit_get_locked(struct vtd_domain *d,
						   struct vtd_unit *u,
						   int *new_did);
void vtd_domain_unit_put_locked(struct vtd_domain *d, struct vtd_unit *u);
void vtd_domain_trim_locked(struct vtd_domain *d);
int vtd_domain_ats_reserve_locked(struct vtd_domain *d);
void vtd_domain_ats_add_locked(struct vtd_domain *d,
			       const struct vtd_dev_tlb *tlb);
void vtd_domain_ats_remove_locked(struct vtd_domain *d,
				  const struct vtd_unit *u, u16 sid);
void vtd_domain_rid_pasid_cfg(const struct vtd_domain *d,
			      const struct vtd_unit *u, u16 did, bool fpd,
			      struct vtd_pasid_cfg *c);
int vtd_domain_map_locked(struct vtd_domain *d, vtd_iova_t iova,
			  hal_paddr_t pa, u64 size, u32 prot);
int vtd_domain_rsv_room_locked(struct vtd_domain *d);
void vtd_domain_rsv_add_locked(struct vtd_domain *d, u64 base, u64 size);
bool vtd_domain_is_reserved_locked(const struct vtd_domain *d, u64 base,
				   u64 size);
