// SPDX-License-Identifier: BSD-2-Clause
/*
 * Decoding of the Version, Capability and Extended Capability registers
 * [VT-d 11.4.1-11.4.3] into text: one table row per field, each with the
 * spec's abbreviation and how to show its value. Single-bit capabilities
 * appear by name when set; multi-bit fields always appear as NAME=value
 * with their meaning; set bits no row covers (reserved or deprecated in
 * the pinned revision) appear in hex as CAP.RSVD=/ECAP.RSVD=, so nothing a
 * unit reports is silently dropped.
 */
#include <hal/bits.h>
#include <hal/log.h>
#include <vtd/caps.h>

#include "fmt.h"
#include <vtd/hw/regs.h>

enum caps_reg {
	CAPS_CAP,
	CAPS_ECAP,
};

enum caps_show {
	SHOW_FLAG,		/* name when set */
	SHOW_DEC,		/* NAME=decimal */
	SHOW_OFFSET16,		/* NAME=0x<value * 16>: register offset */
	SHOW_ND,		/* ND=n (2^(4+2n) domains) */
	SHOW_SAGAW,		/* SAGAW=0xN (39-bit 48-bit ...) */
	SHOW_MGAW,		/* MGAW=value+1 */
	SHOW_SSLPS,		/* SSLPS=0xN (2M 1G) */
	SHOW_NFR,		/* NFR=n (n+1 FRCDs) */
	SHOW_PSS,		/* PSS=n (n+1-bit PASIDs) */
};

struct caps_field {
	u8 reg;			/* enum caps_reg */
	u8 show;		/* enum caps_show */
	u64 mask;
	const char *name;
	/*
	 * A bit of the same register without which the field means nothing
	 * (0: none); a zero field is not shown when the bit is clear.
	 */
	u64 valid_if;
};

#define ROW(r, s, m, n, v) \
	{ .reg = (r), .show = (s), .mask = (m), .name = (n), .valid_if = (v) }

/* Every CAP and ECAP field of [VT-d 11.4.2] and [VT-d 11.4.3]. */
static const struct caps_field caps_fields[] = {
	ROW(CAPS_CAP, SHOW_ND, VTD_CAP_ND, "ND", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_RWBF, "RWBF", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_PLMR, "PLMR", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_PHMR, "PHMR", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_CM, "CM", 0),
	ROW(CAPS_CAP, SHOW_SAGAW, VTD_CAP_SAGAW, "SAGAW", 0),
	ROW(CAPS_CAP, SHOW_MGAW, VTD_CAP_MGAW, "MGAW", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_ZLR, "ZLR", 0),
	ROW(CAPS_CAP, SHOW_OFFSET16, VTD_CAP_FRO, "FRO", 0),
	ROW(CAPS_CAP, SHOW_SSLPS, VTD_CAP_SLLPS, "SSLPS", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_PSI, "PSI", 0),
	ROW(CAPS_CAP, SHOW_NFR, VTD_CAP_NFR, "NFR", 0),
	/* "valid when the PSI field ... is reported as Set" */
	ROW(CAPS_CAP, SHOW_DEC, VTD_CAP_MAMV, "MAMV", VTD_CAP_PSI),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_DWD, "DWD", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_DRD, "DRD", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_FL1GP, "FL1GP", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_PI, "PI", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_FL5LP, "FL5LP", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_ECMDS, "ECMDS", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_ESIRTPS, "ESIRTPS", 0),
	ROW(CAPS_CAP, SHOW_FLAG, VTD_CAP_ESRTPS, "ESRTPS", 0),

	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_C, "C", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_QI, "QI", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_DT, "DT", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_IR, "IR", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_EIM, "EIM", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_PT, "PT", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SC, "SC", 0),
	ROW(CAPS_ECAP, SHOW_OFFSET16, VTD_ECAP_IRO, "IRO", 0),
	/* "unused and is reported as 0 if ... IR ... is Clear" */
	ROW(CAPS_ECAP, SHOW_DEC, VTD_ECAP_MHMV, "MHMV", VTD_ECAP_IR),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_MTS, "MTS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_NEST, "NEST", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_PRS, "PRS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_ERS, "ERS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SRS, "SRS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_NWFS, "NWFS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_EAFS, "EAFS", 0),
	/* "unused and reported as 0 if ... SMTS ... is Clear" */
	ROW(CAPS_ECAP, SHOW_PSS, VTD_ECAP_PSS, "PSS", VTD_ECAP_SMTS),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_PASID, "PASID", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_DIT, "DIT", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_PDS, "PDS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SMTS, "SMTS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_VCS, "VCS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SLADS, "SSADS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SLTS, "SSTS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_FLTS, "FSTS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SMPWCS, "SMPWCS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_RPS, "RPS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_TDXCS, "TDXCS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_PMS, "PMS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_ADMS, "ADMS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_RPRIVS, "RPRIVS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_HPTS, "HPTS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_PTRS, "PTRS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SSIRWS, "SSIRWS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_SMS, "SMS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_HPT1GPS, "HPT1GPS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_RDTS, "RDTS", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_EIMER, "EIMER", 0),
	ROW(CAPS_ECAP, SHOW_FLAG, VTD_ECAP_IRREQ, "IRREQ", 0),
};

