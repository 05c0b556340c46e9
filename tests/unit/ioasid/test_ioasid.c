// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the ioasid allocator: every call and every error code,
 * memory growth, reference counting, per-thread caches, set teardown and
 * the custom-allocator switch rule. Single-threaded; the interleavings
 * are in test_interleave.c, the concurrent checks in test_linearize.c
 * and stress.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <ioasid/ioasid.h>

#include "fakes/fake_hal.h"
#include "ioasid_impl.h"

#define FULL_MAX	((1U << CONFIG_IOASID_BITS) - 1)

static struct ioasid_allocator al;
static struct ioasid_set s1, s2;
static u64 pages_before;

/* Pages of the directory alone for the full space. */
static u64 dir_pages(u32 max_id)
{
	u64 leaves = (max_id >> 8) + 1;
	u64 bytes = leaves * 8 + HAL_ALIGN_UP(leaves * 4, 8) +
		    HAL_ALIGN_UP(leaves, 64) / 8;
	u64 p = 1;

	while (p * HAL_PAGE_SIZE < bytes)
		p *= 2;
	return p;
}

static int setup_cfg(const struct ioasid_config *cfg)
{
	fake_hal_reset();
	pages_before = fake_mem_pages_in_use();
	assert_int_equal(ioasid_allocator_init(&al, cfg), 0);
	assert_int_equal(ioasid_set_init(&al, &s1, HAL_MIN(1000, al.max_id + 1)),
			 0);
	assert_int_equal(ioasid_set_init(&al, &s2, HAL_MIN(1000, al.max_id + 1)),
			 0);
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(NULL);
}

static int setup_small(void **state)
{
	struct ioasid_config cfg = { .max_id = 15 };

	return setup_cfg(&cfg);
}

static int teardown(void **state)
{
	ioasid_allocator_destroy(&al);
	assert_int_equal(fake_mem_pages_in_use(), pages_before);
	return 0;
}

/* ---- Allocator and memory --------------------------------------------- */

static void test_ioasid_init_rejects_too_large_max(void **state)
{
	struct ioasid_allocator a2;
	struct ioasid_config cfg = { .max_id = FULL_MAX + 1 };

	assert_int_equal(ioasid_allocator_init(&a2, &cfg), -EINVAL);
}

static void test_ioasid_init_enomem(void **state)
{
	struct ioasid_allocator a2;

	fake_mem_fail_nth(1, false);
	assert_int_equal(ioasid_allocator_init(&a2, NULL), -ENOMEM);
}

static void test_ioasid_memory_grows_with_use(void **state)
{
	u64 base = pages_before + dir_pages(FULL_MAX);
	int id;

	/* Only the directory at init: far less than a 2^20-entry table. */
	assert_int_equal(fake_mem_pages_in_use(), base);
	assert_true(dir_pages(FULL_MAX) <= 16);
	for (u32 i = 0; i < 256; i++)
		assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL),
				 (int)i);
	assert_int_equal(fake_mem_pages_in_use(), base + 1);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), 256);
	assert_int_equal(fake_mem_pages_in_use(), base + 2);
	/* The top of the 20-bit space. */
	id = ioasid_alloc(&s2, NULL, FULL_MAX, FULL_MAX, (void *)7);
	assert_int_equal(id, (int)FULL_MAX);
	assert_int_equal(fake_mem_pages_in_use(), base + 3);
	/* Freed IDs keep their pages until destroy. */
	assert_int_equal(ioasid_free(&s2, NULL, FULL_MAX), 0);
	assert_int_equal(fake_mem_pages_in_use(), base + 3);
}

static void test_ioasid_alloc_enomem_for_leaf(void **state)
{
	fake_mem_fail_nth(1, true);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), -ENOMEM);
	assert_int_equal(ioasid_set_count(&s1), 0);
	fake_mem_fail_nth(0, false);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), 0);
}

