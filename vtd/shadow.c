// SPDX-License-Identifier: BSD-2-Clause
/*
 * Shadow first-level tables for guest PASIDs (shadow.h): the guest's
 * first-level table [VT-d 3.6, SDM 3A 4.5] composed with the VM's map into
 * a host first-level table [VT-d 9.7], one synced range at a time.
 *
 * A sync is validate-then-commit (house style 3.4), by path copying. The
 * build walks the guest's table and the old shadow side by side over the
 * range, depth first in address order, and writes every shadow table
 * whose span meets the range anew: entries outside the range are copied
 * from the old table (so its subtrees there are shared, not copied), and
 * entries inside are the composition. The new tables are unreachable
 * until the commit, whose only stores are the root's entries (the root is
 * named by PASID entries and stays); the old tables that are no longer
 * reachable then go to the gather. A failure during the build frees the
 * new tables and has written nothing the hardware sees. Which tables are
 * new and which are shared follows from comparing entries: a new table
 * never has the address of a live one.
 *
 * The shadow's tables are the first-level engine's (pt_engine.h,
 * instantiated here with pt_fl.c's format) so that vtd_fl_pt_lookup(),
 * vtd_fl_pt_destroy() and vtd_fl_pt_gather_release() work on them, table
 * pages are counted in the same field, and non-coherent units get the
 * same flushes: each new table whole before it is linked, the root's
 * changed lines, one fence.
 */
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <vtd/hw/tables.h>
#include <vtd/pt_fl.h>

#include <vtd/shadow.h>

#include "pt_fl_fmt.h"

/* Input space of @levels: 2^48 or 2^57 folded addresses (pt_fl_fmt.h). */
static u64 span_of(unsigned int levels)
{
	return fold_mask(levels) + 1;
}


/* ---- State of one call --------------------------------------------------- */

/* One answer of the VM's map, reused for the pages it covers. */
struct xlate {
	u64 gpa;		/* first page */
	u64 len;		/* bytes from @gpa; 0: nothing cached */
	u64 hpa;		/* of @gpa, when @ram */
	u32 prot;		/* VTD_PROT_READ/WRITE, when @ram */
	bool ram;
};

struct sync {
	struct vtd_shadow *s;
	struct walk w;		/* the engine's: table, gather, lines flushed */
	u64 start, end;		/* folded range; end drops to a cut */
	u64 work;		/* units left */
	u64 fresh;		/* new tables kept (scratch root apart) */
	u64 inv_lo, inv_hi;	/* old large leaves split at the ends */
	struct xlate last;
	int err;		/* -ENOMEM or -EDQUOT: the build stops */
	bool cut;		/* the work ran out at end */
};

/* The guest's side of one entry's span, decoded from one read. */
struct gview {
	const struct vtd_fl_table *t;	/* guest table one level down */
	u64 gpa;			/* leaf: guest-physical span start */
	bool leaf;			/* neither: nothing (not present) */
	bool w, u, x;			/* rights over the walk so far */
};

/* The old shadow's side of a table's span. */
struct oview {
	const struct vtd_fl_table *t;	/* the old table, or */
	u64 leaf;			/* a large leaf as 512 smaller ones */
};

static void sync_init(struct sync *c, struct vtd_shadow *s,
		      struct vtd_fl_gather *g)
{
	hal_memset(c, 0, sizeof(*c));
	c->s = s;
	c->w.pt = &s->fl;
	c->w.g = g;
	c->work = s->work_per_sync;
	c->inv_lo = ~0ULL;
}

/*
 * Spend one unit of work at folded address @a. When none is left, the
 * call is cut there: the range ends at @a, and what lies beyond is left
 * as it is.
 */
static bool spend(struct sync *c, u64 a)
{
	if (c->work) {
		c->work--;
		c->s->stats.work++;
		return true;
	}
	if (!c->cut) {
		c->cut = true;
		c->end = HAL_MAX(a, c->start);
	}
	return false;
}

/* ---- The VM's map -------------------------------------------------------- */

