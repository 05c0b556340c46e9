// SPDX-License-Identifier: BSD-2-Clause
/*
 * The library's real flows against the DMAR model translating DMA
 * (tests/fakes/fake_dmar_dma.c), with the caches hardware has: map and
 * attach then DMA, unmap, detach, caching mode, scalable mode with a
 * non-zero RID_PASID, pass-through, FPD, register-based invalidation,
 * ECAP.C = 0, and table pages freed only once no cache points to them. Each cache also gets a "mutation" test: the model is
 * told to ignore one descriptor type and the stale translation it then
 * serves proves the cache is used, so the model cannot silently stop
 * caching and the library's invalidation is what makes the other tests
 * pass. Table positions are read with spec bit numbers written here.
 */
#include <vtd/hw/qi.h>
#include "fixture.h"

static struct vtd_fault faults[16];
static unsigned int fault_count;

#define SID_A	0x0018		/* 00:03.0 */
#define SID_B	0x0020		/* 00:04.0, same bus */
#define SID_HI	0x00f8		/* 00:1f.0: upper SM context table */
#define IOVA	0x100000ULL
#define NOPASID	FAKE_DMAR_NO_PASID

#define IGN_CC		(1U << 1)
#define IGN_IOTLB	(1U << 2)
#define IGN_PC		(1U << 7)

static void on_fault(void *ctx, struct vtd_unit *unit,
		     const struct vtd_fault *f)
{
	faults[fault_count++ % 16] = *f;
}

static const struct vtd_unit_params params = { .fault_fn = on_fault };

static int setup(void **state)
{
	fx_setup(state);
	fault_count = 0;
	return 0;
}

/* ---- Helpers ------------------------------------------------------------ */

static bool sm(void)
{
	return vtd_unit_is_scalable(u);
}

static u8 fr_read(void)
{
	return sm() ? 0x86 : 0x06;
}

static u8 fr_write(void)
{
	return sm() ? 0x85 : 0x05;
}

static u8 fr_ctx_np(void)
{
	return sm() ? 0x41 : 0x02;
}

/* DMA read or write; returns the fault reason (0: translated). */
static u8 dma(u16 sid, u64 iova, bool write, struct fake_dma_result *r)
{
	return fx_dma(sid, NOPASID, iova, write, r);
}

static u64 dma_hpa(u16 sid, u64 iova)
{
	return fx_dma_hpa(sid, NOPASID, iova);
}

/* Handle pending faults; returns how many arrived. */
static unsigned int take_faults(void)
{
	unsigned int before = fault_count;

	vtd_fault_handle(u);
	return fault_count - before;
}

static const struct vtd_fault *last_fault(void)
{
	return &faults[(fault_count - 1) % 16];
}

#define ctx_of	fx_ctx_of

/* Scalable mode: the PASID entry of @pasid for @sid [VT-d 9.5, 9.6]. */
static u64 *pasid_entry_of(u16 sid, u32 pasid)
{
	u64 *pe = fx_pasid_entry_of(sid, pasid);

	assert_non_null(pe);
	return pe;
}

/* The leaf second-level entry mapping @iova for @sid [VT-d 9.8]. */
static u64 *leaf_of(u16 sid, u64 iova)
{
	unsigned int levels, level;
	u64 table, *e;

	table = fx_sl_table(sid, &levels);
	for (level = levels;; level--) {
		e = fx_va(table + 8 * ((iova >> (12 + 9 * (level - 1))) & 511));
		assert_true(*e & 3);
		if (level == 1 || (*e & (1ULL << 7)))
			return e;
		table = *e & 0x000ffffffffff000ULL;
	}
}

/* The DID the unit tags @sid's translations with. */
static u16 did_of(u16 sid)
{
	struct fake_dma_result r;

	fake_dmar_dma(&dmar, sid, NOPASID, IOVA, false, &r);
	return r.did;
}

/* A write to a table behind the library's back, flushed as it would be. */
static void poke(u64 *p, u64 v)
{
	*p = v;
	hal_cache_flush_line(p);
}

static struct vtd_domain *paging_domain(void)
{
	return fx_paging_domain(0);
}

#define map	fx_map

static void attach(u16 sid, struct vtd_domain *d, u32 rid_pasid, bool fpd)
{
	struct vtd_attach_params p = { .rid_pasid = rid_pasid,
				       .fault_disable = fpd };

	assert_int_equal(vtd_device_attach(u, sid, d, &p), 0);
}

/*
 * The start of most tests: a domain mapping the page at IOVA to 0x7000000,
 * read-only, and @sid attached to it with @rid_pasid.
 */
static struct vtd_domain *one_page_domain(u16 sid, u32 rid_pasid)
{
	struct vtd_domain *d = paging_domain();

