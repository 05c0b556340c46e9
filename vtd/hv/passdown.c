// SPDX-License-Identifier: BSD-2-Clause
/*
 * Invalidations passed down by a guest [GUEST-SVA 1, 6, 7.6, 8]: each
 * entry names one of the VM's PASIDs, a cache (IOTLB or device TLB) and a
 * granularity (the PASID, or a page range). Only those four pairs are
 * accepted; the PASID cache is the host's alone. Each entry becomes
 * PASID-based invalidations for every binding of its PASID in the VM,
 * gathered per unit and submitted behind one wait per unit per call.
 * Ranges are widened to the aligned blocks the hardware invalidates,
 * never narrowed (the library's range rule), and fall back to the whole
 * PASID above the unit's address-mask limit.
 */
#include <hal/hal.h>
#include <vtd/hv/vm.h>

#include <vtd/shadow.h>
#include "vm_impl.h"

#define EVERYTHING	(~0ULL)

/*
 * The range an entry names, as [*va, *va + *size): checked for type,
 * granularity, flags, reserved bits, alignment and wrap, each field of
 * the caller's copy read once.
 */
static int entry_range(const struct vtd_hv_inv_entry *e, u64 *va, u64 *size)
{
	u64 addr = e->addr, npages = e->npages;

	if ((e->cache != VTD_HV_INV_IOTLB && e->cache != VTD_HV_INV_DEVTLB) ||
	    (e->flags & ~VTD_HV_INV_LEAF) || e->reserved) {
		return -EINVAL;
	}
	if (e->granularity == VTD_HV_INV_GRAN_PASID) {
		if (addr || npages) {
			return -EINVAL;
		}
		*va = 0;
		*size = EVERYTHING;
		return 0;
	}
	if (e->granularity != VTD_HV_INV_GRAN_ADDR || !npages ||
	    (addr & (HAL_PAGE_SIZE - 1))) {
		return -EINVAL;
	}
	/* All ones means everything, and only from address 0. */
	if (npages == EVERYTHING) {
		if (addr) {
			return -EINVAL;
		}
		*va = 0;
		*size = EVERYTHING;
		return 0;
	}
	if (npages > (EVERYTHING >> HAL_PAGE_SHIFT) ||
	    addr + (npages << HAL_PAGE_SHIFT) - 1 < addr) {
		return -EINVAL;
	}
	*va = addr;
	*size = npages << HAL_PAGE_SHIFT;
	return 0;
}

static struct vtd_flush_batch *batch_of_locked(struct vtd_vm *vm,
					       const struct vtd_unit *u)
{
	const struct vm_unit *x;
	u32 i;

	for (i = 0; i < vm->units.count; i++) {
		x = hal_vec_at(&vm->units, sizeof(*x), i);
		if (x->u == u) {
			return x->batch;
		}
	}
	return NULL;
}

/* Device @dev has descriptors in this call's batch of its unit. */
static void mark_locked(struct vtd_vm *vm, u32 dev)
{
	struct vm_dev *d = hal_vec_at(&vm->devs, sizeof(*d), dev);

	d->in_batch = true;
}

/*
 * @u failed a submission of this call: charge each of the VM's devices
 * on it with descriptors in the batch (qi.c submits one batch at a time,
 * so the error is this batch's), and the VM once per call.
 */
static void charge_unit_locked(struct vtd_vm *vm, const struct vtd_unit *u)
{
	struct vm_dev *d;
	u32 i;

	for (i = 0; i < vm->devs.count; i++) {
		d = hal_vec_at(&vm->devs, sizeof(*d), i);
		if (d->in_batch && d->u == u) {
			d->inv_failed++;
		}
	}
	vm->call_failed = true;
}

/*
 * vtd_pasid_flush_add() for device @dev, charging a submission it made
 * (the batch was full) that failed.
 */
static int flush_add_locked(struct vtd_vm *vm, u32 dev, u32 pasid, u64 va,
			    u64 size, bool leaf, u32 what)
{
	const struct vm_dev *d = vtd_vm_dev_locked(vm, dev);
	struct vtd_flush_batch *fb = batch_of_locked(vm, d->u);
	u32 waits = fb->waits;
	int ret;

	mark_locked(vm, dev);
	ret = vtd_pasid_flush_add(fb, d->sid, pasid, vtd_iova_init(va), size,
				  leaf, what);
	if (ret && fb->waits != waits) {
		charge_unit_locked(vm, d->u);
	}
	return ret;
}

