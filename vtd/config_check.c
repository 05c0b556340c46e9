// SPDX-License-Identifier: BSD-2-Clause
/*
 * Build-time range checks of the library's numeric and boolean CONFIG
 * options. The ranges are the ones the comments in CONFIG state; a value
 * outside them stops the build here rather than misbehaving at run time.
 * The test kernel checks its own (CONFIG_X86_*) in arch/x86/.
 */

#define VTD_CONFIG_IS_BOOL(x)	((x) == 0 || (x) == 1)

_Static_assert(CONFIG_VTD_MAX_UNITS >= 1 && CONFIG_VTD_MAX_UNITS <= 128,
	       "CONFIG_VTD_MAX_UNITS must be 1..128");
_Static_assert(CONFIG_VTD_TIMEOUT_US >= 1 &&
	       CONFIG_VTD_TIMEOUT_US <= 60000000,
	       "CONFIG_VTD_TIMEOUT_US must be 1..60000000");
_Static_assert(CONFIG_VTD_IR_ENTRIES >= 2 && CONFIG_VTD_IR_ENTRIES <= 65536 &&
	       !(CONFIG_VTD_IR_ENTRIES & (CONFIG_VTD_IR_ENTRIES - 1)),
	       "CONFIG_VTD_IR_ENTRIES must be a power of two, 2..65536");
_Static_assert(CONFIG_IOASID_BITS >= 1 && CONFIG_IOASID_BITS <= 20,
	       "CONFIG_IOASID_BITS must be 1..20");
_Static_assert(VTD_CONFIG_IS_BOOL(CONFIG_VTD_SCALABLE_MODE),
	       "CONFIG_VTD_SCALABLE_MODE must be y or n");
_Static_assert(VTD_CONFIG_IS_BOOL(CONFIG_VTD_TRACE_ERROR),
	       "CONFIG_VTD_TRACE_ERROR must be y or n");
_Static_assert(VTD_CONFIG_IS_BOOL(CONFIG_HAL_DEBUG_LOCKS),
	       "CONFIG_HAL_DEBUG_LOCKS must be y or n");
