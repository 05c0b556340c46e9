// SPDX-License-Identifier: BSD-2-Clause
/*
 * Remapping unit bring-up and teardown [VT-d 10.4, 11.4.4-11.4.5]: the
 * global command handshake, the root table, the order in which a unit is
 * turned on and off, and the domain-ID space.
 */
#include <hal/hal.h>
#include <vtd/vtd.h>

#include "context.h"
#include "dev.h"
#include "flush.h"
#include "unit.h"

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

u32 vtd_unit_quirks(const struct vtd_unit *u)
{
	return u->params.quirks;
}

static void unit_free(struct vtd_unit *u)
{
	vtd_dev_map_fini(u);
	vtd_ctx_free_all(u);
	vtd_ir_fini(u);
	vtd_qi_fini(u);
	if (u->root)
		hal_page_free(u->root, 0);
	vtd_did_fini(u);
	if (u->regs)
		hal_mmio_unmap(u->regs);
	hal_page_free(u, 0);
}

/* Keep the caller's parameters; the MSI messages are copied, not pointed to. */
static void params_copy(struct vtd_unit *u,
			const struct vtd_unit_params *params)
{
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

int vtd_unit_create(const struct vtd_dmar_drhd *drhd,
		    const struct vtd_unit_params *params,
		    struct vtd_unit **out)
{
	_Static_assert(sizeof(struct vtd_unit) <= HAL_PAGE_SIZE,
		       "struct vtd_unit fits one page");
	struct vtd_unit *u;
	int ret;

	if (!drhd || !out)
		return VTD_ERR(-EINVAL);
	if (params && (params->qi_order > 7 ||
		       (params->quirks & ~VTD_QUIRKS_ALL)))
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
	hal_spin_init(&u->ir.lock);
	if (params) {
		params_copy(u, params);
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

	ret = vtd_did_init(u);
	if (ret)
		goto err;
	u->root = hal_page_alloc(0);
	if (!u->root) {
		ret = VTD_ERR(-ENOMEM);
		goto err;
	}
	ret = vtd_dev_map_init(u);
	if (ret)
		goto err;

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
		r = vtd_reg_gcmd_locked(u, VTD_GCMD_TE, VTD_GSTS_TES, false);
		ret = ret ? ret : r;
	}
	if (u->gsts & VTD_GSTS_IRES) {
		r = vtd_reg_gcmd_locked(u, VTD_GCMD_IRE, VTD_GSTS_IRES, false);
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

int vtd_unit_enable(struct vtd_unit *u)
{
	u64 rtaddr;
	int ret;

	if (!u)
		return VTD_ERR(-EINVAL);
	hal_spin_lock(&u->lock);
	/* The one read of GSTS that seeds the shadow: what firmware left. */
	vtd_reg_gsts_seed_locked(u);
	ret = disable_locked(u);
	if (ret)
		goto out;

	/* [VT-d 10.4.5, 11.4.5] Root table and mode, then SRTP. */
	vtd_flush_range(u->coherent, u->root, HAL_PAGE_SIZE);
	rtaddr = (hal_paddr_val(hal_virt_to_phys(u->root)) & VTD_RTADDR_RTA) |
		 FIELD_PREP(VTD_RTADDR_TTM, u->scalable ?
				VTD_RTADDR_TTM_SCALABLE :
				VTD_RTADDR_TTM_LEGACY);
	vtd_write64(u, VTD_RTADDR_REG, rtaddr);
	ret = vtd_reg_gcmd_locked(u, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	if (ret)
		goto out;

	/* [VT-d 6.8] Flush the write buffer when the unit requires it. */
	if (u->cap & VTD_CAP_RWBF) {
		ret = vtd_reg_gcmd_locked(u, VTD_GCMD_WBF, VTD_GSTS_WBFS, true);
		if (ret)
			goto out;
	}

	vtd_fault_clear_all_locked(u);
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
	ret = vtd_reg_gcmd_locked(u, VTD_GCMD_TE, VTD_GSTS_TES, true);
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
	/* Devices attached, or a VCMD allocator still drawing on it. */
	if (u->attached || hal_atomic_load(&u->vcmd_users, HAL_ACQUIRE))
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
