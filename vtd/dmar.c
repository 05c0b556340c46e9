// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACPI DMA Remapping Reporting (DMAR) table parser [VT-d 8].
 *
 * vtd_dmar_parse() works in two passes over the firmware's bytes:
 *
 *  1. validate: check the header, then walk every remapping structure
 *     [VT-d 8.2] and every device scope [VT-d 8.3.1] against the table's
 *     own length, counting what the second pass will need. Nothing is
 *     allocated and every byte read is inside the table.
 *  2. build: allocate one zeroed block from hal_page_alloc() big enough
 *     for every structure, scope, path hop and ANDD name, and fill it
 *     from the (now known good) table. Nothing in this pass can fail.
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
 * range; below 32 bits no x86 platform could place a DRHD, and above 64
 * the width does not fit an address.
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

#define RMRR_ALIGN		0x1000ULL	/* [VT-d 8.4] 4 KiB */

/* What pass 1 found: the sizes pass 2 allocates for. */
struct dmar_census {
	u32 count[RS_KNOWN_COUNT];
	u32 unknown;
	u32 scopes;
	u32 hops;
	u32 name_bytes;			/* ANDD names with their NULs */
	u32 first_excess_drhd;		/* offset of DRHD max_units + 1 */
};

/* Where each array sits in the block. */
struct dmar_layout {
	size_t at[RS_KNOWN_COUNT];
	size_t scopes, paths, names, total;
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
 * Validate the device scope entries in [@start, @end) of the table at @t
 * [VT-d 8.3.1] and count them. An entry is at least its 6-byte header plus
 * one {device, function} hop ("N is a positive integer"), its path is
 * whole hops, and it ends inside its structure.
 */
static int scopes_check(const u8 *t, size_t start, size_t end,
			struct dmar_census *c, struct vtd_dmar_error *e)
{
	size_t p, l;

	for (p = start; p < end; p += l) {
		if (end - p < 2)
			return DMAR_FAIL(e, VTD_DMAR_ERR_SCOPE_OVERRUN, p);
		l = t[p + DS_LENGTH];
		if (l < DS_HDR_SIZE + 2 || (l - DS_HDR_SIZE) % 2)
			return DMAR_FAIL(e, VTD_DMAR_ERR_SCOPE_SHORT,
					 p + DS_LENGTH);
		if (l > end - p)
			return DMAR_FAIL(e, VTD_DMAR_ERR_SCOPE_OVERRUN, p);
		if (t[p + DS_TYPE] < VTD_DMAR_SCOPE_PCI_ENDPOINT ||
		    t[p + DS_TYPE] > VTD_DMAR_SCOPE_ACPI_NAMESPACE)
			return DMAR_FAIL(e, VTD_DMAR_ERR_SCOPE_TYPE, p);
		c->scopes++;
		c->hops += (u32)(l - DS_HDR_SIZE) / 2;
	}
	return 0;
}

/*
 * Check the DRHD at @off against the DRHDs before it: register bases are
 * unique, and a segment has at most one INCLUDE_PCI_ALL unit [VT-d 8.3].
 * The structures in [DMAR_HDR_SIZE, @off) have been validated already.
 */
static int drhd_conflicts(const u8 *t, size_t off, struct vtd_dmar_error *e)
{
	u64 base = rd64(t + off + DRHD_BASE);
	u16 seg = rd16(t + off + DRHD_SEGMENT);
	bool all = t[off + DRHD_FLAGS] & DRHD_INCLUDE_PCI_ALL;
	size_t p;

	for (p = DMAR_HDR_SIZE; p < off; p += rd16(t + p + RS_LENGTH)) {
		if (rd16(t + p + RS_TYPE) != RS_DRHD)
			continue;
		if (rd64(t + p + DRHD_BASE) == base)
			return DMAR_FAIL(e, VTD_DMAR_ERR_DUPLICATE,
					 off + DRHD_BASE);
		if (all && (t[p + DRHD_FLAGS] & DRHD_INCLUDE_PCI_ALL) &&
		    rd16(t + p + DRHD_SEGMENT) == seg)
			return DMAR_FAIL(e, VTD_DMAR_ERR_DUPLICATE,
					 off + DRHD_FLAGS);
	}
	return 0;
}

/* [VT-d 8.3] DRHD body: register window and uniqueness. */
static int drhd_check(const u8 *t, size_t off, u32 max_units,
		      struct dmar_census *c, struct vtd_dmar_error *e)
{
	u64 base = rd64(t + off + DRHD_BASE);
	u64 size = 1ULL << (12 + FIELD_GET(DRHD_SIZE_N, t[off + DRHD_SIZE]));

