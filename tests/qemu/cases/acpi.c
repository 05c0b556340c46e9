// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of ACPI discovery: a valid RSDP and root table [ACPI 5.2.5],
 * a MADT [ACPI 5.2.12] that names the local APIC the kernel uses, and on
 * QEMU with intel-iommu a DMAR table [VT-d 8.1] with a valid checksum.
 */
#include <hal/bits.h>
#include <hal/types.h>

#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

#define MADT_LAPIC_ADDR_OFFSET	36	/* [ACPI 5.2.12] */
#define APIC_BASE_ADDR		GENMASK_ULL(31, 12)	/* [SDM 3A 10.4.4] */
#define DMAR_MIN_LEN		48	/* [VT-d 8.1] header + HAW/flags */

BOOT_TEST(acpi, rsdp_valid)
{
	const struct x86_acpi_rsdp *r = x86_acpi_rsdp();

	BT_ASSERT(t, r, "no RSDP");
	BT_ASSERT(t, memcmp(r->signature, "RSD PTR ", 8) == 0, "signature");
	BT_ASSERT_EQ(t, x86_acpi_sum(r, X86_ACPI_RSDP_V1_LEN), 0);
	if (r->revision >= 2)
		BT_ASSERT_EQ(t, x86_acpi_sum(r, r->length), 0);
}

BOOT_TEST(acpi, madt_lapic)
{
	const struct x86_acpi_header *madt = x86_acpi_find("APIC", 0);
	u32 lapic;

	BT_ASSERT(t, madt, "no MADT");
	BT_ASSERT(t, madt->length >= MADT_LAPIC_ADDR_OFFSET + 8,
		  "MADT length %u", madt->length);
	BT_ASSERT_EQ(t, x86_acpi_sum(madt, madt->length), 0);
	memcpy(&lapic, (const u8 *)madt + MADT_LAPIC_ADDR_OFFSET, 4);
	BT_ASSERT_EQ(t, lapic, x86_rdmsr(X86_MSR_APIC_BASE) & APIC_BASE_ADDR);
}

BOOT_TEST_F(acpi, dmar_checksum, BOOT_TEST_NEEDS_DMAR)
{
	const struct x86_acpi_header *d = boot_test_dmar();

	BT_ASSERT(t, d, "no DMAR table");
	BT_ASSERT(t, memcmp(d->signature, "DMAR", 4) == 0, "signature");
	BT_ASSERT(t, d->length >= DMAR_MIN_LEN, "DMAR length %u", d->length);
	BT_ASSERT_EQ(t, x86_acpi_sum(d, d->length), 0);
	BT_ASSERT(t, d->revision >= 1, "DMAR revision %u", d->revision);
}
