// SPDX-License-Identifier: BSD-2-Clause
/*
 * Remapping unit bring-up and teardown [VT-d 10.4, 11.4.4-11.4.5]: the
 * global command handshake, the root table, the order in which a unit is
 * turned on and off, and the domain-ID space.
 */
#include <hal/hal.h>
#include <vtd/vtd.h>

#include "unit.h"

/*
 * The one loop that waits on hardware: poll register @off (@width 4 or 8
 * bytes) until (value & @mask) == @want, or return -ETIMEDOUT once
 * CONFIG_VTD_TIMEOUT_US has passed.
 */
static int wait_reg(struct vtd_unit *u, u32 off, unsigned int width,
		    u64 mask, u64 want)
{
	u64 deadline = vtd_deadline();
	bool late = false;

	for (;;) {
		u64 v = width == 8 ? vtd_read64(u, off) : vtd_read32(u, off);

		if ((v & mask) == want)
			return 0;
		/* One last look after the deadline: we may have been away. */
		if (late)
			break;
		late = hal_time_ns() > deadline;
		if (!late)
			hal_cpu_relax();
	}
	hal_log(HAL_LOG_ERR, "vtd %llx: register %#x timed out (mask %#llx "
		"want %#llx)\n", (unsigned long long)u->reg_base, off,
		(unsigned long long)mask, (unsigned long long)want);
	return VTD_ERR(-ETIMEDOUT);
}

int vtd_wait_reg32(struct vtd_unit *u, u32 off, u32 mask, u32 want)
{
	return wait_reg(u, off, 4, mask, want);
}

int vtd_wait_reg64(struct vtd_unit *u, u32 off, u64 mask, u64 want)
{
	return wait_reg(u, off, 8, mask, want);
}

/* The GCMD controls that stay set, and their GSTS status bits. */
#define GSTS_PERSISTENT	(VTD_GSTS_TES | VTD_GSTS_QIES | VTD_GSTS_IRES | \
			 VTD_GSTS_CFIS)

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
static int gcmd_locked(struct vtd_unit *u, u32 cmd, u32 status, bool on)
{
	u32 val = u->gsts & GSTS_PERSISTENT & ~VTD_GCMD_ONE_SHOT;
	u32 want;
	int ret;

	hal_lock_assert_held(&u->lock);
	/* A one-shot command is always written as 1. */
	if (on || (cmd & VTD_GCMD_ONE_SHOT))
		val |= cmd;
	else
		val &= ~cmd;
	vtd_write32(u, VTD_GCMD_REG, val);
	if (cmd == VTD_GCMD_WBF)
		want = 0;
	else
		want = on ? status : 0;
	ret = vtd_wait_reg32(u, VTD_GSTS_REG, status, want);
	if (ret)
		return ret;
	if (!(cmd & VTD_GCMD_ONE_SHOT))
		u->gsts = on ? (u->gsts | status) : (u->gsts & ~status);
	return 0;
}

/*
 * [VT-d 6.8] With CAP.RWBF the unit may buffer writes to the remapping
 * structures; software flushes them (GCMD.WBF) after making entries
 * present when no invalidation follows. A no-op without CAP.RWBF.
 */
int vtd_unit_flush_write_buffer(struct vtd_unit *u)
{
	int ret;

	if (!(u->cap & VTD_CAP_RWBF))
		return 0;
	hal_spin_lock(&u->lock);
	ret = gcmd_locked(u, VTD_GCMD_WBF, VTD_GSTS_WBFS, true);
	hal_spin_unlock(&u->lock);
	return ret;
}

bool vtd_unit_is_scalable(const struct vtd_unit *u)
{
	return u->scalable;
}

u64 vtd_unit_cap(const struct vtd_unit *u)
{
	return u->cap;
}

u64 vtd_unit_ecap(const struct vtd_unit *u)
{
	return u->ecap;
}

/* Write back a range the unit reads, when ECAP.C says it does not snoop. */
static void flush_range(const struct vtd_unit *u, const void *va, size_t len)
{
	uintptr_t p = (uintptr_t)va & ~(uintptr_t)(HAL_CACHE_LINE - 1);
	uintptr_t end = (uintptr_t)va + len;

	if (u->coherent)
		return;
	for (; p < end; p += HAL_CACHE_LINE)
		hal_cache_flush_line((const void *)p);
	hal_fence();
}

