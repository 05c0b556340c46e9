/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt and exception entry stubs. There is one 16-byte stub per
 * vector at x86_trap_stubs + 16 * vector. Each pushes a zero error code
 * when the CPU does not push one [SDM 3A 6.13, Table 6-1], then its
 * vector, and joins x86_trap_common, which saves the general registers
 * as a struct x86_trap_frame and calls x86_trap_dispatch(frame). The CPU
 * aligns RSP to 16 bytes before pushing its 40-byte frame in 64-bit mode
 * [SDM 3A 6.14.2]; with the 16 bytes of error code and vector and 120 of
 * registers the call is made with RSP 16-byte aligned, as the ABI wants.
 */

	.text
	.code64

	.balign 16
	.globl	x86_trap_stubs
x86_trap_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX push one. */
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || \
	    (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || \
	    (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	x86_trap_common
	.set	vec, vec + 1
	.endr

x86_trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	cld
	call	x86_trap_dispatch
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
