// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the clock: hal_time_ns() never goes backwards and
 * advances across a wait, and it agrees with an interval timed by the
 * PIT alone within a wide tolerance (an emulator's TSC and PIT follow the
 * host clock only loosely).
 */
#include <hal/time.h>
#include <hal/types.h>

#include <arch/clock.h>

#include <boot_test/boot_test.h>

#define READS			10000
#define PIT_INTERVAL_US		50000
#define TOLERANCE_PCT		25

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
	u64 t0, t1, ns, lo, hi;

	BT_ASSERT(t, x86_tsc_hz() >= 1000000, "TSC %llu Hz",
		  (unsigned long long)x86_tsc_hz());
	t0 = hal_time_ns();
	BT_ASSERT_OK(t, x86_pit_wait_us(PIT_INTERVAL_US, NULL));
	t1 = hal_time_ns();
	ns = t1 - t0;
	lo = PIT_INTERVAL_US * 1000ULL * (100 - TOLERANCE_PCT) / 100;
	hi = PIT_INTERVAL_US * 1000ULL * (100 + TOLERANCE_PCT) / 100;
	BT_ASSERT(t, ns >= lo && ns <= hi,
		  "PIT %u us measured as %llu ns (TSC %llu Hz)",
		  PIT_INTERVAL_US, (unsigned long long)ns,
		  (unsigned long long)x86_tsc_hz());
}