	map(d, IOVA, 0x7000000, 0x1000, VTD_PROT_READ);
	attach(sid, d, rid_pasid, false);
	return d;
}

/* ---- Map, attach, DMA ---------------------------------------------------- */

static void test_dma_map_attach_translates(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new(), b = fx_page_new();
	struct fake_dma_result r;

	map(d, IOVA, a.pa, 0x1000, VTD_PROT_READ | VTD_PROT_WRITE);
	map(d, IOVA + 0x1000, b.pa, 0x1000, VTD_PROT_READ);
	attach(SID_A, d, 0, false);
	((u8 *)a.va)[0x123] = 0x5a;
	assert_int_equal(dma(SID_A, IOVA + 0x123, false, &r), 0);
	assert_int_equal(r.hpa, a.pa + 0x123);
	assert_ptr_equal(r.va, (u8 *)a.va + 0x123);
	assert_int_equal(*(u8 *)r.va, 0x5a);
	assert_false(r.iotlb_hit);
	assert_int_equal(dma(SID_A, IOVA + 0x456, true, &r), 0);
	assert_true(r.iotlb_hit);			/* the leaf was cached */
	assert_true(r.cc_hit);
	assert_int_equal(dma(SID_A, IOVA + 0x1010, false, &r), 0);
	assert_int_equal(r.hpa, b.pa + 0x10);
	assert_int_equal(take_faults(), 0);
	/* Read-only page: a write faults, recorded with SID, page and T. */
	assert_int_equal(dma(SID_A, IOVA + 0x1010, true, &r), fr_write());
	assert_true(r.recorded);
	assert_int_equal(take_faults(), 1);
	assert_int_equal(last_fault()->reason, fr_write());
	assert_int_equal(last_fault()->sid, SID_A);
	assert_int_equal(last_fault()->addr, IOVA + 0x1000);
	assert_true(last_fault()->write);
	assert_false(last_fault()->pasid_present);
	/* Unmapped IOVA and unattached device. */
	assert_int_equal(dma(SID_A, IOVA + 0x2000, false, NULL), fr_read());
	assert_int_equal(take_faults(), 1);
	assert_false(last_fault()->write);
	assert_int_equal(dma(SID_B, IOVA, false, NULL), fr_ctx_np());
	assert_int_equal(take_faults(), 1);
	assert_int_equal(last_fault()->sid, SID_B);
	fx_detach_destroy(SID_A, d);
	fx_page_free(&a);
	fx_page_free(&b);
}

/* A 2 MiB leaf is cached as one IOTLB entry. */
static void test_dma_large_page(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fake_dma_result r;

	map(d, 0x40000000ULL, 0x80000000ULL, 0x200000,
	    VTD_PROT_READ | VTD_PROT_WRITE);
	attach(SID_HI, d, 0, false);
	assert_int_equal(dma(SID_HI, 0x40000000ULL + 0x1234, true, &r), 0);
	assert_int_equal(r.hpa, 0x80001234ULL);
	assert_int_equal(dma(SID_HI, 0x40000000ULL + 0x1ff000, false, &r), 0);
	assert_true(r.iotlb_hit);
	assert_int_equal(r.hpa, 0x801ff000ULL);
	assert_int_equal(fake_dmar_iotlb_count(&dmar), 1);
	fx_detach_destroy(SID_HI, d);
}

/* ---- Unmap --------------------------------------------------------------- */

static void test_dma_unmap_then_faults(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new();

	map(d, IOVA, a.pa, 0x1000, VTD_PROT_READ);
	attach(SID_A, d, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA), a.pa);
	assert_int_equal(fake_dmar_iotlb_count(&dmar), 1);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA), 0x1000), 0);
	assert_int_equal(fake_dmar_iotlb_count(&dmar), 0);
	assert_int_equal(dma(SID_A, IOVA, false, NULL), fr_read());
	assert_int_equal(take_faults(), 1);
	fx_detach_destroy(SID_A, d);
	fx_page_free(&a);
}

/*
 * Mutation: without the IOTLB descriptor the unmapped page stays usable.
 * (The next page stays mapped, so that the unmap frees no table: freeing
 * one that the unit may still walk is a protocol error of its own.)
 */
static void test_dma_unmap_without_iotlb_inv_is_stale(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new();
	struct fake_dma_result r;

	map(d, IOVA, a.pa, 0x2000, VTD_PROT_READ);
	attach(SID_A, d, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA), a.pa);
	dmar.inv_ignore = IGN_IOTLB;
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA), 0x1000), 0);
	assert_int_equal(dma(SID_A, IOVA, false, &r), 0);
	assert_true(r.iotlb_hit);
	assert_int_equal(r.hpa, a.pa);			/* stale */
	dmar.inv_ignore = 0;
	assert_int_equal(vtd_inv_iotlb_range(u, r.did, vtd_iova_init(IOVA),
					     0x1000, true), 0);
	assert_int_equal(dma(SID_A, IOVA, false, NULL), fr_read());
	assert_int_equal(take_faults(), 1);
	fx_detach_destroy(SID_A, d);
	fx_page_free(&a);
}

