/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lock-free PASID (I/O address space ID) allocator.
 *
 * One struct ioasid_allocator owns one PASID space [0, max_id] (at most
 * 2^CONFIG_IOASID_BITS IDs). A struct ioasid_set (one per VM) draws IDs
 * from it under a quota; every ID carries the caller's private data and a
 * reference count, and is reused only after its last reference is
 * dropped. Custom allocators (for example one backed by the VT-d virtual
 * command interface when libvtd runs inside a guest) can be registered to
 * produce the ID values. docs/IOASID.md gives the design and the
 * lock-freedom, memory-reclamation and ABA arguments.
 *
 * Concurrency: ioasid_alloc(), ioasid_free(), ioasid_find(), ioasid_get(),
 * ioasid_put() and ioasid_set_data() take no lock and may run concurrently
 * from any number of threads on the same allocator, set and ID. Each
 * completes in a bounded number of its own steps unless other calls keep
 * succeeding (lock-free). The set iterators are weakly consistent. Custom
 * allocator registration serialises on an internal try-lock (control
 * plane only). Init and destroy functions must not race with anything on
 * the same object.
 *
 * Error codes (all returned negated):
 *   EINVAL   bad argument (range, ID beyond max_id, object from another
 *            allocator, destroyed set, unbalanced ioasid_put()).
 *   ENOENT   the ID is not allocated (or has been freed).
 *   EACCES   the ID is allocated to another set.
 *   EDQUOT   the set's quota is exhausted.
 *   ENOSPC   no free ID in the requested range (PASID space exhausted).
 *   ENOMEM   a page for the ID table could not be allocated.
 *   EBUSY    object still in use (see each function).
 *   EEXIST   custom allocator already registered.
 *   EOVERFLOW reference count saturated.
 *   EIO      a custom allocator returned an ID outside the range asked.
 */
#pragma once

#include <hal/types.h>

/** Number of custom allocators that may be registered at once. */
#define IOASID_MAX_CUSTOM	7

/** IDs a struct ioasid_ctx keeps cached. */
#define IOASID_CTX_CACHE	32

/** References an ID can hold besides its allocation's. */
#define IOASID_MAX_REFS		0xffffU

/** Largest number of sets created over an allocator's lifetime. */
#define IOASID_MAX_SETS		((1U << 24) - 1)

/**
 * struct ioasid_allocator_ops - A custom allocator (runtime policy).
 * @alloc: return a free ID in [@min, @max] for the allocator's @priv, or
 *         a negative errno (returned by ioasid_alloc() as is). Called
 *         with no lock held, possibly from several threads at once.
 * @free:  take back @id. Called from whichever thread drops the ID's last
 *         reference (ioasid_free(), ioasid_put(), or a find that raced a
 *         free), with no lock held.
 */
struct ioasid_allocator_ops {
	int (*alloc)(u32 min, u32 max, void *priv);
	void (*free)(u32 id, void *priv);
};

/**
 * struct ioasid_config - Optional parameters of ioasid_allocator_init().
 * @max_id:      largest ID served; 0 means 2^CONFIG_IOASID_BITS - 1.
 * @release:     if set, called once per ID when its last reference is
 *               dropped, with the private data it held, before the ID can
 *               be allocated again. The private data must stay valid
 *               until then (a find's getter may still be looking at it).
 * @release_arg: passed to @release.
 */
struct ioasid_config {
	u32 max_id;
	void (*release)(u32 id, void *priv, void *arg);
	void *release_arg;
};

/* Private: one registered custom allocator. */
struct ioasid_custom {
	const struct ioasid_allocator_ops *ops;
	void *priv;
	u64 seq;		/* registration order; 0 = empty */
};

/**
 * struct ioasid_allocator - One PASID space. Caller-owned storage; the
 * members are private.
 */
