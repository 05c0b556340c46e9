// SPDX-License-Identifier: BSD-2-Clause
/*
 * A small printf engine for the test kernel and hal_log(): conversions
 * %s %c %d %i %u %x %X %p and %%, a decimal or '*' field width, a
 * precision for %s (at most that many bytes, e.g. "%.4s" for ACPI
 * signatures), the '0' (zero pad), '-' (left justify), '#' (0x before a
 * non-zero %x), '+' and ' ' (sign of %d) flags, and the hh, h, l, ll and
 * z length modifiers: a superset of what docs/PORTING.md says the library
 * uses, checked against the host's snprintf by tests/unit/log/. One
 * engine feeds both the console and x86_vsnprintf() through an output
 * callback; there is no floating point. An unknown conversion is printed
 * as written and consumes no argument.
 */
#include <stdarg.h>

#include <hal/compiler.h>
#include <hal/types.h>

#include <arch/console.h>

struct out {
	void (*put)(struct out *o, char c);
	char *buf;
	size_t size;
	size_t len;			/* characters produced so far */
};

static void emit(struct out *o, char c)
{
	o->put(o, c);
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Emit @s (length @n) in a field of @width, honouring '-' and '0'. */
static void field(struct out *o, const char *prefix, const char *s, int n,
		  int width, bool left, bool zero)
{
	int plen = 0, i;

	while (prefix[plen])
		plen++;
	if (!left && !zero)
		pad(o, ' ', width - n - plen);
	while (*prefix)
		emit(o, *prefix++);
	if (!left && zero)
		pad(o, '0', width - n - plen);
	for (i = 0; i < n; i++)
		emit(o, s[i]);
	if (left)
		pad(o, ' ', width - n - plen);
}

static int utoa(u64 v, unsigned int base, bool upper, char *end)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v);
	return (int)(end - p);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	char tmp[24];

	for (; *fmt; fmt++) {
		bool left = false, zero = false, is_signed = false;
		bool alt = false, plus = false, space = false;
		int width = 0, prec = -1, lng = 0, n;
		unsigned int base = 10;
		bool upper = false;
		const char *prefix = "";
		u64 v;
		s64 sv;

		if (*fmt != '%') {
			emit(o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt == '#')
				alt = true;
			else if (*fmt == '+')
				plus = true;
			else if (*fmt == ' ')
				space = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		/* Length: -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t. */
		for (;; fmt++) {
			if (*fmt == 'l')
				lng = lng < 0 ? 1 : lng + 1;
			else if (*fmt == 'h')
				lng--;
			else if (*fmt == 'z')
				lng = 3;
			else
				break;
		}
		if (left)
			zero = false;

		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;

			if (!s)
				s = "(null)";
			while ((prec < 0 || len < prec) && s[len])
				len++;
			if (!left)
				pad(o, ' ', width - len);
			for (n = 0; n < len; n++)
				emit(o, s[n]);
			if (left)
				pad(o, ' ', width - len);
			continue;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			if (!left)
				pad(o, ' ', width - 1);
			emit(o, tmp[0]);
			if (left)
				pad(o, ' ', width - 1);
			continue;
		case '%':
			emit(o, '%');
			continue;
		case 'p':
			v = (u64)(uintptr_t)va_arg(ap, void *);
			n = utoa(v, 16, false, tmp + sizeof(tmp));
			field(o, "0x", tmp + sizeof(tmp) - n, n, width, left,
			      zero);
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			base = 16;
			break;
		case 'x':
			base = 16;
			break;
		default:
			/* Unknown conversion: print it verbatim. */
			emit(o, '%');
			if (!*fmt)
				return;
			emit(o, *fmt);
			continue;
		}

		if (is_signed) {
			if (lng >= 3)
				sv = (s64)va_arg(ap, ptrdiff_t);
			else if (lng == 2)
				sv = va_arg(ap, long long);
			else if (lng == 1)
				sv = va_arg(ap, long);
			else
				sv = va_arg(ap, int);
			if (lng == -1)
				sv = (short)sv;
			else if (lng <= -2)
				sv = (signed char)sv;
			if (sv < 0) {
				prefix = "-";
				v = (u64)0 - (u64)sv;
			} else {
				prefix = plus ? "+" : space ? " " : "";
				v = (u64)sv;
			}
		} else {
			if (lng >= 3)
				v = va_arg(ap, size_t);
			else if (lng == 2)
				v = va_arg(ap, unsigned long long);
			else if (lng == 1)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng <= -2)
				v = (unsigned char)v;
			/* [C11 7.21.6.1] '#': 0x (0X) before non-zero. */
			if (alt && base == 16 && v)
				prefix = upper ? "0X" : "0x";
		}
		n = utoa(v, base, upper, tmp + sizeof(tmp));
		field(o, prefix, tmp + sizeof(tmp) - n, n, width, left, zero);
	}
}

static void put_buf(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
}

int x86_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .put = put_buf, .buf = buf, .size = size };

	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int x86_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = x86_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void put_console(struct out *o, char c)
{
	x86_console_putc(c);
}

int x86_vprintf(const char *fmt, va_list ap)
{
	struct out o = { .put = put_console };

	format(&o, fmt, ap);
	return (int)o.len;
}

int x86_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = x86_vprintf(fmt, ap);
	va_end(ap);
	return n;
}
