// SPDX-License-Identifier: BSD-2-Clause
/*
 * DMA translation for the DMAR model (see fake_dmar.h): the walk of root,
 * context, PASID-directory, PASID-table and second-level entries
 * [VT-d 3.4-3.7, 9.1-9.8], the caches hardware keeps of them
 * [VT-d 6.2], their invalidation [VT-d 6.5], fault reporting [VT-d 7.1],
 * and, for ECAP.C = 0, memory as the device sees it [VT-d 6.1].
 *
 * Bit positions are written here from the specification's entry tables,
 * deliberately without the library's tables.h. Choices the spec leaves
 * open, and where this model is stricter than QEMU 7.2:
 *
 *  - Caches hold entries until the invalidation that names them; there is
 *    no capacity flush (a full cache replaces round-robin, large enough
 *    for every test).
 *  - Paging-structure caches [VT-d 6.2.4]: every present non-leaf entry a
 *    walk reads is cached with the rights down to it, keyed by the
 *    address range it maps and tagged with the DID (second level) or the
 *    DID and PASID (first level, nested included). A walk that misses
 *    the IOTLB starts at the deepest cached entry that maps its address,
 *    reading the next table from the cached pointer whatever memory now
 *    holds above it. They are dropped only by invalidations that reach
 *    them with IH = 0 [VT-d 6.5.2.3, 6.5.2.4]: global, domain-selective,
 *    and page-selective ones whose range overlaps what the entry maps
 *    (IOTLB descriptor and register: second-level and nested entries;
 *    PASID-based: first-level and nested ones of the PASID). A type-2
 *    page-selective invalidation names second-stage addresses, so with
 *    IH = 0 it drops all of a DID's nested first-level entries. A table
 *    page freed while an entry points to it (fake_mem free hook), or a
 *    walk through an entry whose page was freed since (page generation),
 *    is a model error: hardware could walk freed or reused memory.
 *  - SRTP empties every cache only when CAP.ESRTPS = 1 [VT-d 6.5.3];
 *    otherwise software must invalidate globally (QEMU flushes on SRTP
 *    and TE; this model does neither). TE does not touch the caches.
 *  - Legacy context-cache entries are tagged with the context entry's DID
 *    (not-present results cached under CAP.CM with DID 0 [VT-d 6.1]);
 *    domain- and device-selective invalidations must name that DID.
 *    Scalable-mode context entries carry no DID, so scalable-mode
 *    invalidations match on SID (and FM) alone.
 *  - The PASID cache is looked up by source ID and PASID and tagged with
 *    the PASID entry's DID; a context-cache invalidation does not drop it
 *    [VT-d 6.5.2.2: PC invalidation is a separate step].
 *    Not-present results (CAP.CM only) have no DID and are dropped by any
 *    PASID-cache invalidation naming their PASID (or the domain form).
 *  - The IOTLB invalidate descriptor and register drop second-level,
 *    pass-through and nested entries of the DID for every PASID, never
 *    first-level-only ones; the PASID-based IOTLB descriptor (type 6,
 *    PASID-selective or page-selective within a PASID) drops first-level
 *    and nested entries of its DID and PASID only [VT-d 6.5.2.3,
 *    6.5.2.4]. So a first-level entry survives anything but type 6, and
 *    a second-level one anything but type 2.
 *  - First-level (PGTT=001) and nested (PGTT=011) walks [VT-d 3.6, 3.8]
 *    read IA-32e tables (4 or 5 levels by FLPM) with this file's own bit
 *    positions: a non-canonical address is 0x80, a not-present entry
 *    0x71, a reserved bit (PS in PML4E/PML5E, a 1-GiB leaf without
 *    CAP.FL1GP, the address bits below a large leaf) 0x72. Rights are
 *    the AND of R/W and U/S over the walk: a user request needs U/S
 *    (0x81), a write needs R/W unless it is a supervisor write with WPE
 *    clear (0x85); supervisor requests need SRE (0x5d). XD is ignored
 *    (no execute requests) and A/D are neither checked nor set. Nested:
 *    each table pointer is a guest-physical address translated through
 *    the second level, which must grant read (0x75 for the FLPTPTR
 *    table, 0x76 below; 0x74 beyond its width), and so is the output,
 *    with 0x85/0x86 as for second-level only. The IOTLB caches the
 *    combined leaf (the smaller of the two page sizes) under DID and
 *    PASID; not-present first-level results are never cached.
 *  - Scalable-mode permission faults (a missing R or W at any level,
 *    not-present included) are 0x85 (write) and 0x86 (read), as the
 *    library's walk.c believes; legacy mode uses 5 and 6 as QEMU does.
 *  - FPD: legacy faults 2-7 and 0xc are qualified (QEMU's list without
 *    0xd/0xe, which the model never raises); scalable-mode faults from the
 *    context entry on, except its reserved-bit fault 0x42, are qualified
 *    by the FPD of every entry read so far. A not-present context entry's
 *    own FPD bit counts, as in QEMU.
 *  - ECAP.C = 0: each table read goes through the snapshot of its cache
 *    line taken at the CPU's last hal_cache_flush_line(); a line never
 *    flushed reads as all ones. stale_reads counts reads where the
 *    snapshot differs from memory (a write not yet visible to the unit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_dmar.h"
#include "fake_hal.h"

/* Bits hi..lo of a 64-bit word. */
static u64 bits(unsigned int hi, unsigned int lo)
{
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static u64 field(u64 v, unsigned int hi, unsigned int lo)
{
	return (v & bits(hi, lo)) >> lo;
}

/* [VT-d 11.4.2] CAP and [VT-d 11.4.3] ECAP fields. */
static bool cap_cm(const struct fake_dmar *d)
{
	return (d->cap >> 7) & 1;
}

static unsigned int cap_sagaw(const struct fake_dmar *d)
{
	return (unsigned int)field(d->cap, 12, 8);
}

static unsigned int cap_mgaw(const struct fake_dmar *d)
{
	return (unsigned int)field(d->cap, 21, 16) + 1;
}

static unsigned int cap_sllps(const struct fake_dmar *d)
{
	return (unsigned int)field(d->cap, 37, 34);
}

static bool cap_esrtps(const struct fake_dmar *d)
{
	return d->cap >> 63;
}

static bool ecap_bit(const struct fake_dmar *d, unsigned int n)
{
	return (d->ecap >> n) & 1;
}

#define ECAP_C		0
#define ECAP_DT		2
#define ECAP_PT		6
#define ECAP_SC		7
#define ECAP_NEST	26
#define ECAP_SMTS	43
#define ECAP_SSTS	46
#define ECAP_FSTS	47
#define CAP_FS1GP	56
#define CAP_FS5LP	60

/* [VT-d 11.4.5] RTADDR: RTA 63:12, TTM 11:10. */
#define TTM_LEGACY	0
#define TTM_SCALABLE	1

/* Fault reasons [VT-d 7.1.3]; scalable-mode codes as in vtd/fault.c. */
enum {
	FR_ROOT_NP = 0x01, FR_CTX_NP = 0x02, FR_CTX_INV = 0x03,
	FR_ADDR = 0x04, FR_WRITE = 0x05, FR_READ = 0x06, FR_SL_FETCH = 0x07,
	FR_ROOT_FETCH = 0x08, FR_CTX_FETCH = 0x09, FR_ROOT_RSVD = 0x0a,
	FR_CTX_RSVD = 0x0b, FR_SL_RSVD = 0x0c,
	SM_RTA = 0x30, SM_ROOT_FETCH = 0x38, SM_ROOT_NP = 0x39,
	SM_ROOT_RSVD = 0x3a, SM_CTX_FETCH = 0x40, SM_CTX_NP = 0x41,
	SM_CTX_RSVD = 0x42, SM_PASIDE = 0x45, SM_PASID_BIG = 0x46,
	SM_PDE_FETCH = 0x50, SM_PDE_NP = 0x51, SM_PDE_RSVD = 0x52,
	SM_PTE_FETCH = 0x58, SM_PTE_NP = 0x59, SM_PTE_RSVD = 0x5a,
	SM_PTE_INV = 0x5b, SM_SRE = 0x5d, SM_FL_FETCH = 0x70,
	SM_FL_NP = 0x71, SM_FL_RSVD = 0x72, SM_NEST_BEYOND = 0x74,
	SM_NEST_ROOT = 0x75, SM_NEST_READ = 0x76, SM_NONCANON = 0x80,
	SM_USER = 0x81, SM_SL_FETCH = 0x78, SM_SL_RSVD = 0x7a,
	SM_ADDR = 0x83, SM_WRITE = 0x85, SM_READ = 0x86,
};

static void model_error(struct fake_dmar *d, const char *what, u64 val)
{
	d->protocol_errors++;
	hal_log(HAL_LOG_ERR, "fake_dmar: model error: %s (%#llx)\n", what,
		(unsigned long long)val);
}

static bool scalable(const struct fake_dmar *d)
{
	return field(d->rtaddr_active, 11, 10) == TTM_SCALABLE;
}

/* ---- Memory as the device sees it (ECAP.C = 0) ------------------------ */

static size_t line_hash(u64 pa, size_t mask)
{
	u64 h = (pa >> 6) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 29)) & mask;
}

