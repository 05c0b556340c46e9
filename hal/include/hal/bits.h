/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bit and field helpers. Every register field and every in-memory format
 * field is written as GENMASK(hi, lo) or BIT(n) with the bit numbers of the
 * specification's table, and read or built with FIELD_GET()/FIELD_PREP().
 * As in Linux's bitfield.h, a constant mask must be non-zero and
 * contiguous, and a constant value must fit its field; both are checked at
 * build time.
 */
#pragma once

#include <hal/compiler.h>

#define BIT(n)			(1U << (n))
#define BIT_ULL(n)		(1ULL << (n))

/* Bits h..l inclusive set; h >= l, both constants. */
#define GENMASK(h, l) \
	(BUILD_BUG_ON_ZERO((l) > (h) || (h) > 31) + \
	 ((~0U >> (31 - (h))) & (~0U << (l))))
#define GENMASK_ULL(h, l) \
	(BUILD_BUG_ON_ZERO((l) > (h) || (h) > 63) + \
	 ((~0ULL >> (63 - (h))) & (~0ULL << (l))))

/* Lowest set bit of a mask, as a multiplier (mask & -mask). */
#define HAL_MASK_LSB(mask)	((mask) & (~(mask) + 1))

/* True for a non-zero contiguous mask. */
#define HAL_MASK_CONTIGUOUS(mask) \
	((mask) != 0 && (((mask) + HAL_MASK_LSB(mask)) & (mask)) == 0)

/*
 * Build-time checks. A mask must be a constant expression (a register or
 * format field); a value is checked only when it is a constant, so
 * run-time values pass through (FIELD_FIT() checks those).
 */
#define HAL_FIELD_CHECK_MASK(mask) \
	BUILD_BUG_ON_ZERO(!HAL_MASK_CONTIGUOUS(mask))
#define HAL_FIELD_CHECK_VAL(mask, val) \
	BUILD_BUG_ON_ZERO(__builtin_choose_expr( \
		__builtin_constant_p(val), \
		((u64)(val) & ~((u64)(mask) / HAL_MASK_LSB(mask))) != 0, 0))

/* Extract field @mask from @reg, shifted down to bit 0. */
#define FIELD_GET(mask, reg) \
	((__typeof__(mask))(HAL_FIELD_CHECK_MASK(mask) + \
			    (((reg) & (mask)) / HAL_MASK_LSB(mask))))

/* Place @val into field @mask (value shifted up, excess bits dropped). */
#define FIELD_PREP(mask, val) \
	((__typeof__(mask))(HAL_FIELD_CHECK_MASK(mask) + \
			    HAL_FIELD_CHECK_VAL(mask, val) + \
			    (((__typeof__(mask))(val) * HAL_MASK_LSB(mask)) & \
			     (mask))))

/* True when @val fits field @mask without truncation. */
#define FIELD_FIT(mask, val) \
	(HAL_FIELD_CHECK_MASK(mask) + \
	 (((u64)(val) & ~((u64)(mask) / HAL_MASK_LSB(mask))) == 0))

/* Replace field @mask of @reg with @val. */
#define FIELD_SET(mask, reg, val) \
	(((reg) & ~(mask)) | FIELD_PREP(mask, val))