/* Take gm->translate()'s answer for @gpa into c->last, checked. */
static void xlate_fill(struct sync *c, u64 gpa, int ret, u64 hpa, u32 prot,
		       u64 len)
{
	u64 top = BIT_ULL(c->s->fl.haw);
	struct xlate *l = &c->last;

	len &= ~(u64)(HAL_PAGE_SIZE - 1);
	l->gpa = gpa;
	l->len = HAL_MIN(HAL_MAX(len, (u64)HAL_PAGE_SIZE), top - gpa);
	l->ram = false;
	l->hpa = 0;
	l->prot = 0;
	if (ret) {
		return;
	}
	/* An answer the shadow cannot map is no RAM, for this page only. */
	if ((hpa & (HAL_PAGE_SIZE - 1)) || hpa >= top ||
	    !(prot & VTD_PROT_READ)) {
		l->len = HAL_PAGE_SIZE;
		return;
	}
	l->ram = true;
	l->hpa = hpa;
	l->prot = prot & (VTD_PROT_READ | VTD_PROT_WRITE);
	l->len = HAL_MIN(l->len, top - hpa);
}

/*
 * Translate guest-physical page @gpa (below 2^haw) through the VM's map
 * [GUEST-SVA 7.4], spending one unit at @a unless the last answer covers
 * it. Returns 0 with *@x for [gpa, gpa + x->len), or -EAGAIN on a cut.
 */
static int xlate(struct sync *c, u64 a, u64 gpa, struct xlate *x)
{
	struct vtd_shadow *s = c->s;
	struct xlate *l = &c->last;
	hal_paddr_t hpa = hal_paddr_init(0);
	u64 len = 0, off = gpa - l->gpa;
	u32 prot = 0;
	int ret;

	if (!l->len || gpa < l->gpa || off >= l->len) {
		if (!spend(c, a)) {
			return -EAGAIN;
		}
		s->stats.translations++;
		ret = s->gm.translate(s->gm.ctx, gpa, &hpa, &prot, &len);
		xlate_fill(c, gpa, ret, hal_paddr_val(hpa), prot, len);
		if (!l->ram) {
			s->stats.not_ram++;
		}
		off = 0;
	}
	*x = *l;
	x->gpa = gpa;
	x->len = l->len - off;
	if (x->ram) {
		x->hpa = l->hpa + off;
	}
	return 0;
}

/* ---- The guest's table --------------------------------------------------- */

/*
 * Decode guest entry @ge at @level, read once by the caller, under the
 * rights of @up, into @out: what its span holds. Translating a table
 * pointer spends a unit at @a; returns -EAGAIN on a cut.
 */
static int guest_decode(struct sync *c, u64 ge, unsigned int level,
			const struct gview *up, u64 a, struct gview *out)
{
	/* Address bits at and above the width are reserved [SDM 3A 4.5]. */
	u64 rsvd = VTD_FL_PTE_ADDR & ~(BIT_ULL(c->s->fl.haw) - 1);
	bool leaf = vtd_fl_pte_is_leaf(ge, level);
	struct xlate x;

	*out = (struct gview){ .t = NULL };
	if (!vtd_fl_pte_present(ge)) {
		return 0;
	}
	/* [SDM 3A Tables 4-15..4-20, VT-d 9.7] Reserved bits per level. */
	if (level == 5) {
		rsvd |= VTD_FL_PML5E_RSVD;
	} else if (level == 4) {
		rsvd |= VTD_FL_PML4E_RSVD;
	} else if (leaf && level == 3) {
		rsvd |= VTD_FL_PDPE_1G_RSVD;
	} else if (leaf && level == 2) {
		rsvd |= VTD_FL_PDE_2M_RSVD;
	}
	if (ge & rsvd) {
		c->s->stats.invalid++;
		return 0;
	}
	/* [VT-d 3.6.1, SDM 3A 4.6] R/W, U/S: AND over the walk; XD: OR. */
	out->w = up->w && (ge & VTD_FL_PTE_RW);
	out->u = up->u && (ge & VTD_FL_PTE_US);
	out->x = up->x && !(ge & VTD_FL_PTE_XD);
	if (leaf) {
		out->leaf = true;
		out->gpa = vtd_fl_pte_addr(ge, level);
		return 0;
	}
	if (xlate(c, a, vtd_fl_pte_addr(ge, level), &x)) {
		return -EAGAIN;
	}
	/* The next guest table is read only through its host page. */
	if (x.ram) {
		out->t = hal_phys_to_virt(hal_paddr_init(x.hpa));
	}
	return 0;
}

/*
 * The guest's side of entry @i (at @level, spanning from @a) of the span
 * @gv that starts at @base; -EAGAIN on a cut (translating a table
 * pointer).
 */
static int guest_view(struct sync *c, const struct gview *gv,
		      unsigned int level, unsigned int i, u64 a, u64 base,
		      struct gview *sub)
{
	u64 at = HAL_MAX(a, c->start), ge;

