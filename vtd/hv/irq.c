// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interrupts of a VM's devices [VT-d 5, 9.10, 9.11]: the host routes an
 * assigned device's MSI through an IRTE of the device's unit, validated
 * for that device's source ID alone (SVT = 1, SQ = 0), either remapped to
 * the host vector that injects into the guest or posted to a vCPU's
 * posted-interrupt descriptor. A VM names only its own devices (by
 * handle), holds at most max_irqs routes, and teardown frees them
 * (cleared and invalidated) before its devices are detached. Routes the
 * guest made by hypercall (hcall.c) are marked: the guest's update and
 * unroute reach those only, never one the host made for itself.
 */
#include <hal/hal.h>
#include <vtd/hv/vm.h>
#include <vtd/ir.h>

#include "vm_impl.h"

#define IRQ_SIZE	sizeof(struct vm_irq)

/*
 * The route named @handle (one the guest made, when @guest): 0 with its
 * position, or -ENOENT.
 */
static int irq_find_locked(const struct vtd_vm *vm, u32 handle, bool guest,
			   u32 *pos)
{
	const struct vm_irq *q;
	u32 i;

	for (i = 0; i < vm->irqs.count; i++) {
		q = hal_vec_at(&vm->irqs, IRQ_SIZE, i);
		if (q->handle == handle && (q->guest || !guest)) {
			*pos = i;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * A handle no route of @vm holds: the counter's next value, skipping
 * those still in use once it has wrapped (a guest can route and unroute
 * 2^32 times). At most max_irqs values are skipped.
 */
static u32 irq_next_handle_locked(struct vtd_vm *vm)
{
	u32 pos;

	while (!irq_find_locked(vm, vm->next_irq, false, &pos)) {
		vm->next_irq++;
	}
	return vm->next_irq++;
}

/* Program IRTE @index of @d's unit as @r asks, validated for @d only. */
static int irte_program(const struct vm_dev *d, u32 index,
			const struct vtd_vm_irq *r)
{
	const struct vtd_ir_source src = {
		.svt = VTD_IRTE_SVT_SID, .sq = VTD_IRTE_SQ_ALL, .sid = d->sid,
	};
	struct vtd_ir_posted p = {
		.pda = r->pda, .vector = r->vector, .urgent = r->urgent,
		.src = src,
	};
	struct vtd_ir_remap m = {
		.vector = r->vector, .dest = r->dest, .src = src,
	};

	return r->posted ? vtd_ir_set_posted(d->u, index, &p) :
			   vtd_ir_set_remapped(d->u, index, &m);
}

int vtd_vm_irq_route_as(struct vtd_vm *vm, const struct vtd_vm_irq *r,
			bool guest, u32 *handle, struct vtd_msi *msi)
{
	const struct vm_dev *d;
	struct vm_irq rec;
	int ret;

	if (!vm || !r || !handle || !msi) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	d = vtd_vm_dev_locked(vm, r->dev);
	ret = d ? 0 : -ENODEV;
	if (!ret && vm->irqs.count >= vm->p.max_irqs) {
		ret = -EDQUOT;
	}
	if (!ret) {
		ret = hal_vec_reserve(&vm->irqs, IRQ_SIZE, 1);
	}
	if (!ret) {
		ret = vtd_ir_alloc(d->u, 1, &rec.index);
	}
	if (!ret) {
		ret = irte_program(d, rec.index, r);
		if (!ret) {
			ret = vtd_ir_msi(d->u, rec.index, msi);
		}
		if (ret) {
			vtd_ir_free(d->u, rec.index, 1);
		}
	}
	if (!ret) {
		rec.dev = r->dev;
		rec.guest = guest;
		rec.handle = irq_next_handle_locked(vm);
		hal_vec_push(&vm->irqs, IRQ_SIZE, &rec);
		*handle = rec.handle;
	} else if (!vm->irqs.count) {
		hal_vec_free(&vm->irqs);	/* a failure leaves no memory */
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}

int vtd_vm_irq_route(struct vtd_vm *vm, const struct vtd_vm_irq *r,
		     u32 *handle, struct vtd_msi *msi)
{
	return vtd_vm_irq_route_as(vm, r, false, handle, msi);
}

int vtd_vm_irq_update_as(struct vtd_vm *vm, u32 handle,
			 const struct vtd_vm_irq *r, bool guest)
{
	const struct vm_irq *q;
	u32 pos;
	int ret;

	if (!vm || !r) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	ret = irq_find_locked(vm, handle, guest, &pos);
	if (!ret) {
		q = hal_vec_at(&vm->irqs, IRQ_SIZE, pos);
		ret = r->dev == q->dev ?
		      irte_program(vtd_vm_dev_locked(vm, q->dev), q->index, r) :
		      -EINVAL;
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}

int vtd_vm_irq_update(struct vtd_vm *vm, u32 handle,
		      const struct vtd_vm_irq *r)
{
	return vtd_vm_irq_update_as(vm, handle, r, false);
}

/* Free route @pos: its IRTE cleared and invalidated, then the record. */
static int irq_unroute_locked(struct vtd_vm *vm, u32 pos)
{
	const struct vm_irq *q = hal_vec_at(&vm->irqs, IRQ_SIZE, pos);
	int ret = vtd_ir_free(vtd_vm_dev_locked(vm, q->dev)->u, q->index, 1);

	if (!ret) {
		hal_vec_remove(&vm->irqs, IRQ_SIZE, pos);
	}
	return ret;
}

int vtd_vm_irq_unroute_as(struct vtd_vm *vm, u32 handle, bool guest)
{
	u32 pos;
	int ret;

	if (!vm) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	ret = irq_find_locked(vm, handle, guest, &pos);
	if (!ret) {
		ret = irq_unroute_locked(vm, pos);
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}

int vtd_vm_irq_unroute(struct vtd_vm *vm, u32 handle)
{
	return vtd_vm_irq_unroute_as(vm, handle, false);
}

int vtd_vm_irq_unroute_all_locked(struct vtd_vm *vm)
{
	int ret = 0;

	while (vm->irqs.count && !ret) {
		ret = irq_unroute_locked(vm, vm->irqs.count - 1);
	}
	if (!ret) {
		hal_vec_free(&vm->irqs);
	}
	return ret;
}
