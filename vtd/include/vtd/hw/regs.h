/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Public, format only (no driver state): a virtual IOMMU above this
 * library decodes a guest's structures with these same definitions.
 *
 * Memory-mapped registers of one DMA-remapping hardware unit [VT-d 11.4]:
 * each register's offset, then its fields as GENMASK/BIT with the bit
 * numbers of the specification's register tables. Read fields with
 * FIELD_GET() and build values with FIELD_PREP().
 *
 * All [VT-d x.y] references are to the Intel Virtualization Technology for
 * Directed I/O Architecture Specification, revision 5.10 (November 2025),
 * order number D51397-018.
 *
 * Terms: this library says "first-level" and "second-level" (FL, SL), as
 * earlier revisions, QEMU and Linux do; revision 5.10 says "first-stage"
 * and "second-stage" for the same things (its FSTS, SSTS, SSLPS, FS1GP,
 * FS5LP, SSADS, FSPTPTR, FSPM, SSPTPTR are FLTS, SLTS, SLLPS, FL1GP,
 * FL5LP, SLADS, FLPTPTR, FLPM, SLPTPTR here). This is the one place that
 * names both; caps.c prints the revision's own abbreviations, so that a
 * reader can find them in it. Fields
 * that earlier revisions defined and 5.10 reserves or deprecates are
 * marked "[VT-d pre-5.x]" and must not be relied on.
 *
 * Write rules for all registers [VT-d 11.2]: 32-bit registers are accessed
 * as aligned doublewords, 64-bit ones as aligned quadwords (or two
 * doublewords, low first); RsvdZ fields are written as 0, RsvdP fields
 * with the value last read.
 */
#pragma once

#include <hal/bits.h>
#include <hal/types.h>

/* [VT-d 11.4.1] Version Register (32-bit, RO) */
#define VTD_VER_REG		0x000
#define  VTD_VER_MAX		GENMASK(7, 4)		/* Major Version number */
#define  VTD_VER_MIN		GENMASK(3, 0)		/* Minor Version number */

/* [VT-d 11.4.2] Capability Register (64-bit, RO) */
#define VTD_CAP_REG		0x008
#define  VTD_CAP_ND		GENMASK_ULL(2, 0)	/* Number of Domains supported (4 + 2 * ND DID bits; 7 reserved) */
#define  VTD_CAP_AFL		BIT_ULL(3)		/* [VT-d pre-5.x] Advanced Fault Logging; RsvdZ in 5.10 */
#define  VTD_CAP_RWBF		BIT_ULL(4)		/* Required Write-Buffer Flushing */
#define  VTD_CAP_PLMR		BIT_ULL(5)		/* Protected Low-Memory Region */
#define  VTD_CAP_PHMR		BIT_ULL(6)		/* Protected High-Memory Region */
#define  VTD_CAP_CM		BIT_ULL(7)		/* Caching Mode */
#define  VTD_CAP_SAGAW		GENMASK_ULL(12, 8)	/* Supported Adjusted Guest Address Widths */
#define   VTD_CAP_SAGAW_39	BIT(1)			/*  39-bit AGAW, 3-level table */
#define   VTD_CAP_SAGAW_48	BIT(2)			/*  48-bit AGAW, 4-level table */
#define   VTD_CAP_SAGAW_57	BIT(3)			/*  57-bit AGAW, 5-level table */
#define  VTD_CAP_MGAW		GENMASK_ULL(21, 16)	/* Maximum Guest Address Width - 1 */
#define  VTD_CAP_ZLR		BIT_ULL(22)		/* Zero Length Read */
#define  VTD_CAP_DEP23		BIT_ULL(23)		/* Deprecated, reads 0 */
#define  VTD_CAP_FRO		GENMASK_ULL(33, 24)	/* Fault-recording Register Offset (x16 bytes) */
#define  VTD_CAP_SLLPS		GENMASK_ULL(37, 34)	/* Second-level Large Page Support */
#define   VTD_CAP_SLLPS_2M	BIT(0)			/*  21-bit offset, 2 MiB pages */
#define   VTD_CAP_SLLPS_1G	BIT(1)			/*  30-bit offset, 1 GiB pages */
#define  VTD_CAP_PSI		BIT_ULL(39)		/* Page Selective Invalidation */
#define  VTD_CAP_NFR		GENMASK_ULL(47, 40)	/* Number of Fault-recording Registers - 1 */
#define  VTD_CAP_MAMV		GENMASK_ULL(53, 48)	/* Maximum Address Mask Value */
#define  VTD_CAP_DWD		BIT_ULL(54)		/* Write Draining */
#define  VTD_CAP_DRD		BIT_ULL(55)		/* Read Draining */
#define  VTD_CAP_FL1GP		BIT_ULL(56)		/* First-level 1-GByte Page Support */
#define  VTD_CAP_PI		BIT_ULL(59)		/* Posted Interrupts Support */
#define  VTD_CAP_FL5LP		BIT_ULL(60)		/* First-level 5-level Paging Support */
#define  VTD_CAP_ECMDS		BIT_ULL(61)		/* Enhanced Command Support */
#define  VTD_CAP_ESIRTPS	BIT_ULL(62)		/* Enhanced Set Interrupt Remap Table Pointer Support */
#define  VTD_CAP_ESRTPS		BIT_ULL(63)		/* Enhanced Set Root Table Pointer Support */