	if (gv->leaf) {
		*sub = *gv;
		sub->gpa = gv->gpa + (a - base);
		return 0;
	}
	*sub = (struct gview){ .t = NULL };
	if (!gv->t) {
		return 0;
	}
	/* The one read of this guest entry: only the copy is used. */
	ge = vtd_fl_pte_read(&gv->t->e[i]);
	c->s->stats.entries_read++;
	return guest_decode(c, ge, level, gv, at, sub);
}

/* ---- Building the new tables --------------------------------------------- */

/* Entry @i (at @level) of the old shadow's span @ov. */
static u64 old_entry(const struct oview *ov, unsigned int level,
		     unsigned int i)
{
	u64 v;

	if (ov->t) {
		return vtd_fl_pte_read(&ov->t->e[i]);
	}
	if (!ov->leaf) {
		return 0;
	}
	/* [VT-d 9.7] The same bits, PS above level 1 (PAT in a PTE). */
	v = (ov->leaf & ~VTD_FL_PTE_PS) + i * vtd_fl_level_size(level);
	return level > 1 ? v | VTD_FL_PTE_PS : v;
}

/* The old shadow below entry @old at @level. */
static struct oview old_view(u64 old, unsigned int level)
{
	struct oview ov = { .t = NULL, .leaf = 0 };

	if (!vtd_fl_pte_present(old)) {
		return ov;
	}
	if (vtd_fl_pte_is_leaf(old, level)) {
		ov.leaf = old;
	} else {
		ov.t = table_of(old);
	}
	return ov;
}

/*
 * Leaf bits [VT-d 3.6.2, 9.7] as vtd_fl_pt_map() writes them (pt_fl.h):
 * P and A; R/W (with D unless dirty tracking) when the guest's walk and
 * the VM's map both allow writes; U/S when the guest's walk allows user
 * access or the table makes every leaf user; XD when the table honours
 * it (nxe) and the guest's walk forbids execution. Nothing else the
 * guest wrote.
 */
static u64 leaf_bits(const struct vtd_fl_pt *pt, const struct gview *gv,
		     u32 prot)
{
	u64 v = VTD_FL_PTE_P | VTD_FL_PTE_A;

	if (gv->w && (prot & VTD_PROT_WRITE)) {
		v |= VTD_FL_PTE_RW | (pt->dirty_tracking ? 0 : VTD_FL_PTE_D);
	}
	if (gv->u || pt->user) {
		v |= VTD_FL_PTE_US;
	}
	if (pt->nxe && !gv->x) {
		v |= VTD_FL_PTE_XD;
	}
	return v;
}

/*
 * The shadow leaf at @level for the piece @gv of a guest leaf that spans
 * [a, a + size): 1 with *@e (0 when not RAM); 0 when the level allows no
 * leaf or the VM's map does not give the whole span as one aligned,
 * contiguous, equally permitted range (split it); -EAGAIN on a cut.
 */
static int leaf_entry(struct sync *c, unsigned int level, u64 a,
		      const struct gview *gv, u64 *e)
{
	u64 size = vtd_fl_level_size(level);
	struct xlate x;

	if (!(c->s->fl.leaf_levels & (1U << level))) {
		return 0;
	}
	if (xlate(c, a, gv->gpa, &x)) {
		return -EAGAIN;
	}
	if (x.len < size || (x.ram && (x.hpa & (size - 1)))) {
		return 0;
	}
	*e = 0;
	if (x.ram) {
		*e = leaf_bits(&c->s->fl, gv, x.prot) | x.hpa |
		     (level > 1 ? VTD_FL_PTE_PS : 0);
	}
	return 1;
}

/* A zeroed new table, within the quota, or NULL with c->err set. */
static struct vtd_fl_table *table_new(struct sync *c)
{
	struct vtd_fl_table *t;

	if (c->fresh >= c->s->max_table_pages) {
		c->err = VTD_ERR(-EDQUOT);
		return NULL;
	}
	t = hal_page_alloc(0);
	if (!t) {
		c->err = VTD_ERR(-ENOMEM);
		return NULL;
	}
	c->fresh++;
	return t;
}

/*
 * Free the new tables below @nt (at @level, built over @ov): an entry
 * that is a table and differs from the old one is new. @nt itself stays.
 */
