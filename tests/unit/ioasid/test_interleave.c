// SPDX-License-Identifier: BSD-2-Clause
/*
 * Deterministic interleavings of the ioasid allocator. A worker thread
 * runs one call and is stopped by the allocator's test hook at a named
 * point (semaphores, no sleeps); the main thread then performs the racing
 * calls, resumes the worker and checks both outcomes. Covered: allocation
 * racing the free of the same ID, find racing free (with and without a
 * getter), get racing free, free racing free, two threads at a set's
 * quota limit, and a custom allocator unregistering while IDs or
 * allocations are out.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include <ioasid/ioasid.h>
#include <ioasid/ioasid_test.h>

#include "fakes/fake_hal.h"

static struct ioasid_allocator al;
static struct ioasid_set s1, s2;
static int released;
static void *released_priv;

/* ---- Stop one thread at one hook point ---------------------------------- */

static __thread bool stoppable;

static struct {
	enum ioasid_hook_point point;
	int armed;
	sem_t arrived, go;
} stop;

static void test_hook(void *arg, enum ioasid_hook_point p, u32 id)
{
	if (!stoppable || p != stop.point ||
	    !__atomic_exchange_n(&stop.armed, 0, __ATOMIC_ACQ_REL))
		return;
	sem_post(&stop.arrived);
	while (sem_wait(&stop.go) && errno == EINTR)
		;
}

struct job {
	int (*fn)(struct job *j);
	u32 id;
	u32 min, max;
	struct ioasid_set *set;
	void *priv;
	int ret;
	pthread_t t;
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	stoppable = true;
	j->ret = j->fn(j);
	return NULL;
}

/* Start @j and wait until it stops at @point. */
static void start_and_stop_at(struct job *j, enum ioasid_hook_point point)
{
	struct timespec ts;

	stop.point = point;
	__atomic_store_n(&stop.armed, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&j->t, NULL, job_main, j), 0);
	/* A safety net for a broken test, not a timing assumption. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	assert_int_equal(sem_timedwait(&stop.arrived, &ts), 0);
}

static int resume(struct job *j)
{
	sem_post(&stop.go);
	pthread_join(j->t, NULL);
	return j->ret;
}

static int do_alloc(struct job *j)
{
	return ioasid_alloc(j->set, NULL, j->min, j->max, j->priv);
}

static int do_free(struct job *j)
{
	return ioasid_free(j->set, NULL, j->id);
}

static int do_put(struct job *j)
{
	return ioasid_put(j->set, j->id);
}

static int do_get(struct job *j)
{
	return ioasid_get(j->set, j->id);
}

static int do_find(struct job *j)
{
	return ioasid_find(j->set, j->id, NULL, NULL, &j->priv);
}

static bool getter(void *priv, void *arg)
{
	/* The ID is held: its private data has not been released. */
	assert_int_equal(__atomic_load_n(&released, __ATOMIC_ACQUIRE), 0);
	*(void **)arg = priv;
	return true;
}

static int do_find_getter(struct job *j)
{
	void *seen = NULL;
	int ret = ioasid_find(j->set, j->id, getter, &seen, &j->priv);

	assert_ptr_equal(seen, j->priv);
	return ret;
}

static void on_release(u32 id, void *priv, void *arg)
{
	released_priv = priv;
	__atomic_fetch_add(&released, 1, __ATOMIC_ACQ_REL);
}

static int setup(void **state)
{
	struct ioasid_config cfg = { .release = on_release };

	fake_hal_reset();
	released = 0;
	released_priv = NULL;
	sem_init(&stop.arrived, 0, 0);
	sem_init(&stop.go, 0, 0);
	assert_int_equal(ioasid_allocator_init(&al, &cfg), 0);
	assert_int_equal(ioasid_allocator_set_hook(&al, test_hook, NULL), 0);
	assert_int_equal(ioasid_set_init(&al, &s1, 100), 0);
	assert_int_equal(ioasid_set_init(&al, &s2, 100), 0);
	return 0;
}

static int teardown(void **state)
{
	ioasid_allocator_destroy(&al);
	sem_destroy(&stop.arrived);
	sem_destroy(&stop.go);
	return 0;
}

/* ---- Allocation racing free -------------------------------------------- */

