/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Compiler helpers: attributes, build-time assertions and single-copy
 * (volatile) accesses. GCC and Clang only.
 */
#pragma once

#include <hal/types.h>

#ifndef __unused
#define __unused		__attribute__((unused))
#endif
#ifndef __noreturn
#define __noreturn		__attribute__((noreturn))
#endif
#ifndef __packed
#define __packed		__attribute__((packed))
#endif
#ifndef __aligned
#define __aligned(x)		__attribute__((aligned(x)))
#endif
#ifndef __section
#define __section(s)		__attribute__((section(s)))
#endif
#ifndef __used
#define __used			__attribute__((used))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif
#ifndef __must_check
#define __must_check		__attribute__((warn_unused_result))
#endif

#ifndef likely
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Compile-time assertion usable inside expressions; evaluates to 0. */
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int : (-!!(e)); })))
#define BUILD_BUG_ON(e)		((void)BUILD_BUG_ON_ZERO(e))

/*
 * Single-copy accesses of naturally aligned scalars: the compiler neither
 * tears, merges nor elides them. Used for memory the hardware reads.
 */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

#define barrier()		__asm__ __volatile__("" ::: "memory")

#define HAL_MIN(a, b)		((a) < (b) ? (a) : (b))
#define HAL_MAX(a, b)		((a) > (b) ? (a) : (b))
#define HAL_ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define HAL_IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
