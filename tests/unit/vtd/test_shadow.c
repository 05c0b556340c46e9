// SPDX-License-Identifier: BSD-2-Clause
/*
 * Shadow first-level tables (vtd/hv/shadow.c). A fake VM gives guest
 * memory: "table" pages, each a fake page of its own (the only guest pages
 * anything may read), a linear RAM region at host addresses nothing may
 * dereference, an MMIO window and holes, with per-page overrides
 * (read-only, hole, remapped). Guest first-level tables are built in it.
 *
 * The judge is a model of what the shadow must hold: for every range a
 * sync committed, the composition of the guest's tables and the VM's map
 * as they were then, computed by this file's own walker (bit positions
 * written as numbers from [SDM 3A Tables 4-15..4-20], nothing shared with
 * the library) and kept as a list of intervals. After every call the
 * whole shadow, enumerated by the independent walker tests/fakes/fl_walk
 * (which also fails any bit libvtd promises never to set, and counts the
 * table pages), must equal the model; random addresses are looked up with
 * vtd_fl_pt_lookup() against it too; a failed call must leave shadow,
 * gather and page count exactly as they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/errno.h>
#include <hal/mem.h>
#include <vtd/hw/tables.h>
#include <vtd/pt_fl.h>

#include "fakes/fake_hal.h"
#include "fakes/fl_walk.h"
#include <vtd/shadow.h>

#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
#define HAW		46

/* Guest entry bits [SDM 3A Tables 4-15..4-20], by number. */
#define GE_P		(1ULL << 0)
#define GE_RW		(1ULL << 1)
#define GE_US		(1ULL << 2)
#define GE_PWT		(1ULL << 3)
#define GE_PCD		(1ULL << 4)
#define GE_A		(1ULL << 5)
#define GE_D		(1ULL << 6)
#define GE_PS		(1ULL << 7)
#define GE_G		(1ULL << 8)
#define GE_XD		(1ULL << 63)
#define GE_TABLE	(GE_P | GE_RW | GE_US)

static u64 bits(unsigned int hi, unsigned int lo)
{
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static u64 level_size(unsigned int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static unsigned int gidx(u64 va, unsigned int level)
{
	return (unsigned int)(va >> (12 + 9 * (level - 1))) & 511;
}

/* ---- The fake VM --------------------------------------------------------- */

#define GPA_TABLES	0x100000ULL		/* 1 MiB: one fake page each */
#define GPA_MMIO	0x30000000ULL
#define MMIO_SIZE	0x1000000ULL
#define GPA_HOLE	0x20000000ULL		/* an address in a hole */
#define GPA_RAM		0x40000000ULL		/* linear RAM, 1 GiB aligned */
#define RAM_SIZE	(8 * SZ_1G)
#define HPA_RAM		0x200000000000ULL	/* 32 TiB: never dereferenced */
#define GPA_RAM2	(GPA_RAM + RAM_SIZE)	/* 1 GiB more, host side */
#define HPA_RAM2	0x210000001000ULL	/* not 2M aligned */
#define GPA_END		(GPA_RAM2 + SZ_1G)	/* holes from here */
#define HPA_REMAP	0x300000000000ULL
#define MAX_BACKED	2048
#define MAX_OVR		128

/*
 * Per-page overrides of the VM's map. The last three are answers a
 * buggy host map might give for RAM: no read right, an unaligned host
 * address, a host address at or above the width.
 */
enum ovr_kind { OVR_RO, OVR_HOLE, OVR_REMAP, OVR_NOREAD, OVR_UNALIGNED,
		OVR_WIDE };

struct ovr {
	u64 gpa;
	enum ovr_kind kind;
	u64 hpa;		/* OVR_REMAP */
};

enum len_mode { LEN_MAX, LEN_MIN, LEN_RANDOM };

static struct {
	void *backed[MAX_BACKED];
	unsigned int backed_count;
	unsigned int used;		/* handed out as guest tables */
	u8 role[MAX_BACKED];		/* level a page was made a table for */
	struct ovr ovr[MAX_OVR];
	unsigned int ovr_count;
	enum len_mode len_mode;
	u64 calls;			/* gm_translate() calls */
	u64 bad;			/* unaligned or too wide GPAs asked */
	u64 rnd;
	void (*hook)(u64 gpa);		/* called in gm_translate() */
} vm;

static unsigned int glevels;
static u64 groot;
static u64 span;

static u64 backed_end(void)
{
	return GPA_TABLES + (u64)vm.backed_count * SZ_4K;
}

static bool is_backed(u64 gpa)
{
	return gpa >= GPA_TABLES && gpa < backed_end();
}

/* Host pointer of a guest table page (the test's own access). */
static u64 *gtab(u64 gpa)
{
	if (!is_backed(gpa) || (gpa & (SZ_4K - 1))) {
		fail_msg("gpa %#llx is not a guest table page",
			 (unsigned long long)gpa);
	}
	return vm.backed[(gpa - GPA_TABLES) / SZ_4K];
}

static const struct ovr *ovr_find(u64 gpa)
{
	for (unsigned int i = 0; i < vm.ovr_count; i++) {
		if (vm.ovr[i].gpa == gpa) {
			return &vm.ovr[i];
		}
	}
	return NULL;
}

static u64 ovr_next(u64 gpa, u64 end)
{
	for (unsigned int i = 0; i < vm.ovr_count; i++) {
		if (vm.ovr[i].gpa >= gpa && vm.ovr[i].gpa < end) {
			end = vm.ovr[i].gpa;
		}
	}
	return end;
}

static void ovr_set(u64 gpa, enum ovr_kind kind, u64 hpa)
{
	struct ovr *o = (struct ovr *)ovr_find(gpa);

	if (!o) {
		assert_true(vm.ovr_count < MAX_OVR);
		o = &vm.ovr[vm.ovr_count++];
	}
	*o = (struct ovr){ .gpa = gpa, .kind = kind, .hpa = hpa };
}

static void ovr_del(unsigned int i)
{
	vm.ovr[i] = vm.ovr[--vm.ovr_count];
}

/* The VM's map without overrides: RAM or not, and the run's length. */
static bool map_base(u64 gpa, u64 *hpa, u64 *len)
{
	static const u64 edges[] = { GPA_TABLES, GPA_MMIO, GPA_MMIO + MMIO_SIZE,
				     GPA_RAM, GPA_END, 1ULL << HAW };
	u64 next = 1ULL << HAW;

	if (is_backed(gpa)) {
		*hpa = fake_virt_to_phys_checked(gtab(gpa));
		*len = SZ_4K;
		return true;
	}
	if (gpa >= GPA_RAM && gpa < GPA_RAM + RAM_SIZE) {
		*hpa = HPA_RAM + (gpa - GPA_RAM);
		*len = GPA_RAM + RAM_SIZE - gpa;
		return true;
	}
	if (gpa >= GPA_RAM2 && gpa < GPA_END) {
		*hpa = HPA_RAM2 + (gpa - GPA_RAM2);
		*len = GPA_END - gpa;
		return true;
	}
	for (unsigned int i = 0; i < 6; i++) {
		if (edges[i] > gpa && edges[i] < next) {
			next = edges[i];
		}
	}
	if (backed_end() > gpa && backed_end() < next) {
		next = backed_end();
	}
	*len = next - gpa;
	return false;
}

/*
 * The ground truth: is @gpa (page aligned) the VM's RAM, at which host
 * address, with which rights, and for how many bytes does that hold.
 */
static bool map_run(u64 gpa, u64 *hpa, u32 *prot, u64 *len)
{
	const struct ovr *o = ovr_find(gpa);
	bool ram;

	*prot = VTD_PROT_READ | VTD_PROT_WRITE;
	if (o) {
		*len = SZ_4K;
		if (o->kind == OVR_HOLE) {
			return false;
		}
		if (o->kind == OVR_REMAP) {
			*hpa = o->hpa;
			return true;
		}
		if (o->kind == OVR_NOREAD) {
			*hpa = o->hpa;
			*prot = VTD_PROT_WRITE;
			return true;
		}
		if (o->kind == OVR_UNALIGNED || o->kind == OVR_WIDE) {
			*hpa = o->kind == OVR_WIDE ? 1ULL << HAW : o->hpa + 8;
			*len = SZ_1G;
			return true;
		}
		*prot = VTD_PROT_READ;
		ram = map_base(gpa, hpa, len);
		*len = SZ_4K;
		return ram;
	}
	ram = map_base(gpa, hpa, len);
	*len = ovr_next(gpa + SZ_4K, gpa + *len) - gpa;
	return ram;
}

/* struct vtd_gmem's callback, answering as vm.len_mode says. */
static int gm_translate(void *ctx, u64 gpa, hal_paddr_t *hpa, u32 *prot,
			u64 *len)
{
	u64 h = 0, l;
	u32 p;
	bool ram;

	vm.calls++;
	if ((gpa & (SZ_4K - 1)) || (gpa >> HAW)) {
		vm.bad++;
	}
	if (vm.hook) {
		vm.hook(gpa);
	}
	ram = map_run(gpa & ~(SZ_4K - 1), &h, &p, &l);
	if (vm.len_mode == LEN_MIN) {
		l = SZ_4K;
	} else if (vm.len_mode == LEN_RANDOM) {
		l = (1 + pt_rnd(&vm.rnd) % (l / SZ_4K)) * SZ_4K;
	}
	*hpa = hal_paddr_init(h);
	*prot = p;
	*len = l;
	return ram ? 0 : -EFAULT;
}

static void vm_setup(unsigned int levels, unsigned int pages)
{
	memset(&vm, 0, sizeof(vm));
	vm.rnd = 0x9e3779b97f4a7c15ULL;
	for (unsigned int i = 0; i < pages; i++) {
		vm.backed[i] = hal_page_alloc(0);
		assert_non_null(vm.backed[i]);
	}
	vm.backed_count = pages;
	glevels = levels;
	span = 1ULL << (12 + 9 * levels);
	groot = GPA_TABLES;
	vm.used = 1;
	vm.role[0] = (u8)levels;
}

static void vm_teardown(void)
{
	for (unsigned int i = 0; i < vm.backed_count; i++) {
		hal_page_free(vm.backed[i], 0);
	}
	vm.backed_count = 0;
}

/* ---- Building guest tables ----------------------------------------------- */

/* A zeroed table page for @level (or an old one of that level). */
static u64 gpt_new(unsigned int level)
{
	unsigned int i;

	if (vm.used < vm.backed_count) {
		i = vm.used++;
		memset(vm.backed[i], 0, SZ_4K);
		vm.role[i] = (u8)level;
		return GPA_TABLES + (u64)i * SZ_4K;
	}
	for (;;) {
		i = (unsigned int)(pt_rnd(&vm.rnd) % vm.used);
		if (vm.role[i] == level) {
			return GPA_TABLES + (u64)i * SZ_4K;
		}
	}
}

/* A random table page made for @level. */
static u64 gpt_pick(unsigned int level)
{
	for (unsigned int n = 0; n < 10000; n++) {
		unsigned int i = (unsigned int)(pt_rnd(&vm.rnd) % vm.used);

		if (vm.role[i] == level) {
			return GPA_TABLES + (u64)i * SZ_4K;
		}
	}
	return gpt_new(level);
}

static bool ge_leaf(u64 e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & GE_PS));
}

