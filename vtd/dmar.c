// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACPI DMA Remapping Reporting (DMAR) table parser [VT-d 8].
 *
 * vtd_dmar_parse() walks the firmware's bytes twice with one function
 * (dmar_walk()), so that both walks take the same decisions:
 *
 *  1. validate: check the header, then walk every remapping structure
 *     [VT-d 8.2] and every device scope [VT-d 8.3.1] against the table's
 *     own length, counting what the second walk will need: structures and
 *     scopes kept, path hops, ANDD name bytes and accepted deviations.
 *     Nothing is allocated and every byte read is inside the table.
 *  2. fill: allocate one zeroed block from hal_page_alloc() of exactly
 *     that size and walk again, copying into it. Nothing in this walk can
 *     fail.
 *
 * Deviations from [VT-d 8] that shipping firmware has and that cannot let
 * a device reach memory the firmware did not name, nor leave a device
 * behind a unit the result does not list, are accepted and recorded as
 * warnings (dmar_warn()); VTD_DMAR_PARSE_STRICT turns each into a refusal.
 * docs/FIRMWARE.md is the table of them.
 *
 * The table comes from firmware and is untrusted input: it may be
 * unaligned, truncated or hostile. Multi-byte fields are assembled byte by
 * byte (ACPI is little-endian), so no load is ever misaligned.
 */
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/log.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <vtd/dmar.h>

#include "err.h"
#include "fmt.h"

/* [VT-d 8.1] DMA Remapping Reporting Structure header: byte offsets. */
#define DMAR_HDR_SIGNATURE	0
#define DMAR_HDR_LENGTH		4
#define DMAR_HDR_CHECKSUM	9
#define DMAR_HDR_HAW		36	/* host address width - 1 */
#define DMAR_HDR_FLAGS		37
#define DMAR_HDR_SIZE		48	/* structures start here */

/*
 * Host address width in bits (the header field + 1). The spec sets no
 * range; below 32 bits no x86 platform could place a DRHD (a warning:
 * nothing in libvtd uses the width), and above 64 the width does not fit
 * an address (refused).
 */
#define DMAR_HAW_MIN		32
#define DMAR_HAW_MAX		64

/* [VT-d 8.2] Every remapping structure starts with Type and Length. */
#define RS_TYPE			0	/* u16 */
#define RS_LENGTH		2	/* u16, includes sub-structures */
#define RS_HDR_SIZE		4

enum rs_type {
	RS_DRHD = 0,		/* [VT-d 8.3] */
	RS_RMRR = 1,		/* [VT-d 8.4] */
	RS_ATSR = 2,		/* [VT-d 8.5] */
	RS_RHSA = 3,		/* [VT-d 8.6] */
	RS_ANDD = 4,		/* [VT-d 8.7] */
	RS_SATC = 5,		/* [VT-d 8.8] */
	RS_SIDP = 6,		/* [VT-d 8.9] */
	RS_KNOWN_COUNT
};

/* Field offsets inside the structures, from the tables of [VT-d 8.3-8.9]. */
#define DRHD_FLAGS		4	/* bit 0 INCLUDE_PCI_ALL */
#define  DRHD_INCLUDE_PCI_ALL	BIT(0)
#define DRHD_SIZE		5	/* bits 3:0: 2^N pages of registers */
#define  DRHD_SIZE_N		GENMASK(3, 0)
#define DRHD_SEGMENT		6	/* u16 */
#define DRHD_BASE		8	/* u64 */
#define RMRR_SEGMENT		6	/* u16 */
#define RMRR_BASE		8	/* u64 */
#define RMRR_LIMIT		16	/* u64, last byte */
#define ATSR_FLAGS		4	/* bit 0 ALL_PORTS */
#define  ATSR_ALL_PORTS		BIT(0)
#define ATSR_SEGMENT		6	/* u16 */
#define RHSA_BASE		8	/* u64 */
#define RHSA_PROXIMITY		16	/* u32 */
#define ANDD_DEVICE		7	/* u8 ACPI Device Number */
#define ANDD_NAME		8	/* NUL-terminated, to the end */
#define SATC_FLAGS		4	/* bit 0 ATC_REQUIRED */
#define  SATC_ATC_REQUIRED	BIT(0)
#define SATC_SEGMENT		6	/* u16 */
#define SIDP_SEGMENT		6	/* u16 */

/* Minimum length and where the device scopes start (0: none). */
struct rs_layout {
	u16 min_len;
	u16 scope_off;
};

static const struct rs_layout rs_layouts[RS_KNOWN_COUNT] = {
	[RS_DRHD] = { 16, 16 },
	[RS_RMRR] = { 24, 24 },
	[RS_ATSR] = { 8, 8 },
	[RS_RHSA] = { 20, 0 },
	[RS_ANDD] = { 8, 0 },	/* plus a non-empty name, checked apart */
	[RS_SATC] = { 8, 8 },
	[RS_SIDP] = { 8, 8 },
};

/* [VT-d 8.3.1] Device Scope Entry: byte offsets. */
#define DS_TYPE			0
#define DS_LENGTH		1	/* 6 + 2 * hops */
#define DS_FLAGS		2
#define DS_ENUM_ID		4
#define DS_START_BUS		5
#define DS_PATH			6	/* {device, function} pairs */
#define DS_HDR_SIZE		6

#define DMAR_PAGE		0x1000ULL	/* [VT-d 8.3, 8.4] 4 KiB */

/* What a walk found: the sizes the fill walk allocates for. */
struct dmar_census {
	u32 count[RS_KNOWN_COUNT];	/* structures kept */
	u32 unknown;
	u32 scopes;			/* scopes kept */
	u32 hops;
	u32 name_bytes;			/* ANDD names with their NULs */
	u32 warnings;
	u32 first_excess_drhd;		/* offset of DRHD max_units + 1 */
};

/*
 * One walk over a table whose header is known good. vtd_dmar_parse()
 * walks twice with the same code, so that both walks take the same
 * decisions: first to validate and count (@d is NULL), then to fill the
 * block sized from the counts (@d and the cursors set).
 */
