/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Range invalidations (private): the IOTLB entries of a range, for a
 * domain (second-level, pass-through) or a (domain, PASID) pair
 * (first-level, nested), followed by the TLBs of the devices that use
 * ATS, behind one wait [VT-d 6.5.2.3-6.5.2.6]. The single-descriptor
 * primitives are public (<vtd/vtd.h>).
 */
#pragma once

#include <hal/types.h>

#include "unit.h"

/*
 * A device whose TLB a range invalidation must reach [VT-d 6.5.2.5], on
 * unit @u: a range invalidation of a unit takes the entries of a list
 * that name that unit and skips the others.
 */
struct vtd_dev_tlb {
	const struct vtd_unit *u;
	u16 sid;
	u16 pfsid;
	u8 qdep;
};

/*
 * [VT-d 6.5.2.5] Invalidate-everything of a device TLB: S = 1 with an
 * address whose low bits encode the whole 2^64 space (order 52 above the
 * 4 KiB page).
 */
#define VTD_DEV_TLB_ALL_ORDER	52

int vtd_inv_range(struct vtd_unit *u, u16 did, vtd_iova_t iova, u64 size,
		  bool leaf_only, const struct vtd_dev_tlb *devs,
		  unsigned int ndevs);
unsigned int vtd_inv_piotlb_descs(const struct vtd_unit *u, u16 did,
				  u32 pasid, u64 first, u64 last,
				  bool leaf_only, struct vtd_qi_desc *d);
struct vtd_qi_desc vtd_inv_dev_tlb_desc(const struct vtd_dev_tlb *t,
					bool with_pasid, u32 pasid, u64 first,
					u64 last);
int vtd_inv_pasid_range(struct vtd_unit *u, u16 did, u32 pasid,
			vtd_iova_t va, u64 size, bool leaf_only,
			const struct vtd_dev_tlb *devs, unsigned int ndevs,
			bool dev_tlb_pasid);
