/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shadow first-level tables for guest PASIDs (private to vtd/hv/). A guest
 * binds a PASID to its own first-level table (guest-virtual to
 * guest-physical) [VT-d 3.6]. A unit with ECAP.NEST walks it over the VM's
 * second-level table [VT-d 3.8]; any other unit (and QEMU) is given a host
 * first-level table instead, the shadow, which maps guest-virtual
 * addresses straight to host-physical ones: the guest's table composed
 * with the VM's own map (guest-physical to host-physical). The guest
 * invalidates after every change of its table, as software must on a unit
 * with CAP.CM [VT-d 6.1]; the host passes each invalidation to
 * vtd_shadow_sync(), which rebuilds the shadow for that range from the
 * guest's table as it is then, and invalidates the unit's caches itself
 * (PASID-based IOTLB [VT-d 6.5.2.4]).
 *
 * The guest's table is hostile input (GUEST-SVA.md section 7, rule 4):
 * - every entry is read once (READ_ONCE into a local) and only that copy
 *   is used;
 * - the root, every table pointer and every leaf address is a GPA that
 *   goes through the VM's map (struct vtd_gmem); what is not the VM's RAM
 *   leaves that entry not present in the shadow, so DMA there faults, and
 *   is never accessed: a guest table is read only through
 *   hal_phys_to_virt() of the host page its GPA translates to;
 * - an entry with a reserved bit set [SDM 3A 4.5, Tables 4-15..4-20]: PS
 *   in a PML5E or PML4E, bits 20:13 of a 2-MiB or 29:13 of a 1-GiB leaf,
 *   or an address bit at or above the shadow's host address width (cfg
 *   haw, which also bounds the VM's guest-physical space), is not present;
 * - rights are those of [VT-d 3.6.1, SDM 3A 4.6]: R/W and U/S are the AND
 *   over the walk, XD the OR; the VM's map can only take rights away (the
 *   shadow leaf has write only when both the guest and the VM's map allow
 *   it). XD is honoured (set in the shadow) only when the shadow's config
 *   has nxe; otherwise every shadow leaf is executable and XD is ignored.
 *   The guest's PWT, PCD, PAT, G, A, D and ignored bits never reach the
 *   shadow: its leaves are written as the first-level engine writes them
 *   (pt_fl.h: P and A, R/W with D, U/S, XD);
 * - a guest large leaf becomes one shadow leaf only when the VM's map
 *   gives its whole range as one contiguous, equally permitted host range
 *   aligned to its size (and, for 1 GiB, the shadow allows 1-GiB leaves);
 *   otherwise it is split into 2-MiB or 4-KiB shadow leaves, each
 *   translated on its own.
 *
 * Bounds. The shadow's table pages (root included) never exceed the quota
 * given at init. Each sync call spends at most work_per_sync units: one
 * per entry of the range visited at each level (a guest entry read, a
 * piece of a guest large leaf, or a piece of a span the guest leaves
 * empty) and one per gm->translate() call; when they run out the call
 * commits what it did and returns -EAGAIN with the address to continue
 * from. The shadow's own tables cost no units, but are bounded by them: a
 * new table (512 entries to write) is made only for an entry that cost
 * one; the old tables a call drops are visited to count them for the
 * quota and again to detach them (a call refused with -EDQUOT has counted
 * them and drops nothing). Guest loops (a table
 * pointing at itself or at a higher level) are walked as the hardware
 * would, as a tree of fixed depth, so they cost work and table pages but
 * always end.
 *
 * Atomicity. A sync builds the new tables beside the live ones (every
 * table of the shadow whose span meets the synced range is replaced by a
 * new copy; the root, which the PASID entry names, is updated in place)
 * and commits them with stores that cannot fail; a call that fails
 * (-ENOMEM, -EDQUOT, -EINVAL, -ERANGE) leaves the shadow exactly as it was
 * and frees everything it allocated. The replaced tables go to the
 * caller's gather (struct vtd_fl_gather, as for vtd_fl_pt_unmap()), to be
 * freed with vtd_fl_pt_gather_release() once the unit's caches are
 * invalidated for the gather's range (vtd_fl_pt_gather_psi(); the
 * invalidation hint only when nonleaf is false). Between a sync and that
 * invalidation the unit may use old or new translations: both name only
 * pages the VM's map gave it.
 *
 * Memory: besides its live tables (at most the quota) a sync call holds
 * one scratch page and the new tables it builds (at most the quota), and
 * the tables it replaced stay allocated in the gather until released.
 *
 * Limits. The guest never sees the accessed and dirty bits a unit would
 * set in its own entries (the shadow's leaves have A, and D when
 * writable, pre-set as pt_fl.h writes them). Guest 1-GiB leaves are taken
 * whatever the virtual unit advertises, and guest XD whatever the guest's
 * NXE. A small sync still replaces every shadow table on its path (one
 * per level below the root) and reports them as non-leaf changes (no
 * invalidation hint). A new guest root needs a new shadow.
 *
 * Context for every function: the caller serialises all calls on one
 * struct vtd_shadow, and keeps the VM's map unchanged during a sync (when
 * the map loses a page, the caller syncs or clears every shadow of the
 * VM). None of them sleeps; they may spin on the HAL page allocator.
 */
