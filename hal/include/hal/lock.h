/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lock seam: a non-recursive spinlock. The lock type comes from
 * <hal/lock_impl.h>, which the integrator provides as DIR/hal/lock_impl.h
 * with DIR on the include path (the test kernel's is in arch/x86/include,
 * the host tests' records its owner in tests/fakes/include). It need
 * define nothing but struct hal_spinlock.
 */
#pragma once

#include <hal/lock_impl.h>

void hal_spin_init(struct hal_spinlock *l);
void hal_spin_lock(struct hal_spinlock *l);
void hal_spin_unlock(struct hal_spinlock *l);

/**
 * hal_spin_held() - True when the calling CPU holds @l. An implementation
 * that cannot tell returns true; it is used by assertions only.
 */
bool hal_spin_held(const struct hal_spinlock *l);

/* Lock-requiring (_locked) functions start with this. */
#define hal_lock_assert_held(l)						\
	do {								\
		if (CONFIG_HAL_DEBUG_LOCKS && !hal_spin_held(l))	\
			hal_panic("hal: %s: lock not held\n", __func__); \
	} while (0)

/*
 * Lock layout check at link time. libvtd.a embeds struct hal_spinlock in
 * its own structures with the size and alignment of the lock_impl.h it
 * was built with; a HAL compiled with another layout would corrupt them.
 * So the library references the symbol
 *
 *	hal_spinlock_size_<sizeof>_align_<alignof>
 *
 * (HAL_SPINLOCK_LAYOUT_REF(), where it initialises a unit's locks), and
 * the integrator's HAL defines it with HAL_SPINLOCK_LAYOUT_DEFINE(),
 * written once at file scope in one of its C files, compiled with its own
 * lock_impl.h. When the two layouts differ the link fails with an
 * undefined reference naming the layout the library was built with.
 * The numbers are put into the names by the assembler templates below
 * (%c prints an integer constant bare), since the preprocessor cannot
 * evaluate sizeof.
 */
#define HAL_SPINLOCK_LAYOUT_DEFINE()					\
	__attribute__((used)) static void hal_spinlock_layout_define(void) \
	{								\
		__asm__(".pushsection .rodata\n\t"			\
			".globl hal_spinlock_size_%c0_align_%c1\n\t"	\
			".type hal_spinlock_size_%c0_align_%c1, @object\n" \
			"hal_spinlock_size_%c0_align_%c1:\n\t"		\
			".byte 0\n\t"					\
			".size hal_spinlock_size_%c0_align_%c1, 1\n\t"	\
			".popsection"					\
			: : "i"(sizeof(struct hal_spinlock)),		\
			    "i"(_Alignof(struct hal_spinlock)));	\
	}

/*
 * A statement that references the symbol from the code it sits in, so
 * that the reference survives --gc-sections wherever that code does.
 * The symbol is marked hidden: it resolves inside the linked image.
 */
#define HAL_SPINLOCK_LAYOUT_REF()					\
	do {								\
		const void *hal_layout_ref_;				\
		__asm__ volatile(					\
			".hidden hal_spinlock_size_%c1_align_%c2\n\t"	\
			"lea hal_spinlock_size_%c1_align_%c2(%%rip), %0" \
			: "=r"(hal_layout_ref_)				\
			: "i"(sizeof(struct hal_spinlock)),		\
			  "i"(_Alignof(struct hal_spinlock)));		\
		(void)hal_layout_ref_;					\
	} while (0)
