// SPDX-License-Identifier: BSD-2-Clause
/*
 * First-level domains (VTD_DOMAIN_PAGING_FL) against the DMAR model: a
 * device's requests without PASID translated through the IA-32e table
 * its RID_PASID entry names (PGTT = 001), on units that offer only
 * first-level translation (as QEMU 10's x-flts=on does) and on units
 * that offer both. The model walks the table with its own code, caches
 * first-level translations under (DID, PASID) and drops them only on a
 * PASID-based IOTLB invalidation (type 6), so a flush that is missing or
 * of the wrong type shows as DMA through a stale translation. Every
 * request is also walked by the library's vtd_translate(), which must
 * agree.
 */
#include <vtd/pt_fl.h>

#include "fixture.h"

#define SID		0x0018		/* 00:03.0 */
#define SID_B		0x0020		/* 00:04.0 */
#define IOVA		0x10000000ULL
#define NO_PASID	FAKE_DMAR_NO_PASID

#define ECAP_DT		(1ULL << 2)
#define ECAP_SSTS	(1ULL << 46)
#define ECAP_FSTS	(1ULL << 47)
#define CAP_CM		(1ULL << 7)
#define CAP_FS1GP	(1ULL << 56)
#define CAP_FS5LP	(1ULL << 60)

/* Scalable-mode fault reasons of the model [VT-d 7.1.3, Table 7-x]. */
#define FR_SM_PTE_INV	0x5b	/* PGTT the unit does not support */
#define FR_FL_NP	0x71	/* first-level entry not present */
#define FR_SM_WRITE	0x85	/* write to a read-only leaf */

/* QEMU 10 with x-flts=on: first-level only, caching mode, ECAP.C = 0. */
static const struct fx_unit fl_only = {
	.cap = FAKE_DMAR_QEMU_CAP_SM | CAP_FS1GP,
	.ecap = (FAKE_DMAR_QEMU_ECAP_SM & ~ECAP_SSTS) | ECAP_FSTS | ECAP_DT,
};
/* The same without caching mode and without 1-GiB first-level leaves. */
static const struct fx_unit fl_only_nocm = {
	.cap = FAKE_DMAR_QEMU_CAP_SM & ~CAP_CM,
	.ecap = (FAKE_DMAR_QEMU_ECAP_SM & ~ECAP_SSTS) | ECAP_FSTS,
};
/* Both formats (as on recent hardware), coherent, no caching mode. */
static const struct fx_unit both = {
	.cap = (FAKE_DMAR_QEMU_CAP_SM & ~CAP_CM) | CAP_FS1GP,
	.ecap = FAKE_DMAR_QEMU_ECAP_SM | ECAP_FSTS | 1,
};
static const struct fx_unit legacy = FX_QEMU_LEGACY;
static const struct fx_unit sm_sl_only = FX_QEMU_SM;

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define RW	(VTD_PROT_READ | VTD_PROT_WRITE)

static struct vtd_domain *fl_domain(void)
{
	struct vtd_domain *d;

	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING_FL, 0, &d), 0);
	return d;
}

static void attach(u16 sid, struct vtd_domain *d, u32 rid_pasid)
{
	struct vtd_attach_params p = { .rid_pasid = rid_pasid };

	assert_int_equal(vtd_device_attach(u, sid, d, &p), 0);
}

/* A request without PASID through the model and vtd_translate(). */
static void expect(u16 sid, u64 iova, bool write, u8 reason, u64 hpa)
{
	fx_expect(sid, NO_PASID, iova, write, false, reason, hpa);
}

/* Descriptors of @type in the log since it was last cleared. */
static unsigned int logged(unsigned int type)
{
	return fx_log_count(type);
}

/* ---- Tests -------------------------------------------------------------- */

/*
 * vtd_unit_paging_type() names the format each unit translates with, and
 * a unit refuses the format it lacks: a first-level domain on a legacy
 * or second-level-only unit, a second-level domain on a first-level-only
 * unit (its PGTT = 010 entry would fault 0x5b).
 */