static struct fake_dmar_line *line_slot(struct fake_dmar *d, u64 pa,
					bool insert);

static void lines_grow(struct fake_dmar *d)
{
	struct fake_dmar_line *old = d->lines;
	size_t i, old_cap = d->lines_cap;

	d->lines_cap = old_cap ? old_cap * 2 : 1024;
	d->lines = calloc(d->lines_cap, sizeof(*d->lines));
	if (!d->lines)
		abort();
	d->lines_owner = d;
	d->lines_used = 0;
	for (i = 0; i < old_cap; i++) {
		if (old[i].pa)
			memcpy(line_slot(d, old[i].pa - 1, true)->data,
			       old[i].data, 64);
	}
	free(old);
}

static struct fake_dmar_line *line_slot(struct fake_dmar *d, u64 pa,
					bool insert)
{
	size_t i, mask;

	if (insert && (d->lines_used + 1) * 2 > d->lines_cap)
		lines_grow(d);
	if (!d->lines_cap)
		return NULL;
	mask = d->lines_cap - 1;
	for (i = line_hash(pa, mask);; i = (i + 1) & mask) {
		if (d->lines[i].pa == pa + 1)
			return &d->lines[i];
		if (!d->lines[i].pa) {
			if (!insert)
				return NULL;
			d->lines[i].pa = pa + 1;
			d->lines_used++;
			return &d->lines[i];
		}
	}
}

/* hal_cache_flush_line() hook: the line reaches memory. */
static void on_flush(void *ctx, const void *line)
{
	struct fake_dmar *d = ctx;
	u64 pa = fake_virt_to_phys_checked(line);
	const void *va;

	if (!pa)
		return;
	va = fake_phys_to_virt_checked(pa, 64);
	if (va)
		memcpy(line_slot(d, pa, true)->data, va, 64);
}

static bool device_view(const struct fake_dmar *d)
{
	return !ecap_bit(d, ECAP_C) && !d->coherent_view;
}

/*
 * Read @len bytes of a table at @pa as the unit would. False when @pa is
 * not allocated fake memory: a model error (a pointer, a freed page, or
 * a bad address stored where a table address belongs).
 */
static bool dev_read(struct fake_dmar *d, u64 pa, void *out, size_t len)
{
	const u8 *va = fake_phys_to_virt_checked(pa, len);
	u8 *o = out;
	u64 p, line, end;

	if (!va) {
		model_error(d, "table read outside allocated memory", pa);
		return false;
	}
	if (!device_view(d)) {
		memcpy(out, va, len);
		return true;
	}
	for (p = pa; p < pa + len; p = end) {
		const struct fake_dmar_line *l;

		line = p & ~63ULL;
		end = line + 64 < pa + len ? line + 64 : pa + len;
		l = line_slot(d, line, false);
		if (!l) {
			memset(o + (p - pa), 0xff, end - p);
			d->unflushed_reads++;
			hal_log(HAL_LOG_WARN, "fake_dmar: read of line %#llx "
				"never flushed (ECAP.C = 0)\n",
				(unsigned long long)line);
			continue;
		}
		memcpy(o + (p - pa), l->data + (p - line), end - p);
		if (memcmp(l->data + (p - line), va + (p - pa), end - p)) {
			d->stale_reads++;
			hal_log(HAL_LOG_WARN, "fake_dmar: line %#llx read "
				"stale: written but not flushed\n",
				(unsigned long long)line);
		}
	}
	return true;
}

bool fake_dmar_dev_read(struct fake_dmar *d, u64 pa, void *out, size_t len)
{
	return dev_read(d, pa, out, len);
}

static bool read_u64(struct fake_dmar *d, u64 pa, u64 *v)
{
	return dev_read(d, pa, v, sizeof(*v));
}

/*
 * Read a paging-structure entry as the unit would. A write to bits the
 * unit ignores (@ign) changes nothing it does, so leaving such a write
 * unflushed is not stale (libvtd keeps counts there and does not flush
 * them): the snapshot's value is returned all the same.
 */
static bool read_pte(struct fake_dmar *d, u64 pa, u64 *v, u64 ign)
{
	const u64 *va = fake_phys_to_virt_checked(pa, sizeof(*v));
	const struct fake_dmar_line *l;

	if (!va || !device_view(d))
		return dev_read(d, pa, v, sizeof(*v));
	l = line_slot(d, pa & ~63ULL, false);
	if (!l)
		return dev_read(d, pa, v, sizeof(*v));
	memcpy(v, l->data + (pa & 63), sizeof(*v));
	if ((*v ^ *va) & ~ign) {
		d->stale_reads++;
		hal_log(HAL_LOG_WARN, "fake_dmar: line %#llx read stale: "
			"written but not flushed\n",
			(unsigned long long)(pa & ~63ULL));
	}
	return true;
}

/* ---- Caches --------------------------------------------------------------- */

