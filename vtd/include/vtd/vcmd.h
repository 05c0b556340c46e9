/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libvtd inside a guest: enlightened PASID allocation [VT-d 10.4.44].
 * On a (virtual) unit with ECAP.VCS whose VCCAP offers allocate and free
 * (VTD_VCCAP_PAS, _FPS), vtd_vcmd_register() adds a custom allocator to
 * an ioasid allocator: from then on ioasid_alloc() and ioasid_free() on
 * it take PASIDs from the host and give them back, by writing VCMD and
 * polling VCRSP.IP (deadline CONFIG_VTD_TIMEOUT_US). A guest without a
 * virtual IOMMU does the same through the VTD_HV_VCMD hypercall
 * (vtd_vcmd_register_hcall()). The PASIDs are the host's, bounded by the
 * VM's quota there; the host side is <vtd/hv/vm.h>.
 *
 * Errors of ioasid_alloc() through it: -ENOSPC (the host has none for
 * this VM, or the one it gave is outside the range asked for: it is
 * freed again), -EOPNOTSUPP (the host refused the command as
 * undefined), -EIO (any other status), -ETIMEDOUT (IP stayed set), the
 * hypercall's errors. A free the host refuses is counted
 * (vtd_vcmd_free_failed()) and logged.
 */
#pragma once

#include <hal/types.h>
#include <vtd/vtd.h>

struct ioasid_allocator;
struct vtd_vcmd;

/*
 * One hypercall as the guest makes it: call @nr with the argument block
 * @blk of @size bytes, which lies at guest-physical @gpa. Return: the
 * call's result (0 or a negative errno).
 */
typedef int (*vtd_vcmd_hcall_fn)(void *priv, u32 nr, hal_paddr_t gpa,
				 void *blk, u32 size);

/**
 * vtd_vcmd_register() - Serve @a's allocations through unit @u's virtual
 * command registers. The first custom allocator registered becomes
 * active at once (the ioasid switch rule, <ioasid/ioasid.h>).
 * Return: 0; -EINVAL; -EOPNOTSUPP (no ECAP.VCS, or VCCAP without PAS or
 * FPS); -ENOMEM; the errors of ioasid_register_allocator().
 */
int vtd_vcmd_register(struct vtd_unit *u, struct ioasid_allocator *a,
		      struct vtd_vcmd **out);

/**
 * vtd_vcmd_register_hcall() - As vtd_vcmd_register(), through the
 * VTD_HV_VCMD hypercall made by @fn(@priv, ...): the host's VTD_HV_QUERY
 * must report VTD_HV_CAP_VCMD. Return: as vtd_vcmd_register(), and the
 * errors of the query.
 */
int vtd_vcmd_register_hcall(vtd_vcmd_hcall_fn fn, void *priv,
			    struct ioasid_allocator *a, struct vtd_vcmd **out);

/**
 * vtd_vcmd_unregister() - Take the allocator away; its unit cannot be
 * destroyed before (vtd_unit_destroy() is -EBUSY). The ioasid rule holds: while PASIDs it allocated are
 * outstanding it stays registered and active, and this returns -EBUSY;
 * free them first. Return: 0; -EINVAL; -EBUSY.
 */
int vtd_vcmd_unregister(struct vtd_vcmd *v);

/** vtd_vcmd_free_failed() - Frees the host refused or that timed out. */
u64 vtd_vcmd_free_failed(const struct vtd_vcmd *v);