/* [VT-d 11.4.3] Extended Capability Register (64-bit, RO) */
#define VTD_ECAP_REG		0x010
#define  VTD_ECAP_C		BIT_ULL(0)		/* Page-walk Coherency */
#define  VTD_ECAP_QI		BIT_ULL(1)		/* Queued Invalidation support */
#define  VTD_ECAP_DT		BIT_ULL(2)		/* Device-TLB support */
#define  VTD_ECAP_IR		BIT_ULL(3)		/* Interrupt Remapping support */
#define  VTD_ECAP_EIM		BIT_ULL(4)		/* Extended Interrupt Mode (x2APIC) */
#define  VTD_ECAP_DEP5		BIT_ULL(5)		/* Deprecated, reads 0 */
#define  VTD_ECAP_PT		BIT_ULL(6)		/* Pass Through */
#define  VTD_ECAP_SC		BIT_ULL(7)		/* Snoop Control */
#define  VTD_ECAP_IRO		GENMASK_ULL(17, 8)	/* IOTLB Register Offset (x16 bytes) */
#define  VTD_ECAP_MHMV		GENMASK_ULL(23, 20)	/* Maximum Handle Mask Value */
#define  VTD_ECAP_DEP24		BIT_ULL(24)		/* Deprecated (extended mode), reads 0 */
#define  VTD_ECAP_MTS		BIT_ULL(25)		/* Memory Type Support */
#define  VTD_ECAP_NEST		BIT_ULL(26)		/* Nested Translation Support */
#define  VTD_ECAP_DEP28		BIT_ULL(28)		/* Deprecated, reads 0 */
#define  VTD_ECAP_PRS		BIT_ULL(29)		/* Page Request Support */
#define  VTD_ECAP_ERS		BIT_ULL(30)		/* Execute Request Support (always 0) */
#define  VTD_ECAP_SRS		BIT_ULL(31)		/* Supervisor Request Support */
#define  VTD_ECAP_NWFS		BIT_ULL(33)		/* No Write Flag Support */
#define  VTD_ECAP_EAFS		BIT_ULL(34)		/* Extended Accessed Flag Support */
#define  VTD_ECAP_PSS		GENMASK_ULL(39, 35)	/* PASID Size Supported - 1 */
#define  VTD_ECAP_PASID		BIT_ULL(40)		/* Process Address Space ID Support */
#define  VTD_ECAP_DIT		BIT_ULL(41)		/* Device-TLB Invalidation Throttle */
#define  VTD_ECAP_PDS		BIT_ULL(42)		/* Page-request Drain Support */
#define  VTD_ECAP_SMTS		BIT_ULL(43)		/* Scalable Mode Translation Support */
#define  VTD_ECAP_VCS		BIT_ULL(44)		/* Virtual Command Support */
#define  VTD_ECAP_SLADS		BIT_ULL(45)		/* Second-Stage Accessed/Dirty Support */
#define  VTD_ECAP_SLTS		BIT_ULL(46)		/* Second-level Translation Support */
#define  VTD_ECAP_FLTS		BIT_ULL(47)		/* First-level Translation Support */
#define  VTD_ECAP_SMPWCS	BIT_ULL(48)		/* Scalable-Mode Page-walk Coherency Support */
#define  VTD_ECAP_RPS		BIT_ULL(49)		/* RID-PASID Support */
#define  VTD_ECAP_TDXCS		BIT_ULL(50)		/* TDX Connect Support */
#define  VTD_ECAP_PMS		BIT_ULL(51)		/* Performance Monitoring Support */
#define  VTD_ECAP_ADMS		BIT_ULL(52)		/* Abort DMA Mode Support */
#define  VTD_ECAP_RPRIVS	BIT_ULL(53)		/* RID_PRIV Support */
#define  VTD_ECAP_HPTS		BIT_ULL(55)		/* Host Permission Table Support */
#define  VTD_ECAP_PTRS		BIT_ULL(56)		/* PASID in Translated Request Support */
#define  VTD_ECAP_SSIRWS	BIT_ULL(57)		/* Second-level I/O Read/Write Support (r5.10 name) */
#define  VTD_ECAP_SMS		BIT_ULL(58)		/* Stop Marker Support */
#define  VTD_ECAP_HPT1GPS	BIT_ULL(59)		/* HPT 1G Page Support */
#define  VTD_ECAP_RDTS		BIT_ULL(60)		/* RDT Configuration Support */
#define  VTD_ECAP_EIMER		BIT_ULL(61)		/* Extended Interrupt Mode Enable Required */
#define  VTD_ECAP_IRREQ		BIT_ULL(62)		/* Interrupt Remapping Required */

