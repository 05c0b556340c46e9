/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domains and device attachment [VT-d 3, 9.1-9.6]. A domain is an I/O
 * address space: a second-level page table (or pass-through), given a
 * domain ID on each unit it is attached to. A device (source ID) on a
 * unit is in exactly one of three states: blocked (no context entry: all
 * its DMA faults), attached to a paging domain, or attached to a
 * pass-through domain. In scalable mode an attached device's other PASIDs
 * can each be given their own translation (vtd_pasid_attach()).
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
 * Return: each code has one cause:
 *  0          attached (or already attached so);
 *  -EINVAL    bad arguments, including a RID_PASID beyond the PASID
 *             directory size the unit's ECAP.PSS gives and an RMRR of
 *             @params->dmar that is not page-aligned;
 *  -EOPNOTSUPP the domain's shape does not fit @u, or ATS without ECAP.DT
 *             and queued invalidation;
 *  -ENOSPC    no domain ID left on @u, a ninth ATS device of the domain
 *             on @u, or more RMRRs than a domain holds;
 *  -ENOMEM    an allocation failed;
 *  -ERANGE    an RMRR of @sid lies beyond @d's address width;
 *  -EEXIST    @d already maps part of an RMRR of @sid (vtd_domain_map()
 *             or another RMRR), so its identity map cannot be made;
 *  -EBUSY     @sid is attached with PASIDs other than RID_PASID in use
 *             (vtd_pasid_detach() them first);
 *  -EAGAIN    a concurrent attach of @sid to another domain won the race
 *             (@sid is now there; calling again moves it);
 *  -ETIMEDOUT/-EIO from invalidation.
 * On every code but -ETIMEDOUT and -EIO the device's attachment did not
 * change (RMRR identity maps added to @d stay, as they do across detach).
 */
int vtd_device_attach(struct vtd_unit *u, u16 sid, struct vtd_domain *d,
		      const struct vtd_attach_params *params);

/**
 * vtd_device_detach() - Block all DMA from @sid on @u: the context entry
 * is cleared and invalidated. Return: 0, -ENOENT when not attached,
 * -EBUSY while PASIDs other than RID_PASID are attached (vtd_pasid_detach()
 * them first),
 * -ETIMEDOUT/-EIO from invalidation: the device is then blocked but stays
 * counted on its domain, which keeps its domain ID and tables (the unit
 * may still cache them); call again to finish.
 */
int vtd_device_detach(struct vtd_unit *u, u16 sid);

/* ---- PASIDs other than RID_PASID (scalable mode) ----------------------- */

struct vtd_fl_pt;

/* What a PASID translates through [VT-d 9.6: PGTT]. */
enum vtd_pasid_type {
	VTD_PASID_SL = 1,	/* PGTT=010: @domain's second-level table */
	VTD_PASID_FL,		/* PGTT=001: @fl, tagged with @domain's ID */
	VTD_PASID_NESTED,	/* PGTT=011: guest FL @fl_gpa over @domain */
	VTD_PASID_PT,		/* PGTT=100: @domain is pass-through */
};

struct vtd_pasid_attach_params {
	enum vtd_pasid_type type;
	/*
	 * SL: a paging domain; PT: a pass-through domain; nested: the
	 * paging domain translating guest-physical addresses. FL: any
	 * domain, whose domain ID on the unit tags the PASID's IOTLB
	 * entries (invalidate the FL table's changes with that DID). The
	 * attachment counts as a device of the domain until detached.
	 */
	struct vtd_domain *domain;
	/* FL: the first-level table (FSPTPTR, FSPM from vtd_fl_pt_fspm()). */
	const struct vtd_fl_pt *fl;
	/* Nested: the guest's first-level table, a guest-physical address. */
	vtd_gpa_t fl_gpa;
	/* Nested: the guest's paging levels, 4 or 5 (needs CAP.FS5LP). */
	unsigned int fl_levels;
	/* Nested: the guest may use 1-GiB leaves (needs CAP.FS1GP). */
	bool fl_1g;
	/* FL/nested: supervisor requests allowed (SRE; needs ECAP.SRS). */
	bool sre;
	/* FL/nested: supervisor writes honour R/W (WPE). */
	bool wpe;
	/* Suppress fault recording for this PASID (FPD). */
	bool fault_disable;
};

