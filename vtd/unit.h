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
#include <vtd/hw/qi.h>
#include <vtd/hw/regs.h>
#include <vtd/hw/tables.h>

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

struct vtd_dev_map;

/*
 * Interrupt remapping state (ir.c), guarded by lock (lock order: the IR
 * lock before unit->lock and unit->qi.lock).
 */
struct vtd_ir_state {
	struct hal_spinlock lock;
	struct vtd_irte *table;		/* NULL: no table set up */
	unsigned int table_order;
	/*
	 * One byte per index: 0 free, VTD_IR_RUN_TAIL inside a run, else
	 * at a run's first index log2(its length) + 1.
	 */
	u8 *runs;
	unsigned int runs_order;
	u32 entries;
	u32 used;			/* indices allocated */
	bool eime;
};

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
	 * slots and the domain-ID map (lock order: <vtd/vtd.h>).
	 */
	struct hal_spinlock ctx_lock;
	u32 attached;			/* devices attached, under ctx_lock */
	struct vtd_dev_map *devs;	/* device slots (dev.c) */

	struct hal_spinlock fault_lock;
	u64 fault_overflows;
	u64 faults_seen;

	struct vtd_unit_params params;
	struct vtd_msi fault_msi, inv_msi;
	bool has_fault_msi, has_inv_msi;

	struct vtd_ir_state ir;

	/* VCMD allocators registered on the unit (vcmd.c): destroy waits. */
	u32 vcmd_users;
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

/* reg.c */
int vtd_reg_wait32(struct vtd_unit *u, u32 off, u32 mask, u32 want);
int vtd_reg_wait64(struct vtd_unit *u, u32 off, u64 mask, u64 want);
/* vtd_reg_wait64(), and the value that ended the wait in @val. */
int vtd_reg_wait64_val(struct vtd_unit *u, u32 off, u64 mask, u64 want,
		       u64 *val);
void vtd_reg_gsts_seed_locked(struct vtd_unit *u);
int vtd_reg_gcmd_locked(struct vtd_unit *u, u32 cmd, u32 status, bool on);
int vtd_reg_flush_write_buffer(struct vtd_unit *u);

/* did.c: the unit's domain-ID space, under ctx_lock. */
int vtd_did_init(struct vtd_unit *u);
void vtd_did_fini(struct vtd_unit *u);
int vtd_did_alloc_locked(struct vtd_unit *u);
void vtd_did_free_locked(struct vtd_unit *u, u16 did);

/* fault.c */
void vtd_fault_clear_all_locked(struct vtd_unit *u);

/* ir.c */
void vtd_ir_fini(struct vtd_unit *u);

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
