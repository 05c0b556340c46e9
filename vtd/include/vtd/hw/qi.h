/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Public, format only (no driver state): a virtual IOMMU above this
 * library decodes a guest's structures with these same definitions.
 *
 * Invalidation descriptors [VT-d 6.5.2]. Every descriptor is built here
 * as four u64 words; in legacy (128-bit) queues only qw[0] and qw[1] are
 * written, in 256-bit queues (IQA.DW = 1, scalable mode) all four, the
 * upper two zero for the types defined in 128 bits. Masks are relative to
 * their qword; comments keep the descriptor's absolute bit range.
 */
#pragma once

#include <hal/bits.h>
#include <hal/types.h>

struct vtd_qi_desc {
	u64 qw[4];
};
_Static_assert(sizeof(struct vtd_qi_desc) == 32, "VT-d 6.5.2");

/* [VT-d 6.5.2] Type: bits 3:0 hold type[3:0], bits 11:9 type[6:4]. */
#define VTD_QI_TYPE_LO		GENMASK_ULL(3, 0)
#define VTD_QI_TYPE_HI		GENMASK_ULL(11, 9)
#define VTD_QI_TYPE_CC		0x1	/* context-cache */
#define VTD_QI_TYPE_IOTLB	0x2
#define VTD_QI_TYPE_DEV_TLB	0x3
#define VTD_QI_TYPE_IEC		0x4	/* interrupt entry cache */
#define VTD_QI_TYPE_WAIT	0x5
#define VTD_QI_TYPE_PIOTLB	0x6	/* PASID-based IOTLB */
#define VTD_QI_TYPE_PC		0x7	/* PASID cache */
#define VTD_QI_TYPE_PDEV_TLB	0x8	/* PASID-based device-TLB */

/* [VT-d 6.5.2.1] Context-cache Invalidate Descriptor. */
#define VTD_QI_CC_G		GENMASK_ULL(5, 4)	/* bits 5:4   Granularity */
#define  VTD_QI_CC_G_GLOBAL	1
#define  VTD_QI_CC_G_DOMAIN	2
#define  VTD_QI_CC_G_DEVICE	3
#define VTD_QI_CC_DID		GENMASK_ULL(31, 16)	/* bits 31:16 Domain-ID */
#define VTD_QI_CC_SID		GENMASK_ULL(47, 32)	/* bits 47:32 Source-ID */
#define VTD_QI_CC_FM		GENMASK_ULL(49, 48)	/* bits 49:48 Function Mask */

/* [VT-d 6.5.2.3] IOTLB Invalidate Descriptor. */
#define VTD_QI_IOTLB_G		GENMASK_ULL(5, 4)	/* bits 5:4   Granularity */
#define  VTD_QI_IOTLB_G_GLOBAL	1
#define  VTD_QI_IOTLB_G_DOMAIN	2
#define  VTD_QI_IOTLB_G_PAGE	3
#define VTD_QI_IOTLB_DW		BIT_ULL(6)		/* bit 6      Drain Writes */
#define VTD_QI_IOTLB_DR		BIT_ULL(7)		/* bit 7      Drain Reads */
#define VTD_QI_IOTLB_DID	GENMASK_ULL(31, 16)	/* bits 31:16 Domain-ID */
#define VTD_QI_IOTLB_HI_AM	GENMASK_ULL(69 - 64, 64 - 64)	/* bits 69:64 Address Mask */
#define VTD_QI_IOTLB_HI_IH	BIT_ULL(70 - 64)		/* bit 70     Invalidation Hint */
#define VTD_QI_IOTLB_HI_ADDR	GENMASK_ULL(127 - 64, 76 - 64)	/* bits 127:76 Address */

/* [VT-d 6.5.2.5] Device-TLB Invalidate Descriptor. */
#define VTD_QI_DEV_PFSID_LO	GENMASK_ULL(15, 12)	/* bits 15:12 PF Source-ID [3:0] */
#define VTD_QI_DEV_MIP		GENMASK_ULL(20, 16)	/* bits 20:16 Max Invs Pending */
#define VTD_QI_DEV_SID		GENMASK_ULL(47, 32)	/* bits 47:32 Source-ID */
#define VTD_QI_DEV_PFSID_HI	GENMASK_ULL(63, 52)	/* bits 63:52 PF Source-ID [15:4] */
#define VTD_QI_DEV_HI_S		BIT_ULL(64 - 64)		/* bit 64     Size */
#define VTD_QI_DEV_HI_ADDR	GENMASK_ULL(127 - 64, 76 - 64)	/* bits 127:76 Address */

