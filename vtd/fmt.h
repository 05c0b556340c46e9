/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A bounded string builder for log lines and capability text. The library
 * has no snprintf(); these helpers append to a caller's buffer, keep it
 * NUL-terminated, and count the length the full text needs even when the
 * buffer is too small (snprintf semantics).
 */
#pragma once

#include <hal/types.h>

struct vtd_fmt {
	char *buf;
	size_t size;		/* bytes at buf, including the NUL */
	size_t len;		/* length of the full text so far */
};

static inline void vtd_fmt_init(struct vtd_fmt *f, char *buf, size_t size)
{
	f->buf = buf;
	f->size = size;
	f->len = 0;
	if (size)
		buf[0] = '\0';
}

/*
 * Characters land at f->len only while they fit; f->len only grows, so the
 * buffer always holds a NUL-terminated prefix of the full text.
 */
static inline void vtd_fmt_putc(struct vtd_fmt *f, char c)
{
	if (f->len + 1 < f->size) {
		f->buf[f->len] = c;
		f->buf[f->len + 1] = '\0';
	}
	f->len++;
}

static inline void vtd_fmt_puts(struct vtd_fmt *f, const char *s)
{
	while (*s)
		vtd_fmt_putc(f, *s++);
}

/* @v in lower-case hex, at least @digits digits, no prefix. */
static inline void vtd_fmt_hex(struct vtd_fmt *f, u64 v, unsigned int digits)
{
	char tmp[16];
	unsigned int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v && n < sizeof(tmp));
	while (n < digits && n < sizeof(tmp))
		tmp[n++] = '0';
	while (n)
		vtd_fmt_putc(f, tmp[--n]);
}

/* "0x" and @v in hex. */
static inline void vtd_fmt_hex0x(struct vtd_fmt *f, u64 v)
{
	vtd_fmt_puts(f, "0x");
	vtd_fmt_hex(f, v, 1);
}

/* @v in decimal. */
static inline void vtd_fmt_dec(struct vtd_fmt *f, u64 v)
{
	char tmp[20];
	unsigned int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(tmp));
	while (n)
		vtd_fmt_putc(f, tmp[--n]);
}
