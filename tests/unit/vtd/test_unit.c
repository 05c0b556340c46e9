// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit bring-up and teardown against the DMAR model: the register
 * sequence of enable, the state the unit ends in, time-outs on a unit
 * that never answers, allocation failures, and the domain-ID space.
 */
#include "fixture.h"

/* Types of the descriptors the model consumed, in order. */
static void assert_desc_types(const unsigned int *want, size_t n)
{
	size_t i;

	assert_int_equal(dmar.log_len, n);
	for (i = 0; i < n; i++)
		assert_int_equal(fake_dmar_desc_type(&dmar.log[i]), want[i]);
}

static void test_unit_enable_legacy(void **state)
{
	const unsigned int want[] = { 1, 5, 2, 5 };

	assert_false(vtd_unit_is_scalable(u));
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(dmar.gsts & 0xfc000000U,
			 (1U << 31) | (1U << 30) | (1U << 26));
	/* TTM (bits 11:10) = 00 legacy, address = the root page. */
	assert_int_equal(dmar.rtaddr_active,
			 hal_paddr_val(hal_virt_to_phys(u->root)));
	assert_false(dmar.iq_wide);
	assert_desc_types(want, ARRAY_SIZE(want));
	assert_int_equal(dmar.protocol_errors, 0);
	assert_int_equal(fx_unit_destroy(), 0);
	assert_int_equal(dmar.gsts & ((1U << 31) | (1U << 26)), 0);
	assert_int_equal(dmar.protocol_errors, 0);
}

static void test_unit_enable_scalable(void **state)
{
	/* Context cache, PASID cache, IOTLB: each behind its own wait. */
	const unsigned int want[] = { 1, 5, 7, 5, 2, 5 };

	assert_true(vtd_unit_is_scalable(u));
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal((dmar.rtaddr_active >> 10) & 3, 1);
	assert_int_equal(dmar.rtaddr_active & ~0xfffULL,
			 hal_paddr_val(hal_virt_to_phys(u->root)));
	assert_true(dmar.iq_wide);
	assert_true(dmar.log[0].wide);
	assert_desc_types(want, ARRAY_SIZE(want));
	assert_int_equal(dmar.protocol_errors, 0);
}

static void test_unit_force_legacy_on_scalable_unit(void **state)
{

	assert_false(vtd_unit_is_scalable(u));
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal((dmar.rtaddr_active >> 10) & 3, 0);
	assert_false(dmar.iq_wide);
}

/* Index of the first trace entry at or after @from matching. */
static size_t find_access(const struct fake_mmio_access *t, size_t n,
			  size_t from, u32 off, bool write, u64 mask, u64 val)
{
	size_t i;

	for (i = from; i < n; i++) {
		if (t[i].off == off && t[i].write == write &&
		    (t[i].val & mask) == val)
			return i;
	}
	return SIZE_MAX;
}

/*
 * The order the spec requires: root table address before SRTP; IQT = 0
 * before QIE; QIE before the first descriptor; every invalidation done
 * before TE; GCMD written one control at a time.
 */
static void test_unit_enable_register_sequence(void **state)
{
	const struct fake_mmio_access *t;
	size_t n, rt, srtp, iqt0, qie, first_desc, te, last_iqt;

	fake_mmio_trace_start();
	assert_int_equal(vtd_unit_enable(u), 0);
	n = fake_mmio_trace(&t);
	rt = find_access(t, n, 0, 0x20, true, 0, 0);
	srtp = find_access(t, n, 0, 0x18, true, ~0ULL, 1U << 30);
	iqt0 = find_access(t, n, 0, 0x88, true, ~0ULL, 0);
	qie = find_access(t, n, 0, 0x18, true, ~0ULL, 1U << 26);
	first_desc = find_access(t, n, qie, 0x88, true, 0, 0);
	te = find_access(t, n, 0, 0x18, true, 1U << 31, 1U << 31);
	assert_true(rt < srtp);
	assert_true(srtp < iqt0);
	assert_true(iqt0 < qie);
	assert_true(qie < first_desc);
	assert_true(first_desc < te);
	last_iqt = first_desc;
	for (size_t i = first_desc; i < n; i++) {
		if (t[i].off == 0x88 && t[i].write)
			last_iqt = i;
	}
	assert_true(last_iqt < te);
	/* TE written with QIE kept on, and nothing else. */
	assert_int_equal(t[te].val, (1U << 31) | (1U << 26));
	assert_int_equal(dmar.protocol_errors, 0);
}

