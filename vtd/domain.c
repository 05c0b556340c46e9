// SPDX-License-Identifier: BSD-2-Clause
/*
 * Domains and device attachment [VT-d 3.4-3.7, 6.5.3, 9.1-9.6]: root and
 * context tables (legacy and scalable mode), the PASID directory and the
 * RID_PASID entry of scalable mode, domain IDs per unit, RMRR identity
 * maps, and the invalidations each change needs.
 *
 * Every attach first validates and pre-allocates, then commits with
 * stores that cannot fail, in an order the hardware can observe safely:
 * lower structures (PASID entry, directory entry) are written and made
 * visible before the entry that points to them turns present, and a
 * present entry is turned not-present before it is rewritten.
 */
#include <hal/hal.h>
#include <vtd/domain.h>
#include <vtd/pt_fl.h>
#include <vtd/pt_sl.h>

#include "psi.h"
#include "tables.h"
#include "unit.h"

#define VTD_DOMAIN_RSV_MAX	16

struct vtd_domain_unit {
	struct vtd_unit *u;
	u16 did;
	u32 devices;
};

struct vtd_domain {
	struct hal_spinlock lock;
	enum vtd_domain_type type;
	struct vtd_sl_pt pt;
	u64 cap_tmpl;			/* CAP of the unit it was shaped for */
	u32 devices;
	struct vtd_domain_unit units[CONFIG_VTD_MAX_UNITS];
	/* RMRR identity maps: kept while the domain lives. */
	struct {
		u64 base;
		u64 size;
	} rsv[VTD_DOMAIN_RSV_MAX];
	u32 rsv_count;
	/* Devices with ATS: their TLBs are invalidated with the IOTLB. */
	struct {
		struct vtd_unit *u;
		struct vtd_dev_tlb tlb;
	} ats[VTD_DEV_TLB_MAX];
	u32 ats_count;
};
_Static_assert(sizeof(struct vtd_domain) <= HAL_PAGE_SIZE,
	       "struct vtd_domain fits one page");

/* ---- Cache-line flushing for units with ECAP.C = 0 --------------------- */

/*
 * The distinct cache lines an update dirtied: each is flushed once, then
 * one fence orders them before what follows [VT-d 6.1]. Set n = 0 to
 * start; the array is not zeroed (that would cost a memset call).
 */
struct flush_set {
	const struct vtd_unit *u;
	uintptr_t line[16];
	unsigned int n;
};

/* Start an empty set for @u (the line array is not zeroed: no memset). */
static void fs_init(struct flush_set *f, const struct vtd_unit *u)
{
	f->u = u;
	f->n = 0;
}

static void fs_add(struct flush_set *f, const void *va, size_t len)
{
	uintptr_t p = (uintptr_t)va & ~(uintptr_t)(HAL_CACHE_LINE - 1);
	uintptr_t end = (uintptr_t)va + len;
	unsigned int i;

	if (f->u->coherent)
		return;		/* the unit snoops: nothing to write back */
	for (; p < end; p += HAL_CACHE_LINE) {
		for (i = 0; i < f->n && f->line[i] != p; i++)
			;
		if (i == f->n && f->n < ARRAY_SIZE(f->line))
			f->line[f->n++] = p;
		else if (i == f->n)
			hal_cache_flush_line((const void *)p);
	}
}

static void fs_commit(struct flush_set *f)
{
	unsigned int i;

	if (!f->u->coherent) {
		for (i = 0; i < f->n; i++)
			hal_cache_flush_line((const void *)f->line[i]);
		hal_fence();
	}
	f->n = 0;
}

/* ---- Domains ------------------------------------------------------------ */

/* [VT-d 11.4.2] SAGAW bit for a table depth: bit 1 = 3 levels, ... */
static bool unit_has_levels(const struct vtd_unit *u, unsigned int levels)
{
	return FIELD_GET(VTD_CAP_SAGAW, u->cap) & (1U << (levels - 2));
}

int vtd_domain_create(struct vtd_unit *u, enum vtd_domain_type type,
		      unsigned int aw, struct vtd_domain **out)
{
	struct vtd_sl_pt_config cfg = { 0 };
	unsigned int mgaw, levels, max_aw = 0;
	struct vtd_domain *d;
	int ret;

	if (!u || !out || (type != VTD_DOMAIN_PAGING &&
			   type != VTD_DOMAIN_PASSTHROUGH))
		return VTD_ERR(-EINVAL);
	*out = NULL;
	if (type == VTD_DOMAIN_PASSTHROUGH && !(u->ecap & VTD_ECAP_PT))
		return VTD_ERR(-EOPNOTSUPP);
	mgaw = (unsigned int)FIELD_GET(VTD_CAP_MGAW, u->cap) + 1;
	for (levels = 5; levels >= 3; levels--) {
		if (unit_has_levels(u, levels)) {
			max_aw = 12 + 9 * levels;
			break;
		}
	}
	if (max_aw > mgaw)
		max_aw = mgaw;
	if (!aw)
		aw = max_aw;
	if (aw < VTD_SL_PT_AW_MIN || aw > max_aw)
		return VTD_ERR(-EOPNOTSUPP);

	d = hal_page_alloc(0);
	if (!d)
		return VTD_ERR(-ENOMEM);
	hal_spin_init(&d->lock);
	d->type = type;
	d->cap_tmpl = u->cap;
	if (type == VTD_DOMAIN_PAGING) {
		cfg.aw = aw;
		/* The library maps host memory; 52 bits is x86's maximum. */
		cfg.haw = 52;
		cfg.large_pages = (unsigned int)FIELD_GET(VTD_CAP_SSLPS,
							  u->cap) &
				  (VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G);
		/* [VT-d 9.8] SNP is reserved unless ECAP.SC. */
		cfg.snoop = u->ecap & VTD_ECAP_SC;
		cfg.coherent = u->coherent;
		cfg.merge = true;
		ret = vtd_sl_pt_init(&d->pt, &cfg);
		if (ret) {
			hal_page_free(d, 0);
			return ret;
		}
		/* The depth must be one the unit offers. */
		if (!unit_has_levels(u, d->pt.levels)) {
			vtd_sl_pt_destroy(&d->pt);
			hal_page_free(d, 0);
			return VTD_ERR(-EOPNOTSUPP);
		}
	}
	*out = d;
	return 0;
}

int vtd_domain_destroy(struct vtd_domain *d)
{
	if (!d)
		return VTD_ERR(-EINVAL);
	if (d->devices)
		return VTD_ERR(-EBUSY);
	if (d->type == VTD_DOMAIN_PAGING)
		vtd_sl_pt_destroy(&d->pt);
	hal_page_free(d, 0);
	return 0;
}

u32 vtd_domain_device_count(const struct vtd_domain *d)
{
	return d->devices;
}

/* Invalidate [start, end) on every unit @d is attached to. */
static int domain_flush_locked(struct vtd_domain *d, u64 start, u64 end,
			       bool leaf_only)
{
	unsigned int i;
	int ret = 0, r;

	hal_lock_assert_held(&d->lock);
	if (start >= end)
		return 0;
	for (i = 0; i < ARRAY_SIZE(d->units); i++) {
		struct vtd_dev_tlb devs[VTD_DEV_TLB_MAX];
		unsigned int k, n = 0;

		if (!d->units[i].u)
			continue;
		for (k = 0; k < d->ats_count; k++) {
			if (d->ats[k].u == d->units[i].u)
				devs[n++] = d->ats[k].tlb;
		}
		r = vtd_inv_range(d->units[i].u, d->units[i].did, start,
				  end - start, leaf_only, devs, n);
		ret = ret ? ret : r;
	}
	return ret;
}

static bool domain_caching_mode_locked(const struct vtd_domain *d)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d->units); i++) {
		if (d->units[i].u && (d->units[i].u->cap & VTD_CAP_CM))
			return true;
	}
	return false;
}

