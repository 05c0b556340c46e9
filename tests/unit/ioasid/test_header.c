// SPDX-License-Identifier: BSD-2-Clause
/*
 * The production header as an integrator sees it: <ioasid/ioasid.h> alone
 * must not carry the test hook API, which lives in the test-only
 * <ioasid/ioasid_test.h>.
 *
 * The check is made by the compiler: this file gives the hook API's names
 * meanings of its own, so it stops compiling if <ioasid/ioasid.h> ever
 * declares them again (redefinition of the enum, a conflicting typedef, a
 * variable redeclaring a function). The run-time test then uses the
 * allocator through the production header only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ioasid/ioasid.h>

#include "fakes/fake_hal.h"

enum ioasid_hook_point { HEADER_TEST_NOT_THE_HOOK_ENUM };
typedef int ioasid_hook_fn;
static const ioasid_hook_fn ioasid_allocator_set_hook =
	HEADER_TEST_NOT_THE_HOOK_ENUM;

static void test_header_production_api_alone(void **state)
{
	static struct ioasid_allocator a;
	static struct ioasid_set s;
	const struct ioasid_config cfg = { .max_id = 15 };
	void *p = NULL;
	int id;

	(void)state;
	fake_hal_reset();
	assert_int_equal(ioasid_allocator_set_hook, 0);
	assert_int_equal(ioasid_allocator_init(&a, &cfg), 0);
	assert_int_equal(ioasid_set_init(&a, &s, 4), 0);
	id = ioasid_alloc(&s, NULL, 1, 15, &s);
	assert_int_equal(id, 1);
	assert_int_equal(ioasid_find(&s, (u32)id, NULL, NULL, &p), 0);
	assert_ptr_equal(p, &s);
	assert_int_equal(ioasid_free(&s, NULL, (u32)id), 0);
	assert_int_equal(ioasid_set_destroy(&s), 0);
	ioasid_allocator_destroy(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_production_api_alone),
	};

	return cmocka_run_group_tests_name("ioasid_header", tests, NULL, NULL);
}
