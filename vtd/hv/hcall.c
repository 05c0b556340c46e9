// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hypercall entry point (<vtd/hv/abi.h>): one call number and the
 * guest-physical address of its argument block. The block is copied in
 * through the VM's own map (a GPA that is not the VM's RAM is -EFAULT,
 * never a host access), checked whole (version, size, reserved fields)
 * before anything is done, and copied back only when the call succeeded.
 * Guest-triggered logs are rate-limited per VM (a burst, then one a second).
 */
#include <hal/hal.h>
#include <ioasid/ioasid.h>
#include <vtd/hv/vm.h>

#include "vm_impl.h"

/*
 * Count a refused call against @vm, and log it within the VM's budget:
 * LOG_BURST lines, refilled one per LOG_REFILL_NS (a token bucket on
 * hal_time_ns()), so a guest that keeps failing calls costs the host's
 * log at most one line a second.
 */
static void log_refusal(struct vtd_vm *vm, u32 nr, int ret)
{
	u64 now = hal_time_ns(), refill;
	u32 left;

	hal_spin_lock(&vm->lock);
	vm->err.calls_failed++;
	refill = (now - vm->log_stamp) / LOG_REFILL_NS;
	if (refill) {
		vm->log_budget = (u32)HAL_MIN((u64)LOG_BURST,
					      vm->log_budget + refill);
		vm->log_stamp += refill * LOG_REFILL_NS;
	}
	left = vm->log_budget;
	vm->log_budget = left ? left - 1 : 0;
	hal_spin_unlock(&vm->lock);
	if (left) {
		hal_log(HAL_LOG_INFO, "vtd: hypercall %u refused (%d)%s\n",
			nr, ret, left > 1 ? "" :
			"; this VM's next refusals logged at most 1/s");
	}
}

/* Copy in a block of @size bytes and check its header. */
static int copy_in(struct vtd_vm *vm, u64 gpa, void *blk, u32 size)
{
	const struct vtd_hv_hdr *h = blk;
	int ret = vtd_vm_copy(vm, gpa, blk, size, false);

	if (ret) {
		return ret;
	}
	if (h->version != VTD_HV_ABI_VERSION || h->size != size) {
		return -EINVAL;
	}
	return 0;
}

static u32 unit_caps(const struct vtd_vm *vm, u32 *bind_flags, u32 *bits)
{
	u32 caps = VTD_HV_CAP_NESTED | VTD_HV_CAP_SHADOW | VTD_HV_CAP_AW48 |
		   VTD_HV_CAP_AW57;
	u32 flags = vm->p.allow_supervisor ?
		    VTD_HV_BIND_SRE | VTD_HV_BIND_WPE : 0;
	const struct vm_dev *d;
	u32 i, pss = 20;
	u64 cap, ecap;

	/* What every device's unit offers. */
	for (i = 0; i < vm->devs.count; i++) {
		d = hal_vec_at(&vm->devs, sizeof(*d), i);
		cap = vtd_unit_cap(d->u);
		ecap = vtd_unit_ecap(d->u);
		if (!(ecap & VTD_ECAP_NEST) ||
		    vtd_unit_paging_type(d->u) != VTD_DOMAIN_PAGING ||
		    ((vtd_unit_quirks(d->u) & VTD_QUIRK_SPR17_NESTED_AD) &&
		     !vm->p.ram_writable)) {
			caps &= ~VTD_HV_CAP_NESTED;
		}
		if (!(cap & VTD_CAP_FL5LP)) {
			caps &= ~VTD_HV_CAP_AW57;
		}
		if (!(ecap & VTD_ECAP_SRS)) {
			flags = 0;
		}
		if (FIELD_GET(VTD_ECAP_PSS, ecap) + 1 < pss) {
			pss = (u32)FIELD_GET(VTD_ECAP_PSS, ecap) + 1;
		}
	}
	*bind_flags = flags;
	*bits = pss;
	return caps;
}

