// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot test of vtd/pt_fl.c against a real page walker: QEMU 7.2 cannot
 * walk first-level tables for DMA (PGTT=001 is walked as second-level,
 * docs/QEMU.md 1), but the format is the CPU's IA-32e paging format
 * [VT-d 9.7, SDM 3A 4.5], so the CPU's own MMU checks it. The case builds
 * a 4-level table with the library (tables from hal_page_alloc()),
 * identity-maps the kernel's RAM (every 2 MiB page of the boot map that is
 * not an uncached MMIO window, so the kernel keeps running), maps test
 * pages at unusual addresses (above 4 GiB, in the upper canonical half, a
 * 2 MiB leaf, a read-only 1 GiB leaf when CPUID reports 1-GByte pages,
 * an executable page and a non-executable alias of it), loads CR3 with
 * it with interrupts off, and checks through the CPU:
 *   - reads and writes land in the intended host pages;
 *   - a read of an unmapped address raises #PF with error 0 and CR2;
 *   - a write to a read-only leaf raises #PF with error P|W;
 *   - a fetch from an XD leaf raises #PF with error P|I/D (when the CPU
 *     has NX; EFER.NXE is set for the window, as the PASID entry's NXE);
 *   - a non-canonical address raises #GP, which is why the library
 *     refuses such addresses;
 *   - the CPU sets D in the library's leaf on the first write (the table
 *     is built with dirty_tracking, A pre-set);
 * then unmaps a 4 KiB page and splits the 2 MiB leaf with the library,
 * reloads CR3 (the invalidation) and checks the removed pages fault and
 * the rest of the split leaf still maps. The kernel CR3 and EFER are
 * restored before any output. No DMAR is needed: it runs under Bochs too.
 */
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/types.h>
#include <vtd/pt_fl.h>

#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/mm.h>
#include <arch/paging.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL

#define VA_A		0x0000001234567000ULL	/* 4 KiB, above 4 GiB */
#define VA_B		0xffff800012345000ULL	/* 4 KiB, upper half */
#define VA_C		0x0000004000200000ULL	/* 2 MiB leaf */
#define VA_D		0x0000008000000000ULL	/* 1 GiB (or 2 MiB) RO of PA 0 */
#define VA_X		0x000000c000000000ULL	/* executable page */
#define VA_NX		(VA_X + SZ_4K)		/* XD alias of the same page */
#define VA_HOLE		0x0000700000000000ULL	/* no PML4 entry */
#define VA_NONCANON	0x0000800000000000ULL

/* [SDM 3A 4.7] #PF error code bits. */
#define PF_P		(1U << 0)
#define PF_W		(1U << 1)
#define PF_ID		(1U << 4)

#define BAD		0xbadbadbadbadbadULL
#define MAGIC_A		0x1111aaaa2222bbbbULL
#define MAGIC_B		0x3333cccc4444ddddULL
#define MAGIC_C		0x5555eeee6666ffffULL
#define RET_VAL		0x12345678U

struct fault_seen {
	u32 count;
	u64 vector;
	u64 err;
	u64 cr2;
};

static struct fault_seen seen;
static u64 resume_rip;		/* 0: a fetch fault, emulate RET */

static void on_fault(struct x86_trap_frame *f, void *ctx)
{
	seen.count++;
	seen.vector = f->vector;
	seen.err = f->error_code;
	seen.cr2 = f->vector == X86_VEC_PF ? x86_read_cr2() : 0;
	if (resume_rip) {
		f->rip = resume_rip;
	} else {
		/* A fetch from the target of a CALL: return to the caller. */
		f->rip = *(const u64 *)(uintptr_t)f->rsp;
		f->rsp += 8;
		f->rax = BAD;
	}
}