/* The IOTLB serves a leaf changed in memory until a PSI names it. */
static void test_dma_iotlb_used_until_psi(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new(), b = fx_page_new();
	u64 *pte, old;
	u16 did;

	map(d, IOVA, a.pa, 0x2000, VTD_PROT_READ);
	attach(SID_A, d, 0, false);
	did = did_of(SID_A);
	assert_int_equal(dma_hpa(SID_A, IOVA + 0x1000), a.pa + 0x1000);
	pte = leaf_of(SID_A, IOVA + 0x1000);
	old = *pte;
	poke(pte, (b.pa & ~0xfffULL) | 1);
	assert_int_equal(dma_hpa(SID_A, IOVA + 0x1000), a.pa + 0x1000);
	/* A PSI of another page or another domain leaves it. */
	assert_int_equal(vtd_inv_iotlb_range(u, did, vtd_iova_init(IOVA),
					     0x1000, true), 0);
	assert_int_equal(vtd_inv_iotlb_range(u, did + 1,
					     vtd_iova_init(IOVA + 0x1000),
					     0x1000, true), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA + 0x1000), a.pa + 0x1000);
	assert_int_equal(vtd_inv_iotlb_range(u, did,
					     vtd_iova_init(IOVA + 0x1000),
					     0x1000, true), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA + 0x1000), b.pa);
	poke(pte, old);
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	fx_detach_destroy(SID_A, d);
	fx_page_free(&a);
	fx_page_free(&b);
}

/* ---- Table pages and the paging-structure caches ------------------------ */

#define IOVA_T	0x7f00000000ULL		/* a range with tables of its own */

/*
 * The IOTLB invalidations of the last operation: all page-selective ones
 * have IH = @ih (queued: bit 70; registers: IVA bit 6). Returns how many.
 */
static unsigned int psi_with_ih(bool ih)
{
	const struct fake_mmio_access *t;
	unsigned int i, n = 0;
	size_t k, len;

	if (vtd_qi_enabled(u)) {
		for (i = 0; i < dmar.log_len; i++) {
			const struct fake_dmar_desc *x = &dmar.log[i];

			if (fake_dmar_desc_type(x) != 2 ||
			    ((x->qw[0] >> 4) & 3) != 3)
				continue;
			assert_int_equal((x->qw[1] >> 6) & 1, ih);
			n++;
		}
		return n;
	}
	len = fake_mmio_trace(&t);
	for (k = 0; k < len; k++) {
		if (t[k].write && t[k].off == 0xf0) {	/* IVA at ECAP.IRO */
			assert_int_equal((t[k].val >> 6) & 1, ih);
			n++;
		}
	}
	return n;
}

/*
 * [VT-d 6.2.4, 6.5.2.3] An unmap that empties tables frees them only
 * after its IOTLB invalidation, with IH = 0 (non-leaf entries changed),
 * has completed. The model's paging-structure caches hold the path to
 * the range since a read through it: it sees no table page freed while
 * it points to it, and the next read walks from the top and faults.
 */
static void test_dma_unmap_frees_tables_after_invalidation(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new();
	struct fake_dma_result r;
	u64 pages = fake_mem_pages_in_use(), tables;

	map(d, IOVA_T, a.pa, 0x2000, VTD_PROT_READ);
	tables = fake_mem_pages_in_use() - pages;
	assert_true(tables >= 2);			/* a PT and a PD */
	attach(SID_A, d, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA_T + 0x1000), a.pa + 0x1000);
	assert_true(fake_dmar_psc_count(&dmar) >= 2);	/* the path is cached */
	pages = fake_mem_pages_in_use();
	fake_dmar_log_clear(&dmar);
	fake_mmio_trace_start();
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA_T), 0x2000),
			 0);
	assert_int_equal(fake_mem_pages_in_use(), pages - tables);
	assert_int_equal(dmar.psc_freed_tables, 0);
	assert_int_equal(dma(SID_A, IOVA_T + 0x1000, false, &r), fr_read());
	assert_int_equal(dmar.psc_freed_walks, 0);
	assert_int_equal(take_faults(), 1);
	assert_true(psi_with_ih(false) >= 1);
	fx_detach_destroy(SID_A, d);
	fx_page_free(&a);
}

