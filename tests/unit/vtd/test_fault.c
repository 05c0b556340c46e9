// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fault recording against the DMAR model: records decoded and cleared in
 * ring order from FSTS.FRI, overflow handled, the fault event programmed.
 */
#include "fixture.h"

static struct vtd_fault seen[16];
static unsigned int seen_count;

static void on_fault(void *ctx, struct vtd_unit *unit,
		     const struct vtd_fault *f)
{
	assert_ptr_equal(ctx, &seen);
	assert_ptr_equal(unit, u);
	if (seen_count < ARRAY_SIZE(seen))
		seen[seen_count++] = *f;
}

static struct vtd_msi fmsi = { .addr = 0xfee00000, .data = 0x51 };

static const struct vtd_unit_params params = {
	.fault_msi = &fmsi, .fault_fn = on_fault, .fault_ctx = &seen,
};

static int setup(void **state)
{
	seen_count = 0;
	return fx_setup(state);
}

static void test_fault_record_decoded_and_cleared(void **state)
{
	fake_dmar_record_fault(&dmar, 0x0018, 0x12345678, 0x6, false, false,
			       0);
	assert_int_equal(dmar.fault_events, 1);		/* MSI sent */
	assert_int_equal(vtd_fault_handle(u), 1);
	assert_int_equal(seen_count, 1);
	assert_int_equal(seen[0].sid, 0x0018);
	assert_int_equal(seen[0].addr, 0x12345000);
	assert_int_equal(seen[0].reason, 6);
	assert_false(seen[0].write);
	assert_false(seen[0].pasid_present);
	assert_int_equal(seen[0].pasid, 0);
	assert_int_equal(dmar.fsts & 2, 0);		/* PPF clear */
	assert_int_equal(dmar.frcd[0][1] >> 63, 0);	/* F clear */
	assert_int_equal(vtd_fault_handle(u), 0);
}

static void test_fault_write_with_pasid(void **state)
{
	fake_dmar_record_fault(&dmar, 0x0100, 0xfee00000, 0x87, true, true,
			       5);
	assert_int_equal(vtd_fault_handle(u), 1);
	assert_true(seen[0].write);
	assert_true(seen[0].pasid_present);
	assert_int_equal(seen[0].pasid, 5);
	assert_int_equal(seen[0].reason, 0x87);
}

static void test_fault_ring_order_from_fri(void **state)
{
	unsigned int i;

	/* Move FRI to 2 by filling and draining two records. */
	fake_dmar_record_fault(&dmar, 1, 0x1000, 5, true, false, 0);
	fake_dmar_record_fault(&dmar, 2, 0x2000, 5, true, false, 0);
	assert_int_equal(vtd_fault_handle(u), 2);
	seen_count = 0;
	for (i = 0; i < 4; i++)
		fake_dmar_record_fault(&dmar, (u16)(10 + i), 0x1000 * (i + 1),
				       6, false, false, 0);
	assert_int_equal(vtd_fault_handle(u), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(seen[i].sid, 10 + i);
		assert_int_equal(seen[i].index, (2 + i) % 4);
	}
}

static void test_fault_overflow_counted_and_cleared(void **state)
{
	fake_dmar_record_fault(&dmar, 1, 0x1000, 5, true, false, 0);
	fake_dmar_record_fault(&dmar, 2, 0x2000, 5, true, false, 0);
	assert_true(dmar.fsts & 1);			/* PFO */
	assert_int_equal(vtd_fault_handle(u), 1);
	assert_int_equal(vtd_fault_overflows(u), 1);
	assert_int_equal(dmar.fsts & 1, 0);
	/* After the overflow is cleared, faults are recorded again. */
	fake_dmar_record_fault(&dmar, 3, 0x3000, 5, true, false, 0);
	assert_int_equal(vtd_fault_handle(u), 1);
	assert_int_equal(seen[1].sid, 3);
}

static void test_fault_reason_strings(void **state)
{
	assert_string_equal(vtd_fault_reason_str(5),
			    "write to a page without write permission");
	assert_string_equal(vtd_fault_reason_str(0xff),
			    "unknown fault reason");
	for (unsigned int fr = 0; fr < 256; fr++)
		assert_non_null(vtd_fault_reason_str((u8)fr));
}

int main(void)
{
	const struct fx_unit legacy = {
		.cap = FAKE_DMAR_QEMU_CAP_LEGACY,
		.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY, .params = &params,
	};
	/* Four fault recording registers (NFR = 3). */
	const struct fx_unit legacy4 = {
		.cap = (FAKE_DMAR_QEMU_CAP_LEGACY & ~(0xffULL << 40)) |
		       (3ULL << 40),
		.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY, .params = &params,
	};
#define T(f, cfg) cmocka_unit_test_prestate_setup_teardown(f, setup, \
					fx_teardown, (void *)(cfg))
	const struct CMUnitTest tests[] = {
		T(test_fault_record_decoded_and_cleared, &legacy),
		T(test_fault_write_with_pasid, &legacy),
		T(test_fault_ring_order_from_fri, &legacy4),
		T(test_fault_overflow_counted_and_cleared, &legacy),
		T(test_fault_reason_strings, &legacy),
	};

	return cmocka_run_group_tests_name("vtd_fault", tests, NULL, NULL);
}
