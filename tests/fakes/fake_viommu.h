/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A VM's virtual IOMMU as the host tests' "hypervisor" emulates it: a
 * register window routed through the fake HAL (fake_mmio_register())
 * whose virtual command block (0xe00..0xe3f) is libvtd's host-side
 * emulation of the VM (vtd_vm_vcmd_read/_write()), and whose other
 * registers are a plain register file: VER 1.0, QEMU's scalable-mode
 * CAP, and ECAP with what the host side offers the VM. A "guest"
 * instance of the library creates a unit over it. The test kernel has
 * its own, over its HAL's routing (tests/qemu/viommu.c).
 */
#pragma once

#include <hal/types.h>

struct vtd_vm;

struct fake_viommu {
	struct vtd_vm *vm;
	u64 base;
	u64 regs[0x1000 / 8];		/* the registers outside the block */
	/*
	 * After a VCMD write, VCRSP reads IP alone this many times (as a
	 * unit that completes later would); UINT32_MAX: forever.
	 */
	u32 busy_reads, busy_left;
	bool no_vccap;			/* VCCAP reads 0 */
};

/* Set @v up for @vm and route @base to it. 0 or -ENOSPC. */
int fake_viommu_register(struct fake_viommu *v, struct vtd_vm *vm, u64 base);

/* Drop the route. */
void fake_viommu_unregister(struct fake_viommu *v);
