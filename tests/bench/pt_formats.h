/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The page tables under benchmark, second-level or first-level as
 * pt_fl_rows says, behind one switch rather than an indirect call (the
 * timed loops of bench_pt_sl.c call these per page). Shared by
 * bench_pt_sl.c (times) and bench_counts.c (table lines), which measure
 * the same operations on the same geometry: 4 levels, 46-bit host
 * addresses, every large page the format has, coherent.
 */
#pragma once

#include <hal/hal.h>
#include <vtd/pt_fl.h>
#include <vtd/pt_sl.h>

#define PT_RW	(VTD_PROT_READ | VTD_PROT_WRITE)

static bool pt_fl_rows;		/* first-level, else second-level */
static struct vtd_sl_pt pt_sl;
static struct vtd_iotlb_gather pt_sl_g;
static struct vtd_fl_pt pt_fl;
static struct vtd_fl_gather pt_fl_g;

static inline int pt_new(void)
{
	struct vtd_sl_pt_config c = {
		.aw = 48, .haw = 46,
		.large_pages = VTD_SL_PT_LP_2M | VTD_SL_PT_LP_1G,
		.coherent = true,
	};
	struct vtd_fl_pt_config fc = {
		.levels = 4, .haw = 46, .large_pages = VTD_FL_PT_LP_1G,
		.coherent = true,
	};

	vtd_sl_pt_gather_init(&pt_sl_g);
	vtd_fl_pt_gather_init(&pt_fl_g);
	return pt_fl_rows ? vtd_fl_pt_init(&pt_fl, &fc) :
			    vtd_sl_pt_init(&pt_sl, &c);
}

static inline int pt_map(u64 va, u64 pa, u64 size)
{
	if (pt_fl_rows)
		return vtd_fl_pt_map(&pt_fl, vtd_iova_init(va),
				     hal_paddr_init(pa), size, PT_RW);
	return vtd_sl_pt_map(&pt_sl, vtd_iova_init(va), hal_paddr_init(pa),
			     size, PT_RW, NULL);
}

static inline int pt_unmap(u64 va, u64 size)
{
	if (pt_fl_rows)
		return vtd_fl_pt_unmap(&pt_fl, vtd_iova_init(va), size,
				       &pt_fl_g);
	return vtd_sl_pt_unmap(&pt_sl, vtd_iova_init(va), size, &pt_sl_g);
}

static inline void pt_release(void)
{
	if (pt_fl_rows)
		vtd_fl_pt_gather_release(&pt_fl_g);
	else
		vtd_sl_pt_gather_release(&pt_sl_g);
}

static inline void pt_free(void)
{
	pt_release();
	if (pt_fl_rows)
		vtd_fl_pt_destroy(&pt_fl);
	else
		vtd_sl_pt_destroy(&pt_sl);
}

static inline hal_paddr_t pt_root(void)
{
	return pt_fl_rows ? pt_fl.root_pa : pt_sl.root_pa;
}

static inline unsigned int pt_levels(void)
{
	return pt_fl_rows ? pt_fl.levels : pt_sl.levels;
}