void fake_dmar_caches_reset(struct fake_dmar *d)
{
	memset(d->cc, 0, sizeof(d->cc));
	memset(d->pc, 0, sizeof(d->pc));
	memset(d->tlb, 0, sizeof(d->tlb));
	memset(d->psc, 0, sizeof(d->psc));
}

#define COUNT_VALID(arr)						\
	({								\
		unsigned int n_ = 0, i_;				\
		for (i_ = 0; i_ < sizeof(arr) / sizeof((arr)[0]); i_++) \
			n_ += (arr)[i_].valid;				\
		n_;							\
	})

unsigned int fake_dmar_cc_count(const struct fake_dmar *d)
{
	return COUNT_VALID(d->cc);
}

unsigned int fake_dmar_pc_count(const struct fake_dmar *d)
{
	return COUNT_VALID(d->pc);
}

unsigned int fake_dmar_iotlb_count(const struct fake_dmar *d)
{
	return COUNT_VALID(d->tlb);
}

unsigned int fake_dmar_psc_count(const struct fake_dmar *d)
{
	return COUNT_VALID(d->psc);
}

/* A free slot, or the round-robin victim. */
#define SLOT(arr, next)							\
	({								\
		unsigned int i_, n_ = sizeof(arr) / sizeof((arr)[0]);	\
		for (i_ = 0; i_ < n_ && (arr)[i_].valid; i_++)		\
			;						\
		if (i_ == n_)						\
			i_ = (next)++ % n_;				\
		memset(&(arr)[i_], 0, sizeof((arr)[i_]));		\
		(arr)[i_].valid = true;					\
		&(arr)[i_];						\
	})

static struct fake_dmar_cc *cc_find(struct fake_dmar *d, u16 sid)
{
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_CC_MAX; i++) {
		if (d->cc[i].valid && d->cc[i].sid == sid)
			return &d->cc[i];
	}
	return NULL;
}

static struct fake_dmar_pc *pc_find(struct fake_dmar *d, u16 sid, u32 pasid)
{
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_PC_MAX; i++) {
		if (d->pc[i].valid && d->pc[i].sid == sid &&
		    d->pc[i].pasid == pasid)
			return &d->pc[i];
	}
	return NULL;
}

static struct fake_dmar_tlb *tlb_find(struct fake_dmar *d, u16 did,
				      u32 pasid, u64 iova)
{
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_IOTLB_MAX; i++) {
		struct fake_dmar_tlb *t = &d->tlb[i];

		if (t->valid && t->did == did && t->pasid == pasid &&
		    iova - t->base < t->size)
			return t;
	}
	return NULL;
}

/* ---- Paging-structure caches [VT-d 6.2.4] ------------------------------- */

/* Bytes a level-@level entry maps (level 1: a 4-KiB page). */
static u64 level_size(unsigned int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/* Does @p map part of [@base, @base + @size)? */
static bool psc_overlaps(const struct fake_dmar_psc *p, u64 base, u64 size)
{
	return p->base <= base + (size - 1) &&
	       base <= p->base + (level_size(p->level) - 1);
}

/* Is the table @p points to still the allocation it was when cached? */
static bool psc_table_live(const struct fake_dmar_psc *p)
{
	return fake_mem_phys_valid(p->table, 4096) &&
	       fake_mem_page_gen(p->table) == p->table_gen;
}

/*
 * The deepest cached entry that maps @addr in a walk of @levels levels:
 * second-level ones of @did (@fl false), or first-level ones of @did and
 * @pasid from a walk that is @nested or not.
 */
static struct fake_dmar_psc *psc_find(struct fake_dmar *d, bool fl,
				      bool nested, u16 did, u32 pasid,
				      u64 addr, unsigned int levels)
{
	struct fake_dmar_psc *best = NULL;
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_PSC_MAX; i++) {
		struct fake_dmar_psc *p = &d->psc[i];

		if (!p->valid || p->fl != fl || p->did != did ||
		    p->level > levels ||
		    (fl && (p->nested != nested || p->pasid != pasid)) ||
		    addr - p->base >= level_size(p->level))
			continue;
		if (!best || p->level < best->level)
			best = p;
	}
	if (best)
		d->psc_stats.hits++;
	else
		d->psc_stats.misses++;
	return best;
}

/* Cache the non-leaf entry @e describes (its tag, rights and table). */
static void psc_fill(struct fake_dmar *d, const struct fake_dmar_psc *e)
{
	u64 base = e->base & ~(level_size(e->level) - 1);
	struct fake_dmar_psc *p = NULL;
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_PSC_MAX && !p; i++) {
		struct fake_dmar_psc *o = &d->psc[i];

		if (o->valid && o->fl == e->fl && o->nested == e->nested &&
		    o->did == e->did && o->pasid == e->pasid &&
		    o->level == e->level && o->base == base)
			p = o;
	}
	if (!p)
		p = SLOT(d->psc, d->psc_next);
	*p = *e;
	p->valid = true;
	p->base = base;
	p->table_gen = fake_mem_page_gen(e->table);
	d->psc_stats.fills++;
}

/*
 * A walk is about to read the table @p points to. If that page was freed
 * (or freed and allocated again) since @p was cached, the library freed
 * a table the unit could still walk: a model error.
 */
static bool psc_usable(struct fake_dmar *d, const struct fake_dmar_psc *p)
{
	if (psc_table_live(p))
		return true;
	d->psc_freed_walks++;
	d->protocol_errors++;
	hal_log(HAL_LOG_ERR, "fake_dmar: model error: walk through a cached "
		"level-%u entry (DID %u, %#llx) to table page %#llx, freed "
		"since\n", p->level, p->did, (unsigned long long)p->base,
		(unsigned long long)p->table);
	return false;
}

/* fake_mem free hook: no cached entry may point into [@pa, @pa + @len). */
static void on_free(void *ctx, u64 pa, u64 len)
{
	struct fake_dmar *d = ctx;
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_PSC_MAX; i++) {
		const struct fake_dmar_psc *p = &d->psc[i];

		if (!p->valid || p->table - pa >= len || !psc_table_live(p))
			continue;
		d->psc_freed_tables++;
		d->protocol_errors++;
		hal_log(HAL_LOG_ERR, "fake_dmar: model error: table page %#llx "
			"freed while the unit caches a level-%u entry (DID %u, "
			"%#llx) that points to it\n",
			(unsigned long long)p->table, p->level, p->did,
			(unsigned long long)p->base);
	}
}

/* ---- Faults --------------------------------------------------------------- */

struct req {
	u16 sid;
	u32 pasid;		/* as requested */
	u64 iova;
	bool write;
	bool priv;		/* supervisor request (PASID prefix PR) */
	bool fpd;		/* FPD seen on the walk so far */
};

static bool qualified(bool sm, u8 reason)
{
	if (sm)
		return reason >= SM_CTX_NP && reason != SM_CTX_RSVD;
	return reason >= FR_CTX_NP && (reason <= FR_SL_FETCH ||
				       reason == FR_SL_RSVD);
}