/* Does entry @e point at a table page made for @level? */
static bool is_table(u64 e, unsigned int level)
{
	u64 gpa = e & bits(51, 12);

	return is_backed(gpa) && vm.role[(gpa - GPA_TABLES) / SZ_4K] == level;
}

/* The guest entry for @va at @level, making tables (GE_TABLE) above. */
static u64 *gslot(u64 va, unsigned int level)
{
	u64 t = groot, *e;

	for (unsigned int l = glevels; l > level; l--) {
		e = &gtab(t)[gidx(va, l)];
		if (!(*e & GE_P) || ge_leaf(*e, l) || !is_table(*e, l - 1)) {
			*e = gpt_new(l - 1) | GE_TABLE;
		}
		t = *e & bits(51, 12);
	}
	return &gtab(t)[gidx(va, level)];
}

static void gset(u64 va, unsigned int level, u64 e)
{
	*gslot(va, level) = e;
}

static u64 gleaf(u64 gpa, unsigned int level, u64 flags)
{
	return gpa | GE_P | flags | (level > 1 ? GE_PS : 0);
}

/* ---- Intervals: what a range of guest-virtual addresses maps to ---------- */

#define R_W	1
#define R_U	2
#define R_X	4

struct ival {
	u64 va;			/* folded */
	u64 len;
	u64 hpa;
	unsigned int r;
};

struct ivals {
	struct ival *v;
	size_t n, cap;
};

static void ival_add(struct ivals *l, u64 va, u64 len, u64 hpa,
		     unsigned int r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n++] = (struct ival){ va, len, hpa, r };
}

static int ival_cmp(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Sort and merge neighbours that continue each other. */
static void ival_norm(struct ivals *l)
{
	size_t i, n = 0;

	if (!l->n) {
		return;
	}
	qsort(l->v, l->n, sizeof(*l->v), ival_cmp);
	for (i = 0; i < l->n; i++) {
		struct ival *p = n ? &l->v[n - 1] : NULL, *c = &l->v[i];

		if (p && p->va + p->len > c->va) {
			fail_msg("overlapping intervals at %#llx",
				 (unsigned long long)c->va);
		}
		if (p && p->va + p->len == c->va &&
		    p->hpa + p->len == c->hpa && p->r == c->r) {
			p->len += c->len;
		} else {
			l->v[n++] = *c;
		}
	}
	l->n = n;
}

/* Remove [a, c) from every interval. */
static void ival_cut(struct ivals *l, u64 a, u64 c)
{
	struct ivals out = { 0 };

	for (size_t i = 0; i < l->n; i++) {
		struct ival v = l->v[i];
		u64 e = v.va + v.len;

		if (e <= a || v.va >= c) {
			ival_add(&out, v.va, v.len, v.hpa, v.r);
			continue;
		}
		if (v.va < a) {
			ival_add(&out, v.va, a - v.va, v.hpa, v.r);
		}
		if (e > c) {
			ival_add(&out, c, e - c, v.hpa + (c - v.va), v.r);
		}
	}
	free(l->v);
	*l = out;
}

static const struct ival *ival_find(const struct ivals *l, u64 va)
{
	for (size_t i = 0; i < l->n; i++) {
		if (va >= l->v[i].va && va - l->v[i].va < l->v[i].len) {
			return &l->v[i];
		}
	}
	return NULL;
}

static bool ival_eq(const struct ival *a, const struct ival *b)
{
	return a->va == b->va && a->len == b->len && a->hpa == b->hpa &&
	       a->r == b->r;
}

static bool ival_same(const struct ivals *a, const struct ivals *b)
{
	size_t i;

	if (a->n != b->n) {
		return false;
	}
	for (i = 0; i < a->n; i++) {
		if (!ival_eq(&a->v[i], &b->v[i])) {
			return false;
		}
	}
	return true;
}

/* ---- The reference composition (independent of the library) -------------- */

static struct vtd_shadow s;
static struct vtd_fl_pt_config cfg;
static struct fl_walk_cfg wcfg;
static struct vtd_fl_gather g;
static struct pt_walk_result res;
static struct ivals model;
static struct ivals cur;	/* the shadow at the last check */
static bool cur_valid;		/* false after a change not checked */
static bool have_shadow;
static u64 start_pages, base_pages;

struct ref {
	u64 a, c;		/* folded range */
	struct ivals *out;
};

/* Rights as the shadow must show them: U/S forced by user, XD only with nxe. */
static unsigned int rights(bool w, bool u, bool x)
{
	return (w ? R_W : 0) | (u || cfg.user ? R_U : 0) |
	       (x || !cfg.nxe ? R_X : 0);
}

/* The VM's map as the shadow may use it: RAM it can map, or nothing. */
static bool ref_map(u64 gpa, u64 *hpa, u32 *prot, u64 *len)
{
	const struct ovr *o = ovr_find(gpa);

	if (o && (o->kind == OVR_NOREAD || o->kind == OVR_UNALIGNED ||
		  o->kind == OVR_WIDE)) {
		*len = SZ_4K;
		return false;
	}
	return map_run(gpa, hpa, prot, len);
}

static void ref_leaf(struct ref *r, u64 va0, u64 size, u64 gpa0, bool w,
		     bool u, bool x)
{
	u64 lo = va0 > r->a ? va0 : r->a;
	u64 hi = va0 + size < r->c ? va0 + size : r->c;

	while (lo < hi) {
		u64 hpa = 0, len;
		u32 prot;
		bool ram = ref_map(gpa0 + (lo - va0), &hpa, &prot, &len);

		if (len > hi - lo) {
			len = hi - lo;
		}
		if (ram) {
			ival_add(r->out, lo, len, hpa,
				 rights(w && (prot & VTD_PROT_WRITE), u, x));
		}
		lo += len;
	}
}

/* The guest table at @tgpa, level @level, spanning from @base. */
static void ref_table(struct ref *r, u64 tgpa, unsigned int level, u64 base,
		      bool w, bool u, bool x)
{
	u64 size = level_size(level), hpa, len;
	const u64 *t;
	u32 prot;

	if (!ref_map(tgpa, &hpa, &prot, &len)) {
		return;
	}
	t = gtab(tgpa);
	for (unsigned int i = 0; i < 512; i++) {
		u64 va0 = base + i * size, e = t[i], rsvd = bits(51, HAW);
		bool leaf = ge_leaf(e, level);

		if (va0 + size <= r->a || va0 >= r->c || !(e & GE_P)) {
			continue;
		}
		if (level >= 4) {
			rsvd |= GE_PS;
		}
		if (leaf && level == 2) {
			rsvd |= bits(20, 13);
		}
		if (leaf && level == 3) {
			rsvd |= bits(29, 13);
		}
		if (e & rsvd) {
			continue;
		}
		if (leaf) {
			ref_leaf(r, va0, size,
				 e & bits(51, 12 + 9 * (level - 1)),
				 w && (e & GE_RW), u && (e & GE_US),
				 x && !(e & GE_XD));
		} else {
			ref_table(r, e & bits(51, 12), level - 1, va0,
				  w && (e & GE_RW), u && (e & GE_US),
				  x && !(e & GE_XD));
		}
	}
}

/* Append the composition over folded [a, c) to @out. */
static void ref_enum(u64 a, u64 c, struct ivals *out)
{
	struct ref r = { a, c, out };

	ref_table(&r, groot, glevels, 0, true, true, true);
}

static u64 fold(u64 va)
{
	return va & (span - 1);
}

static u64 unfold(u64 a)
{
	unsigned int b = 12 + 9 * glevels;

	return (u64)((s64)(a << (64 - b)) >> (64 - b));
}

/* The model follows a committed [a, c). */
static void model_sync(u64 a, u64 c)
{
	ival_cut(&model, a, c);
	ref_enum(a, c, &model);
	ival_norm(&model);
}

/* ---- Checks -------------------------------------------------------------- */

static void collect(const struct fl_leaf *leaf, void *ctx)
{
	ival_add(ctx, fold(leaf->va), leaf->size, leaf->pa,
		 (leaf->w ? R_W : 0) | (leaf->u ? R_U : 0) |
		 (leaf->x ? R_X : 0));
}

/* The shadow as the independent walker sees it; fails on any error. */
static void shadow_ivals(struct ivals *out)
{
	out->n = 0;
	fl_walk(&wcfg, hal_paddr_val(s.fl.root_pa), collect, out, &res);
	if (pt_check_walk(&res, s.fl.table_pages)) {
		fail_msg("shadow walk: %s",
			 pt_check_walk(&res, s.fl.table_pages));
	}
	ival_norm(out);
}

static void lookup_point(u64 va)
{
	struct vtd_fl_pt_translation t;
	const struct ival *m = ival_find(&model, fold(va));
	int ret = vtd_fl_pt_lookup(&s.fl, vtd_iova_init(va), &t);

	if (!m) {
		if (ret != -ENOENT) {
			fail_msg("va %#llx: mapped, model says not",
				 (unsigned long long)va);
		}
		return;
	}
	if (ret) {
		fail_msg("va %#llx: lookup %d, model says mapped",
			 (unsigned long long)va, ret);
	}
	assert_int_equal(hal_paddr_val(t.pa), m->hpa + (fold(va) - m->va));
	assert_int_equal(!!(t.prot & VTD_PROT_WRITE), !!(m->r & R_W));
	assert_int_equal(!!(t.prot & VTD_PROT_USER), !!(m->r & R_U));
	assert_int_equal(!!(t.prot & VTD_PROT_EXEC), !!(m->r & R_X));
}

/* A random address: in a modelled interval (often at its ends) or anywhere. */
static u64 random_va(void)
{
	u64 r = pt_rnd(&vm.rnd);

	if (model.n && (r & 1)) {
		const struct ival *m = &model.v[(r >> 1) % model.n];
		u64 pages = m->len / SZ_4K, p = (r >> 20) % pages;

		if ((r >> 8) % 4 == 0) {
			p = 0;
		}
		if ((r >> 8) % 4 == 1) {
			p = pages - 1;
		}
		return unfold(m->va + p * SZ_4K);
	}
	return unfold(pt_rnd(&vm.rnd) & (span - 1) & ~(SZ_4K - 1));
}

/* Interval @i of @l as text (two buffers: @k is 0 or 1). */
static const char *ival_str(const struct ivals *l, size_t i, unsigned int k)
{
	static char buf[2][96];

	if (i >= l->n) {
		return "none";
	}
	snprintf(buf[k], sizeof(buf[k]), "va %#llx len %#llx hpa %#llx r %u",
		 (unsigned long long)l->v[i].va,
		 (unsigned long long)l->v[i].len,
		 (unsigned long long)l->v[i].hpa, l->v[i].r);
	return buf[k];
}

/*
 * The whole shadow equals the model; its table pages are counted right,
 * within quota, and all pages in use are accounted for; @n random
 * addresses look up as the model says. @out (may be NULL) gets the
 * shadow's intervals.
 */
static void check_shadow_n(struct ivals *out, unsigned int n)
{
	struct ivals sh = { 0 };

	shadow_ivals(&sh);
	if (!ival_same(&sh, &model)) {
		size_t i;

		for (i = 0; i < sh.n && i < model.n; i++) {
			if (!ival_eq(&sh.v[i], &model.v[i])) {
				break;
			}
		}
		fail_msg("shadow (%zu intervals) differs from the model (%zu) "
			 "at %zu: %s / %s", sh.n, model.n, i,
			 ival_str(&sh, i, 0), ival_str(&model, i, 1));
	}
	assert_true(s.fl.table_pages <= s.max_table_pages);
	assert_int_equal(fake_mem_pages_in_use(),
			 base_pages + s.fl.table_pages + g.freed_pages);
	for (unsigned int i = 0; i < n; i++) {
		lookup_point(random_va());
	}
	cur.n = 0;
	for (size_t i = 0; i < sh.n; i++) {
		ival_add(&cur, sh.v[i].va, sh.v[i].len, sh.v[i].hpa,
			 sh.v[i].r);
	}
	cur_valid = true;
	if (out) {
		free(out->v);
		*out = sh;
	} else {
		free(sh.v);
	}
}

static void check_shadow(struct ivals *out)
{
	check_shadow_n(out, 16);
}

/*
 * For @n random addresses, the shadow's lookup equals this file's own
 * walk of the guest's tables as they are now (use after a full sync).
 */
static void check_points_current(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		u64 va = random_va();
		struct ivals one = { 0 };
		struct ivals saved = model;

		ref_enum(fold(va), fold(va) + SZ_4K, &one);
		model = one;
		lookup_point(va);
		model = saved;
		free(one.v);
	}
}