static void test_ioasid_destroy_frees_everything(void **state)
{
	struct ioasid_allocator a2;
	struct ioasid_set s;
	u64 before = fake_mem_pages_in_use();

	assert_int_equal(ioasid_allocator_init(&a2, NULL), 0);
	assert_int_equal(ioasid_set_init(&a2, &s, 10), 0);
	assert_true(ioasid_alloc(&s, NULL, 5000, 9000, NULL) >= 0);
	assert_true(ioasid_alloc(&s, NULL, 70000, 90000, NULL) >= 0);
	ioasid_allocator_destroy(&a2);
	ioasid_allocator_destroy(&a2);	/* idempotent */
	assert_int_equal(fake_mem_pages_in_use(), before);
}

/* ---- Sets --------------------------------------------------------------- */

static void test_ioasid_set_init_errors(void **state)
{
	struct ioasid_set s;

	assert_int_equal(ioasid_set_init(&al, &s, 0), -EINVAL);
	assert_int_equal(ioasid_set_init(&al, &s, FULL_MAX + 2), -EINVAL);
	assert_int_equal(ioasid_set_init(&al, &s, FULL_MAX + 1), 0);
	/* Set IDs are never reused; they run out after IOASID_MAX_SETS. */
	al.next_set_id = IOASID_MAX_SETS;
	assert_int_equal(ioasid_set_init(&al, &s, 1), 0);
	assert_int_equal(ioasid_set_init(&al, &s, 1), -ENOSPC);
}

static void test_ioasid_set_destroy(void **state)
{
	int id = ioasid_alloc(&s1, NULL, 0, 100, NULL);

	assert_true(id >= 0);
	assert_int_equal(ioasid_set_destroy(&s1), -EBUSY);
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	assert_int_equal(ioasid_set_destroy(&s1), 0);
	assert_int_equal(ioasid_set_destroy(&s1), -EINVAL);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 100, NULL), -EINVAL);
	assert_int_equal(ioasid_set_count(&s1), 0);
	assert_int_equal(ioasid_set_for_each(&s1, NULL, NULL), -EINVAL);
	assert_int_equal(ioasid_set_free_all(&s1), -EINVAL);
}

