// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interrupt remapping (vtd/ir.c) against the DMAR model's interrupt
 * remapping (tests/fakes/fake_dmar_ir.c): remapped and posted delivery
 * through the IRTEs the library writes, IEC staleness, source
 * validation, the fault reasons 0x20-0x27 decoded through the fault
 * path, compatibility format, bad input with no change, allocation.
 * IRTE fields are read back at the specification's bit positions
 * written out here [VT-d 9.10, 9.11], not with the library's masks.
 */
#include "fixture.h"

#include <vtd/ir.h>

#define CAP_PI		59
#define CAP_ESIRTPS	62
#define ECAP_EIM	4

static const struct fx_unit legacy = FX_QEMU_LEGACY;
static const struct fx_unit full = {
	.cap = FAKE_DMAR_QEMU_CAP_LEGACY | (1ULL << CAP_PI),
	.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY | (1ULL << ECAP_EIM),
};
static const struct fx_unit esirtps = {
	.cap = FAKE_DMAR_QEMU_CAP_LEGACY | (1ULL << CAP_ESIRTPS),
	.ecap = FAKE_DMAR_QEMU_ECAP_LEGACY,
};
static const struct fx_unit sm = FX_QEMU_SM;

#define DEV_SID		0x0018		/* 00:03.0 */

static struct vtd_fault seen[8];
static unsigned int seen_count;

static void ir_up(u32 entries, bool x2apic, bool compat)
{
	struct vtd_ir_params p = { .entries = entries, .x2apic = x2apic,
				   .allow_compat = compat };

	assert_int_equal(vtd_ir_enable(u, &p), 0);
}

static struct vtd_ir_remap remap(unsigned int vector, u32 dest)
{
	return (struct vtd_ir_remap){
		.vector = vector, .dest = dest, .dlm = VTD_IRTE_DLM_FIXED,
		.src = { .svt = VTD_IRTE_SVT_SID, .sid = DEV_SID },
	};
}

static u32 alloc_remap(u32 count, unsigned int vector, u32 dest)
{
	struct vtd_ir_remap r = remap(vector, dest);
	u32 index, k;

	assert_int_equal(vtd_ir_alloc(u, count, &index), 0);
	for (k = 0; k < count; k++) {
		r.vector = vector + k;
		assert_int_equal(vtd_ir_set_remapped(u, index + k, &r), 0);
	}
	return index;
}

/* The device's MSI for @index, message @k, through the model. */
static u8 send(u16 sid, u32 index, u32 k, struct fake_ir_result *r)
{
	struct vtd_msi m;

	assert_int_equal(vtd_ir_msi(u, index, &m), 0);
	return (u8)fake_dmar_msi(&dmar, sid, m.addr | (u64)m.addr_hi << 32,
				 m.data | k, r);
}

/* IRTE @index as the model's IRTA names it. */
static u64 *irte_of(u32 index)
{
	return fx_va((dmar.irta_active & ~0xfffULL) + 16ULL * index);
}

static void on_fault(void *ctx, struct vtd_unit *unit,
		     const struct vtd_fault *f)
{
	if (seen_count < ARRAY_SIZE(seen))
		seen[seen_count++] = *f;
}

static const struct vtd_unit_params fparams = { .fault_fn = on_fault };
static const struct fx_unit with_faults = {
	.cap = FAKE_DMAR_QEMU_CAP_LEGACY, .ecap = FAKE_DMAR_QEMU_ECAP_LEGACY,
	.params = &fparams,
};

/* The one fault pending is an IR fault of @reason at @index from @sid. */
static void assert_ir_fault(u8 reason, u32 index, u16 sid)
{
	seen_count = 0;
	assert_int_equal(vtd_fault_handle(u), 1);
	assert_int_equal(seen_count, 1);
	assert_true(seen[0].ir);
	assert_int_equal(seen[0].reason, reason);
	assert_int_equal(seen[0].irte_index, index);
	assert_int_equal(seen[0].sid, sid);
	assert_int_equal(seen[0].addr, 0);
	assert_string_not_equal(vtd_fault_reason_str(reason),
				"unknown fault reason");
}

/* ---- Enable ----------------------------------------------------------- */

