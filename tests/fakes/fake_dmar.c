// SPDX-License-Identifier: BSD-2-Clause
/*
 * Behavioural model of one DMA-remapping unit; see fake_dmar.h. Register
 * offsets and bit positions are written here from the specification's
 * register descriptions [VT-d 11.4], deliberately not shared with the
 * library, as the second source its encodings are checked against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_dmar.h"
#include "fake_hal.h"

/* Register offsets [VT-d 11.4]. */
enum {
	R_VER = 0x00, R_CAP = 0x08, R_ECAP = 0x10, R_GCMD = 0x18,
	R_GSTS = 0x1c, R_RTADDR = 0x20, R_CCMD = 0x28, R_FSTS = 0x34,
	R_FECTL = 0x38, R_FEDATA = 0x3c, R_FEADDR = 0x40, R_FEUADDR = 0x44,
	R_AFLOG = 0x58, R_PMEN = 0x64, R_IQH = 0x80, R_IQT = 0x88,
	R_IQA = 0x90, R_ICS = 0x9c, R_IECTL = 0xa0, R_IEDATA = 0xa4,
	R_IEADDR = 0xa8, R_IEUADDR = 0xac, R_IQERCD = 0xb0, R_IRTA = 0xb8,
};

/* GCMD / GSTS bits: same positions in both [VT-d 11.4.4, 11.4.5]. */
#define G_TE		(1U << 31)
#define G_SRTP		(1U << 30)
#define G_SFL		(1U << 29)
#define G_EAFL		(1U << 28)
#define G_WBF		(1U << 27)
#define G_QIE		(1U << 26)
#define G_IRE		(1U << 25)
#define G_SIRTP		(1U << 24)
#define G_CFI		(1U << 23)
#define G_ONESHOT	(G_SRTP | G_SFL | G_WBF | G_SIRTP)
#define G_PERSIST	(G_TE | G_EAFL | G_QIE | G_IRE | G_CFI)

/* FSTS [VT-d 11.4.9]. */
#define FS_PFO		(1U << 0)
#define FS_PPF		(1U << 1)
#define FS_IQE		(1U << 4)
#define FS_ICE		(1U << 5)
#define FS_ITE		(1U << 6)
#define FS_FRI_SHIFT	8
#define FS_W1C		(FS_PFO | FS_IQE | FS_ICE | FS_ITE)
#define EC_IM		(1U << 31)	/* FECTL / IECTL interrupt mask */
#define EC_IP		(1U << 30)	/* interrupt pending */

static unsigned int cap_fro(const struct fake_dmar *d)
{
	return (unsigned int)((d->cap >> 24) & 0x3ff) * 16;
}

static unsigned int cap_nfr(const struct fake_dmar *d)
{
	unsigned int n = (unsigned int)((d->cap >> 40) & 0xff) + 1;

	return n > FAKE_DMAR_MAX_FRCD ? FAKE_DMAR_MAX_FRCD : n;
}

static unsigned int ecap_iro(const struct fake_dmar *d)
{
	return (unsigned int)((d->ecap >> 8) & 0x3ff) * 16;
}

static void protocol_error(struct fake_dmar *d, const char *what, u32 off,
			   u64 val)
{
	d->protocol_errors++;
	hal_log(HAL_LOG_ERR, "fake_dmar: protocol error: %s (reg %#x, "
		"value %#llx)\n", what, off, (unsigned long long)val);
}

/* Width of each register the model knows, 0 for unknown offsets. */
static unsigned int reg_width(const struct fake_dmar *d, u32 off)
{
	unsigned int fro = cap_fro(d), iro = ecap_iro(d);

	if (off >= fro && off < fro + 16 * cap_nfr(d))
		return 8;
	if (off == iro || off == iro + 8)
		return 8;
	switch (off) {
	case R_CAP: case R_ECAP: case R_RTADDR: case R_CCMD: case R_IQH:
	case R_IQT: case R_IQA: case R_IQERCD: case R_IRTA:
		return 8;
	case R_VER: case R_GCMD: case R_GSTS: case R_FSTS: case R_FECTL:
	case R_FEDATA: case R_FEADDR: case R_FEUADDR: case R_PMEN:
	case R_ICS: case R_IECTL: case R_IEDATA: case R_IEADDR:
	case R_IEUADDR:
		return 4;
	default:
		return 0;
	}
}

