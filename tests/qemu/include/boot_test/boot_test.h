/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot tests: cases compiled into the QEMU test kernel and registered in
 * the .boot_tests linker section by BOOT_TEST() (after Hafnium's
 * HFTEST_TEST and Jailhouse's .units). boot_tests_run() runs them in link
 * order and prints one parseable line per case,
 *
 *	TEST <suite>.<name> PASS
 *	TEST <suite>.<name> FAIL <file>:<line>: <reason>
 *	TEST <suite>.<name> SKIP <reason>
 *
 * between "BOOT TESTS BEGIN" and a last line "N passed, N failed", which
 * tests/qemu/run and tests/bochs/run parse. A case fails at its first
 * failed BT_ASSERT*(), which returns from the case.
 */
#pragma once

#include <hal/bits.h>
#include <hal/compiler.h>
#include <hal/types.h>

#include <arch/acpi.h>

/*
 * The case needs the firmware DMAR table, that is the QEMU q35 machine
 * with -device intel-iommu (and, by the runner's contract, edu): on a
 * machine without DMAR (Bochs) it is skipped.
 */
#define BOOT_TEST_NEEDS_DMAR	BIT(0)

struct boot_test_ctx {
	bool failed;
	bool skipped;		/* BT_SKIP(): the case does not apply here */
	char reason[192];
};

struct boot_test {
	const char *suite;
	const char *name;
	void (*fn)(struct boot_test_ctx *t);
	u32 flags;
};

/*
 * The runner walks the section as an array, so each entry is aligned to
 * exactly its type's alignment: without the explicit attribute GCC may
 * align large static objects to 32 bytes and leave gaps.
 */
#define BOOT_TEST_F(suite_, name_, flags_)				\
	static void boot_test_fn_##suite_##_##name_(			\
		struct boot_test_ctx *t);				\
	static const struct boot_test boot_test_##suite_##_##name_	\
		__section(".boot_tests") __used				\
		__aligned(__alignof__(struct boot_test)) = {		\
		.suite = #suite_,					\
		.name = #name_,						\
		.fn = boot_test_fn_##suite_##_##name_,			\
		.flags = (flags_),					\
	};								\
	static void boot_test_fn_##suite_##_##name_(			\
		struct boot_test_ctx *t)

#define BOOT_TEST(suite, name)	BOOT_TEST_F(suite, name, 0)

/** boot_test_fail() - Record the first failure of the running case. */
void boot_test_fail(struct boot_test_ctx *t, const char *file, int line,
		    const char *fmt, ...) __printf(4, 5);

#define BT_FAIL(t, ...)							\
	do {								\
		boot_test_fail((t), __FILE__, __LINE__, __VA_ARGS__);	\
		return;							\
	} while (0)

/** boot_test_skip() - Mark the running case as not applicable here. */
void boot_test_skip(struct boot_test_ctx *t, const char *fmt, ...)
	__printf(2, 3);

/* End the case as SKIP (it does not apply to this machine). */
#define BT_SKIP(t, ...)							\
	do {								\
		boot_test_skip((t), __VA_ARGS__);			\
		return;							\
	} while (0)

#define BT_ASSERT(t, cond, ...)						\
	do {								\
		if (!(cond))						\
			BT_FAIL((t), __VA_ARGS__);			\
	} while (0)

/* Compare two integers; the message shows both values. */
#define BT_ASSERT_EQ(t, a, b)						\
	do {								\
		unsigned long long a_ = (unsigned long long)(a);	\
		unsigned long long b_ = (unsigned long long)(b);	\
		if (a_ != b_)						\
			BT_FAIL((t), "%s == 0x%llx, expected %s == 0x%llx", \
				#a, a_, #b, b_);			\
	} while (0)

/* An int result that must be 0. */
#define BT_ASSERT_OK(t, expr)						\
	do {								\
		int r_ = (expr);					\
		if (r_ != 0)						\
			BT_FAIL((t), "%s returned %d", #expr, r_);	\
	} while (0)

/**
 * boot_tests_run() - Run every registered case (those that need DMAR only
 * when the firmware has a DMAR table) and print the summary.
 * @cmdline: the kernel command line, for boot_test_option().
 *
 * Return: the number of failed cases, or 1 when none passed.
 */
int boot_tests_run(const char *cmdline);

/**
 * boot_test_option() - Value of "@key=value" on the command line.
 *
 * Return: true with @buf holding the NUL-terminated value (truncated to
 * @size), false when @key is absent.
 */
bool boot_test_option(const char *key, char *buf, size_t size);

/** boot_test_option_u64() - Numeric option (decimal or 0x hex). */
bool boot_test_option_u64(const char *key, u64 *val);

/** boot_test_dmar() - The firmware DMAR table, or NULL. */
const struct x86_acpi_header *boot_test_dmar(void);

/**
 * boot_test_wait() - Poll @cond_fn(@arg) until it is true or @timeout_ns
 * passes.
 *
 * Return: true when the condition became true.
 */
bool boot_test_wait(bool (*cond_fn)(void *arg), void *arg, u64 timeout_ns);

/**
 * boot_test_wait_count() - Wait up to @timeout_ns for *@counter (bumped
 * by an interrupt handler with release order) to reach @want.
 *
 * Return: true when it did.
 */
bool boot_test_wait_count(const u32 *counter, u32 want, u64 timeout_ns);
