// SPDX-License-Identifier: BSD-2-Clause
/*
 * PASIDs other than RID_PASID (vtd_pasid_attach/detach) against the DMAR
 * model, which walks first-level (PGTT=001) and nested (PGTT=011) PASID
 * entries with its own code and caches them in its PASID cache and IOTLB
 * (keyed by DID and PASID) until the invalidation the specification
 * names. QEMU 7.2 cannot check any of this (docs/QEMU.md): it walks
 * PGTT 001/011 as second-level and issues no PASID-tagged DMA.
 *
 * Every DMA is checked twice: through the model (fake_dmar_dma_priv) and
 * through the library's software walk (vtd_translate), which must agree
 * on the host address or the fault reason. The default unit has ECAP.C = 0
 * (as QEMU's), so the model reads only lines the library flushed; the
 * teardown asserts that no read was stale or unflushed.
 */
#include <vtd/pt_fl.h>

#include "fixture.h"

#define SID		0x0018		/* 00:03.0 */
#define SID_OTHER	0x0020		/* 00:04.0, never attached */
#define IOVA		0x10000000ULL

/* QEMU's scalable-mode ECAP plus FSTS (47), NEST (26), DT (2), PSS = 19. */
#define ECAP_TEST	(FAKE_DMAR_QEMU_ECAP_SM | (1ULL << 47) | \
			 (1ULL << 26) | (1ULL << 2) | (19ULL << 35))
#define CAP_FS1GP	56
#define CAP_FS5LP	60

/* ---- Helpers ------------------------------------------------------------- */

/*
 * One PASID attach as the tests describe it; pasid_attach() makes the
 * library call of its kind (vtd_pasid_attach_sl/_fl/_nested/_pt), so a
 * table of requests can run through every kind alike.
 */
enum req_type { REQ_SL = 1, REQ_FL, REQ_NESTED, REQ_PT };

struct pasid_req {
	enum req_type type;
	struct vtd_domain *domain;	/* FL: the domain whose ID tags it */
	const struct vtd_fl_pt *fl;	/* FL */
	vtd_gpa_t fl_gpa;		/* nested */
	unsigned int fl_levels;		/* nested */
	bool fl_1g, sre, wpe, fault_disable;
};

static int pasid_attach(struct vtd_unit *unit, u16 sid, u32 pasid,
			const struct pasid_req *r)
{
	u32 flags;

	if (!r) {	/* no table at all */
		return vtd_pasid_attach_fl(unit, sid, pasid, NULL, NULL, 0);
	}
	flags = (r->fault_disable ? VTD_PASID_FPD : 0) |
		(r->sre ? VTD_PASID_SRE : 0) | (r->wpe ? VTD_PASID_WPE : 0) |
		(r->fl_1g ? VTD_PASID_FL_1G : 0);
	switch (r->type) {
	case REQ_SL:
		return vtd_pasid_attach_sl(unit, sid, pasid, r->domain, flags);
	case REQ_PT:
		return vtd_pasid_attach_pt(unit, sid, pasid, r->domain, flags);
	case REQ_FL:
		return vtd_pasid_attach_fl(unit, sid, pasid, r->domain, r->fl,
					   flags);
	case REQ_NESTED:
		return vtd_pasid_attach_nested(unit, sid, pasid, r->domain,
					       r->fl_gpa, r->fl_levels, flags);
	}
	fail_msg("bad request type %d", r->type);
	return -1;
}

static struct vtd_domain *paging_domain(void)
{
	return fx_paging_domain(48);
}

static void attach_dev(struct vtd_domain *d, u32 rid_pasid)
{
	struct vtd_attach_params ap = { .rid_pasid = rid_pasid };

	assert_int_equal(vtd_device_attach(u, SID, d, &ap), 0);
}

static void fl_init(struct vtd_fl_pt *pt, unsigned int levels)
{
	struct vtd_fl_pt_config c = {
		.levels = levels, .haw = 46, .coherent = dmar.ecap & 1,
	};

	assert_int_equal(vtd_fl_pt_init(pt, &c), 0);
}

static void fl_map(struct vtd_fl_pt *pt, u64 va, u64 pa, u32 prot)
{
	assert_int_equal(vtd_fl_pt_map(pt, vtd_iova_init(va),
				       hal_paddr_init(pa), 0x1000, prot), 0);
}

static struct pasid_req fl_params(struct vtd_domain *d,
						const struct vtd_fl_pt *pt)
{
	return (struct pasid_req){
		.type = REQ_FL, .domain = d, .fl = pt,
	};
}

/*
 * The set-up of most first-level tests: a paging domain with the device
 * attached (RID_PASID 0), and a 4-level first-level table mapping IOVA to
 * page @a, user read-only, in @p for pasid_attach().
 */
struct fl_env {
	struct vtd_domain *d;
	struct fx_page a;
	struct vtd_fl_pt pt;
	struct pasid_req p;
};

static void fl_env_init(struct fl_env *e)
{
	e->d = paging_domain();
	e->a = fx_page_new();
	attach_dev(e->d, 0);
	fl_init(&e->pt, 4);
	fl_map(&e->pt, IOVA, e->a.pa, VTD_PROT_READ | VTD_PROT_USER);
	e->p = fl_params(e->d, &e->pt);
}

/* Its end, once every PASID is detached: every step must succeed. */
static void fl_env_fini(struct fl_env *e)
{
	fx_detach_destroy(SID, e->d);
	vtd_fl_pt_destroy(&e->pt);
	fx_page_free(&e->a);
}

/*
 * One request through the model and through vtd_translate(): both must
 * report @reason, and on success the host address @hpa.
 */
static void expect(u32 pasid, u64 iova, bool write, bool priv, u8 reason,
		   u64 hpa)
{
	fx_expect(SID, pasid, iova, write, priv, reason, hpa);
}

