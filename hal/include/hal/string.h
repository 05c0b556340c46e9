/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Byte helpers for library code. They are inline loops so that the library
 * needs no memcpy or memset from the host; the build passes
 * -fno-tree-loop-distribute-patterns (GCC) and -ffreestanding so that the
 * compiler does not turn them back into libc calls, and `make check`
 * verifies that libvtd.a references only hal_* symbols.
 */
#pragma once

#include <hal/types.h>

static inline void hal_memset(void *dst, int c, size_t n)
{
	volatile u8 *d = dst;

	while (n--)
		*d++ = (u8)c;
}

static inline void hal_memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	while (n--)
		*d++ = *s++;
}

static inline int hal_memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}

static inline size_t hal_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}