/* Gather entry @e for every binding of its PASID; -ENOENT when none. */
static int entry_add_locked(struct vtd_vm *vm,
			    const struct vtd_hv_inv_entry *e)
{
	const struct vm_bind *b;
	u64 va, size;
	u32 i, hits = 0;
	int ret;

	ret = entry_range(e, &va, &size);
	if (!ret) {
		ret = vtd_vm_pasid_check(vm, e->pasid);
	}
	for (i = 0; i < vm->binds.count && !ret; i++) {
		b = hal_vec_at(&vm->binds, sizeof(*b), i);
		if (b->pasid != e->pasid) {
			continue;
		}
		hits++;
		if (b->sh && e->cache == VTD_HV_INV_IOTLB) {
			/* Re-read the range; invalidated with the batch. */
			ret = vtd_vm_shadow_sync_locked(
				vm, (struct vm_bind *)b, va,
				size == EVERYTHING ? VTD_SHADOW_ALL : size);
			continue;
		}
		ret = flush_add_locked(vm, b->dev, b->pasid, va, size,
				       e->flags & VTD_HV_INV_LEAF,
				       e->cache == VTD_HV_INV_IOTLB ?
				       VTD_FLUSH_IOTLB : VTD_FLUSH_DEVTLB);
	}
	if (!ret && !hits) {
		ret = -ENOENT;		/* the VM's, but bound nowhere */
	}
	return ret;
}

/*
 * Add the invalidation of each shadow's gathered changes to its unit's
 * batch [VT-d 6.5.2.4]: the PASID-based IOTLB (and device TLB) of the
 * PASID, or RID_PASID, that walks it.
 */
static int shadow_flushes_locked(struct vtd_vm *vm)
{
	struct vm_bind *b;
	int ret = 0;
	u32 i;

	for (i = 0; i < vm->binds.count && !ret; i++) {
		b = hal_vec_at(&vm->binds, sizeof(*b), i);
		if (!b->pending || b->pend.start >= b->pend.end) {
			continue;
		}
		ret = flush_add_locked(vm, b->dev, b->pasid, b->pend.start,
				       b->pend.end - b->pend.start,
				       !b->pend.nonleaf, VTD_FLUSH_IOTLB);
	}
	return ret;
}

/* Free (or, after a failed invalidation, keep) what the shadows replaced. */
static void shadow_release_locked(struct vtd_vm *vm, bool flushed)
{
	u32 i;

	for (i = 0; i < vm->binds.count; i++) {
		vtd_vm_shadow_release_locked(
			hal_vec_at(&vm->binds, sizeof(struct vm_bind), i),
			flushed);
	}
}

/* Submit every unit's batch; the first error is returned. */
static int submit_all_locked(struct vtd_vm *vm)
{
	const struct vm_unit *x;
	int ret, r;
	u32 i;

	struct vm_dev *d;

	ret = shadow_flushes_locked(vm);
	for (i = 0; i < vm->units.count; i++) {
		x = hal_vec_at(&vm->units, sizeof(*x), i);
		r = vtd_flush_batch_submit(x->batch);
		if (r) {
			charge_unit_locked(vm, x->u);
		}
		ret = ret ? ret : r;
	}
	shadow_release_locked(vm, ret == 0);
	for (i = 0; i < vm->devs.count; i++) {
		d = hal_vec_at(&vm->devs, sizeof(*d), i);
		d->in_batch = false;
	}
	vm->err.inv_failed += vm->call_failed;
	vm->call_failed = false;
	return ret;
}

/*
 * An entry read from the guest (@copy_in, for the hypercall) or from
 * @e[i] (a host caller's array).
 */
int vtd_vm_invalidate_from(struct vtd_vm *vm, const struct vtd_hv_inv_entry *e,
			   u64 gpa, u32 n, u32 *done)
{
	struct vtd_hv_inv_entry local;
	int ret = 0, r;
	u32 i, max;

	hal_lock_assert_held(&vm->lock);
	max = n < vm->p.max_batch ? n : vm->p.max_batch;
	for (i = 0; i < max && !ret; i++) {
		if (e) {
			local = e[i];
		} else {
			ret = vtd_vm_copy(vm, gpa + (u64)i * sizeof(local),
					  &local, sizeof(local), false);
		}
		if (!ret) {
			ret = entry_add_locked(vm, &local);
		}
	}
	/* Entries before a refused one are carried out all the same. */
	*done = ret ? i - 1 : i;
	r = submit_all_locked(vm);
	if (r) {
		*done = 0;	/* which descriptors completed is unknown */
		return r;
	}
	return ret;
}

int vtd_vm_invalidate(struct vtd_vm *vm, const struct vtd_hv_inv_entry *e,
		      u32 n, u32 *done)
{
	int ret;

	if (!vm || !done || (n && !e)) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	ret = vtd_vm_invalidate_from(vm, e, 0, n, done);
	hal_spin_unlock(&vm->lock);
	return ret;
}
