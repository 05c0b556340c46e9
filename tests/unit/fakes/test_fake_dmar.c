// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of the host fakes themselves: the page allocator's physical
 * addresses, failure injection, and the DMAR model's handshakes, queue
 * and fault recording. Later library tests trust these behaviours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"

#define BASE	0xfed90000ULL

static struct fake_dmar dmar;
static struct hal_mmio *regs;

static int setup(void **state)
{
	fake_hal_reset();
	assert_int_equal(fake_dmar_init(&dmar, BASE, FAKE_DMAR_QEMU_CAP_SM,
					FAKE_DMAR_QEMU_ECAP_SM), 0);
	regs = hal_mmio_map(hal_paddr_init(BASE), 0x1000);
	assert_non_null(regs);
	return 0;
}

static int teardown(void **state)
{
	fake_dmar_fini(&dmar);
	return 0;
}

static void test_mem_phys_is_not_virt(void **state)
{
	u64 before = fake_mem_pages_in_use();
	u8 *p = hal_page_alloc(2);
	u64 pa;

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % (4 * HAL_PAGE_SIZE), 0);
	pa = hal_paddr_val(hal_virt_to_phys(p));
	assert_int_not_equal(pa, (u64)(uintptr_t)p);
	assert_int_equal(pa % (4 * HAL_PAGE_SIZE), 0);
	assert_ptr_equal(hal_phys_to_virt(hal_paddr_init(pa + 5000)),
			 p + 5000);
	assert_null(fake_phys_to_virt_checked((u64)(uintptr_t)p, 8));
	assert_int_equal(fake_mem_pages_in_use(), before + 4);
	for (int i = 0; i < 4 * 4096; i++)
		assert_int_equal(p[i], 0);
	hal_page_free(p, 2);
	assert_int_equal(fake_mem_pages_in_use(), before);
	assert_null(fake_phys_to_virt_checked(pa, 8));
}

static void test_mem_fail_nth(void **state)
{
	void *a, *b;

	fake_mem_fail_nth(2, false);
	a = hal_page_alloc(0);
	b = hal_page_alloc(0);
	assert_non_null(a);
	assert_null(b);
	b = hal_page_alloc(0);
	assert_non_null(b);
	hal_page_free(a, 0);
	hal_page_free(b, 0);
}

static void test_gcmd_handshake_and_one_control_rule(void **state)
{
	hal_mmio_write32(regs, 0x18, 1U << 31);		/* TE */
	assert_int_equal(hal_mmio_read32(regs, 0x1c), 1U << 31);
	assert_int_equal(dmar.protocol_errors, 0);
	/* TE off and QIE on in one write breaks the rule. */
	hal_mmio_write32(regs, 0x18, 1U << 26);
	assert_int_equal(dmar.protocol_errors, 1);
}

static void test_gcmd_stuck_bit_never_follows(void **state)
{
	dmar.gsts_stuck = 1U << 30;
	hal_mmio_write64(regs, 0x20, 0x1000);
	hal_mmio_write32(regs, 0x18, 1U << 30);		/* SRTP */
	assert_int_equal(hal_mmio_read32(regs, 0x1c) & (1U << 30), 0);
	assert_int_equal(dmar.rtaddr_active, 0x1000);
}

static void test_gcmd_delayed_status(void **state)
{
	dmar.gsts_delay_reads = 3;
	hal_mmio_write32(regs, 0x18, 1U << 31);
	assert_int_equal(hal_mmio_read32(regs, 0x1c), 0);
	assert_int_equal(hal_mmio_read32(regs, 0x1c), 0);
	assert_int_equal(hal_mmio_read32(regs, 0x1c), 1U << 31);
}

static void test_wrong_width_is_a_protocol_error(void **state)
{
	hal_mmio_write64(regs, 0x38, 0);		/* FECTL is 32-bit */
	assert_int_equal(dmar.protocol_errors, 1);
}

/* Queue with a wait descriptor: its status lands; a bad type gives IQE. */
static void test_queue_wait_and_iqe(void **state)
{
	u64 *q = hal_page_alloc(0);
	u32 *status = hal_page_alloc(0);
	u64 spa = hal_paddr_val(hal_virt_to_phys(status));

	hal_mmio_write64(regs, 0x90, hal_paddr_val(hal_virt_to_phys(q)));
	hal_mmio_write64(regs, 0x88, 0);
	hal_mmio_write32(regs, 0x18, 1U << 26);		/* QIE */
	assert_true(hal_mmio_read32(regs, 0x1c) & (1U << 26));
	q[0] = 5 | (1 << 5) | (0x1234ULL << 32);	/* wait, SW */
	q[1] = spa;
	hal_mmio_write64(regs, 0x88, 16);
	assert_int_equal(*status, 0x1234);
	assert_int_equal(hal_mmio_read64(regs, 0x80), 16);
	q[2] = 0xf;					/* bad type */
	q[3] = 0;
	hal_mmio_write64(regs, 0x88, 32);
	assert_true(hal_mmio_read32(regs, 0x34) & (1U << 4));
	assert_int_equal(hal_mmio_read64(regs, 0x80), 16);
	assert_int_equal(dmar.log_len, 1);
	hal_page_free(q, 0);
	hal_page_free(status, 0);
}