static void test_ioasid_quota_is_edquot_not_enospc(void **state)
{
	struct ioasid_set q;

	assert_int_equal(ioasid_set_init(&al, &q, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_true(ioasid_alloc(&q, NULL, 0, 15, NULL) >= 0);
	assert_int_equal(ioasid_set_count(&q), 3);
	assert_int_equal(ioasid_alloc(&q, NULL, 0, 15, NULL), -EDQUOT);
	assert_int_equal(ioasid_set_count(&q), 3);
	/* Another set still allocates: the quota is per set. */
	assert_true(ioasid_alloc(&s1, NULL, 0, 15, NULL) >= 0);
	assert_int_equal(ioasid_free(&q, NULL, 0), 0);
	assert_int_equal(ioasid_alloc(&q, NULL, 0, 15, NULL), 0);
}

static void test_ioasid_global_exhaustion_is_enospc(void **state)
{
	/* max_id 15: 16 IDs in the whole space. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(ioasid_alloc(i % 2 ? &s1 : &s2, NULL, 0, 15,
					      NULL), i);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 15, NULL), -ENOSPC);
	assert_int_equal(ioasid_alloc(&s2, NULL, 0, 100, NULL), -ENOSPC);
	/* Failed attempts gave their quota back. */
	assert_int_equal(ioasid_set_count(&s1), 8);
	assert_int_equal(ioasid_set_count(&s2), 8);
}

static int collect(u32 id, void *priv, void *arg)
{
	u32 *v = arg;

	assert_int_equal((uintptr_t)priv, id + 1000);
	v[v[0] + 1] = id;
	v[0]++;
	return v[0] == 3;	/* stop after three */
}

static void test_ioasid_set_for_each_and_free_all(void **state)
{
	u32 seen[8] = { 0 };
	int i, id;

	for (i = 0; i < 5; i++) {
		id = ioasid_alloc(&s1, NULL, 300, FULL_MAX, NULL);
		assert_int_equal(ioasid_set_data(&s1, (u32)id,
						 (void *)(uintptr_t)(id + 1000)),
				 0);
		assert_true(ioasid_alloc(&s2, NULL, 0, FULL_MAX, NULL) >= 0);
	}
	assert_int_equal(ioasid_set_for_each(&s1, collect, seen), 3);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 300);
	assert_int_equal(seen[2], 301);
	assert_int_equal(seen[3], 302);
	/* Teardown of s1 leaves s2 alone. */
	assert_int_equal(ioasid_set_free_all(&s1), 5);
	assert_int_equal(ioasid_set_count(&s1), 0);
	assert_int_equal(ioasid_set_count(&s2), 5);
	assert_int_equal(ioasid_set_free_all(&s1), 0);
	assert_int_equal(ioasid_set_destroy(&s1), 0);
	assert_int_equal(ioasid_find(&s2, 4, NULL, NULL, NULL), 0);
}

/* ---- Alloc / free ------------------------------------------------------- */

static void test_ioasid_alloc_einval(void **state)
{
	struct ioasid_allocator a2;
	struct ioasid_ctx other;

	assert_int_equal(ioasid_alloc(&s1, NULL, 10, 9, NULL), -EINVAL);
	assert_int_equal(ioasid_alloc(&s1, NULL, FULL_MAX + 1, FULL_MAX + 5,
				      NULL), -EINVAL);
	assert_int_equal(ioasid_allocator_init(&a2, NULL), 0);
	ioasid_ctx_init(&a2, &other);
	assert_int_equal(ioasid_alloc(&s1, &other, 0, 10, NULL), -EINVAL);
	assert_int_equal(ioasid_free(&s1, &other, 0), -EINVAL);
	ioasid_allocator_destroy(&a2);
	assert_int_equal(ioasid_set_count(&s1), 0);
}

static void test_ioasid_alloc_first_fit_in_range(void **state)
{
	assert_int_equal(ioasid_alloc(&s1, NULL, 5, 9, NULL), 5);
	assert_int_equal(ioasid_alloc(&s1, NULL, 5, 9, NULL), 6);
	assert_int_equal(ioasid_alloc(&s2, NULL, 0, 9, NULL), 0);
	assert_int_equal(ioasid_free(&s1, NULL, 5), 0);
	assert_int_equal(ioasid_alloc(&s2, NULL, 5, 9, NULL), 5);
	/* max is clamped to the space. */
	assert_int_equal(ioasid_alloc(&s1, NULL, FULL_MAX, 0xffffffffU, NULL),
			 (int)FULL_MAX);
	assert_int_equal(ioasid_alloc(&s1, NULL, FULL_MAX, 0xffffffffU, NULL),
			 -ENOSPC);
	/* A range spanning leaves. */
	assert_int_equal(ioasid_alloc(&s1, NULL, 250, 700, NULL), 250);
}

static void test_ioasid_free_errors(void **state)
{
	int id = ioasid_alloc(&s1, NULL, 0, 10, NULL);

	assert_int_equal(ioasid_free(&s1, NULL, FULL_MAX + 1), -EINVAL);
	assert_int_equal(ioasid_free(&s1, NULL, 5000), -ENOENT); /* no leaf */
	assert_int_equal(ioasid_free(&s1, NULL, 7), -ENOENT);	/* free */
	assert_int_equal(ioasid_free(&s2, NULL, (u32)id), -EACCES);
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), -ENOENT);
	assert_int_equal(ioasid_set_count(&s1), 0);
}

/* ---- Find, set_data, get, put ----------------------------------------- */

static int getter_calls;

static bool getter_ok(void *priv, void *arg)
{
	getter_calls++;
	*(void **)arg = priv;
	return true;
}

static bool getter_no(void *priv, void *arg)
{
	getter_calls++;
	return false;
}

