// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioasid sets: one per VM, each with a quota; creation, retirement, and
 * the weakly consistent iterators used at VM teardown.
 */
#include <hal/atomic.h>
#include <hal/string.h>

#include "ioasid_impl.h"

int ioasid_set_init(struct ioasid_allocator *a, struct ioasid_set *set,
		    u32 quota)
{
	u32 id;

	if (!quota || quota > a->max_id + 1)
		return -EINVAL;
	/*
	 * Set IDs are never reused, so a stale word naming a retired set
	 * can never match a new one. [COUNT] Relaxed, load and CAS: only
	 * uniqueness matters, which the CAS's atomicity gives; the ID
	 * publishes no data (the set reaches other threads through the
	 * caller's own synchronisation). The counter stops (stays past the
	 * limit) once IDs run out.
	 */
	id = hal_atomic_load(&a->next_set_id, HAL_RELAXED);
	do {
		if (id > IOASID_MAX_SETS)
			return -ENOSPC;
	} while (!hal_atomic_cas(&a->next_set_id, &id, id + 1, HAL_RELAXED,
				 HAL_RELAXED));
	hal_memset(set, 0, sizeof(*set));
	set->a = a;
	set->id = id;
	set->quota = quota;
	return 0;
}

int ioasid_set_destroy(struct ioasid_set *set)
{
	u64 used = 0;

	/*
	 * Only an empty set is retired; an allocation racing us fails.
	 * [COUNT] Acq_rel is more than needed: every other access to
	 * set->used is relaxed, so no release pairs with this acquire, and
	 * the DEAD flag is only ever tested for itself, so this release
	 * publishes nothing. Relaxed would do under the documented contract
	 * (the set's storage outlives every call on it). Failure relaxed:
	 * only the value is returned.
	 */
	if (hal_atomic_cas(&set->used, &used, IOASID_SET_DEAD, HAL_ACQ_REL,
			   HAL_RELAXED))
		return 0;
	return (used & IOASID_SET_DEAD) ? -EINVAL : -EBUSY;
}

u32 ioasid_set_quota(const struct ioasid_set *set)
{
	return set->quota;
}

u32 ioasid_set_count(const struct ioasid_set *set)
{
	/* [COUNT] Relaxed: a snapshot of a counter. */
	u64 used = hal_atomic_load(&set->used, HAL_RELAXED);

	return (u32)(used & ~IOASID_SET_DEAD);
}

/*
 * Visit every slot LIVE in @set. Each candidate is pinned with
 * ioasid_get(), which re-checks LIVE and the owner in its CAS, so @fn
 * only ever sees an ID that was the set's when pinned, and its private
 * data cannot be released during the call.
 */
static int set_walk(struct ioasid_set *set, bool do_free,
		    int (*fn)(u32 id, void *priv, void *arg), void *arg)
{
	struct ioasid_allocator *a = set->a;
	int calls = 0;
	u32 li, j;

	/*
	 * [COUNT] Relaxed: a snapshot. A set retired after it is empty, and
	 * the walk's CASes then find none of its IDs.
	 */
	if (hal_atomic_load(&set->used, HAL_RELAXED) & IOASID_SET_DEAD)
		return -EINVAL;
	for (li = 0; li < a->nr_leaves; li++) {
		u32 base = li << IOASID_LEAF_SHIFT;
		struct ioasid_leaf *l = ioasid_leaf_peek(a, base);

		if (!l)
			continue;
		for (j = 0; j < IOASID_LEAF_SLOTS && base + j <= a->max_id;
		     j++) {
			struct ioasid_slot *s = &l->slot[j];
			/*
			 * Relaxed: a filter; ioasid_free() and ioasid_get()
			 * re-check the word with their own CAS.
			 */
			u64 w = hal_atomic_load(&s->word, HAL_RELAXED);
			int stop;

			if (w_live_in(w, set))
				continue;
			if (do_free) {
				if (ioasid_free(set, NULL, base + j) == 0)
					calls++;
				continue;
			}
			if (ioasid_get(set, base + j))
				continue;
			/*
			 * [DATA] Acquire, under the reference ioasid_get()
			 * took ([LIVE]): pairs with the release stores of priv
			 * in publish() and ioasid_set_data(), so @fn sees the
			 * object behind a set_data pointer initialised.
			 */
			stop = fn(base + j,
				  hal_atomic_load(&s->priv, HAL_ACQUIRE), arg);
			ioasid_put(set, base + j);
			calls++;
			if (stop)
				return calls;
		}
	}
	return calls;
}

int ioasid_set_for_each(struct ioasid_set *set,
			int (*fn)(u32 id, void *priv, void *arg), void *arg)
{
	return set_walk(set, false, fn, arg);
}

int ioasid_set_free_all(struct ioasid_set *set)
{
	return set_walk(set, true, NULL, NULL);
}
