/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoding of a remapping unit's Version, Capability and Extended
 * Capability registers [VT-d 11.4.1-11.4.3] into named capabilities.
 */
#pragma once

#include <hal/types.h>

/**
 * vtd_caps_describe() - Write a human-readable decoding of @cap and @ecap
 * into @buf: one "NAME=value" token per field (single-bit capabilities
 * listed by name when set), separated by spaces, NUL-terminated and
 * truncated to @size.
 *
 * Return: the length the full text needs, excluding the NUL.
 */
size_t vtd_caps_describe(u64 cap, u64 ecap, char *buf, size_t size);

/**
 * vtd_caps_log() - Log the version @ver and the decoded @cap and @ecap
 * through hal_log(HAL_LOG_INFO), several named fields per line, each
 * with its meaning (for example "SAGAW=0x6 (39-bit 48-bit)").
 */
void vtd_caps_log(u32 ver, u64 cap, u64 ecap);