static void test_ir_enable_programs_irta_and_invalidates(void **state)
{
	ir_up(256, false, false);
	/* [VT-d 11.4.10] S = 7 for 256 entries, EIME clear. */
	assert_int_equal(dmar.irta_active & 0xf, 7);
	assert_int_equal((dmar.irta_active >> 11) & 1, 0);
	assert_true(dmar.gsts & (1U << 25));		/* IRES */
	assert_true(dmar.gsts & (1U << 24));		/* IRTPS */
	assert_false(dmar.gsts & (1U << 23));		/* CFIS clear */
	/* No CAP.ESIRTPS: one global IEC invalidation after SIRTP. */
	assert_int_equal(fx_log_count(4), 1);
	assert_int_equal((dmar.log[0].qw[0] >> 4) & 1, 0);	/* G = global */
	assert_int_equal(vtd_ir_entries(u), 256);
	assert_int_equal(dmar.protocol_errors, 0);
}

/*
 * Size 0 is the build's (CONFIG_VTD_IR_ENTRIES): IRTA.S says so, and the
 * last index of that table is allocatable and reached by its MSI while
 * one more is not in the table.
 */
static void test_ir_enable_default_size_from_config(void **state)
{
	struct vtd_ir_remap m = remap(0x42, 1);
	struct fake_ir_result r;
	u32 n = CONFIG_VTD_IR_ENTRIES, index;

	ir_up(0, false, false);
	assert_int_equal(vtd_ir_entries(u), n);
	assert_int_equal(1U << ((dmar.irta_active & 0xf) + 1), n);
	assert_int_equal(vtd_ir_alloc(u, n / 2, &index), 0);
	assert_int_equal(index, 0);
	assert_int_equal(vtd_ir_alloc(u, n / 2, &index), 0);
	assert_int_equal(index, n / 2);
	assert_int_equal(vtd_ir_set_remapped(u, n - 1, &m), 0);
	assert_int_equal(send(DEV_SID, index, n / 2 - 1, &r), 0);
	assert_int_equal(r.vector, 0x42);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), -ENOSPC);
	assert_int_equal(vtd_ir_free(u, 0, n / 2), 0);
	assert_int_equal(vtd_ir_free(u, n / 2, n / 2), 0);
}

static void test_ir_esirtps_skips_global_and_drops_old_entries(void **state)
{
	struct fake_ir_result r;
	u32 index;

	ir_up(16, false, false);
	assert_int_equal(fx_log_count(4), 0);	/* SIRTP did it */
	index = alloc_remap(1, 0x40, 1);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_true(fake_dmar_iec_count(&dmar) > 0);
	/* The entry is still cached when the table goes. */
	dmar.inv_ignore = 1U << 4;
	assert_int_equal(vtd_ir_free(u, index, 1), 0);
	dmar.inv_ignore = 0;
	assert_int_equal(vtd_ir_disable(u), 0);
	assert_true(fake_dmar_iec_count(&dmar) > 0);
	ir_up(16, false, false);
	/* A new table: nothing of the old one is used. */
	assert_int_equal(fake_dmar_iec_count(&dmar), 0);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0x22);
}

static void test_ir_new_table_without_esirtps_drops_old_entries(void **state)
{
	struct fake_ir_result r;
	u32 index;

	ir_up(16, false, false);
	index = alloc_remap(1, 0x40, 1);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	dmar.inv_ignore = 1U << 4;
	assert_int_equal(vtd_ir_free(u, index, 1), 0);
	dmar.inv_ignore = 0;
	assert_int_equal(vtd_ir_disable(u), 0);
	assert_true(fake_dmar_iec_count(&dmar) > 0);
	ir_up(16, false, false);	/* the global IEC invalidation */
	assert_int_equal(fake_dmar_iec_count(&dmar), 0);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0x22);
}

/* ---- Remapped delivery and the IEC ------------------------------------ */