/* The model's result only (for stale-cache mutations). */
static u8 dma(u32 pasid, u64 iova, bool write, u64 *hpa)
{
	struct fake_dma_result r;
	u8 reason = fx_dma(SID, pasid, iova, write, &r);

	if (hpa)
		*hpa = r.hpa;
	return reason;
}

/* [VT-d 9.4, 9.5, 9.6] The PASID entry of @pasid as memory holds it. */
static const u64 *pasid_entry_of(u32 pasid)
{
	return fx_pasid_entry_of(SID, pasid);
}

static u64 ctx_q0(void)
{
	return fx_ctx_of(SID)[0];
}

/* ---- First-level --------------------------------------------------------- */

/*
 * [VT-d 3.6, 9.6] A first-level PASID: the entry's fields, and DMA that
 * lands on the pages the FL table names, with its permissions.
 */
static void test_pasid_fl_dma_and_permissions(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new(), b = fx_page_new(), s = fx_page_new();
	struct pasid_req p;
	struct vtd_fl_pt pt;
	const u64 *pe;

	attach_dev(d, 0);
	fl_init(&pt, 4);
	fl_map(&pt, IOVA, a.pa, VTD_PROT_READ | VTD_PROT_WRITE |
				VTD_PROT_USER);
	fl_map(&pt, IOVA + 0x1000, b.pa, VTD_PROT_READ | VTD_PROT_USER);
	fl_map(&pt, IOVA + 0x2000, s.pa, VTD_PROT_READ | VTD_PROT_WRITE);
	fl_map(&pt, 0xffff800000000000ULL, a.pa,
	       VTD_PROT_READ | VTD_PROT_USER);

	/* Before: requests with PASID are blocked (PASIDE clear). */
	expect(5, IOVA, false, false, 0x45, 0);
	p = fl_params(d, &pt);
	p.sre = true;
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	assert_true(ctx_q0() & (1ULL << 3));			/* PASIDE */
	pe = pasid_entry_of(5);
	assert_non_null(pe);
	assert_int_equal(pe[0] & 1, 1);				/* P */
	assert_int_equal((pe[0] >> 6) & 7, 1);		/* PGTT: FL */
	assert_int_equal(pe[2] & ~0xfffULL, hal_paddr_val(pt.root_pa));
	assert_int_equal((pe[2] >> 2) & 3, 0);		/* FLPM 4-level */
	assert_int_equal(pe[2] & 1, 1);				/* SRE */
	assert_int_equal((pe[2] >> 4) & 1, 0);			/* WPE */

	expect(5, IOVA + 0x10, true, false, 0, a.pa + 0x10);
	expect(5, IOVA + 0x1008, false, false, 0, b.pa + 8);
	/* Read-only page: a user write faults. */
	expect(5, IOVA + 0x1008, true, false, 0x85, 0);
	/* Supervisor page: a user request faults, a supervisor one passes. */
	expect(5, IOVA + 0x2000, false, false, 0x81, 0);
	expect(5, IOVA + 0x2000, true, true, 0, s.pa);
	/* WPE = 0: a supervisor write ignores R/W [VT-d 3.6.1]. */
	expect(5, IOVA + 0x1000, true, true, 0, b.pa);
	/* Non-canonical, not present, upper canonical half. */
	expect(5, 0x0000800000000000ULL, false, false, 0x80, 0);
	expect(5, IOVA + 0x5000, false, false, 0x71, 0);
	expect(5, 0xffff800000000040ULL, false, false, 0, a.pa + 0x40);
	/* The RID_PASID still translates through the domain. */
	expect(VTD_NO_PASID, IOVA, false, false, 0x86, 0);
	/* The device's other PASIDs are blocked. */
	expect(6, IOVA, false, false, 0x59, 0);

	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	/* Same table as RID_PASID 0: the entry is gone (0x59). */
	expect(5, IOVA, false, false, 0x59, 0);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);
	fx_page_free(&a);
	fx_page_free(&b);
	fx_page_free(&s);
}

/* WPE = 1: supervisor writes honour R/W; no SRE: supervisor blocked. */
static void test_pasid_fl_wpe_and_sre(void **state)
{
	struct fl_env e;

	fl_env_init(&e);
	e.p.sre = true;
	e.p.wpe = true;
	assert_int_equal(pasid_attach(u, SID, 7, &e.p), 0);
	assert_int_equal((pasid_entry_of(7)[2] >> 4) & 1, 1);	/* WPE */
	expect(7, IOVA, true, true, 0x85, 0);
	expect(7, IOVA, false, true, 0, e.a.pa);
	/*
	 * [VT-d 9.6] FLPM = 5-level on a unit without CAP.FL5LP: the entry is
	 * invalid (0x5b) for the model and for the software walk.
	 */
	{
		u64 *pe = (u64 *)pasid_entry_of(7), q2 = pe[2];

		pe[2] = q2 | (1ULL << 2);
		hal_cache_flush_line(pe);
		hal_fence();
		fake_dmar_caches_reset(&dmar);
		expect(7, IOVA, false, false, 0x5b, 0);
		pe[2] = q2;
		hal_cache_flush_line(pe);
		hal_fence();
		fake_dmar_caches_reset(&dmar);
		expect(7, IOVA, false, false, 0, e.a.pa);
	}
	e.p.sre = false;
	e.p.wpe = false;
	assert_int_equal(pasid_attach(u, SID, 8, &e.p), 0);
	expect(8, IOVA, false, true, 0x5d, 0);		/* SRE clear */
	expect(8, IOVA, false, false, 0, e.a.pa);
	assert_int_equal(vtd_pasid_detach(u, SID, 7), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 8), 0);
	fl_env_fini(&e);
}

/* ---- Nested -------------------------------------------------------------- */