struct dmar_walk {
	const u8 *t;
	size_t tlen;			/* the header's length */
	u32 max_units;
	bool strict;
	struct vtd_dmar_error *e;
	struct dmar_census c;
	/*
	 * Table offsets of the first max_units DRHDs kept: later DRHDs are
	 * compared with these only, so the walk takes at most max_units
	 * steps per structure.
	 */
	u32 units[CONFIG_VTD_MAX_UNITS];
	/* Fill walk only. */
	struct vtd_dmar *d;
	struct vtd_dmar_scope *scope;
	struct vtd_dmar_path *path;
	char *name;
	struct vtd_dmar_warning *warn;
};

/* Where each array sits in the block. */
struct dmar_layout {
	size_t at[RS_KNOWN_COUNT];
	size_t warns, scopes, paths, names, total;
};

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | (u16)p[1] << 8);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 rd64(const u8 *p)
{
	return (u64)rd32(p) | (u64)rd32(p + 4) << 32;
}

static int dmar_errno(enum vtd_dmar_err reason)
{
	switch (reason) {
	case VTD_DMAR_ERR_SIGNATURE:
	case VTD_DMAR_ERR_CHECKSUM:
		return -EBADMSG;
	case VTD_DMAR_ERR_TOO_MANY:
		return -E2BIG;
	case VTD_DMAR_ERR_NOMEM:
		return -ENOMEM;
	default:
		return -EINVAL;
	}
}

static void dmar_set_err(struct vtd_dmar_error *e, enum vtd_dmar_err reason,
			 size_t offset)
{
	e->reason = reason;
	e->offset = (u32)offset;
}

/* Record why and where, and return the matching -errno via VTD_ERR(). */
#define DMAR_FAIL(e, reason, offset) \
	(dmar_set_err((e), (reason), (offset)), VTD_ERR(dmar_errno(reason)))

/*
 * An accepted deviation of @kind at table offset @off: counted, and listed
 * when filling. In strict mode it refuses the table instead, with the
 * @reason that describes it as an error.
 */
static int dmar_warn(struct dmar_walk *w, enum vtd_dmar_warn kind,
		     enum vtd_dmar_err reason, size_t off)
{
	if (w->strict) {
		return DMAR_FAIL(w->e, reason, off);
	}
	if (w->warn) {
		w->warn[w->c.warnings].kind = kind;
		w->warn[w->c.warnings].offset = (u32)off;
	}
	w->c.warnings++;
	return 0;
}

/* True when every byte of the table in [@from, @to) is zero. */
static bool dmar_zero(const u8 *t, size_t from, size_t to)
{
	for (; from < to; from++) {
		if (t[from]) {
			return false;
		}
	}
	return true;
}

/* Copy the scope of @len bytes at @p (validated) to the next slot. */
static void scope_fill(struct dmar_walk *w, size_t p, size_t len)
{
	const u8 *t = w->t;
	struct vtd_dmar_scope *s = w->scope++;
	unsigned int i;

	s->type = t[p + DS_TYPE];
	s->flags = t[p + DS_FLAGS];
	s->enumeration_id = t[p + DS_ENUM_ID];
	s->start_bus = t[p + DS_START_BUS];
	s->path_count = (u8)((len - DS_HDR_SIZE) / 2);
	s->path = w->path;
	for (i = 0; i < s->path_count; i++) {
		w->path->dev = t[p + DS_PATH + 2 * i];
		w->path->fn = t[p + DS_PATH + 2 * i + 1];
		w->path++;
	}
}

/*
 * Walk the device scope entries in [@start, @end) [VT-d 8.3.1]. An entry
 * is at least its 6-byte header, its path is whole {device, function}
 * hops, and it ends inside its structure: anything else refuses the
 * table, since the walk could not find the next entry. An entry of a type
 * the spec does not define, or without a hop ("N is a positive
 * integer"), names no device: it is skipped with a warning. The scopes of
 * a structure that is kept (@keep) are counted and, filling, copied; the
 * first copy goes to *@first (NULL when none) and their number to *@n.
 */
static int scopes_walk(struct dmar_walk *w, size_t start, size_t end,
		       bool keep, const struct vtd_dmar_scope **first, u32 *n)
{
	const u8 *t = w->t;
	size_t p, l;
	int ret;

	*first = w->d && keep ? w->scope : NULL;
	*n = 0;
	for (p = start; p < end; p += l) {
		u8 type;

		if (end - p < 2) {
			return DMAR_FAIL(w->e, VTD_DMAR_ERR_SCOPE_OVERRUN, p);
		}
		l = t[p + DS_LENGTH];
		if (l < DS_HDR_SIZE || (l - DS_HDR_SIZE) % 2) {
			return DMAR_FAIL(w->e, VTD_DMAR_ERR_SCOPE_SHORT,
					 p + DS_LENGTH);
		}
		if (l > end - p) {
			return DMAR_FAIL(w->e, VTD_DMAR_ERR_SCOPE_OVERRUN, p);
		}
		type = t[p + DS_TYPE];
		if (type < VTD_DMAR_SCOPE_PCI_ENDPOINT ||
		    type > VTD_DMAR_SCOPE_ACPI_NAMESPACE) {
			ret = dmar_warn(w, VTD_DMAR_WARN_SCOPE_TYPE,
					VTD_DMAR_ERR_SCOPE_TYPE, p);
			if (ret) {
				return ret;
			}
			continue;
		}
		if (l == DS_HDR_SIZE) {
			ret = dmar_warn(w, VTD_DMAR_WARN_SCOPE_EMPTY,
					VTD_DMAR_ERR_SCOPE_SHORT,
					p + DS_LENGTH);
			if (ret) {
				return ret;
			}
			continue;
		}
		if (!keep) {
			continue;
		}
		if (w->d) {
			scope_fill(w, p, l);
		}
		w->c.scopes++;
		w->c.hops += (u32)(l - DS_HDR_SIZE) / 2;
		(*n)++;
	}
	if (!*n) {
		*first = NULL;
	}
	return 0;
}