static void fault_event(struct fake_dmar *d)
{
	if (d->fectl & EC_IM) {
		d->fectl |= EC_IP;
		return;
	}
	d->fault_events++;
	d->fectl &= ~EC_IP;
}

static void inv_event(struct fake_dmar *d)
{
	if (d->ics & 1)			/* ICS.IWC already set */
		return;
	d->ics |= 1;
	if (d->iectl & EC_IM) {
		d->iectl |= EC_IP;
		return;
	}
	d->inv_events++;
	d->iectl &= ~EC_IP;
}

/* Raise an FSTS error bit and the fault event if none was pending. */
static void fsts_error(struct fake_dmar *d, u32 bit)
{
	bool quiet = d->fsts & (FS_PFO | FS_PPF | FS_IQE | FS_ICE | FS_ITE);

	d->fsts |= bit;
	if (!quiet)
		fault_event(d);
}

/* ---- GCMD handshake ----------------------------------------------------- */

static void gcmd_write(struct fake_dmar *d, u32 val)
{
	u32 cur = d->delay_left ? d->pending_gsts : d->gsts;
	u32 next = (cur & ~G_PERSIST) | (val & G_PERSIST);
	u32 changed = (cur ^ next) & G_PERSIST;
	u32 oneshot = val & G_ONESHOT;

	d->gcmd_writes++;
	if (__builtin_popcount(changed) + __builtin_popcount(oneshot) > 1)
		protocol_error(d, "GCMD changes more than one control", R_GCMD,
			       val);
	if (oneshot & G_SRTP) {
		d->rtaddr_active = d->rtaddr;
		next |= G_SRTP;		/* GSTS.RTPS */
		fake_dmar_xlate_srtp(d);
	}
	if (oneshot & G_SIRTP) {
		d->irta_active = d->irta;
		next |= G_SIRTP;
		fake_dmar_ir_sirtp(d);
	}
	/* [VT-d 11.4.4.1] IRE needs a table latched by SIRTP first. */
	if ((changed & G_IRE) && (next & G_IRE) && !(cur & G_SIRTP) &&
	    !(oneshot & G_SIRTP))
		protocol_error(d, "IRE set before SIRTP", R_GCMD, val);
	if (oneshot & G_SFL)
		next |= G_SFL;
	if (oneshot & G_WBF)
		next &= ~G_WBF;		/* flush completes: WBFS clear */
	if (changed & G_QIE) {
		if (next & G_QIE) {
			d->iqh = 0;
			d->iq_wide = (d->iqa >> 11) & 1;
			if (d->iq_wide && !((d->ecap >> 43) & 1))
				protocol_error(d, "IQA.DW without ECAP.SMTS",
					       R_IQA, d->iqa);
		} else if (d->iqh != d->iqt) {
			protocol_error(d, "QI disabled with queue not empty",
				       R_GCMD, val);
		}
	}
	/* Stuck bits keep their old value. */
	next = (next & ~d->gsts_stuck) | (d->gsts & d->gsts_stuck);
	if (d->gsts_delay_reads) {
		d->pending_gsts = next;
		d->delay_left = d->gsts_delay_reads;
	} else {
		d->gsts = next;
	}
}

/* ---- Invalidation ------------------------------------------------------- */

unsigned int fake_dmar_desc_type(const struct fake_dmar_desc *desc)
{
	return (unsigned int)((desc->qw[0] & 0xf) |
			      (((desc->qw[0] >> 9) & 0x7) << 4));
}

static void log_desc(struct fake_dmar *d, const struct fake_dmar_desc *desc)
{
	d->desc_count++;
	if (d->log_len < FAKE_DMAR_LOG_MAX)
		d->log[d->log_len++] = *desc;
}

/*
 * Reserved bits of the 128-bit forms [VT-d 6.5.2]. A set reserved bit
 * makes the descriptor invalid (IQE).
 */
