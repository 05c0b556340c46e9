/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Memory seam: zeroed, naturally aligned page blocks for translation
 * tables and queues, and the conversion between the library's pointers
 * and the host physical addresses that the hardware is given.
 */
#pragma once

#include <hal/types.h>

#define HAL_PAGE_SHIFT		12
#define HAL_PAGE_SIZE		(1UL << HAL_PAGE_SHIFT)

/**
 * hal_page_alloc() - Allocate 2^@order zeroed, physically contiguous pages.
 * @order: log2 of the page count (0 for one 4 KiB page).
 *
 * The block is aligned to its own size, both virtually and physically, and
 * is reachable by DMA-remapping hardware (below the unit's host address
 * width).
 *
 * Return: the block's virtual address, or NULL when memory is exhausted.
 * Context: any; may spin on an allocator lock, never sleeps.
 */
void *hal_page_alloc(unsigned int order);

/** hal_page_free() - Free a block from hal_page_alloc() with its @order. */
void hal_page_free(void *va, unsigned int order);

/** hal_virt_to_phys() - Host physical address of a library pointer. */
hal_paddr_t hal_virt_to_phys(const void *va);

/**
 * hal_phys_to_virt() - Library pointer for a host physical address that
 * lies in a block returned by hal_page_alloc().
 */
void *hal_phys_to_virt(hal_paddr_t pa);
