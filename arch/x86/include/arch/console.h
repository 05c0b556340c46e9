/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Console of the test kernel: a 16550 UART on COM1 (every byte also
 * mirrored to the Bochs debug port 0xE9) and a small printf. The format
 * engine takes %s %c %d %i %u %x %X %p %%, a field width, a precision for
 * %s, the '0', '-', '#', '+' and ' ' flags and the hh, h, l, ll and z
 * length modifiers.
 */
#pragma once

#include <stdarg.h>

#include <hal/compiler.h>
#include <hal/types.h>

/** x86_console_init() - Program COM1 for CONFIG_X86_SERIAL_BAUD, 8N1. */
void x86_console_init(void);

/** x86_console_putc() - Emit @c ('\n' becomes CR LF on the UART). */
void x86_console_putc(char c);

void x86_console_write(const char *s, size_t len);

int x86_printf(const char *fmt, ...) __printf(1, 2);
int x86_vprintf(const char *fmt, va_list ap);

/**
 * x86_vsnprintf() - Format into @buf, NUL-terminated and truncated to
 * @size bytes (nothing is written when @size is 0).
 *
 * Return: the length the full output needs, excluding the NUL.
 */
int x86_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int x86_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