/*
 * Is the DRHD at @off a second listing of a unit kept before it? Two
 * DRHDs at one register base in one segment describe the same hardware
 * twice: the first is kept and the later one dropped with its scopes,
 * whose devices stay behind that hardware, enabled with the first unit.
 * One register base in two segments cannot be: one of them names a unit
 * whose real registers the table does not give, and the devices behind
 * it would stay unprotected, so the table is refused.
 */
static int drhd_duplicate(struct dmar_walk *w, size_t off, u32 kept,
			  bool *dup)
{
	const u8 *t = w->t;
	u64 base = rd64(t + off + DRHD_BASE);
	u16 seg = rd16(t + off + DRHD_SEGMENT);
	u32 i;

	*dup = false;
	for (i = 0; i < kept; i++) {
		const u8 *u = t + w->units[i];

		if (rd64(u + DRHD_BASE) != base) {
			continue;
		}
		if (rd16(u + DRHD_SEGMENT) != seg) {
			return DMAR_FAIL(w->e, VTD_DMAR_ERR_DUPLICATE,
					 off + DRHD_BASE);
		}
		*dup = true;
		break;
	}
	return 0;
}

/*
 * [VT-d 8.3] A segment has at most one INCLUDE_PCI_ALL unit: is it taken
 * by a kept unit before @off? Then this one keeps its listed scopes but
 * loses the flag: a device that really sits behind it is attached
 * through the first unit, and its DMA meets this one, enabled like every
 * listed unit, with no context entry for it: blocked, never unprotected.
 */
static bool drhd_include_all_taken(const struct dmar_walk *w, size_t off,
				   u32 kept)
{
	const u8 *t = w->t;
	u16 seg = rd16(t + off + DRHD_SEGMENT);
	u32 i;

	for (i = 0; i < kept; i++) {
		const u8 *u = t + w->units[i];

		if (rd16(u + DRHD_SEGMENT) == seg &&
		    (u[DRHD_FLAGS] & DRHD_INCLUDE_PCI_ALL)) {
			return true;
		}
	}
	return false;
}

/*
 * [VT-d 8.3] DRHD: register window, uniqueness, scopes. Its deviations
 * are decided first and recorded in the order of their fields, so that
 * the warnings of a table are in table order.
 */
static int drhd_walk(struct dmar_walk *w, size_t off, size_t len)
{
	const u8 *t = w->t;
	u64 base = rd64(t + off + DRHD_BASE);
	u64 size = 1ULL << (12 + FIELD_GET(DRHD_SIZE_N, t[off + DRHD_SIZE]));
	bool all = t[off + DRHD_FLAGS] & DRHD_INCLUDE_PCI_ALL;
	const struct vtd_dmar_scope *first;
	u32 kept = w->c.count[RS_DRHD];
	bool dup = false, all_taken = false;
	u32 n;
	int ret = 0;

	/* A window at 0 or wrapping past the top holds no registers. */
	if (base == 0 || base + (size - 1) < base) {
		return DMAR_FAIL(w->e, VTD_DMAR_ERR_RANGE, off + DRHD_BASE);
	}
	/* "4KB aligned": registers are mapped, and found, by page. */
	if (base & (DMAR_PAGE - 1)) {
		return DMAR_FAIL(w->e, VTD_DMAR_ERR_ALIGN, off + DRHD_BASE);
	}
	/*
	 * Past max_units the table is refused (-E2BIG) anyway; skipping the
	 * comparisons there bounds the work for a hostile table.
	 */
	if (kept <= w->max_units) {
		ret = drhd_duplicate(w, off, kept, &dup);
		all_taken = !ret && !dup && all &&
			    drhd_include_all_taken(w, off, kept);
	}
	if (!ret && all_taken) {
		all = false;
		ret = dmar_warn(w, VTD_DMAR_WARN_DRHD_INCLUDE_ALL,
				VTD_DMAR_ERR_DUPLICATE, off + DRHD_FLAGS);
	}
	/*
	 * "aligned according to the size of the register set": the window
	 * [base, base + size) is still where the registers are.
	 */
	if (!ret && (base & (size - 1))) {
		ret = dmar_warn(w, VTD_DMAR_WARN_DRHD_ALIGN,
				VTD_DMAR_ERR_ALIGN, off + DRHD_BASE);
	}
	if (!ret && dup) {
		ret = dmar_warn(w, VTD_DMAR_WARN_DRHD_DUPLICATE,
				VTD_DMAR_ERR_DUPLICATE, off + DRHD_BASE);
	}
	if (!ret) {
		ret = scopes_walk(w, off + rs_layouts[RS_DRHD].scope_off,
				  off + len, !dup, &first, &n);
	}
	if (ret || dup) {
		return ret;
	}
	if (kept < w->max_units) {
		w->units[kept] = (u32)off;
	} else if (kept == w->max_units) {
		w->c.first_excess_drhd = (u32)off;
	}
	if (w->d) {
		struct vtd_dmar_drhd *u = &w->d->drhds[kept];

		u->reg_base = base;
		u->reg_size = size;
		u->segment = rd16(t + off + DRHD_SEGMENT);
		u->include_pci_all = all;
		u->scope_count = n;
		u->scopes = first;
	}
	w->c.count[RS_DRHD]++;
	return 0;
}

/*
 * [VT-d 8.4] RMRR. An inverted range names no memory: the RMRR is
 * dropped (its devices get no identity map: they fault, nothing more).
 * A base or limit + 1 off a page boundary is rounded out to whole pages:
 * the pages it adds share a page with the reserved region, so nothing
 * can be given out at page granularity there anyway.
 */
