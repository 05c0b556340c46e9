/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ending a test-kernel run. QEMU's isa-debug-exit device (iobase 0xf4)
 * ends QEMU with status (value << 1) | 1; Bochs ends on the string
 * "Shutdown" written to its shutdown port 0x8900. The kernel does both,
 * then halts. Shared with the assembler (constants only).
 */
#pragma once

#define X86_DEBUG_EXIT_PORT	0xf4
#define X86_EXIT_CODE_PASS	0x10	/* QEMU exit status 33 */
#define X86_EXIT_CODE_FAIL	0x11	/* QEMU exit status 35 */
#define X86_BOCHS_SHUTDOWN_PORT	0x8900

#ifndef __ASSEMBLY__

#include <hal/compiler.h>
#include <hal/types.h>

/**
 * x86_exit() - Report @pass through isa-debug-exit, then ask Bochs to
 * shut down, then halt with interrupts off. Never returns.
 */
void x86_exit(bool pass) __noreturn;

#endif /* !__ASSEMBLY__ */
