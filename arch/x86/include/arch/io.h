/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86 port I/O (IN and OUT, 8, 16 and 32 bits) [SDM 1 18.2].
 */
#pragma once

#include <hal/types.h>

static inline u8 x86_inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline u16 x86_inw(u16 port)
{
	u16 v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline u32 x86_inl(u16 port)
{
	u32 v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void x86_outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

static inline void x86_outw(u16 port, u16 v)
{
	__asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

static inline void x86_outl(u16 port, u32 v)
{
	__asm__ __volatile__("outl %0, %1" :: "a"(v), "Nd"(port) : "memory");
}
