// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the library's DMAR parser on the firmware table. QEMU's
 * q35 reports one DRHD, at 0xfed90000 in segment 0 [VT-d 8.3], that must
 * cover the edu device: QEMU 7.2 does that with flags 0 and one PCI
 * endpoint device scope [VT-d 8.3.1] per function on bus 0 (measured:
 * not INCLUDE_PCI_ALL), so the case accepts either form but requires
 * that edu and the host bridge are covered, and that QEMU's table needs
 * no leniency (no warning). The same table with one byte changed is
 * refused for its checksum in strict mode and accepted with exactly that
 * warning otherwise, as ACPICA does (docs/FIRMWARE.md).
 */
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/types.h>

#include <vtd/dmar.h>

#include <arch/acpi.h>
#include <arch/pci_cfg.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

#define Q35_DRHD_BASE		0xfed90000ULL
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

/* True when @u covers bus-0 function @bdf, by INCLUDE_PCI_ALL or a scope. */
BOOT_TEST_F(dmar, parse_firmware_table, BOOT_TEST_NEEDS_DMAR)
{
	const struct x86_acpi_header *tbl = boot_test_dmar();
	struct vtd_dmar_error err = { 0 };
	const struct vtd_dmar_drhd *u;
	struct vtd_dmar d;
	u16 edu = 0;
	bool covers_edu, covers_host;
	int ret;

	BT_ASSERT(t, tbl, "no DMAR table");
	BT_ASSERT_OK(t, x86_pci_find(EDU_VENDOR, EDU_DEVICE, 0, &edu));
	ret = vtd_dmar_parse(tbl, tbl->length, CONFIG_VTD_MAX_UNITS,
			     VTD_DMAR_PARSE_STRICT, &d, &err);
	BT_ASSERT(t, ret == 0, "vtd_dmar_parse: %d (%s at offset %u)", ret,
		  vtd_dmar_strerror(err.reason), err.offset);
	if (d.drhd_count != 1) {
		vtd_dmar_free(&d);
		BT_FAIL(t, "%u DRHDs, expected 1", d.drhd_count);
	}
	u = &d.drhds[0];
	covers_edu = vtd_dmar_drhd_for_sid(&d, u->segment, edu, NULL,
					   NULL) == 0;
	covers_host = vtd_dmar_drhd_for_sid(&d, u->segment,
					    X86_PCI_BDF(0, 0, 0), NULL,
					    NULL) == 0;
	if (u->reg_base != Q35_DRHD_BASE || u->segment != 0 || !covers_edu ||
	    !covers_host) {
		boot_test_fail(t, __FILE__, __LINE__,
			       "DRHD at 0x%llx segment %u%s, %u scopes: "
			       "edu %02x:%02x.%x %scovered, 00:00.0 %scovered",
			       (unsigned long long)u->reg_base, u->segment,
			       u->include_pci_all ? " INCLUDE_PCI_ALL" : "",
			       u->scope_count, X86_PCI_BUS(edu),
			       X86_PCI_DEV(edu), X86_PCI_FN(edu),
			       covers_edu ? "" : "not ",
			       covers_host ? "" : "not ");
	}
	vtd_dmar_free(&d);
}

BOOT_TEST_F(dmar, bad_checksum_strict_or_warned, BOOT_TEST_NEEDS_DMAR)
{
	const struct x86_acpi_header *tbl = boot_test_dmar();
	struct vtd_dmar_error err = { 0 };
	struct vtd_dmar d;
	bool warned;
	u8 *copy;
	int ret;

	BT_ASSERT(t, tbl, "no DMAR table");
	BT_ASSERT(t, tbl->length <= HAL_PAGE_SIZE, "DMAR %u bytes",
		  tbl->length);
	copy = hal_page_alloc(0);
	BT_ASSERT(t, copy, "hal_page_alloc failed");
	memcpy(copy, tbl, tbl->length);
	/* Change the OEM revision: only the checksum can catch it. */
	copy[24] ^= 0x5a;
	ret = vtd_dmar_parse(copy, tbl->length, CONFIG_VTD_MAX_UNITS,
			     VTD_DMAR_PARSE_STRICT, &d, &err);
	if (ret == 0) {
		vtd_dmar_free(&d);
	}
	if (ret != -EBADMSG || err.reason != VTD_DMAR_ERR_CHECKSUM) {
		hal_page_free(copy, 0);
		BT_FAIL(t, "strict: %d (%s), expected -EBADMSG (checksum)",
			ret, vtd_dmar_strerror(err.reason));
	}
	ret = vtd_dmar_parse(copy, tbl->length, CONFIG_VTD_MAX_UNITS, 0, &d,
			     &err);
	hal_page_free(copy, 0);
	BT_ASSERT(t, ret == 0, "lenient: %d (%s)", ret,
		  vtd_dmar_strerror(err.reason));
	warned = d.warning_count == 1 &&
		 d.warnings[0].kind == VTD_DMAR_WARN_CHECKSUM &&
		 d.warnings[0].offset == 9 && d.drhd_count == 1 &&
		 d.drhds[0].reg_base == Q35_DRHD_BASE;
	vtd_dmar_free(&d);
	BT_ASSERT(t, warned, "lenient parse without exactly the checksum "
		  "warning");
}
