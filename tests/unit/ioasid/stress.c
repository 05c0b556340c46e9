// SPDX-License-Identifier: BSD-2-Clause
/*
 * Concurrency tests of the ioasid allocator, built with ThreadSanitizer
 * (tests/unit/ioasid/ioasid.mk) and run by `make check`:
 *
 *  1. stress: threads allocate, free, find (with and without getter),
 *     get, put, replace private data, flush caches and tear down their
 *     set, on a small space that runs out, while a control thread
 *     registers and unregisters a custom allocator. Checked on the fly:
 *     no ID is held by two owners, a find returns the finder's set's
 *     current private data, a getter never sees released data, a release
 *     happens only when no test reference is left; and at the end: every
 *     allocation was released exactly once and the whole space can be
 *     allocated again (no ID lost).
 *  2. linearizability: many short histories of 3 threads x 3 calls on a
 *     4-ID space, recorded with invocation and response times, each
 *     checked by exhaustive search for a linearization against a
 *     sequential model of the API (docs/IOASID.md states the two relaxed
 *     error rules the model encodes).
 *
 * Prints "N passed, N failed" last.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ioasid/ioasid.h>

#include "fakes/fake_hal.h"

static int failures;
static int passes;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "stress: %s:%d: ", __FILE__,	\
				__LINE__);				\
			fprintf(stderr, __VA_ARGS__);			\
			fprintf(stderr, "\n");				\
			__atomic_fetch_add(&failures, 1,		\
					   __ATOMIC_RELAXED);		\
		}							\
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ====================================================================== */
/* 1. Stress                                                               */
/* ====================================================================== */

#define S_MAX_ID	2047
#define S_SPACE		(S_MAX_ID + 1)
#define S_THREADS	4
#define S_ITERS		500000
#define S_QUOTA		700		/* 4 x 700 > 2048: space runs out */
#define S_HELD		64		/* references a thread holds at most */

static struct ioasid_allocator sa;
static struct ioasid_set ssets[S_THREADS];
static int s_owner[S_SPACE];		/* thread + 1 owning the ID, 0 none */
static int s_refs[S_SPACE];		/* test references (get) */
static u64 s_inc[S_SPACE];		/* incarnations of each ID so far */
static u64 s_rel_inc[S_SPACE];		/* incarnation released last */
static u64 s_allocs, s_releases;
static int s_stop;
static int s_draining;			/* control thread wants IDs back */
static u64 s_progress;			/* worker iterations so far */

/* Private data: the ID, the owning thread and the incarnation. */
#define PRIV(id, t, inc)	((void *)(uintptr_t)(((u64)(inc) << 24) | \
						     ((u64)(t) << 16) | (id)))
#define PRIV_ID(p)		((u32)((uintptr_t)(p) & 0xffff))
#define PRIV_T(p)		((int)(((uintptr_t)(p) >> 16) & 0xff))
#define PRIV_INC(p)		((u64)(uintptr_t)(p) >> 24)

static void s_release(u32 id, void *priv, void *arg)
{
	CHECK(PRIV_ID(priv) == id, "release of %u with data of %u", id,
	      PRIV_ID(priv));
	CHECK(__atomic_load_n(&s_refs[id], __ATOMIC_ACQUIRE) == 0,
	      "ID %u released with %d test references held", id,
	      s_refs[id]);
	__atomic_store_n(&s_rel_inc[id], PRIV_INC(priv), __ATOMIC_RELEASE);
	__atomic_fetch_add(&s_releases, 1, __ATOMIC_RELAXED);
}

static bool s_getter(void *priv, void *arg)
{
	u32 id = PRIV_ID(priv);

	if (!priv)
		return true;	/* allocated, data not set yet */
	/* We hold a reference: this incarnation cannot be released. */
	CHECK(__atomic_load_n(&s_rel_inc[id], __ATOMIC_ACQUIRE) <
	      PRIV_INC(priv), "getter saw released data of ID %u", id);
	return true;
}

