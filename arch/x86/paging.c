// SPDX-License-Identifier: BSD-2-Clause
/*
 * Memory types of the identity map. boot/entry.S maps 0..4 GiB write-back
 * (PAT entry 0); MMIO windows are switched to uncached with PCD and PWT
 * [SDM 3A 11.12.3, Table 11-11], one 2 MiB page at a time, so that
 * register accesses are neither cached nor combined whatever the MTRRs
 * say. A 2 MiB page is never shared between RAM and MMIO on the machines
 * the kernel runs on (QEMU q35, Bochs i440FX), except the first, which
 * holds the legacy VGA hole and is left alone.
 */
#include <hal/errno.h>
#include <hal/types.h>

#include <arch/cpu.h>
#include <arch/paging.h>

bool x86_paging_mapped(u64 pa, u64 size)
{
	return size <= X86_IDENTITY_LIMIT && pa <= X86_IDENTITY_LIMIT - size;
}

int x86_paging_set_uncached(u64 pa, u64 size)
{
	u64 first, last, i;

	if (size == 0 || !x86_paging_mapped(pa, size))
		return -ERANGE;
	first = pa >> X86_LARGE_PAGE_SHIFT;
	last = (pa + size - 1) >> X86_LARGE_PAGE_SHIFT;
	for (i = first; i <= last; i++) {
		if (i == 0)
			continue;
		x86_boot_pd[i] |= X86_PTE_PCD | X86_PTE_PWT;
	}
	/* A CR3 load flushes all non-global TLB entries [SDM 3A 4.10.4.1]. */
	x86_write_cr3(x86_read_cr3());
	return 0;
}
