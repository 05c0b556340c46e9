// SPDX-License-Identifier: BSD-2-Clause
/*
 * Domains and attach/detach against the DMAR model. Context, PASID and
 * page-table contents are read back with the bit positions of the
 * specification written out here and with the independent second-level
 * walker in tests/fakes/sl_walk.c, not with the library's own helpers.
 */
#include <pthread.h>
#include <time.h>

#include "fakes/sl_walk.h"
#include "fixture.h"

#define SID_A	0x0018		/* 00:03.0 */
#define SID_B	0x0110		/* 01:02.0 */
#define SID_HI	0x00f8		/* 00:1f.0: upper SM context table */

#define pa_to_va	fx_va

/* RMRRs first (vtd_rmrr_map()), then the attach: the first error. */
static int attach_rmrr(u16 sid, struct vtd_domain *d,
		       const struct vtd_dmar *dm, vtd_dmar_bus_fn fn, void *ctx)
{
	int ret = vtd_rmrr_map(d, u, sid, dm, fn, ctx);

	return ret ? ret : vtd_device_attach(u, sid, d, NULL);
}

/* ATS on (vtd_device_set_ats()), then the attach: the first error. */
static int attach_ats(u16 sid, struct vtd_domain *d, u8 qdep, u16 pfsid)
{
	struct vtd_ats_params a = { .queue_depth = qdep, .pfsid = pfsid };
	int ret = vtd_device_set_ats(u, sid, &a);

	return ret ? ret : vtd_device_attach(u, sid, d, NULL);
}

/* [VT-d 9.1, 9.3] Legacy context entry of @sid, read from the root. */
static const u64 *legacy_ctx_of(u16 sid)
{
	assert_false(fx_sm());
	return fx_ctx_of(sid);
}

/* [VT-d 9.2, 9.4] Scalable-mode context entry of @sid. */
static const u64 *sm_ctx_of(u16 sid)
{
	assert_true(fx_sm());
	return fx_ctx_of(sid);
}

static struct sl_walk_cfg walk_cfg(unsigned int levels)
{
	return (struct sl_walk_cfg){
		.levels = levels, .aw = 12 + 9 * levels, .haw = 52,
		.lp_2m = true, .lp_1g = true, .sc = false,
	};
}

static struct vtd_domain *paging_domain(void)
{
	return fx_paging_domain(0);
}

static void test_domain_legacy_attach_entries(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct vtd_translation t;
	struct sl_walk_cfg cfg;
	struct sl_leaf leaf;
	const u64 *ce;
	unsigned int aw;

	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x100000),
					hal_paddr_init(0x7654000), 0x2000,
					VTD_PROT_READ), 0);
	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	ce = legacy_ctx_of(SID_A);
	assert_non_null(ce);
	assert_int_equal(ce[0] & 1, 1);			/* P */
	assert_int_equal((ce[0] >> 2) & 3, 0);		/* TT: SL */
	aw = ce[1] & 7;					/* AW 66:64 */
	assert_true(aw == 1 || aw == 2);
	assert_int_not_equal((ce[1] >> 8) & 0xffff, 0);	/* DID 87:72 */
	cfg = walk_cfg(aw + 2);
	assert_true(sl_walk_translate(&cfg, ce[0] & ~0xfffULL, 0x101000,
				      &leaf, NULL));
	assert_int_equal(leaf.pa, 0x7655000);
	assert_true(leaf.r);
	assert_false(leaf.w);
	/* The library's software walk agrees, and faults where it should. */
	assert_int_equal(vtd_translate(u, SID_A, VTD_NO_PASID,
				       vtd_iova_init(0x101234), VTD_PROT_READ,
				       &t), 0);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(hal_paddr_val(t.pa), 0x7655234);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0x101234),
		      VTD_PROT_WRITE, &t);
	assert_int_equal(t.fault_reason, 5);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0x900000),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 6);
	vtd_translate(u, SID_B, VTD_NO_PASID, vtd_iova_init(0), VTD_PROT_READ,
		      &t);
	assert_int_equal(t.fault_reason, 1);		/* root not present */
	vtd_translate(u, SID_A + 1, VTD_NO_PASID, vtd_iova_init(0),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 2);		/* context not present */
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

