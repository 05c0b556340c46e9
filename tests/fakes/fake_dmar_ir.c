// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interrupt remapping in the DMAR model [VT-d 5.1, 9.10-9.12], written
 * from the specification with its own bit positions (not the library's
 * tables.h): interrupt requests decoded in compatibility or remappable
 * format, an interrupt entry cache that keeps an entry until an IEC
 * invalidation (or, with CAP.ESIRTPS, an SIRTP) drops it, the IRTE's
 * checks in the specification's order with the fault reasons 0x20-0x27,
 * and posted delivery into a posted interrupt descriptor.
 */
#include <string.h>

#include "fake_dmar.h"
#include "fake_hal.h"

static u64 bits(unsigned int hi, unsigned int lo)
{
	return (~0ULL >> (63 - hi)) & ~((1ULL << lo) - 1);
}

static u64 field(u64 v, unsigned int hi, unsigned int lo)
{
	return (v & bits(hi, lo)) >> lo;
}

/* GSTS bits and IRTA fields [VT-d 11.4.4.2, 11.4.10]. */
#define GS_IRES		(1U << 25)
#define GS_CFIS		(1U << 23)
#define IRTA_EIME	(1ULL << 11)

static bool eime(const struct fake_dmar *d)
{
	return d->irta_active & IRTA_EIME;
}

unsigned int fake_dmar_iec_count(const struct fake_dmar *d)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_DMAR_IEC_MAX; i++)
		n += d->iec[i].valid;
	return n;
}

static void iec_drop(struct fake_dmar *d, bool global, u32 index,
		     unsigned int im)
{
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_IEC_MAX; i++) {
		struct fake_dmar_iec *e = &d->iec[i];

		if (e->valid && (global || (e->index >> im) == (index >> im))) {
			e->valid = false;
			d->iec_stats.drops++;
		}
	}
}

void fake_dmar_ir_inv_desc(struct fake_dmar *d,
			   const struct fake_dmar_desc *desc)
{
	u64 lo = desc->qw[0];

	/* [VT-d 6.5.2.7] G 4 (1: index-selective), IM 31:27, IIDX 47:32. */
	if (fake_dmar_desc_type(desc) != 4)
		return;
	iec_drop(d, !((lo >> 4) & 1), (u32)field(lo, 47, 32),
		 (unsigned int)field(lo, 31, 27));
}

void fake_dmar_ir_sirtp(struct fake_dmar *d)
{
	/*
	 * [VT-d 11.4.2] With ESIRTPS (CAP bit 62) SIRTP invalidates the IEC
	 * too; without it the entries of the old table stay cached.
	 */
	if ((d->cap >> 62) & 1)
		iec_drop(d, true, 0, 0);
}

/* Record IR fault @reason for @index; returns @reason. */
static u8 ir_fault(struct fake_dmar *d, u16 sid, u32 index, u8 reason,
		   bool fpd, struct fake_ir_result *r)
{
	r->reason = reason;
	d->ir_faults++;
	if (!fpd) {
		/* [VT-d 11.4.7.6] FI 63:48: the interrupt index. */
		fake_dmar_record_fault(d, sid, (u64)(index & 0xffff) << 48,
				       reason, true, false, 0);
		r->recorded = true;
	}
	return reason;
}

/* The IRTE's reserved bits [VT-d 9.10, 9.11]: true when one is set. */
static bool irte_reserved(const struct fake_dmar *d, u64 lo, u64 hi)
{
	unsigned int dlm = (unsigned int)field(lo, 7, 5);

	if (field(hi, 19, 18) == 3)	/* bits 83:82 */
		return true;		/* SVT 11b is reserved */
	if (!((lo >> 15) & 1)) {	/* remapped */
		if (lo & (bits(14, 12) | bits(31, 24)))
			return true;
		if (!eime(d) && (lo & (bits(39, 32) | bits(63, 48))))
			return true;
		if (dlm == 3 || dlm == 6)
			return true;
		return hi & bits(63, 20);
	}
	/* Posted: IM is reserved without CAP.PI (bit 59). */
	if (!((d->cap >> 59) & 1))
		return true;
	return (lo & (bits(7, 2) | bits(13, 12) | bits(37, 24))) ||
	       (hi & bits(31, 20));
}

/* [VT-d 9.10] SVT 1: SID with SQ; SVT 2: bus in [start, end]. */
static bool sid_ok(u64 hi, u16 sid)
{
	static const u16 sq_mask[4] = { 0xffff, 0xfffb, 0xfff9, 0xfff8 };
	u16 want = (u16)field(hi, 15, 0);
	unsigned int svt = (unsigned int)field(hi, 19, 18);
	unsigned int sq = (unsigned int)field(hi, 17, 16);

	if (svt == 1)
		return (sid & sq_mask[sq]) == (want & sq_mask[sq]);
	if (svt == 2)
		return (sid >> 8) >= (want >> 8) && (sid >> 8) <= (want & 0xff);
	return true;
}

