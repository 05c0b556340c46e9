/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct vtd_unit and the register accessors used by every file of the
 * driver (private). All register access goes through vtd_read32() and
 * friends; every wait on hardware goes through vtd_wait_reg32() or
 * vtd_wait_reg64(), which return -ETIMEDOUT at the deadline.
 */
#pragma once

#include <hal/hal.h>
#include <vtd/vtd.h>

#include "err.h"
#include "qi.h"
#include "regs.h"

/* Invalidation queue state [VT-d 6.5.2]. */
struct vtd_qi {
	struct hal_spinlock lock;
	u8 *ring;			/* 2^order pages of descriptors */
	unsigned int order;
	u32 desc_size;			/* 16, or 32 with IQA.DW */
	u32 slots;			/* ring size in descriptors */
	u32 tail;			/* next slot software writes */
	bool hw_idle;			/* IQH == tail known without reading */
	volatile u32 *status;		/* wait-descriptor status words */
	hal_paddr_t status_pa;
	u32 seq;			/* last status value issued */
	/* Counters, for tests and benchmarks. */
	u64 submits;
	u64 descs;			/* descriptors written, waits included */
	u64 waits;
	u32 iqe_count, ite_count, ice_count;
};

/* Indices into the status page. */
#define VTD_QI_STATUS_WAIT	0	/* the submission's wait */
#define VTD_QI_STATUS_SCRATCH	1	/* replacements of bad descriptors */

/* A device (source ID) attached on a unit; see domain.c. */
struct vtd_dev {
	struct vtd_domain *domain;	/* NULL: blocked */
	u16 did;
	u32 rid_pasid;
	u64 *pasid_dir;			/* scalable mode */
	unsigned int pasid_dir_order;
	u8 pdts;
	bool ats;			/* device TLB in use (ECAP.DT) */
	u8 ats_qdep;
	u16 ats_pfsid;
	u16 pasid_count;		/* PASIDs attached besides RID_PASID */
};

/*
 * A PASID table is allocated as 2^VTD_PASID_TABLE_ORDER pages: the first
 * is the table the unit reads [VT-d 9.6], the second (never pointed to
 * by the hardware) records, per entry, what software attached there.
 */
#define VTD_PASID_TABLE_ORDER	1
struct vtd_pasid_sw {
	struct {
		struct vtd_domain *domain;	/* NULL: free or RID_PASID */
		u8 type;			/* enum vtd_pasid_type */
	} e[64];
	u32 used;			/* entries with a domain */
};
_Static_assert(sizeof(struct vtd_pasid_sw) <= 4096, "PASID table shadow");

/* A device whose TLB a range invalidation must reach [VT-d 6.5.2.5]. */
struct vtd_dev_tlb {
	u16 sid;
	u16 pfsid;
	u8 qdep;
};
#define VTD_DEV_TLB_MAX		8	/* ATS devices per domain and unit */
#define VTD_BUS_DEVS_ORDER	2	/* 256 struct vtd_dev per bus */
_Static_assert(256 * sizeof(struct vtd_dev) <= (4096 << VTD_BUS_DEVS_ORDER),
	       "per-bus device block");

struct vtd_unit {
	struct hal_mmio *regs;
	u64 reg_base;
	u16 segment;
	u32 ver;
	u64 cap;
	u64 ecap;
	bool scalable;			/* root table in scalable mode */
	bool coherent;			/* ECAP.C: table walks snoop caches */
	bool enabled;

	struct hal_spinlock lock;
	/*
	 * The persistent enables of GSTS (TES, QIES, IRES, CFIS) as the
	 * driver last saw them; GCMD values are derived from it, never read
	 * back from GCMD [VT-d 11.4.4.1].
	 */
	u32 gsts;
	u64 *root;			/* root table, one page */
	u64 *did_map;			/* domain-ID bitmap */
	unsigned int did_map_order;
	u32 did_count;

	struct vtd_qi qi;

	/*
	 * ctx_lock guards the root, context and PASID tables, the device
	 * slots and the domain-ID map. Order: domain->lock, ctx_lock,
	 * lock, qi.lock.
	 */
	struct hal_spinlock ctx_lock;
	u32 attached;			/* devices attached, under ctx_lock */
	/* Per bus: 256 device slots, allocated on first attach. */
	struct vtd_dev *bus_devs[256];

	struct hal_spinlock fault_lock;
	u64 fault_overflows;
	u64 faults_seen;

	struct vtd_unit_params params;
	struct vtd_msi fault_msi, inv_msi;
	bool has_fault_msi, has_inv_msi;
};

static inline u32 vtd_read32(const struct vtd_unit *u, u32 off)
{
	return hal_mmio_read32(u->regs, off);
}

static inline u64 vtd_read64(const struct vtd_unit *u, u32 off)
{
	return hal_mmio_read64(u->regs, off);
}

static inline void vtd_write32(const struct vtd_unit *u, u32 off, u32 val)
{
	hal_mmio_write32(u->regs, off, val);
}

static inline void vtd_write64(const struct vtd_unit *u, u32 off, u64 val)
{
	hal_mmio_write64(u->regs, off, val);
}

/* Deadline for a hardware wait starting now. */
static inline u64 vtd_deadline(void)
{
	return hal_time_ns() + (u64)CONFIG_VTD_TIMEOUT_US * 1000;
}

int vtd_wait_reg32(struct vtd_unit *u, u32 off, u32 mask, u32 want);
int vtd_wait_reg64(struct vtd_unit *u, u32 off, u64 mask, u64 want);

/* unit.c */
int vtd_unit_did_alloc_locked(struct vtd_unit *u);
int vtd_unit_flush_write_buffer(struct vtd_unit *u);
void vtd_unit_did_free_locked(struct vtd_unit *u, u16 did);

/* domain.c */
void vtd_unit_free_devices(struct vtd_unit *u);

/* inv.c */
int vtd_inv_range(struct vtd_unit *u, u16 did, u64 iova, u64 size,
		  bool leaf_only, const struct vtd_dev_tlb *devs,
		  unsigned int ndevs);
int vtd_inv_pasid_range(struct vtd_unit *u, u16 did, u32 pasid, u64 va,
			u64 size, bool leaf_only,
			const struct vtd_dev_tlb *devs, unsigned int ndevs,
			bool dev_tlb_pasid);

/* qi.c */
int vtd_qi_init(struct vtd_unit *u);
void vtd_qi_fini(struct vtd_unit *u);
int vtd_qi_enable(struct vtd_unit *u);
int vtd_qi_disable(struct vtd_unit *u);
bool vtd_qi_enabled(const struct vtd_unit *u);

/* Flags of vtd_qi_submit(). */
#define VTD_QI_WAIT_IRQ		BIT(0)	/* complete through IF, not SW */

/**
 * vtd_qi_submit() - Queue @n descriptors followed by one wait descriptor
 * and wait for its completion.
 *
 * With VTD_QI_WAIT_IRQ the wait descriptor sets IF (the invalidation
 * completion event, ICS.IWC and the MSI) instead of writing a status word.
 * A batch larger than the queue is split, one wait per part.
 *
 * Return: 0; -EIO when the unit reported IQE, ITE or ICE for this batch
 * (the queue is recovered and the error cleared first); -ETIMEDOUT;
 * -EINVAL; -EOPNOTSUPP when queued invalidation is not enabled.
 * Context: takes u->qi.lock; spins until completion.
 */
int vtd_qi_submit(struct vtd_unit *u, const struct vtd_qi_desc *descs,
		  unsigned int n, unsigned int flags);