/* A custom allocator over [1024, 2047]: an atomic bitmap. */
static u64 c_map[16];
static u64 c_allocs, c_frees;

static int c_alloc(u32 min, u32 max, void *priv)
{
	for (u32 id = HAL_MAX(min, 1024U); id <= max && id < 2048; id++) {
		u64 bit = 1ULL << (id % 64);

		if (!(__atomic_fetch_or(&c_map[(id - 1024) / 64], bit,
					__ATOMIC_ACQ_REL) & bit)) {
			__atomic_fetch_add(&c_allocs, 1, __ATOMIC_RELAXED);
			return (int)id;
		}
	}
	return -ENOSPC;
}

static void c_free(u32 id, void *priv)
{
	u64 bit = 1ULL << (id % 64);

	CHECK(id >= 1024 && id < 2048, "custom free of foreign %u", id);
	CHECK(__atomic_fetch_and(&c_map[(id - 1024) / 64], ~bit,
				 __ATOMIC_ACQ_REL) & bit,
	      "custom free of %u, which it did not hand out", id);
	__atomic_fetch_add(&c_frees, 1, __ATOMIC_RELAXED);
}

static const struct ioasid_allocator_ops c_ops = { c_alloc, c_free };

struct s_thread {
	int t;
	pthread_t th;
	struct ioasid_ctx ctx;
	u32 mine[S_SPACE];
	u32 n_mine;
	u32 held[S_HELD];	/* IDs we hold a get reference on */
	int held_set[S_HELD];
	u32 n_held;
};

static void s_free_one(struct s_thread *me, u32 k, bool use_ctx)
{
	u32 id = me->mine[k];
	int ret;

	CHECK(__atomic_exchange_n(&s_owner[id], 0, __ATOMIC_ACQ_REL) ==
	      me->t + 1, "ID %u freed by a non-owner", id);
	ret = ioasid_free(&ssets[me->t], use_ctx ? &me->ctx : NULL, id);
	CHECK(ret == 0, "free of own ID %u: %d", id, ret);
	me->mine[k] = me->mine[--me->n_mine];
}

static void s_put_one(struct s_thread *me, u32 k)
{
	u32 id = me->held[k];
	int ret;

	__atomic_fetch_sub(&s_refs[id], 1, __ATOMIC_ACQ_REL);
	ret = ioasid_put(&ssets[me->held_set[k]], id);
	CHECK(ret == 0 || ret == 1, "put of held ID %u: %d", id, ret);
	me->held[k] = me->held[me->n_held - 1];
	me->held_set[k] = me->held_set[--me->n_held];
}

