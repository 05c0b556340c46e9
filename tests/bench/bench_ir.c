// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interrupt remapping costs (`make bench`), on the DMAR model with QEMU
 * 7.2's legacy CAP/ECAP, with page-walk coherency off (ECAP.C = 0, as
 * QEMU reports: the entry's cache line is flushed) and on:
 *
 *  - update: vtd_ir_set_remapped() of one present IRTE (a new vector),
 *    which writes the entry and submits an index-selective IEC
 *    invalidation [VT-d 6.5.2.7] behind a wait descriptor, waiting for
 *    it before it returns;
 *  - bare write: the same 16-byte entry stored in memory (and its line
 *    flushed when C = 0), nothing submitted: the floor an update cannot
 *    go below, and what an update without invalidation would cost;
 *  - probe: bare write plus the raw submission of the same IEC
 *    descriptor and its wait (vtd_qi_submit(), the queue protocol the
 *    update needs), i.e. the update's unavoidable work minus the IR
 *    code (validation, encoding, locking, bookkeeping).
 *
 * Targets: descriptors per update exactly one IEC (index-selective,
 * IM = 0) and one wait, and per free of a 4-message run one IEC with
 * IM = 2 and one wait (counts: the same everywhere, a miss is a
 * regression); an update at most 1.35x the probe in the same run (a
 * ratio: met or a regression). The bound: the IR code adds a lock pair,
 * a field check, an encode and a store of P ordering of 10-20 ns to a
 * queue round trip of about 90 ns on the model (register emulation,
 * descriptor decoding; about a microsecond on hardware, where the ratio
 * only shrinks). Measured 1.08x-1.19x over runs on a shared machine;
 * 1.35x leaves that room and still fails a second submission (about
 * 1.9x measured with one added).
 *
 * Exit status: non-zero when a count misses (deterministic), as
 * bench_counts; the timed target only reports.
 *
 * Each figure is the median of 5 runs of N calls.
 */
#include <stdio.h>
#include <stdlib.h>

#include <vtd/hw/qi.h>
#include <vtd/hw/tables.h>
#include <vtd/ir.h>

#include "bench/timing.h"
#include "bench/verdict.h"
#include "fakes/fake_dmar.h"
#include "fakes/fake_hal.h"
#include "unit.h"

#define BASE		0xfed90000ULL
#define SID		0x0018
#define N		20000
#define RUNS		5
#define ENTRIES		256
#define RATIO_BOUND	1.35

struct env {
	struct fake_dmar dmar;
	struct vtd_unit *u;
	u32 index;
	struct vtd_irte *bare;	/* a table of our own for the bare write */
	bool coherent;
};

static void die(const char *what)
{
	fprintf(stderr, "bench_ir: %s failed\n", what);
	exit(1);
}

static struct vtd_ir_remap remap(unsigned int vector)
{
	return (struct vtd_ir_remap){
		.vector = vector, .dest = 1, .dlm = VTD_IRTE_DLM_FIXED,
		.src = { .svt = VTD_IRTE_SVT_SID, .sid = SID },
	};
}

static void env_up(struct env *e, bool coherent)
{
	struct vtd_dmar_drhd drhd = { .reg_base = BASE, .reg_size = 0x1000 };
	const struct vtd_ir_params irp = { .entries = ENTRIES };
	struct vtd_ir_remap r = remap(0x40);

	e->coherent = coherent;
	if (fake_dmar_init(&e->dmar, BASE, FAKE_DMAR_QEMU_CAP_LEGACY,
			   FAKE_DMAR_QEMU_ECAP_LEGACY | coherent) ||
	    vtd_unit_create(&drhd, NULL, &e->u) || vtd_unit_enable(e->u)) {
		die("bring-up");
	}
	if (vtd_ir_enable(e->u, &irp) || vtd_ir_alloc(e->u, 1, &e->index) ||
	    vtd_ir_set_remapped(e->u, e->index, &r)) {
		die("IR set-up");
	}
	e->bare = hal_page_alloc(0);
	if (!e->bare) {
		die("page");
	}
}

static void env_down(struct env *e)
{
	hal_page_free(e->bare, 0);
	if (vtd_ir_free(e->u, e->index, 1) || vtd_ir_disable(e->u) ||
	    vtd_unit_destroy(e->u)) {
		die("teardown");
	}
	fake_dmar_fini(&e->dmar);
}

/* The entry vtd_ir_set_remapped() writes for vector @v (P, V, DST, SID). */
static void bare_write(struct env *e, u32 i, unsigned int v)
{
	struct vtd_irte *x = &e->bare[e->index];

	WRITE_ONCE(x->hi, FIELD_PREP(VTD_IRTE_HI_SID, SID) |
			  FIELD_PREP(VTD_IRTE_HI_SVT, VTD_IRTE_SVT_SID));
	WRITE_ONCE(x->lo, VTD_IRTE_LO_P | FIELD_PREP(VTD_IRTE_LO_V, v) |
			  FIELD_PREP(VTD_IRTE_LO_DST_XAPIC, 1));
	if (!e->coherent) {
		hal_cache_flush_line(x);
	}
	hal_fence();
}

static double run_bare(struct env *e, u32 n)
{
	double t0 = bench_now_ns();
	u32 i;

	for (i = 0; i < n; i++) {
		bare_write(e, i, 0x40 + (i & 1));
	}
	return bench_now_ns() - t0;
}

