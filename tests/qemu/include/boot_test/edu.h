/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small driver for QEMU's edu device (hw/misc/edu.c, docs/specs/edu.rst)
 * used as the DMA engine of the boot tests. edu copies between a 4 KiB
 * buffer at device offset 0x40000 and a bus address (an IOVA once the
 * remapping unit translates), one transfer at a time, 100 ms of virtual
 * time after the command is written. Its requests carry the source ID of
 * its PCI function, so the remapping unit translates, permits or faults
 * them like any other device's.
 */
#pragma once

#include <hal/mmio.h>
#include <hal/types.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
/* Device offset of edu's DMA buffer, and its usable size (docs/QEMU.md 5). */
#define EDU_DMA_BUF		0x40000U
#define EDU_DMA_MAX		4095U

struct edu {
	u16 bdf;			/* also the source ID: bus<<8|dev<<3|fn */
	u16 saved_cmd;			/* PCI command register before open */
	struct hal_mmio *bar;
};

enum edu_dir {
	EDU_TO_DEVICE,			/* RAM (IOVA) -> edu buffer */
	EDU_FROM_DEVICE,		/* edu buffer -> RAM (IOVA) */
};

/**
 * edu_open() - Find the first edu function, map BAR0 and enable memory
 * decoding and bus mastering.
 *
 * Return: 0; -ENODEV without edu; -ENOMEM when BAR0 cannot be mapped;
 * -EIO when the identification register is wrong.
 */
int edu_open(struct edu *e);

/**
 * edu_open_bdf() - Like edu_open(), for the edu function at @bdf.
 *
 * Return: as edu_open(); -ENODEV when @bdf is not an edu function.
 */
int edu_open_bdf(struct edu *e, u16 bdf);

/** edu_close() - Restore the command register and unmap BAR0. */
void edu_close(struct edu *e);

/**
 * edu_dma() - Copy @len bytes between bus address @iova and edu buffer
 * offset @off, in direction @dir, and wait (bounded by @timeout_ns) until
 * edu reports the transfer done. edu does not report DMA errors: a
 * transfer the remapping unit blocked still completes.
 *
 * Return: 0; -EINVAL when [@off, @off + @len) leaves the usable buffer
 * (edu 7.2 aborts QEMU on that) or @len is 0; -EBUSY when a previous
 * transfer never finished; -ETIMEDOUT.
 */
int edu_dma(struct edu *e, u64 iova, u32 off, u32 len, enum edu_dir dir,
	    u64 timeout_ns);

/* Default deadline of a transfer: 100 ms of virtual time, with margin. */
#define EDU_DMA_TIMEOUT_NS	3000000000ULL
