/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A register-level behavioural model of one DMA-remapping hardware unit,
 * for host tests. It is written from the specification independently of
 * the library's vtd/regs.h, so that the two disagree when either has an
 * encoding wrong. What it models so far:
 *
 *  - VER, CAP, ECAP as configured;
 *  - GCMD to GSTS handshakes (TE, SRTP, SFL, WBF, QIE, IRE, SIRTP, CFI),
 *    with knobs to make a status bit never follow or follow late;
 *  - RTADDR, IRTA, the fault event and invalidation event registers;
 *  - register-based invalidation (CCMD, IOTLB at ECAP.IRO), which a knob
 *    can make the unit refuse (CAIG/IAIG = 0);
 *  - the invalidation queue (IQA/IQH/IQT, 128- and 256-bit descriptors):
 *    descriptors are consumed when IQT is written, each type is decoded
 *    and reserved bits are checked, a malformed one sets FSTS.IQE and
 *    stops the queue at it, wait descriptors write their status or raise
 *    the completion event; ITE and ICE can be injected;
 *  - fault recording registers (CAP.FRO, CAP.NFR), PPF/PFO/FRI, and the
 *    fault event;
 *  - DMA translation (fake_dmar_dma.c): fake_dmar_dma() walks the active
 *    root table (legacy or scalable, as latched by SRTP) through a context
 *    cache, a PASID cache, paging-structure caches and an IOTLB, records
 *    faults with the spec's reasons, and honours FPD. The caches keep what
 *    they hold until the invalidation the specification names drops it,
 *    so a missing invalidation shows as a stale translation, and a table
 *    page freed while a paging-structure-cache entry points to it is a
 *    protocol error (when it is freed, and when a walk goes through it).
 *    With ECAP.C = 0 the model
 *    reads tables as the device sees memory: the content of each cache
 *    line when the CPU last flushed it (hal_cache_flush_line).
 *
 * Every breach of a programming rule the model can see (a 64-bit access to
 * a 32-bit register, a GCMD write that changes two controls, a register
 * invalidation while QI is on, a descriptor outside the queue's memory)
 * is counted in protocol_errors and logged, so tests assert it stays 0.
 */
#pragma once

#include <hal/types.h>

#define FAKE_DMAR_REG_SIZE	0x1000
#define FAKE_DMAR_MAX_FRCD	8
#define FAKE_DMAR_LOG_MAX	1024

#define FAKE_DMAR_NO_PASID	0xffffffffU
#define FAKE_DMAR_CC_MAX	64
#define FAKE_DMAR_PC_MAX	64
#define FAKE_DMAR_IOTLB_MAX	512
#define FAKE_DMAR_PSC_MAX	512

/*
 * Context-cache entry, looked up by source ID. A present entry holds the
 * context entry as read (2 qwords legacy, 4 scalable); with CAP.CM = 1 a
 * not-present result is cached too, tagged with DID 0 [VT-d 6.1].
 */
struct fake_dmar_cc {
	bool valid;
	bool present;
	bool fpd;
	u8 reason;		/* fault of a cached not-present result */
	u16 sid;
	u16 did;		/* legacy DID; 0 in scalable mode (untagged) */
	u64 qw[4];
};

/*
 * PASID-cache entry (scalable mode), looked up by source ID and PASID,
 * tagged with the entry's DID for invalidation [VT-d 6.2.2]. Not-present
 * results (CAP.CM = 1 only) carry no DID.
 */
struct fake_dmar_pc {
	bool valid;
	bool present;
	bool fpd;		/* FPD of the context, directory or PASID entry */
	u8 reason;
	u16 sid;
	u16 did;
	u32 pasid;
	u64 qw[3];		/* PASID entry bits 191:0 */
};

/* IOTLB entry: one leaf, tagged with DID and (scalable mode) PASID. */
struct fake_dmar_tlb {
	bool valid;
	bool present;		/* false: cached not-present (CAP.CM = 1) */
	bool r, w;
	bool fpd;
	u16 did;
	u32 pasid;		/* FAKE_DMAR_NO_PASID in legacy mode */
	u64 base;		/* IOVA of the leaf, aligned to size */
	u64 size;
	u64 hpa;		/* host address of the leaf */
	/*
	 * First-level (PGTT=001) and nested (PGTT=011) entries: the rights
	 * of the first-level walk (R/W and U/S ANDed over it); r and w then
	 * hold the second level's (both true for first-level only).
	 */
	bool fl, nested;
	bool fl_w, fl_us;
};

/*
 * Paging-structure-cache entry [VT-d 6.2.4]: one non-leaf entry of a
 * second-level or first-level table, i.e. the host address of the table
 * one level down, with the rights ANDed over the walk down to it. A
 * level-L entry maps the 2^(12 + 9 (L - 1)) bytes from @base. Second-
 * level entries are tagged with the DID alone (every PASID of a domain
 * walks its one second-level table); first-level ones, of first-level
 * (PGTT = 001) and nested (011) walks, with the DID and the PASID.
 */
struct fake_dmar_psc {
	bool valid;
	bool fl;		/* a first-level entry (else second-level) */
	bool nested;		/* ... of a nested walk */
	u8 level;		/* 2 (PDE) to 5 (PML5E) */
	u16 did;
	u32 pasid;		/* first-level only */
	u64 base;		/* first address the entry maps */
	u64 table;		/* host address of the next table */
	u32 table_gen;		/* its page's generation (fake_mem) then */
	bool r, w;		/* second-level rights down to here */
	bool fl_w, fl_us;	/* first-level R/W and U/S down to here */
};

struct fake_dmar_cache_stats {
	u64 hits;
	u64 misses;
	u64 fills;
	u64 drops;		/* entries removed by invalidation */
};

/*
 * Interrupt entry cache entry [VT-d 6.4]: one present IRTE as read,
 * by interrupt index.
 */
#define FAKE_DMAR_IEC_MAX	64
struct fake_dmar_iec {
	bool valid;
	u32 index;
	u64 lo, hi;
};

/* Outcome of one fake_dmar_msi() interrupt request. */
struct fake_ir_result {
	u8 reason;		/* fault reason (0x20-0x27), 0 when delivered */
	bool recorded;		/* fault written to a fault record */
	u32 index;		/* interrupt index computed (remappable) */
	bool remapped;		/* went through an IRTE */
	bool compat;		/* compatibility format passed through */
	bool iec_hit;
	/* Remapped (and compatibility) delivery. */
	u8 vector;
	u32 dest;
	u8 dlm;
	bool logical, level, rh;
	/* Posted: the PIR bit set, and the notification sent (if any). */
	bool posted;
	bool notified;
	u8 nv;
	u32 ndst;
};

/* Outcome of one fake_dmar_dma() request. */
struct fake_dma_result {
	u64 hpa;		/* host physical address (no fault) */
	void *va;		/* hpa in fake memory, or NULL */
	u8 reason;		/* fault reason, 0 when translated */
	bool recorded;		/* fault written to a fault record */
	bool cc_hit, pc_hit, iotlb_hit;
	bool psc_hit;		/* a walk started at a cached non-leaf entry */
	u16 did;		/* DID that tagged the translation */
};

/* A snapshot of one cache line as the device sees it (ECAP.C = 0). */
struct fake_dmar_line {
	u64 pa;			/* line address + 1; 0 = empty slot */
	u8 data[64];
};

/* A descriptor as consumed by the model, in submission order. */
struct fake_dmar_desc {
	u64 qw[4];		/* qw[2], qw[3] zero for 128-bit */
	bool wide;		/* 256-bit */
};

struct fake_dmar {
	u64 base;		/* physical base the HAL maps */
	u32 ver;
	u64 cap;
	u64 ecap;

	/* Register state. */
	u32 gsts;
	u64 rtaddr;		/* as written */
	u64 rtaddr_active;	/* latched by SRTP */
	u64 irta, irta_active;
	u64 ccmd;
	u64 iva, iotlb;
	u32 fsts, fectl, fedata, feaddr, feuaddr;
	u64 iqh, iqt, iqa;
	u32 ics, iectl, iedata, ieaddr, ieuaddr;
	u64 iqercd;
	u64 frcd[FAKE_DMAR_MAX_FRCD][2];

	/* Knobs. */
	u32 gsts_stuck;		/* these GSTS bits never change */
	u32 gsts_delay_reads;	/* GSTS reads before a change shows */
	bool wait_never_completes;	/* wait descriptors do nothing */
	bool ccmd_stuck;	/* CCMD.ICC / IOTLB.IVT never clear */
	/*
	 * Register-based invalidations the unit refuses (bit 1: CCMD, bit
	 * 2: the IOTLB register): the command completes (ICC/IVT clear)
	 * with CAIG/IAIG = 0 and invalidates nothing [VT-d 11.4.4.3,
	 * 11.4.8].
	 */
	u32 reg_inv_refuse;
	int inject_ite_at;	/* descriptor index (from 1) to fail, 0 off */
	int inject_ice_at;
	/*
	 * A device that never answers: SID + 1 (0: none). Each device-TLB
	 * invalidation naming it (types 3 and 8 [VT-d 6.5.2.5, 6.5.2.6])
	 * times out: ITE, and the pending waits
	 * are aborted [VT-d 6.5.2.10].
	 */
	u32 dead_ats_sid;

	/* Observations. */
	u32 protocol_errors;
	u32 gcmd_writes;
	u32 fault_events;	/* fault event interrupts sent */
	u32 inv_events;		/* invalidation completion interrupts */
	u64 desc_count;		/* descriptors consumed, all time */
	struct fake_dmar_desc log[FAKE_DMAR_LOG_MAX];
	u32 log_len;		/* descriptors logged since last clear */
	u32 reg_inv_count;	/* register-based invalidations done */

	/* Translation model (fake_dmar_dma.c). */
	struct fake_dmar_cc cc[FAKE_DMAR_CC_MAX];
	struct fake_dmar_pc pc[FAKE_DMAR_PC_MAX];
	struct fake_dmar_tlb tlb[FAKE_DMAR_IOTLB_MAX];
	struct fake_dmar_psc psc[FAKE_DMAR_PSC_MAX];
	struct fake_dmar_cache_stats cc_stats, pc_stats, tlb_stats, psc_stats;
	/* Knob: descriptor types (bit n for type n; bits 1 and 2 also
	 * for CCMD and the IOTLB register) consumed without effect. */
	u32 inv_ignore;
	/* Knob: read tables directly even when ECAP.C = 0. */
	bool coherent_view;
	u64 dma_count, dma_faults;
	/* ECAP.C = 0: lines whose snapshot differed from memory when read
	 * (a CPU write the device cannot see yet), and lines read that were
	 * never flushed (seen as all ones). */
	u64 stale_reads;
	u64 unflushed_reads;
	/*
	 * Table pages freed while a paging-structure-cache entry pointed to
	 * them, and walks through such an entry after its page was freed
	 * (or freed and allocated again); each is a protocol error too.
	 */
	u32 psc_freed_tables;
	u32 psc_freed_walks;

	/* Interrupt remapping (fake_dmar_ir.c). */
	struct fake_dmar_iec iec[FAKE_DMAR_IEC_MAX];
	struct fake_dmar_cache_stats iec_stats;
	u64 ir_requests, ir_faults;
	u32 iec_next;

	/* Private. */
	u32 pending_gsts;	/* GSTS value once the delay runs out */
	u32 delay_left;
	bool iq_wide;		/* DW latched from IQA */
	u32 next_frcd;		/* record the next fault goes to */
	/* Round-robin victims of full caches. */
	u32 cc_next, pc_next, tlb_next, psc_next;
	struct fake_dmar_line *lines;	/* open-addressed, lines_cap slots */
	size_t lines_cap, lines_used;
	const struct fake_dmar *lines_owner;
};

/* CAP/ECAP of QEMU 7.2's default and scalable configurations (measured). */
#define FAKE_DMAR_QEMU_CAP_LEGACY	0x00d2008c22260206ULL
#define FAKE_DMAR_QEMU_ECAP_LEGACY	0x0000000000f00f4aULL
#define FAKE_DMAR_QEMU_CAP_SM		0x00d2008c222f0686ULL
#define FAKE_DMAR_QEMU_ECAP_SM		0x0000490080f00f4aULL

/* Initialise @d with reset values and register it with the fake HAL. */
int fake_dmar_init(struct fake_dmar *d, u64 base, u64 cap, u64 ecap);
void fake_dmar_fini(struct fake_dmar *d);

/* Record a translation fault as hardware would [VT-d 7.2]. */
void fake_dmar_record_fault(struct fake_dmar *d, u16 sid, u64 addr,
			    u8 reason, bool write, bool pasid_present,
			    u32 pasid);

void fake_dmar_log_clear(struct fake_dmar *d);

/* Descriptor type of @desc as the model decodes it (bits 3:0 and 11:9). */
unsigned int fake_dmar_desc_type(const struct fake_dmar_desc *desc);

/*
 * One untranslated DMA request from @sid (with @pasid, or without one
 * when FAKE_DMAR_NO_PASID) to @iova [VT-d 3.4-3.7]. With TE clear the
 * address passes through. Returns 0 and fills @r->hpa, or the fault
 * reason (also in @r->reason), recorded unless FPD suppresses it.
 */
int fake_dmar_dma(struct fake_dmar *d, u16 sid, u32 pasid, u64 iova,
		  bool write, struct fake_dma_result *r);
/*
 * The same with the PASID prefix's privilege bit: @priv = true is a
 * supervisor request (needs SRE in the PASID entry [VT-d 9.6]);
 * fake_dmar_dma() makes user requests.
 */
int fake_dmar_dma_priv(struct fake_dmar *d, u16 sid, u32 pasid, u64 iova,
		       bool write, bool priv, struct fake_dma_result *r);

/* Empty every translation cache (as hardware reset would). */
void fake_dmar_caches_reset(struct fake_dmar *d);
/* Entries valid in each cache, for tests. */
unsigned int fake_dmar_cc_count(const struct fake_dmar *d);
unsigned int fake_dmar_pc_count(const struct fake_dmar *d);
unsigned int fake_dmar_iotlb_count(const struct fake_dmar *d);
unsigned int fake_dmar_psc_count(const struct fake_dmar *d);

/*
 * One interrupt request: a DMA write of @data to @addr (0xFEEx_xxxx) from
 * @sid [VT-d 5.1]. With IRE clear it is delivered as it is; otherwise a
 * compatibility-format request passes only with CFIS set and EIME clear,
 * and a remappable one is translated through the IEC and the IRT
 * latched by SIRTP: reserved bits, the index, P, the IRTE's reserved
 * bits and source validation are checked in that order. A posted IRTE
 * sets the vector's PIR bit in its descriptor, then ON and a
 * notification unless ON was set or SN (without URG) suppresses it.
 * Returns 0, or the fault reason (recorded unless the IRTE's FPD says
 * otherwise).
 */
int fake_dmar_msi(struct fake_dmar *d, u16 sid, u64 addr, u32 data,
		  struct fake_ir_result *r);
unsigned int fake_dmar_iec_count(const struct fake_dmar *d);

/* ---- Model internals: called by fake_dmar.c ----------------------------- */
/* Apply an interrupt entry cache invalidation descriptor (type 4). */
void fake_dmar_ir_inv_desc(struct fake_dmar *d,
			   const struct fake_dmar_desc *desc);
/* GCMD.SIRTP latched IRTA. */
void fake_dmar_ir_sirtp(struct fake_dmar *d);
/* Read a table as the unit sees it (fake_dmar_dma.c). */
bool fake_dmar_dev_read(struct fake_dmar *d, u64 pa, void *out, size_t len);
void fake_dmar_xlate_init(struct fake_dmar *d);
void fake_dmar_xlate_fini(struct fake_dmar *d);
/* Apply an invalidation descriptor (types 1, 2, 6, 7) to the caches. */
void fake_dmar_xlate_inv_desc(struct fake_dmar *d,
			      const struct fake_dmar_desc *desc);
/* Register-based invalidation [VT-d 11.4.4.3, 11.4.8]. */
void fake_dmar_xlate_inv_ccmd(struct fake_dmar *d, u64 ccmd);
void fake_dmar_xlate_inv_iotlb(struct fake_dmar *d, u64 iotlb, u64 iva);
/* GCMD.SRTP latched a root table. */
void fake_dmar_xlate_srtp(struct fake_dmar *d);