static void *s_worker(void *arg)
{
	struct s_thread *me = arg;
	struct ioasid_set *set = &ssets[me->t];
	u64 seed = 0x1234567ULL * (u64)(me->t + 1);
	int ret;

	ioasid_ctx_init(&sa, &me->ctx);
	for (int it = 0; it < S_ITERS; it++) {
		u64 r = rnd(&seed);
		u32 op = (u32)(r % 100), id = (u32)((r >> 8) % S_SPACE);
		int other = (int)((r >> 24) % S_THREADS);
		void *p;
		u64 inc;

		__atomic_fetch_add(&s_progress, 1, __ATOMIC_RELAXED);
		if (op < 40 && __atomic_load_n(&s_draining, __ATOMIC_RELAXED))
			op += 40;	/* free instead */
		if (op < 40) {		/* allocate */
			bool narrow = (r >> 32) % 8 == 0;
			u32 lo = narrow ? id : 0;
			u32 hi = narrow ? HAL_MIN(id + 3, (u32)S_MAX_ID) :
					  S_MAX_ID;

			/* priv is set below, once the ID is known. */
			ret = ioasid_alloc(set, (r >> 40) & 1 ? &me->ctx : NULL,
					   lo, hi, NULL);
			if (ret < 0) {
				CHECK(ret == -ENOSPC || ret == -EDQUOT ||
				      ret == -EBUSY, "alloc: %d", ret);
				continue;
			}
			CHECK((u32)ret >= lo && (u32)ret <= hi,
			      "alloc %d outside [%u, %u]", ret, lo, hi);
			CHECK(__atomic_exchange_n(&s_owner[ret], me->t + 1,
						  __ATOMIC_ACQ_REL) == 0,
			      "ID %d handed out twice", ret);
			inc = __atomic_add_fetch(&s_inc[ret], 1,
						 __ATOMIC_RELAXED);
			ret = ioasid_set_data(set, (u32)ret,
					      PRIV((u32)ret, me->t, inc)) ?:
			      ret;
			CHECK(ret >= 0, "set_data on new ID: %d", ret);
			__atomic_fetch_add(&s_allocs, 1, __ATOMIC_RELAXED);
			CHECK(me->n_mine < S_QUOTA, "set %d over its quota",
			      me->t);
			me->mine[me->n_mine++] = (u32)ret;
		} else if (op < 75) {	/* free */
			if (me->n_mine)
				s_free_one(me, (u32)(r >> 32) % me->n_mine,
					   (r >> 48) & 1);
		} else if (op < 83) {	/* find */
			bool get = (r >> 32) & 1;

			ret = ioasid_find(&ssets[other], id,
					  get ? s_getter : NULL, NULL, &p);
			CHECK(ret == 0 || ret == -ENOENT || ret == -EACCES,
			      "find: %d", ret);
			if (ret == 0 && p) {
				CHECK(PRIV_ID(p) == id, "find %u gave %u", id,
				      PRIV_ID(p));
				CHECK(PRIV_T(p) == other,
				      "find in set %d gave thread %d's data",
				      other, PRIV_T(p));
			}
			if (ret == 0 && other == me->t)
				CHECK(__atomic_load_n(&s_owner[id],
						      __ATOMIC_RELAXED) ==
				      me->t + 1 || !p,
				      "own find of an ID not ours");
		} else if (op < 93) {	/* get or put */
			if (me->n_held && ((r >> 32) & 1 ||
					   me->n_held == S_HELD)) {
				s_put_one(me, (u32)(r >> 40) % me->n_held);
				continue;
			}
			ret = ioasid_get(&ssets[other], id);
			CHECK(ret == 0 || ret == -ENOENT || ret == -EACCES,
			      "get: %d", ret);
			if (ret == 0) {
				__atomic_fetch_add(&s_refs[id], 1,
						   __ATOMIC_ACQ_REL);
				me->held[me->n_held] = id;
				me->held_set[me->n_held++] = other;
			}
		} else if (op < 97) {	/* replace private data */
			if (me->n_mine) {
				u32 k = (u32)(r >> 32) % me->n_mine;

				ret = ioasid_set_data(set, me->mine[k],
					PRIV(me->mine[k], me->t,
					     __atomic_load_n(&s_inc[me->mine[k]],
							     __ATOMIC_RELAXED)));
				CHECK(ret == 0, "set_data: %d", ret);
			}
		} else if (op < 99) {
			ioasid_ctx_flush(&me->ctx);
		} else {		/* VM teardown */
			for (u32 k = 0; k < me->n_mine; k++)
				__atomic_store_n(&s_owner[me->mine[k]], 0,
						 __ATOMIC_RELEASE);
			ret = ioasid_set_free_all(set);
			CHECK(ret == (int)me->n_mine, "free_all freed %d of %u",
			      ret, me->n_mine);
			me->n_mine = 0;
		}
	}
	while (me->n_mine)
		s_free_one(me, 0, true);
	while (me->n_held)
		s_put_one(me, 0);
	ioasid_ctx_flush(&me->ctx);
	return NULL;
}