struct ioasid_allocator {
	/* Read-mostly (hot path). */
	void **dir;		/* leaf pointers, published by CAS */
	u32 *nfree;		/* FREE slots per leaf */
	u64 *summary;		/* bit per leaf: may have a FREE slot */
	u32 max_id;
	u32 nr_leaves;
	unsigned int dir_order;
	void (*release)(u32 id, void *priv, void *arg);
	void *release_arg;
	/*
	 * Test hook (an ioasid_hook_fn, <ioasid/ioasid_test.h>), stored
	 * untyped so that this header does not carry the test API. Present
	 * whatever CONFIG_IOASID_TEST_HOOKS says, so the layout does not
	 * depend on it.
	 */
	void (*hook)(void);
	void *hook_arg;
	u64 pol;		/* active allocator index + its pins */
	/* Written rarely. */
	u32 ctl;		/* control-plane try-lock */
	u32 next_set_id;
	u32 next_ctx_tag;
	u64 reg_seq;
	struct ioasid_custom custom[IOASID_MAX_CUSTOM];
};

/**
 * struct ioasid_set - The IDs of one VM, under a quota. Caller-owned
 * storage; the members are private.
 */
struct ioasid_set {
	struct ioasid_allocator *a;
	u32 id;
	u32 quota;
	u64 used __attribute__((aligned(64)));	/* IDs held, + DEAD flag */
};

/**
 * struct ioasid_ctx - A per-thread (or per-CPU) cache of free IDs. Pass
 * one to ioasid_alloc() and ioasid_free() to take the fast path; a
 * context must not be used by two threads at once. Caller-owned storage;
 * the members are private. IDs cached here stay available to every other
 * caller (they are taken back when the space runs short).
 */
struct ioasid_ctx {
	struct ioasid_allocator *a;
	u32 tag;
	u32 n;
	u32 next_leaf;
	u32 ids[IOASID_CTX_CACHE];
};

/**
 * ioasid_allocator_init() - Set up an empty PASID space.
 * @a:   storage for the allocator.
 * @cfg: optional parameters, or NULL for the defaults.
 *
 * Only the leaf directory (8 bytes + 4 bytes + 1 bit per 256 IDs) is
 * allocated here; pages for IDs are added as IDs are first used and are
 * kept until ioasid_allocator_destroy().
 *
 * Return: 0, -EINVAL when @cfg->max_id exceeds 2^CONFIG_IOASID_BITS - 1,
 * or -ENOMEM.
 * Context: any; allocates.
 */
int ioasid_allocator_init(struct ioasid_allocator *a,
			  const struct ioasid_config *cfg);

/**
 * ioasid_allocator_destroy() - Free every page of @a. IDs still
 * allocated are forgotten (no release callback is called).
 * Context: no other call on @a, its sets or its contexts may run.
 */
void ioasid_allocator_destroy(struct ioasid_allocator *a);

/**
 * ioasid_set_init() - Create a set (one per VM).
 * @a:     the allocator.
 * @set:   storage for the set.
 * @quota: most IDs the set may hold at once (1 .. max_id + 1).
 *
 * Return: 0, -EINVAL for a zero or too large quota, or -ENOSPC when
 * IOASID_MAX_SETS sets have been created on @a.
 * Context: any; lock-free.
 */
int ioasid_set_init(struct ioasid_allocator *a, struct ioasid_set *set,
		    u32 quota);

/**
 * ioasid_set_destroy() - Retire an empty set; later calls on it return
 * -EINVAL.
 * Return: 0, or -EBUSY while the set holds IDs (free them first, e.g.
 * with ioasid_set_free_all()).
 * Context: any; lock-free.
 */
int ioasid_set_destroy(struct ioasid_set *set);

/** ioasid_set_quota() - The most IDs @set may hold at once. */
u32 ioasid_set_quota(const struct ioasid_set *set);

/**
 * ioasid_set_count() - IDs currently held by @set (allocated and not yet
 * freed). A snapshot.
 */
u32 ioasid_set_count(const struct ioasid_set *set);

/**
 * ioasid_set_for_each() - Call @fn(id, priv, arg) for each ID allocated
 * to @set, in increasing order, until @fn returns non-zero.
 *
 * @fn runs while the iterator holds a reference on the ID, so the ID and
 * its private data stay valid during the call. Weakly consistent: IDs
 * allocated or freed concurrently may or may not be visited; no ID is
 * visited twice.
 *
 * Return: the number of calls made, or -EINVAL for a destroyed set.
 * Context: any; lock-free; @fn may call any ioasid function.
 */