static void test_fault_recording_and_event(void **state)
{
	u64 hi;

	hal_mmio_write32(regs, 0x38, 0);		/* unmask */
	fake_dmar_record_fault(&dmar, 0x0018, 0x5000, 6, false, false, 0);
	assert_int_equal(dmar.fault_events, 1);
	assert_true(hal_mmio_read32(regs, 0x34) & (1U << 1));	/* PPF */
	hi = hal_mmio_read64(regs, 0x228);
	assert_int_equal(hi & 0xffff, 0x18);
	assert_int_equal((hi >> 32) & 0xff, 6);
	assert_true(hi >> 63);
	/* The next fault finds the only record busy: PFO, no event. */
	fake_dmar_record_fault(&dmar, 0x0020, 0x6000, 5, true, false, 0);
	assert_true(hal_mmio_read32(regs, 0x34) & 1);
	assert_int_equal(dmar.fault_events, 1);
	hal_mmio_write64(regs, 0x228, 1ULL << 63);	/* clear F */
	assert_false(hal_mmio_read32(regs, 0x34) & (1U << 1));
}

/*
 * Legacy translation on hand-built tables (no library), register-based
 * invalidation only: the context cache keeps an entry until a CCMD that
 * names its SID and DID, the IOTLB a leaf until a PSI of its page.
 */
static int setup_legacy_xlate(void **state)
{
	fake_hal_reset();
	/* QEMU's legacy caps, ECAP.C = 1, ECAP.QI = 0. */
	assert_int_equal(fake_dmar_init(&dmar, BASE, FAKE_DMAR_QEMU_CAP_LEGACY,
					(FAKE_DMAR_QEMU_ECAP_LEGACY | 1) & ~2ULL),
			 0);
	regs = hal_mmio_map(hal_paddr_init(BASE), 0x1000);
	assert_non_null(regs);
	return 0;
}

static u64 pa_of(const void *va)
{
	return hal_paddr_val(hal_virt_to_phys(va));
}

static void test_xlate_legacy_caches(void **state)
{
	u64 *root = hal_page_alloc(0), *ctx = hal_page_alloc(0);
	u64 *l3 = hal_page_alloc(0), *l2 = hal_page_alloc(0);
	u64 *l1 = hal_page_alloc(0);
	struct fake_dma_result r;
	u64 iva = 0xf0;				/* ECAP.IRO of QEMU's caps */

	/* Before TE: untranslated. */
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x1234, false, &r), 0);
	assert_int_equal(r.hpa, 0x1234);
	root[0] = pa_of(ctx) | 1;			/* bus 0 */
	ctx[2 * 0x18] = pa_of(l3) | 1;			/* P, TT 0 */
	ctx[2 * 0x18 + 1] = 1 | (7ULL << 8);		/* AW 39, DID 7 */
	l3[0] = pa_of(l2) | 3;
	l2[0] = pa_of(l1) | 3;
	l1[5] = 0xabc000 | 1;				/* read-only */
	hal_mmio_write64(regs, 0x20, pa_of(root));	/* RTADDR, legacy */
	hal_mmio_write32(regs, 0x18, 1U << 30);		/* SRTP */
	hal_mmio_write32(regs, 0x18, 1U << 31);		/* TE */
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x5678, false, &r), 0);
	assert_int_equal(r.hpa, 0xabc678);
	assert_int_equal(r.did, 7);
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x5678, true, &r), 5);
	assert_true(r.iotlb_hit);
	hal_mmio_write64(regs, 0x228, 1ULL << 63);
	assert_int_equal(fake_dmar_dma(&dmar, 0x19, FAKE_DMAR_NO_PASID,
				       0, false, &r), 2);
	hal_mmio_write64(regs, 0x228, 1ULL << 63);
	/* IOTLB: a PSI of page 5 in DID 6 leaves it, in DID 7 drops it. */
	l1[5] = 0xdef000 | 3;
	hal_mmio_write64(regs, iva, 0x5000);
	hal_mmio_write64(regs, iva + 8, (1ULL << 63) | (3ULL << 60) |
					 (6ULL << 32));
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x5000, false, &r), 0);
	assert_int_equal(r.hpa, 0xabc000);
	hal_mmio_write64(regs, iva + 8, (1ULL << 63) | (3ULL << 60) |
					 (7ULL << 32));
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x5000, true, &r), 0);
	assert_int_equal(r.hpa, 0xdef000);
	/* Context cache: device-selective needs the entry's DID. */
	ctx[2 * 0x18] = 0;
	hal_mmio_write64(regs, 0x28, (1ULL << 63) | (3ULL << 61) |
				     (0x18ULL << 16) | 6);
	hal_mmio_write64(regs, iva + 8, (1ULL << 63) | (1ULL << 60));
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x5000, false, &r), 0);
	assert_true(r.cc_hit);
	/* FM 3 masks the function: 00:03.7 names 00:03.0 as well. */
	hal_mmio_write64(regs, 0x28, (1ULL << 63) | (3ULL << 61) |
				     (3ULL << 32) | (0x1fULL << 16) | 7);
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x5000, false, &r), 2);
	hal_mmio_write64(regs, 0x228, 1ULL << 63);
	/* FPD hides a qualified fault, never a reserved root entry. */
	ctx[2 * 0x18] = pa_of(l3) | 3;
	hal_mmio_write64(regs, 0x28, (1ULL << 63) | (1ULL << 61));
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x9000, false, &r), 6);
	assert_false(r.recorded);
	root[0] |= 1ULL << 3;
	hal_mmio_write64(regs, 0x28, (1ULL << 63) | (1ULL << 61));
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x9000, false, &r), 0xa);
	assert_true(r.recorded);
	assert_int_equal(dmar.protocol_errors, 0);
	hal_mmio_write32(regs, 0x18, 0);		/* TE off */
	hal_mmio_write64(regs, iva + 8, (1ULL << 63) | (1ULL << 60));
	hal_page_free(root, 0);
	hal_page_free(ctx, 0);
	hal_page_free(l3, 0);
	hal_page_free(l2, 0);
	hal_page_free(l1, 0);
}

