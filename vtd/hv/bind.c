// SPDX-License-Identifier: BSD-2-Clause
/*
 * Guest PASID bind and unbind [VT-d 3.8, 9.6; GUEST-SVA 1, 7]: a PASID of
 * a device assigned to the VM is made to translate through the guest's
 * own first-level table (its CR3, a guest-physical address), nested over
 * the VM's second-level map, so that the second level contains every
 * address the guest's tables name. The guest chooses only its table, its
 * width and the flags SRE and WPE; the host chooses the DID, the
 * second-level table, its width and snooping.
 */
#include <hal/hal.h>
#include <vtd/hv/vm.h>

#include "vm_impl.h"

#define BIND_SIZE	sizeof(struct vm_bind)

static struct vm_bind *bind_find_locked(const struct vtd_vm *vm, u32 dev,
					u32 pasid, u32 *index)
{
	struct vm_bind *b;
	u32 i;

	for (i = 0; i < vm->binds.count; i++) {
		b = hal_vec_at(&vm->binds, BIND_SIZE, i);
		if (b->dev == dev && b->pasid == pasid) {
			*index = i;
			return b;
		}
	}
	return NULL;
}

/*
 * [GUEST-SVA 7.2, 7.3] The flags and width of a bind, against the unit
 * and the VM's policy. Returns the library's VTD_PASID_* flags in @out
 * and the guest's paging levels in @levels.
 */
static int check_flags(const struct vtd_vm *vm, const struct vtd_unit *u,
		       const struct vtd_vm_bind *b, u32 *out,
		       unsigned int *levels)
{
	u64 cap = vtd_unit_cap(u), ecap = vtd_unit_ecap(u);

	if (b->flags & ~(VTD_HV_BIND_SRE | VTD_HV_BIND_EAFE |
			 VTD_HV_BIND_WPE)) {
		return -EINVAL;
	}
	/* WPE only qualifies supervisor writes [VT-d 9.6]. */
	if ((b->flags & VTD_HV_BIND_WPE) && !(b->flags & VTD_HV_BIND_SRE)) {
		return -EINVAL;
	}
	if (b->addr_width != 48 && b->addr_width != 57) {
		return -EINVAL;
	}
	if ((b->flags & VTD_HV_BIND_SRE) && !vm->p.allow_supervisor) {
		return -EPERM;
	}
	/* Extended-accessed tracking is not offered to guests. */
	if ((b->flags & VTD_HV_BIND_EAFE) ||
	    ((b->flags & VTD_HV_BIND_SRE) && !(ecap & VTD_ECAP_SRS)) ||
	    (b->addr_width == 57 && !(cap & VTD_CAP_FL5LP))) {
		return -EOPNOTSUPP;
	}
	*levels = b->addr_width == 57 ? 5 : 4;
	*out = ((b->flags & VTD_HV_BIND_SRE) ? VTD_PASID_SRE : 0) |
	       ((b->flags & VTD_HV_BIND_WPE) ? VTD_PASID_WPE : 0) |
	       ((cap & VTD_CAP_FL1GP) ? VTD_PASID_FL_1G : 0);
	return 0;
}

/*
 * Nested when the unit nests and the VM's map is a second-level domain,
 * for PASIDs other than the RID_PASID, and, on a unit with the SPR17
 * erratum, only when the host keeps the VM's RAM writable [GUEST-SVA 8];
 * shadowed otherwise.
 */
static bool nested(const struct vtd_vm *vm, const struct vm_dev *d,
		   u32 pasid)
{
	return (vtd_unit_ecap(d->u) & VTD_ECAP_NEST) &&
	       vtd_unit_paging_type(d->u) == VTD_DOMAIN_PAGING &&
	       (!(vtd_unit_quirks(d->u) & VTD_QUIRK_SPR17_NESTED_AD) ||
		vm->p.ram_writable) &&
	       !(vm->p.pasid_space == VTD_VM_PASIDS_GUEST &&
		 pasid == VTD_VM_RID_PASID);
}