/* Guest-physical layout of the guest's own first-level table. */
#define G_PML4	0x1000ULL
#define G_PDPT	0x2000ULL
#define G_PD	0x3000ULL
#define G_PT	0x4000ULL
#define G_DATA	0x5000ULL
#define G_RO	0x6000ULL
#define G_HOLE	0x7000ULL	/* not mapped by the second level */
#define GVA	0x00007f1234560000ULL

struct guest {
	struct fx_page pml4, pdpt, pd, pt, data, ro;
};

/* A guest's CPU writes its table; the unit sees it once flushed. */
static void gpte(struct fx_page *t, unsigned int idx, u64 val)
{
	u64 *e = (u64 *)t->va + idx;

	*e = val;
	hal_cache_flush_line(e);
	hal_fence();
}

static unsigned int idx(u64 va, unsigned int level)
{
	return (unsigned int)(va >> (12 + 9 * (level - 1))) & 511;
}

/*
 * IA-32e entries written by hand [SDM 3A 4.5]: P 0, R/W 1, U/S 2, A 5,
 * D 6; addresses are guest-physical.
 */
static void guest_build(struct guest *g, struct vtd_domain *d)
{
	const u64 tbl = 0x27, rw = 0x67;
	struct {
		u64 gpa;
		struct fx_page *p;
	} map[] = {
		{ G_PML4, &g->pml4 }, { G_PDPT, &g->pdpt }, { G_PD, &g->pd },
		{ G_PT, &g->pt }, { G_DATA, &g->data }, { G_RO, &g->ro },
	};
	unsigned int i;

	for (i = 0; i < 6; i++) {
		*map[i].p = fx_page_new();
		assert_int_equal(vtd_domain_map(d, vtd_iova_init(map[i].gpa),
						hal_paddr_init(map[i].p->pa),
						0x1000, VTD_PROT_READ |
						VTD_PROT_WRITE), 0);
	}
	gpte(&g->pml4, idx(GVA, 4), G_PDPT | tbl);
	gpte(&g->pdpt, idx(GVA, 3), G_PD | tbl);
	gpte(&g->pd, idx(GVA, 2), G_PT | tbl);
	gpte(&g->pt, idx(GVA, 1), G_DATA | rw);
	gpte(&g->pt, idx(GVA, 1) + 1, G_RO | rw);
	gpte(&g->pt, idx(GVA, 1) + 2, G_HOLE | rw);
}

static void guest_free(struct guest *g)
{
	fx_page_free(&g->pml4);
	fx_page_free(&g->pdpt);
	fx_page_free(&g->pd);
	fx_page_free(&g->pt);
	fx_page_free(&g->data);
	fx_page_free(&g->ro);
}

static struct pasid_req nested_params(struct vtd_domain *d,
						    u64 gpa)
{
	return (struct pasid_req){
		.type = REQ_NESTED, .domain = d,
		.fl_gpa = vtd_gpa_init(gpa), .fl_levels = 4,
	};
}

/*
 * [VT-d 3.8] Nested: IOVA -> GPA through the guest's table, whose table
 * pages are themselves found by GPA, then GPA -> HPA through the domain.
 */
static void test_pasid_nested_dma(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct pasid_req p;
	struct guest g;
	const u64 *pe;

	attach_dev(d, 0);
	guest_build(&g, d);
	/* The second level grants only read on G_RO. */
	assert_int_equal(vtd_domain_unmap(d, vtd_iova_init(G_RO), 0x1000), 0);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(G_RO),
					hal_paddr_init(g.ro.pa), 0x1000,
					VTD_PROT_READ), 0);
	p = nested_params(d, G_PML4);
	assert_int_equal(pasid_attach(u, SID, 9, &p), 0);
	pe = pasid_entry_of(9);
	assert_int_equal((pe[0] >> 6) & 7, 3);		/* PGTT nested */
	assert_int_equal(pe[2] & ~0xfffULL, G_PML4);	/* FLPTPTR: GPA */
	assert_int_equal(pe[0] & ~0xfffULL,			/* SLPTPTR */
			 pasid_entry_of(0)[0] & ~0xfffULL);
	assert_int_equal(pe[1] & 0xffff, pasid_entry_of(0)[1] & 0xffff);

	expect(9, GVA + 0x44, true, false, 0, g.data.pa + 0x44);
	expect(9, GVA + 0x1010, false, false, 0, g.ro.pa + 0x10);
	/* FL allows the write, the second level does not. */
	expect(9, GVA + 0x1010, true, false, 0x85, 0);
	/* The output GPA is not mapped by the second level. */
	expect(9, GVA + 0x2000, false, false, 0x86, 0);
	/* A guest table the second level does not map: 0x76 below the root. */
	gpte(&g.pd, idx(GVA, 2) + 1, G_HOLE | 0x27);
	expect(9, GVA + 0x200000, false, false, 0x76, 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 9), 0);
	/* A root the second level does not map: 0x75. */
	p = nested_params(d, G_HOLE);
	assert_int_equal(pasid_attach(u, SID, 9, &p), 0);
	expect(9, GVA, false, false, 0x75, 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 9), 0);
	expect(9, GVA, false, false, 0x59, 0);

	fx_detach_destroy(SID, d);
	guest_free(&g);
}

/* ---- Second-level and pass-through PASIDs -------------------------------- */

