// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-thread (or per-CPU) ID caches. The library has no notion of the
 * current CPU; the caller owns one struct ioasid_ctx per thread and
 * passes it in. A cached ID is RESERVED in its slot, tagged with the
 * context, and can still be taken by anyone (see ioasid_impl.h).
 */
#include <hal/atomic.h>
#include <hal/string.h>

#include "ioasid_impl.h"

void ioasid_ctx_init(struct ioasid_allocator *a, struct ioasid_ctx *ctx)
{
	/*
	 * [COUNT] Relaxed: only distinct values matter (see below), and the
	 * tag publishes nothing; the context is the caller's to share.
	 */
	u32 n = hal_atomic_fetch_add(&a->next_ctx_tag, 1, HAL_RELAXED);

	hal_memset(ctx, 0, sizeof(*ctx));
	ctx->a = a;
	/*
	 * Tags may repeat after 2^24 contexts: harmless, since a context
	 * only ever takes a RESERVED slot by CAS, which is also what a
	 * thief does; a shared tag just makes two caches steal quietly.
	 */
	ctx->tag = n % IOASID_MAX_SETS + 1;
	/* Spread contexts over the space so their leaves do not share. */
	ctx->next_leaf = (u32)(((u64)ctx->tag * 2654435761U) % a->nr_leaves);
}

void ioasid_ctx_flush(struct ioasid_ctx *ctx)
{
	struct ioasid_allocator *a = ctx->a;

	while (ctx->n) {
		u32 id = ctx->ids[--ctx->n];
		struct ioasid_slot *s =
			ioasid_slot_of(ioasid_leaf_peek(a, id), id);
		/* Relaxed: the CAS's expected value only. */
		u64 w = hal_atomic_load(&s->word, HAL_RELAXED);

		if (w_state(w) != IOASID_ST_RESERVED || w_owner(w) != ctx->tag)
			continue;	/* stolen */
		/*
		 * [REUSE] Release: pairs with the claiming acquire CAS of
		 * claim_leaf() or alloc_custom(), as the FREE store in
		 * reclaim(). More than needed: the RESERVED word we replace
		 * was written by a release (reclaim()'s store, ioasid_free()'s
		 * CAS) or by a refill CAS in the release sequence of one, and
		 * this thread has not touched the slot's priv since; a
		 * claimant reading from this CAS synchronises with that
		 * release through the sequence anyway. Failure relaxed: the
		 * entry was stolen, nothing read.
		 */
		if (hal_atomic_cas(&s->word, &w,
				   w_make(IOASID_ST_FREE, 0, 0, 0, w),
				   HAL_RELEASE, HAL_RELAXED))
			ioasid_nfree_inc(a, id >> IOASID_LEAF_SHIFT);
	}
}
