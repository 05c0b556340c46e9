// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the ioasid allocator as an integrator links it: built
 * with the default CONFIG (no test hooks) on the bare-metal HAL's pages
 * and atomics. The host tests cover every call and race; these check
 * that the freestanding build behaves the same and gives its pages back.
 */
#include <hal/errno.h>
#include <hal/types.h>

#include <ioasid/ioasid.h>
#include <ioasid/ioasid_test.h>

#include <arch/mm.h>

#include <boot_test/boot_test.h>

static int tag_a, tag_b;

static bool take_ref(void *priv, void *arg)
{
	return priv == arg;
}

BOOT_TEST(ioasid, alloc_find_free_quota)
{
	static struct ioasid_allocator a;
	static struct ioasid_set s1, s2;
	static struct ioasid_ctx ctx;
	u64 before = x86_page_free_count();
	void *p = NULL;
	int id[3], i;

	BT_ASSERT_EQ(t, ioasid_allocator_init(&a, NULL), 0);
	BT_ASSERT_EQ(t, ioasid_set_init(&a, &s1, 3), 0);
	BT_ASSERT_EQ(t, ioasid_set_init(&a, &s2, 16), 0);
	ioasid_ctx_init(&a, &ctx);
	for (i = 0; i < 3; i++) {
		id[i] = ioasid_alloc(&s1, &ctx, 1, 0xfffff, &tag_a);
		BT_ASSERT(t, id[i] >= 1, "alloc %d: %d", i, id[i]);
	}
	BT_ASSERT(t, id[0] != id[1] && id[1] != id[2] && id[0] != id[2],
		  "IDs %d %d %d not distinct", id[0], id[1], id[2]);
	BT_ASSERT_EQ(t, ioasid_alloc(&s1, &ctx, 1, 0xfffff, &tag_a), -EDQUOT);
	BT_ASSERT_EQ(t, ioasid_find(&s1, (u32)id[1], NULL, NULL, &p), 0);
	BT_ASSERT(t, p == &tag_a, "private data");
	BT_ASSERT_EQ(t, ioasid_find(&s2, (u32)id[1], NULL, NULL, &p), -EACCES);
	BT_ASSERT_EQ(t, ioasid_free(&s1, &ctx, (u32)id[1]), 0);
	BT_ASSERT_EQ(t, ioasid_find(&s1, (u32)id[1], NULL, NULL, &p), -ENOENT);
	id[1] = ioasid_alloc(&s1, &ctx, 1, 0xfffff, &tag_b);
	BT_ASSERT(t, id[1] >= 1, "alloc after free: %d", id[1]);
	BT_ASSERT_EQ(t, ioasid_find(&s1, (u32)id[1], take_ref, &tag_b, &p), 0);
	BT_ASSERT(t, p == &tag_b, "private data after reuse");
	/* The default CONFIG compiles the test hook points out. */
	BT_ASSERT_EQ(t, ioasid_allocator_set_hook(&a, NULL, NULL),
		     -EOPNOTSUPP);
	BT_ASSERT_EQ(t, ioasid_set_free_all(&s1), 3);
	BT_ASSERT_EQ(t, ioasid_set_count(&s1), 0);
	BT_ASSERT_EQ(t, ioasid_set_destroy(&s1), 0);
	ioasid_ctx_flush(&ctx);
	ioasid_allocator_destroy(&a);
	BT_ASSERT_EQ(t, x86_page_free_count(), before);
}

BOOT_TEST(ioasid, reference_holds_id_and_space_exhaustion)
{
	static struct ioasid_allocator a;
	static struct ioasid_set s, other;
	const struct ioasid_config cfg = { .max_id = 7 };
	u64 before = x86_page_free_count();
	int i;

	BT_ASSERT_EQ(t, ioasid_allocator_init(&a, &cfg), 0);
	BT_ASSERT_EQ(t, ioasid_set_init(&a, &s, 8), 0);
	BT_ASSERT_EQ(t, ioasid_set_init(&a, &other, 8), 0);
	for (i = 0; i < 7; i++)
		BT_ASSERT_EQ(t, ioasid_alloc(&s, NULL, 0, 7, NULL), i);
	BT_ASSERT_EQ(t, ioasid_alloc(&other, NULL, 0, 7, NULL), 7);
	/* @s holds 7 of its quota of 8: the space is what ran out. */
	BT_ASSERT_EQ(t, ioasid_alloc(&s, NULL, 0, 7, NULL), -ENOSPC);
	BT_ASSERT_EQ(t, ioasid_get(&s, 5), 0);
	BT_ASSERT_EQ(t, ioasid_free(&s, NULL, 5), 0);
	/* Freed but still referenced: neither findable nor reusable. */
	BT_ASSERT_EQ(t, ioasid_find(&s, 5, NULL, NULL, NULL), -ENOENT);
	BT_ASSERT_EQ(t, ioasid_alloc(&other, NULL, 5, 5, NULL), -ENOSPC);
	/* 1: that was the last reference, the ID is reusable now. */
	BT_ASSERT_EQ(t, ioasid_put(&s, 5), 1);
	BT_ASSERT_EQ(t, ioasid_alloc(&other, NULL, 5, 5, NULL), 5);
	ioasid_allocator_destroy(&a);
	BT_ASSERT_EQ(t, x86_page_free_count(), before);
}
