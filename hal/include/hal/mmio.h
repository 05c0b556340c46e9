/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MMIO seam. A register window is an opaque region handle plus byte
 * offsets, so that a test double sees (region, offset, width, value) and
 * never a raw address. The integrator maps a physical window once with
 * hal_mmio_map() and the library addresses registers relative to it.
 */
#pragma once

#include <hal/types.h>

struct hal_mmio;

/**
 * hal_mmio_map() - Map a physical MMIO window for register access.
 * @base: physical base address of the window.
 * @size: window length in bytes (a multiple of 4 KiB).
 *
 * Return: a region handle, or NULL when the window cannot be mapped.
 * Context: may allocate; called at unit discovery only.
 */
struct hal_mmio *hal_mmio_map(hal_paddr_t base, u64 size);

/** hal_mmio_unmap() - Release a region returned by hal_mmio_map(). */
void hal_mmio_unmap(struct hal_mmio *r);

/*
 * Single-copy, uncached register accesses at byte offset @off of region @r.
 * 32-bit accesses are 4-byte aligned and 64-bit accesses 8-byte aligned.
 * Context: any; never sleeps.
 */
u32 hal_mmio_read32(const struct hal_mmio *r, u32 off);
u64 hal_mmio_read64(const struct hal_mmio *r, u32 off);
void hal_mmio_write32(const struct hal_mmio *r, u32 off, u32 val);
void hal_mmio_write64(const struct hal_mmio *r, u32 off, u64 val);
