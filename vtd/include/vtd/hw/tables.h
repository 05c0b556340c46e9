/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Public, format only (no driver state): a virtual IOMMU above this
 * library decodes a guest's structures with these same definitions.
 *
 * In-memory translation structures that the remapping hardware reads
 * [VT-d 9]: each format is a set of u64 words with one GENMASK_ULL/BIT_ULL
 * mask per field, bit numbers as in the specification's tables, and its
 * size pinned with _Static_assert. References are to the revision named
 * in regs.h.
 *
 * Sections, one per structure family (add new ones as their own section):
 *   1. Second-level paging entries [VT-d 9.8]
 *   2. Root, context, PASID-directory and PASID-table entries [VT-d 9.1-9.6]
 *   3. First-level paging entries [VT-d 9.7]
 */
#pragma once

#include <hal/bits.h>
#include <hal/compiler.h>
#include <hal/types.h>

/* ======================================================================
 * 1. Second-level paging entries [VT-d 9.8]
 *
 * One 64-bit format with per-level variants, used by legacy-mode context
 * entries (SLPTPTR) and by scalable-mode PASID entries with PGTT=010
 * [VT-d 3.7]. Tables are 4 KiB with 512 entries; a walk of 3, 4 or 5
 * levels (AGAW 39, 48, 57) consumes 9 IOVA bits per level above the 12-bit
 * page offset. Level numbering here: 1 = SL-PT (4 KiB leaves),
 * 2 = SL-PD, 3 = SL-PDP, 4 = SL-PML4, 5 = SL-PML5.
 *
 * An entry is present when R or W is set: there is no Present bit, and an
 * entry with R = W = 0 is not present whatever its other bits hold
 * [VT-d 3.7, 9.8]. Permissions are the AND of R/W over every level of
 * the walk [VT-d 3.7], so non-leaf entries grant both.
 * ====================================================================== */

/* [VT-d 9.8] One second-level paging entry (any level). */
struct vtd_sl_pte {
	u64 val;
};
_Static_assert(sizeof(struct vtd_sl_pte) == 8, "VT-d 9.8: 64-bit entries");

#define VTD_SL_TABLE_ENTRIES	512
#define VTD_SL_LEVEL_STRIDE	9		/* IOVA bits per level */
#define VTD_SL_LEVELS_MIN	3		/* AGAW 39 */
#define VTD_SL_LEVELS_MAX	5		/* AGAW 57 */

/* [VT-d 9.8] A second-level paging structure: one 4 KiB page. */
struct vtd_sl_table {
	struct vtd_sl_pte e[VTD_SL_TABLE_ENTRIES];
};
_Static_assert(sizeof(struct vtd_sl_table) == 4096,
	       "VT-d 9.8: paging structures are 4 KiB");

/*
 * Fields common to every level (SL-PML5E, SL-PML4E, SL-PDPE, SL-PDE,
 * SL-PTE) [VT-d 9.8].
 */
#define VTD_SL_PTE_R		BIT_ULL(0)		/* Read */
#define VTD_SL_PTE_W		BIT_ULL(1)		/* Write */
/*
 * Execute: honoured only when SLEE is set in a scalable-mode PASID entry;
 * ignored otherwise. Never set by this library.
 */
#define VTD_SL_PTE_X		BIT_ULL(2)
#define VTD_SL_PTE_A		BIT_ULL(8)		/* Accessed (SLADE only) */
/*
 * Address of the next table (non-leaf) or of the page (leaf). Bits at and
 * above the host address width are reserved [VT-d 9.8]: callers bound the
 * address with the HAW before building an entry.
 */
#define VTD_SL_PTE_ADDR		GENMASK_ULL(51, 12)
/* Ignored by hardware at every level [VT-d 9.8]: available to software. */
#define VTD_SL_PTE_IGN_HI	GENMASK_ULL(61, 52)
#define VTD_SL_PTE_IGN_63	BIT_ULL(63)

