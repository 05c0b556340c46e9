// SPDX-License-Identifier: BSD-2-Clause
/*
 * Device slots: per unit, a page of 256 bus pointers, each to a block of
 * 256 struct vtd_dev allocated on the bus's first use, under ctx_lock.
 */
#include <hal/hal.h>

#include "dev.h"
#include "pasid_table.h"

int vtd_dev_map_init(struct vtd_unit *u)
{
	u->devs = hal_page_alloc(0);
	return u->devs ? 0 : VTD_ERR(-ENOMEM);
}

/* Free every slot block and the PASID directories they hold. */
void vtd_dev_map_fini(struct vtd_unit *u)
{
	unsigned int bus, devfn;

	if (!u->devs) {
		return;
	}
	for (bus = 0; bus < 256; bus++) {
		if (!u->devs->bus[bus]) {
			continue;
		}
		for (devfn = 0; devfn < 256; devfn++) {
			vtd_pasid_dir_free(&u->devs->bus[bus][devfn]);
		}
		hal_page_free(u->devs->bus[bus], VTD_BUS_DEVS_ORDER);
	}
	hal_page_free(u->devs, 0);
	u->devs = NULL;
}

/* @sid's slot, or NULL before its bus was first used. */
struct vtd_dev *vtd_dev_slot_locked(struct vtd_unit *u, u16 sid)
{
	struct vtd_dev *b = u->devs->bus[vtd_sid_bus(sid)];

	hal_lock_assert_held(&u->ctx_lock);
	return b ? &b[vtd_sid_devfn(sid)] : NULL;
}

/*
 * @sid's slot, allocating its bus's block (@new_bus says so, for
 * vtd_dev_bus_free_locked() on a failed attach); NULL: no memory.
 */
struct vtd_dev *vtd_dev_slot_alloc_locked(struct vtd_unit *u, u16 sid,
					  bool *new_bus)
{
	u8 bus = vtd_sid_bus(sid);

	hal_lock_assert_held(&u->ctx_lock);
	*new_bus = false;
	if (!u->devs->bus[bus]) {
		u->devs->bus[bus] = hal_page_alloc(VTD_BUS_DEVS_ORDER);
		if (!u->devs->bus[bus]) {
			return NULL;
		}
		*new_bus = true;
	}
	return &u->devs->bus[bus][vtd_sid_devfn(sid)];
}

/* Give back a bus block that a failed attach allocated (all slots idle). */
void vtd_dev_bus_free_locked(struct vtd_unit *u, u8 bus)
{
	hal_lock_assert_held(&u->ctx_lock);
	hal_page_free(u->devs->bus[bus], VTD_BUS_DEVS_ORDER);
	u->devs->bus[bus] = NULL;
}
