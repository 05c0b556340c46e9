/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Time seam: a monotonic clock for hardware-wait deadlines, and the CPU's
 * spin-wait hint.
 */
#pragma once

#include <hal/types.h>

/** hal_time_ns() - Monotonic time in nanoseconds since an arbitrary epoch. */
u64 hal_time_ns(void);

/** hal_cpu_relax() - Spin-wait hint (PAUSE on x86). */
void hal_cpu_relax(void);
