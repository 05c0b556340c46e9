/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test kernel's MMIO routing: hal_mmio_map() of a routed window
 * returns a region whose accesses call the handlers instead of touching
 * memory. It is what a hypervisor's MMIO trap does for a register block
 * it emulates (a guest's virtual IOMMU), so that a "guest" instance of
 * libvtd in the same kernel can drive the host side's emulation.
 */
#pragma once

#include <hal/types.h>

struct x86_mmio_ops {
	/* An access of @width (4 or 8) bytes at @off into the window. */
	u64 (*read)(void *ctx, u32 off, unsigned int width);
	void (*write)(void *ctx, u32 off, unsigned int width, u64 val);
};

/**
 * x86_mmio_route() - Route hal_mmio_map(@base, size <= @size) to @ops
 * on @ctx from now on (regions already mapped keep what they had).
 * Return: 0; -EINVAL; -ENOSPC (all routes in use).
 */
int x86_mmio_route(u64 base, u64 size, const struct x86_mmio_ops *ops,
		   void *ctx);

/** x86_mmio_unroute() - Forget the route at @base. */
void x86_mmio_unroute(u64 base);