static int map_locked(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t pa,
		      u64 size, u32 prot)
{
	struct vtd_iotlb_gather g;
	u64 start = vtd_iova_val(iova);
	u64 tables = d->pt.table_pages;
	unsigned int i;
	bool leaf_only;
	int ret, r;

	hal_lock_assert_held(&d->lock);
	if (d->type != VTD_DOMAIN_PAGING)
		return VTD_ERR(-EINVAL);
	vtd_sl_pt_gather_init(&g);
	ret = vtd_sl_pt_map(&d->pt, iova, pa, size,
			    (prot & VTD_PROT_READ ? VTD_SL_PROT_READ : 0) |
			    (prot & VTD_PROT_WRITE ? VTD_SL_PROT_WRITE : 0),
			    &g);
	if (ret)
		return ret;
	/*
	 * A merge replaced a table by a large leaf: the paging-structure
	 * caches hold the old table, so invalidate without the leaf hint
	 * before the table is freed.
	 */
	if (g.freed_pages || g.start < g.end)
		ret = domain_flush_locked(d, g.start, g.end, false);
	/*
	 * [VT-d 6.1] Under caching mode the unit may cache not-present
	 * entries: a new translation must be invalidated like a changed one.
	 * [VT-d 6.5.2.3] IH (leaf only) is allowed only when no non-leaf
	 * entry changed: a map that linked new tables turned not-present
	 * non-leaf entries present, which the paging-structure caches may
	 * hold, so then IH is 0.
	 */
	leaf_only = !g.nonleaf && d->pt.table_pages == tables;
	if (domain_caching_mode_locked(d)) {
		r = domain_flush_locked(d, start, start + size, leaf_only);
		ret = ret ? ret : r;
	}
	/*
	 * [VT-d 6.8] Without caching mode nothing is invalidated, but a unit
	 * that reports CAP.RWBF may hold the new entries in its write buffer
	 * until software flushes it.
	 */
	for (i = 0; i < ARRAY_SIZE(d->units); i++) {
		struct vtd_unit *du = d->units[i].u;

		if (du && !(du->cap & VTD_CAP_CM) && (du->cap & VTD_CAP_RWBF)) {
			r = vtd_unit_flush_write_buffer(du);
			ret = ret ? ret : r;
		}
	}
	vtd_sl_pt_gather_release(&g);
	return ret;
}

int vtd_domain_map(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t pa,
		   u64 size, u32 prot)
{
	int ret;

	if (!d || !prot || (prot & ~(VTD_PROT_READ | VTD_PROT_WRITE)))
		return VTD_ERR(-EINVAL);
	hal_spin_lock(&d->lock);
	ret = map_locked(d, iova, pa, size, prot);
	hal_spin_unlock(&d->lock);
	return ret;
}

int vtd_domain_unmap(struct vtd_domain *d, vtd_iova_t iova, u64 size)
{
	u64 start = vtd_iova_val(iova);
	struct vtd_iotlb_gather g;
	unsigned int i;
	int ret;

	if (!d || d->type != VTD_DOMAIN_PAGING)
		return VTD_ERR(-EINVAL);
	hal_spin_lock(&d->lock);
	for (i = 0; i < d->rsv_count; i++) {
		if (start < d->rsv[i].base + d->rsv[i].size &&
		    d->rsv[i].base < start + size) {
			hal_spin_unlock(&d->lock);
			return VTD_ERR(-EBUSY);
		}
	}
	vtd_sl_pt_gather_init(&g);
	ret = vtd_sl_pt_unmap(&d->pt, iova, size, &g);
	if (!ret)
		ret = domain_flush_locked(d, g.start, g.end, !g.nonleaf);
	/*
	 * Even when an invalidation failed the pages are unreachable from
	 * the tables; they are released only after a successful flush, so
	 * a unit that may still cache them never walks freed memory.
	 */
	if (!ret)
		vtd_sl_pt_gather_release(&g);
	else if (g.freed_pages)
		hal_log(HAL_LOG_ERR, "vtd: %llu table pages leaked after a "
			"failed invalidation\n",
			(unsigned long long)g.freed_pages);
	hal_spin_unlock(&d->lock);
	return ret;
}

int vtd_domain_lookup(struct vtd_domain *d, vtd_iova_t iova, hal_paddr_t *pa,
		      u32 *prot)
{
	struct vtd_sl_pt_translation t;
	int ret;

	if (!d || !pa || !prot)
		return VTD_ERR(-EINVAL);
	if (d->type == VTD_DOMAIN_PASSTHROUGH) {
		*pa = hal_paddr_init(vtd_iova_val(iova));
		*prot = VTD_PROT_READ | VTD_PROT_WRITE;
		return 0;
	}
	hal_spin_lock(&d->lock);
	ret = vtd_sl_pt_lookup(&d->pt, iova, &t);
	hal_spin_unlock(&d->lock);
	if (ret)
		return ret;
	*pa = t.pa;
	*prot = (t.prot & VTD_SL_PROT_READ ? VTD_PROT_READ : 0) |
		(t.prot & VTD_SL_PROT_WRITE ? VTD_PROT_WRITE : 0);
	return 0;
}

/* ---- Root and context tables ------------------------------------------- */

static u64 *root_lo(struct vtd_unit *u, u8 bus)
{
	return &u->root[2 * bus];
}

static u64 *root_hi(struct vtd_unit *u, u8 bus)
{
	return &u->root[2 * bus + 1];
}

/*
 * The context table page that holds @devfn's entry, or NULL. Legacy: one
 * table per bus [VT-d 9.1]; scalable: lower (devfn < 128) and upper
 * tables [VT-d 9.2].
 */
static void *ctx_table(struct vtd_unit *u, u8 bus, u8 devfn)
{
	u64 e;

	if (!u->scalable) {
		e = READ_ONCE(*root_lo(u, bus));
		if (!(e & VTD_ROOT_LO_P))
			return NULL;
		return hal_phys_to_virt(hal_paddr_init(e & VTD_ROOT_LO_CTP));
	}
	if (devfn < 128) {
		e = READ_ONCE(*root_lo(u, bus));
		if (!(e & VTD_SM_ROOT_LO_LP))
			return NULL;
		return hal_phys_to_virt(hal_paddr_init(e & VTD_SM_ROOT_LO_LCTP));
	}
	e = READ_ONCE(*root_hi(u, bus));
	if (!(e & VTD_SM_ROOT_HI_UP))
		return NULL;
	return hal_phys_to_virt(hal_paddr_init(e & VTD_SM_ROOT_HI_UCTP));
}

/* Link a new, zeroed context table into the root entry of @bus. */
static void ctx_table_link(struct vtd_unit *u, u8 bus, u8 devfn, void *table,
			   struct flush_set *f)
{
	u64 pa = hal_paddr_val(hal_virt_to_phys(table));

	fs_add(f, table, HAL_PAGE_SIZE);
	fs_commit(f);	/* the table is zero in memory first */
	if (!u->scalable) {
		WRITE_ONCE(*root_lo(u, bus), (pa & VTD_ROOT_LO_CTP) |
					     VTD_ROOT_LO_P);
		fs_add(f, root_lo(u, bus), 8);
	} else if (devfn < 128) {
		WRITE_ONCE(*root_lo(u, bus), (pa & VTD_SM_ROOT_LO_LCTP) |
					     VTD_SM_ROOT_LO_LP);
		fs_add(f, root_lo(u, bus), 8);
	} else {
		WRITE_ONCE(*root_hi(u, bus), (pa & VTD_SM_ROOT_HI_UCTP) |
					     VTD_SM_ROOT_HI_UP);
		fs_add(f, root_hi(u, bus), 8);
	}
}

static struct vtd_ctx_entry *legacy_ctx(void *table, u8 devfn)
{
	return &((struct vtd_ctx_entry *)table)[devfn];
}

static struct vtd_sm_ctx_entry *sm_ctx(void *table, u8 devfn)
{
	return &((struct vtd_sm_ctx_entry *)table)[devfn % VTD_SM_CTX_ENTRIES];
}

