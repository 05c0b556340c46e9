// SPDX-License-Identifier: BSD-2-Clause
/*
 * Enlightened PASID allocation, guest side [VT-d 10.4.44, 11.4.16]: a
 * custom ioasid allocator whose IDs come from the host through the
 * virtual command interface, over a unit's VCMD/VCRSP registers or over
 * the VTD_HV_VCMD hypercall. One command at a time per instance (the
 * registers hold one); the host's own IP check covers other instances.
 */
#include <hal/hal.h>
#include <ioasid/ioasid.h>
#include <vtd/hv/abi.h>
#include <vtd/vcmd.h>

#include "unit.h"

struct vtd_vcmd {
	struct ioasid_allocator *a;
	struct vtd_unit *u;		/* registers, or NULL: hypercall */
	vtd_vcmd_hcall_fn fn;
	void *priv;
	struct hal_spinlock lock;	/* one command at a time */
	u64 free_failed;
	struct vtd_hv_vcmd blk;		/* the hypercall's argument block */
};

/* Through the registers: wait out IP, write VCMD, poll VCRSP.IP. */
static int submit_mmio(struct vtd_vcmd *v, u64 cmd, u64 *rsp)
{
	int ret = vtd_reg_wait64(v->u, VTD_VCRSP_REG, VTD_VCRSP_IP, 0);

	if (ret) {
		return ret;
	}
	vtd_write64(v->u, VTD_VCMD_REG, cmd);
	return vtd_reg_wait64_val(v->u, VTD_VCRSP_REG, VTD_VCRSP_IP, 0, rsp);
}

static int submit_hcall(struct vtd_vcmd *v, u64 cmd, u64 *rsp)
{
	int ret;

	v->blk = (struct vtd_hv_vcmd){
		.hdr = { VTD_HV_ABI_VERSION, sizeof(v->blk) }, .cmd = cmd,
	};
	ret = v->fn(v->priv, VTD_HV_VCMD, hal_virt_to_phys(&v->blk), &v->blk,
		    sizeof(v->blk));
	if (!ret) {
		*rsp = READ_ONCE(v->blk.rsp);
	}
	return ret;
}

/* Run @cmd; 0 with VCRSP in @rsp, or the transport's error. */
static int submit(struct vtd_vcmd *v, u64 cmd, u64 *rsp)
{
	int ret;

	hal_spin_lock(&v->lock);
	ret = v->u ? submit_mmio(v, cmd, rsp) : submit_hcall(v, cmd, rsp);
	hal_spin_unlock(&v->lock);
	return ret;
}

static void vcmd_free(u32 id, void *priv)
{
	struct vtd_vcmd *v = priv;
	u64 cmd = FIELD_PREP(VTD_VCMD_CMD, VTD_VCMD_CMD_FREE_PASID) |
		  FIELD_PREP(VTD_VCMD_OA_PASID, id);
	u64 rsp = 0;
	int ret = submit(v, cmd, &rsp);

	if (!ret && FIELD_GET(VTD_VCRSP_SC, rsp) == VTD_VCRSP_SC_OK) {
		return;
	}
	hal_atomic_fetch_add(&v->free_failed, 1, HAL_RELAXED);
	hal_log(HAL_LOG_WARN, "vtd: virtual command: free of PASID %u "
		"failed (%d, status %u)\n", id, ret,
		(unsigned int)FIELD_GET(VTD_VCRSP_SC, rsp));
}

static int vcmd_alloc(u32 min, u32 max, void *priv)
{
	struct vtd_vcmd *v = priv;
	u64 rsp;
	u32 id;
	int ret = submit(v, FIELD_PREP(VTD_VCMD_CMD, VTD_VCMD_CMD_ALLOC_PASID),
			 &rsp);

	if (ret) {
		return ret;
	}
	switch (FIELD_GET(VTD_VCRSP_SC, rsp)) {
	case VTD_VCRSP_SC_OK:
		break;
	case VTD_VCRSP_SC_NO_PASID:
		return -ENOSPC;
	case VTD_VCRSP_SC_UNDEFINED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
	id = (u32)FIELD_GET(VTD_VCRSP_RSLT_PASID, rsp);
	if (id < min || id > max) {
		vcmd_free(id, v);	/* the host cannot be asked for a range */
		return -ENOSPC;
	}
	return (int)id;
}

static const struct ioasid_allocator_ops vcmd_ops = {
	.alloc = vcmd_alloc,
	.free = vcmd_free,
};

static int register_with(struct vtd_vcmd *v, struct ioasid_allocator *a,
			 struct vtd_vcmd **out)
{
	int ret;

	hal_spin_init(&v->lock);
	v->a = a;
	ret = ioasid_register_allocator(a, &vcmd_ops, v);
	if (ret) {
		hal_page_free(v, 0);
		return ret;
	}
	if (v->u) {
		hal_atomic_fetch_add(&v->u->vcmd_users, 1, HAL_RELAXED);
	}
	*out = v;
	return 0;
}

int vtd_vcmd_register(struct vtd_unit *u, struct ioasid_allocator *a,
		      struct vtd_vcmd **out)
{
	const u64 need = VTD_VCCAP_PAS | VTD_VCCAP_FPS;
	struct vtd_vcmd *v;

	if (!u || !a || !out) {
		return VTD_ERR(-EINVAL);
	}
	if (!(u->ecap & VTD_ECAP_VCS) ||
	    (vtd_read64(u, VTD_VCCAP_REG) & need) != need) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	v = hal_page_alloc(0);
	if (!v) {
		return VTD_ERR(-ENOMEM);
	}
	v->u = u;
	return register_with(v, a, out);
}

int vtd_vcmd_register_hcall(vtd_vcmd_hcall_fn fn, void *priv,
			    struct ioasid_allocator *a, struct vtd_vcmd **out)
{
	struct vtd_hv_caps *c;
	struct vtd_vcmd *v;
	int ret;

	if (!fn || !a || !out) {
		return VTD_ERR(-EINVAL);
	}
	v = hal_page_alloc(0);		/* the query's block: its tail */
	if (!v) {
		return VTD_ERR(-ENOMEM);
	}
	_Static_assert(sizeof(*v) + sizeof(*c) <= HAL_PAGE_SIZE, "vcmd page");
	c = (struct vtd_hv_caps *)((u8 *)v + HAL_PAGE_SIZE - sizeof(*c));
	c->hdr = (struct vtd_hv_hdr){ VTD_HV_ABI_VERSION, sizeof(*c) };
	ret = fn(priv, VTD_HV_QUERY, hal_virt_to_phys(c), c, sizeof(*c));
	if (!ret && !(c->caps & VTD_HV_CAP_VCMD)) {
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		hal_page_free(v, 0);
		return VTD_ERR(ret);
	}
	hal_memset(c, 0, sizeof(*c));
	v->fn = fn;
	v->priv = priv;
	return register_with(v, a, out);
}

int vtd_vcmd_unregister(struct vtd_vcmd *v)
{
	int ret;

	if (!v) {
		return VTD_ERR(-EINVAL);
	}
	ret = ioasid_unregister_allocator(v->a, &vcmd_ops, v);
	if (ret) {
		return ret;	/* -EBUSY: IDs outstanding, still active */
	}
	if (v->u) {
		hal_atomic_fetch_sub(&v->u->vcmd_users, 1, HAL_RELEASE);
	}
	hal_page_free(v, 0);
	return 0;
}

u64 vtd_vcmd_free_failed(const struct vtd_vcmd *v)
{
	return v ? hal_atomic_load(&v->free_failed, HAL_RELAXED) : 0;
}
