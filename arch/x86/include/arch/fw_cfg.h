/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * QEMU firmware configuration device, I/O port interface (selector 0x510,
 * data 0x511), as documented in QEMU's docs/specs/fw_cfg.rst. The test
 * runner passes per-configuration options to the kernel as the file
 * X86_FW_CFG_CMDLINE (-fw_cfg name=...,string=...), which works for the
 * GRUB ISO as well as for -kernel.
 */
#pragma once

#include <hal/types.h>

#define X86_FW_CFG_CMDLINE	"opt/org.libvtd/cmdline"

/** x86_fw_cfg_present() - True when the "QEMU" signature reads back. */
bool x86_fw_cfg_present(void);

/**
 * x86_fw_cfg_read_file() - Copy the fw_cfg file @name into @buf,
 * NUL-terminated and truncated to @size bytes.
 *
 * Return: the file's size; -ENODEV without fw_cfg; -ENOENT when there is
 * no such file; -EINVAL for a zero @size.
 */
int x86_fw_cfg_read_file(const char *name, char *buf, size_t size);