/*
 * One vtd_shadow_sync() call, checked: the work spent within the limit,
 * no GPA asked that the guest's tables cannot name, and then either the
 * committed part in the model (and in the gather, when anything changed)
 * or, on error, nothing changed at all. *@next gets the continuation.
 */
static int sync_call(u64 va, u64 size, u64 *next)
{
	struct vtd_fl_gather g0 = g;
	struct ivals before = { 0 }, after = { 0 };
	u64 pages0 = fake_mem_pages_in_use(), tp0 = s.fl.table_pages;
	u64 calls0 = vm.calls, reads0 = s.stats.entries_read;
	u64 work0 = s.stats.work;
	u64 tr0 = s.stats.translations;
	u64 a = fold(va), c = size == VTD_SHADOW_ALL ? span : a + size, e;
	vtd_iova_t nx = vtd_iova_init(0);
	int ret;

	if (cur_valid) {
		before = cur;
		cur = (struct ivals){ 0 };
	} else {
		shadow_ivals(&before);
	}
	cur_valid = false;
	ret = vtd_shadow_sync(&s, vtd_iova_init(va), size, &g, &nx);
	assert_int_equal(vm.calls - calls0, s.stats.translations - tr0);
	assert_true(s.stats.work - work0 <= s.work_per_sync);
	assert_true(s.stats.entries_read - reads0 + vm.calls - calls0 <=
		    s.stats.work - work0);
	assert_int_equal(vm.bad, 0);
	if (ret && ret != -EAGAIN) {
		assert_memory_equal(&g, &g0, sizeof(g));
		assert_int_equal(fake_mem_pages_in_use(), pages0);
		assert_int_equal(s.fl.table_pages, tp0);
		check_shadow(NULL);
		free(before.v);
		return ret;
	}
	e = c;
	if (ret) {
		e = fold(vtd_iova_val(nx));
		assert_int_equal(unfold(e), vtd_iova_val(nx));
		assert_true(e > a && e < c);
		*next = vtd_iova_val(nx);
	}
	model_sync(a, e);
	check_shadow(&after);
	if (!ival_same(&before, &after)) {
		assert_true(g.start <= a && g.end >= e);
		assert_true(g.nonleaf);
		assert_int_equal(g.levels, glevels);
	}
	free(before.v);
	free(after.v);
	return ret;
}

/* Sync [va, va + size) to the end, through every -EAGAIN. */
static void sync_ok(u64 va, u64 size)
{
	u64 next = 0;
	int ret;

	while ((ret = sync_call(va, size, &next)) == -EAGAIN) {
		if (size != VTD_SHADOW_ALL) {
			size -= next - va;
		}
		va = next;
	}
	assert_int_equal(ret, 0);
}

static void release(void)
{
	vtd_fl_pt_gather_release(&g);
	assert_int_equal(fake_mem_pages_in_use(),
			 base_pages + s.fl.table_pages);
}

/* ---- Fixture ------------------------------------------------------------- */

struct setup {
	unsigned int levels;
	bool lp_1g, coherent, nxe, user;
	u64 quota, work;
	unsigned int pages;	/* guest table pages */
};

static const struct setup def = {
	.levels = 4, .lp_1g = true, .coherent = true, .quota = 4096,
	.work = 1 << 20, .pages = 256,
};

static void shadow_setup(const struct setup *st)
{
	struct vtd_gmem gm = { .translate = gm_translate, .ctx = &vm };

	vm_setup(st->levels, st->pages);
	base_pages = fake_mem_pages_in_use();
	cfg = (struct vtd_fl_pt_config){
		.levels = st->levels, .haw = HAW,
		.large_pages = st->lp_1g ? VTD_FL_PT_LP_1G : 0,
		.coherent = st->coherent, .nxe = st->nxe, .user = st->user,
	};
	assert_int_equal(vtd_shadow_init(&s, &gm, vtd_gpa_init(groot),
					 st->levels, &cfg, st->quota, st->work),
			 0);
	wcfg = (struct fl_walk_cfg){ .levels = st->levels, .haw = HAW,
				     .lp_1g = st->lp_1g, .nxe = st->nxe };
	vtd_fl_pt_gather_init(&g);
	model.n = 0;
	cur_valid = false;
	have_shadow = true;
	check_shadow(NULL);
}

static int setup(void **state)
{
	fake_hal_reset();
	start_pages = fake_mem_pages_in_use();
	have_shadow = false;
	memset(&vm, 0, sizeof(vm));
	return 0;
}

static int teardown(void **state)
{
	if (have_shadow) {
		vtd_fl_pt_gather_release(&g);
		vtd_shadow_destroy(&s);
	}
	vm_teardown();
	free(model.v);
	model = (struct ivals){ 0 };
	free(cur.v);
	cur = (struct ivals){ 0 };
	cur_valid = false;
	assert_int_equal(fake_mem_pages_in_use(), start_pages);
	return 0;
}

/* ---- Arguments ----------------------------------------------------------- */