static void test_fl_domain_type_follows_the_unit(void **state)
{
	const struct fx_unit *c = *state;
	struct vtd_domain *d;
	int want;

	if (!(c->ecap & (1ULL << 43)))
		want = VTD_DOMAIN_PAGING;		/* legacy */
	else if (c->ecap & ECAP_SSTS)
		want = VTD_DOMAIN_PAGING;
	else
		want = VTD_DOMAIN_PAGING_FL;
	assert_int_equal(vtd_unit_paging_type(u), want);
	assert_int_equal(vtd_unit_paging_type(NULL), -EINVAL);

	if (!(c->ecap & ECAP_FSTS)) {
		assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING_FL, 0,
						   &d), -EOPNOTSUPP);
		assert_null(d);
		return;
	}
	if (!(c->ecap & ECAP_SSTS)) {
		/* Created (SAGAW is there), but no device can use it. */
		assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING, 48,
						   &d), 0);
		assert_int_equal(vtd_device_attach(u, SID, d, NULL),
				 -EOPNOTSUPP);
		expect(SID, IOVA, false, 0x39, 0);	/* no root entry yet */
		assert_int_equal(vtd_domain_destroy(d), 0);
	}
	/* 5 levels need CAP.FL5LP, which none of these units has. */
	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING_FL, 48, &d),
			 -EOPNOTSUPP);
	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING_FL, 47, &d),
			 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

/*
 * [VT-d 9.4, 9.6] The RID_PASID entry of a device attached to a
 * first-level domain: PGTT = 001, FLPTPTR = the domain's table, FLPM
 * 4-level, the domain's DID, no second-level pointer; and DMA without
 * PASID lands through 4-KiB, 2-MiB and (CAP.FL1GP) 1-GiB leaves, with
 * read-only and unmapped pages faulting with the first-level reasons.
 */
static void test_fl_domain_dma_through_each_leaf(void **state)
{
	const struct fx_unit *c = *state;
	struct vtd_domain *d = fl_domain();
	struct fx_page a = fx_page_new(), b = fx_page_new();
	struct vtd_translation t;
	hal_paddr_t pa;
	const u64 *pe;
	u32 prot;

	attach(SID, d, 0);
	pe = fx_pasid_entry_of(SID, 0);
	assert_int_equal(pe[0] & 1, 1);				/* P */
	assert_int_equal((pe[0] >> 6) & 7, 1);			/* PGTT */
	assert_int_equal(pe[0] & ~0xfffULL, 0);		/* SLPTPTR */
	assert_int_equal((pe[2] >> 2) & 3, 0);			/* FLPM */
	assert_int_not_equal(pe[2] & ~0xfffULL, 0);		/* FLPTPTR */
	assert_int_equal(vtd_translate(u, SID, NO_PASID, vtd_iova_init(IOVA),
				       VTD_PROT_READ, &t), 0);
	assert_int_equal((pe[1] & 0xffff), t.did);		/* DID */

	fx_map(d, IOVA, a.pa, SZ_4K, VTD_PROT_READ);
	fx_map(d, IOVA + SZ_4K, b.pa, SZ_4K, RW);
	expect(SID, IOVA + 0x10, false, 0, a.pa + 0x10);
	expect(SID, IOVA + 0x10, true, FR_SM_WRITE, 0);
	expect(SID, IOVA + SZ_4K + 8, true, 0, b.pa + 8);
	expect(SID, IOVA + 2 * SZ_4K, false, FR_FL_NP, 0);
	assert_int_equal(vtd_domain_lookup(d, vtd_iova_init(IOVA + SZ_4K),
					   &pa, &prot), 0);
	assert_int_equal(hal_paddr_val(pa), b.pa);
	assert_int_equal(prot, RW);

	/* Large leaves: host addresses are only looked at, never touched. */
	fx_map(d, 0x40000000ULL, 0x80000000ULL, SZ_2M, RW);
	expect(SID, 0x40000000ULL + 0x1234, true, 0, 0x80001234ULL);
	expect(SID, 0x40000000ULL + SZ_2M, false, FR_FL_NP, 0);
	if (c->cap & CAP_FS1GP) {
		fx_map(d, 2 * SZ_1G, 3 * SZ_1G, SZ_1G, VTD_PROT_READ);
		expect(SID, 2 * SZ_1G + 0x3fffff00ULL, false, 0,
		       3 * SZ_1G + 0x3fffff00ULL);
		expect(SID, 2 * SZ_1G + 0x3fffff00ULL, true, FR_SM_WRITE, 0);
	}
	/* The lower canonical half only: 2^47 and beyond is -ERANGE. */
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(1ULL << 47),
					hal_paddr_init(a.pa), SZ_4K, RW),
			 -ERANGE);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init((1ULL << 47) -
							 SZ_4K),
					hal_paddr_init(a.pa), 2 * SZ_4K, RW),
			 -ERANGE);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(1ULL << 47), SZ_4K),
			 -ERANGE);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
	fx_page_free(&b);
}

/*
 * [VT-d 6.5.2.4] An unmap invalidates the first-level translations of
 * (DID, RID_PASID) with PASID-based IOTLB descriptors, page-selective
 * within the PASID, behind one wait, and no type-2 descriptor (which
 * would not reach them); the model's cached translation is gone after,
 * and a remap of the IOVA reaches the new page.
 */