static void test_domain_scalable_attach_entries(void **state)
{
	struct vtd_attach_params p = { .rid_pasid = 5 };
	struct vtd_domain *d = paging_domain();
	const u64 *ce, *dir, *pe;
	struct vtd_translation t;
	struct sl_walk_cfg cfg;
	struct sl_leaf leaf;
	u16 did;

	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x200000),
					hal_paddr_init(0x400000), 0x200000,
					VTD_PROT_READ | VTD_PROT_WRITE), 0);
	assert_int_equal(vtd_device_attach(u, SID_HI, d, &p), 0);
	ce = sm_ctx_of(SID_HI);
	assert_non_null(ce);
	assert_int_equal(ce[0] & 1, 1);			/* P */
	assert_int_equal(ce[1] & 0xfffff, 5);		/* RID_PASID 83:64 */
	dir = pa_to_va(ce[0] & ~0xfffULL);		/* PASIDDIRPTR */
	assert_int_equal(dir[0] & 1, 1);		/* PASIDs 0..63 */
	pe = &((const u64 *)pa_to_va(dir[0] & ~0xfffULL))[8 * 5];
	assert_int_equal(pe[0] & 1, 1);			/* P */
	assert_int_equal((pe[0] >> 6) & 7, 2);		/* PGTT: SL */
	did = pe[1] & 0xffff;				/* DID 79:64 */
	assert_int_not_equal(did, 0);
	cfg = walk_cfg(((pe[0] >> 2) & 7) + 2);
	assert_true(sl_walk_translate(&cfg, pe[0] & ~0xfffULL, 0x2ff000,
				      &leaf, NULL));
	assert_int_equal(leaf.pa, 0x400000);		/* the leaf's base */
	assert_int_equal(leaf.size, 0x200000);		/* one 2M leaf */
	/* PASID entry 0 stays empty: only RID_PASID was set up. */
	assert_int_equal(((const u64 *)pa_to_va(dir[0] & ~0xfffULL))[0], 0);
	vtd_translate(u, SID_HI, VTD_NO_PASID, vtd_iova_init(0x200010),
		      VTD_PROT_WRITE, &t);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(hal_paddr_val(t.pa), 0x400010);
	assert_int_equal(t.did, did);
	vtd_translate(u, SID_HI, 0, vtd_iova_init(0x200010), VTD_PROT_READ,
		      &t);
	/* [VT-d 9.4] No PASIDE: requests with a PASID are blocked. */
	assert_int_equal(t.fault_reason, 0x45);
	assert_int_equal(vtd_device_detach(u, SID_HI), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

/*
 * [VT-d 9.6, 11.4.2] The software walk treats a PASID entry whose AW is
 * not a SAGAW width as invalid (it is guest-writable state for a virtual
 * IOMMU), and never walks 6 or more levels.
 */
static void test_domain_translate_rejects_bad_pasid_aw(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct vtd_translation t;
	const u64 *ce, *dir;
	u64 *pe, saved;
	unsigned int aw;

	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x1000),
					hal_paddr_init(0x5000), 0x1000,
					VTD_PROT_READ), 0);
	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	ce = sm_ctx_of(SID_A);
	dir = pa_to_va(ce[0] & ~0xfffULL);
	pe = pa_to_va(dir[0] & ~0xfffULL);		/* RID_PASID 0 */
	saved = pe[0];
	for (aw = 4; aw < 8; aw++) {
		pe[0] = (saved & ~(7ULL << 2)) | ((u64)aw << 2);
		assert_int_equal(vtd_translate(u, SID_A, VTD_NO_PASID,
					       vtd_iova_init(0x1000),
					       VTD_PROT_READ, &t), 0);
		assert_int_equal(t.fault_reason, 0x5b);
	}
	pe[0] = (saved & ~(7ULL << 2)) | (0ULL << 2);	/* 2 levels: no */
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0x1000),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 0x5b);
	pe[0] = saved;
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0x1000),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

#define assert_logged	fx_assert_logged

/* vtd_device_dump() of @sid at @iova, alone in the log. */
static void dump(u16 sid, u64 iova)
{
	fake_log_clear();
	vtd_device_dump(u, sid, vtd_iova_init(iova));
}

/*
 * vtd_device_dump() logs the root and context entries as memory holds
 * them (read here from the table the model latched), in scalable mode
 * the PASID directory and PASID entries of the RID_PASID, and the walk:
 * the address, rights, page size, DID and depth, or the fault reason
 * with its name.
 */
static void test_domain_dump_names_entries_and_walk(void **state)
{
	struct vtd_attach_params p = { .rid_pasid = 5 };
	const u64 *root = fx_va(dmar.rtaddr_active & ~0xfffULL);
	struct vtd_domain *d = paging_domain();
	const u64 *ce, *pde, *pe;
	unsigned int levels;
	u16 sid = fx_sm() ? SID_HI : SID_A, did;

	fx_map(d, 0x100000, 0x7654000, 0x2000, VTD_PROT_READ);
	assert_int_equal(vtd_device_attach(u, sid, d, fx_sm() ? &p : NULL), 0);
	fx_sl_table(sid, &levels);
	ce = fx_ctx_of(sid);
	dump(sid, 0x101234);
	assert_logged("%02x:%02x.%u (%s mode)", sid >> 8, (sid & 0xff) >> 3,
		      sid & 7, fx_sm() ? "scalable" : "legacy");
	assert_logged("root[%02x] = %016llx %016llx", sid >> 8,
		      (unsigned long long)root[2 * (sid >> 8) + 1],
		      (unsigned long long)root[2 * (sid >> 8)]);
	if (!fx_sm()) {
		did = (ce[1] >> 8) & 0xffff;
		assert_logged("context[%02x] = %016llx %016llx (P=1 TT=0 "
			      "AW=%u DID=%u)", sid & 0xff,
			      (unsigned long long)ce[1],
			      (unsigned long long)ce[0],
			      (unsigned int)(ce[1] & 7), did);
	} else {
		pde = fx_va(ce[0] & ~0xfffULL);		/* PASIDs 0-63 */
		pe = fx_pasid_entry_of(sid, 5);
		did = pe[1] & 0xffff;
		assert_logged("sm-context[%02x] = %016llx %016llx (P=1 PDTS=%u "
			      "RID_PASID=5)", sid & 0xff,
			      (unsigned long long)ce[1],
			      (unsigned long long)ce[0],
			      (unsigned int)((ce[0] >> 9) & 7));
		assert_logged("pasid-dir[0] = %016llx (P=1)",
			      (unsigned long long)pde[0]);
		assert_logged("pasid[5] = %016llx %016llx %016llx (P=1 PGTT=2 "
			      "DID=%u)", (unsigned long long)pe[2],
			      (unsigned long long)pe[1],
			      (unsigned long long)pe[0], did);
	}
	assert_logged("iova 101234 -> 7655234 (R, 4 KiB page, DID %u, %u "
		      "levels)", did, levels);
	/* Not mapped there: the fault the walk found, by name. */
	dump(sid, 0x900000);
	assert_logged("iova 900000: fault %#x (%s)", fx_sm() ? 0x86 : 6,
		      vtd_fault_reason_str(fx_sm() ? 0x86 : 6));
	/* A bus with no context table: the root entry, then the fault. */
	dump(0x0301, 0x1000);
	assert_logged("root[03] = %016llx %016llx", 0ULL, 0ULL);
	assert_null(strstr(fake_log_text(), "context["));
	assert_null(strstr(fake_log_text(), "pasid"));
	assert_logged("iova 1000: fault %#x (%s)", fx_sm() ? 0x39 : 1,
		      vtd_fault_reason_str(fx_sm() ? 0x39 : 1));
	fx_detach_destroy(sid, d);
}

