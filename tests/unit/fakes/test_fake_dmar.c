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
	};

	return cmocka_run_group_tests_name("fake_dmar", tests, NULL, NULL);
}
