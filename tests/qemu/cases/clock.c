// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the clock: hal_time_ns() never goes backwards and
 * advances across a wait, and it runs at the PIT's rate within a factor
 * of two. That bound catches a wrong unit or a calibration off by a
 * factor of ten, and nothing narrower is asked: an emulator's TSC and
 * PIT follow the host clock only loosely, and a busy host deschedules
 * the vCPU. The smallest of several measurements is compared, since
 * descheduling only ever lengthens one (as in x86_clock_init()).
 */
#include <hal/time.h>
#include <hal/types.h>

#include <arch/clock.h>

#include <boot_test/boot_test.h>

#define READS			10000
#define PIT_INTERVAL_US		20000
#define PIT_RUNS		5
#define RATE_FACTOR		2

BOOT_TEST(clock, monotonic)
{
	u64 prev = hal_time_ns(), now, start = prev;
	u32 i;

	for (i = 0; i < READS; i++) {
		now = hal_time_ns();
		BT_ASSERT(t, now >= prev, "read %u: %llu after %llu", i,
			  (unsigned long long)now, (unsigned long long)prev);
		prev = now;
	}
	BT_ASSERT_OK(t, x86_pit_wait_us(1000, NULL));
	BT_ASSERT(t, hal_time_ns() > start, "no progress across 1 ms");
}

BOOT_TEST(clock, matches_pit)
{
	u64 t0, ns, best = ~0ULL, want = PIT_INTERVAL_US * 1000ULL;
	u32 i;

	BT_ASSERT(t, x86_tsc_hz() >= 1000000, "TSC %llu Hz",
		  (unsigned long long)x86_tsc_hz());
	for (i = 0; i < PIT_RUNS; i++) {
		t0 = hal_time_ns();
		BT_ASSERT_OK(t, x86_pit_wait_us(PIT_INTERVAL_US, NULL));
		ns = hal_time_ns() - t0;
		if (ns < best) {
			best = ns;
		}
	}
	BT_ASSERT(t, best >= want / RATE_FACTOR && best <= want * RATE_FACTOR,
		  "PIT %u us measured as %llu ns at best of %u (TSC %llu Hz)",
		  PIT_INTERVAL_US, (unsigned long long)best, PIT_RUNS,
		  (unsigned long long)x86_tsc_hz());
}