/* Leaf-only fields (SL-PTE, and SL-PDE/SL-PDPE with PS = 1) [VT-d 9.8]. */
#define VTD_SL_PTE_EMT		GENMASK_ULL(5, 3)	/* Extended Memory Type (EMTE only) */
#define VTD_SL_PTE_IPAT		BIT_ULL(6)		/* Ignore PAT (EMTE only) */
#define VTD_SL_PTE_D		BIT_ULL(9)		/* Dirty (SLADE only) */
/*
 * Snoop: force the access to snoop CPU caches. Treated as reserved (must
 * be 0) by a unit whose ECAP.SC is 0 [VT-d 9.8, 11.4.3]; QEMU 7.2 faults
 * with reason 0xc on it unless scalable mode or snoop-control=on.
 */
#define VTD_SL_PTE_SNP		BIT_ULL(11)
/*
 * [VT-d pre-3.x] Transient Mapping (device-TLB hint). Reserved in later
 * revisions (and by QEMU 7.2 unless device-iotlb=on): never set.
 */
#define VTD_SL_PTE_TM		BIT_ULL(62)

/*
 * Page Size, SL-PDE and SL-PDPE only: 1 maps a 2 MiB or 1 GiB page, 0
 * references the next table. Reserved in SL-PML4E and SL-PML5E; ignored
 * in SL-PTE [VT-d 9.8]. A large page is allowed only at the levels that
 * CAP.SLLPS reports [VT-d 11.4.2].
 */
#define VTD_SL_PTE_PS		BIT_ULL(7)

/*
 * Large-page address fields: the address bits below the page size are
 * reserved (must be 0) [VT-d 9.8].
 */
#define VTD_SL_PDE_2M_ADDR	GENMASK_ULL(51, 21)	/* SL-PDE, PS = 1 */
#define VTD_SL_PDE_2M_RSVD	GENMASK_ULL(20, 12)
#define VTD_SL_PDPE_1G_ADDR	GENMASK_ULL(51, 30)	/* SL-PDPE, PS = 1 */
#define VTD_SL_PDPE_1G_RSVD	GENMASK_ULL(29, 12)

/* Present: R or W set [VT-d 9.8]. */
static inline bool vtd_sl_pte_present(u64 pte)
{
	return (pte & (VTD_SL_PTE_R | VTD_SL_PTE_W)) != 0;
}

/* A leaf at @level: every SL-PTE, or a PDE/PDPE with PS = 1. */
static inline bool vtd_sl_pte_is_leaf(u64 pte, unsigned int level)
{
	return level == 1 || (pte & VTD_SL_PTE_PS) != 0;
}

/* Host physical address held in @pte (next table or page base). */
static inline u64 vtd_sl_pte_addr(u64 pte)
{
	return pte & VTD_SL_PTE_ADDR;
}

/* Bytes mapped by one entry at @level (1 -> 4 KiB, 2 -> 2 MiB, ...). */
static inline u64 vtd_sl_level_size(unsigned int level)
{
	return 1ULL << (12 + VTD_SL_LEVEL_STRIDE * (level - 1));
}

/* Index of @iova in a table at @level. */
static inline unsigned int vtd_sl_level_index(u64 iova, unsigned int level)
{
	return (unsigned int)(iova >> (12 + VTD_SL_LEVEL_STRIDE * (level - 1))) &
	       (VTD_SL_TABLE_ENTRIES - 1);
}

/*
 * Single-copy accessors for entries the hardware may read. A 64-bit
 * aligned store is atomic, so the unit sees the old or the new entry and
 * never a torn one; entries are replaced in one store, never built in
 * place; what the unit may have cached is the caller's to invalidate
 * [VT-d 6.5].
 */
static inline u64 vtd_sl_pte_read(const struct vtd_sl_pte *p)
{
	return READ_ONCE(p->val);
}

static inline void vtd_sl_pte_write(struct vtd_sl_pte *p, u64 val)
{
	WRITE_ONCE(p->val, val);
}

/* ======================================================================
 * 2. Root, context, PASID-directory and PASID-table entries [VT-d 9.1-9.6]
 *
 * The root table (one 4 KiB page, 256 entries of 128 bits, indexed by bus)
 * points to context tables. In legacy mode a context table holds 256
 * 128-bit entries (indexed by devfn); in scalable mode a root entry points
 * to two context tables, lower (devfn 0-127) and upper (128-255), of 128
 * 256-bit entries each. A scalable-mode context entry points to a PASID
 * directory whose 64-bit entries point to PASID tables of 64 512-bit
 * entries. Masks are relative to their qword; comments keep the absolute
 * bit range.
 * ====================================================================== */

