/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Physical memory of the test kernel: the firmware memory map as the
 * loader reported it, and a buddy allocator of 4 KiB pages over the
 * usable RAM above the kernel image and below the 4 GiB identity map.
 * hal_page_alloc()/hal_page_free() are thin wrappers around it.
 */
#pragma once

#include <hal/types.h>

#define X86_MEM_AVAILABLE	1	/* [MB1 3.3] type of usable RAM */
#define X86_PAGE_MAX_ORDER	10	/* largest block: 4 MiB */

struct x86_mem_range {
	u64 base;
	u64 length;
	u32 type;
};

/**
 * x86_page_init() - Hand every usable page in @ranges above @reserved_end
 * (the kernel image's end) and below 4 GiB to the allocator. The
 * allocator's own per-page table is carved from the first such page.
 *
 * Return: 0, -ENOMEM when no usable RAM is left, or -EINVAL for bad input.
 */
int x86_page_init(const struct x86_mem_range *ranges, u32 count,
		  u64 reserved_end);

/** x86_page_alloc() - 2^@order zeroed pages, aligned to their size. */
void *x86_page_alloc(unsigned int order);

/** x86_page_free() - Return a block from x86_page_alloc() (with its order). */
void x86_page_free(void *va, unsigned int order);

/** x86_page_free_count() - Pages currently free. */
u64 x86_page_free_count(void);

/** x86_page_total_count() - Pages the allocator manages. */
u64 x86_page_total_count(void);
