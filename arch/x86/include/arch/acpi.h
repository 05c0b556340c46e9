/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ACPI table discovery for the test kernel: the RSDP [ACPI 5.2.5] from a
 * Multiboot2 ACPI tag or from the BIOS areas, then the RSDT or XSDT
 * [ACPI 5.2.7, 5.2.8], with every checksum verified, and lookup of
 * tables by signature. Tables are used in place (identity-mapped).
 */
#pragma once

#include <hal/compiler.h>
#include <hal/types.h>

/* [ACPI 5.2.5.3] Root System Description Pointer. */
struct x86_acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	u8 checksum;			/* bytes 0..19 sum to zero */
	char oem_id[6];
	u8 revision;			/* 0: ACPI 1.0, 2: 2.0 and later */
	u32 rsdt_address;
	u32 length;			/* revision >= 2 from here */
	u64 xsdt_address;
	u8 extended_checksum;		/* all @length bytes sum to zero */
	u8 reserved[3];
} __packed;
_Static_assert(sizeof(struct x86_acpi_rsdp) == 36, "ACPI 5.2.5.3");

#define X86_ACPI_RSDP_V1_LEN	20

/* [ACPI 5.2.6] System Description Table Header. */
struct x86_acpi_header {
	char signature[4];
	u32 length;			/* including this header */
	u8 revision;
	u8 checksum;			/* all @length bytes sum to zero */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;
_Static_assert(sizeof(struct x86_acpi_header) == 36, "ACPI 5.2.6");

/**
 * x86_acpi_init() - Find and check the RSDP and its RSDT or XSDT.
 * @rsdp_copy: the RSDP copy from a Multiboot2 ACPI tag [MB2 3.6.15-16],
 *	or NULL to scan the first KiB of the EBDA and 0xE0000-0xFFFFF.
 *
 * Return: 0; -ENOENT when no valid RSDP is found; -EBADMSG when the
 * RSDT/XSDT has a bad signature, length or checksum.
 */
int x86_acpi_init(const struct x86_acpi_rsdp *rsdp_copy);

/** x86_acpi_rsdp() - The RSDP in use, or NULL before a successful init. */
const struct x86_acpi_rsdp *x86_acpi_rsdp(void);

/**
 * x86_acpi_find() - The @instance'th (from 0) table with signature @sig
 * whose length and checksum are valid; tables that fail the check are
 * logged and skipped.
 *
 * Return: the table, or NULL.
 */
const struct x86_acpi_header *x86_acpi_find(const char sig[4], u32 instance);

/** x86_acpi_sum() - 8-bit sum of @len bytes (0 for a valid checksum). */
u8 x86_acpi_sum(const void *p, size_t len);