static void test_shadow_init_refuses_bad_arguments(void **state)
{
	struct vtd_gmem gm = { .translate = gm_translate }, nogm = { 0 };
	struct vtd_fl_pt_config c = { .levels = 4, .haw = HAW };
	u64 pages = fake_mem_pages_in_use();
	vtd_gpa_t r = vtd_gpa_init(0x1000);

	assert_int_equal(vtd_shadow_init(&s, NULL, r, 4, &c, 8, 64), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &nogm, r, 4, &c, 8, 64), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &gm, r, 4, NULL, 8, 64), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &gm, r, 5, &c, 8, 64), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &gm, r, 3, &c, 8, 64), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &gm, r, 4, &c, 0, 64), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &gm, r, 4, &c, 8,
					 VTD_SHADOW_WORK_MIN - 1), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &gm, vtd_gpa_init(0x1800), 4, &c,
					 8, 64), -EINVAL);
	assert_int_equal(vtd_shadow_init(&s, &gm, vtd_gpa_init(1ULL << HAW), 4,
					 &c, 8, 64), -EINVAL);
	c.haw = 60;
	assert_int_equal(vtd_shadow_init(&s, &gm, r, 4, &c, 8, 64), -EINVAL);
	assert_int_equal(fake_mem_pages_in_use(), pages);
}

static void test_shadow_sync_refuses_bad_ranges(void **state)
{
	struct vtd_fl_gather g5 = { .levels = 5 };
	u64 next;

	shadow_setup(&def);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	assert_int_equal(sync_call(0x1800, SZ_4K, &next), -EINVAL);
	assert_int_equal(sync_call(0x1000, 0, &next), -EINVAL);
	assert_int_equal(sync_call(0x1000, 0x800, &next), -EINVAL);
	assert_int_equal(sync_call(0xfffffffffffff000ULL, 2 * SZ_4K, &next),
			 -EINVAL);
	assert_int_equal(sync_call(0x0000800000000000ULL, SZ_4K, &next),
			 -ERANGE);
	assert_int_equal(sync_call(0x00007ffffffff000ULL, 2 * SZ_4K, &next),
			 -ERANGE);
	assert_int_equal(sync_call(0xffff7ffffffff000ULL, SZ_4K, &next),
			 -ERANGE);
	assert_int_equal(vtd_shadow_sync(&s, vtd_iova_init(0), SZ_4K, NULL,
					 NULL), -EINVAL);
	assert_int_equal(vtd_shadow_sync(&s, vtd_iova_init(0), SZ_4K, &g5,
					 NULL), -EINVAL);
	assert_int_equal(vtd_shadow_clear(&s, &g5), -EINVAL);
	assert_int_equal(s.stats.refused, 9);
	check_shadow(NULL);
	/* The last page of each half is fine. */
	sync_ok(0x00007ffffffff000ULL, SZ_4K);
	sync_ok(0xfffffffffffff000ULL, SZ_4K);
	sync_ok(0x1000, SZ_4K);
	assert_int_equal(model.n, 1);
}

/* ---- Leaves -------------------------------------------------------------- */

static u64 leaf_size_at(u64 va)
{
	struct vtd_fl_pt_translation t;

	if (vtd_fl_pt_lookup(&s.fl, vtd_iova_init(va), &t)) {
		return 0;
	}
	return t.page_size;
}

static void map_three_sizes(void)
{
	gset(0x1000, 1, gleaf(GPA_RAM + 0x5000, 1, GE_RW | GE_US));
	gset(0x400000, 2, gleaf(GPA_RAM + SZ_2M * 3, 2, GE_RW | GE_US));
	gset(0xffff800000000000ULL + 2 * SZ_1G, 3,
	     gleaf(GPA_RAM + SZ_1G, 3, 0));
}

static void test_shadow_4k_2m_1g_leaves(void **state)
{
	shadow_setup(&def);
	map_three_sizes();
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(leaf_size_at(0x1000), SZ_4K);
	assert_int_equal(leaf_size_at(0x400000 + 0x1234000), 0);
	assert_int_equal(leaf_size_at(0x400000 + 0x123000), SZ_2M);
	assert_int_equal(leaf_size_at(0xffff800000000000ULL + 2 * SZ_1G +
				      0x3456000), SZ_1G);
	assert_int_equal(model.n, 3);
	assert_int_equal(model.v[2].hpa, HPA_RAM + SZ_1G);
	assert_int_equal(model.v[2].r, R_X);	/* read-only, supervisor */
	check_points_current(2000);
	/* Root, lower PDPT, PD and PT, upper PDPT. */
	assert_int_equal(s.fl.table_pages, 5);
}

static void test_shadow_1g_leaf_without_fl1gp_is_2m_leaves(void **state)
{
	struct setup st = def;

	st.lp_1g = false;
	shadow_setup(&st);
	map_three_sizes();
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(leaf_size_at(0xffff800000000000ULL + 2 * SZ_1G +
				      0x3456000), SZ_2M);
	assert_int_equal(model.n, 3);
	check_points_current(2000);
}

/* A map that answers page by page: the same composition in 4-KiB leaves. */
static void test_shadow_map_answering_by_page_gives_4k_leaves(void **state)
{
	struct setup st = def;

	st.work = 100000;
	st.quota = 600;
	shadow_setup(&st);
	map_three_sizes();
	vm.len_mode = LEN_MIN;
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(leaf_size_at(0x400000 + 0x123000), SZ_4K);
	assert_int_equal(leaf_size_at(0xffff800000000000ULL + 2 * SZ_1G +
				      0x3456000), SZ_4K);
	assert_true(s.stats.partial >= 2);
	assert_int_equal(model.n, 3);
	/* 1 + 2 + (1 + 1) for 4K/2M + (1 + 1 + 512) for the 1G. */
	assert_int_equal(s.fl.table_pages, 1 + 2 + 2 + 514);
	check_points_current(2000);
	/* Answers of random length: the same again. */
	vm.len_mode = LEN_RANDOM;
	sync_ok(0, VTD_SHADOW_ALL);
	release();
	check_points_current(500);
}

/* A large guest leaf over a VM map that is not one range splits. */
static void test_shadow_large_leaf_split_by_vm_map(void **state)
{
	u64 big = 0xffff800000000000ULL;

	shadow_setup(&def);
	gset(0x200000, 2, gleaf(GPA_RAM, 2, GE_RW | GE_US));
	ovr_set(GPA_RAM + 0x3000, OVR_RO, 0);
	ovr_set(GPA_RAM + 0x7000, OVR_HOLE, 0);
	ovr_set(GPA_RAM + 0x9000, OVR_REMAP, HPA_REMAP + 0x5000);
	/* 1 GiB guest leaf: one remapped page in its third 2 MiB. */
	gset(big, 3, gleaf(GPA_RAM + SZ_1G, 3, GE_RW | GE_US));
	ovr_set(GPA_RAM + SZ_1G + 2 * SZ_2M + 0x1000, OVR_REMAP, HPA_REMAP);
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(leaf_size_at(0x200000), SZ_4K);
	assert_int_equal(leaf_size_at(0x207000), 0);
	assert_int_equal(leaf_size_at(big), SZ_2M);
	assert_int_equal(leaf_size_at(big + 2 * SZ_2M), SZ_4K);
	assert_int_equal(leaf_size_at(big + 3 * SZ_2M), SZ_2M);
	lookup_point(0x203000);
	assert_int_equal(ival_find(&model, 0x203000)->r, R_U | R_X);
	assert_int_equal(ival_find(&model, 0x209000)->hpa, HPA_REMAP + 0x5000);
	check_points_current(3000);
}

/* A large guest leaf whose host range is not aligned to its size splits. */
static void test_shadow_unaligned_host_range_splits(void **state)
{
	shadow_setup(&def);
	/* RAM2 is one contiguous host range, 4 KiB off alignment. */
	gset(0x600000, 2, gleaf(GPA_RAM2 + 4 * SZ_2M, 2, GE_RW));
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(leaf_size_at(0x600000), SZ_4K);
	assert_int_equal(leaf_size_at(0x600000 + SZ_2M - SZ_4K), SZ_4K);
	assert_int_equal(model.n, 1);
	assert_int_equal(model.v[0].hpa, HPA_RAM2 + 4 * SZ_2M);
	check_points_current(500);
}

/* ---- Rights and bits ----------------------------------------------------- */

static void test_shadow_rights_are_the_and_over_walk_and_map(void **state)
{
	struct setup st = def;
	u64 t, *pml4, *pdpt;

	st.nxe = true;
	shadow_setup(&st);
	/* va 0x1000: every level allows all: RW, user, exec. */
	gset(0x1000, 1, gleaf(GPA_RAM + 0x1000, 1, GE_RW | GE_US));
	/* va 0x2000: leaf read-only. */
	gset(0x2000, 1, gleaf(GPA_RAM + 0x2000, 1, GE_US));
	/* va 0x3000: leaf RW, but the VM's map gives read only. */
	gset(0x3000, 1, gleaf(GPA_RAM + 0x3000, 1, GE_RW | GE_US));
	ovr_set(GPA_RAM + 0x3000, OVR_RO, 0);
	/* va 0x4000: leaf XD. */
	gset(0x4000, 1, gleaf(GPA_RAM + 0x4000, 1, GE_RW | GE_US | GE_XD));
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(ival_find(&model, 0x1000)->r, R_W | R_U | R_X);
	assert_int_equal(ival_find(&model, 0x2000)->r, R_U | R_X);
	assert_int_equal(ival_find(&model, 0x3000)->r, R_U | R_X);
	assert_int_equal(ival_find(&model, 0x4000)->r, R_W | R_U);

	/* PDPTE without R/W: the whole GiB read-only. */
	pml4 = gtab(groot);
	pdpt = gtab(pml4[0] & bits(51, 12));
	pdpt[0] &= ~GE_RW;
	sync_ok(0, SZ_1G);
	assert_int_equal(ival_find(&model, 0x1000)->r, R_U | R_X);
	/* PML4E without U/S: supervisor only. */
	pdpt[0] |= GE_RW;
	pml4[0] &= ~GE_US;
	sync_ok(0, SZ_2M);
	assert_int_equal(ival_find(&model, 0x1000)->r, R_W | R_X);
	/* PDE with XD: nothing below executes. */
	pml4[0] |= GE_US;
	t = pdpt[0] & bits(51, 12);
	gtab(t)[0] |= GE_XD;
	sync_ok(0, 8 * SZ_4K);
	assert_int_equal(ival_find(&model, 0x1000)->r, R_W | R_U);
	check_points_current(500);
}

