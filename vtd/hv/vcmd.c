// SPDX-License-Identifier: BSD-2-Clause
/*
 * The virtual command interface of a VM's virtual IOMMU, host side
 * [VT-d 10.4.44, 11.4.16]: enlightened PASID allocation. A guest
 * allocates host PASIDs from its VM's ioasid set (its quota) and frees
 * them, by VCMD register writes the hypervisor traps, or by the
 * VTD_HV_VCMD hypercall. The guest sees host PASIDs: no translation
 * table, and nothing it writes can name another VM's IDs (the set
 * decides ownership). Register layout and status codes: <vtd/hw/regs.h>.
 */
#include <hal/hal.h>
#include <ioasid/ioasid.h>
#include <vtd/hv/vm.h>

#include "vm_impl.h"

/* What a VM with host PASIDs offers: the null command, allocate, free. */
#define VCCAP_HOST	(VTD_VCCAP_NS | VTD_VCCAP_PAS | VTD_VCCAP_FPS)

/* VCMD bits no command takes: 15:8 [VT-d 11.4.16.1]. */
#define VCMD_RSVD	GENMASK_ULL(15, 8)

static u64 rsp_status(u64 sc)
{
	return FIELD_PREP(VTD_VCRSP_SC, sc);
}

static bool host_pasids(const struct vtd_vm *vm)
{
	return vm->p.pasid_space == VTD_VM_PASIDS_HOST;
}

static u64 run_alloc(struct vtd_vm *vm)
{
	u32 pasid;

	/* Quota (-EDQUOT), space (-ENOSPC), memory: none for the guest. */
	if (vtd_vm_pasid_alloc(vm, &pasid)) {
		return rsp_status(VTD_VCRSP_SC_NO_PASID);
	}
	return rsp_status(VTD_VCRSP_SC_OK) |
	       FIELD_PREP(VTD_VCRSP_RSLT_PASID, pasid);
}

/*
 * Free @pasid: the VM's own (ioasid_free() asks its set: another VM's,
 * a free one or one beyond the space is refused), and no binding uses
 * it, decided under vm->lock so that no bind slips in between.
 */
static u64 run_free(struct vtd_vm *vm, u32 pasid)
{
	int ret = pasid ? 0 : -EINVAL;	/* every device's RID_PASID */

	hal_spin_lock(&vm->lock);
	if (!ret && vtd_vm_pasid_bound_locked(vm, pasid)) {
		ret = -EBUSY;
	}
	if (!ret) {
		ret = ioasid_free(vm->p.pasids, NULL, pasid);
	}
	hal_spin_unlock(&vm->lock);
	return rsp_status(ret ? VTD_VCRSP_SC_BAD_PASID : VTD_VCRSP_SC_OK);
}

/* Run command @cmd; the VCRSP value it ends with (IP clear). */
static u64 run(struct vtd_vm *vm, u64 cmd)
{
	u64 oa = FIELD_GET(VTD_VCMD_OA, cmd);

	if (!host_pasids(vm) || (cmd & VCMD_RSVD)) {
		return rsp_status(VTD_VCRSP_SC_UNDEFINED);
	}
	switch (FIELD_GET(VTD_VCMD_CMD, cmd)) {
	case VTD_VCMD_CMD_NULL:
		return rsp_status(oa ? VTD_VCRSP_SC_UNDEFINED :
				       VTD_VCRSP_SC_OK);
	case VTD_VCMD_CMD_ALLOC_PASID:
		return oa ? rsp_status(VTD_VCRSP_SC_UNDEFINED) : run_alloc(vm);
	case VTD_VCMD_CMD_FREE_PASID:
		if (cmd & ~(VTD_VCMD_OA_PASID | VTD_VCMD_CMD)) {
			return rsp_status(VTD_VCRSP_SC_UNDEFINED);
		}
		return run_free(vm, (u32)FIELD_GET(VTD_VCMD_OA_PASID, cmd));
	default:
		return rsp_status(VTD_VCRSP_SC_UNDEFINED);
	}
}

/*
 * Claim the VM's command slot: VCRSP goes from IP clear to IP set in one
 * atomic step, so one command runs at a time and a second writer sees
 * IP, as a guest would on hardware (-EBUSY). The claimer alone then
 * writes VCMD's shadow and, last, the response (release: a reader that
 * sees IP clear sees the command that produced it).
 */
static int claim(struct vtd_vm *vm, u64 cmd)
{
	u64 old = hal_atomic_load(&vm->vcrsp, HAL_RELAXED);

	do {
		if (old & VTD_VCRSP_IP) {
			return -EBUSY;
		}
	} while (!hal_atomic_cas(&vm->vcrsp, &old, VTD_VCRSP_IP,
				 HAL_ACQUIRE, HAL_RELAXED));
	hal_atomic_store(&vm->vcmd, cmd, HAL_RELAXED);
	return 0;
}

int vtd_vm_vcmd(struct vtd_vm *vm, u64 cmd, u64 *rsp)
{
	u64 r;
	int ret;

	if (!vm || !rsp) {
		return -EINVAL;
	}
	ret = claim(vm, cmd);
	if (ret) {
		return ret;
	}
	r = run(vm, cmd);
	hal_atomic_store(&vm->vcrsp, r, HAL_RELEASE);
	*rsp = r;
	return 0;
}

u64 vtd_vm_vcmd_ecap(const struct vtd_vm *vm)
{
	return vm && host_pasids(vm) ? VTD_ECAP_VCS : 0;
}

/* Is @off a register of the block (0xe00..0xe3f, 8-byte aligned)? */
static bool block_reg(u32 off)
{
	return off >= VTD_VCMD_REG && off < VTD_VCMD_REG + 0x40 &&
	       !(off & 7);
}

int vtd_vm_vcmd_write(struct vtd_vm *vm, u32 off, u64 val)
{
	u64 rsp;

	if (!vm || !block_reg(off)) {
		return -EINVAL;
	}
	if (off == VTD_VCMD_REG) {
		vtd_vm_vcmd(vm, val, &rsp);	/* -EBUSY: ignored */
	} else if (off == VTD_VCMD_EO_REG) {
		hal_atomic_store(&vm->vcmd_eo, val, HAL_RELAXED);
	}
	return 0;
}

int vtd_vm_vcmd_read(struct vtd_vm *vm, u32 off, u64 *val)
{
	if (!vm || !val || !block_reg(off)) {
		return -EINVAL;
	}
	switch (off) {
	case VTD_VCMD_REG:
		*val = hal_atomic_load(&vm->vcmd, HAL_RELAXED);
		break;
	case VTD_VCMD_EO_REG:
		*val = hal_atomic_load(&vm->vcmd_eo, HAL_RELAXED);
		break;
	case VTD_VCRSP_REG:
		*val = hal_atomic_load(&vm->vcrsp, HAL_ACQUIRE);
		break;
	case VTD_VCCAP_REG:
		*val = host_pasids(vm) ? VCCAP_HOST : 0;
		break;
	default:
		*val = 0;
		break;
	}
	return 0;
}
