/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest's view of the VT-d hypercalls: a header a guest can include
 * as it is (fixed-width types, explicit padding, no pointers: guest
 * addresses are u64 guest-physical addresses).
 *
 * A call is (call number, GPA of its argument block). Every argument
 * block starts with struct vtd_hv_hdr: @version is VTD_HV_ABI_VERSION and
 * @size the block's size as this header defines it; anything else is
 * refused (-EINVAL) before a byte is acted on. Reserved fields and
 * padding must be zero. The host reads the block once, writes results
 * back into it only when the call succeeds, and returns 0 or a negative
 * errno (Linux values) as the call's result.
 *
 * Calls:
 *  VTD_HV_QUERY          fills struct vtd_hv_caps.
 *  VTD_HV_PASID_ALLOC    allocates a PASID of the VM's own quota
 *                        (host PASID namespace) into .pasid.
 *  VTD_HV_PASID_FREE     frees .pasid (unbinding it everywhere first).
 *  VTD_HV_BIND           binds .pasid of assigned device .dev to the
 *                        guest first-level table at .gpgd (guest CR3).
 *  VTD_HV_UNBIND         undoes it.
 *  VTD_HV_INVALIDATE     passes down .count entries at .entries (GPA);
 *                        .done tells how many were carried out, also
 *                        on error (the first not done is the failing one).
 *  VTD_HV_IRQ_ROUTE      routes the MSI of assigned device .dev to guest
 *                        vector .vector of vCPU .vcpu: into .handle, and
 *                        into .msi_addr/.msi_data the remappable-format
 *                        message the guest writes into the device's MSI
 *                        capability (it names a host IRTE that accepts
 *                        it from that device only).
 *  VTD_HV_IRQ_UPDATE     moves route .handle (of the same .dev) to
 *                        .vcpu/.vector.
 *  VTD_HV_IRQ_UNROUTE    frees route .handle (the message is dropped
 *                        from then on).
 *  VTD_HV_VCMD           runs the virtual-command value .cmd (the layout
 *                        of the VCMD register, <vtd/hw/regs.h>) as a
 *                        write to the virtual unit's VCMD would, and
 *                        returns the VCRSP value in .rsp: for a guest
 *                        without a virtual IOMMU. -EBUSY while a
 *                        command of the VM runs.
 */
#pragma once

#include <stdint.h>

#define VTD_HV_ABI_VERSION	1

enum vtd_hv_call_nr {
	VTD_HV_QUERY = 1,
	VTD_HV_PASID_ALLOC = 2,
	VTD_HV_PASID_FREE = 3,
	VTD_HV_BIND = 4,
	VTD_HV_UNBIND = 5,
	VTD_HV_INVALIDATE = 6,
	VTD_HV_IRQ_ROUTE = 7,
	VTD_HV_IRQ_UPDATE = 8,
	VTD_HV_IRQ_UNROUTE = 9,
	VTD_HV_VCMD = 10,
};

struct vtd_hv_hdr {
	uint32_t version;		/* VTD_HV_ABI_VERSION */
	uint32_t size;			/* sizeof the whole argument block */
};
_Static_assert(sizeof(struct vtd_hv_hdr) == 8, "vtd_hv_hdr");

/* VTD_HV_QUERY: what the host offers this VM. */
#define VTD_HV_CAP_NESTED	(1U << 0)	/* binds use hardware nesting */
#define VTD_HV_CAP_SHADOW	(1U << 1)	/* binds are shadowed by the host */
#define VTD_HV_CAP_HOST_PASIDS	(1U << 2)	/* PASIDs come from PASID_ALLOC */
#define VTD_HV_CAP_GUEST_PASIDS	(1U << 3)	/* the guest numbers PASIDs itself */
#define VTD_HV_CAP_AW48		(1U << 4)	/* 4-level guest tables */
#define VTD_HV_CAP_AW57		(1U << 5)	/* 5-level guest tables */
#define VTD_HV_CAP_VCMD		(1U << 6)	/* VTD_HV_VCMD is served */

struct vtd_hv_caps {
	struct vtd_hv_hdr hdr;
	uint32_t caps;			/* out: VTD_HV_CAP_* */
	uint32_t bind_flags;		/* out: VTD_HV_BIND_* the host accepts */
	uint32_t pasid_quota;		/* out: PASIDs the VM may hold */
	uint32_t pasid_bits;		/* out: PASID width of its devices */
	uint32_t max_batch;		/* out: entries one INVALIDATE carries out */
	uint32_t devices;		/* out: device handles 0 .. devices - 1 */
	uint64_t reserved[2];		/* zero */
};
_Static_assert(sizeof(struct vtd_hv_caps) == 48, "vtd_hv_caps");

