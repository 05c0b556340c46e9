/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoding of a remapping unit's Version, Capability and Extended
 * Capability registers [VT-d 11.4.1-11.4.3] into named capabilities.
 */
#pragma once

#include <hal/types.h>

/**
 * vtd_caps_describe() - Write a human-readable decoding of @cap and @ecap
 * into @buf, one token per field, separated by spaces:
 *  - single-bit capabilities by their spec name when set ("QI", "SMTS");
 *  - multi-bit fields as NAME=value, with the meaning in parentheses where
 *    the value is an encoding: "ND=6 (65536 domains)", "SAGAW=0x6 (39-bit
 *    48-bit)", "MGAW=48" (the width, field + 1), "FRO=0x220" and
 *    "IRO=0xf0" (byte offsets, field * 16), "NFR=0 (1 FRCD)",
 *    "SSLPS=0x3 (2M 1G)", "MAMV=18", "MHMV=15", "PSS=19 (20-bit PASIDs)";
 *    MAMV, MHMV and PSS only when PSI, IR and SMTS say they are valid;
 *  - set bits that no field of the pinned revision decodes, in hex:
 *    "CAP.RSVD=0x8" or "ECAP.RSVD=0x20".
 * Names are those of the revision pinned in vtd/regs.h (SSLPS, SSTS, FSTS,
 * ...; earlier revisions say SLLPS, SLTS, FLTS). The text is NUL-terminated
 * and truncated to @size; @buf may be NULL when @size is 0.
 *
 * Return: the length the full text needs, excluding the NUL.
 * Context: any.
 */
size_t vtd_caps_describe(u64 cap, u64 ecap, char *buf, size_t size);

/**
 * vtd_caps_log() - Log the version @ver and the decoded @cap and @ecap
 * through hal_log(HAL_LOG_INFO): a line with the raw values, then the
 * tokens of vtd_caps_describe(), several per line, each line holding
 * fields of one register (for example "SAGAW=0x6 (39-bit 48-bit)").
 * Context: any.
 */
void vtd_caps_log(u32 ver, u64 cap, u64 ecap);
