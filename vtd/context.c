// SPDX-License-Identifier: BSD-2-Clause
/*
 * Root and context tables [VT-d 9.1-9.4]: the root table (one page,
 * indexed by bus) points to context tables, one per bus in legacy mode,
 * a lower (devfn 0-127) and an upper (128-255) one in scalable mode.
 */
#include <hal/hal.h>

#include "context.h"

static u64 *root_lo(const struct vtd_unit *u, u8 bus)
{
	return &u->root[2 * bus];
}

static u64 *root_hi(const struct vtd_unit *u, u8 bus)
{
	return &u->root[2 * bus + 1];
}

/*
 * The context table page that holds @devfn's entry, or NULL when the
 * root entry does not point to one. Legacy: one table per bus [VT-d
 * 9.1]; scalable: lower (devfn < 128) and upper tables [VT-d 9.2].
 */
void *vtd_ctx_table(const struct vtd_unit *u, u8 bus, u8 devfn)
{
	u64 e;

	if (!u->scalable) {
		e = READ_ONCE(*root_lo(u, bus));
		if (!(e & VTD_ROOT_LO_P)) {
			return NULL;
		}
		return hal_phys_to_virt(hal_paddr_init(e & VTD_ROOT_LO_CTP));
	}
	if (devfn < VTD_SM_CTX_ENTRIES) {
		e = READ_ONCE(*root_lo(u, bus));
		if (!(e & VTD_SM_ROOT_LO_LP)) {
			return NULL;
		}
		return hal_phys_to_virt(hal_paddr_init(e &
						       VTD_SM_ROOT_LO_LCTP));
	}
	e = READ_ONCE(*root_hi(u, bus));
	if (!(e & VTD_SM_ROOT_HI_UP)) {
		return NULL;
	}
	return hal_phys_to_virt(hal_paddr_init(e & VTD_SM_ROOT_HI_UCTP));
}

/*
 * Link a new, zeroed context table into the root entry of @bus: the
 * table reaches memory whole before the root entry points to it.
 */
void vtd_ctx_table_link_locked(struct vtd_unit *u, u8 bus, u8 devfn,
			       void *table, struct vtd_flush_set *f)
{
	u64 pa = hal_paddr_val(hal_virt_to_phys(table));

	hal_lock_assert_held(&u->ctx_lock);
	vtd_flush_add(f, table, HAL_PAGE_SIZE);
	vtd_flush_commit(f);
	if (!u->scalable) {
		WRITE_ONCE(*root_lo(u, bus), (pa & VTD_ROOT_LO_CTP) |
					     VTD_ROOT_LO_P);
		vtd_flush_add(f, root_lo(u, bus), 8);
	} else if (devfn < VTD_SM_CTX_ENTRIES) {
		WRITE_ONCE(*root_lo(u, bus), (pa & VTD_SM_ROOT_LO_LCTP) |
					     VTD_SM_ROOT_LO_LP);
		vtd_flush_add(f, root_lo(u, bus), 8);
	} else {
		WRITE_ONCE(*root_hi(u, bus), (pa & VTD_SM_ROOT_HI_UCTP) |
					     VTD_SM_ROOT_HI_UP);
		vtd_flush_add(f, root_hi(u, bus), 8);
	}
}

/* [VT-d 9.3] @sid's legacy context entry, or NULL without a table. */
struct vtd_ctx_entry *vtd_ctx_legacy(const struct vtd_unit *u, u16 sid)
{
	struct vtd_ctx_entry *t = vtd_ctx_table(u, vtd_sid_bus(sid), 0);

	return t ? &t[vtd_sid_devfn(sid)] : NULL;
}

/* [VT-d 9.4] @sid's scalable-mode context entry, or NULL without one. */
struct vtd_sm_ctx_entry *vtd_ctx_sm(const struct vtd_unit *u, u16 sid)
{
	u8 devfn = vtd_sid_devfn(sid);
	struct vtd_sm_ctx_entry *t = vtd_ctx_table(u, vtd_sid_bus(sid), devfn);

	return t ? &t[devfn % VTD_SM_CTX_ENTRIES] : NULL;
}

/* Free every context table and clear the root table (unit teardown). */
void vtd_ctx_free_all(struct vtd_unit *u)
{
	unsigned int bus;
	void *t;

	if (!u->root) {
		return;
	}
	for (bus = 0; bus < 256; bus++) {
		t = vtd_ctx_table(u, (u8)bus, 0);
		if (t) {
			hal_page_free(t, 0);
		}
		if (u->scalable) {
			t = vtd_ctx_table(u, (u8)bus, VTD_SM_CTX_ENTRIES);
			if (t) {
				hal_page_free(t, 0);
			}
		}
		u->root[2 * bus] = 0;
		u->root[2 * bus + 1] = 0;
	}
}