/* Let the workers run @n more iterations (or stop). */
static bool s_wait_progress(u64 n)
{
	u64 until = __atomic_load_n(&s_progress, __ATOMIC_RELAXED) + n;

	while (__atomic_load_n(&s_progress, __ATOMIC_RELAXED) < until) {
		if (__atomic_load_n(&s_stop, __ATOMIC_ACQUIRE))
			return false;
		sched_yield();
	}
	return true;
}

/*
 * Switch allocators back and forth under load: default for a while, then
 * the custom allocator; to let it leave, ask workers to stop allocating
 * until its IDs have come back (unregister says -EBUSY until then).
 */
static void *s_control(void *arg)
{
	int ret, busy = 0;

	while (s_wait_progress(3000)) {
		ret = ioasid_register_allocator(&sa, &c_ops, NULL);
		CHECK(ret == 0, "register: %d", ret);
		s_wait_progress(3000);
		__atomic_store_n(&s_draining, 1, __ATOMIC_RELAXED);
		while ((ret = ioasid_unregister_allocator(&sa, &c_ops,
							  NULL)) == -EBUSY) {
			busy++;
			sched_yield();
		}
		CHECK(ret == 0, "unregister: %d", ret);
		__atomic_store_n(&s_draining, 0, __ATOMIC_RELAXED);
	}
	CHECK(busy > 0, "unregister never found IDs outstanding");
	return NULL;
}

static void test_stress(void)
{
	static struct s_thread th[S_THREADS];
	struct ioasid_config cfg = { .max_id = S_MAX_ID,
				     .release = s_release };
	struct ioasid_set all;
	pthread_t ctl;
	u64 pages = fake_mem_pages_in_use();
	int f0 = failures, n = 0, ret;
	double t0 = now_s();

	CHECK(ioasid_allocator_init(&sa, &cfg) == 0, "init");
	for (int t = 0; t < S_THREADS; t++) {
		CHECK(ioasid_set_init(&sa, &ssets[t], S_QUOTA) == 0, "set");
		th[t].t = t;
	}
	pthread_create(&ctl, NULL, s_control, NULL);
	for (int t = 0; t < S_THREADS; t++)
		pthread_create(&th[t].th, NULL, s_worker, &th[t]);
	for (int t = 0; t < S_THREADS; t++)
		pthread_join(th[t].th, NULL);
	__atomic_store_n(&s_stop, 1, __ATOMIC_RELEASE);
	pthread_join(ctl, NULL);
	/* Every ID is back: no outstanding custom IDs either. */
	ret = ioasid_unregister_allocator(&sa, &c_ops, NULL);
	CHECK(ret == 0 || ret == -ENOENT, "final unregister: %d", ret);
	CHECK(s_allocs == s_releases, "%llu allocations, %llu releases",
	      (unsigned long long)s_allocs, (unsigned long long)s_releases);
	CHECK(c_allocs == c_frees, "custom: %llu allocs, %llu frees",
	      (unsigned long long)c_allocs, (unsigned long long)c_frees);
	for (int t = 0; t < S_THREADS; t++)
		CHECK(ioasid_set_count(&ssets[t]) == 0, "set %d count %u", t,
		      ioasid_set_count(&ssets[t]));
	/* None lost: the whole space can be allocated again. */
	CHECK(ioasid_set_init(&sa, &all, S_SPACE) == 0, "set all");
	while (ioasid_alloc(&all, NULL, 0, S_MAX_ID, NULL) >= 0)
		n++;
	CHECK(n == S_SPACE, "only %d of %d IDs allocatable at the end", n,
	      S_SPACE);
	ioasid_allocator_destroy(&sa);
	CHECK(fake_mem_pages_in_use() == pages, "pages leaked");
	printf("stress: %d threads x %d calls in %.1f s, %llu allocations, "
	       "%llu via the custom allocator: %s\n", S_THREADS, S_ITERS,
	       now_s() - t0,
	       (unsigned long long)s_allocs, (unsigned long long)c_allocs,
	       failures == f0 ? "ok" : "FAILED");
	if (failures == f0)
		passes++;
}