#pragma once

#include <hal/types.h>
#include <vtd/addr.h>
#include <vtd/pt_fl.h>

/* A VM's memory as the shadow sees it: GPA -> HPA through the VM's map. */
struct vtd_gmem {
	/*
	 * Translate the 4-KiB aligned guest-physical @gpa.
	 *
	 * Return 0 when the page of @gpa is the VM's RAM, with *@hpa its
	 * host-physical address (4-KiB aligned, readable through
	 * hal_phys_to_virt()), *@prot the VTD_PROT_READ/WRITE the VM's map
	 * grants, and *@len the bytes from @gpa on that the map translates
	 * to [*hpa, *hpa + *len) contiguously with the same *@prot (4 KiB
	 * when it cannot tell more). Return -EFAULT otherwise (not RAM, not
	 * mapped, MMIO, another VM's), with *@len the bytes from @gpa on that
	 * are not RAM either (4 KiB when it cannot tell more).
	 *
	 * Host code: trusted to tell the truth, but a result the shadow
	 * cannot use (an unaligned or too wide *hpa, *prot without READ) is
	 * taken as -EFAULT, and *len is rounded down to whole pages (at least
	 * one).
	 */
	int (*translate)(void *ctx, u64 gpa, hal_paddr_t *hpa, u32 *prot,
			 u64 *len);
	void *ctx;
};

/* What the shadow did, for the caller's accounting and rate limits. */
struct vtd_shadow_stats {
	u64 syncs;		/* calls that committed (0 or -EAGAIN) */
	u64 partial;		/* of those, cut by the work limit (-EAGAIN) */
	u64 refused;		/* calls that failed, nothing changed */
	u64 work;		/* units spent */
	u64 entries_read;	/* guest entries read */
	u64 translations;	/* gm->translate() calls */
	u64 not_ram;		/* GPAs refused by the VM's map */
	u64 invalid;		/* guest entries with a reserved bit set */
};

/* A shadow table. Fields are read-only to callers. */
struct vtd_shadow {
	/* The host table a PASID entry points at (vtd_pasid_attach_fl()). */
	struct vtd_fl_pt fl;
	/* Private. */
	struct vtd_gmem gm;
	u64 groot;		/* guest-physical root (the guest's FLPTPTR) */
	u64 max_table_pages;	/* quota, root included */
	u64 work_per_sync;
	struct vtd_shadow_stats stats;
};

/* Size meaning "from va to the end of the input space" (vtd_shadow_sync()). */
#define VTD_SHADOW_ALL		(~0ULL)

/*
 * The smallest work_per_sync: enough for the first page of any range
 * (2 x 5 levels + 1 units) and a little more, so every call progresses.
 */
#define VTD_SHADOW_WORK_MIN	64

