/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The first-level format as the page-table engine (pt_engine.h) takes
 * it, instantiated here once for every user (private): pt_fl.c and the
 * guest shadows (shadow.c) build and free tables with the same code, so
 * that a gather of either is released by vtd_fl_pt_gather_release().
 * Include it once per translation unit; unused template functions are
 * allowed.
 */
#pragma once

#include <hal/types.h>
#include <vtd/hw/tables.h>
#include <vtd/pt_fl.h>

/* Input space of @levels: 2^48 or 2^57 folded addresses. */
static u64 fold_mask(unsigned int levels)
{
	return (1ULL << (12 + VTD_FL_LEVEL_STRIDE * levels)) - 1;
}

/* Canonical form of folded address @a (sign-extend the top bit). */
static u64 unfold(unsigned int levels, u64 a)
{
	unsigned int bits = 12 + VTD_FL_LEVEL_STRIDE * levels;

	return (u64)((s64)(a << (64 - bits)) >> (64 - bits));
}

static bool canonical(unsigned int levels, u64 va)
{
	return unfold(levels, va & fold_mask(levels)) == va;
}

/* ---- Format: first-level entries [VT-d 9.7], for pt_engine.h ----------- */

#define PT_TREE			struct vtd_fl_pt
#define PT_TABLE		struct vtd_fl_table
#define PT_GATHER		struct vtd_fl_gather
#define PT_ENTRIES		VTD_FL_TABLE_ENTRIES
#define PT_LEVELS_MAX		VTD_FL_LEVELS_MAX
#define PT_LEVEL_STRIDE		VTD_FL_LEVEL_STRIDE
#define PT_PTE_ADDR		VTD_FL_PTE_ADDR
/*
 * [VT-d 9.7] Leaves: PS set above level 1; in a PTE bit 7 is PAT, so a
 * split clears it there. PAT itself is never set by this library.
 */
#define PT_PTE_PS		VTD_FL_PTE_PS
/* Non-leaf entries: P, R/W, U/S and A, XD clear; the leaf decides. */
#define PT_PTE_TABLE		(VTD_FL_PTE_P | VTD_FL_PTE_RW | \
				 VTD_FL_PTE_US | VTD_FL_PTE_A)
/*
 * The deferred-free list lives in bits 58:52, ignored at every level
 * whatever CR4.PKE (bits 62:59 are protection keys in leaves)
 * [VT-d 9.7, SDM 3A Tables 4-15..4-20]; see pt_link.h.
 */
#define PT_PTE_LINK		VTD_FL_PTE_IGN_HI
/*
 * The count of present entries in the table below a non-leaf entry
 * (pt_engine.h): ten of the bits such entries ignore. It shares bits
 * 58:52 with the link, which only detached tables carry.
 */
#define PT_PTE_COUNT		GENMASK_ULL(61, 52)
_Static_assert((PT_PTE_COUNT & ~VTD_FL_PTE_IGN_NONLEAF) == 0,
	       "the count lies in bits that non-leaf entries ignore");
#define PT_MERGE		0
#define PT_PRESENT(pte)		vtd_fl_pte_present(pte)
#define PT_IS_LEAF(pte, level)	vtd_fl_pte_is_leaf(pte, level)
#define PT_LEVEL_SIZE(level)	vtd_fl_level_size(level)
#define PT_LEVEL_INDEX(a, level) vtd_fl_level_index(a, level)
#define PT_READ(p)		vtd_fl_pte_read(p)
#define PT_WRITE(p, v)		vtd_fl_pte_write(p, v)
#define PT_UNFOLD(g, a)		unfold((g)->levels, a)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "pt_engine.h"
#pragma GCC diagnostic pop
