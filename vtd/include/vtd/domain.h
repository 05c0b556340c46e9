/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domains and device attachment [VT-d 3, 9.1-9.6]. A domain is an I/O
 * address space: a second-level page table, a first-level page table
 * (scalable mode) or pass-through, given a domain ID on each unit it is
 * attached to. A device (source ID) on a
 * unit is in exactly one of three states: blocked (no context entry: all
 * its DMA faults), attached to a paging domain, or attached to a
 * pass-through domain. In scalable mode an attached device's other PASIDs
 * can each be given their own translation (vtd_pasid_attach()).
 *
 * Locks: in the order <vtd/vtd.h> gives.
 */
#pragma once

#include <hal/types.h>
#include <vtd/addr.h>
#include <vtd/dmar.h>
#include <vtd/hw/qi.h>
#include <vtd/prot.h>
#include <vtd/vtd.h>

struct vtd_domain;

enum vtd_domain_type {
	VTD_DOMAIN_PAGING,	/* second-level translation */
	VTD_DOMAIN_PASSTHROUGH,	/* IOVA = host address (ECAP.PT) */
	/*
	 * First-level translation (IA-32e format, scalable mode, ECAP.FLTS):
	 * attached devices' RID_PASID entries get PGTT = 001 [VT-d 9.6],
	 * and the domain's IOTLB entries are tagged with (DID, RID_PASID)
	 * and invalidated by PASID-based descriptors [VT-d 6.5.2.4], which
	 * need queued invalidation. Leaves are user pages (requests without
	 * PASID are user requests [VT-d 3.6.1]) and never executable. The
	 * devices of one such domain on one unit share one RID_PASID.
	 */
	VTD_DOMAIN_PAGING_FL,
};

/**
 * vtd_unit_paging_type() - The paging domain type @u translates with:
 * VTD_DOMAIN_PAGING when it offers second-level translation (legacy
 * mode, or ECAP.SLTS in scalable mode), else VTD_DOMAIN_PAGING_FL when it
 * offers first-level translation (ECAP.FLTS) and queued invalidation.
 *
 * Return: the type, or -EOPNOTSUPP when @u translates neither way.
 */
int vtd_unit_paging_type(const struct vtd_unit *u);


/**
 * vtd_domain_create() - Create an empty domain shaped for @u.
 * @u: a unit the domain will be attached to; its CAP/ECAP fix the
 *     table depth, large pages, snooping and cache-flush needs.
 * @type: paging or pass-through.
 * @aw: IOVA width in bits; 0 for the widest the unit supports. The depth
 *      is the smallest of 3, 4, 5 levels that CAP.SAGAW offers and covers
 *      @aw [VT-d 3.7, 11.4.2]. First-level: 4 levels cover @aw up to 47
 *      (0 means 47), 5 levels (CAP.FL5LP) up to 56; IOVAs are the lower
 *      canonical half [VT-d 3.6].
 * @out: receives the domain.
 *
 * Return: 0; -EINVAL; -EOPNOTSUPP when the unit cannot translate @aw
 * bits, (pass-through) lacks ECAP.PT, or (first-level) is not in scalable
 * mode with ECAP.FLTS and queued invalidation; -ENOMEM.
 */
int vtd_domain_create(struct vtd_unit *u, enum vtd_domain_type type,
		      unsigned int aw, struct vtd_domain **out);

struct vtd_fl_pt;

/**
 * vtd_domain_create_fl_table() - A first-level domain over @fl, a table
 * the caller owns and edits itself (vtd_fl_pt_*; a shadow of a guest's
 * table, say): devices attached to it translate their requests without
 * PASID through @fl. vtd_domain_map() and vtd_domain_unmap() refuse it
 * (-EINVAL); after changing @fl, the caller invalidates with
 * vtd_pasid_flush() on each attached device's RID_PASID, and frees @fl
 * only after the domain is destroyed. @fl's shape must suit the units it
 * is attached to (-EOPNOTSUPP at attach otherwise).
 *
 * Return: 0; -EINVAL; -EOPNOTSUPP (@u has no first-level translation);
 * -ENOMEM.
 */
