// SPDX-License-Identifier: BSD-2-Clause
/*
 * Queued invalidation against the DMAR model: batching behind one wait,
 * 128- and 256-bit layouts, wrap-around and splitting, IQE/ITE/ICE
 * detection and recovery, time-outs, interrupt-driven completion, the
 * descriptors of range invalidation, and what the invalidation calls
 * (queued or register-based) do to the model's caches.
 */
#include "fixture.h"

static void fill_iotlb_dsi(struct vtd_qi_desc *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		d[i] = vtd_qi_iotlb_domain((u16)(i + 1), true, true);
}

static void test_qi_batch_behind_one_wait(void **state)
{
	struct vtd_qi_desc d[10];
	u64 waits = u->qi.waits;
	unsigned int i;

	fill_iotlb_dsi(d, 10);
	assert_int_equal(vtd_qi_submit(u, d, 10, 0), 0);
	assert_int_equal(dmar.log_len, 11);
	for (i = 0; i < 10; i++) {
		assert_int_equal(fx_log_type(i), 2);
		assert_int_equal((dmar.log[i].qw[0] >> 16) & 0xffff, i + 1);
	}
	assert_int_equal(fx_log_type(10), 5);
	assert_int_equal(u->qi.waits, waits + 1);
}

static void test_qi_256bit_layout(void **state)
{
	struct vtd_qi_desc d = vtd_qi_iotlb_global(false, false);
	u64 *slot0;

	assert_int_equal(u->qi.desc_size, 32);
	assert_int_equal(vtd_qi_submit(u, &d, 1, 0), 0);
	assert_true(dmar.log[0].wide);
	assert_int_equal(dmar.log[0].qw[2], 0);
	assert_int_equal(dmar.log[0].qw[3], 0);
	/* The model's IQH moved in 32-byte steps. */
	assert_int_equal(dmar.iqh % 32, 0);
	slot0 = (u64 *)u->qi.ring;
	(void)slot0;
}

static void test_qi_wraps_and_splits(void **state)
{
	static struct vtd_qi_desc d[700];
	u64 before = dmar.desc_count;
	unsigned int round;

	fill_iotlb_dsi(d, 700);
	/* 700 descriptors in a 256-slot ring: split, one wait per part. */
	assert_int_equal(vtd_qi_submit(u, d, 700, 0), 0);
	assert_int_equal(dmar.desc_count - before, 700 + 3);
	for (round = 0; round < 100; round++)
		assert_int_equal(vtd_qi_submit(u, d, 7, 0), 0);
	assert_int_equal(dmar.fsts & 0x70, 0);
}

static void test_qi_iqe_fails_only_that_batch(void **state)
{
	struct vtd_qi_desc d[3];
	u32 iqe_before = u->qi.iqe_count;

	d[0] = vtd_qi_iotlb_domain(1, false, false);
	d[1] = vtd_qi_desc2(0xf, 0);		/* no such type */
	d[2] = vtd_qi_iotlb_domain(2, false, false);
	assert_int_equal(vtd_qi_submit(u, d, 3, 0), -EIO);
	assert_int_equal(u->qi.iqe_count, iqe_before + 1);
	assert_int_equal(dmar.fsts & (1U << 4), 0);	/* IQE cleared */
	assert_int_equal(dmar.iqh, dmar.iqt);		/* queue drained */
	/* The next submission goes through untouched. */
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_qi_submit(u, &d[2], 1, 0), 0);
	assert_int_equal(dmar.log_len, 2);
	assert_int_equal((dmar.log[0].qw[0] >> 16) & 0xffff, 2);
}

static void test_qi_reserved_bit_gives_iqe(void **state)
{
	struct vtd_qi_desc d = vtd_qi_iotlb_global(false, false);

	d.qw[1] = 1ULL << 8;			/* reserved in an IOTLB desc */
	assert_int_equal(vtd_qi_submit(u, &d, 1, 0), -EIO);
	d = vtd_qi_iotlb_global(false, false);
	assert_int_equal(vtd_qi_submit(u, &d, 1, 0), 0);
}

