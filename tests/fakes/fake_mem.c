// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fake page memory for host tests: one reserved region handed out in
 * naturally aligned power-of-two blocks (a binary buddy allocator), with
 * physical addresses FAKE_PHYS_BASE + offset, so that they never equal the
 * pointers the library uses. Freed blocks are filled with a poison byte
 * and, under AddressSanitizer, poisoned, so that a use after free shows.
 * Each page counts its allocations and frees (its generation), and
 * registered hooks see every free before it happens, so that a model of
 * a device can tell a page it remembers from its later reuse.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fake_hal.h"

#define MAX_ORDER	18			/* 1 GiB in 4 KiB pages */
#define PAGE_COUNT	(FAKE_MEM_SIZE >> HAL_PAGE_SHIFT)

#if defined(__SANITIZE_ADDRESS__)
#define FAKE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAKE_ASAN 1
#endif
#endif
#ifdef FAKE_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define POISON(a, s)	__asan_poison_memory_region((a), (s))
#define UNPOISON(a, s)	__asan_unpoison_memory_region((a), (s))
#else
#define POISON(a, s)	((void)(a), (void)(s))
#define UNPOISON(a, s)	((void)(a), (void)(s))
#endif

static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static u8 *pool;
/* Per page: order + 1 when the page heads an allocated block, else 0. */
static u8 alloc_order[PAGE_COUNT];
/* Per page: order + 1 when the page heads a free block, else 0. */
static u8 free_order[PAGE_COUNT];
/* Free lists per order, linked through page indices. */
#define NONE		UINT32_MAX
static u32 free_head[MAX_ORDER + 1];
static u32 free_next[PAGE_COUNT];
static u32 free_prev[PAGE_COUNT];
static u64 in_use;
static u64 alloc_calls;
static u64 fail_at;
static bool fail_sticky;
static void (*alloc_hook)(void *ctx);
static void *alloc_hook_ctx;
/* Per page: allocations plus frees, so odd while allocated. */
static u32 page_gen[PAGE_COUNT];
#define FREE_HOOKS_MAX	8
static struct {
	fake_mem_free_fn fn;
	void *ctx;
} free_hooks[FREE_HOOKS_MAX];
static unsigned int free_hook_count;	/* read without the lock */

static void list_add_locked(u64 page, unsigned int order)
{
	free_order[page] = order + 1;
	free_prev[page] = NONE;
	free_next[page] = free_head[order];
	if (free_head[order] != NONE)
		free_prev[free_head[order]] = (u32)page;
	free_head[order] = (u32)page;
}

static void list_del_locked(u64 page, unsigned int order)
{
	u32 n = free_next[page], p = free_prev[page];

	free_order[page] = 0;
	if (p != NONE)
		free_next[p] = n;
	else
		free_head[order] = n;
	if (n != NONE)
		free_prev[n] = p;
}

static void pool_init_locked(void)
{
	if (pool)
		return;
	pool = mmap(NULL, FAKE_MEM_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pool == MAP_FAILED) {
		perror("fake_mem: mmap");
		abort();
	}
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		free_head[o] = NONE;
	list_add_locked(0, MAX_ORDER);
	POISON(pool, FAKE_MEM_SIZE);
}

static u64 buddy_of(u64 page, unsigned int order)
{
	return page ^ (1ULL << order);
}

/* Take a free block of @order, splitting a larger one if needed. */
static long take_block_locked(unsigned int order)
{
	unsigned int o;
	u64 p;

	for (o = order; o <= MAX_ORDER; o++) {
		if (free_head[o] == NONE)
			continue;
		p = free_head[o];
		list_del_locked(p, o);
		while (o > order) {
			o--;
			list_add_locked(p + (1ULL << o), o);
		}
		return (long)p;
	}
	return -1;
}