/* VTD_HV_PASID_ALLOC (out) and VTD_HV_PASID_FREE (in). */
struct vtd_hv_pasid {
	struct vtd_hv_hdr hdr;
	uint32_t pasid;
	uint32_t reserved;		/* zero */
};
_Static_assert(sizeof(struct vtd_hv_pasid) == 16, "vtd_hv_pasid");

/* VTD_HV_BIND flags [VT-d 9.6]. */
#define VTD_HV_BIND_SRE		(1U << 0)	/* supervisor requests */
#define VTD_HV_BIND_EAFE	(1U << 1)	/* extended accessed flag */
#define VTD_HV_BIND_WPE		(1U << 2)	/* write protect (needs SRE) */

/* VTD_HV_BIND and VTD_HV_UNBIND (UNBIND reads .dev and .pasid only). */
struct vtd_hv_bind {
	struct vtd_hv_hdr hdr;
	uint32_t dev;			/* device handle */
	uint32_t pasid;
	uint64_t gpgd;			/* guest FL root, 4 KiB aligned GPA */
	uint32_t addr_width;		/* 48 or 57 */
	uint32_t flags;			/* VTD_HV_BIND_* */
	uint64_t reserved;		/* zero */
};
_Static_assert(sizeof(struct vtd_hv_bind) == 40, "vtd_hv_bind");
_Static_assert(__builtin_offsetof(struct vtd_hv_bind, gpgd) == 16,
	       "vtd_hv_bind.gpgd");

/*
 * One passed-down invalidation [GUEST-SVA 1]: the allowed pairs are
 * IOTLB x {PASID, ADDR} and DEVTLB x {PASID, ADDR}; an IOTLB entry also
 * reaches the device TLB when the device uses ATS. ADDR: @addr 4 KiB
 * aligned, @npages >= 1, the range not wrapping; @npages = all ones with
 * @addr = 0 means everything (as PASID granularity).
 */
#define VTD_HV_INV_IOTLB	1
#define VTD_HV_INV_DEVTLB	2
#define VTD_HV_INV_GRAN_PASID	1
#define VTD_HV_INV_GRAN_ADDR	2
#define VTD_HV_INV_LEAF		(1U << 0)	/* only leaves changed */

struct vtd_hv_inv_entry {
	uint32_t pasid;
	uint8_t cache;			/* VTD_HV_INV_IOTLB, _DEVTLB */
	uint8_t granularity;		/* VTD_HV_INV_GRAN_* */
	uint16_t flags;			/* VTD_HV_INV_LEAF */
	uint64_t addr;
	uint64_t npages;
	uint64_t reserved;		/* zero */
};
_Static_assert(sizeof(struct vtd_hv_inv_entry) == 32, "vtd_hv_inv_entry");

/* VTD_HV_INVALIDATE. */
struct vtd_hv_inv {
	struct vtd_hv_hdr hdr;
	uint32_t count;			/* entries at @entries */
	uint32_t done;			/* out: entries carried out */
	uint64_t entries;		/* GPA of the entry array */
	uint64_t reserved;		/* zero */
};
_Static_assert(sizeof(struct vtd_hv_inv) == 32, "vtd_hv_inv");

/*
 * VTD_HV_IRQ_*: a guest's MSI route. Fields a call does not read (ROUTE:
 * .handle; UNROUTE: all but .handle) and the out fields (.msi_addr,
 * .msi_data, ROUTE's .handle) must be sent as zero.
 */
#define VTD_HV_IRQ_VECTOR_MIN	32		/* 0..31: exceptions [SDM 6.2] */
#define VTD_HV_IRQ_VECTOR_MAX	255

struct vtd_hv_irq {
	struct vtd_hv_hdr hdr;
	uint32_t dev;			/* device handle */
	uint32_t vcpu;			/* 0 .. the VM's vCPUs - 1 */
	uint32_t vector;		/* guest vector, 32..255 */
	uint32_t handle;		/* ROUTE: out; UPDATE, UNROUTE: in */
	uint64_t msi_addr;		/* ROUTE: out, the MSI address */
	uint32_t msi_data;		/* ROUTE: out, the MSI data */
	uint32_t reserved;		/* zero */
};
_Static_assert(sizeof(struct vtd_hv_irq) == 40, "vtd_hv_irq");
/* VTD_HV_VCMD. */
struct vtd_hv_vcmd {
	struct vtd_hv_hdr hdr;
	uint64_t cmd;			/* VCMD value */
	uint64_t rsp;			/* out: VCRSP value (IP clear) */
	uint64_t reserved;		/* zero */
};
_Static_assert(sizeof(struct vtd_hv_vcmd) == 32, "vtd_hv_vcmd");