static bool desc_valid(const struct fake_dmar *d,
		       const struct fake_dmar_desc *desc)
{
	u64 lo = desc->qw[0], hi = desc->qw[1];

	switch (fake_dmar_desc_type(desc)) {
	case 1:	/* context-cache: G 5:4, DID 31:16, SID 47:32, FM 49:48 */
		return !(lo & 0xfffc00000000ffc0ULL) && !hi;
	case 2:	/* IOTLB: G 5:4, DW 6, DR 7, DID 31:16; ADDR 63:12, IH 6,
		 * AM 5:0 */
		return !(lo & 0xffffffff0000ff00ULL) && !(hi & 0xf80ULL) &&
		       (hi & 0x3f) <= ((d->cap >> 48) & 0x3f);
	case 3:	/* device-TLB: PFSID 15:12 and 63:52, MIP 20:16,
		 * SID 47:32; S 0, ADDR 63:12 */
		return !(lo & 0x000f0000ffe00ff0ULL) && !(hi & 0xffeULL);
	case 4:	/* interrupt entry cache: G 4, IM 31:27, IIDX 47:32 */
		return !(lo & 0xffff000007ffffe0ULL) && !hi;
	case 5:	/* wait: IF 4, SW 5, FN 6, PD 7, STATUS 63:32; a wait
		 * with neither SW nor IF does nothing and is refused */
		return !(lo & 0xffffff00ULL) && !(hi & 3) && (lo & 0x30);
	case 6:	/* PASID-based IOTLB */
	case 7:	/* PASID cache */
	case 8:	/* PASID-based device-TLB */
		return (d->ecap >> 43) & 1;	/* scalable mode only */
	default:
		return false;
	}
}

static void do_wait(struct fake_dmar *d, const struct fake_dmar_desc *desc)
{
	u64 lo = desc->qw[0], hi = desc->qw[1];
	u32 *status;

	if (d->wait_never_completes)
		return;
	if (lo & (1ULL << 5)) {			/* SW */
		status = fake_phys_to_virt_checked(hi & ~3ULL, 4);
		if (!status) {
			protocol_error(d, "wait status address not in memory",
				       R_IQT, hi);
			return;
		}
		__atomic_store_n(status, (u32)(lo >> 32), __ATOMIC_RELEASE);
	}
	if (lo & (1ULL << 4))			/* IF */
		inv_event(d);
}

/* A device-TLB invalidation of the device that never answers. */
static bool dead_ats(const struct fake_dmar *d, const struct fake_dmar_desc *x)
{
	unsigned int t = fake_dmar_desc_type(x);
	/* SID: bits 47:32 of type 3, 31:16 of type 8 [VT-d 6.5.2.5-6]. */
	u64 sid = (x->qw[0] >> (t == 3 ? 32 : 16)) & 0xffff;

	return d->dead_ats_sid && (t == 3 || t == 8) &&
	       sid == d->dead_ats_sid - 1;
}

static void process_queue(struct fake_dmar *d)
{
	unsigned int dsz = d->iq_wide ? 32 : 16;
	u64 qsize = 4096ULL << (d->iqa & 7);
	u64 qbase = d->iqa & ~0xfffULL;
	struct fake_dmar_desc desc;
	u64 *mem;
	int index = 0;

	if (!(d->gsts & G_QIE) || (d->fsts & FS_IQE))
		return;
	if (d->iqt >= qsize || d->iqt % dsz) {
		d->iqercd = 1;		/* IQEI 1: tail pointer invalid */
		fsts_error(d, FS_IQE);
		return;
	}
	while (d->iqh != d->iqt) {
		mem = fake_phys_to_virt_checked(qbase + d->iqh, dsz);
		if (!mem) {
			protocol_error(d, "queue outside memory", R_IQA, d->iqa);
			d->iqercd = 0;
			fsts_error(d, FS_IQE);
			return;
		}
		memset(&desc, 0, sizeof(desc));
		memcpy(desc.qw, mem, dsz);
		desc.wide = d->iq_wide;
		index++;
		if (!desc_valid(d, &desc)) {
			d->iqercd = 2;	/* IQEI 2: invalid descriptor */
			fsts_error(d, FS_IQE);
			return;		/* IQH stays on the bad one */
		}
		log_desc(d, &desc);
		if (!(d->inv_ignore & (1U << fake_dmar_desc_type(&desc)))) {
			fake_dmar_xlate_inv_desc(d, &desc);
			fake_dmar_ir_inv_desc(d, &desc);
		}
		if (index == d->inject_ite_at || dead_ats(d, &desc)) {
			d->inject_ite_at = 0;
			fsts_error(d, FS_ITE);
		}
		if (index == d->inject_ice_at) {
			d->inject_ice_at = 0;
			fsts_error(d, FS_ICE);
		}
		if (fake_dmar_desc_type(&desc) == 5 &&
		    !(d->fsts & (FS_ITE | FS_ICE)))
			do_wait(d, &desc);
		d->iqh = (d->iqh + dsz) % qsize;
	}
}