int vtd_vm_bind(struct vtd_vm *vm, const struct vtd_vm_bind *b)
{
	const struct vm_dev *d;
	struct vm_bind rec;
	unsigned int levels;
	hal_paddr_t hpa;
	u32 flags, i;
	int ret;

	if (!vm || !b) {
		return -EINVAL;
	}
	rec = (struct vm_bind){ .dev = b->dev, .pasid = b->pasid };
	if (vm->p.pasid_space == VTD_VM_PASIDS_HOST && !b->pasid) {
		return -EINVAL;		/* no host PASID 0 */
	}
	hal_spin_lock(&vm->lock);
	d = vtd_vm_dev_locked(vm, b->dev);
	ret = d ? 0 : -ENODEV;
	if (!ret) {
		ret = check_flags(vm, d->u, b, &flags, &levels);
	}
	if (!ret && (vtd_gpa_val(b->gpgd) & (HAL_PAGE_SIZE - 1))) {
		ret = -EINVAL;
	}
	/* [GUEST-SVA 7.4] The table is the VM's RAM, never MMIO. */
	if (!ret) {
		ret = vtd_vm_gpa_to_hpa(vm, vtd_gpa_val(b->gpgd),
					VTD_PROT_READ, &hpa);
	}
	if (!ret) {
		ret = vtd_vm_pasid_check(vm, b->pasid);
	}
	if (!ret && bind_find_locked(vm, b->dev, b->pasid, &i)) {
		ret = -EBUSY;
	}
	if (!ret && vm->binds.count >= vm->p.max_binds) {
		ret = -EDQUOT;
	}
	if (!ret) {
		ret = hal_vec_reserve(&vm->binds, BIND_SIZE, 1);
	}
	if (!ret && nested(vm, d, b->pasid)) {
		ret = vtd_pasid_attach_nested(d->u, d->sid, b->pasid,
					      vm->p.domain, b->gpgd, levels,
					      flags);
	} else if (!ret) {
		ret = vtd_vm_shadow_bind_locked(vm, &rec, b->gpgd, levels,
						flags);
	}
	if (!ret) {
		hal_vec_push(&vm->binds, BIND_SIZE, &rec);
	} else if (!vm->binds.count) {
		hal_vec_free(&vm->binds);	/* a failure leaves no memory */
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}

/*
 * Undo binding @i: the PASID entry is cleared and its caches invalidated
 * (PASID cache, IOTLB, device TLB) before the record goes [GUEST-SVA 6].
 */
static int unbind_locked(struct vtd_vm *vm, u32 i)
{
	struct vm_bind *b = hal_vec_at(&vm->binds, BIND_SIZE, i);
	const struct vm_dev *d = vtd_vm_dev_locked(vm, b->dev);
	int ret;

	if (b->sh) {
		ret = vtd_vm_shadow_unbind_locked(vm, b);
	} else {
		ret = vtd_pasid_detach(d->u, d->sid, b->pasid);
	}
	if (ret && ret != -ENOENT) {
		return ret;
	}
	hal_vec_remove(&vm->binds, BIND_SIZE, i);
	return 0;
}

int vtd_vm_unbind(struct vtd_vm *vm, u32 dev, u32 pasid)
{
	int ret;
	u32 i;

	if (!vm) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	if (!vtd_vm_dev_locked(vm, dev)) {
		ret = -ENODEV;
	} else if (!bind_find_locked(vm, dev, pasid, &i)) {
		ret = -ENOENT;
	} else {
		ret = unbind_locked(vm, i);
	}
	hal_spin_unlock(&vm->lock);
	return ret;
}

/* Every binding of @pasid on the VM's devices (before the PASID is freed). */
int vtd_vm_unbind_pasid_locked(struct vtd_vm *vm, u32 pasid)
{
	const struct vm_bind *b;
	int ret;
	u32 i;

	hal_lock_assert_held(&vm->lock);
	for (i = 0; i < vm->binds.count;) {
		b = hal_vec_at(&vm->binds, BIND_SIZE, i);
		if (b->pasid != pasid) {
			i++;
			continue;
		}
		ret = unbind_locked(vm, i);	/* the last one moves to i */
		if (ret) {
			return ret;
		}
	}
	return 0;
}

int vtd_vm_unbind_all_locked(struct vtd_vm *vm)
{
	int ret;

	hal_lock_assert_held(&vm->lock);
	while (vm->binds.count) {
		ret = unbind_locked(vm, vm->binds.count - 1);
		if (ret) {
			return ret;
		}
	}
	return 0;
}

/* Is @pasid bound on device @dev of @vm? (passdown.c) */
bool vtd_vm_is_bound_locked(const struct vtd_vm *vm, u32 dev, u32 pasid)
{
	u32 i;

	return bind_find_locked(vm, dev, pasid, &i) != NULL;
}

/* Does any binding of the VM's devices use @pasid? */
bool vtd_vm_pasid_bound_locked(const struct vtd_vm *vm, u32 pasid)
{
	const struct vm_bind *b;
	u32 i;

	hal_lock_assert_held(&vm->lock);
	for (i = 0; i < vm->binds.count; i++) {
		b = hal_vec_at(&vm->binds, BIND_SIZE, i);
		if (b->pasid == pasid) {
			return true;
		}
	}
	return false;
}
