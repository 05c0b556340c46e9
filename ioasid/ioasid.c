// SPDX-License-Identifier: BSD-2-Clause
/*
 * Lock-free PASID allocator: the ID table, allocation, free, lookup,
 * reference counting and custom allocator registration. See
 * ioasid_impl.h for the state word and docs/IOASID.md for the design.
 *
 * Progress. Every loop below is either a bounded scan or a CAS retry loop
 * whose CAS fails only because another thread's CAS on the same word
 * succeeded, i.e. because some other call made progress. No thread ever
 * waits for another: the one transient exclusive state (BUSY) is skipped
 * by allocators and reported as "not allocated" by lookups, never waited
 * on. Hence allocate, free, find, get and put are lock-free.
 *
 * Memory reclamation. There is none while the allocator lives: leaf pages
 * are published once and freed only by ioasid_allocator_destroy(), so a
 * find that races a free reads a slot of a live page and decides from a
 * CAS (or a load-validate-load sequence) on its state word. That is what
 * replaces RCU here. Memory still grows with use only: a 256-ID page is
 * allocated the first time one of its IDs is wanted.
 *
 * ABA. Each CAS expects the complete state word, and the word says
 * everything the CAS relies on (state, owner, references). An ID that
 * went away and came back in the same state is, by construction, in the
 * state the CAS requires, so the CAS is still correct. The generation
 * field (advanced every time an ID goes LIVE) is what lets a lookup that
 * takes no reference tell that the private data it read belongs to the
 * incarnation it validated; it wraps after 2^19 reuses of one ID during a
 * single lookup, which we accept.
 *
 * Memory ordering. Every atomic in ioasid/ carries a comment naming the
 * access it pairs with, by one of the labels below, and why its order is
 * enough. No test can check these orders: x86 is TSO (every load is an
 * acquire, every store a release, every locked RMW a full barrier), so a
 * weakened order changes nothing there, and ThreadSanitizer finds races
 * on plain accesses, not stale values returned by atomic loads. The
 * arguments are in the C11 model; the "bad outcome" of each pair is what
 * ARMv8 or POWER may do if the order is weakened.
 *
 * Release sequences. After a leaf is published, a slot word is changed
 * only by CAS, except for the two plain release stores of the thread that
 * holds it BUSY (publish() and reclaim()). So the release sequence headed
 * by a release store or release CAS on a word runs through every later
 * CAS (get, put, claim, cache, steal) up to the next BUSY owner's store,
 * and an acquire that reads any value in it synchronises with its head.
 * The same holds for a->pol (RMWs only, but for the register store made
 * when it holds no pins) and the summary words (RMWs only).
 *
 *  [LEAF]  leaf_get(): page zeroed by hal_page_alloc(), then
 *              CAS dir[li] NULL -> page                       (release)
 *          pairs with  load of dir[li] in leaf_get() and
 *              ioasid_leaf_peek(), the failing CAS in leaf_get() (acquire)
 *          Whoever sees the pointer sees the zeroes (every slot FREE,
 *          generation 0), not what the page held before.
 *
 *  [LIVE]  publish():  store priv                              (release)
 *                      store word LIVE                         (release)
 *          pairs with  slot_get()'s CAS                        (acquire)
 *                      ioasid_find()'s first load of the word  (acquire)
 *                      ioasid_free()'s and slot_put()'s CAS    (acq_rel)
 *          Whoever sees the incarnation LIVE sees its priv and the
 *          caller's initialisation of *priv. Bad outcome if relaxed: the
 *          previous incarnation's priv, already given to the release
 *          callback, is returned by find, handed to a getter, or released
 *          a second time by free.
 *
 *  [DATA]  publish(), ioasid_set_data():  store priv           (release)
 *          pairs with  every load of priv whose value reaches a caller
 *              (ioasid_find() both forms, set_walk())          (acquire)
 *          Message passing of the caller's object. [LIVE] does not cover
 *          a set_data value: it was stored after the word the reader
 *          acquired was published.
 *
 *  [SEQ]   ioasid_find() without a getter, a seqlock read:
 *              r1 = word (acquire); p = priv (acquire); r2 = word (relaxed)
 *          and accept p only if r2 names the incarnation r1 named. If p
 *          came from a later incarnation's priv store (publish() or
 *          set_data(), both release), p's acquire synchronises with it;
 *          that store follows the claimant's CAS of the word to BUSY, so
 *          the CAS happens before the load of r2, which by coherence then
 *          cannot return r1. p's acquire also keeps r2 after p. r1's
 *          acquire is [LIVE]: p is not older than r1's incarnation. So
 *          every attempt starts with an acquire load of the word; a retry
 *          that took r2 as its r1 would not have it.
 *
 *  [REF]   ioasid_free(), slot_put(): CAS giving up a reference (release)
 *          pairs with  the CAS that makes the word BUSY            (acq_rel)
 *          Every holder's accesses to priv and *priv (a getter's use,
 *          set_data's store) happen before reclaim() reads priv for the
 *          release callback and before the ID is reused.
 *
 *  [REUSE] reclaim():  store FREE or RESERVED                  (release)
 *          ioasid_free(): CAS LIVE -> RESERVED                 (acq_rel)
 *          ioasid_ctx_flush(): CAS RESERVED -> FREE            (release)
 *          pairs with  the claiming CAS in claim_leaf(), ctx_pop(),
 *              alloc_custom()                                  (acquire)
 *          The last incarnation's accesses to priv happen before the new
 *          claimant's store of priv. Bad outcome if either side is
 *          relaxed: a getter or the release callback of the old
 *          incarnation reads the new incarnation's priv (load buffering).
 *
 *  [POL]   ioasid_register_allocator(): store a->pol           (release)
 *          ioasid_unregister_allocator(): CAS a->pol           (acq_rel)
 *          pairs with  alloc_custom()'s pinning CAS            (acquire)
 *          The pinner sees the ops and priv it then calls.
 *          reclaim(), alloc_custom(): unpin fetch_sub of a->pol (release)
 *          pairs with  ioasid_unregister_allocator()'s CAS     (acq_rel)
 *          Every call into the leaving allocator's ops happens before
 *          unregister returns, so the caller may then tear it down.
 *
 *  [CTL]   ctl_unlock() store (release) -> ctl_lock() xchg (acquire): a
 *          spin lock over custom[], reg_seq and the index in a->pol.
 *
 *  [HINT]  nfree[] and summary[]: sequentially consistent; the argument
 *          is above ioasid_nfree_inc().
 *
 *  [COUNT] set->used, a->next_set_id, a->next_ctx_tag: counters that
 *          publish no data. Only the atomicity of each RMW matters, so
 *          relaxed.
 *
 * A relaxed load of a slot word that only supplies a CAS's expected value
 * needs no order: the CAS re-reads the word atomically and carries the
 * order itself.
 */