/* Descriptor type @type with granularity @g at log position @i. */
static void assert_desc(unsigned int i, unsigned int type, unsigned int g)
{
	assert_int_equal(fx_log_type(i), type);
	if (type != 5)
		assert_int_equal((dmar.log[i].qw[0] >> 4) & 3, g);
}

static void test_domain_detach_invalidates_old_did(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct vtd_translation t;
	u16 did;

	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	did = (legacy_ctx_of(SID_A)[1] >> 8) & 0xffff;
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(legacy_ctx_of(SID_A)[0] & 1, 0);
	/* Context cache, device-selective, old DID and SID; then IOTLB. */
	assert_desc(0, 1, 3);
	assert_int_equal((dmar.log[0].qw[0] >> 16) & 0xffff, did);
	assert_int_equal((dmar.log[0].qw[0] >> 32) & 0xffff, SID_A);
	assert_desc(1, 5, 0);
	assert_desc(2, 2, 2);
	assert_int_equal((dmar.log[2].qw[0] >> 16) & 0xffff, did);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0), VTD_PROT_READ,
		      &t);
	assert_int_equal(t.fault_reason, 2);
	assert_int_equal(vtd_device_detach(u, SID_A), -ENOENT);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

/* Caching mode: present-making changes are invalidated too. */
static void test_domain_caching_mode_invalidates_new_entries(void **state)
{
	struct vtd_domain *d = paging_domain();

	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	assert_desc(0, 1, 3);				/* CC device, DID 0 */
	assert_int_equal((dmar.log[0].qw[0] >> 16) & 0xffff, 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x5000),
					hal_paddr_init(0x9000), 0x1000,
					VTD_PROT_READ), 0);
	assert_desc(0, 2, 3);				/* IOTLB PSI */
	assert_int_equal(dmar.log[0].qw[1] & ~0xfffULL, 0x5000);
	/*
	 * [VT-d 6.5.2.3] That map linked new tables (non-leaf entries went
	 * from not-present to present): IH (bit 70) must be 0.
	 */
	assert_int_equal(dmar.log[0].qw[1] & (1ULL << 6), 0);
	/* Into the same, existing tables: only a leaf changed, IH = 1. */
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x6000),
					hal_paddr_init(0xa000), 0x1000,
					VTD_PROT_READ), 0);
	assert_desc(0, 2, 3);
	assert_int_equal(dmar.log[0].qw[1] & (1ULL << 6), 1ULL << 6);
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

/*
 * [VT-d 6.8] CAP.RWBF without caching mode: a map needs no invalidation
 * but the write buffer is flushed (GCMD.WBF) before the map returns.
 */
static void test_domain_rwbf_map_flushes_write_buffer(void **state)
{
	struct vtd_domain *d = paging_domain();
	u32 gcmd;

	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	fake_dmar_log_clear(&dmar);
	gcmd = dmar.gcmd_writes;
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x5000),
					hal_paddr_init(0x9000), 0x1000,
					VTD_PROT_READ), 0);
	assert_int_equal(dmar.log_len, 0);		/* no invalidation */
	assert_int_equal(dmar.gcmd_writes, gcmd + 1);	/* one WBF */
	assert_int_equal(dmar.gsts & (1U << 27), 0);	/* WBFS clear */
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

static void test_domain_no_caching_mode_map_is_silent(void **state)
{
	struct vtd_domain *d = paging_domain();

	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x5000),
					hal_paddr_init(0x9000), 0x1000,
					VTD_PROT_READ), 0);
	assert_int_equal(dmar.log_len, 0);
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

static void test_domain_unmap_invalidates_and_frees(void **state)
{
	struct vtd_domain *d = paging_domain();
	unsigned int i, psi = 0, waits = 0, levels;
	struct sl_walk_cfg cfg;
	struct sl_leaf leaf;
	u64 pages, root_pa;

	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	pages = fake_mem_pages_in_use();
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x7f00000000ULL),
					hal_paddr_init(0x10000), 0x11000,
					VTD_PROT_WRITE), 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(0x7f00000000ULL),
					  0x11000), 0);
	for (i = 0; i < dmar.log_len; i++) {
		if (fake_dmar_desc_type(&dmar.log[i]) == 5)
			waits++;
		else if (((dmar.log[i].qw[0] >> 4) & 3) == 3)
			psi++;
	}
	assert_int_equal(waits, 1);
	assert_true(psi >= 1 && psi <= 2);
	root_pa = fx_sl_table(SID_A, &levels);
	cfg = walk_cfg(levels);
	assert_false(sl_walk_translate(&cfg, root_pa, 0x7f00000000ULL, &leaf,
				       NULL));
	assert_int_equal(fake_mem_pages_in_use(), pages);
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

static void test_domain_passthrough_legacy(void **state)
{
	struct vtd_translation t;
	struct vtd_domain *d;
	const u64 *ce;

	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PASSTHROUGH, 0, &d),
			 0);
	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	ce = legacy_ctx_of(SID_A);
	assert_int_equal((ce[0] >> 2) & 3, 2);		/* TT: pass-through */
	assert_true((ce[1] & 7) >= 1);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0x12345678),
		      VTD_PROT_WRITE, &t);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(hal_paddr_val(t.pa), 0x12345678);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0), hal_paddr_init(0),
					0x1000, VTD_PROT_READ), -EINVAL);
	assert_int_equal(vtd_domain_destroy(d), -EBUSY);
	vtd_device_detach(u, SID_A);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