static u64 probe_read(u64 va)
{
	u64 v = BAD;

	__asm__ __volatile__("leaq 1f(%%rip), %%rcx\n\t"
			     "movq %%rcx, %[res]\n\t"
			     "movq (%[p]), %[v]\n"
			     "1:"
			     : [v] "+r"(v), [res] "=m"(resume_rip)
			     : [p] "r"(va)
			     : "rcx", "memory");
	resume_rip = 0;
	return v;
}

static void probe_write(u64 va, u64 val)
{
	__asm__ __volatile__("leaq 1f(%%rip), %%rcx\n\t"
			     "movq %%rcx, %[res]\n\t"
			     "movq %[v], (%[p])\n"
			     "1:"
			     : [res] "=m"(resume_rip)
			     : [p] "r"(va), [v] "r"(val)
			     : "rcx", "memory");
	resume_rip = 0;
}

static u32 probe_call(u64 va)
{
	u32 (*fn)(void) = (u32 (*)(void))(uintptr_t)va;

	resume_rip = 0;
	return fn();
}

/* One expected fault, or none (vector 0 stands for none). */
struct expect {
	u32 count;
	u64 vector, err, cr2;
};

static void take(struct expect *e)
{
	e->count = seen.count;
	e->vector = seen.vector;
	e->err = seen.err;
	e->cr2 = seen.cr2;
	seen = (struct fault_seen){ 0 };
}

/* Results of the first window, checked after CR3 is restored. */
struct window1 {
	u64 rd_a, rd_b, rd_c, rd_d, rd_id_a;
	u32 call_x, call_nx;
	bool dirty_before, dirty_after, d_clean;
	struct expect none, hole, next, ro, nx, noncanon;
	u64 ro_after;
};

struct window2 {
	u64 rd_c0, rd_c_last;
	struct expect a, c7, c0;
};

static u64 cpu_phys_bits(void)
{
	u32 a, b, c, d;

	x86_cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000008)
		return 36;
	x86_cpuid(0x80000008, 0, &a, &b, &c, &d);
	return a & 0xff;
}

/* Identity-map every boot 2 MiB page that is RAM (not PCD), in runs. */
static int map_identity(struct vtd_fl_pt *pt, u32 prot)
{
	unsigned int i = 0, j;
	int ret;

	while (i < X86_BOOT_PD_ENTRIES) {
		if (x86_boot_pd[i] & X86_PTE_PCD) {
			i++;
			continue;
		}
		for (j = i; j < X86_BOOT_PD_ENTRIES &&
		     !(x86_boot_pd[j] & X86_PTE_PCD); j++)
			;
		ret = vtd_fl_pt_map(pt, vtd_iova_init((u64)i * SZ_2M),
				    hal_paddr_init((u64)i * SZ_2M),
				    (u64)(j - i) * SZ_2M, prot);
		if (ret)
			return ret;
		i = j;
	}
	return 0;
}

static void run_window1(struct vtd_fl_pt *pt, bool nx, u64 p1, u64 p1_va,
			struct window1 *w)
{
	struct vtd_fl_pt_translation tr;

	/* Mapped: no fault at all. */
	probe_write(VA_A, MAGIC_A);
	probe_write(VA_B + 0x10, MAGIC_B);
	probe_write(VA_C + SZ_2M - 8, MAGIC_C);
	w->rd_a = probe_read(VA_A);
	w->rd_b = probe_read(VA_B + 0x10);
	w->rd_c = probe_read(VA_C + SZ_2M - 8);
	w->rd_id_a = probe_read(p1_va);		/* the same page, identity */
	w->rd_d = probe_read(VA_D + p1);	/* through the RO large leaf */
	w->call_x = probe_call(VA_X);
	take(&w->none);

	/* The CPU set D in the leaf of VA_A; the read-only one stays clean. */
	w->dirty_after = vtd_fl_pt_lookup(pt, vtd_iova_init(VA_A), &tr) == 0 &&
			 tr.dirty;
	w->d_clean = vtd_fl_pt_lookup(pt, vtd_iova_init(VA_D), &tr) == 0 &&
		     !tr.dirty && tr.accessed;