static void discard_below(struct sync *c, struct vtd_fl_table *nt,
			  unsigned int level, const struct oview *ov)
{
	struct oview cov;
	unsigned int i;
	u64 e, old;

	for (i = 0; level > 1 && i < VTD_FL_TABLE_ENTRIES; i++) {
		e = nt->e[i].val;
		old = old_entry(ov, level, i);
		if (e == old || !vtd_fl_pte_present(e) ||
		    vtd_fl_pte_is_leaf(e, level)) {
			continue;
		}
		cov = old_view(old, level);
		discard_below(c, table_of(e), level - 1, &cov);
		hal_page_free(table_of(e), 0);
		c->fresh--;
	}
}

static void fill_table(struct sync *c, struct vtd_fl_table *nt,
		       unsigned int level, u64 base, const struct oview *ov,
		       const struct gview *gv);

/*
 * Does new table @nt hold what @t holds, but for the Accessed and Dirty
 * flags a unit may have set [VT-d 3.6.2]? Then every entry of @nt is an
 * old one (a new table never has a live table's address), and @t can
 * stay in its place.
 */
static bool same_table(const struct vtd_fl_table *nt,
		       const struct vtd_fl_table *t)
{
	const u64 status = VTD_FL_PTE_A | VTD_FL_PTE_D;
	unsigned int i;

	for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++) {
		if ((nt->e[i].val ^ READ_ONCE(t->e[i].val)) & ~status) {
			return false;
		}
	}
	return true;
}

/*
 * The new value of the entry at @level spanning [a, a + size), which
 * meets the range, in place of @old, with the guest's side @gv. On a cut
 * or an error before anything was built, @old itself.
 */
static u64 build_entry(struct sync *c, unsigned int level, u64 a, u64 old,
		       const struct gview *gv)
{
	u64 size = vtd_fl_level_size(level), e;
	bool inside = a >= c->start && a + size <= c->end;
	struct oview ov = old_view(old, level);
	struct vtd_fl_table *nt;
	unsigned int n;
	int ret;

	if (inside && !gv->t && !gv->leaf) {
		return 0;
	}
	if (inside && gv->leaf) {
		ret = leaf_entry(c, level, a, gv, &e);
		if (ret) {
			return ret < 0 ? old : e;
		}
	}
	/* A 4-KiB entry is always inside and a guest PTE a leaf. */
	VTD_BUG_ON(level == 1);
	/* A table: the guest's, a split leaf, or old entries kept. */
	if (ov.leaf) {
		c->inv_lo = HAL_MIN(c->inv_lo, a);
		c->inv_hi = HAL_MAX(c->inv_hi, a + size);
	}
	nt = table_new(c);
	if (!nt) {
		return old;
	}
	fill_table(c, nt, level - 1, a, &ov, gv);
	if (!c->err && ov.t && same_table(nt, ov.t)) {
		/* Nothing below changed: the old table stays (no new one). */
		hal_page_free(nt, 0);
		c->fresh--;
		return old;
	}
	n = c->err ? 0 : table_count(nt);
	if (!n) {
		discard_below(c, nt, level - 1, &ov);
		hal_page_free(nt, 0);
		c->fresh--;
		return c->err ? old : 0;
	}
	/* The table reaches memory before any entry to it (pt_engine.h). */
	flush_lines(&c->w, nt, ~0ULL);
	return table_entry(nt, n);
}

/*
 * Fill new table @nt at @level, spanning from @base: entries outside the
 * range (or past a cut) copied from the old shadow @ov, the others built
 * from the guest's side @gv.
 */
static void fill_table(struct sync *c, struct vtd_fl_table *nt,
		       unsigned int level, u64 base, const struct oview *ov,
		       const struct gview *gv)
{
	u64 size = vtd_fl_level_size(level), a = base, old;
	struct gview sub;
	unsigned int i;

	for (i = 0; i < VTD_FL_TABLE_ENTRIES && !c->err; i++, a += size) {
		old = old_entry(ov, level, i);
		/* One unit per entry of the range: a guest read or not. */
		if (a + size <= c->start || a >= c->end ||
		    !spend(c, HAL_MAX(a, c->start)) ||
		    guest_view(c, gv, level, i, a, base, &sub)) {
			nt->e[i].val = old;
			continue;
		}
		nt->e[i].val = build_entry(c, level, a, old, &sub);
	}
}

/* ---- Commit -------------------------------------------------------------- */

/*
 * Old tables that @old (at @level) reaches and @new does not: the count,
 * and, when @gather, into the gather with the leaves that changed.
 */
