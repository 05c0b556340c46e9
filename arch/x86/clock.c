// SPDX-License-Identifier: BSD-2-Clause
/*
 * TSC clock calibrated against the 8254 PIT. Channel 2 runs one-shot in
 * mode 0 (interrupt on terminal count) with its gate held high through
 * port 0x61 bit 0 and the speaker disconnected (bit 1 clear); its output
 * OUT2 reads back in port 0x61 bit 5 and rises when the count reaches
 * zero [8254 datasheet, mode 0; 82371AB (PIIX4) NMI Status and Control
 * register 61h]. The TSC ticks counted over that interval give its rate,
 * and nanoseconds are ticks * mult >> 32 with a 128-bit product, which
 * needs no division at run time.
 */
#include <hal/bits.h>
#include <hal/errno.h>
#include <hal/types.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/io.h>

#define PIT_CH2_DATA		0x42
#define PIT_MODE_CMD		0x43
#define  PIT_CMD_BCD		BIT(0)
#define  PIT_CMD_MODE		GENMASK(3, 1)	/* 0: terminal count */
#define  PIT_CMD_ACCESS		GENMASK(5, 4)	/* 3: low then high byte */
#define  PIT_CMD_CHANNEL	GENMASK(7, 6)
#define PORT_61			0x61
#define  PORT_61_GATE2		BIT(0)		/* Timer 2 gate */
#define  PORT_61_SPEAKER	BIT(1)		/* Speaker data enable */
#define  PORT_61_OUT2		BIT(5)		/* Timer 2 output (RO) */

/* Polls of OUT2 before a wait is declared stuck (far beyond 55 ms). */
#define PIT_MAX_POLLS		20000000U
/*
 * Calibration takes the fewest TSC ticks seen over CALIBRATE_RUNS PIT
 * intervals. Under an emulator the vCPU can be descheduled after the PIT
 * has expired and before the poll sees it, which only ever adds ticks:
 * the minimum is the run that was not disturbed.
 */
#define CALIBRATE_US		10000
#define CALIBRATE_RUNS		3
#define FALLBACK_HZ		1000000000ULL
#define NSEC_PER_SEC		1000000000ULL

static u64 tsc_hz;
static u64 tsc_epoch;
static u64 tsc_mult;		/* ns per tick, 32.32 fixed point */

int x86_pit_wait_us(u32 us, u64 *tsc_delta)
{
	u32 count, polls;
	u64 t0, t1;
	u8 p61;

	if (us == 0 || us > X86_PIT_MAX_US)
		return -EINVAL;
	count = (u32)((X86_PIT_HZ * us + 500000) / 1000000);
	if (count > 0xffff)
		count = 0xffff;

	p61 = x86_inb(PORT_61);
	x86_outb(PORT_61, (p61 & ~PORT_61_SPEAKER) | PORT_61_GATE2);
	x86_outb(PIT_MODE_CMD, FIELD_PREP(PIT_CMD_CHANNEL, 2) |
			       FIELD_PREP(PIT_CMD_ACCESS, 3) |
			       FIELD_PREP(PIT_CMD_MODE, 0));
	x86_outb(PIT_CH2_DATA, (u8)count);
	/* Counting starts with the write of the high byte. */
	x86_outb(PIT_CH2_DATA, (u8)(count >> 8));
	t0 = x86_rdtsc();
	for (polls = 0; polls < PIT_MAX_POLLS; polls++) {
		if (x86_inb(PORT_61) & PORT_61_OUT2)
			break;
	}
	t1 = x86_rdtsc();
	x86_outb(PORT_61, p61 & ~PORT_61_SPEAKER);
	if (polls == PIT_MAX_POLLS)
		return -ETIMEDOUT;
	if (tsc_delta)
		*tsc_delta = t1 - t0;
	return 0;
}

int x86_clock_init(void)
{
	u64 ticks, best = 0;
	int ret = 0;
	u32 i;

	for (i = 0; i < CALIBRATE_RUNS; i++) {
		ret = x86_pit_wait_us(CALIBRATE_US, &ticks);
		if (ret != 0) {
			break;
		}
		if (best == 0 || ticks < best) {
			best = ticks;
		}
	}
	if (ret == 0 && best > 0) {
		tsc_hz = best * 1000000ULL / CALIBRATE_US;
	}
	if (tsc_hz == 0) {
		tsc_hz = FALLBACK_HZ;
	}
	/* (10^9 << 32) / hz fits 64 bits for any hz >= 1. */
	tsc_mult = (NSEC_PER_SEC << 32) / tsc_hz;
	tsc_epoch = x86_rdtsc();
	return ret;
}

u64 x86_tsc_hz(void)
{
	return tsc_hz;
}

u64 x86_clock_ns(void)
{
	u64 delta;

	if (!tsc_mult)
		return 0;
	delta = x86_rdtsc() - tsc_epoch;
	return (u64)(((unsigned __int128)delta * tsc_mult) >> 32);
}