/*
 * [VT-d 11.4.4.1] Global Command Register (32-bit, WO). One control per
 * write; the value is derived from GSTS with the one-shot bits cleared,
 * never read back from GCMD.
 */
#define VTD_GCMD_REG		0x018
#define  VTD_GCMD_TE		BIT(31)			/* Translation Enable */
#define  VTD_GCMD_SRTP		BIT(30)			/* Set Root Table Pointer */
#define  VTD_GCMD_SFL		BIT(29)			/* [VT-d pre-5.x] Set Fault Log; RsvdZ in 5.10 */
#define  VTD_GCMD_EAFL		BIT(28)			/* [VT-d pre-5.x] Enable Advanced Fault Logging; RsvdZ in 5.10 */
#define  VTD_GCMD_WBF		BIT(27)			/* Write Buffer Flush */
#define  VTD_GCMD_QIE		BIT(26)			/* Queued Invalidation Enable */
#define  VTD_GCMD_IRE		BIT(25)			/* Interrupt Remapping Enable */
#define  VTD_GCMD_SIRTP		BIT(24)			/* Set Interrupt Remap Table Pointer */
#define  VTD_GCMD_CFI		BIT(23)			/* Compatibility Format Interrupt */
/* The one-shot commands; [VT-d 11.4.4.1] masks GSTS with 96FFFFFFh. */
#define  VTD_GCMD_ONE_SHOT	(VTD_GCMD_SRTP | VTD_GCMD_SFL | \
				 VTD_GCMD_WBF | VTD_GCMD_SIRTP)
_Static_assert((~VTD_GCMD_ONE_SHOT) == 0x96ffffffU, "VT-d 11.4.4.1");

/* [VT-d 11.4.4.2] Global Status Register (32-bit, RO) */
#define VTD_GSTS_REG		0x01c
#define  VTD_GSTS_TES		BIT(31)			/* Translation Enable Status */
#define  VTD_GSTS_RTPS		BIT(30)			/* Root Table Pointer Status */
#define  VTD_GSTS_FLS		BIT(29)			/* [VT-d pre-5.x] Fault Log Status */
#define  VTD_GSTS_AFLS		BIT(28)			/* [VT-d pre-5.x] Advanced Fault Logging Status */
#define  VTD_GSTS_WBFS		BIT(27)			/* Write Buffer Flush Status */
#define  VTD_GSTS_QIES		BIT(26)			/* Queued Invalidation Enable Status */
#define  VTD_GSTS_IRES		BIT(25)			/* Interrupt Remapping Enable Status */
#define  VTD_GSTS_IRTPS		BIT(24)			/* Interrupt Remapping Table Pointer Status */
#define  VTD_GSTS_CFIS		BIT(23)			/* Compatibility Format Interrupt Status */

/* [VT-d 11.4.5] Root Table Address Register (64-bit, RW) */
#define VTD_RTADDR_REG		0x020
#define  VTD_RTADDR_RTA		GENMASK_ULL(63, 12)	/* Root Table Address */
#define  VTD_RTADDR_TTM		GENMASK_ULL(11, 10)	/* Translation Table Mode */
#define   VTD_RTADDR_TTM_LEGACY		0		/*  root and context tables */
#define   VTD_RTADDR_TTM_SCALABLE	1		/*  scalable-mode tables */
#define   VTD_RTADDR_TTM_ABORT_DMA	3		/*  abort-dma mode (10b reserved) */
#define  VTD_RTADDR_SSIRWE	BIT_ULL(7)		/* Second-level I/O Read/Write Enable */

/* [VT-d 11.4.6.1] Context Command Register (64-bit) */
#define VTD_CCMD_REG		0x028
#define  VTD_CCMD_ICC		BIT_ULL(63)		/* Invalidate Context-Cache */
#define  VTD_CCMD_CIRG		GENMASK_ULL(62, 61)	/* Context Invalidation Request Granularity */
#define  VTD_CCMD_CAIG		GENMASK_ULL(60, 59)	/* Context Actual Invalidation Granularity */
#define   VTD_CCMD_G_ERROR	0			/*  CAIG only: request refused */
#define   VTD_CCMD_G_GLOBAL	1
#define   VTD_CCMD_G_DOMAIN	2
#define   VTD_CCMD_G_DEVICE	3
#define  VTD_CCMD_FM		GENMASK_ULL(33, 32)	/* Function Mask */
#define  VTD_CCMD_SID		GENMASK_ULL(31, 16)	/* Source-ID */
#define  VTD_CCMD_DID		GENMASK_ULL(15, 0)	/* Domain-ID */