#include <hal/atomic.h>
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <hal/time.h>

#include "ioasid_impl.h"

/* IDs taken from the shared pool when a context's cache runs dry. */
#define IOASID_CTX_REFILL	(IOASID_CTX_CACHE / 2)

/* ---- Directory, leaves, free counts ------------------------------------ */

int ioasid_allocator_init(struct ioasid_allocator *a,
			  const struct ioasid_config *cfg)
{
	u32 max_id = (1U << CONFIG_IOASID_BITS) - 1;
	u64 bytes, dir_bytes, nfree_bytes;
	unsigned int order = 0;
	u8 *blk;
	u32 i;

	if (cfg && cfg->max_id) {
		if (cfg->max_id > max_id)
			return -EINVAL;
		max_id = cfg->max_id;
	}
	hal_memset(a, 0, sizeof(*a));
	a->max_id = max_id;
	a->nr_leaves = (max_id >> IOASID_LEAF_SHIFT) + 1;
	dir_bytes = (u64)a->nr_leaves * sizeof(void *);
	nfree_bytes = HAL_ALIGN_UP((u64)a->nr_leaves * sizeof(u32), 8);
	bytes = dir_bytes + nfree_bytes +
		HAL_ALIGN_UP((u64)a->nr_leaves, 64) / 8;
	while ((HAL_PAGE_SIZE << order) < bytes)
		order++;
	blk = hal_page_alloc(order);
	if (!blk)
		return -ENOMEM;
	a->dir_order = order;
	a->dir = (void **)blk;
	a->nfree = (u32 *)(blk + dir_bytes);
	a->summary = (u64 *)(blk + dir_bytes + nfree_bytes);
	for (i = 0; i < a->nr_leaves; i++) {
		a->nfree[i] = i + 1 < a->nr_leaves ? IOASID_LEAF_SLOTS :
			      (max_id & (IOASID_LEAF_SLOTS - 1)) + 1;
		a->summary[i / 64] |= BIT_ULL(i % 64);
	}
	if (cfg) {
		a->release = cfg->release;
		a->release_arg = cfg->release_arg;
	}
	a->next_set_id = 1;
	a->next_ctx_tag = 1;
	return 0;
}

void ioasid_allocator_destroy(struct ioasid_allocator *a)
{
	u32 i;

	if (!a->dir)
		return;
	for (i = 0; i < a->nr_leaves; i++) {
		if (a->dir[i])
			hal_page_free(a->dir[i], 0);
	}
	hal_page_free(a->dir, a->dir_order);
	a->dir = NULL;
}

int ioasid_allocator_set_hook(struct ioasid_allocator *a, ioasid_hook_fn fn,
			      void *arg)
{
	if (!CONFIG_IOASID_TEST_HOOKS)
		return -EOPNOTSUPP;
	/* Plain (volatile) stores: see ioasid_hook() in ioasid_impl.h. */
	WRITE_ONCE(a->hook_arg, arg);
	WRITE_ONCE(a->hook, (void (*)(void))fn);
	return 0;
}

/*
 * The leaf of index @li, allocated and published on first use.
 *
 * Publication: the page comes zeroed from hal_page_alloc() (every slot
 * FREE, generation 0) and is installed with a release CAS from NULL; the
 * acquire loads in ioasid_leaf_peek() and of a failed CAS therefore see
 * the zeroes. Two threads may race to populate the same leaf: the loser
 * frees its own page, which nobody else has seen. A published leaf is
 * never replaced or freed before ioasid_allocator_destroy().
 */
static struct ioasid_leaf *leaf_get(struct ioasid_allocator *a, u32 li)
{
	void **p = &a->dir[li];
	/*
	 * [LEAF] Acquire: pairs with the release CAS below (ours or another
	 * thread's). Relaxed would let our slot loads see the page as it was
	 * before hal_page_alloc() zeroed it.
	 */
	void *l = hal_atomic_load(p, HAL_ACQUIRE);
	void *expected = NULL;

	if (l)
		return l;
	l = hal_page_alloc(0);
	if (!l)
		return NULL;
	/*
	 * [LEAF] Success release: pairs with the acquire loads of dir[li]
	 * (above, ioasid_leaf_peek()) and the failing CAS here; it orders
	 * the zeroing before the pointer. Relaxed would let another thread
	 * see the pointer and a slot that is not yet zero. Failure acquire:
	 * pairs with the winner's release CAS, for the page we return.
	 */
	if (hal_atomic_cas(p, &expected, l, HAL_RELEASE, HAL_ACQUIRE))
		return l;
	hal_page_free(l, 0);
	return expected;
}

/*
 * [HINT] Free counts and the summary bitmap are hints that let a scan
 * skip full leaves; correctness never depends on them being exact at any
 * instant, only on this invariant at quiescence: a leaf with a FREE slot
 * has its summary bit set.
 *
 * nfree[li] is incremented after a slot's FREE store and decremented
 * after a CAS took a slot out of FREE, so it may lag (and even wrap below
 * zero for a moment). The bit is set by whoever moves nfree from 0 to 1,
 * and cleared only by a scanner that saw nfree == 0, cleared the bit and
 * then saw nfree still 0. All of these are sequentially consistent RMWs
 * or loads, so in their single total order either the recheck sees the
 * increment (and the scanner sets the bit back) or the increment comes
 * after the clear (and its 0 -> 1 step sets the bit). Any path from
 * nfree <= 0 to nfree > 0 contains such a 0 -> 1 step.
 *
 * Without sequential consistency this is the store-buffering shape
 * (increment then set, against clear then recheck), where release and
 * acquire alone do not order a store before a later load of another
 * location. Here they would in fact suffice: every change of a summary
 * word is an RMW, so a clear that follows the setter's fetch_or in the
 * word's modification order reads from its release sequence, and an
 * acquire clear would then see the increment at its recheck. SC is kept:
 * the argument above is simpler, and on x86 the code is the same (locked
 * RMWs either way, SC loads are plain moves).
 */
void ioasid_nfree_inc(struct ioasid_allocator *a, u32 li)
{
	/* [HINT] SC: in the total order with summary_maybe_clear()'s loads. */
	if (hal_atomic_fetch_add(&a->nfree[li], 1, HAL_SEQ_CST) == 0)
		/* [HINT] SC: ordered against summary_maybe_clear()'s clear. */
		hal_atomic_fetch_or(&a->summary[li / 64], BIT_ULL(li % 64),
				    HAL_SEQ_CST);
}