static void test_fl_domain_unmap_flushes_pasid_iotlb(void **state)
{
	struct vtd_domain *d = fl_domain();
	struct fx_page a = fx_page_new(), b = fx_page_new();
	unsigned int i, n = 0;

	attach(SID, d, 7);
	fx_map(d, IOVA, a.pa, 2 * SZ_4K, RW);
	expect(SID, IOVA, false, 0, a.pa);		/* cached now */
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA), SZ_4K), 0);
	for (i = 0; i < dmar.log_len; i++) {
		const struct fake_dmar_desc *x = &dmar.log[i];

		if (fx_log_type(i) != 6)
			continue;
		assert_int_equal((x->qw[0] >> 4) & 3, 3);	/* page */
		assert_int_equal((x->qw[0] >> 32) & 0xfffff, 7);
		assert_int_equal(x->qw[1] & ~0xfffULL, IOVA);
		assert_int_equal(x->qw[1] & 0x3f, 0);		/* AM */
		n++;
	}
	assert_int_equal(n, 1);
	assert_int_equal(logged(2), 0);
	assert_int_equal(logged(5), 1);
	expect(SID, IOVA, false, FR_FL_NP, 0);
	expect(SID, IOVA + SZ_4K, true, 0, a.pa + SZ_4K);
	fx_map(d, IOVA, b.pa, SZ_4K, VTD_PROT_READ);
	expect(SID, IOVA + 0x20, false, 0, b.pa + 0x20);

	/* The same flush by hand: vtd_pasid_flush() of the RID_PASID. */
	expect(SID, IOVA + SZ_4K, false, 0, a.pa + SZ_4K);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_pasid_flush(u, SID, 7, vtd_iova_init(IOVA +
								   SZ_4K),
					 SZ_4K, true), 0);
	assert_int_equal(logged(6), 1);
	assert_int_equal(vtd_pasid_flush(u, SID, 0, vtd_iova_init(IOVA),
					 SZ_4K, true), -ENOENT);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
	fx_page_free(&b);
}

/*
 * [VT-d 6.1] Under caching mode a map is invalidated like a change (the
 * unit may cache the not-present entry): PASID-based, for every device's
 * RID_PASID; without caching mode nothing is queued.
 */
static void test_fl_domain_map_under_caching_mode(void **state)
{
	const struct fx_unit *c = *state;
	struct vtd_domain *d = fl_domain();
	struct fx_page a = fx_page_new();

	attach(SID, d, 0);
	expect(SID, IOVA, false, FR_FL_NP, 0);
	fake_dmar_log_clear(&dmar);
	fx_map(d, IOVA, a.pa, SZ_4K, RW);
	if (c->cap & CAP_CM) {
		assert_int_equal(logged(6), 1);
		assert_int_equal(logged(2), 0);
	} else {
		assert_int_equal(dmar.log_len, 0);
	}
	expect(SID, IOVA, true, 0, a.pa);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
}

/*
 * Detach: the RID_PASID entry is cleared and the PASID cache and the
 * PASID-based IOTLB of (DID, RID_PASID) invalidated, so no cached
 * translation survives; the device is blocked, and re-attaching it to
 * another first-level domain reaches that domain's pages.
 */
static void test_fl_domain_detach_and_move(void **state)
{
	struct vtd_domain *d = fl_domain(), *d2 = fl_domain();
	struct fx_page a = fx_page_new(), b = fx_page_new();

	attach(SID, d, 0);
	fx_map(d, IOVA, a.pa, SZ_4K, RW);
	fx_map(d2, IOVA, b.pa, SZ_4K, RW);
	expect(SID, IOVA, false, 0, a.pa);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_device_detach(u, SID), 0);
	assert_int_equal(logged(7), 1);
	assert_int_equal(logged(6), 1);
	assert_int_equal(logged(2), 0);
	expect(SID, IOVA, false, 0x41, 0);		/* context not present */
	attach(SID, d2, 0);
	expect(SID, IOVA, true, 0, b.pa);
	attach(SID, d, 0);				/* moved back */
	expect(SID, IOVA, false, 0, a.pa);
	assert_int_equal(vtd_domain_device_count(d2), 0);
	assert_int_equal(vtd_domain_destroy(d2), 0);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
	fx_page_free(&b);
}

/*
 * The devices of a first-level domain on one unit share its RID_PASID
 * (its IOTLB entries are tagged with it): a second device with another
 * RID_PASID is refused and changes nothing; with the same one it joins,
 * and one unmap reaches both. A lone device may change its RID_PASID.
 */
