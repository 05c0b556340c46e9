// SPDX-License-Identifier: BSD-2-Clause
/*
 * Context-cache, IOTLB and interrupt-entry-cache invalidation [VT-d 6.5]:
 * through the invalidation queue when it is enabled, through the CCMD and
 * IOTLB registers [VT-d 6.5.1, 11.4.6] otherwise.
 */
#include <hal/hal.h>

#include "inv.h"
#include "psi.h"
#include <vtd/hw/tables.h>
#include "unit.h"

/* [VT-d 6.5.5] Drain reads and writes where the unit can. */
static bool drain_reads(const struct vtd_unit *u)
{
	return u->cap & VTD_CAP_DRD;
}

static bool drain_writes(const struct vtd_unit *u)
{
	return u->cap & VTD_CAP_DWD;
}

/*
 * [VT-d 6.5.1.1] Register-based context-cache invalidation: write CCMD
 * with ICC set and poll until the unit clears it; CAIG 0 means refused.
 */
static int ccmd_locked(struct vtd_unit *u, u64 cmd)
{
	int ret;

	hal_lock_assert_held(&u->lock);
	vtd_write64(u, VTD_CCMD_REG, cmd | VTD_CCMD_ICC);
	ret = vtd_reg_wait64(u, VTD_CCMD_REG, VTD_CCMD_ICC, 0);
	if (ret)
		return ret;
	if (FIELD_GET(VTD_CCMD_CAIG, vtd_read64(u, VTD_CCMD_REG)) ==
	    VTD_CCMD_G_ERROR)
		return VTD_ERR(-EIO);
	return 0;
}

/* [VT-d 6.5.1.2] Register-based IOTLB invalidation, IVA first for PSI. */
static int iotlb_reg_locked(struct vtd_unit *u, u64 cmd, u64 iva)
{
	u32 off = vtd_regs_iro_offset(u->ecap);
	int ret;

	hal_lock_assert_held(&u->lock);
	if (FIELD_GET(VTD_IOTLB_IIRG, cmd) == VTD_IOTLB_G_PAGE)
		vtd_write64(u, off + VTD_IVA_OFF, iva);
	vtd_write64(u, off + VTD_IOTLB_OFF, cmd | VTD_IOTLB_IVT);
	ret = vtd_reg_wait64(u, off + VTD_IOTLB_OFF, VTD_IOTLB_IVT, 0);
	if (ret)
		return ret;
	if (FIELD_GET(VTD_IOTLB_IAIG, vtd_read64(u, off + VTD_IOTLB_OFF)) ==
	    VTD_IOTLB_G_ERROR)
		return VTD_ERR(-EIO);
	return 0;
}

static int ccmd(struct vtd_unit *u, u64 cmd)
{
	int ret;

	hal_spin_lock(&u->lock);
	ret = ccmd_locked(u, cmd);
	hal_spin_unlock(&u->lock);
	return ret;
}

static int iotlb_reg(struct vtd_unit *u, u64 cmd, u64 iva)
{
	int ret;

	hal_spin_lock(&u->lock);
	ret = iotlb_reg_locked(u, cmd, iva);
	hal_spin_unlock(&u->lock);
	return ret;
}

static u64 iotlb_drain_bits(const struct vtd_unit *u)
{
	return (drain_reads(u) ? VTD_IOTLB_DR : 0) |
	       (drain_writes(u) ? VTD_IOTLB_DW : 0);
}

int vtd_inv_context_global(struct vtd_unit *u)
{
	struct vtd_qi_desc d = vtd_qi_cc_global();

	if (!u)
		return VTD_ERR(-EINVAL);
	if (vtd_qi_enabled(u))
		return vtd_qi_submit(u, &d, 1, 0);
	return ccmd(u, FIELD_PREP(VTD_CCMD_CIRG, VTD_CCMD_G_GLOBAL));
}

int vtd_inv_context_domain(struct vtd_unit *u, u16 did)
{
	struct vtd_qi_desc d = vtd_qi_cc_domain(did);

	if (!u)
		return VTD_ERR(-EINVAL);
	if (vtd_qi_enabled(u))
		return vtd_qi_submit(u, &d, 1, 0);
	return ccmd(u, FIELD_PREP(VTD_CCMD_CIRG, VTD_CCMD_G_DOMAIN) |
		       FIELD_PREP(VTD_CCMD_DID, did));
}

int vtd_inv_context_device(struct vtd_unit *u, u16 did, u16 sid, u8 fm)
{
	struct vtd_qi_desc d;

	if (!u || fm > 3)
		return VTD_ERR(-EINVAL);
	d = vtd_qi_cc_device(did, sid, fm);
	if (vtd_qi_enabled(u))
		return vtd_qi_submit(u, &d, 1, 0);
	return ccmd(u, FIELD_PREP(VTD_CCMD_CIRG, VTD_CCMD_G_DEVICE) |
		       FIELD_PREP(VTD_CCMD_DID, did) |
		       FIELD_PREP(VTD_CCMD_SID, sid) |
		       FIELD_PREP(VTD_CCMD_FM, fm));
}

