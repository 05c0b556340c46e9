// SPDX-License-Identifier: BSD-2-Clause
/*
 * VMs for the guest layer: the devices assigned to a VM, its PASIDs,
 * guest PASID binds (the guest's first-level table nested over the VM's
 * second-level map [VT-d 3.8]) and the invalidations the guest passes
 * down. Built on the public APIs of vtd/ and ioasid/ only.
 *
 * Every value from the guest is treated as hostile and checked against
 * what the VM owns before anything changes [GUEST-SVA 7]: the device
 * handle indexes the VM's own device list, a PASID is looked up in the
 * VM's own ioasid set (host namespace) or its own bindings, a GPA must
 * lie in the VM's RAM ranges and be mapped by its domain.
 */
#include <hal/hal.h>
#include <hal/vec.h>
#include <ioasid/ioasid.h>
#include <vtd/hv/vm.h>

#include "vm_impl.h"

#define BATCH_DEFAULT	64
#define SHADOW_PAGES_DEFAULT	512
#define BINDS_DEFAULT		64
#define IRQS_DEFAULT		64
#define SHADOWS_DEFAULT		4	/* shadows' worth of pages per VM */

static bool ram_ranges_ok(const struct vtd_vm_ram *r, u32 n)
{
	u32 i, j;

	for (i = 0; i < n; i++) {
		if (!r[i].size || ((r[i].gpa | r[i].size) &
				   (HAL_PAGE_SIZE - 1)) ||
		    r[i].gpa + r[i].size - 1 < r[i].gpa) {
			return false;
		}
		for (j = 0; j < i; j++) {
			if (r[i].gpa < r[j].gpa + r[j].size &&
			    r[j].gpa < r[i].gpa + r[i].size) {
				return false;
			}
		}
	}
	return true;
}

int vtd_vm_create(const struct vtd_vm_params *p, struct vtd_vm **out)
{
	struct vtd_vm *vm;

	if (!p || !out || !p->domain || (p->ram_count && !p->ram) ||
	    !ram_ranges_ok(p->ram, p->ram_count) ||
	    (p->pasid_space != VTD_VM_PASIDS_HOST &&
	     p->pasid_space != VTD_VM_PASIDS_GUEST) ||
	    (p->pasid_space == VTD_VM_PASIDS_HOST && !p->pasids)) {
		return -EINVAL;
	}
	*out = NULL;
	vm = hal_page_alloc(0);
	if (!vm) {
		return -ENOMEM;
	}
	hal_spin_init(&vm->lock);
	vm->p = *p;
	vm->log_budget = LOG_BURST;
	vm->log_stamp = hal_time_ns();
	if (!vm->p.max_batch) {
		vm->p.max_batch = BATCH_DEFAULT;
	}
	if (!vm->p.shadow_pages) {
		vm->p.shadow_pages = SHADOW_PAGES_DEFAULT;
	}
	if (!vm->p.max_binds) {
		vm->p.max_binds = BINDS_DEFAULT;
	}
	if (!vm->p.max_irqs) {
		vm->p.max_irqs = IRQS_DEFAULT;
	}
	if (!vm->p.shadow_pages_total) {
		vm->p.shadow_pages_total =
			vm->p.shadow_pages > ~0ULL / SHADOWS_DEFAULT ?
			~0ULL : SHADOWS_DEFAULT * vm->p.shadow_pages;
	}
	*out = vm;
	return 0;
}

/* ---- Guest-physical addresses ------------------------------------------- */

/*
 * Is [@gpa, @gpa + @len) guest RAM of @vm, inside one of its ranges (so
 * never MMIO the domain may also map)?
 */
static bool in_ram(const struct vtd_vm *vm, u64 gpa, u64 len)
{
	const struct vtd_vm_ram *r;
	u32 i;

	if (!len || gpa + len - 1 < gpa) {
		return false;
	}
	for (i = 0; i < vm->p.ram_count; i++) {
		r = &vm->p.ram[i];
		if (gpa >= r->gpa && gpa + len - 1 <= r->gpa + r->size - 1) {
			return true;
		}
	}
	return false;
}

/*
 * The host address of the page of @gpa through the VM's own map, when it
 * is the VM's RAM and grants @need (VTD_PROT_*): 0 or -EFAULT.
 */
int vtd_vm_gpa_to_hpa(struct vtd_vm *vm, u64 gpa, u32 need, hal_paddr_t *hpa)
{
	u32 prot;

	if (!in_ram(vm, gpa & ~(u64)(HAL_PAGE_SIZE - 1), HAL_PAGE_SIZE) ||
	    vtd_domain_lookup(vm->p.domain, vtd_iova_init(gpa), hpa, &prot) ||
	    (prot & need) != need) {
		return -EFAULT;
	}
	return 0;
}