	if (base == 0 || base + (size - 1) < base)
		return DMAR_FAIL(e, VTD_DMAR_ERR_RANGE, off + DRHD_BASE);
	/* "aligned according to the size of the register set" */
	if (base & (size - 1))
		return DMAR_FAIL(e, VTD_DMAR_ERR_ALIGN, off + DRHD_BASE);
	/*
	 * Past max_units the table fails with -E2BIG anyway; skipping the
	 * quadratic scan there bounds the work for a hostile table.
	 */
	if (c->count[RS_DRHD] >= max_units) {
		if (c->count[RS_DRHD] == max_units)
			c->first_excess_drhd = (u32)off;
		return 0;
	}
	return drhd_conflicts(t, off, e);
}

/* [VT-d 8.4] RMRR: 4 KiB aligned base and size, limit above base. */
static int rmrr_check(const u8 *t, size_t off, struct vtd_dmar_error *e)
{
	u64 base = rd64(t + off + RMRR_BASE);
	u64 limit = rd64(t + off + RMRR_LIMIT);

	if (base & (RMRR_ALIGN - 1))
		return DMAR_FAIL(e, VTD_DMAR_ERR_ALIGN, off + RMRR_BASE);
	if ((limit + 1) & (RMRR_ALIGN - 1))
		return DMAR_FAIL(e, VTD_DMAR_ERR_ALIGN, off + RMRR_LIMIT);
	if (limit < base)
		return DMAR_FAIL(e, VTD_DMAR_ERR_RANGE, off + RMRR_LIMIT);
	return 0;
}

/* [VT-d 8.7] ANDD: a non-empty ASCII name, NUL-terminated in the struct. */
static int andd_check(const u8 *t, size_t off, size_t len,
		      struct dmar_census *c, struct vtd_dmar_error *e)
{
	size_t max = len - ANDD_NAME;
	size_t n = hal_strnlen((const char *)t + off + ANDD_NAME, max);

	if (n == 0 || n == max)
		return DMAR_FAIL(e, VTD_DMAR_ERR_NAME, off + ANDD_NAME);
	c->name_bytes += (u32)n + 1;
	return 0;
}

/* Validate one known structure of @len bytes at @off. */
static int rs_check(const u8 *t, size_t off, size_t len, u16 type,
		    u32 max_units, struct dmar_census *c,
		    struct vtd_dmar_error *e)
{
	const struct rs_layout *lay = &rs_layouts[type];
	int ret = 0;

	if (len < lay->min_len)
		return DMAR_FAIL(e, VTD_DMAR_ERR_STRUCT_SHORT, off + RS_LENGTH);
	if (type == RS_DRHD)
		ret = drhd_check(t, off, max_units, c, e);
	else if (type == RS_RMRR)
		ret = rmrr_check(t, off, e);
	else if (type == RS_ANDD)
		ret = andd_check(t, off, len, c, e);
	if (ret)
		return ret;
	if (lay->scope_off) {
		ret = scopes_check(t, off + lay->scope_off, off + len, c, e);
		if (ret)
			return ret;
	}
	c->count[type]++;
	return 0;
}

/* Pass 1: the header [VT-d 8.1], then every structure [VT-d 8.2]. */
static int dmar_validate(const u8 *t, size_t len, u32 max_units,
			 size_t *tlen_out, struct dmar_census *c,
			 struct vtd_dmar_error *e)
{
	size_t tlen, off, slen;
	u8 sum = 0;
	u32 haw;
	int ret;

	if (len < DMAR_HDR_SIZE)
		return DMAR_FAIL(e, VTD_DMAR_ERR_ARGS, 0);
	if (t[0] != 'D' || t[1] != 'M' || t[2] != 'A' || t[3] != 'R')
		return DMAR_FAIL(e, VTD_DMAR_ERR_SIGNATURE, DMAR_HDR_SIGNATURE);
	tlen = rd32(t + DMAR_HDR_LENGTH);
	if (tlen < DMAR_HDR_SIZE || tlen > len)
		return DMAR_FAIL(e, VTD_DMAR_ERR_LENGTH, DMAR_HDR_LENGTH);
	/* "Entire table must sum to zero." */
	for (off = 0; off < tlen; off++)
		sum = (u8)(sum + t[off]);
	if (sum)
		return DMAR_FAIL(e, VTD_DMAR_ERR_CHECKSUM, DMAR_HDR_CHECKSUM);
	haw = (u32)t[DMAR_HDR_HAW] + 1;
	if (haw < DMAR_HAW_MIN || haw > DMAR_HAW_MAX)
		return DMAR_FAIL(e, VTD_DMAR_ERR_HAW, DMAR_HDR_HAW);