#undef ROW

/* Field @mask of @v, for masks known only at run time (table rows). */
static u64 field_get(u64 mask, u64 v)
{
	return (v & mask) >> __builtin_ctzll(mask);
}

/* Bits of @reg that some row of the table decodes. */
static u64 caps_known(enum caps_reg reg)
{
	u64 known = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caps_fields); i++) {
		if (caps_fields[i].reg == reg)
			known |= caps_fields[i].mask;
	}
	return known;
}

/* " (a b c)" listing the names of the set bits of @v. */
static void show_bit_names(struct vtd_fmt *f, u64 v, const char *const *names,
			   unsigned int count)
{
	unsigned int b;
	bool first = true;

	vtd_fmt_puts(f, " (");
	for (b = 0; b < 64; b++) {
		if (!(v & (1ULL << b)))
			continue;
		if (!first)
			vtd_fmt_putc(f, ' ');
		first = false;
		if (b < count && names[b]) {
			vtd_fmt_puts(f, names[b]);
		} else {
			vtd_fmt_puts(f, "bit");
			vtd_fmt_dec(f, b);
		}
	}
	if (first)
		vtd_fmt_puts(f, "none");
	vtd_fmt_putc(f, ')');
}

/*
 * Append the token for row @fd of register value @v, if it has one (a
 * clear flag has none). Return whether anything was written.
 */
static bool caps_token(const struct caps_field *fd, u64 v, struct vtd_fmt *f)
{
	/* [VT-d 11.4.2] SAGAW bit n: 1 = 39-bit, 2 = 48-bit, 3 = 57-bit. */
	static const char *const sagaw[] = { NULL, "39-bit", "48-bit",
					     "57-bit" };
	/* [VT-d 11.4.2] SSLPS bit 0: 2 MiB, bit 1: 1 GiB. */
	static const char *const sslps[] = { "2M", "1G" };
	u64 x = field_get(fd->mask, v);

	if (fd->show == SHOW_FLAG) {
		if (!x)
			return false;
		vtd_fmt_puts(f, fd->name);
		return true;
	}
	if (fd->valid_if && !(v & fd->valid_if) && !x)
		return false;
	vtd_fmt_puts(f, fd->name);
	vtd_fmt_putc(f, '=');
	switch (fd->show) {
	case SHOW_DEC:
		vtd_fmt_dec(f, x);
		break;
	case SHOW_OFFSET16:
		vtd_fmt_hex0x(f, x * 16);
		break;
	case SHOW_ND:
		/* [VT-d 11.4.2] 000b: 4-bit DIDs ... 110b: 16-bit; 111b rsvd */
		vtd_fmt_dec(f, x);
		if (x == 7) {
			vtd_fmt_puts(f, " (reserved)");
		} else {
			vtd_fmt_puts(f, " (");
			vtd_fmt_dec(f, 1ULL << (4 + 2 * x));
			vtd_fmt_puts(f, " domains)");
		}
		break;
	case SHOW_SAGAW:
		vtd_fmt_hex0x(f, x);
		show_bit_names(f, x, sagaw, ARRAY_SIZE(sagaw));
		break;
	case SHOW_MGAW:
		vtd_fmt_dec(f, x + 1);
		break;
	case SHOW_SSLPS:
		vtd_fmt_hex0x(f, x);
		show_bit_names(f, x, sslps, ARRAY_SIZE(sslps));
		break;
	case SHOW_NFR:
		vtd_fmt_dec(f, x);
		vtd_fmt_puts(f, " (");
		vtd_fmt_dec(f, x + 1);
		vtd_fmt_puts(f, x ? " FRCDs)" : " FRCD)");
		break;
	case SHOW_PSS:
		vtd_fmt_dec(f, x);
		vtd_fmt_puts(f, " (");
		vtd_fmt_dec(f, x + 1);
		vtd_fmt_puts(f, "-bit PASIDs)");
		break;
	}
	return true;
}

