/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Identity paging of the test kernel. boot/entry.S maps 0..4 GiB with
 * 2 MiB pages [SDM 3A 4.5] before entering long mode; C code only
 * changes the memory type of MMIO windows afterwards. This header is
 * shared with the assembler, so its constants are plain shifts rather
 * than BIT() (hal/bits.h is C only).
 */
#pragma once

/* [SDM 3A Table 4-17] Page-directory entry that maps a 2 MiB page. */
#define X86_PTE_P		(1 << 0)	/* Present */
#define X86_PTE_RW		(1 << 1)	/* Read/write */
#define X86_PTE_PWT		(1 << 3)	/* Page-level write-through */
#define X86_PTE_PCD		(1 << 4)	/* Page-level cache disable */
#define X86_PTE_PS		(1 << 7)	/* Page size: 2 MiB */

#define X86_LARGE_PAGE_SHIFT	21
#define X86_LARGE_PAGE_SIZE	(1 << X86_LARGE_PAGE_SHIFT)
#define X86_BOOT_PD_ENTRIES	2048		/* 4 GiB / 2 MiB */

#ifndef __ASSEMBLY__

#include <hal/types.h>

/* End of the identity map: every address below it is mapped. */
#define X86_IDENTITY_LIMIT	(1ULL << 32)

/* The boot page tables, built by boot/entry.S. */
extern u64 x86_boot_pml4[512];
extern u64 x86_boot_pdpt[512];
extern u64 x86_boot_pd[X86_BOOT_PD_ENTRIES];

/**
 * x86_paging_set_uncached() - Make [@pa, @pa + @size) uncached (PCD|PWT)
 * for MMIO, whole 2 MiB pages at a time, and flush the TLB.
 *
 * Return: 0, or -ERANGE when the range is not below X86_IDENTITY_LIMIT.
 * Context: boot CPU; not from interrupt handlers.
 */
int x86_paging_set_uncached(u64 pa, u64 size);

/** x86_paging_mapped() - True when [@pa, @pa + @size) is identity-mapped. */
bool x86_paging_mapped(u64 pa, u64 size);

/*
 * Pointer to physical address @pa (identity map). The empty asm hides the
 * constant from GCC, which otherwise treats a pointer made from a small
 * literal address (the BIOS data area) as an empty object and warns.
 */
static inline void *x86_phys_ptr(u64 pa)
{
	void *p = (void *)(uintptr_t)pa;

	__asm__("" : "+r"(p));
	return p;
}

#endif /* !__ASSEMBLY__ */