static void test_ioasid_find(void **state)
{
	void *p = NULL, *seen = NULL;
	int id = ioasid_alloc(&s1, NULL, 0, 10, (void *)0x1234);

	assert_int_equal(ioasid_find(&s1, (u32)id, NULL, NULL, &p), 0);
	assert_ptr_equal(p, (void *)0x1234);
	assert_int_equal(ioasid_find(&s1, (u32)id, NULL, NULL, NULL), 0);
	/* Another set's ID: -EACCES, in both forms. */
	assert_int_equal(ioasid_find(&s2, (u32)id, NULL, NULL, &p), -EACCES);
	assert_int_equal(ioasid_find(&s2, (u32)id, getter_ok, &seen, &p),
			 -EACCES);
	/* Absent: free slot, absent leaf, beyond the space. */
	assert_int_equal(ioasid_find(&s1, 9, NULL, NULL, &p), -ENOENT);
	assert_int_equal(ioasid_find(&s1, 9, getter_ok, &seen, &p), -ENOENT);
	assert_int_equal(ioasid_find(&s1, 99999, NULL, NULL, &p), -ENOENT);
	assert_int_equal(ioasid_find(&s1, FULL_MAX + 1, NULL, NULL, &p),
			 -EINVAL);
	assert_int_equal(ioasid_find(&s1, FULL_MAX + 1, getter_ok, &seen, &p),
			 -EINVAL);
	/* Getter: called with the private data; may refuse. */
	getter_calls = 0;
	p = NULL;
	assert_int_equal(ioasid_find(&s1, (u32)id, getter_ok, &seen, &p), 0);
	assert_ptr_equal(seen, (void *)0x1234);
	assert_ptr_equal(p, (void *)0x1234);
	assert_int_equal(ioasid_find(&s1, (u32)id, getter_no, NULL, &p),
			 -ENOENT);
	assert_int_equal(getter_calls, 2);
	/* The getter's transient reference is gone: free reclaims at once. */
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	assert_int_equal(ioasid_find(&s1, (u32)id, NULL, NULL, &p), -ENOENT);
	assert_int_equal(ioasid_alloc(&s2, NULL, (u32)id, (u32)id, NULL), id);
}

static void test_ioasid_set_data(void **state)
{
	void *p;
	int id = ioasid_alloc(&s1, NULL, 0, 10, (void *)1);

	assert_int_equal(ioasid_set_data(&s1, (u32)id, (void *)2), 0);
	assert_int_equal(ioasid_find(&s1, (u32)id, NULL, NULL, &p), 0);
	assert_ptr_equal(p, (void *)2);
	assert_int_equal(ioasid_set_data(&s2, (u32)id, (void *)3), -EACCES);
	assert_int_equal(ioasid_set_data(&s1, 8, (void *)3), -ENOENT);
	assert_int_equal(ioasid_set_data(&s1, FULL_MAX + 1, NULL), -EINVAL);
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	assert_int_equal(ioasid_set_data(&s1, (u32)id, (void *)3), -ENOENT);
}

static int released;
static void *released_priv;
static u32 released_id;

static void on_release(u32 id, void *priv, void *arg)
{
	released++;
	released_id = id;
	released_priv = priv;
	assert_ptr_equal(arg, &released);
}

static int setup_release(void **state)
{
	struct ioasid_config cfg = { .release = on_release,
				     .release_arg = &released };

	released = 0;
	return setup_cfg(&cfg);
}

