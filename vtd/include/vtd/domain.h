/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domains and device attachment [VT-d 3, 9.1-9.6]. A domain is an I/O
 * address space: a second-level page table (or pass-through), given a
 * domain ID on each unit it is attached to. A device (source ID) on a
 * unit is in exactly one of three states: blocked (no context entry: all
 * its DMA faults), attached to a paging domain, or attached to a
 * pass-through domain.
 *
 * Locks: domain->lock, then unit->lock (see <vtd/vtd.h>).
 */
#pragma once

#include <hal/types.h>
#include <vtd/addr.h>
#include <vtd/dmar.h>
#include <vtd/vtd.h>

struct vtd_domain;

enum vtd_domain_type {
	VTD_DOMAIN_PAGING,	/* second-level translation */
	VTD_DOMAIN_PASSTHROUGH,	/* IOVA = host address (ECAP.PT) */
};

/* Permissions of a mapping. */
#define VTD_PROT_READ		(1U << 0)
#define VTD_PROT_WRITE		(1U << 1)

/**
 * vtd_domain_create() - Create an empty domain shaped for @u.
 * @u: a unit the domain will be attached to; its CAP/ECAP fix the
 *     table depth, large pages, snooping and cache-flush needs.
 * @type: paging or pass-through.
 * @aw: IOVA width in bits; 0 for the widest the unit supports. The depth
 *      is the smallest of 3, 4, 5 levels that CAP.SAGAW offers and covers
 *      @aw [VT-d 3.7, 11.4.2].
 * @out: receives the domain.
 *
 * Return: 0; -EINVAL; -EOPNOTSUPP when the unit cannot translate @aw
 * bits or (pass-through) lacks ECAP.PT; -ENOMEM.
 */
int vtd_domain_create(struct vtd_unit *u, enum vtd_domain_type type,
		      unsigned int aw, struct vtd_domain **out);

/**
 * vtd_domain_destroy() - Free a domain with no device attached.
 * Return: 0, or -EBUSY while devices are attached.
 */
int vtd_domain_destroy(struct vtd_domain *d);

/**
 * vtd_domain_map() - Map [@iova, @iova + @size) to host [@pa, ...).
 *
 * Uses the largest pages that fit. Under caching mode (CAP.CM) the new
 * translations are invalidated on every unit the domain is attached to
 * [VT-d 6.1].
 *
 * Return: 0; -EINVAL (unaligned, zero size, wrap, bad @prot, or a
 * pass-through domain); -ERANGE (beyond the domain's or host width);
 * -EBUSY (part of the range is mapped); -ENOMEM; -ETIMEDOUT/-EIO from
 * invalidation. On an argument or allocation error nothing changed.
 */
int vtd_domain_map(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t pa,
		   u64 size, u32 prot);

/**
 * vtd_domain_unmap() - Remove [@iova, @iova + @size) (holes allowed),
 * invalidate the IOTLB of every unit the domain is attached to (one
 * wait, at most two page-selective descriptors per unit), then free the
 * table pages that emptied.
 *
 * Return: 0; -EINVAL; -ERANGE; -EBUSY when the range overlaps a reserved
 * (RMRR) identity map; -ENOMEM when a large page must be split;
 * -ETIMEDOUT/-EIO from invalidation (the tables are already changed).
 */
int vtd_domain_unmap(struct vtd_domain *d, vtd_iova_t iova, u64 size);

/**
 * vtd_domain_lookup() - The host address and permissions of @iova.
 * Return: 0, -ENOENT when unmapped, -ERANGE beyond the width.
 */
int vtd_domain_lookup(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t *pa,
		      u32 *prot);

/** vtd_domain_device_count() - Devices attached to @d on all units. */
u32 vtd_domain_device_count(const struct vtd_domain *d);