/**
 * vtd_pasid_attach() - Make requests from @sid with @pasid translate as
 * @p says, through a PASID entry of @sid's PASID directory [VT-d 9.5,
 * 9.6]. @sid must be attached (vtd_device_attach()) on a scalable-mode
 * unit; @pasid must differ from its RID_PASID.
 *
 * The PASID table holding the entry is allocated when the first PASID
 * of its 64 is attached, and freed when the last one is detached. The
 * context entry's PASIDE is set with the first PASID [VT-d 9.4] (and
 * stays set until the device is detached). After the entry turns
 * present: a device-selective context-cache invalidation if PASIDE was
 * set, and under caching mode the PASID cache for (DID, @pasid) and the
 * IOTLB (PASID-based for FL and PT, domain-selective for SL and nested)
 * [VT-d 6.5.3.3]; without caching mode only the write buffer (CAP.RWBF).
 *
 * Return: 0; -EINVAL (bad arguments, @pasid beyond ECAP.PSS or the
 * device's directory, @pasid is the RID_PASID, a domain of the wrong
 * type, an unaligned @fl_gpa); -ENOENT when @sid is not attached;
 * -EOPNOTSUPP (legacy mode, no ECAP.PASID, no queued invalidation, FL
 * without ECAP.FSTS, nested without ECAP.NEST, 5-level without CAP.FS5LP,
 * 1-GiB leaves without CAP.FS1GP, SRE without ECAP.SRS, a domain whose
 * shape the unit cannot walk, a coherent-only FL table on a unit with
 * ECAP.C = 0); -EBUSY when @pasid is attached; -ENOSPC (no domain ID);
 * -ENOMEM; -ETIMEDOUT/-EIO from invalidation (the PASID is then
 * attached: detach to undo). On every other error nothing changed.
 * Context: takes @p->domain->lock, then @u->ctx_lock; spins on the
 * invalidation queue.
 */
int vtd_pasid_attach(struct vtd_unit *u, u16 sid, u32 pasid,
		     const struct vtd_pasid_attach_params *p);

/**
 * vtd_pasid_detach() - Block requests from @sid with @pasid: the PASID
 * entry turns not-present, then the PASID cache for (DID, @pasid), the
 * IOTLB (PASID-based for FL and PT, domain-selective for SL and nested)
 * and, when the device has ATS, its TLB for @pasid are invalidated
 * [VT-d 6.5.3.3]; only then is an emptied PASID table freed and the
 * domain's reference dropped.
 *
 * Return: 0; -EINVAL; -ENOENT when @pasid is not attached;
 * -ETIMEDOUT/-EIO from invalidation: the entry is then not present but
 * the PASID stays counted; call again to finish.
 */
int vtd_pasid_detach(struct vtd_unit *u, u16 sid, u32 pasid);

/**
 * vtd_pasid_flush() - Invalidate @sid's translations for @pasid in
 * [@iova, @iova + @size) after its first-level table changed: the caller
 * edited the table of a first-level PASID (vtd_fl_pt_unmap() and friends),
 * or a guest edited the first-level table of a nested one. At most two
 * page-selective PASID-based IOTLB invalidations (one PASID-selective
 * when a mask would exceed CAP.MAMV), then, when the device has ATS, its
 * TLB for the PASID, all behind one wait [VT-d 6.5.2.4, 6.5.2.6].
 * @leaf_only sets the invalidation hint (no table was freed or linked).
 * Second-level PASIDs are flushed by vtd_domain_unmap(); pass-through
 * ones have nothing to flush.
 *
 * Return: 0; -EINVAL (bad range, or a PASID of another type); -ENOENT
 * when @pasid is not attached; -ETIMEDOUT/-EIO from invalidation.
 */
int vtd_pasid_flush(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		    u64 size, bool leaf_only);

/* ---- Software translation (debug; reused by virtual-IOMMU code) ------- */

struct vtd_translation {
	hal_paddr_t pa;		/* valid when fault_reason == 0 */
	u32 prot;		/* VTD_PROT_* granted */
	u64 page_size;
	u8 fault_reason;	/* 0, or the FR hardware would record */
	u8 levels;		/* walk depth (first-level for PGTT 1/3) */
	u16 did;
};

/**
 * vtd_translate() - Walk @u's in-memory structures for a request from
 * @sid (with @pasid, or without one when @pasid is VTD_NO_PASID) at
 * @iova, needing @prot, as the hardware would [VT-d 3.4-3.8]. @prot may
 * add VTD_TRANSLATE_PRIV for a supervisor request (a PASID prefix with
 * PR = 1); requests are user requests otherwise. PASID entries with
 * PGTT = 001 and 011 walk first-level tables (nested: every table pointer
 * and the output translated through the second level).
 *
 * Return: 0 with @out filled (fault_reason says whether it faults);
 * -EINVAL for bad arguments.
 */
#define VTD_NO_PASID	0xffffffffU
#define VTD_TRANSLATE_PRIV	(1U << 2)
int vtd_translate(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		  u32 prot, struct vtd_translation *out);

/**
 * vtd_device_dump() - Log @sid's root entry, context entry, (scalable
 * mode) PASID directory and RID_PASID entry, and the walk of @iova.
 */
void vtd_device_dump(struct vtd_unit *u, u16 sid, vtd_iova_t iova);
