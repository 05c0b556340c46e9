// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of the DMAR table parser (vtd/dmar.c) [VT-d 8]. Tables are built
 * byte by byte by a small builder from the layouts of [VT-d 8.1-8.9], then
 * parsed from an exactly sized heap copy so that AddressSanitizer catches
 * any read past the buffer. Every malformed table checks the return code,
 * the reason, the offset, that *out is zeroed and that nothing was
 * allocated or leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtd/dmar.h>

#include "fakes/dmar_strict.h"
#include "fakes/fake_hal.h"

/* ---- Table builder ------------------------------------------------------ */

struct tb {
	u8 b[4096];
	size_t len;
};

static void tb_u8(struct tb *t, u8 v)
{
	assert_true(t->len < sizeof(t->b));
	t->b[t->len++] = v;
}

static void tb_u16(struct tb *t, u16 v)
{
	tb_u8(t, (u8)v);
	tb_u8(t, (u8)(v >> 8));
}

static void tb_u32(struct tb *t, u32 v)
{
	tb_u16(t, (u16)v);
	tb_u16(t, (u16)(v >> 16));
}

static void tb_u64(struct tb *t, u64 v)
{
	tb_u32(t, (u32)v);
	tb_u32(t, (u32)(v >> 32));
}

static void tb_bytes(struct tb *t, const void *p, size_t n)
{
	const u8 *s = p;

	while (n--)
		tb_u8(t, *s++);
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

/* [VT-d 8.1] header; @haw_field is the stored value (HAW - 1). */
static void tb_header(struct tb *t, u8 haw_field, u8 flags)
{
	memset(t, 0, sizeof(*t));
	tb_bytes(t, "DMAR", 4);
	tb_u32(t, 0);			/* length, fixed by tb_finish() */
	tb_u8(t, 1);			/* revision */
	tb_u8(t, 0);			/* checksum */
	tb_bytes(t, "LIBVTD", 6);	/* OEMID */
	tb_bytes(t, "TESTDMAR", 8);	/* OEM table ID */
	tb_u32(t, 1);			/* OEM revision */
	tb_bytes(t, "TEST", 4);		/* creator ID */
	tb_u32(t, 1);			/* creator revision */
	tb_u8(t, haw_field);
	tb_u8(t, flags);
	for (int i = 0; i < 10; i++)
		tb_u8(t, 0);
	assert_int_equal(t->len, 48);
}

/* Start a remapping structure [VT-d 8.2]; tb_end() fixes its length. */
static size_t tb_begin(struct tb *t, u16 type)
{
	size_t start = t->len;

	tb_u16(t, type);
	tb_u16(t, 0);
	return start;
}

static void tb_end(struct tb *t, size_t start)
{
	put16(t->b + start + 2, (u16)(t->len - start));
}

/* [VT-d 8.3] DRHD fields after the header; scopes follow. */
static size_t tb_drhd(struct tb *t, u8 flags, u8 size, u16 seg, u64 base)
{
	size_t s = tb_begin(t, 0);

	tb_u8(t, flags);
	tb_u8(t, size);
	tb_u16(t, seg);
	tb_u64(t, base);
	return s;
}

/* [VT-d 8.4] RMRR. */
static size_t tb_rmrr(struct tb *t, u16 seg, u64 base, u64 limit)
{
	size_t s = tb_begin(t, 1);

	tb_u16(t, 0);
	tb_u16(t, seg);
	tb_u64(t, base);
	tb_u64(t, limit);
	return s;
}

/* [VT-d 8.5] ATSR, [VT-d 8.8] SATC, [VT-d 8.9] SIDP: flags, rsvd, seg. */
static size_t tb_flags_seg(struct tb *t, u16 type, u8 flags, u16 seg)
{
	size_t s = tb_begin(t, type);

	tb_u8(t, flags);
	tb_u8(t, 0);
	tb_u16(t, seg);
	return s;
}

/* [VT-d 8.6] RHSA. */
static void tb_rhsa(struct tb *t, u64 base, u32 prox)
{
	size_t s = tb_begin(t, 3);

	tb_u32(t, 0);
	tb_u64(t, base);
	tb_u32(t, prox);
	tb_end(t, s);
}

/* [VT-d 8.7] ANDD with @n bytes of name. */
static void tb_andd(struct tb *t, u8 dev, const char *name, size_t n)
{
	size_t s = tb_begin(t, 4);

	tb_u8(t, 0);
	tb_u8(t, 0);
	tb_u8(t, 0);
	tb_u8(t, dev);
	tb_bytes(t, name, n);
	tb_end(t, s);
}

/* [VT-d 8.3.1] Device scope with @hops {dev, fn} pairs in @path. */
static void tb_scope(struct tb *t, u8 type, u8 flags, u8 enum_id, u8 bus,
		     const u8 *path, unsigned int hops)
{
	tb_u8(t, type);
	tb_u8(t, (u8)(6 + 2 * hops));
	tb_u8(t, flags);
	tb_u8(t, 0);
	tb_u8(t, enum_id);
	tb_u8(t, bus);
	tb_bytes(t, path, 2 * hops);
}

static void tb_checksum(struct tb *t)
{
	u8 sum = 0;

	t->b[9] = 0;
	for (size_t i = 0; i < t->len; i++)
		sum = (u8)(sum + t->b[i]);
	t->b[9] = (u8)-sum;
}

/* Set the header length to the bytes appended so far and checksum. */
static void tb_finish(struct tb *t)
{
	put32(t->b + 4, (u32)t->len);
	tb_checksum(t);
}

/* ---- Parse helpers ------------------------------------------------------ */

static u8 zero_dmar[sizeof(struct vtd_dmar)];

/* Parse @len bytes from an exactly sized heap copy. */
static int parse_copy(const u8 *table, size_t len, u32 max_units, u32 flags,
		      struct vtd_dmar *d, struct vtd_dmar_error *e)
{
	u8 *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, table, len);
	ret = vtd_dmar_parse(copy, len, max_units, flags, d, e);
	free(copy);		/* the result must not point into the table */
	return ret;
}

/*
 * Parse in mode @flags, expecting failure with exactly @rc, @reason and
 * @offset, *out zeroed and nothing allocated.
 */
static void expect_fail_mode(const struct tb *t, size_t len, u32 max_units,
			     u32 flags, int rc, enum vtd_dmar_err reason,
			     u32 offset)
{
	struct vtd_dmar d;
	struct vtd_dmar_error e;
	u64 pages = fake_mem_pages_in_use();
	u64 calls = fake_mem_alloc_calls();
	int ret;

	memset(&d, 0xa5, sizeof(d));
	memset(&e, 0xa5, sizeof(e));
	ret = parse_copy(t->b, len, max_units, flags, &d, &e);
	if (ret == 0)
		vtd_dmar_free(&d);
	if (ret != rc || e.reason != reason)
		fail_msg("%s: %d, reason %d (%s); want %d, %d (%s)",
			 flags ? "strict" : "lenient", ret, e.reason,
			 vtd_dmar_strerror(e.reason), rc, reason,
			 vtd_dmar_strerror(reason));
	assert_int_equal(e.offset, offset);
	assert_memory_equal(&d, zero_dmar, sizeof(d));
	assert_int_equal(fake_mem_pages_in_use(), pages);
	assert_int_equal(fake_mem_alloc_calls(), calls);
}

/* A table that is malformed, not sloppy: refused alike in both modes. */
static void expect_fail_len(const struct tb *t, size_t len, u32 max_units,
			    int rc, enum vtd_dmar_err reason, u32 offset)
{
	expect_fail_mode(t, len, max_units, 0, rc, reason, offset);
	expect_fail_mode(t, len, max_units, VTD_DMAR_PARSE_STRICT, rc, reason,
			 offset);
}

static void expect_fail(const struct tb *t, int rc, enum vtd_dmar_err reason,
			u32 offset)
{
	expect_fail_len(t, t->len, CONFIG_VTD_MAX_UNITS, rc, reason, offset);
}

/* A sloppy table: refused in strict mode only. */
static void expect_strict_fail(const struct tb *t, int rc,
			       enum vtd_dmar_err reason, u32 offset)
{
	expect_fail_mode(t, t->len, CONFIG_VTD_MAX_UNITS,
			 VTD_DMAR_PARSE_STRICT, rc, reason, offset);
}

static void expect_ok_mode(const struct tb *t, u32 flags, struct vtd_dmar *d)
{
	struct vtd_dmar_error e;
	int ret = parse_copy(t->b, t->len, CONFIG_VTD_MAX_UNITS, flags, d, &e);

	if (ret)
		fail_msg("%s parse: %d, %s at offset %u",
			 flags ? "strict" : "lenient", ret,
			 vtd_dmar_strerror(e.reason), e.offset);
	assert_int_equal(e.reason, VTD_DMAR_OK);
}

/* A clean table: parses in both modes, without warnings. */
static void expect_ok(const struct tb *t, struct vtd_dmar *d)
{
	expect_ok_mode(t, VTD_DMAR_PARSE_STRICT, d);
	assert_int_equal(d->warning_count, 0);
	assert_null(d->warnings);
	vtd_dmar_free(d);
	expect_ok_mode(t, 0, d);
	assert_int_equal(d->warning_count, 0);
	assert_null(d->warnings);
}

/* One expected warning. */
struct want_warn {
	enum vtd_dmar_warn kind;
	u32 offset;
};

/* @d carries exactly the @n warnings @w, in order. */
static void assert_warnings(const struct vtd_dmar *d,
			    const struct want_warn *w, u32 n)
{
	u32 i;

	if (d->warning_count != n)
		fail_msg("%u warnings, want %u%s%s", d->warning_count, n,
			 d->warning_count ? "; first: " : "",
			 d->warning_count ?
			 vtd_dmar_strwarn(d->warnings[0].kind) : "");
	for (i = 0; i < n; i++) {
		if (d->warnings[i].kind != w[i].kind)
			fail_msg("warning %u: %s, want %s", i,
				 vtd_dmar_strwarn(d->warnings[i].kind),
				 vtd_dmar_strwarn(w[i].kind));
		if (d->warnings[i].offset != w[i].offset)
			fail_msg("warning %u (%s): offset %u, want %u", i,
				 vtd_dmar_strwarn(w[i].kind),
				 d->warnings[i].offset, w[i].offset);
	}
	if (!n)
		assert_null(d->warnings);
}

/*
 * A sloppy table: parses leniently with exactly the warnings @w, and
 * strict mode refuses it at the first of them with @rc and @reason.
 */
static void expect_warned(const struct tb *t, struct vtd_dmar *d,
			  const struct want_warn *w, u32 n, int rc,
			  enum vtd_dmar_err reason)
{
	assert_true(n > 0);
	expect_strict_fail(t, rc, reason, w[0].offset);
	expect_ok_mode(t, 0, d);
	assert_warnings(d, w, n);
}

static void assert_path(const struct vtd_dmar_scope *s, const u8 *path,
			unsigned int hops)
{
	assert_int_equal(s->path_count, hops);
	for (unsigned int i = 0; i < hops; i++) {
		assert_int_equal(s->path[i].dev, path[2 * i]);
		assert_int_equal(s->path[i].fn, path[2 * i + 1]);
	}
}

/* A minimal valid table: one INCLUDE_PCI_ALL DRHD, no scopes. */
static void tb_minimal(struct tb *t)
{
	size_t s;

	tb_header(t, 38, 0);
	s = tb_drhd(t, 1, 0, 0, 0xfed90000);
	tb_end(t, s);
}

static u64 pages_at_start;

static int setup(void **state)
{
	fake_hal_reset();
	fake_log_clear();
	pages_at_start = fake_mem_pages_in_use();
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(fake_mem_pages_in_use(), pages_at_start);
	return 0;
}

/* ---- Good tables -------------------------------------------------------- */

static const u8 p_ioapic_qemu[] = { 0x00, 0x00 };

/* What QEMU 7.2's q35 builds with intremap=on,device-iotlb=on. */
static void build_qemu(struct tb *t)
{
	size_t s;

	tb_header(t, 38, VTD_DMAR_FLAG_INTR_REMAP |
		  VTD_DMAR_FLAG_X2APIC_OPT_OUT);
	s = tb_drhd(t, 1, 0, 0, 0xfed90000);
	tb_scope(t, VTD_DMAR_SCOPE_IOAPIC, 0, 0, 0xff, p_ioapic_qemu, 1);
	tb_end(t, s);
	s = tb_flags_seg(t, 2, 1, 0);		/* ATSR, ALL_PORTS */
	tb_end(t, s);
	tb_finish(t);
}

