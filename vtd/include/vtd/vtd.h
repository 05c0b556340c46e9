/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libvtd public API: DMA-remapping units, invalidation and faults.
 *
 * Objects are created by the library and owned by the caller: a
 * struct vtd_unit per DRHD, made from a parsed DMAR table (<vtd/dmar.h>).
 * Nothing is global; each unit is independent.
 *
 * Lock order (take left before right; never the reverse):
 *
 *     domain->lock -> unit->ctx_lock -> unit->lock -> unit->qi.lock
 *     unit's IR lock (<vtd/ir.h>) -> unit->lock -> unit->qi.lock
 *
 * unit->ctx_lock guards the root, context and PASID tables, the device
 * slots and the domain-ID space; unit->lock guards the unit's registers
 * other than the invalidation queue;
 * unit->qi.lock guards the invalidation queue and its registers. Fault
 * handling takes unit->fault_lock only and may run in interrupt context.
 */
#pragma once

#include <hal/types.h>
#include <vtd/addr.h>
#include <vtd/dmar.h>
#include <vtd/fault_reason.h>

struct vtd_unit;

/* An MSI as the unit sends it: address (with upper half) and data. */
struct vtd_msi {
	u32 addr;
	u32 addr_hi;
	u32 data;
};

/* One decoded primary fault record [VT-d 7.2.1, 11.4.7.6]. */
struct vtd_fault {
	u64 addr;		/* faulting page (FI), 4 KiB aligned */
	u16 sid;		/* requester: bus << 8 | dev << 3 | fn */
	u8 reason;		/* enum vtd_fault_reason */
	bool write;		/* write request (T1 = 0) */
	bool pasid_present;	/* PP: pasid is valid */
	u32 pasid;
	bool exe;		/* execute requested */
	bool priv;		/* privileged (supervisor) request */
	u8 at;			/* address type */
	u32 index;		/* fault recording register index */
	bool ir;		/* an interrupt-remapping fault (0x20-0x27) */
	u16 irte_index;		/* ir: the request's interrupt index */
};

/*
 * Fault callback: called once per fault record, from vtd_fault_handle(),
 * with unit->fault_lock held. Must not call back into the same unit's
 * fault handling.
 */
typedef void (*vtd_fault_fn)(void *ctx, struct vtd_unit *u,
			     const struct vtd_fault *f);

struct vtd_unit_params {
	/* Run in legacy mode even when ECAP.SMTS is set. */
	bool force_legacy;
	/* Fault event MSI; NULL leaves the fault event masked (poll). */
	const struct vtd_msi *fault_msi;
	/* Invalidation completion MSI; NULL leaves it masked. */
	const struct vtd_msi *inv_msi;
	vtd_fault_fn fault_fn;
	void *fault_ctx;
	/* Invalidation queue size: 2^qi_order pages (0..7). */
	unsigned int qi_order;
	/* Errata of this unit the library works around (VTD_QUIRK_*). */
	u32 quirks;
};

/*
 * Unit errata the integrator names (they cannot be read from the
 * registers; Linux keys them on the CPU model).
 *
 * VTD_QUIRK_SPR17_NESTED_AD: Sapphire Rapids erratum 772415 ("SPR17"):
 * in nested translation with PWSNP, the unit may set A/D bits in
 * first-level entries whose page the second level maps read-only
 * [GUEST-SVA 8]. The guest layer then nests only for VMs whose map keeps
 * all RAM writable (vtd_vm_params.ram_writable) and shadows the others'
 * binds, whose host first-level tables the unit may write.
 */
#define VTD_QUIRK_SPR17_NESTED_AD	(1U << 0)
#define VTD_QUIRKS_ALL			VTD_QUIRK_SPR17_NESTED_AD

/**
 * vtd_unit_create() - Set up the software side of one remapping unit.
 * @drhd: the unit's DRHD from vtd_dmar_parse().
 * @params: options; NULL for defaults.
 * @out: receives the unit.
 *
 * Maps the registers, reads VER, CAP and ECAP, chooses legacy or scalable
 * mode (scalable when ECAP.SMTS, CONFIG_VTD_SCALABLE_MODE and not
 * @params->force_legacy), allocates the root table, the invalidation
 * queue and the domain-ID space. Touches no register but reads.
 *
 * Return: 0; -EINVAL for bad arguments; -ENODEV when the registers cannot
 * be mapped; -EOPNOTSUPP when the unit lacks what the library needs (no
 * supported address width); -ENOMEM.
 * Context: process; may allocate.
 */
int vtd_unit_create(const struct vtd_dmar_drhd *drhd,
		    const struct vtd_unit_params *params,
		    struct vtd_unit **out);

