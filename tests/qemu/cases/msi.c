// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot test of MSI delivery from QEMU's edu device to the local APIC: the
 * MSI capability [PCI 6.8.1] is programmed with the compatibility-format
 * address and data of an allocated vector [SDM 3A 10.11], edu raises an
 * interrupt when its "raise" register (0x60) is written, the handler
 * counts it, and the case acknowledges it through edu's "ack" register
 * (0x64). The remapping hardware is untouched (translation and interrupt
 * remapping off), so the message reaches the APIC as sent.
 */
#include <hal/atomic.h>
#include <hal/bits.h>
#include <hal/errno.h>
#include <hal/mmio.h>
#include <hal/types.h>

#include <arch/apic.h>
#include <arch/idt.h>
#include <arch/pci_cfg.h>

#include <boot_test/boot_test.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_BAR_SIZE		(1U << 20)
/* QEMU hw/misc/edu.c registers (docs/specs/edu.rst). */
#define EDU_ID			0x00
#define  EDU_ID_VALUE		0x010000ed
#define EDU_LIVENESS		0x04	/* reads back the complement */
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_TEST_IRQ		BIT(4)	/* any bit; 0x1 and 0x100 are edu's */

/* [PCI 6.8.1] MSI capability registers, from the capability start. */
#define MSI_CTRL		0x02
#define  MSI_CTRL_ENABLE	BIT(0)
#define  MSI_CTRL_MME		GENMASK(6, 4)	/* Multiple Message Enable */
#define  MSI_CTRL_64BIT		BIT(7)
#define MSI_ADDR_LO		0x04
#define MSI_ADDR_HI		0x08		/* 64-bit capable only */
#define MSI_DATA_32		0x08
#define MSI_DATA_64		0x0c

#define MSI_TIMEOUT_NS		1000000000ULL

struct msi_state {
	u32 count;
	u64 vector;
};

static void edu_msi_handler(struct x86_trap_frame *f, void *ctx)
{
	struct msi_state *s = ctx;

	hal_atomic_store(&s->vector, f->vector, HAL_RELAXED);
	hal_atomic_fetch_add(&s->count, 1, HAL_RELEASE);
}

static bool msi_arrived(void *arg)
{
	struct msi_state *s = arg;

	return hal_atomic_load(&s->count, HAL_ACQUIRE) != 0;
}

static int edu_find_and_map(u16 *bdf, struct hal_mmio **bar)
{
	u32 bar0;
	int ret;

	ret = x86_pci_find(EDU_VENDOR, EDU_DEVICE, 0, bdf);
	if (ret)
		return ret;
	bar0 = x86_pci_read32(*bdf, X86_PCI_BAR0) & X86_PCI_BAR_MEM_ADDR;
	*bar = hal_mmio_map(hal_paddr_init(bar0), EDU_BAR_SIZE);
	return *bar ? 0 : -ENOMEM;
}

BOOT_TEST_F(msi, edu_raise_and_ack, BOOT_TEST_NEEDS_DMAR)
{
	struct msi_state s = { 0 };
	struct hal_mmio *bar;
	u16 bdf, ctrl, cmd;
	u8 cap;
	int vec;
	bool arrived;
	u32 status_after;

	BT_ASSERT_OK(t, edu_find_and_map(&bdf, &bar));
	BT_ASSERT_EQ(t, hal_mmio_read32(bar, EDU_ID), EDU_ID_VALUE);
	hal_mmio_write32(bar, EDU_LIVENESS, 0x12345678);
	BT_ASSERT_EQ(t, hal_mmio_read32(bar, EDU_LIVENESS), ~0x12345678U);

	cap = x86_pci_find_cap(bdf, X86_PCI_CAP_ID_MSI);
	BT_ASSERT(t, cap, "edu has no MSI capability");
	/* MSIs are memory writes: they need Bus Master Enable. */
	cmd = x86_pci_read16(bdf, X86_PCI_COMMAND);
	x86_pci_write16(bdf, X86_PCI_COMMAND,
			cmd | X86_PCI_COMMAND_MEMORY | X86_PCI_COMMAND_MASTER);

	vec = x86_irq_alloc(edu_msi_handler, &s);
	BT_ASSERT(t, vec > 0, "x86_irq_alloc: %d", vec);

	ctrl = x86_pci_read16(bdf, cap + MSI_CTRL);
	x86_pci_write32(bdf, cap + MSI_ADDR_LO,
			(u32)x86_msi_address(x86_lapic_id()));
	if (ctrl & MSI_CTRL_64BIT) {
		x86_pci_write32(bdf, cap + MSI_ADDR_HI, 0);
		x86_pci_write16(bdf, cap + MSI_DATA_64, x86_msi_data(vec));
	} else {
		x86_pci_write16(bdf, cap + MSI_DATA_32, x86_msi_data(vec));
	}
	/* One message (MME 0), then enable. */
	ctrl &= ~MSI_CTRL_MME;
	x86_pci_write16(bdf, cap + MSI_CTRL, ctrl | MSI_CTRL_ENABLE);

	hal_mmio_write32(bar, EDU_IRQ_RAISE, EDU_TEST_IRQ);
	arrived = boot_test_wait(msi_arrived, &s, MSI_TIMEOUT_NS);
	/* Acknowledge and tear down before judging, whatever happened. */
	status_after = hal_mmio_read32(bar, EDU_IRQ_STATUS);
	hal_mmio_write32(bar, EDU_IRQ_ACK, EDU_TEST_IRQ);
	x86_pci_write16(bdf, cap + MSI_CTRL, ctrl & ~MSI_CTRL_ENABLE);
	x86_pci_write16(bdf, X86_PCI_COMMAND, cmd);
	x86_irq_free(vec);

	BT_ASSERT(t, arrived, "no MSI on vector 0x%x within 1 s", vec);
	BT_ASSERT_EQ(t, hal_atomic_load(&s.count, HAL_ACQUIRE), 1);
	BT_ASSERT_EQ(t, s.vector, (u64)vec);
	BT_ASSERT_EQ(t, status_after & EDU_TEST_IRQ, EDU_TEST_IRQ);
	BT_ASSERT_EQ(t, hal_mmio_read32(bar, EDU_IRQ_STATUS) & EDU_TEST_IRQ, 0);
	hal_mmio_unmap(bar);
}