static int rmrr_walk(struct dmar_walk *w, size_t off, size_t len)
{
	const u8 *t = w->t;
	u64 base = rd64(t + off + RMRR_BASE);
	u64 limit = rd64(t + off + RMRR_LIMIT);
	const struct vtd_dmar_scope *first;
	bool keep = limit >= base;
	u32 n;
	int ret = 0;

	if (!keep) {
		ret = dmar_warn(w, VTD_DMAR_WARN_RMRR_RANGE,
				VTD_DMAR_ERR_RANGE, off + RMRR_LIMIT);
	}
	if (!ret && keep && (base & (DMAR_PAGE - 1))) {
		ret = dmar_warn(w, VTD_DMAR_WARN_RMRR_ALIGN,
				VTD_DMAR_ERR_ALIGN, off + RMRR_BASE);
	}
	if (!ret && keep && ((limit + 1) & (DMAR_PAGE - 1))) {
		ret = dmar_warn(w, VTD_DMAR_WARN_RMRR_ALIGN,
				VTD_DMAR_ERR_ALIGN, off + RMRR_LIMIT);
	}
	if (!ret) {
		ret = scopes_walk(w, off + rs_layouts[RS_RMRR].scope_off,
				  off + len, keep, &first, &n);
	}
	if (ret || !keep) {
		return ret;
	}
	if (w->d) {
		struct vtd_dmar_rmrr *r = &w->d->rmrrs[w->c.count[RS_RMRR]];

		r->segment = rd16(t + off + RMRR_SEGMENT);
		r->base = base & ~(DMAR_PAGE - 1);
		r->limit = limit | (DMAR_PAGE - 1);
		r->scope_count = n;
		r->scopes = first;
	}
	w->c.count[RS_RMRR]++;
	return 0;
}

/* [VT-d 8.7] ANDD: a non-empty ASCII name, NUL-terminated in the struct. */
static int andd_walk(struct dmar_walk *w, size_t off, size_t len)
{
	const u8 *s = w->t + off;
	size_t max = len - ANDD_NAME;
	size_t n = hal_strnlen((const char *)s + ANDD_NAME, max);

	if (n == 0 || n == max) {
		return DMAR_FAIL(w->e, VTD_DMAR_ERR_NAME, off + ANDD_NAME);
	}
	if (w->d) {
		struct vtd_dmar_andd *a = &w->d->andds[w->c.count[RS_ANDD]];

		a->acpi_device_number = s[ANDD_DEVICE];
		hal_memcpy(w->name, s + ANDD_NAME, n);
		w->name[n] = '\0';
		a->name = w->name;
		w->name += n + 1;
	}
	w->c.name_bytes += (u32)n + 1;
	w->c.count[RS_ANDD]++;
	return 0;
}

/* ATSR [VT-d 8.5], SATC [VT-d 8.8], SIDP [VT-d 8.9]: flags and scopes. */
static int scoped_walk(struct dmar_walk *w, size_t off, size_t len, u16 type)
{
	const u8 *s = w->t + off;
	u32 i = w->c.count[type];
	const struct vtd_dmar_scope *first;
	u32 n;
	int ret;

	ret = scopes_walk(w, off + rs_layouts[type].scope_off, off + len,
			  true, &first, &n);
	if (ret) {
		return ret;
	}
	if (w->d && type == RS_ATSR) {
		w->d->atsrs[i] = (struct vtd_dmar_atsr){
			.segment = rd16(s + ATSR_SEGMENT),
			.all_ports = s[ATSR_FLAGS] & ATSR_ALL_PORTS,
			.scope_count = n,
			.scopes = first,
		};
	} else if (w->d && type == RS_SATC) {
		w->d->satcs[i] = (struct vtd_dmar_satc){
			.segment = rd16(s + SATC_SEGMENT),
			.atc_required = s[SATC_FLAGS] & SATC_ATC_REQUIRED,
			.scope_count = n,
			.scopes = first,
		};
	} else if (w->d) {
		w->d->sidps[i] = (struct vtd_dmar_sidp){
			.segment = rd16(s + SIDP_SEGMENT),
			.scope_count = n,
			.scopes = first,
		};
	}
	w->c.count[type]++;
	return 0;
}

/* Walk one known structure of @len bytes at @off. */
static int rs_walk(struct dmar_walk *w, size_t off, size_t len, u16 type)
{
	const u8 *s = w->t + off;

	if (len < rs_layouts[type].min_len) {
		return DMAR_FAIL(w->e, VTD_DMAR_ERR_STRUCT_SHORT,
				 off + RS_LENGTH);
	}
	switch (type) {
	case RS_DRHD:
		return drhd_walk(w, off, len);
	case RS_RMRR:
		return rmrr_walk(w, off, len);
	case RS_RHSA:
		if (w->d) {
			struct vtd_dmar_rhsa *h =
				&w->d->rhsas[w->c.count[RS_RHSA]];

			h->reg_base = rd64(s + RHSA_BASE);
			h->proximity_domain = rd32(s + RHSA_PROXIMITY);
		}
		w->c.count[RS_RHSA]++;
		return 0;
	case RS_ANDD:
		return andd_walk(w, off, len);
	default:
		return scoped_walk(w, off, len, type);
	}
}

/*
 * The header [VT-d 8.1] up to the fields a walk reads: the signature and
 * a length that fits @len. Sets *@tlen to the header's length.
 */
static int dmar_header(const u8 *t, size_t len, size_t *tlen,
		       struct vtd_dmar_error *e)
{
	if (len < DMAR_HDR_SIZE) {
		return DMAR_FAIL(e, VTD_DMAR_ERR_ARGS, 0);
	}
	if (t[0] != 'D' || t[1] != 'M' || t[2] != 'A' || t[3] != 'R') {
		return DMAR_FAIL(e, VTD_DMAR_ERR_SIGNATURE,
				 DMAR_HDR_SIGNATURE);
	}
	*tlen = rd32(t + DMAR_HDR_LENGTH);
	if (*tlen < DMAR_HDR_SIZE || *tlen > len) {
		return DMAR_FAIL(e, VTD_DMAR_ERR_LENGTH, DMAR_HDR_LENGTH);
	}
	return 0;
}