/* [VT-d 11.4.2] CAP.ESRTPS: SRTP itself invalidates the caches. */
static void test_unit_esrtps_skips_global_invalidation(void **state)
{

	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(dmar.desc_count, 0);
	assert_true(dmar.gsts & (1U << 31));
}

static void test_unit_write_buffer_flush_when_rwbf(void **state)
{
	const struct fake_mmio_access *t;
	size_t n;

	fake_mmio_trace_start();
	assert_int_equal(vtd_unit_enable(u), 0);
	n = fake_mmio_trace(&t);
	assert_int_not_equal(find_access(t, n, 0, 0x18, true, ~0ULL, 1U << 27),
			     SIZE_MAX);
}

static void test_unit_no_wbf_without_rwbf(void **state)
{
	const struct fake_mmio_access *t;
	size_t n;

	fake_mmio_trace_start();
	assert_int_equal(vtd_unit_enable(u), 0);
	n = fake_mmio_trace(&t);
	assert_int_equal(find_access(t, n, 0, 0x18, true, 1U << 27, 1U << 27),
			 SIZE_MAX);
}

static void test_unit_times_out_when_status_never_set(void **state)
{
	u64 t0 = fake_time_peek();

	dmar.gsts_stuck = 1U << 31;		/* TES never follows */
	assert_int_equal(vtd_unit_enable(u), -ETIMEDOUT);
	/* The deadline was CONFIG_VTD_TIMEOUT_US of virtual time. */
	assert_true(fake_time_peek() - t0 >=
		    (u64)CONFIG_VTD_TIMEOUT_US * 1000);
	assert_int_equal(dmar.gsts & (1U << 26), 0);	/* QI turned off */
}

static void test_unit_times_out_when_srtp_never_completes(void **state)
{

	dmar.gsts_stuck = 1U << 30;
	assert_int_equal(vtd_unit_enable(u), -ETIMEDOUT);
	assert_int_equal(dmar.gsts & (1U << 31), 0);
}

static void test_unit_slow_status_is_waited_for(void **state)
{

	dmar.gsts_delay_reads = 50;
	assert_int_equal(vtd_unit_enable(u), 0);
	dmar.gsts_delay_reads = 0;
}

static void test_unit_times_out_when_wait_never_completes(void **state)
{

	dmar.wait_never_completes = true;
	assert_int_equal(vtd_unit_enable(u), -ETIMEDOUT);
	assert_int_equal(dmar.gsts & (1U << 31), 0);
	dmar.wait_never_completes = false;
}

static void test_unit_register_invalidation_without_qi(void **state)
{

	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(dmar.reg_inv_count, 2);	/* CC global, IOTLB */
	assert_int_equal(dmar.desc_count, 0);
	assert_int_equal(dmar.gsts & (1U << 26), 0);
	assert_int_equal(dmar.protocol_errors, 0);
}

static void test_unit_register_invalidation_times_out(void **state)
{

	dmar.ccmd_stuck = true;
	assert_int_equal(vtd_unit_enable(u), -ETIMEDOUT);
	assert_int_equal(dmar.gsts & (1U << 31), 0);
}

/*
 * [VT-d 11.4.4.3, 11.4.8] A unit that completes a register-based
 * invalidation with CAIG (IAIG) = 0 did not perform it: enable fails
 * with -EIO before translation is turned on.
 */
static void test_unit_register_invalidation_refused(void **state)
{
	dmar.reg_inv_refuse = 1U << 1;			/* CCMD */
	assert_int_equal(vtd_unit_enable(u), -EIO);
	assert_int_equal(dmar.reg_inv_count, 0);
	assert_int_equal(dmar.gsts & (1U << 31), 0);
	dmar.reg_inv_refuse = 1U << 2;			/* IOTLB register */
	assert_int_equal(vtd_unit_enable(u), -EIO);
	assert_int_equal(dmar.reg_inv_count, 1);	/* the CCMD one */
	assert_int_equal(dmar.gsts & (1U << 31), 0);
	dmar.reg_inv_refuse = 0;
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_true(dmar.gsts & (1U << 31));
}

static void test_unit_firmware_left_translation_on(void **state)
{

	dmar.gsts = 1U << 31;			/* TE left on by firmware */
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(dmar.protocol_errors, 0);
	assert_true(dmar.gsts & (1U << 31));
}

