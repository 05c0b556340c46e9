/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The two Multiboot headers of the test kernel. The Multiboot1 header
 * sets the a.out kludge flag [MB1 3.1.3] and gives the load addresses
 * itself, because QEMU's -kernel loader refuses ELF64 images but copies
 * a kludge image verbatim; linker.ld makes file offset = address - 1 MiB
 * so that the copy is the ELF's own load image. The Multiboot2 header
 * [MB2 3.1] carries only the end tag: GRUB loads the ELF64 by its program
 * headers and enters x86_boot_entry32 (the ELF entry) in 32-bit protected
 * mode [MB2 3.3].
 */
#include "multiboot.h"

#define MB1_FLAGS	(MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO | \
			 MB1_HEADER_AOUT_KLUDGE)

	.section .multiboot, "a"

	/* [MB1 3.1.1] Must lie in the first 8192 bytes, 4-byte aligned. */
	.balign 8
mb1_header:
	.long	MB1_HEADER_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_HEADER_MAGIC + MB1_FLAGS)
	/* [MB1 3.1.3] Address fields, valid because of flag bit 16. */
	.long	mb1_header		/* header_addr */
	.long	__image_start		/* load_addr: file offset 0 */
	.long	__load_end		/* load_end_addr */
	.long	__bss_end		/* bss_end_addr: zeroed by the loader */
	.long	x86_boot_entry32	/* entry_addr */

	/* [MB2 3.1.1] Must lie in the first 32768 bytes, 8-byte aligned. */
	.balign 8
mb2_header:
	.long	MB2_HEADER_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_HEADER_MAGIC + MB2_ARCH_I386 + \
		  (mb2_header_end - mb2_header))
	/* [MB2 3.1.2] Tags are 8-byte aligned; only the end tag. */
	.balign 8
	.short	0			/* type: end */
	.short	0			/* flags */
	.long	8			/* size */
mb2_header_end:

	.section .note.GNU-stack, "", @progbits