	for (off = DMAR_HDR_SIZE; off < tlen; off += slen) {
		u16 type;

		if (tlen - off < RS_HDR_SIZE)
			return DMAR_FAIL(e, VTD_DMAR_ERR_STRUCT_OVERRUN, off);
		type = rd16(t + off + RS_TYPE);
		slen = rd16(t + off + RS_LENGTH);
		/* A zero length would walk the same structure for ever. */
		if (slen < RS_HDR_SIZE)
			return DMAR_FAIL(e, VTD_DMAR_ERR_STRUCT_SHORT,
					 off + RS_LENGTH);
		if (slen > tlen - off)
			return DMAR_FAIL(e, VTD_DMAR_ERR_STRUCT_OVERRUN, off);
		if (type >= RS_KNOWN_COUNT) {
			/* "software skips structures it does not comprehend" */
			c->unknown++;
			continue;
		}
		ret = rs_check(t, off, slen, type, max_units, c, e);
		if (ret)
			return ret;
	}

	if (c->count[RS_DRHD] == 0)
		return DMAR_FAIL(e, VTD_DMAR_ERR_NO_UNIT, DMAR_HDR_SIZE);
	if (c->count[RS_DRHD] > max_units)
		return DMAR_FAIL(e, VTD_DMAR_ERR_TOO_MANY,
				 c->first_excess_drhd);
	*tlen_out = tlen;
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
 * The counts are bounded by the table length (< 4 GiB, at least 4 bytes
 * per structure), so none of these sizes can overflow a 64-bit size_t.
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

	for (i = 0; i < RS_KNOWN_COUNT; i++)
		l->at[i] = layout_place(&cur, c->count[i], sizes[i],
					_Alignof(u64));
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

/* Cursors into the block while pass 2 fills it. */
struct dmar_fill {
	struct vtd_dmar_scope *scope;
	struct vtd_dmar_path *path;
	char *name;
};

/* Copy the (validated) scopes in [@start, @end); return the first. */
static const struct vtd_dmar_scope *scopes_fill(const u8 *t, size_t start,
						size_t end, u32 *count,
						struct dmar_fill *f)
{
	const struct vtd_dmar_scope *first = f->scope;
	size_t p, l;
	u32 n = 0;

	for (p = start; p < end; p += l) {
		struct vtd_dmar_scope *s = f->scope++;
		unsigned int i;

		l = t[p + DS_LENGTH];
		s->type = t[p + DS_TYPE];
		s->flags = t[p + DS_FLAGS];
		s->enumeration_id = t[p + DS_ENUM_ID];
		s->start_bus = t[p + DS_START_BUS];
		s->path_count = (u8)((l - DS_HDR_SIZE) / 2);
		s->path = f->path;
		for (i = 0; i < s->path_count; i++) {
			f->path->dev = t[p + DS_PATH + 2 * i];
			f->path->fn = t[p + DS_PATH + 2 * i + 1];
			f->path++;
		}
		n++;
	}
	*count = n;
	return n ? first : NULL;
}

/* Pass 2: fill @d's arrays from the validated table; cannot fail. */
static void dmar_fill(const u8 *t, size_t tlen, struct vtd_dmar *d,
		      struct dmar_fill *f)
{
	size_t off, len;