/*
 * The checksum and host address width [VT-d 8.1], then every structure
 * [VT-d 8.2]. A table whose last bytes are a zero-length structure (or
 * less than a structure header) followed by nothing but zeros ends the
 * walk there: nothing can be described in them. Anything else that stops
 * the walk refuses the table, since what follows could describe a unit.
 */
static int dmar_walk(struct dmar_walk *w)
{
	const u8 *t = w->t;
	size_t tlen = w->tlen;
	size_t off, slen;
	u8 sum = 0;
	u32 haw;
	int ret;

	/* "Entire table must sum to zero." */
	for (off = 0; off < tlen; off++) {
		sum = (u8)(sum + t[off]);
	}
	if (sum) {
		ret = dmar_warn(w, VTD_DMAR_WARN_CHECKSUM,
				VTD_DMAR_ERR_CHECKSUM, DMAR_HDR_CHECKSUM);
		if (ret) {
			return ret;
		}
	}
	haw = (u32)t[DMAR_HDR_HAW] + 1;
	if (haw > DMAR_HAW_MAX) {
		return DMAR_FAIL(w->e, VTD_DMAR_ERR_HAW, DMAR_HDR_HAW);
	}
	if (haw < DMAR_HAW_MIN) {
		ret = dmar_warn(w, VTD_DMAR_WARN_HAW, VTD_DMAR_ERR_HAW,
				DMAR_HDR_HAW);
		if (ret) {
			return ret;
		}
	}

	for (off = DMAR_HDR_SIZE; off < tlen; off += slen) {
		u16 type;

		if (tlen - off < RS_HDR_SIZE) {
			if (!dmar_zero(t, off, tlen)) {
				return DMAR_FAIL(w->e,
						 VTD_DMAR_ERR_STRUCT_OVERRUN,
						 off);
			}
			return dmar_warn(w, VTD_DMAR_WARN_TRAILING,
					 VTD_DMAR_ERR_STRUCT_OVERRUN, off);
		}
		type = rd16(t + off + RS_TYPE);
		slen = rd16(t + off + RS_LENGTH);
		if (slen == 0 && dmar_zero(t, off + RS_HDR_SIZE, tlen)) {
			return dmar_warn(w, VTD_DMAR_WARN_TRAILING,
					 VTD_DMAR_ERR_STRUCT_SHORT,
					 off + RS_LENGTH);
		}
		/* A zero length would walk the same structure for ever. */
		if (slen < RS_HDR_SIZE) {
			return DMAR_FAIL(w->e, VTD_DMAR_ERR_STRUCT_SHORT,
					 off + RS_LENGTH);
		}
		if (slen > tlen - off) {
			return DMAR_FAIL(w->e, VTD_DMAR_ERR_STRUCT_OVERRUN,
					 off);
		}
		if (type >= RS_KNOWN_COUNT) {
			/* "software skips structures it does not comprehend" */
			w->c.unknown++;
			continue;
		}
		ret = rs_walk(w, off, slen, type);
		if (ret) {
			return ret;
		}
	}
	return 0;
}

static size_t layout_place(size_t *cur, size_t count, size_t size,
			   size_t align)
{
	size_t at = HAL_ALIGN_UP(*cur, align);

	*cur = at + count * size;
	return at;
}

/*
 * The counts are bounded by the table length (< 4 GiB, at least 2 bytes
 * per scope or warning), so none of these sizes can overflow a 64-bit
 * size_t.
 */
static void dmar_layout(const struct dmar_census *c, struct dmar_layout *l)
{
	static const size_t sizes[RS_KNOWN_COUNT] = {
		[RS_DRHD] = sizeof(struct vtd_dmar_drhd),
		[RS_RMRR] = sizeof(struct vtd_dmar_rmrr),
		[RS_ATSR] = sizeof(struct vtd_dmar_atsr),
		[RS_RHSA] = sizeof(struct vtd_dmar_rhsa),
		[RS_ANDD] = sizeof(struct vtd_dmar_andd),
		[RS_SATC] = sizeof(struct vtd_dmar_satc),
		[RS_SIDP] = sizeof(struct vtd_dmar_sidp),
	};
	size_t cur = 0;
	unsigned int i;

	for (i = 0; i < RS_KNOWN_COUNT; i++) {
		l->at[i] = layout_place(&cur, c->count[i], sizes[i],
					_Alignof(u64));
	}
	l->warns = layout_place(&cur, c->warnings,
				sizeof(struct vtd_dmar_warning),
				_Alignof(struct vtd_dmar_warning));
	l->scopes = layout_place(&cur, c->scopes,
				 sizeof(struct vtd_dmar_scope),
				 _Alignof(struct vtd_dmar_scope));
	l->paths = layout_place(&cur, c->hops, sizeof(struct vtd_dmar_path),
				_Alignof(struct vtd_dmar_path));
	l->names = layout_place(&cur, c->name_bytes, 1, 1);
	l->total = cur;
}

_Static_assert(_Alignof(struct vtd_dmar_drhd) <= _Alignof(u64) &&
	       _Alignof(struct vtd_dmar_rmrr) <= _Alignof(u64) &&
	       _Alignof(struct vtd_dmar_atsr) <= _Alignof(u64) &&
	       _Alignof(struct vtd_dmar_rhsa) <= _Alignof(u64) &&
	       _Alignof(struct vtd_dmar_andd) <= _Alignof(u64) &&
	       _Alignof(struct vtd_dmar_satc) <= _Alignof(u64) &&
	       _Alignof(struct vtd_dmar_sidp) <= _Alignof(u64),
	       "dmar_layout() aligns every structure array to 8 bytes");

/* Smallest order whose block holds @bytes, or -1 beyond any sane size. */
static int dmar_order(size_t bytes)
{
	unsigned int order = 0;

	while ((HAL_PAGE_SIZE << order) < bytes) {
		if (++order > 30) {
			return -1;
		}
	}
	return (int)order;
}

