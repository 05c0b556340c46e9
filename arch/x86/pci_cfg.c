// SPDX-License-Identifier: BSD-2-Clause
/*
 * PCI configuration access. With an ACPI MCFG table [PCI FW 4.1.2] the
 * segment-0 entry gives the ECAM window, in which function (bus, dev,
 * fn) has its 4 KiB at base + (bus << 20 | dev << 15 | fn << 12)
 * [PCIe 7.2.2]; it is mapped uncached. Without one (Bochs), configuration
 * mechanism #1 is used: a dword address written to 0xCF8 with bit 31 set
 * selects the register, read or written through 0xCFC-0xCFF
 * [PCI 3.2.2.3.2]; that pair of accesses runs with interrupts disabled.
 * Enumeration starts at bus 0 and follows type-1 headers to their
 * secondary buses.
 */
#include <hal/bits.h>
#include <hal/errno.h>
#include <hal/log.h>
#include <hal/types.h>

#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/paging.h>
#include <arch/pci_cfg.h>
#include <arch/string.h>

#define CF8_ADDR		0xcf8
#define CF8_DATA		0xcfc
#define  CF8_ENABLE		BIT(31)
#define  CF8_BUS		GENMASK(23, 16)
#define  CF8_DEVFN		GENMASK(15, 8)
#define  CF8_REG		GENMASK(7, 2)

/*
 * [PCI FW Table 4-3] One MCFG allocation; the first follows the header
 * and 8 reserved bytes.
 */
struct mcfg_alloc {
	u64 base;
	u16 segment;
	u8 start_bus;
	u8 end_bus;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct mcfg_alloc) == 16, "PCI FW Table 4-3");
#define MCFG_ALLOC_OFFSET	44

#define PCI_CAP_WALK_MAX	48

static u64 ecam_base;
static u8 ecam_start_bus, ecam_end_bus;

int x86_pci_init(void)
{
	const struct x86_acpi_header *mcfg = x86_acpi_find("MCFG", 0);
	u32 off;

	ecam_base = 0;
	if (!mcfg)
		return 0;
	for (off = MCFG_ALLOC_OFFSET; off + sizeof(struct mcfg_alloc) <=
				      mcfg->length;
	     off += sizeof(struct mcfg_alloc)) {
		struct mcfg_alloc a;
		u64 size;

		memcpy(&a, (const u8 *)mcfg + off, sizeof(a));
		if (a.segment != 0 || a.end_bus < a.start_bus)
			continue;
		/* The base is that of bus 0, even when start_bus > 0. */
		size = (u64)(a.end_bus + 1) << 20;
		if (x86_paging_set_uncached(a.base, size)) {
			hal_log(HAL_LOG_WARN,
				"pci: ECAM at 0x%llx outside the identity map",
				(unsigned long long)a.base);
			continue;
		}
		ecam_base = a.base;
		ecam_start_bus = a.start_bus;
		ecam_end_bus = a.end_bus;
		break;
	}
	return 0;
}

u64 x86_pci_ecam_base(void)
{
	return ecam_base;
}

static volatile void *ecam_addr(u16 bdf, u16 off)
{
	return (volatile void *)(uintptr_t)(ecam_base + ((u64)bdf << 12) +
					    off);
}

static bool ecam_covers(u16 bdf)
{
	return ecam_base && X86_PCI_BUS(bdf) >= ecam_start_bus &&
	       X86_PCI_BUS(bdf) <= ecam_end_bus;
}

static u32 cf8_address(u16 bdf, u16 off)
{
	return CF8_ENABLE | FIELD_PREP(CF8_BUS, X86_PCI_BUS(bdf)) |
	       FIELD_PREP(CF8_DEVFN, (u8)bdf) |
	       FIELD_PREP(CF8_REG, off >> 2);
}

int x86_pci_read32_via(enum x86_pci_mech mech, u16 bdf, u16 off, u32 *val)
{
	u64 flags;

	if (off & 3 || off >= 4096)
		return -EINVAL;
	if (mech == X86_PCI_MECH_ANY)
		mech = ecam_covers(bdf) ? X86_PCI_MECH_ECAM : X86_PCI_MECH_CF8;
	if (mech == X86_PCI_MECH_ECAM) {
		if (!ecam_covers(bdf))
			return -ENODEV;
		*val = *(volatile u32 *)ecam_addr(bdf, off);
		return 0;
	}
	if (off >= 256)
		return -EINVAL;
	flags = x86_irq_save();
	x86_outl(CF8_ADDR, cf8_address(bdf, off));
	*val = x86_inl(CF8_DATA);
	x86_irq_restore(flags);
	return 0;
}

u32 x86_pci_read32(u16 bdf, u16 off)
{
	u32 v;

	if (x86_pci_read32_via(X86_PCI_MECH_ANY, bdf, off, &v))
		return ~0U;
	return v;
}

u16 x86_pci_read16(u16 bdf, u16 off)
{
	return (u16)(x86_pci_read32(bdf, off & ~3) >> ((off & 2) * 8));
}

u8 x86_pci_read8(u16 bdf, u16 off)
{
	return (u8)(x86_pci_read32(bdf, off & ~3) >> ((off & 3) * 8));
}