static void unit_free(struct vtd_unit *u)
{
	vtd_unit_free_devices(u);
	vtd_qi_fini(u);
	if (u->root)
		hal_page_free(u->root, 0);
	if (u->did_map)
		hal_page_free(u->did_map, u->did_map_order);
	if (u->regs)
		hal_mmio_unmap(u->regs);
	hal_page_free(u, 0);
}

int vtd_unit_create(const struct vtd_dmar_drhd *drhd,
		    const struct vtd_unit_params *params,
		    struct vtd_unit **out)
{
	_Static_assert(sizeof(struct vtd_unit) <= HAL_PAGE_SIZE,
		       "struct vtd_unit fits one page");
	struct vtd_unit *u;
	u64 map_bytes;
	int ret;

	if (!drhd || !out)
		return VTD_ERR(-EINVAL);
	if (params && params->qi_order > 7)
		return VTD_ERR(-EINVAL);
	*out = NULL;
	u = hal_page_alloc(0);
	if (!u)
		return VTD_ERR(-ENOMEM);
	/*
	 * The link fails here unless the HAL's struct hal_spinlock has the
	 * layout this library was built with (<hal/lock.h>). Every object
	 * that holds a lock (a unit, its domains) is reached through a
	 * unit, so this one reference covers them all.
	 */
	HAL_SPINLOCK_LAYOUT_REF();
	hal_spin_init(&u->lock);
	hal_spin_init(&u->ctx_lock);
	hal_spin_init(&u->fault_lock);
	hal_spin_init(&u->qi.lock);
	if (params) {
		u->params = *params;
		if (params->fault_msi) {
			u->fault_msi = *params->fault_msi;
			u->has_fault_msi = true;
		}
		if (params->inv_msi) {
			u->inv_msi = *params->inv_msi;
			u->has_inv_msi = true;
		}
		u->params.fault_msi = NULL;
		u->params.inv_msi = NULL;
	}
	u->reg_base = drhd->reg_base;
	u->segment = drhd->segment;
	u->regs = hal_mmio_map(hal_paddr_init(drhd->reg_base),
			       drhd->reg_size ? drhd->reg_size : HAL_PAGE_SIZE);
	if (!u->regs) {
		ret = VTD_ERR(-ENODEV);
		goto err;
	}
	u->ver = vtd_read32(u, VTD_VER_REG);
	u->cap = vtd_read64(u, VTD_CAP_REG);
	u->ecap = vtd_read64(u, VTD_ECAP_REG);
	/* [VT-d 11.4.2] SAGAW must name at least one 3/4/5-level width. */
	if (!(FIELD_GET(VTD_CAP_SAGAW, u->cap) &
	      (VTD_CAP_SAGAW_39 | VTD_CAP_SAGAW_48 | VTD_CAP_SAGAW_57))) {
		ret = VTD_ERR(-EOPNOTSUPP);
		goto err;
	}
	u->coherent = u->ecap & VTD_ECAP_C;
	u->scalable = CONFIG_VTD_SCALABLE_MODE && (u->ecap & VTD_ECAP_SMTS) &&
		      !u->params.force_legacy;

	/* [VT-d 11.4.2] ND: 2^(4 + 2 * ND) domain IDs; 7 is reserved. */
	if (FIELD_GET(VTD_CAP_ND, u->cap) > 6) {
		ret = VTD_ERR(-EOPNOTSUPP);
		goto err;
	}
	u->did_count = 1U << (4 + 2 * FIELD_GET(VTD_CAP_ND, u->cap));
	map_bytes = HAL_ALIGN_UP((u64)u->did_count / 8, HAL_PAGE_SIZE);
	while ((HAL_PAGE_SIZE << u->did_map_order) < map_bytes)
		u->did_map_order++;
	u->did_map = hal_page_alloc(u->did_map_order);
	u->root = hal_page_alloc(0);
	if (!u->did_map || !u->root) {
		ret = VTD_ERR(-ENOMEM);
		goto err;
	}
	/* [VT-d 6.2.3.1] DID 0 is reserved under caching mode; never used. */
	u->did_map[0] = 1;

