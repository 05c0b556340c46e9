/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hypervisor-services layer: VMs, guest PASIDs bound to the guest's
 * own first-level tables, invalidations passed down by the guest, and
 * the hypercall entry point that carries them (<vtd/hv/abi.h>). It is
 * built only on the public APIs of vtd/ and ioasid/.
 *
 * A VM owns a second-level domain (its GPA -> HPA map, which the
 * hypervisor fills), the RAM ranges that map may be used for, a PASID
 * namespace, and the devices assigned to it. Every value a guest hands
 * over is checked against what its VM owns: a device handle names one of
 * its devices, a PASID one of its PASIDs, a GPA its RAM. A refused
 * request returns a negative errno and changes nothing.
 *
 * Locks: vm->lock, then the library's locks (<vtd/vtd.h>).
 */
#pragma once

#include <hal/types.h>
#include <vtd/addr.h>
#include <vtd/domain.h>
#include <vtd/hv/abi.h>
#include <vtd/vtd.h>

struct ioasid_set;
struct vtd_vm;
struct vtd_vm_irq;

/*
 * The host's translation of a guest's interrupt target (VTD_HV_IRQ_ROUTE
 * and _UPDATE) into a route: @r arrives with .dev and .vector (the
 * guest's) set and remapped; the host sets it to the host vector and
 * APIC ID that inject @vector into vCPU @vcpu, or to .posted with that
 * vCPU's posted-interrupt descriptor and the guest's vector, and leaves
 * .dev. @vcpu is below vtd_vm_params.vcpus, @vector in
 * VTD_HV_IRQ_VECTOR_MIN..MAX and .dev the VM's when it is called
 * (without vm->lock); an UPDATE may still be refused after it (a handle
 * that is not the guest's), so it should only translate, not allocate.
 * Return: 0, or a negative errno that the call returns.
 */
typedef int (*vtd_vm_irq_target_fn)(void *ctx, u32 vcpu, u32 vector,
				    struct vtd_vm_irq *r);

/* A range of guest RAM: [gpa, gpa + size), both 4 KiB aligned. */
struct vtd_vm_ram {
	u64 gpa;
	u64 size;
};

/* Where a VM's PASIDs come from [GUEST-SVA 8]. */
enum vtd_vm_pasid_space {
	/* Host PASIDs: the guest allocates them from the VM's ioasid set. */
	VTD_VM_PASIDS_HOST = 1,
	/*
	 * The guest's own numbers on devices assigned to it alone: a PASID
	 * indexes the device's PASID table directly.
	 */
	VTD_VM_PASIDS_GUEST,
};

struct vtd_vm_params {
	/* The VM's GPA -> HPA map: a second-level paging domain. */
	struct vtd_domain *domain;
	/* The guest's RAM; guest pointers must fall inside (no MMIO). */
	const struct vtd_vm_ram *ram;
	u32 ram_count;
	enum vtd_vm_pasid_space pasid_space;
	/* VTD_VM_PASIDS_HOST: the VM's set (its quota bounds the VM). */
	struct ioasid_set *pasids;
	/* The guest may bind with SRE (supervisor DMA). */
	bool allow_supervisor;
	/*
	 * The host keeps every RAM page of the VM's map writable: needed
	 * for nested binds on units with VTD_QUIRK_SPR17_NESTED_AD (else
	 * those are shadowed).
	 */
	bool ram_writable;
	/* Entries one invalidate call carries out (0: 64). */
	u32 max_batch;
	/*
	 * Table pages one shadowed bind may use (0: 512): binds on units
	 * without nesting, and of a device's requests without PASID, are
	 * shadowed (docs/GUEST.md).
	 */
	u64 shadow_pages;
	/*
	 * Bindings the VM may hold at once (0: 64): each costs host memory
	 * (a record, PASID table pages, a shadow), so the guest's count is
	 * bounded whatever its PASID space. Beyond it, bind is -EDQUOT.
	 */
	u32 max_binds;
	/*
	 * Table pages all the VM's shadows may use together (0: four
	 * shadows' worth, 4 * shadow_pages). Each shadowed bind reserves
	 * its whole shadow_pages from it, so the VM's shadows never hold
	 * more; a bind that does not fit is -EDQUOT (below shadow_pages:
	 * no shadowed bind at all).
	 */
	u64 shadow_pages_total;
	/* MSI routes the VM may hold at once (0: 64), vtd_vm_irq_route(). */
	u32 max_irqs;
	/*
	 * The guest's own MSI routing (VTD_HV_IRQ_*): its vCPUs are
	 * 0 .. vcpus - 1, and irq_target (with irq_ctx) turns a vCPU and
	 * guest vector into a route. NULL: those calls are -EOPNOTSUPP.
	 */
	u32 vcpus;
	vtd_vm_irq_target_fn irq_target;
	void *irq_ctx;
};