void ioasid_nfree_dec(struct ioasid_allocator *a, u32 li, u32 n)
{
	/*
	 * [HINT] Relaxed: the argument above rests on increments only (a
	 * 0 -> 1 step sets the bit); a decrement just makes the count lag
	 * and needs nothing but its own atomicity.
	 */
	hal_atomic_fetch_sub(&a->nfree[li], n, HAL_RELAXED);
}

static void summary_maybe_clear(struct ioasid_allocator *a, u32 li)
{
	u64 bit = BIT_ULL(li % 64);

	/*
	 * [HINT] SC, all four: pair with ioasid_nfree_inc()'s fetch_add and
	 * fetch_or as argued above. The first load only saves the RMWs
	 * when the leaf plainly has free slots.
	 */
	if (hal_atomic_load(&a->nfree[li], HAL_SEQ_CST) != 0)
		return;
	hal_atomic_fetch_and(&a->summary[li / 64], ~bit, HAL_SEQ_CST);
	if (hal_atomic_load(&a->nfree[li], HAL_SEQ_CST) != 0)
		hal_atomic_fetch_or(&a->summary[li / 64], bit, HAL_SEQ_CST);
}

static bool summary_test(struct ioasid_allocator *a, u32 li)
{
	/*
	 * [HINT] Relaxed: a hint read before scanning; nothing is read on
	 * its strength (each slot is then loaded and claimed by its own
	 * CAS). Coherence already keeps it no older than any fetch_or that
	 * happens before this call; acquire would not make it fresher.
	 */
	return hal_atomic_load(&a->summary[li / 64], HAL_RELAXED) &
	       BIT_ULL(li % 64);
}

/* ---- Claiming slots ---------------------------------------------------- */

struct claim {
	u32 *ids;		/* claimed IDs */
	u64 *words;		/* their words as claimed (BUSY or RESERVED) */
	u32 want;
	u32 got;
	u32 tag;		/* 0: claim BUSY; else RESERVED for this tag */
	int err;		/* -ENOMEM when a leaf could not be added */
};

/*
 * Claim slots of leaf @li within [lo, hi]: FREE ones, or with @steal the
 * RESERVED ones cached by any context (a cache never hides an ID).
 *
 * The CAS is acquire ([REUSE]): it orders our later writes of the slot's
 * private data after the previous owner's last accesses, which that owner
 * published with the release store that made the word FREE or RESERVED.
 * It expects the whole word it read, so it fails if anyone else claimed,
 * stole or cached the slot in between; we then look at the new word and
 * try again only if it is still claimable.
 */
static void claim_leaf(struct ioasid_allocator *a, u32 li, u32 lo, u32 hi,
		       bool steal, struct claim *c)
{
	struct ioasid_leaf *l;
	u32 want_st = steal ? IOASID_ST_RESERVED : IOASID_ST_FREE;
	u32 base = li << IOASID_LEAF_SHIFT;
	u32 first = HAL_MAX(lo, base) - base;
	u32 last = HAL_MIN(hi, base + IOASID_LEAF_SLOTS - 1) - base;
	u32 j, from_free = 0;

	if (steal) {
		l = ioasid_leaf_peek(a, base);
		if (!l)
			return;		/* an absent leaf holds no RESERVED */
	} else {
		l = leaf_get(a, li);
		if (!l) {
			c->err = -ENOMEM;
			return;
		}
	}
	for (j = first; j <= last && c->got < c->want; j++) {
		struct ioasid_slot *s = &l->slot[j];
		/* Relaxed: the CAS's expected value only. */
		u64 w = hal_atomic_load(&s->word, HAL_RELAXED);
		u64 nw;

		while (w_state(w) == want_st) {
			ioasid_hook(a, IOASID_HOOK_ALLOC_CLAIM, base + j);
			nw = c->tag ? w_make(IOASID_ST_RESERVED, c->tag, 0, 0,
					     w) : w_busy_of(w);
			/*
			 * [REUSE] Success acquire: pairs with the release
			 * (reclaim()'s store, ioasid_free()'s or
			 * ioasid_ctx_flush()'s CAS) heading the release
			 * sequence we read from. Relaxed would let the last
			 * incarnation's getter or release callback read the
			 * priv that publish() stores next. For a refill
			 * (c->tag) the acquire is more than needed: the slot
			 * stays RESERVED until ctx_pop()'s acquire CAS, which
			 * reads from this one and so synchronises with the
			 * same release. Failure relaxed: we only test the
			 * new word.
			 */
			if (hal_atomic_cas(&s->word, &w, nw, HAL_ACQUIRE,
					   HAL_RELAXED)) {
				c->ids[c->got] = base + j;
				c->words[c->got] = nw;
				c->got++;
				if (!steal)
					from_free++;
				break;
			}
		}
	}
	if (from_free)
		ioasid_nfree_dec(a, li, from_free);
	if (!steal && c->got < c->want && first == 0 &&
	    last == IOASID_LEAF_SLOTS - 1)
		summary_maybe_clear(a, li);
}

/*
 * Claim up to c->want slots in [lo, hi], visiting leaves from @start
 * (wrapping within the range); FREE slots first, then, only if none was
 * found, RESERVED ones. Bounded: each leaf is visited at most twice.
 */
static void claim_range(struct ioasid_allocator *a, u32 lo, u32 hi, u32 start,
			struct claim *c)
{
	u32 l0 = lo >> IOASID_LEAF_SHIFT, l1 = hi >> IOASID_LEAF_SHIFT;
	u32 n = l1 - l0 + 1, k, li;
	int pass;

	for (pass = 0; pass < 2 && c->got == 0; pass++) {
		for (k = 0; k < n && c->got < c->want; k++) {
			li = l0 + (start - l0 + k) % n;
			if (pass == 0 && !summary_test(a, li))
				continue;
			claim_leaf(a, li, lo, hi, pass == 1, c);
		}
	}
}

/*
 * Make a claimed (BUSY) slot LIVE for @set. We own the slot exclusively
 * while it is BUSY, so no CAS is needed: the private data and then the
 * word are written with release stores. A reader whose acquire load (or
 * CAS) sees LIVE also sees the private data ([LIVE]); the release on the
 * data itself serves the read-only lookup in ioasid_find() ([SEQ]) and
 * the caller's object ([DATA]). Inlined: the call alone cost the fast
 * path 1.7 ns a pair (docs/BENCHMARKS.md).
 */