	if (u->ecap & VTD_ECAP_QI) {
		u->qi.order = u->params.qi_order;
		ret = vtd_qi_init(u);
		if (ret)
			goto err;
	}
	*out = u;
	return 0;
err:
	unit_free(u);
	return ret;
}

/* Clear every pending fault record and the sticky error bits. */
static void clear_faults_locked(struct vtd_unit *u)
{
	u32 i, n = vtd_regs_frcd_count(u->cap);

	for (i = 0; i < n; i++)
		vtd_write64(u, vtd_regs_frcd_offset(u->cap, i) +
			       VTD_FRCD_HI_OFF, VTD_FRCD_HI_F);
	vtd_write32(u, VTD_FSTS_REG, VTD_FSTS_PFO | VTD_FSTS_IQE |
				     VTD_FSTS_ICE | VTD_FSTS_ITE);
}

static void program_events_locked(struct vtd_unit *u)
{
	/*
	 * [VT-d 11.4.7.2-5, 11.4.9.5-8] Data and address first, then unmask
	 * through the control register. FECTL, IECTL and the address
	 * registers are 32-bit: 64-bit writes to them abort QEMU 7.2.
	 */
	if (u->has_fault_msi) {
		vtd_write32(u, VTD_FEDATA_REG, u->fault_msi.data);
		vtd_write32(u, VTD_FEADDR_REG, u->fault_msi.addr);
		if (u->ecap & VTD_ECAP_EIM)
			vtd_write32(u, VTD_FEUADDR_REG, u->fault_msi.addr_hi);
		vtd_write32(u, VTD_FECTL_REG, 0);
	} else {
		vtd_write32(u, VTD_FECTL_REG, VTD_FECTL_IM);
	}
	if (!(u->ecap & VTD_ECAP_QI))
		return;
	if (u->has_inv_msi) {
		vtd_write32(u, VTD_IEDATA_REG, u->inv_msi.data);
		vtd_write32(u, VTD_IEADDR_REG, u->inv_msi.addr);
		if (u->ecap & VTD_ECAP_EIM)
			vtd_write32(u, VTD_IEUADDR_REG, u->inv_msi.addr_hi);
		vtd_write32(u, VTD_IECTL_REG, 0);
	} else {
		vtd_write32(u, VTD_IECTL_REG, VTD_IECTL_IM);
	}
}

static int disable_locked(struct vtd_unit *u)
{
	int ret = 0, r;

	if (u->gsts & VTD_GSTS_TES) {
		r = gcmd_locked(u, VTD_GCMD_TE, VTD_GSTS_TES, false);
		ret = ret ? ret : r;
	}
	if (u->gsts & VTD_GSTS_IRES) {
		r = gcmd_locked(u, VTD_GCMD_IRE, VTD_GSTS_IRES, false);
		ret = ret ? ret : r;
	}
	if (u->gsts & VTD_GSTS_QIES) {
		r = vtd_qi_disable(u);
		ret = ret ? ret : r;
	}
	vtd_write32(u, VTD_FECTL_REG, VTD_FECTL_IM);
	if (u->ecap & VTD_ECAP_QI)
		vtd_write32(u, VTD_IECTL_REG, VTD_IECTL_IM);
	u->enabled = false;
	return ret;
}

/* Set the QIE control; called by qi.c with u->lock held. */
int vtd_unit_gcmd_qie_locked(struct vtd_unit *u, bool on);
int vtd_unit_gcmd_qie_locked(struct vtd_unit *u, bool on)
{
	return gcmd_locked(u, VTD_GCMD_QIE, VTD_GSTS_QIES, on);
}

