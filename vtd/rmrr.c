// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reserved memory regions [VT-d 8.4]: the RMRRs whose device scope names
 * a device are identity-mapped into the domain it is attached to, before
 * the attach, and stay mapped (and unmappable) while the domain lives.
 */
#include <hal/hal.h>
#include <vtd/domain.h>

#include "domain_impl.h"

/* Does one of @r's scopes name @sid (resolving bridges with @bus_fn)? */
static bool rmrr_names(const struct vtd_dmar_rmrr *r, u16 sid,
		       vtd_dmar_bus_fn bus_fn, void *bus_ctx)
{
	u32 j;

	for (j = 0; j < r->scope_count; j++) {
		/*
		 * Deeper paths need the bridges' bus numbers, which only the
		 * caller's PCI enumeration knows (bus_fn).
		 */
		if (vtd_dmar_scope_sid(&r->scopes[j], r->segment, bus_fn,
				       bus_ctx) == (int)sid) {
			return true;
		}
	}
	return false;
}

int vtd_rmrr_map(struct vtd_domain *d, const struct vtd_unit *u, u16 sid,
		 const struct vtd_dmar *dmar, vtd_dmar_bus_fn bus_fn,
		 void *bus_ctx)
{
	const struct vtd_dmar_rmrr *r;
	u64 size;
	int ret = 0;
	u32 i;

	if (!d || !u || !dmar) {
		return VTD_ERR(-EINVAL);
	}
	if (!vtd_domain_has_table(d)) {
		return 0;		/* pass-through maps everything */
	}
	hal_spin_lock(&d->lock);
	for (i = 0; i < dmar->rmrr_count && !ret; i++) {
		r = &dmar->rmrrs[i];
		size = r->limit - r->base + 1;
		if (r->segment != u->segment ||
		    !rmrr_names(r, sid, bus_fn, bus_ctx) ||
		    vtd_domain_is_reserved_locked(d, r->base, size)) {
			continue;
		}
		ret = vtd_domain_rsv_room_locked(d);
		if (!ret) {
			ret = vtd_domain_map_locked(d, vtd_iova_init(r->base),
						    hal_paddr_init(r->base),
						    size, VTD_PROT_READ |
						    VTD_PROT_WRITE);
		}
		/* @d already maps part of the range: not "in use". */
		if (ret == -EBUSY) {
			ret = VTD_ERR(-EEXIST);
		}
		if (!ret) {
			vtd_domain_rsv_add_locked(d, r->base, size);
		}
	}
	hal_spin_unlock(&d->lock);
	return ret;
}
