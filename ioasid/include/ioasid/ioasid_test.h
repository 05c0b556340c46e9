/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TEST ONLY: the ioasid allocator's test hook interface. Not part of the
 * production API, and not included by <ioasid/ioasid.h>.
 *
 * A test installs a hook with ioasid_allocator_set_hook(); the allocator
 * then calls it at the named points of enum ioasid_hook_point, so that a
 * test can stop one thread at a chosen point (with semaphores, no sleeps)
 * while another races it (tests/unit/ioasid/test_interleave.c). The hook
 * points are compiled in only when the library is built with
 * CONFIG_IOASID_TEST_HOOKS=y, as the host tests are; with the default
 * CONFIG they cost nothing and ioasid_allocator_set_hook() returns
 * -EOPNOTSUPP. Integrators have no reason to include this header.
 */
#pragma once

#include <hal/types.h>
#include <ioasid/ioasid.h>

/**
 * enum ioasid_hook_point - Named points at which a test hook runs.
 * Used only by tests to stop one thread at a chosen point (no sleeps).
 */
enum ioasid_hook_point {
	IOASID_HOOK_QUOTA_RESERVED,	/* alloc: quota taken, no ID yet */
	IOASID_HOOK_ALLOC_CLAIM,	/* alloc: free slot seen, before CAS */
	IOASID_HOOK_ALLOC_PUBLISH,	/* alloc: slot claimed, not yet live */
	IOASID_HOOK_CUSTOM_PINNED,	/* alloc: custom allocator pinned */
	IOASID_HOOK_FREE_CAS,		/* free/put: word read, before CAS */
	IOASID_HOOK_RECLAIM,		/* last ref gone, ID not yet reusable */
	IOASID_HOOK_FIND_LOADED,	/* find/get: word read, before CAS */
	IOASID_HOOK_FIND_PRIV,		/* find: private data read */
};

typedef void (*ioasid_hook_fn)(void *arg, enum ioasid_hook_point point,
			       u32 id);

/**
 * ioasid_allocator_set_hook() - Test only: call @fn at the points of
 * enum ioasid_hook_point. NULL removes it. Not for production use.
 * @a:   the allocator.
 * @fn:  the hook, or NULL.
 * @arg: passed to @fn.
 *
 * Return: 0, or -EOPNOTSUPP when the library was built without
 * CONFIG_IOASID_TEST_HOOKS (the hook points are compiled out).
 * Context: no other call on @a may run.
 */
int ioasid_allocator_set_hook(struct ioasid_allocator *a, ioasid_hook_fn fn,
			      void *arg);