int vtd_unit_enable(struct vtd_unit *u)
{
	u64 rtaddr;
	int ret;

	if (!u)
		return VTD_ERR(-EINVAL);
	hal_spin_lock(&u->lock);
	/* The one read of GSTS that seeds the shadow: what firmware left. */
	u->gsts = vtd_read32(u, VTD_GSTS_REG) & GSTS_PERSISTENT;
	ret = disable_locked(u);
	if (ret)
		goto out;

	/* [VT-d 10.4.5, 11.4.5] Root table and mode, then SRTP. */
	flush_range(u, u->root, HAL_PAGE_SIZE);
	rtaddr = (hal_paddr_val(hal_virt_to_phys(u->root)) & VTD_RTADDR_RTA) |
		 FIELD_PREP(VTD_RTADDR_TTM, u->scalable ?
				VTD_RTADDR_TTM_SCALABLE :
				VTD_RTADDR_TTM_LEGACY);
	vtd_write64(u, VTD_RTADDR_REG, rtaddr);
	ret = gcmd_locked(u, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	if (ret)
		goto out;

	/* [VT-d 6.8] Flush the write buffer when the unit requires it. */
	if (u->cap & VTD_CAP_RWBF) {
		ret = gcmd_locked(u, VTD_GCMD_WBF, VTD_GSTS_WBFS, true);
		if (ret)
			goto out;
	}

	clear_faults_locked(u);
	program_events_locked(u);

	if (u->ecap & VTD_ECAP_QI) {
		ret = vtd_qi_enable(u);
		if (ret)
			goto out;
	}
	hal_spin_unlock(&u->lock);

	/*
	 * [VT-d 6.5.3, 6.5.3.1] After setting the root table pointer, and
	 * unless CAP.ESRTPS says the unit did it itself, software invalidates
	 * the context cache, (scalable mode) the PASID cache, and the IOTLB
	 * globally before enabling translation.
	 */
	if (!(u->cap & VTD_CAP_ESRTPS)) {
		ret = vtd_inv_context_global(u);
		if (!ret && u->scalable && vtd_qi_enabled(u)) {
			struct vtd_qi_desc d = vtd_qi_pc(VTD_QI_PC_G_GLOBAL,
							 0, 0);

			ret = vtd_qi_submit(u, &d, 1, 0);
		}
		if (!ret)
			ret = vtd_inv_iotlb_global(u);
	}

	hal_spin_lock(&u->lock);
	if (ret)
		goto out;
	ret = gcmd_locked(u, VTD_GCMD_TE, VTD_GSTS_TES, true);
	if (!ret)
		u->enabled = true;
out:
	if (ret)
		disable_locked(u);
	hal_spin_unlock(&u->lock);
	return ret;
}

int vtd_unit_disable(struct vtd_unit *u)
{
	int ret;

	if (!u)
		return VTD_ERR(-EINVAL);
	hal_spin_lock(&u->lock);
	ret = disable_locked(u);
	hal_spin_unlock(&u->lock);
	return ret;
}

int vtd_unit_destroy(struct vtd_unit *u)
{
	int ret;

	if (!u)
		return VTD_ERR(-EINVAL);
	if (u->attached)
		return VTD_ERR(-EBUSY);
	ret = vtd_unit_disable(u);
	if (ret) {
		/*
		 * Translation or queued invalidation may still be on: the
		 * unit may read the root table, the queue or the tables at
		 * any time, so none of it may be reused.
		 */
		hal_log(HAL_LOG_ERR, "vtd %llx: not disabled (%d); its memory "
			"stays allocated\n", (unsigned long long)u->reg_base,
			ret);
		return ret;
	}
	unit_free(u);
	return 0;
}

int vtd_unit_did_alloc_locked(struct vtd_unit *u)
{
	u32 w, words = (u->did_count + 63) / 64;
	u64 free;

	hal_lock_assert_held(&u->ctx_lock);
	for (w = 0; w < words; w++) {
		free = ~u->did_map[w];
		if (u->did_count < 64)
			free &= (1ULL << u->did_count) - 1;
		if (free) {
			u->did_map[w] |= free & -free;
			return (int)(w * 64 + (u32)__builtin_ctzll(free));
		}
	}
	return VTD_ERR(-ENOSPC);
}

void vtd_unit_did_free_locked(struct vtd_unit *u, u16 did)
{
	hal_lock_assert_held(&u->ctx_lock);
	if (did && did < u->did_count)
		u->did_map[did / 64] &= ~(1ULL << (did % 64));
}

int vtd_unit_did_alloc(struct vtd_unit *u)
{
	int did;

	hal_spin_lock(&u->ctx_lock);
	did = vtd_unit_did_alloc_locked(u);
	hal_spin_unlock(&u->ctx_lock);
	return did;
}

void vtd_unit_did_free(struct vtd_unit *u, u16 did)
{
	hal_spin_lock(&u->ctx_lock);
	vtd_unit_did_free_locked(u, did);
	hal_spin_unlock(&u->ctx_lock);
}
