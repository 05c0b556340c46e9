/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt remapping [VT-d 5, 9.10, 9.11]: one interrupt remapping table
 * (IRT) per unit, its entries (IRTEs) allocated by index, programmed in
 * remapped or posted format, and the remappable-format MSI address/data
 * and I/O APIC redirection entries that make a device's interrupts go
 * through them. Every change to an IRTE is followed by an interrupt
 * entry cache (IEC) invalidation of its index before the call returns.
 *
 * Bad input (a field out of range, an index beyond the table or not
 * allocated, a destination the table's mode cannot hold) returns an
 * errno and changes nothing.
 */
#pragma once

#include <hal/types.h>
#include <vtd/hw/tables.h>
#include <vtd/vtd.h>

/* Options of vtd_ir_enable(). */
struct vtd_ir_params {
	/*
	 * IRT size: a power of two, 2..65536 entries [VT-d 11.4.10]; 0 is
	 * CONFIG_VTD_IR_ENTRIES (the build's size, default 4096).
	 */
	u32 entries;
	/*
	 * Extended interrupt mode (IRTA.EIME): 32-bit x2APIC destinations.
	 * Needs ECAP.EIM; without it destinations are 8-bit xAPIC IDs.
	 */
	bool x2apic;
	/*
	 * Let compatibility-format interrupts through unremapped (GCMD.CFI)
	 * [VT-d 5.1.2.1]. Off by default: they are blocked with fault 0x25.
	 * Cannot be combined with @x2apic, under which the unit blocks them
	 * anyway.
	 */
	bool allow_compat;
};

/* [VT-d 9.10] Source validation of an IRTE: SVT, SQ and SID. */
struct vtd_ir_source {
	unsigned int svt;	/* VTD_IRTE_SVT_SID or VTD_IRTE_SVT_BUS */
	unsigned int sq;	/* SVT_SID: VTD_IRTE_SQ_*, 0..3; else 0 */
	u16 sid;		/* SVT_SID: requester; SVT_BUS: start << 8 | end */
};

/* A remapped-format IRTE [VT-d 9.10]. */
struct vtd_ir_remap {
	unsigned int vector;	/* 0..255 */
	u32 dest;		/* APIC ID: 0..255 in xAPIC mode */
	unsigned int dlm;	/* delivery mode VTD_IRTE_DLM_*: 0, 1, 2, 4, 5, 7 */
	bool logical;		/* destination mode logical */
	bool redir_hint;	/* RH: lowest priority among the destinations */
	bool level;		/* level-triggered */
	bool fpd;		/* no fault records for this entry */
	struct vtd_ir_source src;
};

/* A posted-format IRTE [VT-d 9.11]; needs CAP.PI. */
struct vtd_ir_posted {
	hal_paddr_t pda;	/* posted interrupt descriptor, 64-byte aligned */
	unsigned int vector;	/* 0..255: the bit set in the descriptor's PIR */
	bool urgent;		/* notify even when SN is set */
	bool fpd;
	struct vtd_ir_source src;
};

/**
 * vtd_ir_enable() - Set up and enable interrupt remapping on @u
 * [VT-d 6.5.2.7, 11.4.4.1, 11.4.10]: allocate a zeroed (all not present)
 * table of @p->entries, write IRTA, latch it with GCMD.SIRTP, invalidate
 * the interrupt entry cache globally unless CAP.ESIRTPS (whose SIRTP does
 * it), set or clear GCMD.CFI as @p asks, and set GCMD.IRE, each through
 * the one-control-per-write handshake.
 * @u: an enabled unit with queued invalidation (the IEC has no register
 *     form). vtd_unit_enable() and vtd_unit_disable() turn IRE off again.
 * @p: options.
 *
 * Return: 0; -EINVAL for NULL or a size (other than 0) that is not a
 * power of two in 2..65536, or @p->allow_compat with @p->x2apic; -EOPNOTSUPP without
 * ECAP.IR or queued invalidation, or @p->x2apic without ECAP.EIM;
 * -EBUSY when a table is already set up; -ENOMEM; -ETIMEDOUT or -EIO
 * from the unit (then nothing stays enabled or allocated).
 * Context: takes the unit's IR lock, then unit->lock, then unit->qi.lock.
 */
int vtd_ir_enable(struct vtd_unit *u, const struct vtd_ir_params *p);

/**
 * vtd_ir_disable() - Clear GCMD.IRE and CFI and free the table.
 *
 * Return: 0; -EINVAL for NULL; -ENOENT when no table is set up; -EBUSY
 * while indices are allocated; -ETIMEDOUT (the table is kept).
 * Context: takes the IR lock, then unit->lock.
 */
int vtd_ir_disable(struct vtd_unit *u);

/**
 * vtd_ir_alloc() - Allocate @count contiguous IRTE indices, aligned to
 * @count (multi-message MSI: the device adds the message number to the
 * subhandle [VT-d 5.1.5.2]); the entries are not present until
 * programmed.
 * @count: a power of two, 1..the table size.
 * @index: receives the first index (the handle).
 *
 * Return: 0; -EINVAL; -ENOENT when no table is set up; -ENOSPC when no
 * aligned run is free.
 * Context: takes the IR lock.
 */
int vtd_ir_alloc(struct vtd_unit *u, u32 count, u32 *index);

/**
 * vtd_ir_free() - Clear and free the run @index..@index + @count - 1,
 * exactly as vtd_ir_alloc() returned it, and invalidate its IEC entries.
 *
 * Return: 0; -EINVAL when the run is not one allocated; -ENOENT;
 * -ETIMEDOUT or -EIO from the invalidation (the indices stay allocated,
 * their entries not present).
 * Context: takes the IR lock, then unit->qi.lock.
 */
int vtd_ir_free(struct vtd_unit *u, u32 index, u32 count);

/**
 * vtd_ir_set_remapped() - Program IRTE @index in remapped format and
 * invalidate its IEC entry. Source validation is required (SVT 1 or 2).
 *
 * Return: 0; -EINVAL for a field out of range, a destination above 255
 * in xAPIC mode, an SVT other than 1 or 2, or an index not allocated;
 * -ENOENT; -ETIMEDOUT or -EIO from the invalidation.
 * Context: takes the IR lock, then unit->qi.lock.
 */
int vtd_ir_set_remapped(struct vtd_unit *u, u32 index,
			const struct vtd_ir_remap *r);

/**
 * vtd_ir_set_posted() - Program IRTE @index in posted format [VT-d 9.11]
 * and invalidate its IEC entry.
 *
 * Return: 0; -EOPNOTSUPP without CAP.PI; -EINVAL as for
 * vtd_ir_set_remapped() and for a descriptor address that is 0 or not
 * 64-byte aligned; -ENOENT; -ETIMEDOUT or -EIO.
 * Context: takes the IR lock, then unit->qi.lock.
 */
int vtd_ir_set_posted(struct vtd_unit *u, u32 index,
		      const struct vtd_ir_posted *p);

/**
 * vtd_ir_clear() - Make IRTE @index not present and invalidate it.
 *
 * Return: 0; -EINVAL for an index not allocated; -ENOENT; -ETIMEDOUT
 * or -EIO.
 * Context: takes the IR lock, then unit->qi.lock.
 */
int vtd_ir_clear(struct vtd_unit *u, u32 index);

/**
 * vtd_ir_msi() - The remappable-format MSI address and data that send a
 * device's message to IRTE @index [VT-d 5.1.5.2]: handle @index, SHV set
 * with subhandle 0, so that message k of a multi-message run allocated
 * at @index goes to @index + k.
 *
 * Return: 0; -EINVAL for NULL or an index not allocated; -ENOENT.
 * Context: takes the IR lock.
 */
int vtd_ir_msi(struct vtd_unit *u, u32 index, struct vtd_msi *msi);

/**
 * vtd_ir_ioapic_rte() - The remappable-format I/O APIC redirection table
 * entry for IRTE @index [VT-d 5.1.5.1], which must be present in
 * remapped format: its vector is copied into the RTE (the I/O APIC
 * matches EOIs by it) and its trigger mode into the RTE's.
 * @active_low: the pin's polarity. @masked: the RTE's mask bit.
 *
 * Return: 0; -EINVAL for NULL, an index not allocated or an IRTE not
 * present in remapped format; -ENOENT.
 * Context: takes the IR lock.
 */
int vtd_ir_ioapic_rte(struct vtd_unit *u, u32 index, bool active_low,
		      bool masked, u64 *rte);

/**
 * vtd_ir_entries() - The size of @u's interrupt remapping table.
 *
 * Return: its entries; 0 when none is set up or @u is NULL.
 * Context: any; reads without the IR lock (a snapshot).
 */
u32 vtd_ir_entries(const struct vtd_unit *u);
