/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct vtd_vm and what the guest layer's files share (private to
 * vtd/hv/, which sees the library through its public headers only).
 */
#pragma once

#include <hal/hal.h>
#include <hal/vec.h>
#include <vtd/domain.h>
#include <vtd/hv/vm.h>
#include <vtd/hw/regs.h>
#include <vtd/hw/tables.h>
#include <vtd/pt_fl.h>
#include <vtd/vtd.h>

/* A device assigned to the VM; its handle is its index. */
struct vm_dev {
	struct vtd_unit *u;
	u16 sid;
	bool in_batch;		/* has descriptors in this passdown's batch */
	u64 inv_failed;		/* passdowns failed with its descriptors */
};

/* A unit the VM has devices on, with its passdown batch (one page). */
struct vm_unit {
	struct vtd_unit *u;
	struct vtd_flush_batch *batch;
};

struct vtd_shadow;

/* A route of one of the VM's devices' MSIs through IRTE @index (irq.c). */
struct vm_irq {
	u32 dev;
	u32 index;		/* on the device's unit */
	u32 handle;		/* what the host names it by */
	bool guest;		/* made by the guest's VTD_HV_IRQ_ROUTE */
};

/*
 * A PASID of one of the VM's devices bound to a guest table: nested, or
 * shadowed (@sh; for the RID_PASID, @shd is the domain over the shadow
 * that the device is attached to meanwhile).
 */
struct vm_bind {
	u32 dev;
	u32 pasid;
	struct vtd_shadow *sh;
	struct vtd_domain *shd;
	/* A passdown's shadow changes, invalidated at the end of the call. */
	struct vtd_fl_gather pend;
	bool pending;
};

/* Guest-triggered log lines: a burst, then one per second (hcall.c). */
#define LOG_BURST	16
#define LOG_REFILL_NS	1000000000ULL

/* The PASID that names a device's requests without PASID (guest space). */
#define VTD_VM_RID_PASID	0

struct vtd_vm {
	struct hal_spinlock lock;	/* before the library's locks */
	struct vtd_vm_params p;
	struct hal_vec devs;		/* struct vm_dev */
	struct hal_vec binds;		/* struct vm_bind */
	struct hal_vec units;		/* struct vm_unit */
	struct hal_vec irqs;		/* struct vm_irq */
	u32 next_irq;			/* the next route's handle */
	u32 log_budget;			/* guest-triggered log lines left */
	u64 log_stamp;			/* hal_time_ns() of the last refill */
	u64 shadow_reserved;		/* of p.shadow_pages_total */
	struct vtd_vm_errors err;
	bool call_failed;		/* a submission of this passdown failed */
	/* The virtual unit's VCMD registers (vcmd.c), atomics, no lock. */
	u64 vcmd;			/* the last command accepted */
	u64 vcrsp;			/* its response; IP while it runs */
	u64 vcmd_eo;			/* extended operand, kept, unused */
};

/* vm.c */
int vtd_vm_gpa_to_hpa(struct vtd_vm *vm, u64 gpa, u32 need, hal_paddr_t *hpa);
int vtd_vm_copy(struct vtd_vm *vm, u64 gpa, void *buf, u64 len, bool to_guest);
const struct vm_dev *vtd_vm_dev_locked(const struct vtd_vm *vm, u32 dev);
int vtd_vm_pasid_check(struct vtd_vm *vm, u32 pasid);

/* passdown.c */
int vtd_vm_invalidate_from(struct vtd_vm *vm, const struct vtd_hv_inv_entry *e,
			   u64 gpa, u32 n, u32 *done);

/* shadow_bind.c */
int vtd_vm_shadow_sync_locked(struct vtd_vm *vm, struct vm_bind *b, u64 va,
			      u64 size);
int vtd_vm_shadow_bind_locked(struct vtd_vm *vm, struct vm_bind *b,
			      vtd_gpa_t gpgd, unsigned int levels, u32 flags);
int vtd_vm_shadow_unbind_locked(struct vtd_vm *vm, struct vm_bind *b);
void vtd_vm_shadow_release_locked(struct vm_bind *b, bool flushed);

/* irq.c: @guest limits update and unroute to the guest's own routes. */
int vtd_vm_irq_route_as(struct vtd_vm *vm, const struct vtd_vm_irq *r,
			bool guest, u32 *handle, struct vtd_msi *msi);
int vtd_vm_irq_update_as(struct vtd_vm *vm, u32 handle,
			 const struct vtd_vm_irq *r, bool guest);
int vtd_vm_irq_unroute_as(struct vtd_vm *vm, u32 handle, bool guest);
int vtd_vm_irq_unroute_all_locked(struct vtd_vm *vm);

/* bind.c */
bool vtd_vm_pasid_bound_locked(const struct vtd_vm *vm, u32 pasid);
int vtd_vm_unbind_pasid_locked(struct vtd_vm *vm, u32 pasid);
int vtd_vm_unbind_all_locked(struct vtd_vm *vm);
bool vtd_vm_is_bound_locked(const struct vtd_vm *vm, u32 dev, u32 pasid);