int vtd_domain_create_fl_table(struct vtd_unit *u, struct vtd_fl_pt *fl,
			       struct vtd_domain **out);

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

/** vtd_domain_did() - @d's domain ID on @u, or -ENOENT (-EINVAL). */
int vtd_domain_did(struct vtd_domain *d, const struct vtd_unit *u);

struct vtd_attach_params {
	/* Scalable mode: the PASID that requests without PASID use. */
	u32 rid_pasid;
	/* Suppress fault recording for this device (FPD). */
	bool fault_disable;
};

/**
 * vtd_device_attach() - Make @sid's DMA on @u translate through @d.
 *
 * Legacy mode: a context entry with TT = SL (or PT) [VT-d 9.3]. Scalable
 * mode: a context entry with a PASID directory, and the RID_PASID entry
 * with PGTT = SL, FL (first-level domains) or PT [VT-d 9.4-9.6]. A device
 * attached elsewhere is detached first. Each change is followed by the
 * invalidations of [VT-d 6.5.3] for its direction. The device TLB is used
 * as vtd_device_set_ats() last said; RMRR identity maps are made apart
 * (vtd_rmrr_map()), before the attach. Attaching again to the same domain
 * with the same parameters and ATS setting changes nothing.
 *
 * Return: each code has one cause:
 *  0          attached (or already attached so);
 *  -EINVAL    bad arguments, including a RID_PASID beyond the PASID
 *             directory size the unit's ECAP.PSS gives, and, for a
 *             first-level domain, a RID_PASID other than that of its
 *             other devices on @u;
 *  -EOPNOTSUPP the domain's shape or format does not fit @u;
 *  -ENOSPC    no domain ID left on @u;
 *  -ENOMEM    an allocation failed;
 *  -EBUSY     @sid is attached with PASIDs other than RID_PASID in use
 *             (vtd_pasid_detach() them first);
 *  -EAGAIN    a concurrent attach of @sid to another domain won the race
 *             (@sid is now there; calling again moves it);
 *  -ETIMEDOUT/-EIO from invalidation.
 * On every code but -ETIMEDOUT and -EIO the device's attachment did not
 * change.
 * Context: takes @d->lock, then @u->ctx_lock; spins on invalidation.
 */
int vtd_device_attach(struct vtd_unit *u, u16 sid, struct vtd_domain *d,
		      const struct vtd_attach_params *params);

/**
 * vtd_device_detach() - Block all DMA from @sid on @u: the context entry
 * is cleared and invalidated. Return: 0, -ENOENT when not attached,
 * -EBUSY while PASIDs other than RID_PASID are attached (vtd_pasid_detach()
 * them first), -ETIMEDOUT/-EIO from invalidation: the device is then
 * blocked but stays counted on its domain, which keeps its domain ID and
 * tables (the unit may still cache them); call again to finish.
 */
int vtd_device_detach(struct vtd_unit *u, u16 sid);

/* ATS parameters of a device, from its PCIe ATS capability. */
struct vtd_ats_params {
	u8 queue_depth;		/* Invalidate Queue Depth */
	u16 pfsid;		/* source ID of the physical function (a VF's PF) */
};

/**
 * vtd_device_set_ats() - Say whether @sid on @u has ATS enabled (its PCIe
 * ATS capability, which the caller programs): with @ats, the next
 * vtd_device_attach() to a paging domain allows translated requests and
 * the device TLB (legacy TT = 01, scalable DTE = 1), and every unmap and
 * detach then invalidates the device TLB after the IOTLB [VT-d 6.5.2.5];
 * NULL turns it off at the next attach. A device already attached keeps
 * its setting until it is attached again.
 *
 * Return: 0; -EINVAL; -EOPNOTSUPP (@ats without ECAP.DT and queued
 * invalidation); -ENOMEM.
 */
int vtd_device_set_ats(struct vtd_unit *u, u16 sid,
		       const struct vtd_ats_params *ats);