int ioasid_set_for_each(struct ioasid_set *set,
			int (*fn)(u32 id, void *priv, void *arg), void *arg);

/**
 * ioasid_set_free_all() - ioasid_free() every ID of @set (VM teardown).
 * Return: the number of IDs freed, or -EINVAL for a destroyed set.
 * Context: any; lock-free.
 */
int ioasid_set_free_all(struct ioasid_set *set);

/**
 * ioasid_ctx_init() - Set up an empty per-thread cache on @a.
 * Context: any; lock-free.
 */
void ioasid_ctx_init(struct ioasid_allocator *a, struct ioasid_ctx *ctx);

/**
 * ioasid_ctx_flush() - Return every ID cached in @ctx to the shared pool.
 * Optional before dropping a context: cached IDs are reclaimed by other
 * callers anyway when the space runs short.
 * Context: the thread that owns @ctx; lock-free.
 */
void ioasid_ctx_flush(struct ioasid_ctx *ctx);

/**
 * ioasid_alloc() - Allocate an ID in [@min, @max] to @set.
 * @set:  the set that will own the ID; one unit of its quota is taken.
 * @ctx:  this thread's cache, or NULL.
 * @min:  smallest acceptable ID.
 * @max:  largest acceptable ID (clamped to the allocator's max_id).
 * @priv: private data returned by ioasid_find().
 *
 * With the default allocator and no @ctx, the lowest free ID in range is
 * returned (first fit). With a @ctx, an ID from the cache is preferred.
 * When a custom allocator is active it chooses the ID (see
 * ioasid_register_allocator()). The new ID holds the allocation's
 * reference, which only ioasid_free() drops.
 *
 * -ENOSPC and -EDQUOT are decided without a global snapshot: a range is
 * reported full when each of its IDs was seen held, or being allocated or
 * released by a concurrent call, during the call; a quota is reported
 * exhausted when the set's count, including allocations and frees in
 * flight in the same set, had reached it. Without concurrent calls on the range (or
 * set) both are exact.
 *
 * Return: the ID (>= 0), or -EINVAL (@min > @max, @min > max_id, @ctx of
 * another allocator, destroyed set), -EDQUOT, -ENOSPC, -ENOMEM, -EBUSY
 * (the custom allocator returned an ID still held, see
 * ioasid_register_allocator()), -EIO (the custom allocator returned an ID
 * outside [@min, @max]), or an error from the custom allocator.
 * Context: any; lock-free; never sleeps. May call hal_page_alloc() the
 * first time an ID of a 256-ID block is used.
 */
int ioasid_alloc(struct ioasid_set *set, struct ioasid_ctx *ctx, u32 min,
		 u32 max, void *priv);

/**
 * ioasid_free() - Give back @set's allocation of @id.
 * @set: the owning set; its quota unit is returned at once.
 * @ctx: this thread's cache (the ID may be cached there once reusable),
 *       or NULL.
 * @id:  the ID.
 *
 * The ID can no longer be found or referenced. It becomes reusable when
 * its last reference is dropped: here if no ioasid_get() reference is
 * outstanding, otherwise in the last ioasid_put().
 *
 * Return: 0, -EINVAL (@id beyond max_id, @ctx of another allocator),
 * -ENOENT (not allocated, or already freed), or -EACCES (allocated to
 * another set).
 * Context: any; lock-free; may call the release callback and a custom
 * allocator's free.
 */
int ioasid_free(struct ioasid_set *set, struct ioasid_ctx *ctx, u32 id);

/**
 * ioasid_find() - Look up @id in @set.
 * @set:    the set the ID must belong to.
 * @id:     the ID.
 * @getter: optional; called with the private data while the ID is held
 *          by a reference taken for the call, so it may safely take its
 *          own reference on the private object. Returning false makes
 *          the lookup fail with -ENOENT.
 * @arg:    passed to @getter.
 * @priv:   optional; receives the private data.
 *
 * Without @getter no reference is taken and no shared memory is written;
 * the private data returned is the ID's as of some instant during the
 * call, and its lifetime is then the caller's business.
 *
 * Return: 0, -EINVAL (@id beyond max_id), -ENOENT (not allocated, freed,
 * or refused by @getter), -EACCES (allocated to another set), or
 * -EOVERFLOW (reference count saturated, @getter form only).
 * Context: any; lock-free; never touches freed memory.
 */