void *hal_page_alloc(unsigned int order)
{
	void (*hook)(void *ctx);
	long page;
	void *va;

	pthread_mutex_lock(&mem_lock);
	hook = alloc_hook;
	alloc_hook = NULL;
	pthread_mutex_unlock(&mem_lock);
	if (hook)
		hook(alloc_hook_ctx);
	if (order > MAX_ORDER)
		return NULL;
	pthread_mutex_lock(&mem_lock);
	pool_init_locked();
	alloc_calls++;
	if (fail_at) {
		if (fail_at == 1) {
			if (!fail_sticky)
				fail_at = 0;
			pthread_mutex_unlock(&mem_lock);
			return NULL;
		}
		fail_at--;
	}
	page = take_block_locked(order);
	if (page < 0) {
		pthread_mutex_unlock(&mem_lock);
		return NULL;
	}
	alloc_order[page] = order + 1;
	in_use += 1ULL << order;
	for (u64 i = 0; i < (1ULL << order); i++)
		page_gen[page + i]++;
	va = pool + ((u64)page << HAL_PAGE_SHIFT);
	UNPOISON(va, HAL_PAGE_SIZE << order);
	memset(va, 0, HAL_PAGE_SIZE << order);
	pthread_mutex_unlock(&mem_lock);
	return va;
}

/* The free hooks, as registered, outside the allocator's lock. */
static void call_free_hooks(void *va, unsigned int order)
{
	fake_mem_free_fn fn[FREE_HOOKS_MAX];
	void *ctx[FREE_HOOKS_MAX];
	unsigned int i, n = 0;
	u64 pa;

	/* No model registered (the benchmarks): no lock taken. */
	if (!__atomic_load_n(&free_hook_count, __ATOMIC_ACQUIRE))
		return;
	pa = fake_virt_to_phys_checked(va);
	pthread_mutex_lock(&mem_lock);
	for (i = 0; i < FREE_HOOKS_MAX; i++) {
		if (free_hooks[i].fn) {
			fn[n] = free_hooks[i].fn;
			ctx[n++] = free_hooks[i].ctx;
		}
	}
	pthread_mutex_unlock(&mem_lock);
	for (i = 0; i < n && pa; i++)
		fn[i](ctx[i], pa, HAL_PAGE_SIZE << order);
}

void hal_page_free(void *va, unsigned int order)
{
	u64 page, buddy;

	if (!va)
		return;
	call_free_hooks(va, order);
	pthread_mutex_lock(&mem_lock);
	if ((u8 *)va < pool || (u8 *)va >= pool + FAKE_MEM_SIZE ||
	    ((uintptr_t)va & (HAL_PAGE_SIZE - 1))) {
		fprintf(stderr, "fake_mem: free of foreign pointer %p\n", va);
		abort();
	}
	page = (u64)((u8 *)va - pool) >> HAL_PAGE_SHIFT;
	if (alloc_order[page] != order + 1) {
		fprintf(stderr, "fake_mem: free of %p with order %u, "
			"allocated %d\n", va, order, alloc_order[page] - 1);
		abort();
	}
	alloc_order[page] = 0;
	in_use -= 1ULL << order;
	for (u64 i = 0; i < (1ULL << order); i++)
		page_gen[page + i]++;
	memset(va, 0x6b, HAL_PAGE_SIZE << order);
	POISON(va, HAL_PAGE_SIZE << order);
	/* Merge with free buddies. */
	while (order < MAX_ORDER) {
		buddy = buddy_of(page, order);
		if (free_order[buddy] != order + 1)
			break;
		list_del_locked(buddy, order);
		page = page < buddy ? page : buddy;
		order++;
	}
	list_add_locked(page, order);
	pthread_mutex_unlock(&mem_lock);
}

hal_paddr_t hal_virt_to_phys(const void *va)
{
	const u8 *p = va;

	if (!pool || p < pool || p >= pool + FAKE_MEM_SIZE) {
		fprintf(stderr, "fake_mem: virt_to_phys of foreign pointer "
			"%p\n", va);
		abort();
	}
	return hal_paddr_init(FAKE_PHYS_BASE + (u64)(p - pool));
}

/* Find the allocated block holding @page, or -1. */
static long block_of_locked(u64 page)
{
	unsigned int o;
	u64 head;

	for (o = 0; o <= MAX_ORDER; o++) {
		head = page & ~((1ULL << o) - 1);
		if (alloc_order[head] == o + 1)
			return (long)head;
	}
	return -1;
}

