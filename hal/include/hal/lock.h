/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lock seam: a non-recursive spinlock. The lock type comes from
 * <hal/lock_impl.h>, which the integrator provides on the include path
 * (the test kernel's is in arch/x86/include, the host tests' records its
 * owner in tests/fakes/include).
 */
#pragma once

#include <hal/lock_impl.h>

void hal_spin_init(struct hal_spinlock *l);
void hal_spin_lock(struct hal_spinlock *l);
void hal_spin_unlock(struct hal_spinlock *l);

/**
 * hal_spin_held() - True when the calling CPU holds @l. An implementation
 * that cannot tell returns true; it is used by assertions only.
 */
bool hal_spin_held(const struct hal_spinlock *l);

/* Lock-requiring (_locked) functions start with this. */
#define hal_lock_assert_held(l)						\
	do {								\
		if (CONFIG_HAL_DEBUG_LOCKS && !hal_spin_held(l))	\
			hal_panic("%s: lock not held", __func__);	\
	} while (0)
