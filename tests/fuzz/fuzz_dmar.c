// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness for the ACPI DMAR parser, the library's first input
 * from outside (firmware). Unless the first input byte's low bits say to
 * keep the bytes raw, the harness forces the "DMAR" signature, makes the
 * header length match and fixes the checksum, so that the fuzzer spends
 * its time inside the remapping structures instead of on the checksum.
 *
 * Every input is parsed twice, leniently and with VTD_DMAR_PARSE_STRICT.
 * In each mode it must either parse, after which the result is checked,
 * logged and freed, or fail with a defined error and a reason, leave *out
 * zeroed and nothing allocated. A result holds only what the library
 * promises whatever the firmware wrote (check_sane()), and the two modes
 * agree (check_modes()). The table is copied into a buffer of exactly its
 * length so that AddressSanitizer catches any read past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtd/dmar.h>

#include "fakes/dmar_strict.h"
#include "fakes/fake_hal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

static const struct vtd_dmar zero_dmar;

static void check_scopes(const struct vtd_dmar_scope *s, u32 n)
{
	u32 i;

	CHECK(!s == !n);
	for (i = 0; i < n; i++) {
		CHECK(s[i].path_count >= 1 && s[i].path);
		CHECK(s[i].type >= VTD_DMAR_SCOPE_PCI_ENDPOINT &&
		      s[i].type <= VTD_DMAR_SCOPE_ACPI_NAMESPACE);
	}
}

/*
 * What every parsed table satisfies: 1..max_units units at distinct,
 * page-aligned, non-zero bases with at most one INCLUDE_PCI_ALL unit per
 * segment; scopes of known types with a path; RMRRs of whole pages with
 * limit >= base; warnings of known kinds, in table order (two fields
 * can share an offset), inside the table.
 */
static void check_sane(const struct vtd_dmar *d, u32 max_units, size_t len)
{
	u32 i, j;

	CHECK(d->drhd_count >= 1 && d->drhd_count <= max_units);
	for (i = 0; i < d->drhd_count; i++) {
		const struct vtd_dmar_drhd *u = &d->drhds[i];

		CHECK(u->reg_base && !(u->reg_base & 0xfff));
		CHECK(u->reg_base + (u->reg_size - 1) >= u->reg_base);
		check_scopes(u->scopes, u->scope_count);
		for (j = 0; j < i; j++) {
			CHECK(d->drhds[j].reg_base != u->reg_base);
			CHECK(!(u->include_pci_all &&
				d->drhds[j].include_pci_all &&
				d->drhds[j].segment == u->segment));
		}
	}
	for (i = 0; i < d->rmrr_count; i++) {
		const struct vtd_dmar_rmrr *r = &d->rmrrs[i];

		CHECK(!(r->base & 0xfff) && (r->limit & 0xfff) == 0xfff);
		CHECK(r->limit >= r->base);
		check_scopes(r->scopes, r->scope_count);
	}
	for (i = 0; i < d->atsr_count; i++)
		check_scopes(d->atsrs[i].scopes, d->atsrs[i].scope_count);
	for (i = 0; i < d->satc_count; i++)
		check_scopes(d->satcs[i].scopes, d->satcs[i].scope_count);
	for (i = 0; i < d->sidp_count; i++)
		check_scopes(d->sidps[i].scopes, d->sidps[i].scope_count);
	CHECK(!d->warnings == !d->warning_count);
	for (i = 0; i < d->warning_count; i++) {
		CHECK(d->warnings[i].kind > VTD_DMAR_WARN_NONE &&
		      d->warnings[i].kind < VTD_DMAR_WARN_COUNT);
		CHECK(d->warnings[i].offset < len);
		CHECK(!i || d->warnings[i].offset >= d->warnings[i - 1].offset);
	}
}

static int scopes_cmp(const struct vtd_dmar_scope *a,
		      const struct vtd_dmar_scope *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (a[i].type != b[i].type || a[i].flags != b[i].flags ||
		    a[i].enumeration_id != b[i].enumeration_id ||
		    a[i].start_bus != b[i].start_bus ||
		    a[i].path_count != b[i].path_count ||
		    memcmp(a[i].path, b[i].path,
			   a[i].path_count * sizeof(*a[i].path)))
			return 1;
	}
	return 0;
}