/*
 * [VT-d 11.4.6.2] IOTLB registers: two adjacent 64-bit registers at
 * 16 * ECAP.IRO, the Invalidate Address Register first.
 */
#define VTD_IVA_OFF		0x000			/* from the IRO base */
#define VTD_IOTLB_OFF		0x008			/* from the IRO base */

/* [VT-d 11.4.6.3] IOTLB Invalidate Register (64-bit) */
#define  VTD_IOTLB_IVT		BIT_ULL(63)		/* Invalidate IOTLB */
#define  VTD_IOTLB_IIRG		GENMASK_ULL(61, 60)	/* IOTLB Invalidation Request Granularity */
#define  VTD_IOTLB_IAIG		GENMASK_ULL(58, 57)	/* IOTLB Actual Invalidation Granularity */
#define   VTD_IOTLB_G_ERROR	0			/*  IAIG only: request refused */
#define   VTD_IOTLB_G_GLOBAL	1
#define   VTD_IOTLB_G_DOMAIN	2
#define   VTD_IOTLB_G_PAGE	3			/*  page-selective within domain */
#define  VTD_IOTLB_DR		BIT_ULL(49)		/* Drain Reads */
#define  VTD_IOTLB_DW		BIT_ULL(48)		/* Drain Writes */
#define  VTD_IOTLB_DID		GENMASK_ULL(47, 32)	/* Domain-ID */

/* [VT-d 11.4.6.4] Invalidate Address Register (64-bit, WO) */
#define  VTD_IVA_ADDR		GENMASK_ULL(63, 12)	/* Address */
#define  VTD_IVA_IH		BIT_ULL(6)		/* Invalidation Hint */
#define  VTD_IVA_AM		GENMASK_ULL(5, 0)	/* Address Mask */

/* [VT-d 11.4.7.1] Fault Status Register (32-bit) */
#define VTD_FSTS_REG		0x034
#define  VTD_FSTS_FRI		GENMASK(15, 8)		/* Fault Record Index */
#define  VTD_FSTS_PRO		BIT(7)			/* [VT-d pre-5.x] Page Request Overflow; deprecated */
#define  VTD_FSTS_ITE		BIT(6)			/* Invalidation Time-out Error (RW1CS) */
#define  VTD_FSTS_ICE		BIT(5)			/* Invalidation Completion Error (RW1CS) */
#define  VTD_FSTS_IQE		BIT(4)			/* Invalidation Queue Error (RW1CS) */
#define  VTD_FSTS_APF		BIT(3)			/* [VT-d pre-5.x] Advanced Pending Fault */
#define  VTD_FSTS_AFO		BIT(2)			/* [VT-d pre-5.x] Advanced Fault Overflow */
#define  VTD_FSTS_PPF		BIT(1)			/* Primary Pending Fault (RO) */
#define  VTD_FSTS_PFO		BIT(0)			/* Primary Fault Overflow (RW1CS) */

/* [VT-d 11.4.7.2] Fault Event Control Register (32-bit) */
#define VTD_FECTL_REG		0x038
#define  VTD_FECTL_IM		BIT(31)			/* Interrupt Mask */
#define  VTD_FECTL_IP		BIT(30)			/* Interrupt Pending */

/* [VT-d 11.4.7.3] Fault Event Data Register (32-bit) */
#define VTD_FEDATA_REG		0x03c
#define  VTD_FEDATA_IMD		GENMASK(15, 0)		/* Interrupt Message Data */

/* [VT-d 11.4.7.4] Fault Event Address Register (32-bit) */
#define VTD_FEADDR_REG		0x040
#define  VTD_FEADDR_MA		GENMASK(31, 2)		/* Message Address */

/* [VT-d 11.4.7.5] Fault Event Upper Address Register (32-bit) */
#define VTD_FEUADDR_REG		0x044
#define  VTD_FEUADDR_MUA	GENMASK(31, 0)		/* Message Upper Address */

/*
 * [VT-d pre-5.x] Advanced Fault Log Register (64-bit). Revision 5.10
 * lists 048h-058h as reserved; kept for decoding old hardware only.
 */