void x86_pci_write32(u16 bdf, u16 off, u32 val)
{
	u64 flags;

	if (off & 3 || off >= 4096)
		return;
	if (ecam_covers(bdf)) {
		*(volatile u32 *)ecam_addr(bdf, off) = val;
		return;
	}
	if (off >= 256)
		return;
	flags = x86_irq_save();
	x86_outl(CF8_ADDR, cf8_address(bdf, off));
	x86_outl(CF8_DATA, val);
	x86_irq_restore(flags);
}

void x86_pci_write16(u16 bdf, u16 off, u16 val)
{
	u64 flags;

	if (off & 1 || off >= 4096)
		return;
	if (ecam_covers(bdf)) {
		*(volatile u16 *)ecam_addr(bdf, off) = val;
		return;
	}
	if (off >= 256)
		return;
	flags = x86_irq_save();
	x86_outl(CF8_ADDR, cf8_address(bdf, off & ~3));
	x86_outw(CF8_DATA + (off & 2), val);
	x86_irq_restore(flags);
}

struct find {
	u16 vendor, device;
	u32 instance;
	u16 bdf;
	bool found;
	u32 bus_seen[256 / 32];
};

static void scan_bus(struct find *s, u8 bus, unsigned int depth);

static void scan_fn(struct find *s, u16 bdf, unsigned int depth)
{
	u32 id = x86_pci_read32(bdf, X86_PCI_VENDOR_ID);
	u8 sec;

	if ((u16)id == s->vendor && (u16)(id >> 16) == s->device) {
		if (s->instance-- == 0) {
			s->bdf = bdf;
			s->found = true;
			return;
		}
	}
	/* [PCI-PCI Bridge 3.2] Header type 1: follow the secondary bus. */
	if (FIELD_GET(X86_PCI_HEADER_LAYOUT,
		      x86_pci_read8(bdf, X86_PCI_HEADER_TYPE)) == 1) {
		sec = x86_pci_read8(bdf, X86_PCI_SECONDARY_BUS);
		if (sec != 0)
			scan_bus(s, sec, depth + 1);
	}
}

static void scan_bus(struct find *s, u8 bus, unsigned int depth)
{
	u8 dev, fn, nfn;

	if (depth > 32 || s->bus_seen[bus / 32] & BIT(bus % 32))
		return;
	s->bus_seen[bus / 32] |= BIT(bus % 32);
	for (dev = 0; dev < 32 && !s->found; dev++) {
		u16 bdf = X86_PCI_BDF(bus, dev, 0);

		if (x86_pci_read16(bdf, X86_PCI_VENDOR_ID) == 0xffff)
			continue;
		nfn = (x86_pci_read8(bdf, X86_PCI_HEADER_TYPE) &
		       X86_PCI_HEADER_MULTI) ? 8 : 1;
		for (fn = 0; fn < nfn && !s->found; fn++) {
			bdf = X86_PCI_BDF(bus, dev, fn);
			if (x86_pci_read16(bdf, X86_PCI_VENDOR_ID) == 0xffff)
				continue;
			scan_fn(s, bdf, depth);
		}
	}
}

int x86_pci_find(u16 vendor, u16 device, u32 instance, u16 *bdf)
{
	struct find s = {
		.vendor = vendor, .device = device, .instance = instance,
	};

	scan_bus(&s, 0, 0);
	if (!s.found)
		return -ENODEV;
	*bdf = s.bdf;
	return 0;
}

int x86_pci_secondary_bus(void *ctx, u16 segment, u8 bus, u8 dev, u8 fn)
{
	u16 bdf;
	u8 sec;

	(void)ctx;
	if (segment != 0 || dev > 31 || fn > 7) {
		return -ENODEV;
	}
	bdf = X86_PCI_BDF(bus, dev, fn);
	if (x86_pci_read16(bdf, X86_PCI_VENDOR_ID) == 0xffff ||
	    FIELD_GET(X86_PCI_HEADER_LAYOUT,
		      x86_pci_read8(bdf, X86_PCI_HEADER_TYPE)) != 1) {
		return -ENODEV;
	}
	/* Firmware numbers buses below a bridge above the bridge's own. */
	sec = x86_pci_read8(bdf, X86_PCI_SECONDARY_BUS);
	if (sec <= bus) {
		return -ENODEV;
	}
	return sec;
}

u8 x86_pci_find_cap(u16 bdf, u8 id)
{
	unsigned int n;
	u8 off;

	if (!(x86_pci_read16(bdf, X86_PCI_STATUS) & X86_PCI_STATUS_CAP_LIST))
		return 0;
	off = x86_pci_read8(bdf, X86_PCI_CAP_PTR) & X86_PCI_CAP_PTR_MASK;
	for (n = 0; n < PCI_CAP_WALK_MAX && off >= 0x40; n++) {
		u16 hdr = x86_pci_read16(bdf, off);

		if ((u8)hdr == id)
			return off;
		off = (u8)(hdr >> 8) & X86_PCI_CAP_PTR_MASK;
	}
	return 0;
}
