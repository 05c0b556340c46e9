// SPDX-License-Identifier: BSD-2-Clause
/*
 * Buddy allocator of 4 KiB pages for the test kernel. It manages the
 * usable RAM of the firmware memory map that lies above the kernel image
 * and below the 4 GiB identity map. A block of order o is 2^o pages
 * aligned to its own size in physical memory (which the VT-d tables need:
 * a root table, a context table and an invalidation queue are naturally
 * aligned). Free blocks sit on one doubly linked list per order, threaded
 * through the free pages themselves; a table of one byte per page records
 * which pages head a free block and of which order, so that a freed block
 * merges with its buddy (the block whose page number differs in bit o)
 * whenever that buddy is free and of the same order. The lock is taken
 * with interrupts disabled, so an interrupt handler may allocate too
 * (hal/mem.h: "Context: any").
 */
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/lock.h>
#include <hal/log.h>
#include <hal/mem.h>
#include <hal/types.h>

#include <arch/cpu.h>
#include <arch/mm.h>
#include <arch/paging.h>
#include <arch/string.h>

#define PFN(pa)			((pa) >> HAL_PAGE_SHIFT)
#define PA(pfn)			((pfn) << HAL_PAGE_SHIFT)
#define STATE_ALLOCATED		0	/* or inside a block */

struct free_block {
	struct free_block *next, *prev;
};

static struct free_block free_lists[X86_PAGE_MAX_ORDER + 1];
static u8 *state;		/* per page from base_pfn: 0 or order + 1 */
static u64 base_pfn, end_pfn;
static u64 free_pages, total_pages;
static struct hal_spinlock lock = HAL_SPINLOCK_INIT;

static void list_push(unsigned int order, u64 pfn)
{
	struct free_block *b = (struct free_block *)(uintptr_t)PA(pfn);
	struct free_block *head = &free_lists[order];

	b->next = head->next;
	b->prev = head;
	head->next->prev = b;
	head->next = b;
	state[pfn - base_pfn] = (u8)(order + 1);
}

static void list_del(unsigned int order, u64 pfn)
{
	struct free_block *b = (struct free_block *)(uintptr_t)PA(pfn);

	b->prev->next = b->next;
	b->next->prev = b->prev;
	state[pfn - base_pfn] = STATE_ALLOCATED;
	(void)order;
}

/* Free one block of @order at @pfn, merging with free buddies. */
static void free_block_locked(u64 pfn, unsigned int order)
{
	hal_lock_assert_held(&lock);
	free_pages += 1ULL << order;
	while (order < X86_PAGE_MAX_ORDER) {
		u64 buddy = pfn ^ (1ULL << order);

		if (buddy < base_pfn || buddy >= end_pfn ||
		    state[buddy - base_pfn] != order + 1)
			break;
		list_del(order, buddy);
		pfn &= ~(1ULL << order);
		order++;
	}
	list_push(order, pfn);
}

/* Add the pages of [@start, @end) in the largest aligned blocks. */
static void add_range(u64 start, u64 end)
{
	u64 pfn = PFN(HAL_ALIGN_UP(start, HAL_PAGE_SIZE));
	u64 last = PFN(end);

	while (pfn < last) {
		unsigned int order = X86_PAGE_MAX_ORDER;

		while (order > 0 && ((pfn & ((1ULL << order) - 1)) ||
				     pfn + (1ULL << order) > last))
			order--;
		total_pages += 1ULL << order;
		free_block_locked(pfn, order);
		pfn += 1ULL << order;
	}
}