#define VTD_AFLOG_REG		0x058
#define  VTD_AFLOG_FLA		GENMASK_ULL(63, 12)	/* Fault Log Address */
#define  VTD_AFLOG_FLS		GENMASK_ULL(11, 9)	/* Fault Log Size */

/* [VT-d 11.4.8.1] Protected Memory Enable Register (32-bit) */
#define VTD_PMEN_REG		0x064
#define  VTD_PMEN_EPM		BIT(31)			/* Enable Protected Memory */
#define  VTD_PMEN_PRS		BIT(0)			/* Protected Region Status */

/*
 * [VT-d 11.4.8.2-11.4.8.5] Protected low- and high-memory base and limit.
 * Each holds an address in bits 31:(N+1) (low, 32-bit) or 63:(N+1) (high,
 * 64-bit), where N is found by writing all ones and reading back; base
 * bits N:0 decode as 0 and limit bits N:0 as 1.
 */
#define VTD_PLMBASE_REG		0x068
#define VTD_PLMLIMIT_REG	0x06c
#define VTD_PHMBASE_REG		0x070
#define VTD_PHMLIMIT_REG	0x078

/* [VT-d 11.4.9.1] Invalidation Queue Head Register (64-bit, RO) */
#define VTD_IQH_REG		0x080
#define  VTD_IQH_QH		GENMASK_ULL(18, 4)	/* Queue Head (x16 bytes) */

/* [VT-d 11.4.9.2] Invalidation Queue Tail Register (64-bit) */
#define VTD_IQT_REG		0x088
#define  VTD_IQT_QT		GENMASK_ULL(18, 4)	/* Queue Tail (x16 bytes; bit 4 must be 0 when DW=1) */

/* [VT-d 11.4.9.3] Invalidation Queue Address Register (64-bit) */
#define VTD_IQA_REG		0x090
#define  VTD_IQA_IQA		GENMASK_ULL(63, 12)	/* Invalidation Queue Base Address */
#define  VTD_IQA_DW		BIT_ULL(11)		/* Descriptor Width: 0 = 128-bit, 1 = 256-bit */
#define  VTD_IQA_QS		GENMASK_ULL(2, 0)	/* Queue Size: 2^QS pages */

/* [VT-d 11.4.9.4] Invalidation Completion Status Register (32-bit) */
#define VTD_ICS_REG		0x09c
#define  VTD_ICS_IWC		BIT(0)			/* Invalidation Wait Descriptor Complete (RW1CS) */

/* [VT-d 11.4.9.5] Invalidation Event Control Register (32-bit) */
#define VTD_IECTL_REG		0x0a0
#define  VTD_IECTL_IM		BIT(31)			/* Interrupt Mask */
#define  VTD_IECTL_IP		BIT(30)			/* Interrupt Pending */

/* [VT-d 11.4.9.6] Invalidation Event Data Register (32-bit) */
#define VTD_IEDATA_REG		0x0a4
#define  VTD_IEDATA_IMD		GENMASK(15, 0)		/* Interrupt Message Data */

/* [VT-d 11.4.9.7] Invalidation Event Address Register (32-bit) */
#define VTD_IEADDR_REG		0x0a8
#define  VTD_IEADDR_MA		GENMASK(31, 2)		/* Message Address */

/* [VT-d 11.4.9.8] Invalidation Event Upper Address Register (32-bit) */
#define VTD_IEUADDR_REG		0x0ac
#define  VTD_IEUADDR_MUA	GENMASK(31, 0)		/* Message Upper Address */

/* [VT-d 11.4.9.9] Invalidation Queue Error Record Register (64-bit, RO) */
#define VTD_IQERCD_REG		0x0b0
#define  VTD_IQERCD_ICESID	GENMASK_ULL(63, 48)	/* Invalidation Completion Error Source Identifier */
#define  VTD_IQERCD_ITESID	GENMASK_ULL(47, 32)	/* Invalidation Time-out Error Source Identifier */
#define  VTD_IQERCD_IQEI	GENMASK_ULL(3, 0)	/* Invalidation Queue Error Info */
#define   VTD_IQEI_NONE		0			/*  no detail available */
#define   VTD_IQEI_TAIL		1			/*  invalid tail pointer */
#define   VTD_IQEI_FETCH	2			/*  descriptor fetch error */
#define   VTD_IQEI_TYPE		3			/*  invalid descriptor type */
#define   VTD_IQEI_RSVD		4			/*  reserved field violation */
#define   VTD_IQEI_WIDTH	5			/*  invalid descriptor width */
#define   VTD_IQEI_TAIL_ALIGN	6			/*  tail not aligned to DW */
#define   VTD_IQEI_TTM		7			/*  invalid RTADDR.TTM */