static void test_dmar_parse_qemu_single_unit(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	u64 pages = fake_mem_pages_in_use();

	build_qemu(&t);
	expect_ok(&t, &d);
	assert_int_equal(fake_mem_pages_in_use(), pages + 1);
	assert_int_equal(d.haw, 39);
	assert_int_equal(d.flags, 3);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.rmrr_count, 0);
	assert_int_equal(d.atsr_count, 1);
	assert_int_equal(d.rhsa_count + d.andd_count + d.satc_count +
			 d.sidp_count + d.unknown_count, 0);
	assert_null(d.rmrrs);
	assert_int_equal(d.drhds[0].reg_base, 0xfed90000);
	assert_int_equal(d.drhds[0].reg_size, 0x1000);
	assert_int_equal(d.drhds[0].segment, 0);
	assert_true(d.drhds[0].include_pci_all);
	assert_int_equal(d.drhds[0].scope_count, 1);
	assert_int_equal(d.drhds[0].scopes[0].type, VTD_DMAR_SCOPE_IOAPIC);
	assert_int_equal(d.drhds[0].scopes[0].enumeration_id, 0);
	assert_int_equal(d.drhds[0].scopes[0].start_bus, 0xff);
	assert_int_equal(d.drhds[0].scopes[0].flags, 0);
	assert_path(&d.drhds[0].scopes[0], p_ioapic_qemu, 1);
	assert_true(d.atsrs[0].all_ports);
	assert_int_equal(d.atsrs[0].segment, 0);
	assert_int_equal(d.atsrs[0].scope_count, 0);
	assert_null(d.atsrs[0].scopes);
	vtd_dmar_free(&d);
	assert_memory_equal(&d, zero_dmar, sizeof(d));
	assert_int_equal(fake_mem_pages_in_use(), pages);
	vtd_dmar_free(&d);			/* idempotent */
	vtd_dmar_free(NULL);
}

static const u8 p_gfx[] = { 0x02, 0x00 };
static const u8 p_rp_nic[] = { 0x1c, 0x00, 0x00, 0x00 };
static const u8 p_three[] = { 0x03, 0x00, 0x00, 0x00, 0x04, 0x01 };
static const u8 p_ioapic[] = { 0x1f, 0x07 };
static const u8 p_hpet[] = { 0x1f, 0x06 };
static const u8 p_acpi[] = { 0x15, 0x01 };
static const u8 p_usb[] = { 0x14, 0x00 };
static const u8 p_rp[] = { 0x1c, 0x00 };
static const u8 p_atc[] = { 0x05, 0x00 };
static const char andd_name[] = "\\_SB.PCI0.I2C0";

/*
 * Three units on two segments with every scope type and multi-hop paths,
 * two RMRRs, ATSR, RHSA, ANDD, SATC, SIDP and two unknown structures.
 */
static void build_full(struct tb *t)
{
	size_t s;

	tb_header(t, 45, VTD_DMAR_FLAG_INTR_REMAP |
		  VTD_DMAR_FLAG_DMA_CTRL_PLATFORM_OPT_IN);
	s = tb_drhd(t, 0, 0, 0, 0xfed90000);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_gfx, 1);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0, p_rp_nic, 2);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x10, p_three, 3);
	tb_end(t, s);
	s = tb_drhd(t, 1, 0, 0, 0xfed91000);
	tb_scope(t, VTD_DMAR_SCOPE_IOAPIC, 0, 2, 0xf0, p_ioapic, 1);
	tb_scope(t, VTD_DMAR_SCOPE_HPET, 0, 0, 0x00, p_hpet, 1);
	tb_scope(t, VTD_DMAR_SCOPE_ACPI_NAMESPACE, 0, 1, 0x00, p_acpi, 1);
	tb_end(t, s);
	s = tb_drhd(t, 1, 1, 1, 0xfed92000);	/* 8 KiB window, segment 1 */
	tb_end(t, s);
	s = tb_rmrr(t, 0, 0x3e000000, 0x3e7fffff);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_usb, 1);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_gfx, 1);
	tb_end(t, s);
	s = tb_rmrr(t, 0, 0x100000000ULL, 0x100000fffULL);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0, p_rp_nic, 2);
	tb_end(t, s);
	s = tb_flags_seg(t, 2, 0, 0);		/* ATSR, listed ports */
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0, p_rp, 1);
	tb_end(t, s);
	tb_rhsa(t, 0xfed90000, 1);
	tb_andd(t, 1, andd_name, sizeof(andd_name));
	s = tb_flags_seg(t, 5, 1, 0);		/* SATC, ATC_REQUIRED */
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, VTD_DMAR_SCOPE_ATC_REQUIRED,
		 0, 0, p_atc, 1);
	tb_end(t, s);
	s = tb_flags_seg(t, 6, 0, 0);		/* SIDP */
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0x1f, 0, 0, p_gfx, 1);
	tb_end(t, s);
	s = tb_begin(t, 0x7f);			/* unknown, with a body */
	tb_u64(t, 0x1122334455667788ULL);
	tb_end(t, s);
	s = tb_begin(t, 7);			/* unknown, header only */
	tb_end(t, s);
	tb_finish(t);
}

static void check_full(const struct vtd_dmar *d)
{
	const struct vtd_dmar_drhd *u;
	const struct vtd_dmar_scope *sc;

	assert_int_equal(d->haw, 46);
	assert_int_equal(d->flags, 5);
	assert_int_equal(d->drhd_count, 3);
	assert_int_equal(d->rmrr_count, 2);
	assert_int_equal(d->atsr_count, 1);
	assert_int_equal(d->rhsa_count, 1);
	assert_int_equal(d->andd_count, 1);
	assert_int_equal(d->satc_count, 1);
	assert_int_equal(d->sidp_count, 1);
	assert_int_equal(d->unknown_count, 2);

	u = &d->drhds[0];
	assert_int_equal(u->reg_base, 0xfed90000);
	assert_int_equal(u->reg_size, 0x1000);
	assert_int_equal(u->segment, 0);
	assert_false(u->include_pci_all);
	assert_int_equal(u->scope_count, 3);
	sc = u->scopes;
	assert_int_equal(sc[0].type, VTD_DMAR_SCOPE_PCI_ENDPOINT);
	assert_int_equal(sc[0].start_bus, 0);
	assert_path(&sc[0], p_gfx, 1);
	assert_int_equal(sc[1].type, VTD_DMAR_SCOPE_PCI_BRIDGE);
	assert_path(&sc[1], p_rp_nic, 2);
	assert_int_equal(sc[2].type, VTD_DMAR_SCOPE_PCI_ENDPOINT);
	assert_int_equal(sc[2].start_bus, 0x10);
	assert_path(&sc[2], p_three, 3);

	u = &d->drhds[1];
	assert_int_equal(u->reg_base, 0xfed91000);
	assert_true(u->include_pci_all);
	assert_int_equal(u->scope_count, 3);
	sc = u->scopes;
	assert_int_equal(sc[0].type, VTD_DMAR_SCOPE_IOAPIC);
	assert_int_equal(sc[0].enumeration_id, 2);
	assert_int_equal(sc[0].start_bus, 0xf0);
	assert_path(&sc[0], p_ioapic, 1);
	assert_int_equal(sc[1].type, VTD_DMAR_SCOPE_HPET);
	assert_int_equal(sc[1].enumeration_id, 0);
	assert_path(&sc[1], p_hpet, 1);
	assert_int_equal(sc[2].type, VTD_DMAR_SCOPE_ACPI_NAMESPACE);
	assert_int_equal(sc[2].enumeration_id, 1);
	assert_path(&sc[2], p_acpi, 1);

	u = &d->drhds[2];
	assert_int_equal(u->reg_base, 0xfed92000);
	assert_int_equal(u->reg_size, 0x2000);
	assert_int_equal(u->segment, 1);
	assert_true(u->include_pci_all);
	assert_int_equal(u->scope_count, 0);
	assert_null(u->scopes);

	assert_int_equal(d->rmrrs[0].segment, 0);
	assert_int_equal(d->rmrrs[0].base, 0x3e000000);
	assert_int_equal(d->rmrrs[0].limit, 0x3e7fffff);
	assert_int_equal(d->rmrrs[0].scope_count, 2);
	assert_path(&d->rmrrs[0].scopes[0], p_usb, 1);
	assert_path(&d->rmrrs[0].scopes[1], p_gfx, 1);
	assert_int_equal(d->rmrrs[1].base, 0x100000000ULL);
	assert_int_equal(d->rmrrs[1].limit, 0x100000fffULL);
	assert_int_equal(d->rmrrs[1].scope_count, 1);
	assert_int_equal(d->rmrrs[1].scopes[0].type,
			 VTD_DMAR_SCOPE_PCI_BRIDGE);
	assert_path(&d->rmrrs[1].scopes[0], p_rp_nic, 2);

	assert_false(d->atsrs[0].all_ports);
	assert_int_equal(d->atsrs[0].segment, 0);
	assert_int_equal(d->atsrs[0].scope_count, 1);
	assert_path(&d->atsrs[0].scopes[0], p_rp, 1);

	assert_int_equal(d->rhsas[0].reg_base, 0xfed90000);
	assert_int_equal(d->rhsas[0].proximity_domain, 1);

	assert_int_equal(d->andds[0].acpi_device_number, 1);
	assert_string_equal(d->andds[0].name, andd_name);

	assert_true(d->satcs[0].atc_required);
	assert_int_equal(d->satcs[0].scope_count, 1);
	assert_int_equal(d->satcs[0].scopes[0].flags,
			 VTD_DMAR_SCOPE_ATC_REQUIRED);
	assert_path(&d->satcs[0].scopes[0], p_atc, 1);

	assert_int_equal(d->sidps[0].segment, 0);
	assert_int_equal(d->sidps[0].scope_count, 1);
	assert_int_equal(d->sidps[0].scopes[0].flags, 0x1f);
}

static void test_dmar_parse_full_table(void **state)
{
	struct tb t;
	struct vtd_dmar d;

	build_full(&t);
	expect_ok(&t, &d);
	check_full(&d);
	/* Everything lives in the one block the parser allocated. */
	assert_int_equal(fake_mem_pages_in_use(), pages_at_start + 1);
	assert_true((u8 *)d.andds[0].name > (u8 *)d.storage &&
		    (u8 *)d.andds[0].name < (u8 *)d.storage + 4096);
	vtd_dmar_free(&d);
}

static void test_dmar_parse_unaligned_buffer(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	u8 *raw = malloc(sizeof(t.b) + 8);
	int ret;

	build_full(&t);
	for (unsigned int shift = 1; shift < 8; shift++) {
		memcpy(raw + shift, t.b, t.len);
		ret = vtd_dmar_parse(raw + shift, t.len, 8, 0, &d, NULL);
		assert_int_equal(ret, 0);
		check_full(&d);
		vtd_dmar_free(&d);
	}
	free(raw);
}

/* Bytes past the header's length (but within @len) are not read as data. */
static void test_dmar_parse_ignores_bytes_after_table(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	size_t len;

	build_qemu(&t);
	len = t.len;
	memset(t.b + len, 0xee, 64);
	assert_int_equal(parse_copy(t.b, len + 64, 8, 0, &d, NULL), 0);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.atsr_count, 1);
	vtd_dmar_free(&d);
}

static void test_dmar_parse_unknown_types_skipped(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	size_t s;

	tb_minimal(&t);
	s = tb_begin(&t, 0xffff);
	tb_u32(&t, 0xdeadbeef);
	tb_end(&t, s);
	s = tb_begin(&t, 42);
	tb_end(&t, s);
	tb_finish(&t);
	expect_ok(&t, &d);
	assert_int_equal(d.unknown_count, 2);
	assert_int_equal(d.drhd_count, 1);
	vtd_dmar_free(&d);
}

/* INCLUDE_PCI_ALL in two different segments is fine. */
static void test_dmar_parse_include_all_per_segment(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	size_t s;

	tb_header(&t, 38, 0);
	s = tb_drhd(&t, 1, 0, 0, 0xfed90000);
	tb_end(&t, s);
	s = tb_drhd(&t, 1, 0, 1, 0xfed91000);
	tb_end(&t, s);
	tb_finish(&t);
	expect_ok(&t, &d);
	assert_int_equal(d.drhd_count, 2);
	assert_int_equal(d.drhds[1].segment, 1);
	vtd_dmar_free(&d);
}

static void test_dmar_parse_exactly_max_units(void **state)
{
	struct tb t;
	struct vtd_dmar d;

	tb_header(&t, 38, 0);
	for (unsigned int i = 0; i < 3; i++)
		tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed90000 + 0x1000 * i));
	tb_finish(&t);
	assert_int_equal(parse_copy(t.b, t.len, 3, 0, &d, NULL), 0);
	assert_int_equal(d.drhd_count, 3);
	assert_int_equal(d.drhds[2].reg_base, 0xfed92000);
	vtd_dmar_free(&d);
}

/* ---- Arguments and header --------------------------------------------- */