/* Append "CAP.RSVD=0x..." for set bits of @v no row decodes. */
static bool caps_reserved_token(enum caps_reg reg, u64 v, struct vtd_fmt *f)
{
	u64 rest = v & ~caps_known(reg);

	if (!rest)
		return false;
	vtd_fmt_puts(f, reg == CAPS_CAP ? "CAP.RSVD=" : "ECAP.RSVD=");
	vtd_fmt_hex0x(f, rest);
	return true;
}

/* Rows of CAP come first in the table; this is where ECAP's start. */
static size_t caps_first_ecap_row(void)
{
	size_t i = 0;

	while (i < ARRAY_SIZE(caps_fields) && caps_fields[i].reg == CAPS_CAP)
		i++;
	return i;
}

/*
 * Token @*idx of the decoding of @cap and @ecap into @f, skipping rows
 * that produce nothing; advances @*idx and reports the register the token
 * belongs to. The order is CAP's rows, CAP's reserved bits, ECAP's rows,
 * ECAP's reserved bits.
 * Return: false when there are no tokens left.
 */
static bool caps_next(u64 cap, u64 ecap, size_t *idx, struct vtd_fmt *f,
		      enum caps_reg *reg)
{
	const size_t ecap_row = caps_first_ecap_row();
	const size_t total = ARRAY_SIZE(caps_fields) + 2;

	while (*idx < total) {
		size_t i = (*idx)++;
		bool got;

		if (i == ecap_row || i == total - 1) {
			/* The reserved-bits pseudo-row ending a register. */
			*reg = i == ecap_row ? CAPS_CAP : CAPS_ECAP;
			got = caps_reserved_token(*reg,
						  *reg == CAPS_CAP ? cap : ecap,
						  f);
		} else {
			const struct caps_field *fd =
				&caps_fields[i < ecap_row ? i : i - 1];

			*reg = (enum caps_reg)fd->reg;
			got = caps_token(fd, *reg == CAPS_CAP ? cap : ecap, f);
		}
		if (got)
			return true;
	}
	return false;
}

size_t vtd_caps_describe(u64 cap, u64 ecap, char *buf, size_t size)
{
	struct vtd_fmt f;
	struct vtd_fmt tok;
	char tbuf[64];
	size_t idx = 0;
	enum caps_reg reg;

	vtd_fmt_init(&f, buf, buf ? size : 0);
	for (;;) {
		vtd_fmt_init(&tok, tbuf, sizeof(tbuf));
		if (!caps_next(cap, ecap, &idx, &tok, &reg))
			break;
		if (f.len)
			vtd_fmt_putc(&f, ' ');
		vtd_fmt_puts(&f, tbuf);
	}
	return f.len;
}

#define CAPS_LOG_WIDTH	72	/* tokens per line, after the prefix */

static void caps_log_line(enum caps_reg reg, const char *text)
{
	hal_log(HAL_LOG_INFO, "vtd:   %s %s\n",
		reg == CAPS_CAP ? "CAP " : "ECAP", text);
}

void vtd_caps_log(u32 ver, u64 cap, u64 ecap)
{
	char line[CAPS_LOG_WIDTH + 64];
	char tbuf[64];
	struct vtd_fmt l, tok;
	enum caps_reg reg, line_reg = CAPS_CAP;
	size_t idx = 0;

	hal_log(HAL_LOG_INFO, "vtd: VER %u.%u CAP 0x%016llx ECAP 0x%016llx\n",
		(unsigned int)FIELD_GET(VTD_VER_MAX, ver),
		(unsigned int)FIELD_GET(VTD_VER_MIN, ver),
		(unsigned long long)cap, (unsigned long long)ecap);
	vtd_fmt_init(&l, line, sizeof(line));
	for (;;) {
		vtd_fmt_init(&tok, tbuf, sizeof(tbuf));
		if (!caps_next(cap, ecap, &idx, &tok, &reg))
			break;
		/* A new register or a full line starts a new line. */
		if (l.len && (reg != line_reg ||
			      l.len + 1 + tok.len > CAPS_LOG_WIDTH)) {
			caps_log_line(line_reg, line);
			vtd_fmt_init(&l, line, sizeof(line));
		}
		line_reg = reg;
		if (l.len)
			vtd_fmt_putc(&l, ' ');
		vtd_fmt_puts(&l, tbuf);
	}
	if (l.len)
		caps_log_line(line_reg, line);
}