static void test_qi_address_mask_above_mamv_gives_iqe(void **state)
{
	struct vtd_qi_desc d = vtd_qi_iotlb_page(1, 0, 19, false, false,
						 false);

	assert_int_equal(vtd_qi_submit(u, &d, 1, 0), -EIO);
	d = vtd_qi_iotlb_page(1, 0, 18, false, false, false);
	assert_int_equal(vtd_qi_submit(u, &d, 1, 0), 0);
}

/*
 * The model fails the batch's descriptor @at with the error that @knob
 * injects: the submission fails, the unit counts it in @count and clears
 * FSTS bit @fsts_bit, and the same batch then goes through.
 */
static void inject_and_recover(int *knob, int at, const u32 *count,
			       unsigned int fsts_bit)
{
	struct vtd_qi_desc d[2];

	fill_iotlb_dsi(d, 2);
	*knob = at;
	assert_int_equal(vtd_qi_submit(u, d, 2, 0), -EIO);
	assert_int_equal(*count, 1);
	assert_int_equal(dmar.fsts & (1U << fsts_bit), 0);
	assert_int_equal(vtd_qi_submit(u, d, 2, 0), 0);
}

static void test_qi_ite_detected_and_recovered(void **state)
{
	inject_and_recover(&dmar.inject_ite_at, 2, &u->qi.ite_count, 6);
}

static void test_qi_ice_detected_and_recovered(void **state)
{
	inject_and_recover(&dmar.inject_ice_at, 1, &u->qi.ice_count, 5);
}

static void test_qi_wait_times_out_then_recovers(void **state)
{
	struct vtd_qi_desc d[1];

	fill_iotlb_dsi(d, 1);
	dmar.wait_never_completes = true;
	assert_int_equal(vtd_qi_submit(u, d, 1, 0), -ETIMEDOUT);
	dmar.wait_never_completes = false;
	/* A stale status value must not complete the next submission. */
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_qi_submit(u, d, 1, 0), 0);
	assert_int_equal(dmar.log_len, 2);
}

static void test_qi_irq_completion(void **state)
{
	struct vtd_qi_desc d = vtd_qi_iotlb_global(false, false);
	u32 events = dmar.inv_events;

	assert_int_equal(vtd_qi_submit(u, &d, 1, VTD_QI_WAIT_IRQ), 0);
	/* IF set, SW clear: QEMU 7.2 aborts on both. */
	assert_int_equal(dmar.log[1].qw[0] & 0x30, 0x10);
	assert_int_equal(dmar.ics & 1, 0);		/* IWC cleared */
	/* IECTL.IM is set (no MSI given): pending, no message yet. */
	assert_int_equal(dmar.inv_events, events);
	assert_int_equal(vtd_qi_submit(u, &d, 1, VTD_QI_WAIT_IRQ), 0);
}

/*
 * A stale ICS.IWC (from firmware, or from an earlier IF wait that timed
 * out and completed late) must not complete a new IF wait the unit has
 * not reached [VT-d 11.4.9.4].
 */
static void test_qi_irq_stale_iwc_does_not_complete(void **state)
{
	struct vtd_qi_desc d = vtd_qi_iotlb_global(false, false);

	dmar.wait_never_completes = true;
	assert_int_equal(vtd_qi_submit(u, &d, 1, VTD_QI_WAIT_IRQ),
			 -ETIMEDOUT);
	dmar.ics |= 1;		/* that wait completes late */
	assert_int_equal(vtd_qi_submit(u, &d, 1, VTD_QI_WAIT_IRQ),
			 -ETIMEDOUT);
	dmar.wait_never_completes = false;
	assert_int_equal(vtd_qi_submit(u, &d, 1, VTD_QI_WAIT_IRQ), 0);
	assert_int_equal(dmar.ics & 1, 0);
}