static void test_dmar_parse_bad_args(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	struct vtd_dmar_error e;

	build_qemu(&t);
	memset(&d, 0xa5, sizeof(d));
	assert_int_equal(vtd_dmar_parse(NULL, t.len, 8, 0, &d, &e), -EINVAL);
	assert_int_equal(e.reason, VTD_DMAR_ERR_ARGS);
	assert_memory_equal(&d, zero_dmar, sizeof(d));
	assert_int_equal(vtd_dmar_parse(t.b, t.len, 8, 0, NULL, &e), -EINVAL);
	assert_int_equal(e.reason, VTD_DMAR_ERR_ARGS);
	expect_fail_len(&t, t.len, 0, -EINVAL, VTD_DMAR_ERR_ARGS, 0);
	expect_fail_len(&t, t.len, CONFIG_VTD_MAX_UNITS + 1, -EINVAL,
			VTD_DMAR_ERR_ARGS, 0);
	/* Flags other than VTD_DMAR_PARSE_STRICT are refused. */
	expect_fail_mode(&t, t.len, 8, 2, -EINVAL, VTD_DMAR_ERR_ARGS, 0);
	expect_fail_mode(&t, t.len, 8, VTD_DMAR_PARSE_STRICT | 0x80000000u,
			 -EINVAL, VTD_DMAR_ERR_ARGS, 0);
	/* No error record is fine too. */
	assert_int_equal(vtd_dmar_parse(t.b, 0, 8, 0, &d, NULL), -EINVAL);
}

static void test_dmar_reject_len_shorter_than_header(void **state)
{
	struct tb t;

	build_qemu(&t);
	expect_fail_len(&t, 47, 8, -EINVAL, VTD_DMAR_ERR_ARGS, 0);
	expect_fail_len(&t, 0, 8, -EINVAL, VTD_DMAR_ERR_ARGS, 0);
}

static void test_dmar_reject_bad_signature(void **state)
{
	struct tb t;

	build_qemu(&t);
	t.b[3] = 'X';
	tb_checksum(&t);
	expect_fail(&t, -EBADMSG, VTD_DMAR_ERR_SIGNATURE, 0);
}

/* [VT-d 8.1] A wrong checksum: ACPICA only warns, and so does the parser. */
static void test_dmar_bad_checksum_warns(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_CHECKSUM, 9 },
	};
	struct tb t;
	struct vtd_dmar d;

	build_qemu(&t);
	t.b[9]++;
	expect_warned(&t, &d, w, 1, -EBADMSG, VTD_DMAR_ERR_CHECKSUM);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.drhds[0].reg_base, 0xfed90000);
	assert_int_equal(d.atsr_count, 1);
	vtd_dmar_free(&d);
}

static void test_dmar_reject_header_length_beyond_len(void **state)
{
	struct tb t;

	build_qemu(&t);
	expect_fail_len(&t, t.len - 1, 8, -EINVAL, VTD_DMAR_ERR_LENGTH, 4);
}

static void test_dmar_reject_header_length_below_48(void **state)
{
	struct tb t;

	build_qemu(&t);
	put32(t.b + 4, 40);
	tb_checksum(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_LENGTH, 4);
}

/*
 * Host address width: below 32 bits is accepted with a warning and kept
 * as written (nothing in libvtd uses it); above 64 it cannot be an
 * address width and is refused.
 */
static void test_dmar_haw_range(void **state)
{
	static const u8 low[] = { 0, 1, 30 };
	static const u8 high[] = { 64, 100, 255 };
	static const struct want_warn w[] = { { VTD_DMAR_WARN_HAW, 36 } };
	struct vtd_dmar d;
	struct tb t;

	for (size_t i = 0; i < sizeof(low); i++) {
		build_qemu(&t);
		t.b[36] = low[i];
		tb_checksum(&t);
		expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_HAW);
		assert_int_equal(d.haw, low[i] + 1);
		assert_int_equal(d.drhd_count, 1);
		vtd_dmar_free(&d);
	}
	for (size_t i = 0; i < sizeof(high); i++) {
		build_qemu(&t);
		t.b[36] = high[i];
		tb_checksum(&t);
		expect_fail(&t, -EINVAL, VTD_DMAR_ERR_HAW, 36);
	}
	/* The edges of the range parse without a warning. */
	build_qemu(&t);
	t.b[36] = 31;
	tb_checksum(&t);
	expect_ok(&t, &d);
	assert_int_equal(d.haw, 32);
	vtd_dmar_free(&d);
	t.b[36] = 63;
	tb_checksum(&t);
	expect_ok(&t, &d);
	assert_int_equal(d.haw, 64);
	vtd_dmar_free(&d);
}

/* ---- Structure framing -------------------------------------------------- */

/*
 * A zero-length structure followed by nothing but zeros ends the walk
 * (Linux stops there too); what came before is kept.
 */
static void test_dmar_zero_length_structure_at_end(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_TRAILING, 64 + 2 },
	};
	struct vtd_dmar d;
	struct tb t;

	tb_minimal(&t);
	tb_u16(&t, 1);		/* RMRR with length 0 */
	tb_u16(&t, 0);
	tb_u64(&t, 0);
	tb_finish(&t);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.drhds[0].reg_base, 0xfed90000);
	assert_int_equal(d.rmrr_count + d.unknown_count, 0);
	vtd_dmar_free(&d);
	/* Just the 4-byte header, then the end of the table. */
	tb_minimal(&t);
	tb_u16(&t, 5);
	tb_u16(&t, 0);
	tb_finish(&t);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.satc_count, 0);
	vtd_dmar_free(&d);
}

/*
 * After a zero-length structure, any non-zero byte refuses the table: the
 * walk cannot reach what follows, and it could describe a unit.
 */
static void test_dmar_reject_zero_length_structure_before_data(void **state)
{
	struct tb t;

	tb_minimal(&t);
	tb_u16(&t, 1);
	tb_u16(&t, 0);
	tb_u64(&t, 0);
	tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed91000));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT, 64 + 2);
	tb_minimal(&t);
	tb_u32(&t, 0);
	tb_u64(&t, 0);
	tb_u8(&t, 0x80);	/* one byte, last in the table */
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT, 64 + 2);
}

/* Fewer zero bytes than a structure header at the end: the walk ends. */
static void test_dmar_trailing_zero_bytes(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_TRAILING, 64 },
	};
	struct vtd_dmar d;
	struct tb t;

	for (unsigned int n = 1; n < 4; n++) {
		tb_minimal(&t);
		for (unsigned int i = 0; i < n; i++)
			tb_u8(&t, 0);
		tb_finish(&t);
		expect_warned(&t, &d, w, 1, -EINVAL,
			      VTD_DMAR_ERR_STRUCT_OVERRUN);
		assert_int_equal(d.drhd_count, 1);
		vtd_dmar_free(&d);
	}
}

static void test_dmar_reject_length_below_header(void **state)
{
	struct tb t;

	tb_minimal(&t);
	tb_u16(&t, 0x50);	/* unknown type, length 3 */
	tb_u16(&t, 3);
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT, 64 + 2);
}

/* A structure of @type whose length is @len, padded with zeros. */
static void reject_short(u16 type, u16 len)
{
	struct tb t;

	tb_minimal(&t);
	tb_u16(&t, type);
	tb_u16(&t, len);
	while (t.len < 64 + (size_t)len)
		tb_u8(&t, 0);
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT, 64 + 2);
}

static void test_dmar_reject_short_structures(void **state)
{
	reject_short(0, 15);	/* DRHD < 16 */
	reject_short(0, 8);
	reject_short(1, 23);	/* RMRR < 24 */
	reject_short(1, 16);
	reject_short(2, 7);	/* ATSR < 8 */
	reject_short(3, 19);	/* RHSA < 20 */
	reject_short(3, 16);
	reject_short(4, 7);	/* ANDD < 8 */
	reject_short(5, 7);	/* SATC < 8 */
	reject_short(6, 6);	/* SIDP < 8 */
}

static void test_dmar_reject_structure_past_end(void **state)
{
	struct tb t;
	size_t s;

	tb_minimal(&t);
	s = tb_drhd(&t, 0, 0, 0, 0xfed91000);
	tb_end(&t, s);
	put16(t.b + s + 2, 40);		/* claims 40, 16 present */
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_OVERRUN, 64);
}

static void test_dmar_reject_truncated_structure_header(void **state)
{
	struct tb t;

	tb_minimal(&t);
	tb_u16(&t, 1);			/* 2 bytes: no room for a length */
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_OVERRUN, 64);
}

/*
 * A DRHD whose 8-byte register base is cut short by the table's end:
 * the header length stops 4 bytes into the field.
 */
static void test_dmar_reject_truncated_u64_at_end(void **state)
{
	struct tb t;
	size_t s;
	struct vtd_dmar_error e;
	struct vtd_dmar d;

	tb_minimal(&t);
	s = tb_drhd(&t, 0, 0, 0, 0xfed91000);
	tb_end(&t, s);
	t.len -= 4;
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_OVERRUN, 64);
	/* Same with the buffer ending there too: nothing read past it. */
	assert_int_equal(parse_copy(t.b, t.len, 8, 0, &d, &e), -EINVAL);
	/* And an RMRR whose limit is cut short. */
	tb_minimal(&t);
	s = tb_rmrr(&t, 0, 0x1000, 0x1fff);
	tb_end(&t, s);
	t.len -= 1;
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_OVERRUN, 64);
}

/* ---- Device scopes ------------------------------------------------------ */

/* A DRHD at 48 (scopes from 64) whose single scope has @slen as its length byte. */
static void build_scope_len(struct tb *t, u8 type, u8 slen, size_t body)
{
	size_t s;

	tb_header(t, 38, 0);
	s = tb_drhd(t, 1, 0, 0, 0xfed90000);
	tb_u8(t, type);
	tb_u8(t, slen);
	for (size_t i = 2; i < body; i++)
		tb_u8(t, 0);
	tb_end(t, s);
	tb_finish(t);
}

static void test_dmar_reject_scope_shorter_than_6(void **state)
{
	struct tb t;

	build_scope_len(&t, VTD_DMAR_SCOPE_IOAPIC, 4, 4);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_SHORT, 64 + 1);
	build_scope_len(&t, VTD_DMAR_SCOPE_IOAPIC, 0, 8);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_SHORT, 64 + 1);
}

/* A scope without a path names no device: skipped with a warning. */
static void test_dmar_scope_empty_path_skipped(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_SCOPE_EMPTY, 64 + 1 },
	};
	struct vtd_dmar d;
	struct tb t;

	build_scope_len(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 6, 6);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_SCOPE_SHORT);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.drhds[0].scope_count, 0);
	assert_null(d.drhds[0].scopes);
	vtd_dmar_free(&d);
}

static void test_dmar_reject_scope_odd_path(void **state)
{
	struct tb t;

	build_scope_len(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 9, 9);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_SHORT, 64 + 1);
}

static void test_dmar_reject_scope_past_structure(void **state)
{
	struct tb t;
	size_t s;

	/* Scope claims 10 bytes, its structure ends after 8... */
	build_scope_len(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 10, 8);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_OVERRUN, 64);
	/* ...even when the next structure's bytes follow in the table. */
	tb_header(&t, 38, 0);
	s = tb_drhd(&t, 1, 0, 0, 0xfed90000);
	tb_scope(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_gfx, 1);
	tb_end(&t, s);
	t.b[s + 16 + 1] = 12;
	tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed91000));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_OVERRUN, 64);
}

static void test_dmar_reject_scope_header_cut(void **state)
{
	struct tb t;

	/* One byte of scope left in the structure: no length byte. */
	build_scope_len(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 8, 8);
	put16(t.b + 48 + 2, 16 + 1);
	t.len = 48 + 17;
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_OVERRUN, 64);
}

/* Scope types 0 and 6 and up are skipped, as Linux does. */
static void test_dmar_unknown_scope_type_skipped(void **state)
{
	static const u8 bad[] = { 0, 6, 0x80, 0xff };
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_SCOPE_TYPE, 64 },
	};
	struct vtd_dmar d;
	struct tb t;

	for (size_t i = 0; i < sizeof(bad); i++) {
		build_scope_len(&t, bad[i], 8, 8);
		expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_SCOPE_TYPE);
		assert_int_equal(d.drhds[0].scope_count, 0);
		assert_null(d.drhds[0].scopes);
		vtd_dmar_free(&d);
	}
}

/* Scopes in an RMRR are checked like those in a DRHD. */
static void test_dmar_reject_bad_scope_in_rmrr(void **state)
{
	struct tb t;
	size_t s;

	tb_minimal(&t);
	s = tb_rmrr(&t, 0, 0x1000, 0x1fff);
	tb_scope(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_gfx, 1);
	tb_end(&t, s);
	t.b[s + 24 + 1] = 7;
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_SHORT, 64 + 24 + 1);
}