	(void)probe_read(VA_HOLE + 0x18);
	take(&w->hole);
	(void)probe_read(VA_A + SZ_4K);
	take(&w->next);
	probe_write(VA_D + p1 + 8, BAD);
	take(&w->ro);
	w->ro_after = probe_read(VA_D + p1 + 8);
	if (nx) {
		w->call_nx = probe_call(VA_NX);
		take(&w->nx);
	}
	(void)probe_read(VA_NONCANON);
	take(&w->noncanon);
}

static void run_window2(struct window2 *w)
{
	(void)probe_read(VA_A);
	take(&w->a);
	(void)probe_read(VA_C + 7 * SZ_4K);
	take(&w->c7);
	w->rd_c0 = probe_read(VA_C);
	w->rd_c_last = probe_read(VA_C + SZ_2M - 8);
	take(&w->c0);
}

#define BT_EXPECT_FAULT(t, e, vec, code, addr)				\
	do {								\
		BT_ASSERT_EQ(t, (e).count, 1);				\
		BT_ASSERT_EQ(t, (e).vector, (vec));			\
		BT_ASSERT_EQ(t, (e).err, (code));			\
		BT_ASSERT_EQ(t, (e).cr2, (addr));			\
	} while (0)

BOOT_TEST(pt_fl, cpu_walks_library_tables)
{
	struct vtd_fl_pt pt;
	struct vtd_fl_gather g;
	struct window1 w1 = { 0 };
	struct window2 w2 = { 0 };
	struct vtd_fl_pt_translation tr;
	u32 a, b, c, d, rw = VTD_PROT_READ | VTD_PROT_WRITE;
	u64 free_before = x86_page_free_count(), cr3, efer = 0, flags;
	u64 p1, p2, p3, p4, phys_bits;
	u8 *page1, *page2, *block3, *page4;
	bool nx, gb;
	int ret;

	x86_cpuid(0x80000001, 0, &a, &b, &c, &d);
	nx = d & X86_CPUID_EXT_NX;
	gb = d & X86_CPUID_EXT_PDPE1GB;
	phys_bits = cpu_phys_bits();
	if (phys_bits > VTD_FL_PT_HAW_MAX)
		phys_bits = VTD_FL_PT_HAW_MAX;
	x86_printf("pt_fl: CPU 1-GByte pages %s, NX %s, MAXPHYADDR %llu\n",
		   gb ? "yes" : "no (2 MiB leaves instead)", nx ? "yes" : "no",
		   (unsigned long long)phys_bits);

	{
		struct vtd_fl_pt_config cfg = {
			.levels = 4,
			.haw = (unsigned int)phys_bits,
			.large_pages = gb ? VTD_FL_PT_LP_1G : 0,
			.coherent = true,	/* the CPU's walks snoop */
			.nxe = nx,
			.dirty_tracking = true,
		};

		BT_ASSERT_OK(t, vtd_fl_pt_init(&pt, &cfg));
	}
	page1 = hal_page_alloc(0);
	page2 = hal_page_alloc(0);
	block3 = hal_page_alloc(9);		/* 2 MiB, 2 MiB-aligned */
	page4 = hal_page_alloc(0);
	BT_ASSERT(t, page1 && page2 && block3 && page4, "page allocation");
	p1 = hal_paddr_val(hal_virt_to_phys(page1));
	p2 = hal_paddr_val(hal_virt_to_phys(page2));
	p3 = hal_paddr_val(hal_virt_to_phys(block3));
	p4 = hal_paddr_val(hal_virt_to_phys(page4));
	BT_ASSERT(t, p1 < SZ_1G, "page1 at 0x%llx, beyond the 1 GiB alias",
		  (unsigned long long)p1);
	/* mov $RET_VAL, %eax; ret */
	page4[0] = 0xb8;
	page4[1] = (u8)RET_VAL;
	page4[2] = (u8)(RET_VAL >> 8);
	page4[3] = (u8)(RET_VAL >> 16);
	page4[4] = (u8)(RET_VAL >> 24);
	page4[5] = 0xc3;

	BT_ASSERT_OK(t, map_identity(&pt, rw | VTD_PROT_EXEC));
	BT_ASSERT_OK(t, vtd_fl_pt_map(&pt, vtd_iova_init(VA_A),
				      hal_paddr_init(p1), SZ_4K, rw));
	BT_ASSERT_OK(t, vtd_fl_pt_map(&pt, vtd_iova_init(VA_B),
				      hal_paddr_init(p2), SZ_4K, rw));
	BT_ASSERT_OK(t, vtd_fl_pt_map(&pt, vtd_iova_init(VA_C),
				      hal_paddr_init(p3), SZ_2M, rw));
	BT_ASSERT_OK(t, vtd_fl_pt_map(&pt, vtd_iova_init(VA_D),
				      hal_paddr_init(0), SZ_1G,
				      VTD_PROT_READ));
	BT_ASSERT_OK(t, vtd_fl_pt_map(&pt, vtd_iova_init(VA_X),
				      hal_paddr_init(p4), SZ_4K,
				      VTD_PROT_READ | VTD_PROT_EXEC));
	BT_ASSERT_OK(t, vtd_fl_pt_map(&pt, vtd_iova_init(VA_NX),
				      hal_paddr_init(p4), SZ_4K,
				      VTD_PROT_READ));
	/* The library refuses what the CPU would #GP on. */
	BT_ASSERT_EQ(t, vtd_fl_pt_map(&pt, vtd_iova_init(VA_NONCANON),
				      hal_paddr_init(p4), SZ_4K,
				      VTD_PROT_READ), -ERANGE);
	BT_ASSERT_OK(t, vtd_fl_pt_lookup(&pt, vtd_iova_init(VA_D), &tr));
	BT_ASSERT_EQ(t, tr.page_size, gb ? SZ_1G : SZ_2M);
	BT_ASSERT_OK(t, vtd_fl_pt_lookup(&pt, vtd_iova_init(VA_C), &tr));
	BT_ASSERT_EQ(t, tr.page_size, SZ_2M);
	BT_ASSERT_OK(t, vtd_fl_pt_lookup(&pt, vtd_iova_init(VA_A), &tr));
	w1.dirty_before = tr.dirty;

	/* Window 1: the kernel runs on the library's table. */
	BT_ASSERT_OK(t, x86_trap_set_handler(X86_VEC_PF, on_fault, NULL));
	BT_ASSERT_OK(t, x86_trap_set_handler(X86_VEC_GP, on_fault, NULL));
	seen = (struct fault_seen){ 0 };
	flags = x86_irq_save();
	cr3 = x86_read_cr3();
	if (nx) {
		efer = x86_rdmsr(X86_MSR_EFER);
		x86_wrmsr(X86_MSR_EFER, efer | X86_EFER_NXE);
	}
	x86_write_cr3(hal_paddr_val(pt.root_pa));
	run_window1(&pt, nx, p1, (u64)(uintptr_t)page1, &w1);
	x86_write_cr3(cr3);
	if (nx)
		x86_wrmsr(X86_MSR_EFER, efer);
	x86_irq_restore(flags);

	/* Unmap a page and split the 2 MiB leaf, then window 2. */
	vtd_fl_pt_gather_init(&g);
	ret = vtd_fl_pt_unmap(&pt, vtd_iova_init(VA_A), SZ_4K, &g);
	if (!ret)
		ret = vtd_fl_pt_unmap(&pt, vtd_iova_init(VA_C + 7 * SZ_4K),
				      SZ_4K, &g);
	if (!ret) {
		flags = x86_irq_save();
		/*
		 * The CR3 load is the invalidation [SDM 3A 4.10.4.1]. NXE
		 * again: without it XD is a reserved bit and every XD leaf
		 * faults with RSVD (error 0x8).
		 */
		if (nx)
			x86_wrmsr(X86_MSR_EFER, efer | X86_EFER_NXE);
		x86_write_cr3(hal_paddr_val(pt.root_pa));
		run_window2(&w2);
		x86_write_cr3(cr3);
		if (nx)
			x86_wrmsr(X86_MSR_EFER, efer);
		x86_irq_restore(flags);
	}
	x86_trap_set_handler(X86_VEC_PF, NULL, NULL);
	x86_trap_set_handler(X86_VEC_GP, NULL, NULL);
	/* Invalidated: the detached tables may go. */
	vtd_fl_pt_gather_release(&g);
	BT_ASSERT_OK(t, ret);

	/* Every access through the library's mappings, as the CPU saw it. */
	BT_ASSERT_EQ(t, w1.none.count, 0);
	BT_ASSERT_EQ(t, w1.rd_a, MAGIC_A);
	BT_ASSERT_EQ(t, w1.rd_id_a, MAGIC_A);
	BT_ASSERT_EQ(t, w1.rd_d, MAGIC_A);
	BT_ASSERT_EQ(t, w1.rd_b, MAGIC_B);
	BT_ASSERT_EQ(t, w1.rd_c, MAGIC_C);
	BT_ASSERT_EQ(t, w1.call_x, RET_VAL);
	/* ... and the bytes landed in the intended host pages. */
	BT_ASSERT_EQ(t, *(volatile u64 *)page1, MAGIC_A);
	BT_ASSERT_EQ(t, *(volatile u64 *)(page2 + 0x10), MAGIC_B);
	BT_ASSERT_EQ(t, *(volatile u64 *)(block3 + SZ_2M - 8), MAGIC_C);
	BT_ASSERT(t, !w1.dirty_before && w1.dirty_after,
		  "D in VA_A's leaf: before %d, after the write %d",
		  w1.dirty_before, w1.dirty_after);
	BT_ASSERT(t, w1.d_clean, "read-only leaf dirty or not accessed");
	BT_EXPECT_FAULT(t, w1.hole, X86_VEC_PF, 0, VA_HOLE + 0x18);
	BT_EXPECT_FAULT(t, w1.next, X86_VEC_PF, 0, VA_A + SZ_4K);
	BT_EXPECT_FAULT(t, w1.ro, X86_VEC_PF, PF_P | PF_W, VA_D + p1 + 8);
	BT_ASSERT_EQ(t, w1.ro_after, *(volatile u64 *)(page1 + 8));
	if (nx) {
		BT_EXPECT_FAULT(t, w1.nx, X86_VEC_PF, PF_P | PF_ID, VA_NX);
		BT_ASSERT_EQ(t, w1.call_nx, (u32)BAD);
	}
	BT_ASSERT_EQ(t, w1.noncanon.count, 1);
	BT_ASSERT_EQ(t, w1.noncanon.vector, X86_VEC_GP);
	BT_ASSERT_EQ(t, w1.noncanon.err, 0);

	/* After unmap and split. */
	BT_EXPECT_FAULT(t, w2.a, X86_VEC_PF, 0, VA_A);
	BT_EXPECT_FAULT(t, w2.c7, X86_VEC_PF, 0, VA_C + 7 * SZ_4K);
	BT_ASSERT_EQ(t, w2.c0.count, 0);
	BT_ASSERT_EQ(t, w2.rd_c_last, MAGIC_C);
	BT_ASSERT_EQ(t, w2.rd_c0, *(volatile u64 *)block3);

	vtd_fl_pt_destroy(&pt);
	hal_page_free(page1, 0);
	hal_page_free(page2, 0);
	hal_page_free(block3, 9);
	hal_page_free(page4, 0);
	BT_ASSERT_EQ(t, x86_page_free_count(), free_before);
}