/* [VT-d 9.12] Post @vector into the descriptor at @pda. */
static u8 post(struct fake_dmar *d, u16 sid, u32 index, u64 lo, u64 hi,
	       struct fake_ir_result *r)
{
	u64 pda = (field(lo, 63, 38) << 6) | (field(hi, 63, 32) << 32);
	u64 *pid = fake_phys_to_virt_checked(pda, 64);
	u8 vector = (u8)field(lo, 23, 16);
	bool urgent = (lo >> 14) & 1;
	u64 ctl, want;

	if (!pid)
		return ir_fault(d, sid, index, 0x27, lo & 2, r);
	__atomic_fetch_or(&pid[vector / 64], 1ULL << (vector % 64),
			  __ATOMIC_SEQ_CST);
	r->posted = true;
	r->vector = vector;
	ctl = __atomic_load_n(&pid[4], __ATOMIC_SEQ_CST);
	/* ON bit 256, SN 257; NV 271:264, NDST 319:288 (qword 4). */
	if ((ctl & 1) || (((ctl >> 1) & 1) && !urgent))
		return 0;
	want = ctl | 1;
	if (!__atomic_compare_exchange_n(&pid[4], &ctl, want, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return 0;
	r->notified = true;
	r->nv = (u8)field(ctl, 15, 8);
	r->ndst = (u32)field(ctl, 63, 32);
	return 0;
}

/* The IRTE of @index from the IEC, or read from the table and cached. */
static u8 irte_fetch(struct fake_dmar *d, u16 sid, u32 index, u64 *lo,
		     u64 *hi, struct fake_ir_result *r)
{
	u64 pa = (d->irta_active & bits(63, 12)) + 16ULL * index;
	u64 e[2];
	unsigned int i;

	for (i = 0; i < FAKE_DMAR_IEC_MAX; i++) {
		if (d->iec[i].valid && d->iec[i].index == index) {
			d->iec_stats.hits++;
			r->iec_hit = true;
			*lo = d->iec[i].lo;
			*hi = d->iec[i].hi;
			return 0;
		}
	}
	d->iec_stats.misses++;
	if (!fake_phys_to_virt_checked(pa, 16) ||
	    !fake_dmar_dev_read(d, pa, e, sizeof(e)))
		return ir_fault(d, sid, index, 0x23, false, r);
	*lo = e[0];
	*hi = e[1];
	if (!(e[0] & 1))
		return ir_fault(d, sid, index, 0x22, e[0] & 2, r);
	if (irte_reserved(d, e[0], e[1]))
		return ir_fault(d, sid, index, 0x24, e[0] & 2, r);
	/* Only present, well-formed entries are cached. */
	i = d->iec_next++ % FAKE_DMAR_IEC_MAX;
	d->iec[i] = (struct fake_dmar_iec){ true, index, e[0], e[1] };
	d->iec_stats.fills++;
	return 0;
}

static void deliver_compat(u64 addr, u32 data, struct fake_ir_result *r)
{
	/* [VT-d 5.1.2.1] Address 19:12 destination, data 7:0 vector. */
	r->compat = true;
	r->dest = (u32)field(addr, 19, 12);
	r->logical = (addr >> 2) & 1;
	r->rh = (addr >> 3) & 1;
	r->vector = (u8)data;
	r->dlm = (u8)field(data, 10, 8);
	r->level = (data >> 15) & 1;
}

int fake_dmar_msi(struct fake_dmar *d, u16 sid, u64 addr, u32 data,
		  struct fake_ir_result *r)
{
	u32 handle, index;
	u64 lo, hi;
	u8 fr;

	memset(r, 0, sizeof(*r));
	d->ir_requests++;
	if (!(d->gsts & GS_IRES) || !((addr >> 4) & 1)) {
		/* [VT-d 5.1.2.1] Compatibility format (or IR off). */
		if ((d->gsts & GS_IRES) && (eime(d) || !(d->gsts & GS_CFIS)))
			return ir_fault(d, sid, 0, 0x25, false, r);
		deliver_compat(addr, data, r);
		return 0;
	}
	/* [VT-d 5.1.5.2] Handle 14:0 in 19:5, 15 in bit 2; SHV bit 3. */
	handle = (u32)field(addr, 19, 5) | ((u32)field(addr, 2, 2) << 15);
	index = handle;
	if ((addr >> 3) & 1)
		index = handle + (data & 0xffff);
	r->index = index;
	if (field(addr, 63, 20) != 0xfee || (data >> 16))
		return ir_fault(d, sid, index, 0x20, false, r);
	if (index >= (2U << field(d->irta_active, 3, 0)))
		return ir_fault(d, sid, index, 0x21, false, r);
	fr = irte_fetch(d, sid, index, &lo, &hi, r);
	if (fr)
		return fr;
	if (!sid_ok(hi, sid))
		return ir_fault(d, sid, index, 0x26, lo & 2, r);
	r->remapped = true;
	if ((lo >> 15) & 1)
		return post(d, sid, index, lo, hi, r);
	r->vector = (u8)field(lo, 23, 16);
	r->dest = eime(d) ? (u32)field(lo, 63, 32) : (u32)field(lo, 47, 40);
	r->dlm = (u8)field(lo, 7, 5);
	r->logical = (lo >> 2) & 1;
	r->rh = (lo >> 3) & 1;
	r->level = (lo >> 4) & 1;
	return 0;
}
