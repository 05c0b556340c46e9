// SPDX-License-Identifier: BSD-2-Clause
/*
 * The end of a guest's PASIDs and of the VM [GUEST-SVA 6, 7.7]: every
 * binding is undone, and its caches (PASID cache, IOTLB, device TLB)
 * invalidated, before a PASID or a page can be reused; the VM's devices
 * are left blocked, or handed to the domain the caller names.
 */
#include <hal/hal.h>
#include <ioasid/ioasid.h>
#include <vtd/hv/vm.h>

#include "vm_impl.h"

int vtd_vm_pasid_free(struct vtd_vm *vm, u32 pasid)
{
	int ret;

	if (!vm) {
		return -EINVAL;
	}
	if (vm->p.pasid_space != VTD_VM_PASIDS_HOST) {
		return -EOPNOTSUPP;
	}
	hal_spin_lock(&vm->lock);
	ret = vtd_vm_pasid_check(vm, pasid);
	/* Unbound everywhere (flushed) before the ID can be reused. */
	if (!ret) {
		ret = vtd_vm_unbind_pasid_locked(vm, pasid);
	}
	if (!ret) {
		ret = ioasid_free(vm->p.pasids, NULL, pasid);
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}

/* ---- Teardown -------------------------------------------------------------- */

int vtd_vm_destroy(struct vtd_vm *vm)
{
	return vtd_vm_destroy_to(vm, NULL);
}

int vtd_vm_destroy_to(struct vtd_vm *vm, struct vtd_domain *to)
{
	const struct vm_dev *d;
	int ret = 0;
	u32 i;

	if (!vm || to == vm->p.domain) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	ret = vtd_vm_unbind_all_locked(vm);
	if (!ret) {
		ret = vtd_vm_irq_unroute_all_locked(vm);
	}
	for (i = 0; i < vm->devs.count && !ret; i++) {
		d = hal_vec_at(&vm->devs, sizeof(*d), i);
		/* Either way the VM's domain is gone from the device first. */
		ret = to ? vtd_device_attach(d->u, d->sid, to, NULL) :
			   vtd_device_detach(d->u, d->sid);
		if (ret == -ENOENT) {
			ret = 0;	/* detached already (a retried teardown) */
		}
	}
	if (!ret && vm->p.pasid_space == VTD_VM_PASIDS_HOST) {
		ret = ioasid_set_free_all(vm->p.pasids);
		ret = ret < 0 ? ret : 0;
	}
	hal_spin_unlock(&vm->lock);
	if (ret) {
		return ret;
	}
	for (i = 0; i < vm->units.count; i++) {
		hal_page_free(((struct vm_unit *)hal_vec_at(
			&vm->units, sizeof(struct vm_unit), i))->batch, 0);
	}
	hal_vec_free(&vm->units);
	hal_vec_free(&vm->devs);
	hal_vec_free(&vm->binds);
	hal_page_free(vm, 0);
	return 0;
}