/*
 * [VT-d 3.4.1] A source ID is the requester's PCI bus (bits 15:8), which
 * indexes the root table, and devfn (bits 7:0), which indexes the context
 * table(s).
 */
#define VTD_SID_BUS		GENMASK(15, 8)
#define VTD_SID_DEVFN		GENMASK(7, 0)

static inline u8 vtd_sid_bus(u16 sid)
{
	return (u8)FIELD_GET(VTD_SID_BUS, sid);
}

static inline u8 vtd_sid_devfn(u16 sid)
{
	return (u8)FIELD_GET(VTD_SID_DEVFN, sid);
}

/* [VT-d 9.1] Root Entry (legacy mode, 128-bit). */
#define VTD_ROOT_LO_P		BIT_ULL(0)			/* bit 0      Present */
#define VTD_ROOT_LO_CTP		GENMASK_ULL(63, 12)		/* bits 63:12 Context-table Pointer */

/* [VT-d 9.2] Scalable-mode Root Entry (128-bit). */
#define VTD_SM_ROOT_LO_LP	BIT_ULL(0)			/* bit 0      Lower Present */
#define VTD_SM_ROOT_LO_LCTP	GENMASK_ULL(63, 12)		/* bits 63:12 Lower Context-table Pointer */
#define VTD_SM_ROOT_HI_UP	BIT_ULL(64 - 64)		/* bit 64     Upper Present */
#define VTD_SM_ROOT_HI_UCTP	GENMASK_ULL(127 - 64, 76 - 64)	/* bits 127:76 Upper Context-table Pointer */

#define VTD_ROOT_ENTRIES	256

/* [VT-d 9.3] Context Entry (legacy mode, 128-bit). */
struct vtd_ctx_entry {
	u64 lo;
	u64 hi;
};
_Static_assert(sizeof(struct vtd_ctx_entry) == 16, "VT-d 9.3");
#define VTD_CTX_LO_P		BIT_ULL(0)			/* bit 0      Present */
#define VTD_CTX_LO_FPD		BIT_ULL(1)			/* bit 1      Fault Processing Disable */
#define VTD_CTX_LO_TT		GENMASK_ULL(3, 2)		/* bits 3:2   Translation Type */
#define  VTD_CTX_TT_SL		0				/*  untranslated requests, SL tables */
#define  VTD_CTX_TT_SL_DEVTLB	1				/*  also translated requests (ATS) */
#define  VTD_CTX_TT_PT		2				/*  pass-through (ECAP.PT) */
#define VTD_CTX_LO_SLPTPTR	GENMASK_ULL(63, 12)		/* bits 63:12 Second-level Page-table Pointer */
#define VTD_CTX_HI_AW		GENMASK_ULL(66 - 64, 64 - 64)	/* bits 66:64 Address Width */
#define VTD_CTX_HI_DID		GENMASK_ULL(87 - 64, 72 - 64)	/* bits 87:72 Domain Identifier */

/* [VT-d 9.4] Scalable-mode Context Entry (256-bit). */
struct vtd_sm_ctx_entry {
	u64 qw[4];
};
_Static_assert(sizeof(struct vtd_sm_ctx_entry) == 32, "VT-d 9.4");
#define VTD_SM_CTX_Q0_P		BIT_ULL(0)			/* bit 0      Present */
#define VTD_SM_CTX_Q0_FPD	BIT_ULL(1)			/* bit 1      Fault Processing Disable */
#define VTD_SM_CTX_Q0_DTE	BIT_ULL(2)			/* bit 2      Device-TLB Enable */
#define VTD_SM_CTX_Q0_PASIDE	BIT_ULL(3)			/* bit 3      PASID Enable */
#define VTD_SM_CTX_Q0_PRE	BIT_ULL(4)			/* bit 4      Page Request Enable */
#define VTD_SM_CTX_Q0_PDTS	GENMASK_ULL(11, 9)		/* bits 11:9  PASID Directory Size: 2^(PDTS+7) entries */
#define VTD_SM_CTX_Q0_PDP	GENMASK_ULL(63, 12)		/* bits 63:12 PASID Directory Pointer */
#define VTD_SM_CTX_Q1_RID_PASID	GENMASK_ULL(83 - 64, 64 - 64)	/* bits 83:64 RID_PASID */
#define VTD_SM_CTX_Q1_RID_PRIV	BIT_ULL(84 - 64)		/* bit 84     RID_PRIV */

