// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of PCI configuration access: a host bridge at 00:00.0 on any
 * machine; on QEMU q35 the MCH (8086:29c0) and the edu device
 * (1234:11e8) found by enumeration (the first one on bus 0), ECAM at
 * the MCFG address, and ECAM and CF8/CFC reads of every function on bus
 * 0 agreeing [PCIe 7.2.2, PCI 3.2.2.3.2].
 */
#include <hal/bits.h>
#include <hal/types.h>

#include <arch/pci_cfg.h>

#include <boot_test/boot_test.h>

#define PCI_CLASS_HOST_BRIDGE	0x0600		/* [PCI CC 0x06, sub 0x00] */
#define Q35_MCH_ID		0x29c08086	/* device << 16 | vendor */
#define Q35_ECAM_BASE		0xb0000000ULL
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_CLASS		0x00ff

BOOT_TEST(pci, host_bridge_present)
{
	u16 bdf = X86_PCI_BDF(0, 0, 0);
	u32 id = x86_pci_read32(bdf, X86_PCI_VENDOR_ID);
	u32 class_rev = x86_pci_read32(bdf, X86_PCI_CLASS_REV);

	BT_ASSERT(t, (u16)id != 0xffff && (u16)id != 0,
		  "no function at 00:00.0 (id 0x%08x)", id);
	BT_ASSERT_EQ(t, FIELD_GET(X86_PCI_CLASS_CODE, class_rev),
		     PCI_CLASS_HOST_BRIDGE);
}

BOOT_TEST_F(pci, q35_host_bridge, BOOT_TEST_NEEDS_DMAR)
{
	u16 bdf;

	BT_ASSERT_EQ(t, x86_pci_read32(X86_PCI_BDF(0, 0, 0), X86_PCI_VENDOR_ID),
		     Q35_MCH_ID);
	BT_ASSERT_OK(t, x86_pci_find(0x8086, 0x29c0, 0, &bdf));
	BT_ASSERT_EQ(t, bdf, X86_PCI_BDF(0, 0, 0));
}

BOOT_TEST_F(pci, finds_edu, BOOT_TEST_NEEDS_DMAR)
{
	u16 bdf, other;
	u32 bar0;

	BT_ASSERT_OK(t, x86_pci_find(EDU_VENDOR, EDU_DEVICE, 0, &bdf));
	BT_ASSERT_EQ(t, x86_pci_read16(bdf, X86_PCI_DEVICE_ID), EDU_DEVICE);
	BT_ASSERT_EQ(t, FIELD_GET(X86_PCI_CLASS_CODE,
				  x86_pci_read32(bdf, X86_PCI_CLASS_REV)),
		     EDU_CLASS);
	/* [PCI 6.2.5.1] A 32-bit memory BAR, assigned by the firmware. */
	bar0 = x86_pci_read32(bdf, X86_PCI_BAR0);
	BT_ASSERT(t, !(bar0 & X86_PCI_BAR_IO) &&
		     FIELD_GET(X86_PCI_BAR_MEM_TYPE, bar0) == 0,
		  "BAR0 0x%08x is not a 32-bit memory BAR", bar0);
	BT_ASSERT(t, (bar0 & X86_PCI_BAR_MEM_ADDR) != 0, "BAR0 not assigned");
	/*
	 * The runner adds one edu on bus 0, the first found, which the DMA
	 * cases use, and at most one more behind a bridge (dmar_bridge).
	 */
	BT_ASSERT_EQ(t, X86_PCI_BUS(bdf), 0);
	if (x86_pci_find(EDU_VENDOR, EDU_DEVICE, 1, &other) == 0) {
		BT_ASSERT(t, X86_PCI_BUS(other) != 0,
			  "a second edu on bus 0 at 00:%02x.%x",
			  X86_PCI_DEV(other), X86_PCI_FN(other));
	}
	BT_ASSERT(t, x86_pci_find(EDU_VENDOR, EDU_DEVICE, 2, &other) != 0,
		  "a third edu at %02x:%02x.%x", X86_PCI_BUS(other),
		  X86_PCI_DEV(other), X86_PCI_FN(other));
}

BOOT_TEST_F(pci, ecam_matches_cf8, BOOT_TEST_NEEDS_DMAR)
{
	/* Registers that do not change between two reads. */
	static const u16 regs[] = { 0x00, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c,
				    0x20, 0x24, 0x2c, 0x34, 0x3c };
	u32 dev, fn, i, compared = 0;

	BT_ASSERT_EQ(t, x86_pci_ecam_base(), Q35_ECAM_BASE);
	for (dev = 0; dev < 32; dev++) {
		for (fn = 0; fn < 8; fn++) {
			u16 bdf = X86_PCI_BDF(0, dev, fn);

			for (i = 0; i < ARRAY_SIZE(regs); i++) {
				u32 e = 0, c = 0;

				BT_ASSERT_OK(t, x86_pci_read32_via(
					X86_PCI_MECH_ECAM, bdf, regs[i], &e));
				BT_ASSERT_OK(t, x86_pci_read32_via(
					X86_PCI_MECH_CF8, bdf, regs[i], &c));
				BT_ASSERT(t, e == c,
					  "00:%02x.%x reg 0x%02x: ECAM 0x%08x, "
					  "CF8 0x%08x", dev, fn, regs[i], e, c);
				if (i == 0 && (u16)e == 0xffff)
					break;
				compared++;
			}
		}
	}
	/* At least the MCH, the LPC/SATA/SMBus functions and edu. */
	BT_ASSERT(t, compared >= 4 * ARRAY_SIZE(regs),
		  "only %u registers compared", compared);
}