/* The IOTLB register: invalidate @g (1 global, 2 domain, 3 page) of DID 7. */
static void iotlb_reg(unsigned int g, u64 iva)
{
	hal_mmio_write64(regs, 0xf0, iva);		/* ECAP.IRO */
	hal_mmio_write64(regs, 0xf8, (1ULL << 63) | ((u64)g << 60) |
				     (7ULL << 32));
}

/* A read by 00:03.0 that must translate; the result in @r. */
static u64 read_hpa(u64 iova, struct fake_dma_result *r)
{
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID, iova,
				       false, r), 0);
	return r->hpa;
}

/*
 * [VT-d 6.2.4, 6.5.2.3] Paging-structure caches, on hand-built 3-level
 * tables: a walk caches the non-leaf entries it reads and the next walk
 * of their range starts from them, whatever memory now holds above. A
 * page-selective invalidation keeps them with IH = 1 or when its range
 * is outside what they map; with IH = 0 over their range, or
 * domain-selective, they go. A table page freed while an entry points
 * to it is a protocol error, and so is a walk through that entry.
 */
static void test_xlate_paging_structure_cache(void **state)
{
	u64 *root = hal_page_alloc(0), *ctx = hal_page_alloc(0);
	u64 *l3 = hal_page_alloc(0), *l2 = hal_page_alloc(0);
	u64 *l1 = hal_page_alloc(0), *l1b = hal_page_alloc(0);
	struct fake_dma_result r;

	root[0] = pa_of(ctx) | 1;
	ctx[2 * 0x18] = pa_of(l3) | 1;
	ctx[2 * 0x18 + 1] = 1 | (7ULL << 8);		/* AW 39, DID 7 */
	l3[0] = pa_of(l2) | 3;
	l2[0] = pa_of(l1) | 3;
	l1[5] = 0xabc000 | 1;
	l1[6] = 0xabd000 | 1;
	l1b[6] = 0xdef000 | 1;
	hal_mmio_write64(regs, 0x20, pa_of(root));
	hal_mmio_write32(regs, 0x18, 1U << 30);		/* SRTP */
	hal_mmio_write32(regs, 0x18, 1U << 31);		/* TE */
	assert_int_equal(read_hpa(0x5000, &r), 0xabc000);
	assert_false(r.psc_hit);
	assert_int_equal(fake_dmar_psc_count(&dmar), 2);	/* L3, L2 */
	/* The PDE names another table: the unit walks the cached one. */
	l2[0] = pa_of(l1b) | 3;
	assert_int_equal(read_hpa(0x6000, &r), 0xabd000);
	assert_true(r.psc_hit);
	assert_false(r.iotlb_hit);
	/* A PSI of the page with IH = 1 drops the leaf only. */
	iotlb_reg(3, 0x6000 | (1ULL << 6));
	/* With IH = 0 but another GiB, the entries map none of its range. */
	iotlb_reg(3, 0x40000000);
	assert_int_equal(read_hpa(0x6000, &r), 0xabd000);
	assert_true(r.psc_hit);
	assert_false(r.iotlb_hit);
	/* With IH = 0 over the page: both go, the new table is read. */
	iotlb_reg(3, 0x6000);
	assert_int_equal(read_hpa(0x6000, &r), 0xdef000);
	assert_false(r.psc_hit);
	/* Domain-selective drops them too. */
	l2[0] = pa_of(l1) | 3;
	iotlb_reg(2, 0);
	assert_int_equal(read_hpa(0x6000, &r), 0xabd000);
	assert_false(r.psc_hit);
	assert_int_equal(dmar.protocol_errors, 0);
	/* l1 freed while the L2 entry points to it; then walked. */
	iotlb_reg(3, 0x6000 | (1ULL << 6));
	hal_page_free(l1, 0);
	assert_int_equal(dmar.psc_freed_tables, 1);
	assert_int_equal(dmar.protocol_errors, 1);
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x6000, false, &r), 7);	/* SL fetch */
	assert_int_equal(dmar.psc_freed_walks, 1);
	assert_int_equal(dmar.protocol_errors, 2);
	/* Reused: another allocation at the same address is no better. */
	assert_ptr_equal(hal_page_alloc(0), l1);
	assert_int_equal(fake_dmar_dma(&dmar, 0x18, FAKE_DMAR_NO_PASID,
				       0x6000, false, &r), 7);
	assert_int_equal(dmar.psc_freed_walks, 2);
	hal_mmio_write64(regs, 0x228, 1ULL << 63);
	hal_mmio_write32(regs, 0x18, 0);		/* TE off */
	iotlb_reg(1, 0);
	hal_page_free(l1, 0);
	assert_int_equal(dmar.protocol_errors, 3);
	hal_page_free(root, 0);
	hal_page_free(ctx, 0);
	hal_page_free(l3, 0);
	hal_page_free(l2, 0);
	hal_page_free(l1b, 0);
}