static inline __attribute__((always_inline)) void
publish(struct ioasid_allocator *a, struct ioasid_set *set,
		    struct ioasid_slot *s, u32 id, u64 busy, u32 prod,
		    void *priv)
{
	ioasid_hook(a, IOASID_HOOK_ALLOC_PUBLISH, id);
	/*
	 * [SEQ], [DATA] Release: pairs with the acquire loads of priv in
	 * ioasid_find() and set_walk(). It carries our BUSY CAS with the
	 * value: relaxed would let a read-only find that validated an
	 * earlier incarnation return this one's priv. (Its order after
	 * that incarnation's accesses comes from our claiming CAS's
	 * acquire, [REUSE].)
	 */
	hal_atomic_store(&s->priv, priv, HAL_RELEASE);
	/*
	 * [LIVE] Release: pairs with slot_get()'s acquire CAS, ioasid_find()'s
	 * acquire load and the acq_rel CAS of ioasid_free() and slot_put(),
	 * directly or through the get/put CASes in its release sequence.
	 * It orders the priv store above, and the caller's initialisation
	 * of *priv, before the word says LIVE. Relaxed would let a thread
	 * that sees this incarnation LIVE read the previous one's priv:
	 * find would return it, a getter would run on it after its release
	 * callback, and free would pass it to the release callback again.
	 */
	hal_atomic_store(&s->word,
			 w_make(IOASID_ST_LIVE, set->id, prod, 0,
				w_next_gen(busy)),
			 HAL_RELEASE);
}

static struct ioasid_slot *slot_lookup(struct ioasid_allocator *a, u32 id)
{
	struct ioasid_leaf *l = ioasid_leaf_peek(a, id);

	return l ? ioasid_slot_of(l, id) : NULL;
}

/* The slot of a caller's @id: -EINVAL beyond max_id, -ENOENT never used. */
static inline int slot_of_id(struct ioasid_allocator *a, u32 id,
			     struct ioasid_slot **sp)
{
	if (unlikely(id > a->max_id))
		return -EINVAL;
	*sp = slot_lookup(a, id);
	return *sp ? 0 : -ENOENT;
}

/* First-fit allocation from the shared pool (no context, or none fits). */
static IOASID_SLOWPATH int alloc_scan(struct ioasid_allocator *a,
				      struct ioasid_set *set, u32 min, u32 max,
				      void *priv)
{
	u32 id;
	u64 w;
	struct claim c = { .ids = &id, .words = &w, .want = 1 };

	claim_range(a, min, max, min >> IOASID_LEAF_SHIFT, &c);
	if (!c.got)
		return c.err ? c.err : -ENOSPC;
	publish(a, set, slot_lookup(a, id), id, w, 0, priv);
	return (int)id;
}

/* Fill an empty context cache from the shared pool (FREE slots only). */
static IOASID_SLOWPATH void ctx_refill(struct ioasid_allocator *a,
				       struct ioasid_ctx *ctx, u32 min, u32 max)
{
	u64 words[IOASID_CTX_REFILL];
	u32 l0 = min >> IOASID_LEAF_SHIFT, l1 = max >> IOASID_LEAF_SHIFT;
	u32 start = ctx->next_leaf;
	struct claim c = {
		.ids = ctx->ids, .words = words, .want = IOASID_CTX_REFILL,
		.tag = ctx->tag,
	};

	if (start < l0 || start > l1)
		start = l0 + start % (l1 - l0 + 1);
	/* One pass only: stealing from other caches is for alloc_scan(). */
	for (u32 k = 0, n = l1 - l0 + 1; k < n && c.got < c.want; k++) {
		u32 li = l0 + (start - l0 + k) % n;

		if (!summary_test(a, li))
			continue;
		claim_leaf(a, li, min, max, false, &c);
		ctx->next_leaf = li;
	}
	ctx->n = c.got;
}

/*
 * Take an ID from @ctx's cache. The slot is RESERVED for our tag unless
 * another caller stole it, in which case the CAS fails (the word is no
 * longer RESERVED for us) and we drop the entry. Going through BUSY
 * rather than straight to LIVE keeps the private data ours to write: a
 * thief's CAS cannot succeed on a BUSY word.
 *
 * Return: the ID, or -ENOENT when the cache holds nothing usable for
 * [@min, @max] (the top entry is out of range, or the cache is empty).
 */
static inline __attribute__((always_inline)) int
ctx_pop(struct ioasid_allocator *a, struct ioasid_set *set,
	struct ioasid_ctx *ctx, u32 min, u32 max, void *priv)
{
	while (ctx->n) {
		u32 id = ctx->ids[ctx->n - 1];
		struct ioasid_slot *s;
		u64 w;

		if (id < min || id > max)
			break;
		ctx->n--;
		s = slot_lookup(a, id);
		/* Relaxed: the CAS's expected value only. */
		w = hal_atomic_load(&s->word, HAL_RELAXED);
		if (w_state(w) != IOASID_ST_RESERVED || w_owner(w) != ctx->tag)
			continue;
		/*
		 * [REUSE] Success acquire: pairs with the release that made
		 * the slot RESERVED for us: reclaim()'s store, ioasid_free()'s
		 * CAS, or (for a refill) reclaim()'s or ioasid_ctx_flush()'s
		 * FREE whose release sequence claim_leaf()'s CAS continued.
		 * Relaxed: as in claim_leaf(). Failure relaxed: stolen, we
		 * drop the entry and read nothing.
		 */
		if (!hal_atomic_cas(&s->word, &w, w_busy_of(w), HAL_ACQUIRE,
				    HAL_RELAXED))
			continue;
		publish(a, set, s, id, w_busy_of(w), 0, priv);
		return (int)id;
	}
	return -ENOENT;
}

/* The cache had nothing usable: refill it once, else use the pool. */
static IOASID_SLOWPATH int alloc_refill(struct ioasid_allocator *a,
					struct ioasid_set *set,
					struct ioasid_ctx *ctx, u32 min,
					u32 max, void *priv)
{
	int id;

	if (!ctx->n) {
		ctx_refill(a, ctx, min, max);
		id = ctx_pop(a, set, ctx, min, max, priv);
		if (id >= 0)
			return id;
	}
	return alloc_scan(a, set, min, max, priv);
}

/* ---- Custom allocators ------------------------------------------------- */

/*
 * Allocate through the active custom allocator. Pinning is a CAS on
 * a->pol that adds one pin only if the same allocator is still active;
 * a switch needs zero pins, so while we hold a pin the allocator stays
 * registered and its ops stay valid (the acquire CAS pairs with the
 * release CAS that activated it, so we also see its ops). The pin is kept
 * for as long as the ID is outstanding and dropped in reclaim().
 *
 * Return: the ID, a negative errno, or -EAGAIN when the default allocator
 * became active meanwhile (the caller then uses it). The function is
 * longer than 80 lines only by the pairing comments beside its atomics.
 */