/* ---- Addresses ---------------------------------------------------------- */

static void rmrr_table(struct tb *t, u64 base, u64 limit)
{
	size_t s;

	tb_minimal(t);
	s = tb_rmrr(t, 0, base, limit);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_usb, 1);
	tb_end(t, s);
	tb_finish(t);
}

/* An inverted RMRR names no memory: dropped, with its scopes. */
static void test_dmar_rmrr_limit_below_base_dropped(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_RMRR_RANGE, 64 + 16 },
	};
	struct vtd_dmar d;
	struct tb t;

	rmrr_table(&t, 0x3e000000, 0x3dffffff);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_RANGE);
	assert_int_equal(d.rmrr_count, 0);
	assert_null(d.rmrrs);
	vtd_dmar_free(&d);
	/* Unaligned too: still only dropped, one warning. */
	rmrr_table(&t, 0x3e000800, 0x3e0007ff);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_RANGE);
	assert_int_equal(d.rmrr_count, 0);
	vtd_dmar_free(&d);
}

/* An unaligned RMRR is rounded out to whole pages, one warning a field. */
static void test_dmar_rmrr_unaligned_rounded_out(void **state)
{
	static const struct {
		u64 base, limit;	/* as the firmware writes them */
		u64 want_base, want_limit;
		struct want_warn w[2];
		u32 n;
	} cases[] = {
		{ 0x3e000800, 0x3e7fffff, 0x3e000000, 0x3e7fffff,
		  { { VTD_DMAR_WARN_RMRR_ALIGN, 64 + 8 } }, 1 },
		{ 0x3e000000, 0x3e7ffffe, 0x3e000000, 0x3e7fffff,
		  { { VTD_DMAR_WARN_RMRR_ALIGN, 64 + 16 } }, 1 },
		{ 0x3e000000, 0x3e800000, 0x3e000000, 0x3e800fff,
		  { { VTD_DMAR_WARN_RMRR_ALIGN, 64 + 16 } }, 1 },
		{ 0x3e000800, 0x3e000800, 0x3e000000, 0x3e000fff,
		  { { VTD_DMAR_WARN_RMRR_ALIGN, 64 + 8 },
		    { VTD_DMAR_WARN_RMRR_ALIGN, 64 + 16 } }, 2 },
		/* The top page: rounding the limit out cannot wrap. */
		{ 0xfffffffffffff800ULL, 0xfffffffffffffffeULL,
		  0xfffffffffffff000ULL, 0xffffffffffffffffULL,
		  { { VTD_DMAR_WARN_RMRR_ALIGN, 64 + 8 },
		    { VTD_DMAR_WARN_RMRR_ALIGN, 64 + 16 } }, 2 },
	};
	struct vtd_dmar d;
	struct tb t;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		rmrr_table(&t, cases[i].base, cases[i].limit);
		expect_warned(&t, &d, cases[i].w, cases[i].n, -EINVAL,
			      VTD_DMAR_ERR_ALIGN);
		assert_int_equal(d.rmrr_count, 1);
		assert_int_equal(d.rmrrs[0].base, cases[i].want_base);
		assert_int_equal(d.rmrrs[0].limit, cases[i].want_limit);
		assert_int_equal(d.rmrrs[0].scope_count, 1);
		assert_path(&d.rmrrs[0].scopes[0], p_usb, 1);
		vtd_dmar_free(&d);
	}
	/* Aligned, up to the last byte of the address space: no warning. */
	rmrr_table(&t, 0xfffffffffffff000ULL, 0xffffffffffffffffULL);
	expect_ok(&t, &d);
	assert_int_equal(d.rmrrs[0].limit, 0xffffffffffffffffULL);
	vtd_dmar_free(&d);
}

/*
 * A DRHD base off a page boundary is refused: the registers are not
 * there. One on a page boundary but not on its Size is used as written.
 */
static void test_dmar_drhd_unaligned_base(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_DRHD_ALIGN, 48 + 8 },
	};
	struct vtd_dmar d;
	struct tb t;

	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 0, 0, 0xfed90800));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_ALIGN, 48 + 8);
	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 3, 0, 0xfed90800));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_ALIGN, 48 + 8);
	/* 4 KiB aligned, but the window is 2^2 pages. */
	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 2, 0, 0xfed91000));
	tb_finish(&t);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_ALIGN);
	assert_int_equal(d.drhds[0].reg_base, 0xfed91000);
	assert_int_equal(d.drhds[0].reg_size, 0x4000);
	vtd_dmar_free(&d);
}

static void test_dmar_reject_drhd_base_zero_or_wrapping(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 0, 0, 0));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_RANGE, 48 + 8);
	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 1, 0, 0xfffffffffffff000ULL));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_RANGE, 48 + 8);
}

/*
 * One register base in two segments: one of the two units is somewhere
 * the table does not say, and its devices would be unprotected.
 */
static void test_dmar_reject_duplicate_base_across_segments(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed90000));
	tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed91000));
	tb_end(&t, tb_drhd(&t, 1, 0, 1, 0xfed90000));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_DUPLICATE, 48 + 32 + 8);
}

/*
 * One register base twice in one segment: the same unit listed twice;
 * the first is kept (as Linux does) and the second dropped with its
 * scopes. A dropped DRHD is not a unit: it counts neither against
 * max_units nor as the segment's INCLUDE_PCI_ALL unit.
 */
static void test_dmar_duplicate_base_keeps_first(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_DRHD_DUPLICATE, 48 + 24 + 16 + 8 },
	};
	struct vtd_dmar d;
	struct tb t;
	size_t s;

	tb_header(&t, 38, 0);
	s = tb_drhd(&t, 0, 0, 0, 0xfed90000);
	tb_scope(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_gfx, 1);
	tb_end(&t, s);
	tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed91000));
	s = tb_drhd(&t, 1, 1, 0, 0xfed90000);
	tb_scope(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0, p_usb, 1);
	tb_end(&t, s);
	tb_end(&t, tb_drhd(&t, 1, 0, 0, 0xfed92000));
	tb_finish(&t);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_DUPLICATE);
	assert_int_equal(d.drhd_count, 3);
	assert_int_equal(d.drhds[0].reg_base, 0xfed90000);
	assert_int_equal(d.drhds[0].reg_size, 0x1000);
	assert_false(d.drhds[0].include_pci_all);
	assert_int_equal(d.drhds[0].scope_count, 1);
	assert_path(&d.drhds[0].scopes[0], p_gfx, 1);
	assert_int_equal(d.drhds[1].reg_base, 0xfed91000);
	assert_int_equal(d.drhds[2].reg_base, 0xfed92000);
	assert_true(d.drhds[2].include_pci_all);
	vtd_dmar_free(&d);
	/* Three units plus the duplicate fit max_units = 3. */
	assert_int_equal(parse_copy(t.b, t.len, 3, 0, &d, NULL), 0);
	assert_int_equal(d.drhd_count, 3);
	vtd_dmar_free(&d);
	expect_fail_mode(&t, t.len, 2, 0, -E2BIG, VTD_DMAR_ERR_TOO_MANY,
			 48 + 24 + 16 + 24);
}

/*
 * Two INCLUDE_PCI_ALL units in one segment: the first keeps the flag
 * (Linux matches it first); the second stays a unit, with its listed
 * scopes, but without the flag.
 */
static void test_dmar_two_include_all_in_segment(void **state)
{
	static const struct want_warn w[] = {
		{ VTD_DMAR_WARN_DRHD_INCLUDE_ALL, 48 + 32 + 4 },
	};
	struct vtd_dmar d;
	struct tb t;
	size_t s;

	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 0, 3, 0xfed90000));
	tb_end(&t, tb_drhd(&t, 0, 0, 3, 0xfed91000));
	s = tb_drhd(&t, 1, 0, 3, 0xfed92000);
	tb_scope(&t, VTD_DMAR_SCOPE_IOAPIC, 0, 2, 0xf0, p_ioapic, 1);
	tb_end(&t, s);
	tb_end(&t, tb_drhd(&t, 1, 0, 4, 0xfed93000));
	tb_finish(&t);
	expect_warned(&t, &d, w, 1, -EINVAL, VTD_DMAR_ERR_DUPLICATE);
	assert_int_equal(d.drhd_count, 4);
	assert_true(d.drhds[0].include_pci_all);
	assert_false(d.drhds[1].include_pci_all);
	assert_false(d.drhds[2].include_pci_all);
	assert_int_equal(d.drhds[2].reg_base, 0xfed92000);
	assert_int_equal(d.drhds[2].segment, 3);
	assert_int_equal(d.drhds[2].scope_count, 1);
	assert_int_equal(d.drhds[2].scopes[0].type, VTD_DMAR_SCOPE_IOAPIC);
	assert_true(d.drhds[3].include_pci_all);	/* segment 4 */
	vtd_dmar_free(&d);
}

/*
 * Several deviations of one DRHD are listed in the order of their fields
 * (Flags at +4 before the base at +8), so that a table's warnings are in
 * table order, and strict mode refuses at the first of them.
 */
static void test_dmar_drhd_deviations_in_field_order(void **state)
{
	static const struct want_warn all_align[] = {
		{ VTD_DMAR_WARN_DRHD_INCLUDE_ALL, 64 + 4 },
		{ VTD_DMAR_WARN_DRHD_ALIGN, 64 + 8 },
	};
	static const struct want_warn align_dup[] = {
		{ VTD_DMAR_WARN_DRHD_ALIGN, 64 + 8 },
		{ VTD_DMAR_WARN_DRHD_DUPLICATE, 64 + 8 },
	};
	struct vtd_dmar d;
	struct tb t;

	/* A second catch-all unit with a 32 KiB window on a 16 KiB base. */
	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 0, 0, 0xfed90000));
	tb_end(&t, tb_drhd(&t, 1, 3, 0, 0xfed94000));
	tb_finish(&t);
	expect_warned(&t, &d, all_align, 2, -EINVAL, VTD_DMAR_ERR_DUPLICATE);
	assert_int_equal(d.drhd_count, 2);
	assert_false(d.drhds[1].include_pci_all);
	assert_int_equal(d.drhds[1].reg_size, 0x8000);
	vtd_dmar_free(&d);
	/* A repeated base, with a window it is not aligned to. */
	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 0, 0, 0xfed94000));
	tb_end(&t, tb_drhd(&t, 1, 3, 0, 0xfed94000));
	tb_finish(&t);
	expect_warned(&t, &d, align_dup, 2, -EINVAL, VTD_DMAR_ERR_ALIGN);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.drhds[0].reg_size, 0x1000);
	vtd_dmar_free(&d);
}

static void test_dmar_reject_too_many_units(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	for (unsigned int i = 0; i < 5; i++)
		tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed90000 + 0x1000 * i));
	tb_finish(&t);
	expect_fail_len(&t, t.len, 4, -E2BIG, VTD_DMAR_ERR_TOO_MANY,
			48 + 4 * 16);
	expect_fail_len(&t, t.len, 1, -E2BIG, VTD_DMAR_ERR_TOO_MANY, 48 + 16);
}

/* A malformed structure after the excess DRHDs still names itself. */
static void test_dmar_malformed_beats_too_many(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	for (unsigned int i = 0; i < 3; i++)
		tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed90000 + 0x1000 * i));
	tb_u16(&t, 2);
	tb_u16(&t, 3);
	tb_finish(&t);
	expect_fail_len(&t, t.len, 1, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT,
			48 + 3 * 16 + 2);
	/*
	 * A zero-length structure there ends the walk (a warning): the
	 * excess units are refused; strict mode refuses the structure.
	 */
	put16(t.b + 48 + 3 * 16 + 2, 0);
	tb_checksum(&t);
	expect_fail_mode(&t, t.len, 1, 0, -E2BIG, VTD_DMAR_ERR_TOO_MANY,
			 48 + 16);
	expect_fail_mode(&t, t.len, 1, VTD_DMAR_PARSE_STRICT, -EINVAL,
			 VTD_DMAR_ERR_STRUCT_SHORT, 48 + 3 * 16 + 2);
}

static void test_dmar_reject_no_unit(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	tb_rhsa(&t, 0xfed90000, 0);
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_NO_UNIT, 48);
	tb_header(&t, 38, 0);
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_NO_UNIT, 48);
}

/* ---- ANDD names ---------------------------------------------------------- */

static void test_dmar_reject_andd_name_not_terminated(void **state)
{
	struct tb t;

	tb_minimal(&t);
	tb_andd(&t, 1, "\\_SB.I2C0", 9);	/* no NUL */
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_NAME, 64 + 8);
}

