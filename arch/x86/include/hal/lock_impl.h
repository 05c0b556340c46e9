/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Spinlock type of the bare-metal HAL (test kernel): a ticket lock, so
 * that waiters are served in order.
 */
#pragma once

#include <hal/types.h>

struct hal_spinlock {
	u16 next;
	u16 owner;
	s32 holder_cpu;		/* -1 when free; for hal_spin_held() */
};

/*
 * For the kernel's own static locks (arch/x86/hal.c, page_alloc.c); the
 * library initialises its locks with hal_spin_init() and needs no such
 * macro from a HAL.
 */
#define HAL_SPINLOCK_INIT	{ .next = 0, .owner = 0, .holder_cpu = -1 }