/* The array at @at of the block, or NULL when it is empty. */
static void *block_array(u8 *blk, size_t at, u32 count)
{
	return count ? (void *)(blk + at) : NULL;
}

/*
 * Point @out's arrays, and the fill walk @w's cursors, into @blk laid out
 * as @l for what @c counted; the walk's census starts again from zero.
 */
static void dmar_place(struct vtd_dmar *out, struct dmar_walk *w, u8 *blk,
		       const struct dmar_layout *l,
		       const struct dmar_census *c)
{
	out->drhds = block_array(blk, l->at[RS_DRHD], c->count[RS_DRHD]);
	out->rmrrs = block_array(blk, l->at[RS_RMRR], c->count[RS_RMRR]);
	out->atsrs = block_array(blk, l->at[RS_ATSR], c->count[RS_ATSR]);
	out->rhsas = block_array(blk, l->at[RS_RHSA], c->count[RS_RHSA]);
	out->andds = block_array(blk, l->at[RS_ANDD], c->count[RS_ANDD]);
	out->satcs = block_array(blk, l->at[RS_SATC], c->count[RS_SATC]);
	out->sidps = block_array(blk, l->at[RS_SIDP], c->count[RS_SIDP]);
	out->warnings = block_array(blk, l->warns, c->warnings);
	hal_memset(&w->c, 0, sizeof(w->c));
	w->d = out;
	w->warn = block_array(blk, l->warns, c->warnings);
	w->scope = (struct vtd_dmar_scope *)(void *)(blk + l->scopes);
	w->path = (struct vtd_dmar_path *)(void *)(blk + l->paths);
	w->name = (char *)blk + l->names;
}

int vtd_dmar_parse(const void *table, size_t len, u32 max_units, u32 flags,
		   struct vtd_dmar *out, struct vtd_dmar_error *err)
{
	struct vtd_dmar_error local;
	struct vtd_dmar_error *e = err ? err : &local;
	struct dmar_census found;
	struct dmar_layout l;
	struct dmar_walk w;
	u8 *blk;
	int order, ret;

	dmar_set_err(e, VTD_DMAR_OK, 0);
	if (out) {
		hal_memset(out, 0, sizeof(*out));
	}
	if (!table || !out || max_units == 0 ||
	    max_units > CONFIG_VTD_MAX_UNITS ||
	    (flags & ~VTD_DMAR_PARSE_STRICT)) {
		return DMAR_FAIL(e, VTD_DMAR_ERR_ARGS, 0);
	}

	/* Walk 1: validate and count; nothing is allocated. */
	hal_memset(&w, 0, sizeof(w));
	w.t = table;
	w.max_units = max_units;
	w.strict = flags & VTD_DMAR_PARSE_STRICT;
	w.e = e;
	ret = dmar_header(w.t, len, &w.tlen, e);
	if (!ret) {
		ret = dmar_walk(&w);
	}
	if (ret) {
		return ret;
	}
	if (w.c.count[RS_DRHD] == 0) {
		return DMAR_FAIL(e, VTD_DMAR_ERR_NO_UNIT, DMAR_HDR_SIZE);
	}
	if (w.c.count[RS_DRHD] > max_units) {
		return DMAR_FAIL(e, VTD_DMAR_ERR_TOO_MANY,
				 w.c.first_excess_drhd);
	}

	found = w.c;
	dmar_layout(&found, &l);
	order = dmar_order(l.total);
	blk = order < 0 ? NULL : hal_page_alloc((unsigned int)order);
	if (!blk) {
		return DMAR_FAIL(e, VTD_DMAR_ERR_NOMEM, 0);
	}

	/* Walk 2: the same decisions again, now filling the zeroed block. */
	out->haw = (u8)(w.t[DMAR_HDR_HAW] + 1);
	out->flags = w.t[DMAR_HDR_FLAGS];
	out->storage = blk;
	out->storage_order = (unsigned int)order;
	dmar_place(out, &w, blk, &l, &found);
	w.e = &local;
	ret = dmar_walk(&w);

	VTD_BUG_ON(ret || hal_memcmp(&w.c, &found, sizeof(found)) != 0 ||
		   (u8 *)w.scope > blk + l.paths ||
		   (u8 *)w.path > blk + l.names ||
		   (u8 *)w.name > blk + l.total);
	out->drhd_count = found.count[RS_DRHD];
	out->rmrr_count = found.count[RS_RMRR];
	out->atsr_count = found.count[RS_ATSR];
	out->rhsa_count = found.count[RS_RHSA];
	out->andd_count = found.count[RS_ANDD];
	out->satc_count = found.count[RS_SATC];
	out->sidp_count = found.count[RS_SIDP];
	out->unknown_count = found.unknown;
	out->warning_count = found.warnings;
	return 0;
}

void vtd_dmar_free(struct vtd_dmar *d)
{
	if (!d)
		return;
	if (d->storage)
		hal_page_free(d->storage, d->storage_order);
	hal_memset(d, 0, sizeof(*d));
}

const char *vtd_dmar_strerror(enum vtd_dmar_err e)
{
	static const char *const text[VTD_DMAR_ERR_COUNT] = {
		[VTD_DMAR_OK] = "no error",
		[VTD_DMAR_ERR_ARGS] =
			"bad arguments or table shorter than its header",
		[VTD_DMAR_ERR_SIGNATURE] = "signature is not DMAR",
		[VTD_DMAR_ERR_LENGTH] =
			"header length disagrees with the buffer",
		[VTD_DMAR_ERR_CHECKSUM] = "checksum does not sum to zero",
		[VTD_DMAR_ERR_HAW] = "host address width out of range",
		[VTD_DMAR_ERR_STRUCT_SHORT] =
			"remapping structure shorter than its minimum",
		[VTD_DMAR_ERR_STRUCT_OVERRUN] =
			"remapping structure runs past the table",
		[VTD_DMAR_ERR_SCOPE_SHORT] =
			"device scope too short or with a bad path",
		[VTD_DMAR_ERR_SCOPE_OVERRUN] =
			"device scope runs past its structure",
		[VTD_DMAR_ERR_SCOPE_TYPE] = "unknown device scope type",
		[VTD_DMAR_ERR_ALIGN] = "address not aligned",
		[VTD_DMAR_ERR_RANGE] = "address range invalid",
		[VTD_DMAR_ERR_DUPLICATE] =
			"duplicate DRHD base or INCLUDE_PCI_ALL",
		[VTD_DMAR_ERR_TOO_MANY] = "more DRHDs than allowed",
		[VTD_DMAR_ERR_NOMEM] = "out of memory",
		[VTD_DMAR_ERR_NAME] = "ANDD name empty or not terminated",
		[VTD_DMAR_ERR_NO_UNIT] = "no DRHD structure",
	};

	if ((unsigned int)e >= VTD_DMAR_ERR_COUNT || !text[e])
		return "unknown error";
	return text[e];
}

