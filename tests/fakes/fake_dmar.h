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
 *  - register-based invalidation (CCMD, IOTLB at ECAP.IRO);
 *  - the invalidation queue (IQA/IQH/IQT, 128- and 256-bit descriptors):
 *    descriptors are consumed when IQT is written, each type is decoded
 *    and reserved bits are checked, a malformed one sets FSTS.IQE and
 *    stops the queue at it, wait descriptors write their status or raise
 *    the completion event; ITE and ICE can be injected;
 *  - fault recording registers (CAP.FRO, CAP.NFR), PPF/PFO/FRI, and the
 *    fault event.
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
	int inject_ite_at;	/* descriptor index (from 1) to fail, 0 off */
	int inject_ice_at;

	/* Observations. */
	u32 protocol_errors;
	u32 gcmd_writes;
	u32 fault_events;	/* fault event interrupts sent */
	u32 inv_events;		/* invalidation completion interrupts */
	u64 desc_count;		/* descriptors consumed, all time */
	struct fake_dmar_desc log[FAKE_DMAR_LOG_MAX];
	u32 log_len;		/* descriptors logged since last clear */
	u32 reg_inv_count;	/* register-based invalidations done */

	/* Private. */
	u32 pending_gsts;	/* GSTS value once the delay runs out */
	u32 delay_left;
	bool iq_wide;		/* DW latched from IQA */
	u32 next_frcd;		/* record the next fault goes to */
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
