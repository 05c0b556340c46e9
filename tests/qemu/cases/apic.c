// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot tests of the local APIC and vector allocation: a self-IPI
 * [SDM 3A 10.6.1] reaches the handler of an allocated vector exactly
 * once, and a freed vector is handed out again.
 */
#include <hal/atomic.h>
#include <hal/types.h>

#include <arch/apic.h>
#include <arch/idt.h>

#include <boot_test/boot_test.h>

#define IPI_TIMEOUT_NS		100000000ULL

static void count_irq(struct x86_trap_frame *f, void *ctx)
{
	hal_atomic_fetch_add((u32 *)ctx, 1, HAL_RELEASE);
}

static bool nonzero(void *arg)
{
	return hal_atomic_load((u32 *)arg, HAL_ACQUIRE) != 0;
}

BOOT_TEST(apic, self_ipi)
{
	u32 count = 0;
	bool got;
	int vec, ret;

	vec = x86_irq_alloc(count_irq, &count);
	BT_ASSERT(t, vec >= X86_IRQ_VECTOR_FIRST && vec <= X86_IRQ_VECTOR_LAST,
		  "x86_irq_alloc: %d", vec);
	ret = x86_lapic_self_ipi((u8)vec);
	got = boot_test_wait(nonzero, &count, IPI_TIMEOUT_NS);
	x86_irq_free(vec);
	BT_ASSERT_OK(t, ret);
	BT_ASSERT(t, got, "self-IPI on vector 0x%x not delivered", vec);
	BT_ASSERT_EQ(t, hal_atomic_load(&count, HAL_ACQUIRE), 1);
}

BOOT_TEST(apic, vector_alloc_free)
{
	u32 dummy = 0;
	int a, b, c;

	a = x86_irq_alloc(count_irq, &dummy);
	b = x86_irq_alloc(count_irq, &dummy);
	BT_ASSERT(t, a > 0 && b > 0 && a != b, "vectors %d and %d", a, b);
	x86_irq_free(a);
	c = x86_irq_alloc(count_irq, &dummy);
	x86_irq_free(b);
	x86_irq_free(c);
	BT_ASSERT_EQ(t, c, a);
	BT_ASSERT(t, x86_irq_alloc(NULL, NULL) < 0, "NULL handler accepted");
}
