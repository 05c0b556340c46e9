// SPDX-License-Identifier: BSD-2-Clause
/*
 * Register access that waits on hardware [VT-d 10.4, 11.4.4]: the one
 * polling loop with a deadline, the global command handshake (GCMD
 * derived from a shadow of GSTS, one control per write), and the
 * write-buffer flush of units with CAP.RWBF [VT-d 6.8].
 */
#include <hal/hal.h>

#include "unit.h"

/*
 * The one loop that waits on hardware: poll register @off (@width 4 or 8
 * bytes) until (value & @mask) == @want, or return -ETIMEDOUT once
 * CONFIG_VTD_TIMEOUT_US has passed.
 */
static int wait_reg(struct vtd_unit *u, u32 off, unsigned int width,
		    u64 mask, u64 want, u64 *last)
{
	u64 deadline = vtd_deadline();
	bool late = false;

	for (;;) {
		u64 v = width == 8 ? vtd_read64(u, off) : vtd_read32(u, off);

		if ((v & mask) == want) {
			if (last) {
				*last = v;
			}
			return 0;
		}
		/* One last look after the deadline: we may have been away. */
		if (late) {
			break;
		}
		late = hal_time_ns() > deadline;
		if (!late) {
			hal_cpu_relax();
		}
	}
	hal_log(HAL_LOG_ERR, "vtd %llx: register %#x timed out (mask %#llx "
		"want %#llx)\n", (unsigned long long)u->reg_base, off,
		(unsigned long long)mask, (unsigned long long)want);
	return VTD_ERR(-ETIMEDOUT);
}

int vtd_reg_wait32(struct vtd_unit *u, u32 off, u32 mask, u32 want)
{
	return wait_reg(u, off, 4, mask, want, NULL);
}

int vtd_reg_wait64(struct vtd_unit *u, u32 off, u64 mask, u64 want)
{
	return wait_reg(u, off, 8, mask, want, NULL);
}

int vtd_reg_wait64_val(struct vtd_unit *u, u32 off, u64 mask, u64 want,
		       u64 *val)
{
	return wait_reg(u, off, 8, mask, want, val);
}

/* The GCMD controls that stay set, and their GSTS status bits. */
#define GSTS_PERSISTENT	(VTD_GSTS_TES | VTD_GSTS_QIES | VTD_GSTS_IRES | \
			 VTD_GSTS_CFIS)

void vtd_reg_gsts_seed_locked(struct vtd_unit *u)
{
	hal_lock_assert_held(&u->lock);
	u->gsts = vtd_read32(u, VTD_GSTS_REG) & GSTS_PERSISTENT;
}

/*
 * Issue one global command and wait for its status.
 *
 * [VT-d 11.4.4.1] GCMD is write-only and each write changes one control:
 * the value written is the persistent enables as GSTS reports them (kept
 * in u->gsts, read from GSTS once at enable time) with the one-shot
 * commands masked out, plus or minus the single control being changed.
 * Writing the one-shot bits back would re-issue them (QEMU 7.2 acts on
 * SRTP whenever it is written as 1). Then GSTS is polled until the status
 * bit follows.
 *
 * @cmd is a GCMD bit, @status its GSTS bit; @on sets or clears it. For a
 * one-shot command (SRTP, SIRTP) @status is the bit that is set on
 * completion; for WBF it is WBFS, which clears on completion.
 */
int vtd_reg_gcmd_locked(struct vtd_unit *u, u32 cmd, u32 status, bool on)
{
	u32 val = u->gsts & GSTS_PERSISTENT & ~VTD_GCMD_ONE_SHOT;
	u32 want;
	int ret;

	hal_lock_assert_held(&u->lock);
	/* A one-shot command is always written as 1. */
	if (on || (cmd & VTD_GCMD_ONE_SHOT)) {
		val |= cmd;
	} else {
		val &= ~cmd;
	}
	vtd_write32(u, VTD_GCMD_REG, val);
	if (cmd == VTD_GCMD_WBF) {
		want = 0;
	} else {
		want = on ? status : 0;
	}
	ret = vtd_reg_wait32(u, VTD_GSTS_REG, status, want);
	if (ret) {
		return ret;
	}
	if (!(cmd & VTD_GCMD_ONE_SHOT)) {
		u->gsts = on ? (u->gsts | status) : (u->gsts & ~status);
	}
	return 0;
}

/*
 * [VT-d 6.8] With CAP.RWBF the unit may buffer writes to the remapping
 * structures; software flushes them (GCMD.WBF) after making entries
 * present when no invalidation follows (no caching mode: the unit
 * caches nothing not-present). Every path that makes an entry present
 * without invalidating calls this; a no-op without CAP.RWBF or under
 * caching mode (whose invalidations flush the buffer implicitly).
 */
int vtd_reg_flush_write_buffer(struct vtd_unit *u)
{
	int ret;

	if (!(u->cap & VTD_CAP_RWBF) || (u->cap & VTD_CAP_CM)) {
		return 0;
	}
	hal_spin_lock(&u->lock);
	ret = vtd_reg_gcmd_locked(u, VTD_GCMD_WBF, VTD_GSTS_WBFS, true);
	hal_spin_unlock(&u->lock);
	return ret;
}