const char *vtd_dmar_strwarn(enum vtd_dmar_warn w)
{
	static const char *const text[VTD_DMAR_WARN_COUNT] = {
		[VTD_DMAR_WARN_NONE] = "no deviation",
		[VTD_DMAR_WARN_CHECKSUM] =
			"checksum does not sum to zero; table used",
		[VTD_DMAR_WARN_HAW] =
			"host address width below 32 bits; kept as written",
		[VTD_DMAR_WARN_TRAILING] =
			"zero-length structure or zero bytes at the end; "
			"walk ended there",
		[VTD_DMAR_WARN_DRHD_ALIGN] =
			"DRHD base not aligned to its register window; "
			"used as written",
		[VTD_DMAR_WARN_DRHD_DUPLICATE] =
			"DRHD repeats an earlier unit's base; dropped with "
			"its scopes",
		[VTD_DMAR_WARN_DRHD_INCLUDE_ALL] =
			"second INCLUDE_PCI_ALL unit in the segment; unit "
			"kept without the flag",
		[VTD_DMAR_WARN_RMRR_ALIGN] =
			"RMRR base or limit not page aligned; rounded out to "
			"whole pages",
		[VTD_DMAR_WARN_RMRR_RANGE] = "RMRR limit below base; dropped",
		[VTD_DMAR_WARN_SCOPE_TYPE] =
			"device scope of unknown type; skipped",
		[VTD_DMAR_WARN_SCOPE_EMPTY] =
			"device scope without a path; skipped",
	};

	if ((unsigned int)w >= VTD_DMAR_WARN_COUNT || !text[w]) {
		return "unknown deviation";
	}
	return text[w];
}

/* ---- Logging ----------------------------------------------------------- */

#define LOG_PATH_HOPS	16	/* hops printed before "..." */

static const char *scope_type_name(u8 type)
{
	switch (type) {
	case VTD_DMAR_SCOPE_PCI_ENDPOINT:
		return "PCI endpoint";
	case VTD_DMAR_SCOPE_PCI_BRIDGE:
		return "PCI bridge";
	case VTD_DMAR_SCOPE_IOAPIC:
		return "IOAPIC";
	case VTD_DMAR_SCOPE_HPET:
		return "HPET";
	case VTD_DMAR_SCOPE_ACPI_NAMESPACE:
		return "ACPI namespace";
	default:
		return "unknown";
	}
}

/* "SS:DD.F -> DD.F ..." for one scope's path. */
static void scope_path_format(const struct vtd_dmar_scope *s,
			      struct vtd_fmt *f)
{
	unsigned int i;

	for (i = 0; i < s->path_count && i < LOG_PATH_HOPS; i++) {
		if (i == 0) {
			vtd_fmt_hex(f, s->start_bus, 2);
			vtd_fmt_putc(f, ':');
		} else {
			vtd_fmt_puts(f, " -> ");
		}
		vtd_fmt_hex(f, s->path[i].dev, 2);
		vtd_fmt_putc(f, '.');
		vtd_fmt_hex(f, s->path[i].fn, 1);
	}
	if (s->path_count > LOG_PATH_HOPS)
		vtd_fmt_puts(f, " -> ...");
}

static void scopes_log(const struct vtd_dmar_scope *scopes, u32 count)
{
	char path[LOG_PATH_HOPS * 8 + 16];
	struct vtd_fmt f;
	u32 i;

	for (i = 0; i < count; i++) {
		const struct vtd_dmar_scope *s = &scopes[i];

		vtd_fmt_init(&f, path, sizeof(path));
		scope_path_format(s, &f);
		if (s->type >= VTD_DMAR_SCOPE_IOAPIC)
			hal_log(HAL_LOG_INFO,
				"vtd:   %s id %u at %s flags 0x%x\n",
				scope_type_name(s->type), s->enumeration_id,
				path, s->flags);
		else
			hal_log(HAL_LOG_INFO, "vtd:   %s %s flags 0x%x\n",
				scope_type_name(s->type), path, s->flags);
	}
}