/* [VT-d 11.4.10] Interrupt Remapping Table Address Register (64-bit) */
#define VTD_IRTA_REG		0x0b8
#define  VTD_IRTA_IRTA		GENMASK_ULL(63, 12)	/* Interrupt Remapping Table Address */
#define  VTD_IRTA_EIME		BIT_ULL(11)		/* Extended Interrupt Mode Enable */
#define  VTD_IRTA_S		GENMASK_ULL(3, 0)	/* Size: 2^(S+1) entries */

/* [VT-d 11.4.11.1] Page Request Queue Head Register (64-bit) */
#define VTD_PQH_REG		0x0c0
#define  VTD_PQH_PQH		GENMASK_ULL(18, 5)	/* Page Queue Head (x32 bytes) */

/* [VT-d 11.4.11.2] Page Request Queue Tail Register (64-bit) */
#define VTD_PQT_REG		0x0c8
#define  VTD_PQT_PQT		GENMASK_ULL(18, 5)	/* Page Queue Tail (x32 bytes) */

/* [VT-d 11.4.11.3] Page Request Queue Address Register (64-bit) */
#define VTD_PQA_REG		0x0d0
#define  VTD_PQA_PQA		GENMASK_ULL(63, 12)	/* Page Request Queue Base Address */
#define  VTD_PQA_PQS		GENMASK_ULL(2, 0)	/* Page Queue Size: 2^PQS pages */

/* [VT-d 11.4.11.4] Page Request Status Register (32-bit) */
#define VTD_PRS_REG		0x0dc
#define  VTD_PRS_PRO		BIT(1)			/* Page Request Overflow (RW1CS) */
#define  VTD_PRS_PPR		BIT(0)			/* Pending Page Request (RW1CS) */

/* [VT-d 11.4.11.5] Page Request Event Control Register (32-bit) */
#define VTD_PECTL_REG		0x0e0
#define  VTD_PECTL_IM		BIT(31)			/* Interrupt Mask */
#define  VTD_PECTL_IP		BIT(30)			/* Interrupt Pending */

/* [VT-d 11.4.11.6] Page Request Event Data Register (32-bit) */
#define VTD_PEDATA_REG		0x0e4
#define  VTD_PEDATA_IMD		GENMASK(15, 0)		/* Interrupt Message Data */

/* [VT-d 11.4.11.7] Page Request Event Address Register (32-bit) */
#define VTD_PEADDR_REG		0x0e8
#define  VTD_PEADDR_MA		GENMASK(31, 2)		/* Message Address */

/* [VT-d 11.4.11.8] Page Request Event Upper Address Register (32-bit) */
#define VTD_PEUADDR_REG		0x0ec
#define  VTD_PEUADDR_MUA	GENMASK(31, 0)		/* Message Upper Address */

/* [VT-d 11.4.12.1] MTRR Capability Register (64-bit, RO) */
#define VTD_MTRRCAP_REG		0x100
#define  VTD_MTRRCAP_WC		BIT_ULL(10)		/* Write Combining */
#define  VTD_MTRRCAP_FIX	BIT_ULL(8)		/* Fixed Range MTRRs Supported */
#define  VTD_MTRRCAP_VCNT	GENMASK_ULL(7, 0)	/* Variable MTRR Count */

/* [VT-d 11.4.12.2] MTRR Default Type Register (64-bit) */
#define VTD_MTRRDEF_REG		0x108
#define  VTD_MTRRDEF_E		BIT_ULL(11)		/* MTRR Enable */
#define  VTD_MTRRDEF_FE		BIT_ULL(10)		/* Fixed Range MTRR Enable */
#define  VTD_MTRRDEF_TYPE	GENMASK_ULL(7, 0)	/* Default Memory Type */

/*
 * [VT-d 11.4.12.3] Fixed-range MTRRs (64-bit): eight 8-bit type fields
 * R0 (bits 7:0) to R7 (bits 63:56) each, as in Table 50.
 */
#define VTD_MTRR_FIX64K_00000_REG	0x120
#define VTD_MTRR_FIX16K_80000_REG	0x128
#define VTD_MTRR_FIX16K_A0000_REG	0x130
#define VTD_MTRR_FIX4K_C0000_REG	0x138	/* then every 8 bytes up to F8000 */
#define VTD_MTRR_FIX4K_F8000_REG	0x170
#define VTD_MTRR_FIX_COUNT		11
#define  VTD_MTRR_FIX_R0		GENMASK_ULL(7, 0)	/* field n: R0 << 8n */

