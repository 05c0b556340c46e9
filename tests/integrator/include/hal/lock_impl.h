/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The example integrator's lock type: a test-and-set lock that counts its
 * acquisitions, 16 bytes aligned to 8, where the test kernel's ticket
 * lock is 8 bytes aligned to 4. A libvtd.a built for the test kernel's
 * lock must not link with this HAL (the layout check of <hal/lock.h>).
 */
#pragma once

#include <hal/types.h>

struct hal_spinlock {
	u32 locked;		/* 0 or 1, atomically */
	s32 holder;		/* 1 while held (one thread), else 0 */
	u64 acquisitions;	/* hal_spin_lock() calls that took it */
};