static IOASID_SLOWPATH int alloc_custom(struct ioasid_allocator *a,
					struct ioasid_set *set, u64 pol,
					u32 min, u32 max, void *priv)
{
	const struct ioasid_allocator_ops *ops;
	struct ioasid_slot *s;
	struct ioasid_leaf *l;
	void *cpriv;
	u32 idx, st;
	u64 w;
	int ret;

	/*
	 * [POL] Success acquire: pairs with the release store in
	 * ioasid_register_allocator() or the release CAS in
	 * ioasid_unregister_allocator() that made idx active (pins taken
	 * and dropped since are RMWs in its release sequence), so the ops
	 * and priv loaded next are the registered ones. Relaxed could read
	 * NULL or the ops of an earlier tenant of the same custom[] slot.
	 * Failure acquire is more than needed: a failed CAS only yields
	 * the next value to test, and the CAS that succeeds acquires.
	 */
	do {
		if (!FIELD_GET(IOASID_POL_IDX, pol))
			return -EAGAIN;
	} while (!hal_atomic_cas(&a->pol, &pol, pol + 1, HAL_ACQUIRE,
				 HAL_ACQUIRE));
	idx = (u32)FIELD_GET(IOASID_POL_IDX, pol);
	/*
	 * Relaxed: the pinning CAS's acquire orders these after the
	 * registering stores, and our pin keeps them from changing
	 * (unregister needs zero pins).
	 */
	ops = hal_atomic_load(&a->custom[idx - 1].ops, HAL_RELAXED);
	cpriv = hal_atomic_load(&a->custom[idx - 1].priv, HAL_RELAXED);
	ioasid_hook(a, IOASID_HOOK_CUSTOM_PINNED, 0);
	ret = ops->alloc(min, max, cpriv);
	if (ret < 0)
		goto unpin;
	if ((u32)ret < min || (u32)ret > max) {
		ops->free((u32)ret, cpriv);
		ret = -EIO;
		goto unpin;
	}
	l = leaf_get(a, (u32)ret >> IOASID_LEAF_SHIFT);
	if (!l) {
		ops->free((u32)ret, cpriv);
		ret = -ENOMEM;
		goto unpin;
	}
	s = ioasid_slot_of(l, (u32)ret);
	/*
	 * Relaxed: the CAS's expected value, and a test for "still held".
	 * When the custom allocator hands back an ID another thread just
	 * freed (reclaim() stores FREE before calling its free), the custom
	 * allocator's own synchronisation orders that store before this
	 * load, so coherence has it see FREE, not the stale BUSY.
	 */
	w = hal_atomic_load(&s->word, HAL_RELAXED);
	for (;;) {
		st = w_state(w);
		if (st != IOASID_ST_FREE && st != IOASID_ST_RESERVED) {
			/* Still held, e.g. a default ID from before. */
			ops->free((u32)ret, cpriv);
			ret = -EBUSY;
			goto unpin;
		}
		/* [REUSE] Acquire, failure relaxed: as in claim_leaf(). */
		if (hal_atomic_cas(&s->word, &w, w_busy_of(w), HAL_ACQUIRE,
				   HAL_RELAXED))
			break;
	}
	if (st == IOASID_ST_FREE)
		ioasid_nfree_dec(a, (u32)ret >> IOASID_LEAF_SHIFT, 1);
	publish(a, set, s, (u32)ret, w_busy_of(w), idx, priv);
	return ret;
unpin:
	/*
	 * [POL] Release: pairs with ioasid_unregister_allocator()'s acq_rel
	 * CAS, which needs zero pins: our calls into ops happen before it
	 * returns. Relaxed would let the caller tear the allocator down
	 * while those calls' accesses are not yet ordered before.
	 */
	hal_atomic_fetch_sub(&a->pol, 1, HAL_RELEASE);
	return ret;
}

static void ctl_lock(struct ioasid_allocator *a)
{
	/*
	 * [CTL] Acquire: pairs with ctl_unlock()'s release store, so the
	 * last holder's writes of custom[], reg_seq and pol's index are
	 * seen. Relaxed would not be a lock: custom[].seq and reg_seq are
	 * plain.
	 */
	while (hal_atomic_xchg(&a->ctl, 1, HAL_ACQUIRE))
		hal_cpu_relax();
}

static void ctl_unlock(struct ioasid_allocator *a)
{
	/* [CTL] Release: pairs with the next ctl_lock()'s acquire xchg. */
	hal_atomic_store(&a->ctl, 0, HAL_RELEASE);
}

int ioasid_register_allocator(struct ioasid_allocator *a,
			      const struct ioasid_allocator_ops *ops,
			      void *priv)
{
	int i, free_i = -1, ret = 0;
	u64 pol;

	if (!ops || !ops->alloc || !ops->free)
		return -EINVAL;
	ctl_lock(a);
	for (i = 0; i < IOASID_MAX_CUSTOM; i++) {
		struct ioasid_custom *c = &a->custom[i];

		if (!c->seq) {
			if (free_i < 0)
				free_i = i;
		} else if (c->ops == ops && c->priv == priv) {
			ret = -EEXIST;
			goto out;
		}
	}
	if (free_i < 0) {
		ret = -ENOSPC;
		goto out;
	}
	/*
	 * Relaxed: nobody loads a free custom[] slot (loads follow a pin on
	 * an active index, or an ID's producer, which is pinned). They are
	 * published by the release on a->pol that activates the slot: the
	 * store below, or a later unregister's CAS, made under ctl after
	 * our unlock ([CTL], [POL]).
	 */
	hal_atomic_store(&a->custom[free_i].ops, ops, HAL_RELAXED);
	hal_atomic_store(&a->custom[free_i].priv, priv, HAL_RELAXED);
	a->custom[free_i].seq = ++a->reg_seq;
	/*
	 * Activate it if the default allocator is active. a->pol carries no
	 * pins then (pins are taken only on a custom allocator) and only
	 * control-plane calls, serialised by ctl, change its index, so a
	 * plain store cannot lose a concurrent RMW: alloc_custom()'s CAS
	 * requires a non-zero index. The load is relaxed: only the index is
	 * used, and ctl_lock()'s acquire ordered its last change before us.
	 */
	pol = hal_atomic_load(&a->pol, HAL_RELAXED);
	if (!FIELD_GET(IOASID_POL_IDX, pol))
		/*
		 * [POL] Release: pairs with alloc_custom()'s acquire CAS and
		 * publishes the ops and priv stored above. Relaxed would let
		 * an allocator pin this slot and call ops it cannot yet see.
		 */
		hal_atomic_store(&a->pol,
				 FIELD_PREP(IOASID_POL_IDX, (u64)free_i + 1),
				 HAL_RELEASE);
out:
	ctl_unlock(a);
	return ret;
}