/*
 * What a VM's guest caused to fail, for the host's policy (throttle,
 * reset the device, stop the VM). Charged to that VM only: a batch is
 * submitted and waited for alone on its unit (qi.c serialises), so an
 * error the unit reports during it is this batch's [XSA-373].
 */
struct vtd_vm_errors {
	u64 calls_failed;	/* hypercalls that returned an error */
	u64 inv_failed;		/* passdowns whose invalidation failed */
};

/* vtd_vm_errors(): the VM's own counts rather than a device's. */
#define VTD_VM_ALL_DEVS		0xffffffffU

/**
 * vtd_vm_errors() - @vm's counts (@dev = VTD_VM_ALL_DEVS) or those of its
 * device @dev: inv_failed counts the passdowns whose failed batch on the
 * device's unit held descriptors for it (a device whose device-TLB
 * invalidation times out, ITE, is charged; calls_failed stays 0).
 * Return: 0; -EINVAL; -ENODEV (no such device of @vm).
 */
int vtd_vm_errors(struct vtd_vm *vm, u32 dev, struct vtd_vm_errors *out);

/**
 * vtd_vm_create() - A VM over @p->domain, with no device assigned.
 * Return: 0; -EINVAL (no domain, unaligned or overlapping RAM ranges,
 * no set for host PASIDs); -ENOMEM. The domain is second-level, or
 * first-level on units without second-level translation (then every bind
 * is shadowed).
 */
int vtd_vm_create(const struct vtd_vm_params *p, struct vtd_vm **out);

/**
 * vtd_vm_destroy() - Tear @vm down: every binding is undone (PASID
 * entries cleared, PASID cache, IOTLB and device TLB invalidated before
 * anything is released [GUEST-SVA 6, XSA-346]), its host PASIDs freed,
 * and each device detached, which leaves it blocked (quarantined:
 * attach it elsewhere to hand it back) [XSA-302].
 * Return: 0, or the first error of the teardown (-ETIMEDOUT/-EIO): the
 * VM then stays, with what could not be undone, for a later call.
 */
int vtd_vm_destroy(struct vtd_vm *vm);

/**
 * vtd_vm_destroy_to() - vtd_vm_destroy(), but each device is handed back:
 * attached to @to (the host's own domain, say) instead of blocked, after
 * every binding is undone and flushed; the attach replaces the VM's
 * domain with its invalidations [VT-d 6.5.3]. @to NULL is
 * vtd_vm_destroy(). Return: as vtd_vm_destroy(); -EINVAL when @to is the
 * VM's own domain; the errors of vtd_device_attach() (the VM then stays).
 */
int vtd_vm_destroy_to(struct vtd_vm *vm, struct vtd_domain *to);

/**
 * vtd_vm_assign() - Give @vm the device @sid on @u: it is attached to
 * the VM's domain (requests without PASID translate through the VM's
 * map), and the guest names it by the handle returned in @dev
 * (0, 1, ... in assignment order).
 * Return: 0; -EINVAL; -EBUSY when another VM has it; the errors of
 * vtd_device_attach().
 */
int vtd_vm_assign(struct vtd_vm *vm, struct vtd_unit *u, u16 sid, u32 *dev);

/** vtd_vm_pasid_alloc() - A host PASID from @vm's quota (-EDQUOT). */
int vtd_vm_pasid_alloc(struct vtd_vm *vm, u32 *pasid);

/**
 * vtd_vm_pasid_free() - Give back a host PASID of @vm, unbinding it from
 * every device first. Return: 0; -ENOENT; -EACCES (another VM's);
 * -EOPNOTSUPP (guest PASID space).
 */