static void test_dmar_reject_andd_name_empty(void **state)
{
	struct tb t;

	tb_minimal(&t);
	tb_andd(&t, 1, "", 1);			/* just the NUL */
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_NAME, 64 + 8);
	tb_minimal(&t);
	tb_andd(&t, 1, "", 0);			/* no name bytes at all */
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_NAME, 64 + 8);
}

/* Padding after the NUL is allowed; the copy stops at the NUL. */
static void test_dmar_andd_name_with_padding(void **state)
{
	struct tb t;
	struct vtd_dmar d;

	tb_minimal(&t);
	tb_andd(&t, 7, "\\_SB.UAR1\0\0\0\0", 14);
	tb_andd(&t, 8, "\\_SB.SPI0", 10);
	tb_finish(&t);
	expect_ok(&t, &d);
	assert_int_equal(d.andd_count, 2);
	assert_string_equal(d.andds[0].name, "\\_SB.UAR1");
	assert_int_equal(d.andds[0].acpi_device_number, 7);
	assert_string_equal(d.andds[1].name, "\\_SB.SPI0");
	vtd_dmar_free(&d);
}

/* ---- Real firmware: a two-socket server and its sloppy variants -------- */

/* Every decoded field of @a equals that of @b (the warnings aside). */
static void assert_scopes_equal(const struct vtd_dmar_scope *a,
				const struct vtd_dmar_scope *b, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		assert_int_equal(a[i].type, b[i].type);
		assert_int_equal(a[i].flags, b[i].flags);
		assert_int_equal(a[i].enumeration_id, b[i].enumeration_id);
		assert_int_equal(a[i].start_bus, b[i].start_bus);
		assert_int_equal(a[i].path_count, b[i].path_count);
		for (u32 j = 0; j < a[i].path_count; j++) {
			assert_int_equal(a[i].path[j].dev, b[i].path[j].dev);
			assert_int_equal(a[i].path[j].fn, b[i].path[j].fn);
		}
	}
}

static void assert_dmar_equal(const struct vtd_dmar *a,
			      const struct vtd_dmar *b)
{
	assert_int_equal(a->haw, b->haw);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->drhd_count, b->drhd_count);
	assert_int_equal(a->rmrr_count, b->rmrr_count);
	assert_int_equal(a->atsr_count, b->atsr_count);
	assert_int_equal(a->rhsa_count, b->rhsa_count);
	assert_int_equal(a->andd_count, b->andd_count);
	assert_int_equal(a->satc_count, b->satc_count);
	assert_int_equal(a->sidp_count, b->sidp_count);
	assert_int_equal(a->unknown_count, b->unknown_count);
	for (u32 i = 0; i < a->drhd_count; i++) {
		const struct vtd_dmar_drhd *x = &a->drhds[i], *y = &b->drhds[i];

		assert_int_equal(x->reg_base, y->reg_base);
		assert_int_equal(x->reg_size, y->reg_size);
		assert_int_equal(x->segment, y->segment);
		assert_int_equal(x->include_pci_all, y->include_pci_all);
		assert_int_equal(x->scope_count, y->scope_count);
		assert_true(!x->scopes == !x->scope_count);
		assert_scopes_equal(x->scopes, y->scopes, x->scope_count);
	}
	for (u32 i = 0; i < a->rmrr_count; i++) {
		const struct vtd_dmar_rmrr *x = &a->rmrrs[i], *y = &b->rmrrs[i];

		assert_int_equal(x->segment, y->segment);
		assert_int_equal(x->base, y->base);
		assert_int_equal(x->limit, y->limit);
		assert_int_equal(x->scope_count, y->scope_count);
		assert_true(!x->scopes == !x->scope_count);
		assert_scopes_equal(x->scopes, y->scopes, x->scope_count);
	}
	for (u32 i = 0; i < a->atsr_count; i++) {
		const struct vtd_dmar_atsr *x = &a->atsrs[i], *y = &b->atsrs[i];

		assert_int_equal(x->segment, y->segment);
		assert_int_equal(x->all_ports, y->all_ports);
		assert_int_equal(x->scope_count, y->scope_count);
		assert_scopes_equal(x->scopes, y->scopes, x->scope_count);
	}
	for (u32 i = 0; i < a->rhsa_count; i++) {
		assert_int_equal(a->rhsas[i].reg_base, b->rhsas[i].reg_base);
		assert_int_equal(a->rhsas[i].proximity_domain,
				 b->rhsas[i].proximity_domain);
	}
	for (u32 i = 0; i < a->andd_count; i++) {
		assert_int_equal(a->andds[i].acpi_device_number,
				 b->andds[i].acpi_device_number);
		assert_string_equal(a->andds[i].name, b->andds[i].name);
	}
	for (u32 i = 0; i < a->satc_count; i++) {
		const struct vtd_dmar_satc *x = &a->satcs[i], *y = &b->satcs[i];

		assert_int_equal(x->segment, y->segment);
		assert_int_equal(x->atc_required, y->atc_required);
		assert_int_equal(x->scope_count, y->scope_count);
		assert_scopes_equal(x->scopes, y->scopes, x->scope_count);
	}
	for (u32 i = 0; i < a->sidp_count; i++) {
		assert_int_equal(a->sidps[i].segment, b->sidps[i].segment);
		assert_int_equal(a->sidps[i].scope_count,
				 b->sidps[i].scope_count);
		assert_scopes_equal(a->sidps[i].scopes, b->sidps[i].scopes,
				    a->sidps[i].scope_count);
	}
}

/*
 * What each variant of the server table does wrong. The same builder
 * writes, for each, the sloppy table and the table a careful firmware
 * would have written for what libvtd uses of it (FIRMWARE.md).
 */
enum fw_variant {
	FW_CLEAN,
	FW_CHECKSUM,		/* checksum off by one */
	FW_HAW,			/* HAW 31 bits */
	FW_TRAILING_STRUCT,	/* a zero-length structure and zeros */
	FW_TRAILING_BYTES,	/* three zero bytes */
	FW_DRHD_ALIGN,		/* socket-0 stack unit: 32 KiB, 16 KiB aligned */
	FW_DRHD_DUPLICATE,	/* the socket-1 unit listed twice */
	FW_INCLUDE_ALL,		/* a second INCLUDE_PCI_ALL unit */
	FW_RMRR_ALIGN,		/* USB RMRR off page boundaries */
	FW_RMRR_RANGE,		/* an extra RMRR with limit below base */
	FW_SCOPE_TYPE,		/* scopes of type 0 and 7 */
	FW_SCOPE_EMPTY,		/* a scope without a path */
	FW_ALL,			/* every deviation above at once */
	FW_VARIANT_COUNT
};

/* Where the builder put what the warnings name. */
struct fw_marks {
	u32 drhd_b;		/* socket-0 stack unit */
	u32 drhd_dup;		/* its duplicate (FW_DRHD_DUPLICATE) */
	u32 drhd_all2;		/* second INCLUDE_PCI_ALL unit */
	u32 rmrr_usb;
	u32 rmrr_bad;		/* the inverted RMRR */
	u32 scope_t0;		/* scope type 0 in the first unit */
	u32 scope_t7;		/* scope type 7 in the bridged RMRR */
	u32 scope_empty;	/* pathless scope in the ATSR */
	u32 trailing;		/* where the walk ends */
};

static bool fw_has(enum fw_variant v, enum fw_variant want)
{
	return v == want || v == FW_ALL;
}

/* Root ports and what sits behind them, as a Xeon lists them. */
static const u8 p_rp_s0[] = { 0x00, 0x00 };		/* 17:00.0 */
static const u8 p_rp_s0b[] = { 0x02, 0x00 };		/* 17:02.0 */
static const u8 p_rp_s1[] = { 0x00, 0x00 };		/* 85:00.0 */
static const u8 p_ioapic_s0[] = { 0x05, 0x04 };		/* 16:05.4 */
static const u8 p_ioapic_s1[] = { 0x05, 0x04 };		/* 84:05.4 */
static const u8 p_pch_ioapic[] = { 0x1f, 0x00 };	/* 00:1f.0 */
static const u8 p_xhci[] = { 0x14, 0x00 };
static const u8 p_ehci[] = { 0x1a, 0x00 };
/* BMC VGA: root port 00:1c.5 -> ASPEED PCIe-to-PCI bridge -> 00.0 */
static const u8 p_bmc_vga[] = { 0x1c, 0x05, 0x00, 0x00, 0x00, 0x00 };
/* NIC behind root port 17:00.0 */
static const u8 p_nic[] = { 0x00, 0x00, 0x00, 0x00 };
static const u8 p_dsa[] = { 0x01, 0x00 };		/* 6a:01.0 */

#define FW_HAW_FIELD	45			/* 46 bits */

/*
 * A two-socket Xeon's table: a unit per PCIe stack (two on socket 0, one
 * on socket 1) and the PCH's INCLUDE_PCI_ALL unit with its IOAPIC and
 * HPET, RMRRs for USB and for the BMC's VGA and a NIC behind bridges,
 * an ATSR for the stack root ports, RHSAs for both sockets and a SATC
 * for the accelerator. @sloppy false writes what libvtd makes of
 * variant @v (a clean table); true writes @v itself.
 */
static void build_server(struct tb *t, enum fw_variant v, bool sloppy,
			 struct fw_marks *m)
{
	bool s = sloppy;
	size_t o;

	memset(m, 0, sizeof(*m));
	tb_header(t, s && fw_has(v, FW_HAW) ? 30 : FW_HAW_FIELD,
		  VTD_DMAR_FLAG_INTR_REMAP | VTD_DMAR_FLAG_X2APIC_OPT_OUT);

	o = tb_drhd(t, 0, 0, 0, 0x9d7fc000);		/* socket 0, stack 0 */
	if (s && fw_has(v, FW_SCOPE_TYPE)) {
		m->scope_t0 = (u32)t->len;
		tb_scope(t, 0, 0, 0, 0x17, p_rp_s0, 1);
	}
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x17, p_rp_s0, 1);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x17, p_rp_s0b, 1);
	tb_scope(t, VTD_DMAR_SCOPE_IOAPIC, 0, 9, 0x16, p_ioapic_s0, 1);
	tb_end(t, o);

	m->drhd_b = (u32)t->len;			/* socket 0, stack 1 */
	o = tb_drhd(t, 0, s && fw_has(v, FW_DRHD_ALIGN) ? 3 : 0, 0, 0xaaffc000);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x6a, p_dsa, 1);
	tb_end(t, o);

	o = tb_drhd(t, 0, 0, 0, 0xc5ffc000);		/* socket 1 */
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x85, p_rp_s1, 1);
	tb_scope(t, VTD_DMAR_SCOPE_IOAPIC, 0, 10, 0x84, p_ioapic_s1, 1);
	tb_end(t, o);
	if (s && fw_has(v, FW_DRHD_DUPLICATE)) {
		/* The same unit again, listing one root port of the first. */
		m->drhd_dup = (u32)t->len;
		o = tb_drhd(t, 0, 0, 0, 0xc5ffc000);
		tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x85, p_rp_s1,
			 1);
		tb_end(t, o);
	}

	o = tb_drhd(t, 1, 0, 0, 0xfbffc000);		/* PCH: the rest */
	tb_scope(t, VTD_DMAR_SCOPE_IOAPIC, 0, 8, 0x00, p_pch_ioapic, 1);
	tb_scope(t, VTD_DMAR_SCOPE_HPET, 0, 0, 0x00, p_pch_ioapic, 1);
	tb_end(t, o);
	if (fw_has(v, FW_INCLUDE_ALL)) {
		/* A second PCH unit, claiming the rest too. */
		m->drhd_all2 = (u32)t->len;
		o = tb_drhd(t, s ? 1 : 0, 0, 0, 0xfbffd000);
		tb_scope(t, VTD_DMAR_SCOPE_HPET, 0, 1, 0x00, p_pch_ioapic,
			 1);
		tb_end(t, o);
	}

	m->rmrr_usb = (u32)t->len;
	if (s && fw_has(v, FW_RMRR_ALIGN))
		o = tb_rmrr(t, 0, 0x6a8f1234, 0x6a903800);
	else if (fw_has(v, FW_RMRR_ALIGN))
		o = tb_rmrr(t, 0, 0x6a8f1000, 0x6a903fff);
	else
		o = tb_rmrr(t, 0, 0x6a8f1000, 0x6a902fff);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x00, p_xhci, 1);
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x00, p_ehci, 1);
	tb_end(t, o);

	o = tb_rmrr(t, 0, 0x7b800000, 0x7bffffff);	/* behind bridges */
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x00, p_bmc_vga, 3);
	if (s && fw_has(v, FW_SCOPE_TYPE)) {
		m->scope_t7 = (u32)t->len;
		tb_scope(t, 7, 0, 0, 0x00, p_xhci, 1);
	}
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x17, p_nic, 2);
	tb_end(t, o);
	if (s && fw_has(v, FW_RMRR_RANGE)) {
		m->rmrr_bad = (u32)t->len;
		o = tb_rmrr(t, 0, 0x7c000000, 0x7bffffff);
		tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x00, p_ehci,
			 1);
		tb_end(t, o);
	}

	o = tb_flags_seg(t, 2, 0, 0);			/* ATSR */
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x17, p_rp_s0, 1);
	if (s && fw_has(v, FW_SCOPE_EMPTY)) {
		m->scope_empty = (u32)t->len;
		tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x3a, NULL, 0);
	}
	tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x85, p_rp_s1, 1);
	tb_end(t, o);

	tb_rhsa(t, 0x9d7fc000, 0);
	tb_rhsa(t, 0xaaffc000, 0);
	tb_rhsa(t, 0xc5ffc000, 1);

	o = tb_flags_seg(t, 5, 1, 0);			/* SATC */
	tb_scope(t, VTD_DMAR_SCOPE_PCI_ENDPOINT, VTD_DMAR_SCOPE_ATC_REQUIRED,
		 0, 0x6a, p_dsa, 1);
	tb_end(t, o);

	m->trailing = (u32)t->len;
	if (s && fw_has(v, FW_TRAILING_STRUCT)) {
		tb_u16(t, 0);
		tb_u16(t, 0);
		tb_u64(t, 0);
	} else if (s && v == FW_TRAILING_BYTES) {
		tb_u8(t, 0);
		tb_u8(t, 0);
		tb_u8(t, 0);
	}
	tb_finish(t);
	if (s && fw_has(v, FW_CHECKSUM))
		t->b[9]++;
}