static void test_ir_remapped_delivery(void **state)
{
	struct vtd_ir_remap rm = remap(0x41, 3);
	struct fake_ir_result r;
	u32 index;
	u64 *e;

	ir_up(256, false, false);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	rm.level = true;
	rm.logical = true;
	rm.redir_hint = true;
	rm.dlm = VTD_IRTE_DLM_LOWEST;
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_ir_set_remapped(u, index, &rm), 0);
	/* [VT-d 6.5.2.7] Index-selective, IM 0, IIDX = index. */
	assert_int_equal(dmar.log_len, 2);
	assert_int_equal(fx_log_type(0), 4);
	assert_int_equal((dmar.log[0].qw[0] >> 4) & 1, 1);
	assert_int_equal((dmar.log[0].qw[0] >> 27) & 0x1f, 0);
	assert_int_equal((dmar.log[0].qw[0] >> 32) & 0xffff, index);
	e = irte_of(index);
	/* [VT-d 9.10] P 0, DM 2, RH 3, TM 4, DLM 7:5, V 23:16, DST 47:40. */
	assert_int_equal(e[0] & 1, 1);
	assert_int_equal((e[0] >> 5) & 7, 1);
	assert_int_equal((e[0] >> 16) & 0xff, 0x41);
	assert_int_equal((e[0] >> 40) & 0xff, 3);
	assert_int_equal(e[1] & 0xffff, DEV_SID);		/* SID 79:64 */
	assert_int_equal((e[1] >> 18) & 3, 1);			/* SVT 83:82 */
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_true(r.remapped);
	assert_int_equal(r.index, index);
	assert_int_equal(r.vector, 0x41);
	assert_int_equal(r.dest, 3);
	assert_true(r.level && r.logical && r.rh);
	assert_int_equal(r.dlm, 1);
}

static void test_ir_change_without_invalidation_is_stale(void **state)
{
	struct vtd_ir_remap rm = remap(0x41, 3);
	struct fake_ir_result r;
	u32 index, other;

	ir_up(16, false, false);
	index = alloc_remap(1, 0x41, 3);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_int_equal(r.vector, 0x41);
	/* The model drops nothing on an IEC descriptor: stale. */
	dmar.inv_ignore = 1U << 4;
	rm.vector = 0x42;
	assert_int_equal(vtd_ir_set_remapped(u, index, &rm), 0);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_true(r.iec_hit);
	assert_int_equal(r.vector, 0x41);
	/* With the invalidation the new vector is used. */
	dmar.inv_ignore = 0;
	other = alloc_remap(1, 0x44, 3);
	assert_int_equal(send(DEV_SID, other, 0, &r), 0);
	rm.vector = 0x43;
	assert_int_equal(vtd_ir_set_remapped(u, index, &rm), 0);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_false(r.iec_hit);
	assert_int_equal(r.vector, 0x43);
	/* Index-selective: the other entry stays cached. */
	assert_int_equal(send(DEV_SID, other, 0, &r), 0);
	assert_true(r.iec_hit);
	/* Clearing invalidates too: not present now. */
	assert_int_equal(vtd_ir_clear(u, index), 0);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0x22);
}

static void test_ir_x2apic_destination(void **state)
{
	struct fake_ir_result r;
	u32 index;

	ir_up(64, true, false);
	assert_int_equal((dmar.irta_active >> 11) & 1, 1);	/* EIME */
	index = alloc_remap(1, 0x30, 0x12345);
	assert_int_equal(irte_of(index)[0] >> 32, 0x12345);	/* DST 63:32 */
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_int_equal(r.dest, 0x12345);
	/* [VT-d 5.1.2.1] Under EIME compatibility format is blocked. */
	assert_int_equal(fake_dmar_msi(&dmar, DEV_SID, 0xfee00000, 0x30, &r),
			 0x25);
}

/* ---- Faults ------------------------------------------------------------- */

static void test_ir_source_id_mismatch_faults(void **state)
{
	struct vtd_ir_remap rm = remap(0x50, 0);
	struct fake_ir_result r;
	u32 index;

	ir_up(256, false, false);
	index = alloc_remap(4, 0x50, 0);
	assert_int_equal(send(DEV_SID + 1, index + 2, 0, &r), 0x26);
	assert_true(r.recorded);
	assert_ir_fault(0x26, index + 2, DEV_SID + 1);
	/* SQ 3 ignores the function number. */
	rm.src.sq = VTD_IRTE_SQ_IGN_F;
	assert_int_equal(vtd_ir_set_remapped(u, index, &rm), 0);
	assert_int_equal(send(DEV_SID | 7, index, 0, &r), 0);
	assert_int_equal(send(DEV_SID + 8, index, 0, &r), 0x26);
	assert_ir_fault(0x26, index, DEV_SID + 8);
	/* SVT 2: buses 2..3. */
	rm.src = (struct vtd_ir_source){ .svt = VTD_IRTE_SVT_BUS,
					 .sid = 0x0203 };
	assert_int_equal(vtd_ir_set_remapped(u, index, &rm), 0);
	assert_int_equal(send(0x0300, index, 0, &r), 0);
	assert_int_equal(send(0x0400, index, 0, &r), 0x26);
	assert_ir_fault(0x26, index, 0x0400);
}

