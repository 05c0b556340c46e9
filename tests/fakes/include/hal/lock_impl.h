/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Spinlock type of the host test HAL: it records its owning thread so that
 * hal_lock_assert_held() is checked in every host test.
 */
#pragma once

#include <hal/types.h>

struct hal_spinlock {
	int locked;		/* 0 or 1, atomically */
	unsigned long owner;	/* pthread_self() of the holder, 0 when free */
};
