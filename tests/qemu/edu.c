// SPDX-License-Identifier: BSD-2-Clause
/*
 * Driver for QEMU's edu device as a DMA engine (see boot_test/edu.h):
 * BAR0 registers 0x80 (source), 0x88 (destination), 0x90 (count) and
 * 0x98 (command: bit 0 start/busy, bit 1 direction, bit 2 interrupt),
 * as hw/misc/edu.c of QEMU 7.2 implements them (docs/QEMU.md 5).
 */
#include <hal/bits.h>
#include <hal/errno.h>
#include <hal/mmio.h>
#include <hal/time.h>
#include <hal/types.h>

#include <arch/pci_cfg.h>

#include <boot_test/edu.h>

#define EDU_BAR_SIZE		(1U << 20)
#define EDU_ID			0x00
#define  EDU_ID_VALUE		0x010000ed
#define EDU_DMA_SRC		0x80		/* 64-bit */
#define EDU_DMA_DST		0x88		/* 64-bit */
#define EDU_DMA_CNT		0x90		/* 64-bit */
#define EDU_DMA_CMD		0x98		/* 64-bit */
#define  EDU_DMA_CMD_RUN	BIT_ULL(0)	/* start; reads 1 while busy */
#define  EDU_DMA_CMD_FROM_DEV	BIT_ULL(1)	/* buffer -> RAM */
#define  EDU_DMA_CMD_IRQ	BIT_ULL(2)

int edu_open(struct edu *e)
{
	u16 bdf;
	int ret;

	ret = x86_pci_find(EDU_VENDOR, EDU_DEVICE, 0, &bdf);
	if (ret)
		return ret;
	return edu_open_bdf(e, bdf);
}

int edu_open_bdf(struct edu *e, u16 bdf)
{
	u32 bar0;

	if (x86_pci_read32(bdf, X86_PCI_VENDOR_ID) !=
	    ((u32)EDU_DEVICE << 16 | EDU_VENDOR))
		return -ENODEV;
	e->bdf = bdf;
	bar0 = x86_pci_read32(e->bdf, X86_PCI_BAR0) & X86_PCI_BAR_MEM_ADDR;
	e->bar = hal_mmio_map(hal_paddr_init(bar0), EDU_BAR_SIZE);
	if (!e->bar)
		return -ENOMEM;
	if (hal_mmio_read32(e->bar, EDU_ID) != EDU_ID_VALUE) {
		hal_mmio_unmap(e->bar);
		e->bar = NULL;
		return -EIO;
	}
	e->saved_cmd = x86_pci_read16(e->bdf, X86_PCI_COMMAND);
	x86_pci_write16(e->bdf, X86_PCI_COMMAND, e->saved_cmd |
			X86_PCI_COMMAND_MEMORY | X86_PCI_COMMAND_MASTER);
	return 0;
}

void edu_close(struct edu *e)
{
	if (!e->bar)
		return;
	x86_pci_write16(e->bdf, X86_PCI_COMMAND, e->saved_cmd);
	hal_mmio_unmap(e->bar);
	e->bar = NULL;
}

static int wait_idle(struct edu *e, u64 timeout_ns)
{
	u64 deadline = hal_time_ns() + timeout_ns;

	while (hal_mmio_read64(e->bar, EDU_DMA_CMD) & EDU_DMA_CMD_RUN) {
		if (hal_time_ns() > deadline)
			return -ETIMEDOUT;
		hal_cpu_relax();
	}
	return 0;
}

int edu_dma(struct edu *e, u64 iova, u32 off, u32 len, enum edu_dir dir,
	    u64 timeout_ns)
{
	u64 buf = EDU_DMA_BUF + off;

	/* edu 7.2 aborts QEMU unless the range ends before 0x40000 + 4095. */
	if (!len || off > EDU_DMA_MAX || len > EDU_DMA_MAX - off)
		return -EINVAL;
	/* Writes to the DMA registers are ignored while a transfer runs. */
	if (wait_idle(e, timeout_ns))
		return -EBUSY;
	if (dir == EDU_TO_DEVICE) {
		hal_mmio_write64(e->bar, EDU_DMA_SRC, iova);
		hal_mmio_write64(e->bar, EDU_DMA_DST, buf);
	} else {
		hal_mmio_write64(e->bar, EDU_DMA_SRC, buf);
		hal_mmio_write64(e->bar, EDU_DMA_DST, iova);
	}
	hal_mmio_write64(e->bar, EDU_DMA_CNT, len);
	hal_mmio_write64(e->bar, EDU_DMA_CMD, EDU_DMA_CMD_RUN |
			 (dir == EDU_FROM_DEVICE ? EDU_DMA_CMD_FROM_DEV : 0));
	return wait_idle(e, timeout_ns);
}