static void test_domain_passthrough_scalable(void **state)
{
	struct vtd_domain *d;
	const u64 *ce, *pe;

	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PASSTHROUGH, 0, &d),
			 0);
	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	ce = sm_ctx_of(SID_A);
	pe = pa_to_va(((const u64 *)pa_to_va(ce[0] & ~0xfffULL))[0] &
		      ~0xfffULL);
	assert_int_equal((pe[0] >> 6) & 7, 4);		/* PGTT: PT */
	assert_int_not_equal((pe[0] >> 2) & 7, 0);	/* AW valid */
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

/* A DMAR table with one RMRR, 0xe0000-0xeffff, for 00:03.0 (SID_A). */
static const struct vtd_dmar_path rmrr_path = { .dev = 3, .fn = 0 };
static const struct vtd_dmar_scope rmrr_scope = {
	.type = VTD_DMAR_SCOPE_PCI_ENDPOINT, .start_bus = 0,
	.path_count = 1, .path = &rmrr_path,
};
static struct vtd_dmar_rmrr rmrr_a = {
	.base = 0xe0000, .limit = 0xeffff, .scope_count = 1,
	.scopes = &rmrr_scope,
};
static const struct vtd_dmar rmrr_dmar = { .rmrr_count = 1, .rmrrs = &rmrr_a };

static void test_domain_rmrr_kept_across_detach(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct vtd_translation t;

	assert_int_equal(attach_rmrr(SID_A, d, &rmrr_dmar, NULL, NULL), 0);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0xe8000),
		      VTD_PROT_WRITE, &t);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(hal_paddr_val(t.pa), 0xe8000);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(0xe0000), 0x1000),
			 -EBUSY);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(attach_rmrr(SID_A, d, &rmrr_dmar, NULL, NULL), 0);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0xeffff),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 0);
	/* Another device, no RMRR: nothing mapped for it there? Same
	 * domain, same tables: the identity map is the domain's. */
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

static void test_domain_attach_moves_device(void **state)
{
	struct vtd_domain *d1 = paging_domain(), *d2 = paging_domain();
	u16 did1, did2;

	/* SID_B keeps d1 (and its DID) on the unit. */
	assert_int_equal(vtd_device_attach(u, SID_B, d1, NULL), 0);
	assert_int_equal(vtd_device_attach(u, SID_A, d1, NULL), 0);
	did1 = (legacy_ctx_of(SID_A)[1] >> 8) & 0xffff;
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_device_attach(u, SID_A, d2, NULL), 0);
	did2 = (legacy_ctx_of(SID_A)[1] >> 8) & 0xffff;
	assert_int_not_equal(did1, did2);
	/* The old DID was flushed before the entry was rewritten. */
	assert_desc(0, 1, 3);
	assert_int_equal((dmar.log[0].qw[0] >> 16) & 0xffff, did1);
	assert_int_equal(vtd_domain_device_count(d1), 1);
	assert_int_equal(vtd_domain_device_count(d2), 1);
	vtd_device_detach(u, SID_B);
	assert_int_equal(vtd_domain_destroy(d1), 0);
	vtd_device_detach(u, SID_A);
	assert_int_equal(vtd_domain_destroy(d2), 0);
}

/* Every allocation of attach failing in turn: nothing changes. */
static void test_domain_attach_allocation_failures(void **state)
{
	struct vtd_domain *d = paging_domain();
	u64 pages = fake_mem_pages_in_use(), nth;
	int ret;

	for (nth = 1;; nth++) {
		fake_dmar_log_clear(&dmar);
		fake_mem_fail_nth(nth, false);
		ret = vtd_device_attach(u, SID_B, d, NULL);
		fake_mem_fail_nth(0, false);
		if (!ret)
			break;
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(fake_mem_pages_in_use(), pages);
		assert_int_equal(dmar.log_len, 0);
		assert_int_equal(vtd_domain_device_count(d), 0);
		{
			const u64 *ce = fx_ctx_of(SID_B);

			assert_true(!ce || !(ce[0] & 1));
		}
	}
	assert_true(nth > 2);
	vtd_device_detach(u, SID_B);
	vtd_domain_destroy(d);
}

/*
 * A detach whose invalidation fails releases nothing the unit may still
 * cache: the device stays counted (the domain and its tables live), its
 * domain ID is not handed to another domain, and a retry finishes.
 */
static void test_domain_detach_failure_keeps_did_and_domain(void **state)
{
	struct vtd_domain *d1 = paging_domain(), *d2 = paging_domain();
	struct vtd_translation t;
	u16 did1, did2;

	assert_int_equal(vtd_device_attach(u, SID_A, d1, NULL), 0);
	did1 = (legacy_ctx_of(SID_A)[1] >> 8) & 0xffff;
	dmar.wait_never_completes = true;
	assert_int_equal(vtd_device_detach(u, SID_A), -ETIMEDOUT);
	dmar.wait_never_completes = false;
	/* Blocked in hardware ... */
	assert_int_equal(legacy_ctx_of(SID_A)[0] & 1, 0);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0), VTD_PROT_READ,
		      &t);
	assert_int_equal(t.fault_reason, 2);
	/* ... but nothing released. */
	assert_int_equal(vtd_domain_device_count(d1), 1);
	assert_int_equal(vtd_domain_destroy(d1), -EBUSY);
	assert_int_equal(vtd_device_attach(u, SID_B, d2, NULL), 0);
	did2 = (legacy_ctx_of(SID_B)[1] >> 8) & 0xffff;
	assert_int_not_equal(did2, did1);
	/* The retry completes the detach. */
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(vtd_domain_device_count(d1), 0);
	assert_int_equal(vtd_domain_destroy(d1), 0);
	assert_int_equal(vtd_device_detach(u, SID_B), 0);
	assert_int_equal(vtd_domain_destroy(d2), 0);
}

/*
 * [VT-d 9.4] PDTS sizes the PASID directory: QEMU's ECAP.PSS = 0 gives
 * the smallest, 2^7 entries, so RID_PASIDs from 2^13 cannot be reached.
 * The error leaves an existing attachment alone.
 */