static void test_pasid_sl_and_pt(void **state)
{
	struct vtd_domain *d = paging_domain(), *d2 = paging_domain(), *pt;
	struct pasid_req p = { .type = REQ_SL };
	struct fx_page a = fx_page_new();

	assert_int_equal(vtd_domain_create(u, VTD_DOMAIN_PASSTHROUGH, 0, &pt),
			 0);
	attach_dev(d, 0);
	assert_int_equal(vtd_domain_map(d2, vtd_iova_init(IOVA),
					hal_paddr_init(a.pa), 0x1000,
					VTD_PROT_READ), 0);
	p.domain = d2;
	assert_int_equal(pasid_attach(u, SID, 100, &p), 0);
	assert_int_equal(vtd_domain_device_count(d2), 1);
	assert_int_equal((pasid_entry_of(100)[0] >> 6) & 7, 2);
	expect(100, IOVA + 4, false, false, 0, a.pa + 4);
	expect(100, IOVA + 4, true, false, 0x85, 0);
	/*
	 * ECAP.C = 0: the new table was flushed whole, so a neighbouring
	 * PASID reads as not present, not as whatever the line held.
	 */
	expect(102, IOVA, false, false, 0x59, 0);
	/* The domain cannot go while a PASID uses it. */
	assert_int_equal(vtd_domain_destroy(d2), -EBUSY);
	p.type = REQ_PT;
	p.domain = pt;
	assert_int_equal(pasid_attach(u, SID, 101, &p), 0);
	assert_int_equal((pasid_entry_of(101)[0] >> 6) & 7, 4);
	expect(101, 0x12345000, true, false, 0, 0x12345000);
	/* The device cannot be detached while PASIDs use its directory. */
	assert_int_equal(vtd_device_detach(u, SID), -EBUSY);
	/* Nor moved to another domain; its RID_PASID stays on @d. */
	{
		struct vtd_attach_params ap = { .rid_pasid = 0 };

		assert_int_equal(vtd_device_attach(u, SID, d2, &ap), -EBUSY);
		assert_int_equal(vtd_domain_device_count(d2), 1);
		assert_int_equal(vtd_domain_device_count(d), 1);
		expect(VTD_NO_PASID, IOVA, false, false, 0x86, 0);
	}
	assert_int_equal(vtd_pasid_detach(u, SID, 100), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 100), -ENOENT);
	expect(100, IOVA, false, false, 0x59, 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 101), 0);
	/* The table of PASIDs 64-127 emptied and was freed. */
	expect(100, IOVA, false, false, 0x51, 0);
	assert_null(pasid_entry_of(100));
	assert_int_equal(vtd_device_detach(u, SID), 0);
	assert_int_equal(vtd_domain_destroy(d2), 0);
	assert_int_equal(vtd_domain_destroy(pt), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
	fx_page_free(&a);
}

/* ---- Argument and capability checks -------------------------------------- */

static void test_pasid_attach_validation(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct pasid_req p;
	struct vtd_fl_pt pt, pt5;

	fl_init(&pt, 4);
	fl_init(&pt5, 5);
	p = fl_params(d, &pt);
	/* Not attached. */
	assert_int_equal(pasid_attach(u, SID, 5, &p), -ENOENT);
	attach_dev(d, 3);
	assert_int_equal(pasid_attach(u, SID, 3, &p), -EINVAL); /* RID */
	assert_int_equal(pasid_attach(u, SID, 1U << 20, &p), -EINVAL);
	assert_int_equal(pasid_attach(u, SID_OTHER, 5, &p), -ENOENT);
	assert_int_equal(pasid_attach(u, SID, 5, NULL), -EINVAL);
	/* 5-level without CAP.FL5LP. */
	p.fl = &pt5;
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EOPNOTSUPP);
	/* Nested: 5-level guest without FL5LP, 1-GiB without FL1GP. */
	p = nested_params(d, G_PML4);
	p.fl_levels = 5;
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EOPNOTSUPP);
	p.fl_levels = 4;
	p.fl_1g = true;
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EOPNOTSUPP);
	p.fl_1g = false;
	p.fl_gpa = vtd_gpa_init(G_PML4 + 8);
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EINVAL);
	/* PT needs a pass-through domain. */
	p = (struct pasid_req){ .type = REQ_PT,
					      .domain = d };
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EINVAL);
	p = fl_params(d, &pt);
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EBUSY);
	assert_int_equal(vtd_pasid_detach(u, SID, 6), -ENOENT);
	assert_int_equal(vtd_pasid_detach(u, SID, 3), -ENOENT);	/* RID */
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);
	vtd_fl_pt_destroy(&pt5);
}

/* A unit without ECAP.FLTS / NEST / PASID refuses those types. */
static void test_pasid_attach_needs_caps(void **state)
{
	struct vtd_domain *d;
	struct pasid_req p;
	struct vtd_fl_pt pt;

	fx_unit_down();
	fx_unit_up(FAKE_DMAR_QEMU_CAP_SM,
		   FAKE_DMAR_QEMU_ECAP_SM | (19ULL << 35), NULL);
	d = paging_domain();
	attach_dev(d, 0);
	fl_init(&pt, 4);
	p = fl_params(d, &pt);
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EOPNOTSUPP);
	p = nested_params(d, G_PML4);
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EOPNOTSUPP);
	/* Second-level PASIDs need only scalable mode and ECAP.PASID. */
	p = (struct pasid_req){ .type = REQ_SL,
					      .domain = d };
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);

	/* Without ECAP.PASID (bit 40), nothing. */
	fx_unit_down();
	fx_unit_up(FAKE_DMAR_QEMU_CAP_SM,
		   with_bit(ECAP_TEST, 40, false), NULL);
	d = paging_domain();
	attach_dev(d, 0);
	p = (struct pasid_req){ .type = REQ_SL,
					      .domain = d };
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EOPNOTSUPP);
	fx_detach_destroy(SID, d);
}

/* ---- Descriptor streams [VT-d 6.5.3.3] ----------------------------------- */