/* [VT-d 6.5.2.7] Interrupt Entry Cache Invalidate Descriptor. */
#define VTD_QI_IEC_G		BIT_ULL(4)		/* bit 4      1 = index-selective */
#define VTD_QI_IEC_IM		GENMASK_ULL(31, 27)	/* bits 31:27 Index Mask */
#define VTD_QI_IEC_IIDX		GENMASK_ULL(47, 32)	/* bits 47:32 Interrupt Index */

/* [VT-d 6.5.2.8] Invalidation Wait Descriptor. */
#define VTD_QI_WAIT_IF		BIT_ULL(4)		/* bit 4      Interrupt Flag */
#define VTD_QI_WAIT_SW		BIT_ULL(5)		/* bit 5      Status Write */
#define VTD_QI_WAIT_FN		BIT_ULL(6)		/* bit 6      Fence */
#define VTD_QI_WAIT_PD		BIT_ULL(7)		/* bit 7      Page-request Drain */
#define VTD_QI_WAIT_SDATA	GENMASK_ULL(63, 32)	/* bits 63:32 Status Data */
#define VTD_QI_WAIT_HI_SADDR	GENMASK_ULL(127 - 64, 66 - 64)	/* bits 127:66 Status Address */

/* [VT-d 6.5.2.4] PASID-based IOTLB Invalidate Descriptor. */
#define VTD_QI_PIOTLB_G		GENMASK_ULL(5, 4)	/* bits 5:4   Granularity */
#define  VTD_QI_PIOTLB_G_PASID	2			/*  all of one PASID (non-global) */
#define  VTD_QI_PIOTLB_G_PAGE	3			/*  pages within one PASID */
#define VTD_QI_PIOTLB_DID	GENMASK_ULL(31, 16)	/* bits 31:16 Domain-ID */
#define VTD_QI_PIOTLB_PASID	GENMASK_ULL(51, 32)	/* bits 51:32 PASID */
#define VTD_QI_PIOTLB_HI_AM	GENMASK_ULL(69 - 64, 64 - 64)	/* bits 69:64 Address Mask */
#define VTD_QI_PIOTLB_HI_IH	BIT_ULL(70 - 64)		/* bit 70     Invalidation Hint */
#define VTD_QI_PIOTLB_HI_ADDR	GENMASK_ULL(127 - 64, 76 - 64)	/* bits 127:76 Address */

/* [VT-d 6.5.2.2] PASID-cache Invalidate Descriptor. */
#define VTD_QI_PC_G		GENMASK_ULL(5, 4)	/* bits 5:4   Granularity */
#define  VTD_QI_PC_G_DOMAIN	0			/*  all PASIDs of a domain */
#define  VTD_QI_PC_G_PASID	1			/*  one PASID of a domain */
#define  VTD_QI_PC_G_GLOBAL	3
#define VTD_QI_PC_DID		GENMASK_ULL(31, 16)	/* bits 31:16 Domain-ID */
#define VTD_QI_PC_PASID		GENMASK_ULL(51, 32)	/* bits 51:32 PASID */

/* [VT-d 6.5.2.6] PASID-based Device-TLB Invalidate Descriptor. */
#define VTD_QI_PDEV_MIP		GENMASK_ULL(8, 4)	/* bits 8:4   Max Invs Pending */
#define VTD_QI_PDEV_PFSID_LO	GENMASK_ULL(15, 12)	/* bits 15:12 PF Source-ID [3:0] */
#define VTD_QI_PDEV_SID		GENMASK_ULL(31, 16)	/* bits 31:16 Source-ID */
#define VTD_QI_PDEV_PASID	GENMASK_ULL(51, 32)	/* bits 51:32 PASID */
#define VTD_QI_PDEV_PFSID_HI	GENMASK_ULL(63, 52)	/* bits 63:52 PF Source-ID [15:4] */
#define VTD_QI_PDEV_HI_G	BIT_ULL(64 - 64)		/* bit 64     Global */
#define VTD_QI_PDEV_HI_S	BIT_ULL(75 - 64)		/* bit 75     Size */
#define VTD_QI_PDEV_HI_ADDR	GENMASK_ULL(127 - 64, 76 - 64)	/* bits 127:76 Address */