/* [VT-d 11.4.12.4] Variable-range MTRRs (64-bit pairs, n = 0..9) */
#define VTD_MTRR_PHYSBASE_REG(n)	(0x180 + 16 * (n))
#define VTD_MTRR_PHYSMASK_REG(n)	(0x188 + 16 * (n))
#define VTD_MTRR_VAR_COUNT		10
#define  VTD_MTRR_PHYSBASE_PHYSBASE	GENMASK_ULL(63, 12)	/* Physical Base; bits 63:HAW RsvdZ */
#define  VTD_MTRR_PHYSBASE_TYPE		GENMASK_ULL(7, 0)	/* Memory type for range */
#define  VTD_MTRR_PHYSMASK_PHYSMASK	GENMASK_ULL(63, 12)	/* Physical Mask; bits 63:HAW RsvdZ */
#define  VTD_MTRR_PHYSMASK_V		BIT_ULL(11)		/* Valid */

/* [VT-d 11.4.13] Performance monitoring (offsets only; unused so far). */
#define VTD_PERFCAP_REG		0x300
#define VTD_PERFCFGOFF_REG	0x310
#define VTD_PERFFRZOFF_REG	0x314
#define VTD_PERFOVFOFF_REG	0x318
#define VTD_PERFCNTROFF_REG	0x31c
#define VTD_PERFINTRSTS_REG	0x324
#define VTD_PERFINTRCTL_REG	0x328
#define VTD_PERFINTRDATA_REG	0x32c
#define VTD_PERFINTRADDR_REG	0x330
#define VTD_PERFINTRUADDR_REG	0x334
#define VTD_PERFEVNTCAP_REG	0x380

/* [VT-d 11.4.14] Enhanced Command Interface (valid when CAP.ECMDS) */
#define VTD_ECMD_REG		0x400
#define VTD_ECEO_REG		0x408
#define VTD_ECRSP_REG		0x410
#define  VTD_ECRSP_RSLT		GENMASK_ULL(63, 16)	/* Result */
#define  VTD_ECRSP_SC		GENMASK_ULL(7, 1)	/* Status Code */
#define  VTD_ECRSP_IP		BIT_ULL(0)		/* In Progress */
#define VTD_ECSTS_REG(n)	(0x420 + 8 * (n))	/* n = 0, 1 */
#define VTD_ECCAP_REG(n)	(0x430 + 8 * (n))	/* n = 0..3 */

/* [VT-d 11.4.15] RDT Configuration Register (64-bit, valid when ECAP.RDTS) */
#define VTD_RDTC_REG		0xdc0
#define  VTD_RDTC_CLOS		GENMASK_ULL(36, 32)	/* Class of Service */
#define  VTD_RDTC_RMID		GENMASK_ULL(11, 0)	/* Resource Monitoring ID */

/*
 * The virtual command interface [VT-d 10.4.44, 11.4.16], in the layout of
 * VT-d 3.3 and later (rev 5.10 read here): VCMD 0xe00, VCRSP 0xe10, VCCAP
 * 0xe30, operand from bit 16, PASID result at 35:16, status code at 7:1.
 * Second source for the offsets, the operand and result positions and
 * the status codes: Linux commit 4d99efb229e6 ("iommu/vt-d: Update the
 * virtual command related registers"; DMAR_VCMD_REG, VCMD_CMD_OPERAND(),
 * VCMD_VRSP_RESULT_PASID(), VCMD_VRSP_SC(), VCMD_VRSP_SC_NO_PASID_AVAIL
 * and _INVALID_PASID = 16). The older layout (VCCAP 0xe00, command 7:0,
 * operand from bit 8, 2-bit status) is VT-d 3.0-3.2's and not supported.
 */

/* [VT-d 11.4.16.1] Virtual Command Register (64-bit, valid when ECAP.VCS) */
#define VTD_VCMD_REG		0xe00
#define  VTD_VCMD_OA		GENMASK_ULL(63, 16)	/* Operand A */
#define  VTD_VCMD_CMD		GENMASK_ULL(7, 0)	/* Command */
#define   VTD_VCMD_CMD_NULL	0
#define   VTD_VCMD_CMD_ALLOC_PASID 1
#define   VTD_VCMD_CMD_FREE_PASID 2
#define  VTD_VCMD_OA_PASID	GENMASK_ULL(35, 16)	/* Free PASID: operand PASID */

/* [VT-d 11.4.16.2] Virtual Command Extended Operand Register (64-bit) */
#define VTD_VCMD_EO_REG		0xe08

/*
 * [VT-d 11.4.16.3] Virtual Command Response Register (64-bit, RO). The
 * status code 1 for a command the unit does not define is rev 5.10's
 * (and the pre-3.3 layout's, GUEST-SVA.md section 3); Linux never
 * decoded it (any code other than 0 and 16 was "unexpected").
 */