static void test_domain_rid_pasid_beyond_directory(void **state)
{
	struct vtd_attach_params ok = { .rid_pasid = (1U << 13) - 1 };
	struct vtd_attach_params big = { .rid_pasid = 1U << 13 };
	struct vtd_domain *d = paging_domain();
	struct vtd_translation t;

	assert_int_equal(vtd_device_attach(u, SID_A, d, &big), -EINVAL);
	assert_int_equal(vtd_domain_device_count(d), 0);
	assert_int_equal(vtd_device_attach(u, SID_A, d, &ok), 0);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0), VTD_PROT_READ,
		      &t);
	assert_int_not_equal(t.fault_reason, 0x46);
	assert_int_equal(vtd_device_attach(u, SID_A, d, &big), -EINVAL);
	assert_int_equal(sm_ctx_of(SID_A)[1] & 0xfffff, ok.rid_pasid);
	assert_int_equal(sm_ctx_of(SID_A)[0] & 1, 1);
	assert_int_equal(vtd_domain_device_count(d), 1);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
}

/*
 * Moving an attached device: every failure of the new attachment is found
 * before the old one is undone, so the device stays where it was.
 */
static void test_domain_move_failures_keep_old_attachment(void **state)
{
	struct vtd_domain *d1 = paging_domain(), *d2 = paging_domain();
	struct vtd_translation t;
	u64 ce0, ce1, pages, nth;
	int ret;

	assert_int_equal(vtd_device_attach(u, SID_A, d1, NULL), 0);
	ce0 = sm_ctx_of(SID_A)[0];
	ce1 = sm_ctx_of(SID_A)[1];
	/* d2 already maps part of the RMRR elsewhere: -EEXIST. */
	assert_int_equal(vtd_domain_map(d2, vtd_iova_init(0xe4000),
					hal_paddr_init(0x1000000), 0x1000,
					VTD_PROT_READ), 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(attach_rmrr(SID_A, d2, &rmrr_dmar, NULL, NULL),
			 -EEXIST);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(sm_ctx_of(SID_A)[0], ce0);
	assert_int_equal(vtd_domain_device_count(d1), 1);
	assert_int_equal(vtd_domain_device_count(d2), 0);
	/* Each allocation failing in turn. */
	pages = fake_mem_pages_in_use();
	for (nth = 1;; nth++) {
		fake_dmar_log_clear(&dmar);
		fake_mem_fail_nth(nth, false);
		ret = vtd_device_attach(u, SID_A, d2, NULL);
		fake_mem_fail_nth(0, false);
		if (!ret)
			break;
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(dmar.log_len, 0);
		assert_int_equal(fake_mem_pages_in_use(), pages);
		assert_int_equal(sm_ctx_of(SID_A)[0], ce0);
		assert_int_equal(sm_ctx_of(SID_A)[1], ce1);
		assert_int_equal(vtd_domain_device_count(d1), 1);
		assert_int_equal(vtd_domain_device_count(d2), 0);
		vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0),
			      VTD_PROT_READ, &t);
		assert_int_not_equal(t.fault_reason, 0x41);
	}
	assert_true(nth > 1);
	assert_int_equal(vtd_domain_device_count(d1), 0);
	assert_int_equal(vtd_domain_device_count(d2), 1);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(vtd_domain_destroy(d1), 0);
	assert_int_equal(vtd_domain_destroy(d2), 0);
}

/*
 * The interleaving of two attaches of one blocked device that the
 * re-check of the slot under ctx_lock (prepare_locked()) is there for:
 * each attach thread looks at the slot under ctx_lock (it finds the
 * device blocked, so it will not detach anything), and at its next
 * acquisition of ctx_lock, where it would take the slot, waits until the
 * other thread has looked too. So both have seen the device blocked
 * before either takes the slot, on every run.
 */
struct attach_race {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int arrived;		/* threads at their second ctx_lock */
	unsigned int met;		/* ... that found the other there */
};

struct attach_job {
	struct vtd_domain *d;
	int ret;
};

static __thread bool attach_racer;	/* this thread is an attach_job's */
static __thread unsigned int ctx_locks;	/* its ctx_lock acquisitions */

/*
 * Both threads meet, or one gives up after a second of real time (the
 * library took ctx_lock fewer times than this test expects: the test
 * then fails on met instead of hanging).
 */
static void attach_race_meet(struct attach_race *r)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 1;
	pthread_mutex_lock(&r->lock);
	r->arrived++;
	pthread_cond_broadcast(&r->cond);
	while (r->arrived < 2 &&
	       pthread_cond_timedwait(&r->cond, &r->lock, &deadline) == 0)
		;
	if (r->arrived == 2)
		r->met++;
	pthread_mutex_unlock(&r->lock);
}

static void attach_race_hook(void *ctx, const struct hal_spinlock *l)
{
	if (attach_racer && l == &u->ctx_lock && ++ctx_locks == 2)
		attach_race_meet(ctx);
}

static void *attach_thread(void *arg)
{
	struct attach_job *j = arg;

	attach_racer = true;
	ctx_locks = 0;
	j->ret = vtd_device_attach(u, SID_A, j->d, NULL);
	return NULL;
}

/*
 * Two threads attach the same blocked device to two domains, both having
 * seen it blocked before either takes its slot (struct attach_race).
 * Exactly one wins; the other finds the slot taken when it re-checks it
 * under ctx_lock and fails with -EAGAIN, having changed nothing: the
 * device is counted once, and the hardware entry is the winner's.
 */
