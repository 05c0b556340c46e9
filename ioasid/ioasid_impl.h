/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private layout of the ioasid allocator: the per-ID state word, the leaf
 * pages that hold them, and the helpers shared by ioasid.c, set.c and
 * ctx.c. docs/IOASID.md explains the design.
 *
 * The ID table is a two-level radix: a directory of 2^(bits - 8) leaf
 * pointers allocated at init, and leaves of 256 slots (one 4 KiB page
 * each) allocated on first use, published with a CAS and never freed
 * before ioasid_allocator_destroy(). Because a leaf, once visible, lives
 * as long as the allocator, a reader that races a free only ever reads a
 * slot that is still mapped; what it reads may be stale, and every
 * decision it takes is confirmed by a CAS on the slot's state word.
 */
#pragma once

#include <hal/atomic.h>
#include <hal/bits.h>
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/types.h>
#include <ioasid/ioasid.h>
#include <ioasid/ioasid_test.h>

/* Keeps rare paths out of the allocate/free fast path's frame. */
#define IOASID_SLOWPATH		__attribute__((noinline, cold))

#define IOASID_LEAF_SHIFT	8
#define IOASID_LEAF_SLOTS	(1U << IOASID_LEAF_SHIFT)

/*
 * Per-ID state word (u64), changed only by CAS (or by a plain store from
 * the one thread that holds the slot in the BUSY state, see below):
 *
 *   bits 15:0   REF    references besides the allocation's (which a
 *                      LIVE ID holds implicitly): ioasid_get()s and the
 *                      transient ones of find with a getter, set_data
 *                      and the set iterator
 *   bits 17:16  STATE  FREE, RESERVED, LIVE or DYING
 *   bits 20:18  PROD   producer: 0 default, 1..7 custom allocator slot
 *   bits 44:21  OWNER  set ID when LIVE or DYING, context tag when
 *                      RESERVED, 0 when FREE
 *   bits 63:45  GEN    incarnation, advanced each time the ID goes LIVE
 *
 * FREE      in the shared pool. A zeroed page is all FREE.
 * RESERVED  cached by the context OWNER; still available to anyone (a
 *           CAS can steal it), so a cache never hides an ID.
 * LIVE      allocated to set OWNER (plus REF other references).
 * DYING     freed by its set, REF >= 1 references left.
 * BUSY      = DYING with REF == 0: owned by exactly one thread, which
 *           is either claiming the ID (about to make it LIVE) or
 *           reclaiming it (about to make it FREE or RESERVED). No other
 *           thread changes a BUSY word, so the owner finishes with a
 *           plain release store instead of a second CAS.
 */
#define IOASID_W_REF		GENMASK_ULL(15, 0)
#define IOASID_W_STATE		GENMASK_ULL(17, 16)
#define IOASID_W_PROD		GENMASK_ULL(20, 18)
#define IOASID_W_OWNER		GENMASK_ULL(44, 21)
#define IOASID_W_GEN		GENMASK_ULL(63, 45)

#define IOASID_ST_FREE		0U
#define IOASID_ST_RESERVED	1U
#define IOASID_ST_LIVE		2U
#define IOASID_ST_DYING		3U

_Static_assert(IOASID_MAX_REFS == FIELD_GET(IOASID_W_REF, ~0ULL),
	       "REF field holds IOASID_MAX_REFS");
_Static_assert(IOASID_MAX_SETS == FIELD_GET(IOASID_W_OWNER, ~0ULL),
	       "OWNER field holds every set ID");
_Static_assert(IOASID_MAX_CUSTOM == FIELD_GET(IOASID_W_PROD, ~0ULL),
	       "PROD field holds every custom allocator slot");
_Static_assert(CONFIG_IOASID_BITS >= 1 && CONFIG_IOASID_BITS <= 20,
	       "CONFIG_IOASID_BITS out of range 1..20");

static inline u32 w_state(u64 w)
{
	return (u32)FIELD_GET(IOASID_W_STATE, w);
}

static inline u32 w_ref(u64 w)
{
	return (u32)FIELD_GET(IOASID_W_REF, w);
}

static inline u32 w_owner(u64 w)
{
	return (u32)FIELD_GET(IOASID_W_OWNER, w);
}

static inline u32 w_prod(u64 w)
{
	return (u32)FIELD_GET(IOASID_W_PROD, w);
}

