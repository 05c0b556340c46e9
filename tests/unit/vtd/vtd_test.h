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
