/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Single x86_64 instructions for the test kernel: PAUSE, CLFLUSH, MFENCE,
 * RDTSC, RDMSR/WRMSR, CPUID, control registers and the interrupt flag
 * [SDM 2A, 2B]. All are inline wrappers with the memory clobbers they
 * need. Every [SDM ...] reference under arch/x86 and boot uses the
 * Intel 64 and IA-32 Architectures Software Developer's Manual's pre-2023
 * numbering, in which Volume 3A chapter 4 is Paging, chapter 6 Interrupt
 * and Exception Handling and chapter 10 the APIC.
 */
#pragma once

#include <hal/types.h>

/* [SDM 4 Table 2-2] Architectural MSRs used by the kernel. */
#define X86_MSR_APIC_BASE	0x1b
#define X86_MSR_EFER		0xc0000080
#define  X86_EFER_NXE		(1UL << 11)	/* Execute-disable enable [SDM 3A 4.1.1] */

/* [SDM 2A CPUID] Leaf 80000001H, EDX. */
#define X86_CPUID_EXT_NX	(1U << 20)	/* Execute Disable bit */
#define X86_CPUID_EXT_PDPE1GB	(1U << 26)	/* 1-GByte pages */
#define X86_RFLAGS_IF		(1UL << 9)

static inline void x86_cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void x86_clflush(const void *p)
{
	__asm__ __volatile__("clflush %0" :: "m"(*(const volatile u8 *)p)
			     : "memory");
}

static inline void x86_mfence(void)
{
	__asm__ __volatile__("mfence" ::: "memory");
}

/* RDTSC is not ordered; LFENCE before it keeps earlier loads in front. */
static inline u64 x86_rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((u64)hi << 32) | lo;
}

static inline u64 x86_rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void x86_wrmsr(u32 msr, u64 val)
{
	__asm__ __volatile__("wrmsr"
			     :: "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
			     : "memory");
}

static inline void x86_cpuid(u32 leaf, u32 subleaf, u32 *a, u32 *b, u32 *c,
			     u32 *d)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(subleaf));
}

static inline u64 x86_read_cr2(void)
{
	u64 v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 x86_read_cr3(void)
{
	u64 v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void x86_write_cr3(u64 v)
{
	__asm__ __volatile__("mov %0, %%cr3" :: "r"(v) : "memory");
}

static inline void x86_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline void x86_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

/* Disable interrupts and return the previous RFLAGS for x86_irq_restore. */
static inline u64 x86_irq_save(void)
{
	u64 flags;

	__asm__ __volatile__("pushfq; pop %0; cli" : "=r"(flags) :: "memory");
	return flags;
}

static inline void x86_irq_restore(u64 flags)
{
	if (flags & X86_RFLAGS_IF)
		x86_irq_enable();
}

static inline void x86_halt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}