static void test_ioasid_get_put_delay_reuse(void **state)
{
	int id = ioasid_alloc(&s1, NULL, 40, 40, (void *)0x40);

	assert_int_equal(id, 40);
	assert_int_equal(ioasid_get(&s1, 40), 0);
	assert_int_equal(ioasid_get(&s1, 40), 0);
	assert_int_equal(ioasid_get(&s2, 40), -EACCES);
	assert_int_equal(ioasid_put(&s2, 40), -EACCES);
	assert_int_equal(ioasid_put(&s1, 40), 0);
	assert_int_equal(ioasid_free(&s1, NULL, 40), 0);
	/* Freed: not findable, no new references, quota back ... */
	assert_int_equal(ioasid_set_count(&s1), 0);
	assert_int_equal(ioasid_find(&s1, 40, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(ioasid_get(&s1, 40), -ENOENT);
	assert_int_equal(ioasid_free(&s1, NULL, 40), -ENOENT);
	/* ... but not reusable while a reference is held. */
	assert_int_equal(ioasid_alloc(&s2, NULL, 40, 40, NULL), -ENOSPC);
	assert_int_equal(released, 0);
	assert_int_equal(ioasid_put(&s1, 40), 1);
	assert_int_equal(released, 1);
	assert_int_equal(released_id, 40);
	assert_ptr_equal(released_priv, (void *)0x40);
	assert_int_equal(ioasid_put(&s1, 40), -ENOENT);
	assert_int_equal(ioasid_alloc(&s2, NULL, 40, 40, NULL), 40);
}

static void test_ioasid_put_errors(void **state)
{
	int id = ioasid_alloc(&s1, NULL, 0, 10, NULL);

	/* Only the allocation's reference: a put without a get. */
	assert_int_equal(ioasid_put(&s1, (u32)id), -EINVAL);
	assert_int_equal(ioasid_put(&s1, FULL_MAX + 1), -EINVAL);
	assert_int_equal(ioasid_put(&s1, 9), -ENOENT);
	assert_int_equal(ioasid_put(&s1, 77777), -ENOENT);
	assert_int_equal(ioasid_get(&s1, 9), -ENOENT);
	assert_int_equal(ioasid_get(&s1, 77777), -ENOENT);
	assert_int_equal(ioasid_get(&s1, FULL_MAX + 1), -EINVAL);
	/* The ID is intact. */
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
}

static void test_ioasid_get_overflow(void **state)
{
	int id = ioasid_alloc(&s1, NULL, 0, 10, NULL);
	u32 i;

	for (i = 0; i < IOASID_MAX_REFS; i++)
		assert_int_equal(ioasid_get(&s1, (u32)id), 0);
	assert_int_equal(ioasid_get(&s1, (u32)id), -EOVERFLOW);
	assert_int_equal(ioasid_find(&s1, (u32)id, getter_ok, &(void *){ 0 },
				     NULL), -EOVERFLOW);
	assert_int_equal(ioasid_set_data(&s1, (u32)id, NULL), -EOVERFLOW);
	/* The lookup without getter takes no reference: still works. */
	assert_int_equal(ioasid_find(&s1, (u32)id, NULL, NULL, NULL), 0);
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	for (i = 0; i < IOASID_MAX_REFS - 1; i++)
		assert_int_equal(ioasid_put(&s1, (u32)id), 0);
	assert_int_equal(ioasid_put(&s1, (u32)id), 1);
}

static void test_ioasid_release_on_free_without_refs(void **state)
{
	int id = ioasid_alloc(&s1, NULL, 0, 10, (void *)0x99);
	struct ioasid_ctx ctx;

	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	assert_int_equal(released, 1);
	assert_ptr_equal(released_priv, (void *)0x99);
	/* With a context too (the slow reclaim path feeds the cache). */
	ioasid_ctx_init(&al, &ctx);
	id = ioasid_alloc(&s1, &ctx, 0, FULL_MAX, (void *)0x98);
	assert_true(id >= 0);
	assert_int_equal(ioasid_free(&s1, &ctx, (u32)id), 0);
	assert_int_equal(released, 2);
	assert_ptr_equal(released_priv, (void *)0x98);
	ioasid_ctx_flush(&ctx);
}

/* ---- Contexts ----------------------------------------------------------- */

static void test_ioasid_ctx_cache_reuses_ids(void **state)
{
	struct ioasid_ctx ctx;
	int id, id2;

	ioasid_ctx_init(&al, &ctx);
	id = ioasid_alloc(&s1, &ctx, 0, FULL_MAX, (void *)1);
	assert_true(id >= 0);
	/* The refill reserved more IDs in the cache. */
	assert_int_equal(ctx.n, IOASID_CTX_CACHE / 2 - 1);
	assert_int_equal(ioasid_free(&s1, &ctx, (u32)id), 0);
	assert_int_equal(ctx.n, IOASID_CTX_CACHE / 2);
	id2 = ioasid_alloc(&s2, &ctx, 0, FULL_MAX, NULL);
	assert_int_equal(id2, id);
	assert_int_equal(ioasid_find(&s1, (u32)id, NULL, NULL, NULL), -EACCES);
	assert_int_equal(ioasid_free(&s2, &ctx, (u32)id), 0);
	/* A request whose range misses the cache goes to the pool. */
	assert_int_equal(ioasid_alloc(&s1, &ctx, 3, 3, NULL), 3);
	ioasid_ctx_flush(&ctx);
	assert_int_equal(ctx.n, 0);
	/* Flushed IDs are free again for first-fit. */
	assert_int_equal(ioasid_alloc(&s2, NULL, (u32)id, (u32)id, NULL), id);
}

static void test_ioasid_cached_ids_are_not_hidden(void **state)
{
	struct ioasid_ctx c1, c2;
	int got = 0, id;

	/* 16 IDs; c1 caches some; every one is still allocatable. */
	ioasid_ctx_init(&al, &c1);
	ioasid_ctx_init(&al, &c2);
	assert_true(ioasid_alloc(&s1, &c1, 0, 15, NULL) >= 0);
	assert_true(c1.n > 0);
	for (;;) {
		id = ioasid_alloc(&s2, got % 2 ? &c2 : NULL, 0, 15, NULL);
		if (id < 0)
			break;
		got++;
	}
	assert_int_equal(id, -ENOSPC);
	assert_int_equal(got, 15);
	/* c1's stale entries are skipped, not handed out twice. */
	assert_int_equal(ioasid_alloc(&s1, &c1, 0, 15, NULL), -ENOSPC);
	assert_int_equal(c1.n, 0);
	ioasid_ctx_flush(&c1);
	ioasid_ctx_flush(&c2);
}

static void test_ioasid_ctx_cache_overflow_goes_to_pool(void **state)
{
	struct ioasid_ctx ctx;
	int ids[IOASID_CTX_CACHE + 8];
	u32 i;

	ioasid_ctx_init(&al, &ctx);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		ids[i] = ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL);
		assert_int_equal(ids[i], (int)i);
	}
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		assert_int_equal(ioasid_free(&s1, &ctx, (u32)ids[i]), 0);
	assert_int_equal(ctx.n, IOASID_CTX_CACHE);
	/* The overflow went back to the pool: first fit finds it. */
	assert_int_equal(ioasid_alloc(&s2, NULL, 0, FULL_MAX, NULL),
			 IOASID_CTX_CACHE);
	ioasid_ctx_flush(&ctx);
	assert_int_equal(ioasid_alloc(&s2, NULL, 0, FULL_MAX, NULL), 0);
}

