/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the timed `make bench` programs share: a monotonic clock in ns and
 * the median of a few runs (each program states how many runs of how
 * many calls its figures are).
 */
#pragma once

#include <time.h>

static inline double bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The median of @v[0 .. @n), which it sorts in place. */
static inline double bench_median(double *v, unsigned int n)
{
	unsigned int i, j;
	double t;

	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	}
	return v[n / 2];
}
