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
#include <stdlib.h>
#include <string.h>

#include <vtd/dmar.h>

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
static int parse_copy(const u8 *table, size_t len, u32 max_units,
		      struct vtd_dmar *d, struct vtd_dmar_error *e)
{
	u8 *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, table, len);
	ret = vtd_dmar_parse(copy, len, max_units, d, e);
	free(copy);		/* the result must not point into the table */
	return ret;
}

/* Parse, expecting failure with exactly @rc, @reason and @offset. */
static void expect_fail_len(const struct tb *t, size_t len, u32 max_units,
			    int rc, enum vtd_dmar_err reason, u32 offset)
{
	struct vtd_dmar d;
	struct vtd_dmar_error e;
	u64 pages = fake_mem_pages_in_use();
	u64 calls = fake_mem_alloc_calls();

	memset(&d, 0xa5, sizeof(d));
	memset(&e, 0xa5, sizeof(e));
	assert_int_equal(parse_copy(t->b, len, max_units, &d, &e), rc);
	if (e.reason != reason)
		fail_msg("reason %d (%s), want %d (%s)", e.reason,
			 vtd_dmar_strerror(e.reason), reason,
			 vtd_dmar_strerror(reason));
	assert_int_equal(e.offset, offset);
	assert_memory_equal(&d, zero_dmar, sizeof(d));
	assert_int_equal(fake_mem_pages_in_use(), pages);
	assert_int_equal(fake_mem_alloc_calls(), calls);
}

static void expect_fail(const struct tb *t, int rc, enum vtd_dmar_err reason,
			u32 offset)
{
	expect_fail_len(t, t->len, CONFIG_VTD_MAX_UNITS, rc, reason, offset);
}

static void expect_ok(const struct tb *t, struct vtd_dmar *d)
{
	struct vtd_dmar_error e;
	int ret = parse_copy(t->b, t->len, CONFIG_VTD_MAX_UNITS, d, &e);

	if (ret)
		fail_msg("parse: %d, %s at offset %u", ret,
			 vtd_dmar_strerror(e.reason), e.offset);
	assert_int_equal(e.reason, VTD_DMAR_OK);
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
		ret = vtd_dmar_parse(raw + shift, t.len, 8, &d, NULL);
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
	assert_int_equal(parse_copy(t.b, len + 64, 8, &d, NULL), 0);
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
	assert_int_equal(parse_copy(t.b, t.len, 3, &d, NULL), 0);
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
	assert_int_equal(vtd_dmar_parse(NULL, t.len, 8, &d, &e), -EINVAL);
	assert_int_equal(e.reason, VTD_DMAR_ERR_ARGS);
	assert_memory_equal(&d, zero_dmar, sizeof(d));
	assert_int_equal(vtd_dmar_parse(t.b, t.len, 8, NULL, &e), -EINVAL);
	assert_int_equal(e.reason, VTD_DMAR_ERR_ARGS);
	expect_fail_len(&t, t.len, 0, -EINVAL, VTD_DMAR_ERR_ARGS, 0);
	expect_fail_len(&t, t.len, CONFIG_VTD_MAX_UNITS + 1, -EINVAL,
			VTD_DMAR_ERR_ARGS, 0);
	/* No error record is fine too. */
	assert_int_equal(vtd_dmar_parse(t.b, 0, 8, &d, NULL), -EINVAL);
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

static void test_dmar_reject_bad_checksum(void **state)
{
	struct tb t;

	build_qemu(&t);
	t.b[9]++;
	expect_fail(&t, -EBADMSG, VTD_DMAR_ERR_CHECKSUM, 9);
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

static void test_dmar_reject_haw_out_of_range(void **state)
{
	struct tb t;
	static const u8 bad[] = { 0, 1, 30, 64, 100, 255 };

	for (size_t i = 0; i < sizeof(bad); i++) {
		build_qemu(&t);
		t.b[36] = bad[i];
		tb_checksum(&t);
		expect_fail(&t, -EINVAL, VTD_DMAR_ERR_HAW, 36);
	}
	/* The edges of the range parse. */
	build_qemu(&t);
	t.b[36] = 31;
	tb_checksum(&t);
	struct vtd_dmar d;
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

static void test_dmar_reject_zero_length_structure(void **state)
{
	struct tb t;

	tb_minimal(&t);
	tb_u16(&t, 1);		/* RMRR with length 0 */
	tb_u16(&t, 0);
	tb_u64(&t, 0);
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT, 64 + 2);
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
	assert_int_equal(parse_copy(t.b, t.len, 8, &d, &e), -EINVAL);
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

static void test_dmar_reject_scope_empty_path(void **state)
{
	struct tb t;

	build_scope_len(&t, VTD_DMAR_SCOPE_PCI_ENDPOINT, 6, 6);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_SHORT, 64 + 1);
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

static void test_dmar_reject_unknown_scope_type(void **state)
{
	struct tb t;
	static const u8 bad[] = { 0, 6, 0x80, 0xff };

	for (size_t i = 0; i < sizeof(bad); i++) {
		build_scope_len(&t, bad[i], 8, 8);
		expect_fail(&t, -EINVAL, VTD_DMAR_ERR_SCOPE_TYPE, 64);
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

static void test_dmar_reject_rmrr_limit_below_base(void **state)
{
	struct tb t;

	rmrr_table(&t, 0x3e000000, 0x3dffffff);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_RANGE, 64 + 16);
}

static void test_dmar_reject_rmrr_unaligned(void **state)
{
	struct tb t;

	rmrr_table(&t, 0x3e000800, 0x3e7fffff);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_ALIGN, 64 + 8);
	rmrr_table(&t, 0x3e000000, 0x3e7ffffe);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_ALIGN, 64 + 16);
	rmrr_table(&t, 0x3e000000, 0x3e800000);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_ALIGN, 64 + 16);
}

static void test_dmar_reject_drhd_unaligned_base(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 0, 0, 0xfed90800));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_ALIGN, 48 + 8);
	/* 4 KiB aligned, but the window is 2^2 pages. */
	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 2, 0, 0xfed91000));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_ALIGN, 48 + 8);
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