struct vtd_attach_params {
	/* Scalable mode: the PASID that requests without PASID use. */
	u32 rid_pasid;
	/* Suppress fault recording for this device (FPD). */
	bool fault_disable;
	/*
	 * The parsed DMAR table, for RMRRs: each RMRR whose device scope
	 * names @sid is identity-mapped into a paging domain, and stays
	 * mapped across detach and reattach. NULL: none.
	 */
	const struct vtd_dmar *dmar;
	/*
	 * Resolves bridges on multi-hop scope paths (vtd_dmar_scope_sid());
	 * NULL: only single-hop scopes are matched.
	 */
	vtd_dmar_bus_fn bus_fn;
	void *bus_ctx;
	/*
	 * The device has ATS enabled (its PCIe ATS capability, which the
	 * caller programs): translated requests and its device TLB are
	 * allowed (legacy TT = 01, scalable DTE = 1), and every unmap and
	 * detach invalidates its TLB after the IOTLB [VT-d 6.5.2.5]. Needs
	 * ECAP.DT and queued invalidation. Ignored for pass-through.
	 */
	bool ats;
	/* ATS Invalidate Queue Depth from the device's ATS capability. */
	u8 ats_queue_depth;
	/* Source ID of the physical function (a VF's PF; else @sid). */
	u16 ats_pfsid;
};

/**
 * vtd_device_attach() - Make @sid's DMA on @u translate through @d.
 *
 * Legacy mode: a context entry with TT = SL (or PT) [VT-d 9.3]. Scalable
 * mode: a context entry with a PASID directory, and the RID_PASID entry
 * with PGTT = SL (or PT) [VT-d 9.4-9.6]. A device attached elsewhere is
 * detached first. Each change is followed by the invalidations of
 * [VT-d 6.5.3 Table 6-x] for its direction.
 *
 * Return: 0; -EINVAL (including a RID_PASID beyond the PASID directory
 * size the unit's ECAP.PSS gives); -EOPNOTSUPP (the domain's shape does not
 * fit @u, or ATS without ECAP.DT and queued invalidation); -ENOSPC (no
 * domain ID, or a ninth ATS device of the domain on @u); -ENOMEM; -EBUSY when a concurrent
 * attach of @sid to another domain won; -ETIMEDOUT/-EIO from
 * invalidation. On -EINVAL, -EOPNOTSUPP, -ENOSPC, -ENOMEM or -EBUSY the
 * device's attachment did not change (RMRR identity maps added to @d
 * stay, as they do across detach).
 */
int vtd_device_attach(struct vtd_unit *u, u16 sid, struct vtd_domain *d,
		      const struct vtd_attach_params *params);

/**
 * vtd_device_detach() - Block all DMA from @sid on @u: the context entry
 * is cleared and invalidated. Return: 0, -ENOENT when not attached,
 * -ETIMEDOUT/-EIO from invalidation: the device is then blocked but stays
 * counted on its domain, which keeps its domain ID and tables (the unit
 * may still cache them); call again to finish.
 */
int vtd_device_detach(struct vtd_unit *u, u16 sid);

/* ---- Software translation (debug; reused by virtual-IOMMU code) ------- */

struct vtd_translation {
	hal_paddr_t pa;		/* valid when fault_reason == 0 */
	u32 prot;		/* VTD_PROT_* granted */
	u64 page_size;
	u8 fault_reason;	/* 0, or the FR hardware would record */
	u8 levels;		/* second-level walk depth */
	u16 did;
};

/**
 * vtd_translate() - Walk @u's in-memory structures for a request from
 * @sid (with @pasid, or without one when @pasid is VTD_NO_PASID) at
 * @iova, needing @prot, as the hardware would [VT-d 3.4-3.7].
 *
 * Return: 0 with @out filled (fault_reason says whether it faults);
 * -EINVAL for bad arguments.
 */
#define VTD_NO_PASID	0xffffffffU
int vtd_translate(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		  u32 prot, struct vtd_translation *out);

/**
 * vtd_device_dump() - Log @sid's root entry, context entry, (scalable
 * mode) PASID directory and RID_PASID entry, and the walk of @iova.
 */
void vtd_device_dump(struct vtd_unit *u, u16 sid, vtd_iova_t iova);