/* Device slot of @sid, allocating the bus's block when @alloc. */
static struct vtd_dev *dev_slot(struct vtd_unit *u, u16 sid, bool alloc)
{
	u8 bus = (u8)(sid >> 8);

	if (!u->bus_devs[bus] && alloc)
		u->bus_devs[bus] = hal_page_alloc(VTD_BUS_DEVS_ORDER);
	if (!u->bus_devs[bus])
		return NULL;
	return &u->bus_devs[bus][sid & 0xff];
}

static void free_pasid_dir(struct vtd_dev *dv);

void vtd_unit_free_devices(struct vtd_unit *u)
{
	unsigned int bus, devfn;
	void *t;

	for (bus = 0; bus < 256; bus++) {
		if (u->bus_devs[bus]) {
			for (devfn = 0; devfn < 256; devfn++) {
				struct vtd_dev *dv = &u->bus_devs[bus][devfn];

				free_pasid_dir(dv);
			}
			hal_page_free(u->bus_devs[bus], VTD_BUS_DEVS_ORDER);
			u->bus_devs[bus] = NULL;
		}
		if (!u->root)
			continue;
		t = ctx_table(u, (u8)bus, 0);
		if (t)
			hal_page_free(t, 0);
		if (u->scalable) {
			t = ctx_table(u, (u8)bus, 128);
			if (t)
				hal_page_free(t, 0);
		}
		u->root[2 * bus] = 0;
		u->root[2 * bus + 1] = 0;
	}
}

/* ---- Attach and detach -------------------------------------------------- */

static struct vtd_domain_unit *domain_unit(struct vtd_domain *d,
					   const struct vtd_unit *u)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d->units); i++) {
		if (d->units[i].u == u)
			return &d->units[i];
	}
	return NULL;
}

/* Can @u walk @d's tables? [VT-d 3.7, 11.4.2] */
static int domain_fits_unit(const struct vtd_domain *d,
			    const struct vtd_unit *u)
{
	unsigned int lp;

	if (d->type == VTD_DOMAIN_PASSTHROUGH)
		return (u->ecap & VTD_ECAP_PT) ? 0 : VTD_ERR(-EOPNOTSUPP);
	lp = (unsigned int)FIELD_GET(VTD_CAP_SSLPS, u->cap);
	if (!unit_has_levels(u, d->pt.levels) ||
	    (d->pt.leaf_levels & BIT(2) && !(lp & VTD_SL_PT_LP_2M)) ||
	    (d->pt.leaf_levels & BIT(3) && !(lp & VTD_SL_PT_LP_1G)) ||
	    (d->pt.snoop && !(u->ecap & VTD_ECAP_SC)) ||
	    (d->pt.coherent && !u->coherent) ||
	    vtd_sl_pt_agaw(&d->pt) + 2 != d->pt.levels)
		return VTD_ERR(-EOPNOTSUPP);
	return 0;
}

/* PASID directory size for @u: 2^(PDTS + 7) entries [VT-d 9.4]. */
static unsigned int pasid_pdts(const struct vtd_unit *u)
{
	unsigned int bits = (unsigned int)FIELD_GET(VTD_ECAP_PSS, u->ecap) + 1;
	unsigned int entries_log2 = bits > 13 ? bits - 6 : 7;

	return entries_log2 - 7;
}

