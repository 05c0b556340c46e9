// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot test runner: walks the .boot_tests section (BOOT_TEST()), skips
 * the cases that need DMAR when the firmware has no DMAR table, and
 * prints one line per case and the closing "N passed, N failed" line in
 * the format boot_test.h documents. It also answers the cases' questions
 * about the command line and the DMAR table.
 */
#include <stdarg.h>

#include <hal/atomic.h>
#include <hal/time.h>
#include <hal/types.h>

#include <arch/acpi.h>
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

extern const struct boot_test __boot_tests_start[], __boot_tests_end[];

#define BOOT_TESTS_MAX		512

static const char *test_cmdline = "";
static const struct x86_acpi_header *dmar;

void boot_test_fail(struct boot_test_ctx *t, const char *file, int line,
		    const char *fmt, ...)
{
	const char *base = file;
	va_list ap;
	int n;
	char *p;

	if (t->failed)
		return;
	t->failed = true;
	for (p = (char *)file; *p; p++) {
		if (*p == '/')
			base = p + 1;
	}
	n = x86_snprintf(t->reason, sizeof(t->reason), "%s:%d: ", base, line);
	if (n < 0 || (size_t)n >= sizeof(t->reason))
		return;
	va_start(ap, fmt);
	x86_vsnprintf(t->reason + n, sizeof(t->reason) - n, fmt, ap);
	va_end(ap);
	/* One line per case, whatever the message holds. */
	for (p = t->reason; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
}

void boot_test_skip(struct boot_test_ctx *t, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (t->failed || t->skipped)
		return;
	t->skipped = true;
	va_start(ap, fmt);
	x86_vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	for (p = t->reason; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
}

bool boot_test_option(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), n;
	const char *s = test_cmdline;

	while (*s) {
		while (*s == ' ')
			s++;
		if (strncmp(s, key, klen) == 0 && s[klen] == '=') {
			s += klen + 1;
			for (n = 0; s[n] && s[n] != ' ' && n + 1 < size; n++)
				buf[n] = s[n];
			if (size)
				buf[n] = '\0';
			return true;
		}
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

bool boot_test_option_u64(const char *key, u64 *val)
{
	char buf[24], *p = buf;
	unsigned int base = 10, d;
	u64 v = 0;

	if (!boot_test_option(key, buf, sizeof(buf)) || !buf[0])
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return false;
	}
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		v = v * base + d;
	}
	*val = v;
	return true;
}

const struct x86_acpi_header *boot_test_dmar(void)
{
	return dmar;
}

bool boot_test_wait(bool (*cond_fn)(void *arg), void *arg, u64 timeout_ns)
{
	u64 deadline = hal_time_ns() + timeout_ns;

	for (;;) {
		if (cond_fn(arg))
			return true;
		if (hal_time_ns() > deadline)
			return cond_fn(arg);
		x86_cpu_relax();
	}
}

struct count_wait {
	const u32 *counter;
	u32 want;
};

static bool count_reached(void *arg)
{
	const struct count_wait *w = arg;

	return hal_atomic_load(w->counter, HAL_ACQUIRE) >= w->want;
}

bool boot_test_wait_count(const u32 *counter, u32 want, u64 timeout_ns)
{
	struct count_wait w = { counter, want };

	return boot_test_wait(count_reached, &w, timeout_ns);
}

static int test_cmp(const struct boot_test *a, const struct boot_test *b)
{
	int c = strcmp(a->suite, b->suite);

	return c ? c : strcmp(a->name, b->name);
}

/*
 * Cases in suite.name order: the compilers lay the section out in
 * different orders, and the output should not depend on that.
 */
static u32 sorted_tests(const struct boot_test **out)
{
	const struct boot_test *bt;
	u32 n = 0, i;

	for (bt = __boot_tests_start; bt < __boot_tests_end; bt++) {
		if (n == BOOT_TESTS_MAX)
			break;
		for (i = n; i > 0 && test_cmp(out[i - 1], bt) > 0; i--)
			out[i] = out[i - 1];
		out[i] = bt;
		n++;
	}
	return n;
}

int boot_tests_run(const char *cmdline)
{
	static const struct boot_test *tests[BOOT_TESTS_MAX];
	const struct boot_test *bt;
	u32 passed = 0, failed = 0, skipped = 0, needs_dmar = 0, n, i;
	u64 unexpected;

	test_cmdline = cmdline ? cmdline : "";
	dmar = x86_acpi_find("DMAR", 0);
	if (!dmar) {
		for (bt = __boot_tests_start; bt < __boot_tests_end; bt++)
			needs_dmar += !!(bt->flags & BOOT_TEST_NEEDS_DMAR);
		x86_printf("no DMAR table: skipping the %u cases that need "
			   "it\n", needs_dmar);
	}

	n = sorted_tests(tests);
	x86_printf("BOOT TESTS BEGIN (%u cases)\n", n);
	if (n != (u32)(__boot_tests_end - __boot_tests_start)) {
		x86_printf("more than %u cases registered\n", BOOT_TESTS_MAX);
		failed++;
	}
	for (i = 0; i < n; i++) {
		struct boot_test_ctx t = { .failed = false };

		bt = tests[i];

		if ((bt->flags & BOOT_TEST_NEEDS_DMAR) && !dmar) {
			x86_printf("TEST %s.%s SKIP no DMAR table\n", bt->suite,
				   bt->name);
			skipped++;
			continue;
		}
		unexpected = x86_irq_unexpected_count();
		bt->fn(&t);
		if (!t.failed && x86_irq_unexpected_count() != unexpected)
			boot_test_fail(&t, __FILE__, __LINE__,
				       "unexpected interrupt during the case");
		if (t.failed) {
			x86_printf("TEST %s.%s FAIL %s\n", bt->suite, bt->name,
				   t.reason);
			failed++;
		} else if (t.skipped) {
			x86_printf("TEST %s.%s SKIP %s\n", bt->suite, bt->name,
				   t.reason);
			skipped++;
		} else {
			x86_printf("TEST %s.%s PASS\n", bt->suite, bt->name);
			passed++;
		}
	}
	x86_printf("BOOT TESTS END (%u skipped)\n", skipped);
	x86_printf("%u passed, %u failed\n", passed, failed);
	if (passed == 0 && failed == 0)
		return 1;
	return (int)failed;
}
