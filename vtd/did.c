// SPDX-License-Identifier: BSD-2-Clause
/*
 * Domain IDs [VT-d 3.5, 11.4.2]: a unit tags the cache entries of each
 * domain with a domain ID of CAP.ND's width; this is that ID space, a
 * bitmap under the unit's ctx_lock. ID 0 is never handed out [VT-d
 * 6.1: under caching mode the unit tags not-present entries with 0].
 */
#include <hal/hal.h>
#include <vtd/vtd.h>

#include "unit.h"

int vtd_did_init(struct vtd_unit *u)
{
	u64 map_bytes;

	/* [VT-d 11.4.2] ND: 2^(4 + 2 * ND) domain IDs; 7 is reserved. */
	if (FIELD_GET(VTD_CAP_ND, u->cap) > 6) {
		return VTD_ERR(-EOPNOTSUPP);
	}
	u->did_count = 1U << (4 + 2 * FIELD_GET(VTD_CAP_ND, u->cap));
	map_bytes = HAL_ALIGN_UP((u64)u->did_count / 8, HAL_PAGE_SIZE);
	u->did_map_order = 0;
	while ((HAL_PAGE_SIZE << u->did_map_order) < map_bytes) {
		u->did_map_order++;
	}
	u->did_map = hal_page_alloc(u->did_map_order);
	if (!u->did_map) {
		return VTD_ERR(-ENOMEM);
	}
	u->did_map[0] = 1;
	return 0;
}

void vtd_did_fini(struct vtd_unit *u)
{
	if (u->did_map) {
		hal_page_free(u->did_map, u->did_map_order);
	}
	u->did_map = NULL;
}

int vtd_did_alloc_locked(struct vtd_unit *u)
{
	u32 w, words = (u->did_count + 63) / 64;
	u64 free;

	hal_lock_assert_held(&u->ctx_lock);
	for (w = 0; w < words; w++) {
		free = ~u->did_map[w];
		if (u->did_count < 64) {
			free &= (1ULL << u->did_count) - 1;
		}
		if (free) {
			u->did_map[w] |= free & -free;
			return (int)(w * 64 + (u32)__builtin_ctzll(free));
		}
	}
	return VTD_ERR(-ENOSPC);
}

void vtd_did_free_locked(struct vtd_unit *u, u16 did)
{
	hal_lock_assert_held(&u->ctx_lock);
	if (did && did < u->did_count) {
		u->did_map[did / 64] &= ~(1ULL << (did % 64));
	}
}

/* The public calls take the lock: the unit's ID space, in this file. */
int vtd_unit_did_alloc(struct vtd_unit *u)
{
	int did;

	hal_spin_lock(&u->ctx_lock);
	did = vtd_did_alloc_locked(u);
	hal_spin_unlock(&u->ctx_lock);
	return did;
}

void vtd_unit_did_free(struct vtd_unit *u, u16 did)
{
	hal_spin_lock(&u->ctx_lock);
	vtd_did_free_locked(u, did);
	hal_spin_unlock(&u->ctx_lock);
}