static u64 retire(struct sync *c, u64 old, u64 new, unsigned int level,
		  bool gather)
{
	const struct vtd_fl_table *n = NULL;
	struct vtd_fl_table *t;
	unsigned int i;
	u64 count = 1;

	if (old == new || !vtd_fl_pte_present(old)) {
		return 0;
	}
	if (vtd_fl_pte_is_leaf(old, level)) {
		if (gather) {
			gather_leaves(&c->w, level, 1);
		}
		return 0;
	}
	t = table_of(old);
	if (vtd_fl_pte_present(new) && !vtd_fl_pte_is_leaf(new, level)) {
		n = table_of(new);
	}
	for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++) {
		count += retire(c, t->e[i].val, n ? n->e[i].val : 0,
				level - 1, gather);
	}
	/* Its entries stay as they were: a unit may walk it until flushed. */
	if (gather) {
		gather_table(&c->w, t);
	}
	return count;
}

/*
 * Swap the built root entries into the live root, which the PASID entry
 * names: one store each, after every new table reached memory. The old
 * entries go back into @nroot for retire().
 */
static u64 commit_root(struct sync *c, struct vtd_fl_table *nroot)
{
	struct vtd_fl_table *root = c->s->fl.root;
	unsigned int i;
	u64 dirty = 0, old;

	barrier();
	for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++) {
		old = root->e[i].val;
		if (old == nroot->e[i].val) {
			continue;
		}
		vtd_fl_pte_write(&root->e[i], nroot->e[i].val);
		nroot->e[i].val = old;
		dirty |= line_mask(i, i);
	}
	flush_lines(&c->w, root, dirty);
	return dirty;
}

/* Commit the built root @nroot, and record what to invalidate. */
static void sync_commit(struct sync *c, struct vtd_fl_table *nroot)
{
	struct vtd_fl_pt *pt = &c->s->fl;
	struct vtd_fl_gather *g = c->w.g;
	unsigned int i;

	pt->table_pages += c->fresh;
	if (commit_root(c, nroot)) {
		for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++) {
			retire(c, nroot->e[i].val, pt->root->e[i].val,
			       pt->levels, true);
		}
		/*
		 * [VT-d 6.5.2.4] Every translation in the range may have
		 * changed, and tables were linked and detached (IH = 0);
		 * split large leaves may be cached whole.
		 */
		gather_range(g, c->start, c->end);
		if (c->inv_lo < c->inv_hi) {
			gather_range(g, c->inv_lo, c->inv_hi);
		}
		g->nonleaf = true;
	}
	g->levels = pt->levels;
	op_end(&c->w);
}

/*
 * Build the new root entries for the range into scratch page *@nroot
 * from the guest's table, and check the quota. On error nothing is
 * left allocated.
 */
static int sync_build(struct sync *c, struct vtd_fl_table **nroot)
{
	struct vtd_shadow *s = c->s;
	struct oview ov = { .t = s->fl.root, .leaf = 0 };
	struct gview gv = { .t = NULL, .w = true, .u = true, .x = true };
	struct xlate x;
	u64 retired = 0;
	unsigned int i;

	*nroot = hal_page_alloc(0);
	if (!*nroot) {
		return VTD_ERR(-ENOMEM);
	}
	/* The guest's root is a GPA like every other (cannot be cut). */
	if (!xlate(c, c->start, s->groot, &x) && x.ram) {
		gv.t = hal_phys_to_virt(hal_paddr_init(x.hpa));
	}
	fill_table(c, *nroot, s->fl.levels, 0, &ov, &gv);
	for (i = 0; !c->err && i < VTD_FL_TABLE_ENTRIES; i++) {
		retired += retire(c, s->fl.root->e[i].val, (*nroot)->e[i].val,
				  s->fl.levels, false);
	}
	if (!c->err &&
	    s->fl.table_pages + c->fresh - retired > s->max_table_pages) {
		c->err = VTD_ERR(-EDQUOT);
	}
	if (c->err) {
		discard_below(c, *nroot, s->fl.levels, &ov);
		hal_page_free(*nroot, 0);
	}
	return c->err;
}

/* ---- API ----------------------------------------------------------------- */