static void test_domain_concurrent_attach_one_owner(void **state)
{
	struct vtd_domain *d1 = paging_domain(), *d2 = paging_domain();
	struct attach_job j1 = { .d = d1 }, j2 = { .d = d2 };
	struct attach_race race;
	struct vtd_translation t;
	unsigned int round;
	pthread_t t1, t2;

	assert_int_equal(vtd_domain_map(d1, vtd_iova_init(0x1000),
					hal_paddr_init(0x11000), 0x1000,
					VTD_PROT_READ), 0);
	assert_int_equal(vtd_domain_map(d2, vtd_iova_init(0x1000),
					hal_paddr_init(0x22000), 0x1000,
					VTD_PROT_READ), 0);
	for (round = 0; round < 4; round++) {
		race = (struct attach_race){
			.lock = PTHREAD_MUTEX_INITIALIZER,
			.cond = PTHREAD_COND_INITIALIZER,
		};
		fake_spin_set_hook(attach_race_hook, &race);
		assert_int_equal(pthread_create(&t1, NULL, attach_thread, &j1),
				 0);
		assert_int_equal(pthread_create(&t2, NULL, attach_thread, &j2),
				 0);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		fake_spin_set_hook(NULL, NULL);
		/* The race happened: both saw the device blocked. */
		assert_int_equal(race.met, 2);
		assert_true((j1.ret == 0 && j2.ret == -EAGAIN) ||
			    (j1.ret == -EAGAIN && j2.ret == 0));
		assert_int_equal(vtd_domain_device_count(d1) +
				 vtd_domain_device_count(d2), 1);
		assert_int_equal(vtd_domain_device_count(j1.ret ? d2 : d1), 1);
		/* The hardware entry is the owner's. */
		vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0x1000),
			      VTD_PROT_READ, &t);
		assert_int_equal(t.fault_reason, 0);
		assert_int_equal(hal_paddr_val(t.pa),
				 vtd_domain_device_count(d1) ? 0x11000 :
							       0x22000);
		assert_int_equal(vtd_device_detach(u, SID_A), 0);
	}
	assert_int_equal(vtd_domain_destroy(d1), 0);
	assert_int_equal(vtd_domain_destroy(d2), 0);
}

struct race {
	struct vtd_domain *d;
	int ret;
};

static void attach_meanwhile(void *ctx)
{
	struct race *r = ctx;

	r->ret = vtd_device_attach(u, SID_A, r->d, NULL);
}

/*
 * The lost race, made deterministic: while an attach of a blocked device
 * to d1 makes room for d1's record on the unit (its first allocation,
 * after it saw the device blocked), the device is attached to d2. d1's
 * attach then finds the slot taken: -EAGAIN, nothing changed; called
 * again, it moves the device.
 */
static void test_domain_attach_lost_race_is_eagain(void **state)
{
	struct vtd_domain *d1 = paging_domain(), *d2 = paging_domain();
	struct race r = { .d = d2, .ret = 1 };
	struct vtd_translation t;

	assert_int_equal(vtd_domain_map(d2, vtd_iova_init(0x1000),
					hal_paddr_init(0x22000), 0x1000,
					VTD_PROT_READ), 0);
	fake_mem_set_alloc_hook(attach_meanwhile, &r);
	assert_int_equal(vtd_device_attach(u, SID_A, d1, NULL), -EAGAIN);
	assert_int_equal(r.ret, 0);
	assert_int_equal(vtd_domain_device_count(d1), 0);
	assert_int_equal(vtd_domain_device_count(d2), 1);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0x1000),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(hal_paddr_val(t.pa), 0x22000);
	/* Again: the device moves to d1, with its RMRR. */
	assert_int_equal(attach_rmrr(SID_A, d1, &rmrr_dmar, NULL, NULL), 0);
	assert_int_equal(vtd_domain_device_count(d1), 1);
	assert_int_equal(vtd_domain_device_count(d2), 0);
	vtd_translate(u, SID_A, VTD_NO_PASID, vtd_iova_init(0xe8000),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(vtd_domain_destroy(d1), 0);
	assert_int_equal(vtd_domain_destroy(d2), 0);
}

static void test_domain_ids_exhausted(void **state)
{
	struct vtd_domain *d[16];
	unsigned int i;

	/* The QEMU CAP has ND = 6; use up all but a few IDs directly. */
	for (i = 1; i < u->did_count - 2; i++)
		assert_true(vtd_unit_did_alloc(u) > 0);
	for (i = 0; i < 3; i++)
		d[i] = paging_domain();
	assert_int_equal(vtd_device_attach(u, SID_A, d[0], NULL), 0);
	assert_int_equal(vtd_device_attach(u, SID_A + 1, d[1], NULL), 0);
	assert_int_equal(vtd_device_attach(u, SID_A + 2, d[2], NULL), -ENOSPC);
	assert_int_equal(vtd_domain_device_count(d[2]), 0);
	vtd_device_detach(u, SID_A);
	vtd_device_detach(u, SID_A + 1);
	for (i = 0; i < 3; i++)
		vtd_domain_destroy(d[i]);
}

static void test_domain_map_errors_change_nothing(void **state)
{
	struct vtd_domain *d = paging_domain();
	hal_paddr_t pa;
	u32 prot;

	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x1000),
					hal_paddr_init(0x2000), 0x3000,
					VTD_PROT_READ), 0);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x3000),
					hal_paddr_init(0x9000), 0x1000,
					VTD_PROT_READ), -EBUSY);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x10001),
					hal_paddr_init(0x9000), 0x1000,
					VTD_PROT_READ), -EINVAL);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x10000),
					hal_paddr_init(0x9000), 0x1000, 0),
			 -EINVAL);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(1ULL << 48),
					hal_paddr_init(0x9000), 0x1000,
					VTD_PROT_READ), -ERANGE);
	assert_int_equal(vtd_domain_lookup(d, vtd_iova_init(0x3000), &pa,
					   &prot), 0);
	assert_int_equal(hal_paddr_val(pa), 0x4000);
	assert_int_equal(prot, VTD_PROT_READ);
	assert_int_equal(vtd_domain_lookup(d, vtd_iova_init(0x10000), &pa,
					   &prot), -ENOENT);
	vtd_domain_destroy(d);
}