/* 0 when @a and @b decode to the same structures, field by field. */
static int dmar_cmp(const struct vtd_dmar *a, const struct vtd_dmar *b)
{
	u32 i;

	if (a->haw != b->haw || a->flags != b->flags ||
	    a->drhd_count != b->drhd_count || a->rmrr_count != b->rmrr_count ||
	    a->atsr_count != b->atsr_count || a->rhsa_count != b->rhsa_count ||
	    a->andd_count != b->andd_count || a->satc_count != b->satc_count ||
	    a->sidp_count != b->sidp_count ||
	    a->unknown_count != b->unknown_count)
		return 1;
	for (i = 0; i < a->drhd_count; i++) {
		const struct vtd_dmar_drhd *x = &a->drhds[i], *y = &b->drhds[i];

		if (x->reg_base != y->reg_base || x->reg_size != y->reg_size ||
		    x->segment != y->segment ||
		    x->include_pci_all != y->include_pci_all ||
		    x->scope_count != y->scope_count ||
		    scopes_cmp(x->scopes, y->scopes, x->scope_count))
			return 1;
	}
	for (i = 0; i < a->rmrr_count; i++) {
		const struct vtd_dmar_rmrr *x = &a->rmrrs[i], *y = &b->rmrrs[i];

		if (x->segment != y->segment || x->base != y->base ||
		    x->limit != y->limit || x->scope_count != y->scope_count ||
		    scopes_cmp(x->scopes, y->scopes, x->scope_count))
			return 1;
	}
	for (i = 0; i < a->atsr_count; i++) {
		const struct vtd_dmar_atsr *x = &a->atsrs[i], *y = &b->atsrs[i];

		if (x->segment != y->segment || x->all_ports != y->all_ports ||
		    x->scope_count != y->scope_count ||
		    scopes_cmp(x->scopes, y->scopes, x->scope_count))
			return 1;
	}
	for (i = 0; i < a->rhsa_count; i++) {
		if (a->rhsas[i].reg_base != b->rhsas[i].reg_base ||
		    a->rhsas[i].proximity_domain !=
		    b->rhsas[i].proximity_domain)
			return 1;
	}
	for (i = 0; i < a->andd_count; i++) {
		if (a->andds[i].acpi_device_number !=
		    b->andds[i].acpi_device_number ||
		    strcmp(a->andds[i].name, b->andds[i].name))
			return 1;
	}
	for (i = 0; i < a->satc_count; i++) {
		const struct vtd_dmar_satc *x = &a->satcs[i], *y = &b->satcs[i];

		if (x->segment != y->segment ||
		    x->atc_required != y->atc_required ||
		    x->scope_count != y->scope_count ||
		    scopes_cmp(x->scopes, y->scopes, x->scope_count))
			return 1;
	}
	for (i = 0; i < a->sidp_count; i++) {
		if (a->sidps[i].segment != b->sidps[i].segment ||
		    a->sidps[i].scope_count != b->sidps[i].scope_count ||
		    scopes_cmp(a->sidps[i].scopes, b->sidps[i].scopes,
			       a->sidps[i].scope_count))
			return 1;
	}
	return 0;
}

/* A failed parse: a defined error with a reason, and nothing built. */
static void check_failed(int ret, const struct vtd_dmar *d,
			 const struct vtd_dmar_error *err)
{
	if (ret != -EINVAL && ret != -EBADMSG && ret != -E2BIG &&
	    ret != -ENOMEM) {
		fprintf(stderr, "undefined error %d\n", ret);
		abort();
	}
	if (err->reason == VTD_DMAR_OK || err->reason >= VTD_DMAR_ERR_COUNT) {
		fprintf(stderr, "error %d without a reason\n", ret);
		abort();
	}
	CHECK(memcmp(d, &zero_dmar, sizeof(*d)) == 0);
}

/*
 * Strict mode accepts exactly what lenient mode accepts without a
 * warning, with the same result; it refuses a table lenient mode accepts
 * with warnings at the first of them; and it refuses what lenient mode
 * refuses. Allocation failures (-ENOMEM) are left out.
 */
static void check_modes(int ret, const struct vtd_dmar *d, int rets,
			const struct vtd_dmar *ds,
			const struct vtd_dmar_error *es)
{
	if (ret == -ENOMEM || rets == -ENOMEM)
		return;
	if (ret != 0) {
		CHECK(rets != 0);
		return;
	}
	if (d->warning_count == 0) {
		CHECK(rets == 0 && dmar_cmp(d, ds) == 0);
		return;
	}
	CHECK(rets == -EINVAL || rets == -EBADMSG);
	CHECK(dmar_warn_is_reason(d->warnings[0].kind, es->reason));
	CHECK(es->offset == d->warnings[0].offset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vtd_dmar d, ds;
	struct vtd_dmar_error err, errs;
	u64 pages = fake_mem_pages_in_use();
	u8 *t, sum = 0;
	size_t i, n;
	u32 max_units;
	int ret, rets;

	if (!size)
		return 0;
	n = size - 1;
	t = malloc(n ? n : 1);
	if (!t)
		return 0;
	memcpy(t, data + 1, n);
	if ((data[0] & 7) != 0 && n >= 36) {
		memcpy(t, "DMAR", 4);
		t[4] = (u8)n;
		t[5] = (u8)(n >> 8);
		t[6] = (u8)(n >> 16);
		t[7] = (u8)(n >> 24);
		t[9] = 0;
		for (i = 0; i < n; i++)
			sum = (u8)(sum + t[i]);
		t[9] = (u8)-sum;
	}
	max_units = 1 + (data[0] >> 3) % 8;
	ret = vtd_dmar_parse(t, n, max_units, 0, &d, &err);
	rets = vtd_dmar_parse(t, n, max_units, VTD_DMAR_PARSE_STRICT, &ds,
			      &errs);
	if (ret == 0)
		check_sane(&d, max_units, n);
	else
		check_failed(ret, &d, &err);
	if (rets == 0) {
		check_sane(&ds, max_units, n);
		CHECK(ds.warning_count == 0);
	} else {
		check_failed(rets, &ds, &errs);
	}
	check_modes(ret, &d, rets, &ds, &errs);
	if (ret == 0) {
		vtd_dmar_log(&d);
		vtd_dmar_free(&d);
	}
	if (rets == 0)
		vtd_dmar_free(&ds);
	fake_log_clear();
	if (fake_mem_pages_in_use() != pages) {
		fprintf(stderr, "leaked %llu pages\n",
			(unsigned long long)(fake_mem_pages_in_use() - pages));
		abort();
	}
	free(t);
	return 0;
}
