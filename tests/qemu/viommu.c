// SPDX-License-Identifier: BSD-2-Clause
/*
 * The test hypervisor's virtual IOMMU (<boot_test/viommu.h>): what its
 * MMIO trap would do with a guest's accesses to the virtual unit.
 */
#include <hal/errno.h>
#include <hal/types.h>

#include <vtd/dmar.h>
#include <vtd/hv/vm.h>
#include <vtd/hw/regs.h>
#include <vtd/vtd.h>

#include <arch/mmio_route.h>

#include <boot_test/viommu.h>

/* CAP: SAGAW 48 bits, 8 domain-ID bits (ND 2) [VT-d 11.4.2]. */
#define VIOMMU_CAP	(FIELD_PREP(VTD_CAP_SAGAW, VTD_CAP_SAGAW_48) | \
			 FIELD_PREP(VTD_CAP_ND, 2))

static u64 vreg_read(void *ctx, u32 off, unsigned int width)
{
	struct viommu *v = ctx;
	u64 val;

	if (width == 8 && !vtd_vm_vcmd_read(v->vm, off, &val))
		return val;
	val = v->regs[off / 8];
	return width == 8 ? val : (u32)(val >> (8 * (off & 4)));
}

static void vreg_write(void *ctx, u32 off, unsigned int width, u64 val)
{
	struct viommu *v = ctx;

	if (width == 8 && !vtd_vm_vcmd_write(v->vm, off, val))
		return;
	v->regs[off / 8] = val;
}

static const struct x86_mmio_ops vreg_ops = {
	.read = vreg_read,
	.write = vreg_write,
};

int viommu_up(struct viommu *v, struct vtd_vm *vm, u64 base)
{
	struct vtd_dmar_drhd drhd = {
		.reg_base = base, .reg_size = 0x1000,
	};
	int ret;

	*v = (struct viommu){ .vm = vm, .base = base };
	v->regs[VTD_VER_REG / 8] = 0x10;
	v->regs[VTD_CAP_REG / 8] = VIOMMU_CAP;
	v->regs[VTD_ECAP_REG / 8] = vtd_vm_vcmd_ecap(vm);
	ret = x86_mmio_route(base, 0x1000, &vreg_ops, v);
	if (ret)
		return ret;
	ret = vtd_unit_create(&drhd, NULL, &v->gu);
	if (ret)
		x86_mmio_unroute(base);
	return ret;
}

int viommu_down(struct viommu *v)
{
	int ret = vtd_unit_destroy(v->gu);

	x86_mmio_unroute(v->base);
	return ret;
}