static void test_shadow_user_config_makes_every_leaf_user(void **state)
{
	struct setup st = def;

	st.user = true;
	shadow_setup(&st);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(ival_find(&model, 0x1000)->r, R_W | R_U | R_X);
}

static void expect_clean_leaf(u64 va)
{
	struct fl_leaf leaf;
	u64 errors = 0;

	assert_true(fl_walk_translate(&wcfg, hal_paddr_val(s.fl.root_pa), va,
				      &leaf, &errors));
	assert_int_equal(errors, 0);
	/* Only P, R/W, U/S, A, D, PS and the address. */
	assert_int_equal(leaf.raw & (GE_PWT | GE_PCD | GE_G | bits(62, 52) |
				     GE_XD | bits(11, 9) |
				     (leaf.size > SZ_4K ? bits(12, 12) :
				      GE_PS)), 0);
}

static void test_shadow_never_copies_guest_cache_bits(void **state)
{
	u64 junk = GE_PWT | GE_PCD | GE_G | GE_A | GE_D | bits(11, 9) |
		   bits(62, 52);

	shadow_setup(&def);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW | junk | GE_PS /* PAT */));
	gset(0x200000, 2, gleaf(GPA_RAM + SZ_2M, 2, junk | (1ULL << 12)));
	gset(0x40000000, 3, gleaf(GPA_RAM + SZ_1G, 3, GE_RW | junk));
	gset(0x80000000, 2, gleaf(GPA_RAM + 2 * SZ_2M, 2, GE_XD));
	sync_ok(0, VTD_SHADOW_ALL);
	expect_clean_leaf(0x1000);
	expect_clean_leaf(0x200000);
	expect_clean_leaf(0x40000000);
	expect_clean_leaf(0x80000000);
	assert_int_equal(model.n, 4);
}

static void test_shadow_reserved_bits_make_entries_not_present(void **state)
{
	u64 *pml4;
	u64 t;

	shadow_setup(&def);
	/* Good neighbours at every level, to see nothing else is lost. */
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	/* PS in a PML4E. */
	pml4 = gtab(groot);
	t = gpt_new(3);
	pml4[5] = t | GE_TABLE | GE_PS;
	gtab(t)[0] = gleaf(GPA_RAM + SZ_1G, 3, GE_RW);
	/* 2M leaf with bit 13, 1G leaf with bit 29. */
	gset(0x400000, 2, gleaf(GPA_RAM + SZ_2M, 2, GE_RW) | (1ULL << 13));
	gset(2 * SZ_1G, 3, gleaf(GPA_RAM + SZ_1G, 3, GE_RW) | (1ULL << 29));
	/* Leaf and table addresses at the width. */
	gset(0x2000, 1, gleaf((1ULL << HAW) | GPA_RAM, 1, GE_RW));
	gset(0x800000, 2, gpt_new(1) | GE_TABLE | (1ULL << (HAW + 2)));
	/* A 2M leaf with bit 12 (PAT) is fine, so is a PTE with bit 7. */
	gset(0xa00000, 2, gleaf(GPA_RAM + SZ_2M, 2, 1ULL << 12));
	gset(0x3000, 1, gleaf(GPA_RAM + 0x3000, 1, GE_PS));
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 3);
	assert_non_null(ival_find(&model, 0x1000));
	assert_non_null(ival_find(&model, 0xa00000));
	assert_non_null(ival_find(&model, 0x3000));
	assert_int_equal(s.stats.invalid, 5);
	check_points_current(500);
}

static void test_shadow_reserved_bits_5_level(void **state)
{
	struct setup st = def;
	u64 *pml5;
	u64 t;

	st.levels = 5;
	shadow_setup(&st);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	pml5 = gtab(groot);
	t = gpt_new(4);
	pml5[7] = t | GE_TABLE | GE_PS;
	gtab(t)[0] = gpt_new(3) | GE_TABLE;
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 1);
	assert_int_equal(s.stats.invalid, 1);
}

/* ---- Addresses outside the VM's RAM -------------------------------------- */

static void test_shadow_guest_addresses_outside_ram(void **state)
{
	u64 before;

	shadow_setup(&def);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	gset(0x2000, 1, gleaf(GPA_MMIO, 1, GE_RW));
	gset(0x3000, 1, gleaf(GPA_HOLE, 1, GE_RW));
	gset(0x4000, 1, gleaf(GPA_TABLES + SZ_4K, 1, GE_RW)); /* a table page */
	gset(0x200000, 2, GPA_MMIO | GE_TABLE);
	gset(0x400000, 2, GPA_HOLE | GE_TABLE);
	gset(0x600000, 2, GPA_END | GE_TABLE);
	gset(0x800000, 2, gleaf(GPA_MMIO, 2, GE_RW));
	/* A 2M leaf with a hole in its second page. */
	gset(0xa00000, 2, gleaf(GPA_RAM + RAM_SIZE - SZ_2M, 2, GE_RW));
	ovr_set(GPA_RAM + RAM_SIZE - SZ_2M + SZ_4K, OVR_HOLE, 0);
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 4);
	assert_non_null(ival_find(&model, 0x1000));
	assert_int_equal(ival_find(&model, 0x4000)->hpa,
			 fake_virt_to_phys_checked(vm.backed[1]));
	assert_null(ival_find(&model, 0xa01000));
	check_points_current(500);
	before = s.stats.not_ram;
	assert_true(before >= 7);

	/* The root itself in MMIO: nothing at all. */
	groot = s.groot = GPA_MMIO;
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 0);
	assert_int_equal(s.fl.table_pages, 1);
	release();
	groot = s.groot = GPA_TABLES;
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 4);
	/* In a hole: the upper half (empty) synced, then all. */
	groot = s.groot = GPA_HOLE;
	sync_ok(0xffff800000000000ULL, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 4);
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 0);
	groot = s.groot = GPA_TABLES;
}

/* Guest tables in pages the VM maps read-only are still read. */
static void test_shadow_tables_in_read_only_pages(void **state)
{
	shadow_setup(&def);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	ovr_set(groot, OVR_RO, 0);
	ovr_set(gtab(groot)[0] & bits(51, 12), OVR_RO, 0);
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 1);
	assert_int_equal(model.v[0].r, R_W | R_X);
	/* The same page, now a hole: its subtree is gone. */
	ovr_set(gtab(groot)[0] & bits(51, 12), OVR_HOLE, 0);
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 0);
}

/* Answers of the VM's map that cannot be mapped count as not RAM. */
static void test_shadow_unusable_map_answers_are_not_ram(void **state)
{
	u64 gpa = GPA_RAM + 0x10000, pt;

	shadow_setup(&def);
	gset(0x1000, 1, gleaf(gpa, 1, GE_RW));
	gset(0x2000, 1, gleaf(gpa + SZ_4K, 1, GE_RW));
	gset(0x3000, 1, gleaf(gpa + 2 * SZ_4K, 1, GE_RW));
	gset(0x4000, 1, gleaf(gpa + 3 * SZ_4K, 1, GE_RW));
	ovr_set(gpa, OVR_NOREAD, HPA_REMAP);
	ovr_set(gpa + SZ_4K, OVR_UNALIGNED, HPA_REMAP);
	ovr_set(gpa + 2 * SZ_4K, OVR_WIDE, 0);
	/* A table page whose answer is unusable is not read either. */
	pt = gpt_new(1);
	gtab(pt)[0] = gleaf(gpa, 1, GE_RW);
	gset(0x200000, 2, pt | GE_TABLE);
	ovr_set(pt, OVR_UNALIGNED, 0);
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 1);
	assert_int_equal(model.v[0].va, 0x4000);
	assert_true(s.stats.not_ram >= 4);
	check_points_current(200);
}

/* ---- Remap, unmap, sub-ranges -------------------------------------------- */

static void test_shadow_remap_moves_only_after_sync(void **state)
{
	u64 va = 0x7f0000001000ULL;

	shadow_setup(&def);
	gset(va, 1, gleaf(GPA_RAM + 0x10000, 1, GE_RW | GE_US));
	sync_ok(va, SZ_4K);
	release();
	gset(va, 1, gleaf(GPA_RAM + 0x20000, 1, GE_RW | GE_US));
	check_shadow(NULL);	/* still the old page: the model did not move */
	assert_int_equal(ival_find(&model, fold(va))->hpa,
			 HPA_RAM + 0x10000);
	sync_ok(va, SZ_4K);
	assert_int_equal(ival_find(&model, fold(va))->hpa,
			 HPA_RAM + 0x20000);
	/* The tables on the way were replaced and wait in the gather. */
	assert_int_equal(g.freed_pages, 3);
	release();
	/* Unmapped: not present, every table but the root gone. */
	gset(va, 1, 0);
	sync_ok(va, SZ_4K);
	assert_int_equal(model.n, 0);
	assert_int_equal(s.fl.table_pages, 1);
	assert_true(g.unmapped >= SZ_4K);
	assert_int_equal(g.leaf_sizes & VTD_FL_LEAF_4K, VTD_FL_LEAF_4K);
	release();
}