static void test_interleave_alloc_during_reclaim_gets_enospc(void **state)
{
	struct job f = { .fn = do_free, .set = &s1, .id = 7 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 7, 7, (void *)1), 7);
	/* The free has dropped the last reference; ID not yet reusable. */
	start_and_stop_at(&f, IOASID_HOOK_RECLAIM);
	assert_int_equal(ioasid_alloc(&s2, NULL, 7, 7, NULL), -ENOSPC);
	assert_int_equal(ioasid_find(&s1, 7, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(ioasid_get(&s1, 7), -ENOENT);
	assert_int_equal(ioasid_free(&s1, NULL, 7), -ENOENT);
	assert_int_equal(resume(&f), 0);
	assert_int_equal(released, 1);
	assert_int_equal(ioasid_alloc(&s2, NULL, 7, 7, NULL), 7);
}

static void test_interleave_alloc_loses_claim_to_other_alloc(void **state)
{
	struct job a = { .fn = do_alloc, .set = &s1, .min = 9, .max = 9 };

	/* The worker saw 9 FREE; we take it first. */
	start_and_stop_at(&a, IOASID_HOOK_ALLOC_CLAIM);
	assert_int_equal(ioasid_alloc(&s2, NULL, 9, 9, (void *)2), 9);
	assert_int_equal(resume(&a), -ENOSPC);
	assert_int_equal(ioasid_set_count(&s1), 0);
	assert_int_equal(ioasid_find(&s2, 9, NULL, NULL, NULL), 0);
}

static void test_interleave_alloc_claims_after_realloc_and_free(void **state)
{
	struct job a = { .fn = do_alloc, .set = &s1, .min = 9, .max = 9,
			 .priv = (void *)0xa };
	void *p;

	/*
	 * The worker saw 9 FREE (generation g); meanwhile 9 is allocated
	 * and freed again (FREE, generation g+1). Its CAS fails on the
	 * stale word, it re-reads, and claims the ID in its new
	 * incarnation: one owner, no double hand-out.
	 */
	start_and_stop_at(&a, IOASID_HOOK_ALLOC_CLAIM);
	assert_int_equal(ioasid_alloc(&s2, NULL, 9, 9, (void *)0xb), 9);
	assert_int_equal(ioasid_free(&s2, NULL, 9), 0);
	assert_int_equal(resume(&a), 9);
	assert_int_equal(ioasid_find(&s1, 9, NULL, NULL, &p), 0);
	assert_ptr_equal(p, (void *)0xa);
	assert_int_equal(ioasid_find(&s2, 9, NULL, NULL, &p), -EACCES);
	assert_int_equal(ioasid_alloc(&s2, NULL, 9, 9, NULL), -ENOSPC);
}

static void test_interleave_free_races_free(void **state)
{
	struct job f = { .fn = do_free, .set = &s1, .id = 3 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 3, 3, NULL), 3);
	start_and_stop_at(&f, IOASID_HOOK_FREE_CAS);	/* saw LIVE */
	assert_int_equal(ioasid_free(&s1, NULL, 3), 0);
	assert_int_equal(resume(&f), -ENOENT);
	assert_int_equal(released, 1);
	assert_int_equal(ioasid_set_count(&s1), 0);
}

/* ---- Find racing free --------------------------------------------------- */

static void test_interleave_find_retries_after_realloc(void **state)
{
	struct job f = { .fn = do_find, .set = &s1, .id = 5 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 5, 5, (void *)0x51), 5);
	/* The worker has read 0x51; the ID is freed and reallocated. */
	start_and_stop_at(&f, IOASID_HOOK_FIND_PRIV);
	assert_int_equal(ioasid_free(&s1, NULL, 5), 0);
	assert_int_equal(ioasid_alloc(&s1, NULL, 5, 5, (void *)0x52), 5);
	/* Validation sees a new generation and retries: the new data. */
	assert_int_equal(resume(&f), 0);
	assert_ptr_equal(f.priv, (void *)0x52);
}

static void test_interleave_find_sees_other_set_after_realloc(void **state)
{
	struct job f = { .fn = do_find, .set = &s1, .id = 5 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 5, 5, (void *)0x51), 5);
	start_and_stop_at(&f, IOASID_HOOK_FIND_PRIV);
	assert_int_equal(ioasid_free(&s1, NULL, 5), 0);
	assert_int_equal(ioasid_alloc(&s2, NULL, 5, 5, (void *)0x52), 5);
	assert_int_equal(resume(&f), -EACCES);
}

static void test_interleave_find_of_freed_id(void **state)
{
	struct job f = { .fn = do_find, .set = &s1, .id = 5 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 5, 5, (void *)0x51), 5);
	start_and_stop_at(&f, IOASID_HOOK_FIND_LOADED);
	assert_int_equal(ioasid_free(&s1, NULL, 5), 0);
	assert_int_equal(resume(&f), -ENOENT);
}