#define VTD_VCRSP_REG		0xe10
#define  VTD_VCRSP_RSLT		GENMASK_ULL(63, 16)	/* Result */
#define  VTD_VCRSP_RSLT_PASID	GENMASK_ULL(35, 16)	/* Allocate PASID: the PASID */
#define  VTD_VCRSP_SC		GENMASK_ULL(7, 1)	/* Status Code */
#define   VTD_VCRSP_SC_OK	0
#define   VTD_VCRSP_SC_UNDEFINED 1
#define   VTD_VCRSP_SC_NO_PASID	16			/*  Allocate: none left */
#define   VTD_VCRSP_SC_BAD_PASID 16			/*  Free: invalid PASID */
#define  VTD_VCRSP_IP		BIT_ULL(0)		/* In Progress */

/*
 * [VT-d 11.4.16.4] Virtual Command Capability Register (64-bit, RO): bit
 * N set when command N is supported, as ECCAP is a bitmap indexed by the
 * enhanced command's opcode (Linux's DMA_ECMD_ECCAP3_ECNTS, bit 48 of
 * ECCAP3, is opcode 0xf0 = 3 * 64 + 48). Settled so for this library:
 * PAS (allocate) is bit 1. Linux 5.11-6.3 guests tested bit 0
 * (DMA_VCS_PAS) for allocation, which is NS here; a host that sets NS as
 * well (libvtd's does, vtd/hv/vcmd.c) serves them too, since their
 * operand, result and status positions are this layout's.
 */
#define VTD_VCCAP_REG		0xe30
#define  VTD_VCCAP_FPS		BIT_ULL(2)		/* Free PASID Support */
#define  VTD_VCCAP_PAS		BIT_ULL(1)		/* PASID Allocation Support */
#define  VTD_VCCAP_NS		BIT_ULL(0)		/* Null Command Support */

/*
 * [VT-d 11.4.7.6] Fault Recording Registers (128-bit each, NFR + 1 of
 * them at 16 * CAP.FRO). Read the high qword first and check F before the
 * rest: hardware may write the record as several doublewords. Masks are
 * relative to their qword; the comment keeps the 128-bit bit range.
 */
#define VTD_FRCD_SIZE		16
#define VTD_FRCD_LO_OFF		0x0
#define  VTD_FRCD_LO_FI		GENMASK_ULL(63, 12)		/* bits 63:12   Fault Info */
#define  VTD_FRCD_LO_IR_INDEX	GENMASK_ULL(63, 48)		/* bits 63:48   interrupt index (IR reasons) */
#define VTD_FRCD_HI_OFF		0x8
#define  VTD_FRCD_HI_SID	GENMASK_ULL(79 - 64, 64 - 64)	/* bits 79:64   Source Identifier */
#define  VTD_FRCD_HI_T2		BIT_ULL(92 - 64)		/* bit 92       Type bit 2 */
#define  VTD_FRCD_HI_PRIV	BIT_ULL(93 - 64)		/* bit 93       Privilege Mode Requested */
#define  VTD_FRCD_HI_EXE	BIT_ULL(94 - 64)		/* bit 94       Execute Permission Requested */
#define  VTD_FRCD_HI_PP		BIT_ULL(95 - 64)		/* bit 95       PASID Present */
#define  VTD_FRCD_HI_FR		GENMASK_ULL(103 - 64, 96 - 64)	/* bits 103:96  Fault Reason */
#define  VTD_FRCD_HI_PV		GENMASK_ULL(123 - 64, 104 - 64)	/* bits 123:104 PASID Value */
#define  VTD_FRCD_HI_AT		GENMASK_ULL(125 - 64, 124 - 64)	/* bits 125:124 Address Type */
#define  VTD_FRCD_HI_T1		BIT_ULL(126 - 64)		/* bit 126      Type bit 1: 1 = read */
#define  VTD_FRCD_HI_T		VTD_FRCD_HI_T1			/* earlier name */
#define  VTD_FRCD_HI_F		BIT_ULL(127 - 64)		/* bit 127      Fault (RW1CS) */

/* Byte offset of the IOTLB registers, from ECAP.IRO [VT-d 11.4.3]. */
static inline u32 vtd_regs_iro_offset(u64 ecap)
{
	return (u32)FIELD_GET(VTD_ECAP_IRO, ecap) * 16;
}

/* Byte offset of fault recording register @n, from CAP.FRO [VT-d 11.4.2]. */
static inline u32 vtd_regs_frcd_offset(u64 cap, u32 n)
{
	return (u32)FIELD_GET(VTD_CAP_FRO, cap) * 16 + n * VTD_FRCD_SIZE;
}

/* Number of fault recording registers: CAP.NFR + 1 [VT-d 11.4.2]. */
static inline u32 vtd_regs_frcd_count(u64 cap)
{
	return (u32)FIELD_GET(VTD_CAP_NFR, cap) + 1;
}