/* Pages for a directory of 2^(pdts + 7) 8-byte entries, as an order. */
static unsigned int pasid_dir_order(unsigned int pdts)
{
	u64 bytes = 8ULL << (pdts + 7);
	unsigned int order = 0;

	while ((HAL_PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* Everything an attach may need, allocated before any store is made. */
struct attach_prep {
	void *ctx_table;		/* new context table, or NULL */
	u64 *pasid_dir;
	unsigned int pasid_dir_order;
	struct vtd_pasid_entry *pasid_table;
	int did;			/* newly allocated DID, or -1 */
	int new_bus;			/* bus whose device block is new, or -1 */
};

static void prep_free(struct vtd_unit *u, struct attach_prep *p)
{
	if (p->ctx_table)
		hal_page_free(p->ctx_table, 0);
	if (p->pasid_dir)
		hal_page_free(p->pasid_dir, p->pasid_dir_order);
	if (p->pasid_table)
		hal_page_free(p->pasid_table, VTD_PASID_TABLE_ORDER);
	if (p->did > 0)
		vtd_unit_did_free_locked(u, (u16)p->did);
	if (p->new_bus >= 0) {
		hal_page_free(u->bus_devs[p->new_bus], VTD_BUS_DEVS_ORDER);
		u->bus_devs[p->new_bus] = NULL;
	}
}

/*
 * Scalable mode: the RID_PASID entry [VT-d 9.6]. Fields first, Present
 * last, each qword one store.
 */
static void write_pasid_entry(const struct vtd_unit *u,
			      const struct vtd_domain *d, u16 did,
			      bool fpd, struct vtd_pasid_entry *pe)
{
	u64 q0, q1 = FIELD_PREP(VTD_PE_Q1_DID, did);

	if (d->type == VTD_DOMAIN_PASSTHROUGH) {
		unsigned int lv;

		/* QEMU 7.2 checks AW even for pass-through (docs/QEMU.md 1). */
		for (lv = 5; lv > 3 && !unit_has_levels(u, lv); lv--)
			;
		q0 = FIELD_PREP(VTD_PE_Q0_PGTT, VTD_PE_PGTT_PT) |
		     FIELD_PREP(VTD_PE_Q0_AW, lv - 2);
	} else {
		q0 = FIELD_PREP(VTD_PE_Q0_PGTT, VTD_PE_PGTT_SL) |
		     FIELD_PREP(VTD_PE_Q0_AW, vtd_sl_pt_agaw(&d->pt)) |
		     (hal_paddr_val(d->pt.root_pa) & VTD_PE_Q0_SSPTPTR);
	}
	/* [VT-d 9.6] Page-walk snoop only where the unit offers it. */
	if (u->ecap & VTD_ECAP_SMPWCS)
		q1 |= VTD_PE_Q1_PWSNP;
	if (fpd)
		q0 |= VTD_PE_Q0_FPD;
	WRITE_ONCE(pe->qw[1], q1);
	WRITE_ONCE(pe->qw[0], q0 | VTD_PE_Q0_P);
}

/*
 * [VT-d 6.5.3.x Table 6-x] After a context (and, in scalable mode, PASID)
 * entry went from not-present to present: with caching mode, invalidate
 * the context cache for the device (DID 0 tags cached not-present
 * entries), the PASID cache for the RID_PASID, and the IOTLB for the
 * domain; without it the unit caches no not-present entry and only the
 * write buffer may need flushing.
 */
static int flush_after_present(struct vtd_unit *u, struct vtd_dev *dv,
			       u16 sid)
{
	struct vtd_qi_desc pc;
	int ret;

	if (!(u->cap & VTD_CAP_CM)) {
		if (u->cap & VTD_CAP_RWBF)
			return vtd_inv_context_device(u, 0, sid, 0);
		return 0;
	}
	ret = vtd_inv_context_device(u, 0, sid, 0);
	if (!ret && u->scalable && vtd_qi_enabled(u)) {
		pc = vtd_qi_pc(VTD_QI_PC_G_PASID, dv->did, dv->rid_pasid);
		ret = vtd_qi_submit(u, &pc, 1, 0);
	}
	if (!ret)
		ret = vtd_inv_iotlb_domain(u, dv->did);
	return ret;
}

/*
 * [VT-d 6.5.3.x Table 6-x] After a present entry was made not-present:
 * context cache for the device with its old DID, (scalable mode) PASID
 * cache for its RID_PASID, then the IOTLB of the old domain.
 */
static int flush_after_clear(struct vtd_unit *u, const struct vtd_dev *dv,
			     u16 sid)
{
	struct vtd_qi_desc q;
	int ret;

	ret = vtd_inv_context_device(u, dv->did, sid, 0);
	if (!ret && u->scalable && vtd_qi_enabled(u)) {
		q = vtd_qi_pc(VTD_QI_PC_G_PASID, dv->did, dv->rid_pasid);
		ret = vtd_qi_submit(u, &q, 1, 0);
	}
	if (!ret)
		ret = vtd_inv_iotlb_domain(u, dv->did);
	/* [VT-d 6.5.2.5] Then everything the device TLB holds. */
	if (!ret && dv->ats) {
		q = vtd_qi_dev_tlb(sid, dv->ats_pfsid, dv->ats_qdep, 0, 52);
		ret = vtd_qi_submit(u, &q, 1, 0);
	}
	return ret;
}

/*
 * Free @dv's PASID directory and its tables. A table whose last PASID's
 * detach failed keeps its address with P clear: it is freed too.
 */
static void free_pasid_dir(struct vtd_dev *dv)
{
	size_t i, n;

	if (!dv->pasid_dir)
		return;
	n = (HAL_PAGE_SIZE << dv->pasid_dir_order) / 8;
	for (i = 0; i < n; i++) {
		if (dv->pasid_dir[i] & VTD_PDE_SMPTBLPTR)
			hal_page_free(hal_phys_to_virt(hal_paddr_init(
				dv->pasid_dir[i] & VTD_PDE_SMPTBLPTR)),
				VTD_PASID_TABLE_ORDER);
	}
	hal_page_free(dv->pasid_dir, dv->pasid_dir_order);
	dv->pasid_dir = NULL;
}

static void ats_remove_locked(struct vtd_domain *d, const struct vtd_unit *u,
			      u16 sid)
{
	u32 k;

	for (k = 0; k < d->ats_count; k++) {
		if (d->ats[k].u == u && d->ats[k].tlb.sid == sid) {
			d->ats[k] = d->ats[--d->ats_count];
			return;
		}
	}
}

/* Make @sid's context entry not present, invalidate, release. */
static int detach_locked(struct vtd_unit *u, struct vtd_domain *d, u16 sid)
{
	struct vtd_dev *dv = dev_slot(u, sid, false);
	struct vtd_domain_unit *du;
	struct flush_set f;
	void *t = ctx_table(u, (u8)(sid >> 8), (u8)sid);
	int ret;

	fs_init(&f, u);
	hal_lock_assert_held(&d->lock);
	if (!dv || dv->domain != d || !t)
		return VTD_ERR(-ENOENT);
	/* Other PASIDs use the PASID directory: detach them first. */
	if (dv->pasid_count)
		return VTD_ERR(-EBUSY);
	if (u->scalable) {
		struct vtd_sm_ctx_entry *ce = sm_ctx(t, (u8)sid);

		WRITE_ONCE(ce->qw[0], 0);
		fs_add(&f, ce, sizeof(*ce));
	} else {
		struct vtd_ctx_entry *ce = legacy_ctx(t, (u8)sid);

		WRITE_ONCE(ce->lo, 0);
		fs_add(&f, ce, sizeof(*ce));
	}
	fs_commit(&f);
	ret = flush_after_clear(u, dv, sid);
	/*
	 * Only after the invalidation may anything the unit may still cache
	 * be released: the PASID structures, the domain's tables (through
	 * its device count) and the domain ID, which a new domain would
	 * otherwise inherit together with the old domain's cached
	 * translations. On failure the entry stays not present (the device
	 * is blocked) and the device stays counted, so that detach can be
	 * retried.
	 */
	if (ret)
		return ret;
	free_pasid_dir(dv);
	du = domain_unit(d, u);
	/* The slot's NULL -> domain transition is made under ctx_lock. */
	hal_spin_lock(&u->ctx_lock);
	if (du && --du->devices == 0) {
		vtd_unit_did_free_locked(u, du->did);
		du->u = NULL;
		du->did = 0;
	}
	d->devices--;
	u->attached--;
	if (dv->ats)
		ats_remove_locked(d, u, sid);
	dv->ats = false;
	dv->did = 0;
	dv->domain = NULL;
	hal_spin_unlock(&u->ctx_lock);
	return 0;
}

/* Identity-map the RMRRs whose scope names @sid [VT-d 8.4]. */
static int map_rmrrs_locked(struct vtd_domain *d, const struct vtd_unit *u,
			    u16 sid, const struct vtd_dmar *dmar,
			    vtd_dmar_bus_fn bus_fn, void *bus_ctx)
{
	u32 i, j;
	int ret;

	if (!dmar || d->type != VTD_DOMAIN_PAGING)
		return 0;
	for (i = 0; i < dmar->rmrr_count; i++) {
		const struct vtd_dmar_rmrr *r = &dmar->rmrrs[i];
		u64 size = r->limit - r->base + 1;
		bool match = false, have = false;
		u32 k;

		if (r->segment != u->segment)
			continue;
		for (j = 0; j < r->scope_count; j++) {
			const struct vtd_dmar_scope *s = &r->scopes[j];

			/*
			 * Deeper paths need the bridges' bus numbers, which
			 * only the caller's PCI enumeration knows (bus_fn).
			 */
			if (vtd_dmar_scope_sid(s, r->segment, bus_fn,
					       bus_ctx) == (int)sid)
				match = true;
		}
		if (!match)
			continue;
		for (k = 0; k < d->rsv_count; k++)
			have |= d->rsv[k].base == r->base &&
				d->rsv[k].size == size;
		if (have)
			continue;
		if (d->rsv_count == VTD_DOMAIN_RSV_MAX)
			return VTD_ERR(-ENOSPC);
		ret = map_locked(d, vtd_iova_init(r->base),
				 hal_paddr_init(r->base), size,
				 VTD_PROT_READ | VTD_PROT_WRITE);
		if (ret)
			return ret;
		d->rsv[d->rsv_count].base = r->base;
		d->rsv[d->rsv_count].size = size;
		d->rsv_count++;
	}
	return 0;
}

/*
 * Take what an attach of @d needs that a device slot already in use does
 * not provide: the PASID structures (scalable mode) and, when @d has no
 * domain ID on @u yet or will lose it with the device's current
 * attachment (@releases_did), a domain ID. Called before a device that is
 * attached is detached, so that these failures change nothing.
 */
static int reserve_locked(struct vtd_unit *u, struct vtd_domain *d,
			  bool releases_did, struct attach_prep *p)
{
	hal_lock_assert_held(&u->ctx_lock);
	if (u->scalable && !p->pasid_dir) {
		p->pasid_dir_order = pasid_dir_order(pasid_pdts(u));
		p->pasid_dir = hal_page_alloc(p->pasid_dir_order);
		p->pasid_table = hal_page_alloc(VTD_PASID_TABLE_ORDER);
		if (!p->pasid_dir || !p->pasid_table)
			return VTD_ERR(-ENOMEM);
	}
	if (p->did < 0 && (!domain_unit(d, u) || releases_did)) {
		if (!domain_unit(d, u) && !domain_unit(d, NULL))
			return VTD_ERR(-ENOSPC);
		p->did = vtd_unit_did_alloc_locked(u);
		if (p->did < 0)
			return p->did;
	}
	return 0;
}

static int prepare_locked(struct vtd_unit *u, struct vtd_domain *d, u16 sid,
			  struct attach_prep *p)
{
	struct vtd_dev *dv = dev_slot(u, sid, false);

	hal_lock_assert_held(&u->ctx_lock);
	/*
	 * The slot goes from blocked to attached only here, under ctx_lock:
	 * a concurrent attach of the same device to another domain that got
	 * here first wins, and this one changes nothing.
	 */
	if (dv && dv->domain)
		return VTD_ERR(-EBUSY);
	p->new_bus = u->bus_devs[sid >> 8] ? -1 : sid >> 8;
	if (!dev_slot(u, sid, true)) {
		p->new_bus = -1;
		return VTD_ERR(-ENOMEM);
	}
	if (!ctx_table(u, (u8)(sid >> 8), (u8)sid)) {
		p->ctx_table = hal_page_alloc(0);
		if (!p->ctx_table)
			return VTD_ERR(-ENOMEM);
	}
	if (!domain_unit(d, u) && !domain_unit(d, NULL))
		return VTD_ERR(-ENOSPC);
	return reserve_locked(u, d, false, p);
}

static void commit_locked(struct vtd_unit *u, struct vtd_domain *d, u16 sid,
			  const struct vtd_attach_params *params,
			  struct attach_prep *p)
{
	struct vtd_dev *dv = dev_slot(u, sid, false);
	struct vtd_domain_unit *du = domain_unit(d, u);
	struct flush_set f;
	u8 bus = (u8)(sid >> 8), devfn = (u8)sid;
	void *t;

	fs_init(&f, u);
	p->new_bus = -1;
	if (!du) {
		du = domain_unit(d, NULL);
		du->u = u;
		du->did = (u16)p->did;
		p->did = -1;
	}
	du->devices++;
	d->devices++;
	u->attached++;
	dv->domain = d;
	dv->did = du->did;
	dv->rid_pasid = params->rid_pasid;
	dv->ats = params->ats && d->type == VTD_DOMAIN_PAGING;
	if (dv->ats) {
		dv->ats_qdep = params->ats_queue_depth;
		dv->ats_pfsid = params->ats_pfsid;
		d->ats[d->ats_count].u = u;
		d->ats[d->ats_count].tlb = (struct vtd_dev_tlb){
			.sid = sid, .pfsid = dv->ats_pfsid,
			.qdep = dv->ats_qdep,
		};
		d->ats_count++;
	}
	if (p->ctx_table) {
		ctx_table_link(u, bus, devfn, p->ctx_table, &f);
		p->ctx_table = NULL;
	}
	t = ctx_table(u, bus, devfn);

	if (u->scalable) {
		struct vtd_sm_ctx_entry *ce = sm_ctx(t, devfn);
		u64 *pde;

		dv->pasid_dir = p->pasid_dir;
		dv->pasid_dir_order = p->pasid_dir_order;
		dv->pdts = (u8)pasid_pdts(u);
		p->pasid_dir = NULL;
		write_pasid_entry(u, d, dv->did, params->fault_disable,
				  &p->pasid_table[params->rid_pasid %
						  VTD_PASID_TABLE_ENTRIES]);
		pde = &dv->pasid_dir[params->rid_pasid >> VTD_PASID_DIR_SHIFT];
		WRITE_ONCE(*pde, (hal_paddr_val(hal_virt_to_phys(
				p->pasid_table)) & VTD_PDE_SMPTBLPTR) |
			   VTD_PDE_P);
		/*
		 * [VT-d 6.1] With ECAP.C = 0 the unit reads memory, which the
		 * allocator's zeroing of these new pages may not have reached:
		 * flush them whole, not only the entries written, or a request
		 * with another PASID may find a stale entry present.
		 */
		if (!u->coherent) {
			fs_add(&f, p->pasid_table, HAL_PAGE_SIZE);
			fs_add(&f, dv->pasid_dir,
			       HAL_PAGE_SIZE << dv->pasid_dir_order);
		}
		p->pasid_table = NULL;
		/* Lower structures visible before the context entry. */
		fs_commit(&f);
		/* [VT-d 9.4] RID_PASID, then the qword holding Present. */
		WRITE_ONCE(ce->qw[1], FIELD_PREP(VTD_SM_CTX_Q1_RID_PASID,
						 params->rid_pasid));
		WRITE_ONCE(ce->qw[0],
			   (hal_paddr_val(hal_virt_to_phys(dv->pasid_dir)) &
			    VTD_SM_CTX_Q0_PDP) |
			   FIELD_PREP(VTD_SM_CTX_Q0_PDTS, dv->pdts) |
			   (params->fault_disable ? VTD_SM_CTX_Q0_FPD : 0) |
			   (dv->ats ? VTD_SM_CTX_Q0_DTE : 0) |
			   VTD_SM_CTX_Q0_P);
		fs_add(&f, ce, sizeof(*ce));
	} else {
		struct vtd_ctx_entry *ce = legacy_ctx(t, devfn);
		u64 lo;
		unsigned int aw;

		if (d->type == VTD_DOMAIN_PASSTHROUGH) {
			/*
			 * [VT-d 9.3] With TT = pass-through, AW must name
			 * the largest width the unit supports.
			 */
			for (aw = 3; aw > 1 && !unit_has_levels(u, aw + 2);
			     aw--)
				;
			lo = FIELD_PREP(VTD_CTX_LO_TT, VTD_CTX_TT_PT);
		} else {
			aw = vtd_sl_pt_agaw(&d->pt);
			/* [VT-d 9.3] TT = 01 lets the device use its TLB. */
			lo = FIELD_PREP(VTD_CTX_LO_TT, dv->ats ?
					VTD_CTX_TT_SL_DEVTLB : VTD_CTX_TT_SL) |
			     (hal_paddr_val(d->pt.root_pa) &
			      VTD_CTX_LO_SLPTPTR);
		}
		if (params->fault_disable)
			lo |= VTD_CTX_LO_FPD;
		/* [VT-d 9.3] The upper qword first, Present last. */
		WRITE_ONCE(ce->hi, FIELD_PREP(VTD_CTX_HI_AW, aw) |
				   FIELD_PREP(VTD_CTX_HI_DID, dv->did));
		WRITE_ONCE(ce->lo, lo | VTD_CTX_LO_P);
		fs_add(&f, ce, sizeof(*ce));
	}
	fs_commit(&f);
}

int vtd_device_attach(struct vtd_unit *u, u16 sid, struct vtd_domain *d,
		      const struct vtd_attach_params *params)
{
	static const struct vtd_attach_params defaults;
	struct attach_prep prep = { .did = -1, .new_bus = -1 };
	struct vtd_domain_unit *du;
	struct vtd_domain *cur;
	struct vtd_dev *dv;
	bool ats, cur_ats;
	u32 cur_pasid;
	int ret;

	if (!u || !d)
		return VTD_ERR(-EINVAL);
	if (!params)
		params = &defaults;
	if (params->rid_pasid >= (1U << 20) ||
	    (params->rid_pasid && !u->scalable))
		return VTD_ERR(-EINVAL);
	/*
	 * [VT-d 9.4] The context entry's PDTS sizes the PASID directory at
	 * 2^(PDTS + 7) entries; a RID_PASID beyond it faults every request
	 * without PASID.
	 */
	if (u->scalable && (params->rid_pasid >> VTD_PASID_DIR_SHIFT) >=
			   (1U << (pasid_pdts(u) + 7)))
		return VTD_ERR(-EINVAL);
	/*
	 * [VT-d 9.3, 9.4, 6.5.2.5] A device TLB needs ECAP.DT, and its
	 * invalidations go through the queue only.
	 */
	ats = params->ats && d->type == VTD_DOMAIN_PAGING;
	if (ats && (!(u->ecap & VTD_ECAP_DT) || !vtd_qi_enabled(u)))
		return VTD_ERR(-EOPNOTSUPP);
	ret = domain_fits_unit(d, u);
	if (ret)
		return ret;
	hal_spin_lock(&d->lock);
	/* Device slots are looked up under ctx_lock (see prep_free()). */
	hal_spin_lock(&u->ctx_lock);
	dv = dev_slot(u, sid, false);
	cur = dv ? dv->domain : NULL;
	cur_pasid = dv ? dv->rid_pasid : 0;
	cur_ats = dv && dv->ats;
	hal_spin_unlock(&u->ctx_lock);
	if (cur == d && cur_pasid == params->rid_pasid && cur_ats == ats &&
	    (!ats || (dv->ats_qdep == params->ats_queue_depth &&
		      dv->ats_pfsid == params->ats_pfsid))) {
		hal_spin_unlock(&d->lock);
		return 0;
	}
	if (ats && d->ats_count - (cur == d && cur_ats) >= VTD_DEV_TLB_MAX) {
		hal_spin_unlock(&d->lock);
		return VTD_ERR(-ENOSPC);
	}
	ret = map_rmrrs_locked(d, u, sid, params->dmar, params->bus_fn,
			       params->bus_ctx);
	if (ret)
		goto out;
	if (cur) {
		/*
		 * Validate, then commit: what the new attachment can fail on
		 * is taken before the current one is undone.
		 */
		hal_spin_lock(&u->ctx_lock);
		du = domain_unit(d, u);
		ret = reserve_locked(u, d, cur == d && du && du->devices == 1,
				     &prep);
		hal_spin_unlock(&u->ctx_lock);
		if (ret)
			goto out_free;
		if (cur != d) {
			/* Elsewhere: nesting domain locks would invert order. */
			hal_spin_unlock(&d->lock);
			ret = vtd_device_detach(u, sid);
			if (ret == -ENOENT)
				ret = 0;	/* detached meanwhile */
			hal_spin_lock(&d->lock);
		} else {
			ret = detach_locked(u, d, sid);
		}
		if (ret)
			goto out_free;
	}
	hal_spin_lock(&u->ctx_lock);
	ret = prepare_locked(u, d, sid, &prep);
	if (!ret)
		commit_locked(u, d, sid, params, &prep);
	prep_free(u, &prep);
	hal_spin_unlock(&u->ctx_lock);
	if (!ret)
		ret = flush_after_present(u, dev_slot(u, sid, false), sid);
	goto out;
out_free:
	hal_spin_lock(&u->ctx_lock);
	prep_free(u, &prep);
	hal_spin_unlock(&u->ctx_lock);
out:
	hal_spin_unlock(&d->lock);
	return ret;
}

int vtd_device_detach(struct vtd_unit *u, u16 sid)
{
	struct vtd_domain *d;
	struct vtd_dev *dv;
	int ret;

	if (!u)
		return VTD_ERR(-EINVAL);
	/*
	 * Under ctx_lock: a failing attach frees a bus's slot block that it
	 * allocated (prep_free()). A block holding an attached device stays.
	 */
	hal_spin_lock(&u->ctx_lock);
	dv = dev_slot(u, sid, false);
	d = dv ? dv->domain : NULL;
	hal_spin_unlock(&u->ctx_lock);
	if (!d)
		return VTD_ERR(-ENOENT);
	hal_spin_lock(&d->lock);
	if (dv->domain != d)
		ret = VTD_ERR(-ENOENT);
	else
		ret = detach_locked(u, d, sid);
	hal_spin_unlock(&d->lock);
	return ret;
}

/* ---- PASIDs other than RID_PASID [VT-d 3.4.3, 9.4-9.6] ----------------- */

/* The PASID table (and its shadow page) holding directory entry @idx. */
static struct vtd_pasid_entry *pasid_table_of(const struct vtd_dev *dv,
					      u32 idx)
{
	u64 pde = READ_ONCE(dv->pasid_dir[idx]);

	/*
	 * The address names the table even while P is clear: a detach whose
	 * invalidation failed keeps it, to be finished by a later call.
	 */
	if (!(pde & VTD_PDE_SMPTBLPTR))
		return NULL;
	return hal_phys_to_virt(hal_paddr_init(pde & VTD_PDE_SMPTBLPTR));
}

static struct vtd_pasid_sw *pasid_sw_of(struct vtd_pasid_entry *t)
{
	return (struct vtd_pasid_sw *)((u8 *)t + HAL_PAGE_SIZE);
}

/* [VT-d 6.5.3.3] PASID-based IOTLB for FL and PT, domain-selective else. */
static bool pasid_uses_piotlb(enum vtd_pasid_type type)
{
	return type == VTD_PASID_FL || type == VTD_PASID_PT;
}

static struct vtd_qi_desc pasid_iotlb_desc(const struct vtd_unit *u,
					   enum vtd_pasid_type type, u16 did,
					   u32 pasid)
{
	if (pasid_uses_piotlb(type))
		return vtd_qi_piotlb_pasid(did, pasid);
	return vtd_qi_iotlb_domain(did, u->cap & VTD_CAP_DRD,
				   u->cap & VTD_CAP_DWD);
}

/* Check @p against @u's capabilities; nothing is locked or changed. */
static int pasid_validate(const struct vtd_unit *u, u32 pasid,
			  const struct vtd_pasid_attach_params *p)
{
	const struct vtd_domain *d = p->domain;
	unsigned int pss = (unsigned int)FIELD_GET(VTD_ECAP_PSS, u->ecap) + 1;

	if (!d || pasid >= (1U << 20))
		return VTD_ERR(-EINVAL);
	if (!u->scalable || !(u->ecap & VTD_ECAP_PASID) || !vtd_qi_enabled(u))
		return VTD_ERR(-EOPNOTSUPP);
	/* [VT-d 11.4.3] PASIDs are ECAP.PSS + 1 bits wide. */
	if (pasid >> pss)
		return VTD_ERR(-EINVAL);
	if ((p->sre || p->wpe) && p->type != VTD_PASID_FL &&
	    p->type != VTD_PASID_NESTED)
		return VTD_ERR(-EINVAL);
	/* [VT-d 9.6] SRE is reserved unless the unit has ECAP.SRS. */
	if (p->sre && !(u->ecap & VTD_ECAP_SRS))
		return VTD_ERR(-EOPNOTSUPP);
	switch (p->type) {
	case VTD_PASID_SL:
		if (d->type != VTD_DOMAIN_PAGING)
			return VTD_ERR(-EINVAL);
		return domain_fits_unit(d, u);
	case VTD_PASID_PT:
		if (d->type != VTD_DOMAIN_PASSTHROUGH)
			return VTD_ERR(-EINVAL);
		return domain_fits_unit(d, u);
	case VTD_PASID_FL:
		if (!p->fl || !p->fl->root)
			return VTD_ERR(-EINVAL);
		/*
		 * [VT-d 11.4.2, 11.4.3] First-level translation, 5-level
		 * paging and 1-GiB leaves each need their capability; a
		 * table written without cache flushes needs a coherent walk.
		 */
		if (!(u->ecap & VTD_ECAP_FSTS) ||
		    (p->fl->levels == 5 && !(u->cap & VTD_CAP_FS5LP)) ||
		    ((p->fl->leaf_levels & BIT(3)) &&
		     !(u->cap & VTD_CAP_FS1GP)) ||
		    (p->fl->coherent && !u->coherent))
			return VTD_ERR(-EOPNOTSUPP);
		return 0;
	case VTD_PASID_NESTED:
		if (d->type != VTD_DOMAIN_PAGING ||
		    (p->fl_levels != 4 && p->fl_levels != 5) ||
		    (vtd_gpa_val(p->fl_gpa) & (HAL_PAGE_SIZE - 1)) ||
		    (vtd_gpa_val(p->fl_gpa) & ~VTD_PE_Q2_FSPTPTR))
			return VTD_ERR(-EINVAL);
		/* [VT-d 3.8, 11.4.3] Nesting needs ECAP.NEST (and FSTS). */
		if (!(u->ecap & VTD_ECAP_NEST) || !(u->ecap & VTD_ECAP_FSTS) ||
		    (p->fl_levels == 5 && !(u->cap & VTD_CAP_FS5LP)) ||
		    (p->fl_1g && !(u->cap & VTD_CAP_FS1GP)))
			return VTD_ERR(-EOPNOTSUPP);
		return domain_fits_unit(d, u);
	default:
		return VTD_ERR(-EINVAL);
	}
}

/*
 * [VT-d 9.6] Fill a not-present PASID entry: the upper qwords first, the
 * qword holding P last, each one store.
 */
static void pasid_entry_write(const struct vtd_unit *u,
			      const struct vtd_pasid_attach_params *p, u16 did,
			      struct vtd_pasid_entry *pe)
{
	const struct vtd_domain *d = p->domain;
	u64 q0, q1 = FIELD_PREP(VTD_PE_Q1_DID, did), q2 = 0;

	if (p->type == VTD_PASID_SL || p->type == VTD_PASID_PT) {
		write_pasid_entry(u, d, did, p->fault_disable, pe);
		return;
	}
	if (p->type == VTD_PASID_FL) {
		q0 = FIELD_PREP(VTD_PE_Q0_PGTT, VTD_PE_PGTT_FL);
		q2 = (hal_paddr_val(p->fl->root_pa) & VTD_PE_Q2_FSPTPTR) |
		     FIELD_PREP(VTD_PE_Q2_FSPM, vtd_fl_pt_fspm(p->fl));
	} else {
		/*
		 * [VT-d 3.8, 9.6] Nested: FSPTPTR is guest-physical and, like
		 * every first-level table pointer and output address, is
		 * translated by the second-level table at SSPTPTR.
		 */
		q0 = FIELD_PREP(VTD_PE_Q0_PGTT, VTD_PE_PGTT_NESTED) |
		     FIELD_PREP(VTD_PE_Q0_AW, vtd_sl_pt_agaw(&d->pt)) |
		     (hal_paddr_val(d->pt.root_pa) & VTD_PE_Q0_SSPTPTR);
		q2 = (vtd_gpa_val(p->fl_gpa) & VTD_PE_Q2_FSPTPTR) |
		     FIELD_PREP(VTD_PE_Q2_FSPM, p->fl_levels == 5 ?
				VTD_PE_FSPM_5LVL : VTD_PE_FSPM_4LVL);
	}
	if (p->sre)
		q2 |= VTD_PE_Q2_SRE;
	if (p->wpe)
		q2 |= VTD_PE_Q2_WPE;
	if (u->ecap & VTD_ECAP_SMPWCS)
		q1 |= VTD_PE_Q1_PWSNP;
	if (p->fault_disable)
		q0 |= VTD_PE_Q0_FPD;
	WRITE_ONCE(pe->qw[2], q2);
	WRITE_ONCE(pe->qw[1], q1);
	WRITE_ONCE(pe->qw[0], q0 | VTD_PE_Q0_P);
}

/* Drop a PASID attachment's reference on @d's domain ID on @u. */
static void pasid_domain_put_locked(struct vtd_unit *u, struct vtd_domain *d)
{
	struct vtd_domain_unit *du = domain_unit(d, u);

	hal_lock_assert_held(&u->ctx_lock);
	if (du && --du->devices == 0) {
		vtd_unit_did_free_locked(u, du->did);
		du->u = NULL;
		du->did = 0;
	}
	d->devices--;
}

int vtd_pasid_attach(struct vtd_unit *u, u16 sid, u32 pasid,
		     const struct vtd_pasid_attach_params *p)
{
	struct vtd_pasid_entry *t, *new_t = NULL;
	struct vtd_domain_unit *du;
	struct vtd_sm_ctx_entry *ce;
	struct vtd_qi_desc q[3];
	struct vtd_pasid_sw *sw;
	struct vtd_domain *d;
	struct vtd_dev *dv;
	struct flush_set f;
	unsigned int n = 0;
	bool paside_new;
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	int did = -1, ret;
	u16 tag;

	if (!u || !p)
		return VTD_ERR(-EINVAL);
	ret = pasid_validate(u, pasid, p);
	if (ret)
		return ret;
	d = p->domain;
	fs_init(&f, u);
	hal_spin_lock(&d->lock);
	hal_spin_lock(&u->ctx_lock);
	/* ---- Validate and pre-allocate: nothing visible changes. ---- */
	dv = dev_slot(u, sid, false);
	if (!dv || !dv->domain || !dv->pasid_dir) {
		ret = VTD_ERR(-ENOENT);
		goto out_unlock;
	}
	/* [VT-d 9.4] PASID[19:6] must index the 2^(PDTS + 7) directory. */
	if (pasid == dv->rid_pasid || idx >= (1U << (dv->pdts + 7))) {
		ret = VTD_ERR(-EINVAL);
		goto out_unlock;
	}
	t = pasid_table_of(dv, idx);
	if (t && (pasid_sw_of(t)->e[i].domain ||
		  (READ_ONCE(t[i].qw[0]) & VTD_PE_Q0_P))) {
		ret = VTD_ERR(-EBUSY);
		goto out_unlock;
	}
	if (!t) {
		new_t = hal_page_alloc(VTD_PASID_TABLE_ORDER);
		if (!new_t) {
			ret = VTD_ERR(-ENOMEM);
			goto out_unlock;
		}
	}
	du = domain_unit(d, u);
	if (!du) {
		if (!domain_unit(d, NULL)) {
			ret = VTD_ERR(-ENOSPC);
			goto out_free;
		}
		did = vtd_unit_did_alloc_locked(u);
		if (did < 0) {
			ret = did;
			goto out_free;
		}
	}

	/* ---- Commit: stores that cannot fail. ---- */
	if (!du) {
		du = domain_unit(d, NULL);
		du->u = u;
		du->did = (u16)did;
	}
	du->devices++;
	d->devices++;
	tag = du->did;
	if (new_t) {
		t = new_t;
		new_t = NULL;
		pasid_entry_write(u, p, tag, &t[i]);
		/*
		 * [VT-d 6.1] With ECAP.C = 0 the whole new table must reach
		 * memory (its zeroes too) before the directory points to it.
		 */
		fs_add(&f, t, HAL_PAGE_SIZE);
		fs_commit(&f);
		WRITE_ONCE(dv->pasid_dir[idx],
			   (hal_paddr_val(hal_virt_to_phys(t)) &
			    VTD_PDE_SMPTBLPTR) | VTD_PDE_P);
		fs_add(&f, &dv->pasid_dir[idx], 8);
	} else {
		pasid_entry_write(u, p, tag, &t[i]);
		fs_add(&f, &t[i], sizeof(t[i]));
		if (!(READ_ONCE(dv->pasid_dir[idx]) & VTD_PDE_P)) {
			/* A table awaiting release is taken back. */
			fs_commit(&f);
			WRITE_ONCE(dv->pasid_dir[idx],
				   dv->pasid_dir[idx] | VTD_PDE_P);
			fs_add(&f, &dv->pasid_dir[idx], 8);
		}
	}
	fs_commit(&f);
	sw = pasid_sw_of(t);
	sw->e[i].domain = d;
	sw->e[i].type = (u8)p->type;
	sw->used++;
	dv->pasid_count++;
	/*
	 * [VT-d 9.4] Requests with PASID are blocked (fault 0x45) unless
	 * the context entry has PASIDE. It is set once, after the PASID
	 * entry is visible, and left set: clearing it would need another
	 * context-cache invalidation, and a PASID without an entry faults
	 * either way.
	 */
	ce = sm_ctx(ctx_table(u, (u8)(sid >> 8), (u8)sid), (u8)sid);
	paside_new = !(READ_ONCE(ce->qw[0]) & VTD_SM_CTX_Q0_PASIDE);
	if (paside_new) {
		WRITE_ONCE(ce->qw[0], ce->qw[0] | VTD_SM_CTX_Q0_PASIDE);
		fs_add(&f, ce, sizeof(*ce));
		fs_commit(&f);
	}
	hal_spin_unlock(&u->ctx_lock);

	/*
	 * [VT-d 6.5.3.3, 6.1] A changed present context entry must leave the
	 * context cache. A not-present entry made present needs invalidation
	 * only under caching mode, which may cache not-present entries: the
	 * PASID cache for (DID, PASID), then the IOTLB as for a teardown.
	 */
	if (paside_new)
		q[n++] = vtd_qi_cc_device(dv->did, sid, 0);
	if (u->cap & VTD_CAP_CM) {
		q[n++] = vtd_qi_pc(VTD_QI_PC_G_PASID, tag, pasid);
		q[n++] = pasid_iotlb_desc(u, p->type, tag, pasid);
	}
	if (n)
		ret = vtd_qi_submit(u, q, n, 0);
	if (!ret && !(u->cap & VTD_CAP_CM) && (u->cap & VTD_CAP_RWBF))
		ret = vtd_unit_flush_write_buffer(u);
	hal_spin_unlock(&d->lock);
	return ret;

out_free:
	if (new_t)
		hal_page_free(new_t, VTD_PASID_TABLE_ORDER);
out_unlock:
	hal_spin_unlock(&u->ctx_lock);
	hal_spin_unlock(&d->lock);
	return ret;
}

int vtd_pasid_detach(struct vtd_unit *u, u16 sid, u32 pasid)
{
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	struct vtd_pasid_entry *t;
	struct vtd_qi_desc q[4];
	struct vtd_pasid_sw *sw;
	struct vtd_domain *d;
	struct vtd_dev *dv;
	struct flush_set f;
	enum vtd_pasid_type type;
	bool release, rid_table;
	unsigned int n = 0;
	u16 tag;
	int ret;

	if (!u || pasid >= (1U << 20))
		return VTD_ERR(-EINVAL);
	fs_init(&f, u);
	/* The domain is found under ctx_lock, then locked first. */
	hal_spin_lock(&u->ctx_lock);
	dv = dev_slot(u, sid, false);
	t = (dv && dv->pasid_dir && idx < (1U << (dv->pdts + 7))) ?
	    pasid_table_of(dv, idx) : NULL;
	d = t ? pasid_sw_of(t)->e[i].domain : NULL;
	hal_spin_unlock(&u->ctx_lock);
	if (!d)
		return VTD_ERR(-ENOENT);

	hal_spin_lock(&d->lock);
	hal_spin_lock(&u->ctx_lock);
	if (!dv->pasid_dir || pasid_table_of(dv, idx) != t ||
	    pasid_sw_of(t)->e[i].domain != d) {
		hal_spin_unlock(&u->ctx_lock);
		hal_spin_unlock(&d->lock);
		return VTD_ERR(-ENOENT);
	}
	sw = pasid_sw_of(t);
	type = (enum vtd_pasid_type)sw->e[i].type;
	tag = domain_unit(d, u)->did;
	rid_table = idx == (dv->rid_pasid >> VTD_PASID_DIR_SHIFT);
	/* [VT-d 9.6] Not present first; the other fields stay as they were. */
	WRITE_ONCE(t[i].qw[0], 0);
	fs_add(&f, &t[i].qw[0], 8);
	/*
	 * The table's last PASID: its directory entry turns not-present too
	 * (the address stays, so that a failed invalidation can be retried),
	 * and the PASID cache is then invalidated globally, since a unit may
	 * cache directory entries with any PASID of the table.
	 */
	release = sw->used == 1 && !rid_table;
	if (release) {
		WRITE_ONCE(dv->pasid_dir[idx], dv->pasid_dir[idx] & ~VTD_PDE_P);
		fs_add(&f, &dv->pasid_dir[idx], 8);
	}
	fs_commit(&f);
	hal_spin_unlock(&u->ctx_lock);

	/*
	 * [VT-d 6.5.3.3] After a PASID entry is torn down: the PASID cache
	 * for (DID, PASID); the IOTLB, PASID-based for FL and PT entries and
	 * domain-selective for SL and nested ones (whose second-level
	 * translations the DID tags for every PASID); then the device TLB
	 * for the PASID [VT-d 6.5.2.6]. Only afterwards is anything freed.
	 */
	q[n++] = vtd_qi_pc(VTD_QI_PC_G_PASID, tag, pasid);
	if (release)
		q[n++] = vtd_qi_pc(VTD_QI_PC_G_GLOBAL, 0, 0);
	q[n++] = pasid_iotlb_desc(u, type, tag, pasid);
	if (dv->ats)
		q[n++] = vtd_qi_pdev_tlb(sid, dv->ats_pfsid, dv->ats_qdep,
					 pasid, false, 0, 52);
	ret = vtd_qi_submit(u, q, n, 0);
	if (ret) {
		hal_spin_unlock(&d->lock);
		return ret;
	}

	hal_spin_lock(&u->ctx_lock);
	sw->e[i].domain = NULL;
	sw->e[i].type = 0;
	sw->used--;
	dv->pasid_count--;
	if (!sw->used && !rid_table &&
	    !(READ_ONCE(dv->pasid_dir[idx]) & VTD_PDE_P)) {
		/* Not present already: clearing the address needs no flush. */
		WRITE_ONCE(dv->pasid_dir[idx], 0);
		fs_add(&f, &dv->pasid_dir[idx], 8);
		fs_commit(&f);
		hal_page_free(t, VTD_PASID_TABLE_ORDER);
	}
	pasid_domain_put_locked(u, d);
	hal_spin_unlock(&u->ctx_lock);
	hal_spin_unlock(&d->lock);
	return 0;
}

int vtd_pasid_flush(struct vtd_unit *u, u16 sid, u32 pasid, vtd_iova_t iova,
		    u64 size, bool leaf_only)
{
	u32 idx = pasid >> VTD_PASID_DIR_SHIFT;
	u32 i = pasid % VTD_PASID_TABLE_ENTRIES;
	u64 va = vtd_iova_val(iova), first, last, base[2];
	struct vtd_qi_desc q[3];
	struct vtd_pasid_entry *t;
	struct vtd_domain *d = NULL;
	enum vtd_pasid_type type = VTD_PASID_SL;
	unsigned int am[2], n = 0, k, mamv, order;
	struct vtd_dev *dv;
	bool ats = false;
	u16 did = 0, pfsid = 0;
	u8 qdep = 0;

	if (!u || pasid >= (1U << 20) || !size || (va & (HAL_PAGE_SIZE - 1)) ||
	    va + size - 1 < va)
		return VTD_ERR(-EINVAL);
	hal_spin_lock(&u->ctx_lock);
	dv = dev_slot(u, sid, false);
	t = (dv && dv->pasid_dir && idx < (1U << (dv->pdts + 7))) ?
	    pasid_table_of(dv, idx) : NULL;
	if (t && pasid != dv->rid_pasid) {
		d = pasid_sw_of(t)->e[i].domain;
		type = (enum vtd_pasid_type)pasid_sw_of(t)->e[i].type;
	}
	if (d) {
		did = domain_unit(d, u)->did;
		ats = dv->ats;
		pfsid = dv->ats_pfsid;
		qdep = dv->ats_qdep;
	}
	hal_spin_unlock(&u->ctx_lock);
	if (!d)
		return VTD_ERR(-ENOENT);
	if (type != VTD_PASID_FL && type != VTD_PASID_NESTED)
		return VTD_ERR(-EINVAL);

	first = va >> HAL_PAGE_SHIFT;
	last = (va + size - 1) >> HAL_PAGE_SHIFT;
	mamv = (unsigned int)FIELD_GET(VTD_CAP_MAMV, u->cap);
	n = vtd_psi_cover(first, last, base, am);
	for (k = 0; k < n; k++) {
		if (am[k] > mamv)
			break;
		q[k] = vtd_qi_piotlb_page(did, pasid, base[k] << HAL_PAGE_SHIFT,
					  (u8)am[k], leaf_only);
	}
	if (k < n) {
		q[0] = vtd_qi_piotlb_pasid(did, pasid);
		n = 1;
	}
	if (ats) {
		order = vtd_psi_block_order(first, last);
		q[n++] = vtd_qi_pdev_tlb(sid, pfsid, qdep, pasid, false,
					 (first >> order) << order <<
					 HAL_PAGE_SHIFT, order);
	}
	return vtd_qi_submit(u, q, n, 0);
}
