// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of exception dispatch: a breakpoint (#BP, a trap: the saved
 * RIP is after INT3) and an invalid opcode (#UD, a fault: the saved RIP
 * is the UD2 itself, which the handler steps over) are delivered to
 * registered handlers and execution resumes [SDM 3A 6.5, Table 6-1].
 */
#include <hal/types.h>

#include <arch/idt.h>

#include <boot_test/boot_test.h>

struct trap_seen {
	u32 count;
	u64 rip;
	u64 vector;
	u64 skip;		/* bytes to step over (faults) */
};

static void record(struct x86_trap_frame *f, void *ctx)
{
	struct trap_seen *s = ctx;

	s->count++;
	s->rip = f->rip;
	s->vector = f->vector;
	f->rip += s->skip;
}

BOOT_TEST(exception, int3_returns)
{
	volatile struct trap_seen s = { 0 };
	u64 after;

	BT_ASSERT_OK(t, x86_trap_set_handler(X86_VEC_BP, record, (void *)&s));
	__asm__ __volatile__("int3\n\t"
			     "1: lea 1b(%%rip), %0"	/* address after INT3 */
			     : "=r"(after) :: "memory");
	x86_trap_set_handler(X86_VEC_BP, NULL, NULL);
	BT_ASSERT_EQ(t, s.count, 1);
	BT_ASSERT_EQ(t, s.vector, X86_VEC_BP);
	BT_ASSERT_EQ(t, s.rip, after);
}

BOOT_TEST(exception, ud2_fault_resumes)
{
	volatile struct trap_seen s = { .skip = 2 };
	u64 at;

	BT_ASSERT_OK(t, x86_trap_set_handler(X86_VEC_UD, record, (void *)&s));
	__asm__ __volatile__("lea 1f(%%rip), %0\n\t"
			     "1: ud2"
			     : "=r"(at) :: "memory");
	x86_trap_set_handler(X86_VEC_UD, NULL, NULL);
	BT_ASSERT_EQ(t, s.count, 1);
	BT_ASSERT_EQ(t, s.vector, X86_VEC_UD);
	BT_ASSERT_EQ(t, s.rip, at);
}

BOOT_TEST(exception, vector_range_checked)
{
	BT_ASSERT(t, x86_trap_set_handler(X86_VEC_EXCEPTIONS, record, NULL) < 0,
		  "vector 32 accepted as an exception vector");
}