/* Validate a sync range: 0 with its folded bounds, or an error. */
static int sync_range(const struct vtd_shadow *s, u64 va, u64 size,
		      u64 *start, u64 *end)
{
	unsigned int levels = s->fl.levels;
	u64 last = va + size - 1;

	if (!size || (va & (HAL_PAGE_SIZE - 1)) ||
	    (size != VTD_SHADOW_ALL && (size & (HAL_PAGE_SIZE - 1)))) {
		return VTD_ERR(-EINVAL);
	}
	if (!canonical(levels, va)) {
		return VTD_ERR(-ERANGE);
	}
	*start = va & (span_of(levels) - 1);
	*end = span_of(levels);
	if (size == VTD_SHADOW_ALL) {
		return 0;
	}
	if (last < va) {
		return VTD_ERR(-EINVAL);
	}
	/* [VT-d 3.6] Both ends canonical and in the same half. */
	if (!canonical(levels, last) || (s64)(va ^ last) < 0) {
		return VTD_ERR(-ERANGE);
	}
	*end = *start + size;
	return 0;
}

static bool gather_ok(const struct vtd_shadow *s,
		      const struct vtd_fl_gather *g)
{
	return g && (!g->levels || g->levels == s->fl.levels);
}

int vtd_shadow_init(struct vtd_shadow *s, const struct vtd_gmem *gm,
		    vtd_gpa_t groot, unsigned int levels,
		    const struct vtd_fl_pt_config *cfg, u64 max_table_pages,
		    u64 work_per_sync)
{
	u64 root = vtd_gpa_val(groot);

	if (!s || !gm || !gm->translate || !cfg) {
		return VTD_ERR(-EINVAL);
	}
	if ((levels != 4 && levels != 5) || cfg->levels != levels ||
	    cfg->haw < VTD_FL_PT_HAW_MIN || cfg->haw > VTD_FL_PT_HAW_MAX) {
		return VTD_ERR(-EINVAL);
	}
	if (!max_table_pages || work_per_sync < VTD_SHADOW_WORK_MIN) {
		return VTD_ERR(-EINVAL);
	}
	if ((root & (HAL_PAGE_SIZE - 1)) || (root >> cfg->haw)) {
		return VTD_ERR(-EINVAL);
	}

	hal_memset(s, 0, sizeof(*s));
	s->gm = *gm;
	s->groot = root;
	s->max_table_pages = max_table_pages;
	s->work_per_sync = work_per_sync;
	return vtd_fl_pt_init(&s->fl, cfg);
}

int vtd_shadow_sync(struct vtd_shadow *s, vtd_iova_t va, u64 size,
		    struct vtd_fl_gather *g, vtd_iova_t *next)
{
	struct vtd_fl_table *nroot;
	struct sync c;
	int ret;

	sync_init(&c, s, g);
	ret = gather_ok(s, g) ? 0 : VTD_ERR(-EINVAL);
	if (!ret) {
		ret = sync_range(s, vtd_iova_val(va), size, &c.start, &c.end);
	}
	if (!ret) {
		ret = sync_build(&c, &nroot);
	}
	if (ret) {
		s->stats.refused++;
		return ret;
	}
	sync_commit(&c, nroot);
	hal_page_free(nroot, 0);
	s->stats.syncs++;
	if (!c.cut) {
		return 0;
	}
	/*
	 * Partial progress, not a failure (so not through VTD_ERR()): the
	 * work limit of GUEST-SVA 7.8, continued by the caller.
	 */
	s->stats.partial++;
	if (next) {
		*next = vtd_iova_init(unfold(s->fl.levels, c.end));
	}
	return -EAGAIN;
}

int vtd_shadow_clear(struct vtd_shadow *s, struct vtd_fl_gather *g)
{
	struct vtd_fl_table *root = s->fl.root;
	struct sync c;
	unsigned int i;
	u64 old, dirty = 0;

	if (!gather_ok(s, g)) {
		return VTD_ERR(-EINVAL);
	}
	sync_init(&c, s, g);
	for (i = 0; i < VTD_FL_TABLE_ENTRIES; i++) {
		old = root->e[i].val;
		if (!vtd_fl_pte_present(old)) {
			continue;
		}
		vtd_fl_pte_write(&root->e[i], 0);
		dirty |= line_mask(i, i);
		retire(&c, old, 0, s->fl.levels, true);
	}
	flush_lines(&c.w, root, dirty);
	if (dirty) {
		gather_range(g, 0, span_of(s->fl.levels));
		g->nonleaf = true;
	}
	g->levels = s->fl.levels;
	op_end(&c.w);
	return 0;
}

void vtd_shadow_destroy(struct vtd_shadow *s)
{
	vtd_fl_pt_destroy(&s->fl);
}
