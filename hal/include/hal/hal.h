/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The HAL seam: everything the host hypervisor provides to libvtd, and
 * nothing more. The functions are link-time symbols (no operations table):
 *
 *   mmio.h   hal_mmio_map/unmap, hal_mmio_read32/64, hal_mmio_write32/64
 *   mem.h    hal_page_alloc/free, hal_virt_to_phys, hal_phys_to_virt
 *   time.h   hal_time_ns, hal_cpu_relax
 *   cache.h  hal_cache_flush_line, hal_fence
 *   log.h    hal_log, hal_panic
 *   lock.h   hal_spin_init/lock/unlock/held (type from <hal/lock_impl.h>)
 *
 * atomic.h, bits.h, compiler.h, errno.h, string.h and types.h are
 * header-only and need nothing from the host. docs/PORTING.md describes
 * each function's contract.
 */
#pragma once

#include <hal/atomic.h>
#include <hal/bits.h>
#include <hal/cache.h>
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/lock.h>
#include <hal/log.h>
#include <hal/mem.h>
#include <hal/mmio.h>
#include <hal/string.h>
#include <hal/time.h>
#include <hal/types.h>