/**
 * vtd_shadow_init() - An empty shadow for the guest table at @groot.
 * @s:               the shadow to initialise.
 * @gm:              the VM's map (copied; @gm->ctx must outlive @s).
 * @groot:           the guest's first-level root, guest-physical (taken
 *                   from the guest's bind or virtual PASID entry).
 * @levels:          the guest's paging depth, 4 or 5; must equal
 *                   @cfg->levels.
 * @cfg:             the host table's configuration (vtd_fl_pt_init()):
 *                   haw bounds host and guest-physical addresses alike;
 *                   nxe makes guest XD count; user makes every leaf
 *                   user-accessible; large_pages allows 1-GiB leaves.
 * @max_table_pages: quota of the shadow's table pages, root included.
 * @work_per_sync:   work units one vtd_shadow_sync() call may spend, at
 *                   least VTD_SHADOW_WORK_MIN.
 *
 * The shadow maps nothing until the first vtd_shadow_sync() (typically of
 * everything, at bind time). @groot is not translated here: the VM's map
 * is consulted at each sync.
 *
 * Return: 0; -EINVAL for a NULL argument or callback, @levels other than
 * 4 or 5 or not @cfg->levels, a bad @cfg, a @max_table_pages of 0, a
 * @work_per_sync below the minimum, or an unaligned @groot or one at or
 * above 2^haw; -ENOMEM when the root cannot be allocated.
 * Context: see the file comment.
 */
int vtd_shadow_init(struct vtd_shadow *s, const struct vtd_gmem *gm,
		    vtd_gpa_t groot, unsigned int levels,
		    const struct vtd_fl_pt_config *cfg, u64 max_table_pages,
		    u64 work_per_sync);

/**
 * vtd_shadow_sync() - Make the shadow of [@va, @va + @size) the guest's
 * table, as it is now, composed with the VM's map.
 * @va:   canonical guest-virtual address, 4-KiB aligned.
 * @size: a multiple of 4 KiB, the range in one half of the canonical
 *        space; or VTD_SHADOW_ALL: from @va to the end of the input space
 *        (both halves from 0, the non-canonical hole skipped).
 * @g:    receives the range to invalidate and the replaced tables; empty,
 *        or filled from a table of the same depth.
 * @next: on -EAGAIN, the first address not synced (may be NULL).
 *
 * Nothing outside the range (widened to whole old shadow leaves at its
 * ends, which are split with the same translation) changes. After the
 * call the caller invalidates @g's range for every PASID using
 * @s->fl, then releases @g.
 *
 * Return: 0 when the whole range is synced; -EAGAIN when the call's work
 * ran out: [@va, *@next) is synced and committed (and in @g), the rest
 * untouched: call again from *@next (with the size left, or
 * VTD_SHADOW_ALL); -EINVAL for a NULL or mismatched @g, an unaligned @va,
 * a @size of 0, unaligned, or wrapping; -ERANGE for a non-canonical @va
 * or a range crossing the non-canonical hole; -ENOMEM when a page cannot
 * be allocated; -EDQUOT when the shadow would need more table pages than
 * its quota. On every error nothing changed (what earlier calls of a
 * continued range committed stays) and @g is untouched.
 * Context: see the file comment.
 */
int vtd_shadow_sync(struct vtd_shadow *s, vtd_iova_t va, u64 size,
		    struct vtd_fl_gather *g, vtd_iova_t *next);

/**
 * vtd_shadow_clear() - Remove every translation from the shadow; cannot
 * fail for want of memory (a way out after -ENOMEM or -EDQUOT when the
 * stale range must not stay, or when the VM's map lost pages).
 * @g: as for vtd_shadow_sync().
 *
 * Return: 0; -EINVAL for a NULL or mismatched @g.
 * Context: see the file comment.
 */
int vtd_shadow_clear(struct vtd_shadow *s, struct vtd_fl_gather *g);

/**
 * vtd_shadow_destroy() - Free the shadow's tables.
 *
 * @pre No PASID entry names @s->fl any more, its translations are
 * invalidated, and every gather filled from @s is released.
 * Context: see the file comment.
 */
void vtd_shadow_destroy(struct vtd_shadow *s);