static int fail(struct fake_dmar *d, const struct req *q,
		struct fake_dma_result *r, u8 reason)
{
	r->reason = reason;
	d->dma_faults++;
	if (q->fpd && qualified(scalable(d), reason))
		return reason;
	r->recorded = true;
	fake_dmar_record_fault(d, q->sid, q->iova, reason, q->write,
			       q->pasid != FAKE_DMAR_NO_PASID,
			       q->pasid == FAKE_DMAR_NO_PASID ? 0 : q->pasid);
	return reason;
}

/* ---- Second-level translation [VT-d 3.7, 9.8] ------------------------- */

/*
 * Reserved bits of a present second-level entry at @level (1 = SL-PTE)
 * [VT-d 9.8]: TM (62) in every entry; PS in SL-PML4E/PML5E; SNP unless a
 * leaf on a unit with ECAP.SC; the address bits below a large page.
 */
static u64 sl_rsvd(const struct fake_dmar *d, u64 e, unsigned int level,
		   bool leaf)
{
	u64 rsvd = 1ULL << 62;

	if (level >= 4)
		rsvd |= 1ULL << 7;
	if (!leaf || !ecap_bit(d, ECAP_SC))
		rsvd |= 1ULL << 11;
	if (leaf && level == 2)
		rsvd |= bits(20, 12);
	if (leaf && level == 3)
		rsvd |= bits(29, 12);
	return e & rsvd;
}

enum { WALK_OK, WALK_FETCH, WALK_RSVD };

/*
 * The second-level walk of @addr from @table (@levels levels) for domain
 * @did [VT-d 3.7, 9.8]: from the deepest paging-structure-cache entry
 * that maps @addr, else from the top, caching each non-leaf entry read.
 * WALK_OK with *@e the leaf, or the not-present entry that ended the walk
 * (R = W = 0), *@shift its level's, and the rights ANDed over the walk;
 * else the table read failed or an entry had a reserved bit set.
 */
static int sl_walk(struct fake_dmar *d, u16 did, u64 table,
		   unsigned int levels, u64 addr, u64 *e, unsigned int *shift,
		   bool *rd, bool *wr, bool *psc_hit)
{
	struct fake_dmar_psc *p = psc_find(d, false, false, did, 0, addr,
					   levels);
	unsigned int level = levels;

	*rd = *wr = true;
	*e = 0;
	*shift = 12;
	if (p) {
		if (!psc_usable(d, p))
			return WALK_FETCH;
		table = p->table;
		level = p->level - 1;
		*rd = p->r;
		*wr = p->w;
		if (psc_hit)
			*psc_hit = true;
	}
	for (; level >= 1; level--) {
		struct fake_dmar_psc c = { .did = did, .level = (u8)level,
					   .base = addr };
		bool leaf;

		*shift = 12 + 9 * (level - 1);
		/* [VT-d 9.8] Bits 61:52 and 63 ignored at every level. */
		if (!read_pte(d, table + 8 * ((addr >> *shift) & 511), e,
			      bits(61, 52) | bits(63, 63)))
			return WALK_FETCH;
		*rd &= *e & 1;
		*wr &= (*e >> 1) & 1;
		if (!(*e & 3))
			return WALK_OK;
		leaf = level == 1 || (level <= 3 && (*e >> 7) & 1);
		if (sl_rsvd(d, *e, level, leaf) ||
		    (leaf && level == 2 && !(cap_sllps(d) & 1)) ||
		    (leaf && level == 3 && !(cap_sllps(d) & 2)))
			return WALK_RSVD;
		if (leaf)
			return WALK_OK;
		table = *e & bits(51, 12);
		c.table = table;
		c.r = *rd;
		c.w = *wr;
		psc_fill(d, &c);
	}
	return WALK_OK;
}

static int sl_translate(struct fake_dmar *d, struct req *q,
			struct fake_dma_result *r, u16 did, u32 pasid,
			u64 table, unsigned int levels)
{
	bool sm = scalable(d);
	struct fake_dmar_tlb *t = tlb_find(d, did, pasid, q->iova);
	unsigned int shift, aw = 12 + 9 * levels;
	bool rd, wr;
	u64 e;

	if (t) {
		d->tlb_stats.hits++;
		r->iotlb_hit = true;
		q->fpd |= t->fpd;
	} else {
		d->tlb_stats.misses++;
		if ((aw < 64 && (q->iova >> aw)) ||
		    (q->iova >> cap_mgaw(d)))
			return fail(d, q, r, sm ? SM_ADDR : FR_ADDR);
		switch (sl_walk(d, did, table, levels, q->iova, &e, &shift,
				&rd, &wr, &r->psc_hit)) {
		case WALK_FETCH:
			return fail(d, q, r, sm ? SM_SL_FETCH : FR_SL_FETCH);
		case WALK_RSVD:
			return fail(d, q, r, sm ? SM_SL_RSVD : FR_SL_RSVD);
		}
		if (!(e & 3)) {
			/* Not present: cached only under CM. */
			if (cap_cm(d)) {
				t = SLOT(d->tlb, d->tlb_next);
				t->did = did;
				t->pasid = pasid;
				t->base = q->iova & ~0xfffULL;
				t->size = 0x1000;
				t->fpd = q->fpd;
				d->tlb_stats.fills++;
			}
			goto perm;
		}
		t = SLOT(d->tlb, d->tlb_next);
		t->present = true;
		t->did = did;
		t->pasid = pasid;
		t->size = 1ULL << shift;
		t->base = q->iova & ~(t->size - 1);
		t->hpa = e & bits(51, shift);
		t->r = rd;
		t->w = wr;
		t->fl_w = t->fl_us = true;	/* no first-level limits */
		t->fpd = q->fpd;
		d->tlb_stats.fills++;
	}
	if (t->present) {
		rd = t->r;
		wr = t->w;
	} else {
		rd = wr = false;
	}
perm:
	if (q->write ? !wr : !rd)
		return fail(d, q, r, q->write ? (sm ? SM_WRITE : FR_WRITE) :
						 (sm ? SM_READ : FR_READ));
	r->hpa = t->hpa + (q->iova - t->base);
	return 0;
}

/* ---- First-level and nested translation [VT-d 3.6, 3.8, 9.7] ---------- */

/*
 * The second-level walk of @addr for nested translation, under the
 * paging-structure caches of @did like any other. 0 with the rights
 * (*rd = *wr = false when not present) and the leaf, or the fault reason.
 */
static u8 sl_walk_raw(struct fake_dmar *d, u16 did, u64 table,
		      unsigned int levels, u64 addr, u64 *hpa, u64 *size,
		      bool *rd, bool *wr)
{
	unsigned int shift, aw = 12 + 9 * levels;
	u64 e;

	*rd = *wr = true;
	if ((aw < 64 && (addr >> aw)) || (addr >> cap_mgaw(d)))
		return SM_ADDR;
	switch (sl_walk(d, did, table, levels, addr, &e, &shift, rd, wr,
			NULL)) {
	case WALK_FETCH:
		return SM_SL_FETCH;
	case WALK_RSVD:
		return SM_SL_RSVD;
	}
	if (!(e & 3)) {
		*rd = *wr = false;
		return 0;
	}
	*size = 1ULL << shift;
	*hpa = (e & bits(51, shift)) | (addr & (*size - 1));
	return 0;
}

