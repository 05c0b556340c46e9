/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fixed-width integer types and the typed physical address shared by every
 * component. Only the compiler's freestanding headers are used.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/*
 * Host physical address. A one-member struct so that mixing it with a
 * pointer, an IOVA or a guest physical address is a compile error
 * (after Hafnium's addr.h).
 */
typedef struct {
	u64 pa;
} hal_paddr_t;

static inline hal_paddr_t hal_paddr_init(u64 pa)
{
	return (hal_paddr_t){ .pa = pa };
}

static inline u64 hal_paddr_val(hal_paddr_t p)
{
	return p.pa;
}
