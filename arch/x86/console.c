// SPDX-License-Identifier: BSD-2-Clause
/*
 * Console output of the test kernel: a polled 16550 UART on COM1 [NS
 * PC16550D datasheet] and the Bochs debug port 0xE9. Each byte waits for
 * the transmitter holding register to be empty (LSR.THRE) before it is
 * written, because Bochs drops bytes written while it is busy; the wait
 * is bounded, and a UART that never becomes ready is given up on so that
 * a missing COM1 cannot stall the kernel. Single CPU: there is no lock,
 * so that an exception handler can always print.
 */
#include <hal/bits.h>
#include <hal/types.h>

#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/io.h>

#define COM1			0x3f8
#define BOCHS_E9		0xe9

/* [PC16550D Table II] Registers, offsets from the base port. */
#define UART_THR		0	/* Transmitter Holding (DLAB=0) */
#define UART_DLL		0	/* Divisor Latch LSB (DLAB=1) */
#define UART_IER		1	/* Interrupt Enable (DLAB=0) */
#define UART_DLM		1	/* Divisor Latch MSB (DLAB=1) */
#define UART_FCR		2	/* FIFO Control */
#define  UART_FCR_ENABLE	BIT(0)
#define  UART_FCR_CLEAR_RX	BIT(1)
#define  UART_FCR_CLEAR_TX	BIT(2)
#define UART_LCR		3	/* Line Control */
#define  UART_LCR_WLS		GENMASK(1, 0)	/* Word Length Select */
#define  UART_LCR_DLAB		BIT(7)		/* Divisor Latch Access */
#define UART_MCR		4	/* Modem Control */
#define  UART_MCR_DTR		BIT(0)
#define  UART_MCR_RTS		BIT(1)
#define UART_LSR		5	/* Line Status */
#define  UART_LSR_THRE		BIT(5)	/* Transmitter Holding Reg. Empty */

#define UART_CLOCK_BAUD		115200	/* 1.8432 MHz / 16 */

_Static_assert(CONFIG_X86_SERIAL_BAUD == 9600 ||
	       CONFIG_X86_SERIAL_BAUD == 19200 ||
	       CONFIG_X86_SERIAL_BAUD == 38400 ||
	       CONFIG_X86_SERIAL_BAUD == 57600 ||
	       CONFIG_X86_SERIAL_BAUD == 115200,
	       "CONFIG_X86_SERIAL_BAUD must be 9600, 19200, 38400, 57600 "
	       "or 115200");
#define UART_THRE_POLLS		100000

static bool uart_dead;

void x86_console_init(void)
{
	u16 div = UART_CLOCK_BAUD / CONFIG_X86_SERIAL_BAUD;

	x86_outb(COM1 + UART_IER, 0);
	x86_outb(COM1 + UART_LCR, UART_LCR_DLAB);
	x86_outb(COM1 + UART_DLL, (u8)div);
	x86_outb(COM1 + UART_DLM, (u8)(div >> 8));
	/* 8 data bits, 1 stop bit, no parity. */
	x86_outb(COM1 + UART_LCR, FIELD_PREP(UART_LCR_WLS, 3));
	x86_outb(COM1 + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX |
				  UART_FCR_CLEAR_TX);
	x86_outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	uart_dead = false;
}

static void uart_put(u8 c)
{
	u32 i;

	if (uart_dead)
		return;
	for (i = 0; i < UART_THRE_POLLS; i++) {
		if (x86_inb(COM1 + UART_LSR) & UART_LSR_THRE) {
			x86_outb(COM1 + UART_THR, c);
			return;
		}
		x86_cpu_relax();
	}
	uart_dead = true;
}

void x86_console_putc(char c)
{
	if (c == '\n')
		uart_put('\r');
	uart_put((u8)c);
	x86_outb(BOCHS_E9, (u8)c);
}

void x86_console_write(const char *s, size_t len)
{
	while (len--)
		x86_console_putc(*s++);
}