int x86_page_init(const struct x86_mem_range *ranges, u32 count,
		  u64 reserved_end)
{
	u64 lo = HAL_ALIGN_UP(reserved_end, HAL_PAGE_SIZE), hi = lo;
	u64 meta = 0, meta_size, s, e;
	unsigned int o;
	u32 i;

	if (!ranges || count == 0)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		if (ranges[i].type != X86_MEM_AVAILABLE)
			continue;
		e = ranges[i].base + ranges[i].length;
		if (e > X86_IDENTITY_LIMIT)
			e = X86_IDENTITY_LIMIT;
		e &= ~(u64)(HAL_PAGE_SIZE - 1);
		if (e > hi)
			hi = e;
	}
	if (hi <= lo)
		return -ENOMEM;
	meta_size = HAL_ALIGN_UP(PFN(hi - lo), HAL_PAGE_SIZE);

	/* The state table goes at the start of the first range that fits. */
	for (i = 0; i < count && !meta; i++) {
		if (ranges[i].type != X86_MEM_AVAILABLE)
			continue;
		s = HAL_ALIGN_UP(HAL_MAX(ranges[i].base, lo), HAL_PAGE_SIZE);
		e = HAL_MIN(ranges[i].base + ranges[i].length, hi);
		if (s < e && e - s >= meta_size)
			meta = s;
	}
	if (!meta)
		return -ENOMEM;

	hal_spin_lock(&lock);
	state = (u8 *)(uintptr_t)meta;
	memset(state, STATE_ALLOCATED, meta_size);
	base_pfn = PFN(lo);
	end_pfn = PFN(hi);
	free_pages = total_pages = 0;
	for (o = 0; o <= X86_PAGE_MAX_ORDER; o++)
		free_lists[o].next = free_lists[o].prev = &free_lists[o];

	for (i = 0; i < count; i++) {
		if (ranges[i].type != X86_MEM_AVAILABLE)
			continue;
		s = HAL_MAX(ranges[i].base, lo);
		e = HAL_MIN(ranges[i].base + ranges[i].length, hi);
		if (s >= e)
			continue;
		/* Leave out the state table itself. */
		if (s < meta + meta_size && meta < e) {
			if (s < meta)
				add_range(s, meta);
			if (meta + meta_size < e)
				add_range(meta + meta_size, e);
		} else {
			add_range(s, e);
		}
	}
	hal_spin_unlock(&lock);
	return total_pages ? 0 : -ENOMEM;
}

void *x86_page_alloc(unsigned int order)
{
	unsigned int o;
	u64 pfn, flags;

	if (order > X86_PAGE_MAX_ORDER || !state)
		return NULL;
	flags = x86_irq_save();
	hal_spin_lock(&lock);
	for (o = order; o <= X86_PAGE_MAX_ORDER; o++) {
		if (free_lists[o].next != &free_lists[o])
			break;
	}
	if (o > X86_PAGE_MAX_ORDER) {
		hal_spin_unlock(&lock);
		x86_irq_restore(flags);
		return NULL;
	}
	pfn = PFN((u64)(uintptr_t)free_lists[o].next);
	list_del(o, pfn);
	/* Split: the upper halves go back on the lower-order lists. */
	while (o > order) {
		o--;
		list_push(o, pfn + (1ULL << o));
	}
	free_pages -= 1ULL << order;
	hal_spin_unlock(&lock);
	x86_irq_restore(flags);

	memset((void *)(uintptr_t)PA(pfn), 0, HAL_PAGE_SIZE << order);
	return (void *)(uintptr_t)PA(pfn);
}

void x86_page_free(void *va, unsigned int order)
{
	u64 pa = (u64)(uintptr_t)va, pfn = PFN(pa), flags;

	if (!va)
		return;
	/* A bad free means the caller's bookkeeping is corrupt. */
	if (order > X86_PAGE_MAX_ORDER ||
	    !HAL_IS_ALIGNED(pa, HAL_PAGE_SIZE << order) || pfn < base_pfn ||
	    pfn + (1ULL << order) > end_pfn)
		hal_panic("page_free: bad block %p order %u", va, order);
	flags = x86_irq_save();
	hal_spin_lock(&lock);
	if (state[pfn - base_pfn] != STATE_ALLOCATED)
		hal_panic("page_free: double free of %p", va);
	free_block_locked(pfn, order);
	hal_spin_unlock(&lock);
	x86_irq_restore(flags);
}

u64 x86_page_free_count(void)
{
	return READ_ONCE(free_pages);
}

u64 x86_page_total_count(void)
{
	return READ_ONCE(total_pages);
}