static double run_probe(struct env *e, u32 n)
{
	const struct vtd_qi_desc d = vtd_qi_iec_index((u16)e->index, 0);
	double t0 = bench_now_ns();
	u32 i;

	for (i = 0; i < n; i++) {
		bare_write(e, i, 0x40 + (i & 1));
		if (vtd_qi_submit(e->u, &d, 1, 0)) {
			die("vtd_qi_submit");
		}
	}
	return bench_now_ns() - t0;
}

static double run_update(struct env *e, u32 n)
{
	struct vtd_ir_remap r[2] = { remap(0x40), remap(0x41) };
	double t0 = bench_now_ns();
	u32 i;

	for (i = 0; i < n; i++) {
		if (vtd_ir_set_remapped(e->u, e->index, &r[i & 1])) {
			die("vtd_ir_set_remapped");
		}
	}
	return bench_now_ns() - t0;
}

/* Median of RUNS runs of @fn(@e, N), in ns per call. */
static double median(double (*fn)(struct env *e, u32 n), struct env *e)
{
	double v[RUNS];
	unsigned int i;

	for (i = 0; i < RUNS; i++) {
		v[i] = fn(e, N) / N;
	}
	return bench_median(v, RUNS);
}

struct counts {
	unsigned int iec, iec_global, iec_im, waits, other;
};

/* What the model received since the last clear. */
static struct counts logged(const struct fake_dmar *d)
{
	struct counts c = { 0 };
	unsigned int i, type;

	for (i = 0; i < d->log_len; i++) {
		type = fake_dmar_desc_type(&d->log[i]);
		if (type == 4) {
			c.iec++;
			/* [VT-d 6.5.2.7] G bit 4 (1: index), IM bits 31:27 */
			if ((d->log[i].qw[0] >> 4) & 1) {
				c.iec_im = (d->log[i].qw[0] >> 27) & 0x1f;
			} else {
				c.iec_global++;
			}
		} else if (type == 5) {
			c.waits++;
		} else {
			c.other++;
		}
	}
	return c;
}

/* Descriptors of one update and of one free of a 4-message run. */
static bool count_targets(struct env *e, struct counts *upd,
			  struct counts *run4)
{
	struct vtd_ir_remap r = remap(0x42);
	u32 idx;

	fake_dmar_log_clear(&e->dmar);
	if (vtd_ir_set_remapped(e->u, e->index, &r)) {
		die("update");
	}
	*upd = logged(&e->dmar);
	if (vtd_ir_alloc(e->u, 4, &idx)) {
		die("alloc 4");
	}
	fake_dmar_log_clear(&e->dmar);
	if (vtd_ir_free(e->u, idx, 4)) {
		die("free 4");
	}
	*run4 = logged(&e->dmar);
	return upd->iec == 1 && !upd->iec_global && upd->iec_im == 0 &&
	       upd->waits == 1 && !upd->other && run4->iec == 1 &&
	       !run4->iec_global && run4->iec_im == 2 && run4->waits == 1 &&
	       !run4->other;
}

static bool mode(const char *name, bool coherent, struct bench_tally *t)
{
	struct counts upd, run4;
	double bare, probe, update;
	char measured[64], probe_s[64], rel[64];
	bool counts_ok, ratio_ok;
	struct env e;

	env_up(&e, coherent);
	bare = median(run_bare, &e);
	probe = median(run_probe, &e);
	update = median(run_update, &e);
	counts_ok = count_targets(&e, &upd, &run4);
	env_down(&e);

	printf("\n%s\n", name);
	printf("  bare IRTE write            %8.1f ns\n", bare);
	printf("  probe: write + raw IEC     %8.1f ns\n", probe);
	printf("  vtd_ir_set_remapped()      %8.1f ns  (%.0fx the bare "
	       "write, %.2fx the probe)\n", update, update / bare,
	       update / probe);
	printf("  descriptors per update: %u IEC (%u global, IM %u) + %u "
	       "wait + %u other\n", upd.iec, upd.iec_global, upd.iec_im,
	       upd.waits, upd.other);
	printf("  per free of a 4-message run: %u IEC (%u global, IM %u) + "
	       "%u wait + %u other\n", run4.iec, run4.iec_global,
	       run4.iec_im, run4.waits, run4.other);

	bench_target_header(name);
	snprintf(measured, sizeof(measured), "%u+%u per update, %u+%u per 4",
		 upd.iec, upd.waits, run4.iec, run4.waits);
	bench_target_print(t, "IEC+wait: 1+1 per update and per run",
			   measured, "none: a count, same anywhere", "-",
			   bench_verdict(counts_ok, counts_ok), "");
	ratio_ok = update <= RATIO_BOUND * probe;
	snprintf(measured, sizeof(measured), "%.1f ns", update);
	snprintf(probe_s, sizeof(probe_s), "%.1f ns write+raw IEC", probe);
	snprintf(rel, sizeof(rel), "%.2fx (<= %.2fx)", update / probe,
		 RATIO_BOUND);
	bench_target_print(t, "update <= 1.35x write + raw IEC", measured,
			   probe_s, rel, bench_verdict(ratio_ok, ratio_ok),
			   "");
	return counts_ok;
}

int main(void)
{
	struct bench_tally t = { { 0 } };
	bool ok;

	fake_hal_reset();
	printf("libvtd interrupt remapping: IRTE update + IEC invalidation "
	       "(DMAR model; QEMU 7.2 legacy CAP/ECAP; median of %d runs "
	       "of %d)\n", RUNS, N);
	ok = mode("ECAP.C = 0 (QEMU): entry line flushed", false, &t);
	ok &= mode("ECAP.C = 1: coherent", true, &t);
	printf("\n");
	bench_tally_print("ir", &t);
	return ok ? 0 : 1;
}
