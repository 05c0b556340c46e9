// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the bare-metal HAL's formatting and locking: the printf
 * engine behind hal_log() handles every conversion the library uses, and
 * the ticket spinlock reports its holder.
 */
#include <hal/lock.h>
#include <hal/types.h>

#include <arch/console.h>
#include <arch/string.h>

#include <boot_test/boot_test.h>

#define CHECK_FMT(t, want, ...)						\
	do {								\
		char b_[64];						\
		int n_ = x86_snprintf(b_, sizeof(b_), __VA_ARGS__);	\
		BT_ASSERT(t, strcmp(b_, want) == 0 &&			\
			     n_ == (int)strlen(want),			\
			  "%s gave \"%s\" (%d), want \"%s\"", #__VA_ARGS__, \
			  b_, n_, want);				\
	} while (0)

BOOT_TEST(hal, vsnprintf_formats)
{
	/* volatile: GCC rejects a literal NULL for %s at build time. */
	const char *volatile null_str = NULL;
	char small[4];
	int n;

	CHECK_FMT(t, "-5 42 4294967295", "%d %i %u", -5, 42, 4294967295U);
	CHECK_FMT(t, "   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
	CHECK_FMT(t, "0002a ff FF", "%05x %x %X", 0x2a, 0xff, 0xff);
	CHECK_FMT(t, "fedcba9876543210", "%lx", 0xfedcba9876543210UL);
	CHECK_FMT(t, "00000000deadbeef", "%016llx", 0xdeadbeefULL);
	CHECK_FMT(t, "-9223372036854775808", "%lld",
		  (long long)(-9223372036854775807LL - 1));
	CHECK_FMT(t, "123 x ab  |DMAR", "%zu %c %-4s|%.4s", (size_t)123, 'x',
		  "ab", "DMARxx");
	CHECK_FMT(t, "0xfed90000 100%", "%p %d%%", (void *)0xfed90000UL, 100);
	CHECK_FMT(t, "(null)", "%s", null_str);
	/* '#' consumes its argument: the %s after it gets its own. */
	CHECK_FMT(t, "0x2a 0 0x000001f (ok) +7", "%#x %#x %#09llx (%s) %+d",
		  0x2a, 0, 0x1fULL, "ok", 7);
	n = x86_snprintf(small, sizeof(small), "%s", "truncated");
	BT_ASSERT(t, n == 9 && strcmp(small, "tru") == 0,
		  "truncation gave \"%s\" (%d)", small, n);
}

BOOT_TEST(hal, spinlock_holder)
{
	struct hal_spinlock l;

	hal_spin_init(&l);
	BT_ASSERT(t, !hal_spin_held(&l), "held after init");
	hal_spin_lock(&l);
	BT_ASSERT(t, hal_spin_held(&l), "not held after lock");
	hal_spin_unlock(&l);
	BT_ASSERT(t, !hal_spin_held(&l), "held after unlock");
	hal_spin_lock(&l);
	hal_spin_unlock(&l);
	BT_ASSERT_EQ(t, l.next, 2);
	BT_ASSERT_EQ(t, l.owner, 2);
}