/* The shadow's table at @level (below the root) on @va's path. */
static const u64 *shadow_table_of(u64 va, unsigned int level)
{
	const u64 *t = (const u64 *)s.fl.root;
	unsigned int l;

	for (l = s.fl.levels; l > level; l--) {
		t = hal_phys_to_virt(hal_paddr_init(t[gidx(va, l)] &
						     VTD_FL_PTE_ADDR));
	}
	return t;
}

/*
 * A sync where the guest changed nothing keeps every table: no page
 * allocated, nothing gathered (so nothing to invalidate); after one
 * guest leaf changes, only the tables on its path are new (3 replaced),
 * not its neighbours' (a sibling 2 MiB region's table stays).
 */
static void test_shadow_unchanged_range_keeps_tables(void **state)
{
	u64 va = 0x7f0000001000ULL, nb = va + SZ_2M;
	const u64 *nb_pt;
	u64 pages;

	shadow_setup(&def);
	gset(va, 1, gleaf(GPA_RAM + 0x10000, 1, GE_RW | GE_US));
	gset(nb, 1, gleaf(GPA_RAM + 0x30000, 1, GE_RW | GE_US));
	sync_ok(0, VTD_SHADOW_ALL);
	release();
	pages = fake_mem_pages_in_use();
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(fake_mem_pages_in_use(), pages);
	assert_int_equal(g.freed_pages, 0);
	assert_true(g.start >= g.end);		/* no range to invalidate */
	release();
	nb_pt = shadow_table_of(nb, 1);
	gset(va, 1, gleaf(GPA_RAM + 0x20000, 1, GE_RW | GE_US));
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(g.freed_pages, 3);
	assert_ptr_equal(shadow_table_of(nb, 1), nb_pt);
	check_shadow(NULL);
	release();
}

/* Build a populated guest: 4K pages, 2M and 1G leaves in both halves. */
static void populate(void)
{
	unsigned int i;

	for (i = 0; i < 40; i++) {
		gset(0x10000000 + i * 0x3000, 1,
		     gleaf(GPA_RAM + i * 0x5000, 1, i % 3 ? GE_RW : 0));
	}
	for (i = 0; i < 6; i++) {
		gset(0x20000000 + i * SZ_2M, 2,
		     gleaf(GPA_RAM + (8 + i) * SZ_2M, 2, GE_RW | GE_US));
	}
	gset(2 * SZ_1G, 3, gleaf(GPA_RAM + 2 * SZ_1G, 3, GE_RW));
	gset(0xffff800040000000ULL, 3, gleaf(GPA_RAM + 3 * SZ_1G, 3, GE_RW));
	for (i = 0; i < 20; i++) {
		gset(0xffffffffffe00000ULL + i * SZ_4K, 1,
		     gleaf(GPA_RAM + 0x100000 + i * SZ_4K, 1, GE_RW));
	}
}

/* Change every guest leaf's target (in and out of any range). */
static void repoint_all(u64 delta)
{
	unsigned int i;

	for (i = 0; i < 40; i++) {
		*gslot(0x10000000 + i * 0x3000, 1) += delta;
	}
	for (i = 0; i < 6; i++) {
		*gslot(0x20000000 + i * SZ_2M, 2) += delta * 512;
	}
	*gslot(2 * SZ_1G, 3) += SZ_1G;
	*gslot(0xffff800040000000ULL, 3) += SZ_1G;
	for (i = 0; i < 20; i++) {
		*gslot(0xffffffffffe00000ULL + i * SZ_4K, 1) += delta;
	}
}

static void test_shadow_sub_range_touches_nothing_outside(void **state)
{
	static const struct { u64 va, size; } r[] = {
		{ 0x10000000, 0x3000 },			/* one page */
		{ 0x10006000, 0x18000 },		/* a few pages */
		{ 0x20100000, 0x300000 },		/* cuts two 2M leaves */
		{ 2 * SZ_1G + 0x12345000, 0x5000 },	/* inside a 1G leaf */
		{ 0xffff800040000000ULL + SZ_1G - SZ_4K, SZ_4K },
		{ 0xffffffffffe03000ULL, 0x1fd000 },	/* to the very end */
		{ 0x1ff000, 0x40000000 },		/* odd, large */
	};
	unsigned int i;

	shadow_setup(&def);
	populate();
	sync_ok(0, VTD_SHADOW_ALL);
	release();
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		repoint_all(SZ_4K * (i + 1));
		sync_ok(r[i].va, r[i].size);
		release();
	}
	/* Everything once more, then the guest's current state exactly. */
	sync_ok(0, VTD_SHADOW_ALL);
	check_points_current(3000);
}

/* Splitting a shadow leaf at a range's end: the gather covers all of it. */
static void test_shadow_split_leaf_invalidated_whole(void **state)
{
	shadow_setup(&def);
	gset(2 * SZ_1G, 3, gleaf(GPA_RAM + 2 * SZ_1G, 3, GE_RW));
	sync_ok(0, VTD_SHADOW_ALL);
	release();
	*gslot(2 * SZ_1G, 3) = 0;
	sync_ok(2 * SZ_1G + 0x5000, SZ_4K);
	assert_true(g.start <= 2 * SZ_1G && g.end >= 3 * SZ_1G);
	assert_int_equal(leaf_size_at(2 * SZ_1G + SZ_2M), SZ_2M);
	assert_int_equal(leaf_size_at(3 * SZ_1G - SZ_2M), SZ_2M);
	assert_int_equal(leaf_size_at(2 * SZ_1G), SZ_4K);
	assert_int_equal(leaf_size_at(2 * SZ_1G + 0x4000), SZ_4K);
	assert_int_equal(leaf_size_at(2 * SZ_1G + 0x5000), 0);
	release();
}

/* ---- Loops and bounds ---------------------------------------------------- */

static void test_shadow_guest_loops_end(void **state)
{
	u64 *pml4, pdpt, pd;
	struct setup st = def;

	st.quota = 64;
	st.work = 4096;
	shadow_setup(&st);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	pml4 = gtab(groot);
	pdpt = pml4[0] & bits(51, 12);
	pd = gtab(pdpt)[0] & bits(51, 12);
	/* PML4E -> the PML4; PDPTE -> the PML4; PDE -> its own PD. */
	pml4[1] = groot | GE_TABLE;
	gtab(pdpt)[1] = groot | GE_TABLE;
	gtab(pd)[1] = pd | GE_TABLE;
	sync_ok(0, VTD_SHADOW_ALL);
	check_points_current(3000);
	release();

	/* Every entry of the PD points at the PD: 512 x 512 pages. */
	for (unsigned int i = 0; i < 512; i++) {
		gtab(pd)[i] = pd | GE_TABLE;
	}
	{
		u64 va = 0, size = VTD_SHADOW_ALL, next = 0, calls = 0;
		int ret;

		while ((ret = sync_call(va, size, &next)) == -EAGAIN) {
			va = next;
			calls++;
			assert_true(calls < 10000);
		}
		/* 513 tables would be needed: the quota stops it. */
		assert_int_equal(ret, -EDQUOT);
		release();
	}
	/* The shadow is whole and can be cleared. */
	assert_int_equal(vtd_shadow_clear(&s, &g), 0);
	model.n = 0;
	check_shadow(NULL);
	assert_int_equal(s.fl.table_pages, 1);
	release();
}

static void test_shadow_work_is_bounded_per_call(void **state)
{
	struct setup st = def;
	u64 va, next = 0, size;
	unsigned int calls = 0;
	int ret;

	st.work = VTD_SHADOW_WORK_MIN;
	shadow_setup(&st);
	populate();
	/* From the middle of the lower half to the end, across the hole. */
	va = 0x1000000;
	size = VTD_SHADOW_ALL;
	while ((ret = sync_call(va, size, &next)) == -EAGAIN) {
		va = next;
		calls++;
		release();
	}
	assert_int_equal(ret, 0);
	assert_true(calls > 10);
	assert_int_equal(s.stats.partial, calls);
	sync_ok(0, 0x1000000);
	check_points_current(3000);
	/* A normal range, continued with the size left. */
	repoint_all(SZ_4K);
	sync_ok(0x10000000, 0x20000000);
	assert_true(s.stats.partial > calls);
}

/*
 * A 1 GiB guest leaf over one unaligned host range: one translation, but
 * 262144 shadow leaves; the entries themselves cost work.
 */
static void test_shadow_work_counts_entries_not_only_reads(void **state)
{
	struct setup st = def;
	u64 va = 4 * SZ_1G, size = SZ_1G, next = 0, calls0;
	unsigned int calls = 0;
	int ret;

	st.work = 100000;
	shadow_setup(&st);
	gset(va, 3, gleaf(GPA_RAM2, 3, GE_RW));
	calls0 = vm.calls;
	while ((ret = sync_call(va, size, &next)) == -EAGAIN) {
		size -= next - va;
		va = next;
		calls++;
	}
	assert_int_equal(ret, 0);
	assert_true(calls >= 2);
	assert_true(vm.calls - calls0 < 16);
	assert_int_equal(leaf_size_at(4 * SZ_1G + SZ_1G - SZ_4K), SZ_4K);
	assert_int_equal(model.n, 1);
	release();
}