static void test_pasid_descriptors_cm(void **state)
{
	struct vtd_domain *d = paging_domain(), *d2 = paging_domain();
	struct pasid_req p;
	struct vtd_ats_params ats = { .queue_depth = 4, .pfsid = SID };
	struct vtd_fl_pt pt;
	u16 did, did2;

	assert_int_equal(vtd_device_set_ats(u, SID, &ats), 0);
	assert_int_equal(vtd_device_attach(u, SID, d, NULL), 0);
	did = pasid_entry_of(0)[1] & 0xffff;
	fl_init(&pt, 4);
	p = fl_params(d, &pt);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	/* PASIDE set: CC device; CM: PC (DID, PASID), PASID-based IOTLB. */
	assert_int_equal(dmar.log_len, 4);
	assert_int_equal(fx_log_type(0), 1);
	assert_int_equal((dmar.log[0].qw[0] >> 4) & 3, 3);	/* device */
	assert_int_equal((dmar.log[0].qw[0] >> 32) & 0xffff, SID);
	assert_int_equal(fx_log_type(1), 7);
	assert_int_equal((dmar.log[1].qw[0] >> 4) & 3, 1);	/* PASID */
	assert_int_equal((dmar.log[1].qw[0] >> 16) & 0xffff, did);
	assert_int_equal((dmar.log[1].qw[0] >> 32) & 0xfffff, 5);
	assert_int_equal(fx_log_type(2), 6);
	assert_int_equal((dmar.log[2].qw[0] >> 4) & 3, 2);	/* PASID */
	assert_int_equal((dmar.log[2].qw[0] >> 16) & 0xffff, did);
	assert_int_equal((dmar.log[2].qw[0] >> 32) & 0xfffff, 5);
	assert_int_equal(fx_log_type(3), 5);

	/* A second PASID: PASIDE already set, no context-cache step. */
	p = (struct pasid_req){ .type = REQ_SL,
					      .domain = d2 };
	fake_dmar_log_clear(&dmar);
	assert_int_equal(pasid_attach(u, SID, 70, &p), 0);
	did2 = pasid_entry_of(70)[1] & 0xffff;
	assert_int_not_equal(did2, did);
	assert_int_equal(dmar.log_len, 3);
	assert_int_equal(fx_log_type(0), 7);
	assert_int_equal(fx_log_type(1), 2);			/* IOTLB */
	assert_int_equal((dmar.log[1].qw[0] >> 4) & 3, 2);	/* DSI */
	assert_int_equal((dmar.log[1].qw[0] >> 16) & 0xffff, did2);
	assert_int_equal(fx_log_type(2), 5);

	/* FL teardown: PC, PASID-based IOTLB, PASID-based device TLB. */
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	assert_int_equal(dmar.log_len, 4);
	assert_int_equal(fx_log_type(0), 7);
	assert_int_equal((dmar.log[0].qw[0] >> 32) & 0xfffff, 5);
	assert_int_equal(fx_log_type(1), 6);
	assert_int_equal(fx_log_type(2), 8);
	assert_int_equal((dmar.log[2].qw[0] >> 16) & 0xffff, SID);
	assert_int_equal((dmar.log[2].qw[0] >> 32) & 0xfffff, 5);
	assert_int_equal(fx_log_type(3), 5);

	/* SL teardown of a table's last PASID: PC, PC global, DSI, dev-TLB. */
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_pasid_detach(u, SID, 70), 0);
	assert_int_equal(dmar.log_len, 5);
	assert_int_equal(fx_log_type(0), 7);
	assert_int_equal(fx_log_type(1), 7);
	assert_int_equal((dmar.log[1].qw[0] >> 4) & 3, 3);	/* global */
	assert_int_equal(fx_log_type(2), 2);
	assert_int_equal((dmar.log[2].qw[0] >> 16) & 0xffff, did2);
	assert_int_equal(fx_log_type(3), 8);
	assert_int_equal(fx_log_type(4), 5);
	assert_int_equal(vtd_domain_device_count(d2), 0);

	fx_detach_destroy(SID, d);
	assert_int_equal(vtd_domain_destroy(d2), 0);
	vtd_fl_pt_destroy(&pt);
}

/* Without caching mode a new entry needs no invalidation (PASIDE aside). */
static void test_pasid_descriptors_nocm(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct pasid_req p;
	struct vtd_fl_pt pt;

	attach_dev(d, 0);
	fl_init(&pt, 4);
	p = fl_params(d, &pt);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	assert_int_equal(dmar.log_len, 2);
	assert_int_equal(fx_log_type(0), 1);
	assert_int_equal(fx_log_type(1), 5);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(pasid_attach(u, SID, 6, &p), 0);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 6), 0);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);
}

/* ---- Mutations: the model's PASID cache and IOTLB are really used -------- */

/*
 * [VT-d 6.5.3.3] Tear a PASID down, then attach it again with the same
 * DID and another translation. @first and @second are FL (page @a, @b)
 * or SL (domain maps IOVA to @a). With the IOTLB step of the teardown
 * ignored (@ignore), the old leaf stays and the new attachment sees it.
 */
static u64 reattach_sequence(u32 ignore, bool fl_first)
{
	struct vtd_domain *d = paging_domain();
	struct fx_page a = fx_page_new(), b = fx_page_new();
	struct pasid_req p;
	struct vtd_fl_pt pt;
	u64 hpa = 0;

	/* A previous mutated run may have left stale entries behind. */
	fake_dmar_caches_reset(&dmar);
	attach_dev(d, 0);
	assert_int_equal(vtd_domain_map(d, vtd_iova_init(IOVA),
					hal_paddr_init(a.pa), 0x1000,
					VTD_PROT_READ), 0);
	fl_init(&pt, 4);
	fl_map(&pt, IOVA, b.pa, VTD_PROT_READ | VTD_PROT_USER);
	p = fl_params(d, &pt);
	if (!fl_first)
		p.type = REQ_SL;
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	assert_int_equal(dma(5, IOVA, false, &hpa), 0);
	assert_int_equal(hpa, fl_first ? b.pa : a.pa);
	dmar.inv_ignore = ignore;
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	dmar.inv_ignore = 0;
	p.type = fl_first ? REQ_SL : REQ_FL;
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	assert_int_equal(dma(5, IOVA, false, &hpa), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	/*
	 * A mutated teardown left entries of the first attachment cached
	 * (paging-structure entries pointing into its tables among them):
	 * drop them, as a reset would, before the tables are freed.
	 */
	if (ignore)
		fake_dmar_caches_reset(&dmar);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);
	/* Report which page the second attachment reached: 1 = b, 0 = a. */
	hpa = hpa == b.pa;
	fx_page_free(&a);
	fx_page_free(&b);
	return hpa;
}