int ioasid_unregister_allocator(struct ioasid_allocator *a,
				const struct ioasid_allocator_ops *ops,
				void *priv)
{
	int i, k, succ = 0, ret = 0;
	u64 pol, best = ~0ULL;

	ctl_lock(a);
	for (i = 0; i < IOASID_MAX_CUSTOM; i++) {
		if (a->custom[i].seq && a->custom[i].ops == ops &&
		    a->custom[i].priv == priv)
			break;
	}
	if (i == IOASID_MAX_CUSTOM) {
		ret = -ENOENT;
		goto out;
	}
	pol = FIELD_PREP(IOASID_POL_IDX, (u64)i + 1);
	/*
	 * Relaxed: only the index is tested, which changes only under ctl
	 * (held); the pins are checked by the CAS below.
	 */
	if (FIELD_GET(IOASID_POL_IDX,
		      hal_atomic_load(&a->pol, HAL_RELAXED)) == (u64)i + 1) {
		for (k = 0; k < IOASID_MAX_CUSTOM; k++) {
			if (k != i && a->custom[k].seq &&
			    a->custom[k].seq < best) {
				best = a->custom[k].seq;
				succ = k + 1;
			}
		}
		/*
		 * The switch: one CAS that succeeds only with zero pins
		 * (no ID of this allocator outstanding, no allocation in
		 * flight). Any later pin attempt sees the successor, so
		 * nobody can call this allocator's ops after the CAS.
		 * [POL] Release publishes the successor's ops (written
		 * under ctl when it registered) to alloc_custom()'s
		 * acquire CAS. Acquire pairs with the release fetch_subs
		 * that dropped the pins (reclaim(), alloc_custom()): every
		 * call into the leaving ops happens before we return, so
		 * the caller may free them; relaxed would not give that.
		 * Failure relaxed: -EBUSY, nothing read.
		 */
		if (!hal_atomic_cas(&a->pol, &pol,
				    FIELD_PREP(IOASID_POL_IDX, (u64)succ),
				    HAL_ACQ_REL, HAL_RELAXED)) {
			ret = -EBUSY;
			goto out;
		}
	}
	/*
	 * Relaxed: no thread loads this slot any more (it is not active,
	 * and holds no pins); the next register writes it under ctl.
	 */
	hal_atomic_store(&a->custom[i].ops, NULL, HAL_RELAXED);
	hal_atomic_store(&a->custom[i].priv, NULL, HAL_RELAXED);
	a->custom[i].seq = 0;
out:
	ctl_unlock(a);
	return ret;
}

/* ---- Allocation -------------------------------------------------------- */

int ioasid_alloc(struct ioasid_set *set, struct ioasid_ctx *ctx, u32 min,
		 u32 max, void *priv)
{
	struct ioasid_allocator *a = set->a;
	u64 used, pol;
	int id;

	if (unlikely(min > max || min > a->max_id || (ctx && ctx->a != a)))
		return -EINVAL;
	if (max > a->max_id)
		max = a->max_id;
	/*
	 * Quota ([COUNT]): reserve one unit before looking for an ID and
	 * give it back on failure. A relaxed RMW is enough: the counter
	 * guards no other data, only its own atomicity matters, and of two
	 * threads racing for the last unit exactly one sees old < quota. A
	 * destroyed set has IOASID_SET_DEAD set, which is >= any quota.
	 */
	used = hal_atomic_fetch_add(&set->used, 1, HAL_RELAXED);
	if (unlikely(used >= set->quota)) {
		/* [COUNT] Relaxed: gives the unit back, publishes nothing. */
		hal_atomic_fetch_sub(&set->used, 1, HAL_RELAXED);
		return (used & IOASID_SET_DEAD) ? -EINVAL : -EDQUOT;
	}
	ioasid_hook(a, IOASID_HOOK_QUOTA_RESERVED, 0);
	/*
	 * [POL] Acquire is more than needed: with index 0 nothing of a
	 * custom allocator is read, and with another index alloc_custom()'s
	 * CAS re-reads a->pol and acquires. It is a plain load on x86.
	 */
	pol = hal_atomic_load(&a->pol, HAL_ACQUIRE);
	id = -EAGAIN;
	if (unlikely(FIELD_GET(IOASID_POL_IDX, pol)))
		id = alloc_custom(a, set, pol, min, max, priv);
	if (id == -EAGAIN) {
		if (!ctx)
			id = alloc_scan(a, set, min, max, priv);
		else if ((id = ctx_pop(a, set, ctx, min, max, priv)) < 0)
			id = alloc_refill(a, set, ctx, min, max, priv);
	}
	if (unlikely(id < 0))
		/* [COUNT] Relaxed, as above. */
		hal_atomic_fetch_sub(&set->used, 1, HAL_RELAXED);
	return id;
}

/* ---- Free, references, reclaim ----------------------------------------- */

/*
 * The ID's last reference is gone and we hold its slot BUSY (word @busy).
 * Nobody else changes a BUSY word, so we read the private data for the
 * release callback knowing no ioasid_set_data() can overwrite it, then
 * make the ID reusable with a release store (pairing with the acquire
 * CAS of whoever claims it next).
 *
 * An ID goes back to the allocator that produced it. For a custom one we
 * publish FREE first, then call its free and drop the pin: the custom
 * allocator may hand the ID out again only once the slot can take it.
 */
static IOASID_SLOWPATH void reclaim(struct ioasid_allocator *a,
				    struct ioasid_ctx *ctx,
				    struct ioasid_slot *s, u32 id, u64 busy)
{
	u32 prod = w_prod(busy);

