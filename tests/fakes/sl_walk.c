// SPDX-License-Identifier: BSD-2-Clause
/*
 * Independent second-level table walker for host tests (see sl_walk.h).
 * Field positions are written here from the specification's tables of
 * SL-PML5E, SL-PML4E, SL-PDPE, SL-PDE and SL-PTE [VT-d 9.8], as bit
 * numbers, on purpose without the library's masks.
 *
 * Besides the architectural reserved bits it flags what libvtd promises
 * never to write into a live table: X, EMT, IPAT, A, D, the ignored bits
 * (but for the count of the table below that libvtd keeps in bits 61:52
 * of a non-leaf entry, which must equal the present entries the walk
 * finds there), stray bits in not-present entries, and non-leaf entries
 * without both R and W.
 */
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

/* Reserved bits of the address field for the configured HAW. */
static u64 haw_rsvd(const struct sl_walk_cfg *cfg)
{
	return cfg->haw < 52 ? bits(SL_ADDR_HI, cfg->haw) : 0;
}

struct walker {
	const struct sl_walk_cfg *cfg;
	struct pt_walk_result *res;
	sl_leaf_fn fn;
	void *ctx;
};

/*
 * Check one present entry; returns 1 for a leaf, 0 for a table pointer,
 * -1 when it is unusable.
 */
static int check_entry(const struct sl_walk_cfg *cfg,
		       struct pt_walk_result *res, u64 e, unsigned int level,
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
			pt_walk_fail(res, "2M leaf at iova %#llx without "
				     "SLLPS 2M", (unsigned long long)iova);
			return -1;
		}
		if (level == 3 && !cfg->lp_1g) {
			pt_walk_fail(res, "1G leaf at iova %#llx without "
				     "SLLPS 1G", (unsigned long long)iova);
			return -1;
		}
	} else {
		rsvd |= bit(SL_SNP);
		/* libvtd's count of the table below (pt_snap.h). */
		policy &= ~bits(PT_WALK_COUNT_HI, PT_WALK_COUNT_LO);
		policy |= bits(6, 3);
		if ((e & (bit(SL_R) | bit(SL_W))) != (bit(SL_R) | bit(SL_W)))
			pt_walk_fail(res, "non-leaf at level %u iova %#llx "
				     "lacks R or W", level,
				     (unsigned long long)iova);
	}
	return pt_walk_judge(res, e, level, iova, rsvd, policy, leaf);
}

/* Walk the table at @pa; returns how many of its entries are present. */
static unsigned int walk_table(struct walker *wk, u64 pa, unsigned int level,
			       u64 base)
{
	struct pt_walk_result *res = wk->res;
	const struct sl_walk_cfg *cfg = wk->cfg;
	const u64 *t = pt_walk_table(res, pa, level, base);
	unsigned int i, present = 0, below;

	if (!t)
		return 0;
	for (i = 0; i < 512; i++) {
		u64 e = t[i];
		u64 iova = base + ((u64)i << pt_level_shift(level));
		int kind;

		if (e & (bit(SL_R) | bit(SL_W)))
			present++;
		if (!(e & (bit(SL_R) | bit(SL_W)))) {
			if (e)
				pt_walk_fail(res, "not-present entry %#llx "
					     "has bits set (level %u iova "
					     "%#llx)",
					     (unsigned long long)e, level,
					     (unsigned long long)iova);
			continue;
		}
		if (level == cfg->levels && cfg->aw < 64 &&
		    (iova >> cfg->aw)) {
			pt_walk_fail(res, "entry beyond the %u-bit AW at "
				     "iova %#llx", cfg->aw,
				     (unsigned long long)iova);
			continue;
		}
		kind = check_entry(cfg, res, e, level, iova);
		if (kind < 0)
			continue;
		if (kind == 1) {
			struct sl_leaf leaf;
			unsigned int s = pt_level_shift(level);

			leaf.iova = iova;
			leaf.size = 1ULL << s;
			leaf.pa = e & bits(SL_ADDR_HI, s);
			leaf.r = e & bit(SL_R);
			leaf.w = e & bit(SL_W);
			leaf.snp = e & bit(SL_SNP);
			leaf.raw = e;
			pt_walk_leaf(res, level);
			if (wk->fn)
				wk->fn(&leaf, wk->ctx);
		} else {
			below = walk_table(wk, e & bits(SL_ADDR_HI, SL_ADDR_LO),
					   level - 1, iova);
			pt_walk_check_count(res, e, level, iova, below);
		}
	}
	return present;
}

u64 sl_walk(const struct sl_walk_cfg *cfg, u64 root_pa, sl_leaf_fn fn,
	    void *ctx, struct pt_walk_result *res)
{
	struct walker wk = { .cfg = cfg, .res = res, .fn = fn, .ctx = ctx };

	if (pt_walk_begin(res, cfg->levels, 3, 5))
		walk_table(&wk, root_pa, cfg->levels, 0);
	return res->errors;
}

bool sl_walk_translate(const struct sl_walk_cfg *cfg, u64 root_pa, u64 iova,
		       struct sl_leaf *leaf, u64 *errors)
{
	static struct pt_walk_result scratch;
	unsigned int level;
	u64 pa = root_pa, e = 0;
	int kind;

	if (!pt_walk_begin(&scratch, cfg->levels, 3, 5))
		return pt_walk_translated(&scratch, false, errors);
	for (level = cfg->levels; level >= 1; level--) {
		const u64 *t = pt_walk_read_table(&scratch, pa, level, iova);
		unsigned int s = pt_level_shift(level);

		if (!t)
			break;
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
			return pt_walk_translated(&scratch, true, errors);
		}
		pa = e & bits(SL_ADDR_HI, SL_ADDR_LO);
	}
	return pt_walk_translated(&scratch, false, errors);
}