int vtd_vm_pasid_free(struct vtd_vm *vm, u32 pasid);

/* A bind request, as the hypercall carries it. */
struct vtd_vm_bind {
	u32 dev;
	u32 pasid;
	vtd_gpa_t gpgd;
	u32 addr_width;
	u32 flags;			/* VTD_HV_BIND_* */
};

/**
 * vtd_vm_bind() - Make @b->pasid of device @b->dev translate through the
 * guest's first-level table at @b->gpgd, over the VM's map: nested
 * (ECAP.NEST and a second-level domain) [VT-d 3.8], or else shadowed by
 * the host; with guest PASIDs, PASID 0 names the device's requests
 * without PASID (shadowed). The host chooses DID, second-level pointer,
 * width and snoop; the guest only its table, width and flags
 * [GUEST-SVA 7].
 *
 * Return: 0; -ENODEV (no such device of this VM); -ENOENT (a host PASID
 * the VM does not hold); -EACCES (another VM's PASID); -EINVAL (unknown
 * flags, WPE without SRE, width not 48/57, unaligned table, a PASID out
 * of range or the RID_PASID); -EFAULT (the table is not the VM's RAM);
 * -EPERM (SRE not allowed for this VM); -EOPNOTSUPP (SRE without
 * ECAP.SRS, EAFE, 57 bits without CAP.FL5LP); -EBUSY (bound already);
 * -EDQUOT (the shadow's page quota); the errors of the attach.
 */
int vtd_vm_bind(struct vtd_vm *vm, const struct vtd_vm_bind *b);

/** vtd_vm_unbind() - Undo a bind. Return: 0, -ENODEV, -ENOENT, -EIO... */
int vtd_vm_unbind(struct vtd_vm *vm, u32 dev, u32 pasid);

/**
 * vtd_vm_invalidate() - Carry out up to the VM's max_batch entries of
 * @e[0 .. @n), in order, for every binding of each entry's PASID in the
 * VM: descriptors are gathered per unit and submitted behind one wait
 * per unit. @done receives how many entries were carried out, also on
 * error. Return: 0; -EINVAL (a refused type x granularity pair, flags,
 * reserved bits, alignment, a wrapping range); -ENOENT/-EACCES (a PASID
 * the VM has not bound / another VM's); -EIO/-ETIMEDOUT from the unit
 * (a device TLB of this VM's device timed out: this VM's error only).
 */
int vtd_vm_invalidate(struct vtd_vm *vm, const struct vtd_hv_inv_entry *e,
		      u32 n, u32 *done);

/*
 * An MSI route of one of the VM's devices (vtd_vm_irq_route()): remapped
 * to a host vector and destination (the one that injects into the
 * guest), or posted to a vCPU's posted-interrupt descriptor with the
 * guest's vector [VT-d 9.11]. Source validation is always the device's
 * own source ID.
 */
struct vtd_vm_irq {
	u32 dev;		/* the VM's device handle */
	bool posted;
	unsigned int vector;	/* remapped: host vector; posted: guest's */
	u32 dest;		/* remapped: APIC ID */
	hal_paddr_t pda;	/* posted: descriptor, 64-byte aligned */
	bool urgent;		/* posted: notify even when suppressed */
};

/**
 * vtd_vm_irq_route() - Route device @r->dev's MSI: an IRTE allocated on
 * its unit and programmed (then invalidated), and in @msi the
 * remappable-format address and data the host writes into the device's
 * MSI capability. @handle names the route for update and unroute.
 * Return: 0; -EINVAL (bad arguments, a field vtd_ir_set_remapped() or
 * _posted() refuses); -ENODEV (not the VM's device); -EDQUOT (max_irqs);
 * -ENOENT (no interrupt remapping on the unit: vtd_ir_enable());
 * -EOPNOTSUPP (posted without CAP.PI); -ENOSPC; -ENOMEM; -ETIMEDOUT/-EIO.
 * Nothing changes on error.
 */
int vtd_vm_irq_route(struct vtd_vm *vm, const struct vtd_vm_irq *r,
		     u32 *handle, struct vtd_msi *msi);