static void test_interleave_find_getter_holds_the_id(void **state)
{
	struct job f = { .fn = do_find_getter, .set = &s1, .id = 6 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 6, 6, (void *)0x61), 6);
	/* The worker holds its transient reference and the private data. */
	start_and_stop_at(&f, IOASID_HOOK_FIND_PRIV);
	assert_int_equal(ioasid_free(&s1, NULL, 6), 0);
	assert_int_equal(released, 0);		/* not released under it */
	assert_int_equal(ioasid_alloc(&s2, NULL, 6, 6, NULL), -ENOSPC);
	assert_int_equal(ioasid_find(&s1, 6, NULL, NULL, NULL), -ENOENT);
	/* The getter runs with valid data; its put is the last one. */
	assert_int_equal(resume(&f), 0);
	assert_ptr_equal(f.priv, (void *)0x61);
	assert_int_equal(released, 1);
	assert_ptr_equal(released_priv, (void *)0x61);
	assert_int_equal(ioasid_alloc(&s2, NULL, 6, 6, NULL), 6);
}

static void test_interleave_get_vs_free(void **state)
{
	struct job g = { .fn = do_get, .set = &s1, .id = 8 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 8, 8, NULL), 8);
	start_and_stop_at(&g, IOASID_HOOK_FIND_LOADED);	/* saw LIVE */
	assert_int_equal(ioasid_free(&s1, NULL, 8), 0);
	assert_int_equal(released, 1);		/* nobody held it */
	assert_int_equal(resume(&g), -ENOENT);
	/* No reference leaked: the ID is reusable. */
	assert_int_equal(ioasid_alloc(&s2, NULL, 8, 8, NULL), 8);
}

static void test_interleave_put_vs_free_last_reference(void **state)
{
	struct job p = { .fn = do_put, .set = &s1, .id = 4 };

	assert_int_equal(ioasid_alloc(&s1, NULL, 4, 4, NULL), 4);
	assert_int_equal(ioasid_get(&s1, 4), 0);
	/* The put read LIVE with one get reference; the free goes first. */
	start_and_stop_at(&p, IOASID_HOOK_FREE_CAS);
	assert_int_equal(ioasid_free(&s1, NULL, 4), 0);
	assert_int_equal(released, 0);
	assert_int_equal(resume(&p), 1);	/* re-read: it was the last */
	assert_int_equal(released, 1);
	assert_int_equal(ioasid_alloc(&s2, NULL, 4, 4, NULL), 4);
}

/* ---- Quota limit -------------------------------------------------------- */

static void test_interleave_two_threads_at_quota_limit(void **state)
{
	struct ioasid_set q;
	struct job a;

	assert_int_equal(ioasid_set_init(&al, &q, 2), 0);
	assert_int_equal(ioasid_alloc(&q, NULL, 0, 100, NULL), 0);
	memset(&a, 0, sizeof(a));
	a.fn = do_alloc;
	a.set = &q;
	a.max = 100;
	/* The worker holds the last unit but has no ID yet. */
	start_and_stop_at(&a, IOASID_HOOK_QUOTA_RESERVED);
	assert_int_equal(ioasid_alloc(&q, NULL, 0, 100, NULL), -EDQUOT);
	assert_int_equal(ioasid_set_count(&q), 2);
	assert_int_equal(resume(&a), 1);
	assert_int_equal(ioasid_alloc(&q, NULL, 0, 100, NULL), -EDQUOT);
	assert_int_equal(ioasid_free(&q, NULL, 0), 0);
	assert_int_equal(ioasid_alloc(&q, NULL, 0, 100, NULL), 0);
}

static void test_interleave_quota_unit_returned_by_failed_alloc(void **state)
{
	struct ioasid_set q;
	struct job a;

	/* The worker reserves the last unit, then finds the range full. */
	assert_int_equal(ioasid_set_init(&al, &q, 1), 0);
	assert_int_equal(ioasid_alloc(&s1, NULL, 20, 20, NULL), 20);
	memset(&a, 0, sizeof(a));
	a.fn = do_alloc;
	a.set = &q;
	a.min = a.max = 20;
	start_and_stop_at(&a, IOASID_HOOK_QUOTA_RESERVED);
	assert_int_equal(ioasid_alloc(&q, NULL, 21, 21, NULL), -EDQUOT);
	assert_int_equal(resume(&a), -ENOSPC);
	assert_int_equal(ioasid_alloc(&q, NULL, 21, 21, NULL), 21);
}

/* ---- Custom allocator leaving ------------------------------------------- */

static u32 custom_next = 1000;
static int custom_frees;

static int c_alloc(u32 min, u32 max, void *priv)
{
	return (int)__atomic_fetch_add(&custom_next, 1, __ATOMIC_RELAXED);
}