/*
 * Nested: the host address of the first-level table at guest-physical
 * *@table, through the second level of @did, which must grant read
 * [VT-d 3.8]; 0 or the fault reason (@root: the FLPTPTR table).
 */
static u8 nest_table(struct fake_dmar *d, u16 did, u64 sl_table,
		     unsigned int sl_levels, u64 *table, bool root)
{
	u64 tsz;
	bool rd, wr;
	u8 fr = sl_walk_raw(d, did, sl_table, sl_levels, *table, table, &tsz,
			    &rd, &wr);

	if (fr == SM_ADDR)
		return SM_NEST_BEYOND;
	if (fr)
		return fr;
	if (!rd)
		return root ? SM_NEST_ROOT : SM_NEST_READ;
	return 0;
}

static int fl_translate(struct fake_dmar *d, struct req *q,
			struct fake_dma_result *r,
			const struct fake_dmar_pc *p, u32 pasid)
{
	bool nested = field(p->qw[0], 8, 6) == 3;
	unsigned int levels = field(p->qw[2], 3, 2) == 1 ? 5 : 4;
	unsigned int sl_levels = (unsigned int)field(p->qw[0], 4, 2) + 2;
	unsigned int top = 12 + 9 * levels - 1, level, shift = 12;
	bool wpe = (p->qw[2] >> 4) & 1;
	u64 sl_table = p->qw[0] & bits(63, 12);	/* SLPTPTR, nested */
	struct fake_dmar_tlb *t, tmp;
	struct fake_dmar_psc *c;
	u64 hi = q->iova >> top, e = 0, table, hpa = 0, size;
	bool flw = true, us = true, sr = true, sw = true;
	u8 fr;

	/* [VT-d 3.6] Canonical: bits 63:47 (63:56) equal. */
	if (hi && hi != (~0ULL >> top))
		return fail(d, q, r, SM_NONCANON);
	t = tlb_find(d, p->did, pasid, q->iova);
	if (t) {
		d->tlb_stats.hits++;
		r->iotlb_hit = true;
		q->fpd |= t->fpd;
		goto check;
	}
	d->tlb_stats.misses++;
	/*
	 * From the deepest cached first-level entry that maps the address
	 * (its table already a host address), else from FLPTPTR 191:140.
	 */
	c = psc_find(d, true, nested, p->did, pasid, q->iova, levels);
	if (c) {
		if (!psc_usable(d, c))
			return fail(d, q, r, SM_FL_FETCH);
		r->psc_hit = true;
		table = c->table;
		level = c->level - 1;
		flw = c->fl_w;
		us = c->fl_us;
	} else {
		table = p->qw[2] & bits(63, 12);
		level = levels;
		fr = nested ? nest_table(d, p->did, sl_table, sl_levels,
					 &table, true) : 0;
		if (fr)
			return fail(d, q, r, fr);
	}
	for (; level >= 1; level--) {
		struct fake_dmar_psc fc = { .fl = true, .nested = nested,
					    .did = p->did, .pasid = pasid,
					    .level = (u8)level,
					    .base = q->iova };
		u64 rsvd = 0;
		bool leaf, ps;

		shift = 12 + 9 * (level - 1);
		/* [VT-d 9.7] Bits 62:52 not interpreted (nor PK). */
		if (!read_pte(d, table + 8 * ((q->iova >> shift) & 511), &e,
			      bits(62, 52)))
			return fail(d, q, r, SM_FL_FETCH);
		if (!(e & 1))				/* P */
			return fail(d, q, r, SM_FL_NP);
		flw &= (e >> 1) & 1;			/* R/W */
		us &= (e >> 2) & 1;			/* U/S */
		ps = (e >> 7) & 1;
		if (level >= 4)
			rsvd = 1ULL << 7;
		else if (level == 3 && ps)
			rsvd = ((d->cap >> CAP_FS1GP) & 1) ? bits(29, 13) :
							      1ULL << 7;
		else if (level == 2 && ps)
			rsvd = bits(20, 13);
		if (e & rsvd)
			return fail(d, q, r, SM_FL_RSVD);
		leaf = level == 1 || (level <= 3 && ps);
		if (leaf)
			break;
		table = e & bits(51, 12);
		fr = nested ? nest_table(d, p->did, sl_table, sl_levels,
					 &table, false) : 0;
		if (fr)
			return fail(d, q, r, fr);
		fc.table = table;
		fc.fl_w = flw;
		fc.fl_us = us;
		psc_fill(d, &fc);
	}
	size = 1ULL << shift;
	hpa = (e & bits(51, shift)) | (q->iova & (size - 1));
	if (nested) {
		u64 ssz = 0, gpa = hpa;
		fr = sl_walk_raw(d, p->did, sl_table, sl_levels, gpa, &hpa,
				 &ssz, &sr, &sw);
		if (fr)
			return fail(d, q, r, fr);
		if (!sr && !sw) {
			/* Not present in the second level: nothing cached. */
			memset(&tmp, 0, sizeof(tmp));
			tmp.fl_w = flw;
			tmp.fl_us = us;
			tmp.nested = true;
			t = &tmp;
			goto check;
		}
		if (ssz < size)
			size = ssz;
	}
	t = SLOT(d->tlb, d->tlb_next);
	t->present = true;
	t->fl = !nested;
	t->nested = nested;
	t->did = p->did;
	t->pasid = pasid;
	t->size = size;
	t->base = q->iova & ~(size - 1);
	t->hpa = hpa - (q->iova & (size - 1));
	t->r = nested ? sr : true;
	t->w = nested ? sw : true;
	t->fl_w = flw;
	t->fl_us = us;
	t->fpd = q->fpd;
	d->tlb_stats.fills++;
check:
	if (!q->priv && !t->fl_us)
		return fail(d, q, r, SM_USER);
	if (q->write && !t->fl_w && (!q->priv || wpe))
		return fail(d, q, r, SM_WRITE);
	/* Second-level rights (always granted for first-level only). */
	if (q->write ? !t->w : !t->r)
		return fail(d, q, r, q->write ? SM_WRITE : SM_READ);
	r->hpa = t->hpa + (q->iova - t->base);
	return 0;
}

/* ---- Legacy mode [VT-d 3.4.2, 9.1, 9.3] ------------------------------- */

