/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Error returns and invariant checks for vtd/ (house style section 3.4).
 * Every failing function returns 0 or a negative errno through VTD_ERR(),
 * which logs the file, line and code when CONFIG_VTD_TRACE_ERROR is set
 * and is the bare value otherwise. VTD_BUG_ON() is for corrupted internal
 * invariants only: never for caller, firmware, guest or hardware input.
 */
#pragma once

#include <hal/compiler.h>
#include <hal/log.h>

/* Not for direct use: the body of VTD_ERR(). */
static inline int vtd_err_trace(int code, const char *file, int line)
{
	if (CONFIG_VTD_TRACE_ERROR)
		hal_log(HAL_LOG_ERR, "vtd: %s:%d: error %d\n", file, line,
			code);
	return code;
}

/* Return @code (a negative errno), traced when CONFIG_VTD_TRACE_ERROR. */
#define VTD_ERR(code)	vtd_err_trace((code), __FILE__, __LINE__)

/* Panic when @cond holds: only for a broken internal invariant. */
#define VTD_BUG_ON(cond)						\
	do {								\
		if (unlikely(cond))					\
			hal_panic("vtd: %s:%d: BUG_ON(%s)\n", __FILE__, \
				  __LINE__, #cond);			\
	} while (0)