static void test_ir_not_present_faults_with_index(void **state)
{
	struct vtd_ir_remap rm = remap(0x50, 0);
	struct fake_ir_result r;
	u32 index;

	ir_up(256, false, false);
	assert_int_equal(vtd_ir_alloc(u, 8, &index), 0);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	assert_int_equal(index, 8);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0x22);
	assert_ir_fault(0x22, 8, DEV_SID);
	/* FPD: no record. */
	rm.fpd = true;
	assert_int_equal(vtd_ir_set_remapped(u, index, &rm), 0);
	assert_int_equal(send(DEV_SID + 1, index, 0, &r), 0x26);
	assert_false(r.recorded);
	assert_int_equal(vtd_fault_handle(u), 0);
}

static void test_ir_reserved_and_range_faults(void **state)
{
	struct fake_ir_result r;
	struct vtd_msi m;
	u32 index;
	u64 *e;

	ir_up(16, false, false);
	index = alloc_remap(1, 0x50, 0);
	assert_int_equal(vtd_ir_msi(u, index, &m), 0);
	/* [VT-d 5.1.5.2] Data bits 31:16 are reserved. */
	assert_int_equal(fake_dmar_msi(&dmar, DEV_SID, m.addr,
				       m.data | 0x10000, &r), 0x20);
	assert_ir_fault(0x20, index, DEV_SID);
	/* Subhandle beyond 16 entries. */
	assert_int_equal(fake_dmar_msi(&dmar, DEV_SID, m.addr, m.data | 16,
				       &r), 0x21);
	assert_ir_fault(0x21, index + 16, DEV_SID);
	/* A reserved IRTE bit (14:12), written and flushed behind the
	 * library's back, and the entry invalidated. */
	e = irte_of(index);
	e[0] |= 1ULL << 12;
	hal_cache_flush_line(e);
	assert_int_equal(vtd_inv_iec_global(u), 0);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0x24);
	assert_ir_fault(0x24, index, DEV_SID);
}

static void test_ir_compat_blocked_unless_allowed(void **state)
{
	struct fake_ir_result r;

	ir_up(16, false, false);
	assert_int_equal(fake_dmar_msi(&dmar, DEV_SID, 0xfee01000, 0x33, &r),
			 0x25);
	assert_ir_fault(0x25, 0, DEV_SID);
	assert_int_equal(vtd_ir_disable(u), 0);
	ir_up(16, false, true);
	assert_true(dmar.gsts & (1U << 23));		/* CFIS */
	assert_int_equal(fake_dmar_msi(&dmar, DEV_SID, 0xfee01000, 0x33, &r),
			 0);
	assert_true(r.compat);
	assert_int_equal(r.vector, 0x33);
	assert_int_equal(r.dest, 1);
	assert_int_equal(vtd_ir_disable(u), 0);
	assert_false(dmar.gsts & ((1U << 23) | (1U << 25)));
}

static void test_ir_fault_logged_without_callback(void **state)
{
	struct fake_ir_result r;
	u32 index;

	ir_up(16, false, false);
	assert_int_equal(vtd_ir_alloc(u, 4, &index), 0);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	fake_log_clear();
	assert_int_equal(send(DEV_SID, index, 0, &r), 0x22);
	assert_int_equal(vtd_fault_handle(u), 1);
	fx_assert_logged("vtd fed90000: interrupt fault sid 0018 index 4 "
			 "reason 0x22 (IR: remapping table entry not present)");
}

/* ---- Posted ------------------------------------------------------------- */