static inline unsigned int vtd_qi_desc_type(const struct vtd_qi_desc *d)
{
	return (unsigned int)(FIELD_GET(VTD_QI_TYPE_LO, d->qw[0]) |
			      FIELD_GET(VTD_QI_TYPE_HI, d->qw[0]) << 4);
}

static inline struct vtd_qi_desc vtd_qi_desc2(u64 lo, u64 hi)
{
	return (struct vtd_qi_desc){ .qw = { lo, hi, 0, 0 } };
}

/* ---- Builders: one per descriptor type and granularity. ---------------- */

static inline struct vtd_qi_desc vtd_qi_cc_global(void)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_CC) |
			    FIELD_PREP(VTD_QI_CC_G, VTD_QI_CC_G_GLOBAL), 0);
}

static inline struct vtd_qi_desc vtd_qi_cc_domain(u16 did)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_CC) |
			    FIELD_PREP(VTD_QI_CC_G, VTD_QI_CC_G_DOMAIN) |
			    FIELD_PREP(VTD_QI_CC_DID, did), 0);
}

static inline struct vtd_qi_desc vtd_qi_cc_device(u16 did, u16 sid, u8 fm)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_CC) |
			    FIELD_PREP(VTD_QI_CC_G, VTD_QI_CC_G_DEVICE) |
			    FIELD_PREP(VTD_QI_CC_DID, did) |
			    FIELD_PREP(VTD_QI_CC_SID, sid) |
			    FIELD_PREP(VTD_QI_CC_FM, fm), 0);
}

/* Drain reads and writes when the unit supports it [VT-d 6.5.5]. */
static inline u64 vtd_qi_iotlb_drain(bool dr, bool dw)
{
	return (dr ? VTD_QI_IOTLB_DR : 0) | (dw ? VTD_QI_IOTLB_DW : 0);
}

static inline struct vtd_qi_desc vtd_qi_iotlb_global(bool dr, bool dw)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_IOTLB) |
			    FIELD_PREP(VTD_QI_IOTLB_G, VTD_QI_IOTLB_G_GLOBAL) |
			    vtd_qi_iotlb_drain(dr, dw), 0);
}

static inline struct vtd_qi_desc vtd_qi_iotlb_domain(u16 did, bool dr,
						      bool dw)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_IOTLB) |
			    FIELD_PREP(VTD_QI_IOTLB_G, VTD_QI_IOTLB_G_DOMAIN) |
			    FIELD_PREP(VTD_QI_IOTLB_DID, did) |
			    vtd_qi_iotlb_drain(dr, dw), 0);
}

/* @addr is aligned to 2^(12 + @am) bytes by the caller. */
static inline struct vtd_qi_desc vtd_qi_iotlb_page(u16 did, u64 addr, u8 am,
						    bool ih, bool dr, bool dw)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_IOTLB) |
			    FIELD_PREP(VTD_QI_IOTLB_G, VTD_QI_IOTLB_G_PAGE) |
			    FIELD_PREP(VTD_QI_IOTLB_DID, did) |
			    vtd_qi_iotlb_drain(dr, dw),
			    (addr & VTD_QI_IOTLB_HI_ADDR) |
			    FIELD_PREP(VTD_QI_IOTLB_HI_AM, am) |
			    (ih ? VTD_QI_IOTLB_HI_IH : 0));
}

/*
 * Device-TLB invalidation of 2^@size_order pages at @addr; with
 * @size_order 0 one page, else S = 1 and the address encodes the size
 * [VT-d 6.5.2.5]: bits below the size set to 1 except the top.
 */
static inline u64 vtd_qi_size_addr(u64 addr, unsigned int size_order)
{
	if (!size_order)
		return addr & VTD_QI_DEV_HI_ADDR;
	/* [VT-d 6.5.2.5] Every page: bits 62:12 set, bit 63 clear. */
	if (size_order >= 52)
		return GENMASK_ULL(62, 12);
	addr &= ~((1ULL << (12 + size_order)) - 1);
	return (addr | ((1ULL << (11 + size_order)) - 1)) &
	       VTD_QI_DEV_HI_ADDR;
}

