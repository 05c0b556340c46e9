/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test hypervisor's virtual IOMMU for a VM (tests/qemu/viommu.c): a
 * register window routed through the kernel HAL (<arch/mmio_route.h>)
 * whose virtual command block (0xe00..0xe3f) is libvtd's host-side
 * emulation of the VM (vtd_vm_vcmd_read/_write()), and whose other
 * registers are a plain register file (VER, CAP, and ECAP with what the
 * host side offers). A "guest" instance of libvtd creates a unit over it
 * and registers the VCMD allocator (<vtd/vcmd.h>).
 */
#pragma once

#include <hal/types.h>

struct vtd_unit;
struct vtd_vm;

struct viommu {
	struct vtd_vm *vm;
	u64 base;
	u64 regs[0x1000 / 8];
	struct vtd_unit *gu;		/* the guest's unit over it */
};

/* Route @base to @v for @vm and create the guest's unit. 0 or -errno. */
int viommu_up(struct viommu *v, struct vtd_vm *vm, u64 base);

/* Destroy the guest's unit and drop the route. 0 or -errno. */
int viommu_down(struct viommu *v);