#define VTD_CTX_ENTRIES		256	/* legacy: devfn 0-255 */
#define VTD_SM_CTX_ENTRIES	128	/* scalable: per half */

/* [VT-d 9.5] PASID Directory Entry (64-bit). */
#define VTD_PDE_P		BIT_ULL(0)			/* bit 0      Present */
#define VTD_PDE_FPD		BIT_ULL(1)			/* bit 1      Fault Processing Disable */
#define VTD_PDE_SMPTBLPTR	GENMASK_ULL(63, 12)		/* bits 63:12 Scalable-mode PASID Table Pointer */
#define VTD_PASID_COUNT		(1U << 20)	/* [VT-d 3.4.3] PASIDs are 20 bits */
#define VTD_PASID_DIR_SHIFT	6	/* PASID[19:6] indexes the directory */
#define VTD_PASID_TABLE_ENTRIES	64	/* PASID[5:0] indexes a table */

/* [VT-d 9.6] Scalable-mode PASID Table Entry (512-bit). */
struct vtd_pasid_entry {
	u64 qw[8];
};
_Static_assert(sizeof(struct vtd_pasid_entry) == 64, "VT-d 9.6");
#define VTD_PE_Q0_P		BIT_ULL(0)			/* bit 0      Present */
#define VTD_PE_Q0_FPD		BIT_ULL(1)			/* bit 1      Fault Processing Disable */
#define VTD_PE_Q0_AW		GENMASK_ULL(4, 2)		/* bits 4:2   Address Width (SL) */
#define VTD_PE_Q0_SLEE		BIT_ULL(5)			/* bit 5      Second-level Execute Enable */
#define VTD_PE_Q0_PGTT		GENMASK_ULL(8, 6)		/* bits 8:6   PASID Granular Translation Type */
#define  VTD_PE_PGTT_FL		1				/*  first-level only */
#define  VTD_PE_PGTT_SL		2				/*  second-level only */
#define  VTD_PE_PGTT_NESTED	3				/*  first over second */
#define  VTD_PE_PGTT_PT		4				/*  pass-through */
#define VTD_PE_Q0_SLADE		BIT_ULL(9)			/* bit 9      Second-level A/D Enable */
#define VTD_PE_Q0_SLPTPTR	GENMASK_ULL(63, 12)		/* bits 63:12 Second-level Page-table Pointer */
#define VTD_PE_Q1_DID		GENMASK_ULL(79 - 64, 64 - 64)	/* bits 79:64 Domain Identifier */
#define VTD_PE_Q1_PWSNP		BIT_ULL(87 - 64)		/* bit 87     Page-walk Snoop */
#define VTD_PE_Q1_PGSNP		BIT_ULL(88 - 64)		/* bit 88     Page Snoop */
#define VTD_PE_Q2_SRE		BIT_ULL(128 - 128)		/* bit 128    Supervisor Request Enable */
#define VTD_PE_Q2_FLPM		GENMASK_ULL(131 - 128, 130 - 128) /* bits 131:130 First-level Paging Mode */
#define  VTD_PE_FLPM_4LVL	0
#define  VTD_PE_FLPM_5LVL	1
#define VTD_PE_Q2_WPE		BIT_ULL(132 - 128)		/* bit 132    Write Protect Enable */
#define VTD_PE_Q2_FLPTPTR	GENMASK_ULL(191 - 128, 140 - 128) /* bits 191:140 First-level Page-table Pointer */