	ioasid_hook(a, IOASID_HOOK_RECLAIM, id);
	/*
	 * Relaxed: the acq_rel CAS that made the word BUSY ordered every
	 * store of priv (publish(), set_data() before its put) before us
	 * ([LIVE], [REF]), and none can follow while the slot is BUSY.
	 */
	if (a->release)
		a->release(id, hal_atomic_load(&s->priv, HAL_RELAXED),
			   a->release_arg);
	if (!prod && ctx && ctx->n < IOASID_CTX_CACHE) {
		/*
		 * [REUSE] Release: pairs with ctx_pop()'s or a thief's
		 * claim_leaf() acquire CAS (and ioasid_ctx_flush()'s CAS,
		 * whose release sequence continues it). It carries the
		 * release callback and, through [REF], every holder's
		 * accesses. Relaxed would let them read the priv that the
		 * next claimant stores.
		 */
		hal_atomic_store(&s->word,
				 w_make(IOASID_ST_RESERVED, ctx->tag, 0, 0,
					busy),
				 HAL_RELEASE);
		ctx->ids[ctx->n++] = id;
		return;
	}
	/*
	 * [REUSE] Release: pairs with the claiming acquire CAS of
	 * claim_leaf() or alloc_custom() (or ctx_pop() after a refill),
	 * as the RESERVED store above.
	 */
	hal_atomic_store(&s->word, w_make(IOASID_ST_FREE, 0, 0, 0, busy),
			 HAL_RELEASE);
	ioasid_nfree_inc(a, id >> IOASID_LEAF_SHIFT);
	if (prod) {
		struct ioasid_custom *c = &a->custom[prod - 1];
		/*
		 * Relaxed: the ID's pin keeps these from changing, and the
		 * registering stores happen before us through alloc_custom()'s
		 * acquire CAS, publish()'s release store and our BUSY CAS's
		 * acquire.
		 */
		const struct ioasid_allocator_ops *ops =
			hal_atomic_load(&c->ops, HAL_RELAXED);

		ops->free(id, hal_atomic_load(&c->priv, HAL_RELAXED));
		/*
		 * [POL] Release: pairs with ioasid_unregister_allocator()'s
		 * acq_rel CAS, so ops->free() happens before unregister
		 * returns; relaxed, as in alloc_custom().
		 */
		hal_atomic_fetch_sub(&a->pol, 1, HAL_RELEASE);
	}
}

int ioasid_free(struct ioasid_set *set, struct ioasid_ctx *ctx, u32 id)
{
	struct ioasid_allocator *a = set->a;
	struct ioasid_slot *s;
	u64 w, nw;
	int ret;

	if (unlikely(ctx && ctx->a != a))
		return -EINVAL;
	ret = slot_of_id(a, id, &s);
	if (ret)
		return ret;
	/* Relaxed: the CAS's expected value only. */
	w = hal_atomic_load(&s->word, HAL_RELAXED);
	/*
	 * LIVE -> DYING (get references left) or -> BUSY (none: the
	 * allocation's implicit reference was the last).
	 * Acq_rel. Release ([REF], [REUSE]): orders the owner's earlier
	 * accesses to the private data before the ID can be reused, for
	 * the final put's acquire or the next claimant's; relaxed would
	 * let those accesses read the next incarnation's priv. Acquire
	 * ([LIVE], [REF]): orders our reclaim after publish() and after
	 * the accesses of everyone who put a reference before us; relaxed
	 * would hand the release callback a stale priv. The acquire is
	 * needed only when the CAS makes the word BUSY; for DYING and
	 * RESERVED it orders nothing, but the order is fixed before the
	 * outcome is known. Failure relaxed: we only test the new word.
	 * The fast case (default allocator, no release callback, room in
	 * the cache) goes straight to RESERVED: there is nothing to do
	 * while BUSY.
	 */
	for (;;) {
		ret = w_live_in(w, set);
		if (ret)
			return ret;
		ioasid_hook(a, IOASID_HOOK_FREE_CAS, id);
		if (w_ref(w))
			nw = w_make(IOASID_ST_DYING, w_owner(w), w_prod(w),
				    w_ref(w), w);
		else if (ctx && !w_prod(w) && !a->release &&
			 ctx->n < IOASID_CTX_CACHE)
			nw = w_make(IOASID_ST_RESERVED, ctx->tag, 0, 0, w);
		else
			nw = w_busy_of(w);
		/* [REF], [REUSE], [LIVE]: acq_rel, as argued above. */
		if (hal_atomic_cas(&s->word, &w, nw, HAL_ACQ_REL, HAL_RELAXED))
			break;
	}
	/* [COUNT] Relaxed: gives the quota unit back, publishes nothing. */
	hal_atomic_fetch_sub(&set->used, 1, HAL_RELAXED);
	if (w_state(nw) == IOASID_ST_RESERVED)
		ctx->ids[ctx->n++] = id;
	else if (w_busy(nw))
		reclaim(a, ctx, s, id, nw);
	return 0;
}

/*
 * Drop one reference.
 *
 * A LIVE ID's allocation reference is implicit (REF counts only the
 * others), so a put that finds LIVE with REF == 0 has no reference to
 * drop and is refused with -EINVAL: a LIVE ID is reclaimed only through
 * ioasid_free().
 *
 * @gen_of: for a reference taken internally (find's getter, set_data),
 * the word seen when it was taken; the put then applies only to that
 * incarnation while it still has references. A reference can only have
 * vanished under us if a caller's unmatched ioasid_put() took it; the
 * damage then stays within that incarnation and never reaches a later
 * one. NULL for a caller's ioasid_put().
 *
 * Return: 1 if the ID was reclaimed, 0 if references remain, or a
 * negative errno.
 */
static int slot_put(struct ioasid_allocator *a, struct ioasid_set *set,
		    struct ioasid_slot *s, u32 id, const u64 *gen_of)
{
	/* Relaxed: the CAS's expected value only. */
	u64 w = hal_atomic_load(&s->word, HAL_RELAXED), nw;

	for (;;) {
		u32 st = w_state(w), r = w_ref(w);

		if (gen_of && ((w ^ *gen_of) & IOASID_W_GEN))
			return 0;
		if (st == IOASID_ST_LIVE && !r)
			return gen_of ? 0 : -EINVAL;
		if ((st != IOASID_ST_LIVE && st != IOASID_ST_DYING) || !r)
			return gen_of ? 0 : -ENOENT;
		if (w_owner(w) != set->id)
			return -EACCES;
		ioasid_hook(a, IOASID_HOOK_FREE_CAS, id);
		nw = (st == IOASID_ST_DYING && r == 1) ? w_busy_of(w) : w - 1;
		/*
		 * [REF] Acq_rel as in ioasid_free(): release orders our
		 * holder's accesses to priv (a getter's use, set_data's
		 * store) before the reclaim, whoever does it; acquire (needed
		 * only for DYING(1) -> BUSY) orders our reclaim after every
		 * other holder's. Failure relaxed.
		 */
		if (hal_atomic_cas(&s->word, &w, nw, HAL_ACQ_REL, HAL_RELAXED))
			break;
	}
	if (w_busy(nw)) {
		reclaim(a, NULL, s, id, nw);
		return 1;
	}
	return 0;
}

