/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Permissions of a mapping: the one flag set of domains, second-level and
 * first-level page tables and the software walk. READ and WRITE are the
 * R and W bits of second-level entries [VT-d 9.8] and P (implied) and
 * R/W of first-level ones [VT-d 9.7]; EXEC (XD clear) and USER (U/S set)
 * exist in first-level entries only.
 */
#pragma once

#define VTD_PROT_READ		(1U << 0)
#define VTD_PROT_WRITE		(1U << 1)
#define VTD_PROT_EXEC		(1U << 2)	/* first-level: XD = 0 */
#define VTD_PROT_USER		(1U << 3)	/* first-level: U/S = 1 */