/* The warnings variant @v must give, in table order; returns how many. */
static u32 fw_warnings(enum fw_variant v, const struct fw_marks *m,
		       struct want_warn *w)
{
	u32 n = 0;

#define W(kind, off)	(w[n++] = (struct want_warn){ (kind), (u32)(off) })
	if (fw_has(v, FW_CHECKSUM))
		W(VTD_DMAR_WARN_CHECKSUM, 9);
	if (fw_has(v, FW_HAW))
		W(VTD_DMAR_WARN_HAW, 36);
	if (fw_has(v, FW_SCOPE_TYPE))
		W(VTD_DMAR_WARN_SCOPE_TYPE, m->scope_t0);
	if (fw_has(v, FW_DRHD_ALIGN))
		W(VTD_DMAR_WARN_DRHD_ALIGN, m->drhd_b + 8);
	if (fw_has(v, FW_DRHD_DUPLICATE))
		W(VTD_DMAR_WARN_DRHD_DUPLICATE, m->drhd_dup + 8);
	if (fw_has(v, FW_INCLUDE_ALL))
		W(VTD_DMAR_WARN_DRHD_INCLUDE_ALL, m->drhd_all2 + 4);
	if (fw_has(v, FW_RMRR_ALIGN)) {
		W(VTD_DMAR_WARN_RMRR_ALIGN, m->rmrr_usb + 8);
		W(VTD_DMAR_WARN_RMRR_ALIGN, m->rmrr_usb + 16);
	}
	if (fw_has(v, FW_SCOPE_TYPE))
		W(VTD_DMAR_WARN_SCOPE_TYPE, m->scope_t7);
	if (fw_has(v, FW_RMRR_RANGE))
		W(VTD_DMAR_WARN_RMRR_RANGE, m->rmrr_bad + 16);
	if (fw_has(v, FW_SCOPE_EMPTY))
		W(VTD_DMAR_WARN_SCOPE_EMPTY, m->scope_empty + 1);
	if (fw_has(v, FW_TRAILING_STRUCT))
		W(VTD_DMAR_WARN_TRAILING, m->trailing + 2);
	if (v == FW_TRAILING_BYTES)
		W(VTD_DMAR_WARN_TRAILING, m->trailing);
#undef W
	return n;
}

/* How strict mode refuses the first deviation of variant @v. */
static void fw_strict_error(enum fw_variant v, int *rc,
			    enum vtd_dmar_err *reason)
{
	static const enum vtd_dmar_err reasons[FW_VARIANT_COUNT] = {
		[FW_CHECKSUM] = VTD_DMAR_ERR_CHECKSUM,
		[FW_HAW] = VTD_DMAR_ERR_HAW,
		[FW_TRAILING_STRUCT] = VTD_DMAR_ERR_STRUCT_SHORT,
		[FW_TRAILING_BYTES] = VTD_DMAR_ERR_STRUCT_OVERRUN,
		[FW_DRHD_ALIGN] = VTD_DMAR_ERR_ALIGN,
		[FW_DRHD_DUPLICATE] = VTD_DMAR_ERR_DUPLICATE,
		[FW_INCLUDE_ALL] = VTD_DMAR_ERR_DUPLICATE,
		[FW_RMRR_ALIGN] = VTD_DMAR_ERR_ALIGN,
		[FW_RMRR_RANGE] = VTD_DMAR_ERR_RANGE,
		[FW_SCOPE_TYPE] = VTD_DMAR_ERR_SCOPE_TYPE,
		[FW_SCOPE_EMPTY] = VTD_DMAR_ERR_SCOPE_SHORT,
		[FW_ALL] = VTD_DMAR_ERR_CHECKSUM,
	};

	*reason = reasons[v];
	*rc = *reason == VTD_DMAR_ERR_CHECKSUM ? -EBADMSG : -EINVAL;
}

/* The server table as libvtd decodes it, checked field by field. */
static void check_server(const struct vtd_dmar *d)
{
	const struct vtd_dmar_drhd *u = d->drhds;
	const struct vtd_dmar_rmrr *r = d->rmrrs;

	assert_int_equal(d->haw, 46);
	assert_int_equal(d->flags, 3);
	assert_int_equal(d->drhd_count, 4);
	assert_int_equal(d->rmrr_count, 2);
	assert_int_equal(d->atsr_count, 1);
	assert_int_equal(d->rhsa_count, 3);
	assert_int_equal(d->satc_count, 1);
	assert_int_equal(d->andd_count + d->sidp_count + d->unknown_count, 0);

	assert_int_equal(u[0].reg_base, 0x9d7fc000);
	assert_int_equal(u[0].reg_size, 0x1000);
	assert_false(u[0].include_pci_all);
	assert_int_equal(u[0].scope_count, 3);
	assert_int_equal(u[0].scopes[0].type, VTD_DMAR_SCOPE_PCI_BRIDGE);
	assert_int_equal(u[0].scopes[0].start_bus, 0x17);
	assert_path(&u[0].scopes[0], p_rp_s0, 1);
	assert_path(&u[0].scopes[1], p_rp_s0b, 1);
	assert_int_equal(u[0].scopes[2].type, VTD_DMAR_SCOPE_IOAPIC);
	assert_int_equal(u[0].scopes[2].enumeration_id, 9);
	assert_int_equal(u[1].reg_base, 0xaaffc000);
	assert_int_equal(u[1].scope_count, 1);
	assert_int_equal(u[2].reg_base, 0xc5ffc000);
	assert_int_equal(u[2].scope_count, 2);
	assert_int_equal(u[2].scopes[0].start_bus, 0x85);
	assert_int_equal(u[3].reg_base, 0xfbffc000);
	assert_true(u[3].include_pci_all);
	assert_int_equal(u[3].scopes[1].type, VTD_DMAR_SCOPE_HPET);

	assert_int_equal(r[0].base, 0x6a8f1000);
	assert_int_equal(r[0].limit, 0x6a902fff);
	assert_int_equal(r[0].scope_count, 2);
	assert_path(&r[0].scopes[0], p_xhci, 1);
	assert_path(&r[0].scopes[1], p_ehci, 1);
	assert_int_equal(r[1].base, 0x7b800000);
	assert_int_equal(r[1].limit, 0x7bffffff);
	assert_int_equal(r[1].scope_count, 2);
	assert_int_equal(r[1].scopes[0].start_bus, 0);
	assert_path(&r[1].scopes[0], p_bmc_vga, 3);
	assert_int_equal(r[1].scopes[1].start_bus, 0x17);
	assert_path(&r[1].scopes[1], p_nic, 2);

	assert_false(d->atsrs[0].all_ports);
	assert_int_equal(d->atsrs[0].scope_count, 2);
	assert_int_equal(d->rhsas[2].proximity_domain, 1);
	assert_true(d->satcs[0].atc_required);
	assert_int_equal(d->satcs[0].scopes[0].flags,
			 VTD_DMAR_SCOPE_ATC_REQUIRED);
}

static void test_dmar_server_table(void **state)
{
	struct fw_marks m;
	struct vtd_dmar d;
	struct tb t;

	build_server(&t, FW_CLEAN, true, &m);
	expect_ok(&t, &d);
	check_server(&d);
	vtd_dmar_free(&d);
}

/*
 * Each sloppy variant of the server table: strict mode refuses it at its
 * first deviation; the lenient parse gives exactly the documented
 * warnings, and units, scopes and RMRRs equal, field by field, those of
 * the clean table holding what FIRMWARE.md says is used.
 */
static void test_dmar_server_sloppy_variants(void **state)
{
	for (int v = FW_CHECKSUM; v < FW_VARIANT_COUNT; v++) {
		struct want_warn w[16];
		struct fw_marks m, mc;
		struct vtd_dmar d, want;
		enum vtd_dmar_err reason;
		struct tb t, clean;
		u32 n;
		int rc;

		build_server(&t, v, true, &m);
		build_server(&clean, v, false, &mc);
		n = fw_warnings(v, &m, w);
		fw_strict_error(v, &rc, &reason);
		expect_warned(&t, &d, w, n, rc, reason);
		expect_ok(&clean, &want);
		/* What a clean table cannot say: kept as written. */
		if (fw_has(v, FW_HAW))
			want.haw = 31;
		if (fw_has(v, FW_DRHD_ALIGN)) {
			assert_int_equal(d.drhds[1].reg_size, 0x8000);
			assert_int_equal(d.drhds[1].reg_base, 0xaaffc000);
			want.drhds[1].reg_size = 0x8000;
		}
		assert_dmar_equal(&d, &want);
		vtd_dmar_free(&want);
		vtd_dmar_free(&d);
	}
}

/* The clean counterpart of each variant, and what it decodes to. */
static void test_dmar_server_variant_outcomes(void **state)
{
	struct fw_marks m;
	struct vtd_dmar d;
	struct tb t;

	/* Rounded out to whole pages. */
	build_server(&t, FW_RMRR_ALIGN, true, &m);
	expect_ok_mode(&t, 0, &d);
	assert_int_equal(d.rmrrs[0].base, 0x6a8f1000);
	assert_int_equal(d.rmrrs[0].limit, 0x6a903fff);
	vtd_dmar_free(&d);
	/* The inverted RMRR is gone; the others are whole. */
	build_server(&t, FW_RMRR_RANGE, true, &m);
	expect_ok_mode(&t, 0, &d);
	assert_int_equal(d.rmrr_count, 2);
	assert_int_equal(d.rmrrs[1].base, 0x7b800000);
	vtd_dmar_free(&d);
	/* The duplicate's scope was dropped with it. */
	build_server(&t, FW_DRHD_DUPLICATE, true, &m);
	expect_ok_mode(&t, 0, &d);
	assert_int_equal(d.drhd_count, 4);
	assert_int_equal(d.drhds[2].scope_count, 2);
	assert_int_equal(d.drhds[3].reg_base, 0xfbffc000);
	vtd_dmar_free(&d);
	/* The second catch-all unit is a unit, without the flag. */
	build_server(&t, FW_INCLUDE_ALL, true, &m);
	expect_ok_mode(&t, 0, &d);
	assert_int_equal(d.drhd_count, 5);
	assert_true(d.drhds[3].include_pci_all);
	assert_false(d.drhds[4].include_pci_all);
	assert_int_equal(d.drhds[4].reg_base, 0xfbffd000);
	assert_int_equal(d.drhds[4].scope_count, 1);
	vtd_dmar_free(&d);
	/* Skipped scopes leave their neighbours in order. */
	build_server(&t, FW_SCOPE_TYPE, true, &m);
	expect_ok_mode(&t, 0, &d);
	assert_int_equal(d.drhds[0].scope_count, 3);
	assert_path(&d.drhds[0].scopes[0], p_rp_s0, 1);
	assert_int_equal(d.rmrrs[1].scope_count, 2);
	assert_path(&d.rmrrs[1].scopes[1], p_nic, 2);
	vtd_dmar_free(&d);
	build_server(&t, FW_SCOPE_EMPTY, true, &m);
	expect_ok_mode(&t, 0, &d);
	assert_int_equal(d.atsrs[0].scope_count, 2);
	assert_int_equal(d.atsrs[0].scopes[1].start_bus, 0x85);
	vtd_dmar_free(&d);
	/* Everything at once: the same result as each alone. */
	build_server(&t, FW_ALL, true, &m);
	expect_ok_mode(&t, 0, &d);
	assert_int_equal(d.warning_count, 12);
	assert_int_equal(d.haw, 31);
	assert_int_equal(d.drhd_count, 5);
	assert_int_equal(d.rmrr_count, 2);
	vtd_dmar_free(&d);
}