static void c_free(u32 id, void *priv)
{
	__atomic_fetch_add(&custom_frees, 1, __ATOMIC_RELAXED);
}

static const struct ioasid_allocator_ops c_ops = { c_alloc, c_free };

static void test_interleave_unregister_during_alloc(void **state)
{
	struct job a = { .fn = do_alloc, .set = &s1, .max = 0xfffff };
	int id;

	custom_next = 1000;
	custom_frees = 0;
	assert_int_equal(ioasid_register_allocator(&al, &c_ops, NULL), 0);
	/* An allocation is in flight through it. */
	start_and_stop_at(&a, IOASID_HOOK_CUSTOM_PINNED);
	assert_int_equal(ioasid_unregister_allocator(&al, &c_ops, NULL),
			 -EBUSY);
	id = resume(&a);
	assert_int_equal(id, 1000);
	/* Now an ID is out. */
	assert_int_equal(ioasid_unregister_allocator(&al, &c_ops, NULL),
			 -EBUSY);
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	assert_int_equal(custom_frees, 1);
	assert_int_equal(ioasid_unregister_allocator(&al, &c_ops, NULL), 0);
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 0xfffff, NULL), 0);
}

static void test_interleave_unregister_during_last_put(void **state)
{
	struct job p = { .fn = do_put, .set = &s1 };
	int id;

	custom_next = 2000;
	custom_frees = 0;
	assert_int_equal(ioasid_register_allocator(&al, &c_ops, NULL), 0);
	id = ioasid_alloc(&s1, NULL, 0, 0xfffff, NULL);
	assert_int_equal(id, 2000);
	assert_int_equal(ioasid_get(&s1, (u32)id), 0);
	assert_int_equal(ioasid_free(&s1, NULL, (u32)id), 0);
	/* Freed but referenced: still outstanding. */
	assert_int_equal(ioasid_unregister_allocator(&al, &c_ops, NULL),
			 -EBUSY);
	/* The last put is reclaiming: not yet given back. */
	p.id = (u32)id;
	start_and_stop_at(&p, IOASID_HOOK_RECLAIM);
	assert_int_equal(ioasid_unregister_allocator(&al, &c_ops, NULL),
			 -EBUSY);
	assert_int_equal(custom_frees, 0);
	assert_int_equal(resume(&p), 1);
	assert_int_equal(custom_frees, 1);
	assert_int_equal(ioasid_unregister_allocator(&al, &c_ops, NULL), 0);
}

static void test_interleave_switch_with_default_ids_out(void **state)
{
	struct job f = { .fn = do_free, .set = &s1, .id = 0 };

	/* A default ID is being freed while a custom allocator arrives. */
	assert_int_equal(ioasid_alloc(&s1, NULL, 0, 0, NULL), 0);
	custom_next = 3000;
	custom_frees = 0;
	start_and_stop_at(&f, IOASID_HOOK_RECLAIM);
	assert_int_equal(ioasid_register_allocator(&al, &c_ops, NULL), 0);
	assert_int_equal(ioasid_alloc(&s2, NULL, 0, 0xfffff, NULL), 3000);
	assert_int_equal(resume(&f), 0);
	/* It went back to the default allocator, not the custom one. */
	assert_int_equal(custom_frees, 0);
	assert_int_equal(ioasid_free(&s2, NULL, 3000), 0);
	assert_int_equal(custom_frees, 1);
	assert_int_equal(ioasid_unregister_allocator(&al, &c_ops, NULL), 0);
	assert_int_equal(ioasid_alloc(&s2, NULL, 0, 0, NULL), 0);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_interleave_alloc_during_reclaim_gets_enospc),
		T(test_interleave_alloc_loses_claim_to_other_alloc),
		T(test_interleave_alloc_claims_after_realloc_and_free),
		T(test_interleave_free_races_free),
		T(test_interleave_find_retries_after_realloc),
		T(test_interleave_find_sees_other_set_after_realloc),
		T(test_interleave_find_of_freed_id),
		T(test_interleave_find_getter_holds_the_id),
		T(test_interleave_get_vs_free),
		T(test_interleave_put_vs_free_last_reference),
		T(test_interleave_two_threads_at_quota_limit),
		T(test_interleave_quota_unit_returned_by_failed_alloc),
		T(test_interleave_unregister_during_alloc),
		T(test_interleave_unregister_during_last_put),
		T(test_interleave_switch_with_default_ids_out),
	};

	return cmocka_run_group_tests_name("ioasid_interleave", tests, NULL,
					   NULL);
}
