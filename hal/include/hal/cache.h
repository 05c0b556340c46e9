/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cache seam. A DMA-remapping unit whose ECAP.C is 0 reads translation
 * structures without snooping the CPU caches [VT-d 6.1], so every table
 * write must be written back before the unit is told about it.
 */
#pragma once

#include <hal/types.h>

#define HAL_CACHE_LINE		64

/**
 * hal_cache_flush_line() - Write back and invalidate the cache line that
 * holds @va (CLFLUSH on x86). Unordered: follow with hal_fence().
 */
void hal_cache_flush_line(const void *va);

/**
 * hal_fence() - Order all earlier stores and cache-line flushes before any
 * later store, including MMIO (MFENCE on x86).
 */
void hal_fence(void);