/*
 * A table with @n units, as on a two-socket system with many PCIe
 * stacks: n - 1 stack units on two sockets and the PCH's INCLUDE_PCI_ALL
 * unit last, each stack with a root port and an RHSA.
 */
static void build_units(struct tb *t, unsigned int n)
{
	static const u8 rp[] = { 0x00, 0x00 };

	tb_header(t, 51, VTD_DMAR_FLAG_INTR_REMAP);
	for (unsigned int i = 0; i + 1 < n; i++) {
		size_t o = tb_drhd(t, 0, 0, 0, 0x90000000 + 0x1000000ULL * i);

		tb_scope(t, VTD_DMAR_SCOPE_PCI_BRIDGE, 0, 0, (u8)(0x10 * i + 1),
			 rp, 1);
		tb_end(t, o);
	}
	tb_end(t, tb_drhd(t, 1, 0, 0, 0xfed90000));
	for (unsigned int i = 0; i + 1 < n; i++)
		tb_rhsa(t, 0x90000000 + 0x1000000ULL * i, i < n / 2 ? 0 : 1);
	tb_finish(t);
}

/* Current two-socket Xeons list up to 17 units: all of them are used. */
static void test_dmar_parse_17_units(void **state)
{
	struct vtd_dmar d;
	struct tb t;

	assert_true(CONFIG_VTD_MAX_UNITS >= 17);
	build_units(&t, 17);
	expect_ok(&t, &d);
	assert_int_equal(d.drhd_count, 17);
	assert_int_equal(d.rhsa_count, 16);
	for (unsigned int i = 0; i < 16; i++) {
		assert_int_equal(d.drhds[i].reg_base,
				 0x90000000 + 0x1000000ULL * i);
		assert_false(d.drhds[i].include_pci_all);
		assert_int_equal(d.drhds[i].scope_count, 1);
		assert_int_equal(d.drhds[i].scopes[0].start_bus, 0x10 * i + 1);
		assert_int_equal(d.rhsas[i].proximity_domain, i < 8 ? 0 : 1);
	}
	assert_int_equal(d.drhds[16].reg_base, 0xfed90000);
	assert_true(d.drhds[16].include_pci_all);
	vtd_dmar_free(&d);
	/* A caller's own lower bound still holds, and says where. */
	assert_int_equal(parse_copy(t.b, t.len, 17, 0, &d, NULL), 0);
	vtd_dmar_free(&d);
	expect_fail_mode(&t, t.len, 16, 0, -E2BIG, VTD_DMAR_ERR_TOO_MANY,
			 48 + 16 * 24);
}

/*
 * CONFIG_VTD_MAX_UNITS units parse; one more is refused whole (-E2BIG),
 * never cut short, at the first unit past the bound.
 */
static void test_dmar_units_bound(void **state)
{
	struct vtd_dmar d;
	struct tb t;

	build_units(&t, CONFIG_VTD_MAX_UNITS);
	expect_ok(&t, &d);
	assert_int_equal(d.drhd_count, CONFIG_VTD_MAX_UNITS);
	assert_true(d.drhds[CONFIG_VTD_MAX_UNITS - 1].include_pci_all);
	vtd_dmar_free(&d);
	build_units(&t, CONFIG_VTD_MAX_UNITS + 1);
	expect_fail(&t, -E2BIG, VTD_DMAR_ERR_TOO_MANY,
		    48 + 24 * CONFIG_VTD_MAX_UNITS);
}

/* ---- Allocation, strings, log -------------------------------------------- */

static void test_dmar_parse_nomem(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	struct vtd_dmar_error e;
	u64 calls = fake_mem_alloc_calls();

	build_full(&t);
	memset(&d, 0xa5, sizeof(d));
	fake_mem_fail_nth(1, false);
	assert_int_equal(parse_copy(t.b, t.len, 8, 0, &d, &e), -ENOMEM);
	assert_int_equal(e.reason, VTD_DMAR_ERR_NOMEM);
	assert_memory_equal(&d, zero_dmar, sizeof(d));
	assert_int_equal(fake_mem_alloc_calls(), calls + 1);
	assert_int_equal(fake_mem_pages_in_use(), pages_at_start);
	/* The very next attempt succeeds: one allocation per parse. */
	assert_int_equal(parse_copy(t.b, t.len, 8, 0, &d, &e), 0);
	assert_int_equal(fake_mem_alloc_calls(), calls + 2);
	vtd_dmar_free(&d);
}

static void test_dmar_strerror(void **state)
{
	for (int r = 0; r < VTD_DMAR_ERR_COUNT; r++)
		assert_string_not_equal(vtd_dmar_strerror(r), "unknown error");
	assert_string_equal(vtd_dmar_strerror(VTD_DMAR_ERR_COUNT),
			    "unknown error");
	assert_string_equal(vtd_dmar_strerror((enum vtd_dmar_err)-1),
			    "unknown error");
}

static void test_dmar_strwarn(void **state)
{
	for (int w = 0; w < VTD_DMAR_WARN_COUNT; w++)
		assert_string_not_equal(vtd_dmar_strwarn(w),
					"unknown deviation");
	assert_string_equal(vtd_dmar_strwarn(VTD_DMAR_WARN_COUNT),
			    "unknown deviation");
	assert_string_equal(vtd_dmar_strwarn((enum vtd_dmar_warn)-1),
			    "unknown deviation");
	assert_non_null(strstr(vtd_dmar_strwarn(VTD_DMAR_WARN_RMRR_ALIGN),
			       "rounded out"));
}

/* The log ends with one summary line and one line per deviation. */
static void test_dmar_log_warnings(void **state)
{
	struct fw_marks m;
	struct vtd_dmar d;
	const char *log;
	char line[128];
	struct tb t;

	build_server(&t, FW_RMRR_ALIGN, true, &m);
	expect_ok_mode(&t, 0, &d);
	fake_log_clear();
	vtd_dmar_log(&d);
	log = fake_log_text();
	assert_non_null(strstr(log, "RMRR 0: segment 0 0x6a8f1000-0x6a903fff, 2 scopes\n"));
	assert_non_null(strstr(log, "vtd: DMAR: 2 firmware deviations accepted (docs/FIRMWARE.md)\n"));
	snprintf(line, sizeof(line), "vtd: DMAR offset 0x%x: RMRR base or limit not page aligned; rounded out to whole pages\n",
		 m.rmrr_usb + 8);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "vtd: DMAR offset 0x%x: RMRR", m.rmrr_usb + 16);
	assert_non_null(strstr(log, line));
	vtd_dmar_free(&d);
	/* A clean table logs no deviation. */
	build_server(&t, FW_CLEAN, true, &m);
	expect_ok(&t, &d);
	fake_log_clear();
	vtd_dmar_log(&d);
	assert_null(strstr(fake_log_text(), "deviation"));
	vtd_dmar_free(&d);
}

static void test_dmar_log_text(void **state)
{
	struct tb t;
	struct vtd_dmar d;
	const char *log;

	build_full(&t);
	expect_ok(&t, &d);
	fake_log_clear();
	vtd_dmar_log(&d);
	log = fake_log_text();
	assert_non_null(strstr(log, "DMAR HAW 46 bits, flags 0x5 INTR_REMAP DMA_CTRL_PLATFORM_OPT_IN\n"));
	assert_non_null(strstr(log, "DRHD 0: base 0xfed90000 size 0x1000 segment 0, 3 scopes\n"));
	assert_non_null(strstr(log, "  PCI endpoint 00:02.0 flags 0x0\n"));
	assert_non_null(strstr(log, "  PCI bridge 00:1c.0 -> 00.0 flags 0x0\n"));
	assert_non_null(strstr(log, "  PCI endpoint 10:03.0 -> 00.0 -> 04.1 flags 0x0\n"));
	assert_non_null(strstr(log, "DRHD 1: base 0xfed91000 size 0x1000 segment 0 INCLUDE_PCI_ALL, 3 scopes\n"));
	assert_non_null(strstr(log, "  IOAPIC id 2 at f0:1f.7"));
	assert_non_null(strstr(log, "  HPET id 0 at 00:1f.6"));
	assert_non_null(strstr(log, "  ACPI namespace id 1 at 00:15.1"));
	assert_non_null(strstr(log, "DRHD 2: base 0xfed92000 size 0x2000 segment 1 INCLUDE_PCI_ALL, 0 scopes\n"));
	assert_non_null(strstr(log, "RMRR 0: segment 0 0x3e000000-0x3e7fffff, 2 scopes\n"));
	assert_non_null(strstr(log, "RMRR 1: segment 0 0x100000000-0x100000fff, 1 scopes\n"));
	assert_non_null(strstr(log, "ATSR 0: segment 0, 1 scopes\n"));
	assert_non_null(strstr(log, "RHSA 0: base 0xfed90000 proximity domain 1\n"));
	assert_non_null(strstr(log, "ANDD 0: ACPI device 1 \"\\_SB.PCI0.I2C0\"\n"));
	assert_non_null(strstr(log, "SATC 0: segment 0 ATC_REQUIRED, 1 scopes\n"));
	assert_non_null(strstr(log, "  PCI endpoint 00:05.0 flags 0x10\n"));
	assert_non_null(strstr(log, "SIDP 0: segment 0, 1 scopes\n"));
	assert_non_null(strstr(log, "2 unknown structures skipped\n"));
	vtd_dmar_free(&d);

	build_qemu(&t);
	expect_ok(&t, &d);
	fake_log_clear();
	vtd_dmar_log(&d);
	log = fake_log_text();
	assert_non_null(strstr(log, "DMAR HAW 39 bits, flags 0x3 INTR_REMAP X2APIC_OPT_OUT\n"));
	assert_non_null(strstr(log, "ATSR 0: segment 0 ALL_PORTS, 0 scopes\n"));
	assert_null(strstr(log, "unknown"));
	vtd_dmar_free(&d);
	vtd_dmar_log(NULL);
}

/* ---- Fuzz ---------------------------------------------------------------- */

static u32 rng_state;

