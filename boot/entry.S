/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * 32-bit entry of the test kernel. Either loader leaves the CPU in flat
 * 32-bit protected mode with paging off, the boot magic in EAX and the
 * information structure's physical address in EBX [MB1 3.2], [MB2 3.3].
 * This code zeroes the BSS, checks for long mode, builds an identity map
 * of 0..4 GiB with 2 MiB pages (RAM, the PCI hole with ECAM and 32-bit
 * BARs, IOAPIC, the DMAR window at 0xfed90000 and the LAPIC), enables
 * PAE, EFER.LME and paging [SDM 3A 9.8.5], loads a 64-bit GDT and calls
 * x86_boot_main(magic, info) on the boot stack.
 */
#include <arch/exit.h>
#include <arch/paging.h>

#define X86_CR0_PE		(1 << 0)
#define X86_CR0_WP		(1 << 16)
#define X86_CR0_PG		(1 << 31)
#define X86_CR4_PAE		(1 << 5)
#define X86_MSR_EFER		0xc0000080
#define X86_EFER_LME		(1 << 8)
#define X86_CPUID_LM		(1 << 29)	/* CPUID.80000001H:EDX */

#define BOOT_STACK_SIZE		(16 * 1024)
#define GDT_CODE64		0x08
#define GDT_DATA		0x10

	.section .text.boot32, "ax"
	.code32
	.globl	x86_boot_entry32
x86_boot_entry32:
	cli
	cld
	mov	%eax, %ebp		/* boot magic */
	mov	%ebx, %esi		/* information structure */

	/* The loaders zero the BSS; do it again, the page tables live there. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl
	mov	$boot_stack_top, %esp

	/* [SDM 2A CPUID] Extended leaf 80000001H, EDX bit 29: long mode. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	test	$X86_CPUID_LM, %edx
	jz	no_long_mode

	/* [SDM 3A 4.5] PML4[0] -> PDPT, PDPT[0..3] -> four page directories. */
	mov	$x86_boot_pdpt, %eax
	or	$(X86_PTE_P | X86_PTE_RW), %eax
	mov	%eax, x86_boot_pml4
	mov	$x86_boot_pd, %eax
	or	$(X86_PTE_P | X86_PTE_RW), %eax
	xor	%ecx, %ecx
1:	mov	%eax, x86_boot_pdpt(, %ecx, 8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jne	1b

	/* 2048 2 MiB PDEs (PS=1); the upper halves are already zero. */
	mov	$(X86_PTE_P | X86_PTE_RW | X86_PTE_PS), %eax
	xor	%ecx, %ecx
2:	mov	%eax, x86_boot_pd(, %ecx, 8)
	add	$X86_LARGE_PAGE_SIZE, %eax
	inc	%ecx
	cmp	$X86_BOOT_PD_ENTRIES, %ecx
	jne	2b

	/* [SDM 3A 9.8.5] PAE, CR3, EFER.LME, then CR0.PG activates IA-32e. */
	mov	%cr4, %eax
	or	$X86_CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$x86_boot_pml4, %eax
	mov	%eax, %cr3
	mov	$X86_MSR_EFER, %ecx
	rdmsr
	or	$X86_EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
	mov	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$GDT_CODE64, $entry64

no_long_mode:
	mov	$no_lm_msg, %ebx
3:	movb	(%ebx), %al
	test	%al, %al
	jz	4f
	mov	$0x3f8, %dx		/* COM1, no THRE wait: best effort */
	outb	%al, %dx
	mov	$0xe9, %dx		/* Bochs debug port */
	outb	%al, %dx
	inc	%ebx
	jmp	3b
4:	mov	$X86_DEBUG_EXIT_PORT, %dx	/* QEMU: failure code */
	mov	$X86_EXIT_CODE_FAIL, %al
	outb	%al, %dx
	mov	$shutdown_msg, %ebx		/* Bochs: "Shutdown" */
	mov	$X86_BOCHS_SHUTDOWN_PORT, %dx
7:	movb	(%ebx), %al
	test	%al, %al
	jz	5f
	outb	%al, %dx
	inc	%ebx
	jmp	7b
5:	cli
	hlt
	jmp	5b

	.code64
entry64:
	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %rsp
	/* Upper halves of the GPRs are undefined after the switch. */
	mov	%ebp, %edi
	mov	%esi, %esi
	xor	%ebp, %ebp
	call	x86_boot_main
6:	cli
	hlt
	jmp	6b

	.section .rodata
no_lm_msg:
	.asciz	"vtd-test: CPU has no long mode\n"
shutdown_msg:
	.asciz	"Shutdown"

	/* [SDM 3A 3.4.5] Null, 64-bit code (L=1, D=0), flat data. */
	.balign 16
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff
	.quad	0x00cf92000000ffff
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt

	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
	.globl	x86_boot_pml4, x86_boot_pdpt, x86_boot_pd
x86_boot_pml4:
	.skip	4096
x86_boot_pdpt:
	.skip	4096
x86_boot_pd:
	.skip	4096 * 4

	.section .bss
	.balign 16
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