/* ====================================================================== */
/* 2. Linearizability                                                      */
/* ====================================================================== */

#define L_THREADS	2
#define L_OPS		4
#define L_IDS		4
#define L_QUOTA		2
#define L_ROUNDS	20000
#define L_BUDGET_S	8.0		/* stop earlier on a slow machine */

enum l_kind { L_ALLOC, L_FREE, L_GET, L_PUT, L_FIND, L_SETDATA, L_NOP };

struct l_op {
	enum l_kind kind;
	int set;
	u32 id, lo, hi;
	bool ctx;
	uintptr_t priv;
	int ret;
	uintptr_t out;		/* find's private data */
	u32 delay;		/* spin before the call */
	u64 inv, resp;
};

struct l_model {
	u8 st[L_IDS];		/* 0 free, 1 live, 2 dying */
	u8 set[L_IDS];
	u8 refs[L_IDS];		/* get references */
	uintptr_t priv[L_IDS];
	u8 used[2];
};

static struct ioasid_allocator la;
static struct ioasid_set lsets[2];
static struct l_op lops[L_THREADS][L_OPS];
static u64 l_clock;
static u64 l_arrived;
static int l_done;
static pthread_barrier_t l_bar;
static struct ioasid_ctx lctx[L_THREADS];
/*
 * References each thread holds. A put must match a get (the API's
 * contract), so a thread puts only what it holds: references taken by
 * its own gets or handed to it when the round was set up.
 */
static struct { u8 set, id; } l_held[L_THREADS][L_IDS * 4 + L_OPS];
static int l_nheld[L_THREADS];

static void l_run_op(int t, struct l_op *o)
{
	struct ioasid_set *s;
	void *p = NULL;

	if (o->kind == L_PUT) {
		if (!l_nheld[t]) {
			o->kind = L_NOP;
		} else {
			int k = (int)(o->id % (u32)l_nheld[t]);

			o->set = l_held[t][k].set;
			o->id = l_held[t][k].id;
			l_held[t][k] = l_held[t][--l_nheld[t]];
		}
	}
	s = &lsets[o->set];
	o->inv = __atomic_fetch_add(&l_clock, 1, __ATOMIC_SEQ_CST);
	switch (o->kind) {
	case L_ALLOC:
		o->ret = ioasid_alloc(s, o->ctx ? &lctx[t] : NULL, o->lo,
				      o->hi, (void *)o->priv);
		break;
	case L_FREE:
		o->ret = ioasid_free(s, o->ctx ? &lctx[t] : NULL, o->id);
		break;
	case L_GET:
		o->ret = ioasid_get(s, o->id);
		if (!o->ret) {
			l_held[t][l_nheld[t]].set = (u8)o->set;
			l_held[t][l_nheld[t]++].id = (u8)o->id;
		}
		break;
	case L_PUT:
		o->ret = ioasid_put(s, o->id);
		break;
	case L_NOP:
		break;
	case L_FIND:
		o->ret = ioasid_find(s, o->id, NULL, NULL, &p);
		o->out = (uintptr_t)p;
		break;
	case L_SETDATA:
		o->ret = ioasid_set_data(s, o->id, (void *)o->priv);
		break;
	}
	o->resp = __atomic_fetch_add(&l_clock, 1, __ATOMIC_SEQ_CST);
}