static void ccmd_write(struct fake_dmar *d, u64 val)
{
	d->ccmd = val;
	if (!(val >> 63))
		return;
	if (d->gsts & G_QIE) {
		protocol_error(d, "CCMD while QI enabled", R_CCMD, val);
		return;
	}
	if (d->ccmd_stuck)
		return;
	if (d->reg_inv_refuse & (1U << 1)) {
		/* Refused: ICC clears with CAIG (60:59) = 0. */
		d->ccmd = val & ~(1ULL << 63) & ~(3ULL << 59);
		return;
	}
	/* CAIG (60:59) reports the CIRG (62:61) performed; ICC clears. */
	d->ccmd = (val & ~(1ULL << 63) & ~(3ULL << 59)) |
		  (((val >> 61) & 3) << 59);
	d->reg_inv_count++;
	if (!(d->inv_ignore & (1U << 1)))
		fake_dmar_xlate_inv_ccmd(d, val);
}

static void iotlb_write(struct fake_dmar *d, u64 val)
{
	d->iotlb = val;
	if (!(val >> 63))
		return;
	if (d->gsts & G_QIE) {
		protocol_error(d, "IOTLB register while QI enabled",
			       ecap_iro(d) + 8, val);
		return;
	}
	if (d->ccmd_stuck)
		return;
	if (d->reg_inv_refuse & (1U << 2)) {
		/* Refused: IVT clears with IAIG (58:57) = 0. */
		d->iotlb = val & ~(1ULL << 63) & ~(3ULL << 57);
		return;
	}
	/* IAIG (58:57) reports the IIRG (61:60) performed; IVT clears. */
	d->iotlb = (val & ~(1ULL << 63) & ~(3ULL << 57)) |
		   (((val >> 60) & 3) << 57);
	d->reg_inv_count++;
	if (!(d->inv_ignore & (1U << 2)))
		fake_dmar_xlate_inv_iotlb(d, val, d->iva);
}

/* ---- Faults ------------------------------------------------------------- */

static void update_ppf(struct fake_dmar *d)
{
	unsigned int i;

	d->fsts &= ~FS_PPF;
	for (i = 0; i < cap_nfr(d); i++) {
		if (d->frcd[i][1] >> 63)
			d->fsts |= FS_PPF;
	}
}

void fake_dmar_record_fault(struct fake_dmar *d, u16 sid, u64 addr,
			    u8 reason, bool write, bool pasid_present,
			    u32 pasid)
{
	unsigned int fri = d->next_frcd % cap_nfr(d);
	bool had_ppf = d->fsts & FS_PPF;

	if (d->fsts & FS_PFO)
		return;
	if (d->frcd[fri][1] >> 63) {
		d->fsts |= FS_PFO;
		return;
	}
	d->frcd[fri][0] = addr & ~0xfffULL;
	d->frcd[fri][1] = (u64)sid | ((u64)pasid_present << 31) |
			  ((u64)reason << 32) |
			  ((u64)(pasid & 0xfffff) << 40) |
			  ((u64)!write << 62) | (1ULL << 63);
	/*
	 * [VT-d 11.4.7.1] FRI names the record written when PPF went from
	 * 0 to 1: the first of the pending ones.
	 */
	if (!had_ppf)
		d->fsts = (d->fsts & ~(0xffU << FS_FRI_SHIFT)) |
			  (fri << FS_FRI_SHIFT);
	d->next_frcd = (fri + 1) % cap_nfr(d);
	update_ppf(d);
	if (!had_ppf && !(d->fsts & (FS_PFO | FS_IQE | FS_ICE | FS_ITE)))
		fault_event(d);
}

/* ---- Register file ------------------------------------------------------ */