static void test_ir_posted_delivery(void **state)
{
	struct fx_page pid = fx_page_new();
	struct vtd_ir_posted p = {
		.vector = 0x55,
		.src = { .svt = VTD_IRTE_SVT_SID, .sid = DEV_SID },
	};
	struct fake_ir_result r;
	u64 *d = pid.va;
	u32 index;
	u64 *e;

	p.pda = hal_paddr_init(pid.pa + 64);
	d += 8;
	d[4] = (0xf2ULL << 8) | (5ULL << 32);	/* NV 271:264, NDST 319:288 */
	ir_up(16, false, false);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	assert_int_equal(vtd_ir_set_posted(u, index, &p), 0);
	e = irte_of(index);
	/* [VT-d 9.11] IM 15, V 23:16, PDA 63:38 and 127:96. */
	assert_int_equal((e[0] >> 15) & 1, 1);
	assert_int_equal((e[0] >> 16) & 0xff, 0x55);
	assert_int_equal((e[0] >> 38) << 6, (pid.pa + 64) & 0xffffffffULL);
	assert_int_equal(e[1] >> 32, (pid.pa + 64) >> 32);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_true(r.posted);
	assert_true(r.notified);
	assert_int_equal(r.nv, 0xf2);
	assert_int_equal(r.ndst, 5);
	assert_int_equal(d[1], 1ULL << (0x55 - 64));	/* PIR bit */
	assert_int_equal(d[4] & 1, 1);			/* ON */
	/* ON already set: no second notification. */
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_false(r.notified);
	/* SN set, not urgent: none; urgent: one. */
	d[4] = (d[4] & ~1ULL) | 2;
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_false(r.notified);
	p.urgent = true;
	assert_int_equal(vtd_ir_set_posted(u, index, &p), 0);
	assert_int_equal(send(DEV_SID, index, 0, &r), 0);
	assert_true(r.notified);
	assert_int_equal(vtd_ir_free(u, index, 1), 0);
	fx_page_free(&pid);
}

static void test_ir_posted_needs_cap_pi(void **state)
{
	struct vtd_ir_posted p = {
		.pda = hal_paddr_init(0x100000), .vector = 1,
		.src = { .svt = VTD_IRTE_SVT_SID, .sid = DEV_SID },
	};
	u32 index;

	ir_up(16, false, false);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	assert_int_equal(vtd_ir_set_posted(u, index, &p), -EOPNOTSUPP);
	assert_int_equal(irte_of(index)[0], 0);
}

/* ---- Bad input ---------------------------------------------------------- */