static void test_shadow_quota(void **state)
{
	struct setup st = def;
	unsigned int i;
	u64 next;

	st.quota = 1 + 1 + 1 + 4;	/* root, PDPT, PD, 4 PTs */
	shadow_setup(&st);
	for (i = 0; i < 4; i++) {
		gset(i * SZ_2M, 1, gleaf(GPA_RAM + i * SZ_4K, 1, GE_RW));
	}
	sync_ok(0, SZ_1G);
	assert_int_equal(s.fl.table_pages, 7);
	release();
	/* A fifth table would exceed it: refused, nothing changed. */
	gset(4 * SZ_2M, 1, gleaf(GPA_RAM, 1, GE_RW));
	assert_int_equal(sync_call(0, SZ_1G, &next), -EDQUOT);
	assert_int_equal(s.stats.refused, 1);
	/* One page out first, then the new one fits (one for one). */
	*gslot(0, 1) = 0;
	sync_ok(0, SZ_4K);
	assert_int_equal(s.fl.table_pages, 6);
	sync_ok(0, SZ_1G);
	assert_int_equal(s.fl.table_pages, 7);
	release();
	check_points_current(200);
}

/* ---- Allocation failures ------------------------------------------------- */

/*
 * Fail allocation n = 1, 2, ... of sync(@va, @size) until it succeeds:
 * each failure -ENOMEM with nothing changed (sync_call checks), then one
 * success.
 */
static void each_allocation_fails(u64 va, u64 size)
{
	u64 next = 0;
	int ret = -ENOMEM;
	unsigned int n;

	for (n = 1; ret == -ENOMEM; n++) {
		assert_true(n < 2000);
		fake_mem_fail_nth(n, false);
		ret = sync_call(va, size, &next);
		fake_mem_fail_nth(0, false);
	}
	assert_true(ret == 0 || ret == -EAGAIN);
	assert_true(n > 2);
}

static void test_shadow_allocation_failure_changes_nothing(void **state)
{
	struct setup st = def;

	st.lp_1g = false;
	shadow_setup(&st);
	populate();
	each_allocation_fails(0, VTD_SHADOW_ALL);	/* fresh */
	repoint_all(SZ_4K);
	each_allocation_fails(0, VTD_SHADOW_ALL);	/* replacing */
	release();
	repoint_all(SZ_4K);
	each_allocation_fails(0x20100000, 0x300000);	/* with splits */
	each_allocation_fails(2 * SZ_1G + 0x3000, SZ_4K);
	/* Sticky: every allocation fails. */
	fake_mem_fail_nth(1, true);
	{
		u64 next;

		assert_int_equal(sync_call(0, VTD_SHADOW_ALL, &next), -ENOMEM);
	}
	fake_mem_fail_nth(0, false);
	/* Cut by the work limit after the failure point. */
	s.work_per_sync = 200;
	repoint_all(SZ_4K);
	each_allocation_fails(0, VTD_SHADOW_ALL);
	release();
}

/* ---- Read once ----------------------------------------------------------- */

static u64 *hook_slot;
static u64 hook_gpa, hook_value;

static void hook_rewrite(u64 gpa)
{
	if (gpa == hook_gpa && hook_slot) {
		*hook_slot = hook_value;
	}
}

static void test_shadow_reads_each_guest_entry_once(void **state)
{
	struct vtd_fl_pt_translation t;
	u64 pd, pt_a, pt_b, *pde;

	shadow_setup(&def);
	/*
	 * A read-only supervisor leaf; while its page is translated, the
	 * guest makes it writable, user, and points it elsewhere.
	 */
	gset(0x1000, 1, gleaf(GPA_RAM + 0x1000, 1, 0));
	hook_slot = gslot(0x1000, 1);
	hook_gpa = GPA_RAM + 0x1000;
	hook_value = gleaf(GPA_RAM + 0x9000, 1, GE_RW | GE_US);
	vm.hook = hook_rewrite;
	assert_int_equal(vtd_shadow_sync(&s, vtd_iova_init(0), SZ_2M, &g,
					 NULL), 0);
	vm.hook = NULL;
	cur_valid = false;
	assert_int_equal(vtd_fl_pt_lookup(&s.fl, vtd_iova_init(0x1000), &t), 0);
	assert_int_equal(hal_paddr_val(t.pa), HPA_RAM + 0x1000);
	assert_int_equal(t.prot & (VTD_PROT_WRITE | VTD_PROT_USER), 0);
	release();

	/* A PDE to table A; while A is translated it is switched to B. */
	pt_a = gpt_new(1);
	pt_b = gpt_new(1);
	gtab(pt_a)[3] = gleaf(GPA_RAM + 0x3000, 1, GE_RW);
	gtab(pt_b)[3] = gleaf(GPA_RAM + 0x7000, 1, GE_RW);
	gtab(pt_b)[4] = gleaf(GPA_RAM + 0x8000, 1, GE_RW);
	pd = gtab(gtab(groot)[0] & bits(51, 12))[0] & bits(51, 12);
	pde = &gtab(pd)[1];
	*pde = pt_a | GE_TABLE;
	hook_slot = pde;
	hook_gpa = pt_a;
	hook_value = pt_b | GE_TABLE;
	vm.hook = hook_rewrite;
	assert_int_equal(vtd_shadow_sync(&s, vtd_iova_init(SZ_2M), SZ_2M, &g,
					 NULL), 0);
	vm.hook = NULL;
	cur_valid = false;
	assert_int_equal(vtd_fl_pt_lookup(&s.fl, vtd_iova_init(SZ_2M + 0x3000),
					  &t), 0);
	assert_int_equal(hal_paddr_val(t.pa), HPA_RAM + 0x3000);
	assert_int_equal(vtd_fl_pt_lookup(&s.fl, vtd_iova_init(SZ_2M + 0x4000),
					  &t), -ENOENT);
	release();
	hook_slot = NULL;
}

/* ---- Non-coherent units, clear, 5 levels --------------------------------- */

static void test_shadow_noncoherent_flushes_what_changed(void **state)
{
	struct setup st = def;
	struct pt_snapshot before, after;
	const void *flushed[4096], *dirty[4096];
	struct fake_cache_stats cs;
	size_t nf, nd, i, j;

	st.coherent = false;
	shadow_setup(&st);
	populate();
	for (unsigned int round = 0; round < 3; round++) {
		fl_walk(&wcfg, hal_paddr_val(s.fl.root_pa), NULL, NULL, &res);
		pt_snapshot_take(&before, &res);
		fake_cache_reset();
		if (round == 0) {
			sync_ok(0, VTD_SHADOW_ALL);
		} else if (round == 1) {
			sync_ok(0x10000000, 0x10000);
		} else {
			sync_ok(0x20100000, 0x300000);
		}
		fl_walk(&wcfg, hal_paddr_val(s.fl.root_pa), NULL, NULL, &res);
		pt_snapshot_take(&after, &res);
		fake_cache_stats(&cs);
		nf = fake_cache_lines(flushed, 4096);
		nd = pt_snapshot_dirty_lines(&before, &after, dirty, 4096);
		assert_true(nd > 0 && nd < 4096 && nf < 4096);
		for (i = 0; i < nd; i++) {
			for (j = 0; j < nf; j++) {
				if (flushed[j] == dirty[i]) {
					break;
				}
			}
			if (j == nf) {
				fail_msg("round %u: dirty line %p not flushed",
					 round, dirty[i]);
			}
		}
		assert_int_equal(cs.fences, 1);
		pt_snapshot_free(&before);
		pt_snapshot_free(&after);
		release();
		repoint_all(SZ_4K);
	}
}

static void test_shadow_clear_removes_everything(void **state)
{
	shadow_setup(&def);
	populate();
	sync_ok(0, VTD_SHADOW_ALL);
	release();
	assert_int_equal(vtd_shadow_clear(&s, &g), 0);
	model.n = 0;
	check_shadow(NULL);
	assert_int_equal(s.fl.table_pages, 1);
	assert_true(g.nonleaf && g.start == 0 && g.end == span);
	release();
	/* Clearing an empty shadow: nothing to invalidate. */
	assert_int_equal(vtd_shadow_clear(&s, &g), 0);
	assert_true(g.start >= g.end);
	sync_ok(0, VTD_SHADOW_ALL);
	check_points_current(500);
}

static void test_shadow_5_level(void **state)
{
	struct setup st = def;
	u64 top = 0xff00000000000000ULL;	/* first upper-half address */

	st.levels = 5;
	shadow_setup(&st);
	gset(0x1000, 1, gleaf(GPA_RAM, 1, GE_RW));
	gset(0x00ffffffffe00000ULL, 2, gleaf(GPA_RAM + SZ_2M, 2, GE_RW));
	gset(top + 5 * SZ_1G, 3, gleaf(GPA_RAM + SZ_1G, 3, GE_US));
	gset(0xfffffffffffff000ULL, 1, gleaf(GPA_RAM + 0x7000, 1, GE_RW));
	sync_ok(0, VTD_SHADOW_ALL);
	assert_int_equal(model.n, 4);
	assert_int_equal(leaf_size_at(top + 5 * SZ_1G), SZ_1G);
	check_points_current(3000);
	*gslot(0xfffffffffffff000ULL, 1) = 0;
	sync_ok(0xfffffffffffff000ULL, SZ_4K);
	assert_int_equal(model.n, 3);
	/* 4-level addresses are not canonical here and vice versa. */
	{
		u64 next;

		assert_int_equal(sync_call(0x0100000000000000ULL, SZ_4K, &next),
				 -ERANGE);
	}
}

/* ---- Random model -------------------------------------------------------- */

/* Windows of the random guest: 16 MiB each, in both halves. */
static u64 anchor(unsigned int k)
{
	static const u64 a4[] = {
		0x40000000ULL, 0x00007fffc0000000ULL,
		0xffff800000000000ULL, 0xffffffffc0000000ULL,
	};
	static const u64 a5[] = {
		0x40000000ULL, 0x00ffffffc0000000ULL,
		0xff00000000000000ULL, 0xffffffffc0000000ULL,
	};

	return glevels == 5 ? a5[k] : a4[k];
}