static void *l_worker(void *arg)
{
	int t = (int)(uintptr_t)arg;

	for (int round = 0;; round++) {
		u64 all = (u64)L_THREADS * (u64)(round + 1);
		int spins = 0;

		pthread_barrier_wait(&l_bar);	/* main set up the round */
		if (__atomic_load_n(&l_done, __ATOMIC_ACQUIRE))
			break;
		/* Start together, so that the calls overlap. */
		__atomic_fetch_add(&l_arrived, 1, __ATOMIC_ACQ_REL);
		while (__atomic_load_n(&l_arrived, __ATOMIC_ACQUIRE) < all)
			if (++spins % 20000 == 0)
				sched_yield();
		for (int i = 0; i < L_OPS; i++) {
			for (volatile u32 d = 0; d < lops[t][i].delay; d++)
				;
			l_run_op(t, &lops[t][i]);
		}
		pthread_barrier_wait(&l_bar);	/* main checks */
	}
	return NULL;
}

/* Do two operations overlap in real time? */
static bool l_overlap(const struct l_op *a, const struct l_op *b)
{
	return !(a->resp < b->inv || b->resp < a->inv);
}

/*
 * Apply @o to @m if its recorded result is what the sequential
 * specification allows in state @m. The two relaxed rules (see
 * ioasid_alloc()): -ENOSPC is allowed when each ID of the range is held
 * now or is allocated or released by an operation overlapping the call;
 * -EDQUOT when the set's count plus the other allocations and frees in
 * that set overlapping the call reaches the quota (docs/IOASID.md: both
 * errors may be seen while a concurrent call allocates or releases).
 */
static bool l_apply(struct l_model *m, const struct l_op *o)
{
	u32 id = o->id;
	bool any_free = false, justified = true;
	int overlapping = 0;

	switch (o->kind) {
	case L_ALLOC:
		if (o->ret >= 0) {
			id = (u32)o->ret;
			if (id < o->lo || id > o->hi || id >= L_IDS ||
			    m->st[id] || m->used[o->set] >= L_QUOTA)
				return false;
			m->st[id] = 1;
			m->set[id] = (u8)o->set;
			m->refs[id] = 0;
			m->priv[id] = o->priv;
			m->used[o->set]++;
			return true;
		}
		if (o->ret == -EDQUOT) {
			if (m->used[o->set] >= L_QUOTA)
				return true;
			for (int t = 0; t < L_THREADS; t++)
				for (int i = 0; i < L_OPS; i++) {
					const struct l_op *x = &lops[t][i];

					/*
					 * An allocation in flight holds a
					 * quota reservation; a free in flight
					 * has made its ID unreachable but may
					 * not have returned its quota yet.
					 */
					if (x != o && x->set == o->set &&
					    l_overlap(x, o) &&
					    (x->kind == L_ALLOC ||
					     (x->kind == L_FREE && !x->ret)))
						overlapping++;
				}
			return m->used[o->set] + overlapping >= L_QUOTA;
		}
		if (o->ret == -ENOSPC) {
			if (m->used[o->set] >= L_QUOTA)
				return false;	/* would be -EDQUOT */
			for (u32 i = o->lo; i <= o->hi && i < L_IDS; i++) {
				bool touched = false;

				if (m->st[i])
					continue;
				any_free = true;
				for (int t = 0; t < L_THREADS; t++)
					for (int k = 0; k < L_OPS; k++) {
						const struct l_op *x =
							&lops[t][k];

						if (x == o || !l_overlap(x, o))
							continue;
						if ((x->kind == L_FREE ||
						     x->kind == L_PUT) &&
						    x->id == i && x->ret >= 0)
							touched = true;
						if (x->kind == L_ALLOC &&
						    x->ret == (int)i)
							touched = true;
					}
				if (!touched)
					justified = false;
			}
			return !any_free || justified;
		}
		return false;
	case L_FREE:
		if (m->st[id] != 1)
			return o->ret == -ENOENT;
		if (m->set[id] != o->set)
			return o->ret == -EACCES;
		if (o->ret)
			return false;
		m->used[o->set]--;
		m->st[id] = m->refs[id] ? 2 : 0;
		return true;
	case L_GET:
		if (m->st[id] != 1)
			return o->ret == -ENOENT;
		if (m->set[id] != o->set)
			return o->ret == -EACCES;
		if (o->ret)
			return false;
		m->refs[id]++;
		return true;
	case L_PUT:
		if (m->st[id] == 0)
			return o->ret == -ENOENT;
		if (m->set[id] != o->set)
			return o->ret == -EACCES;
		if (m->st[id] == 1 && !m->refs[id])
			return o->ret == -EINVAL;
		m->refs[id]--;
		if (m->st[id] == 2 && !m->refs[id]) {
			m->st[id] = 0;
			return o->ret == 1;
		}
		return o->ret == 0;
	case L_FIND:
		if (m->st[id] != 1)
			return o->ret == -ENOENT;
		if (m->set[id] != o->set)
			return o->ret == -EACCES;
		return o->ret == 0 && o->out == m->priv[id];
	case L_SETDATA:
		if (m->st[id] != 1)
			return o->ret == -ENOENT;
		if (m->set[id] != o->set)
			return o->ret == -EACCES;
		if (o->ret)
			return false;
		m->priv[id] = o->priv;
		return true;
	case L_NOP:
		return true;
	}
	return false;
}

