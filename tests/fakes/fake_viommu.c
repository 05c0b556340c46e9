// SPDX-License-Identifier: BSD-2-Clause
/* A VM's virtual IOMMU for the host tests: see fake_viommu.h. */
#include <stdint.h>
#include <string.h>

#include <vtd/hv/vm.h>
#include <vtd/hw/regs.h>

#include "fake_dmar.h"
#include "fake_hal.h"
#include "fake_viommu.h"

static u64 vreg_read(void *ctx, u32 off, unsigned int width)
{
	struct fake_viommu *v = ctx;
	u64 val;

	if (width == 8 && !vtd_vm_vcmd_read(v->vm, off, &val)) {
		if (off == VTD_VCRSP_REG && v->busy_left) {
			v->busy_left -= v->busy_left != UINT32_MAX;
			return VTD_VCRSP_IP;
		}
		return off == VTD_VCCAP_REG && v->no_vccap ? 0 : val;
	}
	val = v->regs[off / 8];
	return width == 8 ? val : (u32)(val >> (8 * (off & 4)));
}

static void vreg_write(void *ctx, u32 off, unsigned int width, u64 val)
{
	struct fake_viommu *v = ctx;

	if (width == 8 && !vtd_vm_vcmd_write(v->vm, off, val)) {
		v->busy_left = off == VTD_VCMD_REG ? v->busy_reads : 0;
		return;
	}
	v->regs[off / 8] = val;
}

static const struct fake_mmio_ops vreg_ops = {
	.read = vreg_read, .write = vreg_write,
};

int fake_viommu_register(struct fake_viommu *v, struct vtd_vm *vm, u64 base)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->base = base;
	v->regs[VTD_VER_REG / 8] = 0x10;
	v->regs[VTD_CAP_REG / 8] = FAKE_DMAR_QEMU_CAP_SM;
	v->regs[VTD_ECAP_REG / 8] = vtd_vm_vcmd_ecap(vm);
	return fake_mmio_register(base, 0x1000, &vreg_ops, v);
}

void fake_viommu_unregister(struct fake_viommu *v)
{
	fake_mmio_unregister(v->base);
}