static u64 rnd(u64 n)
{
	return pt_rnd(&vm.rnd) % n;
}

static u64 random_flags(void)
{
	u64 f = 0, r = pt_rnd(&vm.rnd);

	if (r & 1) {
		f |= GE_RW;
	}
	if (r & 2) {
		f |= GE_US;
	}
	if ((r & 0x1c) == 0) {
		f |= GE_XD;
	}
	if ((r & 0x60) == 0) {
		f |= GE_PWT | GE_PCD | GE_G | GE_A | GE_D | bits(58, 52);
	}
	return f;
}

static u64 random_target(unsigned int level)
{
	u64 r = rnd(100), size = level_size(level);

	if (r < 70) {
		return GPA_RAM + rnd(64 * SZ_1G / 1024 / size + 1) * size;
	}
	if (r < 75 && level == 1) {
		return GPA_TABLES + rnd(vm.used) * SZ_4K;
	}
	if (r < 82) {
		return GPA_MMIO;
	}
	if (r < 88) {
		return GPA_HOLE & ~(size - 1);
	}
	if (r < 94) {
		return (1ULL << HAW) | (GPA_RAM & ~(size - 1));
	}
	return GPA_RAM + rnd(8) * SZ_1G + (level > 1 ? SZ_4K << rnd(9) : 0);
}

/* The table that holds @va's entry at @level, or 0 when the walk stops. */
static u64 gtable_at(u64 va, unsigned int level)
{
	u64 t = groot, e;

	for (unsigned int l = glevels; l > level; l--) {
		e = gtab(t)[gidx(va, l)];
		if (!(e & GE_P) || ge_leaf(e, l) || !is_table(e, l - 1)) {
			return 0;
		}
		t = e & bits(51, 12);
	}
	return t;
}

/* A random table pointer for an entry at @level (in table @self). */
static u64 random_pointer(unsigned int level, u64 self)
{
	u64 r = rnd(100), f = GE_TABLE & ~(rnd(4) == 0 ? GE_RW : 0);

	if (r < 40) {
		return gpt_new(level - 1) | f;
	}
	if (r < 65) {
		return gpt_pick(level - 1) | f;
	}
	if (r < 72) {
		return self | f;			/* a loop */
	}
	if (r < 76) {
		return groot | f;			/* up to the root */
	}
	if (r < 84) {
		return GPA_MMIO | f;
	}
	if (r < 90) {
		return GPA_HOLE | f;
	}
	if (r < 95) {
		return (1ULL << HAW) | gpt_pick(level - 1) | f;
	}
	return (gpt_pick(level - 1) | f) & ~GE_P;
}

/* One random guest (or VM map) edit; its entry's span in *@va, *@size. */
static void random_edit(u64 *va, u64 *size)
{
	u64 r = rnd(100), t, *slot;
	unsigned int level;

	*va = anchor((unsigned int)rnd(4)) + rnd(8) * SZ_2M + rnd(512) * SZ_4K;
	if (r < 6) {
		/* The VM's map changes (the host would resync: the model
		 * takes it at the next sync of each range). */
		if (vm.ovr_count && rnd(2)) {
			ovr_del((unsigned int)rnd(vm.ovr_count));
		} else {
			ovr_set(GPA_RAM + rnd(16384) * SZ_4K,
				(enum ovr_kind)rnd(6),
				HPA_REMAP + rnd(1024) * SZ_4K);
		}
		*size = SZ_4K;
		return;
	}
	level = r < 60 ? 1 : r < 85 ? 2 : r < 95 ? 3 : 4;
	/* Mostly edit through the regular tables; sometimes make them. */
	t = gtable_at(*va, level);
	slot = t ? &gtab(t)[gidx(*va, level)] : gslot(*va, level);
	t = t ? t : gtable_at(*va, level);
	*va &= ~(level_size(level) - 1);
	*size = level_size(level);
	if (rnd(10) == 0) {
		*slot = 0;
	} else if (level == 1 || ((level == 2 || level == 3) && rnd(2))) {
		*slot = gleaf(random_target(level), level, random_flags());
		if (level == 3 && rnd(4)) {
			*slot = 0;	/* keep 1G leaves rare */
		}
	} else if (level == 4 && rnd(4) == 0) {
		*slot = gpt_pick(3) | GE_TABLE | GE_PS;	/* reserved */
	} else {
		*slot = random_pointer(level, t);
	}
}

static void random_sync(void)
{
	u64 r = rnd(100), va, size, next = 0;
	unsigned int calls = 0;
	int ret;

	if (r < 20) {
		u64 w = anchor((unsigned int)rnd(4));

		va = w + rnd(4096) * SZ_4K;
		size = (1 + rnd(4096)) * SZ_4K;
		if (va + size > w + 16 * SZ_2M || va + size < va) {
			size = w + 16 * SZ_2M - va;
		}
	} else if (r < 30) {
		va = anchor((unsigned int)rnd(4));
		size = SZ_1G;
	} else if (r < 40) {
		va = 0;
		size = VTD_SHADOW_ALL;
	} else if (r < 50) {
		va = unfold(pt_rnd(&vm.rnd) & (span - 1) & ~(SZ_4K - 1));
		size = VTD_SHADOW_ALL;
	} else {
		return;
	}
	for (;;) {
		if (rnd(20) == 0) {
			fake_mem_fail_nth(1 + rnd(6), false);
		}
		ret = sync_call(va, size, &next);
		fake_mem_fail_nth(0, false);
		if (ret != -EAGAIN || ++calls > 200) {
			break;
		}
		if (size != VTD_SHADOW_ALL) {
			size -= next - va;
		}
		va = next;
	}
	assert_true(ret == 0 || ret == -EAGAIN || ret == -ENOMEM ||
		    ret == -EDQUOT);
}

static void random_model(unsigned int levels, unsigned int ops, u64 seed)
{
	struct setup st = def;
	static const u64 works[] = { VTD_SHADOW_WORK_MIN, 200, 1000, 1 << 20 };
	u64 va, size, next = 0;
	int ret;

	st.levels = levels;
	st.quota = 40;
	st.pages = MAX_BACKED;
	shadow_setup(&st);
	/* SHADOW_SEED=n in the environment tries another sequence. */
	if (getenv("SHADOW_SEED")) {
		seed ^= strtoull(getenv("SHADOW_SEED"), NULL, 0) * 0x9e37ULL;
	}
	vm.rnd = seed ? seed : 1;
	for (unsigned int op = 0; op < ops; op++) {
		unsigned int edits = 1 + (unsigned int)rnd(3);

		for (unsigned int k = 0; k < edits; k++) {
			random_edit(&va, &size);
		}
		vm.len_mode = (enum len_mode)rnd(3);
		s.work_per_sync = works[rnd(4)];
		if (rnd(2)) {
			/* The guest invalidates what it changed. */
			if (rnd(20) == 0) {
				fake_mem_fail_nth(1 + rnd(4), false);
			}
			ret = sync_call(va, size, &next);
			fake_mem_fail_nth(0, false);
			assert_true(ret == 0 || ret == -EAGAIN ||
				    ret == -ENOMEM || ret == -EDQUOT);
		}
		random_sync();
		if (rnd(4)) {
			release();
		}
		if (rnd(200) == 0) {
			assert_int_equal(vtd_shadow_clear(&s, &g), 0);
			model.n = 0;
			check_shadow(NULL);
		}
	}
	/* A last sync of everything with room to finish. */
	s.work_per_sync = 1 << 22;
	vm.len_mode = LEN_MAX;
	s.max_table_pages = 1 << 20;
	sync_ok(0, VTD_SHADOW_ALL);
	check_points_current(2000);
}

static void test_shadow_random_model_4_level(void **state)
{
	random_model(4, 2500, 0x243f6a8885a308d3ULL);
}

static void test_shadow_random_model_5_level(void **state)
{
	random_model(5, 800, 0x13198a2e03707344ULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_shadow_init_refuses_bad_arguments),
		T(test_shadow_sync_refuses_bad_ranges),
		T(test_shadow_4k_2m_1g_leaves),
		T(test_shadow_1g_leaf_without_fl1gp_is_2m_leaves),
		T(test_shadow_map_answering_by_page_gives_4k_leaves),
		T(test_shadow_large_leaf_split_by_vm_map),
		T(test_shadow_unaligned_host_range_splits),
		T(test_shadow_rights_are_the_and_over_walk_and_map),
		T(test_shadow_user_config_makes_every_leaf_user),
		T(test_shadow_never_copies_guest_cache_bits),
		T(test_shadow_reserved_bits_make_entries_not_present),
		T(test_shadow_reserved_bits_5_level),
		T(test_shadow_guest_addresses_outside_ram),
		T(test_shadow_tables_in_read_only_pages),
		T(test_shadow_unusable_map_answers_are_not_ram),
		T(test_shadow_remap_moves_only_after_sync),
		T(test_shadow_unchanged_range_keeps_tables),
		T(test_shadow_sub_range_touches_nothing_outside),
		T(test_shadow_split_leaf_invalidated_whole),
		T(test_shadow_guest_loops_end),
		T(test_shadow_work_is_bounded_per_call),
		T(test_shadow_work_counts_entries_not_only_reads),
		T(test_shadow_quota),
		T(test_shadow_allocation_failure_changes_nothing),
		T(test_shadow_reads_each_guest_entry_once),
		T(test_shadow_noncoherent_flushes_what_changed),
		T(test_shadow_clear_removes_everything),
		T(test_shadow_5_level),
		T(test_shadow_random_model_4_level),
		T(test_shadow_random_model_5_level),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