static void test_unit_fault_and_inv_events_programmed(void **state)
{

	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(dmar.fedata, 0x41);
	assert_int_equal(dmar.feaddr, 0xfee00000);
	assert_int_equal(dmar.fectl & (1U << 31), 0);
	assert_int_equal(dmar.iedata, 0x42);
	assert_int_equal(dmar.ieaddr, 0xfee01000);
	assert_int_equal(dmar.iectl & (1U << 31), 0);
	assert_int_equal(fx_unit_destroy(), 0);
	assert_true(dmar.fectl & (1U << 31));
}

/* Every allocation of create failing in turn: -ENOMEM, nothing leaked. */
static void test_unit_create_allocation_failures(void **state)
{
	struct vtd_dmar_drhd drhd = test_drhd();
	u64 nth;
	int ret;

	for (nth = 1;; nth++) {
		fake_mem_fail_nth(nth, false);
		u = (struct vtd_unit *)1;
		ret = vtd_unit_create(&drhd, NULL, &u);
		fake_mem_fail_nth(0, false);
		if (ret == 0)
			break;
		assert_int_equal(ret, -ENOMEM);
		assert_null(u);
		assert_int_equal(fake_mem_pages_in_use(), pages_before);
	}
	assert_true(nth > 3);
}

static void test_unit_create_rejects_bad_input(void **state)
{
	struct vtd_dmar_drhd drhd = test_drhd();
	struct vtd_unit_params p = { .qi_order = 8 };

	assert_int_equal(vtd_unit_create(NULL, NULL, &u), -EINVAL);
	assert_int_equal(vtd_unit_create(&drhd, &p, &u), -EINVAL);
	p = (struct vtd_unit_params){ .quirks = VTD_QUIRKS_ALL + 1 };
	assert_int_equal(vtd_unit_create(&drhd, &p, &u), -EINVAL);
	drhd.reg_base = 0xfed80000;			/* nothing there */
	assert_int_equal(vtd_unit_create(&drhd, NULL, &u), -ENODEV);
	fake_dmar_fini(&dmar);
	/* No supported width in SAGAW. */
	assert_int_equal(fake_dmar_init(&dmar, TEST_BASE,
					FAKE_DMAR_QEMU_CAP_LEGACY &
					~(0x1fULL << 8),
					FAKE_DMAR_QEMU_ECAP_LEGACY), 0);
	drhd.reg_base = TEST_BASE;
	assert_int_equal(vtd_unit_create(&drhd, NULL, &u), -EOPNOTSUPP);
}

static void test_unit_domain_ids(void **state)
{
	/* ND = 0 (the configuration): 16 domain IDs, 0 reserved. */
	bool seen[16] = { false };
	int i, did;

	for (i = 0; i < 15; i++) {
		did = vtd_unit_did_alloc(u);
		assert_true(did > 0 && did < 16);
		assert_false(seen[did]);
		seen[did] = true;
	}
	assert_int_equal(vtd_unit_did_alloc(u), -ENOSPC);
	vtd_unit_did_free(u, 7);
	assert_int_equal(vtd_unit_did_alloc(u), 7);
	vtd_unit_did_free(u, 0);			/* ignored */
	assert_int_equal(vtd_unit_did_alloc(u), -ENOSPC);
}

static void test_unit_disable_and_reenable(void **state)
{

	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(vtd_unit_disable(u), 0);
	assert_int_equal(dmar.gsts & ((1U << 31) | (1U << 26)), 0);
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_true(dmar.gsts & (1U << 31));
	assert_int_equal(dmar.protocol_errors, 0);
}

/* Destroy refuses while devices are attached, and keeps memory the
 * hardware may still read when it cannot turn the unit off. */
static void test_unit_destroy_refuses_unsafe_states(void **state)
{
	struct vtd_domain *d;
	u64 pages;

	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING, 0, &d), 0);
	assert_int_equal(vtd_device_attach(u, 0x18, d, NULL), 0);
	assert_int_equal(vtd_unit_destroy(u), -EBUSY);
	assert_true(dmar.gsts & (1U << 31));		/* untouched */
	assert_int_equal(vtd_device_detach(u, 0x18), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
	pages = fake_mem_pages_in_use();
	dmar.gsts_stuck = 1U << 31;			/* TE cannot go off */
	assert_int_equal(vtd_unit_destroy(u), -ETIMEDOUT);
	assert_int_equal(fake_mem_pages_in_use(), pages);
	dmar.gsts_stuck = 0;
	assert_int_equal(fx_unit_destroy(), 0);
	assert_int_equal(vtd_unit_destroy(NULL), -EINVAL);
}

