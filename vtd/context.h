/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Root and context tables (private) [VT-d 9.1-9.4]: where a source ID's
 * context entry lives, in legacy mode (one table of 256 entries per bus)
 * and in scalable mode (a lower and an upper table of 128 entries per
 * bus), and linking new context tables under the root table. The caller
 * holds the unit's ctx_lock for anything that changes the tables; the
 * lookups are single READ_ONCE loads and may run without it (walk.c).
 */
#pragma once

#include <hal/types.h>

#include "flush.h"
#include <vtd/hw/tables.h>
#include "unit.h"

void *vtd_ctx_table(const struct vtd_unit *u, u8 bus, u8 devfn);
void vtd_ctx_table_link_locked(struct vtd_unit *u, u8 bus, u8 devfn,
			       void *table, struct vtd_flush_set *f);
struct vtd_ctx_entry *vtd_ctx_legacy(const struct vtd_unit *u, u16 sid);
struct vtd_sm_ctx_entry *vtd_ctx_sm(const struct vtd_unit *u, u16 sid);
void vtd_ctx_free_all(struct vtd_unit *u);