static void test_pasid_mutation_piotlb_needed_for_fl(void **state)
{
	/* Correct: the SL attachment reaches a. */
	assert_int_equal(reattach_sequence(0, true), 0);
	/* Without type 6 the stale first-level leaf (b) is used. */
	assert_int_equal(reattach_sequence(1U << 6, true), 1);
	/* Type 2 alone does not drop a first-level leaf. */
	assert_int_equal(reattach_sequence(1U << 2, true), 0);
}

static void test_pasid_mutation_dsi_needed_for_sl(void **state)
{
	assert_int_equal(reattach_sequence(0, false), 1);
	/* Without the domain-selective IOTLB step the SL leaf (a) stays. */
	assert_int_equal(reattach_sequence(1U << 2, false), 0);
	/* Type 6 alone does not drop a second-level leaf. */
	assert_int_equal(reattach_sequence(1U << 6, false), 1);
}

/* Without the PASID-cache step a detached PASID still translates. */
static void test_pasid_mutation_pc_needed_on_detach(void **state)
{
	struct fl_env e;
	u64 hpa;


	fl_env_init(&e);
	assert_int_equal(pasid_attach(u, SID, 5, &e.p), 0);
	assert_int_equal(dma(5, IOVA, false, &hpa), 0);
	/* Ignore type 7 and type 6: only the cached PASID entry remains. */
	dmar.inv_ignore = (1U << 7) | (1U << 6);
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	dmar.inv_ignore = 0;
	/* Stale: the cached entry still points to the FL table. */
	assert_int_equal(dma(5, IOVA + 0x10, false, &hpa), 0);
	assert_int_equal(hpa, e.a.pa + 0x10);
	fake_dmar_caches_reset(&dmar);
	assert_int_equal(dma(5, IOVA, false, NULL), 0x59);
	/* Done properly. */
	assert_int_equal(pasid_attach(u, SID, 5, &e.p), 0);
	assert_int_equal(dma(5, IOVA, false, NULL), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	assert_int_equal(dma(5, IOVA, false, NULL), 0x59);
	fl_env_fini(&e);
}

/* Under caching mode a cached not-present entry hides a new PASID. */
static void test_pasid_mutation_pc_needed_on_attach_cm(void **state)
{
	struct fl_env e;
	int pass;


	fl_env_init(&e);
	/* PASID 6 sets PASIDE, so requests with PASID 5 reach its entry. */
	assert_int_equal(pasid_attach(u, SID, 6, &e.p), 0);
	for (pass = 0; pass < 2; pass++) {
		assert_int_equal(dma(5, IOVA, false, NULL), 0x59);
		dmar.inv_ignore = pass ? 0 : 1U << 7;
		assert_int_equal(pasid_attach(u, SID, 5, &e.p), 0);
		dmar.inv_ignore = 0;
		/* Ignored: the cached not-present result stays. */
		assert_int_equal(dma(5, IOVA, false, NULL), pass ? 0 : 0x59);
		assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	}
	assert_int_equal(vtd_pasid_detach(u, SID, 6), 0);
	fl_env_fini(&e);
}

/* ---- Failure injection and retry ----------------------------------------- */

/*
 * Every allocation of an attach that needs a new PASID table and a new
 * domain ID fails in turn: nothing changes, no descriptor is issued.
 */
static void test_pasid_attach_nth_allocation_fails(void **state)
{
	struct vtd_domain *d = paging_domain(), *d2 = paging_domain();
	struct pasid_req p = { .type = REQ_SL,
					     .domain = d2 };
	u64 nth, pages;
	int ret = -ENOMEM;

	attach_dev(d, 0);
	expect(6, IOVA, false, false, 0x45, 0);
	for (nth = 1; ret == -ENOMEM; nth++) {
		assert_true(nth < 10);
		pages = fake_mem_pages_in_use();
		fake_dmar_log_clear(&dmar);
		fake_mem_fail_nth(nth, false);
		ret = pasid_attach(u, SID, 200, &p);
		fake_mem_fail_nth(0, false);
		if (ret == -ENOMEM) {
			assert_int_equal(fake_mem_pages_in_use(), pages);
			assert_int_equal(dmar.log_len, 0);
			assert_int_equal(vtd_domain_device_count(d2), 0);
			assert_false(ctx_q0() & (1ULL << 3));
		}
	}
	assert_int_equal(ret, 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 200), 0);
	fx_detach_destroy(SID, d);
	assert_int_equal(vtd_domain_destroy(d2), 0);
}

/* A detach whose invalidation fails is finished by the next call. */
static void test_pasid_detach_retry_after_timeout(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct pasid_req p = { .type = REQ_SL,
					     .domain = d };

	attach_dev(d, 0);
	assert_int_equal(pasid_attach(u, SID, 300, &p), 0);
	dmar.wait_never_completes = true;
	assert_int_equal(vtd_pasid_detach(u, SID, 300), -ETIMEDOUT);
	dmar.wait_never_completes = false;
	/* Blocked already: the directory entry is not present. */
	fake_dmar_caches_reset(&dmar);
	expect(300, IOVA, false, false, 0x51, 0);
	assert_int_equal(vtd_device_detach(u, SID), -EBUSY);
	assert_int_equal(vtd_pasid_detach(u, SID, 300), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 300), -ENOENT);
	fx_detach_destroy(SID, d);
}

/* ---- Coherent unit, 5-level and 1-GiB first-level tables ----------------- */