int vtd_inv_iotlb_global(struct vtd_unit *u)
{
	struct vtd_qi_desc d;

	if (!u)
		return VTD_ERR(-EINVAL);
	d = vtd_qi_iotlb_global(drain_reads(u), drain_writes(u));
	if (vtd_qi_enabled(u))
		return vtd_qi_submit(u, &d, 1, 0);
	return iotlb_reg(u, FIELD_PREP(VTD_IOTLB_IIRG, VTD_IOTLB_G_GLOBAL) |
			    iotlb_drain_bits(u), 0);
}

int vtd_inv_iotlb_domain(struct vtd_unit *u, u16 did)
{
	struct vtd_qi_desc d;

	if (!u)
		return VTD_ERR(-EINVAL);
	d = vtd_qi_iotlb_domain(did, drain_reads(u), drain_writes(u));
	if (vtd_qi_enabled(u))
		return vtd_qi_submit(u, &d, 1, 0);
	return iotlb_reg(u, FIELD_PREP(VTD_IOTLB_IIRG, VTD_IOTLB_G_DOMAIN) |
			    FIELD_PREP(VTD_IOTLB_DID, did) |
			    iotlb_drain_bits(u), 0);
}

/* Descriptors of one submission that carries device-TLB invalidations. */
#define DEV_TLB_BATCH	16

/*
 * [VT-d 6.5.2.5, 6.5.2.6] Submit the @n IOTLB descriptors in @d, then the
 * device-TLB invalidation of [first, last] (pages) for each of @devs on
 * @u: one aligned block covering the range (S = 1 encodes its size), with
 * PASID @pasid when @with_pasid. The device TLBs come after the IOTLB,
 * so that a device refilling its TLB cannot fetch the stale translation
 * again. Up to DEV_TLB_BATCH - 2 devices share the IOTLB's wait; more
 * take one wait per further DEV_TLB_BATCH.
 */
static int submit_with_dev_tlbs(struct vtd_unit *u, struct vtd_qi_desc *d,
				unsigned int n, u64 first, u64 last,
				const struct vtd_dev_tlb *devs,
				unsigned int ndevs, bool with_pasid, u32 pasid)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ndevs; i++) {
		if (devs[i].u != u) {
			continue;
		}
		if (n == DEV_TLB_BATCH) {
			ret = vtd_qi_submit(u, d, n, 0);
			if (ret) {
				return ret;
			}
			n = 0;
		}
		d[n++] = vtd_inv_dev_tlb_desc(&devs[i], with_pasid, pasid,
					      first, last);
	}
	return vtd_qi_submit(u, d, n, 0);
}

/* Check a range and turn it into page numbers [first, last]. */
static int range_pages(u64 va, u64 size, u64 *first, u64 *last)
{
	if (!size || (va & (HAL_PAGE_SIZE - 1)) || va + size - 1 < va) {
		return VTD_ERR(-EINVAL);
	}
	*first = va >> HAL_PAGE_SHIFT;
	*last = (va + size - 1) >> HAL_PAGE_SHIFT;
	return 0;
}

/*
 * [VT-d 6.5.2.3, 6.5.2.5] The IOTLB for [@iova, @iova + @size) of domain
 * @did: at most two page-selective descriptors from the one range rule
 * (psi.h), or one domain-selective when the unit lacks PSI or a mask
 * would exceed CAP.MAMV; then the TLBs of the @ndevs devices with ATS.
 */
