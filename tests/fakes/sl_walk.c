// SPDX-License-Identifier: BSD-2-Clause
/*
 * Independent second-level table walker for host tests (see sl_walk.h).
 * Field positions are written here from the specification's tables of
 * SL-PML5E, SL-PML4E, SL-PDPE, SL-PDE and SL-PTE [VT-d 9.8], as bit
 * numbers, on purpose without the library's masks.
 *
 * Besides the architectural reserved bits it flags what libvtd promises
 * never to write into a live table: X, EMT, IPAT, A, D, the ignored bits,
 * stray bits in not-present entries, and non-leaf entries without both R
 * and W.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_hal.h"
#include "sl_walk.h"

/* Bits hi..lo set. */
static u64 bits(unsigned int hi, unsigned int lo)
{
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static u64 bit(unsigned int n)
{
	return 1ULL << n;
}

/* [VT-d 9.8] Bit numbers, common to every level unless noted. */
enum {
	SL_R = 0,		/* Read */
	SL_W = 1,		/* Write */
	SL_X = 2,		/* Execute (SLEE) */
	SL_EMT_LO = 3,		/* leaf: EMT 5:3; non-leaf: ignored 6:3 */
	SL_EMT_HI = 5,
	SL_IPAT = 6,		/* leaf: Ignore PAT */
	SL_PS = 7,		/* PDE/PDPE: page size; PML4E/PML5E: reserved */
	SL_A = 8,		/* Accessed */
	SL_D = 9,		/* leaf: Dirty */
	SL_SNP = 11,		/* leaf: Snoop (reserved when ECAP.SC = 0); non-leaf: reserved */
	SL_ADDR_LO = 12,	/* ADDR: 51:12 (HAW-1:12 usable) */
	SL_ADDR_HI = 51,
	SL_IGN_LO = 52,		/* ignored 61:52 */
	SL_IGN_HI = 61,
	SL_TM = 62,		/* pre-3.0 TM; reserved since */
	SL_IGN63 = 63,
};

struct walker {
	const struct sl_walk_cfg *cfg;
	struct sl_walk_result *res;
	sl_leaf_fn fn;
	void *ctx;
};

static void __attribute__((format(printf, 2, 3)))
fail(struct sl_walk_result *res, const char *fmt, ...)
{
	va_list ap;

	if (res->errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(res->error, sizeof(res->error), fmt, ap);
		va_end(ap);
	}
}

static unsigned int shift_of(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

static u64 fnv(u64 h, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Reserved bits of the address field for the configured HAW. */
static u64 haw_rsvd(const struct sl_walk_cfg *cfg)
{
	return cfg->haw < 52 ? bits(SL_ADDR_HI, cfg->haw) : 0;
}

/*
 * Check one present entry; returns 1 for a leaf, 0 for a table pointer,
 * -1 when it is unusable.
 */
static int check_entry(const struct sl_walk_cfg *cfg,
		       struct sl_walk_result *res, u64 e, unsigned int level,
		       u64 iova)
{
	u64 rsvd = haw_rsvd(cfg) | bit(SL_TM);
	u64 policy = bit(SL_X) | bit(SL_A) | bits(SL_IGN_HI, SL_IGN_LO) |
		     bit(SL_IGN63);
	bool leaf = level == 1 || (level <= 3 && (e & bit(SL_PS)));

	if (level >= 4)
		rsvd |= bit(SL_PS);
	if (leaf) {
		policy |= bits(SL_EMT_HI, SL_EMT_LO) | bit(SL_IPAT) |
			  bit(SL_D);
		if (!cfg->sc)
			rsvd |= bit(SL_SNP);
		if (level == 2)
			rsvd |= bits(20, 12);
		if (level == 3)
			rsvd |= bits(29, 12);
		if (level == 2 && !cfg->lp_2m) {
			fail(res, "2M leaf at iova %#llx without SLLPS 2M",
			     (unsigned long long)iova);
			return -1;
		}
		if (level == 3 && !cfg->lp_1g) {
			fail(res, "1G leaf at iova %#llx without SLLPS 1G",
			     (unsigned long long)iova);
			return -1;
		}
	} else {
		rsvd |= bit(SL_SNP);
		policy |= bits(6, 3);
		if ((e & (bit(SL_R) | bit(SL_W))) != (bit(SL_R) | bit(SL_W)))
			fail(res, "non-leaf at level %u iova %#llx lacks R or W",
			     level, (unsigned long long)iova);
	}
	if (e & rsvd) {
		fail(res, "reserved bits %#llx set in level-%u entry %#llx "
		     "(iova %#llx)", (unsigned long long)(e & rsvd), level,
		     (unsigned long long)e, (unsigned long long)iova);
		return -1;
	}
	if (e & policy)
		fail(res, "bits %#llx that libvtd never sets, level-%u entry "
		     "%#llx (iova %#llx)", (unsigned long long)(e & policy),
		     level, (unsigned long long)e, (unsigned long long)iova);
	return leaf ? 1 : 0;
}

static void walk_table(struct walker *wk, u64 pa, unsigned int level,
		       u64 base)
{
	struct sl_walk_result *res = wk->res;
	const struct sl_walk_cfg *cfg = wk->cfg;
	const u64 *t;
	unsigned int i;
	u64 k;

	if (pa & 0xfff) {
		fail(res, "table address %#llx not 4K aligned",
		     (unsigned long long)pa);
		return;
	}
	t = fake_phys_to_virt_checked(pa, 4096);
	if (!t) {
		fail(res, "table at %#llx (level %u, iova %#llx) is not "
		     "allocated fake memory", (unsigned long long)pa, level,
		     (unsigned long long)base);
		return;
	}
	for (k = 0; k < res->tables && k < SL_WALK_MAX_TABLES; k++) {
		if (res->table_pa[k] == pa) {
			fail(res, "table %#llx reached twice",
			     (unsigned long long)pa);
			return;
		}
	}
	if (res->tables < SL_WALK_MAX_TABLES)
		res->table_pa[res->tables] = pa;
	res->tables++;
	res->hash = fnv(res->hash, &pa, sizeof(pa));
	res->hash = fnv(res->hash, t, 4096);

	for (i = 0; i < 512; i++) {
		u64 e = t[i];
		u64 iova = base + ((u64)i << shift_of(level));
		int kind;

		if (!(e & (bit(SL_R) | bit(SL_W)))) {
			if (e)
				fail(res, "not-present entry %#llx has bits "
				     "set (level %u iova %#llx)",
				     (unsigned long long)e, level,
				     (unsigned long long)iova);
			continue;
		}
		if (level == cfg->levels && cfg->aw < 64 &&
		    (iova >> cfg->aw)) {
			fail(res, "entry beyond the %u-bit AW at iova %#llx",
			     cfg->aw, (unsigned long long)iova);
			continue;
		}
		kind = check_entry(cfg, res, e, level, iova);
		if (kind < 0)
			continue;
		if (kind == 1) {
			struct sl_leaf leaf;
			unsigned int s = shift_of(level);

			leaf.iova = iova;
			leaf.size = 1ULL << s;
			leaf.pa = e & bits(SL_ADDR_HI, s);
			leaf.r = e & bit(SL_R);
			leaf.w = e & bit(SL_W);
			leaf.snp = e & bit(SL_SNP);
			leaf.raw = e;
			res->leaves++;
			res->leaf_count[(s - 12) / 9]++;
			res->mapped_bytes += leaf.size;
			if (wk->fn)
				wk->fn(&leaf, wk->ctx);
		} else {
			walk_table(wk, e & bits(SL_ADDR_HI, SL_ADDR_LO),
				   level - 1, iova);
		}
	}
}

u64 sl_walk(const struct sl_walk_cfg *cfg, u64 root_pa, sl_leaf_fn fn,
	    void *ctx, struct sl_walk_result *res)
{
	struct walker wk = { .cfg = cfg, .res = res, .fn = fn, .ctx = ctx };

	memset(res, 0, offsetof(struct sl_walk_result, table_pa));
	res->hash = 0xcbf29ce484222325ULL;
	if (cfg->levels < 3 || cfg->levels > 5) {
		fail(res, "bad level count %u", cfg->levels);
		return res->errors;
	}
	walk_table(&wk, root_pa, cfg->levels, 0);
	return res->errors;
}

bool sl_walk_translate(const struct sl_walk_cfg *cfg, u64 root_pa, u64 iova,
		       struct sl_leaf *leaf, u64 *errors)
{
	static struct sl_walk_result scratch;
	unsigned int level;
	u64 pa = root_pa, e = 0;
	int kind;

	memset(&scratch, 0, offsetof(struct sl_walk_result, table_pa));
	for (level = cfg->levels; level >= 1; level--) {
		const u64 *t = fake_phys_to_virt_checked(pa, 4096);
		unsigned int s = shift_of(level);

		if (!t) {
			fail(&scratch, "table %#llx not allocated",
			     (unsigned long long)pa);
			break;
		}
		e = t[(iova >> s) & 511];
		if (!(e & (bit(SL_R) | bit(SL_W))))
			break;
		kind = check_entry(cfg, &scratch, e, level,
				   iova & ~((1ULL << s) - 1));
		if (kind < 0)
			break;
		if (kind == 1) {
			leaf->size = 1ULL << s;
			leaf->iova = iova & ~(leaf->size - 1);
			leaf->pa = e & bits(SL_ADDR_HI, s);
			leaf->r = e & bit(SL_R);
			leaf->w = e & bit(SL_W);
			leaf->snp = e & bit(SL_SNP);
			leaf->raw = e;
			if (errors)
				*errors += scratch.errors;
			return scratch.errors == 0;
		}
		pa = e & bits(SL_ADDR_HI, SL_ADDR_LO);
	}
	if (errors)
		*errors += scratch.errors;
	return false;
}

void sl_snapshot_take(const struct sl_walk_cfg *cfg, u64 root_pa,
		      struct sl_snapshot *s)
{
	struct sl_walk_result *res = malloc(sizeof(*res));
	size_t i;

	sl_walk(cfg, root_pa, NULL, NULL, res);
	s->count = res->tables < SL_WALK_MAX_TABLES ? res->tables :
						      SL_WALK_MAX_TABLES;
	s->pa = calloc(s->count ? s->count : 1, sizeof(*s->pa));
	s->page = calloc(s->count ? s->count : 1, sizeof(*s->page));
	for (i = 0; i < s->count; i++) {
		const void *p = fake_phys_to_virt_checked(res->table_pa[i],
							  4096);

		s->pa[i] = res->table_pa[i];
		if (p)
			memcpy(s->page[i], p, 4096);
	}
	free(res);
}

void sl_snapshot_free(struct sl_snapshot *s)
{
	free(s->pa);
	free(s->page);
	memset(s, 0, sizeof(*s));
}

bool sl_snapshot_equal(const struct sl_snapshot *a,
		       const struct sl_snapshot *b)
{
	size_t i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		if (a->pa[i] != b->pa[i] ||
		    memcmp(a->page[i], b->page[i], 4096))
			return false;
	}
	return true;
}

size_t sl_snapshot_dirty_lines(const struct sl_snapshot *before,
			       const struct sl_snapshot *after,
			       const void **out, size_t max)
{
	size_t n = 0, i, j;
	unsigned int line;

	for (i = 0; i < after->count; i++) {
		const u8 *va = fake_phys_to_virt_checked(after->pa[i], 4096);
		const u8 *old = NULL;

		for (j = 0; j < before->count; j++) {
			if (before->pa[j] == after->pa[i]) {
				old = before->page[j];
				break;
			}
		}
		for (line = 0; line < 64; line++) {
			if (old && !memcmp(old + line * 64,
					   after->page[i] + line * 64, 64))
				continue;
			if (n < max)
				out[n] = va + line * 64;
			n++;
		}
	}
	return n;
}