/* Read @sid's context entry; 0 when present and well-formed. */
static u8 ctx_read_legacy(struct fake_dmar *d, u16 sid, u64 ce[2])
{
	u64 re[2];

	if (!dev_read(d, (d->rtaddr_active & bits(63, 12)) + 16 * (sid >> 8),
		      re, 16))
		return FR_ROOT_FETCH;
	/* [VT-d 9.1] P 0, CTP 63:12; bits 11:1 and 127:64 reserved. */
	if ((re[0] & bits(11, 1)) || re[1])
		return FR_ROOT_RSVD;
	if (!(re[0] & 1))
		return FR_ROOT_NP;
	if (!dev_read(d, (re[0] & bits(63, 12)) + 16 * (sid & 0xff), ce, 16))
		return FR_CTX_FETCH;
	if (!(ce[0] & 1))
		return FR_CTX_NP;
	/*
	 * [VT-d 9.3] P 0, FPD 1, TT 3:2, SLPTPTR 63:12, AW 66:64, DID
	 * 87:72; reserved 11:4, 71, 127:88.
	 */
	if ((ce[0] & bits(11, 4)) || (ce[1] & (bits(63, 24) | bits(7, 7))))
		return FR_CTX_RSVD;
	return 0;
}

static int xlate_legacy(struct fake_dmar *d, struct req *q,
			struct fake_dma_result *r)
{
	struct fake_dmar_cc *c = cc_find(d, q->sid);
	unsigned int aw;
	u64 lo, hi;

	if (q->pasid != FAKE_DMAR_NO_PASID)
		return fail(d, q, r, FR_CTX_INV);	/* no PASIDs here */
	if (c) {
		d->cc_stats.hits++;
		r->cc_hit = true;
	} else {
		u64 ce[2] = { 0, 0 };
		u8 reason;

		d->cc_stats.misses++;
		reason = ctx_read_legacy(d, q->sid, ce);
		if (reason) {
			q->fpd = reason == FR_CTX_NP && ((ce[0] >> 1) & 1);
			if (cap_cm(d) && (reason == FR_ROOT_NP ||
					  reason == FR_CTX_NP)) {
				c = SLOT(d->cc, d->cc_next);
				c->sid = q->sid;
				c->reason = reason;
				c->fpd = q->fpd;
				d->cc_stats.fills++;
			}
			return fail(d, q, r, reason);
		}
		c = SLOT(d->cc, d->cc_next);
		c->present = true;
		c->sid = q->sid;
		c->did = (u16)field(ce[1], 87 - 64, 72 - 64);
		c->fpd = (ce[0] >> 1) & 1;
		c->qw[0] = ce[0];
		c->qw[1] = ce[1];
		d->cc_stats.fills++;
	}
	q->fpd = c->fpd;
	if (!c->present)
		return fail(d, q, r, c->reason);
	lo = c->qw[0];
	hi = c->qw[1];
	r->did = c->did;
	aw = (unsigned int)field(hi, 2, 0);
	switch (field(lo, 3, 2)) {
	case 0:			/* untranslated requests: SL tables */
		break;
	case 1:			/* also translated requests: ECAP.DT */
		if (!ecap_bit(d, ECAP_DT))
			return fail(d, q, r, FR_CTX_INV);
		break;
	case 2:			/* pass-through: ECAP.PT */
		if (!ecap_bit(d, ECAP_PT))
			return fail(d, q, r, FR_CTX_INV);
		r->hpa = q->iova;
		return 0;
	default:
		return fail(d, q, r, FR_CTX_INV);
	}
	if (aw > 4 || !((cap_sagaw(d) >> aw) & 1))
		return fail(d, q, r, FR_CTX_INV);
	return sl_translate(d, q, r, c->did, FAKE_DMAR_NO_PASID,
			    lo & bits(63, 12), aw + 2);
}

/* ---- Scalable mode [VT-d 3.4.3, 9.2, 9.4-9.6] ------------------------- */

static u8 ctx_read_sm(struct fake_dmar *d, u16 sid, u64 ce[4])
{
	u8 devfn = (u8)sid;
	u64 re[2], ctp;

	if (!dev_read(d, (d->rtaddr_active & bits(63, 12)) + 16 * (sid >> 8),
		      re, 16))
		return SM_ROOT_FETCH;
	/* [VT-d 9.2] LP 0, LCTP 63:12; UP 64, UCTP 127:76; 11:1, 75:65 reserved. */
	if ((re[0] & bits(11, 1)) || (re[1] & bits(11, 1)))
		return SM_ROOT_RSVD;
	ctp = devfn < 128 ? re[0] : re[1];
	if (!(ctp & 1))
		return SM_ROOT_NP;
	if (!dev_read(d, (ctp & bits(63, 12)) + 32 * (devfn % 128), ce, 32))
		return SM_CTX_FETCH;
	if (!(ce[0] & 1))
		return SM_CTX_NP;
	/*
	 * [VT-d 9.4] P 0, FPD 1, DTE 2, PASIDE 3, PRE 4, PDTS 11:9,
	 * PASIDDIRPTR 63:12, RID_PASID 83:64, RID_PRIV 84; reserved 8:5,
	 * 127:85 and the upper 128 bits.
	 */
	if ((ce[0] & bits(8, 5)) || (ce[1] & bits(63, 21)) || ce[2] || ce[3])
		return SM_CTX_RSVD;
	return 0;
}

/* Fill a PASID-cache entry for (@q->sid, @pasid) from memory. */
static u8 pasid_read(struct fake_dmar *d, struct req *q, u64 ctx0,
		     u32 pasid, u64 pe[8])
{
	unsigned int pdts = (unsigned int)field(ctx0, 11, 9), aw;
	u64 pde;

	if ((pasid >> 6) >= (1U << (pdts + 7)))
		return SM_PASID_BIG;
	if (!read_u64(d, (ctx0 & bits(63, 12)) + 8 * (pasid >> 6), &pde))
		return SM_PDE_FETCH;
	/* [VT-d 9.5] P 0, FPD 1, SMPTBLPTR 63:12; 11:2 reserved. */
	if (pde & bits(11, 2))
		return SM_PDE_RSVD;
	q->fpd |= (pde >> 1) & 1;
	if (!(pde & 1))
		return SM_PDE_NP;
	if (!dev_read(d, (pde & bits(63, 12)) + 64 * (pasid & 63), pe, 64))
		return SM_PTE_FETCH;
	q->fpd |= (pe[0] >> 1) & 1;
	if (!(pe[0] & 1))
		return SM_PTE_NP;
	/*
	 * [VT-d 9.6] P 0, FPD 1, AW 4:2, SLEE 5, PGTT 8:6, SLADE 9,
	 * SLPTPTR 63:12; DID 79:64, PWSNP 87, PGSNP 88. Reserved 11:10 and
	 * 86:80.
	 */
	if ((pe[0] & bits(11, 10)) || (pe[1] & bits(22, 16)))
		return SM_PTE_RSVD;
	aw = (unsigned int)field(pe[0], 4, 2);
	switch (field(pe[0], 8, 6)) {
	case 2:			/* second-level only: ECAP.SLTS */
		if (!ecap_bit(d, ECAP_SSTS) || aw > 4 ||
		    !((cap_sagaw(d) >> aw) & 1))
			return SM_PTE_INV;
		return 0;
	case 4:			/* pass-through */
		return ecap_bit(d, ECAP_PT) ? 0 : SM_PTE_INV;
	case 1:			/* first-level only: ECAP.FLTS */
	case 3:			/* nested: ECAP.NEST, and an SL AW */
		/* [VT-d 9.6] FLPM 131:130: 0 4-level, 1 5-level (FL5LP). */
		if (!ecap_bit(d, ECAP_FSTS) || field(pe[2], 3, 2) > 1 ||
		    (field(pe[2], 3, 2) == 1 && !((d->cap >> CAP_FS5LP) & 1)))
			return SM_PTE_INV;
		if (field(pe[0], 8, 6) == 3 &&
		    (!ecap_bit(d, ECAP_NEST) || !ecap_bit(d, ECAP_SSTS) ||
		     aw > 4 ||
		     !((cap_sagaw(d) >> aw) & 1)))
			return SM_PTE_INV;
		/*
		 * First-level only: QEMU 10 bounds the first-stage input by
		 * AW (2^min(30 + 9 AW, 48), docs/QEMU.md) and faults what
		 * lies above; stricter here, an AW below 48 bits (2) makes
		 * the entry invalid.
		 */
		if (field(pe[0], 8, 6) == 1 && aw < 2)
			return SM_PTE_INV;
		return 0;
	default:
		return SM_PTE_INV;
	}
}