static int call_query(struct vtd_vm *vm, u64 gpa)
{
	struct vtd_hv_caps c;
	int ret = copy_in(vm, gpa, &c, sizeof(c));

	if (ret) {
		return ret;
	}
	if (c.reserved[0] || c.reserved[1]) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	c.caps = unit_caps(vm, &c.bind_flags, &c.pasid_bits) |
		 (vm->p.pasid_space == VTD_VM_PASIDS_HOST ?
		  VTD_HV_CAP_HOST_PASIDS | VTD_HV_CAP_VCMD :
		  VTD_HV_CAP_GUEST_PASIDS);
	c.pasid_quota = vm->p.pasid_space == VTD_VM_PASIDS_HOST ?
			ioasid_set_quota(vm->p.pasids) : 0;
	c.max_batch = vm->p.max_batch;
	c.devices = vm->devs.count;
	hal_spin_unlock(&vm->lock);
	return vtd_vm_copy(vm, gpa, &c, sizeof(c), true);
}

static int call_pasid(struct vtd_vm *vm, u32 nr, u64 gpa)
{
	struct vtd_hv_pasid a;
	int ret = copy_in(vm, gpa, &a, sizeof(a));

	if (!ret && a.reserved) {
		ret = -EINVAL;
	}
	if (ret) {
		return ret;
	}
	if (nr == VTD_HV_PASID_FREE) {
		return vtd_vm_pasid_free(vm, a.pasid);
	}
	if (a.pasid) {
		return -EINVAL;		/* an out field, sent as zero */
	}
	ret = vtd_vm_pasid_alloc(vm, &a.pasid);
	if (ret) {
		return ret;
	}
	ret = vtd_vm_copy(vm, gpa, &a, sizeof(a), true);
	if (ret) {
		/* The guest cannot learn the ID: give it back. */
		ioasid_free(vm->p.pasids, NULL, a.pasid);
	}
	return ret;
}

static int call_bind(struct vtd_vm *vm, u32 nr, u64 gpa)
{
	struct vtd_hv_bind a;
	struct vtd_vm_bind b;
	int ret = copy_in(vm, gpa, &a, sizeof(a));

	if (!ret && a.reserved) {
		ret = -EINVAL;
	}
	if (ret) {
		return ret;
	}
	b = (struct vtd_vm_bind){
		.dev = a.dev, .pasid = a.pasid, .gpgd = vtd_gpa_init(a.gpgd),
		.addr_width = a.addr_width, .flags = a.flags,
	};
	return nr == VTD_HV_BIND ? vtd_vm_bind(vm, &b) :
				   vtd_vm_unbind(vm, b.dev, b.pasid);
}

static int call_invalidate(struct vtd_vm *vm, u64 gpa)
{
	struct vtd_hv_inv a;
	int ret = copy_in(vm, gpa, &a, sizeof(a));

	if (!ret && (a.reserved || a.done)) {
		ret = -EINVAL;
	}
	if (ret) {
		return ret;
	}
	hal_spin_lock(&vm->lock);
	ret = vtd_vm_invalidate_from(vm, NULL, a.entries, a.count, &a.done);
	hal_spin_unlock(&vm->lock);
	/* .done is the one result written back on error too. */
	if (vtd_vm_copy(vm, gpa, &a, sizeof(a), true) && !ret) {
		ret = -EFAULT;
	}
	return ret;
}

/* The route the host makes of the guest's (.dev, .vcpu, .vector). */
static int irq_target(struct vtd_vm *vm, const struct vtd_hv_irq *a,
		      struct vtd_vm_irq *r)
{
	bool mine;

	if (!vm->p.irq_target) {
		return -EOPNOTSUPP;
	}
	if (a->vcpu >= vm->p.vcpus || a->vector < VTD_HV_IRQ_VECTOR_MIN ||
	    a->vector > VTD_HV_IRQ_VECTOR_MAX) {
		return -EINVAL;
	}
	hal_spin_lock(&vm->lock);
	mine = vtd_vm_dev_locked(vm, a->dev) != NULL;
	hal_spin_unlock(&vm->lock);
	if (!mine) {
		return -ENODEV;
	}
	*r = (struct vtd_vm_irq){ .dev = a->dev, .vector = a->vector };
	return vm->p.irq_target(vm->p.irq_ctx, a->vcpu, a->vector, r);
}

