/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared set-up for the vtd/ host tests: a fake DMAR unit at a fixed base
 * and a DRHD describing it.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <vtd/vtd.h>

#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"

#define TEST_BASE	0xfed90000ULL

static inline struct vtd_dmar_drhd test_drhd(void)
{
	return (struct vtd_dmar_drhd){
		.reg_base = TEST_BASE,
		.reg_size = 0x1000,
		.include_pci_all = true,
	};
}

/* Bit @n of a QEMU-measured CAP/ECAP value changed. */
static inline u64 with_bit(u64 v, unsigned int n, bool on)
{
	return on ? (v | (1ULL << n)) : (v & ~(1ULL << n));
}

/* ---- Field checks ------------------------------------------------------ */

/*
 * One field of a register or in-memory format: the library's mask, and
 * the bit range a second source (the specification's tables, Linux,
 * QEMU) gives the same field, within its register or qword.
 */
struct field_check {
	const char *name;
	u64 mask;
	unsigned int hi, lo;
};

/* @m against bits @hi:@lo, as the specification's tables write ranges. */
#define FIELD_BITS(m, hi, lo)		{ #m, (u64)(m), (hi), (lo) }
/* @m against @width bits from bit @shift, as Linux and QEMU write them. */
#define FIELD_SHIFT(m, shift, width)					\
	{ #m, (u64)(m), (shift) + (width) - 1, (shift) }

/* Bits @hi..@lo, by counting: independent of GENMASK. */
static inline u64 field_check_bits(unsigned int hi, unsigned int lo)
{
	u64 m = 0;

	for (unsigned int b = lo; b <= hi; b++)
		m |= 1ULL << b;
	return m;
}

/* Every mask of @f equals its second source's range; else fail naming it. */
static inline void check_fields(const struct field_check *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].mask != field_check_bits(f[i].hi, f[i].lo))
			fail_msg("%s = %#llx, second source says bits %u:%u "
				 "(%#llx)", f[i].name,
				 (unsigned long long)f[i].mask, f[i].hi,
				 f[i].lo, (unsigned long long)
				 field_check_bits(f[i].hi, f[i].lo));
	}
}