static u64 dmar_read(void *ctx, u32 off, unsigned int width)
{
	struct fake_dmar *d = ctx;
	unsigned int fro = cap_fro(d), iro = ecap_iro(d);
	unsigned int w = reg_width(d, off);

	if (w && w != width)
		protocol_error(d, "read of wrong width", off, width);
	if (off >= fro && off < fro + 16 * cap_nfr(d))
		return d->frcd[(off - fro) / 16][((off - fro) / 8) & 1];
	if (off == iro)
		return d->iva;
	if (off == iro + 8)
		return d->iotlb;
	switch (off) {
	case R_VER: return d->ver;
	case R_CAP: return d->cap;
	case R_ECAP: return d->ecap;
	case R_GCMD: return 0;			/* write-only */
	case R_GSTS:
		if (d->delay_left && --d->delay_left == 0)
			d->gsts = d->pending_gsts;
		return d->gsts;
	case R_RTADDR: return d->rtaddr;
	case R_CCMD: return d->ccmd;
	case R_FSTS: return d->fsts;
	case R_FECTL: return d->fectl;
	case R_FEDATA: return d->fedata;
	case R_FEADDR: return d->feaddr;
	case R_FEUADDR: return d->feuaddr;
	case R_IQH: return d->iqh;
	case R_IQT: return d->iqt;
	case R_IQA: return d->iqa;
	case R_ICS: return d->ics;
	case R_IECTL: return d->iectl;
	case R_IEDATA: return d->iedata;
	case R_IEADDR: return d->ieaddr;
	case R_IEUADDR: return d->ieuaddr;
	case R_IQERCD: return d->iqercd;
	case R_IRTA: return d->irta;
	default: return 0;
	}
}

static void dmar_write(void *ctx, u32 off, unsigned int width, u64 val)
{
	struct fake_dmar *d = ctx;
	unsigned int fro = cap_fro(d), iro = ecap_iro(d);
	unsigned int w = reg_width(d, off);

	if (w != width) {
		protocol_error(d, w ? "write of wrong width" :
				      "write to unknown register", off, val);
		if (!w)
			return;
	}
	if (off >= fro && off < fro + 16 * cap_nfr(d)) {
		if ((off - fro) % 16 == 8 && (val >> 63)) {	/* F is W1C */
			d->frcd[(off - fro) / 16][1] &= ~(1ULL << 63);
			update_ppf(d);
		}
		return;
	}
	if (off == iro) {
		d->iva = val;
		return;
	}
	if (off == iro + 8) {
		iotlb_write(d, val);
		return;
	}
	switch (off) {
	case R_GCMD: gcmd_write(d, (u32)val); break;
	case R_RTADDR: d->rtaddr = val; break;
	case R_CCMD: ccmd_write(d, val); break;
	case R_FSTS: d->fsts &= ~((u32)val & FS_W1C); break;
	case R_FECTL:
		d->fectl = (d->fectl & EC_IP) | ((u32)val & EC_IM);
		if (!(d->fectl & EC_IM) && (d->fectl & EC_IP))
			fault_event(d);
		break;
	case R_FEDATA: d->fedata = (u32)val; break;
	case R_FEADDR: d->feaddr = (u32)val; break;
	case R_FEUADDR: d->feuaddr = (u32)val; break;
	case R_IQT: d->iqt = val & 0x7fff0ULL; process_queue(d); break;
	case R_IQA: d->iqa = val; break;
	case R_ICS: d->ics &= ~((u32)val & 1); break;
	case R_IECTL:
		d->iectl = (d->iectl & EC_IP) | ((u32)val & EC_IM);
		if (!(d->iectl & EC_IM) && (d->iectl & EC_IP)) {
			d->iectl &= ~EC_IP;
			d->inv_events++;
		}
		break;
	case R_IEDATA: d->iedata = (u32)val; break;
	case R_IEADDR: d->ieaddr = (u32)val; break;
	case R_IEUADDR: d->ieuaddr = (u32)val; break;
	case R_IRTA: d->irta = val; break;
	default:
		protocol_error(d, "write to read-only register", off, val);
		break;
	}
}

static const struct fake_mmio_ops dmar_ops = {
	.read = dmar_read,
	.write = dmar_write,
};

int fake_dmar_init(struct fake_dmar *d, u64 base, u64 cap, u64 ecap)
{
	/* A model re-initialised without fake_dmar_fini(): free its lines. */
	if (d->lines_owner == d)
		free(d->lines);
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->ver = 0x10;
	d->cap = cap;
	d->ecap = ecap;
	d->fectl = EC_IM;
	d->iectl = EC_IM;
	fake_dmar_xlate_init(d);
	return fake_mmio_register(base, FAKE_DMAR_REG_SIZE, &dmar_ops, d);
}

void fake_dmar_fini(struct fake_dmar *d)
{
	fake_dmar_xlate_fini(d);
	fake_mmio_unregister(d->base);
}

void fake_dmar_log_clear(struct fake_dmar *d)
{
	d->log_len = 0;
}