/* ======================================================================
 * 3. First-level paging entries [VT-d 9.7]
 *
 * The IA-32e (4-level) and 5-level paging formats of the CPU [SDM 3A 4.5],
 * used by scalable-mode PASID entries with PGTT=001 (FLPTPTR, FLPM) and
 * as the guest's table in nested translation (PGTT=011) [VT-d 3.6]. Tables
 * are 4 KiB with 512 entries; 4 or 5 levels consume 9 input-address bits
 * each above the 12-bit page offset, and the input address must be
 * canonical (bits 63:48, or 63:57, copies of bit 47, or 56). Level
 * numbering as in section 1: 1 = PTE (4 KiB leaves), 2 = PDE, 3 = PDPE,
 * 4 = PML4E, 5 = PML5E.
 *
 * Unlike second-level entries there is a Present bit, write permission
 * is R/W (reads are implied by P), and execute is controlled by XD. The
 * access rights are the AND over every level of the walk (R/W, U/S) and
 * the OR of XD [VT-d 3.6.1, SDM 3A 4.6], so non-leaf entries written here
 * grant R/W and U/S and leave XD clear: the leaf decides.
 * ====================================================================== */

/* [VT-d 9.7] One first-level paging entry (any level). */
struct vtd_fl_pte {
	u64 val;
};
_Static_assert(sizeof(struct vtd_fl_pte) == 8, "VT-d 9.7: 64-bit entries");

#define VTD_FL_TABLE_ENTRIES	512
#define VTD_FL_LEVEL_STRIDE	9		/* input bits per level */
#define VTD_FL_LEVELS_MIN	4		/* 48-bit, FLPM 4-level */
#define VTD_FL_LEVELS_MAX	5		/* 57-bit, FLPM 5-level (CAP.FL5LP) */

/* [VT-d 9.7] A first-level paging structure: one 4 KiB page. */
struct vtd_fl_table {
	struct vtd_fl_pte e[VTD_FL_TABLE_ENTRIES];
};
_Static_assert(sizeof(struct vtd_fl_table) == 4096,
	       "VT-d 9.7: paging structures are 4 KiB");

/* Fields common to every level [VT-d 9.7, SDM 3A Tables 4-15..4-20]. */
#define VTD_FL_PTE_P		BIT_ULL(0)		/* Present */
#define VTD_FL_PTE_RW		BIT_ULL(1)		/* Read/Write: 0 = read-only */
#define VTD_FL_PTE_US		BIT_ULL(2)		/* User/Supervisor: 1 = user allowed */
#define VTD_FL_PTE_PWT		BIT_ULL(3)		/* Page-level Write-Through */
#define VTD_FL_PTE_PCD		BIT_ULL(4)		/* Page-level Cache Disable */
#define VTD_FL_PTE_A		BIT_ULL(5)		/* Accessed */
/*
 * Address of the next table (non-leaf) or of the 4 KiB page (PTE). Bits
 * at and above the host address width are reserved; large leaves use
 * the narrower fields below.
 */
#define VTD_FL_PTE_ADDR		GENMASK_ULL(51, 12)
/*
 * Ignored at every level, whatever the CPU's CR4.PKE (bits 62:59 hold the
 * protection key of CPU leaves when it is set): available to software.
 */
#define VTD_FL_PTE_IGN_HI	GENMASK_ULL(58, 52)
/*
 * Ignored in non-leaf entries (PML5E, PML4E, and PDPTE and PDE that
 * reference a table) whatever CR4.PKE and CR4.PKS: protection keys exist
 * only in entries that map a page [VT-d 9.7; SDM 3A Tables 4-14, 4-15,
 * 4-17, 4-19].
 */
#define VTD_FL_PTE_IGN_NONLEAF	GENMASK_ULL(62, 52)
#define VTD_FL_PTE_PK		GENMASK_ULL(62, 59)	/* CPU protection key; never set */
/*
 * Execute Disable: reserved (must be 0) unless the PASID entry's NXE (or
 * the CPU's EFER.NXE) is set [VT-d 9.6, 9.7; SDM 3A 4.6].
 */
#define VTD_FL_PTE_XD		BIT_ULL(63)