/* A unit created (not enabled) by the fixture on a model with @c/@e. */
#define CREATED(c, e, ...)						\
	{ .cap = (c), .ecap = (e), .stage = FX_CREATED, __VA_ARGS__ }

int main(void)
{
	static const struct vtd_unit_params force_legacy = {
		.force_legacy = true,
	};
	static const struct vtd_msi fmsi = { .addr = 0xfee00000, .data = 0x41 };
	static const struct vtd_msi imsi = { .addr = 0xfee01000, .data = 0x42 };
	static const struct vtd_unit_params msis = {
		.fault_msi = &fmsi, .inv_msi = &imsi,
	};
	const u64 cap_l = FAKE_DMAR_QEMU_CAP_LEGACY;
	const u64 ecap_l = FAKE_DMAR_QEMU_ECAP_LEGACY;
	const u64 cap_s = FAKE_DMAR_QEMU_CAP_SM;
	const u64 ecap_s = FAKE_DMAR_QEMU_ECAP_SM;
	const struct fx_unit legacy = CREATED(cap_l, ecap_l);
	const struct fx_unit sm = CREATED(cap_s, ecap_s);
	const struct fx_unit sm_force_legacy =
		CREATED(cap_s, ecap_s, .params = &force_legacy);
	/* CAP.ESRTPS (63): SRTP invalidates the caches itself. */
	const struct fx_unit sm_esrtps = CREATED(with_bit(cap_s, 63, true),
						  ecap_s);
	/* CAP.RWBF (4): the write buffer must be flushed. */
	const struct fx_unit legacy_rwbf = CREATED(with_bit(cap_l, 4, true),
						    ecap_l);
	/* No ECAP.QI (1): register-based invalidation. */
	const struct fx_unit legacy_noqi = CREATED(cap_l,
						    with_bit(ecap_l, 1, false));
	const struct fx_unit legacy_msis = CREATED(cap_l, ecap_l,
						    .params = &msis);
	/* CAP.ND (2:0) = 0: 16 domain IDs. */
	const struct fx_unit legacy_nd0 = CREATED(cap_l & ~7ULL, ecap_l);
	/* The model only: the test creates (or fails to create) the unit. */
	const struct fx_unit sm_model = {
		.cap = cap_s, .ecap = ecap_s, .stage = FX_MODEL,
	};
	const struct fx_unit legacy_model = {
		.cap = cap_l, .ecap = ecap_l, .stage = FX_MODEL,
	};
#define T(f, cfg) FX_TEST(f, &cfg)
	const struct CMUnitTest tests[] = {
		T(test_unit_enable_legacy, legacy),
		T(test_unit_enable_scalable, sm),
		T(test_unit_force_legacy_on_scalable_unit, sm_force_legacy),
		T(test_unit_enable_register_sequence, sm),
		T(test_unit_esrtps_skips_global_invalidation, sm_esrtps),
		T(test_unit_write_buffer_flush_when_rwbf, legacy_rwbf),
		T(test_unit_no_wbf_without_rwbf, legacy),
		T(test_unit_times_out_when_status_never_set, legacy),
		T(test_unit_times_out_when_srtp_never_completes, legacy),
		T(test_unit_slow_status_is_waited_for, legacy),
		T(test_unit_times_out_when_wait_never_completes, legacy),
		T(test_unit_register_invalidation_without_qi, legacy_noqi),
		T(test_unit_register_invalidation_times_out, legacy_noqi),
		T(test_unit_register_invalidation_refused, legacy_noqi),
		T(test_unit_firmware_left_translation_on, legacy),
		T(test_unit_fault_and_inv_events_programmed, legacy_msis),
		T(test_unit_create_allocation_failures, sm_model),
		T(test_unit_create_rejects_bad_input, legacy_model),
		T(test_unit_domain_ids, legacy_nd0),
		T(test_unit_disable_and_reenable, sm),
		T(test_unit_destroy_refuses_unsafe_states, legacy),
	};

	return cmocka_run_group_tests_name("vtd_unit", tests, NULL, NULL);
}
