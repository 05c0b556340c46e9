/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The target lines every `make bench` program ends with: one line per
 * target giving the target, the figure measured, the machine probe
 * measured in the same run, the figure relative to that probe with the
 * bound it must meet, and a verdict. The rule (docs/BENCHMARKS.md,
 * "Verdicts"):
 *
 *   met                    the figure meets the target and the relative
 *                          form meets its bound;
 *   missed: machine bound  the figure misses the target, but relative to
 *                          the probe the code is within its bound: this
 *                          machine, or the way the host places the vCPUs
 *                          now, is slower than where the target was set;
 *   missed: regression     the relative form misses its bound, whatever
 *                          the figure: the code is slow for this machine.
 *
 * A target whose figure is already a ratio to an in-run reference (or a
 * count) is its own relative form: it is met or a regression.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

enum bench_verdict {
	BENCH_MET,
	BENCH_MACHINE_BOUND,
	BENCH_REGRESSION,
	BENCH_VERDICT_COUNT,
};

struct bench_tally {
	unsigned int count[BENCH_VERDICT_COUNT];
};

static inline enum bench_verdict bench_verdict(bool figure_ok,
					       bool relative_ok)
{
	if (!relative_ok) {
		return BENCH_REGRESSION;
	}
	return figure_ok ? BENCH_MET : BENCH_MACHINE_BOUND;
}

static inline const char *bench_verdict_name(enum bench_verdict v)
{
	static const char *const names[] = {
		[BENCH_MET] = "met",
		[BENCH_MACHINE_BOUND] = "missed: machine bound",
		[BENCH_REGRESSION] = "missed: regression",
	};

	return names[v];
}

#define BENCH_TARGET_FMT "%-36s %-22s %-30s %-26s %s"

static inline void bench_target_header(const char *title)
{
	printf("\n%s (verdict rule: docs/BENCHMARKS.md, \"Verdicts\")\n",
	       title);
	printf(BENCH_TARGET_FMT "\n", "target", "measured",
	       "probe (same run)", "relative (bound)", "verdict");
}

/*
 * One target line; @why (may be empty) follows the verdict in brackets.
 * @t counts the verdict unless it is NULL (a line shown for information).
 */
static inline void bench_target_print(struct bench_tally *t,
				      const char *target, const char *measured,
				      const char *probe, const char *relative,
				      enum bench_verdict v, const char *why)
{
	printf(BENCH_TARGET_FMT, target, measured, probe, relative,
	       bench_verdict_name(v));
	if (why && why[0]) {
		printf(" (%s)", why);
	}
	printf("\n");
	if (t) {
		t->count[v]++;
	}
}

/* "<name> targets: N met, N missed: machine bound, N missed: regression" */
static inline void bench_tally_print(const char *name,
				     const struct bench_tally *t)
{
	printf("%s targets: %u met, %u missed: machine bound, "
	       "%u missed: regression\n", name, t->count[BENCH_MET],
	       t->count[BENCH_MACHINE_BOUND], t->count[BENCH_REGRESSION]);
}