/* Leaf-only fields (PTE, and PDE/PDPE with PS = 1) [VT-d 9.7]. */
#define VTD_FL_PTE_D		BIT_ULL(6)		/* Dirty; ignored in non-leaf entries */
#define VTD_FL_PTE_G		BIT_ULL(8)		/* Global; ignored in non-leaf entries */
#define VTD_FL_PTE_PAT		BIT_ULL(7)		/* PAT index bit, PTE (4 KiB) only */
#define VTD_FL_PTE_PAT_LARGE	BIT_ULL(12)		/* PAT index bit, 2 MiB / 1 GiB leaves */

/*
 * Page Size, PDE and PDPE only: 1 maps a 2 MiB or 1 GiB page, 0 references
 * the next table. Reserved in PML4E and PML5E; in a PTE the same bit is
 * PAT [VT-d 9.7]. 1 GiB leaves need CAP.FL1GP (CPU: CPUID 80000001H
 * EDX[26]); 2 MiB leaves are always supported.
 */
#define VTD_FL_PTE_PS		BIT_ULL(7)

/* Reserved (must be 0) per level, apart from address bits >= HAW. */
#define VTD_FL_PML5E_RSVD	VTD_FL_PTE_PS		/* PML5E: bit 7 */
#define VTD_FL_PML4E_RSVD	VTD_FL_PTE_PS		/* PML4E: bit 7 */
#define VTD_FL_PDE_2M_ADDR	GENMASK_ULL(51, 21)	/* PDE, PS = 1 */
#define VTD_FL_PDE_2M_RSVD	GENMASK_ULL(20, 13)
#define VTD_FL_PDPE_1G_ADDR	GENMASK_ULL(51, 30)	/* PDPE, PS = 1 */
#define VTD_FL_PDPE_1G_RSVD	GENMASK_ULL(29, 13)

static inline bool vtd_fl_pte_present(u64 pte)
{
	return (pte & VTD_FL_PTE_P) != 0;
}

/* A leaf at @level: every PTE, or a PDE/PDPE with PS = 1. */
static inline bool vtd_fl_pte_is_leaf(u64 pte, unsigned int level)
{
	return level == 1 || (level <= 3 && (pte & VTD_FL_PTE_PS) != 0);
}

/*
 * Host address held in @pte at @level: the next table, or the page base
 * (the large-leaf PAT bit, 12, is not part of the address).
 */
static inline u64 vtd_fl_pte_addr(u64 pte, unsigned int level)
{
	if (level == 2 && (pte & VTD_FL_PTE_PS))
		return pte & VTD_FL_PDE_2M_ADDR;
	if (level == 3 && (pte & VTD_FL_PTE_PS))
		return pte & VTD_FL_PDPE_1G_ADDR;
	return pte & VTD_FL_PTE_ADDR;
}

/* Bytes mapped by one entry at @level (1 -> 4 KiB, 2 -> 2 MiB, ...). */
static inline u64 vtd_fl_level_size(unsigned int level)
{
	return 1ULL << (12 + VTD_FL_LEVEL_STRIDE * (level - 1));
}

/* Index of input address @va in a table at @level. */
static inline unsigned int vtd_fl_level_index(u64 va, unsigned int level)
{
	return (unsigned int)(va >> (12 + VTD_FL_LEVEL_STRIDE * (level - 1))) &
	       (VTD_FL_TABLE_ENTRIES - 1);
}

/* Single-copy accessors, as for second-level entries (section 1). */
static inline u64 vtd_fl_pte_read(const struct vtd_fl_pte *p)
{
	return READ_ONCE(p->val);
}

static inline void vtd_fl_pte_write(struct vtd_fl_pte *p, u64 val)
{
	WRITE_ONCE(p->val, val);
}

/* ======================================================================
 * 4. Interrupt remapping [VT-d 5.1, 9.10-9.12]
 *
 * The interrupt remapping table (IRT) is 2^(IRTA.S + 1) 128-bit entries
 * (IRTEs), at most 65536, 4 KiB aligned [VT-d 11.4.10]. An IRTE is in
 * remapped format (IM = 0, [VT-d 9.10]) or posted format (IM = 1,
 * [VT-d 9.11]); the words below are lo = bits 63:0, hi = bits 127:64.
 * Every field was checked against a second source: Linux's struct irte
 * (include/linux/dmar.h), whose bitfields give the same positions.
 * ====================================================================== */