/*
 * Make the unit's next IOTLB invalidation fail: with queued invalidation
 * the descriptor does nothing and its wait never ends (-ETIMEDOUT);
 * with registers the unit refuses it, IAIG = 0 (-EIO). Returns that
 * errno.
 */
static int fail_next_iotlb_inv(void)
{
	if (vtd_qi_enabled(u)) {
		dmar.inv_ignore = IGN_IOTLB;
		dmar.wait_never_completes = true;
		return -ETIMEDOUT;
	}
	dmar.reg_inv_refuse = 1U << 2;
	return -EIO;
}

/*
 * An unmap whose invalidation fails frees nothing the unit may still
 * cache: the emptied tables stay allocated, and the library logs how
 * many it leaks that way. The model, which still caches pointers to them
 * (and the leaf), sees no page freed under it.
 */
static void test_dma_unmap_failed_invalidation_keeps_tables(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new();
	u64 pages = fake_mem_pages_in_use(), tables;
	int want;

	map(d, IOVA_T, a.pa, 0x2000, VTD_PROT_READ);
	tables = fake_mem_pages_in_use() - pages;
	attach(SID_A, d, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA_T + 0x1000), a.pa + 0x1000);
	pages = fake_mem_pages_in_use();
	want = fail_next_iotlb_inv();
	fake_log_clear();
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA_T), 0x2000),
			 want);
	dmar.inv_ignore = 0;
	dmar.wait_never_completes = false;
	dmar.reg_inv_refuse = 0;
	assert_int_equal(fake_mem_pages_in_use(), pages);
	fx_assert_logged("%llu table pages leaked after a failed invalidation",
			 (unsigned long long)tables);
	assert_int_equal(dmar.psc_freed_tables, 0);
	/* The unit still translates through what it caches. */
	assert_int_equal(dma_hpa(SID_A, IOVA_T + 0x1000), a.pa + 0x1000);
	/* The detach's domain-selective invalidation drops all of it. */
	fx_detach_destroy(SID_A, d);
	fx_page_free(&a);
	/* Unreachable now, those pages are the leak the contract names. */
	pages_before += tables;
}

/*
 * [VT-d 6.5.2.3] A map that completes a table (512 contiguous leaves)
 * replaces it by one large leaf and frees it, after an invalidation with
 * IH = 0 over the large page: the model cached the entry that pointed to
 * the table, and sees it dropped before the table goes.
 */
static void test_dma_merge_frees_table_after_invalidation(void **state)
{
	struct vtd_domain *d = paging_domain();
	const u64 base = 0x40000000, pa = 0x80000000;
	u64 pages;

	map(d, base, pa, 0x1ff000, VTD_PROT_READ);
	attach(SID_A, d, 0, false);
	assert_int_equal(dma_hpa(SID_A, base + 0x1000), pa + 0x1000);
	pages = fake_mem_pages_in_use();
	fake_dmar_log_clear(&dmar);
	fake_mmio_trace_start();
	map(d, base + 0x1ff000, pa + 0x1ff000, 0x1000, VTD_PROT_READ);
	assert_int_equal(fake_mem_pages_in_use(), pages - 1);
	assert_true(*leaf_of(SID_A, base) & (1ULL << 7));	/* PS */
	assert_int_equal(dmar.psc_freed_tables, 0);
	assert_int_equal(dma_hpa(SID_A, base + 0x3000), pa + 0x3000);
	assert_int_equal(dmar.psc_freed_walks, 0);
	assert_true(psi_with_ih(false) >= 1);
	fx_detach_destroy(SID_A, d);
}

/*
 * A merge whose invalidation fails keeps the table it replaced: the unit
 * may still cache the entry that pointed to it. The map reports the
 * failure, the page stays allocated (logged as leaked), and the model
 * sees no table freed under its cache.
 */
static void test_dma_merge_failed_invalidation_keeps_table(void **state)
{
	struct vtd_domain *d = paging_domain();
	const u64 base = 0x40000000, pa = 0x80000000;
	u64 pages;
	int want;

	map(d, base, pa, 0x1ff000, VTD_PROT_READ);
	attach(SID_A, d, 0, false);
	assert_int_equal(dma_hpa(SID_A, base + 0x1000), pa + 0x1000);
	pages = fake_mem_pages_in_use();
	want = fail_next_iotlb_inv();
	fake_log_clear();
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(base + 0x1ff000),
					hal_paddr_init(pa + 0x1ff000), 0x1000,
					VTD_PROT_READ), want);
	dmar.inv_ignore = 0;
	dmar.wait_never_completes = false;
	dmar.reg_inv_refuse = 0;
	assert_int_equal(fake_mem_pages_in_use(), pages);
	fx_assert_logged("%llu table pages leaked after a failed invalidation",
			 1ULL);
	assert_int_equal(dmar.psc_freed_tables, 0);
	fx_detach_destroy(SID_A, d);
	pages_before += 1;		/* the leak the contract names */
}