static void test_pasid_fl_5level_1g_coherent(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct vtd_fl_pt_config c = { .levels = 5, .haw = 46,
				      .large_pages = VTD_FL_PT_LP_1G,
				      .coherent = true, .user = true };
	struct pasid_req p;
	struct vtd_fl_pt pt;
	u64 va = 0x0080000000000000ULL;		/* needs 57-bit input */

	attach_dev(d, 0);
	assert_int_equal(vtd_fl_pt_init(&pt, &c), 0);
	/* A 1-GiB leaf onto (not backed) host space: translation only. */
	assert_int_equal(vtd_fl_pt_map(&pt, vtd_iova_init(va),
				       hal_paddr_init(0x40000000ULL),
				       0x40000000ULL, VTD_PROT_READ), 0);
	p = fl_params(d, &pt);
	assert_int_equal(pasid_attach(u, SID, 5, &p), 0);
	assert_int_equal((pasid_entry_of(5)[2] >> 2) & 3, 1);	/* FLPM */
	expect(5, va + 0x12345678, false, false, 0, 0x52345678);
	expect(5, va + 0x12345678, true, false, 0x85, 0);
	/* 57-bit canonical: bit 56 set needs bits 63:57 set. */
	expect(5, 1ULL << 56, false, false, 0x80, 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 5), 0);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);
}

/* A table built for coherent walks is refused by a unit with ECAP.C = 0. */
static void test_pasid_fl_coherent_table_needs_coherent_unit(void **state)
{
	struct vtd_domain *d = paging_domain();
	struct vtd_fl_pt_config c = { .levels = 4, .haw = 46,
				      .coherent = true };
	struct pasid_req p;
	struct vtd_fl_pt pt;

	attach_dev(d, 0);
	assert_int_equal(vtd_fl_pt_init(&pt, &c), 0);
	p = fl_params(d, &pt);
	assert_int_equal(pasid_attach(u, SID, 5, &p), -EOPNOTSUPP);
	fx_detach_destroy(SID, d);
	vtd_fl_pt_destroy(&pt);
}

/*
 * vtd_pasid_flush(): after the caller unmaps a page of a first-level
 * PASID's table, the model keeps serving the cached translation until
 * the flush, whose page-selective PASID-based IOTLB descriptor names the
 * PASID, the DID and the page.
 */
static void test_pasid_flush_after_fl_unmap(void **state)
{
	unsigned int i, piotlb = 0, waits = 0;
	struct vtd_fl_gather g;
	struct fl_env e;
	struct fx_page b;
	u64 hpa;

	fl_env_init(&e);
	b = fx_page_new();
	fl_map(&e.pt, IOVA + 0x1000, b.pa, VTD_PROT_READ | VTD_PROT_USER);
	assert_int_equal(pasid_attach(u, SID, 9, &e.p), 0);
	assert_int_equal(dma(9, IOVA, false, &hpa), 0);	/* now cached */
	assert_int_equal(hpa, e.a.pa);

	vtd_fl_pt_gather_init(&g);
	assert_int_equal(vtd_fl_pt_unmap(&e.pt, vtd_iova_init(IOVA), 0x1000,
					 &g), 0);
	/* Not yet invalidated: the model's IOTLB still has the page. */
	assert_int_equal(dma(9, IOVA, false, &hpa), 0);
	assert_int_equal(hpa, e.a.pa);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_pasid_flush(u, SID, 9, vtd_iova_init(IOVA),
					 0x1000, !g.freed_pages), 0);
	vtd_fl_pt_gather_release(&g);
	for (i = 0; i < dmar.log_len; i++) {
		const struct fake_dmar_desc *x = &dmar.log[i];

		if (fx_log_type(i) == 5) {
			waits++;
			continue;
		}
		assert_int_equal(fx_log_type(i), 6);
		assert_int_equal((x->qw[0] >> 4) & 3, 3);	/* page */
		assert_int_equal((x->qw[0] >> 32) & 0xfffff, 9);	/* PASID */
		assert_int_equal(x->qw[1] & ~0xfffULL, IOVA);
		assert_int_equal(x->qw[1] & 0x3f, 0);		/* AM */
		piotlb++;
	}
	assert_int_equal(piotlb, 1);
	assert_int_equal(waits, 1);
	expect(9, IOVA, false, false, 0x71, 0);
	expect(9, IOVA + 0x1000, false, false, 0, b.pa);

	/*
	 * Errors: not attached, the RID_PASID of a second-level domain and
	 * a second-level PASID (nothing first-level to flush), range.
	 */
	assert_int_equal(vtd_pasid_flush(u, SID, 10, vtd_iova_init(IOVA),
					 0x1000, true), -ENOENT);
	assert_int_equal(vtd_pasid_flush(u, SID, 0, vtd_iova_init(IOVA),
					 0x1000, true), -EINVAL);
	assert_int_equal(vtd_pasid_flush(u, SID, 9, vtd_iova_init(IOVA + 1),
					 0x1000, true), -EINVAL);
	e.p = (struct pasid_req){ .type = REQ_SL,
					       .domain = e.d };
	assert_int_equal(pasid_attach(u, SID, 11, &e.p), 0);
	assert_int_equal(vtd_pasid_flush(u, SID, 11, vtd_iova_init(IOVA),
					 0x1000, true), -EINVAL);
	assert_int_equal(vtd_pasid_detach(u, SID, 11), 0);
	assert_int_equal(vtd_pasid_detach(u, SID, 9), 0);
	fl_env_fini(&e);
	fx_page_free(&b);
}

/* ---- PASID width [VT-d 11.4.3: ECAP.PSS] --------------------------------- */

/* ECAP.PSS (39:35) of the test's unit: PASIDs are PSS + 1 bits wide. */
static unsigned int pss_bits(void)
{
	return (unsigned int)((dmar.ecap >> 35) & 0x1f) + 1;
}