struct vtd_irte {
	u64 lo;
	u64 hi;
};
_Static_assert(sizeof(struct vtd_irte) == 16, "VT-d 9.10: 128-bit IRTE");

#define VTD_IRT_ENTRIES_MAX	65536		/* IRTA.S = 15 */
#define VTD_IRTES_PER_PAGE	(4096 / sizeof(struct vtd_irte))

/* [VT-d 9.10] Remapped-format IRTE, low qword. */
#define VTD_IRTE_LO_P		BIT_ULL(0)			/* bit 0      Present */
#define VTD_IRTE_LO_FPD		BIT_ULL(1)			/* bit 1      Fault Processing Disable */
#define VTD_IRTE_LO_DM		BIT_ULL(2)			/* bit 2      Destination Mode: 1 = logical */
#define VTD_IRTE_LO_RH		BIT_ULL(3)			/* bit 3      Redirection Hint */
#define VTD_IRTE_LO_TM		BIT_ULL(4)			/* bit 4      Trigger Mode: 1 = level */
#define VTD_IRTE_LO_DLM		GENMASK_ULL(7, 5)		/* bits 7:5   Delivery Mode */
#define  VTD_IRTE_DLM_FIXED	0
#define  VTD_IRTE_DLM_LOWEST	1				/*  lowest priority */
#define  VTD_IRTE_DLM_SMI	2
#define  VTD_IRTE_DLM_NMI	4
#define  VTD_IRTE_DLM_INIT	5
#define  VTD_IRTE_DLM_EXTINT	7
#define VTD_IRTE_LO_AVAIL	GENMASK_ULL(11, 8)		/* bits 11:8  Available to software */
#define VTD_IRTE_LO_RSVD1	GENMASK_ULL(14, 12)		/* bits 14:12 Reserved (0) */
#define VTD_IRTE_LO_IM		BIT_ULL(15)			/* bit 15     IRTE Mode: 1 = posted */
#define VTD_IRTE_LO_V		GENMASK_ULL(23, 16)		/* bits 23:16 Vector */
#define VTD_IRTE_LO_RSVD2	GENMASK_ULL(31, 24)		/* bits 31:24 Reserved (0) */
#define VTD_IRTE_LO_DST		GENMASK_ULL(63, 32)		/* bits 63:32 Destination ID */
/*
 * xAPIC mode (IRTA.EIME = 0): the 8-bit APIC ID is in bits 47:40; bits
 * 39:32 and 63:48 are reserved [VT-d 9.10]. x2APIC mode uses all 32.
 */
#define VTD_IRTE_LO_DST_XAPIC	GENMASK_ULL(47, 40)
#define VTD_IRTE_LO_DST_XAPIC_RSVD	(GENMASK_ULL(39, 32) | GENMASK_ULL(63, 48))

/* [VT-d 9.10, 9.11] High qword, common to both formats. */
#define VTD_IRTE_HI_SID		GENMASK_ULL(79 - 64, 64 - 64)	/* bits 79:64 Source Identifier */
#define VTD_IRTE_HI_SQ		GENMASK_ULL(81 - 64, 80 - 64)	/* bits 81:80 Source-id Qualifier */
#define  VTD_IRTE_SQ_ALL	0				/*  compare all 16 bits */
#define  VTD_IRTE_SQ_IGN_F2	1				/*  ignore function bit 2 */
#define  VTD_IRTE_SQ_IGN_F21	2				/*  ignore function bits 2:1 */
#define  VTD_IRTE_SQ_IGN_F	3				/*  ignore function bits 2:0 */
#define VTD_IRTE_HI_SVT		GENMASK_ULL(83 - 64, 82 - 64)	/* bits 83:82 Source Validation Type */
#define  VTD_IRTE_SVT_NONE	0				/*  no validation */
#define  VTD_IRTE_SVT_SID	1				/*  SID with SQ */
#define  VTD_IRTE_SVT_BUS	2				/*  bus in [SID 15:8, SID 7:0] */
#define VTD_IRTE_HI_RSVD	GENMASK_ULL(127 - 64, 84 - 64)	/* bits 127:84 Reserved (0), remapped */

