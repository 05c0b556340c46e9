// SPDX-License-Identifier: BSD-2-Clause
/*
 * The test kernel's printf engine (arch/x86/printf.c, behind its
 * hal_log()) built for the host and compared with the host's snprintf():
 * over every combination of the conversions, flags, widths and length
 * modifiers that docs/PORTING.md documents for hal_log() (read from the
 * document, log_scan.h), over every format the library uses (found in
 * its sources), and on the messages that once came out wrong under QEMU
 * (an IQE's "IQERCD %#llx" printed verbatim, and a fault's "(%s)" after
 * "%#x" read an integer as a pointer).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../../arch/x86/printf.c"
#include "log_scan.h"

#define BUF	512

/* The console behind x86_printf(): a buffer here. */
static char console[BUF];
static size_t console_len;

void x86_console_putc(char c)
{
	if (console_len + 1 < sizeof(console)) {
		console[console_len++] = c;
		console[console_len] = '\0';
	}
}

static struct log_spec spec;
static unsigned long comparisons;

static int setup(void **state)
{
	const char *why = log_spec_load(&spec);

	if (why) {
		print_error("docs/PORTING.md: %s\n", why);
		return -1;
	}
	return 0;
}

static void check_same(const char *fmt, const char *got, int got_n,
		       const char *want, int want_n)
{
	comparisons++;
	if (strcmp(got, want) || got_n != want_n)
		fail_msg("\"%s\": x86 printed \"%s\" (%d), the host \"%s\" "
			 "(%d)", fmt, got, got_n, want, want_n);
}

/* Both engines on @fmt with one argument of the type @conv/@len take. */
static void compare_one(const char *fmt, char conv, const char *len,
			long long sv, unsigned long long uv, const char *str)
{
	char a[BUF], b[BUF];
	int na = -1, nb = -1;

#define BOTH(...)							\
	do {								\
		na = x86_snprintf(a, sizeof(a), fmt, __VA_ARGS__);	\
		nb = snprintf(b, sizeof(b), fmt, __VA_ARGS__);		\
	} while (0)

	if (conv == 's') {
		assert_true(len[0] == '\0');
		BOTH(str);
	} else if (conv == 'd' || conv == 'i') {
		if (!strcmp(len, ""))
			BOTH((int)sv);
		else if (!strcmp(len, "l"))
			BOTH((long)sv);
		else if (!strcmp(len, "ll"))
			BOTH(sv);
		else
			fail_msg("no case for length \"%s\"", len);
	} else if (conv == 'u' || conv == 'x' || conv == 'X') {
		if (!strcmp(len, ""))
			BOTH((unsigned int)uv);
		else if (!strcmp(len, "l"))
			BOTH((unsigned long)uv);
		else if (!strcmp(len, "ll"))
			BOTH(uv);
		else if (!strcmp(len, "z"))
			BOTH((size_t)uv);
		else
			fail_msg("no case for length \"%s\"", len);
	} else if (conv == '\0') {
		BOTH(0);	/* no conversion: the argument is ignored */
	} else {
		fail_msg("no case for conversion '%c' in \"%s\"", conv, fmt);
	}
#undef BOTH
	check_same(fmt, a, na, b, nb);
}

static const long long svals[] = {
	0, 1, -1, 7, -42, 255, 4096, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN,
	0x123456789LL,
};
static const unsigned long long uvals[] = {
	0, 1, 0xf, 0x1f, 0x2a, 0xff, 0x1000, 0xfed90000ULL, UINT_MAX,
	0xfedcba9876543210ULL, ULLONG_MAX, 0x100000000ULL,
};
static const char *const strs[] = {
	"", "a", "read", "Present bit in root entry is clear",
};

/* Every value of the conversion's kind through @fmt. */
static void compare_values(const char *fmt, char conv, const char *len)
{
	unsigned int i;

	if (conv == 's') {
		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			compare_one(fmt, conv, len, 0, 0, strs[i]);
		return;
	}
	for (i = 0; i < sizeof(svals) / sizeof(svals[0]); i++)
		compare_one(fmt, conv, len, svals[i], uvals[i], NULL);
}

/* @conv with @flags, at each width (or none) and each length modifier. */
static void compare_widths_lengths(char conv, const char *flags)
{
	static const int widths[] = { -1, 1, 2, 3, 4, 8, 16, 18, 20, 24 };
	unsigned int w, l;

	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		char wbuf[12] = "";

		if (widths[w] >= 0) {
			if (!spec.width || conv == 's')
				continue;
			snprintf(wbuf, sizeof(wbuf), "%d", widths[w]);
		}
		for (l = 0; l <= spec.length_count; l++) {
			const char *len = l ? spec.lengths[l - 1] : "";
			char fmt[32];

			if (conv == 's' && len[0])
				continue;
			snprintf(fmt, sizeof(fmt), "<%%%s%s%s%c>", flags, wbuf,
				 len, conv);
			compare_values(fmt, conv, len);
		}
	}
}

/*
 * Each documented conversion with each subset of the documented flags (in
 * both orders), no width or widths from 1 to 24, and each documented
 * length modifier; '#' only with x and %s bare, as the table says.
 */
