/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Log seam. The integrator formats printf-style messages (%s %c %d %i %u
 * %x %lx %llx %p and their width, zero-pad and length modifiers are used)
 * and decides where they go.
 */
#pragma once

#include <hal/compiler.h>

enum hal_log_level {
	HAL_LOG_ERR = 0,
	HAL_LOG_WARN = 1,
	HAL_LOG_INFO = 2,
	HAL_LOG_DEBUG = 3,
};

/** hal_log() - Emit one message at @level. Context: any, never sleeps. */
void hal_log(enum hal_log_level level, const char *fmt, ...) __printf(2, 3);

/**
 * hal_panic() - Stop on a corrupted internal invariant. Never called for
 * bad input from a caller, a guest, firmware or hardware.
 */
void hal_panic(const char *fmt, ...) __printf(1, 2) __noreturn;