static int xlate_sm(struct fake_dmar *d, struct req *q,
		    struct fake_dma_result *r)
{
	struct fake_dmar_cc *c = cc_find(d, q->sid);
	struct fake_dmar_pc *p;
	u32 pasid;

	if (c) {
		d->cc_stats.hits++;
		r->cc_hit = true;
	} else {
		u64 ce[4] = { 0, 0, 0, 0 };
		u8 reason;

		d->cc_stats.misses++;
		reason = ctx_read_sm(d, q->sid, ce);
		if (reason) {
			q->fpd = reason == SM_CTX_NP && ((ce[0] >> 1) & 1);
			if (cap_cm(d) && (reason == SM_ROOT_NP ||
					  reason == SM_CTX_NP)) {
				c = SLOT(d->cc, d->cc_next);
				c->sid = q->sid;
				c->reason = reason;
				c->fpd = q->fpd;
				d->cc_stats.fills++;
			}
			return fail(d, q, r, reason);
		}
		c = SLOT(d->cc, d->cc_next);
		c->present = true;
		c->sid = q->sid;
		c->fpd = (ce[0] >> 1) & 1;
		memcpy(c->qw, ce, sizeof(c->qw));
		d->cc_stats.fills++;
	}
	q->fpd = c->fpd;
	if (!c->present)
		return fail(d, q, r, c->reason);
	if (q->pasid != FAKE_DMAR_NO_PASID && !((c->qw[0] >> 3) & 1))
		return fail(d, q, r, SM_PASIDE);
	pasid = q->pasid != FAKE_DMAR_NO_PASID ? q->pasid :
		(u32)field(c->qw[1], 19, 0);
	p = pc_find(d, q->sid, pasid);
	if (p) {
		d->pc_stats.hits++;
		r->pc_hit = true;
	} else {
		u64 pe[8] = { 0 };
		u8 reason;

		d->pc_stats.misses++;
		reason = pasid_read(d, q, c->qw[0], pasid, pe);
		if (reason) {
			if (cap_cm(d) && (reason == SM_PDE_NP ||
					  reason == SM_PTE_NP)) {
				p = SLOT(d->pc, d->pc_next);
				p->sid = q->sid;
				p->pasid = pasid;
				p->reason = reason;
				p->fpd = q->fpd;
				d->pc_stats.fills++;
			}
			return fail(d, q, r, reason);
		}
		p = SLOT(d->pc, d->pc_next);
		p->present = true;
		p->sid = q->sid;
		p->pasid = pasid;
		p->did = (u16)field(pe[1], 79 - 64, 64 - 64);
		p->fpd = q->fpd;
		p->qw[0] = pe[0];
		p->qw[1] = pe[1];
		p->qw[2] = pe[2];
		d->pc_stats.fills++;
	}
	q->fpd = p->fpd;
	if (!p->present)
		return fail(d, q, r, p->reason);
	r->did = p->did;
	if (field(p->qw[0], 8, 6) == 4) {
		r->hpa = q->iova;
		return 0;
	}
	if (field(p->qw[0], 8, 6) == 1 || field(p->qw[0], 8, 6) == 3) {
		/* [VT-d 9.6] SRE (bit 128): supervisor requests allowed. */
		if (q->priv && !(p->qw[2] & 1))
			return fail(d, q, r, SM_SRE);
		return fl_translate(d, q, r, p, pasid);
	}
	return sl_translate(d, q, r, p->did, pasid, p->qw[0] & bits(63, 12),
			    (unsigned int)field(p->qw[0], 4, 2) + 2);
}

int fake_dmar_dma(struct fake_dmar *d, u16 sid, u32 pasid, u64 iova,
		  bool write, struct fake_dma_result *r)
{
	return fake_dmar_dma_priv(d, sid, pasid, iova, write, false, r);
}

int fake_dmar_dma_priv(struct fake_dmar *d, u16 sid, u32 pasid, u64 iova,
		       bool write, bool priv, struct fake_dma_result *r)
{
	struct req q = { .sid = sid, .pasid = pasid, .iova = iova,
			 .write = write, .priv = priv };
	int ret;

	memset(r, 0, sizeof(*r));
	d->dma_count++;
	if (!(d->gsts & (1U << 31))) {		/* GSTS.TES clear */
		r->hpa = iova;
	} else {
		switch (field(d->rtaddr_active, 11, 10)) {
		case TTM_LEGACY:
			ret = xlate_legacy(d, &q, r);
			break;
		case TTM_SCALABLE:
			if (ecap_bit(d, ECAP_SMTS)) {
				ret = xlate_sm(d, &q, r);
				break;
			}
			/* fall through */
		default:
			model_error(d, "RTADDR.TTM not supported",
				    d->rtaddr_active);
			return fail(d, &q, r, SM_RTA);
		}
		if (ret)
			return ret;
	}
	r->va = fake_phys_to_virt_checked(r->hpa, 1);
	return 0;
}

/* ---- Invalidation [VT-d 6.5] ------------------------------------------ */

/* [VT-d 6.5.2.1] Context cache: G 1 global, 2 domain, 3 device (+FM). */
static void inv_cc(struct fake_dmar *d, unsigned int g, u16 did, u16 sid,
		   unsigned int fm)
{
	/* FM masks the top @fm bits of the 3-bit function number. */
	u16 mask = (u16)(((1U << fm) - 1) << (3 - fm));
	bool sm = scalable(d);
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_CC_MAX; i++) {
		struct fake_dmar_cc *c = &d->cc[i];
		bool drop;

		if (!c->valid)
			continue;
		if (g == 1)
			drop = true;
		else if (g == 2)
			drop = sm || c->did == did;
		else if (g == 3)
			drop = !((c->sid ^ sid) & ~mask) && (sm || c->did == did);
		else
			drop = false;
		if (drop) {
			c->valid = false;
			d->cc_stats.drops++;
		}
	}
}