/* Copy @len bytes between @buf and guest memory at @gpa, page by page. */
int vtd_vm_copy(struct vtd_vm *vm, u64 gpa, void *buf, u64 len, bool to_guest)
{
	hal_paddr_t hpa;
	u64 chunk;
	u8 *p = buf;
	int ret;

	if (!in_ram(vm, gpa, len)) {
		return -EFAULT;
	}
	while (len) {
		chunk = HAL_PAGE_SIZE - (gpa & (HAL_PAGE_SIZE - 1));
		chunk = chunk < len ? chunk : len;
		ret = vtd_vm_gpa_to_hpa(vm, gpa, to_guest ? VTD_PROT_WRITE :
						 VTD_PROT_READ, &hpa);
		if (ret) {
			return ret;
		}
		if (to_guest) {
			hal_memcpy(hal_phys_to_virt(hpa), p, chunk);
		} else {
			hal_memcpy(p, hal_phys_to_virt(hpa), chunk);
		}
		gpa += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

/* ---- Devices -------------------------------------------------------------- */

/* @u's record in @vm, made with its passdown batch on first use. */
static int unit_get_locked(struct vtd_vm *vm, struct vtd_unit *u)
{
	struct vm_unit r = { .u = u };
	const struct vm_unit *x;
	u32 i;

	for (i = 0; i < vm->units.count; i++) {
		x = hal_vec_at(&vm->units, sizeof(r), i);
		if (x->u == u) {
			return 0;
		}
	}
	_Static_assert(sizeof(struct vtd_flush_batch) <= HAL_PAGE_SIZE,
		       "a passdown batch fits a page");
	if (hal_vec_reserve(&vm->units, sizeof(r), 1)) {
		return -ENOMEM;
	}
	r.batch = hal_page_alloc(0);
	if (!r.batch) {
		return -ENOMEM;
	}
	vtd_flush_batch_init(r.batch, u);
	hal_vec_push(&vm->units, sizeof(r), &r);
	return 0;
}

int vtd_vm_assign(struct vtd_vm *vm, struct vtd_unit *u, u16 sid, u32 *dev)
{
	struct vm_dev d = { .u = u, .sid = sid };
	int ret;

	if (!vm || !u || !dev) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	ret = hal_vec_reserve(&vm->devs, sizeof(d), 1);
	if (!ret) {
		ret = unit_get_locked(vm, u);
	}
	if (!ret) {
		ret = vtd_device_attach(u, sid, vm->p.domain, NULL);
	}
	if (!ret) {
		*dev = vm->devs.count;
		hal_vec_push(&vm->devs, sizeof(d), &d);
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}

/* The device behind handle @dev, or NULL (not the VM's). */
const struct vm_dev *vtd_vm_dev_locked(const struct vtd_vm *vm, u32 dev)
{
	hal_lock_assert_held(&vm->lock);
	if (dev >= vm->devs.count) {
		return NULL;
	}
	return hal_vec_at(&vm->devs, sizeof(struct vm_dev), dev);
}

/* ---- PASIDs --------------------------------------------------------------- */

int vtd_vm_pasid_alloc(struct vtd_vm *vm, u32 *pasid)
{
	int id;

	if (!vm || !pasid) {
		return -EINVAL;
	}
	if (vm->p.pasid_space != VTD_VM_PASIDS_HOST) {
		return -EOPNOTSUPP;
	}
	/* PASID 0 is every device's RID_PASID here: never handed out. */
	id = ioasid_alloc(vm->p.pasids, NULL, 1, (VTD_PASID_COUNT - 1), NULL);
	if (id < 0) {
		return id;
	}
	*pasid = (u32)id;
	return 0;
}

/*
 * May @vm name @pasid? Host namespace: it is in the VM's own set
 * (-ENOENT when not allocated, -EACCES when another VM's). Guest
 * namespace: any number the devices' tables can hold (the attach checks
 * the device's directory size and RID_PASID).
 */
int vtd_vm_pasid_check(struct vtd_vm *vm, u32 pasid)
{
	if (pasid > (VTD_PASID_COUNT - 1)) {
		return -EINVAL;
	}
	if (vm->p.pasid_space == VTD_VM_PASIDS_GUEST) {
		return 0;	/* 0: the devices' requests without PASID */
	}
	if (pasid == 0) {
		return -EINVAL;
	}
	return ioasid_find(vm->p.pasids, pasid, NULL, NULL, NULL);
}

int vtd_vm_errors(struct vtd_vm *vm, u32 dev, struct vtd_vm_errors *out)
{
	const struct vm_dev *d;
	int ret = 0;

	if (!vm || !out) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	if (dev == VTD_VM_ALL_DEVS) {
		*out = vm->err;
	} else if ((d = vtd_vm_dev_locked(vm, dev))) {
		*out = (struct vtd_vm_errors){ .inv_failed = d->inv_failed };
	} else {
		ret = -ENODEV;
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}