/*
 * An IF wait after a timed-out one: the late completion of the old wait
 * must not be taken for the new one, so the new batch waits for the
 * queue to drain first (here it never does: -ETIMEDOUT, and nothing of
 * the new batch was queued).
 */
static void test_qi_irq_wait_after_timeout_drains_first(void **state)
{
	struct vtd_qi_desc d = vtd_qi_iotlb_global(false, false);
	u64 descs;

	dmar.wait_never_completes = true;
	assert_int_equal(vtd_qi_submit(u, &d, 1, 0), -ETIMEDOUT);
	/* The unit stalls one slot behind the tail (the late wait). */
	descs = u->qi.descs;
	dmar.iqh = (dmar.iqh + 16 * 255) % 4096;
	assert_int_equal(vtd_qi_submit(u, &d, 1, VTD_QI_WAIT_IRQ),
			 -ETIMEDOUT);
	assert_int_equal(u->qi.descs, descs);		/* nothing queued */
	dmar.iqh = dmar.iqt;				/* the unit catches up */
	dmar.wait_never_completes = false;
	assert_int_equal(vtd_qi_submit(u, &d, 1, VTD_QI_WAIT_IRQ), 0);
}

static void test_qi_rejects_bad_arguments(void **state)
{
	assert_int_equal(vtd_qi_submit(u, NULL, 1, 0), -EINVAL);
	assert_int_equal(vtd_qi_submit(u, NULL, 0, 1U << 5), -EINVAL);
	/* An empty batch is just a wait. */
	assert_int_equal(vtd_qi_submit(u, NULL, 0, 0), 0);
	assert_int_equal(dmar.log_len, 1);
}

/* What the model saw as page-selective IOTLB invalidations. */
struct psi {
	u64 first, last;		/* page numbers covered */
};

static unsigned int collect_psi(struct psi *out, unsigned int *waits,
				unsigned int *dsi)
{
	unsigned int i, n = 0;
	u64 am, addr;

	*waits = 0;
	*dsi = 0;
	for (i = 0; i < dmar.log_len; i++) {
		const struct fake_dmar_desc *d = &dmar.log[i];

		if (fake_dmar_desc_type(d) == 5) {
			(*waits)++;
			continue;
		}
		assert_int_equal(fake_dmar_desc_type(d), 2);
		if (((d->qw[0] >> 4) & 3) == 2) {
			(*dsi)++;
			continue;
		}
		assert_int_equal((d->qw[0] >> 4) & 3, 3);
		am = d->qw[1] & 0x3f;
		addr = d->qw[1] >> 12;
		assert_int_equal(addr & ((1ULL << am) - 1), 0);
		out[n].first = addr;
		out[n].last = addr + (1ULL << am) - 1;
		n++;
	}
	return n;
}

/*
 * Range invalidation for N pages, aligned and not: one wait, at most two
 * page-selective descriptors that together cover the range and no more
 * than twice it (or one domain-selective).
 */