int ioasid_find(struct ioasid_set *set, u32 id,
		bool (*getter)(void *priv, void *arg), void *arg, void **priv);

/**
 * ioasid_set_data() - Replace @id's private data with @priv.
 * Return: 0, -EINVAL, -ENOENT, -EACCES or -EOVERFLOW as ioasid_find().
 * Context: any; lock-free.
 */
int ioasid_set_data(struct ioasid_set *set, u32 id, void *priv);

/**
 * ioasid_get() - Take a reference on @id, which must be allocated to
 * @set and not freed. The ID is not reused before the matching
 * ioasid_put().
 * Return: 0, -EINVAL, -ENOENT, -EACCES, or -EOVERFLOW (IOASID_MAX_REFS
 * references held).
 * Context: any; lock-free.
 */
int ioasid_get(struct ioasid_set *set, u32 id);

/**
 * ioasid_put() - Drop a reference taken by ioasid_get().
 *
 * Every put must match an earlier ioasid_get(). An unmatched put on an ID
 * that holds only its allocation's reference is refused (-EINVAL); one
 * that races a reference held internally by a concurrent lookup cannot
 * be told from a matched one and may release the ID early (the lookup's
 * own put then does nothing, and later incarnations are never affected).
 *
 * Return: 1 when this was the last reference and the ID has become
 * reusable, 0 when references remain, -EINVAL (@id beyond max_id, or the
 * ID is allocated and holds no reference besides the allocation's),
 * -ENOENT (the ID holds no reference), or -EACCES (another set's ID).
 * Context: any; lock-free; may call the release callback and a custom
 * allocator's free.
 */
int ioasid_put(struct ioasid_set *set, u32 id);

/**
 * ioasid_register_allocator() - Add a custom allocator.
 * @a:    the allocator.
 * @ops:  alloc and free functions; must stay valid until unregistered.
 * @priv: passed to @ops.
 *
 * The allocator switch rule. Custom allocators are kept in registration
 * order. The first one registered while none is active becomes active at
 * once; later ones stand by. The active allocator produces every new ID;
 * the default allocator takes over again when the last custom allocator
 * leaves. Each ID remembers the allocator that produced it and is always
 * given back to that one when its last reference is dropped, whichever
 * allocator is active by then:
 *  - IDs of the default allocator may be outstanding across any switch.
 *    While a custom allocator is active, an ID it returns that is still
 *    held in the table (an outstanding default ID) is handed back to it
 *    and the allocation fails with -EBUSY.
 *  - A custom allocator cannot leave while it has IDs outstanding (or
 *    allocations in flight): ioasid_unregister_allocator() fails with
 *    -EBUSY and it stays registered and active. Only the active
 *    allocator can have IDs outstanding, so standby allocators can
 *    always be unregistered.
 *
 * Return: 0, -EINVAL (NULL @ops or function), -EEXIST (@ops with @priv
 * already registered), or -ENOSPC (IOASID_MAX_CUSTOM registered).
 * Context: any; serialises with other registrations on an internal
 * try-lock; allocation, free and lookup are not blocked.
 */
int ioasid_register_allocator(struct ioasid_allocator *a,
			      const struct ioasid_allocator_ops *ops,
			      void *priv);

/**
 * ioasid_unregister_allocator() - Remove a custom allocator.
 *
 * If it was active, the next one in registration order (or the default
 * allocator) becomes active in the same atomic step.
 *
 * Return: 0, -ENOENT (not registered), or -EBUSY (it has IDs outstanding
 * or allocations in flight; see ioasid_register_allocator()).
 * Context: as ioasid_register_allocator().
 */
int ioasid_unregister_allocator(struct ioasid_allocator *a,
				const struct ioasid_allocator_ops *ops,
				void *priv);