/* [VT-d 9.11] Posted-format IRTE (IM = 1). */
#define VTD_PIRTE_LO_RSVD1	GENMASK_ULL(7, 2)		/* bits 7:2   Reserved (0) */
#define VTD_PIRTE_LO_RSVD2	GENMASK_ULL(13, 12)		/* bits 13:12 Reserved (0) */
#define VTD_PIRTE_LO_URG	BIT_ULL(14)			/* bit 14     Urgent */
#define VTD_PIRTE_LO_RSVD3	GENMASK_ULL(37, 24)		/* bits 37:24 Reserved (0) */
#define VTD_PIRTE_LO_PDA_L	GENMASK_ULL(63, 38)		/* bits 63:38 Posted Descriptor Address 31:6 */
#define VTD_PIRTE_HI_RSVD	GENMASK_ULL(95 - 64, 84 - 64)	/* bits 95:84 Reserved (0) */
#define VTD_PIRTE_HI_PDA_H	GENMASK_ULL(127 - 64, 96 - 64)	/* bits 127:96 Posted Descriptor Address 63:32 */
#define VTD_PID_ALIGN		64				/* the descriptor is 64-byte aligned */

/*
 * [VT-d 9.12] Posted Interrupt Descriptor (512-bit): PIR (one request bit
 * per vector, bits 255:0), then ON (Outstanding Notification), SN
 * (Suppress Notification), NV (Notification Vector) and NDST
 * (Notification Destination) in qword 4.
 */
struct vtd_pid {
	u64 pir[4];
	u64 ctl;
	u64 rsvd[3];
};
_Static_assert(sizeof(struct vtd_pid) == 64, "VT-d 9.12");
#define VTD_PID_CTL_ON		BIT_ULL(256 - 256)		/* bit 256    Outstanding Notification */
#define VTD_PID_CTL_SN		BIT_ULL(257 - 256)		/* bit 257    Suppress Notification */
#define VTD_PID_CTL_NV		GENMASK_ULL(271 - 256, 264 - 256) /* bits 271:264 Notification Vector */
#define VTD_PID_CTL_NDST	GENMASK_ULL(319 - 256, 288 - 256) /* bits 319:288 Notification Destination */

/*
 * [VT-d 5.1.5.2] Remappable-format MSI address and data: the 16-bit
 * handle in address bits 19:5 (handle 14:0) and bit 2 (handle 15), the
 * interrupt format bit 4 set, SHV (bit 3) when the data carries a
 * subhandle (bits 15:0), which the unit adds to the handle: a
 * multi-message MSI device sets the low data bits of each message.
 */
#define VTD_IR_MSI_ADDR_BASE	GENMASK(31, 20)		/* 0xFEE */
#define  VTD_IR_MSI_ADDR_BASE_VAL	0xfee
#define VTD_IR_MSI_ADDR_HANDLE	GENMASK(19, 5)		/* handle 14:0 */
#define VTD_IR_MSI_ADDR_IF	BIT(4)			/* Interrupt Format: 1 = remappable */
#define VTD_IR_MSI_ADDR_SHV	BIT(3)			/* SubHandle Valid */
#define VTD_IR_MSI_ADDR_HANDLE15	BIT(2)		/* handle 15 */
#define VTD_IR_MSI_DATA_SUBHANDLE	GENMASK(15, 0)

/*
 * [VT-d 5.1.5.1] Remappable-format I/O APIC redirection table entry:
 * handle 14:0 in bits 63:49, interrupt format bit 48, handle 15 in bit
 * 11; mask, trigger, polarity and the vector (which must equal the
 * IRTE's, for EOI) keep their I/O APIC positions, bits 10:8 are 0.
 */
#define VTD_IR_RTE_HANDLE	GENMASK_ULL(63, 49)
#define VTD_IR_RTE_IF		BIT_ULL(48)
#define VTD_IR_RTE_MASK		BIT_ULL(16)
#define VTD_IR_RTE_TM		BIT_ULL(15)		/* 1 = level */
#define VTD_IR_RTE_POL		BIT_ULL(13)		/* 1 = active low */
#define VTD_IR_RTE_HANDLE15	BIT_ULL(11)
#define VTD_IR_RTE_VECTOR	GENMASK_ULL(7, 0)