/*
 * Take a reference on a LIVE ID of @set. The CAS expects the word just
 * read, which is LIVE, so it can only succeed while the ID is allocated
 * to @set: a free racing with us either lands first (the CAS fails, we
 * re-read DYING or BUSY and report -ENOENT) or after (our reference
 * keeps the ID from being reclaimed). Acquire pairs with the release
 * store in publish(), so the private data we read next is the ID's.
 * *@wp receives the word as we left it (for slot_put()).
 */
static int slot_get(struct ioasid_allocator *a, struct ioasid_set *set,
		    u32 id, struct ioasid_slot **sp, u64 *wp)
{
	struct ioasid_slot *s;
	u64 w;
	int ret = slot_of_id(a, id, &s);

	if (ret)
		return ret;
	/* Relaxed: the CAS's expected value only. */
	w = hal_atomic_load(&s->word, HAL_RELAXED);
	for (;;) {
		ret = w_live_in(w, set);
		if (ret)
			return ret;
		if (w_ref(w) == IOASID_MAX_REFS)
			return -EOVERFLOW;
		ioasid_hook(a, IOASID_HOOK_FIND_LOADED, id);
		/*
		 * [LIVE] Success acquire: pairs with publish()'s release store
		 * of the word (through the get/put CASes in its release
		 * sequence). Relaxed would let a getter read an earlier
		 * incarnation's priv, and let set_data()'s store come before
		 * publish()'s in priv's modification order and be lost.
		 * Failure relaxed: we only test the new word.
		 */
		if (hal_atomic_cas(&s->word, &w, w + 1, HAL_ACQUIRE,
				   HAL_RELAXED))
			break;
	}
	*sp = s;
	*wp = w + 1;
	return 0;
}

int ioasid_get(struct ioasid_set *set, u32 id)
{
	struct ioasid_slot *s;
	u64 w;

	return slot_get(set->a, set, id, &s, &w);
}

int ioasid_put(struct ioasid_set *set, u32 id)
{
	struct ioasid_allocator *a = set->a;
	struct ioasid_slot *s;
	int ret = slot_of_id(a, id, &s);

	return ret ? ret : slot_put(a, set, s, id, NULL);
}

int ioasid_set_data(struct ioasid_set *set, u32 id, void *priv)
{
	struct ioasid_slot *s;
	u64 w;
	int ret = slot_get(set->a, set, id, &s, &w);

	if (ret)
		return ret;
	/*
	 * Under our reference the slot cannot be reclaimed and reused.
	 * [DATA], [SEQ] Release: pairs with the acquire loads of priv in
	 * ioasid_find() and set_walk(), so the caller's initialisation of
	 * *@priv happens before a reader that gets the pointer uses it
	 * (relaxed: the reader could see the object uninitialised). Our
	 * put's release ([REF]) then orders it before the reclaim.
	 */
	hal_atomic_store(&s->priv, priv, HAL_RELEASE);
	slot_put(set->a, set, s, id, &w);
	return 0;
}

/*
 * Documented in <ioasid/ioasid.h>. Longer than 80 lines only by the
 * pairing comments beside its atomics: the retry loop reads best whole.
 */
int ioasid_find(struct ioasid_set *set, u32 id,
		bool (*getter)(void *priv, void *arg), void *arg, void **priv)
{
	struct ioasid_allocator *a = set->a;
	struct ioasid_slot *s;
	void *p;
	u64 w, w2;
	int ret;

	if (getter) {
		ret = slot_get(a, set, id, &s, &w);
		if (ret)
			return ret;
		/*
		 * [DATA] Acquire: pairs with set_data()'s release store,
		 * which may be later than the word slot_get() acquired
		 * ([LIVE] covers only publish()'s value). Relaxed would give
		 * the getter a set_data pointer without its object's
		 * initialisation.
		 */
		p = hal_atomic_load(&s->priv, HAL_ACQUIRE);
		ioasid_hook(a, IOASID_HOOK_FIND_PRIV, id);
		ret = getter(p, arg) ? 0 : -ENOENT;
		slot_put(a, set, s, id, &w);
		if (!ret && priv)
			*priv = p;
		return ret;
	}
	ret = slot_of_id(a, id, &s);
	if (ret)
		return ret;
	/*
	 * Read-only lookup ([SEQ]), a seqlock read with the word as
	 * sequence: load the word (acquire, pairs with publish()), read the
	 * private data, load the word again. If state, owner and generation
	 * are unchanged (references may come and go), the private data read
	 * in between is that incarnation's: had it been written by a later
	 * claimant, our acquire load of it would synchronise with that
	 * claimant's release store, which follows its CAS of the word to
	 * BUSY, and coherence would then forbid the second load from
	 * returning the first word. (Release/acquire on the data rather
	 * than fences, as in Boehm's "Can seqlocks get along with
	 * programming language memory models?"; both are plain moves on
	 * x86.) Otherwise retry; each retry means another call changed the
	 * word (progress).
	 */
	for (;;) {
		/*
		 * [LIVE] Acquire, on every attempt: pairs with publish()'s
		 * release store of the word, so the priv loaded next is no
		 * older than the incarnation this word names. A retry must
		 * not take the relaxed second load below as its base: nothing
		 * orders the next attempt's load of priv after that relaxed
		 * load (ARMv8 and POWER may satisfy it first), so it could
		 * return the older incarnation's priv already seen and pass
		 * the check against the newer word.
		 */
		w = hal_atomic_load(&s->word, HAL_ACQUIRE);
		ret = w_live_in(w, set);
		if (ret)
			return ret;
		ioasid_hook(a, IOASID_HOOK_FIND_LOADED, id);
		/*
		 * [SEQ], [DATA] Acquire: pairs with the release stores of
		 * priv in publish() and ioasid_set_data(). It is what makes a
		 * later incarnation's value drag its BUSY CAS before the
		 * second load, and it keeps that load after this one; relaxed
		 * would let us return another incarnation's data, or the
		 * caller's object without its initialisation.
		 */
		p = hal_atomic_load(&s->priv, HAL_ACQUIRE);
		ioasid_hook(a, IOASID_HOOK_FIND_PRIV, id);
		/*
		 * [SEQ] Relaxed: ordered after the load of priv by its
		 * acquire, and kept from returning the first word by
		 * coherence (above); it publishes nothing to us.
		 */
		w2 = hal_atomic_load(&s->word, HAL_RELAXED);
		if (((w ^ w2) & ~IOASID_W_REF) == 0)
			break;
	}
	if (priv)
		*priv = p;
	return 0;
}