/* ---- Custom allocators -------------------------------------------------- */

struct fake_custom {
	u32 next;
	int fail;		/* if non-zero, alloc returns it */
	int force;		/* if >= 0, alloc returns it */
	int allocs, frees;
	u32 last_freed;
};

static int fc_alloc(u32 min, u32 max, void *priv)
{
	struct fake_custom *f = priv;

	f->allocs++;
	if (f->fail)
		return f->fail;
	if (f->force >= 0)
		return f->force;
	if (f->next < min)
		f->next = min;
	if (f->next > max)
		return -ENOSPC;
	return (int)f->next++;
}

static void fc_free(u32 id, void *priv)
{
	struct fake_custom *f = priv;

	f->frees++;
	f->last_freed = id;
}

static const struct ioasid_allocator_ops fc_ops = {
	.alloc = fc_alloc,
	.free = fc_free,
};

static void test_ioasid_register_errors(void **state)
{
	static const struct ioasid_allocator_ops half = { .alloc = fc_alloc };
	struct fake_custom f[IOASID_MAX_CUSTOM + 1];
	int i;

	memset(f, 0, sizeof(f));
	assert_int_equal(ioasid_register_allocator(&al, NULL, NULL), -EINVAL);
	assert_int_equal(ioasid_register_allocator(&al, &half, NULL), -EINVAL);
	for (i = 0; i < IOASID_MAX_CUSTOM; i++)
		assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &f[i]),
				 0);
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &f[0]),
			 -EEXIST);
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &f[i]),
			 -ENOSPC);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &f[i]),
			 -ENOENT);
	for (i = IOASID_MAX_CUSTOM - 1; i >= 0; i--)
		assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops,
							     &f[i]), 0);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &f[0]),
			 -ENOENT);
}