/* ---- Detach -------------------------------------------------------------- */

static void test_dma_detach_then_faults(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 0);

	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(dma(SID_A, IOVA, false, NULL), fr_ctx_np());
	assert_int_equal(take_faults(), 1);
	assert_int_equal(last_fault()->reason, fr_ctx_np());
	vtd_domain_destroy(d);
}

/* Mutation: without the context-cache descriptor, detach leaves DMA on. */
static void test_dma_detach_without_cc_inv_is_stale(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 0);
	struct fake_dma_result r;

	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	dmar.inv_ignore = IGN_CC;
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	/* The IOTLB was flushed; the cached context entry still walks. */
	assert_int_equal(dma(SID_A, IOVA, false, &r), 0);
	assert_true(r.cc_hit);
	assert_false(r.iotlb_hit);
	dmar.inv_ignore = 0;
	assert_int_equal(vtd_inv_context_global(u), 0);
	assert_int_equal(dma(SID_A, IOVA, false, NULL), 2);
	take_faults();
	/*
	 * The stale walk refilled the IOTLB and the paging-structure caches
	 * under the old DID: they go before the domain's tables do.
	 */
	assert_int_equal(vtd_inv_iotlb_global(u), 0);
	vtd_domain_destroy(d);
}

/* ---- Caching mode: not-present results are cached ---------------------- */

static void test_dma_cm_attach_after_cached_not_present(void **state)
{
	/* SID_A's attachment makes bus 0's context table. */
	struct vtd_domain *d = one_page_domain(SID_A, 0);
	struct fake_dma_result r;

	assert_int_equal(dma(SID_B, IOVA, false, &r), fr_ctx_np());
	assert_int_equal(dma(SID_B, IOVA, false, &r), fr_ctx_np());
	assert_true(r.cc_hit);			/* cached not-present */
	take_faults();
	attach(SID_B, d, 0, false);
	assert_int_equal(dma_hpa(SID_B, IOVA), 0x7000000);
	vtd_device_detach(u, SID_B);
	fx_detach_destroy(SID_A, d);
}

/* Mutation: attach under CM works only through its DID-0 invalidation. */
static void test_dma_cm_attach_without_cc_inv_is_stale(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 0);
	struct fake_dma_result r;

	assert_int_equal(dma(SID_B, IOVA, false, NULL), fr_ctx_np());
	dmar.inv_ignore = IGN_CC;
	attach(SID_B, d, 0, false);
	assert_int_equal(dma(SID_B, IOVA, false, &r), fr_ctx_np());
	assert_true(r.cc_hit);
	dmar.inv_ignore = 0;
	/* Device-selective with the DID the entry was cached under (0). */
	assert_int_equal(vtd_inv_context_device(u, did_of(SID_A), SID_B, 0),
			 0);
	assert_int_equal(dma(SID_B, IOVA, false, NULL), fr_ctx_np());
	assert_int_equal(vtd_inv_context_device(u, 0, SID_B, 0), 0);
	assert_int_equal(dma_hpa(SID_B, IOVA), 0x7000000);
	take_faults();
	vtd_device_detach(u, SID_B);
	fx_detach_destroy(SID_A, d);
}

/* Under CM a not-present leaf is cached; map's PSI drops it. */
static void test_dma_cm_map_after_cached_not_present(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fake_dma_result r;

	attach(SID_A, d, 0, false);
	assert_int_equal(dma(SID_A, IOVA, false, NULL), fr_read());
	assert_int_equal(fake_dmar_iotlb_count(&dmar), 1);
	dmar.inv_ignore = IGN_IOTLB;
	map(d, IOVA, 0x7000000, 0x1000, VTD_PROT_READ);
	assert_int_equal(dma(SID_A, IOVA, false, &r), fr_read());
	assert_true(r.iotlb_hit);			/* mutation: stale */
	dmar.inv_ignore = 0;
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA), 0x1000), 0);
	map(d, IOVA, 0x7000000, 0x1000, VTD_PROT_READ);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	take_faults();
	fx_detach_destroy(SID_A, d);
}

/* Without CM nothing not-present is cached: attach needs no flush. */
static void test_dma_no_cm_caches_no_not_present(void **state)
{
	struct vtd_domain *d = paging_domain();

	attach(SID_A, d, 0, false);
	assert_int_equal(dma(SID_B, IOVA, false, NULL), fr_ctx_np());
	assert_int_equal(dma(SID_A, IOVA, false, NULL), fr_read());
	assert_int_equal(fake_dmar_iotlb_count(&dmar), 0);
	fake_dmar_log_clear(&dmar);
	attach(SID_B, d, 0, false);
	map(d, IOVA, 0x7000000, 0x1000, VTD_PROT_READ);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(dma_hpa(SID_B, IOVA), 0x7000000);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	take_faults();
	vtd_device_detach(u, SID_A);
	fx_detach_destroy(SID_B, d);
}