static void test_dmar_reject_duplicate_base(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed90000));
	tb_end(&t, tb_drhd(&t, 0, 0, 0, 0xfed91000));
	tb_end(&t, tb_drhd(&t, 1, 0, 1, 0xfed90000));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_DUPLICATE, 48 + 32 + 8);
}

static void test_dmar_reject_two_include_all_in_segment(void **state)
{
	struct tb t;

	tb_header(&t, 38, 0);
	tb_end(&t, tb_drhd(&t, 1, 0, 3, 0xfed90000));
	tb_end(&t, tb_drhd(&t, 0, 0, 3, 0xfed91000));
	tb_end(&t, tb_drhd(&t, 1, 0, 3, 0xfed92000));
	tb_finish(&t);
	expect_fail(&t, -EINVAL, VTD_DMAR_ERR_DUPLICATE, 48 + 32 + 4);
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
	tb_u16(&t, 0);
	tb_finish(&t);
	expect_fail_len(&t, t.len, 1, -EINVAL, VTD_DMAR_ERR_STRUCT_SHORT,
			48 + 3 * 16 + 2);
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
	assert_int_equal(parse_copy(t.b, t.len, 8, &d, &e), -ENOMEM);
	assert_int_equal(e.reason, VTD_DMAR_ERR_NOMEM);
	assert_memory_equal(&d, zero_dmar, sizeof(d));
	assert_int_equal(fake_mem_alloc_calls(), calls + 1);
	assert_int_equal(fake_mem_pages_in_use(), pages_at_start);
	/* The very next attempt succeeds: one allocation per parse. */
	assert_int_equal(parse_copy(t.b, t.len, 8, &d, &e), 0);
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

/*
 * Mutate a good table thousands of times: flip bits, overwrite bytes
 * (favouring the length bytes the walk depends on), truncate it, and
 * usually re-fix the checksum so that the mutation reaches the structure
 * walk. The parser must never crash or read out of bounds (ASan), must
 * return 0 or one of its documented errors, and must leak nothing.
 */
static void test_dmar_fuzz(void **state)
{
	struct tb base, t;
	struct vtd_dmar d;
	struct vtd_dmar_error e;
	unsigned int ok = 0, failed = 0, kinds = 0;
	unsigned int seen[VTD_DMAR_ERR_COUNT] = { 0 };

	build_full(&base);
	rng_state = 0x2545f491;
	for (unsigned int iter = 0; iter < 20000; iter++) {
		unsigned int muts = 1 + rng() % 4;
		size_t len;
		int ret;

		memcpy(&t, &base, sizeof(t));
		for (unsigned int m = 0; m < muts; m++) {
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

		ret = parse_copy(t.b, len, 1 + rng() % CONFIG_VTD_MAX_UNITS,
				 &d, &e);
		if (ret == 0) {
			ok++;
			assert_true(d.drhd_count >= 1);
			for (u32 i = 0; i < d.drhd_count; i++)
				for (u32 j = 0; j < d.drhds[i].scope_count; j++)
					assert_true(d.drhds[i].scopes[j].path_count >= 1);
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
				fail_msg("iter %u len %zu: %s at %u", iter, len, vtd_dmar_strerror(e.reason), e.offset);
			assert_memory_equal(&d, zero_dmar, sizeof(d));
			seen[e.reason]++;
		}
		assert_int_equal(fake_mem_pages_in_use(), pages_at_start);
	}
	for (unsigned int r = 0; r < VTD_DMAR_ERR_COUNT; r++) {
		if (seen[r])
			kinds++;
		if (getenv("DMAR_FUZZ_STATS"))
			print_message("%-20s %u\n", vtd_dmar_strerror(r),
				      seen[r]);
	}
	/* The mutations reach the structure and scope checks. */
	assert_true(kinds >= 10);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
		T(test_dmar_reject_bad_checksum),
		T(test_dmar_reject_header_length_beyond_len),
		T(test_dmar_reject_header_length_below_48),
		T(test_dmar_reject_haw_out_of_range),
		T(test_dmar_reject_zero_length_structure),
		T(test_dmar_reject_length_below_header),
		T(test_dmar_reject_short_structures),
		T(test_dmar_reject_structure_past_end),
		T(test_dmar_reject_truncated_structure_header),
		T(test_dmar_reject_truncated_u64_at_end),
		T(test_dmar_reject_scope_shorter_than_6),
		T(test_dmar_reject_scope_empty_path),
		T(test_dmar_reject_scope_odd_path),
		T(test_dmar_reject_scope_past_structure),
		T(test_dmar_reject_scope_header_cut),
		T(test_dmar_reject_unknown_scope_type),
		T(test_dmar_reject_bad_scope_in_rmrr),
		T(test_dmar_reject_rmrr_limit_below_base),
		T(test_dmar_reject_rmrr_unaligned),
		T(test_dmar_reject_drhd_unaligned_base),
		T(test_dmar_reject_drhd_base_zero_or_wrapping),
		T(test_dmar_reject_duplicate_base),
		T(test_dmar_reject_two_include_all_in_segment),
		T(test_dmar_reject_too_many_units),
		T(test_dmar_malformed_beats_too_many),
		T(test_dmar_reject_no_unit),
		T(test_dmar_reject_andd_name_not_terminated),
		T(test_dmar_reject_andd_name_empty),
		T(test_dmar_andd_name_with_padding),
		T(test_dmar_parse_nomem),
		T(test_dmar_strerror),
		T(test_dmar_log_text),
		T(test_dmar_fuzz),
#undef T
	};

	return cmocka_run_group_tests_name("dmar", tests, NULL, NULL);
}