/**
 * vtd_unit_enable() - Program and turn on the unit [VT-d 10.4, 6.5.2]:
 * disable what firmware left on, set the root table (SRTP), flush the
 * write buffer when CAP.RWBF, enable queued invalidation, program the
 * fault and invalidation events, clear stale faults, invalidate the
 * context cache, PASID cache (scalable mode) and IOTLB globally, and
 * enable translation. Until devices are attached all DMA is blocked.
 *
 * Return: 0; -ETIMEDOUT when the unit does not answer a command within
 * CONFIG_VTD_TIMEOUT_US; -EIO when an invalidation fails. On error the
 * unit is left disabled.
 */
int vtd_unit_enable(struct vtd_unit *u);

/**
 * vtd_unit_disable() - Turn translation and queued invalidation off and
 * mask the events. DMA is no longer remapped.
 *
 * Return: 0 or -ETIMEDOUT.
 */
int vtd_unit_disable(struct vtd_unit *u);

/**
 * vtd_unit_destroy() - Disable the unit and free everything it owns.
 *
 * Return: 0; -EINVAL for NULL; -EBUSY while devices are attached or a
 * virtual command allocator is registered on it (detach them, or
 * vtd_vcmd_unregister(), first; nothing is done); -ETIMEDOUT when the unit does not turn
 * translation or queued invalidation off: its memory then stays
 * allocated, since the hardware may still read it, and the call may be
 * repeated.
 */
int vtd_unit_destroy(struct vtd_unit *u);

bool vtd_unit_is_scalable(const struct vtd_unit *u);
u64 vtd_unit_cap(const struct vtd_unit *u);
u64 vtd_unit_ecap(const struct vtd_unit *u);
/* The unit's VTD_QUIRK_* (vtd_unit_params.quirks). */
u32 vtd_unit_quirks(const struct vtd_unit *u);

/**
 * vtd_unit_did_alloc() - Allocate a domain ID on @u [VT-d 9.3].
 *
 * The space is 2^(4 + 2 * CAP.ND) IDs; ID 0 is never handed out (with
 * CAP.CM it tags invalid entries [VT-d 6.1]).
 *
 * Return: the ID (> 0), or -ENOSPC.
 */
int vtd_unit_did_alloc(struct vtd_unit *u);
void vtd_unit_did_free(struct vtd_unit *u, u16 did);

/* ---- Invalidation ------------------------------------------------------ */

/*
 * Each call invalidates and waits for completion (one wait descriptor per
 * call with queued invalidation; register-based invalidation when ECAP.QI
 * is 0). Return: 0; -ETIMEDOUT; -EIO when the unit reported an error (the
 * queue is recovered before returning); -EINVAL for bad arguments.
 */
int vtd_inv_context_global(struct vtd_unit *u);
int vtd_inv_context_domain(struct vtd_unit *u, u16 did);
int vtd_inv_context_device(struct vtd_unit *u, u16 did, u16 sid, u8 fm);
int vtd_inv_iotlb_global(struct vtd_unit *u);
int vtd_inv_iotlb_domain(struct vtd_unit *u, u16 did);

/**
 * vtd_inv_iotlb_range() - Invalidate the IOTLB for [@iova, @iova + @size)
 * of domain @did: at most two page-selective invalidations, each an
 * aligned power-of-two block, falling back to one domain-selective
 * invalidation when a block's mask would exceed CAP.MAMV or when CAP.PSI
 * is 0 [VT-d 6.5.2.3]. @leaf_only sets the invalidation hint (IH: no
 * paging-structure entry was removed).
 */
int vtd_inv_iotlb_range(struct vtd_unit *u, u16 did, vtd_iova_t iova,
			u64 size, bool leaf_only);

/** vtd_inv_iec_global() - Invalidate the interrupt entry cache. */
int vtd_inv_iec_global(struct vtd_unit *u);

/* ---- Faults ------------------------------------------------------------ */

/**
 * vtd_fault_handle() - Process pending fault records [VT-d 7.2.1]: scan
 * the fault recording registers circularly from FSTS.FRI, decode each,
 * clear its F bit, hand it to the fault callback, and clear a primary
 * fault overflow. Call it from the fault event interrupt, or to poll.
 *
 * Return: the number of records processed, or -EINVAL for a NULL unit.
 * Context: any; takes unit->fault_lock.
 */
int vtd_fault_handle(struct vtd_unit *u);

/** vtd_fault_overflows() - Primary fault overflows seen (FSTS.PFO). */
u64 vtd_fault_overflows(const struct vtd_unit *u);