static void test_printf_documented_subset_matches_host(void **state)
{
	unsigned int nflags = (unsigned int)strlen(spec.flags);
	unsigned int mask, rev, k;
	const char *c;

	for (c = spec.conversions; *c; c++) {
		for (mask = 0; mask < (1U << nflags); mask++) {
			for (rev = 0; rev < 2; rev++) {
				char flags[8] = "";

				for (k = 0; k < nflags; k++) {
					unsigned int f = rev ? nflags - 1 - k :
							       k;

					if (mask & (1U << f))
						strncat(flags, spec.flags + f,
							1);
				}
				if ((strchr(flags, '#') && *c != 'x') ||
				    (*c == 's' && flags[0]))
					continue;
				compare_widths_lengths(*c, flags);
			}
		}
	}
	print_message("%lu comparisons\n", comparisons);
	assert_true(comparisons > 1000);
}

/*
 * Every format the library passes to hal_log() or hal_panic(), cut into
 * pieces of one conversion each (so that each gets an argument of its
 * type), through both engines.
 */
static void test_printf_library_formats_match_host(void **state)
{
	static struct log_scan scan;
	char why[128];
	unsigned int i;

	log_scan(&scan);
	if (scan.errors[0])
		fail_msg("%s", scan.errors);
	assert_true(scan.count >= 20);
	for (i = 0; i < scan.count; i++) {
		const char *text = scan.fmts[i].text;
		const char *p = text;

		if (log_spec_check(&spec, text, why, sizeof(why)) < 0)
			fail_msg("%s:%u: %s", scan.fmts[i].file,
				 scan.fmts[i].line, why);
		while (*p) {
			const char *pct = strchr(p, '%');
			char piece[LOG_TEXT_MAX], len[4] = "";
			const char *q;
			char conv = '\0';
			size_t n;

			if (!pct) {
				compare_one(p, '\0', "", 0, 0, NULL);
				break;
			}
			q = pct + 1 + strspn(pct + 1, "-+ #0123456789");
			n = strspn(q, "hlLzjt");
			snprintf(len, sizeof(len), "%.*s", (int)n, q);
			conv = q[n];
			snprintf(piece, sizeof(piece), "%.*s",
				 (int)(q + n + 1 - p), p);
			compare_values(piece, conv, len);
			p = q + n + 1;
		}
	}
}

/* The messages that came out wrong under QEMU, with their arguments. */
static void test_printf_qemu_messages(void **state)
{
	char a[BUF], b[BUF];
	int na = -1, nb = -1;

#define SAME(...)							\
	do {								\
		na = x86_snprintf(a, sizeof(a), __VA_ARGS__);		\
		nb = snprintf(b, sizeof(b), __VA_ARGS__);		\
		check_same(#__VA_ARGS__, a, na, b, nb);			\
	} while (0)

	SAME("vtd %llx: invalidation queue error at slot %u (IQERCD %#llx)\n",
	     0xfed90000ULL, 4U, 0x2ULL);
	assert_string_equal(a, "vtd fed90000: invalidation queue error at "
			    "slot 4 (IQERCD 0x2)\n");
	SAME("vtd %llx: invalidation queue error at slot %u (IQERCD %#llx)\n",
	     0xfed90000ULL, 4U, 0ULL);
	SAME("vtd %llx: DMA %s fault sid %04x addr %llx reason %#x (%s)\n",
	     0xfed90000ULL, "read", 0x18U, 0x7000ULL, 0x5U,
	     "Present bit in context entry is clear");
	assert_string_equal(a, "vtd fed90000: DMA read fault sid 0018 addr "
			    "7000 reason 0x5 (Present bit in context entry "
			    "is clear)\n");
	SAME("vtd %llx: register %#x timed out (mask %#llx want %#llx)\n",
	     0xfed90000ULL, 0x1cU, 0x80000000ULL, 0ULL);
	SAME("vtd:   iova %llx: fault %#x (%s)\n", 0x1000ULL, 0x41U, "x");
	/* Flags the engine takes beyond the library's set. */
	SAME("%#X %+d % d %-6x| %#08x", 0xabcU, 5, 5, 0x1fU, 0x1fU);
#undef SAME
}

/* The console path formats exactly as the buffer path. */
static void test_printf_console_same_as_buffer(void **state)
{
	char a[BUF];
	int n, m;

	console_len = 0;
	console[0] = '\0';
	n = x86_printf("vtd %llx: reason %#x (%s) %016llx\n", 0xfedULL, 0x26U,
		       "s", 0x1ULL);
	m = x86_snprintf(a, sizeof(a), "vtd %llx: reason %#x (%s) %016llx\n",
			 0xfedULL, 0x26U, "s", 0x1ULL);
	assert_int_equal(n, m);
	assert_string_equal(console, a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_documented_subset_matches_host),
		cmocka_unit_test(test_printf_library_formats_match_host),
		cmocka_unit_test(test_printf_qemu_messages),
		cmocka_unit_test(test_printf_console_same_as_buffer),
	};

	return cmocka_run_group_tests_name("printf", tests, setup, NULL);
}
