/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCI configuration space for the test kernel: ECAM [PCIe 7.2.2] at the
 * address the ACPI MCFG table gives [PCI FW 4.1.2], with configuration
 * mechanism #1 (ports 0xCF8/0xCFC) [PCI 3.2.2.3.2] as the fallback for
 * segment 0 when there is no MCFG (Bochs). Devices are named by a 16-bit
 * bus/device/function.
 */
#pragma once

#include <hal/bits.h>
#include <hal/types.h>

#define X86_PCI_BDF(bus, dev, fn) \
	((u16)(((bus) << 8) | ((dev) << 3) | (fn)))
#define X86_PCI_BUS(bdf)	((u8)((bdf) >> 8))
#define X86_PCI_DEV(bdf)	((u8)(((bdf) >> 3) & 0x1f))
#define X86_PCI_FN(bdf)		((u8)((bdf) & 0x7))

/* [PCI 6.1] Type 0/1 configuration header registers used here. */
#define X86_PCI_VENDOR_ID	0x00
#define X86_PCI_DEVICE_ID	0x02
#define X86_PCI_COMMAND		0x04
#define  X86_PCI_COMMAND_MEMORY	BIT(1)		/* Memory Space Enable */
#define  X86_PCI_COMMAND_MASTER	BIT(2)		/* Bus Master Enable */
#define X86_PCI_STATUS		0x06
#define  X86_PCI_STATUS_CAP_LIST BIT(4)		/* Capabilities List */
#define X86_PCI_CLASS_REV	0x08
#define  X86_PCI_CLASS_CODE	GENMASK(31, 16)	/* base class, sub-class */
#define X86_PCI_HEADER_TYPE	0x0e
#define  X86_PCI_HEADER_LAYOUT	GENMASK(6, 0)	/* 0: device, 1: bridge */
#define  X86_PCI_HEADER_MULTI	BIT(7)		/* Multi-Function Device */
#define X86_PCI_BAR0		0x10
/* [PCI 6.2.5.1] Memory BAR: type in bits 2:1 (0: 32-bit), address above. */
#define  X86_PCI_BAR_IO		BIT(0)
#define  X86_PCI_BAR_MEM_TYPE	GENMASK(2, 1)
#define  X86_PCI_BAR_MEM_ADDR	GENMASK(31, 4)
#define X86_PCI_SECONDARY_BUS	0x19		/* type 1 only */
#define X86_PCI_CAP_PTR		0x34
#define  X86_PCI_CAP_PTR_MASK	GENMASK(7, 2)	/* dword aligned */

/* [PCI 6.8.1] MSI capability. */
#define X86_PCI_CAP_ID_MSI	0x05

/* How a configuration access reaches the device. */
enum x86_pci_mech {
	X86_PCI_MECH_ANY,		/* ECAM when present, else CF8 */
	X86_PCI_MECH_ECAM,
	X86_PCI_MECH_CF8,
};

/**
 * x86_pci_init() - Look for ECAM in the ACPI MCFG table (call after
 * x86_acpi_init(); without ACPI or MCFG only CF8 is used) and map it
 * uncached.
 *
 * Return: 0 (CF8 is always available on segment 0).
 */
int x86_pci_init(void);

/** x86_pci_ecam_base() - ECAM base of segment 0, or 0 without MCFG. */
u64 x86_pci_ecam_base(void);

/**
 * x86_pci_read32_via() - Read the dword at @off (4-byte aligned, < 4096;
 * < 256 through CF8) of @bdf through @mech.
 *
 * Return: 0; -ENODEV when @mech is ECAM and there is none or @bdf's bus
 * is outside it; -EINVAL for a bad @off.
 */
int x86_pci_read32_via(enum x86_pci_mech mech, u16 bdf, u16 off, u32 *val);

/* Accesses through X86_PCI_MECH_ANY; a failed read returns all ones. */
u32 x86_pci_read32(u16 bdf, u16 off);
u16 x86_pci_read16(u16 bdf, u16 off);
u8 x86_pci_read8(u16 bdf, u16 off);
void x86_pci_write32(u16 bdf, u16 off, u32 val);
void x86_pci_write16(u16 bdf, u16 off, u16 val);

/**
 * x86_pci_find() - Walk the hierarchy from bus 0 (following bridges) and
 * return the @instance'th (from 0) function with @vendor:@device.
 *
 * Return: 0 with *@bdf set; -ENODEV when there is none.
 */
int x86_pci_find(u16 vendor, u16 device, u32 instance, u16 *bdf);

/**
 * x86_pci_secondary_bus() - Secondary bus number of the PCI-to-PCI bridge
 * at @bus:@dev.@fn of segment @segment, read from its configuration space
 * [PCI-to-PCI Bridge 3.2.5.3]; a vtd_dmar_bus_fn (<vtd/dmar.h>) for
 * resolving device scope paths behind bridges. @ctx is unused.
 *
 * Return: the bus number; -ENODEV when @segment is not 0 (the only one
 * reachable here), @dev or @fn is out of range, there is no function or
 * no type-1 header there, or the bridge's secondary bus is not assigned
 * (not above @bus).
 */
int x86_pci_secondary_bus(void *ctx, u16 segment, u8 bus, u8 dev, u8 fn);

/**
 * x86_pci_find_cap() - Offset of capability @id in @bdf's list, or 0.
 * The walk is bounded (48 entries) against looping lists.
 */
u8 x86_pci_find_cap(u16 bdf, u8 id);