/*
 * [VT-d 6.5.2.3] IOTLB: G 1 global, 2 domain, 3 page (AM; IH = 1 keeps
 * the paging-structure caches). Second-level and nested entries only.
 */
static void inv_iotlb(struct fake_dmar *d, unsigned int g, u16 did, u64 addr,
		      unsigned int am, bool ih)
{
	u64 size = 0x1000ULL << am, base = addr & ~(size - 1);
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_IOTLB_MAX; i++) {
		struct fake_dmar_tlb *t = &d->tlb[i];
		bool drop;

		if (!t->valid)
			continue;
		if (g == 1)
			drop = true;
		else if (g == 2)
			drop = t->did == did;
		else if (g == 3)
			drop = t->did == did && t->base < base + size &&
			       base < t->base + t->size;
		else
			drop = false;
		/* First-level-only entries need type 6 [VT-d 6.5.2.4]. */
		if (drop && !t->fl) {
			t->valid = false;
			d->tlb_stats.drops++;
		}
	}
	for (i = 0; i < FAKE_DMAR_PSC_MAX; i++) {
		struct fake_dmar_psc *p = &d->psc[i];
		bool drop;

		if (!p->valid || (p->fl && !p->nested))
			continue;
		if (g == 1)
			drop = true;
		else if (g == 2)
			drop = p->did == did;
		else if (g == 3)
			drop = !ih && p->did == did &&
			       (p->nested || psc_overlaps(p, base, size));
		else
			drop = false;
		if (drop) {
			p->valid = false;
			d->psc_stats.drops++;
		}
	}
}

/*
 * [VT-d 6.5.2.4] PASID-based IOTLB: G 2 all of (DID, PASID), 3 pages
 * within it (ADDR, AM; IH = 1 keeps the paging-structure caches).
 * First-level and nested entries only, never second-level
 * paging-structure entries.
 */
static void inv_piotlb(struct fake_dmar *d, unsigned int g, u16 did,
		       u32 pasid, u64 addr, unsigned int am, bool ih)
{
	u64 size = 0x1000ULL << am, base = addr & ~(size - 1);
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_IOTLB_MAX; i++) {
		struct fake_dmar_tlb *t = &d->tlb[i];
		bool drop;

		if (!t->valid || !(t->fl || t->nested) || t->did != did ||
		    t->pasid != pasid)
			continue;
		if (g == 2)
			drop = true;
		else if (g == 3)
			drop = t->base < base + size &&
			       base < t->base + t->size;
		else
			drop = false;
		if (drop) {
			t->valid = false;
			d->tlb_stats.drops++;
		}
	}
	for (i = 0; i < FAKE_DMAR_PSC_MAX; i++) {
		struct fake_dmar_psc *p = &d->psc[i];

		if (!p->valid || !p->fl || p->did != did || p->pasid != pasid)
			continue;
		if (g == 2 || (g == 3 && !ih && psc_overlaps(p, base, size))) {
			p->valid = false;
			d->psc_stats.drops++;
		}
	}
}

/* [VT-d 6.5.2.2] PASID cache: G 0 domain, 1 PASID, 3 global. */
static void inv_pc(struct fake_dmar *d, unsigned int g, u16 did, u32 pasid)
{
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_PC_MAX; i++) {
		struct fake_dmar_pc *p = &d->pc[i];
		bool drop;

		if (!p->valid)
			continue;
		if (g == 3)
			drop = true;
		else if (g == 0)
			drop = !p->present || p->did == did;
		else if (g == 1)
			drop = p->pasid == pasid && (!p->present ||
						     p->did == did);
		else
			drop = false;
		if (drop) {
			p->valid = false;
			d->pc_stats.drops++;
		}
	}
}

void fake_dmar_xlate_inv_desc(struct fake_dmar *d,
			      const struct fake_dmar_desc *desc)
{
	u64 lo = desc->qw[0], hi = desc->qw[1];
	unsigned int g = (unsigned int)field(lo, 5, 4);

	switch (fake_dmar_desc_type(desc)) {
	case 1:	/* DID 31:16, SID 47:32, FM 49:48 */
		inv_cc(d, g, (u16)field(lo, 31, 16), (u16)field(lo, 47, 32),
		       (unsigned int)field(lo, 49, 48));
		break;
	case 2:	/* DID 31:16; ADDR 127:76, IH 70, AM 69:64 */
		inv_iotlb(d, g, (u16)field(lo, 31, 16), hi & bits(63, 12),
			  (unsigned int)field(hi, 5, 0), (hi >> 6) & 1);
		break;
	case 6:	/* DID 31:16, PASID 51:32; ADDR 127:76, IH 70, AM 69:64 */
		inv_piotlb(d, g, (u16)field(lo, 31, 16),
			   (u32)field(lo, 51, 32), hi & bits(63, 12),
			   (unsigned int)field(hi, 5, 0), (hi >> 6) & 1);
		break;
	case 7:	/* DID 31:16, PASID 51:32 */
		inv_pc(d, g, (u16)field(lo, 31, 16), (u32)field(lo, 51, 32));
		break;
	default:
		break;
	}
}

void fake_dmar_xlate_inv_ccmd(struct fake_dmar *d, u64 ccmd)
{
	/* [VT-d 11.4.4.3] CIRG 62:61, FM 33:32, SID 31:16, DID 15:0. */
	inv_cc(d, (unsigned int)field(ccmd, 62, 61), (u16)field(ccmd, 15, 0),
	       (u16)field(ccmd, 31, 16), (unsigned int)field(ccmd, 33, 32));
}

void fake_dmar_xlate_inv_iotlb(struct fake_dmar *d, u64 iotlb, u64 iva)
{
	/*
	 * [VT-d 11.4.8] IIRG 61:60, DID 47:32; IVA: ADDR 63:12, IH 6,
	 * AM 5:0.
	 */
	inv_iotlb(d, (unsigned int)field(iotlb, 61, 60),
		  (u16)field(iotlb, 47, 32), iva & bits(63, 12),
		  (unsigned int)field(iva, 5, 0), (iva >> 6) & 1);
}

void fake_dmar_xlate_srtp(struct fake_dmar *d)
{
	/* [VT-d 6.5.3] Only with ESRTPS does SRTP invalidate the caches. */
	if (cap_esrtps(d))
		fake_dmar_caches_reset(d);
}

void fake_dmar_xlate_init(struct fake_dmar *d)
{
	if (!ecap_bit(d, ECAP_C))
		fake_cache_set_flush_hook(on_flush, d);
	/* Re-initialised without fake_dmar_fini(): one hook, not two. */
	fake_mem_remove_free_hook(on_free, d);
	fake_mem_add_free_hook(on_free, d);
}

void fake_dmar_xlate_fini(struct fake_dmar *d)
{
	if (!ecap_bit(d, ECAP_C))
		fake_cache_set_flush_hook(NULL, NULL);
	fake_mem_remove_free_hook(on_free, d);
	free(d->lines);
	d->lines = NULL;
	d->lines_cap = d->lines_used = 0;
	d->lines_owner = NULL;
}