/*
 * Wing and Gong's search: linearize, in some order that respects real
 * time and each thread's program order, every operation so that each
 * recorded result is allowed by the model.
 */
static bool l_search(const struct l_model *m, int *next)
{
	bool done = true;

	for (int t = 0; t < L_THREADS; t++) {
		struct l_op *o;
		struct l_model m2;
		bool minimal = true;

		if (next[t] == L_OPS)
			continue;
		done = false;
		o = &lops[t][next[t]];
		/* No pending operation may have responded before o began. */
		for (int u = 0; u < L_THREADS; u++)
			if (u != t && next[u] < L_OPS &&
			    lops[u][next[u]].resp < o->inv)
				minimal = false;
		if (!minimal)
			continue;
		m2 = *m;
		if (!l_apply(&m2, o))
			continue;
		next[t]++;
		if (l_search(&m2, next))
			return true;
		next[t]--;
	}
	return done;
}

static const char *const l_names[] = {
	"alloc", "free", "get", "put", "find", "set_data", "nop",
};

static void l_dump(const struct l_model *m)
{
	for (int i = 0; i < L_IDS; i++)
		fprintf(stderr, "  id%d: st %d set %d refs %d priv %lu\n", i,
			m->st[i], m->set[i], m->refs[i],
			(unsigned long)m->priv[i]);
	for (int t = 0; t < L_THREADS; t++)
		for (int i = 0; i < L_OPS; i++) {
			struct l_op *o = &lops[t][i];

			fprintf(stderr, "  T%d [%llu,%llu] %s set%d id%u "
				"[%u,%u]%s priv%lu -> %d out%lu\n", t,
				(unsigned long long)o->inv,
				(unsigned long long)o->resp, l_names[o->kind],
				o->set, o->id, o->lo, o->hi,
				o->ctx ? " ctx" : "", (unsigned long)o->priv,
				o->ret, (unsigned long)o->out);
		}
}