static int call_irq(struct vtd_vm *vm, u32 nr, u64 gpa)
{
	struct vtd_hv_irq a;
	struct vtd_vm_irq r;
	struct vtd_msi msi;
	int ret = copy_in(vm, gpa, &a, sizeof(a));

	if (!ret && (a.reserved || a.msi_addr || a.msi_data ||
		     (nr == VTD_HV_IRQ_ROUTE && a.handle) ||
		     (nr == VTD_HV_IRQ_UNROUTE &&
		      (a.dev || a.vcpu || a.vector)))) {
		ret = -EINVAL;
	}
	if (!ret && nr == VTD_HV_IRQ_UNROUTE) {
		return vtd_vm_irq_unroute_as(vm, a.handle, true);
	}
	if (!ret) {
		ret = irq_target(vm, &a, &r);
	}
	if (!ret && nr == VTD_HV_IRQ_UPDATE) {
		return vtd_vm_irq_update_as(vm, a.handle, &r, true);
	}
	if (!ret) {
		ret = vtd_vm_irq_route_as(vm, &r, true, &a.handle, &msi);
	}
	if (ret) {
		return ret;
	}
	a.msi_addr = msi.addr | (u64)msi.addr_hi << 32;
	a.msi_data = msi.data;
	ret = vtd_vm_copy(vm, gpa, &a, sizeof(a), true);
	if (ret) {
		/* The guest cannot learn the route: free it. */
		vtd_vm_irq_unroute_as(vm, a.handle, true);
	}
	return ret;
}

static int call_vcmd(struct vtd_vm *vm, u64 gpa)
{
	struct vtd_hv_vcmd a;
	int ret = copy_in(vm, gpa, &a, sizeof(a));

	if (!ret && (a.reserved || a.rsp)) {
		ret = -EINVAL;
	}
	if (!ret) {
		ret = vtd_vm_vcmd(vm, a.cmd, &a.rsp);
	}
	if (ret) {
		return ret;
	}
	ret = vtd_vm_copy(vm, gpa, &a, sizeof(a), true);
	if (ret && FIELD_GET(VTD_VCMD_CMD, a.cmd) == VTD_VCMD_CMD_ALLOC_PASID &&
	    FIELD_GET(VTD_VCRSP_SC, a.rsp) == VTD_VCRSP_SC_OK) {
		/* The guest cannot learn the ID: give it back. */
		ioasid_free(vm->p.pasids, NULL,
			    (u32)FIELD_GET(VTD_VCRSP_RSLT_PASID, a.rsp));
	}
	return ret;
}

int vtd_vm_hypercall(struct vtd_vm *vm, u32 nr, vtd_gpa_t arg)
{
	u64 gpa = vtd_gpa_val(arg);
	int ret;

	if (!vm) {
		return -EINVAL;
	}
	switch (nr) {
	case VTD_HV_QUERY:
		ret = call_query(vm, gpa);
		break;
	case VTD_HV_PASID_ALLOC:
	case VTD_HV_PASID_FREE:
		ret = call_pasid(vm, nr, gpa);
		break;
	case VTD_HV_BIND:
	case VTD_HV_UNBIND:
		ret = call_bind(vm, nr, gpa);
		break;
	case VTD_HV_INVALIDATE:
		ret = call_invalidate(vm, gpa);
		break;
	case VTD_HV_IRQ_ROUTE:
	case VTD_HV_IRQ_UPDATE:
	case VTD_HV_IRQ_UNROUTE:
		ret = call_irq(vm, nr, gpa);
		break;
	case VTD_HV_VCMD:
		ret = call_vcmd(vm, gpa);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	if (ret) {
		log_refusal(vm, nr, ret);
	}
	return ret;
}