static inline bool w_busy(u64 w)
{
	return w_state(w) == IOASID_ST_DYING && w_ref(w) == 0;
}

/* Whether word @w is an ID allocated to @set: 0, -ENOENT or -EACCES. */
static inline int w_live_in(u64 w, const struct ioasid_set *set)
{
	if (w_state(w) != IOASID_ST_LIVE)
		return -ENOENT;
	return w_owner(w) == set->id ? 0 : -EACCES;
}

/* The word of a free or reserved ID keeps only its generation. */
static inline u64 w_make(u32 state, u32 owner, u32 prod, u32 ref, u64 gen_of)
{
	return (gen_of & IOASID_W_GEN) | FIELD_PREP(IOASID_W_STATE, state) |
	       FIELD_PREP(IOASID_W_OWNER, owner) |
	       FIELD_PREP(IOASID_W_PROD, prod) | FIELD_PREP(IOASID_W_REF, ref);
}

static inline u64 w_busy_of(u64 w)
{
	return w_make(IOASID_ST_DYING, w_owner(w), w_prod(w), 0, w);
}

static inline u64 w_next_gen(u64 w)
{
	return w + FIELD_PREP(IOASID_W_GEN, 1);	/* wraps within GEN */
}

/* One ID: its state word and the caller's private data. */
struct ioasid_slot {
	u64 word;
	void *priv;
};

struct ioasid_leaf {
	struct ioasid_slot slot[IOASID_LEAF_SLOTS];
};
_Static_assert(sizeof(struct ioasid_leaf) == 4096, "a leaf is one page");

/*
 * Policy word a->pol: which allocator is active and, for a custom one,
 * how many of its IDs are outstanding plus allocations in flight ("pins").
 * Only the active allocator can have pins, so one count suffices, and a
 * switch is one CAS that requires the count to be zero.
 */
#define IOASID_POL_PINS		GENMASK_ULL(47, 0)
#define IOASID_POL_IDX		GENMASK_ULL(51, 48)

/* set->used: the count, and a flag set by ioasid_set_destroy(). */
#define IOASID_SET_DEAD		BIT_ULL(62)

/*
 * Test hook points (<ioasid/ioasid_test.h>) exist only with
 * CONFIG_IOASID_TEST_HOOKS: even an unset hook costs the fast path a load,
 * a branch and a call site that makes the compiler keep registers across
 * it. a->hook is stored as void (*)(void) so that <ioasid/ioasid.h> need
 * not name the hook type; ioasid_allocator_set_hook() stores an
 * ioasid_hook_fn there and it is called back through that type.
 *
 * Not atomics: ioasid_allocator_set_hook() may not race with any other
 * call on @a (its documented context), so whatever ordered the caller's
 * set_hook before the racing calls (thread creation, a semaphore) orders
 * the hook stores before these loads. READ_ONCE only keeps the compiler
 * from caching the pointer across the call.
 */
static inline void ioasid_hook(struct ioasid_allocator *a,
			       enum ioasid_hook_point p, u32 id)
{
	ioasid_hook_fn fn;

	if (!CONFIG_IOASID_TEST_HOOKS)
		return;
	fn = (ioasid_hook_fn)READ_ONCE(a->hook);
	if (unlikely(fn))
		fn(READ_ONCE(a->hook_arg), p, id);
}

/*
 * The leaf holding @id, or NULL when none has been published yet.
 * [LEAF] Acquire pairs with the release CAS in leaf_get() (ioasid.c): a
 * reader that sees the pointer sees the zeroed page behind it. Relaxed
 * would let the slot loads that follow see the page as it was before it
 * was zeroed (an address dependency orders them on every CPU we know of,
 * but C11 does not promise it).
 */
static inline struct ioasid_leaf *ioasid_leaf_peek(struct ioasid_allocator *a,
						   u32 id)
{
	return hal_atomic_load((struct ioasid_leaf **)&a->dir[id >>
							     IOASID_LEAF_SHIFT],
			       HAL_ACQUIRE);
}

static inline struct ioasid_slot *ioasid_slot_of(struct ioasid_leaf *l, u32 id)
{
	return &l->slot[id & (IOASID_LEAF_SLOTS - 1)];
}

/* Shared between the files of ioasid/. */
void ioasid_nfree_inc(struct ioasid_allocator *a, u32 leaf);
void ioasid_nfree_dec(struct ioasid_allocator *a, u32 leaf, u32 n);