static void test_fl_domain_devices_share_rid_pasid(void **state)
{
	struct vtd_attach_params p = { .rid_pasid = 3 };
	struct vtd_domain *d = fl_domain();
	struct fx_page a = fx_page_new();

	attach(SID, d, 0);
	fx_map(d, IOVA, a.pa, SZ_4K, RW);
	assert_int_equal(vtd_device_attach(u, SID_B, d, &p), -EINVAL);
	expect(SID_B, IOVA, false, 0x41, 0);
	attach(SID_B, d, 0);
	expect(SID, IOVA, false, 0, a.pa);
	expect(SID_B, IOVA, false, 0, a.pa);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA), SZ_4K), 0);
	assert_int_equal(logged(6), 1);		/* one DID, one PASID */
	expect(SID, IOVA, false, FR_FL_NP, 0);
	expect(SID_B, IOVA, false, FR_FL_NP, 0);
	assert_int_equal(vtd_device_detach(u, SID_B), 0);
	attach(SID, d, 3);				/* alone: may move */
	fx_map(d, IOVA, a.pa, SZ_4K, RW);
	expect(SID, IOVA, false, 0, a.pa);
	assert_int_equal(fx_pasid_entry_of(SID, 3)[0] & 1, 1);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
}

/*
 * [VT-d 6.5.2.5] With ATS, an unmap invalidates the device TLB after the
 * PASID-based IOTLB, behind the same wait, with a device-TLB descriptor
 * without PASID (the device cached requests without PASID).
 */
static void test_fl_domain_unmap_reaches_device_tlb(void **state)
{
	struct vtd_ats_params ats = { .pfsid = SID };
	struct vtd_domain *d = fl_domain();
	struct fx_page a = fx_page_new();
	unsigned int i, piotlb = 0, devtlb = 0;

	assert_int_equal(vtd_device_set_ats(u, SID, &ats), 0);
	assert_int_equal(vtd_device_attach(u, SID, d, NULL), 0);
	fx_map(d, IOVA, a.pa, SZ_4K, RW);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA), SZ_4K), 0);
	for (i = 0; i < dmar.log_len; i++) {
		if (fx_log_type(i) == 6)
			piotlb = i + 1;
		if (fx_log_type(i) == 3)
			devtlb = i + 1;
	}
	assert_true(piotlb && devtlb && piotlb < devtlb);
	assert_int_equal(logged(8), 0);
	assert_int_equal(logged(5), 1);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
}

#define IOVA_T	0x7f00000000ULL		/* a range with tables of its own */

/*
 * [VT-d 6.2.4, 6.5.2.4] A first-level unmap that empties tables frees
 * them only after its PASID-based IOTLB invalidation, with IH = 0, has
 * completed: the model, caching the first-level path under (DID,
 * RID_PASID) since a read, sees no table page freed while it points to
 * it, and the next read walks from the top and faults. If the
 * invalidation fails, the tables stay allocated (the logged leak).
 */
static void test_fl_domain_unmap_frees_tables_after_invalidation(void **state)
{
	struct vtd_domain *d = fl_domain();
	struct fx_page a = fx_page_new();
	u64 pages = fake_mem_pages_in_use(), tables;
	unsigned int i, n = 0;

	fx_map(d, IOVA_T, a.pa, 2 * SZ_4K, RW);
	fx_map(d, IOVA_T + SZ_1G, a.pa, SZ_4K, RW);
	tables = fake_mem_pages_in_use() - pages;
	assert_true(tables >= 5);	/* PDPT, 2 x (PD, PT) */
	attach(SID, d, 3);
	expect(SID, IOVA_T + SZ_4K, false, 0, a.pa + SZ_4K);
	expect(SID, IOVA_T + SZ_1G, false, 0, a.pa);
	assert_true(fake_dmar_psc_count(&dmar) >= 4);
	pages = fake_mem_pages_in_use();
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA_T),
					  2 * SZ_4K), 0);
	assert_int_equal(fake_mem_pages_in_use(), pages - 2);	/* PD, PT */
	assert_int_equal(dmar.psc_freed_tables, 0);
	expect(SID, IOVA_T + SZ_4K, false, FR_FL_NP, 0);
	assert_int_equal(dmar.psc_freed_walks, 0);
	for (i = 0; i < dmar.log_len; i++) {
		if (fx_log_type(i) != 6)
			continue;
		assert_int_equal((dmar.log[i].qw[1] >> 6) & 1, 0);	/* IH */
		n++;
	}
	assert_true(n >= 1);
	/* The other GiB's tables: a failed invalidation keeps them. */
	pages = fake_mem_pages_in_use();
	dmar.inv_ignore = 1U << 6;
	dmar.wait_never_completes = true;
	fake_log_clear();
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA_T + SZ_1G),
					  SZ_4K), -ETIMEDOUT);
	dmar.inv_ignore = 0;
	dmar.wait_never_completes = false;
	assert_int_equal(fake_mem_pages_in_use(), pages);
	fx_assert_logged("3 table pages leaked after a failed invalidation");
	assert_int_equal(dmar.psc_freed_tables, 0);
	/* The unit still translates through what it caches. */
	assert_int_equal(fx_dma_hpa(SID, NO_PASID, IOVA_T + SZ_1G), a.pa);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
	pages_before += 3;	/* PDPT, PD, PT: the leak the contract names */
}

