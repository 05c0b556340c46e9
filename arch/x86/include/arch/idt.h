/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt and exception dispatch of the test kernel: a 256-entry IDT of
 * interrupt gates [SDM 3A 6.14], one stub per vector (arch/x86/trap.S)
 * feeding x86_trap_dispatch(). An exception without a handler prints its
 * vector, error code and RIP and ends the run with failure; vectors from
 * X86_IRQ_VECTOR_FIRST up are handed out to interrupt handlers, which
 * are followed by a local APIC EOI.
 */
#pragma once

#include <hal/types.h>

/* Saved state, in the order trap.S pushes it (lowest address first). */
struct x86_trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error_code;			/* 0 for vectors without one */
	/* [SDM 3A 6.14.2] pushed by the CPU */
	u64 rip, cs, rflags, rsp, ss;
};

/* [SDM 3A Table 6-1] Exception vectors used by name. */
#define X86_VEC_DE		0
#define X86_VEC_BP		3
#define X86_VEC_UD		6
#define X86_VEC_DF		8
#define X86_VEC_GP		13
#define X86_VEC_PF		14
#define X86_VEC_EXCEPTIONS	32

/* Vectors handed out by x86_irq_alloc() (0x20-0x2f: the masked 8259s). */
#define X86_IRQ_VECTOR_FIRST	0x30
#define X86_IRQ_VECTOR_LAST	0xef
#define X86_VEC_SPURIOUS	0xff	/* LAPIC spurious vector, no EOI */

/*
 * A handler runs with interrupts disabled. An exception handler may
 * change @f (for example step RIP over a faulting instruction); the
 * kernel resumes from @f when it returns.
 */
typedef void (*x86_trap_handler_t)(struct x86_trap_frame *f, void *ctx);

/** x86_idt_init() - Install the IDT and remap and mask the legacy PICs. */
void x86_idt_init(void);

/**
 * x86_trap_set_handler() - Handle exception @vector (< 32) with @fn, or
 * restore the default (fatal) behaviour when @fn is NULL.
 *
 * Return: 0, or -EINVAL when @vector is not an exception vector.
 */
int x86_trap_set_handler(u8 vector, x86_trap_handler_t fn, void *ctx);

/**
 * x86_irq_alloc() - Allocate a free vector in X86_IRQ_VECTOR_FIRST..LAST
 * and route it to @fn.
 *
 * Return: the vector, or -ENOSPC when none is free, -EINVAL for a NULL @fn.
 */
int x86_irq_alloc(x86_trap_handler_t fn, void *ctx);

/** x86_irq_free() - Release a vector from x86_irq_alloc(). */
void x86_irq_free(int vector);

/** x86_irq_unexpected_count() - Interrupts that arrived on no handler. */
u64 x86_irq_unexpected_count(void);