static void test_domain_create_rejects(void **state)
{
	struct vtd_domain *d;

	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PAGING, 60, &d),
			 -EOPNOTSUPP);
	assert_int_equal(vtd_domain_create(NULL, VTD_DOMAIN_PAGING, 0, &d),
			 -EINVAL);
	assert_int_equal(vtd_domain_create(u, (enum vtd_domain_type)7, 0, &d),
			 -EINVAL);
	assert_int_equal(vtd_device_attach(u, SID_A, NULL, NULL), -EINVAL);
}


/* A bridge at 00:1c.0 leads to bus 5; nothing else is a bridge. */
static int bus_of(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn)
{
	(*(int *)ctx)++;
	return seg == 0 && bus == 0 && dev == 0x1c && fn == 0 ? 5 : -1;
}

/* An RMRR behind a bridge: matched only when the caller resolves it. */
static void test_domain_rmrr_behind_bridge(void **state)
{
	struct vtd_dmar_path path[2] = { { .dev = 0x1c, .fn = 0 },
					 { .dev = 0, .fn = 1 } };
	struct vtd_dmar_scope scope = {
		.type = VTD_DMAR_SCOPE_PCI_ENDPOINT, .start_bus = 0,
		.path_count = 2, .path = path,
	};
	struct vtd_dmar_rmrr rmrr = {
		.base = 0x7d000000, .limit = 0x7d0fffff, .scope_count = 1,
		.scopes = &scope,
	};
	struct vtd_dmar dm = { .rmrr_count = 1, .rmrrs = &rmrr };
	struct vtd_domain *d = paging_domain();
	struct vtd_translation t;
	int calls = 0;

	/* Without a resolver the two-hop scope names no device. */
	assert_int_equal(attach_rmrr(0x0501, d, &dm, NULL, NULL), 0);
	vtd_translate(u, 0x0501, VTD_NO_PASID, vtd_iova_init(0x7d000000),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 6);
	assert_int_equal(vtd_device_detach(u, 0x0501), 0);
	/* A device on another bus is not the one the scope names. */
	assert_int_equal(attach_rmrr(0x0601, d, &dm, bus_of, &calls), 0);
	vtd_translate(u, 0x0601, VTD_NO_PASID, vtd_iova_init(0x7d000000),
		      VTD_PROT_READ, &t);
	assert_int_equal(t.fault_reason, 6);
	assert_int_equal(vtd_device_detach(u, 0x0601), 0);
	assert_int_equal(attach_rmrr(0x0501, d, &dm, bus_of, &calls), 0);
	assert_true(calls >= 2);
	vtd_translate(u, 0x0501, VTD_NO_PASID, vtd_iova_init(0x7d0ff000),
		      VTD_PROT_WRITE, &t);
	assert_int_equal(t.fault_reason, 0);
	assert_int_equal(hal_paddr_val(t.pa), 0x7d0ff000);
	vtd_device_detach(u, 0x0501);
	vtd_domain_destroy(d);
}

/*
 * ATS: TT = 01 in the context entry; an unmap invalidates the IOTLB,
 * then the device TLB of the range (S = 1 size encoding), behind one
 * wait; a detach invalidates the whole device TLB.
 */
static void test_domain_ats_device_tlb(void **state)
{
	struct vtd_domain *d = paging_domain();
	const struct fake_dmar_desc *x;
	unsigned int i;

	assert_int_equal(attach_ats(SID_A, d, 3, 0x0010), 0);
	if (u->scalable)
		assert_int_equal((sm_ctx_of(SID_A)[0] >> 2) & 1, 1); /* DTE */
	else
		assert_int_equal((legacy_ctx_of(SID_A)[0] >> 2) & 3, 1);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x200000),
					hal_paddr_init(0x800000), 0x4000,
					VTD_PROT_READ), 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(0x200000), 0x4000),
			 0);
	assert_int_equal(fx_log_count(5), 1);		/* one wait */
	assert_int_equal(fx_log_count(3), 1);		/* one device TLB */
	for (i = 0; i < dmar.log_len; i++) {
		x = &dmar.log[i];
		if (fake_dmar_desc_type(x) != 3)
			continue;
		/* After the IOTLB descriptor, before the wait. */
		assert_int_equal(fx_log_type(i - 1), 2);
		assert_int_equal((x->qw[0] >> 32) & 0xffff, SID_A);
		assert_int_equal((x->qw[0] >> 16) & 0x1f, 3);	/* MIP */
		assert_int_equal((x->qw[0] >> 12) & 0xf, 0x0);	/* PFSID 3:0 */
		assert_int_equal(x->qw[0] >> 52, 0x001);	/* PFSID 15:4 */
		assert_int_equal(x->qw[1] & 1, 1);		/* S */
		/* 4 pages at 0x200000: bit 12 set, bit 13 clear. */
		assert_int_equal(x->qw[1] & ~0xfffULL, 0x201000);
	}
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_device_detach(u, SID_A), 0);
	assert_int_equal(fx_log_count(3), 1);
	for (i = 0; i < dmar.log_len; i++) {
		x = &dmar.log[i];
		if (fake_dmar_desc_type(x) == 3)
			/* Every page: S = 1, bits 62:12 set, 63 clear. */
			assert_int_equal(x->qw[1],
					 0x7ffffffffffff000ULL | 1);
	}
	/* Without ATS, no device TLB descriptor. */
	assert_int_equal(vtd_device_set_ats(u, SID_A, NULL), 0);
	assert_int_equal(vtd_device_attach(u, SID_A, d, NULL), 0);
	if (u->scalable)
		assert_int_equal((sm_ctx_of(SID_A)[0] >> 2) & 1, 0);
	else
		assert_int_equal((legacy_ctx_of(SID_A)[0] >> 2) & 3, 0);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(0x200000),
					hal_paddr_init(0x800000), 0x1000,
					VTD_PROT_READ), 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(0x200000), 0x1000),
			 0);
	assert_int_equal(fx_log_count(3), 0);
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