/**
 * vtd_rmrr_map() - Identity-map into @d every RMRR of @dmar whose device
 * scope names @sid on @u's segment [VT-d 8.4], once per region: they stay
 * mapped while @d lives, and vtd_domain_unmap() refuses them (-EBUSY).
 * Call before attaching @sid to @d. @bus_fn resolves bridges on
 * multi-hop scope paths (vtd_dmar_scope_sid()); NULL matches single-hop
 * scopes only. Nothing for pass-through domains.
 *
 * Return: 0; -EINVAL (bad arguments, or an RMRR that is not page-aligned);
 * -ERANGE (an RMRR beyond @d's address width); -EEXIST (@d already maps
 * part of an RMRR of @sid, through vtd_domain_map() or another RMRR, so
 * its identity map cannot be made); -ENOMEM. On error the RMRRs mapped
 * before the failing one stay mapped and recorded.
 */
int vtd_rmrr_map(struct vtd_domain *d, const struct vtd_unit *u, u16 sid,
		 const struct vtd_dmar *dmar, vtd_dmar_bus_fn bus_fn,
		 void *bus_ctx);

/* ---- PASIDs other than RID_PASID (scalable mode) ----------------------- */

struct vtd_fl_pt;

/* Flags of the vtd_pasid_attach_*() calls [VT-d 9.6]. */
#define VTD_PASID_FPD		(1U << 0)	/* no fault recording */
#define VTD_PASID_SRE		(1U << 1)	/* FL, nested: supervisor requests (ECAP.SRS) */
#define VTD_PASID_WPE		(1U << 2)	/* FL, nested: supervisor writes honour R/W */
#define VTD_PASID_FL_1G		(1U << 3)	/* nested: the guest may use 1-GiB leaves (CAP.FL1GP) */

/*
 * The vtd_pasid_attach_*() calls make requests from @sid with @pasid
 * translate through a PASID entry of @sid's PASID directory [VT-d 9.5,
 * 9.6], each for one translation type. @sid must be attached
 * (vtd_device_attach()) on a scalable-mode unit; @pasid must differ from
 * its RID_PASID. The entry is tagged with the domain's ID on @u, and
 * counts as a device of the domain until detached.
 *
 * The PASID table holding the entry is allocated when the first PASID of
 * its 64 is attached, and freed when the last one is detached. The
 * context entry's PASIDE is set with the first PASID [VT-d 9.4] (and
 * stays set until the device is detached). After the entry turns
 * present: a device-selective context-cache invalidation if PASIDE was
 * set, and under caching mode the PASID cache for (DID, @pasid) and the
 * IOTLB (PASID-based for FL and PT, domain-selective for SL and nested)
 * [VT-d 6.5.3.3]; without caching mode only the write buffer (CAP.RWBF).
 *
 * Return: 0; -EINVAL (bad arguments or flags, @pasid beyond ECAP.PSS or
 * the device's directory, @pasid is the RID_PASID, a domain of the wrong
 * type, an unaligned guest table); -ENOENT when @sid is not attached;
 * -EOPNOTSUPP (legacy mode, no ECAP.PASID, no queued invalidation, FL
 * without ECAP.FLTS, nested without ECAP.NEST, 5-level without CAP.FL5LP,
 * 1-GiB leaves without CAP.FL1GP, SRE without ECAP.SRS, a domain whose
 * shape the unit cannot walk, a coherent-only FL table on a unit with
 * ECAP.C = 0); -EBUSY when @pasid is attached; -ENOSPC (no domain ID);
 * -ENOMEM; -ETIMEDOUT/-EIO from invalidation (the PASID is then
 * attached: detach to undo). On every other error nothing changed.
 * Context: take the domain's lock, then @u->ctx_lock; spin on the
 * invalidation queue.
 */

/** vtd_pasid_attach_sl() - PGTT=010: @d's second-level table. */
int vtd_pasid_attach_sl(struct vtd_unit *u, u16 sid, u32 pasid,
			struct vtd_domain *d, u32 flags);

/** vtd_pasid_attach_pt() - PGTT=100: @d is a pass-through domain. */
int vtd_pasid_attach_pt(struct vtd_unit *u, u16 sid, u32 pasid,
			struct vtd_domain *d, u32 flags);