static void test_qi_range_invalidation_counts(void **state)
{
	const u64 counts[] = { 1, 2, 3, 16, 255, 256, 512, 513, 4096,
			       1ULL << 18, (1ULL << 18) + 1 };
	const u64 starts[] = { 0, 0x1000, 0x7000, 0x1ff000, 0x12345000 };
	struct psi p[4];
	unsigned int waits, dsi, n, i, j, k;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		for (j = 0; j < ARRAY_SIZE(starts); j++) {
			u64 first = starts[j] >> 12;
			u64 last = first + counts[i] - 1;
			u64 covered = 0;

			fake_dmar_log_clear(&dmar);
			assert_int_equal(vtd_inv_iotlb_range(
						 u, 5, vtd_iova_init(starts[j]),
						 counts[i] << 12, true), 0);
			n = collect_psi(p, &waits, &dsi);
			assert_int_equal(waits, 1);
			if (dsi) {
				assert_int_equal(dsi, 1);
				assert_int_equal(n, 0);
				continue;
			}
			assert_true(n >= 1 && n <= 2);
			for (k = 0; k < n; k++) {
				covered += p[k].last - p[k].first + 1;
				assert_true(p[k].first <= last &&
					    p[k].last >= first);
				/* IH set: leaf-only invalidation */
				assert_true(dmar.log[k].qw[1] & (1ULL << 6));
			}
			/* Together they cover every page of the range. */
			for (u64 pg = first; pg <= last;
			     pg += (counts[i] > 64 ? counts[i] / 7 + 1 : 1)) {
				bool in = false;

				for (k = 0; k < n; k++)
					in |= pg >= p[k].first &&
					      pg <= p[k].last;
				assert_true(in);
			}
			assert_true((p[0].first <= first) ||
				    (n == 2 && p[1].first <= first));
			assert_true(covered <= 4 * counts[i]);
		}
	}
}

static void test_qi_range_above_mamv_is_domain_selective(void **state)
{
	unsigned int waits, dsi;
	struct psi p[4];

	fake_dmar_log_clear(&dmar);
	/*
	 * MAMV is 18: 2^20 pages split into two halves of 2^19 pages, each
	 * beyond a page-selective mask.
	 */
	assert_int_equal(vtd_inv_iotlb_range(u, 5, vtd_iova_init(0), 1ULL << 32,
					     false), 0);
	assert_int_equal(collect_psi(p, &waits, &dsi), 0);
	assert_int_equal(dsi, 1);
	assert_int_equal(waits, 1);
}

static void test_qi_range_rejects_bad_ranges(void **state)
{
	assert_int_equal(vtd_inv_iotlb_range(NULL, 1, vtd_iova_init(0), 0x1000,
					     false),
			 -EINVAL);
	assert_int_equal(vtd_inv_context_global(NULL), -EINVAL);
	assert_int_equal(vtd_inv_context_domain(NULL, 1), -EINVAL);
	assert_int_equal(vtd_inv_context_device(NULL, 1, 2, 0), -EINVAL);
	assert_int_equal(vtd_inv_iotlb_global(NULL), -EINVAL);
	assert_int_equal(vtd_inv_iotlb_domain(NULL, 1), -EINVAL);
	assert_int_equal(vtd_inv_iec_global(NULL), -EINVAL);
	assert_int_equal(vtd_fault_handle(NULL), -EINVAL);
	assert_int_equal(vtd_inv_context_device(u, 1, 2, 4), -EINVAL);
	assert_int_equal(vtd_inv_iotlb_range(u, 1, vtd_iova_init(0x1001), 0x1000,
					     false),
			 -EINVAL);
	assert_int_equal(vtd_inv_iotlb_range(u, 1, vtd_iova_init(0x1000), 0,
					     false),
			 -EINVAL);
	assert_int_equal(vtd_inv_iotlb_range(u, 1, vtd_iova_init(~0xfffULL), 0x2000,
					     false),
			 -EINVAL);
}

/* ---- Invalidation's effect on the model's caches ------------------------ */

#define SID_A		0x0018		/* 00:03.0 */
#define SID_B		0x0020		/* 00:04.0 */
#define IOVA		0x100000ULL

/*
 * @sid attached to a new domain mapping IOVA to @pa, and one read of it
 * through the model: the context cache and the IOTLB now hold @sid's
 * entries. Returns the domain, and its DID on the unit in *@did.
 */
static struct vtd_domain *attached_and_cached(u16 sid, u64 pa, u16 *did)
{
	struct vtd_domain *d = fx_paging_domain(0);