static u64 hash(const void *p, size_t n)
{
	const u8 *b = p;
	u64 h = 1469598103934665603ULL;

	while (n--)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

/* The IRT, the allocation map, the model's IR registers and its log. */
static u64 ir_state(void)
{
	u64 h = hash(u->ir.table, u->ir.entries * 16ULL);

	h ^= hash(u->ir.runs, u->ir.entries) * 3;
	h ^= hash(&dmar.irta_active, 8) * 5 ^ hash(&dmar.gsts, 4) * 7;
	return h ^ u->ir.used ^ ((u64)dmar.log_len << 40);
}

static void test_ir_bad_input_changes_nothing(void **state)
{
	struct vtd_ir_params badp[] = {
		{ .entries = 1 }, { .entries = 3 },
		{ .entries = 131072 }, { .entries = 16, .x2apic = true,
					 .allow_compat = true },
	};
	struct vtd_ir_remap bad[12], good = remap(0x41, 3);
	struct vtd_ir_posted pbad[4], pgood = {
		.pda = hal_paddr_init(0x100000), .vector = 1,
		.src = { .svt = VTD_IRTE_SVT_SID, .sid = DEV_SID },
	};
	struct vtd_msi m;
	unsigned int i, n = 0;
	u32 index, run;
	u64 before, rte;

	ir_up(16, false, false);
	index = alloc_remap(1, 0x41, 3);
	assert_int_equal(vtd_ir_alloc(u, 4, &run), 0);
	fake_dmar_log_clear(&dmar);
	before = ir_state();

	for (i = 0; i < ARRAY_SIZE(badp); i++)
		assert_int_equal(vtd_ir_enable(u, &badp[i]), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		bad[i] = good;
	bad[n++].vector = 256;
	bad[n++].dlm = 3;
	bad[n++].dlm = 6;
	bad[n++].dlm = 8;
	bad[n++].dest = 256;			/* xAPIC: 8 bits */
	bad[n++].src.svt = VTD_IRTE_SVT_NONE;	/* validation always on */
	bad[n++].src.svt = 3;
	bad[n++].src.sq = 4;
	bad[n].src.svt = VTD_IRTE_SVT_BUS;
	bad[n++].src.sid = 0x0302;		/* start bus > end bus */
	bad[n].src.svt = VTD_IRTE_SVT_BUS;
	bad[n].src.sid = 0x0203;
	bad[n++].src.sq = 1;			/* SQ with SVT 2 */
	for (i = 0; i < n; i++)
		assert_int_equal(vtd_ir_set_remapped(u, index, &bad[i]),
				 -EINVAL);
	/* Indices beyond the table or not allocated. */
	assert_int_equal(vtd_ir_set_remapped(u, 16, &good), -EINVAL);
	assert_int_equal(vtd_ir_set_remapped(u, 65536, &good), -EINVAL);
	assert_int_equal(vtd_ir_set_remapped(u, 15, &good), -EINVAL);
	assert_int_equal(vtd_ir_clear(u, 15), -EINVAL);
	assert_int_equal(vtd_ir_msi(u, 15, &m), -EINVAL);
	assert_int_equal(vtd_ir_ioapic_rte(u, 15, false, false, &rte),
			 -EINVAL);
	assert_int_equal(vtd_ir_ioapic_rte(u, run, false, false, &rte),
			 -EINVAL);			/* not present */
	/* Runs other than the one allocated. */
	assert_int_equal(vtd_ir_free(u, run, 2), -EINVAL);
	assert_int_equal(vtd_ir_free(u, run + 1, 1), -EINVAL);
	assert_int_equal(vtd_ir_free(u, run, 3), -EINVAL);
	assert_int_equal(vtd_ir_free(u, run, 8), -EINVAL);
	assert_int_equal(vtd_ir_free(u, 16, 1), -EINVAL);
	assert_int_equal(vtd_ir_alloc(u, 3, &index), -EINVAL);
	assert_int_equal(vtd_ir_alloc(u, 0, &index), -EINVAL);
	assert_int_equal(vtd_ir_alloc(u, 32, &index), -EINVAL);
	assert_int_equal(vtd_ir_disable(u), -EBUSY);
	/* Posted on a unit without CAP.PI, then NULLs. */
	for (i = 0; i < ARRAY_SIZE(pbad); i++)
		pbad[i] = pgood;
	pbad[1].vector = 256;
	pbad[2].pda = hal_paddr_init(0x100020);
	pbad[3].pda = hal_paddr_init(0);
	for (i = 0; i < ARRAY_SIZE(pbad); i++)
		assert_int_not_equal(vtd_ir_set_posted(u, run, &pbad[i]), 0);
	assert_int_equal(vtd_ir_set_remapped(u, run, NULL), -EINVAL);
	assert_int_equal(vtd_ir_set_remapped(NULL, run, &good), -EINVAL);
	assert_int_equal(vtd_ir_msi(u, run, NULL), -EINVAL);
	assert_int_equal(vtd_ir_enable(u, NULL), -EINVAL);

	assert_int_equal(ir_state(), before);
}

static void test_ir_bad_posted_changes_nothing(void **state)
{
	struct vtd_ir_posted p = {
		.pda = hal_paddr_init(0x100000), .vector = 1,
		.src = { .svt = VTD_IRTE_SVT_SID, .sid = DEV_SID },
	};
	struct vtd_ir_posted bad[5];
	unsigned int i;
	u32 index;
	u64 before;

	ir_up(16, false, false);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	fake_dmar_log_clear(&dmar);
	before = ir_state();
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		bad[i] = p;
	bad[0].vector = 256;
	bad[1].pda = hal_paddr_init(0x100020);	/* not 64-byte aligned */
	bad[2].pda = hal_paddr_init(0);
	bad[3].src.svt = 0;
	bad[4].src.sq = 9;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(vtd_ir_set_posted(u, index, &bad[i]),
				 -EINVAL);
	assert_int_equal(vtd_ir_set_posted(u, 16, &p), -EINVAL);
	assert_int_equal(ir_state(), before);
}

static void test_ir_enable_refused_without_support(void **state)
{
	struct vtd_ir_params p = { .entries = 16, .x2apic = true };
	static const u32 bad_sizes[] = { 1, 3, 24, 65535, 131072 };
	struct vtd_ir_params bp = { 0 };
	u32 writes = dmar.gcmd_writes;
	unsigned int i;

	/* No ECAP.EIM on this unit. */
	assert_int_equal(vtd_ir_enable(u, &p), -EOPNOTSUPP);
	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		bp.entries = bad_sizes[i];
		assert_int_equal(vtd_ir_enable(u, &bp), -EINVAL);
	}
	bp.entries = 16;
	bp.allow_compat = true;
	bp.x2apic = true;
	assert_int_equal(vtd_ir_enable(u, &bp), -EINVAL);
	assert_int_equal(dmar.gcmd_writes, writes);
	assert_int_equal(dmar.log_len, 0);
	assert_int_equal(vtd_ir_entries(u), 0);
	assert_int_equal(vtd_ir_alloc(u, 1, &(u32){ 0 }), -ENOENT);
	assert_int_equal(vtd_ir_disable(u), -ENOENT);
	ir_up(16, false, false);
	p.x2apic = false;
	assert_int_equal(vtd_ir_enable(u, &p), -EBUSY);
}

/* ---- Allocation --------------------------------------------------------- */

static void test_ir_alloc_runs_and_exhaustion(void **state)
{
	struct fake_ir_result r;
	struct vtd_msi m;
	u32 a, b, c, i;

	ir_up(16, false, false);
	a = alloc_remap(4, 0x60, 2);
	assert_int_equal(a, 0);
	assert_int_equal(vtd_ir_alloc(u, 1, &b), 0);
	assert_int_equal(b, 4);
	assert_int_equal(vtd_ir_alloc(u, 8, &c), 0);
	assert_int_equal(c, 8);				/* aligned to 8 */
	assert_int_equal(vtd_ir_alloc(u, 4, &i), -ENOSPC);
	assert_int_equal(vtd_ir_alloc(u, 2, &i), 0);
	assert_int_equal(i, 6);
	assert_int_equal(vtd_ir_alloc(u, 1, &i), 0);
	assert_int_equal(i, 5);
	assert_int_equal(vtd_ir_alloc(u, 1, &i), -ENOSPC);
	/* Multi-message MSI: message k goes to a + k. */
	for (i = 0; i < 4; i++) {
		assert_int_equal(send(DEV_SID, a, i, &r), 0);
		assert_int_equal(r.index, a + i);
		assert_int_equal(r.vector, 0x60 + i);
	}
	/* Freeing the run: one IEC descriptor with IM 2 at a. */
	assert_int_equal(vtd_ir_msi(u, a, &m), 0);
	fake_dmar_log_clear(&dmar);
	assert_int_equal(vtd_ir_free(u, a, 4), 0);
	assert_int_equal(fx_log_count(4), 1);
	assert_int_equal((dmar.log[0].qw[0] >> 27) & 0x1f, 2);
	assert_int_equal(fake_dmar_msi(&dmar, DEV_SID, m.addr, m.data | 3, &r),
			 0x22);
	assert_int_equal(vtd_ir_msi(u, a, &m), -EINVAL);
	assert_int_equal(vtd_ir_alloc(u, 4, &i), 0);
	assert_int_equal(i, 0);
}

static void test_ir_full_table(void **state)
{
	u32 i, index;

	ir_up(65536, false, false);
	for (i = 0; i < 65536 / 4096; i++) {
		assert_int_equal(vtd_ir_alloc(u, 4096, &index), 0);
		assert_int_equal(index, i * 4096);
	}
	assert_int_equal(vtd_ir_alloc(u, 1, &index), -ENOSPC);
	/* Handle bit 15 goes to address bit 2 [VT-d 5.1.5.2]. */
	{
		struct vtd_msi m;

		assert_int_equal(vtd_ir_msi(u, 0x8000 | 0x1234, &m), 0);
		assert_int_equal(m.addr, 0xfee00000 | (0x1234 << 5) |
					 (1 << 4) | (1 << 3) | (1 << 2));
		assert_int_equal(m.data, 0);
	}
}

/* ---- I/O APIC ------------------------------------------------------------ */

static void test_ir_ioapic_rte(void **state)
{
	struct vtd_ir_remap rm = remap(0x71, 1);
	u32 index, i;
	u64 rte;

	ir_up(65536, false, false);
	for (i = 0; i < 9; i++)
		assert_int_equal(vtd_ir_alloc(u, 0x1000, &index), 0);
	assert_int_equal(vtd_ir_alloc(u, 1, &index), 0);
	assert_int_equal(index, 0x9000);
	rm.level = true;
	assert_int_equal(vtd_ir_set_remapped(u, index, &rm), 0);
	assert_int_equal(vtd_ir_ioapic_rte(u, index, true, true, &rte), 0);
	/* [VT-d 5.1.5.1] handle 14:0 at 63:49, IF 48, handle 15 at 11. */
	assert_int_equal(rte >> 49, 0x1000);
	assert_int_equal((rte >> 48) & 1, 1);
	assert_int_equal((rte >> 11) & 1, 1);
	assert_int_equal(rte & 0xff, 0x71);
	assert_int_equal((rte >> 15) & 1, 1);		/* level */
	assert_int_equal((rte >> 13) & 1, 1);		/* active low */
	assert_int_equal((rte >> 16) & 1, 1);		/* masked */
	assert_int_equal((rte >> 8) & 7, 0);
}

/* ---- Field checks ------------------------------------------------------- */

static void test_ir_fields_match_spec(void **state)
{
	/* [VT-d 9.10, 9.11]; second source: Linux struct irte. */
	static const struct field_check f[] = {
		FIELD_BITS(VTD_IRTE_LO_P, 0, 0),
		FIELD_BITS(VTD_IRTE_LO_FPD, 1, 1),
		FIELD_BITS(VTD_IRTE_LO_DM, 2, 2),
		FIELD_BITS(VTD_IRTE_LO_RH, 3, 3),
		FIELD_BITS(VTD_IRTE_LO_TM, 4, 4),
		FIELD_BITS(VTD_IRTE_LO_DLM, 7, 5),
		FIELD_BITS(VTD_IRTE_LO_AVAIL, 11, 8),
		FIELD_BITS(VTD_IRTE_LO_IM, 15, 15),
		FIELD_BITS(VTD_IRTE_LO_V, 23, 16),
		FIELD_BITS(VTD_IRTE_LO_DST, 63, 32),
		FIELD_BITS(VTD_IRTE_LO_DST_XAPIC, 47, 40),
		FIELD_BITS(VTD_IRTE_HI_SID, 79 - 64, 64 - 64),
		FIELD_BITS(VTD_IRTE_HI_SQ, 81 - 64, 80 - 64),
		FIELD_BITS(VTD_IRTE_HI_SVT, 83 - 64, 82 - 64),
		FIELD_BITS(VTD_PIRTE_LO_URG, 14, 14),
		FIELD_BITS(VTD_PIRTE_LO_PDA_L, 63, 38),
		FIELD_BITS(VTD_PIRTE_HI_PDA_H, 127 - 64, 96 - 64),
		FIELD_BITS(VTD_PID_CTL_ON, 0, 0),
		FIELD_BITS(VTD_PID_CTL_SN, 1, 1),
		FIELD_BITS(VTD_PID_CTL_NV, 15, 8),
		FIELD_BITS(VTD_PID_CTL_NDST, 63, 32),
		FIELD_BITS(VTD_IR_MSI_ADDR_HANDLE, 19, 5),
		FIELD_BITS(VTD_IR_MSI_ADDR_IF, 4, 4),
		FIELD_BITS(VTD_IR_MSI_ADDR_SHV, 3, 3),
		FIELD_BITS(VTD_IR_MSI_ADDR_HANDLE15, 2, 2),
		FIELD_BITS(VTD_IR_RTE_HANDLE, 63, 49),
		FIELD_BITS(VTD_IR_RTE_IF, 48, 48),
		FIELD_BITS(VTD_IR_RTE_HANDLE15, 11, 11),
		FIELD_BITS(VTD_FRCD_LO_IR_INDEX, 63, 48),
	};

	check_fields(f, ARRAY_SIZE(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_ir_enable_programs_irta_and_invalidates, &legacy),
		FX_TEST(test_ir_enable_default_size_from_config, &legacy),
		FX_TEST(test_ir_esirtps_skips_global_and_drops_old_entries,
			&esirtps),
		FX_TEST(test_ir_new_table_without_esirtps_drops_old_entries,
			&legacy),
		FX_TEST(test_ir_remapped_delivery, &legacy),
		FX_TEST(test_ir_remapped_delivery, &sm),
		FX_TEST(test_ir_change_without_invalidation_is_stale, &legacy),
		FX_TEST(test_ir_x2apic_destination, &full),
		FX_TEST(test_ir_source_id_mismatch_faults, &with_faults),
		FX_TEST(test_ir_not_present_faults_with_index, &with_faults),
		FX_TEST(test_ir_reserved_and_range_faults, &with_faults),
		FX_TEST(test_ir_compat_blocked_unless_allowed, &with_faults),
		FX_TEST(test_ir_fault_logged_without_callback, &legacy),
		FX_TEST(test_ir_posted_delivery, &full),
		FX_TEST(test_ir_posted_needs_cap_pi, &legacy),
		FX_TEST(test_ir_bad_input_changes_nothing, &legacy),
		FX_TEST(test_ir_bad_posted_changes_nothing, &full),
		FX_TEST(test_ir_enable_refused_without_support, &legacy),
		FX_TEST(test_ir_alloc_runs_and_exhaustion, &legacy),
		FX_TEST(test_ir_full_table, &legacy),
		FX_TEST(test_ir_ioapic_rte, &legacy),
		FX_TEST(test_ir_fields_match_spec, &legacy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
