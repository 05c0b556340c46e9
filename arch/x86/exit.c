// SPDX-License-Identifier: BSD-2-Clause
/*
 * End of a test-kernel run: the isa-debug-exit write that ends QEMU with
 * a status the runner checks, the "Shutdown" string on port 0x8900 that
 * ends Bochs (which has no isa-debug-exit), and a halt loop for any other
 * machine.
 */
#include <arch/cpu.h>
#include <arch/exit.h>
#include <arch/io.h>

void x86_exit(bool pass)
{
	const char *s = "Shutdown";

	x86_irq_disable();
	x86_outb(X86_DEBUG_EXIT_PORT,
		 pass ? X86_EXIT_CODE_PASS : X86_EXIT_CODE_FAIL);
	while (*s)
		x86_outb(X86_BOCHS_SHUTDOWN_PORT, (u8)*s++);
	for (;;)
		x86_halt();
}