/* ---- Scalable mode ------------------------------------------------------ */

static void test_dma_sm_rid_pasid_nonzero(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fake_dma_result r;

	map(d, IOVA, 0x7000000, 0x1000, VTD_PROT_READ | VTD_PROT_WRITE);
	attach(SID_HI, d, 5, false);
	assert_int_equal(dma(SID_HI, IOVA + 8, true, &r), 0);
	assert_int_equal(r.hpa, 0x7000008);
	assert_int_equal(r.did, pasid_entry_of(SID_HI, 5)[1] & 0xffff);
	assert_int_equal(fake_dmar_pc_count(&dmar), 1);
	assert_int_equal(dmar.pc[0].pasid, 5);
	/* Requests with a PASID are blocked: the context has PASIDE = 0. */
	assert_int_equal(fake_dmar_dma(&dmar, SID_HI, 5, IOVA, false, &r),
			 0x45);
	assert_int_equal(take_faults(), 1);
	assert_true(last_fault()->pasid_present);
	assert_int_equal(last_fault()->pasid, 5);
	fx_detach_destroy(SID_HI, d);
}

/* The PASID cache serves an entry cleared in memory until a PC descriptor. */
static void test_dma_sm_pasid_cache_used(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 3);
	struct vtd_qi_desc pc;
	u64 *pe, old;
	u16 did;

	did = did_of(SID_A);
	pe = pasid_entry_of(SID_A, 3);
	old = pe[0];
	poke(pe, old & ~1ULL);				/* P = 0 */
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);	/* IOTLB */
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);	/* PC */
	/* Another PASID or another DID does not drop it. */
	pc = vtd_qi_pc(VTD_QI_PC_G_PASID, did, 4);
	assert_int_equal(vtd_qi_submit(u, &pc, 1, 0), 0);
	pc = vtd_qi_pc(VTD_QI_PC_G_PASID, did + 1, 3);
	assert_int_equal(vtd_qi_submit(u, &pc, 1, 0), 0);
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	pc = vtd_qi_pc(VTD_QI_PC_G_PASID, did, 3);
	assert_int_equal(vtd_qi_submit(u, &pc, 1, 0), 0);
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	assert_int_equal(dma(SID_A, IOVA, false, NULL), 0x59);
	assert_int_equal(take_faults(), 1);
	poke(pe, old);
	pc = vtd_qi_pc(VTD_QI_PC_G_DOMAIN, did, 0);
	assert_int_equal(vtd_qi_submit(u, &pc, 1, 0), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	fx_detach_destroy(SID_A, d);
}

/*
 * Detach, then attach to another domain: correct only because detach
 * invalidates the PASID cache. Mutation: without that descriptor the
 * device keeps translating through the old domain's tables.
 */
static void test_dma_sm_reattach_needs_pc_inv(void **state)
{
	struct vtd_domain *da = paging_domain(), *db = paging_domain();

	map(da, IOVA, 0x7000000, 0x1000, VTD_PROT_READ);
	map(db, IOVA, 0x9000000, 0x1000, VTD_PROT_READ);
	attach(SID_A, da, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	attach(SID_A, db, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x9000000);

	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	attach(SID_A, da, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	dmar.inv_ignore = IGN_PC;
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	attach(SID_A, db, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);	/* stale */
	dmar.inv_ignore = 0;
	fx_detach_destroy(SID_A, db);
	assert_int_equal(vtd_domain_destroy(da), 0);
}

/* ---- Pass-through, FPD, register-based invalidation, re-enable -------- */

static void test_dma_passthrough(void **state)
{
	struct vtd_domain *d;
	struct fake_dma_result r;

	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PASSTHROUGH, 0, &d),
			 0);
	attach(SID_A, d, 0, false);
	assert_int_equal(dma(SID_A, 0x12345678, true, &r), 0);
	assert_int_equal(r.hpa, 0x12345678);
	assert_int_equal(fake_dmar_iotlb_count(&dmar), 0);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(dma(SID_A, 0x12345678, true, NULL), fr_ctx_np());
	take_faults();
	vtd_domain_destroy(d);
}