/* Scalable mode: DTE in the context entry. */
static void test_domain_ats_scalable_dte(void **state)
{
	struct vtd_domain *d = paging_domain();

	assert_int_equal(attach_ats(SID_A, d, 0, SID_A), 0);
	assert_int_equal((sm_ctx_of(SID_A)[0] >> 2) & 1, 1);	/* DTE */
	vtd_device_detach(u, SID_A);
	vtd_domain_destroy(d);
}

static void test_domain_ats_refused_without_dt(void **state)
{
	struct vtd_domain *d = paging_domain();

	assert_int_equal(attach_ats(SID_A, d, 0, 0), -EOPNOTSUPP);
	assert_int_equal(vtd_domain_device_count(d), 0);
	vtd_domain_destroy(d);
}

/*
 * No fixed number of ATS devices per domain (an SR-IOV device brings
 * many): 40 devices with ATS on one domain, and one unmap reaches every
 * device TLB, after the IOTLB, with one wait per 16 descriptors.
 */
static void test_domain_ats_capacity(void **state)
{
	struct vtd_domain *d = paging_domain();
	unsigned int i, n = 40, first3 = 0;

	for (i = 0; i < n; i++)
		assert_int_equal(attach_ats((u16)(0x100 + i), d, 0,
					    (u16)(0x100 + i)), 0);
	assert_int_equal(vtd_domain_device_count(d), n);
	fx_map(d, 0x200000, 0x800000, 0x1000, VTD_PROT_READ);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(0x200000), 0x1000),
			 0);
	assert_int_equal(fx_log_count(3), n);
	assert_int_equal(fx_log_count(5), (1 + n + 15) / 16);
	for (i = 0; i < dmar.log_len && !first3; i++)
		if (fx_log_type(i) == 3)
			first3 = i;
	assert_int_equal(fx_log_type(first3 - 1), 2);	/* IOTLB first */
	for (i = 0; i < n; i++)
		assert_int_equal(vtd_device_detach(u, (u16)(0x100 + i)), 0);
	vtd_domain_destroy(d);
}

int main(void)
{
	const struct fx_unit legacy = FX_QEMU_LEGACY, sm = FX_QEMU_SM;
	/* Legacy with CAP.RWBF (bit 4) and no caching mode. */
	const struct fx_unit legacy_rwbf = {
		.cap = with_bit(FAKE_DMAR_QEMU_CAP_LEGACY, 4, true),
		.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY,
	};
	/* Legacy with caching mode (CAP.CM, bit 7): QEMU's caching-mode=on. */
	const struct fx_unit legacy_cm = {
		.cap = with_bit(FAKE_DMAR_QEMU_CAP_LEGACY, 7, true),
		.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY,
	};
	/* Legacy QEMU CAP/ECAP with ECAP.DT (bit 2): device TLBs allowed. */
	const struct fx_unit legacy_dt = {
		.cap = FAKE_DMAR_QEMU_CAP_LEGACY,
		.ecap = with_bit(FAKE_DMAR_QEMU_ECAP_LEGACY, 2, true),
	};
	/* Scalable mode with device-iotlb=on: QEMU's ECAP then has DT. */
	const struct fx_unit sm_dt = {
		.cap = FAKE_DMAR_QEMU_CAP_SM,
		.ecap = with_bit(FAKE_DMAR_QEMU_ECAP_SM, 2, true),
	};
#define TD(f) FX_TEST(f, &legacy_dt)
#define TL(f) FX_TEST(f, &legacy)
#define TC(f) FX_TEST(f, &legacy_cm)
#define TS(f) FX_TEST(f, &sm)
#define TW(f) FX_TEST(f, &legacy_rwbf)
#define TSD(f) FX_TEST(f, &sm_dt)
	const struct CMUnitTest tests[] = {
		TL(test_domain_legacy_attach_entries),
		TS(test_domain_scalable_attach_entries),
		TS(test_domain_translate_rejects_bad_pasid_aw),
		TL(test_domain_dump_names_entries_and_walk),
		TS(test_domain_dump_names_entries_and_walk),
		TL(test_domain_detach_invalidates_old_did),
		TC(test_domain_caching_mode_invalidates_new_entries),
		TS(test_domain_caching_mode_invalidates_new_entries),
		TL(test_domain_no_caching_mode_map_is_silent),
		TW(test_domain_rwbf_map_flushes_write_buffer),
		TL(test_domain_unmap_invalidates_and_frees),
		TS(test_domain_unmap_invalidates_and_frees),
		TL(test_domain_passthrough_legacy),
		TS(test_domain_passthrough_scalable),
		TL(test_domain_rmrr_kept_across_detach),
		TL(test_domain_rmrr_behind_bridge),
		TL(test_domain_attach_moves_device),
		TL(test_domain_attach_allocation_failures),
		TS(test_domain_attach_allocation_failures),
		TL(test_domain_ids_exhausted),
		TL(test_domain_detach_failure_keeps_did_and_domain),
		TL(test_domain_concurrent_attach_one_owner),
		TS(test_domain_concurrent_attach_one_owner),
		TL(test_domain_attach_lost_race_is_eagain),
		TS(test_domain_attach_lost_race_is_eagain),
		TS(test_domain_rid_pasid_beyond_directory),
		TS(test_domain_move_failures_keep_old_attachment),
		TL(test_domain_map_errors_change_nothing),
		TL(test_domain_create_rejects),
		TD(test_domain_ats_device_tlb),
		TSD(test_domain_ats_device_tlb),
		TSD(test_domain_ats_scalable_dte),
		TL(test_domain_ats_refused_without_dt),
		TD(test_domain_ats_capacity),
	};

	return cmocka_run_group_tests_name("vtd_domain", tests, NULL, NULL);
}
