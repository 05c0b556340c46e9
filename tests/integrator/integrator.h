/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the example integrator's HAL (hal.c) and program (main.c):
 * its register model of one remapping unit, written from the
 * specification with the integrator's own constants, not the library's
 * private regs.h.
 */
#pragma once

#include <hal/types.h>

#define UNIT_BASE	0xfed90000ULL
#define REGS_SIZE	0x1000

/* [VT-d 11.4] Register offsets. */
#define REG_VER		0x000
#define REG_CAP		0x008
#define REG_ECAP	0x010
#define REG_FSTS	0x034
#define REG_FRCD0	0x220	/* CAP.FRO = 0x22 (x16) */

#define FSTS_PPF	(1U << 1)		/* Primary Pending Fault */
#define FRCD_HI_F	(1ULL << 63)		/* bit 127: Fault */
#define FRCD_HI_T1	(1ULL << 62)		/* bit 126: 1 = read */
#define FRCD_HI_FR_SHIFT 32			/* bits 103:96: reason */

void model_init(void);
void model_write(u32 off, u64 val, unsigned int width);
u64 model_read(u32 off, unsigned int width);

unsigned long hal_pages_out(void);
unsigned long hal_locks_held(void);
unsigned long hal_lock_acquisitions(void);
unsigned long hal_log_lines(const char **last);