static void test_ioasid_custom_serves_and_takes_back(void **state)
{
	struct fake_custom f = { .next = 500, .force = -1 };
	struct ioasid_ctx ctx;
	void *p;
	int id;

	ioasid_ctx_init(&al, &ctx);
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &f), 0);
	id = ioasid_alloc(&s1, &ctx, 0, FULL_MAX, (void *)5);
	assert_int_equal(id, 500);
	assert_int_equal(f.allocs, 1);
	assert_int_equal(ioasid_find(&s1, 500, NULL, NULL, &p), 0);
	assert_ptr_equal(p, (void *)5);
	assert_int_equal(ioasid_find(&s2, 500, NULL, NULL, &p), -EACCES);
	/* Outstanding: the allocator cannot leave. */
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &f), -EBUSY);
	/* A reference keeps it outstanding after the free. */
	assert_int_equal(ioasid_get(&s1, 500), 0);
	assert_int_equal(ioasid_free(&s1, &ctx, 500), 0);
	assert_int_equal(f.frees, 0);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &f), -EBUSY);
	assert_int_equal(ioasid_put(&s1, 500), 1);
	assert_int_equal(f.frees, 1);
	assert_int_equal(f.last_freed, 500);
	/* Not cached in the context: it went back to its producer. */
	assert_int_equal(ctx.n, 0);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &f), 0);
	/* Default again. */
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), 0);
	assert_int_equal(f.allocs, 1);
}

static void test_ioasid_custom_errors(void **state)
{
	struct fake_custom f = { .next = 0, .force = -1 };
	int d;

	d = ioasid_alloc(&s1, NULL, 0, 10, NULL);	/* default, ID 0 */
	assert_int_equal(d, 0);
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &f), 0);
	/* It hands out 0, which the default allocator's ID still holds. */
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 10, NULL), -EBUSY);
	assert_int_equal(f.frees, 1);
	assert_int_equal(f.last_freed, 0);
	assert_int_equal(ioasid_set_count(&s1), 1);
	/* Out of range. */
	f.force = 20;
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 10, NULL), -EIO);
	assert_int_equal(f.last_freed, 20);
	/* Its own error is passed through; quota is given back. */
	f.force = -1;
	f.fail = -ENOSPC;
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 10, NULL), -ENOSPC);
	f.fail = -EIO;
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 10, NULL), -EIO);
	assert_int_equal(ioasid_set_count(&s1), 1);
	/* ENOMEM adding the leaf for the custom ID. */
	f.fail = 0;
	f.force = 4000;
	fake_mem_fail_nth(1, false);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 5000, NULL), -ENOMEM);
	assert_int_equal(f.last_freed, 4000);
	/* No pin leaked: it can leave. */
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &f), 0);
	/* The default ID outlived the switch and goes back to the default. */
	assert_int_equal(ioasid_free(&s1, NULL, (u32)d), 0);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 10, NULL), 0);
}