static void test_dma_fpd_suppresses_faults(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fake_dma_result r;

	map(d, IOVA, 0x7000000, 0x1000, VTD_PROT_READ);
	attach(SID_A, d, 0, true);
	assert_int_equal(dma(SID_A, IOVA, true, &r), fr_write());
	assert_false(r.recorded);
	assert_int_equal(dma(SID_A, IOVA + 0x1000, false, &r), fr_read());
	assert_false(r.recorded);
	assert_int_equal(take_faults(), 0);
	/* Another device on the same unit still reports. */
	assert_int_equal(dma(SID_B, IOVA, false, &r), fr_ctx_np());
	assert_true(r.recorded);
	assert_int_equal(take_faults(), 1);
	fx_detach_destroy(SID_A, d);
}

/* ECAP.QI = 0: the same flows through CCMD and the IOTLB registers. */
static void test_dma_register_invalidation(void **state)
{
	struct vtd_domain *d = paging_domain();

	assert_false(vtd_qi_enabled(u));
	map(d, IOVA, 0x7000000, 0x2000, VTD_PROT_READ);
	attach(SID_A, d, 0, false);
	assert_int_equal(dma_hpa(SID_A, IOVA + 0x1000), 0x7001000);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(IOVA + 0x1000),
					  0x1000), 0);
	assert_int_equal(dma(SID_A, IOVA + 0x1000, false, NULL), 6);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(dma(SID_A, IOVA, false, NULL), 2);
	assert_true(dmar.reg_inv_count > 0);
	take_faults();
	vtd_domain_destroy(d);
}

/*
 * Disable and enable again: without CAP.ESRTPS the unit keeps its caches
 * across SRTP, and only the global invalidations of vtd_unit_enable()
 * make a change made meanwhile visible. Mutation: ignore them.
 */
static void test_dma_reenable_invalidates_globally(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 0);
	u64 *pte, old;

	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	pte = leaf_of(SID_A, IOVA);
	old = *pte;
	poke(pte, 0x9000000 | 1);
	assert_int_equal(vtd_unit_disable(u), 0);
	dmar.inv_ignore = IGN_CC | IGN_IOTLB | IGN_PC;
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);	/* stale */
	dmar.inv_ignore = 0;
	assert_int_equal(vtd_unit_disable(u), 0);
	assert_int_equal(vtd_unit_enable(u), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x9000000);
	poke(pte, old);
	assert_int_equal(vtd_inv_iotlb_global(u), 0);
	fx_detach_destroy(SID_A, d);
}

/* ---- ECAP.C = 0: the unit sees memory only as flushed ------------------- */

static void test_dma_noncoherent_sees_flushed_lines_only(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 0);
	u64 *pte, old;
	u16 did;

	did = did_of(SID_A);
	pte = leaf_of(SID_A, IOVA);
	old = *pte;
	*pte = 0x9000000 | 1;				/* not flushed */
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	assert_int_equal(dmar.stale_reads, 1);
	hal_cache_flush_line(pte);
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x9000000);
	poke(pte, old);
	assert_int_equal(vtd_inv_iotlb_domain(u, did), 0);
	dmar.stale_reads = 0;
	fx_detach_destroy(SID_A, d);
}

/* A coherent unit (ECAP.C = 1) sees every write at once. */
static void test_dma_coherent_sees_writes(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 0);
	u64 *pte, old;

	assert_int_equal(dma_hpa(SID_A, IOVA), 0x7000000);
	pte = leaf_of(SID_A, IOVA);
	old = *pte;
	*pte = 0x9000000 | 1;
	assert_int_equal(vtd_inv_iotlb_domain(u, did_of(SID_A)), 0);
	assert_int_equal(dma_hpa(SID_A, IOVA), 0x9000000);
	*pte = old;
	assert_int_equal(vtd_inv_iotlb_domain(u, did_of(SID_A)), 0);
	fx_detach_destroy(SID_A, d);
}

/* Scalable mode, ECAP.C = 0: every PASID of the table reads as flushed. */
static void test_dma_sm_other_pasids_read_flushed(void **state)
{
	struct vtd_domain *d = one_page_domain(SID_A, 0);
	struct fake_dma_result r;
	u64 *ce;

	/* Point RID_PASID at PASID 9 behind the library's back. */
	ce = ctx_of(SID_A);
	poke(&ce[1], 9);
	assert_int_equal(vtd_inv_context_global(u), 0);
	assert_int_equal(dma(SID_A, IOVA, false, &r), 0x59);
	take_faults();
	poke(&ce[1], 0);
	assert_int_equal(vtd_inv_context_global(u), 0);
	fx_detach_destroy(SID_A, d);
}