/* ECAP.C = 0: the model reads a line as it was when last flushed. */
static void test_xlate_noncoherent_view(void **state)
{
	static struct fake_dmar nc;
	struct hal_mmio *ncr;
	u64 *root = hal_page_alloc(0);
	struct fake_dma_result r;

	assert_int_equal(fake_dmar_init(&nc, BASE + 0x1000,
					FAKE_DMAR_QEMU_CAP_LEGACY,
					FAKE_DMAR_QEMU_ECAP_LEGACY), 0);
	ncr = hal_mmio_map(hal_paddr_init(BASE + 0x1000), 0x1000);
	hal_mmio_write64(ncr, 0x20, pa_of(root));
	hal_mmio_write32(ncr, 0x18, 1U << 30);
	hal_mmio_write32(ncr, 0x18, 1U << 31);
	/* Never flushed: all ones, a reserved root entry. */
	assert_int_equal(fake_dmar_dma(&nc, 0x18, FAKE_DMAR_NO_PASID, 0,
				       false, &r), 0xa);
	assert_int_equal(nc.unflushed_reads, 1);
	hal_mmio_write64(ncr, 0x228, 1ULL << 63);
	hal_cache_flush_line(root);
	assert_int_equal(fake_dmar_dma(&nc, 0x18, FAKE_DMAR_NO_PASID, 0,
				       false, &r), 1);
	hal_mmio_write64(ncr, 0x228, 1ULL << 63);
	root[0] = 1ULL << 3;				/* not flushed */
	assert_int_equal(fake_dmar_dma(&nc, 0x18, FAKE_DMAR_NO_PASID, 0,
				       false, &r), 1);
	assert_int_equal(nc.stale_reads, 1);
	hal_mmio_write32(ncr, 0x18, 0);
	assert_int_equal(nc.protocol_errors, 0);
	hal_page_free(root, 0);
	fake_dmar_fini(&nc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mem_phys_is_not_virt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_fail_nth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcmd_handshake_and_one_control_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcmd_stuck_bit_never_follows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcmd_delayed_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_width_is_a_protocol_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_wait_and_iqe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_recording_and_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xlate_legacy_caches, setup_legacy_xlate, teardown),
		cmocka_unit_test_setup_teardown(test_xlate_noncoherent_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xlate_paging_structure_cache, setup_legacy_xlate, teardown),
	};

	return cmocka_run_group_tests_name("fake_dmar", tests, NULL, NULL);
}