	fx_map(d, IOVA, pa, 0x1000, VTD_PROT_READ);
	assert_int_equal(vtd_device_attach(u, sid, d, NULL), 0);
	assert_int_equal(fx_dma_hpa(sid, FAKE_DMAR_NO_PASID, IOVA), pa);
	/* Scalable mode: the DID of the RID_PASID (0) entry, 79:64. */
	*did = fx_sm() ? (u16)(fx_pasid_entry_of(sid, 0)[1] & 0xffff) :
			 (u16)((fx_ctx_of(sid)[1] >> 8) & 0xffff);
	return d;
}

/* One read by @sid through the model: did it hit the context cache? */
static bool cc_hit(u16 sid, u64 pa)
{
	struct fake_dma_result r;

	assert_int_equal(fx_dma(sid, FAKE_DMAR_NO_PASID, IOVA, false, &r), 0);
	assert_int_equal(r.hpa, pa);
	return r.cc_hit;
}

/* The same: did it hit the IOTLB? */
static bool iotlb_hit(u16 sid, u64 pa)
{
	struct fake_dma_result r;

	assert_int_equal(fx_dma(sid, FAKE_DMAR_NO_PASID, IOVA, false, &r), 0);
	assert_int_equal(r.hpa, pa);
	return r.iotlb_hit;
}

/*
 * vtd_inv_context_domain() [VT-d 6.5.2.1, 11.4.4.3]: a domain-selective
 * context-cache invalidation of the DID it is given, through the queue
 * (descriptor type 1, G = 2, DID 31:16) or CCMD (CIRG = 2, DID 15:0).
 * Legacy mode tags context-cache entries with the context entry's DID:
 * the entries of that DID go, another domain's stay. Scalable-mode
 * context entries carry no DID: every entry goes.
 */
static void test_inv_context_domain(void **state)
{
	const struct fake_mmio_access *t;
	struct vtd_domain *da, *db;
	u16 did_a, did_b;
	u32 reg_inv;
	size_t i, n;

	da = attached_and_cached(SID_A, 0x11000, &did_a);
	db = attached_and_cached(SID_B, 0x22000, &did_b);
	assert_true(cc_hit(SID_A, 0x11000));
	assert_true(cc_hit(SID_B, 0x22000));
	fake_dmar_log_clear(&dmar);
	reg_inv = dmar.reg_inv_count;
	fake_mmio_trace_start();
	assert_int_equal(vtd_inv_context_domain(u, did_a), 0);
	if (vtd_qi_enabled(u)) {
		assert_int_equal(dmar.log_len, 2);		/* and a wait */
		assert_int_equal(fx_log_type(0), 1);
		assert_int_equal((dmar.log[0].qw[0] >> 4) & 3, 2);	/* G */
		assert_int_equal((dmar.log[0].qw[0] >> 16) & 0xffff, did_a);
		assert_int_equal(fx_log_type(1), 5);
	} else {
		assert_int_equal(dmar.reg_inv_count, reg_inv + 1);
		n = fake_mmio_trace(&t);
		for (i = 0; i < n && !(t[i].off == 0x28 && t[i].write); i++)
			;
		assert_true(i < n);
		assert_int_equal((t[i].val >> 63) & 1, 1);	/* ICC */
		assert_int_equal((t[i].val >> 61) & 3, 2);	/* CIRG */
		assert_int_equal(t[i].val & 0xffff, did_a);	/* DID */
	}
	assert_false(cc_hit(SID_A, 0x11000));
	assert_int_equal(cc_hit(SID_B, 0x22000), !fx_sm());
	fx_detach_destroy(SID_A, da);
	fx_detach_destroy(SID_B, db);
}

/*
 * [VT-d 6.5.1.1, 6.5.1.2, 11.4.4.3, 11.4.8] A register-based invalidation
 * that the unit completes with CAIG (IAIG) = 0 was not performed: every
 * function that issues one returns -EIO, and the caches keep what they
 * held. Once the unit performs them again, they succeed.
 */