int main(void)
{
	const struct fx_unit legacy = {
		.cap = FAKE_DMAR_QEMU_CAP_LEGACY,
		.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY, .params = &params,
	};
	const struct fx_unit legacy_cm = {
		.cap = with_bit(FAKE_DMAR_QEMU_CAP_LEGACY, 7, true),
		.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY, .params = &params,
	};
	/* ECAP.QI (bit 1) clear: CCMD and IOTLB register invalidation. */
	const struct fx_unit legacy_noqi = {
		.cap = FAKE_DMAR_QEMU_CAP_LEGACY,
		.ecap = with_bit(FAKE_DMAR_QEMU_ECAP_LEGACY, 1, false),
		.params = &params,
	};
	/* ECAP.C (bit 0) set: table walks snoop the CPU caches. */
	const struct fx_unit legacy_coherent = {
		.cap = FAKE_DMAR_QEMU_CAP_LEGACY,
		.ecap = with_bit(FAKE_DMAR_QEMU_ECAP_LEGACY, 0, true),
		.params = &params,
	};
	/* The SM caps have CM = 1, as QEMU's caching-mode=on. */
	const struct fx_unit sm_cm = {
		.cap = FAKE_DMAR_QEMU_CAP_SM, .ecap = FAKE_DMAR_QEMU_ECAP_SM,
		.params = &params,
	};
	const struct fx_unit sm = {
		.cap = with_bit(FAKE_DMAR_QEMU_CAP_SM, 7, false),
		.ecap = FAKE_DMAR_QEMU_ECAP_SM, .params = &params,
	};
#define T(f, cfg) cmocka_unit_test_prestate_setup_teardown(f, setup, \
					fx_teardown, (void *)(cfg))
#define TL(f) T(f, &legacy)
#define TC(f) T(f, &legacy_cm)
#define TN(f) T(f, &legacy_noqi)
#define TK(f) T(f, &legacy_coherent)
#define TS(f) T(f, &sm)
#define TM(f) T(f, &sm_cm)
	const struct CMUnitTest tests[] = {
		TL(test_dma_map_attach_translates),
		TS(test_dma_map_attach_translates),
		TK(test_dma_map_attach_translates),
		TL(test_dma_large_page),
		TS(test_dma_large_page),
		TL(test_dma_unmap_then_faults),
		TS(test_dma_unmap_then_faults),
		TL(test_dma_unmap_without_iotlb_inv_is_stale),
		TS(test_dma_unmap_without_iotlb_inv_is_stale),
		TL(test_dma_iotlb_used_until_psi),
		TS(test_dma_iotlb_used_until_psi),
		TL(test_dma_unmap_frees_tables_after_invalidation),
		TS(test_dma_unmap_frees_tables_after_invalidation),
		TN(test_dma_unmap_frees_tables_after_invalidation),
		TL(test_dma_unmap_failed_invalidation_keeps_tables),
		TS(test_dma_unmap_failed_invalidation_keeps_tables),
		TN(test_dma_unmap_failed_invalidation_keeps_tables),
		TL(test_dma_merge_frees_table_after_invalidation),
		TS(test_dma_merge_frees_table_after_invalidation),
		TN(test_dma_merge_frees_table_after_invalidation),
		TL(test_dma_merge_failed_invalidation_keeps_table),
		TS(test_dma_merge_failed_invalidation_keeps_table),
		TN(test_dma_merge_failed_invalidation_keeps_table),
		TL(test_dma_detach_then_faults),
		TS(test_dma_detach_then_faults),
		TC(test_dma_detach_then_faults),
		TM(test_dma_detach_then_faults),
		TL(test_dma_detach_without_cc_inv_is_stale),
		TC(test_dma_cm_attach_after_cached_not_present),
		TM(test_dma_cm_attach_after_cached_not_present),
		TC(test_dma_cm_attach_without_cc_inv_is_stale),
		TC(test_dma_cm_map_after_cached_not_present),
		TM(test_dma_cm_map_after_cached_not_present),
		TL(test_dma_no_cm_caches_no_not_present),
		TS(test_dma_no_cm_caches_no_not_present),
		TS(test_dma_sm_rid_pasid_nonzero),
		TM(test_dma_sm_rid_pasid_nonzero),
		TS(test_dma_sm_pasid_cache_used),
		TS(test_dma_sm_reattach_needs_pc_inv),
		TM(test_dma_sm_reattach_needs_pc_inv),
		TL(test_dma_passthrough),
		TS(test_dma_passthrough),
		TL(test_dma_fpd_suppresses_faults),
		TS(test_dma_fpd_suppresses_faults),
		TN(test_dma_register_invalidation),
		TL(test_dma_reenable_invalidates_globally),
		TS(test_dma_reenable_invalidates_globally),
		TL(test_dma_noncoherent_sees_flushed_lines_only),
		TK(test_dma_coherent_sees_writes),
		TS(test_dma_sm_other_pasids_read_flushed),
	};

	return cmocka_run_group_tests_name("vtd_dma_model", tests, NULL, NULL);
}
