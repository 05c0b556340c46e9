// SPDX-License-Identifier: BSD-2-Clause
/*
 * Binds by shadowing, for units without nesting (ECAP.NEST = 0, most
 * shipped before 2023, and QEMU) and for a device's requests without
 * PASID: the host composes the guest's first-level table with the VM's
 * map into a host first-level table (shadow.c) and points the PASID entry
 * at it (PGTT = 001). The shadow follows the guest's table only through
 * the guest's invalidations, as hardware with caching mode would: after
 * every change of its table, not-present to present included, the guest
 * passes down an invalidation, and the host re-reads that range. Each
 * shadow's table pages are bounded by the VM's per-shadow quota, which
 * each bind reserves whole from the VM's total (vtd_vm_params).
 */
#include <hal/hal.h>
#include <vtd/hv/vm.h>
#include <vtd/pt_fl.h>

#include <vtd/shadow.h>
#include "vm_impl.h"

/* Work units of one sync call, and calls one request may make. */
#define SYNC_WORK	(1U << 14)
#define SYNC_CALLS	64

/* The VM's map, as the shadow reads it: GPA -> HPA for RAM only. */
static int gmem_translate(void *ctx, u64 gpa, hal_paddr_t *hpa, u32 *prot,
			  u64 *len)
{
	struct vtd_vm *vm = ctx;
	u32 p;

	*len = HAL_PAGE_SIZE;
	if (vtd_vm_gpa_to_hpa(vm, gpa, VTD_PROT_READ, hpa) ||
	    vtd_domain_lookup(vm->p.domain, vtd_iova_init(gpa), hpa, &p)) {
		return -EFAULT;
	}
	*prot = p & (VTD_PROT_READ | VTD_PROT_WRITE);
	return 0;
}

/*
 * Re-read [va, va + size) of the guest's table into @b's shadow, the
 * tables it replaces and the range to invalidate gathered in @b->pend
 * (one gather per binding and call: ranges of several entries merge, so
 * one invalidation may cover more than they named, never less). Up to
 * SYNC_CALLS calls of the shadow's work limit; -EAGAIN beyond.
 */
int vtd_vm_shadow_sync_locked(struct vtd_vm *vm, struct vm_bind *b, u64 va,
			      u64 size)
{
	vtd_iova_t next = vtd_iova_init(va);
	u32 calls;
	int ret;

	if (!b->pending) {
		vtd_fl_pt_gather_init(&b->pend);
		b->pending = true;
	}
	for (calls = 0; calls < SYNC_CALLS; calls++) {
		ret = vtd_shadow_sync(b->sh, next, size, &b->pend, &next);
		if (ret != -EAGAIN) {
			return ret;
		}
		size = VTD_SHADOW_ALL;	/* the rest, from next */
	}
	return -EAGAIN;
}

/*
 * After the invalidation of @b's gathered range completed (@flushed), the
 * replaced shadow tables are freed. After a failed one (the unit may
 * still cache them) they stay in the gather, bounded by the shadow's
 * quota, and the range stays pending: the VM's next passdown (which
 * invalidates every pending range, shadow_flushes_locked()) or the
 * unbind invalidates it again and frees them.
 */
void vtd_vm_shadow_release_locked(struct vm_bind *b, bool flushed)
{
	if (b->pending && flushed) {
		vtd_fl_pt_gather_release(&b->pend);
		b->pending = false;
	}
}

/*
 * A shadow of the guest table at @gpgd (@levels deep) for @b: built and
 * synced whole before anything points at it (up to SYNC_CALLS calls; the
 * rest appears on the guest's invalidations), so that a failure changes
 * nothing the unit sees; then attached: a PASID entry with PGTT = 001, or
 * for the RID_PASID the device moved to a domain over the shadow.
 */
int vtd_vm_shadow_bind_locked(struct vtd_vm *vm, struct vm_bind *b,
			      vtd_gpa_t gpgd, unsigned int levels, u32 flags)
{
	const struct vm_dev *d = vtd_vm_dev_locked(vm, b->dev);
	struct vtd_gmem gm = { .translate = gmem_translate, .ctx = vm };
	struct vtd_fl_pt_config cfg = {
		.levels = levels, .haw = VTD_FL_PT_HAW_MAX, .user = true,
		.coherent = vtd_unit_ecap(d->u) & VTD_ECAP_C,
		.large_pages = (vtd_unit_cap(d->u) & VTD_CAP_FL1GP) ?
			       VTD_FL_PT_LP_1G : 0,
	};
	int ret;

	if (vm->p.shadow_pages_total - vm->shadow_reserved <
	    vm->p.shadow_pages) {
		return -EDQUOT;
	}
	b->sh = hal_page_alloc(0);
	if (!b->sh) {
		return -ENOMEM;
	}
	ret = vtd_shadow_init(b->sh, &gm, gpgd, levels, &cfg,
			      vm->p.shadow_pages, SYNC_WORK);
	if (ret) {
		hal_page_free(b->sh, 0);
		b->sh = NULL;
		return ret;
	}
	vm->shadow_reserved += vm->p.shadow_pages;
	ret = vtd_vm_shadow_sync_locked(vm, b, 0, VTD_SHADOW_ALL);
	/* Nothing walks the shadow yet: its replaced tables go at once. */
	vtd_vm_shadow_release_locked(b, true);
	ret = ret == -EAGAIN ? 0 : ret;
	if (!ret && b->pasid != VTD_VM_RID_PASID) {
		ret = vtd_pasid_attach_fl(d->u, d->sid, b->pasid, vm->p.domain,
					  &b->sh->fl,
					  flags & ~VTD_PASID_FL_1G);
	} else if (!ret) {
		ret = vtd_domain_create_fl_table(d->u, &b->sh->fl, &b->shd);
		if (!ret) {
			ret = vtd_device_attach(d->u, d->sid, b->shd, NULL);
		}
	}
	if (ret) {
		vtd_vm_shadow_unbind_locked(vm, b);
	}
	return ret;
}

/* Undo a shadow bind: detached and flushed first, then freed. */
int vtd_vm_shadow_unbind_locked(struct vtd_vm *vm, struct vm_bind *b)
{
	const struct vm_dev *d = vtd_vm_dev_locked(vm, b->dev);
	int ret = 0;

	if (b->pasid != VTD_VM_RID_PASID) {
		ret = vtd_pasid_detach(d->u, d->sid, b->pasid);
		ret = ret == -ENOENT ? 0 : ret;
	} else if (b->shd) {
		/* Back to the VM's map: the shadow domain then has no device. */
		ret = vtd_device_attach(d->u, d->sid, vm->p.domain, NULL);
		if (!ret) {
			ret = vtd_domain_destroy(b->shd);
		}
		if (!ret) {
			b->shd = NULL;
		}
	}
	if (ret) {
		return ret;
	}
	/* The detach invalidated everything the unit cached of the shadow. */
	vtd_vm_shadow_release_locked(b, true);
	vtd_shadow_destroy(b->sh);
	hal_page_free(b->sh, 0);
	b->sh = NULL;
	vm->shadow_reserved -= vm->p.shadow_pages;
	return 0;
}