bool fake_mem_phys_valid(u64 pa, u64 len)
{
	u64 first, last;
	long b1, b2;

	if (!pool || pa < FAKE_PHYS_BASE || len == 0 ||
	    pa - FAKE_PHYS_BASE >= FAKE_MEM_SIZE ||
	    FAKE_MEM_SIZE - (pa - FAKE_PHYS_BASE) < len)
		return false;
	first = (pa - FAKE_PHYS_BASE) >> HAL_PAGE_SHIFT;
	last = (pa - FAKE_PHYS_BASE + len - 1) >> HAL_PAGE_SHIFT;
	pthread_mutex_lock(&mem_lock);
	b1 = block_of_locked(first);
	b2 = block_of_locked(last);
	pthread_mutex_unlock(&mem_lock);
	return b1 >= 0 && b1 == b2;
}

void *fake_phys_to_virt_checked(u64 pa, u64 len)
{
	if (!fake_mem_phys_valid(pa, len))
		return NULL;
	return pool + (pa - FAKE_PHYS_BASE);
}

u64 fake_virt_to_phys_checked(const void *va)
{
	const u8 *p = va;

	if (!pool || p < pool || p >= pool + FAKE_MEM_SIZE)
		return 0;
	return FAKE_PHYS_BASE + (u64)(p - pool);
}

void *hal_phys_to_virt(hal_paddr_t pa)
{
	void *va = fake_phys_to_virt_checked(hal_paddr_val(pa), 1);

	if (!va) {
		fprintf(stderr, "fake_mem: phys_to_virt of %#llx, which is "
			"not allocated fake memory\n",
			(unsigned long long)hal_paddr_val(pa));
		abort();
	}
	return va;
}

u64 fake_mem_pages_in_use(void)
{
	u64 n;

	pthread_mutex_lock(&mem_lock);
	n = in_use;
	pthread_mutex_unlock(&mem_lock);
	return n;
}

u64 fake_mem_alloc_calls(void)
{
	u64 n;

	pthread_mutex_lock(&mem_lock);
	n = alloc_calls;
	pthread_mutex_unlock(&mem_lock);
	return n;
}

void fake_mem_set_alloc_hook(void (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&mem_lock);
	alloc_hook = fn;
	alloc_hook_ctx = ctx;
	pthread_mutex_unlock(&mem_lock);
}

u32 fake_mem_page_gen(u64 pa)
{
	u32 gen;

	if (!pool || pa < FAKE_PHYS_BASE ||
	    pa - FAKE_PHYS_BASE >= FAKE_MEM_SIZE)
		return 0;
	pthread_mutex_lock(&mem_lock);
	gen = page_gen[(pa - FAKE_PHYS_BASE) >> HAL_PAGE_SHIFT];
	pthread_mutex_unlock(&mem_lock);
	return gen;
}

void fake_mem_add_free_hook(fake_mem_free_fn fn, void *ctx)
{
	unsigned int i;

	pthread_mutex_lock(&mem_lock);
	for (i = 0; i < FREE_HOOKS_MAX && free_hooks[i].fn; i++)
		;
	if (i == FREE_HOOKS_MAX) {
		fprintf(stderr, "fake_mem: more than %d free hooks\n",
			FREE_HOOKS_MAX);
		abort();
	}
	free_hooks[i].fn = fn;
	free_hooks[i].ctx = ctx;
	__atomic_add_fetch(&free_hook_count, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&mem_lock);
}

void fake_mem_remove_free_hook(fake_mem_free_fn fn, void *ctx)
{
	unsigned int i;

	pthread_mutex_lock(&mem_lock);
	for (i = 0; i < FREE_HOOKS_MAX; i++) {
		if (free_hooks[i].fn == fn && free_hooks[i].ctx == ctx) {
			free_hooks[i].fn = NULL;
			__atomic_sub_fetch(&free_hook_count, 1,
					   __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&mem_lock);
}

void fake_mem_clear_free_hooks(void)
{
	pthread_mutex_lock(&mem_lock);
	memset(free_hooks, 0, sizeof(free_hooks));
	__atomic_store_n(&free_hook_count, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&mem_lock);
}

void fake_mem_fail_nth(u64 nth, bool sticky)
{
	pthread_mutex_lock(&mem_lock);
	fail_at = nth;
	fail_sticky = sticky;
	pthread_mutex_unlock(&mem_lock);
}
