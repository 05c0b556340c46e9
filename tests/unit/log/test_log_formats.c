// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every format the library hands hal_log() or hal_panic() stays inside the
 * printf subset that docs/PORTING.md documents, so that an integrator's
 * formatter written to the document prints every message. The formats are
 * found in the sources at run time (log_scan.h) and the subset is read
 * from the document's table, so neither a new message nor a change of the
 * table can escape the check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "log_scan.h"

static struct log_scan scan;
static struct log_spec spec;

static int setup(void **state)
{
	const char *why = log_spec_load(&spec);

	if (why) {
		print_error("docs/PORTING.md: %s\n", why);
		return -1;
	}
	log_scan(&scan);
	return 0;
}

static const struct log_fmt *find(const char *text)
{
	unsigned int i;

	for (i = 0; i < scan.count; i++) {
		if (!strcmp(scan.fmts[i].text, text))
			return &scan.fmts[i];
	}
	return NULL;
}

/* The scanner found the library's calls, and nothing it could not read. */
static void test_log_scan_finds_every_call(void **state)
{
	if (scan.errors[0])
		fail_msg("library log calls the check cannot read:\n%s",
			 scan.errors);
	print_message("%u formats in %u files\n", scan.count, scan.files);
	assert_true(scan.files >= 20);
	assert_true(scan.count >= 20);
	/* Known calls in several files, both functions, macros included. */
	assert_non_null(find("vtd %llx: invalidation queue error at slot %u "
			     "(IQERCD %#llx)\n"));
	assert_non_null(find("vtd %llx: DMA %s fault sid %04x addr %llx "
			     "reason %#x (%s)\n"));
	assert_non_null(find("vtd: %s:%d: BUG_ON(%s)\n"));
	assert_non_null(find("hal: %s: lock not held\n"));
	assert_non_null(find("vtd:   root[%02x] = %016llx %016llx\n"));
}

/* The table itself: what the library is known to need is in it. */
static void test_log_spec_table_read(void **state)
{
	assert_non_null(strchr(spec.conversions, 'x'));
	assert_non_null(strchr(spec.conversions, 's'));
	assert_non_null(strchr(spec.flags, '#'));
	assert_true(spec.width);
	assert_true(spec.length_count >= 1);
}

/* Every format uses documented conversions, flags, widths and lengths. */
static void test_log_formats_within_documented_subset(void **state)
{
	char errs[4096] = "", why[128];
	unsigned int i;

	for (i = 0; i < scan.count; i++) {
		const struct log_fmt *f = &scan.fmts[i];

		if (log_spec_check(&spec, f->text, why, sizeof(why)) < 0)
			log_error(errs, sizeof(errs), "%s:%u: %s", f->file,
				  f->line, why);
	}
	if (errs[0])
		fail_msg("formats outside docs/PORTING.md's table:\n%s", errs);
}

/*
 * Every conversion, flag and length modifier of the table is used: the
 * table is the library's exact need, not a superset of it.
 */
static void test_log_spec_table_exact(void **state)
{
	char convs[16] = "", flags[8] = "", lens[64] = " ", tok[8];
	unsigned int i, k;
	const char *c;

	for (i = 0; i < scan.count; i++) {
		const char *p = scan.fmts[i].text;

		while ((p = strchr(p, '%'))) {
			size_t n;

			for (p++; *p && strchr("-+ #0", *p); p++) {
				if (!strchr(flags, *p))
					strncat(flags, p, 1);
			}
			p += strspn(p, "0123456789");
			n = strspn(p, "hlLzjt");
			/* lens is " ll l ...": each modifier between spaces. */
			snprintf(tok, sizeof(tok), " %.*s ", (int)n, p);
			if (n && !strstr(lens, tok) &&
			    strlen(lens) + strlen(tok) < sizeof(lens))
				strcat(lens, tok + 1);
			p += n;
			if (*p && !strchr(convs, *p) &&
			    strlen(convs) + 1 < sizeof(convs))
				strncat(convs, p, 1);
			if (*p)
				p++;
		}
	}
	for (c = spec.conversions; *c; c++) {
		if (!strchr(convs, *c))
			fail_msg("docs/PORTING.md lists %%%c, which no library "
				 "format uses", *c);
	}
	for (c = spec.flags; *c; c++) {
		if (!strchr(flags, *c))
			fail_msg("docs/PORTING.md lists the flag '%c', which "
				 "no library format uses", *c);
	}
	for (k = 0; k < spec.length_count; k++) {
		snprintf(tok, sizeof(tok), " %s ", spec.lengths[k]);
		if (!strstr(lens, tok))
			fail_msg("docs/PORTING.md lists the length modifier "
				 "\"%s\", which no library format uses",
				 spec.lengths[k]);
	}
}

/* One line each, ending in a newline, with the documented prefix. */
static void test_log_messages_are_prefixed_lines(void **state)
{
	char errs[4096] = "";
	unsigned int i;

	for (i = 0; i < scan.count; i++) {
		const struct log_fmt *f = &scan.fmts[i];
		const char *why = log_message_check(f->text);

		if (why)
			log_error(errs, sizeof(errs), "%s:%u: \"%.30s\" %s",
				  f->file, f->line, f->text, why);
	}
	if (errs[0])
		fail_msg("messages that break docs/PORTING.md's rules:\n%s",
			 errs);
}

/* The checker itself rejects what the table leaves out. */
static void test_log_spec_check_rejects(void **state)
{
	static const char *const bad[] = {
		"%p", "%lu", "%zu", "%5.2d", "%*d", "%-4d", "%+d", "%c", "%%",
		"%#d", "%08s", "%lls", "%hx", "%i", "%llz", "%",
	};
	static const char *const good[] = {
		"%d %u %x %s", "%#x", "%#llx", "%016llx", "%02x", "%llu",
		"%0x", "plain",
	};
	char why[128];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (log_spec_check(&spec, bad[i], why, sizeof(why)) >= 0)
			fail_msg("\"%s\" passed the check", bad[i]);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (log_spec_check(&spec, good[i], why, sizeof(why)) < 0)
			fail_msg("\"%s\" failed the check: %s", good[i], why);
	}
	assert_non_null(log_message_check("no newline"));
	assert_non_null(log_message_check("vtd: two\nlines\n"));
	assert_non_null(log_message_check("  indented\n"));
	assert_null(log_message_check("vtd %llx: x\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_scan_finds_every_call),
		cmocka_unit_test(test_log_spec_table_read),
		cmocka_unit_test(test_log_formats_within_documented_subset),
		cmocka_unit_test(test_log_spec_table_exact),
		cmocka_unit_test(test_log_messages_are_prefixed_lines),
		cmocka_unit_test(test_log_spec_check_rejects),
	};

	return cmocka_run_group_tests_name("log_formats", tests, setup, NULL);
}