static void test_ioasid_custom_switch_order(void **state)
{
	struct fake_custom a = { .next = 100, .force = -1 };
	struct fake_custom b = { .next = 200, .force = -1 };
	struct fake_custom c = { .next = 300, .force = -1 };
	int d, ia;

	d = ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL);
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &a), 0);
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &b), 0);
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &c), 0);
	ia = ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL);
	assert_int_equal(ia, 100);			/* first registered */
	/* A standby allocator has no IDs and can always leave. */
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &b), 0);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &a), -EBUSY);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), 101);
	assert_int_equal(ioasid_free(&s1, NULL, 100), 0);
	assert_int_equal(ioasid_free(&s1, NULL, 101), 0);
	assert_int_equal(a.frees, 2);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &a), 0);
	/* Next in registration order. */
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), 300);
	/* The default ID from before any switch goes back to the default:
	 * no custom free is called for it. */
	assert_int_equal(ioasid_free(&s1, NULL, (u32)d), 0);
	assert_int_equal(c.frees, 0);
	assert_int_equal(a.frees, 2);
	assert_int_equal(ioasid_free(&s1, NULL, 300), 0);
	assert_int_equal(c.frees, 1);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &c), 0);
	/* Last one gone: the default takes over. */
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), d);
	/* Re-registering after leaving is fine. */
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &a), 0);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, FULL_MAX, NULL), 102);
	assert_int_equal(ioasid_free(&s1, NULL, 102), 0);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &a), 0);
}

static void test_ioasid_custom_takes_cached_id(void **state)
{
	struct fake_custom f = { .force = -1 };
	struct ioasid_ctx ctx;
	int id;

	/* An ID cached (RESERVED) by a context is free for a custom one. */
	ioasid_ctx_init(&al, &ctx);
	id = ioasid_alloc(&s1, &ctx, 0, FULL_MAX, NULL);
	assert_int_equal(ioasid_free(&s1, &ctx, (u32)id), 0);
	f.force = id;
	assert_int_equal(ioasid_register_allocator(&al, &fc_ops, &f), 0);
	assert_int_equal(ioasid_alloc(&s2, &ctx, 0, FULL_MAX, NULL), id);
	assert_int_equal(ioasid_free(&s2, &ctx, (u32)id), 0);
	assert_int_equal(f.frees, 1);
	assert_int_equal(ioasid_unregister_allocator(&al, &fc_ops, &f), 0);
	/* The context's stale entry for it is dropped, nothing double. */
	ioasid_ctx_flush(&ctx);
}

#define T(fn, s)	cmocka_unit_test_setup_teardown(fn, s, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioasid_init_rejects_too_large_max),
		cmocka_unit_test(test_ioasid_init_enomem),
		T(test_ioasid_memory_grows_with_use, setup),
		T(test_ioasid_alloc_enomem_for_leaf, setup),
		T(test_ioasid_destroy_frees_everything, setup),
		T(test_ioasid_set_init_errors, setup),
		T(test_ioasid_set_destroy, setup),
		T(test_ioasid_quota_is_edquot_not_enospc, setup_small),
		T(test_ioasid_global_exhaustion_is_enospc, setup_small),
		T(test_ioasid_set_for_each_and_free_all, setup),
		T(test_ioasid_alloc_einval, setup),
		T(test_ioasid_alloc_first_fit_in_range, setup),
		T(test_ioasid_free_errors, setup),
		T(test_ioasid_find, setup),
		T(test_ioasid_set_data, setup),
		T(test_ioasid_get_put_delay_reuse, setup_release),
		T(test_ioasid_put_errors, setup),
		T(test_ioasid_get_overflow, setup),
		T(test_ioasid_release_on_free_without_refs, setup_release),
		T(test_ioasid_ctx_cache_reuses_ids, setup),
		T(test_ioasid_cached_ids_are_not_hidden, setup_small),
		T(test_ioasid_ctx_cache_overflow_goes_to_pool, setup),
		T(test_ioasid_register_errors, setup),
		T(test_ioasid_custom_serves_and_takes_back, setup),
		T(test_ioasid_custom_errors, setup),
		T(test_ioasid_custom_switch_order, setup),
		T(test_ioasid_custom_takes_cached_id, setup),
	};

	return cmocka_run_group_tests_name("ioasid", tests, NULL, NULL);
}