static void test_inv_register_refused_is_eio(void **state)
{
	struct vtd_domain *d;
	u32 reg_inv;
	u16 did;

	d = attached_and_cached(SID_A, 0x11000, &did);
	reg_inv = dmar.reg_inv_count;
	dmar.reg_inv_refuse = 1U << 1;				/* CCMD */
	assert_int_equal(vtd_inv_context_global(u), -EIO);
	assert_int_equal(vtd_inv_context_domain(u, did), -EIO);
	assert_int_equal(vtd_inv_context_device(u, did, SID_A, 0), -EIO);
	assert_int_equal(dmar.reg_inv_count, reg_inv);
	assert_true(cc_hit(SID_A, 0x11000));
	/* The IOTLB register still works meanwhile. */
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	assert_false(iotlb_hit(SID_A, 0x11000));
	reg_inv = dmar.reg_inv_count;
	dmar.reg_inv_refuse = 1U << 2;				/* IOTLB */
	assert_int_equal(vtd_inv_iotlb_global(u), -EIO);
	assert_int_equal(vtd_inv_iotlb_domain(u, did), -EIO);
	assert_int_equal(vtd_inv_iotlb_range(u, did, vtd_iova_init(IOVA),
					     0x1000, true), -EIO);
	assert_int_equal(vtd_inv_iotlb_range(u, did, vtd_iova_init(0),
					     1ULL << 40, false), -EIO);
	assert_int_equal(dmar.reg_inv_count, reg_inv);
	assert_true(iotlb_hit(SID_A, 0x11000));
	/* The context cache is reachable again. */
	assert_int_equal(vtd_inv_context_domain(u, did), 0);
	assert_false(cc_hit(SID_A, 0x11000));
	dmar.reg_inv_refuse = 0;
	assert_int_equal(vtd_inv_iotlb_range(u, did, vtd_iova_init(IOVA),
					     0x1000, true), 0);
	assert_false(iotlb_hit(SID_A, 0x11000));
	fx_detach_destroy(SID_A, d);
}

int main(void)
{
	const struct fx_unit legacy = FX_QEMU_LEGACY, sm = FX_QEMU_SM;
	/* QEMU's legacy unit without ECAP.QI (1): register invalidation. */
	const struct fx_unit legacy_noqi = {
		.cap = FAKE_DMAR_QEMU_CAP_LEGACY,
		.ecap = with_bit(FAKE_DMAR_QEMU_ECAP_LEGACY, 1, false),
	};
#define TL(f) FX_TEST(f, &legacy)
#define TS(f) FX_TEST(f, &sm)
	const struct CMUnitTest tests[] = {
		TL(test_qi_batch_behind_one_wait),
		TS(test_qi_batch_behind_one_wait),
		TS(test_qi_256bit_layout),
		TL(test_qi_wraps_and_splits),
		TL(test_qi_iqe_fails_only_that_batch),
		TS(test_qi_iqe_fails_only_that_batch),
		TL(test_qi_reserved_bit_gives_iqe),
		TL(test_qi_address_mask_above_mamv_gives_iqe),
		TL(test_qi_ite_detected_and_recovered),
		TS(test_qi_ice_detected_and_recovered),
		TL(test_qi_wait_times_out_then_recovers),
		TL(test_qi_irq_completion),
		TL(test_qi_irq_stale_iwc_does_not_complete),
		TL(test_qi_irq_wait_after_timeout_drains_first),
		TL(test_qi_rejects_bad_arguments),
		TL(test_qi_range_invalidation_counts),
		TS(test_qi_range_invalidation_counts),
		TL(test_qi_range_above_mamv_is_domain_selective),
		TL(test_qi_range_rejects_bad_ranges),
		TL(test_inv_context_domain),
		TS(test_inv_context_domain),
		FX_TEST(test_inv_context_domain, &legacy_noqi),
		FX_TEST(test_inv_register_refused_is_eio, &legacy_noqi),
	};

	return cmocka_run_group_tests_name("vtd_qi", tests, NULL, NULL);
}