/**
 * vtd_pasid_attach_fl() - PGTT=001: the first-level table @fl (FLPTPTR,
 * FLPM from vtd_fl_pt_flpm()), tagged with @tag's domain ID (any domain;
 * invalidate the table's changes with vtd_pasid_flush()).
 */
int vtd_pasid_attach_fl(struct vtd_unit *u, u16 sid, u32 pasid,
			struct vtd_domain *tag, const struct vtd_fl_pt *fl,
			u32 flags);

/**
 * vtd_pasid_attach_nested() - PGTT=011: the guest's first-level table at
 * guest-physical @fl_gpa (@fl_levels 4 or 5), over the paging domain @d
 * that translates guest-physical addresses [VT-d 3.8].
 */
int vtd_pasid_attach_nested(struct vtd_unit *u, u16 sid, u32 pasid,
			    struct vtd_domain *d, vtd_gpa_t fl_gpa,
			    unsigned int fl_levels, u32 flags);

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
 * or a guest edited the first-level table of a nested one. @pasid may be
 * the RID_PASID of a device attached to a VTD_DOMAIN_PAGING_FL domain
 * (vtd_domain_unmap() does this itself). At most two
 * page-selective PASID-based IOTLB invalidations (one PASID-selective
 * when a mask would exceed CAP.MAMV), then, when the device has ATS, its
 * TLB for the PASID, all behind one wait [VT-d 6.5.2.4, 6.5.2.6].
 * @leaf_only sets the invalidation hint (no table was freed or linked).
 * Second-level PASIDs are flushed by vtd_domain_unmap(); pass-through
 * ones have nothing to flush.
 *
 * Return: 0; -EINVAL (bad range, or a PASID of another type, such as the
 * RID_PASID of a second-level domain); -ENOENT when @pasid is not
 * attached; -ETIMEDOUT/-EIO from invalidation.
 */
int vtd_pasid_flush(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		    u64 size, bool leaf_only);

/*
 * A batch of PASID-based invalidations on one unit, carried out behind one
 * wait by vtd_flush_batch_submit() (a batch that fills up is submitted on
 * the way: one more wait). Caller-owned; the descriptors are the hardware
 * format of <vtd/hw/qi.h>.
 */
#define VTD_FLUSH_BATCH_MAX	32
struct vtd_flush_batch {
	struct vtd_unit *u;
	u32 n;				/* descriptors gathered */
	u32 waits;			/* submissions made */
	struct vtd_qi_desc d[VTD_FLUSH_BATCH_MAX];
};

/* What vtd_pasid_flush_add() invalidates. */
#define VTD_FLUSH_IOTLB		(1U << 0)	/* PASID-based IOTLB (and the device TLB with ATS) */
#define VTD_FLUSH_DEVTLB	(1U << 1)	/* the device TLB (with ATS) */

/** vtd_flush_batch_init() - An empty batch for @u. */
void vtd_flush_batch_init(struct vtd_flush_batch *b, struct vtd_unit *u);

/**
 * vtd_pasid_flush_add() - Add to @b what vtd_pasid_flush() would submit
 * for @sid's @pasid and [@iova, @iova + @size), for the caches @what
 * names; nothing is invalidated before vtd_flush_batch_submit().
 * Return: 0; the errors of vtd_pasid_flush() before it submits; an
 * error of an early submission of a full batch.
 */
int vtd_pasid_flush_add(struct vtd_flush_batch *b, u16 sid, u32 pasid,
			vtd_iova_t iova, u64 size, bool leaf_only, u32 what);

/**
 * vtd_flush_batch_submit() - Submit what @b gathered, behind one wait.
 * Return: 0 (also when empty), -ETIMEDOUT/-EIO from the queue.
 */
int vtd_flush_batch_submit(struct vtd_flush_batch *b);

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
#define VTD_TRANSLATE_PRIV	(1U << 8)	/* beside the VTD_PROT_* bits */
int vtd_translate(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		  u32 prot, struct vtd_translation *out);

/**
 * vtd_device_dump() - Log @sid's root entry, context entry, (scalable
 * mode) PASID directory and RID_PASID entry, and the walk of @iova.
 */
void vtd_device_dump(struct vtd_unit *u, u16 sid, vtd_iova_t iova);