int vtd_inv_range(struct vtd_unit *u, u16 did, vtd_iova_t iova, u64 size,
		  bool leaf_only, const struct vtd_dev_tlb *devs,
		  unsigned int ndevs)
{
	struct vtd_qi_desc d[DEV_TLB_BATCH];
	u64 base[2], first, last;
	unsigned int am[2], n = 0, i, mamv;
	bool dsi;
	int ret = 0;

	if (!u || (ndevs && !devs) ||
	    range_pages(vtd_iova_val(iova), size, &first, &last)) {
		return VTD_ERR(-EINVAL);
	}
	/* [VT-d 6.5.2.5] Device TLBs are reached only through the queue. */
	if (ndevs && !vtd_qi_enabled(u)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	mamv = (unsigned int)FIELD_GET(VTD_CAP_MAMV, u->cap);
	dsi = !(u->cap & VTD_CAP_PSI);
	if (!dsi) {
		n = vtd_psi_cover(first, last, base, am);
		for (i = 0; i < n; i++) {
			dsi |= am[i] > mamv;
		}
	}
	if (!vtd_qi_enabled(u)) {
		if (dsi) {
			return vtd_inv_iotlb_domain(u, did);
		}
		for (i = 0; i < n && !ret; i++) {
			ret = iotlb_reg(u, FIELD_PREP(VTD_IOTLB_IIRG,
						      VTD_IOTLB_G_PAGE) |
					   FIELD_PREP(VTD_IOTLB_DID, did) |
					   iotlb_drain_bits(u),
					(base[i] << HAL_PAGE_SHIFT) |
					FIELD_PREP(VTD_IVA_AM, am[i]) |
					(leaf_only ? VTD_IVA_IH : 0));
		}
		return ret;
	}
	if (dsi) {
		d[0] = vtd_qi_iotlb_domain(did, drain_reads(u),
					   drain_writes(u));
		n = 1;
	} else {
		for (i = 0; i < n; i++) {
			d[i] = vtd_qi_iotlb_page(did, base[i] << HAL_PAGE_SHIFT,
						 (u8)am[i], leaf_only,
						 drain_reads(u),
						 drain_writes(u));
		}
	}
	return submit_with_dev_tlbs(u, d, n, first, last, devs, ndevs, false,
				    0);
}

/*
 * [VT-d 6.5.2.4] The PASID-based IOTLB descriptors for pages [first,
 * last] of (@did, @pasid): at most two page-selective-within-PASID ones
 * from the one range rule (psi.h), or one PASID-selective descriptor when
 * a mask would exceed CAP.MAMV. Returns how many were written to @d.
 */
unsigned int vtd_inv_piotlb_descs(const struct vtd_unit *u, u16 did,
				  u32 pasid, u64 first, u64 last,
				  bool leaf_only, struct vtd_qi_desc *d)
{
	unsigned int am[2], n, i, mamv;
	u64 base[2];

	mamv = (unsigned int)FIELD_GET(VTD_CAP_MAMV, u->cap);
	n = vtd_psi_cover(first, last, base, am);
	for (i = 0; i < n && am[i] <= mamv; i++) {
		d[i] = vtd_qi_piotlb_page(did, pasid, base[i] << HAL_PAGE_SHIFT,
					  (u8)am[i], leaf_only);
	}
	if (i < n) {
		d[0] = vtd_qi_piotlb_pasid(did, pasid);
		n = 1;
	}
	return n;
}

/*
 * [VT-d 6.5.2.5, 6.5.2.6] One device-TLB descriptor for pages [first,
 * last] of @t: the aligned block covering them (S = 1 encodes its size),
 * with @pasid when @with_pasid (requests with PASID filled it), without
 * for the device's requests without PASID.
 */
struct vtd_qi_desc vtd_inv_dev_tlb_desc(const struct vtd_dev_tlb *t,
					bool with_pasid, u32 pasid, u64 first,
					u64 last)
{
	unsigned int order = vtd_psi_block_order(first, last);
	u64 addr = (first >> order) << order << HAL_PAGE_SHIFT;

	if (with_pasid) {
		return vtd_qi_pdev_tlb(t->sid, t->pfsid, t->qdep, pasid, false,
				       addr, order);
	}
	return vtd_qi_dev_tlb(t->sid, t->pfsid, t->qdep, addr, order);
}

/*
 * [VT-d 6.5.2.4, 6.5.2.5, 6.5.2.6] The first-level (and nested) IOTLB
 * entries of (@did, @pasid) for [@va, @va + @size)
 * (vtd_inv_piotlb_descs()), then the TLBs of the @ndevs devices with
 * ATS, behind the same wait. @dev_tlb_pasid: the devices cached the
 * translations under @pasid (requests with PASID: PASID-based device-TLB
 * descriptors); otherwise they are @did's requests without PASID, whose
 * RID_PASID is @pasid (device-TLB descriptors without PASID). The IOTLB
 * descriptor (type 2) does not reach first-level translations [VT-d
 * 6.5.2.3], and this one has no register form: the queue must be enabled.
 */
int vtd_inv_pasid_range(struct vtd_unit *u, u16 did, u32 pasid,
			vtd_iova_t va, u64 size, bool leaf_only,
			const struct vtd_dev_tlb *devs, unsigned int ndevs,
			bool dev_tlb_pasid)
{
	struct vtd_qi_desc d[DEV_TLB_BATCH];
	u64 first, last;
	unsigned int n;

	if (!u || (ndevs && !devs) || pasid >= VTD_PASID_COUNT ||
	    range_pages(vtd_iova_val(va), size, &first, &last)) {
		return VTD_ERR(-EINVAL);
	}
	if (!vtd_qi_enabled(u)) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	n = vtd_inv_piotlb_descs(u, did, pasid, first, last, leaf_only, d);
	return submit_with_dev_tlbs(u, d, n, first, last, devs, ndevs,
				    dev_tlb_pasid, pasid);
}

int vtd_inv_iotlb_range(struct vtd_unit *u, u16 did, vtd_iova_t iova,
			u64 size, bool leaf_only)
{
	return vtd_inv_range(u, did, iova, size, leaf_only, NULL, 0);
}

int vtd_inv_iec_global(struct vtd_unit *u)
{
	struct vtd_qi_desc d = vtd_qi_iec_global();

	if (!u)
		return VTD_ERR(-EINVAL);
	/* [VT-d 6.5.2.7] The interrupt entry cache has no register form. */
	if (!vtd_qi_enabled(u))
		return VTD_ERR(-EOPNOTSUPP);
	return vtd_qi_submit(u, &d, 1, 0);
}