/**
 * vtd_vm_irq_update() - Reprogram route @handle (same device; remapped
 * or posted, any vector or destination, e.g. when the guest moves the
 * interrupt or its vCPU is scheduled elsewhere): the IRTE is rewritten
 * and invalidated before the call returns; the device's MSI stays.
 * Return: 0; -ENOENT (no such route of this VM); -EINVAL (another
 * device, or a refused field: the IRTE is then unchanged); the unit's
 * errors.
 */
int vtd_vm_irq_update(struct vtd_vm *vm, u32 handle,
		      const struct vtd_vm_irq *r);

/**
 * vtd_vm_irq_unroute() - Free route @handle: its IRTE cleared and
 * invalidated (the device's MSI is dropped from then on). Teardown does
 * this for every route. Return: 0; -EINVAL; -ENOENT; -ETIMEDOUT/-EIO
 * (the route stays).
 */
int vtd_vm_irq_unroute(struct vtd_vm *vm, u32 handle);

/*
 * The virtual command interface of a VM's virtual IOMMU [VT-d 10.4.44,
 * 11.4.16]: the guest allocates and frees host PASIDs of its VM's set by
 * writing VCMD and reading VCRSP (docs/GUEST.md, "Virtual command
 * interface"). The hypervisor traps the guest's accesses to its virtual
 * unit's registers 0xe00..0xe3f and hands each 64-bit access over; it
 * ORs vtd_vm_vcmd_ecap() into the virtual unit's ECAP.
 *
 * Commands run one at a time per VM, synchronously in the trapping
 * write: VCRSP reads IP while a command runs, and a VCMD write while IP
 * is set is ignored, as hardware does. Status codes (VCRSP.SC):
 * VTD_VCRSP_SC_OK; VTD_VCRSP_SC_NO_PASID for an allocation over the
 * VM's quota or the PASID space; VTD_VCRSP_SC_BAD_PASID for a free of
 * PASID 0, beyond the width, not allocated, another VM's, or still bound
 * (the guest unbinds first: a free in the trap never waits on hardware);
 * VTD_VCRSP_SC_UNDEFINED for an unknown command or reserved bits set
 * (bits 15:8, an operand where none is taken, operand bits above 35).
 * Nothing changes unless the status is OK.
 */

/** vtd_vm_vcmd_ecap() - VTD_ECAP_VCS for a VM with host PASIDs, else 0. */
u64 vtd_vm_vcmd_ecap(const struct vtd_vm *vm);

/**
 * vtd_vm_vcmd_write() - The guest wrote @val to its virtual unit's
 * register at @off: VCMD runs a command (or is ignored while IP is set),
 * VCMD_EO is kept, writes to VCRSP and VCCAP are ignored (read-only).
 * Return: 0; -EINVAL (no VM, or @off not an 8-byte register of the
 * block: the access is the hypervisor's to handle).
 */
int vtd_vm_vcmd_write(struct vtd_vm *vm, u32 off, u64 val);

/**
 * vtd_vm_vcmd_read() - The value the guest reads at @off: VCMD (the last
 * command accepted), VCMD_EO, VCRSP, VCCAP (VTD_VCCAP_NS | _PAS | _FPS
 * with host PASIDs, else 0), 0 for the block's reserved offsets.
 * Return: 0; -EINVAL as vtd_vm_vcmd_write().
 */
int vtd_vm_vcmd_read(struct vtd_vm *vm, u32 off, u64 *val);

/**
 * vtd_vm_vcmd() - Run VCMD value @cmd now and return its VCRSP value in
 * @rsp (the VTD_HV_VCMD hypercall). Return: 0 (the outcome is in
 * @rsp's status code); -EINVAL; -EBUSY when a command of the VM is
 * running (IP set): nothing was done.
 */
int vtd_vm_vcmd(struct vtd_vm *vm, u64 cmd, u64 *rsp);

/**
 * vtd_vm_hypercall() - The entry point: call @nr with its argument block
 * at guest-physical @arg, copied in and out through the VM's own map. A
 * block that is not the VM's RAM is -EFAULT, never a host access.
 * Return: the call's result (0 or a negative errno).
 */
int vtd_vm_hypercall(struct vtd_vm *vm, u32 nr, vtd_gpa_t arg);