void vtd_dmar_log(const struct vtd_dmar *d)
{
	u32 i;

	if (!d)
		return;
	hal_log(HAL_LOG_INFO, "vtd: DMAR HAW %u bits, flags 0x%x%s%s%s\n",
		d->haw, d->flags,
		d->flags & VTD_DMAR_FLAG_INTR_REMAP ? " INTR_REMAP" : "",
		d->flags & VTD_DMAR_FLAG_X2APIC_OPT_OUT ?
			" X2APIC_OPT_OUT" : "",
		d->flags & VTD_DMAR_FLAG_DMA_CTRL_PLATFORM_OPT_IN ?
			" DMA_CTRL_PLATFORM_OPT_IN" : "");
	for (i = 0; i < d->drhd_count; i++) {
		const struct vtd_dmar_drhd *u = &d->drhds[i];

		hal_log(HAL_LOG_INFO,
			"vtd: DRHD %u: base 0x%llx size 0x%llx segment %u%s, "
			"%u scopes\n",
			i, (unsigned long long)u->reg_base,
			(unsigned long long)u->reg_size, u->segment,
			u->include_pci_all ? " INCLUDE_PCI_ALL" : "",
			u->scope_count);
		scopes_log(u->scopes, u->scope_count);
	}
	if (!d->rmrr_count)
		hal_log(HAL_LOG_INFO, "vtd: no RMRR (no reserved memory "
			"regions)\n");
	for (i = 0; i < d->rmrr_count; i++) {
		const struct vtd_dmar_rmrr *r = &d->rmrrs[i];

		hal_log(HAL_LOG_INFO,
			"vtd: RMRR %u: segment %u 0x%llx-0x%llx, %u scopes\n",
			i, r->segment, (unsigned long long)r->base,
			(unsigned long long)r->limit, r->scope_count);
		scopes_log(r->scopes, r->scope_count);
	}
	for (i = 0; i < d->atsr_count; i++) {
		const struct vtd_dmar_atsr *a = &d->atsrs[i];

		hal_log(HAL_LOG_INFO, "vtd: ATSR %u: segment %u%s, %u scopes\n",
			i, a->segment, a->all_ports ? " ALL_PORTS" : "",
			a->scope_count);
		scopes_log(a->scopes, a->scope_count);
	}
	for (i = 0; i < d->rhsa_count; i++)
		hal_log(HAL_LOG_INFO,
			"vtd: RHSA %u: base 0x%llx proximity domain %u\n", i,
			(unsigned long long)d->rhsas[i].reg_base,
			d->rhsas[i].proximity_domain);
	for (i = 0; i < d->andd_count; i++)
		hal_log(HAL_LOG_INFO, "vtd: ANDD %u: ACPI device %u \"%s\"\n",
			i, d->andds[i].acpi_device_number, d->andds[i].name);
	for (i = 0; i < d->satc_count; i++) {
		const struct vtd_dmar_satc *a = &d->satcs[i];

		hal_log(HAL_LOG_INFO, "vtd: SATC %u: segment %u%s, %u scopes\n",
			i, a->segment, a->atc_required ? " ATC_REQUIRED" : "",
			a->scope_count);
		scopes_log(a->scopes, a->scope_count);
	}
	for (i = 0; i < d->sidp_count; i++) {
		const struct vtd_dmar_sidp *p = &d->sidps[i];

		hal_log(HAL_LOG_INFO, "vtd: SIDP %u: segment %u, %u scopes\n",
			i, p->segment, p->scope_count);
		scopes_log(p->scopes, p->scope_count);
	}
	if (d->unknown_count)
		hal_log(HAL_LOG_INFO, "vtd: %u unknown structures skipped\n",
			d->unknown_count);
	if (d->warning_count) {
		hal_log(HAL_LOG_WARN, "vtd: DMAR: %u firmware deviations "
			"accepted (docs/FIRMWARE.md)\n", d->warning_count);
	}
	for (i = 0; i < d->warning_count; i++) {
		hal_log(HAL_LOG_WARN, "vtd: DMAR offset 0x%x: %s\n",
			d->warnings[i].offset,
			vtd_dmar_strwarn(d->warnings[i].kind));
	}
}

int vtd_dmar_scope_sid(const struct vtd_dmar_scope *s, u16 segment,
		       vtd_dmar_bus_fn bus_fn, void *ctx)
{
	unsigned int hop;
	int bus;

	if (!s || !s->path_count || !s->path ||
	    (s->type != VTD_DMAR_SCOPE_PCI_ENDPOINT &&
	     s->type != VTD_DMAR_SCOPE_PCI_BRIDGE))
		return VTD_ERR(-EINVAL);
	bus = s->start_bus;
	for (hop = 0; hop + 1 < s->path_count; hop++) {
		if (!bus_fn)
			return VTD_ERR(-ENODEV);
		bus = bus_fn(ctx, segment, (u8)bus, s->path[hop].dev,
			     s->path[hop].fn);
		if (bus < 0 || bus > 255)
			return VTD_ERR(-ENODEV);
	}
	return bus << 8 | (s->path[hop].dev & 0x1f) << 3 |
	       (s->path[hop].fn & 7);
}

/*
 * Does scope @s of a DRHD in @segment name @sid: the endpoint itself, or
 * a bridge whose secondary bus @sid is on [VT-d 8.3.1]?
 */
static bool scope_covers(const struct vtd_dmar_scope *s, u16 segment, u16 sid,
			 vtd_dmar_bus_fn bus_fn, void *ctx)
{
	int bdf = vtd_dmar_scope_sid(s, segment, bus_fn, ctx);
	int sec;

	if (bdf < 0) {
		return false;
	}
	if (s->type == VTD_DMAR_SCOPE_PCI_ENDPOINT) {
		return bdf == sid;
	}
	if (s->type != VTD_DMAR_SCOPE_PCI_BRIDGE || !bus_fn) {
		return false;
	}
	sec = bus_fn(ctx, segment, (u8)(bdf >> 8), (u8)((bdf >> 3) & 0x1f),
		     (u8)(bdf & 7));
	return sec >= 0 && sec == (sid >> 8);
}

int vtd_dmar_drhd_for_sid(const struct vtd_dmar *d, u16 segment, u16 sid,
			  vtd_dmar_bus_fn bus_fn, void *ctx)
{
	int all = -1;
	u32 i, j;

	if (!d) {
		return VTD_ERR(-EINVAL);
	}
	for (i = 0; i < d->drhd_count; i++) {
		const struct vtd_dmar_drhd *u = &d->drhds[i];

		if (u->segment != segment) {
			continue;
		}
		if (u->include_pci_all && all < 0) {
			all = (int)i;
		}
		for (j = 0; j < u->scope_count; j++) {
			if (scope_covers(&u->scopes[j], segment, sid, bus_fn,
					 ctx)) {
				return (int)i;
			}
		}
	}
	return all >= 0 ? all : VTD_ERR(-ENODEV);
}
