// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the bare-metal HAL's memory services: hal_page_alloc()
 * returns zeroed blocks aligned to their size, hal_page_free() gives them
 * back (the free count returns to where it was, so buddies merged), and
 * virtual and physical addresses are identical.
 */
#include <hal/mem.h>
#include <hal/types.h>

#include <arch/mm.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

static bool zeroed(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i])
			return false;
	}
	return true;
}

BOOT_TEST(mem, page_alloc_free)
{
	static const unsigned int orders[] = {
		0, 1, 3, 0, 5, X86_PAGE_MAX_ORDER,
	};
	void *blocks[ARRAY_SIZE(orders)];
	u64 before = x86_page_free_count();
	u32 i;

	BT_ASSERT(t, before > 0, "allocator empty");
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		size_t len = HAL_PAGE_SIZE << orders[i];
		u64 pa;

		blocks[i] = hal_page_alloc(orders[i]);
		BT_ASSERT(t, blocks[i], "order %u failed", orders[i]);
		pa = hal_paddr_val(hal_virt_to_phys(blocks[i]));
		BT_ASSERT_EQ(t, pa, (u64)(uintptr_t)blocks[i]);
		BT_ASSERT(t, hal_phys_to_virt(hal_paddr_init(pa)) == blocks[i],
			  "phys_to_virt");
		BT_ASSERT(t, (pa & (len - 1)) == 0, "order %u block at 0x%llx",
			  orders[i], (unsigned long long)pa);
		BT_ASSERT(t, zeroed(blocks[i], len), "order %u not zeroed",
			  orders[i]);
		memset(blocks[i], 0xa5, len);
	}
	for (i = 0; i < ARRAY_SIZE(orders); i++)
		hal_page_free(blocks[i], orders[i]);
	BT_ASSERT_EQ(t, x86_page_free_count(), before);
	BT_ASSERT(t, hal_page_alloc(X86_PAGE_MAX_ORDER + 1) == NULL,
		  "order above the maximum accepted");
}

BOOT_TEST(mem, freed_page_reused_zeroed)
{
	u8 *a, *b;
	bool ok;

	a = hal_page_alloc(0);
	BT_ASSERT(t, a, "alloc");
	memset(a, 0xff, HAL_PAGE_SIZE);
	hal_page_free(a, 0);
	b = hal_page_alloc(0);
	BT_ASSERT(t, b, "alloc");
	ok = zeroed(b, HAL_PAGE_SIZE);
	hal_page_free(b, 0);
	/* Last freed, first reused: the allocator really recycles. */
	BT_ASSERT(t, a == b, "freed page %p not reused (got %p)", (void *)a,
		  (void *)b);
	BT_ASSERT(t, ok, "reused page not zeroed");
}