	for (off = DMAR_HDR_SIZE; off < tlen; off += len) {
		const u8 *s = t + off;
		u16 type = rd16(s + RS_TYPE);
		size_t sc_start, end;

		len = rd16(s + RS_LENGTH);
		if (type >= RS_KNOWN_COUNT)
			continue;
		sc_start = off + rs_layouts[type].scope_off;
		end = off + len;

		switch (type) {
		case RS_DRHD: {
			struct vtd_dmar_drhd *u = &d->drhds[d->drhd_count++];

			u->reg_base = rd64(s + DRHD_BASE);
			u->reg_size = 1ULL << (12 + FIELD_GET(DRHD_SIZE_N,
							      s[DRHD_SIZE]));
			u->segment = rd16(s + DRHD_SEGMENT);
			u->include_pci_all = s[DRHD_FLAGS] &
					     DRHD_INCLUDE_PCI_ALL;
			u->scopes = scopes_fill(t, sc_start, end,
						&u->scope_count, f);
			break;
		}
		case RS_RMRR: {
			struct vtd_dmar_rmrr *r = &d->rmrrs[d->rmrr_count++];

			r->segment = rd16(s + RMRR_SEGMENT);
			r->base = rd64(s + RMRR_BASE);
			r->limit = rd64(s + RMRR_LIMIT);
			r->scopes = scopes_fill(t, sc_start, end,
						&r->scope_count, f);
			break;
		}
		case RS_ATSR: {
			struct vtd_dmar_atsr *a = &d->atsrs[d->atsr_count++];

			a->segment = rd16(s + ATSR_SEGMENT);
			a->all_ports = s[ATSR_FLAGS] & ATSR_ALL_PORTS;
			a->scopes = scopes_fill(t, sc_start, end,
						&a->scope_count, f);
			break;
		}
		case RS_RHSA: {
			struct vtd_dmar_rhsa *h = &d->rhsas[d->rhsa_count++];

			h->reg_base = rd64(s + RHSA_BASE);
			h->proximity_domain = rd32(s + RHSA_PROXIMITY);
			break;
		}
		case RS_ANDD: {
			struct vtd_dmar_andd *a = &d->andds[d->andd_count++];
			size_t n = hal_strnlen((const char *)s + ANDD_NAME,
					       len - ANDD_NAME);

			a->acpi_device_number = s[ANDD_DEVICE];
			hal_memcpy(f->name, s + ANDD_NAME, n);
			f->name[n] = '\0';
			a->name = f->name;
			f->name += n + 1;
			break;
		}
		case RS_SATC: {
			struct vtd_dmar_satc *a = &d->satcs[d->satc_count++];

			a->segment = rd16(s + SATC_SEGMENT);
			a->atc_required = s[SATC_FLAGS] & SATC_ATC_REQUIRED;
			a->scopes = scopes_fill(t, sc_start, end,
						&a->scope_count, f);
			break;
		}
		case RS_SIDP: {
			struct vtd_dmar_sidp *p = &d->sidps[d->sidp_count++];

			p->segment = rd16(s + SIDP_SEGMENT);
			p->scopes = scopes_fill(t, sc_start, end,
						&p->scope_count, f);
			break;
		}
		}
	}
}

/* Smallest order whose block holds @bytes, or -1 beyond any sane size. */
static int dmar_order(size_t bytes)
{
	unsigned int order = 0;

	while ((HAL_PAGE_SIZE << order) < bytes) {
		if (++order > 30)
			return -1;
	}
	return (int)order;
}

int vtd_dmar_parse(const void *table, size_t len, u32 max_units,
		   struct vtd_dmar *out, struct vtd_dmar_error *err)
{
	struct vtd_dmar_error local;
	struct vtd_dmar_error *e = err ? err : &local;
	struct dmar_census c;
	struct dmar_layout l;
	struct dmar_fill f;
	const u8 *t = table;
	size_t tlen = 0;
	u8 *blk;
	int order, ret;

	dmar_set_err(e, VTD_DMAR_OK, 0);
	if (out)
		hal_memset(out, 0, sizeof(*out));
	if (!table || !out || max_units == 0 ||
	    max_units > CONFIG_VTD_MAX_UNITS)
		return DMAR_FAIL(e, VTD_DMAR_ERR_ARGS, 0);

	hal_memset(&c, 0, sizeof(c));
	ret = dmar_validate(t, len, max_units, &tlen, &c, e);
	if (ret)
		return ret;

	dmar_layout(&c, &l);
	order = dmar_order(l.total);
	blk = order < 0 ? NULL : hal_page_alloc((unsigned int)order);
	if (!blk)
		return DMAR_FAIL(e, VTD_DMAR_ERR_NOMEM, 0);

	/* The block is zeroed; counts are rebuilt by dmar_fill(). */
	out->haw = (u8)(t[DMAR_HDR_HAW] + 1);
	out->flags = t[DMAR_HDR_FLAGS];
	out->unknown_count = c.unknown;
	out->storage = blk;
	out->storage_order = (unsigned int)order;
	out->drhds = c.count[RS_DRHD] ? (void *)(blk + l.at[RS_DRHD]) : NULL;
	out->rmrrs = c.count[RS_RMRR] ? (void *)(blk + l.at[RS_RMRR]) : NULL;
	out->atsrs = c.count[RS_ATSR] ? (void *)(blk + l.at[RS_ATSR]) : NULL;
	out->rhsas = c.count[RS_RHSA] ? (void *)(blk + l.at[RS_RHSA]) : NULL;
	out->andds = c.count[RS_ANDD] ? (void *)(blk + l.at[RS_ANDD]) : NULL;
	out->satcs = c.count[RS_SATC] ? (void *)(blk + l.at[RS_SATC]) : NULL;
	out->sidps = c.count[RS_SIDP] ? (void *)(blk + l.at[RS_SIDP]) : NULL;
	f.scope = (struct vtd_dmar_scope *)(void *)(blk + l.scopes);
	f.path = (struct vtd_dmar_path *)(void *)(blk + l.paths);
	f.name = (char *)blk + l.names;
	dmar_fill(t, tlen, out, &f);

	VTD_BUG_ON(out->drhd_count != c.count[RS_DRHD] ||
		   (u8 *)f.scope > blk + l.paths ||
		   (u8 *)f.path > blk + l.names ||
		   (u8 *)f.name > blk + l.total);
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
