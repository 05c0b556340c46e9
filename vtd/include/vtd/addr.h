/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Typed device-side addresses (house style 3.3, after Hafnium's addr.h).
 * An IOVA is what a device puts on the bus and what the second-level
 * tables translate [VT-d 3.7]; it is a one-member struct so that passing
 * a host physical address (hal_paddr_t) or a plain integer where an IOVA
 * belongs is a compile error.
 */
#pragma once

#include <hal/types.h>

/* Device-visible I/O virtual address (input of DMA remapping). */
typedef struct {
	u64 iova;
} vtd_iova_t;

static inline vtd_iova_t vtd_iova_init(u64 iova)
{
	return (vtd_iova_t){ .iova = iova };
}

static inline u64 vtd_iova_val(vtd_iova_t a)
{
	return a.iova;
}

/*
 * Guest-physical address: the input of the second-level tables in nested
 * translation (PGTT=011), where first-level table pointers and the
 * first-level output are guest-physical [VT-d 3.8].
 */
typedef struct {
	u64 gpa;
} vtd_gpa_t;

static inline vtd_gpa_t vtd_gpa_init(u64 gpa)
{
	return (vtd_gpa_t){ .gpa = gpa };
}

static inline u64 vtd_gpa_val(vtd_gpa_t a)
{
	return a.gpa;
}