static void test_linearizability(void)
{
	pthread_t th[L_THREADS];
	struct ioasid_config cfg = { .max_id = L_IDS - 1 };
	u64 seed = 4242;
	int f0 = failures, bad = 0, overlapping = 0, round;
	double t0 = now_s();
	u64 pages = fake_mem_pages_in_use();

	pthread_barrier_init(&l_bar, NULL, L_THREADS + 1);
	for (int t = 0; t < L_THREADS; t++)
		pthread_create(&th[t], NULL, l_worker, (void *)(uintptr_t)t);
	for (round = 0; round < L_ROUNDS; round++) {
		struct l_model m;

		if (now_s() - t0 > L_BUDGET_S)
			break;
		int next[L_THREADS] = { 0 };
		uintptr_t priv = 1;

		/* A fresh space, pre-populated so histories start mixed. */
		CHECK(ioasid_allocator_init(&la, &cfg) == 0, "init");
		memset(&m, 0, sizeof(m));
		memset(l_nheld, 0, sizeof(l_nheld));
		for (int s = 0; s < 2; s++)
			ioasid_set_init(&la, &lsets[s], L_QUOTA);
		for (int t = 0; t < L_THREADS; t++)
			ioasid_ctx_init(&la, &lctx[t]);
		for (u32 id = 0; id < L_IDS; id++) {
			u64 r = rnd(&seed);

			if (r % 3 == 0)
				continue;
			int s = (int)((r >> 8) & 1);

			if (m.used[s] == L_QUOTA)
				continue;
			CHECK(ioasid_alloc(&lsets[s], NULL, id, id,
					   (void *)priv) == (int)id, "pre");
			m.st[id] = 1;
			m.set[id] = (u8)s;
			m.priv[id] = priv++;
			m.used[s]++;
			if ((r >> 9) % 3 == 0) {
				int t = (int)(id % L_THREADS);

				CHECK(ioasid_get(&lsets[s], id) == 0, "pre");
				m.refs[id]++;
				l_held[t][l_nheld[t]].set = (u8)s;
				l_held[t][l_nheld[t]++].id = (u8)id;
			}
		}
		for (int t = 0; t < L_THREADS; t++)
			for (int i = 0; i < L_OPS; i++) {
				struct l_op *o = &lops[t][i];
				u64 r = rnd(&seed);

				memset(o, 0, sizeof(*o));
				o->kind = (enum l_kind)(r % 6);
				if (r % 6 >= 4 && (r >> 40) % 2)
					o->kind = (r >> 41) % 2 ? L_ALLOC :
								  L_FREE;
				o->set = (int)((r >> 8) & 1);
				o->id = (u32)((r >> 9) % L_IDS);
				o->ctx = (r >> 12) & 1;
				o->priv = priv++;
				o->delay = (u32)(r >> 50) % 64;
				if ((r >> 13) & 1) {
					o->lo = 0;
					o->hi = L_IDS - 1;
				} else {
					o->lo = o->id;
					o->hi = HAL_MIN(o->id + 1, L_IDS - 1U);
				}
			}
		pthread_barrier_wait(&l_bar);	/* go */
		pthread_barrier_wait(&l_bar);	/* all done */
		for (int t = 0; t < L_THREADS; t++)
			for (int u = t + 1; u < L_THREADS; u++)
				for (int i = 0; i < L_OPS * L_OPS; i++)
					if (l_overlap(&lops[t][i / L_OPS],
						      &lops[u][i % L_OPS])) {
						overlapping++;
						goto counted;
					}
counted:
		if (!l_search(&m, next)) {
			bad++;
			if (bad <= 3) {
				fprintf(stderr, "stress: history %d is not "
					"linearizable:\n", round);
				l_dump(&m);
			}
		}
		ioasid_allocator_destroy(&la);
	}
	__atomic_store_n(&l_done, 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&l_bar);
	for (int t = 0; t < L_THREADS; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&l_bar);
	CHECK(bad == 0, "%d of %d histories not linearizable", bad, round);
	CHECK(round >= 1000, "only %d histories in the time budget", round);
	CHECK(fake_mem_pages_in_use() == pages, "pages leaked");
	printf("linearizability: %d histories of %d threads x %d calls, %d "
	       "with calls overlapping in time: %s\n", round, L_THREADS,
	       L_OPS, overlapping, failures == f0 ? "ok" : "FAILED");
	if (failures == f0)
		passes++;
}

int main(void)
{
	struct timespec t0, t1;
	int tests = 2;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	test_stress();
	test_linearizability();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("ioasid_stress: %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
	printf("%d passed, %d failed\n", passes, tests - passes);
	return passes == tests ? 0 : 1;
}
