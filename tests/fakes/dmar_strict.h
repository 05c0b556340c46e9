/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the host tests and the DMAR fuzzer both expect of the parser's two
 * modes: the strict-mode refusal that matches each deviation the lenient
 * mode accepts with a warning (docs/FIRMWARE.md).
 */
#pragma once

#include <stdbool.h>

#include <vtd/dmar.h>

/* The strict-mode reason that refuses what warning @w accepts. */
static inline bool dmar_warn_is_reason(enum vtd_dmar_warn w,
				       enum vtd_dmar_err r)
{
	switch (w) {
	case VTD_DMAR_WARN_CHECKSUM:
		return r == VTD_DMAR_ERR_CHECKSUM;
	case VTD_DMAR_WARN_HAW:
		return r == VTD_DMAR_ERR_HAW;
	case VTD_DMAR_WARN_TRAILING:
		return r == VTD_DMAR_ERR_STRUCT_SHORT ||
		       r == VTD_DMAR_ERR_STRUCT_OVERRUN;
	case VTD_DMAR_WARN_DRHD_ALIGN:
	case VTD_DMAR_WARN_RMRR_ALIGN:
		return r == VTD_DMAR_ERR_ALIGN;
	case VTD_DMAR_WARN_DRHD_DUPLICATE:
	case VTD_DMAR_WARN_DRHD_INCLUDE_ALL:
		return r == VTD_DMAR_ERR_DUPLICATE;
	case VTD_DMAR_WARN_RMRR_RANGE:
		return r == VTD_DMAR_ERR_RANGE;
	case VTD_DMAR_WARN_SCOPE_TYPE:
		return r == VTD_DMAR_ERR_SCOPE_TYPE;
	case VTD_DMAR_WARN_SCOPE_EMPTY:
		return r == VTD_DMAR_ERR_SCOPE_SHORT;
	default:
		return false;
	}
}
