/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Clock of the test kernel: the TSC, its rate calibrated against the
 * 8254 PIT channel 2 [8254 datasheet; Intel 82371 port 61h], scaled to
 * nanoseconds. Also a bounded PIT busy-wait usable as a reference.
 */
#pragma once

#include <hal/types.h>

/* PIT input clock: 1.193182 MHz. */
#define X86_PIT_HZ		1193182ULL
/* Longest single PIT wait: a 16-bit count. */
#define X86_PIT_MAX_US		54925

/**
 * x86_clock_init() - Calibrate the TSC over a PIT interval.
 *
 * Return: 0, or -ETIMEDOUT when the PIT never signalled the end of the
 * interval (the clock then assumes 1 GHz so that deadlines still expire).
 */
int x86_clock_init(void);

/** x86_tsc_hz() - Calibrated TSC frequency in Hz (0 before init). */
u64 x86_tsc_hz(void);

/** x86_clock_ns() - Nanoseconds since x86_clock_init(), monotonic. */
u64 x86_clock_ns(void);

/**
 * x86_pit_wait_us() - Busy-wait @us microseconds (1..X86_PIT_MAX_US) on
 * PIT channel 2, timed by the PIT alone.
 * @tsc_delta: optional; receives the TSC ticks the wait took.
 *
 * Return: 0; -EINVAL for a bad @us; -ETIMEDOUT when the PIT output never
 * rose within a fixed number of polls.
 */
int x86_pit_wait_us(u32 us, u64 *tsc_delta);