/*
 * [VT-d 11.4.3] A unit with ECAP.PSS = N takes PASIDs of N + 1 bits:
 * vtd_pasid_attach_sl() accepts the largest, 2^(N + 1) - 1, which then
 * translates, and refuses the next with -EINVAL, changing nothing.
 */
static void test_pasid_width_follows_pss(void **state)
{
	struct vtd_domain *d = paging_domain(), *d2 = paging_domain();
	u32 max = (1U << pss_bits()) - 1;
	struct fx_page a = fx_page_new();
	u64 pages;

	attach_dev(d, 0);
	fx_map(d2, IOVA, a.pa, 0x1000, VTD_PROT_READ);
	pages = fake_mem_pages_in_use();
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_pasid_attach_sl(u, SID, max + 1, d2, 0), -EINVAL);
	assert_int_equal(fake_mem_pages_in_use(), pages);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(vtd_domain_device_count(d2), 0);
	assert_int_equal(vtd_pasid_attach_sl(u, SID, max, d2, 0), 0);
	assert_int_equal(vtd_domain_device_count(d2), 1);
	expect(max, IOVA + 8, false, false, 0, a.pa + 8);
	assert_int_equal(vtd_pasid_detach(u, SID, max), 0);
	fx_detach_destroy(SID, d);
	assert_int_equal(vtd_domain_destroy(d2), 0);
	fx_page_free(&a);
}

/*
 * [VT-d 9.4, 11.4.3] The RID_PASID of vtd_device_attach() must lie in the
 * PASID directory the unit's ECAP.PSS sizes: with PSS = 13 (14-bit
 * PASIDs) that is 2^8 entries of 64 PASIDs, so 2^14 - 1 is the largest
 * RID_PASID accepted (and translates) and 2^14 is refused with -EINVAL,
 * leaving the device blocked. (Below PSS = 13 the directory has its
 * minimum size, 2^7 entries, whatever PSS says.)
 */
static void test_pasid_rid_pasid_width_follows_pss(void **state)
{
	struct vtd_domain *d = paging_domain();
	u32 max = (1U << pss_bits()) - 1;
	struct vtd_attach_params big = { .rid_pasid = max + 1 };
	struct vtd_attach_params ok = { .rid_pasid = max };
	struct fx_page a = fx_page_new();

	assert_true(pss_bits() > 13);
	fx_map(d, IOVA, a.pa, 0x1000, VTD_PROT_READ);
	assert_int_equal(vtd_device_attach(u, SID, d, &big), -EINVAL);
	assert_int_equal(vtd_domain_device_count(d), 0);
	assert_null(fx_ctx_of(SID));
	assert_int_equal(vtd_device_attach(u, SID, d, &ok), 0);
	assert_int_equal(fx_ctx_of(SID)[1] & 0xfffff, max);	/* RID_PASID */
	assert_int_equal(fx_dma_hpa(SID, FAKE_DMAR_NO_PASID, IOVA + 8),
			 a.pa + 8);
	fx_detach_destroy(SID, d);
	fx_page_free(&a);
}

int main(void)
{
	/* Caching mode (QEMU's caching-mode=on), ECAP.C = 0. */
	const struct fx_unit cm = {
		.cap = FAKE_DMAR_QEMU_CAP_SM, .ecap = ECAP_TEST,
	};
	/* No caching mode: not-present entries are never cached. */
	const struct fx_unit nocm = {
		.cap = with_bit(FAKE_DMAR_QEMU_CAP_SM, 7, false),
		.ecap = ECAP_TEST,
	};
	/* Coherent walks (ECAP.C = 1), no caching mode, 5-level, 1-GiB FL. */
	const struct fx_unit coherent = {
		.cap = with_bit(with_bit(nocm.cap, CAP_FS1GP, true),
				CAP_FS5LP, true),
		.ecap = ECAP_TEST | 1,
	};
	/* ECAP.PSS = 4: 5-bit PASIDs. */
	const struct fx_unit pss4 = {
		.cap = FAKE_DMAR_QEMU_CAP_SM,
		.ecap = (ECAP_TEST & ~(0x1fULL << 35)) | (4ULL << 35),
	};
	/* ECAP.PSS = 13: 14-bit PASIDs, a PASID directory of 2^8 entries. */
	const struct fx_unit pss13 = {
		.cap = FAKE_DMAR_QEMU_CAP_SM,
		.ecap = (ECAP_TEST & ~(0x1fULL << 35)) | (13ULL << 35),
	};
#define TM(f) FX_TEST(f, &cm)
#define TN(f) FX_TEST(f, &nocm)
#define TK(f) FX_TEST(f, &coherent)
	const struct CMUnitTest tests[] = {
		TM(test_pasid_fl_dma_and_permissions),
		TN(test_pasid_fl_wpe_and_sre),
		TM(test_pasid_nested_dma),
		TM(test_pasid_sl_and_pt),
		TM(test_pasid_attach_validation),
		TM(test_pasid_attach_needs_caps),
		TM(test_pasid_descriptors_cm),
		TN(test_pasid_descriptors_nocm),
		TN(test_pasid_mutation_piotlb_needed_for_fl),
		TN(test_pasid_mutation_dsi_needed_for_sl),
		TM(test_pasid_mutation_pc_needed_on_detach),
		TM(test_pasid_mutation_pc_needed_on_attach_cm),
		TM(test_pasid_attach_nth_allocation_fails),
		TM(test_pasid_detach_retry_after_timeout),
		TK(test_pasid_fl_5level_1g_coherent),
		TM(test_pasid_fl_coherent_table_needs_coherent_unit),
		TN(test_pasid_flush_after_fl_unmap),
		FX_TEST(test_pasid_width_follows_pss, &pss4),
		FX_TEST(test_pasid_width_follows_pss, &pss13),
		FX_TEST(test_pasid_rid_pasid_width_follows_pss, &pss13),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