/*
 * A first-level domain over the caller's own table (a guest's shadow):
 * the device translates through it, map and unmap of the domain are
 * refused, and after the caller edits the table, vtd_pasid_flush() of the
 * RID_PASID is what ends the cached translation.
 */
static void test_fl_domain_over_callers_table(void **state)
{
	struct vtd_fl_pt_config cfg = {
		.levels = 4, .haw = 46, .coherent = dmar.ecap & 1,
		.user = true,
	};
	struct fx_page a = fx_page_new();
	struct vtd_fl_gather g;
	struct vtd_domain *d;
	struct vtd_fl_pt pt;
	hal_paddr_t pa;
	u32 prot;

	assert_int_equal(vtd_fl_pt_init(&pt, &cfg), 0);
	assert_int_equal(vtd_fl_pt_map(&pt, vtd_iova_init(IOVA),
				       hal_paddr_init(a.pa), SZ_4K,
				       VTD_PROT_READ | VTD_PROT_WRITE), 0);
	assert_int_equal(vtd_domain_create_fl_table(u, &pt, &d), 0);
	attach(SID, d, 0);
	expect(SID, IOVA + 8, true, 0, a.pa + 8);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(IOVA + SZ_4K),
					hal_paddr_init(a.pa), SZ_4K, RW),
			 -EINVAL);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA), SZ_4K),
			 -EINVAL);
	assert_int_equal(vtd_domain_lookup(d, vtd_iova_init(IOVA), &pa,
					   &prot), 0);
	assert_int_equal(hal_paddr_val(pa), a.pa);
	vtd_fl_pt_gather_init(&g);
	assert_int_equal(vtd_fl_pt_unmap(&pt, vtd_iova_init(IOVA), SZ_4K, &g),
			 0);
	/* Cached: still reachable until the caller flushes. */
	assert_int_equal(fx_dma_hpa(SID, NO_PASID, IOVA), a.pa);
	assert_int_equal(vtd_pasid_flush(u, SID, 0, vtd_iova_init(IOVA),
					 SZ_4K, !g.nonleaf), 0);
	vtd_fl_pt_gather_release(&g);
	expect(SID, IOVA, false, FR_FL_NP, 0);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);
	fx_page_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_fl_domain_type_follows_the_unit, &fl_only),
		FX_TEST(test_fl_domain_type_follows_the_unit, &both),
		FX_TEST(test_fl_domain_type_follows_the_unit, &legacy),
		FX_TEST(test_fl_domain_type_follows_the_unit, &sm_sl_only),
		FX_TEST(test_fl_domain_dma_through_each_leaf, &fl_only),
		FX_TEST(test_fl_domain_dma_through_each_leaf, &fl_only_nocm),
		FX_TEST(test_fl_domain_dma_through_each_leaf, &both),
		FX_TEST(test_fl_domain_unmap_flushes_pasid_iotlb, &fl_only),
		FX_TEST(test_fl_domain_unmap_flushes_pasid_iotlb, &both),
		FX_TEST(test_fl_domain_map_under_caching_mode, &fl_only),
		FX_TEST(test_fl_domain_map_under_caching_mode, &fl_only_nocm),
		FX_TEST(test_fl_domain_detach_and_move, &fl_only),
		FX_TEST(test_fl_domain_detach_and_move, &fl_only_nocm),
		FX_TEST(test_fl_domain_devices_share_rid_pasid, &fl_only),
		FX_TEST(test_fl_domain_unmap_reaches_device_tlb, &fl_only),
		FX_TEST(test_fl_domain_over_callers_table, &fl_only),
		FX_TEST(test_fl_domain_over_callers_table, &both),
		FX_TEST(test_fl_domain_unmap_frees_tables_after_invalidation,
			&fl_only),
		FX_TEST(test_fl_domain_unmap_frees_tables_after_invalidation,
			&both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