static inline struct vtd_qi_desc vtd_qi_dev_tlb(u16 sid, u16 pfsid, u8 qdep,
						 u64 addr,
						 unsigned int size_order)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_DEV_TLB) |
			    FIELD_PREP(VTD_QI_DEV_PFSID_LO, pfsid & 0xf) |
			    FIELD_PREP(VTD_QI_DEV_PFSID_HI, pfsid >> 4) |
			    FIELD_PREP(VTD_QI_DEV_MIP, qdep) |
			    FIELD_PREP(VTD_QI_DEV_SID, sid),
			    vtd_qi_size_addr(addr, size_order) |
			    (size_order ? VTD_QI_DEV_HI_S : 0));
}

static inline struct vtd_qi_desc vtd_qi_iec_global(void)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_IEC), 0);
}

static inline struct vtd_qi_desc vtd_qi_iec_index(u16 index, u8 im)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_IEC) |
			    VTD_QI_IEC_G | FIELD_PREP(VTD_QI_IEC_IM, im) |
			    FIELD_PREP(VTD_QI_IEC_IIDX, index), 0);
}

/*
 * Wait descriptor. QEMU 7.2 aborts on SW and IF together and refuses PD
 * (docs/QEMU.md 2), so callers set exactly one of @sw and @irq.
 */
static inline struct vtd_qi_desc vtd_qi_wait(bool sw, bool irq, bool fence,
					     u32 data, u64 status_pa)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_WAIT) |
			    (sw ? VTD_QI_WAIT_SW : 0) |
			    (irq ? VTD_QI_WAIT_IF : 0) |
			    (fence ? VTD_QI_WAIT_FN : 0) |
			    FIELD_PREP(VTD_QI_WAIT_SDATA, data),
			    sw ? (status_pa & VTD_QI_WAIT_HI_SADDR) : 0);
}

static inline struct vtd_qi_desc vtd_qi_pc(unsigned int g, u16 did,
					   u32 pasid)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_PC) |
			    FIELD_PREP(VTD_QI_PC_G, g) |
			    FIELD_PREP(VTD_QI_PC_DID, did) |
			    FIELD_PREP(VTD_QI_PC_PASID, pasid), 0);
}

static inline struct vtd_qi_desc vtd_qi_piotlb_pasid(u16 did, u32 pasid)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_PIOTLB) |
			    FIELD_PREP(VTD_QI_PIOTLB_G, VTD_QI_PIOTLB_G_PASID) |
			    FIELD_PREP(VTD_QI_PIOTLB_DID, did) |
			    FIELD_PREP(VTD_QI_PIOTLB_PASID, pasid), 0);
}

static inline struct vtd_qi_desc vtd_qi_piotlb_page(u16 did, u32 pasid,
						     u64 addr, u8 am, bool ih)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_PIOTLB) |
			    FIELD_PREP(VTD_QI_PIOTLB_G, VTD_QI_PIOTLB_G_PAGE) |
			    FIELD_PREP(VTD_QI_PIOTLB_DID, did) |
			    FIELD_PREP(VTD_QI_PIOTLB_PASID, pasid),
			    (addr & VTD_QI_PIOTLB_HI_ADDR) |
			    FIELD_PREP(VTD_QI_PIOTLB_HI_AM, am) |
			    (ih ? VTD_QI_PIOTLB_HI_IH : 0));
}

static inline struct vtd_qi_desc vtd_qi_pdev_tlb(u16 sid, u16 pfsid, u8 qdep,
						  u32 pasid, bool global,
						  u64 addr,
						  unsigned int size_order)
{
	return vtd_qi_desc2(FIELD_PREP(VTD_QI_TYPE_LO, VTD_QI_TYPE_PDEV_TLB) |
			    FIELD_PREP(VTD_QI_PDEV_MIP, qdep) |
			    FIELD_PREP(VTD_QI_PDEV_PFSID_LO, pfsid & 0xf) |
			    FIELD_PREP(VTD_QI_PDEV_PFSID_HI, pfsid >> 4) |
			    FIELD_PREP(VTD_QI_PDEV_SID, sid) |
			    FIELD_PREP(VTD_QI_PDEV_PASID, pasid),
			    vtd_qi_size_addr(addr, size_order) |
			    (size_order ? VTD_QI_PDEV_HI_S : 0) |
			    (global ? VTD_QI_PDEV_HI_G : 0));
}