static u32 rng(void)
{
	/* xorshift32: deterministic, so a failure can be replayed. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void assert_scopes_sane(const struct vtd_dmar_scope *s, u32 n)
{
	assert_true(!s == !n);
	for (u32 i = 0; i < n; i++) {
		assert_true(s[i].path_count >= 1);
		assert_true(s[i].type >= VTD_DMAR_SCOPE_PCI_ENDPOINT &&
			    s[i].type <= VTD_DMAR_SCOPE_ACPI_NAMESPACE);
	}
}

/*
 * What every parsed table satisfies, whatever the firmware wrote: units
 * within the bound, at distinct bases, one INCLUDE_PCI_ALL per segment;
 * scopes of known types with a path; RMRRs of whole pages; warnings of
 * known kinds inside the table.
 */
static void assert_dmar_sane(const struct vtd_dmar *d, u32 max_units,
			     size_t len)
{
	assert_true(d->drhd_count >= 1 && d->drhd_count <= max_units);
	for (u32 i = 0; i < d->drhd_count; i++) {
		const struct vtd_dmar_drhd *u = &d->drhds[i];

		assert_true(u->reg_base && !(u->reg_base & 0xfff));
		assert_scopes_sane(u->scopes, u->scope_count);
		for (u32 j = 0; j < i; j++) {
			assert_true(d->drhds[j].reg_base != u->reg_base);
			assert_false(u->include_pci_all &&
				     d->drhds[j].include_pci_all &&
				     d->drhds[j].segment == u->segment);
		}
	}
	for (u32 i = 0; i < d->rmrr_count; i++) {
		const struct vtd_dmar_rmrr *r = &d->rmrrs[i];

		assert_true(!(r->base & 0xfff) && (r->limit & 0xfff) == 0xfff);
		assert_true(r->limit >= r->base);
		assert_scopes_sane(r->scopes, r->scope_count);
	}
	for (u32 i = 0; i < d->atsr_count; i++)
		assert_scopes_sane(d->atsrs[i].scopes, d->atsrs[i].scope_count);
	for (u32 i = 0; i < d->satc_count; i++)
		assert_scopes_sane(d->satcs[i].scopes, d->satcs[i].scope_count);
	for (u32 i = 0; i < d->sidp_count; i++)
		assert_scopes_sane(d->sidps[i].scopes, d->sidps[i].scope_count);
	assert_true(!d->warnings == !d->warning_count);
	for (u32 i = 0; i < d->warning_count; i++) {
		assert_true(d->warnings[i].kind > VTD_DMAR_WARN_NONE &&
			    d->warnings[i].kind < VTD_DMAR_WARN_COUNT);
		assert_true(d->warnings[i].offset < len);
		if (i)
			assert_true(d->warnings[i].offset >=
				    d->warnings[i - 1].offset);
	}
}

/*
 * Mutate good tables thousands of times: flip bits, overwrite bytes
 * (favouring the length bytes the walk depends on), truncate them, and
 * usually re-fix the checksum so that the mutation reaches the structure
 * walk. Each table is parsed in both modes. The parser must never crash
 * or read out of bounds (ASan), must return 0 or one of its documented
 * errors, and must leak nothing; a result satisfies assert_dmar_sane().
 * The modes agree: strict accepts exactly the tables lenient accepts
 * without a warning, with the same result, and refuses the others at
 * lenient's first warning, or where lenient refuses.
 */
static void test_dmar_fuzz(void **state)
{
	struct tb bases[2], t;
	struct vtd_dmar d, ds;
	struct vtd_dmar_error e, es;
	struct fw_marks m;
	unsigned int ok = 0, failed = 0, kinds = 0, warned_kinds = 0;
	unsigned int seen[VTD_DMAR_ERR_COUNT] = { 0 };
	unsigned int warned[VTD_DMAR_WARN_COUNT] = { 0 };

	build_full(&bases[0]);
	build_server(&bases[1], FW_CLEAN, true, &m);
	rng_state = 0x2545f491;
	for (unsigned int iter = 0; iter < 20000; iter++) {
		unsigned int muts = 1 + rng() % 4;
		u32 max_units;
		size_t len;
		int ret, rets;

		memcpy(&t, &bases[iter % 2], sizeof(t));
		for (unsigned int k = 0; k < muts; k++) {
			size_t at = rng() % t.len;

			switch (rng() % 5) {
			case 0:
				t.b[at] ^= (u8)(1u << (rng() % 8));
				break;
			case 1:
				t.b[at] = (u8)rng();
				break;
			case 2:		/* a small value: lengths, types */
				t.b[at] = (u8)(rng() % 40);
				break;
			case 3:
				t.len = 48 + rng() % (t.len - 47);
				put32(t.b + 4, (u32)t.len);
				break;
			default:	/* zero a byte */
				t.b[at] = 0;
				break;
			}
		}
		if (rng() % 8)
			tb_checksum(&t);
		len = t.len;
		if (rng() % 16 == 0)
			len = rng() % (t.len + 1);
		max_units = 1 + rng() % CONFIG_VTD_MAX_UNITS;

		ret = parse_copy(t.b, len, max_units, 0, &d, &e);
		memset(&ds, 0xa5, sizeof(ds));
		rets = parse_copy(t.b, len, max_units, VTD_DMAR_PARSE_STRICT,
				  &ds, &es);
		if (ret == 0) {
			ok++;
			assert_dmar_sane(&d, max_units, len);
			for (u32 i = 0; i < d.warning_count; i++)
				warned[d.warnings[i].kind]++;
			if (d.warning_count == 0) {
				assert_int_equal(rets, 0);
				assert_int_equal(ds.warning_count, 0);
				assert_dmar_equal(&ds, &d);
			} else {
				assert_true(rets == -EINVAL ||
					    rets == -EBADMSG);
				assert_true(dmar_warn_is_reason(
					d.warnings[0].kind, es.reason));
				assert_int_equal(es.offset,
						 d.warnings[0].offset);
			}
			fake_log_clear();
			vtd_dmar_log(&d);
			vtd_dmar_free(&d);
		} else {
			failed++;
			assert_true(ret == -EINVAL || ret == -EBADMSG ||
				    ret == -E2BIG);
			assert_true(e.reason != VTD_DMAR_OK &&
				    e.reason < VTD_DMAR_ERR_COUNT);
			if (e.offset > (len > 48 ? len : 48))
				fail_msg("iter %u len %zu: %s at %u", iter,
					 len, vtd_dmar_strerror(e.reason),
					 e.offset);
			assert_memory_equal(&d, zero_dmar, sizeof(d));
			seen[e.reason]++;
			/* What lenient refuses, strict refuses. */
			assert_true(rets != 0);
		}
		if (rets == 0) {
			assert_int_equal(ds.warning_count, 0);
			vtd_dmar_free(&ds);
		} else {
			assert_memory_equal(&ds, zero_dmar, sizeof(ds));
		}
		assert_int_equal(fake_mem_pages_in_use(), pages_at_start);
	}
	for (unsigned int r = 0; r < VTD_DMAR_ERR_COUNT; r++) {
		if (seen[r])
			kinds++;
		if (getenv("DMAR_FUZZ_STATS"))
			print_message("%-50s %u\n", vtd_dmar_strerror(r),
				      seen[r]);
	}
	for (unsigned int w = 0; w < VTD_DMAR_WARN_COUNT; w++) {
		if (warned[w])
			warned_kinds++;
		if (getenv("DMAR_FUZZ_STATS"))
			print_message("%-50s %u\n", vtd_dmar_strwarn(w),
				      warned[w]);
	}
	/* The mutations reach the structure and scope checks. */
	assert_true(kinds >= 10);
	/* ... and the deviations lenient mode accepts. */
	assert_true(warned_kinds >= 8);
	/* Both outcomes were exercised. */
	assert_true(ok > 100);
	assert_true(failed > 100);
}

/* Bridges: 00:1c.0 -> bus 3, 03:00.0 -> bus 4; nothing else. */
static int sid_bus_of(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn)
{
	if (seg != 7)
		return -1;
	if (bus == 0 && dev == 0x1c && fn == 0)
		return 3;
	if (bus == 3 && dev == 0 && fn == 0)
		return 4;
	return -1;
}

static void test_dmar_scope_sid(void **state)
{
	struct vtd_dmar_path p3[3] = { { 0x1c, 0 }, { 0, 0 }, { 2, 5 } };
	struct vtd_dmar_scope s = {
		.type = VTD_DMAR_SCOPE_PCI_ENDPOINT, .start_bus = 0,
		.path_count = 1, .path = p3,
	};

	assert_int_equal(vtd_dmar_scope_sid(&s, 7, NULL, NULL), 0x00e0);
	s.path_count = 3;
	assert_int_equal(vtd_dmar_scope_sid(&s, 7, NULL, NULL), -ENODEV);
	assert_int_equal(vtd_dmar_scope_sid(&s, 7, sid_bus_of, NULL),
			 0x0415);			/* 04:02.5 */
	assert_int_equal(vtd_dmar_scope_sid(&s, 6, sid_bus_of, NULL),
			 -ENODEV);
	p3[1].fn = 1;					/* not a bridge */
	assert_int_equal(vtd_dmar_scope_sid(&s, 7, sid_bus_of, NULL),
			 -ENODEV);
	s.type = VTD_DMAR_SCOPE_IOAPIC;
	assert_int_equal(vtd_dmar_scope_sid(&s, 7, sid_bus_of, NULL),
			 -EINVAL);
	s.type = VTD_DMAR_SCOPE_PCI_BRIDGE;
	s.path_count = 0;
	assert_int_equal(vtd_dmar_scope_sid(&s, 7, sid_bus_of, NULL),
			 -EINVAL);
	assert_int_equal(vtd_dmar_scope_sid(NULL, 7, NULL, NULL), -EINVAL);
}

/* Secondary bus of the bridge at 00:1c.0 is 5; no other bridge. */
static int bus_of_1c(void *ctx, u16 segment, u8 bus, u8 dev, u8 fn)
{
	(void)ctx;
	return segment == 0 && bus == 0 && dev == 0x1c && fn == 0 ? 5 :
								      -ENODEV;
}

/*
 * [VT-d 8.3.1] The unit for a source ID: an explicit endpoint scope wins
 * over the segment's INCLUDE_PCI_ALL unit; a bridge scope covers its
 * secondary bus (with a bus lookup); another segment has no unit.
 */
static void test_dmar_drhd_for_sid(void **state)
{
	static const struct vtd_dmar_path ep = { .dev = 3, .fn = 0 };
	static const struct vtd_dmar_path br = { .dev = 0x1c, .fn = 0 };
	static const struct vtd_dmar_scope s0[] = {
		{ .type = VTD_DMAR_SCOPE_PCI_ENDPOINT, .start_bus = 0,
		  .path_count = 1, .path = &ep },
		{ .type = VTD_DMAR_SCOPE_PCI_BRIDGE, .start_bus = 0,
		  .path_count = 1, .path = &br },
	};
	static const struct vtd_dmar_drhd units[] = {
		{ .reg_base = 0x1000, .segment = 0, .include_pci_all = true },
		{ .reg_base = 0x2000, .segment = 0, .scope_count = 2,
		  .scopes = s0 },
	};
	const struct vtd_dmar d = { .drhd_count = 2,
				    .drhds = (struct vtd_dmar_drhd *)units };

	assert_int_equal(vtd_dmar_drhd_for_sid(&d, 0, 0x0018, NULL, NULL), 1);
	assert_int_equal(vtd_dmar_drhd_for_sid(&d, 0, 0x0020, NULL, NULL), 0);
	/* Behind the bridge: only with the lookup. */
	assert_int_equal(vtd_dmar_drhd_for_sid(&d, 0, 0x0500, NULL, NULL), 0);
	assert_int_equal(vtd_dmar_drhd_for_sid(&d, 0, 0x0500, bus_of_1c,
					       NULL), 1);
	assert_int_equal(vtd_dmar_drhd_for_sid(&d, 0, 0x0600, bus_of_1c,
					       NULL), 0);
	assert_int_equal(vtd_dmar_drhd_for_sid(&d, 1, 0x0018, NULL, NULL),
			 -ENODEV);
	assert_int_equal(vtd_dmar_drhd_for_sid(NULL, 0, 0, NULL, NULL),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmar_drhd_for_sid),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_dmar_parse_qemu_single_unit),
		T(test_dmar_scope_sid),
		T(test_dmar_parse_full_table),
		T(test_dmar_parse_unaligned_buffer),
		T(test_dmar_parse_ignores_bytes_after_table),
		T(test_dmar_parse_unknown_types_skipped),
		T(test_dmar_parse_include_all_per_segment),
		T(test_dmar_parse_exactly_max_units),
		T(test_dmar_parse_bad_args),
		T(test_dmar_reject_len_shorter_than_header),
		T(test_dmar_reject_bad_signature),
		T(test_dmar_bad_checksum_warns),
		T(test_dmar_reject_header_length_beyond_len),
		T(test_dmar_reject_header_length_below_48),
		T(test_dmar_haw_range),
		T(test_dmar_zero_length_structure_at_end),
		T(test_dmar_reject_zero_length_structure_before_data),
		T(test_dmar_trailing_zero_bytes),
		T(test_dmar_reject_length_below_header),
		T(test_dmar_reject_short_structures),
		T(test_dmar_reject_structure_past_end),
		T(test_dmar_reject_truncated_structure_header),
		T(test_dmar_reject_truncated_u64_at_end),
		T(test_dmar_reject_scope_shorter_than_6),
		T(test_dmar_scope_empty_path_skipped),
		T(test_dmar_reject_scope_odd_path),
		T(test_dmar_reject_scope_past_structure),
		T(test_dmar_reject_scope_header_cut),
		T(test_dmar_unknown_scope_type_skipped),
		T(test_dmar_reject_bad_scope_in_rmrr),
		T(test_dmar_rmrr_limit_below_base_dropped),
		T(test_dmar_rmrr_unaligned_rounded_out),
		T(test_dmar_drhd_unaligned_base),
		T(test_dmar_reject_drhd_base_zero_or_wrapping),
		T(test_dmar_reject_duplicate_base_across_segments),
		T(test_dmar_duplicate_base_keeps_first),
		T(test_dmar_two_include_all_in_segment),
		T(test_dmar_drhd_deviations_in_field_order),
		T(test_dmar_reject_too_many_units),
		T(test_dmar_malformed_beats_too_many),
		T(test_dmar_reject_no_unit),
		T(test_dmar_reject_andd_name_not_terminated),
		T(test_dmar_reject_andd_name_empty),
		T(test_dmar_andd_name_with_padding),
		T(test_dmar_server_table),
		T(test_dmar_server_sloppy_variants),
		T(test_dmar_server_variant_outcomes),
		T(test_dmar_parse_17_units),
		T(test_dmar_units_bound),
		T(test_dmar_parse_nomem),
		T(test_dmar_strerror),
		T(test_dmar_strwarn),
		T(test_dmar_log_warnings),
		T(test_dmar_log_text),
		T(test_dmar_fuzz),
#undef T
	};

	return cmocka_run_group_tests_name("dmar", tests, NULL, NULL);
}
